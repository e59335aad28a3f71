//! `ringforge.toml`: the declarative description of a ringtone repository — where the outputs go,
//! the conversion defaults, every tone with its source and overrides, and the alerts.
//!
//! [`Config::load`] reads and validates the whole file before anything is converted. Every
//! problem comes back at once as a [`ConfigError`], each with the line and column it concerns
//! and what to change: unknown keys, bad values, missing sources, sources outside the
//! repository, duplicate ids, ids that collide with the phones' built-in tones, alerts naming
//! unknown tones.
//!
//! Paths in the file are relative to the folder holding it (the *repository root* here), must
//! stay inside it, and are written with `/`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("ring.wav"), ringforge::signal::wav_i16(16_000, 1, &[0.5; 160]))?;
//! let path = dir.path().join("ringforge.toml");
//! std::fs::write(&path, r#"
//! [output]
//! dir = "out"
//! url_prefix = "http://pbx.example.com/digium_phones/"
//!
//! [[tone]]
//! id = "front-desk"
//! display = "Front Desk"
//! source = "ring.wav"
//!
//! [[alert]]
//! alert_info = "frontdesk"
//! tone = "front-desk"
//! "#)?;
//! let config = ringforge::repo::config::Config::load(&path)?;
//! assert_eq!(config.tones[0].file_name, "front-desk.sln");
//! assert_eq!(config.alerts.len(), 1);
//!
//! std::fs::write(&path, "[[tone]]\nid = \"digium\"\nsource = \"ring.wav\"\n")?;
//! let err = ringforge::repo::config::Config::load(&path).unwrap_err();
//! assert_eq!(err.problems[0].line, Some(2));
//! assert!(err.to_string().contains("built-in"));
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::batch::Extension;
use crate::id;
use crate::logo::{LogoOptions, Model};
use crate::manifest::{dpma, Alert, ManifestSet, ManifestTone, RingType, Which};
use crate::options::InvalidOption;
use crate::{Dither, Error, Options};

/// The file name `ringforge build` and `ringforge check` look for when no `--config` is given.
pub const CONFIG_FILE: &str = "ringforge.toml";

/// The output folder used when `[output] dir` is not given.
pub const DEFAULT_OUTPUT_DIR: &str = "out";

/// A loaded, validated `ringforge.toml`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// The configuration file, as given.
    pub path: PathBuf,
    /// The folder holding it: every path in the file is relative to it. Empty when the file is
    /// in the current folder, so joined paths stay as short as the user typed them.
    pub root: PathBuf,
    /// The `[output]` table.
    pub output: OutputConfig,
    /// The `[[tone]]` entries, in file order.
    pub tones: Vec<ToneConfig>,
    /// The `[[alert]]` entries, in file order.
    pub alerts: Vec<Alert>,
    /// The `[logo]` table, when there is one.
    pub logo: Option<LogoConfig>,
}

/// The `[logo]` table: one source image made into a logo for each model listed.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LogoConfig {
    /// The source image: [`Config::root`] joined with `source`.
    pub source: PathBuf,
    /// `source` as written in the file; the JSON manifest's `logos[].source`.
    pub source_in_config: String,
    /// The models to make a logo for, sorted. Default: all eight.
    pub models: Vec<Model>,
    /// Fit and background (default contain, white).
    pub options: LogoOptions,
}

/// Where and how the outputs are written (`[output]`).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct OutputConfig {
    /// The output folder: [`Config::root`] joined with `dir`.
    pub dir: PathBuf,
    /// `dir` as written in the file (default `out`).
    pub dir_in_config: String,
    /// Extension of the tone files (`sln`, `sln16` or `raw`). Default `sln`.
    pub ext: Extension,
    /// Where the phones fetch the files; see [`ManifestSet::url_prefix`]. Default: none.
    pub url_prefix: Option<String>,
    /// Size cap in bytes, exclusive. Default: 1,000,000.
    pub max_bytes: u64,
    /// Which manifests are written. Default: all three.
    pub manifests: Which,
    /// Whether `ringtones.xml` lists the phones' built-in tones. Default `true`.
    pub builtin_tones: bool,
}

/// One `[[tone]]` entry.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ToneConfig {
    /// The tone id: XML `id`, DPMA section, file stem.
    pub id: String,
    /// The name shown on the phone (default: made from the source's file name).
    pub display: String,
    /// The source file: [`Config::root`] joined with `source`.
    pub source: PathBuf,
    /// `source` as written in the file; the manifests' `source.path`.
    pub source_in_config: String,
    /// The output file name, `<id>.<ext>`.
    pub file_name: String,
    /// The conversion options: `[defaults]` with this tone's overrides applied.
    pub options: Options,
    /// Line of the entry's `[[tone]]` header (1-based).
    pub line: usize,
}

/// Why a configuration file was refused: every problem found, each with its place.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError {
    /// The configuration file.
    pub path: PathBuf,
    /// The problems, in the order of the file.
    pub problems: Vec<ConfigProblem>,
}

/// One problem in a configuration file.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigProblem {
    /// Line (1-based), when the problem has a place in the file.
    pub line: Option<usize>,
    /// Column (1-based, in characters), when the problem has a place in the file.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to change.
    pub fix: String,
}

impl ConfigProblem {
    /// `path:line:col: message — fix`.
    pub fn render(&self, path: &Path) -> String {
        let place = match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", path.display()),
            (Some(l), None) => format!("{}:{l}", path.display()),
            _ => path.display().to_string(),
        };
        if self.fix.is_empty() {
            format!("{place}: {}", self.message)
        } else {
            format!("{place}: {} — {}", self.message, self.fix)
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            f.write_str(&p.render(&self.path))?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

// ---------------------------------------------------------------------------------------------
// The file as written

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    output: Option<RawOutput>,
    #[serde(default)]
    defaults: Option<RawSettings>,
    #[serde(default)]
    tone: Vec<Spanned<RawTone>>,
    #[serde(default)]
    alert: Vec<Spanned<RawAlert>>,
    #[serde(default)]
    logo: Option<RawLogo>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLogo {
    source: Spanned<String>,
    models: Option<Spanned<Vec<String>>>,
    background: Option<Spanned<String>>,
    fit: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    dir: Option<Spanned<String>>,
    ext: Option<Spanned<String>>,
    url_prefix: Option<Spanned<String>>,
    max_bytes: Option<Spanned<u64>>,
    manifests: Option<Spanned<Vec<String>>>,
    builtin_tones: Option<bool>,
}

/// A time as written: seconds or `"mm:ss(.fff)"`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum RawTime {
    Seconds(f64),
    Text(String),
}

/// `trim_silence`: `true`, `false` or a threshold in dBFS.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum RawTrim {
    On(bool),
    Threshold(f64),
}

