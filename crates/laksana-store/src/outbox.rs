//! The outbox: mail queued in the same transaction as the change that causes it, then sent by
//! a worker (the `laksana-mail` crate) that claims rows under a lease.
//!
//! Claiming is one conditional `UPDATE … RETURNING` per row, so two workers (in one process or
//! on several servers sharing a PostgreSQL database) can never both hold the same mail: the
//! second UPDATE finds the lease taken and changes nothing. A worker that dies mid-send leaves
//! its lease to expire; the mail is then sent again, with the same Message-ID (derived from the
//! row id), so the recipient's mail system can recognise the duplicate.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::time::ts_col;
use crate::{format_ts, Backend, Result, Store, StoreError};

/// After this many failed attempts a mail is given up (`failed_at` set) until an admin re-queues it.
pub const MAX_MAIL_ATTEMPTS: i64 = 8;
/// The longest wait between two attempts, in minutes.
pub const MAX_MAIL_BACKOFF_MINUTES: i64 = 60;

/// A mail to queue. Borrowed, because callers build it from records they already hold.
#[derive(Clone, Debug)]
pub struct NewMail<'a> {
    pub unit_id: i64,
    /// What the mail is for, e.g. `undangan`, `pengingat`.
    pub kind: &'a str,
    pub to_address: &'a str,
    pub to_name: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: Option<&'a str>,
    /// When set, a second mail with the same key is not queued ("send this reminder once").
    pub dedup_key: Option<&'a str>,
    pub training_id: Option<i64>,
}

/// One row of the outbox.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OutboxMail {
    pub id: i64,
    pub unit_id: i64,
    pub kind: String,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub dedup_key: Option<String>,
    pub training_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    /// Finished attempts (sent or failed); a claim in progress is not counted yet.
    pub attempts: i64,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Set when the worker gave up.
    pub failed_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// Where a mail stands, in the words the admin page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailState {
    /// Queued, not tried yet.
    Antre,
    Dikirim,
    /// Tried and failed; will be tried again.
    Gagal {
        percobaan: i64,
    },
    /// Given up after [`MAX_MAIL_ATTEMPTS`]; only an admin's "Kirim ulang" queues it again.
    Menyerah,
}

impl fmt::Display for MailState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MailState::Antre => f.write_str("Antre"),
            MailState::Dikirim => f.write_str("Dikirim"),
            MailState::Gagal { percobaan } => write!(f, "Gagal (percobaan {percobaan})"),
            MailState::Menyerah => f.write_str("Menyerah"),
        }
    }
}

impl OutboxMail {
    pub fn state(&self) -> MailState {
        if self.sent_at.is_some() {
            MailState::Dikirim
        } else if self.failed_at.is_some() {
            MailState::Menyerah
        } else if self.attempts > 0 {
            MailState::Gagal {
                percobaan: self.attempts,
            }
        } else {
            MailState::Antre
        }
    }
}

/// The wait before the next attempt after `attempts` failures: 1, 2, 4, … minutes, at most 60.
pub fn mail_backoff(attempts: i64) -> Duration {
    let exp = (attempts.max(1) - 1).min(30) as u32;
    Duration::minutes((1i64 << exp).min(MAX_MAIL_BACKOFF_MINUTES))
}

const COLUMNS: &str = "id, unit_id, kind, to_address, to_name, subject, body_text, body_html,
    dedup_key, training_id, created_at, next_attempt_at, attempts, claimed_by, claimed_until,
    sent_at, failed_at, last_error";

fn required_ts(row: &AnyRow, col: &'static str) -> Result<DateTime<Utc>> {
    ts_col(row.try_get(col)?).ok_or_else(|| StoreError::CorruptDefinition(format!("outbox.{col}")))
}

