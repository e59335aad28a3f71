//! The audition report: one HTML page for a run (`--html DIR` on `convert` and `build`) to see
//! and hear every tone before the phones do.
//!
//! For every tone: id, display name, source and duration; loudness and true peak against the
//! target; the gain and the limiting applied; the warnings in plain words; a waveform
//! ([`waveform`]) and a spectrum thumbnail ([`spectrum`], where an upsampled 8 kHz source shows
//! nothing above 4 kHz); and a player for a preview that is exactly the phone's audio (the
//! tone's samples wrapped as a 16 kHz mono 16-bit WAV file, [`wav`]). For the set: a loudness
//! chart with one bar per tone against the target, and the files that failed with their
//! errors. The page ([`page`]) needs nothing from the network (no script at all, no font, no
//! CDN), reads on a narrow screen, labels its pictures, and escapes every text it shows.
//!
//! The report is a folder: `index.html` and `previews/<id>.wav`, the previews loaded only when
//! played, so a page of 500 tones stays light. The folder must not be inside the output folder
//! the phones are served from (and that `ringforge check` owns): [`check_location`] refuses it.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use ringforge::audition::{self, Audition, Entry};
//! let dir = tempfile::tempdir()?;
//! let tone = ringforge::convert_bytes(
//!     &ringforge::signal::wav_i16(16_000, 1, &ringforge::signal::sine(440.0, 0.5, 16_000, 8_000)),
//!     Some("wav"), &ringforge::Options::default())?;
//! let sln = dir.path().join("beep.sln");
//! tone.write_sln(&sln)?;
//! let mut run = Audition::default();
//! run.entries.push(Entry::new("beep", "Beep", "beep.wav", &sln, tone.report().clone()));
//! let page = audition::write(&dir.path().join("report"), &run)?;
//! assert!(std::fs::read_to_string(&page)?.contains("previews/beep.wav"));
//! assert!(dir.path().join("report/previews/beep.wav").is_file());
//! # Ok(())
//! # }
//! ```

pub mod page;
pub mod spectrum;
pub mod wav;
pub mod waveform;

use std::fs;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::{sln, Error, Normalize, Report, Result};

/// The page's file name in the report folder.
pub const PAGE_FILE: &str = "index.html";
/// The folder of previews in the report folder.
pub const PREVIEW_DIR: &str = "previews";

/// Everything the report shows about one run.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Audition {
    /// The page's title. Default: "ringforge report".
    pub title: String,
    /// The tones converted (or up to date), in the order to show them.
    pub entries: Vec<Entry>,
    /// The files that failed.
    pub failures: Vec<Failure>,
}

/// One tone of the report.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Entry {
    /// The tone id (also the preview's file stem).
    pub id: String,
    /// The name shown on the phone.
    pub display: String,
    /// The source, as the user named it.
    pub source: String,
    /// The tone file written: the preview and the pictures are made from its samples.
    pub tone_file: PathBuf,
    /// What the conversion found and did.
    pub report: Report,
    /// The normalisation the tone was made with, which sets the target it is shown against.
    pub normalize: Option<Normalize>,
}

impl Entry {
    /// An entry without normalisation.
    pub fn new(
        id: impl Into<String>,
        display: impl Into<String>,
        source: impl Into<String>,
        tone_file: impl Into<PathBuf>,
        report: Report,
    ) -> Entry {
        Entry {
            id: id.into(),
            display: display.into(),
            source: source.into(),
            tone_file: tone_file.into(),
            report,
            normalize: None,
        }
    }

    /// The same entry, shown against `normalize`'s target.
    pub fn with_normalize(mut self, normalize: Option<Normalize>) -> Entry {
        self.normalize = normalize;
        self
    }
}

/// A file that failed, and why.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Failure {
    /// The source, as the user named it.
    pub source: String,
    /// The tone id it would have had, when one was made.
    pub id: Option<String>,
    /// What went wrong and what to do, in words.
    pub error: String,
}

