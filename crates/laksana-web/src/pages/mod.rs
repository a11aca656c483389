//! Server-rendered pages, one module per feature.

mod account;
mod admin;
mod certificates;
pub(crate) mod dashboard;
mod distribution;
mod documents;
mod invitation;
mod login;
mod nominations;
mod officials;
mod outbox;
mod plan;
mod profile;
mod registers;
mod report;
mod running;
mod scores;
mod sop;
mod tasks;
mod templates;
mod trainings;
mod units;

use axum::routing::{get, post};
use axum::Router;

use crate::auth::Viewer;
use crate::error::AppError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/tugas") }),
        )
        .route("/masuk", get(login::form).post(login::submit))
        .route("/keluar", post(login::logout))
        .route("/keluar/semua", post(login::logout_everywhere))
        .route("/unit/pilih", post(login::switch_unit))
        .route("/admin/unit-kerja", get(units::page).post(units::create))
        .route("/tugas", get(tasks::page))
        .route("/dasbor", get(dashboard::page))
        .merge(dashboard_csv_routes())
        .route("/akun/sandi", get(account::form).post(account::submit))
        .route("/pelatihan", get(trainings::list).post(trainings::create))
        .route("/pelatihan/{id}", get(trainings::show))
        .route("/pelatihan/{id}/riwayat", get(trainings::audit))
        .route(
            "/pelatihan/{id}/rencana",
            get(plan::form).post(plan::submit),
        )
        .route("/pelatihan/{id}/rencana.pdf", get(plan::pdf))
        .route("/pelatihan/{id}/naskah", get(documents::list))
        .route("/pelatihan/{id}/naskah/konsep", post(documents::draft))
        .route(
            "/pelatihan/{id}/naskah/{doc}/ubah",
            get(documents::edit_form).post(documents::edit_submit),
        )
        .route("/pelatihan/{id}/naskah/{doc}/paraf", post(documents::paraf))
        .route(
            "/pelatihan/{id}/naskah/{doc}/kembalikan",
            post(documents::return_note),
        )
        .route(
            "/pelatihan/{id}/naskah/{doc}/tandatangan",
            post(documents::sign),
        )
        .route("/pelatihan/{id}/naskah/{doc}/pdf", get(documents::pdf))
        .route("/pelatihan/{id}/naskah/{doc}/docx", get(documents::docx))
        .route(
            "/pelatihan/{id}/naskah/{doc}/tte",
            post(documents::upload_tte).layer(axum::extract::DefaultBodyLimit::max(
                documents::MAX_TTE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/pelatihan/{id}/naskah/{doc}/tte.pdf",
            get(documents::tte_pdf),
        )
        .route("/verifikasi/{token}", get(documents::verify))
        .route("/tentang", get(about))
        .route("/pelatihan/{id}/jawaban", get(nominations::page))
        .route(
            "/pelatihan/{id}/jawaban/pengingat",
            post(nominations::remind),
        )
        .route(
            "/pelatihan/{id}/jawaban/surat/{reply}",
            get(nominations::reply_file),
        )
        .route(
            "/pelatihan/{id}/jawaban/{r}",
            get(nominations::recipient_page),
        )
        .route(
            "/pelatihan/{id}/jawaban/{r}/tautan",
            post(nominations::issue_link),
        )
        .route(
            "/pelatihan/{id}/jawaban/{r}/daftar.pdf",
            get(nominations::export_pdf),
        )
        .route(
            "/pelatihan/{id}/jawaban/{r}/calon",
            post(nominations::add).layer(upload_limit()),
        )
        .route(
            "/pelatihan/{id}/jawaban/{r}/calon/{n}",
            post(nominations::update).layer(upload_limit()),
        )
        .route(
            "/pelatihan/{id}/jawaban/{r}/calon/{n}/tarik",
            post(nominations::withdraw),
        )
        .route(
            "/pelatihan/{id}/jawaban/{r}/unggah",
            post(nominations::upload).layer(upload_limit()),
        )
        .route(
            "/pelatihan/{id}/jawaban/{r}/unggah/{p}",
            get(nominations::preview),
        )
        .route(
            "/pelatihan/{id}/jawaban/{r}/unggah/{p}/simpan",
            post(nominations::save_import).layer(upload_limit()),
        )
        .route("/pelatihan/{id}/peserta", get(nominations::participants))
        .route(
            "/pelatihan/{id}/peserta.xlsx",
            get(nominations::export_xlsx),
        )
        .route("/pelatihan/{id}/peserta.csv", get(nominations::export_csv))
        .route(
            "/pelatihan/{id}/peserta/konfirmasi",
            post(nominations::confirm),
        )
        .route("/undangan/{secret}", get(invitation::page))
        .route(
            "/undangan/{secret}/undangan.pdf",
            get(invitation::undangan_pdf),
        )
        .route(
            "/undangan/{secret}/calon",
            post(invitation::add).layer(upload_limit()),
        )
        .route(
            "/undangan/{secret}/calon/{n}",
            post(invitation::update).layer(upload_limit()),
        )
        .route(
            "/undangan/{secret}/calon/{n}/tarik",
            post(invitation::withdraw),
        )
        .route(
            "/pelatihan/{id}/laporan",
            get(report::page).post(report::save),
        )
        .route("/pelatihan/{id}/laporan.pdf", get(report::pdf))
        .route(
            "/pelatihan/{id}/rapat",
            get(running::meeting_page).post(running::save_meeting),
        )
        .route(
            "/pelatihan/{id}/rapat/notulen.pdf",
            get(running::notulen_pdf),
        )
        .route("/pelatihan/{id}/daftar/{n}", post(running::roster_change))
        .route("/pelatihan/{id}/pelaksanaan", get(running::running_page))
        .route(
            "/pelatihan/{id}/nilai",
            get(scores::page).post(scores::save),
        )
        .route(
            "/pelatihan/{id}/pelaksanaan/sesi",
            post(running::add_session),
        )
        .route(
            "/pelatihan/{id}/pelaksanaan/kartu",
            post(running::issue_cards),
        )
        .route("/pelatihan/{id}/sesi/{s}", get(running::session_page))
        .route("/pelatihan/{id}/sesi/{s}/hadir", post(running::mark_form))
        .route(
            "/pelatihan/{id}/sesi/{s}/hadir.json",
            post(running::mark_json),
        )
        .route(
            "/pelatihan/{id}/sesi/{s}/daftar-hadir.pdf",
            get(running::sheet_pdf),
        )
        .route("/peserta/{secret}", get(running::participant_link))
        .route("/hadir/{qr}", get(running::check_in))
        .route("/pelatihan/{id}/distribusi", get(distribution::page))
        .route("/pelatihan/{id}/distribusi/tambah", post(distribution::add))
        .route(
            "/pelatihan/{id}/distribusi/ekspedisi.pdf",
            get(distribution::expedition_pdf),
        )
        .route(
            "/pelatihan/{id}/distribusi/bukti/{d}",
            get(distribution::proof),
        )
        .route(
            "/pelatihan/{id}/distribusi/{r}/kirim",
            post(distribution::dispatch).layer(upload_limit()),
        )
        .route(
            "/pelatihan/{id}/distribusi/{r}/ubah",
            post(distribution::update),
        )
        .route(
            "/pelatihan/{id}/distribusi/{r}/hapus",
            post(distribution::remove),
        )
        .route("/admin/templat", get(templates::page))
        .route("/admin/templat/{key}", post(templates::save))
        .route("/pelatihan/{id}/langkah/{run}", post(trainings::complete))
        .route("/sop", get(sop::page))
        .route("/sop/versi/{id}", get(sop::version))
        .route("/sop/versi/{id}/toml", get(sop::version_toml))
        .route("/sop/versi/{id}/pdf", get(sop::version_pdf))
        .route("/sop/versi/{id}/bpmn", get(sop::version_bpmn))
        .route("/sop/versi/{id}/mermaid", get(sop::version_mermaid))
        .route("/sop/beda", get(sop::compare))
        .route("/sop/ubah", get(sop::edit).post(sop::submit))
        .route(
            "/sop/unggah",
            post(sop::upload).layer(axum::extract::DefaultBodyLimit::max(
                sop::MAX_SOP_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/admin/pengguna",
            get(admin::users).post(admin::create_user),
        )
        .route(
            "/admin/pengguna/{id}",
            get(admin::edit_user).post(admin::update_user),
        )
        .route("/admin/pengguna/{id}/peran", post(admin::grant_role))
        .route("/admin/peran/{id}/hapus", post(admin::revoke_role))
        .route("/admin/unit", post(admin::update_unit))
        .route("/admin/profil", get(profile::page).post(profile::submit))
        .route(
            "/admin/profil/logo",
            get(profile::logo).post(profile::upload_logo).layer(
                axum::extract::DefaultBodyLimit::max(laksana_store::MAX_LOGO_BYTES + 64 * 1024),
            ),
        )
        .route(
            "/admin/pejabat",
            get(officials::page).post(officials::create),
        )
        .route("/admin/pejabat/{id}", post(officials::update))
        .route("/admin/pejabat/penunjukan", post(officials::appoint))
        .route(
            "/admin/pejabat/penunjukan/{id}/batal",
            post(officials::cancel),
        )
        .route("/admin/surel", get(outbox::page))
        .route("/admin/surel/{id}/kirim-ulang", post(outbox::retry))
        .route("/admin/register", get(registers::list))
        .route("/admin/register/{id}", post(registers::update))
        .route("/admin/register/{id}/buku", get(registers::book))
        .route("/admin/register/{id}/cadangkan", post(registers::reserve))
        .route("/pelatihan/{id}/sertifikat", get(certificates::page))
        .route(
            "/pelatihan/{id}/sertifikat/penyelenggara",
            post(certificates::save_provider),
        )
        .route(
            "/pelatihan/{id}/sertifikat/terbitkan",
            post(certificates::issue),
        )
        .route("/pelatihan/{id}/sertifikat.zip", get(certificates::zip))
        .route(
            "/pelatihan/{id}/sertifikat/{cert}/pdf",
            get(certificates::pdf),
        )
        .route("/verifikasi/sertifikat/{token}", get(certificates::verify))
        .route(
            "/admin/sertifikat",
            get(certificates::settings).post(certificates::save_settings),
        )
}

/// `GET /dasbor/{bagian}.csv`, one route per section (a path segment cannot end in a
/// literal suffix after a parameter).
fn dashboard_csv_routes() -> Router<AppState> {
    let mut router = Router::new();
    for section in dashboard::CSV_SECTIONS {
        router = router.route(
            &format!("/dasbor/{section}.csv"),
            get(
                move |axum::extract::State(state): axum::extract::State<AppState>,
                      viewer: Viewer,
                      crate::form::Query(q): crate::form::Query<dashboard::FilterQuery>| {
                    dashboard::csv(state, viewer, q, section)
                },
            ),
        );
    }
    router
}

/// What the layout needs to draw the header.
pub struct Nav {
    pub unit_name: String,
    pub unit_id: i64,
    /// The units this user may switch to (a switcher is shown when there are two or more).
    pub units: Vec<(i64, String)>,
    pub user_name: String,
    pub roles: String,
    pub is_admin: bool,
    /// The head of unit, the Kepala Bidang and administrators see the dashboard.
    pub dashboard: bool,
    pub csrf: String,
    pub active: &'static str,
    /// Warnings for this user (e.g. holiday data missing, for administrators).
    pub warnings: Vec<String>,
}

impl Nav {
    pub fn new(
        state: &AppState,
        viewer: &Viewer,
        active: &'static str,
        role_names: &[String],
    ) -> Self {
        let mut warnings = Vec::new();
        if viewer.user.is_admin {
            // Deadlines need the holiday data of the year in force and the next one.
            let year = chrono::Datelike::year(&state.clock.now());
            let years = state.store.calendar().years();
            for y in [year, year + 1] {
                if !years.contains(&y) {
                    warnings.push(format!(
                        "Data hari libur dan cuti bersama tahun {y} belum tersedia: tenggat pada tahun itu belum dapat dihitung. Tambahkan berkas data kalender tahun {y}."
                    ));
                }
            }
        }
        Nav {
            unit_name: viewer.unit.name.clone(),
            unit_id: viewer.unit.id,
            units: viewer.units.clone(),
            user_name: viewer.user.full_name.clone(),
            roles: role_names.join(", "),
            is_admin: viewer.user.is_admin,
            dashboard: dashboard::may_see(viewer),
            csrf: viewer.csrf.clone(),
            active,
            warnings,
        }
    }
}

/// Display names of role keys, from the unit's current SOP.
/// A table (buku ekspedisi, daftar calon peserta, notulen, daftar hadir) printed on the unit's
/// kop as a PDF, shown in the browser. Typst is CPU-bound, so it runs off the async workers.
pub(super) async fn table_pdf(
    table: laksana_documents::letter::TableReport,
    file_name: &str,
) -> Result<axum::response::Response, AppError> {
    let bytes =
        tokio::task::spawn_blocking(move || laksana_documents::letter::render_table(&table))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
    Ok(download(bytes, "application/pdf", file_name, false))
}

/// A file answer: `attachment` to save it, else shown in the browser (`inline`). Only PDFs and
/// images can be shown inline; anything else (spreadsheets, DOCX, TOML, ZIP) is always saved,
/// so no file can be opened as a page of this site.
pub fn download(
    body: impl Into<axum::body::Body>,
    content_type: &'static str,
    name: &str,
    attachment: bool,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let viewable = matches!(content_type, "application/pdf" | "image/png" | "image/jpeg");
    let disposition = if attachment || !viewable {
        "attachment"
    } else {
        "inline"
    };
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{name}\""),
            ),
        ],
        body.into(),
    )
        .into_response()
}

