//! Decoding a logo's source — PNG, JPEG, GIF, BMP, WebP or SVG — with every size checked before
//! the memory it would take is committed.
//!
//! Rasters are identified by their content (never the file name), their header is read first
//! and the declared width, height and pixel count are held against [`ImageLimits`]; only then
//! is the image decoded, into 8-bit RGBA. JPEG goes through zune-jpeg with its run-time SIMD
//! paths switched off (its portable integer code gives the same pixels on every CPU); the other
//! formats go through the `image` crate, whose decoders are integer code without run-time
//! dispatch. SVG is parsed by usvg with no access to the file system: external references
//! (`<image href="file.png">`, `xlink:href` to other files) and embedded raster images are
//! dropped, text needs no system fonts (the `text` feature is off: draw words as paths), the
//! XML is capped at [`ImageLimits::max_svg_nodes`] nodes and entity loops are refused.

use std::io::Cursor;
use std::sync::Mutex;

use image::{ImageDecoder, ImageFormat, ImageReader};
use resvg::usvg;

use super::{ImageLimits, LogoError};

/// A decoded logo source: a raster in 8-bit RGBA, or a vector drawing.
pub(crate) enum Decoded {
    /// Straight (not premultiplied) RGBA, row-major, 4 bytes per pixel.
    Raster(Vec<u8>),
    /// A parsed SVG, drawn at the output size.
    Vector(Box<usvg::Tree>),
}

/// A decoded source image.
pub struct Source {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) format: &'static str,
    pub(crate) decoded: Decoded,
    pub(crate) has_alpha: bool,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

impl Source {
    /// The source's format: `png`, `jpeg`, `gif`, `bmp`, `webp` or `svg`.
    pub fn format(&self) -> &'static str {
        self.format
    }

    /// Width and height in pixels (an SVG's size as it declares it, rounded up).
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Whether the source is a vector drawing (scaled to any size without loss).
    pub fn is_vector(&self) -> bool {
        matches!(self.decoded, Decoded::Vector(_))
    }

    /// Whether the source can hold transparent pixels (an alpha channel or a transparent
    /// colour); they are flattened onto the background.
    pub fn has_alpha(&self) -> bool {
        self.has_alpha
    }
}

/// Decodes `bytes`; `name` (a file name or extension) only decides whether text is read as SVG.
pub(crate) fn decode(
    bytes: &[u8],
    name: Option<&str>,
    limits: &ImageLimits,
) -> Result<Source, LogoError> {
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(LogoError::LimitExceeded {
            what: "input size",
            value: bytes.len() as u64,
            limit: limits.max_input_bytes,
        });
    }
    let format = image::guess_format(bytes).ok();
    match format {
        Some(ImageFormat::Jpeg) => decode_jpeg(bytes, limits),
        Some(f @ (ImageFormat::Png | ImageFormat::Gif | ImageFormat::Bmp | ImageFormat::WebP)) => {
            decode_raster(bytes, f, limits)
        }
        _ if looks_like_svg(bytes, name) => decode_svg(bytes, limits),
        _ => Err(LogoError::UnsupportedFormat {
            reason: match format {
                Some(f) => format!("{f:?} images are not supported"),
                None => "the bytes are not a known image format".into(),
            },
        }),
    }
}

fn looks_like_svg(bytes: &[u8], name: Option<&str>) -> bool {
    let by_name = name.is_some_and(|n| {
        let n = n.to_ascii_lowercase();
        n == "svg" || n.ends_with(".svg")
    });
    let head = &bytes[..bytes.len().min(1024)];
    let head = String::from_utf8_lossy(head);
    by_name || head.contains("<svg")
}

fn check_size(width: u32, height: u32, limits: &ImageLimits) -> Result<(), LogoError> {
    let side = width.max(height);
    if side > limits.max_side {
        return Err(LogoError::LimitExceeded {
            what: "image side (px)",
            value: u64::from(side),
            limit: u64::from(limits.max_side),
        });
    }
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(LogoError::LimitExceeded {
            what: "pixel count",
            value: pixels,
            limit: limits.max_pixels,
        });
    }
    if width.min(height) < limits.min_side {
        return Err(LogoError::TooSmall {
            width,
            height,
            min_side: limits.min_side,
        });
    }
    Ok(())
}

