use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::model::{Channel, MessageKind, MessageStatus, OutboxCounts, Template};
use crate::rules::token::TokenKey;
use crate::store::outbox::{Claimable, MessageState, NewMessage, TokenOwner};

/// Queues a message under the stable id `message_id` and returns the id.
pub fn queue_message(
    conn: &Connection,
    message_id: &str,
    m: &NewMessage<'_>,
    now_ms: i64,
) -> Result<String> {
    conn.prepare_cached(
        "INSERT INTO outbox (message_id, kind, invitation_id, customer_id, user_id, alert_id,
           location_id, channel, language, params, status, due_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?11, ?12, ?12)",
    )?
    .execute(params![
        message_id,
        m.kind.as_str(),
        m.invitation,
        m.customer,
        m.user,
        m.alert,
        m.location,
        m.channel.as_str(),
        m.language,
        m.params,
        m.due_at_ms,
        now_ms
    ])?;
    Ok(message_id.to_owned())
}

const CLAIM_COLUMNS: &str = "o.id, o.message_id, o.kind, o.invitation_id, o.customer_id, \
    o.channel, o.language, o.attempts, o.status = 'in_flight', c.host_id, c.name, c.email_norm, \
    c.phone_norm, coalesce(c.include_in_communications, 0), l.host_id, l.name, coalesce(l.enabled, 1), \
    coalesce(t.excluded, 0), l.review_link, u.host_id, u.email, coalesce(u.active, 0), \
    o.alert_id, o.params, o.webhook_id";

const CLAIM_JOINS: &str = "FROM outbox o
    LEFT JOIN customers c ON c.id = o.customer_id
    LEFT JOIN users u ON u.id = o.user_id
    LEFT JOIN locations l ON l.id = o.location_id
    LEFT JOIN invitations i ON i.id = o.invitation_id
    LEFT JOIN transactions t ON t.id = i.transaction_id";

fn row_to_claimable(r: &rusqlite::Row<'_>) -> rusqlite::Result<Claimable> {
    Ok(Claimable {
        rowid: r.get(0)?,
        message_id: r.get(1)?,
        kind: MessageKind::parse(&r.get::<_, String>(2)?).unwrap_or(MessageKind::SurveyInvitation),
        invitation: r.get(3)?,
        customer: r.get(4)?,
        channel: Channel::parse(&r.get::<_, String>(5)?).unwrap_or(Channel::Email),
        language: r.get(6)?,
        attempts: r.get(7)?,
        lease_expired: r.get(8)?,
        customer_id: r.get(9)?,
        customer_name: r.get(10)?,
        email: r.get(11)?,
        phone: r.get(12)?,
        communications: r.get(13)?,
        location_id: r.get(14)?,
        location_name: r.get(15)?,
        location_enabled: r.get(16)?,
        excluded: r.get(17)?,
        review_link: r.get(18)?,
        user_id: r.get(19)?,
        user_email: r.get(20)?,
        user_active: r.get(21)?,
        alert: r.get(22)?,
        params: r.get(23)?,
        webhook: r.get(24)?,
    })
}

/// Messages due at `now`: first those whose lease expired (oldest lease first), then
/// pending ones (oldest due first). Each half walks its own index.
pub fn claimable(conn: &Connection, now_ms: i64, limit: u32) -> Result<Vec<Claimable>> {
    let mut out: Vec<Claimable> = conn
        .prepare_cached(&format!(
            "SELECT {CLAIM_COLUMNS} {CLAIM_JOINS}
             WHERE o.status = 'in_flight' AND o.lease_until <= ?1
             ORDER BY o.lease_until, o.id LIMIT ?2"
        ))?
        .query_map(params![now_ms, limit], row_to_claimable)?
        .collect::<rusqlite::Result<_>>()?;
    let rest = limit.saturating_sub(u32::try_from(out.len()).unwrap_or(limit));
    if rest > 0 {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {CLAIM_COLUMNS} {CLAIM_JOINS}
             WHERE o.status = 'pending' AND o.due_at <= ?1
             ORDER BY o.due_at, o.id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![now_ms, rest], row_to_claimable)?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

/// Row ids as a JSON array, for `IN (SELECT value FROM json_each(?))`: one statement for a
/// batch of rows (each statement that changes `status` builds the CHECK constraint's list
/// once per run, so one run per batch, not per row).
fn json_ids(ids: &[i64]) -> String {
    let mut s = String::with_capacity(ids.len() * 8 + 2);
    s.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&id.to_string());
    }
    s.push(']');
    s
}

