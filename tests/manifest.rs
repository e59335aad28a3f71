//! The manifests read back the way their consumers read them: the phone XML through a real XML
//! parser (quick-xml's reader), the DPMA fragment through a reader that follows Asterisk's
//! `main/config.c`, the JSON through serde_json.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use proptest::prelude::*;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use ringforge::id::{self, BUILTIN_TONES};
use ringforge::manifest::{Alert, ManifestSet, ManifestTone, RingType};
use ringforge::{Error, Report, Warning};

// ---------------------------------------------------------------------------------------------
// Helpers

fn tone(id: &str, display: &str, bytes: &[u8]) -> ManifestTone {
    ManifestTone::new(
        id,
        display,
        format!("{id}.sln"),
        bytes,
        None,
        Some(format!("in/{id}.wav")),
    )
    .unwrap()
}

/// Displays that an XML or INI writer could get wrong.
const HOSTILE_DISPLAYS: &[&str] = &[
    "Tom & Jerry <\"quoted\"> 'apos'",
    "Réception Café Crème",
    "鐘の音",
    "🔔 Ring 🎵",
    "semi;colon \\; and \\\\;",
    ";-- not a comment --;",
    ">starts with a chevron",
    "key=value [section] #include x",
    "a]b[c",
    "&amp; already escaped &lt;",
];

fn hostile_set() -> ManifestSet {
    let tones = HOSTILE_DISPLAYS
        .iter()
        .enumerate()
        .map(|(i, d)| tone(&format!("tone-{i:02}"), d, &[i as u8; 4]))
        .collect();
    ManifestSet {
        tones,
        alerts: vec![
            Alert::parse_cli("frontdesk=tone-00").unwrap(),
            Alert::parse_cli("a&b<c>\"d'=TONE-01:ring-answer").unwrap(),
            Alert::parse_cli("semi;colon=digium").unwrap(),
            Alert::parse_cli("page=:answer").unwrap(),
            Alert::parse_cli("quiet=:visual").unwrap(),
            Alert::parse_cli("vip=Vibe:ring-answer").unwrap(),
        ],
        url_prefix: Some("http://pbx.example.com/digium_phones".into()),
        builtin_tones: true,
        logos: Vec::new(),
    }
}

type Attrs = Vec<(String, String)>;

#[derive(Debug, Default)]
struct PhoneXml {
    tones: Vec<Attrs>,
    alerts: Vec<Attrs>,
}

