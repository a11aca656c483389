//! Running the training: who is on the final list (the Panitia's confirmed list, adjusted by
//! the changes recorded since), the sessions and the attendance in them.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::time::ts_col;
use crate::{Result, Store};

/// A participant of the final list.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FinalParticipant {
    pub nomination_id: i64,
    pub recipient_id: i64,
    pub region_name: String,
    pub nik: String,
    pub nama: String,
    /// The participant record as JSON (`laksana_nomination::Participant`).
    pub data: String,
}

/// How many of the training's sessions a participant attended.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AttendanceTotal {
    pub nomination_id: i64,
    pub sessions: i64,
    pub present: i64,
}

/// One class session.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ClassSession {
    pub id: i64,
    pub training_id: i64,
    pub day: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub topic: String,
    pub instructor: String,
    pub room: String,
}

impl Store {
    /// The final list: the `utama` of the newest roster confirmation, plus those promoted
    /// (`masuk`) and minus those dropped (`keluar`) since, the newest change of each person
    /// deciding. Empty until the Panitia has confirmed a list. In arrival order.
    pub async fn final_participants(
        &self,
        unit_id: i64,
        training_id: i64,
    ) -> Result<Vec<FinalParticipant>> {
        let Some(confirmed) = self.latest_roster(unit_id, training_id).await? else {
            return Ok(Vec::new());
        };
        let snapshot: Vec<serde_json::Value> =
            serde_json::from_str(&confirmed.snapshot).unwrap_or_default();
        let mut ids: std::collections::BTreeSet<i64> = snapshot
            .iter()
            .filter(|v| v["status"] == "utama")
            .filter_map(|v| v["nomination_id"].as_i64())
            .collect();
        let changes = sqlx::query(
            "SELECT nomination_id, change FROM roster_changes
             WHERE unit_id = $1 AND training_id = $2 ORDER BY id",
        )
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        for c in &changes {
            let id: i64 = c.try_get("nomination_id")?;
            match c.try_get::<String, _>("change")?.as_str() {
                "masuk" => ids.insert(id),
                _ => ids.remove(&id),
            };
        }
        let rows = sqlx::query(
            "SELECT n.id, n.recipient_id, r.region_name, n.nik, n.nama, n.data FROM nominations n
             JOIN recipients r ON r.id = n.recipient_id
             WHERE n.unit_id = $1 AND n.training_id = $2 AND n.withdrawn_at IS NULL ORDER BY n.seq",
        )
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        let mut list = Vec::new();
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            if ids.contains(&id) {
                list.push(FinalParticipant {
                    nomination_id: id,
                    recipient_id: row.try_get("recipient_id")?,
                    region_name: row.try_get("region_name")?,
                    nik: row.try_get("nik")?,
                    nama: row.try_get("nama")?,
                    data: row.try_get("data")?,
                });
            }
        }
        Ok(list)
    }

    /// The training's sessions, in time order.
    pub async fn class_sessions(
        &self,
        unit_id: i64,
        training_id: i64,
    ) -> Result<Vec<ClassSession>> {
        let rows = sqlx::query(
            "SELECT id, training_id, day, starts_at, ends_at, topic, instructor, room FROM class_sessions
             WHERE unit_id = $1 AND training_id = $2 ORDER BY starts_at, id",
        )
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ClassSession {
                    id: r.try_get("id")?,
                    training_id: r.try_get("training_id")?,
                    day: r.try_get("day")?,
                    starts_at: ts_col(r.try_get("starts_at")?).unwrap_or_default(),
                    ends_at: ts_col(r.try_get("ends_at")?).unwrap_or_default(),
                    topic: r.try_get("topic")?,
                    instructor: r.try_get("instructor")?,
                    room: r.try_get("room")?,
                })
            })
            .collect()
    }

    /// For each participant of the final list: the number of sessions and of those attended
    /// ("hadir"). A participant without any record counts every session as missed.
    pub async fn attendance_totals(
        &self,
        unit_id: i64,
        training_id: i64,
    ) -> Result<Vec<AttendanceTotal>> {
        let sessions = self.class_sessions(unit_id, training_id).await?.len() as i64;
        let present = sqlx::query(
            "SELECT a.nomination_id, COUNT(*) AS present FROM attendance a
             JOIN class_sessions s ON s.id = a.session_id
             WHERE a.unit_id = $1 AND s.training_id = $2 AND a.status = 'hadir'
             GROUP BY a.nomination_id",
        )
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        let mut by_id = std::collections::HashMap::new();
        for r in &present {
            by_id.insert(
                r.try_get::<i64, _>("nomination_id")?,
                r.try_get::<i64, _>("present")?,
            );
        }
        Ok(self
            .final_participants(unit_id, training_id)
            .await?
            .into_iter()
            .map(|p| AttendanceTotal {
                nomination_id: p.nomination_id,
                sessions,
                present: by_id.get(&p.nomination_id).copied().unwrap_or(0),
            })
            .collect())
    }
}
