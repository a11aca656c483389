//! The Kabupaten/Kota operator's own page (case L5): reached from the link in the invitation
//! e-mail, without an account. The link's secret names exactly one recipient, so the page
//! shows and edits only that Kabupaten's candidates, and only until the reply deadline.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use laksana_store::{LinkScope, NominationActor, TrainingDetail, Unit};
use sha2::{Digest, Sha256};

use super::download;
use super::nominations::{
    render_recipient, reply_of, save_person, RecipientContext, WithdrawForm, MAX_REPLY_BYTES,
};
use crate::error::AppError;
use crate::form::{Form, Path, Upload};
use crate::{format, AppState};

/// The forms' token: derived from the link's secret, so only a page opened with the link
/// can post to it, without any session.
fn link_csrf(secret: &str) -> String {
    hex::encode(Sha256::digest(
        format!("laksana-link-csrf:{secret}").as_bytes(),
    ))[..32]
        .to_string()
}

struct Scope {
    link: LinkScope,
    unit: Unit,
    detail: TrainingDetail,
    /// Why editing is closed, or None while it is open.
    closed: Option<String>,
}

async fn scope(state: &AppState, secret: &str) -> Result<Scope, AppError> {
    let link = state.store.recipient_by_link(secret).await.map_err(|_| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "unknown_link",
            "Tautan ini tidak dikenal atau sudah diganti dengan tautan baru. Periksa kembali tautan di e-mail undangan terakhir, atau hubungi penyelenggara pelatihan.",
        )
    })?;
    let unit = state.store.unit(link.unit_id).await?;
    let detail = state
        .store
        .training_detail(unit.id, link.recipient.training_id)
        .await?;
    let now = state.clock.now();
    let deadline = super::nominations::reply_deadline(state, &unit, &detail).await;
    let open_step = detail
        .active_run()
        .and_then(|r| detail.definition.step(r.step_no as u32))
        .is_some_and(|s| {
            s.key == laksana_store::DISTRIBUTION_STEP_KEY || s.key == laksana_store::REPLY_STEP_KEY
        });
    let closed = match deadline {
        Some(d) if now > d => Some(format!(
            "Batas waktu balasan sudah lewat pada {}. Data calon peserta tidak dapat diubah lagi lewat tautan ini; hubungi {} bila ada perbaikan.",
            format::waktu(d, unit.zone),
            unit.name
        )),
        _ if !open_step => Some(format!(
            "Penerimaan calon peserta sudah ditutup oleh {}.",
            unit.name
        )),
        _ => None,
    };
    Ok(Scope {
        link,
        unit,
        detail,
        closed,
    })
}

fn refuse_if_closed(s: &Scope) -> Result<(), AppError> {
    match &s.closed {
        Some(reason) => Err(AppError::new(
            StatusCode::FORBIDDEN,
            "link_closed",
            format!("{reason} Tidak ada yang disimpan."),
        )),
        None => Ok(()),
    }
}

async fn undangan_doc(state: &AppState, s: &Scope) -> Result<Option<i64>, AppError> {
    Ok(state
        .store
        .documents_of_training(s.unit.id, s.detail.training.id)
        .await?
        .into_iter()
        .find(|d| d.kind == "undangan" && d.signed_at.is_some())
        .map(|d| d.id))
}

async fn render(
    state: &AppState,
    secret: &str,
    s: &Scope,
    flash: Option<String>,
    errors: Vec<String>,
    form: Option<laksana_nomination::Participant>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let undangan = undangan_doc(state, s)
        .await?
        .map(|_| format!("/undangan/{secret}/undangan.pdf"));
    render_recipient(
        state,
        RecipientContext {
            detail: &s.detail,
            unit: &s.unit,
            recipient: &s.link.recipient,
            base: format!("/undangan/{secret}"),
            via_link: true,
            csrf: link_csrf(secret),
            can_edit: s.closed.is_none(),
            closed_reason: s.closed.clone().unwrap_or_default(),
            nav: None,
            undangan_pdf: undangan,
        },
        flash,
        errors,
        form,
        status,
    )
    .await
}

#[derive(serde::Deserialize, Default)]
pub struct OkQuery {
    #[serde(default)]
    pub ok: String,
}

