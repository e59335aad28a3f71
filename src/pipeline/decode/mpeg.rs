//! MPEG audio (MP3, and MP1/MP2) streams, decoded with nanomp3 instead of symphonia's decoder.
//!
//! MP3 is the format people have most, and decoding it was most of the time of an MP3 tone:
//! nanomp3 — a pure-Rust, `unsafe`-free, bit-exact port of minimp3 — decodes the same frames in
//! about two thirds of the time symphonia takes. symphonia still recognises the file (so a WAV
//! named `.mp3` stays a WAV, and MP3 inside MP4, Matroska or WAV stays with symphonia); only a
//! native MPEG audio stream comes here. nanomp3 skips ID3 and APE tags, trims the encoder delay
//! and padding from the LAME/Xing tag (gapless), and scans the stream for its length when there
//! is no tag, like minimp3_ex.

use std::io::{ErrorKind, Seek, SeekFrom};

use symphonia::core::io::MediaSource;

use crate::{Error, Result};

/// The container names symphonia gives the native MPEG audio streams this module takes.
pub(super) const CONTAINERS: [&str; 3] = ["mp1", "mp2", "mp3"];

/// A native MPEG audio stream being decoded.
pub(super) struct Mpeg<'s> {
    reader: nanomp3::Reader<Box<dyn MediaSource + 's>, f32>,
    channels: usize,
}

/// What the stream says about itself once opened.
pub(super) struct Header {
    pub sample_rate: u32,
    pub channels: usize,
    /// Frames per channel after gapless trimming, from the VBR tag or a scan of the frames.
    pub frames: Option<u64>,
}

impl<'s> Mpeg<'s> {
    /// Opens the stream from the start of `source`.
    pub fn open(mut source: Box<dyn MediaSource + 's>) -> Result<(Mpeg<'s>, Header)> {
        source
            .seek(SeekFrom::Start(0))
            .map_err(|e| Error::Corrupt {
                reason: format!("cannot rewind the stream: {e}"),
            })?;
        let reader = nanomp3::Reader::new(source).map_err(mpeg_error)?;
        let channels = reader.channels().map_or(0, |c| c as usize);
        let header = Header {
            sample_rate: reader.sample_rate(),
            channels,
            frames: reader.total_samples(),
        };
        Ok((Mpeg { reader, channels }, header))
    }

    /// Decodes the next frame into `planes` (one per channel, replaced). Returns the frames per
    /// channel, or `None` at the end of the stream.
    pub fn next_into(&mut self, planes: &mut Vec<Vec<f32>>) -> Result<Option<usize>> {
        let channels = self.channels.max(1);
        let Some(samples) = self.reader.read_frame().map_err(mpeg_error)? else {
            return Ok(None);
        };
        let frames = samples.len() / channels;
        planes.resize_with(channels, Vec::new);
        planes.truncate(channels);
        match planes.as_mut_slice() {
            [mono] => {
                mono.clear();
                mono.extend_from_slice(&samples[..frames]);
            }
            [left, right] => {
                left.resize(frames, 0.0);
                right.resize(frames, 0.0);
                for ((l, r), pair) in left
                    .iter_mut()
                    .zip(right.iter_mut())
                    .zip(samples.chunks_exact(2))
                {
                    *l = pair[0];
                    *r = pair[1];
                }
            }
            _ => unreachable!("MPEG audio has one or two channels"),
        }
        Ok(Some(frames))
    }
}

fn mpeg_error(e: nanomp3::Error) -> Error {
    match e {
        nanomp3::Error::Io(e) if e.kind() == ErrorKind::UnexpectedEof => Error::Corrupt {
            reason: "the MPEG audio stream ends inside a frame".into(),
        },
        other => Error::Corrupt {
            reason: other.to_string(),
        },
    }
}
