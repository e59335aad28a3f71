//! Phone logos: exact sizes, geometry, transparency, greys, the byte limit, reproducible bytes,
//! manifests read back by real parsers, `check` on damaged logos, and hostile images.

mod common;
#[path = "support/images.rs"]
mod images;
#[path = "support/ini.rs"]
mod ini;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::run::{Output, Run};
use md5::{Digest, Md5};
use quick_xml::events::Event;
use ringforge::logo::{self, png_info, render_bytes, Fit, LogoOptions, LogoWarning, Model, Rgb};
use serde_json::Value;

fn asset_svg() -> Vec<u8> {
    fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/logo/ringforge-logo.svg")).unwrap()
}

fn md5_hex(b: &[u8]) -> String {
    Md5::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

/// Decoded output pixels as RGB, whatever the PNG's colour type.
fn pixels(png: &[u8]) -> image::RgbImage {
    image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .into_rgb8()
}

/// Every format the tests feed in: (name, bytes).
fn sources() -> Vec<(&'static str, Vec<u8>)> {
    let photo = images::photo_rgba(640, 480);
    vec![
        ("transparent.png", images::png(&images::transparent_rgba())),
        ("photo.jpg", images::jpeg(&photo, 90)),
        ("photo.gif", images::gif(&images::photo_rgba(160, 120))),
        ("photo.bmp", images::bmp(&images::photo_rgba(160, 120))),
        ("photo.webp", images::webp(&images::photo_rgba(160, 120))),
        ("ringforge-logo.svg", asset_svg()),
    ]
}

#[test]
fn every_model_gets_its_exact_size_opaque_grey_or_colour_and_under_the_limit() {
    for (name, bytes) in sources() {
        let logos = render_bytes(&bytes, Some(name), &Model::ALL, &LogoOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(logos.len(), 8);
        for l in &logos {
            let info = png_info(&l.png).unwrap();
            assert_eq!(
                (info.width, info.height),
                l.model.size(),
                "{name} {}",
                l.model
            );
            assert!(!info.alpha, "{name} {}", l.model);
            assert_eq!(info.bit_depth, 8, "{name} {}", l.model);
            if l.model.is_mono() {
                assert_eq!(
                    info.color_type, 0,
                    "{name} {}: mono models are grey",
                    l.model
                );
            } else {
                assert!(matches!(info.color_type, 2 | 3), "{name} {}", l.model);
            }
            if let Some(limit) = l.model.max_bytes() {
                assert!(
                    (l.png.len() as u64) < limit,
                    "{name} {}: {}",
                    l.model,
                    l.png.len()
                );
            }
            assert!(logo::validate_png(&l.png, l.model).is_empty());
        }
    }
}

#[test]
fn the_photo_like_jpeg_stays_under_10000_bytes_by_fewer_colours() {
    let jpeg = images::jpeg(&images::photo_rgba(640, 480), 90);
    let logos = render_bytes(&jpeg, None, &Model::ALL, &LogoOptions::default()).unwrap();
    let d60 = logos.iter().find(|l| l.model == Model::D60).unwrap();
    assert!(d60.png.len() < 10_000, "{}", d60.png.len());
    // The lossless form of a noisy photo does not fit: the warning says what was done.
    assert!(
        d60.warnings
            .iter()
            .any(|w| matches!(w, LogoWarning::Reduced { .. })),
        "{:?}",
        d60.warnings
    );
    let d80 = logos.iter().find(|l| l.model == Model::D80).unwrap();
    assert!(
        d80.png.len() > 10_000,
        "the D80 keeps its colours: {}",
        d80.png.len()
    );
}

/// Bounding box of the pixels darker than 128: (x0, y0, x1, y1), exclusive ends.
fn dark_box(img: &image::RgbImage) -> (u32, u32, u32, u32) {
    let mut b = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, p) in img.enumerate_pixels() {
        if u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2]) < 3 * 128 {
            b = (b.0.min(x), b.1.min(y), b.2.max(x + 1), b.3.max(y + 1));
        }
    }
    b
}

/// The content's width and height with sub-pixel precision: the darkest row's and column's
/// summed darkness (a partly covered edge pixel counts in part).
fn extent(img: &image::RgbImage) -> (f64, f64) {
    let dark = |x: u32, y: u32| f64::from(255 - img.get_pixel(x, y)[1]) / 255.0;
    let w = (0..img.height())
        .map(|y| (0..img.width()).map(|x| dark(x, y)).sum::<f64>())
        .fold(0.0, f64::max);
    let h = (0..img.width())
        .map(|x| (0..img.height()).map(|y| dark(x, y)).sum::<f64>())
        .fold(0.0, f64::max);
    (w, h)
}

