//! Same input, same bytes, on every machine: the golden set's MD5s are committed in
//! `tests/golden/MD5SUMS`, made by the sound version named in its first line.
//!
//! A change that moves any of them changes what phones download, so it must come with a new
//! [`ringforge::SOUND_VERSION`]. To accept new bytes: raise `SOUND_VERSION` (src/fingerprint.rs),
//! then run `RINGFORGE_BLESS=1 cargo test --test golden`, which rewrites the file only when the
//! version was raised. `scripts/cross-check.sh` checks the same sums under other CPUs and in
//! WebAssembly.

#[path = "golden/cases.rs"]
mod cases;

use std::collections::BTreeMap;
use std::path::Path;

const SUMS: &str = "tests/golden/MD5SUMS";

/// The committed file: its sound version and its sums by case name.
fn committed(root: &Path) -> Option<(u32, BTreeMap<String, String>)> {
    let text = std::fs::read_to_string(root.join(SUMS)).ok()?;
    let mut lines = text.lines();
    let version = lines
        .next()?
        .strip_prefix("# sound version ")?
        .trim()
        .parse()
        .ok()?;
    let sums = lines
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (md5, name) = l.split_once("  ").expect("`MD5  NAME` lines");
            (name.to_string(), md5.to_string())
        })
        .collect();
    Some((version, sums))
}

fn render(sums: &BTreeMap<String, String>) -> String {
    let mut s = format!(
        "# sound version {}\n# MD5 of the .sln bytes of each case in tests/golden/cases.rs\n",
        ringforge::SOUND_VERSION
    );
    for (name, md5) in sums {
        s.push_str(&format!("{md5}  {name}\n"));
    }
    s
}

#[test]
fn golden_set_bytes_are_pinned_by_the_sound_version() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases = cases::cases();
    let mut names = std::collections::HashSet::new();
    assert!(
        cases.iter().all(|c| names.insert(c.name.clone())),
        "case names are unique"
    );
    let now: BTreeMap<String, String> = cases
        .iter()
        .map(|c| {
            let md5 = cases::md5_of(root, c).unwrap_or_else(|e| panic!("{}: {e}", c.name));
            (c.name.clone(), md5)
        })
        .collect();
    let bless = std::env::var_os("RINGFORGE_BLESS").is_some();
    let old = committed(root);
    if bless {
        match &old {
            Some((v, sums)) if *v == ringforge::SOUND_VERSION && *sums != now => panic!(
                "the bytes changed but SOUND_VERSION is still {v}: raise it in src/fingerprint.rs \
                 first, so that `ringforge check` can tell an old build from a modified file"
            ),
            _ => std::fs::write(root.join(SUMS), render(&now)).expect("write MD5SUMS"),
        }
        return;
    }
    let (version, sums) = old.expect("tests/golden/MD5SUMS is missing or unreadable");
    assert_eq!(
        version,
        ringforge::SOUND_VERSION,
        "tests/golden/MD5SUMS was made by sound version {version}, this build is sound version \
         {}: regenerate it with `RINGFORGE_BLESS=1 cargo test --test golden`",
        ringforge::SOUND_VERSION
    );
    let differ: Vec<String> = now
        .iter()
        .filter(|(name, md5)| sums.get(*name) != Some(md5))
        .map(|(name, md5)| {
            format!(
                "  {name}: {} now {md5}",
                sums.get(name).map_or("none", |s| s)
            )
        })
        .chain(
            sums.keys()
                .filter(|n| !now.contains_key(*n))
                .map(|n| format!("  {n}: no longer a case")),
        )
        .collect();
    assert!(
        differ.is_empty(),
        "{} of {} golden conversions changed bytes:\n{}\nEvery phone would download these tones \
         again. If the change is intended, raise ringforge::SOUND_VERSION (src/fingerprint.rs) and \
         run `RINGFORGE_BLESS=1 cargo test --test golden`; if not, find what changed the signal path.",
        differ.len(),
        now.len(),
        differ.join("\n")
    );
}
