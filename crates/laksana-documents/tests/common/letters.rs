//! Sample letters for the tests, the benchmark and the render example: an undangan, a surat
//! pengantar, an SK with an n-row lampiran and a work plan, with names that are hard to print.

use chrono::NaiveDate;
use laksana_documents::{
    Anggaran, Anggota, Jadwal, Kedudukan, Keputusan, Kop, KuotaDaerah, Letter, LetterTable, Paraf,
    Prefix, SasaranPeserta, Signer, WorkPlan,
};

pub const NIP_KEPALA: &str = "197001012000031001";

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn kop() -> Kop {
    Kop {
        logo: Some(logo_svg().into_bytes()),
        nama: vec![
            "Pemerintah Provinsi Contoh".into(),
            "Dinas Tenaga Kerja dan Transmigrasi".into(),
            "UPT Balai Latihan Kerja".into(),
        ],
        alamat: "Jalan Contoh Nomor 1, Kota Contoh 12345".into(),
        telepon: Some("(021) 000000".into()),
        email: Some("blk@contoh.go.id".into()),
        laman: Some("https://blk.contoh.go.id".into()),
    }
}

/// A stand-in for the regional logo: a shield drawn in SVG.
pub fn logo_svg() -> String {
    r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 120" width="100" height="120">
<path d="M50 4 L94 20 L90 70 Q80 104 50 116 Q20 104 10 70 L6 20 Z" fill="#f4c430" stroke="#7a5200" stroke-width="4"/>
<circle cx="50" cy="55" r="22" fill="#b22222"/></svg>"##
        .to_string()
}

pub fn kepala() -> Signer {
    Signer {
        jabatan: "Kepala Dinas Tenaga Kerja dan Transmigrasi".into(),
        prefix: Prefix::None,
        nama: "Dr. Ni Luh Putu Sri'ani, S.H., M.M.".into(),
        pangkat: Some("Pembina Utama Muda (IV/c)".into()),
        nip: Some(NIP_KEPALA.into()),
        ttd: None,
    }
}

pub fn paraf() -> Vec<Paraf> {
    vec![
        Paraf {
            nama: "Ma'ruf".into(),
            jabatan: "Kepala Seksi Pelatihan".into(),
            tanggal: date(2026, 12, 21),
        },
        Paraf {
            nama: "Ñoño".into(),
            jabatan: "Kepala Bidang Pelatihan".into(),
            tanggal: date(2026, 12, 22),
        },
    ]
}

pub const UNDANGAN_BODY: [&str; 3] = [
    "Dalam rangka meningkatkan kompetensi dan daya saing tenaga kerja, UPT Balai Latihan Kerja akan menyelenggarakan Pelatihan Menjahit Angkatan I pada tanggal 11 Januari 2027 sampai dengan 29 Januari 2027 bertempat di Workshop Garmen UPT BLK.",
    "Sehubungan dengan hal tersebut, kami mohon bantuan Saudara untuk mengirimkan calon peserta pelatihan sesuai dengan kuota dan persyaratan terlampir. Nama calon peserta kami terima paling lambat tanggal 8 Januari 2027.",
    "Informasi lebih lanjut dapat menghubungi Ma'ruf (0812-0000-0000). Demikian kami sampaikan, atas perhatian dan kerja sama Saudara kami ucapkan terima kasih.",
];

pub fn undangan() -> Letter {
    Letter {
        kop: kop(),
        tempat: "Kota Contoh".into(),
        tanggal: Some(date(2026, 12, 23)),
        nomor: Some("500.15.4/123/BLK".into()),
        sifat: "Penting".into(),
        lampiran: "1 (satu) berkas".into(),
        hal: "Undangan Pelatihan Menjahit Angkatan I".into(),
        kepada: vec!["Kepala Dinas Tenaga Kerja Kabupaten Contoh".into()],
        kepada_terlampir: false,
        di: "Tempat".into(),
        isi: UNDANGAN_BODY.iter().map(|s| s.to_string()).collect(),
        tabel: Some(LetterTable {
            judul: Some("Kuota Peserta".into()),
            kolom: vec!["No".into(), "Kabupaten/Kota".into(), "Kuota".into()],
            baris: vec![
                vec!["1".into(), "Kabupaten Contoh".into(), "8".into()],
                vec!["2".into(), "Kota Contoh".into(), "8".into()],
            ],
            setelah_paragraf: 2,
        }),
        signer: kepala(),
        tembusan: vec!["Gubernur Contoh (sebagai laporan);".into(), "Arsip.".into()],
        paraf: paraf(),
        verifikasi: Some("https://laksana.contoh.go.id/verifikasi/7f3a9c".into()),
        draft: false,
    }
}

