//! Geometry of the flowchart table: symbols, arrows, labels, page breaks and connectors.

mod common;

use std::collections::BTreeSet;

use laksana_documents::flowchart::{
    layout, ConnectorFlow, FlowLayout, FlowPage, LayoutOptions, Point, RowKind, SymbolKind,
};
use laksana_documents::{flowchart_svg, FlowMarks};

fn a4(def: &laksana_engine::SopDefinition) -> FlowLayout {
    layout(def, &common::settings, &LayoutOptions::a4_landscape())
}

#[test]
fn the_seed_has_two_terminators_seven_processes_and_two_decisions() {
    let l = a4(&common::seed());
    let c = l.counts();
    assert_eq!(
        (c.terminators, c.processes, c.decisions),
        (2, 7, 2),
        "{c:?}"
    );
    let first = &l.pages[0].symbols[0];
    assert_eq!((first.step, first.kind), (1, SymbolKind::Terminator));
    let decisions: Vec<u32> = l
        .pages
        .iter()
        .flat_map(|p| &p.symbols)
        .filter(|s| s.kind == SymbolKind::Decision)
        .map(|s| s.step)
        .collect();
    assert_eq!(decisions, [2, 5]);
    // Each page break is one connector on each side of it.
    assert_eq!(c.connectors, 2 * (l.pages.len() - 1));
}

#[test]
fn each_decision_has_a_ya_and_a_tidak_label() {
    let l = a4(&common::seed());
    let labels: Vec<&str> = l
        .pages
        .iter()
        .flat_map(|p| &p.labels)
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(labels.iter().filter(|t| **t == "Ya").count(), 2);
    assert_eq!(labels.iter().filter(|t| **t == "Tidak").count(), 2);
}

#[test]
fn symbols_sit_in_their_pelaksana_column() {
    let def = common::seed();
    let l = a4(&def);
    for s in l.pages.iter().flat_map(|p| &p.symbols) {
        let step = def.step(s.step).unwrap();
        let lane = def
            .roles
            .iter()
            .position(|r| r.key == step.pelaksana)
            .unwrap();
        assert_eq!(s.lane, lane);
        let col = l.columns.lanes[lane];
        assert!(s.center.x - s.width / 2.0 > col.x && s.center.x + s.width / 2.0 < col.right());
    }
}

/// The invariants every page must keep, whatever the SOP.
fn check_page(l: &FlowLayout, page: &FlowPage) {
    let (lanes_l, lanes_r) = l.columns.lanes_span();
    let boxes: Vec<(f64, f64, f64, f64)> = page
        .symbols
        .iter()
        .map(|s| (s.center.x, s.center.y, s.width / 2.0, s.height / 2.0))
        .chain(
            page.connectors
                .iter()
                .map(|c| (c.center.x, c.center.y, c.width / 2.0, c.height / 2.0)),
        )
        .collect();
    for arrow in &page.arrows {
        assert!(arrow.points.len() >= 2);
        for w in arrow.points.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert!(
                (a.x - b.x).abs() < 0.01 || (a.y - b.y).abs() < 0.01,
                "arrow segments are horizontal or vertical: {a:?} {b:?}"
            );
            for p in [a, b] {
                assert!(
                    p.x > lanes_l && p.x < lanes_r,
                    "arrows stay in the pelaksana columns"
                );
                assert!(p.y > l.header.height && p.y < page.height);
            }
            // A segment may touch a symbol only at its own end points (the ports).
            for &(cx, cy, hw, hh) in &boxes {
                let inside = |p: Point| {
                    p.x > cx - hw + 0.5
                        && p.x < cx + hw - 0.5
                        && p.y > cy - hh + 0.5
                        && p.y < cy + hh - 0.5
                };
                for k in 1..20 {
                    let t = f64::from(k) / 20.0;
                    let p = Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
                    assert!(!inside(p), "an arrow passes through a symbol at {p:?}");
                }
            }
        }
    }
    for (i, label) in page.labels.iter().enumerate() {
        let r = (
            label.x,
            label.x + label.width,
            label.baseline - label.size * 0.72,
            label.baseline,
        );
        assert!(
            r.0 > lanes_l && r.1 < lanes_r,
            "labels stay in the pelaksana columns"
        );
        for &(cx, cy, hw, hh) in &boxes {
            let apart = r.1 < cx - hw || r.0 > cx + hw || r.3 < cy - hh || r.2 > cy + hh;
            assert!(apart, "label {} overlaps a symbol", label.text);
        }
        for lane in &l.columns.lanes {
            assert!(
                !(r.0 < lane.x && lane.x < r.1),
                "label {} crosses a column border",
                label.text
            );
        }
        for arrow in &page.arrows {
            for w in arrow.points.windows(2) {
                let (x0, x1) = (w[0].x.min(w[1].x) - 0.5, w[0].x.max(w[1].x) + 0.5);
                let (y0, y1) = (w[0].y.min(w[1].y) - 0.5, w[0].y.max(w[1].y) + 0.5);
                let apart = r.1 < x0 || r.0 > x1 || r.3 < y0 || r.2 > y1;
                assert!(apart, "label {} touches an arrow", label.text);
            }
        }
        for other in &page.labels[i + 1..] {
            let apart = r.1 < other.x
                || r.0 > other.x + other.width
                || (r.3 - other.baseline).abs() > label.size;
            assert!(apart, "labels overlap");
        }
    }
}