/// The conversion settings shared by `[defaults]` and each `[[tone]]`. (Written out twice below
/// because serde's `flatten` does not work with `deny_unknown_fields`.)
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSettings {
    dither: Option<Spanned<String>>,
    allow_upsample: Option<Spanned<bool>>,
    start: Option<Spanned<RawTime>>,
    length: Option<Spanned<RawTime>>,
    gain_db: Option<Spanned<f64>>,
    normalize: Option<Spanned<String>>,
    trim_silence: Option<Spanned<RawTrim>>,
    channel: Option<Spanned<String>>,
    on_oversize: Option<Spanned<String>>,
    fade_out_seconds: Option<Spanned<f64>>,
    clip: Option<Spanned<bool>>,
    limiter: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTone {
    id: Spanned<String>,
    display: Option<Spanned<String>>,
    source: Spanned<String>,
    dither: Option<Spanned<String>>,
    allow_upsample: Option<Spanned<bool>>,
    start: Option<Spanned<RawTime>>,
    length: Option<Spanned<RawTime>>,
    gain_db: Option<Spanned<f64>>,
    normalize: Option<Spanned<String>>,
    trim_silence: Option<Spanned<RawTrim>>,
    channel: Option<Spanned<String>>,
    on_oversize: Option<Spanned<String>>,
    fade_out_seconds: Option<Spanned<f64>>,
    clip: Option<Spanned<bool>>,
    limiter: Option<Spanned<bool>>,
}

impl RawTone {
    fn settings(&self) -> RawSettings {
        RawSettings {
            dither: self.dither.clone(),
            allow_upsample: self.allow_upsample.clone(),
            start: self.start.clone(),
            length: self.length.clone(),
            gain_db: self.gain_db.clone(),
            normalize: self.normalize.clone(),
            trim_silence: self.trim_silence.clone(),
            channel: self.channel.clone(),
            on_oversize: self.on_oversize.clone(),
            fade_out_seconds: self.fade_out_seconds.clone(),
            clip: self.clip.clone(),
            limiter: self.limiter.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlert {
    alert_info: Spanned<String>,
    tone: Option<Spanned<String>>,
    ring_type: Option<Spanned<String>>,
}

// ---------------------------------------------------------------------------------------------
// Per-tone settings, checked

/// The conversion settings of `[defaults]` or of one `[[tone]]`, parsed and range-checked,
/// each with the place it was written. `None` means "not set here".
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Settings {
    /// `dither = "tpdf" | "none"`.
    pub dither: Option<Setting<Dither>>,
    /// `allow_upsample = true | false`.
    pub allow_upsample: Option<Setting<bool>>,
    /// `start`: seconds from the start of the source (`12.5` or `"0:12.5"`).
    pub start: Option<Setting<f64>>,
    /// `length`: seconds kept from `start` (`20` or `"0:20"`).
    pub length: Option<Setting<f64>>,
    /// `gain_db`: gain in dB, −60…60.
    pub gain_db: Option<Setting<f64>>,
    /// `normalize`: `"peak[:CEILING_DBFS]"`, `"loudness[:TARGET_LUFS[:CEILING_DBTP]]"` or
    /// `"none"`, as text.
    pub normalize: Option<Setting<String>>,
    /// `trim_silence`: `true` (−60 dBFS), `false` (`None`), or a threshold in dBFS.
    pub trim_silence: Option<Setting<Option<f64>>>,
    /// `channel = "mix" | "left" | "right" | "mid"`.
    pub channel: Option<Setting<String>>,
    /// `on_oversize = "fit" | "error"`.
    pub on_oversize: Option<Setting<String>>,
    /// `fade_out_seconds`: 0…60.
    pub fade_out_seconds: Option<Setting<f64>>,
    /// `clip = true | false`.
    pub clip: Option<Setting<bool>>,
    /// `limiter = true | false`: whether loudness normalisation may use the true-peak limiter.
    pub limiter: Option<Setting<bool>>,
}

/// A setting's value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Byte range of the value in the file.
    pub span: Range<usize>,
}

/// A setting [`tone_options`] cannot turn into conversion options.
#[derive(Clone, Debug, PartialEq)]
pub struct Unsupported {
    /// The setting's name in `ringforge.toml`.
    pub field: &'static str,
    /// Where it was written.
    pub span: Range<usize>,
    /// What is wrong with it, and what to write instead.
    pub message: String,
}

/// Maps the output settings, `[defaults]` and one tone's overrides onto [`Options`] (the tone's
/// value wins over the default), then validates the result.
///
/// # Errors
///
/// [`Unsupported`] for the first setting whose value cannot be used, at the place it was
/// written.
pub fn tone_options(
    output: &OutputConfig,
    defaults: &Settings,
    tone: &Settings,
) -> Result<Options, Unsupported> {
    fn pick<'a, T>(
        tone: &'a Option<Setting<T>>,
        def: &'a Option<Setting<T>>,
    ) -> Option<&'a Setting<T>> {
        tone.as_ref().or(def.as_ref())
    }
    fn bad<T>(field: &'static str, s: &Setting<T>, e: impl std::fmt::Display) -> Unsupported {
        Unsupported {
            field,
            span: s.span.clone(),
            message: format!("`{field}`: {e}"),
        }
    }
    let mut opts = Options {
        max_bytes: output.max_bytes,
        ..Options::default()
    };
    // The settings applied and where, to place errors found by whole-options validation.
    let mut applied: Vec<(&'static str, Range<usize>)> = Vec::new();
    macro_rules! apply {
        ($field:ident, |$v:ident| $body:expr) => {
            if let Some(s) = pick(&tone.$field, &defaults.$field) {
                let $v = &s.value;
                #[allow(clippy::redundant_closure_call)]
                let r: Result<(), String> = (|| {
                    $body;
                    Ok(())
                })();
                r.map_err(|e| bad(stringify!($field), s, e))?;
                applied.push((stringify!($field), s.span.clone()));
            }
        };
    }
    apply!(dither, |v| opts.dither = *v);
    apply!(allow_upsample, |v| opts.allow_upsample = *v);
    apply!(start, |v| opts.start = Some(*v));
    apply!(length, |v| opts.length = Some(*v));
    apply!(gain_db, |v| opts.gain_db = *v);
    apply!(normalize, |v| opts.normalize =
        crate::Normalize::read(v).map_err(|e| e.to_string())?);
    apply!(trim_silence, |v| opts.trim_silence = *v);
    apply!(channel, |v| opts.channel =
        v.parse::<crate::ChannelPick>().map_err(|e| e.to_string())?);
    apply!(on_oversize, |v| opts.on_oversize =
        v.parse::<crate::Oversize>().map_err(|e| e.to_string())?);
    apply!(fade_out_seconds, |v| opts.fade_out_seconds = *v);
    apply!(clip, |v| opts.clip = *v);
    apply!(limiter, |v| opts.limiter = *v);
    // The ranges are checked where each setting is read; a value out of range can only come
    // from a combination, placed at the setting the check names (else the last one applied).
    if let Err(e) = opts.check() {
        let (field, span) = applied
            .iter()
            .rev()
            .find(|(f, _)| *f == e.field)
            .or(applied.last())
            .cloned()
            .unwrap_or(("max_bytes", 0..0));
        return Err(Unsupported {
            field,
            span,
            message: e.to_string(),
        });
    }
    Ok(opts)
}

// ---------------------------------------------------------------------------------------------
// Loading

/// Collects problems with their places while the file is checked.
pub(crate) struct Problems<'a> {
    pub(crate) text: &'a str,
    pub(crate) list: Vec<(usize, ConfigProblem)>,
}

impl Problems<'_> {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>, fix: impl Into<String>) {
        let (line, column) = line_col(self.text, span.start);
        self.list.push((
            span.start,
            ConfigProblem {
                line: Some(line),
                column: Some(column),
                message: message.into(),
                fix: fix.into(),
            },
        ));
    }

    fn nowhere(&mut self, message: impl Into<String>, fix: impl Into<String>) {
        self.list.push((
            usize::MAX,
            ConfigProblem {
                line: None,
                column: None,
                message: message.into(),
                fix: fix.into(),
            },
        ));
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

impl Config {
    /// Reads and validates the configuration at `path` (a folder means its `ringforge.toml`);
    /// sources must exist.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] listing every problem found, each with its line and what to change.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let joined;
        let path = if path.is_dir() {
            joined = path.join(CONFIG_FILE);
            joined.as_path()
        } else {
            path
        };
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            problems: vec![ConfigProblem {
                line: None,
                column: None,
                message: format!("cannot read the configuration: {e}"),
                fix: if e.kind() == std::io::ErrorKind::NotFound {
                    format!(
                        "give the path of an existing {CONFIG_FILE} (or of its folder), or \
                         create one (see the ringforge.toml section of the README)"
                    )
                } else {
                    String::new()
                },
            }],
        })?;
        Config::parse(&text, path)
    }

    /// Validates configuration `text` as if read from `path` (sources are resolved against
    /// `path`'s folder and must exist).
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] listing every problem found.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let fail = |problems: Vec<ConfigProblem>| ConfigError {
            path: path.to_path_buf(),
            problems,
        };
        let raw: RawConfig = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let (line, column) = match e.span() {
                    Some(s) => {
                        let (l, c) = line_col(text, s.start);
                        (Some(l), Some(c))
                    }
                    None => (None, None),
                };
                let message = e.message().trim().to_string();
                let fix = syntax_fix(&message);
                return Err(fail(vec![ConfigProblem {
                    line,
                    column,
                    message,
                    fix,
                }]));
            }
        };
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut problems = Problems {
            text,
            list: Vec::new(),
        };
        let config = check(raw, &root, &mut problems);
        if problems.list.is_empty() {
            Ok(Config {
                path: path.to_path_buf(),
                ..config
            })
        } else {
            problems.list.sort_by_key(|(offset, _)| *offset);
            Err(fail(problems.list.into_iter().map(|(_, p)| p).collect()))
        }
    }

    /// Where a tone's output file is.
    pub fn output_path(&self, tone: &ToneConfig) -> PathBuf {
        self.output.dir.join(&tone.file_name)
    }

    /// A manifest set of `tones` with this configuration's alerts, URL prefix and built-in
    /// listing.
    pub fn manifest_set(&self, tones: Vec<ManifestTone>, alerts: Vec<Alert>) -> ManifestSet {
        ManifestSet {
            tones,
            alerts,
            url_prefix: self.output.url_prefix.clone(),
            builtin_tones: self.output.builtin_tones,
            logos: Vec::new(),
        }
    }
}

