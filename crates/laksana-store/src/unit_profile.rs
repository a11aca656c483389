//! The unit profile (kop surat, place, codes, verification URL), kept as an append-only history.

use chrono::{DateTime, Utc};
use laksana_calendar::Zone;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, NewEntry};
use crate::time::ts_col;
use crate::{format_ts, Result, Store, StoreError, User};

/// Kode klasifikasi arsip for training letters (Permendagri 83/2022: 500.15.4 Bina Lembaga dan Sarana Pelatihan Kerja).
pub const DEFAULT_KODE_KLASIFIKASI: &str = "500.15.4";
/// Unit code printed in letter numbers until the unit sets its own.
pub const DEFAULT_UNIT_CODE: &str = "BLK";
/// Largest logo accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;

/// One version of a unit's profile; version 0 is the built-in default, never saved.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UnitProfile {
    pub unit_id: i64,
    pub version: i64,
    #[serde(skip)]
    pub logo: Option<Vec<u8>>,
    pub logo_mime: Option<String>,
    /// Kop lines, top to bottom (one to three), e.g. "PEMERINTAH PROVINSI …", "DINAS …".
    pub name_lines: Vec<String>,
    pub address: String,
    pub telephone: String,
    pub email: String,
    pub website: String,
    /// Place name of the date line ("Semarang, 5 Desember 2026").
    pub place: String,
    pub zone: Zone,
    pub head_title: String,
    pub kode_klasifikasi: String,
    /// Unit code of letter numbers, e.g. `BLK` in `500.15.4/12/BLK`.
    pub unit_code: String,
    /// Base of the public verification links, e.g. `https://laksana.example.go.id`.
    pub public_base_url: String,
    pub saved_by: Option<i64>,
    pub saved_by_name: Option<String>,
    pub saved_at: Option<DateTime<Utc>>,
}

/// What an administrator fills in to save a new profile version.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct NewUnitProfile {
    #[serde(skip)]
    pub logo: Option<Vec<u8>>,
    pub logo_mime: Option<String>,
    pub name_lines: Vec<String>,
    pub address: String,
    pub telephone: String,
    pub email: String,
    pub website: String,
    pub place: String,
    pub zone: Zone,
    pub head_title: String,
    pub kode_klasifikasi: String,
    pub unit_code: String,
    pub public_base_url: String,
}

impl UnitProfile {
    /// The verification link printed on a signed document.
    pub fn verification_url(&self, token: &str) -> String {
        format!(
            "{}/verifikasi/{token}",
            self.public_base_url.trim_end_matches('/')
        )
    }

    /// The profile as a form to edit (the logo is kept unless replaced).
    pub fn to_new(&self) -> NewUnitProfile {
        NewUnitProfile {
            logo: self.logo.clone(),
            logo_mime: self.logo_mime.clone(),
            name_lines: self.name_lines.clone(),
            address: self.address.clone(),
            telephone: self.telephone.clone(),
            email: self.email.clone(),
            website: self.website.clone(),
            place: self.place.clone(),
            zone: self.zone,
            head_title: self.head_title.clone(),
            kode_klasifikasi: self.kode_klasifikasi.clone(),
            unit_code: self.unit_code.clone(),
            public_base_url: self.public_base_url.clone(),
        }
    }
}

/// A classification code is dot-separated digit groups, e.g. `500.15.4`.
pub(crate) fn check_kode(field: &'static str, kode: &str) -> Result<()> {
    let ok = !kode.is_empty()
        && kode
            .split('.')
            .all(|g| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            format!(
                "Kode klasifikasi \"{kode}\" tidak sah: tulis angka dipisah titik, misalnya {DEFAULT_KODE_KLASIFIKASI}."
            ),
        ))
    }
}

fn check_url(field: &'static str, label: &str, url: &str) -> Result<()> {
    if url.is_empty() || url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(StoreError::invalid(
            field,
            format!("{label} harus diawali https:// atau http://."),
        ))
    }
}

