//! Measures what the README claims about sound quality, from the library's real output:
//! passband flatness, the −0.1 dB and −3 dB points, rejection of tones above 8 kHz, THD+N.
//!
//! Run: `cargo run --release --example measure`

#[path = "../tests/common/mod.rs"]
mod common;

use common::{db, spectrum, thd_n_db, to_f64, tone_amplitude};
use ringforge::{convert_bytes, signal, Dither, Options};

fn level_db(rate: u32, freq: f64, opts: &Options) -> f64 {
    let x = signal::sine(freq, 0.5, rate, rate as usize / 2);
    let wav = signal::wav_f32(rate, 1, &x);
    let t = convert_bytes(&wav, Some("wav"), opts).expect("convert");
    db(tone_amplitude(&to_f64(t.samples()), freq, 16_000.0) / 0.5)
}

/// Lowest frequency whose level is below `threshold` dB, by bisection between `lo` and `hi`.
fn corner(rate: u32, threshold: f64, opts: &Options) -> f64 {
    let (mut lo, mut hi) = (6_000.0, 7_999.0);
    for _ in 0..24 {
        let mid = (lo + hi) / 2.0;
        if level_db(rate, mid, opts) < threshold {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    lo
}

fn main() {
    let mut plain = Options::default();
    plain.dither = Dither::None;
    let dithered = Options::default();
    println!(
        "ringforge {} — resampling to 16 kHz, measured on its own output",
        env!("CARGO_PKG_VERSION")
    );
    println!();
    println!("| source rate | worst deviation 50 Hz–7.45 kHz | −0.1 dB point | −3 dB point | strongest output bin for 8.5 / 12 / 20 kHz at −0.1 dBFS | THD+N, 1 kHz at −6 dBFS (16-bit, TPDF) |");
    println!("|---|---|---|---|---|---|");
    for rate in [22_050u32, 44_100, 48_000, 96_000] {
        let mut worst: f64 = 0.0;
        let mut f = 50.0;
        while f <= 7_450.0 {
            worst = worst.max(level_db(rate, f, &plain).abs());
            f += if f < 7_000.0 { 350.0 } else { 50.0 };
        }
        let c01 = corner(rate, -0.1, &plain);
        let c3 = corner(rate, -3.0, &plain);
        let aliases: Vec<String> = [8_500.0, 12_000.0, 20_000.0]
            .iter()
            .map(|&freq| {
                if freq >= f64::from(rate) / 2.0 {
                    return "—".to_string();
                }
                let x = signal::sine(freq, 0.99, rate, rate as usize * 2);
                let t =
                    convert_bytes(&signal::wav_f32(rate, 1, &x), Some("wav"), &dithered).unwrap();
                let spec = spectrum(&to_f64(t.samples()), 16_384);
                format!("{:.0} dBFS", db(spec.iter().cloned().fold(1e-12, f64::max)))
            })
            .collect();
        let x = signal::sine(1_000.0, 0.5, rate, rate as usize);
        let t = convert_bytes(&signal::wav_f32(rate, 1, &x), Some("wav"), &dithered).unwrap();
        let thdn = thd_n_db(&to_f64(t.samples()), 1_000.0, 16_000.0);
        println!(
            "| {:.2} kHz | {worst:.4} dB | {:.0} Hz | {:.0} Hz | {} | {thdn:.1} dB |",
            f64::from(rate) / 1000.0,
            c01,
            c3,
            aliases.join(" / ")
        );
    }
}
