//! Sound conditioning, measured on the library's output: fitting long sources under the cap with
//! a fade, choosing the part, never clipping, loudness normalisation, silence trimming and
//! channel picking.

mod common;

use std::sync::OnceLock;

use common::*;
use ringforge::pipeline::{condition, resample};
use ringforge::{
    convert_bytes, convert_path, signal, ChannelPick, Dither, Error, Normalize, Options, Oversize,
    Tone, Warning,
};

/// Rate of the long test source: 22.05 kHz keeps it small while exercising the resampler.
const LONG_RATE: u32 = 22_050;
const LONG_SECONDS: usize = 240;

/// A 4-minute mono source whose content says where it is: a sine gliding from 200 Hz to 3.8 kHz
/// over the whole length, at amplitude 0.5. Built once, as a 16-bit WAV in memory (10.6 MB).
fn long_source() -> &'static (Vec<f32>, Vec<u8>) {
    static SOURCE: OnceLock<(Vec<f32>, Vec<u8>)> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let x = signal::sweep(
            200.0,
            3_800.0,
            0.5,
            LONG_RATE,
            LONG_RATE as usize * LONG_SECONDS,
        );
        let wav = signal::wav_i16(LONG_RATE, 1, &x);
        // What the decoder will see: the 16-bit values.
        let exact = x
            .iter()
            .map(|s| (s * 32_768.0).round().clamp(-32_768.0, 32_767.0) / 32_768.0)
            .collect();
        (exact, wav)
    })
}

fn rms(x: &[i16]) -> f64 {
    (x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len() as f64).sqrt() / 32_768.0
}

fn has<F: Fn(&Warning) -> bool>(tone: &Tone, f: F) -> bool {
    tone.report().warnings.iter().any(f)
}

#[test]
fn a_four_minute_source_is_fitted_under_the_cap_and_fades_out() {
    let (_, wav) = long_source();
    let opts = Options::default();
    let tone = convert_bytes(wav, Some("wav"), &opts).unwrap();
    let r = tone.report();
    let s = tone.samples();

    // Just under the cap: 499,999 samples, 999,998 bytes.
    assert_eq!(s.len() as u64, opts.max_samples());
    assert!(r.bytes < opts.max_bytes);
    assert_eq!(r.bytes, 999_998);

    // It ends in the fade: full level one second before the end, about −6 dB halfway through
    // the 0.5 s fade, silence over the last 10 ms, exactly zero at the end.
    let n = s.len();
    let full = rms(&s[n - 24_000..n - 16_000]);
    let mid = rms(&s[n - 4_200..n - 3_800]);
    let last = rms(&s[n - 160..]);
    eprintln!(
        "fade: full {:.1} dBFS, middle {:.1} dBFS, last 10 ms {:.1} dBFS",
        db(full),
        db(mid),
        db(last)
    );
    assert!((db(full) - (-9.03)).abs() < 0.3, "{}", db(full));
    assert!((db(mid / full) + 6.0).abs() < 1.0, "{}", db(mid / full));
    assert!(db(last / full) < -40.0, "{}", db(last / full));
    assert!(s[n - 1].abs() <= 1);

    // The warning says how long the source was and what was kept.
    let fitted = r
        .warnings
        .iter()
        .find_map(|w| match w {
            Warning::Fitted {
                source_seconds,
                source_seconds_known,
                start_seconds,
                kept_seconds,
                fade_seconds,
            } => Some((
                *source_seconds,
                *source_seconds_known,
                *start_seconds,
                *kept_seconds,
                *fade_seconds,
            )),
            _ => None,
        })
        .expect("a Fitted warning");
    assert_eq!(fitted.0, LONG_SECONDS as f64);
    assert!(fitted.1, "the WAV header declares the duration");
    assert_eq!(fitted.2, 0.0);
    assert!((fitted.3 - 31.25).abs() < 0.001);
    assert_eq!(fitted.4, 0.5);
    let text = r.warnings[0].to_string();
    assert!(
        text.contains("240.00 s") && text.contains("31.25 s"),
        "{text}"
    );

    // Decoding stopped once 31.25 s plus the resampler's tail were decoded.
    let needed = (31.25 * f64::from(LONG_RATE)) as u64 + resample::tail_frames(LONG_RATE);
    eprintln!(
        "decoded {} of {} frames (needed {needed})",
        r.source.frames_decoded,
        LONG_RATE as usize * LONG_SECONDS
    );
    assert!(r.source.stopped_early);
    assert!(r.source.frames_decoded >= needed);
    assert!(
        r.source.frames_decoded < needed + 8_192,
        "{}",
        r.source.frames_decoded
    );
}

