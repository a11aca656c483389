//! The unit's officials by position, their Plt/Plh appointments, and who signs on a given date.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use crate::audit;
use crate::time::ts_col;
use crate::{format_ts, Result, Store, StoreError, User};

/// A person holding (or having held) a position of the unit.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Official {
    pub id: i64,
    pub unit_id: i64,
    /// Position key, e.g. `kepala-dinas`, `kepala-bidang`, `sekretaris`.
    pub position: String,
    pub name: String,
    pub nip: String,
    pub pangkat: String,
    pub jabatan: String,
    pub user_id: Option<i64>,
    /// First day as definitive holder; `None` means since before records began.
    pub since: Option<NaiveDate>,
    /// Last day as definitive holder; `None` means still in office.
    pub until: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

impl Official {
    /// True when this official is the definitive holder of the position on `date`.
    pub fn holds_on(&self, date: NaiveDate) -> bool {
        self.since.is_none_or(|s| s <= date) && self.until.is_none_or(|u| date <= u)
    }
}

/// What is filled in to add or change an official.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct NewOfficial {
    pub position: String,
    pub name: String,
    pub nip: String,
    pub pangkat: String,
    pub jabatan: String,
    pub user_id: Option<i64>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Plt (pelaksana tugas, acting) or Plh (pelaksana harian, daily stand-in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppointmentKind {
    Plt,
    Plh,
}

impl AppointmentKind {
    /// The key stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentKind::Plt => "plt",
            AppointmentKind::Plh => "plh",
        }
    }

    /// The prefix printed before the jabatan: `Plt.` or `Plh.`.
    pub fn prefix(self) -> &'static str {
        match self {
            AppointmentKind::Plt => "Plt.",
            AppointmentKind::Plh => "Plh.",
        }
    }

    fn parse(s: &str) -> AppointmentKind {
        if s == "plh" {
            AppointmentKind::Plh
        } else {
            AppointmentKind::Plt
        }
    }
}

/// An official appointed Plt or Plh for a position between two dates (inclusive).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Appointment {
    pub id: i64,
    pub unit_id: i64,
    pub position: String,
    pub kind: AppointmentKind,
    pub official_id: i64,
    /// The position's jabatan printed after the prefix ("Plt. Kepala Dinas …").
    pub jabatan: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    /// The letter or decree that made the appointment.
    pub basis: String,
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// What is filled in to appoint a Plt or Plh; `jabatan` defaults to the position's.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct NewAppointment {
    pub position: String,
    pub kind: AppointmentKind,
    pub official_id: i64,
    pub jabatan: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub basis: String,
}

/// Who signs, as printed in the signature block; frozen into a document when it is signed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignerSnapshot {
    pub position: String,
    pub jabatan: String,
    /// `Plt.` or `Plh.` for a stand-in, empty for the definitive holder.
    pub prefix: String,
    pub name: String,
    pub pangkat: String,
    pub nip: String,
    pub official_id: i64,
}

impl SignerSnapshot {
    /// The jabatan line with its prefix: "Plt. Kepala Dinas …".
    pub fn title_line(&self) -> String {
        if self.prefix.is_empty() {
            self.jabatan.clone()
        } else {
            format!("{} {}", self.prefix, self.jabatan)
        }
    }
}

