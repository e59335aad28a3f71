//! Loudness normalisation on music-like material (`tests/fixtures/loudness/`, made by
//! `scripts/make-loudness-fixtures.sh`): a dynamic orchestral piece, a hot master and a quiet
//! speech recording all reach −16 LUFS within ±0.5 LU with the true peak at most −1 dBTP,
//! measured by the library's own meter and by the ebur128 crate. (`scripts/check-loudness.sh`
//! measures the same tones with ffmpeg's ebur128 filter.)

mod common;

use common::{fixture, r128};
use ringforge::pipeline::condition::HEAVY_LIMITING_DB;
use ringforge::pipeline::loudness;
use ringforge::{convert_path, Normalize, Options, Warning};

const PIECES: [&str; 3] = ["orchestral.mp3", "hotmaster.mp3", "quiet-speech.mp3"];

fn normalised(limiter: bool) -> Options {
    let mut opts = Options::default();
    opts.normalize = Some(Normalize::loudness());
    opts.limiter = limiter;
    opts
}

#[test]
fn every_piece_reaches_minus_16_lufs_under_minus_1_dbtp() {
    for name in PIECES {
        let path = fixture(&format!("loudness/{name}"));
        let before = convert_path(&path, &Options::default()).unwrap();
        let tone = convert_path(&path, &normalised(true)).unwrap();
        let own = loudness::measure_i16(tone.samples());
        let (lufs, tp) = (own.integrated_lufs.unwrap(), own.true_peak_dbtp().unwrap());
        let (ref_lufs, ref_tp) = r128(tone.samples());
        let r = tone.report();
        eprintln!(
            "{name}: {:.2} LUFS → {lufs:.2} LUFS ({ref_lufs:.2} by ebur128), true peak \
             {tp:.2} dBTP ({ref_tp:.2}), gain {:+.2} dB, limiting {:?}, warnings {:?}",
            before.report().loudness_lufs.unwrap(),
            r.gain_db,
            r.limiting,
            r.warnings
        );
        for l in [lufs, ref_lufs] {
            assert!((l + 16.0).abs() <= 0.5, "{name}: {l} LUFS");
        }
        for p in [tp, ref_tp] {
            assert!(p <= -1.0, "{name}: {p} dBTP");
        }
        assert_eq!(r.loudness_lufs, Some(lufs));
        assert!(!r
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::LoudnessLimited { .. })));
    }
}

#[test]
fn the_limiter_reports_what_it_did() {
    // The hot master only needs turning down; the orchestral piece needs its peaks held.
    let hot = convert_path(fixture("loudness/hotmaster.mp3"), &normalised(true)).unwrap();
    assert_eq!(hot.report().limiting, None);
    let orch = convert_path(fixture("loudness/orchestral.mp3"), &normalised(true)).unwrap();
    let l = orch.report().limiting.unwrap();
    assert!(
        l.max_reduction_db > 1.0 && l.max_reduction_db < 8.0,
        "{l:?}"
    );
    assert!(l.limited_share > 0.0 && l.limited_share < 0.5, "{l:?}");
    // The JSON form carries it; a tone the limiter left alone has no `limiting` at all.
    let json = serde_json::to_value(orch.report()).unwrap();
    assert!(json["limiting"]["max_reduction_db"].as_f64().unwrap() > 1.0);
    let json = serde_json::to_value(hot.report()).unwrap();
    assert!(json.get("limiting").is_none());
}

#[test]
fn without_the_limiter_the_ceiling_holds_the_dynamic_piece_back_as_before() {
    let path = fixture("loudness/orchestral.mp3");
    let tone = convert_path(&path, &normalised(false)).unwrap();
    let r = tone.report();
    assert_eq!(r.limiting, None);
    assert!(r.loudness_lufs.unwrap() < -16.5, "{:?}", r.loudness_lufs);
    assert!(r
        .warnings
        .iter()
        .any(|w| matches!(w, Warning::LoudnessLimited { .. })));
    // Off is exactly the old behaviour: the old gain rule, and the fingerprint (and so the
    // dither) of options that never had a limiter.
    let mut old = Options::default();
    old.normalize = Some(Normalize::loudness());
    let mut off = old.clone();
    off.limiter = false;
    let mut without = Options::default();
    without.limiter = false;
    assert_eq!(without.fingerprint(), Options::default().fingerprint());
    assert_ne!(off.fingerprint(), old.fingerprint());
}

fn at_target(target_lufs: f64) -> Options {
    let mut opts = normalised(true);
    opts.normalize = Some(Normalize::Loudness {
        target_lufs,
        true_peak_ceiling_dbtp: -1.0,
    });
    opts
}

