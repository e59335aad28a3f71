//! Property tests of the pure stages: the quantizer, the downmix, loudness normalisation with
//! the true-peak limiter, tone ids and display names, and the escaping of every value written
//! into a manifest.
//!
//! 256 cases per property by default; `PROPTEST_CASES=5000 cargo test --test properties` for more.

use std::f64::consts::TAU;
use std::path::PathBuf;

use proptest::prelude::*;
use ringforge::id::{self, MAX_ID_LEN};
use ringforge::manifest::{Alert, ManifestSet, ManifestTone, RingType};
use ringforge::pipeline::condition::{LIMITER_MARGIN_DB, LOUDNESS_TOLERANCE_LU};
use ringforge::pipeline::downmix::{Energy, MonoMix};
use ringforge::pipeline::quantize::quantize;
use ringforge::{convert_bytes, Dither, Error, Normalize, Options};
use symphonia::core::audio::{Channels, Position};

/// Any `f32` bit pattern: NaN, infinities, subnormals and huge values included.
fn any_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        3 => -1.5f32..1.5f32,
        1 => any::<u32>().prop_map(f32::from_bits),
        1 => prop::sample::select(vec![
            0.0, -0.0, 1.0, -1.0, 32_767.0 / 32_768.0, -32_768.0 / 32_768.0, 0.99999,
            f32::MAX, f32::MIN, f32::INFINITY, f32::NEG_INFINITY, f32::NAN,
            f32::MIN_POSITIVE, f32::EPSILON, 1e-40,
        ]),
    ]
}

fn any_dither() -> impl Strategy<Value = Dither> {
    prop_oneof![Just(Dither::Tpdf), Just(Dither::None)]
}

/// Text rich in what breaks configuration files: markup, quotes, `;`, comment markers,
/// backslashes, `=`, brackets, whitespace of every kind, controls, non-ASCII and noncharacters.
fn nasty_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a", "Z", "0", " ", "  ", "\t", "\n", "\r", "\0", "\u{7f}", "\u{85}", "\u{a0}", "<", ">",
        "&", "&amp;", "\"", "'", ";", ";--", "--;", "--", "\\", "\\;", "=", "=>", "[", "]", "#",
        "é", "日本", "✨", "\u{2028}", "\u{2029}", "\u{fffe}", "\u{ffff}", "\u{feff}", "\u{200b}",
        "]]>", "<!--", "${x}", "%s",
    ]);
    prop_oneof![
        prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat()),
        any::<String>(),
        "[ -~]{0,70}",
    ]
}

