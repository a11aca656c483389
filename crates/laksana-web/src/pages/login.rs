//! Logging in and out. The login form is protected by a double-submit CSRF cookie, since
//! there is no session yet to hold a token.

use crate::form::Form;
use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use laksana_store::SessionKind;
use rand::RngCore;

use super::Nav;
use crate::auth::{constant_time_eq, cookie, Viewer, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::AppError;
use crate::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<Nav>,
    csrf: String,
    username: String,
    error: Option<String>,
    demo: bool,
}

fn random_hex() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn cookie_attrs(state: &AppState) -> &'static str {
    if state.secure_cookies {
        "; Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "; Path=/; HttpOnly; SameSite=Lax"
    }
}

fn render(
    state: &AppState,
    username: String,
    error: Option<String>,
    status: axum::http::StatusCode,
) -> Response {
    let csrf = random_hex();
    let page = LoginPage {
        nav: None,
        csrf: csrf.clone(),
        username,
        error,
        demo: state.demo,
    };
    match page.render() {
        Ok(body) => (
            status,
            [(
                SET_COOKIE,
                format!("{LOGIN_CSRF_COOKIE}={csrf}{}", cookie_attrs(state)),
            )],
            Html(body),
        )
            .into_response(),
        Err(e) => AppError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            e.to_string(),
        )
        .into_response(),
    }
}

pub async fn form(State(state): State<AppState>) -> Response {
    render(&state, String::new(), None, axum::http::StatusCode::OK)
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), f.csrf.as_bytes()) {
        return render(
            &state,
            f.username,
            Some("Formulir kedaluwarsa. Silakan coba masuk lagi.".into()),
            axum::http::StatusCode::FORBIDDEN,
        );
    }
    if f.username.trim().is_empty() || f.password.is_empty() {
        return render(
            &state,
            f.username,
            Some("Nama pengguna dan kata sandi wajib diisi.".into()),
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let user = match state.store.verify_login(&f.username, &f.password).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            return render(
                &state,
                f.username,
                Some("Nama pengguna atau kata sandi salah.".into()),
                axum::http::StatusCode::UNAUTHORIZED,
            )
        }
        Err(e) => return AppError::from(e).into_response(),
    };
    let now = state.clock.now();
    let unit = match state.store.default_unit(now).await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    match state
        .store
        .create_session(user.id, unit.id, SessionKind::Web, now)
        .await
    {
        Ok(token) => (
            [(
                SET_COOKIE,
                format!("{SESSION_COOKIE}={token}{}", cookie_attrs(&state)),
            )],
            Redirect::to("/tugas"),
        )
            .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&f.csrf)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(token).await?;
    }
    Ok((
        [(
            SET_COOKIE,
            format!("{SESSION_COOKIE}=; Max-Age=0{}", cookie_attrs(&state)),
        )],
        Redirect::to("/masuk"),
    )
        .into_response())
}
