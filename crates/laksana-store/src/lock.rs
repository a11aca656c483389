//! Serialising "read the last number, write the next one" on PostgreSQL.
//!
//! Several tables number their rows themselves: `INSERT … SELECT COALESCE(MAX(n), 0) + 1`. On
//! SQLite that statement runs under the one write lock, so it is atomic. On PostgreSQL two
//! transactions can read the same MAX at once and the second then fails on the unique
//! constraint; correct, but a user would get an error for a race that is not theirs. So, on
//! PostgreSQL, such a transaction first takes a transaction-scoped advisory lock for the
//! sequence it extends, and a concurrent one waits and then reads the new MAX (each statement
//! of a READ COMMITTED transaction reads afresh). The lock is taken before the sequence's
//! statement and is released at commit or rollback. Where a row is already locked first (the
//! register counter, `units.audit_seq`, the unit row before a unit profile) no extra lock is
//! needed.

use sqlx::AnyConnection;

use crate::Result;

/// A sequence numbered with `MAX + 1`, and whose it is.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sequence {
    /// `replies.agenda_seq`, per unit (and year).
    ReplyAgenda { unit_id: i64 },
    /// `nominations.seq`, the arrival order within a training.
    Nominations { training_id: i64 },
    /// `work_plans.version` of a training.
    WorkPlan { training_id: i64 },
    /// `reports.version` of a training.
    Report { training_id: i64 },
    /// `letter_templates.version`, per unit.
    LetterTemplate { unit_id: i64 },
}

impl Sequence {
    /// One 64-bit advisory lock key: the kind in the top byte, the owner's id below it, so two
    /// kinds never share a key and the locks cannot collide with another kind's ids.
    fn key(self) -> i64 {
        let (kind, id) = match self {
            Sequence::ReplyAgenda { unit_id } => (1, unit_id),
            Sequence::Nominations { training_id } => (2, training_id),
            Sequence::WorkPlan { training_id } => (3, training_id),
            Sequence::Report { training_id } => (4, training_id),
            Sequence::LetterTemplate { unit_id } => (5, unit_id),
        };
        (kind << 56) | (id & ((1 << 56) - 1))
    }
}

/// Waits until no other transaction extends `sequence`, and holds it until this one ends.
/// A no-op on SQLite, whose write lock already serialises every writer. Call it inside the
/// transaction (outside one the lock would end with the statement).
pub(crate) async fn serialise(conn: &mut AnyConnection, sequence: Sequence) -> Result<()> {
    if conn.backend_name() != "PostgreSQL" {
        return Ok(());
    }
    // pg_advisory_xact_lock returns void, which sqlx's Any driver cannot decode: count its row.
    sqlx::query("SELECT COUNT(*) AS n FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
        .bind(sequence.key())
        .fetch_one(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Sequence;

    #[test]
    fn keys_of_different_kinds_or_owners_differ() {
        let keys = [
            Sequence::ReplyAgenda { unit_id: 1 }.key(),
            Sequence::Nominations { training_id: 1 }.key(),
            Sequence::Nominations { training_id: 2 }.key(),
            Sequence::WorkPlan { training_id: 1 }.key(),
            Sequence::Report { training_id: 1 }.key(),
            Sequence::LetterTemplate { unit_id: 1 }.key(),
        ];
        let mut unique = keys.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), keys.len());
        assert!(keys.iter().all(|k| *k > 0));
    }
}
