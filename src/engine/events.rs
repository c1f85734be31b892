//! The event feed (D1): appending an event in the transaction of the change it records,
//! reading the feed after a cursor, and pruning what is older than the retention.
//!
//! A cursor is `<incarnation>.<seq>`: the store's incarnation and the number of the last
//! event read (the counter allocates numbers in the write transaction, so they are
//! gap-free in commit order and never reused).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Error, Problem, Result};
use crate::model::events::{self as ev, Event, EventsPage};
use crate::model::{AlertKind, AlertStatus};
use crate::rules::time::{self, from_stored, ms};
use crate::store::{NewEvent, NewInvitation, Tx};

/// The most events one read returns.
pub const MAX_LIMIT: u32 = 1000;

/// Events pruned per run of the timers at most, so a first run after a long pause does not
/// stall a claim; the rest follow in later runs.
pub const PRUNE_PER_RUN: u32 = 1000;

/// An event of `kind` at `at_ms` with `data`.
pub(in crate::engine) fn event<T: Serialize>(
    kind: &'static str,
    at_ms: i64,
    data: &T,
) -> Result<NewEvent> {
    let data = serde_json::to_string(data)
        .map_err(|e| Error::Internal(format!("an event's data did not serialise: {e}")))?;
    Ok(NewEvent { kind, at_ms, data })
}

/// Appends one event of `kind` with `data`, in the caller's transaction.
pub(in crate::engine) fn emit<T: Serialize>(
    c: &mut dyn Tx,
    kind: &'static str,
    now: DateTime<Utc>,
    data: &T,
) -> Result<()> {
    append(c, &[event(kind, ms(now), data)?])
}

/// Appends `events` to the feed and queues them to the webhook subscriptions of their
/// types (D2), in the caller's transaction: every event of the engine goes through here.
pub(in crate::engine) fn append(c: &mut dyn Tx, events: &[NewEvent]) -> Result<()> {
    if c.insert_events(events)? {
        super::webhooks::queue_for(c, events)?;
    }
    Ok(())
}

/// The host ids an invitation's event names, which its stored row does not hold.
#[derive(Debug, Clone, Copy, Default)]
pub(in crate::engine) struct InvitationRefs<'a> {
    /// The customer's host id.
    pub(in crate::engine) customer: &'a str,
    /// The location's host id.
    pub(in crate::engine) location: &'a str,
    /// The sale's host id (none for a relationship survey).
    pub(in crate::engine) transaction: Option<&'a str>,
}

/// Appends `invitation.created` for each invitation just written (`ids` in the same
/// order), in one call.
pub(in crate::engine) fn invitations_created(
    c: &mut dyn Tx,
    invitations: &[NewInvitation],
    refs: &[InvitationRefs<'_>],
    ids: &[i64],
    now_ms: i64,
) -> Result<()> {
    let events: Vec<NewEvent> = (invitations.iter().zip(refs).zip(ids))
        .map(|((new, refs), id)| NewEvent {
            kind: ev::INVITATION_CREATED,
            at_ms: now_ms,
            data: invitation_created_data(*id, refs, new),
        })
        .collect();
    append(c, &events)
}

/// The data of `invitation.created` for invitation `id`: the bytes `serde_json` writes for
/// [`ev::InvitationCreated`] (the unit tests hold the two equal), written directly. A big
/// sync writes one per invitation, and serde's field-by-field path (every key escaped,
/// each host id copied into the struct) was ~4,500 instructions each, 3 % of the sync.
fn invitation_created_data(id: i64, refs: &InvitationRefs<'_>, new: &NewInvitation) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(
        200 + refs.customer.len() + refs.location.len() + refs.transaction.map_or(0, str::len),
    );
    // Writing into a String cannot fail.
    let _ = write!(out, "{{\"invitation_id\":{id},\"customer\":");
    json_string(&mut out, refs.customer);
    out.push_str(",\"location\":");
    json_string(&mut out, refs.location);
    out.push_str(",\"transaction\":");
    match refs.transaction {
        Some(t) => json_string(&mut out, t),
        None => out.push_str("null"),
    }
    out.push_str(",\"survey_kind\":");
    json_string(&mut out, new.row.kind.as_str());
    out.push_str(",\"channel\":");
    json_string(&mut out, new.row.channel.as_str());
    out.push_str(",\"business_date\":");
    json_string(&mut out, &time::date_text(new.row.business_date));
    out.push_str(",\"due_at\":");
    let due = from_stored(new.row.due_at_ms).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    json_string(&mut out, &due);
    out.push_str(",\"status\":");
    json_string(
        &mut out,
        if new.cancelled {
            "cancelled"
        } else {
            "pending"
        },
    );
    out.push('}');
    out
}

