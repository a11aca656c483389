//! A form extractor whose rejections are Indonesian pages, not axum's English plain text.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;

use crate::error::AppError;

pub struct Form<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(rejection) => {
                let status = rejection.status();
                let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    "Isian terlalu besar; tidak ada yang disimpan.".to_string()
                } else {
                    format!(
                        "Isian formulir tidak dapat dibaca; tidak ada yang disimpan. ({})",
                        rejection.body_text()
                    )
                };
                Err(AppError::new(status, "invalid_form", message))
            }
        }
    }
}

/// A path extractor: an id that does not parse is simply a page that does not exist.
pub struct Path<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(_) => Err(AppError::not_found()),
        }
    }
}

/// A query extractor whose rejection is an Indonesian page.
pub struct Query<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(rejection) => Err(AppError::bad_request(
                "invalid_query",
                "query",
                format!(
                    "Alamat halaman tidak lengkap atau tidak sah. ({})",
                    rejection.body_text()
                ),
            )),
        }
    }
}
