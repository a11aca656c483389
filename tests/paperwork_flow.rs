//! Steps 1 to 7 of Laksana's SOP (version 2) through the pages: the work plan, the three
//! letters drafted from it, the Kepala Bidang's paraf and signature, the head's signature,
//! the numbers given at signing, the stored PDFs and the public verification page.

mod support;

use laksana_engine::LAKSANA_SOP_V2;
use laksana_store::NewOfficial;
use reqwest::StatusCode;
use serde_json::Value;
use support::{expect_problem, TestApp};

async fn app_on_v2() -> TestApp {
    let app = TestApp::spawn().await;
    app.store
        .ensure_definition(app.unit.id, LAKSANA_SOP_V2, app.clock_now())
        .await
        .expect("store version 2");
    app
}

/// An official signing with the account `username`.
async fn add_official(
    app: &TestApp,
    position: &str,
    name: &str,
    nip: &str,
    jabatan: &str,
    username: &str,
) -> i64 {
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
                jabatan: jabatan.into(),
                user_id: Some(account.id),
                since: None,
                until: None,
            },
            &admin,
            app.clock_now(),
        )
        .await
        .unwrap()
        .id
}

/// The step run id of the active step (via the API as `token`'s holder).
async fn task(app: &TestApp, token: &str, id: i64) -> i64 {
    app.task_of(token, id).await["id"].as_i64().unwrap()
}

/// Posts a form with the client's CSRF token; returns status and the redirect target.
async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, String) {
    let csrf = app.page_csrf(client).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(extra);
    let res = client.post(app.url(path)).form(&form).send().await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_else(String::new);
    let body = res.text().await.unwrap_or_default();
    (status, if location.is_empty() { body } else { location })
}

