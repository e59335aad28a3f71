//! The logo half of `check`: every model's logo is a PNG the model takes, up to date with its
//! source (made again in memory and compared), and listed with its MD5 in the manifests.

use std::fs;
use std::io;

use super::{Problem, ProblemKind, RUN_BUILD};
use crate::logo::{self, Model, PngFault};
use crate::manifest::{read, ManifestLogo, ManifestSet, JSON_FILE};
use crate::repo::build::logo_cache_key;
use crate::repo::cache::{md5_hex, Cache};
use crate::repo::config::Config;

/// What checking the logos found.
pub(crate) struct LogosChecked {
    pub(crate) problems: Vec<Problem>,
    /// Each model's logo as the file stands (an empty placeholder when it is missing).
    pub(crate) manifest: Vec<ManifestLogo>,
    /// Whether every logo is valid and up to date.
    pub(crate) clean: bool,
}

fn fault_kind(f: PngFault) -> ProblemKind {
    match f {
        PngFault::NotPng => ProblemKind::LogoNotPng,
        PngFault::WrongSize => ProblemKind::LogoWrongSize,
        PngFault::Alpha => ProblemKind::LogoAlpha,
        PngFault::WrongColour => ProblemKind::LogoColour,
        _ => ProblemKind::LogoTooLarge,
    }
}

/// Checks every configured model's logo file.
pub(crate) fn check_logos(config: &Config, cache: &Cache) -> LogosChecked {
    let mut out = LogosChecked {
        problems: Vec::new(),
        manifest: Vec::new(),
        clean: true,
    };
    let Some(logo) = &config.logo else {
        return out;
    };
    let source_bytes = logo::read_source(&logo.source, &logo.options.limits);
    let name = logo.source.file_name().and_then(|n| n.to_str());
    let source = source_bytes
        .as_ref()
        .map_err(ToString::to_string)
        .and_then(|b| logo::decode(b, name, &logo.options.limits).map_err(|e| e.to_string()));
    if let Err(e) = &source {
        out.clean = false;
        out.problems.push(Problem::new(
            &logo.source,
            None,
            ProblemKind::SourceFailed,
            format!("the logo source no longer converts: {e}"),
            "fix or replace the image named in [logo] source, then run `ringforge build`",
        ));
    }
    for &model in &logo.models {
        let path = config.output.dir.join(model.png_file());
        let tag = Some(model.as_str());
        let src = Some(logo.source_in_config.clone());
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                let (kind, message) = if e.kind() == io::ErrorKind::NotFound {
                    (
                        ProblemKind::Missing,
                        format!("is missing: the {model} logo has not been built"),
                    )
                } else {
                    (ProblemKind::Unreadable, format!("cannot be read: {e}"))
                };
                out.problems
                    .push(Problem::new(&path, tag, kind, message, RUN_BUILD));
                out.manifest.push(ManifestLogo::new(model, &[], src));
                out.clean = false;
                continue;
            }
        };
        let faults = logo::validate_png(&bytes, model);
        let broken = !faults.is_empty();
        for (fault, message) in faults {
            out.problems.push(Problem::new(
                &path,
                tag,
                fault_kind(fault),
                message,
                RUN_BUILD,
            ));
        }
        out.manifest.push(ManifestLogo::new(model, &bytes, src));
        let Ok(source) = &source else { continue };
        let fresh = match logo::render(source, model, &logo.options) {
            Ok(l) => l,
            Err(e) => {
                out.clean = false;
                out.problems.push(Problem::new(
                    &logo.source,
                    tag,
                    ProblemKind::SourceFailed,
                    format!("the {model} logo can no longer be made: {e}"),
                    "fix the image named in [logo] source, then run `ringforge build`",
                ));
                continue;
            }
        };
        if fresh.png == bytes {
            out.clean &= !broken;
            continue;
        }
        out.clean = false;
        if broken {
            continue;
        }
        let md5 = md5_hex(&bytes);
        let cached = cache.logos.get(model.as_str());
        let key = source_bytes
            .as_ref()
            .ok()
            .map(|b| logo_cache_key(b, &logo.options, model));
        let (kind, message) = match cached {
            Some(c) if c.md5 != md5 => (
                ProblemKind::Modified,
                format!(
                    "was modified after `ringforge build` wrote it (md5 {md5}, built as {}): \
                     the {model} logo no longer matches its source",
                    c.md5
                ),
            ),
            _ => (
                ProblemKind::Stale,
                format!(
                    "is stale: making the {model} logo from {} with the [logo] options now \
                     gives different bytes (source or options changed{})",
                    logo.source_in_config,
                    if cached.is_some_and(|c| Some(&c.key) != key.as_ref()) {
                        " since the last build"
                    } else {
                        ", or built by another ringforge version"
                    }
                ),
            ),
        };
        out.problems
            .push(Problem::new(&path, tag, kind, message, RUN_BUILD));
    }
    out
}

