//! The true-peak limiter of loudness normalisation, sparse: it works only where a peak can reach
//! the ceiling.
//!
//! The limiter's gain is 1 minus a reduction `u`: at a peak, the reduction the peak needs (held
//! over the look-ahead), between peaks a release `u·a` per sample; then two trailing moving
//! averages of half the look-ahead each smooth it into an S-curve. Where no peak lies within the
//! look-ahead, the reduction is a plain exponential, and two moving averages of an exponential
//! are that exponential times a constant (`K²` below): the curve there is known in closed form,
//! one number per block. So the work follows the peaks:
//!
//! - the true-peak envelope (the 4× interpolation [`crate::pipeline::loudness::true_peak`] measures) is
//!   computed only in blocks whose sample peak, times the interpolator's largest gain, can exceed
//!   the lowest threshold the search asks for;
//! - the curve is computed sample by sample only in blocks with a peak over the threshold (and
//!   the block after each); every other block is one starting reduction;
//! - the loudness after any gain is estimated without filtering again: the meter's one
//!   filtering of the source also keeps the K-weighted signal and, per block, three sums of its
//!   squares, from which the closed form gives the K-weighted energy any release keeps; near
//!   peaks the curve is applied to the K-weighted samples. Last, the blocks where the curve
//!   moves fast are filtered for real (`Limiter::check`).

use super::{db_to_gain, dither_margin, gain_to_db, loudness_gain, Dither};
use crate::pipeline::loudness::{
    gated_lufs, interpolator_gain, k_weighted, k_weighted_sums, true_peak_envelope_range,
    KWeighted, ENVELOPE_REACH, KEPT_BLOCK,
};
use crate::pipeline::resample::TARGET_RATE;

/// Look-ahead of the true-peak limiter, in samples at 16 kHz (4 ms): the gain starts to fall this
/// long before a peak and reaches the level the peak needs just as it arrives, along an S-curve
/// (two moving averages of half the look-ahead each), so no peak gets through and the attack
/// does not click.
pub const LIMITER_LOOKAHEAD_SAMPLES: usize = 64;

/// Release of the true-peak limiter, in seconds: after a peak (held for the look-ahead) the gain
/// reduction fades with this time constant.
pub const LIMITER_RELEASE_SECONDS: f64 = 0.1;

/// Most gain reduction the limiter may apply to reach a loudness target, in dB. A source that
/// would need more (clicks, a lone spike in near silence) is not limited at all: it gets the
/// gain the true-peak ceiling allows, as without the limiter, and
/// [`crate::Warning::LoudnessLimited`] says it stays short of the target. Beyond this the
/// limiter would flatten the sound.
pub const MAX_LIMITING_DB: f64 = 12.0;

/// Limiting of more than this many dB raises [`crate::Warning::HeavyLimiting`]: 6 dB of peak
/// reduction is where limiting starts to be heard on music.
pub const HEAVY_LIMITING_DB: f64 = 6.0;

/// A sample counts as limited ([`crate::Limiting::limited_share`]) when the limiter lowers it
/// by more than this many dB.
pub const LIMITED_SAMPLE_DB: f64 = 0.1;

/// How far below the true-peak ceiling the limiter keeps the peaks, in dB. Meters disagree on
/// the inter-sample peaks of 16 kHz audio: ffmpeg's `ebur128` filter, which upsamples to
/// 192 kHz with its own resampler, reads a 5 kHz sine at −6.02 dBFS as −5.1 dBFS where the
/// BS.1770 4× interpolator (ours) reads −5.7, and it read the limited tones of the test
/// material (`tests/fixtures/loudness/`) up to 0.17 dB higher than ours: with a margin of
/// 0.2 dB the orchestral piece read −1.03 dBTP against a −1 dBTP ceiling, with 0.1 dB −0.93.
/// Half a dB below the ceiling by our meter keeps every fixture and asset under the ceiling on
/// such a meter too (not hits with their energy at 6–7 kHz, which it reads up to 0.85 dB
/// higher than ours).
pub const LIMITER_MARGIN_DB: f64 = 0.5;

/// Estimated loudness within this many LU of the target ends the search for the make-up gain.
const LIMITER_TOLERANCE_LU: f64 = 0.02;

/// A tone the limiter at its cap ([`MAX_LIMITING_DB`]) would leave more than this many LU
/// short of the target gets the gain alone instead.
const LIMITER_FALLBACK_LU: f64 = 0.15;

/// A checked loudness ([`Limiter::check`]) within this many LU of the target ends the rounds
/// of [`Limiter::settle`] (the promise is ±0.5 LU).
const LIMITER_ROUND_TOLERANCE_LU: f64 = 0.1;

/// Rounds of search and check at most.
const LIMITER_ROUNDS: usize = 3;

/// Blocks of the limited signal [`Limiter::check`] filters before a stretch it measures, for
/// the K-weighting to settle from silence: 640 samples, after which the slowest pole (0.985 per
/// sample) leaves under 0.1 % of the difference.
const SETTLE_BLOCKS: usize = 10;

/// Most estimates of the loudness the search for the make-up gain makes.
const LIMITER_MAX_STEPS: usize = 12;

/// Samples per block: the unit of the sparse work, the look-ahead long (so the look-ahead of a
/// sample reaches at most into the next block, and its smoothing back into the one before).
const BLOCK: usize = LIMITER_LOOKAHEAD_SAMPLES;
const _: () = assert!(BLOCK == KEPT_BLOCK);

/// Samples per 100 ms loudness segment: 25 blocks.
const SEGMENT: usize = TARGET_RATE as usize / 10;

