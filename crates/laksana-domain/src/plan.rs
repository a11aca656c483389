//! The work plan (rencana kerja): step 1's output as data. It is checked here, approved or
//! returned at step 2 (every round kept by the store), printed for the approval, and read by
//! the letters (dates, place, quotas, reply deadline), the distribution and the report.
//!
//! [`WorkPlan::check`] returns every problem at once with the field it belongs to, so a form
//! can show each message beside its input. Errors block submitting the plan; warnings are
//! shown but do not (a quota total above the target is normal when reserves are wanted).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::rupiah::rupiah;

/// Youngest age at which the labour law allows vocational training for work (UU 13/2003).
const MIN_WORKING_AGE: u32 = 15;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkPlan {
    pub judul: String,
    pub kejuruan: String,
    pub program: String,
    /// Aims, one sentence each.
    pub tujuan: Vec<String>,
    pub tanggal_mulai: Option<NaiveDate>,
    pub tanggal_selesai: Option<NaiveDate>,
    /// The daily schedule: what happens when on each day of the training.
    pub jadwal: Vec<ScheduleItem>,
    pub tempat: String,
    pub peserta: Criteria,
    /// The Kabupaten/Kota to invite, each with its quota.
    pub kuota: Vec<Quota>,
    /// The day by which the invited Kabupaten/Kota reply with their candidates.
    pub batas_balasan: Option<NaiveDate>,
    /// The DPA ceiling for this activity, in whole rupiah, as the user reads it from the DPA.
    pub pagu_dpa: i64,
    pub anggaran: Vec<BudgetLine>,
    /// The proposed committee; the SK Panitia's lampiran starts from it.
    pub panitia: Vec<CommitteeMember>,
    /// Equipment (the SOP's peralatan/perlengkapan: ATK, computers, kendaraan dinas).
    pub peralatan: Vec<String>,
    /// The contact person printed in the invitation.
    pub narahubung: String,
    pub narahubung_telepon: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScheduleItem {
    pub tanggal: Option<NaiveDate>,
    /// "08.00" or "08:00".
    pub mulai: String,
    pub selesai: String,
    pub acara: String,
}

/// Who may take part.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Criteria {
    /// How many participants the training takes.
    pub jumlah: u32,
    pub usia_min: Option<u32>,
    pub usia_max: Option<u32>,
    pub pendidikan_min: Option<Education>,
    /// Any other condition, as free text (e.g. "tidak sedang bekerja atau bersekolah").
    pub lainnya: String,
}

/// Schooling, in the order of the levels: the derived `PartialOrd` compares levels, so a minimum is
/// met by any variant declared after it. New levels go where they rank, never at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Education {
    /// Never went to school, or did not finish SD.
    #[serde(rename = "tidak-sekolah")]
    TidakSekolah,
    Sd,
    Smp,
    Sma,
    D1,
    D2,
    D3,
    /// S1 and D4 are the same level (KKNI level 6), so D4 reads as S1.
    S1,
    S2,
    S3,
}

impl Education {
    pub const ALL: [Education; 10] = [
        Education::TidakSekolah,
        Education::Sd,
        Education::Smp,
        Education::Sma,
        Education::D1,
        Education::D2,
        Education::D3,
        Education::S1,
        Education::S2,
        Education::S3,
    ];

