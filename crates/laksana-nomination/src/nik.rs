//! The Nomor Induk Kependudukan: `PPKKCC DDMMYY SSSS`, the kecamatan of issue, the birth date (day + 40
//! for women) and a serial. A valid NIK says nothing about who holds it (only Dukcapil can tell), so
//! these checks only catch typing and spreadsheet mistakes.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::tanggal;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Laki,
    Perempuan,
}

impl Sex {
    pub const ALL: [Sex; 2] = [Sex::Laki, Sex::Perempuan];

    pub fn label(self) -> &'static str {
        match self {
            Sex::Laki => "Laki-laki",
            Sex::Perempuan => "Perempuan",
        }
    }

    /// The one-letter code of forms and of the "L/P" column.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Laki => "L",
            Sex::Perempuan => "P",
        }
    }

    /// Reads "L", "P", "Laki-laki", "Laki laki", "Lk", "Perempuan", "Pr", "Pria", "Wanita" in any
    /// case. "Pr" is perempuan, as on KTP-era forms; "Pria" is spelled out.
    pub fn parse(text: &str) -> Option<Sex> {
        let norm: String = text
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        match norm.as_str() {
            "l" | "lk" | "lakilaki" | "laki" | "pria" | "cowok" | "male" | "m" => Some(Sex::Laki),
            "p" | "pr" | "perempuan" | "wanita" | "cewek" | "female" | "f" | "w" => {
                Some(Sex::Perempuan)
            }
            _ => None,
        }
    }
}

/// A NIK that passed the checks, with what its digits say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nik {
    /// The 16 digits, nothing else.
    pub digits: String,
    /// The first 6 digits: province, kabupaten/kota and kecamatan when the NIK was issued.
    pub region: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// The last 4 digits.
    pub serial: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum NikError {
    #[error("NIK kosong")]
    Empty,
    #[error("NIK hanya boleh berisi angka: karakter ke-{position} (\"{character}\") bukan angka")]
    NotDigits { position: usize, character: char },
    #[error("NIK harus 16 digit, yang tertulis {length} digit (\"{digits}\")")]
    Length { length: usize, digits: String },
    #[error("bagian tanggal lahir NIK (digit 7–12, \"{part}\") bukan tanggal yang ada: {reason}")]
    BirthDate { part: String, reason: String },
    #[error(
        "bagian tanggal lahir NIK (digit 7–12, \"{part}\") menunjukkan {date}, tanggal yang belum tiba"
    )]
    FutureBirthDate { part: String, date: String },
}

impl NikError {
    /// Stable, for the caller's logic and for tests; the Display text may be reworded.
    pub fn code(&self) -> &'static str {
        match self {
            NikError::Empty => "nik_empty",
            NikError::NotDigits { .. } => "nik_digits",
            NikError::Length { .. } => "nik_length",
            NikError::BirthDate { .. } => "nik_birth_date",
            NikError::FutureBirthDate { .. } => "nik_birth_future",
        }
    }
}

/// Strips what spreadsheets and copy-paste put around an ID: spaces, non-breaking and other Unicode
/// spaces (N1), zero-width spaces and byte order marks, and one leading apostrophe, which Excel users
/// type to keep a long number as text and which some exports write out literally.
pub fn clean(raw: &str) -> &str {
    let junk = |c: char| c.is_whitespace() || matches!(c, '\u{200B}' | '\u{200C}' | '\u{FEFF}');
    let s = raw.trim_matches(junk);
    s.strip_prefix('\'').unwrap_or(s).trim_matches(junk)
}

