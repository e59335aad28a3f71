//! The tones' manifests (`ringtones.xml`, `res_digium_phone.conf`, `ringtones.json`): each read
//! back with [`crate::manifest::read`] and compared with what a build would write.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::PathBuf;

use super::{Problem, ProblemKind, RUN_BUILD};
use crate::manifest::read::{self, ListedAlert, ListedTone, ReadError};
use crate::manifest::{DPMA_FILE, XML_FILE};
use crate::repo::config::Config;

/// A manifest read back: tones in order, alerts as (alert_info, tone, ring type).
struct Parsed {
    tones: Vec<ListedTone>,
    alerts: BTreeSet<(String, String, String)>,
}

impl Parsed {
    /// Reads manifest `name` (by its file name) with the library's reader of its format.
    fn read(name: &str, text: &str) -> Result<Parsed, ReadError> {
        let (tones, alerts) = match name {
            XML_FILE => {
                let r = read::phone_xml(text)?;
                (r.tones, r.alerts)
            }
            DPMA_FILE => {
                let r = read::dpma_conf(text)?;
                (r.tones, r.alerts)
            }
            _ => {
                let r = read::json(text)?;
                (r.tones, r.alerts)
            }
        };
        Ok(Parsed {
            tones,
            alerts: alerts.into_iter().map(alert_key).collect(),
        })
    }
}

fn alert_key(a: ListedAlert) -> (String, String, String) {
    (
        a.alert_info,
        a.tone.unwrap_or_default(),
        a.ring_type.to_string(),
    )
}

/// One manifest being checked: where it is, for the problems found in it.
struct Manifest {
    path: PathBuf,
}

impl Manifest {
    fn problem(
        &self,
        kind: ProblemKind,
        tone: Option<&str>,
        message: String,
        fix: &str,
    ) -> Problem {
        Problem::new(&self.path, tone, kind, message, fix)
    }
}

/// Checks manifest `name` against `expected` (what a build would write), the tones whose
/// files are `present`, and the configuration. `all_clean`: every tone and logo is valid and
/// up to date, so any other difference is reported as an outdated manifest.
pub(super) fn check_manifest(
    config: &Config,
    name: &str,
    expected: crate::Result<String>,
    present: &HashSet<String>,
    all_clean: bool,
) -> Vec<Problem> {
    let m = Manifest {
        path: config.output.dir.join(name),
    };
    let (actual, want, have) = match read_both(&m, name, expected) {
        Ok(read) => read,
        Err(problem) => return vec![problem],
    };
    let mut problems = compare_tones(&m, config, &want, &have, present);
    problems.extend(compare_alerts(&m, &want, &have));
    if problems.is_empty() && all_clean && !same_text_but_sound_version(&actual, &want.text) {
        problems.push(
            m.problem(
                ProblemKind::ManifestOutdated,
                None,
                "differs from what `ringforge build` writes for ringforge.toml (edited by hand, \
             [output] settings changed, line endings converted by git — mark the output \
             folder `-text` in .gitattributes — or written by another ringforge version)"
                    .into(),
                RUN_BUILD,
            ),
        );
    }
    problems
}

/// Whether a manifest's text is the expected one, but for the sound version `ringtones.json`
/// names: when every tone's bytes are what this ringforge makes (the caller checks that), a set
/// built by an earlier sound version whose change left these tones alone is up to date.
fn same_text_but_sound_version(actual: &str, expected: &str) -> bool {
    const KEY: &str = "\"sound_version\": ";
    let line = |t: &str| {
        t.lines()
            .find(|l| l.trim_start().starts_with(KEY))
            .map(String::from)
    };
    match (line(actual), line(expected)) {
        (Some(a), Some(e)) => actual.replacen(&a, &e, 1) == expected,
        _ => actual == expected,
    }
}

/// What a build would write, read back, with its text.
struct Expected {
    text: String,
    parsed: Parsed,
}

