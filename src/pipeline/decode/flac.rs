//! FLAC frames decoded with rusty_flac instead of symphonia's FLAC decoder.
//!
//! FLAC was the costliest format of a batch to decode, and symphonia's decoder (Rice residuals
//! read one bit-reader call at a time, the LPC loop) most of a FLAC tone's time. rusty_flac —
//! pure Rust, no dependencies, Apache-2.0 — decodes the same frames faster (the measurements are
//! in docs/PERFORMANCE.md). Its `unsafe` code is in SIMD kernels chosen at run time (CRC-16 by
//! carry-less multiplication, Rice decoding with BMI2, the LPC restore with AVX2): integer
//! arithmetic, so every kernel gives the same samples, and each is tested in the crate against
//! the safe code it stands in for.
//!
//! symphonia still recognises the file and reads the metadata. In Ogg, Matroska and MP4 its
//! demuxer also finds the frames and hands over one per packet. In a native FLAC file, where
//! its demuxer would find each frame's end by checking the CRC of every candidate (which
//! rusty_flac checks again), the frames are read here instead ([`Native`]), each where the last
//! one ended. symphonia's FLAC decoder is still made first, as before (so a stream it refuses,
//! one without a STREAMINFO block for instance, fails the same way), and the parameters it reads
//! from STREAMINFO are the ones used here; a FLAC stream whose parameters do not agree with its
//! STREAMINFO is left to it.
//!
//! The blocks are those symphonia's decoder gives: its sample rate and channel layout (from the
//! same STREAMINFO), and the same `f32` values bit for bit. symphonia widens each `b`-bit sample
//! to 32 bits (`s << (32 − b)`, with `b` from the frame header or else STREAMINFO) and divides
//! by 2^31 in `f64`; [`Flac::decode`] shifts the same way and converts with dasp_sample's `i32`
//! to `f32` (rounded once, then an exact power-of-two scaling: the same bits). The tests below
//! decode every FLAC fixture (8-, 16- and 24-bit; mono, stereo, 5.1; LPC orders up to 31;
//! native, Ogg, Matroska, MP4) and streams of up to eight channels made by rusty_flac's encoder
//! both ways, and require the same bits, lengths and reports.
//!
//! A frame that does not decode is a packet error (symphonia's demuxer, in a native file,
//! dropped one whose CRC failed without counting it): CRC mismatches, reserved codes, a frame
//! longer than STREAMINFO's largest block, a channel count that differs from the stream's. So is
//! a 32-bit stereo frame coded as left/side, right/side or mid/side: its side channel needs 33
//! bits, which neither decoder reads (symphonia's reader takes at most 32 bits at a time).

use dasp_sample::Sample;
use std::io::{Read, Seek, SeekFrom};
use symphonia::core::audio::Channels;
use symphonia::core::codecs::audio::well_known::CODEC_ID_FLAC;
use symphonia::core::codecs::audio::AudioCodecParameters;
use symphonia::core::io::{MediaSource, MediaSourceStream, ReadBytes};

/// Why a frame did not decode.
pub(super) enum FrameError {
    /// The frame stops before its contents do (symphonia reports this as an unexpected end of
    /// data).
    Truncated,
    /// The header does not parse: a sync code that starts no frame, or a damaged header.
    Header(String),
    /// Anything else wrong with the frame.
    Corrupt(String),
    /// The file could not be read.
    Read(String),
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
        let start = find_sync(packet).ok_or(FrameError::Truncated)?;
        let (block, _) = self.decode_frame(&packet[start..], planes)?;
        Ok(block)
    }

    /// Decodes the frame that starts at `frame[0]` (its sync code) into `planes`, like
    /// [`Flac::decode`]. Returns its frames per channel and the bytes it takes.
    fn decode_frame(
        &mut self,
        frame: &[u8],
        planes: &mut Vec<Vec<f32>>,
    ) -> Result<(usize, usize), FrameError> {
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
            _ => {
                return Err(FrameError::Header(
                    "flac: bits per sample set to reserved value".into(),
                ))
            }
        };
        if bits >= 32 && (8..=10).contains(&(fields >> 4)) {
            return Err(corrupt(
                "flac: a 32-bit stereo frame needs a 33-bit side channel (not supported)",
            ));
        }
        self.ints.iter_mut().for_each(Vec::clear);
        let (block, used) =
            self.frames
                .decode_frame(frame, &mut self.ints)
                .map_err(|e| match e {
                    rusty_flac::DecodeError::Truncated => FrameError::Truncated,
                    rusty_flac::DecodeError::BadFrameHeader(_) => FrameError::Header(e.to_string()),
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
        Ok((block, used))
    }
}

