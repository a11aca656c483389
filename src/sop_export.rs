//! `laksana sop export` and `laksana sop import`: the file and terminal side of the engine's
//! pure BPMN and Mermaid conversions.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use laksana_engine::bpmn::MAX_BPMN_BYTES;
use laksana_engine::{from_bpmn, to_bpmn, to_mermaid, SopDefinition};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// BPMN 2.0 XML with lanes and diagram coordinates (runs in SpiffWorkflow, opens in modelers).
    Bpmn,
    /// A Mermaid flowchart.
    Mermaid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// BPMN 2.0 XML in the subset Laksana exports.
    Bpmn,
}

/// Reads the TOML definition `file` and writes it as `format` to `output` or standard output.
/// Exit 1 (with every problem listed) when the definition is not valid.
pub fn export(
    file: &Path,
    format: ExportFormat,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let def = match load_valid(file)? {
        Ok(def) => def,
        Err(code) => return Ok(code),
    };
    let text = match format {
        ExportFormat::Bpmn => to_bpmn(&def),
        ExportFormat::Mermaid => to_mermaid(&def),
    };
    write_output(output, text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The definition in `file`, or exit 1 after printing every problem with its line.
fn load_valid(file: &Path) -> anyhow::Result<Result<SopDefinition, ExitCode>> {
    let src =
        std::fs::read_to_string(file).with_context(|| format!("membaca {}", file.display()))?;
    match SopDefinition::parse(&src) {
        Ok(def) => Ok(Ok(def)),
        Err(problems) => {
            for p in &problems {
                eprintln!("{}: {p}", file.display());
            }
            eprintln!(
                "{} masalah ditemukan; definisi yang tidak sah tidak diekspor.",
                problems.len()
            );
            Ok(Err(ExitCode::from(1)))
        }
    }
}

/// Writes to `output`, or to standard output when it is absent or `-`.
fn write_output(output: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match output {
        Some(path) if path != Path::new("-") => {
            std::fs::write(path, bytes).with_context(|| format!("menulis {}", path.display()))?
        }
        _ => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(bytes)?;
            stdout.flush()?;
        }
    }
    Ok(())
}

/// Reads a BPMN file and prints the TOML definition; exit 1 with every problem (on standard
/// error, naming the element id) when the file is outside the subset or unsafe.
pub fn import(file: &Path, format: ImportFormat) -> anyhow::Result<ExitCode> {
    let ImportFormat::Bpmn = format;
    let text = match read_limited(file)? {
        Ok(text) => text,
        Err(message) => {
            eprintln!("{}: {message}", file.display());
            return Ok(ExitCode::from(1));
        }
    };
    match from_bpmn(&text) {
        Ok(toml) => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(toml.as_bytes())?;
            stdout.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            for p in &problems {
                eprintln!("{}: {p}", file.display());
            }
            eprintln!(
                "{} masalah ditemukan; berkas BPMN ini tidak diimpor.",
                problems.len()
            );
            Ok(ExitCode::from(1))
        }
    }
}

/// The file as UTF-8 text, reading at most one byte past the limit so a huge file is refused
/// without being loaded; the inner error is a sentence for the user.
fn read_limited(file: &Path) -> anyhow::Result<Result<String, String>> {
    let handle =
        std::fs::File::open(file).with_context(|| format!("membaca {}", file.display()))?;
    let mut bytes = Vec::new();
    handle
        .take(MAX_BPMN_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("membaca {}", file.display()))?;
    if bytes.len() > MAX_BPMN_BYTES {
        return Ok(Err(format!(
            "Berkas terlalu besar (lebih dari {} bait); Laksana membaca BPMN paling besar {} MiB.",
            MAX_BPMN_BYTES,
            MAX_BPMN_BYTES / (1024 * 1024)
        )));
    }
    Ok(String::from_utf8(bytes).map_err(|e| {
        format!(
            "Berkas bukan teks UTF-8 (bait ke-{} tidak sah); simpan BPMN sebagai UTF-8.",
            e.utf8_error().valid_up_to() + 1
        )
    }))
}
