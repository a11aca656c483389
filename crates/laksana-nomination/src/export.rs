//! Participant lists for people to open in Excel or LibreOffice. The headers are the ones
//! `import::suggest_mapping` recognises, so an exported list can be corrected and uploaded again.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::import::Field;
use crate::participant::{normalize_phone, Participant};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRow {
    pub participant: Participant,
    /// "Kabupaten Bogor".
    pub kabupaten_nama: String,
    /// "Utama", "Cadangan 2", "Duplikat", ...
    pub status: String,
    pub catatan: String,
}

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("Berkas XLSX tidak dapat dibuat: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("Tanggal {0} tidak dapat ditulis ke Excel (hanya tahun 1900–9999)")]
    Date(NaiveDate),
}

const HEADERS: [&str; 16] = [
    "No",
    "NIK",
    "Nama Lengkap",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Jenis Kelamin",
    "Alamat",
    "Kode Wilayah",
    "Pendidikan Terakhir",
    "Disabilitas",
    "Status Kerja",
    "No HP",
    "E-mail",
    "Kabupaten/Kota Asal",
    "Status",
    "Catatan",
];
/// Column widths in characters: NIK and dates fit whole, names and addresses get room.
const WIDTHS: [f64; 16] = [
    5.0, 19.0, 30.0, 16.0, 13.0, 13.0, 36.0, 14.0, 20.0, 22.0, 18.0, 16.0, 26.0, 24.0, 11.0, 30.0,
];

/// The text cells of one row, in `HEADERS` order, the date apart (index 4).
fn texts(i: usize, r: &ExportRow) -> [String; 16] {
    let p = &r.participant;
    [
        (i + 1).to_string(),
        p.nik.clone(),
        p.nama.clone(),
        p.tempat_lahir.clone(),
        p.tanggal_lahir
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        p.jenis_kelamin
            .map(|s| s.label().to_string())
            .unwrap_or_default(),
        p.alamat.clone(),
        p.kode_wilayah.clone(),
        p.pendidikan
            .map(|e| e.label().to_string())
            .unwrap_or_default(),
        p.disabilitas
            .map_or("Tidak".to_string(), |d| d.label().to_string()),
        p.status_kerja
            .map(|s| s.label().to_string())
            .unwrap_or_default(),
        normalize_phone(&p.telepon).unwrap_or_else(|| p.telepon.clone()),
        p.email.clone(),
        r.kabupaten_nama.clone(),
        r.status.clone(),
        r.catatan.clone(),
    ]
}

