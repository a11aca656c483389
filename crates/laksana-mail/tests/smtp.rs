//! Real SMTP: the worker sends the outbox to a receiver on loopback, and the test reads back
//! what arrived (recipients, decoded subject and body), including refusals and a dead server.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, TimeZone, Utc};
use laksana_calendar::WorkingCalendar;
use laksana_mail::testing::SmtpReceiver;
use laksana_mail::{message_id, send_once, MailWorker, Mailer, SmtpSettings};
use laksana_store::testing::TestDatabase;
use laksana_store::{MailState, NewMail, Store};

struct World {
    _db: TestDatabase,
    store: Store,
    unit: i64,
}

const FROM: &str = "BLK Contoh <noreply@blk-contoh.go.id>";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap()
}

async fn world() -> World {
    let db = TestDatabase::create("mail.db").await;
    let store = Store::connect(db.url(), WorkingCalendar::builtin())
        .await
        .unwrap();
    let unit = store.default_unit(t0()).await.unwrap().id;
    World {
        _db: db,
        store,
        unit,
    }
}

fn mailer(port: u16) -> Mailer {
    Mailer::new(&SmtpSettings::parse(&format!("smtp://127.0.0.1:{port}"), FROM).unwrap()).unwrap()
}

async fn queue(
    w: &World,
    to: &str,
    name: &str,
    subject: &str,
    body: &str,
    html: Option<&str>,
) -> i64 {
    w.store
        .enqueue_mail(
            &NewMail {
                unit_id: w.unit,
                kind: "pengingat",
                to_address: to,
                to_name: name,
                subject,
                body_text: body,
                body_html: html,
                dedup_key: None,
                training_id: None,
            },
            t0(),
        )
        .await
        .unwrap()
        .unwrap()
}

const BODY: &str = "Yth. Bapak/Ibu Siti Rahayu,\n\nMohon segera membalas undangan “Pelatihan Menjahit Angkatan II” — paling lambat Jumat, 11 Desember 2026.\n\nHormat kami,\nBLK Contoh";

#[tokio::test]
async fn three_mails_arrive_with_their_recipients_subjects_and_bodies() {
    let w = world().await;
    let (rx, port) = SmtpReceiver::start().await;
    let a = queue(
        &w,
        "siti@contoh.id",
        "Siti Rahayu",
        "Pengingat: balasan undangan pelatihan",
        BODY,
        None,
    )
    .await;
    let b = queue(
        &w,
        "budi@contoh.id",
        "Budi Santoso",
        "Undangan — Pelatihan Las Dasar Angkatan I",
        "Dengan hormat, kami mengundang Saudara.",
        Some("<p>Dengan hormat, kami <b>mengundang</b> Saudara.</p>"),
    )
    .await;
    let c = queue(
        &w,
        "panitia@contoh.id",
        "",
        "Daftar hadir",
        "Terlampir.",
        None,
    )
    .await;

    let sent = send_once(&w.store, &mailer(port), "uji-1", t0())
        .await
        .unwrap();
    assert_eq!(sent, 3);
    let got = rx.wait_for(3, StdDuration::from_secs(5)).await;
    assert_eq!(got.len(), 3);

    let find = |to: &str| got.iter().find(|r| r.rcpt_to == [to]).unwrap();
    let siti = find("siti@contoh.id");
    assert_eq!(siti.mail_from, "noreply@blk-contoh.go.id");
    assert_eq!(
        siti.subject().as_deref(),
        Some("Pengingat: balasan undangan pelatihan")
    );
    assert_eq!(siti.text_body().as_deref(), Some(BODY));
    assert!(siti.header("To").unwrap().contains("Siti Rahayu"));
    assert_eq!(
        siti.header("Message-ID").as_deref(),
        Some(message_id(a, "blk-contoh.go.id").as_str())
    );
    assert!(siti.header("From").unwrap().contains("BLK Contoh"));

    // The non-ASCII subject went out encoded (RFC 2047) and reads back the same.
    let budi = find("budi@contoh.id");
    assert!(!budi.data.contains("Undangan —"));
    assert_eq!(
        budi.subject().as_deref(),
        Some("Undangan — Pelatihan Las Dasar Angkatan I")
    );
    assert_eq!(
        budi.text_body().as_deref(),
        Some("Dengan hormat, kami mengundang Saudara.")
    );
    assert!(budi.html_body().unwrap().contains("<b>mengundang</b>"));
    assert_eq!(
        find("panitia@contoh.id").subject().as_deref(),
        Some("Daftar hadir")
    );

    for id in [a, b, c] {
        let m = w.store.outbox_mail(w.unit, id).await.unwrap();
        assert_eq!(m.state(), MailState::Dikirim, "{id}");
        assert_eq!(m.sent_at, Some(t0()));
        assert_eq!(m.attempts, 1);
        assert_eq!(m.claimed_by, None);
    }
    assert_eq!(w.store.outbox_depth().await.unwrap(), 0);
    // Nothing left: a second pass sends nothing and the receiver gets nothing more.
    assert_eq!(
        send_once(&w.store, &mailer(port), "uji-1", t0())
            .await
            .unwrap(),
        0
    );
    assert_eq!(rx.received().len(), 3);
}

