//! Units (a Dinas or a UPT BLK): every record belongs to one. One unit exists by default.

use chrono::{DateTime, Utc};
use laksana_calendar::Zone;
use sqlx::Row;

use crate::{format_ts, Result, Store, StoreError};

#[derive(Clone, Debug, serde::Serialize)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub zone: Zone,
    /// The head of unit's title, substituted for the SOP's literal "Kepala BKOM".
    pub head_title: String,
    /// Mail the holder of a step that passed its due time (on unless switched off).
    pub notify_overdue: bool,
    /// Tell the holder's superior when the step is late by a further standard time.
    pub notify_escalation: bool,
    /// The hash of the unit's newest audit entry when this row was read (a trigger keeps the
    /// column current in the audit entry's own transaction). Every change a unit's caches
    /// depend on is audited, so a unit read at the start of a request is the key that tells
    /// those caches whether they are still fresh, without a query of its own.
    #[serde(skip)]
    pub audit_head: String,
    /// How many audit entries the unit had when this row was read (the newest one's `seq`):
    /// with it a cache can ask which trainings the entries since its own reading touched.
    #[serde(skip)]
    pub audit_seq: i64,
}

impl Unit {
    /// Value of a unit setting named by an SOP substitution.
    pub fn setting(&self, key: &str) -> Option<String> {
        match key {
            "head_title" => Some(self.head_title.clone()),
            "unit_name" => Some(self.name.clone()),
            _ => None,
        }
    }
}

/// What kind of office a unit is: the provincial or regency Dinas, or a training centre under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    Dinas,
    Upt,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Dinas => "dinas",
            UnitKind::Upt => "upt",
        }
    }
    /// As the administrator's pages name it.
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Dinas => "Dinas",
            UnitKind::Upt => "UPT BLK",
        }
    }
    pub fn parse(s: &str) -> Option<UnitKind> {
        match s {
            "dinas" => Some(UnitKind::Dinas),
            "upt" => Some(UnitKind::Upt),
            _ => None,
        }
    }
}

/// What the installation administrator gives to open a unit.
pub struct NewUnit<'a> {
    /// Short stable code, e.g. `upt-blk-semarang` (letters, digits, hyphens).
    pub code: &'a str,
    pub name: &'a str,
    pub kind: UnitKind,
    pub zone: Zone,
    pub head_title: &'a str,
}

const DEFAULT_CODE: &str = "default";
pub(crate) const UNIT_COLUMNS: &str =
    "id, code, name, kind, zone, head_title, notify_overdue, notify_escalation, audit_head, audit_seq";

impl Store {
    /// The unit of a single-unit installation, created on first use.
    pub async fn default_unit(&self, now: DateTime<Utc>) -> Result<Unit> {
        if let Some(unit) = self.unit_by_code(DEFAULT_CODE).await? {
            return Ok(unit);
        }
        let unit = self.create_default_unit(now).await?;
        self.ensure_default_registers(unit.id, now).await?;
        Ok(unit)
    }

    async fn create_default_unit(&self, now: DateTime<Utc>) -> Result<Unit> {
        let inserted = sqlx::query(
            "INSERT INTO units (code, name, zone, head_title, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(DEFAULT_CODE)
        .bind("Dinas Tenaga Kerja")
        .bind("WIB")
        .bind("Kepala Dinas")
        .bind(format_ts(now))
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => {}
            // Two servers starting at once: the other one created it.
            Err(e) if StoreError::is_unique_violation(&e, "uq_unit_code") => {}
            Err(e) => return Err(e.into()),
        }
        self.unit_by_code(DEFAULT_CODE)
            .await?
            .ok_or(StoreError::NotFound("unit"))
    }

