//! Steps 7 and 8 of Laksana's SOP (version 3): the undangan go out to the invited
//! Kabupaten/Kota with a proof each (buku ekspedisi), the replies come in through the
//! operator's link, the Staf's form and a spreadsheet upload, the list is allocated (utama,
//! cadangan, ganda), reminders go out by e-mail, and the list exports with the NIK as text.
//! Bad input is refused with an Indonesian message and nothing saved.

mod support;

use std::time::Duration;

use chrono::NaiveDate;
use laksana_engine::LAKSANA_SOP;
use laksana_store::{NewOfficial, NewRecipient, Recipient};
use reqwest::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use reqwest::{Response, StatusCode};
use support::{expect_problem, hidden_csrf, wib, TestApp};

// ---------------------------------------------------------------------------------------------
// fixtures
// ---------------------------------------------------------------------------------------------

const BOGOR_MAIL: &str = "disnaker@bogorkab.go.id";
const BANDUNG_MAIL: &str = "disnaker@bandung.go.id";
const SEMARANG_MAIL: &str = "disnaker@semarangkota.go.id";
const TITLE: &str = "Pelatihan Las SMAW";

/// A training on SOP version 3, brought to step 7 (distribusi undangan), with its context.
struct Flow {
    id: i64,
    staf_t: String,
    staf: reqwest::Client,
}

async fn add_official(app: &TestApp, position: &str, name: &str, nip: &str, username: &str) {
    let admin = app.store.user_by_username("admin").await.unwrap();
    let account = app.store.user_by_username(username).await.unwrap();
    app.store
        .create_official(
            app.unit.id,
            &NewOfficial {
                position: position.into(),
                name: name.into(),
                nip: nip.into(),
                pangkat: "Pembina (IV/a)".into(),
                jabatan: position.into(),
                user_id: Some(account.id),
                since: None,
                until: None,
            },
            &admin,
            app.clock_now(),
        )
        .await
        .unwrap();
}

async fn task(app: &TestApp, token: &str, id: i64) -> i64 {
    app.task_of(token, id).await["id"].as_i64().unwrap()
}

fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Posts an urlencoded form with the session's CSRF token.
async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    extra: &[(&str, &str)],
) -> Response {
    let csrf = app.page_csrf(client).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(extra);
    client.post(app.url(path)).form(&form).send().await.unwrap()
}

/// A multipart/form-data body built by hand (the dev-dependency reqwest has no multipart).
struct Multi {
    boundary: &'static str,
    body: Vec<u8>,
}

