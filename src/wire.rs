//! The JSON contract shared by the C door, uniffi's `*_json` calls and backfill files.
//!
//! Batches carry `"format": 1`; timestamps are RFC 3339 with an offset; dates are
//! `YYYY-MM-DD`; unknown fields are rejected. A parse error names the record and field
//! (`transactions[3].kind`) and why, never the offending value. See docs/batch-format.md.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Problem, Result};
use crate::model::{AggregateBundle, CustomerQuery, FeedbackQuery, Period, ReportQuery};
use crate::model::{
    AlertQuery, AlertSettings, CustomerEmail, ExternalReview, InteractionInput, ReplyInput, User,
};
use crate::model::{
    BATCH_FORMAT, DeliverySettings, FeedbackInput, FeedbackSettings, Location, ResponseInput,
    ScoreQuery, Settings, SuppressionBundle, Survey, SyncBatch, Template,
};

/// Parses a sync batch from JSON, checking the format version.
///
/// A valid batch is read straight into its struct (no intermediate document: a backfill
/// line of 500 sales parses several times faster). The derived readers refuse what the
/// strict reader refuses (unknown fields, a field given twice, a wrong type; the batch's
/// records hold no maps), so anything they do not accept is read again by the strict
/// reader, whose error names the record and field (T6).
pub fn parse_batch(json: &str) -> Result<SyncBatch> {
    if json.len() <= MAX_JSON_BYTES
        && let Ok(batch) = serde_json::from_str::<SyncBatch>(json)
        && batch.format == BATCH_FORMAT
    {
        return Ok(batch);
    }
    parse_batch_strict(json)
}

/// The strict reader of [`parse_batch`]: a document first, then the batch, so every
/// refusal names its record and field.
fn parse_batch_strict(json: &str) -> Result<SyncBatch> {
    let value = parse_value(json, "batch")?;
    match value.value.get("format") {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(BATCH_FORMAT as u64) => {}
        Some(_) => {
            return Err(Error::invalid(Problem::top(
                "batch",
                "format",
                format!("unsupported format version; this library reads format {BATCH_FORMAT}"),
            )));
        }
        None => {
            return Err(Error::invalid(Problem::top(
                "batch",
                "format",
                "missing field `format`",
            )));
        }
    }
    from_value(value, "batch")
}

/// Parses a location from JSON.
pub fn parse_location(json: &str) -> Result<Location> {
    from_value(parse_value(json, "location")?, "location")
}

/// Parses a store lease (hosted mode's mailers, H3) as `hearken::mailers` handed it out.
pub fn parse_store_lease(json: &str) -> Result<crate::model::LeasedStore> {
    from_value(parse_value(json, "lease")?, "lease")
}

/// Parses store settings from JSON; absent fields take their defaults.
pub fn parse_settings(json: &str) -> Result<Settings> {
    from_value(parse_value(json, "settings")?, "settings")
}

/// Parses delivery settings from JSON; absent fields take their defaults.
pub fn parse_delivery_settings(json: &str) -> Result<DeliverySettings> {
    from_value(parse_value(json, "delivery_settings")?, "delivery_settings")
}

/// Parses the store's contact policy (P1–P7); absent fields take their defaults.
pub fn parse_contact_policy(json: &str) -> Result<crate::model::ContactPolicy> {
    from_value(parse_value(json, "contact_policy")?, "contact_policy")
}

/// Parses a calendar (P5); absent fields take their defaults.
pub fn parse_calendar(json: &str) -> Result<crate::model::Calendar> {
    from_value(parse_value(json, "calendar")?, "calendar")
}

/// Parses a location's own volume rules and calendar (P4, P5).
pub fn parse_location_policy(json: &str) -> Result<crate::model::LocationPolicy> {
    from_value(parse_value(json, "location_policy")?, "location_policy")
}

/// Parses a template override from JSON.
pub fn parse_template(json: &str) -> Result<Template> {
    from_value(parse_value(json, "template")?, "template")
}

/// Parses a suppression bundle exported by another store.
pub fn parse_suppression_bundle(json: &str) -> Result<SuppressionBundle> {
    from_value(parse_value(json, "suppressions")?, "suppressions")
}