#[test]
fn start_and_length_take_exactly_that_part_and_stop_decoding() {
    let (exact, wav) = long_source();
    let mut opts = Options::default();
    opts.start = Some(60.0);
    opts.length = Some(20.0);
    opts.dither = Dither::None;
    let tone = convert_bytes(wav, Some("wav"), &opts).unwrap();
    let r = tone.report();
    assert_eq!(tone.samples().len(), 320_000, "exactly 20 s");
    assert!(!has(&tone, |w| matches!(w, Warning::Fitted { .. })));

    // The same samples the whole source's conversion has from 60 s to 80 s (away from the 5 ms
    // fade-in and the 0.5 s fade-out at the cuts).
    let reference = resample::to_16k(exact, LONG_RATE).unwrap();
    let reference = &reference[960_000..1_280_000];
    let worst = tone.samples()[80..320_000 - 8_000]
        .iter()
        .zip(&reference[80..320_000 - 8_000])
        .map(|(&a, &b)| (f64::from(a) - (f64::from(b) * 32_768.0).round()).abs())
        .fold(0.0, f64::max);
    eprintln!("--start 60 --length 20: worst difference from the whole conversion {worst} LSB");
    assert_eq!(worst, 0.0, "bit-identical to the whole source's conversion");
    // The cuts are faded: starts from zero, ends at zero.
    assert_eq!(tone.samples()[0], 0);
    assert_eq!(tone.samples()[319_999], 0);

    // Decoding jumped to just before 60 s (a WAV seeks exactly) and stopped at 80 s plus the
    // resampler's tail: about 20 s decoded, not 80.
    let tail = resample::tail_frames(LONG_RATE);
    let needed = 80 * u64::from(LONG_RATE) + tail;
    let s = &r.source;
    eprintln!(
        "skipped {} frames, decoded {} (20 s = {})",
        s.frames_skipped,
        s.frames_decoded,
        20 * LONG_RATE
    );
    assert!(s.stopped_early);
    assert!(s.frames_skipped > 59 * u64::from(LONG_RATE));
    assert!(s.frames_skipped + s.frames_decoded >= needed);
    assert!(s.frames_decoded < 20 * u64::from(LONG_RATE) + 4 * tail + 8_192);
}

#[test]
fn start_and_length_on_compressed_sources_decode_from_the_beginning() {
    // No exact seek in MP3 (priming, bit reservoir): frames are decoded and skipped.
    let mut opts = Options::default();
    opts.start = Some(0.25);
    opts.length = Some(0.5);
    let tone = convert_path(fixture("gapless_sine1k_44k1_cbr128_mono.mp3"), &opts).unwrap();
    assert_eq!(tone.samples().len(), 8_000);
    assert_eq!(tone.report().source.frames_skipped, 0);
    // The 0.5 s fade covers at most the second half of a 0.5 s tone.
    assert!(tone.samples()[3_000..3_800]
        .iter()
        .any(|s| s.abs() > 15_000));
    let level = tone_amplitude(&to_f64(&tone.samples()[160..3_800]), 1_000.0, 16_000.0);
    assert!((db(level) + 6.5).abs() < 0.6, "{}", db(level));
    // The same part from a FLAC file.
    let tone = convert_path(fixture("sine1k_44k1_flac16_mono.flac"), &opts).unwrap();
    assert_eq!(tone.samples().len(), 4_000);
    assert!(!tone.report().source.stopped_early);
}

