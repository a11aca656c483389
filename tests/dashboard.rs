//! The dashboard (issue 6, section 6) and the overdue notices (section 7): step times against
//! the standard, late steps with their holders, access, CSV exports, the sweep's notices and
//! escalation, and the year filter.

mod support;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use support::{full_name, wib, TestApp};

/// The rows of a dashboard CSV (BOM checked and removed), header included.
async fn csv_rows(client: &reqwest::Client, app: &TestApp, path: &str) -> Vec<Vec<String>> {
    let res = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    assert_eq!(
        res.headers()["content-type"],
        "text/csv; charset=utf-8",
        "{path}"
    );
    let text = res.text().await.unwrap();
    let body = text
        .strip_prefix('\u{feff}')
        .unwrap_or_else(|| panic!("{path} starts with a BOM"));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(body.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("a CSV record").iter().map(String::from).collect())
        .collect();
    let width = rows[0].len();
    assert!(
        rows.iter().all(|r| r.len() == width),
        "{path}: every row has the header's {width} fields"
    );
    rows
}

/// The row of `rows` whose column `col` is `value`.
fn row<'a>(rows: &'a [Vec<String>], col: usize, value: &str) -> &'a Vec<String> {
    rows.iter()
        .find(|r| r[col] == value)
        .unwrap_or_else(|| panic!("no row with {value} in {rows:?}"))
}

/// The active task of a training, through the API as `username`.
async fn active_task(app: &TestApp, username: &str, training: i64) -> serde_json::Value {
    let token = app.api_login(username).await;
    app.task_of(&token, training).await
}

fn at(v: &serde_json::Value) -> DateTime<Utc> {
    support::ts(v)
}

#[tokio::test]
async fn the_dashboard_shows_each_steps_working_time_against_its_standard() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(
            app.training_at(&format!("Pelatihan {i}"), "persetujuan-rencana-kerja")
                .await,
        );
    }
    let kabid = app.api_login("kabid").await;
    let kadis = app.api_login("kadis").await;
    // Step 2 approved at 09:00 on Monday 14 December 2026, so step 3 (the head of unit's
    // instruction, 5 menit) starts then; it is finished 4, 10, 20 and 60 working minutes later.
    for (id, minutes) in ids.iter().zip([10, 60, 4, 20]) {
        app.set_time(wib(2026, 12, 14, 9, 0));
        let task = app.task_of(&kabid, *id).await;
        app.complete_ok(&kabid, task["id"].as_i64().unwrap(), Some("approve"), None)
            .await;
        let task = app.task_of(&kadis, *id).await;
        assert_eq!(task["step_number"], 3);
        assert_eq!(at(&task["started_at"]), wib(2026, 12, 14, 9, 0));
        app.set_time(wib(2026, 12, 14, 9, 0) + chrono::Duration::minutes(minutes));
        app.complete_ok(&kadis, task["id"].as_i64().unwrap(), None, None)
            .await;
    }
    let client = app.page_login("kadis").await;
    let rows = csv_rows(&client, &app, "/dasbor/langkah.csv").await;
    assert_eq!(rows[0][0], "Langkah");
    let step3 = row(&rows, 1, "instruksi-undangan");
    // standard, runs, median (mean of 10 and 20), p90 by nearest rank (⌈0.9·4⌉ = 4th), ratios.
    assert_eq!(step3[4], "5", "{step3:?}");
    assert_eq!(step3[5], "4");
    assert_eq!(step3[6], "15");
    assert_eq!(step3[7], "60");
    assert_eq!(step3[8], "3,00");
    assert_eq!(step3[9], "12,00");
    // Only the 4-minute one was within its 5 minutes.
    assert_eq!((step3[10].as_str(), step3[11].as_str()), ("1", "4"));
    assert_eq!(step3[12], "25,0");

    let (status, html) = app.page(&client, "/dasbor").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg"), "the heatmap is inline SVG");
    assert!(html.contains("3. "), "{html}");
    // The heatmap's and the table's labels carry the figures.
    assert!(html.contains(">15 menit<"), "median in the page");
    assert!(html.contains(">1 jam<"), "p90 in the page");
    assert!(html.contains("25% (1/4)"), "on-time rate in the heatmap");
    assert!(
        html.contains("href=\"/dasbor\""),
        "Dasbor in the navigation"
    );

    let roles = csv_rows(&client, &app, "/dasbor/peran.csv").await;
    let head = row(&roles, 1, "kepala-dinas");
    assert_eq!((head[2].as_str(), head[3].as_str()), ("4", "15"));

    // The figures are cached, but a step completed now shows at once: a fifth instruction,
    // given in 5 minutes (on time), moves the count, the median and the on-time rate.
    let fifth = app
        .training_at("Pelatihan 4", "persetujuan-rencana-kerja")
        .await;
    app.set_time(wib(2026, 12, 14, 9, 0));
    let task = app.task_of(&kabid, fifth).await;
    app.complete_ok(&kabid, task["id"].as_i64().unwrap(), Some("approve"), None)
        .await;
    let task = app.task_of(&kadis, fifth).await;
    app.set_time(wib(2026, 12, 14, 9, 5));
    app.complete_ok(&kadis, task["id"].as_i64().unwrap(), None, None)
        .await;
    let client = app.page_login("kadis").await;
    let rows = csv_rows(&client, &app, "/dasbor/langkah.csv").await;
    let step3 = row(&rows, 1, "instruksi-undangan");
    assert_eq!((step3[5].as_str(), step3[6].as_str()), ("5", "10"));
    assert_eq!((step3[10].as_str(), step3[11].as_str()), ("2", "5"));

    // Each run's working minutes are stored at completion; runs written without them (an
    // older database) are counted again at start, to the same values.
    let stored = working_minutes(&app).await;
    assert!(stored.iter().any(|(_, m)| *m == Some(60)), "{stored:?}");
    sqlx::query("UPDATE step_runs SET working_minutes = NULL")
        .execute(app.store.pool())
        .await
        .unwrap();
    let filled = app.store.backfill_working_minutes().await.unwrap();
    assert_eq!(
        filled as usize,
        stored.iter().filter(|(_, m)| m.is_some()).count()
    );
    assert_eq!(working_minutes(&app).await, stored);
}

