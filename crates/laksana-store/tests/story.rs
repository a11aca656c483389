//! One story through the store on a real SQLite file: a training from step 1 to 11 with
//! returns, the audit chain checked and tampered with, concurrent completions, a year
//! without holiday data.

use chrono::{DateTime, TimeZone, Utc};
use laksana_calendar::WorkingCalendar;
use laksana_engine::SEED_SOP;
use laksana_store::testing::TestDatabase;
use laksana_store::{ChainCheck, Decision, NewTraining, NewUser, Store, StoreError, Unit, User};

struct World {
    /// Dropped with the World, which removes the database (PostgreSQL: WITH FORCE).
    db: TestDatabase,
    store: Store,
    unit: Unit,
    users: Vec<User>,
}

fn wib(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

async fn world() -> World {
    let db = TestDatabase::create("story.db").await;
    let store = Store::connect(db.url(), WorkingCalendar::builtin())
        .await
        .unwrap();
    let now = wib(2026, 12, 2, 9, 0);
    let unit = store.default_unit(now).await.unwrap();
    store
        .ensure_definition(unit.id, SEED_SOP, now)
        .await
        .unwrap();
    let keys: Vec<String> = ["jfu", "kepala-bidang", "staf", "kepala-dinas", "panitia"]
        .map(String::from)
        .to_vec();
    let mut users = Vec::new();
    for key in &keys {
        let id = store
            .create_user(
                NewUser {
                    username: key,
                    password: "rahasia-uji-2026",
                    full_name: &format!("Pejabat {key}"),
                    nip: "",
                    jabatan: "",
                    is_admin: false,
                },
                now,
            )
            .await
            .unwrap();
        store
            .grant_role(
                id,
                unit.id,
                key,
                laksana_store::GrantPeriod::default(),
                &keys,
                None,
            )
            .await
            .unwrap();
        users.push(store.user(id).await.unwrap());
    }
    World {
        db,
        store,
        unit,
        users,
    }
}

impl World {
    fn holder(&self, role: &str) -> &User {
        self.users.iter().find(|u| u.username == role).unwrap()
    }

    async fn training(&self, at: DateTime<Utc>) -> i64 {
        let new = NewTraining {
            title: "Pelatihan Las".into(),
            kejuruan: "Las".into(),
            // A month ahead of the moment it is planned: a start in the past is refused.
            start_date: at.date_naive() + chrono::Duration::days(30),
            location: "BLK".into(),
        };
        self.store
            .create_training(&self.unit, &self.users[0], &new, at)
            .await
            .unwrap()
    }

    async fn active(&self, training: i64) -> laksana_store::StepRun {
        let runs = self.store.step_runs(training).await.unwrap();
        runs.into_iter()
            .find(|r| r.is_active())
            .expect("an active step")
    }
}

#[tokio::test]
async fn a_training_runs_all_steps_with_returns_and_leaves_an_intact_audit_chain() {
    let w = world().await;
    let mut at = wib(2026, 12, 2, 9, 0);
    // The accounts' role grants are the chain's first entries.
    let ChainCheck::Intact { entries: granted } =
        w.store.verify_audit_chain(w.unit.id).await.unwrap()
    else {
        panic!("broken before the training")
    };
    let id = w.training(at).await;
    let def = w
        .store
        .definition(w.store.latest_definition(w.unit.id).await.unwrap().id)
        .await
        .unwrap();
    let mut returned = std::collections::BTreeSet::new();
    let mut transitions = 1;
    loop {
        let runs = w.store.step_runs(id).await.unwrap();
        let Some(run) = runs.iter().find(|r| r.is_active()) else {
            break;
        };
        let step = def.step(run.step_no as u32).unwrap();
        // Each activated step has its deadline on the working calendar.
        assert!(
            run.due_at.is_some(),
            "step {} has no due time: {:?}",
            run.step_no,
            run.due_problem
        );
        let decision = match (&step.decision, returned.contains(&run.step_no)) {
            (Some(_), false) => {
                returned.insert(run.step_no);
                Decision::Return
            }
            (Some(_), true) => Decision::Approve,
            (None, _) => Decision::Complete,
        };
        at += chrono::Duration::minutes(20);
        let note =
            (decision == Decision::Return).then(|| format!("perbaiki langkah {}", run.step_no));
        w.store
            .complete_task(
                &w.unit,
                w.holder(&step.pelaksana),
                run.id,
                decision,
                note,
                at,
            )
            .await
            .unwrap();
        transitions += 1;
    }
    let training = w.store.training(w.unit.id, id).await.unwrap();
    assert_eq!(training.status, "selesai");
    let runs = w.store.step_runs(id).await.unwrap();
    for (step, rounds) in [(1, 2), (2, 2), (3, 1), (4, 2), (5, 2), (11, 1)] {
        assert_eq!(
            runs.iter().filter(|r| r.step_no == step).count(),
            rounds,
            "rounds of step {step}"
        );
    }
    let audit = w.store.audit_of_training(id).await.unwrap();
    assert_eq!(audit.len(), transitions);
    assert_eq!(
        audit.iter().filter(|e| e.action == "step.returned").count(),
        2
    );
    assert_ne!(audit[0].prev_hash, "0".repeat(64), "the grants come first");
    for pair in audit.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    assert_eq!(
        w.store.verify_audit_chain(w.unit.id).await.unwrap(),
        ChainCheck::Intact {
            entries: granted + transitions as i64
        }
    );
}

#[tokio::test]
async fn audit_rows_cannot_be_updated_or_deleted_and_tampering_is_found() {
    let w = world().await;
    let id = w.training(wib(2026, 12, 2, 9, 0)).await;
    let run = w.active(id).await;
    w.store
        .complete_task(
            &w.unit,
            w.holder("jfu"),
            run.id,
            Decision::Complete,
            Some("rencana siap".into()),
            wib(2026, 12, 2, 10, 0),
        )
        .await
        .unwrap();
    let update = sqlx::query("UPDATE audit_log SET note = 'diubah' WHERE seq = 2")
        .execute(w.store.pool())
        .await;
    assert!(update.is_err(), "the trigger must refuse updates");
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(w.store.pool())
        .await;
    assert!(delete.is_err(), "the trigger must refuse deletes");

    // Someone with the database and a SQL shell drops the trigger and edits a note.
    w.store.close().await;
    let url = w.db.url().to_string();
    let raw = sqlx::AnyPool::connect(&url).await.unwrap();
    let drop_trigger = if w.db.is_postgres() {
        "DROP TRIGGER audit_log_no_update ON audit_log"
    } else {
        "DROP TRIGGER audit_log_no_update"
    };
    sqlx::query(drop_trigger).execute(&raw).await.unwrap();
    sqlx::query("UPDATE audit_log SET note = 'diubah' WHERE seq = 2")
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
    let store = Store::connect(&url, WorkingCalendar::builtin())
        .await
        .unwrap();
    match store.verify_audit_chain(w.unit.id).await.unwrap() {
        ChainCheck::Broken { seq, .. } => assert_eq!(seq, 2),
        other => panic!("tampering not found: {other:?}"),
    }
}

#[tokio::test]
async fn of_many_concurrent_completions_of_one_step_exactly_one_succeeds() {
    let w = world().await;
    let id = w.training(wib(2026, 12, 2, 9, 0)).await;
    let run = w.active(id).await;
    let at = wib(2026, 12, 2, 10, 0);
    let mut handles = Vec::new();
    for _ in 0..8 {
        let (store, unit, user) = (w.store.clone(), w.unit.clone(), w.holder("jfu").clone());
        handles.push(tokio::spawn(async move {
            store
                .complete_task(&unit, &user, run.id, Decision::Complete, None, at)
                .await
        }));
    }
    let mut ok = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::AlreadyDone { by, .. }) => assert_eq!(by, "Pejabat jfu"),
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(ok, 1);
    let audit = w.store.audit_of_training(id).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.step_no == Some(1)).count(), 1);
    assert_eq!(w.active(id).await.step_no, 2);
}

