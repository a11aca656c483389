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
    pub zone: Zone,
    /// The head of unit's title, substituted for the SOP's literal "Kepala BKOM".
    pub head_title: String,
    /// Mail the holder of a step that passed its due time (on unless switched off).
    pub notify_overdue: bool,
    /// Tell the holder's superior when the step is late by a further standard time.
    pub notify_escalation: bool,
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

const DEFAULT_CODE: &str = "default";

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
        let row = sqlx::query("SELECT id, code, name, zone, head_title, notify_overdue, notify_escalation FROM units WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("unit"))?;
        unit_from_row(&row)
    }

    async fn unit_by_code(&self, code: &str) -> Result<Option<Unit>> {
        let row = sqlx::query("SELECT id, code, name, zone, head_title, notify_overdue, notify_escalation FROM units WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| unit_from_row(&r)).transpose()
    }

    /// Changes the unit's name, zone and head-of-unit title.
    pub async fn update_unit(
        &self,
        id: i64,
        name: &str,
        zone: Zone,
        head_title: &str,
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
        sqlx::query("UPDATE units SET name = $1, zone = $2, head_title = $3 WHERE id = $4")
            .bind(name.trim())
            .bind(zone.to_string())
            .bind(head_title.trim())
            .bind(id)
            .execute(&self.pool)
            .await?;
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
    ) -> Result<()> {
        sqlx::query("UPDATE units SET notify_overdue = $1, notify_escalation = $2 WHERE id = $3")
            .bind(notify_overdue as i64)
            .bind(notify_escalation as i64)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

fn unit_from_row(row: &sqlx::any::AnyRow) -> Result<Unit> {
    let zone: String = row.try_get("zone")?;
    Ok(Unit {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        zone: zone.parse().unwrap_or(Zone::Wib),
        head_title: row.try_get("head_title")?,
        notify_overdue: row.try_get::<i64, _>("notify_overdue")? != 0,
        notify_escalation: row.try_get::<i64, _>("notify_escalation")? != 0,
    })
}
