//! Sound conditioning at 16 kHz, between resampling and quantizing: trimming silence, cutting to
//! the size cap with a fade, gain, peak and loudness normalisation, and the anti-clip stage —
//! plus the measurements they rely on (sample peak, EBU R128 loudness and true peak).
//!
//! Every function works on a mono `f32` signal at 16 kHz, full scale ±1.0, and is pure: same
//! input, same output. [`crate::convert_path`] runs them in this order: trim silence → cut/fit
//! (+ fade) → gain and normalisation → anti-clip scaling.
//!
//! ```
//! use ringforge::pipeline::condition;
//! let mut x = vec![0.0f32; 1600]; // 100 ms of silence…
//! x.extend(ringforge::signal::square(1000.0, 0.5, 16_000, 16_000)); // …then a second of tone
//! let t = condition::trim_silence(&mut x, -60.0, condition::TRIM_MARGIN_SAMPLES);
//! assert_eq!(t.leading, 1600 - condition::TRIM_MARGIN_SAMPLES);
//! condition::fade_out(&mut x, 1_600);
//! assert_eq!(*x.last().unwrap(), 0.0); // faded to exactly zero
//! ```

use crate::options::Dither;
use crate::pipeline::loudness;
use crate::pipeline::resample::TARGET_RATE;

/// An output whose sample peak is below this level (dBFS) is silent
/// ([`crate::Warning::Silent`]); also the default silence-trimming threshold.
pub const SILENT_PEAK_DBFS: f64 = -60.0;

/// Samples kept before the first and after the last sound when trimming silence: 5 ms, so an
/// attack's first soft cycles and a release's last ones survive.
pub const TRIM_MARGIN_SAMPLES: usize = 80;

/// Length of the fade-in applied where [`crate::Options::start`] cuts into the source: 5 ms,
/// enough to remove the click of a cut, too short to soften an attack.
pub const FADE_IN_SAMPLES: usize = 80;

/// Full scale of the 16-bit output as an `f32` level: the largest positive sample, 32767/32768.
pub const FULL_SCALE: f32 = 32_767.0 / 32_768.0;

/// Integrated loudness needs at least one 400 ms gating block.
const MIN_LOUDNESS_SAMPLES: usize = TARGET_RATE as usize * 2 / 5;

/// dB to a linear amplitude factor.
pub fn db_to_gain(db: f64) -> f64 {
    libm::pow(10.0, db / 20.0)
}

/// A linear amplitude to dB (negative infinity for zero).
pub fn gain_to_db(gain: f64) -> f64 {
    if gain <= 0.0 {
        f64::NEG_INFINITY
    } else {
        20.0 * libm::log10(gain)
    }
}

/// Sample peak of 16-bit samples in dBFS (full scale 32,768; −∞ for silence or no samples).
pub fn peak_dbfs_i16(x: &[i16]) -> f64 {
    let peak = x.iter().map(|s| i32::from(*s).abs()).max().unwrap_or(0);
    gain_to_db(f64::from(peak) / 32_768.0)
}

/// Largest magnitude in `x` (0 for an empty signal; NaN is ignored).
pub fn peak(x: &[f32]) -> f32 {
    // Eight running maxima, one per lane, so the loop vectorises (a single running maximum is a
    // chain the compiler must keep in order). A plain comparison rather than `f32::max`: it is
    // one instruction (`maxps`), and a NaN, never larger, is ignored all the same.
    let larger = |m: f32, s: f32| {
        let a = s.abs();
        if a > m {
            a
        } else {
            m
        }
    };
    let mut lanes = [0.0f32; 8];
    let mut chunks = x.chunks_exact(8);
    for chunk in &mut chunks {
        for (m, &s) in lanes.iter_mut().zip(chunk) {
            *m = larger(*m, s);
        }
    }
    let tail = chunks.remainder().iter().fold(0.0f32, |m, &s| larger(m, s));
    lanes.iter().fold(tail, |m, &l| larger(m, l))
}

/// Samples per block of [`block_peaks`].
pub(crate) const PEAK_BLOCK: usize = 64;

