//! Several units in one installation (issue 7, item 2): a user of unit B who types unit A's
//! ids — a training, a step, a document, a recipient, a participant, a session, a file — gets
//! 404 (or 403) and the answer shows nothing of A, through the pages and the API alike. A user
//! with roles in two units switches between them in the header, and the choice holds.

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use support::{hidden_csrf, TestApp, PASSWORD};

const A_TITLE: &str = "Pelatihan Tata Boga Angkatan I";

/// The ids of unit A's training, as a user of A would see them in its pages.
struct AIds {
    training: i64,
    run: i64,
    doc: i64,
    recipient: i64,
    reply: Option<i64>,
    dispatch: Option<i64>,
    nomination: i64,
    nominee: String,
    definition: i64,
}

async fn one(app: &TestApp, sql: &str, training: i64) -> Option<i64> {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(training)
        .fetch_optional(app.store.pool())
        .await
        .unwrap()
}

async fn unit_a(app: &TestApp) -> AIds {
    let training = app.training_at(A_TITLE, "rapat-persiapan").await;
    let noms = app.store.nominations(app.unit.id, training).await.unwrap();
    let run = one(
        app,
        "SELECT MAX(id) FROM step_runs WHERE training_id = $1",
        training,
    )
    .await;
    let doc = one(
        app,
        "SELECT MIN(id) FROM documents WHERE training_id = $1",
        training,
    )
    .await;
    let recipient = one(
        app,
        "SELECT MIN(id) FROM recipients WHERE training_id = $1",
        training,
    )
    .await;
    let reply = one(
        app,
        "SELECT MIN(id) FROM replies WHERE training_id = $1",
        training,
    )
    .await;
    let dispatch = one(
        app,
        "SELECT MIN(d.id) FROM dispatches d JOIN recipients r ON r.id = d.recipient_id WHERE r.training_id = $1",
        training,
    )
    .await;
    let definition = one(
        app,
        "SELECT definition_id FROM trainings WHERE id = $1",
        training,
    )
    .await;
    AIds {
        training,
        run: run.expect("a step run"),
        doc: doc.expect("a document"),
        recipient: recipient.expect("a recipient"),
        reply,
        dispatch,
        nomination: noms[0].id,
        nominee: noms[0].nama.clone(),
        definition: definition.expect("a definition"),
    }
}

/// Unit B with its own JFU (and that JFU's training there).
async fn unit_b(app: &TestApp) -> (laksana_store::Unit, i64) {
    let b = app.add_unit("upt-blk-semarang", "UPT BLK Semarang").await;
    app.add_user_in(b.id, "jfu.b", "Rina Wulandari", "jfu")
        .await;
    let token = app.api_login("jfu.b").await;
    let t = app
        .create_training(&token, "Pelatihan Barista Semarang")
        .await;
    (b, t["id"].as_i64().unwrap())
}

fn refused(status: StatusCode) -> bool {
    status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN
}