/// Parses a batch ack's message ids: a JSON array of strings.
pub fn parse_message_ids(json: &str) -> Result<Vec<String>> {
    from_value(parse_value(json, "message_ids")?, "message_ids")
}

/// Parses a new webhook subscription (D2): `{"url", "event_types", "secret"?}`.
pub fn parse_new_webhook(json: &str) -> Result<crate::model::NewWebhook> {
    from_value(parse_value(json, "webhook")?, "webhook")
}

/// Parses an inbound SMS (D4).
pub fn parse_inbound_sms(json: &str) -> Result<crate::model::InboundSms> {
    from_value(parse_value(json, "inbound_sms")?, "inbound_sms")
}

/// Parses a survey definition.
pub fn parse_survey(json: &str) -> Result<Survey> {
    from_value(parse_value(json, "survey")?, "survey")
}

/// Parses a customer's answers.
pub fn parse_response(json: &str) -> Result<ResponseInput> {
    from_value(parse_value(json, "response")?, "response")
}

/// Parses e-receipt feedback.
pub fn parse_feedback(json: &str) -> Result<FeedbackInput> {
    from_value(parse_value(json, "feedback")?, "feedback")
}

/// Parses feedback settings; absent fields take their defaults.
pub fn parse_feedback_settings(json: &str) -> Result<FeedbackSettings> {
    from_value(parse_value(json, "feedback_settings")?, "feedback_settings")
}

/// Parses a score query (`{"location": …, "from": …, "to": …}`, all optional).
pub fn parse_score_query(json: &str) -> Result<ScoreQuery> {
    from_value(parse_value(json, "query")?, "query")
}

/// Parses a user.
pub fn parse_user(json: &str) -> Result<User> {
    from_value(parse_value(json, "user")?, "user")
}

/// Parses an alert listing query (all fields optional).
pub fn parse_alert_query(json: &str) -> Result<AlertQuery> {
    from_value(parse_value(json, "query")?, "query")
}

/// Parses an interaction to record on an alert.
pub fn parse_interaction(json: &str) -> Result<InteractionInput> {
    from_value(parse_value(json, "interaction")?, "interaction")
}

/// Parses an e-mail to write to an alert's customer.
pub fn parse_customer_email(json: &str) -> Result<CustomerEmail> {
    from_value(parse_value(json, "email")?, "email")
}

/// Parses a business reply, reward or refund.
pub fn parse_reply(json: &str) -> Result<ReplyInput> {
    from_value(parse_value(json, "reply")?, "reply")
}

/// Parses an external review.
pub fn parse_review(json: &str) -> Result<ExternalReview> {
    from_value(parse_value(json, "review")?, "review")
}

/// Parses alert settings; absent fields take their defaults.
pub fn parse_alert_settings(json: &str) -> Result<AlertSettings> {
    from_value(parse_value(json, "alert_settings")?, "alert_settings")
}

/// Parses a report query (`period`, `location`, `employee`, `user`; all optional).
pub fn parse_report_query(json: &str) -> Result<ReportQuery> {
    from_value(parse_value(json, "query")?, "query")
}

/// Parses a feedback-list query.
pub fn parse_feedback_query(json: &str) -> Result<FeedbackQuery> {
    from_value(parse_value(json, "query")?, "query")
}

/// Parses a customer-list query.
pub fn parse_customer_query(json: &str) -> Result<CustomerQuery> {
    from_value(parse_value(json, "query")?, "query")
}

/// Parses a dashboard period.
pub fn parse_period(json: &str) -> Result<Period> {
    from_value(parse_value(json, "period")?, "period")
}

/// Parses another store's PII-free aggregate bundle.
pub fn parse_aggregate_bundle(json: &str) -> Result<AggregateBundle> {
    from_value(parse_value(json, "bundle")?, "bundle")
}

/// Parses an export query: a score query (`location`, `from`, `to`; all optional).
pub fn parse_export_query(json: &str) -> Result<ScoreQuery> {
    parse_score_query(json)
}

