//! What a conversion found and did: the source's properties, the output's
//! measurements and the typed warnings a caller may act on.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What the decoder learned about a source file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SourceInfo {
    /// Container format, as a short name (`"wave"`, `"mp3"`, `"flac"`, `"ogg"`, `"isomp4"`, …).
    pub container: String,
    /// Codec, as a short name (`"pcm_s16le"`, `"mp3"`, `"flac"`, `"vorbis"`, `"aac"`, …).
    pub codec: String,
    /// Sample rate of the source in Hz.
    pub sample_rate: u32,
    /// Number of channels in the source.
    pub channels: u16,
    /// Bits per decoded sample, when the codec has such a notion (PCM, FLAC).
    pub bits_per_sample: Option<u32>,
    /// Duration the container declares, in seconds, when it declares one.
    pub declared_seconds: Option<f64>,
    /// Source frames actually decoded (one frame = one sample per channel).
    pub frames_decoded: u64,
    /// Source frames jumped over by seeking to [`crate::Options::start`], never decoded (0 when
    /// decoding began at the start; seeking is used where it is exact: uncompressed audio).
    pub frames_skipped: u64,
    /// Whether decoding stopped before the end of the source because the rest was not needed.
    pub stopped_early: bool,
    /// Packets the decoder could not decode and skipped (recoverable errors).
    pub packet_errors: u64,
    /// Whether the data ended in the middle of a packet or before the length the container
    /// declares: the file was cut short (an interrupted copy or download).
    pub truncated: bool,
}

impl SourceInfo {
    /// Seconds of audio decoded from the source.
    pub fn decoded_seconds(&self) -> f64 {
        if self.sample_rate == 0 {
            0.0
        } else {
            self.frames_decoded as f64 / f64::from(self.sample_rate)
        }
    }

    /// Where in the source decoding ended, in seconds: frames skipped by seeking plus frames
    /// decoded. The source is at least this long.
    pub fn end_seconds(&self) -> f64 {
        if self.sample_rate == 0 {
            0.0
        } else {
            (self.frames_skipped + self.frames_decoded) as f64 / f64::from(self.sample_rate)
        }
    }
}

