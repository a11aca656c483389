//! The unit profile (kop surat, codes, verification URL), kept as versions, and its logo.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use laksana_calendar::Zone;
use laksana_store::{NewUnitProfile, UnitProfile, MAX_LOGO_BYTES};

use super::tasks::render_error;
use super::{role_names, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{Form, Query};
use crate::format;
use crate::AppState;

/// A refusal shown on the form it came from: beside its field, or above the form.
#[derive(Default)]
pub struct Problem {
    pub field: String,
    pub message: String,
    pub status: Option<StatusCode>,
}

impl Problem {
    /// The message for `field`, or "" (askama prints nothing then).
    pub fn on(&self, field: &str) -> &str {
        if self.field == field {
            &self.message
        } else {
            ""
        }
    }

    /// The message when it belongs to none of the form's `fields`.
    pub fn general(&self, fields: &[&str]) -> &str {
        if fields.contains(&self.field.as_str()) {
            ""
        } else {
            &self.message
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status.unwrap_or(StatusCode::OK)
    }
}

/// A refusal of the input (422, 409) becomes a [`Problem`]; anything else stays an error page.
pub fn problem(e: impl Into<AppError>) -> Result<Problem, AppError> {
    let e = e.into();
    if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT {
        Ok(Problem {
            field: e.field.as_deref().unwrap_or("").to_string(),
            message: e.message,
            status: Some(e.status),
        })
    } else {
        Err(e)
    }
}

pub fn html(page: &impl Template, status: StatusCode) -> Result<Response, AppError> {
    Ok((status, Html(page.render().map_err(render_error)?)).into_response())
}

pub const ZONES: [&str; 3] = ["WIB", "WITA", "WIT"];

/// The profile form as posted (also what is shown again when it is refused).
#[derive(Default, serde::Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    #[serde(default)]
    pub line3: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub telephone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub zone: String,
    #[serde(default)]
    pub head_title: String,
    #[serde(default)]
    pub kode_klasifikasi: String,
    #[serde(default)]
    pub unit_code: String,
    #[serde(default)]
    pub public_base_url: String,
}

impl ProfileForm {
    fn of(p: &UnitProfile) -> Self {
        let line = |i: usize| p.name_lines.get(i).cloned().unwrap_or_default();
        ProfileForm {
            csrf: String::new(),
            line1: line(0),
            line2: line(1),
            line3: line(2),
            address: p.address.clone(),
            telephone: p.telephone.clone(),
            email: p.email.clone(),
            website: p.website.clone(),
            place: p.place.clone(),
            zone: p.zone.to_string(),
            head_title: p.head_title.clone(),
            kode_klasifikasi: p.kode_klasifikasi.clone(),
            unit_code: p.unit_code.clone(),
            public_base_url: p.public_base_url.clone(),
        }
    }

    fn to_new(&self, zone: Zone, current: &UnitProfile) -> NewUnitProfile {
        NewUnitProfile {
            logo: current.logo.clone(),
            logo_mime: current.logo_mime.clone(),
            name_lines: vec![self.line1.clone(), self.line2.clone(), self.line3.clone()],
            address: self.address.clone(),
            telephone: self.telephone.clone(),
            email: self.email.clone(),
            website: self.website.clone(),
            place: self.place.clone(),
            zone,
            head_title: self.head_title.clone(),
            kode_klasifikasi: self.kode_klasifikasi.clone(),
            unit_code: self.unit_code.clone(),
            public_base_url: self.public_base_url.clone(),
        }
    }
}

pub struct VersionView {
    pub version: i64,
    pub when: String,
    pub by: String,
    pub kop: String,
}

/// Fields of the form a problem can be shown beside.
const FIELDS: &[&str] = &[
    "name_lines",
    "address",
    "telephone",
    "email",
    "website",
    "place",
    "zone",
    "head_title",
    "kode_klasifikasi",
    "unit_code",
    "public_base_url",
    "logo",
];

#[derive(Template)]
#[template(path = "admin_profile.html")]
struct ProfilePage {
    nav: Option<Nav>,
    csrf: String,
    tab: &'static str,
    form: ProfileForm,
    zones: [&'static str; 3],
    version: i64,
    has_logo: bool,
    max_logo_kb: usize,
    history: Vec<VersionView>,
    flash: Option<String>,
    problem: Problem,
    general: String,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    form: Option<ProfileForm>,
    flash: Option<String>,
    problem: Problem,
) -> Result<Response, AppError> {
    let current = state.store.unit_profile(viewer.unit.id).await?;
    let zone = viewer.unit.zone;
    let history = state
        .store
        .unit_profile_history(viewer.unit.id)
        .await?
        .into_iter()
        .map(|p| VersionView {
            version: p.version,
            when: p
                .saved_at
                .map(|t| format::waktu(t, zone))
                .unwrap_or_default(),
            by: p.saved_by_name.unwrap_or_default(),
            kop: p.name_lines.join(" · "),
        })
        .collect();
    let names = role_names(state, viewer).await;
    let page = ProfilePage {
        nav: Some(Nav::new(state, viewer, "profil", &names)),
        csrf: viewer.csrf.clone(),
        tab: "profil",
        form: form.unwrap_or_else(|| ProfileForm::of(&current)),
        zones: ZONES,
        version: current.version,
        has_logo: current.logo.is_some(),
        max_logo_kb: MAX_LOGO_BYTES / 1024,
        history,
        flash,
        general: problem.general(FIELDS).to_string(),
        problem,
    };
    html(&page, page.problem.status())
}

#[derive(serde::Deserialize, Default)]
pub struct Flash {
    #[serde(default)]
    ok: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<Flash>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let flash =
        q.ok.map(|_| "Profil unit disimpan sebagai versi baru.".to_string());
    render(&state, &viewer, None, flash, Problem::default()).await
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<ProfileForm>,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    viewer.check_csrf(&form.csrf)?;
    let Ok(zone) = form.zone.parse::<Zone>() else {
        let p = problem(AppError::bad_request(
            "invalid_zone",
            "zone",
            "Zona waktu harus WIB, WITA, atau WIT.",
        ))?;
        return render(&state, &viewer, Some(form), None, p).await;
    };
    let current = state.store.unit_profile(viewer.unit.id).await?;
    let new = form.to_new(zone, &current);
    let now = state.clock.now();
    match state
        .store
        .save_unit_profile(viewer.unit.id, &new, &viewer.user, now)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/profil?ok=1").into_response()),
        Err(e) => render(&state, &viewer, Some(form), None, problem(e)?).await,
    }
}

/// PNG or JPEG, told by the first bytes (not by what the browser claims).
fn image_mime(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// `POST /admin/profil/logo`: a new profile version with the uploaded logo.
pub async fn upload_logo(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let too_large = || {
        AppError::bad_request(
            "logo_too_large",
            "logo",
            format!(
                "Logo paling besar {} KB; tidak ada yang disimpan.",
                MAX_LOGO_BYTES / 1024
            ),
        )
    };
    let bad = |_| {
        AppError::bad_request(
            "invalid_upload",
            "logo",
            "Unggahan tidak terbaca atau terlalu besar; tidak ada yang disimpan.",
        )
    };
    let mut csrf = String::new();
    let mut logo: Option<Vec<u8>> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(bad)?,
            Some("logo") => {
                let mut buf = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    buf.extend_from_slice(&chunk);
                    if buf.len() > MAX_LOGO_BYTES {
                        return Err(too_large());
                    }
                }
                logo = Some(buf);
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    let refused = |message: &str| -> Result<Problem, AppError> {
        problem(AppError::bad_request(
            "invalid_logo",
            "logo",
            message.to_string(),
        ))
    };
    let bytes = logo.filter(|b| !b.is_empty());
    let Some(bytes) = bytes else {
        let p = refused("Pilih berkas logo (PNG atau JPEG) untuk diunggah.")?;
        return render(&state, &viewer, None, None, p).await;
    };
    let Some(mime) = image_mime(&bytes) else {
        let p = refused("Logo harus berkas PNG atau JPEG; tidak ada yang disimpan.")?;
        return render(&state, &viewer, None, None, p).await;
    };
    let mut new = state.store.unit_profile(viewer.unit.id).await?.to_new();
    new.logo = Some(bytes);
    new.logo_mime = Some(mime.to_string());
    match state
        .store
        .save_unit_profile(viewer.unit.id, &new, &viewer.user, state.clock.now())
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/profil?ok=1").into_response()),
        Err(e) => render(&state, &viewer, None, None, problem(e)?).await,
    }
}

/// `GET /admin/profil/logo`: the logo in force.
pub async fn logo(State(state): State<AppState>, viewer: Viewer) -> Result<Response, AppError> {
    viewer.require_admin()?;
    let p = state.store.unit_profile(viewer.unit.id).await?;
    let (Some(bytes), Some(mime)) = (p.logo, p.logo_mime) else {
        return Err(AppError::not_found());
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "private, no-cache".to_string()),
        ],
        bytes,
    )
        .into_response())
}
