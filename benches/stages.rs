//! One bench per pipeline stage: decode (per format), downmix, resample (per source rate),
//! measure (loudness and true peak), limit (loudness normalisation with the true-peak limiter),
//! quantize and encode. Reference rows show why four stages
//! are not the crates the rest of the pipeline uses: MP3 and FLAC through symphonia's own
//! decoders, the tone meter through the ebur128 crate, and the resampler against rubato's.
//!
//! Throughput is in milliseconds of audio, so `Kelem/s` reads as "× realtime" on one core (see
//! `benches/common/mod.rs`). Run with `cargo bench --bench stages`; one group with
//! `cargo bench --bench stages -- resample`.

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use ringforge::pipeline::decode::Decoder;
use ringforge::pipeline::downmix::{Energy, MonoMix};
use ringforge::pipeline::{loudness, quantize, resample};
use ringforge::{sln, Dither, Limits};

mod common;
use common::{audio, programme, quick, Clock, SECONDS};

/// Decodes a whole file; returns the frames decoded (and their rate).
fn decode_all(bytes: &'static [u8], hint: &str) -> (usize, u32) {
    let mut d = Decoder::open(Box::new(Cursor::new(bytes)), Some(hint), &Limits::default())
        .expect("bench input opens");
    let mut frames = 0;
    while d.next_block().expect("bench input decodes") {
        frames += d.planes()[0].len();
    }
    (frames, d.info().sample_rate)
}

fn decode(c: &mut Criterion<Clock>) {
    // WAV: 30 s of 48 kHz 16-bit stereo, made in memory; the others are the committed samples
    // (5–10 s of music-like material each).
    let wav: &'static [u8] = Box::leak(common::wav_stereo(48_000, SECONDS).into_boxed_slice());
    let inputs: [(&str, &'static [u8], &str); 5] = [
        ("wav-s16-48k-stereo", wav, "wav"),
        ("mp3-vbr-44k1-stereo", common::MP3, "mp3"),
        ("flac-24bit-48k-stereo", common::FLAC, "flac"),
        ("ogg-vorbis-48k-stereo", common::OGG, "ogg"),
        ("m4a-aac-44k1-stereo", common::M4A, "m4a"),
    ];
    let mut g = c.benchmark_group("decode");
    quick(&mut g);
    for (name, bytes, hint) in inputs {
        let (frames, rate) = decode_all(bytes, hint);
        g.throughput(audio(frames, rate));
        g.bench_with_input(BenchmarkId::from_parameter(name), &bytes, |b, bytes| {
            b.iter(|| decode_all(black_box(bytes), hint))
        });
    }
    // Reference: the same MP3 through symphonia's decoder, which the pipeline does not use for
    // native MPEG audio (see `src/pipeline/decode/mpeg.rs`).
    let (frames, rate) = decode_all(common::MP3, "mp3");
    g.throughput(audio(frames, rate));
    g.bench_with_input(
        BenchmarkId::from_parameter("mp3-vbr-44k1-stereo-symphonia-reference"),
        &common::MP3,
        |b, bytes| b.iter(|| symphonia_frames(black_box(bytes))),
    );
    // The same for FLAC, whose frames go to rusty_flac (see `src/pipeline/decode/flac.rs`). Like the MP3
    // row, this one stops at symphonia's decoded buffers: no conversion to `f32` planes.
    let (frames, rate) = decode_all(common::FLAC, "flac");
    g.throughput(audio(frames, rate));
    g.bench_with_input(
        BenchmarkId::from_parameter("flac-24bit-48k-stereo-symphonia-reference"),
        &common::FLAC,
        |b, bytes| b.iter(|| symphonia_frames(black_box(bytes))),
    );
    g.finish();
}

/// Decodes a file with symphonia's own format reader and decoder; returns the frames.
fn symphonia_frames(bytes: &'static [u8]) -> usize {
    use symphonia::core::formats::{probe::Hint, TrackType};
    use symphonia::core::io::MediaSourceStream;
    let mss = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let mut format = symphonia::default::get_probe()
        .probe(&Hint::new(), mss, Default::default(), Default::default())
        .expect("bench input opens");
    let track = format.default_track(TrackType::Audio).expect("audio track");
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .expect("audio parameters")
        .clone();
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &Default::default())
        .expect("decoder");
    let mut frames = 0;
    while let Ok(Some(packet)) = format.next_packet() {
        frames += decoder
            .decode(&packet)
            .expect("bench input decodes")
            .frames();
    }
    frames
}

