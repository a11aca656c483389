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

/// An entry of `unit_id`'s chain that belongs to no training (an account, a role grant, an
/// official, a unit setting), made by `by`, or by the command line (`laksana user add`, the
/// demo), which has no account.
pub(crate) fn unit_entry<'a>(
    unit_id: i64,
    by: Option<&'a crate::User>,
    action: &'a str,
    note: &'a str,
    at: DateTime<Utc>,
) -> NewEntry<'a> {
    NewEntry {
        unit_id,
        training_id: None,
        actor_id: by.map(|u| u.id),
        actor_name: by.map_or("Sistem (baris perintah)", |u| u.full_name.as_str()),
        actor_role: None,
        action,
        step_no: None,
        round: None,
        note: Some(note),
        state_before: None,
        state_after: None,
        at,
    }
}

/// Appends a [`unit_entry`] made now, inside the caller's transaction. Besides the record, the
/// entry moves the unit's audit head, which is what tells every app server's kept pages to
/// read again.
pub(crate) async fn append_admin(
    conn: &mut AnyConnection,
    unit_id: i64,
    by: Option<&crate::User>,
    action: &str,
    note: &str,
) -> Result<()> {
    append(conn, unit_entry(unit_id, by, action, note, Utc::now())).await
}

/// An account's change that every training page showing its name must follow (see
/// `Store::training_view`).
pub(crate) const ACCOUNT_UPDATED: &str = "user.updated";

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
    /// The first entry whose stored hash or back-link does not match. `id` is the row that
    /// breaks it; `None` when what is missing is the end of the chain (rows after the last one
    /// found were removed, which only the unit's counter and head still remember).
    Broken {
        seq: i64,
        id: Option<i64>,
        reason: String,
    },
}

/// One unit's result in a whole-database check.
#[derive(Debug)]
pub struct UnitChain {
    pub unit_id: i64,
    pub unit_code: String,
    pub check: ChainCheck,
}

/// A stored row as read back, with `at` exactly as it was written (the hash covers the text,
/// not a re-formatted time).
pub(crate) struct StoredRow {
    pub entry: AuditEntry,
    pub unit_id: i64,
    pub at_text: String,
}

