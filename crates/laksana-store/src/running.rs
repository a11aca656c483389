//! Running the training: who is on the final list (the Panitia's confirmed list, adjusted by
//! the changes recorded since), the sessions and the attendance in them.

use chrono::{DateTime, Utc};
use sha2::Digest;
use sqlx::Row;

use crate::audit::{self, NewEntry};
use crate::lock::{self, Sequence};
use crate::time::ts_col;
use crate::{format_ts, Result, Store, StoreError, Unit, User};

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

/// A `class_sessions` row selected with id, training_id, day, starts_at, ends_at, topic,
/// instructor and room.
fn session_from_row(r: &sqlx::any::AnyRow) -> Result<ClassSession> {
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
        rows.iter().map(session_from_row).collect()
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

/// The SOP step of the preparation meeting, and of the training itself.
pub const MEETING_STEP_KEY: &str = "rapat-persiapan";
pub const TRAINING_STEP_KEY: &str = "pelaksanaan-pelatihan";
/// Guards: the meeting recorded with its notulen; the final list confirmed; attendance taken.
pub const MEETING_ARTIFACT: &str = "notulen-rapat";
pub const ROSTER_ARTIFACT: &str = "daftar-peserta";
pub const ATTENDANCE_ARTIFACT: &str = "daftar-hadir";

pub const ATTENDANCE_STATUSES: [(&str, &str); 4] = [
    ("hadir", "Hadir"),
    ("izin", "Izin"),
    ("sakit", "Sakit"),
    ("alpa", "Tanpa keterangan"),
];

/// One person at the meeting.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MeetingAttendee {
    pub name: String,
    #[serde(default)]
    pub jabatan: String,
    #[serde(default)]
    pub hadir: bool,
}

/// The record of the rapat internal persiapan.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Meeting {
    pub agenda: String,
    pub held_at: Option<DateTime<Utc>>,
    pub place: String,
    pub attendees: Vec<MeetingAttendee>,
    pub notulen: String,
    pub decisions: String,
    pub saved_by_name: String,
    pub saved_at: Option<DateTime<Utc>>,
}

impl Meeting {
    /// Whether the record is complete enough for step 9 to finish.
    pub fn is_complete(&self) -> bool {
        self.held_at.is_some()
            && !self.place.trim().is_empty()
            && !self.notulen.trim().is_empty()
            && self.attendees.iter().any(|a| a.hadir)
    }
}

/// A participant to drop (`keluar`) or to promote from the reserves (`masuk`), and why.
#[derive(Clone, Copy, Debug)]
pub struct RosterChange<'a> {
    pub nomination_id: i64,
    pub change: &'a str,
    pub reason: &'a str,
}

/// A session to add.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub day: chrono::NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub topic: String,
    pub instructor: String,
    pub room: String,
}

/// One attendance mark, as a device recorded it.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Mark {
    pub nomination_id: i64,
    pub status: String,
    /// When it was marked; a device that was offline sends it later with this time.
    pub recorded_at: DateTime<Utc>,
}

/// A participant's attendance in one session.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AttendanceRow {
    pub nomination_id: i64,
    pub status: String,
    pub via: String,
    pub recorded_at: DateTime<Utc>,
}

/// Why a QR check-in was refused; the message is for the participant's phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckIn {
    Recorded { name: String, topic: String },
    AlreadyIn { name: String, at: DateTime<Utc> },
}

fn refused(code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Refused {
        code,
        message: message.into(),
    }
}

impl Store {
    /// Whether `user` acts as the Panitia of this training today: the signed SK's members,
    /// or, before the SK, the holders of the role.
    pub async fn is_committee(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let today = now.with_timezone(&unit.zone.offset()).date_naive();
        Ok(match self.committee_accounts(unit.id, training_id).await? {
            Some(members) => members.contains(&user.id),
            None => user
                .roles_on(unit.id, today)
                .iter()
                .any(|r| r == crate::COMMITTEE_ROLE),
        })
    }

    async fn require_committee(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if self.is_committee(unit, user, training_id, now).await? {
            Ok(())
        } else {
            Err(refused(
                "not_committee",
                "Hanya Panitia pelatihan ini (anggota Keputusan Panitia) yang dapat melakukannya.",
            ))
        }
    }

