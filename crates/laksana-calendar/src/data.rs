//! Reading a year's data file (TOML): holidays, the decree they follow, Ramadan and office hours.
//!
//! The files are data, not code, because the SKB is sometimes amended during the year and an
//! administrator must be able to correct them. Every error names the file and, where it can,
//! the line, so that the person fixing the file knows where to look.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::Deserialize;
use toml::value::Datetime;
use toml::Spanned;

use crate::holidays::{Decree, DecreeRevision, Holiday, HolidayKind, SpecialPeriod, YearInfo};
use crate::hours::{DayHours, OfficeHours};
use crate::CalendarError;

/// A year's data, checked and ready for lookups.
#[derive(Debug, Clone)]
pub(crate) struct YearData {
    pub(crate) info: YearInfo,
    pub(crate) holidays: BTreeMap<NaiveDate, Holiday>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    year: Spanned<i64>,
    source: String,
    decree: RawDecree,
    #[serde(default, rename = "holiday")]
    holidays: Vec<RawHoliday>,
    ramadan: Option<RawPeriod>,
    office_hours: Option<RawWeek>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDecree {
    title: String,
    #[serde(default)]
    numbers: Vec<String>,
    signed: Option<Spanned<Datetime>>,
    note: Option<String>,
    #[serde(default, rename = "revision")]
    revisions: Vec<RawRevision>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRevision {
    #[serde(default)]
    numbers: Vec<String>,
    signed: Option<Spanned<Datetime>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    date: Spanned<Datetime>,
    name: Spanned<String>,
    kind: HolidayKind,
    #[serde(default)]
    estimated: bool,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    name: String,
    start: Spanned<Datetime>,
    end: Spanned<Datetime>,
    #[serde(default)]
    inferred: bool,
    note: Option<String>,
    hours: RawWeek,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeek {
    mon_thu: Spanned<RawDay>,
    fri: Spanned<RawDay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    open: Spanned<String>,
    close: Spanned<String>,
    #[serde(rename = "break")]
    rest: Option<Spanned<Vec<String>>>,
}

/// Reads one file's text. `file` is only used to name the file in errors.
pub(crate) fn parse_year_file(file: &str, content: &str) -> Result<YearData, CalendarError> {
    // toml's own message already says "line L, column C" and quotes the line: keep it whole.
    let raw: RawFile =
        toml::from_str(content).map_err(|e| CalendarError::data(file, e.to_string()))?;
    let at = Locator { file, content };

    let year = i32::try_from(*raw.year.get_ref())
        .ok()
        .filter(|y| (1900..=2200).contains(y))
        .ok_or_else(|| {
            at.error(
                &raw.year,
                format!("tahun {} tidak masuk akal", raw.year.get_ref()),
            )
        })?;

    let mut holidays = BTreeMap::new();
    for entry in raw.holidays {
        let date = at.date(&entry.date)?;
        if date.year() != year {
            return Err(at.error(
                &entry.date,
                format!("tanggal {date} bukan di tahun {year} yang dinyatakan berkas ini"),
            ));
        }
        let name = entry.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(at.error(&entry.name, "nama hari libur kosong"));
        }
        let holiday = Holiday {
            date,
            name,
            kind: entry.kind,
            estimated: entry.estimated,
            note: entry.note,
        };
        if holidays.insert(date, holiday).is_some() {
            return Err(at.error(&entry.date, format!("tanggal {date} tercantum dua kali")));
        }
    }

    let decree = Decree {
        title: raw.decree.title,
        numbers: raw.decree.numbers,
        signed: raw.decree.signed.as_ref().map(|d| at.date(d)).transpose()?,
        note: raw.decree.note,
        revisions: raw
            .decree
            .revisions
            .into_iter()
            .map(|r| {
                Ok(DecreeRevision {
                    numbers: r.numbers,
                    signed: r.signed.as_ref().map(|d| at.date(d)).transpose()?,
                    note: r.note,
                })
            })
            .collect::<Result<_, CalendarError>>()?,
    };

    let ramadan = match raw.ramadan {
        None => None,
        Some(period) => {
            let start = at.date(&period.start)?;
            let end = at.date(&period.end)?;
            if start.year() != year {
                return Err(at.error(
                    &period.start,
                    format!("awal Ramadan {start} bukan di tahun {year}"),
                ));
            }
            if end < start {
                return Err(at.error(
                    &period.end,
                    format!("akhir Ramadan {end} sebelum awalnya {start}"),
                ));
            }
            Some(SpecialPeriod {
                name: period.name,
                start,
                end,
                hours: at.week(&period.hours)?,
                inferred: period.inferred,
                note: period.note,
            })
        }
    };

    let office_hours = raw.office_hours.as_ref().map(|w| at.week(w)).transpose()?;

    Ok(YearData {
        info: YearInfo {
            year,
            file: file.to_string(),
            source: raw.source,
            decree,
            ramadan,
            office_hours,
        },
        holidays,
    })
}

/// Turns byte spans into line numbers for messages about a value that parsed but makes no sense.
struct Locator<'a> {
    file: &'a str,
    content: &'a str,
}

impl Locator<'_> {
    fn line<T>(&self, value: &Spanned<T>) -> usize {
        let offset = value.span().start.min(self.content.len());
        self.content[..offset].matches('\n').count() + 1
    }

    fn error<T>(&self, value: &Spanned<T>, message: impl AsRef<str>) -> CalendarError {
        CalendarError::data(
            self.file,
            format!("baris {}: {}", self.line(value), message.as_ref()),
        )
    }

