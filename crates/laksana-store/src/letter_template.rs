//! A unit's own template texts (the undangan's body, the SK's menimbang …), kept as versions.
//! Which fields a text may use is the documents crate's business: the caller checks the text
//! before saving it, so this module only stores and finds.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::lock::{self, Sequence};
use crate::time::ts_col;
use crate::{format_ts, Result, Store, StoreError, User};

/// The newest saved text of one template key.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SavedTemplate {
    pub key: String,
    pub version: i64,
    pub text: String,
    pub saved_by_name: String,
    pub saved_at: DateTime<Utc>,
}

impl Store {
    /// Saves `text` as the next version of the unit's template `key`.
    pub async fn save_letter_template(
        &self,
        unit_id: i64,
        key: &str,
        text: &str,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        if text.trim().is_empty() {
            return Err(StoreError::invalid(
                "text",
                "Teks templat tidak boleh kosong.",
            ));
        }
        // A transaction of its own, so that PostgreSQL's lock on the version holds until commit.
        let mut tx = self.pool.begin().await?;
        lock::serialise(&mut tx, Sequence::LetterTemplate { unit_id }).await?;
        let version: i64 = sqlx::query(
            "INSERT INTO letter_templates (unit_id, key, version, text, saved_by, saved_at)
             SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5
             FROM letter_templates WHERE unit_id = $1 AND key = $2
             RETURNING version",
        )
        .bind(unit_id)
        .bind(key)
        .bind(text)
        .bind(by.id)
        .bind(format_ts(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("version")?;
        tx.commit().await?;
        Ok(version)
    }

    /// The unit's newest text of every key it has saved (keys not saved use the defaults).
    pub async fn letter_templates(&self, unit_id: i64) -> Result<BTreeMap<String, SavedTemplate>> {
        let rows = sqlx::query(
            "SELECT t.key, t.version, t.text, t.saved_at, u.full_name
             FROM letter_templates t JOIN users u ON u.id = t.saved_by
             WHERE t.unit_id = $1 ORDER BY t.key, t.version",
        )
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = BTreeMap::new();
        for row in &rows {
            let saved = SavedTemplate {
                key: row.try_get("key")?,
                version: row.try_get("version")?,
                text: row.try_get("text")?,
                saved_by_name: row.try_get("full_name")?,
                saved_at: ts_col(row.try_get("saved_at")?)
                    .ok_or(StoreError::CorruptDefinition("saved_at".into()))?,
            };
            // Ordered by version: the last one of a key wins.
            out.insert(saved.key.clone(), saved);
        }
        Ok(out)
    }
}
