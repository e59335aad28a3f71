//! Resampling 8-bit images with a Lanczos-3 filter in integer arithmetic, so the same input
//! gives the same pixels on every CPU.
//!
//! The filter weights are computed in `f64` with the `libm` crate's `sin` (the same bits on
//! every platform), normalised, then rounded to 14-bit fixed point; the pixels are filtered
//! with `i32` sums, one axis after the other (horizontal, then vertical), as Pillow does.
//! Downscaling widens the kernel by the scale factor, so it averages every source pixel and
//! does not alias. The window sampled may be a fractional part of the source (a centred crop).
//!
//! Hand-written rather than taken from `fast_image_resize` (whose SIMD paths are chosen at run
//! time and whose weights use the platform's `sin`) or `image`'s `f32` resize (platform `sin`
//! too): about 70 lines, and exactly reproducible.

/// Fixed-point precision of the weights, in bits.
const PRECISION: u32 = 14;

/// The Lanczos-3 kernel.
fn lanczos3(x: f64) -> f64 {
    if x == 0.0 {
        return 1.0;
    }
    if !(-3.0..3.0).contains(&x) {
        return 0.0;
    }
    let px = std::f64::consts::PI * x;
    3.0 * libm::sin(px) * libm::sin(px / 3.0) / (px * px)
}

/// For each output pixel: the first source index and the fixed-point weights from there.
#[derive(Debug)]
struct Taps {
    first: Vec<isize>,
    weights: Vec<Vec<i32>>,
}

/// Weights mapping the source window `[start, start + span)` (of a source `len` long) onto
/// `out` pixels. The window may reach beyond the source (contain mode pads with the
/// background): taps there read the background; taps beyond both the source and the window
/// are dropped (the edge pixels of a crop are not faded).
fn taps(len: usize, start: f64, span: f64, out: usize) -> Taps {
    let lo_limit = (start.floor() as isize).min(0);
    let hi_limit = ((start + span).ceil() as isize).max(len as isize);
    let scale = span / out as f64;
    let filter_scale = scale.max(1.0);
    let support = 3.0 * filter_scale;
    let mut first = Vec::with_capacity(out);
    let mut weights = Vec::with_capacity(out);
    for i in 0..out {
        let centre = start + (i as f64 + 0.5) * scale;
        let lo = ((centre - support).floor() as isize).clamp(lo_limit, hi_limit - 1);
        let hi = ((centre + support).ceil() as isize).clamp(lo + 1, hi_limit);
        let raw: Vec<f64> = (lo..hi)
            .map(|k| lanczos3((k as f64 + 0.5 - centre) / filter_scale))
            .collect();
        let total: f64 = raw.iter().fold(0.0, |a, b| a + b);
        let unit = f64::from(1u32 << PRECISION);
        let w: Vec<i32> = if total.abs() < 1e-12 {
            // Degenerate window: take the nearest pixel.
            let mut w = vec![0; raw.len()];
            let at = ((centre - 0.5).round() as isize).clamp(lo, hi - 1);
            w[(at - lo) as usize] = 1 << PRECISION;
            w
        } else {
            raw.iter()
                .map(|v| (v / total * unit).round() as i32)
                .collect()
        };
        first.push(lo);
        weights.push(w);
    }
    Taps { first, weights }
}

fn clamp_u8(sum: i32) -> u8 {
    ((sum + (1 << (PRECISION - 1))) >> PRECISION).clamp(0, 255) as u8
}

/// An 8-bit image with `channels` interleaved channels.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plane {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) channels: usize,
    pub(crate) data: Vec<u8>,
}

/// The window of the source to sample, in source pixels (may be fractional).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Window {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

