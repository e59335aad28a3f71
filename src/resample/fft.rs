//! A mixed-radix FFT (radices 2, 3, 4, 5, 7) on [`Lanes`]: eight independent transforms at once,
//! every lane doing the same scalar operations in the same order, so each lane's result is the
//! same bits on every CPU, while the lane-wise operations compile to vector instructions.
//!
//! Why not rustfft: its fast kernels (AVX, SSE, NEON) are chosen at run time and round
//! differently, so the same source would give other bytes on another CPU; its scalar kernels,
//! run on lanes, are the same everywhere but sit behind trait objects compiled for the baseline
//! CPU (SSE2 on x86-64), and cost a conversion about 15 % more CPU than the AVX kernels did. This
//! transform is small, fully inlined, and compiled a second time for AVX (the same operations, so
//! the same bits): `cargo bench --bench stages -- resample` and docs/PERFORMANCE.md.
//!
//! Lengths with a prime factor above 7 (from rare source rates) fall back to rustfft's scalar
//! `f32` kernels, one lane at a time: slower, and the same bits everywhere too. (Those kernels
//! compiled for [`Lanes`] give each lane the same bits, but instantiating all of rustfft's
//! algorithms for an eight-wide type tripled the release build time of the crate.)
//!
//! The algorithm is Stockham's self-sorting form of decimation in time: stage by stage, the
//! transforms of length `L` of the `n/L` interleaved subsequences are combined `r` at a time into
//! transforms of length `L·r`, from one buffer into the other, with no bit reversal.

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::FftPlannerScalar;

use super::lanes::Lanes;

/// Complex values, one per lane.
pub(crate) type Bins = Complex<Lanes>;

/// The largest radix.
const MAX_RADIX: usize = 7;

/// One combining stage: `radix` transforms of length `len` into one of length `len · radix`,
/// for each of `count` subsequences.
struct Stage {
    radix: usize,
    len: usize,
    count: usize,
    /// `w^(q·k)` for `k` in `0..len`, `q` in `1..radix`, with `w = e^(∓2πi/(len·radix))`.
    twiddles: Vec<Complex<f32>>,
    /// `cos` and `sin` of `2π·j/radix` for `j` in `0..radix` (odd radices).
    unit: [(f32, f32); MAX_RADIX],
}

/// A planned transform of one length and direction.
pub(crate) struct Fft {
    len: usize,
    inverse: bool,
    stages: Vec<Stage>,
    /// For lengths with a prime factor above 7 (rare source rates such as 37.1 kHz): rustfft's
    /// scalar `f32` kernels, run lane by lane; slower, but the same bits on every CPU too.
    other: Option<Arc<dyn rustfft::Fft<f32>>>,
}

impl Fft {
    /// Plans a transform of `len` points; `inverse` transforms with `e^(+2πi/n)` and, like
    /// rustfft, does not scale.
    pub(crate) fn new(len: usize, inverse: bool) -> Fft {
        let Some(radices) = radices(len) else {
            let mut planner = FftPlannerScalar::<f32>::new();
            let other = if inverse {
                planner.plan_fft_inverse(len)
            } else {
                planner.plan_fft_forward(len)
            };
            return Fft {
                len,
                inverse,
                stages: Vec::new(),
                other: Some(other),
            };
        };
        let sign = if inverse { 1.0 } else { -1.0 };
        let mut stages = Vec::new();
        let mut done = 1;
        for radix in radices {
            let whole = done * radix;
            let twiddles = (0..done)
                .flat_map(|k| {
                    (1..radix).map(move |q| {
                        let a = sign * 2.0 * std::f64::consts::PI * (q * k) as f64 / whole as f64;
                        Complex::new(libm::cos(a) as f32, libm::sin(a) as f32)
                    })
                })
                .collect();
            let mut unit = [(0.0, 0.0); MAX_RADIX];
            for (j, u) in unit.iter_mut().enumerate().take(radix) {
                let a = 2.0 * std::f64::consts::PI * j as f64 / radix as f64;
                *u = (libm::cos(a) as f32, libm::sin(a) as f32);
            }
            stages.push(Stage {
                radix,
                len: done,
                count: len / whole,
                twiddles,
                unit,
            });
            done = whole;
        }
        Fft {
            len,
            inverse,
            stages,
            other: None,
        }
    }

