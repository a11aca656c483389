//! Certificates of a training (`/pelatihan/{id}/sertifikat`): who delivers it, who may receive
//! a certificate and why not, issuing the missing ones, the ZIP of all; the unit's own
//! registration and rules (`/admin/sertifikat`); the public verification page of a certificate.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use laksana_domain::{registration_label, Provider, Registration, REGISTRATION_KINDS};
use laksana_store::{CertificateSettings, StoreError, CERTIFICATE_ROLES};

use super::profile::html;
use super::tasks::render_error;
use super::{download, role_names, Nav};
use crate::auth::Viewer;
use crate::certificates::{self, file_name};
use crate::error::AppError;
use crate::form::{Form, Path, Query};
use crate::{format, AppState};

pub struct Row {
    pub no: usize,
    pub nama: String,
    pub region: String,
    pub attendance: String,
    pub eligible: bool,
    pub reason: String,
    pub number: String,
    pub cert_id: i64,
    pub verification: String,
}

/// The registration fields as a form shows them.
pub struct RegistrationView {
    pub kind: String,
    pub number: String,
    pub valid_from: String,
    pub valid_to: String,
}

impl RegistrationView {
    fn of(r: &Registration) -> Self {
        let d = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        RegistrationView {
            kind: r.kind.clone(),
            number: r.number.clone(),
            valid_from: d(r.valid_from),
            valid_to: d(r.valid_to),
        }
    }
}

#[derive(Template)]
#[template(path = "certificates.html")]
struct CertificatesPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    csrf: String,
    flash: Option<String>,
    error: Option<(String, String)>,
    can_edit: bool,
    by_lpk: bool,
    lpk_name: String,
    registration: RegistrationView,
    kinds: Vec<(&'static str, &'static str)>,
    provider_text: String,
    period: String,
    sessions: i64,
    hours: String,
    rule: String,
    roster_confirmed: bool,
    lpk_problem: Option<String>,
    lpk_rule_on: bool,
    rows: Vec<Row>,
    eligible: usize,
    missing: usize,
    issued: usize,
    /// "Sertifikat dapat diterbitkan mulai …" while the training's last day has not passed.
    not_before: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
    #[serde(default)]
    n: Option<usize>,
}

fn may_edit(viewer: &Viewer) -> bool {
    viewer
        .roles
        .iter()
        .any(|r| CERTIFICATE_ROLES.contains(&r.as_str()))
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    flash: Option<String>,
    error: Option<(String, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let o = certificates::overview(&state.store, &viewer.unit, id).await?;
    let rows: Vec<Row> = o
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| Row {
            no: i + 1,
            nama: c.nama.clone(),
            region: c.region.clone(),
            attendance: format!("{} dari {} sesi", c.present, c.sessions),
            eligible: c.eligible,
            reason: c.reason.clone().unwrap_or_default(),
            number: c
                .certificate
                .as_ref()
                .map(|c| c.number.clone())
                .unwrap_or_default(),
            cert_id: c.certificate.as_ref().map_or(0, |c| c.id),
            verification: c
                .certificate
                .as_ref()
                .map(|c| format!("/verifikasi/sertifikat/{}", c.verification_token))
                .unwrap_or_default(),
        })
        .collect();
    let eligible = o.eligible().count();
    let issued = o
        .candidates
        .iter()
        .filter(|c| c.certificate.is_some())
        .count();
    let missing = o.eligible().filter(|c| c.certificate.is_none()).count();
    let provider_text = if o.provider.by_lpk {
        let r = &o.provider.registration;
        format!(
            "LPK mitra: {}{}",
            o.provider.lpk_name,
            if r.number.is_empty() {
                " (registrasi belum diisi)".to_string()
            } else {
                format!(" — {} nomor {}", registration_label(&r.kind), r.number)
            }
        )
    } else {
        format!("{} (BLK sendiri)", viewer.unit.name)
    };
    let names = role_names(state, viewer).await;
    let page = CertificatesPage {
        nav: Some(Nav::new(state, viewer, "pelatihan", &names)),
        id,
        title: o.title.clone(),
        csrf: viewer.csrf.clone(),
        flash,
        error,
        can_edit: may_edit(viewer),
        by_lpk: o.provider.by_lpk,
        lpk_name: o.provider.lpk_name.clone(),
        registration: RegistrationView::of(&o.provider.registration),
        kinds: REGISTRATION_KINDS.to_vec(),
        provider_text,
        period: match (o.start, o.end) {
            (Some(s), Some(e)) => certificates::period_words(s, e),
            _ => "belum diisi di rencana kerja".into(),
        },
        sessions: o.sessions,
        hours: certificates::hours_words(o.hours),
        rule: format!("{} %", o.settings.min_kehadiran_persen),
        roster_confirmed: o.roster_confirmed,
        lpk_problem: o.lpk_problem.clone(),
        lpk_rule_on: o.settings.tolak_sertifikat_lpk_tidak_terdaftar,
        rows,
        eligible,
        missing,
        issued,
        // The same rule as `issue_missing`: a certificate is dated after the last day.
        not_before: o
            .end
            .filter(|end| {
                state
                    .clock
                    .now()
                    .with_timezone(&viewer.unit.zone.offset())
                    .date_naive()
                    <= *end
            })
            .map(|end| {
                format!(
                    "Sertifikat dapat diterbitkan setelah pelatihan selesai, mulai {}.",
                    laksana_calendar::tanggal_indonesia(end + chrono::Duration::days(1))
                )
            }),
    };
    html(&page, status)
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(flash): Query<Flash>,
) -> Result<Response, AppError> {
    let flash = match flash.ok.as_deref() {
        Some("terbit") => Some(format!(
            "{} sertifikat diterbitkan.",
            flash.n.unwrap_or_default()
        )),
        Some("penyelenggara") => Some("Penyelenggara pelatihan tersimpan.".to_string()),
        _ => None,
    };
    render(&state, &viewer, id, flash, None, StatusCode::OK).await
}

