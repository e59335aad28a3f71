//! Every supported format, decoded through the real decoders from committed fixtures
//! (see tests/fixtures/README.md for how each was made): right length, right level.

mod common;

use common::*;
use ringforge::{convert_path, Options, Tone, Warning};

fn convert(name: &str) -> Tone {
    convert_path(fixture(name), &Options::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (fixture, source frames, source rate, channels, expected 1 kHz level in dB re amplitude 0.5,
/// tolerance in dB)
const SINES: &[(&str, u64, u32, u16, f64, f64)] = &[
    ("sine1k_8k_u8_mono.wav", 4_000, 8_000, 1, 0.0, 0.1),
    ("sine1k_8k_s16_mono.wav", 4_000, 8_000, 1, 0.0, 0.1),
    ("sine1k_8k_ulaw_mono.wav", 4_000, 8_000, 1, 0.0, 0.1),
    ("sine1k_8k_alaw_mono.wav", 4_000, 8_000, 1, 0.0, 0.1),
    ("sine1k_16k_s16_mono.wav", 8_000, 16_000, 1, 0.0, 0.1),
    ("sine1k_22k05_s16_mono.wav", 11_025, 22_050, 1, 0.0, 0.1),
    ("sine1k_22k05_ima_mono.wav", 11_025, 22_050, 1, 0.0, 0.1),
    ("sine1k_22k05_msadpcm_mono.wav", 11_025, 22_050, 1, 0.0, 0.1),
    ("sine1k_44k1_s16_mono.wav", 22_050, 44_100, 1, 0.0, 0.1),
    ("sine1k_44k1_s16_stereo.wav", 11_025, 44_100, 2, 0.0, 0.1),
    (
        "sine1k_44k1_s16_mono_listinfo.wav",
        11_025,
        44_100,
        1,
        0.0,
        0.1,
    ),
    (
        "sine1k_44k1_s16_mono_oddchunk.wav",
        11_025,
        44_100,
        1,
        0.0,
        0.1,
    ),
    ("sine1k_48k_s16_mono.wav", 24_000, 48_000, 1, 0.0, 0.1),
    ("sine1k_48k_s16_stereo.wav", 12_000, 48_000, 2, 0.0, 0.1),
    ("sine1k_48k_s24_mono.wav", 12_000, 48_000, 1, 0.0, 0.1),
    ("sine1k_48k_s32_mono.wav", 12_000, 48_000, 1, 0.0, 0.1),
    ("sine1k_48k_f32_mono.wav", 12_000, 48_000, 1, 0.0, 0.1),
    ("sine1k_48k_f64_mono.wav", 12_000, 48_000, 1, 0.0, 0.1),
    ("sine1k_96k_s16_mono.wav", 24_000, 96_000, 1, 0.0, 0.1),
    ("sine1k_44k1_s16be_mono.aiff", 11_025, 44_100, 1, 0.0, 0.1),
    ("sine1k_44k1_flac16_mono.flac", 22_050, 44_100, 1, 0.0, 0.1),
    ("sine1k_48k_flac24_stereo.flac", 24_000, 48_000, 2, 0.0, 0.1),
    ("sine1k_96k_flac24_mono.flac", 24_000, 96_000, 1, 0.0, 0.1),
    ("sine1k_192k_flac24_mono.flac", 48_000, 192_000, 1, 0.0, 0.1),
    // LAME at 128 kb/s renders a pure tone 0.45 dB low (see the fixtures README).
    (
        "sine1k_44k1_cbr128_stereo_id3.mp3",
        44_100,
        44_100,
        2,
        -0.45,
        0.2,
    ),
    (
        "gapless_sine1k_44k1_cbr128_mono.mp3",
        44_100,
        44_100,
        1,
        -0.45,
        0.2,
    ),
    (
        "sine1k_44k1_vbrv2_stereo_id3.mp3",
        44_100,
        44_100,
        2,
        0.0,
        0.2,
    ),
    ("sine1k_44k1_vorbis_stereo.ogg", 44_100, 44_100, 2, 0.0, 0.2),
    ("sine1k_44k1_aac_stereo.m4a", 44_100, 44_100, 2, 0.0, 0.2),
];

#[test]
fn every_format_decodes_to_the_right_length_and_level() {
    let mut failures = Vec::new();
    for &(name, frames, rate, channels, level_db, tol) in SINES {
        let t = convert(name);
        let r = t.report();
        let src = &r.source;
        let expect_out = (frames * 16_000).div_ceil(u64::from(rate));
        let y = to_f64(t.samples());
        let level = db(tone_amplitude(&y, 1_000.0, 16_000.0) / 0.5);
        let line = format!(
            "{name}: {} {} {} Hz {} ch, {} frames (want {frames}), {} out (want {expect_out}), \
             level {level:+.3} dB (want {level_db:+.2} ± {tol})",
            src.container,
            src.codec,
            src.sample_rate,
            src.channels,
            src.frames_decoded,
            r.output_samples
        );
        let ok = src.sample_rate == rate
            && src.channels == channels
            && src.frames_decoded.abs_diff(frames) <= 1
            && r.output_samples.abs_diff(expect_out) <= 1
            && (level - level_db).abs() <= tol
            && r.packet_errors_ok();
        if !ok {
            failures.push(line);
        } else {
            eprintln!("ok  {line}");
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

trait PacketErrors {
    fn packet_errors_ok(&self) -> bool;
}

impl PacketErrors for ringforge::Report {
    fn packet_errors_ok(&self) -> bool {
        self.source.packet_errors == 0
            && !self
                .warnings
                .iter()
                .any(|w| matches!(w, Warning::PacketErrors { .. }))
    }
}

#[test]
fn sources_below_16_khz_warn_about_upsampling() {
    for name in ["sine1k_8k_s16_mono.wav", "sine1k_8k_ulaw_mono.wav"] {
        let t = convert(name);
        assert!(
            t.report()
                .warnings
                .contains(&Warning::Upsampled { from: 8_000 }),
            "{name}: {:?}",
            t.report().warnings
        );
    }
    let mut opts = Options::default();
    opts.allow_upsample = true;
    let t = convert_path(fixture("sine1k_8k_s16_mono.wav"), &opts).unwrap();
    assert!(t.report().warnings.is_empty());
    // At 16 kHz and above, no such warning.
    assert!(convert("sine1k_16k_s16_mono.wav")
        .report()
        .warnings
        .is_empty());
}

#[test]
fn gapless_mp3_has_exact_length_and_zero_lag() {
    // 1.000 s encoded by LAME: exactly 16,000 output samples.
    let t = convert("gapless_sine1k_44k1_cbr128_mono.mp3");
    assert_eq!(t.samples().len(), 16_000);
    // An impulse at 0.25 s (frame 11,025 at 44.1 kHz) comes out at sample 4,000: no decoder or
    // resampler delay (SoX's MP3 path puts it 819 samples late).
    let t = convert("click_k11025_44k1_cbr128_mono.mp3");
    let at = peak_index(t.samples());
    assert_eq!(at, 4_000);
}

#[test]
fn impulse_fixture_lands_on_its_sample() {
    let t = convert("impulse_k12000_48k_f32_mono.wav");
    let at = peak_index(t.samples());
    assert_eq!(at, 4_000);
}

#[test]
fn sixteen_bit_16_khz_mono_wav_is_copied_bit_exact() {
    let wav = std::fs::read(fixture("lcg_16k_s16_mono.wav")).unwrap();
    let t = convert("lcg_16k_s16_mono.wav");
    assert_eq!(t.sln_bytes(), &wav[44..]);
}

#[test]
fn surround_downmix_uses_documented_coefficients() {
    // FL 500, FR 700, FC 1000, LFE 60, BL 1300, BR 1700 Hz, each at amplitude 0.25.
    let t = convert("tones_48k_s16ext_5p1.wav");
    let y = to_f64(t.samples());
    let sum = 2.0 + 3.0 * std::f64::consts::FRAC_1_SQRT_2;
    let want = [
        (500.0, 1.0 / sum),
        (700.0, 1.0 / sum),
        (1_000.0, std::f64::consts::FRAC_1_SQRT_2 / sum),
        (60.0, 0.0),
        (1_300.0, std::f64::consts::FRAC_1_SQRT_2 / sum),
        (1_700.0, std::f64::consts::FRAC_1_SQRT_2 / sum),
    ];
    let freqs: Vec<f64> = want.iter().map(|w| w.0).collect();
    let amps = tone_amplitudes(&y, &freqs, 16_000.0);
    for ((f, coef), amp) in want.into_iter().zip(amps) {
        let got = amp / 0.25;
        assert!(
            (got - coef).abs() < 0.002,
            "{f} Hz: coefficient {got:.4}, want {coef:.4}"
        );
    }
    // Unrelated channels are not "cancelling": no downmix warning.
    assert!(t.report().warnings.is_empty(), "{:?}", t.report().warnings);
}

#[test]
fn a_12_khz_tone_leaves_no_alias_at_4_khz() {
    let t = convert("twotone1k12k_48k_s16_mono.wav");
    let y = to_f64(t.samples());
    let a = tone_amplitudes(&y, &[1_000.0, 4_000.0], 16_000.0);
    assert!(
        (db(a[0] / 0.25)).abs() < 0.1,
        "1 kHz at {:.2} dB",
        db(a[0] / 0.25)
    );
    assert!(db(a[1]) < -100.0, "alias at 4 kHz: {:.1} dBFS", db(a[1]));
}

#[test]
fn anti_phase_and_silent_fixtures_warn() {
    for name in ["antiphase1k_48k_s16_stereo.wav", "silence_48k_s16_mono.wav"] {
        let t = convert(name);
        assert!(t.samples().iter().all(|&s| s == 0), "{name}");
        assert!(
            t.report()
                .warnings
                .iter()
                .any(|w| matches!(w, Warning::Silent { .. })),
            "{name}"
        );
    }
}

#[test]
fn broken_files_fail_with_a_reason() {
    for name in [
        "bad/empty.wav",
        "bad/random_bytes.mp3",
        "bad/text.mp3",
        "bad/id3_only.mp3",
        "bad/data_size_too_big.wav",
        "bad/zero_channels.wav",
        "bad/zero_rate.wav",
        "bad/no_frames.wav",
        "bad/truncated_header.wav",
    ] {
        let e = convert_path(fixture(name), &Options::default()).expect_err(name);
        assert!(!e.to_string().is_empty());
    }
}

/// The content decides the decoder, not the name: a WAV called `.mp3` stays with the WAV reader,
/// and an MP3 called `.wav` still goes to the MPEG decoder, with the same samples as when it is
/// named right.
#[test]
fn misnamed_files_decode_by_their_content() {
    let read = |name: &str| std::fs::read(fixture(name)).unwrap();
    let opts = Options::default();
    let wav = read("sine1k_44k1_s16_mono.wav");
    let as_mp3 = ringforge::convert_bytes(&wav, Some("mp3"), &opts).unwrap();
    assert_eq!(as_mp3.report().source.container, "wave");
    assert_eq!(
        as_mp3.samples(),
        convert("sine1k_44k1_s16_mono.wav").samples()
    );

    let mp3 = read("sine1k_44k1_cbr128_stereo_id3.mp3");
    let as_wav = ringforge::convert_bytes(&mp3, Some("wav"), &opts).unwrap();
    let named_right = convert("sine1k_44k1_cbr128_stereo_id3.mp3");
    assert_eq!(as_wav.report().source.container, "mp3");
    assert_eq!(as_wav.report().source.codec, "mp3");
    assert_eq!(as_wav.report().source.channels, 2);
    assert_eq!(as_wav.samples(), named_right.samples());
}
