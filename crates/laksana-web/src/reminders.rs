//! Reminders to the Kabupaten/Kota that have not replied, before the reply deadline: the sweep
//! a server runs every minute, and the words of the e-mail. Each reminder goes through the
//! outbox with a dedup key, so several servers sweeping the same database send it once.

use chrono::{DateTime, Utc};
use laksana_store::{MailDraft, Recipient, TrainingDetail, Unit, REPLY_STEP_KEY};

use crate::{format, AppState};

/// A reminder is sent when at most this many working minutes are left before the deadline:
/// one working day (7.5 hours).
pub const REMIND_WITHIN_MINUTES: i64 = 450;

pub fn reminder_mail(
    base_url: &str,
    training_title: &str,
    unit_name: &str,
    deadline: &str,
    r: &Recipient,
    secret: &str,
) -> MailDraft {
    let link = format!("{}/undangan/{secret}", base_url.trim_end_matches('/'));
    MailDraft {
        to_address: r.email.clone(),
        to_name: r.addressee.clone(),
        subject: format!("Pengingat: balasan undangan pelatihan {training_title}"),
        body_text: format!(
            "Yth. {addressee}\n\n\
             Batas waktu balasan undangan {training_title} adalah {deadline}. Sampai saat ini \
             {unit_name} belum menerima nama calon peserta dari {region} (kuota {quota} orang).\n\n\
             Calon peserta dapat diisi melalui tautan berikut, tanpa perlu akun:\n\n{link}\n\n\
             Tautan ini menggantikan tautan pada e-mail sebelumnya dan khusus untuk {region}.\n\n\
             Hormat kami,\n{unit_name}\n",
            addressee = r.addressee,
            region = r.region_name,
            quota = r.quota,
        ),
    }
}

/// The base of links in e-mails: the unit profile's address, else the server's.
pub async fn base_url(state: &AppState, unit_id: i64) -> String {
    match state.store.unit_profile(unit_id).await {
        Ok(p) if !p.public_base_url.trim().is_empty() => p.public_base_url,
        _ => state.public_base_url.clone(),
    }
}

/// Queues the reminders of one training under `tag`; returns the Kabupaten/Kota reminded.
pub async fn remind(
    state: &AppState,
    unit: &Unit,
    detail: &TrainingDetail,
    deadline: DateTime<Utc>,
    tag: &str,
    actor: Option<&laksana_store::User>,
) -> Result<Vec<String>, laksana_store::StoreError> {
    let base = base_url(state, unit.id).await;
    let title = detail.training.title.clone();
    let unit_name = unit.name.clone();
    let when = format::waktu(deadline, unit.zone);
    let build = move |r: &Recipient, secret: &str| {
        reminder_mail(&base, &title, &unit_name, &when, r, secret)
    };
    let queued = state
        .store
        .queue_reply_reminders(
            unit,
            detail.training.id,
            &build,
            tag,
            actor,
            state.clock.now(),
        )
        .await?;
    if !queued.is_empty() {
        state.wake_mailer();
    }
    Ok(queued)
}

/// One sweep over the trainings waiting for replies: those within a working day of their
/// deadline get their automatic reminder (once). Returns how many reminders were queued.
pub async fn sweep(state: &AppState) -> usize {
    let now = state.clock.now();
    let Ok(list) = state.store.trainings_with_recipients().await else {
        return 0;
    };
    let mut count = 0;
    for (unit_id, training_id) in list {
        let Ok(unit) = state.store.unit(unit_id).await else {
            continue;
        };
        let Ok(detail) = state.store.training_detail(unit_id, training_id).await else {
            continue;
        };
        let at_reply = detail
            .active_run()
            .and_then(|r| detail.definition.step(r.step_no as u32))
            .is_some_and(|s| s.key == REPLY_STEP_KEY);
        if !at_reply {
            continue;
        }
        let Some(deadline) = crate::pages::nominations_deadline(state, &unit, &detail).await else {
            continue;
        };
        if now >= deadline {
            continue;
        }
        let left = state
            .store
            .calendar()
            .working_minutes_between(now, deadline, unit.zone)
            .unwrap_or(i64::MAX);
        if left > REMIND_WITHIN_MINUTES {
            continue;
        }
        match remind(state, &unit, &detail, deadline, "otomatis", None).await {
            Ok(q) => count += q.len(),
            Err(e) => {
                tracing::warn!(training_id, error = %e, "pengingat balasan gagal dijadwalkan")
            }
        }
    }
    count
}

/// Sweeps every `every` (a minute in production) until the server stops.
pub async fn run(state: AppState, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let n = sweep(&state).await;
        if n > 0 {
            tracing::info!(
                reminders = n,
                "pengingat balasan dimasukkan ke kotak keluar"
            );
        }
    }
}
