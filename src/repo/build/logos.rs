//! The logo half of `build`: make each model's logo when its source or options changed, leave
//! it alone otherwise, and remove logos of models that left the configuration.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{BuildError, BuildReport, ToneStatus};
use crate::logo::{self, LogoOptions, LogoWarning, Model};
use crate::manifest::{hex, ManifestLogo};
use crate::repo::cache::{md5_hex, Cache};
use crate::repo::config::{Config, LogoConfig};
use crate::{sln, Error};

/// What the cache records about one model's logo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct LogoCacheEntry {
    /// Output file name.
    pub(crate) file: String,
    /// The source as written in the configuration.
    pub(crate) source: String,
    /// [`logo_cache_key`] of the source and options it was made from.
    pub(crate) key: String,
    /// MD5 of the file written.
    pub(crate) md5: String,
    /// Size of the file written.
    pub(crate) bytes: u64,
}

/// What a build did with one model's logo.
#[derive(Debug)]
#[non_exhaustive]
pub struct LogoOutcome {
    /// The model (for a removed stray file: none).
    pub model: Option<Model>,
    /// The file.
    pub file: PathBuf,
    /// Made, up to date, removed or failed.
    pub status: ToneStatus,
    /// Why it was made: `new`, `source or options changed`, `output missing`, `output modified`.
    pub reason: Option<&'static str>,
    /// Size of the file, when there is one.
    pub bytes: Option<u64>,
    /// What is worth telling (made in this run only).
    pub warnings: Vec<LogoWarning>,
    /// Why it failed.
    pub error: Option<Error>,
}

/// The cache key of a model's logo: SHA-256 (hex) over a format tag, this crate's version, the
/// options' [`LogoOptions::fingerprint`], the model and the source's bytes.
pub(crate) fn logo_cache_key(source: &[u8], opts: &LogoOptions, model: Model) -> String {
    let mut h = Sha256::new();
    h.update(b"ringforge logo cache\0");
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(b"\0");
    h.update(opts.fingerprint());
    h.update(b"\0");
    h.update(model.as_str().as_bytes());
    h.update(b"\0");
    h.update(source);
    hex(&h.finalize())
}

/// Whether `name` is a logo output (`logo-<anything>.png` or `.xml`).
pub(crate) fn is_logo_file(name: &str) -> bool {
    name.starts_with("logo-") && (name.ends_with(".png") || name.ends_with(".xml"))
}

/// The logo files a build leaves for `config`.
pub(crate) fn expected_logo_files(config: &Config) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(l) = &config.logo {
        for m in &l.models {
            out.insert(m.png_file());
            if config.output.manifests.xml {
                out.insert(m.xml_file());
            }
        }
    }
    out
}

fn outcome(model: Model, file: PathBuf, status: ToneStatus) -> LogoOutcome {
    LogoOutcome {
        model: Some(model),
        file,
        status,
        reason: None,
        bytes: None,
        warnings: Vec::new(),
        error: None,
    }
}

