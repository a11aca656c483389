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
                    format!("Isian formulir tidak dapat dibaca; tidak ada yang disimpan. ({})", rejection.body_text())
                };
                Err(AppError::new(status, "invalid_form", message))
            }
        }
    }
}
