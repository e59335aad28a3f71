//! The manifests read back the way their consumers read them, through the library's reader
//! (`ringforge::manifest::read`): the phone XML through an XML parser, the DPMA fragment by the
//! rules of Asterisk's `main/config.c`, the JSON through serde; and that reader's own tests,
//! round trips field by field and malformed input.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use proptest::prelude::*;
use ringforge::id::{self, BUILTIN_TONES};
use ringforge::logo::Model;
use ringforge::manifest::{read, Alert, ManifestLogo, ManifestSet, ManifestTone, RingType};
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
            "frontdesk=tone-00".parse::<Alert>().unwrap(),
            "a&b<c>\"d'=TONE-01:ring-answer".parse::<Alert>().unwrap(),
            "semi;colon=digium".parse::<Alert>().unwrap(),
            "page=:answer".parse::<Alert>().unwrap(),
            "quiet=:visual".parse::<Alert>().unwrap(),
            "vip=Vibe:ring-answer".parse::<Alert>().unwrap(),
        ],
        url_prefix: Some("http://pbx.example.com/digium_phones".into()),
        builtin_tones: true,
        logos: Vec::new(),
    }
}

/// A tone as the phone XML lists it: (id, display, url, md5).
type XmlTone = (String, String, String, String);
/// An alert as a manifest lists it: (alert_info, tone or "", ring type).
type AlertRow = (String, String, String);

/// Reads the phone XML back with the library's reader, checking the declaration on the way.
fn parse_xml(xml: &str) -> read::PhoneXml {
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<config>\n"),
        "{xml}"
    );
    read::phone_xml(xml).expect("the phone XML reads back")
}

fn xml_tones(tones: &[read::ListedTone]) -> Vec<XmlTone> {
    tones
        .iter()
        .map(|t| {
            let s = |v: &Option<String>| v.clone().unwrap_or_default();
            (t.id.clone(), s(&t.display), s(&t.url), s(&t.md5))
        })
        .collect()
}

fn alert_rows(alerts: &[read::ListedAlert]) -> Vec<AlertRow> {
    alerts
        .iter()
        .map(|a| {
            (
                a.alert_info.clone(),
                a.tone.clone().unwrap_or_default(),
                a.ring_type.to_string(),
            )
        })
        .collect()
}

/// One section of an Asterisk configuration file: name and `key=value` lines in order.
type Section = (String, Vec<(String, String)>);

/// Reads a DPMA fragment back with the library's reader (Asterisk's rules; it refuses block
/// comments left open, directives, over-long lines and section names Asterisk would cut), and
/// checks what the writer must never produce: text after `]`, templates outside the logo
/// template, and two sections of one name (compared ignoring case, as Asterisk does).
fn asterisk_read(text: &str) -> Vec<Section> {
    let sections = read::dpma_sections(text).expect("the DPMA fragment reads back");
    let mut names = HashSet::new();
    for s in &sections {
        assert!(
            names.insert(s.name.to_ascii_lowercase()),
            "duplicate section {}",
            s.name
        );
        assert!(s.options.is_none(), "[{}] has options", s.name);
    }
    for line in text.lines().filter(|l| l.starts_with('[')) {
        assert!(
            line.ends_with(']') && line.matches(']').count() == 1,
            "{line:?}"
        );
    }
    sections.into_iter().map(|s| (s.name, s.values)).collect()
}

fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Phone XML

