//! `ringforge convert`: flags to library options, run the batch, print what happened.

use std::time::Instant;

use std::collections::HashMap;

use ringforge::audition::{Audition, Entry, Failure};
use ringforge::batch::{self, BatchOptions, Extension, Job};
use ringforge::logo::{LogoOptions, Model};
use ringforge::manifest::{Alert, ManifestSet, ManifestTone, Which};
use ringforge::{id, Dither, Options};

use super::{logo, output};
use super::{ConvertArgs, DitherArg, ExtArg, ReportFormat, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

pub fn run(args: ConvertArgs) -> u8 {
    let started = Instant::now();
    let setup = match Setup::from_args(&args) {
        Ok(setup) => setup,
        Err(code) => return code,
    };
    let inputs = match Inputs::find(&args, &setup) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let mut failed = inputs.failed;
    let outcomes = convert_all(inputs.jobs, &setup.opts, args.quiet);
    let tally = Tally::of(&outcomes);
    failed += tally.failed;
    failed += write_beside(&args, &setup, &outcomes, &inputs.skipped, &inputs.refused);
    if setup.report_json {
        print!("{}", output::json_report(&outcomes));
    }
    if !args.quiet {
        tally.print(failed, started);
    }
    if failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// What a `convert` run works with, from its flags.
struct Setup {
    opts: BatchOptions,
    ext: Extension,
    manifests: ManifestConfig,
    logo: (Vec<Model>, LogoOptions),
    report_json: bool,
}

impl Setup {
    /// The flags checked and translated, and the output folder made. On a mistake, prints it
    /// and returns the exit code.
    fn from_args(args: &ConvertArgs) -> Result<Setup, u8> {
        prepare_output(args)?;
        let usage = |e: String| {
            eprintln!("error: {e}");
            EXIT_USAGE
        };
        let convert = convert_options(args).map_err(usage)?;
        let ext = match args.ext {
            ExtArg::Sln => Extension::Sln,
            ExtArg::Sln16 => Extension::Sln16,
            ExtArg::Raw => Extension::Raw,
        };
        let manifests = ManifestConfig::from_args(args).map_err(usage)?;
        let logo = args.logo.options().map_err(usage)?;
        let report_json = matches!(args.report, Some(ReportFormat::Json));
        let opts = BatchOptions {
            convert,
            out_dir: args.output.clone(),
            strict: args.strict,
            jobs: args.jobs.jobs,
            // The manifests list every tone's digests and the JSON report its MD5; with neither,
            // nothing reads them.
            digests: manifests.which != Which::NONE || report_json,
        };
        Ok(Setup {
            opts,
            ext,
            manifests,
            logo,
            report_json,
        })
    }
}

/// Checks `--max-bytes`, `--output` and `--html`, then makes the output folder. On a mistake,
/// prints it and returns the exit code.
fn prepare_output(args: &ConvertArgs) -> Result<(), u8> {
    if let Err(e) = Options::check_max_bytes(args.max_bytes) {
        eprintln!("error: --max-bytes: {e}");
        return Err(EXIT_USAGE);
    }
    if args.output.exists() && !args.output.is_dir() {
        eprintln!(
            "error: {}: output exists and is not a folder — choose another --output",
            args.output.display()
        );
        return Err(EXIT_USAGE);
    }
    if let Some(html) = &args.html {
        if !super::audition::check_location(html, &args.output) {
            return Err(EXIT_USAGE);
        }
    }
    if let Err(e) = std::fs::create_dir_all(&args.output) {
        eprintln!(
            "error: {}: cannot create the output folder: {e}",
            args.output.display()
        );
        return Err(EXIT_USAGE);
    }
    Ok(())
}

/// The library's conversion options from the flags, validated.
fn convert_options(args: &ConvertArgs) -> Result<Options, String> {
    let mut convert = Options::default();
    convert.max_bytes = args.max_bytes;
    convert.allow_upsample = args.allow_upsample;
    convert.limits = args.limits.to_limits();
    convert.dither = match args.dither {
        DitherArg::Tpdf => Dither::Tpdf,
        DitherArg::None => Dither::None,
    };
    args.sound.apply(&mut convert);
    convert.validate().map_err(|e| e.to_string())?;
    Ok(convert)
}

/// The inputs found under the arguments and planned: the jobs to run, and the files skipped or
/// refused (printed as they are found).
struct Inputs {
    jobs: Vec<Job>,
    skipped: Vec<batch::Skipped>,
    refused: Vec<(batch::Input, ringforge::Error)>,
    /// Skipped or refused files that count as failures.
    failed: usize,
}

impl Inputs {
    /// Finds and plans the inputs, and checks the manifest flags against them. On a mistake
    /// in those, prints it and returns the exit code.
    fn find(args: &ConvertArgs, setup: &Setup) -> Result<Inputs, u8> {
        let (inputs, skipped) = batch::discover(&args.inputs);
        let mut failed = 0usize;
        for s in &skipped {
            if s.is_error {
                failed += 1;
                eprintln!("{}", output::line("error", &s.path, &s.reason));
            } else if !args.quiet {
                eprintln!("{}", output::line("note", &s.path, &s.reason));
            }
        }
        let (jobs, refused) = batch::plan(inputs, setup.ext);
        for (input, e) in &refused {
            failed += 1;
            eprintln!("{}", output::line("error", &input.path, &e.to_string()));
        }
        if let Err(e) = setup.manifests.check_against(&jobs) {
            eprintln!("error: {e}");
            return Err(EXIT_USAGE);
        }
        Ok(Inputs {
            jobs,
            skipped,
            refused,
            failed,
        })
    }
}

/// Converts every job with a progress bar, printing each file's warnings or error as it ends.
fn convert_all(jobs: Vec<Job>, opts: &BatchOptions, quiet: bool) -> Vec<batch::Outcome> {
    let bar = output::progress(jobs.len(), quiet);
    let outcomes = batch::run(jobs, opts, &|o| {
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
    outcomes
}

/// The counts of the closing line.
struct Tally {
    converted: usize,
    warned: usize,
    failed: usize,
    audio_seconds: f64,
}

impl Tally {
    fn of(outcomes: &[batch::Outcome]) -> Tally {
        let converted = outcomes.iter().filter(|o| o.result.is_ok()).count();
        Tally {
            converted,
            warned: outcomes
                .iter()
                .filter(|o| output::status(o) == "warned")
                .count(),
            failed: outcomes.len() - converted,
            audio_seconds: outcomes
                .iter()
                .filter_map(|o| o.report())
                .map(|r| r.duration_seconds)
                .fold(0.0, |a, b| a + b), // not `sum()`: an empty f64 sum is -0.0
        }
    }

    /// The closing line, with every failure of the run counted in `failed`.
    fn print(&self, failed: usize, started: Instant) {
        let Tally {
            converted,
            warned,
            audio_seconds,
            ..
        } = self;
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "{converted} converted ({warned} with warnings), {failed} failed in {secs:.2} s \
             — {audio_seconds:.1} s of audio, {:.0}× realtime",
            audio_seconds / secs.max(1e-9)
        );
    }
}

/// Writes what goes beside the tones: the logos, the manifests and the report page. Returns
/// how many of those failed (each printed).
fn write_beside(
    args: &ConvertArgs,
    setup: &Setup,
    outcomes: &[batch::Outcome],
    skipped: &[batch::Skipped],
    refused: &[(batch::Input, ringforge::Error)],
) -> usize {
    let mut failed = 0;
    let mut logos = Vec::new();
    if let Some(image) = &args.logo.logo {
        let (models, opts) = &setup.logo;
        match logo::convert(image, models, opts, &args.output, args.quiet) {
            Some(l) => logos = l,
            None => failed += 1,
        }
    }
    match setup.manifests.write(&args.output, outcomes, logos) {
        Ok(messages) => {
            for (is_error, m) in messages {
                if is_error {
                    failed += 1;
                    eprintln!("error: {m}");
                } else if !args.quiet {
                    eprintln!("note: {m}");
                }
            }
        }
        Err(e) => {
            failed += 1;
            eprintln!("error: manifests not written: {e}");
        }
    }
    if let Some(html) = &args.html {
        let run = audition_of(
            outcomes,
            skipped,
            refused,
            &setup.manifests.displays,
            &setup.opts,
        );
        if !super::audition::write(html, &run, args.quiet) {
            failed += 1;
        }
    }
    failed
}

/// The manifest side of `convert`: which files, display names, alerts, URL prefix.
struct ManifestConfig {
    which: Which,
    displays: HashMap<String, String>,
    alerts: Vec<Alert>,
    url_prefix: Option<String>,
    builtin_tones: bool,
}

impl ManifestConfig {
    fn from_args(args: &ConvertArgs) -> Result<Self, String> {
        let which = if args.no_manifests {
            Which::NONE
        } else {
            args.manifests.parse::<Which>().map_err(|e| e.to_string())?
        };
        let mut displays = HashMap::new();
        for d in &args.displays {
            let (tone, name) = d
                .split_once('=')
                .ok_or_else(|| format!("--display {d:?}: expected ID=NAME"))?;
            id::validate_display(name).map_err(|e| format!("--display {d:?}: {e}"))?;
            displays.insert(tone.to_string(), name.to_string());
        }
        let alerts = args
            .alerts
            .iter()
            .map(|a| {
                a.parse::<Alert>()
                    .map_err(|e| format!("--alert {a:?}: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(ManifestConfig {
            which,
            displays,
            alerts,
            url_prefix: args.url_prefix.clone(),
            builtin_tones: !args.no_builtin_tones,
        })
    }

    fn set(&self, tones: Vec<ManifestTone>, alerts: Vec<Alert>) -> ManifestSet {
        ManifestSet {
            tones,
            alerts,
            url_prefix: self.url_prefix.clone(),
            builtin_tones: self.builtin_tones,
            logos: Vec::new(),
        }
    }

    /// Catches configuration mistakes before any audio is converted: unknown ids in --display,
    /// alerts naming unknown tones, duplicate alerts, a bad URL prefix.
    fn check_against(&self, jobs: &[Job]) -> Result<(), String> {
        for tone in self.displays.keys() {
            if !jobs.iter().any(|j| &j.id == tone) {
                let known: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
                return Err(format!(
                    "--display names the id {tone:?}, which no input has; the ids are: {}",
                    known.join(", ")
                ));
            }
        }
        let placeholders = jobs
            .iter()
            .map(|j| {
                ManifestTone::placeholder(
                    j.id.clone(),
                    batch::display_name(j, &self.displays),
                    j.file_name.clone(),
                    j.input.path.to_string_lossy(),
                )
            })
            .collect::<ringforge::Result<Vec<_>>>()
            .map_err(|e| e.to_string())?;
        self.set(placeholders, self.alerts.clone())
            .validate()
            .map_err(|e| e.to_string())
    }

    /// Writes the manifests for the tones that were written. Alerts whose tone failed are left
    /// out (an error each). Returns messages as (is_error, text).
    fn write(
        &self,
        dir: &std::path::Path,
        outcomes: &[batch::Outcome],
        logos: Vec<ringforge::manifest::ManifestLogo>,
    ) -> Result<Vec<(bool, String)>, String> {
        let mut messages = Vec::new();
        if self.which == Which::NONE {
            return Ok(messages);
        }
        let tones = batch::manifest_tones(outcomes, &self.displays).map_err(|e| e.to_string())?;
        let (alerts, left_out) = ringforge::manifest::without_failed_tones(&self.alerts, |t| {
            id::builtin_tone(t).is_none() && !tones.iter().any(|x| x.id.eq_ignore_ascii_case(t))
        });
        messages.extend(left_out.into_iter().map(|m| (true, m)));
        let mut set = self.set(tones, alerts);
        set.logos = logos;
        let written = set.write_to(dir, self.which).map_err(|e| e.to_string())?;
        let names: Vec<String> = written
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        messages.push((
            false,
            format!("wrote {} in {}", names.join(", "), dir.display()),
        ));
        if self.which.xml && set.url_is_relative() {
            messages.push((
                false,
                "ringtones.xml holds relative URLs; phones need absolute ones — pass \
                 --url-prefix http://YOUR-PBX/digium_phones/"
                    .into(),
            ));
        }
        Ok(messages)
    }
}

/// The report of a `convert` run: every tone written, every file that failed.
fn audition_of(
    outcomes: &[batch::Outcome],
    skipped: &[batch::Skipped],
    refused: &[(batch::Input, ringforge::Error)],
    displays: &HashMap<String, String>,
    opts: &BatchOptions,
) -> Audition {
    let mut run = Audition::default();
    for s in skipped.iter().filter(|s| s.is_error) {
        run.failures.push(Failure::new(
            s.path.display().to_string(),
            None,
            s.reason.clone(),
        ));
    }
    for (input, e) in refused {
        run.failures.push(Failure::new(
            input.path.display().to_string(),
            None,
            e.to_string(),
        ));
    }
    for o in outcomes {
        let source = o.job.input.path.display().to_string();
        match &o.result {
            Ok(w) => run.entries.push(
                Entry::new(
                    o.job.id.clone(),
                    batch::display_name(&o.job, displays),
                    source,
                    w.output.clone(),
                    w.report.clone(),
                )
                .with_normalize(opts.convert.normalize),
            ),
            Err(e) => {
                run.failures
                    .push(Failure::new(source, Some(o.job.id.clone()), e.to_string()))
            }
        }
    }
    run
}
