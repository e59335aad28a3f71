//! Provisioning manifests, rendered in memory: the phone XML (`ringtones.xml`), the DPMA
//! `res_digium_phone.conf` fragment and a JSON description for provisioning tools.
//!
//! This module touches neither the disk nor audio: give it the tones' ids, names, file names and
//! bytes (or [`Report`]s), get back strings. Every output is sorted (tones by id, alerts by
//! `alert_info`), ends with a newline and is byte-identical for the same set, whatever order the
//! tones and alerts were given in.
//!
//! ```
//! use ringforge::manifest::{Alert, ManifestSet, ManifestTone};
//!
//! let sln = vec![0u8; 64_000]; // two seconds of 16 kHz mono silence
//! let tone = ManifestTone::new("front-desk", "Front Desk", "front-desk.sln", &sln, None, None)?;
//! let set = ManifestSet {
//!     tones: vec![tone],
//!     alerts: vec!["frontdesk=front-desk".parse::<Alert>()?],
//!     url_prefix: Some("http://pbx.example.com/digium_phones".into()),
//!     ..ManifestSet::default()
//! };
//! let xml = set.phone_xml()?;
//! assert!(xml.contains(r#"url="http://pbx.example.com/digium_phones/front-desk.sln""#));
//! assert!(set.dpma_conf()?.contains("[front-desk]\ntype=ringtone\nalias=Front Desk\n"));
//! assert!(set.json()?.contains(r#""duration_seconds": 2.0"#));
//! # Ok::<(), ringforge::Error>(())
//! ```

pub mod dpma;
mod files;
pub mod json;
mod logo;
pub mod phone_xml;
pub mod read;

pub use files::{Which, DPMA_FILE, JSON_FILE, XML_FILE};
pub use logo::{ManifestLogo, LOGO_TEMPLATE};

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use md5::Md5;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::id::{self, builtin_tone, validate_display, validate_file_name, validate_id};
use crate::{Error, Report, Result};

/// The alerts a manifest can list once some tones failed: those whose tone did not fail
/// (`failed` says, given a tone id), and a message for each alert left out.
///
/// ```
/// use ringforge::manifest::{without_failed_tones, Alert};
/// let alerts = ["vip=front-desk".parse::<Alert>().unwrap(), "x=Techno".parse::<Alert>().unwrap()];
/// let (kept, left_out) = without_failed_tones(&alerts, |tone| tone == "front-desk");
/// assert_eq!(kept.len(), 1);
/// assert!(left_out[0].contains("its tone \"front-desk\" failed"));
/// ```
pub fn without_failed_tones(
    alerts: &[Alert],
    failed: impl Fn(&str) -> bool,
) -> (Vec<Alert>, Vec<String>) {
    let (kept, left_out) = split_failed_tones(alerts, failed);
    let messages = left_out
        .iter()
        .map(|(alert_info, tone)| left_out_message(alert_info, tone))
        .collect();
    (kept, messages)
}

/// [`without_failed_tones`] with the alerts left out as (alert_info, tone).
pub(crate) fn split_failed_tones(
    alerts: &[Alert],
    failed: impl Fn(&str) -> bool,
) -> (Vec<Alert>, Vec<(String, String)>) {
    let mut left_out = Vec::new();
    let kept = alerts
        .iter()
        .filter(|a| match &a.tone {
            Some(t) if failed(t) => {
                left_out.push((a.alert_info.clone(), t.clone()));
                false
            }
            _ => true,
        })
        .cloned()
        .collect();
    (kept, left_out)
}

/// What is said of an alert left out because its tone failed.
pub(crate) fn left_out_message(alert_info: &str, tone: &str) -> String {
    format!("alert {alert_info:?} left out of the manifests: its tone {tone:?} failed")
}

/// Longest `alert_info` accepted, in characters.
pub const MAX_ALERT_INFO_CHARS: usize = 128;

