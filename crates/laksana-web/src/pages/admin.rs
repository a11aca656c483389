//! Administration: users with NIP and jabatan, their SOP roles (with optional dates), the unit profile.

use crate::form::Form;
use crate::form::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use laksana_calendar::Zone;
use laksana_store::{NewUser, StoreError};

use super::tasks::render_error;
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::format;
use crate::AppState;

pub struct GrantView {
    pub id: i64,
    pub label: String,
}

pub struct UserView {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub nip: String,
    pub jabatan: String,
    pub is_admin: bool,
    pub active: bool,
    pub grants: Vec<GrantView>,
}

#[derive(Default, serde::Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub nip: String,
    #[serde(default)]
    pub jabatan: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    is_admin: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    nav: Option<Nav>,
    users: Vec<UserView>,
    roles: Vec<(String, String)>,
    csrf: String,
    form: UserForm,
    flash: Option<String>,
    error: Option<String>,
    unit_name: String,
    head_title: String,
    zone: String,
    zones: Vec<String>,
    notify_overdue: bool,
    notify_escalation: bool,
}

async fn sop_roles(state: &AppState, viewer: &Viewer) -> Result<Vec<(String, String)>, AppError> {
    let row = state.store.latest_definition(viewer.unit.id).await?;
    let def = state.store.definition(row.id).await?;
    let setting = |k: &str| viewer.unit.setting(k);
    Ok(def
        .roles
        .iter()
        .map(|r| (r.key.clone(), def.substitute(&r.name, &setting)))
        .collect())
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    form: UserForm,
    flash: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let roles = sop_roles(state, viewer).await?;
    let label = |key: &str| {
        roles
            .iter()
            .find(|r| r.0 == key)
            .map(|r| r.1.clone())
            .unwrap_or_else(|| key.to_string())
    };
    let users = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| UserView {
            grants: u
                .roles
                .iter()
                .filter(|g| g.unit_id == viewer.unit.id)
                .map(|g| GrantView {
                    id: g.id,
                    label: match (g.valid_from, g.valid_to) {
                        (None, None) => label(&g.role_key),
                        (f, t) => format!(
                            "{} ({} – {})",
                            label(&g.role_key),
                            f.map(format::tanggal).unwrap_or_else(|| "…".into()),
                            t.map(format::tanggal).unwrap_or_else(|| "…".into())
                        ),
                    },
                })
                .collect(),
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            nip: u.nip,
            jabatan: u.jabatan,
            is_admin: u.is_admin,
            active: u.active,
        })
        .collect();
    let names = role_names(state, viewer).await;
    let page = UsersPage {
        nav: Some(Nav::new(state, viewer, "admin", &names)),
        users,
        roles,
        csrf: viewer.csrf.clone(),
        form,
        flash,
        error,
        unit_name: viewer.unit.name.clone(),
        head_title: viewer.unit.head_title.clone(),
        zone: viewer.unit.zone.to_string(),
        zones: [Zone::Wib, Zone::Wita, Zone::Wit]
            .iter()
            .map(|z| z.to_string())
            .collect(),
        notify_overdue: viewer.unit.notify_overdue,
        notify_escalation: viewer.unit.notify_escalation,
    };
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

pub async fn users(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(flash): Query<Flash>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let flash = flash.ok.map(|_| "Perubahan disimpan.".to_string());
    render(
        &state,
        &viewer,
        UserForm::default(),
        flash,
        None,
        StatusCode::OK,
    )
    .await
}

fn saved() -> Response {
    Redirect::to("/admin/pengguna?ok=1").into_response()
}

