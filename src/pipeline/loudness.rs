//! The per-tone meter: ITU-R BS.1770-4 / EBU R128 integrated loudness and true peak of a 16 kHz
//! mono signal.
//!
//! Every tone is measured, so this runs once per file on the hot path. The ebur128 crate (which
//! [`crate::inspect`] uses for sources of any rate and layout) spends more time here than
//! decoding a WAV file does: its generic filter runs a 4th-order recursion whose every step
//! waits on the last, and its true-peak scan interpolates every sample. This module computes
//! the same quantities for the one case the pipeline needs, faster:
//!
//! - **Loudness:** the K-weighting as two biquads in `f64` (the same pre-filter and RLB
//!   high-pass, with the same coefficients as the crate), run over four stretches of the signal
//!   side by side; mean square per 100 ms segment, 400 ms gating blocks every 100 ms, the
//!   −70 LUFS absolute gate and the −10 LU relative gate.
//! - **True peak:** the crate's 4× polyphase interpolator (48-tap Hann-windowed sinc, 12 taps
//!   per phase, coefficients computed the same way), run as four short FIRs over blocks. A block
//!   whose largest input magnitude times the interpolator's largest gain cannot beat the peak
//!   found so far is skipped: it cannot change the result, and most blocks of real audio are
//!   well under their tone's peak.
//!
//! The crate stays the reference: `tests/condition.rs` checks this meter against it on tones,
//! noise, silence, gated and clipped signals.
//!
//! ```
//! use ringforge::pipeline::loudness;
//! // A 997 Hz sine at half scale, 3 s: −6.02 dBFS peak, −9.03 LUFS.
//! let x = ringforge::signal::sine(997.0, 0.5, 16_000, 48_000);
//! let m = loudness::measure(&x);
//! assert!((m.integrated_lufs.unwrap() + 9.03).abs() < 0.05);
//! assert!((m.true_peak_dbtp().unwrap() + 6.02).abs() < 0.05);
//! ```

use std::f64::consts::PI;
use std::sync::OnceLock;

use crate::pipeline::resample::TARGET_RATE;

/// Loudness and true peak of a signal.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Loudness {
    /// EBU R128 integrated loudness in LUFS; `None` when too short (< 400 ms) or silent.
    pub integrated_lufs: Option<f64>,
    /// True peak as a linear magnitude (1.0 = full scale); 0 for digital silence.
    pub true_peak: f64,
}

impl Loudness {
    /// True peak in dBTP, `None` for digital silence.
    pub fn true_peak_dbtp(&self) -> Option<f64> {
        (self.true_peak > 0.0).then(|| crate::pipeline::condition::gain_to_db(self.true_peak))
    }
}

/// Measures a 16 kHz mono signal at full scale ±1.0.
pub fn measure(x: &[f32]) -> Loudness {
    Loudness {
        integrated_lufs: integrated_lufs(x),
        true_peak: f64::from(true_peak(x)),
    }
}

/// Measures 16 kHz mono 16-bit samples (full scale is 32,768).
pub fn measure_i16(x: &[i16]) -> Loudness {
    measure_i16_with(x, &mut Vec::new())
}

/// [`measure_i16`], reading the samples as floats into `scratch` (whose contents are replaced):
/// a caller with a float buffer to spare saves allocating, and faulting in, a new one.
pub fn measure_i16_with(x: &[i16], scratch: &mut Vec<f32>) -> Loudness {
    scratch.clear();
    scratch.extend(x.iter().map(|&s| f32::from(s) / 32_768.0));
    measure(scratch)
}

// --- integrated loudness -----------------------------------------------------------------------

/// Samples per 100 ms segment at 16 kHz; a gating block is four segments.
const SEGMENT: usize = TARGET_RATE as usize / 10;
/// The absolute gate, as a mean square: −70 LUFS.
const ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// The relative gate below the absolutely gated loudness.
const RELATIVE_GATE_LU: f64 = -10.0;

/// A biquad section, `b` over `a` with `a0 = 1`.
#[derive(Clone, Copy, Debug)]
struct Biquad {
    b: [f64; 3],
    a: [f64; 2],
}

/// The K-weighting at 16 kHz: the high-shelf pre-filter, then the RLB high-pass (BS.1770-4),
/// designed from the analog prototypes for any rate, as libebur128 and the ebur128 crate do.
fn k_weighting() -> [Biquad; 2] {
    let rate = f64::from(TARGET_RATE);
    let (f0, g, q) = (1681.974450955533, 3.999843853973347, 0.7071752369554196);
    let k = libm::tan(PI * f0 / rate);
    let vh = libm::pow(10.0, g / 20.0);
    let vb = libm::pow(vh, 0.4996667741545416);
    let a0 = 1.0 + k / q + k * k;
    let shelf = Biquad {
        b: [
            (vh + vb * k / q + k * k) / a0,
            2.0 * (k * k - vh) / a0,
            (vh - vb * k / q + k * k) / a0,
        ],
        a: [2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0],
    };
    let (f0, q) = (38.13547087602444, 0.5003270373238773);
    let k = libm::tan(PI * f0 / rate);
    let a0 = 1.0 + k / q + k * k;
    let high_pass = Biquad {
        b: [1.0, -2.0, 1.0],
        a: [2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0],
    };
    [shelf, high_pass]
}

