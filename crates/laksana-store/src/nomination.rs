//! Invitations out, nominations in: who was invited (recipients, with their quota), how the
//! undangan reached them (the buku ekspedisi), what they answered (the agenda surat masuk) and
//! whom they nominated. Every change commits with its audit entry.
//!
//! The participant record itself is JSON here: its fields and checks belong to the pure
//! `laksana-nomination` crate, so the store only keeps the NIK and the name as columns (for
//! duplicate searches and sorting) beside the document.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::audit::{self, NewEntry};
use crate::lock::{self, Sequence};
use crate::time::ts_col;
use crate::{format_ts, Result, Store, StoreError, Unit, User};

/// The SOP step at which the undangan go out (step 7 of Laksana's copy, 6 of the seed).
pub const DISTRIBUTION_STEP_KEY: &str = "distribusi-undangan";
/// The SOP step at which the replies come in; due at the work plan's reply deadline.
pub const REPLY_STEP_KEY: &str = "terima-jawaban";
/// Guard: every invited Kabupaten/Kota has a proof of dispatch or is marked failed.
pub const DISPATCH_ARTIFACT: &str = "bukti-distribusi";
/// Guard: at least one candidate was nominated.
pub const CANDIDATES_ARTIFACT: &str = "calon-peserta";

/// How an undangan was sent.
pub const DISPATCH_METHODS: [(&str, &str); 5] = [
    ("pos", "Pos"),
    ("kurir", "Kurir"),
    ("email", "E-mail"),
    ("srikandi", "SRIKANDI"),
    ("langsung", "Diantar langsung"),
];

/// What proves that it arrived (or was sent).
pub const PROOF_KINDS: [(&str, &str); 3] = [
    ("tanda-terima", "Tanda terima"),
    ("bukti-kirim", "Bukti kirim"),
    ("konfirmasi", "Konfirmasi penerima"),
];

pub fn method_label(key: &str) -> &str {
    DISPATCH_METHODS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, l)| l)
}

pub fn proof_label(key: &str) -> &str {
    PROOF_KINDS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, l)| l)
}

/// One region row as loaded: code without dots, its parent, level and name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RegionRow {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: String,
    pub name: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct RegionLoad {
    pub source: String,
    pub provinces: i64,
    pub regencies: i64,
    pub loaded_at: DateTime<Utc>,
}

/// An invited Kabupaten/Kota to add.
#[derive(Clone, Debug, Default)]
pub struct NewRecipient {
    pub region_code: String,
    pub region_name: String,
    pub quota: u32,
    pub addressee: String,
    pub email: String,
    pub telephone: String,
    pub contact_name: String,
}

/// An invited Kabupaten/Kota with where its undangan and its reply stand.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Recipient {
    pub id: i64,
    pub training_id: i64,
    pub region_code: String,
    pub region_name: String,
    pub quota: u32,
    pub addressee: String,
    pub email: String,
    pub telephone: String,
    pub contact_name: String,
    pub has_link: bool,
    /// The newest dispatch, which supersedes earlier ones.
    pub dispatch: Option<Dispatch>,
    pub replies: i64,
    pub nominations: i64,
    pub first_reply_at: Option<DateTime<Utc>>,
}

/// Where a recipient's undangan stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum DispatchState {
    /// Not sent yet.
    NotSent,
    /// Sent, without a proof yet.
    AwaitingProof,
    /// Sent, with a tanda terima, bukti kirim or confirmation (or a delivered e-mail).
    Proven,
    /// Could not be delivered; the reason is recorded.
    Failed,
}

impl DispatchState {
    pub fn label(self) -> &'static str {
        match self {
            DispatchState::NotSent => "Belum dikirim",
            DispatchState::AwaitingProof => "Belum ada bukti",
            DispatchState::Proven => "Ada bukti",
            DispatchState::Failed => "Gagal",
        }
    }
    /// Whether step 7 may complete as far as this recipient is concerned.
    pub fn is_settled(self) -> bool {
        matches!(self, DispatchState::Proven | DispatchState::Failed)
    }
}

impl Recipient {
    pub fn dispatch_state(&self) -> DispatchState {
        match &self.dispatch {
            None => DispatchState::NotSent,
            Some(d) if d.failed_reason.is_some() => DispatchState::Failed,
            Some(d) if d.has_proof() => DispatchState::Proven,
            Some(_) => DispatchState::AwaitingProof,
        }
    }
    pub fn has_replied(&self) -> bool {
        self.replies > 0 || self.nominations > 0
    }
}

/// A dispatch to record.
#[derive(Clone, Debug, Default)]
pub struct NewDispatch {
    pub method: String,
    pub sent_at: DateTime<Utc>,
    pub reference: String,
    pub proof_kind: Option<String>,
    pub proof_note: String,
    pub proof_file: Option<UploadedFile>,
    pub failed_reason: Option<String>,
}

/// An e-mail the web layer words; the store queues it with the change that causes it.
#[derive(Clone, Debug, Default)]
pub struct MailDraft {
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub body_text: String,
}

/// A file someone uploaded, already checked by the caller for size and content.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    pub name: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// One line of the buku ekspedisi.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Dispatch {
    pub id: i64,
    pub recipient_id: i64,
    pub region_name: String,
    pub addressee: String,
    pub method: String,
    pub sent_at: DateTime<Utc>,
    pub reference: String,
    pub proof_kind: Option<String>,
    pub proof_note: String,
    pub proof_name: Option<String>,
    pub proof_sha256: Option<String>,
    pub failed_reason: Option<String>,
    pub mail_id: Option<i64>,
    /// When the outbox delivered the e-mail that carried it.
    pub mail_sent_at: Option<DateTime<Utc>>,
    pub recorded_by_name: String,
    pub recorded_at: DateTime<Utc>,
}

impl Dispatch {
    pub fn has_proof(&self) -> bool {
        self.proof_kind.is_some() || self.mail_sent_at.is_some()
    }
}

/// A reply letter to register in the agenda surat masuk.
#[derive(Clone, Debug, Default)]
pub struct NewReply {
    pub letter_number: String,
    pub letter_date: Option<NaiveDate>,
    pub subject: String,
    pub file: Option<UploadedFile>,
    pub via: &'static str,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Reply {
    pub id: i64,
    pub training_id: i64,
    pub recipient_id: i64,
    pub region_name: String,
    pub agenda_year: i32,
    pub agenda_seq: i64,
    pub letter_number: String,
    pub letter_date: Option<NaiveDate>,
    pub received_at: DateTime<Utc>,
    pub subject: String,
    pub file_name: Option<String>,
    pub file_sha256: Option<String>,
    pub via: String,
    pub recorded_by_name: String,
}

