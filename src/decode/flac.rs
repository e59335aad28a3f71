//! FLAC frames decoded with rusty_flac instead of symphonia's FLAC decoder.
//!
//! FLAC was the costliest format of a batch to decode: symphonia's decoder (Rice residuals read
//! one bit-reader call at a time, the LPC loop, the bit reader itself) was about a fifth of the
//! CPU time of a mixed batch, and more than 40 % of a FLAC tone's. rusty_flac — pure Rust, no
//! dependencies, Apache-2.0 — decodes the same frames faster. Whole streams in memory (40 files
//! of 30 s 44.1 kHz 16-bit stereo) it took 19.5 ms a file against symphonia's 31 ms; here, where
//! symphonia's demuxer still finds and checks the frames, a FLAC tone (30 s, `flac -5`, converted
//! on one core) went from 49.9 ms to 45.3 ms of CPU, the frame decoding itself from about 21 ms
//! to about 17.5 ms (`perf`; docs/PERFORMANCE.md). Its `unsafe` code is in SIMD kernels chosen at
//! run time (for decoding: CRC-16 by carry-less multiplication, Rice decoding with BMI2, the LPC
//! restore with AVX2), each tested in the crate against the safe code it stands in for.
//!
//! symphonia still does everything else: it recognises the file, reads the container (native
//! FLAC, Ogg, Matroska, MP4: each hands over one FLAC frame per packet), finds the frames, checks
//! their CRC, seeks, and reads the metadata. Only the frames' contents come here. symphonia's
//! FLAC decoder is still made first, as before (so a stream it refuses, one without a STREAMINFO
//! block for instance, fails the same way), and the parameters it reads from STREAMINFO are the
//! ones used here; a FLAC stream whose parameters do not agree with its STREAMINFO is left to it.
//!
//! The blocks are those symphonia's decoder gives: its sample rate and channel layout (from the
//! same STREAMINFO), and the same `f32` values bit for bit. symphonia widens each `b`-bit sample
//! to 32 bits (`s << (32 − b)`, with `b` from the frame header or else STREAMINFO) and divides
//! by 2^31 in `f64`; [`Flac::decode`] does exactly that (in `f32` when `b <= 24`, where it is
//! exact). The tests below decode every FLAC fixture (8-, 16- and 24-bit; mono, stereo, 5.1;
//! LPC orders up to 31; native, Ogg, Matroska, MP4) and streams of up to eight channels made by
//! rusty_flac's encoder both ways, and require the same bits, lengths and reports.
//!
//! A frame that does not decode is a packet error, counted like symphonia's: CRC mismatches,
//! reserved codes, a frame longer than STREAMINFO's largest block, a channel count that differs
//! from the stream's. So is a 32-bit stereo frame coded as left/side, right/side or mid/side:
//! its side channel needs 33 bits, which neither decoder reads (symphonia's reader takes at most
//! 32 bits at a time).

use symphonia::core::audio::Channels;
use symphonia::core::codecs::audio::well_known::CODEC_ID_FLAC;
use symphonia::core::codecs::audio::AudioCodecParameters;

/// Why a frame did not decode.
pub(super) enum FrameError {
    /// The frame stops before its contents do (symphonia reports this as an unexpected end of
    /// data).
    Truncated,
    /// Anything else wrong with the frame.
    Corrupt(String),
}

/// A FLAC stream's frames being decoded.
pub(super) struct Flac {
    frames: rusty_flac::FrameDecoder,
    /// From STREAMINFO: frames without their own sample size use it.
    bits_per_sample: u32,
    /// From STREAMINFO: symphonia refuses longer frames.
    max_block: usize,
    sample_rate: u32,
    layout: Channels,
    /// One frame's samples, one plane per channel.
    ints: Vec<Vec<i32>>,
}

