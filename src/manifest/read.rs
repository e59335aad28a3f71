//! Reading the manifests back: the phone XML (`ringtones.xml`), the DPMA fragment
//! (`res_digium_phone.conf`), the JSON description (`ringtones.json`) and the logo fragments
//! (`logo-<model>.xml`), parsed into typed values.
//!
//! Each reader reads its format the way the consumer does: the phone XML with an XML parser
//! (entities unescaped, attribute values normalised as every conforming parser does), the DPMA
//! fragment by the rules of Asterisk's configuration parser (`main/config.c`: comments, `\;`,
//! block comments, whitespace stripping), the JSON with serde. So a value that reads back
//! exactly here is what the phone, Asterisk or a provisioning tool sees. `ringforge check`
//! compares a repository's committed manifests with what it would write through these readers.
//!
//! A malformed manifest is a [`ReadError`]: what is wrong ([`ReadErrorKind`]) and where (line
//! and column). Elements, sections and fields a reader does not know are skipped, as the phone
//! and Asterisk skip them.
//!
//! ```
//! use ringforge::manifest::{read, Alert, ManifestSet, ManifestTone, RingType};
//!
//! let tone = ManifestTone::new("front-desk", "Front & Back", "front-desk.sln", b"\x01\x00", None, None)?;
//! let set = ManifestSet {
//!     tones: vec![tone],
//!     alerts: vec!["frontdesk=front-desk".parse::<Alert>()?],
//!     ..ManifestSet::default()
//! };
//! let xml = read::phone_xml(&set.phone_xml()?)?;
//! assert_eq!(xml.tones[0].display.as_deref(), Some("Front & Back"));
//! assert_eq!(xml.alerts[0].ring_type, RingType::Normal);
//!
//! let conf = read::dpma_conf(&set.dpma_conf()?)?;
//! assert_eq!(conf.tones[0].file_name.as_deref(), Some("front-desk.sln"));
//! assert_eq!(conf.alerts[0].section.as_deref(), Some("alert-frontdesk"));
//!
//! let json = read::json(&set.json()?)?;
//! assert_eq!(json.tones[0].md5, Some(set.tones[0].md5.clone()));
//!
//! let err = read::phone_xml("<config>\n  <ringtones><tones><tone type=\"user\"/>").unwrap_err();
//! assert_eq!(err.line, Some(2));
//! assert!(err.to_string().contains("has no `id`"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod dpma;
mod json;
mod xml;

pub use dpma::{dpma_conf, dpma_sections, DpmaConf, Section};
pub use json::{json, JsonManifest};
pub use xml::{logo_xml, phone_xml, PhoneXml};

use std::fmt;

use super::RingType;
use crate::logo::Model;

/// A tone as a manifest lists it. Which fields a format carries:
///
/// | field | phone XML | DPMA | JSON |
/// |---|---|---|---|
/// | `id` | `id` | section name | `id` |
/// | `display` | `display` | `alias` | `display` |
/// | `file_name` | — | `filename` | `file` |
/// | `url` | `url` | — | `url` |
/// | `bytes`, `sha256`, `source_path` | — | — | `bytes`, `sha256`, `source.path` |
/// | `md5` | `md5` | — | `md5` |
///
/// A field the format carries but the manifest leaves out is `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListedTone {
    /// The tone id.
    pub id: String,
    /// The name the phone shows.
    pub display: Option<String>,
    /// The file name, e.g. `front-desk.sln`.
    pub file_name: Option<String>,
    /// Where the phone fetches the file.
    pub url: Option<String>,
    /// Size of the file in bytes.
    pub bytes: Option<u64>,
    /// Lowercase hex MD5 of the file.
    pub md5: Option<String>,
    /// Lowercase hex SHA-256 of the file.
    pub sha256: Option<String>,
    /// The source as the user named it.
    pub source_path: Option<String>,
}

