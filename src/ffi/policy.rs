//! The contact policy (P1–P8): the store's policy and calendar, a location's own; JSON in,
//! JSON out.

use std::ffi::c_char;

use super::boundary::{Out, text};
use super::engine::{engine_call, hk_engine};
use super::result::hk_result;
use crate::wire;

/// Writes the store's contact policy as JSON to `*policy_json_out` (free with
/// `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_contact_policy(
    engine: *const hk_engine,
    policy_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(policy_json_out, "policy_json_out")?;
        out.set_string(wire::to_json(&engine.contact_policy()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Validates and replaces the store's contact policy from JSON; absent fields take their
/// defaults, and an empty or absent `sample_salt` keeps the stored one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_contact_policy(
    engine: *mut hk_engine,
    policy_json: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(policy_json, "policy_json") }?;
        engine.set_contact_policy(&wire::parse_contact_policy(json)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the store's default calendar as JSON to `*calendar_json_out` (free with
/// `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_calendar(
    engine: *const hk_engine,
    calendar_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(calendar_json_out, "calendar_json_out")?;
        out.set_string(wire::to_json(&engine.calendar()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Validates and replaces the store's default calendar from JSON (P5).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_calendar(
    engine: *mut hk_engine,
    calendar_json: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(calendar_json, "calendar_json") }?;
        engine.set_calendar(&wire::parse_calendar(json)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes a location's own volume rules and calendar as JSON to `*policy_json_out` (free
/// with `hk_string_free`); `null` fields keep the store's.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_location_policy(
    engine: *const hk_engine,
    location: *const c_char,
    policy_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let location = unsafe { text(location, "location") }?;
        let out = Out::new(policy_json_out, "policy_json_out")?;
        out.set_string(wire::to_json(&engine.location_policy(location)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Validates and replaces a location's own volume rules and calendar from JSON (P4, P5).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_location_policy(
    engine: *mut hk_engine,
    policy_json: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(policy_json, "policy_json") }?;
        engine.set_location_policy(&wire::parse_location_policy(json)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}
