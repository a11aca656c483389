use super::*;
use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
fn today() -> NaiveDate {
    d(2026, 12, 4)
}
fn text(s: &str) -> Cell {
    Cell::Text(s.into())
}
fn preview_of(bytes: &[u8]) -> (Table, Vec<RowCheck>) {
    let table = read_table(bytes, "uji").unwrap();
    let m = suggest_mapping(&table.headers);
    let rows = preview(
        &table,
        &m,
        "3201",
        &Rules::default(),
        Regions::embedded(),
        today(),
    );
    (table, rows)
}
fn codes(r: &RowCheck) -> Vec<&'static str> {
    r.issues.iter().map(|i| i.code).collect()
}

#[test]
fn n8_names_with_apostrophes_in_utf8_with_bom_are_kept_as_written() {
    let csv = "\u{feff}NIK;Nama Lengkap;Tgl Lahir;L/P\n\
               5171014203890001;Ni Luh Putu Sri'ani;02/03/1989;P\n\
               3201010808430002;Ma'ruf Amin;08/08/1943;L\n";
    let (table, rows) = preview_of(csv.as_bytes());
    assert_eq!(
        table.format,
        Format::Csv {
            separator: ';',
            encoding: TextEncoding::Utf8Bom
        }
    );
    // The BOM is not part of the first header, so "NIK" is recognised.
    assert_eq!(table.headers[0], "NIK");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].participant.nama, "Ni Luh Putu Sri'ani");
    assert_eq!(rows[1].participant.nama, "Ma'ruf Amin");
    assert!(rows.iter().all(|r| r.issues.is_empty()), "{rows:?}");
    assert_eq!(rows[0].line, 2);
}

#[test]
fn n6_numeric_dates_are_day_first() {
    assert_eq!(parse_date("03/04/1990"), Some(d(1990, 4, 3)));
    assert_eq!(parse_date("3/4/1990"), Some(d(1990, 4, 3)));
    assert_eq!(parse_date("03-04-1990"), Some(d(1990, 4, 3)));
    assert_eq!(parse_date("03.04.1990"), Some(d(1990, 4, 3)));
    assert_eq!(parse_date("1990-04-03"), Some(d(1990, 4, 3)));
    assert_eq!(parse_date("1990-04-03 00:00:00"), Some(d(1990, 4, 3)));
    assert_eq!(parse_date("3 April 1990"), Some(d(1990, 4, 3)));
    assert_eq!(parse_date("03 Apr 1990"), Some(d(1990, 4, 3)));
    assert_eq!(parse_date("17 Agustus 1990"), Some(d(1990, 8, 17)));
    assert_eq!(parse_date("17-Agt-1990"), Some(d(1990, 8, 17)));
    assert_eq!(parse_date("5 Nopember 2001"), Some(d(2001, 11, 5)));
    assert_eq!(parse_date("5 Des 2001"), Some(d(2001, 12, 5)));
    assert_eq!(parse_date("Selasa, 3 April 1990"), Some(d(1990, 4, 3)));
    assert_eq!(parse_date("April 3, 1990"), Some(d(1990, 4, 3)));
    assert_eq!(
        parse_date("12/25/1990"),
        None,
        "no month 25: never read as mm/dd"
    );
    assert_eq!(parse_date("03/04/90"), None, "two-digit years are refused");
    assert_eq!(parse_date("31/02/1990"), None);
    assert_eq!(parse_date("32966"), None);
    assert_eq!(parse_date("besok"), None);

    let csv = "NIK,Nama,Tanggal Lahir,L/P\n3201010304900001,Budi,03/04/1990,L\n";
    let (_, rows) = preview_of(csv.as_bytes());
    assert_eq!(rows[0].participant.tanggal_lahir, Some(d(1990, 4, 3)));
    assert!(rows[0].issues.is_empty(), "{:?}", rows[0].issues);
}

