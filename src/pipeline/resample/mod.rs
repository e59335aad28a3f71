//! Sample-rate conversion of a mono signal to 16 kHz: one Kaiser-windowed sinc, applied by FFT
//! overlap-save, with the rate change done in the frequency domain.
//!
//! For a source rate `fs` with `fs / 16000 = P / Q` in lowest terms, each block of `M_in = k·P`
//! source samples is transformed (real FFT), multiplied by the filter's spectrum, cut (or padded
//! with zeros) to the `M_out = k·Q` bins of the 16 kHz side and transformed back. Because the
//! filtered block has nothing above the lower of the two Nyquist frequencies, the inverse
//! transform gives the filtered signal at the 16 kHz instants exactly; the first outputs of each
//! block, which the circular convolution wraps around, are dropped and the blocks overlap by the
//! filter's length (overlap-save). Only a quarter of each block is overlap, so three quarters of
//! every transform is new output.
//!
//! The filter: passband to 95 % of the lower Nyquist frequency (7.6 kHz when going down to
//! 16 kHz), stopband from the Nyquist frequency itself (8 kHz), designed for 130 dB of
//! attenuation (a test checks at least 120 dB at every rate from 8 to 192 kHz), far below what
//! 16-bit output can show; nothing above 8 kHz folds back into the band. It is
//! linear phase and centred, so an impulse at input frame `j` lands at output sample
//! `round(j · 16000 / fs)`. Output length is exactly `ceil(n · 16000 / fs)`. A 16 kHz source
//! passes through untouched.
//!
//! Building a resampler (FFT plans, the filter's spectrum) costs far more than a short tone, so
//! each thread keeps one per source rate.

use std::cell::RefCell;
use std::collections::HashMap;
use std::f64::consts::PI;

use rustfft::num_complex::Complex;
use rustfft::FftPlannerScalar;

use crate::{Error, Result};

mod fft;
mod lanes;

use fft::Bins;
use lanes::{Lanes, LANES};

/// The phones' sample rate, in Hz.
pub const TARGET_RATE: u32 = 16_000;

/// Stopband attenuation of the anti-alias filter, in dB.
const STOPBAND_DB: f64 = 130.0;

/// Passband edge as a fraction of the lower Nyquist frequency; the stopband starts at 1.
const PASSBAND: f64 = 0.95;

/// How many times longer than the filter (the overlap) a block is, at least. Longer blocks waste
/// less of each transform on the overlap, but the transforms cost more per sample.
const BLOCK_PER_OVERLAP: usize = 4;

thread_local! {
    static CACHE: RefCell<HashMap<u32, Resampler>> = RefCell::new(HashMap::new());
}

/// Number of 16 kHz samples a signal of `frames` frames at `rate` Hz becomes.
pub fn output_len(frames: u64, rate: u32) -> u64 {
    if rate == TARGET_RATE {
        frames
    } else {
        (frames * u64::from(TARGET_RATE)).div_ceil(u64::from(rate))
    }
}

/// Source frames needed (beyond the ones that map to the output) for the last output samples to
/// be exactly what a longer source would give: one transform block. Decoding this much past the
/// part that is kept makes a cut tone end exactly as the full-length conversion would.
pub fn tail_frames(rate: u32) -> u64 {
    if rate == TARGET_RATE {
        0
    } else {
        Plan::for_rate(rate).block_in as u64
    }
}

/// The source frames and 16 kHz samples one block advances by (its new input and its output).
/// A conversion that starts at a multiple of the first gives, away from its start, the very
/// samples a conversion of the whole source gives there.
pub fn block_sizes(rate: u32) -> (usize, usize) {
    if rate == TARGET_RATE {
        return (1, 1);
    }
    let plan = Plan::for_rate(rate);
    (plan.hop_in, plan.hop_out)
}

