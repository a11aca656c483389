//! Certificates of a training: who may receive one (the final list and the attendance rule),
//! whether they may be issued at all (the SOP's peringatan on unregistered LPK), the print model
//! filled from the unit's template, issuing the missing ones, and the ZIP of all of them.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use laksana_calendar::tanggal_indonesia;
use laksana_documents::letter::{self, CERTIFICATE_FIELDS, CERTIFICATE_TEMPLATE_KEY};
use laksana_domain::{
    attendance_met, registration_label, unrecognised_reason, Provider, Registration,
};
use laksana_store::{
    Certificate, CertificateFacts, CertificateFor, CertificateSettings, SavedTemplate, Store,
    StoreError, Unit, User, CERTIFICATE_KIND,
};

use crate::paperwork;

/// The heading printed on every certificate.
pub const HEADING: &str = "Sertifikat Pelatihan";

/// One participant of the final list and where they stand.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub nomination_id: i64,
    pub nama: String,
    pub region: String,
    pub present: i64,
    pub sessions: i64,
    pub eligible: bool,
    /// Why not eligible, in Indonesian.
    pub reason: Option<String>,
    pub certificate: Option<Certificate>,
}

/// Everything the certificate page shows and issuing decides on.
#[derive(Clone, Debug)]
pub struct Overview {
    pub title: String,
    pub kejuruan: String,
    /// Where the training is held.
    pub tempat: String,
    pub provider: Provider,
    pub settings: CertificateSettings,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub sessions: i64,
    /// The hours of all sessions together.
    pub hours: f64,
    pub roster_confirmed: bool,
    pub candidates: Vec<Candidate>,
    /// Why the LPK is not recognised for this training, whether or not the rule refuses.
    pub lpk_problem: Option<String>,
    /// Why nothing can be issued now (the refusing rule, missing dates), if anything.
    pub blocked: Option<(&'static str, String)>,
}

impl Overview {
    pub fn eligible(&self) -> impl Iterator<Item = &Candidate> {
        self.candidates.iter().filter(|c| c.eligible)
    }
}

/// "11 sampai dengan 13 Januari 2027" style, or one date when the training lasts a day.
pub fn period_words(start: NaiveDate, end: NaiveDate) -> String {
    if start == end {
        tanggal_indonesia(start)
    } else {
        format!(
            "{} sampai dengan {}",
            tanggal_indonesia(start),
            tanggal_indonesia(end)
        )
    }
}

/// Hours as printed: "24", or "22,5" with the Indonesian decimal comma.
pub fn hours_words(hours: f64) -> String {
    let tenths = (hours * 10.0).round() as i64;
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{},{}", tenths / 10, tenths % 10)
    }
}

fn percent_words(present: i64, sessions: i64) -> String {
    if sessions == 0 {
        return "0".into();
    }
    hours_words(present as f64 * 100.0 / sessions as f64)
}

/// The certificate page's facts for a training.
pub async fn overview(
    store: &Store,
    unit: &Unit,
    training_id: i64,
) -> Result<Overview, StoreError> {
    let detail = store.training_detail(unit.id, training_id).await?;
    let plan = store.work_plan(unit.id, training_id).await?;
    let provider = store.training_provider(unit.id, training_id).await?;
    let settings = store.certificate_settings(unit.id).await?;
    let sessions = store.class_sessions(unit.id, training_id).await?;
    let hours = sessions
        .iter()
        .map(|s| (s.ends_at - s.starts_at).num_minutes().max(0) as f64 / 60.0)
        .sum();
    let roster_confirmed = store.latest_roster(unit.id, training_id).await?.is_some();
    let participants = store.final_participants(unit.id, training_id).await?;
    let totals = store.attendance_totals(unit.id, training_id).await?;
    let issued = store.certificates(unit.id, training_id).await?;
    let (start, end) = match &plan {
        Some(p) => (
            p.plan.tanggal_mulai,
            p.plan.tanggal_selesai.or(p.plan.tanggal_mulai),
        ),
        None => (None, None),
    };
    let min = settings.min_kehadiran_persen;
    let candidates = participants
        .into_iter()
        .map(|p| {
            let t = totals.iter().find(|t| t.nomination_id == p.nomination_id);
            let (present, count) = t.map_or((0, sessions.len() as i64), |t| (t.present, t.sessions));
            let eligible = attendance_met(present, count, min);
            let reason = (!eligible).then(|| {
                if count == 0 {
                    "Belum ada sesi kelas tercatat, sehingga kehadiran belum dapat dinilai.".to_string()
                } else {
                    format!(
                        "Hadir {present} dari {count} sesi ({} %); syarat kehadiran minimal {min} %.",
                        percent_words(present, count)
                    )
                }
            });
            Candidate {
                certificate: issued
                    .iter()
                    .find(|c| c.nomination_id == p.nomination_id)
                    .cloned(),
                nomination_id: p.nomination_id,
                nama: p.nama,
                region: p.region_name,
                present,
                sessions: count,
                eligible,
                reason,
            }
        })
        .collect();
    let lpk_problem = match (start, end) {
        (Some(s), Some(e)) => unrecognised_reason(&provider, s, e, tanggal_indonesia),
        _ => None,
    };
    let blocked = match (start, end) {
        (Some(_), Some(_)) => lpk_problem
            .clone()
            .filter(|_| settings.tolak_sertifikat_lpk_tidak_terdaftar)
            .map(|m| ("lpk_not_registered", m)),
        _ => Some((
            "training_dates_missing",
            "Tanggal mulai dan selesai pelatihan belum diisi di rencana kerja; sertifikat mencantumkannya."
                .to_string(),
        )),
    };
    Ok(Overview {
        title: plan
            .as_ref()
            .map_or_else(|| detail.training.title.clone(), |p| p.plan.judul.clone()),
        kejuruan: plan.as_ref().map_or_else(
            || detail.training.kejuruan.clone(),
            |p| p.plan.kejuruan.clone(),
        ),
        tempat: plan.as_ref().map_or_else(
            || detail.training.location.clone(),
            |p| p.plan.tempat.clone(),
        ),
        provider,
        settings,
        start,
        end,
        sessions: sessions.len() as i64,
        hours,
        roster_confirmed,
        candidates,
        lpk_problem,
        blocked,
    })
}

