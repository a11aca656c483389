//! Warm render times (not a timed test). Run optimised:
//! `cargo test --release -p laksana-documents --test bench -- --ignored --nocapture`

mod common;

use std::time::{Duration, Instant};

use laksana_documents::{flowchart_svg, sop_pdf, FlowMarks};

fn time(rounds: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    f(); // warm: fonts, the Typst library, first-use caches
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[rounds / 2], times[rounds - 1])
}

#[test]
#[ignore = "benchmark; run with --release -- --ignored --nocapture"]
fn warm_render_times() {
    let seed = common::seed();
    let long = common::generated(60, true, "Langkah dua");
    for (name, def) in [("seed (11 langkah)", &seed), ("60 langkah", &long)] {
        let (median, worst) = time(10, || {
            sop_pdf(def, &common::settings).unwrap();
        });
        let (svg, _) = time(10, || {
            flowchart_svg(def, &FlowMarks::default());
        });
        println!(
            "{name}: PDF median {:.1} ms, max {:.1} ms; SVG median {:.2} ms",
            median.as_secs_f64() * 1e3,
            worst.as_secs_f64() * 1e3,
            svg.as_secs_f64() * 1e3
        );
    }
}
