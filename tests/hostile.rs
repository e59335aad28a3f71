//! Hostile and broken input, file-system faults and odd names: every case must end in a clear
//! per-file error or warning, never a panic, a hang or a partial file, and every good file
//! beside it must still be converted.
//!
//! Library cases call the conversion entry points on a worker thread with a deadline; command
//! cases run the real binary in a fresh temporary folder, killed if it runs over the deadline.
//! Hostile files are made here from the committed fixtures (truncations, header edits, random
//! bytes) rather than committed one by one.
//!
//! Tests run as root in CI, where permissions do not stop anything: the permission cases use a
//! fault that stops root too (a write-only `/proc` file, a file-size limit, `/proc/self` as the
//! output folder) and say so when one is unavailable.

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use ringforge::{convert_bytes, convert_path, convert_reader, Error, Options, Tone, Warning};

mod common;
use common::fixture;
use common::run::{self, Run};

/// No single case may take longer than this, however hostile its input.
const DEADLINE: Duration = Duration::from_secs(20);

/// A good source converted beside the hostile ones: 0.5 s of 1 kHz at 16 kHz.
const GOOD: &str = "sine1k_16k_s16_mono.wav";

/// One fixture per container and codec family, for truncation and random-byte cases.
const FORMATS: &[&str] = &[
    "sine1k_16k_s16_mono.wav",
    "sine1k_22k05_ima_mono.wav",
    "sine1k_22k05_msadpcm_mono.wav",
    "sine1k_8k_alaw_mono.wav",
    "sine1k_48k_f32_mono.wav",
    "tones_48k_s16ext_5p1.wav",
    "sine1k_44k1_s16be_mono.aiff",
    "gapless_sine1k_44k1_cbr128_mono.mp3",
    "sine1k_44k1_cbr128_stereo_id3.mp3",
    "sine1k_44k1_flac16_mono.flac",
    "sine1k_44k1_vorbis_stereo.ogg",
    "sine1k_44k1_aac_stereo.m4a",
];

fn read_fixture(name: &str) -> Vec<u8> {
    fs::read(fixture(name)).unwrap()
}

fn ext(name: &str) -> &str {
    Path::new(name).extension().unwrap().to_str().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Harness

/// Runs `f` on its own thread and fails the test if it has not returned within [`DEADLINE`].
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: no result after {DEADLINE:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: the conversion thread died"),
    }
}

/// Converts in-memory bytes within the deadline and checks the result is sane.
fn convert_in_memory(
    what: &str,
    bytes: Vec<u8>,
    hint: Option<&'static str>,
) -> Result<Tone, Error> {
    let label = what.to_string();
    let result = bounded(what, move || {
        convert_bytes(&bytes, hint, &Options::default())
    });
    check_result(&label, &result);
    result
}

/// Whatever the input: no panic reached the caller (a contained one is a decoder bug to report
/// upstream, and fails here so it is seen), and a tone, when there is one, is valid.
fn check_result(what: &str, result: &Result<Tone, Error>) {
    match result {
        Err(Error::Panicked { message }) => panic!("{what}: the decoder panicked: {message}"),
        Err(e) => {
            let text = e.to_string();
            assert!(text.len() > 10, "{what}: uninformative error {text:?}");
        }
        Ok(tone) => {
            let n = tone.samples().len() as u64;
            assert!(n > 0, "{what}: empty tone");
            assert_eq!(tone.sln_bytes().len() as u64, 2 * n);
            assert!(
                2 * n < Options::default().max_bytes,
                "{what}: tone over the cap"
            );
        }
    }
}

/// `ringforge convert`, killed (and the test failed) if it runs past [`DEADLINE`].
fn ringforge_convert() -> Run {
    Run::new(["convert"]).deadline(DEADLINE)
}

