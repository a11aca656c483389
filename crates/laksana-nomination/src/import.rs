//! Reading the participant lists that Kabupaten/Kota send: CSV (any of the separators and encodings
//! Indonesian Excel produces), XLSX, XLS and ODS. The file kind is told by its content, never by its
//! name. Every cell that cannot be read becomes an error naming its row and column: nothing is
//! silently defaulted, so the operator sees a row-by-row preview before anything is saved.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader};
use chrono::NaiveDate;
use laksana_domain::Education;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::nik::{clean, Nik, Sex};
use crate::participant::{
    check, complete_from_nik, Disability, EmploymentStatus, Participant, Rules, Severity,
};
use crate::region::Regions;

/// Uploads larger than this are refused before parsing: a real list of a few thousand people is
/// well under 2 MB, and a zip bomb or a mistaken video should not reach the parsers.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
    /// An error value stored in the sheet ("#N/A", "#REF!").
    Error(String),
    /// A formula (its text, without "="). Its cached value is not trusted: it may be stale, or
    /// computed from cells the operator never sees, so it is always an error where it is read.
    Formula(String),
}

impl Cell {
    fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 with a byte order mark, as Excel's "CSV UTF-8" writes it.
    Utf8Bom,
    /// Excel's "Unicode text" (tab-separated).
    Utf16Le,
    Utf16Be,
    /// What Excel on an Indonesian Windows writes as plain "CSV".
    Windows1252,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    Csv {
        separator: char,
        encoding: TextEncoding,
    },
    Xlsx,
    Xls,
    Ods,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based row number as the spreadsheet program shows it.
    pub line: usize,
    pub cells: Vec<Cell>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The first non-empty row, trimmed.
    pub headers: Vec<String>,
    /// The row number of the header.
    pub header_line: usize,
    /// The rows after the header, empty ones included (they are skipped when mapped).
    pub rows: Vec<Row>,
    pub format: Format,
    /// All sheets of a workbook; empty for CSV.
    pub sheet_names: Vec<String>,
    /// The sheet that was read: the first one with any content.
    pub sheet: Option<String>,
}

impl Table {
    /// Rows whose number of fields differs from the header's, as (line, fields). Only CSV rows can be
    /// ragged; a longer row with content past the header is refused when mapped.
    pub fn ragged_rows(&self) -> Vec<(usize, usize)> {
        self.rows
            .iter()
            .filter(|r| r.cells.len() != self.headers.len())
            .map(|r| (r.line, r.cells.len()))
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ImportError {
    #[error("Berkas terlalu besar: {} MB; batasnya {} MB", mb(*size), mb(MAX_BYTES))]
    TooLarge { size: usize },
    #[error("Berkas kosong")]
    Empty,
    #[error("Berkas \"{name}\" bukan lembar kerja (CSV, XLSX, XLS atau ODS){detail}")]
    NotASpreadsheet { name: String, detail: String },
    #[error("Berkas {kind} \"{name}\" tidak dapat dibaca: {detail}")]
    Unreadable {
        name: String,
        kind: &'static str,
        detail: String,
    },
    #[error("Berkas \"{name}\" tidak berisi data: semua lembar kerjanya kosong")]
    NoData { name: String },
}

fn mb(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
}

impl ImportError {
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::TooLarge { .. } => "too_large",
            ImportError::Empty => "empty",
            ImportError::NotASpreadsheet { .. } => "not_a_spreadsheet",
            ImportError::Unreadable { .. } => "unreadable",
            ImportError::NoData { .. } => "no_data",
        }
    }
}

/// What some common non-spreadsheet files start with, to tell the operator what they sent.
fn known_binary(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 8] = [
        (b"\x89PNG", "gambar PNG"),
        (b"\xFF\xD8\xFF", "gambar JPEG"),
        (b"GIF8", "gambar GIF"),
        (b"%PDF", "dokumen PDF"),
        (b"Rar!", "arsip RAR"),
        (b"7z\xBC\xAF", "arsip 7z"),
        (b"\x1F\x8B", "arsip gzip"),
        (b"MZ", "program Windows"),
    ];
    MAGIC
        .iter()
        .find(|(m, _)| bytes.starts_with(m))
        .map(|(_, what)| *what)
}

/// Reads a spreadsheet from its bytes. `filename_hint` only names the file in messages.
pub fn read_table(bytes: &[u8], filename_hint: &str) -> Result<Table, ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge { size: bytes.len() });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    let name = filename_hint.to_string();
    if bytes.starts_with(b"PK\x03\x04") {
        // ODS keeps an uncompressed "mimetype" entry first (ODF 1.2 §3.3); anything else zipped is
        // tried as XLSX, and a DOCX or a plain zip then fails as "not a spreadsheet".
        let ods = bytes.len() > 38
            && &bytes[30..38] == b"mimetype"
            && bytes[38..bytes.len().min(120)]
                .windows(11)
                .any(|w| w == b"spreadsheet");
        return if ods {
            read_workbook(bytes, Format::Ods, &name)
        } else {
            read_workbook(bytes, Format::Xlsx, &name)
        };
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return read_workbook(bytes, Format::Xls, &name);
    }
    if let Some(what) = known_binary(bytes) {
        return Err(ImportError::NotASpreadsheet {
            name,
            detail: format!("; isinya {what}"),
        });
    }
    read_csv(bytes, &name)
}

