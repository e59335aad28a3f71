//! The DPMA fragment, read by the rules of Asterisk's configuration parser.

use super::{non_empty, ring_type, ListedAlert, ListedLogo, ListedTone, ReadError, ReadErrorKind};
use crate::logo::Model;
use crate::manifest::LOGO_TEMPLATE;

/// Asterisk reads lines into a buffer of this many bytes: a longer line is cut.
const MAX_LINE_BYTES: usize = 8191;

/// Longest section name Asterisk keeps whole.
const MAX_SECTION_BYTES: usize = 79;

/// A section of a configuration file, as [`dpma_sections`] reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Section {
    /// The name between the brackets.
    pub name: String,
    /// What follows the header in parentheses — `!` for a template, the templates a section
    /// inherits — when anything does.
    pub options: Option<String>,
    /// The `key=value` lines in order, keys and values stripped.
    pub values: Vec<(String, String)>,
    /// Line of the header (1-based).
    pub line: usize,
}

impl Section {
    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The DPMA fragment (`res_digium_phone.conf`) read back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DpmaConf {
    /// The `type=ringtone` sections, in file order: id (section name), display (`alias`),
    /// file name (`filename`).
    pub tones: Vec<ListedTone>,
    /// The `type=alert` sections, in file order.
    pub alerts: Vec<ListedAlert>,
    /// The logo keys (`<model>_logo_file=`) of the [`LOGO_TEMPLATE`] section, in file order.
    pub logos: Vec<ListedLogo>,
    /// Every section as read (phone sections and others included).
    pub sections: Vec<Section>,
}

/// Reads a configuration file into sections the way Asterisk's parser (`main/config.c`) does:
///
/// - a line is cut at the first `;` not preceded by a backslash; `\;` is a literal `;` (only
///   that backslash is removed); `;--` opens a block comment (nestable) up to `--;`;
/// - what is left is stripped of bytes up to 0x20 at both ends; empty lines are skipped;
/// - `[name]` starts a section, with `(options)` after it for templates; text after `]` that
///   is not `(` is ignored;
/// - other lines are `key=value`, split at the first `=`, key and value stripped again;
///   `key=>value` is the object form (the `>` is not part of the value) and `key+=value`
///   appends to the key's last value in the section.
///
/// Templates are not resolved.
///
/// ```
/// use ringforge::manifest::read::dpma_sections;
/// let s = dpma_sections("; tones\n[a]\ntype=ringtone\nalias=Bee\\; x ; note\n")?;
/// assert_eq!((s[0].name.as_str(), s[0].get("alias")), ("a", Some("Bee; x")));
/// # Ok::<(), ringforge::manifest::read::ReadError>(())
/// ```
///
/// # Errors
///
/// A [`ReadError`] with the line for what Asterisk would refuse or misread: a header without
/// its `]` or `)`, a section name over 79 bytes, a line without `=`, a value outside any
/// section, a line of 8191 bytes or more, `--;` outside a block comment, a block comment left
/// open, and `#include` / `#exec` directives (not followed).
pub fn dpma_sections(text: &str) -> Result<Vec<Section>, ReadError> {
    let mut sections: Vec<Section> = Vec::new();
    let mut depth = 0usize;
    let mut opened_at = 0;
    for (n, raw) in text.split('\n').enumerate() {
        let lineno = n + 1;
        let err = |kind| ReadError::on_line(lineno, kind);
        if raw.len() >= MAX_LINE_BYTES {
            return Err(err(ReadErrorKind::Unsupported(format!(
                "the line is {} bytes long; Asterisk reads at most {} bytes of a line",
                raw.len(),
                MAX_LINE_BYTES - 1
            ))));
        }
        let before = depth;
        let line = strip_comments(raw, &mut depth).map_err(err)?;
        if before == 0 && depth > 0 {
            opened_at = lineno;
        }
        let line = strip(&line);
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            sections.push(header(rest, lineno)?);
        } else if line.starts_with('#') {
            return Err(err(ReadErrorKind::Unsupported(format!(
                "directive {line:?}: #include and #exec are not followed here"
            ))));
        } else {
            let (key, value) = line.split_once('=').ok_or_else(|| {
                err(ReadErrorKind::Syntax(format!(
                    "expected key=value or [section], found {line:?}"
                )))
            })?;
            let section = sections
                .last_mut()
                .ok_or_else(|| err(ReadErrorKind::Syntax("key=value outside a section".into())))?;
            let value = strip(value.strip_prefix('>').unwrap_or(value));
            match key.strip_suffix('+') {
                Some(key) => {
                    let key = strip(key);
                    match section.values.iter_mut().rev().find(|(k, _)| k == key) {
                        Some((_, v)) => v.push_str(value),
                        None => section.values.push((key.to_string(), value.to_string())),
                    }
                }
                None => section
                    .values
                    .push((strip(key).to_string(), value.to_string())),
            }
        }
    }
    if depth > 0 {
        return Err(ReadError::on_line(
            opened_at,
            ReadErrorKind::Syntax("a block comment `;--` is never closed with `--;`".into()),
        ));
    }
    Ok(sections)
}

