//! The phones' file format: headerless signed 16-bit little-endian mono at 16 kHz, what makes a
//! file of it valid for the phones ([`validate`]), and writing it safely.
//!
//! [`validate`] is the one rule for "the phones accept this file": `ringforge inspect` and
//! `ringforge check` both report its [`SlnProblem`]s, in its words.

use std::borrow::Cow;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::batch::Extension;
use crate::resample::TARGET_RATE;
use crate::{Error, Result};

/// A tone whose sample peak is below this level (dBFS) is silent: the phone would ring with
/// nothing audible ([`SlnProblem::Silent`], [`crate::Warning::Silent`]).
pub use crate::condition::SILENT_PEAK_DBFS;

/// The default size cap in bytes (exclusive): the phones accept files "less than 1 MB", read as
/// 10^6 bytes to be safe.
pub const DEFAULT_MAX_BYTES: u64 = 1_000_000;

/// Bytes per second of `.sln` audio: 16,000 samples/s × 2 bytes, mono.
pub const BYTES_PER_SECOND: u64 = 2 * TARGET_RATE as u64;

/// Extensions (lowercase, without the dot) of raw phone tones: files read as `.sln` audio rather
/// than decoded as sources, and the extensions a tone can be written with.
pub const TONE_EXTENSIONS: [&str; 3] = [
    Extension::ALL[0].as_str(),
    Extension::ALL[1].as_str(),
    Extension::ALL[2].as_str(),
];

/// Whether `ext` (without its dot, any case) names a raw phone tone (one of
/// [`TONE_EXTENSIONS`]).
///
/// ```
/// assert!(ringforge::sln::is_tone_extension("SLN16"));
/// assert!(!ringforge::sln::is_tone_extension("wav"));
/// ```
pub fn is_tone_extension(ext: &str) -> bool {
    TONE_EXTENSIONS
        .iter()
        .any(|known| known.eq_ignore_ascii_case(ext))
}

/// Why a file is not a tone the phones accept, as [`validate`] finds it. The [`fmt::Display`]
/// text says what is wrong, without the file name and without what to do: that depends on
/// where the file came from (a build, a conversion by hand), so the caller adds it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlnProblem {
    /// The file is empty: the phone has nothing to play.
    Empty,
    /// The byte count is odd: not whole 16-bit samples (truncated, or not 16-bit audio).
    OddLength {
        /// The file size in bytes.
        bytes: u64,
    },
    /// The file is not under the size cap; the phone refuses it.
    TooLarge {
        /// The file size in bytes.
        bytes: u64,
        /// The cap (exclusive).
        max_bytes: u64,
    },
    /// The file starts with a container header (an audio file renamed `.sln`); the phone plays
    /// the header as a click or noise, and the rest as noise when it is not 16-bit PCM.
    Header {
        /// The container whose signature the file starts with (`WAV (RIFF)`, `MP3`, `FLAC`, …).
        container: &'static str,
    },
    /// The tone's sample peak is below [`SILENT_PEAK_DBFS`].
    Silent {
        /// Its peak in dBFS (null for digital silence).
        #[serde(serialize_with = "crate::report::serialize_db")]
        peak_dbfs: f64,
    },
}

impl fmt::Display for SlnProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlnProblem::Empty => write!(f, "is empty (0 bytes): the phone has nothing to play"),
            SlnProblem::OddLength { bytes } => write!(
                f,
                "has an odd length ({bytes} bytes): 16-bit samples take two bytes each, so the \
                 file was truncated or corrupted"
            ),
            SlnProblem::TooLarge { bytes, max_bytes } => write!(
                f,
                "is {bytes} bytes, not under the {max_bytes}-byte cap the phones accept"
            ),
            SlnProblem::Header { container } => {
                // "an MP3", "an Ogg", "a WAV", "a FLAC": by the sound of the name.
                let vowel = container.starts_with(['A', 'E', 'I', 'O', 'U']);
                let article = if vowel || container.starts_with("MP") {
                    "an"
                } else {
                    "a"
                };
                write!(
                    f,
                    "starts with {article} {container} header: the phones want raw 16 kHz 16-bit \
                     samples with no header, and play a header as a click or noise"
                )
            }
            SlnProblem::Silent { peak_dbfs } => {
                let level = if peak_dbfs.is_finite() {
                    format!("peak {peak_dbfs:.1} dBFS")
                } else {
                    "digital silence".to_string()
                };
                write!(
                    f,
                    "is silent ({level}): the phone would ring with nothing audible"
                )
            }
        }
    }
}

