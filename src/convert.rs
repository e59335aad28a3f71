//! One conversion, start to end: decode → mono → 16 kHz → 16-bit, with the report.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use symphonia::core::io::MediaSource;

use symphonia::core::audio::Channels;

use crate::condition;
use crate::decode::Decoder;
use crate::downmix::{Energy, MonoMix};
use crate::options::{ChannelPick, Normalize, Oversize};
use crate::quantize;
use crate::report::{Report, SourceInfo, Warning};
use crate::resample::{self, TARGET_RATE};
use crate::{sln, Error, Options, Result};

/// A mono mix more than this many dB below what unrelated channels would give raises a warning:
/// for stereo, that is more than 6 dB below the channels' average power (unrelated channels lose
/// 3 dB by themselves).
const DOWNMIX_CANCEL_WARN_DB: f64 = 3.0;

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

    /// The same bytes as [`Tone::sln_bytes`], borrowed from the samples where the machine is
    /// little-endian (no copy), encoded otherwise.
    ///
    /// ```
    /// # fn main() -> ringforge::Result<()> {
    /// use ringforge::{convert_bytes, signal, Options};
    /// let wav = signal::wav_i16(16_000, 1, &signal::sine(440.0, 0.5, 16_000, 1_600));
    /// let tone = convert_bytes(&wav, Some("wav"), &Options::default())?;
    /// assert_eq!(&*tone.sln(), &tone.sln_bytes()[..]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn sln(&self) -> Cow<'_, [u8]> {
        sln::as_le_bytes(&self.samples)
    }

    /// Lowercase hex MD5 of [`Tone::sln_bytes`], as the phone XML's `md5` attribute wants it.
    pub fn md5_hex(&self) -> String {
        use md5::{Digest, Md5};
        crate::manifest::hex(&Md5::digest(&*self.sln()))
    }

    /// The report as `ringforge convert --report json` gives it for one file, less what only a
    /// file on disk has (`input`, `id`, `output`): the [`Report`]'s fields, `md5`, `status`
    /// ([`Report::status`]) and `warnings_text` (each warning's message). The Python and
    /// JavaScript packages return it as the tone's report.
    ///
    /// ```
    /// # fn main() -> ringforge::Result<()> {
    /// use ringforge::{convert_bytes, signal, Options};
    /// let wav = signal::wav_i16(8_000, 1, &signal::sine(440.0, 0.5, 8_000, 800));
    /// let tone = convert_bytes(&wav, Some("wav"), &Options::default())?;
    /// let json = tone.report_json();
    /// assert_eq!(json["md5"], tone.md5_hex());
    /// assert_eq!(json["status"], "warned");
    /// assert_eq!(json["warnings"][0]["kind"], "upsampled");
    /// assert_eq!(json["bytes"], 3_200); // 0.1 s at 16 kHz, two bytes a sample
    /// # Ok(())
    /// # }
    /// ```
    pub fn report_json(&self) -> serde_json::Value {
        let report = &self.report;
        let mut v = serde_json::to_value(report).expect("a report serialises");
        if let Some(map) = v.as_object_mut() {
            map.insert("md5".into(), self.md5_hex().into());
            map.insert("status".into(), report.status().into());
            let texts: Vec<serde_json::Value> = report
                .warnings
                .iter()
                .map(|w| w.to_string().into())
                .collect();
            map.insert("warnings_text".into(), texts.into());
        }
        v
    }

    /// Writes the tone to `path` atomically (temporary file in the same folder, fsync, rename):
    /// an existing file is replaced whole or left untouched.
    pub fn write_sln(&self, path: impl AsRef<Path>) -> Result<()> {
        sln::write_atomic(path.as_ref(), &self.sln())
    }
}

/// Converts the audio file at `path`.
///
/// The file is read as it is decoded, never whole, and decoding stops as soon as the part the
/// tone needs (see [`Options::start`], [`Options::length`], [`Options::max_bytes`]) has been
/// decoded, plus the few milliseconds the resampler needs to settle.
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

