//! The user's own account: changing the password (forced after a generated one).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::tasks::render_error;
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{Form, Query};
use crate::{AppState, ClientInfo};
use axum::Extension;
use laksana_store::{SessionKind, StoreError};

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    nav: Option<Nav>,
    csrf: String,
    forced: bool,
    min_len: usize,
    flash: Option<String>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    flash: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let names = role_names(state, viewer).await;
    let page = PasswordPage {
        nav: Some(Nav::new(state, viewer, "akun", &names)),
        csrf: viewer.csrf.clone(),
        forced: viewer.user.must_change_password,
        min_len: state.security.passwords.min_len,
        flash,
        error,
    };
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(flash): Query<Flash>,
) -> Result<Response, AppError> {
    let flash = flash
        .ok
        .map(|_| "Kata sandi diganti. Semua sesi lain akun ini telah diakhiri.".to_string());
    render(&state, &viewer, flash, None, StatusCode::OK).await
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    viewer: Viewer,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&f.csrf)?;
    let refuse = |msg: &str| {
        render(
            &state,
            &viewer,
            None,
            Some(msg.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if state
        .store
        .verify_login(&viewer.user.username, &f.current)
        .await?
        .is_none()
    {
        return refuse("Kata sandi sekarang salah.").await;
    }
    if f.new != f.repeat {
        return refuse("Kedua isian kata sandi baru tidak sama.").await;
    }
    if f.new == f.current {
        return refuse("Kata sandi baru harus berbeda dari yang sekarang.").await;
    }
    match state
        .store
        .set_password(viewer.user.id, &f.new, &state.security.passwords)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Invalid { message, .. }) => return refuse(&message).await,
        Err(e) => return Err(e.into()),
    }
    // The new password ended every session of the account, this one too; this device carries
    // on in a fresh session in the same unit.
    let now = state.clock.now();
    let token = state
        .store
        .create_session(
            viewer.user.id,
            viewer.unit.id,
            SessionKind::Web,
            &state.security.sessions,
            now,
        )
        .await?;
    Ok(super::login::session_cookie_redirect(
        &state,
        &client,
        &token,
        "/akun/sandi?ok=1",
    ))
}
