//! End to end: one file through the whole pipeline (per format), and a batch across all cores.
//!
//! Throughput is in milliseconds of audio, so `Kelem/s` reads as "× realtime" (see
//! `benches/common/mod.rs`); the batch uses every core, the single-file benches one.
//! Run with `cargo bench --bench convert`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ringforge::batch::{self, BatchOptions, Extension};
use ringforge::{convert_bytes, Options};

mod common;
use common::{quick, Clock, SECONDS};

fn audio_ms(bytes: &[u8], hint: &str) -> u64 {
    let tone = convert_bytes(bytes, Some(hint), &Options::default()).expect("bench input converts");
    tone.samples().len() as u64 * 1000 / 16_000
}

fn one_file(c: &mut Criterion<Clock>) {
    let wav48 = common::wav_stereo(48_000, SECONDS);
    let wav44 = common::wav_stereo(44_100, SECONDS);
    let inputs: [(&str, &[u8], &str); 6] = [
        ("wav-s16-48k-stereo-30s", &wav48, "wav"),
        ("wav-s16-44k1-stereo-30s", &wav44, "wav"),
        ("mp3-vbr-44k1-stereo", common::MP3, "mp3"),
        ("flac-24bit-48k-stereo", common::FLAC, "flac"),
        ("ogg-vorbis-48k-stereo", common::OGG, "ogg"),
        ("m4a-aac-44k1-stereo", common::M4A, "m4a"),
    ];
    let opts = Options::default();
    let mut g = c.benchmark_group("convert");
    quick(&mut g);
    for (name, bytes, hint) in inputs {
        g.throughput(Throughput::Elements(audio_ms(bytes, hint)));
        g.bench_with_input(BenchmarkId::from_parameter(name), &bytes, |b, bytes| {
            b.iter(|| convert_bytes(black_box(bytes), Some(hint), &opts).unwrap())
        });
    }
    g.finish();
}

fn batch(c: &mut Criterion<Clock>) {
    // 16 files: 30 s WAVs at 44.1 and 48 kHz and the committed MP3/FLAC/Ogg/M4A samples, in two
    // folders, written to a temporary folder and converted with one worker per core.
    let dir = tempfile::tempdir().expect("temporary folder");
    let src = dir.path().join("in");
    let out = dir.path().join("out");
    let mut total_ms = 0;
    for i in 0..16 {
        let (bytes, ext): (Vec<u8>, &str) = match i % 6 {
            0 => (common::wav_stereo(48_000, SECONDS), "wav"),
            1 => (common::wav_stereo(44_100, SECONDS), "wav"),
            2 => (common::MP3.to_vec(), "mp3"),
            3 => (common::FLAC.to_vec(), "flac"),
            4 => (common::OGG.to_vec(), "ogg"),
            _ => (common::M4A.to_vec(), "m4a"),
        };
        total_ms += audio_ms(&bytes, ext);
        let folder = src.join(format!("group{}", i % 2));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("tone{i:02}.{ext}")), bytes).unwrap();
    }
    let opts = BatchOptions {
        out_dir: out.clone(),
        ..BatchOptions::default()
    };
    std::fs::create_dir_all(&out).unwrap();
    let roots: Vec<PathBuf> = vec![src];
    let mut g = c.benchmark_group("batch");
    quick(&mut g);
    g.throughput(Throughput::Elements(total_ms));
    g.bench_function("16-files-all-cores", |b| {
        b.iter(|| {
            let (inputs, _) = batch::discover(&roots);
            let (jobs, _) = batch::plan(inputs, Extension::Sln);
            let outcomes = batch::run(jobs, &opts, &|_| {});
            assert!(outcomes.iter().all(|o| o.result.is_ok()));
            outcomes.len()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = one_file, batch
}
criterion_main!(benches);
