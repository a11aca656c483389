//! Step 8 (the seed's step 7): the Kabupaten/Kota reply with their candidates. Three ways in,
//! one set of checks: a form (Staf, or the Kabupaten's operator through its link, case L5), and
//! a spreadsheet upload with a column mapping that is remembered, a preview with every row's
//! problems, and nothing saved until the user accepts it (all rows, or explicitly the good ones).
//!
//! The list is then derived, never typed: the pure `laksana_nomination` crate checks each person
//! (NIK, eligibility) and allocates the quotas (utama, cadangan in arrival order, duplicates).

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use laksana_domain::Education;
use laksana_nomination::{
    self as nom, Disability, EmploymentStatus, Field, Mapping, Participant, Regions, Rules,
    Severity, Sex, Status,
};
use laksana_store::{
    NewNomination, NewReply, Nomination, NominationActor, Recipient, TrainingDetail, UploadedFile,
    DISTRIBUTION_STEP_KEY, REPLY_STEP_KEY,
};

use super::distribution::{acting_at, safe_name};
use super::tasks::render_error;
use super::{download, role_names, table_pdf, training_with_step, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{document_kind, Path, Query, Upload};
use crate::{format, AppState};

/// Largest reply letter (a scanned PDF) or spreadsheet accepted.
pub const MAX_REPLY_BYTES: usize = nom::import::MAX_BYTES;

/// The checks of the training's plan: age on the first day, minimum education.
pub async fn rules_of(state: &AppState, unit_id: i64, training: &TrainingDetail) -> Rules {
    let plan = state
        .store
        .work_plan(unit_id, training.training.id)
        .await
        .ok()
        .flatten();
    match plan {
        Some(v) => Rules {
            first_day: v.plan.tanggal_mulai.or(Some(training.training.start_date)),
            usia_min: v.plan.peserta.usia_min,
            usia_max: v.plan.peserta.usia_max,
            pendidikan_min: v.plan.peserta.pendidikan_min,
        },
        None => Rules {
            first_day: Some(training.training.start_date),
            ..Rules::default()
        },
    }
}

/// The reply deadline: the plan's, else the reply step's due time, else none.
pub async fn reply_deadline(
    state: &AppState,
    viewer_unit: &laksana_store::Unit,
    detail: &TrainingDetail,
) -> Option<DateTime<Utc>> {
    let plan = state
        .store
        .work_plan(viewer_unit.id, detail.training.id)
        .await
        .ok()
        .flatten();
    if let Some(date) = plan.and_then(|v| v.plan.batas_balasan) {
        return Some(state.store.close_of(date, viewer_unit.zone));
    }
    let step = detail
        .definition
        .steps
        .iter()
        .find(|s| s.key == REPLY_STEP_KEY)?;
    detail.runs_of(step.number).last().and_then(|r| r.due_at)
}

/// One person of the list as shown: the record, its checks and its place.
pub struct RosterRow {
    pub no: usize,
    pub id: i64,
    pub recipient_id: i64,
    pub nik: String,
    pub nama: String,
    pub sex: &'static str,
    pub born: String,
    pub age: String,
    pub education: String,
    pub region: String,
    pub status: String,
    pub status_css: &'static str,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub withdrawn: bool,
    pub participant: Participant,
    pub placement: Status,
    pub reserve_rank: Option<u32>,
}

/// The training's whole list, checked and allocated.
pub struct Roster {
    pub rows: Vec<RosterRow>,
    pub recipients: Vec<Recipient>,
}

impl Roster {
    pub fn count(&self, recipient_id: i64, status: &str) -> usize {
        self.rows
            .iter()
            .filter(|r| r.recipient_id == recipient_id)
            .filter(|r| match status {
                "utama" => matches!(r.placement, Status::Utama),
                "cadangan" => matches!(r.placement, Status::Cadangan),
                _ => true,
            })
            .count()
    }
}

pub fn parse_participant(data: &str) -> Participant {
    serde_json::from_str(data).unwrap_or_default()
}

pub async fn roster(
    state: &AppState,
    viewer_unit: &laksana_store::Unit,
    detail: &TrainingDetail,
) -> Result<Roster, AppError> {
    let unit_id = viewer_unit.id;
    let training_id = detail.training.id;
    let recipients = state.store.recipients(unit_id, training_id).await?;
    let nominations = state.store.nominations(unit_id, training_id).await?;
    let rules = rules_of(state, unit_id, detail).await;
    let today = state
        .clock
        .now()
        .with_timezone(&viewer_unit.zone.offset())
        .date_naive();
    let regions = Regions::embedded();
    let quota: BTreeMap<String, u32> = recipients
        .iter()
        .map(|r| (r.region_code.clone(), r.quota))
        .collect();
    let region_of: HashMap<i64, &Recipient> = recipients.iter().map(|r| (r.id, r)).collect();
    let noms: Vec<nom::Nomination> = nominations
        .iter()
        .map(|n| nom::Nomination {
            id: n.id,
            kabupaten: region_of
                .get(&n.recipient_id)
                .map(|r| r.region_code.clone())
                .unwrap_or_default(),
            nik: nom::nik::clean(&n.nik).to_string(),
            order: n.seq,
            withdrawn: n.withdrawn_at.is_some(),
        })
        .collect();
    let placements: HashMap<i64, nom::Placement> = nom::allocate(&noms, &quota)
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let year = chrono::Datelike::year(&detail.training.start_date);
    let mut elsewhere: HashMap<String, Vec<String>> = HashMap::new();
    for e in state
        .store
        .nominated_elsewhere(unit_id, training_id, year)
        .await?
    {
        elsewhere.entry(e.nik).or_default().push(e.training_title);
    }
    let mut rows = Vec::with_capacity(nominations.len());
    for (i, n) in nominations.iter().enumerate() {
        let p = parse_participant(&n.data);
        let checked = nom::check(&p, &rules, regions, today);
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        for issue in &checked.issues {
            match issue.severity {
                Severity::Error => errors.push(issue.message.clone()),
                Severity::Warning => warnings.push(issue.message.clone()),
            }
        }
        if let Some(others) = elsewhere.get(&n.nik) {
            warnings.push(format!(
                "NIK ini juga dicalonkan pada pelatihan lain tahun {year}: {}.",
                others.join(", ")
            ));
        }
        let placement = placements.get(&n.id);
        let status = placement.map_or(Status::Mundur, |p| p.status);
        let (status_text, css) = match status {
            Status::Utama => ("Utama".to_string(), "good"),
            Status::Cadangan => (
                format!(
                    "Cadangan {}",
                    placement.and_then(|p| p.reserve_rank).unwrap_or(0)
                ),
                "warn",
            ),
            Status::Duplikat { of } => {
                let first = nominations
                    .iter()
                    .position(|m| m.id == of)
                    .map(|k| k + 1)
                    .unwrap_or(0);
                let from = nominations
                    .iter()
                    .find(|m| m.id == of)
                    .and_then(|m| region_of.get(&m.recipient_id))
                    .map(|r| r.region_name.clone())
                    .unwrap_or_default();
                (format!("Ganda (sama dengan no. {first}, {from})"), "bad")
            }
            Status::Mundur => (
                format!(
                    "Ditarik: {}",
                    n.withdrawn_reason.clone().unwrap_or_default()
                ),
                "",
            ),
        };
        let nik_info = checked.nik.as_ref();
        rows.push(RosterRow {
            no: i + 1,
            id: n.id,
            recipient_id: n.recipient_id,
            nik: n.nik.clone(),
            nama: n.nama.clone(),
            sex: p
                .jenis_kelamin
                .or(nik_info.map(|k| k.sex))
                .map_or("", |s| s.code()),
            born: p
                .tanggal_lahir
                .or(nik_info.map(|k| k.birth_date))
                .map(nom::tanggal)
                .unwrap_or_default(),
            age: p
                .tanggal_lahir
                .or(nik_info.map(|k| k.birth_date))
                .and_then(|b| nom::nik::age_on(b, rules.first_day.unwrap_or(today)))
                .map(|a| format!("{a}"))
                .unwrap_or_default(),
            education: p
                .pendidikan
                .map(|e| e.label().to_string())
                .unwrap_or_default(),
            region: region_of
                .get(&n.recipient_id)
                .map(|r| r.region_name.clone())
                .unwrap_or_default(),
            status: status_text,
            status_css: css,
            errors,
            warnings,
            withdrawn: n.withdrawn_at.is_some(),
            participant: p,
            placement: status,
            reserve_rank: placement.and_then(|p| p.reserve_rank),
        });
    }
    Ok(Roster { rows, recipients })
}

// ----- the participant form -----

/// Reads the participant form (the same fields for Staf and for the operator's link).
pub fn participant_from_fields(get: &dyn Fn(&str) -> String, kabupaten: &str) -> Participant {
    let date = |k: &str| {
        let t = get(k);
        NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
            .ok()
            .or_else(|| nom::import::parse_date(&t))
    };
    Participant {
        nik: get("nik").trim().to_string(),
        nama: get("nama").trim().to_string(),
        tempat_lahir: get("tempat_lahir").trim().to_string(),
        tanggal_lahir: date("tanggal_lahir"),
        jenis_kelamin: Sex::parse(&get("jenis_kelamin")),
        alamat: get("alamat").trim().to_string(),
        kode_wilayah: get("kode_wilayah").trim().to_string(),
        pendidikan: Education::from_key(get("pendidikan").trim()),
        disabilitas: Disability::parse(&get("disabilitas")),
        status_kerja: EmploymentStatus::parse(&get("status_kerja")),
        telepon: get("telepon").trim().to_string(),
        email: get("email").trim().to_string(),
        kabupaten_asal: kabupaten.to_string(),
    }
}

/// The form's choices and the values typed, for showing it again.
pub struct PersonForm {
    pub p: Participant,
    pub born: String,
    pub sex: String,
    pub education: String,
    pub disability: String,
    pub employment: String,
}

impl PersonForm {
    pub fn of(p: &Participant) -> PersonForm {
        PersonForm {
            p: p.clone(),
            born: p
                .tanggal_lahir
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            sex: p
                .jenis_kelamin
                .map(|s| s.code().to_string())
                .unwrap_or_default(),
            education: p
                .pendidikan
                .map(|e| e.key().to_string())
                .unwrap_or_default(),
            disability: p
                .disabilitas
                .map(|d| d.key().to_string())
                .unwrap_or_default(),
            employment: p
                .status_kerja
                .map(|e| e.key().to_string())
                .unwrap_or_default(),
        }
    }
}

pub fn education_choices() -> Vec<(&'static str, &'static str)> {
    Education::ALL
        .iter()
        .map(|e| (e.key(), e.label()))
        .collect()
}
pub fn disability_choices() -> Vec<(&'static str, &'static str)> {
    Disability::ALL
        .iter()
        .map(|e| (e.key(), e.label()))
        .collect()
}
pub fn employment_choices() -> Vec<(&'static str, &'static str)> {
    EmploymentStatus::ALL
        .iter()
        .map(|e| (e.key(), e.label()))
        .collect()
}

/// Checks one person for saving: errors refuse (nothing saved), warnings are kept and shown.
/// The NIK's birth date and sex fill the form's when those were left empty.
// The error carries the form as typed, to be shown again; it is built once per request, so its
// size does not matter.
#[allow(clippy::result_large_err)]
pub fn checked_for_saving(
    mut p: Participant,
    rules: &Rules,
    today: NaiveDate,
) -> Result<NewNomination, (Participant, Vec<String>)> {
    let regions = Regions::embedded();
    let checked = nom::check(&p, rules, regions, today);
    let errors: Vec<String> = checked
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| i.message.clone())
        .collect();
    if !errors.is_empty() {
        return Err((p, errors));
    }
    if let Some(nik) = &checked.nik {
        nom::complete_from_nik(&mut p, nik);
        p.nik = nik.digits.clone();
    }
    Ok(NewNomination {
        nik: p.nik.clone(),
        nama: p.nama.clone(),
        data: serde_json::to_string(&p).expect("a participant serialises"),
    })
}