    pub async fn meeting(&self, unit_id: i64, training_id: i64) -> Result<Option<Meeting>> {
        let row = sqlx::query(
            "SELECT m.agenda, m.held_at, m.place, m.attendees, m.notulen, m.decisions, m.saved_at,
                    COALESCE(u.full_name, '') AS saved_by_name
             FROM meetings m LEFT JOIN users u ON u.id = m.saved_by
             WHERE m.unit_id = $1 AND m.training_id = $2",
        )
        .bind(unit_id)
        .bind(training_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let attendees: String = r.try_get("attendees")?;
            Ok(Meeting {
                agenda: r.try_get("agenda")?,
                held_at: ts_col(r.try_get("held_at")?),
                place: r.try_get("place")?,
                attendees: serde_json::from_str(&attendees).unwrap_or_default(),
                notulen: r.try_get("notulen")?,
                decisions: r.try_get("decisions")?,
                saved_by_name: r.try_get("saved_by_name")?,
                saved_at: ts_col(r.try_get("saved_at")?),
            })
        })
        .transpose()
    }

    /// Saves the meeting record (Panitia, while the meeting step or the training runs).
    pub async fn save_meeting(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        m: &Meeting,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.require_committee(unit, user, training_id, now).await?;
        self.require_step_open(unit.id, training_id, &[MEETING_STEP_KEY], "Notulen rapat")
            .await?;
        let attendees = serde_json::to_string(&m.attendees).expect("attendees serialise");
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO meetings (unit_id, training_id, agenda, held_at, place, attendees, notulen, decisions, saved_by, saved_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (training_id) DO UPDATE SET agenda = excluded.agenda, held_at = excluded.held_at,
                place = excluded.place, attendees = excluded.attendees, notulen = excluded.notulen,
                decisions = excluded.decisions, saved_by = excluded.saved_by, saved_at = excluded.saved_at",
        )
        .bind(unit.id)
        .bind(training_id)
        .bind(m.agenda.trim())
        .bind(m.held_at.map(format_ts))
        .bind(m.place.trim())
        .bind(&attendees)
        .bind(m.notulen.trim())
        .bind(m.decisions.trim())
        .bind(user.id)
        .bind(format_ts(now))
        .execute(&mut *tx)
        .await?;
        let state = serde_json::json!({
            "agenda": m.agenda, "tempat": m.place, "peserta_rapat": m.attendees,
            "notulen": m.notulen, "keputusan": m.decisions,
        })
        .to_string();
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(training_id),
                actor_id: Some(user.id),
                actor_name: &user.full_name,
                actor_role: Some(crate::COMMITTEE_ROLE),
                action: "meeting.saved",
                step_no: None,
                round: None,
                note: Some("Notulen rapat persiapan disimpan"),
                state_before: None,
                state_after: Some(&state),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Refuses unless the training's active step is one of `keys`.
    async fn require_step_open(
        &self,
        unit_id: i64,
        training_id: i64,
        keys: &[&str],
        what: &str,
    ) -> Result<()> {
        let detail = self.training_detail(unit_id, training_id).await?;
        let open = detail
            .active_run()
            .and_then(|r| detail.definition.step(r.step_no as u32))
            .is_some_and(|s| keys.contains(&s.key.as_str()));
        if open {
            Ok(())
        } else {
            Err(refused(
                "wrong_step",
                format!("{what} hanya dapat diubah selama langkah rapat persiapan atau pelaksanaan pelatihan berjalan."),
            ))
        }
    }

    /// Drops a participant from the final list or promotes one from the reserves, with a reason.
    pub async fn change_roster(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        c: &RosterChange<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (nomination_id, change, reason) = (c.nomination_id, c.change, c.reason);
        self.require_committee(unit, user, training_id, now).await?;
        self.require_step_open(
            unit.id,
            training_id,
            &[MEETING_STEP_KEY, TRAINING_STEP_KEY],
            "Daftar peserta",
        )
        .await?;
        if self.latest_roster(unit.id, training_id).await?.is_none() {
            return Err(refused(
                "roster_not_confirmed",
                "Konfirmasi dulu daftar peserta di halaman Calon peserta.",
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid {
                field: "alasan",
                message: "Tuliskan alasan perubahan daftar peserta.".into(),
            });
        }
        let n = self.nomination(unit.id, nomination_id).await?;
        if n.training_id != training_id {
            return Err(StoreError::NotFound("calon peserta"));
        }
        let in_list = self
            .final_participants(unit.id, training_id)
            .await?
            .iter()
            .any(|p| p.nomination_id == nomination_id);
        match (change, in_list) {
            ("keluar", false) => {
                return Err(refused(
                    "not_in_list",
                    format!("{} tidak ada dalam daftar peserta.", n.nama),
                ))
            }
            ("masuk", true) => {
                return Err(refused(
                    "already_in_list",
                    format!("{} sudah ada dalam daftar peserta.", n.nama),
                ))
            }
            ("keluar", true) | ("masuk", false) => {}
            _ => {
                return Err(StoreError::Invalid {
                    field: "perubahan",
                    message: "Perubahan tidak dikenal.".into(),
                })
            }
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO roster_changes (unit_id, training_id, nomination_id, change, reason, changed_by, changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(unit.id)
        .bind(training_id)
        .bind(nomination_id)
        .bind(change)
        .bind(reason)
        .bind(user.id)
        .bind(format_ts(now))
        .execute(&mut *tx)
        .await?;
        let note = if change == "keluar" {
            format!("{} dikeluarkan dari daftar peserta: {reason}", n.nama)
        } else {
            format!("{} dimasukkan dari cadangan: {reason}", n.nama)
        };
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(training_id),
                actor_id: Some(user.id),
                actor_name: &user.full_name,
                actor_role: Some(crate::COMMITTEE_ROLE),
                action: "roster.changed",
                step_no: None,
                round: None,
                note: Some(&note),
                state_before: None,
                state_after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds sessions (Panitia, at the meeting or during the training).
    pub async fn add_sessions(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        sessions: &[NewSession],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        self.require_committee(unit, user, training_id, now).await?;
        self.require_step_open(
            unit.id,
            training_id,
            &[MEETING_STEP_KEY, TRAINING_STEP_KEY],
            "Jadwal sesi",
        )
        .await?;
        for (i, s) in sessions.iter().enumerate() {
            if s.topic.trim().is_empty() {
                return Err(StoreError::Invalid {
                    field: "topik",
                    message: format!("Sesi {}: topik wajib diisi.", i + 1),
                });
            }
            if s.ends_at <= s.starts_at {
                return Err(StoreError::Invalid {
                    field: "selesai",
                    message: format!("Sesi {}: jam selesai harus sesudah jam mulai.", i + 1),
                });
            }
        }
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::new();
        for s in sessions {
            let secret = crate::random_hex(16);
            let id: i64 = sqlx::query(
                "INSERT INTO class_sessions (unit_id, training_id, day, starts_at, ends_at, topic, instructor, room, qr_secret, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(unit.id)
            .bind(training_id)
            .bind(s.day.format("%Y-%m-%d").to_string())
            .bind(format_ts(s.starts_at))
            .bind(format_ts(s.ends_at))
            .bind(s.topic.trim())
            .bind(s.instructor.trim())
            .bind(s.room.trim())
            .bind(&secret)
            .bind(format_ts(now))
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            ids.push(id);
        }
        let note = format!(
            "{} sesi ditambahkan: {}",
            sessions.len(),
            sessions
                .iter()
                .map(|s| s.topic.trim().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(training_id),
                actor_id: Some(user.id),
                actor_name: &user.full_name,
                actor_role: Some(crate::COMMITTEE_ROLE),
                action: "session.added",
                step_no: None,
                round: None,
                note: Some(&note),
                state_before: None,
                state_after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    pub async fn class_session(&self, unit_id: i64, session_id: i64) -> Result<ClassSession> {
        let r = sqlx::query(
            "SELECT id, training_id, day, starts_at, ends_at, topic, instructor, room FROM class_sessions
             WHERE unit_id = $1 AND id = $2",
        )
        .bind(unit_id)
        .bind(session_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("sesi"))?;
        session_from_row(&r)
    }

    /// The secret of a session's room QR code (for the Panitia's session page).
    pub async fn session_qr_secret(&self, unit_id: i64, session_id: i64) -> Result<String> {
        let r = sqlx::query("SELECT qr_secret FROM class_sessions WHERE unit_id = $1 AND id = $2")
            .bind(unit_id)
            .bind(session_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("sesi"))?;
        Ok(r.try_get("qr_secret")?)
    }

    pub async fn session_attendance(
        &self,
        unit_id: i64,
        session_id: i64,
    ) -> Result<Vec<AttendanceRow>> {
        let rows = sqlx::query(
            "SELECT nomination_id, status, via, recorded_at FROM attendance WHERE unit_id = $1 AND session_id = $2",
        )
        .bind(unit_id)
        .bind(session_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AttendanceRow {
                    nomination_id: r.try_get("nomination_id")?,
                    status: r.try_get("status")?,
                    via: r.try_get("via")?,
                    recorded_at: ts_col(r.try_get("recorded_at")?).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Records a batch of marks for one session, all or none. A mark recorded earlier than the
    /// one already stored for that person is older news and is ignored, so a device that comes
    /// back online late cannot overwrite a newer mark. Returns how many marks changed something.
    pub async fn mark_attendance(
        &self,
        unit: &Unit,
        user: &User,
        session_id: i64,
        marks: &[Mark],
        via: &str,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let session = self.class_session(unit.id, session_id).await?;
        self.require_committee(unit, user, session.training_id, now)
            .await?;
        self.require_step_open(
            unit.id,
            session.training_id,
            &[TRAINING_STEP_KEY],
            "Daftar hadir",
        )
        .await?;
        let list: std::collections::HashMap<i64, String> = self
            .final_participants(unit.id, session.training_id)
            .await?
            .into_iter()
            .map(|p| (p.nomination_id, p.nama))
            .collect();
        for m in marks {
            if !ATTENDANCE_STATUSES.iter().any(|(k, _)| *k == m.status) {
                return Err(StoreError::Invalid {
                    field: "status",
                    message: format!("Status kehadiran \"{}\" tidak dikenal.", m.status),
                });
            }
            if !list.contains_key(&m.nomination_id) {
                return Err(refused(
                    "not_a_participant",
                    format!(
                        "Peserta nomor {} tidak ada dalam daftar peserta pelatihan ini; tidak ada yang disimpan.",
                        m.nomination_id
                    ),
                ));
            }
            if m.recorded_at > now + chrono::Duration::minutes(5) {
                return Err(StoreError::Invalid {
                    field: "recorded_at",
                    message: "Waktu pencatatan di masa depan: periksa jam perangkat. Tidak ada yang disimpan.".into(),
                });
            }
        }
        let mut tx = self.pool.begin().await?;
        let mut changed = 0;
        for m in marks {
            let done = sqlx::query(
                "INSERT INTO attendance (unit_id, session_id, nomination_id, status, via, recorded_at, received_at, recorded_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (session_id, nomination_id) DO UPDATE SET status = excluded.status,
                    via = excluded.via, recorded_at = excluded.recorded_at,
                    received_at = excluded.received_at, recorded_by = excluded.recorded_by
                 WHERE attendance.recorded_at <= excluded.recorded_at",
            )
            .bind(unit.id)
            .bind(session_id)
            .bind(m.nomination_id)
            .bind(&m.status)
            .bind(via)
            .bind(format_ts(m.recorded_at))
            .bind(format_ts(now))
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
            changed += done.rows_affected() as usize;
        }
        let note = format!(
            "Daftar hadir sesi \"{}\": {} tanda ({})",
            session.topic,
            marks.len(),
            via
        );
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(session.training_id),
                actor_id: Some(user.id),
                actor_name: &user.full_name,
                actor_role: Some(crate::COMMITTEE_ROLE),
                action: "attendance.marked",
                step_no: None,
                round: None,
                note: Some(&note),
                state_before: None,
                state_after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Makes a personal check-in link for every participant of the final list; earlier links
    /// stop working. Returns (nomination id, name, secret) for the cards.
    pub async fn issue_participant_links(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<(i64, String, String)>> {
        self.require_committee(unit, user, training_id, now).await?;
        let people = self.final_participants(unit.id, training_id).await?;
        let mut out = Vec::new();
        let mut tx = self.pool.begin().await?;
        for p in &people {
            let secret = crate::random_hex(32);
            let hash = hex::encode(sha2::Sha256::digest(secret.as_bytes()));
            sqlx::query(
                "INSERT INTO participant_links (nomination_id, unit_id, token_hash, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (nomination_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
            )
            .bind(p.nomination_id)
            .bind(unit.id)
            .bind(&hash)
            .bind(format_ts(now))
            .execute(&mut *tx)
            .await?;
            out.push((p.nomination_id, p.nama.clone(), secret));
        }
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(training_id),
                actor_id: Some(user.id),
                actor_name: &user.full_name,
                actor_role: Some(crate::COMMITTEE_ROLE),
                action: "participant.links_issued",
                step_no: None,
                round: None,
                note: Some(&format!("Tautan pribadi {} peserta dibuat", people.len())),
                state_before: None,
                state_after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The participant a personal link belongs to: (unit id, training id, nomination id, name).
    pub async fn participant_by_link(&self, secret: &str) -> Result<(i64, i64, i64, String)> {
        let secret = secret.trim();
        if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound("tautan peserta"));
        }
        let hash = hex::encode(sha2::Sha256::digest(secret.to_ascii_lowercase().as_bytes()));
        let r = sqlx::query(
            "SELECT l.unit_id, n.training_id, n.id, n.nama FROM participant_links l
             JOIN nominations n ON n.id = l.nomination_id WHERE l.token_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("tautan peserta"))?;
        Ok((
            r.try_get("unit_id")?,
            r.try_get("training_id")?,
            r.try_get("id")?,
            r.try_get("nama")?,
        ))
    }

    /// A self check-in: the participant's phone (holding their link) scanned the room's QR.
    /// Refused outside the session (from 15 minutes before it starts to its end), for another
    /// training, for someone not on the final list, and a second time (said so, not an error).
    pub async fn check_in(
        &self,
        participant_secret: &str,
        qr_secret: &str,
        now: DateTime<Utc>,
    ) -> Result<CheckIn> {
        let (unit_id, training_id, nomination_id, name) =
            self.participant_by_link(participant_secret).await.map_err(|_| {
                refused(
                    "unknown_participant",
                    "Tautan pribadi Anda tidak dikenal atau sudah diganti. Buka tautan pada kartu peserta terbaru, lalu pindai lagi.",
                )
            })?;
        let r = sqlx::query(
            "SELECT id, training_id, starts_at, ends_at, topic FROM class_sessions WHERE qr_secret = $1",
        )
        .bind(qr_secret.trim())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| refused("unknown_session", "Kode QR ini bukan kode sesi pelatihan."))?;
        let session_id: i64 = r.try_get("id")?;
        let topic: String = r.try_get("topic")?;
        if r.try_get::<i64, _>("training_id")? != training_id {
            return Err(refused(
                "other_training",
                "Kode QR ini untuk sesi pelatihan lain, bukan pelatihan Anda.",
            ));
        }
        let unit = self.unit(unit_id).await?;
        let starts = ts_col(r.try_get("starts_at")?).unwrap_or_default();
        let ends = ts_col(r.try_get("ends_at")?).unwrap_or_default();
        let opens = starts - chrono::Duration::minutes(15);
        if now < opens || now > ends {
            let time = |t: DateTime<Utc>| {
                t.with_timezone(&unit.zone.offset())
                    .format("%H.%M")
                    .to_string()
            };
            return Err(refused(
                "outside_session",
                format!(
                    "Check-in sesi \"{topic}\" hanya dibuka pukul {}–{} {} pada {}. Sekarang di luar waktu itu.",
                    time(opens),
                    time(ends),
                    unit.zone.as_str(),
                    laksana_calendar::tanggal_indonesia(starts.with_timezone(&unit.zone.offset()).date_naive()),
                ),
            ));
        }
        let on_list = self
            .final_participants(unit_id, training_id)
            .await?
            .iter()
            .any(|p| p.nomination_id == nomination_id);
        if !on_list {
            return Err(refused(
                "not_a_participant",
                format!(
                    "{name} tidak ada dalam daftar peserta akhir pelatihan ini. Hubungi Panitia."
                ),
            ));
        }
        let existing = sqlx::query(
            "SELECT status, recorded_at FROM attendance WHERE session_id = $1 AND nomination_id = $2",
        )
        .bind(session_id)
        .bind(nomination_id)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(e) = existing {
            if e.try_get::<String, _>("status")? == "hadir" {
                return Ok(CheckIn::AlreadyIn {
                    name,
                    at: ts_col(e.try_get("recorded_at")?).unwrap_or_default(),
                });
            }
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO attendance (unit_id, session_id, nomination_id, status, via, recorded_at, received_at, recorded_by)
             VALUES ($1, $2, $3, 'hadir', 'qr', $4, $4, NULL)
             ON CONFLICT (session_id, nomination_id) DO UPDATE SET status = 'hadir', via = 'qr',
                recorded_at = excluded.recorded_at, received_at = excluded.received_at, recorded_by = NULL",
        )
        .bind(unit_id)
        .bind(session_id)
        .bind(nomination_id)
        .bind(format_ts(now))
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            NewEntry {
                unit_id,
                training_id: Some(training_id),
                actor_id: None,
                actor_name: &format!("{name} (check-in QR)"),
                actor_role: None,
                action: "attendance.checked_in",
                step_no: None,
                round: None,
                note: Some(&format!("{name} hadir di sesi \"{topic}\"")),
                state_before: None,
                state_after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CheckIn::Recorded { name, topic })
    }

    /// The guards of steps 9 and 10, for `training_artifacts`.
    pub(crate) async fn running_artifacts(
        &self,
        unit_id: i64,
        training_id: i64,
        have: &mut std::collections::BTreeSet<String>,
    ) -> Result<()> {
        if self
            .meeting(unit_id, training_id)
            .await?
            .is_some_and(|m| m.is_complete())
        {
            have.insert(MEETING_ARTIFACT.to_string());
        }
        if self.latest_roster(unit_id, training_id).await?.is_some() {
            have.insert(ROSTER_ARTIFACT.to_string());
        }
        // Every session has a mark for every participant of the final list.
        let sessions = self.class_sessions(unit_id, training_id).await?;
        let people = self.final_participants(unit_id, training_id).await?.len();
        if !sessions.is_empty() && people > 0 {
            let marked: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM attendance a JOIN class_sessions s ON s.id = a.session_id
                 WHERE a.unit_id = $1 AND s.training_id = $2",
            )
            .bind(unit_id)
            .bind(training_id)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
            if marked as usize >= sessions.len() * people {
                have.insert(ATTENDANCE_ARTIFACT.to_string());
            }
        }
        if self.report(unit_id, training_id).await?.is_some() {
            have.insert(REPORT_ARTIFACT.to_string());
        }
        Ok(())
    }
}

/// The SOP step that writes the report; its guard.
pub const REPORT_STEP_KEY: &str = "laporan-pelaksanaan";
pub const REPORT_ARTIFACT: &str = "laporan";

/// What the Panitia writes in the report; everything else in it is computed from the data.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ReportNarrative {
    pub latar_belakang: String,
    pub hambatan: String,
    pub saran: String,
    pub penutup: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct SavedReport {
    pub version: i64,
    pub narrative: ReportNarrative,
    pub saved_by_name: String,
    pub saved_at: DateTime<Utc>,
}

impl Store {
    /// Saves a new version of the report's narrative (Panitia, while step 11 runs).
    pub async fn save_report(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        narrative: &ReportNarrative,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        self.require_committee(unit, user, training_id, now).await?;
        let detail = self.training_detail(unit.id, training_id).await?;
        let open = detail
            .active_run()
            .and_then(|r| detail.definition.step(r.step_no as u32))
            .is_some_and(|s| s.key == REPORT_STEP_KEY);
        if !open {
            return Err(refused(
                "wrong_step",
                "Laporan hanya dapat diubah selama langkah pembuatan laporan berjalan.",
            ));
        }
        let json = serde_json::to_string(narrative).expect("narrative serialises");
        let mut tx = self.pool.begin().await?;
        lock::serialise(&mut tx, Sequence::Report { training_id }).await?;
        let version: i64 = sqlx::query(
            "INSERT INTO reports (unit_id, training_id, version, narrative, saved_by, saved_at)
             SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5 FROM reports WHERE training_id = $2
             RETURNING version",
        )
        .bind(unit.id)
        .bind(training_id)
        .bind(&json)
        .bind(user.id)
        .bind(format_ts(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("version")?;
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(training_id),
                actor_id: Some(user.id),
                actor_name: &user.full_name,
                actor_role: Some(crate::COMMITTEE_ROLE),
                action: "report.saved",
                step_no: None,
                round: None,
                note: Some(&format!("Laporan pelaksanaan versi {version}")),
                state_before: None,
                state_after: Some(&json),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    pub async fn report(&self, unit_id: i64, training_id: i64) -> Result<Option<SavedReport>> {
        let row = sqlx::query(
            "SELECT r.version, r.narrative, u.full_name, r.saved_at FROM reports r JOIN users u ON u.id = r.saved_by
             WHERE r.unit_id = $1 AND r.training_id = $2 ORDER BY r.version DESC LIMIT 1",
        )
        .bind(unit_id)
        .bind(training_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let json: String = r.try_get("narrative")?;
            Ok(SavedReport {
                version: r.try_get("version")?,
                narrative: serde_json::from_str(&json).unwrap_or_default(),
                saved_by_name: r.try_get("full_name")?,
                saved_at: ts_col(r.try_get("saved_at")?).unwrap_or_default(),
            })
        })
        .transpose()
    }

    /// Pre- and post-test scores by nomination.
    pub async fn test_scores(
        &self,
        unit_id: i64,
        training_id: i64,
    ) -> Result<Vec<(i64, Option<f64>, Option<f64>)>> {
        let rows = sqlx::query(
            "SELECT t.nomination_id, t.pre, t.post FROM test_scores t JOIN nominations n ON n.id = t.nomination_id
             WHERE t.unit_id = $1 AND n.training_id = $2",
        )
        .bind(unit_id)
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("nomination_id")?,
                    r.try_get("pre")?,
                    r.try_get("post")?,
                ))
            })
            .collect()
    }

    /// Records test scores (Panitia, during the training or the report), 0–100 each.
    pub async fn save_test_scores(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        scores: &[(i64, Option<f64>, Option<f64>)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.require_committee(unit, user, training_id, now).await?;
        self.require_step_open(
            unit.id,
            training_id,
            &[TRAINING_STEP_KEY, REPORT_STEP_KEY],
            "Nilai tes",
        )
        .await?;
        let list: std::collections::HashSet<i64> = self
            .final_participants(unit.id, training_id)
            .await?
            .iter()
            .map(|p| p.nomination_id)
            .collect();
        for (id, pre, post) in scores {
            if !list.contains(id) {
                return Err(refused(
                    "not_a_participant",
                    "Nilai hanya untuk peserta dalam daftar akhir; tidak ada yang disimpan.",
                ));
            }
            for v in [pre, post].into_iter().flatten() {
                if !(0.0..=100.0).contains(v) {
                    return Err(StoreError::Invalid {
                        field: "nilai",
                        message: format!("Nilai {v} di luar 0–100; tidak ada yang disimpan."),
                    });
                }
            }
        }
        let mut tx = self.pool.begin().await?;
        for (id, pre, post) in scores {
            sqlx::query(
                "INSERT INTO test_scores (nomination_id, unit_id, pre, post, saved_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (nomination_id) DO UPDATE SET pre = excluded.pre, post = excluded.post, saved_at = excluded.saved_at",
            )
            .bind(id)
            .bind(unit.id)
            .bind(pre)
            .bind(post)
            .bind(format_ts(now))
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(training_id),
                actor_id: Some(user.id),
                actor_name: &user.full_name,
                actor_role: Some(crate::COMMITTEE_ROLE),
                action: "scores.saved",
                step_no: None,
                round: None,
                note: Some(&format!(
                    "Nilai pre-test/post-test {} peserta",
                    scores.len()
                )),
                state_before: None,
                state_after: None,
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
