//! Command-line definitions (clap) and dispatch to the subcommands.

mod audition;
mod build;
mod check;
mod convert;
mod flags;
mod inspect;
mod limits;
mod logo;
mod output;
mod sound;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// Exit status: everything converted (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Exit status: some file failed, a check failed, or a warning under --strict.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: usage or configuration error.
pub const EXIT_USAGE: u8 = 2;

/// `ringforge --version`: the release and the sound version, which says what bytes it makes.
fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        format!(
            "{} (sound version {})",
            env!("CARGO_PKG_VERSION"),
            ringforge::SOUND_VERSION
        )
    })
}

/// Turn audio files into ringtones for Digium/Sangoma D-series phones (16 kHz mono 16-bit .sln,
/// under 1 MB) and write the phone XML, DPMA and JSON manifests that list them.
#[derive(Debug, Parser)]
#[command(name = "ringforge", version = version(), about, long_about = None)]
#[command(
    after_help = "Exit status: 0 all good (warnings allowed), 1 a file or check failed, 2 usage or configuration error."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Convert audio files and folders into phone ringtones.
    Convert(Box<ConvertArgs>),
    /// Bring a repository's tones and manifests up to date with its ringforge.toml: convert
    /// what changed, skip what is up to date, remove what left the config.
    Build(BuildArgs),
    /// Verify, for CI, that the outputs are valid for the phones, agree with the manifests and
    /// the config, and are up to date with their sources. Writes nothing.
    Check(CheckArgs),
    /// Describe audio files and tones: format, duration, level, loudness, and the warnings a
    /// conversion would raise; for .sln/.sln16/.raw tones, whether the phones accept them.
    /// Exit status 1 when a file cannot be read or a tone is not valid for the phones.
    Inspect(InspectArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

/// Flags of `ringforge convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Audio files, or folders searched recursively (hidden and non-audio files are skipped).
    /// Optional with --logo.
    #[arg(required_unless_present = "logo", value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Folder to write the tones and manifests to (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    #[command(flatten)]
    pub jobs: JobsArg,
    /// Treat every warning as an error: the file fails and nothing is written for it.
    #[arg(long)]
    pub strict: bool,
    /// File extension of the tones. The phones ignore it; Asterisk calls 16 kHz audio .sln16.
    #[arg(long, value_enum, default_value_t = ExtArg::Sln)]
    pub ext: ExtArg,
    /// Size cap in bytes; a tone must be smaller. The phones accept "less than 1 MB".
    #[arg(long, value_name = "BYTES", default_value_t = 1_000_000)]
    pub max_bytes: u64,
    /// Dither when reducing to 16 bits (seeded from the audio: output is reproducible).
    #[arg(long, value_enum, default_value_t = DitherArg::Tpdf)]
    pub dither: DitherArg,
    /// Convert sources below 16 kHz without the upsampling warning.
    #[arg(long)]
    pub allow_upsample: bool,
    /// URL folder the phones fetch tones from, e.g. http://pbx.example.com/digium_phones/
    /// (the DPMA's file_url_prefix). Without it the phone XML holds relative URLs.
    #[arg(long, value_name = "URL")]
    pub url_prefix: Option<String>,
    /// Name a tone shows on the phone (default: from its file name). Repeatable.
    #[arg(long = "display", value_name = "ID=NAME")]
    pub displays: Vec<String>,
    /// Distinctive ring: calls whose Alert-Info matches INFO ring TONE (a tone id or a built-in
    /// such as Digium). RING_TYPE: normal (default), answer, ring-answer, visual. Repeatable.
    #[arg(long = "alert", value_name = "INFO=TONE[:RING_TYPE]")]
    pub alerts: Vec<String>,
    /// Manifests to write next to the tones: a comma-separated list of xml, dpma, json.
    #[arg(long, value_name = "LIST", default_value = "xml,dpma,json")]
    pub manifests: String,
    /// Write no manifest.
    #[arg(long, conflicts_with = "manifests")]
    pub no_manifests: bool,
    /// Leave the phones' 14 built-in tones out of ringtones.xml.
    #[arg(long)]
    pub no_builtin_tones: bool,
    /// Print a machine-readable report of every file on standard output.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub report: Option<ReportFormat>,
    /// Print only errors and warnings (no progress bar, no summary).
    #[arg(short, long)]
    pub quiet: bool,
    /// Write a report page into DIR (index.html and previews/): every tone's levels, warnings,
    /// waveform, spectrum and a playable preview. DIR must not be inside the output folder.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub sound: sound::SoundArgs,
    #[command(flatten)]
    pub limits: limits::LimitArgs,
    #[command(flatten)]
    pub logo: logo::LogoArgs,
}