// ----- the Staf's pages -----

#[derive(Clone)]
pub struct RecipientSummary {
    pub id: i64,
    pub name: String,
    pub quota: u32,
    pub dispatch: &'static str,
    pub replied: bool,
    pub reply: String,
    pub utama: usize,
    pub cadangan: usize,
    pub telephone: String,
    pub email: String,
    pub late: bool,
}

#[derive(Template)]
#[template(path = "replies.html")]
struct RepliesPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    csrf: String,
    flash: Option<String>,
    can_act: bool,
    deadline: String,
    deadline_passed: bool,
    summaries: Vec<RecipientSummary>,
    not_replied: Vec<RecipientSummary>,
    agenda: Vec<(String, String, String, String, String, Option<i64>)>,
    link: Option<(String, String)>,
}

#[derive(serde::Deserialize, Default)]
pub struct RepliesQuery {
    #[serde(default)]
    pub ok: String,
}

async fn recipient_of(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    rid: i64,
) -> Result<Recipient, AppError> {
    let r = state.store.recipient(viewer.unit.id, rid).await?;
    if r.training_id != id {
        return Err(AppError::not_found());
    }
    Ok(r)
}

fn flash_text(code: &str) -> Option<String> {
    Some(
        match code {
            "simpan" => "Jawaban dan calon peserta disimpan.",
            "ubah" => "Data calon peserta diperbaiki.",
            "tarik" => "Calon peserta ditarik dari daftar.",
            "impor" => "Calon peserta dari berkas disimpan.",
            "pengingat" => "Pengingat dimasukkan ke kotak keluar.",
            "konfirmasi" => "Daftar peserta dikonfirmasi.",
            _ => return None,
        }
        .to_string(),
    )
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<RepliesQuery>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    render_replies(&state, &viewer, &detail, flash_text(&q.ok), None).await
}

