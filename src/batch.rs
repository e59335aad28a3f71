//! Many files at once: finding the inputs, giving each an id and an output name, converting them
//! in parallel, and collecting one outcome per file in a stable order.
//!
//! A batch never stops for one bad file: each file's failure is recorded with its path and the
//! run goes on. Output order, ids and bytes do not depend on the number of threads.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::manifest::{Digests, ManifestTone};
use crate::sln::Staged;
use crate::{convert_path, id, Error, Options, Report};

/// File extensions the decoders understand (lowercase).
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "mp3", "mp2", "mp1", "flac", "ogg", "oga", "m4a", "mp4", "aac", "aif", "aiff",
    "aifc", "caf", "mka", "webm",
];

/// Runs `parallel(input)` on a pool of `jobs` worker threads (0: one per core), or
/// `serial(input)` on this thread when no pool can be made. Work spread with rayon inside
/// `parallel` stays on the pool.
pub(crate) fn on_workers<I: Send, R: Send>(
    jobs: usize,
    input: I,
    parallel: impl FnOnce(I) -> R + Send,
    serial: impl FnOnce(I) -> R,
) -> R {
    match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool.install(|| parallel(input)),
        Err(_) => serial(input),
    }
}

/// `f` of each item, in order, computed on `jobs` worker threads ([`on_workers`]).
pub(crate) fn map_on_workers<T: Sync, R: Send>(
    jobs: usize,
    items: &[T],
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    on_workers(
        jobs,
        items,
        |items| items.par_iter().map(&f).collect(),
        |items| items.iter().map(&f).collect(),
    )
}

/// The extension written on tones.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Extension {
    /// `.sln`, as the phone vendor's documentation writes it. The default.
    #[default]
    Sln,
    /// `.sln16`, Asterisk's own name for 16 kHz signed linear.
    Sln16,
    /// `.raw`, what FreePBX serves.
    Raw,
}

impl Extension {
    /// Every extension, the default first.
    pub const ALL: [Extension; 3] = [Extension::Sln, Extension::Sln16, Extension::Raw];

    /// The extension without its dot.
    pub const fn as_str(self) -> &'static str {
        match self {
            Extension::Sln => "sln",
            Extension::Sln16 => "sln16",
            Extension::Raw => "raw",
        }
    }
}

/// One input file found for a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// Where the file is.
    pub path: PathBuf,
    /// Its path relative to the folder it was found in (or its file name when given directly):
    /// the source of its id.
    pub relative: PathBuf,
}

/// Something found while collecting inputs that will not be converted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The path skipped.
    pub path: PathBuf,
    /// Why, in words.
    pub reason: String,
    /// Whether this is a problem (unreadable folder, missing input) rather than a note (a text
    /// file or a hidden file in a folder of ringtones).
    pub is_error: bool,
}

/// Collects the audio files named by `inputs` (files, or folders searched recursively), sorted
/// by path within each folder, skipping hidden entries and files without an audio extension.
/// Symbolic links are followed; loops are detected and skipped.
pub fn discover(inputs: &[PathBuf]) -> (Vec<Input>, Vec<Skipped>) {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for root in inputs {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                skipped.push(Skipped {
                    path: root.clone(),
                    reason: format!("cannot read: {e}"),
                    is_error: true,
                });
                continue;
            }
        };
        if !meta.is_dir() {
            // A file named explicitly is tried whatever its extension.
            let name = root.file_name().map(PathBuf::from).unwrap_or_default();
            found.push(Input {
                path: root.clone(),
                relative: name,
            });
            continue;
        }
        let walker = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
        for entry in walker {
            match entry {
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.clone());
                    let is_loop = e.loop_ancestor().is_some();
                    skipped.push(Skipped {
                        path,
                        reason: if is_loop {
                            "symbolic link loop; not followed".into()
                        } else {
                            format!(
                                "cannot read: {}",
                                e.io_error().map_or(e.to_string(), |io| io.to_string())
                            )
                        },
                        is_error: !is_loop,
                    });
                }
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) => {
                    let relative = e
                        .path()
                        .strip_prefix(root)
                        .unwrap_or(e.path())
                        .to_path_buf();
                    if !e.file_type().is_file() {
                        // A FIFO would block the reader forever; devices and sockets are not
                        // audio files whatever their name.
                        skipped.push(Skipped {
                            path: e.path().to_path_buf(),
                            reason: "not a regular file (a FIFO, socket or device); skipped".into(),
                            is_error: has_audio_extension(e.path()),
                        });
                    } else if has_audio_extension(e.path()) {
                        found.push(Input {
                            path: e.path().to_path_buf(),
                            relative,
                        });
                    } else {
                        skipped.push(Skipped {
                            path: e.path().to_path_buf(),
                            reason: "not an audio file extension; skipped".into(),
                            is_error: false,
                        });
                    }
                }
            }
        }
    }
    (found, skipped)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// Whether `path` ends in one of [`AUDIO_EXTENSIONS`] (any case).