/// An alert as a manifest lists it. The phone XML lists each alert twice, with the bare
/// `alert_info` and in the form `<http://127.0.0.1>;info=VALUE`; the reader returns every
/// `<alert>` element as it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct ListedAlert {
    /// The value matched against the call's `Alert-Info` header.
    pub alert_info: String,
    /// The tone played; `None` when the manifest leaves it empty.
    pub tone: Option<String>,
    /// What the phone does.
    pub ring_type: RingType,
    /// The DPMA section name (`alert-…`); `None` in the other formats.
    pub section: Option<String>,
}

/// A logo as a manifest lists it: a `<model>_logo_file=` key of the DPMA template, an entry of
/// the JSON `logos` array, or the `<setting id="logo_file">` of a logo XML fragment (which
/// names no model).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListedLogo {
    /// The model; `None` in a logo XML fragment.
    pub model: Option<Model>,
    /// The PNG's file name (DPMA, JSON).
    pub file_name: Option<String>,
    /// Where the phone fetches it (XML, JSON).
    pub url: Option<String>,
    /// Width and height in pixels (JSON).
    pub size: Option<(u32, u32)>,
    /// Size of the file in bytes (JSON).
    pub bytes: Option<u64>,
    /// Lowercase hex MD5 of the file (XML, JSON).
    pub md5: Option<String>,
    /// Lowercase hex SHA-256 of the file (JSON).
    pub sha256: Option<String>,
}

/// Why a manifest could not be read: what is wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadError {
    /// Line (1-based), when the problem has a place.
    pub line: Option<usize>,
    /// Column (1-based, in characters), when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub kind: ReadErrorKind,
}

/// What is wrong with a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The text is not well-formed in its format (XML, JSON, an INI line), or a JSON value has
    /// the wrong type; the parser's message.
    Syntax(String),
    /// An element the format requires is absent, e.g. `<config>` or the JSON `tones` array.
    MissingElement(&'static str),
    /// An entry lacks a field it must have, e.g. a `<tone>` without `id`.
    MissingField {
        /// The entry, e.g. `<tone>` or `[front-desk]`.
        entry: String,
        /// The field, e.g. `id`.
        field: &'static str,
    },
    /// A field's value is not one the format allows, e.g. an unknown `ring_type`.
    InvalidValue {
        /// The field.
        field: &'static str,
        /// The value found.
        value: String,
        /// What the format allows.
        expected: &'static str,
    },
    /// A construct this reader does not follow, e.g. an `#include` directive.
    Unsupported(String),
}

impl ReadError {
    fn new(kind: ReadErrorKind) -> Self {
        ReadError {
            line: None,
            column: None,
            kind,
        }
    }

    fn on_line(line: usize, kind: ReadErrorKind) -> Self {
        ReadError {
            line: Some(line),
            column: None,
            kind,
        }
    }

    /// The error placed at byte `offset` of `text`.
    fn at(text: &str, offset: usize, kind: ReadErrorKind) -> Self {
        let (line, column) = crate::repo::config::line_col(text, offset);
        ReadError {
            line: Some(line),
            column: Some(column),
            kind,
        }
    }
}

impl fmt::Display for ReadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadErrorKind::Syntax(m) => f.write_str(m),
            ReadErrorKind::MissingElement(what) => write!(f, "no {what}"),
            ReadErrorKind::MissingField { entry, field } => write!(f, "{entry} has no `{field}`"),
            ReadErrorKind::InvalidValue {
                field,
                value,
                expected,
            } => write!(f, "`{field}` is {value:?}; expected {expected}"),
            ReadErrorKind::Unsupported(what) => f.write_str(what),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.kind),
            (Some(l), None) => write!(f, "line {l}: {}", self.kind),
            _ => self.kind.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

/// `ring_type` read from a manifest.
fn ring_type(value: &str) -> Result<RingType, ReadErrorKind> {
    value
        .parse::<RingType>()
        .map_err(|_| ReadErrorKind::InvalidValue {
            field: "ring_type",
            value: value.to_string(),
            expected: "normal, answer, ring-answer or visual",
        })
}

/// An empty tone reference is none.
fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}
