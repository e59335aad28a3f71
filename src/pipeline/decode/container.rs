//! Length information that lives in the container and that the decoders do not apply: the WAV
//! `fact` chunk (true length of block-coded ADPCM, whose last block is padded) and the MP4 edit
//! list (AAC encoder priming to skip and the true length to keep).
//!
//! Both are read by a small, bounded scan of the container's structure before decoding starts;
//! anything unexpected simply yields no trim.

use std::io::{Read, Seek, SeekFrom};

/// Frames to drop at the start and the most frames to keep after that, in source frames.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Trim {
    /// Leading frames to drop (encoder priming).
    pub skip: u64,
    /// Frames to keep after the skip, when the container states it.
    pub keep: Option<u64>,
}

/// What the scan found, before the codec is known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Found {
    /// Nothing to apply.
    #[default]
    Nothing,
    /// A WAV `fact` chunk's frame count (meaningful for compressed codecs only).
    WavFact(u64),
    /// An MP4 edit list, in the audio track's sample-rate units once converted by
    /// [`Found::trim`]: `(media_time, media_timescale, segment_duration, movie_timescale)`.
    Mp4Edit {
        /// Start of the kept part, in media timescale units.
        media_time: u64,
        /// Units per second of `media_time`.
        media_timescale: u32,
        /// Length of the kept part, in movie timescale units.
        segment_duration: u64,
        /// Units per second of `segment_duration`.
        movie_timescale: u32,
    },
}

impl Found {
    /// The trim to apply for a stream decoded at `rate` Hz with codec `codec` (short name).
    pub fn trim(self, rate: u32, codec: &str) -> Trim {
        match self {
            Found::Nothing => Trim::default(),
            Found::WavFact(frames) if !codec.starts_with("pcm") => Trim {
                skip: 0,
                keep: Some(frames),
            },
            Found::WavFact(_) => Trim::default(),
            Found::Mp4Edit {
                media_time,
                media_timescale,
                segment_duration,
                movie_timescale,
            } => {
                let r = u128::from(rate);
                let skip = u128::from(media_time) * r / u128::from(media_timescale.max(1));
                let keep = u128::from(segment_duration) * r / u128::from(movie_timescale.max(1));
                Trim {
                    skip: skip.min(u128::from(u32::MAX)) as u64,
                    keep: (keep > 0).then(|| keep.min(u128::from(u64::MAX)) as u64),
                }
            }
        }
    }
}

/// Most boxes or chunks looked at before giving up: a hostile file cannot make the scan slow.
const MAX_ITEMS: usize = 4096;

/// Scans `r` from its start and seeks back to the start afterwards.
pub fn scan<R: Read + Seek + ?Sized>(r: &mut R) -> Found {
    let found = scan_inner(r).unwrap_or_default();
    let _ = r.seek(SeekFrom::Start(0));
    found
}

fn scan_inner<R: Read + Seek + ?Sized>(r: &mut R) -> Option<Found> {
    let mut head = [0u8; 12];
    r.read_exact(&mut head).ok()?;
    let end = r.seek(SeekFrom::End(0)).ok()?;
    if &head[0..4] == b"RIFF" && &head[8..12] == b"WAVE" {
        wav_fact(r, end)
    } else if &head[4..8] == b"ftyp" {
        mp4_edit(r, end)
    } else {
        None
    }
}

fn wav_fact<R: Read + Seek + ?Sized>(r: &mut R, end: u64) -> Option<Found> {
    riff_chunk(r, end, b"fact", 4)?;
    let mut n = [0u8; 4];
    r.read_exact(&mut n).ok()?;
    Some(Found::WavFact(u64::from(u32::from_le_bytes(n))))
}

/// What a WAV file's `fmt ` chunk declares, read before any decoder sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WavFormat {
    /// Channels per frame.
    pub channels: u16,
    /// Frames per second.
    pub sample_rate: u32,
}

/// Reads the `fmt ` chunk of a RIFF/WAVE file from the start of `r` (and seeks back to the
/// start). `None` for anything else, or a file without a readable `fmt ` before `data`.
///
/// The decoders do arithmetic on these fields before checking them (symphonia's WAV reader
/// multiplies the channel count in 16 bits), so they are checked against the limits first.
pub fn wav_format<R: Read + Seek + ?Sized>(r: &mut R) -> Option<WavFormat> {
    let found = wav_format_inner(r);
    let _ = r.seek(SeekFrom::Start(0));
    found
}

