//! Kotak Keluar: the unit's outgoing mail as the worker left it (queued, sent, failing, given
//! up), so an administrator can see why an invitation did not arrive and queue it again.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laksana_store::MailState;

use super::profile::html;
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{Form, Path, Query};
use crate::{format, AppState};

/// The newest rows shown; older ones stay in the database.
const SHOWN: i64 = 200;

pub struct MailRow {
    pub id: i64,
    pub waktu: String,
    pub kepada: String,
    pub perihal: String,
    pub status: String,
    /// CSS class of the status badge.
    pub tone: &'static str,
    pub percobaan: i64,
    pub galat: String,
    pub can_retry: bool,
}

#[derive(Template)]
#[template(path = "admin_outbox.html")]
struct OutboxPage {
    nav: Option<Nav>,
    csrf: String,
    tab: &'static str,
    rows: Vec<MailRow>,
    depth: i64,
    flash: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(flash): Query<Flash>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let zone = viewer.unit.zone;
    let rows = state
        .store
        .outbox_of_unit(viewer.unit.id, SHOWN)
        .await?
        .into_iter()
        .map(|m| {
            let state = m.state();
            let tone = match state {
                MailState::Antre => "",
                MailState::Dikirim => "good",
                MailState::Gagal { .. } => "warn",
                MailState::Menyerah => "bad",
            };
            MailRow {
                id: m.id,
                waktu: format::waktu(m.sent_at.unwrap_or(m.created_at), zone),
                kepada: if m.to_name.is_empty() {
                    m.to_address.clone()
                } else {
                    format!("{} <{}>", m.to_name, m.to_address)
                },
                perihal: m.subject,
                status: state.to_string(),
                tone,
                percobaan: m.attempts,
                galat: m.last_error.unwrap_or_default(),
                can_retry: state == MailState::Menyerah,
            }
        })
        .collect();
    let names = role_names(&state, &viewer).await;
    let page = OutboxPage {
        nav: Some(Nav::new(&state, &viewer, "profil", &names)),
        csrf: viewer.csrf.clone(),
        tab: "surel",
        rows,
        depth: state.store.outbox_depth().await?,
        flash: flash
            .ok
            .map(|_| "Surel dimasukkan lagi ke antrean dan akan segera dikirim.".to_string()),
    };
    html(&page, StatusCode::OK)
}

#[derive(serde::Deserialize)]
pub struct RetryForm {
    csrf: String,
}

pub async fn retry(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<RetryForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    state
        .store
        .retry_mail(viewer.unit.id, id, state.clock.now())
        .await?;
    Ok(Redirect::to("/admin/surel?ok=1").into_response())
}