/// Parses the phone XML, checking the declaration and the element nesting on the way.
fn parse_xml(xml: &str) -> PhoneXml {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<String> = Vec::new();
    let mut out = PhoneXml::default();
    let mut saw_decl = false;
    let mut elements = 0;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (start, empty) = match &event {
            Event::Decl(d) => {
                assert_eq!(elements, 0, "declaration first");
                assert_eq!(&*d.version().unwrap(), "1.0");
                assert_eq!(&*d.encoding().unwrap().unwrap(), "UTF-8");
                saw_decl = true;
                continue;
            }
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                assert_eq!(stack.pop().as_deref(), Some(e.name().as_ref()));
                continue;
            }
            Event::Eof => break,
            other => panic!("unexpected XML event {other:?}"),
        };
        elements += 1;
        let name = start.name().as_ref().to_string();
        let path = format!("{}/{name}", stack.join("/"));
        let attrs: Attrs = start
            .attributes()
            .map(|a| {
                let a = a.expect("valid attribute");
                (
                    a.key.as_ref().to_string(),
                    a.normalized_value(XmlVersion::Explicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect();
        match path.as_str() {
            "/config"
            | "config/ringtones"
            | "config/ringtones/tones"
            | "config/ringtones/alerts" => assert!(attrs.is_empty()),
            "config/ringtones/tones/tone" => out.tones.push(attrs),
            "config/ringtones/alerts/alert" => out.alerts.push(attrs),
            other => panic!("unexpected element {other}"),
        }
        if !empty {
            stack.push(name);
        }
    }
    assert!(saw_decl && stack.is_empty());
    out
}

fn attrs(pairs: &[(&str, &str)]) -> Attrs {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// One section of an Asterisk configuration file: name and `key=value` lines in order.
type Section = (String, Vec<(String, String)>);

/// Asterisk's `ast_strip`: drops bytes below 33 (controls and space) at both ends.
fn ast_strip(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&c| c >= 33).unwrap_or(b.len());
    let end = b.iter().rposition(|&c| c >= 33).map_or(start, |e| e + 1);
    &b[start..end]
}

/// Reads a configuration file by the rules of Asterisk's `main/config.c`
/// (`config_text_file_load` and `process_text_line`):
///
/// - the file is read line by line (`fgets`); lines of 8191 bytes or more are skipped;
/// - scanning each `;`: one preceded by `\` is an escaped semicolon and the backslash is
///   removed; `;--` opens and `--;` closes a block comment; any other `;` ends the line;
/// - the rest is stripped of bytes below 33 at both ends; empty lines are ignored;
/// - `[name]` starts a section (name up to the first `]`; `(…)` after it holds template
///   options); `#` starts a directive; anything else is `key=value`, split at the first `=`,
///   with `+=` appending and `=>` the object form, key and value stripped again.
///
/// It panics on every construct a generated fragment must never contain (block comments,
/// directives, templates, `+=`, `=>`, lines without `=`, lines outside a section, text after
/// `]`, over-long lines, non-UTF-8), so a test using it fails if the writer produces one.
fn asterisk_read(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for (n, raw) in text.split_inclusive('\n').enumerate() {
        let lineno = n + 1;
        assert!(raw.len() < 8191, "line {lineno} is too long for Asterisk");
        let mut buf = raw.as_bytes().to_vec();
        let mut i = 0;
        while let Some(off) = buf[i..].iter().position(|&b| b == b';') {
            let p = i + off;
            if p > i && buf[p - 1] == b'\\' {
                buf.remove(p - 1);
                i = p;
            } else if buf.get(p + 1) == Some(&b'-')
                && buf.get(p + 2) == Some(&b'-')
                && buf.get(p + 3) != Some(&b'-')
            {
                panic!("line {lineno}: `;--` opens a block comment: {raw:?}");
            } else if p >= i + 2 && buf[p - 1] == b'-' && buf[p - 2] == b'-' {
                panic!("line {lineno}: `--;` closes a block comment: {raw:?}");
            } else {
                buf.truncate(p);
                break;
            }
        }
        let line = ast_strip(&buf);
        if line.is_empty() {
            continue;
        }
        let line = std::str::from_utf8(line).expect("UTF-8");
        if let Some(rest) = line.strip_prefix('[') {
            let (name, after) = rest
                .split_once(']')
                .unwrap_or_else(|| panic!("line {lineno}: no closing `]`"));
            assert!(after.is_empty(), "line {lineno}: text after `]`: {after:?}");
            assert!(name.len() < 80, "line {lineno}: section name truncated");
            sections.push((name.to_string(), Vec::new()));
        } else if line.starts_with('#') {
            panic!("line {lineno}: directive {line:?}");
        } else {
            let (key, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("line {lineno}: no `=` in {line:?}"));
            assert!(!key.ends_with('+'), "line {lineno}: `+=` form");
            assert!(!value.starts_with('>'), "line {lineno}: `=>` object form");
            let key = std::str::from_utf8(ast_strip(key.as_bytes())).unwrap();
            let value = std::str::from_utf8(ast_strip(value.as_bytes())).unwrap();
            let section = sections
                .last_mut()
                .unwrap_or_else(|| panic!("line {lineno}: no section context"));
            section.1.push((key.to_string(), value.to_string()));
        }
    }
    let mut names = HashSet::new();
    for (name, _) in &sections {
        assert!(
            names.insert(name.to_ascii_lowercase()),
            "duplicate section {name}"
        );
    }
    sections
}

fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    attrs(pairs)
}

// ---------------------------------------------------------------------------------------------
// Phone XML

#[test]
fn phone_xml_round_trips_every_attribute() {
    let set = hostile_set();
    let xml = set.phone_xml().unwrap();
    assert!(xml.ends_with("</config>\n"));
    let parsed = parse_xml(&xml);

    let mut expected_tones: Vec<Attrs> = BUILTIN_TONES
        .iter()
        .map(|(id, d)| attrs(&[("id", id), ("display", d), ("type", "phone")]))
        .collect();
    let mut user: Vec<&ManifestTone> = set.tones.iter().collect();
    user.sort_by(|a, b| a.id.cmp(&b.id));
    for t in user {
        let url = format!("http://pbx.example.com/digium_phones/{}", t.file_name);
        expected_tones.push(attrs(&[
            ("id", &t.id),
            ("display", &t.display),
            ("type", "user"),
            ("url", &url),
            ("md5", &t.md5),
        ]));
    }
    assert_eq!(parsed.tones, expected_tones);

    let alert = |info: &str, tone: &str, ring: &str| -> [Attrs; 2] {
        let wrapped = format!("<http://127.0.0.1>;info={info}");
        [
            attrs(&[
                ("alert_info", info),
                ("ringtone_id", tone),
                ("ring_type", ring),
            ]),
            attrs(&[
                ("alert_info", &wrapped),
                ("ringtone_id", tone),
                ("ring_type", ring),
            ]),
        ]
    };
    let expected_alerts: Vec<Attrs> = [
        alert("a&b<c>\"d'", "tone-01", "ring-answer"),
        alert("frontdesk", "tone-00", "normal"),
        alert("page", "", "answer"),
        alert("quiet", "", "visual"),
        alert("semi;colon", "Digium", "normal"),
        alert("vip", "Vibe", "ring-answer"),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert_eq!(parsed.alerts, expected_alerts);
}

#[test]
fn phone_xml_escapes_markup_in_the_text() {
    let xml = hostile_set().phone_xml().unwrap();
    assert!(xml.contains("display=\"Tom &amp; Jerry &lt;&quot;quoted&quot;&gt; &apos;apos&apos;\""));
    assert!(xml.contains("alert_info=\"&lt;http://127.0.0.1&gt;;info=frontdesk\""));
    assert!(xml.contains("display=\"&amp;amp; already escaped &amp;lt;\""));
    assert!(xml.contains("display=\"鐘の音\"") && xml.contains("display=\"🔔 Ring 🎵\""));
}

#[test]
fn phone_xml_without_builtins_or_prefix() {
    let set = ManifestSet {
        tones: vec![tone("b", "B", b"x"), tone("a", "A", b"y")],
        builtin_tones: false,
        ..ManifestSet::default()
    };
    assert!(set.url_is_relative());
    let parsed = parse_xml(&set.phone_xml().unwrap());
    let ids: Vec<_> = parsed.tones.iter().map(|a| a[0].1.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(parsed.tones[0][3], ("url".into(), "a.sln".into()));
    assert!(parsed.alerts.is_empty());
}

#[test]
fn phone_xml_prefix_is_used_verbatim() {
    for (prefix, url) in [
        ("http://pbx/tones/", "http://pbx/tones/a.sln"),
        ("http://pbx/tones", "http://pbx/tones/a.sln"),
        (
            "https://pbx:8443/a%20b/?x=",
            "https://pbx:8443/a%20b/?x=/a.sln",
        ),
    ] {
        let set = ManifestSet {
            tones: vec![tone("a", "A", b"")],
            url_prefix: Some(prefix.into()),
            ..ManifestSet::default()
        };
        assert!(!set.url_is_relative());
        let parsed = parse_xml(&set.phone_xml().unwrap());
        assert_eq!(parsed.tones[14][3].1, url);
    }
}

// ---------------------------------------------------------------------------------------------
// DPMA

#[test]
fn dpma_reads_back_to_exactly_the_tones_and_alerts() {
    let set = hostile_set();
    let conf = set.dpma_conf().unwrap();
    assert!(conf.ends_with('\n'));
    let sections = asterisk_read(&conf);

    let mut expected: Vec<Section> = Vec::new();
    let mut user: Vec<&ManifestTone> = set.tones.iter().collect();
    user.sort_by(|a, b| a.id.cmp(&b.id));
    for t in user {
        expected.push((
            t.id.clone(),
            kv(&[
                ("type", "ringtone"),
                ("alias", &t.display),
                ("filename", &t.file_name),
            ]),
        ));
    }
    let alert = |section: &str, info: &str, ring: &str, tone: &str| -> Section {
        (
            section.to_string(),
            kv(&[
                ("type", "alert"),
                ("alert_info", info),
                ("ring_type", ring),
                ("ringtone", tone),
            ]),
        )
    };
    expected.extend([
        alert("alert-a-b-c-d", "a&b<c>\"d'", "ring-answer", "tone-01"),
        alert("alert-frontdesk", "frontdesk", "normal", "tone-00"),
        alert("alert-page", "page", "answer", ""),
        alert("alert-quiet", "quiet", "visual", ""),
        alert("alert-semi-colon", "semi;colon", "normal", "Digium"),
        alert("alert-vip", "vip", "ring-answer", "Vibe"),
    ]);
    assert_eq!(sections, expected);
}

#[test]
fn dpma_comment_shows_a_phone_section() {
    let conf = hostile_set().dpma_conf().unwrap();
    let (head, _) = conf.split_once("\n\n").unwrap();
    assert!(head.lines().all(|l| l == ";" || l.starts_with("; ")));
    for needle in [
        "file_url_prefix",
        "file_directory",
        ";   type=phone",
        ";   ringtone=tone-00",
        ";   alert=alert-frontdesk",
        ";   active_ringtone=tone-00",
    ] {
        assert!(head.contains(needle), "{needle} missing from\n{head}");
    }
    // The comment is only a comment: reading it yields nothing.
    assert!(asterisk_read(head).is_empty());
}

#[test]
fn dpma_refuses_what_asterisk_would_misread() {
    // The constructor refuses these; a caller mutating the public fields is caught at render.
    let mut t = tone("a", "A", b"");
    t.display = "two\nlines".into();
    let set = ManifestSet::new(vec![t.clone()]);
    assert!(matches!(set.dpma_conf(), Err(Error::UnsafeValue { .. })));
    assert!(matches!(set.phone_xml(), Err(Error::UnsafeValue { .. })));

    for (display, why) in [(" lead", "stripped"), ("trail\t", "control"), ("", "empty")] {
        t.display = display.into();
        let err = ManifestSet::new(vec![t.clone()]).dpma_conf().unwrap_err();
        assert!(matches!(err, Error::UnsafeValue { .. }), "{why}: {err}");
    }

    for bad_id in ["a]b", "a;b", "a b", "[a", "a\nb"] {
        let mut t = tone("a", "A", b"");
        t.id = bad_id.into();
        assert!(
            matches!(
                ManifestSet::new(vec![t]).dpma_conf(),
                Err(Error::InvalidId { .. })
            ),
            "{bad_id:?}"
        );
    }

    // Alert sections may not collide with each other or with tone ids.
    let set = ManifestSet {
        tones: vec![tone("alert-vip", "A", b"")],
        alerts: vec![Alert::parse_cli("VIP=Digium").unwrap()],
        ..ManifestSet::default()
    };
    let err = set.dpma_conf().unwrap_err();
    assert!(matches!(err, Error::Duplicate { .. }), "{err}");
    assert!(err.to_string().contains("alert-vip"));
}

// ---------------------------------------------------------------------------------------------
// JSON

#[test]
fn json_carries_everything_and_round_trips_text() {
    let mut report = Report::default();
    report.source.container = "mp3".into();
    report.source.codec = "mp3".into();
    report.source.sample_rate = 44_100;
    report.source.channels = 2;
    report.peak_dbfs = -0.5;
    report.loudness_lufs = Some(-16.25);
    report.true_peak_dbtp = Some(f64::INFINITY);
    report.warnings = vec![Warning::Clipped { samples: 3 }];
    let mut set = hostile_set();
    set.tones[0] = ManifestTone::new(
        "tone-00",
        HOSTILE_DISPLAYS[0],
        "tone-00.sln",
        &[0; 64_000],
        Some(report),
        Some("Office/Tom & Jerry.mp3".into()),
    )
    .unwrap();
    let text = set.json().unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["url_prefix"], "http://pbx.example.com/digium_phones/");
    let tones = v["tones"].as_array().unwrap();
    assert_eq!(tones.len(), HOSTILE_DISPLAYS.len());
    for (i, t) in tones.iter().enumerate() {
        assert_eq!(t["display"], HOSTILE_DISPLAYS[i]);
    }
    let t0 = &tones[0];
    assert_eq!(t0["file"], "tone-00.sln");
    assert_eq!(
        t0["url"],
        "http://pbx.example.com/digium_phones/tone-00.sln"
    );
    assert_eq!(t0["bytes"], 64_000);
    assert_eq!(t0["duration_seconds"], 2.0);
    assert_eq!(t0["md5"], set.tones[0].md5);
    assert_eq!(t0["sha256"], set.tones[0].sha256);
    assert_eq!(
        t0["source"],
        serde_json::json!({
            "path": "Office/Tom & Jerry.mp3", "container": "mp3", "codec": "mp3",
            "sample_rate": 44100, "channels": 2, "bits_per_sample": null
        })
    );
    assert_eq!(t0["peak_dbfs"], -0.5);
    assert_eq!(t0["loudness_lufs"], -16.25);
    assert!(t0["true_peak_dbtp"].is_null());
    assert_eq!(t0["warnings"].as_array().unwrap().len(), 1);
    let alerts = v["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 6);
    assert_eq!(alerts[0]["alert_info"], "a&b<c>\"d'");
    assert_eq!(alerts[0]["ringtone_id"], "tone-01");
    assert!(alerts[2]["ringtone_id"].is_null());
    assert_eq!(alerts[5]["ring_type"], "ring-answer");
    // Field order is part of the format.
    let order: Vec<usize> = [
        "\"version\"",
        "\"generator\"",
        "\"url_prefix\"",
        "\"tones\"",
        "\"alerts\"",
    ]
    .iter()
    .map(|k| text.find(k).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));
}

// ---------------------------------------------------------------------------------------------
// Hashes, determinism, validation

#[test]
fn hashes_match_known_vectors() {
    let fox = b"The quick brown fox jumps over the lazy dog";
    let t = ManifestTone::new("fox", "Fox", "fox.sln", fox, None, None).unwrap();
    assert_eq!(t.md5, "9e107d9d372bb6826bd81d3542a419d6");
    assert_eq!(
        t.sha256,
        "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
    );
    let million = vec![b'a'; 1_000_000];
    let t = ManifestTone::new("a", "A", "a.sln", &million, None, None).unwrap();
    assert_eq!(t.md5, "7707d6ae4e027c70eea2a935c2296f21");
    assert_eq!(
        t.sha256,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    );
    assert_eq!(t.bytes, 1_000_000);
    assert_eq!(t.duration_seconds, 31.25);
}

fn render_all(set: &ManifestSet) -> [String; 3] {
    [
        set.phone_xml().unwrap(),
        set.dpma_conf().unwrap(),
        set.json().unwrap(),
    ]
}

#[test]
fn output_is_deterministic_and_order_independent() {
    let set = hostile_set();
    let first = render_all(&set);
    assert_eq!(first, render_all(&set));
    for out in &first {
        assert!(out.ends_with('\n'));
    }

    let mut shuffled = set.clone();
    shuffled.tones.reverse();
    shuffled.tones.rotate_left(3);
    shuffled.alerts.reverse();
    shuffled.alerts.swap(0, 2);
    assert_eq!(first, render_all(&shuffled));
}

#[test]
fn duplicates_are_refused_naming_both_sources() {
    let a = ManifestTone::new(
        "front-desk",
        "A",
        "a.sln",
        b"",
        None,
        Some("Office/Front Desk.mp3".into()),
    )
    .unwrap();
    let b = ManifestTone::new(
        "FRONT-DESK",
        "B",
        "b.sln",
        b"",
        None,
        Some("office/front_desk!.wav".into()),
    )
    .unwrap();
    let err = ManifestSet::new(vec![a.clone(), b])
        .phone_xml()
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("Office/Front Desk.mp3") && msg.contains("office/front_desk!.wav"),
        "{msg}"
    );

    let c = ManifestTone::new("other", "C", "A.SLN", b"", None, Some("other.wav".into())).unwrap();
    let err = ManifestSet::new(vec![a, c]).json().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Duplicate {
                what: "file name",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn alerts_resolve_tones_ignoring_case() {
    let set = ManifestSet {
        tones: vec![tone("Front-Desk", "F", b"")],
        alerts: vec![
            Alert::parse_cli("x=front-desk").unwrap(),
            Alert::parse_cli("y=ROTARYPHONE").unwrap(),
            Alert::new("z", Some(String::new()), RingType::Visual).unwrap(),
        ],
        ..ManifestSet::default()
    };
    let parsed = parse_xml(&set.phone_xml().unwrap());
    let tones: Vec<_> = parsed.alerts.iter().map(|a| a[1].1.as_str()).collect();
    assert_eq!(
        tones,
        [
            "Front-Desk",
            "Front-Desk",
            "RotaryPhone",
            "RotaryPhone",
            "",
            ""
        ]
    );

    let unknown = ManifestSet {
        alerts: vec![Alert::parse_cli("x=nope").unwrap()],
        ..ManifestSet::default()
    };
    assert!(matches!(unknown.validate(), Err(Error::UnknownTone { .. })));
}

#[test]
fn ids_from_paths() {
    let id = |p: &str| id::id_from_relative_path(Path::new(p));
    assert_eq!(id("Office/Front Desk.mp3").unwrap(), "office-front-desk");
    assert_eq!(
        id("Ringtones/Été/Nuit Blanche.flac").unwrap(),
        "ringtones-ete-nuit-blanche"
    );
    assert_eq!(id("Grüße aus Köln.ogg").unwrap(), "grusse-aus-koln");
    assert_eq!(
        id("hold_music (final) v2.WAV").unwrap(),
        "hold_music-final-v2"
    );
    assert!(matches!(
        id("digium.wav"),
        Err(Error::BuiltinCollision {
            builtin: "Digium",
            ..
        })
    ));
    assert!(matches!(
        id("GuitarStrum.mp3"),
        Err(Error::BuiltinCollision {
            builtin: "GuitarStrum",
            ..
        })
    ));
    let msg = id("digium.wav").unwrap_err().to_string();
    assert!(msg.contains("built-in `Digium`") && msg.contains("rename the file or set another id"));
    for empty in ["😀.wav", "音楽.mp3", "--.wav", "✨ 🎵.m4a"] {
        let err = id(empty).unwrap_err();
        assert!(matches!(err, Error::InvalidId { .. }), "{empty}: {err:?}");
        assert!(err.to_string().contains("rename"), "{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

/// Unicode line and paragraph separators: not control characters, but refused in text.
const LINE_SEPARATORS: [char; 2] = ['\u{2028}', '\u{2029}'];

/// Text without control characters, weighted towards the characters the formats care about.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ a-zA-Z0-9;\\\\=>\\[\\]#&<>\"'-]{0,24}",
        "\\PC{0,70}",
        "[ ;\\\\-]{0,12}",
    ]
}

proptest! {
    #[test]
    fn ids_from_any_path_are_safe_or_an_error(
        parts in prop::collection::vec(any::<String>(), 0..4),
        ext in "[a-z0-9]{0,4}",
    ) {
        let mut path = parts.join("/");
        if !ext.is_empty() {
            path.push('.');
            path.push_str(&ext);
        }
        match id::id_from_relative_path(Path::new(&path)) {
            Ok(got) => {
                prop_assert!(!got.is_empty() && got.len() <= id::MAX_ID_LEN);
                prop_assert!(got.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'));
                prop_assert!(!got.starts_with('-') && !got.ends_with('-') && !got.contains("--"));
                prop_assert!(id::validate_id(&got).is_ok());
                prop_assert_eq!(id::id_from_relative_path(Path::new(&path)).unwrap(), got);
            }
            Err(Error::InvalidId { .. } | Error::BuiltinCollision { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn dpma_and_xml_round_trip_any_display_name(display in text()) {
        match ManifestTone::new("t", display.clone(), "t.sln", b"", None, None) {
            Ok(t) => {
                let set = ManifestSet::new(vec![t]);
                let sections = asterisk_read(&set.dpma_conf().unwrap());
                prop_assert_eq!(&sections[0].1[1], &("alias".to_string(), display.clone()));
                let parsed = parse_xml(&set.phone_xml().unwrap());
                prop_assert_eq!(&parsed.tones[14][1], &("display".to_string(), display.clone()));
                let v: serde_json::Value = serde_json::from_str(&set.json().unwrap()).unwrap();
                prop_assert_eq!(v["tones"][0]["display"].as_str(), Some(display.as_str()));
            }
            Err(Error::UnsafeValue { .. }) => {
                let n = display.chars().count();
                prop_assert!(
                    n == 0 || n > id::MAX_DISPLAY_CHARS
                        || display.starts_with(char::is_whitespace)
                        || display.ends_with(char::is_whitespace)
                        || display.contains(LINE_SEPARATORS)
                );
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn dpma_and_xml_round_trip_any_alert_info(info in text()) {
        let alert = match Alert::new(info.clone(), Some("Digium".into()), RingType::Normal) {
            Ok(a) => a,
            Err(Error::UnsafeValue { .. }) => {
                prop_assert!(
                    info.is_empty()
                        || info.trim() != info
                        || info.chars().count() > 128
                        || info.contains(LINE_SEPARATORS)
                );
                return Ok(());
            }
            Err(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
        };
        let set = ManifestSet { alerts: vec![alert], ..ManifestSet::default() };
        let parsed = parse_xml(&set.phone_xml().unwrap());
        prop_assert_eq!(&parsed.alerts[0][0].1, &info);
        prop_assert_eq!(&parsed.alerts[1][0].1, &format!("<http://127.0.0.1>;info={info}"));
        match set.dpma_conf() {
            Ok(conf) => {
                let sections = asterisk_read(&conf);
                let (name, keys) = &sections[0];
                let slug = id::slugify(&info);
                prop_assert!(name.starts_with("alert-") && slug.starts_with(&name["alert-".len()..]));
                let map: HashMap<_, _> = keys.iter().cloned().collect();
                prop_assert_eq!(map["alert_info"].as_str(), info.as_str());
                prop_assert_eq!(map["ringtone"].as_str(), "Digium");
            }
            Err(Error::UnsafeValue { .. }) => prop_assert!(id::slugify(&info).is_empty()),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }
}