/// One converted tone as the manifests describe it.
///
/// Build it with [`ManifestTone::new`], which validates the id, display name and file name and
/// hashes the bytes; the fields are public to read.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ManifestTone {
    /// The tone's id: XML `id`, DPMA section name (see [`crate::id::validate_id`]).
    pub id: String,
    /// The name the phone shows (see [`crate::id::validate_display`]).
    pub display: String,
    /// The output file's name, e.g. `front-desk.sln` (see [`crate::id::validate_file_name`]).
    pub file_name: String,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// Lowercase hex MD5 of the file's bytes (what the phone checks).
    pub md5: String,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Duration in seconds: `bytes / 32000`.
    pub duration_seconds: f64,
    /// Where the tone came from, as the user named it (relative path or config entry).
    pub source_path: Option<String>,
    /// What the conversion found and did, when the tone was converted in this run.
    pub report: Option<Report>,
}

impl ManifestTone {
    /// Describes a tone whose file holds exactly `sln_bytes`.
    ///
    /// # Errors
    ///
    /// The id, display name or file name is invalid ([`Error::InvalidId`],
    /// [`Error::BuiltinCollision`], [`Error::UnsafeValue`]).
    ///
    /// ```
    /// let t = ringforge::manifest::ManifestTone::new("a", "A", "a.sln", b"", None, None)?;
    /// assert_eq!(t.md5, "d41d8cd98f00b204e9800998ecf8427e");
    /// # Ok::<(), ringforge::Error>(())
    /// ```
    pub fn new(
        id: impl Into<String>,
        display: impl Into<String>,
        file_name: impl Into<String>,
        sln_bytes: &[u8],
        report: Option<Report>,
        source_path: Option<String>,
    ) -> Result<Self> {
        Self::with_digests(
            id,
            display,
            file_name,
            Digests::of(sln_bytes),
            report,
            source_path,
        )
    }

    /// A tone not built yet: its names and source, no file (an empty file's size and digests)
    /// and no report. For checking a set of tones before converting, and for listing a tone
    /// whose file is missing.
    ///
    /// ```
    /// let t = ringforge::manifest::ManifestTone::placeholder("a", "A", "a.sln", "in/a.wav")?;
    /// assert_eq!((t.bytes, t.source_path.as_deref()), (0, Some("in/a.wav")));
    /// # Ok::<(), ringforge::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ManifestTone::new`].
    pub fn placeholder(
        id: impl Into<String>,
        display: impl Into<String>,
        file_name: impl Into<String>,
        source_path: impl Into<String>,
    ) -> Result<Self> {
        Self::new(id, display, file_name, &[], None, Some(source_path.into()))
    }

    /// Like [`ManifestTone::new`], for a file whose size and digests were computed already
    /// (for example by the worker that wrote it), so the bytes need not be kept.
    ///
    /// # Errors
    ///
    /// As [`ManifestTone::new`].
    pub fn with_digests(
        id: impl Into<String>,
        display: impl Into<String>,
        file_name: impl Into<String>,
        digests: Digests,
        report: Option<Report>,
        source_path: Option<String>,
    ) -> Result<Self> {
        let tone = ManifestTone {
            id: id.into(),
            display: display.into(),
            file_name: file_name.into(),
            bytes: digests.bytes,
            md5: digests.md5,
            sha256: digests.sha256,
            duration_seconds: digests.bytes as f64 / crate::sln::BYTES_PER_SECOND as f64,
            source_path,
            report,
        };
        tone.check()?;
        Ok(tone)
    }

    fn check(&self) -> Result<()> {
        validate_id(&self.id)?;
        validate_display(&self.display)?;
        validate_file_name(&self.file_name)
    }

    /// The tone, described for a person in error messages.
    fn describe(&self) -> String {
        match &self.source_path {
            Some(p) => format!("tone `{}` (from {p})", self.id),
            None => format!("tone `{}` ({})", self.id, self.file_name),
        }
    }
}

