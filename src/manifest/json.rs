//! The JSON description (`ringtones.json`): everything a provisioning tool needs about each tone,
//! in one pretty-printed document with stable field names.
//!
//! Top level:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `version` | integer | format version of this document, currently `1`; bumped only on incompatible changes |
//! | `generator` | string | `"ringforge <version>"` |
//! | `sound_version` | integer | the [`crate::SOUND_VERSION`] that made the files: the same source and options give the same bytes under the same sound version, on any machine |
//! | `url_prefix` | string or null | the URL prefix the `url`s were built from, with its trailing `/`; null when none was given (then `url` is the bare file name) |
//! | `tones` | array | one object per tone, sorted by `id` (ignoring case) |
//! | `alerts` | array | one object per alert, sorted by `alert_info` |
//! | `logos` | array | present only when logos were written: one object per model, sorted by model — `model` (`d40` …), `file`, `url`, `width`, `height`, `bytes`, `md5`, `sha256`, `source` (the image as the user named it, or null) |
//!
//! Each tone:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `id` | string | tone id: phone XML `id`, DPMA section name |
//! | `display` | string | name shown on the phone |
//! | `file` | string | file name, e.g. `front-desk.sln` |
//! | `url` | string | `url_prefix` + `file` (or `file` alone) |
//! | `bytes` | integer | file size in bytes |
//! | `duration_seconds` | number | `bytes / 32000` |
//! | `md5` | string | lowercase hex MD5 of the file (what the phone checks) |
//! | `sha256` | string | lowercase hex SHA-256 of the file |
//! | `source` | object | where the tone came from (below) |
//! | `peak_dbfs` | number or null | output sample peak in dBFS; null for digital silence or when not converted in this run |
//! | `loudness_lufs` | number or null | integrated loudness (EBU R128) in LUFS, when measured |
//! | `true_peak_dbtp` | number or null | true peak in dBTP, when measured |
//! | `warnings` | array of strings | the conversion's warnings, as messages for people; empty when none or not converted in this run |
//!
//! `source` (every field null when unknown, e.g. the tone was not converted in this run):
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `path` | string or null | the source as the user named it (relative path or config entry) |
//! | `container` | string or null | container format (`wave`, `mp3`, `flac`, `ogg`, `isomp4`, …) |
//! | `codec` | string or null | codec (`pcm_s16le`, `mp3`, `flac`, `vorbis`, `aac`, …) |
//! | `sample_rate` | integer or null | source sample rate in Hz |
//! | `channels` | integer or null | source channel count |
//! | `bits_per_sample` | integer or null | bits per decoded sample, for codecs that have one |
//!
//! Each alert:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `alert_info` | string | the value matched against the call's `Alert-Info` header |
//! | `ringtone_id` | string or null | the tone played: a tone `id` or a built-in id such as `Digium`; null for `answer`/`visual` alerts without one |
//! | `ring_type` | string | `normal`, `answer`, `ring-answer` or `visual` |
//!
//! Numbers that are not finite are written as null. Field order is fixed as above, and the
//! document ends with a newline.

use serde::Serialize;

use super::{Prepared, RingType};
use crate::{Error, Result};

/// Format version written in `version`.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    generator: String,
    sound_version: u32,
    url_prefix: Option<&'a str>,
    tones: Vec<Tone<'a>>,
    alerts: Vec<AlertEntry<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logos: Vec<super::logo::JsonLogo<'a>>,
}

#[derive(Serialize)]
struct Tone<'a> {
    id: &'a str,
    display: &'a str,
    file: &'a str,
    url: String,
    bytes: u64,
    duration_seconds: Option<f64>,
    md5: &'a str,
    sha256: &'a str,
    source: Source<'a>,
    peak_dbfs: Option<f64>,
    loudness_lufs: Option<f64>,
    true_peak_dbtp: Option<f64>,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct Source<'a> {
    path: Option<&'a str>,
    container: Option<&'a str>,
    codec: Option<&'a str>,
    sample_rate: Option<u32>,
    channels: Option<u16>,
    bits_per_sample: Option<u32>,
}

#[derive(Serialize)]
struct AlertEntry<'a> {
    alert_info: &'a str,
    ringtone_id: Option<&'a str>,
    ring_type: RingType,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Renders the JSON document for a validated set.