/// [`peak`] of every [`PEAK_BLOCK`] samples of `x` (the last block may be shorter). One pass, a
/// whole block at a time: called on each block alone, [`peak`] spends more on its loop and its
/// tail than on the samples.
pub(crate) fn block_peaks(x: &[f32]) -> Vec<f32> {
    let mut chunks = x.chunks_exact(PEAK_BLOCK);
    let mut out: Vec<f32> = (&mut chunks)
        .map(|chunk| {
            let chunk: &[f32; PEAK_BLOCK] = chunk.try_into().expect("a whole block");
            let mut lanes = [0.0f32; 8];
            for row in 0..PEAK_BLOCK / 8 {
                for (l, m) in lanes.iter_mut().enumerate() {
                    let a = chunk[row * 8 + l].abs();
                    *m = if a > *m { a } else { *m };
                }
            }
            lanes.iter().fold(0.0f32, |m, &l| if l > m { l } else { m })
        })
        .collect();
    if !chunks.remainder().is_empty() {
        out.push(peak(chunks.remainder()));
    }
    out
}

/// What [`trim_silence`] removed, in samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Trimmed {
    /// Samples removed from the start.
    pub leading: usize,
    /// Samples removed from the end.
    pub trailing: usize,
}

/// Index of the first sample whose magnitude reaches `threshold_dbfs`, if any.
pub fn first_sound(x: &[f32], threshold_dbfs: f64) -> Option<usize> {
    let t = db_to_gain(threshold_dbfs) as f32;
    x.iter().position(|s| s.abs() >= t)
}

/// Index of the last sample whose magnitude reaches `threshold_dbfs`, if any.
pub fn last_sound(x: &[f32], threshold_dbfs: f64) -> Option<usize> {
    let t = db_to_gain(threshold_dbfs) as f32;
    x.iter().rposition(|s| s.abs() >= t)
}

/// Removes the leading and trailing parts of `x` that stay below `threshold_dbfs`, keeping
/// `margin` samples before the first and after the last sample at or above it. A signal that
/// never reaches the threshold is left untouched (the caller warns that it is silent).
pub fn trim_silence(x: &mut Vec<f32>, threshold_dbfs: f64, margin: usize) -> Trimmed {
    let (Some(first), Some(last)) = (
        first_sound(x, threshold_dbfs),
        last_sound(x, threshold_dbfs),
    ) else {
        return Trimmed::default();
    };
    let end = (last + 1 + margin).min(x.len());
    let start = first.saturating_sub(margin);
    let trimmed = Trimmed {
        leading: start,
        trailing: x.len() - end,
    };
    x.truncate(end);
    x.drain(..start);
    trimmed
}

/// Raised-cosine fade-out over the last `samples` samples of `x` (all of `x` if shorter): the
/// gain falls smoothly from 1 and the last sample becomes exactly zero.
pub fn fade_out(x: &mut [f32], samples: usize) {
    let n = samples.min(x.len());
    let start = x.len() - n;
    for (i, s) in x[start..].iter_mut().enumerate() {
        let phase = std::f64::consts::PI * (i + 1) as f64 / n as f64;
        *s *= (0.5 * (1.0 + libm::cos(phase))) as f32;
    }
}

/// Raised-cosine fade-in over the first `samples` samples of `x` (all of `x` if shorter): the
/// first sample becomes exactly zero and the gain rises smoothly to 1.
pub fn fade_in(x: &mut [f32], samples: usize) {
    let n = samples.min(x.len());
    for (i, s) in x[..n].iter_mut().enumerate() {
        let phase = std::f64::consts::PI * i as f64 / n as f64;
        *s *= (0.5 * (1.0 - libm::cos(phase))) as f32;
    }
}

/// Multiplies `x` by the gain `gain_db` (in dB).
pub fn apply_gain(x: &mut [f32], gain_db: f64) {
    if gain_db == 0.0 {
        return;
    }
    let g = db_to_gain(gain_db) as f32;
    x.iter_mut().for_each(|s| *s *= g);
}

/// Margin below a level the quantizer's dither may add, in full-scale units: TPDF dither adds up
/// to (but never quite) ±1 LSB before rounding; plain rounding adds nothing.
fn dither_margin(dither: Dither) -> f32 {
    match dither {
        Dither::Tpdf => 1.0 / 32_768.0,
        Dither::None => 0.0,
    }
}

/// Gain in dB that puts the sample peak of `x` at `ceiling_dbfs` once quantized with `dither`
/// (the dither's ±1 LSB is kept below the ceiling). `None` for digital silence.
pub fn peak_gain_db(x: &[f32], ceiling_dbfs: f64, dither: Dither) -> Option<f64> {
    let p = f64::from(peak(x));
    if p == 0.0 {
        return None;
    }
    let target = db_to_gain(ceiling_dbfs) - f64::from(dither_margin(dither));
    Some(gain_to_db(target / p))
}

