//! Checks the shipped definition against the seed's extracted text, word for word.
//!
//! The extraction broke cells over lines and lost the check marks, so both sides are compared
//! with whitespace collapsed; the words themselves, typos included, must be the seed's.

use super::{SopDefinition, SEED_SOP};

/// The seed sits in `shared/`, beside the repository (CI clones it there too).
const SEED_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/seeds/000_f1d0972994eb6d66.txt"
);

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The seed text, normalised. A missing seed fails the test: skipping would let the shipped
/// file drift from its source unnoticed.
fn seed_text() -> String {
    match std::fs::read_to_string(SEED_PATH) {
        Ok(text) => normalise(&text),
        Err(e) => panic!(
            "The seed text {SEED_PATH} cannot be read ({e}). It is needed to check \
             sop/penyelenggaraan-pelatihan.toml against its source: place shared/ beside \
             the repository."
        ),
    }
}

fn shipped() -> SopDefinition {
    SopDefinition::parse(SEED_SOP).expect("the shipped definition is valid")
}

#[test]
fn every_step_matches_its_row_in_the_seed_word_for_word() {
    let seed = seed_text();
    let def = shipped();
    assert_eq!(def.steps.len(), 11);
    for step in &def.steps {
        let n = step.number;
        for (field, value) in [
            ("kegiatan", &step.kegiatan),
            ("persyaratan", &step.persyaratan),
            ("waktu", &step.waktu.raw),
            ("output", &step.output),
        ] {
            let value = normalise(value);
            assert!(
                seed.contains(&value),
                "langkah {n}: {field} {value:?} is not in the seed"
            );
        }
        // The whole row, bounded by its number and the next row's, so no field is cut short
        // or borrows a word from its neighbour.
        let row = normalise(&format!(
            "{n} {} {} {} {}",
            step.kegiatan, step.persyaratan, step.waktu.raw, step.output
        ));
        let found = if n == 11 {
            seed.ends_with(&format!(" {row}"))
        } else {
            seed.contains(&format!(" {row} {} ", n + 1))
        };
        assert!(found, "langkah {n}: the row {row:?} is not the seed's row");
    }
}

#[test]
fn the_identity_and_the_six_boxes_are_the_seeds_words() {
    let seed = seed_text();
    let def = shipped();
    let mut texts = vec![&def.nama, &def.unit];
    texts.extend(&def.subjudul);
    let boxes = [
        &def.dasar_hukum,
        &def.kualifikasi_pelaksana,
        &def.keterkaitan,
        &def.peralatan,
        &def.peringatan,
        &def.pencatatan,
    ];
    texts.extend(boxes.into_iter().flatten());
    for text in texts {
        let text = normalise(text);
        assert!(seed.contains(&text), "{text:?} is not in the seed");
    }
}

#[test]
fn substituted_literals_are_the_seeds_own_words() {
    let seed = seed_text();
    for s in &shipped().substitutions {
        assert!(
            seed.contains(&s.literal),
            "{:?} is not in the seed",
            s.literal
        );
    }
}
