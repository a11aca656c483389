//! Trainings: the list, a new training, one training's SOP table and step form, and its audit trail.

use crate::form::Form;
use crate::form::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::NaiveDate;
use laksana_documents::FlowMarks;
use laksana_store::{
    check_new_training, Decision, NewTraining, StoreError, TrainingDetail, TrainingQuery,
    TrainingView, PLAN_STEP_KEY,
};

use super::tasks::render_error;
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::format;
use crate::paging::{self, Pager};
use crate::AppState;

pub struct TrainingRow {
    pub id: i64,
    pub title: String,
    pub kejuruan: String,
    pub start_date: String,
    pub current: String,
    pub due: String,
    pub overdue: bool,
    pub status: String,
}

#[derive(Default, serde::Deserialize)]
pub struct TrainingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kejuruan: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub location: String,
}

#[derive(Template)]
#[template(path = "trainings.html")]
struct TrainingsPage {
    nav: Option<Nav>,
    trainings: Vec<TrainingRow>,
    can_create: bool,
    csrf: String,
    form: TrainingForm,
    error: Option<String>,
    filter: ListFilter,
    pager: Pager,
}

/// `/pelatihan?cari=…&status=…&halaman=N`: words in the title or kejuruan, a status, a page.
#[derive(Default, Clone, serde::Deserialize)]
pub struct ListFilter {
    #[serde(default)]
    pub cari: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub halaman: Option<String>,
}

impl ListFilter {
    /// The status as stored, or none for "semua" and anything unknown.
    fn status(&self) -> Option<String> {
        matches!(self.status.as_str(), "berjalan" | "selesai").then(|| self.status.clone())
    }
}

/// Who may open a training: an administrator or whoever performs the SOP's first step.
async fn can_create(state: &AppState, viewer: &Viewer) -> Result<bool, AppError> {
    if viewer.user.is_admin {
        return Ok(true);
    }
    // Only whether to offer the button: starting a training checks its own definition.
    let def = state.store.newest_definition(&viewer.unit).await?;
    Ok(def
        .steps
        .first()
        .is_some_and(|s| viewer.roles.contains(&s.pelaksana)))
}