/// Resamples `window` of `src` to `out_w` × `out_h`; where the window reaches beyond the
/// source it reads `bg` (one value per channel).
pub(crate) fn resize(src: &Plane, window: Window, out_w: usize, out_h: usize, bg: &[u8]) -> Plane {
    let c = src.channels;
    let h_taps = taps(src.width, window.x, window.width, out_w);
    let v_taps = taps(src.height, window.y, window.height, out_h);
    // Only the source rows the vertical pass reads need the horizontal pass.
    let row_lo = v_taps.first.iter().copied().min().unwrap_or(0).max(0) as usize;
    let row_hi = v_taps
        .first
        .iter()
        .zip(&v_taps.weights)
        .map(|(f, w)| f + w.len() as isize)
        .max()
        .unwrap_or(0)
        .clamp(0, src.height as isize) as usize;
    let row_hi = row_hi.max(row_lo);
    let mut mid = vec![0u8; (row_hi - row_lo) * out_w * c];
    for (r, y) in (row_lo..row_hi).enumerate() {
        let row = &src.data[y * src.width * c..(y + 1) * src.width * c];
        let out = &mut mid[r * out_w * c..(r + 1) * out_w * c];
        for (x, (first, w)) in h_taps.first.iter().zip(&h_taps.weights).enumerate() {
            for ch in 0..c {
                let mut sum = 0i32;
                for (k, wk) in w.iter().enumerate() {
                    let at = first + k as isize;
                    let v = if (0..src.width as isize).contains(&at) {
                        row[at as usize * c + ch]
                    } else {
                        bg[ch]
                    };
                    sum += i32::from(v) * wk;
                }
                out[x * c + ch] = clamp_u8(sum);
            }
        }
    }
    let mut data = vec![0u8; out_w * out_h * c];
    let stride = out_w * c;
    for (y, (first, w)) in v_taps.first.iter().zip(&v_taps.weights).enumerate() {
        let out = &mut data[y * stride..(y + 1) * stride];
        for (i, o) in out.iter_mut().enumerate() {
            let mut sum = 0i32;
            for (k, wk) in w.iter().enumerate() {
                let at = first + k as isize;
                let v = if (row_lo as isize..row_hi as isize).contains(&at) {
                    mid[(at as usize - row_lo) * stride + i]
                } else {
                    bg[i % c]
                };
                sum += i32::from(v) * wk;
            }
            *o = clamp_u8(sum);
        }
    }
    Plane {
        width: out_w,
        height: out_h,
        channels: c,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Plane {
        let data = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y));
        Plane {
            width: w,
            height: h,
            channels: 1,
            data: data.collect(),
        }
    }

    fn full(p: &Plane) -> Window {
        Window {
            x: 0.0,
            y: 0.0,
            width: p.width as f64,
            height: p.height as f64,
        }
    }

    #[test]
    fn a_flat_image_stays_flat_and_identity_is_exact() {
        let flat = plane(300, 90, |_, _| 173);
        let out = resize(&flat, full(&flat), 150, 45, &[0]);
        assert!(out.data.iter().all(|&v| v == 173));
        let ramp = plane(40, 30, |x, y| (x * 5 + y) as u8);
        assert_eq!(resize(&ramp, full(&ramp), 40, 30, &[0]), ramp);
    }

    #[test]
    fn weights_sum_to_one() {
        for (len, out) in [(1000, 150), (150, 150), (45, 128), (20_000, 150)] {
            let t = taps(len, 0.0, len as f64, out);
            for w in &t.weights {
                let s: i32 = w.iter().sum();
                assert!((s - (1 << PRECISION)).abs() <= w.len() as i32, "{s}");
            }
        }
    }

    #[test]
    fn a_window_samples_only_its_part() {
        // Left half black, right half white: the right-half window is white.
        let p = plane(200, 10, |x, _| if x < 100 { 0 } else { 255 });
        let w = Window {
            x: 110.0,
            y: 0.0,
            width: 90.0,
            height: 10.0,
        };
        let out = resize(&p, w, 30, 5, &[0]);
        assert!(out.data.iter().all(|&v| v == 255), "{:?}", out.data);
    }
}
