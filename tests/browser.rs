//! One walk through the pages in a real headless Chromium, driven over WebDriver.
//!
//! Needs Debian's `chromium` and `chromium-driver`. With LAKSANA_BROWSER_TESTS=1 a missing
//! chromedriver is a failure; without it the test says so and passes.

mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::TimeZone;
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

/// The walks run one at a time: two Chromiums at once on a 2-core machine make timeouts.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A WebDriver session in headless Chromium with its own profile folder.
async fn chromium(driver: &Driver, profile: &std::path::Path, size: &str) -> fantoccini::Client {
    let mut chrome = serde_json::json!({
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage",
            "--disable-crash-reporter", format!("--window-size={size}"),
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    if let Some(binary) = find_on_path("chromium") {
        chrome["binary"] = binary.display().to_string().into();
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), chrome);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session in Chromium")
}

/// chromedriver when it is installed; None (with a notice) or a failure when it is required.
fn chromedriver_or_skip() -> Option<PathBuf> {
    let setting = std::env::var("LAKSANA_BROWSER_TESTS").unwrap_or_default();
    if setting == "0" {
        // .ci/run's second pass (PostgreSQL) has run the browser tests on SQLite already.
        eprintln!("NOTICE: LAKSANA_BROWSER_TESTS=0; browser test not run");
        return None;
    }
    let required = setting == "1";
    let found = find_on_path("chromedriver");
    if found.is_none() {
        assert!(
            !required,
            "LAKSANA_BROWSER_TESTS=1 but chromedriver is not on PATH \
             (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "NOTICE: chromedriver not found; browser test not run \
             (set LAKSANA_BROWSER_TESTS=1 to make this a failure)"
        );
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jfu_finishes_step_one_in_a_real_browser_and_sees_step_two_active() {
    let Some(chromedriver) = chromedriver_or_skip() else {
        return;
    };
    let _one = ONE_BROWSER.lock().await;

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
    let client = chromium(&driver, profile.path(), "1280,1100").await;

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

/// Opens the page at `url` afresh with every row's forms unfolded.
async fn open_forms(
    client: &fantoccini::Client,
    url: &str,
) -> Result<(), fantoccini::error::CmdError> {
    client.goto(url).await?;
    client
        .execute(
            "document.querySelectorAll('details.row-actions').forEach(d => d.open = true)",
            vec![],
        )
        .await?;
    Ok(())
}

/// Clicks the element found by `css`.
async fn click(client: &fantoccini::Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    client.find(Locator::Css(css)).await?.click().await
}

/// Types into the field named `name` inside the element matched by `scope`.
async fn type_in(
    client: &fantoccini::Client,
    scope: &str,
    name: &str,
    text: &str,
) -> Result<(), fantoccini::error::CmdError> {
    client
        .find(Locator::Css(&format!("{scope} [name={name}]")))
        .await?
        .send_keys(text)
        .await
}

async fn select(
    client: &fantoccini::Client,
    scope: &str,
    name: &str,
    value: &str,
) -> Result<(), fantoccini::error::CmdError> {
    client
        .find(Locator::Css(&format!("{scope} select[name={name}]")))
        .await?
        .select_by_value(value)
        .await
}

async fn wait_text(
    client: &fantoccini::Client,
    xpath: &str,
) -> Result<fantoccini::elements::Element, fantoccini::error::CmdError> {
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(xpath))
        .await
}

/// Issue 5's story in the browser: steps 7 and 8 with three Kabupaten/Kota. Kabupaten Bogor
/// gets the undangan by e-mail and replies through the link in it, without an account; Kota
/// Bogor's spreadsheet is uploaded, previewed and saved; Kota Depok never replies and gets a
/// reminder, which arrives on a real SMTP server. The list comes out validated, de-duplicated,
/// within quota, and its XLSX keeps every NIK.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_go_out_and_nominations_come_in_through_link_upload_and_reminder() {
    use laksana_mail::testing::SmtpReceiver;
    let Some(chromedriver) = chromedriver_or_skip() else {
        return;
    };
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn().await;
    let id = app
        .training_at("Pelatihan Tata Boga Angkatan II", "distribusi-undangan")
        .await;
    let (smtp, port) = SmtpReceiver::start().await;
    let mailer = laksana_mail::Mailer::new(
        &laksana_mail::SmtpSettings::parse(
            &format!("smtp://127.0.0.1:{port}"),
            "UPT BLK <blk@contoh.go.id>",
        )
        .unwrap(),
    )
    .unwrap();
    let send = || laksana_mail::send_once(&app.store, &mailer, "uji", app.clock_now());

    // The Kota Bogor spreadsheet as a Kabupaten sends it: BOM, ";", dd/mm/yyyy, an apostrophe,
    // a NIK with a trailing space, and one candidate Kabupaten Bogor nominates too.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("calon-kota-bogor.csv");
    std::fs::write(
        &csv,
        "\u{feff}NIK;Nama Lengkap;Tempat Lahir;Tanggal Lahir;L/P;Pendidikan\r\n\
         3271014503000101 ;Ni Luh Putu Sri'ani;Bogor;05/03/2000;P;SMA\r\n\
         3271010207990102;Ma'ruf Amin;Bogor;02/07/1999;L;SMK\r\n\
         3201011204980103;Andi Baso;Bogor;12/04/1998;L;SMA\r\n",
    )
    .unwrap();
    let proof = dir.path().join("tanda-terima.pdf");
    std::fs::write(&proof, b"%PDF-1.4\n% tanda terima pos\n%%EOF\n").unwrap();

    let driver = start_chromedriver(&chromedriver).await;
    let staff_profile = tempfile::tempdir().unwrap();
    let operator_profile = tempfile::tempdir().unwrap();
    let staff = chromium(&driver, staff_profile.path(), "1280,1400").await;
    let operator = chromium(&driver, operator_profile.path(), "412,915").await;

    let walk = async {
        // Staf logs in and invites the plan's three Kabupaten/Kota.
        staff.goto(&app.url("/masuk")).await?;
        type_in(&staff, "form", "username", "staf").await?;
        type_in(&staff, "form", "password", support::PASSWORD).await?;
        click(&staff, "form button[type=submit]:not(.link)").await?;
        wait_text(&staff, "//h1[normalize-space()='Tugas Saya']").await?;
        staff.goto(&app.url(&format!("/pelatihan/{id}"))).await?;
        click(&staff, "a[href$='/distribusi'].button").await?;
        wait_text(&staff, "//h1[normalize-space()='Distribusi undangan']").await?;
        staff
            .find(Locator::XPath(
                "//button[normalize-space()='Tambahkan semua dari rencana kerja']",
            ))
            .await?
            .click()
            .await?;
        wait_text(&staff, "//p[contains(., 'Tujuan undangan ditambahkan')]").await?;
        let dist = app.url(&format!("/pelatihan/{id}/distribusi"));
        let rows = app.store.recipients(app.unit.id, id).await.unwrap();
        let rid = |code: &str| rows.iter().find(|r| r.region_code == code).unwrap().id;
        let (bogor, kota_bogor, depok) = (rid("3201"), rid("3271"), rid("3276"));

        // E-mail addresses, typed in each recipient's form.
        for (r, email) in [
            (bogor, "disnaker@bogorkab.go.id"),
            (kota_bogor, "disnaker@kotabogor.go.id"),
            (depok, "disnaker@depok.go.id"),
        ] {
            let scope = format!("form[action$='/distribusi/{r}/ubah']");
            open_forms(&staff, &dist).await?;
            type_in(&staff, &scope, "email", email).await?;
            click(&staff, &format!("{scope} button")).await?;
            wait_text(&staff, "//p[contains(., 'Data tujuan disimpan')]").await?;
        }
        open_forms(&staff, &dist).await?;
        // Before any proof, step 7 cannot finish.
        // Kabupaten Bogor by e-mail (the mail carries its operator link).
        let kirim = |r: i64| format!("form[action$='/distribusi/{r}/kirim']");
        select(&staff, &kirim(bogor), "cara", "email").await?;
        click(&staff, &format!("{} button", kirim(bogor))).await?;
        wait_text(&staff, "//p[contains(., 'Pengiriman dicatat')]").await?;
        open_forms(&staff, &dist).await?;
        // Kota Bogor by post, with the scanned tanda terima.
        select(&staff, &kirim(kota_bogor), "cara", "pos").await?;
        select(&staff, &kirim(kota_bogor), "jenis_bukti", "tanda-terima").await?;
        type_in(&staff, &kirim(kota_bogor), "referensi", "RR123456789ID").await?;
        type_in(
            &staff,
            &kirim(kota_bogor),
            "bukti",
            &proof.display().to_string(),
        )
        .await?;
        click(&staff, &format!("{} button", kirim(kota_bogor))).await?;
        wait_text(&staff, "//p[contains(., 'Pengiriman dicatat')]").await?;
        open_forms(&staff, &dist).await?;
        // Kota Depok by courier, confirmed by telephone.
        select(&staff, &kirim(depok), "cara", "kurir").await?;
        select(&staff, &kirim(depok), "jenis_bukti", "konfirmasi").await?;
        type_in(
            &staff,
            &kirim(depok),
            "catatan_bukti",
            "Diterima Bu Rina, bagian umum",
        )
        .await?;
        click(&staff, &format!("{} button", kirim(depok))).await?;
        wait_text(&staff, "//p[contains(., 'Pengiriman dicatat')]").await?;
        let waiting = staff.find(Locator::Css("main")).await?.text().await?;

        // The worker delivers the undangan e-mail; its link is the operator's way in.
        let sent = send().await.expect("send the outbox");
        let mails = smtp.wait_for(1, Duration::from_secs(10)).await;
        let body = mails[0].text_body().unwrap_or_default();
        let link = body
            .split_whitespace()
            .find(|w| w.contains("/undangan/"))
            .unwrap_or_default()
            .to_string();
        staff
            .goto(&app.url(&format!("/pelatihan/{id}/distribusi")))
            .await?;
        let proven = staff.find(Locator::Css("main")).await?.text().await?;

        // Step 7 is done: every recipient has a proof.
        staff.goto(&app.url(&format!("/pelatihan/{id}"))).await?;
        staff
            .find(Locator::XPath("//button[normalize-space()='Selesai']"))
            .await?
            .click()
            .await?;
        wait_text(
            &staff,
            "//p[@role='status' and contains(., 'Langkah ditandai selesai')]",
        )
        .await?;
        let at_eight = staff
            .find(Locator::Id("langkah-aktif"))
            .await?
            .text()
            .await?;

        // The operator of Kabupaten Bogor, on a phone, without an account.
        // The mail's link uses the unit's public address; the test server is on loopback.
        let path = &link[link.find("/undangan/").unwrap_or(0)..];
        operator.goto(&app.url(path)).await?;
        wait_text(
            &operator,
            "//h1[contains(., 'Calon peserta Kabupaten Bogor')]",
        )
        .await?;
        let form = "form[action$='/calon']";
        type_in(&operator, form, "nik", "3201011204980103").await?;
        type_in(&operator, form, "nama", "Andi Baso").await?;
        select(&operator, form, "pendidikan", "sma").await?;
        type_in(&operator, form, "nomor_surat", "560/77/Disnaker").await?;
        click(&operator, &format!("{form} button[type=submit]")).await?;
        wait_text(&operator, "//p[contains(., 'Tersimpan')]").await?;
        type_in(&operator, form, "nik", "3201015501010104").await?;
        type_in(&operator, form, "nama", "Rina Marlina").await?;
        click(&operator, &format!("{form} button[type=submit]")).await?;
        // The page before still says "Tersimpan" (from the first save): wait for the new row,
        // or the next look may hit the old page as it is replaced.
        wait_text(&operator, "//td[normalize-space()='Rina Marlina']").await?;
        let operator_page = operator.find(Locator::Css("main")).await?.text().await?;

        // Kota Bogor's spreadsheet: upload, preview, save.
        staff
            .goto(&app.url(&format!("/pelatihan/{id}/jawaban/{kota_bogor}")))
            .await?;
        type_in(
            &staff,
            "form[action$='/unggah']",
            "berkas",
            &csv.display().to_string(),
        )
        .await?;
        click(&staff, "form[action$='/unggah'] button").await?;
        wait_text(&staff, "//h1[contains(., 'Periksa unggahan')]").await?;
        let preview = staff.find(Locator::Css("main")).await?.text().await?;
        staff
            .find(Locator::XPath(
                "//button[starts-with(normalize-space(), 'Simpan 3 calon peserta')]",
            ))
            .await?
            .click()
            .await?;
        wait_text(
            &staff,
            "//p[contains(., 'Calon peserta dari berkas disimpan')]",
        )
        .await?;

        // Kota Depok has not replied: a reminder goes out.
        staff
            .goto(&app.url(&format!("/pelatihan/{id}/jawaban")))
            .await?;
        let replies = staff.find(Locator::Css("main")).await?.text().await?;
        staff
            .find(Locator::XPath(
                "//button[normalize-space()='Kirim pengingat e-mail sekarang']",
            ))
            .await?
            .click()
            .await?;
        wait_text(
            &staff,
            "//p[contains(., 'Pengingat dimasukkan ke kotak keluar untuk: Kota Depok')]",
        )
        .await?;
        send().await.expect("send the reminder");
        let mails = smtp.wait_for(2, Duration::from_secs(10)).await;

        staff
            .goto(&app.url(&format!("/pelatihan/{id}/peserta")))
            .await?;
        let list = staff.find(Locator::Css("main")).await?.text().await?;
        let png = staff.screenshot().await?;
        Ok::<_, fantoccini::error::CmdError>((
            waiting,
            sent,
            link,
            proven,
            at_eight,
            operator_page,
            preview,
            replies,
            mails,
            list,
            png,
        ))
    }
    .await;
    if walk.is_err() {
        for c in [&staff, &operator] {
            let url = c.current_url().await.map(|u| u.to_string());
            let source = c.source().await.unwrap_or_default();
            eprintln!("browser stopped at {url:?}:\n{source}");
        }
    }
    let _ = staff.close().await;
    let _ = operator.close().await;
    drop(driver);
    let (waiting, sent, link, proven, at_eight, operator_page, preview, replies, mails, list, png) =
        walk.expect("the browser walk");
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-participants.png");
    std::fs::write(&shot, &png).unwrap();
    eprintln!("screenshot: {}", shot.display());

    assert!(
        waiting.contains("E-mail menunggu") || waiting.contains("e-mail menunggu"),
        "the e-mail dispatch waits for the outbox: {waiting}"
    );
    assert_eq!(sent, 1, "one undangan e-mail");
    assert!(
        link.contains("/undangan/"),
        "the mail carries the link: {link}"
    );
    assert!(proven.contains("Semua tujuan punya bukti"), "{proven}");
    assert!(at_eight.contains("Langkah 8"), "{at_eight}");
    assert!(
        operator_page.contains("Andi Baso") && operator_page.contains("Rina Marlina"),
        "{operator_page}"
    );
    assert!(
        !operator_page.contains("Kota Bogor") && !operator_page.contains("Kota Depok"),
        "the link shows only its own Kabupaten: {operator_page}"
    );
    assert!(
        preview.contains("3 baris") && preview.contains("0 bermasalah"),
        "{preview}"
    );
    assert!(preview.contains("Ni Luh Putu Sri'ani"), "{preview}");
    assert!(replies.contains("Belum menjawab"), "{replies}");
    let reminder = mails
        .iter()
        .find(|m| m.rcpt_to.iter().any(|r| r.contains("depok")))
        .expect("a reminder to Kota Depok");
    assert!(
        reminder
            .subject()
            .unwrap_or_default()
            .starts_with("Pengingat: balasan undangan pelatihan"),
        "{:?}",
        reminder.subject()
    );
    assert!(
        list.contains("Ganda"),
        "Andi Baso from two Kabupaten is caught: {list}"
    );
    assert!(list.contains("Ma'ruf Amin"), "{list}");

    // The export keeps every NIK as 16 digits of text (case N2).
    let client = app.page_login("staf").await;
    let xlsx = client
        .get(app.url(&format!("/pelatihan/{id}/peserta.xlsx")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let table = laksana_nomination::read_table(&xlsx, "peserta.xlsx").unwrap();
    let nik_col = table
        .headers
        .iter()
        .position(|h| h == "NIK")
        .expect("a NIK column");
    let niks: Vec<String> = table
        .rows
        .iter()
        .map(|r| match &r.cells[nik_col] {
            laksana_nomination::Cell::Text(t) => t.clone(),
            other => panic!("NIK cell is not text: {other:?}"),
        })
        .collect();
    assert_eq!(niks.len(), 5, "{niks:?}");
    assert!(niks
        .iter()
        .all(|n| n.len() == 16 && n.bytes().all(|b| b.is_ascii_digit())));
    assert!(
        niks.contains(&"3271014503000101".to_string()),
        "the trailing space is trimmed"
    );
}

/// Logs `username` in on the login page of the browser and waits for Tugas Saya.
async fn log_in(
    client: &fantoccini::Client,
    app: &TestApp,
    username: &str,
) -> Result<(), fantoccini::error::CmdError> {
    client.goto(&app.url("/masuk")).await?;
    type_in(client, "form", "username", username).await?;
    type_in(client, "form", "password", support::PASSWORD).await?;
    click(client, "form button[type=submit]:not(.link)").await?;
    wait_text(client, "//h1[normalize-space()='Tugas Saya']").await?;
    Ok(())
}

/// Presses the button of the training's active step whose `decision` is `decision`
/// (`complete`, `approve`, `return`) and returns the message the page answers with.
async fn press_step(
    client: &fantoccini::Client,
    app: &TestApp,
    id: i64,
    decision: &str,
) -> Result<String, fantoccini::error::CmdError> {
    client.goto(&app.url(&format!("/pelatihan/{id}"))).await?;
    click(
        client,
        &format!("#langkah-aktif button[name=decision][value={decision}]"),
    )
    .await?;
    let shown = wait_text(client, "//p[@role='status' or @role='alert']").await?;
    shown.text().await
}

/// Clicks the button labelled `label`.
async fn press(
    client: &fantoccini::Client,
    label: &str,
) -> Result<(), fantoccini::error::CmdError> {
    client
        .find(Locator::XPath(&format!(
            "//button[normalize-space()='{label}']"
        )))
        .await?
        .click()
        .await
}

/// The text of the page's main part.
async fn main_text(client: &fantoccini::Client) -> Result<String, fantoccini::error::CmdError> {
    client.find(Locator::Css("main")).await?.text().await
}

/// Switches the browser's network off or on, as a phone losing its signal (chromedriver's
/// network emulation; the page itself cannot tell it from a real loss).
async fn set_offline(driver: &Driver, client: &fantoccini::Client, offline: bool) {
    let session = client.session_id().await.unwrap().expect("a session id");
    let res = reqwest::Client::new()
        .post(format!(
            "{}/session/{session}/chromium/network_conditions",
            driver.url
        ))
        .json(&serde_json::json!({ "network_conditions": {
            "offline": offline, "latency": 0,
            "download_throughput": 1_000_000, "upload_throughput": 1_000_000
        }}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

/// Waits until `check` holds (polling the store), up to 40 seconds.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(40);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// What the walk of issue 6 saw, asserted after the browsers are closed.
struct Seen {
    step9: String,
    step10: String,
    step11: String,
    step12: String,
    /// The phone's note while its taps waited offline.
    pending: String,
    /// Marks of session 2 on the server while the phone was offline.
    while_offline: usize,
    offline_from: chrono::DateTime<chrono::Utc>,
    /// What each participant's phone showed after scanning the room's code.
    answers: Vec<String>,
    twice: String,
    report: String,
    before_end: String,
    phone_shot: Vec<u8>,
    qr_shot: Vec<u8>,
    people: usize,
}

/// Issue 6's story in the browser: steps 9 to 12 of Laksana's SOP. The Panitia records the
/// preparation meeting and confirms the list; three days of attendance are taken — on a
/// phone-sized screen by the Panitia, once while the phone is offline (the taps wait on the
/// device and arrive with their own times), and by the participants' own phones with the
/// room's QR code; the report is drafted from the data, completed and accepted; certificates
/// download as a ZIP; the dashboard shows the training's step times against the standard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_training_runs_from_the_meeting_to_the_accepted_report_and_its_certificates() {
    let Some(chromedriver) = chromedriver_or_skip() else {
        return;
    };
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn().await;
    let id = app
        .training_at("Pelatihan Menjahit Angkatan II", "rapat-persiapan")
        .await;
    let plan = app.store.work_plan(app.unit.id, id).await.unwrap().unwrap();
    let first_day = plan.plan.tanggal_mulai.unwrap();
    let last_day = plan.plan.tanggal_selesai.unwrap();
    // The walk happens on the training's last day, during its last session (the clock is the
    // server's; moving it by days would end the browsers' sessions).
    let third_session_start = {
        let j = &plan.plan.jadwal[2];
        let at = chrono::NaiveDateTime::new(
            j.tanggal.unwrap(),
            chrono::NaiveTime::parse_from_str(&j.mulai.replace('.', ":"), "%H:%M").unwrap(),
        );
        app.unit
            .zone
            .offset()
            .from_local_datetime(&at)
            .single()
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    assert_eq!(plan.plan.jadwal[2].tanggal, Some(last_day));
    app.set_time(third_session_start + chrono::Duration::minutes(5));

    let driver = start_chromedriver(&chromedriver).await;
    let desk_profile = tempfile::tempdir().unwrap();
    let phone_profile = tempfile::tempdir().unwrap();
    let desk = chromium(&driver, desk_profile.path(), "1280,1100").await;
    let phone = chromium(&driver, phone_profile.path(), "390,844").await;

    let walk = async {
        // Step 9: the meeting, then the list confirmed, then the step done.
        log_in(&desk, &app, "panitia").await?;
        desk.goto(&app.url(&format!("/pelatihan/{id}/rapat")))
            .await?;
        type_in(
            &desk,
            "form.card",
            "agenda",
            "Persiapan pelaksanaan pelatihan",
        )
        .await?;
        desk.execute(
            "document.querySelector('form.card [name=waktu]').value = arguments[0]",
            vec![serde_json::json!(format!("{first_day}T09:00"))],
        )
        .await?;
        type_in(&desk, "form.card", "tempat", "Ruang rapat UPT BLK").await?;
        click(&desk, "form.card [name=hadir_0]").await?;
        type_in(
            &desk,
            "form.card",
            "notulen",
            "Daftar peserta dan jadwal tiga hari disepakati.",
        )
        .await?;
        type_in(
            &desk,
            "form.card",
            "keputusan",
            "Sesi mengikuti jadwal rencana kerja.",
        )
        .await?;
        press(&desk, "Simpan notulen").await?;
        wait_text(&desk, "//p[@role='status']").await?;
        desk.goto(&app.url(&format!("/pelatihan/{id}/peserta")))
            .await?;
        press(&desk, "Konfirmasi daftar peserta").await?;
        wait_text(&desk, "//p[@role='status']").await?;
        let step9 = press_step(&desk, &app, id, "complete").await?;

        // Step 10: sessions from the plan's schedule.
        desk.goto(&app.url(&format!("/pelatihan/{id}/pelaksanaan")))
            .await?;
        press(&desk, "Buat sesi dari jadwal rencana kerja").await?;
        wait_text(&desk, "//p[@role='status']").await?;
        let sessions = app.store.class_sessions(app.unit.id, id).await.unwrap();
        let people = app.store.final_participants(app.unit.id, id).await.unwrap();

        // Session 1 on the Panitia's phone: one tap per participant, sent as it is made.
        log_in(&phone, &app, "panitia").await?;
        phone
            .goto(&app.url(&format!("/pelatihan/{id}/sesi/{}", sessions[0].id)))
            .await?;
        for p in &people {
            click(
                &phone,
                &format!("input[name=status_{}][value=hadir]", p.nomination_id),
            )
            .await?;
        }
        let s1 = sessions[0].id;
        eventually("session 1 marked from the phone", || async {
            app.store
                .session_attendance(app.unit.id, s1)
                .await
                .unwrap()
                .len()
                == people.len()
        })
        .await;
        let phone_shot = phone.screenshot().await?;

        // Session 2: the signal drops after the page is open; the taps wait on the phone.
        let s2 = sessions[1].id;
        phone
            .goto(&app.url(&format!("/pelatihan/{id}/sesi/{s2}")))
            .await?;
        set_offline(&driver, &phone, true).await;
        let offline_from = chrono::Utc::now();
        for (i, p) in people.iter().enumerate() {
            let status = if i == 0 { "izin" } else { "hadir" };
            click(
                &phone,
                &format!("input[name=status_{}][value={status}]", p.nomination_id),
            )
            .await?;
        }
        let pending = phone
            .find(Locator::Css("form.attendance .pending"))
            .await?
            .text()
            .await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let while_offline = app
            .store
            .session_attendance(app.unit.id, s2)
            .await
            .unwrap()
            .len();
        set_offline(&driver, &phone, false).await;
        eventually("the offline taps arrive", || async {
            app.store
                .session_attendance(app.unit.id, s2)
                .await
                .unwrap()
                .len()
                == people.len()
        })
        .await;

        // Session 3: the participants check themselves in with the room's QR code.
        desk.goto(&app.url(&format!("/pelatihan/{id}/pelaksanaan")))
            .await?;
        press(&desk, "Buat dan cetak kartu peserta").await?;
        wait_text(&desk, "//h1[normalize-space()='Kartu peserta']").await?;
        let mut links = Vec::new();
        for e in desk.find_all(Locator::Css(".id-card .link-text")).await? {
            links.push(e.text().await?);
        }
        let s3 = sessions[2].id;
        desk.goto(&app.url(&format!("/pelatihan/{id}/sesi/{s3}")))
            .await?;
        let room_qr = desk
            .find(Locator::Css(".qr-room code.link-text"))
            .await?
            .text()
            .await?;
        let mut answers = Vec::new();
        for link in &links {
            // Each participant's own phone: a fresh cookie jar, the personal link, the room code.
            phone.delete_all_cookies().await?;
            phone.goto(link).await?;
            phone.goto(&room_qr).await?;
            answers.push(main_text(&phone).await?);
        }
        phone.goto(&room_qr).await?;
        let twice = main_text(&phone).await?;
        let qr_shot = phone.screenshot().await?;
        let step10 = press_step(&desk, &app, id, "complete").await?;

        // Step 11: the report, drafted from the data; the Panitia writes the narrative.
        desk.goto(&app.url(&format!("/pelatihan/{id}/laporan")))
            .await?;
        type_in(
            &desk,
            "form.card",
            "hambatan",
            "Listrik padam setengah hari pada hari kedua.",
        )
        .await?;
        type_in(
            &desk,
            "form.card",
            "saran",
            "Genset cadangan untuk ruang praktik.",
        )
        .await?;
        press(&desk, "Simpan laporan").await?;
        wait_text(&desk, "//p[@role='status']").await?;
        let report = main_text(&desk).await?;
        let step11 = press_step(&desk, &app, id, "complete").await?;

        // Step 12: the head of unit receives it; the training closes.
        desk.delete_all_cookies().await?;
        log_in(&desk, &app, "kadis").await?;
        let step12 = press_step(&desk, &app, id, "approve").await?;
        desk.goto(&app.url(&format!("/pelatihan/{id}/sertifikat")))
            .await?;
        let before_end = main_text(&desk).await?;
        Ok::<_, fantoccini::error::CmdError>(Seen {
            step9,
            step10,
            step11,
            step12,
            pending,
            while_offline,
            offline_from,
            answers,
            twice,
            report,
            before_end,
            phone_shot,
            qr_shot,
            people: people.len(),
        })
    }
    .await;
    if walk.is_err() {
        for c in [&desk, &phone] {
            let url = c.current_url().await.map(|u| u.to_string());
            let source = c.source().await.unwrap_or_default();
            eprintln!("browser stopped at {url:?}:\n{source}");
        }
    }
    let seen = match walk {
        Ok(w) => w,
        Err(e) => {
            let _ = desk.close().await;
            let _ = phone.close().await;
            panic!("the browser walk: {e}");
        }
    };

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(dir.join("browser-phone-marks.png"), &seen.phone_shot).unwrap();
    std::fs::write(dir.join("browser-phone-checkin.png"), &seen.qr_shot).unwrap();

    assert_eq!(seen.step9, "Langkah ditandai selesai.");
    assert!(
        seen.pending.contains("tersimpan di perangkat ini"),
        "{}",
        seen.pending
    );
    assert_eq!(
        seen.while_offline, 0,
        "nothing reached the server while offline"
    );
    let s2 = app.store.class_sessions(app.unit.id, id).await.unwrap()[1].id;
    let marks = app.store.session_attendance(app.unit.id, s2).await.unwrap();
    assert!(
        marks.iter().all(
            |m| m.recorded_at <= seen.offline_from + chrono::Duration::seconds(30)
                && m.recorded_at >= seen.offline_from - chrono::Duration::seconds(5)
        ),
        "each mark keeps the time of its tap on the phone: {marks:?}"
    );
    assert_eq!(marks.iter().filter(|m| m.status == "izin").count(), 1);
    assert_eq!(seen.answers.len(), seen.people, "one card per participant");
    assert!(
        seen.answers.iter().all(|a| a.contains("Tercatat hadir")),
        "{:?}",
        seen.answers
    );
    assert!(seen.twice.contains("Sudah tercatat"), "{}", seen.twice);
    assert_eq!(seen.step10, "Langkah ditandai selesai.");
    for part in [
        "PENDAHULUAN",
        "Tingkat kehadiran",
        "Listrik padam",
        "WAKTU LANGKAH SOP",
    ] {
        assert!(
            seen.report.contains(part),
            "the report shows {part}: {}",
            seen.report
        );
    }
    assert_eq!(seen.step11, "Langkah ditandai selesai.");
    assert_eq!(seen.step12, "Semua langkah SOP selesai. Pelatihan ditutup.");
    let detail = app.store.training_detail(app.unit.id, id).await.unwrap();
    assert_eq!(detail.training.status, "selesai", "the training is closed");
    assert!(
        seen.before_end
            .contains("dapat diterbitkan setelah pelatihan selesai")
            && !seen.before_end.contains("Terbitkan"),
        "before the last day has passed, no button but the date: {}",
        seen.before_end
    );

    // The day after the last: the certificates are issued in the browser and come as a ZIP.
    app.set_time(app.store.close_of(last_day, app.unit.zone) + chrono::Duration::hours(16));
    let after = async {
        log_in(&desk, &app, "kadis").await?;
        desk.goto(&app.url(&format!("/pelatihan/{id}/sertifikat")))
            .await?;
        desk.find(Locator::XPath(
            "//button[starts-with(normalize-space(), 'Terbitkan')]",
        ))
        .await?
        .click()
        .await?;
        wait_text(&desk, "//a[contains(., 'Unduh semua sertifikat')]").await?;
        let zip_href = desk
            .find(Locator::XPath("//a[contains(., 'Unduh semua sertifikat')]"))
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();
        desk.goto(&app.url("/dasbor")).await?;
        let dashboard = main_text(&desk).await?;
        let svg = desk.find_all(Locator::Css("main svg")).await?.len();
        let shot = desk.screenshot().await?;
        Ok::<_, fantoccini::error::CmdError>((zip_href, dashboard, svg, shot))
    }
    .await;
    if after.is_err() {
        let source = desk.source().await.unwrap_or_default();
        eprintln!("browser stopped at:\n{source}");
    }
    let _ = desk.close().await;
    let _ = phone.close().await;
    drop(driver);
    let (zip_href, dashboard, svg, shot) = after.expect("certificates and dashboard");
    std::fs::write(dir.join("browser-dashboard.png"), &shot).unwrap();

    // Two participants were at every session (the one excused in session 2 was not).
    let kadis = app.page_login("kadis").await;
    let zip = kadis
        .get(app.url(&zip_href))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).expect("a ZIP");
    assert_eq!(
        archive.len(),
        seen.people - 1,
        "{:?}",
        archive.file_names().collect::<Vec<_>>()
    );
    assert!(archive.file_names().all(|n| n.ends_with(".pdf")));

    // The dashboard has the training's steps with their times against the standard.
    assert!(svg >= 1, "the heatmap is drawn");
    for text in ["Rapat internal persiapan", "Menerima laporan pelaksanaan"] {
        assert!(
            dashboard.to_lowercase().contains(&text.to_lowercase()),
            "{text}: {dashboard}"
        );
    }
    let csv = kadis
        .get(app.url("/dasbor/langkah.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let meeting_row = csv
        .lines()
        .find(|l| l.contains("rapat-persiapan"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(
        meeting_row.contains(";1;"),
        "one completed meeting run: {meeting_row}"
    );
}
