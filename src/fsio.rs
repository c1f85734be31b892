//! Files hearken writes (exports, backups), whole or not at all, never onto the store (T4).
//!
//! Every file is first written under a fresh name in the target's folder: `.hearken-`
//! and random characters, created with `O_CREAT | O_EXCL` (tempfile), so a link or file
//! planted under any name is never followed nor overwritten, and the temporary name does
//! not grow with the target's (a 255-byte file name works). Once complete it is synced to
//! disk and renamed over the target: a reader sees the old file or the new one, two
//! writers of one path each leave a complete file (the last rename wins), and a target
//! that is a symbolic link is replaced by the rename, never written through.
//!
//! Before anything is written, a target that is the open store's file or one of SQLite's
//! companions of it (`-wal`, `-shm`, `-journal`, existing or not) is refused, by whatever
//! path, link or letter case it is named ([`StoreFile::refuse`]).
//!
//! A writer holds its temporary while it writes (an advisory `flock` on Unix; on Windows
//! a handle that lets nobody delete or rename the file). On any error the temporary file
//! and the companions SQLite may have left beside it are removed and the target is left
//! as it was; what a killed writer left behind (no process holds it any more) is removed
//! by the next write into that folder.

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, Problem, Result};

/// Prefix of every temporary file hearken creates beside a target.
pub(crate) const TEMP_PREFIX: &str = ".hearken-";
/// Suffix of every temporary file hearken creates beside a target.
const TEMP_SUFFIX: &str = ".tmp";
/// Random characters in a temporary name (tempfile's default).
const RANDOM_LEN: usize = 6;
/// The files SQLite keeps beside a database file: its rollback journal, write-ahead log
/// and WAL index.
pub(crate) const COMPANIONS: [&str; 3] = ["-journal", "-wal", "-shm"];

/// Why a target is refused; names no path (T6).
const ON_THE_STORE: &str = "is the open store's own file or one of its companions \
     (-wal, -shm, -journal); writing there would destroy the store";

/// The device and inode of a file, to tell the same file under another name (T4) and a
/// store file deleted or replaced while open (T8). Unix only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileIdentity {
    dev: u64,
    ino: u64,
}

impl FileIdentity {
    /// The identity of the file now at `path` (links followed), where the platform tells it.
    pub fn of(path: &Path) -> Option<FileIdentity> {
        Self::from_metadata(&std::fs::metadata(path).ok()?)
    }

    /// The identity of the directory entry at `path` itself (a link is not followed).
    #[cfg_attr(windows, allow(dead_code))]
    fn of_entry(path: &Path) -> Option<FileIdentity> {
        Self::from_metadata(&std::fs::symlink_metadata(path).ok()?)
    }

    /// The identity of an open file.
    #[cfg_attr(windows, allow(dead_code))]
    fn of_file(file: &File) -> Option<FileIdentity> {
        Self::from_metadata(&file.metadata().ok()?)
    }

    #[cfg(unix)]
    fn from_metadata(m: &std::fs::Metadata) -> Option<FileIdentity> {
        use std::os::unix::fs::MetadataExt;
        Some(FileIdentity {
            dev: m.dev(),
            ino: m.ino(),
        })
    }

    #[cfg(not(unix))]
    fn from_metadata(_: &std::fs::Metadata) -> Option<FileIdentity> {
        None
    }
}

/// One place a store file is known by: its folder (canonical, and its identity where the
/// platform tells one) and its name there.
#[derive(Debug, Clone)]
struct Spot {
    folder: PathBuf,
    folder_identity: Option<FileIdentity>,
    name: OsString,
}

impl Spot {
    fn of(path: &Path) -> Option<Spot> {
        let name = path.file_name()?.to_owned();
        let folder = std::fs::canonicalize(folder(path).ok()?).ok()?;
        Some(Spot {
            folder_identity: FileIdentity::of(&folder),
            folder,
            name,
        })
    }

    /// Whether `other` names the same folder as this spot.
    fn same_folder(&self, other: &Spot) -> bool {
        match (self.folder_identity, other.folder_identity) {
            (Some(a), Some(b)) => a == b,
            _ => same_name(self.folder.as_os_str(), other.folder.as_os_str()),
        }
    }

    /// Whether `name` is this spot's name or a companion's, in any letter case.
    fn names(&self, name: &std::ffi::OsStr) -> bool {
        if same_name(name, &self.name) {
            return true;
        }
        COMPANIONS.iter().any(|c| {
            let mut companion = self.name.clone();
            companion.push(c);
            same_name(name, &companion)
        })
    }
}

