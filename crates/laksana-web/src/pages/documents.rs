//! The letters of steps 4 to 6 (undangan, surat pengantar, SK Panitia): drafted from the work
//! plan, edited, initialled (paraf), returned with a note, signed and numbered, printed; and
//! the public verification page a signed letter's QR code points to.
//!
//! Which action is open follows the training's active step (by its key) and the viewer's role
//! in it, so the pages cannot act outside the SOP; the store keeps the rules of the documents
//! themselves (a changed draft loses its paraf, a signed one never changes).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use laksana_domain::Kedudukan;
use laksana_store::{DocumentDetail, TrainingDetail};

use super::tasks::render_error;
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{Form, Path, Query};
use crate::paperwork::{self, PrintFacts};
use crate::{format, AppState};

/// The step that drafts the letters, the one that checks them, the head's signing step.
pub use crate::paperwork::{DRAFT_STEP, REVIEW_STEP, SIGN_STEP};

/// The active step's key when the viewer holds its role.
fn my_step(detail: &TrainingDetail, viewer: &Viewer) -> Option<String> {
    let run = detail.active_run()?;
    let step = detail.definition.step(run.step_no as u32)?;
    viewer
        .roles
        .contains(&step.pelaksana)
        .then(|| step.key.clone())
}

/// Refuses unless the active step is `key` and the viewer holds its role.
fn require_step(detail: &TrainingDetail, viewer: &Viewer, key: &str) -> Result<(), AppError> {
    let Some(step) = detail.definition.steps.iter().find(|s| s.key == key) else {
        return Err(AppError::forbidden(
            "SOP pelatihan ini tidak memiliki langkah untuk tindakan ini.",
        ));
    };
    let active = detail
        .active_run()
        .is_some_and(|r| r.step_no as u32 == step.number);
    if !active {
        return Err(AppError::new(
            axum::http::StatusCode::CONFLICT,
            "step_not_active",
            format!(
                "Tindakan ini hanya dapat dilakukan saat langkah {} berjalan.",
                step.number
            ),
        ));
    }
    if !viewer.roles.contains(&step.pelaksana) {
        let role = detail
            .definition
            .role(&step.pelaksana)
            .map_or(step.pelaksana.clone(), |r| r.name.clone());
        return Err(AppError::forbidden(format!(
            "Langkah {} harus dikerjakan oleh {role}.",
            step.number
        )));
    }
    Ok(())
}

