//! From the store's records to the documents crate's print models: the kop from the unit
//! profile, the work plan as printed for its approval, the three letters of steps 4 to 6
//! drafted from the plan, and what each printing adds (signer, number, date, paraf, QR).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use laksana_documents::letter::{
    self, Anggaran, Anggota, Jadwal, Keputusan, Kop, KuotaDaerah, Letter, LetterTable, Prefix,
    SasaranPeserta, Signer,
};
use laksana_domain::{Kedudukan, WorkPlan};
use laksana_store::{
    DocumentDetail, NewDocument, PlanVersion, SavedTemplate, SignerSnapshot, Store, StoreError,
    Unit, UnitProfile, User,
};

/// The kop surat of the unit's current profile.
pub fn kop(p: &UnitProfile) -> Kop {
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    Kop {
        logo: p.logo.clone(),
        nama: p.name_lines.clone(),
        alamat: p.address.clone(),
        telepon: some(&p.telephone),
        email: some(&p.email),
        laman: some(&p.website),
    }
}

fn kedudukan(k: Kedudukan) -> letter::Kedudukan {
    match k {
        Kedudukan::Pengarah => letter::Kedudukan::Pengarah,
        Kedudukan::PenanggungJawab => letter::Kedudukan::PenanggungJawab,
        Kedudukan::Ketua => letter::Kedudukan::Ketua,
        Kedudukan::Sekretaris => letter::Kedudukan::Sekretaris,
        Kedudukan::Anggota => letter::Kedudukan::Anggota,
    }
}

/// The committee as the lampiran and the plan print list it (in kedudukan order).
pub fn panitia(plan: &WorkPlan) -> Vec<Anggota> {
    plan.panitia_sorted()
        .into_iter()
        .map(|m| Anggota {
            nama: m.nama.clone(),
            nip: (!m.nip.trim().is_empty()).then(|| m.nip.trim().to_string()),
            jabatan: m.jabatan.clone(),
            kedudukan: kedudukan(m.kedudukan),
        })
        .collect()
}

/// The work plan as printed for approval at step 2; `approved_by` once step 2 approved it.
pub fn work_plan_print(
    saved: &PlanVersion,
    profile: &UnitProfile,
    approved_by: Option<(String, String)>,
) -> letter::WorkPlan {
    let plan = &saved.plan;
    let p = &plan.peserta;
    letter::WorkPlan {
        kop: kop(profile),
        judul: format!("Rencana Kerja {}", plan.judul),
        kejuruan: plan.kejuruan.clone(),
        program: plan.program.clone(),
        tujuan: plan.tujuan.clone(),
        tanggal_mulai: plan.tanggal_mulai,
        tanggal_selesai: plan.tanggal_selesai,
        jadwal: plan
            .jadwal
            .iter()
            .filter_map(|j| {
                Some(Jadwal {
                    tanggal: j.tanggal?,
                    waktu: format!("{}\u{2013}{}", j.mulai, j.selesai),
                    kegiatan: j.acara.clone(),
                })
            })
            .collect(),
        tempat: plan.tempat.clone(),
        peserta: SasaranPeserta {
            jumlah: p.jumlah,
            usia_min: p.usia_min.unwrap_or(0),
            usia_max: p.usia_max.unwrap_or(0),
            pendidikan_min: p
                .pendidikan_min
                .map(|e| e.label().to_string())
                .unwrap_or_default(),
            kriteria: (!p.lainnya.trim().is_empty())
                .then(|| p.lainnya.clone())
                .into_iter()
                .collect(),
        },
        undangan: plan
            .kuota
            .iter()
            .map(|q| KuotaDaerah {
                daerah: q.nama_wilayah.clone(),
                kuota: q.kuota,
            })
            .collect(),
        batas_balasan: plan.batas_balasan,
        anggaran: plan
            .anggaran
            .iter()
            .map(|l| Anggaran {
                kode_rekening: l.kode_rekening.clone(),
                uraian: l.uraian.clone(),
                volume: u64::from(l.volume),
                satuan: l.satuan.clone(),
                harga: l.harga.max(0) as u64,
            })
            .collect(),
        pagu_dpa: plan.pagu_dpa.max(0) as u64,
        panitia: panitia(plan),
        peralatan: plan.peralatan.clone(),
        kota: profile.place.clone(),
        tanggal: Some(
            saved
                .saved_at
                .with_timezone(&profile.zone.offset())
                .date_naive(),
        ),
        pengusul: letter::Signer {
            jabatan: "Penyusun".into(),
            nama: saved.saved_by_name.clone(),
            ..letter::Signer::default()
        },
        penyetuju: approved_by.map(|(nama, jabatan)| letter::Signer {
            jabatan,
            nama,
            ..letter::Signer::default()
        }),
        draft: !saved.complete,
    }
}

