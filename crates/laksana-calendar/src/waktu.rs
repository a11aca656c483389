//! "Waktu": the standard time of an SOP step, read from the way agencies really write it.
//!
//! Accepted (any letter case, any spacing): "5 menit", "30 mnt", "2 jam", "2 j", "1 hari",
//! "1 hari kerja", "3 hr", "3 HK", "1 minggu", "1 bulan", "1 jam 30 menit", "1,5 jam",
//! ranges "5-10 menit", "1 – 20 hari", "1 hari - 2 hari", "5 s.d. 10 menit", "5 sampai 10 menit",
//! and the words "satu".."sepuluh", "setengah", "sehari", "seminggu", "sebulan", "sejam".
//!
//! Refused, with an Indonesian message naming the text: empty text, words that are not a
//! duration ("sebentar"), a number without a unit ("5"), a negative number ("-5 menit"), a
//! duration of zero ("0 hari", also as either end of a range: a standard time of nothing is
//! a mistake in the SOP, not a target), a range whose lower end exceeds its upper end, a unit
//! written twice ("1 jam 2 jam"), and fractions other than of hours in whole minutes
//! ("1,5 hari" is refused: half a working day has no agreed meaning in the SOP).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

mod read;

use read::parse_text;

/// Working minutes in a working day (Perpres 21/2023: 37.5 hours over 5 days).
pub const WORKING_MINUTES_PER_DAY: u32 = 450;

/// Working days counted for a month in displays that sum an SOP's times. An approximation:
/// about 21.7 weekdays a month, less the holidays, gives 20–21; the due date of "N bulan" never
/// uses it (it follows the calendar).
pub const WORKING_DAYS_PER_MONTH: u32 = 21;

/// Working days in "1 minggu" (a working week).
pub const WORKING_DAYS_PER_WEEK: u32 = 5;

/// A duration on the working calendar, applied in this order: calendar months, then working
/// days, then working minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Span {
    pub months: u32,
    pub days: u32,
    pub minutes: u32,
}

impl Span {
    pub const fn new(months: u32, days: u32, minutes: u32) -> Span {
        Span {
            months,
            days,
            minutes,
        }
    }

    /// True when the span adds nothing.
    pub fn is_zero(&self) -> bool {
        *self == Span::default()
    }

    /// The span expressed in working minutes: a day is 450 minutes and a month 21 working days
    /// ([`WORKING_DAYS_PER_MONTH`], an approximation). For "sum of the SOP" displays only.
    pub fn standard_minutes(&self) -> u32 {
        let per_month = WORKING_DAYS_PER_MONTH * WORKING_MINUTES_PER_DAY;
        self.months
            .saturating_mul(per_month)
            .saturating_add(self.days.saturating_mul(WORKING_MINUTES_PER_DAY))
            .saturating_add(self.minutes)
    }
}

impl fmt::Display for Span {
    /// "1 bulan 2 hari 1 jam 30 menit"; "0 menit" for an empty span.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = Amounts {
            months: u64::from(self.months),
            weeks: 0,
            days: u64::from(self.days),
            minutes: u64::from(self.minutes),
        }
        .parts();
        write_parts(f, &parts)
    }
}

/// A standard time as written in an SOP. `lower == upper` unless the text is a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waktu {
    /// The text as the agency wrote it.
    pub raw: String,
    pub lower: Span,
    pub upper: Span,
}

impl Waktu {
    /// Reads a waktu; the error names the text and what is wrong with it.
    pub fn parse(s: &str) -> Result<Waktu, WaktuError> {
        let parsed = parse_text(s)?;
        Ok(Waktu {
            raw: s.to_string(),
            lower: parsed.lower.span,
            upper: parsed.upper.span,
        })
    }

    /// True when the text gives a range ("5-10 menit") with different ends.
    pub fn is_range(&self) -> bool {
        self.lower != self.upper
    }

    /// The upper bound in working minutes (see [`Span::standard_minutes`]), for displays that
    /// sum the times of an SOP.
    pub fn standard_minutes(&self) -> u32 {
        self.upper.standard_minutes()
    }
}

impl FromStr for Waktu {
    type Err = WaktuError;

    fn from_str(s: &str) -> Result<Waktu, WaktuError> {
        Waktu::parse(s)
    }
}

