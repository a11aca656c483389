//! One walk through the pages in a real headless Chromium, driven over WebDriver.
//!
//! Needs Debian's `chromium` and `chromium-driver`. With LAKSANA_BROWSER_TESTS=1 a missing
//! chromedriver is a failure; without it the test says so and passes.

mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use support::TestApp;

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// chromedriver on a free port, killed when dropped (also when the test panics).
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_chromedriver(path: &PathBuf) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = reqwest::get(format!("{}/status", driver.url))
            .await
            .ok()
            .filter(|r| r.status().is_success());
        if ready.is_some() {
            return driver;
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not start on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jfu_finishes_step_one_in_a_real_browser_and_sees_step_two_active() {
    let required = std::env::var("LAKSANA_BROWSER_TESTS").is_ok_and(|v| v == "1");
    let Some(chromedriver) = find_on_path("chromedriver") else {
        assert!(
            !required,
            "LAKSANA_BROWSER_TESTS=1 but chromedriver is not on PATH \
             (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "NOTICE: chromedriver not found; browser test not run \
             (set LAKSANA_BROWSER_TESTS=1 to make this a failure)"
        );
        return;
    };

    let app = TestApp::spawn().await;
    let jfu = app.api_login("jfu").await;
    let id = app
        .create_training(&jfu, "Pelatihan Las Listrik Angkatan III")
        .await["id"]
        .as_i64()
        .unwrap();
    let second = app.create_training(&jfu, "Pelatihan Menjahit").await["id"]
        .as_i64()
        .unwrap();

    let driver = start_chromedriver(&chromedriver).await;
    let profile = tempfile::tempdir().unwrap();
    let mut chrome = serde_json::json!({
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage",
            "--disable-crash-reporter", "--window-size=1280,1100",
            format!("--user-data-dir={}", profile.path().display()),
        ],
    });
    if let Some(binary) = find_on_path("chromium") {
        chrome["binary"] = binary.display().to_string().into();
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), chrome);
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session in Chromium");

    // The walk returns what it saw; the session is closed before anything is asserted.
    let walk = async {
        client.goto(&app.url("/masuk")).await?;
        client
            .find(Locator::Css("input[name=username]"))
            .await?
            .send_keys("jfu")
            .await?;
        client
            .find(Locator::Css("input[name=password]"))
            .await?
            .send_keys(support::PASSWORD)
            .await?;
        client
            .find(Locator::Css("form button[type=submit]:not(.link)"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath("//h1[normalize-space()='Tugas Saya']"))
            .await?;
        let landed = client.current_url().await?;
        let tasks = client.find(Locator::Css("main")).await?.text().await?;

        client.goto(&app.url(&format!("/pelatihan/{id}"))).await?;
        let before = client
            .find(Locator::Id("langkah-aktif"))
            .await?
            .text()
            .await?;
        client
            .find(Locator::XPath("//button[normalize-space()='Selesai']"))
            .await?
            .click()
            .await?;
        // The page comes back (through htmx or a plain post) with the flash message.
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("p.ok[role=status]"))
            .await?;
        let flash = client
            .find(Locator::Css("p.ok[role=status]"))
            .await?
            .text()
            .await?;
        let after = client
            .find(Locator::Id("langkah-aktif"))
            .await?
            .text()
            .await?;
        let buttons = client
            .find_all(Locator::Css("#langkah-aktif button"))
            .await?
            .len();
        let png = client.screenshot().await?;

        // Case W2 in the browser: someone else finishes the step while the page is open; the
        // refusal (answered 409) is shown, not swallowed by the boosted request.
        client
            .goto(&app.url(&format!("/pelatihan/{second}")))
            .await?;
        let task = app.task_of(&jfu, second).await["id"].as_i64().unwrap();
        app.complete_ok(&jfu, task, None, None).await;
        client
            .find(Locator::XPath("//button[normalize-space()='Selesai']"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("p.error[role=alert]"))
            .await?;
        let refusal = client
            .find(Locator::Css("p.error[role=alert]"))
            .await?
            .text()
            .await?;
        Ok::<_, fantoccini::error::CmdError>((
            landed, tasks, before, flash, after, buttons, png, refusal,
        ))
    }
    .await;
    if walk.is_err() {
        // What the browser showed when the walk stopped, for the failure message.
        let url = client.current_url().await.map(|u| u.to_string());
        let source = client.source().await.unwrap_or_default();
        eprintln!("browser stopped at {url:?}:\n{source}");
    }
    let closed = client.close().await;
    drop(driver);
    let (landed, tasks, before, flash, after, buttons, png, refusal) =
        walk.expect("the browser walk");
    closed.expect("close the browser session");

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-step-two.png");
    std::fs::write(&shot, &png).unwrap();
    eprintln!("screenshot: {}", shot.display());
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");

    assert_eq!(landed.path(), "/tugas", "logging in leads to Tugas Saya");
    assert!(
        tasks.contains("Pelatihan Las Listrik Angkatan III"),
        "task list: {tasks}"
    );
    assert!(
        before.contains("Langkah 1: Membuat rencana kerja."),
        "before: {before}"
    );
    assert_eq!(flash, "Langkah ditandai selesai.");
    assert!(
        after.contains("Langkah 2: Memeriksa dan menyetujui rencana kerja kegiatan."),
        "after: {after}"
    );
    assert!(after.contains("Pelaksana: Kepala Bidang"), "after: {after}");
    assert!(
        after.contains("Menunggu Kepala Bidang"),
        "a JFU cannot act on step 2: {after}"
    );
    assert_eq!(buttons, 0, "no buttons for a step the JFU does not hold");

    assert!(
        refusal.contains("sudah diselesaikan oleh") && refusal.contains(support::full_name("jfu")),
        "the loser of W2 is told who finished the step: {refusal}"
    );

    // The server agrees with what the browser showed.
    let detail = app.training(&jfu, id).await;
    assert_eq!(detail["current_step"], 2);
    assert_eq!(
        detail["steps"][0]["rounds"][0]["completed_by"],
        support::full_name("jfu")
    );
}
