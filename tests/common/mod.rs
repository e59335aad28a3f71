//! Helpers shared by the integration tests: levels, spectra, distortion, temporary folders, and
//! running the binary ([`run`]).
#![allow(dead_code)]

pub mod run;

use realfft::RealFftPlanner;

/// Samples as f64 at full scale ±1.0.
pub fn to_f64(samples: &[i16]) -> Vec<f64> {
    samples.iter().map(|&s| f64::from(s) / 32_768.0).collect()
}

pub fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

/// Amplitude spectrum (peak amplitude per bin, full scale = 1.0) of `n` samples from the middle
/// of `x`, with a 4-term Blackman-Harris window (sidelobes −92 dB).
pub fn spectrum(x: &[f64], n: usize) -> Vec<f64> {
    assert!(x.len() >= n, "need {n} samples, have {}", x.len());
    let start = (x.len() - n) / 2;
    let w: Vec<f64> = (0..n)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / n as f64;
            0.35875 - 0.48829 * t.cos() + 0.14128 * (2.0 * t).cos() - 0.01168 * (3.0 * t).cos()
        })
        .collect();
    let wsum: f64 = w.iter().sum();
    let mut input: Vec<f64> = x[start..start + n]
        .iter()
        .zip(&w)
        .map(|(a, b)| a * b)
        .collect();
    let mut planner = RealFftPlanner::<f64>::new();
    let fft = planner.plan_fft_forward(n);
    let mut out = fft.make_output_vec();
    fft.process(&mut input, &mut out).unwrap();
    out.iter().map(|c| 2.0 * c.norm() / wsum).collect()
}

/// Peak amplitude of a sine at `freq` Hz in `x` (sampled at `rate`), by least-squares fit over the
/// middle part of the signal. Exact for a pure tone, whatever the window.
pub fn tone_amplitude(x: &[f64], freq: f64, rate: f64) -> f64 {
    let (a, b) = fit(x, freq, rate);
    (a * a + b * b).sqrt()
}

fn middle(x: &[f64]) -> (usize, &[f64]) {
    let skip = x.len() / 8;
    (skip, &x[skip..x.len() - skip])
}

fn fit(x: &[f64], freq: f64, rate: f64) -> (f64, f64) {
    let (skip, m) = middle(x);
    let w = std::f64::consts::TAU * freq / rate;
    let (mut ss, mut cc, mut sc, mut xs, mut xc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, v) in m.iter().enumerate() {
        let t = w * (i + skip) as f64;
        let (s, c) = t.sin_cos();
        ss += s * s;
        cc += c * c;
        sc += s * c;
        xs += v * s;
        xc += v * c;
    }
    let det = ss * cc - sc * sc;
    ((xs * cc - xc * sc) / det, (xc * ss - xs * sc) / det)
}

/// THD+N in dB: the residual after removing the fitted fundamental and DC, against the fundamental.
pub fn thd_n_db(x: &[f64], freq: f64, rate: f64) -> f64 {
    let (a, b) = fit(x, freq, rate);
    let (skip, m) = middle(x);
    let mean = m.iter().sum::<f64>() / m.len() as f64;
    let w = std::f64::consts::TAU * freq / rate;
    let mut res = 0.0;
    let mut sig = 0.0;
    for (i, v) in m.iter().enumerate() {
        let t = w * (i + skip) as f64;
        let f = a * t.sin() + b * t.cos();
        sig += f * f;
        let r = v - mean - f;
        res += r * r;
    }
    10.0 * (res / sig).log10()
}

/// Index of the sample with the largest magnitude.
pub fn peak_index(x: &[i16]) -> usize {
    x.iter()
        .enumerate()
        .max_by_key(|(_, v)| i32::from(**v).abs())
        .map_or(0, |(i, _)| i)
}

pub fn peak(x: &[i16]) -> i32 {
    x.iter().map(|s| i32::from(*s).abs()).max().unwrap_or(0)
}

pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh temporary folder to run conversions in: the (empty) folders `dirs`, then the `files`,
/// each a path relative to the folder and its bytes (parent folders are created). Output folders
/// are left for the code under test to make.
pub fn temp_folder(dirs: &[&str], files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for dir in dirs {
        std::fs::create_dir_all(tmp.path().join(dir)).unwrap();
    }
    for (rel, bytes) in files {
        let path = tmp.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    tmp
}

#[allow(clippy::needless_range_loop)] // textbook elimination reads best with indices
/// Peak amplitudes of several sines fitted jointly (least squares over the middle of `x`), so
/// tones close together do not leak into each other's estimate on short signals.
pub fn tone_amplitudes(x: &[f64], freqs: &[f64], rate: f64) -> Vec<f64> {
    let (skip, m) = middle(x);
    let k = 2 * freqs.len() + 1; // sin, cos per tone, plus DC
    let mut ata = vec![vec![0.0f64; k]; k];
    let mut atb = vec![0.0f64; k];
    let mut row = vec![0.0f64; k];
    for (i, v) in m.iter().enumerate() {
        let n = (i + skip) as f64;
        for (j, f) in freqs.iter().enumerate() {
            let (s, c) = (std::f64::consts::TAU * f / rate * n).sin_cos();
            row[2 * j] = s;
            row[2 * j + 1] = c;
        }
        row[k - 1] = 1.0;
        for a in 0..k {
            atb[a] += row[a] * v;
            for b in 0..k {
                ata[a][b] += row[a] * row[b];
            }
        }
    }
    // Gaussian elimination with partial pivoting.
    for col in 0..k {
        let p = (col..k)
            .max_by(|&a, &b| ata[a][col].abs().total_cmp(&ata[b][col].abs()))
            .unwrap();
        ata.swap(col, p);
        atb.swap(col, p);
        for r in col + 1..k {
            let f = ata[r][col] / ata[col][col];
            for c in col..k {
                ata[r][c] -= f * ata[col][c];
            }
            atb[r] -= f * atb[col];
        }
    }
    let mut sol = vec![0.0f64; k];
    for r in (0..k).rev() {
        let s: f64 = (r + 1..k).map(|c| ata[r][c] * sol[c]).sum();
        sol[r] = (atb[r] - s) / ata[r][r];
    }
    (0..freqs.len())
        .map(|j| (sol[2 * j].powi(2) + sol[2 * j + 1].powi(2)).sqrt())
        .collect()
}

/// Independent measurement of a 16 kHz mono tone with the ebur128 crate: (integrated LUFS,
/// true peak dBTP).
pub fn r128(samples: &[i16]) -> (f64, f64) {
    let mut m =
        ebur128::EbuR128::new(1, 16_000, ebur128::Mode::I | ebur128::Mode::TRUE_PEAK).unwrap();
    m.add_frames_i16(samples).unwrap();
    (
        m.loudness_global().unwrap(),
        20.0 * m.true_peak(0).unwrap().log10(),
    )
}