/// Makes the logos that need it; records them in `cache` and `report`; returns the logos for
/// the manifests (those whose file is in place).
pub(crate) fn build_logos(
    config: &Config,
    old: &Cache,
    cache: &mut Cache,
    report: &mut BuildReport,
) -> Vec<ManifestLogo> {
    let Some(logo) = &config.logo else {
        return Vec::new();
    };
    let mut manifest = Vec::new();
    let bytes = logo::read_source(&logo.source, &logo.options.limits);
    let mut source: Option<Result<logo::Source, Error>> = None;
    for &model in &logo.models {
        let path = config.output.dir.join(model.png_file());
        let fail = |error: Error, reason| LogoOutcome {
            reason,
            error: Some(error),
            ..outcome(model, path.clone(), ToneStatus::Failed)
        };
        let keep_old = |cache: &mut Cache| {
            if let Some(e) = old.logos.get(model.as_str()) {
                cache.logos.insert(model.as_str().into(), e.clone());
            }
        };
        let bytes = match &bytes {
            Ok(b) => b,
            Err(e) => {
                keep_old(cache);
                report.logos.push(fail(with_path(&logo.source, e), None));
                continue;
            }
        };
        let key = logo_cache_key(bytes, &logo.options, model);
        let reason = match (old.logos.get(model.as_str()), fs::read(&path)) {
            (None, _) => "new",
            (Some(e), _) if e.key != key || e.file != model.png_file() => {
                "source or options changed"
            }
            (Some(_), Err(_)) => "output missing",
            (Some(e), Ok(b)) if md5_hex(&b) != e.md5 || b.len() as u64 != e.bytes => {
                "output modified"
            }
            (Some(e), Ok(b)) => {
                cache.logos.insert(
                    model.as_str().into(),
                    LogoCacheEntry {
                        source: logo.source_in_config.clone(),
                        ..e.clone()
                    },
                );
                manifest.push(ManifestLogo::new(
                    model,
                    &b,
                    Some(logo.source_in_config.clone()),
                ));
                report.logos.push(LogoOutcome {
                    bytes: Some(b.len() as u64),
                    ..outcome(model, path, ToneStatus::UpToDate)
                });
                continue;
            }
        };
        let decoded = source.get_or_insert_with(|| {
            logo::decode(bytes, logo_name(logo), &logo.options.limits).map_err(Error::from)
        });
        let made = match decoded {
            Ok(s) => logo::render(s, model, &logo.options).map_err(Error::from),
            Err(e) => Err(with_path(&logo.source, e)),
        };
        let made = match made.and_then(|l| sln::write_atomic(&path, &l.png).map(|()| l)) {
            Ok(l) => l,
            Err(e) => {
                keep_old(cache);
                report.logos.push(fail(e, Some(reason)));
                continue;
            }
        };
        cache.logos.insert(
            model.as_str().into(),
            LogoCacheEntry {
                file: model.png_file(),
                source: logo.source_in_config.clone(),
                key,
                md5: md5_hex(&made.png),
                bytes: made.png.len() as u64,
            },
        );
        manifest.push(ManifestLogo::new(
            model,
            &made.png,
            Some(logo.source_in_config.clone()),
        ));
        report.logos.push(LogoOutcome {
            reason: Some(reason),
            bytes: Some(made.png.len() as u64),
            warnings: made.warnings,
            ..outcome(model, path, ToneStatus::Converted)
        });
    }
    manifest
}

fn logo_name(logo: &LogoConfig) -> Option<&str> {
    logo.source.file_name().and_then(|n| n.to_str())
}

/// An error about the source, naming it (I/O errors name their path already).
fn with_path(path: &Path, e: &Error) -> Error {
    match e {
        Error::Io { path, source } => {
            Error::io(path, io::Error::new(source.kind(), source.to_string()))
        }
        other => Error::Invalid(format!("{}: {other}", path.display())),
    }
}

/// Removes logo files (`logo-*.png`, `logo-*.xml`) no model of the configuration produces, and
/// drops their cache entries.
pub(crate) fn remove_stale_logos(config: &Config, cache: &mut Cache, report: &mut BuildReport) {
    let expected = expected_logo_files(config);
    let wanted: BTreeSet<String> = config
        .logo
        .iter()
        .flat_map(|l| l.models.iter().map(|m| m.as_str().to_string()))
        .collect();
    cache.logos.retain(|model, _| wanted.contains(model));
    let Ok(entries) = fs::read_dir(&config.output.dir) else {
        return;
    };
    let mut doomed: BTreeMap<String, PathBuf> = BTreeMap::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_logo_file(&name)
            && !expected.contains(&name)
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            doomed.insert(name, entry.path());
        }
    }
    for (name, path) in doomed {
        match fs::remove_file(&path) {
            Ok(()) => {
                let model = name
                    .strip_prefix("logo-")
                    .and_then(|n| n.split('.').next())
                    .and_then(|m| m.parse().ok());
                report.logos.push(LogoOutcome {
                    model,
                    file: path,
                    status: ToneStatus::Removed,
                    reason: None,
                    bytes: None,
                    warnings: Vec::new(),
                    error: None,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => report
                .errors
                .push(BuildError::NotRemoved { path, source: e }),
        }
    }
}