/// A fix for a TOML syntax or schema error, from toml's message.
fn syntax_fix(message: &str) -> String {
    if message.starts_with("unknown field") {
        "remove it or correct its spelling (the keys are listed in the README, section ringforge.toml)".into()
    } else if message.starts_with("missing field") {
        "add it".into()
    } else if message.contains("invalid type") {
        "give the value the type shown (strings in quotes, numbers and true/false without)".into()
    } else {
        "fix the TOML syntax (https://toml.io)".into()
    }
}

fn check(raw: RawConfig, root: &Path, p: &mut Problems<'_>) -> Config {
    let canonical_root = std::fs::canonicalize(if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    })
    .ok();

    let output = output_config(raw.output.unwrap_or_default(), root, &canonical_root, p);
    let defaults = raw.defaults.map(|d| settings(&d, p)).unwrap_or_default();
    let ctx = ToneContext {
        root,
        canonical_root: &canonical_root,
        out_rel: lexical_normal(&output.dir_in_config),
        output: &output,
        defaults: &defaults,
    };
    let mut by_id: HashMap<String, (String, usize)> = HashMap::new();
    let tones: Vec<ToneConfig> = raw
        .tone
        .iter()
        .map(|entry| tone_config(entry, &ctx, &mut by_id, p))
        .collect();
    let logo = raw
        .logo
        .as_ref()
        .and_then(|l| logo_config(l, root, canonical_root.as_deref(), &ctx.out_rel, p));
    if raw.tone.is_empty() && raw.logo.is_none() {
        p.nowhere(
            "no [[tone]] entries",
            "add one per ringtone: [[tone]] with id, display and source (or a [logo] table)",
        );
    }
    let alerts = alerts(&raw.alert, &tones, &output, p);
    let config = Config {
        path: PathBuf::new(),
        root: root.to_path_buf(),
        output,
        tones,
        alerts,
        logo,
    };
    // Whatever the checks above did not pin to a line: the manifests must render.
    if p.list.is_empty() {
        check_renders(&config, p);
    }
    config
}

