use super::*;

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

/// A complete, valid plan for a three-day welding course.
fn good() -> WorkPlan {
    WorkPlan {
        judul: "Pelatihan Las SMAW Angkatan I".into(),
        kejuruan: "Teknik Las".into(),
        program: "Pengelasan SMAW 3G".into(),
        tujuan: vec!["Meningkatkan kompetensi pencari kerja di bidang las".into()],
        tanggal_mulai: d(2027, 1, 11),
        tanggal_selesai: d(2027, 1, 13),
        jadwal: vec![ScheduleItem {
            tanggal: d(2027, 1, 11),
            mulai: "08.00".into(),
            selesai: "16.00".into(),
            acara: "Pembukaan dan teori keselamatan kerja".into(),
        }],
        tempat: "Workshop UPT BLK".into(),
        peserta: Criteria {
            jumlah: 16,
            usia_min: Some(18),
            usia_max: Some(35),
            pendidikan_min: Some(Education::Sma),
            lainnya: String::new(),
        },
        kuota: vec![
            Quota {
                kode_wilayah: "32.01".into(),
                nama_wilayah: "Kabupaten Bogor".into(),
                kuota: 8,
            },
            Quota {
                kode_wilayah: "3271".into(),
                nama_wilayah: "Kota Bogor".into(),
                kuota: 8,
            },
        ],
        batas_balasan: d(2026, 12, 30),
        pagu_dpa: 50_000_000,
        anggaran: vec![
            BudgetLine {
                kode_rekening: "5.1.02.01.01.0024".into(),
                uraian: "Belanja ATK".into(),
                volume: 16,
                satuan: "paket".into(),
                harga: 150_000,
            },
            BudgetLine {
                kode_rekening: "5.1.02.01.01.0052".into(),
                uraian: "Makan dan minum peserta".into(),
                volume: 48,
                satuan: "OH".into(),
                harga: 50_000,
            },
        ],
        panitia: vec![
            CommitteeMember {
                nama: "Ir. Ma'ruf Hidayat".into(),
                nip: "197001012000031001".into(),
                jabatan: "Kepala Bidang".into(),
                kedudukan: Kedudukan::Ketua,
                user_id: None,
            },
            CommitteeMember {
                nama: "Ni Luh Putu Sri'ani".into(),
                nip: String::new(),
                jabatan: "Instruktur".into(),
                kedudukan: Kedudukan::Anggota,
                user_id: None,
            },
            CommitteeMember {
                nama: "Drs. Bambang".into(),
                nip: "196801011990031002".into(),
                jabatan: "Kepala Dinas".into(),
                kedudukan: Kedudukan::Pengarah,
                user_id: None,
            },
        ],
        peralatan: vec!["Alat Tulis Kantor".into()],
        narahubung: "Siti Rahmawati".into(),
        narahubung_telepon: "0812-0000-0000".into(),
    }
}

fn fields(c: &Check) -> Vec<&str> {
    c.problems.iter().map(|p| p.field.as_str()).collect()
}

#[test]
fn a_complete_plan_has_no_problem() {
    let c = good().check();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert!(c.is_ok());
}

#[test]
fn an_empty_plan_names_every_required_field() {
    let c = WorkPlan::default().check();
    assert!(!c.is_ok());
    for f in [
        "judul",
        "kejuruan",
        "tempat",
        "tujuan",
        "tanggal_mulai",
        "tanggal_selesai",
        "peserta.jumlah",
    ] {
        assert!(fields(&c).contains(&f), "{f} missing from {:?}", fields(&c));
    }
}

#[test]
fn a_budget_over_the_dpa_ceiling_is_refused_with_both_amounts_and_the_excess() {
    let mut p = good();
    p.pagu_dpa = 4_000_000; // lines total 2.400.000 + 2.400.000 = 4.800.000
    let c = p.check();
    assert!(!c.is_ok());
    let msg = c.message_for("pagu_dpa").unwrap();
    assert!(msg.contains("Rp 4.800.000"), "{msg}");
    assert!(msg.contains("Rp 4.000.000"), "{msg}");
    assert!(msg.contains("Rp 800.000"), "{msg}");
    assert_eq!(p.total_anggaran(), 4_800_000);
}

#[test]
fn a_budget_line_that_overflows_is_an_error_not_a_panic() {
    let mut p = good();
    p.anggaran[0].harga = i64::MAX;
    p.anggaran[0].volume = 3;
    let c = p.check();
    assert_eq!(
        c.message_for("anggaran.0.harga")
            .map(|m| m.contains("terlalu besar")),
        Some(true)
    );
}

#[test]
fn a_reply_deadline_on_or_after_the_start_is_refused() {
    let mut p = good();
    p.batas_balasan = p.tanggal_mulai;
    assert!(p.check().message_for("batas_balasan").is_some());
    p.batas_balasan = None;
    assert!(p.check().message_for("batas_balasan").is_some());
}

