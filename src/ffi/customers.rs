//! Customers: why they did or did not get surveys, unsubscribes, and the pending outbox.

use std::ffi::c_char;

use super::boundary::{Out, now, text};
use super::engine::{engine_call, hk_engine};
use super::result::hk_result;
use crate::wire;

/// Writes, as JSON, why a customer did or did not get surveys: status and stored decisions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_explain(
    engine: *const hk_engine,
    customer_id: *const c_char,
    now_ms: i64,
    explanation_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(customer_id, "customer_id") }?;
        let now = now(now_ms)?;
        let out = Out::new(explanation_json_out, "explanation_json_out")?;
        out.set_string(wire::to_json(&engine.explain(id, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the same explanation as plain text, one sentence per line (newline-separated,
/// no trailing newline), in words a store owner understands.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_explain_text(
    engine: *const hk_engine,
    customer_id: *const c_char,
    now_ms: i64,
    text_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(customer_id, "customer_id") }?;
        let now = now(now_ms)?;
        let out = Out::new(text_out, "text_out")?;
        out.set_string(engine.explain(id, now)?.lines().join("\n"));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Unsubscribes a known customer, by host id, from every survey at every location.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_unsubscribe_customer(
    engine: *mut hk_engine,
    customer_id: *const c_char,
    now_ms: i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(customer_id, "customer_id") }?;
        engine.unsubscribe_customer(id, now(now_ms)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Unsubscribes an e-mail address or phone number, known to the store or not yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_unsubscribe_contact(
    engine: *mut hk_engine,
    contact: *const c_char,
    now_ms: i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let contact = unsafe { text(contact, "contact") }?;
        engine.unsubscribe_contact(contact, now(now_ms)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the invitations waiting for delivery, oldest first, as a JSON array.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_pending_invitations(
    engine: *const hk_engine,
    invitations_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(invitations_json_out, "invitations_json_out")?;
        out.set_string(wire::to_json(&engine.pending_invitations()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes, as JSON, a customer's contact state for the POS customer screen (D7):
/// `{"customer","erased","last_invited","last_answered","next_eligible","pending",
/// "subscription","consent"}`. An unknown customer is `HK_RESULT_NOT_FOUND`. Free the
/// string with `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_contact_state(
    engine: *const hk_engine,
    customer_id: *const c_char,
    now_ms: i64,
    state_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(customer_id, "customer_id") }?;
        let now = now(now_ms)?;
        let out = Out::new(state_json_out, "state_json_out")?;
        out.set_string(wire::to_json(&engine.contact_state(id, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Cancels a customer's pending invitation and reminder messages (`cancelled_by_host`,
/// D7), releasing the cooldown of an invitation not yet delivered (E4), and writes what it
/// did as JSON: `{"customer","cancelled","message_ids","in_flight"}` (`in_flight`: the
/// messages the host holds, left alone). An unknown customer is `HK_RESULT_NOT_FOUND`.
/// Free the string with `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_cancel_pending(
    engine: *mut hk_engine,
    customer_id: *const c_char,
    now_ms: i64,
    report_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(customer_id, "customer_id") }?;
        let now = now(now_ms)?;
        let out = Out::new(report_json_out, "report_json_out")?;
        out.set_string(wire::to_json(&engine.cancel_pending(id, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes everything hearken holds about a customer as one JSON document (D6):
/// `{"format":1,"customer","erased","contacts":[{"kind","value"}],"tables":{TABLE:[ROW]}}`,
/// every stored row naming them by table (link and reply hashes left out). An unknown
/// customer is `HK_RESULT_NOT_FOUND`. Free the string with `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_customer_export(
    engine: *const hk_engine,
    customer_id: *const c_char,
    export_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(customer_id, "customer_id") }?;
        let out = Out::new(export_json_out, "export_json_out")?;
        out.set_string(wire::to_json(&engine.customer_export(id)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes what hearken holds about an e-mail address or phone number alone as JSON (D6):
/// `{"format":1,"contact":{"kind","value"},"suppressed","suppression","customers"}`. A
/// contact that is neither is `HK_RESULT_INVALID_INPUT` naming `contact`. Free the string
/// with `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_contact_export(
    engine: *const hk_engine,
    contact: *const c_char,
    export_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let contact = unsafe { text(contact, "contact") }?;
        let out = Out::new(export_json_out, "export_json_out")?;
        out.set_string(wire::to_json(&engine.contact_export(contact)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Erases an e-mail address or phone number (D6): every customer who has or had it is
/// erased as `hk_engine_erase_customer` does, and the contact's own suppression is kept
/// only as a peppered hash (T2). Writes `{"kind","customers":[ERASURE],
/// "suppression_hashed","scrubbed"}`. Free the string with `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_erase_contact(
    engine: *mut hk_engine,
    contact: *const c_char,
    now_ms: i64,
    erasure_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let contact = unsafe { text(contact, "contact") }?;
        let now = now(now_ms)?;
        let out = Out::new(erasure_json_out, "erasure_json_out")?;
        out.set_string(wire::to_json(&engine.erase_contact(contact, now)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes, as a JSON array oldest first, a customer's consent history (D5): one object
/// `{"channel","purpose","granted","source","at","by_contact"}` per change, `source` one of
/// `pos`, `link`, `keyword`, `api`, `import`, `complaint`. Free it with `hk_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_consent_history(
    engine: *const hk_engine,
    customer_id: *const c_char,
    history_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(customer_id, "customer_id") }?;
        let out = Out::new(history_json_out, "history_json_out")?;
        out.set_string(wire::to_json(&engine.consent_history(id)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}
