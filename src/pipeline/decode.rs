//! Reading any supported container and codec into planar `f32` blocks, with symphonia (and, for
//! native MP3/MP2/MP1 streams, nanomp3: see `src/pipeline/decode/mpeg.rs`; for FLAC frames, rusty_flac:
//! see `src/pipeline/decode/flac.rs`).
//!
//! The decoder streams: it never holds more than one packet of audio, so memory does not grow
//! with the file, and the caller stops it as soon as it has what it needs. Recoverable packet
//! errors are counted (and reported as a warning) rather than silently skipped.

use symphonia::core::audio::Channels;
use symphonia::core::codecs::audio::{AudioCodecParameters, AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::units::Timestamp;

mod container;
mod flac;
mod mpeg;
mod pcm;

use crate::contain::in_decoder;
use crate::options::Limits;
use crate::report::SourceInfo;
use crate::{Error, Result};
use container::{Found, Trim};

/// A stream may end this much (or 5 %) short of its declared length before it is called
/// truncated: encoder padding, priming and edit lists make declared lengths approximate.
const TRUNCATION_TOLERANCE_SECONDS: f64 = 0.1;

/// After this many consecutive undecodable packets the stream is declared corrupt.
const MAX_CONSECUTIVE_PACKET_ERRORS: u32 = 32;

/// Where the blocks come from.
enum Stream<'s> {
    /// symphonia's packets: every container and codec but native MPEG audio.
    Packets {
        format: Box<dyn FormatReader + 's>,
        decoder: Codec,
        track_id: u32,
    },
    /// A native MP1/MP2/MP3 stream (see [`mpeg`]).
    Mpeg(Box<mpeg::Mpeg<'s>>),
    /// A native FLAC stream, its frames read here (see [`flac::Native`]).
    Flac(Box<flac::Native<'s>>),
}

/// What decodes the packets.
enum Codec {
    /// symphonia's decoder for the stream's codec.
    Symphonia(Box<dyn AudioDecoder>),
    /// FLAC frames, with rusty_flac (see [`flac`]).
    Flac(Box<flac::Flac>),
}

/// An open source, ready to hand out blocks of decoded audio.
pub struct Decoder<'s> {
    stream: Stream<'s>,
    info: SourceInfo,
    layout: Option<Channels>,
    planes: Vec<Vec<f32>>,
    limits: Limits,
    finished: bool,
    /// Leading and trailing frames the container says are not part of the audio.
    trim: Trim,
    /// Decoded frames seen so far, including those trimmed away.
    raw_frames: u64,
    /// Whether [`Decoder::seek_to_frame`] can land on an exact frame (uncompressed audio whose
    /// timestamps count frames, without container trims).
    exact_seek: bool,
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
        source: Box<dyn MediaSource + 's>,
        hint: Option<&str>,
        limits: &Limits,
    ) -> Result<Self> {
        in_decoder(|| Self::open_with(source, hint, limits, true))
    }

    /// [`Decoder::open`], with native FLAC frames read by [`flac::Native`] or (for the tests
    /// that compare the two) by symphonia's demuxer.
    fn open_with(
        mut source: Box<dyn MediaSource + 's>,
        hint: Option<&str>,
        limits: &Limits,
        native_flac: bool,
    ) -> Result<Self> {
        check_source_size(&*source, limits)?;
        let found = scan_container(&mut source, limits)?;
        let format = probe(source, hint)?;
        let track = AudioTrack::of(&*format, limits)?;
        let container = format.format_info().short_name.to_string();
        let (stream, info) = if mpeg::CONTAINERS.contains(&container.as_str()) {
            open_mpeg(format, container, limits)?
        } else {
            open_packets(format, &track, container, native_flac)?
        };
        let trim = found.trim(track.sample_rate, &info.codec);
        let exact_seek =
            track.frame_timestamps && info.codec.starts_with("pcm") && trim == Trim::default();
        Ok(Decoder {
            exact_seek,
            trim,
            raw_frames: 0,
            stream,
            info,
            layout: track.params.channels,
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
        in_decoder(|| self.read_block())
    }

    fn read_block(&mut self) -> Result<bool> {
        while !self.finished {
            let frames = match &mut self.stream {
                Stream::Mpeg(m) => match m.next_into(&mut self.planes)? {
                    Some(frames) => {
                        let (rate, frames) = (self.info.sample_rate, frames as u64);
                        check_block(
                            &mut self.info,
                            &mut self.layout,
                            &self.limits,
                            rate,
                            self.planes.len(),
                            None,
                        )?;
                        check_duration(self.raw_frames, frames, rate, &self.limits)?;
                        frames
                    }
                    None => {
                        self.finished = true;
                        break;
                    }
                },
                Stream::Packets { .. } => match self.next_packet()? {
                    Some(frames) => frames,
                    None => break,
                },
                Stream::Flac(_) => match self.next_flac_frame()? {
                    Some(frames) => frames,
                    None => break,
                },
            };
            if frames == 0 {
                continue;
            }
            let mut frames = frames;
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
        self.check_declared_length();
        Ok(false)
    }

    /// Decodes packets with symphonia until one gives audio, copying it into the planes.
    /// Returns its frames, or `None` (and marks the stream finished) at the end.
    fn next_packet(&mut self) -> Result<Option<u64>> {
        let mut consecutive_errors = 0u32;
        loop {
            let Stream::Packets {
                format,
                decoder,
                track_id,
            } = &mut self.stream
            else {
                unreachable!("next_packet is only called on packet streams");
            };
            let packet = match format.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) | Err(SymError::ResetRequired) => {
                    self.finished = true;
                    return Ok(None);
                }
                // A stream cut short ends where the data ends.
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.info.truncated = true;
                    self.finished = true;
                    return Ok(None);
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
            if packet.track_id != *track_id {
                continue;
            }
            let decoder = match decoder {
                Codec::Symphonia(decoder) => decoder,
                Codec::Flac(flac) => match flac.decode(&packet.data, &mut self.planes) {
                    Ok(frames) => {
                        let frames = frames as u64;
                        if !admit_packet(
                            &mut self.info,
                            &mut self.layout,
                            &self.limits,
                            self.raw_frames,
                            (flac.sample_rate(), flac.layout()),
                            frames,
                        )? {
                            continue;
                        }
                        return Ok(Some(frames));
                    }
                    Err(flac::FrameError::Header(msg) | flac::FrameError::Corrupt(msg)) => {
                        self.count_packet_error(&mut consecutive_errors, &msg)?;
                        continue;
                    }
                    Err(flac::FrameError::Truncated) => {
                        self.info.truncated = true;
                        self.count_packet_error(&mut consecutive_errors, "truncated packet")?;
                        continue;
                    }
                    Err(flac::FrameError::Read(reason)) => return Err(Error::Corrupt { reason }),
                },
            };
            match decoder.decode(&packet) {
                Ok(buf) => {
                    let frames = buf.frames() as u64;
                    // Limits first, before the packet's samples are copied anywhere.
                    if !admit_packet(
                        &mut self.info,
                        &mut self.layout,
                        &self.limits,
                        self.raw_frames,
                        (buf.spec().rate(), buf.spec().channels()),
                        frames,
                    )? {
                        continue;
                    }
                    buf.copy_to_vecs_planar::<f32>(&mut self.planes);
                    return Ok(Some(frames));
                }
                Err(SymError::DecodeError(msg)) => {
                    self.count_packet_error(&mut consecutive_errors, msg)?;
                }
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.info.truncated = true;
                    self.count_packet_error(&mut consecutive_errors, "truncated packet")?;
                }
                Err(e) => {
                    return Err(Error::Corrupt {
                        reason: e.to_string(),
                    })
                }
            }
        }
    }

    /// Decodes native FLAC frames until one gives audio, into the planes. Returns its frames,
    /// or `None` (and marks the stream finished) at the end.
    fn next_flac_frame(&mut self) -> Result<Option<u64>> {
        let mut consecutive_errors = 0u32;
        loop {
            let Stream::Flac(native) = &mut self.stream else {
                unreachable!("next_flac_frame is only called on native FLAC streams");
            };
            match native.next_into(&mut self.planes) {
                Ok(Some(frames)) => {
                    let frames = frames as u64;
                    let flac = native.flac();
                    if admit_packet(
                        &mut self.info,
                        &mut self.layout,
                        &self.limits,
                        self.raw_frames,
                        (flac.sample_rate(), flac.layout()),
                        frames,
                    )? {
                        return Ok(Some(frames));
                    }
                }
                Ok(None) => {
                    self.finished = true;
                    return Ok(None);
                }
                // A stream cut short ends where the data ends.
                Err(flac::FrameError::Truncated) => {
                    self.info.truncated = true;
                    self.finished = true;
                    return Ok(None);
                }
                Err(flac::FrameError::Header(msg) | flac::FrameError::Corrupt(msg)) => {
                    self.count_packet_error(&mut consecutive_errors, &msg)?;
                }
                Err(flac::FrameError::Read(reason)) => return Err(Error::Corrupt { reason }),
            }
        }
    }

    /// Before the first block, jumps ahead so decoding starts at source frame `frame` or a little
    /// before it, without decoding what lies in between. Returns the frame the next block starts
    /// at, or `None` when the jump is not possible or not exact for this source (compressed
    /// codecs, container trims, an unseekable stream, a frame past the end): then decoding simply
    /// starts at the beginning.
    pub fn seek_to_frame(&mut self, frame: u64) -> Option<u64> {
        if !self.exact_seek || self.raw_frames > 0 || self.info.frames_decoded > 0 || frame == 0 {
            return None;
        }
        let Stream::Packets {
            format,
            decoder,
            track_id,
        } = &mut self.stream
        else {
            return None;
        };
        let ts = Timestamp::new(i64::try_from(frame).ok()?);
        let to = SeekTo::Timestamp {
            ts,
            track_id: *track_id,
        };
        let seeked = in_decoder(|| format.seek(SeekMode::Accurate, to)).ok()?;
        match decoder {
            Codec::Symphonia(decoder) => in_decoder(|| decoder.reset()),
            // Each frame decodes on its own.
            Codec::Flac(_) => {}
        }
        let at = u64::try_from(seeked.actual_ts.get()).ok()?;
        if at > frame {
            // Not where it was asked to be: decoding from here would lose audio.
            return None;
        }
        self.info.frames_skipped = at;
        Some(at)
    }

    /// At the end of the stream: a stream that ends well before the length its container
    /// declares was cut short, even when it ends cleanly on a packet boundary (MP3 frames).
    fn check_declared_length(&mut self) {
        let Some(declared) = self.info.declared_seconds else {
            return;
        };
        let decoded = self.info.decoded_seconds();
        if decoded + (0.05 * declared).max(TRUNCATION_TOLERANCE_SECONDS) < declared {
            self.info.truncated = true;
        }
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

/// Refuses a source over the size limit, or empty, before anything reads it.
fn check_source_size(source: &dyn MediaSource, limits: &Limits) -> Result<()> {
    let Some(len) = source.byte_len() else {
        return Ok(());
    };
    if len > limits.max_input_bytes {
        return Err(Error::LimitExceeded {
            what: "input size in bytes",
            value: len,
            limit: limits.max_input_bytes,
            hint: "raise the limit (`max_input_bytes=BYTES`)",
        });
    }
    if len == 0 {
        return Err(Error::UnsupportedFormat {
            reason: "the file is empty".into(),
        });
    }
    Ok(())
}

/// What the container says beyond symphonia's reading of it (trims; see [`container`]), from a
/// seekable source. A WAV header's channel count and rate are checked first: some decoders
/// compute with them before checking them.
fn scan_container(source: &mut Box<dyn MediaSource + '_>, limits: &Limits) -> Result<Found> {
    if !source.is_seekable() {
        return Ok(Found::Nothing);
    }
    if let Some(fmt) = container::wav_format(source) {
        check_channels(u64::from(fmt.channels), limits)?;
        if fmt.channels == 0 {
            return Err(Error::Corrupt {
                reason: "the header says the stream has 0 channels".into(),
            });
        }
        check_rate(fmt.sample_rate, limits)?;
    }
    Ok(container::scan(source))
}

/// symphonia's format reader for `source`, its container found by probing (helped by the file
/// extension `hint`).
fn probe<'s>(
    source: Box<dyn MediaSource + 's>,
    hint: Option<&str>,
) -> Result<Box<dyn FormatReader + 's>> {
    let mss = MediaSourceStream::new(source, Default::default());
    let mut h = Hint::new();
    if let Some(ext) = hint {
        h.with_extension(ext);
    }
    symphonia::default::get_probe()
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
            // The container was recognised but its structure is broken: say so, rather
            // than calling a damaged WAV an unsupported format.
            e @ (SymError::DecodeError(_) | SymError::LimitError(_)) => Error::Corrupt {
                reason: e.to_string(),
            },
            other => Error::UnsupportedFormat {
                reason: other.to_string(),
            },
        })
}