fn not_a_sheet(name: &str) -> ImportError {
    ImportError::NotASpreadsheet {
        name: name.to_string(),
        detail: String::new(),
    }
}

fn decode(bytes: &[u8], name: &str) -> Result<(String, TextEncoding), ImportError> {
    let (text, enc) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        match std::str::from_utf8(rest) {
            Ok(s) => (s.to_string(), TextEncoding::Utf8Bom),
            Err(_) => {
                return Err(ImportError::Unreadable {
                    name: name.into(),
                    kind: "CSV",
                    detail: "berkas bertanda UTF-8 tetapi isinya bukan UTF-8 yang sah".into(),
                })
            }
        }
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (enc, te) = if bytes[0] == 0xFF {
            (encoding_rs::UTF_16LE, TextEncoding::Utf16Le)
        } else {
            (encoding_rs::UTF_16BE, TextEncoding::Utf16Be)
        };
        let (s, _, had_errors) = enc.decode(bytes);
        if had_errors {
            return Err(not_a_sheet(name));
        }
        (s.into_owned(), te)
    } else {
        // NUL never occurs in text; it is the surest sign of a binary file we did not recognise.
        if bytes.contains(&0) {
            return Err(not_a_sheet(name));
        }
        match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), TextEncoding::Utf8),
            // Not UTF-8: Excel's plain "CSV" on Windows is Windows-1252, which decodes any byte.
            Err(_) => {
                let (s, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                (s.into_owned(), TextEncoding::Windows1252)
            }
        }
    };
    let sample: Vec<char> = text.chars().take(65_536).collect();
    let controls = sample
        .iter()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        .count();
    if sample.contains(&'\0') || controls * 100 > sample.len() {
        return Err(not_a_sheet(name));
    }
    Ok((text, enc))
}

/// The separator is the most frequent of ';', ',' and tab in the header line, outside quotes. On a
/// tie ';' wins: it is what Excel writes with Indonesian regional settings.
fn sniff_separator(text: &str) -> char {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            // A header without any separator is one column; the next line may still tell.
            '\n' | '\r' if !quoted && counts.iter().any(|n| *n > 0) => break,
            ';' if !quoted => counts[0] += 1,
            '\t' if !quoted => counts[1] += 1,
            ',' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let seps = [';', '\t', ','];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    seps[best]
}

fn read_csv(bytes: &[u8], name: &str) -> Result<Table, ImportError> {
    let (text, encoding) = decode(bytes, name)?;
    // Excel writes CRLF; the csv crate's line positions count it differently from LF, which
    // put every row number one too low. One kind of line end gives the rows the user sees.
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    let separator = sniff_separator(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator as u8)
        .from_reader(text.as_bytes());
    let mut headers: Option<(usize, Vec<String>)> = None;
    let mut rows = Vec::new();
    // The csv crate reports the physical line a record starts on. A spreadsheet shows one row per
    // record, so the newlines inside earlier quoted cells are taken off to get the row the user sees.
    let mut inner_newlines = 0usize;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                return Err(ImportError::Unreadable {
                    name: name.into(),
                    kind: "CSV",
                    detail: format!("baris {}: {e}", line.saturating_sub(inner_newlines)),
                });
            }
        }
        let physical = record.position().map_or(1, |p| p.line() as usize);
        let line = physical - inner_newlines;
        inner_newlines += record
            .iter()
            .map(|f| f.matches('\n').count())
            .sum::<usize>();
        let cells: Vec<Cell> = record
            .iter()
            .map(|f| {
                if f.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(f.to_string())
                }
            })
            .collect();
        if headers.is_none() {
            if cells.iter().all(Cell::is_blank) {
                continue;
            }
            headers = Some((line, record.iter().map(|h| h.trim().to_string()).collect()));
        } else {
            rows.push(Row { line, cells });
        }
    }
    let (header_line, headers) = headers.ok_or(ImportError::Empty)?;
    Ok(Table {
        headers,
        header_line,
        rows,
        format: Format::Csv {
            separator,
            encoding,
        },
        sheet_names: Vec::new(),
        sheet: None,
    })
}

fn format_kind(f: Format) -> &'static str {
    match f {
        Format::Csv { .. } => "CSV",
        Format::Xlsx => "XLSX",
        Format::Xls => "XLS",
        Format::Ods => "ODS",
    }
}

