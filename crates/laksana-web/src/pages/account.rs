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
use crate::AppState;

/// A password the user chooses must be at least this long (generated ones are longer).
pub const MIN_OWN_PASSWORD: usize = 8;

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    nav: Option<Nav>,
    csrf: String,
    forced: bool,
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
    let flash = flash.ok.map(|_| "Kata sandi diganti.".to_string());
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
    if f.new.chars().count() < MIN_OWN_PASSWORD {
        return refuse("Kata sandi baru minimal 8 karakter.").await;
    }
    if f.new != f.repeat {
        return refuse("Kedua isian kata sandi baru tidak sama.").await;
    }
    if f.new == f.current {
        return refuse("Kata sandi baru harus berbeda dari yang sekarang.").await;
    }
    state.store.set_password(viewer.user.id, &f.new).await?;
    Ok(axum::response::Redirect::to("/akun/sandi?ok=1").into_response())
}
