//! Step 11: the laporan pelaksanaan, drafted from what Laksana already knows. The numbers —
//! dates, participants per Kabupaten/Kota and by sex, sessions and instructors, attendance,
//! completion, test scores, the step timeline against the SOP's standard times — are computed
//! each time from the data and cannot be typed over; the Panitia writes only the narrative
//! (background, obstacles, advice, closing). The same blocks make the page and the PDF.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use laksana_documents::letter::{ReportBlock, ReportSigner};
use laksana_store::{ReportNarrative, TrainingDetail, REPORT_STEP_KEY};

use super::tasks::render_error;
use super::{download, role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{Path, Query};
use crate::{format, AppState};

fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64).replace('.', ",")
    }
}

fn table(kolom: &[&str], lebar: &[u32], baris: Vec<Vec<String>>) -> ReportBlock {
    ReportBlock::Table {
        kolom: kolom.iter().map(|s| s.to_string()).collect(),
        lebar: lebar.to_vec(),
        baris,
    }
}

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() {
        "-".into()
    } else {
        s.trim().to_string()
    }
}

/// The report's blocks and its signer, from the data and the saved narrative.
pub async fn report_blocks(
    state: &AppState,
    unit: &laksana_store::Unit,
    detail: &TrainingDetail,
    narrative: &ReportNarrative,
) -> Result<(Vec<ReportBlock>, Option<ReportSigner>), AppError> {
    let id = detail.training.id;
    let zone = unit.zone;
    let plan = state.store.work_plan(unit.id, id).await?.map(|v| v.plan);
    let people = state.store.final_participants(unit.id, id).await?;
    let sessions = state.store.class_sessions(unit.id, id).await?;
    let totals = state.store.attendance_totals(unit.id, id).await?;
    let scores = state.store.test_scores(unit.id, id).await?;
    let def = &detail.definition;
    let t = &detail.training;
    let mut b = Vec::new();

    // I. Pendahuluan
    b.push(ReportBlock::Heading("I. PENDAHULUAN".into()));
    b.push(ReportBlock::Heading("A. Latar Belakang".into()));
    b.push(ReportBlock::Paragraph(if narrative.latar_belakang.trim().is_empty() {
        format!(
            "{} diselenggarakan oleh {} sesuai SOP {} untuk meningkatkan kompetensi kerja angkatan kerja di bidang {}.",
            t.title, unit.name, def.nama, t.kejuruan
        )
    } else {
        narrative.latar_belakang.trim().to_string()
    }));
    b.push(ReportBlock::Heading("B. Maksud dan Tujuan".into()));
    let aims = plan.as_ref().map(|p| p.tujuan.clone()).unwrap_or_default();
    b.push(ReportBlock::Paragraph(if aims.is_empty() {
        "-".into()
    } else {
        aims.iter()
            .enumerate()
            .map(|(i, a)| format!("{}. {a}", i + 1))
            .collect::<Vec<_>>()
            .join("\n\n")
    }));
    b.push(ReportBlock::Heading("C. Ruang Lingkup".into()));
    b.push(ReportBlock::Paragraph(format!(
        "Kejuruan {}{}; {} peserta dari {} Kabupaten/Kota; {} sesi.",
        t.kejuruan,
        plan.as_ref()
            .map(|p| format!(", program {}", p.program))
            .unwrap_or_default(),
        people.len(),
        people
            .iter()
            .map(|p| p.recipient_id)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        sessions.len()
    )));
    b.push(ReportBlock::Heading("D. Dasar".into()));
    b.push(ReportBlock::Paragraph(
        def.dasar_hukum
            .iter()
            .enumerate()
            .map(|(i, d)| format!("{}. {d}", i + 1))
            .collect::<Vec<_>>()
            .join("\n\n"),
    ));

    // II. Pelaksanaan
    b.push(ReportBlock::Heading("II. PELAKSANAAN".into()));
    let (start, end) = plan
        .as_ref()
        .map(|p| (p.tanggal_mulai, p.tanggal_selesai))
        .unwrap_or((Some(t.start_date), None));
    b.push(ReportBlock::Paragraph(format!(
        "Waktu: {}. Tempat: {}.",
        match (start, end) {
            (Some(a), Some(z)) if a != z =>
                format!("{} s.d. {}", format::tanggal(a), format::tanggal(z)),
            (Some(a), _) => format::tanggal(a),
            _ => "-".into(),
        },
        plan.as_ref()
            .map(|p| p.tempat.clone())
            .unwrap_or_else(|| t.location.clone())
    )));
    b.push(ReportBlock::Heading("A. Peserta".into()));
    let mut by_region: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for p in &people {
        let participant = super::nominations::parse_participant(&p.data);
        let sex = participant.jenis_kelamin.or_else(|| {
            laksana_nomination::Nik::parse(&p.nik, chrono::Utc::now().date_naive())
                .ok()
                .map(|n| n.sex)
        });
        let e = by_region.entry(p.region_name.clone()).or_default();
        e.0 += 1;
        match sex {
            Some(laksana_nomination::Sex::Laki) => e.1 += 1,
            Some(laksana_nomination::Sex::Perempuan) => e.2 += 1,
            None => {}
        }
    }
    let (n, l, pr) = by_region
        .values()
        .fold((0, 0, 0), |a, v| (a.0 + v.0, a.1 + v.1, a.2 + v.2));
    let mut rows: Vec<Vec<String>> = by_region
        .iter()
        .enumerate()
        .map(|(i, (r, v))| {
            vec![
                (i + 1).to_string(),
                r.clone(),
                v.1.to_string(),
                v.2.to_string(),
                v.0.to_string(),
            ]
        })
        .collect();
    rows.push(vec![
        String::new(),
        "Jumlah".into(),
        l.to_string(),
        pr.to_string(),
        n.to_string(),
    ]);
    b.push(table(
        &["No", "Kabupaten/Kota", "Laki-laki", "Perempuan", "Jumlah"],
        &[4, 30, 10, 10, 10],
        rows,
    ));
    b.push(ReportBlock::Heading("B. Sesi dan Instruktur".into()));
    b.push(table(
        &["No", "Waktu", "Materi", "Instruktur", "Ruang"],
        &[4, 22, 26, 18, 12],
        sessions
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let a = s.starts_at.with_timezone(&zone.offset());
                let z = s.ends_at.with_timezone(&zone.offset());
                vec![
                    (i + 1).to_string(),
                    format!(
                        "{}, {}–{}",
                        format::tanggal(a.date_naive()),
                        a.format("%H.%M"),
                        z.format("%H.%M")
                    ),
                    s.topic.clone(),
                    or_dash(&s.instructor),
                    or_dash(&s.room),
                ]
            })
            .collect(),
    ));

    // III. Hasil
    b.push(ReportBlock::Heading("III. HASIL".into()));
    let present: i64 = totals.iter().map(|x| x.present).sum();
    let possible: i64 = totals.iter().map(|x| x.sessions).sum();
    let complete = totals
        .iter()
        .filter(|x| x.sessions > 0 && x.present >= x.sessions)
        .count() as i64;
    let mut hasil = format!(
        "Tingkat kehadiran {} ({present} dari {possible} kehadiran). {complete} dari {} peserta ({}) mengikuti semua sesi.",
        percent(present, possible),
        totals.len(),
        percent(complete, totals.len() as i64),
    );
    let pairs: Vec<(f64, f64)> = scores
        .iter()
        .filter_map(|(_, a, z)| Some(((*a)?, (*z)?)))
        .collect();
    if !pairs.is_empty() {
        let pre = pairs.iter().map(|p| p.0).sum::<f64>() / pairs.len() as f64;
        let post = pairs.iter().map(|p| p.1).sum::<f64>() / pairs.len() as f64;
        // One decimal, with the Indonesian decimal comma.
        let d = |v: f64| format!("{v:.1}").replace('.', ",");
        let change = post - pre;
        let moved = if change.abs() < 0.05 {
            "tidak berubah".to_string()
        } else if change > 0.0 {
            format!("naik {} poin", d(change))
        } else {
            format!("turun {} poin", d(-change))
        };
        hasil.push_str(&format!(
            " Rata-rata nilai pre-test {} dan post-test {} ({} peserta), {moved}.",
            d(pre),
            d(post),
            pairs.len(),
        ));
    } else {
        hasil.push_str(" Nilai pre-test dan post-test tidak dicatat.");
    }
    b.push(ReportBlock::Paragraph(hasil));
    b.push(table(
        &["No", "Sesi", "Hadir", "Persentase"],
        &[4, 40, 10, 12],
        {
            let mut rows = Vec::new();
            for (i, s) in sessions.iter().enumerate() {
                let marks = state.store.session_attendance(unit.id, s.id).await?;
                let here = marks.iter().filter(|m| m.status == "hadir").count() as i64;
                rows.push(vec![
                    (i + 1).to_string(),
                    s.topic.clone(),
                    format!("{here} dari {}", people.len()),
                    percent(here, people.len() as i64),
                ]);
            }
            rows
        },
    ));

    // IV–VI. Narrative
    b.push(ReportBlock::Heading("IV. HAMBATAN".into()));
    b.push(ReportBlock::Paragraph(or_dash(&narrative.hambatan)));
    b.push(ReportBlock::Heading("V. SARAN".into()));
    b.push(ReportBlock::Paragraph(or_dash(&narrative.saran)));
    b.push(ReportBlock::Heading("VI. PENUTUP".into()));
    b.push(ReportBlock::Paragraph(if narrative.penutup.trim().is_empty() {
        "Demikian laporan pelaksanaan ini disampaikan sebagai pertanggungjawaban penyelenggaraan pelatihan.".into()
    } else {
        narrative.penutup.trim().to_string()
    }));

    // Lampiran
    b.push(ReportBlock::Heading(
        "LAMPIRAN 1. REKAPITULASI KEHADIRAN DAN DAFTAR PESERTA".into(),
    ));
    b.push(table(
        &["No", "Nama", "Kabupaten/Kota", "Hadir", "Pre", "Post"],
        &[4, 28, 20, 10, 6, 6],
        people
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let tot = totals.iter().find(|x| x.nomination_id == p.nomination_id);
                let sc = scores.iter().find(|x| x.0 == p.nomination_id);
                let num =
                    |v: Option<f64>| v.map(|x| format!("{x:.0}")).unwrap_or_else(|| "-".into());
                vec![
                    (i + 1).to_string(),
                    p.nama.clone(),
                    p.region_name.clone(),
                    tot.map(|x| format!("{}/{}", x.present, x.sessions))
                        .unwrap_or_default(),
                    num(sc.and_then(|x| x.1)),
                    num(sc.and_then(|x| x.2)),
                ]
            })
            .collect(),
    ));
    b.push(ReportBlock::Heading(
        "LAMPIRAN 2. WAKTU LANGKAH SOP: BAKU DAN NYATA".into(),
    ));
    let cal = state.store.calendar();
    b.push(table(
        &[
            "No",
            "Kegiatan",
            "Waktu baku",
            "Waktu nyata (jam kerja)",
            "Selesai",
        ],
        &[4, 34, 12, 16, 18],
        def.steps
            .iter()
            .map(|s| {
                let runs = detail.runs_of(s.number);
                let worked: i64 = runs
                    .iter()
                    .filter_map(|r| {
                        r.completed_at
                            .and_then(|c| cal.working_minutes_between(r.started_at, c, zone).ok())
                    })
                    .sum();
                let done = runs
                    .iter()
                    .filter_map(|r| r.completed_at)
                    .max()
                    .map(|c| format::waktu(c, zone))
                    .unwrap_or_else(|| "belum".into());
                vec![
                    s.number.to_string(),
                    def.substitute(&s.kegiatan, &|k| unit.setting(k)),
                    s.waktu.to_string(),
                    if runs.iter().any(|r| r.completed_at.is_some()) {
                        format::durasi_kerja(worked)
                    } else {
                        "-".into()
                    },
                    done,
                ]
            })
            .collect(),
    ));

    // Signed by the Ketua Panitia of the SK, when the plan names one, at the unit's place.
    let place = state
        .store
        .unit_profile(unit.id)
        .await
        .ok()
        .map(|p| p.place)
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| unit.name.clone());
    let signer = plan.as_ref().and_then(|p| {
        p.panitia
            .iter()
            .find(|m| m.kedudukan == laksana_domain::Kedudukan::Ketua)
            .map(|m| ReportSigner {
                tempat_tanggal: format!(
                    "{}, {}",
                    place,
                    format::tanggal(state.clock.now().with_timezone(&zone.offset()).date_naive())
                ),
                jabatan: "Ketua Panitia".into(),
                nama: m.nama.clone(),
                keterangan: if m.nip.is_empty() {
                    String::new()
                } else {
                    format!("NIP {}", m.nip)
                },
            })
    });
    Ok((b, signer))
}

