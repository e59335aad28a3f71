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
