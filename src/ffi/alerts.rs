//! Alerts and follow-up (issue 7): users, who gets which alert (A1), the alert dashboard and
//! its handling (A3), e-mails to the customer with tracking reply addresses, reply threads
//! with replies, rewards and refunds (F2), the post-intervention survey (A4), external
//! reviews (A5) and the at-risk list. JSON in, JSON out; ids and times as scalars; alert
//! kinds and statuses as validated `uint32_t` codes.
//!
//! Notifications (A2), escalations to owners, customer replies and follow-up surveys are
//! outbox messages like any other: the host delivers them through `hk_engine_claim`.

use std::ffi::c_char;

use super::boundary::{Out, now, optional_text, text};
use super::engine::{engine_call, hk_engine};
use super::result::{Failure, hk_result};
use crate::model::{AlertKind, AlertQuery, AlertStatus};
use crate::wire;

/// Alert kind code: an unhappy survey response (N4).
pub const HK_ALERT_KIND_UNHAPPY_CUSTOMER: u32 = 1;
/// Alert kind code: negative e-receipt feedback (F1).
pub const HK_ALERT_KIND_NEGATIVE_FEEDBACK: u32 = 2;
/// Alert kind code: external reviews without a reply (A5).
pub const HK_ALERT_KIND_UNANSWERED_REVIEWS: u32 = 3;
/// Alert kind code: business dates the POS never synced (S2).
pub const HK_ALERT_KIND_SYNC_GAP: u32 = 4;

/// Alert status code: raised, nobody has acted yet.
pub const HK_ALERT_STATUS_OPEN: u32 = 1;
/// Alert status code: someone recorded an interaction or took it on.
pub const HK_ALERT_STATUS_IN_PROGRESS: u32 = 2;
/// Alert status code: handled (needs at least one interaction; final).
pub const HK_ALERT_STATUS_DONE: u32 = 3;

/// The alert kind behind an `HK_ALERT_KIND_*` code from C.
pub(crate) fn alert_kind_from(code: u32, name: &'static str) -> Result<AlertKind, Failure> {
    match code {
        HK_ALERT_KIND_UNHAPPY_CUSTOMER => Ok(AlertKind::UnhappyCustomer),
        HK_ALERT_KIND_NEGATIVE_FEEDBACK => Ok(AlertKind::NegativeFeedback),
        HK_ALERT_KIND_UNANSWERED_REVIEWS => Ok(AlertKind::UnansweredReviews),
        HK_ALERT_KIND_SYNC_GAP => Ok(AlertKind::SyncGap),
        _ => Err(Failure::Range(
            name,
            "unknown alert kind; expected an HK_ALERT_KIND_* code (1 to 4)",
        )),
    }
}

/// The alert status behind an `HK_ALERT_STATUS_*` code from C.
pub(crate) fn alert_status_from(code: u32, name: &'static str) -> Result<AlertStatus, Failure> {
    match code {
        HK_ALERT_STATUS_OPEN => Ok(AlertStatus::Open),
        HK_ALERT_STATUS_IN_PROGRESS => Ok(AlertStatus::InProgress),
        HK_ALERT_STATUS_DONE => Ok(AlertStatus::Done),
        _ => Err(Failure::Range(
            name,
            "unknown alert status; expected an HK_ALERT_STATUS_* code (1 to 3)",
        )),
    }
}