/// Size and digests of a tone file: what the manifests say about its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digests {
    /// Size in bytes.
    pub bytes: u64,
    /// Lowercase hex MD5.
    pub md5: String,
    /// Lowercase hex SHA-256.
    pub sha256: String,
}

impl Digests {
    /// Measures `bytes`.
    ///
    /// ```
    /// let d = ringforge::manifest::Digests::of(b"");
    /// assert_eq!(d.md5, "d41d8cd98f00b204e9800998ecf8427e");
    /// assert_eq!(d.bytes, 0);
    /// ```
    pub fn of(bytes: &[u8]) -> Digests {
        Digests {
            bytes: bytes.len() as u64,
            md5: hex(&Md5::digest(bytes)),
            sha256: hex(&Sha256::digest(bytes)),
        }
    }
}

/// Lowercase hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// What the phone does when an alert matches an incoming call.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum RingType {
    /// Ring and wait for an answer (`normal`). The default.
    #[default]
    Normal,
    /// Answer automatically on the speaker (`answer`).
    Answer,
    /// Ring briefly, then answer automatically (`ring-answer`).
    RingAnswer,
    /// Show the call without a sound (`visual`).
    Visual,
}

impl RingType {
    /// Every ring type, in the order the vendor documents them.
    pub const ALL: [RingType; 4] = [
        RingType::Normal,
        RingType::Answer,
        RingType::RingAnswer,
        RingType::Visual,
    ];

    /// The name the phone XML and the DPMA use: `normal`, `answer`, `ring-answer`, `visual`.
    pub fn as_str(self) -> &'static str {
        match self {
            RingType::Normal => "normal",
            RingType::Answer => "answer",
            RingType::RingAnswer => "ring-answer",
            RingType::Visual => "visual",
        }
    }

    /// Whether an alert of this type plays a tone (and so must name one).
    pub fn needs_tone(self) -> bool {
        matches!(self, RingType::Normal | RingType::RingAnswer)
    }
}

impl fmt::Display for RingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RingType {
    type Err = Error;

    /// Parses `normal`, `answer`, `ring-answer` or `visual`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self> {
        RingType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::InvalidRingType {
                value: s.to_string(),
            })
    }
}

/// A distinctive ring: calls whose `Alert-Info` header matches `alert_info` ring with `tone`.
///
/// Build it with [`Alert::new`] or [`str::parse`] (`INFO=TONE[:RING_TYPE]`); the fields are public to read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Alert {
    /// The value matched against the incoming call's `Alert-Info` header, e.g. `frontdesk`
    /// for `Alert-Info: <frontdesk>`.
    pub alert_info: String,
    /// The tone to play: a tone id or a built-in tone. `None` only for
    /// [`RingType::Answer`] and [`RingType::Visual`].
    pub tone: Option<String>,
    /// What the phone does.
    pub ring_type: RingType,
}

impl Alert {
    /// Makes an alert; an empty `tone` counts as none.
    ///
    /// Whether the tone exists is checked by [`ManifestSet::validate`], which knows the tones.
    ///
    /// # Errors
    ///
    /// [`Error::UnsafeValue`] for an empty or unsafe `alert_info` (control characters, leading
    /// or trailing whitespace, over [`MAX_ALERT_INFO_CHARS`]); [`Error::InvalidAlert`] when a
    /// ring type that plays a tone has none.
    pub fn new(
        alert_info: impl Into<String>,
        tone: Option<String>,
        ring_type: RingType,
    ) -> Result<Self> {
        let alert = Alert {
            alert_info: alert_info.into(),
            tone: tone.filter(|t| !t.is_empty()),
            ring_type,
        };
        alert.check()?;
        Ok(alert)
    }