pub async fn page(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    crate::form::Query(q): crate::form::Query<OkQuery>,
) -> Result<Response, AppError> {
    let s = scope(&state, &secret).await?;
    let flash = match q.ok.as_str() {
        "simpan" => Some("Tersimpan. Terima kasih; Anda dapat menambah atau memperbaiki data sampai batas waktu balasan.".to_string()),
        "ubah" => Some("Perbaikan tersimpan.".to_string()),
        "tarik" => Some("Calon peserta ditarik.".to_string()),
        _ => None,
    };
    let mut res = render(&state, &secret, &s, flash, Vec::new(), None, StatusCode::OK).await?;
    // The secret is in the address: never cache the page, never send it on as a Referer.
    let h = res.headers_mut();
    h.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    h.insert(
        axum::http::header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

pub async fn add(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(multipart, MAX_REPLY_BYTES).await?;
    let s = scope(&state, &secret).await?;
    check(&secret, &up.text("csrf"))?;
    refuse_if_closed(&s)?;
    let reply = reply_of(&up, "tautan")?;
    match save_person(&state, &s.unit, &s.detail, &s.link.recipient, &up, None).await {
        Ok(candidate) => {
            state
                .store
                .register_reply(
                    &s.unit,
                    NominationActor::Link {
                        recipient: &s.link.recipient,
                    },
                    s.link.recipient.id,
                    reply.as_ref(),
                    &candidate.into_iter().collect::<Vec<_>>(),
                    state.clock.now(),
                )
                .await?;
            Ok(Redirect::to(&format!("/undangan/{secret}?ok=simpan")).into_response())
        }
        Err((p, errors)) => {
            render(
                &state,
                &secret,
                &s,
                None,
                errors,
                Some(p),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

fn check(secret: &str, submitted: &str) -> Result<(), AppError> {
    if crate::auth::constant_time_eq(submitted.as_bytes(), link_csrf(secret).as_bytes()) {
        Ok(())
    } else {
        Err(AppError::csrf())
    }
}

pub async fn update(
    State(state): State<AppState>,
    Path((secret, nid)): Path<(String, i64)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(multipart, MAX_REPLY_BYTES).await?;
    let s = scope(&state, &secret).await?;
    check(&secret, &up.text("csrf"))?;
    refuse_if_closed(&s)?;
    let n = state.store.nomination(s.unit.id, nid).await?;
    // Another Kabupaten's candidate is, through this link, simply not there.
    if n.recipient_id != s.link.recipient.id {
        return Err(AppError::not_found());
    }
    match save_person(&state, &s.unit, &s.detail, &s.link.recipient, &up, Some(&n)).await {
        Ok(Some(change)) => {
            state
                .store
                .update_nomination(
                    &s.unit,
                    NominationActor::Link {
                        recipient: &s.link.recipient,
                    },
                    nid,
                    &change,
                    state.clock.now(),
                )
                .await?;
            Ok(Redirect::to(&format!("/undangan/{secret}?ok=ubah")).into_response())
        }
        Ok(None) => Err(AppError::bad_request(
            "missing_field",
            "nik",
            "NIK dan nama wajib diisi.",
        )),
        Err((p, errors)) => {
            render(
                &state,
                &secret,
                &s,
                None,
                errors,
                Some(p),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn withdraw(
    State(state): State<AppState>,
    Path((secret, nid)): Path<(String, i64)>,
    Form(f): Form<WithdrawForm>,
) -> Result<Response, AppError> {
    let s = scope(&state, &secret).await?;
    check(&secret, &f.csrf)?;
    refuse_if_closed(&s)?;
    let n = state.store.nomination(s.unit.id, nid).await?;
    if n.recipient_id != s.link.recipient.id {
        return Err(AppError::not_found());
    }
    state
        .store
        .withdraw_nomination(
            &s.unit,
            NominationActor::Link {
                recipient: &s.link.recipient,
            },
            nid,
            &f.alasan,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/undangan/{secret}?ok=tarik")).into_response())
}

/// The signed undangan, for the operator to keep.
pub async fn undangan_pdf(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response, AppError> {
    let s = scope(&state, &secret).await?;
    let doc = undangan_doc(&state, &s)
        .await?
        .ok_or_else(AppError::not_found)?;
    let bytes = state.store.signed_pdf(s.unit.id, doc).await?;
    Ok(download(
        bytes,
        "application/pdf",
        "surat-undangan.pdf",
        false,
    ))
}