/// Writes the alert settings as JSON to `*settings_json_out`: `escalate_after_hours` (hours
/// an alert may stay open before the location's owners are told; 0 = never) and
/// `reply_domain` (tracking reply addresses are `reply+{token}@{reply_domain}`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_get_alert_settings(
    engine: *const hk_engine,
    settings_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(settings_json_out, "settings_json_out")?;
        out.set_string(wire::to_json(&engine.alert_settings()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Validates and replaces the alert settings from JSON; absent fields take defaults.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_alert_settings(
    engine: *mut hk_engine,
    settings_json: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(settings_json, "settings_json") }?;
        engine.set_alert_settings(&wire::parse_alert_settings(json)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Creates or updates a user (someone who works alerts or hears about feedback; a shared
/// mailbox is a user too) by host id, from JSON: `{"id","name","email","role","locations",
/// "language","notify","notify_locations"}`. `role` is `"admin"`, `"owner"`, `"manager"` or
/// `"staff"`; `notify` (A2) is `"all"`, `"negative"` or `"none"` (the default); empty
/// location lists mean every location. A removed user comes back. A bad user is
/// `HK_RESULT_INVALID_INPUT`, naming each bad field.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_upsert_user(
    engine: *mut hk_engine,
    user_json: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(user_json, "user_json") }?;
        engine.upsert_user(&wire::parse_user(json)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes one active user as JSON to `*user_json_out` (the shape `hk_engine_upsert_user`
/// takes). An unknown or removed user is `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_get_user(
    engine: *const hk_engine,
    user_id: *const c_char,
    user_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(user_id, "user_id") }?;
        let out = Out::new(user_json_out, "user_json_out")?;
        out.set_string(wire::to_json(&engine.user(id)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes every active user, by host id, as a JSON array to `*users_json_out`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_list_users(
    engine: *const hk_engine,
    users_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(users_json_out, "users_json_out")?;
        out.set_string(wire::to_json(&engine.users()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Removes a user; their history stays. A user who still holds an assignment or an
/// unfinished alert is `HK_RESULT_CONFLICT` (give them to someone else first).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_remove_user(
    engine: *mut hk_engine,
    user_id: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let id = unsafe { text(user_id, "user_id") }?;
        engine.remove_user(id)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Makes `user_id` the one assignee of alerts of `kind` (an `HK_ALERT_KIND_*` code) at
/// `location_id`, or the store-wide default with `location_id` NULL (A1). It replaces any
/// earlier assignee. An unknown user or location is `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_assign_alerts(
    engine: *mut hk_engine,
    kind: u32,
    location_id: *const c_char,
    user_id: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let kind = alert_kind_from(kind, "kind")?;
        // SAFETY: NULL or NUL-terminated (contract above).
        let location = unsafe { optional_text(location_id, "location_id") }?;
        // SAFETY: as above.
        let user = unsafe { text(user_id, "user_id") }?;
        engine.assign_alerts(kind, location, user)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Removes the assignment of alerts of `kind` (an `HK_ALERT_KIND_*` code) at `location_id`,
/// or the store-wide default with `location_id` NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_unassign_alerts(
    engine: *mut hk_engine,
    kind: u32,
    location_id: *const c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let kind = alert_kind_from(kind, "kind")?;
        // SAFETY: NULL or NUL-terminated (contract above).
        let location = unsafe { optional_text(location_id, "location_id") }?;
        engine.unassign_alerts(kind, location)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes, as JSON to `*user_json_out`, the user an alert of `kind` (an `HK_ALERT_KIND_*`
/// code) at `location_id` goes to: the location's assignee, else the store-wide default
/// (A1); `null` when nobody is assigned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_assignee(
    engine: *const hk_engine,
    kind: u32,
    location_id: *const c_char,
    user_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let kind = alert_kind_from(kind, "kind")?;
        // SAFETY: NULL or NUL-terminated (contract above).
        let location = unsafe { text(location_id, "location_id") }?;
        let out = Out::new(user_json_out, "user_json_out")?;
        out.set_string(wire::to_json(&engine.assignee(kind, location)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes every assignment, store-wide defaults first, as a JSON array to
/// `*assignments_json_out`: `{"kind","location","user"}` (`location` null store-wide).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_list_assignments(
    engine: *const hk_engine,
    assignments_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(assignments_json_out, "assignments_json_out")?;
        out.set_string(wire::to_json(&engine.assignments()?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the alerts matching `query_json` as a JSON array to `*alerts_json_out`.
/// `query_json` is `{"statuses","kind","location","assignee"}`, every field optional
/// (`statuses` empty or absent: open and in progress, the dashboard), or NULL for the
/// dashboard. Each alert is `{"id","kind","status","location","assignee","customer",
/// "response_id","score_base10","comment","detail","interactions","created_at",
/// "updated_at","closed_at","escalated_at","follow_up_at"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_list_alerts(
    engine: *const hk_engine,
    query_json: *const c_char,
    alerts_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { optional_text(query_json, "query_json") }?;
        let out = Out::new(alerts_json_out, "alerts_json_out")?;
        let query = json.map_or_else(|| Ok(AlertQuery::default()), wire::parse_alert_query)?;
        out.set_string(wire::to_json(&engine.alerts(&query)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes one alert, in any status, as JSON to `*alert_json_out` (the shape of
/// `hk_engine_list_alerts`). An unknown alert is `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_get_alert(
    engine: *const hk_engine,
    alert_id: i64,
    alert_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(alert_json_out, "alert_json_out")?;
        out.set_string(wire::to_json(&engine.alert(alert_id)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes an alert's interactions, oldest first, as a JSON array to
/// `*interactions_json_out`: `{"id","alert_id","method","note","author","user","at"}`
/// (`author` is `"business"`, `"customer"` or `"system"`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_list_interactions(
    engine: *const hk_engine,
    alert_id: i64,
    interactions_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(interactions_json_out, "interactions_json_out")?;
        out.set_string(wire::to_json(&engine.interactions(alert_id)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records how a user handled an alert (A3), from JSON `{"method","note","user"}` (`method`
/// is `"email"`, `"phone"`, `"sms"`, `"in_person"` or `"other"`), and writes the new
/// interaction's id to `*interaction_id_out`. An open alert moves to in progress. An empty
/// note is `HK_RESULT_INVALID_INPUT`, an unknown user or alert `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_record_interaction(
    engine: *mut hk_engine,
    alert_id: i64,
    interaction_json: *const c_char,
    now_ms: i64,
    interaction_id_out: *mut i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(interaction_json, "interaction_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(interaction_id_out, "interaction_id_out")?;
        let interaction = wire::parse_interaction(json)?;
        out.set(engine.record_interaction(alert_id, &interaction, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Moves an alert on to `status`, an `HK_ALERT_STATUS_*` code (A3). Done needs at least
/// one interaction and is final: `HK_RESULT_CONFLICT` otherwise. Alerts are never
/// dismissed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_set_alert_status(
    engine: *mut hk_engine,
    alert_id: i64,
    status: u32,
    now_ms: i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let status = alert_status_from(status, "status")?;
        engine.set_alert_status(alert_id, status, now(now_ms)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Gives an unfinished alert to another user (A3: delegation).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_reassign_alert(
    engine: *mut hk_engine,
    alert_id: i64,
    user_id: *const c_char,
    now_ms: i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let user = unsafe { text(user_id, "user_id") }?;
        engine.reassign_alert(alert_id, user, now(now_ms)?)?;
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Queues an e-mail to an alert's customer from the dashboard (A3), from JSON
/// `{"user","subject","body"}`, and writes the outbox message's id to `*message_id_out`.
/// The message (`HK_MESSAGE_KIND_CUSTOMER_REPLY`) carries a tracking `reply_to` address:
/// hand the customer's answer to `hk_engine_record_inbound_reply`. The e-mail is logged on
/// the alert and in the response's thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_email_customer(
    engine: *mut hk_engine,
    alert_id: i64,
    email_json: *const c_char,
    now_ms: i64,
    message_id_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(email_json, "email_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(message_id_out, "message_id_out")?;
        let email = wire::parse_customer_email(json)?;
        out.set_string(engine.email_customer(alert_id, &email, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Files a customer's e-mail answer, sent to a tracking reply address (`address`, as the
/// To header gives it, display name allowed), in its thread and on its alert (A3, F2), and
/// writes `{"response_id","comment_id","alert_id"}` to `*reply_json_out` (`alert_id` null
/// when the conversation has no alert). An address that is not a tracking address is
/// `HK_RESULT_INVALID_INPUT`, an unknown one `HK_RESULT_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_record_inbound_reply(
    engine: *mut hk_engine,
    address: *const c_char,
    reply_text: *const c_char,
    now_ms: i64,
    reply_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let address = unsafe { text(address, "address") }?;
        // SAFETY: as above.
        let reply_text = unsafe { text(reply_text, "reply_text") }?;
        let now = now(now_ms)?;
        let out = Out::new(reply_json_out, "reply_json_out")?;
        let filed = engine.record_inbound_reply(address, reply_text, now)?;
        out.set_string(wire::to_json(&filed));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Replies to a response's feedback, or records a reward or a refund (F2), from JSON
/// `{"user","kind","body","coupon_code","amount_minor","currency"}` (`kind` is `"reply"`,
/// `"reward"` with its `coupon_code`, or `"refund"` with `amount_minor` and `currency`),
/// and writes the new thread comment's id to `*comment_id_out`. The message goes to the
/// customer through the outbox. `HK_RESULT_CONFLICT` when the customer did not agree to be
/// replied to.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_reply(
    engine: *mut hk_engine,
    response_id: i64,
    reply_json: *const c_char,
    now_ms: i64,
    comment_id_out: *mut i64,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(reply_json, "reply_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(comment_id_out, "comment_id_out")?;
        let reply = wire::parse_reply(json)?;
        out.set(engine.reply(response_id, &reply, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes a response's conversation (F2), oldest first, as a JSON array to
/// `*thread_json_out`: `{"id","response_id","author","kind","body","coupon_code",
/// "amount_minor","currency","user","at"}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_get_thread(
    engine: *const hk_engine,
    response_id: i64,
    thread_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let out = Out::new(thread_json_out, "thread_json_out")?;
        out.set_string(wire::to_json(&engine.thread(response_id)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Queues the post-intervention survey of a done case (A4) and writes the outbox message's
/// id to `*message_id_out` (`HK_MESSAGE_KIND_FOLLOW_UP_SURVEY`; its answer comes back
/// through `hk_engine_record_response` and is kept on the alert, not in the scores).
/// `HK_RESULT_CONFLICT`, with the reason, when the case is not done, the survey was already
/// sent, or the original response was anonymous.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_send_follow_up(
    engine: *mut hk_engine,
    alert_id: i64,
    now_ms: i64,
    message_id_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        let now = now(now_ms)?;
        let out = Out::new(message_id_out, "message_id_out")?;
        out.set_string(engine.send_follow_up(alert_id, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Records an external review, or its reply (A5), from JSON `{"id","location","site",
/// "rating","posted_at","replied_at"}` (`replied_at` null while unanswered), and writes how
/// many reviews of the location still wait for a reply to `*unanswered_out`. The location's
/// unanswered-reviews alert is raised by the first and clears itself at zero.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_report_review(
    engine: *mut hk_engine,
    review_json: *const c_char,
    now_ms: i64,
    unanswered_out: *mut u32,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let json = unsafe { text(review_json, "review_json") }?;
        let now = now(now_ms)?;
        let out = Out::new(unanswered_out, "unanswered_out")?;
        let review = wire::parse_review(json)?;
        out.set(engine.report_review(&review, now)?);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

/// Writes the detractors to call back, newest first, as a JSON array to
/// `*customers_json_out`: `{"customer","name","email","phone","location","nps",
/// "last_comment","responded_at","open_alert"}`. `location_id` limits the list to one
/// location; NULL covers every location.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hk_engine_at_risk_customers(
    engine: *const hk_engine,
    location_id: *const c_char,
    customers_json_out: *mut *mut c_char,
) -> hk_result {
    let body = |engine: &crate::Engine| {
        // SAFETY: NULL or NUL-terminated (contract above).
        let location = unsafe { optional_text(location_id, "location_id") }?;
        let out = Out::new(customers_json_out, "customers_json_out")?;
        out.set_string(wire::to_json(&engine.at_risk_customers(location)?));
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { engine_call(engine, body) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_status_has_one_code_starting_at_one() {
        let kinds: Vec<_> = (1..=4)
            .map(|c| alert_kind_from(c, "kind").unwrap())
            .collect();
        assert_eq!(kinds, AlertKind::ALL);
        let statuses: Vec<_> = (1..=3)
            .map(|c| alert_status_from(c, "status").unwrap())
            .collect();
        assert_eq!(statuses, AlertStatus::ALL);
        assert!(alert_kind_from(0, "kind").is_err());
        assert!(alert_kind_from(5, "kind").is_err());
        assert!(alert_status_from(0, "status").is_err());
        let json = alert_status_from(4, "status").unwrap_err().to_json();
        assert!(json.contains(r#""field":"status""#), "{json}");
    }
}
