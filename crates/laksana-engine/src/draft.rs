//! A draft definition from the text extracted from an SOP AP document (`laksana sop draft`).
//!
//! Extraction to text breaks the table's columns across lines, wraps cells and loses the
//! flowchart's symbols, so which pelaksana carries out a step cannot be read. The draft fills
//! what the text gives — title, unit, identity fields, the six boxes, the pelaksana columns
//! and every step's kegiatan, persyaratan, waktu and output — and writes `"TODO"` where a
//! value could not be read, with a `# TODO:` comment above it. [`SopDefinition::parse`]
//! reports each `"TODO"` as a problem on its line, so `laksana sop check` on the draft lists
//! exactly the TODOs and nothing else; [`Draft::todos`] names the same lines.
//!
//! What the text is expected to look like is described in `draft/table.rs` (the rows) and
//! `draft/front.rs` (the identity block and boxes).
//!
//! [`SopDefinition::parse`]: crate::SopDefinition::parse

mod front;
mod table;
mod words;
mod write;

use front::{Front, Kotak};
use table::{RowRead, TableRead};
use write::{Writer, TODO};

/// A draft definition and what is left to fill in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// The definition file, in the format of `sop/penyelenggaraan-pelatihan.toml`.
    pub toml: String,
    /// Every `"TODO"` value in `toml`, in line order.
    pub todos: Vec<Todo>,
    /// How many steps were read.
    pub steps: usize,
    /// The pelaksana read from the table header, in column order (display names).
    pub roles: Vec<String>,
}

/// A value of the draft that could not be read from the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Todo {
    /// 1-based line of `Draft::toml` holding the `"TODO"` (where `sop check` points).
    pub line: usize,
    /// What to fill in, e.g. "langkah 3: pelaksana (tanda centang hilang)".
    pub message: String,
}

impl std::fmt::Display for Todo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "baris {}: {}", self.line, self.message)
    }
}

/// Why no draft could be made: the text is not an extracted SOP table.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    #[error("Teks kosong: tidak ada yang bisa dibaca.")]
    Empty,
    #[error(
        "Tabel SOP tidak ditemukan: tidak ada baris judul kolom \"NO KEGIATAN PELAKSANA …\". \
         Apakah ini teks hasil ekstraksi naskah SOP AP?"
    )]
    NoTable,
    #[error(
        "Judul tabel SOP ditemukan di baris {header_line}, tetapi tidak ada langkah bernomor 1 \
         di bawahnya."
    )]
    NoSteps { header_line: usize },
}

/// Reads the text extracted from an SOP AP document and writes a draft definition.
pub fn draft_from_text(text: &str) -> Result<Draft, DraftError> {
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.replace('\t', "    ").replace('\u{a0}', " "))
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect();
    if lines.iter().all(|l| l.trim().is_empty()) {
        return Err(DraftError::Empty);
    }
    let header = table::find_header(&lines).ok_or(DraftError::NoTable)?;
    let above: Vec<&str> = lines[..header].iter().map(String::as_str).collect();
    let front = front::read(&above);
    let table = table::read(&lines, header);
    if table.rows.is_empty() {
        return Err(DraftError::NoSteps {
            header_line: header + 1,
        });
    }
    Ok(write_draft(&front, &table))
}

/// A pelaksana column of the draft.
struct RoleOut {
    key: String,
    /// `None` when the column's header could not be read.
    name: Option<String>,
}

fn roles_of(table: &TableRead) -> Vec<RoleOut> {
    let mut taken = Vec::new();
    let mut roles: Vec<RoleOut> = table
        .roles
        .iter()
        .map(|words| {
            let name = words::role_name(words);
            let key = words::unique(words::key_of(&name), &mut taken);
            RoleOut {
                key,
                name: Some(name),
            }
        })
        .collect();
    let columns = table.role_columns.unwrap_or(1).max(roles.len());
    while roles.len() < columns {
        let key = words::unique(format!("pelaksana-{}", roles.len() + 1), &mut taken);
        roles.push(RoleOut { key, name: None });
    }
    roles
}

