//! Certificates (issue 6, item 5): the final list and the attendance rule decide who receives
//! one; a partner LPK without a valid registration blocks them (the SOP's peringatan) unless
//! the unit switches the rule off; each is issued once with its register number and stored PDF,
//! downloaded as a ZIP, and verified on a public page.

mod support;

use chrono::{Duration, NaiveDate};
use laksana_store::{CertificateFacts, SignerSnapshot};
use reqwest::StatusCode;
use support::{TestApp, PASSWORD};

struct Course {
    id: i64,
    start: NaiveDate,
    end: NaiveDate,
    /// (nomination id, name): the first attended every session, the second missed one.
    full: (i64, String),
    partial: (i64, String),
}

/// A training on SOP version 3 at its preparation meeting, with two participants on the
/// confirmed final list.
async fn course(app: &TestApp) -> Course {
    let id = app
        .training_at("Pelatihan Tata Boga Angkatan I", "rapat-persiapan")
        .await;
    let noms = app.store.nominations(app.unit.id, id).await.unwrap();
    assert!(noms.len() >= 2, "the sample replies give candidates");
    let snapshot = serde_json::json!([
        {"nomination_id": noms[0].id, "status": "utama"},
        {"nomination_id": noms[1].id, "status": "utama"},
    ]);
    let panitia = app.store.user_by_username("panitia").await.unwrap();
    app.store
        .confirm_roster(
            &app.unit,
            &panitia,
            id,
            &snapshot.to_string(),
            "Daftar peserta dikonfirmasi: 2 utama",
            app.clock_now(),
        )
        .await
        .expect("confirm the roster");
    let plan = app.store.work_plan(app.unit.id, id).await.unwrap().unwrap();
    let end = plan.plan.tanggal_selesai.unwrap();
    // Certificates are issued after the last day of the training.
    let after = end + Duration::days(1);
    app.set_time(support::wib(
        chrono::Datelike::year(&after),
        chrono::Datelike::month(&after),
        chrono::Datelike::day(&after),
        9,
        0,
    ));
    Course {
        id,
        start: plan.plan.tanggal_mulai.unwrap(),
        end: plan.plan.tanggal_selesai.unwrap(),
        full: (noms[0].id, noms[0].nama.clone()),
        partial: (noms[1].id, noms[1].nama.clone()),
    }
}

/// Three sessions of 08.00–16.00 WIB, one per day; the second participant misses the last.
/// Written with SQL: the attendance pages are another part of the work.
async fn sessions(app: &TestApp, c: &Course) {
    let pool = app.store.pool();
    for day in 0..3 {
        let date = c.start + Duration::days(day);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO class_sessions (unit_id, training_id, day, starts_at, ends_at, topic, created_at, qr_secret)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(app.unit.id)
        .bind(c.id)
        .bind(date.to_string())
        .bind(format!("{date}T01:00:00.000Z"))
        .bind(format!("{date}T09:00:00.000Z"))
        .bind(format!("Materi hari ke-{}", day + 1))
        .bind(format!("{date}T00:00:00.000Z"))
        .bind(format!("qr-{}-{day}", c.id))
        .fetch_one(pool)
        .await
        .unwrap();
        for (nomination, status) in [
            (c.full.0, "hadir"),
            (c.partial.0, if day == 2 { "alpa" } else { "hadir" }),
        ] {
            sqlx::query(
                "INSERT INTO attendance (unit_id, session_id, nomination_id, status, via, recorded_at, received_at)
                 VALUES ($1, $2, $3, $4, 'panitia', $5, $5)",
            )
            .bind(app.unit.id)
            .bind(id)
            .bind(nomination)
            .bind(status)
            .bind(format!("{date}T02:00:00.000Z"))
            .execute(pool)
            .await
            .unwrap();
        }
    }
}

async fn issue(app: &TestApp, client: &reqwest::Client, id: i64) -> reqwest::Response {
    let csrf = app.page_csrf(client).await;
    client
        .post(app.url(&format!("/pelatihan/{id}/sertifikat/terbitkan")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap()
}

fn zip_entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).unwrap();
            (f.name().to_string(), buf)
        })
        .collect()
}