#[tokio::test]
async fn a_step_started_in_a_year_without_holiday_data_has_no_deadline_but_is_not_blocked() {
    let w = world().await;
    let at = wib(2031, 3, 3, 9, 0);
    let id = w.training(at).await;
    let run = w.active(id).await;
    assert_eq!(run.due_at, None);
    assert!(
        run.due_problem.as_deref().unwrap_or("").contains("2031"),
        "{:?}",
        run.due_problem
    );
    w.store
        .complete_task(
            &w.unit,
            w.holder("jfu"),
            run.id,
            Decision::Complete,
            None,
            at,
        )
        .await
        .expect("missing holiday data must not block the work");
    assert_eq!(w.active(id).await.step_no, 2);
}

#[tokio::test]
async fn a_role_held_only_in_a_date_range_counts_only_inside_it() {
    let w = world().await;
    let keys: Vec<String> = vec!["jfu".into()];
    let plt = w
        .store
        .create_user(
            NewUser {
                username: "plt",
                password: "rahasia-uji-2026",
                full_name: "Plt JFU",
                nip: "",
                jabatan: "",
                is_admin: false,
            },
            wib(2026, 12, 1, 9, 0),
        )
        .await
        .unwrap();
    let from = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let to = chrono::NaiveDate::from_ymd_opt(2026, 12, 11).unwrap();
    w.store
        .grant_role(
            plt,
            w.unit.id,
            "jfu",
            laksana_store::GrantPeriod {
                from: Some(from),
                to: Some(to),
            },
            &keys,
            None,
        )
        .await
        .unwrap();
    let plt = w.store.user(plt).await.unwrap();
    let id = w.training(wib(2026, 12, 2, 9, 0)).await;
    let run = w.active(id).await;
    let before = w
        .store
        .complete_task(
            &w.unit,
            &plt,
            run.id,
            Decision::Complete,
            None,
            wib(2026, 12, 4, 9, 0),
        )
        .await;
    assert!(matches!(
        before,
        Err(StoreError::Engine(
            laksana_engine::EngineError::WrongRole { .. }
        ))
    ));
    w.store
        .complete_task(
            &w.unit,
            &plt,
            run.id,
            Decision::Complete,
            None,
            wib(2026, 12, 8, 9, 0),
        )
        .await
        .expect("inside the range the role holds");
    let reversed = w
        .store
        .grant_role(
            plt.id,
            w.unit.id,
            "jfu",
            laksana_store::GrantPeriod {
                from: Some(to),
                to: Some(from),
            },
            &keys,
            None,
        )
        .await;
    assert!(matches!(
        reversed,
        Err(StoreError::Invalid {
            field: "valid_to",
            ..
        })
    ));
}

