//! `laksana export`: one training as a single ZIP a person can read without Laksana.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use laksana_store::{export_sections, format_ts, AuditEntry, FileStore, StoredFile};

use crate::audit_check::connect_quiet;

pub async fn export(
    url: &str,
    files: &FileStore,
    training_id: i64,
    out: &Path,
) -> anyhow::Result<ExitCode> {
    if out.exists() {
        anyhow::bail!("{} sudah ada; pilih nama berkas baru", out.display());
    }
    let store = connect_quiet(url).await?.with_files(files.clone());
    let unit_id = store.unit_of_training(training_id).await?;
    let data = store.export_training(unit_id, training_id).await?;
    let audit = store.audit_of_training(training_id).await?;
    let files = store.files_of_training(training_id).await?;
    store.close().await;
    let title = data["pelatihan"]["title"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let archive = Archive::build(training_id, &title, &data, &audit, &files)?;
    let partial = out.with_extension("zip.sebagian");
    std::fs::write(&partial, &archive.bytes)
        .with_context(|| format!("menulis {}", partial.display()))?;
    std::fs::rename(&partial, out)?;
    println!(
        "Arsip pelatihan {training_id} \"{title}\" ditulis ke {}: {} entri audit, {} berkas dokumen, {} bita.",
        out.display(),
        audit.len(),
        files.len(),
        archive.bytes.len()
    );
    for bad in &archive.mismatched {
        println!("PERINGATAN: isi {bad} tidak cocok dengan SHA-256 yang tercatat.");
    }
    Ok(ExitCode::SUCCESS)
}

/// The finished ZIP, and the files whose content no longer matches their recorded checksum.
pub struct Archive {
    pub bytes: Vec<u8>,
    pub mismatched: Vec<String>,
}

impl Archive {
    /// Pure: the records in, the ZIP's bytes out.
    pub fn build(
        training_id: i64,
        title: &str,
        data: &serde_json::Value,
        audit: &[AuditEntry],
        files: &[StoredFile],
    ) -> anyhow::Result<Archive> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(6));
        let mut sums = String::new();
        let mut mismatched = Vec::new();
        let mut listed = Vec::new();
        for file in files {
            let path = format!("{}/{}", file.folder, safe_name(file.id, &file.name));
            let actual = file.actual_sha256();
            if file.sha256.as_deref() != Some(actual.as_str()) {
                mismatched.push(format!("dokumen/{path}"));
            }
            sums.push_str(&format!("{actual}  {path}\n"));
            zip.start_file(format!("dokumen/{path}"), options)?;
            zip.write_all(&file.content)?;
            listed.push(path);
        }
        zip.start_file("dokumen/SHA256SUMS", options)?;
        zip.write_all(sums.as_bytes())?;
        zip.start_file("pelatihan.json", options)?;
        zip.write_all(serde_json::to_string_pretty(data)?.as_bytes())?;
        zip.write_all(b"\n")?;
        zip.start_file("jejak-audit.csv", options)?;
        zip.write_all(&audit_csv(audit)?)?;
        zip.start_file("BACA-SAYA.txt", options)?;
        zip.write_all(readme(training_id, title, audit.len(), &listed, &mismatched).as_bytes())?;
        Ok(Archive {
            bytes: zip.finish()?.into_inner(),
            mismatched,
        })
    }
}

/// The training's audit entries as CSV, with the times exactly as hashed.
fn audit_csv(audit: &[AuditEntry]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "seq",
        "waktu_utc",
        "aktor",
        "peran",
        "aksi",
        "langkah",
        "putaran",
        "catatan",
        "keadaan_sebelum",
        "keadaan_sesudah",
        "prev_hash",
        "hash",
    ])?;
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    for e in audit {
        w.write_record([
            e.id.to_string(),
            e.seq.to_string(),
            format_ts(e.at),
            e.actor_name.clone(),
            e.actor_role.clone().unwrap_or_default(),
            e.action.clone(),
            opt(e.step_no),
            opt(e.round),
            e.note.clone().unwrap_or_default(),
            e.state_before.clone().unwrap_or_default(),
            e.state_after.clone().unwrap_or_default(),
            e.prev_hash.clone(),
            e.hash.clone(),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// `{id}-{name}` with only letters, digits, `.`, `_` and `-`, so every system can unpack it
/// and two files of one kind never share a name.
pub fn safe_name(id: i64, name: &str) -> String {
    let mut clean = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_') {
            clean.push(c);
        } else if !clean.ends_with('-') {
            clean.push('-');
        }
    }
    let clean = clean.trim_matches(|c| c == '-' || c == '.');
    let clean = if clean.is_empty() { "berkas" } else { clean };
    format!("{id}-{}", &clean[..clean.len().min(120)])
}

fn readme(
    training_id: i64,
    title: &str,
    audit_entries: usize,
    files: &[String],
    mismatched: &[String],
) -> String {
    let mut t = format!(
        "ARSIP PELATIHAN {training_id}: {title}\n\
         Dibuat oleh Laksana (laksana export) pada {} UTC.\n\n\
         Isi arsip ini:\n\n\
         pelatihan.json\n  Semua data pelatihan yang disimpan Laksana, dalam JSON. Setiap bagian berisi\n  baris-baris data dengan nama kolomnya; waktu dalam UTC (ISO 8601), tanggal YYYY-MM-DD.\n  Bagian-bagiannya:\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M")
    );
    for (key, about) in export_sections() {
        t.push_str(&format!("    {key}: {about}\n"));
    }
    t.push_str(&format!(
        "  Rahasia (tautan operator, kode QR ruang, token) tidak ikut diekspor.\n\n\
         jejak-audit.csv\n  {audit_entries} entri jejak audit pelatihan ini, terlama di atas, dengan prev_hash dan hash\n  SHA-256 setiap entri. Rantai hash berlaku per unit (entri pelatihan lain ada di antaranya),\n  jadi keutuhan seluruh rantai diperiksa di server dengan `laksana audit verify`.\n\n\
         dokumen/\n  {} berkas tersimpan: surat bertanda tangan (surat/), salinan TTE (surat-tte/), bukti\n  pengiriman (bukti-kirim/), surat masuk (surat-masuk/) dan sertifikat (sertifikat/).\n  Dokumen yang dicetak ulang dari data (rencana kerja, notulen, laporan) tidak disimpan sebagai\n  berkas; isinya ada di pelatihan.json.\n\n\
         dokumen/SHA256SUMS\n  SHA-256 setiap berkas. Periksa dengan: cd dokumen && sha256sum -c SHA256SUMS\n",
        files.len()
    ));
    if !mismatched.is_empty() {
        t.push_str("\nPERINGATAN: isi berkas berikut tidak cocok dengan SHA-256 yang tercatat di basis data\nsaat berkas itu disimpan (SHA256SUMS memuat isi yang ada sekarang):\n");
        for m in mismatched {
            t.push_str(&format!("  {m}\n"));
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe_and_unique_by_id() {
        assert_eq!(
            safe_name(7, "Kab. Sleman - tanda terima (1).pdf"),
            "7-Kab.-Sleman-tanda-terima-1-.pdf"
        );
        assert_eq!(safe_name(3, "../../etc/passwd"), "3-etc-passwd");
        assert_eq!(safe_name(4, "///"), "4-berkas");
    }
}