pub fn pengantar() -> Letter {
    Letter {
        nomor: None,
        tanggal: None,
        sifat: "Biasa".into(),
        hal: "Pengantar Berkas Pelatihan Menjahit Angkatan I".into(),
        kepada: vec![
            "Kepala Dinas Tenaga Kerja Kabupaten Contoh".into(),
            "Kepala Dinas Tenaga Kerja Kota Contoh".into(),
            "Kepala Dinas Tenaga Kerja Kabupaten Lain".into(),
        ],
        isi: vec![
            "Bersama ini kami sampaikan dengan hormat berkas Pelatihan Menjahit Angkatan I sebagaimana terlampir, untuk dapat dipergunakan sebagaimana mestinya.".into(),
            "Demikian kami sampaikan, atas perhatian Saudara kami ucapkan terima kasih.".into(),
        ],
        tabel: None,
        signer: Signer {
            jabatan: "Kepala Bidang Pelatihan dan Produktivitas".into(),
            prefix: Prefix::An("Kepala Dinas Tenaga Kerja dan Transmigrasi".into()),
            nama: "Ma'ruf Ñoño, S.T.".into(),
            pangkat: Some("Pembina (IV/a)".into()),
            nip: Some("198001012005011002".into()),
            ttd: None,
        },
        paraf: vec![],
        verifikasi: None,
        draft: true,
        ..undangan()
    }
}

pub const SK_TITLE: &str = "Pembentukan Panitia Pelatihan Menjahit Angkatan I";

pub fn keputusan(rows: usize) -> Keputusan {
    let kedudukan = |i: usize| match i {
        0 => Kedudukan::Pengarah,
        1 => Kedudukan::PenanggungJawab,
        2 => Kedudukan::Ketua,
        3 => Kedudukan::Sekretaris,
        _ => Kedudukan::Anggota,
    };
    Keputusan {
        kop: kop(),
        pejabat: "Kepala Dinas Tenaga Kerja dan Transmigrasi Provinsi Contoh".into(),
        nomor: Some("500.15.4/124/BLK".into()),
        tentang: SK_TITLE.into(),
        menimbang: vec![
            "bahwa dalam rangka kelancaran penyelenggaraan Pelatihan Menjahit Angkatan I perlu dibentuk panitia penyelenggara;".into(),
            "bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a, perlu menetapkan Keputusan Kepala Dinas tentang Pembentukan Panitia Pelatihan Menjahit Angkatan I;".into(),
        ],
        mengingat: vec![
            "Undang-Undang Nomor 13 Tahun 2003 tentang Ketenagakerjaan (Lembaran Negara Republik Indonesia Tahun 2003 Nomor 39, Tambahan Lembaran Negara Republik Indonesia Nomor 4279);".into(),
            "Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah (Lembaran Negara Republik Indonesia Tahun 2014 Nomor 244, Tambahan Lembaran Negara Republik Indonesia Nomor 5587);".into(),
            "Peraturan Menteri Dalam Negeri Nomor 1 Tahun 2023 tentang Tata Naskah Dinas di Lingkungan Pemerintah Daerah;".into(),
        ],
        diktum: vec![
            "Membentuk Panitia Pelatihan Menjahit Angkatan I dengan susunan sebagaimana tercantum dalam Lampiran yang merupakan bagian tidak terpisahkan dari Keputusan ini.".into(),
            "Panitia sebagaimana dimaksud dalam Diktum KESATU bertugas mempersiapkan, melaksanakan, mengevaluasi dan melaporkan penyelenggaraan pelatihan.".into(),
            "Segala biaya yang timbul akibat ditetapkannya Keputusan ini dibebankan pada DPA Tahun Anggaran 2027.".into(),
            "Keputusan ini mulai berlaku pada tanggal ditetapkan.".into(),
        ],
        tempat: "Kota Contoh".into(),
        tanggal: Some(date(2026, 12, 23)),
        signer: kepala(),
        tembusan: vec!["Gubernur Contoh;".into(), "Inspektur Provinsi Contoh;".into(), "Yang bersangkutan.".into()],
        paraf: paraf(),
        judul_lampiran: "Susunan Panitia Pelatihan Menjahit Angkatan I".into(),
        panitia: (0..rows)
            .map(|i| Anggota {
                nama: format!("Anggota Panitia {}", i + 1),
                nip: (i % 3 != 2).then(|| format!("1980{:02}{:02}2005011{:03}", i % 12 + 1, i % 28 + 1, i % 1000)),
                jabatan: "Instruktur Kejuruan Garmen".into(),
                kedudukan: kedudukan(i),
            })
            .collect(),
        verifikasi: Some("https://laksana.contoh.go.id/verifikasi/sk-124".into()),
        draft: false,
    }
}

