//! The event feed (D1): what changed, in order, read with a cursor.

use std::ffi::c_char;

use super::boundary::{Out, optional_text};
use super::engine::{engine_call, hk_engine};
use super::result::hk_result;
use crate::wire;

/// Reads up to `limit` (1 to 1000) events of the feed after `after_cursor` (NULL: from the
/// oldest kept) and writes to `*page_json_out` a JSON object tagged by `outcome`:
/// `{"outcome":"events","events":[{"cursor","type","at","data"}],"next_cursor"}`, or
/// `{"outcome":"cursor_expired","oldest_cursor"}` when the events after the cursor were
/// pruned, or `{"outcome":"foreign_cursor","oldest_cursor"}` when the cursor is from
/// another incarnation of the store (a restored backup, an import). `data` is a JSON
/// object of ids, kinds, statuses and times (docs/events.md). A cursor that is not one
/// is `HK_RESULT_INVALID_INPUT` naming `after_cursor`. Free the page with
/// `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_events(
    engine: *mut hk_engine,
    after_cursor: *const c_char,
    limit: u32,
    page_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let after = unsafe { optional_text(after_cursor, "after_cursor") }?;
        let out = Out::new(page_json_out, "page_json_out")?;
        out.set_string(wire::to_json(&engine.events(after, limit)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}
