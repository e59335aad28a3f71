//! Tone identifiers, file names and display names.
//!
//! One id serves as the phone XML `id`, the DPMA section name and the output file's stem, so ids
//! keep to a conservative set: ASCII letters, digits, `-` and `_`, at most [`MAX_ID_LEN`] bytes,
//! never starting with `-`, and never equal (ignoring case) to a tone built into the phones'
//! firmware ([`BUILTIN_TONES`]). Display names are free UTF-8 text without control characters.
//!
//! ```
//! use std::path::Path;
//! use ringforge::id;
//!
//! let id = id::id_from_relative_path(Path::new("Office/Front Desk.mp3"))?;
//! assert_eq!(id, "office-front-desk");
//! assert_eq!(id::display_from_stem("front_desk-chime"), "Front Desk Chime");
//! assert!(id::validate_id("digium").is_err()); // the built-in "Digium" tone
//! assert_eq!(id::builtin_tone("guitarstrum"), Some("GuitarStrum"));
//! # Ok::<(), ringforge::Error>(())
//! ```

use std::path::{Component, Path};

use crate::{Error, Result};

/// Longest id accepted, in bytes (ids are ASCII, so also in characters).
///
/// Ids derived from long paths are cut to this length (see [`id_from_relative_path`]).
pub const MAX_ID_LEN: usize = 64;

/// Longest display name accepted, in characters (Unicode scalar values).
///
/// The phones show a few dozen characters at most; [`display_from_stem`] cuts to this length.
pub const MAX_DISPLAY_CHARS: usize = 64;

/// Longest output file name accepted, in bytes.
pub const MAX_FILE_NAME_LEN: usize = 128;

/// The tones built into the phones' firmware, as `(id, display)`, in the order the vendor lists
/// them. A manifest lists them as `type="phone"`; a user tone's id must not equal one of these
/// ids, ignoring case.
pub const BUILTIN_TONES: [(&str, &str); 14] = [
    ("Alarm", "Alarm"),
    ("Chimes", "Chimes"),
    ("Digium", "Digium"),
    ("GuitarStrum", "Guitar Strum"),
    ("Jingle", "Jingle"),
    ("Office", "Office"),
    ("Office2", "Office 2"),
    ("RotaryPhone", "Rotary Phone"),
    ("SteelDrum", "Steel Drum"),
    ("Techno", "Techno"),
    ("Theme", "Theme"),
    ("Tweedle", "Tweedle"),
    ("Twinkle", "Twinkle"),
    ("Vibe", "Vibe"),
];

/// The built-in tones' ids as prose for messages: `Alarm, Chimes, …, Vibe`.
///
/// ```
/// assert!(ringforge::id::builtin_tone_ids().starts_with("Alarm, Chimes, Digium"));
/// ```
pub fn builtin_tone_ids() -> String {
    BUILTIN_TONES.map(|(id, _)| id).join(", ")
}

/// Looks a built-in tone up by id, ignoring ASCII case, and returns its canonical id.
///
/// ```
/// assert_eq!(ringforge::id::builtin_tone("DIGIUM"), Some("Digium"));
/// assert_eq!(ringforge::id::builtin_tone("front-desk"), None);
/// ```
pub fn builtin_tone(name: &str) -> Option<&'static str> {
    BUILTIN_TONES
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(name))
        .map(|(id, _)| *id)
}