/// Checks the `[output]` table.
fn output_config(
    out: RawOutput,
    root: &Path,
    canonical_root: &Option<PathBuf>,
    p: &mut Problems<'_>,
) -> OutputConfig {
    let dir_in_config = out
        .dir
        .as_ref()
        .map_or(DEFAULT_OUTPUT_DIR.to_string(), |d| d.get_ref().clone());
    if let Some(d) = &out.dir {
        if let Err(why) = check_inside(d.get_ref()) {
            p.at(
                d.span(),
                format!("output dir {:?} {why}", d.get_ref()),
                "use a folder inside the repository, e.g. dir = \"out\"; copy it to the PBX \
                 in your deploy step",
            );
        } else if lexical_normal(d.get_ref()).is_empty() {
            p.at(
                d.span(),
                format!("output dir {:?} is the repository root itself", d.get_ref()),
                "use a folder of its own, e.g. dir = \"out\": everything in it belongs to ringforge",
            );
        }
    }
    let dir = root.join(&dir_in_config);
    if let (Some(d), Some(croot)) = (&out.dir, &canonical_root) {
        if let Ok(cdir) = std::fs::canonicalize(&dir) {
            if !cdir.starts_with(croot) || cdir == *croot {
                p.at(
                    d.span(),
                    format!(
                        "output dir {:?} resolves (through a symbolic link) outside the \
                         repository or to its root",
                        d.get_ref()
                    ),
                    "use a plain folder inside the repository",
                );
            } else if !cdir.is_dir() {
                p.at(
                    d.span(),
                    format!("output dir {:?} exists and is not a folder", d.get_ref()),
                    "choose another dir or remove that file",
                );
            }
        }
    }
    let ext = match &out.ext {
        None => Extension::Sln,
        Some(e) => {
            let want = e.get_ref().to_ascii_lowercase();
            let want = want.trim_start_matches('.');
            match Extension::ALL.into_iter().find(|x| x.as_str() == want) {
                Some(x) => x,
                None => {
                    let names = Extension::ALL.map(|x| format!("{:?}", x.as_str()));
                    p.at(
                        e.span(),
                        format!("unknown extension {want:?}"),
                        format!("use one of {}", names.join(", ")),
                    );
                    Extension::Sln
                }
            }
        }
    };
    let max_bytes = match &out.max_bytes {
        None => crate::sln::DEFAULT_MAX_BYTES,
        Some(m) => Options::check_max_bytes(*m.get_ref()).unwrap_or_else(|e| {
            p.at(m.span(), e.problem, e.fix);
            crate::sln::DEFAULT_MAX_BYTES
        }),
    };
    let manifests = match &out.manifests {
        None => Which::ALL,
        Some(list) => {
            let mut w = Which::NONE;
            for name in list.get_ref() {
                match name.to_ascii_lowercase().as_str() {
                    "xml" => w.xml = true,
                    "dpma" => w.dpma = true,
                    "json" => w.json = true,
                    other => p.at(
                        list.span(),
                        format!("unknown manifest {other:?}"),
                        "list any of \"xml\", \"dpma\", \"json\" (or [] for none)",
                    ),
                }
            }
            w
        }
    };
    let url_prefix = out.url_prefix.as_ref().map(|u| u.get_ref().clone());
    if let Some(u) = &out.url_prefix {
        let probe = ManifestSet {
            url_prefix: Some(u.get_ref().clone()),
            ..ManifestSet::default()
        };
        if let Err(e) = probe.validate() {
            p.at(u.span(), e.to_string(), "");
        }
    }
    OutputConfig {
        dir,
        dir_in_config: dir_in_config.clone(),
        ext,
        url_prefix,
        max_bytes,
        manifests,
        builtin_tones: out.builtin_tones.unwrap_or(true),
    }
}

/// What checking a `[[tone]]` needs from the rest of the file.
struct ToneContext<'a> {
    root: &'a Path,
    canonical_root: &'a Option<PathBuf>,
    /// The output folder, relative and normalised.
    out_rel: String,
    output: &'a OutputConfig,
    defaults: &'a Settings,
}