/// Kegiatan that check someone's work: likely decisions even without "Ya"/"Tidak" labels.
fn is_checking(kegiatan: &str) -> bool {
    let first = kegiatan
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_lowercase();
    matches!(
        first.trim_end_matches(','),
        "memeriksa" | "meneliti" | "memverifikasi" | "mengoreksi" | "menelaah" | "mengevaluasi"
    )
}

fn write_draft(front: &Front, table: &TableRead) -> Draft {
    let mut w = Writer::default();
    let roles = roles_of(table);
    write_identity(&mut w, front);
    write_roles(&mut w, &roles);
    let role_keys: Vec<&str> = roles.iter().map(|r| r.key.as_str()).collect();
    let mut step_keys = Vec::new();
    for row in &table.rows {
        write_step(&mut w, row, &role_keys, &mut step_keys);
    }
    let header = header_comment(w.todo_count(), table);
    let (toml, todos) = w.finish(header);
    Draft {
        toml,
        todos,
        steps: table.rows.len(),
        roles: roles
            .iter()
            .map(|r| r.name.clone().unwrap_or_else(|| TODO.to_string()))
            .collect(),
    }
}

fn header_comment(todos: usize, table: &TableRead) -> Vec<String> {
    let decisions = table.rows.iter().filter(|r| r.decision).count();
    let mut lines = vec![
        "# DRAF definisi SOP, dibuat oleh `laksana sop draft` dari teks hasil ekstraksi naskah"
            .to_string(),
        "# SOP AP (Permenpan RB 35/2012). Periksa setiap nilai terhadap naskah asli.".to_string(),
        "#".to_string(),
        format!(
            "# Nilai \"TODO\" belum terbaca dari teks ({todos} buah); `laksana sop check` \
             melaporkan"
        ),
        "# masing-masing dengan barisnya sampai diisi. Tanda centang kolom pelaksana hilang saat"
            .to_string(),
        "# naskah diekstrak, jadi pelaksana setiap langkah harus dipilih dari naskah asli."
            .to_string(),
        "#".to_string(),
        "# Tidak dibaca dari teks: atasan tiap pelaksana, kolom keterangan (tidak terpisahkan dari"
            .to_string(),
        "# output dalam teks), dan keputusan yang tidak berlabel \"Ya\"/\"Tidak\". Butir kotak"
            .to_string(),
        "# dasar hukum s.d. pencatatan dibagi menurut urutan teks: periksa pembagiannya."
            .to_string(),
    ];
    if decisions > 0 {
        lines.push(format!(
            "# {decisions} langkah berlabel \"Ya\"/\"Tidak\" dijadikan keputusan; langkah tujuan \
             \"Tidak\" belum terbaca."
        ));
    }
    lines.push(String::new());
    lines
}

fn write_identity(w: &mut Writer, front: &Front) {
    match &front.nama {
        Some(nama) => {
            w.string("kunci", &words::key_of(nama));
            w.string("versi", "1");
            w.string("nama", nama);
        }
        None => {
            w.todo(
                "kunci",
                "kunci SOP (huruf kecil dan tanda hubung), dari nama SOP",
                "kunci SOP".into(),
            );
            w.string("versi", "1");
            w.todo(
                "nama",
                "nama SOP tidak terbaca dari teks",
                "nama SOP".into(),
            );
        }
    }
    if let Some(subjudul) = &front.subjudul {
        w.string("subjudul", subjudul);
    }
    match &front.unit {
        Some(unit) => w.string("unit", unit),
        None => w.todo(
            "unit",
            "nama unit/SKPD tidak terbaca dari teks",
            "unit".into(),
        ),
    }
    w.blank();
    for kotak in Kotak::ALL {
        w.list(kotak.key(), front.items(kotak));
    }
    w.blank();
    let fields = [
        ("nomor", &front.nomor),
        ("tanggal_pembuatan", &front.tanggal_pembuatan),
        ("tanggal_revisi", &front.tanggal_revisi),
        ("tanggal_efektif", &front.tanggal_efektif),
    ];
    w.comment("Identitas SOP; yang tidak ada dalam teks dibiarkan sebagai komentar.");
    w.line("[identitas]");
    for (key, value) in fields {
        match value {
            Some(value) => w.string(key, value),
            None => w.comment(&format!("{key} = \"\"")),
        }
    }
    match &front.disahkan_oleh {
        Some(who) => w.comment(&format!(
            "Disahkan oleh: {who} (nama dan NIP tidak terbaca; isi [identitas.disahkan_oleh])."
        )),
        None => w.comment("Disahkan oleh: tidak ada dalam teks."),
    }
    w.comment("[identitas.disahkan_oleh]");
    w.comment("jabatan = \"\"");
    w.comment("nama = \"\"");
    w.comment("nip = \"\"");
    w.blank();
}

