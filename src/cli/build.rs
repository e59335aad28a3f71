//! `ringforge build`: load the configuration, build, print what happened.

use std::time::Instant;

use ringforge::audition::{Audition, Entry, Failure};
use ringforge::repo::build::{self, BuildOptions, ManifestStatus, ToneOutcome, ToneStatus};
use ringforge::repo::config::Config;
use serde_json::json;

use super::check::{out, print_config_error};
use super::{BuildArgs, CheckFormat, ReportFormat, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

pub fn run(args: BuildArgs) -> u8 {
    let started = Instant::now();
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            print_config_error(&e, CheckFormat::Human);
            return EXIT_USAGE;
        }
    };
    if let Some(html) = &args.html {
        if !super::audition::check_location(html, &config.output.dir) {
            return EXIT_USAGE;
        }
    }
    let mut opts = BuildOptions::default();
    opts.jobs = args.jobs.jobs;
    opts.strict = args.strict;
    let quiet = args.quiet;
    let report = build::build(&config, &opts, &|t: &ToneOutcome| print_tone(t, quiet));
    print_logos(&report, quiet);
    for n in &report.notes {
        if !quiet {
            eprintln!("note: {n}");
        }
    }
    for e in &report.errors {
        eprintln!("error: {e}");
    }
    if !quiet {
        for (path, status) in &report.manifests {
            match status {
                ManifestStatus::Written => eprintln!("wrote      {}", path.display()),
                ManifestStatus::Removed => eprintln!("removed    {}", path.display()),
                ManifestStatus::Unchanged => {}
            }
        }
    }
    let mut report_failed = false;
    if let Some(html) = &args.html {
        report_failed = !super::audition::write(html, &audition_of(&config, &report), quiet);
    }
    if let Some(ReportFormat::Json) = args.report {
        out(&json_report(&report));
    }
    if !quiet {
        let unchanged = report
            .manifests
            .iter()
            .filter(|(_, s)| *s == ManifestStatus::Unchanged)
            .count();
        eprintln!(
            "{} tones: {} converted, {} up to date, {} removed, {} failed; {} manifests \
             written, {unchanged} unchanged — {:.2} s",
            config.tones.len(),
            report.count(ToneStatus::Converted),
            report.count(ToneStatus::UpToDate),
            report.count(ToneStatus::Removed),
            report.count(ToneStatus::Failed),
            report
                .manifests
                .iter()
                .filter(|(_, s)| *s == ManifestStatus::Written)
                .count(),
            started.elapsed().as_secs_f64()
        );
    }
    if report.is_ok() && !report_failed {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}

/// One tone's outcome, as it finishes.
fn print_tone(t: &ToneOutcome, quiet: bool) {
    let source = t.source.as_deref().unwrap_or("");
    match t.status {
        ToneStatus::Converted => {
            if !quiet {
                eprintln!(
                    "converted  {} ({source} → {}; {})",
                    t.id,
                    t.file.display(),
                    t.reason.unwrap_or("changed")
                );
            }
            for w in &t.warnings {
                eprintln!("warning: {source}: {w}");
            }
        }
        ToneStatus::Failed => {
            let e = t.error.as_ref().map(|e| e.to_string()).unwrap_or_default();
            eprintln!("error: {source}: tone `{}` failed: {e}", t.id);
        }
        ToneStatus::Removed => {
            if !quiet {
                eprintln!("removed    {} ({})", t.id, t.file.display());
            }
        }
        ToneStatus::UpToDate => {}
    }
}

/// The logos' outcomes.
fn print_logos(report: &build::BuildReport, quiet: bool) {
    for l in &report.logos {
        let file = l.file.display();
        match l.status {
            ToneStatus::Converted => {
                if !quiet {
                    eprintln!(
                        "logo       {file} ({} bytes; {})",
                        l.bytes.unwrap_or(0),
                        l.reason.unwrap_or("changed")
                    );
                }
                for w in &l.warnings {
                    eprintln!("warning: {file}: {w}");
                }
            }
            ToneStatus::Failed => {
                let e = l.error.as_ref().map(|e| e.to_string()).unwrap_or_default();
                eprintln!("error: {file}: logo failed: {e}");
            }
            ToneStatus::Removed if !quiet => eprintln!("removed    {file}"),
            _ => {}
        }
    }
}

/// The `--report json` document.
fn json_report(report: &build::BuildReport) -> String {
    let tones: Vec<_> = report
        .tones
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "status": t.status.as_str(),
                "reason": t.reason,
                "source": t.source,
                "file": t.file.display().to_string(),
                "md5": t.md5,
                "warnings": t.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "limiting": t.report.as_ref().and_then(|r| r.limiting),
                "error": t.error.as_ref().map(ToString::to_string),
            })
        })
        .collect();
    let manifests: Vec<_> = report
        .manifests
        .iter()
        .map(|(p, s)| json!({ "file": p.display().to_string(), "status": s }))
        .collect();
    let doc = json!({
        "ok": report.is_ok(),
        "converted": report.count(ToneStatus::Converted),
        "up_to_date": report.count(ToneStatus::UpToDate),
        "removed": report.count(ToneStatus::Removed),
        "failed": report.count(ToneStatus::Failed),
        "tones": tones,
        "manifests": manifests,
        "errors": report.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "notes": report.notes,
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("report serialises");
    s.push('\n');
    s
}

/// The report of a build: every tone built or up to date (in configuration order), every tone
/// that failed.
fn audition_of(config: &Config, report: &build::BuildReport) -> Audition {
    let mut run = Audition::default();
    for (tone, t) in config.tones.iter().zip(&report.tones) {
        match (&t.report, &t.error) {
            (Some(r), None) => run.entries.push(
                Entry::new(
                    tone.id.clone(),
                    tone.display.clone(),
                    tone.source_in_config.clone(),
                    t.file.clone(),
                    r.clone(),
                )
                .with_normalize(tone.options.normalize),
            ),
            (_, error) => run.failures.push(Failure::new(
                tone.source_in_config.clone(),
                Some(tone.id.clone()),
                error
                    .as_ref()
                    .map_or_else(|| "not built".into(), ToString::to_string),
            )),
        }
    }
    run
}
