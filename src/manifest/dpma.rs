//! The DPMA fragment for `res_digium_phone.conf`: one `type=ringtone` section per tone and one
//! `type=alert` section per alert, after a comment that shows how a phone section uses them.
//!
//! ```ini
//! ; (comment block: where the files go and a ready-made phone section)
//!
//! [front-desk]
//! type=ringtone
//! alias=Front Desk
//! filename=front-desk.sln
//!
//! [alert-frontdesk]
//! type=alert
//! alert_info=frontdesk
//! ring_type=normal
//! ringtone=front-desk
//! ```
//!
//! Tones are sorted by id (ignoring case), alerts by `alert_info`. An alert's section is named
//! `alert-` followed by the [slug](crate::id::slugify) of its `alert_info` (cut so the name stays
//! within 64 characters); `ringtone=` is empty for an `answer` or `visual` alert without a
//! tone, and names built-ins by their canonical id (`Digium`).
//!
//! # Escaping: what Asterisk's parser does, and what this writer does about it
//!
//! Asterisk reads the file with its generic configuration parser (`main/config.c`). Its rules,
//! and the writer's answer to each:
//!
//! - A line is cut at the first `;` that is not preceded by a backslash; `;--` … `--;` is a
//!   block comment. On loading, `\;` becomes `;` (only the one backslash right before a `;` is
//!   removed; other backslashes are literal). So every `;` in a value is written as `\;` and
//!   nothing else is escaped: a literal `\;` in a name is written `\\;` and reads back as `\;`.
//!   Because every `;` is escaped, `;--` and `--;` never occur unescaped.
//! - Lines are split into lines by newline and the whole line is then stripped of leading and
//!   trailing whitespace (bytes up to 0x20); each value is stripped again. Values holding
//!   control characters (newlines included) or leading/trailing whitespace cannot be read back
//!   and are refused with [`crate::Error::UnsafeValue`]; [`crate::id::validate_display`]
//!   refuses them up front.
//! - `key=>value` is the "object" form: a value starting with `>` would lose it. Such a value
//!   is written as `key= >value` (the space is stripped on reading, the `>` kept).
//! - A section header runs from `[` to the first `]`, and the name is kept in a fixed buffer
//!   of 80 bytes. Section names come from ids and slugs (ASCII letters, digits, `-`, `_`), and
//!   are refused if they hold `[`, `]`, `;`, whitespace or control characters, exceed 79
//!   bytes, or repeat another section's name ignoring case (Asterisk compares section names
//!   that way); an alert section colliding with a tone id is an [`crate::Error::Duplicate`].
//! - Lines longer than 8191 bytes are skipped by Asterisk; values here are bounded far below.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::Prepared;
use crate::id::{slugify, MAX_ID_LEN};
use crate::{Error, Result};

/// The prefix of alert section names.
pub const ALERT_SECTION_PREFIX: &str = "alert-";

/// Longest section name Asterisk keeps whole (its buffer holds 80 bytes with the terminator).
const MAX_SECTION_BYTES: usize = 79;

/// The DPMA section name for an alert: `alert-` + the slug of `alert_info`, at most 64 bytes.
///
/// # Errors
///
/// [`Error::UnsafeValue`] when `alert_info` has no ASCII letters or digits to name a section.
///
/// ```
/// use ringforge::manifest::dpma::alert_section_name;
/// assert_eq!(alert_section_name("Front Desk")?, "alert-front-desk");
/// assert!(alert_section_name("日本").is_err());
/// # Ok::<(), ringforge::Error>(())
/// ```
pub fn alert_section_name(alert_info: &str) -> Result<String> {
    let mut slug = slugify(alert_info);
    let room = MAX_ID_LEN - ALERT_SECTION_PREFIX.len();
    if slug.len() > room {
        slug.truncate(room);
        slug.truncate(slug.trim_end_matches('-').len());
    }
    if slug.is_empty() {
        return Err(Error::UnsafeValue {
            field: "alert_info",
            value: alert_info.to_string(),
            reason: "has no ASCII letters or digits to name its DPMA section (alert-…) \
                     — use an ASCII alert_info"
                .into(),
        });
    }
    Ok(format!("{ALERT_SECTION_PREFIX}{slug}"))
}