/// Container signatures a raw tone must not start with: (bytes, offset, container). An MP3
/// without an ID3 tag is found by its frames instead ([`mpeg_frame_len`]).
const SIGNATURES: &[(&[u8], usize, &str)] = &[
    (b"RIFF", 0, "WAV (RIFF)"),
    (b"RIFX", 0, "WAV (RIFX)"),
    (b"RF64", 0, "WAV (RF64)"),
    (b"ID3", 0, "MP3 (ID3 tag)"),
    (b"fLaC", 0, "FLAC"),
    (b"OggS", 0, "Ogg"),
    (b"FORM", 0, "AIFF (FORM)"),
    (b"caff", 0, "CAF"),
    (b".snd", 0, "AU (.snd)"),
    (b"#!AMR", 0, "AMR"),
    (b"ftyp", 4, "MP4/M4A"),
    (b"\x1A\x45\xDF\xA3", 0, "Matroska/WebM"),
];

/// The container `bytes` starts with, if it starts with a known signature or with two MPEG
/// audio frames in a row (an MP3 without an ID3 tag).
fn container_of(bytes: &[u8]) -> Option<&'static str> {
    if let Some((_, _, name)) = SIGNATURES
        .iter()
        .find(|(magic, at, _)| bytes.get(*at..*at + magic.len()) == Some(magic))
    {
        return Some(name);
    }
    // One frame header is four bytes a tone could start with by chance (a few in ten
    // thousand); a second one exactly where the first frame ends is not chance.
    let first = mpeg_frame_len(bytes)?;
    mpeg_frame_len(bytes.get(first..)?).map(|_| "MP3")
}

/// The length in bytes of the MPEG-1/2/2.5 audio frame (layer I, II or III) whose header
/// starts `b`, when it starts with a valid one.
fn mpeg_frame_len(b: &[u8]) -> Option<usize> {
    const KBPS: [[u16; 14]; 5] = [
        [
            32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        ], // MPEG-1 I
        [
            32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        ], // MPEG-1 II
        [
            32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        ], // MPEG-1 III
        [
            32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
        ], // MPEG-2/2.5 I
        [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160], // MPEG-2/2.5 II, III
    ];
    let h = u32::from_be_bytes(b.get(..4)?.try_into().ok()?);
    let (version, layer) = ((h >> 19) & 3, (h >> 17) & 3);
    let (bitrate, rate, padding) = ((h >> 12) & 15, (h >> 10) & 3, (h >> 9) & 1);
    if h >> 21 != 0x7FF || version == 1 || layer == 0 || !(1..15).contains(&bitrate) || rate == 3 {
        return None;
    }
    let mpeg1 = version == 3;
    let table = match (mpeg1, layer) {
        (true, 3) => 0,
        (true, 2) => 1,
        (true, _) => 2,
        (false, 3) => 3,
        (false, _) => 4,
    };
    let bps = u64::from(KBPS[table][bitrate as usize - 1]) * 1_000;
    let hz = [44_100u64, 48_000, 32_000][rate as usize] >> (3 - version).min(2);
    let pad = u64::from(padding);
    let len = match layer {
        3 => (12 * bps / hz + pad) * 4,
        1 if !mpeg1 => 72 * bps / hz + pad,
        _ => 144 * bps / hz + pad,
    };
    usize::try_from(len).ok()
}

/// The one rule for a tone the phones accept: non-empty, a whole number of 16-bit samples,
/// under `max_bytes` (exclusive), no container header at the start (WAV, MP3, FLAC, Ogg, AIFF,
/// CAF, AU, AMR, MP4, Matroska), not silent (sample peak at or above [`SILENT_PEAK_DBFS`]).
/// Returns every problem found, in that order; an empty file has only [`SlnProblem::Empty`].
///
/// ```
/// use ringforge::sln::{validate, SlnProblem};
/// let tone: Vec<u8> = (0..800i16).flat_map(|i| (i * 40).to_le_bytes()).collect();
/// assert!(validate(&tone, 1_000_000).is_empty());
/// let mut flac = b"fLaC".to_vec();
/// flac.extend_from_slice(&tone);
/// assert_eq!(validate(&flac, 1_000_000), [SlnProblem::Header { container: "FLAC" }]);
/// assert_eq!(validate(&tone[1..], 1_000_000), [SlnProblem::OddLength { bytes: 1_599 }]);
/// ```
pub fn validate(bytes: &[u8], max_bytes: u64) -> Vec<SlnProblem> {
    let len = bytes.len() as u64;
    if len == 0 {
        return vec![SlnProblem::Empty];
    }
    let mut problems = Vec::new();
    if let Some(container) = container_of(bytes) {
        problems.push(SlnProblem::Header { container });
    }
    if !len.is_multiple_of(2) {
        problems.push(SlnProblem::OddLength { bytes: len });
    }
    if len >= max_bytes {
        problems.push(SlnProblem::TooLarge {
            bytes: len,
            max_bytes,
        });
    }
    let peak_dbfs = peak_dbfs(bytes);
    if peak_dbfs < SILENT_PEAK_DBFS {
        problems.push(SlnProblem::Silent { peak_dbfs });
    }
    problems
}

