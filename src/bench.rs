//! `laksana bench engine`: every transition committed with its audit row, against the raw
//! commit rate of the same database with the same pragmas, measured in the same run.

use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use laksana_calendar::WorkingCalendar;
use laksana_engine::SEED_SOP;
use laksana_store::{Decision, NewTraining, NewUser, Store};

pub async fn engine(instances: usize, db: Option<String>) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!("laksana-bench-{}.db", std::process::id()));
    let url = db.unwrap_or_else(|| format!("sqlite://{}", tmp.display()));
    // The seed's own SOP, the one SpiffWorkflow runs in the peer benchmark: eleven steps and no
    // paperwork guards (Laksana's later versions refuse to complete the plan step without a
    // plan, the signing steps without signed PDFs, …, which is the documents' cost, not the
    // engine's). So the database holds the seed SOP and nothing newer.
    let store = Store::connect(&url, WorkingCalendar::builtin())
        .await
        .with_context(|| format!("membuka basis data {url}"))?;
    // A fixed working-day clock, so deadlines are computed (not refused) and the run is repeatable.
    let mut now = Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap();
    store.ensure_regions(now).await?;
    let unit = store.default_unit(now).await?;
    let seed = store.ensure_definition(unit.id, SEED_SOP, now).await?;
    let latest = store.latest_definition(unit.id).await?;
    anyhow::ensure!(
        latest.id == seed.id,
        "basis data ini sudah memakai SOP versi {}; jalankan bench pada basis data baru (tanpa --db)",
        latest.version
    );
    let def = store.definition(seed.id).await?;
    let keys: Vec<String> = def.roles.iter().map(|r| r.key.clone()).collect();
    let username = format!("bench{}", std::process::id());
    let actor_id = store
        .create_user(
            NewUser {
                username: &username,
                password: "bench-password",
                full_name: "Bench",
                nip: "",
                jabatan: "",
                is_admin: true,
            },
            now,
        )
        .await?;
    for key in &keys {
        store
            .grant_role(
                actor_id,
                unit.id,
                key,
                laksana_store::GrantPeriod::default(),
                &keys,
                None,
            )
            .await?;
    }
    let actor = store.user(actor_id).await?;
    let new = NewTraining {
        title: "Bench".into(),
        kejuruan: "Bench".into(),
        start_date: NaiveDate::from_ymd_opt(2026, 12, 14).unwrap(),
        location: "Bench".into(),
    };

    let started = Instant::now();
    let mut transitions = 0usize;
    for _ in 0..instances {
        let id = store.create_training(&unit, &actor, &new, now).await?;
        transitions += 1;
        loop {
            let runs = store.step_runs(id).await?;
            let Some(run) = runs.iter().find(|r| r.is_active()) else {
                break;
            };
            let step = def.step(run.step_no as u32).context("langkah")?;
            let decision = if step.decision.is_some() {
                Decision::Approve
            } else {
                Decision::Complete
            };
            store
                .complete_task(&unit, &actor, run.id, decision, None, now)
                .await?;
            transitions += 1;
            now += Duration::seconds(1);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let tasks = instances * def.steps.len();
    println!(
        "RESULT engine=laksana mode=sqlite instances={instances} tasks={tasks} transitions={transitions} seconds={elapsed:.3} tasks_per_s={:.1} transitions_per_s={:.1}",
        tasks as f64 / elapsed,
        transitions as f64 / elapsed
    );

    // The floor: one INSERT and one UPDATE per commit, same pool and pragmas.
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
    )
    .execute(store.pool())
    .await?;
    let commits = transitions.max(1000);
    let started = Instant::now();
    for i in 0..commits {
        let mut tx = store.pool().begin().await?;
        sqlx::query("INSERT INTO bench_raw (n) VALUES ($1)")
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE bench_raw SET n = n + 1 WHERE id = (SELECT MAX(id) FROM bench_raw)")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let raw_elapsed = started.elapsed().as_secs_f64();
    let raw_rate = commits as f64 / raw_elapsed;
    println!(
        "RESULT engine=raw-sqlite mode=sqlite commits={commits} seconds={raw_elapsed:.3} commits_per_s={raw_rate:.1} laksana_transitions_vs_raw={:.2}",
        (transitions as f64 / elapsed) / raw_rate
    );
    store.close().await;
    if url.contains(&tmp.display().to_string()) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
    }
    Ok(())
}