/// Independent stretches of the signal filtered side by side, one per vector lane.
const LANES: usize = 4;
/// Samples of the signal each lane but the first filters before its stretch, starting from
/// silence, so that its state has settled into the running filter's: the slowest pole (the RLB
/// high-pass, 0.985 per sample) leaves less than 1e-27 of the difference after 300 ms, far below
/// the last bit of an `f64`.
const SETTLE: usize = SETTLE_SEGMENTS * SEGMENT;
/// [`SETTLE`] in segments.
const SETTLE_SEGMENTS: usize = 3;

/// The K-weighting's state for `N` independent lanes (direct form I: the last two inputs and
/// outputs of each section).
#[derive(Clone, Copy)]
struct KState<const N: usize> {
    s: [[f64; N]; 2],
    u: [[f64; N]; 2],
    y: [[f64; N]; 2],
}

impl<const N: usize> KState<N> {
    const SILENT: Self = KState {
        s: [[0.0; N]; 2],
        u: [[0.0; N]; 2],
        y: [[0.0; N]; 2],
    };

    /// Filters one sample per lane; returns the K-weighted outputs.
    ///
    /// Each section is one lane-wise operation after another over whole arrays, so the compiler
    /// keeps every lane in one vector register and no lane waits on a shuffle.
    #[inline(always)]
    fn step(&mut self, [p, h]: &[Biquad; 2], x: [f64; N]) -> [f64; N] {
        let mut u = [0.0; N];
        for l in 0..N {
            // Only `− a1·(last output)` waits on the step before; the rest is ready early.
            u[l] = (p.b[0] * x[l] + p.b[1] * self.s[0][l] + p.b[2] * self.s[1][l]
                - p.a[1] * self.u[1][l])
                - p.a[0] * self.u[0][l];
        }
        let mut y = [0.0; N];
        for l in 0..N {
            y[l] = (h.b[0] * u[l] + h.b[1] * self.u[0][l] + h.b[2] * self.u[1][l]
                - h.a[1] * self.y[1][l])
                - h.a[0] * self.y[0][l];
        }
        self.s = [x, self.s[0]];
        self.u = [u, self.u[0]];
        self.y = [y, self.y[0]];
        y
    }

    /// Lane `l` alone.
    fn lane(&self, l: usize) -> KState<1> {
        KState {
            s: [[self.s[0][l]], [self.s[1][l]]],
            u: [[self.u[0][l]], [self.u[1][l]]],
            y: [[self.y[0][l]], [self.y[1][l]]],
        }
    }
}

/// Mean square of the K-weighted signal in each whole 100 ms segment, handing `keep` what it
/// keeps of the filtered signal as well (the energy of each block, for a limiter).
///
/// A recursive filter waits on its last output every sample, so one long run is bound by the
/// latency of a multiply and an add. The signal is cut into [`LANES`] stretches of whole
/// segments, each lane settling on the [`SETTLE`] samples before its stretch, and the stretches
/// are filtered side by side; what is left over runs on from the last lane's state.
fn segment_energies<K: Keep>(x: &[f32], keep: &mut K) -> Vec<f64> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX.
        return unsafe { segment_energies_avx(x, keep) };
    }
    segment_energies_portable(x, keep)
}

/// [`segment_energies_portable`] compiled for AVX: the same operations in the same order (no
/// fused multiply-add), so the same values, four lanes to a register.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn segment_energies_avx<K: Keep>(x: &[f32], keep: &mut K) -> Vec<f64> {
    segment_energies_portable(x, keep)
}

#[inline(always)]
fn segment_energies_portable<K: Keep>(x: &[f32], keep: &mut K) -> Vec<f64> {
    let f = k_weighting();
    let segments = x.len() / SEGMENT;
    let per_lane = segments / LANES;
    let stretch = per_lane * SEGMENT;
    let mut out = vec![0.0f64; segments];
    let mut tail = KState::<1>::SILENT;
    let mut done = 0;
    if stretch >= SETTLE {
        keep.start(stretch, segments);
        let mut k = KState::<LANES>::SILENT;
        // The first lane starts at the signal's start, from silence, as a single run would:
        // silence in keeps its state at zero while the others settle.
        let settle = |l: usize| -> &[f32; SETTLE] {
            let start = (l * stretch).saturating_sub(SETTLE);
            x[start..start + SETTLE]
                .try_into()
                .expect("a whole settling stretch")
        };
        let settles: [&[f32; SETTLE]; LANES] = std::array::from_fn(settle);
        for j in 0..SETTLE {
            let mut xs = [0.0f32; LANES];
            for (v, lane) in xs.iter_mut().zip(&settles).skip(1) {
                *v = lane[j];
            }
            k.step(&f, xs.map(f64::from));
        }
        const PER_SEGMENT: usize = SEGMENT / KEPT_BLOCK;
        for seg in 0..per_lane {
            let mut sums = [0.0f64; LANES];
            // This segment of every lane, as arrays of blocks: no bounds checks in the loop.
            let at = |l: usize| l * stretch + seg * SEGMENT;
            let segs: [&[[f32; KEPT_BLOCK]; PER_SEGMENT]; LANES] = std::array::from_fn(|l| {
                x[at(l)..at(l) + SEGMENT]
                    .as_chunks::<KEPT_BLOCK>()
                    .0
                    .try_into()
                    .expect("a whole segment")
            });
            for block in 0..PER_SEGMENT {
                for j in 0..KEPT_BLOCK {
                    let mut xs = [0.0f32; LANES];
                    for (v, seg) in xs.iter_mut().zip(&segs) {
                        *v = seg[block][j];
                    }
                    let y = k.step(&f, xs.map(f64::from));
                    for l in 0..LANES {
                        sums[l] += y[l] * y[l];
                    }
                }
                keep.block_end(seg * PER_SEGMENT + block, sums);
            }
            for (l, sum) in sums.iter().enumerate() {
                out[l * per_lane + seg] = sum / SEGMENT as f64;
            }
        }
        tail = k.lane(LANES - 1);
        done = LANES * per_lane;
    } else {
        keep.start(0, segments);
    }
    for (seg, e) in out.iter_mut().enumerate().skip(done) {
        let mut sum = 0.0f64;
        let range = seg * SEGMENT..(seg + 1) * SEGMENT;
        for (i, &s) in range.clone().zip(&x[range]) {
            let [y] = tail.step(&f, [f64::from(s)]);
            sum += y * y;
            keep.single(i, y);
        }
        *e = sum / SEGMENT as f64;
    }
    out
}