fn corrupt(e: impl std::fmt::Display) -> LogoError {
    LogoError::Corrupt {
        reason: e.to_string(),
    }
}

fn decode_raster(
    bytes: &[u8],
    format: ImageFormat,
    limits: &ImageLimits,
) -> Result<Source, LogoError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // The header's size is checked below, with a message naming the limit; this cap bounds
    // what a decoder may allocate whatever the header says.
    let mut caps = image::Limits::default();
    caps.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    reader.limits(caps);
    let decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, limits)?;
    let has_alpha = decoder.color_type().has_alpha() || format == ImageFormat::Gif;
    let image = image::DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    let rgba = image.into_rgba8();
    Ok(Source {
        width,
        height,
        format: match format {
            ImageFormat::Png => "png",
            ImageFormat::Gif => "gif",
            ImageFormat::Bmp => "bmp",
            _ => "webp",
        },
        decoded: Decoded::Raster(rgba.into_raw()),
        has_alpha,
    })
}

fn decode_jpeg(bytes: &[u8], limits: &ImageLimits) -> Result<Source, LogoError> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;

    let max = limits.max_side as usize;
    let options = DecoderOptions::new_safe()
        .set_use_unsafe(false)
        .set_max_width(max)
        .set_max_height(max)
        .jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(corrupt)?;
    let info = decoder.info().ok_or_else(|| corrupt("no JPEG header"))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_size(width, height, limits)?;
    let rgb = decoder.decode().map_err(corrupt)?;
    if rgb.len() != width as usize * height as usize * 3 {
        return Err(corrupt("the decoded JPEG has the wrong number of pixels"));
    }
    let mut rgba = Vec::with_capacity(rgb.len() / 3 * 4);
    for p in rgb.chunks_exact(3) {
        rgba.extend_from_slice(&[p[0], p[1], p[2], 255]);
    }
    Ok(Source {
        width,
        height,
        format: "jpeg",
        decoded: Decoded::Raster(rgba),
        has_alpha: false,
    })
}

fn decode_svg(bytes: &[u8], limits: &ImageLimits) -> Result<Source, LogoError> {
    let text = std::str::from_utf8(bytes).map_err(|_| LogoError::UnsupportedFormat {
        reason: "the file is neither a raster image nor UTF-8 SVG text".into(),
    })?;
    let xml = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            nodes_limit: limits.max_svg_nodes,
            ..roxmltree::ParsingOptions::default()
        },
    )
    .map_err(|e| LogoError::Corrupt {
        reason: format!("not a readable SVG: {e}"),
    })?;
    // Nothing outside the file: no resources folder, no images at all (a file reference would
    // read the disk; an embedded image would skip the raster limits).
    let refused: Mutex<Option<String>> = Mutex::new(None);
    let refuse = |what: String| {
        if let Ok(mut r) = refused.lock() {
            r.get_or_insert(what);
        }
        None
    };
    let options = usvg::Options {
        resources_dir: None,
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|mime, _, _| refuse(format!("an embedded {mime} image"))),
            resolve_string: Box::new(|href, _| refuse(format!("the file {href:?}"))),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_xmltree(&xml, &options).map_err(|e| LogoError::Corrupt {
        reason: format!("not a usable SVG: {e}"),
    })?;
    drop(options);
    if let Some(what) = refused.into_inner().ok().flatten() {
        return Err(LogoError::ExternalReference { what });
    }
    let size = tree.size();
    let (w, h) = (size.width(), size.height());
    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
        return Err(corrupt("the SVG has no usable width and height"));
    }
    if w.max(h) > 1.0e6 || w.max(h) / w.min(h) > 1_000.0 {
        return Err(LogoError::Corrupt {
            reason: format!("the SVG's size {w} × {h} is out of proportion for a logo"),
        });
    }
    Ok(Source {
        width: w.ceil() as u32,
        height: h.ceil() as u32,
        format: "svg",
        decoded: Decoded::Vector(Box::new(tree)),
        has_alpha: true,
    })
}
