//! Fuzz the logo entry point: any bytes, read as a raster or (when they look like one) an SVG,
//! must give logos that the phones take or a typed error — never a panic, never a runaway.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringforge::logo::{render_bytes, validate_png, ImageLimits, LogoOptions, Model};

fuzz_target!(|data: &[u8]| {
    let mut opts = LogoOptions::default();
    // Small limits keep each run short; the limits themselves are what is being exercised.
    opts.limits = ImageLimits {
        max_pixels: 4_000_000,
        max_side: 4_096,
        ..ImageLimits::default()
    };
    let name = if data.starts_with(b"<") { Some("fuzz.svg") } else { None };
    if let Ok(logos) = render_bytes(data, name, &[Model::D40, Model::D60], &opts) {
        for l in logos {
            assert!(validate_png(&l.png, l.model).is_empty(), "an invalid logo was made");
        }
    }
});