/// The document ids on the training's paperwork page, in the order undangan, pengantar, SK.
fn doc_ids(html: &str, id: i64) -> Vec<i64> {
    let marker = format!("/pelatihan/{id}/naskah/");
    let mut ids: Vec<i64> = html
        .match_indices(&marker)
        .filter_map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (rest[n.len()..].starts_with("/pdf"))
                .then(|| n.parse().ok())
                .flatten()
        })
        .collect();
    ids.dedup();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_letters_are_drafted_initialled_signed_numbered_and_verifiable() {
    let app = app_on_v2().await;
    add_official(
        &app,
        "kepala-dinas",
        "Ir. Ma'ruf Hidayat, M.Si.",
        "196811201994031002",
        "Kepala Dinas Tenaga Kerja",
        "kadis",
    )
    .await;
    add_official(
        &app,
        "kepala-bidang",
        "Drs. Bambang Sutrisno",
        "197205101998031004",
        "Kepala Bidang Pelatihan",
        "kabid",
    )
    .await;
    let (jfu_t, kabid_t, kadis_t) = (
        app.api_login("jfu").await,
        app.api_login("kabid").await,
        app.api_login("kadis").await,
    );
    let id = app.create_training(&jfu_t, "Pelatihan Las").await["id"]
        .as_i64()
        .unwrap();
    let jfu = app.page_login("jfu").await;
    let kabid = app.page_login("kabid").await;
    let kadis = app.page_login("kadis").await;

    // Step 1: the plan (saved through the store, as the plan form's own test covers the form).
    let jfu_user = app.store.user_by_username("jfu").await.unwrap();
    let plan: laksana_domain::WorkPlan = serde_json::from_value(serde_json::json!({
        "judul": "Pelatihan Las SMAW", "kejuruan": "Teknik Las", "tempat": "Workshop UPT BLK",
        "tujuan": ["Meningkatkan kompetensi"], "tanggal_mulai": "2027-01-11", "tanggal_selesai": "2027-01-13",
        "peserta": {"jumlah": 16}, "batas_balasan": "2026-12-30",
        "kuota": [{"kode_wilayah": "32.01", "nama_wilayah": "Kabupaten Bogor", "kuota": 8},
                  {"kode_wilayah": "32.71", "nama_wilayah": "Kota Bogor", "kuota": 8}],
        "panitia": [{"nama": "Drs. Bambang Sutrisno", "nip": "197205101998031004", "jabatan": "Kepala Bidang", "kedudukan": "ketua"},
                    {"nama": "Ni Luh Putu Sri'ani", "nip": "", "jabatan": "Staf", "kedudukan": "sekretaris"}]
    }))
    .unwrap();
    let unit = app.unit.clone();
    let viewer_user = {
        let mut u = jfu_user.clone();
        u.roles = jfu_user.roles.clone();
        u
    };
    app.store
        .save_work_plan(&unit, &viewer_user, id, &plan, app.clock_now())
        .await
        .unwrap();
    app.complete_ok(&jfu_t, task(&app, &jfu_t, id).await, None, None)
        .await;
    app.complete_ok(
        &kabid_t,
        task(&app, &kabid_t, id).await,
        Some("approve"),
        None,
    )
    .await;
    app.complete_ok(&kadis_t, task(&app, &kadis_t, id).await, None, None)
        .await;

    // Step 4: without drafts the step is refused, naming the three letters.
    let step4 = task(&app, &jfu_t, id).await;
    let body = expect_problem(
        app.complete(&jfu_t, step4, None, None).await,
        StatusCode::CONFLICT,
        "guard_not_met",
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("konsep surat undangan"),
        "{body}"
    );
    // Only the drafter drafts.
    let (status, _) = post(&app, &kabid, &format!("/pelatihan/{id}/naskah/konsep"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, to) = post(&app, &jfu, &format!("/pelatihan/{id}/naskah/konsep"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let (_, html) = app.page(&jfu, &format!("/pelatihan/{id}/naskah")).await;
    let ids = doc_ids(&html, id);
    assert_eq!(ids.len(), 3, "{html}");
    let (undangan, pengantar, sk) = (ids[0], ids[1], ids[2]);
    // The draft prints with KONSEP, and as DOCX.
    let res = jfu
        .get(app.url(&format!("/pelatihan/{id}/naskah/{undangan}/pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF-"));
    let res = jfu
        .get(app.url(&format!("/pelatihan/{id}/naskah/{sk}/docx")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
    // The drafter edits the SK's lampiran: a member is added, and members get their accounts.
    let kabid_id = app
        .store
        .user_by_username("kabid")
        .await
        .unwrap()
        .id
        .to_string();
    let panitia_id = app
        .store
        .user_by_username("panitia")
        .await
        .unwrap()
        .id
        .to_string();
    let (status, _) = post(
        &app,
        &jfu,
        &format!("/pelatihan/{id}/naskah/{sk}/ubah"),
        &[
            ("tentang", "Pembentukan Panitia Pelatihan Las SMAW"),
            ("menimbang", "bahwa perlu dibentuk panitia;"),
            ("mengingat", "Undang-Undang Nomor 13 Tahun 2003;"),
            (
                "diktum",
                "Membentuk panitia.\n\nKeputusan ini berlaku sejak ditetapkan.",
            ),
            ("panitia_nama", "Drs. Bambang Sutrisno"),
            ("panitia_nip", "197205101998031004"),
            ("panitia_jabatan", "Kepala Bidang"),
            ("panitia_kedudukan", "ketua"),
            ("panitia_user", kabid_id.as_str()),
            ("panitia_nama", "Agus Setiawan"),
            ("panitia_nip", ""),
            ("panitia_jabatan", "Instruktur"),
            ("panitia_kedudukan", "anggota"),
            ("panitia_user", panitia_id.as_str()),
            ("panitia_nama", ""),
            ("panitia_nip", ""),
            ("panitia_jabatan", ""),
            ("panitia_kedudukan", "anggota"),
            ("panitia_user", ""),
            ("tembusan", "Kepala Dinas"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let detail = app.store.document(app.unit.id, sk).await.unwrap();
    assert_eq!(detail.versions.len(), 2);
    assert_eq!(
        detail.current().unwrap().content["panitia"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.complete_ok(&jfu_t, step4, None, None).await;

    // Step 5: approving before the paraf and the signature is refused.
    let step5 = task(&app, &kabid_t, id).await;
    let body = expect_problem(
        app.complete(&kabid_t, step5, Some("approve"), None).await,
        StatusCode::CONFLICT,
        "guard_not_met",
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("paraf pada surat undangan"),
        "{body}"
    );
    // The drafter can no longer edit; the JFU cannot paraf.
    let (status, _) = post(
        &app,
        &jfu,
        &format!("/pelatihan/{id}/naskah/{sk}/ubah"),
        &[("tentang", "X")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = post(
        &app,
        &jfu,
        &format!("/pelatihan/{id}/naskah/{undangan}/paraf"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for doc in [undangan, sk] {
        let (status, to) = post(
            &app,
            &kabid,
            &format!("/pelatihan/{id}/naskah/{doc}/paraf"),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    }
    // The undangan cannot be signed at step 5 (it is the head's), the pengantar can.
    let (status, _) = post(
        &app,
        &kabid,
        &format!("/pelatihan/{id}/naskah/{undangan}/tandatangan"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, to) = post(
        &app,
        &kabid,
        &format!("/pelatihan/{id}/naskah/{pengantar}/tandatangan"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    app.complete_ok(&kabid_t, step5, Some("approve"), None)
        .await;

    // Step 6: the head signs the undangan and the SK; then the step completes.
    let step6 = task(&app, &kadis_t, id).await;
    expect_problem(
        app.complete(&kadis_t, step6, None, None).await,
        StatusCode::CONFLICT,
        "guard_not_met",
    )
    .await;
    for doc in [undangan, sk] {
        let (status, to) = post(
            &app,
            &kadis,
            &format!("/pelatihan/{id}/naskah/{doc}/tandatangan"),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    }
    app.complete_ok(&kadis_t, step6, None, None).await;
    let t: Value = app.training(&jfu_t, id).await;
    assert_eq!(t["current_step"], 7, "distribution is next");

    // Steps 7 and 8 (Staf), then step 9 is the Panitia's: from the signed SK on, its members'.
    let staf_t = app.api_login("staf").await;
    for _ in 0..2 {
        app.complete_ok(&staf_t, task(&app, &staf_t, id).await, None, None)
            .await;
    }
    app.add_user("panitia2", "Bukan Anggota", "panitia").await;
    let outsider = app.api_login("panitia2").await;
    let panitia_t = app.api_login("panitia").await;
    let step9 = task(&app, &panitia_t, id).await;
    // The task lists agree: the outsider does not see it, the Ketua (no Panitia role) does.
    assert!(app
        .tasks(&outsider)
        .await
        .iter()
        .all(|t| t["training_id"] != id));
    assert_eq!(task(&app, &kabid_t, id).await, step9);
    expect_problem(
        app.complete(&outsider, step9, None, None).await,
        StatusCode::FORBIDDEN,
        "wrong_role",
    )
    .await;
    // The Kepala Bidang is the committee's Ketua: he may do it without holding the role.
    app.complete_ok(&kabid_t, step9, None, None).await;

    // Numbers: the pengantar first and the undangan second in Surat Keluar; the SK first in Keputusan.
    let number = |d: i64| {
        let store = app.store.clone();
        let unit = app.unit.id;
        async move { store.document(unit, d).await.unwrap().signature.unwrap() }
    };
    let (u, p, k) = (
        number(undangan).await,
        number(pengantar).await,
        number(sk).await,
    );
    assert_eq!(p.number.as_deref(), Some("500.15.4/1/BLK"));
    assert_eq!(u.number.as_deref(), Some("500.15.4/2/BLK"));
    assert_eq!(
        k.number.as_deref(),
        Some("500.15.4/1/BLK"),
        "the SK register counts on its own"
    );
    assert_eq!(u.signer.name, "Ir. Ma'ruf Hidayat, M.Si.");
    assert_eq!(p.signer.name, "Drs. Bambang Sutrisno");

    // The stored PDF is served as it is, and its hash is on the public verification page.
    let res = jfu
        .get(app.url(&format!("/pelatihan/{id}/naskah/{undangan}/pdf")))
        .send()
        .await
        .unwrap();
    let pdf = res.bytes().await.unwrap();
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&pdf)), u.pdf_sha256);
    let anonymous = app.browser();
    let res = anonymous
        .get(app.url(&format!("/verifikasi/{}", u.verification_token)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("500.15.4/2/BLK") && html.contains(&u.pdf_sha256),
        "{html}"
    );
    let res = anonymous
        .get(app.url("/verifikasi/tidak-ada"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A signed letter cannot be signed again.
    let (status, _) = post(
        &app,
        &kadis,
        &format!("/pelatihan/{id}/naskah/{undangan}/tandatangan"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_without_a_kepala_dinas_set_names_what_to_set() {
    let app = app_on_v2().await;
    let err = app
        .store
        .signer_on(app.unit.id, "kepala-dinas", app.clock_now().date_naive())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Kepala Dinas"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_letter_is_signed_only_by_the_account_of_the_official_who_signs_that_day() {
    let app = app_on_v2().await;
    let kadis = add_official(
        &app,
        "kepala-dinas",
        "Ir. Ma'ruf Hidayat, M.Si.",
        "196811201994031002",
        "Kepala Dinas Tenaga Kerja",
        "kadis",
    )
    .await;
    let kabid = add_official(
        &app,
        "kepala-bidang",
        "Drs. Bambang Sutrisno",
        "197205101998031004",
        "Kepala Bidang Pelatihan",
        "kabid",
    )
    .await;
    let _ = kadis;
    let token = app.api_login("jfu").await;
    let id = app.create_training(&token, "Pelatihan Las").await["id"]
        .as_i64()
        .unwrap();
    let user = |name: &'static str| {
        let store = app.store.clone();
        async move { store.user_by_username(name).await.unwrap() }
    };
    let (jfu, kadis_user, kabid_user) =
        (user("jfu").await, user("kadis").await, user("kabid").await);
    let now = app.clock_now();
    let doc = app
        .store
        .create_document(
            app.unit.id,
            &laksana_store::NewDocument {
                training_id: id,
                kind: "sk_panitia".into(),
                title: "Pembentukan Panitia".into(),
                parafs_required: Some(0),
            },
            &jfu,
            now,
        )
        .await
        .unwrap();
    let content = serde_json::to_value(laksana_documents::letter::Keputusan {
        tentang: "Pembentukan Panitia".into(),
        ..Default::default()
    })
    .unwrap();
    app.store
        .save_document(app.unit.id, doc.id, &content, &jfu, now)
        .await
        .unwrap();
    let detail = app.store.document(app.unit.id, doc.id).await.unwrap();

    // Another holder of the Kepala Dinas role is not the official.
    app.add_user("kadis2", "Pejabat Lain", "kepala-dinas").await;
    let other = user("kadis2").await;
    let err = laksana_web::paperwork::sign(&app.store, &app.unit, &other, &detail, now)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_the_signer", "{err}");
    assert!(err.to_string().contains("Ma'ruf"), "{err}");

    // With the Kepala Bidang appointed Plt Kepala Dinas for today, he signs, not the holder.
    let admin = user("admin").await;
    let today = now.with_timezone(&app.unit.zone.offset()).date_naive();
    app.store
        .appoint_official(
            app.unit.id,
            &laksana_store::NewAppointment {
                position: "kepala-dinas".into(),
                kind: laksana_store::AppointmentKind::Plt,
                official_id: kabid,
                jabatan: None,
                valid_from: today,
                valid_to: today + chrono::Duration::days(7),
                basis: "Surat Perintah 800/1/2026".into(),
            },
            &admin,
            now,
        )
        .await
        .unwrap();
    let err = laksana_web::paperwork::sign(&app.store, &app.unit, &kadis_user, &detail, now)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_the_signer");
    laksana_web::paperwork::sign(&app.store, &app.unit, &kabid_user, &detail, now)
        .await
        .unwrap();
    let signature = app
        .store
        .document(app.unit.id, doc.id)
        .await
        .unwrap()
        .signature
        .unwrap();
    assert_eq!(signature.signer.prefix, "Plt.");
    assert_eq!(signature.signer.name, "Drs. Bambang Sutrisno");

    // The appointment gave his account the Kepala Dinas role for its days, so step 6 is in his
    // inbox and his to complete; cancelled, the role goes with it.
    let acting = user("kabid").await;
    assert!(acting
        .roles_on(app.unit.id, today)
        .contains(&"kepala-dinas".to_string()));
    let appointment = app.store.list_appointments(app.unit.id).await.unwrap()[0].id;
    app.store
        .cancel_appointment(app.unit.id, appointment, &admin, now)
        .await
        .unwrap();
    let back = user("kabid").await;
    assert!(!back
        .roles_on(app.unit.id, today)
        .contains(&"kepala-dinas".to_string()));
    assert!(back
        .roles_on(app.unit.id, today)
        .contains(&"kepala-bidang".to_string()));
}