/// Appends `s` as a JSON string, as `serde_json` writes it: as is between quotes when no
/// byte needs an escape (a quote, a backslash, a control character below U+0020), else
/// through `serde_json` itself.
fn json_string(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::Value::from(s).to_string());
    }
}

/// Appends `invitation.cancelled` for `invitation`.
pub(in crate::engine) fn invitation_cancelled(
    c: &mut dyn Tx,
    invitation: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    emit(
        c,
        ev::INVITATION_CANCELLED,
        now,
        &ev::InvitationCancelled {
            invitation_id: invitation,
            reason: reason.to_owned(),
        },
    )
}

/// Appends `response.created` for response `id`, just inserted from `row`.
pub(in crate::engine) fn response_created(
    c: &mut dyn Tx,
    id: i64,
    row: &crate::store::ResponseRow,
    now: DateTime<Utc>,
) -> Result<()> {
    let location = location_host_id(c, row.location)?;
    let customer = match row.customer {
        Some(rowid) => c.customer_host_id(rowid)?,
        None => None,
    };
    let data = ev::ResponseCreated {
        response_id: id,
        source: row.source.to_owned(),
        invitation_id: row.invitation,
        location,
        customer,
        completed: row.completed,
    };
    emit(c, ev::RESPONSE_CREATED, now, &data)
}

/// Appends `alert.opened` for an alert just inserted.
#[allow(clippy::too_many_arguments)]
pub(in crate::engine) fn alert_opened(
    c: &mut dyn Tx,
    alert: i64,
    kind: AlertKind,
    location: i64,
    response: Option<i64>,
    customer: Option<i64>,
    status: AlertStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    let location = location_host_id(c, location)?;
    let customer = match customer {
        Some(rowid) => c.customer_host_id(rowid)?,
        None => None,
    };
    emit(
        c,
        ev::ALERT_OPENED,
        now,
        &ev::AlertOpened {
            alert_id: alert,
            kind,
            location,
            response_id: response,
            customer,
            status,
        },
    )
}

/// Appends `alert.status_changed` for `alert`.
pub(in crate::engine) fn alert_status_changed(
    c: &mut dyn Tx,
    alert: i64,
    status: AlertStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    emit(
        c,
        ev::ALERT_STATUS_CHANGED,
        now,
        &ev::AlertStatusChanged {
            alert_id: alert,
            status,
        },
    )
}

/// The host id of location row `rowid` (empty if it is gone, which a stored row never is).
pub(in crate::engine) fn location_host_id(c: &mut dyn Tx, rowid: i64) -> Result<String> {
    Ok(c.location_info(rowid)?
        .map(|l| l.host_id)
        .unwrap_or_default())
}

/// A cursor: the incarnation and the number of the last event read.
fn cursor(incarnation: &str, seq: i64) -> String {
    format!("{incarnation}.{seq}")
}

/// The problem of a cursor that is not one (never echoing it).
fn cursor_problem() -> Problem {
    Problem::top(
        "arguments",
        "after_cursor",
        "is not a cursor of the event feed (`<incarnation>.<number>`, as a read returned it)",
    )
}

fn bad_cursor() -> Error {
    Error::invalid(cursor_problem())
}