/// Something about a conversion a person should know; the tone was still produced.
///
/// Every warning's `Display` names the problem and says what to do about it, naming options as
/// `` `name=value` `` (see [`crate::Error`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Warning {
    /// The source rate is below 16 kHz, so it was upsampled: the phone will play a dull tone.
    Upsampled {
        /// The source sample rate in Hz.
        from: u32,
    },
    /// Some packets could not be decoded and were skipped; the tone may have gaps.
    PacketErrors {
        /// How many packets were skipped.
        count: u64,
    },
    /// Samples exceeded full scale and were clipped to the 16-bit range.
    Clipped {
        /// How many output samples were clipped.
        samples: u64,
    },
    /// The output is silent or nearly so.
    Silent {
        /// The output's peak level in dBFS (negative infinity for digital silence; `null` in
        /// JSON).
        #[serde(
            serialize_with = "serialize_db",
            deserialize_with = "deserialize_db_neg"
        )]
        peak_dbfs: f64,
    },
    /// Mixing the channels to mono cancelled much of the source's energy
    /// (anti-phase or very wide stereo).
    DownmixLoss {
        /// How much quieter the mono mix is than the channels on average, in dB (infinite when
        /// the channels cancel exactly; `null` in JSON).
        #[serde(
            serialize_with = "serialize_db",
            deserialize_with = "deserialize_db_pos"
        )]
        lost_db: f64,
    },
    /// The tone would have been longer than the size cap allows: it was cut to fit and faded
    /// out ([`crate::Oversize::Fit`]).
    Fitted {
        /// Duration of the source in seconds: the container's declared duration when it states
        /// one (`source_seconds_known`), else only what was decoded before stopping, so the
        /// source is at least this long.
        source_seconds: f64,
        /// Whether `source_seconds` is the source's full duration rather than a lower bound.
        source_seconds_known: bool,
        /// Where the kept part starts in the source, in seconds.
        start_seconds: f64,
        /// Seconds kept in the tone.
        kept_seconds: f64,
        /// Length of the fade-out at the end, in seconds.
        fade_seconds: f64,
    },
    /// The level was lowered so the tone would not clip.
    GainReduced {
        /// The gain applied, in dB (negative).
        gain_db: f64,
    },
    /// Loudness normalisation stopped short of its target because the true peak would have
    /// exceeded the ceiling.
    LoudnessLimited {
        /// The target, in LUFS.
        target_lufs: f64,
        /// The loudness reached, in LUFS.
        reached_lufs: f64,
        /// The true-peak ceiling that limited the gain, in dBTP.
        ceiling_dbtp: f64,
    },
    /// Reaching the loudness target took more than 6 dB of true-peak limiting: the source is very dynamic (its peaks stand far above its loudness),
    /// and squeezing its peaks that much can be heard. A lower target needs less.
    HeavyLimiting {
        /// The largest gain reduction the limiter applied, in dB (positive).
        max_reduction_db: f64,
        /// Share of the tone the limiter lowered, 0…1 (see [`Limiting::limited_share`]).
        limited_share: f64,
        /// The loudness target, in LUFS.
        target_lufs: f64,
    },
    /// Loudness normalisation was asked for but the tone is too short (under 0.4 s) to measure
    /// its integrated loudness; its level was left as it was.
    NotNormalized,
    /// Loudness normalisation was asked for but the tone's loudness is under the meter's
    /// absolute gate (−70 LUFS) although its peaks are not: near silence with a click or a
    /// spike. Its level was left as it was.
    BelowLoudnessGate,
    /// Loudness normalisation left the tone, as written, more than 0.5 LU from its target
    /// although the true peak allowed more: on a short tone the meter's gates let whole 400 ms
    /// blocks in or out as the level changes, so the loudness jumps over the target and no gain
    /// comes closer.
    LoudnessMissed {
        /// The target, in LUFS.
        target_lufs: f64,
        /// The loudness reached, in LUFS.
        reached_lufs: f64,
    },
    /// The file ends early, in the middle of its audio: only what was there was converted.
    Truncated {
        /// Seconds of audio decoded.
        decoded_seconds: f64,
        /// Seconds the container declares, when it declares a length.
        declared_seconds: Option<f64>,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(result) = self.fmt_level(f) {
            return result;
        }
        match self {
            Warning::Upsampled { from } => write!(
                f,
                "source is {from} Hz; upsampling to 16000 Hz will not sound pleasing \
                 — use a source recorded at 16 kHz or higher (or allow it: `allow_upsample=true`)"
            ),
            Warning::PacketErrors { count } => write!(
                f,
                "{count} packet(s) could not be decoded and were skipped; the tone may have gaps \
                 — re-export the source from the original"
            ),
            Warning::Clipped { samples } => write!(
                f,
                "{samples} sample(s) clipped at full scale — lower the gain or normalise the source"
            ),
            Warning::Silent { peak_dbfs } => {
                if peak_dbfs.is_finite() {
                    write!(
                        f,
                        "output is nearly silent (peak {peak_dbfs:.1} dBFS) — check the source"
                    )
                } else {
                    write!(f, "output is digital silence — check the source")
                }
            }
            Warning::DownmixLoss { lost_db } if lost_db.is_infinite() => write!(
                f,
                "mixing to mono cancelled the sound completely (the channels are in anti-phase) \
                 — pick one channel with `channel=left` or `channel=right`"
            ),
            Warning::DownmixLoss { lost_db } => write!(
                f,
                "mixing to mono lost {lost_db:.1} dB (anti-phase or wide stereo) \
                 — pick one channel with `channel=left` or `channel=right`, or keep the mix on \
                 purpose with `channel=mid`"
            ),
            Warning::Fitted {
                source_seconds,
                source_seconds_known,
                start_seconds,
                kept_seconds,
                fade_seconds,
            } => {
                let at_least = if *source_seconds_known {
                    ""
                } else {
                    "at least "
                };
                write!(
                    f,
                    "source is {at_least}{source_seconds:.2} s; kept {kept_seconds:.2} s"
                )?;
                if *start_seconds > 0.0 {
                    write!(f, " from {start_seconds:.2} s")?;
                }
                if *fade_seconds > 0.0 {
                    write!(f, ", fading out over the last {fade_seconds:.2} s,")?;
                }
                write!(
                    f,
                    " to stay under the size cap — choose the part with `start=TIME` and \
                     `length=TIME` (or refuse long sources with `on_oversize=error`)"
                )
            }
            Warning::Truncated {
                decoded_seconds,
                declared_seconds: Some(declared),
            } => write!(
                f,
                "the file is cut short: {decoded_seconds:.2} s of the {declared:.2} s it declares \
                 could be decoded — copy or download the file again"
            ),
            Warning::Truncated {
                decoded_seconds, ..
            } => write!(
                f,
                "the file is cut short after {decoded_seconds:.2} s of audio \
                 — copy or download the file again"
            ),
            // The level's warnings, written by `fmt_level`.
            Warning::GainReduced { .. }
            | Warning::LoudnessLimited { .. }
            | Warning::HeavyLimiting { .. }
            | Warning::LoudnessMissed { .. }
            | Warning::BelowLoudnessGate
            | Warning::NotNormalized => Ok(()),
        }
    }
}