/// Where the first frame sync code (14 set bits, then a zero) in `bytes` starts.
fn find_sync(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(2)
        .position(|w| w[0] == 0xFF && w[1] & 0xFC == 0xF8)
}

/// Where the metadata blocks of a file that starts with the FLAC marker end, if it does.
fn metadata_end(source: &mut MediaSourceStream<'_>) -> Option<u64> {
    source.seek(SeekFrom::Start(0)).ok()?;
    let mut header = [0u8; 4];
    source.read_exact(&mut header).ok()?;
    if &header != b"fLaC" {
        return None;
    }
    loop {
        source.read_exact(&mut header).ok()?;
        let len = u32::from_be_bytes([0, header[1], header[2], header[3]]);
        let end = source.seek(SeekFrom::Current(i64::from(len))).ok()?;
        if header[0] & 0x80 != 0 {
            return Some(end);
        }
    }
}

/// Bytes read from the file at a time.
const READ_CHUNK: usize = 256 * 1024;
/// Bytes held ahead of a frame's start before it is decoded: more than any frame of the usual
/// block sizes, so that a frame is decoded once.
const LOOK_AHEAD: usize = 64 * 1024;
/// The longest frame looked for. The longest a valid frame can be — 65,535 samples of eight
/// 32-bit channels stored verbatim — is about 2 MiB; a frame still unfinished after this many
/// bytes is not one.
const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

/// A native FLAC file's frames, found and read here rather than by symphonia's demuxer.
///
/// symphonia's demuxer finds where each frame ends by checking the CRC-16 of every candidate,
/// and rusty_flac checks the same CRC again while decoding it; that search was about 7 % of a
/// FLAC tone's CPU time. Here a frame is decoded where it starts, and rusty_flac says where it
/// ends. symphonia still reads the metadata and leaves the stream at the first frame (its reader
/// synchronises there); everything from there on is read here.
///
/// A frame that does not decode (a CRC mismatch, a reserved code, one that disagrees with
/// STREAMINFO), or bytes where a frame was due, are reported once and skipped: the next sync
/// code after its start is looked for, and candidates there whose header does not parse (sync
/// codes that are not frames) are passed over silently until a frame decodes again. Bytes after
/// the last frame with no sync code in them (a tag some programs append) end the stream quietly.
/// A frame cut short by the end of the file ends the stream, as a truncated one.
pub(super) struct Native<'s> {
    source: MediaSourceStream<'s>,
    flac: Flac,
    /// Bytes read and not yet consumed start at `pos`.
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Looking for the next frame after a bad one.
    resyncing: bool,
}

