//! Positions in the source and the wording of TOML errors, in Indonesian.

use super::Problem;

/// The single problem for a file serde could not read (syntax, unknown key, wrong type).
pub(super) fn problem(src: &str, error: &toml::de::Error) -> Problem {
    let span = error.span();
    Problem {
        line: span.as_ref().map(|s| line(src, s.start)),
        message: toml_message(error.message(), span.map(|s| column(src, s.start))),
    }
}

/// 1-based line of a byte offset.
pub(super) fn line(src: &str, at: usize) -> usize {
    let end = at.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// 1-based column (in characters) of a byte offset.
fn column(src: &str, at: usize) -> usize {
    let before = &src.as_bytes()[..at.min(src.len())];
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    // Count UTF-8 lead bytes only, so "é" is one column.
    let chars = before[line_start..]
        .iter()
        .filter(|b| (**b & 0xC0) != 0x80)
        .count();
    chars + 1
}

/// Puts serde's and the TOML parser's English messages into a plain Indonesian sentence,
/// keeping the technical detail for the cases it does not recognise.
fn toml_message(message: &str, column: Option<usize>) -> String {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (field, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let expected = expected.trim_start_matches("one of ");
        return format!("Kunci {field} tidak dikenal di sini; kunci yang dikenal: {expected}.");
    }
    if let Some(field) = message.strip_prefix("missing field ") {
        return format!("Kunci {field} wajib diisi di sini.");
    }
    if let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
    {
        return format!("Nilai tidak sesuai jenisnya ({rest}).");
    }
    if let Some(rest) = message.strip_prefix("duplicate key ") {
        return format!("Kunci {rest} ditulis dua kali.");
    }
    let place = column
        .map(|c| format!(" pada kolom {c}"))
        .unwrap_or_default();
    let detail = message.lines().collect::<Vec<_>>().join("; ");
    if detail.is_empty() {
        format!("Penulisan TOML tidak sah{place}.")
    } else {
        format!("Penulisan TOML tidak sah{place} ({detail}).")
    }
}
