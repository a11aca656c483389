//! Demo data: one account per role (password `laksana_web::sample::DEMO_PASSWORD`) and four trainings at different steps.

use anyhow::Context;
use chrono::{Duration, NaiveDate, Utc};
use laksana_store::{Decision, NewTraining, NewUser, Store, User};
use laksana_web::sample::{distribution, office_morning, paperwork_setup, prepare, working_later};
use rand::RngCore;

pub use laksana_web::sample::DEMO_PASSWORD;

/// (username, full name, NIP, jabatan, role key; empty for the administrator)
const DEMO_USERS: &[(&str, &str, &str, &str, &str)] = &[
    ("admin", "Administrator Sistem", "", "Pranata Komputer", ""),
    (
        "jfu",
        "Siti Rahmawati",
        "198903122015032001",
        "Pengelola Program dan Kegiatan",
        "jfu",
    ),
    (
        "kabid",
        "Drs. Bambang Sutrisno, M.M.",
        "197205101998031004",
        "Kepala Bidang Pelatihan dan Produktivitas",
        "kepala-bidang",
    ),
    (
        "staf",
        "Ni Luh Putu Sri'ani",
        "199105252019032008",
        "Pengadministrasi Umum",
        "staf",
    ),
    (
        "kadis",
        "Ir. Ma'ruf Hidayat, M.Si.",
        "196811201994031002",
        "Kepala Dinas Tenaga Kerja",
        "kepala-dinas",
    ),
    (
        "panitia",
        "Agus Setiawan, S.T.",
        "198507172010011015",
        "Instruktur Ahli Muda",
        "panitia",
    ),
];

pub fn random_password() -> String {
    let mut b = [0u8; 9];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Creates whatever of the demo data is missing; safe to run on every start.
pub async fn seed(store: &Store, public_url: &str) -> anyhow::Result<()> {
    let now = Utc::now();
    let unit = store.default_unit(now).await?;
    let def = store
        .definition(store.latest_definition(unit.id).await?.id)
        .await?;
    let keys: Vec<String> = def.roles.iter().map(|r| r.key.clone()).collect();
    let mut users = Vec::new();
    for (username, name, nip, jabatan, role) in DEMO_USERS {
        let user = match store.user_by_username(username).await {
            Ok(u) => u,
            Err(_) => {
                let id = store
                    .create_user(
                        NewUser {
                            username,
                            password: DEMO_PASSWORD,
                            full_name: name,
                            nip,
                            jabatan,
                            is_admin: role.is_empty(),
                        },
                        now,
                    )
                    .await?;
                if !role.is_empty() {
                    store
                        .grant_role(
                            id,
                            unit.id,
                            role,
                            laksana_store::GrantPeriod::default(),
                            &keys,
                            None,
                        )
                        .await?;
                }
                store.user(id).await?
            }
        };
        users.push(user);
    }
    if !store.list_trainings(unit.id).await?.is_empty() {
        return Ok(());
    }
    let admin_user = users[0].clone();
    paperwork_setup(store, &unit, &admin_user, now, public_url)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let by_role = |key: &str| -> anyhow::Result<User> {
        users
            .iter()
            .find(|u| u.roles.iter().any(|g| g.role_key == key))
            .cloned()
            .with_context(|| format!("pengguna demo untuk peran {key}"))
    };
    let admin = users[0].clone();
    // Each sample starts in the past, so its steps have real times and some are late.
    let samples = [
        (
            "Pelatihan Menjahit Angkatan I",
            "Garmen Apparel",
            0usize,
            14,
        ),
        ("Pelatihan Teknik Las SMAW", "Teknik Las", 3, 10),
        ("Pelatihan Barista dan Tata Saji", "Pariwisata", 6, 6),
        ("Pelatihan Tata Rias Pengantin", "Kecantikan", 8, 5),
    ];
    for (index, (title, kejuruan, steps_done, days_ago)) in samples.into_iter().enumerate() {
        let mut at = office_morning(store, now - Duration::days(days_ago));
        let new = NewTraining {
            title: title.into(),
            kejuruan: kejuruan.into(),
            start_date: (now + Duration::days(30))
                .date_naive()
                .max(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
            location: "Workshop UPT BLK".into(),
        };
        let id = store.create_training(&unit, &admin, &new, at).await?;
        for n in 0..steps_done {
            let detail = store.training_detail(unit.id, id).await?;
            let run = detail.active_run().context("langkah aktif")?.clone();
            let step = def.step(run.step_no as u32).context("langkah")?;
            let actor = by_role(&step.pelaksana)?;
            at = working_later(store, at, 90);
            // The second sample shows a returned round at step 2.
            if index == 1 && n == 1 && step.decision.is_some() && run.round == 1 {
                store
                    .complete_task(
                        &unit,
                        &actor,
                        run.id,
                        Decision::Return,
                        Some("Anggaran konsumsi belum sesuai DPA; mohon diperbaiki.".into()),
                        at,
                    )
                    .await?;
                let again = store.training_detail(unit.id, id).await?;
                let redo = again.active_run().context("langkah aktif")?.clone();
                at = working_later(store, at, 60);
                let redo_step = def.step(redo.step_no as u32).context("langkah")?;
                let redo_actor = by_role(&redo_step.pelaksana)?;
                prepare(store, &unit, &redo_actor, id, redo_step, &new, at)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                store
                    .complete_task(
                        &unit,
                        &by_role(&def.step(redo.step_no as u32).unwrap().pelaksana)?,
                        redo.id,
                        Decision::Complete,
                        Some("Sudah diperbaiki.".into()),
                        at,
                    )
                    .await?;
                let review = store
                    .training_detail(unit.id, id)
                    .await?
                    .active_run()
                    .context("langkah aktif")?
                    .clone();
                at = working_later(store, at, 30);
                store
                    .complete_task(&unit, &actor, review.id, Decision::Approve, None, at)
                    .await?;
                continue;
            }
            prepare(store, &unit, &actor, id, step, &new, at)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let decision = if step.decision.is_some() {
                Decision::Approve
            } else {
                Decision::Complete
            };
            store
                .complete_task(&unit, &actor, run.id, decision, None, at)
                .await?;
        }
        // The third sample stands at the distribution: invited, one undangan with its proof.
        if index == 2 {
            let staf = by_role("staf")?;
            at = working_later(store, at, 60);
            distribution(store, &unit, &staf, id, at, 1)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(())
}
