//! The opaque engine handle: open, free, and the detail of its last failed call.

use std::ffi::c_char;
use std::time::Duration;

pub use super::boundary::hk_engine;
use super::boundary::{Out, c_string, guarded, text, with_engine, without_engine};
use super::result::{Failure, hk_result};
use crate::engine::{Engine, EngineOptions, JournalMode};

/// Journal mode for `hk_engine_open`: write-ahead log (default). Needs a local disk.
///
/// The mode given to `hk_engine_open` is the one a new store is created with; an existing
/// store keeps its own (T5); `hk_convert_journal` changes it.
pub const HK_JOURNAL_WAL: u32 = 0;
/// Journal mode for `hk_engine_open`: rollback journal, for databases on network shares.
pub const HK_JOURNAL_ROLLBACK: u32 = 1;

fn options(journal_mode: u32, busy_timeout_ms: u32) -> Result<EngineOptions, Failure> {
    let journal = match journal_mode {
        HK_JOURNAL_WAL => JournalMode::Wal,
        HK_JOURNAL_ROLLBACK => JournalMode::Rollback,
        _ => {
            return Err(Failure::Range(
                "journal_mode",
                "unknown journal mode; expected HK_JOURNAL_WAL (0) or HK_JOURNAL_ROLLBACK (1)",
            ));
        }
    };
    let mut options = EngineOptions {
        journal,
        ..EngineOptions::default()
    };
    if busy_timeout_ms > 0 {
        options.busy_timeout = Duration::from_millis(busy_timeout_ms.into());
    }
    Ok(options)
}

/// Opens (creating and migrating as needed) the database file at `path`.
///
/// `journal_mode` is `HK_JOURNAL_WAL` or `HK_JOURNAL_ROLLBACK`; `busy_timeout_ms` is how
/// long a write waits for another process's write (0 = the default, 60 s). On success
/// `*engine_out` receives a handle to release with `hk_engine_free`. On failure nothing is
/// written to `*engine_out` and, if `error_out` is not NULL, `*error_out` receives the
/// error detail JSON (free it with `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_open(
    path: *const c_char,
    journal_mode: u32,
    busy_timeout_ms: u32,
    engine_out: *mut *mut hk_engine,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: `path` is NULL or NUL-terminated (contract above).
        let path = unsafe { text(path, "path") }?;
        let out = Out::new(engine_out, "engine_out")?;
        let options = options(journal_mode, busy_timeout_ms)?;
        let engine = Engine::open_with(path, &options)?;
        out.set(hk_engine::boxed(engine));
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Opens the store `store_id` (the vendor's text id for the store) of the PostgreSQL
/// database at `url`, a `postgres://` connection string (hosted mode, H1): `sslmode` and
/// `sslrootcert` as libpq means them, the password from the URL or from libpq's password
/// file (`passfile=`, `$PGPASSFILE` or `~/.pgpass`). The schema must be installed and the
/// store created by an admin: opening changes nothing. No error repeats the URL or its
/// password.
///
/// A library built without the cargo feature `hosted` (the default: the release tarball,
/// zip, wheels and jar) returns `HK_RESULT_UNSUPPORTED`. File-only calls
/// (`hk_engine_backup`, `hk_engine_check`, `hk_engine_journal_mode`) on such a handle
/// return `HK_RESULT_UNSUPPORTED` too. Outputs as for `hk_engine_open`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_open_url(
    url: *const c_char,
    store_id: *const c_char,
    engine_out: *mut *mut hk_engine,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: `url` and `store_id` are NULL or NUL-terminated (contract above).
        let url = unsafe { text(url, "url") }?;
        // SAFETY: as above.
        let store_id = unsafe { text(store_id, "store_id") }?;
        let out = Out::new(engine_out, "engine_out")?;
        out.set(hk_engine::boxed(Engine::open_url(url, store_id)?));
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Opens a private in-memory database (tests, demos); it vanishes with the handle.
///
/// Outputs as for `hk_engine_open`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_open_in_memory(
    engine_out: *mut *mut hk_engine,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        let out = Out::new(engine_out, "engine_out")?;
        out.set(hk_engine::boxed(Engine::open_in_memory()?));
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

/// Closes the database (as `hk_engine_close`, if it was not called), frees the handle
/// and sets `*engine` to NULL.
///
/// `engine` or `*engine` NULL is fine, so calling it twice on the same variable is harmless.
/// No other call may be running on the handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_free(engine: *mut *mut hk_engine) {
    guarded((), || {
        // SAFETY: `engine` is NULL or a readable, writable slot (contract above).
        let Some(slot) = (unsafe { engine.as_mut() }) else {
            return;
        };
        let handle = std::mem::replace(slot, std::ptr::null_mut());
        if !handle.is_null() {
            // SAFETY: a live handle made by `hk_engine::boxed`, released once: the slot is
            // cleared before the drop.
            drop(unsafe { Box::from_raw(handle) });
        }
    })
}

/// Closes the store without freeing the handle (T1, T8): readers first, then the writer,
/// which folds the WAL back so the whole store is in its one database file.
///
/// Every later call on the handle returns `HK_RESULT_CLOSED`; closing again returns `HK_OK`.
/// `hk_engine_free` still has to be called (it also closes, ignoring errors, when
/// `hk_engine_close` was not called). A failure to fold the WAL back is reported here, with
/// its detail in `hk_engine_last_error`; the handle is closed either way.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_close(engine: *mut hk_engine) -> hk_result {
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, |engine| Ok(engine.close()?)) }
}

