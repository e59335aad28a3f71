//! `ringforge convert`: flags to library options, run the batch, print what happened.

use std::time::Instant;

use ringforge::batch::{self, BatchOptions, Extension};
use ringforge::{Dither, Options};

use super::output;
use super::{ConvertArgs, DitherArg, ExtArg, ReportFormat, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

pub fn run(args: ConvertArgs) -> u8 {
    let started = Instant::now();
    if args.max_bytes < 4 {
        eprintln!("error: --max-bytes must be at least 4");
        return EXIT_USAGE;
    }
    if args.output.exists() && !args.output.is_dir() {
        eprintln!(
            "error: {}: output exists and is not a folder — choose another --output",
            args.output.display()
        );
        return EXIT_USAGE;
    }
    if let Err(e) = std::fs::create_dir_all(&args.output) {
        eprintln!(
            "error: {}: cannot create the output folder: {e}",
            args.output.display()
        );
        return EXIT_USAGE;
    }

    let mut convert = Options::default();
    convert.max_bytes = args.max_bytes;
    convert.allow_upsample = args.allow_upsample;
    convert.dither = match args.dither {
        DitherArg::Tpdf => Dither::Tpdf,
        DitherArg::None => Dither::None,
    };
    let ext = match args.ext {
        ExtArg::Sln => Extension::Sln,
        ExtArg::Sln16 => Extension::Sln16,
        ExtArg::Raw => Extension::Raw,
    };
    let opts = BatchOptions {
        convert,
        out_dir: args.output.clone(),
        strict: args.strict,
        jobs: args.jobs,
    };

    let (inputs, skipped) = batch::discover(&args.inputs);
    let mut failed = 0usize;
    for s in &skipped {
        if s.is_error {
            failed += 1;
            eprintln!("error: {}: {}", s.path.display(), s.reason);
        } else if !args.quiet {
            eprintln!("note: {}: {}", s.path.display(), s.reason);
        }
    }
    let (jobs, refused) = batch::plan(inputs, ext);
    for (input, e) in &refused {
        failed += 1;
        eprintln!("error: {}: {e}", input.path.display());
    }

    let bar = output::progress(jobs.len(), args.quiet);
    let outcomes = batch::run(jobs, &opts, &|o| {
        match &o.result {
            Ok(w) => {
                for warning in &w.report.warnings {
                    output::file_message(&bar, "warning", &o.job.input.path, &warning.to_string());
                }
            }
            Err(e) => output::file_message(&bar, "error", &o.job.input.path, &e.to_string()),
        }
        bar.inc(1);
    });
    bar.finish_and_clear();

    let converted = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let warned = outcomes
        .iter()
        .filter(|o| output::status(o) == "warned")
        .count();
    failed += outcomes.len() - converted;
    let audio_seconds: f64 = outcomes
        .iter()
        .filter_map(|o| o.report())
        .map(|r| r.duration_seconds)
        .sum();

    if let Some(ReportFormat::Json) = args.report {
        print!("{}", output::json_report(&outcomes));
    }
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "{converted} converted ({warned} with warnings), {failed} failed in {secs:.2} s \
             — {audio_seconds:.1} s of audio, {:.0}× realtime",
            audio_seconds / secs.max(1e-9)
        );
    }
    if failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}
