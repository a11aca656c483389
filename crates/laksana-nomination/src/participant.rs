//! A nominated participant and the checks run on them before anything is saved.
//!
//! What is an error and what is a warning: an **error** is data that cannot be right (a NIK that is
//! no NIK, no name, a form that contradicts its own NIK, an e-mail that cannot receive mail); the row
//! must be corrected before it is saved. Whether a person **may take part** (age, schooling) is for
//! the Panitia to decide at selection, with documents in hand and sometimes with exceptions written in
//! the plan's "lainnya"; so eligibility misses are **warnings**: the import keeps the person and shows
//! the miss, it never rejects them. An unknown region code is a warning too (N5): regions split and
//! NIKs keep the code they were issued with.

use chrono::NaiveDate;
use laksana_domain::Education;
use serde::{Deserialize, Serialize};

use crate::nik::{age_on, Nik, Sex};
use crate::region::Regions;
use crate::tanggal;

/// Ragam disabilitas, UU 8/2016 Pasal 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Disability {
    Fisik,
    Intelektual,
    Mental,
    Sensorik,
    /// "Disabilitas ganda atau multi" (Pasal 4 ayat 2).
    Ganda,
}

impl Disability {
    pub const ALL: [Disability; 5] = [
        Disability::Fisik,
        Disability::Intelektual,
        Disability::Mental,
        Disability::Sensorik,
        Disability::Ganda,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Disability::Fisik => "Disabilitas fisik",
            Disability::Intelektual => "Disabilitas intelektual",
            Disability::Mental => "Disabilitas mental",
            Disability::Sensorik => "Disabilitas sensorik",
            Disability::Ganda => "Disabilitas ganda/multi",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Disability::Fisik => "fisik",
            Disability::Intelektual => "intelektual",
            Disability::Mental => "mental",
            Disability::Sensorik => "sensorik",
            Disability::Ganda => "ganda",
        }
    }

    /// Reads a ragam: "Fisik", "disabilitas fisik", "Tuna daksa", "Tunanetra" (sensorik), "Ganda",
    /// "Multi". Whether someone has no disability ("Tidak", "-") is the import's question, not this.
    pub fn parse(text: &str) -> Option<Disability> {
        let norm: String = text
            .to_lowercase()
            .replace("disabilitas", "")
            .replace("penyandang", "")
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let d = match norm.as_str() {
            "fisik" | "tunadaksa" | "daksa" => Disability::Fisik,
            "intelektual" | "tunagrahita" | "grahita" | "lambatbelajar" => Disability::Intelektual,
            "mental" | "psikososial" | "tunalaras" => Disability::Mental,
            "sensorik" | "tunanetra" | "netra" | "tunarungu" | "rungu" | "tunawicara"
            | "wicara" | "tunarunguwicara" => Disability::Sensorik,
            "ganda" | "multi" | "gandamulti" | "multiganda" | "tunaganda" => Disability::Ganda,
            _ => Disability::ALL.into_iter().find(|d| d.key() == norm)?,
        };
        Some(d)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmploymentStatus {
    BelumBekerja,
    Bekerja,
    Wirausaha,
    Pelajar,
}

impl EmploymentStatus {
    pub const ALL: [EmploymentStatus; 4] = [
        EmploymentStatus::BelumBekerja,
        EmploymentStatus::Bekerja,
        EmploymentStatus::Wirausaha,
        EmploymentStatus::Pelajar,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EmploymentStatus::BelumBekerja => "Belum/tidak bekerja",
            EmploymentStatus::Bekerja => "Bekerja",
            EmploymentStatus::Wirausaha => "Wirausaha",
            EmploymentStatus::Pelajar => "Pelajar/mahasiswa",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            EmploymentStatus::BelumBekerja => "belum-bekerja",
            EmploymentStatus::Bekerja => "bekerja",
            EmploymentStatus::Wirausaha => "wirausaha",
            EmploymentStatus::Pelajar => "pelajar",
        }
    }

    /// Reads "Belum bekerja", "Tidak bekerja", "Pengangguran", "Mencari kerja", "Bekerja",
    /// "Karyawan", "Wiraswasta", "Usaha sendiri", "Pelajar", "Mahasiswa", our keys and labels.
    pub fn parse(text: &str) -> Option<EmploymentStatus> {
        let norm: String = text
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let s = match norm.as_str() {
            "belumbekerja" | "tidakbekerja" | "belumtidakbekerja" | "tidakbelumbekerja"
            | "pengangguran" | "menganggur" | "mencarikerja" | "pencarikerja" | "belum"
            | "tidak" | "phk" | "korbanphk" => EmploymentStatus::BelumBekerja,
            "bekerja" | "sudahbekerja" | "karyawan" | "karyawanswasta" | "pegawai" | "buruh"
            | "pekerja" | "honorer" => EmploymentStatus::Bekerja,
            "wirausaha" | "wiraswasta" | "usahasendiri" | "berwirausaha" | "pengusaha" => {
                EmploymentStatus::Wirausaha
            }
            "pelajar" | "mahasiswa" | "pelajarmahasiswa" | "siswa" | "sekolah" => {
                EmploymentStatus::Pelajar
            }
            _ => return None,
        };
        Some(s)
    }
}