/// Checks one `[[tone]]`; `by_id` holds the ids seen so far (lowercase → id, line).
fn tone_config(
    entry: &Spanned<RawTone>,
    ctx: &ToneContext<'_>,
    by_id: &mut HashMap<String, (String, usize)>,
    p: &mut Problems<'_>,
) -> ToneConfig {
    let (output, defaults, ext) = (ctx.output, ctx.defaults, ctx.output.ext);
    let line = line_col(p.text, entry.span().start).0;
    let t = entry.get_ref();
    let id = t.id.get_ref().clone();
    check_tone_id(t, &id, line, by_id, p);
    let source_text = t.source.get_ref().clone();
    let source = tone_source(t, ctx, p);
    let display = tone_display(t, &id, p);
    let own = settings(&t.settings(), p);
    let options = match tone_options(output, defaults, &own) {
        Ok(o) => o,
        Err(u) => {
            p.at(
                u.span,
                u.message,
                "correct the value (see the ringforge.toml reference in the README)",
            );
            Options::default()
        }
    };
    ToneConfig {
        file_name: format!("{id}.{}", ext.as_str()),
        id,
        display,
        source,
        source_in_config: source_text.replace('\\', "/"),
        options,
        line,
    }
}

/// Checks a tone id: valid, not a built-in, not a duplicate (ignoring case).
fn check_tone_id(
    t: &RawTone,
    id: &str,
    line: usize,
    by_id: &mut HashMap<String, (String, usize)>,
    p: &mut Problems<'_>,
) {
    let mut ok = true;
    match id::validate_id(id) {
        Ok(()) => {}
        Err(Error::BuiltinCollision { builtin, .. }) => {
            ok = false;
            p.at(
                t.id.span(),
                format!("tone id {id:?} collides with the phones' built-in tone `{builtin}`"),
                format!(
                    "choose another id (the built-ins are {}; compared ignoring case)",
                    id::builtin_tone_ids()
                ),
            );
        }
        Err(e) => {
            ok = false;
            p.at(
                t.id.span(),
                e.to_string(),
                "use ASCII letters, digits, `-` and `_`, e.g. id = \"front-desk\"",
            );
        }
    }
    if ok {
        if let Some((first, first_line)) =
            by_id.insert(id.to_ascii_lowercase(), (id.to_string(), line))
        {
            p.at(
                t.id.span(),
                format!(
                    "duplicate tone id {id:?}: line {first_line} already uses {first:?} \
                     (ids are compared ignoring case)"
                ),
                "give each [[tone]] its own id",
            );
        }
    }
}

/// Checks a tone's source: inside the repository, an existing file, outside the output folder.
fn tone_source(t: &RawTone, ctx: &ToneContext<'_>, p: &mut Problems<'_>) -> PathBuf {
    let (root, canonical_root, out_rel) = (ctx.root, ctx.canonical_root, &ctx.out_rel);
    let dir_in_config = &ctx.output.dir_in_config;
    let source_text = t.source.get_ref().clone();
    let source = root.join(&source_text);
    match check_inside(&source_text) {
        Err(why) => p.at(
            t.source.span(),
            format!("source {source_text:?} {why}"),
            "sources must be inside the repository (the folder holding ringforge.toml); \
             copy the file in and name it relative to that folder",
        ),
        Ok(()) => match std::fs::metadata(&source) {
            Err(e) => p.at(
                t.source.span(),
                format!("source {source_text:?} cannot be read: {e}"),
                "check the path (relative to the folder holding ringforge.toml) or add the file",
            ),
            Ok(m) if m.is_dir() => p.at(
                t.source.span(),
                format!("source {source_text:?} is a folder"),
                "name one audio file per [[tone]]",
            ),
            Ok(_) => {
                let canonical = std::fs::canonicalize(&source).ok();
                let inside = match (&canonical, &canonical_root) {
                    (Some(c), Some(r)) => c.starts_with(r),
                    _ => true,
                };
                if !inside {
                    p.at(
                        t.source.span(),
                        format!(
                            "source {source_text:?} resolves (through a symbolic link) \
                             outside the repository"
                        ),
                        "copy the file into the repository",
                    );
                } else if !out_rel.is_empty()
                    && lexical_normal(&source_text).starts_with(&format!("{out_rel}/"))
                {
                    p.at(
                        t.source.span(),
                        format!(
                            "source {source_text:?} is inside the output folder \
                             {dir_in_config:?}, which ringforge owns"
                        ),
                        "keep sources outside the output folder",
                    );
                }
            }
        },
    }

    source
}

/// A tone's display name: as written, or made from the source's file name (else the id).
fn tone_display(t: &RawTone, id: &str, p: &mut Problems<'_>) -> String {
    let source_text = t.source.get_ref();
    match &t.display {
        Some(d) => {
            if let Err(e) = id::validate_display(d.get_ref()) {
                p.at(d.span(), e.to_string(), "");
            }
            d.get_ref().clone()
        }
        None => {
            let stem = Path::new(source_text)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let d = id::display_from_stem(&stem);
            if d.is_empty() || id::validate_display(&d).is_err() {
                id.to_string()
            } else {
                d
            }
        }
    }
}

