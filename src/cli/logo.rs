//! The logo flags of `convert` and the image side of `inspect`: flags to library options,
//! one library call, printing.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use ringforge::logo::{self, Fit, Logo, LogoOptions, Model, Rgb};
use ringforge::manifest::ManifestLogo;

use super::output;

/// Logo flags of `convert`.
#[derive(Debug, Args)]
pub struct LogoArgs {
    /// Idle-screen logo for the phones (PNG, JPEG, GIF, BMP, WebP or SVG): writes
    /// logo-<model>.png (and logo-<model>.xml) per model into the output folder.
    #[arg(long, value_name = "IMAGE")]
    pub logo: Option<PathBuf>,
    /// Models to make a logo for: a comma-separated list of d40, d45, d50, d60, d62, d65, d70,
    /// d80, or all.
    #[arg(long, value_name = "LIST", default_value = "all", requires = "logo")]
    pub logo_models: String,
    /// Colour of transparent pixels and of the padding, as #RRGGBB.
    #[arg(
        long,
        value_name = "#RRGGBB",
        default_value = "#ffffff",
        requires = "logo"
    )]
    pub logo_background: String,
    /// contain: the whole image, centred, padded with the background (a small image is not
    /// magnified); cover: fill the screen, cropping the overflow centred.
    #[arg(long, value_enum, default_value_t = FitArg::Contain, requires = "logo")]
    pub logo_fit: FitArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FitArg {
    Contain,
    Cover,
}

impl LogoArgs {
    /// The models and options, or a usage error.
    pub fn options(&self) -> Result<(Vec<Model>, LogoOptions), String> {
        let models =
            Model::parse_list(&self.logo_models).map_err(|e| format!("--logo-models: {e}"))?;
        let background: Rgb = self
            .logo_background
            .parse()
            .map_err(|e| format!("--logo-background: {e}"))?;
        let fit = match self.logo_fit {
            FitArg::Contain => Fit::Contain,
            FitArg::Cover => Fit::Cover,
        };
        Ok((models, LogoOptions::new(fit, background)))
    }
}

/// Makes every model's logo from `path` and writes them into `dir` (all or nothing). Returns
/// the logos for the manifests, or `None` when the image failed (the error is printed).
pub fn convert(
    path: &Path,
    models: &[Model],
    opts: &LogoOptions,
    dir: &Path,
    quiet: bool,
) -> Option<Vec<ManifestLogo>> {
    let logos = match logo::render_path(path, models, opts) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{}", output::line("error", path, &e.to_string()));
            return None;
        }
    };
    let mut out = Vec::new();
    for l in &logos {
        for w in &l.warnings {
            eprintln!("{}", output::line("warning", path, &w.to_string()));
        }
        let file = dir.join(l.model.png_file());
        if let Err(e) = ringforge::sln::write_atomic(&file, &l.png) {
            eprintln!("{}", output::line("error", &file, &e.to_string()));
            return None;
        }
        if !quiet {
            eprintln!("logo       {} ({})", file.display(), describe(l));
        }
        out.push(ManifestLogo::new(
            l.model,
            &l.png,
            Some(path.to_string_lossy().into_owned()),
        ));
    }
    Some(out)
}

fn describe(l: &Logo) -> String {
    let (w, h) = l.size();
    let limit = match l.model.max_bytes() {
        Some(b) => format!("limit {b}"),
        None => "no documented limit".into(),
    };
    format!(
        "{w} × {h}, {}, {} bytes, {limit}",
        if l.model.is_mono() { "grey" } else { "colour" },
        l.png.len()
    )
}

/// What `inspect` says about an image: each model's logo, made in memory.
#[derive(serde::Serialize)]
pub struct ImageInspection {
    path: String,
    format: Option<&'static str>,
    width: Option<u32>,
    height: Option<u32>,
    logos: Vec<LogoLine>,
    error: Option<String>,
}

#[derive(serde::Serialize)]
struct LogoLine {
    model: &'static str,
    width: u32,
    height: u32,
    bytes: u64,
    max_bytes: Option<u64>,
    grey: bool,
    warnings: Vec<String>,
    error: Option<String>,
}

/// Inspects an image as a logo source with the default options. `failed` when it cannot be
/// read or some model's logo cannot be made.
pub fn inspect(path: &Path) -> (ImageInspection, bool) {
    let opts = LogoOptions::default();
    let mut out = ImageInspection {
        path: path.display().to_string(),
        format: None,
        width: None,
        height: None,
        logos: Vec::new(),
        error: None,
    };
    let source = logo::read_source(path, &opts.limits).and_then(|b| {
        let name = path.file_name().and_then(|n| n.to_str());
        Ok(logo::decode(&b, name, &opts.limits)?)
    });
    let source = match source {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(e.to_string());
            return (out, true);
        }
    };
    out.format = Some(source.format());
    (out.width, out.height) = (Some(source.size().0), Some(source.size().1));
    let mut failed = false;
    for model in Model::ALL {
        let (width, height) = model.size();
        let mut line = LogoLine {
            model: model.as_str(),
            width,
            height,
            bytes: 0,
            max_bytes: model.max_bytes(),
            grey: model.is_mono(),
            warnings: Vec::new(),
            error: None,
        };
        match logo::render(&source, model, &opts) {
            Ok(l) => {
                line.bytes = l.png.len() as u64;
                line.warnings = l.warnings.iter().map(ToString::to_string).collect();
            }
            Err(e) => {
                failed = true;
                line.error = Some(e.to_string());
            }
        }
        out.logos.push(line);
    }
    (out, failed)
}

/// Prints an inspection for people.
pub fn print(i: &ImageInspection) {
    match (&i.error, i.format) {
        (Some(e), _) => {
            println!("{}: cannot inspect", i.path);
            println!("  {:<12}{e}", "error");
            return;
        }
        (None, Some(f)) => println!(
            "{}: image ({f}, {} × {}) — logos it would make:",
            i.path,
            i.width.unwrap_or(0),
            i.height.unwrap_or(0)
        ),
        _ => {}
    }
    for l in &i.logos {
        let what = match &l.error {
            Some(e) => format!("error: {e}"),
            None => format!(
                "{} × {} {}, {} bytes ({})",
                l.width,
                l.height,
                if l.grey { "grey" } else { "colour" },
                l.bytes,
                l.max_bytes
                    .map_or("no documented limit".into(), |m| format!("limit {m}"))
            ),
        };
        println!("  {:<12}{what}", l.model);
        for w in &l.warnings {
            println!("  {:<12}{w}", "warning");
        }
    }
}
