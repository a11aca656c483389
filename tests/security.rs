//! Security (issue 7, item 7): the login limit per account and per address, session expiry and
//! "keluar dari semua perangkat", the password rules, the headers on every answer, and forms
//! refused without the session's token.

mod support;

use chrono::Duration;
use laksana_web::SecuritySettings;
use reqwest::header::{
    CONTENT_SECURITY_POLICY, SET_COOKIE, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
};
use reqwest::StatusCode;
use support::{hidden_csrf, TestApp, PASSWORD};

/// A page that needs a session: 200 while logged in, 303 to /masuk once the session is gone.
async fn logged_in(app: &TestApp, client: &reqwest::Client) -> bool {
    let res = client.get(app.url("/tugas")).send().await.unwrap();
    match res.status() {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert_eq!(res.headers()["location"], "/masuk");
            false
        }
        s => panic!("unexpected {s}"),
    }
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes_and_say_when_to_try_again() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for _ in 0..5 {
        let res = app.submit_login(&browser, "kabid", "bukan-sandinya").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Now even the right password is refused, before it is checked, with a time to wait.
    let res = app.submit_login(&browser, "kabid", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["retry-after"], "900");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Terlalu banyak percobaan masuk yang gagal") && html.contains("15 menit"),
        "{html}"
    );
    // The API is held to the same count.
    let res = app.post_session("kabid", PASSWORD).await;
    assert_eq!(res.headers()["retry-after"], "900");
    support::expect_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // Another account from the same address is not locked by it.
    app.page_login("staf").await;

    // Ten minutes on, five remain; past fifteen the account opens again.
    app.set_time(support::start_time() + Duration::minutes(10));
    let res = app.submit_login(&browser, "kabid", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().await.unwrap().contains("5 menit"));
    app.set_time(support::start_time() + Duration::minutes(15));
    app.page_login("kabid").await;
}

#[tokio::test]
async fn a_successful_login_starts_the_account_count_afresh() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for _ in 0..4 {
        app.submit_login(&browser, "jfu", "salah-lagi").await;
    }
    app.page_login("jfu").await;
    for _ in 0..4 {
        let res = app.submit_login(&browser, "jfu", "salah-lagi").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    app.page_login("jfu").await;
}

