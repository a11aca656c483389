//! The work plan (rencana kerja) form of step 1: every part of the plan on one page, rows of
//! quotas, budget lines, committee and schedule as repeated inputs (no script needed), each
//! problem shown beside its input. Saving always keeps what was typed, as a new version.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use laksana_domain::{
    parse_rupiah, rupiah, BudgetLine, Check, CommitteeMember, Criteria, Education, Kedudukan,
    PlanProblem, Quota, ScheduleItem, Severity, WorkPlan,
};
use laksana_store::{PlanVersion, TrainingDetail, PLAN_STEP_KEY};

use super::tasks::render_error;
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{Path, Query};
use crate::format;
use crate::AppState;

/// Empty rows offered below the filled ones of each table.
const BLANK_ROWS: usize = 3;
/// How many recent trainings the "copy the plan of" list offers.
const PLAN_SOURCES: i64 = 100;

pub struct QuotaRow {
    pub kode: String,
    pub nama: String,
    pub kuota: String,
    pub err: String,
}
pub struct BudgetRow {
    pub kode: String,
    pub uraian: String,
    pub volume: String,
    pub satuan: String,
    pub harga: String,
    pub jumlah: String,
    pub err: String,
}
pub struct CommitteeRow {
    pub nama: String,
    pub nip: String,
    pub jabatan: String,
    pub kedudukan: &'static str,
    pub err: String,
}
pub struct ScheduleRow {
    pub tanggal: String,
    pub mulai: String,
    pub selesai: String,
    pub acara: String,
    pub err: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    csrf: String,
    editable: bool,
    /// "versi 3, disimpan … oleh …", or empty before the first save.
    version_line: String,
    flash: Option<String>,
    /// Messages by field path (errors first).
    errs: BTreeMap<String, String>,
    error_count: usize,
    warnings: Vec<String>,
    judul: String,
    kejuruan: String,
    program: String,
    tujuan: String,
    tanggal_mulai: String,
    tanggal_selesai: String,
    tempat: String,
    jumlah: String,
    usia_min: String,
    usia_max: String,
    pendidikan: String,
    lainnya: String,
    batas_balasan: String,
    pagu: String,
    total_anggaran: String,
    total_kuota: u32,
    peralatan: String,
    narahubung: String,
    narahubung_telepon: String,
    kuota: Vec<QuotaRow>,
    anggaran: Vec<BudgetRow>,
    panitia: Vec<CommitteeRow>,
    jadwal: Vec<ScheduleRow>,
    educations: Vec<(&'static str, &'static str)>,
    kedudukan: Vec<(&'static str, &'static str)>,
    /// Other trainings of the unit with a plan to copy from: (id, title).
    sources: Vec<(i64, String)>,
}

impl PlanPage {
    /// The message for a field, or "" (askama prints nothing then).
    pub fn e(&self, field: &str) -> &str {
        self.errs.get(field).map_or("", String::as_str)
    }
}

#[derive(serde::Deserialize, Default)]
pub struct PlanQuery {
    #[serde(default)]
    ok: Option<String>,
    /// Start from the newest plan of this other training.
    #[serde(default)]
    salin: Option<i64>,
}

/// Whether the plan's step is active and `viewer` may work on it.
fn can_edit(detail: &TrainingDetail, viewer: &Viewer) -> bool {
    detail
        .active_run()
        .and_then(|r| detail.definition.step(r.step_no as u32))
        .is_some_and(|s| s.key == PLAN_STEP_KEY && viewer.roles.contains(&s.pelaksana))
}

/// The plan a training starts with when none was saved: what the training already knows.
fn initial_plan(detail: &TrainingDetail) -> WorkPlan {
    let t = &detail.training;
    WorkPlan {
        judul: t.title.clone(),
        kejuruan: t.kejuruan.clone(),
        tempat: t.location.clone(),
        tanggal_mulai: Some(t.start_date),
        peralatan: detail.definition.peralatan.clone(),
        ..WorkPlan::default()
    }
}

pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PlanQuery>,
) -> Result<Response, AppError> {
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    let saved = state.store.work_plan(viewer.unit.id, id).await?;
    let editable = can_edit(&detail, &viewer);
    let plan = match (&saved, q.salin) {
        (_, Some(source)) if editable => {
            let source = state
                .store
                .work_plan(viewer.unit.id, source)
                .await?
                .ok_or_else(AppError::not_found)?;
            WorkPlan {
                judul: detail.training.title.clone(),
                tanggal_mulai: Some(detail.training.start_date),
                ..source.plan.copy_for_new_training()
            }
        }
        (Some(v), _) => v.plan.clone(),
        (None, _) => initial_plan(&detail),
    };
    let check = plan.check();
    let flash = q.ok.map(|_| match &saved {
        Some(v) if v.complete => format!("Rencana kerja tersimpan sebagai versi {}.", v.version),
        Some(v) => format!(
            "Rencana kerja tersimpan sebagai versi {}, tetapi belum lengkap: perbaiki isian bertanda merah sebelum langkah ini diselesaikan.",
            v.version
        ),
        None => String::new(),
    });
    // Before the first save, an untouched form shows no red: only after a save or a copy.
    let show = saved.is_some() || q.salin.is_some();
    render(
        &state,
        &viewer,
        &detail,
        saved.as_ref(),
        &plan,
        (&[], &Typed::new()),
        &check,
        show,
        editable,
        flash,
    )
    .await
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    viewer.check_csrf(csrf)?;
    let (plan, parse_problems, typed) = read_plan(&fields);
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    if !parse_problems.is_empty() {
        // Unreadable numbers or dates: show the form again with what was typed, save nothing
        // (a number we could not read cannot be kept faithfully).
        let check = plan.check();
        let saved = state.store.work_plan(viewer.unit.id, id).await?;
        let editable = can_edit(&detail, &viewer);
        let mut page = render(
            &state,
            &viewer,
            &detail,
            saved.as_ref(),
            &plan,
            (&parse_problems, &typed),
            &check,
            true,
            editable,
            Some("Beberapa isian tidak dapat dibaca; belum ada yang disimpan.".into()),
        )
        .await?;
        *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(page);
    }
    state
        .store
        .save_work_plan(&viewer.unit, &viewer.user, id, &plan, state.clock.now())
        .await?;
    Ok(axum::response::Redirect::to(&format!("/pelatihan/{id}/rencana?ok=1")).into_response())
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    viewer: &Viewer,
    detail: &TrainingDetail,
    saved: Option<&PlanVersion>,
    plan: &WorkPlan,
    (parse_problems, typed): (&[PlanProblem], &Typed),
    check: &Check,
    show_problems: bool,
    editable: bool,
    flash: Option<String>,
) -> Result<Response, AppError> {
    let mut errs = BTreeMap::new();
    let mut error_count = 0;
    let mut warnings = Vec::new();
    if show_problems {
        // Parse problems first: they explain why a value looks empty.
        for p in parse_problems.iter().chain(check.errors()) {
            error_count += 1;
            errs.entry(p.field.clone())
                .or_insert_with(|| p.message.clone());
        }
        for p in check.warnings() {
            warnings.push(p.message.clone());
        }
    }
    let row_err = |prefix: String| -> String {
        errs.iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let num = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    // A value that could not be read is shown as it was typed, beside its message.
    let or_typed = |field: String, shown: String| typed.get(&field).cloned().unwrap_or(shown);
    let mut kuota: Vec<QuotaRow> = plan
        .kuota
        .iter()
        .enumerate()
        .map(|(i, q)| QuotaRow {
            kode: q.kode_wilayah.clone(),
            nama: q.nama_wilayah.clone(),
            kuota: or_typed(format!("kuota.{i}.kuota"), q.kuota.to_string()),
            err: row_err(format!("kuota.{i}.")),
        })
        .collect();
    kuota.extend((0..BLANK_ROWS).map(|_| QuotaRow {
        kode: String::new(),
        nama: String::new(),
        kuota: String::new(),
        err: String::new(),
    }));
    let mut anggaran: Vec<BudgetRow> = plan
        .anggaran
        .iter()
        .enumerate()
        .map(|(i, l)| BudgetRow {
            kode: l.kode_rekening.clone(),
            uraian: l.uraian.clone(),
            volume: or_typed(format!("anggaran.{i}.volume"), l.volume.to_string()),
            satuan: l.satuan.clone(),
            harga: or_typed(
                format!("anggaran.{i}.harga"),
                rupiah(l.harga).trim_start_matches("Rp ").to_string(),
            ),
            jumlah: l.jumlah().map(rupiah).unwrap_or_else(|| "—".into()),
            err: row_err(format!("anggaran.{i}.")),
        })
        .collect();
    anggaran.extend((0..BLANK_ROWS).map(|_| BudgetRow {
        kode: String::new(),
        uraian: String::new(),
        volume: String::new(),
        satuan: String::new(),
        harga: String::new(),
        jumlah: String::new(),
        err: String::new(),
    }));
    let mut panitia: Vec<CommitteeRow> = plan
        .panitia
        .iter()
        .enumerate()
        .map(|(i, m)| CommitteeRow {
            nama: m.nama.clone(),
            nip: m.nip.clone(),
            jabatan: m.jabatan.clone(),
            kedudukan: m.kedudukan.key(),
            err: row_err(format!("panitia.{i}.")),
        })
        .collect();
    panitia.extend((0..BLANK_ROWS).map(|_| CommitteeRow {
        nama: String::new(),
        nip: String::new(),
        jabatan: String::new(),
        kedudukan: Kedudukan::Anggota.key(),
        err: String::new(),
    }));
    let mut jadwal: Vec<ScheduleRow> = plan
        .jadwal
        .iter()
        .enumerate()
        .map(|(i, s)| ScheduleRow {
            tanggal: or_typed(format!("jadwal.{i}.tanggal"), date(s.tanggal)),
            mulai: s.mulai.clone(),
            selesai: s.selesai.clone(),
            acara: s.acara.clone(),
            err: row_err(format!("jadwal.{i}.")),
        })
        .collect();
    jadwal.extend((0..BLANK_ROWS).map(|_| ScheduleRow {
        tanggal: String::new(),
        mulai: String::new(),
        selesai: String::new(),
        acara: String::new(),
        err: String::new(),
    }));
    let sources = if editable {
        // The most recent ones: a plan is copied from a recent training, and a list of a
        // province's thousands would make the page megabytes.
        state
            .store
            .search_trainings(
                &viewer.unit,
                &laksana_store::TrainingQuery {
                    limit: PLAN_SOURCES,
                    ..Default::default()
                },
            )
            .await?
            .items
            .into_iter()
            .filter(|t| t.id != detail.training.id)
            .map(|t| (t.id, t.title))
            .collect()
    } else {
        Vec::new()
    };
    let names = role_names(state, viewer).await;
    let p = &plan.peserta;
    let page = PlanPage {
        nav: Some(Nav::new(state, viewer, "pelatihan", &names)),
        id: detail.training.id,
        title: detail.training.title.clone(),
        csrf: viewer.csrf.clone(),
        editable,
        version_line: saved
            .map(|v| {
                format!(
                    "Versi {}, disimpan {} oleh {}{}",
                    v.version,
                    format::waktu(v.saved_at, viewer.unit.zone),
                    v.saved_by_name,
                    if v.complete { "" } else { " (belum lengkap)" }
                )
            })
            .unwrap_or_default(),
        flash,
        error_count,
        warnings,
        judul: plan.judul.clone(),
        kejuruan: plan.kejuruan.clone(),
        program: plan.program.clone(),
        tujuan: plan.tujuan.join("\n"),
        tanggal_mulai: or_typed("tanggal_mulai".into(), date(plan.tanggal_mulai)),
        tanggal_selesai: or_typed("tanggal_selesai".into(), date(plan.tanggal_selesai)),
        tempat: plan.tempat.clone(),
        jumlah: or_typed(
            "peserta.jumlah".into(),
            if p.jumlah == 0 {
                String::new()
            } else {
                p.jumlah.to_string()
            },
        ),
        usia_min: or_typed("peserta.usia_min".into(), num(p.usia_min)),
        usia_max: or_typed("peserta.usia_max".into(), num(p.usia_max)),
        pendidikan: p.pendidikan_min.map(|e| e.key()).unwrap_or("").to_string(),
        lainnya: p.lainnya.clone(),
        batas_balasan: or_typed("batas_balasan".into(), date(plan.batas_balasan)),
        pagu: or_typed(
            "pagu_dpa".into(),
            if plan.pagu_dpa == 0 {
                String::new()
            } else {
                rupiah(plan.pagu_dpa).trim_start_matches("Rp ").to_string()
            },
        ),
        total_anggaran: rupiah(plan.total_anggaran()),
        total_kuota: plan.total_kuota(),
        peralatan: plan.peralatan.join("\n"),
        narahubung: plan.narahubung.clone(),
        narahubung_telepon: plan.narahubung_telepon.clone(),
        kuota,
        anggaran,
        panitia,
        jadwal,
        educations: Education::ALL
            .iter()
            .map(|e| (e.key(), e.label()))
            .collect(),
        kedudukan: Kedudukan::ALL
            .iter()
            .map(|k| (k.key(), k.label()))
            .collect(),
        sources,
        errs,
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

/// The plan as typed, and the values that could not be read (a number with letters, a date
/// that is not one). Rows whose inputs are all empty are the blank rows: skipped.
/// What [`read_plan`] could not read, by field path, exactly as typed.
type Typed = BTreeMap<String, String>;

fn read_plan(fields: &[(String, String)]) -> (WorkPlan, Vec<PlanProblem>, Typed) {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or(String::new(), |(_, v)| v.trim().to_string())
    };
    let all = |name: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .collect()
    };
    let lines = |name: &str| -> Vec<String> {
        one(name)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    };
    // Several readers below report into it; a RefCell lets them share it without ordering.
    let problems = std::cell::RefCell::new(Vec::new());
    // What could not be read is kept as typed, to show again beside its message.
    let raw = std::cell::RefCell::new(BTreeMap::new());
    let bad = |field: String, message: String, typed: &str| {
        raw.borrow_mut().insert(field.clone(), typed.to_string());
        problems.borrow_mut().push(PlanProblem {
            field,
            message,
            severity: Severity::Error,
        })
    };
    let date = |field: &str, text: &str, label: &str| -> Option<NaiveDate> {
        if text.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        {
            Ok(d) => Some(d),
            Err(_) => {
                bad(
                    field.to_string(),
                    format!("{label}: \"{text}\" bukan tanggal (tulis 23/12/2026)."),
                    text,
                );
                None
            }
        }
    };
    let tanggal_mulai = date("tanggal_mulai", &one("tanggal_mulai"), "Tanggal mulai");
    let tanggal_selesai = date(
        "tanggal_selesai",
        &one("tanggal_selesai"),
        "Tanggal selesai",
    );
    let batas_balasan = date("batas_balasan", &one("batas_balasan"), "Batas balasan");

    let mut jadwal = Vec::new();
    let (jt, jm, js, ja) = (
        all("jadwal_tanggal"),
        all("jadwal_mulai"),
        all("jadwal_selesai"),
        all("jadwal_acara"),
    );
    for i in 0..jt.len().max(ja.len()) {
        let cell = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
        let (t, m, s, a) = (cell(&jt), cell(&jm), cell(&js), cell(&ja));
        if [&t, &m, &s, &a].iter().all(|c| c.is_empty()) {
            continue;
        }
        let row = jadwal.len();
        let tanggal = date(
            &format!("jadwal.{row}.tanggal"),
            &t,
            &format!("Jadwal baris {}", row + 1),
        );
        jadwal.push(ScheduleItem {
            tanggal,
            mulai: m,
            selesai: s,
            acara: a,
        });
    }

    let number = |field: String, text: &str, label: &str| -> u32 {
        if text.is_empty() {
            return 0;
        }
        text.replace('.', "").parse().unwrap_or_else(|_| {
            bad(
                field,
                format!("{label}: \"{text}\" bukan bilangan bulat."),
                text,
            );
            0
        })
    };
    let opt_number = |n: u32, text: &str| (!text.is_empty() && n > 0).then_some(n);
    let jumlah_text = one("jumlah");
    let jumlah = number("peserta.jumlah".into(), &jumlah_text, "Jumlah peserta");
    let (min_text, max_text) = (one("usia_min"), one("usia_max"));
    let usia_min = number("peserta.usia_min".into(), &min_text, "Usia minimum");
    let usia_max = number("peserta.usia_max".into(), &max_text, "Usia maksimum");

    let mut kuota = Vec::new();
    let (kk, kn, kj) = (all("kuota_kode"), all("kuota_nama"), all("kuota_jumlah"));
    for i in 0..kk.len().max(kn.len()) {
        let cell = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
        let (k, n, j) = (cell(&kk), cell(&kn), cell(&kj));
        if [&k, &n, &j].iter().all(|c| c.is_empty()) {
            continue;
        }
        let row = kuota.len();
        let q = number(
            format!("kuota.{row}.kuota"),
            &j,
            &format!("Kuota baris {}", row + 1),
        );
        kuota.push(Quota {
            kode_wilayah: k,
            nama_wilayah: n,
            kuota: q,
        });
    }

    let mut anggaran = Vec::new();
    let (ak, au, av, asat, ah) = (
        all("anggaran_kode"),
        all("anggaran_uraian"),
        all("anggaran_volume"),
        all("anggaran_satuan"),
        all("anggaran_harga"),
    );
    for i in 0..au.len().max(ak.len()) {
        let cell = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
        let (k, u, v, s, h) = (cell(&ak), cell(&au), cell(&av), cell(&asat), cell(&ah));
        if [&k, &u, &v, &s, &h].iter().all(|c| c.is_empty()) {
            continue;
        }
        let row = anggaran.len();
        let volume = number(
            format!("anggaran.{row}.volume"),
            &v,
            &format!("Anggaran baris {}", row + 1),
        );
        let harga = if h.is_empty() {
            0
        } else {
            parse_rupiah(&h).unwrap_or_else(|m| {
                bad(
                    format!("anggaran.{row}.harga"),
                    format!("Anggaran baris {}: {m}.", row + 1),
                    &h,
                );
                0
            })
        };
        anggaran.push(BudgetLine {
            kode_rekening: k,
            uraian: u,
            volume,
            satuan: s,
            harga,
        });
    }
    let pagu_text = one("pagu_dpa");
    let pagu_dpa = if pagu_text.is_empty() {
        0
    } else {
        parse_rupiah(&pagu_text).unwrap_or_else(|m| {
            bad("pagu_dpa".into(), format!("Pagu DPA: {m}."), &pagu_text);
            0
        })
    };

    let mut panitia = Vec::new();
    let (pn, pnip, pj, pk) = (
        all("panitia_nama"),
        all("panitia_nip"),
        all("panitia_jabatan"),
        all("panitia_kedudukan"),
    );
    for i in 0..pn.len() {
        let cell = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
        let (n, nip, j) = (cell(&pn), cell(&pnip), cell(&pj));
        if [&n, &nip, &j].iter().all(|c| c.is_empty()) {
            continue;
        }
        panitia.push(CommitteeMember {
            nama: n,
            nip,
            jabatan: j,
            kedudukan: Kedudukan::from_key(&cell(&pk)).unwrap_or_default(),
            user_id: None,
        });
    }

    let plan = WorkPlan {
        judul: one("judul"),
        kejuruan: one("kejuruan"),
        program: one("program"),
        tujuan: lines("tujuan"),
        tanggal_mulai,
        tanggal_selesai,
        jadwal,
        tempat: one("tempat"),
        peserta: Criteria {
            jumlah,
            usia_min: opt_number(usia_min, &min_text),
            usia_max: opt_number(usia_max, &max_text),
            pendidikan_min: Education::from_key(&one("pendidikan")),
            lainnya: one("lainnya"),
        },
        kuota,
        batas_balasan,
        pagu_dpa,
        anggaran,
        panitia,
        peralatan: lines("peralatan"),
        narahubung: one("narahubung"),
        narahubung_telepon: one("narahubung_telepon"),
    };
    (plan, problems.into_inner(), raw.into_inner())
}

/// The work plan as a PDF for its approval at step 2: the newest saved version, marked KONSEP
/// while it is incomplete, with the approver once step 2 approved it.
pub async fn pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    let saved = state
        .store
        .work_plan(viewer.unit.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let profile = state.store.unit_profile(viewer.unit.id).await?;
    // The approval is the last "approved" round of the step that checks the plan (the step
    // right after the plan's own).
    let plan_step = detail
        .definition
        .steps
        .iter()
        .find(|s| s.key == PLAN_STEP_KEY)
        .map(|s| s.number);
    let approved_by = plan_step.and_then(|n| {
        detail
            .runs_of(n + 1)
            .into_iter()
            .rev()
            .find(|r| r.outcome.as_deref() == Some("approved"))
            .and_then(|r| r.completed_by_name.clone())
            .map(|name| {
                let jabatan = detail
                    .definition
                    .step(n + 1)
                    .and_then(|s| detail.definition.role(&s.pelaksana))
                    .map(|r| r.name.clone())
                    .unwrap_or_default();
                (name, jabatan)
            })
    });
    let print = crate::paperwork::work_plan_print(&saved, &profile, approved_by);
    // Typesetting takes tens of milliseconds of CPU: keep it off the async workers.
    let rendered =
        tokio::task::spawn_blocking(move || laksana_documents::letter::render_work_plan(&print))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
    let name = format!("rencana-kerja-{id}-v{}.pdf", saved.version);
    Ok(super::download(
        rendered.pdf,
        "application/pdf",
        &name,
        false,
    ))
}
