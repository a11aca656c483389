//! Office hours: the working periods of one day and the weekly pattern (Perpres 21/2023 by default).

use chrono::{NaiveTime, Weekday};

/// One stretch of work inside a day, from `start` to `end` (local clock time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Period {
    /// Length in whole minutes.
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

/// The working periods of one day: opening to the break, and the break's end to closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayHours {
    periods: Vec<Period>,
}

impl DayHours {
    /// Hours from `open` to `close` with an optional break `(from, to)` inside them.
    /// The error (Indonesian) says which times are out of order.
    pub fn new(
        open: NaiveTime,
        close: NaiveTime,
        rest: Option<(NaiveTime, NaiveTime)>,
    ) -> Result<DayHours, String> {
        let fmt = |t: NaiveTime| t.format("%H:%M").to_string();
        if open >= close {
            return Err(format!(
                "jam buka {} harus sebelum jam tutup {}",
                fmt(open),
                fmt(close)
            ));
        }
        let periods = match rest {
            None => vec![Period {
                start: open,
                end: close,
            }],
            Some((from, to)) => {
                if !(open < from && from < to && to < close) {
                    return Err(format!(
                        "istirahat {}–{} harus di antara jam buka {} dan jam tutup {}",
                        fmt(from),
                        fmt(to),
                        fmt(open),
                        fmt(close)
                    ));
                }
                vec![
                    Period {
                        start: open,
                        end: from,
                    },
                    Period {
                        start: to,
                        end: close,
                    },
                ]
            }
        };
        Ok(DayHours { periods })
    }

    /// Builds from "HH:MM" literals; for the built-in defaults, which are known to be valid.
    fn literal(open: &str, close: &str, rest: (&str, &str)) -> DayHours {
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").expect("literal time");
        DayHours::new(t(open), t(close), Some((t(rest.0), t(rest.1)))).expect("literal hours")
    }

    /// The working periods, in order.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// Opening time.
    pub fn open(&self) -> NaiveTime {
        self.periods[0].start
    }

    /// Closing time.
    pub fn close(&self) -> NaiveTime {
        self.periods[self.periods.len() - 1].end
    }

    /// Working minutes in the day, breaks excluded.
    pub fn working_minutes(&self) -> i64 {
        self.periods.iter().map(Period::minutes).sum()
    }
}

/// Which days are worked and their hours, Monday to Sunday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    days: [Option<DayHours>; 7],
}

impl OfficeHours {
    /// Monday to Thursday share one set of hours, Friday has its own (its longer break is for
    /// the Friday prayer); Saturday and Sunday are not worked. This is the shape Perpres 21/2023
    /// and the yearly Ramadan circulars use.
    pub fn weekdays(mon_thu: DayHours, fri: DayHours) -> OfficeHours {
        let m = Some(mon_thu);
        OfficeHours {
            days: [m.clone(), m.clone(), m.clone(), m, Some(fri), None, None],
        }
    }

    /// The default (Perpres 21/2023, 37.5 hours a week): Monday–Thursday 07:30–16:00 with a break
    /// 12:00–13:00; Friday 07:30–16:30 with a break 11:30–13:00.
    pub fn perpres_21_2023() -> OfficeHours {
        OfficeHours::weekdays(
            DayHours::literal("07:30", "16:00", ("12:00", "13:00")),
            DayHours::literal("07:30", "16:30", ("11:30", "13:00")),
        )
    }

    /// The usual Ramadan pattern of the MenPAN-RB circulars (32.5 hours a week): Monday–Thursday
    /// 08:00–15:00 with a break 12:00–12:30; Friday 08:00–15:30 with a break 11:30–12:30.
    /// The data files carry each year's own Ramadan hours; this is only a convenience.
    pub fn ramadan_usual() -> OfficeHours {
        OfficeHours::weekdays(
            DayHours::literal("08:00", "15:00", ("12:00", "12:30")),
            DayHours::literal("08:00", "15:30", ("11:30", "12:30")),
        )
    }

    /// Hours of a weekday, `None` if that day is not worked.
    pub fn on(&self, day: Weekday) -> Option<&DayHours> {
        self.days[day.num_days_from_monday() as usize].as_ref()
    }

    /// Working minutes in a full week.
    pub fn weekly_minutes(&self) -> i64 {
        self.days
            .iter()
            .flatten()
            .map(DayHours::working_minutes)
            .sum()
    }
}

impl Default for OfficeHours {
    fn default() -> OfficeHours {
        OfficeHours::perpres_21_2023()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perpres_hours_make_seven_and_a_half_hours_a_day_and_37_5_a_week() {
        let hours = OfficeHours::perpres_21_2023();
        for day in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ] {
            assert_eq!(hours.on(day).unwrap().working_minutes(), 450, "{day}");
        }
        assert!(hours.on(Weekday::Sat).is_none());
        assert!(hours.on(Weekday::Sun).is_none());
        assert_eq!(hours.weekly_minutes(), 37 * 60 + 30);
    }

    #[test]
    fn usual_ramadan_hours_make_32_5_hours_a_week() {
        assert_eq!(OfficeHours::ramadan_usual().weekly_minutes(), 32 * 60 + 30);
    }

    #[test]
    fn a_break_outside_the_day_is_refused() {
        let t = |s| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        let err =
            DayHours::new(t("08:00"), t("15:00"), Some((t("15:30"), t("16:00")))).unwrap_err();
        assert!(err.contains("15:30"), "{err}");
        assert!(DayHours::new(t("15:00"), t("08:00"), None).is_err());
    }
}
