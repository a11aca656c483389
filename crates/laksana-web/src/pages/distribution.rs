//! Step 7 (the seed's step 6): the undangan go to the invited Kabupaten/Kota. Staf choose the
//! recipients (from the work plan's quotas or by province), record how each letter went and its
//! proof, and see who has none yet; the dispatches print as the buku ekspedisi.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use laksana_store::{
    method_label, proof_label, DispatchState, MailDraft, NewDispatch, NewRecipient, Recipient,
    TrainingDetail, UploadedFile, DISPATCH_METHODS, DISTRIBUTION_STEP_KEY, PROOF_KINDS,
    REPLY_STEP_KEY,
};

use super::tasks::render_error;
use super::{download, role_names, table_pdf, training_with_step, Nav};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::form::{document_kind, local_datetime, Form, Path, Query, Upload};
use crate::{format, AppState};

/// Largest proof accepted: a phone photo of a tanda terima or a scanned page.
pub const MAX_PROOF_BYTES: usize = 10 * 1024 * 1024;

/// Whether the viewer holds the active step and it is one of `keys`.
pub fn acting_at(detail: &TrainingDetail, viewer: &Viewer, keys: &[&str]) -> bool {
    super::active_step_in(detail, keys).is_some_and(|s| viewer.roles.contains(&s.pelaksana))
}

pub struct RecipientRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub quota: u32,
    pub addressee: String,
    pub email: String,
    pub telephone: String,
    pub contact_name: String,
    pub state: &'static str,
    pub state_css: &'static str,
    pub last: String,
    pub proof_id: Option<i64>,
    pub removable: bool,
}

pub struct DispatchRow {
    pub no: usize,
    pub id: i64,
    pub sent: String,
    pub region: String,
    pub addressee: String,
    pub method: String,
    pub reference: String,
    pub proof: String,
    pub has_file: bool,
    pub by: String,
}

#[derive(Template)]
#[template(path = "distribution.html")]
struct DistributionPage {
    nav: Option<Nav>,
    id: i64,
    title: String,
    csrf: String,
    flash: Option<String>,
    can_act: bool,
    undangan: Option<(i64, String)>,
    rows: Vec<RecipientRow>,
    missing_proof: Vec<String>,
    from_plan: Vec<(String, String, u32)>,
    provinces: Vec<(String, String)>,
    province: String,
    regencies: Vec<(String, String, bool)>,
    methods: Vec<(&'static str, &'static str)>,
    proofs: Vec<(&'static str, &'static str)>,
    now_local: String,
    dispatches: Vec<DispatchRow>,
}

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub provinsi: String,
    #[serde(default)]
    pub ok: String,
}

fn recipient_row(r: &Recipient, zone: laksana_calendar::Zone) -> RecipientRow {
    let state = r.dispatch_state();
    let last = match &r.dispatch {
        None => String::new(),
        Some(d) => {
            let mut s = format!(
                "{} · {}",
                method_label(&d.method),
                format::waktu(d.sent_at, zone)
            );
            if let Some(reason) = &d.failed_reason {
                s.push_str(&format!(" · gagal: {reason}"));
            } else if let Some(kind) = &d.proof_kind {
                s.push_str(&format!(" · {}", proof_label(kind)));
                if !d.proof_note.is_empty() {
                    s.push_str(&format!(" ({})", d.proof_note));
                }
            } else if let Some(at) = d.mail_sent_at {
                s.push_str(&format!(" · e-mail terkirim {}", format::waktu(at, zone)));
            } else if d.mail_id.is_some() {
                s.push_str(" · e-mail menunggu di kotak keluar");
            }
            s
        }
    };
    RecipientRow {
        id: r.id,
        code: r.region_code.clone(),
        name: r.region_name.clone(),
        quota: r.quota,
        addressee: r.addressee.clone(),
        email: r.email.clone(),
        telephone: r.telephone.clone(),
        contact_name: r.contact_name.clone(),
        state: state.label(),
        state_css: match state {
            DispatchState::Proven => "good",
            DispatchState::Failed => "bad",
            _ => "warn",
        },
        last,
        proof_id: r
            .dispatch
            .as_ref()
            .filter(|d| d.proof_name.is_some())
            .map(|d| d.id),
        removable: r.dispatch.is_none() && !r.has_replied(),
    }
}

