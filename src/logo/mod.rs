//! Idle-screen logos: one PNG per D-series model, from a PNG, JPEG, GIF, BMP, WebP or SVG.
//!
//! Each logo is exactly the model's size ([`Model::size`]), never stretched: the picture is
//! scaled to fit and centred on the background ([`Fit::Contain`], the default) or scaled to
//! fill and cropped centred ([`Fit::Cover`]). A raster smaller than the screen is centred at
//! its own size in contain mode rather than magnified (see [`LogoWarning::NotMagnified`]); SVG
//! is drawn at whatever size fits. Transparency is flattened onto the background (white by
//! default), never black, and no logo has an alpha channel. The mono models (D40, D45, D50,
//! D70) get 8-bit greyscale (luminance in linear light with Rec. 709 weights), the colour
//! models 8-bit RGB or palette. D40–D70 logos stay under 10,000 bytes: lossless first (oxipng),
//! then fewer colours with dithering; one that still does not fit is
//! [`LogoError::TooLarge`]. The D80 has no documented limit: its size is reported.
//!
//! The same source bytes and options give the same PNG bytes on every machine: the pixel
//! path is integer arithmetic (filter weights from the `libm` crate), JPEG decoding runs
//! without run-time SIMD dispatch, and oxipng runs with fixed options, no threads and no
//! timeout. (SVG drawing by resvg/tiny-skia picks its SIMD at compile time, so every x86-64
//! build draws alike.)
//!
//! Bad input fails with a typed error before memory is committed: [`ImageLimits`] caps the
//! file size, the width and height, the pixel count and an SVG's XML nodes, and refuses
//! sources too small to be a logo.
//!
//! ```
//! use ringforge::logo::{render_bytes, LogoOptions, Model};
//!
//! let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">
//!   <rect width="40" height="20" fill="#c02020"/></svg>"##;
//! let logos = render_bytes(svg, Some("mark.svg"), &[Model::D40, Model::D60], &LogoOptions::default())?;
//! assert_eq!(logos[0].model, Model::D40);
//! let info = ringforge::logo::png_info(&logos[0].png)?;
//! assert_eq!((info.width, info.height, info.grey), (150, 45, true));
//! assert!(logos[1].png.len() < 10_000);
//! # Ok::<(), ringforge::logo::LogoError>(())
//! ```

mod model;
mod png;
mod render;
mod scale;
mod source;

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::contain::{contain, in_decoder, Caught};

pub use model::{Model, LEGACY_MAX_BYTES};
pub use source::Source;

/// File extensions read as logo sources.
pub const IMAGE_EXTENSIONS: [&str; 7] = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "svg"];

