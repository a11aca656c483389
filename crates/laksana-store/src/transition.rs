//! Completing a step: the engine decides, then the change and its audit entry commit together.

use chrono::{DateTime, Utc};
use laksana_engine::{engine, Action, Actor, Command, Effect, EngineError, Status};

use crate::audit::{self, NewEntry};
use crate::training::active_step;
use crate::{format_ts, Result, Store, StoreError, Unit, User};

/// What the user chose on the step's form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Complete,
    Approve,
    Return,
}

/// What happened, for the answer to the user.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StepOutcome {
    pub training_id: i64,
    pub step_no: u32,
    pub outcome: &'static str,
    pub next_step: Option<u32>,
    /// The task (step run) that became active, if any.
    pub next_task_id: Option<i64>,
    pub finished: bool,
}

impl Store {
    /// Completes (or approves, or returns) the active step run `run_id` as `user`.
    ///
    /// Exactly one of several concurrent callers succeeds (case W2): the training row carries a
    /// version that every transition bumps, so a stale writer updates nothing and is told who won.
    pub async fn complete_task(
        &self,
        unit: &Unit,
        user: &User,
        run_id: i64,
        decision: Decision,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<StepOutcome> {
        let ctx = self.run_context(unit.id, run_id).await?;
        let run = ctx.run;
        if !run.is_active() {
            return Err(self.already_done(unit, run_id, now).await);
        }
        let def = self.definition(ctx.definition_id).await?;
        let local_date = now.with_timezone(&unit.zone.offset()).date_naive();
        let mut roles = user.roles_on(unit.id, local_date);
        let pelaksana = def.step(run.step_no as u32).map(|s| s.pelaksana.as_str());
        if pelaksana == Some(crate::COMMITTEE_ROLE) {
            // After the SK is signed, the committee is its members: they act as Panitia on
            // this training, and other holders of the role do not.
            if let Some(members) = self.committee_accounts(unit.id, run.training_id).await? {
                roles.retain(|r| r != crate::COMMITTEE_ROLE);
                if members.contains(&user.id) {
                    roles.push(crate::COMMITTEE_ROLE.to_string());
                }
            }
        }
        let actor = Actor { roles };
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        let action = match decision {
            Decision::Complete => Action::Complete { note: note.clone() },
            Decision::Approve => Action::Approve { note: note.clone() },
            Decision::Return => Action::Return {
                note: note.clone().unwrap_or_default(),
            },
        };
        // What exists for this training (a complete work plan, later signed letters …); a guard
        // naming anything else is never met rather than silently passed.
        let needs_inputs = def
            .step(run.step_no as u32)
            .is_some_and(|s| !s.guards.is_empty());
        // Only a step with guards pays for looking its inputs up.
        let artifacts = if needs_inputs {
            self.training_artifacts(unit.id, run.training_id).await?
        } else {
            Default::default()
        };
        let available = |name: &str| artifacts.contains(name);
        let step_no = run.step_no as u32;
        let cmd = Command {
            step: step_no,
            action,
            actor: &actor,
            available: &available,
        };
        let transition = match engine::apply(&def, &ctx.state, cmd) {
            Ok(t) => t,
            Err(EngineError::GuardNotMet { step, missing }) => {
                // The guard names are keys; the user is told what they stand for.
                let missing = missing
                    .iter()
                    .map(|k| crate::plan::artifact_label(k))
                    .collect();
                return Err(EngineError::GuardNotMet { step, missing }.into());
            }
            Err(err) => {
                if matches!(err, EngineError::WrongRole { .. }) {
                    // Every role the user held, so the record shows what the attempt rested on.
                    let held = actor.roles.join(",");
                    // Case W3: a refused attempt is itself a fact worth keeping.
                    self.record(NewEntry {
                        unit_id: unit.id,
                        training_id: Some(run.training_id),
                        actor_id: Some(user.id),
                        actor_name: &user.full_name,
                        actor_role: Some(held.as_str()),
                        action: "step.denied",
                        step_no: Some(run.step_no),
                        round: Some(run.round),
                        note: Some(&err.to_string()),
                        state_before: None,
                        state_after: None,
                        at: now,
                    })
                    .await?;
                }
                return Err(err.into());
            }
        };
        let outcome = transition
            .effects
            .iter()
            .find_map(|e| match e {
                Effect::StepCompleted { outcome, .. } => Some(outcome.code()),
                _ => None,
            })
            .unwrap_or("completed");
        let finished = transition.state.status == Status::Finished;
        let before = serde_json::to_string(&ctx.state).expect("state serialises");
        let after = serde_json::to_string(&transition.state).expect("state serialises");

        let mut tx = self.pool.begin().await?;
        // The first statement writes, so SQLite takes its write lock before anything is read.
        let bumped = sqlx::query(
            "UPDATE trainings SET state_json = $1, status = $2, current_step = $3, version = version + 1,
                finished_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(&after)
        .bind(if finished { "selesai" } else { "berjalan" })
        .bind(active_step(&transition.state))
        .bind(finished.then(|| format_ts(now)))
        .bind(run.training_id)
        .bind(ctx.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if bumped == 0 {
            tx.rollback().await?;
            return Err(self.already_done(unit, run_id, now).await);
        }
        sqlx::query(
            "UPDATE step_runs SET status = 'done', outcome = $1, completed_at = $2, completed_by = $3, note = $4,
                working_minutes = $5
             WHERE id = $6 AND status = 'active'",
        )
        .bind(outcome)
        .bind(format_ts(now))
        .bind(user.id)
        .bind(note.as_deref())
        // None when the calendar has no data for the years the run spans.
        .bind(
            self.calendar
                .working_minutes_between(run.started_at, now, unit.zone)
                .ok(),
        )
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        let next_task_id = self
            .activate(
                &mut tx,
                run.training_id,
                &def,
                &transition.effects,
                now,
                unit.zone,
            )
            .await?;
        let role = def.step(step_no).map(|s| s.pelaksana.clone());
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(run.training_id),
                actor_id: Some(user.id),
                actor_name: &user.full_name,
                actor_role: role.as_deref(),
                action: match outcome {
                    "approved" => "step.approved",
                    "returned" => "step.returned",
                    _ => "step.completed",
                },
                step_no: Some(run.step_no),
                round: Some(run.round),
                note: note.as_deref(),
                state_before: Some(&before),
                state_after: Some(&after),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(StepOutcome {
            training_id: run.training_id,
            step_no,
            outcome,
            next_step: active_step(&transition.state).map(|s| s as u32),
            next_task_id,
            finished,
        })
    }

    /// Builds the "already finished by …" answer from what is stored now.
    async fn already_done(&self, unit: &Unit, run_id: i64, now: DateTime<Utc>) -> StoreError {
        let zone = unit.zone;
        match self.step_run(unit.id, run_id).await {
            Ok(run) if run.completed_at.is_some() => StoreError::AlreadyDone {
                by: run
                    .completed_by_name
                    .unwrap_or_else(|| "pengguna lain".into()),
                at: run.completed_at.unwrap_or_default(),
                zone,
            },
            Ok(_) => StoreError::AlreadyDone {
                by: "pengguna lain".into(),
                at: now,
                zone,
            },
            Err(e) => e,
        }
    }
}
