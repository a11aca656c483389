//! Certificates (sertifikat pelatihan): who delivers each training, the unit's own
//! registration and certificate rules, and the certificates issued, each once per participant
//! with its number from the register, its stored PDF and a public verification token.
//!
//! Which participants may receive one (the final list, attendance, the LPK rule) is decided by
//! the caller from [`Store::final_participants`], [`Store::attendance_totals`] and the rules here;
//! this module keeps the records and makes issuing atomic and idempotent.

use chrono::{DateTime, NaiveDate, Utc};
use laksana_domain::{Provider, Registration, REGISTRATION_KINDS};
use sqlx::Row;

use crate::audit::{self, NewEntry};
use crate::register::assign_number_in;
use crate::time::ts_col;
use crate::unit_profile::profile_in;
use crate::{
    format_ts, NumberFor, Result, SignerSnapshot, Store, StoreError, Unit, UnitProfile, User,
};

/// The document kind certificates are numbered under (the default "Sertifikat" register).
pub const CERTIFICATE_KIND: &str = "sertifikat";
/// The roles that record the provider and issue certificates: the training's Panitia and the
/// Kepala Dinas who signs them.
pub const CERTIFICATE_ROLES: [&str; 2] = ["panitia", "kepala-dinas"];

/// The unit's own registration and its certificate rules.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CertificateSettings {
    /// The BLK's own registration (a government LPK registers too, Permenaker 6/2024 Pasal 3).
    pub registration: Registration,
    /// `tolak_sertifikat_lpk_tidak_terdaftar`: refuse certificates of a training delivered by
    /// a partner LPK that is not registered on every day of it.
    pub tolak_sertifikat_lpk_tidak_terdaftar: bool,
    /// Minimum share of sessions attended, in percent.
    pub min_kehadiran_persen: u32,
}

impl Default for CertificateSettings {
    fn default() -> Self {
        // The SOP's peringatan applies unless the unit switches it off; full attendance is the
        // strictest reading and the unit lowers it deliberately.
        CertificateSettings {
            registration: Registration::default(),
            tolak_sertifikat_lpk_tidak_terdaftar: true,
            min_kehadiran_persen: 100,
        }
    }
}

/// An issued certificate (without its PDF).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Certificate {
    pub id: i64,
    pub training_id: i64,
    pub nomination_id: i64,
    pub number: String,
    pub issued_date: NaiveDate,
    pub nama: String,
    pub training_title: String,
    pub signer: SignerSnapshot,
    pub pdf_sha256: String,
    pub verification_token: String,
    pub issued_at: DateTime<Utc>,
}

/// What the PDF of one certificate is made from, frozen in the issuing transaction.
#[derive(Clone, Debug)]
pub struct CertificateFacts {
    pub training_id: i64,
    pub nomination_id: i64,
    pub nama: String,
    pub number: String,
    pub issued_date: NaiveDate,
    pub signer: SignerSnapshot,
    pub profile: UnitProfile,
    pub verification_url: String,
}

/// What a participant's certificate is for, given by the caller.
#[derive(Clone, Debug)]
pub struct CertificateFor {
    pub training_id: i64,
    pub nomination_id: i64,
    pub nama: String,
    pub training_title: String,
}

fn verification_token() -> String {
    crate::random_hex(20)
}

fn date_col(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| s.parse().ok())
}

/// Checks a registration as typed; parts may be missing (the rule then names them), but what
/// is there must make sense.
fn check_registration(r: &Registration) -> Result<Registration> {
    let kind = r.kind.trim();
    if !kind.is_empty() && !REGISTRATION_KINDS.iter().any(|(k, _)| *k == kind) {
        return Err(StoreError::invalid(
            "registration_kind",
            format!("Jenis registrasi \"{kind}\" tidak dikenal: pilih tanda daftar, izin atau perizinan berusaha."),
        ));
    }
    if let (Some(from), Some(to)) = (r.valid_from, r.valid_to) {
        if to < from {
            return Err(StoreError::invalid(
                "valid_to",
                "Tanggal akhir berlaku tidak boleh sebelum tanggal mulai berlaku.",
            ));
        }
    }
    Ok(Registration {
        kind: kind.to_string(),
        number: r.number.trim().to_string(),
        valid_from: r.valid_from,
        valid_to: r.valid_to,
    })
}

/// Refuses unless `user` holds one of [`CERTIFICATE_ROLES`] today.
pub fn require_certificate_role(unit: &Unit, user: &User, now: DateTime<Utc>) -> Result<String> {
    let today = now.with_timezone(&unit.zone.offset()).date_naive();
    user.roles_on(unit.id, today)
        .into_iter()
        .find(|r| CERTIFICATE_ROLES.contains(&r.as_str()))
        .ok_or_else(|| {
            StoreError::refused(
                "not_allowed",
                "Penyelenggara dan sertifikat pelatihan diurus oleh Panitia atau Kepala Dinas.",
            )
        })
}