/// The sample peak of raw tone bytes in dBFS (−∞ for digital silence); a trailing odd byte is
/// not a sample.
pub fn peak_dbfs(bytes: &[u8]) -> f64 {
    let peak = bytes
        .chunks_exact(2)
        .map(|b| i32::from(i16::from_le_bytes([b[0], b[1]])).abs())
        .max()
        .unwrap_or(0);
    crate::condition::gain_to_db(f64::from(peak) / 32_768.0)
}

/// Encodes samples as little-endian bytes, exactly what goes on disk and into the MD5.
pub fn encode(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

/// The `.sln` bytes of `samples`, as [`encode`] gives them, without a copy where the machine
/// is little-endian: there the samples' memory already is the file's layout.
///
/// ```
/// assert_eq!(&*ringforge::sln::as_le_bytes(&[1, -2]), &[1, 0, 0xFE, 0xFF]);
/// ```
pub fn as_le_bytes(samples: &[i16]) -> Cow<'_, [u8]> {
    #[cfg(target_endian = "little")]
    {
        Cow::Borrowed(bytemuck::cast_slice(samples))
    }
    #[cfg(not(target_endian = "little"))]
    {
        Cow::Owned(encode(samples))
    }
}

/// Decodes little-endian bytes into samples. Returns `None` for an odd byte count.
pub fn decode(bytes: &[u8]) -> Option<Vec<i16>> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect(),
    )
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder is written, flushed
/// to disk and renamed over `path`. Readers see the old file or the new one, never a part; on
/// any failure the temporary file is removed and an existing `path` is left as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    Staged::write(path, bytes)?.commit()
}