/// Length of each of the two moving averages: together they reach back the look-ahead.
const W: usize = LIMITER_LOOKAHEAD_SAMPLES / 2 + 1;

/// Below this reduction the gain rounds to exactly 1 in `f32` (`1 − r` with `r < 2⁻²⁵` rounds
/// to 1, and the product `r` in `f32` is within a part in 2²³ of it), so a block whose
/// reduction starts under it is the gain alone.
const NO_REDUCTION: f64 = 1.0 / (1u64 << 26) as f64;

/// The gain curve of a look-ahead peak limiter: for each sample, a gain in (0, 1] such that
/// `env[i] × gain[i] ≤ threshold` wherever `env` (a true-peak envelope, see
/// [`crate::pipeline::loudness::true_peak_envelope`]) goes over `threshold`, falling smoothly over
/// [`LIMITER_LOOKAHEAD_SAMPLES`] before each peak and recovering with
/// [`LIMITER_RELEASE_SECONDS`] after it. A signal that never exceeds the threshold gets gain 1
/// throughout. (This is the curve [`normalize_loudness_limited`] applies, for the whole signal.)
///
/// ```
/// use ringforge::pipeline::condition::{limiter_gain, LIMITER_LOOKAHEAD_SAMPLES};
/// let mut env = vec![0.25f32; 4_000];
/// env[2_000] = 1.0; // one peak, 6 dB over a threshold of 0.5
/// let g = limiter_gain(&env, 0.5);
/// assert!(g[2_000] * env[2_000] <= 0.5);
/// assert_eq!(g[2_000 - LIMITER_LOOKAHEAD_SAMPLES - 1], 1.0); // untouched before the look-ahead
/// assert!(g[2_100] < 1.0 && g[3_999] > g[2_100]); // then it recovers
/// ```
#[cfg(any(test, feature = "unstable-stages"))]
pub fn limiter_gain(env: &[f32], threshold: f32) -> Vec<f32> {
    let reach = Reach::from_envelope(env);
    let curve = Curve::new(&reach, threshold);
    (0..env.len()).map(|i| curve.at(i)).collect()
}

/// The look-ahead peaks of a true-peak envelope, kept only in the blocks where they may matter:
/// `reach(i)` is the largest envelope value in `i ..= i + LIMITER_LOOKAHEAD_SAMPLES`, exact
/// wherever it exceeds `floor`, and 0 in blocks not stored (where it is at most `floor`).
struct Reach {
    len: usize,
    /// Per block: where its values are in `values`, if stored.
    index: Vec<Option<u32>>,
    values: Vec<[f32; BLOCK]>,
    /// Per block: its largest value (0 if not stored).
    top: Vec<f32>,
    /// Per block: a bound on its envelope (the largest input magnitude it takes, times the
    /// interpolator's largest gain), and whether its envelope has been computed.
    bound: Vec<f32>,
    computed: Vec<bool>,
    floor: f32,
}

impl Reach {
    /// From a whole envelope (every block stored).
    #[cfg(any(test, feature = "unstable-stages"))]
    fn from_envelope(env: &[f32]) -> Reach {
        let mut r = Reach::empty(env.len(), 0.0);
        if !env.is_empty() {
            r.add(0, env);
        }
        r.computed.iter_mut().for_each(|c| *c = true);
        r
    }

    fn empty(len: usize, floor: f32) -> Reach {
        let blocks = len.div_ceil(BLOCK);
        Reach {
            len,
            index: vec![None; blocks],
            values: Vec::new(),
            top: vec![0.0; blocks],
            bound: vec![f32::INFINITY; blocks],
            computed: vec![false; blocks],
            floor,
        }
    }

    /// Stores the look-ahead peaks of the envelope values `env` of blocks `first ..` (`env`
    /// block-aligned, the envelope taken as 0 after it), in the block before too.
    fn add(&mut self, first: usize, env: &[f32]) {
        const { assert!(LIMITER_LOOKAHEAD_SAMPLES == BLOCK) };
        let from = first.saturating_sub(1);
        // Block `b` of the envelope, 0 outside `env`.
        let env_block = |b: usize| {
            let mut out = [0.0f32; BLOCK];
            if let Some(k) = b.checked_sub(first) {
                let chunk = env.chunks(BLOCK).nth(k).unwrap_or(&[]);
                out[..chunk.len()].copy_from_slice(chunk);
            }
            out
        };
        let blocks = first + env.len().div_ceil(BLOCK);
        let mut next = env_block(from);
        for b in from..blocks {
            let this = next;
            next = env_block(b + 1);
            // Sample j's look-ahead is this block from j on and the next one up to j. (A
            // plain comparison, not `f32::max`: one instruction, and envelopes hold no NaN.)
            let larger = |a: f32, b: f32| if b > a { b } else { a };
            let mut block = [0.0f32; BLOCK];
            let mut tail = 0.0f32;
            for j in (0..BLOCK).rev() {
                tail = larger(tail, this[j]);
                block[j] = tail;
            }
            let mut head = 0.0f32;
            for (r, &e) in block.iter_mut().zip(&next) {
                head = larger(head, e);
                *r = larger(*r, head);
            }
            // The block's largest: all of this block and of the next.
            let mut top = larger(block[0], block[BLOCK - 1]);
            match self.index[b] {
                // A block before `first` stored from an earlier run: both are exact where they
                // matter, so the larger is.
                Some(at) => {
                    let old = &mut self.values[at as usize];
                    old.iter_mut()
                        .zip(&block)
                        .for_each(|(o, &v)| *o = larger(*o, v));
                    top = larger(top, self.top[b]);
                }
                None => {
                    self.index[b] = Some(self.values.len() as u32);
                    self.values.push(block);
                }
            }
            self.top[b] = top;
        }
    }

