//! Holidays and what each year's data says about itself: the decree it follows, its source, Ramadan.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::OfficeHours;

/// The two kinds of day off that the yearly SKB of three ministers sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// Hari libur nasional.
    LiburNasional,
    /// Cuti bersama: for ASN a day off like a holiday (it is taken from their annual leave).
    CutiBersama,
}

impl HolidayKind {
    /// Indonesian label for display.
    pub fn label(self) -> &'static str {
        match self {
            HolidayKind::LiburNasional => "libur nasional",
            HolidayKind::CutiBersama => "cuti bersama",
        }
    }
}

/// One day off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
    pub kind: HolidayKind,
    /// The source marks the date as estimated (Islamic dates before the isbat, mostly).
    pub estimated: bool,
    /// Remarks kept with the date in the data file.
    pub note: Option<String>,
}

/// The decree a year's holidays follow, as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decree {
    pub title: String,
    /// Numbers of the joint decree (one per minister); empty when not yet known.
    pub numbers: Vec<String>,
    pub signed: Option<NaiveDate>,
    pub note: Option<String>,
    /// Later amendments, in order.
    pub revisions: Vec<DecreeRevision>,
}

/// An amendment of a year's decree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecreeRevision {
    pub numbers: Vec<String>,
    pub signed: Option<NaiveDate>,
    pub note: Option<String>,
}

/// A stretch of the year with its own office hours (Ramadan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialPeriod {
    pub name: String,
    /// First day, inclusive.
    pub start: NaiveDate,
    /// Last day, inclusive.
    pub end: NaiveDate,
    pub hours: OfficeHours,
    /// True while the dates or hours are inferred rather than read from the year's circular.
    pub inferred: bool,
    pub note: Option<String>,
}

impl SpecialPeriod {
    /// Whether `date` falls inside the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// What a year's data file says about the year, besides its holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearInfo {
    pub year: i32,
    /// Name of the data file it came from.
    pub file: String,
    /// Where the dates were taken from.
    pub source: String,
    pub decree: Decree,
    pub ramadan: Option<SpecialPeriod>,
    /// Office hours for this year when they differ from the calendar's default.
    pub office_hours: Option<OfficeHours>,
}