/// The container's default audio track, its declared values checked against the limits.
struct AudioTrack {
    params: AudioCodecParameters,
    id: u32,
    sample_rate: u32,
    channels: usize,
    num_frames: Option<u64>,
    /// Timestamps count frames from the first one: a seek lands on a known frame.
    frame_timestamps: bool,
}

impl AudioTrack {
    fn of(format: &dyn FormatReader, limits: &Limits) -> Result<AudioTrack> {
        let track = format
            .default_track(TrackType::Audio)
            .ok_or(Error::NoAudioTrack)?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or(Error::NoAudioTrack)?
            .clone();
        let frame_timestamps = track.start_ts.is_zero()
            && track.delay.unwrap_or(0) == 0
            && track.time_base.is_some_and(|tb| {
                tb.numer.get() == 1 && Some(tb.denom.get()) == params.sample_rate
            });

        let sample_rate = params.sample_rate.ok_or_else(|| Error::Corrupt {
            reason: "the stream does not state its sample rate".into(),
        })?;
        check_rate(sample_rate, limits)?;
        let channels = params.channels.as_ref().map_or(0, Channels::count);
        check_channels(channels as u64, limits)?;
        if params.channels.is_some() && channels == 0 {
            return Err(Error::Corrupt {
                reason: "the header says the stream has 0 channels".into(),
            });
        }
        // Some decoders size their output buffer from this declared value: check it before
        // one is made.
        if let Some(frames) = params.max_frames_per_packet {
            check_packet_frames(frames, limits)?;
        }
        Ok(AudioTrack {
            id: track.id,
            num_frames: track.num_frames,
            params,
            sample_rate,
            channels,
            frame_timestamps,
        })
    }
}