/// Serialises any report or model value as compact JSON, the form every door returns.
pub fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising plain structs with string keys cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// Largest JSON document accepted (a batch of about 100k transactions is ~30 MiB).
pub const MAX_JSON_BYTES: usize = 64 * 1024 * 1024;

/// A parsed document and what the strict reader noticed on the way (T6).
struct Parsed {
    value: serde_json::Value,
    /// Path of the first key given twice in one object.
    duplicate: Option<String>,
}

fn parse_value(json: &str, record: &str) -> Result<Parsed> {
    if json.len() > MAX_JSON_BYTES {
        return Err(Error::invalid(Problem::top(
            record,
            "",
            "larger than 64 MiB: split it into several batches (or a backfill file)",
        )));
    }
    let notes = strict::Notes::default();
    let mut de = serde_json::Deserializer::from_str(json);
    let parsed = serde::de::DeserializeSeed::deserialize(strict::Seed::root(&notes), &mut de)
        .and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(value) => Ok(Parsed {
            value,
            duplicate: notes.duplicate.into_inner(),
        }),
        Err(e) => Err(Error::invalid(match notes.fault.into_inner() {
            // A value the reader refused (a number out of range): name its field.
            Some(path) => locate_path(None, record, &path, sanitize(&e.to_string())),
            None => Problem::top(
                record,
                "",
                format!("malformed JSON at line {} column {}", e.line(), e.column()),
            ),
        })),
    }
}

fn from_value<T: DeserializeOwned>(parsed: Parsed, record: &str) -> Result<T> {
    let Parsed { value, duplicate } = parsed;
    match serde_path_to_error::deserialize::<_, T>(&value) {
        Ok(v) => match duplicate {
            // The key is one the schema knows (it deserialised): naming it echoes nothing.
            Some(path) => Err(Error::invalid(locate(
                &value,
                record,
                &path,
                "duplicate field".into(),
            ))),
            None => Ok(v),
        },
        Err(e) => {
            let message = e.inner().to_string();
            if message.starts_with("unknown field") {
                // Name the object holding the unknown key, never the key itself.
                return Err(Error::invalid(locate(
                    &value,
                    record,
                    &parent_path(e.path()),
                    "unknown field".into(),
                )));
            }
            let path = e.path().to_string();
            if let Some(dup) = duplicate {
                return Err(Error::invalid(locate(
                    &value,
                    record,
                    &dup,
                    "duplicate field".into(),
                )));
            }
            let reason = sanitize(&message);
            Err(Error::invalid(locate(&value, record, &path, reason)))
        }
    }
}

/// The path of the object holding the last segment of `path` (`a[1].b.c` → `a[1].b`),
/// built from the segments: the last one (an unknown key, which may hold dots, brackets
/// or personal data) is dropped whole, never cut at a character of its own (T6).
fn parent_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let mut out = String::new();
    for segment in &segments[..segments.len().saturating_sub(1)] {
        if !out.is_empty() && !matches!(segment, Segment::Seq { .. }) {
            out.push('.');
        }
        out.push_str(&segment.to_string());
    }
    if out.is_empty() { ".".to_owned() } else { out }
}

mod strict;
pub mod time;

/// Turns a serde path such as `transactions[3].kind` into a problem naming the record.
fn locate(root: &serde_json::Value, record: &str, path: &str, reason: String) -> Problem {
    locate_path(Some(root), record, path, reason)
}

/// [`locate`], with the document when there is one (to name the record's host id).
fn locate_path(
    root: Option<&serde_json::Value>,
    record: &str,
    path: &str,
    reason: String,
) -> Problem {
    let mut parts = path.splitn(2, '.');
    let head = parts.next().unwrap_or("");
    let rest = parts.next().unwrap_or("");
    if let Some((list, idx)) = head.strip_suffix(']').and_then(|h| h.split_once('['))
        && let Ok(index) = idx.parse::<usize>()
    {
        let host_id = root
            .and_then(|r| r.get(list))
            .and_then(|l| l.get(index))
            .and_then(|r| r.get("id"))
            .and_then(|id| id.as_str())
            .and_then(crate::error::shown_id);
        return Problem {
            record: list.to_owned(),
            index: Some(index as u64),
            host_id,
            field: rest.to_owned(),
            reason,
        };
    }
    let field = if path == "." { "" } else { path };
    Problem::top(record, field, reason)
}