#[tokio::test]
async fn failures_from_one_address_are_counted_across_accounts_and_forwarded_headers_need_a_trusted_proxy(
) {
    let mut settings = SecuritySettings::default();
    settings.login.per_address = 3;
    let app = TestApp::spawn_with(settings).await;
    let browser = app.browser();
    for (i, user) in ["jfu", "kabid", "tidak-ada"].iter().enumerate() {
        // Claiming to be someone else per request changes nothing: no proxy is trusted.
        let res = browser
            .post(app.url("/api/v1/session"))
            .header("x-forwarded-for", format!("10.0.0.{i}"))
            .json(&serde_json::json!({"username": user, "password": "salah-sandinya"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = app.post_session("staf", PASSWORD).await;
    support::expect_problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;

    // Behind a trusted proxy, the address it names is the one counted.
    let mut settings = SecuritySettings::default();
    settings.login.per_address = 3;
    settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let app = TestApp::spawn_with(settings).await;
    let from = |ip: &'static str, user: &'static str, password: &'static str| {
        app.api
            .post(app.url("/api/v1/session"))
            .header("x-forwarded-for", ip)
            .json(&serde_json::json!({"username": user, "password": password}))
            .send()
    };
    for user in ["jfu", "kabid", "kadis"] {
        from("198.51.100.1", user, "salah-sandinya").await.unwrap();
    }
    let blocked = from("198.51.100.1", "staf", PASSWORD).await.unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let other = from("198.51.100.2", "staf", PASSWORD).await.unwrap();
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_session_ends_after_an_idle_hour_and_twelve_hours_after_login() {
    let app = TestApp::spawn_with(SecuritySettings::default()).await;
    let start = support::start_time();
    let idle = app.page_login("jfu").await;
    app.set_time(start + Duration::minutes(59));
    assert!(logged_in(&app, &idle).await, "59 minutes idle is fine");
    app.set_time(start + Duration::minutes(59 + 61));
    assert!(!logged_in(&app, &idle).await, "61 minutes idle ends it");

    // In use every 50 minutes, it still ends twelve hours after login.
    let busy = app.page_login("jfu").await;
    let login = start + Duration::minutes(120);
    let mut t = login;
    while t + Duration::minutes(50) < login + Duration::hours(12) {
        t += Duration::minutes(50);
        app.set_time(t);
        assert!(logged_in(&app, &busy).await, "in use at {t}");
    }
    app.set_time(login + Duration::hours(12));
    assert!(!logged_in(&app, &busy).await, "twelve hours after login");
}

#[tokio::test]
async fn logout_everywhere_ends_every_session_and_token_of_the_account() {
    let app = TestApp::spawn().await;
    let laptop = app.page_login("kabid").await;
    let phone = app.page_login("kabid").await;
    let token = app.api_login("kabid").await;
    let other = app.page_login("jfu").await;

    let (_, html) = app.page(&laptop, "/akun/sandi").await;
    assert!(html.contains("Keluar dari semua perangkat"));
    let res = laptop
        .post(app.url("/keluar/semua"))
        .form(&[("csrf", hidden_csrf(&html).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!logged_in(&app, &laptop).await);
    assert!(!logged_in(&app, &phone).await);
    let res = app.get_api(&token, "/api/v1/tasks").await;
    support::expect_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert!(
        logged_in(&app, &other).await,
        "another account is untouched"
    );
}

#[tokio::test]
async fn a_new_password_ends_the_other_sessions_and_deactivation_ends_all() {
    let app = TestApp::spawn().await;
    let here = app.page_login("staf").await;
    let elsewhere = app.page_login("staf").await;
    let (_, html) = app.page(&here, "/akun/sandi").await;
    let res = here
        .post(app.url("/akun/sandi"))
        .form(&[
            ("csrf", hidden_csrf(&html).as_str()),
            ("current", PASSWORD),
            ("new", "kopi tubruk pagi hari"),
            ("repeat", "kopi tubruk pagi hari"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        logged_in(&app, &here).await,
        "the device that changed it carries on"
    );
    assert!(
        !logged_in(&app, &elsewhere).await,
        "the other device is logged out"
    );

    let jfu = app.page_login("jfu").await;
    let id = app.store.user_by_username("jfu").await.unwrap().id;
    app.store
        .update_user(
            id,
            laksana_store::AccountEdit {
                full_name: "Siti Rahmawati",
                nip: "",
                jabatan: "",
                is_admin: false,
                active: false,
            },
            None,
        )
        .await
        .unwrap();
    assert!(
        !logged_in(&app, &jfu).await,
        "a deactivated account has no session"
    );
}

/// Posts the own-password form with `new` and returns the page's error sentence.
async fn refused_password(app: &TestApp, client: &reqwest::Client, new: &str) -> String {
    let (_, html) = app.page(client, "/akun/sandi").await;
    let res = client
        .post(app.url("/akun/sandi"))
        .form(&[
            ("csrf", hidden_csrf(&html).as_str()),
            ("current", PASSWORD),
            ("new", new),
            ("repeat", new),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{new}");
    let html = res.text().await.unwrap();
    let start = html.find("class=\"error\"").expect("an error sentence");
    html[start..start + html[start..].find("</p>").unwrap()].to_string()
}

#[tokio::test]
async fn passwords_are_held_to_the_length_the_common_list_and_the_own_names() {
    let app = TestApp::spawn().await;
    let kabid = app.page_login("kabid").await;
    let e = refused_password(&app, &kabid, "Kopi-123").await;
    assert!(e.contains("minimal 10 karakter"), "{e}");
    let e = refused_password(&app, &kabid, "qwertyuiop").await;
    assert!(e.contains("paling sering dipakai"), "{e}");
    let e = refused_password(&app, &kabid, "Password2026!").await;
    assert!(e.contains("paling sering dipakai"), "{e}");
    let e = refused_password(&app, &kabid, "kabid-jateng-2026").await;
    assert!(e.contains("nama pengguna"), "{e}");
    let e = refused_password(&app, &kabid, "laksana-jateng-2026").await;
    assert!(e.contains("laksana"), "{e}");
    let e = refused_password(&app, &kabid, "DinasTenagaKerja77").await;
    assert!(e.contains("Dinas Tenaga Kerja"), "{e}");
    // Nothing changed: the old password still works.
    app.page_login("kabid").await;

    // The administrator's forms are held to the same rules.
    let admin = app.page_login("admin").await;
    let (_, html) = app.page(&admin, "/admin/pengguna").await;
    let res = admin
        .post(app.url("/admin/pengguna"))
        .form(&[
            ("csrf", hidden_csrf(&html).as_str()),
            ("username", "baru"),
            ("full_name", "Pegawai Baru"),
            ("password", "1234567890"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("paling sering dipakai"));
    assert!(app.store.user_by_username("baru").await.is_err());
}

fn assert_guarded(res: &reqwest::Response, what: &str) {
    let h = res.headers();
    let csp = h
        .get(CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{what}: {csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert_eq!(h[X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
    let cache = h["cache-control"].to_str().unwrap();
    if what == "static file" {
        assert!(cache.starts_with("public"), "{what}: {cache}");
    } else {
        assert!(
            cache.contains("no-store") || cache.contains("private"),
            "{what} may be stored by a proxy or a shared PC: {cache}"
        );
    }
    let ct = h
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    if h.contains_key("content-disposition") {
        assert!(
            !ct.starts_with("text/html"),
            "{what}: a file served as HTML"
        );
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_hsts_only_over_tls() {
    let app = TestApp::spawn().await;
    let jfu = app.page_login("jfu").await;
    let token = app.api_login("jfu").await;
    let t = app.create_training(&token, "Pelatihan Las").await;
    let id = t["id"].as_i64().unwrap();
    let anon = app.browser();
    let cases = [
        (anon.get(app.url("/masuk")), "login page"),
        (anon.get(app.url("/static/app.css")), "static file"),
        (anon.get(app.url("/tidak-ada")), "404 page"),
        (anon.get(app.url("/api/v1/trainings")), "API 401"),
        (anon.get(app.url("/api/openapi.json")), "OpenAPI"),
        (jfu.get(app.url("/tugas")), "page"),
        (
            jfu.get(app.url(&format!("/pelatihan/{id}/riwayat"))),
            "audit page",
        ),
        (jfu.get(app.url("/sop/versi/1/toml")), "download"),
        (jfu.get(app.url("/sop/versi/1/pdf")), "PDF"),
        (jfu.get(app.url("/pelatihan/999999")), "404 of a training"),
    ];
    for (req, what) in cases {
        let res = req.send().await.unwrap();
        assert_guarded(&res, what);
        assert!(
            !res.headers().contains_key(STRICT_TRANSPORT_SECURITY),
            "{what}: HSTS over http"
        );
    }

    // Behind a trusted TLS proxy: HSTS, and the cookies are Secure.
    let settings = SecuritySettings {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Default::default()
    };
    let app = TestApp::spawn_with(settings).await;
    let res = app
        .api
        .get(app.url("/masuk"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(res.headers()[STRICT_TRANSPORT_SECURITY]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"),
        "{cookie}"
    );
    // Plain http from the same proxy: none of it.
    let res = app.api.get(app.url("/masuk")).send().await.unwrap();
    assert!(!res.headers().contains_key(STRICT_TRANSPORT_SECURITY));
    assert!(!res.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Secure"));
}

#[tokio::test]
async fn a_cross_site_form_without_the_session_token_is_refused() {
    let app = TestApp::spawn().await;
    let jfu = app.page_login("jfu").await;
    let before = app.store.list_trainings(app.unit.id).await.unwrap().len();
    // What another site's auto-submitting form would send: the cookie, but not the token.
    for (path, fields) in [
        (
            "/pelatihan",
            vec![
                ("title", "Pelatihan Palsu"),
                ("kejuruan", "Las"),
                ("start_date", "2027-01-11"),
                ("location", "X"),
            ],
        ),
        ("/keluar/semua", vec![]),
        (
            "/akun/sandi",
            vec![("current", PASSWORD), ("new", "x"), ("repeat", "x")],
        ),
    ] {
        let res = jfu
            .post(app.url(path))
            .header("origin", "https://situs-lain.example")
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        app.store.list_trainings(app.unit.id).await.unwrap().len(),
        before
    );
    assert!(logged_in(&app, &jfu).await, "the session survived");
}

#[tokio::test]
async fn bodies_are_size_limited_and_an_upload_is_judged_by_its_content() {
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;
    // An ordinary form route: the default limit (2 MB) applies.
    let big = "x".repeat(3 * 1024 * 1024);
    let res = admin
        .post(app.url("/pelatihan"))
        .form(&[("csrf", csrf.as_str()), ("title", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_guarded(&res, "413");

    const BOUNDARY: &str = "laksana-uji-batas-5e1c";
    let logo = |bytes: Vec<u8>, name: &'static str| {
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        body
    };
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let before = app.store.unit_profile(app.unit.id).await.unwrap().version;
    // A page dressed up as a PNG is refused by its content, whatever its name says.
    let res = admin
        .post(app.url("/admin/profil/logo"))
        .header("content-type", &content_type)
        .body(logo(
            b"<html><script>alert(1)</script></html>".to_vec(),
            "logo.png",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Over the logo's limit: refused before it is read whole.
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    png.resize(3 * 1024 * 1024, 0);
    let res = admin
        .post(app.url("/admin/profil/logo"))
        .header("content-type", &content_type)
        .body(logo(png, "logo.png"))
        .send()
        .await
        .unwrap();
    assert!(
        res.status() == StatusCode::PAYLOAD_TOO_LARGE
            || res.status() == StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.status()
    );
    assert_eq!(
        app.store.unit_profile(app.unit.id).await.unwrap().version,
        before
    );
}
