//! Writes the draft's TOML line by line, remembering the line of every TODO value so the
//! caller can say where `sop check` will point.

use super::Todo;

/// The value written for anything that could not be read; the validator reports it.
pub(super) const TODO: &str = "TODO";

#[derive(Default)]
pub(super) struct Writer {
    lines: Vec<String>,
    todos: Vec<Todo>,
}

impl Writer {
    pub(super) fn line(&mut self, text: impl Into<String>) {
        self.lines.push(text.into());
    }

    pub(super) fn blank(&mut self) {
        self.lines.push(String::new());
    }

    pub(super) fn comment(&mut self, text: &str) {
        self.lines.push(format!("# {text}").trim_end().to_string());
    }

    pub(super) fn string(&mut self, key: &str, value: &str) {
        self.lines.push(format!("{key} = {}", quote(value)));
    }

    /// `# TODO: {why}` then `key = "TODO"`, recorded with `message`.
    pub(super) fn todo(&mut self, key: &str, why: &str, message: String) {
        self.comment(&format!("TODO: {why}"));
        self.string(key, TODO);
        self.record(message);
    }

    /// Records the line just written as a TODO.
    pub(super) fn record(&mut self, message: String) {
        self.todos.push(Todo {
            line: self.lines.len(),
            message,
        });
    }

    pub(super) fn list(&mut self, key: &str, items: &[String]) {
        if items.is_empty() {
            self.line(format!("{key} = []"));
            return;
        }
        self.line(format!("{key} = ["));
        for item in items {
            self.line(format!("  {},", quote(item)));
        }
        self.line("]");
    }

    pub(super) fn todo_count(&self) -> usize {
        self.todos.len()
    }

    /// The text, with `header` lines put in front (TODO lines shift accordingly).
    pub(super) fn finish(self, header: Vec<String>) -> (String, Vec<Todo>) {
        let shift = header.len();
        let mut text = String::new();
        for line in header.iter().chain(&self.lines) {
            text.push_str(line);
            text.push('\n');
        }
        let todos = self
            .todos
            .into_iter()
            .map(|t| Todo {
                line: t.line + shift,
                message: t.message,
            })
            .collect();
        (text, todos)
    }
}

/// A TOML basic string.
pub(super) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_read_back_as_written() {
        for text in ["a \"b\" c", "C:\\x", "tab\there", "bel\u{7}"] {
            let doc = format!("v = {}", quote(text));
            let value: toml::Table = toml::from_str(&doc).unwrap();
            assert_eq!(value["v"].as_str(), Some(text));
        }
    }

    #[test]
    fn todo_lines_are_shifted_by_the_header() {
        let mut w = Writer::default();
        w.string("a", "b");
        w.todo("c", "why", "message".into());
        let (text, todos) = w.finish(vec!["# head".into()]);
        assert_eq!(todos[0].line, 4);
        assert_eq!(text.lines().nth(3), Some("c = \"TODO\""));
    }
}
