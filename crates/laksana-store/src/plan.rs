//! The work plan of a training: saved as versions (never overwritten) while its step is
//! active, each save in one transaction with its audit entry.

use chrono::{DateTime, Utc};
use laksana_domain::WorkPlan;
use sqlx::Row;

use crate::audit::{self, NewEntry};
use crate::lock::{self, Sequence};
use crate::time::ts_col;
use crate::{format_ts, Result, Store, StoreError, Unit, User};

/// The key of the SOP step whose output is the work plan; the plan can be edited only while
/// that step is active (first round, or again after a return at the approval).
pub const PLAN_STEP_KEY: &str = "rencana-kerja";

/// The guard name a step declares (`masukan_wajib`) to need a complete plan.
pub const PLAN_ARTIFACT: &str = "rencana-kerja";

/// What a guard name means, for the message that says what is missing.
///
/// Document guards are `konsep-<kind>` (a draft exists), `paraf-<kind>` (the paraf it needs
/// are on its current version) and `ttd-<kind>` (signed and numbered), with the kind's key
/// written with dashes (`surat-pengantar`).
pub fn artifact_label(key: &str) -> String {
    let doc = |k: &str| match k {
        "undangan" => "surat undangan",
        "surat-pengantar" => "surat pengantar",
        "sk-panitia" => "Keputusan Panitia",
        "rencana-kerja" => "rencana kerja",
        _ => "",
    };
    if key == PLAN_ARTIFACT {
        return "rencana kerja yang lengkap (isi formulir Rencana kerja)".to_string();
    }
    if key == crate::DISPATCH_ARTIFACT {
        return "bukti pengiriman undangan untuk setiap Kabupaten/Kota tujuan, atau catatan pengiriman gagal dengan alasannya (halaman Distribusi undangan)".to_string();
    }
    if key == crate::MEETING_ARTIFACT {
        return "notulen rapat persiapan: waktu, tempat, yang hadir dan notulennya (halaman Rapat persiapan)".to_string();
    }
    if key == crate::ROSTER_ARTIFACT {
        return "daftar peserta yang dikonfirmasi Panitia (halaman Calon peserta)".to_string();
    }
    if key == crate::ATTENDANCE_ARTIFACT {
        return "daftar hadir setiap peserta di setiap sesi (halaman Pelaksanaan)".to_string();
    }
    if key == crate::REPORT_ARTIFACT {
        return "laporan pelaksanaan yang disimpan Panitia (halaman Laporan)".to_string();
    }
    if key == crate::CANDIDATES_ARTIFACT {
        return "sedikitnya satu calon peserta dari jawaban Kabupaten/Kota (halaman Jawaban dan calon peserta)".to_string();
    }
    for (prefix, what) in [
        ("konsep-", "konsep"),
        ("paraf-", "paraf pada"),
        ("ttd-", "tanda tangan dan nomor"),
    ] {
        if let Some(kind) = key.strip_prefix(prefix) {
            let name = doc(kind);
            if !name.is_empty() {
                return format!("{what} {name}");
            }
        }
    }
    key.to_string()
}

/// One saved version of a plan.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PlanVersion {
    pub training_id: i64,
    pub version: i64,
    pub plan: WorkPlan,
    /// No error when it was saved.
    pub complete: bool,
    pub saved_by_name: String,
    pub saved_at: DateTime<Utc>,
}

