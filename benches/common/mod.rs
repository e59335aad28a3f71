//! Inputs and settings shared by the benches.
//!
//! Throughput is counted in **milliseconds of audio**: criterion's `elem/s` is then milliseconds
//! of audio per second, so **`Kelem/s` reads directly as "× realtime"** (1.5 Melem/s = 1,500×
//! realtime), whatever the sample rate, and numbers compare across machines as ratios.

#![allow(dead_code)] // each bench uses part of this

use std::time::{Duration, Instant};

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BenchmarkGroup, Criterion, Throughput};
use ringforge::signal;

/// What the benches time: wall time (criterion's default), or — with `RINGFORGE_BENCH_CLOCK=cpu`
/// — the CPU time of the whole process (all threads), which a busy shared machine disturbs far
/// less. With the CPU clock the batch bench reads as "× realtime per core".
pub struct Clock {
    cpu: bool,
    wall: WallTime,
}

impl Clock {
    fn from_env() -> Clock {
        Clock {
            cpu: std::env::var("RINGFORGE_BENCH_CLOCK").is_ok_and(|v| v == "cpu"),
            wall: WallTime,
        }
    }
}

fn process_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the OS defines.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

impl Measurement for Clock {
    type Intermediate = (Instant, Duration);
    type Value = Duration;

    fn start(&self) -> Self::Intermediate {
        let cpu = if self.cpu {
            process_cpu_time()
        } else {
            Duration::ZERO
        };
        (Instant::now(), cpu)
    }

    fn end(&self, (wall, cpu): Self::Intermediate) -> Self::Value {
        if self.cpu {
            process_cpu_time().saturating_sub(cpu)
        } else {
            wall.elapsed()
        }
    }

    fn add(&self, a: &Self::Value, b: &Self::Value) -> Self::Value {
        *a + *b
    }

    fn zero(&self) -> Self::Value {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Self::Value) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}

/// The criterion configuration every bench uses.
pub fn config() -> Criterion<Clock> {
    Criterion::default().with_measurement(Clock::from_env())
}

/// Length of the synthetic sources: a ringtone's length.
pub const SECONDS: usize = 30;

/// The committed sample sources, one per compressed format (see assets/README.md).
pub const MP3: &[u8] = include_bytes!("../../assets/office/front-desk-chime.mp3");
pub const FLAC: &[u8] = include_bytes!("../../assets/melodies/morning_melody.flac");
pub const OGG: &[u8] = include_bytes!("../../assets/melodies/evening-chords.ogg");
pub const M4A: &[u8] = include_bytes!("../../assets/marimba-arpeggio.m4a");

/// Short settings so `cargo bench` on two cores finishes in a few minutes.
pub fn quick<M: criterion::measurement::Measurement>(g: &mut BenchmarkGroup<'_, M>) {
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

/// Throughput for `frames` frames at `rate` Hz, in milliseconds of audio.
pub fn audio(frames: usize, rate: u32) -> Throughput {
    Throughput::Elements((frames as u64 * 1000).div_ceil(u64::from(rate)))
}

/// A music-like mono test signal: a sweep across the band plus a quieter steady tone and
/// deterministic noise, peak about −6 dBFS.
pub fn programme(rate: u32, frames: usize, variant: u32) -> Vec<f32> {
    let top = (f64::from(rate) * 0.45).min(18_000.0);
    let sweep = signal::sweep(100.0 + 37.0 * f64::from(variant), top, 0.3, rate, frames);
    let tone = signal::sine(330.0 + 55.0 * f64::from(variant), 0.15, rate, frames);
    let mut state = 0x2545_f491_u32 ^ variant;
    sweep
        .iter()
        .zip(&tone)
        .map(|(a, b)| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = f32::from((state >> 16) as u16 as i16) / 32_768.0 * 0.05;
            a + b + noise
        })
        .collect()
}

/// A 16-bit stereo WAV file of `SECONDS` seconds at `rate` Hz (different content in each channel).
pub fn wav_stereo(rate: u32, seconds: usize) -> Vec<u8> {
    let frames = rate as usize * seconds;
    let l = programme(rate, frames, 0);
    let r = programme(rate, frames, 1);
    signal::wav_i16(rate, 2, &signal::interleave(&[l, r]))
}
