//! The golden set: every source format and rate the fixtures cover, and the options that shape
//! the sound, each converted by the library and pinned by the MD5 of its `.sln` bytes in
//! `tests/golden/MD5SUMS`.
//!
//! Shared by `tests/golden.rs` (checks the MD5s natively) and `crosscheck/` (prints them, for
//! the same check under other CPUs and in WebAssembly: `scripts/cross-check.sh`).

use ringforge::{ChannelPick, Dither, Normalize, Options};

/// One conversion of the golden set.
pub struct Case {
    /// Unique name: the source's path, then the options that differ from the defaults.
    pub name: String,
    /// The source, relative to the repository root.
    pub path: &'static str,
    /// The options.
    pub opts: Options,
}

/// Every good fixture, converted with the default options.
const FIXTURES: &[&str] = &[
    "antiphase1k_48k_s16_stereo.wav",
    "click_k11025_44k1_cbr128_mono.mp3",
    "gapless_sine1k_44k1_cbr128_mono.mp3",
    "hotmaster_44k1_cbr128_stereo.mp3",
    "impulse_k12000_48k_f32_mono.wav",
    "lcg_16k_s16_mono.wav",
    "silence_48k_s16_mono.wav",
    "sine1k_16k_s16_mono.wav",
    "sine1k_192k_flac24_mono.flac",
    "sine1k_22k05_ima_mono.wav",
    "sine1k_22k05_msadpcm_mono.wav",
    "sine1k_22k05_s16_mono.wav",
    "sine1k_44k1_aac_stereo.m4a",
    "sine1k_44k1_cbr128_stereo_id3.mp3",
    "sine1k_44k1_flac16_mono.flac",
    "sine1k_44k1_s16_mono.wav",
    "sine1k_44k1_s16_mono_listinfo.wav",
    "sine1k_44k1_s16_mono_oddchunk.wav",
    "sine1k_44k1_s16_stereo.wav",
    "sine1k_44k1_s16be_mono.aiff",
    "sine1k_44k1_vbrv2_stereo_id3.mp3",
    "sine1k_44k1_vorbis_stereo.ogg",
    "sine1k_48k_f32_mono.wav",
    "sine1k_48k_f64_mono.wav",
    "sine1k_48k_flac24_stereo.flac",
    "sine1k_48k_s16_mono.wav",
    "sine1k_48k_s16_stereo.wav",
    "sine1k_48k_s24_mono.wav",
    "sine1k_48k_s32_mono.wav",
    "sine1k_8k_alaw_mono.wav",
    "sine1k_8k_flac8_mono.flac",
    "sine1k_8k_s16_mono.wav",
    "sine1k_8k_u8_mono.wav",
    "sine1k_8k_ulaw_mono.wav",
    "sine1k_96k_flac24_mono.flac",
    "sine1k_96k_s16_mono.wav",
    "tones_44k1_flac16_stereo_lpc32.flac",
    "tones_48k_flac16_5p1.flac",
    "tones_48k_flac24_stereo_mkv.mka",
    "tones_48k_flac24_stereo_mp4.mp4",
    "tones_48k_flac24_stereo_ogg.oga",
    "tones_48k_s16ext_5p1.wav",
    "tones_48k_s24ext_3ch.wav",
    "twotone1k12k_48k_s16_mono.wav",
];

/// The project's own assets: longer, real-sounding sources in every lossy format.
const ASSETS: &[&str] = &[
    "assets/double-ring.wav",
    "assets/legacy/old-pbx-8k.wav",
    "assets/marimba-arpeggio.m4a",
    "assets/melodies/evening-chords.ogg",
    "assets/melodies/morning_melody.flac",
    "assets/office/front-desk-chime.mp3",
];

/// A named change of the default options.
type Variant = (&'static str, fn(&mut Options));

/// Options that shape the sound, each applied to every asset and to a few fixtures.
const VARIANTS: &[Variant] = &[
    ("dither=none", |o| o.dither = Dither::None),
    ("normalize=loudness", |o| {
        o.normalize = Some(Normalize::loudness())
    }),
    ("normalize=peak:-3", |o| {
        o.normalize = Some(Normalize::Peak { ceiling_dbfs: -3.0 })
    }),
    ("start=0.1 length=0.12", |o| {
        o.start = Some(0.1);
        o.length = Some(0.12);
    }),
    // 0.5 s at most: every asset is cut to fit and fades out.
    ("max_bytes=16000", |o| o.max_bytes = 16_000),
    ("trim_silence=-50 gain=-4", |o| {
        o.trim_silence = Some(-50.0);
        o.gain_db = -4.0;
    }),
    ("channel=left clip", |o| {
        o.channel = ChannelPick::Left;
        o.clip = true;
        o.gain_db = 3.0;
    }),
];

/// Fixtures that also get every variant: one per decoder family, and the 5.1 and 96 kHz sources.
const VARIED_FIXTURES: &[&str] = &[
    "hotmaster_44k1_cbr128_stereo.mp3",
    "sine1k_44k1_aac_stereo.m4a",
    "sine1k_44k1_vorbis_stereo.ogg",
    "sine1k_96k_flac24_mono.flac",
    "tones_48k_s16ext_5p1.wav",
    "sine1k_22k05_msadpcm_mono.wav",
];

/// Dynamic music and speech that loudness normalisation brings to −16 LUFS through the
/// true-peak limiter (`tests/fixtures/loudness/`): the limiter's arithmetic, pinned too.
const LIMITED: &[&str] = &[
    "tests/fixtures/loudness/orchestral.mp3",
    "tests/fixtures/loudness/quiet-speech.mp3",
];

/// The whole golden set, in a fixed order.
pub fn cases() -> Vec<Case> {
    let fixture = |f: &str| -> &'static str {
        let path = format!("tests/fixtures/{f}");
        Box::leak(path.into_boxed_str())
    };
    let mut all: Vec<Case> = FIXTURES
        .iter()
        .map(|f| fixture(f))
        .chain(ASSETS.iter().copied())
        .map(|path| Case {
            name: path.to_string(),
            path,
            opts: Options::default(),
        })
        .collect();
    let varied = VARIED_FIXTURES.iter().map(|f| fixture(f));
    for path in ASSETS.iter().copied().chain(varied) {
        for (label, change) in VARIANTS {
            let mut opts = Options::default();
            change(&mut opts);
            all.push(Case {
                name: format!("{path} {label}"),
                path,
                opts,
            });
        }
    }
    for path in LIMITED.iter().copied() {
        let mut opts = Options::default();
        opts.normalize = Some(Normalize::loudness());
        all.push(Case {
            name: format!("{path} normalize=loudness"),
            path,
            opts,
        });
    }
    all
}

/// Converts one case from the repository at `root`: the MD5 of the `.sln` bytes, or the error.
pub fn md5_of(root: &std::path::Path, case: &Case) -> Result<String, String> {
    ringforge::convert_path(root.join(case.path), &case.opts)
        .map(|t| t.md5_hex())
        .map_err(|e| e.to_string())
}