/// Loudness normalisation promises the target within this many LU; a tone the meter's gates
/// keep further from it gets [`crate::Warning::LoudnessMissed`].
pub const LOUDNESS_TOLERANCE_LU: f64 = 0.5;

/// What loudness normalisation decided.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoudnessGain {
    /// Gain to apply, in dB.
    pub gain_db: f64,
    /// Loudness measured before the gain, in LUFS.
    pub measured_lufs: f64,
    /// Loudness after the gain, in LUFS: the target unless the ceiling held the gain back (or
    /// the meter's gates allow no gain closer to it; see [`loudness_gain`]).
    pub reached_lufs: f64,
    /// Whether the true-peak ceiling held the gain below what the target asked for.
    pub limited: bool,
}

/// Gain that brings `x` to `target_lufs` integrated loudness without its true peak exceeding
/// `ceiling_dbtp` once quantized with `dither`. `None` when the loudness cannot be measured
/// (shorter than 400 ms, or silent).
///
/// The gain is the target less the loudness, corrected where the meter's gates judge the tone
/// differently after it (a short tone with a near-silent stretch can come out louder than the
/// loudness plus the gain).
pub fn loudness_gain(
    x: &[f32],
    target_lufs: f64,
    ceiling_dbtp: f64,
    dither: Dither,
) -> Option<LoudnessGain> {
    if x.len() < MIN_LOUDNESS_SAMPLES {
        return None;
    }
    let segments = loudness::segment_loudness(x);
    let measured = loudness::gated_lufs(&segments)?;
    let to_target = loudness::gain_to_target(&segments, target_lufs)?;
    let (mut gain_db, mut reached) = (to_target.gain_db, to_target.lufs);
    let mut limited = false;
    let true_peak = f64::from(loudness::true_peak(x));
    if true_peak > 0.0 {
        // Room for the dither's ±1 LSB and one more for the rounding to 16 bits.
        let ceiling = db_to_gain(ceiling_dbtp) - f64::from(dither_margin(dither)) - 1.0 / 32_768.0;
        let max_gain_db = gain_to_db(ceiling / true_peak);
        if gain_db > max_gain_db {
            gain_db = max_gain_db;
            limited = true;
            // Turned down under the absolute gate altogether: what the loudness and the gain
            // would give without the gate.
            reached = loudness::gated_lufs_after(&segments, gain_db).unwrap_or(measured + gain_db);
        }
    }
    Some(LoudnessGain {
        gain_db,
        measured_lufs: measured,
        reached_lufs: reached,
        limited,
    })
}

mod limiter;

// The limiter's constants and its curve alone are this stage's API for the benches and the
// tests (`unstable-stages`); the pipeline itself needs fewer of them.
#[cfg(any(test, feature = "unstable-stages"))]
pub use limiter::limiter_gain;
#[cfg_attr(not(feature = "unstable-stages"), allow(unused_imports))]
pub use limiter::{
    normalize_loudness_limited, LimitedLoudness, HEAVY_LIMITING_DB, LIMITED_SAMPLE_DB,
    LIMITER_LOOKAHEAD_SAMPLES, LIMITER_MARGIN_DB, LIMITER_RELEASE_SECONDS, MAX_LIMITING_DB,
};