#[test]
fn n7_excel_serials_in_a_date_column_are_dates() {
    assert_eq!(excel_serial_date(32966.0), Some(d(1990, 4, 3)));
    assert_eq!(excel_serial_date(1.0), Some(d(1900, 1, 1)));
    assert_eq!(excel_serial_date(59.0), Some(d(1900, 2, 28)));
    assert_eq!(excel_serial_date(60.0), None, "29 February 1900 never was");
    assert_eq!(excel_serial_date(61.0), Some(d(1900, 3, 1)));
    assert_eq!(excel_serial_date(0.0), None);

    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let datefmt = XFormat::new().set_num_format("dd/mm/yyyy");
    ws.write_string(0, 0, "NIK").unwrap();
    ws.write_string(0, 1, "Nama").unwrap();
    ws.write_string(0, 2, "Tanggal Lahir").unwrap();
    ws.write_string(0, 3, "Jenis Kelamin").unwrap();
    ws.write_string(1, 3, "L").unwrap();
    ws.write_string(2, 3, "L").unwrap();
    ws.write_string(1, 0, "3201010304900001").unwrap();
    ws.write_string(1, 1, "Budi").unwrap();
    ws.write_number(1, 2, 32966).unwrap();
    ws.write_string(2, 0, "3201010304900002").unwrap();
    ws.write_string(2, 1, "Dewi").unwrap();
    ws.write_datetime_with_format(2, 2, ExcelDateTime::from_ymd(1990, 4, 3).unwrap(), &datefmt)
        .unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let (table, rows) = preview_of(&bytes);
    assert_eq!(table.format, Format::Xlsx);
    assert_eq!(table.rows[0].cells[2], Cell::Number(32966.0));
    assert_eq!(table.rows[1].cells[2], Cell::Date(d(1990, 4, 3)));
    for r in &rows {
        assert_eq!(r.participant.tanggal_lahir, Some(d(1990, 4, 3)));
        assert!(r.issues.is_empty(), "{:?}", r.issues);
    }
    assert_eq!(rows[0].line, 2);
    assert_eq!(table.sheet_names, ["Sheet1"]);
}

#[test]
fn windows_1252_csv_is_decoded() {
    // Excel's plain "CSV" on Windows: the curly apostrophe is 0x92, Ñ is 0xD1.
    let mut bytes = b"NIK;Nama\r\n3201014203890001;Sri".to_vec();
    bytes.push(0x92);
    bytes.extend_from_slice(b"ani\r\n3201010808430002;Fransiska ");
    bytes.push(0xD1);
    bytes.extend_from_slice(b". Wuri\r\n");
    let (table, rows) = preview_of(&bytes);
    assert_eq!(
        table.format,
        Format::Csv {
            separator: ';',
            encoding: TextEncoding::Windows1252
        }
    );
    assert_eq!(rows[0].participant.nama, "Sri\u{2019}ani");
    assert_eq!(rows[1].participant.nama, "Fransiska Ñ. Wuri");
}

#[test]
fn separators_are_sniffed_from_the_header() {
    for (sep, csv) in [
        (
            ';',
            "NIK;Nama;Alamat\n3201014203890001;Siti;\"Jl. Merdeka, No. 5\"\n",
        ),
        (
            ',',
            "NIK,Nama,Alamat\n3201014203890001,Siti,\"Jl. Merdeka; No. 5\"\n",
        ),
        (
            '\t',
            "NIK\tNama\tAlamat\n3201014203890001\tSiti\tJl. Merdeka, No. 5\n",
        ),
        // A comma inside a quoted header does not count.
        (
            ';',
            "\"NIK, 16 digit\";Nama;Alamat\n3201014203890001;Siti;Jl. Merdeka\n",
        ),
    ] {
        let table = read_table(csv.as_bytes(), "uji.csv").unwrap();
        assert_eq!(
            table.format,
            Format::Csv {
                separator: sep,
                encoding: TextEncoding::Utf8
            },
            "{csv}"
        );
        assert_eq!(table.headers.len(), 3, "{csv}");
        assert_eq!(table.rows[0].cells.len(), 3, "{csv}");
    }
}