impl Nik {
    /// Checks a NIK as typed. `today` settles the century of the 2-digit birth year and refuses a
    /// birth date in the future.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Nik, NikError> {
        let s = clean(raw);
        if s.is_empty() {
            return Err(NikError::Empty);
        }
        // Non-digits first: "3201-2345-..." is better told "the dash is not a digit" than "19 long".
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(NikError::NotDigits {
                position: i + 1,
                character: c,
            });
        }
        if s.len() != 16 {
            return Err(NikError::Length {
                length: s.len(),
                digits: s.to_string(),
            });
        }
        let part = &s[6..12];
        let bad = |reason: String| NikError::BirthDate {
            part: part.to_string(),
            reason,
        };
        let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
        let (raw_day, month, yy) = (num(6..8), num(8..10), num(10..12));
        let (day, sex) = match raw_day {
            1..=31 => (raw_day, Sex::Laki),
            41..=71 => (raw_day - 40, Sex::Perempuan),
            _ => {
                return Err(bad(format!(
                    "tanggal {raw_day:02} tidak mungkin (laki-laki 01–31, perempuan 41–71)"
                )))
            }
        };
        if !(1..=12).contains(&month) {
            return Err(bad(format!("bulan {month:02} tidak ada (01–12)")));
        }
        // The year has two digits. We take the latest reading that is not after today: NIKs are
        // issued from birth (KIA), so a "05" is far likelier a child born in 2005 than a man of 120,
        // and a "60" cannot be 2060. python-stdnum tries 1900 first, which ages everyone born since
        // 2000, most of a BLK's trainees, by a century. 29 February is tried in both centuries
        // because 1900 was not a leap year and 2000 was.
        let yy = yy as i32;
        let recent = NaiveDate::from_ymd_opt(2000 + yy, month, day).filter(|d| *d <= today);
        let date = match recent.or_else(|| NaiveDate::from_ymd_opt(1900 + yy, month, day)) {
            Some(d) => d,
            None => {
                return Err(bad(format!(
                    "tanggal {day} bulan {month:02} tidak ada pada tahun {yy:02}"
                )))
            }
        };
        // Only reachable when today is itself before 19yy (old data, tests); kept so that a date
        // after `today` can never come out of here.
        if date > today {
            return Err(NikError::FutureBirthDate {
                part: part.to_string(),
                date: tanggal(date),
            });
        }
        Ok(Nik {
            digits: s.to_string(),
            region: s[..6].to_string(),
            birth_date: date,
            sex,
            serial: s[12..].to_string(),
        })
    }

    /// The kabupaten/kota of issue, 4 digits ("3201").
    pub fn regency_code(&self) -> &str {
        &self.region[..4]
    }

    /// The province of issue, 2 digits ("32").
    pub fn province_code(&self) -> &str {
        &self.region[..2]
    }

    /// Serial 0000 is not issued by Dukcapil [inf]; a warning, since the Panitia may know better.
    pub fn serial_is_zero(&self) -> bool {
        self.serial == "0000"
    }

    /// Completed years of age on `on`.
    pub fn age_on(&self, on: NaiveDate) -> Option<u32> {
        age_on(self.birth_date, on)
    }
}