pub struct DocRow {
    pub id: i64,
    pub name: &'static str,
    pub title: String,
    pub state: String,
    pub number: String,
    pub parafs: Vec<String>,
    pub returns: Vec<String>,
    pub can_edit: bool,
    pub can_paraf: bool,
    pub can_sign: bool,
    pub can_return: bool,
    pub signed: bool,
    pub verification: String,
    /// A TTE-signed copy was uploaded.
    pub has_tte: bool,
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    csrf: String,
    rows: Vec<DocRow>,
    can_draft: bool,
    missing: Vec<&'static str>,
    flash: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

fn flash_text(code: &str) -> Option<String> {
    Some(
        match code {
            "drafted" => "Konsep dibuat dari rencana kerja.",
            "saved" => {
                "Konsep tersimpan sebagai versi baru; paraf pada versi lama tidak berlaku lagi."
            }
            "paraf" => "Paraf tercatat.",
            "signed" => "Naskah ditandatangani dan diberi nomor.",
            "returned" => "Catatan pengembalian tercatat.",
            "tte" => "PDF ber-TTE diterima dan disimpan di samping PDF asli.",
            _ => return None,
        }
        .to_string(),
    )
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Result<Response, AppError> {
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    let step = my_step(&detail, &viewer);
    let docs = state
        .store
        .documents_of_training(viewer.unit.id, id)
        .await?;
    let zone = viewer.unit.zone;
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    for (kind, name) in paperwork::LETTER_KINDS {
        let Some(doc) = docs.iter().find(|d| d.kind == kind) else {
            missing.push(name);
            continue;
        };
        let d = state.store.document(viewer.unit.id, doc.id).await?;
        rows.push(row(&d, name, step.as_deref(), zone));
    }
    let names = role_names(&state, &viewer).await;
    let page = DocumentsPage {
        nav: Some(Nav::new(&state, &viewer, "pelatihan", &names)),
        id,
        title: detail.training.title.clone(),
        csrf: viewer.csrf.clone(),
        rows,
        can_draft: step.as_deref() == Some(DRAFT_STEP) && !missing.is_empty(),
        missing,
        flash: flash.ok.as_deref().and_then(flash_text),
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

fn row(
    d: &DocumentDetail,
    name: &'static str,
    step: Option<&str>,
    zone: laksana_calendar::Zone,
) -> DocRow {
    let doc = &d.document;
    let signed = d.signature.is_some();
    let valid = d.valid_parafs();
    let state = match (&d.signature, d.current()) {
        (Some(s), _) => format!(
            "Ditandatangani {} pada {}",
            s.signer.title_line(),
            format::waktu(s.signed_at, zone)
        ),
        (None, Some(v)) => format!(
            "Konsep versi {} ({}, {}); paraf {}/{}",
            v.version,
            v.created_by_name,
            format::waktu(v.created_at, zone),
            valid.len(),
            doc.parafs_required
        ),
        (None, None) => "Belum ada isi".into(),
    };
    let kind = doc.kind.as_str();
    let needs_paraf = doc.parafs_required > 0;
    DocRow {
        id: doc.id,
        name,
        title: doc.title.clone(),
        state,
        number: d
            .signature
            .as_ref()
            .and_then(|s| s.number.clone())
            .unwrap_or_default(),
        parafs: d
            .parafs
            .iter()
            .map(|p| {
                format!(
                    "{} ({}) pada versi {}, {}{}",
                    p.name,
                    p.jabatan,
                    p.version,
                    format::waktu(p.at, zone),
                    if p.valid {
                        ""
                    } else {
                        " — tidak berlaku: naskah berubah sesudahnya"
                    }
                )
            })
            .collect(),
        returns: d
            .returns
            .iter()
            .map(|r| {
                format!(
                    "{} (versi {}, {}): {}",
                    r.by_name,
                    r.version,
                    format::waktu(r.at, zone),
                    r.note
                )
            })
            .collect(),
        can_edit: !signed && step == Some(DRAFT_STEP),
        can_paraf: !signed && needs_paraf && step == Some(REVIEW_STEP) && valid.is_empty(),
        can_sign: !signed && step == Some(paperwork::signing_step(kind)),
        can_return: !signed && step == Some(REVIEW_STEP),
        signed,
        verification: d
            .signature
            .as_ref()
            .map(|s| format!("/verifikasi/{}", s.verification_token))
            .unwrap_or_default(),
        has_tte: d.signature.as_ref().is_some_and(|s| s.tte_sha256.is_some()),
    }
}

#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// Step 4: the three drafts, made from the newest plan (only those not made yet).
pub async fn draft(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&form.csrf)?;
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    require_step(&detail, &viewer, DRAFT_STEP)?;
    paperwork::make_drafts(
        &state.store,
        &viewer.unit,
        &viewer.user,
        id,
        state.clock.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/naskah?ok=drafted")).into_response())
}

/// The document, checked to belong to the training in the path.
async fn doc_of(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    doc: i64,
) -> Result<DocumentDetail, AppError> {
    let d = state.store.document(viewer.unit.id, doc).await?;
    if d.document.training_id != id {
        return Err(AppError::not_found());
    }
    Ok(d)
}

/// Step 5: the Kepala Bidang's paraf on the current version.
pub async fn paraf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, doc)): Path<(i64, i64)>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&form.csrf)?;
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    let d = doc_of(&state, &viewer, id, doc).await?;
    require_step(&detail, &viewer, REVIEW_STEP)?;
    let version = d.current().map_or(0, |v| v.version);
    state
        .store
        .record_paraf(
            viewer.unit.id,
            doc,
            version,
            &viewer.user,
            "",
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/naskah?ok=paraf")).into_response())
}

#[derive(serde::Deserialize)]
pub struct ReturnForm {
    csrf: String,
    #[serde(default)]
    note: String,
}

/// Step 5: a note on one document for its drafter (the step itself is returned on its form).
pub async fn return_note(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, doc)): Path<(i64, i64)>,
    Form(form): Form<ReturnForm>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&form.csrf)?;
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    doc_of(&state, &viewer, id, doc).await?;
    require_step(&detail, &viewer, REVIEW_STEP)?;
    state
        .store
        .return_document(
            viewer.unit.id,
            doc,
            &form.note,
            &viewer.user,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/naskah?ok=returned")).into_response())
}