#[test]
fn a_quoted_newline_stays_in_its_cell_and_lines_count_rows() {
    let csv = "NIK;Nama;Alamat\n\
               3201014203890001;Siti;\"Jl. Merdeka 5\nRT 01/RW 02\"\n\
               3201010808430002;Budi;Jl. Sudirman\n\
               32010108084300;Agus;Jl. Salak\n";
    let (table, rows) = preview_of(csv.as_bytes());
    assert_eq!(rows[0].participant.alamat, "Jl. Merdeka 5\nRT 01/RW 02");
    assert_eq!(
        table.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        [2, 3, 4]
    );
    assert_eq!(rows[2].line, 4);
    assert_eq!(codes(&rows[2]), ["nik_length"]);
    assert_eq!(rows[2].issues[0].column, "NIK");
}

#[test]
fn ragged_rows_are_reported() {
    let csv = "NIK,Nama,L/P\n3201014203890001,Siti Aminah,P\n3201010808430002,Budi, S.Pd,L\n3201010808430003,Agus\n";
    let (table, rows) = preview_of(csv.as_bytes());
    assert_eq!(table.ragged_rows(), [(3, 4), (4, 2)]);
    assert!(!rows[0].has_errors());
    assert_eq!(rows[1].errors().next().unwrap().code, "row_ragged");
    // A short row is read with its missing cells empty.
    assert_eq!(rows[2].participant.nama, "Agus");
}

fn formula_book() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["NIK", "Nama", "Tanggal Lahir", "Jenis Kelamin"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "3201014203890001").unwrap();
    ws.write_string(1, 1, "Siti").unwrap();
    // The date computed by a formula: its cached value must not be trusted.
    ws.write_formula(1, 2, "=DATE(1989,3,2)").unwrap();
    ws.write_string(1, 3, "P").unwrap();
    ws.write_formula(2, 0, "=\"3201010808430002\"").unwrap();
    ws.write_string(2, 1, "Budi").unwrap();
    ws.write_string(2, 3, "L").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_formula_cell_is_an_error_for_that_cell() {
    let (table, rows) = preview_of(&formula_book());
    assert_eq!(
        table.rows[0].cells[2],
        Cell::Formula("DATE(1989,3,2)".into())
    );
    assert!(rows[0].has_errors());
    let e = rows[0].errors().next().unwrap();
    assert_eq!(
        (e.line, e.column.as_str(), e.code),
        (2, "Tanggal Lahir", "cell_formula")
    );
    assert!(e.message.contains("rumus"), "{}", e.message);
    // The NIK cell being a formula is one error, not also "NIK kosong".
    assert_eq!(codes(&rows[1]), ["cell_formula"]);
    let results = rows_to_participants(&table, &suggest_mapping(&table.headers), "3201");
    assert!(results.iter().all(|r| r.participant.is_none()));
}

#[test]
fn a_nik_stored_as_a_number_is_read_exactly() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "No KTP").unwrap();
    ws.write_string(0, 1, "Nama").unwrap();
    ws.write_number(1, 0, 3201014203890001.0).unwrap();
    ws.write_string(1, 1, "Siti").unwrap();
    ws.write_number(2, 0, 3.201234567890123E15).unwrap();
    ws.write_string(2, 1, "Budi").unwrap();
    ws.write_number(3, 0, 3201014203890001.5 / 10.0).unwrap();
    ws.write_string(3, 1, "Pecahan").unwrap();
    ws.write_number(4, 0, 3201014203890010.0).unwrap();
    ws.write_string(4, 1, "Nol").unwrap();
    let (table, rows) = preview_of(&wb.save_to_buffer().unwrap());
    assert!(matches!(table.rows[0].cells[0], Cell::Number(_)));
    assert_eq!(rows[0].participant.nik, "3201014203890001");
    assert!(!rows[0].has_errors(), "{:?}", rows[0].issues);
    let results = rows_to_participants(&table, &suggest_mapping(&table.headers), "3201");
    assert_eq!(results[1].read.nik, "3201234567890123");
    let e = rows[2].errors().next().unwrap();
    assert_eq!(e.code, "nik_number");
    assert!(
        e.message.contains("NIK tersimpan sebagai angka pecahan"),
        "{}",
        e.message
    );
    assert!(rows[3].warnings().any(|w| w.code == "nik_number"));
}

