//! "Tugas Saya": the active steps the user can act on, overdue ones in red.

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::Query;
use crate::format;
use crate::paging::{self, Pager};
use crate::AppState;

pub struct TaskRow {
    pub training_id: i64,
    pub training_title: String,
    pub step_no: i64,
    pub kegiatan: String,
    pub round: i64,
    pub pelaksana: String,
    pub started: String,
    pub due: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    nav: Option<Nav>,
    tasks: Vec<TaskRow>,
    no_roles: bool,
    refreshed: String,
    notices: super::dashboard::Notices,
    pager: Pager,
    /// This page's own address, which the minute's refresh reloads.
    here: String,
}

/// `/tugas?halaman=N`.
#[derive(Default, serde::Deserialize)]
pub struct TasksQuery {
    #[serde(default)]
    halaman: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<TasksQuery>,
) -> Result<Html<String>, AppError> {
    let now = state.clock.now();
    // Most urgent first (the store's order), a page at a time.
    let wanted = paging::page_number(query.halaman.as_deref());
    let page_of = |offset: i64| {
        state.store.tasks_page(
            &viewer.unit,
            viewer.user.id,
            &viewer.roles,
            paging::PAGE_SIZE,
            offset,
        )
    };
    let (mut tasks, total) = page_of((wanted - 1) * paging::PAGE_SIZE).await?;
    let pager = Pager::new("/tugas", wanted, total);
    if pager.page != wanted {
        // Past the last page (tasks were done since the link was made): show the last one.
        tasks = page_of(pager.offset()).await?.0;
    }
    let mut rows = Vec::with_capacity(tasks.len());
    for t in tasks {
        let def = state.store.definition(t.definition_id).await?;
        let step = def.step(t.step_no as u32);
        let setting = |k: &str| viewer.unit.setting(k);
        rows.push(TaskRow {
            training_id: t.training_id,
            training_title: t.training_title,
            step_no: t.step_no,
            kegiatan: step
                .map(|s| def.substitute(&s.kegiatan, &setting))
                .unwrap_or_default(),
            round: t.round,
            pelaksana: def
                .role(&t.pelaksana)
                .map(|r| r.name.clone())
                .unwrap_or(t.pelaksana),
            started: format::waktu(t.started_at, viewer.unit.zone),
            due: format::tenggat(t.due_at, t.due_problem.as_deref(), viewer.unit.zone),
            overdue: t.due_at.is_some_and(|d| now > d),
        });
    }
    let names = role_names(&state, &viewer).await;
    let page = TasksPage {
        nav: Some(Nav::new(&state, &viewer, "tugas", &names)),
        no_roles: viewer.roles.is_empty(),
        notices: super::dashboard::notices_for(&state, &viewer).await?,
        refreshed: format::waktu(now, viewer.unit.zone),
        tasks: rows,
        here: paging::address(
            "/tugas",
            &[(
                "halaman",
                &(if pager.page > 1 {
                    pager.page.to_string()
                } else {
                    String::new()
                }),
            )],
        ),
        pager,
    };
    Ok(Html(page.render().map_err(render_error)?))
}

pub fn render_error(e: askama::Error) -> AppError {
    tracing::error!(error = %e, "template");
    AppError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Halaman gagal disusun; kesalahan sudah dicatat.",
    )
}
