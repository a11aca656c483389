//! An SOP definition: identity block, roles and steps, read from TOML and validated.

pub mod diff;
mod raw;
mod syntax;
mod table;
mod validate;

#[cfg(test)]
mod faithfulness;

use laksana_calendar::Waktu;
use sha2::{Digest, Sha256};

/// The shipped definition of "SOP Penyelenggaraan Pelatihan", embedded so the binary always
/// has a definition to run even when no file is configured.
pub const SEED_SOP: &str = include_str!("../../../sop/penyelenggaraan-pelatihan.toml");

/// Laksana's first revision of the seed (version 2): the Kepala Dinas's signing step the seed
/// lacks, and the work plan required at step 1. Every change is a note in the file.
pub const LAKSANA_SOP_V2: &str = include_str!("../../../sop/penyelenggaraan-pelatihan.v2.toml");

/// Version 3: version 2 plus the distribution's proofs and the candidates as inputs of steps
/// 7 and 8.
pub const LAKSANA_SOP_V3: &str = include_str!("../../../sop/penyelenggaraan-pelatihan.v3.toml");

/// Version 4: version 3 plus the meeting's notulen and the confirmed list as inputs of step 9,
/// and the attendance of step 10.
pub const LAKSANA_SOP_V4: &str = include_str!("../../../sop/penyelenggaraan-pelatihan.v4.toml");

/// Laksana's current copy (version 5): version 4 plus the report as the input of step 11, and
/// step 12 as a decision that can return the report to step 11 with a note.
pub const LAKSANA_SOP: &str = include_str!("../../../sop/penyelenggaraan-pelatihan.v5.toml");

/// The definitions Laksana ships, oldest first: a new installation stores them in this order,
/// so new trainings run on the last.
pub const SHIPPED_SOPS: [&str; 5] = [
    SEED_SOP,
    LAKSANA_SOP_V2,
    LAKSANA_SOP_V3,
    LAKSANA_SOP_V4,
    LAKSANA_SOP,
];

/// One SOP in the layout of Permenpan RB 35/2012 ("SOP AP").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SopDefinition {
    /// Stable id, e.g. "penyelenggaraan-pelatihan".
    pub key: String,
    /// The definition's version as its authors number it, e.g. "1".
    pub version: String,
    /// Nama/judul SOP, e.g. "PENYELENGGARAAN PELATIHAN".
    pub nama: String,
    /// A second title when the document has one (the seed's "REGISTRASI …" line).
    pub subjudul: Option<String>,
    /// The unit that owns the SOP, e.g. "BALAI LATIHAN KERJA".
    pub unit: String,
    pub identity: Identity,
    pub dasar_hukum: Vec<String>,
    pub kualifikasi_pelaksana: Vec<String>,
    pub keterkaitan: Vec<String>,
    pub peralatan: Vec<String>,
    pub peringatan: Vec<String>,
    pub pencatatan: Vec<String>,
    /// Pelaksana in the order of the table's columns.
    pub roles: Vec<Role>,
    /// Steps sorted by number; numbers run 1..=N.
    pub steps: Vec<Step>,
    /// Known slips of the source document, kept beside the uncorrected text.
    pub notes: Vec<Note>,
    /// Literal words shown with a setting's value instead (e.g. the head of unit's title).
    pub substitutions: Vec<Substitution>,
}

/// The identity block; every field is optional because drafts often lack them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    pub nomor: Option<String>,
    pub tanggal_pembuatan: Option<String>,
    pub tanggal_revisi: Option<String>,
    pub tanggal_efektif: Option<String>,
    pub disahkan_oleh: Option<Pengesah>,
}

/// The official who signed the SOP into force; `nip` is empty for officials without one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pengesah {
    pub jabatan: String,
    pub nama: String,
    pub nip: String,
}

/// A pelaksana column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// Stable key, e.g. "jfu".
    pub key: String,
    /// Display name, e.g. "JFU".
    pub name: String,
    /// Key of the superior role, when the role has one inside this SOP.
    pub atasan: Option<String>,
}

/// One row of the SOP table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Stable key, e.g. "rencana-kerja"; history refers to steps by it.
    pub key: String,
    pub number: u32,
    pub kegiatan: String,
    /// Role key of the executor.
    pub pelaksana: String,
    pub persyaratan: String,
    pub waktu: Waktu,
    pub output: String,
    pub keterangan: String,
    /// Present when the step approves or returns instead of simply completing.
    pub decision: Option<Decision>,
    /// Named inputs that must exist before the step may complete.
    pub guards: Vec<String>,
}

/// A decision step: "Ya" goes on to the next step, "Tidak" goes back to `on_return`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub on_return: u32,
}

/// A remark on the source document, pointing at a step and/or a field when it concerns one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub step: Option<u32>,
    pub field: Option<String>,
    pub text: String,
}

/// Show `literal` with the value of setting `setting` (for display only; data keeps the literal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Substitution {
    pub literal: String,
    pub setting: String,
}

