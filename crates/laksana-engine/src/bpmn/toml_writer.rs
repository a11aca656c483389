//! A definition written back as TOML with the same Indonesian keys, order and layout as the
//! shipped file, so `laksana sop check` and a person reading it see the familiar format.

use crate::definition::SopDefinition;

/// The definition as TOML text that [`SopDefinition::parse`] reads back to an equal value.
pub fn to_toml(def: &SopDefinition) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# {} — definisi SOP dalam format SOP AP (Permenpan RB 35/2012), ditulis oleh Laksana.\n\
         # Periksa dengan `laksana sop check BERKAS` setelah mengubahnya.\n\n",
        single_line(&def.nama)
    ));
    key_value(&mut out, "kunci", &def.key);
    key_value(&mut out, "versi", &def.version);
    key_value(&mut out, "nama", &def.nama);
    if let Some(subjudul) = &def.subjudul {
        key_value(&mut out, "subjudul", subjudul);
    }
    key_value(&mut out, "unit", &def.unit);
    out.push('\n');
    let lists = [
        ("dasar_hukum", &def.dasar_hukum),
        ("kualifikasi_pelaksana", &def.kualifikasi_pelaksana),
        ("keterkaitan", &def.keterkaitan),
        ("peralatan_perlengkapan", &def.peralatan),
        ("peringatan", &def.peringatan),
        ("pencatatan_pendataan", &def.pencatatan),
    ];
    for (key, items) in lists {
        list(&mut out, key, items);
    }

    let id = &def.identity;
    out.push_str("\n[identitas]\n");
    for (key, value) in [
        ("nomor", &id.nomor),
        ("tanggal_pembuatan", &id.tanggal_pembuatan),
        ("tanggal_revisi", &id.tanggal_revisi),
        ("tanggal_efektif", &id.tanggal_efektif),
    ] {
        if let Some(value) = value {
            key_value(&mut out, key, value);
        }
    }
    if let Some(p) = &id.disahkan_oleh {
        out.push_str("\n[identitas.disahkan_oleh]\n");
        key_value(&mut out, "jabatan", &p.jabatan);
        key_value(&mut out, "nama", &p.nama);
        key_value(&mut out, "nip", &p.nip);
    }

    for role in &def.roles {
        out.push_str("\n[[pelaksana]]\n");
        key_value(&mut out, "kunci", &role.key);
        key_value(&mut out, "nama", &role.name);
        if let Some(atasan) = &role.atasan {
            key_value(&mut out, "atasan", atasan);
        }
    }

    for step in &def.steps {
        out.push_str("\n[[langkah]]\n");
        out.push_str(&format!("nomor = {}\n", step.number));
        key_value(&mut out, "kunci", &step.key);
        key_value(&mut out, "kegiatan", &step.kegiatan);
        key_value(&mut out, "pelaksana", &step.pelaksana);
        key_value(&mut out, "persyaratan", &step.persyaratan);
        key_value(&mut out, "waktu", &step.waktu.raw);
        key_value(&mut out, "output", &step.output);
        key_value(&mut out, "keterangan", &step.keterangan);
        if let Some(decision) = step.decision {
            out.push_str(&format!(
                "keputusan = {{ tidak = {} }}\n",
                decision.on_return
            ));
        }
        if !step.guards.is_empty() {
            let items: Vec<String> = step.guards.iter().map(|g| quoted(g)).collect();
            out.push_str(&format!("masukan_wajib = [{}]\n", items.join(", ")));
        }
    }

    for note in &def.notes {
        out.push_str("\n[[catatan]]\n");
        if let Some(step) = note.step {
            out.push_str(&format!("langkah = {step}\n"));
        }
        if let Some(field) = &note.field {
            key_value(&mut out, "kolom", field);
        }
        key_value(&mut out, "teks", &note.text);
    }

    for s in &def.substitutions {
        out.push_str("\n[[substitusi]]\n");
        key_value(&mut out, "teks", &s.literal);
        key_value(&mut out, "pengaturan", &s.setting);
    }
    out
}

fn key_value(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(" = ");
    out.push_str(&quoted(value));
    out.push('\n');
}

fn list(out: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        out.push_str(&format!("{key} = []\n"));
        return;
    }
    out.push_str(&format!("{key} = [\n"));
    for item in items {
        out.push_str("  ");
        out.push_str(&quoted(item));
        out.push_str(",\n");
    }
    out.push_str("]\n");
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// For the header comment: a comment ends at the line break.
fn single_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::SEED_SOP;

    #[test]
    fn the_seed_written_as_toml_parses_back_to_the_same_definition() {
        let seed = SopDefinition::parse(SEED_SOP).unwrap();
        let text = to_toml(&seed);
        assert_eq!(SopDefinition::parse(&text).unwrap(), seed);
        // The same keys and values as the shipped file, compared as TOML data.
        let ours: toml::Value = toml::from_str(&text).unwrap();
        let shipped: toml::Value = toml::from_str(SEED_SOP).unwrap();
        assert_eq!(ours, shipped);
    }

    #[test]
    fn quotes_backslashes_and_control_characters_are_escaped() {
        let nasty = "a \"b\" \\c\nd\te\u{1}f\u{7f}";
        let text = format!("x = {}\n", quoted(nasty));
        let value: toml::Value = toml::from_str(&text).unwrap();
        assert_eq!(value["x"].as_str(), Some(nasty));
    }
}