async fn render_replies(
    state: &AppState,
    viewer: &Viewer,
    detail: &TrainingDetail,
    flash: Option<String>,
    link: Option<(String, String)>,
) -> Result<Response, AppError> {
    let id = detail.training.id;
    let zone = viewer.unit.zone;
    let now = state.clock.now();
    let roster = roster(state, &viewer.unit, detail).await?;
    let deadline = reply_deadline(state, &viewer.unit, detail).await;
    let deadline_passed = deadline.is_some_and(|d| now > d);
    let replies = state.store.replies(viewer.unit.id, id).await?;
    let summaries: Vec<RecipientSummary> = roster
        .recipients
        .iter()
        .map(|r| {
            let mine: Vec<_> = replies.iter().filter(|x| x.recipient_id == r.id).collect();
            RecipientSummary {
                id: r.id,
                name: r.region_name.clone(),
                quota: r.quota,
                dispatch: r.dispatch_state().label(),
                replied: r.has_replied(),
                reply: mine
                    .iter()
                    .map(|x| {
                        format!(
                            "agenda {}/{} · {}{}",
                            x.agenda_seq,
                            x.agenda_year,
                            format::waktu(x.received_at, zone),
                            if x.letter_number.is_empty() {
                                String::new()
                            } else {
                                format!(" · surat {}", x.letter_number)
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                utama: roster.count(r.id, "utama"),
                cadangan: roster.count(r.id, "cadangan"),
                telephone: r.telephone.clone(),
                email: r.email.clone(),
                late: match (r.first_reply_at, deadline) {
                    (Some(at), Some(d)) => at > d,
                    (None, Some(d)) => now > d,
                    _ => false,
                },
            }
        })
        .collect();
    let not_replied = summaries.iter().filter(|s| !s.replied).cloned().collect();
    let agenda = replies
        .iter()
        .map(|x| {
            (
                format!("{}/{}", x.agenda_seq, x.agenda_year),
                format::waktu(x.received_at, zone),
                x.region_name.clone(),
                format!(
                    "{}{}",
                    if x.letter_number.is_empty() {
                        "—".to_string()
                    } else {
                        x.letter_number.clone()
                    },
                    x.letter_date
                        .map(|d| format!(", {}", format::tanggal(d)))
                        .unwrap_or_default()
                ),
                match x.via.as_str() {
                    "tautan" => "tautan operator".to_string(),
                    "unggah" => "unggahan berkas".to_string(),
                    _ => format!("formulir ({})", x.recorded_by_name),
                },
                x.file_name.as_ref().map(|_| x.id),
            )
        })
        .collect();
    let names = role_names(state, viewer).await;
    let page = RepliesPage {
        nav: Some(Nav::new(state, viewer, "pelatihan", &names)),
        id,
        title: detail.training.title.clone(),
        csrf: viewer.csrf.clone(),
        flash,
        can_act: acting_at(detail, viewer, &[DISTRIBUTION_STEP_KEY, REPLY_STEP_KEY]),
        deadline: deadline
            .map(|d| format::waktu(d, zone))
            .unwrap_or_else(|| "belum ditentukan".into()),
        deadline_passed,
        summaries,
        not_replied,
        agenda,
        link,
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    pub csrf: String,
}

/// Makes (or remakes) a recipient's link and shows it once, to be sent by other means.
pub async fn issue_link(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid)): Path<(i64, i64)>,
    crate::form::Form(f): crate::form::Form<CsrfOnly>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&f.csrf)?;
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    if !acting_at(&detail, &viewer, &[DISTRIBUTION_STEP_KEY, REPLY_STEP_KEY]) {
        return Err(AppError::forbidden(
            "Tautan dibuat oleh Staf selama distribusi undangan atau penerimaan jawaban.",
        ));
    }
    let r = recipient_of(&state, &viewer, id, rid).await?;
    let secret = state
        .store
        .issue_link(&viewer.unit, &viewer.user, rid, state.clock.now())
        .await?;
    let profile = state.store.unit_profile(viewer.unit.id).await?;
    let base = if profile.public_base_url.trim().is_empty() {
        state.public_base_url.clone()
    } else {
        profile.public_base_url.clone()
    };
    let url = format!("{}/undangan/{secret}", base.trim_end_matches('/'));
    render_replies(&state, &viewer, &detail, None, Some((r.region_name, url))).await
}

// ----- one recipient: its reply, its candidates, the form and the upload -----

pub struct NominationLine {
    pub row: RosterRowView,
    pub form: PersonForm,
}

pub struct RosterRowView {
    pub no: usize,
    pub id: i64,
    pub nik: String,
    pub nama: String,
    pub sex: &'static str,
    pub born: String,
    pub age: String,
    pub education: String,
    pub region: String,
    pub status: String,
    pub status_css: &'static str,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub withdrawn: bool,
}

fn row_view(r: &RosterRow, no: usize) -> RosterRowView {
    RosterRowView {
        no,
        id: r.id,
        nik: r.nik.clone(),
        nama: r.nama.clone(),
        sex: r.sex,
        born: r.born.clone(),
        age: r.age.clone(),
        education: r.education.clone(),
        region: r.region.clone(),
        status: r.status.clone(),
        status_css: r.status_css,
        errors: r.errors.clone(),
        warnings: r.warnings.clone(),
        withdrawn: r.withdrawn,
    }
}

#[derive(Template)]
#[template(path = "recipient.html")]
pub struct RecipientPage {
    pub nav: Option<Nav>,
    /// Where the forms post: `/pelatihan/{id}/jawaban/{rid}` or `/undangan/{secret}`.
    pub base: String,
    pub training_id: i64,
    pub recipient_id: i64,
    pub training_title: String,
    pub unit_name: String,
    pub via_link: bool,
    pub csrf: String,
    pub flash: Option<String>,
    pub errors: Vec<String>,
    pub can_edit: bool,
    pub closed_reason: String,
    pub region: String,
    pub quota: u32,
    pub deadline: String,
    pub lines: Vec<NominationLine>,
    pub form: PersonForm,
    pub educations: Vec<(&'static str, &'static str)>,
    pub disabilities: Vec<(&'static str, &'static str)>,
    pub employments: Vec<(&'static str, &'static str)>,
    pub undangan_pdf: Option<String>,
    pub rules: String,
}

pub fn rules_text(rules: &Rules) -> String {
    let mut parts = Vec::new();
    match (rules.usia_min, rules.usia_max) {
        (Some(a), Some(b)) => parts.push(format!("usia {a}–{b} tahun pada hari pertama")),
        (Some(a), None) => parts.push(format!("usia paling rendah {a} tahun")),
        (None, Some(b)) => parts.push(format!("usia paling tinggi {b} tahun")),
        _ => {}
    }
    if let Some(e) = rules.pendidikan_min {
        parts.push(format!("pendidikan paling rendah {}", e.label()));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("Syarat peserta: {}.", parts.join(", "))
    }
}

/// What the recipient page needs, for both the Staf and the operator's link.
pub struct RecipientContext<'a> {
    pub detail: &'a TrainingDetail,
    pub unit: &'a laksana_store::Unit,
    pub recipient: &'a Recipient,
    pub base: String,
    pub via_link: bool,
    pub csrf: String,
    pub can_edit: bool,
    pub closed_reason: String,
    pub nav: Option<Nav>,
    pub undangan_pdf: Option<String>,
}

pub async fn render_recipient(
    state: &AppState,
    ctx: RecipientContext<'_>,
    flash: Option<String>,
    errors: Vec<String>,
    form: Option<Participant>,
    status: axum::http::StatusCode,
) -> Result<Response, AppError> {
    let roster = roster(state, ctx.unit, ctx.detail).await?;
    let deadline = reply_deadline(state, ctx.unit, ctx.detail).await;
    let rules = rules_of(state, ctx.unit.id, ctx.detail).await;
    let lines = roster
        .rows
        .iter()
        .filter(|r| r.recipient_id == ctx.recipient.id)
        .enumerate()
        .map(|(i, r)| NominationLine {
            row: row_view(r, i + 1),
            form: PersonForm::of(&r.participant),
        })
        .collect();
    let page = RecipientPage {
        nav: ctx.nav,
        base: ctx.base,
        training_id: ctx.detail.training.id,
        recipient_id: ctx.recipient.id,
        training_title: ctx.detail.training.title.clone(),
        unit_name: ctx.unit.name.clone(),
        via_link: ctx.via_link,
        csrf: ctx.csrf,
        flash,
        errors,
        can_edit: ctx.can_edit,
        closed_reason: ctx.closed_reason,
        region: ctx.recipient.region_name.clone(),
        quota: ctx.recipient.quota,
        deadline: deadline
            .map(|d| format::waktu(d, ctx.unit.zone))
            .unwrap_or_else(|| "belum ditentukan".into()),
        lines,
        form: PersonForm::of(&form.unwrap_or_default()),
        educations: education_choices(),
        disabilities: disability_choices(),
        employments: employment_choices(),
        undangan_pdf: ctx.undangan_pdf,
        rules: rules_text(&rules),
    };
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

async fn staff_context<'a>(
    state: &AppState,
    viewer: &'a Viewer,
    detail: &'a TrainingDetail,
    recipient: &'a Recipient,
) -> RecipientContext<'a> {
    let names = role_names(state, viewer).await;
    RecipientContext {
        detail,
        unit: &viewer.unit,
        recipient,
        base: format!("/pelatihan/{}/jawaban/{}", detail.training.id, recipient.id),
        via_link: false,
        csrf: viewer.csrf.clone(),
        can_edit: acting_at(detail, viewer, &[DISTRIBUTION_STEP_KEY, REPLY_STEP_KEY]),
        closed_reason:
            "Jawaban dicatat oleh Staf selama langkah distribusi undangan atau penerimaan jawaban."
                .into(),
        nav: Some(Nav::new(state, viewer, "pelatihan", &names)),
        undangan_pdf: None,
    }
}