    pub async fn unit(&self, id: i64) -> Result<Unit> {
        let row = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("unit"))?;
        unit_from_row(&row)
    }

    async fn unit_by_code(&self, code: &str) -> Result<Option<Unit>> {
        let row = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE code = $1"))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| unit_from_row(&r)).transpose()
    }

    /// Every unit of the installation, in the order they were opened.
    pub async fn list_units(&self) -> Result<Vec<Unit>> {
        sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM units ORDER BY id"))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(unit_from_row)
            .collect()
    }

    /// Opens a unit with its registers; the caller gives it its SOP and kop.
    pub async fn create_unit(&self, new: NewUnit<'_>, now: DateTime<Utc>) -> Result<Unit> {
        let code = new.code.trim().to_lowercase();
        if code.is_empty()
            || code.len() > 40
            || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(StoreError::invalid(
                "code",
                "Kode unit wajib diisi: huruf, angka atau tanda hubung, paling panjang 40.",
            ));
        }
        if new.name.trim().is_empty() {
            return Err(StoreError::invalid("name", "Nama unit wajib diisi."));
        }
        if new.head_title.trim().is_empty() {
            return Err(StoreError::invalid(
                "head_title",
                "Jabatan kepala unit wajib diisi.",
            ));
        }
        let inserted = sqlx::query(
            "INSERT INTO units (code, name, kind, zone, head_title, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(&code)
        .bind(new.name.trim())
        .bind(new.kind.as_str())
        .bind(new.zone.to_string())
        .bind(new.head_title.trim())
        .bind(format_ts(now))
        .fetch_one(&self.pool)
        .await;
        let id: i64 = match inserted {
            Ok(row) => row.try_get("id")?,
            Err(e) if StoreError::is_unique_violation(&e, "uq_unit_code") => {
                return Err(StoreError::invalid(
                    "code",
                    format!("Kode unit \"{code}\" sudah dipakai."),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        self.ensure_default_registers(id, now).await?;
        self.unit(id).await
    }

    /// Changes the unit's name, zone and head-of-unit title.
    pub async fn update_unit(
        &self,
        id: i64,
        name: &str,
        zone: Zone,
        head_title: &str,
        by: Option<&crate::User>,
    ) -> Result<()> {
        if name.trim().is_empty() {
            return Err(StoreError::invalid("name", "Nama unit wajib diisi."));
        }
        if head_title.trim().is_empty() {
            return Err(StoreError::invalid(
                "head_title",
                "Jabatan kepala unit wajib diisi.",
            ));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE units SET name = $1, zone = $2, head_title = $3 WHERE id = $4")
            .bind(name.trim())
            .bind(zone.to_string())
            .bind(head_title.trim())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let note = format!(
            "Unit: nama {}, zona waktu {zone}, jabatan kepala {}",
            name.trim(),
            head_title.trim()
        );
        crate::audit::append_admin(&mut tx, id, by, "unit.updated", &note).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Switches the overdue notice and the escalation to the superior on or off.
    pub async fn set_overdue_notices(
        &self,
        id: i64,
        notify_overdue: bool,
        notify_escalation: bool,
        by: Option<&crate::User>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE units SET notify_overdue = $1, notify_escalation = $2 WHERE id = $3")
            .bind(notify_overdue as i64)
            .bind(notify_escalation as i64)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let onoff = |b: bool| if b { "aktif" } else { "mati" };
        let note = format!(
            "Pemberitahuan keterlambatan {}, eskalasi ke atasan {}",
            onoff(notify_overdue),
            onoff(notify_escalation)
        );
        crate::audit::append_admin(&mut tx, id, by, "unit.notices_updated", &note).await?;
        tx.commit().await?;
        Ok(())
    }
}

pub(crate) fn unit_from_row(row: &sqlx::any::AnyRow) -> Result<Unit> {
    let zone: String = row.try_get("zone")?;
    Ok(Unit {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        kind: UnitKind::parse(&row.try_get::<String, _>("kind")?).unwrap_or(UnitKind::Dinas),
        zone: zone.parse().unwrap_or(Zone::Wib),
        head_title: row.try_get("head_title")?,
        notify_overdue: row.try_get::<i64, _>("notify_overdue")? != 0,
        notify_escalation: row.try_get::<i64, _>("notify_escalation")? != 0,
        audit_head: row.try_get("audit_head")?,
        audit_seq: row.try_get("audit_seq")?,
    })
}
