//! The work plan of step 1 on Laksana's own SOP version (2): the step cannot finish without a
//! complete plan, the form keeps what was typed and shows each problem beside its input, and
//! only the step's pelaksana may edit it.

mod support;

use laksana_engine::LAKSANA_SOP;
use reqwest::StatusCode;
use support::{expect_problem, TestApp};

/// The app with version 2 of the SOP stored last, so new trainings run on it.
async fn app_on_v2() -> TestApp {
    let app = TestApp::spawn().await;
    app.store
        .ensure_definition(app.unit.id, LAKSANA_SOP, app.clock_now())
        .await
        .expect("store version 2");
    app
}

/// A full plan form as a browser posts it, with `harga` for the second budget line and
/// `pagu` as the DPA ceiling; blank rows are posted too, as the page offers them.
fn plan_form(csrf: &str, pagu: &str, harga: &str) -> Vec<(&'static str, String)> {
    let mut f: Vec<(&'static str, String)> = vec![
        ("csrf", csrf.to_string()),
        ("judul", "Pelatihan Las \"SMAW\" Angkatan I".into()),
        ("kejuruan", "Teknik Las".into()),
        ("program", "SMAW 3G".into()),
        (
            "tujuan",
            "Meningkatkan kompetensi\nMenyiapkan uji kompetensi".into(),
        ),
        ("tanggal_mulai", "2027-01-11".into()),
        ("tanggal_selesai", "2027-01-13".into()),
        ("tempat", "Workshop UPT BLK".into()),
        ("jumlah", "16".into()),
        ("usia_min", "18".into()),
        ("usia_max", "35".into()),
        ("pendidikan", "sma".into()),
        ("lainnya", "".into()),
        ("batas_balasan", "2026-12-30".into()),
        ("narahubung", "Ni Luh Putu Sri'ani".into()),
        ("narahubung_telepon", "0812".into()),
        ("pagu_dpa", pagu.into()),
        ("peralatan", "Alat Tulis Kantor".into()),
    ];
    for (kode, nama, kuota) in [
        ("32.01", "Kabupaten Bogor", "8"),
        ("32.71", "Kota Bogor", "8"),
        ("", "", ""),
    ] {
        f.push(("kuota_kode", kode.into()));
        f.push(("kuota_nama", nama.into()));
        f.push(("kuota_jumlah", kuota.into()));
    }
    for (kode, uraian, volume, satuan, h) in [
        ("5.1.02.01.01.0024", "Belanja ATK", "16", "paket", "150.000"),
        ("5.1.02.01.01.0052", "Makan dan minum", "48", "OH", harga),
        ("", "", "", "", ""),
    ] {
        f.push(("anggaran_kode", kode.into()));
        f.push(("anggaran_uraian", uraian.into()));
        f.push(("anggaran_volume", volume.into()));
        f.push(("anggaran_satuan", satuan.into()));
        f.push(("anggaran_harga", h.into()));
    }
    for (nama, nip, kedudukan) in [
        ("Ir. Ma'ruf Hidayat", "196811201994031002", "ketua"),
        ("", "", "anggota"),
    ] {
        f.push(("panitia_nama", nama.into()));
        f.push(("panitia_nip", nip.into()));
        f.push(("panitia_jabatan", "".into()));
        f.push(("panitia_kedudukan", kedudukan.into()));
    }
    f.push(("jadwal_tanggal", "2027-01-11".into()));
    f.push(("jadwal_mulai", "08.00".into()));
    f.push(("jadwal_selesai", "16.00".into()));
    f.push(("jadwal_acara", "Pembukaan".into()));
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_one_waits_for_a_complete_work_plan_which_the_form_keeps_and_checks() {
    let app = app_on_v2().await;
    let token = app.api_login("jfu").await;
    let training = app.create_training(&token, "Pelatihan Las").await;
    let id = training["id"].as_i64().unwrap();
    let task = app.task_of(&token, id).await;
    let task_id = task["id"].as_i64().unwrap();

    // No plan yet: the step is refused, naming what is missing.
    let res = app.complete(&token, task_id, None, None).await;
    let body = expect_problem(res, StatusCode::CONFLICT, "guard_not_met").await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("rencana kerja"),
        "{body}"
    );

    // Over the DPA ceiling (2.400.000 + 48 × 60.000 = 5.280.000 > 5.000.000): saved as an
    // incomplete version, the message beside the ceiling names the amounts.
    let jfu = app.page_login("jfu").await;
    let csrf = app.page_csrf(&jfu).await;
    let res = jfu
        .post(app.url(&format!("/pelatihan/{id}/rencana")))
        .form(&plan_form(&csrf, "5.000.000", "60.000"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, html) = app
        .page(&jfu, &format!("/pelatihan/{id}/rencana?ok=1"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("versi 1"), "{html}");
    assert!(html.contains("belum lengkap"));
    assert!(
        html.contains("Rp 5.280.000") && html.contains("Rp 5.000.000"),
        "{html}"
    );
    // What was typed is all there, quotes and apostrophes included.
    assert!(
        html.contains("Pelatihan Las &#34;SMAW&#34; Angkatan I")
            || html.contains("Pelatihan Las &quot;SMAW&quot; Angkatan I"),
        "{html}"
    );
    assert!(html.contains("Ni Luh Putu Sri&#39;ani") || html.contains("Ni Luh Putu Sri&#x27;ani"));
    let res = app.complete(&token, task_id, None, None).await;
    expect_problem(res, StatusCode::CONFLICT, "guard_not_met").await;

    // An unreadable amount saves nothing and says which line.
    let res = jfu
        .post(app.url(&format!("/pelatihan/{id}/rencana")))
        .form(&plan_form(&csrf, "5.000.000", "enam puluh ribu"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Anggaran baris 2"), "{html}");
    // … and shows it again as typed, not as 0.
    assert!(html.contains(r#"value="enam puluh ribu""#), "{html}");
    let versions = app.store.work_plan_versions(app.unit.id, id).await.unwrap();
    assert_eq!(versions.len(), 1);

    // Within the ceiling: complete, and step 1 can finish.
    let res = jfu
        .post(app.url(&format!("/pelatihan/{id}/rencana")))
        .form(&plan_form(&csrf, "10.000.000", "50.000"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let plan = app.store.work_plan(app.unit.id, id).await.unwrap().unwrap();
    assert_eq!((plan.version, plan.complete), (2, true));
    assert_eq!(plan.plan.kuota.len(), 2, "the blank row is skipped");
    assert_eq!(plan.plan.total_anggaran(), 4_800_000);
    app.complete_ok(&token, task_id, None, None).await;

    // At step 2 the plan is shown, read-only, and cannot be changed any more.
    let res = jfu
        .post(app.url(&format!("/pelatihan/{id}/rencana")))
        .form(&plan_form(&csrf, "10.000.000", "50.000"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let kabid = app.page_login("kabid").await;
    let (status, html) = app.page(&kabid, &format!("/pelatihan/{id}/rencana")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<fieldset disabled>"),
        "read-only for the reviewer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_pelaksana_of_the_plan_step_may_save_the_plan() {
    let app = app_on_v2().await;
    let token = app.api_login("jfu").await;
    let training = app.create_training(&token, "Pelatihan Barista").await;
    let id = training["id"].as_i64().unwrap();
    let staf = app.page_login("staf").await;
    let csrf = app.page_csrf(&staf).await;
    let res = staf
        .post(app.url(&format!("/pelatihan/{id}/rencana")))
        .form(&plan_form(&csrf, "10.000.000", "50.000"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app
        .store
        .work_plan(app.unit.id, id)
        .await
        .unwrap()
        .is_none());
    // A forged CSRF token is refused as well.
    let jfu = app.page_login("jfu").await;
    let res = jfu
        .post(app.url(&format!("/pelatihan/{id}/rencana")))
        .form(&plan_form("forged", "10.000.000", "50.000"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app
        .store
        .work_plan(app.unit.id, id)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_saved_plan_prints_as_a_pdf_for_its_approval() {
    let app = app_on_v2().await;
    let token = app.api_login("jfu").await;
    let id = app.create_training(&token, "Pelatihan Las").await["id"]
        .as_i64()
        .unwrap();
    let jfu = app.page_login("jfu").await;
    let (status, _) = app
        .page(&jfu, &format!("/pelatihan/{id}/rencana.pdf"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no plan saved yet");
    let csrf = app.page_csrf(&jfu).await;
    jfu.post(app.url(&format!("/pelatihan/{id}/rencana")))
        .form(&plan_form(&csrf, "10.000.000", "50.000"))
        .send()
        .await
        .unwrap();
    let res = jfu
        .get(app.url(&format!("/pelatihan/{id}/rencana.pdf")))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    let pdf = res.bytes().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
}