#[test]
fn oversize_error_restores_refusal_and_still_stops_early() {
    let (_, wav) = long_source();
    let mut opts = Options::default();
    opts.on_oversize = Oversize::Error;
    match convert_bytes(wav, Some("wav"), &opts) {
        Err(Error::TooLarge {
            bytes,
            seconds,
            max_bytes,
        }) => {
            assert_eq!(max_bytes, 1_000_000);
            assert_eq!(bytes, 240 * 32_000);
            assert!((seconds - 240.0).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
    // A part that fits is fine in error mode.
    opts.start = Some(100.0);
    opts.length = Some(10.0);
    let tone = convert_bytes(wav, Some("wav"), &opts).unwrap();
    assert_eq!(tone.samples().len(), 160_000);
}

#[test]
fn a_start_past_the_end_is_an_error_that_says_so() {
    let wav = signal::wav_i16(16_000, 1, &signal::sine(440.0, 0.5, 16_000, 16_000));
    let mut opts = Options::default();
    opts.start = Some(2.0);
    let e = convert_bytes(&wav, Some("wav"), &opts).unwrap_err();
    assert!(e.to_string().contains("past the end"), "{e}");
}

#[test]
fn a_length_past_the_end_keeps_the_natural_end_without_fade() {
    let x = signal::sine(1_000.0, 0.5, 48_000, 48_000);
    let wav = signal::wav_i16(48_000, 1, &x);
    let mut opts = Options::default();
    opts.start = Some(0.25);
    opts.length = Some(5.0);
    let tone = convert_bytes(&wav, Some("wav"), &opts).unwrap();
    assert_eq!(tone.samples().len(), 12_000);
    let s = tone.samples();
    assert!(
        rms(&s[s.len() - 800..]) > 0.3,
        "no fade at the source's own end"
    );
}

#[test]
fn a_full_scale_square_wave_is_scaled_not_clipped() {
    let x = signal::square(441.0, 1.0, 48_000, 48_000);
    let wav = signal::wav_f32(48_000, 1, &x);
    let tone = convert_bytes(&wav, Some("wav"), &Options::default()).unwrap();
    let r = tone.report();
    assert_eq!(r.clipped_samples, 0);
    assert!(!has(&tone, |w| matches!(w, Warning::Clipped { .. })));
    let g = r
        .warnings
        .iter()
        .find_map(|w| match w {
            Warning::GainReduced { gain_db } => Some(*gain_db),
            _ => None,
        })
        .expect("GainReduced");
    eprintln!("square wave: gain {g:.2} dB, peak {:.3} dBFS", r.peak_dbfs);
    assert!(g < -0.3 && g > -2.0, "{g}");
    assert!((r.gain_db - g).abs() < 1e-9);
    assert!(peak(tone.samples()) >= 32_700, "just under full scale");

    let mut opts = Options::default();
    opts.clip = true;
    let clipped = convert_bytes(&wav, Some("wav"), &opts).unwrap();
    let r = clipped.report();
    eprintln!(
        "square wave with clip: {} samples clipped",
        r.clipped_samples
    );
    assert!(r.clipped_samples > 100);
    assert_eq!(r.gain_db, 0.0);
    assert!(has(
        &clipped,
        |w| matches!(w, Warning::Clipped { samples } if *samples == r.clipped_samples)
    ));
    assert!(!has(&clipped, |w| matches!(w, Warning::GainReduced { .. })));
}

#[test]
fn a_hot_mp3_master_is_scaled_not_clipped() {
    let path = fixture("hotmaster_44k1_cbr128_stereo.mp3");
    let tone = convert_path(&path, &Options::default()).unwrap();
    let r = tone.report();
    assert_eq!(tone.samples().len(), 16_000);
    assert_eq!(r.clipped_samples, 0);
    assert!(r.gain_db < -0.2 && r.gain_db > -2.0, "{}", r.gain_db);
    assert!(has(
        &tone,
        |w| matches!(w, Warning::GainReduced { gain_db } if *gain_db == r.gain_db)
    ));
    assert!(peak(tone.samples()) >= 32_700, "just under full scale");
    eprintln!("hot master: gain {:.2} dB", r.gain_db);

    let mut opts = Options::default();
    opts.clip = true;
    let clipped = convert_path(&path, &opts).unwrap();
    eprintln!(
        "hot master with clip: {} samples clipped",
        clipped.report().clipped_samples
    );
    assert!(clipped.report().clipped_samples > 10);
    assert!(has(&clipped, |w| matches!(w, Warning::Clipped { .. })));
}

#[test]
fn tones_of_different_levels_normalise_to_one_loudness() {
    let rate = 44_100;
    // A quiet pure tone and a loud two-tone chord with a rhythm.
    let quiet = signal::sine(660.0, 0.03, rate, rate as usize * 4);
    let chord: Vec<f32> = signal::sine(440.0, 0.45, rate, rate as usize * 4)
        .iter()
        .zip(signal::sine(2_500.0, 0.45, rate, rate as usize * 4))
        .enumerate()
        .map(|(i, (a, b))| {
            if (i / 11_025) % 2 == 0 {
                a + b
            } else {
                0.1 * (a + b)
            }
        })
        .collect();
    let mut opts = Options::default();
    opts.normalize = Some(Normalize::loudness()); // −16 LUFS, −1 dBTP
    let mut measured = Vec::new();
    for x in [&quiet, &chord] {
        let before = convert_bytes(
            &signal::wav_f32(rate, 1, x),
            Some("wav"),
            &Options::default(),
        )
        .unwrap()
        .report()
        .loudness_lufs
        .unwrap();
        let tone = convert_bytes(&signal::wav_f32(rate, 1, x), Some("wav"), &opts).unwrap();
        let r = tone.report();
        let (lufs, tp) = r128(tone.samples());
        eprintln!(
            "before {before:.2} LUFS → {lufs:.2} LUFS (report {:.2}), true peak {tp:.2} dBTP, gain {:+.2} dB",
            r.loudness_lufs.unwrap(),
            r.gain_db
        );
        assert!((lufs - r.loudness_lufs.unwrap()).abs() < 1e-9);
        assert!((lufs + 16.0).abs() <= 0.5, "{lufs}");
        assert!(tp <= -1.0, "{tp}");
        assert!(r.true_peak_dbtp.unwrap() <= -1.0);
        measured.push(lufs);
    }
    let spread = (measured[0] - measured[1]).abs();
    eprintln!("loudness spread {spread:.3} LU");
    assert!(spread <= 0.5);
}

#[test]
fn the_true_peak_ceiling_wins_over_the_loudness_target() {
    // Clicks: very little loudness for their peak, so −16 LUFS would need peaks far above 0 dBTP.
    let mut x = vec![0.0f32; 48_000 * 3];
    for i in (0..x.len()).step_by(4_800) {
        x[i] = 0.5;
    }
    let mut opts = Options::default();
    opts.normalize = Some(Normalize::loudness());
    let tone = convert_bytes(&signal::wav_f32(48_000, 1, &x), Some("wav"), &opts).unwrap();
    let (lufs, tp) = r128(tone.samples());
    eprintln!("clicks: {lufs:.2} LUFS, true peak {tp:.3} dBTP");
    // Out of the limiter's reach: the gain alone, up to the ceiling less the limiter's margin.
    let under = -1.0 - ringforge::pipeline::condition::LIMITER_MARGIN_DB;
    assert!(tp <= under && tp > under - 0.1, "{tp}");
    assert!(lufs < -16.5);
    assert!(has(&tone, |w| matches!(w, Warning::LoudnessLimited { .. })));
}

#[test]
fn peak_normalisation_puts_the_peak_at_the_ceiling() {
    let x = signal::sine(1_000.0, 0.1, 48_000, 48_000);
    let mut opts = Options::default();
    opts.normalize = Some(Normalize::Peak { ceiling_dbfs: -3.0 });
    let tone = convert_bytes(&signal::wav_f32(48_000, 1, &x), Some("wav"), &opts).unwrap();
    let p = tone.report().peak_dbfs;
    assert!(p <= -3.0 && p > -3.01, "{p}");
    assert!((tone.report().gain_db - 17.0).abs() < 0.05);
}

#[test]
fn leading_and_trailing_silence_are_trimmed_to_within_10_ms() {
    let rate = 48_000;
    let mut x = vec![0.0f32; rate as usize]; // 1 s of silence
    x.extend(vec![0.00003f32; 4_800]); // −90 dBFS hiss: still silence
    x.extend(signal::sine(1_000.0, 0.5, rate, rate as usize)); // sound from 1.1 s
    x.extend(vec![0.0f32; rate as usize * 2]);
    let wav = signal::wav_f32(rate, 1, &x);
    let mut opts = Options::default();
    opts.trim_silence = Some(Options::DEFAULT_TRIM_THRESHOLD_DBFS);
    let tone = convert_bytes(&wav, Some("wav"), &opts).unwrap();
    let s = tone.samples();
    let t = (10f64.powf(-60.0 / 20.0) * 32_768.0) as i16;
    let first = s.iter().position(|v| v.abs() >= t).unwrap();
    let last = s.iter().rposition(|v| v.abs() >= t).unwrap();
    let r = tone.report();
    eprintln!(
        "trim: first sound at {:.2} ms, {:.2} ms after the last; trimmed {:.4} s + {:.4} s",
        first as f64 / 16.0,
        (s.len() - 1 - last) as f64 / 16.0,
        r.trimmed_start_seconds,
        r.trimmed_end_seconds
    );
    assert!(first <= 160, "first sound {first} samples in");
    assert!(s.len() - 1 - last <= 160);
    assert!((r.trimmed_start_seconds - 1.1).abs() < 0.01);
    assert!((r.trimmed_end_seconds - 2.0).abs() < 0.01);
    assert!(
        (s.len() as f64 / 16_000.0 - 1.0).abs() < 0.02,
        "{}",
        s.len()
    );
    // Off by default: the silence is kept.
    let kept = convert_bytes(&wav, Some("wav"), &Options::default()).unwrap();
    assert_eq!(kept.samples().len(), x.len() / 3);
}

#[test]
fn trimming_and_fitting_together_keep_31_seconds_of_sound() {
    // 5 s of silence, then a long tone: the tone fills the cap once the silence is gone.
    let rate = 16_000;
    let mut x = vec![0.0f32; rate as usize * 5];
    x.extend(signal::sine(500.0, 0.5, rate, rate as usize * 40));
    let wav = signal::wav_i16(rate, 1, &x);
    let mut opts = Options::default();
    opts.trim_silence = Some(-60.0);
    let tone = convert_bytes(&wav, Some("wav"), &opts).unwrap();
    assert_eq!(tone.samples().len(), 499_999);
    // The sound starts after the 5 ms (80-sample) margin of silence that trimming keeps.
    let first = tone.samples().iter().position(|s| s.abs() > 33).unwrap();
    assert_eq!(first, 80);
    assert!(has(
        &tone,
        |w| matches!(w, Warning::Fitted { start_seconds, .. } if (*start_seconds - 5.0).abs() < 0.01)
    ));
    assert!(tone.report().source.stopped_early);
}

#[test]
fn an_all_silent_source_is_warned() {
    let tone = convert_path(fixture("silence_48k_s16_mono.wav"), &Options::default()).unwrap();
    assert!(has(&tone, |w| matches!(w, Warning::Silent { .. })));
    assert_eq!(tone.report().loudness_lufs, None);
    assert_eq!(tone.report().true_peak_dbtp, None);
    // Trimming does not remove it: a silent tone stays whole and warned.
    let mut opts = Options::default();
    opts.trim_silence = Some(-60.0);
    let trimmed = convert_path(fixture("silence_48k_s16_mono.wav"), &opts).unwrap();
    assert_eq!(trimmed.samples().len(), 4_000);
    assert!(has(&trimmed, |w| matches!(w, Warning::Silent { .. })));
    // Nearly silent (−70 dBFS) is silent too.
    let quiet = signal::wav_f32(16_000, 1, &signal::sine(400.0, 0.000_3, 16_000, 16_000));
    let t = convert_bytes(&quiet, Some("wav"), &Options::default()).unwrap();
    assert!(has(
        &t,
        |w| matches!(w, Warning::Silent { peak_dbfs } if peak_dbfs.is_finite())
    ));
}

#[test]
fn anti_phase_stereo_warns_and_a_channel_pick_keeps_its_level() {
    let path = fixture("antiphase1k_48k_s16_stereo.wav");
    let mixed = convert_path(&path, &Options::default()).unwrap();
    assert!(has(&mixed, |w| matches!(w, Warning::DownmixLoss { .. })));
    let text = mixed.report().warnings[0].to_string();
    assert!(text.contains("`channel=left`"), "{text}");

    for pick in [ChannelPick::Left, ChannelPick::Right] {
        let mut opts = Options::default();
        opts.channel = pick;
        let tone = convert_path(&path, &opts).unwrap();
        let level = tone_amplitude(&to_f64(tone.samples()), 1_000.0, 16_000.0);
        eprintln!("{pick:?}: 1 kHz at {:.3} dBFS", db(level));
        assert!((db(level) + 6.02).abs() < 0.05, "{pick:?}: {}", db(level));
        assert!(
            tone.report().warnings.is_empty(),
            "{:?}",
            tone.report().warnings
        );
    }
    // `mid` is the mix, chosen on purpose: silent, but no downmix warning.
    let mut opts = Options::default();
    opts.channel = ChannelPick::Mid;
    let mid = convert_path(&path, &opts).unwrap();
    assert!(!has(&mid, |w| matches!(w, Warning::DownmixLoss { .. })));
    assert!(has(&mid, |w| matches!(w, Warning::Silent { .. })));
}

#[test]
fn wide_stereo_that_loses_more_than_6_db_warns() {
    // R is L delayed by half a period at 1 kHz (phase-inverted) plus a little of its own.
    let l = signal::sine(1_000.0, 0.5, 48_000, 48_000);
    let r: Vec<f32> = signal::sine(1_000.0, -0.45, 48_000, 48_000)
        .iter()
        .zip(signal::sine(3_000.0, 0.05, 48_000, 48_000))
        .map(|(a, b)| a + b)
        .collect();
    let wav = signal::wav_f32(48_000, 2, &signal::interleave(&[l, r]));
    let tone = convert_bytes(&wav, Some("wav"), &Options::default()).unwrap();
    let lost = tone
        .report()
        .warnings
        .iter()
        .find_map(|w| match w {
            Warning::DownmixLoss { lost_db } => Some(*lost_db),
            _ => None,
        })
        .expect("DownmixLoss");
    assert!(lost > 6.0, "{lost}");
}

#[test]
fn conditioning_is_reproducible_and_the_options_change_the_bytes() {
    let (_, wav) = long_source();
    let mut opts = Options::default();
    opts.start = Some(30.0);
    opts.length = Some(3.0);
    opts.normalize = Some(Normalize::loudness());
    let a = convert_bytes(wav, Some("wav"), &opts).unwrap();
    let b = convert_bytes(wav, Some("wav"), &opts).unwrap();
    assert_eq!(a.sln_bytes(), b.sln_bytes());
    opts.gain_db = -1.0; // normalisation undoes the gain, but the dither seed changes
    let c = convert_bytes(wav, Some("wav"), &opts).unwrap();
    assert_ne!(a.sln_bytes(), c.sln_bytes());
}

#[test]
fn short_tones_cannot_be_loudness_normalised_and_say_so() {
    let x = signal::sine(1_000.0, 0.1, 16_000, 3_200); // 0.2 s
    let mut opts = Options::default();
    opts.normalize = Some(Normalize::loudness());
    let tone = convert_bytes(&signal::wav_f32(16_000, 1, &x), Some("wav"), &opts).unwrap();
    assert!(has(&tone, |w| matches!(w, Warning::NotNormalized)));
    assert_eq!(tone.report().gain_db, 0.0);
    assert_eq!(tone.report().loudness_lufs, None);
}

#[test]
fn tones_under_the_loudness_gate_are_left_as_they_are_and_say_so() {
    // A 20 Hz hum at -58 dBFS: audible peaks (over the -60 dBFS of near silence, so nothing is
    // trimmed), but the K-weighting's high-pass takes its loudness under the meter's -70 LUFS
    // gate. With the limiter and without, the level stays, and a warning says why.
    let x = signal::sine(20.0, 10f64.powf(-58.0 / 20.0), 16_000, 16_000);
    for limiter in [true, false] {
        let mut opts = Options::default();
        opts.normalize = Some(Normalize::loudness());
        opts.limiter = limiter;
        let tone = convert_bytes(&signal::wav_f32(16_000, 1, &x), Some("wav"), &opts).unwrap();
        let r = tone.report();
        assert!(
            has(&tone, |w| matches!(w, Warning::BelowLoudnessGate)),
            "{r:?}"
        );
        assert_eq!(r.gain_db, 0.0);
        assert_eq!(r.loudness_lufs, None);
        assert!(r.peak_dbfs > -58.5 && r.peak_dbfs < -57.5, "{r:?}");
        assert!(tone.report().warnings[0]
            .to_string()
            .contains("normalize=peak"));
    }
}

#[test]
fn the_fade_length_is_an_option() {
    let (_, wav) = long_source();
    let mut opts = Options::default();
    opts.length = Some(2.0);
    opts.fade_out_seconds = 0.0;
    let tone = convert_bytes(wav, Some("wav"), &opts).unwrap();
    let s = tone.samples();
    assert!(rms(&s[s.len() - 160..]) > 0.3, "no fade");
    let _ = condition::SILENT_PEAK_DBFS;
}

#[test]
fn manifests_carry_the_measured_loudness_and_true_peak() {
    let wav = signal::wav_i16(48_000, 1, &signal::sine(1_000.0, 0.5, 48_000, 48_000));
    let tone = convert_bytes(&wav, Some("wav"), &Options::default()).unwrap();
    let (lufs, tp) = (
        tone.report().loudness_lufs.unwrap(),
        tone.report().true_peak_dbtp.unwrap(),
    );
    assert!((lufs + 9.03).abs() < 0.1, "{lufs}");
    assert!((tp + 6.02).abs() < 0.05, "{tp}");
    let t = ringforge::manifest::ManifestTone::new(
        "a",
        "A",
        "a.sln",
        &tone.sln_bytes(),
        Some(tone.report().clone()),
        None,
    )
    .unwrap();
    let set = ringforge::manifest::ManifestSet {
        tones: vec![t],
        ..Default::default()
    };
    let v: serde_json::Value = serde_json::from_str(&set.json().unwrap()).unwrap();
    assert_eq!(v["tones"][0]["loudness_lufs"], lufs);
    assert_eq!(v["tones"][0]["true_peak_dbtp"], tp);
}

#[test]
fn trimming_in_error_mode_refuses_only_what_would_not_fit() {
    let rate = 16_000;
    let sound = signal::sine(500.0, 0.5, rate, rate as usize * 2);
    let mut opts = Options::default();
    opts.trim_silence = Some(-60.0);
    opts.on_oversize = Oversize::Error;
    // 2 s of sound then a minute of silence: the silence is trimmed, the tone fits.
    let mut x = sound.clone();
    x.extend(vec![0.0f32; rate as usize * 60]);
    let tone = convert_bytes(&signal::wav_i16(rate, 1, &x), Some("wav"), &opts).unwrap();
    assert!(
        (tone.samples().len() as i64 - 32_080).abs() <= 1,
        "{}",
        tone.samples().len()
    );
    // Sound again after 40 s: the trimmed tone would be 42 s, over the cap.
    x.truncate(rate as usize * 42);
    x.extend(&sound);
    match convert_bytes(&signal::wav_i16(rate, 1, &x), Some("wav"), &opts) {
        Err(Error::TooLarge { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_long_silent_source_is_fitted_and_warned_even_when_trimming() {
    let rate = 8_000;
    let x = vec![0.0f32; rate as usize * 40];
    let mut opts = Options::default();
    opts.trim_silence = Some(-60.0);
    opts.allow_upsample = true;
    let tone = convert_bytes(&signal::wav_i16(rate, 1, &x), Some("wav"), &opts).unwrap();
    assert_eq!(tone.samples().len(), 499_999);
    assert!(tone.samples().iter().all(|&s| s == 0));
    assert!(has(&tone, |w| matches!(w, Warning::Silent { .. })));
    assert!(has(&tone, |w| matches!(w, Warning::Fitted { .. })));
}

/// The per-tone meter (`ringforge::pipeline::loudness`) is a specialised re-implementation for speed: it
/// must agree with the ebur128 crate on every kind of signal a tone can be.
#[test]
fn the_fast_meter_agrees_with_the_ebur128_crate() {
    let n = 16_000 * 5;
    let mut noise = ringforge::pipeline::quantize::SplitMix64::new(5);
    let mut white = || (noise.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0;
    let sig = |f: f64, a: f64| signal::sine(f, a, 16_000, n);
    let mut cases: Vec<(&str, Vec<f32>)> = vec![
        ("997 Hz −6 dB", sig(997.0, 0.5)),
        ("60 Hz full", sig(60.0, 0.999)),
        ("7.5 kHz −20 dB", sig(7_500.0, 0.1)),
        ("4 kHz near fs/4, inter-sample peaks", sig(3_999.0, 0.9)),
        ("white noise", (0..n).map(|_| 0.3 * white()).collect()),
        ("square", signal::square(440.0, 0.8, 16_000, n)),
        ("very quiet: under the absolute gate", sig(1_000.0, 0.000_1)),
        ("2 s", signal::sine(500.0, 0.4, 16_000, 32_000)),
        ("0.45 s: one block", signal::sine(500.0, 0.4, 16_000, 7_200)),
    ];
    // Loud and quiet halves: the relative gate drops the quiet part.
    let mut gated = sig(1_000.0, 0.5);
    gated[n / 2..].iter_mut().for_each(|s| *s *= 0.001);
    cases.push(("loud then −60 dB", gated));
    // A hot master: full-scale samples, overshoot between them.
    cases.push((
        "clipped sum",
        sig(2_000.0, 0.8)
            .iter()
            .zip(sig(5_300.0, 0.8))
            .map(|(a, b)| (a + b).clamp(-1.0, 1.0))
            .collect(),
    ));
    for (what, x) in cases {
        let q: Vec<i16> = x
            .iter()
            .map(|&s| (s * 32_768.0).round().clamp(-32_768.0, 32_767.0) as i16)
            .collect();
        let ours = ringforge::pipeline::loudness::measure_i16(&q);
        let mut m =
            ebur128::EbuR128::new(1, 16_000, ebur128::Mode::I | ebur128::Mode::TRUE_PEAK).unwrap();
        m.add_frames_i16(&q).unwrap();
        let theirs_lufs = m.loudness_global().ok().filter(|v| v.is_finite());
        let theirs_tp = m.true_peak(0).unwrap();
        eprintln!(
            "{what}: ours {:?} LUFS {:.6} TP, crate {theirs_lufs:?} LUFS {theirs_tp:.6} TP",
            ours.integrated_lufs, ours.true_peak
        );
        match (ours.integrated_lufs, theirs_lufs) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{what}: {a} vs {b} LUFS"),
            (a, b) => assert_eq!(a, b, "{what}"),
        }
        assert!(
            (ours.true_peak - theirs_tp).abs() < 1e-6,
            "{what}: true peak {} vs {theirs_tp}",
            ours.true_peak
        );
    }
}
