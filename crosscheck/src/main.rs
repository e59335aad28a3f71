//! Prints the MD5 of every conversion in ringforge's golden set (`tests/golden/cases.rs`), one
//! line each in the form of `tests/golden/MD5SUMS`, or of every file under a folder converted with
//! the default options. It uses only the library (no threads, no terminal), so the same source
//! builds for x86-64, aarch64 and wasm32-wasip1, and `scripts/cross-check.sh` compares what each
//! prints.
//!
//! ```text
//! ringforge-crosscheck [--root REPO] [--only SUBSTRING]   # the golden set
//! ringforge-crosscheck --dir FOLDER                       # every file under FOLDER, sorted
//! ```

#[path = "../../tests/golden/cases.rs"]
mod cases;

use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut root = PathBuf::from(".");
    let mut only: Option<String> = None;
    let mut dir: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--root" => root = args.next().expect("--root takes a folder").into(),
            "--only" => only = args.next(),
            "--dir" => dir = args.next().map(PathBuf::from),
            other => panic!("unknown argument {other}"),
        }
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
