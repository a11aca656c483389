//! Trainings and tasks over JSON.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use laksana_store::{Decision, NewTraining, StepRun, TrainingDetail, TrainingQuery};
use serde_json::{json, Value};

use super::{ApiPath, JsonBody};
use crate::auth::ApiViewer;
use crate::error::{ApiError, AppError};
use crate::AppState;

fn ts(t: Option<DateTime<Utc>>) -> Value {
    t.map(|t| json!(t.to_rfc3339())).unwrap_or(Value::Null)
}

fn run_json(r: &StepRun) -> Value {
    json!({
        "id": r.id,
        "round": r.round,
        "status": r.status,
        "outcome": r.outcome,
        "started_at": r.started_at.to_rfc3339(),
        "due_at": ts(r.due_at),
        "due_problem": r.due_problem,
        "completed_at": ts(r.completed_at),
        "completed_by": r.completed_by_name,
        "note": r.note,
    })
}

fn detail_json(d: &TrainingDetail, setting: &dyn Fn(&str) -> Option<String>) -> Value {
    let def = &d.definition;
    let t = &d.training;
    let steps: Vec<Value> = def
        .steps
        .iter()
        .map(|s| {
            json!({
                "number": s.number,
                "key": s.key,
                "kegiatan": def.substitute(&s.kegiatan, setting),
                "pelaksana": s.pelaksana,
                "waktu": s.waktu.raw,
                "output": def.substitute(&s.output, setting),
                "decision": s.decision.as_ref().map(|dec| json!({ "on_return": dec.on_return })),
                "rounds": d.runs_of(s.number).into_iter().map(run_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "id": t.id,
        "title": t.title,
        "kejuruan": t.kejuruan,
        "start_date": t.start_date.to_string(),
        "location": t.location,
        "status": t.status,
        "current_step": t.current_step,
        "current_task_id": d.active_run().map(|r| r.id),
        "sop": { "key": d.definition_row.sop_key, "version": d.definition_row.version, "content_hash": d.definition_row.content_hash },
        "steps": steps,
    })
}

/// `?limit=&offset=` (and, for trainings, `q=` and `status=`): a list a slice at a time.
/// Every problem is a 422 naming the parameter, never a silently different page.
struct ListParams {
    limit: i64,
    offset: i64,
    q: Option<String>,
    status: Option<String>,
}

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 500;

impl ListParams {
    fn parse(raw: Option<&str>, filters: bool) -> Result<Self, AppError> {
        let mut p = ListParams {
            limit: DEFAULT_LIMIT,
            offset: 0,
            q: None,
            status: None,
        };
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match key.as_ref() {
                "limit" => {
                    p.limit = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            AppError::bad_request(
                                "invalid_query",
                                "limit",
                                format!("limit harus bilangan 1 sampai {MAX_LIMIT}."),
                            )
                        })?
                }
                "offset" => {
                    p.offset = value.parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
                        AppError::bad_request(
                            "invalid_query",
                            "offset",
                            "offset harus bilangan 0 atau lebih.",
                        )
                    })?
                }
                "q" if filters => p.q = Some(value.into_owned()),
                "status" if filters => match value.as_ref() {
                    "berjalan" | "selesai" => p.status = Some(value.into_owned()),
                    _ => {
                        return Err(AppError::bad_request(
                            "invalid_query",
                            "status",
                            "status harus \"berjalan\" atau \"selesai\".",
                        ))
                    }
                },
                _ => {}
            }
        }
        Ok(p)
    }
}

pub async fn list(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = ListParams::parse(raw.as_deref(), true)?;
    let page = state
        .store
        .search_trainings(
            &v.unit,
            &TrainingQuery {
                search: params.q,
                status: params.status,
                limit: params.limit,
                offset: params.offset,
            },
        )
        .await?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "title": t.title, "kejuruan": t.kejuruan, "start_date": t.start_date.to_string(),
                "location": t.location, "status": t.status, "current_step": t.current_step,
                "current_due_at": ts(t.current_due_at),
            })
        })
        .collect();
    Ok(Json(json!({
        "trainings": items, "total": page.total, "limit": params.limit, "offset": params.offset,
    })))
}

pub async fn create(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    JsonBody(new): JsonBody<NewTraining>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let def_row = state.store.latest_definition(v.unit.id).await?;
    let def = state.store.definition(def_row.id).await?;
    let allowed = v.user.is_admin
        || def
            .steps
            .first()
            .is_some_and(|s| v.roles.contains(&s.pelaksana));
    if !allowed {
        return Err(ApiError(AppError::forbidden(
            "Anda tidak berwenang membuat pelatihan.",
        )));
    }
    let id = state
        .store
        .create_training(&v.unit, &v.user, &new, state.clock.now())
        .await?;
    let detail = state.store.training_detail(v.unit.id, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail_json(&detail, &|k| v.unit.setting(k))),
    ))
}

pub async fn show(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    let detail = state.store.training_detail(v.unit.id, id).await?;
    Ok(Json(detail_json(&detail, &|k| v.unit.setting(k))))
}

pub async fn audit(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    state.store.training(v.unit.id, id).await?;
    let entries = state.store.audit_of_training(id).await?;
    Ok(Json(json!({ "entries": entries })))
}

pub async fn tasks(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = ListParams::parse(raw.as_deref(), false)?;
    let (tasks, total) = state
        .store
        .tasks_page(&v.unit, v.user.id, &v.roles, params.limit, params.offset)
        .await?;
    let items: Vec<Value> = tasks
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "training_id": t.training_id, "training_title": t.training_title,
                "step_number": t.step_no, "round": t.round, "pelaksana": t.pelaksana,
                "started_at": t.started_at.to_rfc3339(), "due_at": ts(t.due_at), "due_problem": t.due_problem,
            })
        })
        .collect();
    Ok(Json(json!({
        "tasks": items, "total": total, "limit": params.limit, "offset": params.offset,
    })))
}

#[derive(serde::Deserialize)]
pub struct CompleteRequest {
    #[serde(default)]
    decision: Option<Decision>,
    #[serde(default)]
    note: Option<String>,
}

pub async fn complete(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
    ApiPath(id): ApiPath<i64>,
    JsonBody(req): JsonBody<CompleteRequest>,
) -> Result<Json<Value>, ApiError> {
    let decision = req.decision.unwrap_or(Decision::Complete);
    let outcome = state
        .store
        .complete_task(&v.unit, &v.user, id, decision, req.note, state.clock.now())
        .await?;
    Ok(Json(serde_json::to_value(outcome).map_err(|e| {
        ApiError(AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            e.to_string(),
        ))
    })?))
}
