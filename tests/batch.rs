//! The batch API: digests on request, outcomes in order.

mod common;

use std::collections::HashMap;

use ringforge::batch::{self, BatchOptions, Extension};
use ringforge::manifest::Digests;
use ringforge::signal;

fn run(digests: bool) -> (tempfile::TempDir, Vec<batch::Outcome>) {
    let a = signal::wav_i16(44_100, 1, &signal::sine(440.0, 0.5, 44_100, 22_050));
    let b = signal::wav_i16(16_000, 1, &signal::sine(880.0, 0.5, 16_000, 8_000));
    let tmp = common::temp_folder(&["in"], &[("in/a.wav", &a), ("in/b.wav", &b)]);
    let (inputs, _) = batch::discover(&[tmp.path().join("in")]);
    let (jobs, refused) = batch::plan(inputs, Extension::Sln);
    assert!(refused.is_empty());
    let opts = BatchOptions {
        out_dir: tmp.path().join("out"),
        jobs: 2,
        digests,
        ..BatchOptions::default()
    };
    std::fs::create_dir_all(&opts.out_dir).unwrap();
    let outcomes = batch::run(jobs, &opts, &|_| {});
    assert_eq!(outcomes.len(), 2);
    (tmp, outcomes)
}

#[test]
fn digests_are_on_by_default_and_match_the_files() {
    assert!(BatchOptions::default().digests);
    let (_tmp, outcomes) = run(true);
    for o in &outcomes {
        let w = o.result.as_ref().unwrap();
        let on_disk = std::fs::read(&w.output).unwrap();
        assert_eq!(w.bytes, on_disk.len() as u64);
        assert_eq!(w.digests, Some(Digests::of(&on_disk)));
        assert_eq!(w.md5(), Some(Digests::of(&on_disk).md5.as_str()));
    }
    let tones = batch::manifest_tones(&outcomes, &HashMap::new()).unwrap();
    assert_eq!(tones.len(), 2);
}

#[test]
fn a_batch_without_digests_computes_none() {
    let (_tmp, outcomes) = run(false);
    for o in &outcomes {
        let w = o.result.as_ref().unwrap();
        assert_eq!(w.digests, None);
        assert_eq!(w.md5(), None);
        assert_eq!(w.bytes, std::fs::metadata(&w.output).unwrap().len());
    }
    // The manifests need the digests: asking for them says so instead of listing wrong ones.
    let e = batch::manifest_tones(&outcomes, &HashMap::new()).unwrap_err();
    assert!(e.to_string().contains("without digests"), "{e}");
}

#[test]
fn bad_files_fail_alone_and_every_outcome_comes_back_in_order_once() {
    // Good and bad files interleaved, more of them than the commit queue holds, on two
    // converting threads plus the committing one.
    let good = signal::wav_i16(22_050, 2, &signal::sine(440.0, 0.4, 22_050, 2 * 4_410));
    let bad = b"RIFF\x10\x00\x00\x00WAVEjunk".to_vec();
    let names: Vec<String> = (0..24)
        .map(|i| {
            let kind = if i % 5 == 3 { "bad" } else { "good" };
            format!("in/{i:02}-{kind}.wav")
        })
        .collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| {
            let bytes: &[u8] = if n.contains("bad") { &bad } else { &good };
            (n.as_str(), bytes)
        })
        .collect();
    let tmp = common::temp_folder(&["in", "out"], &files);
    let (inputs, _) = batch::discover(&[tmp.path().join("in")]);
    let (jobs, refused) = batch::plan(inputs, Extension::Sln);
    assert!(refused.is_empty());
    let order: Vec<String> = jobs.iter().map(|j| j.id.clone()).collect();
    let opts = BatchOptions {
        out_dir: tmp.path().join("out"),
        jobs: 2,
        ..BatchOptions::default()
    };
    let done = std::sync::Mutex::new(Vec::new());
    let outcomes = batch::run(jobs, &opts, &|o| {
        done.lock().unwrap().push(o.job.id.clone())
    });

    let ids: Vec<String> = outcomes.iter().map(|o| o.job.id.clone()).collect();
    assert_eq!(ids, order, "outcomes in the jobs' order");
    let mut reported = done.into_inner().unwrap();
    reported.sort();
    let mut expected = order.clone();
    expected.sort();
    assert_eq!(reported, expected, "on_done once per file");
    for o in &outcomes {
        let bad = o.job.id.contains("bad");
        assert_eq!(o.result.is_err(), bad, "{}: {:?}", o.job.id, o.result);
        let out = tmp.path().join("out").join(&o.job.file_name);
        assert_eq!(out.exists(), !bad, "{}", out.display());
    }
    // Nothing else in the output folder: no temporary files left behind.
    let left: Vec<_> = std::fs::read_dir(tmp.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".sln"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