/// Every entry of a folder, hidden ones (temporary files) included, except the three
/// manifests. When the manifests are there, every tone they list must be present (a tone whose
/// file failed is never listed; an older file it failed to replace may stay, unlisted).
fn entries(dir: &Path) -> BTreeSet<OsString> {
    const MANIFESTS: [&str; 3] = ["ringtones.xml", "res_digium_phone.conf", "ringtones.json"];
    let all: BTreeSet<OsString> = fs::read_dir(dir)
        .map(|rd| rd.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    if let Ok(text) = fs::read_to_string(dir.join("ringtones.json")) {
        let json: serde_json::Value = serde_json::from_str(&text).expect("ringtones.json parses");
        let listed: BTreeSet<OsString> = json["tones"]
            .as_array()
            .expect("tones array")
            .iter()
            .map(|t| OsString::from(t["file"].as_str().expect("file name")))
            .collect();
        let tones: BTreeSet<OsString> = all
            .iter()
            .filter(|n| n.to_string_lossy().ends_with(".sln"))
            .cloned()
            .collect();
        assert!(
            listed.is_subset(&tones),
            "ringtones.json lists {listed:?}, but the folder holds {tones:?}"
        );
        for m in MANIFESTS {
            assert!(
                all.contains(&OsString::from(m)),
                "{m} written with the others"
            );
        }
    }
    all.into_iter()
        .filter(|n| !MANIFESTS.iter().any(|m| n == *m))
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<OsString> {
    list.iter().map(OsString::from).collect()
}

/// The bytes the good fixture converts to, for comparing with what the binary wrote.
fn good_bytes() -> Vec<u8> {
    convert_path(fixture(GOOD), &Options::default())
        .unwrap()
        .sln_bytes()
}

/// The good file's tone was written, whole and right.
fn assert_good_tone(out: &Path) {
    let written = fs::read(out.join("good.sln")).expect("good.sln written");
    assert!(
        written == good_bytes(),
        "good.sln holds other bytes ({} bytes)",
        written.len()
    );
}

/// A temporary folder holding `good.wav` (a copy of [`GOOD`]) in an `in` folder, and an `out`
/// path (not created).
fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = common::temp_folder(&[], &[("in/good.wav", &read_fixture(GOOD))]);
    let input = tmp.path().join("in");
    let out = tmp.path().join("out");
    (tmp, input, out)
}

fn is_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // The owner of a file this process just made is its effective user.
        let probe = tempfile::NamedTempFile::new().unwrap();
        probe.as_file().metadata().unwrap().uid() == 0
    }
    #[cfg(not(unix))]
    false
}

/// A small deterministic generator (the fixtures' LCG) for random bytes.
fn lcg_bytes(seed: u32, len: usize) -> Vec<u8> {
    let mut s = seed;
    (0..len)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 24) as u8
        })
        .collect()
}

/// A copy of `wav` with the little-endian field at `offset` replaced.
fn patch(wav: &[u8], offset: usize, value: &[u8]) -> Vec<u8> {
    let mut v = wav.to_vec();
    v[offset..offset + value.len()].copy_from_slice(value);
    v
}

// ---------------------------------------------------------------------------------------------
// Broken and hostile bytes, through the in-memory entry point

#[test]
fn zero_byte_input_fails_for_every_format() {
    for hint in [
        None,
        Some("wav"),
        Some("mp3"),
        Some("flac"),
        Some("ogg"),
        Some("m4a"),
    ] {
        let err = convert_in_memory("empty", Vec::new(), hint).unwrap_err();
        assert!(
            matches!(err, Error::UnsupportedFormat { .. }) && err.to_string().contains("empty"),
            "{hint:?}: {err}"
        );
    }
}

