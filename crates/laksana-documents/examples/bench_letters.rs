//! Warm render times of the letters, in the format of /work/shared/bench/letters_peer.py:
//! `cargo run --release -p laksana-documents --example bench_letters`
//! prints `RESULT laksana doc=undangan pages=1 seconds=…` and `doc=sk-500`.

#[path = "../tests/common/letters.rs"]
#[allow(dead_code)]
mod letters;

use std::time::Instant;

use laksana_documents::{render_keputusan, render_letter, warm_up, Rendered};

/// The median of `rounds` warm runs, after one run that fills the caches. Each run gets its
/// own round number to put in the document, so Typst's memoisation cannot replay an identical
/// earlier compilation: every timing is a real layout of a new letter.
fn median(rounds: usize, f: impl Fn(usize) -> Rendered) -> (usize, f64) {
    let pages = f(0).pages;
    let mut times: Vec<f64> = (1..=rounds)
        .map(|i| {
            let t = Instant::now();
            f(i);
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (pages, times[rounds / 2])
}

fn main() {
    warm_up();
    let undangan = |i: usize| {
        let mut l = letters::undangan();
        l.nomor = Some(format!("500.15.4/{i}/BLK"));
        l
    };
    let (pages, s) = median(11, |i| render_letter(&undangan(i)).expect("renders"));
    println!("RESULT laksana doc=undangan pages={pages} seconds={s:.4}");
    let sk = |i: usize| {
        let mut sk = letters::keputusan(500);
        sk.nomor = Some(format!("500.15.4/{i}/BLK"));
        sk
    };
    let (pages, s) = median(5, |i| render_keputusan(&sk(i)).expect("renders"));
    println!("RESULT laksana doc=sk-500 pages={pages} seconds={s:.4}");
}
