//! Mixing any channel layout down to one mono channel.
//!
//! Stereo becomes the average (L+R)/2, as SoX does. Other layouts use the ITU-R BS.775 style
//! weights: front left/right (and front-centre-left/right, wide) at 1.0, centre at −3 dB
//! (0.7071), every surround, side, rear and height channel at −3 dB, LFE dropped. The weights are
//! then divided by their sum, so a signal equal in every (non-LFE) channel keeps its level.

use symphonia::core::audio::{Channels, Position};

/// −3 dB as a linear factor.
const MINUS_3_DB: f32 = std::f32::consts::FRAC_1_SQRT_2;

/// Per-channel weights that mix a layout to mono, in the decoder's channel order.
#[derive(Clone, Debug, PartialEq)]
pub struct MonoMix {
    weights: Vec<f32>,
}

impl MonoMix {
    /// Weights for `count` channels described by `channels` (which may be unknown).
    pub fn for_layout(channels: Option<&Channels>, count: usize) -> MonoMix {
        let raw: Vec<f32> = match channels {
            Some(Channels::Positioned(mask)) if mask.bits().count_ones() as usize == count => {
                positioned_weights(*mask)
            }
            // Ambisonics: the W (omni) component is the mono signal.
            Some(Channels::Ambisonic(_)) => (0..count).map(|i| f32::from(i == 0)).collect(),
            // Unknown, discrete or custom: an equal mix.
            _ => vec![1.0; count],
        };
        MonoMix::normalised(raw)
    }

    /// Takes only channel `index` (for `--channel left|right`).
    pub fn single(count: usize, index: usize) -> MonoMix {
        MonoMix {
            weights: (0..count).map(|i| f32::from(i == index)).collect(),
        }
    }

    /// Weights that sum to one; all-zero weights (an LFE-only file) fall back to an equal mix.
    fn normalised(mut raw: Vec<f32>) -> MonoMix {
        let sum: f32 = raw.iter().sum();
        if sum <= 0.0 {
            raw.iter_mut().for_each(|w| *w = 1.0);
        }
        let sum: f32 = raw.iter().sum();
        MonoMix {
            weights: raw.into_iter().map(|w| w / sum).collect(),
        }
    }

    /// The weight of each channel, summing to one.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Appends the mono mix of a planar block to `out`, and adds each channel's and the mix's
    /// sum of squares to `energy`.
    ///
    /// # Panics
    /// If `planes` has a different channel count than the mix was made for.
    pub fn mix_into(&self, planes: &[Vec<f32>], out: &mut Vec<f32>, energy: &mut Energy) {
        assert_eq!(
            planes.len(),
            self.weights.len(),
            "channel count changed mid-stream"
        );
        let frames = planes.first().map_or(0, Vec::len);
        let start = out.len();
        // Slice loops over a pre-sized output (rather than `extend` over an iterator) so the
        // compiler vectorises them: this runs once per decoded sample.
        match (planes, self.weights.as_slice()) {
            ([mono], _) => out.extend_from_slice(mono),
            ([l, r], &[wl, wr]) if r.len() == frames => {
                // Extended from the zipped slices (which know their length) straight into the
                // spare room: no zero-fill first, and the loop still vectorises.
                out.extend(l.iter().zip(r).map(|(a, b)| a * wl + b * wr));
            }
            _ => {
                out.resize(start + frames, 0.0);
                for (plane, &w) in planes.iter().zip(&self.weights) {
                    if w != 0.0 {
                        for (o, s) in out[start..].iter_mut().zip(plane) {
                            *o += s * w;
                        }
                    }
                }
            }
        }
        energy.add(planes, &out[start..]);
    }
}

/// Running energy of the source channels and of the mono mix, to detect cancellation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Energy {
    channels: Vec<f64>,
    mono: f64,
}

