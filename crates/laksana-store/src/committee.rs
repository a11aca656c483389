//! The committee of a training: once its SK Panitia is signed, the steps of the Panitia role
//! belong to the members the SK names (by their accounts), not to everyone holding the role.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::Row;

use crate::{Result, Store, Unit};

/// Training id → the accounts its signed SK Panitia names.
pub(crate) type Committees = HashMap<i64, Vec<i64>>;

/// Who asks for an inbox page: the account, the roles it holds today, the page's limit and
/// offset.
pub(crate) type TaskPageKey = (i64, Vec<String>, i64, i64);
/// One inbox page and how many tasks there are in all.
pub(crate) type TaskPage = (Vec<crate::Task>, i64);

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
        Ok(detail
            .versions
            .iter()
            .find(|v| v.version == signed)
            .and_then(|v| members_of(&v.content)))
    }

    /// [`Store::committee_accounts`] of every training of the unit with an active Panitia step,
    /// in one query: the inbox asks for all of them on every load, and one query per training
    /// made a busy Panitia's inbox hundreds of round trips. Trainings without a signed SK (or
    /// whose SK names no account) are absent.
    /// Kept per unit until its audit chain moves: signing an SK and completing a step, the only
    /// ways the answer changes, are both audited in their own transactions; the head is the
    /// one `unit` was read at, in the asking request.
    async fn committees_of_active(&self, unit: &Unit) -> Result<Arc<Committees>> {
        self.committee_cache
            .get_or_read(unit, (), || async {
                Ok(Arc::new(self.read_committees_of_active(unit.id).await?))
            })
            .await
    }

    async fn read_committees_of_active(&self, unit_id: i64) -> Result<Committees> {
        let rows = sqlx::query(
            "SELECT d.training_id, v.content_json
             FROM documents d
             JOIN document_signatures s ON s.document_id = d.id
             JOIN document_versions v ON v.document_id = d.id AND v.version = s.version
             WHERE d.unit_id = $1 AND d.kind = $2 AND d.signed_at IS NOT NULL
               AND d.training_id IN (
                 SELECT sr.training_id FROM step_runs sr JOIN trainings t ON t.id = sr.training_id
                 WHERE t.unit_id = $1 AND sr.status = 'active' AND sr.pelaksana = $3)
             ORDER BY d.id",
        )
        .bind(unit_id)
        .bind(COMMITTEE_DOCUMENT)
        .bind(COMMITTEE_ROLE)
        .fetch_all(&self.pool)
        .await?;
        let mut out = HashMap::new();
        for row in rows {
            let text: String = row.try_get("content_json")?;
            let content: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| crate::StoreError::CorruptDefinition(format!("SK Panitia: {e}")))?;
            // The first signed SK of a training counts, as in `committee_accounts`.
            if let Some(ids) = members_of(&content) {
                out.entry(row.try_get("training_id")?).or_insert(ids);
            }
        }
        Ok(out)
    }
}

/// The accounts an SK's content names as members; none when it names no account.
fn members_of(content: &serde_json::Value) -> Option<Vec<i64>> {
    let ids: Vec<i64> = content["panitia"]
        .as_array()?
        .iter()
        .filter_map(|m| m["user_id"].as_i64())
        .collect();
    (!ids.is_empty()).then_some(ids)
}

impl Store {
    /// The active steps `user_id` may do: those of the roles held, where a Panitia step of a
    /// training with a signed SK is the SK members' (whether or not they hold the role).
    pub async fn tasks_of_user(
        &self,
        unit: &Unit,
        user_id: i64,
        roles: &[String],
    ) -> Result<Vec<crate::Task>> {
        Ok(self.tasks_page(unit, user_id, roles, i64::MAX, 0).await?.0)
    }

    /// One page of [`Store::tasks_of_user`], most urgent first, and how many there are in all.
    /// Kept until the unit's audit chain moves (see `unit_cache`): a step is only ever started,
    /// finished or handed to a committee by an audited change. `unit` is read in the asking
    /// request.
    pub async fn tasks_page(
        &self,
        unit: &Unit,
        user_id: i64,
        roles: &[String],
        limit: i64,
        offset: i64,
    ) -> Result<TaskPage> {
        let key = (user_id, roles.to_vec(), limit, offset);
        self.task_pages
            .get_or_read(unit, key, || {
                self.read_tasks_page(unit, user_id, roles, limit, offset)
            })
            .await
    }

    async fn read_tasks_page(
        &self,
        unit: &Unit,
        user_id: i64,
        roles: &[String],
        limit: i64,
        offset: i64,
    ) -> Result<TaskPage> {
        let holds_role = roles.iter().any(|r| r == COMMITTEE_ROLE);
        let others: Vec<String> = roles
            .iter()
            .filter(|r| *r != COMMITTEE_ROLE)
            .cloned()
            .collect();
        // The committees are few (trainings with a signed SK at a Panitia step); the condition
        // names their trainings by id, so the database cuts the page, not this loop.
        let committees = self.committees_of_active(unit).await?;
        let ids = |pick: &dyn Fn(&Vec<i64>) -> bool| {
            let mut v: Vec<String> = committees
                .iter()
                .filter(|(_, members)| pick(members))
                .map(|(training, _)| training.to_string())
                .collect();
            v.sort();
            v.join(", ")
        };
        let named = ids(&|members| members.contains(&user_id));
        let with_committee = ids(&|_| true);
        let mut parts = Vec::new();
        if !others.is_empty() {
            let placeholders = (0..others.len())
                .map(|i| format!("${}", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            parts.push(format!("sr.pelaksana IN ({placeholders})"));
        }
        let panitia = format!("sr.pelaksana = '{COMMITTEE_ROLE}'");
        match (holds_role, named.is_empty(), with_committee.is_empty()) {
            (true, _, true) => parts.push(panitia),
            (true, true, false) => parts.push(format!(
                "({panitia} AND sr.training_id NOT IN ({with_committee}))"
            )),
            (true, false, false) => parts.push(format!(
                "({panitia} AND (sr.training_id NOT IN ({with_committee}) OR sr.training_id IN ({named})))"
            )),
            (false, false, _) => parts.push(format!("({panitia} AND sr.training_id IN ({named}))")),
            (false, true, _) => {}
        }
        if parts.is_empty() {
            return Ok((Vec::new(), 0));
        }
        self.tasks_where(unit.id, &parts.join(" OR "), &others, limit, offset)
            .await
    }
}
