//! Conversion options: what a caller may choose, each with its default.

/// How the final 16-bit quantizer treats the fractional part of each sample.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Dither {
    /// Triangular (TPDF) dither of ±1 LSB, seeded from the decoded audio so that the same input
    /// and options always give the same bytes. Samples already on the 16-bit grid (for example a
    /// 16-bit 16 kHz mono source) and digital silence are left untouched.
    #[default]
    Tpdf,
    /// Round to nearest without dither.
    None,
}

/// Safety limits checked before memory is committed, so hostile input fails early and cheaply.
///
/// Every limit is checked before the memory it protects is allocated: the input size and the
/// stream's rate, channel count and packet size when the file is opened (before any decoder
/// exists), the decoded duration as each packet comes out of the decoder (before its samples
/// are kept). A file over a limit fails with [`crate::Error::LimitExceeded`], whose message names
/// the limit and the option that raises it. Nothing in the pipeline allocates from a size a file
/// declares: buffers grow with the audio actually decoded.
///
/// ```
/// let mut limits = ringforge::Limits::default();
/// limits.max_decoded_seconds = 3_600; // allow hour-long sources
/// let mut opts = ringforge::Options::default();
/// opts.limits = limits;
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest input accepted, in bytes. Default: 2 GiB (2,147,483,648), enough for an hour of
    /// 96 kHz 24-bit stereo WAV; decoding streams, so this bounds reading, not memory.
    pub max_input_bytes: u64,
    /// Longest source decoded, in seconds of audio at the source's rate (frames a container
    /// asks to skip count too, as decoding them costs the same). Default: 600 (ten minutes,
    /// longer than nearly any song). Decoding stops with an error as soon as a packet would
    /// pass it, so it bounds both the decoding time and the memory that holds the mono source
    /// (4 bytes per frame: 115 MB for ten minutes at 48 kHz).
    pub max_decoded_seconds: u64,
    /// Most channels a source may have. Default: 32.
    pub max_channels: u16,
    /// Highest source sample rate accepted, in Hz. Default: 768,000.
    pub max_sample_rate: u32,
    /// Lowest source sample rate accepted, in Hz. Default: 1,000.
    pub min_sample_rate: u32,
    /// Most frames one packet may declare or decode to. Some decoders allocate their output
    /// buffer from the frames-per-packet a header declares, so a hostile header could ask for
    /// gigabytes. Default: 262,144 (four times FLAC's largest block, 65,535; MP3 uses 1,152,
    /// AAC 1,024, Vorbis at most 8,192).
    pub max_frames_per_packet: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 2 * 1024 * 1024 * 1024,
            max_decoded_seconds: 600,
            max_channels: 32,
            max_sample_rate: 768_000,
            min_sample_rate: 1_000,
            max_frames_per_packet: 262_144,
        }
    }
}

/// What to do with a tone longer than the size cap ([`Options::max_bytes`]) allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Oversize {
    /// Keep as much as fits, end it with a fade-out of [`Options::fade_out_seconds`] and raise
    /// [`crate::Warning::Fitted`]. Decoding stops once the part that fits has been decoded. The
    /// default.
    #[default]
    Fit,
    /// Refuse the tone with [`crate::Error::TooLarge`].
    Error,
}

impl std::str::FromStr for Oversize {
    type Err = crate::Error;

    /// Parses `fit` or `error`.
    fn from_str(s: &str) -> crate::Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "fit" => Ok(Oversize::Fit),
            "error" => Ok(Oversize::Error),
            _ => Err(crate::Error::Invalid(format!(
                "unknown oversize policy `{s}` — use fit or error"
            ))),
        }
    }
}

/// Which channel(s) of the source become the mono tone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ChannelPick {
    /// Mix every channel to mono ((L+R)/2 for stereo; ITU-R BS.775 weights for other layouts:
    /// centre and surrounds at −3 dB, LFE dropped) and warn with [`crate::Warning::DownmixLoss`] when the mix cancels much of the sound. The default.
    #[default]
    Mix,
    /// Only the first (left) channel.
    Left,
    /// Only the second (right) channel; the only channel of a mono source.
    Right,
    /// The same mix as [`ChannelPick::Mix`] (the "mid" of mid/side), chosen on purpose: no
    /// downmix-loss warning.
    Mid,
}

impl std::str::FromStr for ChannelPick {
    type Err = crate::Error;

