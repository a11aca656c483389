//! The web application (server-rendered pages in Bahasa Indonesia) and the JSON API beside it.
//!
//! Handlers stay thin: extract, authorize, call the store operation, map to a view. Both the
//! pages and the API go through the same store operations, so their rules cannot drift apart.

mod api;
mod assets;
mod auth;
pub mod certificates;
mod clock;
mod error;
mod form;
mod format;
pub mod operations;
pub mod overdue;
mod pages;
pub mod paperwork;
pub mod reminders;
pub mod sample;

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::Router;
use laksana_store::Store;

pub use clock::{Clock, FixedClock, SystemClock};

/// Everything a handler may need; cloned per request (all fields are handles).
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// Demo mode shows the demo accounts on the login page.
    pub demo: bool,
    /// Set the `Secure` flag on cookies (behind TLS).
    pub secure_cookies: bool,
    /// The address people reach this installation at, for links in e-mails when the unit's
    /// profile does not name one (e.g. "https://laksana.disnaker.example.go.id").
    pub public_base_url: String,
    /// Nudges the mail worker after something was queued, so an e-mail goes out at once.
    pub mail_wake: Option<Arc<tokio::sync::Notify>>,
}

impl AppState {
    pub fn wake_mailer(&self) {
        if let Some(n) = &self.mail_wake {
            n.notify_one();
        }
    }
}

/// The whole application: pages, API and static assets.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api", api::routes())
        .merge(assets::routes())
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Headers every answer carries. No inline script anywhere, so the CSP can forbid it.
async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}
