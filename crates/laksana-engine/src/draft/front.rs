//! The text above the table: the identity block (unit, "Nama SOP", Nomor SOP and dates), the
//! six boxes (Dasar Hukum … Pencatatan dan Pendataan) and a second title, if any.
//!
//! The boxes stand two by two side by side, so the extraction gives the left box's lines and
//! then the right box's, or both on one line ("Penyelenggaraan Pelatihan 1. Alat Tulis
//! Kantor"). A list restarting at "1." after the left box has items, or a "1." after text on
//! the same line, starts the right box.

use super::words::normalise;

/// The six boxes of the first page, in the order of the format's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kotak {
    DasarHukum,
    Kualifikasi,
    Keterkaitan,
    Peralatan,
    Peringatan,
    Pencatatan,
}

impl Kotak {
    pub(super) const ALL: [Kotak; 6] = [
        Kotak::DasarHukum,
        Kotak::Kualifikasi,
        Kotak::Keterkaitan,
        Kotak::Peralatan,
        Kotak::Peringatan,
        Kotak::Pencatatan,
    ];

    /// The definition file's key for the box.
    pub(super) fn key(self) -> &'static str {
        match self {
            Kotak::DasarHukum => "dasar_hukum",
            Kotak::Kualifikasi => "kualifikasi_pelaksana",
            Kotak::Keterkaitan => "keterkaitan",
            Kotak::Peralatan => "peralatan_perlengkapan",
            Kotak::Peringatan => "peringatan",
            Kotak::Pencatatan => "pencatatan_pendataan",
        }
    }

    /// The label's words as printed, longest spelling first.
    fn spellings(self) -> &'static [&'static [&'static str]] {
        match self {
            Kotak::DasarHukum => &[&["DASAR", "HUKUM"]],
            Kotak::Kualifikasi => &[&["KUALIFIKASI", "PELAKSANA"]],
            Kotak::Keterkaitan => &[&["KETERKAITAN"]],
            Kotak::Peralatan => &[
                &["PERALATAN", "/", "PERLENGKAPAN"],
                &["PERALATAN", "DAN", "PERLENGKAPAN"],
                &["PERALATAN"],
            ],
            Kotak::Peringatan => &[&["PERINGATAN"]],
            Kotak::Pencatatan => &[
                &["PENCATATAN", "DAN", "PENDATAAN"],
                &["PENCATATAN", "/", "PENDATAAN"],
                &["PENCATATAN"],
            ],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Nama,
    Nomor,
    Pembuatan,
    Revisi,
    Efektif,
    Disahkan,
}

const LABELS: &[(&str, Field)] = &[
    ("nama sop", Field::Nama),
    ("judul sop", Field::Nama),
    ("nomor sop", Field::Nomor),
    ("no. sop", Field::Nomor),
    ("tanggal pembuatan", Field::Pembuatan),
    ("tgl. pembuatan", Field::Pembuatan),
    ("tanggal revisi", Field::Revisi),
    ("tgl. revisi", Field::Revisi),
    ("tanggal efektif", Field::Efektif),
    ("tgl. efektif", Field::Efektif),
    ("disahkan oleh", Field::Disahkan),
];

/// What was read above the table. `None` and empty lists mean "not in the text".
#[derive(Debug, Default)]
pub(super) struct Front {
    pub unit: Option<String>,
    pub nama: Option<String>,
    pub subjudul: Option<String>,
    pub nomor: Option<String>,
    pub tanggal_pembuatan: Option<String>,
    pub tanggal_revisi: Option<String>,
    pub tanggal_efektif: Option<String>,
    /// The "Disahkan oleh" text (usually only the title survives extraction).
    pub disahkan_oleh: Option<String>,
    /// Items of each box, indexed like [`Kotak::ALL`].
    pub boxes: [Vec<String>; 6],
}

impl Front {
    pub(super) fn items(&self, b: Kotak) -> &[String] {
        &self.boxes[b as usize]
    }
}

/// Reads the lines above the table header.
pub(super) fn read(lines: &[&str]) -> Front {
    let lines: Vec<&str> = lines
        .iter()
        .map(|l| l.trim_end())
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut front = Front::default();
    let first_box = lines.iter().position(|l| box_header(l).is_some());
    let (identity, boxes) = lines.split_at(first_box.unwrap_or(lines.len()));
    read_identity(identity, &mut front);

    // A second title stands alone in capitals just above the table (the seed's "REGISTRASI
    // PENYELENGARAAN PELATIHAN"), after the boxes.
    let mut boxes = boxes.to_vec();
    if let Some(last) = boxes.last() {
        if box_header(last).is_none() && is_title_line(last) {
            front.subjudul = Some(normalise(last));
            boxes.pop();
        }
    }
    read_boxes(&boxes, &mut front);
    front
}

/// A line of capitals without a list number or a label, e.g. a title's second line.
fn is_caps_line(line: &str) -> bool {
    let text = line.trim();
    let starts_with_number = text.chars().next().is_some_and(|c| c.is_ascii_digit());
    !starts_with_number
        && !text.contains(':')
        && text.chars().any(char::is_alphabetic)
        && !text.chars().any(char::is_lowercase)
}

/// A title on its own line: capitals, at least two words.
fn is_title_line(line: &str) -> bool {
    is_caps_line(line) && line.split_whitespace().count() >= 2
}

fn read_identity(lines: &[&str], front: &mut Front) {
    let mut unit_parts: Vec<String> = Vec::new();
    let mut nama_parts: Vec<String> = Vec::new();
    let mut seen_label = false;
    let mut after_nama = false;
    for line in lines {
        let (prefix, fields) = split_labels(line);
        if fields.is_empty() {
            if after_nama && (is_caps_line(line) || nama_parts.is_empty()) {
                nama_parts.push(line.trim().to_string());
                continue;
            }
            after_nama = false;
            if !seen_label {
                unit_parts.push(line.trim().to_string());
            }
            continue;
        }
        if !prefix.is_empty() {
            unit_parts.push(prefix);
        }
        seen_label = true;
        after_nama = false;
        for (field, value) in fields {
            let slot = match field {
                Field::Nama => {
                    after_nama = true;
                    if !value.is_empty() && nama_parts.is_empty() {
                        nama_parts.push(value);
                    }
                    continue;
                }
                Field::Nomor => &mut front.nomor,
                Field::Pembuatan => &mut front.tanggal_pembuatan,
                Field::Revisi => &mut front.tanggal_revisi,
                Field::Efektif => &mut front.tanggal_efektif,
                Field::Disahkan => &mut front.disahkan_oleh,
            };
            after_nama = false;
            if slot.is_none() && !value.is_empty() {
                *slot = Some(value);
            }
        }
    }
    front.unit = Some(normalise(&unit_parts.join(" "))).filter(|u| !u.is_empty());
    front.nama = Some(normalise(&nama_parts.join(" "))).filter(|n| !n.is_empty());
}

/// The text before the first identity label on the line, and each label's value.
fn split_labels(line: &str) -> (String, Vec<(Field, String)>) {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` cut `line`.
    let lower = line.to_ascii_lowercase();
    let mut found: Vec<(usize, usize, Field)> = Vec::new();
    for (label, field) in LABELS {
        let mut from = 0;
        while let Some(at) = lower[from..].find(label).map(|i| i + from) {
            let before_ok = at == 0 || lower[..at].ends_with(char::is_whitespace);
            let end = at + label.len();
            let after_ok = lower[end..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || c == ':');
            if before_ok && after_ok {
                found.push((at, end, *field));
            }
            from = end;
        }
    }
    found.sort_by_key(|(at, _, _)| *at);
    let Some((first, _, _)) = found.first() else {
        return (String::new(), Vec::new());
    };
    let prefix = normalise(&line[..*first]);
    let fields = found
        .iter()
        .enumerate()
        .map(|(i, (_, end, field))| {
            let stop = found.get(i + 1).map_or(line.len(), |next| next.0);
            let value = line[*end..stop].trim().trim_start_matches(':');
            (*field, normalise(value))
        })
        .collect();
    (prefix, fields)
}

/// The boxes named by a header line such as "DASAR HUKUM : KUALIFIKASI PELAKSANA :", in
/// order; `None` when the line holds anything else.
fn box_header(line: &str) -> Option<Vec<Kotak>> {
    let spaced = line.to_uppercase().replace(':', " ").replace('/', " / ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let mut boxes = Vec::new();
    let mut i = 0;
    'words: while i < words.len() {
        for b in Kotak::ALL {
            for spelling in b.spellings() {
                if words[i..].starts_with(spelling) {
                    boxes.push(b);
                    i += spelling.len();
                    continue 'words;
                }
            }
        }
        return None;
    }
    (!boxes.is_empty()).then_some(boxes)
}

fn read_boxes(lines: &[&str], front: &mut Front) {
    let mut groups: Vec<(Vec<Kotak>, Vec<&str>)> = Vec::new();
    for line in lines {
        match box_header(line) {
            Some(boxes) => groups.push((boxes, Vec::new())),
            None => {
                if let Some((_, content)) = groups.last_mut() {
                    content.push(line);
                }
            }
        }
    }
    for (boxes, content) in groups {
        let columns = read_columns(&content, boxes.len().min(2));
        for (b, items) in boxes.into_iter().zip(columns) {
            front.boxes[b as usize].extend(items);
        }
    }
}

/// One piece of a box line.
#[derive(Debug, PartialEq)]
enum Segment {
    /// "2. Komputer …": an item numbered 2.
    Numbered(u32, String),
    /// "• Komputer" or "- Komputer": an item without a number.
    Bullet(String),
    /// A lone "-": the box is empty.
    Dash,
    /// Text that starts an unnumbered item or continues the previous one.
    Text(String),
}

/// "1. " or "1) " at the start: the number and the rest.
fn item_number(text: &str) -> Option<(u32, &str)> {
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 2 {
        return None;
    }
    let rest = &text[digits..];
    let rest = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')'))?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some((text[..digits].parse().ok()?, rest.trim()))
}

/// A line's pieces: a leading item, then an item "1." starting the box beside it.
fn segments(line: &str) -> Vec<Segment> {
    let text = line.trim();
    let (head, rest) = match text.find(" 1. ") {
        Some(at) if at > 0 => (&text[..at], Some(&text[at + 1..])),
        _ => (text, None),
    };
    let mut out = vec![segment(head)];
    if let Some(rest) = rest {
        out.push(segment(rest));
    }
    out
}

fn segment(text: &str) -> Segment {
    let text = text.trim();
    if let Some((n, rest)) = item_number(text) {
        return Segment::Numbered(n, normalise(rest));
    }
    if text == "-" {
        return Segment::Dash;
    }
    for bullet in ["- ", "• ", "· ", "* "] {
        if let Some(rest) = text.strip_prefix(bullet) {
            return Segment::Bullet(normalise(rest));
        }
    }
    Segment::Text(normalise(text))
}

/// Splits a box group's lines into `columns` (1 or 2) lists of items.
fn read_columns(lines: &[&str], columns: usize) -> Vec<Vec<String>> {
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); columns.max(1)];
    let mut col = 0;
    // The item a following line may continue (column, index).
    let mut open: Option<(usize, usize)> = None;
    // A lone "-" said the left box is empty: the next item belongs to the right one.
    let mut left_done = false;
    let two = columns == 2;
    for line in lines {
        for (j, seg) in segments(line).into_iter().enumerate() {
            let switch_for_new_item = |col: usize, cols: &Vec<Vec<String>>| {
                two && col == 0 && (left_done || !cols[0].is_empty())
            };
            match seg {
                Segment::Numbered(n, text) => {
                    if n == 1 && (switch_for_new_item(col, &cols) || two && j > 0) {
                        col = 1;
                    }
                    cols[col].push(text);
                    open = Some((col, cols[col].len() - 1));
                }
                Segment::Bullet(text) => {
                    if left_done && two {
                        col = 1;
                    }
                    cols[col].push(text);
                    open = Some((col, cols[col].len() - 1));
                }
                Segment::Dash => {
                    if two && col == 0 && cols[0].is_empty() {
                        left_done = true;
                    }
                    open = None;
                }
                Segment::Text(text) => match open {
                    Some((c, i)) if !ends_sentence(&cols[c][i]) => {
                        let item = &mut cols[c][i];
                        item.push(' ');
                        item.push_str(&text);
                    }
                    _ => {
                        if left_done && two {
                            col = 1;
                        }
                        cols[col].push(text);
                        open = Some((col, cols[col].len() - 1));
                    }
                },
            }
        }
    }
    cols
}

fn ends_sentence(text: &str) -> bool {
    text.ends_with(['.', ';', '!', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_line_names_one_or_two_boxes() {
        assert_eq!(
            box_header("DASAR HUKUM : KUALIFIKASI PELAKSANA : "),
            Some(vec![Kotak::DasarHukum, Kotak::Kualifikasi])
        );
        assert_eq!(
            box_header("KETERKAITAN : PERALATAN / PERLENGKAPAN :"),
            Some(vec![Kotak::Keterkaitan, Kotak::Peralatan])
        );
        assert_eq!(box_header("Peringatan:"), Some(vec![Kotak::Peringatan]));
        assert_eq!(box_header("Peringatan: berkas ditolak"), None);
    }

    #[test]
    fn labels_split_a_line_into_the_unit_and_values() {
        let (prefix, fields) = split_labels("DINAS PENDIDIKAN Nomor SOP : 012/SOP");
        assert_eq!(prefix, "DINAS PENDIDIKAN");
        assert_eq!(fields, [(Field::Nomor, "012/SOP".to_string())]);
    }

    #[test]
    fn text_then_an_item_one_on_a_line_fills_both_boxes() {
        let cols = read_columns(
            &[
                "Penyelenggaraan Pelatihan 1. Alat Tulis Kantor ",
                "2. Komputer dan kelengkapannya ",
                "1. Kendaraan Dinas ",
            ],
            2,
        );
        assert_eq!(cols[0], ["Penyelenggaraan Pelatihan"]);
        assert_eq!(
            cols[1],
            [
                "Alat Tulis Kantor",
                "Komputer dan kelengkapannya",
                "Kendaraan Dinas"
            ]
        );
    }

    #[test]
    fn a_lone_dash_leaves_the_left_box_empty() {
        let cols = read_columns(&["- 1. Komputer", "2. Printer"], 2);
        assert!(cols[0].is_empty());
        assert_eq!(cols[1], ["Komputer", "Printer"]);
    }
}