    /// Parses `mix`, `left`, `right` or `mid`.
    fn from_str(s: &str) -> crate::Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "mix" => Ok(ChannelPick::Mix),
            "left" => Ok(ChannelPick::Left),
            "right" => Ok(ChannelPick::Right),
            "mid" => Ok(ChannelPick::Mid),
            _ => Err(crate::Error::Invalid(format!(
                "unknown channel `{s}` — use mix, left, right or mid"
            ))),
        }
    }
}

/// Level normalisation, applied after trimming and fitting and before the anti-clip stage.
///
/// The text form (CLI `--normalize`, `ringforge.toml`) is `peak[:CEILING_DBFS]` or
/// `loudness[:TARGET_LUFS[:TRUE_PEAK_CEILING_DBTP]]`, e.g. `peak`, `peak:-3`, `loudness`,
/// `loudness:-16`, `loudness:-18:-2`.
///
/// ```
/// use ringforge::Normalize;
/// let n: Normalize = "loudness:-18".parse()?;
/// assert_eq!(n, Normalize::Loudness { target_lufs: -18.0, true_peak_ceiling_dbtp: -1.0 });
/// assert_eq!(n.to_string(), "loudness:-18:-1");
/// # Ok::<(), ringforge::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum Normalize {
    /// Scale so the highest sample sits at `ceiling_dbfs` (boosting or cutting).
    Peak {
        /// Target sample peak in dBFS, in −60…0. Default (text form `peak`): −1.
        ceiling_dbfs: f64,
    },
    /// Scale so the EBU R128 integrated loudness (ITU-R BS.1770, measured on the mono 16 kHz
    /// tone as one channel) is `target_lufs`, but never let the true peak exceed
    /// `true_peak_ceiling_dbtp`; when the ceiling wins, the tone stays quieter than the target
    /// and [`crate::Warning::LoudnessLimited`] says so.
    Loudness {
        /// Target integrated loudness in LUFS, in −70…−5. Default (text form `loudness`): −16,
        /// the level common for speech and music played on small loudspeakers.
        target_lufs: f64,
        /// Highest true peak allowed, in dBTP, in −20…0. Default: −1.
        true_peak_ceiling_dbtp: f64,
    },
}

impl Normalize {
    /// Default ceiling of `peak` normalisation, in dBFS.
    pub const DEFAULT_PEAK_CEILING_DBFS: f64 = -1.0;
    /// Default target of `loudness` normalisation, in LUFS.
    pub const DEFAULT_TARGET_LUFS: f64 = -16.0;
    /// Default true-peak ceiling of `loudness` normalisation, in dBTP.
    pub const DEFAULT_TRUE_PEAK_CEILING_DBTP: f64 = -1.0;

    /// Peak normalisation to the default ceiling (−1 dBFS).
    pub fn peak() -> Self {
        Normalize::Peak {
            ceiling_dbfs: Self::DEFAULT_PEAK_CEILING_DBFS,
        }
    }

    /// Loudness normalisation to the default target (−16 LUFS, true peak at most −1 dBTP).
    pub fn loudness() -> Self {
        Normalize::Loudness {
            target_lufs: Self::DEFAULT_TARGET_LUFS,
            true_peak_ceiling_dbtp: Self::DEFAULT_TRUE_PEAK_CEILING_DBTP,
        }
    }

    /// Range of the `peak` ceiling, in dBFS.
    pub const PEAK_CEILING_DBFS: Range =
        Range::new("normalize", "normalize peak ceiling", -60.0, 0.0, "dBFS");
    /// Range of the `loudness` target, in LUFS.
    pub const TARGET_LUFS: Range = Range::new(
        "normalize",
        "normalize loudness target",
        -70.0,
        -5.0,
        "LUFS",
    );
    /// Range of the `loudness` true-peak ceiling, in dBTP.
    pub const TRUE_PEAK_CEILING_DBTP: Range = Range::new(
        "normalize",
        "normalize true-peak ceiling",
        -20.0,
        0.0,
        "dBTP",
    );