/// Renders the fragment for a validated set.
pub(crate) fn render(set: &Prepared<'_>) -> Result<String> {
    // Section names first: all of them must be safe and unique before anything is written.
    let mut names: HashMap<String, String> = HashMap::new();
    let mut claim = |name: &str, owner: String| -> Result<()> {
        check_section_name(name)?;
        if let Some(prev) = names.insert(name.to_ascii_lowercase(), owner.clone()) {
            return Err(Error::Duplicate {
                what: "DPMA section name",
                value: name.to_string(),
                first: prev,
                second: owner,
                hint: "change the alert_info or the tone id so the sections differ",
            });
        }
        Ok(())
    };
    for tone in &set.tones {
        claim(&tone.id, format!("tone `{}`", tone.id))?;
    }
    if !set.logos.is_empty() {
        claim(super::LOGO_TEMPLATE, "the logo template".into())?;
    }
    let mut alert_sections = Vec::with_capacity(set.alerts.len());
    for alert in &set.alerts {
        let name = alert_section_name(alert.alert_info)?;
        claim(&name, format!("alert `{}`", alert.alert_info))?;
        alert_sections.push(name);
    }

    let mut out = String::new();
    header(&mut out, set, &alert_sections);
    for tone in &set.tones {
        out.push('\n');
        section(&mut out, &tone.id);
        line(&mut out, "type", "ringtone")?;
        line(&mut out, "alias", &tone.display)?;
        line(&mut out, "filename", &tone.file_name)?;
    }
    for (alert, name) in set.alerts.iter().zip(&alert_sections) {
        out.push('\n');
        section(&mut out, name);
        line(&mut out, "type", "alert")?;
        line(&mut out, "alert_info", alert.alert_info)?;
        line(&mut out, "ring_type", alert.ring_type.as_str())?;
        line(&mut out, "ringtone", alert.tone.unwrap_or(""))?;
    }
    out.push_str(&super::logo::dpma_template(&set.logos));
    Ok(out)
}

/// The leading comment. Every line starts with `; ` or is a bare `;`, so none opens a `;--`
/// block comment; it holds only ids and section names (safe characters).
fn header(out: &mut String, set: &Prepared<'_>, alert_sections: &[String]) {
    let _ = writeln!(
        out,
        "; res_digium_phone.conf fragment written by ringforge {}: ringtone{} sections.",
        env!("CARGO_PKG_VERSION"),
        if set.alerts.is_empty() {
            ""
        } else {
            " and alert"
        }
    );
    out.push_str(
        "; Regenerate it rather than editing it. Include it from res_digium_phone.conf\n\
         ; (#include \"this-file.conf\") or paste it in.\n\
         ;\n\
         ; Copy the tone files into the DPMA's file folder ([general] file_directory,\n\
         ; commonly /etc/asterisk/digium_phones/); phones fetch each one from the network\n\
         ; section's file_url_prefix followed by its filename.\n\
         ;\n\
         ; A phone section uses them like this (ringtone= once per tone the phone must\n\
         ; download, alert= once per alert, active_ringtone= the default tone: a built-in\n\
         ; such as Digium, or one of the ringtones listed for the phone):\n\
         ;\n\
         ;   [1001]\n\
         ;   type=phone\n",
    );
    for tone in &set.tones {
        let _ = writeln!(out, ";   ringtone={}", tone.id);
    }
    for name in alert_sections {
        let _ = writeln!(out, ";   alert={name}");
    }
    let active = set.tones.first().map_or("Digium", |t| t.id.as_str());
    let _ = writeln!(out, ";   active_ringtone={active}");
    out.push_str(&super::logo::dpma_comment(&set.logos));
}

fn section(out: &mut String, name: &str) {
    let _ = writeln!(out, "[{name}]");
}

fn line(out: &mut String, key: &str, value: &str) -> Result<()> {
    let escaped = escape_value(key, value)?;
    let _ = writeln!(out, "{key}={escaped}");
    Ok(())
}

