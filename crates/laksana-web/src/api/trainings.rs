//! Trainings and tasks over JSON.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use laksana_store::{Decision, NewTraining, StepRun, TrainingDetail};
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

pub async fn list(
    State(state): State<AppState>,
    ApiViewer(v): ApiViewer,
) -> Result<Json<Value>, ApiError> {
    let trainings = state.store.list_trainings(v.unit.id).await?;
    let items: Vec<Value> = trainings
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "title": t.title, "kejuruan": t.kejuruan, "start_date": t.start_date.to_string(),
                "location": t.location, "status": t.status, "current_step": t.current_step,
                "current_due_at": ts(t.current_due_at),
            })
        })
        .collect();
    Ok(Json(json!({ "trainings": items })))
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
) -> Result<Json<Value>, ApiError> {
    let tasks = state
        .store
        .tasks_of_user(v.unit.id, v.user.id, &v.roles)
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
    Ok(Json(json!({ "tasks": items })))
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
