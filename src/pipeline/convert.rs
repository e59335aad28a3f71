//! One conversion, start to end: decode → mono → 16 kHz → 16-bit, with the report.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use symphonia::core::io::MediaSource;

use crate::contain::{in_decoder, Caught};
use crate::options::{Normalize, Oversize};
use crate::pipeline::condition;
use crate::pipeline::decode::Decoder;
use crate::pipeline::quantize;
use crate::pipeline::resample::{self, TARGET_RATE};
use crate::report::{Report, SourceInfo, Warning};
use crate::{Error, Options, Result};

use super::part::{read_part, Part, Window};
use super::tone::Tone;

/// Converts the audio file at `path`.
///
/// The file is read as it is decoded, never whole, and decoding stops as soon as the part the
/// tone needs (see [`Options::start`], [`Options::length`], [`Options::max_bytes`]) has been
/// decoded, plus the few milliseconds the resampler needs to settle.
pub fn convert_path(path: impl AsRef<Path>, opts: &Options) -> Result<Tone> {
    let path = path.as_ref();
    // Look before opening: opening a FIFO would wait for a writer forever.
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    check_regular_file(path, &meta)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // The path may have been swapped between the two looks; check what was opened too.
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    check_regular_file(path, &meta)?;
    let hint = path.extension().and_then(|e| e.to_str());
    guarded(|| convert_source(Box::new(file), hint, opts))
}

fn check_regular_file(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    let what = if meta.is_file() {
        return Ok(());
    } else if meta.is_dir() {
        "is a directory, not an audio file"
    } else {
        "is not a regular file (a FIFO, socket or device) — give an audio file"
    };
    Err(Error::io(path, std::io::Error::other(what)))
}

/// Converts audio held in memory; `hint` is the file extension (`"mp3"`), if known.
///
/// ```
/// # fn main() -> ringforge::Result<()> {
/// // Half a second of a 1 kHz tone as a 48 kHz 16-bit mono WAV file, built in memory.
/// let wav = ringforge::signal::wav_i16(48_000, 1, &ringforge::signal::sine(1000.0, 0.5, 48_000, 24_000));
/// let tone = ringforge::convert_bytes(&wav, Some("wav"), &ringforge::Options::default())?;
/// assert_eq!(tone.samples().len(), 8_000);
/// assert_eq!(tone.sln_bytes().len(), 16_000);
/// assert_eq!(tone.report().source.sample_rate, 48_000);
/// # Ok(())
/// # }
/// ```
pub fn convert_bytes(bytes: &[u8], hint: Option<&str>, opts: &Options) -> Result<Tone> {
    guarded(|| convert_source(Box::new(std::io::Cursor::new(bytes)), hint, opts))
}

/// Converts audio from any seekable reader (an upload, a database blob…); `hint` is the file
/// extension, if known.
pub fn convert_reader<R: Read + Seek + Send + Sync>(
    reader: R,
    hint: Option<&str>,
    opts: &Options,
) -> Result<Tone> {
    guarded(|| convert_source(Box::new(SeekSource::new(reader)), hint, opts))
}

/// Runs `f`, turning a panic into that file's error: [`Error::Panicked`] when a decoder raised
/// it, [`Error::Internal`] otherwise (see [`crate::contain`]).
pub(crate) fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    crate::contain::contain(f).unwrap_or_else(|caught| {
        Err(match caught {
            Caught::Decoder(message) => Error::Panicked { message },
            Caught::Own(message) => Error::Internal { message },
        })
    })
}

pub(crate) fn convert_source<'s>(
    mut source: Box<dyn MediaSource + 's>,
    hint: Option<&str>,
    opts: &Options,
) -> Result<Tone> {
    opts.validate()?;
    // The source's reader runs here as well as in the decoders: its panic is the reading's.
    let seed = in_decoder(|| crate::fingerprint::dither_seed(&mut source, opts)).map_err(|e| {
        Error::Corrupt {
            reason: format!("the source could not be read: {e}"),
        }
    })?;
    let decoder = Decoder::open(source, hint, &opts.limits)?;
    let part = read_part(decoder, opts)?;
    make_tone(part, opts, seed)
}

