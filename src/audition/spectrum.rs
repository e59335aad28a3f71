//! The spectrum thumbnail: a tone's long-term average spectrum from 0 to 8 kHz as an inline
//! SVG curve, with a mark at 4 kHz. A source recorded at 8 kHz and upsampled has nothing above
//! 4 kHz, and the curve drops to the floor there; a full-band tone keeps it up to 7.6 kHz.

use std::fmt::Write;

use crate::power_spectrum::PowerSpectrum;

/// Transform length: 512 samples at 16 kHz (32 ms), bins 31.25 Hz apart.
pub const FFT_LEN: usize = 512;
/// Most frames averaged, spread evenly over the tone (a long tone costs no more than this).
const MAX_FRAMES: usize = 48;
/// The curve's floor, in dB below the strongest bin.
pub const FLOOR_DB: f64 = -90.0;
/// Width and height of the thumbnail in SVG units.
pub const WIDTH: usize = 240;
/// Height of the thumbnail in SVG units.
pub const HEIGHT: usize = 60;

/// The average power spectrum of `samples` (16 kHz) in dB relative to its strongest bin, one
/// value per bin from 0 to 8 kHz (`FFT_LEN / 2 + 1` values), floored at [`FLOOR_DB`]: Hann-windowed
/// frames of [`FFT_LEN`] samples, at most 48 of them, evenly spread. Empty for a tone shorter
/// than one frame; all at the floor for digital silence.
pub fn average_spectrum_db(samples: &[i16]) -> Vec<f64> {
    if samples.len() < FFT_LEN {
        return Vec::new();
    }
    let frames = (samples.len() / FFT_LEN).clamp(1, MAX_FRAMES);
    let span = samples.len() - FFT_LEN;
    let mut spectrum = PowerSpectrum::new(FFT_LEN);
    for f in 0..frames {
        let start = if frames == 1 {
            0
        } else {
            f * span / (frames - 1)
        };
        spectrum.add_frame(&samples[start..]);
    }
    let power = spectrum.power();
    let top = power.iter().fold(0.0f64, |m, &p| m.max(p));
    power
        .iter()
        .map(|&p| {
            if top == 0.0 || p == 0.0 {
                FLOOR_DB
            } else {
                (10.0 * (p / top).log10()).max(FLOOR_DB)
            }
        })
        .collect()
}

/// The spectrum of `samples` as an SVG element (`WIDTH` × `HEIGHT`, 0–8 kHz left to right,
/// 0 to −90 dB top to bottom, a dashed mark at 4 kHz), with `label` as its accessible name
/// (already HTML-escaped by the caller). A tone shorter than one frame gets an empty frame.
///
/// ```
/// let noise: Vec<i16> = (0..8_000).map(|i| ((i * 7919) % 2001 - 1000) as i16 * 10).collect();
/// let svg = ringforge::audition::spectrum::spectrum_svg(&noise, "spectrum");
/// assert!(svg.contains("<polyline") && svg.contains("4 kHz"));
/// ```
pub fn spectrum_svg(samples: &[i16], label: &str) -> String {
    let db = average_spectrum_db(samples);
    let (w, h) = (WIDTH as f64, HEIGHT as f64);
    let mut points = String::new();
    let last = db.len().saturating_sub(1).max(1) as f64;
    for (i, v) in db.iter().enumerate() {
        let x = i as f64 / last * w;
        let y = v / FLOOR_DB * h;
        let _ = write!(points, "{x:.1},{y:.1} ");
    }
    let curve = if db.is_empty() {
        String::new()
    } else {
        format!(
            "<polyline points=\"0,{h} {} {w},{h}\"/>",
            points.trim_end(),
            h = HEIGHT,
            w = WIDTH
        )
    };
    let mid = WIDTH / 2;
    format!(
        "<svg class=\"spectrum\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" preserveAspectRatio=\"none\" \
         role=\"img\" aria-label=\"{label}\">{curve}<line x1=\"{mid}\" y1=\"0\" x2=\"{mid}\" \
         y2=\"{HEIGHT}\" class=\"mark\"/><text x=\"{x}\" y=\"9\">4 kHz</text></svg>",
        x = mid + 3
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{convert_bytes, signal, Options};

    /// Pseudo-random noise at `rate`, converted to a tone (upsampled when `rate` < 16 kHz).
    fn noise_tone(rate: u32) -> Vec<i16> {
        let mut r = crate::quantize::SplitMix64::new(4);
        let x: Vec<f32> = (0..rate * 2)
            .map(|_| ((r.next_u64() >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.5)
            .collect();
        let wav = signal::wav_f32(rate, 1, &x);
        convert_bytes(&wav, Some("wav"), &Options::default())
            .unwrap()
            .samples()
            .to_vec()
    }

    /// Mean level in dB of the bins from `lo` to `hi` Hz.
    fn band(db: &[f64], lo: f64, hi: f64) -> f64 {
        let bins: Vec<f64> = db
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                let f = *i as f64 * 16_000.0 / FFT_LEN as f64;
                f >= lo && f <= hi
            })
            .map(|(_, v)| *v)
            .collect();
        bins.iter().sum::<f64>() / bins.len() as f64
    }

    #[test]
    fn an_upsampled_8_khz_source_shows_nothing_above_4_khz() {
        let narrow = average_spectrum_db(&noise_tone(8_000));
        let (below, above) = (
            band(&narrow, 500.0, 3_500.0),
            band(&narrow, 4_500.0, 7_500.0),
        );
        eprintln!("8 kHz source: {below:.1} dB below 4 kHz, {above:.1} dB above");
        assert!(below > -10.0, "{below}");
        assert!(above < -70.0, "{above}");
        // A full-band source keeps its level above 4 kHz.
        let wide = average_spectrum_db(&noise_tone(44_100));
        let above = band(&wide, 4_500.0, 7_000.0);
        assert!(above > -10.0, "{above}");
    }

    #[test]
    fn the_picture_drops_to_the_floor_right_of_the_mark() {
        let svg = spectrum_svg(&noise_tone(8_000), "s");
        let pts = svg
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let pts: Vec<(f64, f64)> = pts
            .split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        // Right of 4.5 kHz every point is in the bottom fifth; left of 3.5 kHz in the top sixth.
        for (x, y) in &pts[1..pts.len() - 1] {
            let hz = x / WIDTH as f64 * 8_000.0;
            if hz > 4_500.0 {
                assert!(*y > HEIGHT as f64 * 0.8, "{hz} Hz at {y}");
            } else if hz > 200.0 && hz < 3_500.0 {
                assert!(*y < HEIGHT as f64 / 6.0, "{hz} Hz at {y}");
            }
        }
    }

    #[test]
    fn short_and_silent_tones_do_not_fail() {
        assert!(average_spectrum_db(&[1, 2, 3]).is_empty());
        assert!(!spectrum_svg(&[1, 2, 3], "s").contains("polyline"));
        let silent = average_spectrum_db(&[0; 2_000]);
        assert!(silent.iter().all(|&v| v == FLOOR_DB));
    }
}
