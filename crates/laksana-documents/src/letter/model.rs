//! The print view models. Each is a plain value frozen when the document is printed: the
//! store keeps its own records and maps them to these, so a signed PDF can be reproduced from
//! exactly what it showed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kop surat: the instansi's logo and name, its address and contacts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Kop {
    /// The state emblem or regional logo as PNG, JPEG or SVG bytes.
    pub logo: Option<Vec<u8>>,
    /// The name of the instansi on 1 to 3 lines, printed in capitals (e.g. "PEMERINTAH
    /// PROVINSI CONTOH", "DINAS TENAGA KERJA", "UPT BALAI LATIHAN KERJA").
    pub nama: Vec<String>,
    /// The street address with the town and postcode.
    pub alamat: String,
    /// The telephone number(s), as written.
    pub telepon: Option<String>,
    /// The official e-mail address.
    pub email: Option<String>,
    /// The website.
    pub laman: Option<String>,
}

/// How the signer signs relative to the official whose authority the document carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Prefix {
    /// The signer signs in their own name.
    #[default]
    None,
    /// "a.n." (atas nama): on behalf of the official named here, e.g. "Kepala Dinas".
    An(String),
    /// "u.b." (untuk beliau): for the official named here, under an a.n. chain.
    Ub(String),
    /// "Plt." (pelaksana tugas) before the signer's jabatan.
    Plt,
    /// "Plh." (pelaksana harian) before the signer's jabatan.
    Plh,
}

/// The signing official, frozen at signing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Signer {
    /// The jabatan, e.g. "Kepala Dinas Tenaga Kerja".
    pub jabatan: String,
    /// a.n., u.b., Plt. or Plh., if any.
    pub prefix: Prefix,
    /// The full name with degrees, as it is to be printed.
    pub nama: String,
    /// Pangkat and golongan, e.g. "Pembina Utama Muda (IV/c)".
    pub pangkat: Option<String>,
    /// The NIP (18 digits), without the "NIP." label.
    pub nip: Option<String>,
    /// The signature (and stamp) image as PNG, JPEG or SVG bytes; blank space when absent.
    pub ttd: Option<Vec<u8>>,
}

/// One paraf hierarki: an official who initialled the draft before it went to the signer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paraf {
    /// Who initialled (name or initials as printed).
    pub nama: String,
    /// Their jabatan, e.g. "Kepala Bidang Pelatihan".
    pub jabatan: String,
    /// When they initialled.
    pub tanggal: NaiveDate,
}

/// A simple table inside a letter body, e.g. the quota per Kabupaten/Kota.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LetterTable {
    /// An optional caption above the table.
    pub judul: Option<String>,
    /// The column headings.
    pub kolom: Vec<String>,
    /// The rows, each with as many cells as there are columns.
    pub baris: Vec<Vec<String>>,
    /// The table is printed after this many body paragraphs (0 = before the first).
    pub setelah_paragraf: usize,
}

/// A surat dinas: the undangan and the surat pengantar.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Letter {
    /// The kop surat.
    pub kop: Kop,
    /// The place of the tempat, tanggal line, e.g. "Kota Contoh".
    pub tempat: String,
    /// The date; `None` on a draft not yet dated (the line keeps room for it).
    pub tanggal: Option<NaiveDate>,
    /// The letter number; `None` on a draft not yet numbered ("Nomor :" with room left).
    pub nomor: Option<String>,
    /// Sifat, e.g. "Penting" or "Biasa".
    pub sifat: String,
    /// Lampiran, e.g. "1 (satu) berkas"; empty prints "-".
    pub lampiran: String,
    /// Hal (the subject).
    pub hal: String,
    /// The addressees after "Yth."; several print as a numbered list.
    pub kepada: Vec<String>,
    /// Print "Yth. (daftar terlampir)" and list the addressees on a page of their own.
    pub kepada_terlampir: bool,
    /// Where the addressees are, printed after "di", e.g. "Tempat".
    pub di: String,
    /// The body paragraphs (opening, content, closing).
    pub isi: Vec<String>,
    /// An optional table within the body.
    pub tabel: Option<LetterTable>,
    /// The signing official.
    pub signer: Signer,
    /// Tembusan, in order.
    pub tembusan: Vec<String>,
    /// Paraf hierarki, in signing order (at most 3 are printed).
    pub paraf: Vec<Paraf>,
    /// The public verification URL printed as a QR code, once signed.
    pub verifikasi: Option<String>,
    /// A draft: every page carries a visible KONSEP marking.
    pub draft: bool,
}

