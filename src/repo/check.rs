//! `ringforge check`: is a repository's output folder exactly what `ringforge build` would
//! make of its `ringforge.toml`? For CI; it reads, never writes.
//!
//! What holds when [`check`] finds no [`Problem`]:
//!
//! - every tone's file exists and is valid for the phones ([`crate::sln::validate`], the rule
//!   `ringforge inspect` applies too): non-empty, an even number of bytes, under the size cap,
//!   no container header (WAV, MP3, FLAC, Ogg, AIFF, …), not silent (peak at or above −60 dBFS);
//! - every tone is up to date: its source, converted again in memory with its options, gives
//!   exactly the file's bytes (conversion is deterministic). When it does not, the build cache
//!   tells a file modified after the build ([`ProblemKind::Modified`]) from a source or options
//!   changed since ([`ProblemKind::Stale`]);
//! - every selected manifest exists and agrees with the files (MD5, size, SHA-256) and with the
//!   configuration (ids, display names, file names, URLs, alerts): no tone missing, extra or
//!   renamed; and it is byte-identical to what a build would write;
//! - the output folder holds nothing else (hidden files such as the build cache aside).
//!
//! Tones are checked in parallel.

mod logos;
mod manifests;

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::manifest::{ManifestTone, DPMA_FILE, JSON_FILE, XML_FILE};
use crate::repo::build;
use crate::repo::cache::{as_cached, cache_key, md5_hex, Cache, CacheEntry, CACHE_FILE};
use crate::repo::config::{Config, ToneConfig};
use crate::sln::{self, SlnProblem, TONE_EXTENSIONS};
use crate::{convert_path, Report};

/// The fix for most problems.
pub(crate) const RUN_BUILD: &str = "run `ringforge build` and commit the result";

/// What kind of problem was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// The output folder does not exist.
    NoOutputFolder,
    /// A tone's output file does not exist.
    Missing,
    /// A file could not be read.
    Unreadable,
    /// A tone's file is empty.
    Empty,
    /// A tone's file has an odd number of bytes (truncated or corrupted).
    OddLength,
    /// A tone's file is not under the size cap.
    TooLarge,
    /// A tone's file starts with a container header (WAV, ID3, …): the phone plays it as noise.
    Header,
    /// A tone's file is silent.
    Silent,
    /// A tone's file was changed after the build wrote it.
    Modified,
    /// A tone was built by another [`crate::SOUND_VERSION`] than this ringforge's, and this
    /// ringforge makes other bytes of it: neither the file nor its source changed.
    SoundVersion,
    /// A tone's source or options changed since the build: the file is out of date.
    Stale,
    /// A tone's source no longer converts.
    SourceFailed,
    /// A selected manifest does not exist.
    ManifestMissing,
    /// A manifest cannot be parsed.
    ManifestUnreadable,
    /// A manifest does not list a tone of the configuration.
    ManifestMissingTone,
    /// A manifest lists a tone the configuration does not have.
    ManifestExtraTone,
    /// A manifest lists a tone under an id the configuration no longer uses.
    ManifestRenamedTone,
    /// A manifest's MD5, size or SHA-256 of a tone differs from its file.
    ManifestChecksum,
    /// A manifest's display name, file name or URL of a tone differs from the configuration.
    ManifestField,
    /// A manifest's alerts differ from the configuration.
    ManifestAlerts,
    /// A manifest differs from what a build would write in some other way.
    ManifestOutdated,
    /// A file in the output folder that no tone or manifest accounts for.
    Orphan,
    /// A logo file is not a PNG (or does not decode).
    LogoNotPng,
    /// A logo is not its model's exact size.
    LogoWrongSize,
    /// A logo has an alpha channel or transparency.
    LogoAlpha,
    /// A mono model's logo is not 8-bit greyscale, or a colour model's is not 8-bit RGB/palette.
    LogoColour,
    /// A logo is not under its model's byte limit.
    LogoTooLarge,
}

impl ProblemKind {
    /// The kebab-case name used in JSON.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    }
}

/// One problem: the file it concerns, what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Problem {
    /// The file the problem is in (an output, a manifest, a source).
    pub file: PathBuf,
    /// The tone concerned, when there is one.
    pub tone: Option<String>,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// What is wrong, without the file name.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

impl Problem {
    fn new(
        file: impl Into<PathBuf>,
        tone: Option<&str>,
        kind: ProblemKind,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Problem {
            file: file.into(),
            tone: tone.map(String::from),
            kind,
            message: message.into(),
            fix: fix.into(),
        }
    }
}

/// How a check runs.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct CheckOptions {
    /// Worker threads; 0 means one per core. Default: 0.
    pub jobs: usize,
}

/// What a check found.
#[derive(Clone, Debug, Default, Serialize)]
#[non_exhaustive]
pub struct CheckReport {
    /// Whether everything holds.
    pub ok: bool,
    /// Tones checked.
    pub tones: usize,
    /// Logos checked (one per model of `[logo]`).
    pub logos: usize,
    /// Manifests checked (with the logo fragments).
    pub manifests: usize,
    /// The problems: tones in configuration order, then manifests, then orphans.
    pub problems: Vec<Problem>,
}

