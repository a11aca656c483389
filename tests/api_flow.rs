//! The whole SOP through the JSON API: eleven steps, five roles, a return at step 2 and at
//! step 5, deadlines on the working calendar, and the hash-chained audit trail.

mod support;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, TimeZone, Utc};
use laksana_store::ChainCheck;
use reqwest::StatusCode;
use serde_json::Value;
use support::{full_name, ts, wib, TestApp};

/// The five SOP roles and the account holding each.
const ROLE_HOLDERS: &[(&str, &str)] = &[
    ("jfu", "jfu"),
    ("kepala-bidang", "kabid"),
    ("staf", "staf"),
    ("kepala-dinas", "kadis"),
    ("panitia", "panitia"),
];

fn holder_of(role: &str) -> &'static str {
    ROLE_HOLDERS
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, u)| *u)
        .unwrap()
}

/// One thing a person does to the training, and what must be true just before.
struct Move {
    step: i64,
    round: i64,
    role: &'static str,
    decision: Option<&'static str>,
    note: Option<&'static str>,
    /// When the person acts (the server clock is set to it).
    at: DateTime<Utc>,
    /// The due time the task list must show for this task: the step's waktu counted on the
    /// working calendar from the moment the step became active (the previous move).
    due: DateTime<Utc>,
    /// What the API answers.
    outcome: &'static str,
    next_step: Option<i64>,
}

const NOTE_STEP_2: &str = "Anggaran konsumsi belum sesuai DPA; mohon diperbaiki.";
const NOTE_REVISED: &str = "Anggaran konsumsi sudah disesuaikan dengan DPA.";
const NOTE_STEP_5: &str = "Nomor surat pengantar belum diisi; lengkapi dulu.";

