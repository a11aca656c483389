//! One error type for the web layer, rendered two ways: an HTML page or `application/problem+json`.
//! Internal failures are logged with their cause and shown only as a generic sentence.

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use laksana_engine::EngineError;
use laksana_store::{DbFault, StoreError};

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    /// Stable code for the API, e.g. `wrong_role`.
    pub code: &'static str,
    /// The sentence shown to the user, in Indonesian.
    pub message: String,
    /// The form field the message belongs to, when there is one.
    pub field: Option<std::borrow::Cow<'static, str>>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AppError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }
    pub fn bad_request(
        code: &'static str,
        field: &'static str,
        message: impl Into<String>,
    ) -> Self {
        AppError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            message: message.into(),
            field: Some(field.into()),
        }
    }
    pub fn not_found() -> Self {
        AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Halaman atau data tidak ditemukan.",
        )
    }
    pub fn unauthorized() -> Self {
        AppError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Silakan masuk terlebih dahulu.",
        )
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    pub fn password_change_required() -> Self {
        AppError::new(
            StatusCode::SEE_OTHER,
            "password_change_required",
            "Ganti kata sandi Anda terlebih dahulu.",
        )
    }
    /// A failure of ours (a template bug, a panicked worker): logged with its cause, shown as a
    /// generic sentence.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Terjadi kesalahan pada server. Tidak ada yang berubah; kesalahan sudah dicatat.",
        )
    }
    pub fn csrf() -> Self {
        AppError::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.",
        )
    }
}

/// What a user reads when the database, not their request, failed; each names what to do.
const BUSY: &str = "Server sedang sibuk. Tidak ada yang berubah; coba lagi sebentar lagi.";
const UNREACHABLE: &str =
    "Basis data sedang tidak dapat dihubungi. Coba lagi dalam beberapa saat; \
     bila tindakan Anda sempat tersimpan, halamannya akan menunjukkannya.";
const STORAGE_FULL: &str =
    "Penyimpanan server penuh: perubahan ini tidak disimpan. Data yang sudah \
     tersimpan tetap utuh dan dapat dibuka; minta administrator menambah ruang penyimpanan.";

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        if let Some(fault) = err.fault() {
            return AppError::from_fault(fault, &err);
        }
        let code = err.code();
        let status = match &err {
            StoreError::NotFound(_) => StatusCode::NOT_FOUND,
            StoreError::Refused {
                code: "not_the_signer" | "not_allowed",
                ..
            } => StatusCode::FORBIDDEN,
            StoreError::AlreadyDone { .. } | StoreError::Refused { .. } => StatusCode::CONFLICT,
            StoreError::NotConfigured { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            StoreError::Invalid { .. } | StoreError::Definition(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            StoreError::Engine(e) => match e {
                EngineError::WrongRole { .. } => StatusCode::FORBIDDEN,
                EngineError::StepNotActive { .. }
                | EngineError::Finished
                | EngineError::GuardNotMet { .. } => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
            // The file store (a folder, a bucket) is away: nothing was kept, try again later.
            StoreError::FilesUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            StoreError::Db(_)
            | StoreError::Migrate(_)
            | StoreError::CorruptDefinition(_)
            | StoreError::FileMissing { .. }
            | StoreError::FileCorrupt { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let field = match &err {
            StoreError::Invalid { field, .. } => Some((*field).into()),
            StoreError::Engine(
                EngineError::NoteRequired { .. } | EngineError::NoteTooLong { .. },
            ) => Some("note".into()),
            _ => None,
        };
        let message = if status.is_server_error() {
            tracing::error!(error = %err, "internal error");
            if matches!(err, StoreError::FilesUnavailable(_)) {
                "Penyimpanan berkas sedang tidak dapat dihubungi. Tidak ada yang tersimpan atau berubah; coba lagi sebentar lagi."
                    .to_string()
            } else {
                "Terjadi kesalahan pada server. Tidak ada yang berubah; kesalahan sudah dicatat."
                    .to_string()
            }
        } else {
            err.to_string()
        };
        AppError {
            status,
            code,
            message,
            field,
        }
    }
}

impl AppError {
    /// The database failed: busy or unreachable is a 503 worth retrying; a full disk is 507,
    /// which only an administrator mends. The cause goes to the log, not to the user.
    fn from_fault(fault: DbFault, err: &StoreError) -> AppError {
        let (status, code, message) = match fault {
            DbFault::Busy => {
                tracing::warn!(error = %err, "database busy");
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", BUSY)
            }
            DbFault::Unreachable => {
                tracing::warn!(error = %err, "database unreachable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    UNREACHABLE,
                )
            }
            DbFault::StorageFull => {
                tracing::error!(error = %err, "storage full");
                (
                    StatusCode::INSUFFICIENT_STORAGE,
                    "storage_full",
                    STORAGE_FULL,
                )
            }
        };
        AppError::new(status, code, message)
    }

    /// Seconds a client should wait before trying again (`Retry-After`), for the answers a
    /// retry can mend.
    fn retry_after(&self) -> Option<HeaderValue> {
        match self.code {
            "unavailable" => Some(HeaderValue::from_static("2")),
            "database_unavailable" => Some(HeaderValue::from_static("5")),
            _ => None,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/masuk").into_response();
        }
        if self.code == "password_change_required" {
            return axum::response::Redirect::to("/akun/sandi").into_response();
        }
        let page = ErrorPage {
            status: self.status.as_u16(),
            message: &self.message,
        };
        let body = page.render().unwrap_or_else(|_| self.message.clone());
        let mut res = (self.status, Html(body)).into_response();
        if let Some(wait) = self.retry_after() {
            res.headers_mut().insert(header::RETRY_AFTER, wait);
        }
        res
    }
}

/// The same error, rendered as RFC 9457 problem details for the API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let body = serde_json::json!({
            "type": format!("https://laksana.invalid/problems/{}", e.code),
            "title": e.status.canonical_reason().unwrap_or("Error"),
            "status": e.status.as_u16(),
            "code": e.code,
            "detail": e.message,
            "field": e.field,
        });
        let mut res = (e.status, body.to_string()).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(wait) = e.retry_after() {
            res.headers_mut().insert(header::RETRY_AFTER, wait);
        }
        if e.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_a_503_with_its_code_and_a_retry_hint() {
        let err = StoreError::Db(sqlx::Error::PoolTimedOut);
        let res = ApiError::from(err).into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "5");
        let page = AppError::from(StoreError::Db(sqlx::Error::PoolTimedOut));
        assert_eq!(page.code, "database_unavailable");
        assert!(page.message.contains("tidak dapat dihubungi"));
    }

    #[test]
    fn an_ordinary_database_error_stays_internal_without_a_retry_hint() {
        let err = StoreError::Db(sqlx::Error::RowNotFound);
        let res = ApiError::from(err).into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!res.headers().contains_key(header::RETRY_AFTER));
    }
}