fn read_workbook(bytes: &[u8], format: Format, name: &str) -> Result<Table, ImportError> {
    let kind = format_kind(format);
    let unreadable = |detail: String| ImportError::Unreadable {
        name: name.into(),
        kind,
        detail,
    };
    let cursor = Cursor::new(bytes);
    let opened: Result<calamine::Sheets<_>, String> = match format {
        Format::Xlsx => calamine::Xlsx::new(cursor)
            .map(calamine::Sheets::Xlsx)
            .map_err(|e| e.to_string()),
        Format::Ods => calamine::Ods::new(cursor)
            .map(calamine::Sheets::Ods)
            .map_err(|e| e.to_string()),
        _ => calamine::Xls::new(cursor)
            .map(calamine::Sheets::Xls)
            .map_err(|e| e.to_string()),
    };
    let mut book = match opened {
        Ok(b) => b,
        // A zip or OLE file that is no workbook (DOCX, DOC, a plain zip) is not a spreadsheet.
        Err(e) if format != Format::Ods => {
            return Err(ImportError::NotASpreadsheet {
                name: name.into(),
                detail: format!("; isinya bukan buku kerja {kind} ({e})"),
            })
        }
        Err(e) => return Err(unreadable(e)),
    };
    let sheet_names = book.sheet_names();
    let mut chosen = None;
    for sheet in &sheet_names {
        let range = book
            .worksheet_range(sheet)
            .map_err(|e| unreadable(format!("lembar \"{sheet}\": {e}")))?;
        if range.used_cells().any(|(_, _, d)| !is_blank_data(d)) {
            chosen = Some((sheet.clone(), range));
            break;
        }
    }
    let Some((sheet, range)) = chosen else {
        return Err(ImportError::NoData { name: name.into() });
    };
    // Positions of formula cells, absolute. If they cannot be read we cannot tell a typed value from
    // a cached result, so the file is refused rather than trusted.
    let formula_range = book
        .worksheet_formula(&sheet)
        .map_err(|e| unreadable(format!("rumus pada lembar \"{sheet}\": {e}")))?;
    let mut formulas: HashMap<(u32, u32), String> = HashMap::new();
    if let Some((r0, c0)) = formula_range.start() {
        for (r, c, f) in formula_range.used_cells() {
            if !f.is_empty() {
                formulas.insert((r0 + r as u32, c0 + c as u32), f.clone());
            }
        }
    }
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut headers: Option<(usize, Vec<String>)> = None;
    let mut rows = Vec::new();
    for (ri, data_row) in range.rows().enumerate() {
        let abs_row = r0 + ri as u32;
        let cells: Vec<Cell> = data_row
            .iter()
            .enumerate()
            .map(|(ci, d)| match formulas.get(&(abs_row, c0 + ci as u32)) {
                Some(f) => Cell::Formula(f.clone()),
                None => data_to_cell(d),
            })
            .collect();
        let line = abs_row as usize + 1;
        if headers.is_none() {
            if cells.iter().all(Cell::is_blank) {
                continue;
            }
            // Column positions are the sheet's, so a sheet whose data starts in column C still maps
            // by position within the range; header text comes from the same cells.
            let h = cells.iter().map(header_text).collect();
            headers = Some((line, h));
        } else {
            rows.push(Row { line, cells });
        }
    }
    let (header_line, headers) =
        headers.ok_or_else(|| ImportError::NoData { name: name.into() })?;
    Ok(Table {
        headers,
        header_line,
        rows,
        format,
        sheet_names,
        sheet: Some(sheet),
    })
}