/// The letters steps 4 to 6 produce, in the order they are shown: (kind, name).
pub const LETTER_KINDS: [(&str, &str); 3] = [
    ("undangan", "Surat undangan"),
    ("surat_pengantar", "Surat pengantar"),
    ("sk_panitia", "Keputusan Panitia"),
];

/// The display name of a document kind.
pub fn kind_name(kind: &str) -> &'static str {
    LETTER_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Naskah", |(_, n)| n)
}

/// The official position whose holder (or Plt/Plh) signs a kind. The surat pengantar is
/// signed at step 5 by the Kepala Bidang, on behalf of the head of unit; the others by the head.
pub fn signer_position(kind: &str) -> &'static str {
    match kind {
        "surat_pengantar" => "kepala-bidang",
        _ => "kepala-dinas",
    }
}

/// The SOP steps (by key) that draft the letters, check them, and where the head signs.
pub const DRAFT_STEP: &str = "konsep-undangan";
pub const REVIEW_STEP: &str = "paraf-konsep";
pub const SIGN_STEP: &str = "tanda-tangan-kepala-dinas";

/// The step at which a kind is signed: the pengantar at the Kepala Bidang's check (step 5),
/// the undangan and the SK at the head's signing step.
pub fn signing_step(kind: &str) -> &'static str {
    match kind {
        "surat_pengantar" => REVIEW_STEP,
        _ => SIGN_STEP,
    }
}

/// How many paraf a kind needs before it can be signed: the Kepala Bidang's, at step 5, on
/// the undangan and the SK (paraf hierarki); the surat pengantar is his own signature.
pub fn parafs_required(kind: &str) -> u32 {
    match kind {
        "surat_pengantar" => 0,
        _ => 1,
    }
}

