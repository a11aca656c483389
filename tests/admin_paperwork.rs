//! The administrator's paperwork pages: the unit profile kept as versions, officials with their
//! Plt/Plh appointments and today's signer, registers whose format can be changed, and the
//! printable register book with numbers reserved by hand.

mod support;

use reqwest::StatusCode;
use support::{wib, TestApp};

const NIP_KADIS: &str = "196811201994031002";
const NIP_SEKRETARIS: &str = "197503152000121003";

/// Posts a form; returns status, body and the redirect target (if any).
async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let res = client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, res.text().await.unwrap(), location)
}

/// Posts the logo form as a browser does (multipart/form-data, built by hand).
async fn post_logo(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    bytes: &[u8],
) -> reqwest::Response {
    const BOUNDARY: &str = "----laksana-test-boundary";
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    client
        .post(app.url("/admin/profil/logo"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
}

fn profile_fields<'a>(csrf: &'a str, line2: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("line1", "PEMERINTAH PROVINSI JAWA TENGAH"),
        ("line2", line2),
        ("line3", "UPT BALAI LATIHAN KERJA SEMARANG"),
        ("address", "Jl. Brigjen Sudiarto No. 118, Semarang"),
        ("telephone", "(024) 6710123"),
        ("email", email),
        ("website", "https://disnakertrans.jatengprov.go.id"),
        ("place", "Semarang"),
        ("zone", "WIB"),
        ("head_title", "Kepala Dinas"),
        ("kode_klasifikasi", "500.15.4"),
        ("unit_code", "BLK"),
        ("public_base_url", "https://laksana.jatengprov.go.id"),
    ]
}

fn official_fields<'a>(
    csrf: &'a str,
    position: &'a str,
    name: &'a str,
    nip: &'a str,
    jabatan: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("position", position),
        ("name", name),
        ("nip", nip),
        ("pangkat", "Pembina Utama Muda (IV/c)"),
        ("jabatan", jabatan),
        ("since", ""),
        ("until", ""),
    ]
}