/// Completed years between a birth date and `on`; `None` if `on` is before the birth. Someone born
/// on 29 February turns a year older on 1 March in common years.
pub fn age_on(born: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < born {
        return None;
    }
    let mut years = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    const TODAY: (i32, u32, u32) = (2026, 12, 4);
    fn today() -> NaiveDate {
        d(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn n1_whitespace_around_a_nik_is_trimmed() {
        for raw in [
            "3201230807900123 ",
            " 3201230807900123",
            "\u{a0}3201230807900123\u{a0}",
            "\t3201230807900123\r\n",
            "\u{feff}3201230807900123",
            "'3201230807900123",
        ] {
            let nik = Nik::parse(raw, today()).unwrap_or_else(|e| panic!("{raw:?}: {e}"));
            assert_eq!(nik.digits, "3201230807900123");
        }
        let nik = Nik::parse("3201230807900123 ", today()).unwrap();
        assert_eq!(nik.region, "320123");
        assert_eq!(nik.regency_code(), "3201");
        assert_eq!(nik.province_code(), "32");
        assert_eq!(nik.birth_date, d(1990, 7, 8));
        assert_eq!(nik.sex, Sex::Laki);
        assert_eq!(nik.serial, "0123");
        // The case's own literal: after trimming it is 16 digits, so what is left to refuse is
        // its birth-date part (day 45 is a woman's 5th, but month 67 does not exist).
        let e = Nik::parse("3201234567890123 ", today()).unwrap_err();
        assert_eq!(e.code(), "nik_birth_date", "{e}");
    }

    #[test]
    fn n3_a_womans_day_has_40_added() {
        let nik = Nik::parse("3201014203890001", today()).unwrap();
        assert_eq!(nik.birth_date, d(1989, 3, 2));
        assert_eq!(nik.sex, Sex::Perempuan);
        assert_eq!(nik.sex.label(), "Perempuan");
    }

    #[test]
    fn n4_impossible_birth_dates_are_refused_naming_the_part() {
        for (nik, part) in [
            ("3201013201890001", "320189"),
            ("3201010001890001", "000189"),
            ("3201017201890001", "720189"),
            ("3201011513890001", "151389"),
            ("3201013102890001", "310289"),
            ("3201014000890001", "400089"),
            ("3201013602890001", "360289"),
        ] {
            let err = Nik::parse(nik, today()).unwrap_err();
            assert_eq!(err.code(), "nik_birth_date", "{nik}");
            let msg = err.to_string();
            assert!(
                msg.contains("bagian tanggal lahir NIK (digit 7–12")
                    && msg.contains(&format!("\"{part}\"")),
                "{msg}"
            );
        }
        assert!(Nik::parse("3201013201890001", today())
            .unwrap_err()
            .to_string()
            .contains("tanggal 32"));
        assert!(Nik::parse("3201017201890001", today())
            .unwrap_err()
            .to_string()
            .contains("tanggal 72 tidak mungkin"));
        assert!(Nik::parse("3201011513890001", today())
            .unwrap_err()
            .to_string()
            .contains("bulan 13"));
    }

    #[test]
    fn the_century_is_the_latest_not_after_today() {
        assert_eq!(
            Nik::parse("3201010101050001", today()).unwrap().birth_date,
            d(2005, 1, 1)
        );
        assert_eq!(
            Nik::parse("3201010101600001", today()).unwrap().birth_date,
            d(1960, 1, 1)
        );
        // A date later this year in 2026 would be the future, so it is 1926.
        assert_eq!(
            Nik::parse("3201012512260001", today()).unwrap().birth_date,
            d(1926, 12, 25)
        );
        assert_eq!(
            Nik::parse("3201010412260001", today()).unwrap().birth_date,
            d(2026, 12, 4)
        );
        // 29 February 2000 exists, 29 February 1900 does not.
        assert_eq!(
            Nik::parse("3201012902000001", today()).unwrap().birth_date,
            d(2000, 2, 29)
        );
        assert_eq!(
            Nik::parse("3201012902000001", d(1999, 1, 1))
                .unwrap_err()
                .code(),
            "nik_birth_date"
        );
        assert_eq!(
            Nik::parse("3201010101950001", d(1990, 1, 1))
                .unwrap_err()
                .code(),
            "nik_birth_future"
        );
    }

    #[test]
    fn length_and_digits_are_named() {
        let e = Nik::parse("320123456789012", today()).unwrap_err();
        assert_eq!(e.code(), "nik_length");
        assert!(e.to_string().contains("15 digit"), "{e}");
        let e = Nik::parse("3201-2345-6789-0123", today()).unwrap_err();
        assert_eq!(e.code(), "nik_digits");
        assert!(e.to_string().contains("ke-5 (\"-\")"), "{e}");
        assert_eq!(Nik::parse("  ", today()).unwrap_err().code(), "nik_empty");
        // Full-width or Arabic-Indic digits are not ASCII digits.
        assert_eq!(
            Nik::parse("３201234567890123", today()).unwrap_err().code(),
            "nik_digits"
        );
    }

    #[test]
    fn serial_zero_is_noticed() {
        assert!(Nik::parse("3201010101900000", today())
            .unwrap()
            .serial_is_zero());
    }

    #[test]
    fn sex_reads_common_spellings() {
        for t in ["L", "l", "Laki-laki", "LAKI LAKI", "Pria", "lk"] {
            assert_eq!(Sex::parse(t), Some(Sex::Laki), "{t}");
        }
        for t in ["P", "p", "Perempuan", "WANITA", "Pr"] {
            assert_eq!(Sex::parse(t), Some(Sex::Perempuan), "{t}");
        }
        assert_eq!(Sex::parse("X"), None);
        assert_eq!(Sex::parse(""), None);
        assert_eq!(Sex::Laki.code(), "L");
        assert_eq!(Sex::Laki.label(), "Laki-laki");
    }

    #[test]
    fn age_counts_completed_years() {
        assert_eq!(age_on(d(2000, 12, 5), d(2026, 12, 4)), Some(25));
        assert_eq!(age_on(d(2000, 12, 4), d(2026, 12, 4)), Some(26));
        assert_eq!(age_on(d(2027, 1, 1), d(2026, 12, 4)), None);
    }
}