/// Reads an optional date field ("YYYY-MM-DD", empty for none).
fn date_field(field: &'static str, label: &str, s: &str) -> Result<Option<NaiveDate>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| {
        AppError::bad_request(
            "invalid_input",
            field,
            format!("{label} \"{s}\" bukan tanggal (tulis TTTT-BB-HH)."),
        )
    })
}

#[derive(serde::Deserialize)]
pub struct ProviderForm {
    csrf: String,
    #[serde(default)]
    delivered_by: String,
    #[serde(default)]
    lpk_name: String,
    #[serde(default)]
    registration_kind: String,
    #[serde(default)]
    registration_number: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
}

fn registration_of(
    kind: &str,
    number: &str,
    from: &str,
    to: &str,
) -> Result<Registration, AppError> {
    Ok(Registration {
        kind: kind.trim().to_string(),
        number: number.trim().to_string(),
        valid_from: date_field("valid_from", "Tanggal mulai berlaku", from)?,
        valid_to: date_field("valid_to", "Tanggal akhir berlaku", to)?,
    })
}

pub async fn save_provider(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<ProviderForm>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&form.csrf)?;
    let provider = Provider {
        by_lpk: form.delivered_by == "lpk",
        lpk_name: form.lpk_name,
        registration: registration_of(
            &form.registration_kind,
            &form.registration_number,
            &form.valid_from,
            &form.valid_to,
        )?,
    };
    state
        .store
        .save_training_provider(&viewer.unit, &viewer.user, id, &provider, state.clock.now())
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/sertifikat?ok=penyelenggara")).into_response())
}

