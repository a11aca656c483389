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

/// A multipart form read whole: its text fields and at most one file per field name, each
/// file bounded by `max_file` bytes so an oversized upload is refused before it fills memory.
pub struct Upload {
    pub fields: std::collections::HashMap<String, String>,
    pub files: std::collections::HashMap<String, (String, Vec<u8>)>,
}

impl Upload {
    pub async fn read(
        mut multipart: axum::extract::Multipart,
        max_file: usize,
    ) -> Result<Upload, AppError> {
        let bad = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!(
                        "Unggahan terlalu besar (paling besar {} MiB); tidak ada yang disimpan.",
                        max_file / (1024 * 1024)
                    ),
                )
            } else {
                AppError::bad_request(
                    "invalid_upload",
                    "berkas",
                    "Unggahan tidak terbaca; tidak ada yang disimpan.",
                )
            }
        };
        let mut up = Upload {
            fields: Default::default(),
            files: Default::default(),
        };
        while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_string();
            if let Some(file_name) = field.file_name().map(str::to_string) {
                let mut buf = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    buf.extend_from_slice(&chunk);
                    if buf.len() > max_file {
                        return Err(AppError::new(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "too_large",
                            format!(
                                "Berkas \"{file_name}\" terlalu besar (paling besar {} MiB); tidak ada yang disimpan.",
                                max_file / (1024 * 1024)
                            ),
                        ));
                    }
                }
                if !buf.is_empty() {
                    up.files.insert(name, (file_name, buf));
                }
            } else {
                up.fields.insert(name, field.text().await.map_err(bad)?);
            }
        }
        Ok(up)
    }

    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// What an uploaded proof or letter is, judged by its first bytes and never by its name:
/// only PDF and the photo formats a phone makes are kept, so nothing stored can be served as HTML.
pub fn document_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// A `datetime-local` value ("2026-12-07T09:30") read in the unit's zone.
pub fn local_datetime(
    text: &str,
    zone: laksana_calendar::Zone,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = text.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    naive
        .and_local_timezone(zone.offset())
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
}
