//! From the store's records to the documents crate's print models: the kop from the unit
//! profile, the work plan as printed for its approval.

use laksana_documents::letter::{
    self, Anggaran, Anggota, Jadwal, Kop, KuotaDaerah, SasaranPeserta,
};
use laksana_domain::{Kedudukan, WorkPlan};
use laksana_store::{PlanVersion, UnitProfile};

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