const CERT_COLUMNS: &str =
    "id, training_id, nomination_id, number_text, issued_date, nama, training_title,
    signer_json, pdf_sha256, verification_token, issued_at";

fn certificate_from_row(row: &sqlx::any::AnyRow) -> Result<Certificate> {
    let signer: String = row.try_get("signer_json")?;
    Ok(Certificate {
        id: row.try_get("id")?,
        training_id: row.try_get("training_id")?,
        nomination_id: row.try_get("nomination_id")?,
        number: row.try_get("number_text")?,
        issued_date: date_col(row.try_get("issued_date")?).unwrap_or_default(),
        nama: row.try_get("nama")?,
        training_title: row.try_get("training_title")?,
        signer: serde_json::from_str(&signer)
            .map_err(|e| StoreError::CorruptDefinition(format!("certificates.signer_json: {e}")))?,
        pdf_sha256: row.try_get("pdf_sha256")?,
        verification_token: row.try_get("verification_token")?,
        issued_at: ts_col(row.try_get("issued_at")?).unwrap_or_default(),
    })
}

impl Store {
    /// Who delivers the training; the BLK itself until someone records otherwise.
    pub async fn training_provider(&self, unit_id: i64, training_id: i64) -> Result<Provider> {
        let row = sqlx::query(
            "SELECT delivered_by, lpk_name, registration_kind, registration_number, valid_from, valid_to
             FROM training_providers WHERE unit_id = $1 AND training_id = $2",
        )
        .bind(unit_id)
        .bind(training_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(Provider::default());
        };
        Ok(Provider {
            by_lpk: row.try_get::<String, _>("delivered_by")? == "lpk",
            lpk_name: row.try_get("lpk_name")?,
            registration: Registration {
                kind: row.try_get("registration_kind")?,
                number: row.try_get("registration_number")?,
                valid_from: date_col(row.try_get("valid_from")?),
                valid_to: date_col(row.try_get("valid_to")?),
            },
        })
    }

    /// Records who delivers the training (Panitia or Kepala Dinas), with its audit entry.
    pub async fn save_training_provider(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        provider: &Provider,
        now: DateTime<Utc>,
    ) -> Result<Provider> {
        let role = require_certificate_role(unit, user, now)?;
        self.training(unit.id, training_id).await?;
        let p = if provider.by_lpk {
            let name = provider.lpk_name.trim();
            if name.is_empty() {
                return Err(StoreError::invalid(
                    "lpk_name",
                    "Nama LPK mitra wajib diisi bila pelatihan diselenggarakan oleh LPK.",
                ));
            }
            Provider {
                by_lpk: true,
                lpk_name: name.to_string(),
                registration: check_registration(&provider.registration)?,
            }
        } else {
            // The BLK's own registration lives in the unit settings, not per training.
            Provider::default()
        };
        let r = &p.registration;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO training_providers (training_id, unit_id, delivered_by, lpk_name, registration_kind,
                registration_number, valid_from, valid_to, saved_by, saved_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (training_id) DO UPDATE SET delivered_by = excluded.delivered_by,
                lpk_name = excluded.lpk_name, registration_kind = excluded.registration_kind,
                registration_number = excluded.registration_number, valid_from = excluded.valid_from,
                valid_to = excluded.valid_to, saved_by = excluded.saved_by, saved_at = excluded.saved_at",
        )
        .bind(training_id)
        .bind(unit.id)
        .bind(if p.by_lpk { "lpk" } else { "blk" })
        .bind(&p.lpk_name)
        .bind(&r.kind)
        .bind(&r.number)
        .bind(r.valid_from.map(|d| d.to_string()))
        .bind(r.valid_to.map(|d| d.to_string()))
        .bind(user.id)
        .bind(format_ts(now))
        .execute(&mut *tx)
        .await?;
        let after = serde_json::to_string(&p).expect("provider serialises");
        let note = if p.by_lpk {
            format!("Penyelenggara: {} ({} {})", p.lpk_name, r.kind, r.number)
        } else {
            "Penyelenggara: BLK sendiri".to_string()
        };
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(training_id),
                actor_id: Some(user.id),
                actor_name: &user.full_name,
                actor_role: Some(&role),
                action: "provider.saved",
                step_no: None,
                round: None,
                note: Some(&note),
                state_before: None,
                state_after: Some(&after),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(p)
    }

