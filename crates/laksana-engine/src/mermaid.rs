//! The SOP as a Mermaid flowchart: top to bottom as SOP AP draws it, one subgraph per
//! pelaksana, a capsule for start and end, a rectangle per step and a rhombus for each decision
//! step with its "Ya" and "Tidak" edges.

use crate::definition::SopDefinition;

/// Mermaid `flowchart` text for the definition; paste it into any Mermaid renderer.
pub fn to_mermaid(def: &SopDefinition) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "%% SOP {} ({}), versi {}: diekspor oleh Laksana.\n",
        one_line(&def.nama),
        one_line(&def.unit),
        one_line(&def.version)
    ));
    out.push_str("flowchart TD\n");
    out.push_str("    mulai([\"Mulai\"])\n");
    for role in &def.roles {
        out.push_str(&format!(
            "    subgraph {}[\"{}\"]\n",
            role_node(&role.key),
            label(&role.name)
        ));
        for step in def.steps.iter().filter(|s| s.pelaksana == role.key) {
            // "(1)" rather than "1.": Mermaid reads a label starting "1. " as a Markdown list.
            let text = format!(
                "({}) {}<br/>Waktu: {}",
                step.number,
                label(&step.kegiatan),
                label(&step.waktu.raw)
            );
            let (open, close) = if step.decision.is_some() {
                ("{", "}")
            } else {
                ("[", "]")
            };
            out.push_str(&format!(
                "        {}{open}\"{text}\"{close}\n",
                step_node(step.number)
            ));
        }
        out.push_str("    end\n");
    }
    out.push_str("    selesai([\"Selesai\"])\n");
    let first = def
        .first_step()
        .map_or("selesai".to_string(), |s| step_node(s.number));
    out.push_str(&format!("    mulai --> {first}\n"));
    for step in &def.steps {
        let from = step_node(step.number);
        let next = def
            .next_step(step.number)
            .map_or("selesai".to_string(), |s| step_node(s.number));
        match step.decision {
            None => out.push_str(&format!("    {from} --> {next}\n")),
            Some(decision) => {
                out.push_str(&format!("    {from} -->|Ya| {next}\n"));
                out.push_str(&format!(
                    "    {from} -->|Tidak| {}\n",
                    step_node(decision.on_return)
                ));
            }
        }
    }
    out
}

fn step_node(number: u32) -> String {
    format!("langkah_{number}")
}

fn role_node(key: &str) -> String {
    format!("pelaksana_{}", key.replace('-', "_"))
}

/// Text inside a quoted Mermaid label: quotes and angle brackets as entity codes (Mermaid
/// renders labels as HTML), line breaks as `<br/>`.
fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' => out.push_str("<br/>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// For the comment line, which ends at a line break.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::SEED_SOP;

    #[test]
    fn mermaid_contains_every_step_in_its_pelaksana_subgraph() {
        let def = SopDefinition::parse(SEED_SOP).unwrap();
        let text = to_mermaid(&def);
        assert!(
            text.starts_with("%% SOP PENYELENGGARAAN PELATIHAN"),
            "{text}"
        );
        assert!(text.contains("\nflowchart TD\n"));
        for role in &def.roles {
            assert!(
                text.contains(&format!(
                    "subgraph {}[\"{}\"]",
                    role_node(&role.key),
                    role.name
                )),
                "{text}"
            );
        }
        for step in &def.steps {
            let node = step_node(step.number);
            let line = text
                .lines()
                .find(|l| {
                    l.trim_start().starts_with(&format!("{node}["))
                        || l.trim_start().starts_with(&format!("{node}{{"))
                })
                .unwrap_or_else(|| panic!("step {} missing:\n{text}", step.number));
            assert!(
                line.contains(&format!("({}) {}", step.number, step.kegiatan)),
                "{line}"
            );
            // Declared inside its pelaksana's subgraph.
            let before = &text[..text.find(line).unwrap()];
            let opened = before.rfind("subgraph ").unwrap();
            assert!(
                before[opened..].starts_with(&format!("subgraph {}", role_node(&step.pelaksana)))
            );
        }
    }

    #[test]
    fn decisions_are_rhombi_with_ya_and_tidak_edges() {
        let def = SopDefinition::parse(SEED_SOP).unwrap();
        let text = to_mermaid(&def);
        assert!(text.contains("        langkah_2{\"(2) "), "{text}");
        assert!(text.contains("        langkah_1[\"(1) "), "{text}");
        assert!(text.contains("    langkah_2 -->|Ya| langkah_3\n"));
        assert!(text.contains("    langkah_2 -->|Tidak| langkah_1\n"));
        assert!(text.contains("    langkah_5 -->|Tidak| langkah_4\n"));
        assert!(text.contains("    mulai --> langkah_1\n"));
        assert!(text.contains("    langkah_11 --> selesai\n"));
    }

    #[test]
    fn quotes_and_brackets_in_labels_are_escaped() {
        assert_eq!(
            label("a \"b\" <c> #d\ne"),
            "a #quot;b#quot; #lt;c#gt; #35;d<br/>e"
        );
    }
}
