//! One conversion, start to end: decode → mono → 16 kHz → 16-bit, with the report.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use symphonia::core::io::MediaSource;

use crate::decode::Decoder;
use crate::downmix::{Energy, MonoMix};
use crate::quantize::{self, Fnv64};
use crate::report::{Report, Warning};
use crate::resample::{self, TARGET_RATE};
use crate::{sln, Error, Options, Result};

/// A mono mix more than this many dB below what unrelated channels would give raises a warning:
/// for stereo, that is more than 6 dB below the channels' average power (unrelated channels lose
/// 3 dB by themselves).
const DOWNMIX_CANCEL_WARN_DB: f64 = 3.0;
/// An output whose peak is below this level (dBFS) is reported as silent.
const SILENT_PEAK_DBFS: f64 = -60.0;

/// A converted ringtone: 16 kHz mono 16-bit samples and the report of how they were made.
#[derive(Clone, Debug, PartialEq)]
pub struct Tone {
    samples: Vec<i16>,
    report: Report,
}

impl Tone {
    /// The samples at 16 kHz, mono.
    pub fn samples(&self) -> &[i16] {
        &self.samples
    }

    /// What the conversion found and did.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The `.sln` file contents: the samples as little-endian bytes, no header.
    pub fn sln_bytes(&self) -> Vec<u8> {
        sln::encode(&self.samples)
    }

    /// Lowercase hex MD5 of [`Tone::sln_bytes`], as the phone XML's `md5` attribute wants it.
    pub fn md5_hex(&self) -> String {
        use md5::{Digest, Md5};
        hex(&Md5::digest(self.sln_bytes()))
    }

    /// Writes the tone to `path` atomically (temporary file in the same folder, fsync, rename):
    /// an existing file is replaced whole or left untouched.
    pub fn write_sln(&self, path: impl AsRef<Path>) -> Result<()> {
        sln::write_atomic(path.as_ref(), &self.sln_bytes())
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Converts the audio file at `path`.
///
/// The file is read as it is decoded, never whole, and decoding stops as soon as the output is
/// known to exceed [`Options::max_bytes`].
pub fn convert_path(path: impl AsRef<Path>, opts: &Options) -> Result<Tone> {
    let path = path.as_ref();
    // Look before opening: opening a FIFO would wait for a writer forever.
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    check_regular_file(path, &meta)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // The path may have been swapped between the two looks; check what was opened too.
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    check_regular_file(path, &meta)?;
    let hint = path.extension().and_then(|e| e.to_str());
    guarded(|| convert_source(Box::new(file), hint, opts))
}

fn check_regular_file(path: &Path, meta: &std::fs::Metadata) -> Result<()> {
    let what = if meta.is_file() {
        return Ok(());
    } else if meta.is_dir() {
        "is a directory, not an audio file"
    } else {
        "is not a regular file (a FIFO, socket or device) — give an audio file"
    };
    Err(Error::io(path, std::io::Error::other(what)))
}

/// Converts audio held in memory; `hint` is the file extension (`"mp3"`), if known.
///
/// ```
/// # fn main() -> ringforge::Result<()> {
/// // Half a second of a 1 kHz tone as a 48 kHz 16-bit mono WAV file, built in memory.
/// let wav = ringforge::signal::wav_i16(48_000, 1, &ringforge::signal::sine(1000.0, 0.5, 48_000, 24_000));
/// let tone = ringforge::convert_bytes(&wav, Some("wav"), &ringforge::Options::default())?;
/// assert_eq!(tone.samples().len(), 8_000);
/// assert_eq!(tone.sln_bytes().len(), 16_000);
/// assert_eq!(tone.report().source.sample_rate, 48_000);
/// # Ok(())
/// # }
/// ```
pub fn convert_bytes(bytes: &[u8], hint: Option<&str>, opts: &Options) -> Result<Tone> {
    guarded(|| convert_source(Box::new(std::io::Cursor::new(bytes)), hint, opts))
}

/// Converts audio from any seekable reader (an upload, a database blob…); `hint` is the file
/// extension, if known.
pub fn convert_reader<R: Read + Seek + Send + Sync>(
    reader: R,
    hint: Option<&str>,
    opts: &Options,
) -> Result<Tone> {
    guarded(|| convert_source(Box::new(SeekSource::new(reader)), hint, opts))
}

thread_local! {
    static GUARDED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Whether the current thread is inside a conversion whose panics are caught and turned into
/// [`Error::Panicked`]. A program's panic hook can use this to stay quiet about those panics,
/// which are reported as that file's error instead.
pub fn panic_is_contained() -> bool {
    GUARDED.with(|g| g.get() > 0)
}

/// Runs `f`, turning a panic inside the decoders into [`Error::Panicked`].
pub(crate) fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(g.get() - 1));
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Err(Error::Panicked { message })
    })
}

