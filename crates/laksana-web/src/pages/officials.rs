//! The unit's officials (name, NIP, pangkat/golongan, jabatan), their Plt/Plh appointments, and
//! who signs as Kepala Dinas today.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use laksana_store::{position_label, AppointmentKind, NewAppointment, NewOfficial, Official};

use super::profile::{html, problem, Problem};
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{Form, Path, Query};
use crate::format;
use crate::AppState;

/// The position keys offered in the forms.
pub const POSITIONS: [&str; 5] = [
    "kepala-dinas",
    "sekretaris",
    "kepala-bidang",
    "kepala-upt",
    "kepala-seksi",
];

#[derive(Default, Clone, serde::Deserialize)]
pub struct OfficialForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub nip: String,
    #[serde(default)]
    pub pangkat: String,
    #[serde(default)]
    pub jabatan: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
    /// The account that signs as this official ("" for none).
    #[serde(default)]
    pub user_id: String,
}

impl OfficialForm {
    fn of(o: &Official) -> Self {
        OfficialForm {
            csrf: String::new(),
            position: o.position.clone(),
            name: o.name.clone(),
            nip: o.nip.clone(),
            pangkat: o.pangkat.clone(),
            jabatan: o.jabatan.clone(),
            since: o.since.map(|d| d.to_string()).unwrap_or_default(),
            until: o.until.map(|d| d.to_string()).unwrap_or_default(),
            user_id: o.user_id.map(|u| u.to_string()).unwrap_or_default(),
        }
    }

    fn to_new(&self) -> Result<NewOfficial, AppError> {
        Ok(NewOfficial {
            position: self.position.clone(),
            name: self.name.clone(),
            nip: self.nip.clone(),
            pangkat: self.pangkat.clone(),
            jabatan: self.jabatan.clone(),
            user_id: self.user_id.trim().parse().ok(),
            since: optional_date("since", &self.since)?,
            until: optional_date("until", &self.until)?,
        })
    }
}

#[derive(Default, Clone, serde::Deserialize)]
pub struct AppointmentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub official_id: String,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: String,
    #[serde(default)]
    pub basis: String,
}

impl AppointmentForm {
    fn to_new(&self) -> Result<NewAppointment, AppError> {
        let kind = match self.kind.as_str() {
            "plt" => AppointmentKind::Plt,
            "plh" => AppointmentKind::Plh,
            _ => {
                return Err(AppError::bad_request(
                    "invalid_kind",
                    "kind",
                    "Pilih Plt atau Plh.",
                ))
            }
        };
        let official_id = self.official_id.trim().parse().map_err(|_| {
            AppError::bad_request(
                "invalid_official",
                "official_id",
                "Pilih pejabat yang ditunjuk.",
            )
        })?;
        let required = |field: &'static str, raw: &str| {
            optional_date(field, raw)?
                .ok_or_else(|| AppError::bad_request("missing_date", field, "Tanggal wajib diisi."))
        };
        Ok(NewAppointment {
            position: self.position.clone(),
            kind,
            official_id,
            jabatan: None,
            valid_from: required("valid_from", &self.valid_from)?,
            valid_to: required("valid_to", &self.valid_to)?,
            basis: self.basis.clone(),
        })
    }
}

pub fn optional_date(field: &'static str, raw: &str) -> Result<Option<NaiveDate>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| {
            AppError::bad_request(
                "invalid_date",
                field,
                format!("Tanggal \"{raw}\" tidak sah."),
            )
        })
}

fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    match (from, to) {
        (None, None) => "sampai sekarang".into(),
        (f, t) => format!(
            "{} – {}",
            f.map(format::tanggal).unwrap_or_else(|| "…".into()),
            t.map(format::tanggal).unwrap_or_else(|| "sekarang".into())
        ),
    }
}

pub struct OfficialView {
    pub id: i64,
    pub label: String,
    pub name: String,
    pub nip: String,
    pub pangkat: String,
    pub jabatan: String,
    pub period: String,
    pub editing: bool,
}

pub struct AppointmentView {
    pub id: i64,
    pub title: String,
    pub name: String,
    pub period: String,
    pub basis: String,
}

/// Which form a problem belongs to.
#[derive(PartialEq, Eq, Default)]
enum Which {
    #[default]
    None,
    Official,
    Appointment,
}

