//! Laksana's working calendar: office hours, national holidays and cuti bersama, Ramadan hours,
//! and the standard times ("waktu") of SOP steps with the deadlines they give.
//!
//! Pure: no I/O beyond the data files embedded with `include_str!`, no async. The holiday data
//! lives in `data/<year>.toml` so that an administrator can correct it
//! ([`WorkingCalendar::from_toml_files`]); the rules of deadline arithmetic are listed on
//! [`WorkingCalendar::due`] and follow cases C1–C14 of the project's cases file.

mod calendar;
mod data;
mod due;
mod error;
mod holidays;
mod hours;
mod index;
mod waktu;
mod words;
mod zone;

#[cfg(test)]
mod case_tests;

pub use calendar::WorkingCalendar;
pub use error::CalendarError;
pub use holidays::{Decree, DecreeRevision, Holiday, HolidayKind, SpecialPeriod, YearInfo};
pub use hours::{DayHours, OfficeHours, Period};
pub use index::WorkingIndex;
pub use waktu::{
    Span, Waktu, WaktuError, WORKING_DAYS_PER_MONTH, WORKING_DAYS_PER_WEEK, WORKING_MINUTES_PER_DAY,
};
pub use words::{hari_tanggal, tanggal_indonesia, waktu_indonesia, BULAN, HARI};
pub use zone::Zone;