#[test]
fn a_region_given_twice_or_with_a_bad_code_is_refused_naming_its_row() {
    let mut p = good();
    p.kuota[1].kode_wilayah = "3201".into();
    let c = p.check();
    let msg = c.message_for("kuota.1.kode_wilayah").unwrap();
    assert!(msg.contains("baris 2") && msg.contains("baris 1"), "{msg}");
    p.kuota[1].kode_wilayah = "32O1".into();
    assert!(p.check().message_for("kuota.1.kode_wilayah").is_some());
}

#[test]
fn quotas_that_do_not_add_up_to_the_seats_are_a_warning_only() {
    let mut p = good();
    p.kuota[0].kuota = 12;
    let c = p.check();
    assert!(c.is_ok());
    assert_eq!(c.warnings().count(), 1);
    assert!(c.message_for("kuota").unwrap().contains("cadangan"));
}

#[test]
fn ages_below_working_age_or_reversed_are_refused() {
    let mut p = good();
    p.peserta.usia_min = Some(14);
    assert!(p.check().message_for("peserta.usia_min").is_some());
    p.peserta.usia_min = Some(30);
    p.peserta.usia_max = Some(25);
    assert!(p.check().message_for("peserta.usia_max").is_some());
}

#[test]
fn schedule_rows_outside_the_training_or_with_bad_hours_are_refused() {
    let mut p = good();
    p.jadwal[0].tanggal = d(2027, 1, 20);
    p.jadwal[0].mulai = "8 pagi".into();
    p.jadwal[0].selesai = "07:00".into();
    let c = p.check();
    assert!(c.message_for("jadwal.0.tanggal").is_some());
    assert!(c.message_for("jadwal.0.mulai").is_some());
    p.jadwal[0].mulai = "08:00".into();
    assert!(p
        .check()
        .message_for("jadwal.0.selesai")
        .unwrap()
        .contains("sesudah"));
}

#[test]
fn two_chairs_or_a_malformed_nip_in_the_committee_are_refused() {
    let mut p = good();
    p.panitia[1].kedudukan = Kedudukan::Ketua;
    p.panitia[2].nip = "1968 0101".into();
    let c = p.check();
    assert!(c.message_for("panitia").unwrap().contains("satu Ketua"));
    assert!(c.message_for("panitia.2.nip").is_some());
}

#[test]
fn the_committee_is_listed_in_the_lampirans_order() {
    let p = good();
    let order: Vec<Kedudukan> = p.panitia_sorted().iter().map(|m| m.kedudukan).collect();
    assert_eq!(
        order,
        vec![Kedudukan::Pengarah, Kedudukan::Ketua, Kedudukan::Anggota]
    );
}

#[test]
fn a_copy_for_a_new_training_keeps_everything_but_the_dates() {
    let p = good();
    let copy = p.copy_for_new_training();
    assert_eq!(copy.tanggal_mulai, None);
    assert_eq!(copy.batas_balasan, None);
    assert_eq!(copy.jadwal[0].tanggal, None);
    assert_eq!(copy.jadwal[0].acara, p.jadwal[0].acara);
    assert_eq!(copy.anggaran, p.anggaran);
    assert_eq!(copy.kuota, p.kuota);
    assert_eq!(p.days(), Some(3));
}

#[test]
fn a_plan_survives_a_json_round_trip_and_missing_fields_take_defaults() {
    let p = good();
    let json = serde_json::to_string(&p).unwrap();
    let back: WorkPlan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    let partial: WorkPlan = serde_json::from_str(r#"{"judul":"X"}"#).unwrap();
    assert_eq!(partial.judul, "X");
    assert!(partial.kuota.is_empty());
}

#[test]
fn education_levels_keep_their_order_and_keys() {
    use Education::*;
    assert!(TidakSekolah < Sd && Sd < Smp && Smp < Sma && Sma < D1 && D1 < D2);
    assert!(D2 < D3 && D3 < S1 && S1 < S2 && S2 < S3);
    for e in Education::ALL {
        assert_eq!(Education::from_key(e.key()), Some(e));
        assert_eq!(Education::parse(e.label()), Some(e), "{}", e.label());
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, format!("\"{}\"", e.key()));
    }
}

#[test]
fn education_reads_what_spreadsheets_write() {
    use Education::*;
    let cases = [
        ("SMA", Sma),
        ("smk", Sma),
        ("MA", Sma),
        ("SLTA", Sma),
        ("SMU", Sma),
        ("SMA/SMK", Sma),
        ("Tamat SMA", Sma),
        ("Paket C", Sma),
        ("SLTP", Smp),
        ("SMP", Smp),
        ("MTs", Smp),
        ("SD", Sd),
        ("S D", Sd),
        ("D3", D3),
        ("D-III", D3),
        ("Diploma 3", D3),
        ("D1", D1),
        ("D II", D2),
        ("S1", S1),
        ("S-1", S1),
        ("D4", S1),
        ("Sarjana", S1),
        ("S2", S2),
        ("S3", S3),
        ("Tidak tamat SD", TidakSekolah),
        ("Tidak sekolah", TidakSekolah),
    ];
    for (text, want) in cases {
        assert_eq!(Education::parse(text), Some(want), "{text}");
    }
    assert_eq!(Education::parse("kursus menjahit"), None);
    assert_eq!(Education::parse(""), None);
}