/// Contain places a raster at a whole-pixel size (the aspect is kept within half a pixel);
/// the sizes here are chosen so that is within 1 %, and the test measures it.
#[test]
fn contain_keeps_the_whole_picture_at_its_aspect_centred() {
    for (w, h) in [
        (400, 100),
        (100, 240),
        (1000, 450),
        (640, 480),
        (2000, 1000),
    ] {
        let src = images::png(&images::block_rgba(w, h));
        let want = f64::from(w) / f64::from(h);
        for l in render_bytes(&src, None, &Model::ALL, &LogoOptions::default()).unwrap() {
            let px = pixels(&l.png);
            let (x0, y0, x1, y1) = dark_box(&px);
            let (cw, ch) = extent(&px);
            let got = cw / ch;
            let (mw, mh) = l.model.size();
            assert!(
                (got / want - 1.0).abs() < 0.01,
                "{w}x{h} on {}: content {cw:.2}x{ch:.2} aspect {got:.4}, source {want:.4}",
                l.model
            );
            // Scaled to fit: touches two opposite edges, unless it is smaller than the screen.
            if l.warnings.is_empty() {
                assert!(
                    (x0 == 0 && x1 == mw) || (y0 == 0 && y1 == mh),
                    "{w}x{h} on {}",
                    l.model
                );
            } else {
                assert_eq!(
                    (x1 - x0, y1 - y0),
                    (w, h),
                    "{w}x{h} on {}: not magnified",
                    l.model
                );
            }
            assert!(
                x0.abs_diff(mw - x1) <= 1 && y0.abs_diff(mh - y1) <= 1,
                "{w}x{h} on {}",
                l.model
            );
        }
    }
}

#[test]
fn cover_fills_the_screen_and_crops_centred_without_stretching() {
    // A black disc in the middle of a wide white image: after cover it must still be round
    // and centred.
    let (w, h) = (1600u32, 400u32);
    let img = image::RgbaImage::from_fn(w, h, |x, y| {
        let d = (f64::from(x) + 0.5 - 800.0).hypot(f64::from(y) + 0.5 - 200.0);
        if d < 150.0 {
            image::Rgba([0, 0, 0, 255])
        } else {
            image::Rgba([255, 255, 255, 255])
        }
    });
    let opts = LogoOptions::new(Fit::Cover, Rgb::WHITE);
    for l in render_bytes(&images::png(&img), None, &Model::ALL, &opts).unwrap() {
        let px = pixels(&l.png);
        let (mw, mh) = l.model.size();
        let (x0, y0, x1, y1) = dark_box(&px);
        let (cw, ch) = extent(&px);
        let aspect = if l.model == Model::D80 {
            f64::NAN
        } else {
            cw / ch
        };
        assert!(
            l.model == Model::D80 || (aspect - 1.0).abs() < 0.01,
            "{}: disc {cw:.2}x{ch:.2}",
            l.model
        );
        assert!(
            x0.abs_diff(mw - x1) <= 1 && y0.abs_diff(mh - y1) <= 1,
            "{}: off centre",
            l.model
        );
        // The screen is filled and the overflow cut: on the D80 (tall) the 1600 × 400 source
        // is cut to its middle 250 columns, narrower than the disc.
        if l.model == Model::D80 {
            assert_eq!((x0, x1), (0, mw), "the disc overflows the D80's width");
        }
    }
}

#[test]
fn a_small_raster_is_centred_not_magnified_in_contain_mode() {
    let src = images::png(&images::block_rgba(40, 30));
    let l = &render_bytes(&src, None, &[Model::D60], &LogoOptions::default()).unwrap()[0];
    assert_eq!(dark_box(&pixels(&l.png)), (128, 49, 168, 79));
    assert!(matches!(l.warnings[0], LogoWarning::NotMagnified { .. }));
    let cover = LogoOptions::new(Fit::Cover, Rgb::WHITE);
    let l = &render_bytes(&src, None, &[Model::D60], &cover).unwrap()[0];
    assert!(matches!(l.warnings[0], LogoWarning::Magnified { .. }));
}

