//! Stored SOP definitions: the exact text each training runs on, identified by its SHA-256.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use laksana_engine::SopDefinition;
use sqlx::Row;

use crate::{format_ts, Result, Store, StoreError};

#[derive(Clone, Debug, serde::Serialize)]
pub struct DefinitionRow {
    pub id: i64,
    pub sop_key: String,
    pub version: String,
    pub content_hash: String,
}

impl Store {
    /// Stores a definition's text unless the same bytes are already stored for the unit.
    /// The text must parse: a broken SOP never reaches a training.
    pub async fn ensure_definition(
        &self,
        unit_id: i64,
        src: &str,
        now: DateTime<Utc>,
    ) -> Result<DefinitionRow> {
        let def = SopDefinition::parse(src).map_err(|problems| {
            let text = problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            StoreError::invalid("definition", text)
        })?;
        let hash = SopDefinition::content_hash(src);
        if let Some(row) = self.definition_by_hash(unit_id, &hash).await? {
            return Ok(row);
        }
        let inserted = sqlx::query(
            "INSERT INTO sop_definitions (unit_id, sop_key, version, content_hash, source, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(unit_id)
        .bind(&def.key)
        .bind(&def.version)
        .bind(&hash)
        .bind(src)
        .bind(format_ts(now))
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) if StoreError::is_unique_violation(&e, "uq_definition_content") => {}
            Err(e) => return Err(e.into()),
        }
        self.definition_by_hash(unit_id, &hash)
            .await?
            .ok_or(StoreError::NotFound("definisi SOP"))
    }

    async fn definition_by_hash(&self, unit_id: i64, hash: &str) -> Result<Option<DefinitionRow>> {
        let row = sqlx::query(
            "SELECT id, sop_key, version, content_hash FROM sop_definitions WHERE unit_id = $1 AND content_hash = $2",
        )
        .bind(unit_id)
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| definition_from_row(&r)).transpose()
    }

    /// The newest stored definition of a unit (new trainings run on it).
    pub async fn latest_definition(&self, unit_id: i64) -> Result<DefinitionRow> {
        let row = sqlx::query(
            "SELECT id, sop_key, version, content_hash FROM sop_definitions WHERE unit_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("definisi SOP"))?;
        definition_from_row(&row)
    }

    pub async fn definition_row(&self, id: i64) -> Result<DefinitionRow> {
        let row = sqlx::query(
            "SELECT id, sop_key, version, content_hash FROM sop_definitions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("definisi SOP"))?;
        definition_from_row(&row)
    }

    /// The parsed definition with this id (cached: stored definitions never change).
    pub async fn definition(&self, id: i64) -> Result<Arc<SopDefinition>> {
        if let Some(def) = self.definitions.lock().expect("definition cache").get(&id) {
            return Ok(def.clone());
        }
        let src: String = sqlx::query("SELECT source FROM sop_definitions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("definisi SOP"))?
            .try_get("source")?;
        let def = SopDefinition::parse(&src).map_err(|p| {
            StoreError::CorruptDefinition(
                p.iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let def = Arc::new(def);
        self.definitions
            .lock()
            .expect("definition cache")
            .insert(id, def.clone());
        Ok(def)
    }
}

fn definition_from_row(row: &sqlx::any::AnyRow) -> Result<DefinitionRow> {
    Ok(DefinitionRow {
        id: row.try_get("id")?,
        sop_key: row.try_get("sop_key")?,
        version: row.try_get("version")?,
        content_hash: row.try_get("content_hash")?,
    })
}
