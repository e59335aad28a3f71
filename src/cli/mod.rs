//! Command-line definitions (clap) and dispatch to the subcommands.

mod convert;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// Exit status: everything converted (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Exit status: some file failed, a check failed, or a warning under --strict.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: usage or configuration error.
pub const EXIT_USAGE: u8 = 2;

/// Turn audio files into ringtones for Digium/Sangoma D-series phones (16 kHz mono 16-bit .sln,
/// under 1 MB) and write the phone XML, DPMA and JSON manifests that list them.
#[derive(Debug, Parser)]
#[command(name = "ringforge", version, about, long_about = None)]
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
    Convert(ConvertArgs),
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
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Folder to write the tones and manifests to (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Worker threads (default: one per core). Output is identical whatever the value.
    #[arg(
        short,
        long,
        value_name = "N",
        default_value_t = 0,
        hide_default_value = true
    )]
    pub jobs: usize,
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
    /// Print a machine-readable report of every file on standard output.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub report: Option<ReportFormat>,
    /// Print only errors and warnings (no progress bar, no summary).
    #[arg(short, long)]
    pub quiet: bool,
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
        Command::Convert(args) => convert::run(args),
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