/// Resamples `mono` from `rate` Hz to 16 kHz.
pub fn to_16k(mono: &[f32], rate: u32) -> Result<Vec<f32>> {
    if rate == TARGET_RATE {
        return Ok(mono.to_vec());
    }
    if rate == 0 {
        return Err(Error::Invalid("cannot resample from 0 Hz".into()));
    }
    if mono.is_empty() {
        return Ok(Vec::new());
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let resampler = cache.entry(rate).or_insert_with(|| Resampler::new(rate));
        Ok(resampler.run(mono))
    })
}

/// Resamplers built so far, per source rate (tests check the per-thread cache with it).
#[cfg(test)]
static BUILDS: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

/// The block geometry for one source rate.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Plan {
    /// `rate / 16000 = p / q` in lowest terms.
    p: usize,
    q: usize,
    /// Transform lengths: `block_in = k·p` source samples, `block_out = k·q` output samples.
    block_in: usize,
    block_out: usize,
    /// Overlap in source samples (`v·p`) and in output samples (`v·q`): the block's first
    /// `overlap_out` outputs see the wrap-around and are dropped.
    overlap_in: usize,
    overlap_out: usize,
    /// New source samples and kept outputs per block.
    hop_in: usize,
    hop_out: usize,
    /// Centre of the filter (its delay), in source samples; the filter has `2·centre + 1` taps.
    centre: usize,
}

impl Plan {
    fn for_rate(rate: u32) -> Plan {
        let rate = rate as usize;
        let target = TARGET_RATE as usize;
        let g = gcd(rate, target);
        let (p, q) = (rate / g, target / g);
        // Kaiser's estimate of the length for the attenuation over the transition band.
        let nyquist = rate.min(target) as f64 / 2.0;
        let transition = (1.0 - PASSBAND) * nyquist / rate as f64;
        let taps = ((STOPBAND_DB - 7.95) / (14.36 * transition)).ceil() as usize + 1;
        let v = taps.div_ceil(p).max(1);
        let overlap_in = v * p;
        // Whole blocks of `p` and `q`, even (real FFTs), with small prime factors (fast FFTs).
        let mut k = (BLOCK_PER_OVERLAP * v).max(2);
        while !(is_smooth(k) && (k * p).is_multiple_of(2) && (k * q).is_multiple_of(2)) {
            k += 1;
        }
        Plan {
            p,
            q,
            block_in: k * p,
            block_out: k * q,
            overlap_in,
            overlap_out: v * q,
            hop_in: (k - v) * p,
            hop_out: (k - v) * q,
            centre: overlap_in / 2,
        }
    }

    /// The filter's taps, `2·centre + 1` of them, summing to 1: a sinc cut off halfway through
    /// the transition band, under a Kaiser window.
    fn taps(&self) -> Vec<f64> {
        let (p, q) = (self.p as f64, self.q as f64);
        // Cutoff in cycles per source sample: halfway between the passband edge and the lower
        // Nyquist frequency (half a cycle per sample at the lower rate).
        let cutoff = (1.0 + PASSBAND) / 2.0 * 0.5 * (q / p).min(1.0);
        let beta = 0.1102 * (STOPBAND_DB - 8.7);
        let c = self.centre as f64;
        let mut h: Vec<f64> = (0..=2 * self.centre)
            .map(|j| {
                let t = j as f64 - c;
                let x = if c > 0.0 { t / c } else { 0.0 };
                let window = bessel_i0(beta * libm::sqrt((1.0 - x * x).max(0.0))) / bessel_i0(beta);
                let arg = 2.0 * cutoff * t;
                let sinc = if arg == 0.0 {
                    1.0
                } else {
                    libm::sin(PI * arg) / (PI * arg)
                };
                window * sinc
            })
            .collect();
        let sum: f64 = h.iter().sum();
        h.iter_mut().for_each(|x| *x /= sum);
        h
    }
}

