//! The flowchart table: its header (the pelaksana columns) and its rows (the steps).
//!
//! What the extraction leaves of a row, and what this module relies on:
//!
//! - The row starts with its number ("3 Menginstruksikan …", sometimes after a space).
//! - The kegiatan cell's lines come first. The empty pelaksana cells (the symbols are lost)
//!   leave a run of spaces, one per column, before the first line of the persyaratan cell:
//!   at the start of a line ("     Rencana kerja") or after the kegiatan's last line
//!   ("Membuat rencana kerja.      Jadwal"). That run is where kegiatan ends.
//! - Then the persyaratan lines, then the waktu at the start of the output cell's first line
//!   ("1 hari Rencana kerja kegiatan"), sometimes after the persyaratan's last line ("Surat
//!   undangan 1 hari Tanda terima"), sometimes wrapped itself ("1-2 Hasil seleksi" / "hari
//!   administrasi"): the waktu is the first text that `Waktu::parse` reads.
//! - The rest of the row, up to the next number, is the output. A keterangan cell cannot be
//!   told apart from the output's lines, so it is not read.
//! - "Ya" and "Tidak" alone on a line are the labels of a decision's exits.
//! - A table that runs over pages repeats its header, and pages end with "Halaman n dari m".

use laksana_calendar::Waktu;

use super::words::{is_column_word, is_complement, is_head, is_known, join_pieces};

/// A step as read from its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RowRead {
    pub number: u32,
    /// 1-based line of the text the row starts on.
    pub line: usize,
    pub kegiatan: String,
    pub persyaratan: String,
    /// The waktu as written, when one was found.
    pub waktu: Option<String>,
    pub output: String,
    /// A "Ya"/"Tidak" label was found in the row.
    pub decision: bool,
    /// No run of empty pelaksana cells was found, so kegiatan and persyaratan were split at
    /// the first line ending a sentence: a guess to check.
    pub split_guessed: bool,
}

/// The table as read.
#[derive(Debug)]
pub(super) struct TableRead {
    /// The words of each pelaksana column's header, in column order ("KEPALA", "BIDANG").
    pub roles: Vec<Vec<String>>,
    /// How many pelaksana columns the table has, when the column numbers or the rows tell.
    pub role_columns: Option<usize>,
    pub rows: Vec<RowRead>,
}

/// 0-based index of the table's header line ("NO KEGIATAN PELAKSANA MUTU BAKU …").
pub(super) fn find_header(lines: &[String]) -> Option<usize> {
    lines.iter().position(|l| is_table_header(l))
}

fn is_table_header(line: &str) -> bool {
    let upper = line.trim().to_uppercase();
    let mut words = upper.split_whitespace();
    matches!(words.next(), Some("NO" | "NO." | "NOMOR")) && words.any(|w| w == "KEGIATAN")
}

/// The column numbers under the header, "1 2 3 … 11": how many columns there are.
fn number_row(line: &str) -> Option<usize> {
    let numbers: Vec<usize> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let counts_up = numbers.iter().enumerate().all(|(i, n)| *n == i + 1);
    (numbers.len() >= 4 && counts_up).then_some(numbers.len())
}