async fn working_minutes(app: &TestApp) -> Vec<(i64, Option<i64>)> {
    use sqlx::Row;
    sqlx::query("SELECT id, working_minutes FROM step_runs WHERE status = 'done' ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[tokio::test]
async fn a_late_step_is_listed_as_overdue_with_the_people_holding_its_role() {
    let app = TestApp::spawn().await;
    let id = app
        .training_at("Pelatihan Barista", "persetujuan-rencana-kerja")
        .await;
    let task = active_task(&app, "kabid", id).await;
    let due = at(&task["due_at"]);
    // The next working day at 10:00: late by the working time since the due time.
    app.set_time(wib(2026, 12, 7, 10, 0));
    let late = app
        .store
        .calendar()
        .working_minutes_between(due, app.clock_now(), app.unit.zone)
        .unwrap();
    assert!(late > 0);
    let client = app.page_login("kadis").await;
    let (status, html) = app.page(&client, "/dasbor").await;
    assert_eq!(status, StatusCode::OK);
    let section =
        &html[html.find("id=\"terlambat\"").unwrap()..html.find("id=\"langkah\"").unwrap()];
    assert!(section.contains("Pelatihan Barista"), "{section}");
    assert!(section.contains(full_name("kabid")), "{section}");
    assert!(section.contains("Kepala Bidang"));
    let rows = csv_rows(&client, &app, "/dasbor/terlambat.csv").await;
    let r = row(&rows, 1, "Pelatihan Barista");
    assert_eq!(r[2], "2");
    assert_eq!(r[6], full_name("kabid"));
    assert_eq!(r[8], late.to_string());
    // 30 menit standard: late by more than that, the head of unit (the atasan) is named.
    assert_eq!(r[10], "Kepala Dinas");
}

#[tokio::test]
async fn only_the_head_of_unit_the_kepala_bidang_and_administrators_see_the_dashboard() {
    let app = TestApp::spawn().await;
    let jfu = app.page_login("jfu").await;
    let (status, html) = app.page(&jfu, "/dasbor").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("Dasbor hanya untuk"), "{html}");
    let (status, _) = app.page(&jfu, "/dasbor/langkah.csv").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, tasks) = app.page(&jfu, "/tugas").await;
    assert!(
        !tasks.contains("href=\"/dasbor\""),
        "no Dasbor link for a JFU"
    );
    for user in ["kadis", "kabid", "admin"] {
        let client = app.page_login(user).await;
        let (status, _) = app.page(&client, "/dasbor").await;
        assert_eq!(status, StatusCode::OK, "{user}");
    }
    let anonymous = app.browser();
    let (status, _) = app.page(&anonymous, "/dasbor").await;
    assert_ne!(status, StatusCode::OK);
}