pub(crate) fn convert_source<'s>(
    mut source: Box<dyn MediaSource + 's>,
    hint: Option<&str>,
    opts: &Options,
) -> Result<Tone> {
    opts.validate()?;
    let seed = crate::fingerprint::dither_seed(&mut source, opts).map_err(|e| Error::Corrupt {
        reason: format!("the source could not be read: {e}"),
    })?;
    let decoder = Decoder::open(source, hint, &opts.limits)?;
    let part = read_part(decoder, opts)?;
    make_tone(part, opts, seed)
}

/// Which part of the source the tone is made from, in source frames and in 16 kHz output
/// samples of the whole source's conversion (the coordinates every cut is made in).
#[derive(Clone, Copy, Debug)]
struct Window {
    rate: u32,
    /// Kept audio always starts on a multiple of this many source frames: one resampler block,
    /// so the part is resampled on the same block grid as the whole source would be and its
    /// samples are those of the whole source's conversion.
    step: u64,
    /// Source frames the resampler needs around a sample to settle it.
    tail: u64,
    /// First output sample of the selection (`round(start × 16000)`).
    start_out: u64,
    /// First source frame of the selection.
    start_src: u64,
    /// End of the selection in output samples (exclusive), when a length was given.
    end_out: Option<u64>,
    /// Source frames of the trim margin.
    margin_src: u64,
}

impl Window {
    fn new(rate: u32, opts: &Options) -> Window {
        let r = f64::from(TARGET_RATE);
        let start_out = opts.start.map_or(0, |s| (s * r).round() as u64);
        let end_out = opts
            .length
            .map(|l| start_out + ((l * r).round() as u64).max(1));
        let (step, tail) = if rate == TARGET_RATE {
            (1, 0)
        } else {
            let (block_in, _) = resample::block_sizes(rate);
            (block_in as u64, resample::tail_frames(rate))
        };
        let mut w = Window {
            rate,
            step,
            tail,
            start_out,
            start_src: 0,
            end_out,
            margin_src: 0,
        };
        w.start_src = w.src_floor(start_out);
        w.margin_src = w.src_ceil(condition::TRIM_MARGIN_SAMPLES as u64);
        w
    }

    fn out_floor(&self, src: u64) -> u64 {
        src * u64::from(TARGET_RATE) / u64::from(self.rate)
    }

    fn out_ceil(&self, src: u64) -> u64 {
        resample::output_len(src, self.rate)
    }

    fn src_floor(&self, out: u64) -> u64 {
        out * u64::from(self.rate) / u64::from(TARGET_RATE)
    }

    fn src_ceil(&self, out: u64) -> u64 {
        (out * u64::from(self.rate)).div_ceil(u64::from(TARGET_RATE))
    }

    fn align_down(&self, src: u64) -> u64 {
        src / self.step * self.step
    }

    /// Source frames (exclusive end) needed to settle the selection's last sample.
    fn selection_end_src(&self) -> Option<u64> {
        self.end_out.map(|e| self.src_ceil(e) + self.tail)
    }

    /// Source frames (exclusive end) needed to settle `max_out + 1` samples from `content_start`
    /// (one more than fits, to know that the source does not fit). `slack` adds frames for the
    /// 16 kHz silence detection, which may start a little later than the source-rate one.
    fn cap_end_src(&self, content_start: u64, max_out: u64, slack: u64) -> u64 {
        self.src_ceil(self.out_floor(content_start) + max_out + 1) + self.tail + slack
    }
}

/// The decoded and mixed part of a source.
struct Part {
    info: SourceInfo,
    window: Window,
    /// Mono audio at the source rate, starting at source frame `first_frame`.
    mono: Vec<f32>,
    first_frame: u64,
    /// Whether the source goes on after what `mono` holds (decoding stopped, or frames past the
    /// part that can be used were not kept).
    more_after: bool,
    /// Whether decoding stopped because the size cap was reached.
    cut_by_cap: bool,
    /// How much the mono mix lost against its channels, when it cancelled enough to warn.
    downmix_loss_db: Option<f64>,
}

/// Why reading stopped before the source's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// The selection (`start` and `length`) is covered, resampler tail included.
    SelectionCovered,
    /// The size cap is covered (`on_oversize = fit`): the tone is cut there.
    CapReached,
    /// The content is longer than the cap (`on_oversize = error`).
    TooLarge,
}

