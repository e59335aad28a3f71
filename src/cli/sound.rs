//! The sound-conditioning flags shared by `convert` and `inspect`, and their translation into
//! [`ringforge::Options`].

use clap::{Args, ValueEnum};
use ringforge::{ChannelPick, Normalize, Options, Oversize};

/// How the tone is cut, levelled and mixed.
#[derive(Debug, Args)]
#[command(next_help_heading = "Sound")]
pub struct SoundArgs {
    /// Where in the source the tone begins: seconds (60, 1.5) or mm:ss(.fff) (1:02.5).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub start: Option<f64>,
    /// How much of the source to take from --start: seconds or mm:ss(.fff). The tone ends with
    /// a fade-out when the source goes on.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub length: Option<f64>,
    /// A tone longer than --max-bytes allows (31.25 s at the default cap) is cut to fit with a
    /// fade-out and a warning (fit), or refused (error).
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = OversizeArg::Fit)]
    pub on_oversize: OversizeArg,
    /// Length of the fade-out where a tone is cut (to fit, or by --length), in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = Options::DEFAULT_FADE_OUT_SECONDS)]
    pub fade_out: f64,
    /// Let samples over full scale clip (and count them) instead of lowering the level just
    /// enough to avoid clipping.
    #[arg(long)]
    pub clip: bool,
    /// Gain in dB applied before normalisation (e.g. -3).
    #[arg(
        long,
        value_name = "DB",
        allow_negative_numbers = true,
        default_value_t = 0.0
    )]
    pub gain: f64,
    /// Normalise the level: peak[:CEILING_DBFS] (default -1) or
    /// loudness[:TARGET_LUFS[:TRUE_PEAK_DBTP]] (EBU R128; default -16 LUFS, -1 dBTP), so a set of
    /// tones rings at one level.
    #[arg(long, value_name = "MODE", value_parser = parse_normalize)]
    pub normalize: Option<Normalize>,
    /// Trim leading and trailing silence below DBFS (default -60 when given without a value).
    /// Off by default: a ringtone's trailing silence is usually the pause between rings.
    #[arg(
        long,
        value_name = "DBFS",
        num_args = 0..=1,
        require_equals = true,
        allow_negative_numbers = true,
        default_missing_value = "-60"
    )]
    pub trim_silence: Option<f64>,
    /// Which channel becomes the tone: the mono mix, one channel, or the mix chosen on purpose
    /// (mid: no warning when stereo cancels in mono).
    #[arg(long, value_enum, default_value_t = ChannelArg::Mix)]
    pub channel: ChannelArg,
    /// With --normalize loudness: reach the target with a true-peak limiter when the ceiling
    /// would hold the gain back (on), or stop at the ceiling and leave such tones quieter (off).
    #[arg(long, value_enum, value_name = "ON|OFF", default_value_t = Switch::On)]
    pub limiter: Switch,
}

impl SoundArgs {
    /// Sets the conditioning fields of `opts`.
    pub fn apply(&self, opts: &mut Options) {
        opts.start = self.start;
        opts.length = self.length;
        opts.on_oversize = match self.on_oversize {
            OversizeArg::Fit => Oversize::Fit,
            OversizeArg::Error => Oversize::Error,
        };
        opts.fade_out_seconds = self.fade_out;
        opts.clip = self.clip;
        opts.gain_db = self.gain;
        opts.normalize = self.normalize;
        opts.trim_silence = self.trim_silence;
        opts.channel = match self.channel {
            ChannelArg::Mix => ChannelPick::Mix,
            ChannelArg::Left => ChannelPick::Left,
            ChannelArg::Right => ChannelPick::Right,
            ChannelArg::Mid => ChannelPick::Mid,
        };
        opts.limiter = matches!(self.limiter, Switch::On);
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OversizeArg {
    /// Cut to fit, fade out, warn.
    Fit,
    /// Refuse the file.
    Error,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ChannelArg {
    /// Mix all channels to mono; warn when stereo cancels.
    Mix,
    /// The left (first) channel only.
    Left,
    /// The right (second) channel only.
    Right,
    /// The mono mix, without the cancellation warning.
    Mid,
}

fn parse_time(s: &str) -> Result<f64, String> {
    ringforge::options::parse_time(s).map_err(|e| e.to_string())
}

fn parse_normalize(s: &str) -> Result<Normalize, String> {
    s.parse().map_err(|e: ringforge::Error| e.to_string())
}