    /// Checks each number against its range.
    ///
    /// # Errors
    /// [`InvalidOption`] for the first number out of its range.
    pub fn check(&self) -> Result<(), InvalidOption> {
        match *self {
            Normalize::Peak { ceiling_dbfs } => {
                Self::PEAK_CEILING_DBFS.check(ceiling_dbfs)?;
            }
            Normalize::Loudness {
                target_lufs,
                true_peak_ceiling_dbtp,
            } => {
                Self::TARGET_LUFS.check(target_lufs)?;
                Self::TRUE_PEAK_CEILING_DBTP.check(true_peak_ceiling_dbtp)?;
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for Normalize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Normalize::Peak { ceiling_dbfs } => write!(f, "peak:{ceiling_dbfs}"),
            Normalize::Loudness {
                target_lufs,
                true_peak_ceiling_dbtp,
            } => write!(f, "loudness:{target_lufs}:{true_peak_ceiling_dbtp}"),
        }
    }
}

impl std::str::FromStr for Normalize {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        Ok(Normalize::parse_text(s)?)
    }
}

impl Normalize {
    /// Reads the text form `ringforge.toml` and the command line use — `peak[:CEILING_DBFS]`,
    /// `loudness[:TARGET_LUFS[:TRUE_PEAK_CEILING_DBTP]]`, or `none`/`off` for no
    /// normalisation — and checks its numbers against their ranges.
    ///
    /// ```
    /// use ringforge::Normalize;
    /// assert_eq!(Normalize::read("peak:-3").unwrap(), Some(Normalize::Peak { ceiling_dbfs: -3.0 }));
    /// assert_eq!(Normalize::read("none").unwrap(), None);
    /// assert_eq!(Normalize::read("loudness:+3").unwrap_err().field, "normalize");
    /// ```
    ///
    /// # Errors
    /// [`InvalidOption`] for text that is none of these, or a number out of its range.
    pub fn read(s: &str) -> Result<Option<Normalize>, InvalidOption> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        Normalize::parse_text(s).map(Some)
    }

    fn parse_text(s: &str) -> Result<Normalize, InvalidOption> {
        let usage = || InvalidOption {
            field: "normalize",
            problem: format!("cannot read normalize mode `{s}`"),
            fix: "use peak[:CEILING_DBFS] or loudness[:TARGET_LUFS[:TRUE_PEAK_CEILING_DBTP]], \
                  e.g. peak:-1 or loudness:-16"
                .into(),
        };
        let mut parts = s.trim().split(':');
        let kind = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut number = |default: f64| -> Result<f64, InvalidOption> {
            match parts.next() {
                None => Ok(default),
                Some(p) => p
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(usage),
            }
        };
        let n = match kind.as_str() {
            "peak" => Normalize::Peak {
                ceiling_dbfs: number(Self::DEFAULT_PEAK_CEILING_DBFS)?,
            },
            "loudness" | "lufs" | "r128" => Normalize::Loudness {
                target_lufs: number(Self::DEFAULT_TARGET_LUFS)?,
                true_peak_ceiling_dbtp: number(Self::DEFAULT_TRUE_PEAK_CEILING_DBTP)?,
            },
            _ => return Err(usage()),
        };
        if parts.next().is_some() {
            return Err(usage());
        }
        n.check()?;
        Ok(n)
    }
}

impl TryFrom<String> for Normalize {
    type Error = crate::Error;

    fn try_from(s: String) -> crate::Result<Self> {
        s.parse()
    }
}

impl From<Normalize> for String {
    fn from(n: Normalize) -> String {
        n.to_string()
    }
}

/// The valid range of a numeric option: the one place each range is written. [`Options::validate`]
/// checks every field against its range; the configuration file checks each value with the
/// same [`Range::check`] to place an error on its line and column.
///
/// ```
/// use ringforge::Options;
/// assert!(Options::GAIN_DB.check(6.0).is_ok());
/// let e = Options::GAIN_DB.check(99.0).unwrap_err();
/// assert_eq!(e.to_string(), "gain_db 99 is out of range — use -60…60 dB");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Range {
    /// The option's name as `ringforge.toml` writes it (`gain_db`, `normalize`, …).
    pub field: &'static str,
    /// The value in words, as messages name it.
    pub what: &'static str,
    /// Lowest value, included unless [`Range::above_min`].
    pub min: f64,
    /// Whether [`Range::min`] itself is excluded (a length must be more than 0).
    pub above_min: bool,
    /// Highest value, included.
    pub max: f64,
    /// The unit.
    pub unit: &'static str,
}

impl Range {
    const fn new(
        field: &'static str,
        what: &'static str,
        min: f64,
        max: f64,
        unit: &'static str,
    ) -> Range {
        Range {
            field,
            what,
            min,
            above_min: false,
            max,
            unit,
        }
    }

