//! Reading the manifests back the way their consumers do, to prove that what was written is
//! what they will see: the phone's XML parser (quick-xml, with entity unescaping) and
//! Asterisk's configuration parser (`main/config.c`) for the DPMA fragment.
//!
//! Shared by `tests/properties.rs` and the `names` fuzz target (`fuzz/fuzz_targets/names.rs`).
#![allow(dead_code)]

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

/// An element's name and its attributes as `(name, value)` pairs.
pub type Element = (String, Vec<(String, String)>);

/// Every element's attributes in document order, as `(element, [(name, value as an XML parser
/// reports it)])`.
pub fn xml_elements(xml: &str) -> Result<Vec<Element>, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let name = AsRef::<str>::as_ref(&e.name()).to_string();
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(|e| e.to_string())?;
                    let key = AsRef::<str>::as_ref(&a.key).to_string();
                    // Normalised as every conforming XML parser does (tabs and newlines become
                    // spaces), so a value that needs them would not survive.
                    let value = a
                        .normalized_value(XmlVersion::Explicit1_0)
                        .map_err(|e| e.to_string())?
                        .into_owned();
                    attrs.push((key, value));
                }
                out.push((name, attrs));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The value of attribute `key` on the first `element` whose attribute `match_key` is
/// `match_value`.
pub fn xml_attr(
    xml: &str,
    element: &str,
    match_key: &str,
    match_value: &str,
    key: &str,
) -> Option<String> {
    let elements = xml_elements(xml).ok()?;
    let (_, attrs) = elements.iter().find(|(name, attrs)| {
        name == element
            && attrs
                .iter()
                .any(|(k, v)| k == match_key && v == match_value)
    })?;
    attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// `(section, key, value)` for every `key=value` line, read as Asterisk's configuration parser
/// reads them: a line ends at the first `;` not preceded by a backslash (that backslash is
/// removed), `;--` opens a block comment up to `--;`, the line and then the key and value are
/// stripped of whitespace (bytes up to 0x20), and `key=>value` is the object form (the `>` is
/// not part of the value).
pub fn dpma_values(conf: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut in_block_comment = false;
    for raw in conf.split('\n') {
        let mut line = String::new();
        let mut rest = raw;
        loop {
            if in_block_comment {
                match rest.find("--;") {
                    Some(i) => {
                        in_block_comment = false;
                        rest = &rest[i + 3..];
                    }
                    None => break,
                }
            }
            match rest.find(';') {
                None => {
                    line.push_str(rest);
                    break;
                }
                Some(i) if i > 0 && rest.as_bytes()[i - 1] == b'\\' => {
                    line.push_str(&rest[..i - 1]);
                    line.push(';');
                    rest = &rest[i + 1..];
                }
                Some(i) if rest[i..].starts_with(";--") => {
                    line.push_str(&rest[..i]);
                    in_block_comment = true;
                    rest = &rest[i + 3..];
                }
                Some(i) => {
                    line.push_str(&rest[..i]);
                    break;
                }
            }
        }
        let line = strip(&line);
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            section = name.split(']').next().unwrap_or("").to_string();
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            let value = value.strip_prefix('>').unwrap_or(value);
            out.push((
                section.clone(),
                strip(key).to_string(),
                strip(value).to_string(),
            ));
        }
    }
    out
}

/// Asterisk's `ast_strip`: whitespace here is every byte up to 0x20.
fn strip(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// The value of `key` in `section`, as Asterisk reads it.
pub fn dpma_value(conf: &str, section: &str, key: &str) -> Option<String> {
    dpma_values(conf)
        .into_iter()
        .find(|(s, k, _)| s == section && k == key)
        .map(|(_, _, v)| v)
}