/// One thing wrong with a definition file, with the 1-based line it is on when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "baris {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl SopDefinition {
    /// Reads and validates a definition, returning every problem found (sorted by line).
    pub fn parse(src: &str) -> Result<SopDefinition, Vec<Problem>> {
        validate::parse(src)
    }

    /// SHA-256 (hex) of the exact bytes, so a training can record the definition it runs on.
    pub fn content_hash(src: &str) -> String {
        hex::encode(Sha256::digest(src.as_bytes()))
    }

    pub fn step(&self, number: u32) -> Option<&Step> {
        self.steps.iter().find(|s| s.number == number)
    }

    /// The first step: the one a new instance starts on.
    pub fn first_step(&self) -> Option<&Step> {
        self.steps.first()
    }

    /// The step that follows `number` in the table, if any.
    pub fn next_step(&self, number: u32) -> Option<&Step> {
        self.steps.iter().find(|s| s.number > number)
    }

    pub fn role(&self, key: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.key == key)
    }

    /// Replaces each declared literal with its setting's value; literals whose setting has no
    /// value stay as written. One left-to-right pass, so a value is never substituted again.
    pub fn substitute(&self, text: &str, settings: &dyn Fn(&str) -> Option<String>) -> String {
        let pairs: Vec<(&str, String)> = self
            .substitutions
            .iter()
            .filter(|s| !s.literal.is_empty())
            .filter_map(|s| settings(&s.setting).map(|value| (s.literal.as_str(), value)))
            .collect();
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        // Earliest match wins; at the same position the longer literal wins.
        while let Some((at, literal, value)) = pairs
            .iter()
            .filter_map(|(literal, value)| rest.find(literal).map(|at| (at, *literal, value)))
            .min_by_key(|(at, literal, _)| (*at, std::cmp::Reverse(literal.len())))
        {
            out.push_str(&rest[..at]);
            out.push_str(value);
            rest = &rest[at + literal.len()..];
        }
        out.push_str(rest);
        out
    }

    /// Plain-text rendering for `laksana sop show`: identity block, the step table wrapped to
    /// about 120 columns, and the notes. Literal text is shown unsubstituted.
    pub fn render_table(&self) -> String {
        table::render(self)
    }

    /// The SLA: the sum of every step's standard duration, in working minutes.
    pub fn total_standard_minutes(&self) -> u32 {
        self.steps.iter().map(|s| s.waktu.standard_minutes()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> SopDefinition {
        SopDefinition::parse(SEED_SOP).expect("the shipped definition is valid")
    }

    #[test]
    fn the_shipped_definition_parses_without_problems() {
        let def = seed();
        assert_eq!(def.key, "penyelenggaraan-pelatihan");
        assert_eq!(def.steps.len(), 11);
        let roles: Vec<&str> = def.roles.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            roles,
            ["JFU", "Kepala Bidang", "Staf", "Kepala Dinas", "Panitia"]
        );
    }

    #[test]
    fn steps_two_and_five_return_to_steps_one_and_four() {
        let def = seed();
        let decisions: Vec<(u32, u32)> = def
            .steps
            .iter()
            .filter_map(|s| s.decision.map(|d| (s.number, d.on_return)))
            .collect();
        assert_eq!(decisions, [(2, 1), (5, 4)]);
    }

    #[test]
    fn executors_follow_the_mapping_of_domain_md_section_2() {
        let def = seed();
        let executors: Vec<&str> = def.steps.iter().map(|s| s.pelaksana.as_str()).collect();
        assert_eq!(
            executors,
            [
                "jfu",
                "kepala-bidang",
                "kepala-dinas",
                "jfu",
                "kepala-bidang",
                "staf",
                "staf",
                "panitia",
                "panitia",
                "panitia",
                "kepala-dinas"
            ]
        );
    }

    #[test]
    fn the_head_of_unit_title_is_substituted_only_for_display() {
        let def = seed();
        let step3 = def.step(3).unwrap();
        assert_eq!(step3.output, "Instruksi Kepala BKOM");
        let settings = |name: &str| (name == "head_title").then(|| "Kepala UPT BLK".to_string());
        assert_eq!(
            def.substitute(&step3.output, &settings),
            "Instruksi Kepala UPT BLK"
        );
        assert_eq!(
            def.substitute(&step3.output, &|_| None),
            "Instruksi Kepala BKOM"
        );
    }

    #[test]
    fn a_substituted_value_is_not_substituted_again() {
        let mut def = seed();
        def.substitutions.push(Substitution {
            literal: "UPT".into(),
            setting: "other".into(),
        });
        let settings = |name: &str| match name {
            "head_title" => Some("Kepala UPT".to_string()),
            "other" => Some("XXX".to_string()),
            _ => None,
        };
        assert_eq!(
            def.substitute("Kepala BKOM dan UPT", &settings),
            "Kepala UPT dan XXX"
        );
    }

    #[test]
    fn the_content_hash_is_the_sha256_of_the_exact_bytes() {
        assert_eq!(
            SopDefinition::content_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(
            SopDefinition::content_hash(SEED_SOP),
            SopDefinition::content_hash(&format!("{SEED_SOP} "))
        );
    }

    #[test]
    fn the_standard_time_is_the_sum_of_the_steps() {
        let def = seed();
        let sum: u32 = def.steps.iter().map(|s| s.waktu.standard_minutes()).sum();
        assert_eq!(def.total_standard_minutes(), sum);
        assert!(sum > 0);
    }
}
