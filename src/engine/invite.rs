//! Tonight's customers as the sync keeps them, and the writing of one invitation with its
//! outbox message: what the nightly sync (`sync/`) and the relationship survey
//! (`relationship.rs`) share, so neither imports the other.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::{Channel, InvitationSummary, MessageKind, Settings, SurveyKind};
use crate::rules::time;
use crate::store::{CustomerRow, InvitationRow, NewInvitation};

use super::outbox::MessageIds;

/// What a customer referenced by the batch is, after the batch's customers are written:
/// only what the rules and the invitations read (row id, normalised contacts, language,
/// opt-in). The host id is the map's key; nothing after the upserts reads the name, the
/// contacts as sent, the gender or the reference, and on a 50k-customer batch a full
/// row per customer was ~19 MB at the sync's peak.
pub(in crate::engine) struct Known<'b> {
    /// Row id.
    pub(in crate::engine) rowid: i64,
    /// Stored before this sync (only those can have had an invitation).
    pub(in crate::engine) existed: bool,
    /// "Include in communications".
    pub(in crate::engine) communications: bool,
    /// Normalised e-mail; `None` when absent or unusable.
    pub(in crate::engine) email_norm: Option<Box<str>>,
    /// E.164 phone; `None` when absent or unusable.
    pub(in crate::engine) phone_norm: Option<Box<str>>,
    /// BCP 47 language: borrowed from the batch for the customers it sends.
    pub(in crate::engine) language: Option<Cow<'b, str>>,
}

impl<'b> Known<'b> {
    /// What is kept of a written row; `language` is the batch's when it sent the customer.
    pub(in crate::engine) fn new(
        rowid: i64,
        existed: bool,
        row: CustomerRow,
        language: Option<Cow<'b, str>>,
    ) -> Self {
        Known {
            rowid,
            existed,
            communications: row.include_in_communications,
            email_norm: row.email_norm.map(String::into_boxed_str),
            phone_norm: row.phone_norm.map(String::into_boxed_str),
            language,
        }
    }

    /// The normalised contact of the channel (see [`channel_contact`]).
    pub(in crate::engine) fn contact(&self, channel: Channel) -> Option<&str> {
        match channel {
            Channel::Email => self.email_norm.as_deref(),
            Channel::Sms => self.phone_norm.as_deref(),
        }
    }
}

/// Whom an invitation is for: the customer's row id, contact on the channel and language.
pub(in crate::engine) struct Recipient<'a> {
    /// Row id.
    pub(in crate::engine) rowid: i64,
    /// The normalised contact of the channel.
    pub(in crate::engine) contact: Option<&'a str>,
    /// BCP 47 language; the settings' default when `None`.
    pub(in crate::engine) language: Option<&'a str>,
}

/// The invitation of `kind` for `known` and its message, due at the send slot `due`; with
/// no slot before the link would expire, both are written cancelled (`no_send_slot`, P5),
/// which releases the cooldown. With the summary the report shows (its invitation id, customer and transaction
/// are filled by the caller once written).
#[allow(clippy::too_many_arguments)]
pub(in crate::engine) fn invitation(
    message_ids: &mut MessageIds,
    settings: &Settings,
    (location, business_date): (i64, NaiveDate),
    known: &Recipient<'_>,
    transaction: Option<i64>,
    kind: SurveyKind,
    due: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> (NewInvitation, InvitationSummary) {
    let language =
        (known.language.map(str::to_owned)).unwrap_or_else(|| settings.default_language.clone());
    let due_at = due.unwrap_or(now);
    let message_kind = match kind {
        SurveyKind::Relationship => MessageKind::RelationshipSurvey,
        _ => MessageKind::SurveyInvitation,
    };
    let summary = InvitationSummary {
        invitation_id: 0,
        customer: String::new(),
        transaction: String::new(),
        channel: settings.channel,
        language: language.clone(),
        due_at,
    };
    let new = NewInvitation {
        row: InvitationRow {
            customer: known.rowid,
            transaction,
            kind,
            contact: known.contact.map(str::to_owned),
            location,
            channel: settings.channel,
            language,
            business_date,
            due_at_ms: time::ms(due_at),
        },
        message_kind,
        message_id: message_ids.next_id(),
        cancelled: due.is_none(),
    };
    (new, summary)
}