impl<'s> Native<'s> {
    /// Frames from `source`, which symphonia's FLAC reader left at the first frame it found.
    /// That reader passes over anything that does not look like a frame, a first frame with a
    /// damaged header included; so, when the file starts with the FLAC marker, reading starts
    /// where its metadata ends instead, and such a frame is counted like any other.
    pub fn new(mut source: MediaSourceStream<'s>, flac: Flac) -> Native<'s> {
        if source.is_seekable() {
            let found = source.pos();
            let start = metadata_end(&mut source).unwrap_or(found);
            if source.seek(SeekFrom::Start(start)).is_err() {
                // Nothing read is lost: the buffered stream is where it was, or at the start.
                let _ = source.seek(SeekFrom::Start(found));
            }
        }
        Native {
            source,
            flac,
            buf: Vec::new(),
            pos: 0,
            eof: false,
            resyncing: false,
        }
    }

    /// The frames' decoder: their rate and layout.
    pub fn flac(&self) -> &Flac {
        &self.flac
    }

    /// Decodes the next frame into `planes`. Returns its frames per channel, or `None` at the
    /// end of the stream. After an error, the next call goes on after the frame that failed;
    /// [`FrameError::Truncated`] means the stream ended inside a frame.
    pub fn next_into(&mut self, planes: &mut Vec<Vec<f32>>) -> Result<Option<usize>, FrameError> {
        let mut ahead = LOOK_AHEAD;
        loop {
            self.fill(ahead)?;
            let Some(at) = find_sync(&self.buf[self.pos..]) else {
                if self.eof {
                    self.pos = self.buf.len();
                    return Ok(None);
                }
                // Keep the last byte: it may be the first half of a sync code.
                self.pos = self.buf.len().saturating_sub(1).max(self.pos);
                ahead = LOOK_AHEAD;
                continue;
            };
            if at > 0 {
                // Bytes where a frame was due: a frame whose sync code is damaged.
                self.pos += at;
                ahead = LOOK_AHEAD;
                if !self.resyncing {
                    self.resyncing = true;
                    return Err(corrupt("flac: bytes that are not a frame, skipped"));
                }
                continue;
            }
            match self.flac.decode_frame(&self.buf[self.pos..], planes) {
                Ok((frames, used)) => {
                    self.pos += used;
                    self.resyncing = false;
                    return Ok(Some(frames));
                }
                Err(FrameError::Truncated) if self.eof => {
                    self.pos = self.buf.len();
                    return Err(FrameError::Truncated);
                }
                Err(FrameError::Truncated) if ahead < MAX_FRAME_BYTES => ahead *= 2,
                Err(e) => {
                    // Not a frame, or a broken one: look again one byte on.
                    self.pos += 1;
                    ahead = LOOK_AHEAD;
                    let report = !self.resyncing || !matches!(e, FrameError::Header(_));
                    self.resyncing = true;
                    if report {
                        return Err(match e {
                            FrameError::Truncated => {
                                corrupt("flac: a frame longer than any FLAC frame can be")
                            }
                            e => e,
                        });
                    }
                }
            }
        }
    }

    /// Reads until `ahead` bytes from `pos` are held, or the file ends.
    fn fill(&mut self, ahead: usize) -> Result<(), FrameError> {
        while !self.eof && self.buf.len() - self.pos < ahead {
            if self.pos > 0 {
                self.buf.drain(..self.pos);
                self.pos = 0;
            }
            let want = READ_CHUNK.max(ahead - self.buf.len());
            let got = (&mut self.source)
                .take(want as u64)
                .read_to_end(&mut self.buf)
                .map_err(|e| FrameError::Read(format!("reading the file failed: {e}")))?;
            self.eof = got == 0;
        }
        Ok(())
    }
}

fn corrupt(reason: &str) -> FrameError {
    FrameError::Corrupt(reason.to_string())
}

/// `samples` of `bits` bits as symphonia's FLAC decoder hands them on, read as `f32`: shifted
/// to 32 bits (wrapping, as symphonia's shift does), then dasp_sample's `i32` conversion,
/// `s / 2^31` rounded once (symphonia's `(s as f64 / 2^31) as f32`, bit for bit).
fn widen(samples: &[i32], bits: u32, out: &mut Vec<f32>) {
    out.clear();
    let shift = 32u32.saturating_sub(bits);
    out.extend(
        samples
            .iter()
            .map(|&s| s.wrapping_shl(shift).to_sample::<f32>()),
    );
}

#[cfg(test)]
mod tests {
    use super::{widen, Flac};
    use crate::pipeline::decode::{Codec, Decoder, Stream};
    use crate::{Limits, SourceInfo};
    use std::path::{Path, PathBuf};

    /// What the widening computed before it took dasp_sample's conversion: exact in `f32`
    /// when the shift leaves at most 24 significant bits, through `f64` otherwise.
    fn widen_before_dasp(s: i32, bits: u32) -> f32 {
        let shift = 32u32.saturating_sub(bits);
        if shift >= 8 {
            s.wrapping_shl(shift) as f32 * (1.0 / 2_147_483_648.0)
        } else {
            (f64::from(s.wrapping_shl(shift)) / 2_147_483_648.0) as f32
        }
    }