    /// The look-ahead peaks of `x`'s true-peak envelope wherever they may exceed `floor`.
    fn of_signal(x: &[f32], floor: f32) -> Reach {
        let mut r = Reach::empty(x.len(), f32::INFINITY);
        let peaks: Vec<f32> = x.chunks(BLOCK).map(super::peak).collect();
        let gain = interpolator_gain() * 1.001;
        // A block's envelope takes inputs up to ENVELOPE_REACH samples into its neighbours.
        const { assert!(ENVELOPE_REACH < BLOCK) };
        for (b, bound) in r.bound.iter_mut().enumerate() {
            let lo = b.saturating_sub(1);
            let hi = (b + 2).min(peaks.len());
            *bound = peaks[lo..hi].iter().fold(0.0f32, |m, &p| m.max(p)) * gain;
        }
        r.extend(x, floor);
        r
    }

    /// Makes the look-ahead peaks exact wherever they exceed `floor` too: computes the envelope
    /// of every block whose bound exceeds `floor` that has none yet.
    fn extend(&mut self, x: &[f32], floor: f32) {
        if floor >= self.floor {
            return;
        }
        self.floor = floor;
        let blocks = self.bound.len();
        let new: Vec<_> = runs(blocks, |b| !self.computed[b] && self.bound[b] > floor).collect();
        for run in new {
            let (first, b) = (run.start, run.end);
            // The last new block's look-ahead reaches into the next one: computed before, it
            // is computed again, and the larger values kept (both exact where they matter).
            let end = if b < blocks && self.computed[b] {
                b + 1
            } else {
                b
            };
            let env = true_peak_envelope_range(x, first * BLOCK, (end * BLOCK).min(x.len()));
            self.add(first, &env);
            self.computed[first..end].iter_mut().for_each(|c| *c = true);
        }
    }

    fn at(&self, i: usize) -> f32 {
        self.block(i / BLOCK).map_or(0.0, |v| v[i % BLOCK])
    }

    /// Block `b`'s values, if stored.
    fn block(&self, b: usize) -> Option<&[f32; BLOCK]> {
        self.index[b].map(|k| &self.values[k as usize])
    }
}

/// The longest runs `first..end` of blocks `0..blocks` for which `keep` holds, in order: the
/// stretches the sparse work visits.
fn runs(
    blocks: usize,
    mut keep: impl FnMut(usize) -> bool,
) -> impl Iterator<Item = std::ops::Range<usize>> {
    let mut b = 0;
    std::iter::from_fn(move || {
        while b < blocks && !keep(b) {
            b += 1;
        }
        let first = b;
        while b < blocks && keep(b) {
            b += 1;
        }
        (first < b).then_some(first..b)
    })
}

/// The limiter's gain curve for one threshold, block by block: a block near a peak holds its
/// gains; any other block's gains are `1 − K²·u·aʲ` from its starting reduction `u`.
struct Curve {
    /// Per block: its gains in `explicit`, or its starting reduction.
    blocks: Vec<BlockCurve>,
    explicit: Vec<[f32; BLOCK]>,
    len: usize,
    threshold: f32,
    release: &'static Release,
}

#[derive(Clone, Copy)]
enum BlockCurve {
    Explicit(u32),
    Release(f64),
}

/// The release's constants.
struct Release {
    /// The reduction's factor per sample.
    a: f64,
    /// `a^j` for `j` in a block.
    powers: [f64; BLOCK],
    /// The same in `f32`, for the release's gains ([`Release::gain`]).
    powers_f32: [f32; BLOCK],
    /// What the two moving averages make of an exponential release: `K²`,
    /// `K = (1 + a⁻¹ + … + a^-(W−1)) / W`.
    k2: f64,
}

fn release() -> &'static Release {
    static RELEASE: std::sync::OnceLock<Release> = std::sync::OnceLock::new();
    RELEASE.get_or_init(|| {
        let a = libm::exp(-1.0 / (LIMITER_RELEASE_SECONDS * f64::from(TARGET_RATE)));
        let mut powers = [1.0f64; BLOCK];
        for j in 1..BLOCK {
            powers[j] = powers[j - 1] * a;
        }
        let k = (0..W).map(|j| libm::pow(a, -(j as f64))).sum::<f64>() / W as f64;
        Release {
            a,
            powers,
            powers_f32: powers.map(|p| p as f32),
            k2: k * k,
        }
    })
}

impl Release {
    /// The gains of a release block that starts at reduction `u0`: `1 − K²·u0·aʲ`, in `f32`
    /// (they vectorise; the search estimates them in `f64`, to far less than it needs).
    fn gain(&self, u0: f64, j: usize) -> f32 {
        1.0 - (self.k2 * u0) as f32 * self.powers_f32[j]
    }

    /// Whether a release block that starts at reduction `u0` is the gain alone: `1 − r` rounds
    /// to exactly 1 in `f32` for `r < 2⁻²⁵`.
    fn is_gain_alone(&self, u0: f64) -> bool {
        self.k2 * u0 < NO_REDUCTION
    }
}

