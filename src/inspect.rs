//! What a file is and what converting it would do — the library side of `ringforge inspect`.
//!
//! A *source* (anything the decoders read) is decoded whole and measured — format, duration,
//! sample peak over all channels, EBU R128 loudness and true peak of the source as it is (all
//! channels, ITU-R BS.1770 channel weights) — and then converted in memory with the caller's
//! [`Options`], to list the warnings the conversion would raise (or the error it would fail
//! with) and the tone it would make.
//!
//! A *tone* (`.sln`, `.sln16`, `.raw`: headerless 16 kHz mono 16-bit little-endian) is measured
//! as the phone would play it: duration, level, loudness, silence at its ends, whether the
//! phones accept it, and hints about how it was made (for example 8 kHz audio resampled to
//! 16 kHz has no content above 4 kHz).
//!
//! ```
//! use ringforge::inspect::{inspect_bytes, Inspection};
//! let wav = ringforge::signal::wav_i16(8_000, 1, &ringforge::signal::sine(440.0, 0.5, 8_000, 8_000));
//! let Inspection::Source(s) = inspect_bytes(&wav, Some("wav"), &ringforge::Options::default())? else {
//!     unreachable!()
//! };
//! assert_eq!(s.sample_rate, 8_000);
//! assert!((s.duration_seconds - 1.0).abs() < 1e-9);
//! assert!(s.warnings.contains(&ringforge::Warning::Upsampled { from: 8_000 }));
//!
//! let sln = ringforge::convert_bytes(&wav, Some("wav"), &ringforge::Options::default())?.sln_bytes();
//! let t = ringforge::inspect::inspect_tone(&sln, ringforge::sln::DEFAULT_MAX_BYTES);
//! assert!(t.valid);
//! assert!(t.hints.iter().any(|h| matches!(h, ringforge::inspect::ToneHint::Narrowband { .. })));
//! # Ok::<(), ringforge::Error>(())
//! ```

use std::fmt;
use std::fs::File;
use std::path::Path;

use ebur128::{Channel, EbuR128, Mode};
use serde::Serialize;
use symphonia::core::audio::{Channels, Position};
use symphonia::core::io::MediaSource;

use crate::pipeline::condition;
use crate::pipeline::decode::Decoder;
use crate::pipeline::resample::TARGET_RATE;
use crate::pipeline::{convert_source, guarded};
use crate::report::{Report, Warning};
use crate::sln::{self, is_tone_extension, SlnProblem, SILENT_PEAK_DBFS};
use crate::{Error, Options, Result};

/// Content above this frequency, in Hz, is what an 8 kHz recording cannot have.
const NARROWBAND_EDGE_HZ: f64 = 4_200.0;
/// Energy above [`NARROWBAND_EDGE_HZ`] this far (dB) below the total means "no content there":
/// wideband speech and music sit 10–35 dB below, resampling and dither noise 70 dB and more.
const NARROWBAND_DB: f64 = -50.0;
/// FFT length of the spectrum estimate (32 ms at 16 kHz).
const SPECTRUM_LEN: usize = 512;

/// What [`inspect_path`] or [`inspect_bytes`] found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Inspection {
    /// An audio file in a format the decoders read.
    Source(Box<SourceInspection>),
    /// A raw phone tone (`.sln`, `.sln16`, `.raw`).
    Tone(ToneInspection),
}