/// Names compared without regard to letter case: a case-insensitive file system (Windows,
/// macOS, a FAT stick) opens `STORE.DB-WAL` for `store.db-wal`. On a case-sensitive one
/// this refuses a few names that would have been harmless.
fn same_name(a: &std::ffi::OsStr, b: &std::ffi::OsStr) -> bool {
    a == b || a.to_string_lossy().to_lowercase() == b.to_string_lossy().to_lowercase()
}

/// The open store's file, which no file hearken writes may land on (T4), and whether it
/// is still the file that was opened (T8).
#[derive(Debug, Clone)]
pub struct StoreFile {
    /// The path the store was opened with.
    opened: PathBuf,
    /// Its device and inode when opened, where the platform tells them.
    identity: Option<FileIdentity>,
    /// Where it is known: the path as opened and, when that is a link, the file it points
    /// at (SQLite keeps the companions beside the file the link resolves to).
    spots: Vec<Spot>,
}

impl StoreFile {
    /// The store file at `path`, just opened.
    pub fn of(path: &Path) -> StoreFile {
        let mut spots: Vec<Spot> = Spot::of(path).into_iter().collect();
        if let Some(real) = std::fs::canonicalize(path)
            .ok()
            .as_deref()
            .and_then(Spot::of)
            && !spots
                .iter()
                .any(|s| s.same_folder(&real) && same_name(&s.name, &real.name))
        {
            spots.push(real);
        }
        StoreFile {
            opened: path.to_path_buf(),
            identity: FileIdentity::of(path),
            spots,
        }
    }

    /// Whether the file at the opened path is no longer the one opened (T8). `false` where
    /// the platform gives no identity.
    pub fn replaced(&self) -> bool {
        self.identity
            .is_some_and(|opened| FileIdentity::of(&self.opened) != Some(opened))
    }

    /// Refuses `target` when writing it would replace the store's file or one of its
    /// companions (existing or not), by any path, link or letter case: invalid input
    /// naming the argument `path`, before anything is written.
    pub fn refuse(&self, target: &Path) -> Result<()> {
        let refused = || Error::invalid(Problem::top("file", "path", ON_THE_STORE));
        // The same file by another name: a hard link, a link to it, another mount.
        if let Some(id) = FileIdentity::of(target) {
            let live = self.identity.into_iter().chain(
                self.spots
                    .iter()
                    .flat_map(|s| {
                        std::iter::once(s.name.clone())
                            .chain(COMPANIONS.iter().map(|c| {
                                let mut n = s.name.clone();
                                n.push(c);
                                n
                            }))
                            .map(|n| s.folder.join(n))
                    })
                    .filter_map(|p| FileIdentity::of(&p)),
            );
            if live.into_iter().any(|l| l == id) {
                return Err(refused());
            }
        }
        // The store's name or a companion's in the store's folder, reached by any path.
        if let (Some(name), Some(spot)) = (target.file_name(), Spot::of(target))
            && self
                .spots
                .iter()
                .any(|s| s.same_folder(&spot) && s.names(name))
        {
            return Err(refused());
        }
        Ok(())
    }
}

/// Writes `path` through `write` on a fresh temporary file, renamed into place only once
/// `write` returned Ok and the data is on disk. `store`, the open store's file, is refused
/// as a target (T4).
pub(crate) fn write_atomically<T>(
    path: &Path,
    store: Option<&StoreFile>,
    write: impl FnOnce(&mut File) -> Result<T>,
) -> Result<T> {
    write_with(path, store, RANDOM_LEN, |tmp| write(tmp.file_mut()))
}

/// Like [`write_atomically`], for writers that need a path (SQLite's online backup):
/// `write` gets the path of a fresh, empty temporary file beside `path`, which is renamed
/// over `path` once `write` returned Ok.
pub(crate) fn replace_atomically<T>(
    path: &Path,
    store: Option<&StoreFile>,
    write: impl FnOnce(&Path) -> Result<T>,
) -> Result<T> {
    write_with(path, store, RANDOM_LEN, |tmp| write(tmp.path()))
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
    store: Option<&StoreFile>,
    random_len: usize,
    write: impl FnOnce(&mut Temporary) -> Result<T>,
) -> Result<T> {
    let dir = folder(path)?;
    if let Some(store) = store {
        store.refuse(path)?;
    }
    sweep(dir);
    // Dropping `tmp` on any early return removes the temporary file and its companions.
    let mut tmp = Temporary::create(dir, random_len)?;
    let out = write(&mut tmp)?;
    // The writer may have written through its own handle (by path): sync that file. With
    // write access: Windows refuses FlushFileBuffers on a read-only handle (Access denied).
    std::fs::OpenOptions::new()
        .write(true)
        .open(tmp.path())?
        .sync_all()?;
    tmp.file_mut().sync_all()?;
    tmp.persist(path)?;
    sync_folder(dir);
    Ok(out)
}