impl Curve {
    fn new(reach: &Reach, threshold: f32) -> Curve {
        let rel = release();
        let n_blocks = reach.top.len();
        let need = |i: usize| {
            let r = reach.at(i);
            if r > threshold {
                1.0 - f64::from(threshold / r)
            } else {
                0.0
            }
        };
        let peaked: Vec<bool> = reach.top.iter().map(|&t| t > threshold).collect();
        let mut blocks = Vec::with_capacity(n_blocks);
        let mut explicit = Vec::new();
        // A peak within the look-ahead of the very start holds the gain down from the start:
        // the averages count the samples before it as needing what the first one needs.
        let before = if reach.len > 0 { need(0) } else { 0.0 };
        // The reductions of the last block (before the first: `before`), and the last one.
        let mut last = [before; BLOCK];
        let mut last_release: Option<f64> = None;
        let mut u = before;
        for b in 0..n_blocks {
            let start = b * BLOCK;
            let len = BLOCK.min(reach.len - start);
            let near_peak = peaked[b] || (b > 0 && peaked[b - 1]) || (b == 0 && before > 0.0);
            if !near_peak {
                let u0 = u * rel.a;
                blocks.push(BlockCurve::Release(u0));
                last_release = Some(u0);
                u = u0 * rel.powers[BLOCK - 1];
                continue;
            }
            // The reductions of the block before, then this block's, sample by sample.
            let mut window = [0.0f64; 2 * BLOCK];
            match last_release.take() {
                Some(u0) => {
                    for (w, p) in window[..BLOCK].iter_mut().zip(&rel.powers) {
                        *w = u0 * p;
                    }
                }
                None => window[..BLOCK].copy_from_slice(&last),
            }
            let values = reach.block(b);
            for j in 0..BLOCK {
                if j < len {
                    let r = values.map_or(0.0, |v| v[j]);
                    let need = if r > threshold {
                        1.0 - f64::from(threshold / r)
                    } else {
                        0.0
                    };
                    u = (u * rel.a).max(need);
                }
                window[BLOCK + j] = u;
            }
            last.copy_from_slice(&window[BLOCK..]);
            let mut gains = [1.0f32; BLOCK];
            smooth(&window, &mut gains);
            blocks.push(BlockCurve::Explicit(explicit.len() as u32));
            explicit.push(gains);
        }
        Curve {
            blocks,
            explicit,
            len: reach.len,
            threshold,
            release: rel,
        }
    }

    #[cfg(any(test, feature = "unstable-stages"))]
    fn at(&self, i: usize) -> f32 {
        let j = i % BLOCK;
        match self.blocks[i / BLOCK] {
            BlockCurve::Explicit(k) => self.explicit[k as usize][j],
            BlockCurve::Release(u0) => self.release.gain(u0, j),
        }
    }

    /// Writes `x · gain · curve` into `x`.
    fn apply(&self, x: &mut [f32], gain_db: f64) {
        let g = db_to_gain(gain_db) as f32;
        for (b, chunk) in x.chunks_mut(BLOCK).enumerate() {
            let factors = self.factors(b, g);
            chunk.iter_mut().zip(&factors).for_each(|(s, f)| *s *= f);
        }
    }

    /// What [`Curve::apply`] multiplies block `b` by, the gain `g` included.
    fn factors(&self, b: usize, g: f32) -> [f32; BLOCK] {
        match self.blocks[b] {
            BlockCurve::Release(u0) if self.release.is_gain_alone(u0) => [g; BLOCK],
            BlockCurve::Release(u0) => {
                let v = (self.release.k2 * u0) as f32;
                self.release.powers_f32.map(|p| g * (1.0 - v * p))
            }
            BlockCurve::Explicit(k) => self.explicit[k as usize].map(|c| g * c),
        }
    }

    /// What the curve does; `None` when it does nothing.
    fn stats(&self) -> Option<crate::Limiting> {
        let limited = db_to_gain(-LIMITED_SAMPLE_DB) as f32;
        let mut lowest = 1.0f32;
        let mut count = 0usize;
        for (b, block) in self.blocks.iter().enumerate() {
            let len = BLOCK.min(self.len - b * BLOCK);
            match *block {
                BlockCurve::Release(u0) if self.release.is_gain_alone(u0) => {}
                BlockCurve::Release(u0) => {
                    // A release only rises: the lowest gain is the first, and the samples
                    // limited are the ones before it first reaches `limited`.
                    let gain = |j: usize| self.release.gain(u0, j);
                    lowest = lowest.min(gain(0));
                    let (mut below, mut above) = (0, len);
                    while below < above {
                        let mid = (below + above) / 2;
                        if gain(mid) < limited {
                            below = mid + 1;
                        } else {
                            above = mid;
                        }
                    }
                    count += below;
                }
                BlockCurve::Explicit(k) => {
                    for &g in &self.explicit[k as usize][..len] {
                        lowest = lowest.min(g);
                        count += usize::from(g < limited);
                    }
                }
            }
        }
        (lowest < 1.0).then(|| crate::Limiting {
            max_reduction_db: -gain_to_db(f64::from(lowest)),
            limited_share: count as f64 / self.len as f64,
        })
    }
}

/// The gains of one block from the reductions of the block before and of this one: one minus
/// two trailing moving averages of [`W`] samples.
fn smooth(window: &[f64; 2 * BLOCK], gains: &mut [f32; BLOCK]) {
    // m1[k] averages window[k − W + 1 ..= k]; the gains need it for k in BLOCK − W + 1 ..
    let first = BLOCK - (W - 1);
    let mut m1 = [0.0f64; 2 * BLOCK];
    let mut sum: f64 = window[first - (W - 1)..first].iter().sum();
    for k in first..2 * BLOCK {
        sum += window[k];
        m1[k] = sum / W as f64;
        sum -= window[k + 1 - W];
    }
    let mut sum: f64 = m1[BLOCK - (W - 1)..BLOCK].iter().sum();
    for (j, g) in gains.iter_mut().enumerate() {
        let k = BLOCK + j;
        sum += m1[k];
        *g = (1.0 - sum / W as f64).clamp(0.0, 1.0) as f32;
        sum -= m1[k + 1 - W];
    }
}

