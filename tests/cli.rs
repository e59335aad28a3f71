//! The real binary, run in temporary folders: what an administrator sees.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::run::Run;
use md5::{Digest, Md5};
use ringforge::signal;

/// A folder of inputs: a good 44.1 kHz stereo tone in a subfolder, an 8 kHz one, a corrupt MP3
/// and a text file.
fn mixed_folder(root: &Path) -> PathBuf {
    let dir = root.join("in");
    fs::create_dir_all(dir.join("Office")).unwrap();
    let l = signal::sine(880.0, 0.4, 44_100, 44_100);
    let r = signal::sine(660.0, 0.4, 44_100, 44_100);
    fs::write(
        dir.join("Office/Front Desk.wav"),
        signal::wav_i16(44_100, 2, &signal::interleave(&[l, r])),
    )
    .unwrap();
    fs::write(
        dir.join("hold_8k.wav"),
        signal::wav_i16(8_000, 1, &signal::sine(440.0, 0.5, 8_000, 4_000)),
    )
    .unwrap();
    let junk: Vec<u8> = (0..4_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(dir.join("broken.mp3"), junk).unwrap();
    fs::write(dir.join("notes.txt"), "not audio").unwrap();
    dir
}

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_bad_file_fails_alone_and_the_rest_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_folder(tmp.path());
    let o = Run::new(["convert", "in", "-o", "out"])
        .cwd(tmp.path())
        .output();
    let err = &o.stderr;
    assert_eq!(o.code(), Some(1), "{err}");
    assert!(
        err.contains("broken.mp3"),
        "the corrupt file is named: {err}"
    );
    assert!(
        err.contains("8000 Hz") && err.contains("hold_8k.wav"),
        "upsampling warning: {err}"
    );
    assert!(
        err.contains("notes.txt"),
        "the skipped file is noted: {err}"
    );
    assert_eq!(
        listing(&tmp.path().join("out")),
        [
            "hold_8k.sln",
            "office-front-desk.sln",
            "res_digium_phone.conf",
            "ringtones.json",
            "ringtones.xml"
        ],
        "no output, partial or temporary file for the broken input"
    );
    let tone = fs::read(tmp.path().join("out/office-front-desk.sln")).unwrap();
    assert_eq!(tone.len(), 32_000, "one second at 16 kHz, 16-bit");
    assert_eq!(
        fs::read(tmp.path().join("out/hold_8k.sln")).unwrap().len(),
        16_000
    );
}

#[test]
fn manifests_list_the_md5_of_the_files_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_folder(tmp.path());
    Run::new([
        "convert",
        "in",
        "-o",
        "out",
        "--url-prefix",
        "http://pbx.example.com/digium_phones",
    ])
    .cwd(tmp.path())
    .output();
    let out = tmp.path().join("out");
    let xml = fs::read_to_string(out.join("ringtones.xml")).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("ringtones.json")).unwrap()).unwrap();
    for id in ["office-front-desk", "hold_8k"] {
        let md5 = md5_hex(&fs::read(out.join(format!("{id}.sln"))).unwrap());
        assert!(
            xml.contains(&format!(
                "url=\"http://pbx.example.com/digium_phones/{id}.sln\" md5=\"{md5}\""
            )),
            "{id} in {xml}"
        );
        let entry = json["tones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap();
        assert_eq!(entry["md5"], md5.as_str());
    }
    assert!(!xml.contains("broken"));
    assert!(xml.contains("display=\"Front Desk\""));
}

#[test]
fn output_is_identical_whatever_the_thread_count_and_run() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_folder(tmp.path());
    Run::new(["convert", "in", "-o", "one", "--jobs", "1"])
        .cwd(tmp.path())
        .output();
    Run::new(["convert", "in", "-o", "two", "--jobs", "2"])
        .cwd(tmp.path())
        .output();
    Run::new(["convert", "in", "-o", "again", "--jobs", "2"])
        .cwd(tmp.path())
        .output();
    let names = listing(&tmp.path().join("one"));
    assert_eq!(names.len(), 5);
    for other in ["two", "again"] {
        assert_eq!(listing(&tmp.path().join(other)), names);
        for n in &names {
            assert_eq!(
                fs::read(tmp.path().join("one").join(n)).unwrap(),
                fs::read(tmp.path().join(other).join(n)).unwrap(),
                "{other}/{n}"
            );
        }
    }
}

#[test]
fn strict_fails_files_with_warnings_and_writes_nothing_for_them() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_folder(tmp.path());
    fs::remove_file(tmp.path().join("in/broken.mp3")).unwrap();
    let o = Run::new(["convert", "in", "-o", "out", "--strict"])
        .cwd(tmp.path())
        .output();
    assert_eq!(o.code(), Some(1));
    assert!(!tmp.path().join("out/hold_8k.sln").exists());
    assert!(tmp.path().join("out/office-front-desk.sln").exists());
    // Without --strict the same folder is all good.
    let o = Run::new(["convert", "in", "-o", "out2"])
        .cwd(tmp.path())
        .output();
    o.assert_ok();
}