/// A resampler for one source rate: the FFT plans, the filter's spectrum and the work buffers.
///
/// Both real transforms are done as complex transforms of half the length (even samples in the
/// real part, odd ones in the imaginary part). Splitting the forward spectrum into the real
/// signal's spectrum, filtering it and packing it for the half-length inverse is one pass over
/// the bins the 16 kHz side has — a third of them from 48 kHz — instead of a pass over every bin
/// for each step.
///
/// [`LANES`] consecutive blocks go through one transform side by side ([`fft::Fft`] on
/// [`Lanes`]), each lane with exactly the scalar operations, so the vector units are busy and
/// every lane's result is the same bits on every CPU.
struct Resampler {
    plan: Plan,
    forward: fft::Fft,
    inverse: fft::Fft,
    /// The filter's gain for the bins both sides share, with the transforms' scale folded in.
    gain: Vec<Bins>,
    /// `-i·e^(-2πik/block_in)`: splits the packed forward spectrum, for the shared bins.
    split: Vec<Bins>,
    /// `i·e^(2πik/block_out)`: packs the output spectrum for the half-length inverse.
    merge: Vec<Bins>,
    time_in: Vec<Bins>,
    /// The filtered spectrum of the 16 kHz side, bins 0 to `block_out / 2`.
    spectrum: Vec<Bins>,
    time_out: Vec<Bins>,
    scratch: Vec<Bins>,
}

/// The same complex value in every lane.
fn splat(c: Complex<f32>) -> Bins {
    Complex::new(Lanes::splat(c.re), Lanes::splat(c.im))
}

impl Resampler {
    fn new(rate: u32) -> Resampler {
        #[cfg(test)]
        BUILDS.lock().unwrap().push(rate);
        let plan = Plan::for_rate(rate);
        let (half_in, half_out) = (plan.block_in / 2, plan.block_out / 2);
        let forward = fft::Fft::new(half_in, false);
        let inverse = fft::Fft::new(half_out, true);
        let shared = half_in.min(half_out) + 1;

        // The filter's spectrum (an f64 transform of the taps, rounded once), scaled by
        // `1 / block_in` for the rate change and by 1/2 for the split.
        let mut taps: Vec<Complex<f64>> = plan.taps().into_iter().map(Complex::from).collect();
        taps.resize(plan.block_in, Complex::default());
        FftPlannerScalar::<f64>::new()
            .plan_fft_forward(plan.block_in)
            .process(&mut taps);
        let scale = 0.5 / plan.block_in as f64;
        let mut gain: Vec<Complex<f32>> = taps[..shared]
            .iter()
            .map(|c| Complex::new((c.re * scale) as f32, (c.im * scale) as f32))
            .collect();
        // A real signal's spectrum is real at DC and at the output's Nyquist bin (where the
        // filter is already 120 dB down).
        gain[0].im = 0.0;
        if half_out < shared {
            gain[half_out] = Complex::default();
        }
        let turn = |k: usize, len: usize, sign: f64| {
            let a = sign * 2.0 * PI * k as f64 / len as f64;
            // i·e^(ia) = (-sin a) + i·cos a
            Complex::new(-libm::sin(a) as f32, libm::cos(a) as f32)
        };
        let gain = gain.into_iter().map(splat).collect();
        let split = (0..shared)
            .map(|k| splat(-turn(k, plan.block_in, -1.0)))
            .collect();
        let merge = (0..half_out)
            .map(|k| splat(turn(k, plan.block_out, 1.0)))
            .collect();
        let scratch_len = forward.scratch_len().max(inverse.scratch_len());
        Resampler {
            plan,
            forward,
            inverse,
            gain,
            split,
            merge,
            time_in: vec![Complex::default(); half_in],
            spectrum: vec![Complex::default(); half_out + 1],
            time_out: vec![Complex::default(); half_out],
            scratch: vec![Complex::default(); scratch_len],
        }
    }