/// A member's role in the committee, in the order the lampiran lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kedudukan {
    /// Pengarah.
    Pengarah,
    /// Penanggung Jawab.
    PenanggungJawab,
    /// Ketua.
    Ketua,
    /// Sekretaris.
    Sekretaris,
    /// Anggota.
    Anggota,
}

impl Kedudukan {
    /// The printed label, e.g. "Penanggung Jawab".
    pub fn label(self) -> &'static str {
        match self {
            Kedudukan::Pengarah => "Pengarah",
            Kedudukan::PenanggungJawab => "Penanggung Jawab",
            Kedudukan::Ketua => "Ketua",
            Kedudukan::Sekretaris => "Sekretaris",
            Kedudukan::Anggota => "Anggota",
        }
    }
}

/// One committee member in the lampiran of the SK.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anggota {
    /// The name with degrees.
    pub nama: String,
    /// The NIP, if the member is an ASN.
    pub nip: Option<String>,
    /// The member's jabatan.
    pub jabatan: String,
    /// Their role in the committee.
    pub kedudukan: Kedudukan,
}

/// A Keputusan (SK Panitia) with its lampiran listing the committee.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Keputusan {
    /// The kop surat.
    pub kop: Kop,
    /// The deciding official as printed in the title and the job title line, e.g. "Kepala
    /// Dinas Tenaga Kerja Provinsi Contoh" (printed in capitals).
    pub pejabat: String,
    /// The SK number; `None` on a draft not yet numbered.
    pub nomor: Option<String>,
    /// What it is about, e.g. "Pembentukan Panitia Pelatihan Menjahit Angkatan I".
    pub tentang: String,
    /// The considerations, each starting "bahwa …"; lettered a., b., ….
    pub menimbang: Vec<String>,
    /// The legal bases in hierarchy order; numbered 1., 2., ….
    pub mengingat: Vec<String>,
    /// The diktum texts; labelled KESATU, KEDUA, ….
    pub diktum: Vec<String>,
    /// Ditetapkan di (the place).
    pub tempat: String,
    /// Pada tanggal; `None` on a draft not yet dated.
    pub tanggal: Option<NaiveDate>,
    /// The signing official; the lampiran carries the same block.
    pub signer: Signer,
    /// Tembusan, in order.
    pub tembusan: Vec<String>,
    /// Paraf hierarki (at most 3 are printed).
    pub paraf: Vec<Paraf>,
    /// The heading of the lampiran's table, e.g. "SUSUNAN PANITIA PELATIHAN …".
    pub judul_lampiran: String,
    /// The committee, in the order printed.
    pub panitia: Vec<Anggota>,
    /// The public verification URL printed as a QR code, once signed.
    pub verifikasi: Option<String>,
    /// A draft: every page carries a visible KONSEP marking.
    pub draft: bool,
}

/// One line of the daily schedule of a work plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Jadwal {
    /// The day.
    pub tanggal: NaiveDate,
    /// The hours as written, e.g. "08.00–12.00".
    pub waktu: String,
    /// What happens.
    pub kegiatan: String,
}

/// Who the training is for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SasaranPeserta {
    /// How many participants.
    pub jumlah: u32,
    /// The youngest age accepted, in years.
    pub usia_min: u32,
    /// The oldest age accepted, in years.
    pub usia_max: u32,
    /// The minimum education, e.g. "SMP/sederajat".
    pub pendidikan_min: String,
    /// Further criteria, one per line.
    pub kriteria: Vec<String>,
}

/// A Kabupaten/Kota invited to send participants, with its quota.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KuotaDaerah {
    /// The Kabupaten/Kota.
    pub daerah: String,
    /// How many participants it may send.
    pub kuota: u32,
}

/// One budget line; its amount is volume × harga.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anggaran {
    /// The kode rekening of the DPA.
    pub kode_rekening: String,
    /// What is bought.
    pub uraian: String,
    /// How many units.
    pub volume: u64,
    /// The unit, e.g. "OH" or "paket".
    pub satuan: String,
    /// The unit price in rupiah.
    pub harga: u64,
}

