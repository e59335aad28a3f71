//! What the true-peak limiter costs a conversion, in time: converts one file in memory with
//! `--normalize loudness` and the limiter on, then off, interleaved, and prints the fastest,
//! the tenth percentile and the median of each.
//!
//! ```sh
//! MALLOC_MMAP_THRESHOLD_=4000000000 MALLOC_TRIM_THRESHOLD_=4000000000 \
//!   cargo run --release --example limiter_cost -- tests/fixtures/loudness/orchestral.mp3 300
//! ```
//!
//! (The two glibc settings keep large buffers in the heap: left to its own thresholds, glibc
//! hands them back to the kernel and faults them in again, which costs either build more than
//! the limiter does.)

use std::time::Instant;

use ringforge::{convert_bytes, Normalize, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: limiter_cost FILE [RUNS]")?;
    let runs: usize = args.next().map_or(Ok(300), |n| n.parse())?;
    let data = std::fs::read(&path)?;
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_owned());
    let options = |limiter: bool| {
        let mut o = Options::default();
        o.normalize = Some(Normalize::loudness());
        o.limiter = limiter;
        o
    };
    let (on, off) = (options(true), options(false));
    let mut times = [Vec::new(), Vec::new()];
    for run in 0..runs {
        // Alternate which goes first, so neither always follows the other.
        let order = if run % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let start = Instant::now();
            let tone = convert_bytes(&data, ext.as_deref(), if which == 0 { &on } else { &off })?;
            times[which].push(start.elapsed().as_secs_f64() * 1e3);
            std::hint::black_box(tone);
        }
    }
    for t in &mut times {
        t.sort_by(f64::total_cmp);
    }
    let at = |t: &[f64], q: f64| t[((t.len() - 1) as f64 * q) as usize];
    for (name, t) in ["limiter on ", "limiter off"].iter().zip(&times) {
        println!(
            "{name}: fastest {:.3} ms, p10 {:.3} ms, median {:.3} ms",
            at(t, 0.0),
            at(t, 0.1),
            at(t, 0.5)
        );
    }
    for (label, q) in [("fastest", 0.0), ("p10", 0.1), ("median", 0.5)] {
        let extra = at(&times[0], q) / at(&times[1], q) - 1.0;
        println!("extra at {label}: {:+.1} %", extra * 100.0);
    }
    Ok(())
}