fn mail_from_row(row: &AnyRow) -> Result<OutboxMail> {
    Ok(OutboxMail {
        id: row.try_get("id")?,
        unit_id: row.try_get("unit_id")?,
        kind: row.try_get("kind")?,
        to_address: row.try_get("to_address")?,
        to_name: row.try_get("to_name")?,
        subject: row.try_get("subject")?,
        body_text: row.try_get("body_text")?,
        body_html: row.try_get("body_html")?,
        dedup_key: row.try_get("dedup_key")?,
        training_id: row.try_get("training_id")?,
        created_at: required_ts(row, "created_at")?,
        next_attempt_at: required_ts(row, "next_attempt_at")?,
        attempts: row.try_get("attempts")?,
        claimed_by: row.try_get("claimed_by")?,
        claimed_until: ts_col(row.try_get("claimed_until")?),
        sent_at: ts_col(row.try_get("sent_at")?),
        failed_at: ts_col(row.try_get("failed_at")?),
        last_error: row.try_get("last_error")?,
    })
}

/// The shape of an address: `local@domain`, no spaces, brackets or line breaks. Deliverability
/// is the SMTP server's to judge; this only keeps typos and header injection out of the queue.
pub fn valid_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| {
                c.is_ascii_graphic()
                    && !matches!(
                        c,
                        '<' | '>' | '(' | ')' | ',' | ';' | ':' | '"' | '[' | ']' | '\\' | '@'
                    )
            })
    };
    plain(local)
        && plain(domain)
        && !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

fn check_mail(mail: &NewMail<'_>) -> Result<()> {
    let address = mail.to_address.trim();
    if !valid_email(address) {
        return Err(StoreError::invalid(
            "email",
            format!("Alamat surel \"{address}\" tidak sah; tulis seperti nama@contoh.go.id."),
        ));
    }
    // A line break in a header would let the text start a new header.
    for (field, value, label) in [
        ("to_name", mail.to_name, "Nama penerima"),
        ("subject", mail.subject, "Perihal surel"),
    ] {
        if value.contains(['\r', '\n']) {
            return Err(StoreError::invalid(
                field,
                format!("{label} tidak boleh berisi baris baru."),
            ));
        }
    }
    if mail.subject.trim().is_empty() {
        return Err(StoreError::invalid(
            "subject",
            "Perihal surel tidak boleh kosong.",
        ));
    }
    Ok(())
}

/// Queues a mail inside the caller's transaction, so it is sent exactly when the change that
/// causes it commits. `None` when a mail with the same `dedup_key` is already queued (or sent):
/// `ON CONFLICT DO NOTHING` raises no error, so the caller's transaction stays usable.
pub async fn enqueue_mail(
    conn: &mut AnyConnection,
    mail: &NewMail<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    check_mail(mail)?;
    let at = format_ts(now);
    let row = sqlx::query(
        "INSERT INTO outbox (unit_id, kind, to_address, to_name, subject, body_text, body_html,
            dedup_key, training_id, created_at, next_attempt_at, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 0)
         ON CONFLICT (dedup_key) DO NOTHING
         RETURNING id",
    )
    .bind(mail.unit_id)
    .bind(mail.kind)
    .bind(mail.to_address.trim())
    .bind(mail.to_name.trim())
    .bind(mail.subject)
    .bind(mail.body_text)
    .bind(mail.body_html)
    .bind(mail.dedup_key)
    .bind(mail.training_id)
    .bind(at)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get("id").map_err(StoreError::from))
        .transpose()
}

