//! `ringforge build`: bring a repository's outputs up to date with its `ringforge.toml`.
//!
//! For every tone, a cache key is computed from the source's bytes, the tone's conversion
//! options ([`crate::Options::fingerprint`]) and this crate's version — never from timestamps, so a
//! fresh clone is as up to date as the working copy it was pushed from. A tone is converted
//! only when its key differs from the one recorded in the cache, or its output is missing or no
//! longer holds the bytes that were written; otherwise nothing is decoded. Tones are written
//! atomically, in parallel; outputs of tones that left the configuration (and stray tone files)
//! are removed; the manifests are rendered from the cache and the files, so they are
//! byte-identical whether or not a tone was converted in this run.
//!
//! The cache is [`CACHE_FILE`] in the output folder (see `repo/cache.rs`): commit it with the
//! outputs, so CI knows what was built from what.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::manifest::{ManifestLogo, ManifestTone, DPMA_FILE, JSON_FILE, XML_FILE};
use crate::repo::cache::{as_cached, cache_key, md5_hex, Cache, CacheEntry, CACHE_VERSION};
use crate::repo::config::{Config, ToneConfig};
use crate::{convert_path, id, sln, Error, Report, Warning};

mod logos;

pub use crate::repo::cache::CACHE_FILE;
pub use logos::LogoOutcome;
pub(crate) use logos::{expected_logo_files, is_logo_file, logo_cache_key, LogoCacheEntry};

/// How a build runs.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct BuildOptions {
    /// Worker threads; 0 means one per core. Default: 0.
    pub jobs: usize,
    /// Fail a tone (writing nothing for it) when its conversion raises any warning.
    /// Default: `false`.
    pub strict: bool,
}

/// What a build did with one tone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToneStatus {
    /// Decoded, converted and written.
    Converted,
    /// Source, options, version and output unchanged: nothing decoded.
    UpToDate,
    /// The tone left the configuration (or its file name changed): its old output was deleted.
    Removed,
    /// The tone could not be built; its previous output, if any, was left as it was.
    Failed,
}

impl ToneStatus {
    /// `converted`, `up-to-date`, `removed` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ToneStatus::Converted => "converted",
            ToneStatus::UpToDate => "up-to-date",
            ToneStatus::Removed => "removed",
            ToneStatus::Failed => "failed",
        }
    }
}

/// One tone's outcome.
#[derive(Debug)]
#[non_exhaustive]
pub struct ToneOutcome {
    /// The tone id (for a removed stray file: its file stem).
    pub id: String,
    /// The output file.
    pub file: PathBuf,
    /// The source as written in the configuration; `None` for removed outputs.
    pub source: Option<String>,
    /// What happened.
    pub status: ToneStatus,
    /// Why the tone was converted: `new`, `source or options changed`, `output missing`,
    /// `output modified`.
    pub reason: Option<&'static str>,
    /// MD5 of the output file, when there is one.
    pub md5: Option<String>,
    /// The conversion's warnings (also for up-to-date tones, from the cache).
    pub warnings: Vec<Warning>,
    /// Why the tone failed.
    pub error: Option<Error>,
    /// The conversion report (from the cache for an up-to-date tone); `None` for failed and
    /// removed tones.
    pub report: Option<Report>,
}

/// What a build did with one manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ManifestStatus {
    /// Written with new contents.
    Written,
    /// Already held exactly these contents; not touched.
    Unchanged,
    /// No longer selected in `[output] manifests`; deleted.
    Removed,
}