/// The certificate's small print: who delivered the training and under which registration.
fn provider_lines(o: &Overview, unit_name: &str) -> Vec<String> {
    let registration = |r: &Registration| {
        if r.number.trim().is_empty() {
            return String::new();
        }
        let mut s = format!(
            ", {} nomor {}",
            registration_label(&r.kind).to_lowercase(),
            r.number.trim()
        );
        if let Some(to) = r.valid_to {
            s.push_str(&format!(" berlaku sampai dengan {}", tanggal_indonesia(to)));
        }
        s
    };
    let line = if o.provider.by_lpk {
        format!(
            "Penyelenggara: {}{}",
            o.provider.lpk_name,
            registration(&o.provider.registration)
        )
    } else {
        format!(
            "Penyelenggara: {unit_name}{}",
            registration(&o.settings.registration)
        )
    };
    vec![line]
}

/// Who delivered the training, as the `{penyelenggara}` field prints it.
fn provider_name(o: &Overview, unit_name: &str) -> String {
    if o.provider.by_lpk {
        o.provider.lpk_name.clone()
    } else {
        unit_name.to_string()
    }
}

/// The unit's certificate text, or the default.
pub fn certificate_text(own: &BTreeMap<String, SavedTemplate>) -> String {
    own.get(CERTIFICATE_TEMPLATE_KEY)
        .map(|t| t.text.clone())
        .unwrap_or_else(|| {
            letter::default_templates()
                .into_iter()
                .find(|t| t.key == CERTIFICATE_TEMPLATE_KEY)
                .map_or(String::new(), |t| t.teks.to_string())
        })
}

/// What every certificate of one training shares; each participant adds name, number and date.
#[derive(Clone, Debug)]
pub struct Common {
    pub text: String,
    pub values: BTreeMap<String, String>,
    pub keterangan: Vec<String>,
}