/// Decodes what the tone needs: skips what comes before the start (and, when trimming, before
/// the first sound), and stops once the selection or the size cap is covered plus the
/// resampler's tail.
fn read_part(mut decoder: Decoder<'_>, opts: &Options) -> Result<Part> {
    let mut reader = PartReader::new(opts);
    if opts.start.is_some() {
        reader.seek_to_start(&mut decoder);
    }
    let mut stop = None;
    while stop.is_none() && decoder.next_block()? {
        stop = reader.take_block(&decoder);
    }
    if stop.is_some() {
        decoder.stop_early();
    }
    reader.finish(decoder.into_info(), stop)
}

/// What [`read_part`] has read so far: the mono audio kept, where sound was found, and what
/// was left out.
struct PartReader<'o> {
    opts: &'o Options,
    max_out: u64,
    /// The trim threshold as a linear level, when trimming.
    threshold: Option<f32>,
    energy: Energy,
    mix: Option<MonoMix>,
    window: Option<Window>,
    /// The latest block, mixed to mono (only when trimming: otherwise blocks are mixed straight
    /// into `mono`).
    block: Vec<f32>,
    /// The kept audio, from source frame `first_frame`.
    mono: Vec<f32>,
    first_frame: u64,
    /// Source frames decoded so far.
    total: u64,
    first_sound: Option<u64>,
    last_sound: Option<u64>,
    /// Whether frames past what can be used were decoded and not kept.
    dropped_after: bool,
    /// While trimming finds no sound, the selection's first cap-full is kept aside, from
    /// `head_first`: a source that is silent throughout becomes a (silent, warned) tone rather
    /// than nothing.
    head: Vec<f32>,
    head_first: Option<u64>,
    /// Kept audio starts on the resampler's block grid, from here.
    grid_start: u64,
}

impl<'o> PartReader<'o> {
    fn new(opts: &'o Options) -> Self {
        PartReader {
            opts,
            max_out: opts.max_samples(),
            threshold: opts.trim_silence.map(|db| condition::db_to_gain(db) as f32),
            energy: Energy::default(),
            mix: None,
            window: None,
            block: Vec::new(),
            mono: Vec::new(),
            first_frame: 0,
            total: 0,
            first_sound: None,
            last_sound: None,
            dropped_after: false,
            head: Vec::new(),
            head_first: None,
            grid_start: 0,
        }
    }

    /// Jumps to the start where that is exact, keeping the resampler's run-up before it.
    fn seek_to_start(&mut self, decoder: &mut Decoder<'_>) {
        let w = Window::new(decoder.info().sample_rate, self.opts);
        let run_up = w.align_down(w.start_src.saturating_sub(2 * w.tail + w.margin_src));
        if let Some(at) = decoder.seek_to_frame(run_up) {
            self.total = at;
            self.first_frame = at;
            // The seek may land between block boundaries: kept audio starts on the grid.
            self.grid_start = at.div_ceil(w.step) * w.step;
        }
    }

    /// Mixes the decoder's current block, keeps what the tone can use, and says whether
    /// reading can stop.
    fn take_block(&mut self, decoder: &Decoder<'_>) -> Option<Stop> {
        let opts = self.opts;
        let w = *self
            .window
            .get_or_insert_with(|| Window::new(decoder.info().sample_rate, opts));
        let direct = self.threshold.is_none();
        let mixed = self.mix_block(decoder, w, direct);
        let block_start = self.total;
        self.total += mixed as u64;

        let selection_end = w.end_out.map(|e| w.src_ceil(e));
        if self.threshold.is_some() {
            self.find_sound(w, block_start, selection_end);
        }
        // Where the tone's content starts, once known.
        let content_start = match self.threshold {
            None => Some(w.start_src),
            Some(_) => self
                .first_sound
                .map(|f| f.saturating_sub(w.margin_src).max(w.start_src)),
        };
        let slack = if self.threshold.is_some() { w.tail } else { 0 };
        let cap_end = content_start.map(|c| w.cap_end_src(c, self.max_out, slack));
        let store_end = match (cap_end, w.selection_end_src()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };

        self.keep_head(w, block_start);
        self.keep_block(block_start, mixed, store_end, direct);
        self.forget_before(w, content_start, slack);
        self.stop(w, content_start, cap_end, selection_end)
    }

