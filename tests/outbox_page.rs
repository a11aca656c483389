//! Kotak Keluar: the administrator sees the unit's outgoing mail with its state, and queues a
//! given-up mail again; other users are refused.

mod support;

use chrono::Duration;
use laksana_store::{NewMail, MAX_MAIL_ATTEMPTS};
use reqwest::StatusCode;
use support::TestApp;

#[tokio::test]
async fn the_admin_sees_the_outbox_and_requeues_a_given_up_mail() {
    let app = TestApp::spawn().await;
    let now = app.clock_now();
    let mail = |to: &'static str, subject: &'static str| NewMail {
        unit_id: app.unit.id,
        kind: "undangan",
        to_address: to,
        to_name: "Peserta",
        subject,
        body_text: "Dengan hormat,",
        body_html: None,
        dedup_key: None,
        training_id: None,
    };
    let dead = app
        .store
        .enqueue_mail(
            &mail("mati@contoh.id", "Pengingat: balasan undangan pelatihan"),
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let mut at = now;
    for _ in 0..MAX_MAIL_ATTEMPTS {
        let claimed = app
            .store
            .claim_mail("uji", at, Duration::minutes(5), 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        let after = app
            .store
            .mail_failed(dead, "uji", "550 5.1.1 kotak surat tidak ada", at)
            .await
            .unwrap()
            .unwrap();
        at = after.next_attempt_at;
    }
    // Queued after the other gave up, so it was never tried.
    app.store
        .enqueue_mail(&mail("antre@contoh.id", "Undangan pelatihan menjahit"), at)
        .await
        .unwrap();

    let admin = app.page_login("admin").await;
    let (status, html) = app.page(&admin, "/admin/surel").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Kotak Keluar"));
    assert!(html.contains("href=\"/admin/surel\""), "tab link");
    assert!(html.contains("Pengingat: balasan undangan pelatihan"));
    assert!(html.contains("mati@contoh.id"));
    assert!(html.contains("550 5.1.1 kotak surat tidak ada"));
    let row = dead_row(&html, dead);
    assert!(row.contains("Menyerah"), "{row}");
    assert!(row.contains("Kirim ulang"), "{row}");

    let csrf = app.page_csrf(&admin).await;
    let res = admin
        .post(app.url(&format!("/admin/surel/{dead}/kirim-ulang")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/admin/surel?ok=1");
    let (_, html) = app.page(&admin, "/admin/surel?ok=1").await;
    assert!(html.contains("dimasukkan lagi ke antrean"));
    let row = dead_row(&html, dead);
    assert!(row.contains("Antre"), "{row}");
    assert!(!row.contains("Kirim ulang"), "{row}");
    // Re-queuing a mail that is not given up is refused.
    let res = admin
        .post(app.url(&format!("/admin/surel/{dead}/kirim-ulang")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);

    let jfu = app.page_login("jfu").await;
    let (status, _) = app.page(&jfu, "/admin/surel").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn dead_row(html: &str, id: i64) -> &str {
    let start = html
        .find(&format!("id=\"surel-{id}\""))
        .expect("row of the mail");
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}