pub fn has_audio_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// An input with its id and output file name decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The input file.
    pub input: Input,
    /// The tone id (XML id, DPMA section, file stem).
    pub id: String,
    /// The output file name (`<id>.<ext>`), flat in the output folder.
    pub file_name: String,
}

/// Gives every input an id; inputs whose id cannot be made, or that collide with another input's
/// id, come back as failures naming both files.
pub fn plan(inputs: Vec<Input>, ext: Extension) -> (Vec<Job>, Vec<(Input, Error)>) {
    let mut by_id: BTreeMap<String, Vec<Input>> = BTreeMap::new();
    let mut failed = Vec::new();
    for input in inputs {
        match id::id_from_relative_path(&input.relative) {
            Ok(id) => by_id.entry(id).or_default().push(input),
            Err(e) => failed.push((input, e)),
        }
    }
    let mut jobs = Vec::new();
    for (id, group) in by_id {
        if group.len() > 1 {
            for (i, input) in group.iter().enumerate() {
                let other = &group[if i == 0 { 1 } else { 0 }];
                failed.push((
                    input.clone(),
                    Error::Invalid(format!(
                        "{} and {} both map to the id \"{id}\" — rename one of them",
                        input.path.display(),
                        other.path.display()
                    )),
                ));
            }
            continue;
        }
        let input = group.into_iter().next().expect("group is non-empty");
        let file_name = format!("{id}.{}", ext.as_str());
        jobs.push(Job {
            input,
            id,
            file_name,
        });
    }
    jobs.sort_by(|a, b| a.input.path.cmp(&b.input.path));
    failed.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    (jobs, failed)
}

/// A tone that was converted and written.
///
/// It keeps what manifests and reports need, not the samples: a batch holds one of these per
/// file until it ends, so its memory must not grow with the audio (the samples are on disk).
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// What the conversion found and did.
    pub report: Report,
    /// Where it was written.
    pub output: PathBuf,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// MD5 and SHA-256 of the file's bytes, when the batch computed them
    /// ([`BatchOptions::digests`]); `None` otherwise.
    pub digests: Option<Digests>,
}

impl Written {
    /// Lowercase hex MD5 of the file's bytes, when the batch computed the digests.
    pub fn md5(&self) -> Option<&str> {
        self.digests.as_ref().map(|d| d.md5.as_str())
    }
}

/// The outcome of one file of a batch.
#[derive(Debug)]
pub struct Outcome {
    /// The job this is the outcome of.
    pub job: Job,
    /// The converted tone, or why there is none.
    pub result: Result<Written, Error>,
    /// Wall time spent on this file, in seconds.
    pub seconds: f64,
}

impl Outcome {
    /// The conversion report, when the conversion succeeded.
    pub fn report(&self) -> Option<&Report> {
        self.result.as_ref().ok().map(|w| &w.report)
    }
}

/// How a batch runs.
///
/// ```
/// use ringforge::batch::BatchOptions;
///
/// // Converting for a folder nobody provisions from: no manifests, so no digests either.
/// let opts = BatchOptions {
///     out_dir: "tones".into(),
///     digests: false,
///     ..BatchOptions::default()
/// };
/// assert!(BatchOptions::default().digests);
/// # let _ = opts;
/// ```
#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// Conversion options for every file.
    pub convert: Options,
    /// Folder the tones are written to.
    pub out_dir: PathBuf,
    /// Fail a file (writing nothing) when its conversion raises any warning. Default: `false`.
    pub strict: bool,
    /// Worker threads; 0 means one per core. Default: 0.
    pub jobs: usize,
    /// Compute the MD5 and SHA-256 of every tone written ([`Written::digests`]), in the worker
    /// while the bytes are at hand. The manifests ([`manifest_tones`]) need them; a batch whose
    /// outcomes nobody hashes can turn them off and save two passes over every file.
    /// Default: `true`.
    pub digests: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            convert: Options::default(),
            out_dir: PathBuf::new(),
            strict: false,
            jobs: 0,
            digests: true,
        }
    }
}