/// What loudness normalisation with the limiter did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LimitedLoudness {
    /// Gain applied to the whole tone, in dB (the limiter's reduction comes on top).
    pub gain_db: f64,
    /// Loudness measured before normalising, in LUFS.
    pub measured_lufs: f64,
    /// Loudness of the normalised tone, in LUFS: estimated from the K-weighted source, and
    /// measured where the limiter's curve moves fast (within a few hundredths of an LU).
    pub reached_lufs: f64,
    /// What the limiter did; `None` when the gain alone reached the target under the ceiling.
    pub limiting: Option<crate::Limiting>,
    /// Whether the target needed more than [`MAX_LIMITING_DB`] of limiting, so the tone stays
    /// quieter than the target (and, when `limiting` is `None`, got the gain alone).
    pub capped: bool,
}

impl LimitedLoudness {
    /// The warnings this normalisation raises: [`crate::Warning::LoudnessLimited`] when the
    /// target was not reached, [`crate::Warning::HeavyLimiting`] when the limiter took more than
    /// [`HEAVY_LIMITING_DB`] off the peaks.
    pub fn warnings(&self, target_lufs: f64, ceiling_dbtp: f64) -> Vec<crate::Warning> {
        let mut out = Vec::new();
        if let Some(l) = self
            .limiting
            .filter(|l| l.max_reduction_db > HEAVY_LIMITING_DB)
        {
            out.push(crate::Warning::HeavyLimiting {
                max_reduction_db: l.max_reduction_db,
                limited_share: l.limited_share,
                target_lufs,
            });
        }
        if self.capped {
            out.push(crate::Warning::LoudnessLimited {
                target_lufs,
                reached_lufs: self.reached_lufs,
                ceiling_dbtp,
            });
        }
        out
    }
}

/// Brings `x` to `target_lufs` integrated loudness with its true peak at most `ceiling_dbtp`
/// (less [`LIMITER_MARGIN_DB`]) once quantized with `dither`: a gain, and where that gain would
/// put the true peak over the ceiling, a look-ahead limiter ([`limiter_gain`]) working on the
/// true-peak envelope — the same 4× interpolation [`crate::pipeline::loudness::true_peak`] measures.
/// Limiting lowers the loudness, so the make-up gain is searched for (a secant search on the
/// loudness estimated from the K-weighted source, segment by segment, the curve applied to it);
/// the loudness is then checked by filtering the limited signal where the curve moves fast, and
/// the search aimed again by the miss if it is over 0.1 LU (at most three rounds); last, the
/// true peak is checked where the limiter worked (and the whole tone lowered by the last
/// fraction of a dB if the limited gain let one through). A tone out
/// of the limiter's reach ([`MAX_LIMITING_DB`]) gets the gain alone, up to the ceiling less
/// [`LIMITER_MARGIN_DB`]. The work follows the peaks (see the module notes):
/// a tone with a few loud moments costs little more than the gain alone. Bounded and
/// deterministic: the same input gives the same samples on every machine.
///
/// `None` when the loudness cannot be measured (shorter than 400 ms, or silent); `x` is then
/// untouched.
///
/// ```
/// use ringforge::pipeline::condition::{normalize_loudness_limited, HEAVY_LIMITING_DB, LIMITER_MARGIN_DB};
/// use ringforge::pipeline::loudness;
/// use ringforge::Dither;
/// // Quiet music-like material with one loud hit: −16 LUFS would put the hit far over −1 dBTP.
/// let mut x = ringforge::signal::sine(440.0, 0.02, 16_000, 48_000);
/// x.iter_mut().skip(24_000).take(800).for_each(|s| *s *= 10.0);
/// let n = normalize_loudness_limited(&mut x, -16.0, -1.0, Dither::Tpdf).unwrap();
/// let m = loudness::measure(&x);
/// assert!((m.integrated_lufs.unwrap() + 16.0).abs() < 0.2);
/// assert!(m.true_peak_dbtp().unwrap() <= -1.0 - LIMITER_MARGIN_DB);
/// assert!(n.limiting.unwrap().max_reduction_db > HEAVY_LIMITING_DB);
/// ```
pub fn normalize_loudness_limited(
    x: &mut [f32],
    target_lufs: f64,
    ceiling_dbtp: f64,
    dither: Dither,
) -> Option<LimitedLoudness> {
    if x.len() < super::MIN_LOUDNESS_SAMPLES {
        return None;
    }
    let rel = release();
    let k = k_weighted(x, [rel.powers, rel.powers.map(|p| p * p)]);
    let measured = gated_lufs(&k.segments)?;
    let true_peak = f64::from(crate::pipeline::loudness::true_peak(x));
    // The margin for other meters, room for the dither's ±1 LSB and one more for the rounding
    // to 16 bits (as for the gain alone in `loudness_gain`).
    let ceiling = db_to_gain(ceiling_dbtp - LIMITER_MARGIN_DB)
        - f64::from(dither_margin(dither))
        - 1.0 / 32_768.0;
    let wanted = target_lufs - measured;
    if true_peak * db_to_gain(wanted) <= ceiling {
        super::apply_gain(x, wanted);
        return Some(LimitedLoudness {
            gain_db: wanted,
            measured_lufs: measured,
            reached_lufs: target_lufs,
            limiting: None,
            capped: false,
        });
    }
    // The gain at which the limiter's deepest reduction reaches the cap.
    let most = gain_to_db(ceiling / true_peak) + MAX_LIMITING_DB;
    let mut lim = Limiter::new(x, ceiling, k, wanted);
    let found = lim.search(x, wanted, most, target_lufs);
    if found.gain_db >= most && found.lufs < target_lufs - LIMITER_FALLBACK_LU {
        // Out of the limiter's reach: the gain alone, up to the ceiling (less the margin for
        // other meters), as without the limiter.
        let g = loudness_gain(x, target_lufs, ceiling_dbtp - LIMITER_MARGIN_DB, dither)?;
        super::apply_gain(x, g.gain_db);
        return Some(LimitedLoudness {
            gain_db: g.gain_db,
            measured_lufs: measured,
            reached_lufs: measured + g.gain_db,
            limiting: None,
            capped: true,
        });
    }
    let (Found { gain_db, curve, .. }, reached) = lim.settle(x, found, (wanted, most), target_lufs);
    curve.apply(x, gain_db);
    let capped = gain_db >= most && reached < target_lufs - LIMITER_TOLERANCE_LU;
    // The limited gain varies, so interpolated peaks may move by a hair: check where the
    // limiter worked, and lower the whole tone by what is over.
    let mut applied = gain_db;
    let mut reached = reached;
    let tp = lim.peak_after(x, &curve);
    if tp > ceiling {
        let g = gain_to_db(ceiling / tp);
        super::apply_gain(x, g);
        applied += g;
        reached += g;
    }
    Some(LimitedLoudness {
        gain_db: applied,
        measured_lufs: measured,
        reached_lufs: reached,
        limiting: curve.stats(),
        capped,
    })
}