#[test]
fn a_very_dynamic_source_is_named_as_such() {
    // The speech's peaks stand far above its loudness: −15 LUFS takes about 10 dB of
    // limiting, more than HEAVY_LIMITING_DB (6) and less than MAX_LIMITING_DB (12), so the
    // target is reached and the warning names the source as very dynamic.
    let speech = fixture("loudness/quiet-speech.mp3");
    let tone = convert_path(&speech, &at_target(-15.0)).unwrap();
    let r = tone.report();
    let l = r.limiting.expect("the speech is limited");
    assert!(l.max_reduction_db > HEAVY_LIMITING_DB, "{l:?}");
    assert!((r.loudness_lufs.unwrap() + 15.0).abs() <= 0.5, "{r:?}");
    let w = r
        .warnings
        .iter()
        .find(|w| matches!(w, Warning::HeavyLimiting { .. }))
        .expect("a heavy-limiting warning");
    let text = w.to_string();
    assert!(
        text.contains("very dynamic") && text.contains("lower target"),
        "{text}"
    );
    // The lower target it suggests needs no more than HEAVY_LIMITING_DB: no warning there.
    let suggested: f64 = text
        .split("`normalize=loudness:")
        .nth(1)
        .and_then(|t| t.split('`').next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("a suggested target in {text:?}"));
    assert!(suggested < -15.0, "{text}");
    let tone = convert_path(&speech, &at_target(suggested)).unwrap();
    let r = tone.report();
    assert!(
        r.limiting.unwrap().max_reduction_db <= HEAVY_LIMITING_DB,
        "{suggested}: {:?}",
        r.limiting
    );
    assert!(r.warnings.is_empty(), "{suggested}: {:?}", r.warnings);
    assert!((r.loudness_lufs.unwrap() - suggested).abs() <= 0.5, "{r:?}");
    // −13 LUFS would take more than MAX_LIMITING_DB: the speech is not limited at all, gets the
    // gain the ceiling allows, and the warning says it stays short of the target.
    let tone = convert_path(&speech, &at_target(-13.0)).unwrap();
    let r = tone.report();
    assert_eq!(r.limiting, None);
    assert!(r.loudness_lufs.unwrap() < -13.5, "{r:?}");
    assert!(
        r.warnings
            .iter()
            .any(|w| matches!(w, Warning::LoudnessLimited { .. })),
        "{:?}",
        r.warnings
    );
}

#[test]
fn limiting_gives_the_same_bytes_every_time() {
    let path = fixture("loudness/orchestral.mp3");
    let a = convert_path(&path, &normalised(true)).unwrap();
    let b = convert_path(&path, &normalised(true)).unwrap();
    assert_eq!(a.md5_hex(), b.md5_hex());
}

/// A loop cut hard: music-like material that ends on a hit at full level, its length no whole
/// number of the meter's 100 ms segments (nor of the limiter's 4 ms blocks), so the last hit
/// lies in the tail the meter does not gate. A 44.1 kHz stereo WAV, through the whole
/// conversion.
#[test]
fn a_tone_that_ends_on_a_hit_reaches_the_target() {
    use std::f64::consts::PI;
    let rate = 44_100u32;
    for frames in [132_411usize, 132_300 + 147, 133_000] {
        let x: Vec<f32> = (0..frames)
            .map(|i| {
                let t = i as f64 / f64::from(rate);
                let since = t % 0.25;
                let end = (frames - 1 - i) as f64 / f64::from(rate);
                let chord =
                    0.18 * (2.0 * PI * 220.0 * t).sin() + 0.12 * (2.0 * PI * 331.0 * t).sin();
                let hit = 0.9 * (-since / 0.004).exp() * (2.0 * PI * 1_000.0 * t).sin();
                let last = if end < 0.003 {
                    0.98 * (2.0 * PI * 1_500.0 * t).sin()
                } else {
                    0.0
                };
                (chord + hit + last).clamp(-1.0, 1.0) as f32
            })
            .collect();
        let wav =
            ringforge::signal::wav_i16(rate, 2, &ringforge::signal::interleave(&[x.clone(), x]));
        let tone = ringforge::convert_bytes(&wav, Some("wav"), &normalised(true))
            .unwrap_or_else(|e| panic!("{frames} frames: {e}"));
        let r = tone.report();
        assert!(r.limiting.is_some(), "{frames}: {r:?}");
        let own = loudness::measure_i16(tone.samples());
        let (ref_lufs, ref_tp) = r128(tone.samples());
        for l in [own.integrated_lufs.unwrap(), ref_lufs] {
            assert!((l + 16.0).abs() <= 0.5, "{frames}: {l} LUFS");
        }
        for p in [own.true_peak_dbtp().unwrap(), ref_tp] {
            assert!(p <= -1.0, "{frames}: {p} dBTP");
        }
    }
}