/// Converts every job in parallel and writes each tone atomically to the output folder. Returns
/// one outcome per job, in the jobs' order, whatever the thread count. `on_done` is called (from
/// worker threads, and from the thread that puts written tones in place) as each file finishes,
/// for progress display.
///
/// `opts.jobs` threads convert; one more waits for the disk: it flushes each written tone and
/// renames it into place (see [`Staged`]), so the converting threads never sit idle on I/O.
pub fn run(
    jobs: Vec<Job>,
    opts: &BatchOptions,
    on_done: &(dyn Fn(&Outcome) + Sync),
) -> Vec<Outcome> {
    let count = jobs.len();
    std::thread::scope(|scope| {
        // Workers convert and write each tone next to its destination; one committer thread
        // waits for the disk (fsync) and renames it into place, so no worker sits idle on I/O.
        // The channel is short: workers wait rather than pile up open temporary files.
        let (to_commit, committing) = mpsc::sync_channel::<(usize, Pending)>(COMMIT_QUEUE);
        let committer = scope.spawn(move || {
            committing
                .into_iter()
                .map(|(index, pending)| {
                    let outcome = pending.commit();
                    on_done(&outcome);
                    (index, outcome)
                })
                .collect::<Vec<_>>()
        });
        let work = |to_commit: &mut mpsc::SyncSender<(usize, Pending)>,
                    (index, job): (usize, Job)| {
            let start = Instant::now();
            // Conversion is already guarded; this also contains anything after it, so a panic
            // can never cross into rayon and take the other files down.
            match crate::convert::guarded(|| convert_one(&job, opts)) {
                Ok((staged, written)) => {
                    let pending = Pending {
                        job,
                        staged,
                        written,
                        start,
                    };
                    match to_commit.send((index, pending)) {
                        Ok(()) => None,
                        // The committer is gone (it panicked): commit here instead.
                        Err(mpsc::SendError((_, pending))) => Some(pending.commit()),
                    }
                }
                Err(e) => Some(Outcome {
                    job,
                    result: Err(e),
                    seconds: start.elapsed().as_secs_f64(),
                }),
            }
            .inspect(on_done)
            .map(|outcome| (index, outcome))
        };
        let indexed: Vec<(usize, Job)> = jobs.into_iter().enumerate().collect();
        let failed: Vec<(usize, Outcome)> = on_workers(
            opts.jobs,
            (indexed, to_commit),
            |(indexed, to_commit)| {
                indexed
                    .into_par_iter()
                    .map_with(to_commit, &work)
                    .flatten_iter()
                    .collect()
            },
            |(indexed, mut to_commit)| {
                indexed
                    .into_iter()
                    .filter_map(|j| work(&mut to_commit, j))
                    .collect()
            },
        );
        let committed = match committer.join() {
            Ok(committed) => committed,
            // Only `on_done` can panic there: pass it on, as a worker's would be.
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let mut outcomes: Vec<Option<Outcome>> = (0..count).map(|_| None).collect();
        for (index, outcome) in failed.into_iter().chain(committed) {
            outcomes[index] = Some(outcome);
        }
        outcomes
            .into_iter()
            .map(|o| o.expect("every job has one outcome"))
            .collect()
    })
}

/// How many written tones may wait for the committer before the workers wait for it.
const COMMIT_QUEUE: usize = 8;

/// A tone converted and written next to its destination, waiting to be committed.
struct Pending {
    job: Job,
    staged: Staged,
    written: Written,
    start: Instant,
}

impl Pending {
    fn commit(self) -> Outcome {
        let Pending {
            job,
            staged,
            written,
            start,
        } = self;
        Outcome {
            job,
            result: staged.commit().map(|()| written),
            seconds: start.elapsed().as_secs_f64(),
        }
    }
}

fn convert_one(job: &Job, opts: &BatchOptions) -> Result<(Staged, Written), Error> {
    let tone = convert_path(&job.input.path, &opts.convert)?;
    if opts.strict {
        if let Some(w) = tone.report().warnings.first() {
            return Err(Error::Strict(w.clone()));
        }
    }
    let output = opts.out_dir.join(&job.file_name);
    let bytes = tone.sln();
    let staged = Staged::write(&output, &bytes)?;
    // Digests here, in the worker: in parallel, and while the bytes are at hand.
    let digests = opts.digests.then(|| Digests::of(&bytes));
    let written = Written {
        report: tone.report().clone(),
        output,
        bytes: bytes.len() as u64,
        digests,
    };
    Ok((staged, written))
}

/// The display name of a tone: an override when given, else made from the input's file stem
/// (`front_desk-chime.mp3` → "Front Desk Chime"), else the id.
pub fn display_name(job: &Job, overrides: &HashMap<String, String>) -> String {
    if let Some(d) = overrides.get(&job.id) {
        return d.clone();
    }
    let stem = job
        .input
        .relative
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let d = id::display_from_stem(&stem);
    if d.is_empty() || id::validate_display(&d).is_err() {
        job.id.clone()
    } else {
        d
    }
}

/// The manifest entries for every file of a batch that was converted and written, in id order.
/// Display names come from [`display_name`].
///
/// # Errors
///
/// A tone's id, display name or file name is not valid in a manifest, or the batch ran without
/// digests ([`BatchOptions::digests`] off: [`Error::Invalid`]).
pub fn manifest_tones(
    outcomes: &[Outcome],
    overrides: &HashMap<String, String>,
) -> Result<Vec<ManifestTone>, Error> {
    let mut tones: Vec<ManifestTone> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok().map(|w| (o, w)))
        .map(|(o, w)| {
            let digests = w.digests.clone().ok_or_else(|| {
                Error::Invalid(format!(
                    "{}: converted without digests, which the manifests need \
                     — run the batch with digests on",
                    o.job.input.path.display()
                ))
            })?;
            ManifestTone::with_digests(
                o.job.id.clone(),
                display_name(&o.job, overrides),
                o.job.file_name.clone(),
                digests,
                Some(w.report.clone()),
                Some(o.job.input.path.to_string_lossy().into_owned()),
            )
        })
        .collect::<Result<_, _>>()?;
    tones.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(tones)
}
