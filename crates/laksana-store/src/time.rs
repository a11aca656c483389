//! Timestamps as fixed-width UTC text, so they sort and compare as strings in any backend.

use chrono::{DateTime, NaiveDateTime, Utc};

const FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";

pub fn format_ts(t: DateTime<Utc>) -> String {
    t.format(FORMAT).to_string()
}

pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, FORMAT)
        .ok()
        .map(|n| n.and_utc())
        .or_else(|| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|d| d.with_timezone(&Utc))
        })
}

pub(crate) fn ts_col(s: Option<String>) -> Option<DateTime<Utc>> {
    s.as_deref().and_then(parse_ts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_round_trip_and_sort_as_text() {
        let a = Utc.with_ymd_and_hms(2026, 12, 23, 3, 0, 0).unwrap();
        let b = Utc.with_ymd_and_hms(2026, 12, 23, 10, 0, 0).unwrap();
        assert_eq!(parse_ts(&format_ts(a)), Some(a));
        assert!(format_ts(a) < format_ts(b));
    }
}