    fn check(&self) -> Result<()> {
        id::validate_text("alert_info", &self.alert_info, MAX_ALERT_INFO_CHARS)?;
        if self.tone.is_none() && self.ring_type.needs_tone() {
            return Err(Error::InvalidAlert {
                spec: self.alert_info.clone(),
                reason: format!(
                    "ring type {} plays a tone but none is given — name a tone \
                     (INFO=TONE[:RING_TYPE]) or use answer or visual",
                    self.ring_type
                ),
            });
        }
        Ok(())
    }

    /// The second form DPMA-generated configs list each alert under:
    /// `<http://127.0.0.1>;info=VALUE`.
    pub fn dpma_alert_info(&self) -> String {
        dpma_form(&self.alert_info)
    }
}

/// Parses `INFO=TONE[:RING_TYPE]`, the form of `--alert` and of the bindings' `alerts`, e.g.
/// `frontdesk=front-desk`, `vip=Techno:ring-answer`, `page=:answer`.
///
/// The split is at the last `=`, so `INFO` may itself hold `=` and `:`. `TONE` may be empty
/// only for `answer` and `visual`; `RING_TYPE` defaults to `normal`.
///
/// # Errors
///
/// [`Error::InvalidAlert`] for a malformed spec, [`Error::InvalidRingType`] for an unknown
/// ring type, and the errors of [`Alert::new`].
///
/// ```
/// use ringforge::manifest::{Alert, RingType};
/// let a: Alert = "page=:answer".parse()?;
/// assert_eq!((a.alert_info.as_str(), a.tone, a.ring_type), ("page", None, RingType::Answer));
/// assert!("vip=Techno:loud".parse::<Alert>().is_err());
/// # Ok::<(), ringforge::Error>(())
/// ```
impl std::str::FromStr for Alert {
    type Err = Error;

    fn from_str(s: &str) -> Result<Alert> {
        let invalid = |reason: &str| Error::InvalidAlert {
            spec: s.to_string(),
            reason: reason.to_string(),
        };
        let (info, rest) = s.rsplit_once('=').ok_or_else(|| {
            invalid("expected INFO=TONE[:RING_TYPE], e.g. frontdesk=front-desk:normal")
        })?;
        if info.is_empty() {
            return Err(invalid(
                "the alert_info before `=` is empty — give the value the dialplan sends in \
                 Alert-Info",
            ));
        }
        let (tone, ring_type) = match rest.split_once(':') {
            Some((tone, rt)) => (tone, rt.parse::<RingType>()?),
            None => (rest, RingType::Normal),
        };
        let tone = (!tone.is_empty()).then(|| tone.to_string());
        Alert::new(info, tone, ring_type).map_err(|e| match e {
            Error::InvalidAlert { reason, .. } => Error::InvalidAlert {
                spec: s.to_string(),
                reason,
            },
            other => other,
        })
    }
}

fn dpma_form(alert_info: &str) -> String {
    format!("<http://127.0.0.1>;info={alert_info}")
}

/// Everything the manifests describe: tones, alerts and where the phones fetch the files.
///
/// [`ManifestSet::validate`] checks the set as a whole; each renderer validates first, so a
/// manifest is never produced from an inconsistent set.
#[derive(Clone, Debug, PartialEq)]
pub struct ManifestSet {
    /// The converted tones, in any order.
    pub tones: Vec<ManifestTone>,
    /// The distinctive-ring alerts, in any order.
    pub alerts: Vec<Alert>,
    /// Where the phones fetch the files, e.g. `http://pbx.example.com/digium_phones/` (the
    /// DPMA's `file_url_prefix`). Used verbatim, with a `/` added when it lacks one. `None`
    /// (the default) writes bare file names as URLs: see [`ManifestSet::url_is_relative`].
    pub url_prefix: Option<String>,
    /// Whether the phone XML lists the firmware's built-in tones (`type="phone"`) before the
    /// user tones. Default `true`. Alerts may name built-ins either way.
    pub builtin_tones: bool,
    /// The idle-screen logos, at most one per model, in any order: each gets its own phone XML
    /// fragment ([`ManifestSet::logo_xml`]), a key in the DPMA template [`LOGO_TEMPLATE`] and
    /// an entry in the JSON `logos` array. Default: none.
    pub logos: Vec<ManifestLogo>,
}

