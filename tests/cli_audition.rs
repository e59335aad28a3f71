//! `--html DIR` on `convert` and `build`: the report page, its previews, and where it may go.

mod common;

use std::fs;

use common::run::Run;
use ringforge::signal;

/// Data chunk length of a canonical WAV preview, in samples.
fn wav_samples(bytes: &[u8]) -> usize {
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[36..40], b"data");
    u32::from_le_bytes(bytes[40..44].try_into().unwrap()) as usize / 2
}

#[test]
fn convert_writes_a_page_with_every_tone_its_preview_and_the_failures() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("src");
    fs::create_dir(&src).unwrap();
    fs::write(
        src.join("Front <Desk> & Co.wav"),
        signal::wav_i16(48_000, 1, &signal::sine(440.0, 0.3, 48_000, 72_000)),
    )
    .unwrap();
    fs::write(
        src.join("old-8k.wav"),
        signal::wav_i16(8_000, 1, &signal::sine(1_000.0, 0.3, 8_000, 8_000)),
    )
    .unwrap();
    fs::write(src.join("broken.mp3"), b"not audio at all").unwrap();
    let o = Run::new([
        "convert",
        "src",
        "-o",
        "out",
        "--html",
        "report",
        "--normalize",
        "loudness:-16",
    ])
    .cwd(d.path())
    .output();
    assert_eq!(o.code(), Some(1), "one file failed");
    let page = fs::read_to_string(d.path().join("report/index.html")).unwrap();
    // Both tones, with names escaped; the failure with its error.
    assert!(page.contains("id=\"tone-front-desk-co\""));
    assert!(page.contains("Front &lt;Desk&gt; &amp; Co"));
    assert!(page.contains("<section class=\"failures\""));
    assert!(page.contains("broken.mp3</strong>"));
    assert!(page.contains("not a supported audio file"));
    assert!(page.contains("upsampling to 16000 Hz will not sound pleasing"));
    assert_eq!(page.matches("<audio controls preload=\"none\"").count(), 2);
    assert_eq!(page.matches("class=\"wave\"").count(), 2);
    assert_eq!(page.matches("class=\"spectrum\"").count(), 2);
    assert!(page.contains("against the target of -16.0 LUFS"));
    // Previews are exactly the tones, wrapped.
    for (id, samples) in [("front-desk-co", 24_000), ("old-8k", 16_000)] {
        let wav = fs::read(d.path().join(format!("report/previews/{id}.wav"))).unwrap();
        let sln = fs::read(d.path().join(format!("out/{id}.sln"))).unwrap();
        assert_eq!(wav_samples(&wav), samples);
        assert_eq!(&wav[44..], &sln[..]);
        assert!(page.contains(&format!("src=\"previews/{id}.wav\"")));
    }
    // Nothing of the report landed in the output folder.
    let mut names: Vec<String> = fs::read_dir(d.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "front-desk-co.sln",
            "old-8k.sln",
            "res_digium_phone.conf",
            "ringtones.json",
            "ringtones.xml"
        ]
    );
}

#[test]
fn a_report_inside_the_output_folder_is_refused_before_anything_is_written() {
    let d = tempfile::tempdir().unwrap();
    fs::write(
        d.path().join("a.wav"),
        signal::wav_i16(16_000, 1, &signal::sine(440.0, 0.3, 16_000, 8_000)),
    )
    .unwrap();
    let o = Run::new(["convert", "a.wav", "-o", "out", "--html", "out/report"])
        .cwd(d.path())
        .output();
    assert_eq!(o.code(), Some(2));
    let err = &o.stderr;
    assert!(err.contains("inside the output folder"), "{err}");
    assert!(!d.path().join("out").exists());
}

#[test]
fn build_writes_the_report_beside_the_output_and_check_stays_green() {
    let d = tempfile::tempdir().unwrap();
    fs::write(
        d.path().join("ring.wav"),
        signal::wav_i16(16_000, 1, &signal::sine(440.0, 0.3, 16_000, 16_000)),
    )
    .unwrap();
    fs::write(
        d.path().join("ringforge.toml"),
        "[output]\ndir = \"tones\"\n[defaults]\nnormalize = \"loudness:-18\"\n\
         [[tone]]\nid = \"ring\"\ndisplay = \"Ring\"\nsource = \"ring.wav\"\n",
    )
    .unwrap();
    // Inside the output folder: refused.
    let o = Run::new(["build", "--html", "tones/report"])
        .cwd(d.path())
        .output();
    assert_eq!(o.code(), Some(2));
    // Beside it: written, and `check` finds nothing amiss.
    let o = Run::new(["build", "--html", "report"])
        .cwd(d.path())
        .output();
    o.assert_ok();
    let page = fs::read_to_string(d.path().join("report/index.html")).unwrap();
    assert!(page.contains("-18.0 LUFS (target -18.0 LUFS)"), "{page}");
    assert!(d.path().join("report/previews/ring.wav").is_file());
    let o = Run::new(["check"]).cwd(d.path()).output();
    o.assert_ok();
    // An up-to-date rebuild reports the tone again, from the cache.
    let o = Run::new(["build", "--html", "report", "--report", "json"])
        .cwd(d.path())
        .output();
    assert_eq!(o.code(), Some(0));
    let page = fs::read_to_string(d.path().join("report/index.html")).unwrap();
    assert!(page.contains("id=\"tone-ring\""));
}
