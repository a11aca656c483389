//! Errors of the working calendar, worded in Indonesian because they reach the people who keep the data.

/// What can go wrong when the calendar is loaded or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A computation touched a date in a year that has no holiday data. Refusing is the point:
    /// a sum that silently left the year's holidays out would be wrong without anyone noticing (C9).
    #[error("data hari libur tahun {0} belum tersedia; tambahkan berkas data kalender tahun {0}")]
    MissingYear(i32),
    /// A zone name other than WIB, WITA or WIT.
    #[error("zona waktu \"{0}\" tidak dikenal (gunakan WIB, WITA atau WIT)")]
    UnknownZone(String),
    /// A calendar data file that cannot be used; `message` names the line where it can.
    #[error("berkas data kalender {file}: {message}")]
    Data { file: String, message: String },
}

impl CalendarError {
    pub(crate) fn data(file: &str, message: impl Into<String>) -> CalendarError {
        CalendarError::Data {
            file: file.to_string(),
            message: message.into(),
        }
    }
}