#[derive(serde::Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// Issues the missing certificates; a refusing rule is shown on the page with its reason.
pub async fn issue(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&form.csrf)?;
    let result = certificates::issue_missing(
        &state.store,
        &viewer.unit,
        &viewer.user,
        id,
        state.clock.now(),
    )
    .await;
    match result {
        Ok(n) => Ok(
            Redirect::to(&format!("/pelatihan/{id}/sertifikat?ok=terbit&n={n}")).into_response(),
        ),
        Err(e @ (StoreError::Refused { .. } | StoreError::NotConfigured { .. })) => {
            let e = AppError::from(e);
            let status = e.status;
            render(
                &state,
                &viewer,
                id,
                None,
                Some((e.code.to_string(), e.message)),
                status,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// All certificates of the training as one ZIP of the stored PDFs.
pub async fn zip(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    state.store.training(viewer.unit.id, id).await?;
    let files: Vec<(String, Vec<u8>)> = state
        .store
        .certificate_pdfs(viewer.unit.id, id)
        .await?
        .into_iter()
        .map(|(c, pdf)| (file_name(&c.nama, &c.number), pdf))
        .collect();
    if files.is_empty() {
        return Err(AppError::new(
            StatusCode::NOT_FOUND,
            "no_certificates",
            "Belum ada sertifikat yang diterbitkan untuk pelatihan ini.",
        ));
    }
    let bytes = tokio::task::spawn_blocking(move || certificates::zip(&files))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
        .map_err(AppError::internal)?;
    Ok(download(
        bytes,
        "application/zip",
        &format!("sertifikat-pelatihan-{id}.zip"),
        true,
    ))
}

/// One certificate's stored PDF (the same bytes every time).
pub async fn pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, cert)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (c, bytes) = state
        .store
        .certificate_pdfs(viewer.unit.id, id)
        .await?
        .into_iter()
        .find(|(c, _)| c.id == cert)
        .ok_or_else(AppError::not_found)?;
    Ok(download(
        bytes,
        "application/pdf",
        &file_name(&c.nama, &c.number),
        false,
    ))
}

#[derive(Template)]
#[template(path = "verify_certificate.html")]
struct VerifyPage {
    nav: Option<Nav>,
    found: bool,
    nama: String,
    training: String,
    number: String,
    date: String,
    signer: String,
    sha256: String,
}

/// The public page a certificate's QR code opens: no login, only what the certificate shows.
pub async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let page = match state.store.certificate_by_verification(&token).await {
        Ok(c) => VerifyPage {
            nav: None,
            found: true,
            nama: c.nama,
            training: c.training_title,
            number: c.number,
            date: format::tanggal(c.issued_date),
            signer: format!("{} {}", c.signer.title_line(), c.signer.name),
            sha256: c.pdf_sha256,
        },
        Err(StoreError::NotFound(_)) => VerifyPage {
            nav: None,
            found: false,
            nama: String::new(),
            training: String::new(),
            number: String::new(),
            date: String::new(),
            signer: String::new(),
            sha256: String::new(),
        },
        Err(e) => return Err(e.into()),
    };
    let status = if page.found {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

#[derive(Template)]
#[template(path = "admin_certificates.html")]
struct SettingsPage {
    nav: Option<Nav>,
    csrf: String,
    tab: &'static str,
    flash: Option<String>,
    registration: RegistrationView,
    kinds: Vec<(&'static str, &'static str)>,
    refuse: bool,
    percent: u32,
}

/// The unit's own registration and certificate rules (administrators).
pub async fn settings(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(flash): Query<Flash>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let s = state.store.certificate_settings(viewer.unit.id).await?;
    let names = role_names(&state, &viewer).await;
    let page = SettingsPage {
        nav: Some(Nav::new(&state, &viewer, "profil", &names)),
        csrf: viewer.csrf.clone(),
        tab: "sertifikat",
        flash: flash
            .ok
            .map(|_| "Pengaturan sertifikat tersimpan.".to_string()),
        registration: RegistrationView::of(&s.registration),
        kinds: REGISTRATION_KINDS.to_vec(),
        refuse: s.tolak_sertifikat_lpk_tidak_terdaftar,
        percent: s.min_kehadiran_persen,
    };
    html(&page, StatusCode::OK)
}

#[derive(serde::Deserialize)]
pub struct SettingsForm {
    csrf: String,
    #[serde(default)]
    registration_kind: String,
    #[serde(default)]
    registration_number: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    /// A checkbox: present ("1") when ticked, absent otherwise.
    #[serde(default)]
    tolak_sertifikat_lpk_tidak_terdaftar: Option<String>,
    #[serde(default)]
    min_kehadiran_persen: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    let percent: u32 = form.min_kehadiran_persen.trim().parse().map_err(|_| {
        AppError::bad_request(
            "invalid_input",
            "min_kehadiran_persen",
            "Syarat kehadiran ditulis sebagai bilangan bulat 0 sampai 100.",
        )
    })?;
    let settings = CertificateSettings {
        registration: registration_of(
            &form.registration_kind,
            &form.registration_number,
            &form.valid_from,
            &form.valid_to,
        )?,
        tolak_sertifikat_lpk_tidak_terdaftar: form.tolak_sertifikat_lpk_tidak_terdaftar.is_some(),
        min_kehadiran_persen: percent,
    };
    state
        .store
        .save_certificate_settings(viewer.unit.id, &settings, &viewer.user, state.clock.now())
        .await?;
    Ok(Redirect::to("/admin/sertifikat?ok=1").into_response())
}
