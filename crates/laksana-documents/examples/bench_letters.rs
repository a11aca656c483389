//! Warm render times of the letters, in the format of /work/shared/bench/letters_peer.py:
//! `cargo run --release -p laksana-documents --example bench_letters`
//! prints `RESULT laksana doc=undangan pages=1 seconds=…` and `doc=sk-500`.

#[path = "../tests/common/letters.rs"]
mod letters;

use std::time::Instant;

use laksana_documents::{render_keputusan, render_letter, warm_up, Rendered};

/// The median of `rounds` warm runs, after one run that fills the caches.
fn median(rounds: usize, f: impl Fn() -> Rendered) -> (usize, f64) {
    let pages = f().pages;
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (pages, times[rounds / 2])
}

fn main() {
    warm_up();
    let undangan = letters::undangan();
    let (pages, s) = median(11, || render_letter(&undangan).expect("renders"));
    println!("RESULT laksana doc=undangan pages={pages} seconds={s:.4}");
    let sk = letters::keputusan(500);
    let (pages, s) = median(5, || render_keputusan(&sk).expect("renders"));
    println!("RESULT laksana doc=sk-500 pages={pages} seconds={s:.4}");
}