pub async fn create_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<UserForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    let now = state.clock.now();
    let roles = sop_roles(&state, &viewer).await?;
    if !form.role.is_empty() && !roles.iter().any(|r| r.0 == form.role) {
        return render(
            &state,
            &viewer,
            form,
            None,
            Some("Peran tidak dikenal.".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let created = state
        .store
        .create_user_with(
            NewUser {
                username: &form.username,
                password: &form.password,
                full_name: &form.full_name,
                nip: &form.nip,
                jabatan: &form.jabatan,
                is_admin: form.is_admin.is_some(),
            },
            &state.security.passwords,
            now,
        )
        .await;
    let id = match created {
        Ok(id) => id,
        Err(e @ StoreError::Invalid { .. }) => {
            return render(
                &state,
                &viewer,
                form,
                None,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => return Err(e.into()),
    };
    // The administrator typed this password: the user replaces it at the first login.
    state.store.require_password_change(id).await?;
    if !form.role.is_empty() {
        let keys: Vec<String> = roles.into_iter().map(|r| r.0).collect();
        state
            .store
            .grant_role(
                id,
                viewer.unit.id,
                &form.role,
                laksana_store::GrantPeriod::default(),
                &keys,
                Some(&viewer.user),
            )
            .await?;
    }
    Ok(saved())
}

#[derive(serde::Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
}

fn optional_date(field: &'static str, raw: &str) -> Result<Option<NaiveDate>, AppError> {
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

pub async fn grant_role(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(user_id): Path<i64>,
    Form(form): Form<GrantForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    state.store.user(user_id).await?;
    let keys: Vec<String> = sop_roles(&state, &viewer)
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect();
    let from = optional_date("valid_from", &form.valid_from)?;
    let to = optional_date("valid_to", &form.valid_to)?;
    match state
        .store
        .grant_role(
            user_id,
            viewer.unit.id,
            &form.role,
            laksana_store::GrantPeriod { from, to },
            &keys,
            Some(&viewer.user),
        )
        .await
    {
        Ok(()) => Ok(saved()),
        Err(e @ StoreError::Invalid { .. }) => {
            render(
                &state,
                &viewer,
                UserForm::default(),
                None,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn revoke_role(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(grant_id): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    state
        .store
        .revoke_role(viewer.unit.id, grant_id, Some(&viewer.user))
        .await?;
    Ok(saved())
}

#[derive(serde::Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    head_title: String,
    #[serde(default)]
    zone: String,
    #[serde(default)]
    notify_overdue: Option<String>,
    #[serde(default)]
    notify_escalation: Option<String>,
}

pub async fn update_unit(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<UnitForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    let zone: Zone = form.zone.parse().map_err(|_| {
        AppError::bad_request(
            "invalid_zone",
            "zone",
            "Zona waktu harus WIB, WITA, atau WIT.",
        )
    })?;
    match state
        .store
        .update_unit(
            viewer.unit.id,
            &form.name,
            zone,
            &form.head_title,
            Some(&viewer.user),
        )
        .await
    {
        Ok(()) => {
            state
                .store
                .set_overdue_notices(
                    viewer.unit.id,
                    form.notify_overdue.is_some(),
                    form.notify_escalation.is_some(),
                    Some(&viewer.user),
                )
                .await?;
            Ok(saved())
        }
        Err(e @ StoreError::Invalid { .. }) => {
            render(
                &state,
                &viewer,
                UserForm::default(),
                None,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    nav: Option<Nav>,
    csrf: String,
    id: i64,
    username: String,
    full_name: String,
    nip: String,
    jabatan: String,
    email: String,
    is_admin: bool,
    active: bool,
    error: Option<String>,
}

pub async fn edit_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let user = state.store.user(id).await?;
    let names = role_names(&state, &viewer).await;
    let page = UserPage {
        nav: Some(Nav::new(&state, &viewer, "admin", &names)),
        csrf: viewer.csrf.clone(),
        id,
        username: user.username,
        full_name: user.full_name,
        nip: user.nip,
        jabatan: user.jabatan,
        email: user.email,
        is_admin: user.is_admin,
        active: user.active,
        error: None,
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

#[derive(serde::Deserialize)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    nip: String,
    #[serde(default)]
    jabatan: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    is_admin: Option<String>,
    #[serde(default)]
    active: Option<String>,
}

pub async fn update_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    let user = state.store.user(id).await?;
    if id == viewer.user.id && (form.is_admin.is_none() || form.active.is_none()) {
        return Err(AppError::bad_request(
            "self_lockout",
            "is_admin",
            "Anda tidak dapat mencabut hak administrator atau menonaktifkan akun Anda sendiri.",
        ));
    }
    let result = async {
        // The e-mail and the password first: if one is refused, nothing else has changed either.
        state.store.set_user_email(id, &form.email).await?;
        if !form.password.is_empty() {
            state
                .store
                .set_password(id, &form.password, &state.security.passwords)
                .await?;
            if id != viewer.user.id {
                state.store.require_password_change(id).await?;
            }
        }
        state
            .store
            .update_user(
                id,
                laksana_store::AccountEdit {
                    full_name: &form.full_name,
                    nip: &form.nip,
                    jabatan: &form.jabatan,
                    is_admin: form.is_admin.is_some(),
                    active: form.active.is_some(),
                },
                Some(&viewer.user),
            )
            .await
    }
    .await;
    match result {
        Ok(()) => Ok(saved()),
        Err(e @ StoreError::Invalid { .. }) => {
            let names = role_names(&state, &viewer).await;
            let page = UserPage {
                nav: Some(Nav::new(&state, &viewer, "admin", &names)),
                csrf: viewer.csrf.clone(),
                id,
                username: user.username,
                full_name: form.full_name,
                nip: form.nip,
                jabatan: form.jabatan,
                email: form.email,
                is_admin: form.is_admin.is_some(),
                active: form.active.is_some(),
                error: Some(e.to_string()),
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(page.render().map_err(render_error)?),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
