//! Plain-text rendering of a definition for the terminal (`laksana sop show`).

use super::SopDefinition;

/// Column titles and widths; with the " | " separators the table is 120 characters wide.
const COLUMNS: [(&str, usize); 7] = [
    ("No", 3),
    ("Kegiatan", 28),
    ("Pelaksana", 13),
    ("Persyaratan", 20),
    ("Waktu", 9),
    ("Output", 22),
    ("Ket", 7),
];
const WIDTH: usize = 120;

pub(super) fn render(def: &SopDefinition) -> String {
    let mut out = String::new();
    identity(def, &mut out);
    out.push('\n');
    table(def, &mut out);
    out.push_str(&format!(
        "\nJumlah waktu baku: {} menit kerja.\n",
        def.total_standard_minutes()
    ));
    if !def.notes.is_empty() {
        out.push_str("\nCATATAN ATAS NASKAH\n");
        for note in &def.notes {
            let place = match (note.step, &note.field) {
                (Some(step), Some(field)) => format!("[langkah {step}, {field}] "),
                (Some(step), None) => format!("[langkah {step}] "),
                (None, Some(field)) => format!("[{field}] "),
                (None, None) => String::new(),
            };
            push_item(&mut out, "- ", &format!("{place}{}", note.text));
        }
    }
    out
}

fn identity(def: &SopDefinition, out: &mut String) {
    out.push_str(&format!("SOP {}\n", def.nama));
    if let Some(subjudul) = &def.subjudul {
        out.push_str(&format!("{subjudul}\n"));
    }
    out.push_str(&format!("{}\n\n", def.unit));
    let id = &def.identity;
    let disahkan = id.disahkan_oleh.as_ref().map(|p| {
        let nip = if p.nip.is_empty() {
            String::new()
        } else {
            format!(", NIP {}", p.nip)
        };
        format!("{}, {}{nip}", p.jabatan, p.nama)
    });
    let rows = [
        (
            "Kunci / versi",
            Some(format!("{} / {}", def.key, def.version)),
        ),
        ("Nomor SOP", id.nomor.clone()),
        ("Tanggal Pembuatan", id.tanggal_pembuatan.clone()),
        ("Tanggal Revisi", id.tanggal_revisi.clone()),
        ("Tanggal Efektif", id.tanggal_efektif.clone()),
        ("Disahkan oleh", disahkan),
    ];
    for (label, value) in rows {
        out.push_str(&format!(
            "{label:<18}: {}\n",
            value.as_deref().unwrap_or("-")
        ));
    }
    let blocks = [
        ("DASAR HUKUM", &def.dasar_hukum),
        ("KUALIFIKASI PELAKSANA", &def.kualifikasi_pelaksana),
        ("KETERKAITAN", &def.keterkaitan),
        ("PERALATAN / PERLENGKAPAN", &def.peralatan),
        ("PERINGATAN", &def.peringatan),
        ("PENCATATAN DAN PENDATAAN", &def.pencatatan),
    ];
    for (title, items) in blocks {
        out.push_str(&format!("\n{title}\n"));
        if items.is_empty() {
            out.push_str("  -\n");
        }
        for (i, item) in items.iter().enumerate() {
            push_item(out, &format!("  {}. ", i + 1), item);
        }
    }
    out.push_str("\nPELAKSANA\n");
    for (i, role) in def.roles.iter().enumerate() {
        let atasan = role
            .atasan
            .as_deref()
            .map(|key| def.role(key).map_or(key, |r| r.name.as_str()))
            .map(|name| format!(" (atasan: {name})"))
            .unwrap_or_default();
        out.push_str(&format!("  {}. {}{atasan}\n", i + 1, role.name));
    }
}

fn table(def: &SopDefinition, out: &mut String) {
    let header: Vec<String> = COLUMNS.iter().map(|(title, _)| title.to_string()).collect();
    push_row(out, &header);
    let rule: Vec<String> = COLUMNS.iter().map(|(_, w)| "-".repeat(*w)).collect();
    out.push_str(&rule.join("-+-"));
    out.push('\n');
    for step in &def.steps {
        let mut kegiatan = step.kegiatan.clone();
        if let Some(decision) = step.decision {
            let ya = def
                .next_step(step.number)
                .map_or("selesai".to_string(), |s| format!("langkah {}", s.number));
            kegiatan.push_str(&format!(
                " [Keputusan: Ya -> {ya}; Tidak -> langkah {}]",
                decision.on_return
            ));
        }
        if !step.guards.is_empty() {
            kegiatan.push_str(&format!(" [Wajib ada: {}]", step.guards.join(", ")));
        }
        let pelaksana = def
            .role(&step.pelaksana)
            .map_or(&step.pelaksana, |r| &r.name);
        let cells = [
            step.number.to_string(),
            kegiatan,
            pelaksana.clone(),
            step.persyaratan.clone(),
            step.waktu.raw.clone(),
            step.output.clone(),
            step.keterangan.clone(),
        ];
        push_row(out, &cells);
    }
}

/// One table row; each cell wraps inside its column and the row is as tall as its tallest cell.
fn push_row(out: &mut String, cells: &[String]) {
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .zip(COLUMNS)
        .map(|(cell, (_, width))| wrap(cell, width))
        .collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    for i in 0..height {
        let parts: Vec<String> = wrapped
            .iter()
            .zip(COLUMNS)
            .map(|(lines, (_, width))| {
                format!("{:<width$}", lines.get(i).map_or("", String::as_str))
            })
            .collect();
        out.push_str(parts.join(" | ").trim_end());
        out.push('\n');
    }
}

/// A list item whose continuation lines are indented under its text.
fn push_item(out: &mut String, bullet: &str, text: &str) {
    let indent = " ".repeat(bullet.chars().count());
    for (i, line) in wrap(text, WIDTH - indent.len()).iter().enumerate() {
        out.push_str(if i == 0 { bullet } else { &indent });
        out.push_str(line);
        out.push('\n');
    }
}

/// Greedy word wrap by characters; a word longer than the width is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        let chars: Vec<char> = word.chars().collect();
        for chunk in chars.chunks(width) {
            if len > 0 && len + 1 + chunk.len() > width {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
            if len > 0 {
                line.push(' ');
                len += 1;
            }
            line.extend(chunk);
            len += chunk.len();
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::SEED_SOP;

    #[test]
    fn the_table_shows_every_step_and_stays_within_120_columns() {
        let def = SopDefinition::parse(SEED_SOP).unwrap();
        let text = render(&def);
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        for step in &def.steps {
            let prefix = format!("{:<3} | ", step.number);
            assert!(
                text.lines().any(|l| l.starts_with(&prefix)),
                "step {}",
                step.number
            );
        }
        assert!(text.contains("Tidak -> langkah 1"));
        assert!(text.contains("CATATAN ATAS NASKAH"));
        assert!(text.contains("Nomor SOP         : -"));
    }

    #[test]
    fn long_words_are_cut_to_the_column_width() {
        assert_eq!(wrap("abcdefgh ij", 3), ["abc", "def", "gh", "ij"]);
        assert_eq!(wrap("", 5), [""]);
    }
}