fn is_blank_data(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn header_text(c: &Cell) -> String {
    match c {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.trim().to_string(),
        Cell::Number(n) => number_text(*n),
        Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Error(e) => e.clone(),
        Cell::Formula(f) => format!("={f}"),
    }
}

fn data_to_cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            // calamine applies the workbook's 1900/1904 epoch and Excel's 1900 leap-year bug.
            let (y, m, day, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(y as i32, m as u32, day as u32).map_or_else(
                || Cell::Error(format!("tanggal {}", dt.as_f64())),
                Cell::Date,
            )
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map_or_else(|| Cell::Text(s.clone()), Cell::Date),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// An Excel serial day number as a date, 1900 system. Excel counts 29 February 1900, which never
/// was (a bug kept from Lotus 1-2-3): serials from 61 on are one day ahead of a plain count from
/// 31 December 1899, and serial 60 is no date at all.
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let base = match days {
        60 => return None,
        1..=59 => NaiveDate::from_ymd_opt(1899, 12, 31)?,
        _ => NaiveDate::from_ymd_opt(1899, 12, 30)?,
    };
    base.checked_add_signed(chrono::Duration::days(days))
}

const MONTHS: &[(&str, u32)] = &[
    ("januari", 1),
    ("january", 1),
    ("jan", 1),
    ("februari", 2),
    ("pebruari", 2),
    ("february", 2),
    ("feb", 2),
    ("peb", 2),
    ("maret", 3),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("mei", 5),
    ("may", 5),
    ("juni", 6),
    ("june", 6),
    ("jun", 6),
    ("juli", 7),
    ("july", 7),
    ("jul", 7),
    ("agustus", 8),
    ("august", 8),
    ("agu", 8),
    ("agt", 8),
    ("ags", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("oktober", 10),
    ("october", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("desember", 12),
];

fn month_word(w: &str) -> Option<u32> {
    let w = w.to_lowercase();
    match w.as_str() {
        "nov" | "nop" | "nopember" => return Some(11),
        "des" | "dec" | "december" => return Some(12),
        _ => {}
    }
    MONTHS.iter().find(|(n, _)| *n == w).map(|(_, m)| *m)
}

/// A date as Indonesians write it. Numeric dates are always day first (N6: "03/04/1990" is 3 April):
/// dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy; or ISO yyyy-mm-dd. Month names in Indonesian or
/// English, full or short: "3 April 1990", "03 Apr 1990", "3-Agt-1990", "April 3, 1990". A weekday
/// in front ("Selasa, 3 April 1990") and a midnight time after ("1990-04-03 00:00:00") are ignored.
/// Two-digit years are refused: the century would be a guess.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let mut s = text.trim();
    if let Some((head, rest)) = s.split_once(',') {
        if head.chars().all(char::is_alphabetic) {
            s = rest.trim();
        }
    }
    let mut parts = s.split(|c: char| c.is_whitespace() || c == 'T');
    let first = parts.next()?;
    let rest: Vec<&str> = parts.filter(|p| !p.is_empty()).collect();
    let midnight = |t: &[&str]| {
        t.len() == 1 && matches!(t[0], "00:00" | "00:00:00" | "00.00" | "00:00:00.000")
    };
    // Numeric forms are one token.
    if rest.is_empty() || midnight(&rest) {
        let nums: Vec<&str> = first.split(['/', '-', '.']).collect();
        if nums.len() == 3
            && nums
                .iter()
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        {
            let n = |i: usize| nums[i].parse::<u32>().ok();
            let (y, m, d) = if nums[0].len() == 4 {
                (n(0)?, n(1)?, n(2)?)
            } else if nums[2].len() == 4 && nums[0].len() <= 2 && nums[1].len() <= 2 {
                (n(2)?, n(1)?, n(0)?)
            } else {
                return None;
            };
            return NaiveDate::from_ymd_opt(y as i32, m, d);
        }
    }
    // Worded forms.
    let words: Vec<&str> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() != 3 {
        return None;
    }
    let num = |w: &str| {
        (w.bytes().all(|b| b.is_ascii_digit()) && w.len() <= 4)
            .then(|| w.parse::<u32>().ok())
            .flatten()
    };
    let (d, m, y) = if let Some(m) = month_word(words[1]) {
        (words[0], m, words[2])
    } else if let Some(m) = month_word(words[0]) {
        (words[1], m, words[2])
    } else {
        return None;
    };
    if y.len() != 4 || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(num(y)? as i32, m, num(d)?)
}

// ---------------------------------------------------------------------------------------------
// Mapping columns to fields

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Nik,
    Nama,
    TempatLahir,
    TanggalLahir,
    JenisKelamin,
    Alamat,
    KodeWilayah,
    Pendidikan,
    Disabilitas,
    StatusKerja,
    Telepon,
    Email,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Nik,
        Field::Nama,
        Field::TempatLahir,
        Field::TanggalLahir,
        Field::JenisKelamin,
        Field::Alamat,
        Field::KodeWilayah,
        Field::Pendidikan,
        Field::Disabilitas,
        Field::StatusKerja,
        Field::Telepon,
        Field::Email,
    ];

    /// The name of the `Participant` field it fills.
    pub fn key(self) -> &'static str {
        match self {
            Field::Nik => "nik",
            Field::Nama => "nama",
            Field::TempatLahir => "tempat_lahir",
            Field::TanggalLahir => "tanggal_lahir",
            Field::JenisKelamin => "jenis_kelamin",
            Field::Alamat => "alamat",
            Field::KodeWilayah => "kode_wilayah",
            Field::Pendidikan => "pendidikan",
            Field::Disabilitas => "disabilitas",
            Field::StatusKerja => "status_kerja",
            Field::Telepon => "telepon",
            Field::Email => "email",
        }
    }

    /// As a column header; the export writes these, and `suggest_mapping` reads them back.
    pub fn label(self) -> &'static str {
        match self {
            Field::Nik => "NIK",
            Field::Nama => "Nama Lengkap",
            Field::TempatLahir => "Tempat Lahir",
            Field::TanggalLahir => "Tanggal Lahir",
            Field::JenisKelamin => "Jenis Kelamin",
            Field::Alamat => "Alamat",
            Field::KodeWilayah => "Kode Wilayah",
            Field::Pendidikan => "Pendidikan Terakhir",
            Field::Disabilitas => "Disabilitas",
            Field::StatusKerja => "Status Kerja",
            Field::Telepon => "No HP",
            Field::Email => "E-mail",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    pub fn required(self) -> bool {
        matches!(self, Field::Nik | Field::Nama)
    }

    /// Header spellings seen in BLK and Dinas templates, normalised (see `norm_header`).
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Nik => &[
                "nik",
                "noktp",
                "nomorktp",
                "nonik",
                "nomornik",
                "nikktp",
                "noktpnik",
                "niknoktp",
                "nomorindukkependudukan",
                "noindukkependudukan",
                "ktp",
                "nonikktp",
            ],
            Field::Nama => &[
                "nama",
                "namalengkap",
                "namapeserta",
                "namasesuaiktp",
                "namacalonpeserta",
                "namalengkappeserta",
                "namalengkapsesuaiktp",
            ],
            Field::TempatLahir => &[
                "tempatlahir",
                "tmplahir",
                "tmptlahir",
                "tptlahir",
                "tempatlhr",
            ],
            Field::TanggalLahir => &[
                "tanggallahir",
                "tgllahir",
                "tgllhr",
                "tanggallhr",
                "tanggalkelahiran",
                "tgllahirddmmyyyy",
            ],
            Field::JenisKelamin => &[
                "jeniskelamin",
                "lp",
                "jk",
                "kelamin",
                "gender",
                "jnskelamin",
                "jkel",
                "sex",
            ],
            Field::Alamat => &[
                "alamat",
                "alamatlengkap",
                "alamatrumah",
                "alamatsesuaiktp",
                "alamatdomisili",
            ],
            Field::KodeWilayah => &[
                "kodewilayah",
                "kodedesa",
                "kodekelurahan",
                "kodewil",
                "kodedesakelurahan",
            ],
            Field::Pendidikan => &[
                "pendidikan",
                "pendidikanterakhir",
                "pendidikanterakir",
                "ijazahterakhir",
                "jenjangpendidikan",
                "pendidikanterakhirijazah",
            ],
            Field::Disabilitas => &[
                "disabilitas",
                "ragamdisabilitas",
                "jenisdisabilitas",
                "penyandangdisabilitas",
                "difabel",
                "statusdisabilitas",
            ],
            Field::StatusKerja => &[
                "statuskerja",
                "statuspekerjaan",
                "pekerjaan",
                "statusbekerja",
            ],
            Field::Telepon => &[
                "telepon",
                "telp",
                "notelp",
                "nohp",
                "nomorhp",
                "hp",
                "nowa",
                "nomorwa",
                "notelepon",
                "nomortelepon",
                "nohpwa",
                "whatsapp",
                "kontak",
                "telpon",
                "notlp",
                "nohptelp",
                "teleponhp",
                "hpwa",
            ],
            Field::Email => &[
                "email",
                "surel",
                "alamatemail",
                "alamatsurel",
                "suratelektronik",
            ],
        }
    }
}

