//! Conversion options from their `ringforge.toml` names: the keyword form the Python and
//! JavaScript packages take (`normalize = "loudness:-16"`, `start = "0:12.5"`,
//! `max_bytes = 500000`, `max_decoded_seconds = 60`, …).
//!
//! The settings of `[defaults]` are read by the code that reads `ringforge.toml`, so a value
//! means the same thing, and fails with the same message, in both places. `max_bytes` (from
//! `[output]`) and the safety limits of [`Limits`] complete the set: [`NAMES`] lists them all.
//!
//! ```
//! use ringforge::keywords::{options, KeywordError};
//! let table: toml::Table = toml::from_str(r#"
//! normalize = "loudness:-18"
//! start = "0:01.5"
//! trim_silence = true
//! max_decoded_seconds = 60
//! "#).unwrap();
//! let opts = options(&table).unwrap();
//! assert_eq!(opts.start, Some(1.5));
//! assert_eq!(opts.trim_silence, Some(-60.0));
//! assert_eq!(opts.limits.max_decoded_seconds, 60);
//!
//! let bad: toml::Table = toml::from_str("loudness = -16").unwrap();
//! assert!(matches!(options(&bad), Err(KeywordError::Unknown { .. })));
//! let bad: toml::Table = toml::from_str("normalize = \"louder\"").unwrap();
//! assert!(matches!(options(&bad), Err(KeywordError::Invalid(_))));
//! ```

use std::fmt;
use std::path::PathBuf;

use crate::batch::Extension;
use crate::config::{self, OutputConfig, Problems, RawSettings, Settings};
use crate::manifest::Which;
use crate::{Error, Limits, Options};

/// The settings a `[defaults]` table (and each `[[tone]]`) of `ringforge.toml` may hold.
pub const SETTING_NAMES: &[&str] = &[
    "dither",
    "allow_upsample",
    "start",
    "length",
    "gain_db",
    "normalize",
    "trim_silence",
    "channel",
    "on_oversize",
    "fade_out_seconds",
    "clip",
    "limiter",
];

/// The safety limits ([`Limits`]), by field name.
pub const LIMIT_NAMES: &[&str] = &[
    "max_input_bytes",
    "max_decoded_seconds",
    "max_channels",
    "max_sample_rate",
    "min_sample_rate",
    "max_frames_per_packet",
];

/// Every name [`options`] accepts: [`SETTING_NAMES`], `max_bytes` and [`LIMIT_NAMES`].
pub const NAMES: &[&str] = &[
    "dither",
    "allow_upsample",
    "start",
    "length",
    "gain_db",
    "normalize",
    "trim_silence",
    "channel",
    "on_oversize",
    "fade_out_seconds",
    "clip",
    "limiter",
    "max_bytes",
    "max_input_bytes",
    "max_decoded_seconds",
    "max_channels",
    "max_sample_rate",
    "min_sample_rate",
    "max_frames_per_packet",
];

/// Why [`options`] refused a set of keywords.
#[derive(Debug)]
#[non_exhaustive]
pub enum KeywordError {
    /// A name that is no option (a Python `TypeError`).
    Unknown {
        /// The name as given.
        name: String,
    },
    /// A value that cannot be used: [`Error::Invalid`], whose message names the option.
    Invalid(Error),
}

impl fmt::Display for KeywordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeywordError::Unknown { name } => write!(
                f,
                "unknown option `{name}` — use one of {}",
                NAMES.join(", ")
            ),
            KeywordError::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for KeywordError {}

/// The options `table` describes, on top of [`Options::default`].
///
/// # Errors
///
/// [`KeywordError::Unknown`] for the first name not in [`NAMES`] (in the table's order);
/// [`KeywordError::Invalid`] for a value of the wrong type or out of its range.
pub fn options(table: &toml::Table) -> Result<Options, KeywordError> {
    if let Some(name) = table.keys().find(|k| !NAMES.contains(&k.as_str())) {
        return Err(KeywordError::Unknown { name: name.clone() });
    }
    let invalid = |message: String| KeywordError::Invalid(Error::Invalid(message));
    let settings_table: toml::Table = table
        .iter()
        .filter(|(k, _)| SETTING_NAMES.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let settings = read_settings(&settings_table).map_err(invalid)?;

    let mut max_bytes = crate::sln::DEFAULT_MAX_BYTES;
    if let Some(v) = table.get("max_bytes") {
        max_bytes = whole("max_bytes", v, u64::MAX).map_err(invalid)?;
        Options::check_max_bytes(max_bytes).map_err(|e| invalid(e.to_string()))?;
    }
    let output = OutputConfig {
        dir: PathBuf::from(config::DEFAULT_OUTPUT_DIR),
        dir_in_config: config::DEFAULT_OUTPUT_DIR.to_string(),
        ext: Extension::Sln,
        url_prefix: None,
        max_bytes,
        manifests: Which::ALL,
        builtin_tones: true,
    };
    let mut opts = config::tone_options(&output, &Settings::default(), &settings)
        .map_err(|u| invalid(u.message))?;
    opts.limits = limits(table).map_err(invalid)?;
    Ok(opts)
}

/// Reads the `[defaults]` settings in `table` with the configuration file's own reader.
fn read_settings(table: &toml::Table) -> Result<Settings, String> {
    let text = toml::to_string(table).map_err(|e| e.to_string())?;
    let raw: RawSettings = toml::from_str(&text).map_err(|e| {
        // The text holds one `name = value` line per setting: name the one that failed.
        let line = e
            .span()
            .map(|s| config::line_col(&text, s.start).0)
            .and_then(|l| text.lines().nth(l - 1))
            .and_then(|l| l.split_once(" = "))
            .map_or(String::new(), |(name, _)| format!("`{name}`: "));
        format!("{line}{}", e.message().trim())
    })?;
    let mut problems = Problems {
        text: &text,
        list: Vec::new(),
    };
    let settings = config::settings(&raw, &mut problems);
    match problems.list.first() {
        None => Ok(settings),
        Some((_, p)) if p.fix.is_empty() => Err(p.message.clone()),
        Some((_, p)) => Err(format!("{} — {}", p.message, p.fix)),
    }
}

/// The safety limits in `table`, the others at their defaults.
fn limits(table: &toml::Table) -> Result<Limits, String> {
    let mut limits = Limits::default();
    let get = |name: &'static str, max: u64| -> Result<Option<u64>, String> {
        table.get(name).map(|v| whole(name, v, max)).transpose()
    };
    if let Some(v) = get("max_input_bytes", u64::MAX)? {
        limits.max_input_bytes = v;
    }
    if let Some(v) = get("max_decoded_seconds", u64::MAX)? {
        limits.max_decoded_seconds = v;
    }
    if let Some(v) = get("max_channels", u64::from(u16::MAX))? {
        limits.max_channels = v as u16;
    }
    if let Some(v) = get("max_sample_rate", u64::from(u32::MAX))? {
        limits.max_sample_rate = v as u32;
    }
    if let Some(v) = get("min_sample_rate", u64::from(u32::MAX))? {
        limits.min_sample_rate = v as u32;
    }
    if let Some(v) = get("max_frames_per_packet", u64::MAX)? {
        limits.max_frames_per_packet = v;
    }
    Ok(limits)
}

