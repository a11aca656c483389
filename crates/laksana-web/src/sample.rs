//! Sample work for the demo and the tests: a complete work plan, the kop and officials, and
//! what each step needs before it can complete (the plan, the drafts, paraf and signatures,
//! the distribution, the replies). Everything goes through the store's own operations, so a
//! sample training obeys the same rules as one worked through the pages.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use laksana_domain::{
    BudgetLine, CommitteeMember, Criteria, Education, Kedudukan, Quota, ScheduleItem, WorkPlan,
};
use laksana_store::{NewTraining, Store, User, PLAN_STEP_KEY};

/// The password of every demo account, shown on the demo's login page. Long enough and off
/// the common-password list, so the demo accounts obey the same rules as real ones.
pub const DEMO_PASSWORD: &str = "coba-demo-2026";

pub type SampleResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// 08:30 WIB on the nearest working day at or before `t`, so sample steps start in office hours.
pub fn office_morning(store: &Store, t: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    let mut date = t.date_naive();
    for _ in 0..14 {
        if store.calendar().is_working_day(date).unwrap_or(true) {
            break;
        }
        date -= Duration::days(1);
    }
    date.and_hms_opt(1, 30, 0).expect("valid time").and_utc()
}

/// Does what a step needs before it can complete: the work plan for the plan step.
pub async fn prepare(
    store: &Store,
    unit: &laksana_store::Unit,
    actor: &User,
    training_id: i64,
    step: &laksana_engine::Step,
    training: &NewTraining,
    at: chrono::DateTime<Utc>,
) -> SampleResult {
    use crate::paperwork;
    match step.key.as_str() {
        PLAN_STEP_KEY => {
            let mut plan = work_plan(training);
            // Committee members who have an account act as the Panitia once the SK is signed.
            let users = store.list_users().await?;
            for m in &mut plan.panitia {
                m.user_id = users
                    .iter()
                    .find(|u| u.active && u.full_name == m.nama)
                    .map(|u| u.id);
            }
            store
                .save_work_plan(unit, actor, training_id, &plan, at)
                .await?;
        }
        "konsep-undangan" => {
            paperwork::make_drafts(store, unit, actor, training_id, at).await?;
        }
        "paraf-konsep" | "tanda-tangan-kepala-dinas" => {
            for doc in store.documents_of_training(unit.id, training_id).await? {
                let detail = store.document(unit.id, doc.id).await?;
                let signs_here = paperwork::signing_step(&doc.kind) == step.key;
                if step.key == "paraf-konsep" && doc.parafs_required > 0 {
                    let version = detail.current().map_or(0, |v| v.version);
                    store
                        .record_paraf(unit.id, doc.id, version, actor, "", at)
                        .await?;
                }
                if signs_here && detail.signature.is_none() {
                    let detail = store.document(unit.id, doc.id).await?;
                    paperwork::sign(store, unit, actor, &detail, at).await?;
                }
            }
        }
        laksana_store::DISTRIBUTION_STEP_KEY => {
            distribution(store, unit, actor, training_id, at, usize::MAX).await?;
        }
        laksana_store::REPLY_STEP_KEY => {
            replies(store, unit, actor, training_id, at).await?;
        }
        _ => {}
    }
    Ok(())
}