#[tokio::test]
async fn a_user_of_unit_b_typing_unit_a_ids_in_pages_gets_404_and_sees_nothing_of_a() {
    let app = TestApp::spawn().await;
    let a = unit_a(&app).await;
    let (_, b_training) = unit_b(&app).await;
    let b = app.page_login("jfu.b").await;
    let csrf = app.page_csrf(&b).await;

    // What unit A holds must not appear in any answer to B.
    let leaks = |html: &str| {
        [A_TITLE, a.nominee.as_str()]
            .into_iter()
            .filter(|s| html.contains(s))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };

    // A's training id straight, and B's own training with A's inner ids.
    let mut gets = Vec::new();
    for t in [a.training, b_training] {
        let mut paths = vec![
            format!("/pelatihan/{t}/naskah/{}/ubah", a.doc),
            format!("/pelatihan/{t}/naskah/{}/pdf", a.doc),
            format!("/pelatihan/{t}/naskah/{}/docx", a.doc),
            format!("/pelatihan/{t}/naskah/{}/tte.pdf", a.doc),
            format!("/pelatihan/{t}/jawaban/{}", a.recipient),
            format!("/pelatihan/{t}/jawaban/{}/daftar.pdf", a.recipient),
        ];
        if let Some(reply) = a.reply {
            paths.push(format!("/pelatihan/{t}/jawaban/surat/{reply}"));
        }
        if let Some(d) = a.dispatch {
            paths.push(format!("/pelatihan/{t}/distribusi/bukti/{d}"));
        }
        gets.extend(paths);
    }
    let t = a.training;
    gets.extend([
        format!("/pelatihan/{t}"),
        format!("/pelatihan/{t}/riwayat"),
        format!("/pelatihan/{t}/rencana"),
        format!("/pelatihan/{t}/rencana.pdf"),
        format!("/pelatihan/{t}/naskah"),
        format!("/pelatihan/{t}/jawaban"),
        format!("/pelatihan/{t}/peserta"),
        format!("/pelatihan/{t}/peserta.csv"),
        format!("/pelatihan/{t}/peserta.xlsx"),
        format!("/pelatihan/{t}/laporan"),
        format!("/pelatihan/{t}/laporan.pdf"),
        format!("/pelatihan/{t}/rapat"),
        format!("/pelatihan/{t}/rapat/notulen.pdf"),
        format!("/pelatihan/{t}/pelaksanaan"),
        format!("/pelatihan/{t}/distribusi"),
        format!("/pelatihan/{t}/distribusi/ekspedisi.pdf"),
        format!("/pelatihan/{t}/sertifikat"),
        format!("/pelatihan/{t}/sertifikat.zip"),
        format!("/sop/versi/{}", a.definition),
        format!("/sop/versi/{}/toml", a.definition),
        format!("/sop/versi/{}/pdf", a.definition),
    ]);
    for path in &gets {
        let (status, body) = app.page(&b, path).await;
        assert!(refused(status), "GET {path} answered {status}");
        assert!(
            leaks(&body).is_empty(),
            "GET {path} shows {:?}",
            leaks(&body)
        );
    }

    // Changes: each refused, nothing of A touched.
    let before = app.store.training(app.unit.id, a.training).await.unwrap();
    let posts = [
        format!("/pelatihan/{t}/langkah/{}", a.run),
        format!("/pelatihan/{b_training}/langkah/{}", a.run),
        format!("/pelatihan/{t}/naskah/{}/paraf", a.doc),
        format!("/pelatihan/{b_training}/naskah/{}/paraf", a.doc),
        format!("/pelatihan/{t}/naskah/konsep"),
        format!("/pelatihan/{t}/jawaban/{}/calon", a.recipient),
        format!(
            "/pelatihan/{b_training}/jawaban/{}/calon/{}/tarik",
            a.recipient, a.nomination
        ),
        format!("/pelatihan/{t}/distribusi/{}/hapus", a.recipient),
        format!("/pelatihan/{b_training}/distribusi/{}/hapus", a.recipient),
        format!("/pelatihan/{b_training}/distribusi/{}/ubah", a.recipient),
        format!("/pelatihan/{t}/daftar/{}", a.nomination),
        format!("/pelatihan/{b_training}/daftar/{}", a.nomination),
        format!("/pelatihan/{t}/sertifikat/terbitkan"),
        format!("/pelatihan/{t}/pelaksanaan/kartu"),
        format!("/pelatihan/{t}/pelaksanaan/sesi"),
        format!("/pelatihan/{t}/jawaban/pengingat"),
        format!("/pelatihan/{t}/peserta/konfirmasi"),
    ];
    for path in &posts {
        let res = b
            .post(app.url(path))
            .form(&[("csrf", csrf.as_str()), ("decision", "complete")])
            .send()
            .await
            .unwrap();
        let status = res.status();
        let body = res.text().await.unwrap();
        // A form some fields short may be turned away before its ids are looked at (400/422);
        // either way it is refused and shows nothing of A.
        // On B's own training a step or state check of B's may answer first (409), which
        // says something about B only.
        let own = path.starts_with(&format!("/pelatihan/{b_training}/"));
        assert!(
            refused(status)
                || status == StatusCode::BAD_REQUEST
                || status == StatusCode::UNPROCESSABLE_ENTITY
                || (own && status == StatusCode::CONFLICT),
            "POST {path} answered {status}"
        );
        assert!(
            leaks(&body).is_empty(),
            "POST {path} shows {:?}",
            leaks(&body)
        );
    }
    let after = app.store.training(app.unit.id, a.training).await.unwrap();
    assert_eq!(before.version, after.version, "A's training is unchanged");
    assert!(app
        .store
        .nominations(app.unit.id, a.training)
        .await
        .unwrap()
        .iter()
        .any(|n| n.id == a.nomination));

    // Lists of B show only B's work.
    for path in ["/pelatihan", "/tugas", "/sop"] {
        let (status, body) = app.page(&b, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(leaks(&body).is_empty(), "{path} shows {:?}", leaks(&body));
    }
    let (_, list) = app.page(&b, "/pelatihan").await;
    assert!(
        list.contains("Pelatihan Barista Semarang"),
        "B sees its own training"
    );
}

#[tokio::test]
async fn the_api_answers_unit_a_ids_to_unit_b_with_404_problems() {
    let app = TestApp::spawn().await;
    let jfu_a = app.api_login("jfu").await;
    let a = app.create_training(&jfu_a, A_TITLE).await;
    let a_id = a["id"].as_i64().unwrap();
    let a_task = app.task_of(&jfu_a, a_id).await["id"].as_i64().unwrap();
    let (_, b_training) = unit_b(&app).await;
    let jfu_b = app.api_login("jfu.b").await;

    for path in [
        format!("/api/v1/trainings/{a_id}"),
        format!("/api/v1/trainings/{a_id}/audit"),
    ] {
        let res = app.get_api(&jfu_b, &path).await;
        let body = support::expect_problem(res, StatusCode::NOT_FOUND, "not_found").await;
        assert!(!body.to_string().contains(A_TITLE), "{path}: {body}");
    }
    let res = app.complete(&jfu_b, a_task, None, None).await;
    let body = support::expect_problem(res, StatusCode::NOT_FOUND, "not_found").await;
    assert!(!body.to_string().contains(A_TITLE), "{body}");
    // Still open in A: the refused completion changed nothing.
    assert_eq!(app.task_of(&jfu_a, a_id).await["id"], a_task);

    let list: Value = app
        .get_api(&jfu_b, "/api/v1/trainings")
        .await
        .json()
        .await
        .unwrap();
    let text = list.to_string();
    assert!(!text.contains(A_TITLE), "{text}");
    assert!(text.contains("Pelatihan Barista Semarang"), "{text}");
    let tasks = app.tasks(&jfu_b).await;
    assert!(
        tasks.iter().all(|t| t["training_id"] == b_training),
        "{tasks:?}"
    );

    // A login naming a unit the user has no role in is refused as unknown.
    let res = app
        .api
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({ "username": "jfu.b", "password": PASSWORD, "unit": "default" }))
        .send()
        .await
        .unwrap();
    support::expect_problem(res, StatusCode::NOT_FOUND, "unknown_unit").await;
}

