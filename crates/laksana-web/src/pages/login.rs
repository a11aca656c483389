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
use crate::auth::{
    attempt_login, constant_time_eq, cookie, Viewer, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::error::AppError;
use crate::AppState;
use crate::ClientInfo;
use axum::http::header::RETRY_AFTER;
use axum::Extension;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<Nav>,
    csrf: String,
    username: String,
    error: Option<String>,
    demo: bool,
    demo_password: &'static str,
}

fn random_hex() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// `Secure` when the installation says so or the request came over TLS.
pub(crate) fn cookie_attrs(state: &AppState, client: &ClientInfo) -> &'static str {
    if state.secure_cookies || client.tls {
        "; Path=/; HttpOnly; SameSite=Lax; Secure"
    } else {
        "; Path=/; HttpOnly; SameSite=Lax"
    }
}

fn render(
    state: &AppState,
    client: &ClientInfo,
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
        demo_password: crate::sample::DEMO_PASSWORD,
    };
    match page.render() {
        Ok(body) => (
            status,
            [(
                SET_COOKIE,
                format!("{LOGIN_CSRF_COOKIE}={csrf}{}", cookie_attrs(state, client)),
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

pub async fn form(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
) -> Response {
    render(
        &state,
        &client,
        String::new(),
        None,
        axum::http::StatusCode::OK,
    )
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
    Extension(client): Extension<ClientInfo>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), f.csrf.as_bytes()) {
        return render(
            &state,
            &client,
            f.username,
            Some("Formulir kedaluwarsa. Silakan coba masuk lagi.".into()),
            axum::http::StatusCode::FORBIDDEN,
        );
    }
    if f.username.trim().is_empty() || f.password.is_empty() {
        return render(
            &state,
            &client,
            f.username,
            Some("Nama pengguna dan kata sandi wajib diisi.".into()),
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let user = match attempt_login(&state, &client.address, &f.username, &f.password).await {
        Ok(user) => user,
        Err(refused) => {
            let status = refused.error.status;
            if status.is_server_error() {
                return refused.error.into_response();
            }
            let mut res = render(
                &state,
                &client,
                f.username,
                Some(refused.error.message),
                status,
            );
            if let Some(secs) = refused.retry_after {
                res.headers_mut()
                    .insert(RETRY_AFTER, axum::http::HeaderValue::from(secs));
            }
            return res;
        }
    };
    let now = state.clock.now();
    let unit = match state.store.home_unit(&user, now).await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    match state
        .store
        .create_session(
            user.id,
            unit.id,
            SessionKind::Web,
            &state.security.sessions,
            now,
        )
        .await
    {
        Ok(token) => session_cookie_redirect(&state, &client, &token, "/tugas"),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// Sets the session cookie and goes on to `to`.
pub(crate) fn session_cookie_redirect(
    state: &AppState,
    client: &ClientInfo,
    token: &str,
    to: &str,
) -> Response {
    (
        [(
            SET_COOKIE,
            format!("{SESSION_COOKIE}={token}{}", cookie_attrs(state, client)),
        )],
        Redirect::to(to),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&f.csrf)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(token).await?;
    }
    Ok(cleared(&state, &client))
}

/// "Keluar dari semua perangkat": ends every session and API token of this user, this one too.
pub async fn logout_everywhere(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    viewer: Viewer,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&f.csrf)?;
    state.store.delete_user_sessions(viewer.user.id).await?;
    Ok(cleared(&state, &client))
}

fn cleared(state: &AppState, client: &ClientInfo) -> Response {
    (
        [(
            SET_COOKIE,
            format!(
                "{SESSION_COOKIE}=; Max-Age=0{}",
                cookie_attrs(state, client)
            ),
        )],
        Redirect::to("/masuk"),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
pub struct UnitChoice {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit_id: i64,
}

/// The header's unit switcher: moves this session to another unit the user belongs to and
/// remembers it for the next login. Any other unit id is "not found", as if it did not exist.
pub async fn switch_unit(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(f): Form<UnitChoice>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&f.csrf)?;
    if !viewer.units.iter().any(|(id, _)| *id == f.unit_id) {
        return Err(AppError::not_found());
    }
    let token = cookie(&headers, SESSION_COOKIE).ok_or_else(AppError::unauthorized)?;
    state.store.switch_session_unit(token, f.unit_id).await?;
    state.store.set_last_unit(viewer.user.id, f.unit_id).await?;
    Ok(Redirect::to("/tugas").into_response())
}