/// Resamples the part, cuts the selection, then trims, fits, sets the level, quantizes and
/// measures.
fn make_tone(part: Part, opts: &Options, seed: u64) -> Result<Tone> {
    let mut warnings = source_warnings(&part, opts);
    let (info, w, mut selection) = select(part)?;
    if selection.x.is_empty() {
        return Err(Error::Invalid(format!(
            "the start (`start={:.3}`) leaves nothing of the source ({:.3} s) — choose an earlier \
             start",
            opts.start.unwrap_or(0.0),
            info.end_seconds()
        )));
    }
    let trimmed = shape(&mut selection, &info, w, opts, &mut warnings)?;
    let mut x = selection.x;
    let (gain_db, limiting) = set_level(&mut x, opts, &mut warnings);

    let (samples, stats) = quantize::quantize(&x, opts.dither, seed);
    let peak_dbfs = condition::peak_dbfs_i16(&samples);
    if stats.clipped > 0 {
        warnings.push(Warning::Clipped {
            samples: stats.clipped,
        });
    }
    if peak_dbfs < condition::SILENT_PEAK_DBFS {
        warnings.push(Warning::Silent { peak_dbfs });
    }
    // Measured on the samples as written, in the float buffer no longer needed.
    let loudness = crate::pipeline::loudness::measure_i16_with(&samples, &mut x);
    drop(x);
    warnings.extend(loudness_missed(opts, &warnings, loudness.integrated_lufs));
    let n = samples.len() as u64;
    let report = Report {
        source: info,
        output_samples: n,
        bytes: n * 2,
        duration_seconds: n as f64 / f64::from(TARGET_RATE),
        peak_dbfs,
        clipped_samples: stats.clipped,
        gain_db,
        trimmed_start_seconds: trimmed.leading as f64 / f64::from(TARGET_RATE),
        trimmed_end_seconds: trimmed.trailing as f64 / f64::from(TARGET_RATE),
        loudness_lufs: loudness.integrated_lufs,
        true_peak_dbtp: loudness.true_peak_dbtp(),
        dithered: stats.dithered,
        limiting,
        warnings,
    };
    Ok(Tone { samples, report })
}

/// [`Warning::LoudnessMissed`] when loudness normalisation left the tone, as written and
/// measured, further from its target than promised with no other warning saying why.
fn loudness_missed(opts: &Options, warnings: &[Warning], measured: Option<f64>) -> Option<Warning> {
    let Some(Normalize::Loudness { target_lufs, .. }) = opts.normalize else {
        return None;
    };
    let explained = warnings.iter().any(|w| {
        matches!(
            w,
            Warning::LoudnessLimited { .. } | Warning::NotNormalized | Warning::GainReduced { .. }
        )
    });
    let reached = measured?;
    ((reached - target_lufs).abs() > condition::LOUDNESS_TOLERANCE_LU && !explained).then_some(
        Warning::LoudnessMissed {
            target_lufs,
            reached_lufs: reached,
        },
    )
}

/// What the source and the mix warn of, before any conditioning.
fn source_warnings(part: &Part, opts: &Options) -> Vec<Warning> {
    let info = &part.info;
    let mut warnings = Vec::new();
    if info.sample_rate < TARGET_RATE && !opts.allow_upsample {
        warnings.push(Warning::Upsampled {
            from: info.sample_rate,
        });
    }
    if info.truncated {
        warnings.push(Warning::Truncated {
            decoded_seconds: info.decoded_seconds(),
            declared_seconds: info.declared_seconds,
        });
    }
    if info.packet_errors > 0 {
        warnings.push(Warning::PacketErrors {
            count: info.packet_errors,
        });
    }
    if let Some(lost_db) = part.downmix_loss_db {
        warnings.push(Warning::DownmixLoss { lost_db });
    }
    warnings
}

/// The selection at 16 kHz.
struct Selection {
    x: Vec<f32>,
    /// Whether the selection ends before the source does (its end was cut).
    cut_end: bool,
    /// Whether decoding stopped at the size cap.
    cut_by_cap: bool,
    /// Output samples of silence dropped while decoding, before the selection's first sample.
    dropped_lead: usize,
}