pub fn work_plan() -> WorkPlan {
    WorkPlan {
        kop: kop(),
        judul: "Rencana Kerja Pelatihan Menjahit Angkatan I".into(),
        kejuruan: "Garmen Apparel".into(),
        program: "Menjahit Pakaian Wanita (240 JP)".into(),
        tujuan: vec![
            "Meningkatkan kompetensi pencari kerja di bidang menjahit.".into(),
            "Menyiapkan peserta untuk uji kompetensi dan penempatan kerja.".into(),
        ],
        tanggal_mulai: Some(date(2027, 1, 11)),
        tanggal_selesai: Some(date(2027, 1, 29)),
        jadwal: vec![
            Jadwal {
                tanggal: date(2027, 1, 11),
                waktu: "08.00–12.00".into(),
                kegiatan: "Pembukaan dan orientasi".into(),
            },
            Jadwal {
                tanggal: date(2027, 1, 12),
                waktu: "08.00–16.00".into(),
                kegiatan: "Praktik menjahit dasar".into(),
            },
            Jadwal {
                tanggal: date(2027, 1, 29),
                waktu: "08.00–12.00".into(),
                kegiatan: "Uji kompetensi dan penutupan".into(),
            },
        ],
        tempat: "Workshop Garmen UPT BLK Kota Contoh".into(),
        peserta: SasaranPeserta {
            jumlah: 16,
            usia_min: 18,
            usia_max: 45,
            pendidikan_min: "SMP/sederajat".into(),
            kriteria: vec![
                "Pencari kerja (memiliki kartu AK/I)".into(),
                "Sehat jasmani dan rohani".into(),
            ],
        },
        undangan: vec![
            KuotaDaerah {
                daerah: "Kabupaten Contoh".into(),
                kuota: 8,
            },
            KuotaDaerah {
                daerah: "Kota Contoh".into(),
                kuota: 8,
            },
        ],
        batas_balasan: Some(date(2027, 1, 8)),
        anggaran: vec![
            Anggaran {
                kode_rekening: "5.1.02.01.01.0024".into(),
                uraian: "Bahan praktik menjahit".into(),
                volume: 16,
                satuan: "paket".into(),
                harga: 750_000,
            },
            Anggaran {
                kode_rekening: "5.1.02.02.01.0003".into(),
                uraian: "Honorarium instruktur".into(),
                volume: 240,
                satuan: "JP".into(),
                harga: 150_000,
            },
            Anggaran {
                kode_rekening: "5.1.02.01.01.0052".into(),
                uraian: "Makan dan minum peserta".into(),
                volume: 240,
                satuan: "OH".into(),
                harga: 50_000,
            },
        ],
        pagu_dpa: 75_000_000,
        panitia: keputusan(6).panitia,
        peralatan: vec![
            "Mesin jahit high speed (16 unit)".into(),
            "Meja potong".into(),
            "Setrika uap".into(),
        ],
        kota: "Kota Contoh".into(),
        tanggal: Some(date(2026, 12, 10)),
        pengusul: Signer {
            jabatan: "Kepala Bidang Pelatihan dan Produktivitas".into(),
            nama: "Ma'ruf Ñoño, S.T.".into(),
            nip: Some("198001012005011002".into()),
            ..Signer::default()
        },
        penyetuju: Some(kepala()),
        draft: false,
    }
}
