//! The XML both ways, kept small: a writer that escapes and indents, and a reader that builds a
//! little tree with namespaces resolved while refusing what a hostile file could use (any
//! DOCTYPE, entities other than XML's five, huge or deeply nested input).

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use quick_xml::XmlVersion;

use super::{BpmnProblem, MAX_BPMN_BYTES};

/// Deeper than any BPMN a modeler writes (definitions > process > task > extension > …).
const MAX_DEPTH: usize = 64;
/// More elements than an SOP with hundreds of steps and its diagram needs.
const MAX_ELEMENTS: usize = 100_000;

// ---------------------------------------------------------------------------------------------
// Writing

/// Builds indented XML text; attribute values and text are escaped on the way in.
pub(super) struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    pub(super) fn new() -> Writer {
        Writer {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_attr(value, &mut self.out);
            self.out.push('"');
        }
    }

    /// `<name attrs>` on its own line; children follow until [`Writer::close`].
    pub(super) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    pub(super) fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attrs />`.
    pub(super) fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.out.push_str(" />\n");
    }

    /// `<name attrs>text</name>` on one line; the text is kept exactly (no indentation inside).
    pub(super) fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(name, attrs);
        self.out.push('>');
        escape_text(text, &mut self.out);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    pub(super) fn comment(&mut self, text: &str) {
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push_str("<!-- ");
        // "--" may not appear inside a comment.
        self.out.push_str(&text.replace("--", "- -"));
        self.out.push_str(" -->\n");
    }

    pub(super) fn finish(self) -> String {
        self.out
    }
}

/// Characters XML 1.0 cannot carry at all, not even as references; replaced so the output
/// stays well-formed (definitions never contain them in practice).
fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
        c => c,
    }
}

/// Attribute value between double quotes. Tabs and line breaks become references, because a
/// reader normalises literal ones to spaces.
fn escape_attr(value: &str, out: &mut String) {
    for c in value.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

/// Element text. A carriage return becomes a reference, because a reader turns a literal one
/// (or CR LF) into a line feed.
fn escape_text(text: &str, out: &mut String) {
    for c in text.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// An element's namespace, as far as the import cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Ns {
    Bpmn,
    BpmnDi,
    Laksana,
    /// Any other namespace (a modeler's own extensions, DC/DI …), or none.
    Other(String),
}

impl Ns {
    fn of(uri: Option<&str>) -> Ns {
        match uri {
            Some(super::BPMN_NS) => Ns::Bpmn,
            Some(super::BPMNDI_NS) => Ns::BpmnDi,
            Some(super::LAKSANA_NS) => Ns::Laksana,
            Some(other) => Ns::Other(other.to_string()),
            None => Ns::Other(String::new()),
        }
    }
}

#[derive(Debug)]
pub(super) struct Element {
    pub ns: Ns,
    /// Local name, e.g. "userTask".
    pub name: String,
    /// Attributes without a namespace (the only ones BPMN's own attributes use), in order.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// The element's direct text, concatenated (CDATA included).
    pub text: String,
}

impl Element {
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn id(&self) -> Option<&str> {
        self.attr("id").filter(|id| !id.is_empty())
    }

    pub(super) fn is(&self, ns: &Ns, name: &str) -> bool {
        &self.ns == ns && self.name == name
    }

    /// Children in the BPMN namespace with this local name.
    pub(super) fn bpmn_children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.is(&Ns::Bpmn, name))
    }

    /// A readable name for messages: "bpmn:userTask", "laksana:sop", "{uri}name".
    pub(super) fn qualified(&self) -> String {
        match &self.ns {
            Ns::Bpmn => format!("bpmn:{}", self.name),
            Ns::BpmnDi => format!("bpmndi:{}", self.name),
            Ns::Laksana => format!("laksana:{}", self.name),
            Ns::Other(uri) if uri.is_empty() => self.name.clone(),
            Ns::Other(uri) => format!("{{{uri}}}{}", self.name),
        }
    }
}

/// Parses the whole document into its root element, or the single reason it cannot be read.
pub(super) fn parse(xml: &str) -> Result<Element, BpmnProblem> {
    if xml.len() > MAX_BPMN_BYTES {
        return Err(BpmnProblem::general(format!(
            "Berkas terlalu besar ({} bait); Laksana membaca BPMN paling besar {} bait \
             ({} MiB). BPMN sebuah SOP biasanya hanya puluhan kilobait.",
            xml.len(),
            MAX_BPMN_BYTES,
            MAX_BPMN_BYTES / (1024 * 1024)
        )));
    }
    let mut reader = NsReader::from_str(xml);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    let line_at = |pos: u64| {
        let end = (pos as usize).min(xml.len());
        xml.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    };
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (resolved(ns), event),
            Err(e) => {
                let line = line_at(reader.error_position());
                return Err(BpmnProblem::general(format!(
                    "XML tidak sah (baris {line}): {e}."
                )));
            }
        };
        match event {
            Event::DocType(_) => {
                return Err(BpmnProblem::general(
                    "Berkas memuat deklarasi DOCTYPE. Laksana menolak DOCTYPE apa pun: di sanalah \
                     entitas eksternal (ENTITY … SYSTEM) dan ledakan entitas (\"billion laughs\") \
                     dipasang, dan BPMN tidak memerlukannya. Hapus bagian <!DOCTYPE …> itu.",
                ));
            }
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(BpmnProblem::general(
                    "Setelah elemen akar masih ada elemen lain; berkas XML hanya boleh punya satu \
                     elemen akar.",
                ));
            }
            Event::Start(start) => {
                count += 1;
                if count > MAX_ELEMENTS || stack.len() >= MAX_DEPTH {
                    return Err(too_complex(line_at(reader.buffer_position())));
                }
                let element = element(&reader, ns, &start)?;
                stack.push(element);
            }
            Event::Empty(start) => {
                count += 1;
                if count > MAX_ELEMENTS || stack.len() >= MAX_DEPTH {
                    return Err(too_complex(line_at(reader.buffer_position())));
                }
                let element = element(&reader, ns, &start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::End(_) => {
                // check_end_names guarantees the match with the open element.
                let done = stack.pop().expect("an end tag closes an open element");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(text) => {
                let content = text.xml10_content();
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&content),
                    None if content.trim().is_empty() => {}
                    None => {
                        return Err(BpmnProblem::general(
                            "Ada teks di luar elemen akar; berkas ini bukan BPMN yang utuh.",
                        ))
                    }
                }
            }
            Event::CData(data) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match predefined(&reference) {
                        Some(c) => c.to_string(),
                        None => {
                            return Err(BpmnProblem::general(format!(
                                "Entitas &{}; tidak dikenal. Tanpa DOCTYPE hanya lima entitas \
                                 bawaan XML (&amp; &lt; &gt; &quot; &apos;) dan rujukan \
                                 karakter (seperti &#10;) yang berlaku.",
                                &*reference
                            )))
                        }
                    },
                    Err(e) => {
                        return Err(BpmnProblem::general(format!(
                            "Rujukan karakter &{}; tidak sah: {e}.",
                            &*reference
                        )))
                    }
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(BpmnProblem::general(
            "Berkas XML terpotong: ada elemen yang belum ditutup.",
        ));
    }
    root.ok_or_else(|| BpmnProblem::general("Berkas ini tidak berisi elemen XML apa pun."))
}

fn too_complex(line: usize) -> BpmnProblem {
    BpmnProblem::general(format!(
        "Struktur XML terlalu dalam atau terlalu banyak elemen (sekitar baris {line}); batasnya \
         {MAX_DEPTH} tingkat dan {MAX_ELEMENTS} elemen."
    ))
}

fn resolved(ns: ResolveResult<'_>) -> Result<Option<String>, String> {
    match ns {
        ResolveResult::Bound(ns) => Ok(Some(ns.0.to_string())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => Err(prefix),
    }
}

fn predefined(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

fn element(
    reader: &NsReader<&[u8]>,
    ns: Result<Option<String>, String>,
    start: &BytesStart<'_>,
) -> Result<Element, BpmnProblem> {
    let name = start.local_name().as_ref().to_string();
    let ns = ns.map_err(|prefix| {
        BpmnProblem::general(format!(
            "Awalan namespace \"{prefix}\" pada elemen {name} tidak dideklarasikan (xmlns:{prefix})."
        ))
    })?;
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr
            .map_err(|e| BpmnProblem::general(format!("Atribut elemen {name} tidak sah: {e}.")))?;
        let key = attr.key.0;
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let (attr_ns, local) = reader.resolver().resolve_attribute(attr.key);
        if !matches!(attr_ns, ResolveResult::Unbound) {
            // xsi:type, a modeler's own attributes …: not part of what Laksana reads.
            continue;
        }
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| {
                BpmnProblem::general(format!(
                    "Nilai atribut {key} pada elemen {name} tidak sah: {e}. Tanpa DOCTYPE hanya \
                     entitas bawaan XML yang berlaku."
                ))
            })?;
        attrs.push((local.as_ref().to_string(), value.into_owned()));
    }
    Ok(Element {
        ns: Ns::of(ns.as_deref()),
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_attributes_and_text_read_back_exactly() {
        let tricky = "a & b < c > d \"e\" 'f'\nline\ttab\r\nend";
        let mut w = Writer::new();
        w.open("r", &[("v", tricky)]);
        w.text("t", &[], tricky);
        w.close("r");
        let root = parse(&w.finish()).unwrap();
        assert_eq!(root.attr("v"), Some(tricky));
        assert_eq!(root.children[0].text, tricky);
    }

    #[test]
    fn an_undeclared_entity_is_refused() {
        let err = parse("<r>&xxe;</r>").unwrap_err();
        assert!(err.message.contains("&xxe;"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let xml = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
        let err = parse(&xml).unwrap_err();
        assert!(err.message.contains("terlalu dalam"), "{err}");
    }
}