/// Column index per field. Serialised as `{"nik": 0, "nama": 1, ...}`; to remember a mapping across
/// uploads whose columns move, keep [`Mapping::to_names`] and rebuild with [`Mapping::from_names`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Mapping(pub BTreeMap<Field, usize>);

impl Mapping {
    pub fn get(&self, field: Field) -> Option<usize> {
        self.0.get(&field).copied()
    }

    pub fn set(&mut self, field: Field, column: Option<usize>) {
        match column {
            Some(c) => self.0.insert(field, c),
            None => self.0.remove(&field),
        };
    }

    /// The required fields (NIK, Nama) that have no column.
    pub fn missing_required(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| f.required() && !self.0.contains_key(f))
            .collect()
    }

    /// Field → header text, for remembering a mapping per unit.
    pub fn to_names(&self, headers: &[String]) -> BTreeMap<Field, String> {
        self.0
            .iter()
            .filter_map(|(f, i)| headers.get(*i).map(|h| (*f, h.clone())))
            .collect()
    }

    /// Rebuilds a remembered mapping on a new file's headers (compared as `suggest_mapping` does);
    /// fields whose header is gone are left out, for `suggest_mapping` or the operator to fill.
    pub fn from_names(names: &BTreeMap<Field, String>, headers: &[String]) -> Mapping {
        let normed: Vec<String> = headers.iter().map(|h| norm_header(h)).collect();
        Mapping(
            names
                .iter()
                .filter_map(|(f, name)| {
                    let n = norm_header(name);
                    normed.iter().position(|h| *h == n).map(|i| (*f, i))
                })
                .collect(),
        )
    }
}

