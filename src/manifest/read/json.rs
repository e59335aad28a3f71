//! The JSON description, read with serde.

use serde::Deserialize;

use super::{non_empty, ListedAlert, ListedLogo, ListedTone, ReadError, ReadErrorKind};
use crate::logo::Model;
use crate::manifest::RingType;

/// The JSON description (`ringtones.json`) read back: the fields `ringforge check` and a
/// provisioning tool compare (the levels and warnings of each tone are left out).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct JsonManifest {
    /// The document's format version (`version`).
    pub version: u32,
    /// `generator`, e.g. `ringforge 0.1.0`.
    pub generator: Option<String>,
    /// The sound version that made the files; `None` in documents written before it was
    /// recorded (those were all made by sound version 1).
    pub sound_version: Option<u32>,
    /// The URL prefix the URLs were built from.
    pub url_prefix: Option<String>,
    /// The tones, in document order.
    pub tones: Vec<ListedTone>,
    /// The alerts, in document order.
    pub alerts: Vec<ListedAlert>,
    /// The logos, in document order (absent from documents without logos).
    pub logos: Vec<ListedLogo>,
}

#[derive(Deserialize)]
struct Document {
    version: u32,
    generator: Option<String>,
    sound_version: Option<u32>,
    url_prefix: Option<String>,
    tones: Vec<Tone>,
    #[serde(default)]
    alerts: Vec<Alert>,
    #[serde(default)]
    logos: Vec<Logo>,
}

#[derive(Deserialize)]
struct Tone {
    id: String,
    display: Option<String>,
    file: Option<String>,
    url: Option<String>,
    bytes: Option<u64>,
    md5: Option<String>,
    sha256: Option<String>,
    #[serde(default)]
    source: Source,
}

#[derive(Default, Deserialize)]
struct Source {
    path: Option<String>,
}

#[derive(Deserialize)]
struct Alert {
    alert_info: String,
    ringtone_id: Option<String>,
    ring_type: RingType,
}

#[derive(Deserialize)]
struct Logo {
    model: String,
    file: Option<String>,
    url: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    bytes: Option<u64>,
    md5: Option<String>,
    sha256: Option<String>,
}

/// Reads the JSON description.
///
/// # Errors
///
/// A [`ReadError`] at the line and column serde_json reports, for text that is not JSON, a
/// document without `version` or the `tones` array, a tone without `id`, an alert without
/// `alert_info` or with an unknown `ring_type`, a logo of an unknown model, or a value of the
/// wrong type.
///
/// ```
/// let text = r#"{"version": 1, "tones": [{"id": "a", "bytes": 4}], "alerts": []}"#;
/// let read = ringforge::manifest::read::json(text)?;
/// assert_eq!((read.tones[0].id.as_str(), read.tones[0].bytes), ("a", Some(4)));
/// let err = ringforge::manifest::read::json("{\"version\": 1,\n \"tones\": 3}").unwrap_err();
/// assert_eq!(err.line, Some(2));
/// # Ok::<(), ringforge::manifest::read::ReadError>(())
/// ```
pub fn json(text: &str) -> Result<JsonManifest, ReadError> {
    let doc: Document = serde_json::from_str(text).map_err(|e| ReadError {
        line: Some(e.line()).filter(|&l| l > 0),
        column: Some(e.column()).filter(|&c| c > 0),
        kind: ReadErrorKind::Syntax(without_place(&e)),
    })?;
    Ok(JsonManifest {
        version: doc.version,
        generator: doc.generator,
        sound_version: doc.sound_version,
        url_prefix: doc.url_prefix,
        tones: doc.tones.into_iter().map(listed_tone).collect(),
        alerts: doc
            .alerts
            .into_iter()
            .map(|a| ListedAlert {
                alert_info: a.alert_info,
                tone: non_empty(a.ringtone_id),
                ring_type: a.ring_type,
                section: None,
            })
            .collect(),
        logos: doc
            .logos
            .into_iter()
            .map(listed_logo)
            .collect::<Result<_, _>>()?,
    })
}

fn listed_tone(t: Tone) -> ListedTone {
    ListedTone {
        id: t.id,
        display: t.display,
        file_name: t.file,
        url: t.url,
        bytes: t.bytes,
        md5: t.md5,
        sha256: t.sha256,
        source_path: t.source.path,
    }
}

fn listed_logo(l: Logo) -> Result<ListedLogo, ReadError> {
    let model = l.model.parse::<Model>().map_err(|_| {
        ReadError::new(ReadErrorKind::InvalidValue {
            field: "logos[].model",
            value: l.model.clone(),
            expected: "a D-series model, e.g. d40",
        })
    })?;
    Ok(ListedLogo {
        model: Some(model),
        file_name: l.file,
        url: l.url,
        size: l.width.zip(l.height),
        bytes: l.bytes,
        md5: l.md5,
        sha256: l.sha256,
    })
}

/// serde_json's message without its " at line L column C" (the error carries them).
fn without_place(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}
