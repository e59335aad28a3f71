//! The phone XML and the logo fragments, read with quick-xml.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::{non_empty, ring_type, ListedAlert, ListedLogo, ListedTone, ReadError, ReadErrorKind};

/// The phone XML (`ringtones.xml`) read back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PhoneXml {
    /// The built-in tones listed (`type="phone"`): id and display only, in document order.
    pub builtin_tones: Vec<ListedTone>,
    /// The user tones (`type="user"`), in document order.
    pub tones: Vec<ListedTone>,
    /// Every `<alert>`, in document order (each alert of ringforge's is listed twice).
    pub alerts: Vec<ListedAlert>,
}

/// One element's start: its path from the root (`config/ringtones/tones/tone`), its
/// attributes and the byte offset it starts at.
struct Element {
    path: String,
    attrs: Vec<(String, String)>,
    offset: usize,
}

impl Element {
    fn take(&mut self, key: &str) -> Option<String> {
        let i = self.attrs.iter().position(|(k, _)| k == key)?;
        Some(self.attrs.swap_remove(i).1)
    }
}

/// Walks the document, calling `visit` for every element start with its path.
fn walk(
    text: &str,
    mut visit: impl FnMut(Element) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<String> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| {
            let at = reader.error_position() as usize;
            ReadError::at(
                text,
                at,
                ReadErrorKind::Syntax(format!("not well-formed XML: {e}")),
            )
        })?;
        let (start, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::Eof => return Ok(()),
            _ => continue,
        };
        // Where the element starts: its `<` is the last one read (attribute values hold no
        // raw `<`).
        let end = (reader.buffer_position() as usize).min(text.len());
        let offset = text
            .get(..end)
            .and_then(|t| t.rfind('<'))
            .unwrap_or_default();
        let name = start.name().as_ref().to_string();
        let path = if stack.is_empty() {
            name.clone()
        } else {
            format!("{}/{name}", stack.join("/"))
        };
        let attrs = attributes(text, offset, start, &name)?;
        visit(Element {
            path,
            attrs,
            offset,
        })?;
        if !empty {
            stack.push(name);
        }
    }
}

/// The attributes of `start`, values unescaped and normalised as an XML 1.0 parser does.
fn attributes(
    text: &str,
    offset: usize,
    start: &BytesStart<'_>,
    name: &str,
) -> Result<Vec<(String, String)>, ReadError> {
    let bad = |e: String| {
        ReadError::at(
            text,
            offset,
            ReadErrorKind::Syntax(format!("bad attribute in <{name}>: {e}")),
        )
    };
    let mut attrs = Vec::new();
    for a in start.attributes() {
        let a = a.map_err(|e| bad(e.to_string()))?;
        let value = a
            .normalized_value(XmlVersion::Explicit1_0)
            .map_err(|e| bad(e.to_string()))?
            .into_owned();
        attrs.push((a.key.as_ref().to_string(), value));
    }
    Ok(attrs)
}

fn missing(text: &str, offset: usize, entry: &str, field: &'static str) -> ReadError {
    ReadError::at(
        text,
        offset,
        ReadErrorKind::MissingField {
            entry: entry.to_string(),
            field,
        },
    )
}

/// Reads the phone XML: the `<tone>` and `<alert>` elements under `<config><ringtones>`.
///
/// # Errors
///
/// A [`ReadError`] for XML that is not well-formed, a document without `<config>`, a `<tone>`
/// without `id` or `type` (or of a type other than `phone` and `user`), an `<alert>` without
/// `alert_info` or with an unknown `ring_type`.
///
/// ```
/// let xml = r#"<config><ringtones><tones>
///   <tone id="a" display="A &amp; B" type="user" url="http://pbx/a.sln" md5="00"/>
/// </tones><alerts/></ringtones></config>"#;
/// let read = ringforge::manifest::read::phone_xml(xml)?;
/// assert_eq!(read.tones[0].display.as_deref(), Some("A & B"));
/// assert!(read.alerts.is_empty());
/// # Ok::<(), ringforge::manifest::read::ReadError>(())
/// ```
pub fn phone_xml(text: &str) -> Result<PhoneXml, ReadError> {
    let mut out = PhoneXml::default();
    let mut saw_root = false;
    walk(text, |mut e| {
        saw_root |= e.path == "config";
        match e.path.as_str() {
            "config/ringtones/tones/tone" => {
                let id = e
                    .take("id")
                    .ok_or_else(|| missing(text, e.offset, "a <tone>", "id"))?;
                let kind = e
                    .take("type")
                    .ok_or_else(|| missing(text, e.offset, "a <tone>", "type"))?;
                let tone = ListedTone {
                    id,
                    display: e.take("display"),
                    url: e.take("url"),
                    md5: e.take("md5"),
                    ..ListedTone::default()
                };
                match kind.as_str() {
                    "user" => out.tones.push(tone),
                    "phone" => out.builtin_tones.push(tone),
                    _ => {
                        return Err(ReadError::at(
                            text,
                            e.offset,
                            ReadErrorKind::InvalidValue {
                                field: "type",
                                value: kind,
                                expected: "phone or user",
                            },
                        ))
                    }
                }
            }
            "config/ringtones/alerts/alert" => {
                let alert_info = e
                    .take("alert_info")
                    .ok_or_else(|| missing(text, e.offset, "an <alert>", "alert_info"))?;
                let rt = e
                    .take("ring_type")
                    .ok_or_else(|| missing(text, e.offset, "an <alert>", "ring_type"))?;
                out.alerts.push(ListedAlert {
                    alert_info,
                    tone: non_empty(e.take("ringtone_id")),
                    ring_type: ring_type(&rt).map_err(|k| ReadError::at(text, e.offset, k))?,
                    section: None,
                });
            }
            _ => {}
        }
        Ok(())
    })?;
    if !saw_root {
        return Err(ReadError::new(ReadErrorKind::MissingElement(
            "<config> element",
        )));
    }
    Ok(out)
}

/// Reads a logo fragment (`logo-<model>.xml`): the `url` and `md5` of its
/// `<setting id="logo_file">`.
///
/// # Errors
///
/// A [`ReadError`] for XML that is not well-formed or a document without that setting.
///
/// ```
/// let xml = r#"<config><setting id="logo_file" value="user" url="http://pbx/logo-d40.png" md5="ab"/></config>"#;
/// let logo = ringforge::manifest::read::logo_xml(xml)?;
/// assert_eq!(logo.url.as_deref(), Some("http://pbx/logo-d40.png"));
/// assert_eq!(logo.model, None);
/// # Ok::<(), ringforge::manifest::read::ReadError>(())
/// ```
pub fn logo_xml(text: &str) -> Result<ListedLogo, ReadError> {
    let mut found = None;
    walk(text, |mut e| {
        let is_setting = e.path == "setting" || e.path.ends_with("/setting");
        if found.is_none() && is_setting && e.take("id").as_deref() == Some("logo_file") {
            found = Some(ListedLogo {
                url: e.take("url"),
                md5: e.take("md5"),
                ..ListedLogo::default()
            });
        }
        Ok(())
    })?;
    found.ok_or_else(|| {
        ReadError::new(ReadErrorKind::MissingElement(
            "<setting id=\"logo_file\"> element",
        ))
    })
}