/// A source file: what it is, how loud, and what converting it would do.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SourceInspection {
    /// Container format (`wave`, `mp3`, `flac`, `ogg`, `isomp4`, …).
    pub container: String,
    /// Codec (`pcm_s16le`, `mp3`, `flac`, `vorbis`, `aac`, …).
    pub codec: String,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Number of channels.
    pub channels: u16,
    /// Bits per sample, for codecs that have them.
    pub bits_per_sample: Option<u32>,
    /// Duration of the decoded audio in seconds.
    pub duration_seconds: f64,
    /// Duration the container declares, in seconds, when it declares one.
    pub declared_seconds: Option<f64>,
    /// Highest sample magnitude over all channels, in dBFS (null for digital silence).
    #[serde(serialize_with = "crate::report::serialize_db")]
    pub peak_dbfs: f64,
    /// Integrated loudness of the source (EBU R128, all channels with ITU-R BS.1770 weights) in
    /// LUFS; `None` under 0.4 s or silent. A mono tone made from a stereo source with equal
    /// channels measures about 3 LU lower, the difference between two loudspeakers and one.
    pub loudness_lufs: Option<f64>,
    /// True peak of the source over all channels, in dBTP; `None` for digital silence.
    pub true_peak_dbtp: Option<f64>,
    /// Packets that could not be decoded.
    pub packet_errors: u64,
    /// The warnings converting it with the given options would raise.
    pub warnings: Vec<Warning>,
    /// The report of that conversion, when it succeeds.
    pub conversion: Option<Report>,
    /// Why that conversion would fail, when it does (for example a source over the size cap
    /// with [`crate::Oversize::Error`]).
    pub conversion_error: Option<String>,
}

/// A raw phone tone: its level, its silence, and whether the phones accept it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ToneInspection {
    /// File size in bytes.
    pub bytes: u64,
    /// 16-bit samples in the file.
    pub samples: u64,
    /// Duration at 16 kHz, in seconds.
    pub duration_seconds: f64,
    /// Highest sample magnitude, in dBFS (null for digital silence).
    #[serde(serialize_with = "crate::report::serialize_db")]
    pub peak_dbfs: f64,
    /// Integrated loudness (EBU R128) in LUFS; `None` under 0.4 s or silent.
    pub loudness_lufs: Option<f64>,
    /// True peak in dBTP; `None` for digital silence.
    pub true_peak_dbtp: Option<f64>,
    /// Silence (below −60 dBFS) at the start, in seconds.
    pub leading_silence_seconds: f64,
    /// Silence (below −60 dBFS) at the end, in seconds.
    pub trailing_silence_seconds: f64,
    /// Whether the whole tone is below −60 dBFS.
    pub silent: bool,
    /// Energy above 4.2 kHz relative to the whole tone's, in dB; `None` when the tone is shorter
    /// than 32 ms or silent.
    pub high_band_db: Option<f64>,
    /// Whether the phones will accept and play it properly: no [`ToneInspection::problems`].
    pub valid: bool,
    /// What makes it invalid for the phones: [`crate::sln::validate`]'s findings, the same
    /// `ringforge check` reports.
    pub problems: Vec<SlnProblem>,
    /// Things worth knowing that do not make it invalid.
    pub hints: Vec<ToneHint>,
}

/// Something worth knowing about a tone that does not make it invalid.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ToneHint {
    /// No content above 4 kHz: this looks like 8 kHz audio resampled (or labelled) as 16 kHz.
    Narrowband {
        /// Energy above 4.2 kHz relative to the whole tone's, in dB.
        high_band_db: f64,
    },
}

impl fmt::Display for ToneHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToneHint::Narrowband { high_band_db } => write!(
                f,
                "no content above 4 kHz (energy there {high_band_db:.0} dB below the total): \
                 this looks like 8 kHz audio mislabelled or upsampled as 16 kHz and will sound \
                 dull — convert from a 16 kHz-or-better original if there is one"
            ),
        }
    }
}

