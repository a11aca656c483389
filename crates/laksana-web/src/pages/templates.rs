//! The letters' template texts, one per part (the undangan's body, the SK's menimbang …):
//! an administrator changes them; a text naming a field the template does not know, or with
//! an unbalanced brace, is refused when saved, naming the field and its line.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laksana_documents::letter::{check, default_templates};

use super::profile::html;
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{Form, Path, Query};
use crate::{format, AppState};

pub struct TemplateView {
    pub key: &'static str,
    pub judul: &'static str,
    pub fields: String,
    pub text: String,
    pub origin: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin_templates.html")]
struct TemplatesPage {
    nav: Option<Nav>,
    csrf: String,
    tab: &'static str,
    templates: Vec<TemplateView>,
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
    render(
        &state,
        &viewer,
        None,
        flash.ok.map(|_| "Templat tersimpan.".to_string()),
    )
    .await
}

/// `refused`: the key, the text as typed and the message, shown in place of the stored text.
async fn render(
    state: &AppState,
    viewer: &Viewer,
    refused: Option<(&str, &str, String)>,
    flash: Option<String>,
) -> Result<Response, AppError> {
    let own = state.store.letter_templates(viewer.unit.id).await?;
    let templates = default_templates()
        .into_iter()
        .map(|t| {
            let saved = own.get(t.key);
            let (text, error) = match &refused {
                Some((key, typed, message)) if *key == t.key => {
                    (typed.to_string(), message.clone())
                }
                _ => (
                    saved.map_or_else(|| t.teks.to_string(), |s| s.text.clone()),
                    String::new(),
                ),
            };
            TemplateView {
                key: t.key,
                judul: t.judul,
                fields: t
                    .fields
                    .iter()
                    .map(|f| format!("{{{f}}}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                text,
                origin: saved.map_or_else(
                    || "Teks bawaan Laksana".to_string(),
                    |s| {
                        format!(
                            "Versi {}, diubah {} oleh {}",
                            s.version,
                            format::waktu(s.saved_at, viewer.unit.zone),
                            s.saved_by_name
                        )
                    },
                ),
                error,
            }
        })
        .collect();
    let names = role_names(state, viewer).await;
    let page = TemplatesPage {
        nav: Some(Nav::new(state, viewer, "profil", &names)),
        csrf: viewer.csrf.clone(),
        tab: "templat",
        templates,
        flash,
    };
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(&page, status)
}

#[derive(serde::Deserialize)]
pub struct TemplateForm {
    csrf: String,
    #[serde(default)]
    text: String,
}

pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(key): Path<String>,
    Form(form): Form<TemplateForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    let template = default_templates()
        .into_iter()
        .find(|t| t.key == key)
        .ok_or_else(AppError::not_found)?;
    let text = form.text.replace("\r\n", "\n");
    if let Err(errors) = check(&text, template.fields) {
        let message = format!(
            "Templat tidak disimpan: {}.",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        );
        return render(&state, &viewer, Some((template.key, &text, message)), None).await;
    }
    state
        .store
        .save_letter_template(
            viewer.unit.id,
            template.key,
            &text,
            &viewer.user,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to("/admin/templat?ok=1").into_response())
}