/// Marks messages in flight until `lease_until_ms` and counts the attempt: one statement
/// for a batch.
pub fn mark_claimed_many(
    conn: &Connection,
    rowids: &[i64],
    lease_until_ms: i64,
    now_ms: i64,
) -> Result<()> {
    if rowids.is_empty() {
        return Ok(());
    }
    conn.prepare_cached(
        "UPDATE outbox SET status = 'in_flight', lease_until = ?2, attempts = attempts + 1,
           updated_at = ?3 WHERE id IN (SELECT value FROM json_each(?1))",
    )?
    .execute(params![json_ids(rowids), lease_until_ms, now_ms])?;
    Ok(())
}

/// Stores the hash of a freshly minted link token.
pub fn insert_token(
    conn: &Connection,
    hash: &TokenKey,
    kind: &str,
    owner: TokenOwner,
    now_ms: i64,
    expires_ms: Option<i64>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO link_tokens
           (hash, kind, invitation_id, alert_id, customer_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        &hash[..],
        kind,
        owner.invitation,
        owner.alert,
        owner.customer,
        now_ms,
        expires_ms
    ])?;
    Ok(())
}

/// The customer a token was minted for, with the token's kind and expiry.
pub fn token_owner(
    conn: &Connection,
    hash: &TokenKey,
) -> Result<Option<(i64, String, Option<i64>)>> {
    Ok(conn
        .prepare_cached("SELECT customer_id, kind, expires_at FROM link_tokens WHERE hash = ?1")?
        .query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// A message by its stable id.
pub fn find_message(conn: &Connection, message_id: &str) -> Result<Option<MessageState>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, status, attempts, invitation_id, kind, location_id, created_at
             FROM outbox WHERE message_id = ?1",
        )?
        .query_row([message_id], |r| {
            Ok(MessageState {
                rowid: r.get(0)?,
                status: MessageStatus::parse(&r.get::<_, String>(1)?)
                    .unwrap_or(MessageStatus::Pending),
                attempts: r.get(2)?,
                invitation: r.get(3)?,
                kind: MessageKind::parse(&r.get::<_, String>(4)?)
                    .unwrap_or(MessageKind::SurveyInvitation),
                location: r.get(5)?,
                created_at_ms: r.get(6)?,
            })
        })
        .optional()?)
}

