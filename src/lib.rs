//! ringforge turns everyday audio (WAV, MP3, FLAC, Ogg Vorbis, M4A/AAC, AIFF…) into ringtones
//! for Digium/Sangoma D-series desk phones: signed 16-bit little-endian, 16 kHz, mono, no header
//! (`.sln`), under the phones' 1 MB cap — reproducibly, byte for byte.
//!
//! A conversion decodes the source, mixes it to mono, resamples it to 16 kHz, conditions it
//! (the part kept, fades, level) and quantizes it to 16 bits ([`sln`] is the file format).
//! [`convert_path`], [`convert_bytes`] and [`convert_reader`] run it all and return a [`Tone`]:
//! the samples, the exact file bytes and a [`Report`] with typed [`Warning`]s. [`inspect`]
//! describes a source or a finished tone without writing anything.
//!
//! Around the conversion: [`batch`] converts many files on all cores, each failing alone;
//! [`manifest`] writes (and reads back) the phone XML, DPMA and JSON manifests; [`logo`] makes
//! the idle-screen logos; [`audition`] writes the HTML report with waveforms and previews; and
//! [`repo`] is a repository of phone assets: its `ringforge.toml`, the incremental build, and
//! the check a CI job runs. [`keywords`] reads options as `name=value` words, for the bindings.
//!
//! By default a tone is made to sound right on the phone: a source too long for the 1 MB cap is
//! cut to fit with a fade-out ([`Warning::Fitted`]), and a level that would clip is lowered just
//! enough ([`Warning::GainReduced`]). [`Options`] chooses the part of the source
//! ([`Options::start`], [`Options::length`]), normalises peak or EBU R128 loudness
//! ([`Options::normalize`]), trims silence ([`Options::trim_silence`]) and picks a channel
//! ([`Options::channel`]); every report carries the tone's loudness and true peak.
//!
//! ```
//! # fn main() -> ringforge::Result<()> {
//! use ringforge::{convert_bytes, signal, Options, Warning};
//!
//! // An upload held in memory: one second of 440 Hz at 8 kHz, as a WAV file.
//! let upload = signal::wav_i16(8_000, 1, &signal::sine(440.0, 0.5, 8_000, 8_000));
//!
//! let tone = convert_bytes(&upload, Some("wav"), &Options::default())?;
//! assert_eq!(tone.samples().len(), 16_000); // one second at 16 kHz
//! assert_eq!(tone.sln_bytes().len(), 32_000); // what goes on disk
//! assert_eq!(tone.md5_hex().len(), 32); // what the phone XML lists
//! // Upsampling is allowed but flagged: it will not sound pleasing on the phone.
//! assert!(tone.report().warnings.contains(&Warning::Upsampled { from: 8_000 }));
//! # Ok(())
//! # }
//! ```
//!
//! A set of tones at one loudness, from the part of each source that matters:
//!
//! ```
//! # fn main() -> ringforge::Result<()> {
//! use ringforge::{convert_bytes, signal, Normalize, Options};
//!
//! // Ten seconds of a quiet 440 Hz tone at 48 kHz.
//! let upload = signal::wav_i16(48_000, 1, &signal::sine(440.0, 0.05, 48_000, 480_000));
//! let mut opts = Options::default();
//! opts.start = Some(2.0); // from 2 s…
//! opts.length = Some(3.0); // …take 3 s (ending in a 0.5 s fade-out)
//! opts.normalize = Some(Normalize::loudness()); // −16 LUFS, true peak at most −1 dBTP
//! let tone = convert_bytes(&upload, Some("wav"), &opts)?;
//! assert_eq!(tone.samples().len(), 48_000);
//! let lufs = tone.report().loudness_lufs.unwrap();
//! assert!((lufs + 16.0).abs() < 0.5);
//! assert!(tone.report().true_peak_dbtp.unwrap() <= -1.0);
//! # Ok(())
//! # }
//! ```
//!
//! Writing a tone to disk is atomic: the file is complete or untouched.
//!
//! ```no_run
//! # fn main() -> ringforge::Result<()> {
//! let tone = ringforge::convert_path("front-desk.mp3", &ringforge::Options::default())?;
//! tone.write_sln("/var/www/digium_phones/front-desk.sln")?;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]
#![warn(clippy::too_many_lines)]

pub mod audition;
pub mod batch;
mod contain;
mod error;
mod fingerprint;
pub mod id;
pub mod inspect;
pub mod keywords;
pub mod logo;
pub mod manifest;
pub mod options;
#[cfg(feature = "unstable-stages")]
pub mod pipeline;
#[cfg(not(feature = "unstable-stages"))]
mod pipeline;
mod power_spectrum;
pub mod repo;
pub mod report;
pub mod signal;
pub mod sln;

pub use contain::{panic_is_contained, panic_is_in_decoder, panic_message};
pub use error::{Error, Result};
pub use fingerprint::SOUND_VERSION;
pub use options::{ChannelPick, Dither, Limits, Normalize, Options, Oversize};
pub use pipeline::{convert_bytes, convert_path, convert_reader, Tone};
pub use report::{Limiting, Report, SourceInfo, Warning};

/// The README's Rust examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
