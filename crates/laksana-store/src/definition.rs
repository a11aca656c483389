//! Stored SOP definitions: the exact text each training runs on, identified by its SHA-256.
//! Every upload is a new version; none is ever changed, so a running training keeps its own.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use laksana_engine::{Problem, SopDefinition};
use sqlx::Row;

use crate::audit::{self, NewEntry};
use crate::time::ts_col;
use crate::{format_ts, Result, Store, StoreError, User};

#[derive(Clone, Debug, serde::Serialize)]
pub struct DefinitionRow {
    pub id: i64,
    pub sop_key: String,
    pub version: String,
    pub content_hash: String,
}

/// A stored version as the SOP page lists it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DefinitionVersion {
    pub row: DefinitionRow,
    pub nama: String,
    pub effective_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub trainings: i64,
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maret",
    "april",
    "mei",
    "juni",
    "juli",
    "agustus",
    "september",
    "oktober",
    "november",
    "desember",
];

/// Reads a tanggal efektif written as `2026-12-23` or `23 Desember 2026`.
pub fn parse_tanggal(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(d);
    }
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u32 + 1;
    NaiveDate::from_ymd_opt(year.parse().ok()?, month, day.parse().ok()?)
}

/// Parses a definition for storing: every problem, plus an unreadable tanggal efektif.
fn check(src: &str) -> std::result::Result<(SopDefinition, Option<NaiveDate>), Vec<Problem>> {
    let def = SopDefinition::parse(src)?;
    let effective = match def.identity.tanggal_efektif.as_deref().map(str::trim) {
        None | Some("") | Some("-") => None,
        Some(text) => match parse_tanggal(text) {
            Some(d) => Some(d),
            None => {
                let line = src
                    .lines()
                    .position(|l| l.trim_start().starts_with("tanggal_efektif"))
                    .map(|i| i + 1);
                return Err(vec![Problem {
                    line,
                    message: format!("tanggal efektif \"{text}\" tidak terbaca; tulis seperti 2026-12-23 atau 23 Desember 2026"),
                }]);
            }
        },
    };
    Ok((def, effective))
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
        let (def, effective) = check(src).map_err(StoreError::Definition)?;
        let hash = SopDefinition::content_hash(src);
        if let Some(row) = self.definition_by_hash(unit_id, &hash).await? {
            return Ok(row);
        }
        let mut tx = self.pool.begin().await?;
        let inserted =
            insert_definition(&mut tx, unit_id, &def, &hash, src, effective, None, now).await;
        match inserted {
            Ok(()) => tx.commit().await?,
            Err(StoreError::Db(e))
                if StoreError::is_unique_violation(&e, "uq_definition_content") => {}
            Err(e) => return Err(e),
        }
        self.definition_by_hash(unit_id, &hash)
            .await?
            .ok_or(StoreError::NotFound("definisi SOP"))
    }

    /// An administrator's upload or edit: a new version, checked first, recorded in the audit trail.
    /// Identical text is refused rather than stored twice.
    pub async fn add_definition_version(
        &self,
        unit_id: i64,
        src: &str,
        actor: &User,
        now: DateTime<Utc>,
    ) -> Result<DefinitionRow> {
        let (def, effective) = check(src).map_err(StoreError::Definition)?;
        let hash = SopDefinition::content_hash(src);
        if let Some(existing) = self.definition_by_hash(unit_id, &hash).await? {
            return Err(StoreError::invalid(
                "source",
                format!(
                    "Isi ini sama persis dengan versi {} yang sudah tersimpan.",
                    existing.version
                ),
            ));
        }
        if let Ok(current) = self.latest_definition(unit_id).await {
            if current.sop_key != def.key {
                return Err(StoreError::invalid(
                    "source",
                    format!(
                        "Kunci SOP \"{}\" berbeda dengan SOP unit ini (\"{}\").",
                        def.key, current.sop_key
                    ),
                ));
            }
        }
        let mut tx = self.pool.begin().await?;
        insert_definition(
            &mut tx,
            unit_id,
            &def,
            &hash,
            src,
            effective,
            Some(actor.id),
            now,
        )
        .await?;
        audit::append(
            &mut tx,
            NewEntry {
                unit_id,
                training_id: None,
                actor_id: Some(actor.id),
                actor_name: &actor.full_name,
                actor_role: None,
                action: "sop.version_added",
                step_no: None,
                round: None,
                note: Some(&format!(
                    "SOP {} versi {} ({})",
                    def.key,
                    def.version,
                    &hash[..12]
                )),
                state_before: None,
                state_after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
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

    /// The newest stored definition of a unit, parsed, for what every page shows of it (the
    /// header's role names). Kept per unit until its audit chain moves: an uploaded version is
    /// audited, and `unit` is read in the asking request (see [`Unit::audit_head`]). A shipped
    /// version stored when another server starts is not audited, so that server's pages may
    /// name roles as the previous version did until the next audited change; what a training
    /// runs on never comes from here.
    pub async fn newest_definition(&self, unit: &crate::Unit) -> Result<Arc<SopDefinition>> {
        let id = self
            .newest_definition_cache
            .get_or_read(unit, (), || async {
                Ok(self.latest_definition(unit.id).await?.id)
            })
            .await?;
        self.definition(id).await
    }

    /// The newest stored definition of a unit, whatever its effective date.
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

    /// The version new trainings start on: the newest one already in force on `today`.
    pub async fn effective_definition(
        &self,
        unit_id: i64,
        today: NaiveDate,
    ) -> Result<DefinitionRow> {
        let row = sqlx::query(
            "SELECT id, sop_key, version, content_hash FROM sop_definitions
             WHERE unit_id = $1 AND (effective_date IS NULL OR effective_date <= $2)
             ORDER BY id DESC LIMIT 1",
        )
        .bind(unit_id)
        .bind(today.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("definisi SOP yang sudah berlaku"))?;
        definition_from_row(&row)
    }

    /// Every version of the unit's SOP, newest first, with how many trainings run on each.
    pub async fn list_definitions(&self, unit_id: i64) -> Result<Vec<DefinitionVersion>> {
        let rows = sqlx::query(
            "SELECT d.id, d.sop_key, d.version, d.content_hash, d.effective_date, d.created_at,
                    u.full_name AS created_by_name,
                    (SELECT COUNT(*) FROM trainings t WHERE t.definition_id = d.id) AS trainings
             FROM sop_definitions d LEFT JOIN users u ON u.id = d.created_by
             WHERE d.unit_id = $1 ORDER BY d.id DESC",
        )
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let row = definition_from_row(r)?;
            let nama = self
                .definition(row.id)
                .await
                .map(|d| d.nama.clone())
                .unwrap_or_default();
            let effective: Option<String> = r.try_get("effective_date")?;
            out.push(DefinitionVersion {
                nama,
                effective_date: effective.and_then(|d| d.parse().ok()),
                created_at: ts_col(r.try_get("created_at")?).unwrap_or_default(),
                created_by: r.try_get("created_by_name")?,
                trainings: r.try_get("trainings")?,
                row,
            });
        }
        Ok(out)
    }

    /// A definition of this unit (another unit's id reads as not found).
    pub async fn definition_of_unit(&self, unit_id: i64, id: i64) -> Result<DefinitionRow> {
        let row = sqlx::query(
            "SELECT id, sop_key, version, content_hash FROM sop_definitions WHERE id = $1 AND unit_id = $2",
        )
        .bind(id)
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("definisi SOP"))?;
        definition_from_row(&row)
    }

    pub async fn definition_row(&self, id: i64) -> Result<DefinitionRow> {
        // Every training page asks; a stored version never changes, so keeping it is exact.
        if let Some(row) = self.definition_rows.lock().expect("cache lock").get(&id) {
            return Ok(row.clone());
        }
        let row = sqlx::query(
            "SELECT id, sop_key, version, content_hash FROM sop_definitions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("definisi SOP"))?;
        let row = definition_from_row(&row)?;
        self.definition_rows
            .lock()
            .expect("cache lock")
            .insert(id, row.clone());
        Ok(row)
    }

    /// The exact text of a stored definition.
    pub async fn definition_source(&self, id: i64) -> Result<String> {
        Ok(
            sqlx::query("SELECT source FROM sop_definitions WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound("definisi SOP"))?
                .try_get("source")?,
        )
    }

    /// The parsed definition with this id (cached: stored definitions never change).
    pub async fn definition(&self, id: i64) -> Result<Arc<SopDefinition>> {
        if let Some(def) = self.definitions.lock().expect("definition cache").get(&id) {
            return Ok(def.clone());
        }
        let src = self.definition_source(id).await?;
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

#[allow(clippy::too_many_arguments)]
async fn insert_definition(
    conn: &mut sqlx::AnyConnection,
    unit_id: i64,
    def: &SopDefinition,
    hash: &str,
    src: &str,
    effective: Option<NaiveDate>,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sop_definitions (unit_id, sop_key, version, content_hash, source, effective_date, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(unit_id)
    .bind(&def.key)
    .bind(&def.version)
    .bind(hash)
    .bind(src)
    .bind(effective.map(|d| d.to_string()))
    .bind(created_by)
    .bind(format_ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn definition_from_row(row: &sqlx::any::AnyRow) -> Result<DefinitionRow> {
    Ok(DefinitionRow {
        id: row.try_get("id")?,
        sop_key: row.try_get("sop_key")?,
        version: row.try_get("version")?,
        content_hash: row.try_get("content_hash")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tanggal_efektif_reads_in_iso_or_indonesian() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 23);
        assert_eq!(parse_tanggal("2026-12-23"), d);
        assert_eq!(parse_tanggal("23 Desember 2026"), d);
        assert_eq!(parse_tanggal("23 desember 2026"), d);
        assert_eq!(parse_tanggal("31 Februari 2026"), None);
        assert_eq!(parse_tanggal("besok"), None);
    }
}
