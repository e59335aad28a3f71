//! Logo fixture images, made at run time (nothing binary is committed): each is described
//! where it is made. Shared by the logo tests.
#![allow(dead_code)]

use image::codecs::webp::WebPEncoder;
use image::codecs::{bmp::BmpEncoder, gif::GifEncoder, jpeg::JpegEncoder, png::PngEncoder};
use image::{ExtendedColorType, ImageEncoder, RgbaImage};

/// A deterministic pseudo-random sequence (LCG), for noise.
pub fn lcg(seed: u32) -> impl FnMut() -> u32 {
    let mut s = seed;
    move || {
        s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        s >> 8
    }
}

/// A "photo": 640 × 480, diagonal colour gradients, a bright disc and ±24 of noise on every
/// channel, so it does not compress trivially.
pub fn photo_rgba(w: u32, h: u32) -> RgbaImage {
    let mut r = lcg(7);
    RgbaImage::from_fn(w, h, |x, y| {
        let n = |r: &mut dyn FnMut() -> u32| (r() % 49) as i32 - 24;
        let d = ((x as i32 - w as i32 / 3).pow(2) + (y as i32 - h as i32 / 2).pow(2)) as f64;
        let disc = if d.sqrt() < f64::from(h) / 4.0 { 90 } else { 0 };
        let base = [
            (x * 255 / w) as i32 + disc,
            (y * 255 / h) as i32 + disc / 2,
            ((x + y) * 255 / (w + h)) as i32,
        ];
        let px = base.map(|v| (v + n(&mut r)).clamp(0, 255) as u8);
        image::Rgba([px[0], px[1], px[2], 255])
    })
}

/// A transparent PNG's pixels: a dark red square (the content) in the middle third of a fully
/// transparent 300 × 100 canvas whose hidden colour is black (a tool that drops alpha shows
/// black there).
pub fn transparent_rgba() -> RgbaImage {
    RgbaImage::from_fn(300, 100, |x, y| {
        if (100..200).contains(&x) && (20..80).contains(&y) {
            image::Rgba([160, 20, 20, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    })
}

/// A black rectangle of `cw` × `ch` on white, filling an image of exactly that size (so the
/// content's aspect is the source's): for geometry tests.
pub fn block_rgba(cw: u32, ch: u32) -> RgbaImage {
    RgbaImage::from_fn(cw, ch, |_, _| image::Rgba([0, 0, 0, 255]))
}

pub fn png(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(img, img.width(), img.height(), ExtendedColorType::Rgba8)
        .unwrap();
    out
}

pub fn jpeg(img: &RgbaImage, quality: u8) -> Vec<u8> {
    let rgb = image::DynamicImage::ImageRgba8(img.clone()).into_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(&rgb, rgb.width(), rgb.height(), ExtendedColorType::Rgb8)
        .unwrap();
    out
}

pub fn gif(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    GifEncoder::new(&mut out)
        .encode(img, img.width(), img.height(), ExtendedColorType::Rgba8)
        .unwrap();
    out
}

pub fn bmp(img: &RgbaImage) -> Vec<u8> {
    let rgb = image::DynamicImage::ImageRgba8(img.clone()).into_rgb8();
    let mut out = Vec::new();
    BmpEncoder::new(&mut out)
        .write_image(&rgb, rgb.width(), rgb.height(), ExtendedColorType::Rgb8)
        .unwrap();
    out
}

pub fn webp(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    WebPEncoder::new_lossless(&mut out)
        .write_image(img, img.width(), img.height(), ExtendedColorType::Rgba8)
        .unwrap();
    out
}

/// A PNG whose header claims `w` × `h` pixels (a decompression bomb when large): a valid
/// signature and IHDR (with its CRC), then a tiny IDAT.
pub fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let small = png(&block_rgba(16, 16));
    let mut out = small.clone();
    out[16..20].copy_from_slice(&w.to_be_bytes());
    out[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&out[12..29]);
    out[29..33].copy_from_slice(&crc.to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// The hostile set: (file name, bytes, what it is).
pub fn hostile() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let good = png(&photo_rgba(64, 48));
    let mut corrupt = good.clone();
    for b in &mut corrupt[60..200] {
        *b ^= 0x5a;
    }
    vec![
        ("corrupt.png", corrupt, "PNG with its image data overwritten"),
        ("truncated.png", good[..good.len() / 2].to_vec(), "PNG cut in half"),
        ("text.png", b"this is not an image\n".to_vec(), "a text file named .png"),
        ("bomb.png", png_claiming(60_000, 60_000), "header claiming 60,000 x 60,000"),
        (
            "external.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image width="10" height="10" xlink:href="/etc/passwd"/></svg>"#.to_vec(),
            "SVG whose only content is an external file reference",
        ),
        ("laughs.svg", billion_laughs(), "SVG with an entity bomb"),
        ("tiny.png", png(&block_rgba(1, 1)), "a 1 x 1 image"),
        ("banner.png", png(&block_rgba(20_000, 20)), "a 20,000-pixel-wide banner"),
    ]
}

fn billion_laughs() -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE svg [\n<!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        s.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    s.push_str("]>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><text>&lol9;</text></svg>\n");
    s.into_bytes()
}
