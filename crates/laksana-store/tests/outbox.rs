//! The outbox on a real SQLite file: queued with the change that causes it, once per dedup key,
//! claimed by one worker at a time, retried with backoff and given up after eight attempts.

use std::collections::HashSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use laksana_calendar::WorkingCalendar;
use laksana_store::testing::TestDatabase;
use laksana_store::{enqueue_mail, MailState, NewMail, Store, StoreError, MAX_MAIL_ATTEMPTS};

struct World {
    /// Dropped with the World, which removes the database (PostgreSQL: WITH FORCE).
    _db: TestDatabase,
    store: Store,
    unit: i64,
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap()
}

async fn world() -> World {
    let db = TestDatabase::create("outbox.db").await;
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

fn mail<'a>(unit_id: i64, to: &'a str, dedup: Option<&'a str>) -> NewMail<'a> {
    NewMail {
        unit_id,
        kind: "undangan",
        to_address: to,
        to_name: "Peserta",
        subject: "Undangan pelatihan",
        body_text: "Dengan hormat,",
        body_html: None,
        dedup_key: dedup,
        training_id: None,
    }
}

#[tokio::test]
async fn a_mail_queued_in_a_rolled_back_transaction_is_not_queued() {
    let w = world().await;
    let mut tx = w.store.pool().begin().await.unwrap();
    let id = enqueue_mail(&mut tx, &mail(w.unit, "a@contoh.id", None), t0())
        .await
        .unwrap();
    assert!(id.is_some());
    tx.rollback().await.unwrap();
    assert_eq!(w.store.outbox_depth().await.unwrap(), 0);
    assert!(w.store.outbox_of_unit(w.unit, 10).await.unwrap().is_empty());

    // Committed, it is there.
    let mut tx = w.store.pool().begin().await.unwrap();
    enqueue_mail(&mut tx, &mail(w.unit, "a@contoh.id", None), t0())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let rows = w.store.outbox_of_unit(w.unit, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state(), MailState::Antre);
    assert_eq!(rows[0].next_attempt_at, t0());
}

#[tokio::test]
async fn the_same_dedup_key_is_queued_once_and_the_transaction_stays_usable() {
    let w = world().await;
    let key = Some("pengingat:pelatihan:1:peserta:7:h-1");
    let mut tx = w.store.pool().begin().await.unwrap();
    let first = enqueue_mail(&mut tx, &mail(w.unit, "a@contoh.id", key), t0())
        .await
        .unwrap();
    let second = enqueue_mail(&mut tx, &mail(w.unit, "a@contoh.id", key), t0())
        .await
        .unwrap();
    assert!(first.is_some());
    assert_eq!(second, None);
    // Still usable after the conflict: another insert in the same transaction, then commit.
    let other = enqueue_mail(&mut tx, &mail(w.unit, "b@contoh.id", None), t0())
        .await
        .unwrap();
    assert!(other.is_some());
    tx.commit().await.unwrap();
    // Across transactions too, and mails without a key are never deduplicated.
    assert_eq!(
        w.store
            .enqueue_mail(&mail(w.unit, "a@contoh.id", key), t0())
            .await
            .unwrap(),
        None
    );
    assert!(w
        .store
        .enqueue_mail(&mail(w.unit, "b@contoh.id", None), t0())
        .await
        .unwrap()
        .is_some());
    assert_eq!(w.store.outbox_depth().await.unwrap(), 3);
}

#[tokio::test]
async fn a_malformed_address_is_refused_naming_the_email_field() {
    let w = world().await;
    for bad in ["bukan-alamat", "a@b@c", "a@contoh.id\r\nBcc: x@y.id"] {
        match w.store.enqueue_mail(&mail(w.unit, bad, None), t0()).await {
            Err(StoreError::Invalid { field, message }) => {
                assert_eq!(field, "email");
                assert!(message.contains("tidak sah"), "{message}");
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    let mut m = mail(w.unit, "a@contoh.id", None);
    m.subject = "Perihal\r\nBcc: x@y.id";
    assert!(matches!(
        w.store.enqueue_mail(&m, t0()).await,
        Err(StoreError::Invalid {
            field: "subject",
            ..
        })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_claimers_never_get_the_same_mail() {
    let w = world().await;
    for i in 0..50 {
        let to = format!("peserta{i}@contoh.id");
        w.store
            .enqueue_mail(&mail(w.unit, &to, None), t0())
            .await
            .unwrap();
    }
    let claimer = |name: &'static str| {
        let store = w.store.clone();
        tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                // Small batches so the two really interleave.
                let batch = store
                    .claim_mail(name, t0(), Duration::minutes(5), 3)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break;
                }
                for m in batch {
                    assert_eq!(m.claimed_by.as_deref(), Some(name));
                    got.push(m.id);
                }
                tokio::task::yield_now().await;
            }
            got
        })
    };
    let (a, b) = (claimer("pekerja-a"), claimer("pekerja-b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let (sa, sb): (HashSet<i64>, HashSet<i64>) =
        (a.iter().copied().collect(), b.iter().copied().collect());
    assert_eq!(sa.len(), a.len(), "a claimed a row twice");
    assert_eq!(sb.len(), b.len(), "b claimed a row twice");
    assert!(
        sa.is_disjoint(&sb),
        "both claimed {:?}",
        sa.intersection(&sb)
    );
    let all: HashSet<i64> = sa.union(&sb).copied().collect();
    let ids: HashSet<i64> = w
        .store
        .outbox_of_unit(w.unit, 100)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(all, ids);
    // Held leases are not handed out again; expired ones are.
    assert!(w
        .store
        .claim_mail(
            "pekerja-c",
            t0() + Duration::minutes(4),
            Duration::minutes(5),
            100
        )
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        w.store
            .claim_mail(
                "pekerja-c",
                t0() + Duration::minutes(5),
                Duration::minutes(5),
                100
            )
            .await
            .unwrap()
            .len(),
        50
    );
}

#[tokio::test]
async fn failures_back_off_and_give_up_after_eight_attempts() {
    let w = world().await;
    let id = w
        .store
        .enqueue_mail(&mail(w.unit, "a@contoh.id", None), t0())
        .await
        .unwrap()
        .unwrap();
    let lease = Duration::minutes(5);
    let mut now = t0();
    let mut waits = Vec::new();
    for attempt in 1..=MAX_MAIL_ATTEMPTS {
        let claimed = w.store.claim_mail("pekerja", now, lease, 10).await.unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        let after = w
            .store
            .mail_failed(id, "pekerja", "451 coba lagi nanti", now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.attempts, attempt);
        assert_eq!(after.last_error.as_deref(), Some("451 coba lagi nanti"));
        assert_eq!(after.claimed_by, None);
        if attempt < MAX_MAIL_ATTEMPTS {
            assert_eq!(after.state(), MailState::Gagal { percobaan: attempt });
            let wait = after.next_attempt_at - now;
            waits.push(wait.num_minutes());
            // Not due a second before the backoff has passed.
            assert!(w
                .store
                .claim_mail("pekerja", now + wait - Duration::seconds(1), lease, 10)
                .await
                .unwrap()
                .is_empty());
            now += wait;
        } else {
            assert_eq!(after.state(), MailState::Menyerah);
            assert_eq!(after.failed_at, Some(now));
        }
    }
    assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60]);
    // Given up: never claimed again, not counted as backlog.
    assert!(w
        .store
        .claim_mail("pekerja", now + Duration::days(30), lease, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(w.store.outbox_depth().await.unwrap(), 0);

    // A worker that does not hold the lease cannot record an outcome over another's.
    // The admin re-queues it: claimable at once, with a fresh count.
    w.store.retry_mail(w.unit, id, now).await.unwrap();
    assert_eq!(w.store.outbox_depth().await.unwrap(), 1);
    let again = w.store.claim_mail("pekerja", now, lease, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 0);
    assert_eq!(
        w.store
            .mail_failed(id, "orang-lain", "x", now)
            .await
            .unwrap()
            .map(|m| m.id),
        None
    );
    assert!(w.store.mail_sent(id, "pekerja", now).await.unwrap());
    let sent = w.store.outbox_mail(w.unit, id).await.unwrap();
    assert_eq!(sent.state(), MailState::Dikirim);
    assert_eq!(sent.sent_at, Some(now));
    assert_eq!(w.store.outbox_depth().await.unwrap(), 0);
    // Only a given-up mail can be re-queued.
    assert!(matches!(
        w.store.retry_mail(w.unit, id, now).await,
        Err(StoreError::Refused { .. })
    ));
    assert!(matches!(
        w.store.retry_mail(w.unit, id + 100, now).await,
        Err(StoreError::NotFound(_))
    ));
}
