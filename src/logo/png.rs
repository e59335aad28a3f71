//! Writing the pixels as a PNG the phones take, as small as it gets: 8-bit greyscale (mono
//! models) or 8-bit RGB / palette (colour models), never an alpha channel, shrunk losslessly by
//! oxipng; when a byte limit is still exceeded, fewer colours (greys) with Floyd–Steinberg
//! dithering, then without dithering, until it fits.
//!
//! Every step is integer arithmetic or a fixed-option oxipng run (no timeout, no threads), so
//! the bytes are the same on every machine. The palette is chosen by median cut (a hand-written
//! ~50 lines, integer only: the permissively licensed quantizer crates either need at least 64
//! colours or compute in floats with run-time SIMD).

use std::collections::BTreeMap;

use super::scale::Plane;
use super::LogoError;

/// Encodes `plane` (1 channel: grey, 3: RGB) as an 8-bit PNG and optimises it losslessly.
/// `palette_ok` lets oxipng store an RGB picture with at most 256 colours as a palette.
pub(crate) fn encode(plane: &Plane, palette_ok: bool) -> Result<Vec<u8>, LogoError> {
    let colour = if plane.channels == 1 {
        png::ColorType::Grayscale
    } else {
        png::ColorType::Rgb
    };
    let raw = write_png(plane, colour, None)?;
    optimise(&raw, palette_ok)
}

fn write_png(
    plane: &Plane,
    colour: png::ColorType,
    palette: Option<&[u8]>,
) -> Result<Vec<u8>, LogoError> {
    let fail = |e: png::EncodingError| LogoError::Encode {
        reason: e.to_string(),
    };
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, plane.width as u32, plane.height as u32);
        enc.set_color(colour);
        enc.set_depth(png::BitDepth::Eight);
        if let Some(p) = palette {
            enc.set_palette(p.to_vec());
        }
        let mut writer = enc.write_header().map_err(fail)?;
        writer.write_image_data(&plane.data).map_err(fail)?;
        writer.finish().map_err(fail)?;
    }
    Ok(out)
}

/// Without oxipng (WebAssembly builds: its deflate is C code, which that target cannot build
/// here), the PNG as encoded: valid, but larger, so its bytes and MD5 differ from a native
/// build's, and where a byte limit is tight (a photo on the 10,000-byte models) it takes fewer
/// colours to fit. Logos are made natively; the WebAssembly build is for audio.
#[cfg(target_family = "wasm")]
fn optimise(raw: &[u8], _palette_ok: bool) -> Result<Vec<u8>, LogoError> {
    Ok(raw.to_vec())
}

#[cfg(not(target_family = "wasm"))]
fn optimise(raw: &[u8], palette_ok: bool) -> Result<Vec<u8>, LogoError> {
    let mut opts = oxipng::Options::from_preset(2);
    opts.bit_depth_reduction = false;
    opts.grayscale_reduction = false;
    opts.color_type_reduction = palette_ok;
    opts.palette_reduction = true;
    opts.interlace = Some(false);
    opts.strip = oxipng::StripChunks::All;
    opts.timeout = None;
    oxipng::optimize_from_memory(raw, &opts).map_err(|e| LogoError::Encode {
        reason: e.to_string(),
    })
}

/// Grey levels (mono) or palette sizes (colour) tried, in order, when a logo is over its limit.
pub(crate) const STEPS: [usize; 8] = [128, 64, 32, 16, 8, 4, 3, 2];

/// `plane` with at most `n` colours (or greys), dithered or not, as an optimised PNG.
pub(crate) fn reduced(plane: &Plane, n: usize, dither: bool) -> Result<Vec<u8>, LogoError> {
    if plane.channels == 1 {
        let levels: Vec<[u8; 3]> = (0..n)
            .map(|i| {
                let v = ((i * 255 + (n - 1) / 2) / (n - 1)) as u8;
                [v, v, v]
            })
            .collect();
        let (indices, _) = map(plane, &levels, dither);
        let data = indices.iter().map(|&i| levels[usize::from(i)][0]).collect();
        let grey = Plane {
            data,
            ..plane.clone()
        };
        return optimise(&write_png(&grey, png::ColorType::Grayscale, None)?, false);
    }
    let palette = median_cut(&plane.data, n);
    let (indices, palette) = map(plane, &palette, dither);
    let indexed = Plane {
        width: plane.width,
        height: plane.height,
        channels: 1,
        data: indices,
    };
    let flat: Vec<u8> = palette.iter().flatten().copied().collect();
    optimise(
        &write_png(&indexed, png::ColorType::Indexed, Some(&flat))?,
        true,
    )
}