#[test]
fn phone_xml_round_trips_every_attribute() {
    let set = hostile_set();
    let xml = set.phone_xml().unwrap();
    assert!(xml.ends_with("</config>\n"));
    let parsed = parse_xml(&xml);

    let builtins: Vec<(String, String)> = parsed
        .builtin_tones
        .iter()
        .map(|t| (t.id.clone(), t.display.clone().unwrap_or_default()))
        .collect();
    let expected_builtins: Vec<(String, String)> = BUILTIN_TONES
        .iter()
        .map(|(id, d)| (id.to_string(), d.to_string()))
        .collect();
    assert_eq!(builtins, expected_builtins);
    assert!(parsed
        .builtin_tones
        .iter()
        .all(|t| t.url.is_none() && t.md5.is_none()));

    let mut user: Vec<&ManifestTone> = set.tones.iter().collect();
    user.sort_by(|a, b| a.id.cmp(&b.id));
    let expected_tones: Vec<XmlTone> = user
        .iter()
        .map(|t| {
            let url = format!("http://pbx.example.com/digium_phones/{}", t.file_name);
            (t.id.clone(), t.display.clone(), url, t.md5.clone())
        })
        .collect();
    assert_eq!(xml_tones(&parsed.tones), expected_tones);

    let alert = |info: &str, tone: &str, ring: &str| -> [AlertRow; 2] {
        let row = |i: String| (i, tone.to_string(), ring.to_string());
        [
            row(info.to_string()),
            row(format!("<http://127.0.0.1>;info={info}")),
        ]
    };
    let expected_alerts: Vec<AlertRow> = [
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
    assert_eq!(alert_rows(&parsed.alerts), expected_alerts);
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
    assert!(parsed.builtin_tones.is_empty());
    let ids: Vec<_> = parsed.tones.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(parsed.tones[0].url.as_deref(), Some("a.sln"));
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
        assert_eq!(parsed.tones[0].url.as_deref(), Some(url));
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
        alerts: vec!["VIP=Digium".parse::<Alert>().unwrap()],
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
// The reader: round trips and malformed input

/// The hostile set with a report on one tone and two logos.
fn full_set() -> ManifestSet {
    let mut set = hostile_set();
    let mut report = Report::default();
    report.source.container = "wave".into();
    set.tones[3] = ManifestTone::new(
        "tone-03",
        HOSTILE_DISPLAYS[3],
        "tone-03.sln",
        &[7; 320],
        Some(report),
        Some("in/tone-03.wav".into()),
    )
    .unwrap();
    set.logos = vec![
        ManifestLogo::new(Model::D60, b"png60", Some("art/logo.svg".into())),
        ManifestLogo::new(Model::D40, b"png40", None),
    ];
    set
}

#[test]
fn reader_round_trips_every_field_of_every_manifest() {
    let set = full_set();
    let mut tones: Vec<&ManifestTone> = set.tones.iter().collect();
    tones.sort_by(|a, b| a.id.cmp(&b.id));
    let prefix = "http://pbx.example.com/digium_phones/";

    let xml = parse_xml(&set.phone_xml().unwrap());
    assert_eq!(xml.tones.len(), tones.len());
    for (got, want) in xml.tones.iter().zip(&tones) {
        assert_eq!(got.id, want.id);
        assert_eq!(got.display.as_deref(), Some(want.display.as_str()));
        assert_eq!(got.url, Some(format!("{prefix}{}", want.file_name)));
        assert_eq!(got.md5.as_deref(), Some(want.md5.as_str()));
        assert_eq!(
            (got.file_name.as_ref(), got.bytes, got.sha256.as_ref()),
            (None, None, None)
        );
    }

    let conf = read::dpma_conf(&set.dpma_conf().unwrap()).unwrap();
    assert_eq!(conf.tones.len(), tones.len());
    for (got, want) in conf.tones.iter().zip(&tones) {
        assert_eq!(got.id, want.id);
        assert_eq!(got.display.as_deref(), Some(want.display.as_str()));
        assert_eq!(got.file_name.as_deref(), Some(want.file_name.as_str()));
        assert_eq!((got.url.as_ref(), got.md5.as_ref()), (None, None));
    }
    let logos: Vec<_> = conf
        .logos
        .iter()
        .map(|l| (l.model, l.file_name.as_deref()))
        .collect();
    assert_eq!(
        logos,
        [
            (Some(Model::D40), Some("logo-d40.png")),
            (Some(Model::D60), Some("logo-d60.png"))
        ]
    );

    let json = read::json(&set.json().unwrap()).unwrap();
    assert_eq!(json.version, 1);
    assert_eq!(json.sound_version, Some(ringforge::SOUND_VERSION));
    assert_eq!(json.url_prefix.as_deref(), Some(prefix));
    assert_eq!(
        json.generator,
        Some(format!("ringforge {}", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(json.tones.len(), tones.len());
    for (got, want) in json.tones.iter().zip(&tones) {
        assert_eq!(got.id, want.id);
        assert_eq!(got.display.as_deref(), Some(want.display.as_str()));
        assert_eq!(got.file_name.as_deref(), Some(want.file_name.as_str()));
        assert_eq!(got.url, Some(format!("{prefix}{}", want.file_name)));
        assert_eq!(got.bytes, Some(want.bytes));
        assert_eq!(got.md5.as_deref(), Some(want.md5.as_str()));
        assert_eq!(got.sha256.as_deref(), Some(want.sha256.as_str()));
        assert_eq!(got.source_path, want.source_path);
    }
    let mut logos = set.logos.clone();
    logos.sort_by_key(|l| l.model);
    assert_eq!(json.logos.len(), 2);
    for (got, want) in json.logos.iter().zip(&logos) {
        assert_eq!(got.model, Some(want.model));
        assert_eq!(got.file_name.as_deref(), Some(want.file_name.as_str()));
        assert_eq!(got.url, Some(format!("{prefix}{}", want.file_name)));
        assert_eq!(got.size, Some((want.width, want.height)));
        assert_eq!(got.bytes, Some(want.digests.bytes));
        assert_eq!(got.md5.as_deref(), Some(want.digests.md5.as_str()));
        assert_eq!(got.sha256.as_deref(), Some(want.digests.sha256.as_str()));
    }
    for l in &logos {
        let read = read::logo_xml(&set.logo_xml(l.model).unwrap()).unwrap();
        assert_eq!(read.url, Some(format!("{prefix}{}", l.file_name)));
        assert_eq!(read.md5.as_deref(), Some(l.digests.md5.as_str()));
    }

    // Alerts: the same in every format (the phone XML lists each twice).
    let rows = alert_rows(&json.alerts);
    assert_eq!(alert_rows(&conf.alerts), rows);
    let bare: Vec<AlertRow> = alert_rows(&xml.alerts).into_iter().step_by(2).collect();
    assert_eq!(bare, rows);
    assert_eq!(rows.len(), set.alerts.len());
    assert_eq!(
        rows[0],
        ("a&b<c>\"d'".into(), "tone-01".into(), "ring-answer".into())
    );
    let sections: Vec<_> = conf.alerts.iter().map(|a| a.section.as_deref()).collect();
    assert_eq!(sections[0], Some("alert-a-b-c-d"));
    assert!(xml
        .alerts
        .iter()
        .chain(&json.alerts)
        .all(|a| a.section.is_none()));
}

/// Asterisk's line rules, each with its own line: escaped `;`, block comments (nested, over
/// lines, closed mid-line), `=>` and `+=` (which appends the stripped value as it is), stripping of all bytes up to 0x20, text after `]`.
#[test]
fn dpma_reader_follows_asterisk() {
    let conf = "[a](!) ; a template\n\
                alias = Bee\\; x \\\\; y ; comment\n\
                ;-- a block\n\
                comment [b]\n\
                --; file=>  >x\x01\n\
                more;-- inline --;=1\n\
                alias+= z\n\
                ;--- not a block comment\n\
                [c] junk\n\
                k=;-- a ;-- nested --; comment --;v\n";
    let s = read::dpma_sections(conf).unwrap();
    assert_eq!(s.len(), 2, "{s:?}");
    assert_eq!(
        (s[0].name.as_str(), s[0].options.as_deref()),
        ("a", Some("!"))
    );
    assert_eq!(
        s[0].values,
        kv(&[("alias", "Bee; x \\; yz"), ("file", ">x"), ("more", "1")])
    );
    assert_eq!((s[1].name.as_str(), s[1].line), ("c", 9));
    assert_eq!(s[1].values, kv(&[("k", "v")]));
}

#[test]
fn malformed_manifests_are_typed_errors_with_their_place() {
    use read::ReadErrorKind as K;
    /// What is read, the reader's result, the line expected and words of the message.
    type Case<'a> = (&'a str, Result<(), read::ReadError>, Option<usize>, &'a str);
    let cases: Vec<Case> = vec![
        (
            "xml not well-formed",
            read::phone_xml("<config>\n<ringtones>\n</config>").map(drop),
            Some(3),
            "not well-formed XML",
        ),
        (
            "xml without config",
            read::phone_xml("<ringtones/>").map(drop),
            None,
            "no <config> element",
        ),
        (
            "tone without id",
            read::phone_xml("<config><ringtones><tones>\n<tone type=\"user\" display=\"x\"/>")
                .map(drop),
            Some(2),
            "a <tone> has no `id`",
        ),
        (
            "tone of another type",
            read::phone_xml("<config><ringtones><tones><tone id=\"a\" type=\"usr\"/>").map(drop),
            Some(1),
            "`type` is \"usr\"; expected phone or user",
        ),
        (
            "alert ring type",
            read::phone_xml(
                "<config><ringtones><alerts>\n\n<alert alert_info=\"a\" ring_type=\"loud\"/>",
            )
            .map(drop),
            Some(3),
            "`ring_type` is \"loud\"",
        ),
        (
            "logo fragment without the setting",
            read::logo_xml("<config><setting id=\"other\"/></config>").map(drop),
            None,
            "no <setting id=\"logo_file\"> element",
        ),
        (
            "dpma header",
            read::dpma_conf("; x\n[a\ntype=ringtone\n").map(drop),
            Some(2),
            "no closing `]`",
        ),
        (
            "dpma value outside a section",
            read::dpma_conf("type=ringtone\n").map(drop),
            Some(1),
            "outside a section",
        ),
        (
            "dpma line without =",
            read::dpma_conf("[a]\ntype ringtone\n").map(drop),
            Some(2),
            "expected key=value",
        ),
        (
            "dpma ringtone without filename",
            read::dpma_conf("[a]\ntype=ringtone\nalias=A\n").map(drop),
            Some(1),
            "[a] has no `filename`",
        ),
        (
            "dpma alert ring type",
            read::dpma_conf("\n[alert-a]\ntype=alert\nalert_info=a\nring_type=loud\n").map(drop),
            Some(2),
            "`ring_type` is \"loud\"",
        ),
        (
            "dpma directive",
            read::dpma_conf("[a]\n#include other.conf\n").map(drop),
            Some(2),
            "#include and #exec are not followed",
        ),
        (
            "dpma stray block comment end",
            read::dpma_conf("[a]\nalias=x--;\n").map(drop),
            Some(2),
            "never opened",
        ),
        (
            "dpma block comment left open",
            read::dpma_conf("[a]\n;-- open\nalias=x\n").map(drop),
            Some(2),
            "never closed",
        ),
        (
            "dpma long line",
            read::dpma_conf(&format!("[a]\nalias={}\n", "x".repeat(8200))).map(drop),
            Some(2),
            "at most 8190 bytes",
        ),
        (
            "dpma long section name",
            read::dpma_conf(&format!("[{}]\n", "x".repeat(80))).map(drop),
            Some(1),
            "Asterisk keeps 79",
        ),
        (
            "dpma logo key",
            read::dpma_conf("[ringforge-logos](!)\nd99_logo_file=x.png\n").map(drop),
            Some(1),
            "d99_logo_file",
        ),
        (
            "json syntax",
            read::json("{\"version\": 1,\n \"tones\": [}").map(drop),
            Some(2),
            "expected value",
        ),
        (
            "json tone without id",
            read::json("{\"version\": 1, \"tones\": [\n  {\"display\": \"A\"}]}").map(drop),
            Some(2),
            "missing field `id`",
        ),
        (
            "json without tones",
            read::json("{\"version\": 1}").map(drop),
            Some(1),
            "missing field `tones`",
        ),
        (
            "json ring type",
            read::json(
                "{\"version\": 1, \"tones\": [], \"alerts\": [\n{\"alert_info\": \"a\", \
                 \"ringtone_id\": null, \"ring_type\": \"loud\"}]}",
            )
            .map(drop),
            Some(2),
            "unknown variant `loud`",
        ),
        (
            "json logo model",
            read::json("{\"version\": 1, \"tones\": [], \"logos\": [{\"model\": \"d99\"}]}")
                .map(drop),
            None,
            "\"d99\"",
        ),
    ];
    for (what, result, line, words) in cases {
        let err = result.expect_err(what);
        assert_eq!(err.line, line, "{what}: {err}");
        let msg = err.to_string();
        assert!(msg.contains(words), "{what}: {msg:?} lacks {words:?}");
        match (&err.kind, what) {
            (K::Syntax(_), w) if w.contains("syntax") || w.contains("well-formed") => {}
            (K::MissingElement(_), w) if w.contains("without") && !w.contains("id") => {}
            (K::MissingField { .. }, w) if w.contains("without") => {}
            (K::InvalidValue { .. }, w)
                if w.contains("type") || w.contains("logo key") || w.contains("model") => {}
            (K::Unsupported(_), w)
                if w.contains("directive") || w.contains("stray") || w.contains("long") => {}
            (K::Syntax(_), _) => {}
            (kind, _) => panic!("{what}: unexpected kind {kind:?}"),
        }
        if let (Some(l), Some(c)) = (err.line, err.column) {
            assert!(msg.starts_with(&format!("line {l}, column {c}: ")), "{msg}");
        }
    }
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
            "x=front-desk".parse::<Alert>().unwrap(),
            "y=ROTARYPHONE".parse::<Alert>().unwrap(),
            Alert::new("z", Some(String::new()), RingType::Visual).unwrap(),
        ],
        ..ManifestSet::default()
    };
    let parsed = parse_xml(&set.phone_xml().unwrap());
    let tones: Vec<_> = parsed
        .alerts
        .iter()
        .map(|a| a.tone.as_deref().unwrap_or(""))
        .collect();
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
        alerts: vec!["x=nope".parse::<Alert>().unwrap()],
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
                prop_assert_eq!(parsed.tones[0].display.as_deref(), Some(display.as_str()));
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
        prop_assert_eq!(&parsed.alerts[0].alert_info, &info);
        prop_assert_eq!(&parsed.alerts[1].alert_info, &format!("<http://127.0.0.1>;info={info}"));
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
