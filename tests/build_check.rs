//! `ringforge build` and `ringforge check` end to end: the real binary, run in temporary
//! repositories with small sources made in memory.

use std::fs;
use std::path::{Path, PathBuf};

use ringforge::signal::{sine, wav_i16};
use serde_json::Value;

mod common;

use common::run::{Output, Run};

const CONFIG: &str = r#"# a small ringtone repository
[output]
dir = "out"
url_prefix = "http://pbx.example.com/tones/"

[[tone]]
id = "a"
display = "Tone A"
source = "sounds/a.wav"

[[tone]]
id = "b"
display = "Tone B"
source = "sounds/b.wav"

[[tone]]
id = "c"
source = "sounds/sub/c-chime.wav"

[[alert]]
alert_info = "frontdesk"
tone = "a"
"#;

/// A temporary repository: sources under `sounds/`, `ringforge.toml` at the root, a `.git`
/// folder as a repository would have.
struct Repo {
    dir: tempfile::TempDir,
}

fn source(freq: f64, rate: u32) -> Vec<u8> {
    wav_i16(rate, 1, &sine(freq, 0.5, rate, rate as usize / 2))
}

impl Repo {
    fn new() -> Repo {
        let dir = common::temp_folder(
            &[".git"],
            &[
                ("sounds/a.wav", &source(440.0, 48_000)),
                ("sounds/b.wav", &source(660.0, 44_100)),
                ("sounds/sub/c-chime.wav", &source(880.0, 16_000)),
                ("ringforge.toml", CONFIG.as_bytes()),
            ],
        );
        Repo { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        fs::write(self.path(rel), bytes).unwrap();
    }

    fn read(&self, rel: &str) -> Vec<u8> {
        fs::read(self.path(rel)).unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        Run::new(args).cwd(self.dir.path()).output()
    }

    /// `build --report json`, which must succeed; the report.
    fn build(&self) -> Value {
        let out = self.run(&["build", "--report", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        serde_json::from_str(&out.stdout).unwrap()
    }

    /// `check --format json`: exit code and report.
    fn check(&self) -> (i32, Value) {
        let out = self.run(&["check", "--format", "json"]);
        let v = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
        (out.status.code().unwrap(), v)
    }

    fn assert_check_passes(&self) {
        let (code, v) = self.check();
        assert_eq!(code, 0, "{v:#}");
        assert_eq!(v["ok"], true);
        assert_eq!(v["problems"], serde_json::json!([]));
    }
}

fn text(out: &Output) -> String {
    out.text()
}

fn status_of<'a>(report: &'a Value, id: &str) -> &'a str {
    report["tones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no tone {id} in {report:#}"))["status"]
        .as_str()
        .unwrap()
}

/// The problems of a check report, as (kind, file, tone, message).
fn problems(v: &Value) -> Vec<(String, String, String, String)> {
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["file"].as_str().unwrap().replace('\\', "/"),
                p["tone"].as_str().unwrap_or("").to_string(),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(v: &Value, kind: &str, file: &str) -> bool {
    problems(v)
        .iter()
        .any(|(k, f, _, _)| k == kind && Path::new(f) == Path::new(file))
}

#[test]
fn build_check_edit_rebuild_only_that_tone() {
    let repo = Repo::new();
    let r = repo.build();
    assert_eq!(r["converted"], 3, "{r:#}");
    for f in [
        "out/a.sln",
        "out/b.sln",
        "out/c.sln",
        "out/ringtones.xml",
        "out/res_digium_phone.conf",
        "out/ringtones.json",
        "out/.ringforge-cache.json",
    ] {
        assert!(repo.path(f).is_file(), "{f}");
    }
    let xml = String::from_utf8(repo.read("out/ringtones.xml")).unwrap();
    assert!(
        xml.contains(r#"url="http://pbx.example.com/tones/c.sln""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"display="C Chime""#),
        "display from the file name: {xml}"
    );
    repo.assert_check_passes();

    // Edit one source: check names that tone as stale, and only that one.
    repo.write("sounds/b.wav", &source(700.0, 44_100));
    let (code, v) = repo.check();
    assert_eq!(code, 1, "{v:#}");
    assert!(has(&v, "stale", "out/b.sln"), "{v:#}");
    let stale: Vec<_> = problems(&v)
        .into_iter()
        .filter(|(k, ..)| k == "stale")
        .collect();
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0].2, "b");
    assert!(stale[0].3.contains("sounds/b.wav"), "{stale:?}");

    // Build converts only that tone.
    let r = repo.build();
    assert_eq!(r["converted"], 1, "{r:#}");
    assert_eq!(status_of(&r, "b"), "converted");
    assert_eq!(status_of(&r, "a"), "up-to-date");
    assert_eq!(status_of(&r, "c"), "up-to-date");
    repo.assert_check_passes();
}

