//! Power spectra of 16-bit tones: Hann-windowed frames summed bin by bin. `inspect` measures the
//! energy above 4 kHz with it, the report draws its spectrum thumbnail with it.
//!
//! The transform is rustfft's scalar planner in `f64` (a complex transform of the real frame),
//! the one the resampler already designs its filter with: no second set of FFT kernels (realfft
//! would bring rustfft's AVX and SSE ones) is compiled into the crate, and the same numbers come
//! out on every CPU.

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlannerScalar};

/// Sums the power spectra of frames of one length.
pub(crate) struct PowerSpectrum {
    fft: Arc<dyn Fft<f64>>,
    window: Vec<f64>,
    frame: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
    power: Vec<f64>,
}

impl PowerSpectrum {
    /// Frames of `len` samples (even), `len / 2 + 1` bins from DC to half the sample rate.
    pub(crate) fn new(len: usize) -> PowerSpectrum {
        let fft = FftPlannerScalar::<f64>::new().plan_fft_forward(len);
        let scratch = vec![Complex::default(); fft.get_inplace_scratch_len()];
        PowerSpectrum {
            window: (0..len)
                .map(|i| 0.5 - 0.5 * libm::cos(std::f64::consts::TAU * i as f64 / len as f64))
                .collect(),
            frame: vec![Complex::default(); len],
            power: vec![0.0; len / 2 + 1],
            fft,
            scratch,
        }
    }

    /// Adds the power spectrum of the frame at the start of `samples` (which holds at least the
    /// frame's length).
    pub(crate) fn add_frame(&mut self, samples: &[i16]) {
        for ((x, &s), w) in self.frame.iter_mut().zip(samples).zip(&self.window) {
            *x = Complex::new(f64::from(s) * w, 0.0);
        }
        self.fft
            .process_with_scratch(&mut self.frame, &mut self.scratch);
        for (p, c) in self.power.iter_mut().zip(&self.frame) {
            *p += c.norm_sqr();
        }
    }

    /// The summed power per bin, DC first.
    pub(crate) fn power(&self) -> &[f64] {
        &self.power
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sine on a bin's centre puts its power in that bin (and the Hann window's two
    /// neighbours), nowhere else.
    #[test]
    fn a_sine_lands_in_its_bin() {
        let len = 512;
        let bin = 64; // 2 kHz at 16 kHz
        let x: Vec<i16> = (0..len)
            .map(|i| {
                (10_000.0 * libm::sin(std::f64::consts::TAU * (bin * i) as f64 / len as f64)) as i16
            })
            .collect();
        let mut s = PowerSpectrum::new(len);
        s.add_frame(&x);
        s.add_frame(&x);
        let p = s.power();
        assert_eq!(p.len(), len / 2 + 1);
        let total: f64 = p.iter().sum();
        let near: f64 = p[bin - 1..=bin + 1].iter().sum();
        assert!(near / total > 0.999_99, "{}", near / total);
        let top = (0..p.len()).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
        assert_eq!(top, bin);
    }
}
