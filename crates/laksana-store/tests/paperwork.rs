//! Paperwork on a real SQLite file: numbering (L1, L2), signers with Plt/Plh (L3), formats,
//! paraf per version, frozen signed documents, TTE uploads, the register book.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use laksana_calendar::{WorkingCalendar, Zone};
use laksana_engine::SEED_SOP;
use laksana_store::testing::TestDatabase;
use laksana_store::{
    AppointmentKind, ChainCheck, Document, EntryKind, NewAppointment, NewDocument, NewOfficial,
    NewTraining, NewUnitProfile, NewUser, NumberFor, Register, SignedFacts, SignerSnapshot, Store,
    StoreError, Unit, User,
};
use serde_json::json;

struct World {
    /// Dropped with the World, which removes the database (PostgreSQL: WITH FORCE).
    db: TestDatabase,
    store: Store,
    unit: Unit,
    operator: User,
    kabid: User,
    sekretaris: User,
    training: i64,
}

fn wib(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const NIP_KADIS: &str = "197001011990031001";
const NIP_SEKRETARIS: &str = "197505052000032002";

async fn world() -> World {
    let db = TestDatabase::create("paperwork.db").await;
    let store = Store::connect(db.url(), WorkingCalendar::builtin())
        .await
        .unwrap();
    let now = wib(2026, 11, 2, 9, 0);
    let unit = store.default_unit(now).await.unwrap();
    store
        .ensure_definition(unit.id, SEED_SOP, now)
        .await
        .unwrap();
    let mut users = Vec::new();
    for (username, jabatan) in [
        ("operator", "Pengelola Pelatihan"),
        ("kabid", "Kepala Bidang Pelatihan"),
        ("sekretaris", "Sekretaris Dinas"),
    ] {
        let id = store
            .create_user(
                NewUser {
                    username,
                    password: "rahasia-uji-2026",
                    full_name: &format!("Pak {username}"),
                    nip: "",
                    jabatan,
                    is_admin: false,
                },
                now,
            )
            .await
            .unwrap();
        users.push(store.user(id).await.unwrap());
    }
    let training = store
        .create_training(
            &unit,
            &users[0],
            &NewTraining {
                title: "Pelatihan Las".into(),
                kejuruan: "Las".into(),
                start_date: day(2027, 1, 18),
                location: "BLK".into(),
            },
            now,
        )
        .await
        .unwrap();
    let sekretaris = users.pop().unwrap();
    let kabid = users.pop().unwrap();
    let operator = users.pop().unwrap();
    World {
        db,
        store,
        unit,
        operator,
        kabid,
        sekretaris,
        training,
    }
}

/// A stand-in for the PDF renderer: prints the facts it is given, as a real one would.
fn fake_pdf(f: &SignedFacts) -> Result<Vec<u8>, String> {
    Ok(format!(
        "%PDF-1.7\nNomor: {}\nTanggal: {}\n{}\n{}\nNIP {}\n{}\n%%EOF\n",
        f.number.as_ref().map_or("-", |n| n.text.as_str()),
        f.date,
        f.signer.title_line(),
        f.signer.name,
        f.signer.nip,
        f.verification_url,
    )
    .into_bytes())
}

fn kepala_dinas(name: &str, nip: &str) -> NewOfficial {
    NewOfficial {
        position: "kepala-dinas".into(),
        name: name.into(),
        nip: nip.into(),
        pangkat: "Pembina Utama Muda (IV/c)".into(),
        jabatan: "Kepala Dinas Tenaga Kerja".into(),
        user_id: None,
        since: None,
        until: None,
    }
}

fn signer(name: &str) -> SignerSnapshot {
    SignerSnapshot {
        position: "kepala-dinas".into(),
        jabatan: "Kepala Dinas Tenaga Kerja".into(),
        prefix: String::new(),
        name: name.into(),
        pangkat: String::new(),
        nip: NIP_KADIS.into(),
        official_id: 0,
    }
}

fn code_of<T: std::fmt::Debug>(r: Result<T, StoreError>) -> &'static str {
    r.expect_err("expected a refusal").code()
}

impl World {
    async fn register(&self, key: &str) -> Register {
        self.store
            .list_registers(self.unit.id)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.key == key)
            .unwrap()
    }

    /// A document with one saved version and no paraf needed.
    async fn draft(&self, kind: &str, title: &str, parafs: u32) -> Document {
        let doc = self
            .store
            .create_document(
                self.unit.id,
                &NewDocument {
                    training_id: self.training,
                    kind: kind.into(),
                    title: title.into(),
                    parafs_required: Some(parafs),
                },
                &self.operator,
                wib(2026, 11, 3, 9, 0),
            )
            .await
            .unwrap();
        self.store
            .save_document(
                self.unit.id,
                doc.id,
                &json!({ "hal": title }),
                &self.operator,
                wib(2026, 11, 3, 9, 5),
            )
            .await
            .unwrap();
        self.store
            .document(self.unit.id, doc.id)
            .await
            .unwrap()
            .document
    }

    async fn sign(
        &self,
        doc: &Document,
        version: i64,
        signer: &SignerSnapshot,
        register: Option<&Register>,
        at: DateTime<Utc>,
    ) -> Result<laksana_store::Signature, StoreError> {
        self.store
            .sign_document(
                self.unit.id,
                doc.id,
                version,
                signer,
                register.map(|r| r.id),
                &self.operator,
                at,
                fake_pdf,
            )
            .await
    }
}

