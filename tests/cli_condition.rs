//! The conditioning flags of `ringforge convert` and the `ringforge inspect` command, run as the
//! real binary in temporary folders.

mod common;

use std::path::{Path, PathBuf};

use common::fixture;
use common::run::Run;
use ringforge::signal;
use serde_json::Value;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `convert` with `--report json -q` and returns (exit code, report of the first file,
/// standard error).
fn convert(input: &Path, out: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["convert", s(input), "-o", s(out), "--report", "json", "-q"];
    args.extend_from_slice(extra);
    let o = Run::new(&args).output();
    let report: Value = serde_json::from_str(&o.stdout).unwrap_or(Value::Null);
    (o.code().unwrap(), report["files"][0].clone(), o.stderr)
}

fn write_wav(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn warning<'a>(file: &'a Value, kind: &str) -> Option<&'a Value> {
    file["warnings"]
        .as_array()?
        .iter()
        .find(|w| w["kind"] == kind)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn a_long_source_is_fitted_by_default_refused_on_request_and_cut_where_asked() {
    let dir = tempfile::tempdir().unwrap();
    let rate = 22_050;
    let x = signal::sweep(200.0, 3_800.0, 0.5, rate, rate as usize * 240);
    let long = write_wav(dir.path(), "long.wav", &signal::wav_i16(rate, 1, &x));
    drop(x);

    let out = dir.path().join("fit");
    let (code, file, stderr) = convert(&long, &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::metadata(out.join("long.sln")).unwrap().len(),
        999_998
    );
    let fitted = warning(&file, "fitted").expect("fitted warning");
    assert_eq!(fitted["source_seconds"], 240.0);
    assert_eq!(fitted["source_seconds_known"], true);
    assert_eq!(fitted["kept_seconds"], 31.249_937_5);
    assert!(
        stderr.contains("source is 240.00 s; kept 31.25 s"),
        "{stderr}"
    );
    assert_eq!(file["source"]["stopped_early"], true);
    let decoded = f(&file["source"]["frames_decoded"]);
    assert!(decoded < 31.5 * f64::from(rate), "{decoded}");

    let out = dir.path().join("refuse");
    let (code, file, stderr) = convert(&long, &out, &["--on-oversize", "error"]);
    assert_eq!(code, 1);
    assert_eq!(file["status"], "failed");
    assert!(stderr.contains("over the 1000000-byte cap"), "{stderr}");
    assert!(!out.join("long.sln").exists());

    let out = dir.path().join("part");
    let (code, file, stderr) = convert(&long, &out, &["--start", "1:00", "--length", "20"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::metadata(out.join("long.sln")).unwrap().len(),
        640_000
    );
    assert_eq!(file["warnings"], Value::Array(vec![]));
    assert!(f(&file["source"]["frames_decoded"]) < 80.5 * f64::from(rate));
}

#[test]
fn full_scale_sources_are_scaled_unless_clipping_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let sq = write_wav(
        dir.path(),
        "square.wav",
        &signal::wav_f32(48_000, 1, &signal::square(441.0, 1.0, 48_000, 48_000)),
    );
    for input in [sq, fixture("hotmaster_44k1_cbr128_stereo.mp3")] {
        let (code, file, stderr) = convert(&input, &dir.path().join("a"), &[]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(file["clipped_samples"], 0);
        let g = f(&warning(&file, "gain_reduced").expect("gain_reduced")["gain_db"]);
        assert!(g < 0.0 && f(&file["gain_db"]) == g);
        assert!(stderr.contains("level lowered by"), "{stderr}");

        let (code, file, stderr) = convert(&input, &dir.path().join("b"), &["--clip"]);
        assert_eq!(code, 0, "{stderr}");
        let clips = f(&file["clipped_samples"]);
        assert!(clips > 0.0);
        assert_eq!(
            f(&warning(&file, "clipped").expect("clipped")["samples"]),
            clips
        );
        assert!(stderr.contains("clipped at full scale"), "{stderr}");
    }
}

#[test]
fn loudness_normalisation_brings_tones_to_one_level() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    write_wav(
        &input,
        "quiet.wav",
        &signal::wav_i16(44_100, 1, &signal::sine(523.0, 0.02, 44_100, 44_100 * 3)),
    );
    write_wav(
        &input,
        "loud.wav",
        &signal::wav_i16(
            48_000,
            1,
            &signal::sweep(200.0, 6_000.0, 0.9, 48_000, 48_000 * 3),
        ),
    );
    let out = dir.path().join("out");
    let o = Run::new([
        "convert",
        s(&input),
        "-o",
        s(&out),
        "--normalize",
        "loudness:-16",
        "--report",
        "json",
        "-q",
    ])
    .output();
    assert!(o.status.success(), "{}", o.stderr);
    let report = o.json();
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for file in files {
        let lufs = f(&file["loudness_lufs"]);
        assert!((lufs + 16.0).abs() <= 0.5, "{lufs}");
        assert!(f(&file["true_peak_dbtp"]) <= -1.0);
    }
    let spread = (f(&files[0]["loudness_lufs"]) - f(&files[1]["loudness_lufs"])).abs();
    assert!(spread <= 0.5, "{spread}");
}

#[test]
fn bad_conditioning_values_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("sine1k_48k_s16_mono.wav");
    for args in [
        &["--normalize", "rms"][..],
        &["--normalize", "loudness:+3"],
        &["--start", "soon"],
        &["--length", "-1"],
        &["--trim-silence=loud"],
        &["--channel", "centre"],
    ] {
        let mut all = vec!["convert", s(&input), "-o", s(dir.path())];
        all.extend_from_slice(args);
        let o = Run::new(&all).output();
        assert_eq!(o.code(), Some(2), "{args:?}: {}", o.stderr);
    }
    let o = Run::new(["convert", s(&input), "-o", s(dir.path()), "--start", "5"]).output();
    assert_eq!(o.code(), Some(1));
    assert!(o.stderr.contains("past the end"), "{}", o.stderr);
}

