//! The library's error type: what went wrong, where, and what to do about it.

use std::io;
use std::path::PathBuf;

/// A conversion or provisioning failure.
///
/// Every variant's message says what went wrong and, where there is one, what to do next. A
/// message names an option as `` `name=value` ``, the spelling of the option keywords
/// ([`crate::keywords`]) and of `ringforge.toml`; the command line shows its own flags instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The bytes are not in an audio format this tool can read.
    #[error(
        "not a supported audio file ({reason}) — use WAV, MP3, FLAC, Ogg Vorbis, M4A/AAC or AIFF"
    )]
    UnsupportedFormat {
        /// What the decoder reported.
        reason: String,
    },
    /// The container holds no audio track, or none with a codec this tool can decode.
    #[error("no decodable audio track in the file")]
    NoAudioTrack,
    /// The stream is malformed beyond what can be skipped.
    #[error("the audio data is corrupt ({reason}) — re-export the file from its original")]
    Corrupt {
        /// What the decoder reported.
        reason: String,
    },
    /// The source decoded to no audio at all.
    #[error("the file contains no audio samples")]
    Empty,
    /// The tone would exceed the phones' size cap.
    #[error(
        "the tone would be {bytes} bytes ({seconds:.2} s), over the {max_bytes}-byte cap \
         — shorten the source, choose a part with `start=TIME` and `length=TIME`, or raise \
         the cap (`max_bytes=BYTES`)"
    )]
    TooLarge {
        /// Size the output would have (at least; decoding may stop early).
        bytes: u64,
        /// Duration the output would have, in seconds (at least).
        seconds: f64,
        /// The cap, in bytes (exclusive).
        max_bytes: u64,
    },
    /// A configured safety limit ([`crate::Limits`]) was exceeded: checked when the file is
    /// opened (size, rate, channels, declared packet size) or as packets are decoded (duration,
    /// packet size), before the memory the limit protects is committed. The message names the
    /// option that raises it.
    #[error("{what} is {value}, over the limit of {limit} — {hint}")]
    LimitExceeded {
        /// The quantity that was checked ("input size", "sample rate", …).
        what: &'static str,
        /// Its value in this file.
        value: u64,
        /// The limit.
        limit: u64,
        /// How to raise the limit.
        hint: &'static str,
    },
    /// A warning was raised while warnings are treated as errors.
    #[error("{0} (failing because warnings are errors here)")]
    Strict(crate::Warning),
    /// A decoder panicked while reading this file (caught: the other files go on). Most likely
    /// the file is damaged in a way the decoder does not expect.
    #[error("the decoder failed on this file; it may be corrupt ({message})")]
    Panicked {
        /// The panic message, when there was one.
        message: String,
    },
    /// ringforge's own processing (not a decoder reading the file) panicked on this file
    /// (caught: the other files go on). A bug in ringforge, not a fault of the file.
    #[error(
        "ringforge failed on this file with an internal error ({message}) — this is a bug in \
         ringforge, not a fault of the file; please report it with the file"
    )]
    Internal {
        /// The panic message, when there was one.
        message: String,
    },
    /// Invalid options or configuration.
    #[error("{0}")]
    Invalid(String),
    /// A tone id is not usable: empty, too long, or outside the safe character set.
    ///
    /// Raised by [`crate::id::validate_id`] and when an id is derived from a file name.
    #[error("invalid tone id `{id}`: {reason}")]
    InvalidId {
        /// The offending id (or the path it was derived from).
        id: String,
        /// What is wrong and what to do about it.
        reason: String,
    },
    /// A tone id equals (ignoring case) the id of a tone built into the phones' firmware.
    #[error(
        "id `{id}` collides with the phone's built-in `{builtin}` tone \
         — rename the file or set another id"
    )]
    BuiltinCollision {
        /// The user's id.
        id: String,
        /// The built-in tone's canonical id.
        builtin: &'static str,
    },
    /// A value cannot be written safely into a manifest (control characters, surrounding
    /// whitespace, characters a format cannot carry, too long, …).
    #[error("{field} {value:?} {reason}")]
    UnsafeValue {
        /// Which value ("display name", "alert_info", "file name", "url prefix", …).
        field: &'static str,
        /// The offending value.
        value: String,
        /// What is wrong and what to do about it.
        reason: String,
    },
    /// Two manifest entries would share a name that must be unique (an id, a file name,
    /// an alert, or a DPMA section name).
    #[error("{first} and {second} both use {what} `{value}` — {hint}")]
    Duplicate {
        /// What is shared ("id", "file name", "alert_info", "DPMA section name").
        what: &'static str,
        /// The shared value.
        value: String,
        /// The first entry, described for a person (e.g. "tone `a` (from a.wav)").
        first: String,
        /// The second entry, described the same way.
        second: String,
        /// What to do about it.
        hint: &'static str,
    },
    /// An alert names a tone that is neither one of the manifest's tones nor a built-in.
    #[error(
        "alert `{alert_info}` plays tone `{tone}`, which is neither a converted tone nor a \
         built-in — use one of the tone ids or a built-in ({})",
        crate::id::builtin_tone_ids()
    )]
    UnknownTone {
        /// The alert's `alert_info`.
        alert_info: String,
        /// The tone it names.
        tone: String,
    },
    /// A ring type is not one the phones know.
    #[error("unknown ring type `{value}` — use one of normal, answer, ring-answer, visual")]
    InvalidRingType {
        /// The offending value.
        value: String,
    },
    /// A logo could not be made (see [`crate::logo::LogoError`]).
    #[error(transparent)]
    Logo(#[from] crate::logo::LogoError),
    /// An alert definition is malformed or inconsistent.
    #[error("invalid alert `{spec}`: {reason}")]
    InvalidAlert {
        /// The alert as given (CLI form or `alert_info`).
        spec: String,
        /// What is wrong and what to do about it.
        reason: String,
    },
}

impl Error {
    /// A stable, machine-readable name of the error's kind, the same for every message of that
    /// kind: `io`, `unsupported_format`, `no_audio_track`, `corrupt_file`, `empty`,
    /// `too_large`, `limit_exceeded`, `strict`, `decoder_panic`, `internal_error`,
    /// `invalid_options`, or, for the manifests, `invalid_id`, `builtin_collision`,
    /// `unsafe_value`, `duplicate`, `unknown_tone`, `invalid_ring_type`, `invalid_alert`; for a
    /// logo, the kind of its [`LogoError`](crate::logo::LogoError). The Python and JavaScript
    /// packages report it as the error's `kind`.
    ///
    /// ```
    /// let err = ringforge::convert_bytes(b"not audio", None, &ringforge::Options::default())
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), "unsupported_format");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::UnsupportedFormat { .. } => "unsupported_format",
            Error::NoAudioTrack => "no_audio_track",
            Error::Corrupt { .. } => "corrupt_file",
            Error::Empty => "empty",
            Error::TooLarge { .. } => "too_large",
            Error::LimitExceeded { .. } => "limit_exceeded",
            Error::Strict(_) => "strict",
            Error::Panicked { .. } => "decoder_panic",
            Error::Internal { .. } => "internal_error",
            Error::Invalid(_) => "invalid_options",
            Error::InvalidId { .. } => "invalid_id",
            Error::BuiltinCollision { .. } => "builtin_collision",
            Error::UnsafeValue { .. } => "unsafe_value",
            Error::Duplicate { .. } => "duplicate",
            Error::UnknownTone { .. } => "unknown_tone",
            Error::InvalidRingType { .. } => "invalid_ring_type",
            Error::InvalidAlert { .. } => "invalid_alert",
            Error::Logo(e) => e.kind(),
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
