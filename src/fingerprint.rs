//! What the output bytes are a function of: the sound version, a canonical encoding of the
//! options, and the source's bytes — nothing else.
//!
//! The dither seed does not move with the sound version. [`Options::fingerprint`], which seeds
//! the dither, is led by a fixed [`SEED_EPOCH`] (2, the sound version that introduced seeding
//! from the source's bytes), not by [`SOUND_VERSION`]. So raising the sound version changes
//! exactly the tones whose signal path changed: every other tone keeps its bytes, and
//! `ringforge check` on a committed set flags only tones that really differ. The sound version
//! still leads the build cache key and is written to `ringtones.json`.
//!
//! The encoding is explicit on purpose. Every field is written under its own tag, numbers as
//! little-endian integers or as the bit pattern of an `f64` (`f64::to_bits`), choices as fixed
//! words. Nothing is formatted with `Debug` or `Display`, whose output the standard library may
//! change between releases, so the fingerprint — and with it the dither noise and the build
//! cache key — is the same on every platform and with every compiler.

use std::io::{self, Read, Seek, SeekFrom};

use crate::options::{ChannelPick, Dither, Normalize, Options, Oversize};
use crate::pipeline::quantize::Fnv64;

/// The sound version: which bytes this ringforge makes of a given source and options.
///
/// It changes exactly when some input's output bytes change (a new resampler, another dither
/// sequence, a fix in a decoder…), never for a release that leaves every byte as it was, so
/// upgrading ringforge makes no phone download a tone again unless the tone itself changed.
/// It is part of the build cache key and of `ringtones.json`, where `ringforge check` reads it
/// to tell a tone built by another sound version from a modified or stale one. It is not part
/// of [`Options::fingerprint`], which seeds the dither (a fixed number, 2, leads it instead), so
/// the dither of tones a new version does not otherwise touch stays as it was.
///
/// The golden test (`tests/golden.rs`) pins the MD5s this version makes; when a change moves
/// them, it fails and asks for this number to be raised.
///
/// History: 1 — every release up to the one that made the bytes the same on every machine;
/// 2 — scalar FFT kernels, `libm` transcendentals, dither seeded from the source's bytes;
/// 3 — the sparse true-peak limiter (its release in closed form between peaks, the make-up gain
/// from its curve's estimated loudness), which moves the samples of limited tones; 4 — the
/// limiter's make-up gain estimated from the K-weighted source the meter's filtering keeps, and
/// checked by filtering where the curve moves fast, which moves the samples of limited tones;
/// 5 — the limiter's estimate from the K-weighted energy of every 4 ms block (the samples no
/// longer kept), its search steps modelled and its tolerance 0.05 LU, and its last correction
/// of the true peak folded into the one pass that applies the curve, which moves the samples of
/// limited tones.
pub const SOUND_VERSION: u32 = 5;

/// The number that leads the canonical encoding of the options (and so [`Options::fingerprint`]
/// and the dither seed) where the sound version once did: fixed at 2, the sound version in
/// which it last changed. Raising [`SOUND_VERSION`] leaves it alone; changing it moves the
/// bytes of every dithered tone, so it must come with a new sound version.
pub(crate) const SEED_EPOCH: u32 = 2;

/// Bytes read from each end of the source for the dither seed.
const SEED_EDGE_BYTES: u64 = 64 * 1024;

/// A canonical byte encoding, one tagged field after another.
#[derive(Default)]
pub(crate) struct Canonical(Vec<u8>);

impl Canonical {
    fn tag(&mut self, name: &str) -> &mut Self {
        self.0.extend_from_slice(name.as_bytes());
        self.0.push(b'=');
        self
    }

    fn u64(&mut self, name: &str, v: u64) -> &mut Self {
        self.tag(name).0.extend_from_slice(&v.to_le_bytes());
        self
    }

    fn f64(&mut self, name: &str, v: f64) -> &mut Self {
        self.u64(name, v.to_bits())
    }

    fn word(&mut self, name: &str, v: &str) -> &mut Self {
        self.tag(name).0.extend_from_slice(v.as_bytes());
        self.0.push(b';');
        self
    }

    fn opt_f64(&mut self, name: &str, v: Option<f64>) -> &mut Self {
        match v {
            Some(v) => self.f64(name, v),
            None => self.word(name, "none"),
        }
    }