    /// Mixes the block to mono: straight into the part when not trimming (nothing looks at a
    /// block before it is kept, so a copy of every sample is spared), else into `block`.
    /// Returns the frames mixed.
    fn mix_block(&mut self, decoder: &Decoder<'_>, w: Window, direct: bool) -> usize {
        let planes = decoder.planes();
        let channel = self.opts.channel;
        let m = self
            .mix
            .get_or_insert_with(|| mono_mix(channel, decoder.layout(), planes.len()));
        if !direct {
            self.block.clear();
            m.mix_into(planes, &mut self.block, &mut self.energy);
            return self.block.len();
        }
        if self.mono.capacity() == 0 {
            // Room for all the part will hold, when the source states its length: growing
            // by doubling would copy it over and over. Never more than the cap lets in.
            let declared = decoder.info().declared_seconds;
            if let Some(frames) = declared.map(|s| (s * f64::from(w.rate)).ceil() as u64) {
                let cap = w.cap_end_src(w.start_src, self.max_out, 0);
                let end = w.selection_end_src().map_or(cap, |e| e.min(cap));
                let planned = frames.min(end).saturating_sub(self.first_frame);
                self.mono
                    .reserve(planned as usize + planes.first().map_or(0, Vec::len));
            }
        }
        let before = self.mono.len();
        m.mix_into(planes, &mut self.mono, &mut self.energy);
        self.mono.len() - before
    }

    /// Notes the first and last sound in the block, within the selection.
    fn find_sound(&mut self, w: Window, block_start: u64, selection_end: Option<u64>) {
        let Some(t) = self.threshold else { return };
        let lo = block_start.max(w.start_src);
        let hi = selection_end.map_or(self.total, |e| self.total.min(e));
        if lo < hi {
            let slice = &self.block[(lo - block_start) as usize..(hi - block_start) as usize];
            if let Some(i) = slice.iter().position(|s| s.abs() >= t) {
                self.first_sound.get_or_insert(lo + i as u64);
            }
            if let Some(i) = slice.iter().rposition(|s| s.abs() >= t) {
                self.last_sound = Some(lo + i as u64);
            }
        }
    }

    /// While trimming has found no sound, keeps the block's part of the first cap-full aside;
    /// once it has, lets that go.
    fn keep_head(&mut self, w: Window, block_start: u64) {
        if self.threshold.is_some() && self.first_sound.is_none() {
            let grid_start = self.grid_start;
            let from = *self.head_first.get_or_insert(
                w.align_down(w.start_src.saturating_sub(w.tail))
                    .max(grid_start),
            );
            let to = w.cap_end_src(w.start_src, self.max_out, 0);
            let lo = block_start.max(from + self.head.len() as u64);
            let hi = self.total.min(to);
            if lo < hi {
                self.head.extend_from_slice(
                    &self.block[(lo - block_start) as usize..(hi - block_start) as usize],
                );
            }
        } else if !self.head.is_empty() {
            self.head = Vec::new();
        }
    }

    /// Keeps the block up to `store_end`, what can be used.
    fn keep_block(&mut self, block_start: u64, mixed: usize, store_end: Option<u64>, direct: bool) {
        let keep = store_end.map_or(mixed as u64, |e| {
            e.saturating_sub(block_start).min(mixed as u64)
        });
        if keep < mixed as u64 {
            self.dropped_after = true;
        }
        if direct {
            self.mono
                .truncate(self.mono.len() - (mixed - keep as usize));
        } else {
            self.mono.extend_from_slice(&self.block[..keep as usize]);
        }
    }

    /// Forgets what lies before the part, keeping the resampler's run-up.
    fn forget_before(&mut self, w: Window, content_start: Option<u64>, slack: u64) {
        let anchor = content_start.unwrap_or(self.total.saturating_sub(w.margin_src));
        let keep_from = w
            .align_down(anchor.saturating_sub(w.tail + slack))
            .max(self.grid_start);
        if keep_from > self.first_frame {
            let n = ((keep_from - self.first_frame) as usize).min(self.mono.len());
            self.mono.drain(..n);
            self.first_frame += n as u64;
        }
    }