/// Checks the `[[alert]]` entries against the tones and each other.
fn alerts(
    raw: &[Spanned<RawAlert>],
    tones: &[ToneConfig],
    output: &OutputConfig,
    p: &mut Problems<'_>,
) -> Vec<Alert> {
    let mut alerts = Vec::new();
    let mut seen_info: HashMap<String, usize> = HashMap::new();
    let mut seen_section: HashMap<String, String> = HashMap::new();
    for t in tones {
        seen_section.insert(t.id.to_ascii_lowercase(), format!("tone {:?}", t.id));
    }
    for entry in raw {
        let line = line_col(p.text, entry.span().start).0;
        let a = entry.get_ref();
        let ring_type = match &a.ring_type {
            None => RingType::Normal,
            Some(r) => match r.get_ref().parse::<RingType>() {
                Ok(t) => t,
                Err(_) => {
                    p.at(
                        r.span(),
                        format!("unknown ring_type {:?}", r.get_ref()),
                        "use \"normal\", \"answer\", \"ring-answer\" or \"visual\"",
                    );
                    continue;
                }
            },
        };
        let tone = a.tone.as_ref().map(|t| t.get_ref().clone());
        let alert = match Alert::new(a.alert_info.get_ref().clone(), tone.clone(), ring_type) {
            Ok(alert) => alert,
            Err(e) => {
                let span = match &e {
                    Error::InvalidAlert { .. } => entry.span(),
                    _ => a.alert_info.span(),
                };
                p.at(span, e.to_string(), "");
                continue;
            }
        };
        if let (Some(name), Some(span)) = (&alert.tone, a.tone.as_ref().map(Spanned::span)) {
            let known = tones.iter().any(|t| t.id.eq_ignore_ascii_case(name))
                || id::builtin_tone(name).is_some();
            if !known {
                let ids: Vec<&str> = tones.iter().map(|t| t.id.as_str()).collect();
                p.at(
                    span,
                    format!("alert tone {name:?} is neither a [[tone]] id nor a built-in tone"),
                    format!(
                        "use one of the tone ids ({}) or a built-in such as Digium",
                        ids.join(", ")
                    ),
                );
            }
        }
        let info = alert.alert_info.clone();
        for form in [
            info.to_ascii_lowercase(),
            alert.dpma_alert_info().to_ascii_lowercase(),
        ] {
            if let Some(first) = seen_info.insert(form, line) {
                p.at(
                    a.alert_info.span(),
                    format!(
                        "duplicate alert_info {info:?}: line {first} already matches it \
                         (compared ignoring case)"
                    ),
                    "give each [[alert]] its own alert_info",
                );
                break;
            }
        }
        if output.manifests.dpma {
            match dpma::alert_section_name(&info) {
                Ok(section) => {
                    let owner = format!("alert {info:?}");
                    if let Some(prev) = seen_section.insert(section.to_ascii_lowercase(), owner) {
                        p.at(
                            a.alert_info.span(),
                            format!(
                                "alert {info:?} would be the DPMA section [{section}], \
                                 which {prev} already uses"
                            ),
                            "change the alert_info or the tone id so the sections differ",
                        );
                    }
                }
                Err(e) => p.at(a.alert_info.span(), e.to_string(), ""),
            }
        }
        alerts.push(alert);
    }
    alerts
}

/// Checks that the manifests render for `config` (what no check above pinned to a line).
fn check_renders(config: &Config, p: &mut Problems<'_>) {
    let placeholders: Result<Vec<ManifestTone>, Error> = config
        .tones
        .iter()
        .map(|t| {
            ManifestTone::placeholder(
                t.id.clone(),
                t.display.clone(),
                t.file_name.clone(),
                t.source_in_config.clone(),
            )
        })
        .collect();
    let result = placeholders.and_then(|tones| {
        let set = config.manifest_set(tones, config.alerts.clone());
        set.validate()?;
        if config.output.manifests.dpma {
            set.dpma_conf()?;
        }
        Ok(())
    });
    if let Err(e) = result {
        p.nowhere(e.to_string(), "");
    }
}

/// Checks the `[logo]` table: the source (inside the repository, outside the output folder,
/// an existing file), the models, the background and the fit.
fn logo_config(
    raw: &RawLogo,
    root: &Path,
    canonical_root: Option<&Path>,
    out_rel: &str,
    p: &mut Problems<'_>,
) -> Option<LogoConfig> {
    let mut ok = true;
    let text = raw.source.get_ref().clone();
    let source = root.join(&text);
    let problem = match check_inside(&text) {
        Err(why) => Some(format!("logo source {text:?} {why}")),
        Ok(()) if !source.is_file() => Some(format!(
            "logo source {text:?} is not a file (relative to the folder holding ringforge.toml)"
        )),
        Ok(()) => {
            let canonical = std::fs::canonicalize(&source).ok();
            match (canonical, canonical_root) {
                (Some(c), Some(r)) if !c.starts_with(r) => Some(format!(
                    "logo source {text:?} resolves (through a symbolic link) outside the repository"
                )),
                _ if !out_rel.is_empty()
                    && lexical_normal(&text).starts_with(&format!("{out_rel}/")) =>
                {
                    Some(format!(
                        "logo source {text:?} is inside the output folder, which ringforge owns"
                    ))
                }
                _ => None,
            }
        }
    };
    if let Some(message) = problem {
        ok = false;
        p.at(
            raw.source.span(),
            message,
            "name a PNG, JPEG, GIF, BMP, WebP or SVG file inside the repository",
        );
    }
    let models = match &raw.models {
        None => Model::ALL.to_vec(),
        Some(list) => match Model::parse_list(&list.get_ref().join(",")) {
            Ok(m) => m,
            Err(e) => {
                ok = false;
                p.at(
                    list.span(),
                    e.to_string(),
                    "e.g. models = [\"d40\", \"d60\"]",
                );
                Vec::new()
            }
        },
    };
    let mut options = LogoOptions::default();
    if let Some(b) = &raw.background {
        match b.get_ref().parse() {
            Ok(c) => options.background = c,
            Err(e) => {
                ok = false;
                p.at(b.span(), crate::Error::from(e).to_string(), "");
            }
        }
    }
    if let Some(f) = &raw.fit {
        match f.get_ref().parse() {
            Ok(fit) => options.fit = fit,
            Err(e) => {
                ok = false;
                p.at(
                    f.span(),
                    crate::Error::from(e).to_string(),
                    "use \"contain\" or \"cover\"",
                );
            }
        }
    }
    ok.then(|| LogoConfig {
        source,
        source_in_config: text.replace('\\', "/"),
        models,
        options,
    })
}