    /// Whether `v` is in the range (never for NaN or an infinity).
    pub fn contains(&self, v: f64) -> bool {
        v.is_finite() && (v > self.min || (!self.above_min && v == self.min)) && v <= self.max
    }

    /// `v` when it is in the range.
    ///
    /// # Errors
    /// [`InvalidOption`] naming the value and the range.
    pub fn check(&self, v: f64) -> Result<f64, InvalidOption> {
        if self.contains(v) {
            return Ok(v);
        }
        let fix = if self.above_min {
            format!(
                "use more than {} and at most {} {}",
                self.min, self.max, self.unit
            )
        } else {
            format!("use {}…{} {}", self.min, self.max, self.unit)
        };
        Err(InvalidOption {
            field: self.field,
            problem: format!("{} {v} is out of range", self.what),
            fix,
        })
    }
}

/// An option whose value cannot be used: which one, what is wrong and what to write instead.
/// [`Options::validate`] turns it into [`crate::Error::Invalid`]; the configuration file places
/// it on the line of [`InvalidOption::field`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct InvalidOption {
    /// The option's name as `ringforge.toml` writes it.
    pub field: &'static str,
    /// What is wrong.
    pub problem: String,
    /// What to write instead.
    pub fix: String,
}

impl std::fmt::Display for InvalidOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} — {}", self.problem, self.fix)
    }
}

impl From<InvalidOption> for crate::Error {
    fn from(e: InvalidOption) -> Self {
        crate::Error::Invalid(e.to_string())
    }
}

/// Longest start or length accepted, in seconds (about 11.5 days): far beyond any audio file,
/// small enough that sample positions never overflow.
pub const MAX_TIME_SECONDS: f64 = 1_000_000.0;

/// Parses a time: seconds (`60`, `1.5`), `mm:ss(.fff)` (`1:02.5`) or `hh:mm:ss(.fff)`
/// (`1:00:00`). Returns seconds.
///
/// ```
/// use ringforge::options::parse_time;
/// assert_eq!(parse_time("90")?, 90.0);
/// assert_eq!(parse_time("1:02.5")?, 62.5);
/// assert_eq!(parse_time("1:00:00")?, 3600.0);
/// assert!(parse_time("-3").is_err());
/// # Ok::<(), ringforge::Error>(())
/// ```
pub fn parse_time(s: &str) -> crate::Result<f64> {
    let bad = || {
        crate::Error::Invalid(format!(
            "cannot read time `{s}` — use seconds (60, 1.5) or mm:ss(.fff) (1:02.5)"
        ))
    };
    let text = s.trim();
    let text = text.strip_suffix('s').unwrap_or(text);
    let parts: Vec<&str> = text.split(':').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.trim().is_empty()) {
        return Err(bad());
    }
    let mut seconds = 0.0;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let v: f64 = if last {
            part.trim().parse().map_err(|_| bad())?
        } else {
            f64::from(part.trim().parse::<u32>().map_err(|_| bad())?)
        };
        if !v.is_finite() || v < 0.0 || (i > 0 && v >= 60.0) {
            return Err(bad());
        }
        seconds = seconds * 60.0 + v;
    }
    Ok(seconds)
}