/// Writes a consistent copy of the live store to `path` with SQLite's online backup (T1):
/// a complete standalone store file, written under a fresh temporary name in `path`'s
/// folder and renamed into place only when complete (T4). An existing file at `path` is
/// replaced (a link there is replaced, never followed). A `path` that is the store's own
/// file or one of its companions (`-wal`, `-shm`, `-journal`, existing or not), by any
/// path, link or letter case, is `HK_RESULT_INVALID_INPUT` (field `path`); nothing is
/// written.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_backup(
    engine: *mut hk_engine,
    path: *const c_char,
) -> hk_result {
    let body = |engine: &Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let path = unsafe { text(path, "path") }?;
        Ok(engine.backup(path)?)
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Runs SQLite's integrity and foreign-key checks (T7) and writes the result as JSON to
/// `*check_json_out`: `{"ok","problems":[...],"journal":"wal"|"rollback","schema_version"}`.
/// A damaged file is reported here as `"ok":false` with `HK_OK`; calls that read damaged
/// pages return `HK_RESULT_CORRUPT`. Free the string with `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_check(
    engine: *mut hk_engine,
    check_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &Engine| {
        let out = Out::new(check_json_out, "check_json_out")?;
        out.set_string(crate::wire::to_json(&engine.check()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the store's journal mode (`HK_JOURNAL_WAL` or `HK_JOURNAL_ROLLBACK`) to
/// `*journal_mode_out`: the mode it was created with or converted to (T5).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_journal_mode(
    engine: *mut hk_engine,
    journal_mode_out: *mut u32,
) -> hk_result {
    let body = |engine: &Engine| {
        let out = Out::new(journal_mode_out, "journal_mode_out")?;
        out.set(journal_code(engine.journal_mode()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Moves the store at `path` to `journal_mode` (T5): `HK_JOURNAL_ROLLBACK` before putting
/// it on a network share, `HK_JOURNAL_WAL` for a local disk. Leaving WAL needs the only
/// handle on the file: `HK_RESULT_CONFLICT` while another handle or process has it open.
/// The mode the
/// store had before goes to `*previous_out` (may be NULL); failure detail to `*error_out`
/// as for `hk_engine_open`. A `path` where no file exists is `HK_RESULT_INVALID_INPUT`
/// (field `path`): converting never creates a store.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_convert_journal(
    path: *const c_char,
    journal_mode: u32,
    previous_out: *mut u32,
    error_out: *mut *mut c_char,
) -> hk_result {
    let body = || {
        // SAFETY: `path` is NULL or NUL-terminated (contract above).
        let path = unsafe { text(path, "path") }?;
        let mode = options(journal_mode, 0)?.journal;
        let before = Engine::convert_journal(path, mode)?;
        if let Some(out) = std::ptr::NonNull::new(previous_out) {
            // SAFETY: NULL or writable (contract above).
            unsafe { out.write(journal_code(before)) };
        }
        Ok(())
    };
    // SAFETY: `error_out` is NULL or writable (contract above).
    unsafe { without_engine(error_out, body) }
}

fn journal_code(mode: JournalMode) -> u32 {
    match mode {
        JournalMode::Rollback => HK_JOURNAL_ROLLBACK,
        _ => HK_JOURNAL_WAL,
    }
}

/// The detail JSON of the most recent failed call on this handle, from whatever thread,
/// or NULL if none failed yet (or `engine` is NULL). A success does not clear it.
///
/// The detail is `{"kind","message","problems"}`; for invalid input, `problems` lists every
/// bad record as `{"record","index","host_id","field","reason"}`. The string is the
/// caller's: free it with `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_last_error(engine: *const hk_engine) -> *mut c_char {
    guarded(std::ptr::null_mut(), || {
        // SAFETY: NULL or a live handle (contract above).
        match unsafe { engine.as_ref() }.and_then(hk_engine::last_error) {
            Some(json) => c_string(json),
            None => std::ptr::null_mut(),
        }
    })
}

/// Shared shape of the calls that only read or write JSON through the engine.
///
/// # Safety
/// As [`with_engine`].
pub(crate) unsafe fn engine_call(
    engine: *const hk_engine,
    body: impl FnOnce(&Engine) -> Result<(), Failure>,
) -> hk_result {
    // SAFETY: forwarded contract.
    unsafe { with_engine(engine, |handle| body(&handle.engine)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::result::HK_RESULT_INVALID_INPUT;

    #[test]
    fn unknown_journal_mode_is_rejected_with_detail() {
        let mut engine: *mut hk_engine = std::ptr::null_mut();
        let mut err: *mut c_char = std::ptr::null_mut();
        // SAFETY: static path, writable slots.
        let code = unsafe { hk_engine_open(c"x.db".as_ptr(), 7, 0, &mut engine, &mut err) };
        assert_eq!(code, HK_RESULT_INVALID_INPUT);
        assert!(engine.is_null());
        // SAFETY: written by the call.
        let json = unsafe { std::ffi::CString::from_raw(err) };
        assert!(json.to_str().unwrap().contains(r#""field":"journal_mode""#));
    }

    #[test]
    fn free_accepts_null_twice() {
        let mut engine: *mut hk_engine = std::ptr::null_mut();
        // SAFETY: NULL slot and NULL handle are both accepted.
        unsafe {
            hk_engine_free(&mut engine);
            hk_engine_free(std::ptr::null_mut());
        }
    }
}
