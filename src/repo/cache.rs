//! The build cache, [`CACHE_FILE`] in the output folder: what each tone and logo was built
//! from, so `build` converts only what changed and `check` can tell a modified file from a
//! stale one.
//!
//! A small, sorted, pretty-printed JSON document without timestamps (commit it with the
//! outputs: CI then knows what was built from what). Per tone it records the output file name,
//! the key ([`cache_key`]), the file's MD5 and size, and the conversion [`Report`] the JSON
//! manifest needs. A cache of another format version is ignored, so every tone is converted.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::Path;

use md5::Md5;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::manifest::hex;
use crate::repo::build::LogoCacheEntry;
use crate::{Error, Options, Report};

/// Name of the build cache in the output folder (hidden; never an orphan).
pub const CACHE_FILE: &str = ".ringforge-cache.json";

/// Format version of [`CACHE_FILE`]; a cache of another version is ignored.
pub(crate) const CACHE_VERSION: u32 = 1;

/// The build cache ([`CACHE_FILE`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Cache {
    pub(crate) version: u32,
    pub(crate) generator: String,
    /// The [`crate::SOUND_VERSION`] that made the files. Caches written before it was recorded
    /// were all made by sound version 1.
    #[serde(default = "first_sound_version")]
    pub(crate) sound_version: u32,
    pub(crate) tones: BTreeMap<String, CacheEntry>,
    /// Logos by model (`d40` …); absent when there are none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) logos: BTreeMap<String, LogoCacheEntry>,
}

fn first_sound_version() -> u32 {
    1
}

/// What the cache records about one built tone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct CacheEntry {
    /// Output file name.
    pub(crate) file: String,
    /// The source as written in the configuration (for people reading the cache).
    pub(crate) source: String,
    /// [`cache_key`] of the source and options it was built from.
    pub(crate) key: String,
    /// MD5 of the file written.
    pub(crate) md5: String,
    /// Size of the file written.
    pub(crate) bytes: u64,
    /// The conversion report.
    pub(crate) report: Report,
}

impl Cache {
    /// Reads the cache in `dir`; a missing cache is empty, an unreadable one or one of another
    /// version is empty with a note.
    pub(crate) fn load(dir: &Path) -> (Cache, Option<String>) {
        let path = dir.join(CACHE_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return (Cache::default(), None),
            Err(e) => {
                return (
                    Cache::default(),
                    Some(format!(
                        "{}: unreadable ({e}); converting every tone",
                        path.display()
                    )),
                )
            }
        };
        match serde_json::from_str::<Cache>(&text) {
            Ok(c) if c.version == CACHE_VERSION => (c, None),
            Ok(c) => (
                Cache::default(),
                Some(format!(
                    "{}: cache format {} is not {CACHE_VERSION}; converting every tone",
                    path.display(),
                    c.version
                )),
            ),
            Err(e) => (
                Cache::default(),
                Some(format!(
                    "{}: not a ringforge cache ({e}); converting every tone",
                    path.display()
                )),
            ),
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("the cache serialises");
        s.push('\n');
        s
    }
}

/// The cache key of a tone: SHA-256 (hex) over a format tag, the [`crate::SOUND_VERSION`], the
/// options' [`Options::fingerprint`], the source's extension (it guides the decoder) and the
/// source's bytes. The crate's own version is left out on purpose: a release that makes the
/// same bytes keeps its sound version, so upgrading converts nothing again.
///
/// # Errors
///
/// Reading the source failed.
pub(crate) fn cache_key(source: &Path, opts: &Options) -> crate::Result<String> {
    let mut h = Sha256::new();
    h.update(b"ringforge build cache\0");
    h.update(crate::SOUND_VERSION.to_le_bytes());
    h.update(opts.fingerprint().to_le_bytes());
    h.update(
        source
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update(b"\0");
    let mut file = fs::File::open(source).map_err(|e| Error::io(source, e))?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(source, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// Lowercase hex MD5 of `bytes`.
pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

/// A report as it reads back from the cache: the manifests are rendered from this form whether
/// the tone was converted now or earlier, so they come out byte-identical either way.
pub(crate) fn as_cached(report: &Report) -> Report {
    serde_json::to_string(report)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| report.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Warning;

    #[test]
    fn reports_survive_the_cache_exactly() {
        let r = Report {
            peak_dbfs: f64::NEG_INFINITY,
            duration_seconds: 0.1 + 0.2,
            loudness_lufs: Some(-23.123_456_789_012_34),
            warnings: vec![
                Warning::DownmixLoss {
                    lost_db: f64::INFINITY,
                },
                Warning::Upsampled { from: 8000 },
                Warning::Silent {
                    peak_dbfs: f64::NEG_INFINITY,
                },
            ],
            ..Report::default()
        };
        let back = as_cached(&r);
        assert_eq!(back.peak_dbfs, f64::NEG_INFINITY);
        assert_eq!(back.duration_seconds, 0.1 + 0.2);
        assert_eq!(back.warnings[0], r.warnings[0]);
        assert_eq!(back.warnings[1], r.warnings[1]);
        assert_eq!(back.warnings[2], r.warnings[2]);
        assert_eq!(as_cached(&back), back);
    }

    #[test]
    fn key_depends_on_bytes_options_and_extension() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.wav");
        fs::write(&a, b"one").unwrap();
        let k1 = cache_key(&a, &Options::default()).unwrap();
        assert_eq!(k1, cache_key(&a, &Options::default()).unwrap());
        let o = Options {
            dither: crate::Dither::None,
            ..Options::default()
        };
        assert_ne!(k1, cache_key(&a, &o).unwrap());
        fs::write(&a, b"two").unwrap();
        assert_ne!(k1, cache_key(&a, &Options::default()).unwrap());
        let b = dir.path().join("a.mp3");
        fs::write(&b, b"one").unwrap();
        assert_ne!(k1, cache_key(&b, &Options::default()).unwrap());
    }
}
