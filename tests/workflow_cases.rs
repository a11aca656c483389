//! Cases W1–W3 of shared/cases/README.md, through the API and the pages.

mod support;

use std::sync::Arc;

use laksana_store::ChainCheck;
use reqwest::StatusCode;
use serde_json::Value;
use support::{expect_problem, full_name, ts, wib, TestApp};
use tokio::sync::Barrier;

/// The `<tr>…</tr>` rows of a page's HTML.
fn table_rows(html: &str) -> Vec<&str> {
    html.split("<tr")
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap())
        .collect()
}

// ----- W1 -----

const FIRST_NOTE: &str = "Anggaran konsumsi belum sesuai DPA; mohon diperbaiki.";
const SECOND_NOTE: &str =
    "Jadwal bentrok dengan rapat koordinasi provinsi, geser ke minggu berikutnya.";
const PLT: (&str, &str) = ("plt-kabid", "Hj. Wulan Sari, S.E.");

/// Who acts, with which decision and note, and when.
type Act = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    chrono::DateTime<chrono::Utc>,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_return_keeps_the_first_note_and_the_timeline_shows_three_rounds() {
    let app = TestApp::spawn().await;
    app.add_user(PLT.0, PLT.1, "kepala-bidang").await;
    let jfu = app.api_login("jfu").await;
    let kabid = app.api_login("kabid").await;
    let plt = app.api_login(PLT.0).await;
    let id = app
        .create_training(&jfu, "Pelatihan Menjahit Angkatan I")
        .await["id"]
        .as_i64()
        .unwrap();

    // (who, decision, note, when) in order: 1, 2 returned, 1, 2 returned again, 1, 2 approved.
    let first_return_at = wib(2026, 12, 2, 10, 20);
    let second_return_at = wib(2026, 12, 2, 13, 30);
    let script: [Act; 6] = [
        ("jfu", None, None, wib(2026, 12, 2, 10, 0)),
        ("kabid", Some("return"), Some(FIRST_NOTE), first_return_at),
        (
            "jfu",
            None,
            Some("Anggaran sudah diperbaiki."),
            wib(2026, 12, 2, 11, 0),
        ),
        (PLT.0, Some("return"), Some(SECOND_NOTE), second_return_at),
        (
            "jfu",
            None,
            Some("Jadwal sudah digeser."),
            wib(2026, 12, 2, 14, 0),
        ),
        ("kabid", Some("approve"), None, wib(2026, 12, 2, 14, 30)),
    ];
    for (who, decision, note, at) in script {
        app.set_time(at);
        let token = match who {
            "jfu" => &jfu,
            "kabid" => &kabid,
            _ => &plt,
        };
        let task = app.task_of(token, id).await;
        app.complete_ok(token, task["id"].as_i64().unwrap(), decision, note)
            .await;
    }

    // The API keeps every round with its own note, author and time.
    let detail = app.training(&kabid, id).await;
    assert_eq!(detail["current_step"], 3);
    let step1 = detail["steps"][0]["rounds"].as_array().unwrap();
    let step2 = detail["steps"][1]["rounds"].as_array().unwrap();
    assert_eq!(step1.len(), 3, "three rounds of step 1");
    assert_eq!(step2.len(), 3, "three rounds of step 2");
    let outcomes: Vec<&Value> = step2.iter().map(|r| &r["outcome"]).collect();
    assert_eq!(outcomes, ["returned", "returned", "approved"]);
    assert_eq!(step2[0]["note"], FIRST_NOTE);
    assert_eq!(step2[0]["completed_by"], full_name("kabid"));
    assert_eq!(ts(&step2[0]["completed_at"]), first_return_at);
    assert_eq!(step2[1]["note"], SECOND_NOTE);
    assert_eq!(step2[1]["completed_by"], PLT.1);
    assert_eq!(ts(&step2[1]["completed_at"]), second_return_at);
    assert_eq!(step2[2]["note"], Value::Null);
    assert_eq!(step1[1]["note"], "Anggaran sudah diperbaiki.");
    assert_eq!(step1[2]["note"], "Jadwal sudah digeser.");
    for r in step1 {
        assert_eq!(r["completed_by"], full_name("jfu"));
    }

    // So does the audit trail.
    let returns: Vec<Value> = app
        .audit(&kabid, id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "step.returned")
        .collect();
    assert_eq!(returns.len(), 2);
    assert_eq!(
        (
            &returns[0]["note"],
            &returns[0]["actor_name"],
            &returns[0]["round"]
        ),
        (
            &Value::from(FIRST_NOTE),
            &Value::from(full_name("kabid")),
            &Value::from(1)
        )
    );
    assert_eq!(
        (
            &returns[1]["note"],
            &returns[1]["actor_name"],
            &returns[1]["round"]
        ),
        (
            &Value::from(SECOND_NOTE),
            &Value::from(PLT.1),
            &Value::from(2)
        )
    );

    // And the training page: each note in its own row, with who returned it and when.
    let browser = app.page_login("jfu").await;
    let (status, html) = app.page(&browser, &format!("/pelatihan/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let rows = table_rows(&html);
    for (note, author, when) in [
        (FIRST_NOTE, full_name("kabid"), "2 Desember 2026, 10.20 WIB"),
        (SECOND_NOTE, PLT.1, "2 Desember 2026, 13.30 WIB"),
    ] {
        let row: Vec<&&str> = rows.iter().filter(|r| r.contains(note)).collect();
        assert_eq!(row.len(), 1, "the note appears in exactly one row: {note}");
        assert!(
            row[0].contains(author),
            "row of {note:?} names {author}:\n{}",
            row[0]
        );
        assert!(
            row[0].contains(when),
            "row of {note:?} shows {when}:\n{}",
            row[0]
        );
        assert!(
            row[0].contains("dikembalikan"),
            "row of {note:?} says returned"
        );
    }
    for round in 1..=3 {
        let badge = format!("putaran {round}");
        let count = rows.iter().filter(|r| r.contains(&badge)).count();
        assert_eq!(count, 2, "steps 1 and 2 each show {badge}");
    }
    // The history page lists both returns with their notes.
    let (status, history) = app
        .page(&browser, &format!("/pelatihan/{id}/riwayat"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(history.contains(FIRST_NOTE) && history.contains(SECOND_NOTE));
    assert_eq!(history.matches("Dikembalikan").count(), 2);
}

// ----- W2 -----

/// Sends both requests at the same moment from two separate clients (two browsers).
async fn race(
    app: &TestApp,
    contenders: [(&str, Option<&'static str>, Option<&'static str>); 2],
    task_id: i64,
) -> Vec<(usize, StatusCode, Value)> {
    let barrier = Arc::new(Barrier::new(2));
    let mut handles = Vec::new();
    for (i, (token, decision, note)) in contenders.into_iter().enumerate() {
        let barrier = barrier.clone();
        let url = app.url(&format!("/api/v1/tasks/{task_id}/complete"));
        let token = token.to_string();
        let client = reqwest::Client::new();
        let mut body = serde_json::Map::new();
        if let Some(d) = decision {
            body.insert("decision".into(), d.into());
        }
        if let Some(n) = note {
            body.insert("note".into(), n.into());
        }
        // Open the connection first, so that only the request itself is left for the race.
        client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap();
        handles.push(tokio::spawn(async move {
            let request = client.post(url).bearer_auth(token).json(&body);
            barrier.wait().await;
            let res = request.send().await.unwrap();
            let status = res.status();
            (i, status, res.json::<Value>().await.unwrap())
        }));
    }
    let mut results = Vec::new();
    for h in handles {
        results.push(h.await.unwrap());
    }
    results
}

/// Exactly one winner; the loser gets 409 `already_done` naming the winner. Returns the winner's index.
fn one_winner(results: &[(usize, StatusCode, Value)], names: [&str; 2]) -> usize {
    let winners: Vec<_> = results.iter().filter(|r| r.1 == StatusCode::OK).collect();
    let losers: Vec<_> = results.iter().filter(|r| r.1 != StatusCode::OK).collect();
    assert_eq!(winners.len(), 1, "exactly one succeeds: {results:?}");
    let (winner, _, _) = winners[0];
    let (_, status, body) = losers[0];
    assert_eq!(
        *status,
        StatusCode::CONFLICT,
        "the other is told it is too late: {body}"
    );
    assert_eq!(body["code"], "already_done");
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains(names[*winner]),
        "the loser learns who finished it ({}): {detail}",
        names[*winner]
    );
    *winner
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_finishing_the_same_step_at_once_give_one_success_and_one_conflict() {
    let app = TestApp::spawn().await;
    app.add_user("jfu2", "Rina Marlina, S.Kom.", "jfu").await;
    app.add_user(PLT.0, PLT.1, "kepala-bidang").await;
    let jfu = [app.api_login("jfu").await, app.api_login("jfu2").await];
    let jfu_names = [full_name("jfu"), "Rina Marlina, S.Kom."];
    let kabid = [app.api_login("kabid").await, app.api_login(PLT.0).await];
    let kabid_names = [full_name("kabid"), PLT.1];
    // The accounts' role grants are the chain's first entries.
    let granted = entries_of_unit(&app).await;

    for attempt in 0..5 {
        let id = app
            .create_training(&jfu[0], &format!("Pelatihan Barista Angkatan {attempt}"))
            .await["id"]
            .as_i64()
            .unwrap();

        // Two JFU press "Selesai" on step 1 together.
        let task = app.task_of(&jfu[0], id).await["id"].as_i64().unwrap();
        let results = race(
            &app,
            [(jfu[0].as_str(), None, None), (jfu[1].as_str(), None, None)],
            task,
        )
        .await;
        let winner = one_winner(&results, jfu_names);

        // Two Kepala Bidang decide step 2 together, one approving and one returning.
        let task = app.task_of(&kabid[0], id).await["id"].as_i64().unwrap();
        let results = race(
            &app,
            [
                (kabid[0].as_str(), Some("approve"), None),
                (
                    kabid[1].as_str(),
                    Some("return"),
                    Some("Rencana belum lengkap."),
                ),
            ],
            task,
        )
        .await;
        let decider = one_winner(&results, kabid_names);

        let detail = app.training(&jfu[0], id).await;
        let step1 = detail["steps"][0]["rounds"].as_array().unwrap();
        let step2 = detail["steps"][1]["rounds"].as_array().unwrap();
        // A return would have opened step 1 again; nothing else may have happened twice.
        if decider == 0 {
            assert_eq!(detail["current_step"], 3);
            assert_eq!(step1.len(), 1);
            assert_eq!(step2[0]["outcome"], "approved");
        } else {
            assert_eq!(detail["current_step"], 1);
            assert_eq!(step1.len(), 2);
            assert_eq!(step2[0]["outcome"], "returned");
        }
        assert_eq!(step2.len(), 1, "step 2 ran once");
        assert_eq!(step1[0]["completed_by"], jfu_names[winner]);
        assert_eq!(step2[0]["completed_by"], kabid_names[decider]);
        let active = detail["steps"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["rounds"].as_array().unwrap())
            .filter(|r| r["status"] == "active")
            .count();
        assert_eq!(active, 1, "one active step");

        let audit = app.audit(&jfu[0], id).await;
        let of_step = |n: i64| {
            audit
                .iter()
                .filter(|e| e["step_no"] == n && e["action"] != "step.denied")
                .collect::<Vec<_>>()
        };
        assert_eq!(of_step(1).len(), 1, "one audit entry for step 1: {audit:?}");
        assert_eq!(of_step(1)[0]["actor_name"], jfu_names[winner]);
        assert_eq!(of_step(2).len(), 1, "one audit entry for step 2: {audit:?}");
        assert_eq!(of_step(2)[0]["actor_name"], kabid_names[decider]);
    }
    assert_eq!(
        app.store.verify_audit_chain(app.unit.id).await.unwrap(),
        ChainCheck::Intact {
            entries: granted + 5 * 3
        }
    );
}

// ----- W3 -----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staf_cannot_approve_step_two_through_the_api_or_the_page() {
    let app = TestApp::spawn().await;
    let jfu = app.api_login("jfu").await;
    let kabid = app.api_login("kabid").await;
    let staf = app.api_login("staf").await;
    let granted = entries_of_unit(&app).await;
    let id = app.create_training(&jfu, "Pelatihan Tata Rias").await["id"]
        .as_i64()
        .unwrap();
    let step1 = app.task_of(&jfu, id).await["id"].as_i64().unwrap();
    app.complete_ok(&jfu, step1, None, None).await;
    app.set_time(wib(2026, 12, 2, 10, 0));

    let task = app.task_of(&kabid, id).await;
    let task_id = task["id"].as_i64().unwrap();
    assert!(
        app.tasks(&staf).await.is_empty(),
        "the task list offers step 2 only to the Kepala Bidang"
    );
    let (before, audit_before) = app.snapshot(&kabid, id).await;

    // Straight to the API, with every decision the form could carry.
    for (decision, note) in [
        (Some("approve"), None),
        (Some("return"), Some("Dikembalikan oleh staf.")),
        (None, None),
    ] {
        let res = app.complete(&staf, task_id, decision, note).await;
        let body = expect_problem(res, StatusCode::FORBIDDEN, "wrong_role").await;
        assert!(
            body["detail"].as_str().unwrap().contains("Kepala Bidang"),
            "the refusal names the role that may act: {body}"
        );
    }

    // Through the page: the form is not offered, and posting it anyway is refused.
    let browser = app.page_login("staf").await;
    let (status, html) = app.page(&browser, &format!("/pelatihan/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Anda tidak memegang peran ini"));
    assert!(
        !html.contains("value=\"approve\""),
        "no approve button for a Staf"
    );
    let csrf = app.page_csrf(&browser).await;
    let res = app
        .page_step(
            &browser,
            id,
            task_id,
            &[("csrf", &csrf), ("decision", "approve"), ("note", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("Langkah 2 harus dikerjakan oleh Kepala Bidang."),
        "the page says why:\n{page}"
    );

    // Nothing changed: same training, step 2 still waiting for the Kepala Bidang.
    let (after, audit_after) = app.snapshot(&kabid, id).await;
    assert_eq!(after, before, "a refused attempt changes nothing");
    assert_eq!(app.task_of(&kabid, id).await, task);

    // Each attempt is on the record, and only that.
    assert_eq!(audit_after[..audit_before.len()], audit_before[..]);
    let denied = &audit_after[audit_before.len()..];
    assert_eq!(denied.len(), 4, "three API attempts and one page attempt");
    for e in denied {
        assert_eq!(e["action"], "step.denied");
        assert_eq!(e["actor_name"], full_name("staf"));
        assert_eq!(e["actor_role"], "staf");
        assert_eq!(e["step_no"], 2);
        assert_eq!(e["round"], 1);
        assert_eq!(e["state_before"], Value::Null);
        assert_eq!(e["state_after"], Value::Null);
        assert_eq!(ts(&e["at"]), wib(2026, 12, 2, 10, 0));
        assert!(e["note"].as_str().unwrap().contains("Kepala Bidang"));
    }
    let (status, history) = app
        .page(&browser, &format!("/pelatihan/{id}/riwayat"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(history.matches("Percobaan ditolak").count(), 4);

    // The Kepala Bidang can still decide, and the chain holds the refusals in order.
    app.complete_ok(&kabid, task_id, Some("approve"), None)
        .await;
    assert_eq!(
        app.store.verify_audit_chain(app.unit.id).await.unwrap(),
        ChainCheck::Intact {
            entries: granted + audit_after.len() as i64 + 1
        }
    );
}

/// How many entries the unit's audit chain holds now (it must be whole).
async fn entries_of_unit(app: &TestApp) -> i64 {
    match app.store.verify_audit_chain(app.unit.id).await.unwrap() {
        ChainCheck::Intact { entries } => entries,
        broken => panic!("{broken:?}"),
    }
}

/// Case C9 on the pages: a step started in a year whose holidays and cuti bersama are not
/// loaded has no due time, and the inbox and the training page say why, naming the year.
#[tokio::test]
async fn a_due_time_in_a_year_without_calendar_data_names_the_year_on_the_pages() {
    let app = TestApp::spawn().await;
    app.set_time(wib(2031, 3, 3, 9, 0));
    let jfu = app.api_login("jfu").await;
    let res = app
        .post_training(
            &jfu,
            &serde_json::json!({
                "title": "Pelatihan Las 2031",
                "kejuruan": "Teknik Las",
                "start_date": "2031-04-07",
                "location": "Workshop UPT BLK",
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let browser = app.page_login("jfu").await;
    for path in ["/tugas".to_string(), format!("/pelatihan/{id}")] {
        let (status, html) = app.page(&browser, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            html.contains("belum dapat dihitung: data hari libur tahun 2031"),
            "{path}: {html}"
        );
    }
}