proptest! {

    /// Any input, any seed: no panic, one sample out per sample in, every sample within one
    /// rounding step plus one LSB of dither of the exact value, and clamped samples counted.
    #[test]
    fn quantizer_never_overflows(
        signal in prop::collection::vec(any_f32(), 0..512),
        dither in any_dither(),
        seed in any::<u64>(),
    ) {
        let (out, stats) = quantize(&signal, dither, seed);
        prop_assert_eq!(out.len(), signal.len());
        let mut must_clip = 0u64;
        for (&x, &q) in signal.iter().zip(&out) {
            if x.is_nan() {
                prop_assert_eq!(q, 0);
                continue;
            }
            let v = f64::from(x) * 32_768.0;
            let slack = if dither == Dither::Tpdf { 1.5 } else { 0.5 };
            if v > 32_767.0 + slack {
                prop_assert_eq!(q, i16::MAX);
                must_clip += 1;
            } else if v < -32_768.0 - slack {
                prop_assert_eq!(q, i16::MIN);
                must_clip += 1;
            } else {
                let clamped = v.clamp(-32_768.0, 32_767.0);
                prop_assert!((f64::from(q) - clamped).abs() <= slack + 1e-3,
                    "x = {x}, v = {v}, q = {q}");
            }
            if dither == Dither::None || v == v.round() {
                prop_assert_eq!(f64::from(q), v.round().clamp(-32_768.0, 32_767.0));
            }
        }
        prop_assert!(stats.clipped >= must_clip);
        prop_assert!(stats.clipped <= signal.len() as u64);
    }

    /// Same signal, dither and seed: the same samples and statistics, every time.
    #[test]
    fn quantizer_is_deterministic(
        signal in prop::collection::vec(any_f32(), 0..512),
        dither in any_dither(),
        seed in any::<u64>(),
    ) {
        let a = quantize(&signal, dither, seed);
        let b = quantize(&signal, dither, seed);
        prop_assert_eq!(a, b);
    }

    /// Every channel carrying the same signal mixes back to that signal, whatever the layout
    /// (positioned, with or without LFE, ambisonic, discrete or unknown).
    #[test]
    fn downmix_of_identical_channels_is_identity(
        block in prop::collection::vec(-1.0f32..1.0, 0..256),
        mask in any::<u64>(),
        count in 1usize..=32,
        kind in 0u8..3,
    ) {
        let positioned = Position::from_bits_truncate(mask);
        let (channels, count) = match kind {
            0 if positioned.bits().count_ones() > 0 => {
                let n = positioned.bits().count_ones() as usize;
                (Some(Channels::Positioned(positioned)), n)
            }
            1 => (None, count),
            _ => (Some(Channels::Discrete(count as u16)), count),
        };
        let mix = MonoMix::for_layout(channels.as_ref(), count);
        let planes = vec![block.clone(); count];
        let mut mono = Vec::new();
        mix.mix_into(&planes, &mut mono, &mut Energy::default());
        prop_assert_eq!(mono.len(), block.len());
        for (m, x) in mono.iter().zip(&block) {
            prop_assert!((m - x).abs() <= 1e-6 * x.abs() + 1e-30, "{m} vs {x} with {count} channels");
        }
    }

    /// Whatever the path, the id is in the safe set (or the file is refused with a reason),
    /// and the same path always gives the same id.
    #[test]
    fn ids_are_always_in_the_safe_set(parts in prop::collection::vec(nasty_text(), 1..4)) {
        let path: PathBuf = parts.iter().collect();
        check_id(&path)?;
    }

    /// The same, for file names that are not UTF-8 at all.
    #[cfg(unix)]
    #[test]
    fn ids_from_non_utf8_names_are_safe(bytes in prop::collection::vec(any::<u8>(), 1..300)) {
        use std::os::unix::ffi::OsStrExt;
        let path = PathBuf::from(std::ffi::OsStr::from_bytes(&bytes));
        check_id(&path)?;
    }

    /// Display names made from stems are always accepted by the manifests (or empty).
    #[test]
    fn display_names_from_stems_are_valid(stem in nasty_text()) {
        let d = id::display_from_stem(&stem);
        prop_assert!(d.is_empty() || id::validate_display(&d).is_ok(), "{d:?} from {stem:?}");
    }

    /// Every display name is refused up front or reads back exactly, in the phone XML, the
    /// DPMA fragment (as Asterisk parses it) and the JSON.
    #[test]
    fn display_names_round_trip_through_every_manifest(name in nasty_text()) {
        let tone = ManifestTone::new("t", name.clone(), "t.sln", &[0, 0], None, None);
        let Ok(tone) = tone else {
            prop_assert!(id::validate_display(&name).is_err(), "refused but valid: {name:?}");
            return Ok(());
        };
        prop_assert!(id::validate_display(&name).is_ok());
        let set = ManifestSet::new(vec![tone]);
        let xml = set.phone_xml().unwrap();
        let read = ringforge::manifest::read::phone_xml(&xml).unwrap();
        prop_assert_eq!(read.tones[0].display.as_deref(), Some(name.as_str()));
        let conf = set.dpma_conf().unwrap();
        let read = ringforge::manifest::read::dpma_conf(&conf).unwrap();
        prop_assert_eq!(read.tones[0].display.as_deref(), Some(name.as_str()), "{}", conf);
        let json: serde_json::Value = serde_json::from_str(&set.json().unwrap()).unwrap();
        prop_assert_eq!(json["tones"][0]["display"].as_str(), Some(name.as_str()));
    }

    /// The same for `alert_info`, in both of the phone XML's forms.
    #[test]
    fn alert_info_round_trips_through_every_manifest(info in nasty_text()) {
        let Ok(alert) = Alert::new(info.clone(), Some("t".into()), RingType::Normal) else {
            return Ok(());
        };
        let tone = ManifestTone::new("t", "T", "t.sln", &[0, 0], None, None).unwrap();
        let set = ManifestSet { alerts: vec![alert.clone()], ..ManifestSet::new(vec![tone]) };
        let (xml, conf, json) = match (set.phone_xml(), set.dpma_conf(), set.json()) {
            (Ok(x), Ok(c), Ok(j)) => (x, c, j),
            // An alert_info whose section name cannot be made (no letters or digits) is refused
            // as a whole, before anything is written.
            (Err(Error::UnsafeValue { .. } | Error::InvalidAlert { .. }), _, _)
            | (_, Err(Error::UnsafeValue { .. } | Error::InvalidAlert { .. }), _) => return Ok(()),
            other => panic!("unexpected result for {info:?}: {other:?}"),
        };
        let infos: Vec<String> = ringforge::manifest::read::phone_xml(&xml).unwrap().alerts
            .into_iter().map(|a| a.alert_info).collect();
        prop_assert!(infos.contains(&info), "{infos:?} lacks {info:?}");
        prop_assert!(infos.contains(&alert.dpma_alert_info()));
        let dpma: Vec<String> = ringforge::manifest::read::dpma_conf(&conf).unwrap().alerts
            .into_iter().map(|a| a.alert_info).collect();
        prop_assert_eq!(dpma, vec![info.clone()], "{}", conf);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(json["alerts"][0]["alert_info"].as_str(), Some(info.as_str()));
    }
}