fn flash_text(code: &str) -> Option<String> {
    Some(
        match code {
            "tambah" => "Tujuan undangan ditambahkan.",
            "kirim" => "Pengiriman dicatat di buku ekspedisi.",
            "ubah" => "Data tujuan disimpan.",
            "hapus" => "Tujuan dihapus dari daftar.",
            _ => return None,
        }
        .to_string(),
    )
}

pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, DISTRIBUTION_STEP_KEY).await?;
    let zone = viewer.unit.zone;
    let recipients = state.store.recipients(viewer.unit.id, id).await?;
    let can_act = acting_at(&detail, &viewer, &[DISTRIBUTION_STEP_KEY, REPLY_STEP_KEY]);
    let invited: std::collections::BTreeSet<String> =
        recipients.iter().map(|r| r.region_code.clone()).collect();
    let from_plan = match state.store.work_plan(viewer.unit.id, id).await? {
        Some(v) => v
            .plan
            .kuota
            .iter()
            .filter(|q| !invited.contains(&q.kode()))
            .map(|q| (q.kode(), q.nama_wilayah.clone(), q.kuota))
            .collect(),
        None => Vec::new(),
    };
    let provinces = state
        .store
        .regions_under(None)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let province = q.provinsi.trim().to_string();
    let regencies = if province.is_empty() {
        Vec::new()
    } else {
        state
            .store
            .regions_under(Some(&province))
            .await?
            .into_iter()
            .map(|r| {
                let taken = invited.contains(&r.code);
                (r.code, r.name, taken)
            })
            .collect()
    };
    let undangan = state
        .store
        .documents_of_training(viewer.unit.id, id)
        .await?
        .into_iter()
        .find(|d| d.kind == "undangan" && d.signed_at.is_some())
        .map(|d| (d.id, d.title.clone()));
    let dispatches = state
        .store
        .dispatches(viewer.unit.id, id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, d)| DispatchRow {
            no: i + 1,
            id: d.id,
            sent: format::waktu(d.sent_at, zone),
            region: d.region_name.clone(),
            addressee: d.addressee.clone(),
            method: method_label(&d.method).to_string(),
            reference: d.reference.clone(),
            proof: match (&d.failed_reason, &d.proof_kind, d.mail_sent_at) {
                (Some(r), _, _) => format!("Gagal: {r}"),
                (None, Some(k), _) if d.proof_note.is_empty() => proof_label(k).to_string(),
                (None, Some(k), _) => format!("{}: {}", proof_label(k), d.proof_note),
                (None, None, Some(at)) => format!("E-mail terkirim {}", format::waktu(at, zone)),
                _ => "—".into(),
            },
            has_file: d.proof_name.is_some(),
            by: d.recorded_by_name.clone(),
        })
        .collect();
    let missing_proof = recipients
        .iter()
        .filter(|r| !r.dispatch_state().is_settled())
        .map(|r| r.region_name.clone())
        .collect();
    let names = role_names(&state, &viewer).await;
    let now_local = state
        .clock
        .now()
        .with_timezone(&zone.offset())
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let page = DistributionPage {
        nav: Some(Nav::new(&state, &viewer, "pelatihan", &names)),
        id,
        title: detail.training.title.clone(),
        csrf: viewer.csrf.clone(),
        flash: flash_text(&q.ok),
        can_act,
        undangan,
        rows: recipients.iter().map(|r| recipient_row(r, zone)).collect(),
        missing_proof,
        from_plan,
        provinces,
        province,
        regencies,
        methods: DISPATCH_METHODS.to_vec(),
        proofs: PROOF_KINDS.to_vec(),
        now_local,
        dispatches,
    };
    Ok(Html(page.render().map_err(render_error)?).into_response())
}