/// A whole number from 1 to `max`.
fn whole(name: &str, value: &toml::Value, max: u64) -> Result<u64, String> {
    value
        .as_integer()
        .and_then(|v| u64::try_from(v).ok())
        .filter(|v| (1..=max).contains(v))
        .ok_or_else(|| format!("`{name}` is {value}, not a whole number from 1 to {max}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    fn message(text: &str) -> String {
        match options(&table(text)) {
            Err(KeywordError::Invalid(e)) => e.to_string(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn names_are_the_settings_max_bytes_and_the_limits() {
        let mut all: Vec<&str> = SETTING_NAMES.to_vec();
        all.push("max_bytes");
        all.extend(LIMIT_NAMES);
        assert_eq!(all, NAMES);
    }

    #[test]
    fn every_setting_is_read_as_the_config_reads_it() {
        let o = options(&table(
            r#"
            dither = "none"
            allow_upsample = true
            start = 2
            length = "0:03.5"
            gain_db = -3
            normalize = "peak:-2"
            trim_silence = -50.0
            channel = "left"
            on_oversize = "error"
            fade_out_seconds = 0.25
            clip = true
            limiter = false
            max_bytes = 64000
            max_input_bytes = 1000
            max_decoded_seconds = 30
            max_channels = 2
            max_sample_rate = 48000
            min_sample_rate = 8000
            max_frames_per_packet = 4096
            "#,
        ))
        .unwrap();
        let want = Options {
            dither: crate::Dither::None,
            allow_upsample: true,
            start: Some(2.0),
            length: Some(3.5),
            gain_db: -3.0,
            normalize: Some(crate::Normalize::Peak { ceiling_dbfs: -2.0 }),
            trim_silence: Some(-50.0),
            channel: crate::ChannelPick::Left,
            on_oversize: crate::Oversize::Error,
            fade_out_seconds: 0.25,
            clip: true,
            limiter: false,
            max_bytes: 64_000,
            limits: Limits {
                max_input_bytes: 1000,
                max_decoded_seconds: 30,
                max_channels: 2,
                max_sample_rate: 48_000,
                min_sample_rate: 8_000,
                max_frames_per_packet: 4096,
            },
        };
        assert_eq!(o, want);
        assert_eq!(options(&toml::Table::new()).unwrap(), Options::default());
        let off = options(&table("normalize = \"none\"\ntrim_silence = false")).unwrap();
        assert_eq!(off, Options::default());
    }

    #[test]
    fn bad_values_name_the_option_and_the_fix() {
        assert!(message("normalize = \"loud\"").contains("normalize"));
        assert!(message("dither = \"yes\"").contains("\"tpdf\" or \"none\""));
        assert!(message("start = \"soon\"").contains("start"));
        assert!(message("clip = \"yes\"").starts_with("`clip`: invalid type"));
        assert!(message("gain_db = 99").contains("gain_db 99 is out of range"));
        assert!(message("max_bytes = 2").contains("at least 3"));
        assert_eq!(options(&table("max_bytes = 3")).unwrap().max_bytes, 3);
        assert!(message("max_channels = 70000").contains("`max_channels`"));
        assert!(message("max_decoded_seconds = 0").contains("from 1"));
        assert!(message("max_decoded_seconds = 1.5").contains("whole number"));
        assert!(message("length = 0.00001").contains("shorter than one sample"));
    }

    #[test]
    fn unknown_names_are_their_own_error() {
        let err = options(&table("gain = 3")).unwrap_err();
        assert!(matches!(&err, KeywordError::Unknown { name } if name == "gain"));
        assert!(err.to_string().contains("gain_db"));
    }
}