/// Resamples the part to 16 kHz and cuts the selection, in whole-source output coordinates.
fn select(part: Part) -> Result<(SourceInfo, Window, Selection)> {
    let Part {
        info,
        window: w,
        mono,
        first_frame,
        more_after,
        cut_by_cap,
        ..
    } = part;
    let stored_end = first_frame + mono.len() as u64;
    let mut x = resample::to_16k(&mono, w.rate)?;
    drop(mono);
    let o0 = w.out_floor(first_frame);
    let mut end = x.len() as u64;
    if more_after {
        // The last samples did not see the audio after them: use only settled ones.
        let settled = w.out_floor(stored_end.saturating_sub(w.tail));
        end = end.min(settled.saturating_sub(o0));
    }
    let mut cut_end = more_after;
    if let Some(e) = w.end_out {
        let e = e.saturating_sub(o0);
        if e < x.len() as u64 {
            cut_end = true;
        }
        end = end.min(e);
    }
    let begin = w.start_out.saturating_sub(o0).min(end);
    let dropped_lead = (o0 + begin).saturating_sub(w.start_out) as usize;
    x.truncate(end as usize);
    x.drain(..begin as usize);
    let selection = Selection {
        x,
        cut_end,
        cut_by_cap,
        dropped_lead,
    };
    Ok((info, w, selection))
}

/// Trims silence, fits the tone under the cap (fading where it was cut) and fades in after a
/// cut start. Returns what was trimmed.
fn shape(
    selection: &mut Selection,
    info: &SourceInfo,
    w: Window,
    opts: &Options,
    warnings: &mut Vec<Warning>,
) -> Result<condition::Trimmed> {
    let x = &mut selection.x;
    let mut trimmed = match opts.trim_silence {
        Some(db) => condition::trim_silence(x, db, condition::TRIM_MARGIN_SAMPLES),
        None => condition::Trimmed::default(),
    };
    trimmed.leading += selection.dropped_lead;
    let max_out = opts.max_samples() as usize;
    let fade = (opts.fade_out_seconds * f64::from(TARGET_RATE)).round() as usize;
    let over = x.len() > max_out;
    if over && opts.on_oversize == Oversize::Error {
        let samples = x.len() as u64;
        return Err(Error::TooLarge {
            bytes: samples * 2,
            seconds: samples as f64 / f64::from(TARGET_RATE),
            max_bytes: opts.max_bytes,
        });
    }
    // A cut inside the sound fades out; a tone whose end was trimmed already ends in silence.
    let faded = if over || (selection.cut_end && trimmed.trailing == 0) {
        x.truncate(max_out);
        let fade = fade.min(x.len() / 2);
        condition::fade_out(x, fade);
        fade
    } else {
        0
    };
    if over || selection.cut_by_cap {
        let (source_seconds, source_seconds_known) = match info.declared_seconds {
            Some(s) => (s, true),
            None => (info.end_seconds(), !info.stopped_early),
        };
        warnings.push(Warning::Fitted {
            source_seconds,
            source_seconds_known,
            start_seconds: (w.start_out + trimmed.leading as u64) as f64 / f64::from(TARGET_RATE),
            kept_seconds: x.len() as f64 / f64::from(TARGET_RATE),
            fade_seconds: faded as f64 / f64::from(TARGET_RATE),
        });
    }
    if w.start_out > 0 && trimmed.leading == 0 {
        condition::fade_in(x, condition::FADE_IN_SAMPLES);
    }
    Ok(trimmed)
}

