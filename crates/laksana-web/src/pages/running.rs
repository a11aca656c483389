//! Steps 9 and 10 (the seed's 8 and 9): the rapat internal persiapan (agenda, who attended,
//! notulen, decisions, changes to the final list; a printable notulen) and the training itself:
//! its sessions and the attendance in them, taken three ways — typed back from the printed
//! sign-in sheet, marked by the Panitia on a phone (kept on the device while offline, sent with
//! the time it was marked), or by the participant's own phone scanning the room's QR code.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime};
use laksana_store::{
    CheckIn, Mark, Meeting, MeetingAttendee, NewSession, ATTENDANCE_STATUSES, MEETING_STEP_KEY,
    TRAINING_STEP_KEY,
};

use super::tasks::render_error;
use super::{at_step, role_names, table_pdf, training_with_step, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{local_datetime, Path, Query};
use crate::{format, AppState};

/// The cookie in which a participant's phone keeps their personal link.
const PARTICIPANT_COOKIE: &str = "laksana_peserta";

pub(super) fn fields(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

pub(super) fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn flash_text(code: &str) -> Option<String> {
    Some(
        match code {
            "rapat" => "Notulen rapat disimpan.",
            "daftar" => "Perubahan daftar peserta dicatat.",
            "sesi" => "Sesi ditambahkan.",
            "hadir" => "Daftar hadir disimpan.",
            _ => return None,
        }
        .to_string(),
    )
}

#[derive(serde::Deserialize, Default)]
pub struct OkQuery {
    #[serde(default)]
    pub ok: String,
}

// ----- the meeting -----

pub struct PersonRow {
    pub id: i64,
    pub nama: String,
    pub region: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    csrf: String,
    flash: Option<String>,
    can_edit: bool,
    agenda: String,
    held_at: String,
    place: String,
    attendees: Vec<(String, String, bool)>,
    notulen: String,
    decisions: String,
    saved: String,
    confirmed: bool,
    participants: Vec<PersonRow>,
    reserves: Vec<PersonRow>,
}

/// The people who may sit in the meeting: the unit's officials and the Panitia in the SK.
async fn meeting_candidates(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<Vec<(String, String)>, AppError> {
    let mut people = Vec::new();
    for o in state.store.list_officials(viewer.unit.id).await? {
        people.push((o.name.clone(), o.jabatan.clone()));
    }
    if let Some(plan) = state.store.work_plan(viewer.unit.id, id).await? {
        for m in plan.plan.panitia {
            if !people.iter().any(|(n, _)| *n == m.nama) {
                people.push((m.nama.clone(), m.kedudukan.label().to_string()));
            }
        }
    }
    Ok(people)
}

pub async fn meeting_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, TRAINING_STEP_KEY).await?;
    let zone = viewer.unit.zone;
    let now = state.clock.now();
    let meeting = state.store.meeting(viewer.unit.id, id).await?;
    let committee = state
        .store
        .is_committee(&viewer.unit, &viewer.user, id, now)
        .await?;
    let can_edit = committee && at_step(&detail, &[MEETING_STEP_KEY]);
    let m = meeting.clone().unwrap_or_default();
    let mut attendees: Vec<(String, String, bool)> = m
        .attendees
        .iter()
        .map(|a| (a.name.clone(), a.jabatan.clone(), a.hadir))
        .collect();
    for (name, jabatan) in meeting_candidates(&state, &viewer, id).await? {
        if !attendees.iter().any(|(n, _, _)| *n == name) {
            attendees.push((name, jabatan, false));
        }
    }
    let final_list = state.store.final_participants(viewer.unit.id, id).await?;
    let in_list: std::collections::BTreeSet<i64> =
        final_list.iter().map(|p| p.nomination_id).collect();
    let roster = super::nominations::roster(&state, &viewer.unit, &detail).await?;
    let reserves = roster
        .rows
        .iter()
        .filter(|r| !r.withdrawn && !in_list.contains(&r.id))
        .filter(|r| {
            matches!(
                r.placement,
                laksana_nomination::Status::Cadangan | laksana_nomination::Status::Utama
            )
        })
        .map(|r| PersonRow {
            id: r.id,
            nama: format!("{} ({})", r.nama, r.status),
            region: r.region.clone(),
        })
        .collect();
    let names = role_names(&state, &viewer).await;
    let page = MeetingPage {
        nav: Some(Nav::new(&state, &viewer, "pelatihan", &names)),
        id,
        title: detail.training.title.clone(),
        csrf: viewer.csrf.clone(),
        flash: flash_text(&q.ok),
        can_edit,
        agenda: if m.agenda.is_empty() {
            "Persiapan pelaksanaan pelatihan: daftar peserta, jadwal sesi, instruktur dan ruang"
                .into()
        } else {
            m.agenda.clone()
        },
        held_at: m
            .held_at
            .unwrap_or(now)
            .with_timezone(&zone.offset())
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        place: m.place.clone(),
        attendees,
        notulen: m.notulen.clone(),
        decisions: m.decisions.clone(),
        saved: match &meeting {
            Some(x) => format!(
                "Disimpan oleh {} pada {}",
                x.saved_by_name,
                x.saved_at
                    .map(|t| format::waktu(t, zone))
                    .unwrap_or_default()
            ),
            None => "Belum disimpan".into(),
        },
        confirmed: state
            .store
            .latest_roster(viewer.unit.id, id)
            .await?
            .is_some(),
        participants: final_list
            .iter()
            .map(|p| PersonRow {
                id: p.nomination_id,
                nama: p.nama.clone(),
                region: p.region_name.clone(),
            })
            .collect(),
        reserves,
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

pub async fn save_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = fields(&body);
    viewer.check_csrf(&field(&f, "csrf"))?;
    training_with_step(&state, &viewer, id, TRAINING_STEP_KEY).await?;
    let held_text = field(&f, "waktu");
    let held_at = local_datetime(&held_text, viewer.unit.zone).ok_or_else(|| {
        AppError::bad_request(
            "invalid_datetime",
            "waktu",
            format!("Waktu rapat \"{held_text}\" tidak terbaca; pilih tanggal dan jam."),
        )
    })?;
    // The attendee rows come as nama_N / jabatan_N / hadir_N, plus one free row.
    let mut attendees = Vec::new();
    for i in 0..200 {
        let name = field(&f, &format!("nama_{i}"));
        if name.trim().is_empty() {
            continue;
        }
        attendees.push(MeetingAttendee {
            name: name.trim().to_string(),
            jabatan: field(&f, &format!("jabatan_{i}")).trim().to_string(),
            hadir: field(&f, &format!("hadir_{i}")) == "1",
        });
    }
    let meeting = Meeting {
        agenda: field(&f, "agenda"),
        held_at: Some(held_at),
        place: field(&f, "tempat"),
        attendees,
        notulen: field(&f, "notulen"),
        decisions: field(&f, "keputusan"),
        ..Meeting::default()
    };
    let mut missing = Vec::new();
    if meeting.place.trim().is_empty() {
        missing.push("tempat");
    }
    if meeting.notulen.trim().is_empty() {
        missing.push("notulen");
    }
    if !meeting.attendees.iter().any(|a| a.hadir) {
        missing.push("sedikitnya satu yang hadir");
    }
    state
        .store
        .save_meeting(&viewer.unit, &viewer.user, id, &meeting, state.clock.now())
        .await?;
    if !missing.is_empty() {
        // Saved (nothing typed is lost), but the step cannot finish yet: say what is missing.
        return Err(AppError::bad_request(
            "meeting_incomplete",
            missing[0],
            format!(
                "Notulen disimpan, tetapi belum lengkap: {}. Langkah rapat baru dapat diselesaikan setelah lengkap.",
                missing.join(", ")
            ),
        ));
    }
    Ok(Redirect::to(&format!("/pelatihan/{id}/rapat?ok=rapat")).into_response())
}

pub async fn roster_change(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, nid)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = fields(&body);
    viewer.check_csrf(&field(&f, "csrf"))?;
    training_with_step(&state, &viewer, id, TRAINING_STEP_KEY).await?;
    state
        .store
        .change_roster(
            &viewer.unit,
            &viewer.user,
            id,
            &laksana_store::RosterChange {
                nomination_id: nid,
                change: &field(&f, "perubahan"),
                reason: &field(&f, "alasan"),
            },
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/rapat?ok=daftar")).into_response())
}

/// The notulen with the meeting's attendance, in the house style.
pub async fn notulen_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, TRAINING_STEP_KEY).await?;
    let m = state
        .store
        .meeting(viewer.unit.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let zone = viewer.unit.zone;
    let profile = state.store.unit_profile(viewer.unit.id).await?;
    let when = m
        .held_at
        .map(|t| {
            let local = t.with_timezone(&zone.offset());
            format!(
                "{}, pukul {} {}",
                laksana_calendar::hari_tanggal(local.date_naive()),
                local.format("%H.%M"),
                zone.as_str()
            )
        })
        .unwrap_or_default();
    let mut catatan = vec![
        "NOTULEN".to_string(),
        m.notulen.clone(),
        "KEPUTUSAN".to_string(),
        if m.decisions.trim().is_empty() {
            "-".into()
        } else {
            m.decisions.clone()
        },
    ];
    catatan.push(format!("Dicatat oleh {}.", m.saved_by_name));
    let table = laksana_documents::letter::TableReport {
        kop: crate::paperwork::kop(&profile),
        judul: "NOTULEN RAPAT INTERNAL PERSIAPAN".into(),
        subjudul: vec![
            detail.training.title.clone(),
            format!("{when} · {}", m.place),
            format!("Acara: {}", m.agenda),
        ],
        kolom: ["No", "Nama", "Jabatan", "Kehadiran", "Tanda tangan"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        lebar: vec![4, 26, 26, 10, 18],
        baris: m
            .attendees
            .iter()
            .enumerate()
            .map(|(i, a)| {
                vec![
                    (i + 1).to_string(),
                    a.name.clone(),
                    a.jabatan.clone(),
                    if a.hadir { "Hadir" } else { "Tidak hadir" }.into(),
                    String::new(),
                ]
            })
            .collect(),
        catatan,
    };
    table_pdf(table, &format!("notulen-{id}.pdf")).await
}

// ----- sessions and attendance -----

pub struct SessionRow {
    pub id: i64,
    pub when: String,
    pub topic: String,
    pub instructor: String,
    pub room: String,
    pub present: usize,
    pub marked: usize,
}

#[derive(Template)]
#[template(path = "running.html")]
struct RunningPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    csrf: String,
    flash: Option<String>,
    can_plan: bool,
    sessions: Vec<SessionRow>,
    participants: usize,
    plan_days: Vec<String>,
    totals: Vec<(String, String, i64, i64)>,
}

pub async fn running_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, TRAINING_STEP_KEY).await?;
    let zone = viewer.unit.zone;
    let now = state.clock.now();
    let committee = state
        .store
        .is_committee(&viewer.unit, &viewer.user, id, now)
        .await?;
    let people = state.store.final_participants(viewer.unit.id, id).await?;
    let mut sessions = Vec::new();
    for s in state.store.class_sessions(viewer.unit.id, id).await? {
        let marks = state.store.session_attendance(viewer.unit.id, s.id).await?;
        sessions.push(SessionRow {
            id: s.id,
            when: session_when(&s, zone),
            topic: s.topic.clone(),
            instructor: s.instructor.clone(),
            room: s.room.clone(),
            present: marks.iter().filter(|m| m.status == "hadir").count(),
            marked: marks.len(),
        });
    }
    let totals = state
        .store
        .attendance_totals(viewer.unit.id, id)
        .await?
        .into_iter()
        .filter_map(|t| {
            people
                .iter()
                .find(|p| p.nomination_id == t.nomination_id)
                .map(|p| (p.nama.clone(), p.region_name.clone(), t.present, t.sessions))
        })
        .collect();
    let plan_days = match state.store.work_plan(viewer.unit.id, id).await? {
        Some(v) => v
            .plan
            .jadwal
            .iter()
            .map(|j| {
                format!(
                    "{} {}–{} {}",
                    j.tanggal.map(format::tanggal).unwrap_or_default(),
                    j.mulai,
                    j.selesai,
                    j.acara
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let names = role_names(&state, &viewer).await;
    let page = RunningPage {
        nav: Some(Nav::new(&state, &viewer, "pelatihan", &names)),
        id,
        title: detail.training.title.clone(),
        csrf: viewer.csrf.clone(),
        flash: flash_text(&q.ok),
        can_plan: committee && at_step(&detail, &[MEETING_STEP_KEY, TRAINING_STEP_KEY]),
        sessions,
        participants: people.len(),
        plan_days,
        totals,
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

fn session_when(s: &laksana_store::ClassSession, zone: laksana_calendar::Zone) -> String {
    let a = s.starts_at.with_timezone(&zone.offset());
    let b = s.ends_at.with_timezone(&zone.offset());
    format!(
        "{}, {}–{} {}",
        laksana_calendar::hari_tanggal(a.date_naive()),
        a.format("%H.%M"),
        b.format("%H.%M"),
        zone.as_str()
    )
}

fn clock(text: &str) -> Option<NaiveTime> {
    let t = text.trim().replace('.', ":");
    NaiveTime::parse_from_str(&t, "%H:%M").ok()
}

/// Adds one session from the form, or every line of the plan's schedule (`sumber=rencana`).
pub async fn add_session(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = fields(&body);
    viewer.check_csrf(&field(&f, "csrf"))?;
    training_with_step(&state, &viewer, id, TRAINING_STEP_KEY).await?;
    let zone = viewer.unit.zone;
    let at = |day: NaiveDate, t: NaiveTime| {
        day.and_time(t)
            .and_local_timezone(zone.offset())
            .single()
            .map(|x| x.with_timezone(&chrono::Utc))
    };
    let mut new = Vec::new();
    if field(&f, "sumber") == "rencana" {
        let plan = state
            .store
            .work_plan(viewer.unit.id, id)
            .await?
            .ok_or_else(AppError::not_found)?;
        for j in &plan.plan.jadwal {
            let (Some(day), Some(a), Some(b)) = (j.tanggal, clock(&j.mulai), clock(&j.selesai))
            else {
                continue;
            };
            new.push(NewSession {
                day,
                starts_at: at(day, a).ok_or_else(AppError::not_found)?,
                ends_at: at(day, b).ok_or_else(AppError::not_found)?,
                topic: j.acara.clone(),
                instructor: String::new(),
                room: plan.plan.tempat.clone(),
            });
        }
    } else {
        let day_text = field(&f, "tanggal");
        let day = NaiveDate::parse_from_str(day_text.trim(), "%Y-%m-%d").map_err(|_| {
            AppError::bad_request(
                "invalid_date",
                "tanggal",
                format!("Tanggal sesi \"{day_text}\" tidak terbaca."),
            )
        })?;
        let (a, b) = match (clock(&field(&f, "mulai")), clock(&field(&f, "selesai"))) {
            (Some(a), Some(b)) => (a, b),
            _ => {
                return Err(AppError::bad_request(
                    "invalid_time",
                    "mulai",
                    "Jam mulai dan selesai ditulis seperti 08.00 dan 12.00.",
                ))
            }
        };
        new.push(NewSession {
            day,
            starts_at: at(day, a).ok_or_else(AppError::not_found)?,
            ends_at: at(day, b).ok_or_else(AppError::not_found)?,
            topic: field(&f, "topik"),
            instructor: field(&f, "instruktur"),
            room: field(&f, "ruang"),
        });
    }
    if new.is_empty() {
        return Err(AppError::bad_request(
            "no_sessions",
            "sumber",
            "Jadwal rencana kerja tidak berisi sesi bertanggal dan berjam.",
        ));
    }
    state
        .store
        .add_sessions(&viewer.unit, &viewer.user, id, &new, state.clock.now())
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/pelaksanaan?ok=sesi")).into_response())
}

pub struct MarkRow {
    pub id: i64,
    pub nama: String,
    pub region: String,
    pub status: String,
    pub via: String,
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    nav: Option<Nav>,
    id: i64,
    sid: i64,
    title: String,
    csrf: String,
    flash: Option<String>,
    topic: String,
    when: String,
    instructor: String,
    room: String,
    can_mark: bool,
    rows: Vec<MarkRow>,
    statuses: Vec<(&'static str, &'static str)>,
    qr_svg: String,
    qr_url: String,
}

async fn qr_url(state: &AppState, unit_id: i64, secret: &str) -> String {
    format!(
        "{}/hadir/{secret}",
        crate::reminders::base_url(state, unit_id)
            .await
            .trim_end_matches('/')
    )
}

pub async fn session_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, sid)): Path<(i64, i64)>,
    Query(q): Query<OkQuery>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, TRAINING_STEP_KEY).await?;
    let s = state.store.class_session(viewer.unit.id, sid).await?;
    if s.training_id != id {
        return Err(AppError::not_found());
    }
    let now = state.clock.now();
    let committee = state
        .store
        .is_committee(&viewer.unit, &viewer.user, id, now)
        .await?;
    let marks = state.store.session_attendance(viewer.unit.id, sid).await?;
    let rows = state
        .store
        .final_participants(viewer.unit.id, id)
        .await?
        .into_iter()
        .map(|p| {
            let m = marks.iter().find(|m| m.nomination_id == p.nomination_id);
            MarkRow {
                id: p.nomination_id,
                nama: p.nama,
                region: p.region_name,
                status: m.map(|m| m.status.clone()).unwrap_or_default(),
                via: m
                    .map(|m| {
                        format!(
                            "{} {}",
                            match m.via.as_str() {
                                "qr" => "check-in QR",
                                "lembar" => "dari lembar",
                                _ => "oleh Panitia",
                            },
                            format::waktu(m.recorded_at, viewer.unit.zone)
                        )
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let secret = state.store.session_qr_secret(viewer.unit.id, sid).await?;
    let url = qr_url(&state, viewer.unit.id, &secret).await;
    let svg = laksana_documents::letter::qr_svg(&url).map_err(AppError::internal)?;
    let names = role_names(&state, &viewer).await;
    let page = SessionPage {
        nav: Some(Nav::new(&state, &viewer, "pelatihan", &names)),
        id,
        sid,
        title: detail.training.title.clone(),
        csrf: viewer.csrf.clone(),
        flash: flash_text(&q.ok),
        topic: s.topic.clone(),
        when: session_when(&s, viewer.unit.zone),
        instructor: s.instructor.clone(),
        room: s.room.clone(),
        can_mark: committee && at_step(&detail, &[TRAINING_STEP_KEY]),
        rows,
        statuses: ATTENDANCE_STATUSES.to_vec(),
        qr_svg: if committee { svg } else { String::new() },
        qr_url: if committee { url } else { String::new() },
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

/// The whole list at once (the form without JavaScript, and the sheet typed back in).
pub async fn mark_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, sid)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = fields(&body);
    viewer.check_csrf(&field(&f, "csrf"))?;
    training_with_step(&state, &viewer, id, TRAINING_STEP_KEY).await?;
    let s = state.store.class_session(viewer.unit.id, sid).await?;
    if s.training_id != id {
        return Err(AppError::not_found());
    }
    let now = state.clock.now();
    let marks: Vec<Mark> = f
        .iter()
        .filter_map(|(k, v)| {
            let nid = k.strip_prefix("status_")?.parse().ok()?;
            (!v.is_empty()).then(|| Mark {
                nomination_id: nid,
                status: v.clone(),
                recorded_at: now,
            })
        })
        .collect();
    let via = if field(&f, "sumber") == "lembar" {
        "lembar"
    } else {
        "panitia"
    };
    state
        .store
        .mark_attendance(&viewer.unit, &viewer.user, sid, &marks, via, now)
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/sesi/{sid}?ok=hadir")).into_response())
}

#[derive(serde::Deserialize)]
pub struct MarkBatch {
    pub csrf: String,
    pub marks: Vec<Mark>,
}

/// Marks sent by the phone page's script, possibly long after they were made (offline): each
/// carries the time it was recorded on the device. Answers JSON.
pub async fn mark_json(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, sid)): Path<(i64, i64)>,
    axum::Json(batch): axum::Json<MarkBatch>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&batch.csrf)?;
    training_with_step(&state, &viewer, id, TRAINING_STEP_KEY).await?;
    let s = state.store.class_session(viewer.unit.id, sid).await?;
    if s.training_id != id {
        return Err(AppError::not_found());
    }
    let changed = state
        .store
        .mark_attendance(
            &viewer.unit,
            &viewer.user,
            sid,
            &batch.marks,
            "panitia",
            state.clock.now(),
        )
        .await?;
    Ok(
        axum::Json(serde_json::json!({ "diterima": batch.marks.len(), "berubah": changed }))
            .into_response(),
    )
}

/// The printed sign-in sheet of a session: the list with a signature column.
pub async fn sheet_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, sid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, TRAINING_STEP_KEY).await?;
    let s = state.store.class_session(viewer.unit.id, sid).await?;
    if s.training_id != id {
        return Err(AppError::not_found());
    }
    let profile = state.store.unit_profile(viewer.unit.id).await?;
    let people = state.store.final_participants(viewer.unit.id, id).await?;
    let table = laksana_documents::letter::TableReport {
        kop: crate::paperwork::kop(&profile),
        judul: "DAFTAR HADIR PESERTA".into(),
        subjudul: vec![
            detail.training.title.clone(),
            format!("Sesi: {} · {}", s.topic, session_when(&s, viewer.unit.zone)),
            format!("Instruktur: {} · Ruang: {}", s.instructor, s.room),
        ],
        kolom: ["No", "Nama", "Kabupaten/Kota", "Tanda tangan"]
            .iter()
            .map(|x| x.to_string())
            .collect(),
        lebar: vec![4, 30, 22, 30],
        baris: people
            .iter()
            .enumerate()
            .map(|(i, p)| {
                vec![
                    (i + 1).to_string(),
                    p.nama.clone(),
                    p.region_name.clone(),
                    format!("{}.", i + 1),
                ]
            })
            .collect(),
        catatan: vec![
            "Hasil lembar ini diketik kembali di halaman sesi (Sumber: lembar tanda tangan)."
                .into(),
        ],
    };
    table_pdf(table, &format!("daftar-hadir-sesi-{sid}.pdf")).await
}

// ----- self check-in -----

#[derive(Template)]
#[template(path = "cards.html")]
struct CardsPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    cards: Vec<(String, String, String)>,
}

