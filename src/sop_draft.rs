//! `laksana sop draft TEXTFILE`: the file and terminal side of the engine's pure
//! [`draft_from_text`]. The draft definition goes to standard output (so it can be redirected
//! into a `.toml` file); what is left to fill in goes to standard error.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use laksana_engine::draft_from_text;

/// An extracted SOP is a few pages; anything far larger is not one.
const MAX_TEXT_BYTES: u64 = 10 * 1024 * 1024;

/// Reads the extracted text `file` and prints a draft definition. Exit 1, with the reason,
/// when the text holds no SOP table.
pub fn draft(file: &Path) -> anyhow::Result<ExitCode> {
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_TEXT_BYTES + 1).read_to_end(&mut bytes))
        .with_context(|| format!("membaca {}", file.display()))?;
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        eprintln!(
            "{}: berkas lebih dari {} MB; ini bukan teks sebuah SOP.",
            file.display(),
            MAX_TEXT_BYTES / 1024 / 1024
        );
        return Ok(ExitCode::from(1));
    }
    // Text from PDF tools is not always UTF-8; an odd byte should not stop the draft.
    let text = String::from_utf8_lossy(&bytes);
    match draft_from_text(&text) {
        Ok(draft) => {
            print!("{}", draft.toml);
            eprintln!(
                "{}: draf dengan {} langkah dan {} pelaksana; {} TODO harus diisi dari naskah \
                 asli (`laksana sop check` menunjukkannya):",
                file.display(),
                draft.steps,
                draft.roles.len(),
                draft.todos.len()
            );
            for todo in &draft.todos {
                eprintln!("  {todo}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            Ok(ExitCode::from(1))
        }
    }
}
