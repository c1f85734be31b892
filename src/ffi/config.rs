//! Store settings and locations: JSON in, JSON out.

use std::ffi::c_char;

use super::boundary::{Out, flag, text};
use super::engine::{engine_call, hk_engine};
use super::result::hk_result;
use crate::wire;

/// Writes the store-wide settings as JSON to `*settings_json_out` (free with `hk_string_free`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_get_settings(
    engine: *const hk_engine,
    settings_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(settings_json_out, "settings_json_out")?;
        out.set_string(wire::to_json(&engine.settings()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Validates and replaces the store-wide settings from JSON; absent fields take defaults.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_settings(
    engine: *mut hk_engine,
    settings_json: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(settings_json, "settings_json") }?;
        engine.set_settings(&wire::parse_settings(json)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Creates or updates a location, given as JSON, by its host id.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_upsert_location(
    engine: *mut hk_engine,
    location_json: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(location_json, "location_json") }?;
        engine.upsert_location(&wire::parse_location(json)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes one location, by host id, as JSON to `*location_json_out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_get_location(
    engine: *const hk_engine,
    location_id: *const c_char,
    location_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(location_id, "location_id") }?;
        let out = Out::new(location_json_out, "location_json_out")?;
        out.set_string(wire::to_json(&engine.location(id)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes every location, by host id, as a JSON array to `*locations_json_out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_list_locations(
    engine: *const hk_engine,
    locations_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(locations_json_out, "locations_json_out")?;
        out.set_string(wire::to_json(&engine.locations()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Turns a location's surveys on (`enabled` = 1) or off (0); the last enabled location
/// stays enabled (`HK_RESULT_CONFLICT`). Any other value of `enabled` is invalid input.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_location_enabled(
    engine: *mut hk_engine,
    location_id: *const c_char,
    enabled: u32,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(location_id, "location_id") }?;
        engine.set_location_enabled(id, flag(enabled, "enabled")?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}
