//! ringforge: turn everyday audio into ringtones for Digium/Sangoma D-series phones.

#![warn(missing_docs)]

mod error;
pub mod id;
pub mod manifest;
pub mod report;

pub use error::{Error, Result};
pub use report::{Report, SourceInfo, Warning};
