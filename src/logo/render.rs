//! From a decoded source to the model's exact pixels: where the picture goes (contain or
//! cover), flattening transparency onto the background, and greyscale for the mono models.
//!
//! - **contain** (default): the whole picture, scaled to fit and centred, the rest filled with
//!   the background. A raster smaller than the screen is *not* magnified: it is centred at its
//!   own size (magnifying a small bitmap only makes it blurry; make the source bigger, or use
//!   SVG, which is drawn at whatever size fits). The result carries
//!   [`LogoWarning::NotMagnified`].
//! - **cover**: the screen is filled and the overflow cut off, centred. A raster that has to be
//!   magnified to fill is, with [`LogoWarning::Magnified`].
//!
//! Never stretched: one scale for both axes (a raster's placed size is rounded to whole pixels,
//! so its aspect is kept within half a pixel).
//!
//! Transparency is flattened onto the background in sRGB-encoded values, as browsers do
//! (`out = (c·a + bg·(255 − a)) / 255`, rounded). Greyscale is the luminance of the sRGB colour
//! (Rec. 709 primaries, the ones sRGB uses) computed in linear light and encoded back with the
//! sRGB curve, so a grey stays exactly that grey and colours keep their perceived lightness.

use std::sync::OnceLock;

use resvg::tiny_skia;

use super::scale::{resize, Plane, Window};
use super::source::{Decoded, Source};
use super::{Fit, LogoError, LogoWarning, Model, Rgb};

/// Where the picture lands on the screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Placement {
    /// The part of the source mapped onto the whole screen, in source pixels; in contain mode
    /// it reaches beyond the source, where the background shows.
    pub(crate) window: Window,
    /// The scale from source to screen pixels (the same on both axes).
    pub(crate) scale: f64,
}

/// Places a `src_w` × `src_h` picture on a `w` × `h` screen. `magnify` allows a scale above 1
/// in contain mode (vector sources).
pub(crate) fn place(src_w: f64, src_h: f64, w: u32, h: u32, fit: Fit, magnify: bool) -> Placement {
    let (fw, fh) = (f64::from(w), f64::from(h));
    match fit {
        Fit::Contain => {
            let mut scale = (fw / src_w).min(fh / src_h);
            if !magnify {
                scale = scale.min(1.0);
            }
            let (ww, wh) = (fw / scale, fh / scale);
            let (mut x, mut y) = ((src_w - ww) / 2.0, (src_h - wh) / 2.0);
            if scale == 1.0 {
                // At its own size, on whole pixels: copied exactly, not resampled half a
                // pixel off.
                (x, y) = (x.ceil(), y.ceil());
            }
            Placement {
                window: Window {
                    x,
                    y,
                    width: ww,
                    height: wh,
                },
                scale,
            }
        }
        Fit::Cover => {
            let scale = (fw / src_w).max(fh / src_h);
            let (ww, wh) = (fw / scale, fh / scale);
            Placement {
                window: Window {
                    x: (src_w - ww) / 2.0,
                    y: (src_h - wh) / 2.0,
                    width: ww,
                    height: wh,
                },
                scale,
            }
        }
    }
}

/// sRGB-encoded 8-bit value → linear light, 0…65535.
fn to_linear() -> &'static [u16; 256] {
    static TABLE: OnceLock<[u16; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0u16; 256];
        for (v, out) in t.iter_mut().enumerate() {
            let c = v as f64 / 255.0;
            let lin = if c <= 0.040_45 {
                c / 12.92
            } else {
                libm::pow((c + 0.055) / 1.055, 2.4)
            };
            *out = (lin * 65535.0).round() as u16;
        }
        t
    })
}

/// Linear light 0…65535 → sRGB-encoded 8-bit value.
fn to_srgb() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=65535u32)
            .map(|y| {
                let lin = f64::from(y) / 65535.0;
                let c = if lin <= 0.003_130_8 {
                    lin * 12.92
                } else {
                    1.055 * libm::pow(lin, 1.0 / 2.4) - 0.055
                };
                (c * 255.0).round().clamp(0.0, 255.0) as u8
            })
            .collect()
    })
}

/// The grey of an sRGB colour: Rec. 709 luminance in linear light, sRGB-encoded.
pub(crate) fn grey(r: u8, g: u8, b: u8) -> u8 {
    let lin = to_linear();
    // 0.2126, 0.7152, 0.0722 in 16-bit fixed point (they sum to 65536).
    let y = (13_933 * u64::from(lin[usize::from(r)])
        + 46_871 * u64::from(lin[usize::from(g)])
        + 4_732 * u64::from(lin[usize::from(b)])
        + 32_768)
        >> 16;
    to_srgb()[y as usize]
}

fn blend(c: u8, a: u8, bg: u8) -> u8 {
    ((u32::from(c) * u32::from(a) + u32::from(bg) * (255 - u32::from(a)) + 127) / 255) as u8
}