fn validate(p: &NewUnitProfile) -> Result<NewUnitProfile> {
    let lines: Vec<String> = p
        .name_lines
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() || lines.len() > 3 {
        return Err(StoreError::invalid(
            "name_lines",
            "Nama instansi pada kop surat wajib diisi, paling banyak 3 baris.",
        ));
    }
    let email = p.email.trim();
    if !email.is_empty() && (!email.contains('@') || email.contains(' ')) {
        return Err(StoreError::invalid(
            "email",
            format!("Alamat e-mail \"{email}\" tidak sah."),
        ));
    }
    check_url("website", "Laman (website)", p.website.trim())?;
    check_url(
        "public_base_url",
        "Alamat publik untuk tautan verifikasi",
        p.public_base_url.trim(),
    )?;
    if p.head_title.trim().is_empty() {
        return Err(StoreError::invalid(
            "head_title",
            "Jabatan kepala unit wajib diisi.",
        ));
    }
    check_kode("kode_klasifikasi", p.kode_klasifikasi.trim())?;
    let unit_code = p.unit_code.trim();
    if unit_code.is_empty() || unit_code.contains(['{', '}']) {
        return Err(StoreError::invalid(
            "unit_code",
            "Kode unit untuk nomor surat wajib diisi (misalnya BLK) dan tanpa tanda { }.",
        ));
    }
    if p.logo.as_ref().is_some_and(|l| l.len() > MAX_LOGO_BYTES) {
        return Err(StoreError::invalid(
            "logo",
            format!("Logo paling besar {} MB.", MAX_LOGO_BYTES / (1024 * 1024)),
        ));
    }
    Ok(NewUnitProfile {
        logo: p.logo.clone(),
        logo_mime: p.logo.as_ref().and(p.logo_mime.clone()),
        name_lines: lines,
        address: p.address.trim().to_string(),
        telephone: p.telephone.trim().to_string(),
        email: email.to_string(),
        website: p.website.trim().to_string(),
        place: p.place.trim().to_string(),
        zone: p.zone,
        head_title: p.head_title.trim().to_string(),
        kode_klasifikasi: p.kode_klasifikasi.trim().to_string(),
        unit_code: unit_code.to_string(),
        public_base_url: p.public_base_url.trim().trim_end_matches('/').to_string(),
    })
}

const COLUMNS: &str = "unit_id, version, logo, logo_mime, name_lines, address, telephone, email, website,
    place, zone, head_title, kode_klasifikasi, unit_code, public_base_url, saved_by, saved_by_name, saved_at";

