//! The SOP in the application: its flowchart on the SOP page and on a training's page (with
//! the training's position on it), and the official document and exports as downloads.

mod support;

use reqwest::StatusCode;
use support::TestApp;

/// The id of the SOP version the page offers for download.
fn version_id(html: &str) -> i64 {
    let at = html.find("/sop/versi/").expect("a link to a version") + "/sop/versi/".len();
    html[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sop_page_shows_the_flowchart_and_offers_the_official_pdf_and_exports() {
    let app = TestApp::spawn().await;
    let jfu = app.page_login("jfu").await;
    let (status, html) = app.page(&jfu, "/sop").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg"), "no flowchart on the SOP page");
    // Eleven symbols, one per step, and nothing marked: the SOP page shows no training.
    assert_eq!(html.matches("data-step=").count(), 11, "{html}");
    assert!(!html.contains("symbol current"));
    let id = version_id(&html);

    let res = jfu
        .get(app.url(&format!("/sop/versi/{id}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let disposition = res.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.contains(".pdf"), "{disposition}");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));

    let res = jfu
        .get(app.url(&format!("/sop/versi/{id}/bpmn")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let xml = res.text().await.unwrap();
    assert_eq!(xml.matches("<bpmn:userTask ").count(), 11);

    let res = jfu
        .get(app.url(&format!("/sop/versi/{id}/mermaid")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("flowchart TD"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_version_or_a_visitor_gets_no_download() {
    let app = TestApp::spawn().await;
    let jfu = app.page_login("jfu").await;
    let (status, _) = app.page(&jfu, "/sop/versi/999999/pdf").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let anonymous = app.browser();
    let res = anonymous
        .get(app.url("/sop/versi/1/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/masuk");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trainings_flowchart_marks_finished_steps_the_current_one_and_returns() {
    let app = TestApp::spawn().await;
    let jfu_token = app.api_login("jfu").await;
    let kabid_token = app.api_login("kabid").await;
    let training = app.create_training(&jfu_token, "Pelatihan Las").await;
    let id = training["id"].as_i64().unwrap();

    // Step 1 done, step 2 returned once, step 1 done again: step 2 is current.
    let task = app.task_of(&jfu_token, id).await;
    app.complete_ok(&jfu_token, task["id"].as_i64().unwrap(), None, None)
        .await;
    let task = app.task_of(&kabid_token, id).await;
    app.complete_ok(
        &kabid_token,
        task["id"].as_i64().unwrap(),
        Some("return"),
        Some("Anggaran belum sesuai DPA"),
    )
    .await;
    let task = app.task_of(&jfu_token, id).await;
    app.complete_ok(&jfu_token, task["id"].as_i64().unwrap(), None, None)
        .await;

    let jfu = app.page_login("jfu").await;
    let (status, html) = app.page(&jfu, &format!("/pelatihan/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let svg = &html[html.find("<svg").expect("a flowchart")..];
    assert_eq!(svg.matches("symbol current").count(), 1);
    assert!(
        svg.contains(r#"class="symbol current" data-step="2""#),
        "step 2 is current"
    );
    assert!(svg.contains(r#"class="symbol done" data-step="1""#));
    assert!(svg.contains("\u{21ba}1"), "the return of step 2 is shown");
}
