//! The last step before the bytes: `f32` at full scale ±1.0 to signed 16-bit.
//!
//! Samples are scaled by 32,768, given triangular (TPDF) dither of ±1 LSB, rounded to nearest and
//! clamped to the 16-bit range, counting every sample that had to be clamped. The dither noise
//! comes from a small hand-written counter-based generator ([`DitherNoise`]) seeded by the
//! caller — never the clock — so the same input gives the same bytes on every run. It is
//! hand-written on purpose: the bytes of every tone depend on its exact sequence, which must not
//! change when a dependency updates.
//!
//! Dither is skipped for samples that already lie on the 16-bit grid (a 16-bit source passes
//! bit-exact) and for near-silence below 1/1024 LSB (digital silence stays digital silence).

use crate::options::Dither;
use std::mem::MaybeUninit;

const SCALE: f32 = 32_768.0;
/// Below this magnitude, in LSB, a sample is treated as digital silence: no dither.
const SILENCE_LSB: f32 = 1.0 / 1024.0;

/// What the quantizer saw.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct QuantizeStats {
    /// Samples clamped to the 16-bit range.
    pub clipped: u64,
    /// Whether any sample received dither.
    pub dithered: bool,
}

/// Quantizes `signal` to 16-bit with the given dither, seeded by `seed`.
///
/// Sample `i`'s dither is [`DitherNoise::at`]`(i)`, whether or not the samples before it were
/// dithered: each sample's noise depends only on its index, so the loop has no chain from one
/// sample to the next and compiles to straight-line vector code.
pub fn quantize(signal: &[f32], dither: Dither, seed: u64) -> (Vec<i16>, QuantizeStats) {
    // Not zeroed first: a zeroed allocation is a pass of its own wherever the allocator reuses
    // memory (as it does from the second tone of a batch on), and the loop below writes every
    // sample.
    let n = signal.len();
    let mut out = Vec::with_capacity(n);
    let stats = quantize_stretches(
        signal,
        &mut out.spare_capacity_mut()[..n],
        dither == Dither::Tpdf,
        seed,
        STRETCH,
    );
    // SAFETY: `quantize_stretches` wrote each of the `n` samples.
    unsafe { out.set_len(n) };
    (out, stats)
}

/// Quantizes `signal` into `out` (of the same length) in stretches of `stretch` samples (at most
/// [`STRETCH`]), picking the AVX2 build where the CPU has it.
fn quantize_stretches(
    signal: &[f32],
    out: &mut [MaybeUninit<i16>],
    tpdf: bool,
    seed: u64,
    stretch: usize,
) -> QuantizeStats {
    assert_eq!(signal.len(), out.len());
    assert!(stretch > 0 && stretch <= STRETCH);
    let mut stats = QuantizeStats::default();
    // Clipped samples are counted in 32 bits inside the loop (64-bit lanes would halve the
    // vector width), so the signal goes through in stretches that cannot overflow them.
    for (k, (signal, out)) in signal
        .chunks(stretch)
        .zip(out.chunks_mut(stretch))
        .enumerate()
    {
        // Indices wrap at 2^32, as `DitherNoise::at` takes them.
        let first = (k * stretch) as u32;
        #[cfg(target_arch = "x86_64")]
        let s = if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            unsafe { quantize_avx2(signal, out, tpdf, seed, first) }
        } else {
            quantize_into(signal, out, tpdf, seed, first)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let s = quantize_into(signal, out, tpdf, seed, first);
        stats.clipped += s.clipped;
        stats.dithered |= s.dithered;
    }
    stats
}

/// Samples quantized per call of the inner loop: its clip counter is 32-bit.
const STRETCH: usize = 1 << 30;

/// [`quantize_into`] compiled for AVX2: the same integer and IEEE float operations in the same
/// order (no fused multiply-add), so the bytes are identical, more samples at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn quantize_avx2(
    signal: &[f32],
    out: &mut [MaybeUninit<i16>],
    tpdf: bool,
    seed: u64,
    first: u32,
) -> QuantizeStats {
    quantize_into(signal, out, tpdf, seed, first)
}