/// A failure of a build that is not one tone's or one logo's (those are in their outcomes).
/// Its message names the file and what failed.
///
/// ```
/// use ringforge::repo::build::BuildError;
///
/// let e = BuildError::AlertLeftOut { alert_info: "vip".into(), tone: "front-desk".into() };
/// assert_eq!(e.to_string(), r#"alert "vip" left out of the manifests: its tone "front-desk" failed"#);
/// let retry_later = matches!(e, BuildError::NotRemoved { .. } | BuildError::CacheNotWritten(_));
/// assert!(!retry_later);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The output folder could not be created: nothing was built.
    #[error("{}: cannot create the output folder: {source}", path.display())]
    OutputFolder {
        /// The output folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// An output no longer produced (a tone's or logo's file, a deselected manifest) could not
    /// be deleted.
    #[error("{}: cannot remove: {source}", path.display())]
    NotRemoved {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// An alert was left out of the manifests because its tone failed.
    #[error("{}", crate::manifest::left_out_message(alert_info, tone))]
    AlertLeftOut {
        /// The alert's `alert_info`.
        alert_info: String,
        /// The tone that failed.
        tone: String,
    },
    /// The manifests could not be rendered (an invalid set): none was written.
    #[error("manifests not written: {0}")]
    ManifestsNotRendered(#[source] Error),
    /// One manifest could not be written.
    #[error("manifest not written: {source}")]
    ManifestNotWritten {
        /// The manifest.
        path: PathBuf,
        /// Why.
        #[source]
        source: Error,
    },
    /// The build cache could not be written: the next build converts everything again.
    #[error("build cache not written: {0}")]
    CacheNotWritten(#[source] Error),
}

/// Everything a build did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct BuildReport {
    /// Tones in configuration order, then removed outputs.
    pub tones: Vec<ToneOutcome>,
    /// Logos in model order, then removed logo files.
    pub logos: Vec<LogoOutcome>,
    /// The manifests.
    pub manifests: Vec<(PathBuf, ManifestStatus)>,
    /// Failures that are not one tone's or one logo's (output folder, removals, manifests,
    /// cache), in the order they happened.
    pub errors: Vec<BuildError>,
    /// Things worth saying (an unreadable cache was ignored, URLs are relative, …).
    pub notes: Vec<String>,
}

impl BuildReport {
    /// How many tones have `status`.
    pub fn count(&self, status: ToneStatus) -> usize {
        self.tones.iter().filter(|t| t.status == status).count()
    }

    /// Whether everything was built: no tone failed and no other error.
    pub fn is_ok(&self) -> bool {
        self.count(ToneStatus::Failed) == 0
            && self.errors.is_empty()
            && self.logos.iter().all(|l| l.status != ToneStatus::Failed)
    }
}

/// The result of one tone's work in a worker.
struct Built {
    outcome: ToneOutcome,
    entry: Option<CacheEntry>,
    manifest: Option<ManifestTone>,
}

/// Builds everything `config` describes into its output folder. `on_tone` is called (from
/// worker threads) as each tone finishes, for progress display.
pub fn build(
    config: &Config,
    opts: &BuildOptions,
    on_tone: &(dyn Fn(&ToneOutcome) + Sync),
) -> BuildReport {
    let mut report = BuildReport::default();
    let dir = &config.output.dir;
    if let Err(e) = fs::create_dir_all(dir) {
        report.errors.push(BuildError::OutputFolder {
            path: dir.clone(),
            source: e,
        });
        return report;
    }
    let (old_cache, note) = Cache::load(dir);
    report.notes.extend(note);

    let work = |tone: &ToneConfig| {
        let built = build_tone(config, tone, old_cache.tones.get(&tone.id), opts.strict);
        on_tone(&built.outcome);
        built
    };
    let built: Vec<Built> = crate::batch::map_on_workers(opts.jobs, &config.tones, work);

    // The new cache: built tones, and failed tones' old entries (their files are still there).
    let mut cache = Cache {
        version: CACHE_VERSION,
        generator: format!("ringforge {}", env!("CARGO_PKG_VERSION")),
        sound_version: crate::SOUND_VERSION,
        tones: BTreeMap::new(),
        logos: BTreeMap::new(),
    };
    let mut manifest_tones = Vec::new();
    let mut failed_ids = HashSet::new();
    for (tone, b) in config.tones.iter().zip(built) {
        match b.entry {
            Some(e) => {
                cache.tones.insert(tone.id.clone(), e);
            }
            None => {
                failed_ids.insert(tone.id.to_ascii_lowercase());
                if let Some(old) = old_cache.tones.get(&tone.id) {
                    cache.tones.insert(tone.id.clone(), old.clone());
                }
            }
        }
        manifest_tones.extend(b.manifest);
        report.tones.push(b.outcome);
    }

    let manifest_logos = logos::build_logos(config, &old_cache, &mut cache, &mut report);
    remove_stale_outputs(config, &old_cache, &mut cache, &mut report, on_tone);
    logos::remove_stale_logos(config, &mut cache, &mut report);
    write_manifests(
        config,
        manifest_tones,
        manifest_logos,
        &failed_ids,
        &mut report,
    );

    let text = cache.render();
    let cache_path = dir.join(CACHE_FILE);
    if fs::read_to_string(&cache_path).ok().as_deref() != Some(text.as_str()) {
        if let Err(e) = sln::write_atomic(&cache_path, text.as_bytes()) {
            report.errors.push(BuildError::CacheNotWritten(e));
        }
    }
    report
}

fn build_tone(
    config: &Config,
    tone: &ToneConfig,
    cached: Option<&CacheEntry>,
    strict: bool,
) -> Built {
    let out = config.output_path(tone);
    let fail = |error: Error, reason: Option<&'static str>| Built {
        outcome: ToneOutcome {
            id: tone.id.clone(),
            file: out.clone(),
            source: Some(tone.source_in_config.clone()),
            status: ToneStatus::Failed,
            reason,
            md5: None,
            warnings: Vec::new(),
            error: Some(error),
            report: None,
        },
        entry: None,
        manifest: None,
    };
    let key = match cache_key(&tone.source, &tone.options) {
        Ok(k) => k,
        Err(e) => return fail(e, None),
    };

    let reason = match cached {
        None => "new",
        Some(e) if e.key != key || e.file != tone.file_name => "source or options changed",
        Some(e) => match fs::read(&out) {
            Err(_) => "output missing",
            Ok(bytes) if md5_hex(&bytes) != e.md5 || bytes.len() as u64 != e.bytes => {
                "output modified"
            }
            Ok(bytes) => {
                // Up to date: nothing to decode.
                let report = e.report.clone();
                if strict {
                    if let Some(w) = report.warnings.first() {
                        return fail(Error::Strict(w.clone()), None);
                    }
                }
                return match manifest_tone(tone, &bytes, report.clone()) {
                    Ok(m) => Built {
                        outcome: ToneOutcome {
                            id: tone.id.clone(),
                            file: out.clone(),
                            source: Some(tone.source_in_config.clone()),
                            status: ToneStatus::UpToDate,
                            reason: None,
                            md5: Some(e.md5.clone()),
                            warnings: report.warnings.clone(),
                            error: None,
                            report: Some(report),
                        },
                        entry: Some(CacheEntry {
                            source: tone.source_in_config.clone(),
                            ..e.clone()
                        }),
                        manifest: Some(m),
                    },
                    Err(err) => fail(err, None),
                };
            }
        },
    };

    let converted = match convert_path(&tone.source, &tone.options) {
        Ok(t) => t,
        Err(e) => return fail(e, Some(reason)),
    };
    if strict {
        if let Some(w) = converted.report().warnings.first() {
            return fail(Error::Strict(w.clone()), Some(reason));
        }
    }
    let bytes = converted.sln_bytes();
    if let Err(e) = sln::write_atomic(&out, &bytes) {
        return fail(e, Some(reason));
    }
    let report = as_cached(converted.report());
    let md5 = md5_hex(&bytes);
    match manifest_tone(tone, &bytes, report.clone()) {
        Ok(m) => Built {
            outcome: ToneOutcome {
                id: tone.id.clone(),
                file: out,
                source: Some(tone.source_in_config.clone()),
                status: ToneStatus::Converted,
                reason: Some(reason),
                md5: Some(md5.clone()),
                warnings: report.warnings.clone(),
                error: None,
                report: Some(report.clone()),
            },
            entry: Some(CacheEntry {
                file: tone.file_name.clone(),
                source: tone.source_in_config.clone(),
                key,
                md5,
                bytes: bytes.len() as u64,
                report,
            }),
            manifest: Some(m),
        },
        Err(e) => fail(e, Some(reason)),
    }
}

/// The manifest entry of a tone whose file holds `bytes`.
pub(crate) fn manifest_tone(
    tone: &ToneConfig,
    bytes: &[u8],
    report: Report,
) -> crate::Result<ManifestTone> {
    ManifestTone::new(
        tone.id.clone(),
        tone.display.clone(),
        tone.file_name.clone(),
        bytes,
        Some(report),
        Some(tone.source_in_config.clone()),
    )
}

/// Deletes outputs no tone produces any more: files the old cache recorded for tones that left
/// the configuration or changed file name, stray tone files (`*.sln`, `*.sln16`, `*.raw`), and
/// manifests no longer selected. Other files are left for `check` to report.
fn remove_stale_outputs(
    config: &Config,
    old_cache: &Cache,
    cache: &mut Cache,
    report: &mut BuildReport,
    on_tone: &(dyn Fn(&ToneOutcome) + Sync),
) {
    let dir = &config.output.dir;
    let current: HashSet<&str> = config.tones.iter().map(|t| t.file_name.as_str()).collect();
    // file name → id it belonged to
    let mut doomed: BTreeMap<String, String> = BTreeMap::new();
    for (tone_id, e) in &old_cache.tones {
        if !current.contains(e.file.as_str()) && id::validate_file_name(&e.file).is_ok() {
            doomed.insert(e.file.clone(), tone_id.clone());
        }
    }
    // A failed tone's old entry may name a file of the previous extension: keep the cache
    // consistent with what is left on disk.
    cache.tones.retain(|_, e| current.contains(e.file.as_str()));
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_tone_file = Path::new(&name)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| crate::sln::TONE_EXTENSIONS.contains(&e));
            if is_tone_file
                && !name.starts_with('.')
                && !current.contains(name.as_str())
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                let stem = Path::new(&name)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                doomed.entry(name).or_insert(stem);
            }
        }
    }
    for (name, tone_id) in doomed {
        let path = dir.join(&name);
        match fs::remove_file(&path) {
            Ok(()) => {
                let outcome = ToneOutcome {
                    id: tone_id,
                    file: path,
                    source: None,
                    status: ToneStatus::Removed,
                    reason: None,
                    md5: None,
                    warnings: Vec::new(),
                    error: None,
                    report: None,
                };
                on_tone(&outcome);
                report.tones.push(outcome);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => report
                .errors
                .push(BuildError::NotRemoved { path, source: e }),
        }
    }
    let which = config.output.manifests;
    for (selected, name) in [
        (which.xml, XML_FILE),
        (which.dpma, DPMA_FILE),
        (which.json, JSON_FILE),
    ] {
        let path = dir.join(name);
        if !selected && path.is_file() {
            match fs::remove_file(&path) {
                Ok(()) => report.manifests.push((path, ManifestStatus::Removed)),
                Err(e) => report
                    .errors
                    .push(BuildError::NotRemoved { path, source: e }),
            }
        }
    }
}