/// What [`segment_energies`] hands the K-weighted signal's running sums to, as it filters: first
/// `start(stretch, segments)`; at the end of each block `c` of [`KEPT_BLOCK`] samples of the
/// lanes' stretches `block_end(c, sums)`, `sums[l]` lane `l`'s sum of squares since its segment
/// began; then sample `i` after the lanes' stretches as `single(i, y)`.
trait Keep {
    fn start(&mut self, stretch: usize, segments: usize);
    fn block_end(&mut self, c: usize, sums: [f64; LANES]);
    fn single(&mut self, i: usize, y: f64);
}

/// Keeps nothing: the plain measurement.
struct Discard;

impl Keep for Discard {
    #[inline(always)]
    fn start(&mut self, _: usize, _: usize) {}
    #[inline(always)]
    fn block_end(&mut self, _: usize, _: [f64; LANES]) {}
    #[inline(always)]
    fn single(&mut self, _: usize, _: f64) {}
}

/// Samples per block of [`KWeighted`]: the limiter's blocks.
pub(crate) const KEPT_BLOCK: usize = 64;
const _: () = assert!(SEGMENT.is_multiple_of(KEPT_BLOCK));

/// A source K-weighted, as a limiter needs it: the meter's segments and the energy of every
/// block of [`KEPT_BLOCK`] samples, both from the one filtering the measurement does.
pub(crate) struct KWeighted {
    /// The mean square of the K-weighted signal in every whole 100 ms segment, as
    /// [`gated_lufs`] takes them.
    pub(crate) segments: Vec<f64>,
    /// `Σ k²` over every block of the whole segments.
    pub(crate) energies: Vec<f64>,
    stretch: usize,
    /// Each lane's sum of squares in its segment up to the block before.
    before: [f64; LANES],
    /// The sum of squares of the block under way after the lanes' stretches.
    tail: f64,
}

impl Keep for KWeighted {
    fn start(&mut self, stretch: usize, segments: usize) {
        self.stretch = stretch;
        self.energies = vec![0.0; segments * SEGMENT / KEPT_BLOCK];
    }

    #[inline(always)]
    fn block_end(&mut self, c: usize, sums: [f64; LANES]) {
        if c.is_multiple_of(SEGMENT / KEPT_BLOCK) {
            self.before = [0.0; LANES];
        }
        let per_lane = self.stretch / KEPT_BLOCK;
        for (l, (&sum, before)) in sums.iter().zip(&mut self.before).enumerate() {
            self.energies[l * per_lane + c] = sum - *before;
            *before = sum;
        }
    }

    #[inline(always)]
    fn single(&mut self, i: usize, y: f64) {
        self.tail += y * y;
        if (i + 1).is_multiple_of(KEPT_BLOCK) {
            if let Some(e) = self.energies.get_mut(i / KEPT_BLOCK) {
                *e = self.tail;
            }
            self.tail = 0.0;
        }
    }
}

/// The K-weighted source as a limiter needs it ([`KWeighted`]): the segments the meter
/// measures ([`integrated_lufs`]) and the blocks' energies, for one filtering.
pub(crate) fn k_weighted(x: &[f32]) -> KWeighted {
    let mut kept = KWeighted {
        segments: Vec::new(),
        energies: Vec::new(),
        stretch: 0,
        before: [0.0; LANES],
        tail: 0.0,
    };
    kept.segments = segment_energies(x, &mut kept);
    kept
}

fn energy_to_lufs(energy: f64) -> f64 {
    10.0 * libm::log10(energy) - 0.691
}

fn lufs_to_energy(lufs: f64) -> f64 {
    libm::pow(10.0, (lufs + 0.691) / 10.0)
}

/// Integrated loudness (gated), `None` for fewer than 400 ms or nothing above the gates.
pub fn integrated_lufs(x: &[f32]) -> Option<f64> {
    gated_lufs(&segment_loudness(x))
}

/// The K-weighted mean square of every whole 100 ms segment of `x`, as [`gated_lufs`] takes
/// them.
pub(crate) fn segment_loudness(x: &[f32]) -> Vec<f64> {
    segment_energies(x, &mut Discard)
}

/// A gain that brings a signal to a loudness target, and the loudness it reaches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct GainToTarget {
    /// The gain, in dB.
    pub(crate) gain_db: f64,
    /// The integrated loudness after the gain, in LUFS: the target itself when the gain reaches
    /// it within [`GATE_TOLERANCE_LU`].
    pub(crate) lufs: f64,
}

/// A gain whose loudness lies this close to the target reaches it.
const GATE_TOLERANCE_LU: f64 = 0.005;

/// Gains [`gain_to_target`] tries at most.
const GATE_STEPS: usize = 8;