/// New personal links for every participant, shown once as printable cards with their QR.
pub async fn issue_cards(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = fields(&body);
    viewer.check_csrf(&field(&f, "csrf"))?;
    let detail = training_with_step(&state, &viewer, id, TRAINING_STEP_KEY).await?;
    let links = state
        .store
        .issue_participant_links(&viewer.unit, &viewer.user, id, state.clock.now())
        .await?;
    let base = crate::reminders::base_url(&state, viewer.unit.id).await;
    let mut cards = Vec::new();
    for (_, name, secret) in links {
        let url = format!("{}/peserta/{secret}", base.trim_end_matches('/'));
        let svg = laksana_documents::letter::qr_svg(&url).map_err(AppError::internal)?;
        cards.push((name, url, svg));
    }
    let names = role_names(&state, &viewer).await;
    let page = CardsPage {
        nav: Some(Nav::new(&state, &viewer, "pelatihan", &names)),
        id,
        title: detail.training.title.clone(),
        cards,
    };
    let mut res = Html(page.render().map_err(render_error)?).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckinPage {
    nav: Option<Nav>,
    ok: bool,
    heading: String,
    message: String,
}

fn checkin_page(status: StatusCode, ok: bool, heading: &str, message: String) -> Response {
    let page = CheckinPage {
        nav: None,
        ok,
        heading: heading.into(),
        message,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => render_error(e).into_response(),
    }
}

/// A participant opens their personal link once: the phone keeps it in a cookie, and from then
/// on scanning a room's QR code checks them in.
pub async fn participant_link(
    State(state): State<AppState>,
    axum::Extension(client): axum::Extension<crate::ClientInfo>,
    Path(secret): Path<String>,
) -> Result<Response, AppError> {
    let Ok((_, _, _, name)) = state.store.participant_by_link(&secret).await else {
        return Ok(checkin_page(
            StatusCode::NOT_FOUND,
            false,
            "Tautan tidak dikenal",
            "Tautan peserta ini tidak dikenal atau sudah diganti dengan kartu baru. Minta kartu terbaru kepada Panitia.".into(),
        ));
    };
    let mut res = checkin_page(
        StatusCode::OK,
        true,
        &format!("Halo, {name}"),
        "Ponsel ini sudah siap untuk check-in. Di awal setiap sesi, pindai kode QR yang ditampilkan di ruang kelas dengan ponsel ini.".into(),
    );
    let secure = if state.secure_cookies || client.tls {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{PARTICIPANT_COOKIE}={secret}; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax{secure}"
    );
    res.headers_mut().insert(
        header::SET_COOKIE,
        axum::http::HeaderValue::from_str(&cookie).map_err(AppError::internal)?,
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// The room's QR code leads here; the phone's cookie says who is checking in.
pub async fn check_in(
    State(state): State<AppState>,
    Path(qr): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Some(participant) = crate::auth::cookie(&headers, PARTICIPANT_COOKIE) else {
        return Ok(checkin_page(
            StatusCode::FORBIDDEN,
            false,
            "Ponsel belum terdaftar",
            "Buka dulu tautan pribadi pada kartu peserta Anda dengan ponsel ini, lalu pindai lagi kode QR sesi.".into(),
        ));
    };
    match state
        .store
        .check_in(participant, &qr, state.clock.now())
        .await
    {
        Ok(CheckIn::Recorded { name, topic }) => Ok(checkin_page(
            StatusCode::OK,
            true,
            "Tercatat hadir",
            format!("{name}, kehadiran Anda di sesi \"{topic}\" sudah tercatat."),
        )),
        Ok(CheckIn::AlreadyIn { name, at }) => {
            let zone = match state.store.participant_by_link(participant).await {
                Ok((unit_id, ..)) => state.store.unit(unit_id).await.map(|u| u.zone).ok(),
                Err(_) => None,
            };
            let when = zone
                .map(|z| format::waktu(at, z))
                .unwrap_or_else(|| at.to_string());
            Ok(checkin_page(
                StatusCode::OK,
                true,
                "Sudah tercatat",
                format!("{name}, Anda sudah tercatat hadir di sesi ini pada {when}. Tidak perlu check-in lagi."),
            ))
        }
        Err(laksana_store::StoreError::Refused { code, message }) => Ok(checkin_page(
            match code {
                "unknown_session" => StatusCode::NOT_FOUND,
                _ => StatusCode::CONFLICT,
            },
            false,
            "Check-in ditolak",
            message,
        )),
        Err(e) => Err(e.into()),
    }
}