/// Inspects the file at `path`: a raw tone when its extension is one of
/// [`crate::sln::TONE_EXTENSIONS`],
/// else a source decoded whole and converted in memory with `opts`.
///
/// # Errors
/// The file cannot be read, or (for a source) cannot be decoded at all.
pub fn inspect_path(path: impl AsRef<Path>, opts: &Options) -> Result<Inspection> {
    let path = path.as_ref();
    let ext = path.extension().and_then(|e| e.to_str());
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::io(
            path,
            std::io::Error::other("is a directory, not an audio file"),
        ));
    }
    if ext.is_some_and(is_tone_extension) {
        if meta.len() > opts.limits.max_input_bytes {
            return Err(too_big(meta.len(), opts));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        return Ok(Inspection::Tone(inspect_tone(&bytes, opts.max_bytes)));
    }
    let open = || -> Result<Box<dyn MediaSource>> {
        Ok(Box::new(File::open(path).map_err(|e| Error::io(path, e))?))
    };
    inspect_source(open, ext, opts)
}

/// Inspects a file held in memory; `hint` is its extension, if known (a tone extension makes it
/// a raw tone).
///
/// # Errors
/// For a source, when it cannot be decoded at all.
pub fn inspect_bytes(bytes: &[u8], hint: Option<&str>, opts: &Options) -> Result<Inspection> {
    if hint.is_some_and(is_tone_extension) {
        return Ok(Inspection::Tone(inspect_tone(bytes, opts.max_bytes)));
    }
    let open =
        || -> Result<Box<dyn MediaSource + '_>> { Ok(Box::new(std::io::Cursor::new(bytes))) };
    inspect_source(open, hint, opts)
}

fn too_big(len: u64, opts: &Options) -> Error {
    Error::LimitExceeded {
        what: "input size in bytes",
        value: len,
        limit: opts.limits.max_input_bytes,
        hint: "raise the limit (`max_input_bytes=BYTES`)",
    }
}

fn inspect_source<'a>(
    open: impl Fn() -> Result<Box<dyn MediaSource + 'a>>,
    hint: Option<&str>,
    opts: &Options,
) -> Result<Inspection> {
    let measured = guarded(|| measure_source(open()?, hint, opts))?;
    let converted = open().and_then(|s| guarded(|| convert_source(s, hint, opts)));
    let (conversion, conversion_error) = match converted {
        Ok(tone) => (Some(tone.report().clone()), None),
        Err(e) => (None, Some(e.to_string())),
    };
    Ok(Inspection::Source(Box::new(SourceInspection {
        warnings: conversion
            .as_ref()
            .map(|r| r.warnings.clone())
            .unwrap_or_default(),
        conversion,
        conversion_error,
        ..measured
    })))
}

/// Decodes a source whole and measures it.
fn measure_source(
    source: Box<dyn MediaSource + '_>,
    hint: Option<&str>,
    opts: &Options,
) -> Result<SourceInspection> {
    let mut decoder = Decoder::open(source, hint, &opts.limits)?;
    let mut meter: Option<EbuR128> = None;
    let mut peak = 0.0f32;
    while decoder.next_block()? {
        let planes = decoder.planes();
        if meter.is_none() {
            let rate = decoder.info().sample_rate;
            let mut m = EbuR128::new(planes.len() as u32, rate, Mode::I | Mode::TRUE_PEAK)
                .map_err(|e| Error::Invalid(format!("cannot measure loudness: {e}")))?;
            let map = channel_map(decoder.layout(), planes.len());
            m.set_channel_map(&map)
                .map_err(|e| Error::Invalid(format!("cannot measure loudness: {e}")))?;
            meter = Some(m);
        }
        for p in planes {
            peak = peak.max(condition::peak(p));
        }
        let slices: Vec<&[f32]> = planes.iter().map(Vec::as_slice).collect();
        if let Some(m) = meter.as_mut() {
            m.add_frames_planar_f32(&slices)
                .map_err(|e| Error::Invalid(format!("cannot measure loudness: {e}")))?;
        }
    }
    let info = decoder.into_info();
    if info.frames_decoded == 0 {
        return Err(Error::Empty);
    }
    let (loudness_lufs, true_peak) = meter.map_or((None, 0.0), |m| {
        let tp = (0..m.channels())
            .filter_map(|c| m.true_peak(c).ok())
            .fold(0.0, f64::max);
        (m.loudness_global().ok().filter(|v| v.is_finite()), tp)
    });
    Ok(SourceInspection {
        duration_seconds: info.decoded_seconds(),
        container: info.container,
        codec: info.codec,
        sample_rate: info.sample_rate,
        channels: info.channels,
        bits_per_sample: info.bits_per_sample,
        declared_seconds: info.declared_seconds,
        peak_dbfs: condition::gain_to_db(f64::from(peak)),
        loudness_lufs,
        true_peak_dbtp: (true_peak > 0.0).then(|| condition::gain_to_db(true_peak)),
        packet_errors: info.packet_errors,
        warnings: Vec::new(),
        conversion: None,
        conversion_error: None,
    })
}

