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
}

/// Parses a JSON body into `T`, turning every rejection into a problem+json answer.
pub struct JsonBody<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(ApiError(AppError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!("Isi permintaan tidak sah: {}", rejection.body_text()),
            ))),
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
    JsonBody(req): JsonBody<SessionRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let user = state
        .store
        .verify_login(&req.username, &req.password)
        .await?
        .ok_or_else(|| {
            ApiError(AppError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Nama pengguna atau kata sandi salah.",
            ))
        })?;
    let now = state.clock.now();
    let unit = state.store.default_unit(now).await?;
    let token = state
        .store
        .create_session(user.id, unit.id, SessionKind::Api, now)
        .await?;
    Ok(Json(
        serde_json::json!({ "token": token, "token_type": "Bearer" }),
    ))
}