/// The pages' kept reads (inbox, training list, training page) on a second server: until a
/// request there reads the unit again, it keeps what it read; the first request after a change
/// made through the other server sees the change, in every kept read at once.
#[tokio::test]
async fn kept_reads_follow_a_change_made_through_another_server() {
    let w = world().await;
    let at = wib(2026, 12, 2, 9, 0);
    let id = w.training(at).await;
    let untouched = w.training(at).await;
    let other = Store::connect(w.db.url(), WorkingCalendar::builtin())
        .await
        .unwrap();
    let jfu = w.holder("jfu");
    let kabid = w.holder("kepala-bidang");
    let kabid_roles = vec!["kepala-bidang".to_string()];
    let list = laksana_store::TrainingQuery {
        limit: 20,
        ..Default::default()
    };
    let before = other.unit(w.unit.id).await.unwrap();
    let view = other.training_view(&before, id).await.unwrap();
    assert_eq!(view.detail.active_run().unwrap().step_no, 1);
    let kept_other = other.training_view(&before, untouched).await.unwrap();
    let (tasks, total) = other
        .tasks_page(&before, kabid.id, &kabid_roles, 20, 0)
        .await
        .unwrap();
    assert!(tasks.is_empty() && total == 0, "step 1 is the JFU's");
    let page = other.search_trainings(&before, &list).await.unwrap();
    let listed =
        |p: &laksana_store::TrainingPage| p.items.iter().find(|t| t.id == id).unwrap().current_step;
    assert_eq!(listed(&page), Some(1));

    let run = w.active(id).await;
    w.store
        .complete_task(&w.unit, jfu, run.id, Decision::Complete, None, at)
        .await
        .unwrap();

    // A request holding the unit as read before the change is served what was kept...
    let kept = other.training_view(&before, id).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&kept, &view), "read again");
    // ...and the next request, which reads the unit anew, sees step 2 everywhere.
    let after = other.unit(w.unit.id).await.unwrap();
    assert_ne!(after.audit_head, before.audit_head);
    let view = other.training_view(&after, id).await.unwrap();
    assert_eq!(view.detail.active_run().unwrap().step_no, 2);
    // The change named one training: the other's page is still the one kept.
    let still = other.training_view(&after, untouched).await.unwrap();
    assert!(std::sync::Arc::ptr_eq(&still, &kept_other), "read again");
    let (tasks, total) = other
        .tasks_page(&after, kabid.id, &kabid_roles, 20, 0)
        .await
        .unwrap();
    assert_eq!((tasks.len(), total), (1, 1));
    assert_eq!(tasks[0].training_id, id);
    let page = other.search_trainings(&after, &list).await.unwrap();
    assert_eq!(listed(&page), Some(2));

    // An account renamed through one server: the change goes into the chain of the unit where
    // it acted, so the other server's kept page names the step's doer anew on its next request.
    let step1 = |v: &laksana_store::TrainingView| {
        v.detail
            .runs
            .iter()
            .find(|r| r.step_no == 1)
            .unwrap()
            .completed_by_name
            .clone()
    };
    let unit_now = w.store.unit(w.unit.id).await.unwrap();
    let kept = w.store.training_view(&unit_now, id).await.unwrap();
    assert_eq!(step1(&kept).as_deref(), Some(jfu.full_name.as_str()));
    let admin = w.holder("kepala-dinas");
    other
        .update_user(
            jfu.id,
            laksana_store::AccountEdit {
                full_name: "Rina Wulandari, S.Kom.",
                nip: &jfu.nip,
                jabatan: &jfu.jabatan,
                is_admin: false,
                active: true,
            },
            Some(admin),
        )
        .await
        .unwrap();
    let unit_now = w.store.unit(w.unit.id).await.unwrap();
    let renamed = w.store.training_view(&unit_now, id).await.unwrap();
    assert_eq!(step1(&renamed).as_deref(), Some("Rina Wulandari, S.Kom."));
    assert!(matches!(
        w.store.verify_audit_chain(w.unit.id).await.unwrap(),
        laksana_store::ChainCheck::Intact { .. }
    ));
    other.close().await;
}