#[derive(Template)]
#[template(path = "admin_officials.html")]
struct OfficialsPage {
    nav: Option<Nav>,
    csrf: String,
    tab: &'static str,
    signer: String,
    signer_set: bool,
    officials: Vec<OfficialView>,
    appointments: Vec<AppointmentView>,
    positions: Vec<(&'static str, String)>,
    choices: Vec<(i64, String)>,
    editing: Option<i64>,
    form: OfficialForm,
    appoint: AppointmentForm,
    flash: Option<String>,
    official_problem: Problem,
    appoint_problem: Problem,
    /// Accounts an official can be linked to: (id, "Name (username)").
    users: Vec<(i64, String)>,
}

/// What the page shows besides the stored data: the forms as typed, a message, a refusal.
#[derive(Default)]
struct Shown {
    editing: Option<i64>,
    form: OfficialForm,
    appoint: AppointmentForm,
    flash: Option<String>,
    which: Which,
    problem: Problem,
}

fn blank_official() -> OfficialForm {
    OfficialForm {
        position: "kepala-dinas".into(),
        ..OfficialForm::default()
    }
}

fn blank_appointment() -> AppointmentForm {
    AppointmentForm {
        position: "kepala-dinas".into(),
        kind: "plt".into(),
        ..AppointmentForm::default()
    }
}

async fn render(state: &AppState, viewer: &Viewer, shown: Shown) -> Result<Response, AppError> {
    let Shown {
        editing,
        form,
        appoint,
        flash,
        which,
        problem,
    } = shown;
    let unit = viewer.unit.id;
    let today = state
        .clock
        .now()
        .with_timezone(&viewer.unit.zone.offset())
        .date_naive();
    let (signer, signer_set) = match state.store.signer_on(unit, "kepala-dinas", today).await {
        Ok(s) => (
            format!(
                "Hari ini yang menandatangani: {} {} (NIP {})",
                s.title_line(),
                s.name,
                s.nip
            ),
            true,
        ),
        Err(e) => (problem_text(e)?, false),
    };
    let list = state.store.list_officials(unit).await?;
    let name_of = |id: i64| {
        list.iter()
            .find(|o| o.id == id)
            .map(|o| format!("{} (NIP {})", o.name, o.nip))
            .unwrap_or_default()
    };
    let appointments = state
        .store
        .list_appointments(unit)
        .await?
        .into_iter()
        .map(|a| AppointmentView {
            id: a.id,
            title: format!("{} {}", a.kind.prefix(), a.jabatan),
            name: name_of(a.official_id),
            period: period(Some(a.valid_from), Some(a.valid_to)),
            basis: a.basis,
        })
        .collect();
    let officials = list
        .iter()
        .map(|o| OfficialView {
            id: o.id,
            label: position_label(&o.position),
            name: o.name.clone(),
            nip: o.nip.clone(),
            pangkat: o.pangkat.clone(),
            jabatan: o.jabatan.clone(),
            period: period(o.since, o.until),
            editing: editing == Some(o.id),
        })
        .collect();
    let choices = list
        .iter()
        .map(|o| (o.id, format!("{} — {}", o.name, o.jabatan)))
        .collect();
    let names = role_names(state, viewer).await;
    let (official_problem, appoint_problem) = match which {
        Which::Official => (problem, Problem::default()),
        Which::Appointment => (Problem::default(), problem),
        Which::None => (Problem::default(), Problem::default()),
    };
    let status = official_problem
        .status
        .or(appoint_problem.status)
        .unwrap_or(axum::http::StatusCode::OK);
    let users = super::account_choices(state, viewer).await?;
    let page = OfficialsPage {
        users,
        nav: Some(Nav::new(state, viewer, "profil", &names)),
        csrf: viewer.csrf.clone(),
        tab: "pejabat",
        signer,
        signer_set,
        officials,
        appointments,
        positions: POSITIONS.iter().map(|p| (*p, position_label(p))).collect(),
        choices,
        editing,
        form,
        appoint,
        flash,
        official_problem,
        appoint_problem,
    };
    html(&page, status)
}

/// The store's "not configured" sentence, shown in place of the signer.
fn problem_text(e: laksana_store::StoreError) -> Result<String, AppError> {
    Ok(problem(e)?.message)
}

#[derive(serde::Deserialize, Default)]
pub struct OfficialsQuery {
    #[serde(default)]
    ok: Option<String>,
    #[serde(default)]
    ubah: Option<i64>,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<OfficialsQuery>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let form = match q.ubah {
        Some(id) => OfficialForm::of(&state.store.official(viewer.unit.id, id).await?),
        None => blank_official(),
    };
    let shown = Shown {
        editing: q.ubah,
        form,
        appoint: blank_appointment(),
        flash: q.ok.map(|_| "Perubahan disimpan.".to_string()),
        ..Shown::default()
    };
    render(&state, &viewer, shown).await
}

fn saved() -> Response {
    Redirect::to("/admin/pejabat?ok=1").into_response()
}

async fn save_official(
    state: AppState,
    viewer: Viewer,
    id: Option<i64>,
    form: OfficialForm,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    let now = state.clock.now();
    let unit = viewer.unit.id;
    let saved_or = match form.to_new() {
        Ok(new) => match id {
            Some(id) => state
                .store
                .update_official(unit, id, &new, &viewer.user, now)
                .await
                .map_err(AppError::from),
            None => state
                .store
                .create_official(unit, &new, &viewer.user, now)
                .await
                .map_err(AppError::from),
        },
        Err(e) => Err(e),
    };
    match saved_or {
        Ok(_) => Ok(saved()),
        Err(e) => {
            let shown = Shown {
                editing: id,
                form,
                appoint: blank_appointment(),
                which: Which::Official,
                problem: problem(e)?,
                ..Shown::default()
            };
            render(&state, &viewer, shown).await
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<OfficialForm>,
) -> Result<Response, AppError> {
    save_official(state, viewer, None, form).await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<OfficialForm>,
) -> Result<Response, AppError> {
    save_official(state, viewer, Some(id), form).await
}

pub async fn appoint(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<AppointmentForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    let result = match form.to_new() {
        Ok(new) => state
            .store
            .appoint_official(viewer.unit.id, &new, &viewer.user, state.clock.now())
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(saved()),
        Err(e) => {
            let shown = Shown {
                form: blank_official(),
                appoint: form,
                which: Which::Appointment,
                problem: problem(e)?,
                ..Shown::default()
            };
            render(&state, &viewer, shown).await
        }
    }
}

#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    state
        .store
        .cancel_appointment(viewer.unit.id, id, &viewer.user, state.clock.now())
        .await?;
    Ok(saved())
}
