//! Participants and nominations, pure: the NIK and its checks, the Kemendagri list of provinces and
//! kabupaten/kota, reading the spreadsheets that Kabupaten/Kota send, the roster of main and reserve
//! candidates, and exports. Nothing here touches a database, the network or the clock: the caller
//! passes "today" and the bytes of a file.

pub mod export;
pub mod import;
pub mod nik;
pub mod participant;
pub mod region;
pub mod roster;

pub use export::{to_csv, to_xlsx, ExportError, ExportRow};
pub use import::{
    check_rows, preview, read_table, rows_to_participants, suggest_mapping, Cell, CellError, Field,
    Format, ImportError, Mapping, Row, RowCheck, RowIssue, RowResult, Table, TextEncoding,
};
pub use nik::{Nik, NikError, Sex};
pub use participant::{
    check, complete_from_nik, Checked, Disability, EmploymentStatus, Issue, Participant, Rules,
    Severity,
};
pub use region::{Province, Regency, RegencyKind, RegionError, Regions};
pub use roster::{allocate, Nomination, Placement, Status};

use chrono::{Datelike, NaiveDate};

const BULAN: [&str; 12] = [
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

/// A date as Indonesian letters and messages write it: "2 Maret 1989".
pub fn tanggal(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        BULAN[date.month0() as usize],
        date.year()
    )
}