/// Up to `n` representative colours of RGB `data` by median cut: the box with the widest
/// channel range is split at its median until there are `n` boxes; each box's colour is its
/// rounded mean.
fn median_cut(data: &[u8], n: usize) -> Vec<[u8; 3]> {
    let mut counts: BTreeMap<[u8; 3], u32> = BTreeMap::new();
    for p in data.chunks_exact(3) {
        *counts.entry([p[0], p[1], p[2]]).or_insert(0) += 1;
    }
    let colours: Vec<([u8; 3], u32)> = counts.into_iter().collect();
    if colours.len() <= n {
        return colours.into_iter().map(|(c, _)| c).collect();
    }
    let mut boxes: Vec<Vec<([u8; 3], u32)>> = vec![colours];
    while boxes.len() < n {
        let range = |b: &Vec<([u8; 3], u32)>, ch: usize| {
            let lo = b.iter().map(|(c, _)| c[ch]).min().unwrap_or(0);
            let hi = b.iter().map(|(c, _)| c[ch]).max().unwrap_or(0);
            hi - lo
        };
        let widest = boxes
            .iter()
            .enumerate()
            .filter(|(_, b)| b.len() > 1)
            .map(|(i, b)| {
                let (ch, r) = (0..3)
                    .map(|ch| (ch, range(b, ch)))
                    .max_by_key(|x| x.1)
                    .unwrap();
                (i, ch, r)
            })
            .max_by_key(|&(i, _, r)| (r, std::cmp::Reverse(i)));
        let Some((i, ch, _)) = widest else { break };
        let mut b = boxes.swap_remove(i);
        b.sort_by_key(|(c, _)| (c[ch], *c));
        let total: u64 = b.iter().map(|(_, k)| u64::from(*k)).sum();
        let mut acc = 0u64;
        let mut cut = 1;
        for (j, (_, k)) in b.iter().enumerate() {
            acc += u64::from(*k);
            if acc * 2 >= total {
                cut = (j + 1).clamp(1, b.len() - 1);
                break;
            }
        }
        let rest = b.split_off(cut);
        boxes.push(b);
        boxes.push(rest);
    }
    let mut palette: Vec<[u8; 3]> = boxes
        .iter()
        .map(|b| {
            let total: u64 = b.iter().map(|(_, k)| u64::from(*k)).sum();
            [0, 1, 2].map(|ch| {
                let s: u64 = b
                    .iter()
                    .map(|(c, k)| u64::from(c[ch]) * u64::from(*k))
                    .sum();
                ((s + total / 2) / total) as u8
            })
        })
        .collect();
    palette.sort();
    palette.dedup();
    palette
}

fn nearest(palette: &[[u8; 3]], c: [i32; 3]) -> usize {
    let mut best = (i32::MAX, 0);
    for (i, p) in palette.iter().enumerate() {
        let d: i32 = (0..3).map(|k| (i32::from(p[k]) - c[k]).pow(2)).sum();
        if d < best.0 {
            best = (d, i);
        }
    }
    best.1
}

/// Maps every pixel to its nearest palette entry, diffusing the error Floyd–Steinberg style
/// (in sixteenths, integer) when `dither`. Returns the indices and the palette.
fn map(plane: &Plane, palette: &[[u8; 3]], dither: bool) -> (Vec<u8>, Vec<[u8; 3]>) {
    let (w, h, c) = (plane.width, plane.height, plane.channels);
    let mut out = Vec::with_capacity(w * h);
    // Error carried into the current and the next row, per pixel and channel, ×16.
    let mut here = vec![[0i32; 3]; w + 2];
    let mut next = vec![[0i32; 3]; w + 2];
    for y in 0..h {
        for x in 0..w {
            let px = &plane.data[(y * w + x) * c..(y * w + x + 1) * c];
            let want: [i32; 3] = [0, 1, 2].map(|k| {
                let v = i32::from(px[if c == 1 { 0 } else { k }]);
                if dither {
                    (v + (here[x + 1][k] + 8).div_euclid(16)).clamp(0, 255)
                } else {
                    v
                }
            });
            let i = nearest(palette, want);
            out.push(i as u8);
            if dither {
                for k in 0..3 {
                    let e = want[k] - i32::from(palette[i][k]);
                    here[x + 2][k] += e * 7;
                    next[x][k] += e * 3;
                    next[x + 1][k] += e * 5;
                    next[x + 2][k] += e;
                }
            }
        }
        std::mem::swap(&mut here, &mut next);
        next.iter_mut().for_each(|e| *e = [0; 3]);
    }
    (out, palette.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_cut_keeps_few_colours_and_splits_many() {
        let two = [0, 0, 0, 255, 255, 255].repeat(10);
        assert_eq!(median_cut(&two, 16), [[0, 0, 0], [255, 255, 255]]);
        let ramp: Vec<u8> = (0..=255u8).flat_map(|v| [v, 255 - v, v / 2]).collect();
        let p = median_cut(&ramp, 8);
        assert_eq!(p.len(), 8);
    }

    #[test]
    fn dithering_keeps_the_mean() {
        let plane = Plane {
            width: 64,
            height: 64,
            channels: 1,
            data: vec![100; 64 * 64],
        };
        let palette = [[0u8; 3], [255; 3]];
        let (idx, _) = map(&plane, &palette, true);
        let mean = idx.iter().map(|&i| f64::from(i) * 255.0).sum::<f64>() / idx.len() as f64;
        assert!((mean - 100.0).abs() < 2.0, "{mean}");
        let (flat, _) = map(&plane, &palette, false);
        assert!(flat.iter().all(|&i| i == 0));
    }
}