/// The shared fields of a training's certificates.
pub fn common(o: &Overview, unit_name: &str, text: String) -> Common {
    let period = match (o.start, o.end) {
        (Some(s), Some(e)) => period_words(s, e),
        _ => String::new(),
    };
    let values: BTreeMap<String, String> = [
        ("judul_pelatihan", o.title.clone()),
        ("kejuruan", o.kejuruan.clone()),
        ("tempat", o.tempat.clone()),
        ("tanggal_pelatihan", period),
        ("jumlah_jam", hours_words(o.hours)),
        ("penyelenggara", provider_name(o, unit_name)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Common {
        text,
        values,
        keterangan: provider_lines(o, unit_name),
    }
}

/// The print model of one certificate.
pub fn print_model(common: &Common, facts: &CertificateFacts) -> letter::Certificate {
    let mut values = common.values.clone();
    values.insert("nama".into(), facts.nama.clone());
    values.insert("nomor".into(), facts.number.clone());
    values.insert(
        "tanggal_terbit".into(),
        tanggal_indonesia(facts.issued_date),
    );
    letter::Certificate {
        kop: paperwork::kop(&facts.profile),
        judul: HEADING.into(),
        nomor: facts.number.clone(),
        nama: facts.nama.clone(),
        isi: letter::paragraphs(&letter::fill(&common.text, &values)),
        keterangan: common.keterangan.clone(),
        tempat: facts.profile.place.clone(),
        tanggal: Some(facts.issued_date),
        signer: paperwork::print_signer(CERTIFICATE_KIND, &facts.signer, &facts.profile),
        verifikasi: Some(facts.verification_url.clone()),
    }
}

/// One certificate as PDF.
pub fn render(common: &Common, facts: &CertificateFacts) -> Result<Vec<u8>, String> {
    letter::render_certificate(&print_model(common, facts)).map_err(|e| e.to_string())
}

/// Issues the certificates of every eligible participant who has none yet; returns how many
/// were issued. Refused as a whole when a rule forbids issuing (the unregistered LPK, missing
/// dates) or when the unit's certificate text names a field it may not (e.g. `{nik}`).
pub async fn issue_missing(
    store: &Store,
    unit: &Unit,
    user: &User,
    training_id: i64,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    laksana_store::require_certificate_role(unit, user, now)?;
    let o = overview(store, unit, training_id).await?;
    if let Some((code, message)) = &o.blocked {
        return Err(StoreError::Refused {
            code,
            message: message.clone(),
        });
    }
    let today = now.with_timezone(&unit.zone.offset()).date_naive();
    // A certificate states that the training was followed, so it is dated after the last day.
    if let Some(end) = o.end.filter(|end| today <= *end) {
        return Err(StoreError::Refused {
            code: "training_not_finished",
            message: format!(
                "Sertifikat diterbitkan setelah pelatihan selesai; hari terakhir pelatihan {}.",
                tanggal_indonesia(end)
            ),
        });
    }
    if o.sessions == 0 {
        return Err(StoreError::Refused {
            code: "no_sessions",
            message: "Belum ada sesi kelas tercatat: tanpa sesi tidak ada peserta yang memenuhi syarat kehadiran.".into(),
        });
    }
    let own = store.letter_templates(unit.id).await?;
    let text = certificate_text(&own);
    // Saved texts were checked when saved; checked again because the fields may have changed since.
    if let Err(errors) = letter::check(&text, CERTIFICATE_FIELDS) {
        return Err(StoreError::NotConfigured {
            setting: format!("template:{CERTIFICATE_TEMPLATE_KEY}"),
            message: format!(
                "Templat sertifikat tidak dapat dipakai: {}. Perbaiki di Profil unit › Templat naskah.",
                errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
            ),
        });
    }
    let signer = store.signer_on(unit.id, "kepala-dinas", today).await?;
    let register = store.register_for_kind(unit.id, CERTIFICATE_KIND).await?;
    let shared = common(&o, &unit.name, text);
    let mut issued = 0;
    for c in o.eligible().filter(|c| c.certificate.is_none()) {
        let shared = shared.clone();
        let what = CertificateFor {
            training_id,
            nomination_id: c.nomination_id,
            nama: c.nama.clone(),
            training_title: o.title.clone(),
        };
        let done = store
            .issue_certificate(unit, user, &what, &signer, register.id, now, move |facts| {
                render(&shared, facts)
            })
            .await?;
        issued += usize::from(done.is_some());
    }
    Ok(issued)
}

/// A file name safe everywhere: ASCII letters, digits, `-`, `_` and `.`, nothing else.
pub fn safe_name(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        let c = match ch {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' => ch,
            'à'..='å' | 'À'..='Å' => 'a',
            'è'..='ë' | 'È'..='Ë' => 'e',
            'ì'..='ï' | 'Ì'..='Ï' => 'i',
            'ò'..='ö' | 'Ò'..='Ö' => 'o',
            'ù'..='ü' | 'Ù'..='Ü' => 'u',
            // Apostrophes vanish ("Sri'ani" → "Sriani"); everything else separates words.
            '\'' | '\u{2019}' | '`' => continue,
            _ => '-',
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    let trimmed = out.trim_matches(['-', '.']).to_string();
    if trimmed.is_empty() {
        "peserta".into()
    } else {
        trimmed
    }
}

/// The file name of one certificate in the ZIP: the participant, then the number.
pub fn file_name(nama: &str, number: &str) -> String {
    format!("{}_{}.pdf", safe_name(nama), safe_name(number))
}

/// The PDFs as one ZIP, each under its given name.
pub fn zip(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // PDFs are compressed inside already; a fast level keeps 500 of them well under a second.
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for (name, bytes) in files {
        w.start_file(name.as_str(), options)
            .map_err(|e| e.to_string())?;
        w.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(w.finish().map_err(|e| e.to_string())?.into_inner())
}