#[tokio::test]
async fn a_temporary_refusal_is_retried_after_the_backoff_and_delivered_once() {
    let w = world().await;
    let (rx, port) = SmtpReceiver::start().await;
    rx.refuse_next(1);
    let id = queue(
        &w,
        "siti@contoh.id",
        "Siti",
        "Pengingat: balasan undangan pelatihan",
        BODY,
        None,
    )
    .await;
    let m = mailer(port);

    assert_eq!(send_once(&w.store, &m, "uji", t0()).await.unwrap(), 0);
    let row = w.store.outbox_mail(w.unit, id).await.unwrap();
    assert_eq!(row.state(), MailState::Gagal { percobaan: 1 });
    assert!(
        row.last_error.as_deref().unwrap().contains("451"),
        "{:?}",
        row.last_error
    );
    assert_eq!(row.next_attempt_at, t0() + Duration::minutes(1));

    // Not due yet half a minute later; due after the minute.
    assert_eq!(
        send_once(&w.store, &m, "uji", t0() + Duration::seconds(30))
            .await
            .unwrap(),
        0
    );
    assert!(rx.received().is_empty());
    let later = t0() + Duration::minutes(1);
    assert_eq!(send_once(&w.store, &m, "uji", later).await.unwrap(), 1);
    assert_eq!(
        send_once(&w.store, &m, "uji", later + Duration::minutes(5))
            .await
            .unwrap(),
        0
    );
    let got = rx.wait_for(1, StdDuration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].text_body().as_deref(), Some(BODY));
    let row = w.store.outbox_mail(w.unit, id).await.unwrap();
    assert_eq!(row.state(), MailState::Dikirim);
    assert_eq!((row.attempts, row.sent_at), (2, Some(later)));
}

#[tokio::test]
async fn an_unreachable_server_leaves_the_mail_queued_with_the_error() {
    let w = world().await;
    // A port that was free a moment ago and has no listener now.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let id = queue(&w, "siti@contoh.id", "Siti", "Pengingat", "Isi", None).await;
    assert_eq!(
        send_once(&w.store, &mailer(port), "uji", t0())
            .await
            .unwrap(),
        0
    );
    let row = w.store.outbox_mail(w.unit, id).await.unwrap();
    assert_eq!(row.state(), MailState::Gagal { percobaan: 1 });
    assert_eq!(row.sent_at, None);
    let error = row.last_error.unwrap();
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    assert_eq!(w.store.outbox_depth().await.unwrap(), 1);
}

#[tokio::test]
async fn the_running_worker_sends_when_woken_and_stops_on_shutdown() {
    let w = world().await;
    let (rx, port) = SmtpReceiver::start().await;
    let worker = MailWorker::new();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn({
        let (store, worker, mailer) = (w.store.clone(), worker.clone(), mailer(port));
        async move {
            worker
                .run(store, mailer, "uji-worker".into(), async {
                    let _ = stopped.await;
                })
                .await
        }
    });
    // Queued "now" (the worker uses the real clock), then nudged.
    w.store
        .enqueue_mail(
            &NewMail {
                unit_id: w.unit,
                kind: "undangan",
                to_address: "budi@contoh.id",
                to_name: "Budi",
                subject: "Undangan pelatihan",
                body_text: "Isi",
                body_html: None,
                dedup_key: Some("undangan:1:budi"),
                training_id: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    worker.wake();
    assert_eq!(rx.wait_for(1, StdDuration::from_secs(10)).await.len(), 1);
    stop.send(()).unwrap();
    tokio::time::timeout(StdDuration::from_secs(10), task)
        .await
        .expect("worker stops")
        .unwrap();
}