impl Warning {
    /// The message of a warning about the tone's level (gain, normalisation, limiting); `None`
    /// for any other.
    fn fmt_level(&self, f: &mut fmt::Formatter<'_>) -> Option<fmt::Result> {
        Some(match self {
            Warning::GainReduced { gain_db } => write!(
                f,
                "level lowered by {:.2} dB so the tone does not clip — fine as it is; \
                 normalise (`normalize=peak` or `normalize=loudness`) to choose the level, or \
                 keep it with `clip=true`",
                -gain_db
            ),
            Warning::LoudnessLimited {
                target_lufs,
                reached_lufs,
                ceiling_dbtp,
            } => write!(
                f,
                "reached only {reached_lufs:.1} LUFS of the {target_lufs:.1} LUFS target: \
                 louder would put the true peak above {ceiling_dbtp:.1} dBTP \
                 — lower the target or raise the ceiling (`normalize=loudness:TARGET:CEILING`)"
            ),
            Warning::HeavyLimiting {
                max_reduction_db,
                limited_share,
                target_lufs,
            } => write!(
                f,
                "source is very dynamic: reaching {target_lufs:.1} LUFS took up to \
                 {max_reduction_db:.1} dB of peak limiting over {:.0}% of the tone, which can be \
                 heard — use a lower target for this tone (e.g. `normalize=loudness:{:.0}`) or \
                 keep its dynamics with `limiter=off`",
                limited_share * 100.0,
                (target_lufs - (max_reduction_db - crate::pipeline::condition::HEAVY_LIMITING_DB))
                    .floor()
            ),
            Warning::LoudnessMissed {
                target_lufs,
                reached_lufs,
            } => write!(
                f,
                "reached {reached_lufs:.1} LUFS for the {target_lufs:.1} LUFS target: the tone is \
                 so short that the loudness meter's gates count a different part of it at each \
                 level, and its loudness jumps past the target — choose a target near \
                 {reached_lufs:.0} LUFS (`normalize=loudness:{reached_lufs:.0}`) or a longer tone"
            ),
            Warning::BelowLoudnessGate => write!(
                f,
                "tone is too quiet to measure its loudness (under -70 LUFS, the meter's gate) \
                 although its peaks are not: near silence with a click or a spike? Level left \
                 unchanged — check the source, or use `normalize=peak`"
            ),
            Warning::NotNormalized => write!(
                f,
                "tone is too short (under 0.4 s) to measure its loudness; level left unchanged \
                 — use `normalize=peak` for very short tones"
            ),
            _ => return None,
        })
    }
}

/// What the true-peak limiter of loudness normalisation did to a tone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Limiting {
    /// The largest gain reduction, in dB (positive): how far the loudest peak was pulled down.
    pub max_reduction_db: f64,
    /// Share of the tone's samples the limiter lowered by more than 0.1 dB, 0…1.
    pub limited_share: f64,
}

/// Everything measured about one conversion.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// What the source was.
    pub source: SourceInfo,
    /// Number of 16 kHz mono samples in the output.
    pub output_samples: u64,
    /// Output size in bytes (two per sample).
    pub bytes: u64,
    /// Output duration in seconds.
    pub duration_seconds: f64,
    /// Peak sample level of the output in dBFS (negative infinity for digital silence).
    #[serde(
        serialize_with = "serialize_db",
        deserialize_with = "deserialize_db_neg"
    )]
    pub peak_dbfs: f64,
    /// Output samples clipped to the 16-bit range.
    pub clipped_samples: u64,
    /// Gain applied to the signal in dB (0 when untouched): the sum of [`crate::Options::gain_db`],
    /// normalisation and anti-clip scaling.
    pub gain_db: f64,
    /// Silence trimmed from the start of the tone, in seconds (0 unless trimming is on).
    pub trimmed_start_seconds: f64,
    /// Silence trimmed from the end of the tone, in seconds (0 unless trimming is on).
    pub trimmed_end_seconds: f64,
    /// Integrated loudness of the output (EBU R128 / ITU-R BS.1770, the mono tone measured as
    /// one channel), in LUFS; `None` when the tone is too short (under 0.4 s) or silent.
    pub loudness_lufs: Option<f64>,
    /// True peak of the output in dBTP (4× oversampled, as EBU R128 specifies); `None` for
    /// digital silence.
    pub true_peak_dbtp: Option<f64>,
    /// Whether TPDF dither was applied when quantizing.
    pub dithered: bool,
    /// What the true-peak limiter did to reach the loudness target; `None` when it did not act
    /// (no loudness normalisation, [`crate::Options::limiter`] off, or no peak over the ceiling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limiting: Option<Limiting>,
    /// Warnings raised, in the order they arose.
    pub warnings: Vec<Warning>,
}

impl Report {
    /// The status word of a converted tone in `--report json` and the bindings' reports: `ok`,
    /// or `warned` when the conversion raised a warning.
    pub fn status(&self) -> &'static str {
        if self.warnings.is_empty() {
            "ok"
        } else {
            "warned"
        }
    }
}

/// Writes non-finite dB values (digital silence) as JSON `null`.
pub(crate) fn serialize_db<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else {
        s.serialize_none()
    }
}

/// Reads a level written by `serialize_db`: `null` is negative infinity (digital silence).
fn deserialize_db_neg<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NEG_INFINITY))
}

/// Reads a loss written by `serialize_db`: `null` is positive infinity (complete cancellation).
fn deserialize_db_pos<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
}
