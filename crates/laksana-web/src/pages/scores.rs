//! Pre-test and post-test scores (optional, step 10 or 11): one form with every participant
//! of the final list, two numbers each (0–100, "75,5" or "75.5"). A wrong entry re-shows the
//! form with what was typed and the row named; nothing is saved until every row is right.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use laksana_store::{StoreError, REPORT_STEP_KEY, TRAINING_STEP_KEY};

use super::running::{at_step, field, fields, training_of, OkQuery};
use super::tasks::render_error;
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{Path, Query};
use crate::AppState;

pub struct ScoreRow {
    pub nomination_id: i64,
    pub nama: String,
    pub region: String,
    /// As typed (or as stored, with a decimal comma).
    pub pre: String,
    pub post: String,
    /// Post minus pre, when both are there.
    pub change: String,
}

#[derive(Template)]
#[template(path = "scores.html")]
struct ScoresPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    can_edit: bool,
    rows: Vec<ScoreRow>,
    /// Averages of the scores entered: (pre, post, change).
    averages: Option<(String, String, String)>,
}

/// "80", "80,5", "80.5"; empty is no score.
fn parse_score(text: &str) -> Result<Option<f64>, ()> {
    let t = text.trim().replace(',', ".");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && (0.0..=100.0).contains(v))
        .map(Some)
        .ok_or(())
}

fn show(v: f64) -> String {
    let s = format!("{v:.1}");
    let s = s.strip_suffix(".0").unwrap_or(&s).to_string();
    s.replace('.', ",")
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    typed: Option<&[(String, String)]>,
    error: Option<String>,
    flash: Option<String>,
) -> Result<Response, AppError> {
    let detail = training_of(state, viewer, id).await?;
    let now = state.clock.now();
    let committee = state
        .store
        .is_committee(&viewer.unit, &viewer.user, id, now)
        .await?;
    let people = state.store.final_participants(viewer.unit.id, id).await?;
    let stored = state.store.test_scores(viewer.unit.id, id).await?;
    let mut pairs = Vec::new();
    let rows: Vec<ScoreRow> = people
        .iter()
        .map(|p| {
            let saved = stored.iter().find(|(n, _, _)| *n == p.nomination_id);
            let (pre, post) = match typed {
                Some(f) => (
                    field(f, &format!("pre_{}", p.nomination_id)),
                    field(f, &format!("post_{}", p.nomination_id)),
                ),
                None => (
                    saved.and_then(|s| s.1).map(show).unwrap_or_default(),
                    saved.and_then(|s| s.2).map(show).unwrap_or_default(),
                ),
            };
            let change = match (saved.and_then(|s| s.1), saved.and_then(|s| s.2)) {
                (Some(a), Some(b)) => {
                    pairs.push((a, b));
                    let d = b - a;
                    format!("{}{}", if d > 0.0 { "+" } else { "" }, show(d))
                }
                _ => String::new(),
            };
            ScoreRow {
                nomination_id: p.nomination_id,
                nama: p.nama.clone(),
                region: p.region_name.clone(),
                pre,
                post,
                change,
            }
        })
        .collect();
    let averages = mean(stored.iter().filter_map(|s| s.1))
        .zip(mean(stored.iter().filter_map(|s| s.2)))
        .map(|(a, b)| {
            let d = mean(pairs.iter().map(|(a, b)| b - a)).unwrap_or(b - a);
            (
                show(a),
                show(b),
                format!("{}{}", if d > 0.0 { "+" } else { "" }, show(d)),
            )
        });
    let names = role_names(state, viewer).await;
    let page = ScoresPage {
        nav: Some(Nav::new(state, viewer, "pelatihan", &names)),
        id,
        title: detail.training.title.clone(),
        csrf: viewer.csrf.clone(),
        flash,
        error: error.clone(),
        can_edit: committee && at_step(&detail, &[TRAINING_STEP_KEY, REPORT_STEP_KEY]),
        rows,
        averages,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, AppError> {
    let flash = (q.ok == "nilai").then(|| "Nilai disimpan.".to_string());
    render(&state, &viewer, id, None, None, flash).await
}

pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f = fields(&body);
    viewer.check_csrf(&field(&f, "csrf"))?;
    let people = state.store.final_participants(viewer.unit.id, id).await?;
    let mut scores = Vec::new();
    let mut problems = Vec::new();
    for p in &people {
        let pre = field(&f, &format!("pre_{}", p.nomination_id));
        let post = field(&f, &format!("post_{}", p.nomination_id));
        match (parse_score(&pre), parse_score(&post)) {
            (Ok(a), Ok(b)) => {
                if a.is_some() || b.is_some() {
                    scores.push((p.nomination_id, a, b));
                }
            }
            (a, b) => {
                let which = match (a.is_err(), b.is_err()) {
                    (true, true) => "pre-test dan post-test",
                    (true, false) => "pre-test",
                    _ => "post-test",
                };
                problems.push(format!("{} (nilai {which})", p.nama));
            }
        }
    }
    if !problems.is_empty() {
        let message = format!(
            "Nilai harus angka 0–100 (boleh dengan koma, mis. 75,5). Periksa: {}. Belum ada yang disimpan.",
            problems.join("; ")
        );
        return render(&state, &viewer, id, Some(&f), Some(message), None).await;
    }
    match state
        .store
        .save_test_scores(&viewer.unit, &viewer.user, id, &scores, state.clock.now())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/pelatihan/{id}/nilai?ok=nilai")).into_response()),
        // The form is shown again with what was typed, and the reason.
        Err(e @ (StoreError::Refused { .. } | StoreError::Invalid { .. })) => {
            render(&state, &viewer, id, Some(&f), Some(e.to_string()), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_read_with_a_comma_or_a_point_and_only_from_0_to_100() {
        assert_eq!(parse_score(" 75,5 "), Ok(Some(75.5)));
        assert_eq!(parse_score("80"), Ok(Some(80.0)));
        assert_eq!(parse_score(""), Ok(None));
        assert_eq!(parse_score("100.0"), Ok(Some(100.0)));
        assert!(parse_score("101").is_err());
        assert!(parse_score("-1").is_err());
        assert!(parse_score("delapan").is_err());
        assert!(parse_score("NaN").is_err());
    }

    #[test]
    fn scores_are_shown_with_a_decimal_comma() {
        assert_eq!(show(75.5), "75,5");
        assert_eq!(show(80.0), "80");
        assert_eq!(show(-2.25), "-2,2");
    }
}
