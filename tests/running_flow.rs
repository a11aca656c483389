//! Steps 9 and 10 of SOP version 4 through the pages: the preparation meeting with its notulen
//! and changes to the final list, the sessions from the plan's schedule, attendance typed in,
//! sent late by an offline phone, and by self check-in with the room's QR code.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::TestApp;

/// The task (step run) id of the training's active step.
async fn active_run(app: &TestApp, id: i64) -> (i64, String) {
    let detail = app.store.training_detail(app.unit.id, id).await.unwrap();
    let run = detail.active_run().expect("an active step").clone();
    let key = detail
        .definition
        .step(run.step_no as u32)
        .unwrap()
        .key
        .clone();
    (run.id, key)
}

async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let csrf = app.page_csrf(client).await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let res = client.post(app.url(path)).form(&form).send().await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    let body = res.text().await.unwrap_or_default();
    (status, location.unwrap_or(body))
}

fn between<'a>(text: &'a str, start: &str, end: char) -> Option<&'a str> {
    let i = text.find(start)? + start.len();
    let j = text[i..].find(end)? + i;
    Some(&text[i..j])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meeting_confirms_the_list_and_three_ways_of_attendance_fill_the_sessions() {
    let app = TestApp::spawn().await;
    let id = app
        .training_at("Pelatihan Tata Boga Angkatan III", "rapat-persiapan")
        .await;
    let panitia = app.page_login("panitia").await;
    let (run9, key) = active_run(&app, id).await;
    assert_eq!(key, "rapat-persiapan");

    // Step 9 waits for the notulen and the confirmed list.
    let res = app
        .page_step(
            &panitia,
            id,
            run9,
            &[
                ("csrf", &app.page_csrf(&panitia).await),
                ("decision", "complete"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("notulen rapat persiapan") && body.contains("daftar peserta"),
        "{body}"
    );

    // The meeting: an incomplete save keeps what was typed and says what is missing.
    let (status, body) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/rapat"),
        &[("agenda", "Persiapan"), ("waktu", "2026-12-10T09:00")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("belum lengkap") && body.contains("tempat"),
        "{body}"
    );
    let (status, location) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/rapat"),
        &[
            ("agenda", "Persiapan pelaksanaan"),
            ("waktu", "2026-12-10T09:00"),
            ("tempat", "Ruang rapat UPT BLK"),
            ("nama_0", "Agus Setiawan, S.T."),
            ("jabatan_0", "Ketua"),
            ("hadir_0", "1"),
            ("nama_1", "Siti Rahmawati"),
            ("jabatan_1", "Sekretaris"),
            (
                "notulen",
                "Daftar peserta dibahas; jadwal tiga hari disepakati.",
            ),
            (
                "keputusan",
                "Sesi mengikuti jadwal rencana kerja; instruktur dari BLK.",
            ),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (_, page) = app.page(&panitia, &format!("/pelatihan/{id}/rapat")).await;
    assert!(page.contains("Ruang rapat UPT BLK"), "{page}");
    let pdf = panitia
        .get(app.url(&format!("/pelatihan/{id}/rapat/notulen.pdf")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"), "the notulen prints");

    // The list: confirmed, then one dropped and one reserve promoted, each with a reason.
    let (status, _) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/peserta/konfirmasi"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let list = app.store.final_participants(app.unit.id, id).await.unwrap();
    let confirmed = list.len();
    assert!(confirmed >= 3, "{list:?}");
    let dropped = list[0].nomination_id;
    let (status, body) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/daftar/{dropped}"),
        &[
            ("perubahan", "keluar"),
            ("alasan", "Sudah diterima bekerja"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, body) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/daftar/{dropped}"),
        &[("perubahan", "keluar"), ("alasan", "lagi")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "dropping twice: {body}");
    let noms = app.store.nominations(app.unit.id, id).await.unwrap();
    let reserve = noms
        .iter()
        .find(|n| !list.iter().any(|p| p.nomination_id == n.id))
        .expect("a reserve in the sample replies");
    let (status, _) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/daftar/{}", reserve.id),
        &[
            ("perubahan", "masuk"),
            ("alasan", "Menggantikan peserta yang bekerja"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let list = app.store.final_participants(app.unit.id, id).await.unwrap();
    assert_eq!(list.len(), confirmed);
    assert!(!list.iter().any(|p| p.nomination_id == dropped));
    assert!(list.iter().any(|p| p.nomination_id == reserve.id));
    let audit = app.store.audit_of_training(id).await.unwrap();
    assert!(audit.iter().any(|e| e
        .note
        .as_deref()
        .unwrap_or("")
        .contains("Sudah diterima bekerja")));

    // Step 9 completes; step 10 is due at the close of the plan's last day.
    let res = app
        .page_step(
            &panitia,
            id,
            run9,
            &[
                ("csrf", &app.page_csrf(&panitia).await),
                ("decision", "complete"),
            ],
        )
        .await;
    assert!(res.status().is_redirection() || res.status().is_success());
    let detail = app.store.training_detail(app.unit.id, id).await.unwrap();
    let run10 = detail.active_run().unwrap().clone();
    let plan = app.store.work_plan(app.unit.id, id).await.unwrap().unwrap();
    let last = plan.plan.tanggal_selesai.unwrap();
    assert_eq!(
        run10.due_at,
        Some(app.store.close_of(last, app.unit.zone)),
        "the training is due at the end of its last day"
    );

    // Sessions from the plan's schedule.
    let (status, _) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/pelaksanaan/sesi"),
        &[("sumber", "rencana")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let sessions = app.store.class_sessions(app.unit.id, id).await.unwrap();
    assert_eq!(sessions.len(), 3, "one per line of the schedule");

    // Session 1: typed back from the signed sheet, everyone present.
    let (s1, s2, s3) = (sessions[0].id, sessions[1].id, sessions[2].id);
    let sheet = panitia
        .get(app.url(&format!("/pelatihan/{id}/sesi/{s1}/daftar-hadir.pdf")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(sheet.starts_with(b"%PDF"));
    let statuses: Vec<(String, String)> = list
        .iter()
        .map(|p| (format!("status_{}", p.nomination_id), "hadir".to_string()))
        .collect();
    let mut fields: Vec<(&str, &str)> = statuses
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.push(("sumber", "lembar"));
    let (status, body) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/sesi/{s1}/hadir"),
        &fields,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // Session 2: a phone that was offline sends its taps later, with the time of each tap;
    // an older tap arriving after a newer one does not overwrite it.
    let csrf = app.page_csrf(&panitia).await;
    let now = app.clock_now();
    let tapped = now - chrono::Duration::minutes(40);
    let marks: Vec<serde_json::Value> = list
        .iter()
        .map(
            |p| json!({"nomination_id": p.nomination_id, "status": "hadir", "recorded_at": tapped}),
        )
        .collect();
    let res = panitia
        .post(app.url(&format!("/pelatihan/{id}/sesi/{s2}/hadir.json")))
        .json(&json!({"csrf": csrf, "marks": marks}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let older = json!([{"nomination_id": list[0].nomination_id, "status": "alpa",
        "recorded_at": tapped - chrono::Duration::minutes(10)}]);
    let res = panitia
        .post(app.url(&format!("/pelatihan/{id}/sesi/{s2}/hadir.json")))
        .json(&json!({"csrf": csrf, "marks": older}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let kept = app.store.session_attendance(app.unit.id, s2).await.unwrap();
    let first = kept
        .iter()
        .find(|m| m.nomination_id == list[0].nomination_id)
        .unwrap();
    assert_eq!(first.status, "hadir", "the newer tap stands");
    assert_eq!(
        first.recorded_at, tapped,
        "the time of the tap, not of the sending"
    );

    // A mark for someone not on the final list is refused and nothing of the batch is saved.
    let stranger = json!([
        {"nomination_id": list[1].nomination_id, "status": "sakit", "recorded_at": now},
        {"nomination_id": dropped, "status": "hadir", "recorded_at": now}
    ]);
    let res = panitia
        .post(app.url(&format!("/pelatihan/{id}/sesi/{s2}/hadir.json")))
        .json(&json!({"csrf": csrf, "marks": stranger}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let after = app.store.session_attendance(app.unit.id, s2).await.unwrap();
    assert!(after
        .iter()
        .all(|m| m.nomination_id != list[1].nomination_id || m.status == "hadir"));

    // Step 10 cannot finish while session 3 has no marks.
    let res = app
        .page_step(
            &panitia,
            id,
            run10.id,
            &[("csrf", &csrf), ("decision", "complete")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Session 3: self check-in. Cards carry each participant's personal link.
    let (status, cards) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/pelaksanaan/kartu"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let links: Vec<String> = cards
        .match_indices("/peserta/")
        .filter_map(|(i, _)| {
            let hex: String = cards[i + 9..]
                .chars()
                .take_while(|c| c.is_ascii_hexdigit())
                .collect();
            (hex.len() == 64).then_some(hex)
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(links.len(), list.len(), "one card per participant");
    let (_, session_page) = app
        .page(&panitia, &format!("/pelatihan/{id}/sesi/{s3}"))
        .await;
    let qr = between(&session_page, "/hadir/", '<')
        .expect("the room's QR link")
        .to_string();

    let phone = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Without the personal link first, the phone is told what to do.
    let res = phone
        .get(app.url(&format!("/hadir/{qr}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("tautan pribadi"));
    let mut present = 0;
    for (i, secret) in links.iter().enumerate() {
        let phone = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let res = phone
            .get(app.url(&format!("/peserta/{secret}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        if i == 0 {
            // Outside the session's time the code is refused, with the hours it is open.
            app.set_time(sessions[2].starts_at - chrono::Duration::hours(2));
            let res = phone
                .get(app.url(&format!("/hadir/{qr}")))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CONFLICT);
            let text = res.text().await.unwrap();
            assert!(text.contains("hanya dibuka pukul"), "{text}");
            app.set_time(sessions[2].starts_at + chrono::Duration::minutes(5));
        }
        let res = phone
            .get(app.url(&format!("/hadir/{qr}")))
            .send()
            .await
            .unwrap();
        let text = res.text().await.unwrap();
        assert!(text.contains("Tercatat hadir"), "{text}");
        present += 1;
        if i == 0 {
            let again = phone
                .get(app.url(&format!("/hadir/{qr}")))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(again.contains("Sudah tercatat"), "{again}");
        }
    }
    let marks = app.store.session_attendance(app.unit.id, s3).await.unwrap();
    assert_eq!(marks.len(), present);
    assert!(marks.iter().all(|m| m.via == "qr" && m.status == "hadir"));

    // A guessed QR code is not a session.
    let res = phone
        .get(app.url(&format!("/hadir/{}", "0".repeat(32))))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "no personal link yet on this phone"
    );

    // Every session has every participant's mark: step 10 completes.
    let totals = app.store.attendance_totals(app.unit.id, id).await.unwrap();
    assert!(totals.iter().all(|t| t.sessions == 3));
    // Days have passed on the clock: the Panitia signs in again.
    let panitia = app.page_login("panitia").await;
    let csrf = app.page_csrf(&panitia).await;
    let res = app
        .page_step(
            &panitia,
            id,
            run10.id,
            &[("csrf", &csrf), ("decision", "complete")],
        )
        .await;
    assert!(
        res.status().is_redirection() || res.status().is_success(),
        "{}",
        res.text().await.unwrap()
    );
    let (run11, key) = active_run(&app, id).await;
    assert_eq!(key, "laporan-pelaksanaan");

    // Step 11: the report is drafted from the data; the Panitia writes the narrative.
    let csrf = app.page_csrf(&panitia).await;
    let res = app
        .page_step(
            &panitia,
            id,
            run11,
            &[("csrf", &csrf), ("decision", "complete")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "no report yet");

    // Pre- and post-test scores (optional): a wrong number shows the form again with what was
    // typed and the participant named, and saves nothing; then all of them are saved.
    let people = app.store.final_participants(app.unit.id, id).await.unwrap();
    let (first, second) = (&people[0], &people[1]);
    let (pre1, post1) = (
        format!("pre_{}", first.nomination_id),
        format!("post_{}", first.nomination_id),
    );
    let (pre2, post2) = (
        format!("pre_{}", second.nomination_id),
        format!("post_{}", second.nomination_id),
    );
    let (status, page) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/nilai"),
        &[
            (&pre1, "60"),
            (&post1, "80,5"),
            (&pre2, "70"),
            (&post2, "seratus"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    // Names are HTML-escaped in the page (Sri'ani).
    let named = format!("{} (nilai post-test)", second.nama.replace('\'', "&#39;"));
    assert!(page.contains(&named), "{page}");
    assert!(
        page.contains("value=\"80,5\""),
        "what was typed is kept: {page}"
    );
    assert!(app
        .store
        .test_scores(app.unit.id, id)
        .await
        .unwrap()
        .is_empty());
    let (status, _) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/nilai"),
        &[
            (&pre1, "60"),
            (&post1, "80,5"),
            (&pre2, "70"),
            (&post2, "90"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = app.page(&panitia, &format!("/pelatihan/{id}/nilai")).await;
    assert!(page.contains("+20,5") && page.contains("+20"), "{page}");
    assert!(page.contains("pre-test <strong>65</strong>"), "{page}");

    let (_, page) = app
        .page(&panitia, &format!("/pelatihan/{id}/laporan"))
        .await;
    assert!(
        page.contains("pre-test 65,0 dan post-test 85,2 (2 peserta), naik 20,2 poin"),
        "the report carries the test change: {page}"
    );
    assert!(
        page.contains("PENDAHULUAN") && page.contains("Tingkat kehadiran"),
        "{page}"
    );
    assert!(
        page.contains("WAKTU LANGKAH SOP"),
        "the timeline against the standard: {page}"
    );
    let (status, _) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/laporan"),
        &[
            ("hambatan", "Listrik padam setengah hari pada hari kedua."),
            ("saran", "Genset cadangan untuk ruang praktik."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let pdf = panitia
        .get(app.url(&format!("/pelatihan/{id}/laporan.pdf")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    std::fs::write(
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("laporan.pdf"),
        &pdf,
    )
    .unwrap();
    let csrf = app.page_csrf(&panitia).await;
    let res = app
        .page_step(
            &panitia,
            id,
            run11,
            &[("csrf", &csrf), ("decision", "complete")],
        )
        .await;
    assert!(res.status().is_redirection() || res.status().is_success());

    // Step 12: the head returns it with a note (version 5 makes this a decision), then accepts.
    let kadis = app.page_login("kadis").await;
    let (run12, key) = active_run(&app, id).await;
    assert_eq!(key, "terima-laporan");
    let csrf = app.page_csrf(&kadis).await;
    let res = app
        .page_step(
            &kadis,
            id,
            run12,
            &[
                ("csrf", &csrf),
                ("decision", "return"),
                ("note", "Lengkapi saran tindak lanjut."),
            ],
        )
        .await;
    assert!(res.status().is_redirection() || res.status().is_success());
    let (run11b, key) = active_run(&app, id).await;
    assert_eq!(key, "laporan-pelaksanaan", "back to the report");
    let (status, _) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/laporan"),
        &[
            ("hambatan", "Listrik padam setengah hari pada hari kedua."),
            ("saran", "Genset cadangan; pelatihan lanjutan bagi lulusan."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let csrf = app.page_csrf(&panitia).await;
    app.page_step(
        &panitia,
        id,
        run11b,
        &[("csrf", &csrf), ("decision", "complete")],
    )
    .await;
    let (run12b, _) = active_run(&app, id).await;
    let csrf = app.page_csrf(&kadis).await;
    app.page_step(
        &kadis,
        id,
        run12b,
        &[("csrf", &csrf), ("decision", "approve")],
    )
    .await;
    let detail = app.store.training_detail(app.unit.id, id).await.unwrap();
    assert_eq!(detail.training.status, "selesai", "the training is closed");
    assert!(detail.active_run().is_none());
    // Closed means read-only: the report can no longer be changed.
    let (status, _) = post_form(
        &app,
        &panitia,
        &format!("/pelatihan/{id}/laporan"),
        &[("hambatan", "diubah")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let report = app.store.report(app.unit.id, id).await.unwrap().unwrap();
    assert_eq!(report.version, 2);
    let _ = s1;
}