fn is_footer(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    ["halaman ", "hal. ", "hal ", "page "]
        .iter()
        .any(|p| lower.starts_with(p) && lower[p.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// "Ya" or "Tidak" alone on a line: a decision exit's label.
fn is_label(line: &str) -> bool {
    matches!(line.trim().to_lowercase().as_str(), "ya" | "tidak")
}

/// Reads the table whose header is at `header` (from [`find_header`]).
pub(super) fn read(lines: &[String], header: usize) -> TableRead {
    let (header_end, columns) = header_extent(lines, header);
    let tokens = header_tokens(&lines[header..header_end]);
    let fixed = fixed_columns(&tokens);
    let body = &lines[(header_end + usize::from(columns.is_some())).min(lines.len())..];
    let role_columns = columns
        .and_then(|k| k.checked_sub(fixed))
        .filter(|n| *n > 0)
        .or_else(|| marker_width(body));
    let role_words: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !t.text.split('/').all(|p| p.is_empty() || is_column_word(p)))
        .collect();
    let roles = group_roles(&role_words, role_columns);
    let first_body_line = lines.len() - body.len();
    let rows = read_rows(body, first_body_line, role_columns);
    TableRead {
        roles,
        role_columns,
        rows,
    }
}

/// Where the header ends (exclusive) and the column count of its number row, if it has one.
fn header_extent(lines: &[String], header: usize) -> (usize, Option<usize>) {
    for (i, line) in lines.iter().enumerate().skip(header + 1) {
        if let Some(columns) = number_row(line) {
            return (i, Some(columns));
        }
        if step_start(line, 1, None).is_some() {
            return (i, None);
        }
    }
    (lines.len(), None)
}

/// A header word with the lines it starts and ends on (a mended word spans two) and its
/// place in the header.
#[derive(Debug, Clone)]
struct Token {
    text: String,
    first_line: usize,
    last_line: usize,
    index: usize,
}

/// The header's words, upper case, with words broken over lines mended ("KEPAL" + "A").
fn header_tokens(lines: &[String]) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    for (line_no, line) in lines.iter().enumerate() {
        for (i, word) in line.split_whitespace().enumerate() {
            let word = word.to_uppercase();
            if i == 0 {
                if let Some(prev) = tokens.last_mut() {
                    if should_mend(&prev.text, &word) {
                        prev.text.push_str(&word);
                        prev.last_line = line_no;
                        continue;
                    }
                }
            }
            let index = tokens.len();
            tokens.push(Token {
                text: word,
                first_line: line_no,
                last_line: line_no,
                index,
            });
        }
    }
    tokens
}

/// Whether a line ending in `before` and the next starting with `after` are one broken word:
/// the end is not a word of its own, and together they make one ("KEPAL" + "A", "PERSYARAT"
/// + "AN/KELENG"), or the start is a short piece that is no word either ("PENDAFTA" + "RAN").
fn should_mend(before: &str, after: &str) -> bool {
    let end = before.rsplit('/').next().unwrap_or(before);
    let start = after.split('/').next().unwrap_or(after);
    let alphabetic = |s: &str| !s.is_empty() && s.chars().all(char::is_alphabetic);
    if !alphabetic(end) || !alphabetic(start) || is_known(end) || is_column_word(end) {
        return false;
    }
    let joined = format!("{end}{start}");
    is_known(&joined) || (start.chars().count() <= 3 && !is_known(start))
}

/// The columns that are not pelaksana: No, Kegiatan, the mutu baku ones and Keterangan.
fn fixed_columns(tokens: &[Token]) -> usize {
    let has = |names: &[&str]| {
        tokens
            .iter()
            .any(|t| t.text.split('/').any(|p| names.contains(&p)))
    };
    let mutu = [
        has(&["PERSYARATAN", "KELENGKAPAN"]),
        has(&["WAKTU"]),
        has(&["OUTPUT"]),
    ];
    let ket = usize::from(has(&["KET", "KET.", "KETERANGAN"]));
    match mutu.iter().filter(|m| **m).count() {
        // Headers lost: assume the format's columns, keterangan included.
        0 => 6,
        n => 2 + n + ket,
    }
}

/// The most common run of leading spaces before a persyaratan cell: one space per empty
/// pelaksana cell. Used when the header has no column numbers.
fn marker_width(body: &[String]) -> Option<usize> {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for line in body {
        let lead = line.len() - line.trim_start_matches(' ').len();
        if lead >= 2 && !line.trim().is_empty() {
            match counts.iter_mut().find(|(w, _)| *w == lead) {
                Some((_, n)) => *n += 1,
                None => counts.push((lead, 1)),
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|(w, n)| (*n, std::cmp::Reverse(*w)))
        .filter(|(_, n)| *n >= 2)
        .map(|(w, _)| w)
}

/// Splits the header's role words into `columns` roles, cutting where two words least belong
/// together: "KEPALA" wants the word after it, "BIDANG" the word before it, and words on one
/// line more likely share a cell than words on two. Without a column count, every gap that
/// no such bond holds is a cut.
fn group_roles(words: &[Token], columns: Option<usize>) -> Vec<Vec<String>> {
    if words.is_empty() {
        return Vec::new();
    }
    let costs: Vec<u32> = words
        .windows(2)
        .map(|pair| {
            let (a, b) = (&pair[0], &pair[1]);
            let mut cost = 0;
            if is_head(&a.text) {
                cost += 2;
            }
            if is_complement(&b.text) {
                cost += 2;
            }
            if a.last_line == b.first_line && b.index == a.index + 1 {
                cost += 1;
            }
            cost
        })
        .collect();
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by_key(|i| (costs[*i], *i));
    let cuts: Vec<usize> = match columns {
        Some(n) if n >= 1 => order.into_iter().take(n - 1).collect(),
        _ => order.into_iter().filter(|i| costs[*i] <= 1).collect(),
    };
    let mut roles = vec![Vec::new()];
    for (i, word) in words.iter().enumerate() {
        roles
            .last_mut()
            .expect("one role at least")
            .push(word.text.clone());
        if cuts.contains(&i) {
            roles.push(Vec::new());
        }
    }
    roles
}

/// A row's first line for step `expected`: the text after the number, keeping the spaces
/// that may follow it (an empty kegiatan). `dotted` asks for "3." when the table numbers that
/// way, and for "3" when it does not; `None` accepts both. Returns the text and whether the
/// number had a dot.
fn step_start(line: &str, expected: u32, dotted: Option<bool>) -> Option<(String, bool)> {
    let text = line.trim_start();
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || text[..digits].parse::<u32>().ok()? != expected {
        return None;
    }
    let mut rest = &text[digits..];
    let has_dot = rest.starts_with('.');
    if has_dot {
        rest = &rest[1..];
    }
    if dotted.is_some_and(|d| d != has_dot) || !rest.starts_with(' ') {
        return None;
    }
    let content = &rest[1..];
    let first = content.split_whitespace().next()?;
    if !first.starts_with(|c: char| c.is_uppercase()) {
        return None;
    }
    // "2 Jam …" is a waktu, not step 2.
    if Waktu::parse(&format!("{expected} {first}")).is_ok() {
        return None;
    }
    Some((content.to_string(), has_dot))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Kegiatan,
    Persyaratan,
    Output,
}

/// How long a run of spaces must be to stand for the empty pelaksana cells.
#[derive(Clone, Copy)]
struct Marker {
    leading: usize,
    inline: usize,
}

impl Marker {
    fn for_columns(columns: Option<usize>) -> Marker {
        match columns {
            Some(1) => Marker {
                leading: 1,
                inline: 2,
            },
            Some(2) => Marker {
                leading: 2,
                inline: 3,
            },
            _ => Marker {
                leading: 3,
                inline: 3,
            },
        }
    }

    /// The text before and after the run of empty cells, if the line has one.
    fn split<'a>(&self, text: &'a str) -> Option<(&'a str, &'a str)> {
        let lead = text.len() - text.trim_start_matches(' ').len();
        if lead >= self.leading && lead < text.len() {
            return Some(("", &text[lead..]));
        }
        let body = &text[lead..];
        let mut run_start = None;
        for (i, c) in body.char_indices() {
            match (c == ' ', run_start) {
                (true, None) => run_start = Some(i),
                (false, Some(start)) => {
                    if i - start >= self.inline {
                        return Some((&body[..start], &body[i..]));
                    }
                    run_start = None;
                }
                _ => {}
            }
        }
        None
    }
}

/// A row being read.
struct Row {
    read: RowRead,
    phase: Phase,
    kegiatan: Vec<String>,
    persyaratan: Vec<String>,
    output: Vec<String>,
    /// The row's lines as given, for the fallback split when no marker shows up.
    lines: Vec<String>,
}

impl Row {
    fn new(number: u32, line: usize) -> Row {
        Row {
            read: RowRead {
                number,
                line,
                kegiatan: String::new(),
                persyaratan: String::new(),
                waktu: None,
                output: String::new(),
                decision: false,
                split_guessed: false,
            },
            phase: Phase::Kegiatan,
            kegiatan: Vec::new(),
            persyaratan: Vec::new(),
            output: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// Takes one line of the row; `next` is the following line, which a wrapped waktu may
    /// continue on. Returns how many words of `next` the waktu used.
    fn feed(&mut self, text: &str, next: Option<&str>, marker: Marker) -> usize {
        self.lines.push(text.to_string());
        match self.phase {
            Phase::Kegiatan => match marker.split(text) {
                Some((kegiatan, rest)) => {
                    self.kegiatan.push(kegiatan.to_string());
                    self.phase = Phase::Persyaratan;
                    self.feed_persyaratan(rest, next)
                }
                None => {
                    self.kegiatan.push(text.to_string());
                    0
                }
            },
            Phase::Persyaratan => self.feed_persyaratan(text, next),
            Phase::Output => {
                self.output.push(text.to_string());
                0
            }
        }
    }

    fn feed_persyaratan(&mut self, text: &str, next: Option<&str>) -> usize {
        let words: Vec<&str> = text.split_whitespace().collect();
        let next_words: Vec<&str> = next
            .map(|n| n.split_whitespace().collect())
            .unwrap_or_default();
        match find_waktu(&words, &next_words) {
            Some(found) => {
                self.persyaratan.push(words[..found.at].join(" "));
                let mut waktu: Vec<&str> = words[found.at..found.at + found.len].to_vec();
                waktu.extend(&next_words[..found.from_next]);
                self.read.waktu = Some(waktu.join(" "));
                self.output.push(words[found.at + found.len..].join(" "));
                self.phase = Phase::Output;
                found.from_next
            }
            None => {
                self.persyaratan.push(text.to_string());
                0
            }
        }
    }

    fn finish(mut self) -> RowRead {
        if self.phase == Phase::Kegiatan && self.lines.len() > 1 {
            // No run of empty cells: kegiatan ends with the first line ending a sentence.
            let lines = std::mem::take(&mut self.lines);
            let split = lines
                .iter()
                .position(|l| l.trim_end().ends_with('.'))
                .map_or(1, |i| i + 1)
                .min(lines.len() - 1);
            self.kegiatan = lines[..split].to_vec();
            self.phase = Phase::Persyaratan;
            self.read.split_guessed = true;
            let mut skip = 0;
            for (i, line) in lines.iter().enumerate().skip(split) {
                let line = drop_words(line, std::mem::take(&mut skip));
                let next = lines.get(i + 1).map(String::as_str);
                skip = match self.phase {
                    Phase::Output => {
                        self.output.push(line);
                        0
                    }
                    _ => self.feed_persyaratan(&line, next),
                };
            }
        }
        self.read.kegiatan = join_pieces(&self.kegiatan);
        self.read.persyaratan = join_pieces(&self.persyaratan);
        self.read.output = join_pieces(&self.output);
        self.read
    }
}

/// Where a waktu starts among `words` and how many words it takes, on this line and from the
/// start of the next.
#[derive(Debug, PartialEq, Eq)]
struct Found {
    at: usize,
    len: usize,
    from_next: usize,
}

const NUMBER_WORDS: &[&str] = &[
    "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh",
    "setengah",
];

fn starts_number(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_digit())
        || NUMBER_WORDS.contains(&word.to_lowercase().as_str())
}

/// A word that can stand in the number part of a waktu: "5", "5-10", "1,5", "-", "s.d.".
fn is_numberish(word: &str) -> bool {
    let lower = word.to_lowercase();
    matches!(
        lower.as_str(),
        "-" | "–" | "s.d." | "s.d" | "s/d" | "sd" | "sampai"
    ) || (starts_number(word)
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '–' | ',' | '.')))
}

/// The first waktu among `words`. The longest reading wins ("1 hari kerja" over "1 hari"),
/// except that a capitalised "Kerja" after a lower-case unit starts the output instead. A
/// number at the end of the words may take its unit from the start of `next` ("1-2" / "hari").
fn find_waktu(words: &[&str], next: &[&str]) -> Option<Found> {
    for at in 0..words.len() {
        if !starts_number(words[at]) {
            continue;
        }
        let longest = (1..=6.min(words.len() - at))
            .filter(|len| Waktu::parse(&words[at..at + len].join(" ")).is_ok())
            .max();
        if let Some(mut len) = longest {
            let last = words[at + len - 1];
            if len >= 2
                && last.eq_ignore_ascii_case("kerja")
                && last.starts_with(char::is_uppercase)
                && words[at + len - 2].starts_with(char::is_lowercase)
            {
                len -= 1;
            }
            return Some(Found {
                at,
                len,
                from_next: 0,
            });
        }
        let numberish = words[at..].iter().take_while(|w| is_numberish(w)).count();
        let wrapped = (1..=2.min(next.len())).rev().find(|k| {
            let mut candidate = words[at..at + numberish].to_vec();
            candidate.extend(&next[..*k]);
            Waktu::parse(&candidate.join(" ")).is_ok()
        });
        if let Some(from_next) = wrapped {
            return Some(Found {
                at,
                len: numberish,
                from_next,
            });
        }
    }
    None
}

/// `line` without its first `n` words (the ones a wrapped waktu took).
fn drop_words(line: &str, n: usize) -> String {
    if n == 0 {
        return line.to_string();
    }
    line.split_whitespace()
        .skip(n)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads the rows below the header. `offset` is the 0-based index of `body[0]` in the text.
fn read_rows(body: &[String], offset: usize, role_columns: Option<usize>) -> Vec<RowRead> {
    let marker = Marker::for_columns(role_columns);
    // The lines that carry text, with their 1-based line numbers.
    let lines: Vec<(usize, &str)> = body
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !is_footer(l))
        .map(|(i, l)| (offset + i + 1, l.as_str()))
        .collect();
    let mut rows: Vec<RowRead> = Vec::new();
    let mut current: Option<Row> = None;
    let mut dotted: Option<bool> = None;
    let mut in_header = false;
    let mut skip = 0;
    for (i, (line_no, raw)) in lines.iter().enumerate() {
        let line = drop_words(raw, std::mem::take(&mut skip));
        let expected = rows.len() as u32 + u32::from(current.is_some()) + 1;
        let start = step_start(&line, expected, dotted);
        if in_header {
            if number_row(&line).is_some() {
                in_header = false;
                continue;
            }
            if start.is_none() {
                continue;
            }
            in_header = false;
        }
        if is_table_header(&line) {
            in_header = true;
            continue;
        }
        if is_label(&line) {
            if let Some(row) = current.as_mut() {
                row.read.decision = true;
            }
            continue;
        }
        // The next line with text that is not a label: where a wrapped waktu goes on.
        let next = lines[i + 1..]
            .iter()
            .map(|(_, l)| *l)
            .find(|l| !is_label(l));
        if let Some((content, has_dot)) = start {
            dotted = Some(has_dot);
            rows.extend(current.take().map(Row::finish));
            let mut row = Row::new(expected, *line_no);
            skip = row.feed(&content, next, marker);
            current = Some(row);
            continue;
        }
        if let Some(row) = current.as_mut() {
            skip = row.feed(&line, next, marker);
        }
    }
    rows.extend(current.map(Row::finish));
    rows
}

#[cfg(test)]
mod tests {
    use super::super::words::normalise;
    use super::*;

    fn role_label(words: &[String]) -> String {
        normalise(&words.join(" "))
    }

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn the_seeds_header_gives_five_roles() {
        let text = "NO KEGIATAN PELAKSANA MUTU BUKU \n\nJFU \nKEPALA \n\nBIDANG \n\n\
                    STAF KEPAL\n\nA \n\nDINAS \n\nPANITIA PERSYARAT\n\nAN/KELENG\n\nKAPAN \n\n\
                    WAKTU OUTPUT \n\nKET \n\n1 2 3 4 5 6 7 8 9 10 11 \n";
        let table = read(&lines(text), 0);
        assert_eq!(table.role_columns, Some(5));
        let roles: Vec<String> = table.roles.iter().map(|r| role_label(r)).collect();
        assert_eq!(
            roles,
            ["JFU", "KEPALA BIDANG", "STAF", "KEPALA DINAS", "PANITIA"]
        );
    }

    #[test]
    fn the_marker_splits_kegiatan_from_persyaratan() {
        let m = Marker::for_columns(Some(5));
        assert_eq!(
            m.split("Membuat rencana kerja.      Jadwal"),
            Some(("Membuat rencana kerja.", "Jadwal"))
        );
        assert_eq!(m.split("     Rencana kerja"), Some(("", "Rencana kerja")));
        assert_eq!(m.split("Melaksanakan Rapat internal  persiapan"), None);
    }

    #[test]
    fn the_first_waktu_is_found_after_the_persyaratan() {
        let words: Vec<&str> = "Surat undangan 1 hari Tanda terima".split(' ').collect();
        assert_eq!(
            find_waktu(&words, &[]),
            Some(Found {
                at: 2,
                len: 2,
                from_next: 0
            })
        );
        let words: Vec<&str> = "1 hari Kerja sama".split(' ').collect();
        assert_eq!(find_waktu(&words, &[]).map(|f| f.len), Some(2));
        let words: Vec<&str> = "1 hari kerja Daftar".split(' ').collect();
        assert_eq!(find_waktu(&words, &[]).map(|f| f.len), Some(3));
        let words: Vec<&str> = "- 1-2 Hasil seleksi".split(' ').collect();
        assert_eq!(
            find_waktu(&words, &["hari", "administrasi"]),
            Some(Found {
                at: 1,
                len: 1,
                from_next: 1
            })
        );
        let words: Vec<&str> = "Nomor 13 Tahun 2003".split(' ').collect();
        assert_eq!(find_waktu(&words, &[]), None);
    }

    #[test]
    fn a_waktu_is_not_taken_for_a_step_number() {
        assert_eq!(step_start("2 jam Konsep", 2, None), None);
        assert_eq!(step_start("2 Jam Konsep", 2, None), None);
        assert_eq!(
            step_start(" 6 Mendistribusikan surat", 6, None),
            Some(("Mendistribusikan surat".to_string(), false))
        );
        assert_eq!(step_start("2. Fotokopi KK", 2, Some(false)), None);
    }
}
