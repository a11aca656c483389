//! The readers of untrusted text (SOP TOML, BPMN XML, extracted SOP text) never panic: every
//! input gives a value or a list of problems. Run briefly here; `.ci/jobs/fuzz-readers` runs
//! the same properties with many more cases (PROPTEST_CASES). Shrunk failures are kept by
//! proptest in `proptest-regressions/` and replayed first on every run.

use laksana_engine::{draft_from_text, from_bpmn, to_bpmn, SopDefinition, SEED_SOP};
use proptest::prelude::*;

const DRAFT_TEXT: &str = include_str!("fixtures/legalisir-ijazah.txt");

/// Characters that matter to the formats: quotes, brackets, separators, line breaks, digits.
const PUNCT: &[char] = &[
    '"', '\'', '[', ']', '{', '}', '=', '<', '>', '/', '&', ';', '#', '\n', '\r', '\\', ' ', '-',
    '0', '1', '9', '.', ',', ':', '\u{2013}', '\u{0}', 'é',
];

#[derive(Clone, Debug)]
enum Edit {
    Delete { at: usize, len: usize },
    Insert { at: usize, ch: char },
    Duplicate { at: usize, len: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), prop::sample::select(PUNCT)).prop_map(|(at, ch)| Edit::Insert { at, ch }),
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Edit::Duplicate { at, len }),
    ]
}

/// Applies the edits to `src` at positions taken modulo its length, on char boundaries.
fn mutate(src: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for e in edits {
        let n = chars.len().max(1);
        match *e {
            Edit::Delete { at, len } => {
                let at = at % n;
                let end = (at + len).min(chars.len());
                chars.drain(at.min(end)..end);
            }
            Edit::Insert { at, ch } => chars.insert(at % (chars.len() + 1), ch),
            Edit::Duplicate { at, len } => {
                let at = at % n;
                let end = (at + len).min(chars.len());
                let piece: Vec<char> = chars[at.min(end)..end].to_vec();
                chars.splice(at..at, piece);
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_text_given_as_an_sop_definition_is_read_or_refused_without_a_panic(src in ".{0,400}") {
        let _ = SopDefinition::parse(&src);
    }

    #[test]
    fn a_damaged_seed_definition_is_read_or_refused_and_a_valid_one_round_trips(
        edits in prop::collection::vec(edit(), 1..6)
    ) {
        let src = mutate(SEED_SOP, &edits);
        if let Ok(def) = SopDefinition::parse(&src) {
            let xml = to_bpmn(&def);
            let back = from_bpmn(&xml);
            prop_assert!(back.is_ok(), "export of a valid definition must import: {:?}", back.err());
        }
    }

    #[test]
    fn a_damaged_bpmn_export_is_imported_or_refused_without_a_panic(
        edits in prop::collection::vec(edit(), 1..6)
    ) {
        let def = SopDefinition::parse(SEED_SOP).unwrap();
        let xml = mutate(&to_bpmn(&def), &edits);
        let _ = from_bpmn(&xml);
    }

    #[test]
    fn any_text_given_as_bpmn_is_refused_without_a_panic(src in "(<[a-z:]{1,12}( [a-z]{1,6}=\"[^\"]{0,8}\")?/?>|[^<]{0,10}){0,40}") {
        let _ = from_bpmn(&src);
    }

    #[test]
    fn a_damaged_extracted_sop_text_gives_a_draft_or_an_error_without_a_panic(
        edits in prop::collection::vec(edit(), 1..8)
    ) {
        let _ = draft_from_text(&mutate(DRAFT_TEXT, &edits));
    }
}
