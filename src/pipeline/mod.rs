//! The conversion pipeline, one module per stage: [`decode`] → [`downmix`] → [`resample`] →
//! [`condition`] → [`quantize`], with [`loudness`] measuring on the way. The part reader picks
//! the part of the source a tone is made from while the source streams; `convert` runs it all.
//!
//! The stages are the library's inside: they are public only with the `unstable-stages`
//! feature, for the benchmarks and the tests of single stages, and may change in any release.
//! The stable way in is [`crate::convert_path`], [`crate::convert_bytes`] and
//! [`crate::convert_reader`].

pub mod condition;
mod convert;
pub mod decode;
pub mod downmix;
pub mod loudness;
mod part;
pub mod quantize;
pub mod resample;
mod tone;

pub use convert::{convert_bytes, convert_path, convert_reader};
pub(crate) use convert::{convert_source, guarded};
pub use tone::Tone;