fn wav_format_inner<R: Read + Seek + ?Sized>(r: &mut R) -> Option<WavFormat> {
    r.seek(SeekFrom::Start(0)).ok()?;
    let mut head = [0u8; 12];
    r.read_exact(&mut head).ok()?;
    if &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return None;
    }
    let end = r.seek(SeekFrom::End(0)).ok()?;
    riff_chunk(r, end, b"fmt ", 8)?;
    let mut fmt = [0u8; 8];
    r.read_exact(&mut fmt).ok()?;
    Some(WavFormat {
        channels: u16::from_le_bytes([fmt[2], fmt[3]]),
        sample_rate: u32::from_le_bytes(fmt[4..8].try_into().ok()?),
    })
}

/// The first chunk `kind` of a RIFF/WAVE file (of `end` bytes) whose payload is declared at least
/// `min_len` bytes long, looked for before the `data` chunk; `r` is left at its payload.
fn riff_chunk<R: Read + Seek + ?Sized>(
    r: &mut R,
    end: u64,
    kind: &[u8; 4],
    min_len: u64,
) -> Option<Item> {
    let mut walk = Walk::new(Layout::Riff, 12, end);
    while let Some(chunk) = walk.next(r)? {
        if &chunk.kind == kind && chunk.end - chunk.start >= min_len {
            return Some(chunk);
        }
        if &chunk.kind == b"data" {
            return None;
        }
    }
    None
}

/// How the header in front of each chunk or box is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// RIFF chunk: the id, then the payload length as a little-endian `u32`; an odd-length payload
    /// is followed by a pad byte. The length is not checked against the file: a reader stops at
    /// what it needs.
    Riff,
    /// ISO BMFF (MP4) box: the size as a big-endian `u32`, header included (0: up to the end of the
    /// range; 1: a big-endian `u64` size follows the type), then the type. A box must lie within
    /// the range walked.
    Mp4,
}

/// One chunk or box: its four-character code and the byte range of its payload (as declared: a
/// RIFF chunk's may run past the end of the file).
struct Item {
    kind: [u8; 4],
    start: u64,
    end: u64,
}

/// A walk over chunks or boxes laid end to end from one offset to `end`, reading only their
/// headers, and at most [`MAX_ITEMS`] of them. Not an `Iterator`: between steps the caller may
/// read a payload through the same reader.
struct Walk {
    layout: Layout,
    pos: u64,
    end: u64,
    left: usize,
}

impl Walk {
    fn new(layout: Layout, start: u64, end: u64) -> Walk {
        Walk {
            layout,
            pos: start,
            end,
            left: MAX_ITEMS,
        }
    }

    /// The next item, with `r` left at the start of its payload. `Some(None)` when no header
    /// fits before `end` or [`MAX_ITEMS`] were read; `None` when reading fails or (MP4) a box
    /// does not fit.
    fn next<R: Read + Seek + ?Sized>(&mut self, r: &mut R) -> Option<Option<Item>> {
        let pos = self.pos;
        if self.left == 0 || self.end.saturating_sub(pos) < 8 {
            return Some(None);
        }
        self.left -= 1;
        r.seek(SeekFrom::Start(pos)).ok()?;
        let mut hdr = [0u8; 8];
        r.read_exact(&mut hdr).ok()?;
        let item = match self.layout {
            Layout::Riff => {
                let kind: [u8; 4] = hdr[0..4].try_into().ok()?;
                let len = u64::from(u32::from_le_bytes(hdr[4..8].try_into().ok()?));
                let start = pos.checked_add(8)?;
                let end = start.checked_add(len)?;
                self.pos = end.checked_add(len & 1)?;
                Item { kind, start, end }
            }
            Layout::Mp4 => {
                let size32 = u32::from_be_bytes(hdr[0..4].try_into().ok()?);
                let kind: [u8; 4] = hdr[4..8].try_into().ok()?;
                let (start, size) = match size32 {
                    0 => (pos + 8, self.end - pos),
                    1 => {
                        let mut big = [0u8; 8];
                        r.read_exact(&mut big).ok()?;
                        (pos + 16, u64::from_be_bytes(big))
                    }
                    n => (pos + 8, u64::from(n)),
                };
                let end = pos.checked_add(size)?;
                if size < start - pos || end > self.end {
                    return None;
                }
                self.pos = end;
                Item { kind, start, end }
            }
        };
        Some(Some(item))
    }
}