impl Failure {
    /// A failure of `source` with `error`.
    pub fn new(source: impl Into<String>, id: Option<String>, error: impl Into<String>) -> Failure {
        Failure {
            source: source.into(),
            id,
            error: error.into(),
        }
    }
}

/// Refuses a report folder inside (or equal to) `output_dir`, the folder the tones are written
/// to and served from: `ringforge check` treats everything there as the phones' and would
/// report the page and previews as orphans, and the phones' web server would serve them.
/// Neither folder needs to exist; symbolic links in the existing part are resolved.
///
/// # Errors
///
/// [`Error::Invalid`] naming both folders and what to do.
pub fn check_location(report_dir: &Path, output_dir: &Path) -> Result<()> {
    let (r, o) = (resolve(report_dir), resolve(output_dir));
    if r.starts_with(&o) {
        return Err(Error::Invalid(format!(
            "the report folder {} is inside the output folder {} — the output folder holds only \
             what the phones fetch (ringforge check reports anything else); put the report \
             beside it, e.g. in {}",
            report_dir.display(),
            output_dir.display(),
            o.parent()
                .map_or_else(|| PathBuf::from("report"), |p| p.join("report"))
                .display()
        )));
    }
    Ok(())
}

/// `path` made absolute, with the part that exists canonicalised and `.`/`..` resolved in the
/// rest.
fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = fs::canonicalize(existing) {
            let mut out = c;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(n) => out.push(n),
                    _ => {}
                }
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Writes the report into `dir` (created if missing): `index.html` and one preview per tone in
/// `previews/`. Every file is written atomically; previews of tones no longer in the report are
/// removed (the report owns `previews/`). Returns the page's path.
///
/// A tone file that cannot be read is shown with that error instead of its pictures and
/// preview; the rest of the report is still written.
///
/// # Errors
///
/// The folder or the page cannot be written.
pub fn write(dir: &Path, audition: &Audition) -> Result<PathBuf> {
    let previews = dir.join(PREVIEW_DIR);
    fs::create_dir_all(&previews).map_err(|e| Error::io(&previews, e))?;
    let sections: Vec<String> = audition
        .entries
        .par_iter()
        .map(|e| match preview(&previews, e) {
            Ok((samples, name)) => page::tone_section(e, Some((&samples, &name)), None),
            Err(err) => page::tone_section(e, None, Some(&err.to_string())),
        })
        .collect();
    remove_stale_previews(&previews, audition);
    let html = page::render(audition, &sections);
    let path = dir.join(PAGE_FILE);
    sln::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// Reads an entry's tone and writes its preview; returns the samples and the preview's path
/// relative to the page.
fn preview(previews: &Path, e: &Entry) -> Result<(Vec<i16>, String)> {
    let bytes = fs::read(&e.tone_file).map_err(|err| Error::io(&e.tone_file, err))?;
    let samples: Vec<i16> = bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let name = format!("{}.wav", e.id);
    sln::write_atomic(&previews.join(&name), &wav::wav_bytes(&samples))?;
    Ok((samples, format!("{PREVIEW_DIR}/{name}")))
}

fn remove_stale_previews(previews: &Path, audition: &Audition) {
    let keep: std::collections::HashSet<String> = audition
        .entries
        .iter()
        .map(|e| format!("{}.wav", e.id))
        .collect();
    if let Ok(entries) = fs::read_dir(previews) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".wav") && !keep.contains(&name) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_inside_the_output_folder_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        fs::create_dir(&out).unwrap();
        for inside in [
            out.join("report"),
            out.clone(),
            out.join("a/../b"),
            out.join("."),
        ] {
            let e = check_location(&inside, &out).unwrap_err().to_string();
            assert!(e.contains("inside the output folder"), "{e}");
        }
        for beside in [
            d.path().join("report"),
            d.path().join("out-report"),
            out.join(".."),
        ] {
            check_location(&beside, &out).unwrap();
        }
        // Through a symbolic link to the output folder, too.
        #[cfg(unix)]
        {
            let link = d.path().join("link");
            std::os::unix::fs::symlink(&out, &link).unwrap();
            assert!(check_location(&link.join("report"), &out).is_err());
        }
    }
}