/// Adds recipients: every remaining line of the plan's quotas, or the ticked Kabupaten/Kota of
/// one province with the quota typed beside each.
pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    viewer.check_csrf(&get("csrf"))?;
    training_with_step(&state, &viewer, id, DISTRIBUTION_STEP_KEY).await?;
    let mut new = Vec::new();
    if get("sumber") == "rencana" {
        let plan = state
            .store
            .work_plan(viewer.unit.id, id)
            .await?
            .ok_or_else(|| {
                AppError::bad_request(
                    "no_plan",
                    "sumber",
                    "Rencana kerja belum diisi; pilih Kabupaten/Kota per provinsi.",
                )
            })?;
        let invited: Vec<String> = state
            .store
            .recipients(viewer.unit.id, id)
            .await?
            .into_iter()
            .map(|r| r.region_code)
            .collect();
        for q in plan
            .plan
            .kuota
            .iter()
            .filter(|q| !invited.contains(&q.kode()))
        {
            let name = match state.store.region(&q.kode()).await? {
                Some(r) => r.name,
                None => q.nama_wilayah.clone(),
            };
            new.push(NewRecipient {
                region_code: q.kode(),
                region_name: name,
                quota: q.kuota,
                ..Default::default()
            });
        }
    } else {
        for (name, value) in &fields {
            if name != "kode" {
                continue;
            }
            let region = state.store.region(value).await?.ok_or_else(|| {
                AppError::bad_request(
                    "unknown_region",
                    "kode",
                    format!("Kode wilayah {value} tidak dikenal."),
                )
            })?;
            if region.level == "provinsi" {
                return Err(AppError::bad_request(
                    "not_a_regency",
                    "kode",
                    format!("{} adalah provinsi; pilih Kabupaten/Kota.", region.name),
                ));
            }
            let quota_text = get(&format!("kuota_{}", region.code));
            let quota: u32 = quota_text.parse().map_err(|_| {
                AppError::bad_request(
                    "invalid_quota",
                    "kuota",
                    format!(
                        "Kuota {} harus bilangan bulat 0 atau lebih (tertulis \"{quota_text}\").",
                        region.name
                    ),
                )
            })?;
            new.push(NewRecipient {
                region_code: region.code,
                region_name: region.name,
                quota,
                ..Default::default()
            });
        }
    }
    if new.is_empty() {
        return Err(AppError::bad_request(
            "nothing_chosen",
            "kode",
            "Tidak ada Kabupaten/Kota yang dipilih.",
        ));
    }
    state
        .store
        .add_recipients(&viewer.unit, &viewer.user, id, &new, state.clock.now())
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/distribusi?ok=tambah")).into_response())
}

#[derive(serde::Deserialize)]
pub struct RecipientForm {
    pub csrf: String,
    pub kuota: String,
    #[serde(default)]
    pub alamat: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub telepon: String,
    #[serde(default)]
    pub narahubung: String,
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid)): Path<(i64, i64)>,
    Form(f): Form<RecipientForm>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&f.csrf)?;
    let r = state.store.recipient(viewer.unit.id, rid).await?;
    if r.training_id != id {
        return Err(AppError::not_found());
    }
    let quota: u32 = f.kuota.trim().parse().map_err(|_| {
        AppError::bad_request(
            "invalid_quota",
            "kuota",
            format!(
                "Kuota harus bilangan bulat 0 atau lebih (tertulis \"{}\").",
                f.kuota
            ),
        )
    })?;
    state
        .store
        .update_recipient(
            &viewer.unit,
            &viewer.user,
            rid,
            &NewRecipient {
                region_code: r.region_code.clone(),
                region_name: r.region_name.clone(),
                quota,
                addressee: f.alamat,
                email: f.email,
                telephone: f.telepon,
                contact_name: f.narahubung,
            },
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/distribusi?ok=ubah")).into_response())
}