/// A loud moment of a [`music`] tone: where (a share of the length, 1 the very last sample), how
/// loud, its pitch and how fast it decays (seconds).
type Hit = (f64, f64, f64, f64);

/// Music-like material at 16 kHz: two quiet partials under a few decaying hits, anywhere from
/// the first sample to the last (so in the tail after the meter's last whole 100 ms segment,
/// too).
fn music() -> impl Strategy<Value = Vec<f32>> {
    let hit = (
        0.0f64..=1.0,
        0.05f64..1.0,
        30.0f64..7_900.0,
        0.0005f64..0.05,
    );
    (
        6_400usize..40_000,
        (0.0f64..0.3, 40.0f64..7_000.0, 40.0f64..7_000.0),
        prop::collection::vec(hit, 0..10),
        prop::bool::ANY,
    )
        .prop_map(|(len, (level, f1, f2), hits, end_on_a_hit)| {
            let rate = 16_000.0;
            let mut hits: Vec<Hit> = hits;
            if end_on_a_hit {
                hits.push((1.0, 0.95, 1_500.0, 0.05));
            }
            let mut x: Vec<f64> = (0..len)
                .map(|i| {
                    let t = i as f64 / rate;
                    level * (0.6 * (TAU * f1 * t).sin() + 0.4 * (TAU * f2 * t).sin())
                })
                .collect();
            for (at, amp, freq, decay) in hits {
                let start = ((len - 1) as f64 * at) as usize;
                for (k, s) in x[start..].iter_mut().enumerate().take(16_000) {
                    let t = k as f64 / rate;
                    *s += amp * (-t / decay).exp() * (TAU * freq * t).sin();
                }
                if at == 1.0 {
                    // The last sample itself at the hit's level.
                    x[start] += amp;
                }
            }
            x.iter().map(|&s| s.clamp(-1.0, 1.0) as f32).collect()
        })
}

proptest! {
    /// Whatever the material, a conversion normalised to a loudness target keeps the true peak
    /// under the ceiling (less the margin for other meters) and reaches the target within
    /// 0.5 LU, or warns why not: the ceiling held it back (the limiter would have needed more
    /// than 12 dB), or the tone is so short that the meter's gates make its loudness jump past
    /// the target. Converted from a 16 kHz float WAV, so the samples reach the normalisation as
    /// generated.
    #[test]
    fn the_limiter_holds_the_ceiling_and_reaches_the_target(
        x in music(),
        target in -30.0f64..-8.0,
        ceiling in -6.0f64..0.0,
        dither in any_dither(),
    ) {
        let mut opts = Options::default();
        opts.normalize = Some(Normalize::Loudness { target_lufs: target, true_peak_ceiling_dbtp: ceiling });
        opts.dither = dither;
        let wav = ringforge::signal::wav_f32(16_000, 1, &x);
        let tone = convert_bytes(&wav, Some("wav"), &opts);
        prop_assert!(tone.is_ok(), "{:?}", tone.err());
        let r = tone.unwrap().report().clone();
        let warned = |kind: &str| {
            r.warnings.iter().any(|w| serde_json::to_value(w).unwrap()["kind"] == kind)
        };
        let Some(lufs) = r.loudness_lufs else {
            // Under the meter's absolute gate: near silence (or nothing generated but
            // silence), a spike in near silence left as it was, or one held down by the
            // ceiling.
            prop_assert!(
                warned("silent") || warned("below_loudness_gate") || warned("loudness_limited"),
                "{:?}", r
            );
            return Ok(());
        };
        let tp = r.true_peak_dbtp.unwrap();
        prop_assert!(tp <= ceiling - LIMITER_MARGIN_DB, "{} dBTP over {}: {:?}", tp, ceiling, r);
        if warned("loudness_limited") {
            prop_assert!(lufs < target, "{} LUFS for {}: {:?}", lufs, target, r);
        } else {
            prop_assert!(
                (lufs - target).abs() <= LOUDNESS_TOLERANCE_LU || warned("loudness_missed"),
                "{} LUFS for {}: {:?}", lufs, target, r
            );
        }
    }
}

fn check_id(path: &std::path::Path) -> Result<(), TestCaseError> {
    match id::id_from_relative_path(path) {
        Ok(id) => {
            prop_assert!(!id.is_empty() && id.len() <= MAX_ID_LEN, "{id:?}");
            prop_assert!(
                id.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'-'
                    || b == b'_'),
                "{id:?} from {path:?}"
            );
            prop_assert!(!id.starts_with('-') && !id.ends_with('-'), "{id:?}");
            prop_assert!(id::validate_id(&id).is_ok());
            let file_name = format!("{id}.sln");
            prop_assert!(id::validate_file_name(&file_name).is_ok());
            prop_assert_eq!(id::id_from_relative_path(path).ok(), Some(id));
        }
        Err(Error::InvalidId { .. } | Error::BuiltinCollision { .. }) => {}
        Err(e) => prop_assert!(false, "unexpected error for {path:?}: {e}"),
    }
    Ok(())
}
