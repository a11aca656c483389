//! The installation's units (Dinas and UPT BLK): the installation administrator lists them
//! and opens new ones, each with its zone, head-of-unit title and kop, running the same SOP
//! versions as the unit the administrator is in. Users get roles in a unit on the user page
//! after switching to that unit.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use laksana_calendar::Zone;
use laksana_store::{NewUnit, StoreError, UnitKind};

use super::tasks::render_error;
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{Form, Query};
use crate::AppState;

pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub zone: String,
    pub head_title: String,
    pub people: usize,
    pub trainings: usize,
}

#[derive(Default, serde::Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub zone: String,
    #[serde(default)]
    pub head_title: String,
    /// Kop lines, one a line (one to three).
    #[serde(default)]
    pub kop: String,
}

#[derive(Template)]
#[template(path = "admin_units.html")]
struct UnitsPage {
    nav: Option<Nav>,
    csrf: String,
    units: Vec<UnitRow>,
    form: UnitForm,
    flash: Option<String>,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    form: UnitForm,
    flash: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let users = state.store.list_users().await?;
    let mut units = Vec::new();
    for u in state.store.list_units().await? {
        units.push(UnitRow {
            people: users
                .iter()
                .filter(|p| p.roles.iter().any(|g| g.unit_id == u.id))
                .count(),
            trainings: state.store.count_trainings(u.id).await? as usize,
            code: u.code,
            name: u.name,
            kind: u.kind.label(),
            zone: u.zone.to_string(),
            head_title: u.head_title,
        });
    }
    let names = role_names(state, viewer).await;
    let page = UnitsPage {
        nav: Some(Nav::new(state, viewer, "unit-kerja", &names)),
        csrf: viewer.csrf.clone(),
        units,
        form,
        flash,
        error,
    };
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(flash): Query<Flash>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let flash = flash.ok.map(|code| {
        format!("Unit \"{code}\" dibuat. Pindah ke unit itu lewat pilihan unit di kepala halaman untuk memberi peran kepada pengguna.")
    });
    render(
        &state,
        &viewer,
        UnitForm::default(),
        flash,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<UnitForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    let refuse = |form, msg: String| {
        render(
            &state,
            &viewer,
            form,
            None,
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let Some(kind) = UnitKind::parse(&form.kind) else {
        return refuse(form, "Pilih jenis unit: Dinas atau UPT BLK.".into()).await;
    };
    let Ok(zone) = form.zone.parse::<Zone>() else {
        return refuse(form, "Pilih zona waktu: WIB, WITA atau WIT.".into()).await;
    };
    let kop: Vec<String> = form
        .kop
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if kop.len() > 3 {
        return refuse(form, "Kop surat paling banyak 3 baris.".into()).await;
    }
    let now = state.clock.now();
    let unit = match state
        .store
        .create_unit(
            NewUnit {
                code: &form.code,
                name: &form.name,
                kind,
                zone,
                head_title: &form.head_title,
            },
            now,
        )
        .await
    {
        Ok(u) => u,
        Err(StoreError::Invalid { message, .. }) => return refuse(form, message).await,
        Err(e) => return Err(e.into()),
    };
    // The new unit runs the SOP versions of the unit the administrator works in, oldest first,
    // so its "newest" is the same version.
    let mut versions = state.store.list_definitions(viewer.unit.id).await?;
    versions.reverse();
    for v in versions {
        let src = state.store.definition_source(v.row.id).await?;
        state.store.ensure_definition(unit.id, &src, now).await?;
    }
    let mut profile = state.store.unit_profile(unit.id).await?.to_new();
    if !kop.is_empty() {
        profile.name_lines = kop;
    }
    profile.zone = unit.zone;
    profile.head_title = unit.head_title.clone();
    state
        .store
        .save_unit_profile(unit.id, &profile, &viewer.user, now)
        .await?;
    Ok(Redirect::to(&format!("/admin/unit-kerja?ok={}", unit.code)).into_response())
}