/// One person as nominated. Text fields hold what was written, trimmed; nothing is re-cased.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Participant {
    pub nik: String,
    pub nama: String,
    pub tempat_lahir: String,
    pub tanggal_lahir: Option<NaiveDate>,
    pub jenis_kelamin: Option<Sex>,
    pub alamat: String,
    /// Kemendagri code of the address at any level (2, 4, 6 or 10 digits, dotted or not); may be empty.
    pub kode_wilayah: String,
    pub pendidikan: Option<Education>,
    /// `None`: no disability.
    pub disabilitas: Option<Disability>,
    pub status_kerja: Option<EmploymentStatus>,
    pub telepon: String,
    pub email: String,
    /// 4-digit code of the nominating Kabupaten/Kota.
    pub kabupaten_asal: String,
}

/// The plan's criteria that can be checked on one person.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// Age is taken on the training's first day; `None`: on `today`.
    pub first_day: Option<NaiveDate>,
    pub usia_min: Option<u32>,
    pub usia_max: Option<u32>,
    pub pendidikan_min: Option<Education>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// The `Participant` field at fault: "nik", "nama", "tanggal_lahir", ...
    pub field: &'static str,
    pub severity: Severity,
    /// Stable: "nik_length", "nama_empty", "usia_max", ...
    pub code: &'static str,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Checked {
    /// The parsed NIK, when it is one.
    pub nik: Option<Nik>,
    pub issues: Vec<Issue>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }
}

fn issue(field: &'static str, severity: Severity, code: &'static str, message: String) -> Issue {
    Issue {
        field,
        severity,
        code,
        message,
    }
}