/// A native MP1/MP2/MP3 stream: its frames go to nanomp3 (see [`mpeg`]).
fn open_mpeg<'s>(
    format: Box<dyn FormatReader + 's>,
    container: String,
    limits: &Limits,
) -> Result<(Stream<'s>, SourceInfo)> {
    let (m, header) = mpeg::Mpeg::open(Box::new(format.into_inner()))?;
    if header.channels == 0 {
        return Err(Error::Corrupt {
            reason: "no decodable MPEG audio frame found".into(),
        });
    }
    check_rate(header.sample_rate, limits)?;
    check_channels(header.channels as u64, limits)?;
    let info = SourceInfo {
        codec: container.clone(),
        container,
        sample_rate: header.sample_rate,
        channels: header.channels as u16,
        declared_seconds: header
            .frames
            .map(|n| n as f64 / f64::from(header.sample_rate)),
        ..SourceInfo::default()
    };
    Ok((Stream::Mpeg(Box::new(m)), info))
}

/// Every other stream: symphonia's packets, decoded by its decoder for the codec (PCM through
/// the fast path in [`pcm`]) or, for FLAC, by rusty_flac; a native FLAC file's frames read by
/// [`flac::Native`] when `native_flac`.
fn open_packets<'s>(
    format: Box<dyn FormatReader + 's>,
    track: &AudioTrack,
    container: String,
    native_flac: bool,
) -> Result<(Stream<'s>, SourceInfo)> {
    let params = &track.params;
    let decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|e| Error::UnsupportedFormat {
            reason: e.to_string(),
        })?;
    let codec = decoder.codec_info().short_name.to_string();
    // symphonia's FLAC decoder read STREAMINFO into its parameters: rusty_flac takes the frames
    // from here.
    let decoder = match flac::Flac::new(decoder.codec_params()) {
        Some(flac) => Codec::Flac(Box::new(flac)),
        None => Codec::Symphonia(pcm::wrap(decoder, params)),
    };
    let info = SourceInfo {
        container,
        codec,
        sample_rate: track.sample_rate,
        channels: track.channels as u16,
        bits_per_sample: params.bits_per_sample,
        declared_seconds: track
            .num_frames
            .map(|n| n as f64 / f64::from(track.sample_rate)),
        ..SourceInfo::default()
    };
    let stream = match decoder {
        Codec::Flac(flac) if native_flac && info.container == "flac" => {
            Stream::Flac(Box::new(flac::Native::new(format.into_inner(), *flac)))
        }
        decoder => Stream::Packets {
            format,
            decoder,
            track_id: track.id,
        },
    };
    Ok((stream, info))
}

