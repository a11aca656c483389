//! The SOP itself: the definition in force, its versions, what changed between two, and the
//! administrator's editor (every save is a new version, checked first).

use crate::form::Form;
use crate::form::{Path, Query};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use laksana_engine::definition::diff::diff;
use laksana_engine::Problem;
use laksana_store::{DefinitionRow, StoreError};

use super::tasks::render_error;
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::format;
use crate::AppState;

/// Largest SOP file accepted; a real definition is a few kilobytes.
pub const MAX_SOP_BYTES: usize = 1024 * 1024;

pub struct StepRow {
    pub number: u32,
    pub kegiatan: String,
    pub pelaksana: String,
    pub persyaratan: String,
    pub waktu: String,
    pub output: String,
    pub keterangan: String,
    pub returns_to: Option<u32>,
}

pub struct VersionRow {
    pub id: i64,
    pub version: String,
    pub effective: String,
    pub created_at: String,
    pub created_by: String,
    pub trainings: i64,
    pub hash: String,
}

#[derive(Template)]
#[template(path = "sop.html")]
struct SopPage {
    nav: Option<Nav>,
    nama: String,
    version: String,
    hash: String,
    is_admin: bool,
    flash: Option<String>,
    identity: Vec<(&'static str, String)>,
    boxes: Vec<(&'static str, Vec<String>)>,
    steps: Vec<StepRow>,
    notes: Vec<String>,
    total: String,
    versions: Vec<VersionRow>,
    downloads: Vec<(String, &'static str)>,
    /// The flowchart as inline SVG (every text in it is XML-escaped by the documents crate).
    flowchart: String,
}

/// Links to the exports of a stored version (PDF, BPMN, Mermaid, TOML).
fn downloads(id: i64) -> Vec<(String, &'static str)> {
    vec![
        (format!("/sop/versi/{id}/pdf"), "Unduh dokumen SOP (PDF)"),
        (format!("/sop/versi/{id}/bpmn"), "Unduh BPMN 2.0"),
        (format!("/sop/versi/{id}/mermaid"), "Unduh Mermaid"),
        (format!("/sop/versi/{id}/toml"), "Unduh TOML"),
    ]
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(flash): Query<Flash>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let today = now.with_timezone(&viewer.unit.zone.offset()).date_naive();
    let row = state
        .store
        .effective_definition(viewer.unit.id, today)
        .await?;
    let def = state.store.definition(row.id).await?;
    let setting = |k: &str| viewer.unit.setting(k);
    let sub = |t: &str| def.substitute(t, &setting);
    let dash = |v: &Option<String>| {
        v.clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "-".into())
    };
    let identity = vec![
        ("Unit", def.unit.clone()),
        ("Nomor SOP", dash(&def.identity.nomor)),
        ("Tanggal pembuatan", dash(&def.identity.tanggal_pembuatan)),
        ("Tanggal revisi", dash(&def.identity.tanggal_revisi)),
        ("Tanggal efektif", dash(&def.identity.tanggal_efektif)),
        (
            "Disahkan oleh",
            def.identity
                .disahkan_oleh
                .as_ref()
                .map(|p| format!("{}, {} (NIP {})", sub(&p.jabatan), p.nama, p.nip))
                .unwrap_or_else(|| "-".into()),
        ),
    ];
    let list = |v: &[String]| v.iter().map(|s| sub(s)).collect::<Vec<_>>();
    let boxes = vec![
        ("Dasar hukum", list(&def.dasar_hukum)),
        ("Kualifikasi pelaksana", list(&def.kualifikasi_pelaksana)),
        ("Keterkaitan", list(&def.keterkaitan)),
        ("Peralatan/perlengkapan", list(&def.peralatan)),
        ("Peringatan", list(&def.peringatan)),
        ("Pencatatan dan pendataan", list(&def.pencatatan)),
    ];
    let steps = def
        .steps
        .iter()
        .map(|s| StepRow {
            number: s.number,
            kegiatan: sub(&s.kegiatan),
            pelaksana: def
                .role(&s.pelaksana)
                .map(|r| sub(&r.name))
                .unwrap_or_default(),
            persyaratan: sub(&s.persyaratan),
            waktu: s.waktu.to_string(),
            output: sub(&s.output),
            keterangan: sub(&s.keterangan),
            returns_to: s.decision.map(|d| d.on_return),
        })
        .collect();
    let notes = def
        .notes
        .iter()
        .map(|n| match n.step {
            Some(step) => format!("Langkah {step}: {}", n.text),
            None => n.text.clone(),
        })
        .collect();
    let versions = state
        .store
        .list_definitions(viewer.unit.id)
        .await?
        .into_iter()
        .map(|v| VersionRow {
            id: v.row.id,
            version: v.row.version,
            effective: v
                .effective_date
                .map(format::tanggal)
                .unwrap_or_else(|| "sejak diunggah".into()),
            created_at: format::waktu(v.created_at, viewer.unit.zone),
            created_by: v.created_by.unwrap_or_else(|| "sistem".into()),
            trainings: v.trainings,
            hash: v.row.content_hash[..12].to_string(),
        })
        .collect();
    let names = role_names(&state, &viewer).await;
    let page = SopPage {
        nav: Some(Nav::new(&state, &viewer, "sop", &names)),
        nama: def.nama.clone(),
        version: row.version.clone(),
        hash: row.content_hash[..12].to_string(),
        is_admin: viewer.user.is_admin,
        flash: flash.ok.map(|_| {
            "Versi baru tersimpan. Pelatihan baru memakai versi ini sejak tanggal efektifnya."
                .into()
        }),
        identity,
        boxes,
        steps,
        notes,
        total: format::durasi_kerja(def.total_standard_minutes() as i64),
        versions,
        downloads: downloads(row.id),
        flowchart: laksana_documents::flowchart_svg(
            &def,
            &laksana_documents::FlowMarks::default()
                .with_setting("head_title", &viewer.unit.head_title),
        ),
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

#[derive(Template)]
#[template(path = "sop_version.html")]
struct VersionPage {
    nav: Option<Nav>,
    nama: String,
    version: String,
    hash: String,
    trainings: i64,
    lines: Vec<String>,
    downloads: Vec<(String, &'static str)>,
}

pub async fn version(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let row = state.store.definition_of_unit(viewer.unit.id, id).await?;
    let def = state.store.definition(row.id).await?;
    let src = state.store.definition_source(row.id).await?;
    let trainings = state
        .store
        .list_definitions(viewer.unit.id)
        .await?
        .iter()
        .find(|v| v.row.id == id)
        .map(|v| v.trainings)
        .unwrap_or(0);
    let names = role_names(&state, &viewer).await;
    let page = VersionPage {
        nav: Some(Nav::new(&state, &viewer, "sop", &names)),
        nama: def.nama.clone(),
        version: row.version.clone(),
        hash: row.content_hash.clone(),
        trainings,
        lines: src.lines().map(str::to_string).collect(),
        downloads: downloads(row.id),
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

pub async fn version_toml(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let row = state.store.definition_of_unit(viewer.unit.id, id).await?;
    let src = state.store.definition_source(row.id).await?;
    Ok(attachment(
        &row,
        "toml",
        "application/toml; charset=utf-8",
        src,
    ))
}

/// The official SOP document of a stored version as PDF, with the unit's own head title.
pub async fn version_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let row = state.store.definition_of_unit(viewer.unit.id, id).await?;
    let def = state.store.definition(row.id).await?;
    let unit = viewer.unit.clone();
    // Typesetting takes tens of milliseconds of CPU: keep it off the async workers.
    let pdf = tokio::task::spawn_blocking(move || {
        laksana_documents::sop_pdf(&def, &|k: &str| unit.setting(k))
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
    Ok(attachment(&row, "pdf", "application/pdf", pdf))
}

/// The process of a stored version as BPMN 2.0 XML (lanes, gateways, diagram coordinates).
pub async fn version_bpmn(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let row = state.store.definition_of_unit(viewer.unit.id, id).await?;
    let def = state.store.definition(row.id).await?;
    let xml = laksana_engine::to_bpmn(&def);
    Ok(attachment(
        &row,
        "bpmn",
        "application/xml; charset=utf-8",
        xml,
    ))
}

/// The flowchart of a stored version as Mermaid text.
pub async fn version_mermaid(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let row = state.store.definition_of_unit(viewer.unit.id, id).await?;
    let def = state.store.definition(row.id).await?;
    let text = laksana_engine::to_mermaid(&def);
    Ok(attachment(&row, "mmd", "text/plain; charset=utf-8", text))
}

/// A download named after the SOP and its version.
fn attachment(
    row: &DefinitionRow,
    ext: &str,
    content_type: &'static str,
    body: impl Into<axum::body::Body>,
) -> Response {
    let name = format!("{}-v{}.{ext}", file_stem(row), row.version);
    super::download(body, content_type, &name, true)
}

/// A safe file name part from the SOP key.
pub fn file_stem(row: &DefinitionRow) -> String {
    row.sop_key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

#[derive(serde::Deserialize)]
pub struct DiffQuery {
    dari: i64,
    ke: i64,
}

#[derive(Template)]
#[template(path = "sop_diff.html")]
struct DiffPage {
    nav: Option<Nav>,
    from: String,
    to: String,
    changes: Vec<String>,
}

pub async fn compare(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DiffQuery>,
) -> Result<Response, AppError> {
    let a = state
        .store
        .definition_of_unit(viewer.unit.id, q.dari)
        .await?;
    let b = state.store.definition_of_unit(viewer.unit.id, q.ke).await?;
    let (da, db) = (
        state.store.definition(a.id).await?,
        state.store.definition(b.id).await?,
    );
    let names = role_names(&state, &viewer).await;
    let page = DiffPage {
        nav: Some(Nav::new(&state, &viewer, "sop", &names)),
        from: a.version,
        to: b.version,
        changes: diff(&da, &db).iter().map(|c| c.to_string()).collect(),
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

pub struct SourceLine {
    pub number: usize,
    pub text: String,
    pub problems: Vec<String>,
}

#[derive(Template)]
#[template(path = "sop_edit.html")]
struct EditPage {
    nav: Option<Nav>,
    csrf: String,
    source: String,
    problems: Vec<Problem>,
    lines: Vec<SourceLine>,
    error: Option<String>,
}

async fn render_edit(
    state: &AppState,
    viewer: &Viewer,
    source: String,
    problems: Vec<Problem>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let lines = if problems.is_empty() {
        Vec::new()
    } else {
        source
            .lines()
            .enumerate()
            .map(|(i, text)| SourceLine {
                number: i + 1,
                text: text.to_string(),
                problems: problems
                    .iter()
                    .filter(|p| p.line == Some(i + 1))
                    .map(|p| p.message.clone())
                    .collect(),
            })
            .collect()
    };
    let names = role_names(state, viewer).await;
    let page = EditPage {
        nav: Some(Nav::new(state, viewer, "sop", &names)),
        csrf: viewer.csrf.clone(),
        source,
        problems,
        lines,
        error,
    };
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

pub async fn edit(State(state): State<AppState>, viewer: Viewer) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let row = state.store.latest_definition(viewer.unit.id).await?;
    let source = state.store.definition_source(row.id).await?;
    render_edit(&state, &viewer, source, Vec::new(), None, StatusCode::OK).await
}

#[derive(serde::Deserialize)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    source: String,
}

async fn save(state: &AppState, viewer: &Viewer, source: String) -> Result<Response, AppError> {
    // Browsers send textarea text with CRLF line ends; store what the author meant.
    let source = source.replace("\r\n", "\n");
    match state
        .store
        .add_definition_version(viewer.unit.id, &source, &viewer.user, state.clock.now())
        .await
    {
        Ok(_) => Ok(Redirect::to("/sop?ok=1").into_response()),
        Err(StoreError::Definition(problems)) => {
            render_edit(
                state,
                viewer,
                source,
                problems,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e @ StoreError::Invalid { .. }) => {
            render_edit(
                state,
                viewer,
                source,
                Vec::new(),
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<EditForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    if form.source.len() > MAX_SOP_BYTES {
        return Err(too_large());
    }
    save(&state, &viewer, form.source).await
}

fn too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "Berkas SOP paling besar {} KB; tidak ada yang disimpan.",
            MAX_SOP_BYTES / 1024
        ),
    )
}

pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let mut csrf = String::new();
    let mut content: Option<Vec<u8>> = None;
    let bad = |_| {
        AppError::bad_request(
            "invalid_upload",
            "file",
            "Unggahan tidak terbaca atau terlalu besar; tidak ada yang disimpan.",
        )
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("file") => {
                let mut buf = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    buf.extend_from_slice(&chunk);
                    if buf.len() > MAX_SOP_BYTES {
                        return Err(too_large());
                    }
                }
                content = Some(buf);
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    let bytes = content.ok_or_else(|| {
        AppError::bad_request("missing_file", "file", "Pilih berkas .toml untuk diunggah.")
    })?;
    let source = String::from_utf8(bytes).map_err(|_| {
        AppError::bad_request(
            "not_utf8",
            "file",
            "Berkas bukan teks UTF-8; simpan sebagai UTF-8 lalu unggah lagi.",
        )
    })?;
    let source = source
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(source);
    save(&state, &viewer, source).await
}
