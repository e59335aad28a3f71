//! The safety-limit flags shared by the commands that decode audio, and their mapping onto
//! [`ringforge::Limits`].

use clap::Args;
use ringforge::Limits;

/// Safety limits on untrusted input: a file over one fails alone, with a message naming the
/// flag that raises it.
#[derive(Debug, Args)]
#[command(next_help_heading = "Safety limits")]
pub struct LimitArgs {
    /// Largest input file accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_input_bytes)]
    pub max_input_bytes: u64,
    /// Longest source decoded, in seconds (also bounds the memory one file may use).
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().max_decoded_seconds)]
    pub max_seconds: u64,
    /// Most channels a source may have.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_channels,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub max_channels: u16,
    /// Highest source sample rate accepted, in Hz.
    #[arg(long, value_name = "HZ", default_value_t = Limits::default().max_sample_rate,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_sample_rate: u32,
}

impl LimitArgs {
    /// The library limits these flags describe (the others keep their defaults).
    pub fn to_limits(&self) -> Limits {
        let mut limits = Limits::default();
        limits.max_input_bytes = self.max_input_bytes;
        limits.max_decoded_seconds = self.max_seconds;
        limits.max_channels = self.max_channels;
        limits.max_sample_rate = self.max_sample_rate;
        limits
    }
}