/// The quantizer's loop over at most [`STRETCH`] samples, the first of which has index `first`
/// in the tone (its dither is `DitherNoise::at(first)`).
#[inline(always)]
fn quantize_into(
    signal: &[f32],
    out: &mut [MaybeUninit<i16>],
    tpdf: bool,
    seed: u64,
    first: u32,
) -> QuantizeStats {
    debug_assert!(signal.len() <= STRETCH);
    let noise = DitherNoise::new(seed);
    let mut clipped = 0u32;
    let mut dithered = false;
    let n = out.len().min(signal.len());
    let (out, signal) = (&mut out[..n], &signal[..n]);
    for i in 0..n {
        let v = signal[i] * SCALE;
        let wants = tpdf && !is_integer(v) && v.abs() >= SILENCE_LSB;
        dithered |= wants;
        // Computed for every sample and then selected: a branch around it would stop the
        // loop from vectorising.
        let d = noise.at(first.wrapping_add(i as u32));
        let r = v + if wants { d } else { 0.0 };
        // round(r) > 32767 exactly when r ≥ 32767.5, and round(r) < −32768 when r ≤ −32768.5.
        clipped += u32::from(r >= 32_767.5) + u32::from(r <= -32_768.5);
        // NaN becomes 0 (as `NaN.round() as i16` gives); the rest is held inside the range,
        // where rounding gives what the clamp above counted.
        let r = if r.is_nan() { 0.0 } else { r };
        let r = r.clamp(-32_768.0, 32_767.0);
        // SAFETY: r is finite and within −32768..=32767.
        out[i].write(unsafe { round_half_away(r) } as i16);
    }
    QuantizeStats {
        clipped: u64::from(clipped),
        dithered,
    }
}

/// The dither noise of one tone: triangular (TPDF) noise in (−1, 1) LSB, a pure function of the
/// seed and the sample's index.
///
/// Sample `i` gets the 32-bit hash of `base + i × 0x9E3779B9` (a Weyl sequence, as in
/// SplitMix, through MurmurHash3's 32-bit finaliser); its two 16-bit halves are two uniform
/// values and their difference is the noise. All 32-bit arithmetic, so eight samples fit one
/// vector register. Tones are far shorter than the 2³² samples after which the sequence repeats.
///
/// ```
/// use ringforge::pipeline::quantize::DitherNoise;
/// let n = DitherNoise::new(42);
/// assert_eq!(n.at(7), DitherNoise::new(42).at(7)); // a pure function
/// assert!((0..1000).all(|i| n.at(i).abs() < 1.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DitherNoise {
    base: u32,
}

impl DitherNoise {
    /// The noise for a tone seeded `seed` (both halves of the seed count).
    pub fn new(seed: u64) -> Self {
        DitherNoise {
            base: (seed ^ (seed >> 32)) as u32,
        }
    }

    /// The noise for sample `i`, in LSB.
    #[inline(always)]
    pub fn at(self, i: u32) -> f32 {
        let mut h = self.base.wrapping_add(i.wrapping_mul(0x9E37_79B9));
        h ^= h >> 16;
        h = h.wrapping_mul(0x85EB_CA6B);
        h ^= h >> 13;
        h = h.wrapping_mul(0xC2B2_AE35);
        h ^= h >> 16;
        // Both halves are below 2^16: through i32 the conversions are exact and vectorise.
        let a = ((h >> 16) as i32) as f32;
        let b = ((h & 0xFFFF) as i32) as f32;
        (a - b) / 65_536.0
    }
}

/// Whether `v` is a whole number (`v == v.round()`), without a call into libm: the baseline
/// x86-64 target has no rounding instruction, and `f32::round` costs a function call per sample.
#[inline(always)]
fn is_integer(v: f32) -> bool {
    if v.abs() < 8_388_608.0 {
        // SAFETY: |v| < 2^23, so v is finite and its truncation fits an i32.
        v == unsafe { v.to_int_unchecked::<i32>() } as f32
    } else {
        // Every f32 of magnitude 2^23 or more is a whole number (and NaN is never dithered).
        true
    }
}