/// The checks a decoded packet passes before its samples are used: its rate and layout against
/// the stream's ([`check_block`]), then the per-packet and duration limits. Returns whether the
/// packet holds any frames. `raw_frames` are the frames decoded before it.
fn admit_packet(
    info: &mut SourceInfo,
    stream_layout: &mut Option<Channels>,
    limits: &Limits,
    raw_frames: u64,
    (rate, layout): (u32, &Channels),
    frames: u64,
) -> Result<bool> {
    check_block(
        info,
        stream_layout,
        limits,
        rate,
        layout.count(),
        Some(layout),
    )?;
    if frames == 0 {
        return Ok(false);
    }
    check_packet_frames(frames, limits)?;
    check_duration(raw_frames, frames, rate, limits)?;
    Ok(true)
}

/// Checks a decoded block's rate and channel count against the stream's (they may not change)
/// and the limits; the first block sets them. `layout` is the block's layout, when the decoder
/// states one.
fn check_block(
    info: &mut SourceInfo,
    stream_layout: &mut Option<Channels>,
    limits: &Limits,
    rate: u32,
    channels: usize,
    layout: Option<&Channels>,
) -> Result<()> {
    if rate != info.sample_rate {
        check_rate(rate, limits)?;
        if info.frames_decoded > 0 {
            return Err(Error::Corrupt {
                reason: format!(
                    "sample rate changed mid-stream from {} Hz to {rate} Hz",
                    info.sample_rate
                ),
            });
        }
        info.sample_rate = rate;
    }
    if info.frames_decoded == 0 {
        check_channels(channels as u64, limits)?;
        info.channels = channels as u16;
        if let Some(layout) = layout {
            *stream_layout = Some(layout.clone());
        }
    } else if channels != usize::from(info.channels) {
        return Err(Error::Corrupt {
            reason: "channel count changed mid-stream".into(),
        });
    }
    if channels == 0 {
        return Err(Error::Corrupt {
            reason: "the stream has no channels".into(),
        });
    }
    Ok(())
}