impl Anggaran {
    /// Volume × harga in rupiah.
    pub fn jumlah(&self) -> u64 {
        self.volume.saturating_mul(self.harga)
    }
}

/// The rencana kerja as printed for approval at step 2 of the SOP.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkPlan {
    /// The kop surat.
    pub kop: Kop,
    /// The title, e.g. "Rencana Kerja Pelatihan Menjahit Angkatan I".
    pub judul: String,
    /// The kejuruan, e.g. "Garmen Apparel".
    pub kejuruan: String,
    /// The training programme, e.g. "Menjahit Pakaian Wanita".
    pub program: String,
    /// The aims, one per item.
    pub tujuan: Vec<String>,
    /// The first day.
    pub tanggal_mulai: Option<NaiveDate>,
    /// The last day.
    pub tanggal_selesai: Option<NaiveDate>,
    /// The daily schedule.
    pub jadwal: Vec<Jadwal>,
    /// The place.
    pub tempat: String,
    /// The target participants.
    pub peserta: SasaranPeserta,
    /// The Kabupaten/Kota to invite, with quota each.
    pub undangan: Vec<KuotaDaerah>,
    /// The deadline for the invitees' replies.
    pub batas_balasan: Option<NaiveDate>,
    /// The budget lines.
    pub anggaran: Vec<Anggaran>,
    /// The DPA ceiling (pagu) in rupiah.
    pub pagu_dpa: u64,
    /// The proposed committee.
    pub panitia: Vec<Anggota>,
    /// The equipment and materials, one per item.
    pub peralatan: Vec<String>,
    /// Where and when the plan is proposed.
    pub kota: String,
    /// The date of the proposal.
    pub tanggal: Option<NaiveDate>,
    /// Who proposes it (left signature).
    pub pengusul: Signer,
    /// Who approves it (right signature), once known.
    pub penyetuju: Option<Signer>,
    /// A draft: every page carries a visible KONSEP marking.
    pub draft: bool,
}

/// A register or list printed as one table under the kop.
#[derive(Clone, Debug, Default)]
pub struct TableReport {
    pub kop: Kop,
    pub judul: String,
    pub subjudul: Vec<String>,
    pub kolom: Vec<String>,
    /// Relative column widths, one per column.
    pub lebar: Vec<u32>,
    pub baris: Vec<Vec<String>>,
    pub catatan: Vec<String>,
}

/// One part of a [`BlockReport`], in reading order.
#[derive(Clone, Debug, PartialEq)]
pub enum ReportBlock {
    Heading(String),
    /// Paragraphs separated by a blank line.
    Paragraph(String),
    Table {
        kolom: Vec<String>,
        lebar: Vec<u32>,
        baris: Vec<Vec<String>>,
    },
}

/// Who submits a report, printed at its end.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportSigner {
    pub tempat_tanggal: String,
    pub jabatan: String,
    pub nama: String,
    /// Printed under the name (e.g. "NIP …" or "Ketua Panitia").
    pub keterangan: String,
}

/// A report under the kop: headings, paragraphs and tables (laporan pelaksanaan).
#[derive(Clone, Debug, Default)]
pub struct BlockReport {
    pub kop: Kop,
    pub judul: String,
    pub subjudul: Vec<String>,
    pub blocks: Vec<ReportBlock>,
    pub penanda: Option<ReportSigner>,
}

/// A certificate of training (sertifikat pelatihan), A4 landscape: the kop, the number, the
/// participant's name, the body text filled from the unit's template, the signer and the
/// verification QR. It carries no NIK: a certificate is shown to employers and posted online.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub kop: Kop,
    /// The heading, e.g. "SERTIFIKAT PELATIHAN".
    pub judul: String,
    /// The number from the certificate register.
    pub nomor: String,
    /// The participant's name as printed.
    pub nama: String,
    /// The body paragraphs under the name (the unit's template, filled).
    pub isi: Vec<String>,
    /// Who delivered the training and under which registration, printed small; may be empty.
    pub keterangan: Vec<String>,
    /// Place of the date line.
    pub tempat: String,
    /// The issue date.
    pub tanggal: Option<NaiveDate>,
    pub signer: Signer,
    /// The public verification URL printed as a QR code.
    pub verifikasi: Option<String>,
}