/// Asterisk's `ast_strip`: whitespace is every byte up to 0x20.
fn strip(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// The part of `raw` outside comments, with `\;` turned into `;`; `depth` is the block comment
/// nesting carried from line to line.
fn strip_comments(raw: &str, depth: &mut usize) -> Result<String, ReadErrorKind> {
    let b = raw.as_bytes();
    let mut kept: Vec<u8> = Vec::with_capacity(b.len());
    // `from`: where the scan for the next `;` starts (Asterisk's `new_buf`).
    let mut from = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b';' {
            if *depth == 0 {
                kept.push(b[i]);
            }
            i += 1;
            continue;
        }
        if i > from && b[i - 1] == b'\\' {
            // Escaped: the backslash goes, the `;` stays.
            if *depth == 0 {
                kept.pop();
                kept.push(b';');
            }
            i += 1;
            from = i;
        } else if b.get(i + 1) == Some(&b'-')
            && b.get(i + 2) == Some(&b'-')
            && b.get(i + 3) != Some(&b'-')
        {
            *depth += 1;
            i += 3;
            from = i;
        } else if i >= from + 2 && b[i - 1] == b'-' && b[i - 2] == b'-' {
            if *depth == 0 {
                return Err(ReadErrorKind::Unsupported(
                    "`--;` closes a block comment that was never opened; Asterisk would \
                     ignore the rest of the file"
                        .into(),
                ));
            }
            *depth -= 1;
            i += 1;
            from = i;
        } else if *depth == 0 {
            break;
        } else {
            i += 1;
            from = i;
        }
    }
    Ok(String::from_utf8_lossy(&kept).into_owned())
}

/// A `[name](options)` header, `rest` being what follows the `[`.
fn header(rest: &str, lineno: usize) -> Result<Section, ReadError> {
    let err = |kind| ReadError::on_line(lineno, kind);
    let (name, after) = rest
        .split_once(']')
        .ok_or_else(|| err(ReadErrorKind::Syntax("no closing `]`".into())))?;
    if name.len() > MAX_SECTION_BYTES {
        return Err(err(ReadErrorKind::Unsupported(format!(
            "section name of {} bytes; Asterisk keeps {MAX_SECTION_BYTES}",
            name.len()
        ))));
    }
    let options = match after.strip_prefix('(') {
        Some(o) => Some(
            o.split_once(')')
                .ok_or_else(|| err(ReadErrorKind::Syntax("no closing `)`".into())))?
                .0
                .to_string(),
        ),
        None => None,
    };
    Ok(Section {
        name: name.to_string(),
        options,
        values: Vec::new(),
        line: lineno,
    })
}

/// Reads the DPMA fragment: its `type=ringtone` and `type=alert` sections and the logo
/// template (see [`dpma_sections`] for the line rules).
///
/// # Errors
///
/// Those of [`dpma_sections`], and a ringtone without `alias` or `filename`, an alert without
/// `alert_info` or `ring_type` or with an unknown ring type, or a logo key naming no model.
///
/// ```
/// let conf = "[a]\ntype=ringtone\nalias=A\nfilename=a.sln\n\n\
///             [alert-x]\ntype=alert\nalert_info=x\nring_type=visual\nringtone=\n";
/// let read = ringforge::manifest::read::dpma_conf(conf)?;
/// assert_eq!(read.tones[0].id, "a");
/// assert_eq!(read.alerts[0].tone, None);
/// # Ok::<(), ringforge::manifest::read::ReadError>(())
/// ```
pub fn dpma_conf(text: &str) -> Result<DpmaConf, ReadError> {
    let sections = dpma_sections(text)?;
    let mut out = DpmaConf::default();
    for s in &sections {
        let required = |field: &'static str| {
            s.get(field).map(String::from).ok_or_else(|| {
                ReadError::on_line(
                    s.line,
                    ReadErrorKind::MissingField {
                        entry: format!("[{}]", s.name),
                        field,
                    },
                )
            })
        };
        if s.name == LOGO_TEMPLATE {
            out.logos.extend(logos(s)?);
            continue;
        }
        match s.get("type") {
            Some("ringtone") => out.tones.push(ListedTone {
                id: s.name.clone(),
                display: Some(required("alias")?),
                file_name: Some(required("filename")?),
                ..ListedTone::default()
            }),
            Some("alert") => {
                let rt = required("ring_type")?;
                out.alerts.push(ListedAlert {
                    alert_info: required("alert_info")?,
                    tone: non_empty(s.get("ringtone").map(String::from)),
                    ring_type: ring_type(&rt).map_err(|k| ReadError::on_line(s.line, k))?,
                    section: Some(s.name.clone()),
                });
            }
            _ => {}
        }
    }
    out.sections = sections;
    Ok(out)
}

/// The `<model>_logo_file=` keys of the logo template.
fn logos(s: &Section) -> Result<Vec<ListedLogo>, ReadError> {
    let mut out = Vec::new();
    for (key, value) in &s.values {
        let Some(model) = key.strip_suffix("_logo_file") else {
            continue;
        };
        let model = model.parse::<Model>().map_err(|_| {
            ReadError::on_line(
                s.line,
                ReadErrorKind::InvalidValue {
                    field: "<model>_logo_file",
                    value: key.clone(),
                    expected: "a D-series model's key, e.g. d40_logo_file",
                },
            )
        })?;
        out.push(ListedLogo {
            model: Some(model),
            file_name: Some(value.clone()),
            ..ListedLogo::default()
        });
    }
    Ok(out)
}