/// The limiter's view of one tone: the look-ahead peaks of its true-peak envelope where they
/// may matter, its per-segment K-weighted energies, and per block the sums from which the
/// energy any curve keeps follows.
struct Limiter {
    reach: Reach,
    ceiling: f32,
    /// The source K-weighted: its segments' mean squares, per block its energy and the sums
    /// from which the energy any curve keeps follows (`Σ k²`, `Σ k²·aʲ`, `Σ k²·a²ʲ`), and its
    /// samples.
    k: KWeighted,
}

impl Limiter {
    fn new(x: &[f32], ceiling: f64, mut k: KWeighted, wanted: f64) -> Limiter {
        k.sum_blocks();
        let mut lim = Limiter {
            reach: Reach::empty(0, 0.0),
            ceiling: ceiling as f32,
            k,
        };
        lim.reach = Reach::of_signal(x, lim.floor_for(wanted));
        lim
    }

    fn threshold(&self, gain_db: f64) -> f32 {
        (f64::from(self.ceiling) / db_to_gain(gain_db)) as f32
    }

    /// The envelope floor to compute for a search that asks for `gain_db`: a hair under its
    /// threshold, for [`Limiter::peak_after`].
    fn floor_for(&self, gain_db: f64) -> f32 {
        self.threshold(gain_db) * 0.999
    }

    /// Makes the look-ahead peaks exact above the threshold of `gain_db`.
    fn cover(&mut self, x: &[f32], gain_db: f64) {
        let floor = self.floor_for(gain_db);
        self.reach.extend(x, floor);
    }

    /// The loudness of the source after `gain_db` and the limiter's `curve`: each segment's
    /// K-weighted energy scaled by the share of it the curve keeps, the curve applied to the
    /// K-weighted source. That is the meter's reading but for the order of the two (the
    /// filter of the curve's product, against the curve times the filtered source), which the
    /// curve's slow changes make a few thousandths of an LU (`tests/loudness.rs`).
    fn estimate(&self, gain_db: f64, curve: &Curve) -> f64 {
        self.loudness(gain_db, curve, &[])
    }

