//! The waveform picture: an inline SVG with one vertical stroke per column, from the smallest
//! to the largest sample that column covers, so every peak and every silence shows whatever
//! the zoom.

use std::fmt::Write;

/// Width of the waveform picture in SVG units (columns).
pub const COLUMNS: usize = 240;
/// Height of the waveform picture in SVG units.
pub const HEIGHT: usize = 60;

/// The smallest and largest sample of each of `columns` equal stretches of `samples` (fewer
/// columns when there are fewer samples), as fractions of full scale.
pub fn min_max(samples: &[i16], columns: usize) -> Vec<(f32, f32)> {
    let columns = columns.min(samples.len());
    (0..columns)
        .map(|c| {
            let from = c * samples.len() / columns;
            let to = ((c + 1) * samples.len() / columns).max(from + 1);
            let (lo, hi) = samples[from..to]
                .iter()
                .fold((i16::MAX, i16::MIN), |(lo, hi), &s| (lo.min(s), hi.max(s)));
            (f32::from(lo) / 32_768.0, f32::from(hi) / 32_768.0)
        })
        .collect()
}

/// The waveform of `samples` as an SVG element (`COLUMNS` × `HEIGHT`, scaled to the page's
/// width), with `label` as its accessible name (already HTML-escaped by the caller).
///
/// ```
/// let svg = ringforge::audition::waveform::waveform_svg(&[0, 16_384, -16_384, 0], "wave");
/// assert!(svg.starts_with("<svg") && svg.contains("aria-label=\"wave\""));
/// ```
pub fn waveform_svg(samples: &[i16], label: &str) -> String {
    let h = HEIGHT as f32;
    let y = |v: f32| ((1.0 - v) * h / 2.0).clamp(0.0, h);
    let mut path = String::new();
    for (x, (lo, hi)) in min_max(samples, COLUMNS).into_iter().enumerate() {
        let (top, bottom) = (y(hi), y(lo));
        // At least half a unit tall, so silence draws as a line.
        let bottom = bottom.max(top + 0.5);
        let _ = write!(path, "M{x}.5 {top:.1}V{bottom:.1}");
    }
    format!(
        "<svg class=\"wave\" viewBox=\"0 0 {COLUMNS} {HEIGHT}\" preserveAspectRatio=\"none\" \
         role=\"img\" aria-label=\"{label}\"><line x1=\"0\" y1=\"{mid}\" x2=\"{COLUMNS}\" \
         y2=\"{mid}\" class=\"axis\"/><path d=\"{path}\"/></svg>",
        mid = HEIGHT / 2
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The (top, bottom) of each stroke of a rendered path.
    fn strokes(svg: &str) -> Vec<(f32, f32, f32)> {
        let d = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
        d.split('M')
            .filter(|s| !s.is_empty())
            .map(|s| {
                let (x, rest) = s.split_once(' ').unwrap();
                let (top, bottom) = rest.split_once('V').unwrap();
                (
                    x.parse().unwrap(),
                    top.parse().unwrap(),
                    bottom.parse().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn geometry_follows_the_samples() {
        // First half silence, second half a full-scale square wave.
        let mut x = vec![0i16; 4_800];
        x.extend((0..4_800).map(|i| if i % 20 < 10 { 32_767 } else { -32_768 }));
        let s = strokes(&waveform_svg(&x, "w"));
        assert_eq!(s.len(), COLUMNS);
        for (i, (x, top, bottom)) in s.iter().enumerate() {
            assert_eq!(*x, i as f32 + 0.5);
            if i < COLUMNS / 2 {
                // Silence: a thin line on the middle.
                assert_eq!(*top, HEIGHT as f32 / 2.0);
                assert_eq!(*bottom, HEIGHT as f32 / 2.0 + 0.5);
            } else {
                // Full scale: top to bottom.
                assert!(*top < 0.01 && *bottom == HEIGHT as f32, "{top} {bottom}");
            }
        }
    }

    #[test]
    fn a_half_scale_peak_reaches_a_quarter_of_the_height() {
        let mut x = vec![0i16; 1_000];
        x[500] = 16_384;
        let mm = min_max(&x, 10);
        assert_eq!(mm.len(), 10);
        assert_eq!(mm[5], (0.0, 0.5));
        let s = strokes(&waveform_svg(&x, "w"));
        let top = s.iter().map(|s| s.1).fold(f32::MAX, f32::min);
        assert_eq!(top, HEIGHT as f32 / 4.0);
        // Short tones get one column per sample.
        assert_eq!(min_max(&[1, 2, 3], COLUMNS).len(), 3);
        assert!(min_max(&[], COLUMNS).is_empty());
    }
}