async fn render_list(
    state: &AppState,
    viewer: &Viewer,
    filter: &ListFilter,
    form: TrainingForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let zone = viewer.unit.zone;
    let wanted = paging::page_number(filter.halaman.as_deref());
    let mut query = TrainingQuery {
        search: Some(filter.cari.clone()),
        status: filter.status(),
        limit: paging::PAGE_SIZE,
        offset: (wanted - 1) * paging::PAGE_SIZE,
    };
    let mut found = state.store.search_trainings(&viewer.unit, &query).await?;
    let base = paging::address(
        "/pelatihan",
        &[
            ("cari", filter.cari.trim()),
            ("status", query.status.as_deref().unwrap_or("")),
        ],
    );
    let pager = Pager::new(&base, wanted, found.total);
    if pager.page != wanted {
        // Past the last page (the list shrank since the link was made): show the last one.
        query.offset = pager.offset();
        found = state.store.search_trainings(&viewer.unit, &query).await?;
    }
    let mut rows = Vec::with_capacity(found.items.len());
    for t in found.items {
        let def = state.store.definition(t.definition_id).await?;
        let setting = |k: &str| viewer.unit.setting(k);
        let current = match t.current_step.and_then(|n| def.step(n as u32)) {
            Some(step) => format!(
                "{}. {}",
                step.number,
                def.substitute(&step.kegiatan, &setting)
            ),
            None => "—".into(),
        };
        rows.push(TrainingRow {
            id: t.id,
            title: t.title,
            kejuruan: t.kejuruan,
            start_date: format::tanggal(t.start_date),
            current,
            due: match (t.current_step, t.current_due_at) {
                (None, _) => "—".into(),
                (Some(_), Some(d)) => format::waktu(d, zone),
                (Some(_), None) => "tenggat belum dapat dihitung".into(),
            },
            overdue: t.current_due_at.is_some_and(|d| now > d),
            status: if t.status == "selesai" {
                "Selesai".into()
            } else {
                "Berjalan".into()
            },
        });
    }
    let names = role_names(state, viewer).await;
    let page = TrainingsPage {
        nav: Some(Nav::new(state, viewer, "pelatihan", &names)),
        trainings: rows,
        can_create: can_create(state, viewer).await?,
        csrf: viewer.csrf.clone(),
        form,
        error,
        filter: ListFilter {
            status: query.status.unwrap_or_default(),
            ..filter.clone()
        },
        pager,
    };
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(filter): Query<ListFilter>,
) -> Result<Response, AppError> {
    render_list(
        &state,
        &viewer,
        &filter,
        TrainingForm::default(),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<TrainingForm>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&form.csrf)?;
    if !can_create(&state, &viewer).await? {
        return Err(AppError::forbidden(
            "Anda tidak berwenang membuat pelatihan.",
        ));
    }
    let start = NaiveDate::parse_from_str(form.start_date.trim(), "%Y-%m-%d").ok();
    let today = state
        .clock
        .now()
        .with_timezone(&viewer.unit.zone.offset())
        .date_naive();
    // Every problem at once, so the user fixes the form in one go.
    let problems = check_new_training(&form.title, &form.kejuruan, &form.location, start, today);
    let Some(start_date) = start.filter(|_| problems.is_empty()) else {
        let msg = problems
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return render_list(
            &state,
            &viewer,
            &ListFilter::default(),
            form,
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let new = NewTraining {
        title: form.title.clone(),
        kejuruan: form.kejuruan.clone(),
        start_date,
        location: form.location.clone(),
    };
    match state
        .store
        .create_training(&viewer.unit, &viewer.user, &new, state.clock.now())
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/pelatihan/{id}")).into_response()),
        Err(e @ StoreError::Invalid { .. }) => {
            render_list(
                &state,
                &viewer,
                &ListFilter::default(),
                form,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct RoundView {
    pub round: i64,
    pub started: String,
    pub due: String,
    pub overdue: bool,
    pub completed: String,
    pub outcome: String,
    pub outcome_css: &'static str,
    pub note: String,
    pub worked: String,
    pub by: String,
    pub css: &'static str,
}

pub struct StepView {
    pub number: u32,
    pub kegiatan: String,
    pub pelaksana: String,
    pub waktu: String,
    pub is_decision: bool,
    pub rounds: Vec<RoundView>,
}

pub struct StepForm {
    pub run_id: i64,
    pub step_no: i64,
    pub round: i64,
    pub kegiatan: String,
    pub pelaksana: String,
    pub persyaratan: String,
    pub output: String,
    pub due: String,
    pub overdue: bool,
    pub is_decision: bool,
    pub return_to: u32,
    pub can_act: bool,
}

#[derive(Template)]
#[template(path = "training.html")]
struct TrainingPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    kejuruan: String,
    start_date: String,
    location: String,
    status: String,
    sop_name: String,
    sop_version: String,
    sop_hash: String,
    csrf: String,
    form: Option<StepForm>,
    steps: Vec<StepView>,
    total_standard: String,
    flash: Option<String>,
    error: Option<String>,
    note: String,
    /// The SOP's flowchart marked with this training's progress, as inline SVG (texts escaped).
    flowchart: Arc<str>,
    /// The work plan's state ("versi 2, lengkap"), when the SOP has a work-plan step.
    plan: Option<String>,
    /// The active step is the work plan's and the viewer does it: offer the form prominently.
    plan_is_current: bool,
    /// The SOP has the letters' steps: link to the training's paperwork.
    has_letters: bool,
    /// The active step works on the letters and the viewer does it.
    letters_are_current: bool,
    distribution: Option<String>,
    distribution_is_current: bool,
    replies_are_current: bool,
    has_running: bool,
    meeting_is_current: bool,
    training_is_current: bool,
    report_is_current: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

fn flash_text(code: &str) -> Option<String> {
    Some(
        match code {
            "completed" => "Langkah ditandai selesai.",
            "approved" => "Langkah disetujui.",
            "returned" => "Langkah dikembalikan untuk diperbaiki.",
            "finished" => "Semua langkah SOP selesai. Pelatihan ditutup.",
            _ => return None,
        }
        .to_string(),
    )
}

async fn render_training(
    state: &AppState,
    viewer: &Viewer,
    view: &TrainingView,
    flash: Option<String>,
    error: Option<String>,
    note: String,
    status: StatusCode,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let zone = viewer.unit.zone;
    let cal = state.store.calendar();
    let detail = &view.detail;
    let def = &detail.definition;
    let setting = |k: &str| viewer.unit.setting(k);
    let role_name = |k: &str| {
        def.role(k)
            .map(|r| def.substitute(&r.name, &setting))
            .unwrap_or_else(|| k.to_string())
    };
    let steps = def
        .steps
        .iter()
        .map(|s| StepView {
            number: s.number,
            kegiatan: def.substitute(&s.kegiatan, &setting),
            pelaksana: role_name(&s.pelaksana),
            waktu: s.waktu.to_string(),
            is_decision: s.decision.is_some(),
            rounds: detail
                .runs_of(s.number)
                .into_iter()
                .map(|r| {
                    let worked_until = r.completed_at.unwrap_or(now);
                    let worked = cal
                        .working_minutes_between(r.started_at, worked_until, zone)
                        .map(format::durasi_kerja)
                        .unwrap_or_else(|e| e.to_string());
                    let (outcome, outcome_css) = match r.outcome.as_deref() {
                        Some("approved") => ("disetujui", "good"),
                        Some("returned") => ("dikembalikan", "bad"),
                        Some("completed") => ("selesai", "good"),
                        _ => ("", ""),
                    };
                    RoundView {
                        round: r.round,
                        started: format::waktu(r.started_at, zone),
                        due: format::tenggat(r.due_at, r.due_problem.as_deref(), zone),
                        overdue: r.is_overdue(now),
                        completed: r
                            .completed_at
                            .map(|t| format::waktu(t, zone))
                            .unwrap_or_else(|| "—".into()),
                        outcome: outcome.into(),
                        outcome_css,
                        note: r.note.clone().unwrap_or_default(),
                        worked: if r.is_active() {
                            format!("{worked} (berjalan)")
                        } else {
                            worked
                        },
                        by: r.completed_by_name.clone().unwrap_or_else(|| "—".into()),
                        css: if r.is_active() { "active" } else { "done" },
                    }
                })
                .collect(),
        })
        .collect();
    let form = detail.active_run().and_then(|run| {
        let step = def.step(run.step_no as u32)?;
        Some(StepForm {
            run_id: run.id,
            step_no: run.step_no,
            round: run.round,
            kegiatan: def.substitute(&step.kegiatan, &setting),
            pelaksana: role_name(&step.pelaksana),
            persyaratan: def.substitute(&step.persyaratan, &setting),
            output: def.substitute(&step.output, &setting),
            due: format::tenggat(run.due_at, run.due_problem.as_deref(), zone),
            overdue: run.is_overdue(now),
            is_decision: step.decision.is_some(),
            return_to: step.decision.as_ref().map(|d| d.on_return).unwrap_or(0),
            can_act: viewer.roles.contains(&step.pelaksana),
        })
    });
    let flowchart = flowchart_of(&detail.definition, &progress_marks(detail, viewer));
    let has_plan_step = def.steps.iter().any(|s| s.key == PLAN_STEP_KEY);
    let plan = if has_plan_step {
        Some(match &view.plan {
            Some(v) if v.complete => format!("versi {}, lengkap", v.version),
            Some(v) => format!("versi {}, belum lengkap", v.version),
            None => "belum diisi".to_string(),
        })
    } else {
        None
    };
    let plan_is_current = detail
        .active_run()
        .and_then(|r| def.step(r.step_no as u32))
        .is_some_and(|s| s.key == PLAN_STEP_KEY && viewer.roles.contains(&s.pelaksana));
    let letter_steps = [
        super::documents::DRAFT_STEP,
        super::documents::REVIEW_STEP,
        super::documents::SIGN_STEP,
    ];
    let has_letters = def
        .steps
        .iter()
        .any(|s| s.key == super::documents::DRAFT_STEP);
    let letters_are_current = detail
        .active_run()
        .and_then(|r| def.step(r.step_no as u32))
        .is_some_and(|s| {
            letter_steps.contains(&s.key.as_str()) && viewer.roles.contains(&s.pelaksana)
        });
    let has_distribution = def
        .steps
        .iter()
        .any(|s| s.key == laksana_store::DISTRIBUTION_STEP_KEY);
    let distribution = if has_distribution {
        Some(super::distribution::summary(&view.recipients))
    } else {
        None
    };
    let distribution_is_current =
        super::distribution::acting_at(detail, viewer, &[laksana_store::DISTRIBUTION_STEP_KEY]);
    let replies_are_current =
        super::distribution::acting_at(detail, viewer, &[laksana_store::REPLY_STEP_KEY]);
    let has_running = def
        .steps
        .iter()
        .any(|s| s.key == laksana_store::TRAINING_STEP_KEY);
    let meeting_is_current =
        super::distribution::acting_at(detail, viewer, &[laksana_store::MEETING_STEP_KEY]);
    let training_is_current =
        super::distribution::acting_at(detail, viewer, &[laksana_store::TRAINING_STEP_KEY]);
    let report_is_current =
        super::distribution::acting_at(detail, viewer, &[laksana_store::REPORT_STEP_KEY]);
    let t = &detail.training;
    let names = role_names(state, viewer).await;
    let page = TrainingPage {
        nav: Some(Nav::new(state, viewer, "pelatihan", &names)),
        id: t.id,
        title: t.title.clone(),
        kejuruan: t.kejuruan.clone(),
        start_date: format::tanggal(t.start_date),
        location: t.location.clone(),
        status: if t.status == "selesai" {
            "Selesai".into()
        } else {
            "Berjalan".into()
        },
        sop_name: def.nama.clone(),
        sop_version: detail.definition_row.version.clone(),
        sop_hash: detail.definition_row.content_hash[..12].to_string(),
        csrf: viewer.csrf.clone(),
        form,
        steps,
        total_standard: format::durasi_kerja(def.total_standard_minutes() as i64),
        flash,
        error,
        note,
        flowchart,
        plan,
        plan_is_current,
        has_letters,
        letters_are_current,
        distribution,
        distribution_is_current,
        replies_are_current,
        has_running,
        meeting_is_current,
        training_is_current,
        report_is_current,
    };
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

/// Drawn flowcharts by definition and marks. Laying one out measures every label's glyphs and
/// routes every arrow, a fifth of the training page's time, while a unit's trainings share a
/// handful of definitions and each step's marks: the same picture is asked for again and again.
/// The key holds the definition itself (its address, kept alive by the entry), so two stores in
/// one process never share a picture; a full cache simply starts again.
type FlowchartKey = (usize, String);
type Flowcharts =
    std::collections::HashMap<FlowchartKey, (Arc<laksana_engine::SopDefinition>, Arc<str>)>;
static FLOWCHARTS: std::sync::LazyLock<std::sync::Mutex<Flowcharts>> =
    std::sync::LazyLock::new(Default::default);
const FLOWCHARTS_KEPT: usize = 512;

fn flowchart_of(def: &Arc<laksana_engine::SopDefinition>, marks: &FlowMarks) -> Arc<str> {
    let key = (Arc::as_ptr(def) as usize, format!("{marks:?}"));
    if let Some((_, svg)) = FLOWCHARTS.lock().expect("flowchart cache").get(&key) {
        return svg.clone();
    }
    let svg: Arc<str> = laksana_documents::flowchart_svg(def, marks).into();
    let mut cache = FLOWCHARTS.lock().expect("flowchart cache");
    if cache.len() >= FLOWCHARTS_KEPT {
        cache.clear();
    }
    cache.insert(key, (def.clone(), svg.clone()));
    svg
}

/// Where the training stands on its flowchart: the active step, the steps whose latest round
/// is finished, and how often each decision said "Tidak".
fn progress_marks(detail: &TrainingDetail, viewer: &Viewer) -> FlowMarks {
    let current = detail.active_run().map(|r| r.step_no as u32);
    let done: BTreeSet<u32> = detail
        .definition
        .steps
        .iter()
        .filter(|s| {
            detail
                .runs_of(s.number)
                .last()
                .is_some_and(|r| !r.is_active() && r.completed_at.is_some())
        })
        .map(|s| s.number)
        .collect();
    let mut marks =
        FlowMarks::progress(current, &done).with_setting("head_title", &viewer.unit.head_title);
    for s in &detail.definition.steps {
        let returned = detail
            .runs_of(s.number)
            .iter()
            .filter(|r| r.outcome.as_deref() == Some("returned"))
            .count() as u32;
        if returned > 0 {
            marks = marks.with_returned(s.number, returned);
        }
    }
    marks
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Result<Response, AppError> {
    let view = state.store.training_view(&viewer.unit, id).await?;
    let flash = flash.ok.as_deref().and_then(flash_text);
    render_training(
        &state,
        &viewer,
        &view,
        flash,
        None,
        String::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct StepFormInput {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

pub async fn complete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, run_id)): Path<(i64, i64)>,
    Form(input): Form<StepFormInput>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&input.csrf)?;
    let decision = match input.decision.as_str() {
        "complete" => Decision::Complete,
        "approve" => Decision::Approve,
        "return" => Decision::Return,
        _ => {
            return Err(AppError::bad_request(
                "invalid_decision",
                "decision",
                "Pilih tindakan: Selesai, Setujui, atau Kembalikan.",
            ))
        }
    };
    let run = state.store.step_run(viewer.unit.id, run_id).await?;
    if run.training_id != id {
        return Err(AppError::not_found());
    }
    let result = state
        .store
        .complete_task(
            &viewer.unit,
            &viewer.user,
            run_id,
            decision,
            Some(input.note.clone()),
            state.clock.now(),
        )
        .await;
    match result {
        Ok(outcome) => {
            let code = if outcome.finished {
                "finished"
            } else {
                outcome.outcome
            };
            Ok(Redirect::to(&format!("/pelatihan/{id}?ok={code}")).into_response())
        }
        Err(err) => {
            let app: AppError = err.into();
            if app.status.is_server_error() {
                return Err(app);
            }
            // Show the training again with the message and the user's note kept, so nothing typed is lost.
            // Read now, not kept: a refusal may have written its audit entry since the
            // request's unit was read.
            let view = state.store.read_training_view(viewer.unit.id, id).await?;
            render_training(
                &state,
                &viewer,
                &view,
                None,
                Some(app.message),
                input.note,
                app.status,
            )
            .await
        }
    }
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub step: String,
    pub note: String,
    pub hash: String,
    pub short_hash: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    entries: Vec<AuditRow>,
}

pub fn action_label(action: &str) -> &str {
    match action {
        "training.created" => "Pelatihan dibuat",
        "step.completed" => "Langkah selesai",
        "step.approved" => "Disetujui",
        "step.returned" => "Dikembalikan",
        "step.denied" => "Percobaan ditolak",
        "plan.saved" => "Rencana kerja disimpan",
        "document.created" => "Naskah dibuat",
        "document.saved" => "Naskah disunting",
        "document.paraf" => "Naskah diparaf",
        "document.signed" => "Naskah ditandatangani",
        "document.returned" => "Naskah dikembalikan",
        "document.tte_attached" => "Salinan TTE dilampirkan",
        "number.assigned" => "Nomor surat diberikan",
        "number.reserved" => "Nomor surat dipesan",
        "recipient.added" => "Tujuan undangan ditambah",
        "recipient.updated" => "Tujuan undangan diubah",
        "recipient.removed" => "Tujuan undangan dihapus",
        "recipient.link_issued" => "Tautan balasan dibuat",
        "dispatch.recorded" => "Pengiriman undangan dicatat",
        "dispatch.mail_sent" => "Undangan terkirim lewat surel",
        "reply.registered" => "Balasan dicatat",
        "reply.imported" => "Balasan diimpor",
        "reply.reminded" => "Pengingat balasan dikirim",
        "nomination.updated" => "Calon peserta diubah",
        "nomination.withdrawn" => "Calon peserta ditarik",
        "meeting.saved" => "Rapat panitia dicatat",
        "roster.changed" => "Daftar peserta diubah",
        "roster.confirmed" => "Daftar peserta ditetapkan",
        "participant.links_issued" => "Tautan peserta dibuat",
        "session.added" => "Sesi ditambah",
        "attendance.marked" => "Kehadiran dicatat",
        "attendance.checked_in" => "Peserta hadir (mandiri)",
        "scores.saved" => "Nilai disimpan",
        "report.saved" => "Laporan disimpan",
        "certificate.issued" => "Sertifikat diterbitkan",
        "certificate_settings.saved" => "Pengaturan sertifikat disimpan",
        "provider.saved" => "Penyelenggara disimpan",
        "user.updated" => "Akun diubah",
        "role.granted" => "Peran diberikan",
        "role.revoked" => "Peran dicabut",
        "unit.updated" => "Unit diubah",
        "unit.notices_updated" => "Pemberitahuan keterlambatan diubah",
        other => other,
    }
}

pub async fn audit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Html<String>, AppError> {
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    let entries = state.store.audit_of_training(id).await?;
    let def = &detail.definition;
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: format::waktu(e.at, viewer.unit.zone),
            actor: e.actor_name,
            role: e
                .actor_role
                .as_deref()
                .map(|k| {
                    def.role(k)
                        .map(|r| r.name.clone())
                        .unwrap_or_else(|| k.to_string())
                })
                .unwrap_or_default(),
            action: action_label(&e.action).to_string(),
            step: match (e.step_no, e.round) {
                (Some(s), Some(r)) if r > 1 => format!("{s} (putaran {r})"),
                (Some(s), _) => s.to_string(),
                _ => String::new(),
            },
            note: e.note.unwrap_or_default(),
            short_hash: e.hash[..12].to_string(),
            hash: e.hash,
        })
        .collect();
    let names = role_names(&state, &viewer).await;
    let page = AuditPage {
        nav: Some(Nav::new(&state, &viewer, "pelatihan", &names)),
        id,
        title: detail.training.title.clone(),
        entries: rows,
    };
    Ok(Html(page.render().map_err(render_error)?))
}