/// Checks each model's `logo-<model>.xml` against its file and what a build writes, and the
/// JSON manifest's `logos` MD5s against the files.
pub(crate) fn check_logo_manifests(
    config: &Config,
    set: &ManifestSet,
    all_clean: bool,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if config.logo.is_none() {
        return problems;
    }
    let which = config.output.manifests;
    for l in &set.logos {
        if !which.xml {
            break;
        }
        let model = l.model;
        let path = config.output.dir.join(model.xml_file());
        let tag = Some(model.as_str());
        let problem = |kind, message: String| Problem::new(&path, tag, kind, message, RUN_BUILD);
        let actual = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(_) => {
                problems.push(problem(ProblemKind::ManifestMissing, "is missing".into()));
                continue;
            }
        };
        let (url, md5) = match read::logo_xml(&actual) {
            Ok(l) => (l.url.unwrap_or_default(), l.md5.unwrap_or_default()),
            Err(e) => {
                problems.push(problem(
                    ProblemKind::ManifestUnreadable,
                    format!("cannot be parsed: {e}"),
                ));
                continue;
            }
        };
        let has_file = l.digests.bytes > 0;
        if has_file && md5 != l.digests.md5 {
            problems.push(problem(
                ProblemKind::ManifestChecksum,
                format!(
                    "lists md5 {md5} for the {model} logo, but {} has md5 {}: the file \
                     changed after the manifest was written",
                    l.file_name, l.digests.md5
                ),
            ));
        } else if url != set.url_for(&l.file_name) {
            problems.push(problem(
                ProblemKind::ManifestField,
                format!(
                    "lists url {url:?} for the {model} logo, but ringforge.toml gives {:?}",
                    set.url_for(&l.file_name)
                ),
            ));
        } else if all_clean && set.logo_xml(model).ok().as_deref() != Some(actual.as_str()) {
            problems.push(problem(
                ProblemKind::ManifestOutdated,
                "differs from what `ringforge build` writes".into(),
            ));
        }
    }
    if which.json {
        problems.extend(check_json_logos(config, &set.logos));
    }
    problems
}

fn check_json_logos(config: &Config, logos: &[ManifestLogo]) -> Vec<Problem> {
    let path = config.output.dir.join(JSON_FILE);
    let Ok(text) = fs::read_to_string(&path) else {
        return Vec::new(); // reported with the tones' manifests
    };
    let Ok(doc) = read::json(&text) else {
        return Vec::new(); // reported with the tones' manifests
    };
    let mut problems = Vec::new();
    for l in logos {
        let entry = doc.logos.iter().find(|e| e.model == Some(l.model));
        let problem = |kind, message: String| {
            Problem::new(&path, Some(l.model.as_str()), kind, message, RUN_BUILD)
        };
        match entry.and_then(|e| e.md5.as_deref()) {
            None => problems.push(problem(
                ProblemKind::ManifestMissingTone,
                format!("does not list the {} logo", l.model),
            )),
            Some(md5) if l.digests.bytes > 0 && md5 != l.digests.md5 => problems.push(problem(
                ProblemKind::ManifestChecksum,
                format!(
                    "lists md5 {md5} for the {} logo, but {} has md5 {}",
                    l.model, l.file_name, l.digests.md5
                ),
            )),
            Some(_) => {}
        }
    }
    problems
}

/// Models whose logo the configuration asks for.
pub(crate) fn models(config: &Config) -> Vec<Model> {
    config
        .logo
        .as_ref()
        .map(|l| l.models.clone())
        .unwrap_or_default()
}