/// Checks one participant. Never changes it: see [`complete_from_nik`].
pub fn check(p: &Participant, rules: &Rules, regions: &Regions, today: NaiveDate) -> Checked {
    use Severity::{Error, Warning};
    let mut issues = Vec::new();
    let nik = match Nik::parse(&p.nik, today) {
        Ok(n) => Some(n),
        Err(e) => {
            issues.push(issue("nik", Error, e.code(), e.to_string()));
            None
        }
    };
    if p.nama.trim().is_empty() {
        issues.push(issue("nama", Error, "nama_empty", "Nama kosong".into()));
    }
    if let Some(n) = &nik {
        if regions.regency(n.regency_code()).is_none() {
            issues.push(issue(
                "nik",
                Warning,
                "nik_region_unknown",
                format!(
                    "kode wilayah NIK {} tidak ada dalam daftar wilayah {}; NIK tetap diterima \
                     (wilayah bisa dimekarkan dan NIK memakai kode saat diterbitkan)",
                    n.regency_code(),
                    regions.source_version()
                ),
            ));
        }
        if n.serial_is_zero() {
            issues.push(issue(
                "nik",
                Warning,
                "nik_serial_zero",
                "nomor urut NIK (digit 13–16) adalah 0000; periksa kembali NIK ini".into(),
            ));
        }
        match p.tanggal_lahir {
            Some(d) if d != n.birth_date => issues.push(issue(
                "tanggal_lahir",
                Error,
                "tanggal_lahir_nik",
                format!(
                    "Tanggal lahir {} tidak sesuai dengan NIK, yang menunjukkan {}",
                    tanggal(d),
                    tanggal(n.birth_date)
                ),
            )),
            Some(_) => {}
            None => issues.push(issue(
                "tanggal_lahir",
                Warning,
                "tanggal_lahir_from_nik",
                format!(
                    "Tanggal lahir tidak diisi; diambil dari NIK: {}",
                    tanggal(n.birth_date)
                ),
            )),
        }
        match p.jenis_kelamin {
            Some(s) if s != n.sex => issues.push(issue(
                "jenis_kelamin",
                Error,
                "jenis_kelamin_nik",
                format!(
                    "Jenis kelamin {} tidak sesuai dengan NIK, yang menunjukkan {}",
                    s.label(),
                    n.sex.label()
                ),
            )),
            Some(_) => {}
            None => issues.push(issue(
                "jenis_kelamin",
                Warning,
                "jenis_kelamin_from_nik",
                format!(
                    "Jenis kelamin tidak diisi; diambil dari NIK: {}",
                    n.sex.label()
                ),
            )),
        }
    } else if p.tanggal_lahir.is_none() && (rules.usia_min.is_some() || rules.usia_max.is_some()) {
        issues.push(issue(
            "tanggal_lahir",
            Warning,
            "tanggal_lahir_missing",
            "Tanggal lahir tidak diisi, sehingga usia tidak dapat diperiksa".into(),
        ));
    }

    // Eligibility: warnings (see the module comment).
    let born = p.tanggal_lahir.or(nik.as_ref().map(|n| n.birth_date));
    let on = rules.first_day.unwrap_or(today);
    let when = if rules.first_day.is_some() {
        "pada hari pertama pelatihan"
    } else {
        "hari ini"
    };
    if let Some(age) = born.and_then(|b| age_on(b, on)) {
        if let Some(min) = rules.usia_min.filter(|m| age < *m) {
            issues.push(issue(
                "tanggal_lahir",
                Warning,
                "usia_min",
                format!("Usia {age} tahun {when}, di bawah batas minimal {min} tahun"),
            ));
        }
        if let Some(max) = rules.usia_max.filter(|m| age > *m) {
            issues.push(issue(
                "tanggal_lahir",
                Warning,
                "usia_max",
                format!("Usia {age} tahun {when}, di atas batas maksimal {max} tahun"),
            ));
        }
    }
    if let Some(min) = rules.pendidikan_min {
        match p.pendidikan {
            Some(e) if e < min => issues.push(issue(
                "pendidikan",
                Warning,
                "pendidikan_min",
                format!(
                    "Pendidikan {} di bawah syarat minimal {}",
                    e.label(),
                    min.label()
                ),
            )),
            Some(_) => {}
            None => issues.push(issue(
                "pendidikan",
                Warning,
                "pendidikan_missing",
                format!("Pendidikan tidak diisi; syarat minimal {}", min.label()),
            )),
        }
    }

    if !p.email.trim().is_empty() && !email_ok(p.email.trim()) {
        issues.push(issue(
            "email",
            Error,
            "email_format",
            format!(
                "Alamat e-mail \"{}\" tidak benar (contoh: nama@contoh.id)",
                p.email.trim()
            ),
        ));
    }
    if !p.telepon.trim().is_empty() && normalize_phone(&p.telepon).is_none() {
        issues.push(issue(
            "telepon",
            Error,
            "telepon_format",
            format!(
                "Nomor telepon \"{}\" tidak benar: harus 9–15 angka, diawali 0, 62 atau +62",
                p.telepon.trim()
            ),
        ));
    }
    let kw = p.kode_wilayah.trim();
    if !kw.is_empty() {
        let digits: String = kw.chars().filter(|c| *c != '.').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) || ![2, 4, 6, 10].contains(&digits.len()) {
            issues.push(issue(
                "kode_wilayah",
                Error,
                "kode_wilayah_format",
                format!(
                    "Kode wilayah \"{kw}\" harus 2, 4, 6 atau 10 angka (boleh bertitik: 32.01.01)"
                ),
            ));
        } else if (digits.len() == 2 && regions.province(&digits).is_none())
            || (digits.len() > 2 && regions.regency(&digits[..4]).is_none())
        {
            issues.push(issue(
                "kode_wilayah",
                Warning,
                "kode_wilayah_unknown",
                format!(
                    "Kode wilayah {kw} tidak ada dalam daftar wilayah {}",
                    regions.source_version()
                ),
            ));
        }
    }
    let asal = p.kabupaten_asal.trim();
    if !asal.is_empty() && regions.regency(asal).is_none() {
        issues.push(issue(
            "kabupaten_asal",
            Warning,
            "kabupaten_asal_unknown",
            format!("Kabupaten/kota asal {asal} tidak ada dalam daftar wilayah"),
        ));
    }
    Checked { nik, issues }
}