/// Records a delivery: the message is acked and its invitation delivered.
pub fn ack_message(conn: &Connection, m: &MessageState, now_ms: i64) -> Result<bool> {
    conn.prepare_cached(
        "UPDATE outbox SET status = 'acked', lease_until = NULL, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![m.rowid, now_ms])?;
    let mut delivered = false;
    if let Some(inv) = m.invitation {
        // As [`deliver_invitations`] does for a batch, by the id alone (a list read from
        // JSON needs an index built and a statement journal for each message).
        delivered = conn
            .prepare_cached(
                "UPDATE invitations SET status = 'delivered', delivered_at = ?2
                 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![inv, now_ms])?
            > 0;
        if !delivered {
            delivered = conn
                .prepare_cached(
                    "UPDATE invitations SET status = 'delivered', delivered_at = ?2
                     WHERE id = ?1 AND status IN ('cancelled', 'failed')",
                )?
                .execute(params![inv, now_ms])?
                > 0;
            if delivered {
                super::person_latest::recount(conn, inv)?;
            }
        }
    }
    Ok(delivered)
}

/// Marks `invitations` delivered (those not delivered or bounced already) and returns
/// them. A pending one stays counted in `person_latest` as it was; one that failed or was
/// cancelled counts again, so its person is recounted (a separate statement, run only
/// when the first left some of them: never on a morning's acks of pending invitations).
fn deliver_invitations(conn: &Connection, invitations: &[i64], now_ms: i64) -> Result<Vec<i64>> {
    let ids = json_ids(invitations);
    let mut delivered: Vec<i64> = conn
        .prepare_cached(
            // `+status`: with `status = 'pending'` the planner may walk the partial index
            // of every pending invitation (`invitations_pending`) instead of seeking ids.
            "UPDATE invitations SET status = 'delivered', delivered_at = ?2
             WHERE id IN (SELECT value FROM json_each(?1)) AND +status = 'pending'
             RETURNING id",
        )?
        .query_map(params![ids, now_ms], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if delivered.len() < invitations.len() {
        let revived: Vec<i64> = conn
            .prepare_cached(
                "UPDATE invitations SET status = 'delivered', delivered_at = ?2
                 WHERE id IN (SELECT value FROM json_each(?1))
                   AND status IN ('cancelled', 'failed')
                 RETURNING id",
            )?
            .query_map(params![ids, now_ms], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for inv in &revived {
            super::person_latest::recount(conn, *inv)?;
        }
        delivered.extend(revived);
    }
    Ok(delivered)
}

/// [`ack_message`] for a batch: the messages `rowids` acked, the `invitations` delivered
/// (two statements for the batch).
pub fn ack_messages(
    conn: &Connection,
    rowids: &[i64],
    invitations: &[i64],
    now_ms: i64,
) -> Result<Vec<i64>> {
    if !rowids.is_empty() {
        conn.prepare_cached(
            "UPDATE outbox SET status = 'acked', lease_until = NULL, updated_at = ?2
             WHERE id IN (SELECT value FROM json_each(?1))",
        )?
        .execute(params![json_ids(rowids), now_ms])?;
    }
    if invitations.is_empty() {
        return Ok(Vec::new());
    }
    deliver_invitations(conn, invitations, now_ms)
}

/// Drops the stored text (`params`) and last error of up to `limit` messages acked before
/// `before_ms`, oldest first, and returns how many. The slim row keeps its id, kind,
/// invitation, recipient, status, attempts and times, so a repeated ack stays idempotent
/// and the message can still be found by its id. Reads `outbox_unslimmed` only (named:
/// left to itself the planner walked every acked row of `outbox_lease` and sorted them, on
/// every claim, so a drain slowed down with the messages it had acked).
pub fn slim_delivered(conn: &Connection, before_ms: i64, limit: u32) -> Result<u32> {
    let n = conn
        .prepare_cached(
            "UPDATE outbox SET params = '{}', last_error = NULL
             WHERE id IN (SELECT id FROM outbox INDEXED BY outbox_unslimmed
                          WHERE status = 'acked' AND (params <> '{}' OR last_error IS NOT NULL)
                            AND updated_at < ?1
                          ORDER BY updated_at LIMIT ?2)",
        )?
        .execute(params![before_ms, limit])?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Puts a failed attempt back in the queue, due at `due_ms`.
pub fn retry_message(
    conn: &Connection,
    rowid: i64,
    due_ms: i64,
    error: &str,
    now_ms: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET status = 'pending', due_at = ?2, lease_until = NULL, last_error = ?3,
           updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![rowid, due_ms, error, now_ms])?;
    Ok(())
}

/// Ends a message as failed or cancelled; an undelivered invitation follows it, which
/// releases the cooldown (E4).
pub fn end_message(
    conn: &Connection,
    rowid: i64,
    invitation: Option<i64>,
    status: MessageStatus,
    reason: &str,
    now_ms: i64,
) -> Result<bool> {
    let column = match status {
        MessageStatus::Failed => "last_error",
        _ => "cancel_reason",
    };
    conn.prepare_cached(&format!(
        "UPDATE outbox SET status = ?2, lease_until = NULL, {column} = ?3, updated_at = ?4
         WHERE id = ?1"
    ))?
    .execute(params![rowid, status.as_str(), reason, now_ms])?;
    let mut followed = false;
    if let Some(inv) = invitation {
        // Only when no other message of the invitation is still alive or delivered.
        followed =
            conn.prepare_cached(
                "UPDATE invitations SET status = ?2 WHERE id = ?1 AND status = 'pending'
               AND NOT EXISTS (SELECT 1 FROM outbox WHERE invitation_id = ?1
                               AND status IN ('pending', 'in_flight', 'acked'))",
            )?
            .execute(params![
                inv,
                if status == MessageStatus::Failed {
                    "failed"
                } else {
                    "cancelled"
                }
            ])? > 0;
        if followed {
            super::person_latest::recount(conn, inv)?;
        }
    }
    Ok(followed)
}

/// The parts of an invitation a resend needs: customer, location, channel, language.
pub fn invitation_for_resend(
    conn: &Connection,
    invitation: i64,
) -> Result<Option<(i64, i64, Channel, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT customer_id, location_id, channel, language FROM invitations WHERE id = ?1",
        )?
        .query_row([invitation], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                Channel::parse(&r.get::<_, String>(2)?).unwrap_or(Channel::Email),
                r.get(3)?,
            ))
        })
        .optional()?)
}