/// The boxes between `start` and `end`; `None` if one does not fit.
fn boxes<R: Read + Seek + ?Sized>(r: &mut R, start: u64, end: u64) -> Option<Vec<Item>> {
    let mut walk = Walk::new(Layout::Mp4, start, end);
    let mut out = Vec::new();
    while let Some(b) = walk.next(r)? {
        out.push(b);
    }
    Some(out)
}

fn child<'a>(list: &'a [Item], kind: &[u8; 4]) -> Option<&'a Item> {
    list.iter().find(|b| &b.kind == kind)
}

fn read_at<R: Read + Seek + ?Sized>(r: &mut R, b: &Item, len: usize) -> Option<Vec<u8>> {
    if b.end - b.start < len as u64 {
        return None;
    }
    r.seek(SeekFrom::Start(b.start)).ok()?;
    let mut v = vec![0u8; len];
    r.read_exact(&mut v).ok()?;
    Some(v)
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Timescale of an `mvhd` or `mdhd` box (same layout up to the timescale).
fn timescale<R: Read + Seek + ?Sized>(r: &mut R, b: &Item) -> Option<u32> {
    let v = read_at(r, b, 24)?;
    if v[0] == 1 {
        be_u32(&v, 20)
    } else {
        be_u32(&v, 12)
    }
}

fn mp4_edit<R: Read + Seek + ?Sized>(r: &mut R, end: u64) -> Option<Found> {
    let top = boxes(r, 0, end)?;
    let moov = child(&top, b"moov")?;
    let moov_children = boxes(r, moov.start, moov.end)?;
    let movie_timescale = timescale(r, child(&moov_children, b"mvhd")?)?;
    for trak in moov_children.iter().filter(|b| &b.kind == b"trak") {
        let trak_children = boxes(r, trak.start, trak.end)?;
        let Some(mdia) = child(&trak_children, b"mdia") else {
            continue;
        };
        let mdia_children = boxes(r, mdia.start, mdia.end)?;
        let hdlr = read_at(r, child(&mdia_children, b"hdlr")?, 12)?;
        if &hdlr[8..12] != b"soun" {
            continue;
        }
        let media_timescale = timescale(r, child(&mdia_children, b"mdhd")?)?;
        let edts = child(&trak_children, b"edts")?;
        let edts_children = boxes(r, edts.start, edts.end)?;
        let elst = child(&edts_children, b"elst")?;
        let head = read_at(r, elst, 8)?;
        let version = head[0];
        let count = be_u32(&head, 4)? as usize;
        let entry_len = if version == 1 { 20 } else { 12 };
        let all = read_at(r, elst, 8 + entry_len * count.min(16))?;
        // Empty edits (media_time = -1) only delay the start; the first real edit says what plays.
        for i in 0..count.min(16) {
            let e = 8 + i * entry_len;
            let (duration, media_time) = if version == 1 {
                (be_u64(&all, e)?, be_u64(&all, e + 8)? as i64)
            } else {
                (
                    u64::from(be_u32(&all, e)?),
                    i64::from(be_u32(&all, e + 4)? as i32),
                )
            };
            if media_time >= 0 {
                return Some(Found::Mp4Edit {
                    media_time: media_time as u64,
                    media_timescale,
                    segment_duration: duration,
                    movie_timescale,
                });
            }
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn garbage_and_truncation_yield_nothing() {
        for bytes in [
            &b""[..],
            b"RIFF",
            b"RIFF\0\0\0\0WAVEfact\xff\xff",
            b"\0\0\0\x08ftyp\0\0\0\x01moov",
        ] {
            assert_eq!(scan(&mut Cursor::new(bytes)), Found::Nothing);
        }
    }

    #[test]
    fn wav_format_reads_channels_and_rate_and_rewinds() {
        let wav = crate::signal::wav_i16(22_050, 2, &[0.0; 8]);
        let mut c = Cursor::new(&wav);
        let f = wav_format(&mut c).unwrap();
        assert_eq!((f.channels, f.sample_rate), (2, 22_050));
        assert_eq!(c.position(), 0);
        for bad in [
            &b""[..],
            b"RIFF\0\0\0\0WAVE",
            b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0",
        ] {
            assert_eq!(wav_format(&mut Cursor::new(bad)), None);
        }
    }

    /// A RIFF/WAVE header followed by `chunks`.
    fn riff(chunks: &[u8]) -> Vec<u8> {
        let mut v = b"RIFF\0\0\0\0WAVE".to_vec();
        v.extend_from_slice(chunks);
        v
    }

    #[test]
    fn wav_walk_skips_pad_bytes_stops_at_data_and_gives_up_after_max_items() {
        let fact = b"fact\x04\0\0\0\x11\x2b\0\0";
        let odd = riff(&[&b"xtra\x03\0\0\0abc\0"[..], fact].concat());
        assert_eq!(scan(&mut Cursor::new(odd)), Found::WavFact(11_025));
        let short_fact = riff(&[&b"fact\x02\0\0\0ab"[..], fact].concat());
        assert_eq!(scan(&mut Cursor::new(short_fact)), Found::WavFact(11_025));
        let after_data = riff(&[&b"data\0\0\0\0"[..], fact].concat());
        assert_eq!(scan(&mut Cursor::new(after_data)), Found::Nothing);
        for (junk, found) in [
            (MAX_ITEMS - 1, Found::WavFact(11_025)),
            (MAX_ITEMS, Found::Nothing),
        ] {
            let mut chunks = b"junk\0\0\0\0".repeat(junk);
            chunks.extend_from_slice(fact);
            assert_eq!(
                scan(&mut Cursor::new(riff(&chunks))),
                found,
                "{junk} chunks"
            );
        }
    }

    #[test]
    fn mp4_walk_reads_all_three_size_forms_and_refuses_boxes_that_do_not_fit() {
        let mut v = b"\0\0\0\x0cfree1234".to_vec(); // 32-bit size
        v.extend_from_slice(b"\0\0\0\x01wide\0\0\0\0\0\0\0\x12ab"); // 64-bit size
        v.extend_from_slice(b"\0\0\0\0mdatxyz"); // up to the end
        let end = v.len() as u64;
        let list = boxes(&mut Cursor::new(&v), 0, end).unwrap();
        let got: Vec<_> = list.iter().map(|b| (&b.kind, b.start, b.end)).collect();
        assert_eq!(
            got,
            [(b"free", 8, 12), (b"wide", 28, 30), (b"mdat", 38, 41)]
        );
        for bad in [
            &b"\0\0\0\x04free"[..],              // smaller than its header
            b"\0\0\0\x10free1234",               // past the end
            b"\0\0\0\x01wide\0\0\0\0\0\0\0\x08", // 64-bit size smaller than its header
            b"\0\0\0\x08free\0\0\0\x01wide\xff\xff\xff\xff\xff\xff\xff\xff", // overflows
        ] {
            assert!(boxes(&mut Cursor::new(bad), 0, bad.len() as u64).is_none());
        }
        // Fewer than 8 bytes left: the walk ends there.
        let tail = b"\0\0\0\x08free\0\0\0";
        assert_eq!(boxes(&mut Cursor::new(tail), 0, 11).unwrap().len(), 1);
    }

    #[test]
    fn fact_applies_to_adpcm_only() {
        let f = Found::WavFact(11_025);
        assert_eq!(f.trim(22_050, "adpcm_ima_wav").keep, Some(11_025));
        assert_eq!(f.trim(22_050, "pcm_s16le"), Trim::default());
    }

    #[test]
    fn edit_list_converts_timescales() {
        let f = Found::Mp4Edit {
            media_time: 1024,
            media_timescale: 44_100,
            segment_duration: 1000,
            movie_timescale: 1000,
        };
        assert_eq!(
            f.trim(44_100, "aac"),
            Trim {
                skip: 1024,
                keep: Some(44_100)
            }
        );
    }
}
