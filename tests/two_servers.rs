//! Two `laksana serve` processes on one PostgreSQL database behave as one (issue 7, item 3):
//! a session made on one is valid on the other, each late-step notice of the sweep that both
//! run reaches the SMTP server exactly once, and numbers reserved through both at once are
//! distinct and consecutive. Runs only when `LAKSANA_TEST_POSTGRES_URL` names a server; SQLite
//! has one writer per file and is not shared by several servers.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{Datelike, Utc};
use laksana_mail::testing::SmtpReceiver;
use laksana_store::testing::postgres_server_url;
use laksana_store::ChainCheck;
use reqwest::StatusCode;
use serde_json::Value;
use support::{hidden_csrf, TestApp, PASSWORD};

/// The fault tests' child server; these tests use only its start and address.
#[allow(dead_code)]
#[path = "faults/server.rs"]
mod server;
use server::Server;

async fn start_server(db: &str, smtp_port: u16) -> Server {
    let smtp = format!("smtp://127.0.0.1:{smtp_port}");
    Server::start_with(
        db,
        &[
            "--smtp-url",
            &smtp,
            "--public-url",
            "{base}",
            // Both servers sweep every second, so they race for the same notices.
            "--sweep-seconds",
            "1",
        ],
    )
    .await
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Logs in on the login page of `base`; the client keeps the session cookie, which (cookies
/// ignore ports) it also sends to the other server on 127.0.0.1.
async fn page_login(base: &str, username: &str) -> reqwest::Client {
    let client = browser();
    let form = client.get(format!("{base}/masuk")).send().await.unwrap();
    let csrf = hidden_csrf(&form.text().await.unwrap());
    let res = client
        .post(format!("{base}/masuk"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "login on {base}");
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_database_behave_as_one() {
    if postgres_server_url().is_none() {
        eprintln!(
            "two_servers: skipped, LAKSANA_TEST_POSTGRES_URL is not set (two servers need PostgreSQL)"
        );
        return;
    }
    // The database, its accounts and a training with a long-overdue step, made in-process.
    let app = TestApp::spawn().await;
    assert_eq!(app.store.backend(), laksana_store::Backend::Postgres);
    for (user, email) in [
        ("jfu", "jfu@blk.example.go.id"),
        ("kabid", "kabid@blk.example.go.id"),
    ] {
        let u = app.store.user_by_username(user).await.unwrap();
        app.store.set_user_email(u.id, email).await.unwrap();
    }
    // Worked with the test clock (early December 2026), so by the servers' real clock the JFU's
    // step 4 (2 jam) is late.
    let training = app.training_at("Pelatihan Las", "konsep-undangan").await;
    let runs = app
        .store
        .training_detail(app.unit.id, training)
        .await
        .unwrap();
    let late_run = runs.active_run().expect("step 4 is active").id;
    assert!(
        runs.active_run().unwrap().due_at.unwrap() < Utc::now(),
        "the step must be late by the real clock"
    );

    // A second training waiting for replies, whose deadline (the plan's batas balasan: 10 days
    // before the start, which the sample puts 30 days after the clock) is within a working day
    // of the real time: both servers' reminder sweeps want to remind its three Kabupaten/Kota.
    let now = Utc::now();
    let zone = app.unit.zone;
    let today = now.with_timezone(&zone.offset()).date_naive();
    let batas = (0..20)
        .map(|d| today + chrono::Duration::days(d))
        .find(|day| {
            let deadline = app.store.close_of(*day, zone);
            deadline > now + chrono::Duration::minutes(2)
                && app
                    .store
                    .calendar()
                    .working_minutes_between(now, deadline, zone)
                    .is_ok_and(|m| m <= laksana_web::reminders::REMIND_WITHIN_MINUTES)
        })
        .expect("a working day's close within one working day of now");
    let created = batas - chrono::Duration::days(20);
    app.set_time(support::wib(
        created.year(),
        created.month(),
        created.day(),
        9,
        0,
    ));
    let waiting = app
        .training_at("Pelatihan Menjahit", laksana_store::REPLY_STEP_KEY)
        .await;
    let invited = app.store.recipients(app.unit.id, waiting).await.unwrap();
    assert_eq!(invited.len(), 3);
    assert!(invited
        .iter()
        .all(|r| !r.email.is_empty() && !r.has_replied()));

    let (rx, smtp_port) = SmtpReceiver::start().await;
    let a = start_server(app.database_url(), smtp_port).await;
    let b = start_server(app.database_url(), smtp_port).await;

    // (b) A session made on server A is valid on server B: pages and the API.
    let admin = page_login(&a.base, "admin").await;
    let res = admin
        .get(format!("{}/admin/register", b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "A's cookie on B");
    let csrf = hidden_csrf(&res.text().await.unwrap());
    let token: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/session", a.base))
        .json(&serde_json::json!({"username": "jfu", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().expect("a token from A");
    let tasks = reqwest::Client::new()
        .get(format!("{}/api/v1/tasks", b.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(tasks.status(), StatusCode::OK, "A's token on B");

    // (c) 20 numbers reserved at once, alternating servers, with the session made on A.
    // (The letters of the two trainings already took this year's first numbers.)
    let register = app.store.list_registers(app.unit.id).await.unwrap()[0].clone();
    let before = app
        .store
        .register_book(app.unit.id, register.id, today.year())
        .await
        .unwrap()
        .len() as i64;
    let posts = (0..20).map(|i| {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let url = format!("{base}/admin/register/{}/cadangkan", register.id);
        let (client, csrf, date) = (admin.clone(), csrf.clone(), today.to_string());
        async move {
            let res = client
                .post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("date", date.as_str()),
                    ("reason", &format!("Surat manual {i}")),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "reservation {i}");
            res.headers()["location"].to_str().unwrap().to_string()
        }
    });
    let locations = futures::future::join_all(posts).await;
    assert_eq!(locations.len(), 20);
    let book = app
        .store
        .register_book(app.unit.id, register.id, today.year())
        .await
        .unwrap();
    let mut seqs: Vec<i64> = book.iter().map(|e| e.seq).collect();
    seqs.sort();
    assert_eq!(
        seqs,
        (1..=before + 20).collect::<Vec<i64>>(),
        "distinct, consecutive, no gap"
    );
    let mut texts: Vec<&str> = book.iter().map(|e| e.number_text.as_str()).collect();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len() as i64, before + 20, "all numbers different");
    // Every reservation wrote its audit entry; the chain did not fork under the two servers.
    assert!(matches!(
        app.store.verify_audit_chain(app.unit.id).await.unwrap(),
        ChainCheck::Intact { .. }
    ));

    // (a) Both servers sweep every second for reminders and late steps, and both send the
    // outbox: after a few sweeps each reminder and notice has been queued once and sent once.
    let late_key = format!("terlambat-{late_run}");
    let reminder_keys: Vec<String> = invited
        .iter()
        .map(|r| format!("pengingat-balasan-{}-otomatis", r.id))
        .collect();
    let has = |mails: &[laksana_store::OutboxMail], key: &str| {
        mails.iter().any(|m| m.dedup_key.as_deref() == Some(key))
    };
    let mut queued = Vec::new();
    for _ in 0..150 {
        queued = app.store.outbox_of_unit(app.unit.id, 100).await.unwrap();
        if has(&queued, &late_key)
            && reminder_keys.iter().all(|k| has(&queued, k))
            && queued.iter().all(|m| m.sent_at.is_some())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(has(&queued, &late_key), "late notice queued: {queued:?}");
    for key in &reminder_keys {
        assert!(has(&queued, key), "reminder {key} queued: {queued:?}");
    }
    // Let both servers sweep and send a few more times: nothing more may be queued or sent.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let queued = app.store.outbox_of_unit(app.unit.id, 100).await.unwrap();
    assert!(queued.iter().all(|m| m.sent_at.is_some()), "{queued:?}");
    let mails = rx.received();
    let mut per_recipient: BTreeMap<String, usize> = BTreeMap::new();
    for m in &mails {
        let key = format!(
            "{} {}",
            m.rcpt_to.join(","),
            m.subject().unwrap_or_default()
        );
        *per_recipient.entry(key).or_default() += 1;
    }
    assert_eq!(
        mails.len(),
        queued.len(),
        "each queued mail arrives exactly once: {per_recipient:#?}"
    );
    let count_of = |to: &str, subject: &str| {
        mails
            .iter()
            .filter(|m| {
                m.rcpt_to == vec![to.to_string()]
                    && m.subject().is_some_and(|s| s.starts_with(subject))
            })
            .count()
    };
    assert_eq!(
        count_of("jfu@blk.example.go.id", "Terlambat"),
        1,
        "the late notice reaches the JFU once: {per_recipient:#?}"
    );
    for r in &invited {
        assert_eq!(
            count_of(&r.email, "Pengingat"),
            1,
            "{} is reminded once: {per_recipient:#?}",
            r.region_name
        );
    }
    // And each reminder is in the training's audit trail once.
    let audit = app.store.audit_of_training(waiting).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "reply.reminded")
            .count(),
        3
    );
    drop((a, b));
}
