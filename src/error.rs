//! The library's error type: what went wrong, where, and what to do about it.

use std::io;
use std::path::PathBuf;

/// A conversion or provisioning failure.
///
/// Every variant's message says what went wrong and, where there is one, what to do next.
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
         — shorten the source, choose a part with --start/--length, or raise --max-bytes"
    )]
    TooLarge {
        /// Size the output would have (at least; decoding may stop early).
        bytes: u64,
        /// Duration the output would have, in seconds (at least).
        seconds: f64,
        /// The cap, in bytes (exclusive).
        max_bytes: u64,
    },
    /// A configured safety limit was exceeded before work started.
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
    /// The decoder panicked on this input.
    #[error("the decoder failed on this file; it may be corrupt ({message})")]
    Panicked {
        /// The panic message, when there was one.
        message: String,
    },
    /// Invalid options or configuration.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
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
