//! Prints the MD5 of every conversion in ringforge's golden set (`tests/golden/cases.rs`), one
//! line each in the form of `tests/golden/MD5SUMS`, or of every file under a folder converted with
//! the default options. It uses only the library (no threads, no terminal), so the same source
//! builds for x86-64, aarch64 and wasm32-wasip1, and `scripts/cross-check.sh` compares what each
//! prints.
//!
//! ```text
//! ringforge-crosscheck [--root REPO] [--only SUBSTRING]   # the golden set
//! ringforge-crosscheck --dir FOLDER                       # every file under FOLDER, sorted
//! ringforge-crosscheck --logos [--root REPO]              # every model's logo of each image
//! ```
//!
//! `--logos` renders `assets/logo/` and `tests/fixtures/logos/` for every phone model and prints
//! two MD5s per logo: of the PNG file and of its pixels as 8-bit RGBA. (The WebAssembly build
//! writes PNGs without oxipng, whose deflate is C: other bytes, and fewer colours where a byte
//! limit is tight, so scripts/cross-check.sh compares logos on the native platforms only.)

#[path = "../../tests/golden/cases.rs"]
mod cases;

use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut root = PathBuf::from(".");
    let mut only: Option<String> = None;
    let mut dir: Option<PathBuf> = None;
    let mut logos = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--root" => root = args.next().expect("--root takes a folder").into(),
            "--only" => only = args.next(),
            "--dir" => dir = args.next().map(PathBuf::from),
            "--logos" => logos = true,
            other => panic!("unknown argument {other}"),
        }
    }
    if logos {
        print_logos(&root);
        return;
    }
    if let Some(dir) = dir {
        let mut files = Vec::new();
        walk(&dir, &mut files);
        files.sort();
        let opts = ringforge::Options::default();
        for f in files {
            let name = f.strip_prefix(&dir).unwrap_or(&f).display().to_string();
            match ringforge::convert_path(&f, &opts) {
                Ok(t) => println!("{}  {name}", t.md5_hex()),
                Err(e) => println!("error  {name}: {e}"),
            }
        }
        return;
    }
    for case in cases::cases() {
        if only
            .as_ref()
            .is_some_and(|o| !case.name.contains(o.as_str()))
        {
            continue;
        }
        match cases::md5_of(&root, &case) {
            Ok(md5) => println!("{md5}  {}", case.name),
            Err(e) => println!("error  {}: {e}", case.name),
        }
    }
}

/// `PNG-MD5  PIXELS-MD5  FILE MODEL` for every model's logo of every image in the two folders.
fn print_logos(root: &std::path::Path) {
    use ringforge::logo::{self, LogoOptions, Model};
    let mut files = Vec::new();
    for dir in ["assets/logo", "tests/fixtures/logos"] {
        walk(&root.join(dir), &mut files);
    }
    files.retain(|f| logo::is_image_path(f));
    files.sort();
    for f in files {
        let name = f.strip_prefix(root).unwrap_or(&f).display().to_string();
        match logo::render_path(&f, &Model::ALL, &LogoOptions::default()) {
            Ok(logos) => {
                for l in logos {
                    let pixels = decoded_pixels(&l.png);
                    println!(
                        "{}  {}  {name} {:?}",
                        md5_hex(&l.png),
                        md5_hex(&pixels),
                        l.model
                    );
                }
            }
            Err(e) => println!("error  {name}: {e}"),
        }
    }
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The pixels of a PNG as 8-bit RGBA, whatever the encoder chose to store (grey, palette, RGB,
/// with or without alpha): two PNGs of the same image give the same pixels.
fn decoded_pixels(png_bytes: &[u8]) -> Vec<u8> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a logo is a valid PNG");
    let mut buf = vec![
        0;
        reader
            .output_buffer_size()
            .expect("a logo's size fits in memory")
    ];
    let info = reader.next_frame(&mut buf).expect("a logo is a valid PNG");
    buf.truncate(info.buffer_size());
    let rgba = |p: &[u8]| -> [u8; 4] {
        match info.color_type {
            png::ColorType::Grayscale => [p[0], p[0], p[0], 255],
            png::ColorType::GrayscaleAlpha => [p[0], p[0], p[0], p[1]],
            png::ColorType::Rgb => [p[0], p[1], p[2], 255],
            _ => [p[0], p[1], p[2], p[3]],
        }
    };
    let step = info.color_type.samples();
    buf.chunks_exact(step).flat_map(rgba).collect()
}

/// Every file under `dir`, depth first.
fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the folder") {
        let path = entry.expect("read the folder").path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}
