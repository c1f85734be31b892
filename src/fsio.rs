//! Files hearken writes (exports, backups), whole or not at all (T4).
//!
//! Every file is first written under a fresh name in the target's folder: `.hearken-`
//! and random characters, created with `O_CREAT | O_EXCL` (tempfile), so a link or file
//! planted under any name is never followed nor overwritten, and the temporary name does
//! not grow with the target's (a 255-byte file name works). Once complete it is synced to
//! disk and renamed over the target: a reader sees the old file or the new one, two
//! writers of one path each leave a complete file (the last rename wins), and a target
//! that is a symbolic link is replaced by the rename, never written through. On any
//! error the temporary file is removed and the target is left as it was.

use std::fs::File;
use std::path::Path;

use crate::error::{Error, Problem, Result};

/// Prefix of every temporary file hearken creates beside a target.
pub(crate) const TEMP_PREFIX: &str = ".hearken-";
/// Random characters in a temporary name (tempfile's default).
const RANDOM_LEN: usize = 6;

/// Writes `path` through `write` on a fresh temporary file, renamed into place only once
/// `write` returned Ok and the data is on disk.
pub(crate) fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<T>,
) -> Result<T> {
    write_with(path, RANDOM_LEN, |tmp| write(tmp.as_file_mut()))
}

/// Like [`write_atomically`], for writers that need a path (SQLite's online backup):
/// `write` gets the path of a fresh, empty temporary file beside `path`, which is renamed
/// over `path` once `write` returned Ok.
pub(crate) fn replace_atomically<T>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<T>,
) -> Result<T> {
    write_with(path, RANDOM_LEN, |tmp| write(tmp.path()))
}

/// The folder a target lives in ("." for a bare name) and checks it names a file.
fn folder(path: &Path) -> Result<&Path> {
    if path.file_name().is_none() {
        return Err(Error::invalid(Problem::top(
            "file",
            "path",
            "names no file (ends in .. or is a root)",
        )));
    }
    Ok(match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    })
}

fn write_with<T>(
    path: &Path,
    random_len: usize,
    write: impl FnOnce(&mut tempfile::NamedTempFile) -> Result<T>,
) -> Result<T> {
    let dir = folder(path)?;
    // Dropping `tmp` on any early return removes the temporary file.
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .rand_bytes(random_len)
        .tempfile_in(dir)?;
    let out = write(&mut tmp)?;
    // The writer may have written through its own handle (by path): sync that file. With
    // write access: Windows refuses FlushFileBuffers on a read-only handle (Access denied).
    std::fs::OpenOptions::new()
        .write(true)
        .open(tmp.path())?
        .sync_all()?;
    tmp.as_file().sync_all()?;
    persist(tmp, path)?;
    sync_folder(dir);
    Ok(out)
}

/// Renames the complete temporary file over `path`. On failure the error carries the
/// temporary file back; dropping it removes it.
#[cfg(not(windows))]
fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    tmp.persist(path).map_err(|e| Error::Io(e.error))?;
    Ok(())
}

/// Renames the complete temporary file over `path`. Windows refuses to replace a file
/// that another handle holds open at that instant (a reader, an antivirus scan, another
/// writer's rename): "access denied" and sharing or lock violations are retried for up
/// to about five seconds.
#[cfg(windows)]
fn persist(mut tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION.
    let transient = |e: &std::io::Error| {
        e.kind() == std::io::ErrorKind::PermissionDenied
            || matches!(e.raw_os_error(), Some(32 | 33))
    };
    for attempt in 0u64..250 {
        match tmp.persist(path) {
            Ok(_) => return Ok(()),
            Err(e) if transient(&e.error) => {
                tmp = e.file;
                // Writers that collided spread out instead of retrying in step.
                std::thread::sleep(std::time::Duration::from_millis(10 + attempt % 7 * 3));
            }
            Err(e) => return Err(Error::Io(e.error)),
        }
    }
    tmp.persist(path).map_err(|e| Error::Io(e.error))?;
    Ok(())
}

/// Makes the rename durable. Best effort: the file is already in place and complete, and
/// some file systems refuse to sync a folder.
fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TEMP_PREFIX))
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn t4_a_link_planted_at_a_would_be_temporary_name_is_never_followed() {
        // With one random character there are 62 possible temporary names: plant a link
        // at 61 of them, each pointing at a victim file. The write must use the free
        // name and leave every victim untouched.
        let dir = tempfile::tempdir().unwrap();
        let alphabet = ('a'..='z').chain('A'..='Z').chain('0'..='9');
        let mut victims = Vec::new();
        for ch in alphabet.skip(1) {
            let victim = dir.path().join(format!("victim-{ch}"));
            std::fs::write(&victim, "precious").unwrap();
            let link = dir.path().join(format!("{TEMP_PREFIX}{ch}.tmp"));
            std::os::unix::fs::symlink(&victim, &link).unwrap();
            victims.push(victim);
        }
        let target = dir.path().join("export.csv");
        write_with(&target, 1, |f| Ok(f.write_all(b"new data")?)).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new data");
        for v in &victims {
            assert_eq!(std::fs::read_to_string(v).unwrap(), "precious");
        }
        // Only the 61 planted links remain under the prefix: no temporary left.
        assert_eq!(leftovers(dir.path()).len(), 61);
    }

    #[test]
    fn t4_replace_atomically_hands_a_fresh_path_and_renames_it_into_place() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("backup.db");
        std::fs::write(&target, "old").unwrap();
        let seen = replace_atomically(&target, |p| {
            assert_eq!(p.parent(), Some(dir.path()));
            assert!(std::fs::read(p).unwrap().is_empty());
            std::fs::write(p, "new")?;
            Ok(p.to_owned())
        })
        .unwrap();
        assert!(!seen.exists());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let failed: Result<()> = replace_atomically(&target, |p| {
            std::fs::write(p, "half")?;
            Err(Error::Internal("stopped".into()))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn t4_a_path_naming_no_file_is_invalid_input() {
        let err = write_atomically(Path::new("/"), |_| Ok(())).unwrap_err();
        assert!(matches!(err, Error::Invalid(ref p) if p[0].field == "path"));
    }
}
