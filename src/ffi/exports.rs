//! Feedback exports (X1, X2) into files, and the right to be forgotten.
//!
//! An export file is replaced only once the export is complete: a failed export leaves
//! what was there before.

use std::ffi::c_char;

use super::boundary::{Out, now, optional_text, text};
use super::engine::{engine_call, hk_engine};
use super::result::hk_result;
use crate::export::ExportQuery;
use crate::wire;

/// An export query from optional JSON: NULL is every location, all time.
fn export_query(json: Option<&str>) -> crate::Result<ExportQuery> {
    json.map_or_else(|| Ok(ExportQuery::default()), wire::parse_export_query)
}

/// Writes the feedback CSV (X1) to the file at `path`: a UTF-8 BOM, the header `Date,Time,
/// Conversation ID,Comment ID,Transaction ID,Customer ID,Customer Name,Customer Reference
/// ID,Channel,Location,Author,Sentiment,Facet,Comment`, one row per thread comment; the
/// number of comment rows goes to `*rows_out`. `query_json` is `{"location","from","to"}`
/// (all optional, RFC 3339, `to` excluded) or NULL. A file that cannot be written is
/// `HK_RESULT_STORAGE`; the store's own file or one of its companions (`-wal`, `-shm`,
/// `-journal`) is `HK_RESULT_INVALID_INPUT` (field `path`), refused before anything is
/// written (T4).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_export_csv_file(
    engine: *const hk_engine,
    path: *const c_char,
    query_json: *const c_char,
    rows_out: *mut u64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let path = unsafe { text(path, "path") }?;
        // SAFETY: as above.
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let out = Out::new(rows_out, "rows_out")?;
        let query = export_query(json)?;
        out.set(engine.export_csv_file(&query, path)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the feedback spreadsheet (X2) as .xlsx to the file at `path` (sheets "By
/// employee", "By date" and "Comments", the X1 columns) and what it holds as JSON to
/// `*summary_json_out`: `{"employees","days","comments"}` (rows of each sheet).
/// `query_json` and the refused targets as for `hk_engine_export_csv_file`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_export_xlsx_file(
    engine: *const hk_engine,
    path: *const c_char,
    query_json: *const c_char,
    summary_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let path = unsafe { text(path, "path") }?;
        // SAFETY: as above.
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let out = Out::new(summary_json_out, "summary_json_out")?;
        let query = export_query(json)?;
        out.set_string(wire::to_json(&engine.export_xlsx_file(&query, path)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Erases a customer's personal data (right to be forgotten) and writes what was done as
/// JSON to `*erasure_json_out`: `{"customer","responses_kept","texts_removed",
/// "messages_cancelled","scrubbed"}`; `scrubbed` is false while another connection's open
/// snapshot keeps the erased values in the -wal file (they go at the latest at close, T2).
/// Contacts, name and free text go; the responses stay in the
/// scores without them, the host id stays so the customer is never surveyed again, and
/// messages not yet sent to them are cancelled. An unknown customer is
/// `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_erase_customer(
    engine: *mut hk_engine,
    customer_id: *const c_char,
    now_ms: i64,
    erasure_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(customer_id, "customer_id") }?;
        let now = now(now_ms)?;
        let out = Out::new(erasure_json_out, "erasure_json_out")?;
        out.set_string(wire::to_json(&engine.erase_customer(id, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_query_exports_everything_and_a_bad_one_names_its_field() {
        assert_eq!(export_query(None).unwrap(), ExportQuery::default());
        let err = export_query(Some(r#"{"from":"SECRET"}"#)).unwrap_err();
        assert!(!err.to_string().contains("SECRET"), "{err}");
    }
}
