//! The nightly sync, its window and schedule, and the backfill import.

use std::ffi::{c_char, c_void};

use super::boundary::{Out, now, text};
use super::engine::{engine_call, hk_engine};
use super::result::hk_result;
use crate::model::{BackfillProgress, ReportDetail};
use crate::wire;

/// Runs the nightly sync of one batch given as JSON (`"format": 1`, see docs/batch-format.md)
/// and writes the sync report as JSON to `*report_json_out`.
///
/// A rejected batch writes nothing and returns `HK_RESULT_INVALID_INPUT`; every bad record
/// is listed in `hk_engine_last_error`. Re-running the same batch changes nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_sync(
    engine: *mut hk_engine,
    batch_json: *const c_char,
    now_ms: i64,
    report_json_out: *mut *mut c_char,
) -> hk_result {
    // SAFETY: forwarded contract.
    unsafe {
        sync(
            engine,
            batch_json,
            now_ms,
            report_json_out,
            ReportDetail::Full,
        )
    }
}

/// The body of [`hk_engine_sync`] and [`hk_engine_sync_counts`]: one report detail apart.
///
/// # Safety
/// The contract of [`hk_engine_sync`].
unsafe fn sync(
    engine: *mut hk_engine,
    batch_json: *const c_char,
    now_ms: i64,
    report_json_out: *mut *mut c_char,
    report: ReportDetail,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(batch_json, "batch_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(report_json_out, "report_json_out")?;
        let options = crate::SyncOptions { report };
        out.set_string(wire::to_json(&engine.sync_json_with(json, now, &options)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// [`hk_engine_sync`] for a host that needs only the counts: the report's `invitations`,
/// `skipped`, `relationship_invitations` and `cancelled_by_refund` are empty and its
/// `counts` object says how many entries each would hold. Same decisions and rows; less
/// memory on a big batch.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_sync_counts(
    engine: *mut hk_engine,
    batch_json: *const c_char,
    now_ms: i64,
    report_json_out: *mut *mut c_char,
) -> hk_result {
    // SAFETY: forwarded contract.
    unsafe {
        sync(
            engine,
            batch_json,
            now_ms,
            report_json_out,
            ReportDetail::Counts,
        )
    }
}

/// Writes, as JSON, the business dates the host must send tonight for a location, the dates
/// only a backfill can close, and the next sync instant.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_sync_window(
    engine: *const hk_engine,
    location_id: *const c_char,
    now_ms: i64,
    window_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(location_id, "location_id") }?;
        let now = now(now_ms)?;
        let out = Out::new(window_json_out, "window_json_out")?;
        out.set_string(wire::to_json(&engine.sync_window(id, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes to `*at_ms_out` the next instant (Unix ms) at which a location syncs, at its
/// local sync hour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_next_sync_at(
    engine: *const hk_engine,
    location_id: *const c_char,
    now_ms: i64,
    at_ms_out: *mut i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(location_id, "location_id") }?;
        let now = now(now_ms)?;
        let out = Out::new(at_ms_out, "at_ms_out")?;
        out.set(engine.next_sync_at(id, now)?.timestamp_millis());
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Progress of a backfill: called after each batch is committed, with no lock held.
#[allow(non_camel_case_types)]
pub type hk_progress_fn = Option<unsafe extern "C" fn(user: *mut c_void, done: u64, total: u64)>;

/// Imports a backfill file (JSON lines, one batch per line) and writes, as JSON, one sync
/// report per batch to `*report_json_out` (`{"batches":[...]}`).
///
/// `progress` may be NULL. It is called on the calling thread after each batch is
/// committed, with `user` passed through, and with no hearken lock held: it may call
/// other hearken functions, on this handle too. It must return normally (no C++ exception
/// or longjmp across hearken).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_backfill_file(
    engine: *mut hk_engine,
    path: *const c_char,
    now_ms: i64,
    progress: hk_progress_fn,
    user: *mut c_void,
    report_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let path = unsafe { text(path, "path") }?;
        let now = now(now_ms)?;
        let out = Out::new(report_json_out, "report_json_out")?;
        let on_progress = |p: BackfillProgress| {
            if let Some(callback) = progress {
                // SAFETY: the host's callback with the host's pointer (contract above).
                unsafe { callback(user, p.done, p.total) };
            }
        };
        out.set_string(wire::to_json(&engine.backfill_file(
            path,
            now,
            on_progress,
        )?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}
