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
mod paging;
pub mod paperwork;
pub mod reminders;
pub mod sample;
pub mod security;

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::Router;
use laksana_store::Store;

pub use clock::{Clock, FixedClock, SystemClock};
pub use security::{ClientInfo, SecuritySettings};

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
    /// Session expiry, login limits, password rules, trusted proxies.
    pub security: SecuritySettings,
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
        // An explicit fallback, so an unknown address gets the headers below too, also once this
        // router is merged into another (the operations endpoints).
        .fallback(|| async { error::AppError::not_found() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .with_state(state)
}

/// Headers every answer carries, errors and files included. No inline script anywhere, so the
/// CSP can forbid it. Also notes who sent the request (`ClientInfo`) for the handlers.
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let client = ClientInfo::of(&req, &state.security, &state.public_base_url);
    let tls = client.tls;
    req.extensions_mut().insert(client);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if tls {
        // Only over TLS: a browser ignores HSTS on plain HTTP, and sending it from a test
        // server on http://127.0.0.1 would only mislead.
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    // A user's file is never rendered as a page of this site, whatever type it claims.
    if h.get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"))
        && h.get(header::CONTENT_DISPOSITION).is_some()
    {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
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
    // Pages and API answers carry names, NIKs and letters: an office PC is shared and a proxy
    // may sit in between, so nothing is stored unless the handler says otherwise (the static
    // files, a participant's own QR).
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