/// The active accounts of the viewer's unit, as a select offers them: (id, "Name (username)").
/// Another unit's people are not this unit's to choose, nor to see.
pub async fn account_choices(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<(i64, String)>, AppError> {
    Ok(state
        .store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.active && u.may_enter(viewer.unit.id))
        .map(|u| (u.id, format!("{} ({})", u.full_name, u.username)))
        .collect())
}

/// A training of the viewer's unit whose SOP version has the step `key`: pages that belong to
/// one step (distribution, replies, the meeting, attendance…) do not exist for a training on
/// an older version without it.
pub(super) async fn training_with_step(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    key: &str,
) -> Result<laksana_store::TrainingDetail, AppError> {
    let detail = state.store.training_detail(viewer.unit.id, id).await?;
    if !detail.definition.steps.iter().any(|s| s.key == key) {
        return Err(AppError::not_found());
    }
    Ok(detail)
}

/// The training's active step when its key is one of `keys`.
pub(super) fn active_step_in<'a>(
    detail: &'a laksana_store::TrainingDetail,
    keys: &[&str],
) -> Option<&'a laksana_engine::Step> {
    detail
        .active_run()
        .and_then(|r| detail.definition.step(r.step_no as u32))
        .filter(|s| keys.contains(&s.key.as_str()))
}