/// Escapes a value so Asterisk's parser reads back exactly `value` (see the module docs).
///
/// # Errors
///
/// [`Error::UnsafeValue`] for control characters or leading/trailing whitespace.
pub(crate) fn escape_value(key: &str, value: &str) -> Result<String> {
    let unsafe_value = |reason: &str| Error::UnsafeValue {
        field: "DPMA value",
        value: format!("{key}={value}"),
        reason: reason.to_string(),
    };
    if value.chars().any(|c| c.is_control()) {
        return Err(unsafe_value(
            "contains a newline or other control character, which would break the \
             configuration file — remove it",
        ));
    }
    if value.starts_with(|c: char| c.is_ascii_whitespace())
        || value.ends_with(|c: char| c.is_ascii_whitespace())
    {
        return Err(unsafe_value(
            "has leading or trailing whitespace, which Asterisk strips — remove it",
        ));
    }
    let mut out = String::with_capacity(value.len() + 2);
    if value.starts_with('>') {
        // `key=>value` would be read as the object form `key => value`.
        out.push(' ');
    }
    for c in value.chars() {
        if c == ';' {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

fn check_section_name(name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name.len() > MAX_SECTION_BYTES
        || name
            .chars()
            .any(|c| matches!(c, '[' | ']' | ';') || c.is_whitespace() || c.is_control());
    if bad {
        return Err(Error::UnsafeValue {
            field: "DPMA section name",
            value: name.to_string(),
            reason: format!(
                "must be 1–{MAX_SECTION_BYTES} bytes without `[`, `]`, `;`, whitespace or \
                 control characters — choose another id"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{Alert, ManifestSet, ManifestTone};

    #[test]
    fn escaping() {
        assert_eq!(escape_value("k", "a;b").unwrap(), "a\\;b");
        assert_eq!(escape_value("k", "a\\;b").unwrap(), "a\\\\;b");
        assert_eq!(escape_value("k", ";--x--;").unwrap(), "\\;--x--\\;");
        assert_eq!(escape_value("k", ">x").unwrap(), " >x");
        assert_eq!(escape_value("k", "a\\").unwrap(), "a\\");
        assert_eq!(escape_value("k", "").unwrap(), "");
        for bad in ["a\nb", "a\rb", "\t", " a", "a "] {
            assert!(escape_value("k", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn section_names() {
        assert_eq!(alert_section_name("frontdesk").unwrap(), "alert-frontdesk");
        let long = alert_section_name(&"x".repeat(100)).unwrap();
        assert_eq!(long.len(), MAX_ID_LEN);
        for bad in ["", "a]b", "a[b", "a;b", "a b", "a\nb"] {
            assert!(check_section_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_section_name(&"x".repeat(80)).is_err());
    }

    fn tone(id: &str) -> ManifestTone {
        ManifestTone::new(id, id, format!("{id}.sln"), b"", None, None).unwrap()
    }

    #[test]
    fn alert_section_collisions_are_refused() {
        let set = ManifestSet {
            tones: vec![tone("alert-frontdesk")],
            alerts: vec!["frontdesk=alert-frontdesk".parse::<Alert>().unwrap()],
            ..ManifestSet::default()
        };
        let err = set.dpma_conf().unwrap_err();
        assert!(matches!(err, Error::Duplicate { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("tone `alert-frontdesk`") && msg.contains("alert `frontdesk`"));

        let set = ManifestSet {
            tones: vec![tone("a")],
            alerts: vec![
                "front desk=a".parse::<Alert>().unwrap(),
                "front-desk=a".parse::<Alert>().unwrap(),
            ],
            ..ManifestSet::default()
        };
        assert!(set.validate().is_ok()); // fine for the phone XML …
        assert!(matches!(set.dpma_conf(), Err(Error::Duplicate { .. }))); // … not for the DPMA

        let set = ManifestSet {
            alerts: vec!["日本=Digium".parse::<Alert>().unwrap()],
            ..ManifestSet::default()
        };
        assert!(set.phone_xml().is_ok());
        assert!(matches!(set.dpma_conf(), Err(Error::UnsafeValue { .. })));
    }

    #[test]
    fn exact_layout() {
        let set = ManifestSet {
            tones: vec![ManifestTone::new("b", "Bee; >x", "b.sln", b"", None, None).unwrap()],
            alerts: vec![
                "page=:answer".parse::<Alert>().unwrap(),
                "Front;Desk=b:ring-answer".parse::<Alert>().unwrap(),
            ],
            ..ManifestSet::default()
        };
        let conf = set.dpma_conf().unwrap();
        let body = conf.split_once("\n\n").unwrap().1;
        assert_eq!(
            body,
            "[b]\ntype=ringtone\nalias=Bee\\; >x\nfilename=b.sln\n\
             \n[alert-front-desk]\ntype=alert\nalert_info=Front\\;Desk\nring_type=ring-answer\nringtone=b\n\
             \n[alert-page]\ntype=alert\nalert_info=page\nring_type=answer\nringtone=\n"
        );
        let head = conf.split_once("\n\n").unwrap().0;
        assert!(
            head.lines().all(|l| l == ";" || l.starts_with("; ")),
            "{head}"
        );
        assert!(!head.contains(";--"));
        assert!(head.contains(";   ringtone=b\n;   alert=alert-front-desk\n;   alert=alert-page\n;   active_ringtone=b"));
    }
}