#[tokio::test]
async fn the_first_letter_of_2027_is_number_1_after_number_57_in_2026() {
    let w = world().await;
    let reg = w.register("surat-keluar").await;
    for i in 1..=57 {
        let n = w
            .store
            .assign_number(
                w.unit.id,
                reg.id,
                &NumberFor {
                    title: format!("Surat {i}"),
                    ..NumberFor::default()
                },
                day(2026, 12, 30),
                &w.operator,
                wib(2026, 12, 30, 9, 0),
            )
            .await
            .unwrap();
        assert_eq!(n.seq, i);
    }
    let doc = w.draft("undangan", "Undangan pembukaan", 0).await;
    let sig = w
        .sign(
            &doc,
            1,
            &signer("Dr. Budi"),
            Some(&reg),
            wib(2027, 1, 4, 8, 0),
        )
        .await
        .unwrap();
    assert_eq!(sig.number.as_deref(), Some("500.15.4/1/BLK"));
    assert_eq!(sig.date, day(2027, 1, 4));
    let book_2026 = w
        .store
        .register_book(w.unit.id, reg.id, 2026)
        .await
        .unwrap();
    assert_eq!(book_2026.len(), 57);
    assert_eq!(book_2026.last().unwrap().number_text, "500.15.4/57/BLK");
    let book_2027 = w
        .store
        .register_book(w.unit.id, reg.id, 2027)
        .await
        .unwrap();
    assert_eq!(book_2027.len(), 1);
    assert_eq!(book_2027[0].seq, 1);
    // Another register keeps its own sequence.
    let sk = w.register("keputusan").await;
    let n = w
        .store
        .assign_number(
            w.unit.id,
            sk.id,
            &NumberFor::default(),
            day(2027, 1, 5),
            &w.operator,
            wib(2027, 1, 5, 9, 0),
        )
        .await
        .unwrap();
    assert_eq!(n.seq, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_letters_signed_at_the_same_moment_get_fifty_distinct_numbers_without_a_gap() {
    let w = world().await;
    let reg = w.register("surat-keluar").await;
    let mut docs = Vec::new();
    for i in 0..50 {
        docs.push(w.draft("undangan", &format!("Undangan {i}"), 0).await);
    }
    let at = wib(2026, 12, 7, 10, 0);
    let mut handles = Vec::new();
    for doc in docs {
        let (store, unit, user, register) =
            (w.store.clone(), w.unit.id, w.operator.clone(), reg.id);
        handles.push(tokio::spawn(async move {
            store
                .sign_document(
                    unit,
                    doc.id,
                    1,
                    &signer("Dr. Budi"),
                    Some(register),
                    &user,
                    at,
                    fake_pdf,
                )
                .await
        }));
    }
    let mut seqs = Vec::new();
    for h in handles {
        let sig = h.await.unwrap().expect("every signing succeeds");
        let text = sig.number.unwrap();
        let seq: i64 = text.split('/').nth(1).unwrap().parse().unwrap();
        seqs.push(seq);
    }
    seqs.sort();
    assert_eq!(seqs, (1..=50).collect::<Vec<i64>>());
    let book = w
        .store
        .register_book(w.unit.id, reg.id, 2026)
        .await
        .unwrap();
    assert_eq!(
        book.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=50).collect::<Vec<i64>>()
    );
    assert!(matches!(
        w.store.verify_audit_chain(w.unit.id).await.unwrap(),
        ChainCheck::Intact { .. }
    ));
}

#[tokio::test]
async fn letters_in_the_plt_window_read_plt_and_a_letter_signed_before_keeps_its_kepala_dinas_when_reprinted(
) {
    let w = world().await;
    let (u, op) = (w.unit.id, &w.operator);
    let now = wib(2026, 11, 2, 10, 0);
    let kadis = w
        .store
        .create_official(
            u,
            &kepala_dinas("Dr. Budi Santoso, M.Si.", NIP_KADIS),
            op,
            now,
        )
        .await
        .unwrap();
    let sekretaris = w
        .store
        .create_official(
            u,
            &NewOfficial {
                position: "sekretaris".into(),
                name: "Sri Wahyuni, S.H.".into(),
                nip: "19750505 200003 2 002".into(),
                pangkat: "Pembina (IV/a)".into(),
                jabatan: "Sekretaris Dinas Tenaga Kerja".into(),
                user_id: Some(w.sekretaris.id),
                since: None,
                until: None,
            },
            op,
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        sekretaris.nip, NIP_SEKRETARIS,
        "spaces in a NIP are dropped"
    );
    let plt = w
        .store
        .appoint_official(
            u,
            &NewAppointment {
                position: "kepala-dinas".into(),
                kind: AppointmentKind::Plt,
                official_id: sekretaris.id,
                jabatan: None,
                valid_from: day(2026, 12, 1),
                valid_to: day(2026, 12, 15),
                basis: "Surat Perintah Bupati 800/123".into(),
            },
            op,
            now,
        )
        .await
        .unwrap();
    assert_eq!(plt.jabatan, "Kepala Dinas Tenaga Kerja");

    let before = w
        .store
        .signer_on(u, "kepala-dinas", day(2026, 11, 30))
        .await
        .unwrap();
    assert_eq!(
        (
            before.prefix.as_str(),
            before.name.as_str(),
            before.nip.as_str()
        ),
        ("", "Dr. Budi Santoso, M.Si.", NIP_KADIS)
    );
    let inside = w
        .store
        .signer_on(u, "kepala-dinas", day(2026, 12, 5))
        .await
        .unwrap();
    assert_eq!(inside.title_line(), "Plt. Kepala Dinas Tenaga Kerja");
    assert_eq!(
        (inside.name.as_str(), inside.nip.as_str()),
        ("Sri Wahyuni, S.H.", NIP_SEKRETARIS)
    );
    for edge in [day(2026, 12, 1), day(2026, 12, 15)] {
        assert_eq!(
            w.store
                .signer_on(u, "kepala-dinas", edge)
                .await
                .unwrap()
                .prefix,
            "Plt."
        );
    }
    assert_eq!(
        w.store
            .signer_on(u, "kepala-dinas", day(2026, 12, 16))
            .await
            .unwrap()
            .prefix,
        ""
    );

    let reg = w.register("surat-keluar").await;
    let early = w.draft("undangan", "Undangan rapat persiapan", 0).await;
    let early_sig = w
        .sign(&early, 1, &before, Some(&reg), wib(2026, 11, 30, 14, 0))
        .await
        .unwrap();
    let window = w
        .draft("surat_pengantar", "Surat pengantar peserta", 0)
        .await;
    let window_sig = w
        .sign(&window, 1, &inside, Some(&reg), wib(2026, 12, 5, 9, 0))
        .await
        .unwrap();
    assert_eq!(window_sig.signer.prefix, "Plt.");
    let pdf = String::from_utf8(w.store.signed_pdf(u, window.id).await.unwrap()).unwrap();
    assert!(
        pdf.contains("Plt. Kepala Dinas Tenaga Kerja\nSri Wahyuni, S.H.\nNIP 197505052000032002")
    );
    let early_pdf = w.store.signed_pdf(u, early.id).await.unwrap();

    // In 2027 a new Kepala Dinas takes office and the record is changed; the old letter is reprinted.
    w.store
        .update_official(
            u,
            kadis.id,
            &kepala_dinas("Ir. Citra Lestari, M.T.", "198001012005012003"),
            op,
            wib(2027, 2, 1, 9, 0),
        )
        .await
        .unwrap();
    let reprint = w.store.document(u, early.id).await.unwrap();
    let sig = reprint.signature.unwrap();
    assert_eq!(sig.signer, before);
    assert_eq!(sig.signer.name, "Dr. Budi Santoso, M.Si.");
    assert_eq!(sig.date, day(2026, 11, 30));
    assert_eq!(w.store.signed_pdf(u, early.id).await.unwrap(), early_pdf);
    let public = w
        .store
        .document_by_verification(&early_sig.verification_token)
        .await
        .unwrap();
    assert_eq!(public.signer.nip, NIP_KADIS);
    assert_eq!(public.number, early_sig.number);
    assert_eq!(public.pdf_sha256, early_sig.pdf_sha256);
    // Today's setting has changed, and that is what a new letter would get.
    let today = w
        .store
        .signer_on(u, "kepala-dinas", day(2027, 2, 2))
        .await
        .unwrap();
    assert_eq!(today.name, "Ir. Citra Lestari, M.T.");
}

#[tokio::test]
async fn an_overlapping_plt_for_the_same_position_is_refused_and_a_plh_stands_in_for_the_plt() {
    let w = world().await;
    let (u, op, now) = (w.unit.id, &w.operator, wib(2026, 11, 2, 10, 0));
    // The definitive holder, whom the stand-ins below replace.
    let _holder = w
        .store
        .create_official(u, &kepala_dinas("Dr. Budi", NIP_KADIS), op, now)
        .await
        .unwrap();
    let mut b = kepala_dinas("Sri", NIP_SEKRETARIS);
    b.position = "sekretaris".into();
    let b = w.store.create_official(u, &b, op, now).await.unwrap();
    // A third official to stand in: the holder himself cannot be his own Plt/Plh.
    let mut c = kepala_dinas("Drs. Bambang", "197205101998031004");
    c.position = "kepala-bidang".into();
    let c = w.store.create_official(u, &c, op, now).await.unwrap();
    let appoint = |kind, official_id, from, to| NewAppointment {
        position: "kepala-dinas".into(),
        kind,
        official_id,
        jabatan: None,
        valid_from: from,
        valid_to: to,
        basis: String::new(),
    };
    w.store
        .appoint_official(
            u,
            &appoint(
                AppointmentKind::Plt,
                b.id,
                day(2026, 12, 1),
                day(2026, 12, 15),
            ),
            op,
            now,
        )
        .await
        .unwrap();
    let overlap = w
        .store
        .appoint_official(
            u,
            &appoint(
                AppointmentKind::Plt,
                c.id,
                day(2026, 12, 10),
                day(2026, 12, 20),
            ),
            op,
            now,
        )
        .await;
    assert_eq!(code_of(overlap), "appointment_overlap");
    w.store
        .appoint_official(
            u,
            &appoint(
                AppointmentKind::Plh,
                c.id,
                day(2026, 12, 8),
                day(2026, 12, 9),
            ),
            op,
            now,
        )
        .await
        .unwrap();
    let s = w
        .store
        .signer_on(u, "kepala-dinas", day(2026, 12, 8))
        .await
        .unwrap();
    assert_eq!(
        (s.prefix.as_str(), s.name.as_str()),
        ("Plh.", "Drs. Bambang")
    );
}

#[tokio::test]
async fn a_missing_kepala_dinas_names_what_to_set() {
    let w = world().await;
    let err = w
        .store
        .signer_on(w.unit.id, "kepala-dinas", day(2026, 12, 5))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_configured");
    assert!(
        err.to_string()
            .contains("Kepala Dinas belum diisi di profil unit: isi pejabat Kepala Dinas"),
        "{err}"
    );
}

#[tokio::test]
async fn a_nip_that_is_not_18_digits_is_refused_with_a_message_naming_the_field() {
    let w = world().await;
    for (nip, expect) in [
        ("19700101199003100", "18 angka"),
        ("19700101199003100X", "angka"),
    ] {
        let err = w
            .store
            .create_official(
                w.unit.id,
                &kepala_dinas("Dr. Budi", nip),
                &w.operator,
                wib(2026, 11, 2, 10, 0),
            )
            .await
            .unwrap_err();
        match &err {
            StoreError::Invalid { field, message } => {
                assert_eq!(*field, "nip");
                assert!(
                    message.contains("NIP") && message.contains(expect),
                    "{message}"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_number_format_with_an_unknown_placeholder_or_unbalanced_braces_is_refused_when_saved() {
    let w = world().await;
    let reg = w.register("surat-keluar").await;
    let mut settings = laksana_store::RegisterSettings {
        key: reg.key.clone(),
        name: reg.name.clone(),
        code: reg.code.clone(),
        format: "{kode}/{nomor}/{unit}".into(),
        kode_klasifikasi: None,
        kinds: reg.kinds.clone(),
    };
    let err = w
        .store
        .update_register(w.unit.id, reg.id, &settings)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Invalid {
            field: "format",
            ..
        }
    ));
    assert!(err.to_string().contains("{nomor}"), "{err}");
    settings.format = "{kode}/{urut/{unit}".into();
    assert_eq!(
        code_of(w.store.update_register(w.unit.id, reg.id, &settings).await),
        "invalid_input"
    );
    settings.format = "{kode}/{urut}}/{unit}".into();
    assert_eq!(
        code_of(w.store.update_register(w.unit.id, reg.id, &settings).await),
        "invalid_input"
    );
    // The register is unchanged by the refusals, and a good format is used from then on.
    assert_eq!(
        w.store.register(w.unit.id, reg.id).await.unwrap().format,
        "{kode}/{urut}/{unit}"
    );
    settings.format = "{kode}/{urut}/{unit}/{bulan}/{tahun}".into();
    settings.kode_klasifikasi = Some("500.15.3".into());
    w.store
        .update_register(w.unit.id, reg.id, &settings)
        .await
        .unwrap();
    let n = w
        .store
        .assign_number(
            w.unit.id,
            reg.id,
            &NumberFor::default(),
            day(2026, 12, 5),
            &w.operator,
            wib(2026, 12, 5, 9, 0),
        )
        .await
        .unwrap();
    assert_eq!(n.text, "500.15.3/1/BLK/XII/2026");
}

#[tokio::test]
async fn the_unit_profile_keeps_every_version_and_the_newest_is_used_for_numbers() {
    let w = world().await;
    let u = w.unit.id;
    let default = w.store.unit_profile(u).await.unwrap();
    assert_eq!(
        (
            default.version,
            default.kode_klasifikasi.as_str(),
            default.unit_code.as_str()
        ),
        (0, "500.15.4", "BLK")
    );
    assert!(w.store.unit_profile_history(u).await.unwrap().is_empty());
    let mut p = NewUnitProfile {
        logo: Some(b"\x89PNG fake".to_vec()),
        logo_mime: Some("image/png".into()),
        name_lines: vec![
            "PEMERINTAH KABUPATEN CONTOH".into(),
            "DINAS TENAGA KERJA".into(),
            "UPT BALAI LATIHAN KERJA".into(),
        ],
        address: "Jl. Merdeka No. 1".into(),
        telephone: "(0271) 123456".into(),
        email: "blk@contoh.go.id".into(),
        website: "https://blk.contoh.go.id".into(),
        place: "Contoh".into(),
        zone: Zone::Wita,
        head_title: "Kepala UPT BLK".into(),
        kode_klasifikasi: "500.15.4".into(),
        unit_code: "UPT-BLK".into(),
        public_base_url: "https://laksana.contoh.go.id/".into(),
    };
    w.store
        .save_unit_profile(u, &p, &w.operator, wib(2026, 11, 5, 9, 0))
        .await
        .unwrap();
    p.name_lines.push("KELEBIHAN".into());
    assert_eq!(
        code_of(
            w.store
                .save_unit_profile(u, &p, &w.operator, wib(2026, 11, 5, 9, 1))
                .await
        ),
        "invalid_input"
    );
    p.name_lines.pop();
    p.unit_code = "BLK.CTH".into();
    let newest = w
        .store
        .save_unit_profile(u, &p, &w.operator, wib(2026, 11, 6, 9, 0))
        .await
        .unwrap();
    assert_eq!(newest.version, 2);
    assert_eq!(newest.logo.as_deref(), Some(&b"\x89PNG fake"[..]));
    assert_eq!(
        newest.verification_url("abc"),
        "https://laksana.contoh.go.id/verifikasi/abc"
    );
    let history = w.store.unit_profile_history(u).await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(history[1].unit_code, "UPT-BLK");
    assert_eq!(history[0].saved_by_name.as_deref(), Some("Pak operator"));
    assert_eq!(w.store.unit(u).await.unwrap().zone, Zone::Wita);
    let reg = w.register("keputusan").await;
    let doc = w.draft("sk_panitia", "SK Panitia", 0).await;
    // 23:30 WIB is 00:30 WITA the next day: the date line follows the unit's zone.
    let sig = w
        .sign(
            &doc,
            1,
            &signer("Dr. Budi"),
            Some(&reg),
            wib(2026, 12, 31, 23, 30),
        )
        .await
        .unwrap();
    assert_eq!(sig.number.as_deref(), Some("500.15.4/1/BLK.CTH"));
    assert_eq!(sig.date, day(2027, 1, 1));
    assert_eq!(sig.profile_version, 2);
}

#[tokio::test]
async fn a_document_changed_after_a_paraf_loses_that_paraf_but_keeps_its_record() {
    let w = world().await;
    let u = w.unit.id;
    let doc = w.draft("sk_panitia", "SK Panitia", 2).await;
    w.store
        .record_paraf(u, doc.id, 1, &w.kabid, "", wib(2026, 11, 4, 9, 0))
        .await
        .unwrap();
    let detail = w.store.document(u, doc.id).await.unwrap();
    assert_eq!(detail.valid_parafs().len(), 1);
    assert_eq!(detail.parafs[0].jabatan, "Kepala Bidang Pelatihan");
    // Saving the same content again is not a change.
    let same = w
        .store
        .save_document(
            u,
            doc.id,
            &json!({ "hal": "SK Panitia" }),
            &w.operator,
            wib(2026, 11, 4, 10, 0),
        )
        .await
        .unwrap();
    assert_eq!(same.version, 1);
    let v2 = w
        .store
        .save_document(
            u,
            doc.id,
            &json!({ "hal": "SK Panitia", "anggota": 5 }),
            &w.operator,
            wib(2026, 11, 4, 11, 0),
        )
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    let detail = w.store.document(u, doc.id).await.unwrap();
    assert_eq!(detail.parafs.len(), 1, "the old paraf is kept");
    assert!(detail.valid_parafs().is_empty(), "but no longer counts");
    assert_eq!(detail.current().unwrap().content["anggota"], 5);
    // A paraf on the old version is refused; signing without the paraf too.
    let stale = w
        .store
        .record_paraf(u, doc.id, 1, &w.sekretaris, "", wib(2026, 11, 4, 12, 0))
        .await;
    assert_eq!(code_of(stale), "stale_version");
    let unparafed = w
        .sign(&doc, 2, &signer("Dr. Budi"), None, wib(2026, 11, 4, 13, 0))
        .await;
    assert_eq!(code_of(unparafed), "paraf_missing");
    for user in [&w.kabid, &w.sekretaris] {
        w.store
            .record_paraf(u, doc.id, 2, user, "", wib(2026, 11, 4, 14, 0))
            .await
            .unwrap();
    }
    let twice = w
        .store
        .record_paraf(u, doc.id, 2, &w.kabid, "", wib(2026, 11, 4, 14, 5))
        .await;
    assert_eq!(code_of(twice), "paraf_exists");
    w.sign(
        &doc,
        2,
        &signer("Dr. Budi"),
        Some(&w.register("keputusan").await),
        wib(2026, 11, 4, 15, 0),
    )
    .await
    .unwrap();
    let actions: Vec<String> = w
        .store
        .audit_of_training(w.training)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "document.created",
        "document.saved",
        "document.paraf",
        "document.signed",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn signing_refuses_a_stale_version_and_leaves_the_number_unused() {
    let w = world().await;
    let u = w.unit.id;
    let reg = w.register("surat-keluar").await;
    let doc = w.draft("undangan", "Undangan", 0).await;
    w.store
        .save_document(
            u,
            doc.id,
            &json!({ "hal": "Undangan (revisi)" }),
            &w.operator,
            wib(2026, 11, 5, 9, 0),
        )
        .await
        .unwrap();
    let stale = w
        .sign(
            &doc,
            1,
            &signer("Dr. Budi"),
            Some(&reg),
            wib(2026, 11, 5, 10, 0),
        )
        .await;
    let err = stale.unwrap_err();
    assert_eq!(err.code(), "stale_version");
    assert!(err.to_string().contains("versi 2"), "{err}");
    // A renderer that fails also leaves nothing behind.
    let failed = w
        .store
        .sign_document(
            u,
            doc.id,
            2,
            &signer("Dr. Budi"),
            Some(reg.id),
            &w.operator,
            wib(2026, 11, 5, 10, 5),
            |_| Err("font hilang".to_string()),
        )
        .await;
    assert_eq!(code_of(failed), "pdf_render_failed");
    assert!(w
        .store
        .register_book(u, reg.id, 2026)
        .await
        .unwrap()
        .is_empty());
    let sig = w
        .sign(
            &doc,
            2,
            &signer("Dr. Budi"),
            Some(&reg),
            wib(2026, 11, 5, 10, 10),
        )
        .await
        .unwrap();
    assert_eq!(sig.number.as_deref(), Some("500.15.4/1/BLK"));
    assert_eq!(sig.version, 2);
}

#[tokio::test]
async fn a_signed_document_cannot_get_a_new_version_nor_its_stored_pdf_be_changed() {
    let w = world().await;
    let u = w.unit.id;
    let doc = w.draft("undangan", "Undangan", 0).await;
    let sig = w
        .sign(
            &doc,
            1,
            &signer("Dr. Budi"),
            Some(&w.register("surat-keluar").await),
            wib(2026, 11, 5, 10, 0),
        )
        .await
        .unwrap();
    let again = w
        .store
        .save_document(
            u,
            doc.id,
            &json!({ "hal": "diubah" }),
            &w.operator,
            wib(2026, 11, 6, 9, 0),
        )
        .await;
    let err = again.unwrap_err();
    assert_eq!(err.code(), "document_signed");
    assert!(err.to_string().contains("sudah ditandatangani"), "{err}");
    assert_eq!(
        code_of(
            w.sign(&doc, 1, &signer("X"), None, wib(2026, 11, 6, 9, 0))
                .await
        ),
        "document_signed"
    );
    assert_eq!(
        code_of(
            w.store
                .return_document(u, doc.id, "perbaiki", &w.kabid, wib(2026, 11, 6, 9, 0))
                .await
        ),
        "document_signed"
    );
    assert_eq!(w.store.document(u, doc.id).await.unwrap().versions.len(), 1);

    // Not even through the pool: the triggers refuse.
    let tampered =
        sqlx::query("UPDATE document_signatures SET pdf_sha256 = 'x' WHERE document_id = $1")
            .bind(doc.id)
            .execute(w.store.pool())
            .await;
    assert!(
        tampered.is_err(),
        "the trigger must refuse updates of the signed PDF"
    );
    let raw = sqlx::AnyPool::connect(w.db.url()).await.unwrap();
    let sneaked = sqlx::query(
        "INSERT INTO document_versions (document_id, version, content_json, content_sha256, created_by_name, created_at)
         VALUES ($1, 2, '{}', 'x', 'x', 'x')",
    )
    .bind(doc.id)
    .execute(&raw)
    .await;
    assert!(
        sneaked.is_err(),
        "the trigger must refuse a version after signing"
    );
    raw.close().await;
    let detail = w.store.document(u, doc.id).await.unwrap();
    assert_eq!(detail.signature.unwrap().pdf_sha256, sig.pdf_sha256);
}

#[tokio::test]
async fn a_tte_pdf_is_accepted_only_as_the_signed_pdf_followed_by_a_signature() {
    let w = world().await;
    let u = w.unit.id;
    let doc = w.draft("undangan", "Undangan", 0).await;
    let at = wib(2026, 11, 5, 10, 0);
    let unsigned = w
        .store
        .attach_tte_signed_pdf(u, doc.id, b"%PDF", &w.kabid, at)
        .await;
    assert_eq!(code_of(unsigned), "document_not_signed");
    let sig = w
        .sign(
            &doc,
            1,
            &signer("Dr. Budi"),
            Some(&w.register("surat-keluar").await),
            at,
        )
        .await
        .unwrap();
    let original = w.store.signed_pdf(u, doc.id).await.unwrap();
    let update = b"\n5 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /ByteRange [0 100 200 300] /Contents <3082> >>\nendobj\n%%EOF\n";

    let mut changed = original.clone();
    changed[10] ^= 1;
    changed.extend_from_slice(update);
    let refused = w
        .store
        .attach_tte_signed_pdf(u, doc.id, &changed, &w.kabid, at)
        .await;
    assert_eq!(code_of(refused), "tte_prefix_mismatch");
    let mut no_sig = original.clone();
    no_sig.extend_from_slice(b"\n% a comment\n%%EOF\n");
    assert_eq!(
        code_of(
            w.store
                .attach_tte_signed_pdf(u, doc.id, &no_sig, &w.kabid, at)
                .await
        ),
        "tte_no_signature"
    );
    assert_eq!(
        code_of(
            w.store
                .attach_tte_signed_pdf(u, doc.id, &original, &w.kabid, at)
                .await
        ),
        "tte_prefix_mismatch"
    );

    let mut good = original.clone();
    good.extend_from_slice(update);
    let sha = w
        .store
        .attach_tte_signed_pdf(u, doc.id, &good, &w.kabid, at)
        .await
        .unwrap();
    assert_ne!(sha, sig.pdf_sha256);
    assert_eq!(
        w.store.tte_pdf(u, doc.id).await.unwrap().as_deref(),
        Some(&good[..])
    );
    assert_eq!(
        w.store.signed_pdf(u, doc.id).await.unwrap(),
        original,
        "the original is kept beside it"
    );
    let public = w
        .store
        .document_by_verification(&sig.verification_token)
        .await
        .unwrap();
    assert_eq!(public.tte_sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(
        code_of(
            w.store
                .attach_tte_signed_pdf(u, doc.id, &good, &w.kabid, at)
                .await
        ),
        "tte_exists"
    );
    assert_eq!(
        code_of(w.store.document_by_verification("tidak-ada").await),
        "not_found"
    );
}

#[tokio::test]
async fn the_register_book_lists_reserved_numbers_as_reserved_beside_signed_documents() {
    let w = world().await;
    let u = w.unit.id;
    let reg = w.register("surat-keluar").await;
    let empty_reason = w
        .store
        .reserve_number(
            u,
            reg.id,
            day(2026, 12, 2),
            "  ",
            &w.operator,
            wib(2026, 12, 2, 9, 0),
        )
        .await;
    assert_eq!(code_of(empty_reason), "invalid_input");
    let reserved = w
        .store
        .reserve_number(
            u,
            reg.id,
            day(2026, 12, 2),
            "Surat tugas ditandatangani manual saat listrik padam",
            &w.operator,
            wib(2026, 12, 2, 9, 0),
        )
        .await
        .unwrap();
    assert_eq!(reserved.text, "500.15.4/1/BLK");
    let doc = w.draft("undangan", "Undangan pembukaan pelatihan", 0).await;
    w.sign(
        &doc,
        1,
        &signer("Dr. Budi"),
        Some(&reg),
        wib(2026, 12, 3, 9, 0),
    )
    .await
    .unwrap();
    let book = w.store.register_book(u, reg.id, 2026).await.unwrap();
    assert_eq!(book.len(), 2);
    assert_eq!(book[0].kind, EntryKind::Reservation);
    assert_eq!(
        book[0].reason.as_deref(),
        Some("Surat tugas ditandatangani manual saat listrik padam")
    );
    assert_eq!(book[0].document_id, None);
    assert_eq!(book[1].kind, EntryKind::Document);
    assert_eq!(book[1].number_text, "500.15.4/2/BLK");
    assert_eq!(book[1].title, "Undangan pembukaan pelatihan");
    assert_eq!(book[1].document_kind.as_deref(), Some("undangan"));
    assert_eq!(book[1].training_id, Some(w.training));
    assert_eq!(book[1].signer_name.as_deref(), Some("Dr. Budi"));
    assert_eq!(book[1].date, day(2026, 12, 3));
    let audit = w.store.audit_of_training(w.training).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "document.signed"));
    assert_eq!(
        w.store
            .register_for_kind(u, "sk_panitia")
            .await
            .unwrap()
            .key,
        "keputusan"
    );
    assert_eq!(
        code_of(w.store.register_for_kind(u, "laporan").await),
        "not_configured"
    );
}

#[tokio::test]
async fn a_return_note_is_kept_with_the_version_it_was_written_on() {
    let w = world().await;
    let u = w.unit.id;
    let doc = w.draft("rencana_kerja", "Rencana kerja", 0).await;
    assert_eq!(
        code_of(
            w.store
                .return_document(u, doc.id, " ", &w.kabid, wib(2026, 11, 4, 9, 0))
                .await
        ),
        "invalid_input"
    );
    let note = w
        .store
        .return_document(
            u,
            doc.id,
            "Jadwal hari ketiga bentrok",
            &w.kabid,
            wib(2026, 11, 4, 9, 0),
        )
        .await
        .unwrap();
    assert_eq!(note.version, 1);
    let detail = w.store.document(u, doc.id).await.unwrap();
    assert_eq!(detail.returns[0].note, "Jadwal hari ketiga bentrok");
    assert_eq!(detail.returns[0].by_name, "Pak kabid");
    let audit = w.store.audit_of_training(w.training).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "document.returned"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_holder_of_a_position_cannot_be_appointed_its_own_plt() {
    let w = world().await;
    let (u, op, now) = (w.unit.id, &w.operator, wib(2026, 11, 2, 10, 0));
    let kadis = w
        .store
        .create_official(u, &kepala_dinas("Dr. Budi", NIP_KADIS), op, now)
        .await
        .unwrap();
    let err = w
        .store
        .appoint_official(
            u,
            &NewAppointment {
                position: "kepala-dinas".into(),
                kind: laksana_store::AppointmentKind::Plt,
                official_id: kadis.id,
                jabatan: None,
                valid_from: day(2026, 12, 1),
                valid_to: day(2026, 12, 5),
                basis: "SP 1".into(),
            },
            op,
            now,
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("definitif"), "{err}");
}

/// The role a Plt appointment gives follows the appointment and its official's account, and
/// never touches a grant an administrator made by hand for the same days.
#[tokio::test]
async fn a_stand_ins_role_follows_the_appointment_and_the_officials_account() {
    let w = world().await;
    let (u, op) = (w.unit.id, &w.operator);
    let now = wib(2026, 12, 2, 10, 0);
    let (from, to) = (day(2026, 12, 1), day(2026, 12, 15));
    let acting = |o: &laksana_store::User| {
        o.roles
            .iter()
            .filter(|g| g.role_key == "kepala-dinas")
            .count()
    };
    let sekretaris_roles = || async { acting(&w.store.user(w.sekretaris.id).await.unwrap()) };
    let mut official = NewOfficial {
        position: "sekretaris".into(),
        name: "Sri Wahyuni, S.H.".into(),
        nip: "19750505 200003 2 002".into(),
        pangkat: "Pembina (IV/a)".into(),
        jabatan: "Sekretaris Dinas Tenaga Kerja".into(),
        user_id: None,
        since: None,
        until: None,
    };
    let o = w
        .store
        .create_official(u, &official, op, now)
        .await
        .unwrap();
    let plt = w
        .store
        .appoint_official(
            u,
            &NewAppointment {
                position: "kepala-dinas".into(),
                kind: AppointmentKind::Plt,
                official_id: o.id,
                jabatan: None,
                valid_from: from,
                valid_to: to,
                basis: "Surat Perintah Bupati 800/124".into(),
            },
            op,
            now,
        )
        .await
        .unwrap();
    // No account linked yet: nobody gets the role.
    assert_eq!(sekretaris_roles().await, 0);
    // An administrator grants the same role for the same days by hand.
    let keys = vec!["kepala-dinas".to_string()];
    w.store
        .grant_role(
            w.sekretaris.id,
            u,
            "kepala-dinas",
            laksana_store::GrantPeriod {
                from: Some(from),
                to: Some(to),
            },
            &keys,
            Some(op),
        )
        .await
        .unwrap();
    assert_eq!(sekretaris_roles().await, 1);
    // The same grant again is a double click: refused, nothing added.
    let again = w
        .store
        .grant_role(
            w.sekretaris.id,
            u,
            "kepala-dinas",
            laksana_store::GrantPeriod {
                from: Some(from),
                to: Some(to),
            },
            &keys,
            Some(op),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Invalid { field: "role", .. })),
        "{again:?}"
    );
    assert_eq!(sekretaris_roles().await, 1);
    // Linked afterwards, the official's account gets the appointment's own grant...
    official.user_id = Some(w.sekretaris.id);
    w.store
        .update_official(u, o.id, &official, op, now)
        .await
        .unwrap();
    assert_eq!(sekretaris_roles().await, 2);
    // ...unlinked, loses it, and the hand-made one stays.
    official.user_id = None;
    w.store
        .update_official(u, o.id, &official, op, now)
        .await
        .unwrap();
    assert_eq!(sekretaris_roles().await, 1);
    // Linked again and cancelled: the same.
    official.user_id = Some(w.sekretaris.id);
    w.store
        .update_official(u, o.id, &official, op, now)
        .await
        .unwrap();
    assert_eq!(sekretaris_roles().await, 2);
    w.store
        .cancel_appointment(u, plt.id, op, now)
        .await
        .unwrap();
    assert_eq!(sekretaris_roles().await, 1);
    assert!(matches!(
        w.store.verify_audit_chain(u).await.unwrap(),
        ChainCheck::Intact { .. }
    ));
}