/// Walks a unit's rows (ordered by `seq`) against the unit's own counter and head hash, and
/// names the first entry that does not match. Pure, so every way of breaking it is tested
/// without a database.
pub(crate) fn check_chain(rows: &[StoredRow], head_seq: i64, head_hash: &str) -> ChainCheck {
    let mut prev = GENESIS.to_string();
    for (expected_seq, row) in (1..).zip(rows.iter()) {
        let entry = &row.entry;
        let broken = |reason: String| ChainCheck::Broken {
            seq: entry.seq,
            id: Some(entry.id),
            reason,
        };
        if entry.seq != expected_seq {
            // A gap means rows were removed before this one (or numbers rewritten).
            return broken(format!(
                "nomor urut {} padahal seharusnya {expected_seq}: entri sebelumnya hilang",
                entry.seq
            ));
        }
        if entry.prev_hash != prev {
            return broken("prev_hash tidak sama dengan hash entri sebelumnya".into());
        }
        let recomputed = entry_hash(
            &prev,
            row.unit_id,
            entry.seq,
            &NewEntry {
                unit_id: row.unit_id,
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
            &row.at_text,
        );
        if recomputed != entry.hash {
            return broken(format!(
                "isi entri tidak cocok dengan hash-nya (tersimpan {}…, dihitung {}…)",
                &entry.hash[..entry.hash.len().min(12)],
                &recomputed[..12]
            ));
        }
        prev = entry.hash.clone();
    }
    let count = rows.len() as i64;
    if head_seq != count || head_hash != prev {
        // The unit's counter and head are written in the same transaction as every entry, so
        // a shorter chain means its newest entries were deleted.
        return ChainCheck::Broken {
            seq: count + 1,
            id: None,
            reason: format!(
                "unit mencatat {head_seq} entri, tetapi rantai berakhir pada entri {count}: entri terakhir hilang"
            ),
        };
    }
    ChainCheck::Intact { entries: count }
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
        let unit = sqlx::query("SELECT audit_seq, audit_head FROM units WHERE id = $1")
            .bind(unit_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(crate::StoreError::NotFound("unit"))?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log WHERE unit_id = $1 ORDER BY seq"
        ))
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        let rows = rows
            .iter()
            .map(|row| {
                Ok(StoredRow {
                    entry: entry_from_row(row)?,
                    unit_id,
                    at_text: row.try_get("at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(check_chain(
            &rows,
            unit.try_get("audit_seq")?,
            &unit.try_get::<String, _>("audit_head")?,
        ))
    }

    /// Every unit's chain, in unit order (`laksana audit verify`).
    pub async fn verify_all_audit_chains(&self) -> Result<Vec<UnitChain>> {
        let units = sqlx::query("SELECT id, code FROM units ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(units.len());
        for unit in units {
            let unit_id: i64 = unit.try_get("id")?;
            out.push(UnitChain {
                unit_id,
                unit_code: unit.try_get("code")?,
                check: self.verify_audit_chain(unit_id).await?,
            });
        }
        Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 12, 4, 8, minute, 0).unwrap()
    }

    /// A chain of `n` entries built exactly as `append` builds it.
    fn chain(n: i64) -> Vec<StoredRow> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let when = at(seq as u32);
                let text = format_ts(when);
                let note = format!("catatan {seq}");
                let new = NewEntry {
                    unit_id: 1,
                    training_id: Some(7),
                    actor_id: Some(2),
                    actor_name: "Budi",
                    actor_role: Some("jfu"),
                    action: "step.completed",
                    step_no: Some(seq),
                    round: Some(1),
                    note: Some(&note),
                    state_before: None,
                    state_after: Some("{}"),
                    at: when,
                };
                let hash = entry_hash(&prev, 1, seq, &new, &text);
                let row = StoredRow {
                    entry: AuditEntry {
                        id: 100 + seq,
                        seq,
                        training_id: Some(7),
                        actor_id: Some(2),
                        actor_name: "Budi".into(),
                        actor_role: Some("jfu".into()),
                        action: "step.completed".into(),
                        step_no: Some(seq),
                        round: Some(1),
                        note: Some(note.clone()),
                        state_before: None,
                        state_after: Some("{}".into()),
                        at: when,
                        prev_hash: prev.clone(),
                        hash: hash.clone(),
                    },
                    unit_id: 1,
                    at_text: text,
                };
                prev = hash;
                row
            })
            .collect()
    }

    fn head(rows: &[StoredRow]) -> String {
        rows.last()
            .map(|r| r.entry.hash.clone())
            .unwrap_or_else(|| GENESIS.into())
    }

    #[test]
    fn an_untouched_chain_is_intact_and_an_empty_one_too() {
        let rows = chain(4);
        assert_eq!(
            check_chain(&rows, 4, &head(&rows)),
            ChainCheck::Intact { entries: 4 }
        );
        assert_eq!(
            check_chain(&[], 0, GENESIS),
            ChainCheck::Intact { entries: 0 }
        );
    }

    #[test]
    fn an_edited_field_names_that_entry() {
        let mut rows = chain(4);
        let h = head(&rows);
        rows[2].entry.note = Some("diubah".into());
        match check_chain(&rows, 4, &h) {
            ChainCheck::Broken { seq, id, reason } => {
                assert_eq!((seq, id), (3, Some(103)));
                assert!(reason.contains("hash"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // A changed time text breaks it even when it means the same instant.
        let mut rows = chain(2);
        let h = head(&rows);
        rows[0].at_text = rows[0].at_text.replace(".000Z", "Z");
        assert!(matches!(
            check_chain(&rows, 2, &h),
            ChainCheck::Broken { seq: 1, .. }
        ));
    }

    #[test]
    fn a_deleted_entry_names_the_one_after_it_and_a_deleted_tail_names_the_gap() {
        let mut rows = chain(4);
        let h = head(&rows);
        rows.remove(1);
        match check_chain(&rows, 4, &h) {
            ChainCheck::Broken { seq, id, reason } => {
                assert_eq!((seq, id), (3, Some(103)));
                assert!(reason.contains("hilang"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let mut rows = chain(4);
        let h = head(&rows);
        rows.pop();
        assert!(matches!(
            check_chain(&rows, 4, &h),
            ChainCheck::Broken {
                seq: 4,
                id: None,
                ..
            }
        ));
    }

    #[test]
    fn a_rehashed_entry_is_caught_by_the_next_back_link() {
        // An attacker who edits a row and recomputes its hash still breaks the next prev_hash.
        let mut rows = chain(3);
        let h = head(&rows);
        rows[0].entry.note = Some("diubah".into());
        let e = &rows[0].entry;
        rows[0].entry.hash = entry_hash(
            GENESIS,
            1,
            1,
            &NewEntry {
                unit_id: 1,
                training_id: e.training_id,
                actor_id: e.actor_id,
                actor_name: &e.actor_name,
                actor_role: e.actor_role.as_deref(),
                action: &e.action,
                step_no: e.step_no,
                round: e.round,
                note: e.note.as_deref(),
                state_before: e.state_before.as_deref(),
                state_after: e.state_after.as_deref(),
                at: e.at,
            },
            &rows[0].at_text,
        );
        assert!(matches!(
            check_chain(&rows, 3, &h),
            ChainCheck::Broken {
                seq: 2,
                id: Some(102),
                ..
            }
        ));
    }
}