    /// Whether reading can stop after this block, and why.
    fn stop(
        &self,
        w: Window,
        content_start: Option<u64>,
        cap_end: Option<u64>,
        selection_end: Option<u64>,
    ) -> Option<Stop> {
        if self.opts.on_oversize == Oversize::Error {
            if let Some(c) = content_start {
                let extent_end = match self.threshold {
                    None => self.total,
                    Some(_) => self.last_sound.map_or(c, |l| l + 1 + w.margin_src),
                };
                let extent_end = selection_end.map_or(extent_end, |e| extent_end.min(e));
                if w.out_ceil(extent_end).saturating_sub(w.out_floor(c)) > self.max_out {
                    return Some(Stop::TooLarge);
                }
            }
        }
        if w.selection_end_src().is_some_and(|e| self.total >= e) {
            return Some(Stop::SelectionCovered);
        }
        if self.opts.on_oversize == Oversize::Fit && cap_end.is_some_and(|e| self.total >= e) {
            return Some(Stop::CapReached);
        }
        None
    }

    /// The part read, or why there is none.
    fn finish(self, info: SourceInfo, stop: Option<Stop>) -> Result<Part> {
        let Some(w) = self.window else {
            return Err(Error::Empty);
        };
        if self.total == 0 {
            return Err(Error::Empty);
        }
        if self.total <= w.start_src {
            return Err(Error::Invalid(format!(
                "--start {:.3} s is past the end of the source ({:.3} s) — choose an earlier start",
                self.opts.start.unwrap_or(0.0),
                info.end_seconds()
            )));
        }
        if stop == Some(Stop::TooLarge) {
            return Err(self.too_large(&info, w));
        }
        let cut_by_cap = stop == Some(Stop::CapReached);
        let downmix_loss_db = match (self.opts.channel, &self.mix) {
            (ChannelPick::Mix, Some(m)) => self
                .energy
                .loss_db(m.weights())
                .filter(|(_, cancelled)| *cancelled > DOWNMIX_CANCEL_WARN_DB)
                .map(|(lost, _)| lost),
            _ => None,
        };
        let (mono, first_frame, dropped_after, cut_by_cap) = match self.head_first {
            Some(from) if self.threshold.is_some() && self.first_sound.is_none() => {
                let end = from + self.head.len() as u64;
                let over = self.total >= w.cap_end_src(w.start_src, self.max_out, 0);
                let dropped = self.dropped_after || self.total > end;
                (self.head, from, dropped, cut_by_cap || over)
            }
            _ => (self.mono, self.first_frame, self.dropped_after, cut_by_cap),
        };
        Ok(Part {
            more_after: info.stopped_early || dropped_after,
            info,
            window: w,
            mono,
            first_frame,
            cut_by_cap,
            downmix_loss_db,
        })
    }

    /// The error for content longer than the cap: the size the whole selection would have.
    fn too_large(&self, info: &SourceInfo, w: Window) -> Error {
        let frames = info
            .declared_seconds
            .map_or(self.total, |s| (s * f64::from(w.rate)).round() as u64)
            .max(self.total);
        let end = w.out_ceil(frames);
        let end = w.end_out.map_or(end, |e| end.min(e));
        let samples = end.saturating_sub(w.start_out).max(self.max_out + 1);
        Error::TooLarge {
            bytes: samples * 2,
            seconds: samples as f64 / f64::from(TARGET_RATE),
            max_bytes: self.opts.max_bytes,
        }
    }
}

fn mono_mix(pick: ChannelPick, layout: Option<&Channels>, count: usize) -> MonoMix {
    match pick {
        ChannelPick::Left => MonoMix::single(count, 0),
        ChannelPick::Right => MonoMix::single(count, usize::from(count > 1)),
        _ => MonoMix::for_layout(layout, count),
    }
}