/// Flags of `ringforge inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Audio files (inspected as sources), tones (.sln, .sln16, .raw: 16 kHz mono 16-bit) and
    /// images (.png, .jpg, .gif, .bmp, .webp, .svg: the logo each phone model would get).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Human)]
    pub format: InspectFormat,
    /// Size cap in bytes a tone must stay under.
    #[arg(long, value_name = "BYTES", default_value_t = 1_000_000)]
    pub max_bytes: u64,
    /// Do not warn about sources below 16 kHz.
    #[arg(long)]
    pub allow_upsample: bool,
    #[command(flatten)]
    pub sound: sound::SoundArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum InspectFormat {
    /// Aligned lines for people.
    Human,
    /// One JSON document with a `files` array.
    Json,
}

/// Flags of `ringforge build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The configuration file (or a folder holding ringforge.toml); paths in it are relative
    /// to its folder.
    #[arg(short, long, value_name = "PATH", default_value = ringforge::repo::config::CONFIG_FILE)]
    pub config: PathBuf,
    #[command(flatten)]
    pub jobs: JobsArg,
    /// Treat every warning as an error: the tone fails and nothing is written for it.
    #[arg(long)]
    pub strict: bool,
    /// Print a machine-readable report of every tone on standard output.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub report: Option<ReportFormat>,
    /// Print only errors and warnings (no per-tone lines, no summary).
    #[arg(short, long)]
    pub quiet: bool,
    /// Write a report page into DIR (index.html and previews/): every tone's levels, warnings,
    /// waveform, spectrum and a playable preview. DIR must not be inside the output folder.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
}

/// Flags of `ringforge check`.
#[derive(Debug, Args)]
// check writes nothing, so its --jobs help leaves out the sentence about identical output.
#[command(mut_arg("jobs", |a| a.help("Worker threads (default: one per core)")))]
pub struct CheckArgs {
    /// The configuration file (or a folder holding ringforge.toml); paths in it are relative
    /// to its folder.
    #[arg(short, long, value_name = "PATH", default_value = ringforge::repo::config::CONFIG_FILE)]
    pub config: PathBuf,
    /// Output format: human (default), json, or github (workflow annotations:
    /// `::error file=…::message`).
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    #[command(flatten)]
    pub jobs: JobsArg,
}

/// The `-j/--jobs` flag of `convert`, `build` and `check`.
#[derive(Debug, Args)]
#[group(skip)]
pub struct JobsArg {
    /// Worker threads (default: one per core). Output is identical whatever the value.
    #[arg(
        short,
        long,
        value_name = "N",
        default_value_t = 0,
        hide_default_value = true
    )]
    pub jobs: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// `error: FILE: message — fix` lines and a summary.
    Human,
    /// One JSON document: {"ok", "tones", "logos", "manifests", "problems": [{file, tone, kind, message, fix}]}.
    Json,
    /// GitHub Actions annotations, one `::error file=…,title=…::…` line per problem.
    Github,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExtArg {
    Sln,
    Sln16,
    Raw,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DitherArg {
    /// Triangular dither, seeded from the input.
    Tpdf,
    /// Plain rounding.
    None,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ReportFormat {
    Json,
}

/// Parses the command line and runs the command, returning the process exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Convert(args) => convert::run(*args),
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "ringforge", &mut std::io::stdout());
            EXIT_OK
        }
    };
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