impl fmt::Display for Waktu {
    /// Normalised Indonesian: "1 hari", "1 jam 30 menit", "5–10 menit", "1 minggu".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Re-reading the raw text keeps how it was written ("1 minggu" stays weeks); a Waktu
        // built by hand with text that does not read falls back to its spans.
        let (lower, upper) = match parse_text(&self.raw) {
            Ok(p) if p.lower.span == self.lower && p.upper.span == self.upper => {
                (p.lower.amounts.parts(), p.upper.amounts.parts())
            }
            _ => (
                Amounts::of(self.lower).parts(),
                Amounts::of(self.upper).parts(),
            ),
        };
        if lower == upper {
            return write_parts(f, &upper);
        }
        match (lower.as_slice(), upper.as_slice()) {
            ([(a, unit_a)], [(b, unit_b)]) if unit_a == unit_b => write!(f, "{a}–{b} {unit_a}"),
            _ => {
                write_parts(f, &lower)?;
                f.write_str(" – ")?;
                write_parts(f, &upper)
            }
        }
    }
}

impl Serialize for Waktu {
    /// As the text the agency wrote, which reads back to the same value.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Waktu {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Waktu, D::Error> {
        let text = String::deserialize(deserializer)?;
        Waktu::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Why a waktu text was refused. Every message quotes the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaktuError {
    #[error("waktu kosong; tulis misalnya \"1 hari\" atau \"30 menit\"")]
    Empty,
    #[error("waktu \"{text}\" tidak terbaca pada \"{part}\"; tulis misalnya \"1 hari\", \"2 jam\" atau \"5-10 menit\"")]
    Unreadable { text: String, part: String },
    #[error("waktu \"{text}\" negatif; waktu baku harus lebih dari nol")]
    Negative { text: String },
    #[error("waktu \"{text}\": angka {number} tanpa satuan (menit, jam, hari, minggu atau bulan)")]
    MissingUnit { text: String, number: String },
    #[error("waktu \"{text}\": satuan \"{unit}\" tidak dikenal (gunakan menit, jam, hari, minggu atau bulan)")]
    UnknownUnit { text: String, unit: String },
    #[error("waktu \"{text}\" bernilai nol; waktu baku harus lebih dari nol")]
    Zero { text: String },
    #[error("waktu \"{text}\": pecahan \"{number} {unit}\" tidak diterima; pecahan hanya untuk jam yang menjadi menit bulat, misalnya \"1,5 jam\"")]
    Fraction {
        text: String,
        number: String,
        unit: String,
    },
    #[error("waktu \"{text}\": satuan {unit} ditulis dua kali")]
    RepeatedUnit { text: String, unit: String },
    #[error("waktu \"{text}\": batas bawah rentang lebih besar dari batas atasnya")]
    ReversedRange { text: String },
    #[error("waktu \"{text}\" terlalu besar")]
    TooLarge { text: String },
}

impl WaktuError {
    /// The refused text ("" when it was empty).
    pub fn text(&self) -> &str {
        match self {
            WaktuError::Empty => "",
            WaktuError::Unreadable { text, .. }
            | WaktuError::Negative { text }
            | WaktuError::MissingUnit { text, .. }
            | WaktuError::UnknownUnit { text, .. }
            | WaktuError::Zero { text }
            | WaktuError::Fraction { text, .. }
            | WaktuError::RepeatedUnit { text, .. }
            | WaktuError::ReversedRange { text }
            | WaktuError::TooLarge { text } => text,
        }
    }
}

/// The amounts of one side of a waktu, by the unit they were written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Amounts {
    months: u64,
    weeks: u64,
    days: u64,
    minutes: u64,
}

impl Amounts {
    fn of(span: Span) -> Amounts {
        Amounts {
            months: u64::from(span.months),
            weeks: 0,
            days: u64::from(span.days),
            minutes: u64::from(span.minutes),
        }
    }

    /// The normalised parts, largest unit first; minutes show as "jam" and "menit".
    fn parts(&self) -> Vec<(u64, &'static str)> {
        let candidates = [
            (self.months, "bulan"),
            (self.weeks, "minggu"),
            (self.days, "hari"),
            (self.minutes / 60, "jam"),
            (self.minutes % 60, "menit"),
        ];
        candidates.into_iter().filter(|(n, _)| *n > 0).collect()
    }

    fn to_span(self, text: &str) -> Result<Span, WaktuError> {
        let too_large = || WaktuError::TooLarge {
            text: text.to_string(),
        };
        let days = self
            .weeks
            .checked_mul(u64::from(WORKING_DAYS_PER_WEEK))
            .ok_or_else(too_large)?;
        let days = days.checked_add(self.days).ok_or_else(too_large)?;
        let fit = |n: u64| u32::try_from(n).map_err(|_| too_large());
        Ok(Span {
            months: fit(self.months)?,
            days: fit(days)?,
            minutes: fit(self.minutes)?,
        })
    }
}

