//! Reminders and escalation for steps past their due time: the sweep a server runs every
//! minute. The holder of a late step is mailed once (`terlambat-{run}`), and once the step is
//! late by a further standard time of the step, the holder role's superior (`atasan` in the
//! SOP) is mailed once too (`eskalasi-{run}`). The dedup keys make "once" the database's job, so
//! several servers sweeping the same database still send each notice a single time. The same
//! notices are shown in the app (Tugas Saya and the dashboard), derived from the step runs.

use std::collections::HashMap;

use chrono::DateTime;
use chrono::Utc;
use laksana_store::{NewMail, OverdueRun, Unit, User};

use crate::{format, AppState};

/// Which of the two notices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// To the holder of the step.
    Late,
    /// To the holder role's superior.
    Escalation,
}

impl Notice {
    fn key_prefix(self) -> &'static str {
        match self {
            Notice::Late => "terlambat",
            Notice::Escalation => "eskalasi",
        }
    }
}

/// The words of a notice.
pub fn notice_mail(
    notice: Notice,
    unit: &Unit,
    run: &OverdueRun,
    to: &User,
    link: &str,
) -> (String, String) {
    let due = format::waktu(run.due_at, unit.zone);
    let late = run
        .late_minutes
        .map_or("belum dapat dihitung".to_string(), format::durasi_kerja);
    let step = format!("langkah {}. {}", run.step_no, run.kegiatan);
    match notice {
        Notice::Late => (
            format!("Terlambat: {step} — {}", run.training_title),
            format!(
                "Yth. {name}\n\n\
                 Langkah berikut pada pelatihan \"{title}\" telah melewati tenggatnya dan belum \
                 diselesaikan:\n\n  {step}\n  Pelaksana: {role}\n  Tenggat: {due}\n  \
                 Terlambat: {late} (waktu kerja)\n\n\
                 Mohon segera diselesaikan melalui:\n{link}\n\n{unit_name}\n",
                name = to.full_name,
                title = run.training_title,
                role = run.role_name,
                unit_name = unit.name,
            ),
        ),
        Notice::Escalation => (
            format!("Eskalasi: {step} — {}", run.training_title),
            format!(
                "Yth. {name}\n\n\
                 Sebagai atasan {role}, kami sampaikan bahwa langkah berikut pada pelatihan \
                 \"{title}\" terlambat melebihi satu kali waktu bakunya ({standard}):\n\n  {step}\n  \
                 Pelaksana: {role}\n  Tenggat: {due}\n  Terlambat: {late} (waktu kerja)\n\n\
                 Rincian pelatihan:\n{link}\n\n{unit_name}\n",
                name = to.full_name,
                title = run.training_title,
                role = run.role_name,
                standard = format::durasi_kerja(run.standard_minutes),
                unit_name = unit.name,
            ),
        ),
    }
}

/// Queues one notice of `run` to the holders of `role` with an e-mail address, in one
/// transaction; returns how many mails were new. The first holder's mail carries the key
/// `{prefix}-{run}`; when several people hold the role, each further one is keyed by their id too.
async fn queue(
    state: &AppState,
    unit: &Unit,
    run: &OverdueRun,
    notice: Notice,
    holders: &[User],
    now: DateTime<Utc>,
) -> Result<usize, laksana_store::StoreError> {
    let base = crate::reminders::base_url(state, unit.id).await;
    let link = format!(
        "{}/pelatihan/{}",
        base.trim_end_matches('/'),
        run.training_id
    );
    let mut tx = state.store.pool().begin().await?;
    let mut queued = 0;
    let mut first = true;
    for user in holders.iter().filter(|u| !u.email.trim().is_empty()) {
        let key = if first {
            format!("{}-{}", notice.key_prefix(), run.run_id)
        } else {
            format!("{}-{}-{}", notice.key_prefix(), run.run_id, user.id)
        };
        first = false;
        let (subject, body) = notice_mail(notice, unit, run, user, &link);
        let mail = NewMail {
            unit_id: unit.id,
            kind: notice.key_prefix(),
            to_address: &user.email,
            to_name: &user.full_name,
            subject: &subject,
            body_text: &body,
            body_html: None,
            dedup_key: Some(&key),
            training_id: Some(run.training_id),
        };
        if laksana_store::enqueue_mail(&mut tx, &mail, now)
            .await?
            .is_some()
        {
            queued += 1;
        }
    }
    tx.commit().await?;
    Ok(queued)
}

/// One sweep over every unit's late steps; returns how many notices were queued.
pub async fn sweep(state: &AppState) -> usize {
    let now = state.clock.now();
    let runs = match state.store.overdue_runs(None, now).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "daftar langkah terlambat tidak terbaca");
            return 0;
        }
    };
    if runs.is_empty() {
        return 0;
    }
    let users = state.store.list_users().await.unwrap_or_default();
    let mut units: HashMap<i64, Unit> = HashMap::new();
    let mut count = 0;
    for run in &runs {
        if let std::collections::hash_map::Entry::Vacant(slot) = units.entry(run.unit_id) {
            match state.store.unit(run.unit_id).await {
                Ok(u) => slot.insert(u),
                Err(_) => continue,
            };
        }
        let unit = &units[&run.unit_id];
        let today = now.with_timezone(&unit.zone.offset()).date_naive();
        let holders_of = |role: &str| -> Vec<User> {
            users
                .iter()
                .filter(|u| u.active && u.roles_on(unit.id, today).iter().any(|r| r == role))
                .cloned()
                .collect()
        };
        let mut wanted = Vec::new();
        if unit.notify_overdue {
            wanted.push((Notice::Late, holders_of(&run.role_key)));
        }
        if unit.notify_escalation && run.escalated() {
            if let Some(atasan) = &run.atasan_key {
                wanted.push((Notice::Escalation, holders_of(atasan)));
            }
        }
        for (notice, holders) in wanted {
            match queue(state, unit, run, notice, &holders, now).await {
                Ok(n) => count += n,
                Err(e) => {
                    tracing::warn!(run = run.run_id, error = %e, "pemberitahuan keterlambatan gagal dijadwalkan")
                }
            }
        }
    }
    if count > 0 {
        state.wake_mailer();
    }
    count
}

/// Sweeps every minute until the server stops.
pub async fn run(state: AppState, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let n = sweep(&state).await;
        if n > 0 {
            tracing::info!(
                notices = n,
                "pemberitahuan keterlambatan dimasukkan ke kotak keluar"
            );
        }
    }
}
