//! Indonesian presentation of dates and durations: "23 Desember 2026, 10.00 WIB".

use chrono::{DateTime, NaiveDate, Utc};
use laksana_calendar::Zone;

pub fn tanggal(d: NaiveDate) -> String {
    laksana_calendar::tanggal_indonesia(d)
}

/// A moment in the unit's zone: "23 Desember 2026, 10.00 WIB".
pub fn waktu(t: DateTime<Utc>, zone: Zone) -> String {
    laksana_calendar::waktu_indonesia(t, zone)
}

/// Working minutes as "1 hari 2 jam 5 menit" (a working day is 7.5 hours).
/// A step's due time, or why there is none (shown under a "Tenggat" heading or label): the working calendar of its year is not loaded
/// yet (case C9), which the store records as the run's `due_problem`.
pub fn tenggat(due: Option<DateTime<Utc>>, problem: Option<&str>, zone: Zone) -> String {
    match (due, problem.map(str::trim)) {
        (Some(d), _) => waktu(d, zone),
        (None, Some(p)) if !p.is_empty() => format!("belum dapat dihitung: {p}"),
        (None, _) => "belum dapat dihitung".into(),
    }
}

/// How late a step is, as a phrase: "terlambat 2 jam (waktu kerja)", or why that cannot be
/// counted (the working calendar of a year in between is not loaded).
pub fn keterlambatan(late_minutes: Option<i64>) -> String {
    match late_minutes {
        Some(m) => format!("terlambat {} (waktu kerja)", durasi_kerja(m)),
        None => {
            "lama keterlambatan belum dapat dihitung: data kalender kerja tahunnya belum tersedia"
                .into()
        }
    }
}

pub fn durasi_kerja(minutes: i64) -> String {
    if minutes <= 0 {
        return "0 menit".into();
    }
    let days = minutes / 450;
    let rest = minutes % 450;
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} hari"));
    }
    if rest / 60 > 0 {
        parts.push(format!("{} jam", rest / 60));
    }
    if rest % 60 > 0 {
        parts.push(format!("{} menit", rest % 60));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_moment_reads_as_an_indonesian_date_with_zone() {
        let t = Utc.with_ymd_and_hms(2026, 12, 23, 3, 0, 0).unwrap();
        assert_eq!(waktu(t, Zone::Wib), "23 Desember 2026, 10.00 WIB");
        assert_eq!(waktu(t, Zone::Wita), "23 Desember 2026, 11.00 WITA");
        assert_eq!(
            tenggat(
                None,
                Some("data hari libur tahun 2031 belum tersedia"),
                Zone::Wib
            ),
            "belum dapat dihitung: data hari libur tahun 2031 belum tersedia"
        );
        assert_eq!(tenggat(Some(t), Some("x"), Zone::Wib), waktu(t, Zone::Wib));
        assert_eq!(
            keterlambatan(Some(90)),
            "terlambat 1 jam 30 menit (waktu kerja)"
        );
        assert!(keterlambatan(None).contains("belum dapat dihitung"));
    }

    #[test]
    fn working_minutes_read_in_days_hours_and_minutes() {
        assert_eq!(durasi_kerja(450 + 65), "1 hari 1 jam 5 menit");
        assert_eq!(durasi_kerja(30), "30 menit");
        assert_eq!(durasi_kerja(0), "0 menit");
    }
}