/// Everything that shapes a conversion. Start from [`Options::default`] and change fields.
///
/// The conditioning stages run at 16 kHz in this order: pick the part ([`Options::start`],
/// [`Options::length`]) → trim silence ([`Options::trim_silence`]) → fit to the size cap
/// ([`Options::on_oversize`], with a fade-out) → gain ([`Options::gain_db`]) and normalisation
/// ([`Options::normalize`]) → anti-clip scaling (unless [`Options::clip`]) → quantize
/// ([`Options::dither`]).
///
/// ```
/// let mut opts = ringforge::Options::default();
/// opts.dither = ringforge::Dither::None;
/// opts.max_bytes = 500_000;
/// opts.start = Some(60.0);
/// opts.length = Some(20.0);
/// opts.normalize = Some(ringforge::Normalize::loudness());
/// assert!(!opts.allow_upsample);
/// assert!(opts.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Options {
    /// Dither applied when quantizing to 16 bits. Default: [`Dither::Tpdf`].
    pub dither: Dither,
    /// Size cap of the output in bytes, exclusive: a tone must be *smaller* than this.
    /// Default: 1,000,000 (the phones' "less than 1 MB", read as 10^6 to be safe), i.e. at most
    /// 499,999 samples, 31.25 s.
    pub max_bytes: u64,
    /// Convert sources below 16 kHz without raising [`crate::Warning::Upsampled`]. Default: `false`.
    pub allow_upsample: bool,
    /// Safety limits on the input. Default: [`Limits::default`].
    pub limits: Limits,
    /// Where in the source the tone begins, in seconds from the start of the source (after any
    /// encoder delay the container declares). Default: `None` (the beginning). A start past the
    /// end of the source is an error. When set, the first 5 ms get a fade-in so the cut does not
    /// click.
    pub start: Option<f64>,
    /// How much of the source to take from [`Options::start`], in seconds; the tone has exactly
    /// `round(length × 16000)` samples when the source is long enough (fewer if silence is
    /// trimmed). When the source goes on after that, the tone ends with the fade-out of
    /// [`Options::fade_out_seconds`]. Default: `None` (to the end of the source). Longer than the
    /// size cap is handled by [`Options::on_oversize`].
    pub length: Option<f64>,
    /// What to do when the tone would exceed [`Options::max_bytes`]. Default: [`Oversize::Fit`]
    /// (keep what fits, fade out, warn).
    pub on_oversize: Oversize,
    /// Length of the fade-out at the end of a tone that was cut (to fit the cap, or by
    /// [`Options::length`]), in seconds; a raised-cosine fade to exactly zero, over at most the
    /// last half of the tone. 0 disables it.
    /// Default: 0.5 — long enough to sound deliberate, short enough to keep the music.
    pub fade_out_seconds: f64,
    /// Let samples that exceed full scale clip (counted in [`crate::Report::clipped_samples`],
    /// [`crate::Warning::Clipped`]) instead of lowering the level just enough to avoid it
    /// ([`crate::Warning::GainReduced`]). Default: `false` (never clip).
    pub clip: bool,
    /// Gain applied before normalisation, in dB. Default: 0.
    pub gain_db: f64,
    /// Level normalisation. Default: `None` (keep the source's level; only the anti-clip stage
    /// may lower it).
    pub normalize: Option<Normalize>,
    /// Trim leading and trailing silence: samples whose magnitude stays below this level, in
    /// dBFS (−120…0), are removed from both ends, keeping 5 ms before the first and after the
    /// last sound. A tone that is silence throughout is left as it is (and warned about).
    /// Default: `None` (off), because the silence at the end of a ringtone is usually the pause
    /// between rings (the phone loops the file) and the one at the start the cadence's lead-in;
    /// turn it on for prompts and recordings (`--trim-silence`, threshold
    /// [`Options::DEFAULT_TRIM_THRESHOLD_DBFS`]).
    pub trim_silence: Option<f64>,
    /// Which channel(s) become the mono tone. Default: [`ChannelPick::Mix`].
    pub channel: ChannelPick,
    /// Let loudness normalisation reach its target with a true-peak limiter when the true-peak
    /// ceiling would otherwise hold the gain back (look-ahead, smooth attack and release, peaks
    /// found on the 4× oversampled signal; the tone's [`crate::Limiting`] says how much it did).
    /// `false` keeps the gain under the ceiling instead, leaving such tones quieter than the
    /// target ([`crate::Warning::LoudnessLimited`]). Only [`Normalize::Loudness`] uses it.
    /// Default: `true`.
    pub limiter: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dither: Dither::Tpdf,
            max_bytes: crate::sln::DEFAULT_MAX_BYTES,
            allow_upsample: false,
            limits: Limits::default(),
            start: None,
            length: None,
            on_oversize: Oversize::Fit,
            fade_out_seconds: Self::DEFAULT_FADE_OUT_SECONDS,
            clip: false,
            gain_db: 0.0,
            normalize: None,
            trim_silence: None,
            channel: ChannelPick::Mix,
            limiter: true,
        }
    }
}

impl Options {
    /// Default of [`Options::fade_out_seconds`], in seconds.
    pub const DEFAULT_FADE_OUT_SECONDS: f64 = 0.5;
    /// Threshold used when silence trimming is turned on without a level, in dBFS: the same
    /// level below which a whole tone counts as silent ([`crate::Warning::Silent`]). It sits
    /// well above 16-bit dither and lossy-codec noise (−90 dBFS and below) and below the
    /// softest attack of real material.
    pub const DEFAULT_TRIM_THRESHOLD_DBFS: f64 = crate::pipeline::condition::SILENT_PEAK_DBFS;