/// Parses and range-checks the settings of `[defaults]` or one `[[tone]]`.
pub(crate) fn settings(raw: &RawSettings, p: &mut Problems<'_>) -> Settings {
    fn set<T: Clone>(s: &Spanned<T>) -> Setting<T> {
        Setting {
            value: s.get_ref().clone(),
            span: s.span(),
        }
    }
    let mut out = Settings::default();
    if let Some(d) = &raw.dither {
        match d.get_ref().to_ascii_lowercase().as_str() {
            "tpdf" => {
                out.dither = Some(Setting {
                    value: Dither::Tpdf,
                    span: d.span(),
                })
            }
            "none" => {
                out.dither = Some(Setting {
                    value: Dither::None,
                    span: d.span(),
                })
            }
            other => p.at(
                d.span(),
                format!("unknown dither {other:?}"),
                "use \"tpdf\" or \"none\"",
            ),
        }
    }
    out.allow_upsample = raw.allow_upsample.as_ref().map(set);
    let time = |t: &Spanned<RawTime>, what: &str, p: &mut Problems<'_>| -> Option<Setting<f64>> {
        let v = match t.get_ref() {
            RawTime::Seconds(v) if v.is_finite() && *v >= 0.0 => Some(*v),
            RawTime::Seconds(_) => None,
            RawTime::Text(s) => crate::options::parse_time(s).ok(),
        };
        if v.is_none() {
            p.at(
                t.span(),
                format!("cannot read {what} as a time"),
                "use seconds (12.5) or \"mm:ss(.fff)\" (\"1:02.5\")",
            );
        }
        v.map(|value| Setting {
            value,
            span: t.span(),
        })
    };
    // Each value is checked by the rule `Options::validate` applies, and placed at its line.
    let checked = |value: Result<f64, InvalidOption>, span: Range<usize>, p: &mut Problems<'_>| {
        value
            .map_err(|e| p.at(span.clone(), e.problem, e.fix))
            .ok()
            .map(|value| Setting { value, span })
    };
    if let Some(t) = &raw.start {
        out.start =
            time(t, "start", p).and_then(|s| checked(Options::START.check(s.value), s.span, p));
    }
    if let Some(t) = &raw.length {
        out.length =
            time(t, "length", p).and_then(|l| checked(Options::check_length(l.value), l.span, p));
    }
    if let Some(g) = &raw.gain_db {
        out.gain_db = checked(Options::GAIN_DB.check(*g.get_ref()), g.span(), p);
    }
    if let Some(f) = &raw.fade_out_seconds {
        out.fade_out_seconds = checked(Options::FADE_OUT_SECONDS.check(*f.get_ref()), f.span(), p);
    }
    if let Some(n) = &raw.normalize {
        match crate::Normalize::read(n.get_ref()) {
            Ok(_) => out.normalize = Some(set(n)),
            Err(e) => p.at(n.span(), e.problem, e.fix),
        }
    }
    if let Some(t) = &raw.trim_silence {
        let value = match t.get_ref() {
            RawTrim::On(true) => Ok(Some(Options::DEFAULT_TRIM_THRESHOLD_DBFS)),
            RawTrim::On(false) => Ok(None),
            RawTrim::Threshold(v) => Options::TRIM_THRESHOLD_DBFS.check(*v).map(Some),
        };
        match value {
            Ok(value) => {
                out.trim_silence = Some(Setting {
                    value,
                    span: t.span(),
                })
            }
            Err(e) => p.at(t.span(), e.problem, e.fix),
        }
    }
    let word = |s: &Spanned<String>, what: &str, allowed: &[&str], p: &mut Problems<'_>| {
        let v = s.get_ref().to_ascii_lowercase();
        if allowed.contains(&v.as_str()) {
            Some(Setting {
                value: v,
                span: s.span(),
            })
        } else {
            let list: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
            p.at(
                s.span(),
                format!("unknown {what} {:?}", s.get_ref()),
                format!("use one of {}", list.join(", ")),
            );
            None
        }
    };
    if let Some(c) = &raw.channel {
        out.channel = word(c, "channel", &["mix", "left", "right", "mid"], p);
    }
    if let Some(o) = &raw.on_oversize {
        out.on_oversize = word(o, "on_oversize", &["fit", "error"], p);
    }
    out.clip = raw.clip.as_ref().map(set);
    out.limiter = raw.limiter.as_ref().map(set);
    out
}

/// Checks that a path from the file is relative and does not climb out of the root.
fn check_inside(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("is empty");
    }
    let p = Path::new(path);
    if p.is_absolute() || path.starts_with('/') || path.starts_with('\\') {
        return Err("is an absolute path; paths are relative to the folder holding ringforge.toml");
    }
    let mut depth: i64 = 0;
    for c in p.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => {
                return Err(
                    "is an absolute path; paths are relative to the folder holding ringforge.toml",
                )
            }
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return Err("points outside the repository");
                }
            }
            Component::Normal(_) => depth += 1,
        }
    }
    Ok(())
}