pub async fn recipient_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid)): Path<(i64, i64)>,
    Query(q): Query<RepliesQuery>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    let r = recipient_of(&state, &viewer, id, rid).await?;
    let ctx = staff_context(&state, &viewer, &detail, &r).await;
    render_recipient(
        &state,
        ctx,
        flash_text(&q.ok),
        Vec::new(),
        None,
        axum::http::StatusCode::OK,
    )
    .await
}

/// Reads an optional reply letter from an upload: its number, date and file.
pub fn reply_of(up: &Upload, via: &'static str) -> Result<Option<NewReply>, AppError> {
    let number = up.text("nomor_surat").trim().to_string();
    let date_text = up.text("tanggal_surat");
    let date = match date_text.trim() {
        "" => None,
        t => Some(
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .or_else(|| nom::import::parse_date(t))
                .ok_or_else(|| {
                    AppError::bad_request(
                        "invalid_date",
                        "tanggal_surat",
                        format!("Tanggal surat \"{t}\" tidak terbaca."),
                    )
                })?,
        ),
    };
    let file = match up.files.get("surat") {
        None => None,
        Some((name, bytes)) => {
            let mime = document_kind(bytes).ok_or_else(|| {
                AppError::bad_request(
                    "unsupported_file",
                    "surat",
                    format!("Berkas surat \"{name}\" bukan PDF, PNG atau JPEG; tidak ada yang disimpan."),
                )
            })?;
            Some(UploadedFile {
                name: name.clone(),
                mime: mime.into(),
                bytes: bytes.clone(),
            })
        }
    };
    if number.is_empty() && date.is_none() && file.is_none() {
        return Ok(None);
    }
    Ok(Some(NewReply {
        letter_number: number,
        letter_date: date,
        subject: String::new(),
        file,
        via,
    }))
}