/// Lower case, parenthesised notes dropped ("NIK (16 digit)"), only letters and digits kept.
fn norm_header(h: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in h.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 && c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// Headers that hold place and date of birth together ("Tempat, Tanggal Lahir": "Bandung, 03-04-1990").
const TTL: [&str; 5] = [
    "ttl",
    "tempattanggallahir",
    "tempattgllahir",
    "tempatdantanggallahir",
    "tempattanggallhr",
];

/// Guesses which column holds which field from the header text, ignoring case, spaces and
/// punctuation. The first column that matches a field takes it; a combined "Tempat, Tanggal Lahir"
/// column is mapped to both fields and split at its last comma.
pub fn suggest_mapping(headers: &[String]) -> Mapping {
    let mut m = Mapping::default();
    for (i, h) in headers.iter().enumerate() {
        let n = norm_header(h);
        if n.is_empty() {
            continue;
        }
        if TTL.contains(&n.as_str()) {
            if m.get(Field::TempatLahir).is_none() && m.get(Field::TanggalLahir).is_none() {
                m.set(Field::TempatLahir, Some(i));
                m.set(Field::TanggalLahir, Some(i));
            }
            continue;
        }
        if let Some(f) = Field::ALL
            .into_iter()
            .find(|f| !m.0.contains_key(f) && f.synonyms().contains(&n.as_str()))
        {
            m.set(f, Some(i));
        }
    }
    m
}

// ---------------------------------------------------------------------------------------------
// Rows to participants

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CellError {
    pub line: usize,
    /// The header text of the column, or the field's label when the problem is the row itself.
    pub column: String,
    /// `None` for a problem of the whole row (e.g. more cells than headers).
    pub field: Option<Field>,
    pub code: &'static str,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowResult {
    pub line: usize,
    /// The participant, only when every mapped cell could be read.
    pub participant: Option<Participant>,
    /// What could be read, unreadable cells left empty. For checking and showing, never for saving.
    pub read: Participant,
    pub errors: Vec<CellError>,
    /// Cells read, but worth a look (a NIK stored as a number ending in 0).
    pub warnings: Vec<CellError>,
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e17 {
        format!("{n:.0}")
    } else {
        n.to_string().replace('.', ",")
    }
}

/// What a cell holds, as text for the parsers; `Err` for cells that hold no readable value.
fn cell_text(cell: &Cell) -> Result<Option<String>, (&'static str, String)> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(s) => {
            let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            Ok((!t.is_empty()).then(|| t.to_string()))
        }
        Cell::Number(n) => Ok(Some(number_text(*n))),
        Cell::Date(d) => Ok(Some(d.format("%d/%m/%Y").to_string())),
        Cell::Bool(b) => Err((
            "cell_bool",
            format!(
                "sel berisi nilai benar/salah ({}), bukan isian",
                if *b { "TRUE" } else { "FALSE" }
            ),
        )),
        Cell::Error(e) => Err(("cell_error", format!("sel berisi galat {e}"))),
        Cell::Formula(f) => Err((
            "cell_formula",
            format!("sel berisi rumus (={f}); rumus tidak dibaca, tulis nilainya langsung"),
        )),
    }
}

const NO_DISABILITY: [&str; 10] = [
    "tidak",
    "tidakada",
    "bukan",
    "non",
    "nondisabilitas",
    "bukandisabilitas",
    "no",
    "none",
    "normal",
    "tidakdisabilitas",
];

fn split_ttl(s: &str) -> (String, Option<&str>) {
    match s.rsplit_once(',') {
        Some((place, date)) => (place.trim().to_string(), Some(date.trim())),
        None => (String::new(), Some(s)),
    }
}

