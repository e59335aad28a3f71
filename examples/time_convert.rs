//! Times the library on one file: converts it `N` times in memory with the default options and
//! prints the median and the fastest wall time, the reference the Python and JavaScript packages are measured
//! against (`scripts/bench-bindings.sh`).
//!
//! Run: `cargo run --release --no-default-features --example time_convert -- FILE [N]`

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: time_convert FILE [N]");
    let n: usize = args
        .next()
        .map_or(10, |s| s.parse().expect("N is a number"));
    let data = std::fs::read(&path).expect("read the file");
    let hint = std::path::Path::new(&path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_owned);
    let opts = ringforge::Options::default();
    let mut times = Vec::with_capacity(n);
    let mut md5 = String::new();
    for _ in 0..n {
        let t0 = Instant::now();
        let tone = ringforge::convert_bytes(&data, hint.as_deref(), &opts).expect("convert");
        times.push(t0.elapsed().as_secs_f64());
        md5 = tone.md5_hex();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "rust   median {:.1} ms, fastest {:.1} ms over {n} runs  md5 {md5}",
        times[n / 2] * 1e3,
        times[0] * 1e3
    );
}
