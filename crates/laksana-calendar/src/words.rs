//! Indonesian date words, shared by the pages and the printed documents: "23 Desember 2026".

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

use crate::Zone;

/// Month names, January first.
pub const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// Day names, Monday first (chrono's `num_days_from_monday`).
pub const HARI: [&str; 7] = [
    "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
];

/// A date as Indonesian letters and forms write it: "23 Desember 2026".
pub fn tanggal_indonesia(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), BULAN[d.month0() as usize], d.year())
}

/// With the day name: "Rabu, 23 Desember 2026".
pub fn hari_tanggal(d: NaiveDate) -> String {
    format!(
        "{}, {}",
        HARI[d.weekday().num_days_from_monday() as usize],
        tanggal_indonesia(d)
    )
}

/// A moment in a zone as the pages write it: "23 Desember 2026, 10.00 WIB".
pub fn waktu_indonesia(t: DateTime<Utc>, zone: Zone) -> String {
    let local = t.with_timezone(&zone.offset());
    format!(
        "{}, {:02}.{:02} {}",
        tanggal_indonesia(local.date_naive()),
        local.hour(),
        local.minute(),
        zone
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_reads_day_month_name_and_year() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 23).unwrap();
        assert_eq!(tanggal_indonesia(d), "23 Desember 2026");
        assert_eq!(hari_tanggal(d), "Rabu, 23 Desember 2026");
        let d = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(tanggal_indonesia(d), "1 Januari 2027");
    }
}