impl Energy {
    fn add(&mut self, planes: &[Vec<f32>], mono: &[f32]) {
        if self.channels.len() != planes.len() {
            self.channels.resize(planes.len(), 0.0);
        }
        if let [only] = planes {
            // A single channel is copied as the mix: measure it once.
            let e = sum_squares(only);
            self.channels[0] += e;
            self.mono += e;
            return;
        }
        for (acc, plane) in self.channels.iter_mut().zip(planes) {
            *acc += sum_squares(plane);
        }
        self.mono += sum_squares(mono);
    }

    /// Compares the mix with its channels. Returns `None` for a mono or silent source, else
    /// `(lost_db, cancelled_db)`: how far the mix's power is below the weighted average of the
    /// channels' powers, and how far below what the same channels would give if they were
    /// unrelated (positive only when content cancels: anti-phase or phase-smeared stereo).
    /// Unrelated stereo channels lose 3 dB and cancel 0 dB; exact anti-phase loses everything.
    pub fn loss_db(&self, weights: &[f32]) -> Option<(f64, f64)> {
        if self.channels.len() < 2 || self.channels.len() != weights.len() {
            return None;
        }
        let weighted: f64 = self
            .channels
            .iter()
            .zip(weights)
            .map(|(p, w)| p * f64::from(*w))
            .sum();
        let unrelated: f64 = self
            .channels
            .iter()
            .zip(weights)
            .map(|(p, w)| p * f64::from(*w) * f64::from(*w))
            .sum();
        if weighted <= 0.0 || unrelated <= 0.0 {
            return None;
        }
        if self.mono <= 0.0 {
            return Some((f64::INFINITY, f64::INFINITY));
        }
        Some((
            10.0 * libm::log10(weighted / self.mono),
            10.0 * libm::log10(unrelated / self.mono),
        ))
    }
}

fn sum_squares(x: &[f32]) -> f64 {
    // Eight independent f32 accumulators vectorise (a single running sum cannot be reordered,
    // so it would not); f64 between chunks keeps long sums exact enough.
    const LANES: usize = 8;
    x.chunks(4096)
        .map(|c| {
            let mut lanes = [0.0f32; LANES];
            let exact = c.chunks_exact(LANES);
            let tail: f32 = exact.remainder().iter().map(|s| s * s).sum();
            for v in exact {
                for (acc, s) in lanes.iter_mut().zip(v) {
                    *acc += s * s;
                }
            }
            lanes.iter().map(|&l| f64::from(l)).sum::<f64>() + f64::from(tail)
        })
        .sum()
}

