//! Who delivers a training and whether its certificates may be issued: the registration of
//! the LPK (Permenaker 6/2024; UU 13/2003 Pasal 14 as amended by UU Cipta Kerja) and the
//! attendance rule. Pure: the store keeps the records, the pages show the answers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kinds of registration an LPK holds.
pub const REGISTRATION_KINDS: [(&str, &str); 3] = [
    ("tanda_daftar", "Tanda daftar"),
    ("izin", "Izin"),
    ("perizinan_berusaha", "Perizinan berusaha"),
];

/// The display name of a registration kind.
pub fn registration_label(kind: &str) -> &'static str {
    REGISTRATION_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Registrasi", |(_, l)| l)
}

/// An LPK's registration as recorded: any part may still be missing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Registration {
    /// One of [`REGISTRATION_KINDS`], empty when not recorded.
    pub kind: String,
    pub number: String,
    pub valid_from: Option<NaiveDate>,
    /// `None`: no end date. A tanda daftar of Permenaker 6/2024 is valid while the LPK is
    /// active, so an open end is a legitimate record, not a gap.
    pub valid_to: Option<NaiveDate>,
}

/// Why a registration does not cover the training.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistrationProblem {
    /// What is not recorded, in words ("nomor", "jenis registrasi", …).
    Missing(Vec<&'static str>),
    /// Valid only from this date, after the first day of the training.
    NotYetValid(NaiveDate),
    /// Expired on this date, before the last day of the training.
    Expired(NaiveDate),
}

impl Registration {
    /// Checks that the registration is complete and valid on every day of `start..=end`.
    pub fn covers(&self, start: NaiveDate, end: NaiveDate) -> Result<(), RegistrationProblem> {
        let mut missing = Vec::new();
        if !REGISTRATION_KINDS.iter().any(|(k, _)| *k == self.kind) {
            missing.push("jenis registrasi");
        }
        if self.number.trim().is_empty() {
            missing.push("nomor");
        }
        if self.valid_from.is_none() {
            missing.push("tanggal mulai berlaku");
        }
        if !missing.is_empty() {
            return Err(RegistrationProblem::Missing(missing));
        }
        match (self.valid_from, self.valid_to) {
            (Some(from), _) if from > start => Err(RegistrationProblem::NotYetValid(from)),
            (_, Some(to)) if to < end => Err(RegistrationProblem::Expired(to)),
            _ => Ok(()),
        }
    }
}

/// Who delivers a training: the BLK itself, or a partner LPK with its registration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Provider {
    /// `true`: a partner LPK delivers the training (`lpk_name`, `registration` apply).
    pub by_lpk: bool,
    pub lpk_name: String,
    pub registration: Registration,
}

/// The SOP's peringatan ("Bagi Lembaga Pelatihan Kerja yang tidak memperoleh ijin dari Dinas
/// terkait, maka pelatihannya tidak diakui") as a sentence naming what is wrong, or `None` when
/// the training is delivered by the BLK or by an LPK registered for every day of it.
pub fn unrecognised_reason(
    provider: &Provider,
    start: NaiveDate,
    end: NaiveDate,
    date_words: impl Fn(NaiveDate) -> String,
) -> Option<String> {
    if !provider.by_lpk {
        return None;
    }
    let name = match provider.lpk_name.trim() {
        "" => "LPK mitra".to_string(),
        n => n.to_string(),
    };
    let why = match provider.registration.covers(start, end) {
        Ok(()) => return None,
        Err(RegistrationProblem::Missing(what)) => {
            format!(
                "registrasinya belum lengkap ({} belum diisi)",
                what.join(", ")
            )
        }
        Err(RegistrationProblem::NotYetValid(from)) => format!(
            "{} nomor {} baru berlaku sejak {}, sesudah hari pertama pelatihan ({})",
            registration_label(&provider.registration.kind),
            provider.registration.number.trim(),
            date_words(from),
            date_words(start)
        ),
        Err(RegistrationProblem::Expired(to)) => format!(
            "{} nomor {} berakhir pada {}, sebelum hari terakhir pelatihan ({})",
            registration_label(&provider.registration.kind),
            provider.registration.number.trim(),
            date_words(to),
            date_words(end)
        ),
    };
    Some(format!(
        "Sertifikat tidak dapat diterbitkan: pelatihan diselenggarakan oleh {name}, yang {why}. \
Bagi Lembaga Pelatihan Kerja yang tidak memperoleh ijin dari Dinas terkait, pelatihannya tidak diakui."
    ))
}

/// Whether `present` of `sessions` meets a minimum percentage of attendance. A training
/// without sessions has nothing attended, so nobody meets it.
pub fn attendance_met(present: i64, sessions: i64, min_percent: u32) -> bool {
    // Integer arithmetic: 9 of 10 sessions is exactly 90 %, never 89.999….
    sessions > 0 && present * 100 >= i64::from(min_percent) * sessions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).unwrap()
    }

    fn lpk(valid_from: Option<NaiveDate>, valid_to: Option<NaiveDate>) -> Provider {
        Provider {
            by_lpk: true,
            lpk_name: "LPK Maju Jaya".into(),
            registration: Registration {
                kind: "izin".into(),
                number: "563/12/LPK".into(),
                valid_from,
                valid_to,
            },
        }
    }

    #[test]
    fn the_blk_itself_is_always_recognised() {
        let p = Provider::default();
        assert_eq!(
            unrecognised_reason(&p, d(1, 11), d(1, 13), |x| x.to_string()),
            None
        );
    }

    #[test]
    fn an_lpk_must_be_registered_on_every_day_of_the_training() {
        let words = |x: NaiveDate| x.to_string();
        assert_eq!(
            unrecognised_reason(&lpk(Some(d(1, 1)), None), d(1, 11), d(1, 13), words),
            None
        );
        assert_eq!(
            unrecognised_reason(
                &lpk(Some(d(1, 1)), Some(d(1, 13))),
                d(1, 11),
                d(1, 13),
                words
            ),
            None
        );
        let expired = unrecognised_reason(
            &lpk(Some(d(1, 1)), Some(d(1, 12))),
            d(1, 11),
            d(1, 13),
            words,
        )
        .unwrap();
        assert!(expired.contains("berakhir pada 2027-01-12"), "{expired}");
        assert!(expired.contains("tidak diakui"), "{expired}");
        let late =
            unrecognised_reason(&lpk(Some(d(1, 12)), None), d(1, 11), d(1, 13), words).unwrap();
        assert!(late.contains("sejak 2027-01-12"), "{late}");
        let mut blank = lpk(None, None);
        blank.registration.number.clear();
        let missing = unrecognised_reason(&blank, d(1, 11), d(1, 13), words).unwrap();
        assert!(
            missing.contains("nomor, tanggal mulai berlaku"),
            "{missing}"
        );
    }

    #[test]
    fn attendance_is_compared_without_rounding() {
        assert!(attendance_met(10, 10, 100));
        assert!(!attendance_met(9, 10, 100));
        assert!(attendance_met(9, 10, 90));
        assert!(!attendance_met(0, 0, 0));
    }
}