/// Makes the SOP role an appointment gives match it. A Plt/Plh acts in the position's role
/// (a Plt. Kepala Dinas completes and signs step 6) for the appointment's days, so its
/// official's account holds that role for exactly those days, in a grant tagged with the
/// appointment: none once it is cancelled, the official has no account, or the position is no
/// SOP role; moved when the official is linked to another account. Each change is audited.
async fn sync_stand_in_role(
    conn: &mut sqlx::AnyConnection,
    unit_id: i64,
    appointment_id: i64,
    sop_roles: &[String],
    by: &User,
    now: DateTime<Utc>,
) -> Result<()> {
    let a = sqlx::query(
        "SELECT a.position, a.kind, a.valid_from, a.valid_to, a.cancelled_at, o.user_id
         FROM appointments a JOIN officials o ON o.id = a.official_id
         WHERE a.id = $1 AND a.unit_id = $2",
    )
    .bind(appointment_id)
    .bind(unit_id)
    .fetch_one(&mut *conn)
    .await?;
    let position: String = a.try_get("position")?;
    let kind = AppointmentKind::parse(&a.try_get::<String, _>("kind")?);
    let (from, to): (String, String) = (a.try_get("valid_from")?, a.try_get("valid_to")?);
    let open = a.try_get::<Option<String>, _>("cancelled_at")?.is_none();
    let wanted = a
        .try_get::<Option<i64>, _>("user_id")?
        .filter(|_| open && sop_roles.contains(&position));
    let held = sqlx::query(
        "SELECT g.id, g.user_id, u.username FROM user_roles g JOIN users u ON u.id = g.user_id
         WHERE g.appointment_id = $1",
    )
    .bind(appointment_id)
    .fetch_optional(&mut *conn)
    .await?;
    let held_by = held
        .as_ref()
        .map(|g| g.try_get::<i64, _>("user_id"))
        .transpose()?;
    if held_by == wanted {
        return Ok(());
    }
    let what = format!(
        "penunjukan {} {} {from} s.d. {to}",
        kind.prefix(),
        position_label(&position)
    );
    if let Some(g) = held {
        sqlx::query("DELETE FROM user_roles WHERE id = $1")
            .bind(g.try_get::<i64, _>("id")?)
            .execute(&mut *conn)
            .await?;
        let note = format!(
            "Peran {position} dicabut dari {} ({what})",
            g.try_get::<String, _>("username")?
        );
        audit::append(
            conn,
            audit::unit_entry(unit_id, Some(by), "role.revoked", &note, now),
        )
        .await?;
    }
    if let Some(account) = wanted {
        sqlx::query(
            "INSERT INTO user_roles (user_id, unit_id, role_key, valid_from, valid_to, appointment_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(account)
        .bind(unit_id)
        .bind(&position)
        .bind(&from)
        .bind(&to)
        .bind(appointment_id)
        .execute(&mut *conn)
        .await?;
        let username: String = sqlx::query("SELECT username FROM users WHERE id = $1")
            .bind(account)
            .fetch_one(&mut *conn)
            .await?
            .try_get("username")?;
        let note = format!("Peran {position} diberikan kepada {username} ({what})");
        audit::append(
            conn,
            audit::unit_entry(unit_id, Some(by), "role.granted", &note, now),
        )
        .await?;
    }
    Ok(())
}

/// Human name of a position key: `kepala-dinas` → "Kepala Dinas".
pub fn position_label(position: &str) -> String {
    match position {
        "kepala-dinas" => "Kepala Dinas".into(),
        "kepala-bidang" => "Kepala Bidang".into(),
        "sekretaris" => "Sekretaris".into(),
        "kepala-upt" => "Kepala UPT".into(),
        "kepala-seksi" => "Kepala Seksi".into(),
        other => other
            .split(['-', '_'])
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Checks a NIP: 18 digits once spaces are removed (it is often written in groups).
pub fn normalise_nip(field: &'static str, label: &str, nip: &str) -> Result<String> {
    let nip: String = nip.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(bad) = nip.chars().find(|c| !c.is_ascii_digit()) {
        return Err(StoreError::invalid(
            field,
            format!("{label} hanya boleh berisi angka; ditemukan \"{bad}\"."),
        ));
    }
    if nip.len() != 18 {
        return Err(StoreError::invalid(
            field,
            format!("{label} harus 18 angka; tertulis {} angka.", nip.len()),
        ));
    }
    Ok(nip)
}

fn validate(o: &NewOfficial) -> Result<NewOfficial> {
    let position = o.position.trim().to_lowercase();
    if position.is_empty()
        || !position
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(StoreError::invalid(
            "position",
            "Kunci jabatan wajib diisi, hanya huruf, angka dan tanda hubung (misalnya kepala-dinas).",
        ));
    }
    if o.name.trim().is_empty() {
        return Err(StoreError::invalid("name", "Nama pejabat wajib diisi."));
    }
    let nip = normalise_nip("nip", "NIP pejabat", &o.nip)?;
    if o.jabatan.trim().is_empty() {
        return Err(StoreError::invalid(
            "jabatan",
            "Jabatan pejabat wajib diisi.",
        ));
    }
    if let (Some(s), Some(u)) = (o.since, o.until) {
        if u < s {
            return Err(StoreError::invalid(
                "until",
                "Tanggal akhir jabatan tidak boleh sebelum tanggal mulai.",
            ));
        }
    }
    Ok(NewOfficial {
        position,
        name: o.name.trim().to_string(),
        nip,
        pangkat: o.pangkat.trim().to_string(),
        jabatan: o.jabatan.trim().to_string(),
        user_id: o.user_id,
        since: o.since,
        until: o.until,
    })
}

const OFFICIAL_COLUMNS: &str =
    "id, unit_id, position, name, nip, pangkat, jabatan, user_id, since, until, updated_at";
const APPOINTMENT_COLUMNS: &str =
    "id, unit_id, position, kind, official_id, jabatan, valid_from, valid_to, basis, cancelled_at";

impl Store {
    /// Adds an official of the unit.
    pub async fn create_official(
        &self,
        unit_id: i64,
        official: &NewOfficial,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Official> {
        let o = validate(official)?;
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO officials (unit_id, position, name, nip, pangkat, jabatan, user_id, since, until, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(unit_id)
        .bind(&o.position)
        .bind(&o.name)
        .bind(&o.nip)
        .bind(&o.pangkat)
        .bind(&o.jabatan)
        .bind(o.user_id)
        .bind(o.since.map(|d| d.to_string()))
        .bind(o.until.map(|d| d.to_string()))
        .bind(format_ts(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let note = format!("{} {} (NIP {})", position_label(&o.position), o.name, o.nip);
        audit::append(
            &mut tx,
            audit::unit_entry(unit_id, Some(by), "official.created", &note, now),
        )
        .await?;
        tx.commit().await?;
        self.official(unit_id, id).await
    }

    /// Changes an official's details; documents already signed keep the details they were signed with.
    pub async fn update_official(
        &self,
        unit_id: i64,
        id: i64,
        official: &NewOfficial,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Official> {
        let o = validate(official)?;
        let sop_roles = self.sop_role_keys(unit_id).await?;
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE officials SET position = $1, name = $2, nip = $3, pangkat = $4, jabatan = $5, user_id = $6,
                since = $7, until = $8, updated_at = $9 WHERE id = $10 AND unit_id = $11",
        )
        .bind(&o.position)
        .bind(&o.name)
        .bind(&o.nip)
        .bind(&o.pangkat)
        .bind(&o.jabatan)
        .bind(o.user_id)
        .bind(o.since.map(|d| d.to_string()))
        .bind(o.until.map(|d| d.to_string()))
        .bind(format_ts(now))
        .bind(id)
        .bind(unit_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound("pejabat"));
        }
        let note = format!("{} {} (NIP {})", position_label(&o.position), o.name, o.nip);
        audit::append(
            &mut tx,
            audit::unit_entry(unit_id, Some(by), "official.updated", &note, now),
        )
        .await?;
        // Linked to another account (or to none), the official's stand-in roles move with it.
        let appointments = sqlx::query(
            "SELECT id FROM appointments WHERE official_id = $1 AND unit_id = $2 AND cancelled_at IS NULL",
        )
        .bind(id)
        .bind(unit_id)
        .fetch_all(&mut *tx)
        .await?;
        for a in &appointments {
            let appointment: i64 = a.try_get("id")?;
            sync_stand_in_role(&mut tx, unit_id, appointment, &sop_roles, by, now).await?;
        }
        tx.commit().await?;
        self.official(unit_id, id).await
    }

    /// The role keys of the unit's newest SOP: a stand-in's position gives a role only if it is one.
    async fn sop_role_keys(&self, unit_id: i64) -> Result<Vec<String>> {
        let newest = self.latest_definition(unit_id).await?;
        Ok(self
            .definition(newest.id)
            .await?
            .roles
            .iter()
            .map(|r| r.key.clone())
            .collect())
    }

    /// An official of this unit.
    pub async fn official(&self, unit_id: i64, id: i64) -> Result<Official> {
        let row = sqlx::query(&format!(
            "SELECT {OFFICIAL_COLUMNS} FROM officials WHERE id = $1 AND unit_id = $2"
        ))
        .bind(id)
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("pejabat"))?;
        official_from_row(&row)
    }

    /// The unit's officials by position, then newest first.
    pub async fn list_officials(&self, unit_id: i64) -> Result<Vec<Official>> {
        sqlx::query(&format!(
            "SELECT {OFFICIAL_COLUMNS} FROM officials WHERE unit_id = $1 ORDER BY position, id DESC"
        ))
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(official_from_row)
        .collect()
    }

    /// Appoints a Plt or Plh; an overlapping appointment of the same kind for the position is refused.
    pub async fn appoint_official(
        &self,
        unit_id: i64,
        new: &NewAppointment,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Appointment> {
        let position = new.position.trim().to_lowercase();
        if position.is_empty() {
            return Err(StoreError::invalid(
                "position",
                "Jabatan yang diisi Plt/Plh wajib dipilih.",
            ));
        }
        if new.valid_to < new.valid_from {
            return Err(StoreError::invalid(
                "valid_to",
                "Tanggal akhir penunjukan tidak boleh sebelum tanggal mulai.",
            ));
        }
        let appointee = self.official(unit_id, new.official_id).await?;
        let label = position_label(&position);
        // A stand-in stands in for someone else: the holder cannot be their own Plt/Plh.
        if appointee.position == position && appointee.holds_on(new.valid_from) {
            return Err(StoreError::invalid(
                "official_id",
                format!(
                    "{} adalah {} definitif; Plt/Plh ditunjuk dari pejabat lain.",
                    appointee.name, label
                ),
            ));
        }
        let jabatan = match new
            .jabatan
            .as_deref()
            .map(str::trim)
            .filter(|j| !j.is_empty())
        {
            Some(j) => j.to_string(),
            None => self
                .list_officials(unit_id)
                .await?
                .into_iter()
                .find(|o| o.position == position && o.holds_on(new.valid_from))
                .map(|o| o.jabatan)
                .unwrap_or_else(|| label.clone()),
        };
        let sop_roles = self.sop_role_keys(unit_id).await?;
        let mut tx = self.pool.begin().await?;
        // Writes first (the audit bump takes the unit's lock), so the overlap check below cannot race.
        let note = format!(
            "{} {} {} s.d. {}: {}",
            new.kind.prefix(),
            label,
            new.valid_from,
            new.valid_to,
            appointee.name
        );
        audit::append(
            &mut tx,
            audit::unit_entry(unit_id, Some(by), "official.appointed", &note, now),
        )
        .await?;
        let overlap = sqlx::query(
            "SELECT valid_from, valid_to FROM appointments WHERE unit_id = $1 AND position = $2 AND kind = $3
                AND cancelled_at IS NULL AND valid_from <= $4 AND valid_to >= $5 LIMIT 1",
        )
        .bind(unit_id)
        .bind(&position)
        .bind(new.kind.as_str())
        .bind(new.valid_to.to_string())
        .bind(new.valid_from.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(o) = overlap {
            let (f, t): (String, String) = (o.try_get("valid_from")?, o.try_get("valid_to")?);
            return Err(StoreError::refused(
                "appointment_overlap",
                format!(
                    "Sudah ada {} {label} untuk {f} s.d. {t}; batalkan dulu atau pilih tanggal lain.",
                    new.kind.prefix()
                ),
            ));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO appointments (unit_id, position, kind, official_id, jabatan, valid_from, valid_to, basis, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(unit_id)
        .bind(&position)
        .bind(new.kind.as_str())
        .bind(appointee.id)
        .bind(&jabatan)
        .bind(new.valid_from.to_string())
        .bind(new.valid_to.to_string())
        .bind(new.basis.trim())
        .bind(by.id)
        .bind(format_ts(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        sync_stand_in_role(&mut tx, unit_id, id, &sop_roles, by, now).await?;
        tx.commit().await?;
        let row = sqlx::query(&format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        appointment_from_row(&row)
    }

    /// Cancels an appointment; letters already signed under it keep their signer.
    pub async fn cancel_appointment(
        &self,
        unit_id: i64,
        id: i64,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let sop_roles = self.sop_role_keys(unit_id).await?;
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE appointments SET cancelled_at = $1 WHERE id = $2 AND unit_id = $3 AND cancelled_at IS NULL",
        )
        .bind(format_ts(now))
        .bind(id)
        .bind(unit_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound("penunjukan Plt/Plh"));
        }
        // The role its official's account was given for the appointment's days goes with it.
        sync_stand_in_role(&mut tx, unit_id, id, &sop_roles, by, now).await?;
        let note = format!("penunjukan {id} dibatalkan");
        audit::append(
            &mut tx,
            audit::unit_entry(
                unit_id,
                Some(by),
                "official.appointment_cancelled",
                &note,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The unit's appointments that are not cancelled, newest start first.
    pub async fn list_appointments(&self, unit_id: i64) -> Result<Vec<Appointment>> {
        sqlx::query(&format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE unit_id = $1 AND cancelled_at IS NULL
             ORDER BY valid_from DESC, id DESC"
        ))
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(appointment_from_row)
        .collect()
    }

    /// Who signs for `position` on `date`: a Plh, else a Plt appointed for that date, else the definitive holder.
    ///
    /// Plh comes first because it stands in for whoever holds the position, Plt included, for a few days.
    pub async fn signer_on(
        &self,
        unit_id: i64,
        position: &str,
        date: NaiveDate,
    ) -> Result<SignerSnapshot> {
        let position = position.trim().to_lowercase();
        let day = date.to_string();
        let appointment = sqlx::query(&format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE unit_id = $1 AND position = $2
                AND cancelled_at IS NULL AND valid_from <= $3 AND valid_to >= $3
             ORDER BY CASE kind WHEN 'plh' THEN 0 ELSE 1 END, id DESC LIMIT 1"
        ))
        .bind(unit_id)
        .bind(&position)
        .bind(&day)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = appointment {
            let a = appointment_from_row(&row)?;
            let o = self.official(unit_id, a.official_id).await?;
            return Ok(SignerSnapshot {
                position,
                jabatan: a.jabatan,
                prefix: a.kind.prefix().into(),
                name: o.name,
                pangkat: o.pangkat,
                nip: o.nip,
                official_id: o.id,
            });
        }
        // Newest start wins when a handover left two rows open.
        let holder = sqlx::query(&format!(
            "SELECT {OFFICIAL_COLUMNS} FROM officials WHERE unit_id = $1 AND position = $2
                AND (since IS NULL OR since <= $3) AND (until IS NULL OR until >= $3)
             ORDER BY CASE WHEN since IS NULL THEN 0 ELSE 1 END DESC, since DESC, id DESC LIMIT 1"
        ))
        .bind(unit_id)
        .bind(&position)
        .bind(&day)
        .fetch_optional(&self.pool)
        .await?;
        match holder {
            Some(row) => {
                let o = official_from_row(&row)?;
                Ok(SignerSnapshot {
                    position,
                    jabatan: o.jabatan,
                    prefix: String::new(),
                    name: o.name,
                    pangkat: o.pangkat,
                    nip: o.nip,
                    official_id: o.id,
                })
            }
            None => {
                let label = position_label(&position);
                Err(StoreError::NotConfigured {
                    setting: format!("official:{position}"),
                    message: format!(
                        "{label} belum diisi di profil unit: isi pejabat {label} (berlaku pada {}) atau tunjuk Plt/Plh.",
                        laksana_calendar::tanggal_indonesia(date)
                    ),
                })
            }
        }
    }
}

fn date_col(row: &sqlx::any::AnyRow, col: &str) -> Result<Option<NaiveDate>> {
    let s: Option<String> = row.try_get(col)?;
    Ok(s.and_then(|s| s.parse().ok()))
}

fn official_from_row(row: &sqlx::any::AnyRow) -> Result<Official> {
    Ok(Official {
        id: row.try_get("id")?,
        unit_id: row.try_get("unit_id")?,
        position: row.try_get("position")?,
        name: row.try_get("name")?,
        nip: row.try_get("nip")?,
        pangkat: row.try_get("pangkat")?,
        jabatan: row.try_get("jabatan")?,
        user_id: row.try_get("user_id")?,
        since: date_col(row, "since")?,
        until: date_col(row, "until")?,
        updated_at: ts_col(row.try_get("updated_at")?).unwrap_or_default(),
    })
}

fn appointment_from_row(row: &sqlx::any::AnyRow) -> Result<Appointment> {
    let kind: String = row.try_get("kind")?;
    Ok(Appointment {
        id: row.try_get("id")?,
        unit_id: row.try_get("unit_id")?,
        position: row.try_get("position")?,
        kind: AppointmentKind::parse(&kind),
        official_id: row.try_get("official_id")?,
        jabatan: row.try_get("jabatan")?,
        valid_from: date_col(row, "valid_from")?.unwrap_or_default(),
        valid_to: date_col(row, "valid_to")?.unwrap_or_default(),
        basis: row.try_get("basis")?,
        cancelled_at: ts_col(row.try_get("cancelled_at")?),
    })
}