#[test]
fn random_bytes_named_as_every_format_fail_cleanly() {
    // Plain noise, and noise behind each container's magic so the deeper parsers see it too.
    let magics: &[&[u8]] = &[
        b"",
        b"RIFF\xff\xff\xff\xffWAVEfmt ",
        b"FORM\x00\x01\x00\x00AIFFCOMM",
        b"fLaC\x00\x00\x00\x22",
        b"OggS\x00\x02",
        b"ID3\x03\x00\x00\x00\x00\x01\x00",
        b"\xff\xfb\x90\x64",
        b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00",
        b"caff\x00\x01\x00\x00desc",
        b"\x1a\x45\xdf\xa3",
    ];
    let hints = ["wav", "mp3", "flac", "ogg", "m4a", "aiff", "caf", "mka"];
    let mut cases = 0;
    for (m, magic) in magics.iter().enumerate() {
        for (h, hint) in hints.iter().enumerate() {
            for len in [1usize, 17, 300, 4096, 70_000] {
                let seed = (m * 1000 + h * 10 + len) as u32;
                let mut bytes = magic.to_vec();
                bytes.extend(lcg_bytes(seed, len));
                let what = format!("random {len} bytes after magic {m} as .{hint}");
                let _ = convert_in_memory(&what, bytes, Some(hint));
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 400);
}

#[test]
fn every_format_truncated_at_many_points_fails_or_warns() {
    for name in FORMATS {
        let full = read_fixture(name);
        let len = full.len();
        let mut cuts: BTreeSet<usize> = [
            1, 2, 3, 4, 8, 11, 12, 16, 20, 36, 44, 45, 64, 100, 512, 1000,
        ]
        .into_iter()
        .filter(|&c| c < len)
        .collect();
        cuts.extend((1..10).map(|k| len * k / 10));
        cuts.insert(len - 1);
        for cut in cuts {
            let what = format!("{name} cut to {cut} of {len} bytes");
            let result = convert_in_memory(&what, full[..cut].to_vec(), Some(ext(name)));
            // A tone made from a file cut in its audio says so. (Lossy frames may end cleanly
            // on a frame boundary, which is undetectable without a declared length.)
            if let Ok(tone) = &result {
                let declared = tone.report().source.declared_seconds.unwrap_or(0.0);
                let short = tone.report().source.decoded_seconds() + 0.1 < declared;
                let warned =
                    tone.report().warnings.iter().any(|w| {
                        matches!(w, Warning::Truncated { .. } | Warning::PacketErrors { .. })
                    });
                assert!(
                    warned || !short,
                    "{what}: {:.3} s of {declared:.3} s decoded without a warning",
                    tone.report().source.decoded_seconds()
                );
            }
        }
    }
}

#[test]
fn a_pcm_wav_cut_in_its_audio_converts_what_is_there_with_a_warning() {
    let full = read_fixture(GOOD);
    let tone = convert_in_memory("cut wav", full[..44 + 8000].to_vec(), Some("wav")).unwrap();
    assert_eq!(tone.samples().len(), 4000);
    assert!(
        tone.report()
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::Truncated { .. })),
        "{:?}",
        tone.report().warnings
    );
}

#[test]
fn wav_headers_that_lie() {
    let wav = read_fixture(GOOD);
    let u16le = |v: u16| v.to_le_bytes().to_vec();
    let u32le = |v: u32| v.to_le_bytes().to_vec();
    // (what, offset, value, a word the message must contain; "" when any clear error will do)
    let cases: Vec<(&str, usize, Vec<u8>, &str)> = vec![
        (
            "data size 1 MB over the file",
            40,
            u32le(16_000 + 1_000_000),
            "",
        ),
        ("data size 4 GiB", 40, u32le(u32::MAX), ""),
        (
            "RIFF and data size 4 GiB (streaming writer)",
            4,
            u32le(u32::MAX),
            "",
        ),
        ("RIFF size 0", 4, u32le(0), ""),
        ("0 channels", 22, u16le(0), "channel"),
        ("65,535 channels", 22, u16le(u16::MAX), "channel"),
        ("0 Hz", 24, u32le(0), "sample rate"),
        ("4 GHz", 24, u32le(u32::MAX), "sample rate"),
        ("2 GHz", 24, u32le(2_000_000_000), "sample rate"),
        ("0 bits", 34, u16le(0), ""),
        ("7 bits", 34, u16le(7), ""),
        ("65,535 bits", 34, u16le(u16::MAX), ""),
        ("block align 0", 32, u16le(0), ""),
        ("block align 65,535", 32, u16le(u16::MAX), ""),
        ("format tag 0xffff", 20, u16le(0xffff), ""),
        ("fmt size 4 GiB", 16, u32le(u32::MAX), ""),
    ];
    for (what, offset, value, word) in cases {
        let mut bytes = patch(&wav, offset, &value);
        if what.starts_with("RIFF and data") {
            bytes = patch(&bytes, 40, &u32le(u32::MAX));
        }
        let result = convert_in_memory(what, bytes, Some("wav"));
        if !word.is_empty() {
            let err = result.expect_err(what);
            assert!(err.to_string().contains(word), "{what}: {err}");
        }
    }
}