    /// As forms and letters write it.
    pub fn label(self) -> &'static str {
        match self {
            Education::TidakSekolah => "Tidak/belum tamat SD",
            Education::Sd => "SD/sederajat",
            Education::Smp => "SMP/sederajat",
            Education::Sma => "SMA/SMK/MA/sederajat",
            Education::D1 => "Diploma I",
            Education::D2 => "Diploma II",
            Education::D3 => "Diploma III",
            Education::S1 => "Sarjana (S1/D4)",
            Education::S2 => "Magister (S2)",
            Education::S3 => "Doktor (S3)",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Education::TidakSekolah => "tidak-sekolah",
            Education::Sd => "sd",
            Education::Smp => "smp",
            Education::Sma => "sma",
            Education::D1 => "d1",
            Education::D2 => "d2",
            Education::D3 => "d3",
            Education::S1 => "s1",
            Education::S2 => "s2",
            Education::S3 => "s3",
        }
    }

    pub fn from_key(key: &str) -> Option<Education> {
        Education::ALL.into_iter().find(|e| e.key() == key)
    }

    /// Reads what people write in a spreadsheet's "Pendidikan" column: school names ("SMK", "MTs"),
    /// old names ("SLTA", "SMU", "STM"), Paket A/B/C, diploma forms ("D-III", "Diploma 3"), degrees
    /// ("S1", "Sarjana") and our own keys and labels. Case, spaces, dots, dashes and words such as
    /// "tamat" or "sederajat" do not matter. `None` when the text names no level we know, so the
    /// caller can show the cell as unreadable instead of guessing.
    pub fn parse(text: &str) -> Option<Education> {
        let lower = text.to_lowercase();
        if let Some(e) = Education::ALL
            .into_iter()
            .find(|e| e.key() == lower.trim() || e.label().to_lowercase() == lower.trim())
        {
            return Some(e);
        }
        let mut norm: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        // "tidak tamat SD" must stay below SD, so the noise words only go when not negated.
        if !(norm.starts_with("tidak") || norm.starts_with("belum")) {
            for noise in [
                "sederajat",
                "lulusan",
                "lulus",
                "tamatan",
                "tamat",
                "setara",
            ] {
                norm = norm.replace(noise, "");
            }
        }
        let e = match norm.as_str() {
            "tidaksekolah" | "belumsekolah" | "tidakbersekolah" | "tidaktamatsd"
            | "belumtamatsd" | "tidaktamat" | "tidaksd" | "tidakada" | "tk" => {
                Education::TidakSekolah
            }
            "sd" | "mi" | "sdmi" | "sekolahdasar" | "sr" | "paketa" | "sdsederajat" => {
                Education::Sd
            }
            "smp" | "mts" | "sltp" | "smpmts" | "smpmtssltp" | "paketb" | "smplb" => Education::Smp,
            "sma" | "smk" | "ma" | "mak" | "slta" | "smu" | "stm" | "smea" | "smkk" | "spg"
            | "smasmk" | "smasmkma" | "smkmak" | "smama" | "smasmkmaslta" | "paketc" | "smalb" => {
                Education::Sma
            }
            "d1" | "di" | "diplomai" | "diploma1" => Education::D1,
            "d2" | "dii" | "diplomaii" | "diploma2" => Education::D2,
            "d3" | "diii" | "diplomaiii" | "diploma3" | "ahlimadya" => Education::D3,
            "d4" | "div" | "diplomaiv" | "diploma4" | "s1" | "si" | "sarjana" | "strata1"
            | "sarjanaterapan" | "s1d4" | "d4s1" => Education::S1,
            "s2" | "sii" | "magister" | "master" | "strata2" | "pascasarjana" => Education::S2,
            "s3" | "siii" | "doktor" | "doktoral" | "strata3" => Education::S3,
            _ => return None,
        };
        Some(e)
    }
}

/// One invited Kabupaten/Kota and how many candidates it may send.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Quota {
    /// Kemendagri code, four digits ("3201") or dotted ("32.01").
    pub kode_wilayah: String,
    pub nama_wilayah: String,
    pub kuota: u32,
}

impl Quota {
    /// The region code without its dot: "32.01" → "3201".
    pub fn kode(&self) -> String {
        self.kode_wilayah.trim().replace('.', "")
    }
}

/// A line of the DPA budget for this activity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BudgetLine {
    pub kode_rekening: String,
    pub uraian: String,
    pub volume: u32,
    pub satuan: String,
    /// Unit price in whole rupiah.
    pub harga: i64,
}

impl BudgetLine {
    /// volume × harga, or `None` when it does not fit in an i64 (a typing slip, surely).
    pub fn jumlah(&self) -> Option<i64> {
        self.harga.checked_mul(i64::from(self.volume))
    }
}

/// A committee member's place in the SK Panitia, in the order the lampiran lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Kedudukan {
    Pengarah,
    PenanggungJawab,
    Ketua,
    Sekretaris,
    #[default]
    Anggota,
}