/// Whether `path`'s extension is one of [`IMAGE_EXTENSIONS`] (ignoring case).
pub fn is_image_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Why a logo could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LogoError {
    /// The bytes are not a PNG, JPEG, GIF, BMP, WebP or SVG.
    #[error("not a supported image ({reason}) — use PNG, JPEG, GIF, BMP, WebP or SVG")]
    UnsupportedFormat {
        /// What was found.
        reason: String,
    },
    /// The image is damaged or truncated, or an SVG cannot be read (including an entity loop
    /// or more XML nodes than [`ImageLimits::max_svg_nodes`]).
    #[error("the image is corrupt or truncated ({reason}) — export it again from its original")]
    Corrupt {
        /// What the decoder reported.
        reason: String,
    },
    /// An SVG draws another file or an embedded raster image: ringforge reads nothing but
    /// the file given, and embedded rasters would slip past [`ImageLimits`].
    #[error(
        "the SVG draws {what}, which is not read — draw the artwork as SVG shapes, or convert \
         the raster image itself"
    )]
    ExternalReference {
        /// The reference, e.g. `the file "logo.png"`.
        what: String,
    },
    /// A limit of [`ImageLimits`] was exceeded; checked from the header, before decoding.
    #[error(
        "{what} is {value}, over the limit of {limit} — use a smaller image \
         (or raise the limit in LogoOptions::limits)"
    )]
    LimitExceeded {
        /// What was measured.
        what: &'static str,
        /// Its value in this image.
        value: u64,
        /// The limit.
        limit: u64,
    },
    /// A raster side is shorter than [`ImageLimits::min_side`]: nothing recognisable fits.
    #[error(
        "the image is {width} × {height} pixels; a logo needs at least {min_side} pixels on \
         each side — use the full-size artwork (or SVG)"
    )]
    TooSmall {
        /// Width of the source.
        width: u32,
        /// Height of the source.
        height: u32,
        /// The minimum side.
        min_side: u32,
    },
    /// Even with two colours the logo is not under the model's byte limit.
    #[error(
        "the {model} logo is {bytes} bytes even with 2 colours, not under the phone's \
         {limit}-byte limit — simplify the artwork (flat colours, less detail, no photo)"
    )]
    TooLarge {
        /// The model.
        model: Model,
        /// The smallest size reached.
        bytes: u64,
        /// The limit (exclusive).
        limit: u64,
    },
    /// A model name is not one of d40, d45, d50, d60, d62, d65, d70, d80.
    #[error("unknown phone model `{name}` — use d40, d45, d50, d60, d62, d65, d70, d80 or all")]
    UnknownModel {
        /// The name given.
        name: String,
    },
    /// A background is not `#RRGGBB`.
    #[error("background `{value}` is not a colour — write it as #RRGGBB, e.g. #ffffff")]
    InvalidBackground {
        /// The value given.
        value: String,
    },
    /// A fit is not `contain` or `cover`.
    #[error("fit `{value}` is not contain or cover")]
    InvalidFit {
        /// The value given.
        value: String,
    },
    /// PNG encoding or optimisation failed.
    #[error("writing the PNG failed: {reason}")]
    Encode {
        /// What failed.
        reason: String,
    },
    /// An image decoder or the SVG renderer panicked on this input (caught). Most likely the
    /// file is damaged in a way the decoder does not expect.
    #[error("the image decoder failed on this file; it may be corrupt ({message})")]
    Panicked {
        /// The panic message.
        message: String,
    },
    /// ringforge's own processing panicked on this input (caught): a bug in ringforge, not a
    /// fault of the file.
    #[error(
        "ringforge failed on this file with an internal error ({message}) — this is a bug in \
         ringforge, not a fault of the file; please report it with the file"
    )]
    Internal {
        /// The panic message.
        message: String,
    },
}

impl LogoError {
    /// A stable, machine-readable name of the error's kind, in the vocabulary of
    /// [`Error::kind`](crate::Error::kind): `unsupported_format`, `corrupt_file`,
    /// `external_reference`, `limit_exceeded`, `too_small`, `too_large`, `unknown_model`,
    /// `invalid_options` (a background or fit), `encode`, `decoder_panic` or `internal_error`.
    ///
    /// ```
    /// let err = "d99".parse::<ringforge::logo::Model>().unwrap_err();
    /// assert_eq!(err.kind(), "unknown_model");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            LogoError::UnsupportedFormat { .. } => "unsupported_format",
            LogoError::Corrupt { .. } => "corrupt_file",
            LogoError::ExternalReference { .. } => "external_reference",
            LogoError::LimitExceeded { .. } => "limit_exceeded",
            LogoError::TooSmall { .. } => "too_small",
            LogoError::TooLarge { .. } => "too_large",
            LogoError::UnknownModel { .. } => "unknown_model",
            LogoError::InvalidBackground { .. } | LogoError::InvalidFit { .. } => "invalid_options",
            LogoError::Encode { .. } => "encode",
            LogoError::Panicked { .. } => "decoder_panic",
            LogoError::Internal { .. } => "internal_error",
        }
    }
}

/// How the picture fills the screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Fit {
    /// Scale to fit, centre, pad with the background (default).
    #[default]
    Contain,
    /// Scale to fill, crop centred.
    Cover,
}

impl Fit {
    /// `contain` or `cover`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fit::Contain => "contain",
            Fit::Cover => "cover",
        }
    }
}

impl FromStr for Fit {
    type Err = LogoError;

    fn from_str(s: &str) -> Result<Self, LogoError> {
        match s.to_ascii_lowercase().as_str() {
            "contain" => Ok(Fit::Contain),
            "cover" => Ok(Fit::Cover),
            _ => Err(LogoError::InvalidFit {
                value: s.to_string(),
            }),
        }
    }
}

/// An opaque sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    /// White, the default background.
    pub const WHITE: Rgb = Rgb([255, 255, 255]);
}

impl Default for Rgb {
    fn default() -> Self {
        Rgb::WHITE
    }
}

impl FromStr for Rgb {
    type Err = LogoError;