    /// The encoded bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The canonical encoding of every option that changes the output bytes, led by the
/// [`SEED_EPOCH`] (under the tag `sound_version`, which it held until sound version 2, so the
/// encoding is byte for byte what it was). Limits are left out: they decide whether a source
/// converts, never what it becomes.
pub(crate) fn canonical_options(o: &Options) -> Canonical {
    let mut c = Canonical::default();
    c.u64("sound_version", u64::from(SEED_EPOCH));
    c.word(
        "dither",
        match o.dither {
            Dither::Tpdf => "tpdf",
            Dither::None => "none",
        },
    );
    c.u64("max_bytes", o.max_bytes);
    c.word("allow_upsample", bool_word(o.allow_upsample));
    c.opt_f64("start", o.start);
    c.opt_f64("length", o.length);
    c.word(
        "on_oversize",
        match o.on_oversize {
            Oversize::Fit => "fit",
            Oversize::Error => "error",
        },
    );
    c.f64("fade_out_seconds", o.fade_out_seconds);
    c.word("clip", bool_word(o.clip));
    c.f64("gain_db", o.gain_db);
    match o.normalize {
        None => c.word("normalize", "none"),
        Some(Normalize::Peak { ceiling_dbfs }) => c
            .word("normalize", "peak")
            .f64("ceiling_dbfs", ceiling_dbfs),
        Some(Normalize::Loudness {
            target_lufs,
            true_peak_ceiling_dbtp,
        }) => c
            .word("normalize", "loudness")
            .f64("target_lufs", target_lufs)
            .f64("true_peak_ceiling_dbtp", true_peak_ceiling_dbtp)
            // The limiter acts only under loudness normalisation.
            .word("limiter", if o.limiter { "true-peak-1" } else { "off" }),
    };
    c.opt_f64("trim_silence", o.trim_silence);
    c.word(
        "channel",
        match o.channel {
            ChannelPick::Mix => "mix",
            ChannelPick::Left => "left",
            ChannelPick::Right => "right",
            ChannelPick::Mid => "mid",
        },
    );
    c
}

fn bool_word(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// The dither seed of a conversion: the options' fingerprint, the source's length and its first
/// and last 64 KiB. The reader is left at its start.
///
/// Only the ends are read, so a one-hour source costs no more than a short one; two sources
/// that agree in length and at both ends (but differ in between) get the same noise sequence,
/// which is harmless: the seed only has to be the same for the same source and options.
pub(crate) fn dither_seed<R: Read + Seek + ?Sized>(
    source: &mut R,
    opts: &Options,
) -> io::Result<u64> {
    let len = source.seek(SeekFrom::End(0))?;
    let mut h = Fnv64::new();
    h.write(b"ringforge dither\0");
    h.write(&opts.fingerprint().to_le_bytes());
    h.write(&len.to_le_bytes());
    let head = len.min(SEED_EDGE_BYTES);
    let tail_from = len.saturating_sub(SEED_EDGE_BYTES).max(head);
    let mut buf = Vec::with_capacity(SEED_EDGE_BYTES as usize);
    for (from, to) in [(0, head), (tail_from, len)] {
        buf.clear();
        source.seek(SeekFrom::Start(from))?;
        (&mut *source).take(to - from).read_to_end(&mut buf)?;
        h.write(&buf);
    }
    source.seek(SeekFrom::Start(0))?;
    Ok(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fingerprint is a function of the canonical encoding alone: pinned, so that a change
    /// of encoding (which moves every dithered byte) cannot go unnoticed. The value is the one
    /// sound version 2 made: raising the sound version leaves the dither seed alone.
    #[test]
    fn default_options_fingerprint_is_pinned() {
        assert_eq!(Options::default().fingerprint(), 0xc896_babe_d8a0_79eb);
        const { assert!(SOUND_VERSION > SEED_EPOCH) };
    }

    #[test]
    fn seed_reads_both_ends_and_rewinds() {
        let opts = Options::default();
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut a = std::io::Cursor::new(data.clone());
        let seed = dither_seed(&mut a, &opts).unwrap();
        assert_eq!(a.position(), 0);
        // A change at either end moves the seed; so does the length.
        for at in [0, data.len() - 1] {
            let mut changed = data.clone();
            changed[at] ^= 1;
            let s = dither_seed(&mut std::io::Cursor::new(changed), &opts).unwrap();
            assert_ne!(s, seed, "byte {at}");
        }
        let shorter = &data[..data.len() - 1];
        assert_ne!(
            dither_seed(&mut std::io::Cursor::new(shorter), &opts).unwrap(),
            seed
        );
        // Short sources are read once, whole.
        let small = dither_seed(&mut std::io::Cursor::new(&data[..10]), &opts).unwrap();
        assert_ne!(small, seed);
    }
}