#[test]
fn two_inputs_with_one_id_are_refused_naming_both() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    fs::create_dir_all(dir.join("a")).unwrap();
    let wav = signal::wav_i16(16_000, 1, &signal::sine(440.0, 0.5, 16_000, 1_600));
    fs::write(dir.join("a/x.wav"), &wav).unwrap();
    fs::write(dir.join("a-x.wav"), &wav).unwrap();
    fs::write(dir.join("other.wav"), &wav).unwrap();
    let o = Run::new(["convert", "in", "-o", "out"])
        .cwd(tmp.path())
        .output();
    let err = &o.stderr;
    assert_eq!(o.code(), Some(1));
    assert!(
        err.contains("a-x.wav") && err.contains("x.wav") && err.contains("\"a-x\""),
        "{err}"
    );
    assert!(tmp.path().join("out/other.sln").exists());
    assert!(!tmp.path().join("out/a-x.sln").exists());
}

#[test]
fn usage_and_configuration_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_folder(tmp.path());
    fs::write(tmp.path().join("afile"), "x").unwrap();
    let o = Run::new(["convert", "in", "-o", "afile"])
        .cwd(tmp.path())
        .output();
    assert_eq!(o.code(), Some(2), "output is a file");
    let o = Run::new(["convert", "in", "-o", "out", "--alert", "vip=nonexistent"])
        .cwd(tmp.path())
        .output();
    o.assert_code(2);
    assert!(o.stderr.contains("nonexistent"));
    let o = Run::new(["convert", "in", "-o", "out", "--display", "nope=Nope"])
        .cwd(tmp.path())
        .output();
    assert_eq!(o.code(), Some(2));
    let o = Run::new(["convert", "-o", "out"]).cwd(tmp.path()).output();
    assert_eq!(o.code(), Some(2), "missing input");
}

#[test]
fn json_report_carries_the_md5_of_each_file_written() {
    // With the manifests, and without them (where the report alone asks for the digests).
    for extra in [&[][..], &["--no-manifests"][..]] {
        let tmp = tempfile::tempdir().unwrap();
        mixed_folder(tmp.path());
        let mut args = vec!["convert", "in", "-o", "out", "--report", "json", "-q"];
        args.extend_from_slice(extra);
        let o = Run::new(&args).cwd(tmp.path()).output();
        let v = o.json();
        let files = v["files"].as_array().unwrap();
        let mut checked = 0;
        for f in files.iter().filter(|f| f["status"] != "failed") {
            let on_disk = fs::read(
                tmp.path()
                    .join("out")
                    .join(format!("{}.sln", f["id"].as_str().unwrap())),
            )
            .unwrap();
            assert_eq!(f["md5"], md5_hex(&on_disk).as_str(), "{extra:?}: {f}");
            checked += 1;
        }
        assert_eq!(checked, 2, "{extra:?}");
        let failed = files.iter().find(|f| f["status"] == "failed").unwrap();
        assert!(failed["md5"].is_null());
    }
}

#[test]
fn json_report_describes_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_folder(tmp.path());
    let o = Run::new(["convert", "in", "-o", "out", "--report", "json", "-q"])
        .cwd(tmp.path())
        .output();
    let v = o.json();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    let good = files
        .iter()
        .find(|f| f["id"] == "office-front-desk")
        .unwrap();
    assert_eq!(good["status"], "ok");
    assert_eq!(good["source"]["sample_rate"], 44_100);
    assert_eq!(good["source"]["channels"], 2);
    assert_eq!(good["output_samples"], 16_000);
    assert_eq!(good["bytes"], 32_000);
    assert_eq!(good["clipped_samples"], 0);
    assert_eq!(good["md5"].as_str().unwrap().len(), 32);
    let warned = files.iter().find(|f| f["id"] == "hold_8k").unwrap();
    assert_eq!(warned["status"], "warned");
    assert_eq!(warned["warnings"][0]["kind"], "upsampled");
    assert_eq!(warned["warnings"][0]["from"], 8_000);
    let failed = files.iter().find(|f| f["id"] == "broken").unwrap();
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"]
        .as_str()
        .unwrap()
        .contains("not a supported audio file"));
}

#[test]
fn alerts_reach_both_manifests() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_folder(tmp.path());
    fs::remove_file(tmp.path().join("in/broken.mp3")).unwrap();
    let o = Run::new([
        "convert",
        "in",
        "-o",
        "out",
        "--alert",
        "frontdesk=office-front-desk",
        "--alert",
        "night=Digium:ring-answer",
        "--display",
        "office-front-desk=Front Desk & Co",
    ])
    .cwd(tmp.path())
    .output();
    o.assert_ok();
    let xml = fs::read_to_string(tmp.path().join("out/ringtones.xml")).unwrap();
    assert!(xml.contains("display=\"Front Desk &amp; Co\""));
    assert!(xml.contains(
        "<alert alert_info=\"frontdesk\" ringtone_id=\"office-front-desk\" ring_type=\"normal\"/>"
    ));
    assert!(xml.contains("ringtone_id=\"Digium\" ring_type=\"ring-answer\""));
    let conf = fs::read_to_string(tmp.path().join("out/res_digium_phone.conf")).unwrap();
    assert!(conf.contains("[alert-frontdesk]\ntype=alert\nalert_info=frontdesk\nring_type=normal\nringtone=office-front-desk\n"));
}