#[test]
fn limits_are_named_with_the_flag_that_raises_them() {
    let wav = read_fixture(GOOD);
    let check = |what: &str, result: Result<Tone, Error>, flag: &str| {
        let err = result.expect_err(what);
        assert!(matches!(err, Error::LimitExceeded { .. }), "{what}: {err}");
        assert!(err.to_string().contains(flag), "{what}: {err}");
    };
    let mut header_only = patch(&wav, 24, &u32::MAX.to_le_bytes());
    header_only.truncate(44);
    check(
        "4 GHz",
        convert_bytes(&header_only, Some("wav"), &Options::default()),
        "`max_sample_rate=HZ`",
    );
    check(
        "65,535 channels",
        convert_bytes(
            &patch(&wav, 22, &u16::MAX.to_le_bytes()),
            Some("wav"),
            &Options::default(),
        ),
        "`max_channels=N`",
    );
    let mut opts = Options::default();
    opts.limits.max_input_bytes = 1_000;
    check(
        "size",
        convert_bytes(&wav, Some("wav"), &opts),
        "`max_input_bytes=BYTES`",
    );

    // Ten seconds of audio against a one-second limit: decoding stops at the limit.
    let long = ringforge::signal::wav_i16(
        16_000,
        1,
        &ringforge::signal::sine(440.0, 0.5, 16_000, 160_000),
    );
    let mut opts = Options::default();
    opts.limits.max_decoded_seconds = 1;
    check(
        "duration",
        convert_bytes(&long, Some("wav"), &opts),
        "`max_decoded_seconds=SECONDS`",
    );
    opts.limits.max_decoded_seconds = 10;
    assert!(convert_bytes(&long, Some("wav"), &opts).is_ok());
}

/// A CAF file of 16-bit PCM whose header declares `frames_per_packet` frames in each packet.
fn caf_pcm(frames_per_packet: u32, data: &[u8]) -> Vec<u8> {
    let mut v = b"caff\x00\x01\x00\x00".to_vec();
    v.extend(b"desc");
    v.extend(32u64.to_be_bytes());
    v.extend(16_000f64.to_be_bytes());
    v.extend(b"lpcm");
    v.extend(2u32.to_be_bytes()); // little-endian integer samples
    v.extend(2u32.to_be_bytes()); // bytes per packet
    v.extend(frames_per_packet.to_be_bytes());
    v.extend(1u32.to_be_bytes()); // channels
    v.extend(16u32.to_be_bytes()); // bits
    v.extend(b"data");
    v.extend((data.len() as u64 + 4).to_be_bytes());
    v.extend(0u32.to_be_bytes()); // edit count
    v.extend(data);
    v
}

#[test]
fn a_header_declaring_huge_packets_is_refused_before_any_buffer_is_sized() {
    let pcm = &read_fixture(GOOD)[44..];
    // The honest file converts.
    let tone = convert_in_memory("caf", caf_pcm(1, pcm), Some("caf")).unwrap();
    assert_eq!(tone.samples().len(), 8_000);
    // A decoder would size its output buffer from this: 2^31 frames of f32 per packet.
    let err = convert_in_memory("huge packets", caf_pcm(1 << 31, pcm), Some("caf")).unwrap_err();
    assert!(err.to_string().contains("frames in one packet"), "{err}");
}

#[test]
fn an_mp3_that_is_only_tags_or_text_fails_cleanly() {
    for name in ["bad/id3_only.mp3", "bad/text.mp3", "bad/random_bytes.mp3"] {
        let err = convert_in_memory(name, read_fixture(name), Some("mp3")).unwrap_err();
        assert!(
            matches!(
                err,
                Error::UnsupportedFormat { .. } | Error::NoAudioTrack | Error::Empty
            ),
            "{name}: {err}"
        );
    }
    // An ID3v2 tag claiming 256 MB, with 1 kB behind it: no allocation of the claimed size,
    // no hang.
    let mut tag = b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f".to_vec();
    tag.extend(lcg_bytes(7, 1024));
    assert!(convert_in_memory("huge tag", tag, Some("mp3")).is_err());
}

/// Inputs on which a dependency panics (a bug to fix upstream): the panic must be contained and
/// reported as the file's error. Builds without overflow checks (release) do not panic on them.
const KNOWN_UPSTREAM_PANICS: &[(&str, &str)] = &[
    // symphonia-codec-adpcm 0.6.1, codec_ms.rs: `MS_ADAPTATION_TABLE[n] * self.delta` overflows
    // i32 when a block's preamble holds a huge delta (ffmpeg caps it at INT_MAX / 768).
    ("fuzz_msadpcm_delta_overflow.wav", "overflow"),
];

#[test]
fn the_committed_bad_fixtures_fail_or_warn() {
    for entry in fs::read_dir(fixture("bad")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let hint = path.extension().and_then(OsStr::to_str).map(str::to_owned);
        let p = path.clone();
        let result = bounded(&name, move || convert_path(&p, &Options::default()));
        if let Some((_, word)) = KNOWN_UPSTREAM_PANICS.iter().find(|(n, _)| *n == name) {
            if let Err(Error::Panicked { message }) = &result {
                assert!(message.contains(word), "{name}: another panic: {message}");
                continue;
            }
        }
        check_result(&name, &result);
        if let Ok(tone) = result {
            assert!(
                !tone.report().warnings.is_empty(),
                "{name} ({hint:?}) converted without a warning"
            );
        }
    }
}