#[tokio::test]
async fn every_csv_export_parses_with_its_header() {
    let app = TestApp::spawn().await;
    app.training_at("Pelatihan Menjahit", "terima-jawaban")
        .await;
    app.set_time(wib(2027, 2, 1, 10, 0));
    let client = app.page_login("kabid").await;
    let expected = [
        ("status", "Status"),
        ("terlambat", "ID pelatihan"),
        ("langkah", "Langkah"),
        ("peran", "Peran"),
        ("wilayah", "Kode wilayah"),
    ];
    for (section, first) in expected {
        let rows = csv_rows(&client, &app, &format!("/dasbor/{section}.csv?tahun=2027")).await;
        assert_eq!(rows[0][0], first, "{section}");
    }
    let status = csv_rows(&client, &app, "/dasbor/status.csv").await;
    assert_eq!(status.len(), 2, "{status:?}");
    assert_eq!(status[1][0], "berjalan");
    assert_eq!(status[1][3], "1");
    // The sample invites Kabupaten/Kota at step 7: they are in the regional figures.
    let regions = csv_rows(&client, &app, "/dasbor/wilayah.csv").await;
    assert!(regions.len() > 1, "{regions:?}");
    assert!(regions[1..]
        .iter()
        .all(|r| r[2].parse::<i64>().unwrap() >= 1));
}