    /// Parses `#RRGGBB` (the `#` optional, hex digits in either case).
    ///
    /// ```
    /// use ringforge::logo::Rgb;
    /// assert_eq!("#FF8000".parse::<Rgb>()?, Rgb([255, 128, 0]));
    /// assert!("white".parse::<Rgb>().is_err());
    /// # Ok::<(), ringforge::logo::LogoError>(())
    /// ```
    fn from_str(s: &str) -> Result<Self, LogoError> {
        let hex = s.trim().strip_prefix('#').unwrap_or(s.trim());
        let bad = || LogoError::InvalidBackground {
            value: s.to_string(),
        };
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
        Ok(Rgb([byte(0)?, byte(2)?, byte(4)?]))
    }
}

impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

/// Safety limits for logo sources, checked from the file size and the image header before
/// the pixels are decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ImageLimits {
    /// Largest source file, in bytes. Default 32 MiB.
    pub max_input_bytes: u64,
    /// Longest side of a raster, in pixels. Default 16,384.
    pub max_side: u32,
    /// Most pixels in a raster (width × height). Default 40,000,000 (160 MB as RGBA).
    pub max_pixels: u64,
    /// Shortest side a raster may have, in pixels. Default 16.
    pub min_side: u32,
    /// Most XML nodes in an SVG. Default 100,000.
    pub max_svg_nodes: u32,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_input_bytes: 32 << 20,
            max_side: 16_384,
            max_pixels: 40_000_000,
            min_side: 16,
            max_svg_nodes: 100_000,
        }
    }
}

/// How logos are made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct LogoOptions {
    /// Contain (default) or cover.
    pub fit: Fit,
    /// What transparent pixels and padding become. Default white.
    pub background: Rgb,
    /// Source limits. Default [`ImageLimits::default`].
    pub limits: ImageLimits,
}

impl LogoOptions {
    /// Options with the given fit and background, default limits.
    pub fn new(fit: Fit, background: Rgb) -> Self {
        LogoOptions {
            fit,
            background,
            limits: ImageLimits::default(),
        }
    }

    /// A canonical encoding of what decides the output bytes (fit and background; the
    /// limits only refuse inputs), for cache keys.
    pub fn fingerprint(&self) -> Vec<u8> {
        let mut v = b"fit=".to_vec();
        v.extend_from_slice(self.fit.as_str().as_bytes());
        v.extend_from_slice(b";background=");
        v.extend_from_slice(&self.background.0);
        v
    }
}

/// Something worth telling about a logo that was made anyway.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LogoWarning {
    /// Contain mode: the raster is smaller than the screen and was centred at its own size.
    NotMagnified {
        /// The model.
        model: Model,
        /// Source width.
        width: u32,
        /// Source height.
        height: u32,
    },
    /// Cover mode: the raster had to be magnified to fill the screen.
    Magnified {
        /// The model.
        model: Model,
        /// The magnification.
        factor: f64,
    },
    /// Lossless was over the byte limit: the logo has fewer colours (greys).
    Reduced {
        /// The model.
        model: Model,
        /// Colours (or grey levels) kept.
        colours: usize,
        /// Whether they were dithered.
        dithered: bool,
    },
}

impl fmt::Display for LogoWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogoWarning::NotMagnified {
                model,
                width,
                height,
            } => {
                let (w, h) = model.size();
                write!(
                    f,
                    "{model}: the image ({width} × {height}) is smaller than the {w} × {h} \
                     screen and is centred at its own size, not magnified — use larger artwork \
                     or SVG to fill it"
                )
            }
            LogoWarning::Magnified { model, factor } => write!(
                f,
                "{model}: the image is magnified {factor:.2}× to cover the screen and will look \
                 soft — use larger artwork or SVG"
            ),
            LogoWarning::Reduced {
                model,
                colours,
                dithered,
            } => write!(
                f,
                "{model}: reduced to {colours} {}{} to stay under {LEGACY_MAX_BYTES} bytes",
                if model.is_mono() { "greys" } else { "colours" },
                if *dithered { ", dithered," } else { "" }
            ),
        }
    }
}

/// One model's logo.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Logo {
    /// The model.
    pub model: Model,
    /// The PNG file's bytes.
    pub png: Vec<u8>,
    /// What is worth telling about it.
    pub warnings: Vec<LogoWarning>,
}

impl Logo {
    /// Width and height (the model's).
    pub fn size(&self) -> (u32, u32) {
        self.model.size()
    }
}