/// The integrated loudness of the segments (mean squares, see [`gated_lufs`]) after a gain of
/// `gain_db`: the gates judge the blocks again, so it need not be the loudness plus the gain.
pub(crate) fn gated_lufs_after(segments: &[f64], gain_db: f64) -> Option<f64> {
    let g2 = libm::pow(10.0, gain_db / 10.0);
    gated_lufs(&segments.iter().map(|&s| s * g2).collect::<Vec<_>>())
}

/// The gain that brings the signal of these segments (mean squares, see [`gated_lufs`]) to
/// `target_lufs`, and the loudness it reaches; `None` when the segments cannot be measured.
///
/// The loudness plus the gain is the answer whenever the gates pass the same blocks after the
/// gain. They need not: a block just above the absolute gate (−70 LUFS) falls under it when
/// the tone is turned down, which raises the relative gate, which may shut out a quieter block
/// the loudness counted before. On a short tone with a near-silent stretch that is several LU
/// (a 0.65 s tone, 0.4 s of near silence and a hit, turned down 12 dB, came out 2.8 LU louder than
/// its target). So the gain is corrected by what the gates make of it, a few times, and the
/// nearest is kept.
pub(crate) fn gain_to_target(segments: &[f64], target_lufs: f64) -> Option<GainToTarget> {
    let measured = gated_lufs(segments)?;
    let mut gain_db = target_lufs - measured;
    let mut best: Option<GainToTarget> = None;
    for _ in 0..GATE_STEPS {
        let Some(lufs) = gated_lufs_after(segments, gain_db) else {
            // Turned down under the absolute gate altogether.
            break;
        };
        if (lufs - target_lufs).abs() <= GATE_TOLERANCE_LU {
            return Some(GainToTarget {
                gain_db,
                lufs: target_lufs,
            });
        }
        if best.is_none_or(|b| (lufs - target_lufs).abs() < (b.lufs - target_lufs).abs()) {
            best = Some(GainToTarget { gain_db, lufs });
        }
        let next = gain_db + (target_lufs - lufs);
        if next == gain_db {
            break;
        }
        gain_db = next;
    }
    // Nothing measurable after the first gain (a target at the absolute gate): that gain, as
    // the loudness alone would have it.
    best.or(Some(GainToTarget {
        gain_db: target_lufs - measured,
        lufs: target_lufs,
    }))
}

/// The sums of squares of each signal of `xs` K-weighted (from silence before it), over each
/// [`KEPT_BLOCK`] samples (the last block may be shorter). A limiter measures with it the
/// stretches where its gain moves fast.
///
/// One signal's filter waits on its last output every sample, so [`LANES`] signals are filtered
/// side by side (the same operations in the same order for each: the same values as one at a
/// time), the shorter ones of a group run on with silence whose outputs are not counted. A
/// group runs as long as its longest, so the signals are grouped longest first.
pub(crate) fn k_weighted_block_sums(xs: &[Vec<f32>]) -> Vec<Vec<f64>> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX.
        return unsafe { k_weighted_block_sums_avx(xs) };
    }
    k_weighted_block_sums_portable(xs)
}

/// [`k_weighted_block_sums_portable`] compiled for AVX (no fused multiply-add: the same values).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn k_weighted_block_sums_avx(xs: &[Vec<f32>]) -> Vec<Vec<f64>> {
    k_weighted_block_sums_portable(xs)
}

#[inline(always)]
fn k_weighted_block_sums_portable(xs: &[Vec<f32>]) -> Vec<Vec<f64>> {
    let f = k_weighting();
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(xs[i].len()));
    let mut out = vec![Vec::new(); xs.len()];
    for indices in order.chunks(LANES) {
        let group: Vec<&[f32]> = indices.iter().map(|&i| xs[i].as_slice()).collect();
        let lens: [usize; LANES] = std::array::from_fn(|l| group.get(l).map_or(0, |x| x.len()));
        let n = lens.iter().copied().max().unwrap_or(0);
        // The group's samples interleaved, silence after each signal's end.
        let mut input = vec![[0.0f32; LANES]; n];
        for (l, x) in group.iter().enumerate() {
            for (v, &s) in input.iter_mut().zip(x.iter()) {
                v[l] = s;
            }
        }
        let mut k = KState::<LANES>::SILENT;
        let mut sums: [Vec<f64>; LANES] = Default::default();
        for (c, chunk) in input.chunks(KEPT_BLOCK).enumerate() {
            let mut acc = [0.0f64; LANES];
            for (j, xs) in chunk.iter().enumerate() {
                let i = c * KEPT_BLOCK + j;
                let y = k.step(&f, xs.map(f64::from));
                for l in 0..LANES {
                    // A weight of exactly 1 or 0: the sum of the signal's own outputs.
                    let counted = if i < lens[l] { 1.0 } else { 0.0 };
                    acc[l] += y[l] * y[l] * counted;
                }
            }
            for (s, a) in sums.iter_mut().zip(acc) {
                s.push(a);
            }
        }
        for (l, &i) in indices.iter().enumerate() {
            let mut s = std::mem::take(&mut sums[l]);
            s.truncate(lens[l].div_ceil(KEPT_BLOCK));
            out[i] = s;
        }
    }
    out
}