/// Reads every non-empty row. A row counts as empty when all its mapped cells are (templates often
/// come with a numbered "No" column and nothing else filled in). `kabupaten_asal` is set on all.
pub fn rows_to_participants(
    table: &Table,
    mapping: &Mapping,
    kabupaten_asal: &str,
) -> Vec<RowResult> {
    let width = table.headers.len();
    let columns: Vec<(Field, usize)> = mapping.0.iter().map(|(f, i)| (*f, *i)).collect();
    let ttl_column = match (
        mapping.get(Field::TempatLahir),
        mapping.get(Field::TanggalLahir),
    ) {
        (Some(a), Some(b)) if a == b => Some(a),
        _ => None,
    };
    let header = |i: usize| {
        table
            .headers
            .get(i)
            .filter(|h| !h.is_empty())
            .cloned()
            .unwrap_or_else(|| column_letter(i))
    };
    let mut out = Vec::new();
    for row in &table.rows {
        let get = |i: usize| row.cells.get(i).unwrap_or(&Cell::Empty);
        if columns.iter().all(|(_, i)| get(*i).is_blank()) {
            continue;
        }
        let mut p = Participant {
            kabupaten_asal: kabupaten_asal.to_string(),
            ..Default::default()
        };
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let err = |field: Field, col: usize, code: &'static str, message: String| CellError {
            line: row.line,
            column: header(col),
            field: Some(field),
            code,
            message,
        };
        if row.cells.len() > width && row.cells[width..].iter().any(|c| !c.is_blank()) {
            errors.push(CellError {
                line: row.line,
                column: column_letter(width),
                field: None,
                code: "row_ragged",
                message: format!(
                    "baris ini berisi {} kolom, padahal judulnya {} kolom; mungkin ada pemisah \
                     di dalam isian yang tidak diberi tanda kutip",
                    row.cells.len(),
                    width
                ),
            });
        }
        for &(field, col) in &columns {
            let cell = get(col);
            if field == Field::TempatLahir && ttl_column == Some(col) {
                // Read with TanggalLahir below.
                continue;
            }
            let text = match cell_text(cell) {
                Ok(t) => t,
                Err((code, message)) => {
                    errors.push(err(field, col, code, message));
                    continue;
                }
            };
            match field {
                Field::Nik => match cell {
                    Cell::Number(n) => match nik_from_number(*n) {
                        Ok((digits, warn)) => {
                            if let Some(w) = warn {
                                warnings.push(err(field, col, "nik_number", w));
                            }
                            p.nik = digits;
                        }
                        Err(m) => errors.push(err(field, col, "nik_number", m)),
                    },
                    _ => {
                        let t = text.unwrap_or_default();
                        if t.contains(['E', 'e']) && t.contains('+') {
                            errors.push(err(
                                field,
                                col,
                                "nik_scientific",
                                format!(
                                    "NIK tertulis sebagai angka ilmiah (\"{t}\"); digit terakhirnya \
                                     sudah hilang di Excel, ketik ulang NIK sebagai teks"
                                ),
                            ));
                        } else {
                            p.nik = t;
                        }
                    }
                },
                Field::Nama => p.nama = text.unwrap_or_default(),
                Field::TempatLahir => p.tempat_lahir = text.unwrap_or_default(),
                Field::TanggalLahir => {
                    // A combined "Tempat, Tanggal Lahir" text is split at its last comma; a date or
                    // number cell in that column is the date alone.
                    let (date_text, date_cell) = match (ttl_column == Some(col), cell) {
                        (true, Cell::Text(_)) => {
                            let t = text.clone().unwrap_or_default();
                            let (place, date) = split_ttl(&t);
                            p.tempat_lahir = place;
                            (date.map(str::to_string), None)
                        }
                        _ => (text.clone(), Some(cell)),
                    };
                    let read = match date_cell {
                        Some(Cell::Date(d)) => Ok(Some(*d)),
                        Some(Cell::Number(n)) => excel_serial_date(*n)
                            .map(Some)
                            .ok_or_else(|| format!("angka {} bukan tanggal", number_text(*n))),
                        _ => match date_text.as_deref() {
                            None | Some("") => Ok(None),
                            Some(t) => parse_date(t).map(Some).ok_or_else(|| {
                                format!(
                                    "tanggal \"{t}\" tidak terbaca; tulis hari/bulan/tahun, \
                                     misalnya 03/04/1990 atau 3 April 1990"
                                )
                            }),
                        },
                    };
                    match read {
                        Ok(d) => p.tanggal_lahir = d,
                        Err(m) => errors.push(err(field, col, "tanggal_unreadable", m)),
                    }
                }
                Field::JenisKelamin => {
                    if let Some(t) = text {
                        match Sex::parse(&t) {
                            Some(s) => p.jenis_kelamin = Some(s),
                            None => errors.push(err(
                                field,
                                col,
                                "jenis_kelamin_unknown",
                                format!("jenis kelamin \"{t}\" tidak dikenal; tulis L atau P"),
                            )),
                        }
                    }
                }
                Field::Alamat => p.alamat = text.unwrap_or_default(),
                Field::KodeWilayah => p.kode_wilayah = text.unwrap_or_default(),
                Field::Pendidikan => {
                    if let Some(t) = text {
                        match Education::parse(&t) {
                            Some(e) => p.pendidikan = Some(e),
                            None => errors.push(err(
                                field,
                                col,
                                "pendidikan_unknown",
                                format!(
                                    "pendidikan \"{t}\" tidak dikenal; tulis misalnya SD, SMP, \
                                     SMA/SMK, D3 atau S1"
                                ),
                            )),
                        }
                    }
                }
                Field::Disabilitas => {
                    if let Some(t) = text {
                        let n = norm_header(&t);
                        if n.is_empty() || NO_DISABILITY.contains(&n.as_str()) {
                            p.disabilitas = None;
                        } else {
                            match Disability::parse(&t) {
                                Some(d) => p.disabilitas = Some(d),
                                None => errors.push(err(
                                    field,
                                    col,
                                    "disabilitas_unknown",
                                    format!(
                                        "disabilitas \"{t}\" tidak dikenal; tulis Tidak, atau \
                                         ragamnya: Fisik, Intelektual, Mental, Sensorik, Ganda"
                                    ),
                                )),
                            }
                        }
                    }
                }
                Field::StatusKerja => {
                    if let Some(t) = text {
                        match EmploymentStatus::parse(&t) {
                            Some(s) => p.status_kerja = Some(s),
                            None => errors.push(err(
                                field,
                                col,
                                "status_kerja_unknown",
                                format!(
                                    "status kerja \"{t}\" tidak dikenal; tulis Belum bekerja, \
                                     Bekerja, Wirausaha atau Pelajar"
                                ),
                            )),
                        }
                    }
                }
                Field::Telepon => {
                    let t = text.unwrap_or_default();
                    // Excel drops the leading 0 of a phone typed as a number: 81234567890.
                    p.telepon = match cell {
                        Cell::Number(_) if t.starts_with('8') => format!("0{t}"),
                        _ => t,
                    };
                }
                Field::Email => p.email = text.unwrap_or_default(),
            }
        }
        out.push(RowResult {
            line: row.line,
            participant: errors.is_empty().then(|| p.clone()),
            read: p,
            errors,
            warnings,
        });
    }
    out
}