/// BS.1770 roles of the source's channels: front left/right/centre and everything else in
/// front at weight 1, surrounds at 1.41 (+1.5 dB), LFE left out.
fn channel_map(layout: Option<&Channels>, count: usize) -> Vec<Channel> {
    match layout {
        Some(Channels::Positioned(mask)) if mask.bits().count_ones() as usize == count => (0..64)
            .map(|bit| 1u64 << bit)
            .filter(|bit| mask.bits() & bit != 0)
            .map(|bit| {
                let p = Position::from_bits_truncate(bit);
                if p == Position::LFE1 || p == Position::LFE2 {
                    Channel::Unused
                } else if p == Position::FRONT_LEFT {
                    Channel::Left
                } else if p == Position::FRONT_RIGHT {
                    Channel::Right
                } else if p == Position::REAR_LEFT || p == Position::SIDE_LEFT {
                    Channel::LeftSurround
                } else if p == Position::REAR_RIGHT || p == Position::SIDE_RIGHT {
                    Channel::RightSurround
                } else {
                    Channel::Center
                }
            })
            .collect(),
        _ => (0..count)
            .map(|i| match i {
                0 => Channel::Left,
                1 => Channel::Right,
                _ => Channel::Center,
            })
            .collect(),
    }
}

/// Measures raw tone bytes (16 kHz mono signed 16-bit little-endian, no header) and checks them
/// against what the phones accept; `max_bytes` is the size cap (exclusive).
pub fn inspect_tone(bytes: &[u8], max_bytes: u64) -> ToneInspection {
    let samples: Vec<i16> = bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let n = samples.len();
    let rate = f64::from(TARGET_RATE);
    let peak_dbfs = condition::peak_dbfs_i16(&samples);
    let silent = peak_dbfs < SILENT_PEAK_DBFS;
    let threshold = (condition::db_to_gain(SILENT_PEAK_DBFS) * 32_768.0).ceil() as i32;
    let loud = |s: &i16| i32::from(*s).abs() >= threshold;
    let (leading, trailing) = match samples.iter().position(loud) {
        Some(first) => {
            let last = samples.iter().rposition(loud).unwrap_or(first);
            (first, n - 1 - last)
        }
        None => (n, n),
    };
    let loudness = crate::pipeline::loudness::measure_i16(&samples);
    let high_band_db = if silent { None } else { high_band_db(&samples) };

    let problems = sln::validate(bytes, max_bytes);
    let mut hints = Vec::new();
    if let Some(db) = high_band_db.filter(|db| *db < NARROWBAND_DB) {
        hints.push(ToneHint::Narrowband { high_band_db: db });
    }
    ToneInspection {
        bytes: bytes.len() as u64,
        samples: n as u64,
        duration_seconds: n as f64 / rate,
        peak_dbfs,
        loudness_lufs: loudness.integrated_lufs,
        true_peak_dbtp: loudness.true_peak_dbtp(),
        leading_silence_seconds: leading as f64 / rate,
        trailing_silence_seconds: trailing as f64 / rate,
        silent,
        high_band_db,
        valid: problems.is_empty(),
        problems,
        hints,
    }
}

