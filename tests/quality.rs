//! What a listener would notice: passband level, aliasing, distortion, length, alignment,
//! silence and determinism — measured on the library's output.

mod common;

use common::*;
use ringforge::{convert_bytes, signal, Dither, Options, Warning};

fn convert_mono(samples: &[f32], rate: u32, opts: &Options) -> ringforge::Tone {
    let wav = signal::wav_f32(rate, 1, samples);
    convert_bytes(&wav, Some("wav"), opts).expect("conversion")
}

fn out_f64(tone: &ringforge::Tone) -> Vec<f64> {
    to_f64(tone.samples())
}

#[test]
fn passband_tones_keep_their_level_within_a_tenth_of_a_db() {
    let opts = Options::default();
    for rate in [44_100u32, 48_000] {
        for freq in [100.0, 1_000.0, 3_400.0, 7_000.0] {
            let x = signal::sine(freq, 0.5, rate, rate as usize);
            let y = out_f64(&convert_mono(&x, rate, &opts));
            let level = db(tone_amplitude(&y, freq, 16_000.0) / 0.5);
            assert!(
                level.abs() <= 0.1,
                "{freq} Hz from {rate} Hz: {level:+.3} dB"
            );
        }
    }
}

#[test]
fn stepped_sweep_is_flat_to_7450_hz() {
    // SoX's default resampler is 0.1 dB down at 7.45 kHz and 3 dB down at 7.6 kHz.
    let mut opts = Options::default();
    opts.dither = Dither::None;
    for rate in [44_100u32, 48_000, 96_000] {
        let mut worst: f64 = 0.0;
        let mut f = 50.0;
        while f <= 7_450.0 {
            let x = signal::sine(f, 0.5, rate, rate as usize / 2);
            let y = out_f64(&convert_mono(&x, rate, &opts));
            let level = db(tone_amplitude(&y, f, 16_000.0) / 0.5);
            worst = worst.max(level.abs());
            assert!(level.abs() <= 0.1, "{f} Hz from {rate} Hz: {level:+.3} dB");
            f += if f < 7_000.0 { 350.0 } else { 50.0 };
        }
        eprintln!("{rate} Hz: worst passband deviation {worst:.4} dB");
    }
}

#[test]
fn tones_above_8_khz_do_not_alias() {
    let opts = Options::default();
    for rate in [44_100u32, 48_000, 96_000] {
        for freq in [8_500.0, 12_000.0, 20_000.0] {
            if freq >= f64::from(rate) / 2.0 {
                continue;
            }
            let x = signal::sine(freq, 0.99, rate, rate as usize * 2);
            let y = out_f64(&convert_mono(&x, rate, &opts));
            let spec = spectrum(&y, 16_384);
            let worst = spec.iter().cloned().fold(0.0, f64::max);
            assert!(
                db(worst) <= -100.0,
                "{freq} Hz from {rate} Hz: strongest output bin {:.1} dBFS",
                db(worst)
            );
        }
    }
}

#[test]
fn thd_plus_noise_of_1_khz_at_minus_6_dbfs() {
    for rate in [44_100u32, 48_000] {
        let x = signal::sine(1_000.0, 0.5, rate, rate as usize);
        let y = out_f64(&convert_mono(&x, rate, &Options::default()));
        let thdn = thd_n_db(&y, 1_000.0, 16_000.0);
        assert!(thdn < -85.0, "{rate} Hz: THD+N {thdn:.1} dB");
    }
}

#[test]
fn output_length_is_exactly_the_ceiling() {
    for (rate, n) in [
        (44_100u32, 44_100usize),
        (44_100, 44_101),
        (48_000, 7),
        (22_050, 10_001),
        (8_000, 3),
    ] {
        let x = signal::sine(440.0, 0.3, rate, n);
        let t = convert_mono(&x, rate, &Options::default());
        let expect = (n as u64 * 16_000).div_ceil(u64::from(rate));
        assert_eq!(t.samples().len() as u64, expect, "{n} frames at {rate} Hz");
    }
}

#[test]
fn an_impulse_lands_on_the_rounded_output_sample() {
    let mut opts = Options::default();
    opts.dither = Dither::None;
    for (rate, k) in [
        (48_000u32, 12_000usize),
        (48_000, 12_001),
        (44_100, 4_410),
        (44_100, 1_000),
        (96_000, 30_001),
        (8_000, 2_000),
    ] {
        let mut x = vec![0.0f32; rate as usize / 2];
        x[k] = 0.9;
        let t = convert_mono(&x, rate, &opts);
        let s = t.samples();
        let at = peak_index(s);
        let expect = (k as f64 * 16_000.0 / f64::from(rate)).round() as usize;
        assert_eq!(at, expect, "impulse at {k} from {rate} Hz");
    }
}

#[test]
fn sixteen_khz_mono_16_bit_passes_bit_exact() {
    let mut seed = 12_345u32;
    let samples: Vec<i16> = (0..16_000)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 16) as i16
        })
        .collect();
    let as_f32: Vec<f32> = samples.iter().map(|&s| f32::from(s) / 32_768.0).collect();
    let wav = signal::wav_i16(16_000, 1, &as_f32);
    let t = convert_bytes(&wav, Some("wav"), &Options::default()).unwrap();
    assert_eq!(t.samples(), samples.as_slice());
    assert!(!t.report().dithered);
}

#[test]
fn digital_silence_stays_digital_silence() {
    for rate in [8_000u32, 16_000, 44_100, 48_000] {
        let t = convert_mono(&vec![0.0; rate as usize], rate, &Options::default());
        assert!(t.samples().iter().all(|&s| s == 0), "{rate} Hz");
        assert!(t
            .report()
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::Silent { .. })));
    }
}

#[test]
fn same_input_same_bytes() {
    let x = signal::sweep(20.0, 20_000.0, 0.7, 44_100, 44_100);
    let a = convert_mono(&x, 44_100, &Options::default());
    let b = convert_mono(&x, 44_100, &Options::default());
    assert!(a.report().dithered);
    assert_eq!(a.sln_bytes(), b.sln_bytes());
    // A different input gives different dither, not a shared noise pattern.
    let mut x2 = x.clone();
    x2[0] += 1e-6;
    let c = convert_mono(&x2, 44_100, &Options::default());
    assert_ne!(a.sln_bytes(), c.sln_bytes());
}

#[test]
fn stereo_downmix_averages_channels() {
    let l = signal::sine(1_000.0, 0.5, 48_000, 48_000);
    let r = vec![0.0f32; l.len()];
    let wav = signal::wav_f32(48_000, 2, &signal::interleave(&[l, r]));
    let t = convert_bytes(&wav, Some("wav"), &Options::default()).unwrap();
    let level = tone_amplitude(&out_f64(&t), 1_000.0, 16_000.0);
    assert!((db(level / 0.25)).abs() < 0.05, "mono level {level}");
}

#[test]
fn anti_phase_stereo_is_reported_quiet_not_a_crash() {
    let l = signal::sine(1_000.0, 0.5, 48_000, 48_000);
    let r: Vec<f32> = l.iter().map(|s| -s).collect();
    let wav = signal::wav_f32(48_000, 2, &signal::interleave(&[l, r]));
    let t = convert_bytes(&wav, Some("wav"), &Options::default()).unwrap();
    let w = &t.report().warnings;
    assert!(
        w.iter().any(|w| matches!(w, Warning::DownmixLoss { .. })),
        "{w:?}"
    );
    assert!(
        w.iter().any(|w| matches!(w, Warning::Silent { .. })),
        "{w:?}"
    );
}
