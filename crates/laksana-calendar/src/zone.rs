//! The three Indonesian time zones a Dinas can be in: fixed offsets, since Indonesia keeps no summer time.

use std::fmt;
use std::str::FromStr;

use chrono::FixedOffset;
use serde::{Deserialize, Serialize};

use crate::CalendarError;

/// Zone of a Dinas. Office hours are local to it (case C8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Zone {
    /// Waktu Indonesia Barat, UTC+7.
    #[serde(rename = "WIB")]
    Wib,
    /// Waktu Indonesia Tengah, UTC+8.
    #[serde(rename = "WITA")]
    Wita,
    /// Waktu Indonesia Timur, UTC+9.
    #[serde(rename = "WIT")]
    Wit,
}

impl Zone {
    /// All zones, west to east.
    pub const ALL: [Zone; 3] = [Zone::Wib, Zone::Wita, Zone::Wit];

    /// The zone's fixed offset from UTC.
    pub fn offset(self) -> FixedOffset {
        let hours = match self {
            Zone::Wib => 7,
            Zone::Wita => 8,
            Zone::Wit => 9,
        };
        FixedOffset::east_opt(hours * 3600).expect("offsets of +7..+9 hours are valid")
    }

    /// The abbreviation used in Indonesian writing: "WIB", "WITA", "WIT".
    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Wib => "WIB",
            Zone::Wita => "WITA",
            Zone::Wit => "WIT",
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Zone {
    type Err = CalendarError;

    /// Accepts the abbreviation in any letter case, with surrounding spaces.
    fn from_str(s: &str) -> Result<Zone, CalendarError> {
        let wanted = s.trim();
        Zone::ALL
            .into_iter()
            .find(|zone| zone.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| CalendarError::UnknownZone(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_names_are_read_in_any_letter_case() {
        assert_eq!("WIB".parse::<Zone>().unwrap(), Zone::Wib);
        assert_eq!("wita".parse::<Zone>().unwrap(), Zone::Wita);
        assert_eq!(" Wit ".parse::<Zone>().unwrap(), Zone::Wit);
    }

    #[test]
    fn an_unknown_zone_is_refused_with_its_name() {
        let err = "UTC".parse::<Zone>().unwrap_err();
        assert_eq!(err, CalendarError::UnknownZone("UTC".to_string()));
        assert!(err.to_string().contains("UTC"));
    }

    #[test]
    fn zones_print_and_serialise_as_their_abbreviation() {
        assert_eq!(Zone::Wita.to_string(), "WITA");
        let json = serde_json_like(Zone::Wit);
        assert_eq!(json, "\"WIT\"");
    }

    #[test]
    fn zone_offsets_are_seven_eight_and_nine_hours_east() {
        assert_eq!(Zone::Wib.offset().local_minus_utc(), 7 * 3600);
        assert_eq!(Zone::Wita.offset().local_minus_utc(), 8 * 3600);
        assert_eq!(Zone::Wit.offset().local_minus_utc(), 9 * 3600);
    }

    /// Serialises through toml's value serializer, so the test needs no JSON dependency.
    fn serde_json_like(zone: Zone) -> String {
        toml::Value::try_from(zone).unwrap().to_string()
    }
}