    /// [`Limiter::estimate`], taking the K-weighted energy of block `b` (in units of the
    /// source's) from `measured[b]` where that is known.
    fn loudness(&self, gain_db: f64, curve: &Curve, measured: &[Option<f64>]) -> f64 {
        let g2 = db_to_gain(2.0 * gain_db);
        let k2 = curve.release.k2;
        let per_segment = SEGMENT / BLOCK;
        let segments: Vec<f64> = self
            .k
            .segments
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                let (mut power, mut kept) = (0.0f64, 0.0f64);
                for b in i * per_segment..(i + 1) * per_segment {
                    let [p, m1, m2] = self.k.moments[b];
                    power += p;
                    kept += match (measured.get(b).copied().flatten(), curve.blocks[b]) {
                        (Some(e), _) => e,
                        (None, BlockCurve::Release(u0)) => {
                            let v = k2 * u0;
                            p - 2.0 * v * m1 + v * v * m2
                        }
                        (None, BlockCurve::Explicit(k)) => self
                            .k
                            .block(b)
                            .iter()
                            .zip(&curve.explicit[k as usize])
                            .map(|(&s, &c)| {
                                let v = f64::from(s * c);
                                v * v
                            })
                            .sum(),
                    };
                }
                if power == 0.0 {
                    w * g2
                } else {
                    w * g2 * (kept / power).max(0.0)
                }
            })
            .collect();
        gated_lufs(&segments).unwrap_or(f64::NEG_INFINITY)
    }

    /// The true peak of the limited tone `y` wherever it may exceed the ceiling (elsewhere a
    /// value at most the ceiling): in the blocks where the curve moves fast (around peaks) and
    /// where the source's envelope comes within 0.01 dB of the threshold, with a block either
    /// side. Everywhere else the envelope stays 0.01 dB under the threshold and the gain
    /// changes too slowly to lift an interpolated peak by as much.
    fn peak_after(&self, y: &[f32], curve: &Curve) -> f64 {
        let t = curve.threshold * 0.999;
        let blocks = curve.blocks.len();
        let hot =
            |b: usize| matches!(curve.blocks[b], BlockCurve::Explicit(_)) || self.reach.top[b] > t;
        let near = |b: usize| (b.saturating_sub(1)..(b + 2).min(blocks)).any(hot);
        let mut best = 0.0f32;
        for run in runs(blocks, near) {
            let env =
                true_peak_envelope_range(y, run.start * BLOCK, (run.end * BLOCK).min(y.len()));
            best = env.iter().fold(best, |m, &e| m.max(e));
        }
        f64::from(best)
    }

    /// The loudness of the source after `gain_db` and `curve` as a meter reads it, to about
    /// 0.01 LU: [`Limiter::estimate`], except in the blocks where the curve moves fast (the
    /// explicit ones and the block after each), whose K-weighted energy is measured: the limited
    /// signal there is filtered, from [`SETTLE_BLOCKS`] before each stretch of them. Limiting a
    /// low hit over and over (a timpani roll) modulates it inside the K-weighting's memory,
    /// where the estimate errs most.
    fn check(&self, x: &[f32], gain_db: f64, curve: &Curve) -> f64 {
        let g = db_to_gain(gain_db) as f32;
        let g2 = f64::from(g) * f64::from(g);
        let blocks = curve.blocks.len();
        let explicit = |b: usize| matches!(curve.blocks[b], BlockCurve::Explicit(_));
        let fast = |b: usize| explicit(b) || (b > 0 && explicit(b - 1));
        let mut measured = vec![None; blocks];
        let mut limited = Vec::new();
        for run in runs(blocks, fast) {
            let (first, b) = (run.start, run.end);
            let from = first.saturating_sub(SETTLE_BLOCKS);
            limited.clear();
            for c in from..b {
                let factors = curve.factors(c, g);
                let source = &x[c * BLOCK..((c + 1) * BLOCK).min(x.len())];
                limited.extend(source.iter().zip(&factors).map(|(&s, &f)| s * f));
            }
            let sums = k_weighted_sums(&limited, BLOCK);
            for c in first..b {
                measured[c] = Some(sums[c - from] / g2);
            }
        }
        self.loudness(gain_db, curve, &measured)
    }

    /// Takes what the search `found` for the target, checks the loudness it reaches
    /// ([`Limiter::check`]), and while that misses the target by more than
    /// [`LIMITER_ROUND_TOLERANCE_LU`], aims the search again by the miss, up to
    /// [`LIMITER_ROUNDS`] times in all. Returns the gain and curve to apply and the loudness
    /// they reach.
    fn settle(
        &mut self,
        x: &[f32],
        mut found: Found,
        (least, most): (f64, f64),
        target: f64,
    ) -> (Found, f64) {
        let mut aim = target;
        let mut round = 1;
        loop {
            let reached = self.check(x, found.gain_db, &found.curve);
            let miss = reached - target;
            let settled = miss.abs() <= LIMITER_ROUND_TOLERANCE_LU
                || (found.gain_db >= most && miss < 0.0)
                || round == LIMITER_ROUNDS;
            if settled {
                return (found, reached);
            }
            round += 1;
            aim -= miss;
            found = self.search(x, least, most, aim);
        }
    }

    /// The make-up gain in `least ..= most` dB whose estimated loudness is `aim`, and that
    /// loudness: a secant search from `least` (the loudness rises with the gain, more slowly the
    /// more is limited).
    fn search(&mut self, x: &[f32], least: f64, most: f64, aim: f64) -> Found {
        let least = least.min(most);
        let eval = |lim: &mut Limiter, g: f64| {
            lim.cover(x, g);
            let curve = Curve::new(&lim.reach, lim.threshold(g));
            let miss = lim.estimate(g, &curve) - aim;
            (miss, curve)
        };
        let mut g0 = least;
        let (mut f0, curve) = eval(self, g0);
        if f0.abs() <= LIMITER_TOLERANCE_LU || f0 > 0.0 {
            return Found {
                gain_db: g0,
                lufs: f0 + aim,
                curve,
            };
        }
        let mut g1 = (g0 - f0).clamp(least, most);
        let (mut f1, mut curve) = eval(self, g1);
        for _ in 2..LIMITER_MAX_STEPS {
            if f1.abs() <= LIMITER_TOLERANCE_LU || (g1 >= most && f1 < 0.0) || g1 == g0 {
                break;
            }
            let slope = (f1 - f0) / (g1 - g0);
            let next = if slope.is_finite() && slope > 1e-3 {
                g1 - f1 / slope
            } else {
                g1 - f1
            };
            (g0, f0) = (g1, f1);
            g1 = next.clamp(least, most);
            (f1, curve) = eval(self, g1);
        }
        Found {
            gain_db: g1,
            lufs: f1 + aim,
            curve,
        }
    }
}