/// A temporary file beside a target, held while it is written. Dropped unpersisted, it
/// removes itself and the companions SQLite may have left beside it.
struct Temporary {
    file: Option<tempfile::NamedTempFile>,
    /// Windows: the handle that keeps other processes from deleting the file.
    hold: Option<File>,
}

impl Temporary {
    /// A fresh temporary in `dir`, held (see [`hold`]).
    fn create(dir: &Path, random_len: usize) -> Result<Temporary> {
        let mut attempts = 0;
        loop {
            let tmp = tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .suffix(TEMP_SUFFIX)
                .rand_bytes(random_len)
                .tempfile_in(dir)?;
            match hold(&tmp) {
                Ok(hold) => {
                    return Ok(Temporary {
                        file: Some(tmp),
                        hold,
                    });
                }
                Err(e) => {
                    // Another writer's sweep took it before it was held. Its name may be
                    // someone else's by now: let it go without removing, take another.
                    let _ = tmp.keep();
                    attempts += 1;
                    if attempts == 8 {
                        return Err(Error::Io(e));
                    }
                }
            }
        }
    }

    fn file(&self) -> &tempfile::NamedTempFile {
        self.file.as_ref().expect("a temporary not yet persisted")
    }

    fn path(&self) -> &Path {
        self.file().path()
    }

    fn file_mut(&mut self) -> &mut File {
        self.file
            .as_mut()
            .expect("a temporary not yet persisted")
            .as_file_mut()
    }

    /// Renames the complete file over `path`.
    fn persist(mut self, path: &Path) -> Result<()> {
        drop(self.hold.take());
        let tmp = self.file.take().expect("a temporary not yet persisted");
        persist(tmp, path)
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        drop(self.hold.take());
        if let Some(tmp) = self.file.take() {
            remove_companions(tmp.path());
            // Dropping the tempfile removes the file itself.
        }
    }
}