#[test]
fn silence_is_trimmed_on_request_and_a_silent_source_is_warned_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut x = vec![0.0f32; 48_000];
    x.extend(signal::sine(800.0, 0.4, 48_000, 24_000));
    let input = write_wav(dir.path(), "prompt.wav", &signal::wav_i16(48_000, 1, &x));
    let (code, file, _) = convert(&input, &dir.path().join("t"), &["--trim-silence"]);
    assert_eq!(code, 0);
    assert!((f(&file["trimmed_start_seconds"]) - 0.995).abs() < 0.002);
    let sln = std::fs::read(dir.path().join("t/prompt.sln")).unwrap();
    let first = sln
        .chunks_exact(2)
        .position(|b| i16::from_le_bytes([b[0], b[1]]).abs() > 33)
        .unwrap();
    assert!(first <= 160, "first sound {first} samples in");
    let (_, file, _) = convert(&input, &dir.path().join("u"), &["--trim-silence=-20"]);
    assert!(f(&file["trimmed_start_seconds"]) > 0.99);

    let silent = fixture("silence_48k_s16_mono.wav");
    let (code, file, stderr) = convert(&silent, &dir.path().join("s"), &[]);
    assert_eq!(code, 0);
    assert!(warning(&file, "silent").is_some());
    assert!(stderr.contains("digital silence"), "{stderr}");
    let (code, file, stderr) = convert(&silent, &dir.path().join("s2"), &["--strict"]);
    assert_eq!(code, 1);
    assert_eq!(file["status"], "failed");
    assert!(stderr.contains("warnings are errors"), "{stderr}");
}

#[test]
fn anti_phase_stereo_warns_and_channel_left_keeps_the_left_level() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("antiphase1k_48k_s16_stereo.wav");
    let (code, file, stderr) = convert(&input, &dir.path().join("a"), &[]);
    assert_eq!(code, 0);
    assert!(warning(&file, "downmix_loss").is_some());
    assert!(
        stderr.contains("--channel left or --channel right"),
        "{stderr}"
    );
    let (code, file, _) = convert(&input, &dir.path().join("b"), &["--channel", "left"]);
    assert_eq!(code, 0);
    assert_eq!(file["warnings"], Value::Array(vec![]));
    assert!((f(&file["peak_dbfs"]) + 6.02).abs() < 0.05);
}

/// `label value` lines of the human inspect output, per file.
fn human_fields(out: &str) -> Vec<Vec<(String, String)>> {
    out.split("\n\n")
        .map(|block| {
            block
                .lines()
                .enumerate()
                .map(|(i, l)| {
                    if i == 0 {
                        ("file".to_string(), l.to_string())
                    } else {
                        let l = l.trim_start();
                        let (k, v) = l.split_at(l.find("  ").unwrap_or(l.len()));
                        (k.to_string(), v.trim().to_string())
                    }
                })
                .collect()
        })
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], key: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key} in {fields:?}"))
}