pub enum View {
    H(String),
    P(Vec<String>),
    T(Vec<String>, Vec<Vec<String>>),
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    csrf: String,
    flash: Option<String>,
    can_edit: bool,
    saved: String,
    narrative: ReportNarrative,
    blocks: Vec<View>,
}

#[derive(serde::Deserialize, Default)]
pub struct OkQuery {
    #[serde(default)]
    pub ok: String,
}

async fn training_of(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<TrainingDetail, AppError> {
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    if !detail
        .definition
        .steps
        .iter()
        .any(|s| s.key == REPORT_STEP_KEY)
    {
        return Err(AppError::not_found());
    }
    Ok(detail)
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, AppError> {
    let detail = training_of(&state, &viewer, id).await?;
    let saved = state.store.report(viewer.unit.id, id).await?;
    let narrative = saved
        .as_ref()
        .map(|r| r.narrative.clone())
        .unwrap_or_default();
    let (blocks, _) = report_blocks(&state, &viewer.unit, &detail, &narrative).await?;
    let committee = state
        .store
        .is_committee(&viewer.unit, &viewer.user, id, state.clock.now())
        .await?;
    let at_report = detail
        .active_run()
        .and_then(|r| detail.definition.step(r.step_no as u32))
        .is_some_and(|s| s.key == REPORT_STEP_KEY);
    let names = role_names(&state, &viewer).await;
    let page = ReportPage {
        nav: Some(Nav::new(&state, &viewer, "pelatihan", &names)),
        id,
        title: detail.training.title.clone(),
        csrf: viewer.csrf.clone(),
        flash: (q.ok == "simpan").then(|| "Laporan disimpan.".to_string()),
        can_edit: committee && at_report,
        saved: match &saved {
            Some(r) => format!(
                "Versi {} disimpan oleh {} pada {}",
                r.version,
                r.saved_by_name,
                format::waktu(r.saved_at, viewer.unit.zone)
            ),
            None => "Belum disimpan".into(),
        },
        narrative,
        blocks: blocks
            .into_iter()
            .map(|b| match b {
                ReportBlock::Heading(t) => View::H(t),
                ReportBlock::Paragraph(t) => View::P(t.split("\n\n").map(str::to_string).collect()),
                ReportBlock::Table { kolom, baris, .. } => View::T(kolom, baris),
            })
            .collect(),
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let f: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    viewer.check_csrf(&get("csrf"))?;
    training_of(&state, &viewer, id).await?;
    let narrative = ReportNarrative {
        latar_belakang: get("latar_belakang"),
        hambatan: get("hambatan"),
        saran: get("saran"),
        penutup: get("penutup"),
    };
    state
        .store
        .save_report(
            &viewer.unit,
            &viewer.user,
            id,
            &narrative,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/laporan?ok=simpan")).into_response())
}

pub async fn pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let detail = training_of(&state, &viewer, id).await?;
    let narrative = state
        .store
        .report(viewer.unit.id, id)
        .await?
        .map(|r| r.narrative)
        .unwrap_or_default();
    let (blocks, penanda) = report_blocks(&state, &viewer.unit, &detail, &narrative).await?;
    let profile = state.store.unit_profile(viewer.unit.id).await?;
    let report = laksana_documents::letter::BlockReport {
        kop: crate::paperwork::kop(&profile),
        judul: "LAPORAN PELAKSANAAN PELATIHAN".into(),
        subjudul: vec![detail.training.title.to_uppercase()],
        blocks,
        penanda,
    };
    let rendered =
        tokio::task::spawn_blocking(move || laksana_documents::letter::render_report(&report))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
    Ok(download(
        rendered.pdf,
        "application/pdf",
        &format!("laporan-pelaksanaan-{id}.pdf"),
        false,
    ))
}
