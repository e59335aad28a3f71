//! `ringforge check`: load the configuration, check, print the problems in the chosen format.

use std::io::Write;
use std::time::Instant;

use ringforge::repo::check::{self, CheckOptions, CheckReport, Problem};
use ringforge::repo::config::{Config, ConfigError};
use serde_json::json;

use super::{CheckArgs, CheckFormat, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

pub fn run(args: CheckArgs) -> u8 {
    let started = Instant::now();
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            print_config_error(&e, args.format);
            return EXIT_USAGE;
        }
    };
    let mut opts = CheckOptions::default();
    opts.jobs = args.jobs.jobs;
    let report = check::check(&config, &opts);
    match args.format {
        CheckFormat::Human => print_human(&report, started.elapsed().as_secs_f64()),
        CheckFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report).expect("report serialises");
            s.push('\n');
            out(&s);
        }
        CheckFormat::Github => {
            for p in &report.problems {
                out(&format!("{}\n", github_annotation(p)));
            }
            if report.ok {
                out(&format!(
                    "ringforge check: {} up to date\n",
                    counted(&report)
                ));
            }
        }
    }
    if report.ok {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}

/// "6 tones, 8 logos and 11 manifests" (logos named only when there are some).
fn counted(report: &CheckReport) -> String {
    let n =
        |count: usize, what: &str| format!("{count} {what}{}", if count == 1 { "" } else { "s" });
    let (tones, manifests) = (n(report.tones, "tone"), n(report.manifests, "manifest"));
    if report.logos == 0 {
        format!("{tones} and {manifests}")
    } else {
        format!("{tones}, {} and {manifests}", n(report.logos, "logo"))
    }
}

fn print_human(report: &CheckReport, seconds: f64) {
    for p in &report.problems {
        out(&format!(
            "error: {}: {} — {}\n",
            p.file.display(),
            p.message,
            p.fix
        ));
    }
    if report.ok {
        eprintln!(
            "ok: {} are valid and up to date ({seconds:.2} s)",
            counted(report)
        );
    } else {
        let files: std::collections::BTreeSet<_> =
            report.problems.iter().map(|p| &p.file).collect();
        eprintln!(
            "check failed: {} problem(s) in {} file(s) ({seconds:.2} s)",
            report.problems.len(),
            files.len()
        );
    }
}

/// Prints a configuration error in `format`: human lines on standard error; JSON or GitHub
/// annotations (with line and column) on standard output.
pub fn print_config_error(e: &ConfigError, format: CheckFormat) {
    let file = e.path.to_string_lossy().replace('\\', "/");
    match format {
        CheckFormat::Human => {
            for p in &e.problems {
                eprintln!("error: {}", p.render(&e.path));
            }
            if !e.path.exists() {
                eprintln!("note: --config PATH names another configuration file or folder");
            }
        }
        CheckFormat::Json => {
            let problems: Vec<_> = e
                .problems
                .iter()
                .map(|p| {
                    json!({
                        "file": file,
                        "line": p.line,
                        "column": p.column,
                        "kind": "config",
                        "message": p.message,
                        "fix": p.fix,
                    })
                })
                .collect();
            let doc = json!({ "ok": false, "config_errors": problems });
            out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&doc).expect("report serialises")
            ));
        }
        CheckFormat::Github => {
            for p in &e.problems {
                let mut props = format!("file={}", github_escape_property(&file));
                if let Some(l) = p.line {
                    props.push_str(&format!(",line={l}"));
                }
                if let Some(c) = p.column {
                    props.push_str(&format!(",col={c}"));
                }
                out(&format!(
                    "::error {props},title=ringforge config::{}\n",
                    github_escape_data(&p.render(&e.path))
                ));
            }
        }
    }
}

/// Writes to standard output, ignoring a closed pipe (`ringforge check | head`).
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Escapes a GitHub workflow command's message: `%`, `\r`, `\n`.
fn github_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a GitHub workflow command's property value: as the message, plus `:` and `,`.
fn github_escape_property(s: &str) -> String {
    github_escape_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// A problem as a GitHub Actions annotation:
/// `::error file=PATH,title=ringforge check::PATH: MESSAGE — FIX`.
fn github_annotation(p: &Problem) -> String {
    let file = p.file.to_string_lossy().replace('\\', "/");
    format!(
        "::error file={},title=ringforge check::{}",
        github_escape_property(&file),
        github_escape_data(&format!("{file}: {} — {}", p.message, p.fix))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escaping() {
        assert_eq!(github_escape_data("a%b\r\nc"), "a%25b%0D%0Ac");
        assert_eq!(github_escape_property("C:\\x,y"), "C%3A\\x%2Cy");
    }
}
