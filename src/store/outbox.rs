//! The outbox area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;
use crate::model::{Channel, MessageKind, MessageStatus, OutboxCounts, Template};
use crate::rules::token::TokenKey;

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// Kind (the template id).
    pub kind: MessageKind,
    /// The invitation it delivers.
    pub invitation: Option<i64>,
    /// Customer row id (a message to a customer).
    pub customer: Option<i64>,
    /// User row id (a message to staff).
    pub user: Option<i64>,
    /// The alert it is about.
    pub alert: Option<i64>,
    /// Location row id (none for a message to a machine or a bare phone: D2, D4).
    pub location: Option<i64>,
    /// Channel.
    pub channel: Channel,
    /// Requested language.
    pub language: &'a str,
    /// Text written at queue time and other parameters, as JSON (`{}` for none).
    pub params: &'a str,
    /// Due instant in Unix ms.
    pub due_at_ms: i64,
}

/// Everything a claim needs to decide and render one message.
#[derive(Debug, Clone)]
pub struct Claimable {
    /// Outbox row id.
    pub rowid: i64,
    /// Stable id.
    pub message_id: String,
    /// Kind.
    pub kind: MessageKind,
    /// Invitation row id.
    pub invitation: Option<i64>,
    /// Customer row id, for a message to a customer.
    pub customer: Option<i64>,
    /// Channel.
    pub channel: Channel,
    /// Requested language.
    pub language: String,
    /// Attempts so far.
    pub attempts: u32,
    /// It was claimed before and its lease ran out.
    pub lease_expired: bool,
    /// Customer host id.
    pub customer_id: Option<String>,
    /// Customer name.
    pub customer_name: Option<String>,
    /// Normalised e-mail.
    pub email: Option<String>,
    /// E.164 phone.
    pub phone: Option<String>,
    /// "Include in communications".
    pub communications: bool,
    /// Location host id (none for a message that belongs to no location).
    pub location_id: Option<String>,
    /// Location display name.
    pub location_name: Option<String>,
    /// Location sends surveys.
    pub location_enabled: bool,
    /// The invitation's transaction is now excluded by the host.
    pub excluded: bool,
    /// The location's public review link.
    pub review_link: Option<String>,
    /// User host id, for a message to staff.
    pub user_id: Option<String>,
    /// The user's e-mail.
    pub user_email: Option<String>,
    /// The user is still active.
    pub user_active: bool,
    /// The alert it is about.
    pub alert: Option<i64>,
    /// Text written at queue time and other parameters (JSON); a webhook message's body.
    pub params: String,
    /// The webhook subscription a `webhook` message was queued to (D2).
    pub webhook: Option<i64>,
}

/// What a link token belongs to.
#[derive(Debug, Clone, Copy)]
pub struct TokenOwner {
    /// The invitation (survey and unsubscribe links of an invitation).
    pub invitation: Option<i64>,
    /// The alert (the post-intervention survey, A4).
    pub alert: Option<i64>,
    /// The customer.
    pub customer: i64,
}

/// A stored message's state.
#[derive(Debug, Clone)]
pub struct MessageState {
    /// Row id.
    pub rowid: i64,
    /// Status.
    pub status: MessageStatus,
    /// Attempts so far.
    pub attempts: u32,
    /// Invitation row id.
    pub invitation: Option<i64>,
    /// Its kind.
    pub kind: MessageKind,
    /// Location row id, if the message has one.
    pub location: Option<i64>,
    /// When it was queued, Unix ms.
    pub created_at_ms: i64,
}

impl<'a> NewMessage<'a> {
    /// A templated message to a customer.
    pub fn to_customer(
        kind: MessageKind,
        customer: i64,
        location: i64,
        channel: Channel,
        language: &'a str,
        due_at_ms: i64,
    ) -> Self {
        NewMessage {
            kind,
            invitation: None,
            customer: Some(customer),
            user: None,
            alert: None,
            location: Some(location),
            channel,
            language,
            params: "{}",
            due_at_ms,
        }
    }
}

/// The outbox a store keeps (mirrors `store/sqlite/outbox.rs`).
pub trait OutboxStore {
    /// Queues a message under the stable id `message_id` and returns the id.
    fn queue_message(
        &mut self,
        message_id: &str,
        m: &NewMessage<'_>,
        now_ms: i64,
    ) -> Result<String>;

    /// Messages due at `now`: first those whose lease expired (oldest lease first), then
    /// pending ones (oldest due first). Each half walks its own index.
    fn claimable(&mut self, now_ms: i64, limit: u32) -> Result<Vec<Claimable>>;

    /// Marks messages in flight until `lease_until_ms` and counts the attempt: one statement
    /// for a batch.
    fn mark_claimed_many(&mut self, rowids: &[i64], lease_until_ms: i64, now_ms: i64)
    -> Result<()>;

    /// Stores the hash of a freshly minted link token.
    fn insert_token(
        &mut self,
        hash: &TokenKey,
        kind: &str,
        owner: TokenOwner,
        now_ms: i64,
        expires_ms: Option<i64>,
    ) -> Result<()>;

    /// The customer a token was minted for, with the token's kind and expiry.
    fn token_owner(&mut self, hash: &TokenKey) -> Result<Option<(i64, String, Option<i64>)>>;

    /// A message by its stable id.
    fn find_message(&mut self, message_id: &str) -> Result<Option<MessageState>>;

    /// Records a delivery: the message is acked and its invitation delivered. True when the
    /// invitation became delivered by it (D1).
    fn ack_message(&mut self, m: &MessageState, now_ms: i64) -> Result<bool>;

    /// [`ack_message`] for a batch: the messages `rowids` acked, the `invitations` delivered
    /// (two statements for the batch). Returns the invitations that became delivered (D1).
    fn ack_messages(
        &mut self,
        rowids: &[i64],
        invitations: &[i64],
        now_ms: i64,
    ) -> Result<Vec<i64>>;

    /// Drops the stored text (`params`) and last error of up to `limit` messages acked before
    /// `before_ms`, oldest first, and returns how many. The slim row keeps its id, kind,
    /// invitation, recipient, status, attempts and times, so a repeated ack stays idempotent
    /// and the message can still be found by its id. Reads `outbox_unslimmed` only (named:
    /// left to itself the planner walked every acked row of `outbox_lease` and sorted them, on
    /// every claim, so a drain slowed down with the messages it had acked).
    fn slim_delivered(&mut self, before_ms: i64, limit: u32) -> Result<u32>;

    /// Puts a failed attempt back in the queue, due at `due_ms`.
    fn retry_message(&mut self, rowid: i64, due_ms: i64, error: &str, now_ms: i64) -> Result<()>;

    /// Ends a message as failed or cancelled; an undelivered invitation follows it, which
    /// releases the cooldown (E4). True when the invitation followed it (D1).
    fn end_message(
        &mut self,
        rowid: i64,
        invitation: Option<i64>,
        status: MessageStatus,
        reason: &str,
        now_ms: i64,
    ) -> Result<bool>;

    /// The parts of an invitation a resend needs: customer, location, channel, language.
    fn invitation_for_resend(
        &mut self,
        invitation: i64,
    ) -> Result<Option<(i64, i64, Channel, String)>>;

    /// A store override of a template, if any.
    fn get_template(
        &mut self,
        kind: MessageKind,
        channel: Channel,
        language: &str,
    ) -> Result<Option<Template>>;

    /// Stores (or replaces) a template override.
    fn set_template(&mut self, t: &Template) -> Result<()>;

    /// Messages by status.
    fn outbox_counts(&mut self) -> Result<OutboxCounts>;
}