impl std::ops::Deref for Expected {
    type Target = Parsed;
    fn deref(&self) -> &Parsed {
        &self.parsed
    }
}

/// The manifest as it is (text), the expected one read back and the actual one read back; or
/// the one problem that stops the comparison.
fn read_both(
    m: &Manifest,
    name: &str,
    expected: crate::Result<String>,
) -> Result<(String, Expected, Parsed), Problem> {
    let expected = expected.map_err(|e| {
        m.problem(
            ProblemKind::ManifestOutdated,
            None,
            format!("cannot be rendered from ringforge.toml to compare: {e}"),
            "fix ringforge.toml",
        )
    })?;
    let actual = fs::read_to_string(&m.path).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            m.problem(
                ProblemKind::ManifestMissing,
                None,
                "is missing".into(),
                RUN_BUILD,
            )
        } else {
            m.problem(
                ProblemKind::Unreadable,
                None,
                format!("cannot be read: {e}"),
                RUN_BUILD,
            )
        }
    })?;
    let want = Parsed::read(name, &expected).map_err(|e| {
        m.problem(
            ProblemKind::ManifestOutdated,
            None,
            format!("internal error reading the expected manifest back: {e}"),
            "report this as a ringforge bug",
        )
    })?;
    let have = Parsed::read(name, &actual).map_err(|e| {
        m.problem(
            ProblemKind::ManifestUnreadable,
            None,
            format!("cannot be parsed: {e}"),
            RUN_BUILD,
        )
    })?;
    let want = Expected {
        text: expected,
        parsed: want,
    };
    Ok((actual, want, have))
}

/// Tones missing, renamed, extra, or listed with other fields or checksums.
fn compare_tones(
    m: &Manifest,
    config: &Config,
    want: &Parsed,
    have: &Parsed,
    present: &HashSet<String>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let have_map: BTreeMap<&str, &ListedTone> =
        have.tones.iter().map(|t| (t.id.as_str(), t)).collect();
    let want_map: BTreeMap<&str, &ListedTone> =
        want.tones.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut renamed_from: BTreeSet<&str> = BTreeSet::new();
    for w in &want.tones {
        let id = w.id.as_str();
        let has_file = present.contains(id);
        let Some(h) = have_map.get(id) else {
            // Renamed? An extra entry with this tone's checksum (or name) is the old name.
            let old = have.tones.iter().find(|l| {
                !want_map.contains_key(l.id.as_str())
                    && !renamed_from.contains(l.id.as_str())
                    && ((has_file && l.md5.is_some() && l.md5 == w.md5)
                        || (l.display.is_some() && l.display == w.display))
            });
            problems.push(match old {
                Some(old) => {
                    renamed_from.insert(old.id.as_str());
                    m.problem(
                        ProblemKind::ManifestRenamedTone,
                        Some(id),
                        format!(
                            "lists tone `{}` where ringforge.toml has `{id}` (renamed?)",
                            old.id
                        ),
                        RUN_BUILD,
                    )
                }
                None => m.problem(
                    ProblemKind::ManifestMissingTone,
                    Some(id),
                    format!("does not list tone `{id}`"),
                    RUN_BUILD,
                ),
            });
            continue;
        };
        problems.extend(field_problems(m, h, w));
        if has_file {
            let file_name = config.tones.iter().find(|t| t.id == id).map_or_else(
                || w.file_name.clone().unwrap_or_default(),
                |t| t.file_name.clone(),
            );
            problems.extend(checksum_problem(m, h, w, &file_name));
        }
    }
    for h in &have.tones {
        let id = h.id.as_str();
        if !want_map.contains_key(id) && !renamed_from.contains(id) {
            problems.push(m.problem(
                ProblemKind::ManifestExtraTone,
                Some(id),
                format!("lists tone `{id}`, which ringforge.toml does not have"),
                RUN_BUILD,
            ));
        }
    }
    problems
}