    /// The scratch [`Fft::process`] needs.
    pub(crate) fn scratch_len(&self) -> usize {
        self.len
    }

    /// Transforms `data` in place; `scratch` must hold [`Fft::scratch_len`] values.
    pub(crate) fn process(&self, data: &mut [Bins], scratch: &mut [Bins]) {
        assert_eq!(data.len(), self.len);
        if let Some(other) = &self.other {
            return process_lane_by_lane(other.as_ref(), data);
        }
        let scratch = &mut scratch[..self.len];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX.
            return unsafe { self.process_avx(data, scratch) };
        }
        self.process_portable(data, scratch);
    }

    /// [`Fft::process_portable`] compiled for AVX: the same operations in the same order (no
    /// fused multiply-add), so the same bits, eight lanes to a register.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn process_avx(&self, data: &mut [Bins], scratch: &mut [Bins]) {
        self.process_portable(data, scratch);
    }

    #[inline(always)]
    fn process_portable(&self, data: &mut [Bins], scratch: &mut [Bins]) {
        let mut in_data = true;
        for stage in &self.stages {
            if in_data {
                stage.run(data, scratch, self.inverse);
            } else {
                stage.run(scratch, data, self.inverse);
            }
            in_data = !in_data;
        }
        if !in_data {
            data.copy_from_slice(scratch);
        }
    }
}

impl Stage {
    /// Input: element `k` of subsequence `s`'s length-`len` transform at `k·(radix·count) + s`.
    /// Output: element `k` of subsequence `s`'s length-`len·radix` transform at `k·count + s`.
    #[inline(always)]
    fn run(&self, input: &[Bins], output: &mut [Bins], inverse: bool) {
        match (self.radix, inverse) {
            (2, false) => self.run_radix::<2, false>(input, output),
            (3, false) => self.run_radix::<3, false>(input, output),
            (4, false) => self.run_radix::<4, false>(input, output),
            (5, false) => self.run_radix::<5, false>(input, output),
            (7, false) => self.run_radix::<7, false>(input, output),
            (2, true) => self.run_radix::<2, true>(input, output),
            (3, true) => self.run_radix::<3, true>(input, output),
            (4, true) => self.run_radix::<4, true>(input, output),
            (5, true) => self.run_radix::<5, true>(input, output),
            (7, true) => self.run_radix::<7, true>(input, output),
            (r, _) => unreachable!("radix {r} is not planned"),
        }
    }

    /// [`Stage::run`] for one radix and direction, so every loop over `R` unrolls.
    #[inline(always)]
    fn run_radix<const R: usize, const INVERSE: bool>(&self, input: &[Bins], output: &mut [Bins]) {
        let (len, count) = (self.len, self.count);
        let mut unit = [(0.0f32, 0.0f32); R];
        unit.copy_from_slice(&self.unit[..R]);
        for k in 0..len {
            let w = &self.twiddles[k * (R - 1)..(k + 1) * (R - 1)];
            let src = &input[k * R * count..(k + 1) * R * count];
            for s in 0..count {
                let mut a = [Bins::default(); R];
                a[0] = src[s];
                for q in 1..R {
                    let x = src[q * count + s];
                    a[q] = if k == 0 { x } else { mul(x, w[q - 1]) };
                }
                let b = butterfly::<R, INVERSE>(&a, &unit);
                for (k2, v) in b.into_iter().enumerate() {
                    output[(k + len * k2) * count + s] = v;
                }
            }
        }
    }
}