/// Excel keeps 15 significant digits, so a 16-digit NIK typed as a number has already lost its
/// last digit (it reads ...0); numbers written by programs can still be exact. Above 2^53 an f64 no
/// longer holds every integer, so such a number cannot be trusted at all.
fn nik_from_number(n: f64) -> Result<(String, Option<String>), String> {
    if n.fract() != 0.0 || n < 0.0 {
        return Err(format!(
            "NIK tersimpan sebagai angka pecahan ({}); ketik NIK sebagai teks",
            n.to_string().replace('.', ",")
        ));
    }
    if n > 9_007_199_254_740_992.0 {
        return Err(format!(
            "NIK tersimpan sebagai angka ({n:.0}) yang terlalu besar untuk disimpan tepat; \
             ketik NIK sebagai teks"
        ));
    }
    let digits = format!("{n:.0}");
    let warn = (digits.len() == 16 && digits.ends_with('0')).then(|| {
        "NIK tersimpan sebagai angka; Excel hanya menyimpan 15 digit, jadi periksa digit \
         terakhirnya"
            .to_string()
    });
    Ok((digits, warn))
}

/// "A", "B", ... "Z", "AA": how a spreadsheet names the column.
fn column_letter(i: usize) -> String {
    let mut n = i + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    format!("kolom {}", String::from_utf8(s).unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// The preview

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowIssue {
    pub line: usize,
    pub column: String,
    pub field: Option<Field>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowCheck {
    pub line: usize,
    /// What was read, completed from the NIK and with the NIK's 16 digits. Save it only when
    /// [`RowCheck::has_errors`] is false.
    pub participant: Participant,
    pub nik: Option<Nik>,
    pub issues: Vec<RowIssue>,
}

impl RowCheck {
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }
    pub fn errors(&self) -> impl Iterator<Item = &RowIssue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }
    pub fn warnings(&self) -> impl Iterator<Item = &RowIssue> {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Warning)
    }
}

/// Runs [`check`] on each row read, merging the cell errors, and adds a warning for a NIK that
/// appears on more than one row of the file. Checks of a field whose cell was unreadable are left
/// out (a formula in the NIK cell is not also "NIK kosong").
pub fn check_rows(
    table: &Table,
    mapping: &Mapping,
    results: Vec<RowResult>,
    rules: &Rules,
    regions: &Regions,
    today: NaiveDate,
) -> Vec<RowCheck> {
    let column_of = |f: Option<Field>| -> String {
        match f {
            Some(f) => mapping
                .get(f)
                .and_then(|i| table.headers.get(i))
                .filter(|h| !h.is_empty())
                .cloned()
                .unwrap_or_else(|| f.label().to_string()),
            None => String::new(),
        }
    };
    let mut first_line_of_nik: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        let unreadable: HashSet<Field> = r.errors.iter().filter_map(|e| e.field).collect();
        let mut issues: Vec<RowIssue> = r
            .errors
            .into_iter()
            .map(|e| (e, Severity::Error))
            .chain(r.warnings.into_iter().map(|e| (e, Severity::Warning)))
            .map(|(e, severity)| RowIssue {
                line: e.line,
                column: e.column,
                field: e.field,
                severity,
                code: e.code,
                message: e.message,
            })
            .collect();
        let checked = check(&r.read, rules, regions, today);
        for i in checked.issues {
            let field = Field::from_key(i.field);
            if field.is_some_and(|f| unreadable.contains(&f)) {
                continue;
            }
            issues.push(RowIssue {
                line: r.line,
                column: column_of(field),
                field,
                severity: i.severity,
                code: i.code,
                message: i.message,
            });
        }
        let mut p = r.read;
        if let Some(n) = &checked.nik {
            complete_from_nik(&mut p, n);
            p.nik = n.digits.clone();
            match first_line_of_nik.get(&n.digits) {
                Some(first) => issues.push(RowIssue {
                    line: r.line,
                    column: column_of(Some(Field::Nik)),
                    field: Some(Field::Nik),
                    severity: Severity::Warning,
                    code: "nik_duplicate_in_file",
                    message: format!("NIK ini sudah ada pada baris {first}"),
                }),
                None => {
                    first_line_of_nik.insert(n.digits.clone(), r.line);
                }
            }
        } else {
            p.nik = clean(&p.nik).to_string();
        }
        out.push(RowCheck {
            line: r.line,
            participant: p,
            nik: checked.nik,
            issues,
        });
    }
    out
}

/// Reads, maps and checks in one go: what the upload page shows before anything is saved.
pub fn preview(
    table: &Table,
    mapping: &Mapping,
    kabupaten_asal: &str,
    rules: &Rules,
    regions: &Regions,
    today: NaiveDate,
) -> Vec<RowCheck> {
    let results = rows_to_participants(table, mapping, kabupaten_asal);
    check_rows(table, mapping, results, rules, regions, today)
}

#[cfg(test)]
mod tests;
