//! The calendar cases C1–C14 of the project's cases file, and the other behaviours of deadlines
//! and working time, each as one test.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

use crate::{CalendarError, HolidayKind, Span, Waktu, WorkingCalendar, Zone};

/// The built-in calendar, read once for all tests.
fn cal() -> &'static WorkingCalendar {
    static CALENDAR: std::sync::OnceLock<WorkingCalendar> = std::sync::OnceLock::new();
    CALENDAR.get_or_init(WorkingCalendar::builtin)
}

/// A local time in `zone` as the UTC instant the API takes.
fn at(zone: Zone, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    zone.offset()
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn wib(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    at(Zone::Wib, y, mo, d, h, mi)
}

fn due(start: DateTime<Utc>, waktu: &str) -> DateTime<Utc> {
    due_in(start, waktu, Zone::Wib)
}

fn due_in(start: DateTime<Utc>, waktu: &str, zone: Zone) -> DateTime<Utc> {
    let waktu = Waktu::parse(waktu).unwrap();
    cal().due_for(start, &waktu, zone).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

// ---- C1–C14 ----

#[test]
fn c1_one_day_from_friday_is_due_monday_same_time() {
    assert_eq!(
        due(wib(2026, 12, 18, 10, 0), "1 hari"),
        wib(2026, 12, 21, 10, 0)
    );
}

#[test]
fn c2_one_day_before_christmas_skips_cuti_bersama_holiday_and_weekend() {
    assert_eq!(
        due(wib(2026, 12, 23, 10, 0), "1 hari"),
        wib(2026, 12, 28, 10, 0)
    );
}

#[test]
fn c3_two_days_from_friday_are_due_tuesday_and_not_overdue_on_monday() {
    let start = wib(2026, 12, 18, 10, 0);
    let deadline = due(start, "2 hari");
    assert_eq!(deadline, wib(2026, 12, 22, 10, 0));
    assert!(
        wib(2026, 12, 21, 16, 0) < deadline,
        "still on time at Monday's closing"
    );
}

#[test]
fn c4_one_week_across_nyepi_and_idulfitri_is_five_working_days_in_ramadan() {
    let start = wib(2026, 3, 16, 8, 0);
    // The start is inside Ramadan 2026, whose hours open at 08:00.
    assert!(cal().special_period(date(2026, 3, 16)).is_some());
    assert_eq!(due(start, "1 minggu"), wib(2026, 3, 30, 8, 0));
}

#[test]
fn c5_two_hours_late_on_wednesday_spill_to_monday_morning_not_the_night_or_holidays() {
    assert_eq!(
        due(wib(2026, 12, 23, 15, 0), "2 jam"),
        wib(2026, 12, 28, 8, 30)
    );
}

#[test]
fn c6_thirty_minutes_before_friday_break_resume_after_it() {
    assert_eq!(
        due(wib(2026, 12, 18, 11, 15), "30 menit"),
        wib(2026, 12, 18, 13, 15)
    );
}

#[test]
fn c7_five_minutes_from_saturday_start_at_monday_opening() {
    assert_eq!(
        due(wib(2026, 12, 19, 9, 0), "5 menit"),
        wib(2026, 12, 21, 7, 35)
    );
}

#[test]
fn c8_office_hours_are_those_of_the_dinas_zone() {
    let deadline = due_in(at(Zone::Wita, 2026, 12, 18, 10, 0), "1 hari", Zone::Wita);
    assert_eq!(deadline, at(Zone::Wita, 2026, 12, 21, 10, 0));
    assert_eq!(
        deadline,
        Utc.with_ymd_and_hms(2026, 12, 21, 2, 0, 0).unwrap()
    );
}

#[test]
fn c9_a_year_without_holiday_data_is_refused_naming_the_year() {
    let start = wib(2031, 3, 3, 10, 0);
    for waktu in ["5 menit", "1 hari", "1 minggu", "1 bulan"] {
        let span = Waktu::parse(waktu).unwrap().upper;
        let err = cal().due(start, &span, Zone::Wib).unwrap_err();
        assert_eq!(err, CalendarError::MissingYear(2031), "{waktu}");
        assert!(err.to_string().contains("2031"), "{err}");
        assert!(
            err.to_string()
                .contains("data hari libur tahun 2031 belum tersedia"),
            "{err}"
        );
    }
    assert_eq!(
        cal().is_working_day(date(2031, 3, 3)),
        Err(CalendarError::MissingYear(2031))
    );
    let spent = cal().working_minutes_between(start, wib(2031, 3, 4, 10, 0), Zone::Wib);
    assert_eq!(spent, Err(CalendarError::MissingYear(2031)));
}

#[test]
fn c10_one_day_is_one_working_day_not_24_working_hours() {
    assert_eq!(
        due(wib(2026, 12, 21, 10, 0), "1 hari"),
        wib(2026, 12, 22, 10, 0)
    );
}

#[test]
fn c11_one_day_from_after_mondays_closing_time_is_due_at_mondays_closing() {
    assert_eq!(
        due(wib(2026, 12, 18, 16, 15), "1 hari"),
        wib(2026, 12, 21, 16, 0)
    );
}

#[test]
fn c12_one_day_landing_in_fridays_break_moves_back_to_the_breaks_start() {
    assert_eq!(
        due(wib(2026, 12, 17, 11, 45), "1 hari"),
        wib(2026, 12, 18, 11, 30)
    );
}

#[test]
fn c13_a_start_inside_the_break_counts_from_the_breaks_end() {
    assert_eq!(
        due(wib(2026, 12, 21, 12, 10), "30 menit"),
        wib(2026, 12, 21, 13, 30)
    );
}

#[test]
fn c14_one_month_from_the_31st_is_the_last_day_of_a_short_month() {
    assert_eq!(
        due(wib(2026, 8, 31, 10, 0), "1 bulan"),
        wib(2026, 9, 30, 10, 0)
    );
}

// ---- more deadline rules ----

#[test]
fn a_range_is_due_at_its_upper_bound() {
    let start = wib(2026, 12, 21, 10, 0);
    assert_eq!(due(start, "5-10 menit"), wib(2026, 12, 21, 10, 10));
    assert_eq!(due(start, "2-3 hari"), wib(2026, 12, 28, 10, 0));
}

#[test]
fn one_day_from_a_saturday_moves_to_monday_opening_then_counts_a_day() {
    assert_eq!(
        due(wib(2026, 12, 19, 9, 0), "1 hari"),
        wib(2026, 12, 22, 7, 30)
    );
}

#[test]
fn a_start_before_opening_counts_from_the_opening() {
    assert_eq!(
        due(wib(2026, 12, 21, 6, 0), "30 menit"),
        wib(2026, 12, 21, 8, 0)
    );
}

#[test]
fn a_start_after_closing_counts_from_the_next_opening() {
    assert_eq!(
        due(wib(2026, 12, 21, 18, 0), "1 jam"),
        wib(2026, 12, 22, 8, 30)
    );
}

#[test]
fn minutes_that_fill_the_morning_are_due_at_the_breaks_start() {
    assert_eq!(
        due(wib(2026, 12, 21, 11, 30), "30 menit"),
        wib(2026, 12, 21, 12, 0)
    );
}

#[test]
fn a_full_working_day_of_minutes_ends_at_closing() {
    assert_eq!(
        due(wib(2026, 12, 21, 7, 30), "450 menit"),
        wib(2026, 12, 21, 16, 0)
    );
}

#[test]
fn one_month_landing_on_a_holiday_moves_to_the_next_working_day() {
    // 17 July + 1 month = Monday 17 August 2026, Hari Kemerdekaan.
    assert_eq!(
        due(wib(2026, 7, 17, 9, 0), "1 bulan"),
        wib(2026, 8, 18, 9, 0)
    );
}

#[test]
fn months_then_days_then_minutes_apply_in_that_order() {
    let span = Span::new(1, 1, 60);
    let deadline = cal()
        .due(wib(2026, 8, 31, 10, 0), &span, Zone::Wib)
        .unwrap();
    // 30 Sep 10:00, then Thu 1 Oct 10:00, then one working hour.
    assert_eq!(deadline, wib(2026, 10, 1, 11, 0));
}

#[test]
fn ramadan_hours_are_in_effect_during_ramadan() {
    // Monday 2 March 2026 opens at 08:00, breaks 12:00–12:30 and closes at 15:00.
    assert_eq!(due(wib(2026, 3, 2, 7, 0), "5 menit"), wib(2026, 3, 2, 8, 5));
    assert_eq!(
        due(wib(2026, 3, 2, 11, 50), "30 menit"),
        wib(2026, 3, 2, 12, 50)
    );
    assert_eq!(
        due(wib(2026, 3, 2, 14, 30), "1 jam"),
        wib(2026, 3, 3, 8, 30)
    );
    let hours = cal().hours_on(date(2026, 3, 2)).unwrap().unwrap();
    assert_eq!(hours.working_minutes(), 390);
    let period = cal().special_period(date(2026, 3, 2)).unwrap();
    assert!(period.inferred);
}

#[test]
fn one_day_into_ramadan_moves_back_to_ramadan_closing() {
    // Wednesday 18 Feb 2026 (normal hours) 15:30 + 1 hari = Thursday 19 Feb, first day of
    // Ramadan, which closes at 15:00.
    assert_eq!(
        due(wib(2026, 2, 18, 15, 30), "1 hari"),
        wib(2026, 2, 19, 15, 0)
    );
}

#[test]
fn a_day_out_of_ramadan_keeps_its_clock_time_when_ramadan_opens_later() {
    // Friday 13 Feb 2026 07:45 + 5 hari: 16 Feb cuti bersama, 17 Feb Imlek, then 18, 19, 20,
    // 23 and Tuesday 24 Feb, in Ramadan, which opens at 08:00: the due time moves to the
    // opening rather than back to the day before.
    assert_eq!(
        due(wib(2026, 2, 13, 7, 45), "5 hari"),
        wib(2026, 2, 24, 8, 0)
    );
}

#[test]
fn office_hours_in_wit_are_local_to_papua() {
    // 07:30 WIT is 22:30 UTC the day before.
    let start = Utc.with_ymd_and_hms(2026, 12, 20, 22, 0, 0).unwrap(); // Mon 07:00 WIT
    let deadline = cal().due(start, &Span::new(0, 0, 5), Zone::Wit).unwrap();
    assert_eq!(deadline, at(Zone::Wit, 2026, 12, 21, 7, 35));
    assert_eq!(
        deadline,
        Utc.with_ymd_and_hms(2026, 12, 20, 22, 35, 0).unwrap()
    );
    // The same instant read in WIB is Sunday 05:00: the office there opens on Monday 07:30.
    let in_wib = cal().due(start, &Span::new(0, 0, 5), Zone::Wib).unwrap();
    assert_eq!(in_wib, wib(2026, 12, 21, 7, 35));
}

#[test]
fn a_deadline_running_past_the_data_is_refused_naming_the_next_year() {
    let err = cal()
        .due(wib(2027, 12, 30, 10, 0), &Span::new(0, 3, 0), Zone::Wib)
        .unwrap_err();
    assert_eq!(err, CalendarError::MissingYear(2028));
}

#[test]
fn months_running_past_the_data_are_refused_naming_the_year_reached() {
    let err = cal()
        .due(wib(2027, 11, 15, 10, 0), &Span::new(3, 0, 0), Zone::Wib)
        .unwrap_err();
    assert_eq!(err, CalendarError::MissingYear(2028));
    let err = cal().due(
        wib(2027, 11, 15, 10, 0),
        &Span::new(u32::MAX, 0, 0),
        Zone::Wib,
    );
    assert!(
        matches!(err, Err(CalendarError::MissingYear(y)) if y > 2028),
        "{err:?}"
    );
}

#[test]
fn an_empty_span_is_due_at_the_start_moved_into_office_hours() {
    let deadline = cal()
        .due(wib(2026, 12, 19, 9, 0), &Span::default(), Zone::Wib)
        .unwrap();
    assert_eq!(deadline, wib(2026, 12, 21, 7, 30));
}

// ---- working time actually spent ----

#[test]
fn working_minutes_across_a_weekend_count_only_office_hours() {
    let spent = cal()
        .working_minutes_between(wib(2026, 12, 18, 15, 0), wib(2026, 12, 21, 9, 0), Zone::Wib)
        .unwrap();
    // Friday 15:00–16:30 and Monday 07:30–09:00.
    assert_eq!(spent, 90 + 90);
}

#[test]
fn working_minutes_across_holidays_leave_them_out() {
    let spent = cal()
        .working_minutes_between(
            wib(2026, 12, 23, 15, 0),
            wib(2026, 12, 28, 8, 30),
            Zone::Wib,
        )
        .unwrap();
    assert_eq!(spent, 120, "C5 backwards: 2 jam");
}

#[test]
fn working_minutes_leave_out_the_break() {
    let spent = cal()
        .working_minutes_between(
            wib(2026, 12, 18, 11, 15),
            wib(2026, 12, 18, 13, 15),
            Zone::Wib,
        )
        .unwrap();
    assert_eq!(spent, 30);
}

#[test]
fn working_minutes_over_a_whole_week_are_37_5_hours() {
    let spent = cal()
        .working_minutes_between(wib(2026, 12, 7, 0, 0), wib(2026, 12, 14, 0, 0), Zone::Wib)
        .unwrap();
    assert_eq!(spent, 37 * 60 + 30);
}

#[test]
fn working_minutes_are_zero_when_the_end_is_not_after_the_start() {
    let t = wib(2026, 12, 21, 10, 0);
    assert_eq!(cal().working_minutes_between(t, t, Zone::Wib), Ok(0));
    assert_eq!(
        cal().working_minutes_between(t, wib(2026, 12, 21, 9, 0), Zone::Wib),
        Ok(0)
    );
}

#[test]
fn working_minutes_up_to_midnight_do_not_touch_the_next_year() {
    let spent = cal()
        .working_minutes_between(wib(2027, 12, 31, 0, 0), wib(2028, 1, 1, 0, 0), Zone::Wib)
        .unwrap();
    assert_eq!(spent, 450);
}

// ---- the data ----

#[test]
fn the_2026_data_has_17_libur_nasional_and_8_cuti_bersama() {
    let holidays = cal().holidays(2026);
    let count = |kind| holidays.iter().filter(|h| h.kind == kind).count();
    assert_eq!(count(HolidayKind::LiburNasional), 17);
    assert_eq!(count(HolidayKind::CutiBersama), 8);
    let cuti: Vec<(u32, u32)> = holidays
        .iter()
        .filter(|h| h.kind == HolidayKind::CutiBersama)
        .map(|h| (h.date.month(), h.date.day()))
        .collect();
    assert_eq!(
        cuti,
        [
            (2, 16),
            (3, 18),
            (3, 20),
            (3, 23),
            (3, 24),
            (5, 15),
            (5, 28),
            (12, 24)
        ]
    );
    let idulfitri = cal().holiday(date(2026, 3, 22)).unwrap();
    assert_eq!(idulfitri.kind, HolidayKind::LiburNasional);
    assert!(holidays.iter().all(|h| !h.estimated));
}

#[test]
fn the_2026_decree_numbers_are_recorded() {
    let info = cal().year_info(2026).unwrap();
    assert_eq!(
        info.decree.numbers,
        ["1497 Tahun 2025", "2 Tahun 2025", "5 Tahun 2025"]
    );
}

#[test]
fn builtin_data_covers_2025_to_2027() {
    assert_eq!(cal().years(), [2025, 2026, 2027]);
}

#[test]
fn the_2025_data_matches_the_amended_decree() {
    let holidays = cal().holidays(2025);
    let count = |kind| holidays.iter().filter(|h| h.kind == kind).count();
    assert_eq!(count(HolidayKind::LiburNasional), 17);
    // Ten in the decree, plus 18 August added by its amendment.
    assert_eq!(count(HolidayKind::CutiBersama), 11);
    assert_eq!(
        cal().holiday(date(2025, 8, 18)).unwrap().kind,
        HolidayKind::CutiBersama
    );
}

#[test]
fn the_2027_data_marks_the_estimated_islamic_dates() {
    let estimated: Vec<NaiveDate> = cal()
        .holidays(2027)
        .into_iter()
        .filter(|h| h.estimated)
        .map(|h| h.date)
        .collect();
    assert_eq!(
        estimated,
        [date(2027, 3, 10), date(2027, 3, 11), date(2027, 5, 17)]
    );
    assert_eq!(cal().holidays(2027).len(), 26);
}

#[test]
fn every_builtin_year_has_an_inferred_ramadan_of_32_5_hours_a_week() {
    for year in cal().years() {
        let ramadan = cal().year_info(year).unwrap().ramadan.clone().unwrap();
        assert!(ramadan.inferred, "{year}");
        assert_eq!(ramadan.hours.weekly_minutes(), 32 * 60 + 30, "{year}");
    }
}

#[test]
fn weekends_holidays_and_cuti_bersama_are_not_working_days() {
    let c = cal();
    assert_eq!(c.is_working_day(date(2026, 12, 19)), Ok(false)); // Saturday
    assert_eq!(c.is_working_day(date(2026, 12, 24)), Ok(false)); // cuti bersama
    assert_eq!(c.is_working_day(date(2026, 12, 25)), Ok(false)); // Natal
    assert_eq!(c.is_working_day(date(2026, 12, 28)), Ok(true));
    assert!(c.holiday(date(2026, 12, 28)).is_none());
}

#[test]
fn a_corrected_file_replaces_the_builtin_one() {
    let mut files: Vec<(&str, String)> = WorkingCalendar::builtin_files()
        .iter()
        .map(|(name, content)| (*name, content.to_string()))
        .collect();
    // An admin moves the Christmas cuti bersama from 24 to 28 December 2026.
    files[1].1 = files[1].1.replace("date = 2026-12-24", "date = 2026-12-28");
    let files: Vec<(&str, &str)> = files.iter().map(|(n, c)| (*n, c.as_str())).collect();
    let corrected = WorkingCalendar::from_toml_files(&files).unwrap();
    assert_eq!(corrected.is_working_day(date(2026, 12, 24)), Ok(true));
    assert_eq!(corrected.is_working_day(date(2026, 12, 28)), Ok(false));
}

#[test]
fn two_files_for_one_year_are_refused_naming_both() {
    let file = WorkingCalendar::builtin_files()[1].1;
    let err = WorkingCalendar::from_toml_files(&[("a.toml", file), ("b.toml", file)]).unwrap_err();
    assert_eq!(
        err,
        CalendarError::Data {
            file: "b.toml".into(),
            message: "tahun 2026 sudah dimuat dari berkas a.toml".into()
        }
    );
}

#[test]
fn a_bad_file_is_refused_naming_the_file_and_the_line() {
    let file = WorkingCalendar::builtin_files()[1].1.replacen(
        "kind = \"cuti_bersama\"",
        "kind = \"cuti\"",
        1,
    );
    let err = WorkingCalendar::from_toml_files(&[("2026-koreksi.toml", &file)]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("berkas data kalender 2026-koreksi.toml:"),
        "{text}"
    );
    let line = file.lines().position(|l| l == "kind = \"cuti\"").unwrap() + 1;
    assert!(text.contains(&format!("line {line}")), "{text}");
}

#[test]
fn a_calendar_can_take_an_instansis_own_hours() {
    use crate::{DayHours, OfficeHours};
    let t = |s| chrono::NaiveTime::parse_from_str(s, "%H:%M").unwrap();
    let day = DayHours::new(t("08:00"), t("16:00"), Some((t("12:00"), t("12:30")))).unwrap();
    let c = cal()
        .clone()
        .with_office_hours(OfficeHours::weekdays(day.clone(), day));
    let deadline = c
        .due(wib(2026, 12, 21, 7, 0), &Span::new(0, 0, 5), Zone::Wib)
        .unwrap();
    assert_eq!(deadline, wib(2026, 12, 21, 8, 5));
}

#[test]
fn the_calendar_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_send_sync::<WorkingCalendar>();
}
