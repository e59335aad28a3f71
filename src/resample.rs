//! Sample-rate conversion of a mono signal to 16 kHz, with rubato's FFT resampler.
//!
//! The FFT resampler filters with a Blackman-Harris² windowed sinc as long as one FFT block
//! (about 1,000 output samples here), which keeps the passband flat to within 0.1 dB up to
//! 7.45 kHz and rejects everything above 8 kHz by far more than 16-bit output can show. Output
//! length is exactly `ceil(n · 16000 / fs)` and the filter delay is removed, so an impulse at
//! input frame `k` lands at output sample `round(k · 16000 / fs)`. A 16 kHz source passes through
//! untouched.
//!
//! Resamplers are expensive to build, so each thread keeps one per source rate.

use std::cell::RefCell;
use std::collections::HashMap;

use rubato::audioadapter_buffers::direct::SequentialSlice;
use rubato::{Fft, FixedSync, Resampler, WindowFunction};

use crate::{Error, Result};

/// The phones' sample rate, in Hz.
pub const TARGET_RATE: u32 = 16_000;

/// Output-side FFT block length the chunk size aims for (at least), in samples. Longer blocks make
/// a steeper anti-alias filter; 1,024 keeps the 0.1 dB passband past 7.45 kHz.
///
/// Measured (docs/PERFORMANCE.md): the cost per sample grows only with the logarithm of the
/// block, so 512, 1,024 and 2,048 resample within measurement noise of each other (3,000–4,500×
/// realtime per core from 44.1/48 kHz). All three pass the quality tests; 1,024 is flat to
/// 7.9 kHz and rejects 8.1 kHz and up by more than 160 dB, where 512 is already −8 dB at 7.9 kHz
/// and 2,048 −0.3 dB at 7.7 kHz. Keep it unless the quality tests and the benches say otherwise.
const TARGET_BLOCK_OUT: usize = 1024;

thread_local! {
    static CACHE: RefCell<HashMap<u32, Fft<f32>>> = RefCell::new(HashMap::new());
}

/// Number of 16 kHz samples a signal of `frames` frames at `rate` Hz becomes.
pub fn output_len(frames: u64, rate: u32) -> u64 {
    if rate == TARGET_RATE {
        frames
    } else {
        (frames * u64::from(TARGET_RATE)).div_ceil(u64::from(rate))
    }
}

/// Source frames needed (beyond the ones that map to the output) for the filter to settle the
/// last output samples: half the input FFT block. Decoding this much past the part that is kept
/// makes a cut tone end exactly as the full-length conversion would.
pub fn tail_frames(rate: u32) -> u64 {
    if rate == TARGET_RATE {
        0
    } else {
        let (block_in, _) = block_sizes(rate);
        block_in as u64
    }
}

/// Resamples `mono` from `rate` Hz to 16 kHz.
pub fn to_16k(mono: &[f32], rate: u32) -> Result<Vec<f32>> {
    if rate == TARGET_RATE {
        return Ok(mono.to_vec());
    }
    if mono.is_empty() {
        return Ok(Vec::new());
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let resampler = match cache.entry(rate) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => v.insert(build(rate)?),
        };
        run(resampler, mono)
    })
}

/// Resamplers built so far, per source rate (tests check the per-thread cache with it).
#[cfg(test)]
static BUILDS: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

fn build(rate: u32) -> Result<Fft<f32>> {
    #[cfg(test)]
    BUILDS.lock().unwrap().push(rate);
    let (block_in, _) = block_sizes(rate);
    Fft::new_custom(
        rate as usize,
        TARGET_RATE as usize,
        block_in,
        1,
        1,
        WindowFunction::BlackmanHarris2,
        FixedSync::Both,
    )
    .map_err(|e| Error::Invalid(format!("cannot resample from {rate} Hz: {e}")))
}

fn run(resampler: &mut Fft<f32>, mono: &[f32]) -> Result<Vec<f32>> {
    resampler.reset();
    let input = SequentialSlice::new(mono, 1, mono.len())
        .map_err(|e| Error::Invalid(format!("resampler input: {e}")))?;
    let needed = resampler.process_all_needed_output_len(mono.len());
    let mut out = vec![0.0f32; needed];
    let mut adapter = SequentialSlice::new_mut(&mut out, 1, needed)
        .map_err(|e| Error::Invalid(format!("resampler output: {e}")))?;
    let (_, produced) = resampler
        .process_all_into_buffer(&input, &mut adapter, mono.len(), None)
        .map_err(|e| Error::Invalid(format!("resampling failed: {e}")))?;
    out.truncate(produced);
    Ok(out)
}

/// FFT block sizes (input, output) for `rate` → 16 kHz: the smallest multiple of the minimal
/// block pair whose output side reaches `TARGET_BLOCK_OUT` (1,024) and whose multiplier has only the
/// prime factors 2, 3 and 5, so the FFTs stay fast.
pub fn block_sizes(rate: u32) -> (usize, usize) {
    let rate = rate as usize;
    let target = TARGET_RATE as usize;
    let g = gcd(rate, target);
    let (min_in, min_out) = (rate / g, target / g);
    let mut k = TARGET_BLOCK_OUT.div_ceil(min_out).max(1);
    while !is_smooth(k) {
        k += 1;
    }
    (k * min_in, k * min_out)
}

fn is_smooth(mut n: usize) -> bool {
    for p in [2, 3, 5] {
        while n.is_multiple_of(p) {
            n /= p;
        }
    }
    n == 1
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_length_is_exact() {
        for &(rate, n) in &[
            (44_100u32, 44_100usize),
            (48_000, 12_345),
            (8_000, 777),
            (96_000, 5),
        ] {
            let x = vec![0.1f32; n];
            let y = to_16k(&x, rate).unwrap();
            assert_eq!(
                y.len() as u64,
                output_len(n as u64, rate),
                "rate {rate} n {n}"
            );
        }
    }

    #[test]
    fn passthrough_at_16k_is_exact() {
        let x: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.37).sin() * 0.5).collect();
        assert_eq!(to_16k(&x, 16_000).unwrap(), x);
    }

    #[test]
    fn each_thread_builds_one_resampler_per_rate() {
        use rayon::prelude::*;
        // Rates no other test uses, so the count is this test's own.
        let builds = |rate| {
            BUILDS
                .lock()
                .unwrap()
                .iter()
                .filter(|&&r| r == rate)
                .count()
        };
        let x = vec![0.25f32; 5_000];
        for _ in 0..3 {
            to_16k(&x, 37_000).unwrap();
        }
        assert_eq!(builds(37_000), 1, "one thread, three conversions");
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(|| {
            (0..16).into_par_iter().for_each(|_| {
                to_16k(&x, 41_000).unwrap();
            })
        });
        assert!(builds(41_000) <= 2, "two workers built {}", builds(41_000));
    }

    #[test]
    fn block_sizes_are_smooth_and_long_enough() {
        for rate in [
            8_000, 11_025, 22_050, 32_000, 44_100, 48_000, 88_200, 96_000, 192_000,
        ] {
            let (bin, bout) = block_sizes(rate);
            assert!(bout >= TARGET_BLOCK_OUT, "{rate}: {bout}");
            assert_eq!(bin * 16_000, bout * rate as usize);
        }
        assert_eq!(block_sizes(48_000), (3072, 1024));
    }
}
