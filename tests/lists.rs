//! Lists a page at a time: the training list and the inbox on the pages, and the API's
//! `limit`/`offset`/`q`/`status`, with a province's number of trainings in mind.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{expect_problem, TestApp};

/// Trainings 1..=n, every seventh a welding course ("Teknik Las"), the others sewing.
async fn many_trainings(app: &TestApp, token: &str, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 1..=n {
        let kejuruan = if i % 7 == 0 {
            "Teknik Las"
        } else {
            "Garmen Apparel"
        };
        let res = app
            .post_training(
                token,
                &json!({
                    "title": format!("Pelatihan Angkatan {i}"),
                    "kejuruan": kejuruan,
                    "start_date": "2027-01-11",
                    "location": "Workshop UPT BLK",
                }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        ids.push(res.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    ids
}

fn rows(html: &str) -> usize {
    html.matches("<tr").count() - 1
}

#[tokio::test]
async fn the_training_list_shows_fifty_at_a_time_with_search_and_status() {
    let app = TestApp::spawn().await;
    let token = app.api_login("jfu").await;
    let ids = many_trainings(&app, &token, 63).await;
    let client = app.page_login("jfu").await;

    let (status, first) = app.page(&client, "/pelatihan").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rows(&first), 50, "one page holds 50");
    assert!(first.contains("1–50 dari 63 pelatihan"), "{first}");
    assert!(first.contains("Halaman 1 dari 2"));
    // Newest first: the last one created leads, the 13 oldest are on page 2.
    assert!(first.contains(&format!("href=\"/pelatihan/{}\"", ids[62])));
    assert!(!first.contains(&format!("href=\"/pelatihan/{}\"", ids[0])));
    assert!(first.contains("href=\"/pelatihan?halaman=2\""));

    let (_, second) = app.page(&client, "/pelatihan?halaman=2").await;
    assert_eq!(rows(&second), 13);
    assert!(second.contains("51–63 dari 63 pelatihan"));
    assert!(second.contains(&format!("href=\"/pelatihan/{}\"", ids[0])));
    assert!(second.contains("href=\"/pelatihan?halaman=1\""));

    // A page past the end (an old bookmark) shows the last one; a word is the first.
    let (status, past) = app.page(&client, "/pelatihan?halaman=99").await;
    assert_eq!(status, StatusCode::OK);
    assert!(past.contains("51–63 dari 63 pelatihan"));
    let (status, word) = app.page(&client, "/pelatihan?halaman=dua").await;
    assert_eq!(status, StatusCode::OK);
    assert!(word.contains("1–50 dari 63 pelatihan"));

    // Search by kejuruan, case-insensitively; the page links keep the search.
    let (_, las) = app.page(&client, "/pelatihan?cari=teknik+LAS").await;
    assert_eq!(rows(&las), 9, "every seventh of 63");
    assert!(las.contains("1–9 dari 9 pelatihan"));
    assert!(
        las.contains("value=\"teknik LAS\""),
        "the search stays in its field"
    );
    // By title; LIKE's wildcards typed by the user match only themselves.
    let (_, one) = app.page(&client, "/pelatihan?cari=Angkatan+62").await;
    assert_eq!(rows(&one), 1);
    // A letter outside A–Z matches as typed (SQLite folds only A–Z; PostgreSQL folds all).
    let res = app
        .post_training(
            &token,
            &json!({"title": "Pelatihan Ékspor Kopi", "kejuruan": "Pâtisserie",
                    "start_date": "2027-01-11", "location": "Aula"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // The total without search words is kept between loads until the audit chain moves: a new
    // training counts at once.
    let (_, after) = app.page(&client, "/pelatihan").await;
    assert!(after.contains("1–50 dari 64 pelatihan"), "{after}");
    for words in ["%C3%89kspor+KOPI", "P%C3%A2tisserie", "%C3%A2TISSERIE"] {
        let (_, found) = app.page(&client, &format!("/pelatihan?cari={words}")).await;
        assert!(found.contains("1–1 dari 1 pelatihan"), "{words}: {found}");
    }
    let (_, none) = app.page(&client, "/pelatihan?cari=100%25").await;
    assert!(none.contains("Tidak ada pelatihan yang cocok"), "{none}");

    // Status: all are running; none is finished yet.
    let (_, running) = app
        .page(&client, "/pelatihan?status=berjalan&cari=las")
        .await;
    assert!(running.contains("1–9 dari 9 pelatihan"));
    let (_, finished) = app.page(&client, "/pelatihan?status=selesai").await;
    assert!(finished.contains("Tidak ada pelatihan yang cocok"));
    let (status, unknown) = app.page(&client, "/pelatihan?status=apa").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        unknown.contains("1–50 dari 64 pelatihan"),
        "an unknown status is all"
    );
}

#[tokio::test]
async fn the_inbox_pages_by_urgency_and_the_api_takes_limit_and_offset() {
    let app = TestApp::spawn().await;
    let token = app.api_login("jfu").await;
    let ids = many_trainings(&app, &token, 57).await;
    let client = app.page_login("jfu").await;

    // Each new training's first step is the JFU's: 57 tasks, 50 on the first page.
    let (_, inbox) = app.page(&client, "/tugas").await;
    assert!(
        inbox.contains("57 tugas aktif; 1–50 ditampilkan"),
        "{inbox}"
    );
    assert_eq!(inbox.matches("href=\"/pelatihan/").count(), 50);
    assert!(inbox.contains("hx-get=\"/tugas\""));
    let (_, rest) = app.page(&client, "/tugas?halaman=2").await;
    assert_eq!(rest.matches("href=\"/pelatihan/").count(), 7);
    // The minute's refresh reloads this page, not the first.
    assert!(rest.contains("hx-get=\"/tugas?halaman=2\""));

    // The API: 100 by default, with the total; limit and offset slice it.
    let all = app
        .get_api(&token, "/api/v1/tasks")
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(all["total"], 57);
    assert_eq!(all["tasks"].as_array().unwrap().len(), 57);
    let slice: Value = app
        .get_api(&token, "/api/v1/tasks?limit=10&offset=50")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(slice["tasks"].as_array().unwrap().len(), 7);
    assert_eq!(
        (slice["limit"].clone(), slice["offset"].clone()),
        (json!(10), json!(50))
    );

    let page: Value = app
        .get_api(
            &token,
            "/api/v1/trainings?limit=5&offset=0&q=las&status=berjalan",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 8, "every seventh of 57");
    let got: Vec<i64> = page["trainings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    // Newest first: 56, 49, 42, 35, 28.
    let want: Vec<i64> = [56, 49, 42, 35, 28].iter().map(|n| ids[n - 1]).collect();
    assert_eq!(got, want);

    // Bad parameters are refused by name, never answered with a different slice.
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=sepuluh", "limit"),
        ("offset=-1", "offset"),
        ("status=batal", "status"),
    ] {
        let res = app
            .get_api(&token, &format!("/api/v1/trainings?{query}"))
            .await;
        let body = expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_query").await;
        assert_eq!(body["field"], field, "{query}: {body}");
    }
    let res = app.get_api(&token, "/api/v1/tasks?offset=x").await;
    expect_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_query").await;
}

#[tokio::test]
async fn the_inbox_lists_the_ten_latest_notices_and_counts_the_rest() {
    let app = TestApp::spawn().await;
    let token = app.api_login("jfu").await;
    many_trainings(&app, &token, 12).await;
    let client = app.page_login("jfu").await;
    let (_, before) = app.page(&client, "/tugas").await;
    assert!(
        !before.contains("Pemberitahuan keterlambatan"),
        "none is late yet"
    );

    // A month on, all twelve first steps are late: ten notices, then the count of the rest.
    app.set_time(app.clock_now() + chrono::Duration::days(30));
    let (_, late) = app.page(&client, "/tugas").await;
    assert_eq!(late.matches("<li class=\"late\">").count(), 10, "{late}");
    assert!(late.contains("… dan 2 pemberitahuan lainnya"), "{late}");
    // Completing one moves the audit chain: the notices are counted again at once.
    let task = app.tasks(&token).await[0]["id"].as_i64().unwrap();
    app.complete_ok(&token, task, None, None).await;
    let (_, after) = app.page(&client, "/tugas").await;
    assert!(after.contains("… dan 1 pemberitahuan lainnya"), "{after}");
}