fn convert_source<'s>(
    source: Box<dyn MediaSource + 's>,
    hint: Option<&str>,
    opts: &Options,
) -> Result<Tone> {
    let mut decoder = Decoder::open(source, hint, &opts.limits)?;
    let mut mono: Vec<f32> = Vec::new();
    let mut energy = Energy::default();
    let mut mix: Option<MonoMix> = None;
    let max_samples = opts.max_samples();

    while decoder.next_block()? {
        let planes = decoder.planes();
        let m = mix.get_or_insert_with(|| MonoMix::for_layout(decoder.layout(), planes.len()));
        m.mix_into(planes, &mut mono, &mut energy);
        let rate = decoder.info().sample_rate;
        if resample::output_len(mono.len() as u64, rate) > max_samples {
            decoder.stop_early();
            let info = decoder.info();
            let frames = info
                .declared_seconds
                .map_or(mono.len() as u64, |s| (s * f64::from(rate)).round() as u64)
                .max(mono.len() as u64);
            let samples = resample::output_len(frames, rate);
            return Err(Error::TooLarge {
                bytes: samples * 2,
                seconds: samples as f64 / f64::from(TARGET_RATE),
                max_bytes: opts.max_bytes,
            });
        }
    }
    let info = decoder.into_info();
    if mono.is_empty() {
        return Err(Error::Empty);
    }

    let mut warnings = Vec::new();
    if info.sample_rate < TARGET_RATE && !opts.allow_upsample {
        warnings.push(Warning::Upsampled {
            from: info.sample_rate,
        });
    }
    if info.truncated {
        warnings.push(Warning::Truncated {
            decoded_seconds: info.decoded_seconds(),
            declared_seconds: info.declared_seconds,
        });
    }
    if info.packet_errors > 0 {
        warnings.push(Warning::PacketErrors {
            count: info.packet_errors,
        });
    }
    if let Some((lost_db, cancelled_db)) = mix.as_ref().and_then(|m| energy.loss_db(m.weights())) {
        if cancelled_db > DOWNMIX_CANCEL_WARN_DB {
            warnings.push(Warning::DownmixLoss { lost_db });
        }
    }

    let mut seed = Fnv64::new();
    seed.write_f32s(&mono);
    seed.write(&opts.fingerprint().to_le_bytes());

    let signal = resample::to_16k(&mono, info.sample_rate)?;
    drop(mono);
    let (samples, stats) = quantize::quantize(&signal, opts.dither, seed.finish());

    let peak = samples
        .iter()
        .map(|s| i32::from(*s).abs())
        .max()
        .unwrap_or(0);
    let peak_dbfs = if peak == 0 {
        f64::NEG_INFINITY
    } else {
        20.0 * (f64::from(peak) / 32_768.0).log10()
    };
    if stats.clipped > 0 {
        warnings.push(Warning::Clipped {
            samples: stats.clipped,
        });
    }
    if peak_dbfs < SILENT_PEAK_DBFS {
        warnings.push(Warning::Silent { peak_dbfs });
    }
    let n = samples.len() as u64;
    let report = Report {
        source: info,
        output_samples: n,
        bytes: n * 2,
        duration_seconds: n as f64 / f64::from(TARGET_RATE),
        peak_dbfs,
        clipped_samples: stats.clipped,
        gain_db: 0.0,
        loudness_lufs: None,
        true_peak_dbtp: None,
        dithered: stats.dithered,
        warnings,
    };
    Ok(Tone { samples, report })
}

/// Adapts any `Read + Seek` to symphonia's `MediaSource`.
struct SeekSource<R> {
    inner: R,
    len: Option<u64>,
}

impl<R: Read + Seek> SeekSource<R> {
    fn new(mut inner: R) -> Self {
        let len = (|| {
            let pos = inner.stream_position().ok()?;
            let end = inner.seek(SeekFrom::End(0)).ok()?;
            inner.seek(SeekFrom::Start(pos)).ok()?;
            Some(end.saturating_sub(pos))
        })();
        SeekSource { inner, len }
    }
}

impl<R: Read> Read for SeekSource<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl<R: Seek> Seek for SeekSource<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

impl<R: Read + Seek + Send + Sync> MediaSource for SeekSource<R> {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        self.len
    }
}
