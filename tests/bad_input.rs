//! What the application answers to wrong input, wrong credentials and forged forms: a stable
//! code, an Indonesian sentence, the right status, and nothing changed.

mod support;

use reqwest::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{expect_problem, full_name, TestApp};

/// A new training waiting at step 1: (JFU token, training id, step 1 task id).
async fn training_at_step_one(app: &TestApp) -> (String, i64, i64) {
    let jfu = app.api_login("jfu").await;
    let id = app.create_training(&jfu, "Pelatihan Teknik Otomotif").await["id"]
        .as_i64()
        .unwrap();
    let task = app.task_of(&jfu, id).await["id"].as_i64().unwrap();
    (jfu, id, task)
}

/// A new training waiting at step 2: (Kepala Bidang token, training id, step 2 task id).
async fn training_at_step_two(app: &TestApp) -> (String, i64, i64) {
    let (jfu, id, step1) = training_at_step_one(app).await;
    app.complete_ok(&jfu, step1, None, None).await;
    let kabid = app.api_login("kabid").await;
    let task = app.task_of(&kabid, id).await["id"].as_i64().unwrap();
    (kabid, id, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_an_unknown_user_get_the_same_401_answer() {
    let app = TestApp::spawn().await;
    let wrong_password = app.post_session("kabid", "bukan-sandinya").await;
    let unknown_user = app.post_session("tidak-ada", "bukan-sandinya").await;
    let headers = |r: &reqwest::Response| {
        let mut h: Vec<(String, String)> = r
            .headers()
            .iter()
            // The date and the request id differ from answer to answer by design.
            .filter(|(k, _)| *k != "date" && *k != "x-request-id")
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        h.sort();
        h
    };
    let (h1, h2) = (headers(&wrong_password), headers(&unknown_user));
    let a = expect_problem(
        wrong_password,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let b = expect_problem(
        unknown_user,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_eq!(a, b, "the answer does not tell which accounts exist");
    assert_eq!(h1, h2);
    assert_eq!(a["detail"], "Nama pengguna atau kata sandi salah.");
    // The right password still works, in any letter case of the username.
    let ok = app.post_session("KaBid", support::PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_with_a_missing_or_malformed_field_is_a_422_problem() {
    let app = TestApp::spawn().await;
    let jfu = app.api_login("jfu").await;
    let before = app
        .get_api(&jfu, "/api/v1/trainings")
        .await
        .text()
        .await
        .unwrap();

    // No title at all.
    let res = app
        .post_training(
            &jfu,
            &json!({ "kejuruan": "Las", "start_date": "2027-01-11", "location": "BLK" }),
        )
        .await;
    let body = expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert!(body["detail"].as_str().unwrap().contains("title"), "{body}");
    assert_eq!(body["field"], "title", "the missing field is named: {body}");
    assert!(
        !body["detail"]
            .as_str()
            .unwrap()
            .contains("Failed to deserialize"),
        "Indonesian, not serde's English: {body}"
    );
    // A date that is no date.
    let res = app
        .post_training(
            &jfu,
            &json!({ "title": "A", "kejuruan": "Las", "start_date": "11/01/2027", "location": "BLK" }),
        )
        .await;
    expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    // A title that is only spaces: the field is named.
    let res = app
        .post_training(
            &jfu,
            &json!({ "title": "   ", "kejuruan": "Las", "start_date": "2027-01-11", "location": "BLK" }),
        )
        .await;
    let body = expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    assert_eq!(body["field"], "title");
    assert_eq!(body["detail"], "Judul pelatihan wajib diisi.");
    // Login without a password; not JSON at all; a decision the API does not know.
    let res = app
        .api
        .post(app.url("/api/v1/session"))
        .json(&json!({ "username": "jfu" }))
        .send()
        .await
        .unwrap();
    expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    let res = app
        .api
        .post(app.url("/api/v1/session"))
        .header(CONTENT_TYPE, "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;

    let after = app
        .get_api(&jfu, "/api/v1/trainings")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(before, after, "no training was created");

    let (_, id, task) = training_at_step_one(&app).await;
    let before = app.snapshot(&jfu, id).await;
    let res = app.complete(&jfu, task, Some("maybe"), None).await;
    let body = expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    assert_eq!(body["field"], "decision", "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("tidak dikenal"),
        "{body}"
    );
    assert_eq!(app.snapshot(&jfu, id).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_over_ten_thousand_characters_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (jfu, id, task) = training_at_step_one(&app).await;
    let before = app.snapshot(&jfu, id).await;

    // Characters, not bytes: "ā" is two bytes in UTF-8.
    let too_long = "ā".repeat(10_001);
    let res = app.complete(&jfu, task, None, Some(&too_long)).await;
    let body = expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "note_too_long").await;
    assert_eq!(body["field"], "note");
    assert!(body["detail"].as_str().unwrap().contains("10000"), "{body}");
    assert_eq!(app.snapshot(&jfu, id).await, before, "nothing changed");

    // Exactly at the limit is fine, and kept whole.
    let at_limit = "ā".repeat(10_000);
    app.complete_ok(&jfu, task, None, Some(&at_limit)).await;
    let detail = app.training(&jfu, id).await;
    assert_eq!(detail["steps"][0]["rounds"][0]["note"], at_limit.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_without_a_note_is_refused() {
    let app = TestApp::spawn().await;
    let (kabid, id, task) = training_at_step_two(&app).await;
    let before = app.snapshot(&kabid, id).await;
    for note in [None, Some(""), Some("   \n\t ")] {
        let res = app.complete(&kabid, task, Some("return"), note).await;
        let body = expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "note_required").await;
        assert_eq!(body["field"], "note");
        assert_eq!(
            body["detail"],
            "Tuliskan catatan alasan saat mengembalikan langkah 2."
        );
    }
    assert_eq!(app.snapshot(&kabid, id).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_a_step_that_is_not_a_decision_is_refused() {
    let app = TestApp::spawn().await;
    let (jfu, id, task) = training_at_step_one(&app).await;
    let before = app.snapshot(&jfu, id).await;
    for decision in ["approve", "return"] {
        let res = app
            .complete(&jfu, task, Some(decision), Some("catatan"))
            .await;
        expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "not_a_decision").await;
    }
    assert_eq!(app.snapshot(&jfu, id).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completing_a_decision_step_without_a_decision_is_refused() {
    let app = TestApp::spawn().await;
    let (kabid, id, task) = training_at_step_two(&app).await;
    let before = app.snapshot(&kabid, id).await;
    for decision in [None, Some("complete")] {
        let res = app.complete(&kabid, task, decision, None).await;
        let body = expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "decision_required").await;
        assert!(body["detail"]
            .as_str()
            .unwrap()
            .contains("setujui atau kembalikan"));
    }
    assert_eq!(app.snapshot(&kabid, id).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_completed_twice_answers_409_naming_who_finished_it() {
    let app = TestApp::spawn().await;
    let (jfu, id, task) = training_at_step_one(&app).await;
    app.complete_ok(&jfu, task, None, None).await;
    let before = app.snapshot(&jfu, id).await;
    let res = app.complete(&jfu, task, None, None).await;
    let body = expect_problem(res, StatusCode::CONFLICT, "already_done").await;
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains(full_name("jfu")), "{body}");
    // The time reads as everywhere else in the app, in the unit's zone.
    assert!(
        detail.contains(" WIB") && !detail.contains("UTC"),
        "{detail}"
    );
    assert_eq!(app.snapshot(&jfu, id).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_task_or_training_is_404() {
    let app = TestApp::spawn().await;
    let (jfu, id, _) = training_at_step_one(&app).await;
    let res = app.complete(&jfu, 987_654, None, None).await;
    expect_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    for path in ["/api/v1/trainings/987654", "/api/v1/trainings/987654/audit"] {
        expect_problem(
            app.get_api(&jfu, path).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    // An id that is not a number names nothing either, and is answered like the rest of the API.
    for path in [
        "/api/v1/trainings/abc".to_string(),
        format!("/api/v1/trainings/{id}x/audit"),
    ] {
        let res = app.get_api(&jfu, &path).await;
        expect_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    }
    let res = app
        .api
        .post(app.url("/api/v1/tasks/-/complete"))
        .bearer_auth(&jfu)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_a_valid_token_is_401() {
    let app = TestApp::spawn().await;
    let (jfu, id, task) = training_at_step_one(&app).await;
    let before = app.snapshot(&jfu, id).await;

    let res = app.api.get(app.url("/api/v1/tasks")).send().await.unwrap();
    assert_eq!(res.headers()[WWW_AUTHENTICATE], "Bearer");
    expect_problem(res, StatusCode::UNAUTHORIZED, "unauthorized").await;

    let res = app.get_api("0123456789abcdef", "/api/v1/tasks").await;
    assert_eq!(res.headers()[WWW_AUTHENTICATE], "Bearer");
    expect_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;

    // Someone else's token with one character changed; and a token sent as Basic.
    let mut forged = jfu.clone();
    let last = if forged.ends_with('0') { "1" } else { "0" };
    forged.replace_range(forged.len() - 1.., last);
    let res = app.complete(&forged, task, None, None).await;
    expect_problem(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let res = app
        .api
        .post(app.url(&format!("/api/v1/tasks/{task}/complete")))
        .header("authorization", format!("Basic {jfu}"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_problem(res, StatusCode::UNAUTHORIZED, "unauthorized").await;

    assert_eq!(app.snapshot(&jfu, id).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (jfu, id, task) = training_at_step_one(&app).await;
    let before = app.snapshot(&jfu, id).await;
    let browser = app.page_login("jfu").await;
    let other = app.page_login("kabid").await;
    let others_csrf = app.page_csrf(&other).await;

    for fields in [
        vec![("decision", "complete"), ("note", "")],
        vec![("csrf", ""), ("decision", "complete")],
        vec![("csrf", "0000"), ("decision", "complete")],
        // A token that is valid, but for another session.
        vec![("csrf", others_csrf.as_str()), ("decision", "complete")],
    ] {
        let res = app.page_step(&browser, id, task, &fields).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{fields:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Akses ditolak"), "{html}");
        assert!(
            html.contains("Formulir kedaluwarsa atau tidak sah."),
            "{html}"
        );
    }
    // Opening a training through the page form needs the token too.
    let res = browser
        .post(app.url("/pelatihan"))
        .form(&[
            ("title", "Pelatihan Palsu"),
            ("kejuruan", "Las"),
            ("start_date", "2027-01-11"),
            ("location", "BLK"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.snapshot(&jfu, id).await, before, "nothing changed");
    let listed: Value = app
        .get_api(&jfu, "/api/v1/trainings")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["trainings"].as_array().unwrap().len(), 1);

    // With its token, the same form works (so the refusals above were about the token).
    let csrf = app.page_csrf(&browser).await;
    let res = app
        .page_step(
            &browser,
            id,
            task,
            &[("csrf", &csrf), ("decision", "complete")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/pelatihan/{id}?ok=completed").as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_page_says_in_indonesian_that_the_password_is_wrong() {
    let app = TestApp::spawn().await;
    for username in ["jfu", "tidak-ada"] {
        let browser = app.browser();
        let res = app.submit_login(&browser, username, "salah-sandi").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Nama pengguna atau kata sandi salah."),
            "{html}"
        );
        assert!(html.contains("lang=\"id\""));
        assert!(
            html.contains(&format!("value=\"{username}\"")),
            "the username is kept"
        );
        assert!(
            !html.contains("salah-sandi"),
            "the password is never sent back"
        );
        // Still not logged in.
        let res = browser.get(app.url("/tugas")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/masuk");
    }
    // A login form posted without its CSRF cookie is refused, in Indonesian too.
    let res = app
        .browser()
        .post(app.url("/masuk"))
        .form(&[
            ("csrf", "x"),
            ("username", "jfu"),
            ("password", support::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Formulir kedaluwarsa. Silakan coba masuk lagi."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_error_is_shown_in_indonesian() {
    let app = TestApp::spawn().await;
    let browser = app.page_login("jfu").await;
    let (status, html) = app.page(&browser, "/pelatihan/987654").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("lang=\"id\""));
    assert!(html.contains("<h1>Tidak ditemukan</h1>"), "{html}");
    assert!(html.contains("pelatihan tidak ditemukan"), "{html}");
    assert!(html.contains("Ke Tugas Saya"));
    // A non-administrator on an administrator's page.
    let (status, html) = app.page(&browser, "/admin/pengguna").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("<h1>Akses ditolak</h1>"), "{html}");
    assert!(html.contains("Halaman ini hanya untuk administrator."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_training_in_the_past_or_with_several_empty_fields_is_refused_with_every_problem() {
    let app = TestApp::spawn().await;
    let jfu = app.api_login("jfu").await;
    let res = app
        .post_training(
            &jfu,
            &json!({ "title": "Las", "kejuruan": "Las", "start_date": "1990-02-01", "location": "BLK" }),
        )
        .await;
    let body = expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    assert_eq!(body["field"], "start_date");
    assert!(
        body["detail"].as_str().unwrap().contains("sudah lewat"),
        "{body}"
    );

    let page = app.page_login("jfu").await;
    let csrf = app.page_csrf(&page).await;
    let res = page
        .post(app.url("/pelatihan"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Hanya judul"),
            ("kejuruan", ""),
            ("start_date", ""),
            ("location", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    for needle in [
        "Kejuruan wajib diisi",
        "Tempat wajib diisi",
        "Tanggal mulai wajib diisi",
    ] {
        assert!(html.contains(needle), "{needle} missing: {html}");
    }
}