#[test]
fn second_build_decodes_nothing_and_manifests_are_byte_identical() {
    let repo = Repo::new();
    repo.build();
    let names = ["ringtones.xml", "res_digium_phone.conf", "ringtones.json"];
    let before: Vec<Vec<u8>> = names
        .iter()
        .map(|n| repo.read(&format!("out/{n}")))
        .collect();

    let r = repo.build();
    assert_eq!(r["converted"], 0, "{r:#}");
    assert_eq!(r["up_to_date"], 3, "{r:#}");
    for m in r["manifests"].as_array().unwrap() {
        assert_eq!(m["status"], "unchanged", "{r:#}");
    }

    // Without the cache everything is converted again, and the manifests come out the same.
    fs::remove_file(repo.path("out/.ringforge-cache.json")).unwrap();
    let r = repo.build();
    assert_eq!(r["converted"], 3, "{r:#}");
    let after: Vec<Vec<u8>> = names
        .iter()
        .map(|n| repo.read(&format!("out/{n}")))
        .collect();
    assert_eq!(before, after);
    let json: Value = serde_json::from_slice(&repo.read("out/ringtones.json")).unwrap();
    assert_eq!(json["tones"][0]["source"]["path"], "sounds/a.wav");
    assert_eq!(json["tones"][0]["source"]["sample_rate"], 48_000);
}