/// What [`Limiter::search`] found: a make-up gain, the loudness estimated for it, and the
/// limiter's curve at that gain.
struct Found {
    gain_db: f64,
    lufs: f64,
    curve: Curve,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quiet noise with a few isolated loud bursts.
    fn isolated_peaks() -> Vec<f32> {
        let mut r = crate::pipeline::quantize::SplitMix64::new(21);
        let mut x: Vec<f32> = (0..64_000)
            .map(|_| ((r.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0) * 0.05)
            .collect();
        for (at, level) in [(9_000, 12.0), (9_300, 8.0), (30_000, 16.0), (63_990, 10.0)] {
            x[at..(at + 40).min(64_000)]
                .iter_mut()
                .for_each(|s| *s *= level);
        }
        x
    }

    /// The limiter's curve the slow way: the reduction sample by sample, two moving averages.
    fn reference(env: &[f32], threshold: f32) -> Vec<f32> {
        let reach: Vec<f32> = (0..env.len())
            .map(|i| {
                env[i..(i + LIMITER_LOOKAHEAD_SAMPLES + 1).min(env.len())]
                    .iter()
                    .fold(0.0f32, |m, &e| m.max(e))
            })
            .collect();
        let a = release().a;
        let need = |r: f32| {
            if r > threshold {
                1.0 - f64::from(threshold / r)
            } else {
                0.0
            }
        };
        let before = need(reach[0]);
        let mut u = before;
        let us: Vec<f64> = reach
            .iter()
            .map(|&r| {
                u = (u * a).max(need(r));
                u
            })
            .collect();
        let at = |v: &[f64], i: isize| if i < 0 { before } else { v[i as usize] };
        let avg = |v: &[f64], i: usize| {
            (0..W as isize).map(|m| at(v, i as isize - m)).sum::<f64>() / W as f64
        };
        let m1: Vec<f64> = (0..us.len()).map(|i| avg(&us, i)).collect();
        (0..us.len()).map(|i| (1.0 - avg(&m1, i)) as f32).collect()
    }

    #[test]
    fn the_sparse_curve_is_the_dense_one() {
        let x = isolated_peaks();
        let env = crate::pipeline::loudness::true_peak_envelope(&x);
        for threshold in [0.3f32, 0.5] {
            // Envelope only near the peaks, or everywhere: the same gain reduction, bit for bit.
            let sparse = Curve::new(&Reach::of_signal(&x, threshold * 0.7), threshold);
            let dense = limiter_gain(&env, threshold);
            let stored = (0..x.len()).filter(|&i| sparse.at(i) != 1.0).count();
            assert!(stored > 1_000 && stored < x.len(), "{stored}");
            assert!((0..x.len()).all(|i| sparse.at(i) == dense[i]));
            // And what the closed form makes of the release is the reduction sample by sample.
            let slow = reference(&env, threshold);
            for (i, (&f, &s)) in dense.iter().zip(&slow).enumerate() {
                assert!((f - s).abs() < 1e-6, "sample {i}: {f} vs {s}");
                assert!(env[i] * f <= threshold * 1.000_001, "sample {i}");
            }
        }
        // The sparse envelope is exact where stored, and stores little of a quiet tone.
        let r = Reach::of_signal(&x, 0.3);
        assert!(r.values.len() < r.index.len() / 4, "{}", r.values.len());
    }

    /// A low chord with loud hits of `hit_hz` decaying over `decay` seconds. K-weighting lifts
    /// high-pitched hits, so limiting them lowers the loudness more than their share of the
    /// plain energy; its high-pass remembers low ones longest.
    fn hits(hit_hz: f64, decay: f64) -> Vec<f32> {
        (0..96_000)
            .map(|i| {
                let t = i as f64 / 16_000.0;
                let since = t % 0.25;
                let chord =
                    0.06 * libm::sin(2.0 * PI * 220.0 * t) + 0.04 * libm::sin(2.0 * PI * 331.0 * t);
                let hit = 0.9 * libm::exp(-since / decay) * libm::sin(2.0 * PI * hit_hz * t);
                (chord + hit) as f32
            })
            .collect()
    }

    use std::f64::consts::PI;

    #[test]
    fn the_loudness_reached_is_what_the_meter_reads() {
        for (hit_hz, decay) in [
            (1_000.0, 0.004),
            (5_000.0, 0.004),
            (7_000.0, 0.004),
            (45.0, 0.05),
            (90.0, 0.02),
        ] {
            let mut x = hits(hit_hz, decay);
            let n = normalize_loudness_limited(&mut x, -16.0, -1.0, Dither::Tpdf).unwrap();
            let lufs = crate::pipeline::loudness::measure(&x)
                .integrated_lufs
                .unwrap();
            eprintln!("{hit_hz} Hz: {lufs:.3} LUFS, {n:?}");
            assert!(
                (lufs - n.reached_lufs).abs() < 0.05,
                "{hit_hz} Hz: {lufs} {n:?}"
            );
            // Short of the target only when the limiter is at its cap, and then it says so.
            assert!(
                n.capped || (lufs + 16.0).abs() <= 0.1,
                "{hit_hz} Hz: {lufs} {n:?}"
            );
            let short = n
                .warnings(-16.0, -1.0)
                .iter()
                .any(|w| matches!(w, crate::Warning::LoudnessLimited { .. }));
            assert_eq!(n.capped, short);
        }
    }

    #[test]
    fn the_envelope_range_is_the_envelope() {
        let x = isolated_peaks();
        let env = crate::pipeline::loudness::true_peak_envelope(&x[..5_000]);
        for (a, b) in [
            (0, 5_000),
            (0, 3),
            (64, 640),
            (4_990, 5_000),
            (1_000, 1_033),
        ] {
            assert_eq!(true_peak_envelope_range(&x[..5_000], a, b), env[a..b]);
        }
    }
}