impl Flac {
    /// A decoder for the stream `params` describe, when it is FLAC with a STREAMINFO block.
    /// `params` must be those symphonia's FLAC decoder made for the stream (its
    /// `codec_params()`): their rate and layout, read from STREAMINFO, are the blocks'.
    pub fn new(params: &AudioCodecParameters) -> Option<Flac> {
        if params.codec != CODEC_ID_FLAC {
            return None;
        }
        let info = rusty_flac::StreamInfo::parse(params.extra_data.as_deref()?).ok()?;
        let layout = params.channels.clone()?;
        let sample_rate = params.sample_rate?;
        if layout.count() != info.channels as usize || sample_rate != info.sample_rate {
            return None;
        }
        let bits_per_sample = info.bits_per_sample;
        let max_block = info.max_block_size as usize;
        let frames = rusty_flac::FrameDecoder::new(info).ok()?;
        Some(Flac {
            frames,
            bits_per_sample,
            max_block,
            sample_rate,
            ints: vec![Vec::new(); layout.count()],
            layout,
        })
    }

    /// The sample rate of every block.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The channel layout of every block.
    pub fn layout(&self) -> &Channels {
        &self.layout
    }

    /// Decodes the frame in `packet` into `planes` (one per channel, replaced). Returns its
    /// frames per channel; on an error `planes` are left as they were.
    pub fn decode(
        &mut self,
        packet: &[u8],
        planes: &mut Vec<Vec<f32>>,
    ) -> Result<usize, FrameError> {
        // Like symphonia, start at the first sync code in the packet.
        let start = packet
            .windows(2)
            .position(|w| w[0] == 0xFF && w[1] & 0xFC == 0xF8)
            .ok_or(FrameError::Truncated)?;
        let frame = &packet[start..];
        let Some(&fields) = frame.get(3) else {
            return Err(FrameError::Truncated);
        };
        let bits = match (fields >> 1) & 0x7 {
            0 => self.bits_per_sample,
            1 => 8,
            2 => 12,
            4 => 16,
            5 => 20,
            6 => 24,
            7 => 32,
            _ => return Err(corrupt("flac: bits per sample set to reserved value")),
        };
        if bits >= 32 && (8..=10).contains(&(fields >> 4)) {
            return Err(corrupt(
                "flac: a 32-bit stereo frame needs a 33-bit side channel (not supported)",
            ));
        }
        self.ints.iter_mut().for_each(Vec::clear);
        let (block, _) = self
            .frames
            .decode_frame(frame, &mut self.ints)
            .map_err(|e| match e {
                rusty_flac::DecodeError::Truncated => FrameError::Truncated,
                other => FrameError::Corrupt(other.to_string()),
            })?;
        if block > self.max_block {
            return Err(corrupt(
                "flac: a frame longer than the stream's largest block (STREAMINFO)",
            ));
        }
        planes.resize_with(self.ints.len(), Vec::new);
        planes.truncate(self.ints.len());
        for (plane, ints) in planes.iter_mut().zip(&self.ints) {
            widen(ints, bits, plane);
        }
        Ok(block)
    }
}

fn corrupt(reason: &str) -> FrameError {
    FrameError::Corrupt(reason.to_string())
}

