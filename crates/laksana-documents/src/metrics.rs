//! Text widths from the embedded font's own advance widths.
//!
//! The flowchart needs every row's height before Typst runs (arrows are routed between rows,
//! and page breaks are chosen from the heights), so Rust wraps the cell texts itself, with the
//! metrics of the very font Typst will draw them in. Each wrapped line is then placed as one
//! unbreakable line, so Typst and the SVG show exactly the lines computed here.
//!
//! Kerning and ligatures are ignored: both only make real text narrower than measured, so the
//! estimate errs on the safe side, and [`SAFETY`] adds a little more.

use std::sync::LazyLock;

use ttf_parser::Face;

/// The family every document is set in (Libertinus Serif ships with `typst-assets`).
pub const FAMILY: &str = "Libertinus Serif";

/// Measured widths are scaled up by this much before comparing them with a cell's width.
const SAFETY: f64 = 1.02;

/// Advance widths of the regular and bold faces of [`FAMILY`].
pub struct Metrics {
    regular: Face<'static>,
    bold: Face<'static>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut regular = None;
    let mut bold = None;
    for data in typst_assets::fonts() {
        let Ok(face) = Face::parse(data, 0) else {
            continue;
        };
        let family = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::FAMILY)
            .find_map(|n| n.to_string());
        if family.as_deref() != Some(FAMILY) || face.is_italic() {
            continue;
        }
        match face.weight().to_number() {
            400 => regular = Some(face),
            700 => bold = Some(face),
            _ => {}
        }
    }
    Metrics {
        regular: regular.expect("typst-assets ships Libertinus Serif Regular"),
        bold: bold.expect("typst-assets ships Libertinus Serif Bold"),
    }
});

/// The shared metrics (parsed once per process).
pub fn metrics() -> &'static Metrics {
    &METRICS
}

impl Metrics {
    fn face(&self, bold: bool) -> &Face<'static> {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// Width of `text` set at `size` points, in points (with the safety margin).
    pub fn width(&self, text: &str, size: f64, bold: bool) -> f64 {
        let face = self.face(bold);
        let per_unit = size / f64::from(face.units_per_em());
        let units: f64 = text
            .chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    // A character the font lacks is drawn from a fallback; guess wide.
                    .map_or(f64::from(face.units_per_em()) * 0.6, f64::from)
            })
            .sum();
        units * per_unit * SAFETY
    }

    /// Distance from the top of a line box to its baseline, for `size` points.
    pub fn ascent(&self, size: f64) -> f64 {
        let face = self.face(false);
        f64::from(face.ascender()) / f64::from(face.units_per_em()) * size
    }

    /// Breaks `text` into lines no wider than `width`: at spaces, else after a `/` or `-`
    /// inside a long word, else between characters. Blank text gives no lines.
    ///
    /// A line that ends where a space was keeps it as a trailing space, so the lines joined
    /// give back the text (with runs of whitespace made one) and a PDF's text layer does not
    /// glue the last word of one line to the first of the next.
    pub fn wrap(&self, text: &str, width: f64, size: f64, bold: bool) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for paragraph in text.split('\n') {
            if let Some(last) = lines.last_mut() {
                if !last.ends_with(' ') {
                    last.push(' ');
                }
            }
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    line.push(' ');
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone may still be too wide: split it into pieces that fit.
                let mut rest = word;
                while self.width(rest, size, bold) > width {
                    let cut = self.split_point(rest, width, size, bold);
                    lines.push(rest[..cut].to_string());
                    rest = &rest[cut..];
                }
                line = rest.to_string();
            }
            if !line.is_empty() {
                lines.push(line);
            }
        }
        lines
    }

    /// Byte index at which to cut a word too wide for `width`: after the last `/` or `-` that
    /// keeps the head within the width, else after as many characters as fit (at least one).
    fn split_point(&self, word: &str, width: f64, size: f64, bold: bool) -> usize {
        let mut fits = 0;
        let mut soft = None;
        for (i, c) in word.char_indices() {
            let end = i + c.len_utf8();
            if self.width(&word[..end], size, bold) > width {
                break;
            }
            fits = end;
            if matches!(c, '/' | '-') && end < word.len() {
                soft = Some(end);
            }
        }
        let first = word.chars().next().map_or(word.len(), char::len_utf8);
        soft.unwrap_or(fits).max(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wider_text_measures_wider_and_bold_is_wider_than_regular() {
        let m = metrics();
        assert!(m.width("Kegiatan", 8.0, false) > m.width("Kegiat", 8.0, false));
        assert!(m.width("Kegiatan", 8.0, true) > m.width("Kegiatan", 8.0, false));
        assert!(m.width("", 8.0, false).abs() < f64::EPSILON);
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let m = metrics();
        let text = "Memeriksa, memaraf konsep undangan dan Keputusan Panitia dan menandatangani \
                    konsep surat pengantar undangan.";
        let lines = m.wrap(text, 100.0, 8.0, false);
        assert!(lines.len() > 1);
        assert!(lines
            .iter()
            .all(|l| m.width(l.trim_end(), 8.0, false) <= 100.0));
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn a_word_longer_than_the_width_is_cut_after_a_slash_first() {
        let m = metrics();
        let lines = m.wrap("Kabupaten/Kota", 40.0, 8.0, false);
        assert_eq!(lines[0], "Kabupaten/");
        assert_eq!(lines.concat(), "Kabupaten/Kota");
        let tiny = m.wrap("WWWW", 1.0, 8.0, false);
        assert_eq!(tiny, ["W", "W", "W", "W"]);
    }

    #[test]
    fn blank_text_has_no_lines() {
        assert!(metrics().wrap("  ", 50.0, 8.0, false).is_empty());
    }
}