#[test]
fn files_that_are_no_spreadsheet_are_refused() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let e = read_table(png, "daftar.xlsx").unwrap_err();
    assert_eq!(e.code(), "not_a_spreadsheet");
    assert!(e.to_string().contains("gambar PNG"), "{e}");
    assert!(e.to_string().contains("daftar.xlsx"), "{e}");
    let e = read_table(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a.csv").unwrap_err();
    assert!(e.to_string().contains("PDF"), "{e}");
    // Unknown binary: NUL bytes and control characters.
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    assert_eq!(
        read_table(&garbage, "x").unwrap_err().code(),
        "not_a_spreadsheet"
    );
    // A zip that is no workbook.
    let e = read_table(b"PK\x03\x04\x14\0\0\0\0\0garbage", "x.xlsx").unwrap_err();
    assert_eq!(e.code(), "not_a_spreadsheet", "{e}");
    assert_eq!(read_table(b"", "x").unwrap_err(), ImportError::Empty);
    assert_eq!(read_table(b" \n \n", "x").unwrap_err(), ImportError::Empty);
}

#[test]
fn files_over_20_mb_are_refused_with_their_size() {
    let big = vec![b'a'; MAX_BYTES + 1];
    let e = read_table(&big, "besar.csv").unwrap_err();
    assert_eq!(e.code(), "too_large");
    assert_eq!(
        e.to_string(),
        "Berkas terlalu besar: 20,0 MB; batasnya 20,0 MB"
    );
    let e = read_table(&vec![b'a'; 31 * 1024 * 1024], "besar.csv").unwrap_err();
    assert!(e.to_string().contains("31,0 MB"), "{e}");
}

/// A valid NIK for row `i`: region 3201xx, dates spread over 1980–2004, serial from the row.
fn nik_for(i: usize, female: bool) -> (String, NaiveDate) {
    let born = d(1980, 1, 1) + chrono::Duration::days((i * 37 % 9000) as i64);
    let day = chrono::Datelike::day(&born) + if female { 40 } else { 0 };
    let nik = format!(
        "3201{:02}{:02}{:02}{:02}{:04}",
        i % 30 + 1,
        day,
        chrono::Datelike::month(&born),
        chrono::Datelike::year(&born) % 100,
        i % 9999 + 1
    );
    (nik, born)
}

#[test]
fn ten_thousand_rows_with_37_bad_are_all_reported_with_their_lines() {
    let mut csv = String::from("No;NIK;Nama Lengkap;Tanggal Lahir;L/P;Pendidikan Terakhir;No HP\n");
    let mut bad_lines = Vec::new();
    for i in 0..10_000 {
        let line = i + 2;
        let female = i % 3 == 0;
        let (mut nik, born) = nik_for(i, female);
        let mut date = born.format("%d/%m/%Y").to_string();
        let mut sex = if female { "P" } else { "L" };
        let mut phone = "0812-3456-7890".to_string();
        if i % 270 == 5 && bad_lines.len() < 37 {
            bad_lines.push(line);
            match bad_lines.len() % 5 {
                0 => nik.truncate(15),
                1 => nik.replace_range(6..8, "32"),
                2 => sex = if female { "L" } else { "P" },
                3 => date = "31/02/1990".into(),
                _ => phone = "bukan nomor".into(),
            }
        }
        csv.push_str(&format!(
            "{};{nik};Peserta {i};{date};{sex};SMK;{phone}\n",
            i + 1
        ));
    }
    // Template rows with only the "No" column filled are not people.
    csv.push_str("10001;;;;;;\n10002;;;;;;\n");
    assert_eq!(bad_lines.len(), 37);
    let (_, rows) = preview_of(csv.as_bytes());
    assert_eq!(rows.len(), 10_000);
    let got: Vec<usize> = rows
        .iter()
        .filter(|r| r.has_errors())
        .map(|r| r.line)
        .collect();
    assert_eq!(got, bad_lines);
    for r in rows.iter().filter(|r| r.has_errors()) {
        assert!(
            r.errors().all(|e| e.line == r.line && !e.column.is_empty()),
            "{r:?}"
        );
    }
}

