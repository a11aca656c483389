//! `laksana sop pdf`: the official SOP document (identity page and flowchart) as PDF, or with
//! `--bench N` the warm render time of that document.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use laksana_engine::SopDefinition;

pub fn run(
    file: &Path,
    out: Option<&Path>,
    head_title: &str,
    bench: Option<usize>,
) -> anyhow::Result<ExitCode> {
    let src =
        std::fs::read_to_string(file).with_context(|| format!("membaca {}", file.display()))?;
    let def = match SopDefinition::parse(&src) {
        Ok(def) => def,
        Err(problems) => {
            crate::report_problems(file, &problems);
            return Ok(ExitCode::from(1));
        }
    };
    let settings = |name: &str| (name == "head_title").then(|| head_title.to_string());
    if let Some(rounds) = bench {
        return bench_render(&def, &settings, rounds.max(1));
    }
    let doc = laksana_documents::render_sop(&def, &settings)?;
    let out = out.map_or_else(|| file.with_extension("pdf"), Path::to_path_buf);
    std::fs::write(&out, &doc.pdf).with_context(|| format!("menulis {}", out.display()))?;
    let c = doc.layout.counts();
    println!(
        "{}: {} halaman ({} halaman bagan alir), {} langkah, {} penghubung antarhalaman",
        out.display(),
        doc.pages,
        doc.layout.pages.len(),
        c.terminators + c.processes + c.decisions,
        c.connectors
    );
    Ok(ExitCode::SUCCESS)
}

/// Renders once to warm the fonts and the Typst library, then `rounds` times, and prints the
/// median and slowest time.
fn bench_render(
    def: &SopDefinition,
    settings: &dyn Fn(&str) -> Option<String>,
    rounds: usize,
) -> anyhow::Result<ExitCode> {
    let cold = Instant::now();
    let pages = laksana_documents::render_sop(def, settings)?.pages;
    let cold = cold.elapsed();
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            laksana_documents::sop_pdf(def, settings).map(|_| t.elapsed())
        })
        .collect::<Result<_, _>>()?;
    times.sort();
    println!(
        "SOP \"{}\" ({} langkah, {pages} halaman): pertama {:.1} ms; hangat median {:.1} ms, \
         terlambat {:.1} ms ({rounds} kali)",
        def.nama,
        def.steps.len(),
        cold.as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    );
    Ok(ExitCode::SUCCESS)
}