impl Default for ManifestSet {
    fn default() -> Self {
        ManifestSet {
            tones: Vec::new(),
            alerts: Vec::new(),
            url_prefix: None,
            builtin_tones: true,
            logos: Vec::new(),
        }
    }
}

/// An alert after validation: its tone resolved to a canonical id.
#[derive(Debug)]
pub(crate) struct ResolvedAlert<'a> {
    pub(crate) alert_info: &'a str,
    pub(crate) tone: Option<&'a str>,
    pub(crate) ring_type: RingType,
}

/// A validated set, sorted for rendering.
#[derive(Debug)]
pub(crate) struct Prepared<'a> {
    pub(crate) tones: Vec<&'a ManifestTone>,
    pub(crate) alerts: Vec<ResolvedAlert<'a>>,
    pub(crate) url_prefix: Option<String>,
    pub(crate) builtin_tones: bool,
    pub(crate) logos: Vec<&'a ManifestLogo>,
}

impl Prepared<'_> {
    pub(crate) fn url_for(&self, file_name: &str) -> String {
        match &self.url_prefix {
            Some(p) => format!("{p}{file_name}"),
            None => file_name.to_string(),
        }
    }
}

impl ManifestSet {
    /// A set of tones with no alerts, no URL prefix and the built-in tones listed.
    pub fn new(tones: Vec<ManifestTone>) -> Self {
        ManifestSet {
            tones,
            ..ManifestSet::default()
        }
    }

    /// Whether the URLs written into the phone XML are relative: there is no URL prefix, or it
    /// has no scheme (`http://…`). Phones need absolute URLs, so a caller should tell the user
    /// to pass one (`--url-prefix http://pbx/digium_phones/`).
    ///
    /// ```
    /// let mut set = ringforge::manifest::ManifestSet::default();
    /// assert!(set.url_is_relative());
    /// set.url_prefix = Some("https://pbx/tones".into());
    /// assert!(!set.url_is_relative());
    /// ```
    pub fn url_is_relative(&self) -> bool {
        !self.url_prefix.as_deref().is_some_and(has_scheme)
    }

    /// The URL the phone XML gives a file: the URL prefix (with a `/` added if it lacks one)
    /// followed by `file_name`, or the bare file name without a prefix.
    pub fn url_for(&self, file_name: &str) -> String {
        match normalized_prefix(self.url_prefix.as_deref()) {
            Some(p) => format!("{p}{file_name}"),
            None => file_name.to_string(),
        }
    }

    /// Checks the set as a whole.
    ///
    /// - every tone's id, display name and file name is valid, and every alert's `alert_info`;
    /// - no two tones share an id or a file name, ignoring ASCII case (DPMA section names are
    ///   case-insensitive, and so are some file systems): [`Error::Duplicate`] naming both;
    /// - no two alerts share an `alert_info`, ignoring ASCII case, in either of the two forms
    ///   the phone XML lists ([`Alert::dpma_alert_info`]);
    /// - every alert's tone is one of the tones or a built-in, matched ignoring case
    ///   ([`Error::UnknownTone`]), and alerts that ring have a tone;
    /// - the URL prefix, when given, is non-empty and holds no whitespace, control
    ///   characters, quotes or angle brackets.
    ///
    /// # Errors
    ///
    /// The first problem found, as above.
    pub fn validate(&self) -> Result<()> {
        self.prepare().map(|_| ())
    }

    /// Validates and sorts the set for the renderers.
    pub(crate) fn prepare(&self) -> Result<Prepared<'_>> {
        let url_prefix = match &self.url_prefix {
            Some(p) => {
                check_url_prefix(p)?;
                normalized_prefix(Some(p))
            }
            None => None,
        };

