//! `--html DIR` on `convert` and `build`: where the report goes, and writing it.

use std::path::Path;

use ringforge::audition::{self, Audition};

/// Refuses a report folder inside the output folder; prints why.
pub fn check_location(report_dir: &Path, output_dir: &Path) -> bool {
    match audition::check_location(report_dir, output_dir) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("error: --html: {e}");
            false
        }
    }
}

/// Writes the report; prints where (unless quiet) or why not. Returns whether it was written.
pub fn write(report_dir: &Path, run: &Audition, quiet: bool) -> bool {
    match audition::write(report_dir, run) {
        Ok(page) => {
            if !quiet {
                eprintln!("note: wrote the report {}", page.display());
            }
            true
        }
        Err(e) => {
            eprintln!("error: report not written: {e}");
            false
        }
    }
}
