//! The JSON API (`/api/v1/…`): the same store operations as the pages, Bearer tokens, problem+json errors.

mod trainings;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use laksana_store::SessionKind;

use crate::error::{ApiError, AppError};
use crate::AppState;

const OPENAPI: &str = include_str!("openapi.json");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/v1/session", post(create_session))
        .route(
            "/v1/trainings",
            get(trainings::list).post(trainings::create),
        )
        .route("/v1/trainings/{id}", get(trainings::show))
        .route("/v1/trainings/{id}/audit", get(trainings::audit))
        .route("/v1/tasks", get(trainings::tasks))
        .route("/v1/tasks/{id}/complete", post(trainings::complete))
        .fallback(|| async { ApiError(AppError::not_found()) })
        .method_not_allowed_fallback(|| async {
            ApiError(AppError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Metode HTTP ini tidak didukung untuk alamat ini.",
            ))
        })
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

#[derive(serde::Deserialize)]
pub struct SessionRequest {
    username: String,
    password: String,
    /// The unit to work in (its code); by default the one last worked in.
    #[serde(default)]
    unit: Option<String>,
}

/// Parses a JSON body into `T`, turning every rejection into a problem+json answer.
pub struct JsonBody<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => {
                let (field, message) = explain_json_rejection(&rejection.body_text());
                let mut err = AppError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    message,
                );
                err.field = field.map(Into::into);
                Err(ApiError(err))
            }
        }
    }
}

/// A path parameter; one that does not parse (`/trainings/abc`) names nothing: a problem+json 404.
pub struct ApiPath<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let crate::form::Path(v) = crate::form::Path::<T>::from_request_parts(parts, state).await?;
        Ok(ApiPath(v))
    }
}

async fn create_session(
    State(state): State<AppState>,
    axum::Extension(client): axum::Extension<crate::ClientInfo>,
    JsonBody(req): JsonBody<SessionRequest>,
) -> Result<axum::response::Response, ApiError> {
    let user =
        match crate::auth::attempt_login(&state, &client.address, &req.username, &req.password)
            .await
        {
            Ok(user) => user,
            Err(refused) => {
                let mut res = ApiError(refused.error).into_response();
                if let Some(secs) = refused.retry_after {
                    res.headers_mut()
                        .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
                }
                return Ok(res);
            }
        };
    let now = state.clock.now();
    let unit = match req.unit.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        // A unit the caller does not belong to is answered as one that does not exist.
        Some(code) => state
            .store
            .units_of(&user)
            .await?
            .into_iter()
            .find(|u| u.code == code)
            .ok_or_else(|| {
                ApiError(AppError::new(
                    axum::http::StatusCode::NOT_FOUND,
                    "unknown_unit",
                    format!("Unit \"{code}\" tidak ada atau Anda tidak memegang peran di sana."),
                ))
            })?,
        None => state.store.home_unit(&user, now).await?,
    };
    let token = state
        .store
        .create_session(
            user.id,
            unit.id,
            SessionKind::Api,
            &state.security.sessions,
            now,
        )
        .await?;
    Ok(Json(serde_json::json!({
        "token": token,
        "token_type": "Bearer",
        "unit": { "code": unit.code, "name": unit.name },
    }))
    .into_response())
}

/// serde's English rejection ("Failed to deserialize …: decision: unknown variant `yolo`, …")
/// as the field it names and an Indonesian sentence.
fn explain_json_rejection(text: &str) -> (Option<String>, String) {
    let detail = text
        .split_once("target type: ")
        .map_or(text, |(_, rest)| rest)
        .trim();
    // serde_path_to_error style: "path: message", where the path is a field name.
    let (path, message) = match detail.split_once(": ") {
        Some((p, m))
            if !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || "_.[]".contains(c)) =>
        {
            (Some(p.to_string()), m)
        }
        _ => (None, detail),
    };
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_string);
    let (field, sentence) = if message.starts_with("missing field") {
        let f = quoted(message);
        let name = f.clone().unwrap_or_default();
        (f, format!("Kolom \"{name}\" wajib diisi."))
    } else if message.starts_with("unknown variant") {
        (
            path.clone(),
            format!(
                "Nilai \"{}\" tidak dikenal{}.",
                quoted(message).unwrap_or_default(),
                path.as_ref()
                    .map(|p| format!(" untuk \"{p}\""))
                    .unwrap_or_default()
            ),
        )
    } else if message.starts_with("invalid type") {
        (
            path.clone(),
            format!(
                "Jenis nilai salah{}: {}.",
                path.as_ref()
                    .map(|p| format!(" untuk \"{p}\""))
                    .unwrap_or_default(),
                message
                    .replace("invalid type: ", "")
                    .replace("expected", "seharusnya")
                    .replace("a string", "teks")
                    .replace("string", "teks")
                    .replace("integer", "bilangan bulat")
            ),
        )
    } else if message.contains("input contains invalid characters")
        || message.contains("premature end of input")
        || message.contains("input is out of range")
        || message.contains("input is not enough")
        || message.contains("trailing input")
        || message.contains("no possible date")
    {
        (
            path.clone(),
            format!(
                "Tanggal{} tidak sah; tulis seperti 2027-01-11.",
                path.as_ref()
                    .map(|p| format!(" \"{p}\""))
                    .unwrap_or_default()
            ),
        )
    } else if text.contains("Content-Type") || text.contains("content type") {
        (
            None,
            "Kirim isi permintaan sebagai JSON (Content-Type: application/json).".to_string(),
        )
    } else if message.contains("EOF")
        || message.contains("expected")
        || message.contains("key must be")
    {
        (None, "Isi permintaan bukan JSON yang sah.".to_string())
    } else {
        (path, "Isi permintaan tidak sah.".to_string())
    };
    (field, sentence)
}

#[cfg(test)]
mod tests {
    use super::explain_json_rejection;

    #[test]
    fn serdes_english_rejections_become_indonesian_with_the_field_named() {
        let (f, m) = explain_json_rejection(
            "Failed to deserialize the JSON body into the target type: decision: unknown variant `yolo`, expected one of `complete`, `approve`, `return` at line 1 column 18",
        );
        assert_eq!(f.as_deref(), Some("decision"));
        assert!(m.contains("\"yolo\" tidak dikenal"), "{m}");
        let (f, m) = explain_json_rejection(
            "Failed to deserialize the JSON body into the target type: missing field `kejuruan` at line 1 column 40",
        );
        assert_eq!(f.as_deref(), Some("kejuruan"));
        assert!(m.contains("wajib diisi"));
        let (f, m) = explain_json_rejection(
            "Failed to deserialize the JSON body into the target type: start_date: input is out of range at line 1 column 30",
        );
        assert_eq!(f.as_deref(), Some("start_date"));
        assert!(m.starts_with("Tanggal"));
        let (f, m) = explain_json_rejection(
            "Failed to deserialize the JSON body into the target type: username: invalid type: integer `1`, expected a string at line 1 column 13",
        );
        assert_eq!(f.as_deref(), Some("username"));
        assert!(!m.contains("invalid type"), "{m}");
    }
}