/// The named fields of the templates, filled from the plan and the unit profile.
fn field_values(
    plan: &WorkPlan,
    profile: &UnitProfile,
) -> std::collections::BTreeMap<String, String> {
    let date = |d: Option<chrono::NaiveDate>| {
        d.map(laksana_calendar::tanggal_indonesia)
            .unwrap_or_else(|| "(tanggal belum diisi)".into())
    };
    let narahubung = match (plan.narahubung.trim(), plan.narahubung_telepon.trim()) {
        ("", _) => "panitia penyelenggara".to_string(),
        (n, "") => n.to_string(),
        (n, t) => format!("{n} (telepon {t})"),
    };
    [
        ("judul", plan.judul.clone()),
        ("kejuruan", plan.kejuruan.clone()),
        ("tanggal_mulai", date(plan.tanggal_mulai)),
        ("tanggal_selesai", date(plan.tanggal_selesai)),
        ("tempat", plan.tempat.clone()),
        ("batas_balasan", date(plan.batas_balasan)),
        ("narahubung", narahubung),
        ("kuota", plan.total_kuota().to_string()),
        ("kepala_unit", profile.head_title.clone()),
        (
            "tahun_anggaran",
            plan.tanggal_mulai
                .map(|d| chrono::Datelike::year(&d).to_string())
                .unwrap_or_default(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The text of template `key`: the unit's own when it saved one, else the default.
fn template(key: &str, own: &BTreeMap<String, SavedTemplate>) -> String {
    own.get(key).map(|t| t.text.clone()).unwrap_or_else(|| {
        letter::default_templates()
            .into_iter()
            .find(|t| t.key == key)
            .map_or(String::new(), |t| t.teks.to_string())
    })
}

/// The three drafts of step 4, made from the approved plan: (kind, title, content). The
/// content is the print model without what is added at printing (kop, signer, number, date,
/// paraf, verification), so editing a draft never touches those.
pub fn draft_contents(
    plan: &WorkPlan,
    profile: &UnitProfile,
    own: &BTreeMap<String, SavedTemplate>,
) -> Vec<(&'static str, String, serde_json::Value)> {
    let values = field_values(plan, profile);
    let filled = |key: &str| letter::paragraphs(&letter::fill(&template(key, own), &values));
    let kepada: Vec<String> = plan
        .kuota
        .iter()
        .map(|q| {
            format!(
                "Kepala Dinas yang membidangi urusan ketenagakerjaan {}",
                q.nama_wilayah
            )
        })
        .collect();
    let kuota_table = (!plan.kuota.is_empty()).then(|| LetterTable {
        judul: Some("Kuota calon peserta".into()),
        kolom: vec!["No".into(), "Kabupaten/Kota".into(), "Kuota".into()],
        baris: plan
            .kuota
            .iter()
            .enumerate()
            .map(|(i, q)| {
                vec![
                    (i + 1).to_string(),
                    q.nama_wilayah.clone(),
                    q.kuota.to_string(),
                ]
            })
            .collect(),
        setelah_paragraf: 2,
    });
    // The signer is the head, so a copy goes to the archive, not back to the head.
    let tembusan = vec!["Arsip".to_string()];
    let undangan = Letter {
        sifat: "Penting".into(),
        lampiran: "1 (satu) berkas".into(),
        hal: format!("Undangan Calon Peserta {}", plan.judul),
        kepada_terlampir: kepada.len() > 4,
        kepada: kepada.clone(),
        di: "Tempat".into(),
        isi: filled("undangan.isi"),
        tabel: kuota_table,
        tembusan: tembusan.clone(),
        ..Letter::default()
    };
    let pengantar = Letter {
        sifat: "Biasa".into(),
        lampiran: "1 (satu) berkas".into(),
        hal: format!("Penyampaian Undangan {}", plan.judul),
        kepada_terlampir: kepada.len() > 4,
        kepada,
        di: "Tempat".into(),
        isi: filled("pengantar.isi"),
        tembusan: tembusan.clone(),
        ..Letter::default()
    };
    let sk = Keputusan {
        pejabat: profile.head_title.clone(),
        tentang: format!("Pembentukan Panitia {}", plan.judul),
        menimbang: filled("sk.menimbang"),
        mengingat: filled("sk.mengingat"),
        diktum: filled("sk.diktum"),
        tempat: profile.place.clone(),
        tembusan,
        judul_lampiran: format!("SUSUNAN PANITIA {}", plan.judul.to_uppercase()),
        panitia: panitia(plan),
        ..Keputusan::default()
    };
    let json = |v: serde_json::Result<serde_json::Value>| v.expect("a print model serialises");
    vec![
        (
            "undangan",
            undangan.hal.clone(),
            json(serde_json::to_value(&undangan)),
        ),
        (
            "surat_pengantar",
            pengantar.hal.clone(),
            json(serde_json::to_value(&pengantar)),
        ),
        (
            "sk_panitia",
            sk.tentang.clone(),
            json(serde_json::to_value(&sk)),
        ),
    ]
}

/// The print form of a signer snapshot; the surat pengantar's signer signs "a.n." the head.
pub fn print_signer(kind: &str, s: &SignerSnapshot, profile: &UnitProfile) -> Signer {
    let prefix = match s.prefix.trim() {
        "Plt." | "Plt" => Prefix::Plt,
        "Plh." | "Plh" => Prefix::Plh,
        _ if signer_position(kind) != "kepala-dinas" => Prefix::An(profile.head_title.clone()),
        _ => Prefix::None,
    };
    let some = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
    Signer {
        jabatan: s.jabatan.clone(),
        prefix,
        nama: s.name.clone(),
        pangkat: some(&s.pangkat),
        nip: some(&s.nip),
        ttd: None,
    }
}

/// What is added to a document's content when it is printed.
pub struct PrintFacts<'a> {
    pub profile: &'a UnitProfile,
    pub signer: Option<Signer>,
    pub nomor: Option<String>,
    pub tanggal: Option<chrono::NaiveDate>,
    pub paraf: Vec<letter::Paraf>,
    pub verifikasi: Option<String>,
    pub draft: bool,
}

/// A document's PDF: its stored content with the facts of this printing.
pub fn render(
    kind: &str,
    content: &serde_json::Value,
    facts: PrintFacts<'_>,
) -> Result<Vec<u8>, String> {
    let bad = |e: serde_json::Error| format!("isi naskah rusak: {e}");
    let rendered = if kind == "sk_panitia" {
        let mut sk: Keputusan = serde_json::from_value(content.clone()).map_err(bad)?;
        sk.kop = kop(facts.profile);
        if let Some(s) = facts.signer {
            sk.signer = s;
        }
        sk.nomor = facts.nomor;
        sk.tanggal = facts.tanggal;
        sk.paraf = facts.paraf;
        sk.verifikasi = facts.verifikasi;
        sk.draft = facts.draft;
        letter::render_keputusan(&sk)
    } else {
        let mut l: Letter = serde_json::from_value(content.clone()).map_err(bad)?;
        l.kop = kop(facts.profile);
        l.tempat = facts.profile.place.clone();
        if let Some(s) = facts.signer {
            l.signer = s;
        }
        l.nomor = facts.nomor;
        l.tanggal = facts.tanggal;
        l.paraf = facts.paraf;
        l.verifikasi = facts.verifikasi;
        l.draft = facts.draft;
        letter::render_letter(&l)
    };
    rendered.map(|r| r.pdf).map_err(|e| e.to_string())
}

/// A draft as DOCX, for staff who edit in a word processor (marked KONSEP; never signed).
pub fn docx(
    kind: &str,
    content: &serde_json::Value,
    profile: &UnitProfile,
) -> Result<Vec<u8>, String> {
    let bad = |e: serde_json::Error| format!("isi naskah rusak: {e}");
    if kind == "sk_panitia" {
        let mut sk: Keputusan = serde_json::from_value(content.clone()).map_err(bad)?;
        sk.kop = kop(profile);
        sk.draft = true;
        letter::keputusan_docx(&sk).map_err(|e| e.to_string())
    } else {
        let mut l: Letter = serde_json::from_value(content.clone()).map_err(bad)?;
        l.kop = kop(profile);
        l.tempat = profile.place.clone();
        l.draft = true;
        letter::letter_docx(&l).map_err(|e| e.to_string())
    }
}

/// The valid paraf of a document, as printed in the paraf box.
pub fn print_parafs(parafs: &[&laksana_store::Paraf], profile: &UnitProfile) -> Vec<letter::Paraf> {
    parafs
        .iter()
        .map(|p| letter::Paraf {
            nama: p.name.clone(),
            jabatan: p.jabatan.clone(),
            tanggal: p.at.with_timezone(&profile.zone.offset()).date_naive(),
        })
        .collect()
}

/// Step 4: creates the drafts a training lacks, from its newest plan.
pub async fn make_drafts(
    store: &Store,
    unit: &Unit,
    user: &User,
    training_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let plan = store
        .work_plan(unit.id, training_id)
        .await?
        .ok_or_else(|| StoreError::NotConfigured {
            setting: "rencana-kerja".into(),
            message: "Rencana kerja belum ada; konsep dibuat dari rencana kerja.".into(),
        })?;
    let profile = store.unit_profile(unit.id).await?;
    let own = store.letter_templates(unit.id).await?;
    let existing = store.documents_of_training(unit.id, training_id).await?;
    for (kind, title, content) in draft_contents(&plan.plan, &profile, &own) {
        if existing.iter().any(|d| d.kind == kind) {
            continue;
        }
        let doc = store
            .create_document(
                unit.id,
                &NewDocument {
                    training_id,
                    kind: kind.to_string(),
                    title,
                    parafs_required: Some(parafs_required(kind)),
                },
                user,
                now,
            )
            .await?;
        store
            .save_document(unit.id, doc.id, &content, user, now)
            .await?;
    }
    Ok(())
}

/// Signs the current version of `d` with the signer of its kind on the day of `now` (the
/// Plt/Plh of that day when one is appointed): the number is given and the PDF printed with
/// it in one transaction, and that PDF is stored for good.
pub async fn sign(
    store: &Store,
    unit: &Unit,
    user: &User,
    d: &DocumentDetail,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let today = now.with_timezone(&unit.zone.offset()).date_naive();
    let kind = d.document.kind.clone();
    let signer = store
        .signer_on(unit.id, signer_position(&kind), today)
        .await?;
    // A signature is the signer's own act: only the account linked to the official who signs
    // today (the holder, or the Plt/Plh of the day) may give it.
    let official = store.official(unit.id, signer.official_id).await?;
    match official.user_id {
        Some(uid) if uid == user.id => {}
        Some(_) => {
            return Err(StoreError::Refused {
                code: "not_the_signer",
                message: format!(
                    "Hari ini naskah ini ditandatangani oleh {} {}; masuk dengan akun pejabat tersebut.",
                    signer.title_line(),
                    signer.name
                ),
            })
        }
        None => {
            return Err(StoreError::NotConfigured {
                setting: "official.user".into(),
                message: format!(
                    "Pejabat {} belum ditautkan ke akun pengguna: tautkan di Profil unit › Pejabat dan Plt/Plh.",
                    signer.name
                ),
            })
        }
    }
    let register = store.register_for_kind(unit.id, &kind).await?;
    let version = d.current().map_or(0, |v| v.version);
    store
        .sign_document(
            unit.id,
            d.document.id,
            version,
            &signer,
            Some(register.id),
            user,
            now,
            move |facts| {
                let valid: Vec<&laksana_store::Paraf> = facts.parafs.iter().collect();
                render(
                    &facts.kind,
                    &facts.content,
                    PrintFacts {
                        profile: &facts.profile,
                        signer: Some(print_signer(&facts.kind, &facts.signer, &facts.profile)),
                        nomor: facts.number.as_ref().map(|n| n.text.clone()),
                        tanggal: Some(facts.date),
                        paraf: print_parafs(&valid, &facts.profile),
                        verifikasi: Some(facts.verification_url.clone()),
                        draft: false,
                    },
                )
            },
        )
        .await?;
    Ok(())
}