    /// The unit's registration and certificate rules; the defaults until an administrator saves them.
    pub async fn certificate_settings(&self, unit_id: i64) -> Result<CertificateSettings> {
        let row = sqlx::query(
            "SELECT registration_kind, registration_number, valid_from, valid_to,
                tolak_sertifikat_lpk_tidak_terdaftar, min_kehadiran_persen
             FROM unit_certificate_settings WHERE unit_id = $1",
        )
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(CertificateSettings::default());
        };
        Ok(CertificateSettings {
            registration: Registration {
                kind: row.try_get("registration_kind")?,
                number: row.try_get("registration_number")?,
                valid_from: date_col(row.try_get("valid_from")?),
                valid_to: date_col(row.try_get("valid_to")?),
            },
            tolak_sertifikat_lpk_tidak_terdaftar: row
                .try_get::<i64, _>("tolak_sertifikat_lpk_tidak_terdaftar")?
                != 0,
            min_kehadiran_persen: row.try_get::<i64, _>("min_kehadiran_persen")?.clamp(0, 100)
                as u32,
        })
    }

    /// Saves the unit's registration and certificate rules (administrators), with its audit entry.
    pub async fn save_certificate_settings(
        &self,
        unit_id: i64,
        settings: &CertificateSettings,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<CertificateSettings> {
        if settings.min_kehadiran_persen > 100 {
            return Err(StoreError::invalid(
                "min_kehadiran_persen",
                "Syarat kehadiran ditulis dalam persen, 0 sampai 100.",
            ));
        }
        let r = check_registration(&settings.registration)?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO unit_certificate_settings (unit_id, registration_kind, registration_number, valid_from,
                valid_to, tolak_sertifikat_lpk_tidak_terdaftar, min_kehadiran_persen, saved_by, saved_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (unit_id) DO UPDATE SET registration_kind = excluded.registration_kind,
                registration_number = excluded.registration_number, valid_from = excluded.valid_from,
                valid_to = excluded.valid_to,
                tolak_sertifikat_lpk_tidak_terdaftar = excluded.tolak_sertifikat_lpk_tidak_terdaftar,
                min_kehadiran_persen = excluded.min_kehadiran_persen, saved_by = excluded.saved_by,
                saved_at = excluded.saved_at",
        )
        .bind(unit_id)
        .bind(&r.kind)
        .bind(&r.number)
        .bind(r.valid_from.map(|d| d.to_string()))
        .bind(r.valid_to.map(|d| d.to_string()))
        .bind(i64::from(settings.tolak_sertifikat_lpk_tidak_terdaftar))
        .bind(i64::from(settings.min_kehadiran_persen))
        .bind(by.id)
        .bind(format_ts(now))
        .execute(&mut *tx)
        .await?;
        let saved = CertificateSettings {
            registration: r,
            ..settings.clone()
        };
        let after = serde_json::to_string(&saved).expect("settings serialise");
        let note = format!(
            "Aturan sertifikat: kehadiran minimal {} %, tolak LPK tidak terdaftar: {}",
            saved.min_kehadiran_persen,
            if saved.tolak_sertifikat_lpk_tidak_terdaftar {
                "ya"
            } else {
                "tidak"
            }
        );
        audit::append(
            &mut tx,
            NewEntry {
                unit_id,
                training_id: None,
                actor_id: Some(by.id),
                actor_name: &by.full_name,
                actor_role: None,
                action: "certificate_settings.saved",
                step_no: None,
                round: None,
                note: Some(&note),
                state_before: None,
                state_after: Some(&after),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// The certificates issued for a training, in number order.
    pub async fn certificates(&self, unit_id: i64, training_id: i64) -> Result<Vec<Certificate>> {
        sqlx::query(&format!(
            "SELECT {CERT_COLUMNS} FROM certificates WHERE unit_id = $1 AND training_id = $2 ORDER BY id"
        ))
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(certificate_from_row)
        .collect()
    }

    /// The certificates of a training with their stored PDFs, in number order.
    pub async fn certificate_pdfs(
        &self,
        unit_id: i64,
        training_id: i64,
    ) -> Result<Vec<(Certificate, Vec<u8>)>> {
        let rows = sqlx::query(&format!(
            "SELECT {CERT_COLUMNS}, pdf FROM certificates WHERE unit_id = $1 AND training_id = $2 ORDER BY id"
        ))
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let certificate = certificate_from_row(r)?;
            let pdf = self
                .file_bytes(r.try_get("pdf")?, &certificate.pdf_sha256)
                .await?;
            out.push((certificate, pdf));
        }
        Ok(out)
    }

    /// The certificate a public verification link names.
    pub async fn certificate_by_verification(&self, token: &str) -> Result<Certificate> {
        let row = sqlx::query(&format!(
            "SELECT {CERT_COLUMNS} FROM certificates WHERE verification_token = $1"
        ))
        .bind(token.trim())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound(
            "sertifikat dengan kode verifikasi ini",
        ))?;
        certificate_from_row(&row)
    }

    /// Issues one participant's certificate in one transaction: the next number of
    /// `register_id`, the PDF made by `render` with it, stored with its SHA-256 and a
    /// verification token. `Ok(None)` when the participant already has one: issuing is done
    /// once, and a second request (or a concurrent one) changes nothing and uses no number.
    ///
    /// `render` runs on a blocking thread while the register is locked; if it fails, nothing is
    /// stored and the number is given back.
    #[allow(clippy::too_many_arguments)]
    pub async fn issue_certificate<F>(
        &self,
        unit: &Unit,
        user: &User,
        what: &CertificateFor,
        signer: &SignerSnapshot,
        register_id: i64,
        at: DateTime<Utc>,
        render: F,
    ) -> Result<Option<Certificate>>
    where
        F: FnOnce(&CertificateFacts) -> std::result::Result<Vec<u8>, String> + Send + 'static,
    {
        let role = require_certificate_role(unit, user, at)?;
        let mut tx = self.pool.begin().await?;
        let profile_zone = unit.zone;
        let date = at.with_timezone(&profile_zone.offset()).date_naive();
        // The number first: it takes the write lock before anything is read (see assign_number_in).
        let number = assign_number_in(
            &mut tx,
            unit.id,
            register_id,
            &NumberFor {
                document_id: None,
                training_id: Some(what.training_id),
                document_kind: Some(CERTIFICATE_KIND.into()),
                title: format!("Sertifikat {} — {}", what.nama, what.training_title),
                signer_name: Some(signer.name.clone()),
                kode: None,
            },
            date,
            Some(user.id),
            at,
        )
        .await?;
        let existing = sqlx::query(
            "SELECT id FROM certificates WHERE training_id = $1 AND nomination_id = $2",
        )
        .bind(what.training_id)
        .bind(what.nomination_id)
        .fetch_optional(&mut *tx)
        .await?;
        if existing.is_some() {
            // Dropping the transaction gives the number back.
            return Ok(None);
        }
        let profile = profile_in(&mut tx, unit.id).await?;
        let token = verification_token();
        let facts = CertificateFacts {
            training_id: what.training_id,
            nomination_id: what.nomination_id,
            nama: what.nama.clone(),
            number: number.text.clone(),
            issued_date: date,
            signer: signer.clone(),
            verification_url: format!(
                "{}/verifikasi/sertifikat/{token}",
                profile.public_base_url.trim_end_matches('/')
            ),
            profile,
        };
        let rendered = tokio::task::spawn_blocking(move || render(&facts))
            .await
            .map_err(|e| {
                StoreError::refused("pdf_render_failed", format!("PDF gagal dibuat: {e}"))
            })?;
        let pdf = match rendered {
            Ok(pdf) if !pdf.is_empty() => pdf,
            Ok(_) => {
                return Err(StoreError::refused(
                    "pdf_render_failed",
                    "PDF sertifikat gagal dibuat: hasilnya kosong; nomor tidak terpakai.",
                ))
            }
            Err(e) => {
                return Err(StoreError::refused(
                    "pdf_render_failed",
                    format!("PDF sertifikat gagal dibuat: {e}; nomor tidak terpakai."),
                ))
            }
        };
        // Into the file store before the row naming it commits (see `file_store`).
        let kept = self.keep_file(&pdf).await?;
        let sha = kept.sha256.clone();
        let signer_json = serde_json::to_string(signer).expect("signer serialises");
        let id: i64 = sqlx::query(
            "INSERT INTO certificates (unit_id, training_id, nomination_id, register_entry_id, number_text,
                issued_date, nama, training_title, signer_json, pdf, pdf_sha256, pdf_size, verification_token,
                issued_by, issued_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        )
        .bind(unit.id)
        .bind(what.training_id)
        .bind(what.nomination_id)
        .bind(number.entry_id)
        .bind(&number.text)
        .bind(date.to_string())
        .bind(&what.nama)
        .bind(&what.training_title)
        .bind(&signer_json)
        .bind(kept.content)
        .bind(&sha)
        .bind(kept.size)
        .bind(&token)
        .bind(user.id)
        .bind(format_ts(at))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let note = format!(
            "Sertifikat {} untuk {}, ditandatangani {} {} (NIP {}), PDF {}",
            number.text,
            what.nama,
            signer.title_line(),
            signer.name,
            signer.nip,
            &sha[..12]
        );
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(what.training_id),
                actor_id: Some(user.id),
                actor_name: &user.full_name,
                actor_role: Some(&role),
                action: "certificate.issued",
                step_no: None,
                round: None,
                note: Some(&note),
                state_before: None,
                state_after: None,
                at,
            },
        )
        .await?;
        tx.commit().await?;
        let row = sqlx::query(&format!(
            "SELECT {CERT_COLUMNS} FROM certificates WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Some(certificate_from_row(&row)?))
    }
}