#[test]
fn headers_people_write_are_recognised() {
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let m = suggest_mapping(&h(&[
        "No",
        "No. KTP",
        "NAMA LENGKAP",
        "Tempat Lahir",
        "Tgl. Lahir",
        "L / P",
        "Alamat",
        "Pendidikan Terakhir",
        "No HP/WA",
        "E-mail",
        "Nama Ibu Kandung",
    ]));
    assert_eq!(m.get(Field::Nik), Some(1));
    assert_eq!(m.get(Field::Nama), Some(2));
    assert_eq!(m.get(Field::TempatLahir), Some(3));
    assert_eq!(m.get(Field::TanggalLahir), Some(4));
    assert_eq!(m.get(Field::JenisKelamin), Some(5));
    assert_eq!(m.get(Field::Alamat), Some(6));
    assert_eq!(m.get(Field::Pendidikan), Some(7));
    assert_eq!(m.get(Field::Telepon), Some(8));
    assert_eq!(m.get(Field::Email), Some(9));
    assert!(m.missing_required().is_empty());
    let m = suggest_mapping(&h(&["NIK (16 digit)", "Jenis Kelamin", "Telepon"]));
    assert_eq!(m.get(Field::Nik), Some(0));
    assert_eq!(m.get(Field::JenisKelamin), Some(1));
    assert_eq!(m.get(Field::Telepon), Some(2));
    assert_eq!(m.missing_required(), [Field::Nama]);
    assert_eq!(
        suggest_mapping(&[]).missing_required(),
        [Field::Nik, Field::Nama]
    );

    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(json, "{\"nik\":0,\"jenis_kelamin\":1,\"telepon\":2}");
    assert_eq!(serde_json::from_str::<Mapping>(&json).unwrap(), m);
    let names = m.to_names(&h(&["NIK (16 digit)", "Jenis Kelamin", "Telepon"]));
    let moved = Mapping::from_names(&names, &h(&["Telepon", "nik (16 digit)", "Jenis kelamin"]));
    assert_eq!(moved.get(Field::Nik), Some(1));
    assert_eq!(moved.get(Field::Telepon), Some(0));
}

#[test]
fn a_combined_place_and_date_of_birth_column_is_split() {
    let csv = "NIK;Nama;\"Tempat, Tanggal Lahir\";JK\n5171014203890001;Ni Luh;\"Denpasar, 02-03-1989\";P\n";
    let (_, rows) = preview_of(csv.as_bytes());
    assert_eq!(rows[0].participant.tempat_lahir, "Denpasar");
    assert_eq!(rows[0].participant.tanggal_lahir, Some(d(1989, 3, 2)));
    assert!(rows[0].issues.is_empty(), "{:?}", rows[0].issues);
}

#[test]
fn unreadable_cells_name_row_and_column() {
    let csv = "NIK;Nama;Tgl Lahir;JK;Pendidikan;Disabilitas;Status Pekerjaan\n\
               3201014203890001;Siti;kemarin;X;kursus;ya;entah\n\
               3201010808430002;Budi;08/08/1943;L;SMA;Tidak;Belum bekerja\n\
               3,20101E+15;Agus;;;;Tuna netra;\n";
    let (_, rows) = preview_of(csv.as_bytes());
    let cols: Vec<(&str, &str)> = rows[0]
        .errors()
        .map(|e| (e.column.as_str(), e.code))
        .collect();
    assert_eq!(
        cols,
        [
            ("Tgl Lahir", "tanggal_unreadable"),
            ("JK", "jenis_kelamin_unknown"),
            ("Pendidikan", "pendidikan_unknown"),
            ("Disabilitas", "disabilitas_unknown"),
            ("Status Pekerjaan", "status_kerja_unknown"),
        ]
    );
    assert!(rows[0].errors().all(|e| e.line == 2));
    assert!(!rows[1].has_errors(), "{:?}", rows[1].issues);
    assert_eq!(rows[1].participant.disabilitas, None);
    assert_eq!(rows[2].errors().next().unwrap().code, "nik_scientific");
    assert_eq!(rows[2].participant.disabilitas, Some(Disability::Sensorik));
}