fn write_roles(w: &mut Writer, roles: &[RoleOut]) {
    w.comment("Pelaksana, dalam urutan kolom naskah. Isi `atasan` bila diketahui.");
    for (i, role) in roles.iter().enumerate() {
        w.line("[[pelaksana]]");
        w.string("kunci", &role.key);
        match &role.name {
            Some(name) => w.string("nama", name),
            None => w.todo(
                "nama",
                &format!("judul kolom pelaksana ke-{} tidak terbaca", i + 1),
                format!("nama pelaksana kolom ke-{}", i + 1),
            ),
        }
        w.comment("atasan = \"\"");
        w.blank();
    }
}

fn write_step(w: &mut Writer, row: &RowRead, role_keys: &[&str], step_keys: &mut Vec<String>) {
    let n = row.number;
    w.line("[[langkah]]");
    w.line(format!("nomor = {n}"));
    let key = match words::step_key(&row.kegiatan) {
        k if k.is_empty() => format!("langkah-{n}"),
        k => k,
    };
    w.string("kunci", &words::unique(key, step_keys));
    if row.kegiatan.is_empty() {
        w.todo(
            "kegiatan",
            "kegiatan tidak terbaca dari teks",
            format!("langkah {n}: kegiatan"),
        );
    } else {
        w.string("kegiatan", &row.kegiatan);
    }
    w.todo(
        "pelaksana",
        &format!(
            "pilih pelaksana (tanda centang hilang saat naskah diekstrak): {}",
            role_keys.join(", ")
        ),
        format!("langkah {n}: pelaksana (tanda centang hilang)"),
    );
    if row.split_guessed {
        w.comment(
            "Periksa: batas kegiatan dan persyaratan tidak tampak di teks; dipotong di akhir \
             kalimat pertama.",
        );
    }
    w.string("persyaratan", &row.persyaratan);
    match &row.waktu {
        Some(waktu) => w.string("waktu", waktu),
        None => w.todo(
            "waktu",
            "waktu tidak terbaca dari teks (mis. \"1 hari\", \"30 menit\"); periksa juga \
             persyaratan dan output",
            format!("langkah {n}: waktu"),
        ),
    }
    w.string("output", &row.output);
    w.string("keterangan", "");
    if row.decision {
        w.comment(&format!(
            "TODO: langkah keputusan (label \"Ya\"/\"Tidak\" di teks): isi nomor langkah tujuan \
             \"Tidak\"{}.",
            if n > 1 {
                format!(", biasanya langkah konsep sebelumnya (mis. {})", n - 1)
            } else {
                String::new()
            }
        ));
        w.line("keputusan = { tidak = 0 }");
        w.record(format!("langkah {n}: langkah tujuan \"Tidak\""));
    } else if is_checking(&row.kegiatan) && n > 1 {
        w.comment(&format!(
            "Langkah pemeriksaan: bila \"Tidak\" mengembalikan berkas, tambahkan mis. \
             keputusan = {{ tidak = {} }}",
            n - 1
        ));
    }
    w.blank();
}

#[cfg(test)]
mod tests;