#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    pub csrf: String,
}

pub async fn remove(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid)): Path<(i64, i64)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    viewer.check_csrf(&f.csrf)?;
    let r = state.store.recipient(viewer.unit.id, rid).await?;
    if r.training_id != id {
        return Err(AppError::not_found());
    }
    state
        .store
        .remove_recipient(&viewer.unit, &viewer.user, rid, state.clock.now())
        .await?;
    Ok(Redirect::to(&format!("/pelatihan/{id}/distribusi?ok=hapus")).into_response())
}

/// The invitation e-mail: the letter's facts and the operator's own link.
pub fn invitation_mail(
    base_url: &str,
    training_title: &str,
    unit_name: &str,
    deadline: Option<String>,
    r: &Recipient,
    secret: &str,
) -> MailDraft {
    let link = format!("{}/undangan/{secret}", base_url.trim_end_matches('/'));
    let until = deadline.map(|d| format!(" sampai {d}")).unwrap_or_default();
    MailDraft {
        to_address: r.email.clone(),
        to_name: r.addressee.clone(),
        subject: format!("Undangan pelatihan: {training_title}"),
        body_text: format!(
            "Yth. {addressee}\n\n\
             Bersama ini {unit_name} menyampaikan surat undangan {training_title}.\n\n\
             Surat undangan yang sudah ditandatangani dapat diunduh, dan calon peserta dari {region} \
             (kuota {quota} orang) dapat diisi dan diperbaiki{until}, melalui tautan berikut, tanpa perlu akun:\n\n\
             {link}\n\n\
             Tautan ini khusus untuk {region}. Mohon tidak diteruskan kepada pihak lain.\n\n\
             Hormat kami,\n{unit_name}\n",
            addressee = r.addressee,
            region = r.region_name,
            quota = r.quota,
        ),
    }
}

/// Records a dispatch, its proof, or its failure (multipart: the proof may be a file).
pub async fn dispatch(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid)): Path<(i64, i64)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let up = Upload::read(multipart, MAX_PROOF_BYTES).await?;
    viewer.check_csrf(&up.text("csrf"))?;
    let detail = training_with_step(&state, &viewer, id, DISTRIBUTION_STEP_KEY).await?;
    let r = state.store.recipient(viewer.unit.id, rid).await?;
    if r.training_id != id {
        return Err(AppError::not_found());
    }
    let zone = viewer.unit.zone;
    let now = state.clock.now();
    let sent_at = match up.text("dikirim").trim() {
        "" => now,
        text => local_datetime(text, zone).ok_or_else(|| {
            AppError::bad_request(
                "invalid_datetime",
                "dikirim",
                format!("Waktu pengiriman \"{text}\" tidak terbaca; pilih tanggal dan jam."),
            )
        })?,
    };
    let proof_file = match up.files.get("bukti") {
        None => None,
        Some((name, bytes)) => {
            let mime = document_kind(bytes).ok_or_else(|| {
                AppError::bad_request(
                    "unsupported_file",
                    "bukti",
                    format!("Berkas \"{name}\" bukan PDF, PNG atau JPEG; tidak ada yang disimpan."),
                )
            })?;
            Some(UploadedFile {
                name: name.clone(),
                mime: mime.to_string(),
                bytes: bytes.clone(),
            })
        }
    };
    let failed = up.text("gagal") == "1";
    let proof_kind = match up.text("jenis_bukti").trim() {
        "" => None,
        k => Some(k.to_string()),
    };
    let new = NewDispatch {
        method: up.text("cara"),
        sent_at,
        reference: up.text("referensi"),
        proof_kind: if failed { None } else { proof_kind },
        proof_note: up.text("catatan_bukti"),
        proof_file: if failed { None } else { proof_file },
        failed_reason: failed.then(|| up.text("alasan")),
    };
    let profile = state.store.unit_profile(viewer.unit.id).await?;
    let deadline = state
        .store
        .work_plan(viewer.unit.id, id)
        .await?
        .and_then(|v| v.plan.batas_balasan)
        .map(format::tanggal);
    let title = detail.training.title.clone();
    let unit_name = viewer.unit.name.clone();
    let base = if profile.public_base_url.trim().is_empty() {
        state.public_base_url.clone()
    } else {
        profile.public_base_url.clone()
    };
    let recipient = r.clone();
    let build = move |secret: &str| {
        invitation_mail(
            &base,
            &title,
            &unit_name,
            deadline.clone(),
            &recipient,
            secret,
        )
    };
    state
        .store
        .record_dispatch(&viewer.unit, &viewer.user, rid, &new, Some(&build), now)
        .await?;
    state.wake_mailer();
    Ok(Redirect::to(&format!("/pelatihan/{id}/distribusi?ok=kirim")).into_response())
}