/// Integrated loudness from the K-weighted mean squares of consecutive 100 ms segments: 400 ms
/// blocks every 100 ms, the absolute and the relative gate. `None` for fewer than four segments
/// or nothing above the gates.
pub fn gated_lufs(segments: &[f64]) -> Option<f64> {
    if segments.len() < 4 {
        return None;
    }
    // Overlapping 400 ms blocks, one every 100 ms.
    let blocks: Vec<f64> = segments
        .windows(4)
        .map(|w| w.iter().sum::<f64>() / 4.0)
        .collect();
    let absolute = lufs_to_energy(ABSOLUTE_GATE_LUFS);
    let gated = |threshold: f64| {
        let (n, sum) = blocks
            .iter()
            .filter(|&&e| e >= threshold)
            .fold((0usize, 0.0f64), |(n, s), &e| (n + 1, s + e));
        (n > 0).then(|| sum / n as f64)
    };
    let relative = gated(absolute)? * libm::pow(10.0, RELATIVE_GATE_LU / 10.0);
    let lufs = energy_to_lufs(gated(absolute.max(relative))?);
    lufs.is_finite().then_some(lufs)
}

// --- true peak ---------------------------------------------------------------------------------

/// Oversampling factor and taps per phase (BS.1770-4 Annex 2: 4× below 96 kHz).
const FACTOR: usize = 4;
const TAPS: usize = 12;
/// Samples per block of the true-peak scan.
const BLOCK: usize = 256;

/// The interpolator, one row of taps per phase; `taps[p][t]` weighs the sample `t` back.
struct Interpolator {
    taps: [[f32; TAPS]; FACTOR],
    /// The largest sum of |taps| over the phases: no output exceeds the input's peak times this.
    gain: f32,
}

fn interpolator() -> &'static Interpolator {
    static FILTER: OnceLock<Interpolator> = OnceLock::new();
    FILTER.get_or_init(|| {
        let n = FACTOR * TAPS;
        let mut taps = [[0f32; TAPS]; FACTOR];
        for j in 0..n {
            let (t, p) = (j / FACTOR, j % FACTOR);
            let jf = j as f64;
            let window = n as f64;
            let w = 0.5 * (1.0 - libm::cos(2.0 * PI * jf / window));
            let m = jf - window / 2.0;
            let c = if m.abs() > 1e-6 {
                let arg = m * PI / FACTOR as f64;
                w * libm::sin(arg) / arg
            } else {
                w
            };
            taps[p][t] = c as f32;
        }
        let gain = taps
            .iter()
            .map(|phase| phase.iter().map(|c| c.abs()).sum::<f32>())
            .fold(0.0f32, f32::max);
        Interpolator { taps, gain }
    })
}

/// True peak: the largest magnitude of the signal upsampled 4×, or of the samples themselves if
/// larger.
pub fn true_peak(x: &[f32]) -> f32 {
    true_peak_of(x, &crate::pipeline::condition::block_peaks(x))
}

/// [`true_peak`] of `x`, given its [`crate::pipeline::condition::block_peaks`].
pub(crate) fn true_peak_of(x: &[f32], peaks: &[f32]) -> f32 {
    use crate::pipeline::condition::PEAK_BLOCK;
    const { assert!(BLOCK.is_multiple_of(PEAK_BLOCK)) };
    let f = interpolator();
    // The sample peak of every block; the true peak is at least the largest.
    let block_peaks: Vec<f32> = peaks
        .chunks(BLOCK / PEAK_BLOCK)
        .map(|p| p.iter().fold(0.0f32, |m, &p| m.max(p)))
        .collect();
    let Some((loudest, &sample_peak)) = block_peaks
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
    else {
        return 0.0;
    };
    let mut best = sample_peak;
    if best == 0.0 {
        return 0.0;
    }
    // The loudest block first, so the bound skips as much as it can.
    for b in std::iter::once(loudest).chain((0..block_peaks.len()).filter(|&b| b != loudest)) {
        let start = b * BLOCK;
        let end = (start + BLOCK).min(x.len());
        // This block's outputs also take the TAPS − 1 samples before it (silence before the
        // first sample). A little headroom over the bound covers the rounding of the sums.
        let history = &x[start.saturating_sub(TAPS - 1)..start];
        let reach = block_peaks[b].max(crate::pipeline::condition::peak(history));
        if reach * f.gain * 1.0001 <= best {
            continue;
        }
        let peak = if start >= TAPS - 1 {
            block_peak(&f.taps, &x[start - (TAPS - 1)..end])
        } else {
            let mut padded = [0.0f32; TAPS - 1 + BLOCK];
            padded[TAPS - 1 - start..TAPS - 1 + end - start].copy_from_slice(&x[..end]);
            block_peak(&f.taps, &padded[..TAPS - 1 + end - start])
        };
        best = best.max(peak);
    }
    best
}