/// Transforms each lane of `data` on its own with a scalar `f32` transform.
fn process_lane_by_lane(fft: &dyn rustfft::Fft<f32>, data: &mut [Bins]) {
    let mut lane = vec![Complex::<f32>::default(); data.len()];
    let mut scratch = vec![Complex::<f32>::default(); fft.get_inplace_scratch_len()];
    for l in 0..super::lanes::LANES {
        for (v, d) in lane.iter_mut().zip(data.iter()) {
            *v = Complex::new(d.re.0[l], d.im.0[l]);
        }
        fft.process_with_scratch(&mut lane, &mut scratch);
        for (v, d) in lane.iter().zip(data.iter_mut()) {
            d.re.0[l] = v.re;
            d.im.0[l] = v.im;
        }
    }
}

/// `x · w`, lane by lane.
#[inline(always)]
fn mul(x: Bins, w: Complex<f32>) -> Bins {
    let (wr, wi) = (Lanes::splat(w.re), Lanes::splat(w.im));
    Complex::new(x.re * wr - x.im * wi, x.re * wi + x.im * wr)
}

/// `x · (−i)` forward, `x · i` inverse.
#[inline(always)]
fn rotate(x: Bins, inverse: bool) -> Bins {
    if inverse {
        Complex::new(-x.im, x.re)
    } else {
        Complex::new(x.im, -x.re)
    }
}

/// The `R`-point transform of `a`.
#[inline(always)]
fn butterfly<const R: usize, const INVERSE: bool>(
    a: &[Bins; R],
    unit: &[(f32, f32); R],
) -> [Bins; R] {
    let mut b = [Bins::default(); R];
    match R {
        2 => {
            b[0] = a[0] + a[1];
            b[1] = a[0] - a[1];
        }
        4 => {
            let (e0, e1) = (a[0] + a[2], a[0] - a[2]);
            let (o0, o1) = (a[1] + a[3], rotate(a[1] - a[3], INVERSE));
            b[0] = e0 + o0;
            b[1] = e1 + o1;
            b[2] = e0 - o0;
            b[3] = e1 - o1;
        }
        _ => {
            // Odd R: pair a_q with a_(R−q); b_k and b_(R−k) share the cosine and sine sums.
            let h = R / 2;
            let mut sums = [Bins::default(); MAX_RADIX / 2];
            let mut diffs = [Bins::default(); MAX_RADIX / 2];
            let mut total = a[0];
            for q in 1..=h {
                sums[q - 1] = a[q] + a[R - q];
                diffs[q - 1] = a[q] - a[R - q];
                total = total + sums[q - 1];
            }
            b[0] = total;
            for k in 1..=h {
                let mut re_part = a[0];
                let mut im_part = Bins::default();
                for q in 1..=h {
                    let (c, s) = unit[(q * k) % R];
                    re_part = re_part + scale(sums[q - 1], c);
                    im_part = im_part + scale(diffs[q - 1], s);
                }
                // Forward: b_k = re_part − i·im_part; b_(R−k) = re_part + i·im_part.
                let minus = Complex::new(re_part.re + im_part.im, re_part.im - im_part.re);
                let plus = Complex::new(re_part.re - im_part.im, re_part.im + im_part.re);
                if INVERSE {
                    b[k] = plus;
                    b[R - k] = minus;
                } else {
                    b[k] = minus;
                    b[R - k] = plus;
                }
            }
        }
    }
    b
}

/// `x · c` for a real `c`, lane by lane.
#[inline(always)]
fn scale(x: Bins, c: f32) -> Bins {
    let c = Lanes::splat(c);
    Complex::new(x.re * c, x.im * c)
}

