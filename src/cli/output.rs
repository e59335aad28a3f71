//! Everything the command prints: per-file messages, the progress bar, the summary and the JSON
//! report.

use std::io::IsTerminal;
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ringforge::batch::Outcome;

use super::flags::as_flags;
use serde::Serialize;

/// A progress bar on a terminal; nothing when standard error is a pipe or a file.
pub fn progress(len: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}").expect("valid template"),
    );
    bar
}

/// `path: message` on standard error, above the progress bar.
pub fn file_message(bar: &ProgressBar, kind: &str, path: &Path, message: &str) {
    bar.suspend(|| eprintln!("{}", line(kind, path, message)));
}

/// `kind: path: message` as one line, whatever the file is called: control characters in the
/// path or the message (a file name holding a newline) are shown escaped (`\n`), so each
/// message stays on one line for people and for scripts reading the log. Options the message
/// names are shown as flags.
pub fn line(kind: &str, path: &Path, message: &str) -> String {
    format!(
        "{kind}: {}: {}",
        one_line(&path.display().to_string()),
        one_line(&as_flags(message))
    )
}

fn one_line(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// One file of the `--report json` output.
#[derive(Serialize)]
struct FileReport<'a> {
    input: String,
    id: &'a str,
    status: &'static str,
    output: Option<String>,
    md5: Option<&'a str>,
    #[serde(flatten)]
    report: Option<&'a ringforge::Report>,
    warnings_text: Vec<String>,
    error: Option<String>,
}

/// Status word of an outcome: `ok`, `warned` or `failed`.
pub fn status(o: &Outcome) -> &'static str {
    match &o.result {
        Ok(w) => w.report.status(),
        Err(_) => "failed",
    }
}

/// The `--report json` document: one object per file, in input order.
pub fn json_report(outcomes: &[Outcome]) -> String {
    let files: Vec<FileReport<'_>> = outcomes
        .iter()
        .map(|o| {
            let written = o.result.as_ref().ok();
            FileReport {
                input: o.job.input.path.display().to_string(),
                id: &o.job.id,
                status: status(o),
                output: written.map(|w| w.output.display().to_string()),
                md5: written.and_then(|w| w.md5()),
                report: written.map(|w| &w.report),
                warnings_text: written
                    .map(|w| w.report.warnings.iter().map(|w| w.to_string()).collect())
                    .unwrap_or_default(),
                error: o.result.as_ref().err().map(|e| e.to_string()),
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&serde_json::json!({ "files": files }))
        .expect("report serialises");
    s.push('\n');
    s
}