/// The true-peak envelope of `x`: for each sample, the largest magnitude among the sample itself
/// and the three points the 4× interpolator of [`true_peak`] puts between it and the next one
/// (the signal is taken as silent before its start and after its end). Its largest value is the
/// true peak; a limiter that keeps every value of the envelope under a ceiling keeps the true
/// peak under it.
///
/// ```
/// let x = ringforge::signal::sine(3_000.0, 0.5, 16_000, 1_600);
/// let env = ringforge::pipeline::loudness::true_peak_envelope(&x);
/// assert_eq!(env.len(), x.len());
/// assert!(env.iter().zip(&x).all(|(e, s)| *e >= s.abs()));
/// let top = env.iter().fold(0.0f32, |m, &e| m.max(e));
/// assert!(top >= ringforge::pipeline::loudness::true_peak(&x));
/// ```
#[cfg(any(test, feature = "unstable-stages"))]
pub fn true_peak_envelope(x: &[f32]) -> Vec<f32> {
    if x.is_empty() {
        return Vec::new();
    }
    let f = interpolator();
    // Phase p of the interpolator's output n lies at n − DELAY + p/4, so the points after sample
    // k come from output k + DELAY. Outputs 0 … DELAY − 1 lie before the first sample (the
    // filter rings ahead of it): they count for sample 0.
    const DELAY: usize = TAPS / 2;
    let mut padded = vec![0.0f32; TAPS - 1 + x.len() + DELAY];
    padded[TAPS - 1..TAPS - 1 + x.len()].copy_from_slice(x);
    let mut ext = vec![0.0f32; DELAY + x.len()];
    for (e, s) in ext[DELAY..].iter_mut().zip(x) {
        *e = s.abs();
    }
    envelope_phases(&f.taps, &padded, &mut ext);
    let ahead = ext[..DELAY].iter().fold(0.0f32, |m, &e| m.max(e));
    ext.drain(..DELAY);
    ext[0] = ext[0].max(ahead);
    ext
}

/// The largest gain of the 4× interpolator: no value of [`true_peak_envelope`] exceeds the
/// largest input magnitude within [`ENVELOPE_REACH`] samples of its own times this (plus the
/// rounding of the sums, well under 0.01 %).
pub(crate) fn interpolator_gain() -> f32 {
    interpolator().gain
}

/// How far on either side of a sample the inputs of its [`true_peak_envelope`] value lie.
pub(crate) const ENVELOPE_REACH: usize = TAPS / 2;

/// Values `start .. end` of [`true_peak_envelope`]`(x)`, the same bits, computing only those:
/// a limiter that needs the envelope only around the loud parts of a tone skips the rest.
pub(crate) fn true_peak_envelope_range(x: &[f32], start: usize, end: usize) -> Vec<f32> {
    let f = interpolator();
    // Sample k's points come from the inputs x[k − 5 ..= k + 6] (see `true_peak_envelope`);
    // silence outside the signal.
    const DELAY: usize = TAPS / 2;
    let at = |i: isize| {
        usize::try_from(i)
            .ok()
            .and_then(|i| x.get(i))
            .copied()
            .unwrap_or(0.0)
    };
    let mut env: Vec<f32> = x[start..end].iter().map(|s| s.abs()).collect();
    match (start.checked_sub(TAPS - 1 - DELAY), end + DELAY) {
        // Inside the signal: its samples as they are.
        (Some(from), to) if to <= x.len() => envelope_phases(&f.taps, &x[from..to], &mut env),
        _ => {
            let from = start as isize - (TAPS - 1 - DELAY) as isize;
            let input: Vec<f32> = (from..end as isize + DELAY as isize).map(at).collect();
            envelope_phases(&f.taps, &input, &mut env);
        }
    }
    if start == 0 && !env.is_empty() {
        // The outputs the filter rings ahead of the first sample count for sample 0.
        let lead: Vec<f32> = (-((TAPS - 1) as isize)..DELAY as isize).map(at).collect();
        let mut ahead = [0.0f32; DELAY];
        envelope_phases(&f.taps, &lead, &mut ahead);
        env[0] = ahead.iter().fold(env[0], |m, &e| m.max(e));
    }
    env
}

/// Raises `env[i]` to the interpolated magnitudes of phases 1–3 of the output whose inputs are
/// `input[i .. i + TAPS]` (newest last).
fn envelope_phases(taps: &[[f32; TAPS]; FACTOR], input: &[f32], env: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX.
        return unsafe { envelope_phases_avx(taps, input, env) };
    }
    envelope_phases_portable(taps, input, env)
}

/// [`envelope_phases_portable`] compiled for AVX: the same operations in the same order (no
/// fused multiply-add), so the same values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn envelope_phases_avx(taps: &[[f32; TAPS]; FACTOR], input: &[f32], env: &mut [f32]) {
    envelope_phases_portable(taps, input, env)
}

#[inline(always)]
fn envelope_phases_portable(taps: &[[f32; TAPS]; FACTOR], input: &[f32], env: &mut [f32]) {
    // As in `block_peak_portable`: each output's sum runs over the taps in order, so every value
    // is the one `true_peak` computes for the same point. The two loops are written out twice on
    // purpose: a shared `#[inline(always)]` helper returning the lane sums made `true_peak` 60 %
    // slower (`cargo bench --bench stages -- true-peak`: 1.18 ms → 1.88 ms), its array going
    // through memory instead of registers.
    const LANES: usize = 32;
    let outputs = env.len();
    let mut n = 0;
    while n + LANES <= outputs {
        let mut top = [0.0f32; LANES];
        top.copy_from_slice(&env[n..n + LANES]);
        for phase in &taps[1..] {
            let mut acc = [0.0f32; LANES];
            for (t, &c) in phase.iter().enumerate() {
                let s = &input[n + TAPS - 1 - t..n + TAPS - 1 - t + LANES];
                for k in 0..LANES {
                    acc[k] += c * s[k];
                }
            }
            for k in 0..LANES {
                top[k] = top[k].max(acc[k].abs());
            }
        }
        env[n..n + LANES].copy_from_slice(&top);
        n += LANES;
    }
    for (i, e) in env.iter_mut().enumerate().skip(n) {
        for phase in &taps[1..] {
            let mut acc = 0.0f32;
            for (t, &c) in phase.iter().enumerate() {
                acc += c * input[i + TAPS - 1 - t];
            }
            *e = e.max(acc.abs());
        }
    }
}

