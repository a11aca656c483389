//! Registers: their number format and kode, the printable buku register of a year, and numbers
//! reserved by hand for letters signed outside the system.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use laksana_store::{EntryKind, Register, RegisterSettings, PLACEHOLDERS};

use super::officials::optional_date;
use super::profile::{html, problem, Problem};
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{Form, Path, Query};
use crate::format;
use crate::AppState;

pub struct RegisterView {
    pub id: i64,
    pub name: String,
    pub key: String,
    pub code: String,
    pub format: String,
    pub kode: String,
    pub kinds: String,
    /// What is in the form: the stored values, or what was typed when refused.
    pub form_format: String,
    pub form_kode: String,
    pub problem: Problem,
}

#[derive(Template)]
#[template(path = "admin_registers.html")]
struct RegistersPage {
    nav: Option<Nav>,
    csrf: String,
    tab: &'static str,
    registers: Vec<RegisterView>,
    placeholders: String,
    default_kode: String,
    flash: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct FormatForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    kode_klasifikasi: String,
}

async fn render_list(
    state: &AppState,
    viewer: &Viewer,
    flash: Option<String>,
    refused: Option<(i64, FormatForm, Problem)>,
) -> Result<Response, AppError> {
    let profile = state.store.unit_profile(viewer.unit.id).await?;
    let mut status = StatusCode::OK;
    let mut refused = refused;
    let registers = state
        .store
        .list_registers(viewer.unit.id)
        .await?
        .into_iter()
        .map(|r| {
            let kode = r.kode_klasifikasi.clone().unwrap_or_default();
            let mut v = RegisterView {
                id: r.id,
                name: r.name,
                key: r.key,
                code: r.code,
                form_format: r.format.clone(),
                form_kode: kode.clone(),
                format: r.format,
                kode,
                kinds: r.kinds.join(", "),
                problem: Problem::default(),
            };
            if refused.as_ref().is_some_and(|(id, _, _)| *id == v.id) {
                let (_, form, p) = refused.take().expect("checked");
                status = p.status();
                v.form_format = form.format;
                v.form_kode = form.kode_klasifikasi;
                v.problem = p;
            }
            v
        })
        .collect();
    let names = role_names(state, viewer).await;
    let page = RegistersPage {
        nav: Some(Nav::new(state, viewer, "profil", &names)),
        csrf: viewer.csrf.clone(),
        tab: "register",
        registers,
        placeholders: PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" "),
        default_kode: profile.kode_klasifikasi,
        flash,
    };
    html(&page, status)
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Flash>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let flash = q.ok.map(|_| "Register disimpan.".to_string());
    render_list(&state, &viewer, flash, None).await
}

fn settings(r: &Register, form: &FormatForm) -> RegisterSettings {
    RegisterSettings {
        key: r.key.clone(),
        name: r.name.clone(),
        code: r.code.clone(),
        format: form.format.clone(),
        kode_klasifikasi: Some(form.kode_klasifikasi.clone()),
        kinds: r.kinds.clone(),
    }
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<FormatForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    let register = state.store.register(viewer.unit.id, id).await?;
    match state
        .store
        .update_register(viewer.unit.id, id, &settings(&register, &form))
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/register?ok=1").into_response()),
        Err(e) => {
            let p = problem(e)?;
            render_list(&state, &viewer, None, Some((id, form, p))).await
        }
    }
}

pub struct EntryView {
    pub seq: i64,
    pub number: String,
    pub date: String,
    pub what: String,
    pub signer: String,
    pub note: String,
    pub reserved: bool,
}

#[derive(Template)]
#[template(path = "admin_register_book.html")]
struct BookPage {
    nav: Option<Nav>,
    csrf: String,
    tab: &'static str,
    id: i64,
    name: String,
    format: String,
    year: i32,
    years: Vec<i32>,
    kop: Vec<String>,
    entries: Vec<EntryView>,
    printed: String,
    flash: Option<String>,
    date: String,
    reason: String,
    problem: Problem,
}

