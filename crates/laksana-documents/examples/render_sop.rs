//! Writes the SOP in FILE (or the seed) as PDF and the flowchart as SVG:
//! `cargo run -p laksana-documents --example render_sop -- [FILE] OUT.pdf [OUT.svg]`

use laksana_documents::{flowchart_svg, render_sop, FlowMarks};
use laksana_engine::{SopDefinition, SEED_SOP};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (src, rest) = match args.as_slice() {
        [file, rest @ ..] if file.ends_with(".toml") => {
            (std::fs::read_to_string(file).expect("read FILE"), rest)
        }
        rest => (SEED_SOP.to_string(), rest),
    };
    let def = SopDefinition::parse(&src).expect("a valid SOP");
    let settings = |name: &str| (name == "head_title").then(|| "Kepala Dinas".to_string());
    let doc = render_sop(&def, &settings).expect("renders");
    let out = rest.first().map_or("sop.pdf", String::as_str);
    std::fs::write(out, &doc.pdf).expect("write PDF");
    println!("{out}: {} pages, {:?}", doc.pages, doc.layout.counts());
    if let Some(svg) = rest.get(1) {
        let marks = FlowMarks::progress(Some(5), &[1, 2, 3, 4].into_iter().collect())
            .with_returned(2, 1)
            .with_setting("head_title", "Kepala Dinas");
        std::fs::write(svg, flowchart_svg(&def, &marks)).expect("write SVG");
    }
}