/// Decodes a source image (`name`, a file name or extension, only helps to recognise SVG).
///
/// # Errors
///
/// Every [`LogoError`] about sources: unsupported, corrupt, over a limit, too small.
pub fn decode(bytes: &[u8], name: Option<&str>, limits: &ImageLimits) -> Result<Source, LogoError> {
    contained(|| in_decoder(|| source::decode(bytes, name, limits)))
}

/// Makes `model`'s logo from a decoded source.
///
/// # Errors
///
/// [`LogoError::TooLarge`] when no reduction gets under the byte limit;
/// [`LogoError::Encode`] should PNG writing fail.
pub fn render(source: &Source, model: Model, opts: &LogoOptions) -> Result<Logo, LogoError> {
    contained(|| {
        let (plane, mut warnings) = render::render(source, model, opts.fit, opts.background)?;
        let lossless = png::encode(&plane, !model.is_mono())?;
        let Some(limit) = model.max_bytes() else {
            return Ok(Logo {
                model,
                png: lossless,
                warnings,
            });
        };
        if (lossless.len() as u64) < limit {
            return Ok(Logo {
                model,
                png: lossless,
                warnings,
            });
        }
        let mut smallest = lossless.len() as u64;
        for colours in png::STEPS {
            for dithered in [true, false] {
                let candidate = png::reduced(&plane, colours, dithered)?;
                smallest = smallest.min(candidate.len() as u64);
                if (candidate.len() as u64) < limit {
                    warnings.push(LogoWarning::Reduced {
                        model,
                        colours,
                        dithered,
                    });
                    return Ok(Logo {
                        model,
                        png: candidate,
                        warnings,
                    });
                }
            }
        }
        Err(LogoError::TooLarge {
            model,
            bytes: smallest,
            limit,
        })
    })
}

/// Decodes `bytes` once and makes the logo of every model in `models`, in that order.
///
/// # Errors
///
/// The first error of [`decode`] or [`render`].
pub fn render_bytes(
    bytes: &[u8],
    name: Option<&str>,
    models: &[Model],
    opts: &LogoOptions,
) -> Result<Vec<Logo>, LogoError> {
    let source = decode(bytes, name, &opts.limits)?;
    models.iter().map(|&m| render(&source, m, opts)).collect()
}

/// Reads `path` (refusing files over [`ImageLimits::max_input_bytes`] before reading them) and
/// makes every model's logo.
///
/// # Errors
///
/// [`crate::Error::Io`] when the file cannot be read, [`crate::Error::Logo`] otherwise.
pub fn render_path(path: &Path, models: &[Model], opts: &LogoOptions) -> crate::Result<Vec<Logo>> {
    let bytes = read_source(path, &opts.limits)?;
    let name = path.file_name().and_then(|n| n.to_str());
    Ok(render_bytes(&bytes, name, models, opts)?)
}

/// Reads a source file, refusing one over the size limit before reading it.
///
/// # Errors
///
/// [`crate::Error::Io`], or [`LogoError::LimitExceeded`] for a file too large.
pub fn read_source(path: &Path, limits: &ImageLimits) -> crate::Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .map_err(|e| crate::Error::io(path, e))?
        .len();
    if len > limits.max_input_bytes {
        return Err(LogoError::LimitExceeded {
            what: "input size",
            value: len,
            limit: limits.max_input_bytes,
        }
        .into());
    }
    std::fs::read(path).map_err(|e| crate::Error::io(path, e))
}

/// Runs `f`, turning a panic into [`LogoError::Panicked`] when a decoder raised it and
/// [`LogoError::Internal`] otherwise (see [`crate::contain`]).
fn contained<T>(f: impl FnOnce() -> Result<T, LogoError>) -> Result<T, LogoError> {
    contain(f).unwrap_or_else(|caught| {
        Err(match caught {
            Caught::Decoder(message) => LogoError::Panicked { message },
            Caught::Own(message) => LogoError::Internal { message },
        })
    })
}

/// What a PNG's header says, for checking a logo file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PngInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bits per sample (or per palette index).
    pub bit_depth: u8,
    /// PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA.
    pub color_type: u8,
    /// Whether the image is greyscale (colour type 0 or 4).
    pub grey: bool,
    /// Whether it can be transparent: an alpha channel or a `tRNS` chunk.
    pub alpha: bool,
}