#[test]
fn inspect_describes_sources_in_both_formats() {
    let a = fixture("sine1k_44k1_s16_mono.wav");
    let b = fixture("sine1k_8k_s16_mono.wav");
    let c = fixture("sine1k_48k_flac24_stereo.flac");
    let o = Run::new(["inspect", s(&a), s(&b), s(&c), "--format", "json"]).output();
    o.assert_ok();
    let v = o.json();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);

    let x = &files[0];
    assert_eq!(x["path"], s(&a));
    assert_eq!(x["kind"], "source");
    assert_eq!(x["container"], "wave");
    assert_eq!(x["codec"], "pcm_s16le");
    assert_eq!(x["sample_rate"], 44_100);
    assert_eq!(x["channels"], 1);
    assert_eq!(x["bits_per_sample"], 16);
    assert_eq!(x["duration_seconds"], 0.5);
    assert_eq!(x["declared_seconds"], 0.5);
    assert!((f(&x["peak_dbfs"]) + 6.02).abs() < 0.01);
    assert!((f(&x["loudness_lufs"]) + 9.03).abs() < 0.1);
    assert!((f(&x["true_peak_dbtp"]) + 6.02).abs() < 0.05);
    assert_eq!(x["packet_errors"], 0);
    assert_eq!(x["warnings"], Value::Array(vec![]));
    assert_eq!(x["conversion"]["output_samples"], 8_000);
    assert_eq!(x["conversion_error"], Value::Null);
    assert_eq!(x["error"], Value::Null);

    let y = &files[1];
    assert_eq!(y["sample_rate"], 8_000);
    assert_eq!(y["warnings"][0]["kind"], "upsampled");
    assert_eq!(y["warnings"][0]["from"], 8_000);
    assert!(y["messages"][0]
        .as_str()
        .unwrap()
        .contains("--allow-upsample"));

    let z = &files[2];
    assert_eq!(z["container"], "flac");
    assert_eq!(z["codec"], "flac");
    assert_eq!(z["channels"], 2);
    assert_eq!(z["bits_per_sample"], 24);
    // Two equal channels are 3 LU louder than one (BS.1770 sums the channels' power).
    assert!(
        (f(&z["loudness_lufs"]) + 6.02).abs() < 0.1,
        "{}",
        z["loudness_lufs"]
    );
    assert!((f(&z["conversion"]["loudness_lufs"]) + 9.03).abs() < 0.1);

    let o = Run::new(["inspect", s(&a), s(&b)]).output();
    assert_eq!(o.code(), Some(0));
    let out = &o.stdout;
    let blocks = human_fields(out);
    assert_eq!(blocks.len(), 2, "{out}");
    let h = &blocks[0];
    assert_eq!(field(h, "file"), format!("{}: source", s(&a)));
    assert_eq!(
        field(h, "format"),
        "wave / pcm_s16le, 44100 Hz, 1 channel, 16-bit"
    );
    assert_eq!(field(h, "duration"), "0.500 s");
    assert_eq!(field(h, "peak"), "-6.02 dBFS");
    assert_eq!(field(h, "loudness"), "-9.0 LUFS, true peak -6.0 dBTP");
    assert!(
        field(h, "tone").starts_with("0.500 s, 16000 bytes"),
        "{out}"
    );
    assert_eq!(field(h, "warnings"), "none");
    let h = &blocks[1];
    assert!(field(h, "warning").contains("source is 8000 Hz"), "{out}");
}