#[test]
fn arrows_are_right_angled_stay_in_the_lanes_and_avoid_symbols() {
    let seed = a4(&common::seed());
    for p in &seed.pages {
        check_page(&seed, p);
    }
    let long = a4(&common::generated(60, true, "Langkah dua"));
    for p in &long.pages {
        check_page(&long, p);
    }
    let tidak = long
        .pages
        .iter()
        .flat_map(|p| &p.labels)
        .filter(|l| l.text == "Tidak")
        .count();
    let ya = long
        .pages
        .iter()
        .flat_map(|p| &p.labels)
        .filter(|l| l.text == "Ya")
        .count();
    assert_eq!(
        (ya, tidak),
        (long.counts().decisions, long.counts().decisions)
    );
}

#[test]
fn every_step_gets_one_row_and_one_symbol_in_order() {
    let l = a4(&common::generated(60, false, "x"));
    let steps: Vec<u32> = l
        .pages
        .iter()
        .flat_map(|p| &p.rows)
        .filter_map(|r| match r.kind {
            RowKind::Step(n) => Some(n),
            RowKind::Connectors => None,
        })
        .collect();
    assert_eq!(steps, (1..=60).collect::<Vec<u32>>());
    let symbols: Vec<u32> = l
        .pages
        .iter()
        .flat_map(|p| &p.symbols)
        .map(|s| s.step)
        .collect();
    assert_eq!(symbols, steps);
    for p in &l.pages {
        assert!(p.height <= laksana_documents::sop::TABLE_HEIGHT + 0.01);
    }
}

#[test]
fn a_sixty_step_sop_breaks_across_pages_with_paired_connectors() {
    let l = a4(&common::generated(60, false, "x"));
    assert!(l.pages.len() >= 3, "{} pages", l.pages.len());
    for (p, pair) in l.pages.windows(2).enumerate() {
        let out: Vec<&str> = pair[0]
            .connectors
            .iter()
            .filter(|c| c.flow == ConnectorFlow::Out)
            .map(|c| c.label.as_str())
            .collect();
        let inn: Vec<&str> = pair[1]
            .connectors
            .iter()
            .filter(|c| c.flow == ConnectorFlow::In)
            .map(|c| c.label.as_str())
            .collect();
        assert_eq!(out.len(), 1, "page {p} ends in one connector");
        assert_eq!(out, inn, "the same letter on both sides of break {p}");
        // The outgoing connector is at the bottom of the page, the incoming one at the top.
        let c = pair[0]
            .connectors
            .iter()
            .find(|c| c.flow == ConnectorFlow::Out)
            .unwrap();
        assert!(c.center.y > pair[0].rows[pair[0].rows.len() - 2].y);
        let c = pair[1]
            .connectors
            .iter()
            .find(|c| c.flow == ConnectorFlow::In)
            .unwrap();
        assert!(c.center.y < pair[1].rows[1].y);
    }
    let letters: BTreeSet<&str> = l
        .pages
        .iter()
        .flat_map(|p| &p.connectors)
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(letters.len(), l.pages.len() - 1, "one letter per break");
    // No decision loop of the generated SOP is cut by a break: they are short enough.
    let c = l.counts();
    assert_eq!(c.connectors, 2 * (l.pages.len() - 1));
}

#[test]
fn a_loop_longer_than_a_page_meets_itself_through_a_pair_of_connectors() {
    let l = a4(&common::generated(60, true, "x"));
    let forward = l.pages.len() - 1;
    let c = l.counts();
    assert_eq!(c.connectors, 2 * forward + 2, "{c:?}");
    let mut seen = std::collections::BTreeMap::<String, Vec<(usize, ConnectorFlow)>>::new();
    for (p, page) in l.pages.iter().enumerate() {
        for c in &page.connectors {
            seen.entry(c.label.clone()).or_default().push((p, c.flow));
        }
    }
    for (letter, ends) in &seen {
        assert_eq!(ends.len(), 2, "{letter} appears on two pages: {ends:?}");
        assert_ne!(ends[0].0, ends[1].0);
    }
}

#[test]
fn the_screen_layout_is_one_page_without_connectors() {
    let l = layout(
        &common::generated(60, true, "x"),
        &common::settings,
        &LayoutOptions::screen(),
    );
    assert_eq!(l.pages.len(), 1);
    assert_eq!(l.counts().connectors, 0);
    assert_eq!(l.pages[0].symbols.len(), 60);
}

#[test]
fn the_svg_marks_current_done_and_returned_steps_and_escapes_text() {
    let def = common::generated(12, false, "A <b>&\"tag\"</b>");
    let done: BTreeSet<u32> = [1, 2, 3].into_iter().collect();
    let marks = FlowMarks::progress(Some(4), &done).with_returned(7, 2);
    let svg = flowchart_svg(&def, &marks);
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    for n in 1..=12 {
        assert!(svg.contains(&format!("data-step=\"{n}\"")), "step {n}");
    }
    assert_eq!(svg.matches("class=\"symbol current\"").count(), 1);
    assert_eq!(svg.matches("class=\"symbol done\"").count(), 3);
    assert!(svg.contains("class=\"returned\">\u{21ba}2</text>"));
    assert!(svg.contains("&lt;b&gt;&amp;&quot;tag&quot;&lt;/b&gt;"));
    assert!(!svg.contains("<b>"));
}

#[test]
fn the_svg_substitutes_display_texts_from_the_marks_settings() {
    let def = common::seed();
    let marks = FlowMarks::default().with_setting("head_title", "Kepala UPT BLK");
    let svg = flowchart_svg(&def, &marks);
    assert!(svg.contains("Kepala UPT BLK"));
    assert!(!svg.contains("BKOM"));
}

#[test]
fn zz_debug_labels() {
    let l = a4(&common::generated(60, true, "x"));
    for (i, p) in l.pages.iter().enumerate().take(3) {
        for lab in &p.labels {
            eprintln!("page {i}: {lab:?}");
        }
        for a in &p.arrows {
            eprintln!("page {i}: arrow {:?}", a.points);
        }
    }
}