/// Parses `<incarnation>.<seq>` strictly: 1 to 64 lowercase hex digits, a dot, a number of
/// 1 to 19 decimal digits.
fn parse_cursor(text: &str) -> Result<(&str, i64)> {
    let (incarnation, seq) = text.split_once('.').ok_or_else(bad_cursor)?;
    let hex = |s: &str| {
        (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let digits = |s: &str| (1..=19).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !hex(incarnation) || !digits(seq) {
        return Err(bad_cursor());
    }
    let seq = seq.parse::<i64>().map_err(|_| bad_cursor())?;
    Ok((incarnation, seq))
}

/// Checks what [`read`] is given before anything is read: a cursor that parses, a limit
/// of 1 to [`MAX_LIMIT`].
pub fn check_read(after: Option<&str>, limit: u32) -> Result<()> {
    let mut problems = Vec::new();
    if after.is_some_and(|a| parse_cursor(a).is_err()) {
        problems.push(cursor_problem());
    }
    if !(1..=MAX_LIMIT).contains(&limit) {
        problems.push(Problem::top(
            "arguments",
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Up to `limit` events after `after` (`None`: from the oldest kept), or why the cursor
/// cannot be read from: pruned past ([`EventsPage::CursorExpired`]) or from another
/// incarnation of the store ([`EventsPage::ForeignCursor`]).
pub fn read(c: &mut dyn Tx, after: Option<&str>, limit: u32) -> Result<EventsPage> {
    check_read(after, limit)?;
    let incarnation = c.incarnation()?;
    let (oldest, last) = c.event_bounds()?;
    // The oldest cursor still valid: the one before the oldest event kept.
    let floor = oldest.map_or(last, |o| o - 1);
    let oldest_cursor = cursor(&incarnation, floor);
    let from = match after.map(parse_cursor).transpose()? {
        None => floor,
        // A number past the counter cannot be this incarnation's either.
        Some((inc, seq)) if inc != incarnation || seq > last => {
            return Ok(EventsPage::ForeignCursor { oldest_cursor });
        }
        Some((_, seq)) if seq < floor => return Ok(EventsPage::CursorExpired { oldest_cursor }),
        Some((_, seq)) => seq,
    };
    let rows = c.events_after(from, limit)?;
    let next_cursor = cursor(&incarnation, rows.last().map_or(from, |e| e.seq));
    let events = rows
        .into_iter()
        .map(|e| Event {
            cursor: cursor(&incarnation, e.seq),
            kind: e.kind,
            at: from_stored(e.at_ms),
            data: e.data,
        })
        .collect();
    Ok(EventsPage::Events {
        events,
        next_cursor,
    })
}

/// Prunes the events older than `events_retention_days`, oldest first, at most
/// [`PRUNE_PER_RUN`]; only a run from the oldest (an event made with an earlier `now` after
/// a later one stops it), so what is kept is always every event after a cursor.
pub fn prune(c: &mut dyn Tx, retention_days: u32, now: DateTime<Utc>) -> Result<u32> {
    let days = retention_days.max(1);
    let cutoff = ms(time::sub(now, time::days(i64::from(days))));
    // Most runs have nothing to prune: one row tells.
    match c.oldest_events(1)?.first() {
        Some((_, at)) if *at < cutoff => {}
        _ => return Ok(0),
    }
    let through = c
        .oldest_events(PRUNE_PER_RUN)?
        .into_iter()
        .take_while(|(_, at)| *at < cutoff)
        .last();
    match through {
        Some((seq, _)) => c.delete_events_through(seq),
        None => Ok(0),
    }
}

/// Records a change of consent (D5) and its event.
#[allow(clippy::too_many_arguments)]
pub(in crate::engine) fn consent_changed(
    c: &mut dyn Tx,
    customer: Option<(i64, &str)>,
    contact: Option<&str>,
    channel: &str,
    purpose: &str,
    granted: bool,
    source: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    c.insert_consent(&crate::store::ConsentRow {
        customer: customer.map(|(rowid, _)| rowid),
        contact: contact.map(str::to_owned),
        channel: channel.to_owned(),
        purpose: purpose.to_owned(),
        granted,
        source: source.to_owned(),
        at_ms: ms(now),
    })?;
    let data = ev::ConsentChanged {
        customer: customer.map(|(_, host)| host.to_owned()),
        channel: channel.to_owned(),
        purpose: purpose.to_owned(),
        granted,
        source: source.to_owned(),
    };
    emit(c, ev::CONSENT_CHANGED, now, &data)
}

/// F2's consent to a reply, given with a response, is a D5 `replies` consent: from the
/// survey page (`link`), or given through the host's call (`api`, an e-receipt feedback).
pub(in crate::engine) fn reply_consent(
    c: &mut dyn Tx,
    row: &crate::store::ResponseRow,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(customer) = row.customer.filter(|_| row.consent_to_reply) else {
        return Ok(());
    };
    let Some(host_id) = c.customer_host_id(customer)? else {
        return Ok(());
    };
    let source = if row.source == "ereceipt" {
        "api"
    } else {
        "link"
    };
    consent_changed(
        c,
        Some((customer, &host_id)),
        None,
        "email",
        "replies",
        true,
        source,
        now,
    )
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;
    use crate::model::{Channel, MessageKind, SurveyKind};
    use crate::store::InvitationRow;

    fn new_invitation(
        kind: SurveyKind,
        channel: Channel,
        date: NaiveDate,
        due_at_ms: i64,
        cancelled: bool,
    ) -> NewInvitation {
        NewInvitation {
            row: InvitationRow {
                customer: 7,
                transaction: None,
                kind,
                contact: None,
                location: 1,
                channel,
                language: "fr".into(),
                business_date: date,
                due_at_ms,
            },
            message_kind: MessageKind::SurveyInvitation,
            message_id: "m".into(),
            cancelled,
        }
    }

    /// What serde_json writes for the event's public data type.
    fn by_serde(id: i64, refs: &InvitationRefs<'_>, new: &NewInvitation) -> String {
        serde_json::to_string(&ev::InvitationCreated {
            invitation_id: id,
            customer: refs.customer.to_owned(),
            location: refs.location.to_owned(),
            transaction: refs.transaction.map(str::to_owned),
            survey_kind: new.row.kind,
            channel: new.row.channel,
            business_date: new.row.business_date,
            due_at: from_stored(new.row.due_at_ms),
            status: if new.cancelled {
                "cancelled"
            } else {
                "pending"
            }
            .to_owned(),
        })
        .unwrap()
    }

    #[test]
    fn d1_invitation_created_is_written_as_serde_json_writes_it() {
        let refs = InvitationRefs {
            customer: "c\"1\\\u{1}é한",
            location: "paris",
            transaction: Some("t\n9"),
        };
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let new = new_invitation(
            SurveyKind::Transactional,
            Channel::Email,
            date,
            1_764_000_000_123,
            false,
        );
        let written = invitation_created_data(42, &refs, &new);
        assert_eq!(written, by_serde(42, &refs, &new));
        assert!(
            written.contains(r#""customer":"c\"1\\\u0001é한""#),
            "{written}"
        );
        let relationship = InvitationRefs {
            transaction: None,
            ..refs
        };
        let new = new_invitation(SurveyKind::Relationship, Channel::Sms, date, 0, true);
        assert_eq!(
            invitation_created_data(-1, &relationship, &new),
            by_serde(-1, &relationship, &new)
        );
    }

    proptest! {
        /// D1: the event's bytes are serde_json's for any host ids, kinds, dates and
        /// instants (quotes, backslashes, control characters and any Unicode included).
        #[test]
        fn d1_invitation_created_matches_serde_json(
            id in any::<i64>(),
            customer in any::<String>(),
            location in "[ -~\u{0}-\u{1f}é한]{0,12}",
            transaction in proptest::option::of(any::<String>()),
            kind in prop_oneof![
                Just(SurveyKind::Transactional),
                Just(SurveyKind::Relationship),
                Just(SurveyKind::FollowUp)
            ],
            sms in any::<bool>(),
            days in -800_000i64..800_000,
            due_at_ms in any::<i64>(),
            cancelled in any::<bool>(),
        ) {
            let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()
                + chrono::TimeDelta::days(days);
            let channel = if sms { Channel::Sms } else { Channel::Email };
            let refs = InvitationRefs {
                customer: &customer,
                location: &location,
                transaction: transaction.as_deref(),
            };
            let new = new_invitation(kind, channel, date, due_at_ms, cancelled);
            prop_assert_eq!(invitation_created_data(id, &refs, &new), by_serde(id, &refs, &new));
        }
    }
}