/// `r.round()` (halfway cases away from zero) for |r| < 32,769, as an integer, without libm
/// and without branches (the rounding direction of audio samples is unpredictable).
///
/// # Safety
/// `r` must be finite with |r| < 2^31.
#[inline(always)]
unsafe fn round_half_away(r: f32) -> i32 {
    // SAFETY: the caller guarantees r is finite and in range.
    let t = unsafe { r.to_int_unchecked::<i32>() }; // truncates toward zero
    let frac = r - t as f32; // exact for |r| < 2^23
    t + i32::from(frac >= 0.5) - i32::from(frac <= -0.5)
}

/// SplitMix64: tiny, fast and fully specified — random test signals that are the same on every
/// machine.
#[cfg(any(test, feature = "unstable-stages"))]
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

#[cfg(any(test, feature = "unstable-stages"))]
impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Triangular noise in (−1, 1): the difference of two 24-bit uniform values (random test
    /// signals).
    #[cfg(test)]
    fn tpdf(&mut self) -> f32 {
        let bits = self.next_u64();
        ((bits >> 40) as f32 - ((bits >> 16) & 0xFF_FFFF) as f32) / (1u64 << 24) as f32
    }
}

/// FNV-1a, 64-bit: a stable hash for seeds and cache keys (std's hashers may change).
#[derive(Clone, Debug)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv64 {
    /// The FNV offset basis.
    pub fn new() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    /// Mixes `bytes` into the hash.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }

    /// The hash value.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_values_pass_exactly_even_with_dither() {
        let x: Vec<f32> = [-32768i32, -1, 0, 1, 12345, 32767]
            .iter()
            .map(|&v| v as f32 / SCALE)
            .collect();
        let (q, s) = quantize(&x, Dither::Tpdf, 1);
        assert_eq!(q, vec![-32768, -1, 0, 1, 12345, 32767]);
        assert!(!s.dithered);
        assert_eq!(s.clipped, 0);
    }

    #[test]
    fn clips_are_counted() {
        let (q, s) = quantize(&[1.5, -1.5, 1.0, 0.5], Dither::None, 0);
        assert_eq!(q, vec![32767, -32768, 32767, 16384]);
        assert_eq!(s.clipped, 3);
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let x: Vec<f32> = (0..4096).map(|i| (i as f32 * 0.013).sin() * 0.3).collect();
        let a = quantize(&x, Dither::Tpdf, 42).0;
        assert_eq!(a, quantize(&x, Dither::Tpdf, 42).0);
        assert_ne!(a, quantize(&x, Dither::Tpdf, 43).0);
    }

    #[test]
    fn tpdf_is_triangular_centred_and_white() {
        let noise = DitherNoise::new(7);
        let n = 200_000u32;
        let v: Vec<f32> = (0..n).map(|i| noise.at(i)).collect();
        let n = n as usize;
        // Triangular: within ±0.293 of the centre lie 29.3% of uniform values on (−1, 1), but
        // 1 − (1 − 0.293)² = 50% of triangular ones.
        let central = v.iter().filter(|x| x.abs() < 0.293).count() as f32 / n as f32;
        assert!((central - 0.5).abs() < 0.01, "central mass {central}");
        // White: neighbouring values are uncorrelated.
        let lag1 = v.windows(2).map(|w| w[0] * w[1]).sum::<f32>() / n as f32 / (1.0 / 6.0);
        assert!(lag1.abs() < 0.01, "lag-1 correlation {lag1}");
        let mean = v.iter().sum::<f32>() / n as f32;
        let var = v.iter().map(|x| x * x).sum::<f32>() / n as f32;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0 / 6.0).abs() < 0.01, "variance {var}");
        assert!(v.iter().all(|x| x.abs() < 1.0));
    }

    #[test]
    fn rounding_matches_f32_round() {
        let mut r = SplitMix64::new(3);
        let mut values: Vec<f32> = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            -2.5,
            0.49999997,
            -0.49999997,
            32_767.0,
            32_767.49,
            -32_768.0,
            -32_768.49,
            12_345.5,
            -12_345.5,
            0.999_999_94,
        ];
        values.extend((0..100_000).map(|_| (r.next_u64() as i64 as f32) / 2f32.powi(48)));
        for v in values {
            assert!(v.abs() < 32_768.5);
            assert_eq!(unsafe { round_half_away(v) }, v.round() as i32, "{v}");
            assert_eq!(is_integer(v), v == v.round(), "{v}");
        }
        for v in [
            1e9f32,
            -1e9,
            8_388_608.5,
            f32::MAX,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ] {
            assert_eq!(is_integer(v), v == v.round(), "{v}");
        }
    }

    #[test]
    fn matches_the_reference_quantizer() {
        // The straightforward definition, with f32::round, must give the same bytes.
        fn reference(signal: &[f32], dither: Dither, seed: u64) -> (Vec<i16>, QuantizeStats) {
            let noise = DitherNoise::new(seed);
            let mut stats = QuantizeStats::default();
            let out = signal
                .iter()
                .zip(0u32..)
                .map(|(&x, i)| {
                    let v = x * SCALE;
                    let on_grid = v == v.round();
                    let n = noise.at(i);
                    let noise = if dither == Dither::Tpdf && !on_grid && v.abs() >= SILENCE_LSB {
                        stats.dithered = true;
                        n
                    } else {
                        0.0
                    };
                    let r = (v + noise).round();
                    if r > f32::from(i16::MAX) {
                        stats.clipped += 1;
                        i16::MAX
                    } else if r < f32::from(i16::MIN) {
                        stats.clipped += 1;
                        i16::MIN
                    } else {
                        r as i16
                    }
                })
                .collect();
            (out, stats)
        }
        let mut r = SplitMix64::new(9);
        let mut x: Vec<f32> = (0..200_000)
            .map(|i| ((i as f32) * 0.0137).sin() * 1.2 + (r.tpdf() * 1e-3))
            .collect();
        x.extend([
            0.0,
            1e-9,
            -1e-9,
            0.5 / SCALE,
            1.0,
            -1.0,
            1.00002,
            -1.00002,
            f32::NAN,
            3.0,
        ]);
        for dither in [Dither::Tpdf, Dither::None] {
            let a = quantize(&x, dither, 77);
            let b = reference(&x, dither, 77);
            assert!(a.0 == b.0, "{dither:?}: samples differ");
            assert_eq!(a.1, b.1, "{dither:?}");
        }
    }

    /// The samples of an output buffer the tests initialised before the quantizer wrote it.
    fn written(out: Vec<MaybeUninit<i16>>) -> Vec<i16> {
        // SAFETY: every value was initialised (`MaybeUninit::new`) before the quantizer wrote it.
        out.into_iter()
            .map(|v| unsafe { v.assume_init() })
            .collect()
    }

    #[test]
    fn every_instruction_set_gives_the_same_bytes() {
        // `quantize` picks the AVX2 build where the CPU has it; the portable build must agree.
        let mut r = SplitMix64::new(11);
        let x: Vec<f32> = (0..100_003)
            .map(|i| ((i as f32) * 0.021).sin() * 1.05 + r.tpdf() * 1e-4)
            .collect();
        for dither in [Dither::Tpdf, Dither::None] {
            let mut portable = vec![MaybeUninit::new(0i16); x.len()];
            let stats = quantize_into(&x, &mut portable, dither == Dither::Tpdf, 21, 0);
            assert_eq!(
                quantize(&x, dither, 21),
                (written(portable), stats),
                "{dither:?}"
            );
        }
    }

    #[test]
    fn stretches_continue_the_dither_sequence() {
        let mut r = SplitMix64::new(5);
        let x: Vec<f32> = (0..10_007)
            .map(|i| ((i as f32) * 0.031).sin() * 1.1 + r.tpdf() * 1e-4)
            .collect();
        for dither in [Dither::Tpdf, Dither::None] {
            let mut short = vec![MaybeUninit::new(0i16); x.len()];
            let stats = quantize_stretches(&x, &mut short, dither == Dither::Tpdf, 33, 1_000);
            assert!(stats.clipped > 0);
            assert_eq!(
                quantize(&x, dither, 33),
                (written(short), stats),
                "{dither:?}"
            );
        }
    }

    #[test]
    fn splitmix_reference_values() {
        // Reference sequence for seed 1234567 from the algorithm's published C code.
        let mut r = SplitMix64::new(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
    }
}
