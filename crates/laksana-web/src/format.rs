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
    }

    #[test]
    fn working_minutes_read_in_days_hours_and_minutes() {
        assert_eq!(durasi_kerja(450 + 65), "1 hari 1 jam 5 menit");
        assert_eq!(durasi_kerja(30), "30 menit");
        assert_eq!(durasi_kerja(0), "0 menit");
    }
}