/// Resamples the part, cuts the selection, then trims, fits, sets the level, quantizes and
/// measures.
fn make_tone(part: Part, opts: &Options, seed: u64) -> Result<Tone> {
    let mut warnings = source_warnings(&part, opts);
    let (info, w, mut selection) = select(part)?;
    if selection.x.is_empty() {
        return Err(Error::Invalid(format!(
            "--start {:.3} s leaves nothing of the source ({:.3} s) — choose an earlier start",
            opts.start.unwrap_or(0.0),
            info.end_seconds()
        )));
    }
    let trimmed = shape(&mut selection, &info, w, opts, &mut warnings)?;
    let mut x = selection.x;
    let (gain_db, limiting) = set_level(&mut x, opts, &mut warnings);

    let (samples, stats) = quantize::quantize(&x, opts.dither, seed);
    let peak_dbfs = condition::peak_dbfs_i16(&samples);
    if stats.clipped > 0 {
        warnings.push(Warning::Clipped {
            samples: stats.clipped,
        });
    }
    if peak_dbfs < condition::SILENT_PEAK_DBFS {
        warnings.push(Warning::Silent { peak_dbfs });
    }
    // Measured on the samples as written, in the float buffer no longer needed.
    let loudness = condition::measure_i16_with(&samples, &mut x);
    drop(x);
    let n = samples.len() as u64;
    let report = Report {
        source: info,
        output_samples: n,
        bytes: n * 2,
        duration_seconds: n as f64 / f64::from(TARGET_RATE),
        peak_dbfs,
        clipped_samples: stats.clipped,
        gain_db,
        trimmed_start_seconds: trimmed.leading as f64 / f64::from(TARGET_RATE),
        trimmed_end_seconds: trimmed.trailing as f64 / f64::from(TARGET_RATE),
        loudness_lufs: loudness.integrated_lufs,
        true_peak_dbtp: loudness.true_peak_dbtp(),
        dithered: stats.dithered,
        limiting,
        warnings,
    };
    Ok(Tone { samples, report })
}

/// What the source and the mix warn of, before any conditioning.
fn source_warnings(part: &Part, opts: &Options) -> Vec<Warning> {
    let info = &part.info;
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
    if let Some(lost_db) = part.downmix_loss_db {
        warnings.push(Warning::DownmixLoss { lost_db });
    }
    warnings
}

/// The selection at 16 kHz.
struct Selection {
    x: Vec<f32>,
    /// Whether the selection ends before the source does (its end was cut).
    cut_end: bool,
    /// Whether decoding stopped at the size cap.
    cut_by_cap: bool,
    /// Output samples of silence dropped while decoding, before the selection's first sample.
    dropped_lead: usize,
}

/// Resamples the part to 16 kHz and cuts the selection, in whole-source output coordinates.
fn select(part: Part) -> Result<(SourceInfo, Window, Selection)> {
    let Part {
        info,
        window: w,
        mono,
        first_frame,
        more_after,
        cut_by_cap,
        ..
    } = part;
    let stored_end = first_frame + mono.len() as u64;
    let mut x = resample::to_16k(&mono, w.rate)?;
    drop(mono);
    let o0 = w.out_floor(first_frame);
    let mut end = x.len() as u64;
    if more_after {
        // The last samples did not see the audio after them: use only settled ones.
        let settled = w.out_floor(stored_end.saturating_sub(w.tail));
        end = end.min(settled.saturating_sub(o0));
    }
    let mut cut_end = more_after;
    if let Some(e) = w.end_out {
        let e = e.saturating_sub(o0);
        if e < x.len() as u64 {
            cut_end = true;
        }
        end = end.min(e);
    }
    let begin = w.start_out.saturating_sub(o0).min(end);
    let dropped_lead = (o0 + begin).saturating_sub(w.start_out) as usize;
    x.truncate(end as usize);
    x.drain(..begin as usize);
    let selection = Selection {
        x,
        cut_end,
        cut_by_cap,
        dropped_lead,
    };
    Ok((info, w, selection))
}