/// Energy above [`NARROWBAND_EDGE_HZ`] relative to the total (DC excluded), from a Welch
/// estimate: Hann-windowed frames of [`SPECTRUM_LEN`] samples overlapping by half.
fn high_band_db(samples: &[i16]) -> Option<f64> {
    if samples.len() < SPECTRUM_LEN {
        return None;
    }
    let mut spectrum = crate::power_spectrum::PowerSpectrum::new(SPECTRUM_LEN);
    let hop = SPECTRUM_LEN / 2;
    let mut start = 0;
    while start + SPECTRUM_LEN <= samples.len() {
        spectrum.add_frame(&samples[start..]);
        start += hop;
    }
    let power = spectrum.power();
    let edge = (NARROWBAND_EDGE_HZ / f64::from(TARGET_RATE) * SPECTRUM_LEN as f64).ceil() as usize;
    // Skip DC and the bin next to it (the Hann window spreads DC into bin 1).
    let total: f64 = power[2..].iter().sum();
    let high: f64 = power[edge..].iter().sum();
    if total <= 0.0 {
        return None;
    }
    Some(10.0 * (high.max(f64::MIN_POSITIVE) / total).log10())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal;

    fn as_sln(x: &[f32]) -> Vec<u8> {
        x.iter()
            .flat_map(|s| ((s * 32_768.0).round() as i16).to_le_bytes())
            .collect()
    }

    #[test]
    fn a_good_tone_is_valid_and_measured() {
        let mut x = vec![0.0f32; 1_600];
        x.extend(signal::sweep(100.0, 7_500.0, 0.5, 16_000, 32_000));
        x.extend(vec![0.0f32; 3_200]);
        let t = inspect_tone(&as_sln(&x), 1_000_000);
        assert!(t.valid, "{:?}", t.problems);
        assert_eq!(t.samples, 36_800);
        assert!((t.duration_seconds - 2.3).abs() < 1e-9);
        assert!((t.peak_dbfs + 6.02).abs() < 0.01);
        assert!((t.leading_silence_seconds - 0.1).abs() < 0.001);
        assert!((t.trailing_silence_seconds - 0.2).abs() < 0.001);
        assert!(t.loudness_lufs.is_some());
        assert!(t.hints.is_empty(), "{:?} {:?}", t.hints, t.high_band_db);
        assert!(t.high_band_db.unwrap() > -10.0);
    }

    #[test]
    fn narrowband_audio_is_hinted() {
        let x = signal::sine(1_000.0, 0.5, 16_000, 16_000);
        let t = inspect_tone(&as_sln(&x), 1_000_000);
        assert!(t.valid);
        assert!(
            matches!(t.hints.as_slice(), [ToneHint::Narrowband { high_band_db }] if *high_band_db < -50.0)
        );
        assert!(t.hints[0].to_string().contains("8 kHz"));
    }

    #[test]
    fn problems_are_found() {
        let t = inspect_tone(b"", 1_000_000);
        assert!(!t.valid);
        assert_eq!(t.problems, vec![SlnProblem::Empty]);

        let mut wav = signal::wav_i16(16_000, 1, &signal::sine(440.0, 0.5, 16_000, 1_600));
        wav.push(0);
        let t = inspect_tone(&wav, 1_000);
        assert_eq!(
            t.problems,
            vec![
                SlnProblem::Header {
                    container: "WAV (RIFF)"
                },
                SlnProblem::OddLength { bytes: 3_245 },
                SlnProblem::TooLarge {
                    bytes: 3_245,
                    max_bytes: 1_000
                },
            ]
        );
        let t = inspect_tone(&[0u8; 3_200], 1_000_000);
        assert!(t.silent);
        assert!(
            matches!(t.problems.as_slice(), [SlnProblem::Silent { peak_dbfs }] if peak_dbfs.is_infinite())
        );
        assert_eq!(t.leading_silence_seconds, 0.1);
        assert_eq!(t.high_band_db, None);
        assert!(t.problems[0].to_string().contains("silence"));
    }
}