#[tokio::test]
async fn full_attendance_earns_the_only_certificate_issued_once_zipped_and_verified() {
    let app = TestApp::spawn().await;
    let c = course(&app).await;
    let panitia = app.page_login("panitia").await;
    let page = format!("/pelatihan/{}/sertifikat", c.id);

    // Before any session nobody can be eligible, and the page says why.
    let (status, html) = app.page(&panitia, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Belum ada sesi kelas tercatat"), "{html}");
    assert_eq!(
        issue(&app, &panitia, c.id).await.status(),
        StatusCode::CONFLICT
    );

    sessions(&app, &c).await;
    let (_, html) = app.page(&panitia, &page).await;
    assert!(html.contains("1 peserta memenuhi syarat"), "{html}");
    assert!(
        html.contains("Hadir 2 dari 3 sesi (66,7 %); syarat kehadiran minimal 100 %."),
        "{html}"
    );

    // Someone outside the Panitia and the Kepala Dinas cannot issue.
    let staf = app.page_login("staf").await;
    assert_eq!(
        issue(&app, &staf, c.id).await.status(),
        StatusCode::FORBIDDEN
    );

    let res = issue(&app, &panitia, c.id).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let certs = app.store.certificates(app.unit.id, c.id).await.unwrap();
    assert_eq!(certs.len(), 1);
    let cert = &certs[0];
    assert_eq!(cert.nomination_id, c.full.0);
    assert_eq!(cert.nama, c.full.1);
    assert_eq!(cert.signer.name, support::full_name("kadis"));
    let (_, html) = app.page(&panitia, &page).await;
    assert!(html.contains(&cert.number), "{html}");
    assert!(
        html.contains("Tidak memenuhi syarat: Hadir 2 dari 3 sesi"),
        "{html}"
    );

    // The ZIP: one real PDF named after its participant and number, no path characters.
    let res = panitia
        .get(app.url(&format!("/pelatihan/{}/sertifikat.zip", c.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let entries = zip_entries(&res.bytes().await.unwrap());
    assert_eq!(entries.len(), 1);
    let (name, pdf) = &entries[0];
    let expected = laksana_web::certificates::file_name(&c.full.1, &cert.number);
    assert_eq!(name, &expected);
    assert!(name.starts_with(&laksana_web::certificates::safe_name(&c.full.1)));
    assert!(
        !name.contains('/') && !name.contains('\\') && name.is_ascii(),
        "{name}"
    );
    assert!(pdf.starts_with(b"%PDF"), "a real PDF");
    let sha = {
        use sha2::Digest;
        hex_string(&sha2::Sha256::digest(pdf))
    };
    assert_eq!(sha, cert.pdf_sha256, "the ZIP holds the stored PDF");
    if let Ok(path) = std::env::var("LAKSANA_CERT_PDF") {
        std::fs::write(path, pdf).unwrap();
    }

    // Issuing again gives nothing new: same number, same PDF, one line in the register.
    let res = issue(&app, &panitia, c.id).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"].to_str().unwrap().contains("n=0"));
    let again = app.store.certificates(app.unit.id, c.id).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].number, cert.number);
    assert_eq!(again[0].pdf_sha256, cert.pdf_sha256);
    let register = app
        .store
        .register_for_kind(app.unit.id, "sertifikat")
        .await
        .unwrap();
    let book = app
        .store
        .register_book(
            app.unit.id,
            register.id,
            cert.issued_date.format("%Y").to_string().parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(book.len(), 1, "no number spent on the second request");
    let single = panitia
        .get(app.url(&format!("/pelatihan/{}/sertifikat/{}/pdf", c.id, cert.id)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&single[..], &pdf[..], "re-downloading gives the stored PDF");

    // The public verification page, without a login.
    let (status, html) = app
        .page(
            &app.browser(),
            &format!("/verifikasi/sertifikat/{}", cert.verification_token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Sertifikat ini sah"), "{html}");
    assert!(
        html.contains(&cert.number) && html.contains("Pelatihan Tata Boga"),
        "{html}"
    );
    assert!(
        html.contains(&c.full.1.replace('\'', "&#x27;")) || html.contains(&c.full.1),
        "{html}"
    );
    let (status, _) = app
        .page(&app.browser(), "/verifikasi/sertifikat/bukan-kode")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn an_lpk_with_an_expired_registration_blocks_certificates_until_the_rule_is_off() {
    let app = TestApp::spawn().await;
    let c = course(&app).await;
    sessions(&app, &c).await;
    let panitia = app.page_login("panitia").await;
    let expired = c.end - Duration::days(1);
    let csrf = app.page_csrf(&panitia).await;
    let res = panitia
        .post(app.url(&format!("/pelatihan/{}/sertifikat/penyelenggara", c.id)))
        .form(&[
            ("csrf", csrf.as_str()),
            ("delivered_by", "lpk"),
            ("lpk_name", "LPK Boga Lestari"),
            ("registration_kind", "izin"),
            ("registration_number", "563/045/LPK/2025"),
            ("valid_from", "2025-01-01"),
            ("valid_to", &expired.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = issue(&app, &panitia, c.id).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(html.contains("data-code=\"lpk_not_registered\""), "{html}");
    assert!(
        html.contains(&format!(
            "berakhir pada {}",
            laksana_calendar::tanggal_indonesia(expired)
        )),
        "{html}"
    );
    assert!(
        html.contains("LPK Boga Lestari") && html.contains("tidak diakui"),
        "{html}"
    );
    assert!(app
        .store
        .certificates(app.unit.id, c.id)
        .await
        .unwrap()
        .is_empty());

    // The unit switches the rule off: the certificates are issued, naming the LPK.
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;
    let (status, html) = app.page(&admin, "/admin/sertifikat").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("name=\"tolak_sertifikat_lpk_tidak_terdaftar\" value=\"1\" checked"),
        "on by default"
    );
    let res = admin
        .post(app.url("/admin/sertifikat"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("registration_kind", "tanda_daftar"),
            ("registration_number", "TD-3273-0001"),
            ("valid_from", "2024-06-01"),
            ("valid_to", ""),
            ("min_kehadiran_persen", "100"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let settings = app.store.certificate_settings(app.unit.id).await.unwrap();
    assert!(!settings.tolak_sertifikat_lpk_tidak_terdaftar);
    assert_eq!(settings.registration.number, "TD-3273-0001");
    let (_, html) = app
        .page(&panitia, &format!("/pelatihan/{}/sertifikat", c.id))
        .await;
    assert!(
        html.contains("sertifikat tetap dapat diterbitkan"),
        "{html}"
    );
    let res = issue(&app, &panitia, c.id).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.store
            .certificates(app.unit.id, c.id)
            .await
            .unwrap()
            .len(),
        1
    );

    // A lower attendance rule brings in the one who missed a session.
    let res = admin
        .post(app.url("/admin/sertifikat"))
        .form(&[("csrf", csrf.as_str()), ("min_kehadiran_persen", "60")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    issue(&app, &panitia, c.id).await;
    let certs = app.store.certificates(app.unit.id, c.id).await.unwrap();
    assert_eq!(certs.len(), 2);
    assert_ne!(certs[0].number, certs[1].number);
}

#[tokio::test]
async fn a_certificate_text_naming_nik_or_an_unknown_field_is_refused_by_name() {
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;
    for (text, field) in [
        ("telah mengikuti {judul_pelatihan} (NIK {nik})", "{nik}"),
        ("telah mengikuti {judul_pelatihan} di {foo}", "{foo}"),
    ] {
        let res = admin
            .post(app.url("/admin/templat/sertifikat.isi"))
            .form(&[("csrf", csrf.as_str()), ("text", text)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!("isian {field} tidak dikenal")),
            "{html}"
        );
    }
    assert!(app
        .store
        .letter_templates(app.unit.id)
        .await
        .unwrap()
        .is_empty());
    let res = admin
        .post(app.url("/admin/templat/sertifikat.isi"))
        .form(&[
            ("csrf", csrf.as_str()),
            (
                "text",
                "atas partisipasinya dalam {judul_pelatihan} ({jumlah_jam} jam).",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let _ = PASSWORD;
}

/// 500 certificates rendered and zipped, as issuing and downloading a large training does.
/// `cargo test --release --test certificates -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_500_certificates_into_a_zip() {
    use laksana_web::certificates::{common, file_name, render, zip, Overview};
    laksana_documents::warm_up();
    let overview = Overview {
        title: "Pelatihan Tata Boga Angkatan I".into(),
        kejuruan: "Tata Boga".into(),
        tempat: "Workshop UPT BLK".into(),
        provider: Default::default(),
        settings: Default::default(),
        start: NaiveDate::from_ymd_opt(2027, 1, 11),
        end: NaiveDate::from_ymd_opt(2027, 1, 13),
        sessions: 3,
        hours: 24.0,
        roster_confirmed: true,
        candidates: Vec::new(),
        lpk_problem: None,
        blocked: None,
    };
    let text = laksana_documents::letter::default_templates()
        .into_iter()
        .find(|t| t.key == "sertifikat.isi")
        .unwrap()
        .teks
        .to_string();
    let shared = common(&overview, "UPT Balai Latihan Kerja", text);
    let profile = laksana_store::UnitProfile {
        unit_id: 1,
        version: 1,
        logo: None,
        logo_mime: None,
        name_lines: vec![
            "PEMERINTAH PROVINSI JAWA BARAT".into(),
            "DINAS TENAGA KERJA DAN TRANSMIGRASI".into(),
            "UPT BALAI LATIHAN KERJA".into(),
        ],
        address: "Jalan Soekarno-Hatta No. 532, Bandung 40286".into(),
        telephone: "(022) 7564585".into(),
        email: "blk@disnakertrans.example.go.id".into(),
        website: String::new(),
        place: "Bandung".into(),
        zone: laksana_calendar::Zone::Wib,
        head_title: "Kepala Dinas".into(),
        kode_klasifikasi: "500.15.4".into(),
        unit_code: "BLK".into(),
        public_base_url: "https://laksana.example.go.id".into(),
        saved_by: None,
        saved_by_name: None,
        saved_at: None,
    };
    let signer = SignerSnapshot {
        position: "kepala-dinas".into(),
        jabatan: "Kepala Dinas Tenaga Kerja".into(),
        prefix: String::new(),
        name: "Ir. Ma'ruf Hidayat, M.Si.".into(),
        pangkat: "Pembina Utama Muda (IV/c)".into(),
        nip: "196805121994031007".into(),
        official_id: 1,
    };
    let started = std::time::Instant::now();
    let files: Vec<(String, Vec<u8>)> = (1..=500)
        .map(|i| {
            let facts = CertificateFacts {
                training_id: 1,
                nomination_id: i,
                nama: format!("Peserta Nomor {i}"),
                number: format!("500.15.4/{i}/BLK"),
                issued_date: NaiveDate::from_ymd_opt(2027, 1, 14).unwrap(),
                signer: signer.clone(),
                profile: profile.clone(),
                verification_url: format!(
                    "https://laksana.example.go.id/verifikasi/sertifikat/{i:040}"
                ),
            };
            let pdf = render(&shared, &facts).unwrap();
            (file_name(&facts.nama, &facts.number), pdf)
        })
        .collect();
    let rendered = started.elapsed();
    let bytes = zip(&files).unwrap();
    let total = started.elapsed();
    println!(
        "500 sertifikat: render {:.2} s, ZIP {:.2} s, total {:.2} s, {} KiB",
        rendered.as_secs_f64(),
        (total - rendered).as_secs_f64(),
        total.as_secs_f64(),
        bytes.len() / 1024
    );
    assert!(
        total.as_secs_f64() < 10.0,
        "500 certificates took {total:?}"
    );
}