/// Signing: the surat pengantar by the Kepala Bidang at step 5, the undangan and the SK by the
/// head (or the Plt/Plh of the day) at the signing step. The number is given now, and the PDF
/// printed with it is stored and never changes.
pub async fn sign(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, doc)): Path<(i64, i64)>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&form.csrf)?;
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    let d = doc_of(&state, &viewer, id, doc).await?;
    let kind = d.document.kind.clone();
    require_step(&detail, &viewer, paperwork::signing_step(&kind))?;
    paperwork::sign(
        &state.store,
        &viewer.unit,
        &viewer.user,
        &d,
        state.clock.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/naskah?ok=signed")).into_response())
}

/// The document as PDF: the stored signed file once signed, else the draft marked KONSEP.
pub async fn pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let d = doc_of(&state, &viewer, id, doc).await?;
    let bytes = if d.signature.is_some() {
        state.store.signed_pdf(viewer.unit.id, doc).await?
    } else {
        let content = d
            .current()
            .map(|v| v.content.clone())
            .ok_or_else(AppError::not_found)?;
        let profile = state.store.unit_profile(viewer.unit.id).await?;
        let kind = d.document.kind.clone();
        let parafs: Vec<laksana_documents::letter::Paraf> =
            paperwork::print_parafs(&d.valid_parafs(), &profile);
        tokio::task::spawn_blocking(move || {
            paperwork::render(
                &kind,
                &content,
                PrintFacts {
                    profile: &profile,
                    signer: None,
                    nomor: None,
                    tanggal: None,
                    paraf: parafs,
                    verifikasi: None,
                    draft: true,
                },
            )
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?
    };
    Ok(file(
        bytes,
        "application/pdf",
        &format!("{}-{doc}.pdf", d.document.kind),
    ))
}

/// A draft as DOCX (signed documents are only PDF).
pub async fn docx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let d = doc_of(&state, &viewer, id, doc).await?;
    let content = d
        .current()
        .map(|v| v.content.clone())
        .ok_or_else(AppError::not_found)?;
    let profile = state.store.unit_profile(viewer.unit.id).await?;
    let bytes =
        paperwork::docx(&d.document.kind, &content, &profile).map_err(AppError::internal)?;
    Ok(file(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("konsep-{}-{doc}.docx", d.document.kind),
    ))
}

fn file(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    super::download(bytes, content_type, name, false)
}

pub struct MemberRow {
    pub nama: String,
    pub nip: String,
    pub jabatan: String,
    pub kedudukan: &'static str,
    /// The member's account ("" for none): once the SK is signed, the Panitia steps are theirs.
    pub user_id: String,
}

#[derive(Template)]
#[template(path = "document_edit.html")]
struct EditPage {
    nav: Option<Nav>,
    id: i64,
    doc: i64,
    name: &'static str,
    csrf: String,
    is_sk: bool,
    hal: String,
    sifat: String,
    lampiran: String,
    kepada: String,
    isi: String,
    tembusan: String,
    tentang: String,
    menimbang: String,
    mengingat: String,
    diktum: String,
    panitia: Vec<MemberRow>,
    kedudukan: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    /// Accounts a committee member can be linked to: (id, "Name (username)").
    users: Vec<(i64, String)>,
}

