//! The phones' file format: headerless signed 16-bit little-endian mono at 16 kHz, and writing it
//! safely.

use std::borrow::Cow;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The default size cap in bytes (exclusive): the phones accept files "less than 1 MB", read as
/// 10^6 bytes to be safe.
pub const DEFAULT_MAX_BYTES: u64 = 1_000_000;

/// Bytes per second of `.sln` audio at 16 kHz.
pub const BYTES_PER_SECOND: u64 = 32_000;

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