/// Renders the selected manifests from the built tones and writes those whose contents changed.
/// Alerts whose tone failed are left out, each with an error.
fn write_manifests(
    config: &Config,
    tones: Vec<ManifestTone>,
    logos: Vec<ManifestLogo>,
    failed_ids: &HashSet<String>,
    report: &mut BuildReport,
) {
    let which = config.output.manifests;
    if which == crate::manifest::Which::NONE {
        return;
    }
    let (alerts, left_out) = crate::manifest::split_failed_tones(&config.alerts, |t| {
        failed_ids.contains(&t.to_ascii_lowercase())
    });
    report.errors.extend(
        left_out
            .into_iter()
            .map(|(alert_info, tone)| BuildError::AlertLeftOut { alert_info, tone }),
    );
    let mut set = config.manifest_set(tones, alerts);
    set.logos = logos;
    let rendered = (|| -> crate::Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        if which.xml {
            for l in &set.logos {
                out.push((l.model.xml_file(), set.logo_xml(l.model)?));
            }
        }
        if which.xml {
            out.push((XML_FILE.into(), set.phone_xml()?));
        }
        if which.dpma {
            out.push((DPMA_FILE.into(), set.dpma_conf()?));
        }
        if which.json {
            out.push((JSON_FILE.into(), set.json()?));
        }
        Ok(out)
    })();
    let rendered = match rendered {
        Ok(r) => r,
        Err(e) => {
            report.errors.push(BuildError::ManifestsNotRendered(e));
            return;
        }
    };
    for (name, text) in rendered {
        let path = config.output.dir.join(&name);
        if fs::read(&path).ok().as_deref() == Some(text.as_bytes()) {
            report.manifests.push((path, ManifestStatus::Unchanged));
            continue;
        }
        match sln::write_atomic(&path, text.as_bytes()) {
            Ok(()) => report.manifests.push((path, ManifestStatus::Written)),
            Err(source) => report
                .errors
                .push(BuildError::ManifestNotWritten { path, source }),
        }
    }
    if which.xml && set.url_is_relative() {
        report.notes.push(format!(
            "{XML_FILE} holds relative URLs; phones need absolute ones — set url_prefix in \
             [output], e.g. url_prefix = \"http://YOUR-PBX/digium_phones/\""
        ));
    }
}

/// The files a build leaves in the output folder for `config`: the tones and the selected
/// manifests (the cache aside).
pub(crate) fn expected_files(config: &Config) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = config.tones.iter().map(|t| t.file_name.clone()).collect();
    names.extend(
        config
            .output
            .manifests
            .file_names()
            .into_iter()
            .map(String::from),
    );
    names.extend(expected_logo_files(config));
    names
}