fn lines(v: &serde_json::Value, key: &str, sep: &str) -> String {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(sep)
        })
        .unwrap_or_default()
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    let d = doc_of(&state, &viewer, id, doc).await?;
    require_step(&detail, &viewer, DRAFT_STEP)?;
    let content = d.current().map(|v| v.content.clone()).unwrap_or_default();
    render_edit(&state, &viewer, id, &d, &content, None).await
}

async fn render_edit(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    d: &DocumentDetail,
    c: &serde_json::Value,
    error: Option<String>,
) -> Result<Response, AppError> {
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    let mut panitia: Vec<MemberRow> = c["panitia"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| MemberRow {
                    nama: m["nama"].as_str().unwrap_or_default().into(),
                    nip: m["nip"].as_str().unwrap_or_default().into(),
                    jabatan: m["jabatan"].as_str().unwrap_or_default().into(),
                    kedudukan: kedudukan_key(m["kedudukan"].as_str().unwrap_or_default()),
                    user_id: m["user_id"]
                        .as_i64()
                        .map(|u| u.to_string())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    panitia.extend((0..3).map(|_| MemberRow {
        nama: String::new(),
        nip: String::new(),
        jabatan: String::new(),
        kedudukan: "anggota",
        user_id: String::new(),
    }));
    let names = role_names(state, viewer).await;
    let page = EditPage {
        nav: Some(Nav::new(state, viewer, "pelatihan", &names)),
        id,
        doc: d.document.id,
        name: paperwork::kind_name(&d.document.kind),
        csrf: viewer.csrf.clone(),
        is_sk: d.document.kind == "sk_panitia",
        hal: s("hal"),
        sifat: s("sifat"),
        lampiran: s("lampiran"),
        kepada: lines(c, "kepada", "\n"),
        isi: lines(c, "isi", "\n\n"),
        tembusan: lines(c, "tembusan", "\n"),
        tentang: s("tentang"),
        menimbang: lines(c, "menimbang", "\n\n"),
        mengingat: lines(c, "mengingat", "\n\n"),
        diktum: lines(c, "diktum", "\n\n"),
        panitia,
        kedudukan: Kedudukan::ALL
            .iter()
            .map(|k| (k.key(), k.label()))
            .collect(),
        error,
        users: super::account_choices(state, viewer).await?,
    };
    let status = if page.error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

/// The print model's kedudukan names (`PenanggungJawab`) as the form's keys.
fn kedudukan_key(v: &str) -> &'static str {
    match v {
        "Pengarah" => "pengarah",
        "PenanggungJawab" => "penanggung_jawab",
        "Ketua" => "ketua",
        "Sekretaris" => "sekretaris",
        _ => "anggota",
    }
}

fn kedudukan_print(key: &str) -> &'static str {
    match key {
        "pengarah" => "Pengarah",
        "penanggung_jawab" => "PenanggungJawab",
        "ketua" => "Ketua",
        "sekretaris" => "Sekretaris",
        _ => "Anggota",
    }
}

/// Saves an edited draft as a new version (its paraf, if any, no longer count).
pub async fn edit_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, doc)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or(String::new(), |(_, v)| {
                v.replace("\r\n", "\n").trim().to_string()
            })
    };
    let all = |name: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .collect()
    };
    viewer.check_csrf(&one("csrf"))?;
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    let d = doc_of(&state, &viewer, id, doc).await?;
    require_step(&detail, &viewer, DRAFT_STEP)?;
    let mut content = d.current().map(|v| v.content.clone()).unwrap_or_default();
    let list = |text: String| -> serde_json::Value {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::Value::from(l.to_string()))
            .collect()
    };
    let paras = |text: String| -> serde_json::Value {
        laksana_documents::letter::paragraphs(&text)
            .into_iter()
            .map(serde_json::Value::from)
            .collect()
    };
    // The lampiran's rows as posted (blank rows skipped), for saving or for showing again.
    let members = || -> serde_json::Value {
        let (nama, nip, jab, ked, akun) = (
            all("panitia_nama"),
            all("panitia_nip"),
            all("panitia_jabatan"),
            all("panitia_kedudukan"),
            all("panitia_user"),
        );
        (0..nama.len())
            .filter(|&i| !nama[i].is_empty())
            .map(|i| {
                let cell = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
                let nip = cell(&nip);
                serde_json::json!({
                    "nama": cell(&nama),
                    "nip": (!nip.is_empty()).then_some(nip),
                    "jabatan": cell(&jab),
                    "kedudukan": kedudukan_print(&cell(&ked)),
                    "user_id": cell(&akun).parse::<i64>().ok(),
                })
            })
            .collect::<Vec<_>>()
            .into()
    };
    let required = if d.document.kind == "sk_panitia" {
        "tentang"
    } else {
        "hal"
    };
    let bad_nip = all("panitia_nip")
        .iter()
        .enumerate()
        .filter(|(_, nip)| !nip.is_empty())
        .find_map(|(i, nip)| {
            laksana_store::normalise_nip("nip", &format!("NIP panitia baris {}", i + 1), nip)
                .err()
                .map(|e| e.to_string())
        });
    let too_long = [
        ("hal", "Hal", 500),
        ("tentang", "Tentang", 500),
        ("sifat", "Sifat", 100),
        ("lampiran", "Lampiran", 100),
    ]
    .into_iter()
    .find(|(k, _, max)| one(k).chars().count() > *max)
    .map(|(_, label, max)| format!("{label} paling banyak {max} karakter."))
    .or_else(|| {
        one("kepada")
            .lines()
            .chain(one("tembusan").lines())
            .any(|l| l.chars().count() > 300)
            .then(|| "Setiap baris Kepada dan Tembusan paling banyak 300 karakter.".to_string())
    });
    // A committee account must be one of this unit's people: an id typed from another unit
    // names nobody here.
    let choices = super::account_choices(&state, &viewer).await?;
    let foreign_account = all("panitia_user")
        .iter()
        .filter(|v| !v.is_empty())
        .any(|v| {
            !v.parse::<i64>()
                .is_ok_and(|id| choices.iter().any(|(c, _)| *c == id))
        })
        .then(|| "Akun panitia harus dipilih dari daftar pengguna unit ini.".to_string());
    let problem = if one(required).is_empty() {
        Some(format!(
            "{} wajib diisi.",
            if required == "hal" { "Hal" } else { "Tentang" }
        ))
    } else {
        bad_nip.or(too_long).or(foreign_account)
    };
    if let Some(message) = problem {
        // Show what was typed again; nothing is saved.
        let mut typed = content.clone();
        for key in ["hal", "sifat", "lampiran", "tentang"] {
            typed[key] = one(key).into();
        }
        for key in ["kepada", "tembusan"] {
            typed[key] = list(one(key));
        }
        for key in ["isi", "menimbang", "mengingat", "diktum"] {
            typed[key] = paras(one(key));
        }
        typed["panitia"] = members();
        return render_edit(&state, &viewer, id, &d, &typed, Some(message)).await;
    }
    if d.document.kind == "sk_panitia" {
        content["tentang"] = one("tentang").into();
        content["menimbang"] = paras(one("menimbang"));
        content["mengingat"] = paras(one("mengingat"));
        content["diktum"] = paras(one("diktum"));
        content["panitia"] = members();
    } else {
        content["hal"] = one("hal").into();
        content["sifat"] = one("sifat").into();
        content["lampiran"] = one("lampiran").into();
        content["kepada"] = list(one("kepada"));
        content["isi"] = paras(one("isi"));
    }
    content["tembusan"] = list(one("tembusan"));
    state
        .store
        .save_document(
            viewer.unit.id,
            doc,
            &content,
            &viewer.user,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/naskah?ok=saved")).into_response())
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    nav: Option<Nav>,
    found: bool,
    kind: &'static str,
    title: String,
    number: String,
    date: String,
    signer: String,
    nip: String,
    sha256: String,
    tte: String,
}