impl Store {
    /// Saves `plan` as the next version of the training's work plan.
    ///
    /// Refused unless the plan's step is active and the user holds its role: the plan is the
    /// step's work, so the same rule as completing the step applies. A plan with errors is
    /// still saved (nothing typed is lost) but marked incomplete, so the step cannot finish.
    pub async fn save_work_plan(
        &self,
        unit: &Unit,
        user: &User,
        training_id: i64,
        plan: &WorkPlan,
        now: DateTime<Utc>,
    ) -> Result<PlanVersion> {
        let detail = self.training_detail(unit.id, training_id).await?;
        let step = detail
            .active_run()
            .and_then(|run| detail.definition.step(run.step_no as u32))
            .filter(|s| s.key == PLAN_STEP_KEY)
            .ok_or_else(|| {
                StoreError::invalid(
                    "rencana",
                    "Rencana kerja hanya dapat diubah selama langkah penyusunan rencana kerja berjalan.",
                )
            })?;
        let local_date = now.with_timezone(&unit.zone.offset()).date_naive();
        if !user.roles_on(unit.id, local_date).contains(&step.pelaksana) {
            let role = detail
                .definition
                .role(&step.pelaksana)
                .map_or(step.pelaksana.clone(), |r| r.name.clone());
            return Err(StoreError::Engine(laksana_engine::EngineError::WrongRole {
                step: step.number,
                required: role,
            }));
        }
        let complete = plan.check().is_ok();
        let json = serde_json::to_string(plan).expect("a plan serialises");
        let mut tx = self.pool.begin().await?;
        lock::serialise(&mut tx, Sequence::WorkPlan { training_id }).await?;
        // Written first, so SQLite's write lock is held before the next version is read.
        let version: i64 = sqlx::query(
            "INSERT INTO work_plans (training_id, version, plan_json, complete, saved_by, saved_at)
             SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5 FROM work_plans WHERE training_id = $1
             RETURNING version",
        )
        .bind(training_id)
        .bind(&json)
        .bind(i64::from(complete))
        .bind(user.id)
        .bind(format_ts(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("version")?;
        let note = format!(
            "Rencana kerja versi {version}{}",
            if complete { "" } else { " (belum lengkap)" }
        );
        let run = detail.active_run().expect("checked above");
        audit::append(
            &mut tx,
            NewEntry {
                unit_id: unit.id,
                training_id: Some(training_id),
                actor_id: Some(user.id),
                actor_name: &user.full_name,
                actor_role: Some(step.pelaksana.as_str()),
                action: "plan.saved",
                step_no: Some(run.step_no),
                round: Some(run.round),
                note: Some(&note),
                state_before: None,
                state_after: Some(&json),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(PlanVersion {
            training_id,
            version,
            plan: plan.clone(),
            complete,
            saved_by_name: user.full_name.clone(),
            saved_at: now,
        })
    }

    /// The newest version of the training's plan, if one was saved.
    pub async fn work_plan(&self, unit_id: i64, training_id: i64) -> Result<Option<PlanVersion>> {
        Ok(self
            .work_plan_versions(unit_id, training_id)
            .await?
            .into_iter()
            .last())
    }

    /// Every saved version, oldest first.
    pub async fn work_plan_versions(
        &self,
        unit_id: i64,
        training_id: i64,
    ) -> Result<Vec<PlanVersion>> {
        let rows = sqlx::query(
            "SELECT p.training_id, p.version, p.plan_json, p.complete, p.saved_at, u.full_name
             FROM work_plans p JOIN trainings t ON t.id = p.training_id
             JOIN users u ON u.id = p.saved_by
             WHERE p.training_id = $1 AND t.unit_id = $2 ORDER BY p.version",
        )
        .bind(training_id)
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let json: String = row.try_get("plan_json")?;
                Ok(PlanVersion {
                    training_id: row.try_get("training_id")?,
                    version: row.try_get("version")?,
                    plan: serde_json::from_str(&json)
                        .map_err(|e| StoreError::CorruptDefinition(e.to_string()))?,
                    complete: row.try_get::<i64, _>("complete")? != 0,
                    saved_by_name: row.try_get("full_name")?,
                    saved_at: ts_col(row.try_get("saved_at")?)
                        .ok_or(StoreError::CorruptDefinition("saved_at".into()))?,
                })
            })
            .collect()
    }

    /// The names of what exists for the training, for the steps' guards (`masukan_wajib`).
    pub async fn training_artifacts(
        &self,
        unit_id: i64,
        training_id: i64,
    ) -> Result<std::collections::BTreeSet<String>> {
        let mut have = std::collections::BTreeSet::new();
        if self
            .work_plan(unit_id, training_id)
            .await?
            .is_some_and(|p| p.complete)
        {
            have.insert(PLAN_ARTIFACT.to_string());
        }
        for doc in self.documents_of_training(unit_id, training_id).await? {
            let kind = doc.kind.replace('_', "-");
            if doc.current_version > 0 {
                have.insert(format!("konsep-{kind}"));
            }
            if doc.signed_at.is_some() {
                have.insert(format!("ttd-{kind}"));
            }
            if doc.parafs_required > 0 {
                let detail = self.document(unit_id, doc.id).await?;
                if detail.valid_parafs().len() as i64 >= doc.parafs_required {
                    have.insert(format!("paraf-{kind}"));
                }
            }
        }
        self.nomination_artifacts(unit_id, training_id, &mut have)
            .await?;
        self.running_artifacts(unit_id, training_id, &mut have)
            .await?;
        Ok(have)
    }
}
