//! Two `laksana serve` processes on one PostgreSQL database behave as one (issue 7, item 3):
//! a session made on one is valid on the other, each late-step notice of the sweep that both
//! run reaches the SMTP server exactly once, and numbers reserved through both at once are
//! distinct and consecutive. Runs only when `LAKSANA_TEST_POSTGRES_URL` names a server; SQLite
//! has one writer per file and is not shared by several servers.

mod support;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use laksana_mail::testing::SmtpReceiver;
use laksana_store::testing::postgres_server_url;
use laksana_store::ChainCheck;
use reqwest::StatusCode;
use serde_json::Value;
use support::{hidden_csrf, TestApp, PASSWORD};

/// One `laksana serve` child process; killed when dropped, so a failed test leaves none behind.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_server(db: &str, smtp_port: u16) -> Server {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_laksana"))
        .args([
            "serve",
            "--db",
            db,
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--smtp-url",
            &format!("smtp://127.0.0.1:{smtp_port}"),
            "--public-url",
            &base,
            // Both servers sweep every second, so they race for the same notices.
            "--sweep-seconds",
            "1",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start laksana serve");
    let server = Server { child, base };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(res) = client.get(format!("{}/masuk", server.base)).send().await {
            if res.status() == StatusCode::OK {
                return server;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("laksana serve on {} did not answer", server.base);
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
    let register = app.store.list_registers(app.unit.id).await.unwrap()[0].clone();
    let today = Utc::now()
        .with_timezone(&app.unit.zone.offset())
        .date_naive();
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
        .register_book(app.unit.id, register.id, chrono::Datelike::year(&today))
        .await
        .unwrap();
    let mut seqs: Vec<i64> = book.iter().map(|e| e.seq).collect();
    seqs.sort();
    assert_eq!(
        seqs,
        (1..=20).collect::<Vec<i64>>(),
        "distinct, consecutive, no gap"
    );
    let mut texts: Vec<&str> = book.iter().map(|e| e.number_text.as_str()).collect();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 20, "20 different numbers");
    // Every reservation wrote its audit entry; the chain did not fork under the two servers.
    assert!(matches!(
        app.store.verify_audit_chain(app.unit.id).await.unwrap(),
        ChainCheck::Intact { .. }
    ));

    // (a) Both servers sweep every second for late steps and both send the outbox: after a few
    // sweeps each notice has been queued once and delivered once.
    let late_key = format!("terlambat-{late_run}");
    let mut queued = Vec::new();
    for _ in 0..100 {
        queued = app.store.outbox_of_unit(app.unit.id, 100).await.unwrap();
        if queued
            .iter()
            .any(|m| m.dedup_key.as_deref() == Some(&late_key))
            && queued.iter().all(|m| m.sent_at.is_some())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        queued
            .iter()
            .any(|m| m.dedup_key.as_deref() == Some(&late_key)),
        "the late notice was queued: {queued:?}"
    );
    // Let both servers sweep a few more times: nothing new may be queued or sent.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let queued = app.store.outbox_of_unit(app.unit.id, 100).await.unwrap();
    assert!(queued.iter().all(|m| m.sent_at.is_some()), "{queued:?}");
    let mails = rx.wait_for(queued.len(), Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails_after = rx.wait_for(queued.len(), Duration::from_millis(100)).await;
    assert_eq!(
        mails_after.len(),
        queued.len(),
        "each queued mail arrives exactly once: {:?}",
        mails.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    let mut per_recipient: BTreeMap<String, usize> = BTreeMap::new();
    for m in &mails_after {
        *per_recipient.entry(m.rcpt_to.join(",")).or_default() += 1;
    }
    let late_mails: Vec<_> = mails_after
        .iter()
        .filter(|m| m.subject().is_some_and(|s| s.starts_with("Terlambat")))
        .collect();
    assert_eq!(
        late_mails.len(),
        1,
        "the late notice reaches the JFU once: {per_recipient:?}"
    );
    assert_eq!(
        late_mails[0].rcpt_to,
        vec!["jfu@blk.example.go.id".to_string()]
    );
    drop((a, b));
}
