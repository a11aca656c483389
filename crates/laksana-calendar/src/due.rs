//! Deadline arithmetic on the working calendar: when a step is due, and how much working time
//! was really spent. All of it happens in the Dinas's local time, because office hours are local.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::hours::DayHours;
use crate::{CalendarError, Span, Waktu, WorkingCalendar, Zone};

impl WorkingCalendar {
    /// When a duration started at `start` is due, for a Dinas in `zone`. The rules (cases
    /// C1–C14 of the project's cases file):
    /// 1. A start outside office hours moves to the next opening; inside a break, to the break's
    ///    end. The instant of closing (or of a break's start) counts as inside office hours, so a
    ///    start at 16:00 sharp stays at 16:00.
    /// 2. Months: same date and clock time N months later, clamped to the month's last day, then
    ///    the next working day if that date is not one.
    /// 3. Days ("hari"; "minggu" is 5 hari): same clock time on the N-th working day after.
    /// 4. Minutes ("jam", "menit"): working minutes inside office hours; a due time that fills a
    ///    period exactly is the end of that period (30 menit from 11:30 on a Monday is 12:00).
    /// 5. After a month or day step, a due time after closing or inside a break moves back, on the
    ///    same day, to the end of the working period before it (C11, C12). A due time before the
    ///    day's opening (possible when Ramadan opens later) moves to the opening: it stays on the
    ///    N-th working day rather than slipping to the day before.
    ///
    /// Any date touched in a year without data gives [`CalendarError::MissingYear`] (C9).
    pub fn due(
        &self,
        start: DateTime<Utc>,
        span: &Span,
        zone: Zone,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let mut t = self.next_working_moment(to_local(start, zone))?;
        if span.months > 0 {
            t = self.add_months(t, span.months)?;
        }
        if span.days > 0 {
            t = self.add_days(t, span.days)?;
        }
        if span.minutes > 0 {
            t = self.add_minutes(t, span.minutes)?;
        }
        Ok(to_utc(t, zone))
    }

    /// When a waktu started at `start` is due; a range counts with its upper bound.
    pub fn due_for(
        &self,
        start: DateTime<Utc>,
        waktu: &Waktu,
        zone: Zone,
    ) -> Result<DateTime<Utc>, CalendarError> {
        self.due(start, &waktu.upper, zone)
    }

    /// Working minutes between two moments ("waktu kerja sebenarnya"): the time inside office
    /// hours, breaks, nights, weekends and holidays left out. 0 if `to <= from`.
    pub fn working_minutes_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        zone: Zone,
    ) -> Result<i64, CalendarError> {
        if to <= from {
            return Ok(0);
        }
        let (from, to) = (to_local(from, zone), to_local(to, zone));
        let mut total = Duration::zero();
        let mut date = from.date();
        // A `to` at midnight sharp does not touch the day it opens (which may lack data).
        while date.and_time(NaiveTime::MIN) < to {
            if let Some(hours) = self.hours_on(date)? {
                for period in hours.periods() {
                    let begin = date.and_time(period.start).max(from);
                    let end = date.and_time(period.end).min(to);
                    if end > begin {
                        total += end - begin;
                    }
                }
            }
            date = next_day(date)?;
        }
        Ok(total.num_minutes())
    }

    /// `t` itself if it is inside office hours (ends included), else the next opening.
    fn next_working_moment(&self, t: NaiveDateTime) -> Result<NaiveDateTime, CalendarError> {
        let mut date = t.date();
        let mut after = Some(t.time());
        loop {
            if let Some(hours) = self.hours_on(date)? {
                for period in hours.periods() {
                    match after {
                        Some(time) if time > period.end => continue,
                        Some(time) if time >= period.start => return Ok(t),
                        _ => return Ok(date.and_time(period.start)),
                    }
                }
            }
            date = next_day(date)?;
            after = None;
        }
    }

    fn add_months(&self, t: NaiveDateTime, months: u32) -> Result<NaiveDateTime, CalendarError> {
        // chrono clamps to the month's last day (31 Aug + 1 month = 30 Sep, case C14).
        let mut date = t
            .date()
            .checked_add_months(Months::new(months))
            .ok_or_else(|| CalendarError::MissingYear(year_after_months(t.date(), months)))?;
        let hours = loop {
            match self.hours_on(date)? {
                Some(hours) => break hours,
                None => date = next_day(date)?,
            }
        };
        Ok(date.and_time(clamp_into(hours, t.time())))
    }

    fn add_days(&self, t: NaiveDateTime, days: u32) -> Result<NaiveDateTime, CalendarError> {
        let mut date = t.date();
        let mut counted = 0;
        loop {
            date = next_day(date)?;
            if let Some(hours) = self.hours_on(date)? {
                counted += 1;
                if counted == days {
                    return Ok(date.and_time(clamp_into(hours, t.time())));
                }
            }
        }
    }

    fn add_minutes(&self, t: NaiveDateTime, minutes: u32) -> Result<NaiveDateTime, CalendarError> {
        let mut remaining = Duration::minutes(i64::from(minutes));
        let mut date = t.date();
        let mut after = Some(t.time());
        loop {
            if let Some(hours) = self.hours_on(date)? {
                for period in hours.periods() {
                    let begin = match after {
                        Some(time) if time > period.end => continue,
                        Some(time) => time.max(period.start),
                        None => period.start,
                    };
                    let available = period.end - begin;
                    if remaining <= available {
                        return Ok(date.and_time(begin) + remaining);
                    }
                    remaining -= available;
                }
            }
            date = next_day(date)?;
            after = None;
        }
    }
}

/// The clock time of a due date on a working day: kept if inside office hours, else moved back
/// to the end of the period before it, or to the opening if it is before the opening.
fn clamp_into(hours: &DayHours, time: NaiveTime) -> NaiveTime {
    let mut result = hours.open();
    for period in hours.periods() {
        if time < period.start {
            break;
        }
        result = time.min(period.end);
    }
    result
}

fn next_day(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    // Only chrono's last representable date has no successor; no year data reaches it.
    date.succ_opt()
        .ok_or(CalendarError::MissingYear(date.year().saturating_add(1)))
}

/// The year N months after `date`, for the error when chrono cannot represent the date.
fn year_after_months(date: NaiveDate, months: u32) -> i32 {
    let months_since_year_zero =
        i64::from(date.year()) * 12 + i64::from(date.month0()) + i64::from(months);
    i32::try_from(months_since_year_zero / 12).unwrap_or(i32::MAX)
}

fn to_local(t: DateTime<Utc>, zone: Zone) -> NaiveDateTime {
    t.with_timezone(&zone.offset()).naive_local()
}

fn to_utc(t: NaiveDateTime, zone: Zone) -> DateTime<Utc> {
    // A fixed offset maps every local time to exactly one instant.
    (t - zone.offset()).and_utc()
}