/// Whether the training's active step is one of `keys`.
pub(super) fn at_step(detail: &laksana_store::TrainingDetail, keys: &[&str]) -> bool {
    active_step_in(detail, keys).is_some()
}

pub async fn role_names(state: &AppState, viewer: &Viewer) -> Vec<String> {
    let Ok(def) = state.store.newest_definition(&viewer.unit).await else {
        return viewer.roles.clone();
    };
    viewer
        .roles
        .iter()
        .map(|k| {
            def.role(k)
                .map(|r| r.name.clone())
                .unwrap_or_else(|| k.clone())
        })
        .collect()
}

/// Body limit of the routes that take a file: the largest spreadsheet (20 MB) and a little
/// for the other fields; the handlers bound each file themselves.
fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(laksana_nomination::import::MAX_BYTES + 256 * 1024)
}

/// The reply deadline of a training, for the reminder sweep.
pub async fn nominations_deadline(
    state: &AppState,
    unit: &laksana_store::Unit,
    detail: &laksana_store::TrainingDetail,
) -> Option<chrono::DateTime<chrono::Utc>> {
    nominations::reply_deadline(state, unit, detail).await
}

#[derive(askama::Template)]
#[template(path = "about.html")]
struct AboutPage {
    nav: Option<Nav>,
    version: &'static str,
    region_source: String,
    region_counts: String,
}

/// Version, data sources and their licences (the region data's ODbL attribution). Public: it
/// is what a visitor of a produced work may look up.
async fn about(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<axum::response::Response, AppError> {
    use askama::Template;
    use axum::response::IntoResponse;
    let load = state.store.region_load().await?;
    let page = AboutPage {
        nav: None,
        version: env!("CARGO_PKG_VERSION"),
        region_source: load
            .as_ref()
            .map_or("belum dimuat".to_string(), |l| l.source.clone()),
        region_counts: load
            .map(|l| format!("{} provinsi, {} kabupaten/kota", l.provinces, l.regencies))
            .unwrap_or_default(),
    };
    Ok(axum::response::Html(page.render().map_err(tasks::render_error)?).into_response())
}