/// Invites the plan's Kabupaten/Kota and records the dispatch of the first `proven` of them,
/// each confirmed by telephone.
pub async fn distribution(
    store: &Store,
    unit: &laksana_store::Unit,
    actor: &User,
    training_id: i64,
    at: chrono::DateTime<Utc>,
    proven: usize,
) -> SampleResult {
    let plan = store
        .work_plan(unit.id, training_id)
        .await?
        .ok_or("rencana kerja belum ada")?;
    let recipients: Vec<laksana_store::NewRecipient> = plan
        .plan
        .kuota
        .iter()
        .map(|q| laksana_store::NewRecipient {
            region_code: q.kode(),
            region_name: q.nama_wilayah.clone(),
            quota: q.kuota,
            email: format!("disnaker{}@contoh.go.id", q.kode()),
            telephone: format!(
                "0251-{}",
                800_000 + q.kode().parse::<u32>().unwrap_or(0) % 1000
            ),
            ..Default::default()
        })
        .collect();
    store
        .add_recipients(unit, actor, training_id, &recipients, at)
        .await?;
    for (i, r) in store
        .recipients(unit.id, training_id)
        .await?
        .into_iter()
        .enumerate()
    {
        if i >= proven {
            break;
        }
        let d = laksana_store::NewDispatch {
            method: if i % 2 == 0 { "kurir" } else { "pos" }.into(),
            sent_at: at,
            reference: format!("EKS-{:03}", i + 1),
            proof_kind: Some("konfirmasi".into()),
            proof_note: format!(
                "Diterima bagian umum {}, dikonfirmasi lewat telepon",
                r.region_name
            ),
            ..Default::default()
        };
        store
            .record_dispatch(unit, actor, r.id, &d, None, at)
            .await?;
    }
    Ok(())
}

/// The first Kabupaten/Kota reply with a few candidates each (one more than its quota for the
/// first, so a reserve shows); the last never replies.
pub async fn replies(
    store: &Store,
    unit: &laksana_store::Unit,
    actor: &User,
    training_id: i64,
    at: chrono::DateTime<Utc>,
) -> SampleResult {
    const NAMES: [(&str, &str); 8] = [
        ("Siti Nurhaliza", "P"),
        ("Budi Santoso", "L"),
        ("Ni Luh Putu Sri'ani", "P"),
        ("Ma'ruf Hidayat", "L"),
        ("Dewi Lestari", "P"),
        ("Agus Salim", "L"),
        ("Rina Marlina", "P"),
        ("Yohanes Kefas", "L"),
    ];
    let recipients = store.recipients(unit.id, training_id).await?;
    let last = recipients.len().saturating_sub(1);
    let mut k = 0usize;
    for (i, r) in recipients.iter().enumerate() {
        if i == last && i > 0 {
            break;
        }
        let count = if i == 0 {
            r.quota as usize + 1
        } else {
            r.quota.min(3) as usize
        };
        let mut candidates = Vec::new();
        for _ in 0..count {
            let (name, sex) = NAMES[k % NAMES.len()];
            let born = NaiveDate::from_ymd_opt(
                1998 + (k % 6) as i32,
                1 + (k % 12) as u32,
                3 + k as u32 % 25,
            )
            .expect("valid date");
            let day = born.day() + if sex == "P" { 40 } else { 0 };
            let nik = format!(
                "{}{:02}{:02}{:02}{:02}{:04}",
                r.region_code,
                1 + k % 20,
                day,
                born.month(),
                born.year() % 100,
                100 + k
            );
            let p = laksana_nomination::Participant {
                nik: nik.clone(),
                nama: name.into(),
                tempat_lahir: r.region_name.replace("Kabupaten ", "").replace("Kota ", ""),
                tanggal_lahir: Some(born),
                jenis_kelamin: laksana_nomination::Sex::parse(sex),
                pendidikan: Some(Education::Sma),
                telepon: format!("0812{:08}", 10_000_000 + k),
                kabupaten_asal: r.region_code.clone(),
                ..Default::default()
            };
            candidates.push(laksana_store::NewNomination {
                nik,
                nama: name.into(),
                data: serde_json::to_string(&p)?,
            });
            k += 1;
        }
        let reply = laksana_store::NewReply {
            letter_number: format!("560/{}/Disnaker/2026", 100 + i),
            letter_date: Some(at.date_naive()),
            subject: String::new(),
            file: None,
            via: "form",
        };
        store
            .register_reply(
                unit,
                laksana_store::NominationActor::User(actor),
                r.id,
                Some(&reply),
                &candidates,
                at,
            )
            .await?;
    }
    Ok(())
}