impl Store {
    /// [`enqueue_mail`] in a transaction of its own, for mail that has no other change to ride with.
    pub async fn enqueue_mail(
        &self,
        mail: &NewMail<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let id = enqueue_mail(&mut tx, mail, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims up to `limit` due mails for `worker` until `now + lease`.
    ///
    /// Due: not sent, not given up, `next_attempt_at` reached, and no lease or an expired one.
    pub async fn claim_mail(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<OutboxMail>> {
        let at = format_ts(now);
        let until = format_ts(now + lease);
        match self.backend {
            Backend::Postgres => {
                self.claim_mail_skip_locked(worker, &at, &until, limit)
                    .await
            }
            Backend::Sqlite => self.claim_mail_one_by_one(worker, &at, &until, limit).await,
        }
    }

    /// PostgreSQL: one statement. `FOR UPDATE SKIP LOCKED` lets a second server's worker pass over
    /// the rows the first is claiming and take the next ones, instead of waiting for them and
    /// then finding them taken; the lease columns still keep a row from being sent twice.
    async fn claim_mail_skip_locked(
        &self,
        worker: &str,
        at: &str,
        until: &str,
        limit: i64,
    ) -> Result<Vec<OutboxMail>> {
        let rows = sqlx::query(&format!(
            "UPDATE outbox SET claimed_by = $1, claimed_until = $2
             WHERE id IN (
                SELECT id FROM outbox
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $3
                   AND (claimed_until IS NULL OR claimed_until <= $3)
                 ORDER BY next_attempt_at, id
                 LIMIT $4
                 FOR UPDATE SKIP LOCKED)
             RETURNING {COLUMNS}"
        ))
        .bind(worker)
        .bind(until)
        .bind(at)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = rows.iter().map(mail_from_row).collect::<Result<Vec<_>>>()?;
        // RETURNING has no order; send in the order the rows fell due.
        claimed.sort_by_key(|m| (m.next_attempt_at, m.id));
        Ok(claimed)
    }

    /// SQLite (one writer, no row locks): the SELECT only proposes candidates; each is taken by
    /// an UPDATE that repeats the conditions, so a row another worker took in between is
    /// skipped, never shared.
    async fn claim_mail_one_by_one(
        &self,
        worker: &str,
        at: &str,
        until: &str,
        limit: i64,
    ) -> Result<Vec<OutboxMail>> {
        let candidates: Vec<i64> = sqlx::query(
            "SELECT id FROM outbox
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
               AND (claimed_until IS NULL OR claimed_until <= $1)
             ORDER BY next_attempt_at, id
             LIMIT $2",
        )
        .bind(at)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
        let mut claimed = Vec::with_capacity(candidates.len());
        for id in candidates {
            let row = sqlx::query(&format!(
                "UPDATE outbox SET claimed_by = $1, claimed_until = $2
                 WHERE id = $3 AND sent_at IS NULL AND failed_at IS NULL
                   AND next_attempt_at <= $4
                   AND (claimed_until IS NULL OR claimed_until <= $4)
                 RETURNING {COLUMNS}"
            ))
            .bind(worker)
            .bind(until)
            .bind(id)
            .bind(at)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(row) = row {
                claimed.push(mail_from_row(&row)?);
            }
        }
        Ok(claimed)
    }

    /// Records a delivered mail. Delivered is a fact even if this worker's lease ran out
    /// meanwhile, so only "not sent yet" is required. False when it was already marked sent.
    ///
    /// A delivered undangan is the dispatch's proof (step 7 may finish on it), so it goes into
    /// the unit's audit chain in the same transaction; that also moves the unit's audit head,
    /// which is what tells the kept training pages on every server to read it again.
    pub async fn mail_sent(&self, id: i64, worker: &str, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE outbox SET sent_at = $1, attempts = attempts + 1,
                claimed_by = NULL, claimed_until = NULL
             WHERE id = $2 AND sent_at IS NULL",
        )
        .bind(format_ts(now))
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            tracing::warn!(id, worker, "surel sudah tercatat terkirim sebelumnya");
            return Ok(false);
        }
        let dispatch = sqlx::query(
            "SELECT d.unit_id, r.training_id, r.region_name, o.to_address
             FROM dispatches d JOIN recipients r ON r.id = d.recipient_id
             JOIN outbox o ON o.id = d.mail_id
             WHERE d.mail_id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(d) = dispatch {
            let note = format!(
                "Undangan untuk {} terkirim lewat surel ke {}",
                d.try_get::<String, _>("region_name")?,
                d.try_get::<String, _>("to_address")?
            );
            let entry = crate::audit::unit_entry(
                d.try_get("unit_id")?,
                None,
                "dispatch.mail_sent",
                &note,
                now,
            );
            crate::audit::append(
                &mut tx,
                crate::audit::NewEntry {
                    training_id: Some(d.try_get("training_id")?),
                    actor_name: "Sistem (surel)",
                    ..entry
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Records a failed attempt: the next one waits 1, 2, 4, … minutes (at most 60); after
    /// [`MAX_MAIL_ATTEMPTS`] the mail is given up. Only the lease holder may record it, so a
    /// slow worker whose lease passed to another cannot overwrite that one's outcome.
    /// Returns the row as it now stands, or None when this worker no longer held it.
    pub async fn mail_failed(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OutboxMail>> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1,
                claimed_by = NULL, claimed_until = NULL
             WHERE id = $2 AND claimed_by = $3 AND sent_at IS NULL AND failed_at IS NULL
             RETURNING attempts",
        )
        .bind(truncate(error, 1000))
        .bind(id)
        .bind(worker)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let attempts: i64 = row.try_get("attempts")?;
        let row = if attempts >= MAX_MAIL_ATTEMPTS {
            sqlx::query(&format!(
                "UPDATE outbox SET failed_at = $1 WHERE id = $2 RETURNING {COLUMNS}"
            ))
            .bind(format_ts(now))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
        } else {
            sqlx::query(&format!(
                "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 RETURNING {COLUMNS}"
            ))
            .bind(format_ts(now + mail_backoff(attempts)))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?
        };
        let mail = mail_from_row(&row)?;
        tx.commit().await?;
        Ok(Some(mail))
    }

    /// The unit's latest mails, newest first.
    pub async fn outbox_of_unit(&self, unit_id: i64, limit: i64) -> Result<Vec<OutboxMail>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE unit_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(unit_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(mail_from_row).collect()
    }

    /// One mail of the unit.
    pub async fn outbox_mail(&self, unit_id: i64, id: i64) -> Result<OutboxMail> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE unit_id = $1 AND id = $2"
        ))
        .bind(unit_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("surel"))?;
        mail_from_row(&row)
    }

    /// Mails still to be sent (not sent, not given up), across all units: the worker's backlog.
    pub async fn outbox_depth(&self) -> Result<i64> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        Ok(n)
    }

    /// An admin queues a given-up mail again, with a fresh set of attempts.
    pub async fn retry_mail(&self, unit_id: i64, id: i64, now: DateTime<Utc>) -> Result<()> {
        let done = sqlx::query(
            "UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = $1,
                claimed_by = NULL, claimed_until = NULL
             WHERE id = $2 AND unit_id = $3 AND failed_at IS NOT NULL AND sent_at IS NULL",
        )
        .bind(format_ts(now))
        .bind(id)
        .bind(unit_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if done == 0 {
            // Tell apart "no such mail" from "not given up" so the page can say which.
            self.outbox_mail(unit_id, id).await?;
            return Err(StoreError::refused(
                "mail_not_given_up",
                "Surel ini tidak dalam keadaan menyerah; hanya surel yang menyerah dapat dikirim ulang.",
            ));
        }
        Ok(())
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_minute_up_to_an_hour() {
        let minutes: Vec<i64> = (1..=9).map(|n| mail_backoff(n).num_minutes()).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn address_shapes() {
        for ok in [
            "a@b.id",
            "peserta.satu+x@blk-contoh.go.id",
            "root@localhost",
        ] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@b.id",
            "a b@c.id",
            "a@b..id",
            "a@.b",
            "a@b.id\r\nBcc: x@y.z",
            "<a@b.id>",
            "a@b@c.id",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