#[test]
fn fuzz_found_inputs_stay_fixed() {
    // A float WAV holding 3.5e13: the resampler's FFT overflowed to NaN and rubato panicked.
    // Decoding now clamps float samples to 60 dB over full scale; the tone clips, and says so.
    let name = "bad/fuzz_float_huge_sample.wav";
    let tone = convert_in_memory(name, read_fixture(name), Some("wav")).unwrap();
    assert!(
        tone.report()
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::Clipped { .. } | Warning::GainReduced { .. })),
        "{:?}",
        tone.report().warnings
    );
}

#[test]
fn a_known_decoder_panic_fails_only_its_file() {
    let (_tmp, input, out) = workspace();
    let (name, _) = KNOWN_UPSTREAM_PANICS[0];
    fs::copy(fixture(&format!("bad/{name}")), input.join(name)).unwrap();
    let r = ringforge_convert().arg(&input).arg("-o").arg(&out).output();
    // Without overflow checks the decoder wraps instead of panicking and may make noise of it.
    assert!(matches!(r.code(), Some(0 | 1)), "{r:?}");
    assert!(
        !r.stderr.contains("panicked at"),
        "the panic was not contained:\n{}",
        r.stderr
    );
    if r.code() == Some(1) {
        assert!(r.line_about(name).starts_with("error"), "{}", r.stderr);
    }
    assert_good_tone(&out);
}

// ---------------------------------------------------------------------------------------------
// Panics

/// A reader that panics once the decoder has read past its first bytes: a stand-in for a
/// decoder bug, reached through the public entry point.
struct PanickingReader(std::io::Cursor<Vec<u8>>);

impl Read for PanickingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0.position() > 100 {
            panic!("simulated decoder bug");
        }
        self.0.read(buf)
    }
}

impl Seek for PanickingReader {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.0.seek(pos)
    }
}