#[test]
fn each_kind_of_damage_fails_with_its_own_message() {
    let repo = Repo::new();
    repo.build();
    repo.assert_check_passes();

    type Damage = (
        &'static str,
        fn(&Repo),
        &'static str,
        &'static str,
        &'static str,
    );
    let damages: [Damage; 8] = [
        (
            "one byte changed",
            |r| {
                let mut b = r.read("out/a.sln");
                b[100] ^= 0x01;
                r.write("out/a.sln", &b);
            },
            "manifest-checksum",
            "out/ringtones.xml",
            "md5",
        ),
        (
            "manifest row deleted",
            |r| {
                let xml = String::from_utf8(r.read("out/ringtones.xml")).unwrap();
                let kept: String = xml
                    .split_inclusive('\n')
                    .filter(|l| !l.contains(r#"<tone id="b""#))
                    .collect();
                r.write("out/ringtones.xml", kept.as_bytes());
            },
            "manifest-missing-tone",
            "out/ringtones.xml",
            "does not list tone `b`",
        ),
        (
            "DPMA section deleted",
            |r| {
                let conf = String::from_utf8(r.read("out/res_digium_phone.conf")).unwrap();
                let start = conf.find("\n[c]\n").unwrap();
                let end = conf[start + 1..]
                    .find("\n\n")
                    .map_or(conf.len(), |e| start + 1 + e);
                let cut = format!("{}{}", &conf[..start], &conf[end..]);
                r.write("out/res_digium_phone.conf", cut.as_bytes());
            },
            "manifest-missing-tone",
            "out/res_digium_phone.conf",
            "does not list tone `c`",
        ),
        (
            "orphan file",
            |r| r.write("out/notes.txt", b"left here by hand"),
            "orphan",
            "out/notes.txt",
            "not produced by ringforge.toml",
        ),
        (
            "truncated to an odd length",
            |r| {
                let b = r.read("out/b.sln");
                r.write("out/b.sln", &b[..b.len() - 1]);
            },
            "odd-length",
            "out/b.sln",
            "odd length",
        ),
        (
            "WAV header prepended",
            |r| {
                let b = r.read("out/c.sln");
                let samples: Vec<f32> = b
                    .chunks_exact(2)
                    .map(|s| f32::from(i16::from_le_bytes([s[0], s[1]])) / 32_768.0)
                    .collect();
                r.write("out/c.sln", &wav_i16(16_000, 1, &samples));
            },
            "header",
            "out/c.sln",
            "WAV (RIFF) header",
        ),
        (
            "silenced",
            |r| {
                let n = r.read("out/a.sln").len();
                r.write("out/a.sln", &vec![0; n]);
            },
            "silent",
            "out/a.sln",
            "silent",
        ),
        (
            "emptied",
            |r| r.write("out/b.sln", b""),
            "empty",
            "out/b.sln",
            "empty",
        ),
    ];
    for (what, damage, kind, file, words) in damages {
        damage(&repo);
        let (code, v) = repo.check();
        assert_eq!(code, 1, "{what}: {v:#}");
        let found = problems(&v)
            .into_iter()
            .find(|(k, f, _, m)| k == kind && Path::new(f) == Path::new(file) && m.contains(words));
        assert!(
            found.is_some(),
            "{what}: no {kind} problem on {file}: {v:#}"
        );
        for p in v["problems"].as_array().unwrap() {
            assert!(!p["fix"].as_str().unwrap().is_empty(), "{what}: {p}");
        }
        // Each is mended by a build (an orphan the user deletes: build leaves unknown files).
        let _ = fs::remove_file(repo.path("out/notes.txt"));
        repo.build();
        repo.assert_check_passes();
    }
}

#[test]
fn a_modified_output_is_told_from_a_stale_one() {
    let repo = Repo::new();
    repo.build();
    let mut b = repo.read("out/a.sln");
    b[10] ^= 0x01;
    repo.write("out/a.sln", &b);
    let (_, v) = repo.check();
    assert!(has(&v, "modified", "out/a.sln"), "{v:#}");
    assert!(!has(&v, "stale", "out/a.sln"), "{v:#}");
    // The build notices the modification although the source did not change.
    let r = repo.build();
    assert_eq!(status_of(&r, "a"), "converted");
    assert_eq!(r["tones"][0]["reason"], "output modified");
}

#[test]
fn tones_leaving_the_config_are_removed_and_renames_are_named() {
    let repo = Repo::new();
    repo.build();
    repo.write("out/stray.sln", &[1, 0, 2, 0]);

    // Rename b → bee: check (before building) names the rename.
    let renamed = CONFIG.replace("id = \"b\"", "id = \"bee\"");
    repo.write("ringforge.toml", renamed.as_bytes());
    let (code, v) = repo.check();
    assert_eq!(code, 1);
    assert!(
        has(&v, "manifest-renamed-tone", "out/ringtones.xml"),
        "{v:#}"
    );
    assert!(has(&v, "missing", "out/bee.sln"), "{v:#}");
    assert!(has(&v, "orphan", "out/b.sln"), "{v:#}");
    assert!(has(&v, "orphan", "out/stray.sln"), "{v:#}");

    // Drop c as well: the build removes b.sln, c.sln and the stray tone file.
    let fewer = renamed.replace(
        "[[tone]]\nid = \"c\"\nsource = \"sounds/sub/c-chime.wav\"\n",
        "",
    );
    assert_ne!(fewer, renamed);
    repo.write("ringforge.toml", fewer.as_bytes());
    let r = repo.build();
    assert_eq!(status_of(&r, "bee"), "converted");
    assert_eq!(status_of(&r, "b"), "removed");
    assert_eq!(status_of(&r, "c"), "removed");
    assert_eq!(status_of(&r, "stray"), "removed");
    for gone in ["out/b.sln", "out/c.sln", "out/stray.sln"] {
        assert!(!repo.path(gone).exists(), "{gone}");
    }
    repo.assert_check_passes();

    // Deselecting a manifest removes it.
    let xml_only = fewer.replace(
        "url_prefix = \"http://pbx.example.com/tones/\"\n",
        "url_prefix = \"http://pbx.example.com/tones/\"\nmanifests = [\"xml\"]\n",
    );
    repo.write("ringforge.toml", xml_only.as_bytes());
    let r = repo.build();
    assert_eq!(r["converted"], 0);
    assert!(!repo.path("out/ringtones.json").exists());
    assert!(!repo.path("out/res_digium_phone.conf").exists());
    repo.assert_check_passes();
}

#[test]
fn config_errors_give_file_line_and_fix_and_exit_2() {
    let repo = Repo::new();
    let cases: [(&str, String, usize, &str); 6] = [
        (
            "unknown key",
            CONFIG.replace("display = \"Tone B\"", "colour = \"blue\""),
            13,
            "colour",
        ),
        (
            "missing source",
            CONFIG.replace("sounds/b.wav", "sounds/nope.wav"),
            14,
            "sounds/nope.wav",
        ),
        (
            "duplicate id",
            CONFIG.replace("id = \"c\"", "id = \"A\""),
            17,
            "duplicate tone id",
        ),
        (
            "built-in id",
            CONFIG.replace("id = \"c\"", "id = \"Techno\""),
            17,
            "built-in",
        ),
        (
            "outside the repository",
            CONFIG.replace("sounds/b.wav", "../../etc/passwd"),
            14,
            "outside the repository",
        ),
        (
            "bad conditioning value",
            CONFIG.replace("display = \"Tone B\"", "normalize = \"loudness:+3\""),
            13,
            "normalize",
        ),
    ];
    for (what, config, line, words) in cases {
        repo.write("ringforge.toml", config.as_bytes());
        for cmd in ["build", "check"] {
            let out = repo.run(&[cmd]);
            assert_eq!(out.status.code(), Some(2), "{what}, {cmd}: {}", text(&out));
            let err = &out.stderr;
            let place = format!("ringforge.toml:{line}:");
            let row = err
                .lines()
                .find(|l| l.contains(&place))
                .unwrap_or_else(|| panic!("{what}, {cmd}: no {place} in {err}"));
            assert!(row.contains(words), "{what}: {row}");
            assert!(row.contains(" — "), "{what}: no fix in {row}");
        }
        let out = repo.run(&["check", "--format", "github"]);
        assert_eq!(out.status.code(), Some(2));
        let gh = &out.stdout;
        assert!(
            gh.starts_with(&format!("::error file=ringforge.toml,line={line},col=")),
            "{what}: {gh}"
        );
    }
    assert!(
        !repo.path("out").exists(),
        "nothing built from a bad config"
    );

    // A missing configuration is a usage error too.
    fs::remove_file(repo.path("ringforge.toml")).unwrap();
    let out = repo.run(&["build"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(out.stderr.contains("--config"));
}

#[test]
fn github_and_human_formats() {
    let repo = Repo::new();
    repo.build();
    let mut b = repo.read("out/a.sln");
    b[0] ^= 0x01;
    repo.write("out/a.sln", &b);
    repo.write("out/50% off, really.txt", b"x");

    let out = repo.run(&["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let gh = &out.stdout;
    assert!(gh.lines().all(|l| l.starts_with("::error file=")), "{gh}");
    assert!(
        gh.contains("::error file=out/a.sln,title=ringforge check::out/a.sln: "),
        "{gh}"
    );
    assert!(
        gh.contains("::error file=out/50%25 off%2C really.txt,title=ringforge check::out/50%25 off, really.txt: "),
        "{gh}"
    );

    let out = repo.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let human = &out.stdout;
    assert!(human.contains("error: out/a.sln: "), "{human}");
    assert!(human.contains("run `ringforge build`"), "{human}");

    // --config from elsewhere: paths are joined to the config's folder.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Run::new(["check", "--config"])
        .arg(repo.path("ringforge.toml"))
        .cwd(elsewhere.path())
        .output();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(out
        .stdout
        .contains(&format!("{}: ", repo.path("out/a.sln").display())));
    // A folder stands for its ringforge.toml.
    let out = Run::new(["check", "--config"])
        .arg(repo.dir.path())
        .cwd(elsewhere.path())
        .output();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn the_repositorys_own_config_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = ringforge::repo::config::Config::load(&root.join("ringforge.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.tones.len(), 6);
    assert_eq!(config.output.dir_in_config, "out");
    assert!(config.tones.iter().all(|t| t.source.is_file()));
}

#[test]
fn the_readme_config_example_is_valid() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let example = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block in the README");
    let wav = source(440.0, 16_000);
    let dir = common::temp_folder(
        &[],
        &[
            ("sources/front-desk.mp3", &wav),
            ("sources/summer hit.flac", &wav),
            ("sources/legacy/old-pbx-8k.wav", &wav),
            ("ringforge.toml", example.as_bytes()),
        ],
    );
    let config = ringforge::repo::config::Config::load(&dir.path().join("ringforge.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.tones.len(), 3);
    let hit = config.tones.iter().find(|t| t.id == "summer-hit").unwrap();
    assert_eq!(hit.options.start, Some(62.5));
    assert_eq!(hit.options.length, Some(20.0));
    assert!(hit.options.normalize.is_some(), "[defaults] applies");
    assert_eq!(hit.display, "Summer Hit");
}

#[test]
fn a_tone_built_by_another_sound_version_is_told_from_modified_and_stale() {
    use md5::{Digest, Md5};
    let repo = Repo::new();
    repo.build();
    // What a build by sound version 1 left: other bytes for tone a, recorded as such.
    let mut b = repo.read("out/a.sln");
    b[10] ^= 0x01;
    repo.write("out/a.sln", &b);
    let md5: String = Md5::digest(&b).iter().map(|x| format!("{x:02x}")).collect();
    let mut cache: Value = serde_json::from_slice(&repo.read("out/.ringforge-cache.json")).unwrap();
    cache["sound_version"] = 1.into();
    cache["tones"]["a"]["md5"] = md5.into();
    repo.write("out/.ringforge-cache.json", cache.to_string().as_bytes());
    let kinds = |v: &Value| -> Vec<String> {
        problems(v)
            .into_iter()
            .filter(|(_, f, _, _)| f.ends_with("out/a.sln"))
            .map(|(k, _, _, m)| format!("{k}: {m}"))
            .collect()
    };
    let (code, v) = repo.check();
    assert_eq!(code, 1);
    let a = kinds(&v);
    assert_eq!(a.len(), 1, "{a:?}");
    assert!(
        a[0].starts_with(
            "sound-version: was built by sound version 1; this ringforge makes sound \
             version "
        ) && a[0].contains(&ringforge::SOUND_VERSION.to_string()),
        "{a:?}"
    );

    // Without the cache (not committed), ringtones.json says which sound version built the set.
    fs::remove_file(repo.path("out/.ringforge-cache.json")).unwrap();
    let json = repo.path("out/ringtones.json");
    let mut doc: Value = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    assert_eq!(doc["sound_version"], ringforge::SOUND_VERSION);
    doc["sound_version"] = 1.into();
    fs::write(&json, doc.to_string()).unwrap();
    let (_, v) = repo.check();
    assert!(kinds(&v)[0].starts_with("sound-version: "), "{v:#}");
    // Built by this sound version, other bytes are stale: the source or options changed.
    doc["sound_version"] = ringforge::SOUND_VERSION.into();
    fs::write(&json, doc.to_string()).unwrap();
    let (_, v) = repo.check();
    assert!(kinds(&v)[0].starts_with("stale: "), "{v:#}");

    repo.build();
    repo.assert_check_passes();
}

/// A new sound version leaves the dither seed alone: a set built by the sound version before,
/// whose tones the new version converts to the same bytes, passes `check` as it is (only tones
/// whose bytes differ are reported, as in the test above).
#[test]
fn a_set_built_by_the_last_sound_version_passes_when_its_bytes_are_unchanged() {
    let repo = Repo::new();
    repo.build();
    let mut cache: Value = serde_json::from_slice(&repo.read("out/.ringforge-cache.json")).unwrap();
    cache["sound_version"] = (ringforge::SOUND_VERSION - 1).into();
    repo.write("out/.ringforge-cache.json", cache.to_string().as_bytes());
    let json = repo.path("out/ringtones.json");
    let text = fs::read_to_string(&json).unwrap();
    let now = format!("\"sound_version\": {}", ringforge::SOUND_VERSION);
    assert!(text.contains(&now), "{text}");
    let before = format!("\"sound_version\": {}", ringforge::SOUND_VERSION - 1);
    fs::write(&json, text.replace(&now, &before)).unwrap();
    repo.assert_check_passes();
    // Any other difference in the manifest is still one.
    fs::write(&json, text.replace(&now, &before).replace("\n", "\r\n")).unwrap();
    assert_eq!(repo.check().0, 1);
}

/// `inspect` and `check` apply one validity rule: on every kind of bad tone (and a good one)
/// they give the same verdict in the same words.
#[test]
fn inspect_and_check_agree_on_every_bad_tone() {
    let repo = Repo::new();
    repo.build();
    let good = repo.read("out/a.sln");
    let over_cap: Vec<u8> = good.iter().copied().cycle().take(1_000_000).collect();
    let fixture = |name: &str| fs::read(common::fixture(name)).unwrap();
    let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
        ("good tone", good.clone(), &[]),
        (
            "MP3 with an ID3 tag",
            fixture("sine1k_44k1_cbr128_stereo_id3.mp3"),
            &["header"],
        ),
        (
            "MP3 without a tag",
            fixture("gapless_sine1k_44k1_cbr128_mono.mp3"),
            &["header"],
        ),
        ("FLAC", fixture("sine1k_44k1_flac16_mono.flac"), &["header"]),
        ("WAV", fixture("sine1k_16k_s16_mono.wav"), &["header"]),
        ("Ogg", fixture("sine1k_44k1_vorbis_stereo.ogg"), &["header"]),
        ("M4A", fixture("sine1k_44k1_aac_stereo.m4a"), &["header"]),
        (
            "odd length",
            good[..good.len() - 1].to_vec(),
            &["odd-length"],
        ),
        ("silent", vec![0; good.len()], &["silent"]),
        ("over the cap", over_cap, &["too-large"]),
        ("empty", Vec::new(), &["empty"]),
    ];
    let validity = ["empty", "odd-length", "too-large", "header", "silent"];
    for (case, bytes, expected) in cases {
        repo.write("out/a.sln", &bytes);
        let (_, checked) = repo.check();
        let from_check: Vec<(String, String)> = problems(&checked)
            .into_iter()
            .filter(|(k, f, _, _)| validity.contains(&k.as_str()) && f.ends_with("out/a.sln"))
            .map(|(k, _, _, m)| (k, m))
            .collect();

        let out = repo.run(&["inspect", "out/a.sln", "--format", "json"]);
        let inspected: Value = serde_json::from_str(&out.stdout).unwrap();
        let file = &inspected["files"][0];
        let kinds = file["problems"].as_array().unwrap().iter();
        let messages = file["messages"].as_array().unwrap().iter();
        let from_inspect: Vec<(String, String)> = kinds
            .zip(messages)
            .map(|(p, m)| {
                let words = m.as_str().unwrap();
                let (what, _fix) = words.split_once(" — ").unwrap_or((words, ""));
                (p["kind"].as_str().unwrap().replace('_', "-"), what.into())
            })
            .collect();

        assert_eq!(from_inspect, from_check, "{case}");
        let kinds: Vec<&str> = from_check.iter().map(|(k, _)| k.as_str()).collect();
        for kind in expected {
            assert!(kinds.contains(kind), "{case}: {kinds:?}");
        }
        assert_eq!(kinds.is_empty(), expected.is_empty(), "{case}: {kinds:?}");
        assert_eq!(file["valid"], expected.is_empty(), "{case}");
        let code = if expected.is_empty() { 0 } else { 1 };
        assert_eq!(out.status.code(), Some(code), "{case}: {}", text(&out));
    }
}

/// The smallest size cap is one rule: the library, `ringforge.toml`, the keyword table and the
/// command line all refuse 2 bytes and accept 3 (one whole sample under an exclusive cap), in
/// the same words.
#[test]
fn the_smallest_size_cap_is_the_same_everywhere() {
    let words = "max_bytes 2 leaves no room for a sample — use at least 3";
    let mut opts = ringforge::Options::default();
    opts.max_bytes = 2;
    assert!(opts.validate().unwrap_err().to_string().contains(words));
    opts.max_bytes = 3;
    assert!(opts.validate().is_ok());
    let table = |text: &str| ringforge::keywords::options(&toml::from_str(text).unwrap());
    assert!(table("max_bytes = 2")
        .unwrap_err()
        .to_string()
        .contains(words));
    assert_eq!(table("max_bytes = 3").unwrap().max_bytes, 3);

    let repo = Repo::new();
    let config = |cap: u64| {
        CONFIG.replace(
            "dir = \"out\"",
            &format!("dir = \"out\"\nmax_bytes = {cap}"),
        )
    };
    repo.write("ringforge.toml", config(2).as_bytes());
    let out = repo.run(&["build"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = &out.stderr;
    assert!(
        err.contains("ringforge.toml:4:") && err.contains("max_bytes 2 leaves no room"),
        "{err}"
    );
    repo.write("ringforge.toml", config(3).as_bytes());
    repo.build();
    assert_eq!(
        repo.read("out/a.sln").len(),
        2,
        "one sample fits under a 3-byte cap"
    );

    for (cap, code) in [("2", 2), ("3", 0)] {
        let out = repo.run(&["convert", "sounds/a.wav", "-o", "cli", "--max-bytes", cap]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "--max-bytes {cap}: {}",
            text(&out)
        );
        if code == 2 {
            assert!(out.stderr.contains(words), "{}", text(&out));
        }
    }
    assert_eq!(repo.read("cli/a.sln").len(), 2);
}