/// The path with `.` and `name/..` resolved, components joined by `/` (empty for the root).
fn lexical_normal(path: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in Path::new(path).components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> (tempfile::TempDir, Result<Config, ConfigError>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/a.wav"), b"RIFF").unwrap();
        std::fs::write(dir.path().join("src/b.wav"), b"RIFF").unwrap();
        let path = dir.path().join("ringforge.toml");
        std::fs::write(&path, text).unwrap();
        let r = Config::load(&path);
        (dir, r)
    }

    fn problems(text: &str) -> Vec<ConfigProblem> {
        load(text).1.unwrap_err().problems
    }

    #[test]
    fn every_conditioning_setting_reaches_the_options() {
        let (_d, c) = load(
            "[defaults]\nnormalize = \"peak\"\n[[tone]]\nid = \"a\"\nsource = \"src/a.wav\"\n\
             start = 12.5\nlength = \"0:20\"\ntrim_silence = -45\nnormalize = \"none\"\n\
             on_oversize = \"error\"\nclip = true\nfade_out_seconds = 1\ngain_db = -3\n\
             limiter = false\n",
        );
        let o = &c.unwrap().tones[0].options;
        assert!(!o.limiter);
        assert_eq!(o.start, Some(12.5));
        assert_eq!(o.length, Some(20.0));
        assert_eq!(o.trim_silence, Some(-45.0));
        assert_eq!(o.normalize, None, "the tone's `none` wins over [defaults]");
        assert_eq!(o.on_oversize, crate::Oversize::Error);
        assert!(o.clip);
        assert_eq!(o.fade_out_seconds, 1.0);
        assert_eq!(o.gain_db, -3.0);
        assert_ne!(o.fingerprint(), Options::default().fingerprint());
    }

    #[test]
    fn minimal_config_and_defaults() {
        let (_d, c) = load("[[tone]]\nid = \"a\"\nsource = \"src/a.wav\"\n");
        let c = c.unwrap();
        assert_eq!(c.output.dir_in_config, "out");
        assert_eq!(c.output.ext, Extension::Sln);
        assert_eq!(c.output.manifests, Which::ALL);
        assert_eq!(c.tones[0].display, "A");
        assert_eq!(c.tones[0].file_name, "a.sln");
        assert_eq!(c.tones[0].line, 1);
        assert_eq!(c.tones[0].options, Options::default());
    }

    #[test]
    fn full_config() {
        let (_d, c) = load(
            r#"
[output]
dir = "phones/tones"
ext = "sln16"
url_prefix = "http://pbx/digium_phones/"
max_bytes = 500000
manifests = ["xml", "json"]
builtin_tones = false

[defaults]
dither = "none"

[[tone]]
id = "a"
display = "Tone A"
source = "src/a.wav"
dither = "tpdf"
allow_upsample = true

[[tone]]
id = "b"
source = "./src/../src/b.wav"

[[alert]]
alert_info = "frontdesk"
tone = "A"

[[alert]]
alert_info = "page"
ring_type = "answer"
"#,
        );
        let c = c.unwrap();
        assert_eq!(c.output.ext, Extension::Sln16);
        assert_eq!(c.output.max_bytes, 500_000);
        assert!(!c.output.manifests.dpma && c.output.manifests.xml);
        assert!(!c.output.builtin_tones);
        assert_eq!(c.tones[0].options.dither, Dither::Tpdf);
        assert!(c.tones[0].options.allow_upsample);
        assert_eq!(c.tones[0].options.max_bytes, 500_000);
        assert_eq!(c.tones[1].options.dither, Dither::None);
        assert_eq!(c.tones[1].file_name, "b.sln16");
        assert_eq!(c.alerts[1].ring_type, RingType::Answer);
    }

    #[test]
    fn unknown_keys_have_lines() {
        let p = problems("[[tone]]\nid = \"a\"\nsource = \"src/a.wav\"\ncolour = 3\n");
        assert_eq!(p[0].line, Some(4), "{p:?}");
        assert!(p[0].message.contains("colour"), "{p:?}");
        let p = problems("[outptu]\ndir = \"x\"\n");
        assert_eq!(p[0].line, Some(1), "{p:?}");
    }

    #[test]
    fn semantic_errors_have_lines_and_are_all_reported() {
        let p = problems(
            "[[tone]]\nid = \"a\"\nsource = \"src/a.wav\"\n\n\
             [[tone]]\nid = \"A\"\nsource = \"src/missing.wav\"\n\n\
             [[tone]]\nid = \"Vibe\"\nsource = \"../../etc/passwd\"\n\n\
             [[alert]]\nalert_info = \"x\"\ntone = \"nope\"\n",
        );
        let lines: Vec<_> = p.iter().map(|p| p.line.unwrap()).collect();
        assert_eq!(lines, [6, 7, 10, 11, 15], "{p:#?}");
        assert!(p[0].message.contains("duplicate"));
        assert!(p[1].message.contains("missing.wav"));
        assert!(p[2].message.contains("built-in"));
        assert!(p[3].message.contains("outside the repository"));
        assert!(p[4].message.contains("nope"));
        assert!(p.iter().all(|p| !p.fix.is_empty()), "{p:#?}");
    }

    #[test]
    fn conditioning_settings_are_honoured_and_checked() {
        let (_d, c) = load(
            "[defaults]\nstart = \"0:05\"\nnormalize = \"loudness:-18\"\n\
             [[tone]]\nid = \"a\"\nsource = \"src/a.wav\"\nchannel = \"left\"\n",
        );
        let o = &c.unwrap().tones[0].options;
        assert_eq!(o.start, Some(5.0));
        assert_eq!(o.channel, crate::ChannelPick::Left);
        assert!(
            matches!(o.normalize, Some(crate::Normalize::Loudness { target_lufs, .. }) if target_lufs == -18.0)
        );
        let p = problems(
            "[defaults]\ngain_db = 5.0\n[[tone]]\nid = \"a\"\nsource = \"src/a.wav\"\nchannel = \"centre\"\n",
        );
        assert_eq!(p[0].line, Some(6), "{p:?}");
        assert!(p[0].message.contains("channel"), "{p:?}");
        let p = problems("[[tone]]\nid = \"a\"\nsource = \"src/a.wav\"\nstart = \"1:75\"\n");
        assert!(p[0].message.contains("time"), "{p:?}");
        let p = problems("[[tone]]\nid = \"a\"\nsource = \"src/a.wav\"\nnormalize = \"loud\"\n");
        assert!(p[0].message.contains("normalize"), "{p:?}");
    }

    #[test]
    fn output_dir_must_be_inside_and_not_root() {
        for dir in ["/tmp/x", "..", ".", "a/../.."] {
            let p = problems(&format!(
                "[output]\ndir = \"{dir}\"\n[[tone]]\nid = \"a\"\nsource = \"src/a.wav\"\n"
            ));
            assert_eq!(p[0].line, Some(2), "{dir}: {p:?}");
        }
        let p = problems("[output]\ndir = \"src\"\n[[tone]]\nid = \"a\"\nsource = \"src/a.wav\"\n");
        assert!(p[0].message.contains("inside the output folder"), "{p:?}");
    }

    #[test]
    fn times() {
        let parse_time = |s| crate::options::parse_time(s).ok();
        assert_eq!(parse_time("0:05"), Some(5.0));
        assert_eq!(parse_time("1:02:03.5"), Some(3723.5));
        for bad in ["", "-1", "a", "1::2", "1:2:3:4", "nan"] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn line_columns_count_characters() {
        assert_eq!(line_col("é\nxyz", 4), (2, 2));
        assert_eq!(line_col("abc", 99), (1, 4));
    }
}