/// Derives a tone id from an input's path relative to the folder it was found in.
///
/// The rule, applied to the path's normal components (`.`, `..` and roots are skipped), with
/// the last component's extension dropped:
///
/// 1. letters are lowercased, and accented Latin letters transliterated (`é`→`e`, `ü`→`u`,
///    `ß`→`ss`, `æ`→`ae`, …); combining marks are dropped, so decomposed (NFD) names work too;
/// 2. ASCII letters, digits, `-` and `_` are kept; path separators, spaces, ASCII punctuation and
///    non-ASCII whitespace or punctuation become `-`; any other non-ASCII character (CJK,
///    emoji, …) is dropped;
/// 3. runs of `-` collapse to one, and leading and trailing `-` are trimmed;
/// 4. a result longer than [`MAX_ID_LEN`] bytes is cut to that length (and trailing `-` trimmed
///    again). Two long names sharing their first 64 characters therefore share an id; the
///    batch refuses such pairs by name.
///
/// # Errors
///
/// [`Error::InvalidId`] when nothing usable is left (rename the file), and
/// [`Error::BuiltinCollision`] when the result equals a built-in tone's id (`digium.wav`,
/// `GuitarStrum.mp3`).
///
/// ```
/// use std::path::Path;
/// use ringforge::id::id_from_relative_path;
///
/// assert_eq!(id_from_relative_path(Path::new("Office/Front Desk.mp3"))?, "office-front-desk");
/// assert_eq!(id_from_relative_path(Path::new("Café Crème.wav"))?, "cafe-creme");
/// assert!(id_from_relative_path(Path::new("日本.wav")).is_err());
/// # Ok::<(), ringforge::Error>(())
/// ```
pub fn id_from_relative_path(rel: &Path) -> Result<String> {
    let mut parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if let Some(last) = parts.last_mut() {
        let stem = Path::new(last.as_str())
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned());
        if let Some(stem) = stem {
            *last = stem;
        }
    }
    let mut id = slugify(&parts.join("/"));
    if id.len() > MAX_ID_LEN {
        id.truncate(MAX_ID_LEN);
        id.truncate(id.trim_end_matches('-').len());
    }
    if id.is_empty() {
        return Err(Error::InvalidId {
            id: rel.display().to_string(),
            reason: "the name has no letters or digits usable in an id \
                     — rename the file using ASCII letters or digits, or set an id"
                .into(),
        });
    }
    validate_id(&id)?;
    Ok(id)
}

/// Turns text into a lowercase ASCII slug of `[a-z0-9_-]` (steps 1–3 of
/// [`id_from_relative_path`]; no length limit). The result may be empty.
///
/// ```
/// assert_eq!(ringforge::id::slugify("Front Desk / Ünïcode ✨"), "front-desk-unicode");
/// ```
pub fn slugify(text: &str) -> String {
    fn push_sep(out: &mut String) {
        if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' | '_' => out.push(c),
            '-' => push_sep(&mut out),
            c if c.is_ascii() => push_sep(&mut out),
            c if is_separator_like(c) => push_sep(&mut out),
            c => {
                if let Some(t) = transliterate(c) {
                    out.push_str(t);
                }
            }
        }
    }
    let trimmed = out.trim_end_matches('-').len();
    out.truncate(trimmed);
    out
}

/// Non-ASCII characters that separate words rather than belong to them: whitespace, the
/// Latin-1 punctuation and symbols, General Punctuation (dashes, quotes, …), CJK punctuation
/// and fullwidth ASCII punctuation.
fn is_separator_like(c: char) -> bool {
    c.is_whitespace()
        || matches!(c, '\u{a0}'..='\u{bf}' | '\u{d7}' | '\u{f7}')
        || matches!(c, '\u{2000}'..='\u{206f}' | '\u{3000}'..='\u{303f}')
        || matches!(c, '\u{ff01}'..='\u{ff0f}' | '\u{ff1a}'..='\u{ff20}')
}

/// ASCII for the lowercase accented Latin letters where the mapping is unambiguous.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Checks that `id` is usable as a tone id, XML id, DPMA section name and file stem.
///
/// # Errors
///
/// [`Error::InvalidId`] when the id is empty, longer than [`MAX_ID_LEN`], starts with `-`
/// (it would read as a command-line option) or holds a character other than ASCII letters,
/// digits, `-` and `_`; [`Error::BuiltinCollision`] when it equals a built-in tone's id,
/// ignoring case.
///
/// ```
/// use ringforge::id::validate_id;
/// assert!(validate_id("front-desk").is_ok());
/// assert!(validate_id("front desk").is_err());
/// assert!(validate_id("Vibe").is_err());
/// ```
pub fn validate_id(id: &str) -> Result<()> {
    let invalid = |reason: String| Error::InvalidId {
        id: id.to_string(),
        reason,
    };
    if id.is_empty() {
        return Err(invalid("an id must not be empty — set one".into()));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(invalid(format!(
            "it contains {c:?}; ids may only use ASCII letters, digits, `-` and `_` — \
             rename the file or set another id"
        )));
    }
    if id.len() > MAX_ID_LEN {
        return Err(invalid(format!(
            "it is {} characters long, over the limit of {MAX_ID_LEN} — shorten it",
            id.len()
        )));
    }
    if id.starts_with('-') {
        return Err(invalid(
            "it starts with `-`, which reads as a command-line option — rename it".into(),
        ));
    }
    if let Some(builtin) = builtin_tone(id) {
        return Err(Error::BuiltinCollision {
            id: id.to_string(),
            builtin,
        });
    }
    Ok(())
}