/// Adds a reply letter and/or one candidate from the form.
pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid)): Path<(i64, i64)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(multipart, MAX_REPLY_BYTES).await?;
    viewer.check_csrf(&up.text("csrf"))?;
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    let r = recipient_of(&state, &viewer, id, rid).await?;
    let reply = reply_of(&up, "form")?;
    let outcome = save_person(&state, &viewer.unit, &detail, &r, &up, None).await;
    match outcome {
        Ok(candidate) => {
            state
                .store
                .register_reply(
                    &viewer.unit,
                    NominationActor::User(&viewer.user),
                    rid,
                    reply.as_ref(),
                    &candidate.into_iter().collect::<Vec<_>>(),
                    state.clock.now(),
                )
                .await?;
            Ok(Redirect::to(&format!("/pelatihan/{id}/jawaban/{rid}?ok=simpan")).into_response())
        }
        Err((p, errors)) => {
            let ctx = staff_context(&state, &viewer, &detail, &r).await;
            render_recipient(
                &state,
                ctx,
                None,
                errors,
                Some(p),
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The person typed on a form, checked: `Ok(None)` when the form's person fields were empty.
#[allow(clippy::result_large_err)]
pub async fn save_person(
    state: &AppState,
    unit: &laksana_store::Unit,
    detail: &TrainingDetail,
    r: &Recipient,
    up: &Upload,
    _existing: Option<&Nomination>,
) -> Result<Option<NewNomination>, (Participant, Vec<String>)> {
    let get = |k: &str| up.text(k);
    if get("nik").trim().is_empty() && get("nama").trim().is_empty() {
        return Ok(None);
    }
    let p = participant_from_fields(&get, &r.region_code);
    let rules = rules_of(state, unit.id, detail).await;
    let today = state
        .clock
        .now()
        .with_timezone(&unit.zone.offset())
        .date_naive();
    checked_for_saving(p, &rules, today).map(Some)
}

/// Corrects one candidate.
pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid, nid)): Path<(i64, i64, i64)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(multipart, MAX_REPLY_BYTES).await?;
    viewer.check_csrf(&up.text("csrf"))?;
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    let r = recipient_of(&state, &viewer, id, rid).await?;
    let n = state.store.nomination(viewer.unit.id, nid).await?;
    if n.recipient_id != rid {
        return Err(AppError::not_found());
    }
    match save_person(&state, &viewer.unit, &detail, &r, &up, Some(&n)).await {
        Ok(Some(change)) => {
            state
                .store
                .update_nomination(
                    &viewer.unit,
                    NominationActor::User(&viewer.user),
                    nid,
                    &change,
                    state.clock.now(),
                )
                .await?;
            Ok(Redirect::to(&format!("/pelatihan/{id}/jawaban/{rid}?ok=ubah")).into_response())
        }
        Ok(None) => Err(AppError::bad_request(
            "missing_field",
            "nik",
            "NIK dan nama wajib diisi.",
        )),
        Err((p, errors)) => {
            let ctx = staff_context(&state, &viewer, &detail, &r).await;
            render_recipient(
                &state,
                ctx,
                None,
                errors,
                Some(p),
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(serde::Deserialize)]
pub struct WithdrawForm {
    pub csrf: String,
    #[serde(default)]
    pub alasan: String,
}

pub async fn withdraw(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid, nid)): Path<(i64, i64, i64)>,
    crate::form::Form(f): crate::form::Form<WithdrawForm>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&f.csrf)?;
    recipient_of(&state, &viewer, id, rid).await?;
    let n = state.store.nomination(viewer.unit.id, nid).await?;
    if n.recipient_id != rid {
        return Err(AppError::not_found());
    }
    state
        .store
        .withdraw_nomination(
            &viewer.unit,
            NominationActor::User(&viewer.user),
            nid,
            &f.alasan,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/jawaban/{rid}?ok=tarik")).into_response())
}

pub async fn reply_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, reply)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    let (name, _mime, bytes) = state.store.reply_file(viewer.unit.id, reply).await?;
    let mime = document_kind(&bytes).unwrap_or("application/octet-stream");
    Ok(download(bytes, mime, &safe_name(&name), true))
}

// ----- spreadsheet import: upload, mapping and preview, save -----

fn import_error(e: nom::ImportError) -> AppError {
    AppError::bad_request(e.code(), "berkas", format!("{e}. Tidak ada yang disimpan."))
}

pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid)): Path<(i64, i64)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(multipart, MAX_REPLY_BYTES).await?;
    viewer.check_csrf(&up.text("csrf"))?;
    training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    recipient_of(&state, &viewer, id, rid).await?;
    let (name, bytes) = up.files.get("berkas").cloned().ok_or_else(|| {
        AppError::bad_request(
            "missing_file",
            "berkas",
            "Pilih berkas lembar kerja (XLSX atau CSV).",
        )
    })?;
    // Read once now, so a file that is not a spreadsheet is refused before it is kept.
    let bytes_for_check = bytes.clone();
    let name_for_check = name.clone();
    tokio::task::spawn_blocking(move || nom::read_table(&bytes_for_check, &name_for_check))
        .await
        .map_err(AppError::internal)?
        .map_err(import_error)?;
    let pending = state
        .store
        .stash_import(
            &viewer.unit,
            &viewer.user,
            rid,
            &UploadedFile {
                name: safe_name(&name),
                mime: String::new(),
                bytes,
            },
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/jawaban/{rid}/unggah/{pending}")).into_response())
}