    /// Most 16 kHz samples a tone may hold under [`Options::max_bytes`].
    pub fn max_samples(&self) -> u64 {
        self.max_bytes.saturating_sub(1) / 2
    }

    /// Range of [`Options::start`], in seconds.
    pub const START: Range = Range::new("start", "start", 0.0, MAX_TIME_SECONDS, "seconds");
    /// Range of [`Options::length`], in seconds (more than 0).
    pub const LENGTH: Range = Range {
        above_min: true,
        ..Range::new("length", "length", 0.0, MAX_TIME_SECONDS, "seconds")
    };
    /// Range of [`Options::fade_out_seconds`].
    pub const FADE_OUT_SECONDS: Range =
        Range::new("fade_out_seconds", "fade_out_seconds", 0.0, 60.0, "seconds");
    /// Range of [`Options::gain_db`].
    pub const GAIN_DB: Range = Range::new("gain_db", "gain_db", -60.0, 60.0, "dB");
    /// Range of the threshold of [`Options::trim_silence`], in dBFS.
    pub const TRIM_THRESHOLD_DBFS: Range = Range::new(
        "trim_silence",
        "trim_silence threshold",
        -120.0,
        0.0,
        "dBFS",
    );
    /// Smallest [`Options::max_bytes`]: the cap is exclusive, so 3 bytes hold one whole 16-bit
    /// sample, the least a tone can be (and what cutting a tone to fit needs to keep).
    pub const MIN_MAX_BYTES: u64 = 3;

    /// `max_bytes` when it leaves room for a sample.
    ///
    /// ```
    /// use ringforge::Options;
    /// assert!(Options::check_max_bytes(3).is_ok());
    /// assert!(Options::check_max_bytes(2).is_err());
    /// ```
    ///
    /// # Errors
    /// [`InvalidOption`] under [`Options::MIN_MAX_BYTES`].
    pub fn check_max_bytes(max_bytes: u64) -> Result<u64, InvalidOption> {
        if max_bytes >= Self::MIN_MAX_BYTES {
            return Ok(max_bytes);
        }
        Err(InvalidOption {
            field: "max_bytes",
            problem: format!("max_bytes {max_bytes} leaves no room for a sample"),
            fix: format!(
                "use at least {} (the phones take up to {})",
                Self::MIN_MAX_BYTES,
                crate::sln::DEFAULT_MAX_BYTES
            ),
        })
    }

    /// `length` when it is in [`Options::LENGTH`] and holds at least one sample at 16 kHz.
    ///
    /// # Errors
    /// [`InvalidOption`] naming the length.
    pub fn check_length(length: f64) -> Result<f64, InvalidOption> {
        Self::LENGTH.check(length)?;
        if (length * f64::from(crate::pipeline::resample::TARGET_RATE)).round() < 1.0 {
            return Err(InvalidOption {
                field: "length",
                problem: format!("length {length} s is shorter than one sample at 16 kHz"),
                fix: "use a longer length".into(),
            });
        }
        Ok(length)
    }

    /// Checks every value against its range, in the order the fields are declared.
    ///
    /// # Errors
    /// [`InvalidOption`] for the first value that cannot be used.
    pub fn check(&self) -> Result<(), InvalidOption> {
        Self::check_max_bytes(self.max_bytes)?;
        if let Some(s) = self.start {
            Self::START.check(s)?;
        }
        if let Some(l) = self.length {
            Self::check_length(l)?;
        }
        Self::FADE_OUT_SECONDS.check(self.fade_out_seconds)?;
        Self::GAIN_DB.check(self.gain_db)?;
        if let Some(t) = self.trim_silence {
            Self::TRIM_THRESHOLD_DBFS.check(t)?;
        }
        if let Some(n) = &self.normalize {
            n.check()?;
        }
        Ok(())
    }

    /// Checks that every value is in its range ([`Options::check`]); conversions call this
    /// first.
    ///
    /// # Errors
    /// [`crate::Error::Invalid`] naming the value and its valid range.
    pub fn validate(&self) -> crate::Result<()> {
        Ok(self.check()?)
    }