/// Checks that `name` is a safe output file name: ASCII letters, digits, `-`, `_` and `.`,
/// not starting with `.` or `-`, at most [`MAX_FILE_NAME_LEN`] bytes.
///
/// The name goes verbatim into the phone XML `url`, the DPMA `filename=` and the output folder.
///
/// # Errors
///
/// [`Error::UnsafeValue`] naming the problem.
///
/// ```
/// assert!(ringforge::id::validate_file_name("front-desk.sln").is_ok());
/// assert!(ringforge::id::validate_file_name("../etc/passwd").is_err());
/// ```
pub fn validate_file_name(name: &str) -> Result<()> {
    let unsafe_value = |reason: String| Error::UnsafeValue {
        field: "file name",
        value: name.to_string(),
        reason,
    };
    if name.is_empty() {
        return Err(unsafe_value("is empty — give the tone a file name".into()));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(unsafe_value(format!(
            "contains {c:?}; file names may only use ASCII letters, digits, `-`, `_` and `.`"
        )));
    }
    if name.starts_with('.') || name.starts_with('-') {
        return Err(unsafe_value(
            "starts with `.` or `-` (hidden file or command-line option) — rename it".into(),
        ));
    }
    if name.len() > MAX_FILE_NAME_LEN {
        return Err(unsafe_value(format!(
            "is {} bytes long, over the limit of {MAX_FILE_NAME_LEN} — shorten it",
            name.len()
        )));
    }
    Ok(())
}

/// Makes a display name from a file stem: splits it into words on `_`, `-`, `.` and
/// whitespace, capitalises each word's first letter, and joins the words with single spaces.
///
/// Other characters are kept as they are, UTF-8 included; control characters and the
/// characters [`validate_display`] refuses are dropped, and the result is cut to
/// [`MAX_DISPLAY_CHARS`] characters. The result is empty when the stem has no words
/// (e.g. `"__"`); callers then fall back to something else, such as the id.
///
/// ```
/// use ringforge::id::display_from_stem;
/// assert_eq!(display_from_stem("front_desk-chime"), "Front Desk Chime");
/// assert_eq!(display_from_stem("école.du  soir"), "École Du Soir");
/// assert_eq!(display_from_stem("鐘の音"), "鐘の音");
/// ```
pub fn display_from_stem(stem: &str) -> String {
    let mut out = String::new();
    let mut at_word_start = true;
    for c in stem.chars() {
        if c == '_' || c == '-' || c == '.' || c.is_whitespace() {
            at_word_start = true;
            continue;
        }
        if is_forbidden_in_text(c) {
            continue;
        }
        if at_word_start {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(c.to_uppercase());
            at_word_start = false;
        } else {
            out.push(c);
        }
    }
    if out.chars().count() > MAX_DISPLAY_CHARS {
        out = out.chars().take(MAX_DISPLAY_CHARS).collect();
        out.truncate(out.trim_end().len());
    }
    out
}

/// Characters no manifest text value may hold: control characters (C0, DEL, C1), the Unicode
/// line and paragraph separators, and the noncharacters U+FFFE and U+FFFF (not legal in XML).
pub(crate) fn is_forbidden_in_text(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}')
}