/// Removes what SQLite may leave beside a temporary it wrote (a failed or killed backup).
fn remove_companions(temp: &Path) {
    for c in COMPANIONS {
        let mut name = temp.as_os_str().to_owned();
        name.push(c);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// Holds a fresh temporary so that no other writer's [`sweep`] removes it: an exclusive
/// advisory lock (`flock`) on its own handle, which SQLite's POSIX locks on the same file
/// do not touch. Fails when a sweep removed the file before it was held.
#[cfg(not(windows))]
fn hold(tmp: &tempfile::NamedTempFile) -> std::io::Result<Option<File>> {
    tmp.as_file().lock()?;
    if FileIdentity::of_file(tmp.as_file()) != FileIdentity::of_entry(tmp.path()) {
        return Err(std::io::ErrorKind::NotFound.into());
    }
    Ok(None)
}

/// Holds a fresh temporary: a second handle that shares reading and writing but not
/// deleting, so no other process can remove or rename the file while it is open. (A
/// Windows lock would be mandatory and keep SQLite's own handle from writing the copy.)
#[cfg(windows)]
fn hold(tmp: &tempfile::NamedTempFile) -> std::io::Result<Option<File>> {
    use std::os::windows::fs::OpenOptionsExt;
    // FILE_SHARE_READ | FILE_SHARE_WRITE.
    let hold = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(0x1 | 0x2)
        .open(tmp.path())?;
    Ok(Some(hold))
}

/// The temporary a name belongs to, when it is one of hearken's (`.hearken-` + random
/// characters + `.tmp`) or a companion of one: `(temporary's name, is a companion)`.
fn temporary_of(name: &str) -> Option<(&str, bool)> {
    let random_and_rest = name.strip_prefix(TEMP_PREFIX)?;
    let end = random_and_rest.find(TEMP_SUFFIX)?;
    let random = &random_and_rest[..end];
    if random.is_empty() || !random.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let base_len = TEMP_PREFIX.len() + end + TEMP_SUFFIX.len();
    match &name[base_len..] {
        "" => Some((name, false)),
        rest if COMPANIONS.contains(&rest) => Some((&name[..base_len], true)),
        _ => None,
    }
}

/// Removes from `dir` the temporaries no process holds (a writer that failed or was
/// killed), with their companions, and companions whose temporary is gone. Best effort:
/// what cannot be removed is left for a later write.
fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((base, companion)) = name.to_str().and_then(temporary_of) else {
            continue;
        };
        // Only regular files: a link planted under such a name is not ours to follow.
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let base = dir.join(base);
        if !companion {
            sweep_unheld(&base);
        } else if std::fs::symlink_metadata(&base)
            .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Removes a temporary and its companions unless a writer holds it.
#[cfg(not(windows))]
fn sweep_unheld(temp: &Path) {
    let Ok(file) = File::open(temp) else {
        return;
    };
    if file.try_lock().is_err() {
        return;
    }
    // Still the file at that name (not one that replaced it since it was opened).
    if FileIdentity::of_file(&file) != FileIdentity::of_entry(temp) {
        return;
    }
    remove_companions(temp);
    let _ = std::fs::remove_file(temp);
}

/// Removes a temporary and its companions unless a writer holds it (its handle then
/// refuses the deletion).
#[cfg(windows)]
fn sweep_unheld(temp: &Path) {
    if std::fs::remove_file(temp).is_ok() {
        remove_companions(temp);
    }
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
    #[cfg(unix)]
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
        write_with(&target, None, 1, |f| {
            Ok(f.file_mut().write_all(b"new data")?)
        })
        .unwrap();
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
        let seen = replace_atomically(&target, None, |p| {
            assert_eq!(p.parent(), Some(dir.path()));
            assert!(std::fs::read(p).unwrap().is_empty());
            std::fs::write(p, "new")?;
            Ok(p.to_owned())
        })
        .unwrap();
        assert!(!seen.exists());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let failed: Result<()> = replace_atomically(&target, None, |p| {
            std::fs::write(p, "half")?;
            Err(Error::Internal("stopped".into()))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn t4_only_hearkens_temporaries_and_their_companions_are_swept() {
        assert_eq!(
            temporary_of(".hearken-aB3xY9.tmp"),
            Some((".hearken-aB3xY9.tmp", false))
        );
        assert_eq!(
            temporary_of(".hearken-aB3xY9.tmp-journal"),
            Some((".hearken-aB3xY9.tmp", true))
        );
        assert_eq!(
            temporary_of(".hearken-aB3xY9.tmp-wal"),
            Some((".hearken-aB3xY9.tmp", true))
        );
        for not_ours in [
            ".hearken-aB3xY9",
            ".hearken-.tmp",
            ".hearken-a.b.tmp",
            ".hearken-aB3xY9.tmp-other",
            ".hearken-aB3xY9.tmp.csv",
            "hearken-aB3xY9.tmp",
            "export.csv.partial",
            "h.db-wal",
        ] {
            assert_eq!(temporary_of(not_ours), None, "{not_ours}");
        }
        // Unheld leftovers go; a held temporary, a link and other files stay.
        let dir = tempfile::tempdir().unwrap();
        let held = Temporary::create(dir.path(), RANDOM_LEN).unwrap();
        let held_name = held
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for name in [
            ".hearken-dead01.tmp",
            ".hearken-dead01.tmp-shm",
            ".hearken-gone02.tmp-journal",
            "keep.txt",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            dir.path().join("keep.txt"),
            dir.path().join(".hearken-link03.tmp"),
        )
        .unwrap();
        sweep(dir.path());
        let mut left = leftovers(dir.path());
        left.sort();
        let mut want = vec![held_name];
        #[cfg(unix)]
        want.push(".hearken-link03.tmp".to_owned());
        want.sort();
        assert_eq!(left, want);
        assert!(dir.path().join("keep.txt").exists());
        drop(held);
        sweep(dir.path());
        assert_eq!(leftovers(dir.path()).len(), usize::from(cfg!(unix)));
    }

    #[test]
    fn t4_a_failed_write_removes_its_temporary_and_what_sqlite_left_beside_it() {
        // What a backup that failed on a full disk leaves (SQLite's -journal, or the -wal
        // and -shm of a copy still flagged WAL): the failure removes them with the file.
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("backup.db");
        let failed: Result<()> = replace_atomically(&target, None, |temp| {
            for c in COMPANIONS {
                let mut name = temp.as_os_str().to_owned();
                name.push(c);
                std::fs::write(PathBuf::from(name), "left by SQLite")?;
            }
            Err(Error::Io(std::io::ErrorKind::StorageFull.into()))
        });
        assert!(failed.is_err());
        assert!(
            leftovers(dir.path()).is_empty(),
            "{:?}",
            leftovers(dir.path())
        );
        assert!(!target.exists());
    }

    #[test]
    fn t4_a_path_naming_no_file_is_invalid_input() {
        let err = write_atomically(Path::new("/"), None, |_| Ok(())).unwrap_err();
        assert!(matches!(err, Error::Invalid(ref p) if p[0].field == "path"));
    }
}