/// `minutes` of office time after `at` (WIB), so the sample history happens in office hours.
pub fn working_later(
    store: &Store,
    at: chrono::DateTime<Utc>,
    minutes: u32,
) -> chrono::DateTime<Utc> {
    store
        .calendar()
        .due(
            at,
            &laksana_calendar::Span::new(0, 0, minutes),
            laksana_calendar::Zone::Wib,
        )
        .unwrap_or(at + Duration::minutes(i64::from(minutes)))
}

/// The demo unit's kop and the two officials who sign, so the letters of steps 4 to 6 print.
pub async fn paperwork_setup(
    store: &Store,
    unit: &laksana_store::Unit,
    admin: &User,
    now: chrono::DateTime<Utc>,
    public_url: &str,
) -> SampleResult {
    if store.unit_profile(unit.id).await?.version == 0 {
        let mut profile = store.unit_profile(unit.id).await?.to_new();
        profile.name_lines = vec![
            "PEMERINTAH PROVINSI JAWA BARAT".into(),
            "DINAS TENAGA KERJA DAN TRANSMIGRASI".into(),
            "UPT BALAI LATIHAN KERJA".into(),
        ];
        profile.address = "Jalan Soekarno-Hatta No. 532, Bandung 40286".into();
        profile.telephone = "(022) 7564585".into();
        profile.email = "blk@disnakertrans.example.go.id".into();
        profile.website = "https://disnakertrans.example.go.id".into();
        profile.place = "Bandung".into();
        // Where this server is reached, so the QR codes and links in mails work.
        profile.public_base_url = public_url.trim_end_matches('/').to_string();
        store
            .save_unit_profile(unit.id, &profile, admin, now)
            .await?;
    }
    if store.list_officials(unit.id).await?.is_empty() {
        for (position, username, pangkat) in [
            ("kepala-dinas", "kadis", "Pembina Utama Muda (IV/c)"),
            ("kepala-bidang", "kabid", "Pembina (IV/a)"),
        ] {
            let user = store.user_by_username(username).await?;
            store
                .create_official(
                    unit.id,
                    &laksana_store::NewOfficial {
                        position: position.into(),
                        name: user.full_name.clone(),
                        nip: user.nip.clone(),
                        pangkat: pangkat.into(),
                        jabatan: user.jabatan.clone(),
                        user_id: Some(user.id),
                        since: None,
                        until: None,
                    },
                    admin,
                    now,
                )
                .await?;
        }
    }
    Ok(())
}