/// Checks free text that goes into every manifest (display names, `alert_info`): non-empty,
/// at most `max_chars` characters, no [forbidden character](is_forbidden_in_text), and no
/// leading or trailing whitespace (Asterisk strips it from configuration values, so the DPMA
/// would see a different name than the phone XML).
pub(crate) fn validate_text(field: &'static str, value: &str, max_chars: usize) -> Result<()> {
    let unsafe_value = |reason: String| Error::UnsafeValue {
        field,
        value: value.to_string(),
        reason,
    };
    if value.is_empty() {
        return Err(unsafe_value("is empty — give one".into()));
    }
    if let Some(c) = value.chars().find(|c| is_forbidden_in_text(*c)) {
        return Err(unsafe_value(format!(
            "contains the control character U+{:04X}; manifests cannot carry it — remove it",
            u32::from(c)
        )));
    }
    if value.starts_with(char::is_whitespace) || value.ends_with(char::is_whitespace) {
        return Err(unsafe_value(
            "has leading or trailing whitespace, which Asterisk strips from configuration \
             values — remove it"
                .into(),
        ));
    }
    let chars = value.chars().count();
    if chars > max_chars {
        return Err(unsafe_value(format!(
            "is {chars} characters long, over the limit of {max_chars} — shorten it"
        )));
    }
    Ok(())
}

