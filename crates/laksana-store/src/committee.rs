//! The committee of a training: once its SK Panitia is signed, the steps of the Panitia role
//! belong to the members the SK names (by their accounts), not to everyone holding the role.

use crate::{Result, Store};

/// The SOP role whose steps the signed SK hands to its members.
pub const COMMITTEE_ROLE: &str = "panitia";
/// The document kind that names the committee.
pub const COMMITTEE_DOCUMENT: &str = "sk_panitia";

impl Store {
    /// The accounts named in the training's signed SK Panitia (as signed, not as later edited),
    /// or `None` while there is no signed SK or it names no account.
    pub async fn committee_accounts(
        &self,
        unit_id: i64,
        training_id: i64,
    ) -> Result<Option<Vec<i64>>> {
        let docs = self.documents_of_training(unit_id, training_id).await?;
        let Some(sk) = docs
            .iter()
            .find(|d| d.kind == COMMITTEE_DOCUMENT && d.signed_at.is_some())
        else {
            return Ok(None);
        };
        let detail = self.document(unit_id, sk.id).await?;
        let Some(signed) = detail.signature.as_ref().map(|s| s.version) else {
            return Ok(None);
        };
        let ids: Vec<i64> = detail
            .versions
            .iter()
            .find(|v| v.version == signed)
            .and_then(|v| v.content["panitia"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|m| m["user_id"].as_i64())
            .collect();
        Ok((!ids.is_empty()).then_some(ids))
    }
}

impl Store {
    /// The active steps `user_id` may do: those of the roles held, where a Panitia step of a
    /// training with a signed SK is the SK members' (whether or not they hold the role).
    pub async fn tasks_of_user(
        &self,
        unit_id: i64,
        user_id: i64,
        roles: &[String],
    ) -> Result<Vec<crate::Task>> {
        let mut wanted: Vec<String> = roles.to_vec();
        if !wanted.iter().any(|r| r == COMMITTEE_ROLE) {
            wanted.push(COMMITTEE_ROLE.to_string());
        }
        let holds_role = roles.iter().any(|r| r == COMMITTEE_ROLE);
        let mut members = std::collections::HashMap::new();
        let mut out = Vec::new();
        for task in self.tasks_for(unit_id, &wanted).await? {
            if task.pelaksana != COMMITTEE_ROLE {
                out.push(task);
                continue;
            }
            let named = match members.get(&task.training_id) {
                Some(m) => m,
                None => members
                    .entry(task.training_id)
                    .or_insert(self.committee_accounts(unit_id, task.training_id).await?),
            };
            let mine = match named {
                Some(ids) => ids.contains(&user_id),
                None => holds_role,
            };
            if mine {
                out.push(task);
            }
        }
        Ok(out)
    }
}