pub(crate) fn render(set: &Prepared<'_>) -> Result<String> {
    let tones = set
        .tones
        .iter()
        .map(|t| {
            let report = t.report.as_ref();
            let info = report.map(|r| &r.source);
            Tone {
                id: &t.id,
                display: &t.display,
                file: &t.file_name,
                url: set.url_for(&t.file_name),
                bytes: t.bytes,
                duration_seconds: finite(t.duration_seconds),
                md5: &t.md5,
                sha256: &t.sha256,
                source: Source {
                    path: t.source_path.as_deref(),
                    container: info.map(|s| s.container.as_str()),
                    codec: info.map(|s| s.codec.as_str()),
                    sample_rate: info.map(|s| s.sample_rate),
                    channels: info.map(|s| s.channels),
                    bits_per_sample: info.and_then(|s| s.bits_per_sample),
                },
                peak_dbfs: report.and_then(|r| finite(r.peak_dbfs)),
                loudness_lufs: report.and_then(|r| r.loudness_lufs).and_then(finite),
                true_peak_dbtp: report.and_then(|r| r.true_peak_dbtp).and_then(finite),
                warnings: report
                    .map(|r| r.warnings.iter().map(ToString::to_string).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let alerts = set
        .alerts
        .iter()
        .map(|a| AlertEntry {
            alert_info: a.alert_info,
            ringtone_id: a.tone,
            ring_type: a.ring_type,
        })
        .collect();
    let doc = Document {
        version: FORMAT_VERSION,
        generator: format!("ringforge {}", env!("CARGO_PKG_VERSION")),
        sound_version: crate::SOUND_VERSION,
        url_prefix: set.url_prefix.as_deref(),
        tones,
        alerts,
        logos: super::logo::json_logos(set.url_prefix.as_deref(), &set.logos),
    };
    let mut out = serde_json::to_string_pretty(&doc)
        .map_err(|e| Error::Invalid(format!("writing the JSON manifest failed: {e}")))?;
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::manifest::{Alert, ManifestSet, ManifestTone};
    use crate::{Report, Warning};

    #[test]
    fn fields_and_nulls() {
        let mut report = Report::default();
        report.source.container = "wave".into();
        report.source.codec = "pcm_s16le".into();
        report.source.sample_rate = 8000;
        report.source.channels = 2;
        report.source.bits_per_sample = Some(16);
        report.peak_dbfs = f64::NEG_INFINITY;
        report.loudness_lufs = Some(f64::NAN);
        report.true_peak_dbtp = Some(-1.5);
        report.warnings = vec![Warning::Upsampled { from: 8000 }];
        let with = ManifestTone::new(
            "b",
            "B",
            "b.sln",
            &[0; 32_000],
            Some(report),
            Some("x/b.wav".into()),
        )
        .unwrap();
        let without = ManifestTone::new("a", "A", "a.sln", b"", None, None).unwrap();
        let set = ManifestSet {
            tones: vec![with, without],
            alerts: vec!["v=:visual".parse::<Alert>().unwrap()],
            ..ManifestSet::default()
        };
        let text = set.json().unwrap();
        assert!(text.ends_with("}\n"));
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(
            v["generator"],
            format!("ringforge {}", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(v["sound_version"], crate::SOUND_VERSION);
        assert!(v["url_prefix"].is_null());
        let a = &v["tones"][0];
        assert_eq!(a["id"], "a");
        assert_eq!(a["url"], "a.sln");
        assert!(a["source"]
            .as_object()
            .unwrap()
            .values()
            .all(Value::is_null));
        assert!(a["peak_dbfs"].is_null());
        assert_eq!(a["warnings"], serde_json::json!([]));
        let b = &v["tones"][1];
        assert_eq!(b["duration_seconds"], 1.0);
        assert_eq!(b["source"]["path"], "x/b.wav");
        assert_eq!(b["source"]["sample_rate"], 8000);
        assert_eq!(b["source"]["bits_per_sample"], 16);
        assert!(b["peak_dbfs"].is_null());
        assert!(b["loudness_lufs"].is_null());
        assert_eq!(b["true_peak_dbtp"], -1.5);
        assert!(b["warnings"][0].as_str().unwrap().contains("8000 Hz"));
        assert_eq!(
            v["alerts"],
            serde_json::json!([{"alert_info": "v", "ringtone_id": null, "ring_type": "visual"}])
        );
        let keys: Vec<_> = b.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 13);
    }
}