        let mut by_id: HashMap<String, &ManifestTone> = HashMap::new();
        let mut by_file: HashMap<String, &ManifestTone> = HashMap::new();
        for tone in &self.tones {
            tone.check()?;
            if let Some(prev) = by_id.insert(tone.id.to_ascii_lowercase(), tone) {
                return Err(duplicate("id", &tone.id, prev.describe(), tone.describe()));
            }
            if let Some(prev) = by_file.insert(tone.file_name.to_ascii_lowercase(), tone) {
                return Err(duplicate(
                    "file name",
                    &tone.file_name,
                    prev.describe(),
                    tone.describe(),
                ));
            }
        }
        let mut tones: Vec<&ManifestTone> = self.tones.iter().collect();
        tones.sort_by(|a, b| sort_key(&a.id).cmp(&sort_key(&b.id)));

        let mut alerts = Vec::with_capacity(self.alerts.len());
        let mut seen: HashMap<String, &str> = HashMap::new();
        for alert in &self.alerts {
            alert.check()?;
            for form in [alert.alert_info.clone(), alert.dpma_alert_info()] {
                if let Some(prev) = seen.insert(form.to_ascii_lowercase(), &alert.alert_info) {
                    return Err(Error::Duplicate {
                        what: "alert_info",
                        value: form,
                        first: format!("alert `{prev}`"),
                        second: format!("alert `{}`", alert.alert_info),
                        hint: "give each alert its own alert_info (compared ignoring case)",
                    });
                }
            }
            let tone = match &alert.tone {
                None => None,
                Some(name) => Some(
                    by_id
                        .get(&name.to_ascii_lowercase())
                        .map(|t| t.id.as_str())
                        .or_else(|| builtin_tone(name))
                        .ok_or_else(|| Error::UnknownTone {
                            alert_info: alert.alert_info.clone(),
                            tone: name.clone(),
                        })?,
                ),
            };
            alerts.push(ResolvedAlert {
                alert_info: &alert.alert_info,
                tone,
                ring_type: alert.ring_type,
            });
        }
        alerts.sort_by(|a, b| a.alert_info.cmp(b.alert_info));

        Ok(Prepared {
            tones,
            alerts,
            url_prefix,
            builtin_tones: self.builtin_tones,
            logos: self.sorted_logos()?,
        })
    }

    /// Renders the phone XML (`ringtones.xml`); see [`phone_xml`] for the layout.
    ///
    /// # Errors
    ///
    /// Those of [`ManifestSet::validate`].
    pub fn phone_xml(&self) -> Result<String> {
        phone_xml::render(&self.prepare()?)
    }

    /// Renders the DPMA `res_digium_phone.conf` fragment; see [`dpma`] for the layout and the
    /// escaping rules.
    ///
    /// # Errors
    ///
    /// Those of [`ManifestSet::validate`], plus [`Error::UnsafeValue`] and
    /// [`Error::Duplicate`] for values or section names Asterisk could not read back exactly.
    pub fn dpma_conf(&self) -> Result<String> {
        dpma::render(&self.prepare()?)
    }

    /// Renders the JSON description (`ringtones.json`); see [`json`] for the fields.
    ///
    /// # Errors
    ///
    /// Those of [`ManifestSet::validate`].
    pub fn json(&self) -> Result<String> {
        json::render(&self.prepare()?)
    }
}

/// Sort key for ids: case-insensitive first, exact as a tie-break (ids are unique ignoring
/// case, so the tie-break only matters for sets that fail validation).
fn sort_key(id: &str) -> (String, &str) {
    (id.to_ascii_lowercase(), id)
}

fn duplicate(what: &'static str, value: &str, first: String, second: String) -> Error {
    Error::Duplicate {
        what,
        value: value.to_string(),
        first,
        second,
        hint: "rename one of the sources or give it another id (compared ignoring case)",
    }
}