/// A complete, plausible work plan for a three-day course.
pub fn work_plan(t: &NewTraining) -> WorkPlan {
    let start = t.start_date;
    let day = |n: i64| Some(start + Duration::days(n));
    let schedule = |n: i64, acara: &str| ScheduleItem {
        tanggal: day(n),
        mulai: "08.00".into(),
        selesai: "16.00".into(),
        acara: acara.into(),
    };
    let quota = |kode: &str, nama: &str, kuota: u32| Quota {
        kode_wilayah: kode.into(),
        nama_wilayah: nama.into(),
        kuota,
    };
    let line = |kode: &str, uraian: &str, volume: u32, satuan: &str, harga: i64| BudgetLine {
        kode_rekening: kode.into(),
        uraian: uraian.into(),
        volume,
        satuan: satuan.into(),
        harga,
    };
    let member = |nama: &str, nip: &str, jabatan: &str, kedudukan: Kedudukan| CommitteeMember {
        nama: nama.into(),
        nip: nip.into(),
        jabatan: jabatan.into(),
        kedudukan,
        user_id: None,
    };
    WorkPlan {
        judul: t.title.clone(),
        kejuruan: t.kejuruan.clone(),
        program: format!("Pelatihan berbasis kompetensi {}", t.kejuruan),
        tujuan: vec![
            "Meningkatkan kompetensi kerja pencari kerja sesuai kebutuhan industri".into(),
            "Menyiapkan peserta untuk uji kompetensi".into(),
        ],
        tanggal_mulai: day(0),
        tanggal_selesai: day(2),
        jadwal: vec![
            schedule(0, "Pembukaan, K3 dan teori dasar"),
            schedule(1, "Praktik"),
            schedule(2, "Praktik, evaluasi dan penutupan"),
        ],
        tempat: t.location.clone(),
        peserta: Criteria {
            jumlah: 16,
            usia_min: Some(18),
            usia_max: Some(35),
            pendidikan_min: Some(Education::Sma),
            lainnya: "Tidak sedang bekerja atau bersekolah".into(),
        },
        kuota: vec![
            quota("32.01", "Kabupaten Bogor", 6),
            quota("32.71", "Kota Bogor", 5),
            quota("32.76", "Kota Depok", 5),
        ],
        batas_balasan: day(-10),
        pagu_dpa: 45_000_000,
        anggaran: vec![
            line(
                "5.1.02.01.01.0024",
                "Belanja alat tulis kantor",
                16,
                "paket",
                150_000,
            ),
            line(
                "5.1.02.01.01.0052",
                "Makan dan minum peserta",
                48,
                "OH",
                60_000,
            ),
            line(
                "5.1.02.02.01.0003",
                "Honorarium instruktur",
                24,
                "OJ",
                400_000,
            ),
        ],
        panitia: vec![
            member(
                "Ir. Ma'ruf Hidayat, M.Si.",
                "196811201994031002",
                "Kepala Dinas Tenaga Kerja",
                Kedudukan::Pengarah,
            ),
            member(
                "Drs. Bambang Sutrisno, M.M.",
                "197205101998031004",
                "Kepala Bidang Pelatihan dan Produktivitas",
                Kedudukan::Ketua,
            ),
            member(
                "Siti Rahmawati",
                "198903122015032001",
                "Pengelola Program dan Kegiatan",
                Kedudukan::Sekretaris,
            ),
            member(
                "Agus Setiawan, S.T.",
                "198507172010011015",
                "Instruktur Ahli Muda",
                Kedudukan::Anggota,
            ),
        ],
        peralatan: vec![
            "Alat Tulis Kantor".into(),
            "Komputer dan kelengkapannya".into(),
            "Kendaraan Dinas".into(),
        ],
        narahubung: "Siti Rahmawati".into(),
        narahubung_telepon: "0812-3456-7890".into(),
    }
}

/// Works a training forward until its active step is `until` (a step key), each step done by
/// `actor_for(role)` 90 office minutes after the previous one, with what the step needs made by
/// [`prepare`]. Returns the time of the last completion.
pub async fn advance(
    store: &Store,
    unit: &laksana_store::Unit,
    training_id: i64,
    training: &NewTraining,
    until: &str,
    actor_for: &(dyn Fn(&str) -> Option<User> + Send + Sync),
    mut at: chrono::DateTime<Utc>,
) -> Result<chrono::DateTime<Utc>, Box<dyn std::error::Error + Send + Sync>> {
    loop {
        let detail = store.training_detail(unit.id, training_id).await?;
        let Some(run) = detail.active_run().cloned() else {
            return Err(format!("pelatihan selesai sebelum langkah {until}").into());
        };
        let step = detail
            .definition
            .step(run.step_no as u32)
            .ok_or("langkah tidak ada")?
            .clone();
        if step.key == until {
            return Ok(at);
        }
        let actor = actor_for(&step.pelaksana)
            .ok_or_else(|| format!("tidak ada pengguna untuk peran {}", step.pelaksana))?;
        at = working_later(store, at, 90);
        prepare(store, unit, &actor, training_id, &step, training, at).await?;
        let decision = if step.decision.is_some() {
            laksana_store::Decision::Approve
        } else {
            laksana_store::Decision::Complete
        };
        store
            .complete_task(unit, &actor, run.id, decision, None, at)
            .await?;
    }
}