#[test]
fn transparency_comes_out_on_the_background_never_black() {
    let src = images::png(&images::transparent_rgba());
    for l in render_bytes(&src, None, &Model::ALL, &LogoOptions::default()).unwrap() {
        let px = pixels(&l.png);
        assert_eq!(px.get_pixel(0, 0).0, [255, 255, 255], "{}", l.model);
        let (w, h) = l.model.size();
        assert_eq!(px.get_pixel(w - 1, h - 1).0, [255, 255, 255], "{}", l.model);
        // The content is there (dark red; grey on the mono models).
        let c = px.get_pixel(w / 2, h / 2).0;
        if l.model.is_mono() {
            assert!(
                c[0] == c[1] && c[1] == c[2] && c[0] < 128,
                "{}: {c:?}",
                l.model
            );
        } else {
            assert!(c[0] > 120 && c[1] < 60, "{}: {c:?}", l.model);
        }
    }
    let navy = LogoOptions::new(Fit::Contain, "#000080".parse().unwrap());
    let l = &render_bytes(&src, None, &[Model::D60], &navy).unwrap()[0];
    assert_eq!(pixels(&l.png).get_pixel(0, 0).0, [0, 0, 128]);
}

/// The bytes of every logo made from the project's own SVG and from the photo-like JPEG.
/// A change here changes what every phone downloads: update deliberately.
const GOLDEN: [(&str, Model, &str); 16] = [
    ("svg", Model::D40, "b4016a7fb48cb8ba093b4239e4dff887"),
    ("svg", Model::D45, "b4016a7fb48cb8ba093b4239e4dff887"),
    ("svg", Model::D50, "b4016a7fb48cb8ba093b4239e4dff887"),
    ("svg", Model::D60, "5399e585873af863139890e33080a25e"),
    ("svg", Model::D62, "5399e585873af863139890e33080a25e"),
    ("svg", Model::D65, "5399e585873af863139890e33080a25e"),
    ("svg", Model::D70, "26809ea80f83bb8c2602b6c4ed907523"),
    ("svg", Model::D80, "24033e36379b4e8b43478dca0c2ceacb"),
    ("jpeg", Model::D40, "e30e226db64dea210ffcc69aac11d295"),
    ("jpeg", Model::D45, "e30e226db64dea210ffcc69aac11d295"),
    ("jpeg", Model::D50, "e30e226db64dea210ffcc69aac11d295"),
    ("jpeg", Model::D60, "18cae330812fe23817d8c6cf9ebb45af"),
    ("jpeg", Model::D62, "18cae330812fe23817d8c6cf9ebb45af"),
    ("jpeg", Model::D65, "18cae330812fe23817d8c6cf9ebb45af"),
    ("jpeg", Model::D70, "8d8dae259250398be2b55c9cac7ce00e"),
    ("jpeg", Model::D80, "f12ea383eb33046d370ff0ed1debfc93"),
];

