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
    /// The units this user may switch between (id, name), for the header's switcher.
    pub units: Vec<(i64, String)>,
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
    let Some(session) = state
        .store
        .session(token, kind, &state.security.sessions, now)
        .await?
    else {
        return Ok(None);
    };
    let units = session.units;
    let mut unit_id = session.unit_id;
    if !units.iter().any(|u| u.id == unit_id) {
        // The user's roles in this unit were revoked while the session was open: carry on in a
        // unit they still belong to, never in this one.
        if let Some(first) = units.first() {
            unit_id = first.id;
            state.store.switch_session_unit(token, unit_id).await?;
        }
    }
    // Usually one of the user's units, already read; else (no role anywhere) read it.
    let unit = match units.iter().find(|u| u.id == unit_id) {
        Some(u) => u.clone(),
        None => state.store.unit(unit_id).await?,
    };
    let today = now.with_timezone(&unit.zone.offset()).date_naive();
    let roles = session.user.roles_on(unit.id, today);
    Ok(Some(Viewer {
        user: session.user,
        unit,
        roles,
        csrf: session.csrf_token,
        units: units.into_iter().map(|u| (u.id, u.name)).collect(),
    }))
}

impl Viewer {
    /// Belongs to the unit shown: an account without any role anywhere has no unit at all.
    fn in_unit(&self) -> bool {
        self.units.iter().any(|(id, _)| *id == self.unit.id)
    }
}

fn no_unit() -> AppError {
    AppError::forbidden("Akun Anda belum mendapat peran di unit mana pun. Hubungi administrator.")
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
        let own_account = matches!(path, "/akun/sandi" | "/keluar" | "/keluar/semua");
        if viewer.user.must_change_password && !own_account {
            return Err(AppError::password_change_required());
        }
        if !viewer.in_unit() && !own_account {
            return Err(no_unit());
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
        if !viewer.in_unit() {
            return Err(ApiError(no_unit()));
        }
        Ok(ApiViewer(viewer))
    }
}

/// A refused login: the sentence to show and, when the limit was hit, how many seconds until
/// another attempt is accepted (for `Retry-After`).
pub struct LoginRefused {
    pub error: AppError,
    pub retry_after: Option<i64>,
}

/// Checks a username and password under the login limits (`security.login`): refused before the
/// password is looked at once the account or the address has used up its failures; a failure
/// is counted against both; a success clears the account's count.
pub async fn attempt_login(
    state: &AppState,
    address: &str,
    username: &str,
    password: &str,
) -> Result<User, LoginRefused> {
    let store_err = |e: laksana_store::StoreError| LoginRefused {
        error: e.into(),
        retry_after: None,
    };
    let now = state.clock.now();
    let limits = &state.security.login;
    if let Some(blocked) = state
        .store
        .login_blocked(username, address, limits, now)
        .await
        .map_err(store_err)?
    {
        let seconds = (blocked.until - now).num_seconds().max(1);
        let minutes = (seconds + 59) / 60;
        return Err(LoginRefused {
            error: AppError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!(
                    "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi dalam {minutes} menit."
                ),
            ),
            retry_after: Some(seconds),
        });
    }
    match state
        .store
        .verify_login(username, password)
        .await
        .map_err(store_err)?
    {
        Some(user) => {
            state
                .store
                .clear_login_failures(username)
                .await
                .map_err(store_err)?;
            Ok(user)
        }
        None => {
            state
                .store
                .record_login_failure(username, address, limits, now)
                .await
                .map_err(store_err)?;
            Err(LoginRefused {
                error: AppError::new(
                    axum::http::StatusCode::UNAUTHORIZED,
                    "invalid_credentials",
                    "Nama pengguna atau kata sandi salah.",
                ),
                retry_after: None,
            })
        }
    }
}