/// Largest sample magnitude passed on, 60 dB over full scale. Float files may hold overs, which
/// the quantizer clips and counts; values far beyond (a damaged float file holds anything up to
/// 3.4e38) would overflow the resampler's FFT into NaN.
const MAX_SAMPLE_MAGNITUDE: f32 = 1024.0;

/// Replaces NaN and infinities (possible in float WAV files) by silence and full scale, and
/// clamps finite magnitudes beyond [`MAX_SAMPLE_MAGNITUDE`].
fn sanitize(planes: &mut [Vec<f32>]) {
    for plane in planes.iter_mut() {
        // A branch-free scan first (it vectorises); nearly every block is clean.
        if plane
            .iter()
            .fold(true, |ok, s| ok & (s.abs() <= MAX_SAMPLE_MAGNITUDE))
        {
            continue;
        }
        for s in plane.iter_mut() {
            if !s.is_finite() {
                *s = if s.is_nan() { 0.0 } else { s.signum() };
            } else if s.abs() > MAX_SAMPLE_MAGNITUDE {
                *s = MAX_SAMPLE_MAGNITUDE.copysign(*s);
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
            hint: "raise the limit (`max_sample_rate=HZ`) if the file is genuine",
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

/// Fails when decoding `frames` more after `decoded` would pass [`Limits::max_decoded_seconds`].
fn check_duration(decoded: u64, frames: u64, rate: u32, limits: &Limits) -> Result<()> {
    let rate = u64::from(rate.max(1));
    let max_frames = limits.max_decoded_seconds.saturating_mul(rate);
    let total = decoded.saturating_add(frames);
    if total > max_frames {
        return Err(Error::LimitExceeded {
            what: "decoded audio in seconds",
            value: total.div_ceil(rate),
            limit: limits.max_decoded_seconds,
            hint: "raise the limit (`max_decoded_seconds=SECONDS`) if the file is genuine",
        });
    }
    Ok(())
}

fn check_packet_frames(frames: u64, limits: &Limits) -> Result<()> {
    if frames > limits.max_frames_per_packet {
        return Err(Error::LimitExceeded {
            what: "frames in one packet",
            value: frames,
            limit: limits.max_frames_per_packet,
            hint: "raise the limit (`max_frames_per_packet=N`) if the file is genuine; \
                   the header is more likely damaged",
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
            hint: "raise the limit (`max_channels=N`) if the file is genuine",
        });
    }
    Ok(())
}
