//! The part reader: decodes what the tone needs and nothing more — the part asked for, mixed
//! to mono as it streams, found and kept within the size cap — and stops.

use symphonia::core::audio::Channels;

use crate::options::{ChannelPick, Oversize};
use crate::pipeline::condition;
use crate::pipeline::decode::Decoder;
use crate::pipeline::downmix::{Energy, MonoMix};
use crate::pipeline::resample::{self, TARGET_RATE};
use crate::report::SourceInfo;
use crate::{Error, Options, Result};

/// A mono mix more than this many dB below what unrelated channels would give raises a warning:
/// for stereo, that is more than 6 dB below the channels' average power (unrelated channels lose
/// 3 dB by themselves).
const DOWNMIX_CANCEL_WARN_DB: f64 = 3.0;

/// Which part of the source the tone is made from, in source frames and in 16 kHz output
/// samples of the whole source's conversion (the coordinates every cut is made in).
#[derive(Clone, Copy, Debug)]
pub(super) struct Window {
    pub(super) rate: u32,
    /// Kept audio always starts on a multiple of this many source frames: one resampler block,
    /// so the part is resampled on the same block grid as the whole source would be and its
    /// samples are those of the whole source's conversion.
    pub(super) step: u64,
    /// Source frames the resampler needs around a sample to settle it.
    pub(super) tail: u64,
    /// First output sample of the selection (`round(start × 16000)`).
    pub(super) start_out: u64,
    /// First source frame of the selection.
    pub(super) start_src: u64,
    /// End of the selection in output samples (exclusive), when a length was given.
    pub(super) end_out: Option<u64>,
    /// Source frames of the trim margin.
    pub(super) margin_src: u64,
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

    pub(super) fn out_floor(&self, src: u64) -> u64 {
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
pub(super) struct Part {
    pub(super) info: SourceInfo,
    pub(super) window: Window,
    /// Mono audio at the source rate, starting at source frame `first_frame`.
    pub(super) mono: Vec<f32>,
    pub(super) first_frame: u64,
    /// Whether the source goes on after what `mono` holds (decoding stopped, or frames past the
    /// part that can be used were not kept).
    pub(super) more_after: bool,
    /// Whether decoding stopped because the size cap was reached.
    pub(super) cut_by_cap: bool,
    /// How much the mono mix lost against its channels, when it cancelled enough to warn.
    pub(super) downmix_loss_db: Option<f64>,
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
pub(super) fn read_part(mut decoder: Decoder<'_>, opts: &Options) -> Result<Part> {
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
                "the start (`start={:.3}`) is past the end of the source ({:.3} s) — choose an \
                 earlier start",
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
