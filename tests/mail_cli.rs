//! `laksana mail kirim`: one pass over the outbox through a real SMTP exchange on loopback.

use std::process::{Command, Output};

use chrono::Utc;
use laksana_calendar::WorkingCalendar;
use laksana_mail::testing::SmtpReceiver;
use laksana_store::testing::TestDatabase;
use laksana_store::{NewMail, Store};

fn laksana(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_laksana"))
        .args(args)
        .env("RUST_LOG", "error")
        .env_remove("LAKSANA_SMTP_URL")
        .env_remove("LAKSANA_MAIL_FROM")
        .output()
        .expect("run laksana")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

// Multi-threaded: the receiver answers on one thread while the test waits for the process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_kirim_sends_the_queued_mail_and_says_how_many() {
    let test_db = TestDatabase::create("laksana.db").await;
    let db = test_db.url().to_string();
    let store = Store::connect(&db, WorkingCalendar::builtin())
        .await
        .unwrap();
    let unit = store.default_unit(Utc::now()).await.unwrap();
    store
        .enqueue_mail(
            &NewMail {
                unit_id: unit.id,
                kind: "pengingat",
                to_address: "siti@contoh.id",
                to_name: "Siti",
                subject: "Pengingat: balasan undangan pelatihan",
                body_text: "Mohon segera membalas undangan.",
                body_html: None,
                dedup_key: None,
                training_id: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    store.close().await;
    let (rx, port) = SmtpReceiver::start().await;
    let smtp = format!("smtp://127.0.0.1:{port}");

    let out = tokio::task::spawn_blocking({
        let (db, smtp) = (db.clone(), smtp.clone());
        move || {
            laksana(&[
                "mail",
                "kirim",
                "--db",
                &db,
                "--smtp-url",
                &smtp,
                "--mail-from",
                "BLK Contoh <noreply@blk-contoh.go.id>",
            ])
        }
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("1 surel terkirim; 0 masih dalam antrean"),
        "{}",
        text(&out)
    );
    let got = rx.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_to, ["siti@contoh.id"]);
    assert_eq!(got[0].mail_from, "noreply@blk-contoh.go.id");
    assert_eq!(
        got[0].subject().as_deref(),
        Some("Pengingat: balasan undangan pelatihan")
    );

    // A bad setting stops before anything is tried, naming the bad part.
    let out = laksana(&[
        "mail",
        "kirim",
        "--db",
        &db,
        "--smtp-url",
        "smtp://localhost:dua",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("Port server SMTP \"dua\" tidak sah"),
        "{}",
        text(&out)
    );
    let out = laksana(&["mail", "kirim", "--db", &db]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("server SMTP belum diatur"),
        "{}",
        text(&out)
    );
}
