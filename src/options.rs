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

/// Everything that shapes a conversion. Start from [`Options::default`] and change fields.
///
/// ```
/// let mut opts = ringforge::Options::default();
/// opts.dither = ringforge::Dither::None;
/// opts.max_bytes = 500_000;
/// assert!(!opts.allow_upsample);
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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dither: Dither::Tpdf,
            max_bytes: crate::sln::DEFAULT_MAX_BYTES,
            allow_upsample: false,
            limits: Limits::default(),
        }
    }
}

impl Options {
    /// Most 16 kHz samples a tone may hold under [`Options::max_bytes`].
    pub fn max_samples(&self) -> u64 {
        self.max_bytes.saturating_sub(1) / 2
    }

    /// A stable fingerprint of every option that changes the output bytes; part of the dither
    /// seed and of the build cache key.
    pub fn fingerprint(&self) -> u64 {
        let mut h = crate::quantize::Fnv64::new();
        h.write(
            format!(
                "{:?}|{}|{}",
                self.dither, self.max_bytes, self.allow_upsample
            )
            .as_bytes(),
        );
        h.finish()
    }
}