/// Office hours Mon–Thu 07:30–16:00 (break 12:00–13:00), Fri 07:30–16:30 (break 11:30–13:00).
/// The training is opened on Wed 2 December 2026 at 09:00 WIB; no holiday falls in 2–11 December.
fn the_moves() -> Vec<Move> {
    #[allow(clippy::too_many_arguments)]
    fn mv(
        step: i64,
        round: i64,
        role: &'static str,
        decision: Option<&'static str>,
        note: Option<&'static str>,
        at: DateTime<Utc>,
        due: DateTime<Utc>,
        outcome: &'static str,
        next_step: Option<i64>,
    ) -> Move {
        Move {
            step,
            round,
            role,
            decision,
            note,
            at,
            due,
            outcome,
            next_step,
        }
    }
    let (done, ok, back) = ("completed", "approved", "returned");
    vec![
        // Step 1, "1 hari" from Wed 09:00: Thu 09:00.
        mv(
            1,
            1,
            "jfu",
            None,
            None,
            wib(2026, 12, 2, 10, 0),
            wib(2026, 12, 3, 9, 0),
            done,
            Some(2),
        ),
        // Step 2, "30 menit" from Wed 10:00: 10:30. Returned to step 1.
        mv(
            2,
            1,
            "kepala-bidang",
            Some("return"),
            Some(NOTE_STEP_2),
            wib(2026, 12, 2, 10, 15),
            wib(2026, 12, 2, 10, 30),
            back,
            Some(1),
        ),
        // Step 1 again, "1 hari" from Wed 10:15: Thu 10:15.
        mv(
            1,
            2,
            "jfu",
            Some("complete"),
            Some(NOTE_REVISED),
            wib(2026, 12, 2, 11, 0),
            wib(2026, 12, 3, 10, 15),
            done,
            Some(2),
        ),
        // Step 2 again, "30 menit" from 11:00: 11:30 (approved late, at 11:40).
        mv(
            2,
            2,
            "kepala-bidang",
            Some("approve"),
            None,
            wib(2026, 12, 2, 11, 40),
            wib(2026, 12, 2, 11, 30),
            ok,
            Some(3),
        ),
        // Step 3, "5 menit" from 11:40: 11:45.
        mv(
            3,
            1,
            "kepala-dinas",
            None,
            None,
            wib(2026, 12, 2, 11, 50),
            wib(2026, 12, 2, 11, 45),
            done,
            Some(4),
        ),
        // Step 4, "2 jam" from 11:50: 10 minutes before the break, 110 after it: 14:50.
        mv(
            4,
            1,
            "jfu",
            None,
            None,
            wib(2026, 12, 2, 14, 0),
            wib(2026, 12, 2, 14, 50),
            done,
            Some(5),
        ),
        // Step 5, "5 menit" from 14:00: 14:05. Returned to step 4.
        mv(
            5,
            1,
            "kepala-bidang",
            Some("return"),
            Some(NOTE_STEP_5),
            wib(2026, 12, 2, 14, 10),
            wib(2026, 12, 2, 14, 5),
            back,
            Some(4),
        ),
        // Step 4 again, "2 jam" from Wed 14:10: 110 minutes to closing at 16:00, 10 on Thursday: 07:40.
        mv(
            4,
            2,
            "jfu",
            None,
            None,
            wib(2026, 12, 3, 8, 0),
            wib(2026, 12, 3, 7, 40),
            done,
            Some(5),
        ),
        // Step 5 again, "5 menit" from Thu 08:00: 08:05.
        mv(
            5,
            2,
            "kepala-bidang",
            Some("approve"),
            Some("Sudah lengkap."),
            wib(2026, 12, 3, 8, 30),
            wib(2026, 12, 3, 8, 5),
            ok,
            Some(6),
        ),
        // Step 6, "1 hari" from Thu 08:30: Fri 08:30.
        mv(
            6,
            1,
            "staf",
            None,
            None,
            wib(2026, 12, 3, 9, 0),
            wib(2026, 12, 4, 8, 30),
            done,
            Some(7),
        ),
        // Step 7, "1 minggu" = 5 hari from Thu 09:00: Thu 10 December 09:00.
        mv(
            7,
            1,
            "staf",
            None,
            None,
            wib(2026, 12, 7, 9, 0),
            wib(2026, 12, 10, 9, 0),
            done,
            Some(8),
        ),
        // Step 8, "2 jam" from Mon 09:00: 11:00.
        mv(
            8,
            1,
            "panitia",
            None,
            None,
            wib(2026, 12, 7, 10, 0),
            wib(2026, 12, 7, 11, 0),
            done,
            Some(9),
        ),
        // Step 9, "3 hari" from Mon 10:00: Thu 10:00.
        mv(
            9,
            1,
            "panitia",
            None,
            None,
            wib(2026, 12, 10, 15, 0),
            wib(2026, 12, 10, 10, 0),
            done,
            Some(10),
        ),
        // Step 10, "1 hari" from Thu 15:00: Fri 15:00 (Friday closes at 16:30).
        mv(
            10,
            1,
            "panitia",
            None,
            None,
            wib(2026, 12, 11, 14, 0),
            wib(2026, 12, 11, 15, 0),
            done,
            Some(11),
        ),
        // Step 11, "5 menit" from Fri 14:00: 14:05.
        mv(
            11,
            1,
            "kepala-dinas",
            None,
            None,
            wib(2026, 12, 11, 14, 10),
            wib(2026, 12, 11, 14, 5),
            done,
            None,
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_sop_runs_through_the_api_with_returns_at_steps_two_and_five() {
    let app = TestApp::spawn().await;
    let mut tokens = HashMap::new();
    for (_, username) in ROLE_HOLDERS {
        tokens.insert(*username, app.api_login(username).await);
    }
    let admin = app.api_login("admin").await;

    let created = app
        .create_training(&tokens["jfu"], "Pelatihan Teknik Las SMAW Angkatan II")
        .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["status"], "berjalan");
    assert_eq!(created["current_step"], 1);
    assert_eq!(created["steps"].as_array().unwrap().len(), 11);
    // "1 hari" from Wed 2 December 09:00 WIB is due Thursday 09:00 WIB, which is 02:00 UTC.
    assert_eq!(
        ts(&created["steps"][0]["rounds"][0]["due_at"]),
        Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap()
    );

    let moves = the_moves();
    let mut announced_task = created["current_task_id"].clone();
    for m in &moves {
        app.set_time(m.at);
        let actor = holder_of(m.role);
        // Only the role that performs the step sees it in its task list.
        for (role, username) in ROLE_HOLDERS {
            let mine: Vec<Value> = app
                .tasks(&tokens[username])
                .await
                .into_iter()
                .filter(|t| t["training_id"] == id)
                .collect();
            if *role == m.role {
                assert_eq!(
                    mine.len(),
                    1,
                    "{username} sees step {} round {}",
                    m.step,
                    m.round
                );
            } else {
                assert!(
                    mine.is_empty(),
                    "{username} must not see step {}: {mine:?}",
                    m.step
                );
            }
        }
        assert!(
            app.tasks(&admin).await.is_empty(),
            "the administrator holds no SOP role"
        );

        let task = app.task_of(&tokens[actor], id).await;
        assert_eq!(
            task["id"], announced_task,
            "the task is the one the previous answer announced"
        );
        assert_eq!(task["step_number"], m.step);
        assert_eq!(task["round"], m.round);
        assert_eq!(task["pelaksana"], m.role);
        assert_eq!(task["due_problem"], Value::Null);
        assert_eq!(
            ts(&task["due_at"]),
            m.due,
            "due time of step {} round {}",
            m.step,
            m.round
        );
        let detail = app.training(&tokens[actor], id).await;
        assert_eq!(detail["current_step"], m.step);
        assert_eq!(detail["current_task_id"], task["id"]);

        let outcome = app
            .complete_ok(
                &tokens[actor],
                task["id"].as_i64().unwrap(),
                m.decision,
                m.note,
            )
            .await;
        assert_eq!(outcome["training_id"], id);
        assert_eq!(outcome["step_no"], m.step);
        assert_eq!(outcome["outcome"], m.outcome);
        assert_eq!(
            outcome["next_step"],
            m.next_step.map_or(Value::Null, Value::from)
        );
        assert_eq!(outcome["finished"], m.next_step.is_none());
        assert_eq!(outcome["next_task_id"].is_null(), m.next_step.is_none());
        announced_task = outcome["next_task_id"].clone();
    }

    // Finished: nobody has anything left to do.
    for (_, username) in ROLE_HOLDERS {
        let left: Vec<Value> = app
            .tasks(&tokens[username])
            .await
            .into_iter()
            .filter(|t| t["training_id"] == id)
            .collect();
        assert!(left.is_empty(), "{username} still has {left:?}");
    }
    let detail = app.training(&admin, id).await;
    assert_eq!(detail["status"], "selesai");
    assert_eq!(detail["current_step"], Value::Null);
    assert_eq!(detail["current_task_id"], Value::Null);
    let listed = app.get_api(&admin, "/api/v1/trainings").await;
    let listed: Value = listed.json().await.unwrap();
    assert_eq!(listed["trainings"][0]["id"], id);
    assert_eq!(listed["trainings"][0]["status"], "selesai");

    // Two rounds for the steps that were returned (2, 5) and the ones they went back to (1, 4).
    let steps = detail["steps"].as_array().unwrap();
    for step in steps {
        let n = step["number"].as_i64().unwrap();
        let rounds = step["rounds"].as_array().unwrap();
        let expected = if [1, 2, 4, 5].contains(&n) { 2 } else { 1 };
        assert_eq!(rounds.len(), expected, "rounds of step {n}");
        for (i, r) in rounds.iter().enumerate() {
            assert_eq!(r["round"], i as i64 + 1);
            assert_eq!(r["status"], "done");
            let m = moves
                .iter()
                .find(|m| m.step == n && m.round == i as i64 + 1)
                .unwrap();
            assert_eq!(r["outcome"], m.outcome, "step {n} round {}", i + 1);
            assert_eq!(r["completed_by"], full_name(holder_of(m.role)));
            assert_eq!(ts(&r["completed_at"]), m.at);
            assert_eq!(ts(&r["due_at"]), m.due);
            assert_eq!(r["note"], m.note.map_or(Value::Null, Value::from));
        }
    }
    assert_eq!(steps[1]["rounds"][0]["note"], NOTE_STEP_2);
    assert_eq!(steps[4]["rounds"][0]["note"], NOTE_STEP_5);

    // The audit trail: one entry per transition, chained entry to entry.
    let entries = app.audit(&admin, id).await;
    assert_eq!(entries.len(), 1 + moves.len(), "created + one per move");
    assert_eq!(entries[0]["action"], "training.created");
    assert_eq!(entries[0]["actor_name"], full_name("jfu"));
    // The unit's chain began before the training: the setup's role grants are its first entries.
    let first_seq = entries[0]["seq"].as_i64().unwrap();
    assert!(first_seq > 1, "the role grants come first");
    assert_ne!(entries[0]["prev_hash"], "0".repeat(64));
    for (m, e) in moves.iter().zip(&entries[1..]) {
        let action = match m.outcome {
            "approved" => "step.approved",
            "returned" => "step.returned",
            _ => "step.completed",
        };
        assert_eq!(e["action"], action, "entry {e}");
        assert_eq!(e["step_no"], m.step);
        assert_eq!(e["round"], m.round);
        assert_eq!(e["actor_name"], full_name(holder_of(m.role)));
        assert_eq!(e["actor_role"], m.role);
        assert_eq!(e["note"], m.note.map_or(Value::Null, Value::from));
        assert_eq!(ts(&e["at"]), m.at);
    }
    let mut hashes = BTreeSet::new();
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(
            e["seq"],
            first_seq + i as i64,
            "no gap in the unit's sequence"
        );
        let hash = e["hash"].as_str().unwrap();
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(hashes.insert(hash.to_string()), "hashes are distinct");
        if i > 0 {
            assert_eq!(
                e["prev_hash"],
                entries[i - 1]["hash"],
                "entry {} links back",
                i + 1
            );
            assert_eq!(
                e["state_before"],
                entries[i - 1]["state_after"],
                "entry {} starts where the one before ended",
                i + 1
            );
        }
    }
    assert_eq!(
        app.store.verify_audit_chain(app.unit.id).await.unwrap(),
        ChainCheck::Intact {
            entries: first_seq - 1 + entries.len() as i64
        }
    );

    // The check is worth something: a note edited behind the application's back is found.
    // (The database refuses updates through a trigger; someone with the file can drop it.)
    let drop_trigger = match app.store.backend() {
        laksana_store::Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
        laksana_store::Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
    };
    sqlx::query(drop_trigger)
        .execute(app.store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET note = 'tidak ada catatan' WHERE unit_id = $1 AND seq = $2")
        .bind(app.unit.id)
        .bind(first_seq + 2)
        .execute(app.store.pool())
        .await
        .unwrap();
    assert!(matches!(
        app.store.verify_audit_chain(app.unit.id).await.unwrap(),
        ChainCheck::Broken { seq, .. } if seq == first_seq + 2
    ));
}

/// The `/api/v1` routes that `crates/laksana-web/src/api/mod.rs` registers, as (METHOD, path),
/// read from the source so that a route added there without documentation fails this test.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let src = include_str!("../crates/laksana-web/src/api/mod.rs");
    let mut routes = BTreeSet::new();
    for chunk in src.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).expect("route path literal");
        // The handler list ends where the `.route(` call closes.
        let mut depth = 1;
        let mut end = chunk.len();
        for (i, c) in chunk.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let handlers = &chunk[..end];
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = handlers.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0 || !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            if called {
                routes.insert((method.to_uppercase(), format!("/api{path}")));
            }
        }
    }
    routes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_route_the_api_serves() {
    let app = TestApp::spawn().await;
    let res = app
        .api
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let doc: Value = res.json().await.expect("openapi.json parses as JSON");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }

    let served = routes_in_source();
    assert!(
        served.len() >= 8,
        "the source reading found the routes: {served:?}"
    );
    for route in &served {
        assert!(
            documented.contains(route),
            "{route:?} is served but not documented"
        );
    }
    // And every documented operation is really answered (not the API's 404, not a 405).
    for (method, path) in &documented {
        let url = app.url(&path.replace("{id}", "1"));
        let res = app
            .api
            .request(method.parse().unwrap(), url)
            .send()
            .await
            .unwrap();
        assert!(
            res.status() != StatusCode::NOT_FOUND && res.status() != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is documented but answers {}",
            res.status()
        );
    }
    // Every /api/v1 route the server answers is in the source list (the probe above is not vacuous).
    assert!(documented
        .iter()
        .filter(|(_, p)| p.starts_with("/api/v1"))
        .all(|r| served.contains(r)));
    // An unknown API path is a problem+json 404, which the probe above relies on.
    let res = app
        .api
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    support::expect_problem(res, StatusCode::NOT_FOUND, "not_found").await;
}