fn has_scheme(url: &str) -> bool {
    match url.split_once("://") {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

fn normalized_prefix(prefix: Option<&str>) -> Option<String> {
    prefix.map(|p| {
        if p.ends_with('/') {
            p.to_string()
        } else {
            format!("{p}/")
        }
    })
}

fn check_url_prefix(p: &str) -> Result<()> {
    let unsafe_value = |reason: &str| Error::UnsafeValue {
        field: "url prefix",
        value: p.to_string(),
        reason: reason.to_string(),
    };
    if p.is_empty() {
        return Err(unsafe_value(
            "is empty — omit it or give the folder URL the phones fetch from, \
             e.g. http://pbx.example.com/digium_phones/",
        ));
    }
    if p.chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'))
    {
        return Err(unsafe_value(
            "contains whitespace, a control character, a quote or an angle bracket \
             — percent-encode them (a space is %20)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(id: &str, file: &str) -> ManifestTone {
        ManifestTone::new(id, "Name", file, b"\x01\x00", None, None).unwrap()
    }

    #[test]
    fn hashes_match_known_vectors() {
        let t = ManifestTone::new("a", "A", "a.sln", b"abc", None, None).unwrap();
        assert_eq!(t.md5, "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            t.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let e = ManifestTone::new("a", "A", "a.sln", b"", None, None).unwrap();
        assert_eq!(e.md5, "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            e.sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(e.bytes, 0);
        assert_eq!(e.duration_seconds, 0.0);
    }

    #[test]
    fn duration_is_bytes_over_32000() {
        let t = ManifestTone::new("a", "A", "a.sln", &[0; 48_000], None, None).unwrap();
        assert_eq!(t.bytes, 48_000);
        assert_eq!(t.duration_seconds, 1.5);
    }

    #[test]
    fn tone_constructor_validates() {
        assert!(ManifestTone::new("digium", "D", "d.sln", b"", None, None).is_err());
        assert!(ManifestTone::new("a b", "D", "d.sln", b"", None, None).is_err());
        assert!(ManifestTone::new("a", "", "d.sln", b"", None, None).is_err());
        assert!(ManifestTone::new("a", "x\ny", "d.sln", b"", None, None).is_err());
        assert!(ManifestTone::new("a", "A", "../d.sln", b"", None, None).is_err());
    }

    #[test]
    fn ring_types_parse() {
        for t in RingType::ALL {
            assert_eq!(t.as_str().parse::<RingType>().unwrap(), t);
            assert_eq!(t.to_string(), t.as_str());
        }
        assert_eq!(
            "Ring-Answer".parse::<RingType>().unwrap(),
            RingType::RingAnswer
        );
        let msg = "loud".parse::<RingType>().unwrap_err().to_string();
        assert!(msg.contains("normal, answer, ring-answer, visual"), "{msg}");
    }

    #[test]
    fn alert_cli_forms() {
        let a = "frontdesk=front-desk".parse::<Alert>().unwrap();
        assert_eq!(a.alert_info, "frontdesk");
        assert_eq!(a.tone.as_deref(), Some("front-desk"));
        assert_eq!(a.ring_type, RingType::Normal);
        let a = "vip=Techno:ring-answer".parse::<Alert>().unwrap();
        assert_eq!(a.ring_type, RingType::RingAnswer);
        let a = "a=b=c:visual".parse::<Alert>().unwrap();
        assert_eq!(
            (a.alert_info.as_str(), a.tone.as_deref()),
            ("a=b", Some("c"))
        );
        let a = "x:y=tone".parse::<Alert>().unwrap();
        assert_eq!(a.alert_info, "x:y");
        assert!("page=:answer".parse::<Alert>().unwrap().tone.is_none());
        assert!("quiet=:visual".parse::<Alert>().unwrap().tone.is_none());

        for bad in [
            "nothing",
            "=tone",
            "page=",
            "page=:normal",
            "page=:ring-answer",
        ] {
            assert!(
                matches!(bad.parse::<Alert>(), Err(Error::InvalidAlert { .. })),
                "{bad:?}"
            );
        }
        assert!(matches!(
            "x=t:loud".parse::<Alert>(),
            Err(Error::InvalidRingType { .. })
        ));
        assert!(matches!(
            " x=t".parse::<Alert>(),
            Err(Error::UnsafeValue { .. })
        ));
        let msg = "page=".parse::<Alert>().unwrap_err().to_string();
        assert!(
            msg.contains("page=") && msg.contains("answer or visual"),
            "{msg}"
        );
    }

    #[test]
    fn duplicates_name_both() {
        let mut a = tone("front-desk", "a.sln");
        a.source_path = Some("Office/Front Desk.mp3".into());
        let mut b = tone("Front-Desk", "b.sln");
        b.source_path = Some("front desk.wav".into());
        let err = ManifestSet::new(vec![a, b]).validate().unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::Duplicate { what: "id", .. }));
        assert!(
            msg.contains("Office/Front Desk.mp3") && msg.contains("front desk.wav"),
            "{msg}"
        );

        let err = ManifestSet::new(vec![tone("a", "x.sln"), tone("b", "X.SLN")])
            .validate()
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Duplicate {
                    what: "file name",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("`a`") && err.to_string().contains("`b`"));
    }

    #[test]
    fn alert_checks() {
        let set = |alerts: Vec<Alert>| ManifestSet {
            tones: vec![tone("front-desk", "front-desk.sln")],
            alerts,
            ..ManifestSet::default()
        };
        let p = |s: &str| s.parse::<Alert>().unwrap();
        assert!(set(vec![p("a=front-desk"), p("b=digium"), p("c=:visual")])
            .validate()
            .is_ok());
        let s = set(vec![p("a=FRONT-DESK"), p("b=guitarstrum")]);
        let prepared = s.prepare().unwrap();
        assert_eq!(prepared.alerts[0].tone, Some("front-desk"));
        assert_eq!(prepared.alerts[1].tone, Some("GuitarStrum"));

        let err = set(vec![p("a=nope")]).validate().unwrap_err();
        assert!(matches!(err, Error::UnknownTone { .. }));
        assert!(err.to_string().contains("Alarm, Chimes"), "{err}");

        let err = set(vec![p("a=front-desk"), p("A=digium")])
            .validate()
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Duplicate {
                    what: "alert_info",
                    ..
                }
            ),
            "{err}"
        );
        let err = set(vec![
            p("x=front-desk"),
            p("<http://127.0.0.1>;info=x=digium"),
        ])
        .validate()
        .unwrap_err();
        assert!(matches!(err, Error::Duplicate { .. }), "{err}");
    }

    #[test]
    fn url_prefix_rules() {
        let mut s = ManifestSet::new(vec![tone("a", "a.sln")]);
        assert!(s.url_is_relative());
        assert_eq!(s.url_for("a.sln"), "a.sln");
        s.url_prefix = Some("http://pbx/tones".into());
        assert_eq!(s.url_for("a.sln"), "http://pbx/tones/a.sln");
        assert!(!s.url_is_relative());
        s.url_prefix = Some("https://pbx:8443/x/".into());
        assert_eq!(s.url_for("a.sln"), "https://pbx:8443/x/a.sln");
        s.url_prefix = Some("/digium_phones/".into());
        assert!(s.url_is_relative());
        assert!(s.validate().is_ok());
        for bad in ["", "http://pbx/my tones/", "http://x/\"", "http://x/\n"] {
            s.url_prefix = Some(bad.into());
            assert!(
                matches!(s.validate(), Err(Error::UnsafeValue { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0x00, 0xab, 0xff, 0x10]), "00abff10");
    }
}