/// The kind of problem and the fix in a repository for what [`sln::validate`] finds.
fn sln_problem(p: &SlnProblem) -> (ProblemKind, &'static str) {
    match p {
        SlnProblem::Empty => (ProblemKind::Empty, RUN_BUILD),
        SlnProblem::OddLength { .. } => (ProblemKind::OddLength, RUN_BUILD),
        SlnProblem::TooLarge { .. } => (
            ProblemKind::TooLarge,
            "shorten the source (or its length in ringforge.toml), then run `ringforge build`",
        ),
        SlnProblem::Header { .. } => (ProblemKind::Header, RUN_BUILD),
        SlnProblem::Silent { .. } => (
            ProblemKind::Silent,
            "check the source and its settings in ringforge.toml (start, gain), then run \
             `ringforge build`",
        ),
    }
}

/// Facts about a tone's file, gathered by a worker.
struct ToneChecked {
    problems: Vec<Problem>,
    /// The manifest entry for the file as it is (with the fresh report), when the file exists.
    manifest: Option<ManifestTone>,
    /// Whether the file is valid and up to date.
    clean: bool,
}

/// Checks the repository `config` describes. Never writes.
pub fn check(config: &Config, opts: &CheckOptions) -> CheckReport {
    let logos = config.logo.as_ref().map_or(0, |l| l.models.len());
    let logo_manifests = if config.output.manifests.xml {
        logos
    } else {
        0
    };
    let mut report = CheckReport {
        tones: config.tones.len(),
        logos,
        manifests: config.output.manifests.file_names().len() + logo_manifests,
        ..CheckReport::default()
    };
    let dir = &config.output.dir;
    if !dir.is_dir() {
        report.problems.push(Problem::new(
            dir.clone(),
            None,
            ProblemKind::NoOutputFolder,
            "the output folder does not exist: nothing has been built",
            RUN_BUILD,
        ));
        return report;
    }
    let (cache, _) = Cache::load(dir);

    let built_by = built_sound_version(dir, &cache);
    let work = |tone: &ToneConfig| check_tone(config, tone, cache.tones.get(&tone.id), built_by);
    let checked: Vec<ToneChecked> = crate::batch::map_on_workers(opts.jobs, &config.tones, work);
    let logos = logos::check_logos(config, &cache);
    let all_clean = checked.iter().all(|c| c.clean) && logos.clean;
    report.problems.extend(logos.problems);
    let mut manifest_tones = Vec::new();
    let mut present = HashSet::new();
    for c in checked {
        report.problems.extend(c.problems);
        if let Some(m) = c.manifest {
            present.insert(m.id.clone());
            manifest_tones.push(m);
        }
    }
    // Tones without a file still belong in the expected manifests (with no checksum to compare).
    let mut expected_tones = manifest_tones;
    for t in &config.tones {
        if !present.contains(&t.id) {
            if let Ok(m) = ManifestTone::placeholder(
                t.id.clone(),
                t.display.clone(),
                t.file_name.clone(),
                t.source_in_config.clone(),
            ) {
                expected_tones.push(m);
            }
        }
    }
    let mut set = config.manifest_set(expected_tones, config.alerts.clone());
    set.logos = logos.manifest;
    let which = config.output.manifests;
    for (selected, name) in [
        (which.xml, XML_FILE),
        (which.dpma, DPMA_FILE),
        (which.json, JSON_FILE),
    ] {
        if !selected {
            continue;
        }
        let expected = match name {
            XML_FILE => set.phone_xml(),
            DPMA_FILE => set.dpma_conf(),
            _ => set.json(),
        };
        report.problems.extend(manifests::check_manifest(
            config, name, expected, &present, all_clean,
        ));
    }
    report
        .problems
        .extend(logos::check_logo_manifests(config, &set, all_clean));
    report.problems.extend(orphans(config));
    report.ok = report.problems.is_empty();
    report
}

/// The sound version the output folder was built by: the build cache's, or else the JSON
/// manifest's (written by sound version 1 when it names none); `None` when neither is there.
fn built_sound_version(dir: &Path, cache: &Cache) -> Option<u32> {
    if !cache.tones.is_empty() {
        return Some(cache.sound_version);
    }
    let text = fs::read_to_string(dir.join(JSON_FILE)).ok()?;
    let doc = crate::manifest::read::json(&text).ok()?;
    Some(doc.sound_version.unwrap_or(1))
}

