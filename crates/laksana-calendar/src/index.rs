//! Working time between many pairs of moments at once. `working_minutes_between` walks every
//! day of the span; a dashboard asking for tens of thousands of spans would walk the same days
//! again and again. The index walks each day of a date range once and keeps the working
//! seconds before it, so each span is then two look-ups and a subtraction.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::hours::DayHours;
use crate::{WorkingCalendar, Zone};

#[derive(Clone, Debug)]
struct Day {
    /// Working seconds from the index's first day up to this day's midnight.
    before: i64,
    /// Days before this one (from the first) whose year had no data; a span over one of them
    /// cannot be counted.
    missing_before: u32,
    /// `None` on a day off; the outer `Option` in [`WorkingIndex::days`] is `None` for a day
    /// whose year has no data.
    hours: Option<DayHours>,
}

/// Cumulative working time per day over a date range, in one zone.
#[derive(Clone, Debug)]
pub struct WorkingIndex {
    zone: Zone,
    first: NaiveDate,
    days: Vec<Option<Day>>,
}

impl WorkingCalendar {
    /// An index of the days `from..=to` (local dates) for a Dinas in `zone`.
    pub fn index(&self, from: NaiveDate, to: NaiveDate, zone: Zone) -> WorkingIndex {
        let mut days = Vec::new();
        let (mut before, mut missing) = (0i64, 0u32);
        let mut date = from;
        while date <= to {
            match self.hours_on(date) {
                Ok(hours) => {
                    let hours = hours.cloned();
                    let secs = hours.as_ref().map_or(0, whole_day);
                    days.push(Some(Day {
                        before,
                        missing_before: missing,
                        hours,
                    }));
                    before += secs;
                }
                Err(_) => {
                    days.push(None);
                    missing += 1;
                }
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        WorkingIndex {
            zone,
            first: from,
            days,
        }
    }
}

fn whole_day(hours: &DayHours) -> i64 {
    hours
        .periods()
        .iter()
        .map(|p| (p.end - p.start).num_seconds())
        .sum()
}

/// Working seconds of a day from its opening up to `time`.
fn seconds_until(hours: &DayHours, time: NaiveTime) -> i64 {
    hours
        .periods()
        .iter()
        .map(|p| {
            let end = time.min(p.end);
            if end > p.start {
                (end - p.start).num_seconds()
            } else {
                0
            }
        })
        .sum()
}

impl WorkingIndex {
    fn at(&self, local: NaiveDateTime) -> Option<(i64, u32)> {
        let offset = (local.date() - self.first).num_days();
        let day = self.days.get(usize::try_from(offset).ok()?)?.as_ref()?;
        let within = day
            .hours
            .as_ref()
            .map_or(0, |h| seconds_until(h, local.time()));
        Some((day.before + within, day.missing_before))
    }

    /// The same as [`WorkingCalendar::working_minutes_between`], or `None` when a moment lies
    /// outside the indexed range or the span touches a year without data.
    pub fn minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<i64> {
        if to <= from {
            return Some(0);
        }
        let local = |t: DateTime<Utc>| t.with_timezone(&self.zone.offset()).naive_local();
        let (a, missing_a) = self.at(local(from))?;
        let (b, missing_b) = self.at(local(to))?;
        (missing_a == missing_b).then_some((b - a) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn the_index_counts_what_working_minutes_between_counts() {
        let cal = WorkingCalendar::builtin();
        let zone = Zone::Wib;
        let index = cal.index(
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
            zone,
        );
        // Across a weekend, Christmas, cuti bersama and New Year, at odd minutes and seconds.
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 0, 17, 31).unwrap();
        for i in 0..200i64 {
            let from = start + Duration::minutes(i * 397);
            let to = from + Duration::minutes(i * i * 3 + 7);
            assert_eq!(
                index.minutes_between(from, to),
                Some(cal.working_minutes_between(from, to, zone).unwrap()),
                "{from} → {to}"
            );
        }
    }

    #[test]
    fn outside_the_range_or_over_a_year_without_data_there_is_no_answer() {
        let cal = WorkingCalendar::builtin();
        let index = cal.index(
            NaiveDate::from_ymd_opt(2027, 12, 20).unwrap(),
            NaiveDate::from_ymd_opt(2028, 1, 10).unwrap(),
            Zone::Wib,
        );
        let a = Utc.with_ymd_and_hms(2027, 12, 21, 2, 0, 0).unwrap();
        let b = Utc.with_ymd_and_hms(2028, 1, 5, 2, 0, 0).unwrap();
        assert_eq!(index.minutes_between(a, b), None);
        let before = Utc.with_ymd_and_hms(2027, 1, 5, 2, 0, 0).unwrap();
        assert_eq!(index.minutes_between(before, a), None);
        assert_eq!(index.minutes_between(a, a + Duration::hours(1)), Some(60));
    }
}