/// A candidate to add: the NIK and name as columns, the whole record as JSON.
#[derive(Clone, Debug)]
pub struct NewNomination {
    pub nik: String,
    pub nama: String,
    pub data: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Nomination {
    pub id: i64,
    pub training_id: i64,
    pub recipient_id: i64,
    pub reply_id: Option<i64>,
    pub seq: i64,
    pub nik: String,
    pub nama: String,
    pub data: String,
    pub via: String,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The same NIK nominated for another training of the unit in the same year.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ElsewhereNomination {
    pub nik: String,
    pub training_id: i64,
    pub training_title: String,
}

/// Who is acting: a signed-in user, or the operator of a Kabupaten/Kota through its link.
#[derive(Clone, Copy, Debug)]
pub enum Actor<'a> {
    User(&'a User),
    Link { recipient: &'a Recipient },
}

impl Actor<'_> {
    fn id(&self) -> Option<i64> {
        match self {
            Actor::User(u) => Some(u.id),
            Actor::Link { .. } => None,
        }
    }
    fn name(&self) -> String {
        match self {
            Actor::User(u) => u.full_name.clone(),
            Actor::Link { recipient } => {
                format!("Operator {} (tautan undangan)", recipient.region_name)
            }
        }
    }
    fn via(&self, default: &'static str) -> &'static str {
        match self {
            Actor::User(_) => default,
            Actor::Link { .. } => "tautan",
        }
    }
}

/// A recipient reached through its link: which unit and training it belongs to.
#[derive(Clone, Debug)]
pub struct LinkScope {
    pub unit_id: i64,
    pub recipient: Recipient,
}

/// The mapping a unit used for a spreadsheet, and a file waiting for its preview to be accepted.
#[derive(Clone, Debug)]
pub struct PendingImport {
    pub id: i64,
    pub recipient_id: i64,
    pub file_name: String,
    pub file: Vec<u8>,
    pub saved: bool,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct RosterConfirmation {
    pub id: i64,
    pub snapshot: String,
    pub confirmed_by_name: String,
    pub confirmed_at: DateTime<Utc>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The secret of an operator's link: 32 random bytes, written as 64 hex digits.
fn new_link_secret() -> String {
    crate::random_hex(32)
}

fn email_ok(email: &str) -> bool {
    let email = email.trim();
    if email.is_empty() {
        return true;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// When recipient `r` first answered: its first reply letter or its first candidate still
/// standing (entered by the Staf or by the Kabupaten/Kota through its link), whichever is
/// earlier, as [`Recipient::has_replied`] counts them. The replies page and the dashboard both
/// read it, so they never disagree on who has answered.
macro_rules! first_reply_sql {
    () => {
        "(SELECT MIN(f.at) FROM (
            SELECT rp.received_at AS at FROM replies rp WHERE rp.recipient_id = r.id
            UNION ALL SELECT n.created_at FROM nominations n
                WHERE n.recipient_id = r.id AND n.withdrawn_at IS NULL) f)"
    };
}
pub(crate) use first_reply_sql;

const RECIPIENT_COLUMNS: &str = concat!(
    "r.id, r.training_id, r.region_code, r.region_name, r.quota, r.addressee,
    r.email, r.telephone, r.contact_name, r.token_hash,
    (SELECT COUNT(*) FROM replies rp WHERE rp.recipient_id = r.id) AS reply_count,
    (SELECT COUNT(*) FROM nominations n WHERE n.recipient_id = r.id AND n.withdrawn_at IS NULL) AS nomination_count,
    ",
    first_reply_sql!(),
    " AS first_reply_at"
);

fn recipient_from_row(row: &sqlx::any::AnyRow) -> Result<Recipient> {
    Ok(Recipient {
        id: row.try_get("id")?,
        training_id: row.try_get("training_id")?,
        region_code: row.try_get("region_code")?,
        region_name: row.try_get("region_name")?,
        quota: row.try_get::<i64, _>("quota")?.max(0) as u32,
        addressee: row.try_get("addressee")?,
        email: row.try_get("email")?,
        telephone: row.try_get("telephone")?,
        contact_name: row.try_get("contact_name")?,
        has_link: row.try_get::<Option<String>, _>("token_hash")?.is_some(),
        dispatch: None,
        replies: row.try_get("reply_count")?,
        nominations: row.try_get("nomination_count")?,
        first_reply_at: ts_col(row.try_get("first_reply_at")?),
    })
}

const DISPATCH_COLUMNS: &str = "d.id, d.recipient_id, r.region_name, r.addressee, d.method, d.sent_at,
    d.reference, d.proof_kind, d.proof_note, d.proof_name, d.proof_sha256, d.failed_reason, d.mail_id,
    (SELECT o.sent_at FROM outbox o WHERE o.id = d.mail_id) AS mail_sent_at,
    COALESCE(u.full_name, '') AS recorded_by_name, d.recorded_at";

fn dispatch_from_row(row: &sqlx::any::AnyRow) -> Result<Dispatch> {
    Ok(Dispatch {
        id: row.try_get("id")?,
        recipient_id: row.try_get("recipient_id")?,
        region_name: row.try_get("region_name")?,
        addressee: row.try_get("addressee")?,
        method: row.try_get("method")?,
        sent_at: ts_col(row.try_get("sent_at")?).unwrap_or_default(),
        reference: row.try_get("reference")?,
        proof_kind: row.try_get("proof_kind")?,
        proof_note: row.try_get("proof_note")?,
        proof_name: row.try_get("proof_name")?,
        proof_sha256: row.try_get("proof_sha256")?,
        failed_reason: row.try_get("failed_reason")?,
        mail_id: row.try_get("mail_id")?,
        mail_sent_at: ts_col(row.try_get("mail_sent_at")?),
        recorded_by_name: row.try_get("recorded_by_name")?,
        recorded_at: ts_col(row.try_get("recorded_at")?).unwrap_or_default(),
    })
}

const REPLY_COLUMNS: &str = "rp.id, rp.training_id, rp.recipient_id, r.region_name, rp.agenda_year,
    rp.agenda_seq, rp.letter_number, rp.letter_date, rp.received_at, rp.subject, rp.file_name,
    rp.file_sha256, rp.via, COALESCE(u.full_name, '') AS recorded_by_name";

fn reply_from_row(row: &sqlx::any::AnyRow) -> Result<Reply> {
    Ok(Reply {
        id: row.try_get("id")?,
        training_id: row.try_get("training_id")?,
        recipient_id: row.try_get("recipient_id")?,
        region_name: row.try_get("region_name")?,
        agenda_year: row.try_get::<i64, _>("agenda_year")? as i32,
        agenda_seq: row.try_get("agenda_seq")?,
        letter_number: row.try_get("letter_number")?,
        letter_date: row
            .try_get::<Option<String>, _>("letter_date")?
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        received_at: ts_col(row.try_get("received_at")?).unwrap_or_default(),
        subject: row.try_get("subject")?,
        file_name: row.try_get("file_name")?,
        file_sha256: row.try_get("file_sha256")?,
        via: row.try_get("via")?,
        recorded_by_name: row.try_get("recorded_by_name")?,
    })
}

const NOMINATION_COLUMNS: &str =
    "id, training_id, recipient_id, reply_id, seq, nik, nama, data, via,
    withdrawn_at, withdrawn_reason, created_at, updated_at";

fn nomination_from_row(row: &sqlx::any::AnyRow) -> Result<Nomination> {
    Ok(Nomination {
        id: row.try_get("id")?,
        training_id: row.try_get("training_id")?,
        recipient_id: row.try_get("recipient_id")?,
        reply_id: row.try_get("reply_id")?,
        seq: row.try_get("seq")?,
        nik: row.try_get("nik")?,
        nama: row.try_get("nama")?,
        data: row.try_get("data")?,
        via: row.try_get("via")?,
        withdrawn_at: ts_col(row.try_get("withdrawn_at")?),
        withdrawn_reason: row.try_get("withdrawn_reason")?,
        created_at: ts_col(row.try_get("created_at")?).unwrap_or_default(),
        updated_at: ts_col(row.try_get("updated_at")?).unwrap_or_default(),
    })
}

struct Audit<'a> {
    unit_id: i64,
    training_id: i64,
    actor: Actor<'a>,
    role: Option<&'a str>,
    action: &'a str,
    note: &'a str,
    after: Option<&'a str>,
    at: DateTime<Utc>,
}

async fn log(conn: &mut AnyConnection, a: Audit<'_>) -> Result<()> {
    let name = a.actor.name();
    audit::append(
        conn,
        NewEntry {
            unit_id: a.unit_id,
            training_id: Some(a.training_id),
            actor_id: a.actor.id(),
            actor_name: &name,
            actor_role: a.role,
            action: a.action,
            step_no: None,
            round: None,
            note: Some(a.note),
            state_before: None,
            state_after: a.after,
            at: a.at,
        },
    )
    .await
}

impl Store {
    // ----- regions -----

    /// Replaces the region table with `rows` in one transaction, noting the source.
    pub async fn load_regions(
        &self,
        rows: &[RegionRow],
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<RegionLoad> {
        let provinces = rows.iter().filter(|r| r.level == "provinsi").count() as i64;
        let regencies = rows.len() as i64 - provinces;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM regions").execute(&mut *tx).await?;
        for r in rows {
            sqlx::query(
                "INSERT INTO regions (code, parent_code, level, name) VALUES ($1, $2, $3, $4)",
            )
            .bind(&r.code)
            .bind(&r.parent_code)
            .bind(&r.level)
            .bind(&r.name)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO region_loads (source, provinces, regencies, loaded_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(source)
        .bind(provinces)
        .bind(regencies)
        .bind(format_ts(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(RegionLoad {
            source: source.to_string(),
            provinces,
            regencies,
            loaded_at: now,
        })
    }

    /// The load in force, if regions were ever loaded.
    pub async fn region_load(&self) -> Result<Option<RegionLoad>> {
        let row = sqlx::query(
            "SELECT source, provinces, regencies, loaded_at FROM region_loads ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(RegionLoad {
                source: r.try_get("source")?,
                provinces: r.try_get("provinces")?,
                regencies: r.try_get("regencies")?,
                loaded_at: ts_col(r.try_get("loaded_at")?).unwrap_or_default(),
            })
        })
        .transpose()
    }

    /// Provinces (parent `None`) or the kabupaten/kota of a province, by code.
    pub async fn regions_under(&self, parent: Option<&str>) -> Result<Vec<RegionRow>> {
        let rows = match parent {
            None => {
                sqlx::query(
                    "SELECT code, parent_code, level, name FROM regions WHERE level = 'provinsi' ORDER BY code",
                )
                .fetch_all(&self.pool)
                .await?
            }
            Some(p) => {
                sqlx::query(
                    "SELECT code, parent_code, level, name FROM regions WHERE parent_code = $1 ORDER BY code",
                )
                .bind(p)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok(RegionRow {
                    code: r.try_get("code")?,
                    parent_code: r.try_get("parent_code")?,
                    level: r.try_get("level")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    pub async fn region(&self, code: &str) -> Result<Option<RegionRow>> {
        let code = code.trim().replace('.', "");
        let row = sqlx::query("SELECT code, parent_code, level, name FROM regions WHERE code = $1")
            .bind(&code)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(RegionRow {
                code: r.try_get("code")?,
                parent_code: r.try_get("parent_code")?,
                level: r.try_get("level")?,
                name: r.try_get("name")?,
            })
        })
        .transpose()
    }

    // ----- who may act -----

    /// The training, if its active step is one of `keys` and `user` holds that step's role.
    async fn at_step(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        keys: &[&str],
        what: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let detail = self.training_detail(unit.id, training_id).await?;
        let step = detail
            .active_run()
            .and_then(|run| detail.definition.step(run.step_no as u32))
            .filter(|s| keys.contains(&s.key.as_str()))
            .ok_or_else(|| StoreError::Refused {
                code: "wrong_step",
                message: format!("{what} hanya dapat dilakukan selama langkah distribusi undangan atau penerimaan jawaban berjalan."),
            })?;
        let today = now.with_timezone(&unit.zone.offset()).date_naive();
        if !user.roles_on(unit.id, today).contains(&step.pelaksana) {
            let role = detail
                .definition
                .role(&step.pelaksana)
                .map_or(step.pelaksana.clone(), |r| r.name.clone());
            return Err(StoreError::Engine(laksana_engine::EngineError::WrongRole {
                step: step.number,
                required: role,
            }));
        }
        Ok(step.pelaksana.clone())
    }

    // ----- recipients -----

    /// Invites the given Kabupaten/Kota (step 7). One already invited is refused by name.
    pub async fn add_recipients(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        recipients: &[NewRecipient],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let role = self
            .at_step(
                unit,
                user,
                training_id,
                &[DISTRIBUTION_STEP_KEY],
                "Menambah tujuan undangan",
                now,
            )
            .await?;
        for (i, r) in recipients.iter().enumerate() {
            if r.region_code.trim().is_empty() || r.region_name.trim().is_empty() {
                return Err(StoreError::Invalid {
                    field: "region_code",
                    message: format!("Baris {}: pilih Kabupaten/Kota tujuan.", i + 1),
                });
            }
            if !email_ok(&r.email) {
                return Err(StoreError::Invalid {
                    field: "email",
                    message: format!(
                        "{}: alamat e-mail \"{}\" tidak sah.",
                        r.region_name, r.email
                    ),
                });
            }
        }
        let existing = self.recipients(unit.id, training_id).await?;
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::new();
        for r in recipients {
            let code = r.region_code.trim().replace('.', "");
            if let Some(e) = existing.iter().find(|e| e.region_code == code) {
                return Err(StoreError::Invalid {
                    field: "region_code",
                    message: format!("{} sudah ada dalam daftar tujuan.", e.region_name),
                });
            }
            let addressee = if r.addressee.trim().is_empty() {
                format!(
                    "Kepala Dinas yang membidangi ketenagakerjaan {}",
                    r.region_name
                )
            } else {
                r.addressee.trim().to_string()
            };
            // A region taken off the list (before anything was sent to it) keeps its row, so
            // adding it again brings that row back with the new quota and contact, and without
            // its old link: a new one is issued when the undangan goes out again.
            let back = sqlx::query(
                "UPDATE recipients SET removed_at = NULL, token_hash = NULL, region_name = $1,
                    quota = $2, addressee = $3, email = $4, telephone = $5, contact_name = $6
                 WHERE unit_id = $7 AND training_id = $8 AND region_code = $9
                   AND removed_at IS NOT NULL
                 RETURNING id",
            )
            .bind(r.region_name.trim())
            .bind(i64::from(r.quota))
            .bind(&addressee)
            .bind(r.email.trim())
            .bind(r.telephone.trim())
            .bind(r.contact_name.trim())
            .bind(unit.id)
            .bind(training_id)
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = back {
                ids.push(row.try_get::<i64, _>("id")?);
                continue;
            }
            let row = sqlx::query(
                "INSERT INTO recipients (unit_id, training_id, region_code, region_name, quota, addressee,
                    email, telephone, contact_name, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(unit.id)
            .bind(training_id)
            .bind(&code)
            .bind(r.region_name.trim())
            .bind(i64::from(r.quota))
            .bind(&addressee)
            .bind(r.email.trim())
            .bind(r.telephone.trim())
            .bind(r.contact_name.trim())
            .bind(user.id)
            .bind(format_ts(now))
            .fetch_one(&mut *tx)
            .await;
            let row = match row {
                Ok(row) => row,
                Err(e) if StoreError::is_unique_violation(&e, "uq_recipient_region") => {
                    return Err(StoreError::Invalid {
                        field: "region_code",
                        message: format!("{} sudah ada dalam daftar tujuan.", r.region_name),
                    })
                }
                Err(e) => return Err(e.into()),
            };
            ids.push(row.try_get::<i64, _>("id")?);
        }
        let names: Vec<String> = recipients
            .iter()
            .map(|r| format!("{} (kuota {})", r.region_name.trim(), r.quota))
            .collect();
        log(
            &mut tx,
            Audit {
                unit_id: unit.id,
                training_id,
                actor: Actor::User(user),
                role: Some(&role),
                action: "recipient.added",
                note: &format!("Tujuan undangan: {}", names.join(", ")),
                after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Changes a recipient's quota and contact (step 7 or 8).
    pub async fn update_recipient(
        &self,
        unit: &Unit,
        user: &User,
        recipient_id: i64,
        change: &NewRecipient,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let r = self.recipient(unit.id, recipient_id).await?;
        let role = self
            .at_step(
                unit,
                user,
                r.training_id,
                &[DISTRIBUTION_STEP_KEY, REPLY_STEP_KEY],
                "Mengubah tujuan undangan",
                now,
            )
            .await?;
        if !email_ok(&change.email) {
            return Err(StoreError::Invalid {
                field: "email",
                message: format!("Alamat e-mail \"{}\" tidak sah.", change.email),
            });
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE recipients SET quota = $1, addressee = $2, email = $3, telephone = $4, contact_name = $5
             WHERE id = $6 AND unit_id = $7",
        )
        .bind(i64::from(change.quota))
        .bind(if change.addressee.trim().is_empty() { r.addressee.clone() } else { change.addressee.trim().to_string() })
        .bind(change.email.trim())
        .bind(change.telephone.trim())
        .bind(change.contact_name.trim())
        .bind(recipient_id)
        .bind(unit.id)
        .execute(&mut *tx)
        .await?;
        let note = format!(
            "{}: kuota {} → {}, e-mail \"{}\", telepon \"{}\"",
            r.region_name,
            r.quota,
            change.quota,
            change.email.trim(),
            change.telephone.trim()
        );
        log(
            &mut tx,
            Audit {
                unit_id: unit.id,
                training_id: r.training_id,
                actor: Actor::User(user),
                role: Some(&role),
                action: "recipient.updated",
                note: &note,
                after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a recipient off the list before anything was sent to it.
    pub async fn remove_recipient(
        &self,
        unit: &Unit,
        user: &User,
        recipient_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let r = self.recipient(unit.id, recipient_id).await?;
        let role = self
            .at_step(
                unit,
                user,
                r.training_id,
                &[DISTRIBUTION_STEP_KEY],
                "Menghapus tujuan undangan",
                now,
            )
            .await?;
        if r.dispatch.is_some() || r.has_replied() {
            return Err(StoreError::Refused {
                code: "recipient_in_use",
                message: format!(
                    "{} tidak dapat dihapus: undangan sudah dikirim atau jawabannya sudah tercatat. Tandai pengirimannya gagal bila perlu.",
                    r.region_name
                ),
            });
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE recipients SET removed_at = $1 WHERE id = $2 AND unit_id = $3")
            .bind(format_ts(now))
            .bind(recipient_id)
            .bind(unit.id)
            .execute(&mut *tx)
            .await?;
        log(
            &mut tx,
            Audit {
                unit_id: unit.id,
                training_id: r.training_id,
                actor: Actor::User(user),
                role: Some(&role),
                action: "recipient.removed",
                note: &format!("{} dihapus dari tujuan undangan", r.region_name),
                after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The invited Kabupaten/Kota of a training, by region code, each with its newest dispatch.
    pub async fn recipients(&self, unit_id: i64, training_id: i64) -> Result<Vec<Recipient>> {
        let rows = sqlx::query(&format!(
            "SELECT {RECIPIENT_COLUMNS} FROM recipients r
             WHERE r.unit_id = $1 AND r.training_id = $2 AND r.removed_at IS NULL ORDER BY r.region_code"
        ))
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        let mut list: Vec<Recipient> =
            rows.iter().map(recipient_from_row).collect::<Result<_>>()?;
        let dispatches = self.dispatches(unit_id, training_id).await?;
        for r in &mut list {
            r.dispatch = dispatches
                .iter()
                .filter(|d| d.recipient_id == r.id)
                .max_by_key(|d| d.id)
                .cloned();
        }
        Ok(list)
    }

    pub async fn recipient(&self, unit_id: i64, recipient_id: i64) -> Result<Recipient> {
        let row = sqlx::query(&format!(
            "SELECT {RECIPIENT_COLUMNS} FROM recipients r
             WHERE r.unit_id = $1 AND r.id = $2 AND r.removed_at IS NULL"
        ))
        .bind(unit_id)
        .bind(recipient_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("tujuan undangan"))?;
        let mut r = recipient_from_row(&row)?;
        let dispatches = self.dispatches(unit_id, r.training_id).await?;
        r.dispatch = dispatches
            .into_iter()
            .filter(|d| d.recipient_id == r.id)
            .max_by_key(|d| d.id);
        Ok(r)
    }

    // ----- the operator's link (case L5) -----

    /// Makes a new secret link for a recipient; any earlier link stops working.
    /// Returns the secret, which is shown (or mailed) once and stored only as its hash.
    pub async fn issue_link(
        &self,
        unit: &Unit,
        user: &User,
        recipient_id: i64,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let r = self.recipient(unit.id, recipient_id).await?;
        let mut tx = self.pool.begin().await?;
        let secret = self.issue_link_in(&mut tx, unit.id, &r).await?;
        log(
            &mut tx,
            Audit {
                unit_id: unit.id,
                training_id: r.training_id,
                actor: Actor::User(user),
                role: None,
                action: "recipient.link_issued",
                note: &format!(
                    "Tautan pengisian calon peserta untuk {} dibuat",
                    r.region_name
                ),
                after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    async fn issue_link_in(
        &self,
        conn: &mut AnyConnection,
        unit_id: i64,
        r: &Recipient,
    ) -> Result<String> {
        let secret = new_link_secret();
        sqlx::query("UPDATE recipients SET token_hash = $1 WHERE id = $2 AND unit_id = $3")
            .bind(sha256_hex(secret.as_bytes()))
            .bind(r.id)
            .bind(unit_id)
            .execute(&mut *conn)
            .await?;
        Ok(secret)
    }

    /// The recipient a link's secret belongs to. A wrong or revoked secret is simply not found:
    /// the answer does not tell a guesser whether they were close.
    pub async fn recipient_by_link(&self, secret: &str) -> Result<LinkScope> {
        let secret = secret.trim();
        if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound("tautan undangan"));
        }
        let row = sqlx::query(&format!(
            "SELECT r.unit_id, {RECIPIENT_COLUMNS} FROM recipients r
             WHERE r.token_hash = $1 AND r.removed_at IS NULL"
        ))
        .bind(sha256_hex(secret.to_ascii_lowercase().as_bytes()))
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("tautan undangan"))?;
        let unit_id: i64 = row.try_get("unit_id")?;
        let mut recipient = recipient_from_row(&row)?;
        recipient.dispatch = self
            .dispatches(unit_id, recipient.training_id)
            .await?
            .into_iter()
            .filter(|d| d.recipient_id == recipient.id)
            .max_by_key(|d| d.id);
        Ok(LinkScope { unit_id, recipient })
    }

    // ----- dispatches (buku ekspedisi) -----

    /// Records a dispatch of the undangan to a recipient, or its proof, or its failure.
    /// For method "email", `mail` (built by the caller from the link it is given) is queued in
    /// the outbox in the same transaction, so the record and the mail exist together or not at all.
    pub async fn record_dispatch(
        &self,
        unit: &Unit,
        user: &User,
        recipient_id: i64,
        d: &NewDispatch,
        mail: Option<&(dyn Fn(&str) -> MailDraft + Send + Sync)>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let r = self.recipient(unit.id, recipient_id).await?;
        let role = self
            .at_step(
                unit,
                user,
                r.training_id,
                &[DISTRIBUTION_STEP_KEY, REPLY_STEP_KEY],
                "Mencatat pengiriman undangan",
                now,
            )
            .await?;
        if !DISPATCH_METHODS.iter().any(|(k, _)| *k == d.method) {
            return Err(StoreError::Invalid {
                field: "method",
                message:
                    "Pilih cara pengiriman: pos, kurir, e-mail, SRIKANDI atau diantar langsung."
                        .into(),
            });
        }
        if let Some(kind) = &d.proof_kind {
            if !PROOF_KINDS.iter().any(|(k, _)| k == kind) {
                return Err(StoreError::Invalid {
                    field: "proof_kind",
                    message: "Jenis bukti tidak dikenal.".into(),
                });
            }
        }
        let failed = d
            .failed_reason
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if d.failed_reason.is_some() && failed.is_none() {
            return Err(StoreError::Invalid {
                field: "failed_reason",
                message: "Tuliskan alasan pengiriman gagal.".into(),
            });
        }
        if d.method == "email" && r.email.trim().is_empty() {
            return Err(StoreError::Invalid {
                field: "method",
                message: format!(
                    "{} belum punya alamat e-mail. Isi alamatnya dulu atau pilih cara lain.",
                    r.region_name
                ),
            });
        }
        if d.proof_kind.is_some()
            && d.proof_kind.as_deref() != Some("konfirmasi")
            && d.proof_file.is_none()
        {
            return Err(StoreError::Invalid {
                field: "proof_file",
                message: "Unggah berkas tanda terima atau bukti kirim (PDF atau foto), atau pilih \"Konfirmasi penerima\" dan tulis siapa yang mengonfirmasi.".into(),
            });
        }
        if d.proof_kind.as_deref() == Some("konfirmasi") && d.proof_note.trim().is_empty() {
            return Err(StoreError::Invalid {
                field: "proof_note",
                message: "Tuliskan siapa yang mengonfirmasi penerimaan dan kapan.".into(),
            });
        }
        if d.sent_at > now + chrono::Duration::minutes(5) {
            return Err(StoreError::Invalid {
                field: "sent_at",
                message: "Waktu pengiriman tidak boleh di masa depan.".into(),
            });
        }
        // Into the file store before the row naming it commits (see `file_store`).
        let proof = match &d.proof_file {
            Some(f) => Some((f, self.keep_file(&f.bytes).await?)),
            None => None,
        };
        let mut tx = self.pool.begin().await?;
        let mail_id = match (d.method.as_str(), mail, failed) {
            ("email", Some(build), None) => {
                let secret = self.issue_link_in(&mut tx, unit.id, &r).await?;
                let m = build(&secret);
                let mail = crate::outbox::NewMail {
                    unit_id: unit.id,
                    kind: "undangan",
                    to_address: &m.to_address,
                    to_name: &m.to_name,
                    subject: &m.subject,
                    body_text: &m.body_text,
                    body_html: None,
                    dedup_key: None,
                    training_id: Some(r.training_id),
                };
                crate::outbox::enqueue_mail(&mut tx, &mail, now).await?
            }
            _ => None,
        };
        let (proof_name, proof_mime, proof_sha, proof_size, proof_bytes) = match proof {
            Some((f, kept)) => (
                Some(f.name.clone()),
                Some(f.mime.clone()),
                Some(kept.sha256),
                Some(kept.size),
                kept.content,
            ),
            None => (None, None, None, None, None),
        };
        let id: i64 = sqlx::query(
            "INSERT INTO dispatches (unit_id, recipient_id, method, sent_at, reference, proof_kind, proof_note,
                proof_file, proof_name, proof_mime, proof_sha256, proof_size, failed_reason, mail_id, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
        )
        .bind(unit.id)
        .bind(recipient_id)
        .bind(&d.method)
        .bind(format_ts(d.sent_at))
        .bind(d.reference.trim())
        .bind(&d.proof_kind)
        .bind(d.proof_note.trim())
        .bind(proof_bytes)
        .bind(proof_name)
        .bind(proof_mime)
        .bind(proof_sha)
        .bind(proof_size)
        .bind(failed)
        .bind(mail_id)
        .bind(user.id)
        .bind(format_ts(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let what = match (failed, &d.proof_kind) {
            (Some(reason), _) => format!("gagal: {reason}"),
            (None, Some(kind)) => format!("dengan {}", proof_label(kind).to_lowercase()),
            (None, None) if mail_id.is_some() => "e-mail dimasukkan ke kotak keluar".into(),
            (None, None) => "belum ada bukti".into(),
        };
        log(
            &mut tx,
            Audit {
                unit_id: unit.id,
                training_id: r.training_id,
                actor: Actor::User(user),
                role: Some(&role),
                action: "dispatch.recorded",
                note: &format!(
                    "Undangan ke {} lewat {}, {what}",
                    r.region_name,
                    method_label(&d.method)
                ),
                after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The buku ekspedisi of a training, oldest first.
    pub async fn dispatches(&self, unit_id: i64, training_id: i64) -> Result<Vec<Dispatch>> {
        let rows = sqlx::query(&format!(
            "SELECT {DISPATCH_COLUMNS} FROM dispatches d
             JOIN recipients r ON r.id = d.recipient_id
             LEFT JOIN users u ON u.id = d.recorded_by
             WHERE d.unit_id = $1 AND r.training_id = $2 ORDER BY d.id"
        ))
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(dispatch_from_row).collect()
    }

    /// The proof file of a dispatch: (name, mime, bytes).
    pub async fn dispatch_proof(
        &self,
        unit_id: i64,
        dispatch_id: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        self.stored_file(
            "SELECT proof_name, proof_mime, proof_file, proof_sha256 FROM dispatches WHERE id = $1 AND unit_id = $2 AND proof_sha256 IS NOT NULL",
            dispatch_id,
            unit_id,
            "bukti pengiriman",
        )
        .await
    }

    /// An uploaded file as (name, MIME type, bytes), by a query selecting name, MIME type,
    /// content and SHA-256 of one row by id ($1) and unit ($2); the bytes from the row or,
    /// when it holds none, from the file store.
    async fn stored_file(
        &self,
        sql: &'static str,
        id: i64,
        unit_id: i64,
        what: &'static str,
    ) -> Result<(String, String, Vec<u8>)> {
        let row = sqlx::query(sql)
            .bind(id)
            .bind(unit_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound(what))?;
        let sha: String = row.try_get(3)?;
        let bytes = self.file_bytes(row.try_get(2)?, &sha).await?;
        Ok((row.try_get(0)?, row.try_get(1)?, bytes))
    }

    // ----- replies (agenda surat masuk) and nominations -----

    /// Checks that a user may register replies and nominations for `recipient` now.
    async fn may_nominate(
        &self,
        unit: &Unit,
        actor: Actor<'_>,
        r: &Recipient,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        match actor {
            Actor::User(user) => Ok(Some(
                self.at_step(
                    unit,
                    user,
                    r.training_id,
                    &[DISTRIBUTION_STEP_KEY, REPLY_STEP_KEY],
                    "Mencatat jawaban dan calon peserta",
                    now,
                )
                .await?,
            )),
            // The web layer checks the link's deadline; the store checks the list is still open.
            Actor::Link { .. } => {
                let detail = self.training_detail(unit.id, r.training_id).await?;
                let open = detail
                    .active_run()
                    .and_then(|run| detail.definition.step(run.step_no as u32))
                    .is_some_and(|s| s.key == DISTRIBUTION_STEP_KEY || s.key == REPLY_STEP_KEY);
                if !open {
                    return Err(StoreError::Refused {
                        code: "nominations_closed",
                        message: "Penerimaan calon peserta untuk pelatihan ini sudah ditutup."
                            .into(),
                    });
                }
                Ok(None)
            }
        }
    }

    /// Registers a reply letter and its candidates together: all of them or none.
    pub async fn register_reply(
        &self,
        unit: &Unit,
        actor: Actor<'_>,
        recipient_id: i64,
        reply: Option<&NewReply>,
        candidates: &[NewNomination],
        now: DateTime<Utc>,
    ) -> Result<(Option<i64>, Vec<i64>)> {
        let r = self.recipient(unit.id, recipient_id).await?;
        let role = self.may_nominate(unit, actor, &r, now).await?;
        if reply.is_none() && candidates.is_empty() {
            return Err(StoreError::Invalid {
                field: "nik",
                message:
                    "Tidak ada yang disimpan: isi surat jawaban atau sedikitnya satu calon peserta."
                        .into(),
            });
        }
        let mut tx = self.pool.begin().await?;
        let reply_id = match reply {
            Some(rep) => Some(
                self.insert_reply(&mut tx, unit, actor, &r, rep, now)
                    .await?,
            ),
            None => None,
        };
        let via = reply.map_or(actor.via("form"), |rep| actor.via(rep.via));
        let ids = insert_nominations(&mut tx, unit.id, &r, reply_id, candidates, via, now).await?;
        let mut parts = Vec::new();
        if let Some(rep) = reply {
            parts.push(format!(
                "surat jawaban {}{}",
                if rep.letter_number.trim().is_empty() {
                    "tanpa nomor"
                } else {
                    rep.letter_number.trim()
                },
                rep.file
                    .as_ref()
                    .map(|f| format!(" ({})", f.name))
                    .unwrap_or_default()
            ));
        }
        if !candidates.is_empty() {
            parts.push(format!("{} calon peserta", candidates.len()));
        }
        log(
            &mut tx,
            Audit {
                unit_id: unit.id,
                training_id: r.training_id,
                actor,
                role: role.as_deref(),
                action: "reply.registered",
                note: &format!("Jawaban {}: {}", r.region_name, parts.join(", ")),
                after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok((reply_id, ids))
    }

    async fn insert_reply(
        &self,
        conn: &mut AnyConnection,
        unit: &Unit,
        actor: Actor<'_>,
        r: &Recipient,
        rep: &NewReply,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let year = now.with_timezone(&unit.zone.offset()).year();
        // Into the file store before the row naming it commits (see `file_store`).
        let (name, mime, sha, size, bytes) = match &rep.file {
            Some(f) => {
                let kept = self.keep_file(&f.bytes).await?;
                (
                    Some(f.name.clone()),
                    Some(f.mime.clone()),
                    Some(kept.sha256),
                    Some(kept.size),
                    kept.content,
                )
            }
            None => (None, None, None, None, None),
        };
        // The next agenda number is read and written by one statement, and the unique
        // constraint stops two writers from taking the same one; on PostgreSQL the second
        // waits for the first instead of failing.
        lock::serialise(conn, Sequence::ReplyAgenda { unit_id: unit.id }).await?;
        let row = sqlx::query(
            "INSERT INTO replies (unit_id, training_id, recipient_id, agenda_year, agenda_seq, letter_number,
                letter_date, received_at, subject, file, file_name, file_mime, file_sha256, file_size, via, recorded_by, recorded_at)
             SELECT $1, $2, $3, $4, COALESCE(MAX(agenda_seq), 0) + 1, $5, $6, $7, $8, $9, $10, $11, $12, $15, $13, $14, $7
             FROM replies WHERE unit_id = $1 AND agenda_year = $4
             RETURNING id",
        )
        .bind(unit.id)
        .bind(r.training_id)
        .bind(r.id)
        .bind(i64::from(year))
        .bind(rep.letter_number.trim())
        .bind(rep.letter_date.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(format_ts(now))
        .bind(if rep.subject.trim().is_empty() { "Jawaban undangan pelatihan" } else { rep.subject.trim() })
        .bind(bytes)
        .bind(name)
        .bind(mime)
        .bind(sha)
        .bind(actor.via(rep.via))
        .bind(actor.id())
        .bind(size)
        .fetch_one(&mut *conn)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// The agenda surat masuk of a training.
    pub async fn replies(&self, unit_id: i64, training_id: i64) -> Result<Vec<Reply>> {
        let rows = sqlx::query(&format!(
            "SELECT {REPLY_COLUMNS} FROM replies rp JOIN recipients r ON r.id = rp.recipient_id
             LEFT JOIN users u ON u.id = rp.recorded_by
             WHERE rp.unit_id = $1 AND rp.training_id = $2 ORDER BY rp.id"
        ))
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(reply_from_row).collect()
    }

    /// A reply's letter file: (name, mime, bytes).
    pub async fn reply_file(
        &self,
        unit_id: i64,
        reply_id: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        self.stored_file(
            "SELECT file_name, file_mime, file, file_sha256 FROM replies WHERE id = $1 AND unit_id = $2 AND file_sha256 IS NOT NULL",
            reply_id,
            unit_id,
            "berkas surat jawaban",
        )
        .await
    }

    /// Every nomination of a training (withdrawn ones too), in arrival order.
    pub async fn nominations(&self, unit_id: i64, training_id: i64) -> Result<Vec<Nomination>> {
        let rows = sqlx::query(&format!(
            "SELECT {NOMINATION_COLUMNS} FROM nominations WHERE unit_id = $1 AND training_id = $2 ORDER BY seq"
        ))
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(nomination_from_row).collect()
    }

    pub async fn nomination(&self, unit_id: i64, id: i64) -> Result<Nomination> {
        let row = sqlx::query(&format!(
            "SELECT {NOMINATION_COLUMNS} FROM nominations WHERE unit_id = $1 AND id = $2"
        ))
        .bind(unit_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("calon peserta"))?;
        nomination_from_row(&row)
    }

    /// Corrects a nomination. Through a link, only that recipient's own nominations are found.
    pub async fn update_nomination(
        &self,
        unit: &Unit,
        actor: Actor<'_>,
        id: i64,
        change: &NewNomination,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let n = self.nomination(unit.id, id).await?;
        let r = self.recipient(unit.id, n.recipient_id).await?;
        if let Actor::Link { recipient } = actor {
            if recipient.id != n.recipient_id {
                return Err(StoreError::NotFound("calon peserta"));
            }
        }
        let role = self.may_nominate(unit, actor, &r, now).await?;
        if n.withdrawn_at.is_some() {
            return Err(StoreError::Refused {
                code: "withdrawn",
                message: format!("{} sudah ditarik dan tidak dapat diubah lagi.", n.nama),
            });
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE nominations SET nik = $1, nama = $2, data = $3, updated_at = $4 WHERE id = $5 AND unit_id = $6",
        )
        .bind(change.nik.trim())
        .bind(change.nama.trim())
        .bind(&change.data)
        .bind(format_ts(now))
        .bind(id)
        .bind(unit.id)
        .execute(&mut *tx)
        .await?;
        log(
            &mut tx,
            Audit {
                unit_id: unit.id,
                training_id: n.training_id,
                actor,
                role: role.as_deref(),
                action: "nomination.updated",
                note: &format!(
                    "Calon peserta {} ({}) diperbaiki",
                    change.nama.trim(),
                    r.region_name
                ),
                after: Some(&change.data),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Withdraws a nomination with a reason; it stays in the record, out of the list.
    pub async fn withdraw_nomination(
        &self,
        unit: &Unit,
        actor: Actor<'_>,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let n = self.nomination(unit.id, id).await?;
        if let Actor::Link { recipient } = actor {
            if recipient.id != n.recipient_id {
                return Err(StoreError::NotFound("calon peserta"));
            }
        }
        let r = self.recipient(unit.id, n.recipient_id).await?;
        let role = self.may_nominate(unit, actor, &r, now).await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid {
                field: "reason",
                message: "Tuliskan alasan penarikan calon peserta.".into(),
            });
        }
        if n.withdrawn_at.is_some() {
            return Err(StoreError::Refused {
                code: "already_withdrawn",
                message: format!("{} sudah ditarik.", n.nama),
            });
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE nominations SET withdrawn_at = $1, withdrawn_reason = $2, updated_at = $1 WHERE id = $3 AND unit_id = $4",
        )
        .bind(format_ts(now))
        .bind(reason)
        .bind(id)
        .bind(unit.id)
        .execute(&mut *tx)
        .await?;
        log(
            &mut tx,
            Audit {
                unit_id: unit.id,
                training_id: n.training_id,
                actor,
                role: role.as_deref(),
                action: "nomination.withdrawn",
                note: &format!(
                    "Calon peserta {} ({}) ditarik: {reason}",
                    n.nama, r.region_name
                ),
                after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// NIKs of this list nominated for other trainings of the unit starting in `year`.
    pub async fn nominated_elsewhere(
        &self,
        unit_id: i64,
        training_id: i64,
        year: i32,
    ) -> Result<Vec<ElsewhereNomination>> {
        let rows = sqlx::query(
            "SELECT DISTINCT o.nik, t.id AS training_id, t.title FROM nominations o
             JOIN trainings t ON t.id = o.training_id
             WHERE o.unit_id = $1 AND o.training_id <> $2 AND o.withdrawn_at IS NULL
               AND t.start_date >= $3 AND t.start_date <= $4
               AND o.nik IN (SELECT n.nik FROM nominations n WHERE n.training_id = $2 AND n.withdrawn_at IS NULL)
             ORDER BY o.nik, t.id",
        )
        .bind(unit_id)
        .bind(training_id)
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{year:04}-12-31"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ElsewhereNomination {
                    nik: r.try_get("nik")?,
                    training_id: r.try_get("training_id")?,
                    training_title: r.try_get("title")?,
                })
            })
            .collect()
    }

    // ----- spreadsheet imports -----

    /// The mapping last saved for a spreadsheet whose headers read `headers_key`.
    pub async fn import_mapping(&self, unit_id: i64, headers_key: &str) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT mapping FROM import_mappings WHERE unit_id = $1 AND headers_key = $2",
        )
        .bind(unit_id)
        .bind(headers_key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get("mapping")).transpose()?)
    }

    pub async fn save_import_mapping(
        &self,
        unit_id: i64,
        headers_key: &str,
        mapping: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO import_mappings (unit_id, headers_key, mapping, saved_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (unit_id, headers_key) DO UPDATE SET mapping = excluded.mapping, saved_at = excluded.saved_at",
        )
        .bind(unit_id)
        .bind(headers_key)
        .bind(mapping)
        .bind(format_ts(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Keeps an uploaded file until its preview is accepted or replaced.
    pub async fn stash_import(
        &self,
        unit: &Unit,
        user: &User,
        recipient_id: i64,
        file: &UploadedFile,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let r = self.recipient(unit.id, recipient_id).await?;
        self.may_nominate(unit, Actor::User(user), &r, now).await?;
        let row = sqlx::query(
            "INSERT INTO pending_imports (unit_id, recipient_id, file, file_name, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(unit.id)
        .bind(recipient_id)
        .bind(&file.bytes)
        .bind(&file.name)
        .bind(user.id)
        .bind(format_ts(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    pub async fn pending_import(&self, unit_id: i64, id: i64) -> Result<PendingImport> {
        let row = sqlx::query(
            "SELECT id, recipient_id, file_name, file, saved_at FROM pending_imports WHERE id = $1 AND unit_id = $2",
        )
        .bind(id)
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("unggahan"))?;
        Ok(PendingImport {
            id: row.try_get("id")?,
            recipient_id: row.try_get("recipient_id")?,
            file_name: row.try_get("file_name")?,
            file: row.try_get("file")?,
            saved: row.try_get::<Option<String>, _>("saved_at")?.is_some(),
        })
    }

    /// Saves the rows of an accepted preview with their reply letter, all or nothing, and marks
    /// the upload used so that a second click does not add the same people twice.
    pub async fn save_import(
        &self,
        unit: &Unit,
        user: &User,
        pending_id: i64,
        reply: &NewReply,
        candidates: &[NewNomination],
        now: DateTime<Utc>,
    ) -> Result<(i64, Vec<i64>)> {
        let p = self.pending_import(unit.id, pending_id).await?;
        let r = self.recipient(unit.id, p.recipient_id).await?;
        let role = self.may_nominate(unit, Actor::User(user), &r, now).await?;
        let mut tx = self.pool.begin().await?;
        let used = sqlx::query(
            "UPDATE pending_imports SET saved_at = $1 WHERE id = $2 AND unit_id = $3 AND saved_at IS NULL",
        )
        .bind(format_ts(now))
        .bind(pending_id)
        .bind(unit.id)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() == 0 {
            return Err(StoreError::Refused {
                code: "import_already_saved",
                message: "Unggahan ini sudah disimpan. Lihat daftar calon peserta.".into(),
            });
        }
        let reply_id = self
            .insert_reply(&mut tx, unit, Actor::User(user), &r, reply, now)
            .await?;
        let ids = insert_nominations(
            &mut tx,
            unit.id,
            &r,
            Some(reply_id),
            candidates,
            "unggah",
            now,
        )
        .await?;
        log(
            &mut tx,
            Audit {
                unit_id: unit.id,
                training_id: r.training_id,
                actor: Actor::User(user),
                role: role.as_deref(),
                action: "reply.imported",
                note: &format!(
                    "Jawaban {} dari berkas {}: {} calon peserta",
                    r.region_name,
                    p.file_name,
                    candidates.len()
                ),
                after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok((reply_id, ids))
    }

    // ----- the final list -----

    pub async fn confirm_roster(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        snapshot: &str,
        summary: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let today = now.with_timezone(&unit.zone.offset()).date_naive();
        let roles = user.roles_on(unit.id, today);
        let committee = self.committee_accounts(unit.id, training_id).await?;
        let allowed = match committee {
            Some(members) => members.contains(&user.id),
            None => roles.iter().any(|r| r == crate::COMMITTEE_ROLE),
        };
        if !allowed {
            return Err(StoreError::Refused {
                code: "not_committee",
                message: "Daftar peserta dikonfirmasi oleh Panitia pelatihan ini.".into(),
            });
        }
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO roster_confirmations (unit_id, training_id, snapshot, confirmed_by, confirmed_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(unit.id)
        .bind(training_id)
        .bind(snapshot)
        .bind(user.id)
        .bind(format_ts(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        log(
            &mut tx,
            Audit {
                unit_id: unit.id,
                training_id,
                actor: Actor::User(user),
                role: Some(crate::COMMITTEE_ROLE),
                action: "roster.confirmed",
                note: summary,
                after: Some(snapshot),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn latest_roster(
        &self,
        unit_id: i64,
        training_id: i64,
    ) -> Result<Option<RosterConfirmation>> {
        let row = sqlx::query(
            "SELECT c.id, c.snapshot, u.full_name, c.confirmed_at FROM roster_confirmations c
             JOIN users u ON u.id = c.confirmed_by
             WHERE c.unit_id = $1 AND c.training_id = $2 ORDER BY c.id DESC LIMIT 1",
        )
        .bind(unit_id)
        .bind(training_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(RosterConfirmation {
                id: r.try_get("id")?,
                snapshot: r.try_get("snapshot")?,
                confirmed_by_name: r.try_get("full_name")?,
                confirmed_at: ts_col(r.try_get("confirmed_at")?).unwrap_or_default(),
            })
        })
        .transpose()
    }

    /// The guards of steps 7 and 8, for `training_artifacts`.
    pub(crate) async fn nomination_artifacts(
        &self,
        unit_id: i64,
        training_id: i64,
        have: &mut std::collections::BTreeSet<String>,
    ) -> Result<()> {
        let recipients = self.recipients(unit_id, training_id).await?;
        if !recipients.is_empty() && recipients.iter().all(|r| r.dispatch_state().is_settled()) {
            have.insert(DISPATCH_ARTIFACT.to_string());
        }
        if recipients.iter().any(|r| r.nominations > 0) {
            have.insert(CANDIDATES_ARTIFACT.to_string());
        }
        Ok(())
    }
}

async fn insert_nominations(
    conn: &mut AnyConnection,
    unit_id: i64,
    r: &Recipient,
    reply_id: Option<i64>,
    candidates: &[NewNomination],
    via: &str,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(candidates.len());
    if !candidates.is_empty() {
        // Arrival order decides who is within the quota: concurrent operators' links queue here.
        let training_id = r.training_id;
        lock::serialise(conn, Sequence::Nominations { training_id }).await?;
    }
    for c in candidates {
        let row = sqlx::query(
            "INSERT INTO nominations (unit_id, training_id, recipient_id, reply_id, seq, nik, nama, data, via, created_at, updated_at)
             SELECT $1, $2, $3, $4, COALESCE(MAX(seq), 0) + 1, $5, $6, $7, $8, $9, $9
             FROM nominations WHERE training_id = $2
             RETURNING id",
        )
        .bind(unit_id)
        .bind(r.training_id)
        .bind(r.id)
        .bind(reply_id)
        .bind(c.nik.trim())
        .bind(c.nama.trim())
        .bind(&c.data)
        .bind(via)
        .bind(format_ts(now))
        .fetch_one(&mut *conn)
        .await?;
        ids.push(row.try_get("id")?);
    }
    Ok(ids)
}

/// The region rows of a region list, provinces first.
pub fn region_rows(regions: &laksana_nomination::Regions) -> Vec<RegionRow> {
    let mut rows: Vec<RegionRow> = regions
        .provinces()
        .iter()
        .map(|p| RegionRow {
            code: p.code.clone(),
            parent_code: None,
            level: "provinsi".into(),
            name: p.name.clone(),
        })
        .collect();
    rows.extend(regions.regencies().iter().map(|r| RegionRow {
        code: r.code.clone(),
        parent_code: Some(r.province_code.clone()),
        level: match r.kind {
            laksana_nomination::RegencyKind::Kabupaten => "kabupaten".into(),
            laksana_nomination::RegencyKind::Kota => "kota".into(),
        },
        name: r.name.clone(),
    }));
    rows
}

impl Store {
    /// Loads the region list shipped in the binary when none was ever loaded, so a new
    /// installation can invite Kabupaten/Kota at once. A later `laksana wilayah perbarui`
    /// replaces it; this never overwrites a load.
    pub async fn ensure_regions(&self, now: DateTime<Utc>) -> Result<()> {
        if self.region_load().await?.is_some() {
            return Ok(());
        }
        let regions = laksana_nomination::Regions::embedded();
        self.load_regions(
            &region_rows(regions),
            &format!("bawaan: {}", regions.source_version()),
            now,
        )
        .await?;
        Ok(())
    }
}

impl Store {
    /// Queues a reminder to every invited Kabupaten/Kota that has an e-mail address and has not
    /// replied. Each reminder is queued once per `tag` (the dedup key of the outbox), carries a
    /// fresh link that replaces the earlier one (only the hash of a link is kept, so an earlier
    /// link cannot be sent again), and goes with its audit entry; each recipient has its own
    /// transaction, so a reminder already queued by another server changes nothing.
    pub async fn queue_reply_reminders(
        &self,
        unit: &Unit,
        training_id: i64,
        build: &(dyn Fn(&Recipient, &str) -> MailDraft + Send + Sync),
        tag: &str,
        actor: Option<&User>,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        let mut queued = Vec::new();
        for r in self.recipients(unit.id, training_id).await? {
            if r.has_replied() || r.email.trim().is_empty() {
                continue;
            }
            let key = format!("pengingat-balasan-{}-{tag}", r.id);
            let exists = sqlx::query("SELECT id FROM outbox WHERE dedup_key = $1")
                .bind(&key)
                .fetch_optional(&self.pool)
                .await?;
            if exists.is_some() {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            let secret = self.issue_link_in(&mut tx, unit.id, &r).await?;
            let m = build(&r, &secret);
            let mail = crate::outbox::NewMail {
                unit_id: unit.id,
                kind: "pengingat",
                to_address: &m.to_address,
                to_name: &m.to_name,
                subject: &m.subject,
                body_text: &m.body_text,
                body_html: None,
                dedup_key: Some(&key),
                training_id: Some(training_id),
            };
            if crate::outbox::enqueue_mail(&mut tx, &mail, now)
                .await?
                .is_none()
            {
                // Queued meanwhile by another server: leave the link as it was.
                tx.rollback().await?;
                continue;
            }
            let name = match actor {
                Some(u) => u.full_name.clone(),
                None => "Laksana (pengingat otomatis)".to_string(),
            };
            audit::append(
                &mut tx,
                NewEntry {
                    unit_id: unit.id,
                    training_id: Some(training_id),
                    actor_id: actor.map(|u| u.id),
                    actor_name: &name,
                    actor_role: None,
                    action: "reply.reminded",
                    step_no: None,
                    round: None,
                    note: Some(&format!(
                        "Pengingat balasan ke {} ({})",
                        r.region_name, r.email
                    )),
                    state_before: None,
                    state_after: None,
                    at: now,
                },
            )
            .await?;
            tx.commit().await?;
            queued.push(r.region_name.clone());
        }
        Ok(queued)
    }

    /// Trainings that have invited recipients and are not finished: the candidates for the
    /// reminder sweep, which then looks at each one's active step and deadline.
    pub async fn trainings_with_recipients(&self) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT DISTINCT t.unit_id, t.id FROM trainings t JOIN recipients r ON r.training_id = t.id
             WHERE t.status <> 'selesai' AND r.removed_at IS NULL ORDER BY t.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("unit_id")?, r.try_get("id")?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shape() {
        assert!(email_ok(""));
        assert!(email_ok("disnaker@bogorkab.go.id"));
        assert!(!email_ok("disnaker.bogorkab.go.id"));
        assert!(!email_ok("a@b"));
        assert!(!email_ok("a b@c.id"));
    }

    #[test]
    fn link_secrets_are_long_and_distinct() {
        let a = new_link_secret();
        let b = new_link_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