#[tokio::test]
async fn a_user_with_roles_in_two_units_switches_in_the_header_and_the_choice_is_remembered() {
    let app = TestApp::spawn().await;
    let jfu_a = app.api_login("jfu").await;
    app.create_training(&jfu_a, A_TITLE).await;
    let (b, _) = unit_b(&app).await;
    // Siti (JFU of A) also becomes Staf of B.
    let siti = app.store.user_by_username("jfu").await.unwrap();
    app.grant(siti.id, b.id, "staf").await;

    let client = app.page_login("jfu").await;
    let (_, html) = app.page(&client, "/pelatihan").await;
    assert!(
        html.contains("action=\"/unit/pilih\""),
        "the switcher is shown"
    );
    assert!(html.contains(A_TITLE));
    assert!(!html.contains("Pelatihan Barista Semarang"));

    let csrf = hidden_csrf(&html);
    let res = client
        .post(app.url("/unit/pilih"))
        .form(&[("csrf", csrf.as_str()), ("unit_id", &b.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&client, "/pelatihan").await;
    assert!(html.contains("Pelatihan Barista Semarang"), "now in B");
    assert!(!html.contains(A_TITLE), "A's work is not shown in B");

    // A unit the user has no role in cannot be chosen, not even by typing its id.
    let c = app.add_unit("upt-blk-lain", "UPT BLK Lain").await;
    let res = client
        .post(app.url("/unit/pilih"))
        .form(&[("csrf", csrf.as_str()), ("unit_id", &c.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Without the session's token the switch is refused (a cross-site form cannot move it).
    let res = client
        .post(app.url("/unit/pilih"))
        .form(&[
            ("csrf", "bukan-token"),
            ("unit_id", &app.unit.id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The next login opens B again.
    let again = app.page_login("jfu").await;
    let (_, html) = app.page(&again, "/pelatihan").await;
    assert!(
        html.contains("Pelatihan Barista Semarang"),
        "remembered unit"
    );

    // Revoking Siti's role in B moves her open sessions out of B at their next request.
    let grant = app
        .store
        .user(siti.id)
        .await
        .unwrap()
        .roles
        .into_iter()
        .find(|g| g.unit_id == b.id)
        .unwrap();
    app.store.revoke_role(b.id, grant.id, None).await.unwrap();
    // The grant and its revocation are both in B's audit chain, which stays whole.
    let entries: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, note FROM audit_log WHERE unit_id = $1 AND action LIKE 'role.%' AND note LIKE $2
         ORDER BY seq",
    )
    .bind(b.id)
    .bind(format!("%{}", siti.username))
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        entries,
        vec![
            (
                "role.granted".into(),
                format!("Peran staf diberikan kepada {}", siti.username)
            ),
            (
                "role.revoked".into(),
                format!("Peran staf dicabut dari {}", siti.username)
            ),
        ]
    );
    assert!(matches!(
        app.store.verify_audit_chain(b.id).await.unwrap(),
        laksana_store::ChainCheck::Intact { .. }
    ));
    let (_, html) = app.page(&again, "/pelatihan").await;
    assert!(
        !html.contains("Pelatihan Barista Semarang"),
        "no longer in B"
    );
    assert!(html.contains(A_TITLE));
}

#[tokio::test]
async fn the_installation_administrator_creates_a_unit_with_its_zone_and_kop() {
    let app = TestApp::spawn().await;
    let admin = app.page_login("admin").await;
    let (status, html) = app.page(&admin, "/admin/unit-kerja").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = hidden_csrf(&html);
    let res = admin
        .post(app.url("/admin/unit-kerja"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", "upt-blk-ambon"),
            ("name", "UPT BLK Ambon"),
            ("kind", "upt"),
            ("zone", "WIT"),
            ("head_title", "Kepala UPT BLK Ambon"),
            (
                "kop",
                "PEMERINTAH PROVINSI MALUKU\nDINAS TENAGA KERJA\nUPT BALAI LATIHAN KERJA AMBON",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page(&admin, "/admin/unit-kerja?ok=upt-blk-ambon").await;
    assert!(
        html.contains("UPT BLK Ambon") && html.contains("WIT"),
        "{html}"
    );

    let units = app.store.list_units().await.unwrap();
    let ambon = units.iter().find(|u| u.code == "upt-blk-ambon").unwrap();
    assert_eq!(ambon.zone, laksana_calendar::Zone::Wit);
    let profile = app.store.unit_profile(ambon.id).await.unwrap();
    assert_eq!(profile.name_lines[2], "UPT BALAI LATIHAN KERJA AMBON");
    // It runs the same SOP as the unit the administrator was in.
    let here = app.store.latest_definition(app.unit.id).await.unwrap();
    let there = app.store.latest_definition(ambon.id).await.unwrap();
    assert_eq!(here.content_hash, there.content_hash);

    // The code is unique, and only the administrator may open units.
    let res = admin
        .post(app.url("/admin/unit-kerja"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", "upt-blk-ambon"),
            ("name", "Lagi"),
            ("kind", "upt"),
            ("zone", "WIT"),
            ("head_title", "Kepala"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("sudah dipakai"));
    let jfu = app.page_login("jfu").await;
    let (status, _) = app.page(&jfu, "/admin/unit-kerja").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_account_without_any_role_sees_no_unit() {
    let app = TestApp::spawn().await;
    app.store
        .create_user(
            laksana_store::NewUser {
                username: "tamu",
                password: PASSWORD,
                full_name: "Tamu",
                nip: "",
                jabatan: "",
                is_admin: false,
            },
            app.clock_now(),
        )
        .await
        .unwrap();
    let jfu = app.api_login("jfu").await;
    app.create_training(&jfu, A_TITLE).await;
    let client = app.page_login("tamu").await;
    let (status, html) = app.page(&client, "/pelatihan").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains(A_TITLE));
    let token = app.api_login("tamu").await;
    let res = app.get_api(&token, "/api/v1/trainings").await;
    support::expect_problem(res, StatusCode::FORBIDDEN, "forbidden").await;
}
