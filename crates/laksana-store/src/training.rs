//! Trainings (one run of the SOP) and their step runs: creating, listing, reading, task lists.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use laksana_calendar::Zone;
use laksana_engine::{engine, Effect, InstanceState, SopDefinition, Status};
use sqlx::{AnyConnection, Row};

use crate::audit::{self, NewEntry};
use crate::time::ts_col;
use crate::{format_ts, DefinitionRow, Result, Store, StoreError, Unit, User};

pub const MAX_TEXT: usize = 500;

/// What a user gives to start a training.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct NewTraining {
    pub title: String,
    pub kejuruan: String,
    pub start_date: NaiveDate,
    pub location: String,
}

/// Which of a unit's trainings a list shows: words in the title or kejuruan, a status
/// (`berjalan`, `selesai`), and the page as a limit and offset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TrainingQuery {
    pub search: Option<String>,
    pub status: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One page of trainings and how many match in all.
#[derive(Debug, Clone)]
pub struct TrainingPage {
    pub items: Vec<Training>,
    pub total: i64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Training {
    pub id: i64,
    pub unit_id: i64,
    pub definition_id: i64,
    pub title: String,
    pub kejuruan: String,
    pub start_date: NaiveDate,
    pub location: String,
    pub status: String,
    pub current_step: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub state: InstanceState,
    /// Due time of the active step, when there is one and it could be computed.
    pub current_due_at: Option<DateTime<Utc>>,
}

/// One round of one step.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StepRun {
    pub id: i64,
    pub training_id: i64,
    pub step_no: i64,
    pub round: i64,
    pub pelaksana: String,
    pub status: String,
    pub outcome: Option<String>,
    pub started_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    /// Why there is no due time (e.g. no holiday data for the year).
    pub due_problem: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<i64>,
    pub completed_by_name: Option<String>,
    pub note: Option<String>,
}

impl StepRun {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        match (self.due_at, self.completed_at) {
            (Some(due), Some(done)) => done > due,
            (Some(due), None) => now > due,
            _ => false,
        }
    }
}

/// What a training's page shows: the training with its steps, its newest work plan and the
/// Kabupaten/Kota it invites.
pub struct TrainingView {
    pub detail: TrainingDetail,
    pub plan: Option<crate::PlanVersion>,
    pub recipients: Vec<crate::Recipient>,
}

pub struct TrainingDetail {
    pub training: Training,
    pub definition: Arc<SopDefinition>,
    pub definition_row: DefinitionRow,
    pub runs: Vec<StepRun>,
}

impl TrainingDetail {
    pub fn runs_of(&self, step_no: u32) -> Vec<&StepRun> {
        self.runs
            .iter()
            .filter(|r| r.step_no == step_no as i64)
            .collect()
    }
    pub fn active_run(&self) -> Option<&StepRun> {
        self.runs.iter().find(|r| r.is_active())
    }
}

/// What a transition reads: the step run and its training's definition, version and state.
pub(crate) struct RunContext {
    pub run: StepRun,
    pub definition_id: i64,
    pub version: i64,
    pub state: InstanceState,
}

/// An active step the user can act on.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Task {
    pub id: i64,
    pub training_id: i64,
    pub training_title: String,
    pub definition_id: i64,
    pub step_no: i64,
    pub round: i64,
    pub pelaksana: String,
    pub started_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_problem: Option<String>,
}

fn check_text(field: &'static str, label: &str, value: &str) -> Option<(&'static str, String)> {
    if value.trim().is_empty() {
        return Some((field, format!("{label} wajib diisi.")));
    }
    if value.chars().count() > MAX_TEXT {
        return Some((field, format!("{label} paling banyak {MAX_TEXT} karakter.")));
    }
    None
}

/// Every problem of a new training's fields at once (field, sentence), so a form can show
/// them together; `start` is `None` when the date could not be read. A start before `today`
/// is refused: a training is planned ahead, and a typo in the year is the usual cause.
pub fn check_new_training(
    title: &str,
    kejuruan: &str,
    location: &str,
    start: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut problems: Vec<(&'static str, String)> = [
        check_text("title", "Judul pelatihan", title),
        check_text("kejuruan", "Kejuruan", kejuruan),
        check_text("location", "Tempat", location),
    ]
    .into_iter()
    .flatten()
    .collect();
    match start {
        None => problems.push((
            "start_date",
            "Tanggal mulai wajib diisi dengan tanggal yang sah.".into(),
        )),
        Some(d) if d < today => problems.push((
            "start_date",
            format!(
                "Tanggal mulai {} sudah lewat; pelatihan direncanakan untuk hari ini atau sesudahnya.",
                laksana_calendar::tanggal_indonesia(d)
            ),
        )),
        Some(_) => {}
    }
    problems
}