/// Keeps serde's explanation but drops any echoed input value (no personal data in errors).
fn sanitize(msg: &str) -> String {
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    for keep in ["unknown field", "missing field", "duplicate field"] {
        if msg.starts_with(keep) {
            // Field names are schema words, not customer data; drop the "expected" list tail.
            return msg.split(", expected").next().unwrap_or(msg).to_owned();
        }
    }
    let category = msg.split(':').next().unwrap_or(msg).trim();
    let category = category.split(" `").next().unwrap_or(category);
    match msg.rsplit_once(", expected ") {
        Some((_, expected)) => format!("{category}; expected {expected}"),
        None if msg.contains('"') || msg.contains('`') => category.to_owned(),
        None => msg.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_documents_are_refused_before_parsing() {
        let big = " ".repeat(MAX_JSON_BYTES + 1);
        let err = parse_batch(&big).unwrap_err();
        assert_eq!(err.problems()[0].record, "batch");
        assert!(err.problems()[0].reason.contains("64 MiB"));
    }

    #[test]
    fn sanitize_drops_values() {
        assert_eq!(
            sanitize("invalid type: string \"alice@x\", expected u32"),
            "invalid type; expected u32"
        );
        assert_eq!(
            sanitize("unknown variant `gift`, expected one of `sale`, `service`"),
            "unknown variant; expected one of `sale`, `service`"
        );
        assert_eq!(
            sanitize("unknown field `colour`, expected one of `id`, `name`"),
            "unknown field `colour`"
        );
        assert_eq!(sanitize("premature end of input"), "premature end of input");
    }

    #[test]
    fn parse_error_names_record_field_and_host_id() {
        let json = r#"{"format":1,"location":"p","business_dates":["2026-11-20"],
            "transactions":[{"id":"t1","kind":"gift","amount_minor":1,"currency":"EUR"}]}"#;
        let err = parse_batch(json).unwrap_err();
        let p = &err.problems()[0];
        assert_eq!(p.record, "transactions");
        assert_eq!(p.index, Some(0));
        assert_eq!(p.host_id.as_deref(), Some("t1"));
        assert_eq!(p.field, "kind");
        assert!(!err.to_string().contains("gift"));
    }

    #[test]
    fn the_direct_reader_and_the_strict_reader_agree_on_valid_batches() {
        let json = r#"{"format":1,"location":"p","business_dates":["2026-11-19","2026-11-20"],
            "customers":[{"id":"c1","name":"A \u00e9","email":"a@x.fr","language":"fr",
              "gender":"female","include_in_communications":true}],
            "employees":[{"id":"e1","name":"E","role":"salesperson"}],
            "transactions":[{"id":"t1","customer":"c1","employees":["e1"],"kind":"sale",
              "amount_minor":-1,"currency":"EUR","finalized_at":"2026-11-20T10:00:00+01:00",
              "exclude":false,"refers_to":null}]}"#;
        assert_eq!(
            parse_batch(json).unwrap(),
            parse_batch_strict(json).unwrap()
        );
    }

    #[test]
    fn a_field_given_twice_in_a_record_is_named_by_the_strict_reader() {
        let json = r#"{"format":1,"location":"p","business_dates":["2026-11-20"],
            "transactions":[{"id":"t1","kind":"sale","kind":"sale","amount_minor":1,
              "currency":"EUR"}]}"#;
        let err = parse_batch(json).unwrap_err();
        let p = &err.problems()[0];
        assert_eq!((p.record.as_str(), p.index), ("transactions", Some(0)));
        assert_eq!(p.reason, "duplicate field");
    }

    #[test]
    fn wrong_format_version_is_rejected() {
        let err = parse_batch(r#"{"format":2,"location":"p","business_dates":[]}"#).unwrap_err();
        assert_eq!(err.problems()[0].field, "format");
    }
}