#[test]
fn the_first_sheet_with_data_is_read() {
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("Petunjuk").unwrap();
    let ws = wb.add_worksheet().set_name("Peserta").unwrap();
    ws.write_string(2, 1, "NIK").unwrap();
    ws.write_string(2, 2, "Nama").unwrap();
    ws.write_string(3, 1, "3201014203890001").unwrap();
    ws.write_string(3, 2, "Siti").unwrap();
    let table = read_table(&wb.save_to_buffer().unwrap(), "x").unwrap();
    assert_eq!(table.sheet_names, ["Petunjuk", "Peserta"]);
    assert_eq!(table.sheet.as_deref(), Some("Peserta"));
    assert_eq!(table.header_line, 3);
    assert_eq!(table.rows[0].line, 4);
    assert_eq!(table.headers, ["NIK", "Nama"]);
    assert_eq!(
        table.rows[0].cells,
        [text("3201014203890001"), text("Siti")]
    );
}

#[test]
fn duplicate_niks_within_a_file_are_warned() {
    let csv = "NIK;Nama\n3201014203890001;Siti\n3201014203890001 ;Siti A.\n";
    let (_, rows) = preview_of(csv.as_bytes());
    assert_eq!(
        codes(&rows[1]),
        [
            "tanggal_lahir_from_nik",
            "jenis_kelamin_from_nik",
            "nik_duplicate_in_file"
        ]
    );
    assert!(rows[1].warnings().any(|w| w.message.contains("baris 2")));
}

#[test]
fn n1_a_nik_padded_with_spaces_in_a_cell_is_valid() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["NIK", "Nama", "Jenis Kelamin", "Tanggal Lahir"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, " 3201014203890001\u{a0} ").unwrap();
    ws.write_string(1, 1, "Siti").unwrap();
    ws.write_string(1, 2, "P").unwrap();
    ws.write_string(1, 3, "02/03/1989").unwrap();
    // Too large for an f64 to hold every integer: cannot be trusted.
    ws.write_number(2, 0, 9_471_014_203_890_001.0).unwrap();
    ws.write_string(2, 1, "Besar").unwrap();
    let (_, rows) = preview_of(&wb.save_to_buffer().unwrap());
    assert!(rows[0].issues.is_empty(), "{:?}", rows[0].issues);
    assert_eq!(rows[0].participant.nik, "3201014203890001");
    let e = rows[1].errors().next().unwrap();
    assert_eq!(e.code, "nik_number");
    assert!(e.message.contains("terlalu besar"), "{}", e.message);
}

#[test]
fn utf16_text_from_excel_is_read() {
    let content = "NIK\tNama\r\n3201014203890001\tSri\u{2019}ani\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in content.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let table = read_table(&bytes, "x.txt").unwrap();
    assert_eq!(
        table.format,
        Format::Csv {
            separator: '\t',
            encoding: TextEncoding::Utf16Le
        }
    );
    assert_eq!(table.rows[0].cells[1], text("Sri\u{2019}ani"));
}

#[test]
fn crlf_rows_are_numbered_as_the_spreadsheet_shows_them() {
    let csv = "NIK;Nama\r\n3201014503000101;Siti\r\n32010;Budi\r\n";
    let table = read_table(csv.as_bytes(), "crlf.csv").unwrap();
    assert_eq!(table.header_line, 1);
    let lines: Vec<usize> = table.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![2, 3]);
}