fn measure(c: &mut Criterion<Clock>) {
    let frames = 16_000 * SECONDS;
    let x = programme(16_000, frames, 0);
    let (q, _) = quantize::quantize(&x, Dither::Tpdf, 42);
    let mut g = c.benchmark_group("measure");
    quick(&mut g);
    g.throughput(audio(frames, 16_000));
    g.bench_with_input(BenchmarkId::from_parameter("tone-meter"), &q, |b, q| {
        b.iter(|| loudness::measure_i16(black_box(q)))
    });
    // The true peak alone (part of the row above): the scan the meter spends most on.
    let x: Vec<f32> = q.iter().map(|&s| f32::from(s) / 32_768.0).collect();
    g.bench_with_input(BenchmarkId::from_parameter("true-peak"), &x, |b, x| {
        b.iter(|| loudness::true_peak(black_box(x)))
    });
    // Reference: the ebur128 crate measuring the same (the pipeline's meter agrees with it to
    // 1e-6 LU and 1e-6 in true peak; `tests/condition.rs`).
    g.bench_with_input(
        BenchmarkId::from_parameter("ebur128-reference"),
        &q,
        |b, q| {
            b.iter(|| {
                let mut m =
                    ebur128::EbuR128::new(1, 16_000, ebur128::Mode::I | ebur128::Mode::TRUE_PEAK)
                        .expect("mono 16 kHz");
                m.add_frames_i16(black_box(q)).expect("frames");
                (m.loudness_global().ok(), m.true_peak(0).ok())
            })
        },
    );
    g.finish();
}

/// Loudness normalisation with the true-peak limiter, against the gain alone and against the
/// whole conversion of the same file: the dynamic orchestral fixture (12 s MP3), which the
/// limiter has to work on (about 5 dB off its peaks).
fn limit(c: &mut Criterion<Clock>) {
    use ringforge::pipeline::condition;
    use ringforge::{convert_bytes, Normalize, Options};
    let mp3: &'static [u8] = include_bytes!("../tests/fixtures/loudness/orchestral.mp3");
    let mut plain = Options::default();
    plain.dither = Dither::None;
    let tone = convert_bytes(mp3, Some("mp3"), &plain).expect("fixture converts");
    let x: Vec<f32> = tone
        .samples()
        .iter()
        .map(|&s| f32::from(s) / 32_768.0)
        .collect();
    let mut g = c.benchmark_group("limit");
    quick(&mut g);
    g.throughput(audio(x.len(), 16_000));
    g.bench_with_input(
        BenchmarkId::from_parameter("loudness-limited"),
        &x,
        |b, x| {
            b.iter(|| {
                let mut y = x.clone();
                condition::normalize_loudness_limited(&mut y, -16.0, -1.0, Dither::Tpdf)
            })
        },
    );
    // The gain alone, held by the ceiling (`--limiter off`).
    g.bench_with_input(
        BenchmarkId::from_parameter("loudness-gain-only"),
        &x,
        |b, x| {
            b.iter(|| {
                let mut y = x.clone();
                let l = condition::loudness_gain(&y, -16.0, -1.0, Dither::Tpdf);
                condition::apply_gain(&mut y, l.map_or(0.0, |l| l.gain_db));
                y
            })
        },
    );
    // The whole conversion of the file, limiter on and off: the difference is what the
    // limiter costs a tone.
    for (name, limiter) in [("convert-limiter-on", true), ("convert-limiter-off", false)] {
        let mut opts = Options::default();
        opts.normalize = Some(Normalize::loudness());
        opts.limiter = limiter;
        g.bench_with_input(BenchmarkId::from_parameter(name), &opts, |b, opts| {
            b.iter(|| convert_bytes(black_box(mp3), Some("mp3"), opts))
        });
    }
    g.finish();
}

