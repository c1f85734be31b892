//! What delivery is made of: message templates, delivery settings, and the suppression list
//! shared between stores. JSON in, JSON out.

use std::ffi::c_char;

use super::boundary::{Out, now, text};
use super::engine::{engine_call, hk_engine};
use super::outbox::{channel_from, kind_from};
use super::result::{Failure, hk_result};
use crate::model::SuppressionBundle;
use crate::wire;

/// Overrides a shipped template, given as JSON
/// (`{"kind","channel","language","subject","body"}`), for one kind, channel and language.
///
/// Placeholders are `{first_name}`, `{location}`, `{survey_link}`, `{unsubscribe_link}` and
/// `{review_link}`; the body must contain its links (`{survey_link}` for invitations and
/// survey reminders, `{review_link}` for review reminders, `{unsubscribe_link}` always) and
/// an e-mail needs a subject. A bad template is `HK_RESULT_INVALID_INPUT` now, naming each
/// bad field, rather than a failure at rendering.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_template(
    engine: *mut hk_engine,
    template_json: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(template_json, "template_json") }?;
        engine.set_template(&wire::parse_template(json)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes, as JSON, the template a customer speaking `language` gets for a message kind
/// (`HK_MESSAGE_KIND_*`) and channel (`HK_CHANNEL_*`): the store's override or the shipped
/// one, after the fallback chain (`fr-CA`, then `fr`, then the store's default language).
/// Its `language` field says which one was chosen.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_get_template(
    engine: *const hk_engine,
    kind: u32,
    channel: u32,
    language: *const c_char,
    template_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let kind = kind_from(kind, "kind")?;
        let channel = channel_from(channel, "channel")?;
        // SAFETY: NULL or NUL-terminated (contract above).
        let language = unsafe { text(language, "language") }?;
        let out = Out::new(template_json_out, "template_json_out")?;
        out.set_string(wire::to_json(&engine.template(kind, channel, language)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the delivery settings as JSON to `*settings_json_out`: `link_base_url`,
/// `survey_link_days`, `lease_seconds`, `max_attempts`, `retry_base_seconds` and
/// `suppression_pepper` (a vendor secret: keep the JSON out of logs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_get_delivery_settings(
    engine: *const hk_engine,
    settings_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(settings_json_out, "settings_json_out")?;
        out.set_string(wire::to_json(&engine.delivery_settings()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Validates and replaces the delivery settings from JSON; absent fields take defaults.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_delivery_settings(
    engine: *mut hk_engine,
    settings_json: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(settings_json, "settings_json") }?;
        engine.set_delivery_settings(&wire::parse_delivery_settings(json)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the store's suppression list to `*bundle_json_out` as
/// `{"format":1,"hashes":[...]}`: lower-case hex SHA-256 of the vendor pepper and each
/// normalised unsubscribed e-mail or phone (never the contacts themselves), for a central
/// service to pass on to the vendor's other stores.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_export_suppressions(
    engine: *const hk_engine,
    bundle_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(bundle_json_out, "bundle_json_out")?;
        out.set_string(wire::to_json(&engine.export_suppressions()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Imports another store's suppression list (the JSON of `hk_engine_export_suppressions`)
/// and writes how many hashes were new to `*added_out`. `source` names where it came from
/// (1 to 128 bytes). Matching needs both stores to share `suppression_pepper`; re-importing
/// the same list adds nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_import_suppressions(
    engine: *mut hk_engine,
    bundle_json: *const c_char,
    source: *const c_char,
    now_ms: i64,
    added_out: *mut u64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(bundle_json, "bundle_json") }?;
        // SAFETY: as above.
        let source = unsafe { text(source, "source") }?;
        let now = now(now_ms)?;
        let out = Out::new(added_out, "added_out")?;
        let bundle = parse_bundle(json)?;
        out.set(engine.import_suppressions(&bundle, source, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Reads a suppression bundle from JSON (the wire module's contract).
fn parse_bundle(json: &str) -> Result<SuppressionBundle, Failure> {
    wire::parse_suppression_bundle(json).map_err(Failure::Engine)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(json: &str) -> String {
        match parse_bundle(json) {
            Err(Failure::Engine(e)) => e.to_json(),
            other => panic!("expected an engine error, got {other:?}"),
        }
    }

    #[test]
    fn a_bundle_round_trips_through_json() {
        let bundle = SuppressionBundle {
            format: 1,
            hashes: vec!["ab".repeat(32)],
        };
        assert_eq!(parse_bundle(&wire::to_json(&bundle)).unwrap(), bundle);
    }

    #[test]
    fn a_bad_bundle_names_the_field_not_the_value() {
        let json = problem(r#"{"format":"secret@example.com","hashes":[]}"#);
        assert!(json.contains(r#""field":"format""#), "{json}");
        assert!(!json.contains("secret"), "{json}");
        let json = problem(r#"{"format":1,"hashes":["ok",7]}"#);
        assert!(json.contains(r#""record":"hashes","index":1"#), "{json}");
        let json = problem(r#"{"format":1}"#);
        assert!(json.contains("missing field `hashes`"), "{json}");
        let json = problem(r#"{"format":1,"hashes":[],"emails":["a@b.c"]}"#);
        assert!(json.contains(r#""reason":"unknown field""#), "{json}");
        assert!(!json.contains("emails"), "{json}");
        assert!(!json.contains("a@b.c"), "{json}");
        let json = problem("[1,");
        assert!(json.contains("malformed JSON at line 1"), "{json}");
    }
}
