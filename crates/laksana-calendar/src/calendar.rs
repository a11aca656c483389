//! The working calendar: which days are worked and with which hours, from the year data files.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::data::{parse_year_file, YearData};
use crate::holidays::{Holiday, SpecialPeriod, YearInfo};
use crate::hours::{DayHours, OfficeHours};
use crate::CalendarError;

/// The data files shipped with the crate, one per year.
const BUILTIN_FILES: [(&str, &str); 3] = [
    ("2025.toml", include_str!("../data/2025.toml")),
    ("2026.toml", include_str!("../data/2026.toml")),
    ("2027.toml", include_str!("../data/2027.toml")),
];

/// Working days and hours: office hours (Perpres 21/2023 unless changed), the holidays and cuti
/// bersama of each year with data, and each year's Ramadan hours.
///
/// Every lookup of a date in a year without data fails with [`CalendarError::MissingYear`]:
/// the calendar never guesses that an unknown year has no holidays.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    years: BTreeMap<i32, YearData>,
    office_hours: OfficeHours,
}

impl WorkingCalendar {
    /// Default office hours (Perpres 21/2023) with the embedded data for 2025, 2026 and 2027.
    pub fn builtin() -> WorkingCalendar {
        WorkingCalendar::from_toml_files(&BUILTIN_FILES)
            .expect("the embedded calendar data is valid (the crate's tests read it)")
    }

    /// The embedded data files as `(name, content)`, so that an administrator can start a
    /// correction from them.
    pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
        &BUILTIN_FILES
    }

    /// Reads year data files in the format of the embedded ones (see `data/2026.toml`).
    /// Errors name the file and, where possible, the line.
    pub fn from_toml_files(files: &[(&str, &str)]) -> Result<WorkingCalendar, CalendarError> {
        let mut years: BTreeMap<i32, YearData> = BTreeMap::new();
        for (name, content) in files {
            let data = parse_year_file(name, content)?;
            let year = data.info.year;
            if let Some(earlier) = years.get(&year) {
                return Err(CalendarError::data(
                    name,
                    format!(
                        "tahun {year} sudah dimuat dari berkas {}",
                        earlier.info.file
                    ),
                ));
            }
            years.insert(year, data);
        }
        Ok(WorkingCalendar {
            years,
            office_hours: OfficeHours::perpres_21_2023(),
        })
    }

    /// The same calendar with other default office hours (an instansi's own schedule). A year
    /// file's `[office_hours]` and Ramadan hours still take precedence on their dates.
    pub fn with_office_hours(mut self, hours: OfficeHours) -> WorkingCalendar {
        self.office_hours = hours;
        self
    }

    /// The default office hours.
    pub fn office_hours(&self) -> &OfficeHours {
        &self.office_hours
    }

    /// Years with holiday data, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// What a year's data says about itself (decree, source, Ramadan), if the year has data.
    pub fn year_info(&self, year: i32) -> Option<&YearInfo> {
        self.years.get(&year).map(|data| &data.info)
    }

    /// The holiday or cuti bersama on `date`, if any.
    pub fn holiday(&self, date: NaiveDate) -> Option<&Holiday> {
        self.years
            .get(&date.year())
            .and_then(|data| data.holidays.get(&date))
    }

    /// All holidays and cuti bersama of a year, by date (empty for a year without data).
    pub fn holidays(&self, year: i32) -> Vec<&Holiday> {
        self.years
            .get(&year)
            .map(|data| data.holidays.values().collect())
            .unwrap_or_default()
    }

    /// The period with its own hours (Ramadan) that `date` falls in, if any.
    pub fn special_period(&self, date: NaiveDate) -> Option<&SpecialPeriod> {
        self.years
            .values()
            .filter_map(|data| data.info.ramadan.as_ref())
            .find(|period| period.contains(date))
    }

    /// Whether `date` is a working day: a day with office hours that is neither a holiday nor a
    /// cuti bersama.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.hours_on(date)?.is_some())
    }

    /// The office hours in effect on `date`, `None` on a day off. Ramadan hours come first,
    /// then the year's own office hours, then the calendar's default.
    pub fn hours_on(&self, date: NaiveDate) -> Result<Option<&DayHours>, CalendarError> {
        let data = self
            .years
            .get(&date.year())
            .ok_or(CalendarError::MissingYear(date.year()))?;
        if data.holidays.contains_key(&date) {
            return Ok(None);
        }
        let week = self
            .special_period(date)
            .map(|period| &period.hours)
            .or(data.info.office_hours.as_ref())
            .unwrap_or(&self.office_hours);
        Ok(week.on(date.weekday()))
    }
}