pub async fn proof(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, did)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    training_with_step(&state, &viewer, id, DISTRIBUTION_STEP_KEY).await?;
    let (name, _stored_mime, bytes) = state.store.dispatch_proof(viewer.unit.id, did).await?;
    // Judged again by content: only PDF, PNG and JPEG were accepted, and nothing else is served.
    let mime = document_kind(&bytes).unwrap_or("application/octet-stream");
    Ok(download(bytes, mime, &safe_name(&name), true))
}

/// A download name without quotes or path parts.
pub fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "berkas".into()
    } else {
        cleaned
    }
}

/// The buku ekspedisi of the training as a PDF in the house style.
pub async fn expedition_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let detail = training_with_step(&state, &viewer, id, DISTRIBUTION_STEP_KEY).await?;
    let zone = viewer.unit.zone;
    let rows: Vec<Vec<String>> = state
        .store
        .dispatches(viewer.unit.id, id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            vec![
                (i + 1).to_string(),
                format::waktu(d.sent_at, zone),
                d.addressee.clone(),
                method_label(&d.method).to_string(),
                d.reference.clone(),
                match (&d.failed_reason, &d.proof_kind, d.mail_sent_at) {
                    (Some(r), _, _) => format!("Gagal: {r}"),
                    (None, Some(k), _) if d.proof_note.is_empty() => proof_label(k).to_string(),
                    (None, Some(k), _) => format!("{}: {}", proof_label(k), d.proof_note),
                    (None, None, Some(at)) => {
                        format!("E-mail terkirim {}", format::waktu(at, zone))
                    }
                    _ => String::new(),
                },
                String::new(),
            ]
        })
        .collect();
    let profile = state.store.unit_profile(viewer.unit.id).await?;
    let table = laksana_documents::letter::TableReport {
        kop: crate::paperwork::kop(&profile),
        judul: "BUKU EKSPEDISI".into(),
        subjudul: vec![
            format!("Pengiriman surat undangan {}", detail.training.title),
            format!("Dicetak {}", format::waktu(state.clock.now(), zone)),
        ],
        kolom: [
            "No",
            "Tanggal kirim",
            "Tujuan",
            "Cara",
            "No. resi / ref.",
            "Bukti",
            "Paraf",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        lebar: vec![4, 14, 28, 9, 13, 22, 10],
        baris: rows,
        catatan: Vec::new(),
    };
    table_pdf(table, &format!("buku-ekspedisi-{id}.pdf")).await
}

/// Proof states for the training page's summary line.
pub fn summary(recipients: &[Recipient]) -> String {
    if recipients.is_empty() {
        return "belum ada tujuan".into();
    }
    let settled = recipients
        .iter()
        .filter(|r| r.dispatch_state().is_settled())
        .count();
    format!("{settled} dari {} tujuan punya bukti", recipients.len())
}