fn downmix(c: &mut Criterion<Clock>) {
    let rate = 48_000;
    let frames = rate as usize * SECONDS;
    // Decoders hand out packets of about a thousand frames: mix in such blocks.
    const BLOCK: usize = 1152;
    let mut g = c.benchmark_group("downmix");
    quick(&mut g);
    for channels in [2usize, 6] {
        let planes: Vec<Vec<f32>> = (0..channels)
            .map(|i| programme(rate, frames, i as u32))
            .collect();
        let blocks: Vec<Vec<Vec<f32>>> = (0..frames)
            .step_by(BLOCK)
            .map(|s| {
                planes
                    .iter()
                    .map(|p| p[s..(s + BLOCK).min(frames)].to_vec())
                    .collect()
            })
            .collect();
        let mix = MonoMix::for_layout(None, channels);
        let mut out = Vec::with_capacity(frames);
        g.throughput(audio(frames, rate));
        g.bench_function(BenchmarkId::new("48k", format!("{channels}ch")), |b| {
            b.iter(|| {
                out.clear();
                let mut energy = Energy::default();
                for block in &blocks {
                    mix.mix_into(black_box(block), &mut out, &mut energy);
                }
                black_box((&out, energy.loss_db(mix.weights())));
            })
        });
    }
    g.finish();
}

fn resample(c: &mut Criterion<Clock>) {
    let mut g = c.benchmark_group("resample");
    quick(&mut g);
    for rate in [8_000u32, 22_050, 44_100, 48_000, 96_000] {
        let frames = rate as usize * SECONDS;
        let mono = programme(rate, frames, 0);
        g.throughput(audio(frames, rate));
        g.bench_with_input(BenchmarkId::new("to-16k", rate), &mono, |b, mono| {
            b.iter(|| resample::to_16k(black_box(mono), rate).unwrap())
        });
    }
    // Reference: rubato's FFT resampler, as the pipeline used it before (Blackman-Harris²
    // windowed sinc as long as a 3,072-frame block), on the same 48 kHz input.
    let frames = 48_000 * SECONDS;
    let mono = programme(48_000, frames, 0);
    g.throughput(audio(frames, 48_000));
    let mut rubato = rubato::Fft::<f32>::new_custom(
        48_000,
        16_000,
        3_072,
        1,
        1,
        rubato::WindowFunction::BlackmanHarris2,
        rubato::FixedSync::Both,
    )
    .expect("rubato builds");
    g.bench_with_input(
        BenchmarkId::new("to-16k", "48000-rubato-reference"),
        &mono,
        |b, mono| b.iter(|| rubato_to_16k(&mut rubato, black_box(mono))),
    );
    g.finish();
}

fn rubato_to_16k(resampler: &mut rubato::Fft<f32>, mono: &[f32]) -> Vec<f32> {
    use rubato::audioadapter_buffers::direct::SequentialSlice;
    use rubato::Resampler;
    resampler.reset();
    let input = SequentialSlice::new(mono, 1, mono.len()).expect("input adapter");
    let needed = resampler.process_all_needed_output_len(mono.len());
    let mut out = vec![0.0f32; needed];
    let mut adapter = SequentialSlice::new_mut(&mut out, 1, needed).expect("output adapter");
    let (_, produced) = resampler
        .process_all_into_buffer(&input, &mut adapter, mono.len(), None)
        .expect("rubato resamples");
    out.truncate(produced);
    out
}

fn quantize_and_encode(c: &mut Criterion<Clock>) {
    let frames = 16_000 * SECONDS;
    let x = programme(16_000, frames, 0);
    let mut g = c.benchmark_group("quantize");
    quick(&mut g);
    g.throughput(audio(frames, 16_000));
    for (name, dither) in [("tpdf", Dither::Tpdf), ("none", Dither::None)] {
        g.bench_with_input(BenchmarkId::from_parameter(name), &x, |b, x| {
            b.iter(|| quantize::quantize(black_box(x), dither, 42))
        });
    }
    let (q, _) = quantize::quantize(&x, Dither::Tpdf, 42);
    g.bench_with_input(BenchmarkId::from_parameter("sln-encode"), &q, |b, q| {
        b.iter(|| sln::encode(black_box(q)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = decode, downmix, resample, measure, limit, quantize_and_encode
}
criterion_main!(benches);
