//! Reading any supported container and codec into planar `f32` blocks, with symphonia.
//!
//! The decoder streams: it never holds more than one packet of audio, so memory does not grow
//! with the file, and the caller stops it as soon as it has what it needs. Recoverable packet
//! errors are counted (and reported as a warning) rather than silently skipped.

use symphonia::core::audio::Channels;
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

mod pcm;

use crate::container::{self, Found, Trim};
use crate::options::Limits;
use crate::report::SourceInfo;
use crate::{Error, Result};

/// After this many consecutive undecodable packets the stream is declared corrupt.
const MAX_CONSECUTIVE_PACKET_ERRORS: u32 = 32;

/// An open source, ready to hand out blocks of decoded audio.
pub struct Decoder<'s> {
    format: Box<dyn FormatReader + 's>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    info: SourceInfo,
    layout: Option<Channels>,
    planes: Vec<Vec<f32>>,
    limits: Limits,
    finished: bool,
    /// Leading and trailing frames the container says are not part of the audio.
    trim: Trim,
    /// Decoded frames seen so far, including those trimmed away.
    raw_frames: u64,
}

impl std::fmt::Debug for Decoder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl<'s> Decoder<'s> {
    /// Probes `source` (using the file extension `hint`, if any) and prepares its first audio
    /// track for decoding. Checks the rate and channel limits before anything is decoded.
    pub fn open(
        mut source: Box<dyn MediaSource + 's>,
        hint: Option<&str>,
        limits: &Limits,
    ) -> Result<Self> {
        if let Some(len) = source.byte_len() {
            if len > limits.max_input_bytes {
                return Err(Error::LimitExceeded {
                    what: "input size in bytes",
                    value: len,
                    limit: limits.max_input_bytes,
                    hint: "raise Limits::max_input_bytes (--max-input-bytes)",
                });
            }
            if len == 0 {
                return Err(Error::UnsupportedFormat {
                    reason: "the file is empty".into(),
                });
            }
        }
        let found = if source.is_seekable() {
            container::scan(&mut source)
        } else {
            Found::Nothing
        };
        let mss = MediaSourceStream::new(source, Default::default());
        let mut h = Hint::new();
        if let Some(ext) = hint {
            h.with_extension(ext);
        }
        let format = symphonia::default::get_probe()
            .probe(
                &h,
                mss,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|e| match e {
                SymError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    Error::UnsupportedFormat {
                        reason: "no known audio container found".into(),
                    }
                }
                other => Error::UnsupportedFormat {
                    reason: other.to_string(),
                },
            })?;

        let track = format
            .default_track(TrackType::Audio)
            .ok_or(Error::NoAudioTrack)?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or(Error::NoAudioTrack)?
            .clone();
        let track_id = track.id;
        let num_frames = track.num_frames;