/// Sets the level: gain, normalisation, then never clip unless asked to. Returns the gain
/// applied in all and the limiting the loudness normalisation used.
fn set_level(
    x: &mut [f32],
    opts: &Options,
    warnings: &mut Vec<Warning>,
) -> (f64, Option<crate::report::Limiting>) {
    let mut gain_db = opts.gain_db;
    let mut limiting = None;
    condition::apply_gain(x, opts.gain_db);
    // A tone whose loudness cannot be measured is left as it is, with a warning saying why:
    // too short (under 400 ms), or under the meter's absolute gate with audible peaks (near
    // silence raises its own warning).
    let unmeasured = |x: &[f32]| {
        let peak = condition::peak(x);
        if peak > 0.0 && x.len() < TARGET_RATE as usize * 2 / 5 {
            Some(Warning::NotNormalized)
        } else if condition::gain_to_db(f64::from(peak)) >= condition::SILENT_PEAK_DBFS {
            Some(Warning::BelowLoudnessGate)
        } else {
            None
        }
    };
    match opts.normalize {
        Some(Normalize::Peak { ceiling_dbfs }) => {
            if let Some(g) = condition::peak_gain_db(x, ceiling_dbfs, opts.dither) {
                condition::apply_gain(x, g);
                gain_db += g;
            }
        }
        Some(Normalize::Loudness {
            target_lufs,
            true_peak_ceiling_dbtp: ceiling,
        }) if opts.limiter => {
            match condition::normalize_loudness_limited(x, target_lufs, ceiling, opts.dither) {
                Some(n) => {
                    gain_db += n.gain_db;
                    limiting = n.limiting;
                    warnings.extend(n.warnings(target_lufs, ceiling));
                }
                None => warnings.extend(unmeasured(x)),
            }
        }
        Some(Normalize::Loudness {
            target_lufs,
            true_peak_ceiling_dbtp: ceiling,
        }) => match condition::loudness_gain(x, target_lufs, ceiling, opts.dither) {
            Some(g) => {
                condition::apply_gain(x, g.gain_db);
                gain_db += g.gain_db;
                if g.limited {
                    warnings.push(Warning::LoudnessLimited {
                        target_lufs,
                        reached_lufs: g.reached_lufs,
                        ceiling_dbtp: ceiling,
                    });
                }
            }
            None => warnings.extend(unmeasured(x)),
        },
        None => {}
    }
    if !opts.clip {
        if let Some(g) = condition::anti_clip_gain_db(x, opts.dither) {
            condition::apply_gain(x, g);
            gain_db += g;
            warnings.push(Warning::GainReduced { gain_db: g });
        }
    }
    (gain_db, limiting)
}

/// Adapts any `Read + Seek` to symphonia's `MediaSource`.
struct SeekSource<R> {
    inner: R,
    len: Option<u64>,
}

impl<R: Read + Seek> SeekSource<R> {
    fn new(mut inner: R) -> Self {
        let len = (|| {
            let pos = inner.stream_position().ok()?;
            let end = inner.seek(SeekFrom::End(0)).ok()?;
            inner.seek(SeekFrom::Start(pos)).ok()?;
            Some(end.saturating_sub(pos))
        })();
        SeekSource { inner, len }
    }
}

impl<R: Read> Read for SeekSource<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: Seek> Seek for SeekSource<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

impl<R: Read + Seek + Send + Sync> MediaSource for SeekSource<R> {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_told_as_the_decoders_or_as_ringforges() {
        let decoder = guarded::<()>(|| in_decoder(|| panic!("bad frame"))).unwrap_err();
        assert_eq!(decoder.kind(), "decoder_panic");
        assert!(
            decoder
                .to_string()
                .starts_with("the decoder failed on this file; it may be corrupt (bad frame"),
            "{decoder}"
        );
        let own = guarded::<()>(|| {
            in_decoder(|| ());
            panic!("limiter index")
        })
        .unwrap_err();
        assert_eq!(own.kind(), "internal_error");
        let text = own.to_string();
        assert!(text.contains("(limiter index)"), "{text}");
        assert!(
            text.contains("a bug in ringforge, not a fault of the file"),
            "{text}"
        );
    }

    #[test]
    fn a_missed_loudness_target_is_told_unless_another_warning_says_why() {
        let mut opts = Options::default();
        let missed = |opts: &Options, warnings: &[Warning], lufs: f64| {
            loudness_missed(opts, warnings, Some(lufs))
        };
        // Not normalising to a loudness: nothing to miss.
        assert_eq!(missed(&opts, &[], -30.0), None);
        opts.normalize = Some(Normalize::loudness());
        assert_eq!(missed(&opts, &[], -16.4), None);
        assert_eq!(missed(&opts, &[], -15.6), None);
        assert_eq!(
            missed(&opts, &[], -16.6),
            Some(Warning::LoudnessMissed {
                target_lufs: -16.0,
                reached_lufs: -16.6
            })
        );
        assert!(missed(&opts, &[], -15.3).is_some());
        let limited = Warning::LoudnessLimited {
            target_lufs: -16.0,
            reached_lufs: -18.0,
            ceiling_dbtp: -1.0,
        };
        assert_eq!(missed(&opts, &[limited], -18.0), None);
        assert_eq!(loudness_missed(&opts, &[], None), None);
        let text = missed(&opts, &[], -17.2).unwrap().to_string();
        assert!(text.contains("normalize=loudness:-17"), "{text}");
    }
}
