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
    let mut pos = 12u64;
    for _ in 0..MAX_ITEMS {
        if pos + 8 > end {
            return None;
        }
        r.seek(SeekFrom::Start(pos)).ok()?;
        let mut hdr = [0u8; 8];
        r.read_exact(&mut hdr).ok()?;
        let len = u64::from(u32::from_le_bytes(hdr[4..8].try_into().ok()?));
        match &hdr[0..4] {
            b"fact" if len >= 4 => {
                let mut n = [0u8; 4];
                r.read_exact(&mut n).ok()?;
                return Some(Found::WavFact(u64::from(u32::from_le_bytes(n))));
            }
            b"data" => return None,
            _ => pos += 8 + len + (len & 1),
        }
    }
    None
}

/// One box: its type and the byte range of its payload.
struct Mp4Box {
    kind: [u8; 4],
    start: u64,
    end: u64,
}

fn boxes<R: Read + Seek + ?Sized>(r: &mut R, start: u64, end: u64) -> Option<Vec<Mp4Box>> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos + 8 <= end && out.len() < MAX_ITEMS {
        r.seek(SeekFrom::Start(pos)).ok()?;
        let mut hdr = [0u8; 8];
        r.read_exact(&mut hdr).ok()?;
        let size32 = u32::from_be_bytes(hdr[0..4].try_into().ok()?);
        let kind: [u8; 4] = hdr[4..8].try_into().ok()?;
        let (payload, size) = match size32 {
            0 => (pos + 8, end - pos),
            1 => {
                let mut big = [0u8; 8];
                r.read_exact(&mut big).ok()?;
                (pos + 16, u64::from_be_bytes(big))
            }
            n => (pos + 8, u64::from(n)),
        };
        let box_end = pos.checked_add(size)?;
        if size < payload - pos || box_end > end {
            return None;
        }
        out.push(Mp4Box {
            kind,
            start: payload,
            end: box_end,
        });
        pos = box_end;
    }
    Some(out)
}

fn child<'a>(list: &'a [Mp4Box], kind: &[u8; 4]) -> Option<&'a Mp4Box> {
    list.iter().find(|b| &b.kind == kind)
}

fn read_at<R: Read + Seek + ?Sized>(r: &mut R, b: &Mp4Box, len: usize) -> Option<Vec<u8>> {
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
fn timescale<R: Read + Seek + ?Sized>(r: &mut R, b: &Mp4Box) -> Option<u32> {
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