/// A file written next to its destination but not yet in place: the first half of
/// [`write_atomic`]. [`Staged::commit`] flushes it to disk and renames it over the destination;
/// dropping it instead removes it and leaves the destination as it was.
///
/// Splitting the two lets a batch hand the waiting for the disk to another thread while its
/// workers go on converting.
///
/// ```
/// # fn main() -> Result<(), ringforge::Error> {
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("chime.sln");
/// let staged = ringforge::sln::Staged::write(&path, &[1, 0, 2, 0])?;
/// assert!(!path.exists(), "not in place before the commit");
/// staged.commit()?;
/// assert_eq!(std::fs::read(&path).unwrap(), [1, 0, 2, 0]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl Staged {
    /// Writes `bytes` to a temporary file in `path`'s folder, with the permissions the file at
    /// `path` has (or 0644 for a new one).
    pub fn write(path: &Path, bytes: &[u8]) -> Result<Staged> {
        let dir = folder_of(path);
        let mut tmp = tempfile::Builder::new()
            .prefix(".ringforge-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| Error::io(dir, e))?;
        tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
        // Temporary files are private (0600); a tone must be readable by the web server that
        // serves it to the phones. Keep an existing file's permissions, else use the usual 0644.
        let perms = match fs::metadata(path) {
            Ok(m) => m.permissions(),
            Err(_) => default_permissions(tmp.as_file()).map_err(|e| Error::io(path, e))?,
        };
        tmp.as_file()
            .set_permissions(perms)
            .map_err(|e| Error::io(path, e))?;
        Ok(Staged {
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// Where the file goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the file to disk and renames it over the destination, then flushes the folder
    /// (where the platform allows it) so the rename itself is durable.
    pub fn commit(self) -> Result<()> {
        let Staged { tmp, path } = self;
        tmp.as_file().sync_all().map_err(|e| Error::io(&path, e))?;
        tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
        if let Ok(d) = fs::File::open(folder_of(&path)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

#[cfg(unix)]
fn default_permissions(_: &fs::File) -> std::io::Result<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions(file: &fs::File) -> std::io::Result<fs::Permissions> {
    Ok(file.metadata()?.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone_bytes(n: usize, amp: i16) -> Vec<u8> {
        (0..n)
            .flat_map(|i| (if i % 2 == 0 { amp } else { -amp }).to_le_bytes())
            .collect()
    }

    #[test]
    fn tone_extensions() {
        assert!(is_tone_extension("SLN"));
        assert!(is_tone_extension("sln16"));
        assert!(is_tone_extension("raw"));
        assert!(!is_tone_extension("wav"));
        assert_eq!(TONE_EXTENSIONS, ["sln", "sln16", "raw"]);
        assert_eq!(BYTES_PER_SECOND, 32_000);
    }

    #[test]
    fn a_valid_tone_passes_and_each_fault_is_named() {
        let ok = tone_bytes(1000, 10_000);
        assert!(validate(&ok, 1_000_000).is_empty());
        assert_eq!(validate(&[], 1_000_000), [SlnProblem::Empty]);
        assert_eq!(
            validate(&ok[..999], 1_000_000),
            [SlnProblem::OddLength { bytes: 999 }]
        );
        assert_eq!(
            validate(&ok, 2000),
            [SlnProblem::TooLarge {
                bytes: 2000,
                max_bytes: 2000
            }]
        );
        assert!(validate(&ok, 2001).is_empty());
        assert!(matches!(
            validate(&tone_bytes(1000, 30), 1_000_000)[..],
            [SlnProblem::Silent { peak_dbfs }] if (peak_dbfs + 60.76).abs() < 0.01
        ));
        assert!(validate(&tone_bytes(1000, 33), 1_000_000).is_empty());
    }

    #[test]
    fn every_container_signature_is_a_header() {
        let ok = tone_bytes(1000, 10_000);
        for (magic, at, container) in SIGNATURES {
            let mut b = ok.clone();
            b[*at..at + magic.len()].copy_from_slice(magic);
            assert_eq!(
                validate(&b, 1_000_000).first(),
                Some(&SlnProblem::Header { container }),
                "{container}"
            );
            let words = SlnProblem::Header { container }.to_string();
            assert!(words.contains(&format!(" {container} header")), "{words}");
        }
        assert!(SlnProblem::Header { container: "MP3" }
            .to_string()
            .starts_with("starts with an MP3 header"));
    }

    #[test]
    fn an_mp3_without_a_tag_is_found_by_two_frames_in_a_row() {
        // MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames.
        let header = [0xFF, 0xFB, 0x90, 0x64];
        assert_eq!(mpeg_frame_len(&header), Some(417));
        let mut mp3 = vec![0x11u8; 1_000];
        mp3[..4].copy_from_slice(&header);
        // One frame header alone could be a tone's first sample pair by chance.
        assert_eq!(container_of(&mp3), None);
        mp3[417..421].copy_from_slice(&header);
        assert_eq!(container_of(&mp3), Some("MP3"));
        // MPEG-2 layer III, 64 kbit/s, 22.05 kHz, padded: 72 * 64000 / 22050 + 1 = 209.
        assert_eq!(mpeg_frame_len(&[0xFF, 0xF3, 0x82, 0x64]), Some(209));
        // Reserved version, bad bitrate, reserved rate.
        for h in [
            [0xFF, 0xEB, 0x90, 0x64],
            [0xFF, 0xFB, 0xF0, 0x64],
            [0xFF, 0xFB, 0x9C, 0x64],
        ] {
            assert_eq!(mpeg_frame_len(&h), None, "{h:x?}");
        }
    }

    #[test]
    fn little_endian_round_trip() {
        let s = [0i16, 1, -1, i16::MAX, i16::MIN, 0x1234];
        let b = encode(&s);
        assert_eq!(&b[..6], &[0, 0, 1, 0, 0xff, 0xff]);
        assert_eq!(&b[10..], &[0x34, 0x12]);
        assert_eq!(decode(&b).unwrap(), s);
        assert_eq!(&*as_le_bytes(&s), &b[..]);
        assert!(decode(&b[..3]).is_none());
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.sln");
        write_atomic(&p, b"old!").unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_world_readable_and_existing_modes_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.sln");
        write_atomic(&p, b"x").unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o644
        );
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"y").unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
}