/// Checks a display name: any UTF-8 text, non-empty, at most [`MAX_DISPLAY_CHARS`]
/// characters, without control characters (nor U+2028, U+2029, U+FFFE, U+FFFF), and without
/// leading or trailing whitespace (Asterisk would strip it from the DPMA `alias`).
///
/// # Errors
///
/// [`Error::UnsafeValue`] naming the problem.
///
/// ```
/// use ringforge::id::validate_display;
/// assert!(validate_display("Réception & Café ☕").is_ok());
/// assert!(validate_display("two\nlines").is_err());
/// assert!(validate_display(" padded").is_err());
/// ```
pub fn validate_display(name: &str) -> Result<()> {
    validate_text("display name", name, MAX_DISPLAY_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(p: &str) -> Result<String> {
        id_from_relative_path(Path::new(p))
    }

    #[test]
    fn slug_examples() {
        assert_eq!(id("Office/Front Desk.mp3").unwrap(), "office-front-desk");
        assert_eq!(id("front_desk.wav").unwrap(), "front_desk");
        assert_eq!(id("  Hold -- Music!!.flac").unwrap(), "hold-music");
        assert_eq!(id("a.b.c.wav").unwrap(), "a-b-c");
        assert_eq!(id("noext").unwrap(), "noext");
        assert_eq!(id(".hidden.wav").unwrap(), "hidden");
        assert_eq!(id("./sub/../x.wav").unwrap(), "sub-x");
        assert_eq!(id("Straße Grüße.ogg").unwrap(), "strasse-grusse");
        assert_eq!(id("Œuvre Ærø.mp3").unwrap(), "oeuvre-aero");
        // NFD: e + combining acute.
        assert_eq!(id("Cafe\u{301}.wav").unwrap(), "cafe");
        assert_eq!(
            id("Ring\u{a0}Ring\u{2014}Loud.wav").unwrap(),
            "ring-ring-loud"
        );
        assert_eq!(id("Tone 日本 ✨ 2.wav").unwrap(), "tone-2");
        assert_eq!(id("ΑΒΓ abc.wav").unwrap(), "abc");
    }

    #[test]
    fn slug_empty_is_an_error_saying_rename() {
        for p in ["日本.wav", "---.wav", "✨.mp3", ""] {
            let err = id(p).unwrap_err();
            assert!(matches!(err, Error::InvalidId { .. }), "{p}: {err:?}");
            assert!(err.to_string().contains("rename"), "{err}");
        }
    }

    #[test]
    fn slug_builtin_collisions() {
        for (p, b) in [
            ("digium.wav", "Digium"),
            ("GuitarStrum.mp3", "GuitarStrum"),
            ("./OFFICE2.flac", "Office2"),
        ] {
            match id(p) {
                Err(Error::BuiltinCollision { builtin, .. }) => assert_eq!(builtin, b),
                other => panic!("{p}: {other:?}"),
            }
        }
        // A folder prefix makes the id distinct.
        assert_eq!(id("alerts/digium.wav").unwrap(), "alerts-digium");
        let msg = id("digium.wav").unwrap_err().to_string();
        assert!(msg.contains("`Digium`") && msg.contains("rename"), "{msg}");
    }

    #[test]
    fn slug_is_truncated_to_the_limit() {
        let long = format!("{}.wav", "ab-".repeat(40));
        let got = id(&long).unwrap();
        assert!(got.len() <= MAX_ID_LEN);
        assert!(!got.ends_with('-'));
        let full = "ab-".repeat(40);
        assert_eq!(got, full[..MAX_ID_LEN].trim_end_matches('-'));
        let dash_at_cut = format!("{}-tail.wav", "y".repeat(63));
        assert_eq!(id(&dash_at_cut).unwrap(), "y".repeat(63));
        let exact = "x".repeat(64);
        assert_eq!(id(&format!("{exact}yz.wav")).unwrap(), exact);
    }

    #[cfg(unix)]
    #[test]
    fn slug_non_utf8_path() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let p = std::path::PathBuf::from(OsStr::from_bytes(b"bad\xffname.wav"));
        assert_eq!(id_from_relative_path(&p).unwrap(), "badname");
    }

    #[test]
    fn validate_id_rules() {
        assert!(validate_id("a").is_ok());
        assert!(validate_id("Front_Desk-2").is_ok());
        assert!(validate_id(&"x".repeat(64)).is_ok());
        for bad in ["", "a b", "a.b", "a/b", "é", "-x", "a;b", "a]b"] {
            assert!(
                matches!(validate_id(bad), Err(Error::InvalidId { .. })),
                "{bad:?}"
            );
        }
        assert!(validate_id(&"x".repeat(65)).is_err());
        for (b, _) in BUILTIN_TONES {
            assert!(matches!(
                validate_id(&b.to_ascii_uppercase()),
                Err(Error::BuiltinCollision { builtin, .. }) if builtin == b
            ));
        }
    }

    #[test]
    fn builtins_match_spec() {
        assert_eq!(BUILTIN_TONES.len(), 14);
        assert_eq!(builtin_tone("rotaryphone"), Some("RotaryPhone"));
        assert_eq!(builtin_tone("Office 2"), None);
        let displays: Vec<_> = BUILTIN_TONES.iter().map(|(_, d)| *d).collect();
        assert!(displays.contains(&"Guitar Strum") && displays.contains(&"Office 2"));
        for (id, display) in BUILTIN_TONES {
            assert!(validate_display(display).is_ok());
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
        }
    }

    #[test]
    fn display_examples() {
        assert_eq!(display_from_stem("front_desk-chime"), "Front Desk Chime");
        assert_eq!(display_from_stem("  lots   of\tspace "), "Lots Of Space");
        assert_eq!(display_from_stem("über.ring"), "Über Ring");
        assert_eq!(display_from_stem("iPhone"), "IPhone");
        assert_eq!(display_from_stem("a&b <c>"), "A&b <c>");
        assert_eq!(display_from_stem("ring😀tone"), "Ring😀tone");
        assert_eq!(display_from_stem("bad\nname\u{7}"), "Bad Name");
        assert_eq!(display_from_stem("be\u{7}ll"), "Bell");
        assert_eq!(display_from_stem("___"), "");
        let long = display_from_stem(&"word ".repeat(30));
        assert!(long.chars().count() <= MAX_DISPLAY_CHARS);
        assert!(validate_display(&long).is_ok());
    }

    #[test]
    fn display_validation() {
        assert!(validate_display("Front Desk").is_ok());
        assert!(validate_display("鐘の音 🔔 & \"quotes\" <tags> ;semi").is_ok());
        for bad in [
            "",
            "a\nb",
            "a\rb",
            "tab\there",
            "nul\0",
            "del\u{7f}",
            "c1\u{85}",
            "ls\u{2028}",
            "nc\u{fffe}",
            " lead",
            "trail ",
            "nbsp\u{a0}",
        ] {
            assert!(
                matches!(validate_display(bad), Err(Error::UnsafeValue { .. })),
                "{bad:?}"
            );
        }
        assert!(validate_display(&"é".repeat(64)).is_ok());
        assert!(validate_display(&"é".repeat(65)).is_err());
    }

    #[test]
    fn file_name_validation() {
        assert!(validate_file_name("front-desk.sln16").is_ok());
        for bad in ["", ".sln", "-x.sln", "a/b.sln", "a b.sln", "é.sln", "a\\b"] {
            assert!(validate_file_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_file_name(&"a".repeat(129)).is_err());
    }
}