/// A store override of a template, if any.
pub fn get_template(
    conn: &Connection,
    kind: MessageKind,
    channel: Channel,
    language: &str,
) -> Result<Option<Template>> {
    Ok(conn
        .prepare_cached(
            "SELECT subject, body, html FROM templates
             WHERE kind = ?1 AND channel = ?2 AND language = ?3",
        )?
        .query_row(params![kind.as_str(), channel.as_str(), language], |r| {
            Ok(Template {
                kind,
                channel,
                language: language.to_owned(),
                subject: r.get(0)?,
                body: r.get(1)?,
                html: r.get(2)?,
            })
        })
        .optional()?)
}

/// Stores (or replaces) a template override.
pub fn set_template(conn: &Connection, t: &Template) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO templates (kind, channel, language, subject, body, html)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        t.kind.as_str(),
        t.channel.as_str(),
        t.language,
        t.subject,
        t.body,
        t.html
    ])?;
    Ok(())
}

/// Messages by status.
pub fn outbox_counts(conn: &Connection) -> Result<OutboxCounts> {
    let mut stmt = conn.prepare_cached("SELECT status, count(*) FROM outbox GROUP BY status")?;
    let mut counts = OutboxCounts::default();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (status, n) = row?;
        let n = u64::try_from(n).unwrap_or(0);
        match MessageStatus::parse(&status) {
            Some(MessageStatus::Pending) => counts.pending = n,
            Some(MessageStatus::InFlight) => counts.in_flight = n,
            Some(MessageStatus::Acked) => counts.acked = n,
            Some(MessageStatus::Failed) => counts.failed = n,
            Some(MessageStatus::Cancelled) => counts.cancelled = n,
            None => {}
        }
    }
    Ok(counts)
}

impl crate::store::OutboxStore for super::SqliteTx<'_> {
    fn queue_message(
        &mut self,
        message_id: &str,
        m: &NewMessage<'_>,
        now_ms: i64,
    ) -> Result<String> {
        queue_message(self.conn, message_id, m, now_ms)
    }

    fn claimable(&mut self, now_ms: i64, limit: u32) -> Result<Vec<Claimable>> {
        claimable(self.conn, now_ms, limit)
    }

    fn mark_claimed_many(
        &mut self,
        rowids: &[i64],
        lease_until_ms: i64,
        now_ms: i64,
    ) -> Result<()> {
        mark_claimed_many(self.conn, rowids, lease_until_ms, now_ms)
    }

    fn insert_token(
        &mut self,
        hash: &TokenKey,
        kind: &str,
        owner: TokenOwner,
        now_ms: i64,
        expires_ms: Option<i64>,
    ) -> Result<()> {
        insert_token(self.conn, hash, kind, owner, now_ms, expires_ms)
    }

    fn token_owner(&mut self, hash: &TokenKey) -> Result<Option<(i64, String, Option<i64>)>> {
        token_owner(self.conn, hash)
    }

    fn find_message(&mut self, message_id: &str) -> Result<Option<MessageState>> {
        find_message(self.conn, message_id)
    }

    fn ack_message(&mut self, m: &MessageState, now_ms: i64) -> Result<bool> {
        ack_message(self.conn, m, now_ms)
    }

    fn ack_messages(
        &mut self,
        rowids: &[i64],
        invitations: &[i64],
        now_ms: i64,
    ) -> Result<Vec<i64>> {
        ack_messages(self.conn, rowids, invitations, now_ms)
    }

    fn slim_delivered(&mut self, before_ms: i64, limit: u32) -> Result<u32> {
        slim_delivered(self.conn, before_ms, limit)
    }

    fn retry_message(&mut self, rowid: i64, due_ms: i64, error: &str, now_ms: i64) -> Result<()> {
        retry_message(self.conn, rowid, due_ms, error, now_ms)
    }

    fn end_message(
        &mut self,
        rowid: i64,
        invitation: Option<i64>,
        status: MessageStatus,
        reason: &str,
        now_ms: i64,
    ) -> Result<bool> {
        end_message(self.conn, rowid, invitation, status, reason, now_ms)
    }

    fn invitation_for_resend(
        &mut self,
        invitation: i64,
    ) -> Result<Option<(i64, i64, Channel, String)>> {
        invitation_for_resend(self.conn, invitation)
    }

    fn get_template(
        &mut self,
        kind: MessageKind,
        channel: Channel,
        language: &str,
    ) -> Result<Option<Template>> {
        get_template(self.conn, kind, channel, language)
    }

    fn set_template(&mut self, t: &Template) -> Result<()> {
        set_template(self.conn, t)
    }

    fn outbox_counts(&mut self) -> Result<OutboxCounts> {
        outbox_counts(self.conn)
    }
}