fn headers_key(headers: &[String]) -> String {
    headers
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect::<Vec<_>>()
        .join("|")
}

/// The mapping asked for in the query (`kolom_nik=0` …), else the one remembered for these
/// headers, else the suggestion from the header names.
async fn mapping_for(
    state: &AppState,
    unit_id: i64,
    headers: &[String],
    asked: &HashMap<String, String>,
) -> Mapping {
    if asked.keys().any(|k| k.starts_with("kolom_")) {
        let mut m = Mapping::default();
        for f in Field::ALL {
            if let Some(i) = asked
                .get(&format!("kolom_{}", f.key()))
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|i| *i < headers.len())
            {
                m.set(f, Some(i));
            }
        }
        return m;
    }
    if let Ok(Some(saved)) = state
        .store
        .import_mapping(unit_id, &headers_key(headers))
        .await
    {
        if let Ok(names) = serde_json::from_str::<BTreeMap<Field, String>>(&saved) {
            return Mapping::from_names(&names, headers);
        }
    }
    nom::suggest_mapping(headers)
}

pub struct PreviewRow {
    pub line: usize,
    pub nik: String,
    pub nama: String,
    pub born: String,
    pub sex: String,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    nav: Option<Nav>,
    id: i64,
    rid: i64,
    pid: i64,
    title: String,
    region: String,
    file_name: String,
    format: String,
    csrf: String,
    headers: Vec<(usize, String)>,
    fields: Vec<(&'static str, &'static str, bool, Option<usize>)>,
    missing: Vec<&'static str>,
    rows: Vec<PreviewRow>,
    total: usize,
    good: usize,
    bad: usize,
    warned: usize,
    shown_all: bool,
    saved: bool,
    query_mapping: Vec<(String, usize)>,
    can_act: bool,
}

/// At most this many rows are listed in the preview; rows with problems are always listed.
const PREVIEW_ROWS: usize = 200;