impl Kedudukan {
    pub const ALL: [Kedudukan; 5] = [
        Kedudukan::Pengarah,
        Kedudukan::PenanggungJawab,
        Kedudukan::Ketua,
        Kedudukan::Sekretaris,
        Kedudukan::Anggota,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Kedudukan::Pengarah => "Pengarah",
            Kedudukan::PenanggungJawab => "Penanggung Jawab",
            Kedudukan::Ketua => "Ketua",
            Kedudukan::Sekretaris => "Sekretaris",
            Kedudukan::Anggota => "Anggota",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Kedudukan::Pengarah => "pengarah",
            Kedudukan::PenanggungJawab => "penanggung_jawab",
            Kedudukan::Ketua => "ketua",
            Kedudukan::Sekretaris => "sekretaris",
            Kedudukan::Anggota => "anggota",
        }
    }

    pub fn from_key(key: &str) -> Option<Kedudukan> {
        Kedudukan::ALL.into_iter().find(|k| k.key() == key)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommitteeMember {
    pub nama: String,
    /// 18 digits for a civil servant; empty for others (an instructor from industry).
    pub nip: String,
    pub jabatan: String,
    pub kedudukan: Kedudukan,
    /// The member's account, so the training's Panitia steps open to them once the SK is signed.
    pub user_id: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding of [`WorkPlan::check`]: the field (a path such as `anggaran.2.harga`, rows
/// counted from 0) and a sentence in Indonesian (rows counted from 1, as people count).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanProblem {
    pub field: String,
    pub message: String,
    pub severity: Severity,
}

/// Everything [`WorkPlan::check`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Check {
    pub problems: Vec<PlanProblem>,
}

impl Check {
    /// True when nothing blocks the plan (warnings may remain).
    pub fn is_ok(&self) -> bool {
        self.errors().next().is_none()
    }
    pub fn errors(&self) -> impl Iterator<Item = &PlanProblem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }
    pub fn warnings(&self) -> impl Iterator<Item = &PlanProblem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
    }
    /// The first message for `field`, for showing beside its input.
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|p| p.field == field)
            .map(|p| p.message.as_str())
    }

    fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.push(field, message, Severity::Error);
    }
    fn warning(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.push(field, message, Severity::Warning);
    }
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>, severity: Severity) {
        self.problems.push(PlanProblem {
            field: field.into(),
            message: message.into(),
            severity,
        });
    }
}

impl WorkPlan {
    /// Every problem of the plan, errors and warnings, in the order of the form.
    pub fn check(&self) -> Check {
        let mut c = Check::default();
        for (field, value, label) in [
            ("judul", &self.judul, "Judul pelatihan"),
            ("kejuruan", &self.kejuruan, "Kejuruan"),
            ("tempat", &self.tempat, "Tempat"),
        ] {
            if value.trim().is_empty() {
                c.error(field, format!("{label} wajib diisi."));
            }
        }
        if self.tujuan.iter().all(|t| t.trim().is_empty()) {
            c.error("tujuan", "Tuliskan sedikitnya satu tujuan pelatihan.");
        }
        self.check_dates(&mut c);
        self.check_participants(&mut c);
        self.check_quotas(&mut c);
        self.check_budget(&mut c);
        self.check_committee(&mut c);
        c
    }