async fn first_register(app: &TestApp) -> laksana_store::Register {
    app.store
        .list_registers(app.unit.id)
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("the default registers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_the_profile_twice_keeps_two_versions_and_shows_the_newest() {
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;

    let (status, html) = app.page(&admin, "/admin/profil").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Profil belum pernah disimpan"), "{html}");
    assert!(html.contains("href=\"/admin/profil\""), "nav link");

    let fields = profile_fields(&csrf, "DINAS TENAGA KERJA DAN TRANSMIGRASI", "");
    let (status, _, location) = post(&app, &admin, "/admin/profil", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/admin/profil?ok=1");

    app.set_time(wib(2026, 12, 2, 11, 30));
    let fields = profile_fields(
        &csrf,
        "DINAS TENAGA KERJA DAN TRANSMIGRASI PROVINSI",
        "blk@jatengprov.go.id",
    );
    let (status, _, _) = post(&app, &admin, "/admin/profil", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let history = app.store.unit_profile_history(app.unit.id).await.unwrap();
    assert_eq!(
        history.iter().map(|p| p.version).collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(
        history[0].name_lines[1],
        "DINAS TENAGA KERJA DAN TRANSMIGRASI PROVINSI"
    );

    let (status, html) = app.page(&admin, "/admin/profil?ok=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Versi yang berlaku: 2"), "{html}");
    assert!(
        html.contains("value=\"DINAS TENAGA KERJA DAN TRANSMIGRASI PROVINSI\""),
        "the form shows the newest version"
    );
    assert!(html.contains("value=\"blk@jatengprov.go.id\""));
    // The history, newest first, with when and by whom.
    assert!(html.contains("2 Desember 2026, 11.30 WIB"), "{html}");
    assert!(html.contains("2 Desember 2026, 09.00 WIB"), "{html}");
    assert!(html.contains(support::full_name("admin")));
    let v2 = html
        .find("<td class=\"num\">2</td>")
        .expect("version 2 row");
    let v1 = html
        .find("<td class=\"num\">1</td>")
        .expect("version 1 row");
    assert!(v2 < v1, "newest first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_profile_field_is_refused_beside_it_and_nothing_typed_is_lost() {
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;
    let fields = profile_fields(&csrf, "DINAS TENAGA KERJA", "bukan e-mail");
    let (status, html, _) = post(&app, &admin, "/admin/profil", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("<p class=\"field-error\" id=\"err-email\">Alamat e-mail &#34;bukan e-mail&#34; tidak sah.</p>")
            || html.contains("id=\"err-email\">Alamat e-mail &quot;bukan e-mail&quot; tidak sah."),
        "{html}"
    );
    assert!(html.contains("value=\"DINAS TENAGA KERJA\""));
    assert!(html.contains("value=\"Jl. Brigjen Sudiarto No. 118, Semarang\""));
    assert!(app
        .store
        .unit_profile_history(app.unit.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_is_not_an_administrator_is_refused_every_page_and_form() {
    let app = TestApp::spawn().await;
    let register = first_register(&app).await;
    let jfu = app.page_login("jfu").await;
    let csrf = app.page_csrf(&jfu).await;
    let (_, tasks) = app.page(&jfu, "/tugas").await;
    assert!(
        !tasks.contains("href=\"/admin/profil\""),
        "no admin link for a non-admin"
    );

    let id = register.id;
    for path in [
        "/admin/profil".to_string(),
        "/admin/profil/logo".to_string(),
        "/admin/pejabat".to_string(),
        "/admin/register".to_string(),
        format!("/admin/register/{id}/buku?tahun=2026"),
    ] {
        let (status, html) = app.page(&jfu, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "GET {path}");
        assert!(html.contains("hanya untuk administrator"), "GET {path}");
    }
    let profile = profile_fields(&csrf, "DINAS", "");
    let official = official_fields(
        &csrf,
        "kepala-dinas",
        "Ir. Ahmad",
        NIP_KADIS,
        "Kepala Dinas",
    );
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/admin/profil".into(), profile),
        ("/admin/pejabat".into(), official.clone()),
        ("/admin/pejabat/1".into(), official),
        (
            "/admin/pejabat/penunjukan".into(),
            vec![
                ("csrf", &csrf),
                ("position", "kepala-dinas"),
                ("kind", "plt"),
                ("official_id", "1"),
                ("valid_from", "2026-12-10"),
                ("valid_to", "2026-12-20"),
                ("basis", "SP 1"),
            ],
        ),
        (
            "/admin/pejabat/penunjukan/1/batal".into(),
            vec![("csrf", &csrf)],
        ),
        (
            format!("/admin/register/{id}"),
            vec![
                ("csrf", &csrf),
                ("format", "{urut}"),
                ("kode_klasifikasi", ""),
            ],
        ),
        (
            format!("/admin/register/{id}/cadangkan"),
            vec![("csrf", &csrf), ("date", "2026-12-02"), ("reason", "Surat")],
        ),
    ];
    for (path, fields) in posts {
        let (status, _, _) = post(&app, &jfu, &path, &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let res = post_logo(&app, &jfu, &csrf, b"\x89PNG\r\n\x1a\nxx").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST logo");

    // Nothing changed.
    assert!(app
        .store
        .unit_profile_history(app.unit.id)
        .await
        .unwrap()
        .is_empty());
    assert!(app
        .store
        .list_officials(app.unit.id)
        .await
        .unwrap()
        .is_empty());
    assert!(app
        .store
        .register_book(app.unit.id, id, 2026)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(first_register(&app).await.format, register.format);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_nip_is_refused_beside_its_field_and_the_form_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;
    let fields = official_fields(
        &csrf,
        "sekretaris",
        "Dra. Endang Lestari, M.Si.",
        "19750315200012100X",
        "Sekretaris Dinas Tenaga Kerja",
    );
    let (status, html, _) = post(&app, &admin, "/admin/pejabat", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"err-nip\">NIP pejabat hanya boleh berisi angka; ditemukan"),
        "{html}"
    );
    assert!(html.contains("value=\"Dra. Endang Lestari, M.Si.\""));
    assert!(html.contains("value=\"19750315200012100X\""));
    assert!(html.contains("value=\"Sekretaris Dinas Tenaga Kerja\""));
    assert!(
        html.contains("<option value=\"sekretaris\" selected>"),
        "{html}"
    );

    // Too short is refused with the count.
    let fields = official_fields(
        &csrf,
        "sekretaris",
        "Dra. Endang",
        "1975 0315",
        "Sekretaris",
    );
    let (status, html, _) = post(&app, &admin, "/admin/pejabat", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("harus 18 angka; tertulis 8 angka"), "{html}");
    assert!(app
        .store
        .list_officials(app.unit.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plt_appointment_changes_who_signs_today_and_an_official_can_be_edited() {
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;

    let (_, html) = app.page(&admin, "/admin/pejabat").await;
    assert!(html.contains("Kepala Dinas belum diisi"), "{html}");

    let kadis = official_fields(
        &csrf,
        "kepala-dinas",
        "Ir. Ahmad Aziz, M.T.",
        NIP_KADIS,
        "Kepala Dinas Tenaga Kerja dan Transmigrasi",
    );
    let (status, _, location) = post(&app, &admin, "/admin/pejabat", &kadis).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/admin/pejabat?ok=1");
    let sekretaris = official_fields(
        &csrf,
        "sekretaris",
        "Dra. Endang Lestari, M.Si.",
        NIP_SEKRETARIS,
        "Sekretaris Dinas",
    );
    let (status, _, _) = post(&app, &admin, "/admin/pejabat", &sekretaris).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (_, html) = app.page(&admin, "/admin/pejabat").await;
    assert!(
        html.contains("Hari ini yang menandatangani: Kepala Dinas Tenaga Kerja dan Transmigrasi Ir. Ahmad Aziz, M.T. (NIP 196811201994031002)"),
        "{html}"
    );
    assert!(html.contains("Pembina Utama Muda (IV/c)"));

    let officials = app.store.list_officials(app.unit.id).await.unwrap();
    let endang = officials
        .iter()
        .find(|o| o.position == "sekretaris")
        .unwrap();
    let endang_id = endang.id.to_string();
    let (status, _, _) = post(
        &app,
        &admin,
        "/admin/pejabat/penunjukan",
        &[
            ("csrf", &csrf),
            ("position", "kepala-dinas"),
            ("kind", "plt"),
            ("official_id", &endang_id),
            ("valid_from", "2026-12-10"),
            ("valid_to", "2026-12-20"),
            ("basis", "Surat Perintah 800.1.11.1/77/BKD"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Not yet: the appointment starts on the 10th.
    let (_, html) = app.page(&admin, "/admin/pejabat").await;
    assert!(html.contains(
        "Hari ini yang menandatangani: Kepala Dinas Tenaga Kerja dan Transmigrasi Ir. Ahmad Aziz"
    ));
    assert!(html.contains("Surat Perintah 800.1.11.1/77/BKD"));
    assert!(
        html.contains("10 Desember 2026 – 20 Desember 2026"),
        "{html}"
    );

    // A web session lasts a working day: log in again on the 14th.
    app.set_time(wib(2026, 12, 14, 9, 0));
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;
    let (_, html) = app.page(&admin, "/admin/pejabat").await;
    assert!(
        html.contains("Hari ini yang menandatangani: Plt. Kepala Dinas Tenaga Kerja dan Transmigrasi Dra. Endang Lestari, M.Si. (NIP 197503152000121003)"),
        "{html}"
    );

    // An overlapping Plt is refused on its form, with what was typed kept.
    let (status, html, _) = post(
        &app,
        &admin,
        "/admin/pejabat/penunjukan",
        &[
            ("csrf", &csrf),
            ("position", "kepala-dinas"),
            ("kind", "plt"),
            ("official_id", &endang_id),
            ("valid_from", "2026-12-15"),
            ("valid_to", "2026-12-31"),
            ("basis", "SP kedua"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("Sudah ada Plt. Kepala Dinas"), "{html}");
    assert!(html.contains("value=\"SP kedua\""));

    // Cancelled, the definitive holder signs again.
    let appointment = app.store.list_appointments(app.unit.id).await.unwrap()[0].id;
    let (status, _, _) = post(
        &app,
        &admin,
        &format!("/admin/pejabat/penunjukan/{appointment}/batal"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = app.page(&admin, "/admin/pejabat").await;
    assert!(html.contains(
        "Hari ini yang menandatangani: Kepala Dinas Tenaga Kerja dan Transmigrasi Ir. Ahmad Aziz"
    ));

    // Editing: the form opens filled in and saves to the same official.
    let ahmad = officials
        .iter()
        .find(|o| o.position == "kepala-dinas")
        .unwrap()
        .id;
    let (_, html) = app
        .page(&admin, &format!("/admin/pejabat?ubah={ahmad}"))
        .await;
    assert!(html.contains(&format!("action=\"/admin/pejabat/{ahmad}\"")));
    assert!(html.contains("value=\"Ir. Ahmad Aziz, M.T.\""));
    let mut edited = kadis.clone();
    edited[0] = ("csrf", csrf.as_str()); // the new session's
    edited[2] = ("name", "Dr. Ir. Ahmad Aziz, M.T.");
    let (status, _, _) = post(&app, &admin, &format!("/admin/pejabat/{ahmad}"), &edited).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let o = app.store.official(app.unit.id, ahmad).await.unwrap();
    assert_eq!(o.name, "Dr. Ir. Ahmad Aziz, M.T.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_register_format_is_refused_naming_the_placeholder_and_the_old_format_stays() {
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;
    let register = first_register(&app).await;
    let path = format!("/admin/register/{}", register.id);

    let (status, html) = app.page(&admin, "/admin/register").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&register.name));
    assert!(html.contains("{kode}/{urut}/{unit}"));

    let (status, html, _) = post(
        &app,
        &admin,
        &path,
        &[
            ("csrf", &csrf),
            ("format", "{kode}/{nomor}/{unit}/{tahun}"),
            ("kode_klasifikasi", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("<p class=\"field-error\">Format nomor memuat {nomor} yang tidak dikenal"),
        "{html}"
    );
    assert!(
        html.contains("value=\"{kode}/{nomor}/{unit}/{tahun}\""),
        "typed value kept"
    );
    assert_eq!(first_register(&app).await.format, register.format);

    let (status, html, _) = post(
        &app,
        &admin,
        &path,
        &[
            ("csrf", &csrf),
            ("format", "{kode/{urut}"),
            ("kode_klasifikasi", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("tanpa } penutup"), "{html}");
    assert_eq!(first_register(&app).await.format, register.format);

    // A good format is saved, with its own kode.
    let (status, _, location) = post(
        &app,
        &admin,
        &path,
        &[
            ("csrf", &csrf),
            ("format", "{kode}/{urut}/{unit}/{bulan}/{tahun}"),
            ("kode_klasifikasi", "500.15.4.1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/admin/register?ok=1");
    let saved = first_register(&app).await;
    assert_eq!(saved.format, "{kode}/{urut}/{unit}/{bulan}/{tahun}");
    assert_eq!(saved.kode_klasifikasi.as_deref(), Some("500.15.4.1"));
    assert_eq!(saved.kinds, register.kinds, "the kinds stay");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_reserved_by_hand_appears_in_the_book_marked_as_reserved() {
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;
    let register = first_register(&app).await;
    let id = register.id;

    let (status, html) = app
        .page(&admin, &format!("/admin/register/{id}/buku?tahun=2026"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Belum ada nomor pada tahun 2026"));

    // The reason is required.
    let (status, html, _) = post(
        &app,
        &admin,
        &format!("/admin/register/{id}/cadangkan"),
        &[("csrf", &csrf), ("date", "2026-12-02"), ("reason", " ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("<p class=\"field-error\">Alasan pemesanan nomor wajib diisi"),
        "{html}"
    );

    let (status, _, location) = post(
        &app,
        &admin,
        &format!("/admin/register/{id}/cadangkan"),
        &[
            ("csrf", &csrf),
            ("date", "2026-12-02"),
            (
                "reason",
                "Surat undangan rapat koordinasi (ditandatangani manual)",
            ),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.starts_with(&format!("/admin/register/{id}/buku?tahun=2026&nomor=")),
        "{location}"
    );
    let (status, html) = app.page(&admin, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Nomor 500.15.4/1/BLK dicadangkan"), "{html}");
    assert!(html.contains("<tr class=\"reserved\"><td class=\"num\">1</td><td class=\"no\"><code>500.15.4/1/BLK</code></td><td class=\"date\">2 Desember 2026</td>"), "{html}");
    assert!(html.contains("dicadangkan: Surat undangan rapat koordinasi (ditandatangani manual)"));
    assert!(html.contains("Buku Register Naskah Dinas"));

    // Another year's book is empty: numbering is yearly.
    let (_, html) = app
        .page(&admin, &format!("/admin/register/{id}/buku?tahun=2025"))
        .await;
    assert!(html.contains("Belum ada nomor pada tahun 2025"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_csrf_is_refused_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let register = first_register(&app).await;
    let id = register.id;
    let forged = "forged-token";
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/admin/profil".into(), profile_fields(forged, "DINAS", "")),
        (
            "/admin/pejabat".into(),
            official_fields(
                forged,
                "kepala-dinas",
                "Ir. Ahmad",
                NIP_KADIS,
                "Kepala Dinas",
            ),
        ),
        (
            format!("/admin/register/{id}"),
            vec![
                ("csrf", forged),
                ("format", "{urut}"),
                ("kode_klasifikasi", ""),
            ],
        ),
        (
            format!("/admin/register/{id}/cadangkan"),
            vec![
                ("csrf", forged),
                ("date", "2026-12-02"),
                ("reason", "Surat"),
            ],
        ),
    ];
    for (path, fields) in posts {
        let (status, html, _) = post(&app, &admin, &path, &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "POST {path}");
        assert!(
            html.contains("Formulir kedaluwarsa atau tidak sah"),
            "POST {path}"
        );
    }
    assert!(app
        .store
        .unit_profile_history(app.unit.id)
        .await
        .unwrap()
        .is_empty());
    assert!(app
        .store
        .list_officials(app.unit.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(first_register(&app).await.format, register.format);
    assert!(app
        .store
        .register_book(app.unit.id, id, 2026)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_png_logo_is_kept_in_a_new_version_and_other_files_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;
    let res = post_logo(&app, &admin, &csrf, b"GIF89a not a png").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("id=\"err-logo\">Logo harus berkas PNG atau JPEG"));

    let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
    let res = post_logo(&app, &admin, &csrf, &png).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = admin
        .get(app.url("/admin/profil/logo"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().to_vec(), png);

    // Saving the form afterwards keeps the logo.
    let fields = profile_fields(&csrf, "DINAS TENAGA KERJA", "");
    let (status, _, _) = post(&app, &admin, "/admin/profil", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let p = app.store.unit_profile(app.unit.id).await.unwrap();
    assert_eq!(p.version, 2);
    assert_eq!(p.logo.as_deref(), Some(png.as_slice()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_naming_an_unknown_field_is_refused_naming_it_and_a_good_one_is_used_for_drafts()
{
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let csrf = app.page_csrf(&admin).await;
    let (status, html, _) = post(
        &app,
        &admin,
        "/admin/templat/undangan.isi",
        &[
            ("csrf", csrf.as_str()),
            ("text", "Pelatihan {judul}\npada {tanggal_mulia}."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("tanggal_mulia") && html.contains("baris 2"),
        "{html}"
    );
    assert!(
        html.contains("pada {tanggal_mulia}."),
        "what was typed is kept"
    );
    assert!(app
        .store
        .letter_templates(app.unit.id)
        .await
        .unwrap()
        .is_empty());

    let (status, _, to) = post(
        &app,
        &admin,
        "/admin/templat/undangan.isi",
        &[
            ("csrf", csrf.as_str()),
            ("text", "Kami mengundang untuk {judul} di {tempat}."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to, "/admin/templat?ok=1");
    let saved = app.store.letter_templates(app.unit.id).await.unwrap();
    assert_eq!(saved["undangan.isi"].version, 1);

    // A JFU may not change templates.
    let jfu = app.page_login("jfu").await;
    let jfu_csrf = app.page_csrf(&jfu).await;
    let (status, _, _) = post(
        &app,
        &jfu,
        "/admin/templat/undangan.isi",
        &[("csrf", jfu_csrf.as_str()), ("text", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The unit's text is what a new draft says.
    let plan: laksana_domain::WorkPlan = serde_json::from_value(serde_json::json!({
        "judul": "Pelatihan Las", "tempat": "Workshop UPT BLK"
    }))
    .unwrap();
    let profile = app.store.unit_profile(app.unit.id).await.unwrap();
    let drafts = laksana_web::paperwork::draft_contents(&plan, &profile, &saved);
    assert_eq!(
        drafts[0].2["isi"][0],
        "Kami mengundang untuk Pelatihan Las di Workshop UPT BLK."
    );
}