fn check_tone(
    config: &Config,
    tone: &ToneConfig,
    cached: Option<&CacheEntry>,
    built_by: Option<u32>,
) -> ToneChecked {
    let path = config.output_path(tone);
    let id = Some(tone.id.as_str());
    let mut problems = Vec::new();
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            let (kind, message) = if e.kind() == io::ErrorKind::NotFound {
                (
                    ProblemKind::Missing,
                    format!("is missing: tone `{}` has not been built", tone.id),
                )
            } else {
                (ProblemKind::Unreadable, format!("cannot be read: {e}"))
            };
            problems.push(Problem::new(path, id, kind, message, RUN_BUILD));
            return ToneChecked {
                problems,
                manifest: None,
                clean: false,
            };
        }
    };
    let invalid = sln::validate(&bytes, config.output.max_bytes);
    let broken = invalid
        .iter()
        .any(|p| !matches!(p, SlnProblem::Silent { .. }));
    for p in invalid {
        let (kind, fix) = sln_problem(&p);
        problems.push(Problem::new(&path, id, kind, p.to_string(), fix));
    }

    // Up to date? Convert again, in memory, and compare.
    let mut fresh_report: Option<Report> = None;
    let mut up_to_date = false;
    match convert_path(&tone.source, &tone.options) {
        Err(e) => problems.push(Problem::new(
            &tone.source,
            id,
            ProblemKind::SourceFailed,
            format!("the source of tone `{}` no longer converts: {e}", tone.id),
            "fix or replace the source, then run `ringforge build`",
        )),
        Ok(fresh) => {
            up_to_date = fresh.sln_bytes() == bytes;
            fresh_report = Some(as_cached(fresh.report()));
            if !up_to_date && !broken {
                let md5 = md5_hex(&bytes);
                let key = cache_key(&tone.source, &tone.options).ok();
                let (kind, message) = match cached {
                    Some(c) if c.file == tone.file_name && c.md5 != md5 => (
                        ProblemKind::Modified,
                        format!(
                            "was modified after `ringforge build` wrote it (md5 {md5}, built as \
                             {}): tone `{}` no longer matches its source",
                            c.md5, tone.id
                        ),
                    ),
                    _ if built_by.is_some_and(|v| v != crate::SOUND_VERSION) => (
                        ProblemKind::SoundVersion,
                        format!(
                            "was built by sound version {}; this ringforge makes sound version \
                             {}, whose bytes for tone `{}` differ (the file and its source did \
                             not change)",
                            built_by.unwrap_or_default(),
                            crate::SOUND_VERSION,
                            tone.id
                        ),
                    ),
                    Some(c) if Some(&c.key) != key.as_ref() => (
                        ProblemKind::Stale,
                        format!(
                            "is stale: the source of tone `{}` ({}) or its options changed \
                             since the last build",
                            tone.id, tone.source_in_config
                        ),
                    ),
                    _ => (
                        ProblemKind::Stale,
                        format!(
                            "is stale: converting the source of tone `{}` ({}) now gives \
                             different bytes (source or options changed, or it was built by \
                             another ringforge version)",
                            tone.id, tone.source_in_config
                        ),
                    ),
                };
                let fix = match kind {
                    ProblemKind::SoundVersion => {
                        "run `ringforge build` with this ringforge and commit the result (phones \
                         download each changed tone once), or check with the release that built it"
                    }
                    _ => RUN_BUILD,
                };
                problems.push(Problem::new(&path, id, kind, message, fix));
            }
        }
    }
    let manifest = build::manifest_tone(tone, &bytes, fresh_report.unwrap_or_default()).ok();
    ToneChecked {
        clean: problems.is_empty() && up_to_date,
        problems,
        manifest,
    }
}

// ---------------------------------------------------------------------------------------------
// Orphans

fn orphans(config: &Config) -> Vec<Problem> {
    let dir = &config.output.dir;
    let expected = build::expected_files(config);
    let mut names: Vec<(String, bool)> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    e.file_type().is_ok_and(|t| t.is_dir()),
                )
            })
            .collect(),
        Err(_) => return Vec::new(),
    };
    names.sort();
    let manifests = [XML_FILE, DPMA_FILE, JSON_FILE];
    names
        .into_iter()
        .filter(|(n, _)| !n.starts_with('.') && !expected.contains(n) && n != CACHE_FILE)
        .map(|(name, is_dir)| {
            let is_tone = Path::new(&name)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| TONE_EXTENSIONS.contains(&e));
            let (message, fix) = if is_dir {
                (
                    "is a folder in the output folder, which ringforge.toml does not produce"
                        .to_string(),
                    "move it out of the output folder (everything in it is served to the phones)"
                        .to_string(),
                )
            } else if manifests.contains(&name.as_str()) {
                (
                    "is a manifest that [output] manifests does not select".to_string(),
                    "run `ringforge build` (it removes it), or select it in [output] manifests"
                        .to_string(),
                )
            } else if build::is_logo_file(&name) {
                (
                    format!(
                        "is a logo file that [logo] in ringforge.toml does not produce (models: {})",
                        logos::models(config)
                            .iter()
                            .map(|m| m.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "run `ringforge build` (it removes it), or add its model to [logo] models"
                        .to_string(),
                )
            } else if is_tone {
                (
                    "is a tone file that no [[tone]] in ringforge.toml produces".to_string(),
                    "run `ringforge build` (it removes it), or add a [[tone]] for its source"
                        .to_string(),
                )
            } else {
                (
                    "is not produced by ringforge.toml".to_string(),
                    "delete it or move it out of the output folder (everything in it is served \
                     to the phones)"
                        .to_string(),
                )
            };
            Problem::new(dir.join(&name), None, ProblemKind::Orphan, message, fix)
        })
        .collect()
}