    fn check_dates(&self, c: &mut Check) {
        let (start, end) = (self.tanggal_mulai, self.tanggal_selesai);
        if start.is_none() {
            c.error("tanggal_mulai", "Tanggal mulai wajib diisi.");
        }
        if end.is_none() {
            c.error("tanggal_selesai", "Tanggal selesai wajib diisi.");
        }
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                c.error(
                    "tanggal_selesai",
                    "Tanggal selesai tidak boleh sebelum tanggal mulai.",
                );
            }
        }
        for (i, item) in self.jadwal.iter().enumerate() {
            let row = i + 1;
            match (item.tanggal, start, end) {
                (None, _, _) => c.error(
                    format!("jadwal.{i}.tanggal"),
                    format!("Jadwal baris {row}: tanggal wajib diisi."),
                ),
                (Some(d), Some(s), Some(e)) if d < s || d > e => c.error(
                    format!("jadwal.{i}.tanggal"),
                    format!("Jadwal baris {row}: tanggal di luar masa pelatihan."),
                ),
                _ => {}
            }
            let from = clock_minutes(&item.mulai);
            let to = clock_minutes(&item.selesai);
            if from.is_none() {
                c.error(
                    format!("jadwal.{i}.mulai"),
                    format!("Jadwal baris {row}: jam mulai ditulis seperti 08.00."),
                );
            }
            if to.is_none() {
                c.error(
                    format!("jadwal.{i}.selesai"),
                    format!("Jadwal baris {row}: jam selesai ditulis seperti 16.00."),
                );
            }
            if let (Some(f), Some(t)) = (from, to) {
                if t <= f {
                    c.error(
                        format!("jadwal.{i}.selesai"),
                        format!("Jadwal baris {row}: jam selesai harus sesudah jam mulai."),
                    );
                }
            }
            if item.acara.trim().is_empty() {
                c.error(
                    format!("jadwal.{i}.acara"),
                    format!("Jadwal baris {row}: acara wajib diisi."),
                );
            }
        }
    }

    fn check_participants(&self, c: &mut Check) {
        let p = &self.peserta;
        if p.jumlah == 0 {
            c.error("peserta.jumlah", "Jumlah peserta harus lebih dari 0.");
        }
        if let Some(min) = p.usia_min {
            if min < MIN_WORKING_AGE {
                c.error(
                    "peserta.usia_min",
                    format!(
                        "Usia minimum {min} tahun di bawah usia kerja ({MIN_WORKING_AGE} tahun)."
                    ),
                );
            }
        }
        if let (Some(min), Some(max)) = (p.usia_min, p.usia_max) {
            if max < min {
                c.error(
                    "peserta.usia_max",
                    "Usia maksimum tidak boleh lebih kecil dari usia minimum.",
                );
            }
        }
    }

    fn check_quotas(&self, c: &mut Check) {
        let mut seen = std::collections::BTreeMap::new();
        for (i, q) in self.kuota.iter().enumerate() {
            let row = i + 1;
            let kode = q.kode();
            if kode.len() != 4 || !kode.chars().all(|ch| ch.is_ascii_digit()) {
                c.error(
                    format!("kuota.{i}.kode_wilayah"),
                    format!(
                        "Kuota baris {row}: kode wilayah Kabupaten/Kota ditulis 4 angka, misalnya 32.01."
                    ),
                );
            } else if let Some(first) = seen.insert(kode.clone(), row) {
                c.error(
                    format!("kuota.{i}.kode_wilayah"),
                    format!("Kuota baris {row}: wilayah {kode} sudah ada di baris {first}."),
                );
            }
            if q.nama_wilayah.trim().is_empty() {
                c.error(
                    format!("kuota.{i}.nama_wilayah"),
                    format!("Kuota baris {row}: nama Kabupaten/Kota wajib diisi."),
                );
            }
            if q.kuota == 0 {
                c.error(
                    format!("kuota.{i}.kuota"),
                    format!("Kuota baris {row}: kuota harus lebih dari 0."),
                );
            }
        }
        if !self.kuota.is_empty() {
            let total: u32 = self.kuota.iter().map(|q| q.kuota).sum();
            if total < self.peserta.jumlah {
                c.warning(
                    "kuota",
                    format!(
                        "Jumlah kuota ({total}) lebih kecil dari jumlah peserta ({}): kursi bisa tidak terisi.",
                        self.peserta.jumlah
                    ),
                );
            } else if total > self.peserta.jumlah && self.peserta.jumlah > 0 {
                c.warning(
                    "kuota",
                    format!(
                        "Jumlah kuota ({total}) melebihi jumlah peserta ({}): kelebihannya menjadi cadangan.",
                        self.peserta.jumlah
                    ),
                );
            }
            match (self.batas_balasan, self.tanggal_mulai) {
                (None, _) => c.error(
                    "batas_balasan",
                    "Batas waktu balasan Kabupaten/Kota wajib diisi bila ada undangan.",
                ),
                (Some(reply), Some(start)) if reply >= start => c.error(
                    "batas_balasan",
                    "Batas waktu balasan harus sebelum tanggal mulai pelatihan.",
                ),
                _ => {}
            }
        }
    }

    fn check_budget(&self, c: &mut Check) {
        let mut total: Option<i64> = Some(0);
        for (i, line) in self.anggaran.iter().enumerate() {
            let row = i + 1;
            if line.uraian.trim().is_empty() {
                c.error(
                    format!("anggaran.{i}.uraian"),
                    format!("Anggaran baris {row}: uraian wajib diisi."),
                );
            }
            if line.volume == 0 {
                c.error(
                    format!("anggaran.{i}.volume"),
                    format!("Anggaran baris {row}: volume harus lebih dari 0."),
                );
            }
            if line.harga < 0 {
                c.error(
                    format!("anggaran.{i}.harga"),
                    format!("Anggaran baris {row}: harga tidak boleh negatif."),
                );
            }
            let kode = line.kode_rekening.trim();
            if !kode.is_empty() && !kode.chars().all(|ch| ch.is_ascii_digit() || ch == '.') {
                c.error(
                    format!("anggaran.{i}.kode_rekening"),
                    format!(
                        "Anggaran baris {row}: kode rekening hanya berisi angka dan titik (contoh 5.1.02.01.01.0024)."
                    ),
                );
            }
            match line.jumlah() {
                Some(j) => total = total.and_then(|t| t.checked_add(j)),
                None => {
                    c.error(
                        format!("anggaran.{i}.harga"),
                        format!("Anggaran baris {row}: volume × harga terlalu besar."),
                    );
                    total = None;
                }
            }
        }
        if self.anggaran.is_empty() {
            return;
        }
        if self.pagu_dpa <= 0 {
            c.error(
                "pagu_dpa",
                "Isi pagu DPA kegiatan ini agar jumlah anggaran dapat diperiksa.",
            );
        } else if let Some(total) = total {
            if total > self.pagu_dpa {
                c.error(
                    "pagu_dpa",
                    format!(
                        "Jumlah anggaran {} melebihi pagu DPA {} sebesar {}.",
                        rupiah(total),
                        rupiah(self.pagu_dpa),
                        rupiah(total - self.pagu_dpa)
                    ),
                );
            }
        }
    }

    fn check_committee(&self, c: &mut Check) {
        let ketua = self
            .panitia
            .iter()
            .filter(|m| m.kedudukan == Kedudukan::Ketua)
            .count();
        if !self.panitia.is_empty() && ketua == 0 {
            c.warning("panitia", "Susunan panitia belum memiliki Ketua.");
        }
        if ketua > 1 {
            c.error("panitia", "Panitia hanya boleh memiliki satu Ketua.");
        }
        for (i, m) in self.panitia.iter().enumerate() {
            let row = i + 1;
            if m.nama.trim().is_empty() {
                c.error(
                    format!("panitia.{i}.nama"),
                    format!("Panitia baris {row}: nama wajib diisi."),
                );
            }
            let nip: String = m.nip.chars().filter(|ch| !ch.is_whitespace()).collect();
            if !nip.is_empty() && (nip.len() != 18 || !nip.chars().all(|ch| ch.is_ascii_digit())) {
                c.error(
                    format!("panitia.{i}.nip"),
                    format!("Panitia baris {row}: NIP terdiri atas 18 angka (kosongkan bila bukan ASN)."),
                );
            }
        }
    }

    /// Sum of the budget lines (saturating: an overflowing line is reported by [`Self::check`]).
    pub fn total_anggaran(&self) -> i64 {
        self.anggaran
            .iter()
            .map(|l| l.jumlah().unwrap_or(i64::MAX))
            .fold(0i64, |a, b| a.saturating_add(b))
    }

    /// Sum of the quotas of the invited Kabupaten/Kota.
    pub fn total_kuota(&self) -> u32 {
        self.kuota.iter().map(|q| q.kuota).sum()
    }

    /// Calendar days from the first to the last day of the training, both counted.
    pub fn days(&self) -> Option<i64> {
        match (self.tanggal_mulai, self.tanggal_selesai) {
            (Some(s), Some(e)) if e >= s => Some((e - s).num_days() + 1),
            _ => None,
        }
    }

    /// The committee in the lampiran's order: Pengarah, Penanggung Jawab, Ketua, Sekretaris,
    /// Anggota; members of one kedudukan keep the order they were entered in.
    pub fn panitia_sorted(&self) -> Vec<&CommitteeMember> {
        let mut v: Vec<&CommitteeMember> = self.panitia.iter().collect();
        v.sort_by_key(|m| m.kedudukan);
        v
    }

    /// A copy to start a new training from: everything but the dates, which belong to the
    /// earlier training (its schedule, the reply deadline).
    pub fn copy_for_new_training(&self) -> WorkPlan {
        WorkPlan {
            tanggal_mulai: None,
            tanggal_selesai: None,
            batas_balasan: None,
            jadwal: self
                .jadwal
                .iter()
                .map(|item| ScheduleItem {
                    tanggal: None,
                    ..item.clone()
                })
                .collect(),
            ..self.clone()
        }
    }
}

/// "08.00" or "08:00" as minutes after midnight.
fn clock_minutes(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(['.', ':'])?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && m.to_string().len() <= 2).then_some(h * 60 + m)
}

#[cfg(test)]
mod tests;