    /// A stable fingerprint of every option that changes the output bytes; part of the dither
    /// seed and of the build cache key. [`Options::limits`] is left out: limits only decide
    /// whether a conversion runs, never what it produces. It does not change with
    /// [`crate::SOUND_VERSION`], so neither does the dither of a tone whose signal path a new
    /// sound version leaves alone.
    pub fn fingerprint(&self) -> u64 {
        let mut h = crate::pipeline::quantize::Fnv64::new();
        h.write(crate::fingerprint::canonical_options(self).bytes());
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse() {
        assert_eq!(parse_time("60").unwrap(), 60.0);
        assert_eq!(parse_time("1.5").unwrap(), 1.5);
        assert_eq!(parse_time("01:30").unwrap(), 90.0);
        assert_eq!(parse_time("2:03.250").unwrap(), 123.25);
        assert_eq!(parse_time("1:02:03").unwrap(), 3723.0);
        assert_eq!(parse_time("12s").unwrap(), 12.0);
        for bad in [
            "", "-1", "1:60", "a", "1::2", "1:2:3:4", "nan", "inf", "1.5:00",
        ] {
            assert!(parse_time(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn normalize_parses_and_round_trips() {
        assert_eq!("peak".parse::<Normalize>().unwrap(), Normalize::peak());
        assert_eq!(
            "peak:-3".parse::<Normalize>().unwrap(),
            Normalize::Peak { ceiling_dbfs: -3.0 }
        );
        assert_eq!(
            "loudness".parse::<Normalize>().unwrap(),
            Normalize::loudness()
        );
        let n: Normalize = "LOUDNESS:-23:-2".parse().unwrap();
        assert_eq!(
            n,
            Normalize::Loudness {
                target_lufs: -23.0,
                true_peak_ceiling_dbtp: -2.0
            }
        );
        assert_eq!(n.to_string().parse::<Normalize>().unwrap(), n);
        for bad in [
            "",
            "rms",
            "peak:x",
            "peak:3",
            "loudness:0",
            "loudness:-16:-1:0",
            "peak:-1:-1",
        ] {
            assert!(bad.parse::<Normalize>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fingerprint_covers_every_output_changing_field() {
        let base = Options::default();
        type Change = Box<dyn Fn(&mut Options)>;
        let variants: Vec<Change> = vec![
            Box::new(|o| o.dither = Dither::None),
            Box::new(|o| o.max_bytes = 999_998),
            Box::new(|o| o.allow_upsample = true),
            Box::new(|o| o.start = Some(1.0)),
            Box::new(|o| o.length = Some(1.0)),
            Box::new(|o| o.on_oversize = Oversize::Error),
            Box::new(|o| o.fade_out_seconds = 1.0),
            Box::new(|o| o.clip = true),
            Box::new(|o| o.gain_db = -1.0),
            Box::new(|o| o.normalize = Some(Normalize::peak())),
            Box::new(|o| o.normalize = Some(Normalize::loudness())),
            Box::new(|o| o.trim_silence = Some(-60.0)),
            Box::new(|o| o.channel = ChannelPick::Left),
            Box::new(|o| o.channel = ChannelPick::Mid),
        ];
        let mut seen = std::collections::HashSet::new();
        seen.insert(base.fingerprint());
        for change in &variants {
            let mut o = base.clone();
            change(&mut o);
            assert!(seen.insert(o.fingerprint()), "{o:?}");
        }
        let mut limited = base.clone();
        limited.normalize = Some(Normalize::loudness());
        let mut unlimited = limited.clone();
        unlimited.limiter = false;
        assert_ne!(limited.fingerprint(), unlimited.fingerprint());
        let mut no_loudness = base.clone();
        no_loudness.limiter = false;
        assert_eq!(no_loudness.fingerprint(), base.fingerprint());
        let mut limits = base.clone();
        limits.limits.max_channels = 2;
        assert_eq!(limits.fingerprint(), base.fingerprint());
    }

    #[test]
    fn validation_names_the_bad_value() {
        let o = Options {
            start: Some(-1.0),
            ..Options::default()
        };
        assert!(o.validate().unwrap_err().to_string().contains("start"));
        let o = Options {
            length: Some(0.0),
            ..Options::default()
        };
        assert!(o.validate().unwrap_err().to_string().contains("length"));
        let o = Options {
            trim_silence: Some(6.0),
            ..Options::default()
        };
        assert!(o.validate().unwrap_err().to_string().contains("threshold"));
        assert!(Options::default().validate().is_ok());
    }
}