/// An XLSX workbook with one sheet "Peserta". The NIK is a text cell with the text format "@" (N2):
/// written as a number, Excel would keep 15 significant digits and show 3,20123E+15. Dates are real
/// date cells shown dd/mm/yyyy, so they sort and filter as dates. The header row is bold, frozen
/// and carries an autofilter.
pub fn to_xlsx(rows: &[ExportRow]) -> Result<Vec<u8>, ExportError> {
    debug_assert_eq!(HEADERS[1], Field::Nik.label());
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(0xD9E1F2);
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let ws = wb.add_worksheet();
    ws.set_name("Peserta")?;
    for (c, (h, w)) in HEADERS.iter().zip(WIDTHS).enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *h, &bold)?;
        ws.set_column_width(c, w)?;
    }
    // Empty NIK cells a user fills in later are text too.
    ws.set_column_format(1, &text)?;
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (c, value) in texts(i, r).into_iter().enumerate() {
            let c = c as u16;
            match c {
                0 => {
                    ws.write_number(row, c, (i + 1) as f64)?;
                }
                4 => {
                    if let Some(d) = r.participant.tanggal_lahir {
                        let (y, m, day) = (d.year(), d.month(), d.day());
                        let x = u16::try_from(y)
                            .ok()
                            .and_then(|y| ExcelDateTime::from_ymd(y, m as u8, day as u8).ok())
                            .ok_or(ExportError::Date(d))?;
                        ws.write_datetime_with_format(row, c, x, &date)?;
                    }
                }
                _ if value.is_empty() => {}
                1 | 7 | 11 => {
                    // NIK, codes and phone numbers are identifiers: text, leading zeros kept.
                    ws.write_string_with_format(row, c, &value, &text)?;
                }
                _ => {
                    ws.write_string(row, c, &value)?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as u32, (HEADERS.len() - 1) as u16)?;
    Ok(wb.save_to_buffer()?)
}

/// A CSV that Excel opens right on an Indonesian Windows: UTF-8 with a byte order mark (without it
/// Excel reads the bytes as Windows-1252 and "Sri'ani" with a curly quote or "Ñ" turn to mojibake),
/// ";" between fields because with Indonesian regional settings the decimal separator is "," and
/// Excel then splits CSV on ";", and CRLF line ends. Dates are dd/mm/yyyy. Excel still shows a
/// 16-digit NIK from a CSV as a number; the XLSX export is the one for people to edit.
///
/// Cells starting with "=", "+", "-" or "@" get a leading apostrophe so that Excel does not run
/// them as formulas (CSV injection); phone numbers are written as "08..." and never need it.
pub fn to_csv(rows: &[ExportRow]) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail, and every record has the header's length.
    let _ = w.write_record(HEADERS);
    for (i, r) in rows.iter().enumerate() {
        let cells = texts(i, r).map(|v| {
            if v.starts_with(['=', '+', '-', '@']) {
                format!("'{v}")
            } else {
                v
            }
        });
        let _ = w.write_record(&cells);
    }
    let bytes = w.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8(bytes).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{preview, read_table, suggest_mapping, Cell};
    use crate::nik::Sex;
    use crate::participant::{Disability, EmploymentStatus, Rules};
    use crate::region::Regions;
    use calamine::{Data, Reader};
    use laksana_domain::Education;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rows() -> Vec<ExportRow> {
        vec![
            ExportRow {
                participant: Participant {
                    nik: "3201234567890123".into(),
                    nama: "Ni Luh Putu Sri'ani".into(),
                    tempat_lahir: "Denpasar".into(),
                    tanggal_lahir: Some(d(1989, 3, 2)),
                    jenis_kelamin: Some(Sex::Perempuan),
                    alamat: "Jl. Merdeka 5; RT 01".into(),
                    kode_wilayah: "51.71.01".into(),
                    pendidikan: Some(Education::Sma),
                    disabilitas: Some(Disability::Sensorik),
                    status_kerja: Some(EmploymentStatus::BelumBekerja),
                    telepon: "+62 812-3456-7890".into(),
                    email: "niluh@contoh.id".into(),
                    kabupaten_asal: "5171".into(),
                },
                kabupaten_nama: "Kota Denpasar".into(),
                status: "Utama".into(),
                catatan: "=HYPERLINK(\"x\")".into(),
            },
            ExportRow {
                participant: Participant {
                    nik: "9471010101990009".into(),
                    nama: "Ma'ruf".into(),
                    ..Default::default()
                },
                kabupaten_nama: "Kabupaten Jayapura".into(),
                status: "Cadangan 1".into(),
                catatan: String::new(),
            },
        ]
    }

    #[test]
    fn n2_the_nik_is_a_16_digit_text_cell_in_xlsx() {
        let bytes = to_xlsx(&rows()).unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
        let range = book.worksheet_range("Peserta").unwrap();
        assert_eq!(
            range.get_value((1, 1)),
            Some(&Data::String("3201234567890123".into()))
        );
        assert_eq!(
            range.get_value((2, 1)),
            Some(&Data::String("9471010101990009".into()))
        );
        assert_eq!(range.get_value((0, 1)), Some(&Data::String("NIK".into())));
        // The date is a date cell, not text.
        assert!(matches!(range.get_value((1, 4)), Some(Data::DateTime(_))));
        // The formula-looking note is plain text in XLSX.
        assert_eq!(
            range.get_value((1, 15)),
            Some(&Data::String("=HYPERLINK(\"x\")".into()))
        );
        let formulas = book.worksheet_formula("Peserta").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
        // And our own importer reads the export back as it was.
        let table = read_table(&bytes, "ekspor.xlsx").unwrap();
        assert_eq!(
            table.rows[0].cells[1],
            Cell::Text("3201234567890123".into())
        );
        assert_eq!(table.rows[0].cells[4], Cell::Date(d(1989, 3, 2)));
        let m = suggest_mapping(&table.headers);
        assert!(m.missing_required().is_empty());
        let back = preview(
            &table,
            &m,
            "5171",
            &Rules::default(),
            Regions::embedded(),
            d(2026, 12, 4),
        );
        let mut want = rows()[0].participant.clone();
        want.telepon = "081234567890".into();
        assert_eq!(back[0].participant, want);
    }

    #[test]
    fn csv_has_a_bom_semicolons_and_crlf() {
        let csv = to_csv(&rows());
        assert!(csv.starts_with("\u{feff}No;NIK;Nama Lengkap;"));
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert!(lines[1].starts_with(
            "1;3201234567890123;Ni Luh Putu Sri'ani;Denpasar;02/03/1989;Perempuan;\"Jl. Merdeka 5; RT 01\";"
        ), "{}", lines[1]);
        assert!(lines[1].contains(";081234567890;"), "{}", lines[1]);
        assert!(
            lines[1].ends_with(";\"'=HYPERLINK(\"\"x\"\")\""),
            "{}",
            lines[1]
        );
        assert!(lines[2].contains(";Tidak;"), "{}", lines[2]);
        // And it reads back through the importer.
        let table = read_table(csv.as_bytes(), "ekspor.csv").unwrap();
        let back = preview(
            &table,
            &suggest_mapping(&table.headers),
            "5171",
            &Rules::default(),
            Regions::embedded(),
            d(2026, 12, 4),
        );
        assert_eq!(back[0].participant.nama, "Ni Luh Putu Sri'ani");
        assert_eq!(back[0].participant.tanggal_lahir, Some(d(1989, 3, 2)));
        assert_eq!(back[0].participant.disabilitas, Some(Disability::Sensorik));
    }
}