    fn run(&mut self, mono: &[f32]) -> Vec<f32> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX.
            return unsafe { self.run_avx(mono) };
        }
        self.run_portable(mono)
    }

    /// [`Resampler::run_portable`] compiled for AVX: the same operations in the same order (no
    /// fused multiply-add), so the same bits, a block per lane of a register.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn run_avx(&mut self, mono: &[f32]) -> Vec<f32> {
        self.run_portable(mono)
    }

    #[inline(always)]
    fn run_portable(&mut self, mono: &[f32]) -> Vec<f32> {
        let Plan {
            overlap_in,
            overlap_out,
            hop_in,
            hop_out,
            centre,
            ..
        } = self.plan;
        let total = output_len(mono.len() as u64, self.rate()) as usize;
        let mut out = Vec::with_capacity(total);
        // Block b reads source samples from `start + b·hop_in`; its first kept output is output
        // `b·hop_out`, whose source instant is then exactly `centre` samples into the filter.
        let mut start = centre as isize - overlap_in as isize;
        while out.len() < total {
            // Up to LANES blocks at a time, block l in lane l.
            let blocks = (total - out.len()).div_ceil(hop_out).min(LANES);
            self.fill_blocks(mono, start, blocks);
            self.forward.process(&mut self.time_in, &mut self.scratch);
            self.filter_and_pack();
            self.inverse.process(&mut self.time_out, &mut self.scratch);
            for lane in 0..blocks {
                let keep = hop_out.min(total - out.len());
                extend_unpacked(&mut out, &self.time_out, lane, overlap_out, keep);
            }
            start += (blocks * hop_in) as isize;
        }
        out
    }

    /// From the packed forward transform in `time_in` to the packed input of the inverse in
    /// `time_out`: split out the real signal's spectrum, apply the filter, keep the bins of the
    /// 16 kHz side (zero above the shared ones), and pack them.
    #[inline(always)]
    fn filter_and_pack(&mut self) {
        let z = &self.time_in;
        let half_in = z.len();
        let shared = self.gain.len();
        let y = &mut self.spectrum;
        // Bin k of the real signal is made of bins k and -k of the packed transform; both wrap
        // to bin 0 at DC and (when the 16 kHz side has it) at the source's Nyquist bin.
        let filtered = |a: Bins, b: Bins, split: Bins, gain: Bins| {
            let b = b.conj();
            ((a + b) + split * (a - b)) * gain
        };
        y[0] = filtered(z[0], z[0], self.split[0], self.gain[0]);
        let inner = shared.min(half_in);
        for ((((y, &a), &b), &split), &gain) in y[1..inner]
            .iter_mut()
            .zip(&z[1..inner])
            .zip(z[half_in + 1 - inner..].iter().rev())
            .zip(&self.split[1..inner])
            .zip(&self.gain[1..inner])
        {
            *y = filtered(a, b, split, gain);
        }
        if shared > half_in {
            y[half_in] = filtered(z[0], z[0], self.split[half_in], self.gain[half_in]);
        }
        y[shared..].fill(Complex::default());

        // Pack bins k and half_out - k of the output's spectrum into bin k of the inverse.
        let half_out = self.time_out.len();
        for (((o, &yk), &yj), &merge) in self
            .time_out
            .iter_mut()
            .zip(&y[..half_out])
            .zip(y[1..=half_out].iter().rev())
            .zip(&self.merge)
        {
            let yj = yj.conj();
            *o = (yk + yj) + merge * (yk - yj);
        }
    }

    fn rate(&self) -> u32 {
        (self.plan.p * TARGET_RATE as usize / self.plan.q) as u32
    }

    /// Packs `blocks` consecutive blocks, the first from `mono[start..]`, into the forward
    /// transform's input, one block per lane, two samples per complex value, with zeros outside
    /// the signal and in the lanes left over.
    #[inline(always)]
    fn fill_blocks(&mut self, mono: &[f32], start: isize, blocks: usize) {
        let len = 2 * self.time_in.len();
        let hop = self.plan.hop_in as isize;
        let last = start + (LANES as isize - 1) * hop;
        if blocks == LANES && start >= 0 && last as usize + len <= mono.len() {
            // Every block inside the signal: one pass, each bin's lanes side by side.
            let s = start as usize;
            let hop = hop as usize;
            for (n, c) in self.time_in.iter_mut().enumerate() {
                for lane in 0..LANES {
                    let i = s + lane * hop + 2 * n;
                    c.re.0[lane] = mono[i];
                    c.im.0[lane] = mono[i + 1];
                }
            }
            return;
        }
        for lane in 0..LANES {
            let from = start + lane as isize * hop;
            let inside = lane < blocks && from >= 0 && from as usize + len <= mono.len();
            if inside {
                let s = from as usize;
                for (c, pair) in self
                    .time_in
                    .iter_mut()
                    .zip(mono[s..s + len].chunks_exact(2))
                {
                    c.re.0[lane] = pair[0];
                    c.im.0[lane] = pair[1];
                }
            } else {
                let at = |i: isize| {
                    usize::try_from(i)
                        .ok()
                        .filter(|_| lane < blocks)
                        .and_then(|i| mono.get(i))
                        .copied()
                        .unwrap_or(0.0)
                };
                for (n, c) in self.time_in.iter_mut().enumerate() {
                    let i = from + 2 * n as isize;
                    c.re.0[lane] = at(i);
                    c.im.0[lane] = at(i + 1);
                }
            }
        }
    }
}