    #[test]
    fn widening_matches_symphonias_conversion_and_the_formulas_before_dasp() {
        let symphonia = |s: i32, bits: u32| {
            let s = if bits < 32 { s << (32 - bits) } else { s };
            (f64::from(s) / 2_147_483_648.0) as f32
        };
        let mut x = 0x1234_5678u32;
        for bits in 4..=32 {
            let max = if bits == 32 {
                i32::MAX
            } else {
                (1i32 << (bits - 1)) - 1
            };
            // Up to 16 bits every value; above, the ends, steps and neighbours of every power
            // of two, 2^16 pseudo-random values and a stride through the range.
            let mut samples: Vec<i32> = if bits <= 16 {
                (-max - 1..=max).collect()
            } else {
                let mut v = vec![0, 1, -1, max, max - 1, -max - 1, -max, max / 3, -(max / 7)];
                for n in 0..bits - 1 {
                    for d in -2..=2 {
                        v.push(((1i32 << n) + d).min(max));
                        v.push((-(1i32 << n) + d).max(-max - 1));
                    }
                }
                for _ in 0..1 << 16 {
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    v.push((x as i32) >> (32 - bits));
                }
                v.extend((-max - 1..=max).step_by((max as usize >> 15) | 1));
                v
            };
            samples.push(0);
            let mut out = Vec::new();
            widen(&samples, bits, &mut out);
            assert_eq!(out.len(), samples.len());
            for (&s, o) in samples.iter().zip(&out) {
                assert_eq!(
                    o.to_bits(),
                    symphonia(s, bits).to_bits(),
                    "{bits} bits, {s}"
                );
                assert_eq!(
                    o.to_bits(),
                    widen_before_dasp(s, bits).to_bits(),
                    "{bits} bits, {s}"
                );
            }
        }
    }

    /// Everything a decoder gives for `bytes`: the samples, one `Vec` per channel, as bits,
    /// and what it learned.
    type Decoded = (Vec<Vec<u32>>, SourceInfo, Option<usize>);