/// Reads a PNG's header and decodes it fully (so a damaged file is caught).
///
/// # Errors
///
/// [`LogoError::UnsupportedFormat`] when it is not a PNG, [`LogoError::Corrupt`] when it does
/// not decode.
pub fn png_info(bytes: &[u8]) -> Result<PngInfo, LogoError> {
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(LogoError::UnsupportedFormat {
            reason: "no PNG signature".into(),
        });
    }
    contained(|| {
        in_decoder(|| {
            let corrupt = |e: ::png::DecodingError| LogoError::Corrupt {
                reason: e.to_string(),
            };
            let mut decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
            decoder.set_transformations(::png::Transformations::IDENTITY);
            let mut reader = decoder.read_info().map_err(corrupt)?;
            let info = reader.info();
            let out = PngInfo {
                width: info.width,
                height: info.height,
                bit_depth: info.bit_depth as u8,
                color_type: info.color_type as u8,
                grey: matches!(
                    info.color_type,
                    ::png::ColorType::Grayscale | ::png::ColorType::GrayscaleAlpha
                ),
                alpha: matches!(
                    info.color_type,
                    ::png::ColorType::Rgba | ::png::ColorType::GrayscaleAlpha
                ) || info.trns.is_some(),
            };
            let size = reader
                .output_buffer_size()
                .ok_or_else(|| LogoError::Corrupt {
                    reason: "image too large".into(),
                })?;
            if size > 64 << 20 {
                return Err(LogoError::LimitExceeded {
                    what: "decoded PNG size",
                    value: size as u64,
                    limit: 64 << 20,
                });
            }
            let mut buf = vec![0; size];
            reader.next_frame(&mut buf).map_err(corrupt)?;
            Ok(out)
        })
    })
}

/// One way a logo file is not what a model takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PngFault {
    /// Not a PNG at all, or it does not decode.
    NotPng,
    /// Not the model's exact size.
    WrongSize,
    /// Has an alpha channel or transparency.
    Alpha,
    /// A mono model's logo that is not 8-bit greyscale, or a colour model's that is not 8-bit.
    WrongColour,
    /// Not under the byte limit.
    TooLarge,
}

/// Checks a logo file for `model`: a decodable PNG, the exact size, no transparency, 8-bit
/// greyscale on mono models (8-bit RGB or palette on colour models), under the byte limit.
/// Each fault comes with a message for people.
///
/// ```
/// use ringforge::logo::{render_bytes, validate_png, LogoOptions, Model, PngFault};
/// let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><circle cx="2" cy="2" r="2"/></svg>"#;
/// let logo = &render_bytes(svg, None, &[Model::D70], &LogoOptions::default())?[0];
/// assert!(validate_png(&logo.png, Model::D70).is_empty());
/// assert_eq!(validate_png(&logo.png, Model::D60)[0].0, PngFault::WrongSize);
/// assert_eq!(validate_png(b"hello", Model::D60)[0].0, PngFault::NotPng);
/// # Ok::<(), ringforge::logo::LogoError>(())
/// ```
pub fn validate_png(bytes: &[u8], model: Model) -> Vec<(PngFault, String)> {
    let mut out = Vec::new();
    let info = match png_info(bytes) {
        Ok(i) => i,
        Err(e) => {
            out.push((PngFault::NotPng, format!("is not a valid PNG: {e}")));
            return out;
        }
    };
    let (w, h) = model.size();
    if (info.width, info.height) != (w, h) {
        out.push((
            PngFault::WrongSize,
            format!(
                "is {} × {} pixels; the {model} shows a {w} × {h} logo",
                info.width, info.height
            ),
        ));
    }
    if info.alpha {
        out.push((
            PngFault::Alpha,
            "has transparency (an alpha channel or tRNS); the phones want an opaque logo".into(),
        ));
    }
    let colour_ok = if model.is_mono() {
        info.grey && info.bit_depth == 8
    } else {
        matches!(info.color_type, 2 | 3) && info.bit_depth == 8
    };
    if !colour_ok {
        out.push((
            PngFault::WrongColour,
            format!(
                "is colour type {} at {} bits; the {model} wants {}",
                info.color_type,
                info.bit_depth,
                if model.is_mono() {
                    "8-bit greyscale (colour type 0)"
                } else {
                    "8-bit RGB or palette (colour type 2 or 3)"
                }
            ),
        ));
    }
    if let Some(limit) = model.max_bytes() {
        if bytes.len() as u64 >= limit {
            out.push((
                PngFault::TooLarge,
                format!(
                    "is {} bytes, not under the {limit}-byte limit of the {model}",
                    bytes.len()
                ),
            ));
        }
    }
    out
}