impl Store {
    /// Saves a new version of the unit's profile; earlier versions stay for documents that used them.
    pub async fn save_unit_profile(
        &self,
        unit_id: i64,
        profile: &NewUnitProfile,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<UnitProfile> {
        let p = validate(profile)?;
        let lines = serde_json::to_string(&p.name_lines).expect("strings serialise");
        let mut tx = self.pool.begin().await?;
        // Also kept on the unit row, which the SOP substitutions and deadlines read.
        let updated = sqlx::query("UPDATE units SET zone = $1, head_title = $2 WHERE id = $3")
            .bind(p.zone.to_string())
            .bind(&p.head_title)
            .bind(unit_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound("unit"));
        }
        let inserted = sqlx::query(
            "INSERT INTO unit_profiles (unit_id, version, logo, logo_mime, name_lines, address, telephone,
                email, website, place, zone, head_title, kode_klasifikasi, unit_code, public_base_url,
                saved_by, saved_by_name, saved_at)
             VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM unit_profiles WHERE unit_id = $1),
                $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
             RETURNING version",
        )
        .bind(unit_id)
        .bind(p.logo.clone())
        .bind(p.logo_mime.clone())
        .bind(&lines)
        .bind(&p.address)
        .bind(&p.telephone)
        .bind(&p.email)
        .bind(&p.website)
        .bind(&p.place)
        .bind(p.zone.to_string())
        .bind(&p.head_title)
        .bind(&p.kode_klasifikasi)
        .bind(&p.unit_code)
        .bind(&p.public_base_url)
        .bind(by.id)
        .bind(&by.full_name)
        .bind(format_ts(now))
        .fetch_one(&mut *tx)
        .await;
        let version: i64 = match inserted {
            Ok(row) => row.try_get("version")?,
            Err(e) if StoreError::is_unique_violation(&e, "uq_unit_profile_version") => {
                return Err(StoreError::refused(
                    "concurrent_update",
                    "Profil unit baru saja disimpan oleh pengguna lain; muat ulang lalu simpan lagi.",
                ))
            }
            Err(e) => return Err(e.into()),
        };
        audit::append(
            &mut tx,
            NewEntry {
                unit_id,
                training_id: None,
                actor_id: Some(by.id),
                actor_name: &by.full_name,
                actor_role: None,
                action: "unit_profile.saved",
                step_no: None,
                round: None,
                note: Some(&format!("profil unit versi {version}")),
                state_before: None,
                state_after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        self.unit_profile(unit_id).await
    }

    /// The profile in force: the newest saved version, or defaults from the unit when none is saved.
    pub async fn unit_profile(&self, unit_id: i64) -> Result<UnitProfile> {
        let mut conn = self.pool.acquire().await?;
        profile_in(&mut conn, unit_id).await
    }

    /// Every saved version, newest first.
    pub async fn unit_profile_history(&self, unit_id: i64) -> Result<Vec<UnitProfile>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM unit_profiles WHERE unit_id = $1 ORDER BY version DESC"
        ))
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(profile_from_row).collect()
    }
}

/// The profile in force, read on the caller's connection (inside a signing transaction).
pub(crate) async fn profile_in(conn: &mut AnyConnection, unit_id: i64) -> Result<UnitProfile> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM unit_profiles WHERE unit_id = $1 ORDER BY version DESC LIMIT 1"
    ))
    .bind(unit_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = row {
        return profile_from_row(&row);
    }
    let unit = sqlx::query("SELECT name, zone, head_title FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("unit"))?;
    let zone: String = unit.try_get("zone")?;
    let name: String = unit.try_get("name")?;
    Ok(UnitProfile {
        unit_id,
        version: 0,
        logo: None,
        logo_mime: None,
        name_lines: vec![name.to_uppercase()],
        address: String::new(),
        telephone: String::new(),
        email: String::new(),
        website: String::new(),
        place: String::new(),
        zone: zone.parse().unwrap_or(Zone::Wib),
        head_title: unit.try_get("head_title")?,
        kode_klasifikasi: DEFAULT_KODE_KLASIFIKASI.into(),
        unit_code: DEFAULT_UNIT_CODE.into(),
        public_base_url: String::new(),
        saved_by: None,
        saved_by_name: None,
        saved_at: None,
    })
}

fn profile_from_row(row: &sqlx::any::AnyRow) -> Result<UnitProfile> {
    let lines: String = row.try_get("name_lines")?;
    let zone: String = row.try_get("zone")?;
    Ok(UnitProfile {
        unit_id: row.try_get("unit_id")?,
        version: row.try_get("version")?,
        logo: row.try_get("logo")?,
        logo_mime: row.try_get("logo_mime")?,
        name_lines: serde_json::from_str(&lines)
            .map_err(|e| StoreError::CorruptDefinition(format!("unit_profiles.name_lines: {e}")))?,
        address: row.try_get("address")?,
        telephone: row.try_get("telephone")?,
        email: row.try_get("email")?,
        website: row.try_get("website")?,
        place: row.try_get("place")?,
        zone: zone.parse().unwrap_or(Zone::Wib),
        head_title: row.try_get("head_title")?,
        kode_klasifikasi: row.try_get("kode_klasifikasi")?,
        unit_code: row.try_get("unit_code")?,
        public_base_url: row.try_get("public_base_url")?,
        saved_by: row.try_get("saved_by")?,
        saved_by_name: row.try_get("saved_by_name")?,
        saved_at: ts_col(row.try_get("saved_at")?),
    })
}