        let sample_rate = params.sample_rate.ok_or_else(|| Error::Corrupt {
            reason: "the stream does not state its sample rate".into(),
        })?;
        check_rate(sample_rate, limits)?;
        let channels = params.channels.as_ref().map_or(0, Channels::count);
        check_channels(channels as u64, limits)?;

        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
            .map_err(|e| Error::UnsupportedFormat {
                reason: e.to_string(),
            })?;
        let decoder = pcm::wrap(decoder, &params);
        let info = SourceInfo {
            container: format.format_info().short_name.to_string(),
            codec: decoder.codec_info().short_name.to_string(),
            sample_rate,
            channels: channels as u16,
            bits_per_sample: params.bits_per_sample,
            declared_seconds: num_frames.map(|n| n as f64 / f64::from(sample_rate)),
            ..SourceInfo::default()
        };
        let trim = found.trim(sample_rate, &info.codec);
        Ok(Decoder {
            trim,
            raw_frames: 0,
            format,
            decoder,
            track_id,
            info,
            layout: params.channels.clone(),
            planes: Vec::new(),
            limits: limits.clone(),
            finished: false,
        })
    }

    /// What is known about the source so far (frame counts grow as blocks are decoded).
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// The channel layout, when the container or codec states one.
    pub fn layout(&self) -> Option<&Channels> {
        self.layout.as_ref()
    }

    /// Consumes the decoder, returning what it learned.
    pub fn into_info(self) -> SourceInfo {
        self.info
    }

    /// The block decoded by the last successful [`Decoder::next_block`]: one `f32` plane per
    /// channel, full scale ±1.0.
    pub fn planes(&self) -> &[Vec<f32>] {
        &self.planes
    }

    /// Decodes the next packet into [`Decoder::planes`]. Returns `false` at the end of the stream.
    pub fn next_block(&mut self) -> Result<bool> {
        let mut consecutive_errors = 0u32;
        while !self.finished {
            let packet = match self.format.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) | Err(SymError::ResetRequired) => {
                    self.finished = true;
                    break;
                }
                // A stream cut short ends where the data ends.
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.finished = true;
                    break;
                }
                Err(SymError::DecodeError(msg)) => {
                    self.count_packet_error(&mut consecutive_errors, msg)?;
                    continue;
                }
                Err(e) => {
                    return Err(Error::Corrupt {
                        reason: e.to_string(),
                    })
                }
            };
            if packet.track_id != self.track_id {
                continue;
            }
            match self.decoder.decode(&packet) {
                Ok(buf) => {
                    let rate = buf.spec().rate();
                    let channels = buf.spec().channels().count();
                    if rate != self.info.sample_rate {
                        check_rate(rate, &self.limits)?;
                        if self.info.frames_decoded > 0 {
                            return Err(Error::Corrupt {
                                reason: format!(
                                    "sample rate changed mid-stream from {} Hz to {rate} Hz",
                                    self.info.sample_rate
                                ),
                            });
                        }
                        self.info.sample_rate = rate;
                    }
                    if self.info.frames_decoded == 0 {
                        check_channels(channels as u64, &self.limits)?;
                        self.info.channels = channels as u16;
                        self.layout = Some(buf.spec().channels().clone());
                    } else if channels != usize::from(self.info.channels) {
                        return Err(Error::Corrupt {
                            reason: "channel count changed mid-stream".into(),
                        });
                    }
                    if channels == 0 {
                        return Err(Error::Corrupt {
                            reason: "the stream has no channels".into(),
                        });
                    }
                    if buf.frames() == 0 {
                        continue;
                    }
                    buf.copy_to_vecs_planar::<f32>(&mut self.planes);
                    let mut frames = buf.frames() as u64;
                    // Container trims: drop encoder priming, stop at the stated length.
                    let raw_start = self.raw_frames;
                    self.raw_frames += frames;
                    if raw_start < self.trim.skip {
                        let drop = (self.trim.skip - raw_start).min(frames);
                        self.planes.iter_mut().for_each(|p| {
                            p.drain(..drop as usize);
                        });
                        frames -= drop;
                    }
                    if let Some(keep) = self.trim.keep {
                        let room = keep.saturating_sub(self.info.frames_decoded);
                        if room == 0 {
                            self.finished = true;
                            break;
                        }
                        if frames > room {
                            self.planes
                                .iter_mut()
                                .for_each(|p| p.truncate(room as usize));
                            frames = room;
                        }
                    }
                    if frames == 0 {
                        continue;
                    }
                    sanitize(&mut self.planes);
                    self.info.frames_decoded += frames;
                    return Ok(true);
                }
                Err(SymError::DecodeError(msg)) => {
                    self.count_packet_error(&mut consecutive_errors, msg)?;
                }
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.count_packet_error(&mut consecutive_errors, "truncated packet")?;
                }
                Err(e) => {
                    return Err(Error::Corrupt {
                        reason: e.to_string(),
                    })
                }
            }
        }
        Ok(false)
    }

    /// Marks that decoding stopped before the end because the rest is not needed.
    pub fn stop_early(&mut self) {
        if !self.finished {
            self.info.stopped_early = true;
        }
    }

    fn count_packet_error(&mut self, consecutive: &mut u32, msg: &str) -> Result<()> {
        self.info.packet_errors += 1;
        *consecutive += 1;
        if *consecutive > MAX_CONSECUTIVE_PACKET_ERRORS {
            return Err(Error::Corrupt {
                reason: format!(
                    "{} undecodable packets in a row, last: {msg}",
                    MAX_CONSECUTIVE_PACKET_ERRORS + 1
                ),
            });
        }
        Ok(())
    }
}

/// Replaces NaN and infinities (possible in float WAV files) by silence and full scale.
fn sanitize(planes: &mut [Vec<f32>]) {
    for plane in planes.iter_mut() {
        // A branch-free scan first (it vectorises); nearly every block is clean.
        if plane.iter().fold(true, |ok, s| ok & s.is_finite()) {
            continue;
        }
        for s in plane.iter_mut() {
            if !s.is_finite() {
                *s = if s.is_nan() { 0.0 } else { s.signum() };
            }
        }
    }
}

fn check_rate(rate: u32, limits: &Limits) -> Result<()> {
    if rate > limits.max_sample_rate {
        return Err(Error::LimitExceeded {
            what: "sample rate in Hz",
            value: u64::from(rate),
            limit: u64::from(limits.max_sample_rate),
            hint: "raise Limits::max_sample_rate (--max-sample-rate) if the file is genuine",
        });
    }
    if rate < limits.min_sample_rate {
        return Err(Error::Corrupt {
            reason: format!(
                "sample rate {rate} Hz is below {} Hz; the header is probably damaged",
                limits.min_sample_rate
            ),
        });
    }
    Ok(())
}

fn check_channels(count: u64, limits: &Limits) -> Result<()> {
    if count > u64::from(limits.max_channels) {
        return Err(Error::LimitExceeded {
            what: "channel count",
            value: count,
            limit: u64::from(limits.max_channels),
            hint: "raise Limits::max_channels (--max-channels) if the file is genuine",
        });
    }
    Ok(())
}