impl Multi {
    fn new() -> Multi {
        Multi {
            boundary: "laksana-uji-batas-7d1f0a93c2",
            body: Vec::new(),
        }
    }
    fn text(mut self, name: &str, value: &str) -> Multi {
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n",
                self.boundary
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
        self
    }
    fn file(mut self, name: &str, file_name: &str, mime: &str, bytes: &[u8]) -> Multi {
        self.body.extend_from_slice(
            format!(
                "--{}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {mime}\r\n\r\n",
                self.boundary
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }
    /// The person fields of the participant form.
    fn person(self, nik: &str, nama: &str, born: &str, sex: &str, education: &str) -> Multi {
        self.text("nik", nik)
            .text("nama", nama)
            .text("tempat_lahir", "Bogor")
            .text("tanggal_lahir", born)
            .text("jenis_kelamin", sex)
            .text("pendidikan", education)
    }
    async fn post(self, app: &TestApp, client: &reqwest::Client, path: &str) -> Response {
        let mut body = self.body;
        body.extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        client
            .post(app.url(path))
            .header(
                CONTENT_TYPE,
                format!("multipart/form-data; boundary={}", self.boundary),
            )
            .body(body)
            .send()
            .await
            .unwrap()
    }
}

/// A client as an operator's browser is: no session, no cookies, redirects not followed.
fn cookieless() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// HTML text with askama's escapes undone, for assertions on names such as Sri'ani.
fn unescape(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The 64-hex secret after the first `/undangan/` in a text.
fn link_secret(text: &str) -> Option<String> {
    text.match_indices("/undangan/").find_map(|(at, m)| {
        let rest = &text[at + m.len()..];
        let s: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        (s.len() == 64).then_some(s)
    })
}

fn plan_json() -> serde_json::Value {
    serde_json::json!({
        "judul": TITLE, "kejuruan": "Teknik Las", "tempat": "Workshop UPT BLK",
        "tujuan": ["Meningkatkan kompetensi"], "tanggal_mulai": "2027-01-11", "tanggal_selesai": "2027-01-13",
        "peserta": {"jumlah": 5}, "batas_balasan": "2026-12-18",
        "kuota": [{"kode_wilayah": "32.01", "nama_wilayah": "Kabupaten Bogor", "kuota": 2},
                  {"kode_wilayah": "32.73", "nama_wilayah": "Kota Bandung", "kuota": 2},
                  {"kode_wilayah": "33.74", "nama_wilayah": "Kota Semarang", "kuota": 1}],
        "panitia": [{"nama": "Drs. Bambang Sutrisno", "nip": "197205101998031004", "jabatan": "Kepala Bidang", "kedudukan": "ketua"},
                    {"nama": "Ni Luh Putu Sri'ani", "nip": "", "jabatan": "Staf", "kedudukan": "sekretaris"}]
    })
}

fn batas_balasan() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 18).unwrap()
}

/// The paperwork_flow pattern, without its assertions: plan, drafts, paraf, signatures.
async fn to_step7(app: &TestApp) -> Flow {
    app.store
        .ensure_definition(app.unit.id, LAKSANA_SOP, app.clock_now())
        .await
        .expect("store version 3");
    add_official(
        app,
        "kepala-dinas",
        "Ir. Ma'ruf Hidayat, M.Si.",
        "196811201994031002",
        "kadis",
    )
    .await;
    add_official(
        app,
        "kepala-bidang",
        "Drs. Bambang Sutrisno",
        "197205101998031004",
        "kabid",
    )
    .await;
    let (jfu_t, kabid_t, kadis_t, staf_t) = (
        app.api_login("jfu").await,
        app.api_login("kabid").await,
        app.api_login("kadis").await,
        app.api_login("staf").await,
    );
    let id = app.create_training(&jfu_t, TITLE).await["id"]
        .as_i64()
        .unwrap();
    let (jfu, kabid, kadis, staf) = (
        app.page_login("jfu").await,
        app.page_login("kabid").await,
        app.page_login("kadis").await,
        app.page_login("staf").await,
    );
    let jfu_user = app.store.user_by_username("jfu").await.unwrap();
    let plan: laksana_domain::WorkPlan = serde_json::from_value(plan_json()).unwrap();
    app.store
        .save_work_plan(&app.unit, &jfu_user, id, &plan, app.clock_now())
        .await
        .unwrap();
    app.complete_ok(&jfu_t, task(app, &jfu_t, id).await, None, None)
        .await;
    app.complete_ok(
        &kabid_t,
        task(app, &kabid_t, id).await,
        Some("approve"),
        None,
    )
    .await;
    app.complete_ok(&kadis_t, task(app, &kadis_t, id).await, None, None)
        .await;
    let res = post_form(app, &jfu, &format!("/pelatihan/{id}/naskah/konsep"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "drafts");
    let docs = app
        .store
        .documents_of_training(app.unit.id, id)
        .await
        .unwrap();
    let doc = |kind: &str| {
        docs.iter()
            .find(|d| d.kind == kind)
            .unwrap_or_else(|| {
                panic!(
                    "no {kind} among {:?}",
                    docs.iter().map(|d| &d.kind).collect::<Vec<_>>()
                )
            })
            .id
    };
    let (undangan, pengantar, sk) = (doc("undangan"), doc("surat_pengantar"), doc("sk_panitia"));
    app.complete_ok(&jfu_t, task(app, &jfu_t, id).await, None, None)
        .await;
    for d in [undangan, sk] {
        let res = post_form(
            app,
            &kabid,
            &format!("/pelatihan/{id}/naskah/{d}/paraf"),
            &[],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "paraf {d}");
    }
    let res = post_form(
        app,
        &kabid,
        &format!("/pelatihan/{id}/naskah/{pengantar}/tandatangan"),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign pengantar");
    app.complete_ok(
        &kabid_t,
        task(app, &kabid_t, id).await,
        Some("approve"),
        None,
    )
    .await;
    for d in [undangan, sk] {
        let res = post_form(
            app,
            &kadis,
            &format!("/pelatihan/{id}/naskah/{d}/tandatangan"),
            &[],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign {d}");
    }
    app.complete_ok(&kadis_t, task(app, &kadis_t, id).await, None, None)
        .await;
    let t = app.training(&staf_t, id).await;
    assert_eq!(t["current_step"], 7, "distribution is next: {t}");
    Flow { id, staf_t, staf }
}

/// Invites the three Kabupaten/Kota through the store (setup for the tests that are not about it).
async fn invite(app: &TestApp, id: i64) -> Vec<Recipient> {
    let staf = app.store.user_by_username("staf").await.unwrap();
    let r = |code: &str, name: &str, quota: u32, email: &str| NewRecipient {
        region_code: code.into(),
        region_name: name.into(),
        quota,
        email: email.into(),
        ..Default::default()
    };
    app.store
        .add_recipients(
            &app.unit,
            &staf,
            id,
            &[
                r("3201", "Kabupaten Bogor", 2, BOGOR_MAIL),
                r("3273", "Kota Bandung", 2, BANDUNG_MAIL),
                r("3374", "Kota Semarang", 1, SEMARANG_MAIL),
            ],
            app.clock_now(),
        )
        .await
        .unwrap();
    app.store.recipients(app.unit.id, id).await.unwrap()
}

async fn count(app: &TestApp, id: i64) -> usize {
    app.store.nominations(app.unit.id, id).await.unwrap().len()
}

async fn count_of(app: &TestApp, id: i64, rid: i64) -> usize {
    app.store
        .nominations(app.unit.id, id)
        .await
        .unwrap()
        .iter()
        .filter(|n| n.recipient_id == rid)
        .count()
}

/// Issues an operator link through the Staf's button; returns the secret shown once on the page.
async fn issue_link(app: &TestApp, flow: &Flow, rid: i64) -> String {
    let res = post_form(
        app,
        &flow.staf,
        &format!("/pelatihan/{}/jawaban/{rid}/tautan", flow.id),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    link_secret(&html).unwrap_or_else(|| panic!("no link on the page:\n{html}"))
}

fn mailer(port: u16) -> laksana_mail::Mailer {
    let settings = laksana_mail::SmtpSettings::parse(
        &format!("smtp://127.0.0.1:{port}"),
        "BLK Uji <noreply@blk-uji.go.id>",
    )
    .unwrap();
    laksana_mail::Mailer::new(&settings).unwrap()
}

fn state_of(app: &TestApp) -> laksana_web::AppState {
    laksana_web::AppState {
        store: app.store.clone(),
        clock: app.clock.clone(),
        demo: false,
        secure_cookies: false,
        public_base_url: app.address.clone(),
        mail_wake: None,
        security: Default::default(),
    }
}

/// Uploads a spreadsheet for a recipient; returns the answer as it is.
async fn upload(
    app: &TestApp,
    flow: &Flow,
    rid: i64,
    name: &str,
    mime: &str,
    bytes: &[u8],
) -> Response {
    let csrf = app.page_csrf(&flow.staf).await;
    Multi::new()
        .text("csrf", &csrf)
        .file("berkas", name, mime, bytes)
        .post(
            app,
            &flow.staf,
            &format!("/pelatihan/{}/jawaban/{rid}/unggah", flow.id),
        )
        .await
}

/// The hidden `kolom_*` inputs of the preview's save form.
fn mapping_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (at, _) in html.match_indices("<input type=\"hidden\" name=\"kolom_") {
        let rest = &html[at + "<input type=\"hidden\" name=\"".len()..];
        let name_end = rest.find('"').unwrap();
        let name = rest[..name_end].to_string();
        let vrest = &rest[rest.find("value=\"").unwrap() + 7..];
        let value = vrest[..vrest.find('"').unwrap()].to_string();
        out.push((name, value));
    }
    out
}

/// Saves a preview with `mode`; returns the answer.
async fn save_preview(
    app: &TestApp,
    flow: &Flow,
    preview_path: &str,
    preview_html: &str,
    mode: &str,
    letter: &str,
) -> Response {
    let csrf = app.page_csrf(&flow.staf).await;
    let mut m = Multi::new().text("csrf", &csrf).text("mode", mode);
    for (k, v) in mapping_fields(preview_html) {
        m = m.text(&k, &v);
    }
    m.text("nomor_surat", letter)
        .text("tanggal_surat", "2026-12-03")
        .post(app, &flow.staf, &format!("{preview_path}/simpan"))
        .await
}

// ---------------------------------------------------------------------------------------------
// 1. the story
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn undangan_go_out_with_proofs_and_three_kabupaten_reply_three_ways() {
    let app = TestApp::spawn().await;
    let flow = to_step7(&app).await;
    let id = flow.id;
    let staf = &flow.staf;
    let (rx, port) = laksana_mail::testing::SmtpReceiver::start().await;
    let mailer = mailer(port);

    // The three Kabupaten/Kota come from the work plan's quotas; then each gets its e-mail.
    let res = post_form(
        &app,
        staf,
        &format!("/pelatihan/{id}/distribusi/tambah"),
        &[("sumber", "rencana")],
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let list = app.store.recipients(app.unit.id, id).await.unwrap();
    let got: Vec<(&str, &str, u32)> = list
        .iter()
        .map(|r| (r.region_code.as_str(), r.region_name.as_str(), r.quota))
        .collect();
    assert_eq!(
        got,
        vec![
            ("3201", "Kabupaten Bogor", 2),
            ("3273", "Kota Bandung", 2),
            ("3374", "Kota Semarang", 1)
        ]
    );
    let (a, b, c) = (list[0].id, list[1].id, list[2].id);
    for (rid, quota, email) in [
        (a, "2", BOGOR_MAIL),
        (b, "2", BANDUNG_MAIL),
        (c, "1", SEMARANG_MAIL),
    ] {
        let res = post_form(
            &app,
            staf,
            &format!("/pelatihan/{id}/distribusi/{rid}/ubah"),
            &[
                ("kuota", quota),
                ("alamat", ""),
                ("email", email),
                ("telepon", "0251 8321075"),
                ("narahubung", "Operator"),
            ],
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "update {rid}");
    }

    // Step 7 cannot complete while nobody has a proof; the page names who has none.
    let step7 = task(&app, &flow.staf_t, id).await;
    let body = expect_problem(
        app.complete(&flow.staf_t, step7, None, None).await,
        StatusCode::CONFLICT,
        "guard_not_met",
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("bukti pengiriman undangan"),
        "{body}"
    );
    let (status, html) = app.page(staf, &format!("/pelatihan/{id}/distribusi")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Belum ada bukti: Kabupaten Bogor, Kota Bandung, Kota Semarang"),
        "{html}"
    );

    // Kabupaten Bogor by e-mail: the outbox holds the undangan until the worker sends it.
    let csrf = app.page_csrf(staf).await;
    let res = Multi::new()
        .text("csrf", &csrf)
        .text("cara", "email")
        .text("dikirim", "2026-12-02T09:00")
        .text("referensi", "")
        .text("jenis_bukti", "")
        .post(&app, staf, &format!("/pelatihan/{id}/distribusi/{a}/kirim"))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let outbox = app.store.outbox_of_unit(app.unit.id, 50).await.unwrap();
    let queued: Vec<_> = outbox
        .iter()
        .filter(|m| m.to_address == BOGOR_MAIL && m.kind == "undangan")
        .collect();
    assert_eq!(queued.len(), 1, "{outbox:?}");
    assert!(queued[0].sent_at.is_none());
    assert_eq!(queued[0].subject, format!("Undangan pelatihan: {TITLE}"));
    let r = app.store.recipient(app.unit.id, a).await.unwrap();
    assert!(
        !r.dispatch_state().is_settled(),
        "a queued e-mail is not yet a proof"
    );
    let (_, html) = app.page(staf, &format!("/pelatihan/{id}")).await;
    assert!(html.contains("0 dari 3 tujuan punya bukti"), "{html}");
    let sent = laksana_mail::send_once(&app.store, &mailer, "uji", app.clock_now())
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let mails = rx.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_to, vec![BOGOR_MAIL.to_string()]);
    assert_eq!(
        mails[0].subject().as_deref(),
        Some(format!("Undangan pelatihan: {TITLE}").as_str())
    );
    let text = mails[0].text_body().unwrap();
    let secret_a = link_secret(&text).unwrap_or_else(|| panic!("no link in the mail:\n{text}"));
    assert!(
        text.contains(&format!("{}/undangan/{secret_a}", app.address)),
        "{text}"
    );
    let r = app.store.recipient(app.unit.id, a).await.unwrap();
    assert!(
        r.dispatch_state().is_settled(),
        "the delivered e-mail is the proof"
    );
    // The worker's delivery is in the audit chain, and the training page (kept until the
    // unit's chain moves) shows it.
    let (_, html) = app.page(staf, &format!("/pelatihan/{id}")).await;
    assert!(html.contains("1 dari 3 tujuan punya bukti"), "{html}");
    let (_, html) = app.page(staf, &format!("/pelatihan/{id}/riwayat")).await;
    assert!(
        html.contains("Undangan terkirim lewat surel")
            && html.contains(&format!(
                "Undangan untuk Kabupaten Bogor terkirim lewat surel ke {BOGOR_MAIL}"
            )),
        "{html}"
    );

    // Kota Bandung by pos with a scanned tanda terima; Kota Semarang by kurir, confirmed.
    let pdf = b"%PDF-1.4\n% tanda terima pos\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    let csrf = app.page_csrf(staf).await;
    let res = Multi::new()
        .text("csrf", &csrf)
        .text("cara", "pos")
        .text("dikirim", "2026-12-02T08:30")
        .text("referensi", "RR123456789ID")
        .text("jenis_bukti", "tanda-terima")
        .file("bukti", "tanda-terima.pdf", "application/pdf", pdf)
        .text("catatan_bukti", "")
        .post(&app, staf, &format!("/pelatihan/{id}/distribusi/{b}/kirim"))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let res = Multi::new()
        .text("csrf", &csrf)
        .text("cara", "kurir")
        .text("dikirim", "2026-12-02T08:45")
        .text("referensi", "JNE-0042")
        .text("jenis_bukti", "konfirmasi")
        .text(
            "catatan_bukti",
            "Diterima Bapak Slamet (Disnaker) lewat telepon, 2 Desember 2026",
        )
        .post(&app, staf, &format!("/pelatihan/{id}/distribusi/{c}/kirim"))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let (_, html) = app.page(staf, &format!("/pelatihan/{id}/distribusi")).await;
    assert!(
        html.contains("Semua tujuan punya bukti pengiriman atau dicatat gagal."),
        "{html}"
    );
    let dispatches = app.store.dispatches(app.unit.id, id).await.unwrap();
    assert_eq!(dispatches.len(), 3);
    let pos = dispatches.iter().find(|d| d.method == "pos").unwrap();
    let res = staf
        .get(app.url(&format!("/pelatihan/{id}/distribusi/bukti/{}", pos.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(&res.bytes().await.unwrap()[..], &pdf[..]);

    // Now step 7 completes, and step 8 is due at the plan's reply deadline, at office close.
    app.complete_ok(&flow.staf_t, step7, None, None).await;
    let detail = app.store.training_detail(app.unit.id, id).await.unwrap();
    let run = detail.active_run().expect("step 8 runs");
    assert_eq!(run.step_no, 8);
    let close = app.store.close_of(batas_balasan(), app.unit.zone);
    assert_eq!(
        run.due_at,
        Some(close),
        "step 8 is due at the reply deadline"
    );
    let local = close.with_timezone(&app.unit.zone.offset());
    assert_eq!(local.date_naive(), batas_balasan());
    assert_ne!(
        local.format("%H:%M").to_string(),
        "23:59",
        "the office's closing hour"
    );
    let step8 = task(&app, &flow.staf_t, id).await;
    expect_problem(
        app.complete(&flow.staf_t, step8, None, None).await,
        StatusCode::CONFLICT,
        "guard_not_met",
    )
    .await;

    // Kabupaten Bogor replies through the link, without any session: three candidates.
    let operator = cookieless();
    let res = operator
        .get(app.url(&format!("/undangan/{secret_a}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
    let html = res.text().await.unwrap();
    assert!(html.contains("Calon peserta Kabupaten Bogor"), "{html}");
    let link_csrf = hidden_csrf(&html);
    let candidates = [
        ("3201011505980001", "Budi Santoso", "1998-05-15", "L", "sma"),
        ("3201015208990002", "Siti Aminah", "1999-08-12", "P", "d3"),
        ("3201010101000003", "Andi Pratama", "2000-01-01", "L", "smp"),
    ];
    for (i, (nik, nama, born, sex, edu)) in candidates.iter().enumerate() {
        let mut m = Multi::new().text("csrf", &link_csrf);
        if i == 0 {
            m = m
                .text("nomor_surat", "560/412/Disnaker")
                .text("tanggal_surat", "2026-12-03");
        }
        let res = m
            .person(nik, nama, born, sex, edu)
            .post(&app, &operator, &format!("/undangan/{secret_a}/calon"))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "{nama}: {}",
            res.text().await.unwrap()
        );
        assert_eq!(location(&res), format!("/undangan/{secret_a}?ok=simpan"));
    }
    assert_eq!(count_of(&app, id, a).await, 3);
    let (_, html) = app.page(&operator, &format!("/undangan/{secret_a}")).await;
    let html = unescape(&html);
    assert!(html.contains("Calon yang sudah tercatat (3)"), "{html}");
    assert_eq!(html.matches(">Utama<").count(), 2, "{html}");
    assert!(html.contains(">Cadangan 1<"), "beyond the quota: {html}");
    let replies = app.store.replies(app.unit.id, id).await.unwrap();
    assert!(
        replies.iter().any(|r| r.recipient_id == a
            && r.via == "tautan"
            && r.letter_number == "560/412/Disnaker"),
        "{replies:?}"
    );

    // Kota Bandung sends a CSV (UTF-8 with BOM, ";", dd/mm/yyyy, an apostrophe, a NIK with a
    // trailing space, and Budi Santoso again, already nominated by Bogor).
    let csv =
        "\u{FEFF}NIK;Nama Lengkap;Tempat Lahir;Tanggal Lahir;Jenis Kelamin;Pendidikan Terakhir\r\n\
               3273014204970004 ;Ni Luh Putu Sri'ani;Denpasar;02/04/1997;P;S1\r\n\
               3273012306960005;Agus Wijaya;Bandung;23/06/1996;L;SMA\r\n\
               3201011505980001;Budi Santoso;Bogor;15/05/1998;L;SMA\r\n";
    let res = upload(
        &app,
        &flow,
        b,
        "calon-bandung.csv",
        "text/csv",
        csv.as_bytes(),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let preview_path = location(&res);
    assert!(
        preview_path.starts_with(&format!("/pelatihan/{id}/jawaban/{b}/unggah/")),
        "{preview_path}"
    );
    assert_eq!(
        count_of(&app, id, b).await,
        0,
        "nothing saved before the preview is accepted"
    );
    let (status, html) = app.page(staf, &preview_path).await;
    assert_eq!(status, StatusCode::OK);
    let text = unescape(&html);
    assert!(
        text.contains("3 baris, <strong>3</strong> benar, <strong>0</strong> bermasalah"),
        "{text}"
    );
    assert!(text.contains("Ni Luh Putu Sri'ani"), "{text}");
    assert!(text.contains("pemisah \";\""), "{text}");
    let res = save_preview(
        &app,
        &flow,
        &preview_path,
        &html,
        "semua",
        "560/77/Disnaker",
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(
        location(&res),
        format!("/pelatihan/{id}/jawaban/{b}?ok=impor")
    );
    let noms = app.store.nominations(app.unit.id, id).await.unwrap();
    let mine: Vec<_> = noms.iter().filter(|n| n.recipient_id == b).collect();
    assert_eq!(mine.len(), 3);
    let sri = mine
        .iter()
        .find(|n| n.nama == "Ni Luh Putu Sri'ani")
        .expect("the apostrophe is kept");
    assert_eq!(sri.nik, "3273014204970004", "the trailing space is gone");
    let data: serde_json::Value = serde_json::from_str(&sri.data).unwrap();
    assert_eq!(
        data["tanggal_lahir"], "1997-04-02",
        "dd/mm/yyyy read as such"
    );
    let (_, html) = app.page(staf, &format!("/pelatihan/{id}/peserta")).await;
    let text = unescape(&html);
    assert!(
        text.contains("Ganda (sama dengan no. 1, Kabupaten Bogor)"),
        "{text}"
    );

    // Kota Semarang does not reply: the Staf's reminder reaches it with a working link.
    let res = post_form(
        &app,
        staf,
        &format!("/pelatihan/{id}/jawaban/pengingat"),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Pengingat dimasukkan ke kotak keluar untuk: Kota Semarang."),
        "only the one that has not replied: {html}"
    );
    let sent = laksana_mail::send_once(&app.store, &mailer, "uji", app.clock_now())
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let mails = rx.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 2);
    let reminder = &mails[1];
    assert_eq!(reminder.rcpt_to, vec![SEMARANG_MAIL.to_string()]);
    assert_eq!(
        reminder.subject().as_deref(),
        Some(format!("Pengingat: balasan undangan pelatihan {TITLE}").as_str())
    );
    let body = reminder.text_body().unwrap();
    let secret_c = link_secret(&body).unwrap_or_else(|| panic!("no link:\n{body}"));
    let (status, html) = app
        .page(&cookieless(), &format!("/undangan/{secret_c}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Calon peserta Kota Semarang"), "{html}");

    // On the deadline's morning the automatic sweep reminds Semarang once more, and only it.
    app.set_time(wib(2026, 12, 18, 10, 0));
    let state = state_of(&app);
    assert_eq!(laksana_web::reminders::sweep(&state).await, 1);
    assert_eq!(
        laksana_web::reminders::sweep(&state).await,
        0,
        "once per training"
    );
    let sent = laksana_mail::send_once(&app.store, &mailer, "uji", app.clock_now())
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let mails = rx.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 3);
    assert_eq!(mails[2].rcpt_to, vec![SEMARANG_MAIL.to_string()]);
    assert!(mails[2]
        .subject()
        .unwrap()
        .starts_with("Pengingat: balasan undangan pelatihan"));

    // Sixteen days on, the sessions have ended: the Staf logs in again.
    let staf = &app.page_login("staf").await;
    let staf_t = app.api_login("staf").await;

    // The XLSX export keeps every NIK as 16-digit text.
    let res = staf
        .get(app.url(&format!("/pelatihan/{id}/peserta.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"));
    let table = laksana_nomination::read_table(&bytes, "peserta.xlsx").expect("the export reads");
    assert_eq!(table.headers[1], "NIK");
    let niks: Vec<String> = table
        .rows
        .iter()
        .map(|r| match &r.cells[1] {
            laksana_nomination::Cell::Text(t) => t.clone(),
            other => panic!("NIK cell on line {} is not text: {other:?}", r.line),
        })
        .collect();
    assert_eq!(niks.len(), 6, "every candidate: {niks:?}");
    for nik in &niks {
        assert!(
            nik.len() == 16 && nik.bytes().all(|b| b.is_ascii_digit()),
            "{nik}"
        );
    }
    let mut got: Vec<&str> = niks.iter().map(String::as_str).collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            "3201010101000003",
            "3201011505980001",
            "3201011505980001",
            "3201015208990002",
            "3273012306960005",
            "3273014204970004"
        ]
    );

    // The CSV export is for Excel on an Indonesian Windows; the printable list is a PDF.
    let res = staf
        .get(app.url(&format!("/pelatihan/{id}/peserta.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csv = res.bytes().await.unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBFNo;NIK;"), "{:?}", &csv[..20]);
    assert!(String::from_utf8_lossy(&csv).contains("Ni Luh Putu Sri'ani"));
    let res = staf
        .get(app.url(&format!("/pelatihan/{id}/jawaban/{a}/daftar.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF-"));

    // With candidates in, step 8 completes.
    app.set_time(wib(2026, 12, 18, 15, 0));
    app.complete_ok(&staf_t, step8, None, None).await;
}

// ---------------------------------------------------------------------------------------------
// 2. bad input: refused with a message, nothing saved
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_are_not_spreadsheets_or_too_large_are_refused_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let flow = to_step7(&app).await;
    let id = flow.id;
    let list = invite(&app, id).await;
    let b = list[1].id;

    // PNG bytes with a spreadsheet's name.
    let png = [
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0,
        0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
    ];
    let res = upload(
        &app,
        &flow,
        b,
        "calon.xlsx",
        "application/vnd.ms-excel",
        &png,
    )
    .await;
    // Laksana answers refused input with 422 throughout (`AppError::bad_request`).
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&res.text().await.unwrap());
    assert!(
        html.contains("bukan lembar kerja") && html.contains("gambar PNG"),
        "{html}"
    );
    assert!(html.contains("Tidak ada yang disimpan"), "{html}");
    assert_eq!(count(&app, id).await, 0);

    // One byte over 20 MiB.
    let big = vec![b'a'; 20 * 1024 * 1024 + 1];
    let res = upload(&app, &flow, b, "besar.csv", "text/csv", &big).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = unescape(&res.text().await.unwrap());
    assert!(
        html.contains("terlalu besar") && html.contains("tidak ada yang disimpan"),
        "{html}"
    );
    assert_eq!(count(&app, id).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quoted_newline_inside_a_name_does_not_shift_the_rows() {
    let app = TestApp::spawn().await;
    let flow = to_step7(&app).await;
    let id = flow.id;
    let list = invite(&app, id).await;
    let b = list[1].id;
    let csv = "NIK;Nama Lengkap;Tanggal Lahir;Jenis Kelamin\n\
               3273014204970004;\"Ni Luh Putu\nSri'ani\";02/04/1997;P\n\
               3273012306960005;Agus Wijaya;23/06/1996;L\n";
    let res = upload(&app, &flow, b, "calon.csv", "text/csv", csv.as_bytes()).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let preview = location(&res);
    let (status, html) = app.page(&flow.staf, &preview).await;
    assert_eq!(status, StatusCode::OK);
    let text = unescape(&html);
    assert!(text.contains("2 baris,"), "two people, not three: {text}");
    // The second person keeps its own NIK and name, on the row the spreadsheet shows (3).
    assert!(
        text.contains("<td>3</td><td><code>3273012306960005</code></td><td>Agus Wijaya</td>"),
        "{text}"
    );
    assert!(
        text.contains(
            "<td>2</td><td><code>3273014204970004</code></td><td>Ni Luh Putu\nSri'ani</td>"
        ),
        "the first person is read whole: {text}"
    );
    assert_eq!(count(&app, id).await, 0, "a preview saves nothing");

    // Saved, each person keeps its own NIK and name.
    let res = save_preview(&app, &flow, &preview, &html, "semua", "").await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let noms = app.store.nominations(app.unit.id, id).await.unwrap();
    let pairs: Vec<(&str, &str)> = noms
        .iter()
        .map(|n| (n.nik.as_str(), n.nama.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("3273014204970004", "Ni Luh Putu\nSri'ani"),
            ("3273012306960005", "Agus Wijaya")
        ]
    );
}

/// A CSV of `rows` people, the ones at `bad` with an impossible NIK birth day (32).
fn big_csv(rows: usize, bad: &[usize]) -> String {
    let mut s = String::with_capacity(rows * 60);
    s.push_str("NIK;Nama Lengkap;Tanggal Lahir;Jenis Kelamin\n");
    for i in 0..rows {
        // Two birth dates, 5,000 serials each: 10,000 distinct NIKs.
        let (ddmmyy, born) = if i < 5000 {
            ("150598", "15/05/1998")
        } else {
            ("230696", "23/06/1996")
        };
        let serial = i % 5000 + 1;
        if bad.contains(&i) {
            s.push_str(&format!("327301320598{serial:04};Peserta {i};{born};L\n"));
        } else {
            s.push_str(&format!("327301{ddmmyy}{serial:04};Peserta {i};{born};L\n"));
        }
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_rows_with_37_bad_are_saved_only_as_the_good_ones_when_asked() {
    let app = TestApp::spawn().await;
    let flow = to_step7(&app).await;
    let id = flow.id;
    let list = invite(&app, id).await;
    let b = list[1].id;
    let bad: Vec<usize> = (0..37).map(|k| 5 + k * 270).collect();
    let csv = big_csv(10_000, &bad);
    let res = upload(
        &app,
        &flow,
        b,
        "sepuluh-ribu.csv",
        "text/csv",
        csv.as_bytes(),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let preview = location(&res);
    let (status, html) = app.page(&flow.staf, &preview).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("10000 baris, <strong>9963</strong> benar, <strong>37</strong> bermasalah"),
        "{}",
        &html[..html.len().min(4000)]
    );
    assert!(
        html.contains("bagian tanggal lahir NIK"),
        "the reason is shown"
    );

    // "Save all" is refused while rows have errors, naming the rows; nothing is saved.
    let res = save_preview(&app, &flow, &preview, &html, "semua", "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = unescape(&res.text().await.unwrap());
    assert!(text.contains("37 baris bermasalah"), "{text}");
    assert!(text.contains("baris 7,"), "CSV line of row 5: {text}");
    assert_eq!(count(&app, id).await, 0);

    // "Only the good rows" saves 9,963; a second click adds nobody.
    let res = save_preview(&app, &flow, &preview, &html, "baik", "560/1/Disnaker").await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(count_of(&app, id, b).await, 9963);
    let res = save_preview(&app, &flow, &preview, &html, "baik", "560/1/Disnaker").await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_eq!(count_of(&app, id, b).await, 9963);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_are_scoped_to_one_kabupaten_and_close_at_the_deadline() {
    let app = TestApp::spawn().await;
    let flow = to_step7(&app).await;
    let id = flow.id;
    let list = invite(&app, id).await;
    let (a, b) = (list[0].id, list[1].id);
    let secret_a = issue_link(&app, &flow, a).await;
    let secret_b = issue_link(&app, &flow, b).await;
    let operator = cookieless();

    // A guessed token: 64 hex digits, but nobody's.
    let guess = "0123456789abcdef".repeat(4);
    let res = operator
        .get(app.url(&format!("/undangan/{guess}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Tautan ini tidak dikenal"));
    let res = Multi::new()
        .text("csrf", "x")
        .person("3201011505980001", "Budi Santoso", "1998-05-15", "L", "sma")
        .post(&app, &operator, &format!("/undangan/{guess}/calon"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(count(&app, id).await, 0);

    // Kota Bandung nominates through its own link.
    let (_, html) = app.page(&operator, &format!("/undangan/{secret_b}")).await;
    let csrf_b = hidden_csrf(&html);
    let res = Multi::new()
        .text("csrf", &csrf_b)
        .person("3273012306960005", "Agus Wijaya", "1996-06-23", "L", "sma")
        .post(&app, &operator, &format!("/undangan/{secret_b}/calon"))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let before = app.store.nominations(app.unit.id, id).await.unwrap();
    assert_eq!(before.len(), 1);
    let agus = before[0].clone();
    // Bandung has answered through its link, without a reply letter: the replies page and the
    // dashboard both count it.
    let bandung = app.store.recipient(app.unit.id, b).await.unwrap();
    assert!(bandung.has_replied() && bandung.first_reply_at.is_some());
    let dashboard = app
        .store
        .dashboard(
            &app.store.unit(app.unit.id).await.unwrap(),
            &Default::default(),
            app.clock_now(),
        )
        .await
        .unwrap();
    let figures = dashboard.regions.iter().find(|r| r.code == "3273").unwrap();
    assert_eq!(
        (figures.invited, figures.answered, figures.participants),
        (1, 1, 1)
    );

    // Bogor's link cannot reach Bandung's candidate: not there, and unchanged.
    let (_, html) = app.page(&operator, &format!("/undangan/{secret_a}")).await;
    let csrf_a = hidden_csrf(&html);
    let res = Multi::new()
        .text("csrf", &csrf_a)
        .person(
            "3201011505980001",
            "Diganti Orang Lain",
            "1998-05-15",
            "L",
            "sma",
        )
        .post(
            &app,
            &operator,
            &format!("/undangan/{secret_a}/calon/{}", agus.id),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = operator
        .post(app.url(&format!("/undangan/{secret_a}/calon/{}/tarik", agus.id)))
        .form(&[("csrf", csrf_a.as_str()), ("alasan", "iseng")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let after = app.store.nomination(app.unit.id, agus.id).await.unwrap();
    assert_eq!(after.nama, "Agus Wijaya");
    assert_eq!(after.nik, agus.nik);
    assert_eq!(after.data, agus.data);
    assert!(after.withdrawn_at.is_none());

    // A new link replaces the old one: the old secret is no longer known.
    let renewed_a = issue_link(&app, &flow, a).await;
    assert_ne!(renewed_a, secret_a);
    let (status, html) = app.page(&operator, &format!("/undangan/{secret_a}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Tautan ini tidak dikenal"), "{html}");
    let secret_a = renewed_a;
    let (_, html) = app.page(&operator, &format!("/undangan/{secret_a}")).await;
    let csrf_a = hidden_csrf(&html);

    // Past the reply deadline the link shows it is closed and refuses to save.
    app.set_time(wib(2026, 12, 18, 23, 30));
    let (status, html) = app.page(&operator, &format!("/undangan/{secret_a}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Batas waktu balasan sudah lewat"),
        "the page says it is closed: {html}"
    );
    assert!(
        !html.contains("Tambah calon peserta"),
        "no form once closed"
    );
    let res = Multi::new()
        .text("csrf", &csrf_a)
        .person("3201011505980001", "Budi Santoso", "1998-05-15", "L", "sma")
        .post(&app, &operator, &format!("/undangan/{secret_a}/calon"))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Tidak ada yang disimpan"));
    assert_eq!(count(&app, id).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_refuses_an_impossible_nik_and_derives_the_sex_of_a_woman() {
    let app = TestApp::spawn().await;
    let flow = to_step7(&app).await;
    let id = flow.id;
    let list = invite(&app, id).await;
    let a = list[0].id;
    let path = format!("/pelatihan/{id}/jawaban/{a}/calon");

    // Day 32 in the NIK: 422, the message names the birth-date part, nothing saved.
    let csrf = app.page_csrf(&flow.staf).await;
    let res = Multi::new()
        .text("csrf", &csrf)
        .person("3201013205980001", "Budi Santoso", "", "", "sma")
        .post(&app, &flow.staf, &path)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&res.text().await.unwrap());
    assert!(
        html.contains("bagian tanggal lahir NIK (digit 7–12, \"320598\")"),
        "{html}"
    );
    assert!(html.contains("Belum disimpan"), "{html}");
    assert!(
        html.contains("value=\"Budi Santoso\""),
        "the form keeps what was typed"
    );
    assert_eq!(count(&app, id).await, 0);

    // A woman's NIK (day + 40) with the sex left empty: accepted, P from the NIK.
    let res = Multi::new()
        .text("csrf", &csrf)
        .person("3201015208990002", "Siti Aminah", "", "", "d3")
        .post(&app, &flow.staf, &path)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let noms = app.store.nominations(app.unit.id, id).await.unwrap();
    assert_eq!(noms.len(), 1);
    let data: serde_json::Value = serde_json::from_str(&noms[0].data).unwrap();
    assert_eq!(data["jenis_kelamin"], "perempuan", "{data}");
    assert_eq!(data["tanggal_lahir"], "1999-08-12", "{data}");
    let (_, html) = app
        .page(&flow.staf, &format!("/pelatihan/{id}/jawaban/{a}"))
        .await;
    assert!(
        html.contains("<td><code>3201015208990002</code></td><td>Siti Aminah</td><td>P</td>"),
        "{html}"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. access
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_staf_adds_recipients_and_proofs_download_as_attachments() {
    let app = TestApp::spawn().await;
    let flow = to_step7(&app).await;
    let id = flow.id;
    let fields = [("sumber", "wilayah"), ("kode", "3201"), ("kuota_3201", "5")];

    // The JFU (no Staf role) is refused and nothing is added.
    let jfu = app.page_login("jfu").await;
    let res = post_form(
        &app,
        &jfu,
        &format!("/pelatihan/{id}/distribusi/tambah"),
        &fields,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app
        .store
        .recipients(app.unit.id, id)
        .await
        .unwrap()
        .is_empty());
    // Nor can he record a dispatch for a recipient the Staf added.
    let res = post_form(
        &app,
        &flow.staf,
        &format!("/pelatihan/{id}/distribusi/tambah"),
        &fields,
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let list = app.store.recipients(app.unit.id, id).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].region_code.as_str(), list[0].quota), ("3201", 5));
    let rid = list[0].id;
    let png = [
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];
    let csrf = app.page_csrf(&jfu).await;
    let res = Multi::new()
        .text("csrf", &csrf)
        .text("cara", "langsung")
        .text("jenis_bukti", "tanda-terima")
        .file("bukti", "foto.png", "image/png", &png)
        .post(
            &app,
            &jfu,
            &format!("/pelatihan/{id}/distribusi/{rid}/kirim"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app
        .store
        .dispatches(app.unit.id, id)
        .await
        .unwrap()
        .is_empty());

    // The Staf records it; the proof downloads as an attachment, never inline.
    let csrf = app.page_csrf(&flow.staf).await;
    let res = Multi::new()
        .text("csrf", &csrf)
        .text("cara", "langsung")
        .text("jenis_bukti", "tanda-terima")
        .file("bukti", "foto \"tanda\" terima.png", "image/png", &png)
        .post(
            &app,
            &flow.staf,
            &format!("/pelatihan/{id}/distribusi/{rid}/kirim"),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let d = app.store.dispatches(app.unit.id, id).await.unwrap();
    assert_eq!(d.len(), 1);
    let res = flow
        .staf
        .get(app.url(&format!("/pelatihan/{id}/distribusi/bukti/{}", d[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[CONTENT_TYPE], "image/png");
    let disposition = res.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert_eq!(
        disposition.matches('"').count(),
        2,
        "the file name cannot break out of its quotes: {disposition}"
    );
    assert_eq!(&res.bytes().await.unwrap()[..], &png[..]);
    // Someone without a session gets no proof.
    let res = cookieless()
        .get(app.url(&format!("/pelatihan/{id}/distribusi/bukti/{}", d[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "to the login page");
}

/// Replies registered at the same moment by several Staf (or several app servers on one
/// PostgreSQL database) still get consecutive agenda numbers, and their candidates consecutive
/// arrival numbers: none of them fails on another's number.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_replies_get_consecutive_agenda_and_arrival_numbers() {
    let app = TestApp::spawn().await;
    let id = app.training_at(TITLE, laksana_store::REPLY_STEP_KEY).await;
    let recipients = app.store.recipients(app.unit.id, id).await.unwrap();
    assert!(!recipients.is_empty());
    let staf = app.store.user_by_username("staf").await.unwrap();
    let (replies_before, nominations_before) = (
        app.store.replies(app.unit.id, id).await.unwrap().len() as i64,
        app.store.nominations(app.unit.id, id).await.unwrap().len() as i64,
    );
    let now = app.clock_now();
    let saves = (0..12).map(|i| {
        let (store, unit, staf) = (app.store.clone(), app.unit.clone(), staf.clone());
        let r = recipients[i % recipients.len()].clone();
        tokio::spawn(async move {
            let candidates: Vec<laksana_store::NewNomination> = (0..2)
                .map(|k| {
                    let nik = format!("{}{:02}0101{:02}{:04}", r.region_code, 1 + k, 95, 200 + i);
                    laksana_store::NewNomination {
                        nik: nik.clone(),
                        nama: format!("Calon {i}-{k}"),
                        data: serde_json::json!({ "nik": nik, "nama": format!("Calon {i}-{k}") })
                            .to_string(),
                    }
                })
                .collect();
            let reply = laksana_store::NewReply {
                letter_number: format!("560/{i}/Disnaker/2026"),
                letter_date: None,
                subject: String::new(),
                file: None,
                via: "form",
            };
            store
                .register_reply(
                    &unit,
                    laksana_store::NominationActor::User(&staf),
                    r.id,
                    Some(&reply),
                    &candidates,
                    now,
                )
                .await
        })
    });
    for saved in futures::future::join_all(saves).await {
        saved.unwrap().expect("every concurrent reply is saved");
    }
    let mut agenda: Vec<i64> = app
        .store
        .replies(app.unit.id, id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.agenda_seq)
        .collect();
    agenda.sort();
    assert_eq!(
        agenda,
        (1..=replies_before + 12).collect::<Vec<_>>(),
        "agenda numbers without a gap"
    );
    let mut seqs: Vec<i64> = app
        .store
        .nominations(app.unit.id, id)
        .await
        .unwrap()
        .iter()
        .map(|n| n.seq)
        .collect();
    seqs.sort();
    assert_eq!(
        seqs,
        (1..=nominations_before + 24).collect::<Vec<_>>(),
        "arrival order without a gap"
    );
}

/// A Kabupaten/Kota taken off the list by mistake can be put back: from the plan or by hand.
#[tokio::test]
async fn a_removed_recipient_can_be_added_again() {
    let app = TestApp::spawn().await;
    let flow = to_step7(&app).await;
    let id = flow.id;
    let staf = &flow.staf;
    let add_path = format!("/pelatihan/{id}/distribusi/tambah");
    let from_plan = || post_form(&app, staf, &add_path, &[("sumber", "rencana")]);
    assert_eq!(from_plan().await.status(), StatusCode::SEE_OTHER);
    let list = app.store.recipients(app.unit.id, id).await.unwrap();
    let semarang = list.iter().find(|r| r.region_code == "3374").unwrap().id;
    let res = post_form(
        &app,
        staf,
        &format!("/pelatihan/{id}/distribusi/{semarang}/hapus"),
        &[],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store.recipients(app.unit.id, id).await.unwrap().len(),
        2
    );

    let res = from_plan().await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let list = app.store.recipients(app.unit.id, id).await.unwrap();
    let back = list.iter().find(|r| r.region_code == "3374").unwrap();
    assert_eq!((list.len(), back.id, back.quota), (3, semarang, 1));
    assert!(!back.has_link, "the old link stays withdrawn");
}