#[derive(serde::Deserialize, Default)]
pub struct BookQuery {
    #[serde(default)]
    tahun: Option<i32>,
    #[serde(default)]
    nomor: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct ReserveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    reason: String,
}

async fn render_book(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    year: Option<i32>,
    flash: Option<String>,
    form: ReserveForm,
    problem: Problem,
) -> Result<Response, AppError> {
    let unit = viewer.unit.id;
    let now = state.clock.now();
    let today = now.with_timezone(&viewer.unit.zone.offset()).date_naive();
    let year = year.unwrap_or(today.year());
    let register = state.store.register(unit, id).await?;
    let profile = state.store.unit_profile(unit).await?;
    let entries = state
        .store
        .register_book(unit, id, year)
        .await?
        .into_iter()
        .map(|e| {
            let reserved = e.kind == EntryKind::Reservation;
            EntryView {
                seq: e.seq,
                number: e.number_text,
                date: format::tanggal(e.date),
                what: match e.document_kind.as_deref().map(crate::paperwork::kind_name) {
                    Some(k) if !e.title.is_empty() => format!("{k} — {}", e.title),
                    Some(k) => k.to_string(),
                    None if reserved => String::new(),
                    None => e.title.clone(),
                },
                signer: e.signer_name.unwrap_or_default(),
                note: if reserved {
                    format!("dicadangkan: {}", e.reason.unwrap_or_default())
                } else {
                    String::new()
                },
                reserved,
            }
        })
        .collect();
    let first = (today.year() - 3).min(year);
    let last = (today.year() + 1).max(year);
    let names = role_names(state, viewer).await;
    let page = BookPage {
        nav: Some(Nav::new(state, viewer, "profil", &names)),
        csrf: viewer.csrf.clone(),
        tab: "register",
        id,
        name: register.name,
        format: register.format,
        year,
        years: (first..=last).rev().collect(),
        kop: profile.name_lines,
        entries,
        printed: format::waktu(now, viewer.unit.zone),
        flash,
        date: if form.date.is_empty() {
            today.to_string()
        } else {
            form.date
        },
        reason: form.reason,
        problem,
    };
    html(&page, page.problem.status())
}

pub async fn book(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<BookQuery>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let flash = q
        .nomor
        .map(|n| format!("Nomor {n} dicadangkan dan tercatat di buku register."));
    render_book(
        &state,
        &viewer,
        id,
        q.tahun,
        flash,
        ReserveForm::default(),
        Problem::default(),
    )
    .await
}

pub async fn reserve(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<ReserveForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    let today = state
        .clock
        .now()
        .with_timezone(&viewer.unit.zone.offset())
        .date_naive();
    // A reserved number is for a letter already signed outside the system this year: numbers
    // restart each year, so another year's would repeat one of that year's.
    let date = optional_date("date", &form.date).and_then(|d| {
        let d =
            d.ok_or_else(|| AppError::bad_request("missing_date", "date", "Tanggal wajib diisi."))?;
        if d > today || d.year() != today.year() {
            return Err(AppError::bad_request(
                "date_out_of_year",
                "date",
                format!(
                    "Nomor hanya dapat dicadangkan untuk tanggal tahun {} sampai hari ini.",
                    today.year()
                ),
            ));
        }
        Ok(d)
    });
    let result = match date {
        Ok(date) => state
            .store
            .reserve_number(
                viewer.unit.id,
                id,
                date,
                &form.reason,
                &viewer.user,
                state.clock.now(),
            )
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(n) => {
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("tahun", &n.year.to_string())
                .append_pair("nomor", &n.text)
                .finish();
            Ok(Redirect::to(&format!("/admin/register/{id}/buku?{query}")).into_response())
        }
        Err(e) => {
            let p = problem(e)?;
            let year = date_year(&form.date);
            render_book(&state, &viewer, id, year, None, form, p).await
        }
    }
}

fn date_year(raw: &str) -> Option<i32> {
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .map(|d| d.year())
}
