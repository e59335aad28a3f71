//! Test signals and a minimal WAV writer, for examples, tests and benchmarks.
//!
//! These make the library's claims checkable without any audio file at hand: build a tone in
//! memory, convert it, measure the result.

/// `frames` samples of a sine at `freq` Hz and peak `amplitude` (1.0 = full scale) at `rate` Hz.
///
/// ```
/// let s = ringforge::signal::sine(1000.0, 0.5, 48_000, 48);
/// assert_eq!(s.len(), 48);
/// assert!(s.iter().all(|x| x.abs() <= 0.5));
/// ```
pub fn sine(freq: f64, amplitude: f64, rate: u32, frames: usize) -> Vec<f32> {
    let w = std::f64::consts::TAU * freq / f64::from(rate);
    (0..frames)
        .map(|i| (amplitude * (w * i as f64).sin()) as f32)
        .collect()
}

/// `frames` samples of a square wave at `freq` Hz, ±`amplitude` (1.0 = full scale), at `rate` Hz:
/// `+amplitude` for the first half of each period (starting at frame 0), `−amplitude` for the
/// second. Not band-limited, so a full-scale square overshoots full scale once filtered.
///
/// ```
/// let s = ringforge::signal::square(1000.0, 1.0, 8_000, 8);
/// assert_eq!(s, vec![1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1.0, -1.0]);
/// ```
pub fn square(freq: f64, amplitude: f64, rate: u32, frames: usize) -> Vec<f32> {
    let period = f64::from(rate) / freq;
    (0..frames)
        .map(|i| {
            let phase = (i as f64 / period).fract();
            (if phase < 0.5 { amplitude } else { -amplitude }) as f32
        })
        .collect()
}

/// A linear sine sweep from `f0` to `f1` Hz over `frames` samples at `rate` Hz.
pub fn sweep(f0: f64, f1: f64, amplitude: f64, rate: u32, frames: usize) -> Vec<f32> {
    let t_total = frames as f64 / f64::from(rate);
    let k = (f1 - f0) / t_total;
    (0..frames)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            (amplitude * (std::f64::consts::TAU * (f0 * t + 0.5 * k * t * t)).sin()) as f32
        })
        .collect()
}

/// Interleaves planar channels of equal length.
///
/// # Panics
/// If the channels differ in length.
pub fn interleave(channels: &[Vec<f32>]) -> Vec<f32> {
    let n = channels.first().map_or(0, Vec::len);
    assert!(
        channels.iter().all(|c| c.len() == n),
        "channels differ in length"
    );
    (0..n)
        .flat_map(|i| channels.iter().map(move |c| c[i]))
        .collect()
}

/// A 16-bit PCM WAV file holding interleaved `samples` (full scale ±1.0, rounded, clamped).
pub fn wav_i16(rate: u32, channels: u16, samples: &[f32]) -> Vec<u8> {
    let data: Vec<u8> = samples
        .iter()
        .flat_map(|s| ((s * 32_768.0).round().clamp(-32_768.0, 32_767.0) as i16).to_le_bytes())
        .collect();
    wav(1, 16, rate, channels, &data)
}

/// A 32-bit float WAV file holding interleaved `samples`.
pub fn wav_f32(rate: u32, channels: u16, samples: &[f32]) -> Vec<u8> {
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    wav(3, 32, rate, channels, &data)
}

fn wav(format: u16, bits: u16, rate: u32, channels: u16, data: &[u8]) -> Vec<u8> {
    let block = channels * bits / 8;
    let mut out = Vec::with_capacity(44 + data.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&format.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    out.extend_from_slice(&block.to_le_bytes());
    out.extend_from_slice(&bits.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out
}
