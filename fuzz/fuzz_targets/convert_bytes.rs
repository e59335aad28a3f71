//! Fuzzes the in-memory conversion entry point, `ringforge::convert_bytes`, with every file
//! extension hint: decoding, container trims, limits, downmix, resampling, the level (loudness
//! normalisation with the true-peak limiter and without, peak normalisation) and quantizing.
//!
//! Any panic is a finding, even one `convert_bytes` would contain: by default libfuzzer-sys
//! aborts on every panic, so a decoder bug shows up here although the library turns it into
//! `Error::Panicked`. Set `RINGFORGE_FUZZ_ALLOW_UPSTREAM_PANICS=1` to keep fuzzing past panics
//! raised inside symphonia and contained by the library (known decoder bugs that cannot be fixed
//! here; each distinct location is printed once), while still aborting on any other panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringforge::{convert_bytes, Error, Normalize, Options};

/// The hint is picked from the input's length, so a seed file keeps its bytes intact.
const HINTS: [Option<&str>; 10] = [
    None,
    Some("wav"),
    Some("mp3"),
    Some("flac"),
    Some("ogg"),
    Some("m4a"),
    Some("aiff"),
    Some("caf"),
    Some("mka"),
    Some("aac"),
];

/// The level's options, picked from the input's length too (after the hint), so a seed file
/// keeps its bytes: as they come, loudness normalisation with the limiter and without, peak
/// normalisation.
fn options(len: usize) -> Options {
    let mut opts = Options::default();
    match (len / HINTS.len()) % 4 {
        1 => opts.normalize = Some(Normalize::loudness()),
        2 => {
            opts.normalize = Some(Normalize::loudness());
            opts.limiter = false;
        }
        3 => opts.normalize = Some(Normalize::Peak { ceiling_dbfs: -1.0 }),
        _ => {}
    }
    opts
}

fuzz_target!(
    init: {
        if std::env::var_os("RINGFORGE_FUZZ_ALLOW_UPSTREAM_PANICS").is_some() {
            let abort_hook = std::panic::take_hook();
            let seen = std::sync::Mutex::new(std::collections::BTreeSet::new());
            std::panic::set_hook(Box::new(move |info| {
                let location = info.location().map(|l| l.to_string()).unwrap_or_default();
                if ringforge::panic_is_contained()
                    && ringforge::panic_is_in_decoder()
                    && location.contains("/symphonia-")
                {
                    if seen.lock().unwrap().insert(location.clone()) {
                        eprintln!("contained upstream panic at {location}: {info}");
                    }
                } else {
                    abort_hook(info);
                }
            }));
        }
    },
    |data: &[u8]| {
        let hint = HINTS[data.len() % HINTS.len()];
        let opts = options(data.len());
        match convert_bytes(data, hint, &opts) {
            Ok(tone) => {
                // Whatever the input, a tone is valid for the phones.
                let bytes = tone.sln_bytes();
                assert_eq!(bytes.len(), tone.samples().len() * 2);
                assert!((bytes.len() as u64) < opts.max_bytes);
                assert!(!tone.samples().is_empty());
                assert_eq!(tone.report().bytes, bytes.len() as u64);
                // A tone normalised to a loudness keeps its true peak under the ceiling.
                let r = tone.report();
                if let (Some(Normalize::Loudness { true_peak_ceiling_dbtp, .. }), Some(_), Some(tp)) =
                    (opts.normalize, r.loudness_lufs, r.true_peak_dbtp)
                {
                    assert!(tp <= true_peak_ceiling_dbtp, "{tp} dBTP: {r:?}");
                }
            }
            Err(Error::Panicked { message }) => {
                // Only reachable with RINGFORGE_FUZZ_ALLOW_UPSTREAM_PANICS set.
                let _ = message;
            }
            Err(e) => {
                // Every error renders to a one-line message.
                let text = e.to_string();
                assert!(!text.is_empty());
            }
        }
    }
);