    /// Decodes `bytes` through [`Decoder`]: as opened (native FLAC frames read by [`Native`],
    /// other containers' by symphonia's demuxer, all decoded by rusty_flac), or entirely by
    /// symphonia (its demuxer, and its FLAC decoder swapped in). `None` when the stream is not
    /// one rusty_flac takes.
    fn decode(bytes: &[u8], hint: Option<&str>, symphonia: bool) -> Option<Decoded> {
        let source = Box::new(std::io::Cursor::new(bytes.to_vec()));
        let mut d = Decoder::open_with(source, hint, &Limits::default(), !symphonia).unwrap();
        let (format, decoder, track_id) = match &mut d.stream {
            Stream::Flac(_) => (None, None, 0),
            Stream::Packets {
                format,
                decoder: decoder @ Codec::Flac(_),
                track_id,
            } => (Some(format), Some(decoder), *track_id),
            _ => return None,
        };
        if symphonia {
            let (format, decoder) = (format.unwrap(), decoder.unwrap());
            let track = format.tracks().iter().find(|t| t.id == track_id).unwrap();
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

    /// Native FLAC files cut short anywhere, with junk around their frames, or with bits of
    /// their frames flipped (their CRCs left wrong, as damage leaves them).
    ///
    /// Cut, the output is the file's start, at least what symphonia's demuxer and decoder give,
    /// and the source is called truncated. With junk around the frames, every frame comes out.
    /// Damaged, every frame that decodes is one of the file's own, in order; no more frames are
    /// lost than bits were flipped, never more than symphonia loses; every loss is counted as a
    /// packet error (symphonia's demuxer drops a frame whose CRC fails without a word), and no
    /// more errors are counted than bits were flipped.
    #[test]
    fn damaged_native_files_lose_only_the_damaged_frames() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<(String, Vec<u8>)> = [
            "sine1k_44k1_flac16_mono.flac",
            "sine1k_48k_flac24_stereo.flac",
            "tones_48k_flac16_5p1.flac",
        ]
        .iter()
        .map(|n| {
            let bytes = std::fs::read(root.join("tests/fixtures").join(n)).unwrap();
            (n.to_string(), bytes)
        })
        .collect();
        files.push(("encoded".into(), encoded(16, 2, 30_000)));
        let mut rng = Lcg(11);
        let mut cases = 0;
        for (name, bytes) in &files {
            let (whole, _, _) = decode(bytes, Some("flac"), false).unwrap();
            // The file's frames, as decoded, channel 0: the pieces a damaged file may keep.
            let block = u16::from_be_bytes([bytes[8 + 2], bytes[8 + 3]]) as usize;
            let pieces: Vec<&[u32]> = whole[0].chunks(block).collect();
            // Where the frames start: after the metadata blocks.
            let mut first_frame = 4;
            loop {
                let header = &bytes[first_frame..first_frame + 4];
                let len = u32::from_be_bytes([0, header[1], header[2], header[3]]) as usize;
                first_frame += 4 + len;
                if header[0] & 0x80 != 0 {
                    break;
                }
            }
            let span = bytes.len() - first_frame;
            for i in 0..24 {
                let cut = first_frame + i * span / 24 + rng.next() as u32 as usize % 97;
                let (ours, info, _) = decode(&bytes[..cut], Some("flac"), false).unwrap();
                let (theirs, _, _) = decode(&bytes[..cut], Some("flac"), true).unwrap();
                // The file's start, and at least what symphonia gives: its demuxer knows where
                // a frame ends only once it has found the next one, so it drops a whole last
                // frame when the next is cut.
                let (kept, got) = (
                    ours.first().map_or(0, Vec::len),
                    theirs.first().map_or(0, Vec::len),
                );
                assert!(
                    kept >= got,
                    "{name}, cut at {cut}: {kept} frames, symphonia {got}"
                );
                assert!(
                    ours.iter().zip(&whole).all(|(a, w)| w.starts_with(a)),
                    "{name}, cut at {cut}: not the file's start"
                );
                // (symphonia's demuxer does not always say so: a frame cut short where
                // nothing else was decoded yet ends its stream without an error.)
                assert!(info.truncated, "{name}, cut at {cut}: not called truncated");
                cases += 1;
            }
            // Junk before the first frame and after the last (where symphonia's demuxer, looking
            // for the end of the last frame, takes the junk's sync code for the next frame and
            // loses the last one): all the file's frames.
            let mut before = bytes.clone();
            before.splice(
                first_frame..first_frame,
                [0xFF, 0xF8, 0x00, 0x12, 0xFF, 0xF9, 7, 7],
            );
            let mut after = bytes.clone();
            after.extend_from_slice(b"TAG\xFF\xF8 not a frame at all");
            for b in [before, after] {
                let (ours, info, _) = decode(&b, Some("flac"), false).unwrap();
                assert!(ours == whole, "{name}: junk changed the samples");
                assert!(!info.truncated);
                cases += 1;
            }
            for i in 0..40 {
                let mut b = bytes.clone();
                let flips = 1 + i % 3;
                for _ in 0..flips {
                    let at = first_frame + rng.next() as u32 as usize % span;
                    b[at] ^= 1 << (rng.next() as u32 % 8);
                }
                let (ours, info, _) = decode(&b, Some("flac"), false).unwrap();
                let (theirs, _, _) = decode(&b, Some("flac"), true).unwrap();
                let kept = ours.first().map_or(&[][..], Vec::as_slice);
                // Match the decoded frames against the file's, in order.
                let (mut at, mut lost) = (0, 0);
                for piece in &pieces {
                    if kept[at..].starts_with(piece) {
                        at += piece.len();
                    } else {
                        lost += 1;
                    }
                }
                assert_eq!(at, kept.len(), "{name}, flips {i}: a frame not in the file");
                assert!(lost <= flips, "{name}, flips {i}: {lost} frames lost");
                assert!(kept.len() >= theirs.first().map_or(0, Vec::len));
                assert!(
                    lost == 0 || info.packet_errors > 0,
                    "{name}, flips {i}: {lost} frames lost, no error counted"
                );
                cases += 1;
            }
        }
        assert!(cases >= 200);
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