/// Fills what the form left empty from the NIK: the birth date and the sex. Never overwrites what
/// was written, even when it contradicts the NIK: that is an error for a person to resolve.
pub fn complete_from_nik(p: &mut Participant, nik: &Nik) {
    if p.tanggal_lahir.is_none() {
        p.tanggal_lahir = Some(nik.birth_date);
    }
    if p.jenis_kelamin.is_none() {
        p.jenis_kelamin = Some(nik.sex);
    }
}

/// A plain check, not RFC 5322: one "@", something before it, a dotted domain with no empty label,
/// no spaces. It catches typing slips ("nama@gmail", "nama gmail.com") without refusing real addresses.
pub fn email_ok(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// An Indonesian phone number in one form, "08123456789": spaces, dashes, dots and parentheses go,
/// "+62"/"62" become "0". `None` when what remains is not 9–15 digits starting with 0.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
        .collect();
    let rest = if let Some(r) = s.strip_prefix("+62") {
        format!("0{r}")
    } else if let Some(r) = s.strip_prefix("62") {
        format!("0{r}")
    } else {
        s
    };
    (rest.starts_with('0')
        && (9..=15).contains(&rest.len())
        && rest.bytes().all(|b| b.is_ascii_digit()))
    .then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn today() -> NaiveDate {
        d(2026, 12, 4)
    }
    fn siti() -> Participant {
        Participant {
            nik: "3201014203890001".into(),
            nama: "Siti Aminah".into(),
            tanggal_lahir: Some(d(1989, 3, 2)),
            jenis_kelamin: Some(Sex::Perempuan),
            pendidikan: Some(Education::Sma),
            kabupaten_asal: "3201".into(),
            ..Default::default()
        }
    }
    fn codes(c: &Checked) -> Vec<&'static str> {
        c.issues.iter().map(|i| i.code).collect()
    }

    #[test]
    fn a_good_participant_has_no_issues() {
        let c = check(&siti(), &Rules::default(), Regions::embedded(), today());
        assert_eq!(codes(&c), Vec::<&str>::new());
        assert_eq!(c.nik.unwrap().birth_date, d(1989, 3, 2));
    }

    #[test]
    fn the_form_must_agree_with_its_nik() {
        let mut p = siti();
        p.tanggal_lahir = Some(d(1989, 3, 3));
        p.jenis_kelamin = Some(Sex::Laki);
        let c = check(&p, &Rules::default(), Regions::embedded(), today());
        assert_eq!(codes(&c), ["tanggal_lahir_nik", "jenis_kelamin_nik"]);
        assert!(c.has_errors());
        assert!(
            c.issues[0].message.contains("2 Maret 1989"),
            "{}",
            c.issues[0].message
        );
    }

    #[test]
    fn missing_birth_date_and_sex_come_from_the_nik_with_a_warning() {
        let mut p = siti();
        p.tanggal_lahir = None;
        p.jenis_kelamin = None;
        let c = check(&p, &Rules::default(), Regions::embedded(), today());
        assert_eq!(
            codes(&c),
            ["tanggal_lahir_from_nik", "jenis_kelamin_from_nik"]
        );
        assert!(!c.has_errors());
        complete_from_nik(&mut p, c.nik.as_ref().unwrap());
        assert_eq!(p.tanggal_lahir, Some(d(1989, 3, 2)));
        assert_eq!(p.jenis_kelamin, Some(Sex::Perempuan));
    }

    #[test]
    fn n5_an_unknown_region_is_a_warning_only() {
        let mut p = siti();
        // 9471 was Kota Jayapura before the 2022 Papua split; the current list has it as 91.71.
        p.nik = "9471014203890001".into();
        let c = check(&p, &Rules::default(), Regions::embedded(), today());
        assert_eq!(codes(&c), ["nik_region_unknown"]);
        assert_eq!(c.issues[0].severity, Severity::Warning);
        assert!(c.nik.is_some());
        assert!(!c.has_errors());
    }

    #[test]
    fn eligibility_misses_are_warnings() {
        let rules = Rules {
            first_day: Some(d(2027, 3, 1)),
            usia_min: Some(17),
            usia_max: Some(35),
            pendidikan_min: Some(Education::D3),
        };
        let c = check(&siti(), &rules, Regions::embedded(), today());
        assert_eq!(codes(&c), ["usia_max", "pendidikan_min"]);
        assert!(!c.has_errors());
        assert!(
            c.issues[0].message.contains("37 tahun"),
            "{}",
            c.issues[0].message
        );
        let mut young = siti();
        young.nik = "3201014203100001".into();
        young.tanggal_lahir = Some(d(2010, 3, 2));
        young.pendidikan = None;
        let c = check(&young, &rules, Regions::embedded(), today());
        assert_eq!(codes(&c), ["usia_min", "pendidikan_missing"]);
        // Exactly 35 on the first day is still within the limit.
        let rules = Rules {
            first_day: Some(d(2024, 3, 2)),
            usia_max: Some(35),
            ..Default::default()
        };
        assert!(check(&siti(), &rules, Regions::embedded(), today())
            .issues
            .is_empty());
    }

    #[test]
    fn errors_for_bad_nik_name_email_phone() {
        let p = Participant {
            nik: "32010142038900".into(),
            nama: "  ".into(),
            email: "siti@gmail".into(),
            telepon: "0812-abc".into(),
            kode_wilayah: "32.01.x".into(),
            ..Default::default()
        };
        let c = check(&p, &Rules::default(), Regions::embedded(), today());
        assert_eq!(
            codes(&c),
            [
                "nik_length",
                "nama_empty",
                "email_format",
                "telepon_format",
                "kode_wilayah_format"
            ]
        );
        assert!(c.issues.iter().all(|i| i.severity == Severity::Error));
    }

    #[test]
    fn phones_and_emails_in_their_usual_forms_pass() {
        assert_eq!(
            normalize_phone("+62 812-3456-7890").as_deref(),
            Some("081234567890")
        );
        assert_eq!(
            normalize_phone("(0251) 832.1234").as_deref(),
            Some("02518321234")
        );
        assert_eq!(
            normalize_phone("6281234567890").as_deref(),
            Some("081234567890")
        );
        assert_eq!(normalize_phone("12345"), None);
        assert!(email_ok("ni.luh+blk@dinas.badungkab.go.id"));
        assert!(!email_ok("a@b"));
        assert!(!email_ok("a b@c.id"));
        assert!(!email_ok("@c.id"));
        assert!(!email_ok("a@c..id"));
    }

    #[test]
    fn disability_and_work_status_read_common_words() {
        assert_eq!(Disability::parse("Tuna Daksa"), Some(Disability::Fisik));
        assert_eq!(
            Disability::parse("disabilitas sensorik"),
            Some(Disability::Sensorik)
        );
        assert_eq!(Disability::parse("Tunanetra"), Some(Disability::Sensorik));
        assert_eq!(Disability::parse("Multi"), Some(Disability::Ganda));
        assert_eq!(Disability::parse("ya"), None);
        assert_eq!(
            EmploymentStatus::parse("Belum Bekerja"),
            Some(EmploymentStatus::BelumBekerja)
        );
        assert_eq!(
            EmploymentStatus::parse("wiraswasta"),
            Some(EmploymentStatus::Wirausaha)
        );
        assert_eq!(
            EmploymentStatus::parse("Mahasiswa"),
            Some(EmploymentStatus::Pelajar)
        );
        for s in EmploymentStatus::ALL {
            assert_eq!(EmploymentStatus::parse(s.label()), Some(s), "{}", s.label());
            assert_eq!(EmploymentStatus::parse(s.key()), Some(s));
        }
        for s in Disability::ALL {
            assert_eq!(Disability::parse(s.label()), Some(s), "{}", s.label());
        }
    }
}