/// `samples` of `bits` bits as symphonia's FLAC decoder hands them on, read as `f32`: shifted
/// to 32 bits (wrapping, as symphonia's shift does), then `(s as f64 / 2^31) as f32`.
fn widen(samples: &[i32], bits: u32, out: &mut Vec<f32>) {
    const SCALE: f32 = 1.0 / 2_147_483_648.0;
    out.clear();
    let shift = 32u32.saturating_sub(bits);
    if shift >= 8 {
        // A multiple of 2^8 below 2^31 in magnitude has at most 24 significant bits: exact in
        // `f32`, and so is the power-of-two scaling. The same value as through `f64`.
        out.extend(
            samples
                .iter()
                .map(|&s| s.wrapping_shl(shift) as f32 * SCALE),
        );
    } else {
        out.extend(
            samples
                .iter()
                .map(|&s| (f64::from(s.wrapping_shl(shift)) / 2_147_483_648.0) as f32),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{widen, Flac};
    use crate::decode::{Codec, Decoder, Stream};
    use crate::{Limits, SourceInfo};
    use std::path::{Path, PathBuf};

    #[test]
    fn widening_matches_symphonias_conversion() {
        let symphonia = |s: i32, bits: u32| {
            let s = if bits < 32 { s << (32 - bits) } else { s };
            (f64::from(s) / 2_147_483_648.0) as f32
        };
        let mut x = 0x1234_5678u32;
        for bits in [4, 8, 12, 16, 20, 24, 25, 28, 31, 32] {
            let max = if bits == 32 {
                i32::MAX
            } else {
                (1i32 << (bits - 1)) - 1
            };
            let mut samples = vec![0, 1, -1, max, -max - 1, max / 3, -(max / 7)];
            for _ in 0..1000 {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                samples.push((x as i32) >> (32 - bits));
            }
            let mut out = Vec::new();
            widen(&samples, bits, &mut out);
            for (&s, o) in samples.iter().zip(&out) {
                assert_eq!(
                    o.to_bits(),
                    symphonia(s, bits).to_bits(),
                    "{bits} bits, {s}"
                );
            }
        }
    }

    /// Everything a decoder gives for `bytes`: the samples, one `Vec` per channel, as bits,
    /// and what it learned.
    type Decoded = (Vec<Vec<u32>>, SourceInfo, Option<usize>);

    /// Decodes `bytes` through [`Decoder`], with rusty_flac (as opened) or with symphonia's
    /// FLAC decoder swapped in. `None` when the stream is not one rusty_flac takes.
    fn decode(bytes: &[u8], hint: Option<&str>, symphonia: bool) -> Option<Decoded> {
        let source = Box::new(std::io::Cursor::new(bytes.to_vec()));
        let mut d = Decoder::open(source, hint, &Limits::default()).unwrap();
        let Stream::Packets {
            format,
            decoder,
            track_id,
        } = &mut d.stream
        else {
            return None;
        };
        if !matches!(decoder, Codec::Flac(_)) {
            return None;
        }
        if symphonia {
            let track = format.tracks().iter().find(|t| t.id == *track_id).unwrap();
            let params = track.codec_params.as_ref().unwrap().audio().unwrap();
            let made = symphonia::default::get_codecs()
                .make_audio_decoder(params, &Default::default())
                .unwrap();
            *decoder = Codec::Symphonia(made);
        }
        let mut planes: Vec<Vec<u32>> = Vec::new();
        while d.next_block().unwrap() {
            planes.resize(d.planes().len(), Vec::new());
            for (acc, p) in planes.iter_mut().zip(d.planes()) {
                acc.extend(p.iter().map(|s| s.to_bits()));
            }
        }
        let layout = d.layout().map(|l| l.count());
        Some((planes, d.into_info(), layout))
    }

    /// Decodes `bytes` both ways and requires the same bits, length, layout and report.
    /// Returns the rusty_flac side, or `None` when the stream does not go to rusty_flac.
    fn agree(name: &str, bytes: &[u8], hint: Option<&str>) -> Option<Decoded> {
        let ours = decode(bytes, hint, false)?;
        let theirs = decode(bytes, hint, true).unwrap();
        assert_eq!(ours.0.len(), theirs.0.len(), "{name}: channels");
        for (ch, (a, b)) in ours.0.iter().zip(&theirs.0).enumerate() {
            assert_eq!(a.len(), b.len(), "{name}: channel {ch}: length");
            if let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) {
                panic!(
                    "{name}: channel {ch}, frame {i}: {} here, {} from symphonia",
                    f32::from_bits(a[i]),
                    f32::from_bits(b[i])
                );
            }
        }
        assert_eq!(ours.2, theirs.2, "{name}: layout");
        assert_eq!(
            format!("{:?}", ours.1),
            format!("{:?}", theirs.1),
            "{name}: what the decoders report"
        );
        Some(ours)
    }

    fn files(dir: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn every_flac_fixture_decodes_bit_identically_to_symphonia() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = files(&root.join("tests/fixtures"));
        paths.push(root.join("tests/fixtures/bad/truncated.flac"));
        paths.push(root.join("assets/melodies/morning_melody.flac"));
        let mut taken = Vec::new();
        let mut kinds = std::collections::BTreeSet::new();
        for path in paths {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let ext = path.extension().map(|e| e.to_string_lossy().into_owned());
            let bytes = std::fs::read(&path).unwrap();
            if Decoder::open(
                Box::new(std::io::Cursor::new(bytes.clone())),
                ext.as_deref(),
                &Limits::default(),
            )
            .is_err()
            {
                continue;
            }
            if let Some((planes, info, _)) = agree(&name, &bytes, ext.as_deref()) {
                assert!(planes[0].len() > 1000, "{name}: {} frames", planes[0].len());
                kinds.insert((info.bits_per_sample, info.channels));
                taken.push(name);
            }
        }
        for name in [
            "sine1k_44k1_flac16_mono.flac",
            "sine1k_48k_flac24_stereo.flac",
            "sine1k_8k_flac8_mono.flac",
            "tones_48k_flac16_5p1.flac",
            "tones_44k1_flac16_stereo_lpc32.flac",
            "tones_48k_flac24_stereo_ogg.oga",
            "tones_48k_flac24_stereo_mkv.mka",
            "tones_48k_flac24_stereo_mp4.mp4",
            "truncated.flac",
            "morning_melody.flac",
        ] {
            assert!(
                taken.iter().any(|t| t == name),
                "{name} not decoded: {taken:?}"
            );
        }
        for kind in [(Some(8), 1), (Some(16), 1), (Some(16), 2), (Some(16), 6)] {
            assert!(kinds.contains(&kind), "{kind:?} missing: {kinds:?}");
        }
        assert!(kinds.contains(&(Some(24), 2)) && kinds.contains(&(Some(24), 1)));
    }

    /// Pseudo-random integers for test signals.
    struct Lcg(u32);

    impl Lcg {
        fn next(&mut self) -> i32 {
            self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            self.0 as i32
        }
    }

    /// A FLAC stream made by rusty_flac's encoder: `channels` channels of `bits` bits, each a
    /// chirp plus noise, the channels correlated (so the encoder picks every stereo mode), with
    /// runs of full-scale samples and of silence.
    fn encoded(bits: u32, channels: usize, frames: usize) -> Vec<u8> {
        let max = (1i32 << (bits - 1)) - 1;
        let mut noise = Lcg(bits * 31 + channels as u32);
        let base: Vec<f64> = (0..frames)
            .map(|n| {
                let t = n as f64 / 44_100.0;
                (2.0 * std::f64::consts::PI * (200.0 + 3_000.0 * t) * t).sin()
            })
            .collect();
        let planes: Vec<Vec<i32>> = (0..channels)
            .map(|c| {
                (0..frames)
                    .map(|n| match (n / 3_000) % 5 {
                        // Full scale, both ways.
                        3 => {
                            if (n / 20) % 2 == 0 {
                                max
                            } else {
                                -max - 1
                            }
                        }
                        4 if c == 0 => 0,
                        _ => {
                            let x = 0.6 * base[n] + 0.05 * c as f64 * base[(n * 3) % frames];
                            let v = (x * f64::from(max)) as i32 + (noise.next() >> (32 - bits / 2));
                            v.clamp(-max - 1, max)
                        }
                    })
                    .collect()
            })
            .collect();
        let refs: Vec<&[i32]> = planes.iter().map(Vec::as_slice).collect();
        let mut enc = rusty_flac::Encoder::new(44_100, channels as u32, bits).unwrap();
        enc.push_planar(&refs).unwrap();
        enc.finish()
    }

    #[test]
    fn generated_streams_decode_bit_identically_to_symphonia() {
        for (bits, channels) in [(8, 1), (8, 2), (16, 2), (16, 3), (24, 2), (24, 6), (16, 8)] {
            let bytes = encoded(bits, channels, 30_000);
            let name = format!("{bits}-bit, {channels} ch");
            let (planes, info, _) = agree(&name, &bytes, Some("flac")).expect(&name);
            assert_eq!(planes.len(), channels, "{name}");
            assert_eq!(planes[0].len(), 30_000, "{name}");
            assert_eq!(info.packet_errors, 0, "{name}");
            // Full scale comes out as −1.0 exactly.
            assert!(planes[0].contains(&(-1.0f32).to_bits()), "{name}");
        }
    }

    /// CRC-8 (polynomial 0x07) and CRC-16 (0x8005) of FLAC frames, MSB first, from 0.
    fn crc(data: &[u8], width: u32, poly: u32) -> u32 {
        let top = 1u32 << (width - 1);
        let mask = (top << 1) - 1;
        let mut c = 0u32;
        for &b in data {
            c ^= u32::from(b) << (width - 8);
            for _ in 0..8 {
                c = if c & top != 0 {
                    (c << 1) ^ poly
                } else {
                    c << 1
                } & mask;
            }
        }
        c
    }

    /// The length of the frame header at the start of `f`, up to its CRC-8 byte.
    fn header_len(f: &[u8]) -> Option<usize> {
        let lead = *f.get(4)?;
        let mut at = 5 + (lead.leading_ones() as usize).saturating_sub(1);
        at += match f[2] >> 4 {
            6 => 1,
            7 => 2,
            _ => 0,
        };
        at += match f[2] & 0xF {
            12 => 1,
            13 | 14 => 2,
            _ => 0,
        };
        (at < f.len()).then_some(at)
    }

    /// Frames with their bits flipped and their CRCs made right again, as a hostile file
    /// could hold them (the demuxer passes them on): every one decodes or fails as a frame,
    /// never a panic.
    #[test]
    fn damaged_frames_with_valid_crcs_fail_cleanly() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut streams: Vec<Vec<u8>> = [
            "sine1k_44k1_flac16_mono.flac",
            "sine1k_48k_flac24_stereo.flac",
            "tones_44k1_flac16_stereo_lpc32.flac",
            "tones_48k_flac16_5p1.flac",
            "sine1k_8k_flac8_mono.flac",
        ]
        .iter()
        .map(|n| std::fs::read(root.join("tests/fixtures").join(n)).unwrap())
        .collect();
        streams.push(encoded(16, 2, 10_000));
        let mut rng = Lcg(7);
        let (mut tried, mut decoded) = (0, 0);
        for bytes in &streams {
            let mss = symphonia::core::io::MediaSourceStream::new(
                Box::new(std::io::Cursor::new(bytes.clone())),
                Default::default(),
            );
            let mut format = symphonia::default::get_probe()
                .probe(
                    &Default::default(),
                    mss,
                    Default::default(),
                    Default::default(),
                )
                .unwrap();
            let params = format.tracks()[0]
                .codec_params
                .as_ref()
                .unwrap()
                .audio()
                .unwrap()
                .clone();
            let made = symphonia::default::get_codecs()
                .make_audio_decoder(&params, &Default::default())
                .unwrap();
            let mut flac = Flac::new(made.codec_params()).unwrap();
            let mut planes = Vec::new();
            while let Ok(Some(packet)) = format.next_packet() {
                let frame = packet.data.to_vec();
                for round in 0..300 {
                    let mut f = frame.clone();
                    let flips = 1 + (rng.next() as u32 % 4) as usize;
                    for _ in 0..flips {
                        // Mostly the subframes; sometimes the header.
                        let at = if round % 8 == 0 {
                            2 + rng.next() as u32 as usize % 8
                        } else {
                            2 + rng.next() as u32 as usize % (f.len() - 4)
                        };
                        let at = at.min(f.len() - 3);
                        f[at] ^= 1 << (rng.next() as u32 % 8);
                    }
                    if let Some(h) = header_len(&f) {
                        f[h] = crc(&f[..h], 8, 0x07) as u8;
                    }
                    let n = f.len();
                    let c = crc(&f[..n - 2], 16, 0x8005) as u16;
                    f[n - 2..].copy_from_slice(&c.to_be_bytes());
                    tried += 1;
                    if flac.decode(&f, &mut planes).is_ok() {
                        decoded += 1;
                        assert!(planes.iter().all(|p| p.len() == planes[0].len()));
                    }
                }
                // And cut short.
                for cut in [0, 1, 3, 5, frame.len() / 2, frame.len() - 1] {
                    let _ = flac.decode(&frame[..cut], &mut planes);
                }
            }
        }
        assert!(tried > 5_000 && decoded > 0, "{decoded} of {tried}");
    }
}