/// Straight RGBA → opaque RGB (or grey) on `bg`.
fn flatten(rgba: &[u8], bg: Rgb, mono: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgba.len() / 4 * if mono { 1 } else { 3 });
    for p in rgba.chunks_exact(4) {
        let [r, g, b] = [0, 1, 2].map(|i| blend(p[i], p[3], bg.0[i]));
        if mono {
            out.push(grey(r, g, b));
        } else {
            out.extend_from_slice(&[r, g, b]);
        }
    }
    out
}

/// The model's screen filled with the background.
fn canvas(model: Model, bg: Rgb) -> Plane {
    let (w, h) = model.size();
    let (w, h) = (w as usize, h as usize);
    let px: Vec<u8> = if model.is_mono() {
        vec![grey(bg.0[0], bg.0[1], bg.0[2])]
    } else {
        bg.0.to_vec()
    };
    Plane {
        width: w,
        height: h,
        channels: px.len(),
        data: px.repeat(w * h),
    }
}

/// Renders `source` for `model`: exactly the model's size, opaque, grey on mono models.
pub(crate) fn render(
    source: &Source,
    model: Model,
    fit: Fit,
    bg: Rgb,
) -> Result<(Plane, Vec<LogoWarning>), LogoError> {
    let (w, h) = model.size();
    let mut warnings = Vec::new();
    let (sw, sh) = (f64::from(source.width), f64::from(source.height));
    let mut screen = canvas(model, bg);
    match &source.decoded {
        Decoded::Raster(rgba) => {
            let at = place(sw, sh, w, h, fit, false);
            if at.scale > 1.0 + 1e-9 {
                warnings.push(LogoWarning::Magnified {
                    model,
                    factor: at.scale,
                });
            } else if fit == Fit::Contain
                && at.scale == 1.0
                && (sw < f64::from(w) && sh < f64::from(h))
            {
                warnings.push(LogoWarning::NotMagnified {
                    model,
                    width: source.width,
                    height: source.height,
                });
            }
            let mono = model.is_mono();
            let flat = Plane {
                width: source.width as usize,
                height: source.height as usize,
                channels: if mono { 1 } else { 3 },
                data: flatten(rgba, bg, mono),
            };
            let bg = screen.data[..screen.channels].to_vec();
            screen = resize(&flat, at.window, w as usize, h as usize, &bg);
        }
        Decoded::Vector(tree) => {
            let size = tree.size();
            let (vw, vh) = (f64::from(size.width()), f64::from(size.height()));
            let s = place(vw, vh, w, h, fit, true).scale as f32;
            let dx = (w as f32 - size.width() * s) / 2.0;
            let dy = (h as f32 - size.height() * s) / 2.0;
            let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or_else(|| LogoError::Corrupt {
                reason: "cannot allocate the drawing surface".into(),
            })?;
            let transform = tiny_skia::Transform::from_row(s, 0.0, 0.0, s, dx, dy);
            // Drawing the file's shapes: the renderer reads the file, as a decoder does.
            crate::contain::in_decoder(|| resvg::render(tree, transform, &mut pixmap.as_mut()));
            let straight: Vec<u8> = pixmap
                .pixels()
                .iter()
                .flat_map(|p| {
                    let c = p.demultiply();
                    [c.red(), c.green(), c.blue(), c.alpha()]
                })
                .collect();
            screen.data = flatten(&straight, bg, model.is_mono());
        }
    }
    Ok((screen, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_keeps_greys_and_weights_green_most() {
        for v in 0..=255u8 {
            assert_eq!(grey(v, v, v), v);
        }
        assert!(grey(0, 255, 0) > grey(255, 0, 0));
        assert!(grey(255, 0, 0) > grey(0, 0, 255));
        // Pure red is 21.26 % of white's luminance: sRGB-encoded, about 127.
        assert!(
            (126..=128).contains(&grey(255, 0, 0)),
            "{}",
            grey(255, 0, 0)
        );
    }

    #[test]
    fn transparency_becomes_background() {
        assert_eq!(
            flatten(&[10, 20, 30, 0], Rgb([255, 255, 255]), false),
            [255; 3]
        );
        assert_eq!(
            flatten(&[10, 20, 30, 255], Rgb([255, 255, 255]), false),
            [10, 20, 30]
        );
        assert_eq!(
            flatten(&[0, 0, 0, 128], Rgb([255, 255, 255]), false),
            [127; 3]
        );
    }

    #[test]
    fn placement_keeps_the_aspect() {
        let p = place(400.0, 300.0, 150, 45, Fit::Contain, false);
        assert_eq!(
            (p.window.x, p.window.y, p.window.width, p.window.height),
            (-300.0, 0.0, 1000.0, 300.0)
        );
        let p = place(40.0, 30.0, 150, 45, Fit::Contain, false);
        assert_eq!((p.window.x, p.window.y, p.scale), (-55.0, -7.0, 1.0));
        let p = place(400.0, 300.0, 150, 45, Fit::Cover, false);
        assert!((p.window.width / p.window.height - 150.0 / 45.0).abs() < 1e-9);
        assert!((p.window.y - (300.0 - 120.0) / 2.0).abs() < 1e-9);
    }
}