#[test]
fn a_panic_during_conversion_becomes_that_files_error() {
    let wav = read_fixture(GOOD);
    let reader = PanickingReader(std::io::Cursor::new(wav.clone()));
    let err = convert_reader(reader, Some("wav"), &Options::default()).unwrap_err();
    assert!(matches!(err, Error::Panicked { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("the decoder failed on this file; it may be corrupt"),
        "{err}"
    );
    assert!(err.to_string().contains("simulated decoder bug"), "{err}");
    assert!(!ringforge::panic_is_contained());
    // The same thread goes on converting.
    assert!(convert_bytes(&wav, Some("wav"), &Options::default()).is_ok());
}

#[test]
fn the_release_profile_keeps_unwinding() {
    // Containing decoder panics needs unwinding; `panic = "abort"` would turn every decoder
    // bug into a crash of the whole batch.
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let release = manifest
        .split("[profile.release]")
        .nth(1)
        .expect("a [profile.release] section");
    let release = release.split("\n[").next().unwrap();
    assert!(
        release
            .lines()
            .any(|l| l.replace(' ', "") == "panic=\"unwind\""),
        "[profile.release] must say panic = \"unwind\":\n{release}"
    );
    assert!(!manifest.contains("panic = \"abort\""));
}

// ---------------------------------------------------------------------------------------------
// Folders, special files and names, through the binary

#[test]
fn a_folder_of_hostile_files_converts_the_good_ones_and_fails_the_rest() {
    let (_tmp, input, out) = workspace();
    // Zero bytes and random bytes under every audio name, text as MP3, every bad fixture, and
    // truncations of each format.
    for e in ["wav", "mp3", "flac", "ogg", "m4a"] {
        fs::write(input.join(format!("zero-{e}.{e}")), b"").unwrap();
        fs::write(
            input.join(format!("noise-{e}.{e}")),
            lcg_bytes(e.len() as u32, 5000),
        )
        .unwrap();
    }
    for entry in fs::read_dir(fixture("bad")).unwrap() {
        let path = entry.unwrap().path();
        let name = format!("bad-{}", path.file_name().unwrap().to_string_lossy());
        fs::copy(&path, input.join(name)).unwrap();
    }
    for name in FORMATS {
        let bytes = read_fixture(name);
        for (i, cut) in [12, bytes.len() / 3].into_iter().enumerate() {
            fs::write(input.join(format!("cut{i}-{name}")), &bytes[..cut]).unwrap();
        }
    }
    let r = ringforge_convert()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["--report", "json", "--jobs", "2"])
        .output();
    r.assert_code(1);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("a JSON report");
    let files = report["files"].as_array().unwrap();
    let mut expected = BTreeSet::new();
    for f in files {
        let input = f["input"].as_str().unwrap();
        let id = f["id"].as_str().unwrap();
        let written = out.join(format!("{id}.sln"));
        match f["status"].as_str().unwrap() {
            "failed" => {
                assert!(!written.exists(), "{input} failed but {written:?} exists");
                let err = f["error"].as_str().unwrap();
                assert!(!err.contains("panicked"), "{input}: {err}");
                r.line_about(Path::new(input).file_name().unwrap().to_str().unwrap());
            }
            _ => {
                let bytes = fs::read(&written).unwrap();
                assert!(!bytes.is_empty() && bytes.len() % 2 == 0 && bytes.len() < 1_000_000);
                let md5 = f["md5"].as_str().unwrap();
                assert_eq!(md5.len(), 32);
                expected.insert(OsString::from(format!("{id}.sln")));
            }
        }
    }
    assert!(files.iter().filter(|f| f["status"] == "failed").count() >= 20);
    assert_good_tone(&out);
    // No partial or temporary file: exactly the converted tones.
    assert_eq!(entries(&out), expected);
}

#[test]
fn a_directory_named_like_audio_is_a_folder_not_a_file() {
    let (tmp, input, out) = workspace();
    let dir = input.join("x.wav");
    fs::create_dir(&dir).unwrap();
    let err = convert_path(&dir, &Options::default()).unwrap_err();
    assert!(err.to_string().contains("is a directory"), "{err}");

    fs::copy(fixture(GOOD), dir.join("inner.wav")).unwrap();
    let empty = tmp.path().join("empty.mp3");
    fs::create_dir(&empty).unwrap();
    ringforge_convert()
        .arg(&input)
        .arg(&empty)
        .arg("-o")
        .arg(&out)
        .output()
        .assert_code(0);
    assert_eq!(entries(&out), names(&["good.sln", "x-wav-inner.sln"]));
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_audio_does_not_hang_the_batch() {
    let (_tmp, input, out) = workspace();
    let fifo = input.join("pipe.wav");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    // Given by name, and found in a folder.
    let f = fifo.clone();
    let err = bounded("fifo", move || convert_path(&f, &Options::default())).unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    let r = ringforge_convert().arg(&input).arg("-o").arg(&out).output();
    r.assert_code(1);
    assert!(r.line_about("pipe.wav").contains("not a regular file"));
    assert_eq!(entries(&out), names(&["good.sln"]));
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_and_skipped() {
    use std::os::unix::fs::symlink;
    let (_tmp, input, out) = workspace();
    let sub = input.join("sub");
    fs::create_dir(&sub).unwrap();
    symlink("..", sub.join("up")).unwrap(); // a loop back to the input folder
    symlink("self.wav", input.join("self.wav")).unwrap(); // a link to itself
    let r = ringforge_convert().arg(&input).arg("-o").arg(&out).output();
    r.assert_code(1);
    assert!(r.line_about("up").contains("loop"), "{}", r.stderr);
    assert!(
        r.line_about("self.wav").starts_with("error"),
        "{}",
        r.stderr
    );
    assert_eq!(entries(&out), names(&["good.sln"]));
    assert_good_tone(&out);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_fails_alone() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, input, out) = workspace();
    let target = input.join("locked.wav");
    if is_root() {
        // Permissions do not stop root; a write-only kernel file does.
        let wo = Path::new("/proc/sys/vm/compact_memory");
        if fs::File::open(wo).is_ok() || !wo.exists() {
            eprintln!("skipped: running as root and no unreadable file is available");
            return;
        }
        std::os::unix::fs::symlink(wo, &target).unwrap();
    } else {
        fs::copy(fixture(GOOD), &target).unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o000)).unwrap();
    }
    let r = ringforge_convert().arg(&input).arg("-o").arg(&out).output();
    r.assert_code(1);
    assert!(
        r.line_about("locked.wav").contains("denied"),
        "{}",
        r.stderr
    );
    assert_eq!(entries(&out), names(&["good.sln"]));
}

