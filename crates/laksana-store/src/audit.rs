//! The audit trail: append-only, one chain per unit, each entry carrying the SHA-256 of the one before.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::time::ts_col;
use crate::{format_ts, Result, Store};

/// The hash the first entry of a unit points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone, Debug, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub seq: i64,
    pub training_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub actor_role: Option<String>,
    /// Stable dotted name, e.g. `step.returned`.
    pub action: String,
    pub step_no: Option<i64>,
    pub round: Option<i64>,
    pub note: Option<String>,
    pub state_before: Option<String>,
    pub state_after: Option<String>,
    pub at: DateTime<Utc>,
    pub prev_hash: String,
    pub hash: String,
}

/// What a caller wants recorded; the chain fields are filled in by [`append`].
pub(crate) struct NewEntry<'a> {
    pub unit_id: i64,
    pub training_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub actor_role: Option<&'a str>,
    pub action: &'a str,
    pub step_no: Option<i64>,
    pub round: Option<i64>,
    pub note: Option<&'a str>,
    pub state_before: Option<&'a str>,
    pub state_after: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Result of walking a unit's chain.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainCheck {
    Intact {
        entries: i64,
    },
    /// The first entry whose stored hash or back-link does not match.
    Broken {
        seq: i64,
        reason: String,
    },
}

fn entry_hash(prev: &str, unit_id: i64, seq: i64, e: &NewEntry<'_>, at: &str) -> String {
    // A JSON array is an unambiguous encoding: no separator can be smuggled inside a field.
    let canonical = serde_json::json!([
        prev,
        unit_id,
        seq,
        e.training_id,
        e.actor_id,
        e.actor_name,
        e.actor_role,
        e.action,
        e.step_no,
        e.round,
        e.note,
        e.state_before,
        e.state_after,
        at
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Appends an entry inside the caller's transaction.
///
/// Bumping `units.audit_seq` takes the unit's row lock (SQLite: the write lock) and returns the
/// previous entry's hash (`audit_head`, kept by a trigger), so two transactions can never read
/// the same predecessor and fork the chain.
pub(crate) async fn append(conn: &mut AnyConnection, e: NewEntry<'_>) -> Result<()> {
    let head = sqlx::query(
        "UPDATE units SET audit_seq = audit_seq + 1 WHERE id = $1 RETURNING audit_seq, audit_head",
    )
    .bind(e.unit_id)
    .fetch_one(&mut *conn)
    .await?;
    let seq: i64 = head.try_get("audit_seq")?;
    let prev: String = head.try_get("audit_head")?;
    let at = format_ts(e.at);
    let hash = entry_hash(&prev, e.unit_id, seq, &e, &at);
    sqlx::query(
        "INSERT INTO audit_log (unit_id, seq, training_id, actor_id, actor_name, actor_role, action,
            step_no, round, note, state_before, state_after, at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(e.unit_id)
    .bind(seq)
    .bind(e.training_id)
    .bind(e.actor_id)
    .bind(e.actor_name)
    .bind(e.actor_role)
    .bind(e.action)
    .bind(e.step_no)
    .bind(e.round)
    .bind(e.note)
    .bind(e.state_before)
    .bind(e.state_after)
    .bind(at)
    .bind(prev)
    .bind(hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

const COLUMNS: &str =
    "id, unit_id, seq, training_id, actor_id, actor_name, actor_role, action, step_no, round,
    note, state_before, state_after, at, prev_hash, hash";

impl Store {
    /// A training's entries, oldest first.
    pub async fn audit_of_training(&self, training_id: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE training_id = $1 ORDER BY seq"
        ))
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Records an event that is not a transition (a refused attempt, a login) in its own transaction.
    pub(crate) async fn record(&self, e: NewEntry<'_>) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        append(&mut tx, e).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Walks a unit's chain from the first entry and names the first one that does not match.
    pub async fn verify_audit_chain(&self, unit_id: i64) -> Result<ChainCheck> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE unit_id = $1 ORDER BY seq"
        ))
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        let mut prev = GENESIS.to_string();
        for (expected_seq, row) in (1..).zip(rows.iter()) {
            let entry = entry_from_row(row)?;
            if entry.seq != expected_seq {
                return Ok(ChainCheck::Broken {
                    seq: entry.seq,
                    reason: format!("nomor urut seharusnya {expected_seq}"),
                });
            }
            if entry.prev_hash != prev {
                return Ok(ChainCheck::Broken {
                    seq: entry.seq,
                    reason: "prev_hash tidak sama dengan hash entri sebelumnya".into(),
                });
            }
            let at: String = row.try_get("at")?;
            let recomputed = entry_hash(
                &prev,
                unit_id,
                entry.seq,
                &NewEntry {
                    unit_id,
                    training_id: entry.training_id,
                    actor_id: entry.actor_id,
                    actor_name: &entry.actor_name,
                    actor_role: entry.actor_role.as_deref(),
                    action: &entry.action,
                    step_no: entry.step_no,
                    round: entry.round,
                    note: entry.note.as_deref(),
                    state_before: entry.state_before.as_deref(),
                    state_after: entry.state_after.as_deref(),
                    at: entry.at,
                },
                &at,
            );
            if recomputed != entry.hash {
                return Ok(ChainCheck::Broken {
                    seq: entry.seq,
                    reason: "isi entri tidak cocok dengan hash-nya".into(),
                });
            }
            prev = entry.hash;
        }
        Ok(ChainCheck::Intact {
            entries: rows.len() as i64,
        })
    }
}

fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        seq: row.try_get("seq")?,
        training_id: row.try_get("training_id")?,
        actor_id: row.try_get("actor_id")?,
        actor_name: row.try_get("actor_name")?,
        actor_role: row.try_get("actor_role")?,
        action: row.try_get("action")?,
        step_no: row.try_get("step_no")?,
        round: row.try_get("round")?,
        note: row.try_get("note")?,
        state_before: row.try_get("state_before")?,
        state_after: row.try_get("state_after")?,
        at: ts_col(row.try_get("at")?).unwrap_or_default(),
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}