/// Trims silence, fits the tone under the cap (fading where it was cut) and fades in after a
/// cut start. Returns what was trimmed.
fn shape(
    selection: &mut Selection,
    info: &SourceInfo,
    w: Window,
    opts: &Options,
    warnings: &mut Vec<Warning>,
) -> Result<condition::Trimmed> {
    let x = &mut selection.x;
    let mut trimmed = match opts.trim_silence {
        Some(db) => condition::trim_silence(x, db, condition::TRIM_MARGIN_SAMPLES),
        None => condition::Trimmed::default(),
    };
    trimmed.leading += selection.dropped_lead;
    let max_out = opts.max_samples() as usize;
    let fade = (opts.fade_out_seconds * f64::from(TARGET_RATE)).round() as usize;
    let over = x.len() > max_out;
    if over && opts.on_oversize == Oversize::Error {
        let samples = x.len() as u64;
        return Err(Error::TooLarge {
            bytes: samples * 2,
            seconds: samples as f64 / f64::from(TARGET_RATE),
            max_bytes: opts.max_bytes,
        });
    }
    // A cut inside the sound fades out; a tone whose end was trimmed already ends in silence.
    let faded = if over || (selection.cut_end && trimmed.trailing == 0) {
        x.truncate(max_out);
        let fade = fade.min(x.len() / 2);
        condition::fade_out(x, fade);
        fade
    } else {
        0
    };
    if over || selection.cut_by_cap {
        let (source_seconds, source_seconds_known) = match info.declared_seconds {
            Some(s) => (s, true),
            None => (info.end_seconds(), !info.stopped_early),
        };
        warnings.push(Warning::Fitted {
            source_seconds,
            source_seconds_known,
            start_seconds: (w.start_out + trimmed.leading as u64) as f64 / f64::from(TARGET_RATE),
            kept_seconds: x.len() as f64 / f64::from(TARGET_RATE),
            fade_seconds: faded as f64 / f64::from(TARGET_RATE),
        });
    }
    if w.start_out > 0 && trimmed.leading == 0 {
        condition::fade_in(x, condition::FADE_IN_SAMPLES);
    }
    Ok(trimmed)
}

/// Sets the level: gain, normalisation, then never clip unless asked to. Returns the gain
/// applied in all and the limiting the loudness normalisation used.
fn set_level(
    x: &mut [f32],
    opts: &Options,
    warnings: &mut Vec<Warning>,
) -> (f64, Option<crate::report::Limiting>) {
    let mut gain_db = opts.gain_db;
    let mut limiting = None;
    condition::apply_gain(x, opts.gain_db);
    // A tone too short to measure its loudness (under 400 ms) is left as it is, with a warning.
    let unmeasurable =
        |x: &[f32]| condition::peak(x) > 0.0 && x.len() < TARGET_RATE as usize * 2 / 5;
    match opts.normalize {
        Some(Normalize::Peak { ceiling_dbfs }) => {
            if let Some(g) = condition::peak_gain_db(x, ceiling_dbfs, opts.dither) {
                condition::apply_gain(x, g);
                gain_db += g;
            }
        }
        Some(Normalize::Loudness {
            target_lufs,
            true_peak_ceiling_dbtp: ceiling,
        }) if opts.limiter => {
            match condition::normalize_loudness_limited(x, target_lufs, ceiling, opts.dither) {
                Some(n) => {
                    gain_db += n.gain_db;
                    limiting = n.limiting;
                    warnings.extend(n.warnings(target_lufs, ceiling));
                }
                None if unmeasurable(x) => warnings.push(Warning::NotNormalized),
                None => {}
            }
        }
        Some(Normalize::Loudness {
            target_lufs,
            true_peak_ceiling_dbtp: ceiling,
        }) => match condition::loudness_gain(x, target_lufs, ceiling, opts.dither) {
            Some(g) => {
                condition::apply_gain(x, g.gain_db);
                gain_db += g.gain_db;
                if g.limited {
                    warnings.push(Warning::LoudnessLimited {
                        target_lufs,
                        reached_lufs: g.measured_lufs + g.gain_db,
                        ceiling_dbtp: ceiling,
                    });
                }
            }
            None if unmeasurable(x) => warnings.push(Warning::NotNormalized),
            None => {}
        },
        None => {}
    }
    if !opts.clip {
        if let Some(g) = condition::anti_clip_gain_db(x, opts.dither) {
            condition::apply_gain(x, g);
            gain_db += g;
            warnings.push(Warning::GainReduced { gain_db: g });
        }
    }
    (gain_db, limiting)
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