#[test]
fn golden_md5s_of_the_rendered_logos() {
    let svg = render_bytes(
        &asset_svg(),
        Some("logo.svg"),
        &Model::ALL,
        &LogoOptions::default(),
    )
    .unwrap();
    let jpeg = images::jpeg(&images::photo_rgba(640, 480), 90);
    let jpeg = render_bytes(&jpeg, None, &Model::ALL, &LogoOptions::default()).unwrap();
    let mut got = Vec::new();
    for (kind, logos) in [("svg", &svg), ("jpeg", &jpeg)] {
        for l in logos {
            got.push(format!(
                "    (\"{kind}\", Model::{:?}, \"{}\"),",
                l.model,
                md5_hex(&l.png)
            ));
        }
    }
    let want: Vec<String> = GOLDEN
        .iter()
        .map(|(k, m, md5)| format!("    (\"{k}\", Model::{m:?}, \"{md5}\"),"))
        .collect();
    assert_eq!(got, want, "\n{}", got.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Hostile images

#[test]
fn hostile_images_fail_fast_with_a_typed_error() {
    for (name, bytes, what) in images::hostile() {
        let started = Instant::now();
        let r = render_bytes(&bytes, Some(name), &Model::ALL, &LogoOptions::default());
        let e = r.expect_err(&format!("{name} ({what}) was accepted"));
        let kind_ok = match name {
            "bomb.png" | "banner.png" => matches!(e, logo::LogoError::LimitExceeded { .. }),
            "tiny.png" => matches!(e, logo::LogoError::TooSmall { .. }),
            "external.svg" => matches!(e, logo::LogoError::ExternalReference { .. }),
            "text.png" => matches!(e, logo::LogoError::UnsupportedFormat { .. }),
            _ => matches!(e, logo::LogoError::Corrupt { .. }),
        };
        assert!(kind_ok, "{name}: {e:?}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{name}: {:?}",
            started.elapsed()
        );
    }
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.path().join(rel)
    }
    fn write(&self, rel: &str, bytes: &[u8]) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    fn run(&self, args: &[&str]) -> Output {
        Run::new(args).cwd(self.0.path()).output()
    }
}

fn tone_wav() -> Vec<u8> {
    ringforge::signal::wav_i16(
        16_000,
        1,
        &ringforge::signal::sine(440.0, 0.5, 16_000, 16_000),
    )
}

#[test]
fn hostile_logos_exit_1_name_the_file_write_nothing_and_the_tones_still_convert() {
    let dir = Dir::new();
    dir.write("ring.wav", &tone_wav());
    for (name, bytes, what) in images::hostile() {
        dir.write(name, &bytes);
        let out_dir = format!("out-{name}");
        let started = Instant::now();
        let out = dir.run(&["convert", "ring.wav", "-o", &out_dir, "--logo", name]);
        assert!(started.elapsed() < Duration::from_secs(20), "{name}");
        assert_eq!(out.code(), Some(1), "{name} ({what}): {}", out.text());
        let err = &out.stderr;
        assert!(
            err.lines()
                .any(|l| l.starts_with("error: ") && l.contains(name)),
            "{name}: {err}"
        );
        let written: Vec<String> = fs::read_dir(dir.path(&out_dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !written.iter().any(|f| f.starts_with("logo-")),
            "{name}: {written:?}"
        );
        assert!(
            written.contains(&"ring.sln".to_string()),
            "{name}: {written:?}"
        );
        let json: Value =
            serde_json::from_slice(&fs::read(dir.path(&out_dir).join("ringtones.json")).unwrap())
                .unwrap();
        assert!(json.get("logos").is_none(), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Manifests and the command line

#[test]
fn convert_writes_logos_and_manifests_that_real_parsers_read_back() {
    let dir = Dir::new();
    dir.write("ring.wav", &tone_wav());
    dir.write("mark.svg", &asset_svg());
    let out = dir.run(&[
        "convert",
        "ring.wav",
        "-o",
        "out",
        "--logo",
        "mark.svg",
        "--logo-models",
        "d70,d40,d60",
        "--url-prefix",
        "http://pbx.example.com/p/",
    ]);
    out.assert_ok();
    let first: Vec<(String, Vec<u8>)> = {
        let mut v: Vec<_> = fs::read_dir(dir.path("out"))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    for m in [Model::D40, Model::D60, Model::D70] {
        let png = fs::read(dir.path("out").join(m.png_file())).unwrap();
        let xml = fs::read_to_string(dir.path("out").join(m.xml_file())).unwrap();
        // quick-xml: exactly one <setting> under <config>, with the file's MD5 and URL.
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut settings = Vec::new();
        let mut depth = 0;
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) => {
                    assert_eq!(e.name().as_ref(), "config");
                    depth += 1;
                }
                Event::End(_) => depth -= 1,
                Event::Empty(e) => {
                    assert_eq!(depth, 1);
                    let attrs: Vec<(String, String)> = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            (
                                a.key.as_ref().to_string(),
                                a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                    .unwrap()
                                    .into_owned(),
                            )
                        })
                        .collect();
                    settings.push(attrs);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        let want = vec![
            ("id".to_string(), "logo_file".to_string()),
            ("value".into(), "user".into()),
            ("path".into(), "/user_image.png".into()),
            (
                "url".into(),
                format!("http://pbx.example.com/p/{}", m.png_file()),
            ),
            ("md5".into(), md5_hex(&png)),
        ];
        assert_eq!(settings, vec![want], "{}", m);
    }
    assert!(!dir.path("out/logo-d80.png").exists());

    // The DPMA fragment, with a phone section inheriting the template as the comment shows.
    let conf = fs::read_to_string(dir.path("out/res_digium_phone.conf")).unwrap();
    assert!(conf.contains(";   [1001](ringforge-logos)\n"), "{conf}");
    let with_phone = format!("{conf}\n[1001](ringforge-logos)\ntype=phone\n");
    let sections = ini::read(&with_phone).unwrap();
    assert!(sections["ringforge-logos"].is_template);
    let phone: Vec<(String, String)> = sections["1001"].values.clone();
    assert_eq!(
        phone,
        [
            ("d40_logo_file", "logo-d40.png"),
            ("d60_logo_file", "logo-d60.png"),
            ("d70_logo_file", "logo-d70.png"),
            ("type", "phone")
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
    );

    // The JSON manifest's logos, sorted by model, with the files' digests.
    let json: Value =
        serde_json::from_slice(&fs::read(dir.path("out/ringtones.json")).unwrap()).unwrap();
    let logos = json["logos"].as_array().unwrap();
    let models: Vec<&str> = logos.iter().map(|l| l["model"].as_str().unwrap()).collect();
    assert_eq!(models, ["d40", "d60", "d70"]);
    for l in logos {
        let png = fs::read(dir.path("out").join(l["file"].as_str().unwrap())).unwrap();
        assert_eq!(l["md5"], md5_hex(&png));
        assert_eq!(l["bytes"], png.len());
        assert_eq!(l["source"], "mark.svg");
        let m: Model = l["model"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            (l["width"].as_u64().unwrap(), l["height"].as_u64().unwrap()),
            (u64::from(m.size().0), u64::from(m.size().1))
        );
    }

    // A second run writes exactly the same bytes.
    let out = dir.run(&[
        "convert",
        "ring.wav",
        "-o",
        "out",
        "--logo",
        "mark.svg",
        "--logo-models",
        "d70,d40,d60",
        "--url-prefix",
        "http://pbx.example.com/p/",
    ]);
    assert_eq!(out.code(), Some(0));
    let mut again: Vec<(String, Vec<u8>)> = fs::read_dir(dir.path("out"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    again.sort();
    assert_eq!(first, again);
}

#[test]
fn logos_alone_need_no_audio_and_bad_flags_are_usage_errors() {
    let dir = Dir::new();
    dir.write("mark.svg", &asset_svg());
    let out = dir.run(&[
        "convert",
        "-o",
        "out",
        "--logo",
        "mark.svg",
        "--logo-fit",
        "cover",
        "--logo-background",
        "#102030",
    ]);
    out.assert_ok();
    assert_eq!(
        fs::read_dir(dir.path("out"))
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".png"))
            .count(),
        8
    );
    let out = dir.run(&[
        "convert",
        "-o",
        "out",
        "--logo",
        "mark.svg",
        "--logo-models",
        "p330",
    ]);
    out.assert_code(2);
    let out = dir.run(&[
        "convert",
        "-o",
        "out",
        "--logo",
        "mark.svg",
        "--logo-background",
        "white",
    ]);
    out.assert_code(2);
    let out = dir.run(&["inspect", "mark.svg"]);
    out.assert_ok();
    let s = &out.stdout;
    assert!(
        s.contains("d40") && s.contains("150 × 45 grey") && s.contains("800 × 1280 colour"),
        "{s}"
    );
    dir.write("tiny.png", &images::png(&images::block_rgba(1, 1)));
    let out = dir.run(&["inspect", "tiny.png"]);
    out.assert_code(1);
}

// ---------------------------------------------------------------------------------------------
// build and check

const CONFIG: &str = r#"
[output]
dir = "out"
url_prefix = "http://pbx/p/"

[[tone]]
id = "ring"
source = "ring.wav"

[logo]
source = "art/mark.svg"
models = ["d40", "d60", "d80"]
"#;

fn repo() -> Dir {
    let dir = Dir::new();
    dir.write(".git/HEAD", b"");
    dir.write("ring.wav", &tone_wav());
    dir.write("art/mark.svg", &asset_svg());
    dir.write("ringforge.toml", CONFIG.as_bytes());
    dir
}

fn check(dir: &Dir) -> (i32, Vec<(String, String, String)>) {
    let out = dir.run(&["check", "--format", "json"]);
    let v: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.text()));
    let problems = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["file"].as_str().unwrap().replace('\\', "/"),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (out.code().unwrap(), problems)
}

fn build(dir: &Dir) -> String {
    let out = dir.run(&["build"]);
    out.assert_ok();
    format!("{}{}", out.stdout, out.stderr)
}

#[test]
fn build_makes_what_changed_and_check_names_each_kind_of_damage() {
    let dir = repo();
    let first = build(&dir);
    assert!(
        first.contains("out/logo-d60.png") && first.contains("new"),
        "{first}"
    );
    assert_eq!(check(&dir), (0, vec![]));
    // The summary counts what was checked: the tone, the three logos, and the three manifests
    // with the three logo fragments.
    let out = dir.run(&["check"]);
    out.assert_ok();
    assert!(
        out.stderr
            .contains("ok: 1 tone, 3 logos and 6 manifests are valid and up to date"),
        "{}",
        out.text()
    );
    let json: Value =
        serde_json::from_str(&dir.run(&["check", "--format", "json"]).stdout).unwrap();
    assert_eq!(
        (json["tones"].as_u64(), json["logos"].as_u64()),
        (Some(1), Some(3))
    );
    let again = build(&dir);
    assert!(!again.contains("logo       "), "nothing to make: {again}");

    // Tampered: another valid PNG of the right size in place of the D60 logo.
    let good = fs::read(dir.path("out/logo-d60.png")).unwrap();
    let other = render_bytes(
        &images::png(&images::transparent_rgba()),
        None,
        &[Model::D60],
        &LogoOptions::default(),
    )
    .unwrap();
    fs::write(dir.path("out/logo-d60.png"), &other[0].png).unwrap();
    let (code, p) = check(&dir);
    assert_eq!(code, 1);
    assert!(
        p.iter().any(|(k, f, m)| k == "modified"
            && f.ends_with("out/logo-d60.png")
            && m.contains("modified after")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|(k, f, _)| k == "manifest-checksum" && f.ends_with("out/logo-d60.xml")),
        "{p:?}"
    );
    // Not a logo the phone takes: each fault its own kind.
    fs::write(dir.path("out/logo-d60.png"), b"not a png").unwrap();
    let (_, p) = check(&dir);
    assert!(
        p.iter()
            .any(|(k, f, _)| k == "logo-not-png" && f.ends_with("logo-d60.png")),
        "{p:?}"
    );
    let d40_sized =
        render_bytes(&asset_svg(), None, &[Model::D40], &LogoOptions::default()).unwrap();
    fs::write(dir.path("out/logo-d60.png"), &d40_sized[0].png).unwrap();
    let (_, p) = check(&dir);
    assert!(
        p.iter()
            .any(|(k, _, m)| k == "logo-wrong-size" && m.contains("296 × 128")),
        "{p:?}"
    );
    assert!(p.iter().any(|(k, _, _)| k == "logo-colour"), "{p:?}");
    fs::write(dir.path("out/logo-d60.png"), &good).unwrap();
    assert_eq!(check(&dir), (0, vec![]));

    // Stale: the source changed.
    let changed = String::from_utf8(asset_svg())
        .unwrap()
        .replace("#1f6feb", "#d02020");
    dir.write("art/mark.svg", changed.as_bytes());
    let (code, p) = check(&dir);
    assert_eq!(code, 1);
    assert!(
        p.iter().any(|(k, f, m)| k == "stale"
            && f.ends_with("logo-d60.png")
            && m.contains("source or options changed")),
        "{p:?}"
    );
    let rebuilt = build(&dir);
    assert!(rebuilt.contains("source or options changed"), "{rebuilt}");
    assert_eq!(check(&dir), (0, vec![]));

    // Missing.
    fs::remove_file(dir.path("out/logo-d40.png")).unwrap();
    let (_, p) = check(&dir);
    assert!(
        p.iter().any(|(k, f, m)| k == "missing"
            && f.ends_with("logo-d40.png")
            && m.contains("d40 logo")),
        "{p:?}"
    );
    build(&dir);

    // Orphan: a logo no model produces.
    fs::write(dir.path("out/logo-d70.png"), &good).unwrap();
    let (_, p) = check(&dir);
    assert!(
        p.iter().any(|(k, f, m)| k == "orphan"
            && f.ends_with("logo-d70.png")
            && m.contains("logo file")),
        "{p:?}"
    );
    build(&dir);
    assert!(
        !dir.path("out/logo-d70.png").exists(),
        "build removes stray logos"
    );
    assert_eq!(check(&dir), (0, vec![]));

    // A model leaving the config: its logo and fragment go.
    dir.write(
        "ringforge.toml",
        CONFIG.replace(r#", "d80""#, "").as_bytes(),
    );
    let out = build(&dir);
    assert!(out.contains("removed    out/logo-d80.png"), "{out}");
    assert!(!dir.path("out/logo-d80.xml").exists());
    assert_eq!(check(&dir), (0, vec![]));
}