/// The display name, file name and URL of a tone as listed (`h`) and as expected (`w`).
fn field_problems(m: &Manifest, h: &ListedTone, w: &ListedTone) -> Vec<Problem> {
    let id = w.id.as_str();
    let fields: [(&str, &Option<String>, &Option<String>); 3] = [
        ("display name", &h.display, &w.display),
        ("file name", &h.file_name, &w.file_name),
        ("url", &h.url, &w.url),
    ];
    fields
        .into_iter()
        .filter(|(_, h, w)| w.is_some() && h != w)
        .map(|(what, h, w)| {
            m.problem(
                ProblemKind::ManifestField,
                Some(id),
                format!(
                    "lists tone `{id}` with {what} {:?}, but ringforge.toml gives {:?}",
                    h.as_deref().unwrap_or(""),
                    w.as_deref().unwrap_or("")
                ),
                RUN_BUILD,
            )
        })
        .collect()
}

/// The first of MD5, size and SHA-256 that differs between the listing (`h`) and the file
/// (`w`), naming the others that differ too.
fn checksum_problem(
    m: &Manifest,
    h: &ListedTone,
    w: &ListedTone,
    file_name: &str,
) -> Option<Problem> {
    let id = w.id.as_str();
    let size = |t: &ListedTone| t.bytes.map(|b| format!("{b} bytes"));
    let sums: [(&str, Option<String>, Option<String>); 3] = [
        ("md5", h.md5.clone(), w.md5.clone()),
        ("size", size(h), size(w)),
        ("sha256", h.sha256.clone(), w.sha256.clone()),
    ];
    let differing: Vec<_> = sums
        .into_iter()
        .filter(|(_, h, w)| w.is_some() && h != w)
        .collect();
    let (what, h, w) = differing.first()?;
    let also: Vec<&str> = differing[1..].iter().map(|(w, _, _)| *w).collect();
    let also = if also.is_empty() {
        String::new()
    } else {
        format!(" ({} also differ)", also.join(", "))
    };
    Some(m.problem(
        ProblemKind::ManifestChecksum,
        Some(id),
        format!(
            "lists {what} {} for tone `{id}`, but {file_name} has {what} {}{also}: \
             the file changed after the manifest was written",
            h.as_deref().unwrap_or("(none)"),
            w.as_deref().unwrap_or("(none)")
        ),
        RUN_BUILD,
    ))
}

/// Alerts missing from the manifest or not in the configuration, as one problem.
fn compare_alerts(m: &Manifest, want: &Parsed, have: &Parsed) -> Option<Problem> {
    let missing: Vec<_> = want.alerts.difference(&have.alerts).collect();
    let extra: Vec<_> = have.alerts.difference(&want.alerts).collect();
    if missing.is_empty() && extra.is_empty() {
        return None;
    }
    let show = |v: &[&(String, String, String)]| {
        v.iter()
            .map(|(i, t, r)| format!("{i:?}→{t:?} ({r})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing {}", show(&missing)));
    }
    if !extra.is_empty() {
        parts.push(format!("not in ringforge.toml {}", show(&extra)));
    }
    Some(m.problem(
        ProblemKind::ManifestAlerts,
        None,
        format!("alerts differ from ringforge.toml: {}", parts.join("; ")),
        RUN_BUILD,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpma_reader_unescapes_and_strips() {
        let p = Parsed::read(
            DPMA_FILE,
            "; comment\n[a]\ntype=ringtone\nalias=Bee\\; x ; trailing\nfilename=a.sln\n\n\
             [alert-x]\ntype=alert\nalert_info= >y\nring_type=normal\nringtone=a\n",
        )
        .unwrap();
        assert_eq!(p.tones[0].id, "a");
        assert_eq!(p.tones[0].display.as_deref(), Some("Bee; x"));
        assert!(p
            .alerts
            .contains(&(">y".into(), "a".into(), "normal".into())));
    }
}