    fn date(&self, value: &Spanned<Datetime>) -> Result<NaiveDate, CalendarError> {
        let dt = value.get_ref();
        match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .ok_or_else(|| self.error(value, format!("tanggal {dt} tidak ada")))
            }
            _ => Err(self.error(
                value,
                format!("\"{dt}\" harus tanggal saja, tanpa jam (misalnya 2026-01-01)"),
            )),
        }
    }

    fn time(&self, value: &Spanned<String>) -> Result<NaiveTime, CalendarError> {
        // Indonesian writing uses "07.30"; accept it beside "07:30".
        let text = value.get_ref().trim().replace('.', ":");
        NaiveTime::parse_from_str(&text, "%H:%M").map_err(|_| {
            self.error(
                value,
                format!(
                    "jam \"{}\" tidak terbaca (tulis JJ:MM, misalnya 07:30)",
                    value.get_ref()
                ),
            )
        })
    }

    fn day(&self, value: &Spanned<RawDay>) -> Result<DayHours, CalendarError> {
        let day = value.get_ref();
        let open = self.time(&day.open)?;
        let close = self.time(&day.close)?;
        let rest = match &day.rest {
            None => None,
            Some(rest) => match rest.get_ref().as_slice() {
                [from, to] => {
                    let from = self.time(&Spanned::new(rest.span(), from.clone()))?;
                    let to = self.time(&Spanned::new(rest.span(), to.clone()))?;
                    Some((from, to))
                }
                _ => {
                    return Err(self.error(
                        rest,
                        "istirahat ditulis sebagai dua jam, misalnya [\"12:00\", \"13:00\"]",
                    ))
                }
            },
        };
        DayHours::new(open, close, rest).map_err(|message| self.error(value, message))
    }

    fn week(&self, week: &RawWeek) -> Result<OfficeHours, CalendarError> {
        Ok(OfficeHours::weekdays(
            self.day(&week.mon_thu)?,
            self.day(&week.fri)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
year = 2030
source = "uji"

[decree]
title = "uji"

[[holiday]]
date = 2030-01-01
name = "Tahun Baru"
kind = "libur_nasional"
"#;

    fn message(err: CalendarError) -> (String, String) {
        match err {
            CalendarError::Data { file, message } => (file, message),
            other => panic!("expected a data error, got {other:?}"),
        }
    }

    #[test]
    fn a_minimal_file_is_read() {
        let data = parse_year_file("2030.toml", MINIMAL).unwrap();
        assert_eq!(data.info.year, 2030);
        assert_eq!(data.holidays.len(), 1);
        assert!(data.info.ramadan.is_none());
    }

    #[test]
    fn an_unknown_kind_is_refused_naming_the_file_and_line() {
        let text = MINIMAL.replace("libur_nasional", "libur");
        let (file, msg) = message(parse_year_file("2030.toml", &text).unwrap_err());
        assert_eq!(file, "2030.toml");
        assert!(msg.contains("line 11"), "{msg}");
        assert!(msg.contains("libur_nasional"), "{msg}");
    }

    #[test]
    fn a_misspelt_key_is_refused_naming_the_line() {
        let text = MINIMAL.replace("kind = ", "estimate = true\nkind = ");
        let (_, msg) = message(parse_year_file("2030.toml", &text).unwrap_err());
        assert!(msg.contains("line 11"), "{msg}");
        assert!(msg.contains("estimate"), "{msg}");
    }

    #[test]
    fn a_date_outside_the_files_year_is_refused_naming_the_line() {
        let text = MINIMAL.replace("2030-01-01", "2031-01-01");
        let (_, msg) = message(parse_year_file("2030.toml", &text).unwrap_err());
        assert!(msg.starts_with("baris 9:"), "{msg}");
        assert!(msg.contains("2031-01-01"), "{msg}");
    }

    #[test]
    fn a_date_listed_twice_is_refused_naming_the_second_line() {
        let text = format!(
            "{MINIMAL}\n[[holiday]]\ndate = 2030-01-01\nname = \"lagi\"\nkind = \"cuti_bersama\"\n"
        );
        let (_, msg) = message(parse_year_file("2030.toml", &text).unwrap_err());
        assert!(msg.starts_with("baris 14:"), "{msg}");
        assert!(msg.contains("dua kali"), "{msg}");
    }

    #[test]
    fn a_quoted_date_is_refused_naming_the_line() {
        let text = MINIMAL.replace("2030-01-01", "\"2030-01-01\"");
        let (_, msg) = message(parse_year_file("2030.toml", &text).unwrap_err());
        assert!(msg.contains("line 9"), "{msg}");
    }

    #[test]
    fn a_broken_time_in_ramadan_hours_is_refused_naming_the_line() {
        let text = format!(
            "{MINIMAL}\n[ramadan]\nname = \"Ramadan\"\nstart = 2030-01-05\nend = 2030-02-03\n\n[ramadan.hours]\nmon_thu = {{ open = \"08:00\", close = \"15:00\", break = [\"12:00\", \"12:30\"] }}\nfri = {{ open = \"8 pagi\", close = \"15:30\" }}\n"
        );
        let (_, msg) = message(parse_year_file("2030.toml", &text).unwrap_err());
        assert!(msg.starts_with("baris 20:"), "{msg}");
        assert!(msg.contains("8 pagi"), "{msg}");
    }

    #[test]
    fn a_syntax_error_keeps_tomls_line_and_column() {
        let text = MINIMAL.replace("name = \"Tahun Baru\"", "name = Tahun Baru");
        let (_, msg) = message(parse_year_file("2030.toml", &text).unwrap_err());
        assert!(msg.contains("line 10, column"), "{msg}");
    }
}