/// The radices `len` is made of, fours first, in a fixed order; `None` when it has a prime
/// factor above 7.
fn radices(mut len: usize) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    while len.is_multiple_of(4) {
        out.push(4);
        len /= 4;
    }
    for r in [2, 3, 5, 7] {
        while len.is_multiple_of(r) {
            out.push(r);
            len /= r;
        }
    }
    (len == 1).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resample::lanes::LANES;

    fn input(len: usize) -> Vec<Bins> {
        (0..len)
            .map(|i| {
                let f = |l: usize, k: f32| {
                    let t = (i * 7 + l * 13) as f32;
                    libm::sinf(t * k) * 0.4
                };
                Complex::new(
                    Lanes(std::array::from_fn(|l| f(l, 0.37))),
                    Lanes(std::array::from_fn(|l| f(l, 0.11))),
                )
            })
            .collect()
    }

    /// Every lane agrees with an `f64` DFT to single precision, both directions, for the
    /// lengths the resampler uses and every radix.
    #[test]
    fn matches_the_dft() {
        for len in [
            1usize, 2, 3, 4, 5, 7, 8, 12, 30, 49, 53, 720, 960, 2160, 2646,
        ] {
            for inverse in [false, true] {
                let x = input(len);
                let mut y = x.clone();
                let mut scratch = vec![Bins::default(); len];
                Fft::new(len, inverse).process(&mut y, &mut scratch);
                let sign = if inverse { 1.0 } else { -1.0 };
                for lane in 0..LANES {
                    let mut worst: f64 = 0.0;
                    let mut norm: f64 = 0.0;
                    for (k, yk) in y.iter().enumerate() {
                        let (mut re, mut im) = (0.0f64, 0.0f64);
                        for (j, xj) in x.iter().enumerate() {
                            let a = sign * 2.0 * std::f64::consts::PI * ((j * k) % len) as f64
                                / len as f64;
                            let (xr, xi) = (f64::from(xj.re.0[lane]), f64::from(xj.im.0[lane]));
                            re += xr * a.cos() - xi * a.sin();
                            im += xr * a.sin() + xi * a.cos();
                        }
                        let d =
                            (f64::from(yk.re.0[lane]) - re).hypot(f64::from(yk.im.0[lane]) - im);
                        worst = worst.max(d);
                        norm = norm.max(re.hypot(im));
                    }
                    assert!(
                        worst <= 2e-6 * norm.max(1.0),
                        "len {len} inverse {inverse}: {worst}"
                    );
                }
            }
        }
    }

    /// Lengths with a prime factor above 7 give, lane by lane, the bits of rustfft's scalar
    /// `f32` transform. (Before, these lengths ran rustfft's scalar kernels compiled for
    /// [`Lanes`]; a test compared the two bit for bit on these lengths, both directions, before
    /// that was replaced: no byte moved.)
    #[test]
    fn other_lengths_are_the_scalar_transform_lane_by_lane() {
        for (len, inverse) in [(742usize, false), (742, true), (424, false), (53, true)] {
            let mut planner = FftPlannerScalar::<f32>::new();
            let one = if inverse {
                planner.plan_fft_inverse(len)
            } else {
                planner.plan_fft_forward(len)
            };
            let fft = Fft::new(len, inverse);
            assert!(fft.other.is_some(), "{len} takes the fallback");
            let mut a = input(len);
            let b = a.clone();
            let mut scratch = vec![Bins::default(); fft.scratch_len()];
            fft.process(&mut a, &mut scratch);
            for l in 0..LANES {
                let mut single: Vec<Complex<f32>> = b
                    .iter()
                    .map(|v| Complex::new(v.re.0[l], v.im.0[l]))
                    .collect();
                one.process(&mut single);
                for (x, y) in a.iter().zip(&single) {
                    assert_eq!(x.re.0[l].to_bits(), y.re.to_bits(), "{len} {inverse}");
                    assert_eq!(x.im.0[l].to_bits(), y.im.to_bits(), "{len} {inverse}");
                }
            }
        }
    }

    /// The AVX build gives the portable build's bits.
    #[test]
    fn avx_and_portable_builds_agree_bit_for_bit() {
        for len in [2160usize, 2646, 960] {
            let fft = Fft::new(len, false);
            let mut a = input(len);
            let mut b = a.clone();
            let mut scratch = vec![Bins::default(); len];
            fft.process(&mut a, &mut scratch);
            fft.process_portable(&mut b, &mut scratch);
            for (x, y) in a.iter().zip(&b) {
                for l in 0..LANES {
                    assert_eq!(x.re.0[l].to_bits(), y.re.0[l].to_bits());
                    assert_eq!(x.im.0[l].to_bits(), y.im.0[l].to_bits());
                }
            }
        }
    }
}