#[cfg(unix)]
#[test]
fn odd_file_names_get_safe_ids_or_fail_alone() {
    use std::os::unix::ffi::OsStrExt;
    let (_tmp, input, out) = workspace();
    let long_a = format!("{}.wav", "a".repeat(251));
    let long_b1 = format!("{}1.wav", "b".repeat(250));
    let long_b2 = format!("{}2.wav", "b".repeat(250));
    let odd: Vec<OsString> = vec![
        "with  spaces .wav".into(),
        "it's \"quoted\".wav".into(),
        "two\nlines.wav".into(),
        "tab\there;semi=colon[x].wav".into(),
        OsStr::from_bytes(b"caf\xe9 latin1.wav").to_owned(), // not UTF-8
        OsStr::from_bytes(b"\xff\xfe.wav").to_owned(),       // nothing usable
        long_a.clone().into(),                               // 255 bytes
        long_b1.into(),                                      // 255 bytes, same 64-byte id
        long_b2.into(),
        "Digium.wav".into(), // a built-in tone's id
    ];
    for name in &odd {
        assert!(name.len() <= 255);
        fs::copy(fixture(GOOD), input.join(name)).unwrap();
    }
    // A broken file whose name holds a newline: its error must still be one line.
    fs::write(input.join("broken\nname.mp3"), b"not audio").unwrap();
    let r = ringforge_convert().arg(&input).arg("-o").arg(&out).output();
    r.assert_code(1);
    let long_id = format!("{}.sln", "a".repeat(64));
    assert_eq!(
        entries(&out),
        names(&[
            "good.sln",
            "with-spaces.sln",
            "it-s-quoted.sln",
            "two-lines.sln",
            "tab-here-semi-colon-x.sln",
            "caf-latin1.sln",
            &long_id,
        ])
    );
    // The refusals, one message each, naming the file; one line per message even for a name
    // with a newline.
    assert!(
        r.line_about("Digium.wav").contains("built-in"),
        "{}",
        r.stderr
    );
    assert!(
        r.line_about("1.wav").contains("both map to the id"),
        "{}",
        r.stderr
    );
    assert!(
        r.line_about("2.wav").contains("both map to the id"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("no letters or digits"), "{}", r.stderr);
    assert!(r
        .line_about("broken\\nname.mp3")
        .contains("not a supported audio file"));
    assert_eq!(
        r.stderr.lines().filter(|l| l.starts_with("error")).count(),
        5,
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.lines().all(|l| l.starts_with("error")
            || l.starts_with("warning")
            || l.starts_with("note")
            || l.contains(" converted ")),
        "every message on one line:\n{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Output folder and write faults

#[test]
fn an_output_folder_that_is_a_file_is_a_usage_error() {
    let (tmp, input, _) = workspace();
    let file = tmp.path().join("out.txt");
    fs::write(&file, b"keep me").unwrap();
    let r = ringforge_convert()
        .arg(&input)
        .arg("-o")
        .arg(&file)
        .output();
    r.assert_code(2);
    assert!(r.stderr.contains("not a folder"), "{}", r.stderr);
    assert_eq!(fs::read(&file).unwrap(), b"keep me");

    // A folder below a file cannot be created, by anyone.
    let r = ringforge_convert()
        .arg(&input)
        .arg("-o")
        .arg(file.join("sub"))
        .output();
    r.assert_code(2);
    assert!(
        r.stderr.contains("cannot create the output folder"),
        "{}",
        r.stderr
    );
}

#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_output_folder_fails_every_file_cleanly() {
    use std::os::unix::fs::PermissionsExt;
    let (tmp, input, _) = workspace();
    fs::copy(fixture(GOOD), input.join("second.wav")).unwrap();
    // No one, root included, can create files in /proc/self.
    let mut folders = vec![PathBuf::from("/proc/self")];
    if !is_root() {
        let ro = tmp.path().join("read-only");
        fs::create_dir(&ro).unwrap();
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();
        folders.push(ro);
    }
    for out in folders {
        let r = ringforge_convert().arg(&input).arg("-o").arg(&out).output();
        r.assert_code(1);
        assert!(
            r.line_about("good.wav").starts_with("error"),
            "{}",
            r.stderr
        );
        assert!(
            r.line_about("second.wav").starts_with("error"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains(&out.display().to_string()),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn a_folder_where_a_tone_goes_fails_that_file_alone() {
    let (_tmp, input, out) = workspace();
    fs::copy(fixture("sine1k_48k_s16_mono.wav"), input.join("other.wav")).unwrap();
    fs::create_dir_all(out.join("good.sln").join("keep")).unwrap();
    let r = ringforge_convert().arg(&input).arg("-o").arg(&out).output();
    r.assert_code(1);
    assert!(
        r.line_about("good.wav").starts_with("error"),
        "{}",
        r.stderr
    );
    assert!(out.join("good.sln").join("keep").is_dir());
    assert_eq!(entries(&out), names(&["good.sln", "other.sln"]));
}

/// The binary with the size of any file it writes capped at `blocks` × 512 bytes (SIGXFSZ
/// ignored, so a write past the cap fails with EFBIG, as on a full disk).
#[cfg(unix)]
fn ringforge_with_file_size_limit(blocks: u32) -> Run {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks} && exec \"$0\" convert \"$@\""
        ))
        .arg(run::bin());
    Run::wrapped(cmd).deadline(DEADLINE)
}

#[cfg(unix)]
#[test]
fn a_failed_replacement_keeps_the_old_tone_intact() {
    let (_tmp, input, out) = workspace();
    fs::create_dir(&out).unwrap();
    // Yesterday's tone, which the new conversion (16,000 bytes) tries to replace.
    let old: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    fs::write(out.join("good.sln"), &old).unwrap();
    let r = ringforge_with_file_size_limit(8)
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output(); // 4 KiB: the write fails midway
    r.assert_code(1);
    assert!(
        r.line_about("good.wav").contains("too large"),
        "{}",
        r.stderr
    );
    assert!(
        fs::read(out.join("good.sln")).unwrap() == old,
        "the old tone was damaged"
    );
    assert_eq!(
        entries(&out),
        names(&["good.sln"]),
        "a temporary file was left"
    );

    // With room to write, the replacement happens.
    ringforge_convert()
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .assert_code(0);
    assert_good_tone(&out);
}

#[test]
fn write_sln_failures_leave_the_target_and_folder_as_they_were() {
    let tone = convert_path(fixture(GOOD), &Options::default()).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // The target is a folder: the rename fails after the data was written.
    let target = tmp.path().join("a.sln");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("inside"), b"x").unwrap();
    assert!(tone.write_sln(&target).is_err());
    assert_eq!(entries(tmp.path()), names(&["a.sln"]));
    assert_eq!(entries(&target), names(&["inside"]));
    // The parent is a file.
    let file = tmp.path().join("f");
    fs::write(&file, b"keep").unwrap();
    let err = tone.write_sln(file.join("a.sln")).unwrap_err();
    assert!(
        err.to_string().contains(&file.display().to_string()),
        "{err}"
    );
    assert_eq!(fs::read(&file).unwrap(), b"keep");
    // An existing tone is replaced whole.
    let ok = tmp.path().join("b.sln");
    fs::write(&ok, b"old").unwrap();
    tone.write_sln(&ok).unwrap();
    assert!(fs::read(&ok).unwrap() == tone.sln_bytes());
    assert_eq!(entries(tmp.path()), names(&["a.sln", "b.sln", "f"]));
}

// ---------------------------------------------------------------------------------------------
// Limits on the command line

#[test]
fn limit_flags_refuse_and_allow() {
    let (_tmp, input, out) = workspace();
    fs::copy(
        fixture("sine1k_48k_s16_stereo.wav"),
        input.join("stereo48.wav"),
    )
    .unwrap();
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["--max-input-bytes", "20000"],
            "stereo48.wav",
            "--max-input-bytes",
        ),
        (&["--max-channels", "1"], "stereo48.wav", "--max-channels"),
        (
            &["--max-sample-rate", "44100"],
            "stereo48.wav",
            "--max-sample-rate",
        ),
    ];
    for (flags, failing, named) in cases {
        let out = out.join(named.trim_start_matches('-'));
        let r = ringforge_convert()
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .args(*flags)
            .output();
        r.assert_code(1);
        assert!(r.line_about(failing).contains(named), "{}", r.stderr);
        assert_eq!(entries(&out), names(&["good.sln"]));
    }
    // A 0.5 s file against a limit of 0 s, then the default.
    let r = ringforge_convert()
        .arg(&input)
        .arg("-o")
        .arg(out.join("s"))
        .args(["--max-seconds", "0"])
        .output();
    r.assert_code(1);
    assert!(
        r.line_about("good.wav").contains("--max-seconds"),
        "{}",
        r.stderr
    );
    ringforge_convert()
        .arg(&input)
        .arg("-o")
        .arg(out.join("ok"))
        .output()
        .assert_code(0);
}