fn write_parts(f: &mut fmt::Formatter<'_>, parts: &[(u64, &str)]) -> fmt::Result {
    if parts.is_empty() {
        return f.write_str("0 menit");
    }
    for (i, (n, unit)) in parts.iter().enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        write!(f, "{n} {unit}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Waktu {
        Waktu::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn minutes(n: u32) -> Span {
        Span::new(0, 0, n)
    }

    fn days(n: u32) -> Span {
        Span::new(0, n, 0)
    }

    #[test]
    fn minutes_are_read_in_full_abbreviated_and_capitalised() {
        assert_eq!(w("5 menit").upper, minutes(5));
        assert_eq!(w("20 Menit").upper, minutes(20));
        assert_eq!(w("30 mnt").upper, minutes(30));
        assert_eq!(w("10 MENIT").upper, minutes(10));
        assert_eq!(w("30mnt").upper, minutes(30));
    }

    #[test]
    fn hours_are_read_as_working_minutes() {
        assert_eq!(w("2 jam").upper, minutes(120));
        assert_eq!(w("2 j").upper, minutes(120));
        assert_eq!(w("1,5 jam").upper, minutes(90));
        assert_eq!(w("setengah jam").upper, minutes(30));
    }

    #[test]
    fn days_are_read_with_or_without_kerja_and_abbreviated() {
        assert_eq!(w("1 hari").upper, days(1));
        assert_eq!(w("1 hari kerja").upper, days(1));
        assert_eq!(w("3 hari").upper, days(3));
        assert_eq!(w("3 Hari Kerja").upper, days(3));
        assert_eq!(w("1 hr").upper, days(1));
        assert_eq!(w("1 hr.").upper, days(1));
        assert_eq!(w("5 HK").upper, days(5));
        assert_eq!(w("sehari").upper, days(1));
        assert_eq!(w("tiga hari").upper, days(3));
    }

    #[test]
    fn a_week_is_five_working_days() {
        assert_eq!(w("1 minggu").upper, days(5));
        assert_eq!(w("2 minggu").upper, days(10));
        assert_eq!(w("seminggu").upper, days(5));
    }

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(w("1 bulan").upper, Span::new(1, 0, 0));
        assert_eq!(w("3 bulan").upper, Span::new(3, 0, 0));
        assert_eq!(w("3 bln").upper, Span::new(3, 0, 0));
    }

    #[test]
    fn combinations_add_up() {
        assert_eq!(w("1 jam 30 menit").upper, minutes(90));
        assert_eq!(w("1 hari 2 jam").upper, Span::new(0, 1, 120));
        assert!(!w("1 jam 30 menit").is_range());
    }

    #[test]
    fn ranges_with_hyphen_en_dash_and_words_are_read() {
        let r = w("5-10 menit");
        assert_eq!((r.lower, r.upper), (minutes(5), minutes(10)));
        assert!(r.is_range());
        let r = w("1 – 20 hari");
        assert_eq!((r.lower, r.upper), (days(1), days(20)));
        let r = w("2-3 hari");
        assert_eq!((r.lower, r.upper), (days(2), days(3)));
        let r = w("15-20 menit");
        assert_eq!((r.lower, r.upper), (minutes(15), minutes(20)));
        let r = w("1 hari - 2 hari");
        assert_eq!((r.lower, r.upper), (days(1), days(2)));
        let r = w("5 s.d. 10 menit");
        assert_eq!((r.lower, r.upper), (minutes(5), minutes(10)));
        let r = w("1 sampai dengan 2 jam");
        assert_eq!((r.lower, r.upper), (minutes(60), minutes(120)));
    }

    #[test]
    fn extra_spaces_and_letter_case_do_not_matter() {
        assert_eq!(w("  1   Hari   Kerja ").upper, days(1));
        assert_eq!(w("5 -   10  MNT").upper, minutes(10));
    }

    #[test]
    fn waktu_is_displayed_in_normalised_indonesian() {
        assert_eq!(w("1 hari kerja").to_string(), "1 hari");
        assert_eq!(w("30 mnt").to_string(), "30 menit");
        assert_eq!(w("90 Menit").to_string(), "1 jam 30 menit");
        assert_eq!(w("1 jam 30 menit").to_string(), "1 jam 30 menit");
        assert_eq!(w("5-10 menit").to_string(), "5–10 menit");
        assert_eq!(w("1 hari - 2 hari").to_string(), "1–2 hari");
        assert_eq!(w("1 minggu").to_string(), "1 minggu");
        assert_eq!(w("3 BULAN").to_string(), "3 bulan");
        assert_eq!(
            w("1 jam - 1 jam 30 menit").to_string(),
            "1 jam – 1 jam 30 menit"
        );
    }

    #[test]
    fn spans_are_displayed_in_indonesian() {
        assert_eq!(
            Span::new(1, 2, 90).to_string(),
            "1 bulan 2 hari 1 jam 30 menit"
        );
        assert_eq!(Span::default().to_string(), "0 menit");
        assert_eq!(days(5).to_string(), "5 hari");
    }

    #[test]
    fn standard_minutes_use_the_upper_bound_450_a_day_and_21_days_a_month() {
        assert_eq!(w("1 hari").standard_minutes(), 450);
        assert_eq!(w("1 minggu").standard_minutes(), 5 * 450);
        assert_eq!(w("5-10 menit").standard_minutes(), 10);
        assert_eq!(w("1 bulan").standard_minutes(), 21 * 450);
        assert_eq!(w("1 jam 30 menit").standard_minutes(), 90);
    }

    #[test]
    fn garbage_is_refused_with_a_message_naming_the_text() {
        let err = Waktu::parse("sebentar").unwrap_err();
        assert!(matches!(err, WaktuError::Unreadable { .. }), "{err:?}");
        assert!(err.to_string().contains("\"sebentar\""), "{err}");
        assert_eq!(err.text(), "sebentar");
    }

    #[test]
    fn empty_text_is_refused() {
        assert_eq!(Waktu::parse("").unwrap_err(), WaktuError::Empty);
        assert_eq!(Waktu::parse("   ").unwrap_err(), WaktuError::Empty);
        assert!(WaktuError::Empty.to_string().contains("kosong"));
    }

    #[test]
    fn a_number_without_a_unit_is_refused() {
        let err = Waktu::parse("5").unwrap_err();
        assert!(matches!(err, WaktuError::MissingUnit { .. }), "{err:?}");
        assert!(err.to_string().contains("\"5\""), "{err}");
        assert!(matches!(
            Waktu::parse("5-10").unwrap_err(),
            WaktuError::MissingUnit { .. }
        ));
    }

    #[test]
    fn a_negative_number_is_refused() {
        let err = Waktu::parse("-5 menit").unwrap_err();
        assert!(matches!(err, WaktuError::Negative { .. }), "{err:?}");
        assert!(err.to_string().contains("\"-5 menit\""), "{err}");
    }

    #[test]
    fn zero_is_refused_even_as_the_end_of_a_range() {
        assert!(matches!(
            Waktu::parse("0 hari").unwrap_err(),
            WaktuError::Zero { .. }
        ));
        assert!(matches!(
            Waktu::parse("0-5 menit").unwrap_err(),
            WaktuError::Zero { .. }
        ));
    }

    #[test]
    fn an_unknown_unit_is_refused_naming_it() {
        let err = Waktu::parse("30 detik").unwrap_err();
        assert_eq!(
            err,
            WaktuError::UnknownUnit {
                text: "30 detik".into(),
                unit: "detik".into()
            }
        );
        assert!(err.to_string().contains("\"detik\""), "{err}");
    }

    #[test]
    fn a_reversed_range_is_refused() {
        assert!(matches!(
            Waktu::parse("10-5 menit").unwrap_err(),
            WaktuError::ReversedRange { .. }
        ));
        assert!(matches!(
            Waktu::parse("2 hari - 1 jam").unwrap_err(),
            WaktuError::ReversedRange { .. }
        ));
    }

    #[test]
    fn a_unit_written_twice_is_refused() {
        assert!(matches!(
            Waktu::parse("1 jam 2 jam").unwrap_err(),
            WaktuError::RepeatedUnit { .. }
        ));
    }

    #[test]
    fn fractions_of_days_weeks_and_months_are_refused() {
        let err = Waktu::parse("1,5 hari").unwrap_err();
        assert!(matches!(err, WaktuError::Fraction { .. }), "{err:?}");
        assert!(err.to_string().contains("1,5 hari"), "{err}");
        assert!(Waktu::parse("0,5 menit").is_err());
    }

    #[test]
    fn two_ranges_or_stray_signs_are_refused() {
        assert!(Waktu::parse("1-2-3 hari").is_err());
        assert!(Waktu::parse("5 menit -").is_err());
        assert!(Waktu::parse("5 menit?").is_err());
        assert!(Waktu::parse("99999999999 menit").is_err());
    }

    #[test]
    fn waktu_serialises_as_its_text_and_reads_back() {
        let original = w("1 – 20 hari");
        let value = toml::Value::try_from(&original).unwrap();
        assert_eq!(value.as_str(), Some("1 – 20 hari"));
        let back: Waktu = value.try_into().unwrap();
        assert_eq!(back, original);
    }
}