fn positioned_weights(mask: Position) -> Vec<f32> {
    // Canonical channel order is ascending bit order of the position mask.
    (0..64)
        .map(|bit| 1u64 << bit)
        .filter(|bit| mask.bits() & bit != 0)
        .map(|bit| {
            let p = Position::from_bits_truncate(bit);
            if p == Position::LFE1 || p == Position::LFE2 {
                0.0
            } else if p == Position::FRONT_LEFT
                || p == Position::FRONT_RIGHT
                || p == Position::FRONT_LEFT_CENTER
                || p == Position::FRONT_RIGHT_CENTER
                || p == Position::FRONT_LEFT_WIDE
                || p == Position::FRONT_RIGHT_WIDE
            {
                1.0
            } else {
                MINUS_3_DB
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mix(m: &MonoMix, planes: &[Vec<f32>]) -> (Vec<f32>, Energy) {
        let mut out = Vec::new();
        let mut e = Energy::default();
        m.mix_into(planes, &mut out, &mut e);
        (out, e)
    }

    #[test]
    fn stereo_is_the_average() {
        let m = MonoMix::for_layout(
            Some(&Channels::Positioned(
                Position::FRONT_LEFT | Position::FRONT_RIGHT,
            )),
            2,
        );
        let (out, _) = mix(&m, &[vec![1.0, 0.5, -1.0], vec![0.0, 0.5, 1.0]]);
        assert_eq!(out, vec![0.5, 0.5, 0.0]);
    }

    #[test]
    fn five_one_keeps_level_of_equal_channels_and_drops_lfe() {
        let mask = Position::FRONT_LEFT
            | Position::FRONT_RIGHT
            | Position::FRONT_CENTER
            | Position::LFE1
            | Position::REAR_LEFT
            | Position::REAR_RIGHT;
        let m = MonoMix::for_layout(Some(&Channels::Positioned(mask)), 6);
        let w = m.weights();
        assert_eq!(w[3], 0.0, "LFE dropped");
        assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!((w[2] / w[0] - MINUS_3_DB).abs() < 1e-6, "centre at -3 dB");
        assert!((w[4] / w[0] - MINUS_3_DB).abs() < 1e-6, "surround at -3 dB");
        let planes: Vec<Vec<f32>> = (0..6).map(|_| vec![0.25; 8]).collect();
        let (out, _) = mix(&m, &planes);
        assert!(out.iter().all(|s| (s - 0.25).abs() < 1e-6));
    }

    #[test]
    fn anti_phase_reports_total_loss() {
        let m = MonoMix::for_layout(None, 2);
        let l: Vec<f32> = (0..100).map(|i| (i as f32 * 0.1).sin()).collect();
        let r: Vec<f32> = l.iter().map(|s| -s).collect();
        let (out, e) = mix(&m, &[l, r]);
        assert!(out.iter().all(|s| *s == 0.0));
        assert_eq!(e.loss_db(m.weights()), Some((f64::INFINITY, f64::INFINITY)));
    }

    #[test]
    fn identical_channels_lose_nothing() {
        let m = MonoMix::for_layout(None, 3);
        let l: Vec<f32> = (0..100).map(|i| (i as f32 * 0.1).sin()).collect();
        let (_, e) = mix(&m, &[l.clone(), l.clone(), l]);
        let (lost, cancelled) = e.loss_db(m.weights()).unwrap();
        assert!(lost.abs() < 1e-4);
        assert!(
            (cancelled + 10.0 * 3f64.log10()).abs() < 1e-3,
            "{cancelled}"
        );
    }

    #[test]
    fn unrelated_channels_lose_3_db_and_cancel_nothing() {
        let m = MonoMix::for_layout(None, 2);
        let l: Vec<f32> = (0..48_000).map(|i| (i as f32 * 0.1).sin()).collect();
        let r: Vec<f32> = (0..48_000).map(|i| (i as f32 * 0.173).sin()).collect();
        let (_, e) = mix(&m, &[l, r]);
        let (lost, cancelled) = e.loss_db(m.weights()).unwrap();
        assert!((lost - 3.01).abs() < 0.05, "{lost}");
        assert!(cancelled.abs() < 0.05, "{cancelled}");
    }

    #[test]
    fn stereo_appends_after_what_is_there() {
        let m = MonoMix::for_layout(None, 2);
        for frames in [0, 1, 7, 4097] {
            let l: Vec<f32> = (0..frames).map(|i| (i as f32 * 0.1).sin()).collect();
            let r: Vec<f32> = (0..frames)
                .map(|i| (i as f32 * 0.173).cos() * 0.3)
                .collect();
            let mut out = vec![9.0];
            let mut e = Energy::default();
            m.mix_into(&[l.clone(), r.clone()], &mut out, &mut e);
            m.mix_into(&[l.clone(), r.clone()], &mut out, &mut e);
            let once: Vec<f32> = l.iter().zip(&r).map(|(a, b)| a * 0.5 + b * 0.5).collect();
            assert_eq!(out.len(), 1 + 2 * frames);
            assert_eq!(out[0], 9.0);
            assert_eq!(out[1..=frames], once[..]);
            assert_eq!(out[1 + frames..], once[..]);
        }
    }

    #[test]
    fn single_channel_pick() {
        let m = MonoMix::single(2, 1);
        let (out, _) = mix(&m, &[vec![1.0, 1.0], vec![0.25, -0.25]]);
        assert_eq!(out, vec![0.25, -0.25]);
    }
}
