//! `ringforge inspect`: describe sources and tones, in words or JSON. Printing only; the
//! measurements come from [`ringforge::inspect`].

use ringforge::inspect::{self, Inspection, SourceInspection, ToneInspection};
use ringforge::sln::SlnProblem;
use ringforge::Options;
use serde::Serialize;

use super::{logo, InspectArgs, InspectFormat, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

/// One file of the JSON output.
#[derive(Serialize)]
struct Entry<'a> {
    path: String,
    #[serde(flatten)]
    inspection: Option<&'a Inspection>,
    /// Warnings, problems and hints as sentences for people.
    messages: Vec<String>,
    error: Option<String>,
}

pub fn run(args: InspectArgs) -> u8 {
    let mut opts = Options::default();
    opts.max_bytes = args.max_bytes;
    opts.allow_upsample = args.allow_upsample;
    args.sound.apply(&mut opts);
    if let Err(e) = opts.validate() {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }

    let (images, audio): (Vec<_>, Vec<_>) = args
        .files
        .iter()
        .partition(|p| ringforge::logo::is_image_path(p));
    let images: Vec<_> = images.into_iter().map(|p| logo::inspect(p)).collect();
    let images_failed = images.iter().any(|(_, f)| *f);
    let results: Vec<_> = audio
        .into_iter()
        .map(|p| (p, inspect::inspect_path(p, &opts)))
        .collect();
    let failed = results.iter().any(|(_, r)| match r {
        Err(_) => true,
        Ok(Inspection::Tone(t)) => !t.valid,
        Ok(_) => false,
    });

    match args.format {
        InspectFormat::Json => {
            let entries: Vec<Entry<'_>> = results
                .iter()
                .map(|(p, r)| Entry {
                    path: p.display().to_string(),
                    inspection: r.as_ref().ok(),
                    messages: r.as_ref().map(messages).unwrap_or_default(),
                    error: r.as_ref().err().map(ToString::to_string),
                })
                .collect();
            #[derive(Serialize)]
            struct Document<'a> {
                files: Vec<Entry<'a>>,
                #[serde(skip_serializing_if = "Vec::is_empty")]
                images: Vec<&'a logo::ImageInspection>,
            }
            let images = images.iter().map(|(i, _)| i).collect();
            let mut s = serde_json::to_string_pretty(&Document {
                files: entries,
                images,
            })
            .expect("inspection serialises");
            s.push('\n');
            print!("{s}");
        }
        InspectFormat::Human => {
            for (i, (image, _)) in images.iter().enumerate() {
                if i > 0 {
                    println!();
                }
                logo::print(image);
            }
            if !images.is_empty() && !results.is_empty() {
                println!();
            }
            for (i, (p, r)) in results.iter().enumerate() {
                if i > 0 {
                    println!();
                }
                match r {
                    Ok(Inspection::Source(s)) => print_source(&p.display().to_string(), s),
                    Ok(Inspection::Tone(t)) => print_tone(&p.display().to_string(), t),
                    Ok(_) => println!("{}: (unknown kind)", p.display()),
                    Err(e) => {
                        println!("{}: cannot inspect", p.display());
                        println!("  {:<12}{e}", "error");
                    }
                }
            }
        }
    }
    if failed || images_failed {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

fn messages(i: &Inspection) -> Vec<String> {
    match i {
        Inspection::Source(s) => s.warnings.iter().map(ToString::to_string).collect(),
        Inspection::Tone(t) => t
            .problems
            .iter()
            .map(problem)
            .chain(t.hints.iter().map(ToString::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A tone's problem in the words `ringforge check` uses too, and what to do about a file
/// converted by hand.
fn problem(p: &SlnProblem) -> String {
    let fix = match p {
        SlnProblem::TooLarge { .. } => "convert with --length (or let ringforge fit it)",
        SlnProblem::Header { .. } => "convert it: ringforge convert FILE -o DIR",
        SlnProblem::Silent { .. } => "check the source",
        _ => "convert the source again",
    };
    format!("{p} — {fix}")
}

fn dbfs(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2} dBFS")
    } else {
        "-inf dBFS (digital silence)".into()
    }
}

fn loudness(lufs: Option<f64>, tp: Option<f64>) -> String {
    let l = lufs.map_or("not measurable (under 0.4 s or silent)".into(), |v| {
        format!("{v:.1} LUFS")
    });
    match tp {
        Some(tp) => format!("{l}, true peak {tp:.1} dBTP"),
        None => l,
    }
}

fn line(label: &str, value: impl std::fmt::Display) {
    println!("  {label:<12}{value}");
}

fn print_source(path: &str, s: &SourceInspection) {
    println!("{path}: source");
    let bits = s
        .bits_per_sample
        .map_or(String::new(), |b| format!(", {b}-bit"));
    let ch = if s.channels == 1 {
        "channel"
    } else {
        "channels"
    };
    line(
        "format",
        format!(
            "{} / {}, {} Hz, {} {ch}{bits}",
            s.container, s.codec, s.sample_rate, s.channels
        ),
    );
    let declared = match s.declared_seconds {
        Some(d) if (d - s.duration_seconds).abs() > 0.0005 => format!(" (header says {d:.3} s)"),
        _ => String::new(),
    };
    line("duration", format!("{:.3} s{declared}", s.duration_seconds));
    line("peak", dbfs(s.peak_dbfs));
    line("loudness", loudness(s.loudness_lufs, s.true_peak_dbtp));
    match (&s.conversion, &s.conversion_error) {
        (Some(r), _) => line(
            "tone",
            format!(
                "{:.3} s, {} bytes, peak {}, {}{}",
                r.duration_seconds,
                r.bytes,
                dbfs(r.peak_dbfs),
                loudness(r.loudness_lufs, r.true_peak_dbtp),
                if r.gain_db != 0.0 {
                    format!(", gain {:+.2} dB", r.gain_db)
                } else {
                    String::new()
                }
            ),
        ),
        (None, Some(e)) => line("tone", format!("conversion would fail: {e}")),
        (None, None) => {}
    }
    if s.warnings.is_empty() {
        line("warnings", "none");
    }
    for w in &s.warnings {
        line("warning", w);
    }
}

fn print_tone(path: &str, t: &ToneInspection) {
    println!("{path}: tone (16 kHz mono 16-bit)");
    line(
        "duration",
        format!(
            "{:.3} s ({} bytes, {} samples)",
            t.duration_seconds, t.bytes, t.samples
        ),
    );
    line("peak", dbfs(t.peak_dbfs));
    line("loudness", loudness(t.loudness_lufs, t.true_peak_dbtp));
    if t.silent {
        line("silence", "the whole tone");
    } else {
        line(
            "silence",
            format!(
                "{:.3} s at the start, {:.3} s at the end",
                t.leading_silence_seconds, t.trailing_silence_seconds
            ),
        );
    }
    if let Some(db) = t.high_band_db {
        line("above 4 kHz", format!("{db:.1} dB of the energy"));
    }
    line("valid", if t.valid { "yes" } else { "no" });
    for p in &t.problems {
        line("problem", problem(p));
    }
    for h in &t.hints {
        line("hint", h);
    }
}