/// The largest interpolated magnitude over one block (`input` holds TAPS − 1 samples of history
/// first). Phase 0 is the sample itself (its other taps are below 1e-7), which the sample peak
/// already covers; phases 1 to 3 are computed.
fn block_peak(taps: &[[f32; TAPS]; FACTOR], input: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX.
        return unsafe { block_peak_avx(taps, input) };
    }
    block_peak_portable(taps, input)
}

/// [`block_peak_portable`] compiled for AVX: the same additions and multiplications in the same
/// order (no fused multiply-add), so the result is identical, eight lanes to a register.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn block_peak_avx(taps: &[[f32; TAPS]; FACTOR], input: &[f32]) -> f32 {
    block_peak_portable(taps, input)
}

#[inline(always)]
fn block_peak_portable(taps: &[[f32; TAPS]; FACTOR], input: &[f32]) -> f32 {
    // Four registers' worth of outputs at a time: each output's sum is a chain of TAPS
    // dependent additions, so one register's worth would wait on the adder's latency; four
    // independent chains keep it busy (`cargo bench --bench stages -- measure/true-peak`, 30 s
    // at 16 kHz on AVX: about 2.0 ms with one register's worth, 1.45 ms with four).
    const LANES: usize = 32;
    let outputs = input.len() + 1 - TAPS;
    let mut peak = [0.0f32; LANES];
    let mut n = 0;
    // LANES outputs at a time, summed in registers: output n takes samples n … n + TAPS − 1 of
    // `input`, newest last, against the taps newest first.
    while n + LANES <= outputs {
        for phase in &taps[1..] {
            let mut acc = [0.0f32; LANES];
            for (t, &c) in phase.iter().enumerate() {
                let s = &input[n + TAPS - 1 - t..n + TAPS - 1 - t + LANES];
                for k in 0..LANES {
                    acc[k] += c * s[k];
                }
            }
            for k in 0..LANES {
                peak[k] = peak[k].max(acc[k].abs());
            }
        }
        n += LANES;
    }
    let mut best = peak.iter().fold(0.0f32, |m, &p| m.max(p));
    for n in n..outputs {
        for phase in &taps[1..] {
            let mut acc = 0.0f32;
            for (t, &c) in phase.iter().enumerate() {
                acc += c * input[n + TAPS - 1 - t];
            }
            best = best.max(acc.abs());
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Segments (mean squares) at these loudnesses.
    fn segments_at(lufs: &[f64]) -> Vec<f64> {
        lufs.iter().map(|&l| lufs_to_energy(l)).collect()
    }

    #[test]
    fn the_gain_to_a_target_is_judged_by_the_gates_after_it() {
        // A short tone: a soft passage, near silence, a hit. The 400 ms block in the near
        // silence lies just above the absolute gate (−70 LUFS) and counts in the mean that sets
        // the relative gate, low enough to pass the soft passage's blocks. Turned down 12 dB,
        // that block falls under the absolute gate, the relative gate rises past the soft
        // passage, and the tone is far louder than its loudness less 12 dB.
        let segments = segments_at(&[-74.4, -64.8, -23.1, -72.7, -68.8, -70.3, -60.2, -6.6]);
        let measured = gated_lufs(&segments).unwrap();
        let target = measured - 12.0;
        let naive = gated_lufs_after(&segments, -12.0).unwrap();
        assert!(naive - target > 1.0, "{naive} for {target}");
        let g = gain_to_target(&segments, target).unwrap();
        assert_eq!(g.lufs, target);
        let reached = gated_lufs_after(&segments, g.gain_db).unwrap();
        assert!(
            (reached - target).abs() <= GATE_TOLERANCE_LU,
            "{reached} for {target}"
        );
        // Where the gates pass the same blocks, the gain is the target less the loudness.
        let g = gain_to_target(&segments, measured + 1.0).unwrap();
        assert_eq!(g.gain_db, 1.0);
    }

    #[test]
    fn block_sums_side_by_side_are_those_of_one_signal_at_a_time() {
        // Five signals (two groups of lanes) of different lengths, none a whole number of
        // blocks but one: each signal's sums must be, bit for bit, those of a filter run over
        // it alone from silence, with nothing of the silence after a shorter signal counted.
        let signal = |n: usize, hz: f32| -> Vec<f32> {
            (0..n)
                .map(|i| (i as f32 * hz / 16_000.0 * std::f32::consts::TAU).sin() * 0.7)
                .collect()
        };
        let xs = vec![
            signal(700, 45.0),
            signal(64 * 9, 997.0),
            signal(65, 5_000.0),
            signal(1_999, 150.0),
            signal(130, 3_000.0),
        ];
        let one_at_a_time = |x: &[f32]| -> Vec<f64> {
            let f = k_weighting();
            let mut k = KState::<1>::SILENT;
            x.chunks(KEPT_BLOCK)
                .map(|chunk| {
                    chunk
                        .iter()
                        .map(|&s| {
                            let [y] = k.step(&f, [f64::from(s)]);
                            y * y
                        })
                        .sum()
                })
                .collect()
        };
        let sums = k_weighted_block_sums(&xs);
        assert_eq!(sums.len(), xs.len());
        for (x, s) in xs.iter().zip(&sums) {
            assert_eq!(s.len(), x.len().div_ceil(KEPT_BLOCK));
            let reference = one_at_a_time(x);
            assert!(s
                .iter()
                .zip(&reference)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
            assert!(s.iter().all(|&e| e > 0.0));
        }
        assert!(k_weighted_block_sums(&[]).is_empty());
    }

    #[test]
    fn interpolator_passes_samples_through_on_phase_zero() {
        let f = interpolator();
        // Phase 0 is the sample 6 back, exactly; the others are the sinc between.
        assert_eq!(f.taps[0][6], 1.0);
        for (t, c) in f.taps[0].iter().enumerate() {
            if t != 6 {
                assert!(c.abs() < 1e-7, "{t}: {c}");
            }
        }
        // The half-sample phase of this short filter sums to about 1.86 in magnitude.
        assert!(f.gain > 1.0 && f.gain < 2.0, "{}", f.gain);
    }

    #[test]
    fn inter_sample_peaks_are_found() {
        // A sine at fs/4 sampled at ±45°: samples at 0.707, true peak 1.0.
        let x: Vec<f32> = (0..16_000)
            .map(|i| {
                (std::f64::consts::FRAC_PI_2 * i as f64 + std::f64::consts::FRAC_PI_4).sin() as f32
            })
            .collect();
        assert!(
            (crate::pipeline::condition::peak(&x) - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-3
        );
        let tp = true_peak(&x);
        assert!((tp - 1.0).abs() < 0.02, "{tp}");
    }

    #[test]
    fn every_instruction_set_gives_the_same_peak() {
        let f = interpolator();
        let mut r = crate::pipeline::quantize::SplitMix64::new(3);
        let x: Vec<f32> = (0..1_000)
            .map(|_| (r.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0)
            .collect();
        assert_eq!(block_peak(&f.taps, &x), block_peak_portable(&f.taps, &x));
    }

    #[test]
    fn lanes_give_what_one_run_gives() {
        // 10 s of noise with a loud burst right at a lane boundary.
        let mut r = crate::pipeline::quantize::SplitMix64::new(8);
        let mut x: Vec<f32> = (0..163_200)
            .map(|_| ((r.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0) * 0.1)
            .collect();
        x[40_000 - 50..40_000 + 50]
            .iter_mut()
            .for_each(|s| *s *= 9.0);
        let f = k_weighting();
        let mut one = KState::<1>::SILENT;
        let single: Vec<f64> = x
            .chunks_exact(SEGMENT)
            .map(|seg| {
                seg.iter()
                    .map(|&s| one.step(&f, [f64::from(s)])[0].powi(2))
                    .sum::<f64>()
                    / SEGMENT as f64
            })
            .collect();
        let lanes = segment_energies(&x, &mut Discard);
        assert_eq!(lanes.len(), single.len());
        for (i, (a, b)) in lanes.iter().zip(&single).enumerate() {
            assert!((a - b).abs() <= 1e-12 * b, "segment {i}: {a} vs {b}");
        }
        // Keeping the blocks' energies changes nothing, and they are the signal's filtered
        // (the signal has segments after the lanes' stretches too).
        let kept = k_weighted(&x);
        assert_eq!(kept.segments, lanes);
        let blocks = lanes.len() * SEGMENT / KEPT_BLOCK;
        assert_eq!(kept.energies.len(), blocks);
        let mut one = KState::<1>::SILENT;
        let filtered: Vec<f64> = x.iter().map(|&s| one.step(&f, [f64::from(s)])[0]).collect();
        for b in 0..blocks {
            let want = &filtered[b * KEPT_BLOCK..(b + 1) * KEPT_BLOCK];
            let energy: f64 = want.iter().map(|y| y * y).sum();
            let got = kept.energies[b];
            assert!(
                (got - energy).abs() <= 1e-9 * energy,
                "block {b}: {got} vs {energy}"
            );
        }
    }

    #[test]
    fn the_envelope_peaks_where_the_true_peak_is() {
        // Noise and the fs/4 sine sampled at ±45°: the envelope holds every inter-sample peak.
        let mut r = crate::pipeline::quantize::SplitMix64::new(5);
        let noise: Vec<f32> = (0..5_000)
            .map(|_| ((r.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0) * 0.5)
            .collect();
        let sine: Vec<f32> = (0..4_000)
            .map(|i| {
                (std::f64::consts::FRAC_PI_2 * i as f64 + std::f64::consts::FRAC_PI_4).sin() as f32
            })
            .collect();
        for x in [noise, sine] {
            let env = true_peak_envelope(&x);
            let top = env.iter().fold(0.0f32, |m, &e| m.max(e));
            // The envelope also sees the points after the last sample, which `true_peak` leaves
            // out; away from the ends the two agree exactly.
            let inner = env[..env.len() - 8].iter().fold(0.0f32, |m, &e| m.max(e));
            assert!(top >= true_peak(&x));
            assert!(inner <= true_peak(&x));
            assert!(env.iter().zip(&x).all(|(e, s)| *e >= s.abs()));
        }
        let f = interpolator();
        let x: Vec<f32> = (0..300)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 60.0)
            .collect();
        let mut a: Vec<f32> = x[..280].iter().map(|s| s.abs()).collect();
        let mut b = a.clone();
        envelope_phases(&f.taps, &x, &mut a);
        envelope_phases_portable(&f.taps, &x, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn silence_and_short_signals() {
        assert_eq!(true_peak(&[]), 0.0);
        assert_eq!(true_peak(&[0.0; 100]), 0.0);
        assert_eq!(integrated_lufs(&[0.0; 32_000]), None);
        assert_eq!(integrated_lufs(&[0.5; 6_399]), None);
        assert!(true_peak(&[0.25]) >= 0.25);
    }
}
