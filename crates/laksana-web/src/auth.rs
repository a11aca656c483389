//! Who is asking: the page session (cookie + CSRF token) and the API caller (Bearer token).
//! Role checks on actions are the store's and engine's job; these only establish identity.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use laksana_store::{SessionKind, Unit, User};

use crate::error::{ApiError, AppError};
use crate::AppState;

pub const SESSION_COOKIE: &str = "laksana_session";
pub const LOGIN_CSRF_COOKIE: &str = "laksana_login_csrf";

/// A logged-in user, their unit, and the roles they hold there today.
pub struct Viewer {
    pub user: User,
    pub unit: Unit,
    pub roles: Vec<String>,
    pub csrf: String,
}

impl Viewer {
    /// Every state-changing form echoes the session's CSRF token.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        if constant_time_eq(submitted.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::csrf())
        }
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.user.is_admin {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "Halaman ini hanya untuk administrator.",
            ))
        }
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn load_viewer(
    state: &AppState,
    token: &str,
    kind: SessionKind,
) -> Result<Option<Viewer>, AppError> {
    let now = state.clock.now();
    let Some(session) = state.store.session(token, kind, now).await? else {
        return Ok(None);
    };
    let unit = state.store.unit(session.unit_id).await?;
    let today = now.with_timezone(&unit.zone.offset()).date_naive();
    let roles = session.user.roles_on(unit.id, today);
    Ok(Some(Viewer {
        user: session.user,
        unit,
        roles,
        csrf: session.csrf_token,
    }))
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(AppError::unauthorized)?;
        let viewer = load_viewer(state, token, SessionKind::Web)
            .await?
            .ok_or_else(AppError::unauthorized)?;
        // A generated password is good for one thing only: choosing a new one.
        let path = parts.uri.path();
        if viewer.user.must_change_password && path != "/akun/sandi" && path != "/keluar" {
            return Err(AppError::password_change_required());
        }
        Ok(viewer)
    }
}

/// The API caller, from `Authorization: Bearer <token>`.
pub struct ApiViewer(pub Viewer);

impl FromRequestParts<AppState> for ApiViewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            // The scheme name is case-insensitive (RFC 9110 §11.1).
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| ApiError(AppError::unauthorized()))?;
        let viewer = load_viewer(state, token, SessionKind::Api)
            .await
            .map_err(ApiError)?
            .ok_or_else(|| {
                ApiError(AppError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "Token tidak sah atau sudah kedaluwarsa.",
                ))
            })?;
        Ok(ApiViewer(viewer))
    }
}