/// The anti-clip stage: when quantizing `x` with `dither` would clip (a sample beyond
/// 32767/32768, or one the dither could push there), returns the gain in dB (negative) that
/// brings the peak just under full scale; `None` when nothing would clip. Samples that lie on
/// the 16-bit grid are not dithered, so a 16-bit source at full scale passes untouched.
pub fn anti_clip_gain_db(x: &[f32], dither: Dither) -> Option<f64> {
    let margin = dither_margin(dither);
    let p = peak(x);
    // Nearly every tone is below full scale by more than the dither: one vectorised pass over
    // the peak settles it. The largest value any sample can round from is fl(p·32768 + reach),
    // and rounding goes out of range only from ≥ 32767.5 (or, mirrored, ≤ −32768.5).
    if p * 32_768.0 + margin * 32_768.0 < 32_767.5 {
        return None;
    }
    let would_clip = x.iter().any(|&s| {
        let v = s * 32_768.0;
        let on_grid = v == v.round();
        let reach = if on_grid { 0.0 } else { margin * 32_768.0 };
        (v + reach).round() > 32_767.0 || (v - reach).round() < -32_768.0
    });
    if !would_clip {
        return None;
    }
    let target = f64::from(FULL_SCALE) - f64::from(margin);
    Some(gain_to_db(target / f64::from(p)).min(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::loudness::measure;
    use crate::pipeline::quantize::quantize;

    fn sine(amplitude: f64, seconds: f64) -> Vec<f32> {
        crate::signal::sine(997.0, amplitude, 16_000, (seconds * 16_000.0) as usize)
    }

    #[test]
    fn db_conversions_round_trip() {
        assert!((db_to_gain(-6.020_6) - 0.5).abs() < 1e-5);
        assert!((gain_to_db(0.1) + 20.0).abs() < 1e-12);
        assert_eq!(gain_to_db(0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn trim_keeps_a_margin_and_reports_what_it_removed() {
        let mut x = vec![0.0f32; 1_000];
        x.extend(sine(0.5, 0.5));
        x.extend(vec![0.0001f32; 2_000]); // −80 dBFS: silence at −60
        let len = x.len();
        let t = trim_silence(&mut x, -60.0, 80);
        // The sine starts at phase 0: its first sample is 0, the second ≈ 0.098.
        assert_eq!(t.leading, 1_000 + 1 - 80);
        assert_eq!(t.trailing, 2_000 - 80);
        assert_eq!(x.len(), len - t.leading - t.trailing);
        assert!(x[80].abs() >= 0.001);
    }

    #[test]
    fn trim_leaves_silence_alone() {
        let mut x = vec![0.0f32; 500];
        assert_eq!(trim_silence(&mut x, -60.0, 80), Trimmed::default());
        assert_eq!(x.len(), 500);
        let mut quiet = vec![0.0005f32; 500]; // −66 dBFS
        trim_silence(&mut quiet, -60.0, 80);
        assert_eq!(quiet.len(), 500);
    }

    #[test]
    fn fades_reach_exact_zero_and_are_smooth() {
        let mut x = vec![1.0f32; 1_000];
        fade_out(&mut x, 400);
        assert_eq!(x[599], 1.0);
        assert!(x[600] > 0.999);
        assert!((x[799] - 0.5).abs() < 0.01, "{}", x[799]);
        assert_eq!(x[999], 0.0);
        assert!(x[600..].windows(2).all(|w| w[1] <= w[0]));
        let mut y = vec![1.0f32; 100];
        fade_in(&mut y, 80);
        assert_eq!(y[0], 0.0);
        assert!(y[..80].windows(2).all(|w| w[1] >= w[0]));
        assert_eq!(y[80], 1.0);
        // Longer fades than the signal cover the whole signal.
        let mut z = vec![1.0f32; 10];
        fade_out(&mut z, 100);
        assert_eq!(z[9], 0.0);
        assert!(z[0] > 0.9);
    }

    #[test]
    fn peak_normalisation_lands_under_the_ceiling_after_dither() {
        let mut x = sine(0.1, 1.0);
        let g = peak_gain_db(&x, -1.0, Dither::Tpdf).unwrap();
        apply_gain(&mut x, g);
        let (q, _) = quantize(&x, Dither::Tpdf, 9);
        let p = q.iter().map(|s| i32::from(*s).abs()).max().unwrap();
        let ceiling = db_to_gain(-1.0) * 32_768.0;
        assert!(f64::from(p) <= ceiling, "{p} > {ceiling}");
        assert!(f64::from(p) > ceiling - 3.0, "{p}");
        assert_eq!(peak_gain_db(&[0.0; 10], -1.0, Dither::Tpdf), None);
    }

    #[test]
    fn loudness_of_a_sine_matches_bs1770() {
        // A 997 Hz sine at amplitude A measures 20·log10(A) − 3.01 + 0.69 (K-weighting at 1 kHz)
        // −0.691 = 20·log10(A) − 3.01 LUFS for one channel.
        let l = measure(&sine(0.5, 3.0));
        let lufs = l.integrated_lufs.unwrap();
        assert!((lufs - (-6.02 - 3.01)).abs() < 0.1, "{lufs}");
        assert!((l.true_peak_dbtp().unwrap() + 6.02).abs() < 0.05);
        assert_eq!(measure(&sine(0.5, 0.2)).integrated_lufs, None);
        assert_eq!(measure(&[0.0; 16_000]).true_peak_dbtp(), None);
    }

    #[test]
    fn loudness_gain_hits_the_target_or_is_held_by_the_ceiling() {
        let mut quiet = sine(0.05, 3.0);
        let g = loudness_gain(&quiet, -16.0, -1.0, Dither::Tpdf).unwrap();
        assert!(!g.limited);
        apply_gain(&mut quiet, g.gain_db);
        let after = measure(&quiet).integrated_lufs.unwrap();
        assert!((after + 16.0).abs() < 0.05, "{after}");
        // A sine at −6 LUFS would need a peak of −3 dBFS… a −4 dBTP ceiling wins.
        let mut loud = sine(0.05, 3.0);
        let g = loudness_gain(&loud, -6.0, -4.0, Dither::Tpdf).unwrap();
        assert!(g.limited);
        apply_gain(&mut loud, g.gain_db);
        let tp = measure(&loud).true_peak_dbtp().unwrap();
        assert!(tp <= -4.0 && tp > -4.01, "{tp}");
        assert_eq!(
            loudness_gain(&sine(0.5, 0.3), -16.0, -1.0, Dither::Tpdf),
            None
        );
    }

    /// Music-like test material: a quiet chord with loud hits (peaks far above the loudness).
    fn dynamic(seconds: f64) -> Vec<f32> {
        let n = (seconds * 16_000.0) as usize;
        let mut r = crate::pipeline::quantize::SplitMix64::new(11);
        (0..n)
            .map(|i| {
                let t = i as f64 / 16_000.0;
                let chord = 0.1 * ((2.0 * PI * 220.0 * t).sin() + (2.0 * PI * 277.2 * t).sin());
                // A hit every 1.5 s, decaying over 0.2 s, with noise in it.
                let since = t % 1.5;
                let hit = 0.8 * (-since / 0.05).exp() * (2.0 * PI * 97.0 * t).sin();
                let noise = ((r.next_u64() >> 40) as f64 / (1u64 << 24) as f64 - 0.5) * 0.02;
                (chord + hit + noise) as f32
            })
            .collect()
    }

    use std::f64::consts::PI;

    #[test]
    fn the_limiter_never_lets_a_peak_through_and_moves_smoothly() {
        let x = dynamic(4.0);
        let env = crate::pipeline::loudness::true_peak_envelope(&x);
        let t = 0.5f32;
        let g = limiter_gain(&env, t);
        for (i, (&e, &gi)) in env.iter().zip(&g).enumerate() {
            assert!(e * gi <= t * 1.000_001, "sample {i}: {e} × {gi}");
            assert!(gi > 0.0 && gi <= 1.0);
        }
        // No step larger than the deepest reduction spread over the look-ahead.
        let lowest = g.iter().fold(1.0f32, |m, &v| m.min(v));
        let step = g
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        assert!(
            step <= (1.0 - lowest) / (LIMITER_LOOKAHEAD_SAMPLES as f32 / 4.0),
            "{step}"
        );
        // Between hits the gain has recovered (0.75 s: half-way), and the start before the
        // first hit's look-ahead is untouched.
        assert!(g[12_000] > 0.999, "{}", g[12_000]);
        // The gain falls only within the look-ahead before the hit at 1.5 s.
        let hit = 24_000;
        assert!(g[hit - LIMITER_LOOKAHEAD_SAMPLES - 1] > 0.999);
        assert!(g[hit + 40] < 0.9, "{}", g[hit + 40]);
        assert!(limiter_gain(&env, 2.0).iter().all(|&v| v == 1.0));
    }

    #[test]
    fn limited_loudness_reaches_the_target_under_the_ceiling() {
        for (target, ceiling) in [(-16.0, -1.0), (-12.0, -1.0), (-20.0, -3.0)] {
            let mut x = dynamic(6.0);
            let n = normalize_loudness_limited(&mut x, target, ceiling, Dither::Tpdf).unwrap();
            let (q, _) = quantize(&x, Dither::Tpdf, 1);
            let m = crate::pipeline::loudness::measure_i16(&q);
            let lufs = m.integrated_lufs.unwrap();
            let tp = m.true_peak_dbtp().unwrap();
            let l = n.limiting.unwrap();
            eprintln!(
                "target {target}: {lufs:.3} LUFS, {tp:.3} dBTP, gain {:.2} dB, limited {:.2} dB over {:.1}%",
                n.gain_db,
                l.max_reduction_db,
                l.limited_share * 100.0
            );
            assert!((lufs - target).abs() < 0.2, "{lufs}");
            assert!(tp <= ceiling, "{tp}");
            assert!(!n.capped);
            assert!(l.limited_share > 0.0 && l.limited_share < 0.5);
        }
        // Without peaks over the ceiling, no limiting: the plain gain.
        let mut quiet = sine(0.05, 3.0);
        let n = normalize_loudness_limited(&mut quiet, -16.0, -1.0, Dither::Tpdf).unwrap();
        assert_eq!(n.limiting, None);
        let plain = loudness_gain(&sine(0.05, 3.0), -16.0, -1.0, Dither::Tpdf).unwrap();
        assert_eq!(n.gain_db, plain.gain_db);
    }

    #[test]
    fn more_limiting_than_the_cap_stops_short_and_says_so() {
        // Clicks: −16 LUFS would need some 30 dB of limiting.
        let mut x = vec![0.0f32; 48_000];
        for i in (0..x.len()).step_by(1_600) {
            x[i] = 0.5;
        }
        let mut y = x.clone();
        let n = normalize_loudness_limited(&mut x, -16.0, -1.0, Dither::Tpdf).unwrap();
        assert!(n.capped);
        assert_eq!(n.limiting, None);
        let w = n.warnings(-16.0, -1.0);
        assert_eq!(w.len(), 1);
        assert!(matches!(w[0], crate::Warning::LoudnessLimited { .. }));
        // Exactly the gain without the limiter: the peaks at the ceiling less the margin.
        let g = loudness_gain(&y, -16.0, -1.0 - LIMITER_MARGIN_DB, Dither::Tpdf).unwrap();
        apply_gain(&mut y, g.gain_db);
        assert_eq!(x, y);
        let tp = crate::pipeline::loudness::measure(&x)
            .true_peak_dbtp()
            .unwrap();
        let under = -1.0 - LIMITER_MARGIN_DB;
        assert!(tp <= under && tp > under - 0.1, "{tp}");
    }

    #[test]
    fn limiting_is_deterministic() {
        let run = || {
            let mut x = dynamic(3.0);
            normalize_loudness_limited(&mut x, -14.0, -1.0, Dither::None).unwrap();
            x
        };
        let a = run();
        assert!(a.iter().zip(run()).all(|(p, q)| p.to_bits() == q.to_bits()));
    }

    #[test]
    fn peak_is_the_largest_magnitude() {
        assert_eq!(peak(&[]), 0.0);
        assert_eq!(peak(&[-0.0]), 0.0);
        let mut x: Vec<f32> = (0..37).map(|i| (i as f32 - 20.0) / 10.0).collect();
        assert_eq!(peak(&x), 2.0);
        x[3] = f32::NAN;
        assert_eq!(peak(&x), 2.0);
        x[36] = -3.5; // in the tail after the lanes
        assert_eq!(peak(&x), 3.5);
        x[5] = f32::NEG_INFINITY;
        assert_eq!(peak(&x), f32::INFINITY);
        assert_eq!(peak(&[f32::NAN; 9]), 0.0);
        assert_eq!(peak(&[1e-45, -2e-45]), 2e-45);
    }

    #[test]
    fn anti_clip_scales_just_enough() {
        let mut x = sine(1.1, 1.0);
        let g = anti_clip_gain_db(&x, Dither::Tpdf).unwrap();
        assert!(
            (g - gain_to_db(32_766.0 / 32_768.0 / 1.1)).abs() < 1e-3,
            "{g}"
        );
        apply_gain(&mut x, g);
        let (q, stats) = quantize(&x, Dither::Tpdf, 3);
        assert_eq!(stats.clipped, 0);
        assert!(
            q.iter().any(|&s| s >= 32_765),
            "peak lands just under full scale"
        );
        // Nothing to do for a signal under full scale, or one on the grid at full scale.
        assert_eq!(anti_clip_gain_db(&sine(0.9, 0.1), Dither::Tpdf), None);
        let grid = [32_767.0 / 32_768.0, -1.0, 0.0];
        assert_eq!(anti_clip_gain_db(&grid, Dither::Tpdf), None);
        // Off the grid just under full scale, dither could clip: scale.
        assert!(anti_clip_gain_db(&[32_766.7 / 32_768.0], Dither::Tpdf).is_some());
        assert_eq!(
            anti_clip_gain_db(&[32_766.7 / 32_768.0], Dither::None),
            None
        );
    }
}