/// The public page a signed letter's QR code opens: no login, only what the letter shows.
pub async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let found = state.store.document_by_verification(&token).await;
    let page = match found {
        Ok(v) => VerifyPage {
            nav: None,
            found: true,
            kind: paperwork::kind_name(&v.document_kind),
            title: v.title,
            number: v.number.unwrap_or_else(|| "-".into()),
            date: format::tanggal(v.date),
            signer: format!("{} {}", v.signer.title_line(), v.signer.name),
            nip: v.signer.nip,
            sha256: v.pdf_sha256,
            tte: v.tte_sha256.unwrap_or_default(),
        },
        Err(laksana_store::StoreError::NotFound(_)) => VerifyPage {
            nav: None,
            found: false,
            kind: "",
            title: String::new(),
            number: String::new(),
            date: String::new(),
            signer: String::new(),
            nip: String::new(),
            sha256: String::new(),
            tte: String::new(),
        },
        Err(e) => return Err(e.into()),
    };
    let status = if page.found {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::NOT_FOUND
    };
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

/// Largest TTE-signed PDF accepted: the letter itself is tens of kilobytes, a signature with
/// its certificate chain and timestamp adds at most a few hundred.
pub const MAX_TTE_BYTES: usize = 20 * 1024 * 1024;

/// A certified electronic signature (TTE): the signer downloads the stored PDF, signs it with
/// their own TTE application and uploads the result, which is kept beside the original only if
/// it is that PDF plus an incremental signature update.
pub async fn upload_tte(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, doc)): Path<(i64, i64)>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let bad = |_| {
        AppError::bad_request(
            "invalid_upload",
            "berkas",
            "Unggahan tidak terbaca atau terlalu besar; tidak ada yang disimpan.",
        )
    };
    let mut csrf = String::new();
    let mut bytes: Option<Vec<u8>> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("berkas") => {
                let mut buf = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    buf.extend_from_slice(&chunk);
                    if buf.len() > MAX_TTE_BYTES {
                        return Err(AppError::new(
                            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                            "too_large",
                            "Berkas terlalu besar (paling besar 20 MiB); tidak ada yang disimpan.",
                        ));
                    }
                }
                bytes = Some(buf);
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    let d = doc_of(&state, &viewer, id, doc).await?;
    let signature = d.signature.as_ref().ok_or_else(|| {
        AppError::new(
            axum::http::StatusCode::CONFLICT,
            "document_not_signed",
            "Naskah ini belum ditandatangani di Laksana; TTE diunggah sesudahnya.",
        )
    })?;
    // Only the official who signed attaches their own electronic signature.
    let official = state
        .store
        .official(viewer.unit.id, signature.signer.official_id)
        .await?;
    if official.user_id != Some(viewer.user.id) {
        return Err(AppError::forbidden(format!(
            "TTE naskah ini diunggah oleh penanda tangannya, {}.",
            signature.signer.name
        )));
    }
    let bytes = bytes.filter(|b| !b.is_empty()).ok_or_else(|| {
        AppError::bad_request("missing_file", "berkas", "Pilih berkas PDF ber-TTE.")
    })?;
    state
        .store
        .attach_tte_signed_pdf(viewer.unit.id, doc, &bytes, &viewer.user, state.clock.now())
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/naskah?ok=tte")).into_response())
}

/// The TTE-signed PDF, once uploaded.
pub async fn tte_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let d = doc_of(&state, &viewer, id, doc).await?;
    let bytes = state
        .store
        .tte_pdf(viewer.unit.id, doc)
        .await?
        .ok_or_else(AppError::not_found)?;
    // Uploaded, not rendered by us: saved, never opened inside this site's origin.
    Ok(super::download(
        bytes,
        "application/pdf",
        &format!("{}-{doc}-tte.pdf", d.document.kind),
        true,
    ))
}