pub async fn preview(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid, pid)): Path<(i64, i64, i64)>,
    Query(asked): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    let r = recipient_of(&state, &viewer, id, rid).await?;
    let pending = state.store.pending_import(viewer.unit.id, pid).await?;
    if pending.recipient_id != rid {
        return Err(AppError::not_found());
    }
    let file = pending.file.clone();
    let name = pending.file_name.clone();
    let table = tokio::task::spawn_blocking(move || nom::read_table(&file, &name))
        .await
        .map_err(AppError::internal)?
        .map_err(import_error)?;
    let mapping = mapping_for(&state, viewer.unit.id, &table.headers, &asked).await;
    let checks = checks_of(&state, &viewer, &detail, &r, &table, &mapping).await?;
    let total = checks.len();
    let bad = checks.iter().filter(|c| c.has_errors()).count();
    let warned = checks
        .iter()
        .filter(|c| !c.has_errors() && c.warnings().next().is_some())
        .count();
    let shown_all = total <= PREVIEW_ROWS;
    let rows = checks
        .iter()
        .enumerate()
        .filter(|(i, c)| *i < PREVIEW_ROWS || c.has_errors())
        .map(|(_, c)| PreviewRow {
            line: c.line,
            nik: c.participant.nik.clone(),
            nama: c.participant.nama.clone(),
            born: c
                .participant
                .tanggal_lahir
                .map(nom::tanggal)
                .unwrap_or_default(),
            sex: c
                .participant
                .jenis_kelamin
                .map(|s| s.code().to_string())
                .unwrap_or_default(),
            errors: c
                .errors()
                .map(|i| format!("kolom {}: {}", i.column, i.message))
                .collect(),
            warnings: c.warnings().map(|i| i.message.clone()).collect(),
        })
        .collect();
    let format = match &table.format {
        nom::Format::Csv {
            separator,
            encoding,
        } => {
            format!("CSV, pemisah \"{separator}\", {encoding:?}")
        }
        other => format!("{other:?}"),
    };
    let names = role_names(&state, &viewer).await;
    let page = PreviewPage {
        nav: Some(Nav::new(&state, &viewer, "pelatihan", &names)),
        id,
        rid,
        pid,
        title: detail.training.title.clone(),
        region: r.region_name.clone(),
        file_name: pending.file_name.clone(),
        format,
        csrf: viewer.csrf.clone(),
        headers: table.headers.iter().cloned().enumerate().collect(),
        fields: Field::ALL
            .iter()
            .map(|f| (f.key(), f.label(), f.required(), mapping.get(*f)))
            .collect(),
        missing: mapping
            .missing_required()
            .iter()
            .map(|f| f.label())
            .collect(),
        rows,
        total,
        good: total - bad,
        bad,
        warned,
        shown_all,
        saved: pending.saved,
        query_mapping: Field::ALL
            .iter()
            .filter_map(|f| mapping.get(*f).map(|i| (format!("kolom_{}", f.key()), i)))
            .collect(),
        can_act: acting_at(&detail, &viewer, &[DISTRIBUTION_STEP_KEY, REPLY_STEP_KEY]),
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

async fn checks_of(
    state: &AppState,
    viewer: &Viewer,
    detail: &TrainingDetail,
    r: &Recipient,
    table: &nom::Table,
    mapping: &Mapping,
) -> Result<Vec<nom::RowCheck>, AppError> {
    let rules = rules_of(state, viewer.unit.id, detail).await;
    let today = state
        .clock
        .now()
        .with_timezone(&viewer.unit.zone.offset())
        .date_naive();
    let table = table.clone();
    let mapping = mapping.clone();
    let code = r.region_code.clone();
    tokio::task::spawn_blocking(move || {
        nom::preview(&table, &mapping, &code, &rules, Regions::embedded(), today)
    })
    .await
    .map_err(AppError::internal)
}

/// Saves an accepted preview: every row ("semua", refused while any row has an error) or only
/// the rows without errors ("baik"), with the reply letter, in one transaction.
pub async fn save_import(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid, pid)): Path<(i64, i64, i64)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(multipart, MAX_REPLY_BYTES).await?;
    viewer.check_csrf(&up.text("csrf"))?;
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    let r = recipient_of(&state, &viewer, id, rid).await?;
    let pending = state.store.pending_import(viewer.unit.id, pid).await?;
    if pending.recipient_id != rid {
        return Err(AppError::not_found());
    }
    let file = pending.file.clone();
    let name = pending.file_name.clone();
    let table = tokio::task::spawn_blocking(move || nom::read_table(&file, &name))
        .await
        .map_err(AppError::internal)?
        .map_err(import_error)?;
    let asked: HashMap<String, String> = up.fields.clone();
    let mapping = mapping_for(&state, viewer.unit.id, &table.headers, &asked).await;
    let missing = mapping.missing_required();
    if !missing.is_empty() {
        return Err(AppError::bad_request(
            "mapping_incomplete",
            "kolom",
            format!(
                "Pilih kolom untuk: {}. Tidak ada yang disimpan.",
                missing
                    .iter()
                    .map(|f| f.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let checks = checks_of(&state, &viewer, &detail, &r, &table, &mapping).await?;
    let bad: Vec<usize> = checks
        .iter()
        .filter(|c| c.has_errors())
        .map(|c| c.line)
        .collect();
    let mode = up.text("mode");
    if mode != "baik" && !bad.is_empty() {
        return Err(AppError::bad_request(
            "rows_with_errors",
            "berkas",
            format!(
                "{} baris bermasalah (baris {}{}). Perbaiki berkasnya dan unggah lagi, atau pilih \"Simpan baris yang benar saja\". Tidak ada yang disimpan.",
                bad.len(),
                bad.iter().take(20).map(|l| l.to_string()).collect::<Vec<_>>().join(", "),
                if bad.len() > 20 { ", …" } else { "" }
            ),
        ));
    }
    let candidates: Vec<NewNomination> = checks
        .into_iter()
        .filter(|c| !c.has_errors())
        .map(|c| {
            let mut p = c.participant;
            if let Some(nik) = &c.nik {
                nom::complete_from_nik(&mut p, nik);
                p.nik = nik.digits.clone();
            }
            NewNomination {
                nik: p.nik.clone(),
                nama: p.nama.clone(),
                data: serde_json::to_string(&p).expect("a participant serialises"),
            }
        })
        .collect();
    if candidates.is_empty() {
        return Err(AppError::bad_request(
            "no_good_rows",
            "berkas",
            "Tidak ada baris yang benar untuk disimpan.",
        ));
    }
    let reply = reply_of(&up, "unggah")?.unwrap_or(NewReply {
        letter_number: String::new(),
        letter_date: None,
        subject: String::new(),
        file: None,
        via: "unggah",
    });
    state
        .store
        .save_import(
            &viewer.unit,
            &viewer.user,
            pid,
            &NewReply {
                subject: format!("Calon peserta (berkas {})", pending.file_name),
                ..reply
            },
            &candidates,
            state.clock.now(),
        )
        .await?;
    let names = serde_json::to_string(&mapping.to_names(&table.headers)).unwrap_or_default();
    state
        .store
        .save_import_mapping(
            viewer.unit.id,
            &headers_key(&table.headers),
            &names,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/jawaban/{rid}?ok=impor")).into_response())
}

// ----- the whole list, its exports and its confirmation -----

#[derive(Template)]
#[template(path = "participants.html")]
struct ParticipantsPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    csrf: String,
    flash: Option<String>,
    rows: Vec<RosterRowView>,
    regions: Vec<(i64, String, usize, usize, u32)>,
    utama: usize,
    cadangan: usize,
    with_errors: usize,
    confirmed: Option<String>,
    can_confirm: bool,
}

pub async fn participants(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<RepliesQuery>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    let roster = roster(&state, &viewer.unit, &detail).await?;
    let confirmed = state
        .store
        .latest_roster(viewer.unit.id, id)
        .await?
        .map(|c| {
            format!(
                "Dikonfirmasi oleh {} pada {}",
                c.confirmed_by_name,
                format::waktu(c.confirmed_at, viewer.unit.zone)
            )
        });
    let committee = state.store.committee_accounts(viewer.unit.id, id).await?;
    let at_meeting = detail
        .active_run()
        .and_then(|r| detail.definition.step(r.step_no as u32))
        .is_some_and(|s| s.key == laksana_store::MEETING_STEP_KEY);
    let can_confirm = at_meeting
        && match committee {
            Some(m) => m.contains(&viewer.user.id),
            None => viewer
                .roles
                .iter()
                .any(|r| r == laksana_store::COMMITTEE_ROLE),
        };
    let names = role_names(&state, &viewer).await;
    let page = ParticipantsPage {
        nav: Some(Nav::new(&state, &viewer, "pelatihan", &names)),
        id,
        title: detail.training.title.clone(),
        csrf: viewer.csrf.clone(),
        flash: flash_text(&q.ok),
        rows: roster.rows.iter().map(|r| row_view(r, r.no)).collect(),
        regions: roster
            .recipients
            .iter()
            .map(|r| {
                (
                    r.id,
                    r.region_name.clone(),
                    roster.count(r.id, "utama"),
                    roster.count(r.id, "cadangan"),
                    r.quota,
                )
            })
            .collect(),
        utama: roster
            .rows
            .iter()
            .filter(|r| matches!(r.placement, Status::Utama))
            .count(),
        cadangan: roster
            .rows
            .iter()
            .filter(|r| matches!(r.placement, Status::Cadangan))
            .count(),
        with_errors: roster
            .rows
            .iter()
            .filter(|r| !r.errors.is_empty() && !r.withdrawn)
            .count(),
        confirmed,
        can_confirm,
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

fn export_rows(roster: &Roster, only: Option<i64>) -> Vec<nom::ExportRow> {
    roster
        .rows
        .iter()
        .filter(|r| only.is_none_or(|id| r.recipient_id == id))
        .filter(|r| !r.withdrawn)
        .map(|r| nom::ExportRow {
            participant: r.participant.clone(),
            kabupaten_nama: r.region.clone(),
            status: r.status.clone(),
            catatan: r
                .errors
                .iter()
                .chain(r.warnings.iter())
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect()
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    let roster = roster(&state, &viewer.unit, &detail).await?;
    let rows = export_rows(&roster, None);
    let bytes = tokio::task::spawn_blocking(move || nom::to_xlsx(&rows))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("peserta-{id}.xlsx"),
        true,
    ))
}

pub async fn export_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    let roster = roster(&state, &viewer.unit, &detail).await?;
    let text = nom::to_csv(&export_rows(&roster, None));
    Ok(download(
        text,
        "text/csv; charset=utf-8",
        &format!("peserta-{id}.csv"),
        true,
    ))
}

/// The printable list of one Kabupaten/Kota's candidates (or all, per Kabupaten/Kota).
pub async fn export_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    let r = recipient_of(&state, &viewer, id, rid).await?;
    let roster = roster(&state, &viewer.unit, &detail).await?;
    let rows: Vec<Vec<String>> = roster
        .rows
        .iter()
        .filter(|x| x.recipient_id == rid && !x.withdrawn)
        .enumerate()
        .map(|(i, x)| {
            vec![
                (i + 1).to_string(),
                x.nik.clone(),
                x.nama.clone(),
                x.sex.to_string(),
                format!(
                    "{}{}",
                    if x.participant.tempat_lahir.is_empty() {
                        String::new()
                    } else {
                        format!("{}, ", x.participant.tempat_lahir)
                    },
                    x.born
                ),
                x.education.clone(),
                x.status.clone(),
            ]
        })
        .collect();
    let profile = state.store.unit_profile(viewer.unit.id).await?;
    let table = laksana_documents::letter::TableReport {
        kop: crate::paperwork::kop(&profile),
        judul: "DAFTAR CALON PESERTA".into(),
        subjudul: vec![
            detail.training.title.clone(),
            format!("{} · kuota {} orang", r.region_name, r.quota),
        ],
        kolom: [
            "No",
            "NIK",
            "Nama",
            "L/P",
            "Tempat, tanggal lahir",
            "Pendidikan",
            "Status",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        lebar: vec![4, 16, 24, 4, 22, 14, 12],
        baris: rows,
        catatan: vec![format!(
            "Dicetak {} dari Laksana.",
            format::waktu(state.clock.now(), viewer.unit.zone)
        )],
    };
    table_pdf(table, &format!("calon-peserta-{}.pdf", r.region_code)).await
}

/// The Panitia confirms the list as it stands: a snapshot of who is utama and who cadangan.
pub async fn confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    crate::form::Form(f): crate::form::Form<CsrfOnly>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&f.csrf)?;
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    // The list is final only once the replies are closed: the Panitia confirms it at the
    // preparation meeting, not while Kabupaten/Kota may still add candidates.
    let at_meeting = detail
        .active_run()
        .and_then(|r| detail.definition.step(r.step_no as u32))
        .is_some_and(|s| s.key == laksana_store::MEETING_STEP_KEY);
    if !at_meeting {
        return Err(AppError::new(
            axum::http::StatusCode::CONFLICT,
            "wrong_step",
            "Daftar peserta dikonfirmasi Panitia pada rapat persiapan, setelah penerimaan jawaban ditutup.",
        ));
    }
    let roster = roster(&state, &viewer.unit, &detail).await?;
    let with_errors: Vec<String> = roster
        .rows
        .iter()
        .filter(|r| !r.withdrawn && !r.errors.is_empty() && matches!(r.placement, Status::Utama))
        .map(|r| format!("no. {} {}", r.no, r.nama))
        .collect();
    if !with_errors.is_empty() {
        return Err(AppError::new(
            axum::http::StatusCode::CONFLICT,
            "roster_has_errors",
            format!(
                "Daftar belum dapat dikonfirmasi: data peserta utama masih salah ({}). Perbaiki atau tarik dulu.",
                with_errors.join(", ")
            ),
        ));
    }
    let snapshot: Vec<serde_json::Value> = roster
        .rows
        .iter()
        .filter_map(|r| match r.placement {
            Status::Utama => Some(serde_json::json!({"nomination_id": r.id, "status": "utama"})),
            Status::Cadangan => Some(
                serde_json::json!({"nomination_id": r.id, "status": "cadangan", "rank": r.reserve_rank}),
            ),
            _ => None,
        })
        .collect();
    let utama = snapshot.iter().filter(|s| s["status"] == "utama").count();
    let summary = format!(
        "Daftar peserta dikonfirmasi: {utama} utama, {} cadangan",
        snapshot.len() - utama
    );
    state
        .store
        .confirm_roster(
            &viewer.unit,
            &viewer.user,
            id,
            &serde_json::Value::Array(snapshot).to_string(),
            &summary,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/peserta?ok=konfirmasi")).into_response())
}

/// The Staf's "send a reminder now": once per recipient per day.
pub async fn remind(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    crate::form::Form(f): crate::form::Form<CsrfOnly>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&f.csrf)?;
    let detail = training_with_step(&state, &viewer, id, REPLY_STEP_KEY).await?;
    if !acting_at(&detail, &viewer, &[DISTRIBUTION_STEP_KEY, REPLY_STEP_KEY]) {
        return Err(AppError::forbidden(
            "Pengingat dikirim oleh Staf selama penerimaan jawaban.",
        ));
    }
    let deadline = reply_deadline(&state, &viewer.unit, &detail)
        .await
        .ok_or_else(|| {
            AppError::bad_request(
                "no_deadline",
                "batas_balasan",
                "Batas waktu balasan belum ditentukan di rencana kerja.",
            )
        })?;
    let today = state
        .clock
        .now()
        .with_timezone(&viewer.unit.zone.offset())
        .date_naive();
    let queued = crate::reminders::remind(
        &state,
        &viewer.unit,
        &detail,
        deadline,
        &format!("manual-{today}"),
        Some(&viewer.user),
    )
    .await?;
    let flash = if queued.is_empty() {
        "Tidak ada pengingat baru: semua yang belum menjawab sudah diingatkan hari ini atau belum punya alamat e-mail.".to_string()
    } else {
        format!(
            "Pengingat dimasukkan ke kotak keluar untuk: {}.",
            queued.join(", ")
        )
    };
    render_replies(&state, &viewer, &detail, Some(flash), None).await
}