#[tokio::test]
async fn the_sweep_notifies_the_holder_once_and_escalates_after_a_further_standard_time() {
    let app = TestApp::spawn().await;
    for (user, email) in [
        ("jfu", "jfu@blk.example.go.id"),
        ("kabid", "kabid@blk.example.go.id"),
    ] {
        let u = app.store.user_by_username(user).await.unwrap();
        app.store.set_user_email(u.id, email).await.unwrap();
    }
    let state = laksana_web::AppState {
        store: app.store.clone(),
        clock: app.clock.clone(),
        demo: false,
        secure_cookies: false,
        public_base_url: app.address.clone(),
        mail_wake: None,
        security: Default::default(),
    };
    // Step 4 (the JFU's draft, 2 jam; the JFU's atasan is the Kepala Bidang).
    let id = app.training_at("Pelatihan Las", "konsep-undangan").await;
    let task = active_task(&app, "jfu", id).await;
    let run = task["id"].as_i64().unwrap();
    let due = at(&task["due_at"]);
    assert_eq!(laksana_web::overdue::sweep(&state).await, 0, "not late yet");

    app.set_time(due + chrono::Duration::minutes(1));
    assert_eq!(laksana_web::overdue::sweep(&state).await, 1);
    assert_eq!(laksana_web::overdue::sweep(&state).await, 0, "sent once");
    let mails = app.store.outbox_of_unit(app.unit.id, 50).await.unwrap();
    let late: Vec<_> = mails
        .iter()
        .filter(|m| m.dedup_key.as_deref() == Some(&format!("terlambat-{run}")))
        .collect();
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].to_address, "jfu@blk.example.go.id");
    assert!(late[0].subject.starts_with("Terlambat"));
    assert!(!mails
        .iter()
        .any(|m| m.dedup_key.as_deref() == Some(&format!("eskalasi-{run}"))));
    let jfu = app.page_login("jfu").await;
    let (_, html) = app.page(&jfu, "/tugas").await;
    assert!(html.contains("Pemberitahuan keterlambatan"), "{html}");

    // Late by more than another 2 jam of working time: the Kepala Bidang is told, once.
    app.set_time(due + chrono::Duration::days(3));
    let late_now = app
        .store
        .calendar()
        .working_minutes_between(due, app.clock_now(), app.unit.zone)
        .unwrap();
    assert!(late_now >= 120, "{late_now}");
    assert_eq!(laksana_web::overdue::sweep(&state).await, 1);
    assert_eq!(laksana_web::overdue::sweep(&state).await, 0);
    let mails = app.store.outbox_of_unit(app.unit.id, 50).await.unwrap();
    let up: Vec<_> = mails
        .iter()
        .filter(|m| m.dedup_key.as_deref() == Some(&format!("eskalasi-{run}")))
        .collect();
    assert_eq!(up.len(), 1);
    assert_eq!(up[0].to_address, "kabid@blk.example.go.id");
    assert!(up[0].body_text.contains("Pelatihan Las"));
    let kabid = app.page_login("kabid").await;
    let (_, html) = app.page(&kabid, "/tugas").await;
    assert!(html.contains("Eskalasi: Pelatihan Las"), "{html}");

    // Switched off by the unit: nothing more is queued for a new late step.
    app.store
        .set_overdue_notices(app.unit.id, false, false, None)
        .await
        .unwrap();
    let other = app
        .training_at("Pelatihan Otomotif", "konsep-undangan")
        .await;
    let task = active_task(&app, "jfu", other).await;
    app.set_time(at(&task["due_at"]) + chrono::Duration::days(3));
    assert_eq!(laksana_web::overdue::sweep(&state).await, 0);
}

#[tokio::test]
async fn the_year_and_kejuruan_filters_choose_the_trainings() {
    let app = TestApp::spawn().await;
    // Opened in November 2026: starts in December 2026. The second starts in January 2027.
    app.set_time(wib(2026, 11, 2, 9, 0));
    app.training_at("Pelatihan 2026", "persetujuan-rencana-kerja")
        .await;
    app.set_time(wib(2026, 12, 3, 9, 0));
    app.training_at("Pelatihan 2027", "persetujuan-rencana-kerja")
        .await;
    let client = app.page_login("kadis").await;
    let count = |rows: Vec<Vec<String>>| -> i64 {
        rows[1..].iter().map(|r| r[3].parse::<i64>().unwrap()).sum()
    };
    assert_eq!(
        count(csv_rows(&client, &app, "/dasbor/status.csv").await),
        2
    );
    assert_eq!(
        count(csv_rows(&client, &app, "/dasbor/status.csv?tahun=2026").await),
        1
    );
    assert_eq!(
        count(csv_rows(&client, &app, "/dasbor/status.csv?tahun=2025").await),
        0
    );
    assert_eq!(
        count(
            csv_rows(
                &client,
                &app,
                "/dasbor/status.csv?tahun=2027&kejuruan=Tata+Boga"
            )
            .await
        ),
        1
    );
    assert_eq!(
        count(csv_rows(&client, &app, "/dasbor/status.csv?kejuruan=Teknik+Las").await),
        0
    );
    // Both late now; the overdue list follows the filter too.
    app.set_time(wib(2026, 12, 21, 10, 0));
    // A new session: the one from December 3 has expired by now.
    let client = app.page_login("kadis").await;
    let (_, html) = app.page(&client, "/dasbor?tahun=2026").await;
    assert!(html.contains("Pelatihan 2026"));
    assert!(!html.contains("Pelatihan 2027"));
    assert!(html.contains("<option value=\"2026\" selected"), "{html}");
    let (status, _) = app.page(&client, "/dasbor?tahun=duaribu").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