/// Appends samples `from .. from + count` of the real signal in `lane` of `packed`, two per
/// complex value (even samples in the real parts, odd ones in the imaginary parts).
#[inline(always)]
fn extend_unpacked(out: &mut Vec<f32>, packed: &[Bins], lane: usize, from: usize, count: usize) {
    let (mut from, end) = (from, from + count);
    if from % 2 == 1 && from < end {
        out.push(packed[from / 2].im.0[lane]);
        from += 1;
    }
    let pairs = &packed[from / 2..end / 2];
    out.extend(pairs.iter().flat_map(|c| [c.re.0[lane], c.im.0[lane]]));
    if end % 2 == 1 && from < end {
        out.push(packed[end / 2].re.0[lane]);
    }
}

/// The zeroth-order modified Bessel function of the first kind, by its power series.
fn bessel_i0(x: f64) -> f64 {
    let quarter_x2 = x * x / 4.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..200 {
        term *= quarter_x2 / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
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

    const RATES: [u32; 12] = [
        8_000, 11_025, 12_000, 22_050, 24_000, 32_000, 37_000, 44_100, 48_000, 88_200, 96_000,
        192_000,
    ];

    /// The filter's gain at `freq` Hz for a source at `rate` Hz, in dB.
    fn response_db(taps: &[f64], rate: u32, freq: f64) -> f64 {
        let w = 2.0 * PI * freq / f64::from(rate);
        let (re, im) = taps
            .iter()
            .enumerate()
            .fold((0.0, 0.0), |(re, im), (j, &h)| {
                (re + h * (w * j as f64).cos(), im - h * (w * j as f64).sin())
            });
        20.0 * (re * re + im * im).sqrt().log10()
    }

    #[test]
    fn output_length_is_exact() {
        for &(rate, n) in &[
            (44_100u32, 44_100usize),
            (48_000, 12_345),
            (8_000, 777),
            (96_000, 5),
            (48_000, 1),
            (11_025, 100_003),
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
    fn the_filter_is_flat_in_the_passband_and_rejects_above_nyquist() {
        for rate in RATES {
            let plan = Plan::for_rate(rate);
            let taps = plan.taps();
            let nyquist = f64::from(rate.min(TARGET_RATE)) / 2.0;
            let mut worst_pass: f64 = 0.0;
            for i in 0..=100 {
                let f = PASSBAND * nyquist * f64::from(i) / 100.0;
                worst_pass = worst_pass.max(response_db(&taps, rate, f).abs());
            }
            let mut worst_stop = f64::NEG_INFINITY;
            let top = f64::from(rate) / 2.0;
            for i in 0..=400 {
                let f = nyquist + (top - nyquist) * f64::from(i) / 400.0;
                worst_stop = worst_stop.max(response_db(&taps, rate, f));
            }
            assert!(worst_pass < 0.001, "{rate} Hz: passband {worst_pass} dB");
            assert!(worst_stop < -120.0, "{rate} Hz: stopband {worst_stop} dB");
        }
    }

    #[test]
    fn integer_ratios_match_a_direct_convolution() {
        // From 48 and 96 kHz every output instant is a source sample, so each output is the
        // filter's dot product with the source around it: check the FFT path against that.
        let mut seed = 0x1234_5678u32;
        let x: Vec<f32> = (0..30_000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (seed as f32 / u32::MAX as f32 - 0.5) * 0.9
            })
            .collect();
        for rate in [48_000u32, 96_000] {
            let plan = Plan::for_rate(rate);
            let taps = plan.taps();
            let step = plan.p / plan.q;
            let y = to_16k(&x, rate).unwrap();
            let mut worst: f64 = 0.0;
            for (m, &got) in y.iter().enumerate() {
                let at = (m * step) as isize + plan.centre as isize;
                let want: f64 = taps
                    .iter()
                    .enumerate()
                    .filter_map(|(j, &h)| {
                        let i = usize::try_from(at - j as isize).ok()?;
                        x.get(i).map(|&s| h * f64::from(s))
                    })
                    .sum();
                worst = worst.max((f64::from(got) - want).abs());
            }
            assert!(worst < 2e-6, "{rate} Hz: worst error {worst:e}");
        }
    }

    #[test]
    fn blocks_fit_the_filter_and_the_grid() {
        for rate in RATES {
            let p = Plan::for_rate(rate);
            assert_eq!(
                p.block_in * TARGET_RATE as usize,
                p.block_out * rate as usize
            );
            assert_eq!(p.hop_in * TARGET_RATE as usize, p.hop_out * rate as usize);
            assert_eq!(p.hop_in + p.overlap_in, p.block_in, "{rate}");
            assert_eq!(p.hop_out + p.overlap_out, p.block_out, "{rate}");
            assert!(
                2 * p.centre <= p.overlap_in,
                "{rate}: the filter fits the overlap"
            );
            assert!(
                p.hop_in * 4 >= p.block_in * 3,
                "{rate}: most of a block is new"
            );
            assert!(p.block_in.is_multiple_of(2) && p.block_out.is_multiple_of(2));
            assert_eq!(block_sizes(rate), (p.hop_in, p.hop_out));
        }
        assert_eq!(block_sizes(16_000), (1, 1));
    }

    #[test]
    fn a_cut_resampled_from_a_block_boundary_matches_the_whole() {
        // What convert relies on to take a part without decoding from the start.
        for rate in [44_100u32, 48_000, 8_000] {
            let n = rate as usize * 3;
            let x: Vec<f32> = (0..n)
                .map(|i| (i as f32 * 0.0123).sin() * 0.4 + (i as f32 * 0.31).cos() * 0.1)
                .collect();
            let whole = to_16k(&x, rate).unwrap();
            let (hop_in, hop_out) = block_sizes(rate);
            let from = 3 * hop_in;
            let to = n - tail_frames(rate) as usize;
            let part = to_16k(&x[from..], rate).unwrap();
            let part_end = to_16k(&x[from..to + tail_frames(rate) as usize], rate).unwrap();
            // The part's first block saw zeros before it; from its second block on, every
            // transform has the same input as the whole's.
            let settled = |i: usize| i >= hop_out;
            for (i, (&a, &b)) in part.iter().zip(&whole[3 * hop_out..]).enumerate() {
                if settled(i) {
                    assert_eq!(a, b, "{rate} Hz: sample {i} of the part");
                }
            }
            let last = output_len((to - from) as u64, rate) as usize;
            assert_eq!(
                &part_end[..last],
                &part[..last],
                "{rate} Hz: the tail suffices"
            );
        }
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
            to_16k(&x, 37_100).unwrap();
        }
        assert_eq!(builds(37_100), 1, "one thread, three conversions");
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
}
