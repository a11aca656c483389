//! Definitions for the tests: the seed SOP and generated long ones.

#![allow(dead_code)]

use laksana_engine::{SopDefinition, SEED_SOP};

pub mod letters;

pub fn seed() -> SopDefinition {
    SopDefinition::parse(SEED_SOP).expect("the seed parses")
}

pub fn settings(name: &str) -> Option<String> {
    (name == "head_title").then(|| "Kepala Dinas".to_string())
}

/// Escapes a string for a TOML basic string.
pub fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An SOP of `n` steps over five roles. Every seventh step is a decision returning one or two
/// steps back; when `long_loop` is set, the second-to-last step also returns to step 3, a loop
/// that cannot fit on one page. `text` is used as the kegiatan of step 2 and in every field of
/// the identity block, for the escaping test.
pub fn generated(n: usize, long_loop: bool, text: &str) -> SopDefinition {
    let roles = ["jfu", "kepala-bidang", "staf", "kepala-dinas", "panitia"];
    let mut src = format!(
        "kunci = \"uji\"\nversi = \"1\"\nnama = {t}\nsubjudul = {t}\nunit = {t}\n\
         dasar_hukum = [{t}]\nkualifikasi_pelaksana = [{t}]\nketerkaitan = [{t}]\n\
         peralatan_perlengkapan = [{t}]\nperingatan = [{t}]\npencatatan_pendataan = [{t}]\n\
         [identitas]\nnomor = {t}\ntanggal_pembuatan = {t}\ntanggal_revisi = {t}\n\
         tanggal_efektif = {t}\n[identitas.disahkan_oleh]\njabatan = {t}\nnama = {t}\nnip = {t}\n",
        t = toml_str(text)
    );
    for (i, r) in roles.iter().enumerate() {
        src.push_str(&format!(
            "[[pelaksana]]\nkunci = \"{r}\"\nnama = \"Peran {}\"\n",
            i + 1
        ));
    }
    for i in 1..=n {
        let role = roles[(i * 3 + i / 5) % roles.len()];
        let kegiatan = if i == 2 {
            text.to_string()
        } else if i % 4 == 0 {
            format!(
                "Langkah {i}: memeriksa kelengkapan berkas, menyusun konsep surat dan \
                 menyampaikannya kepada atasan untuk diparaf"
            )
        } else {
            format!("Langkah {i}: mengerjakan tugas")
        };
        src.push_str(&format!(
            "[[langkah]]\nnomor = {i}\nkunci = \"langkah-{i}\"\nkegiatan = {}\n\
             pelaksana = \"{role}\"\npersyaratan = \"Berkas langkah {i}\"\nwaktu = \"1 hari\"\n\
             output = \"Hasil langkah {i}\"\nketerangan = \"\"\n",
            toml_str(&kegiatan)
        ));
        if i > 2 && i < n && i % 7 == 0 {
            let back = if i % 2 == 0 { 1 } else { 2 };
            src.push_str(&format!("keputusan = {{ tidak = {} }}\n", i - back));
        } else if long_loop && i == n - 1 {
            src.push_str("keputusan = { tidak = 3 }\n");
        }
    }
    SopDefinition::parse(&src).unwrap_or_else(|p| panic!("generated SOP invalid: {p:?}\n{src}"))
}