#[test]
fn inspect_checks_tones_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = Run::new([
        "convert",
        s(&fixture("sine1k_8k_s16_mono.wav")),
        s(&fixture("sine1k_48k_s16_mono.wav")),
        "-o",
        s(&out),
        "-q",
    ])
    .output();
    assert!(o.status.success(), "{}", o.stderr);
    // A wideband tone: half a second of a sweep to 7.5 kHz after 0.1 s of silence.
    let mut x = vec![0.0f32; 1_600];
    x.extend(signal::sweep(100.0, 7_500.0, 0.5, 16_000, 8_000));
    let wide: Vec<u8> = x
        .iter()
        .flat_map(|v| ((v * 32_768.0).round() as i16).to_le_bytes())
        .collect();
    std::fs::write(out.join("wide.sln16"), &wide).unwrap();

    let narrow = out.join("sine1k_8k_s16_mono.sln");
    let good = out.join("sine1k_48k_s16_mono.sln");
    let wide = out.join("wide.sln16");
    let o = Run::new([
        "inspect",
        s(&narrow),
        s(&good),
        s(&wide),
        "--format",
        "json",
    ])
    .output();
    o.assert_ok();
    let v = o.json();
    let t = &v["files"][0];
    assert_eq!(t["kind"], "tone");
    assert_eq!(t["bytes"], 16_000);
    assert_eq!(t["samples"], 8_000);
    assert_eq!(t["duration_seconds"], 0.5);
    assert!((f(&t["peak_dbfs"]) + 6.0).abs() < 0.2);
    assert!((f(&t["loudness_lufs"]) + 9.0).abs() < 0.2);
    assert_eq!(t["silent"], false);
    assert_eq!(t["valid"], true);
    assert_eq!(t["problems"], Value::Array(vec![]));
    assert_eq!(t["hints"][0]["kind"], "narrowband");
    assert!(f(&t["high_band_db"]) < -50.0);
    assert!(t["messages"][0].as_str().unwrap().contains("8 kHz"));
    let w = &v["files"][2];
    assert_eq!(w["valid"], true);
    assert_eq!(w["hints"], Value::Array(vec![]));
    assert!((f(&w["leading_silence_seconds"]) - 0.1).abs() < 0.001);
    assert_eq!(w["trailing_silence_seconds"], 0.0);

    // Invalid files: a WAV named .sln, an odd size, silence.
    let wav = std::fs::read(fixture("sine1k_16k_s16_mono.wav")).unwrap();
    std::fs::write(out.join("header.sln"), &wav).unwrap();
    std::fs::write(out.join("odd.raw"), [0u8, 1, 2]).unwrap();
    std::fs::write(out.join("quiet.sln"), vec![0u8; 32_000]).unwrap();
    let o = Run::new([
        "inspect",
        s(&out.join("header.sln")),
        s(&out.join("odd.raw")),
        s(&out.join("quiet.sln")),
        "--format",
        "json",
    ])
    .output();
    assert_eq!(o.code(), Some(1));
    let v = o.json();
    let kinds = |i: usize| -> Vec<String> {
        v["files"][i]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds(0), ["header"]);
    assert_eq!(v["files"][0]["problems"][0]["container"], "WAV (RIFF)");
    assert_eq!(kinds(1), ["odd_length"]);
    assert_eq!(kinds(2), ["silent"]);
    assert!(v["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["valid"] == false));
    assert_eq!(v["files"][2]["silent"], true);
    assert_eq!(v["files"][2]["peak_dbfs"], Value::Null);

    let o = Run::new(["inspect", s(&good), s(&out.join("header.sln"))]).output();
    assert_eq!(o.code(), Some(1));
    let out_text = &o.stdout;
    let blocks = human_fields(out_text);
    let h = &blocks[0];
    assert_eq!(
        field(h, "file"),
        format!("{}: tone (16 kHz mono 16-bit)", s(&good))
    );
    assert_eq!(field(h, "duration"), "0.500 s (16000 bytes, 8000 samples)");
    assert_eq!(
        field(h, "silence"),
        "0.000 s at the start, 0.000 s at the end"
    );
    assert_eq!(field(h, "valid"), "yes");
    assert!(field(h, "loudness").ends_with("dBTP"), "{out_text}");
    let h = &blocks[1];
    assert_eq!(field(h, "valid"), "no");
    assert!(
        field(h, "problem").contains("WAV (RIFF) header"),
        "{out_text}"
    );
}

#[test]
fn inspect_shows_what_conversion_flags_would_do() {
    let o = Run::new([
        "inspect",
        s(&fixture("antiphase1k_48k_s16_stereo.wav")),
        "--channel",
        "left",
        "--format",
        "json",
    ])
    .output();
    assert_eq!(o.code(), Some(0));
    let v = o.json();
    assert_eq!(v["files"][0]["warnings"], Value::Array(vec![]));
    let o = Run::new([
        "inspect",
        s(&fixture("antiphase1k_48k_s16_stereo.wav")),
        "--format",
        "json",
    ])
    .output();
    let v = o.json();
    assert_eq!(v["files"][0]["warnings"][0]["kind"], "downmix_loss");
    // A file that cannot be read is reported and fails the run.
    let o = Run::new(["inspect", s(&fixture("bad/text.mp3"))]).output();
    assert_eq!(o.code(), Some(1));
    assert!(o.stdout.contains("not a supported audio file"));
}