impl Store {
    /// Starts a training on the unit's newest SOP definition; step 1 becomes active.
    pub async fn create_training(
        &self,
        unit: &Unit,
        actor: &User,
        new: &NewTraining,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let today = now.with_timezone(&unit.zone.offset()).date_naive();
        let problems = check_new_training(
            &new.title,
            &new.kejuruan,
            &new.location,
            Some(new.start_date),
            today,
        );
        if let Some((field, _)) = problems.first() {
            let message = problems
                .iter()
                .map(|(_, m)| m.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            return Err(StoreError::invalid(field, message));
        }
        let def_row = self.effective_definition(unit.id, today).await?;
        let def = self.definition(def_row.id).await?;
        let started = engine::start(&def);
        let state_json = serde_json::to_string(&started.state).expect("state serialises");
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO trainings (unit_id, definition_id, title, kejuruan, start_date, location, state_json,
                status, current_step, version, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'berjalan', $8, 0, $9, $10) RETURNING id",
        )
        .bind(unit.id)
        .bind(def_row.id)
        .bind(new.title.trim())
        .bind(new.kejuruan.trim())
        .bind(new.start_date.to_string())
        .bind(new.location.trim())
        .bind(&state_json)
        .bind(active_step(&started.state))
        .bind(actor.id)
        .bind(format_ts(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        self.activate(&mut tx, id, &def, &started.effects, now, unit.zone)
            .await?;
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(id),
                actor_id: Some(actor.id),
                actor_name: &actor.full_name,
                actor_role: None,
                action: "training.created",
                step_no: None,
                round: None,
                note: Some(&format!(
                    "{} (SOP {} versi {}, {})",
                    new.title.trim(),
                    def_row.sop_key,
                    def_row.version,
                    &def_row.content_hash[..12]
                )),
                state_before: None,
                state_after: Some(&state_json),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Inserts a step run for each step the engine activated, with its due time on the calendar.
    pub(crate) async fn activate(
        &self,
        conn: &mut AnyConnection,
        training_id: i64,
        def: &SopDefinition,
        effects: &[Effect],
        now: DateTime<Utc>,
        zone: Zone,
    ) -> Result<Option<i64>> {
        let mut activated = None;
        for effect in effects {
            let Effect::StepActivated { step, round } = effect else {
                continue;
            };
            let step_def = def.step(*step).ok_or(StoreError::NotFound("langkah"))?;
            let (mut due, problem) = match self.calendar.due_for(now, &step_def.waktu, zone) {
                Ok(due) => (Some(format_ts(due)), None),
                // Missing holiday data must not block the work: record why there is no deadline.
                Err(e) => (None, Some(e.to_string())),
            };
            // The replies are due when the letters said they are: the work plan's reply
            // deadline, at the close of that working day, rather than the SOP's "1 minggu".
            if step_def.key == crate::REPLY_STEP_KEY {
                if let Some(plan) = plan_dates(conn, training_id).await? {
                    if let Some(deadline) = plan.batas_balasan {
                        due = Some(format_ts(self.close_of(deadline, zone)));
                    }
                }
            }
            // The training itself is due at the end of its last planned day.
            if step_def.key == crate::TRAINING_STEP_KEY {
                if let Some(plan) = plan_dates(conn, training_id).await? {
                    if let Some(last) = plan.tanggal_selesai {
                        due = Some(format_ts(self.close_of(last, zone)));
                    }
                }
            }
            let row = sqlx::query(
                "INSERT INTO step_runs (training_id, step_no, round, pelaksana, status, started_at, due_at, due_problem)
                 VALUES ($1, $2, $3, $4, 'active', $5, $6, $7) RETURNING id",
            )
            .bind(training_id)
            .bind(*step as i64)
            .bind(*round as i64)
            .bind(&step_def.pelaksana)
            .bind(format_ts(now))
            .bind(due)
            .bind(problem)
            .fetch_one(&mut *conn)
            .await?;
            activated = Some(row.try_get("id")?);
        }
        Ok(activated)
    }

    pub async fn list_trainings(&self, unit_id: i64) -> Result<Vec<Training>> {
        let rows = sqlx::query(&format!(
            "SELECT {TRAINING_COLUMNS} FROM trainings t
             LEFT JOIN step_runs sr ON sr.training_id = t.id AND sr.status = 'active'
             WHERE t.unit_id = $1 ORDER BY t.id DESC"
        ))
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(training_from_row).collect()
    }

    /// One page of the unit's trainings, newest first, with how many match in all: the list
    /// pages and the API show a province's thousands of trainings a page at a time.
    /// Kept until the unit's audit chain moves (see `unit_cache`): a training is only ever
    /// created, moved on or finished by an audited change. `unit` is read in the asking request.
    pub async fn search_trainings(&self, unit: &Unit, q: &TrainingQuery) -> Result<TrainingPage> {
        self.training_pages
            .get_or_read(unit, q.clone(), || self.read_trainings(unit.id, q))
            .await
    }

    async fn read_trainings(&self, unit_id: i64, q: &TrainingQuery) -> Result<TrainingPage> {
        // Built once, bound twice (count and page), so both read the same filter.
        let mut filter = String::from("t.unit_id = $1");
        let mut binds: Vec<String> = Vec::new();
        if let Some(status) = &q.status {
            binds.push(status.clone());
            filter.push_str(&format!(" AND t.status = ${}", binds.len() + 1));
        }
        if let Some(words) = q.search.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
            // LIKE's own wildcards in what was typed match literally. Both sides are lowered
            // the way the database lowers: PostgreSQL's LOWER folds every letter, SQLite's only
            // A–Z, so on SQLite "É" is left as typed and must match the title's own case.
            let lowered = match self.backend {
                crate::Backend::Postgres => words.to_lowercase(),
                crate::Backend::Sqlite => words.to_ascii_lowercase(),
            };
            let escaped = lowered
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            binds.push(format!("%{escaped}%"));
            let n = binds.len() + 1;
            filter.push_str(&format!(
                " AND (LOWER(t.title) LIKE ${n} ESCAPE '\\' OR LOWER(t.kejuruan) LIKE ${n} ESCAPE '\\')"
            ));
        }
        let count_sql = format!("SELECT COUNT(*) FROM trainings t WHERE {filter}");
        let mut count = sqlx::query(&count_sql).bind(unit_id);
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total: i64 = count.fetch_one(&self.pool).await?.try_get(0)?;
        let page_sql = format!(
            "SELECT {TRAINING_COLUMNS} FROM trainings t
             LEFT JOIN step_runs sr ON sr.training_id = t.id AND sr.status = 'active'
             WHERE {filter} ORDER BY t.id DESC LIMIT {} OFFSET {}",
            q.limit.clamp(1, 500),
            q.offset.max(0)
        );
        let mut page = sqlx::query(&page_sql).bind(unit_id);
        for b in &binds {
            page = page.bind(b.clone());
        }
        let items = page
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(training_from_row)
            .collect::<Result<_>>()?;
        Ok(TrainingPage { items, total })
    }

    /// How many trainings the unit has.
    pub async fn count_trainings(&self, unit_id: i64) -> Result<i64> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM trainings WHERE unit_id = $1")
                .bind(unit_id)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    /// A training of this unit; another unit's id reads as not found.
    pub async fn training(&self, unit_id: i64, id: i64) -> Result<Training> {
        let row = sqlx::query(&format!(
            "SELECT {TRAINING_COLUMNS} FROM trainings t
             LEFT JOIN step_runs sr ON sr.training_id = t.id AND sr.status = 'active'
             WHERE t.id = $1 AND t.unit_id = $2"
        ))
        .bind(id)
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("pelatihan"))?;
        training_from_row(&row)
    }

    /// A training as its page shows it, kept until an audit entry names the training or
    /// changes an account (see `unit_cache::TrainingCache`): its steps, its plan and its
    /// recipients only change with an audited change. For pages that only read; `unit` is read
    /// in the asking request.
    pub async fn training_view(&self, unit: &Unit, id: i64) -> Result<Arc<TrainingView>> {
        self.training_views
            .get_or_read(
                unit,
                id,
                |after, upto| self.trainings_touched(unit.id, after, upto),
                || async { Ok(Arc::new(self.read_training_view(unit.id, id).await?)) },
            )
            .await
    }

    /// The trainings the unit's audit entries after `after` up to `upto` name; None when one
    /// of them changed what every training's page may show (an account's name).
    async fn trainings_touched(
        &self,
        unit_id: i64,
        after: i64,
        upto: i64,
    ) -> Result<Option<Vec<i64>>> {
        let rows = sqlx::query(
            "SELECT DISTINCT training_id, action FROM audit_log
             WHERE unit_id = $1 AND seq > $2 AND seq <= $3
               AND (training_id IS NOT NULL OR action = $4)",
        )
        .bind(unit_id)
        .bind(after)
        .bind(upto)
        .bind(crate::audit::ACCOUNT_UPDATED)
        .fetch_all(&self.pool)
        .await?;
        let mut ids = Vec::with_capacity(rows.len());
        for row in &rows {
            match row.try_get::<Option<i64>, _>("training_id")? {
                Some(id) => ids.push(id),
                None => return Ok(None),
            }
        }
        Ok(Some(ids))
    }

    /// [`Store::training_view`] read now, for a request that has just written.
    pub async fn read_training_view(&self, unit_id: i64, id: i64) -> Result<TrainingView> {
        let detail = self.training_detail(unit_id, id).await?;
        let plan = self.work_plan(unit_id, id).await?;
        let recipients = self.recipients(unit_id, id).await?;
        Ok(TrainingView {
            detail,
            plan,
            recipients,
        })
    }

    pub async fn training_detail(&self, unit_id: i64, id: i64) -> Result<TrainingDetail> {
        let training = self.training(unit_id, id).await?;
        let definition_row = self.definition_row(training.definition_id).await?;
        let definition = self.definition(training.definition_id).await?;
        let runs = self.step_runs(id).await?;
        Ok(TrainingDetail {
            training,
            definition,
            definition_row,
            runs,
        })
    }

    pub async fn step_runs(&self, training_id: i64) -> Result<Vec<StepRun>> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM step_runs sr LEFT JOIN users u ON u.id = sr.completed_by
             WHERE sr.training_id = $1 ORDER BY sr.id"
        ))
        .bind(training_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(run_from_row).collect()
    }

    /// A step run of this unit (tasks are addressed by step-run id).
    pub async fn step_run(&self, unit_id: i64, run_id: i64) -> Result<StepRun> {
        let row = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM step_runs sr JOIN trainings t ON t.id = sr.training_id
             LEFT JOIN users u ON u.id = sr.completed_by
             WHERE sr.id = $1 AND t.unit_id = $2"
        ))
        .bind(run_id)
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("tugas"))?;
        run_from_row(&row)
    }

    /// A step run with what a transition needs of its training, in one read (the hot path).
    pub(crate) async fn run_context(&self, unit_id: i64, run_id: i64) -> Result<RunContext> {
        let row = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS}, t.definition_id AS t_definition, t.version AS t_version, t.state_json AS t_state
             FROM step_runs sr JOIN trainings t ON t.id = sr.training_id
             LEFT JOIN users u ON u.id = sr.completed_by
             WHERE sr.id = $1 AND t.unit_id = $2"
        ))
        .bind(run_id)
        .bind(unit_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("tugas"))?;
        let state: String = row.try_get("t_state")?;
        Ok(RunContext {
            run: run_from_row(&row)?,
            definition_id: row.try_get("t_definition")?,
            version: row.try_get("t_version")?,
            state: serde_json::from_str(&state)
                .map_err(|e| StoreError::CorruptDefinition(format!("state_json: {e}")))?,
        })
    }

    /// One page of the unit's active steps that `who` selects (an SQL condition on `sr`, built
    /// by the caller from numbers and bound roles only), oldest due first, with the total. The
    /// page is cut by the database: a busy unit has hundreds of active steps per role, and each
    /// row fetched costs a hand-over from SQLite's worker thread.
    pub(crate) async fn tasks_where(
        &self,
        unit_id: i64,
        who: &str,
        roles: &[String],
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Task>, i64)> {
        fn bind_roles<'q>(
            mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
            roles: &'q [String],
        ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
            for role in roles {
                q = q.bind(role.as_str());
            }
            q
        }
        let filter = format!(
            "FROM step_runs sr JOIN trainings t ON t.id = sr.training_id
             WHERE t.unit_id = $1 AND sr.status = 'active' AND ({who})"
        );
        let count_sql = format!("SELECT COUNT(*) {filter}");
        let total: i64 = bind_roles(sqlx::query(&count_sql).bind(unit_id), roles)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let sql = format!(
            "SELECT sr.id, sr.training_id, t.title, t.definition_id, sr.step_no, sr.round, sr.pelaksana, sr.started_at, sr.due_at, sr.due_problem
             {filter}
             ORDER BY CASE WHEN sr.due_at IS NULL THEN 1 ELSE 0 END, sr.due_at, sr.id
             LIMIT {} OFFSET {}",
            limit.max(1),
            offset.max(0)
        );
        let rows = bind_roles(sqlx::query(&sql).bind(unit_id), roles)
            .fetch_all(&self.pool)
            .await?;
        let tasks = rows
            .iter()
            .map(|r| {
                Ok(Task {
                    id: r.try_get("id")?,
                    training_id: r.try_get("training_id")?,
                    training_title: r.try_get("title")?,
                    definition_id: r.try_get("definition_id")?,
                    step_no: r.try_get("step_no")?,
                    round: r.try_get("round")?,
                    pelaksana: r.try_get("pelaksana")?,
                    started_at: ts_col(r.try_get("started_at")?).unwrap_or_default(),
                    due_at: ts_col(r.try_get("due_at")?),
                    due_problem: r.try_get("due_problem")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok((tasks, total))
    }
}

pub(crate) fn active_step(state: &InstanceState) -> Option<i64> {
    match state.status {
        Status::Active { step, .. } => Some(step as i64),
        Status::Finished => None,
    }
}

const TRAINING_COLUMNS: &str = "t.id, t.unit_id, t.definition_id, t.title, t.kejuruan, t.start_date, t.location,
    t.state_json, t.status, t.current_step, t.version, t.created_at, t.finished_at, sr.due_at AS current_due_at";

const RUN_COLUMNS: &str = "sr.id, sr.training_id, sr.step_no, sr.round, sr.pelaksana, sr.status, sr.outcome,
    sr.started_at, sr.due_at, sr.due_problem, sr.completed_at, sr.completed_by, u.full_name AS completed_by_name, sr.note";

fn training_from_row(row: &sqlx::any::AnyRow) -> Result<Training> {
    let state_json: String = row.try_get("state_json")?;
    let state = serde_json::from_str(&state_json)
        .map_err(|e| StoreError::CorruptDefinition(format!("state_json: {e}")))?;
    let start: String = row.try_get("start_date")?;
    Ok(Training {
        id: row.try_get("id")?,
        unit_id: row.try_get("unit_id")?,
        definition_id: row.try_get("definition_id")?,
        title: row.try_get("title")?,
        kejuruan: row.try_get("kejuruan")?,
        start_date: start.parse().unwrap_or_default(),
        location: row.try_get("location")?,
        status: row.try_get("status")?,
        current_step: row.try_get("current_step")?,
        version: row.try_get("version")?,
        created_at: ts_col(row.try_get("created_at")?).unwrap_or_default(),
        finished_at: ts_col(row.try_get("finished_at")?),
        state,
        current_due_at: ts_col(row.try_get("current_due_at")?),
    })
}

fn run_from_row(row: &sqlx::any::AnyRow) -> Result<StepRun> {
    Ok(StepRun {
        id: row.try_get("id")?,
        training_id: row.try_get("training_id")?,
        step_no: row.try_get("step_no")?,
        round: row.try_get("round")?,
        pelaksana: row.try_get("pelaksana")?,
        status: row.try_get("status")?,
        outcome: row.try_get("outcome")?,
        started_at: ts_col(row.try_get("started_at")?).unwrap_or_default(),
        due_at: ts_col(row.try_get("due_at")?),
        due_problem: row.try_get("due_problem")?,
        completed_at: ts_col(row.try_get("completed_at")?),
        completed_by: row.try_get("completed_by")?,
        completed_by_name: row.try_get("completed_by_name")?,
        note: row.try_get("note")?,
    })
}

/// The training's newest work plan (for its reply deadline and its last day), read on the
/// caller's connection (inside its transaction).
pub(crate) async fn plan_dates(
    conn: &mut AnyConnection,
    training_id: i64,
) -> Result<Option<laksana_domain::WorkPlan>> {
    let row = sqlx::query(
        "SELECT plan_json FROM work_plans WHERE training_id = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(training_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let json: String = row.try_get("plan_json")?;
    Ok(serde_json::from_str::<laksana_domain::WorkPlan>(&json).ok())
}

impl Store {
    /// The end of `date` as a deadline: the office's closing time when it is a working day,
    /// else the end of the day, in the unit's zone.
    pub fn close_of(&self, date: NaiveDate, zone: Zone) -> DateTime<Utc> {
        let close = match self.calendar.hours_on(date) {
            Ok(Some(hours)) => hours.close(),
            _ => chrono::NaiveTime::from_hms_opt(23, 59, 0).expect("valid time"),
        };
        date.and_time(close)
            .and_local_timezone(zone.offset())
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| date.and_time(close).and_utc())
    }
}
