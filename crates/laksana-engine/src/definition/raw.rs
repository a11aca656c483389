//! The TOML file's shape, field by field, as serde reads it: the format's reference.
//!
//! Values that validation must judge (numbers, keys, roles, waktu) stay optional and carry
//! their byte span, so one pass can report every missing or wrong value with its line
//! instead of stopping at serde's first complaint.

use serde::Deserialize;
use toml::Spanned;

/// Byte span of a value in the source; turned into a line number when reporting.
pub(crate) type Span = std::ops::Range<usize>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSop {
    pub kunci: Option<Spanned<String>>,
    pub versi: Option<Spanned<String>>,
    pub nama: Option<Spanned<String>>,
    pub unit: Option<Spanned<String>>,
    pub subjudul: Option<String>,
    #[serde(default)]
    pub dasar_hukum: Vec<String>,
    #[serde(default)]
    pub kualifikasi_pelaksana: Vec<String>,
    #[serde(default)]
    pub keterkaitan: Vec<String>,
    #[serde(default)]
    pub peralatan_perlengkapan: Vec<String>,
    #[serde(default)]
    pub peringatan: Vec<String>,
    #[serde(default)]
    pub pencatatan_pendataan: Vec<String>,
    #[serde(default)]
    pub identitas: RawIdentitas,
    #[serde(default)]
    pub pelaksana: Vec<Spanned<RawPelaksana>>,
    #[serde(default)]
    pub langkah: Vec<Spanned<RawLangkah>>,
    #[serde(default)]
    pub catatan: Vec<Spanned<RawCatatan>>,
    #[serde(default)]
    pub substitusi: Vec<Spanned<RawSubstitusi>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIdentitas {
    pub nomor: Option<String>,
    pub tanggal_pembuatan: Option<String>,
    pub tanggal_revisi: Option<String>,
    pub tanggal_efektif: Option<String>,
    pub disahkan_oleh: Option<RawPengesah>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPengesah {
    pub jabatan: String,
    pub nama: String,
    #[serde(default)]
    pub nip: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPelaksana {
    pub kunci: Option<Spanned<String>>,
    pub nama: Option<Spanned<String>>,
    pub atasan: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLangkah {
    pub nomor: Option<Spanned<u32>>,
    pub kunci: Option<Spanned<String>>,
    pub kegiatan: Option<Spanned<String>>,
    pub pelaksana: Option<Spanned<String>>,
    #[serde(default)]
    pub persyaratan: String,
    pub waktu: Option<Spanned<String>>,
    #[serde(default)]
    pub output: String,
    #[serde(default)]
    pub keterangan: String,
    pub keputusan: Option<Spanned<RawKeputusan>>,
    #[serde(default)]
    pub masukan_wajib: Vec<Spanned<String>>,
}

/// `keputusan = { tidak = 1 }`: the step approves ("Ya", onward) or returns ("Tidak").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawKeputusan {
    pub tidak: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCatatan {
    pub langkah: Option<Spanned<u32>>,
    pub kolom: Option<Spanned<String>>,
    pub teks: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSubstitusi {
    pub teks: Option<Spanned<String>>,
    pub pengaturan: Option<Spanned<String>>,
}
