//! The outbox area on PostgreSQL (mirrors `store/sqlite/outbox.rs`): a batch is one
//! statement over a `bigint[]` of ids (`= ANY($n::bigint[])`), as SQLite's `json_each`.

use crate::error::Result;
use crate::hosted::{Row, p};
use crate::model::{Channel, MessageKind, MessageStatus, OutboxCounts, Template};
use crate::rules::token::TokenKey;
use crate::store::outbox::{Claimable, MessageState, NewMessage, TokenOwner};

use super::conv::get_u32;
use super::{PgTx, get};

const CLAIM_COLUMNS: &str = "o.id, o.message_id, o.kind, o.invitation_id, o.customer_id, \
    o.channel, o.language, o.attempts, o.status = 'in_flight', c.host_id, c.name, c.email_norm, \
    c.phone_norm, coalesce(c.include_in_communications, 0) <> 0, l.host_id, l.name, \
    coalesce(l.enabled, 1) <> 0, coalesce(t.excluded, 0) <> 0, l.review_link, u.host_id, u.email, \
    coalesce(u.active, 0) <> 0, o.alert_id, o.params, o.webhook_id";

const CLAIM_JOINS: &str = "FROM outbox o
    LEFT JOIN customers c ON c.store_id = $1 AND c.id = o.customer_id
    LEFT JOIN users u ON u.store_id = $1 AND u.id = o.user_id
    LEFT JOIN locations l ON l.store_id = $1 AND l.id = o.location_id
    LEFT JOIN invitations i ON i.store_id = $1 AND i.id = o.invitation_id
    LEFT JOIN transactions t ON t.store_id = $1 AND t.id = i.transaction_id";

fn row_to_claimable(r: &Row) -> Result<Claimable> {
    Ok(Claimable {
        rowid: get(r, 0)?,
        message_id: get(r, 1)?,
        kind: MessageKind::parse(&get::<String>(r, 2)?).unwrap_or(MessageKind::SurveyInvitation),
        invitation: get(r, 3)?,
        customer: get(r, 4)?,
        channel: Channel::parse(&get::<String>(r, 5)?).unwrap_or(Channel::Email),
        language: get(r, 6)?,
        attempts: get_u32(r, 7)?,
        lease_expired: get(r, 8)?,
        customer_id: get(r, 9)?,
        customer_name: get(r, 10)?,
        email: get(r, 11)?,
        phone: get(r, 12)?,
        communications: get(r, 13)?,
        location_id: get(r, 14)?,
        location_name: get(r, 15)?,
        location_enabled: get(r, 16)?,
        excluded: get(r, 17)?,
        review_link: get(r, 18)?,
        user_id: get(r, 19)?,
        user_email: get(r, 20)?,
        user_active: get(r, 21)?,
        alert: get(r, 22)?,
        params: get(r, 23)?,
        webhook: get(r, 24)?,
    })
}

fn message_state(r: &Row) -> Result<MessageState> {
    Ok(MessageState {
        rowid: get(r, 0)?,
        status: MessageStatus::parse(&get::<String>(r, 1)?).unwrap_or(MessageStatus::Pending),
        attempts: get_u32(r, 2)?,
        invitation: get(r, 3)?,
        kind: MessageKind::parse(&get::<String>(r, 4)?).unwrap_or(MessageKind::SurveyInvitation),
        location: get(r, 5)?,
        created_at_ms: get(r, 6)?,
    })
}

impl crate::store::OutboxStore for PgTx<'_> {
    fn queue_message(
        &mut self,
        message_id: &str,
        m: &NewMessage<'_>,
        now_ms: i64,
    ) -> Result<String> {
        let id = self.next_ids("outbox", 1)?;
        self.execute(
            "INSERT INTO outbox (store_id, id, message_id, kind, invitation_id, customer_id,
               user_id, alert_id, location_id, channel, language, params, status, due_at,
               created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13, $14, $14)",
            vec![
                p(id),
                p(message_id.to_owned()),
                p(m.kind.as_str().to_owned()),
                p(m.invitation),
                p(m.customer),
                p(m.user),
                p(m.alert),
                p(m.location),
                p(m.channel.as_str().to_owned()),
                p(m.language.to_owned()),
                p(m.params.to_owned()),
                p(m.due_at_ms),
                p(now_ms),
            ],
        )?;
        Ok(message_id.to_owned())
    }

    fn claimable(&mut self, now_ms: i64, limit: u32) -> Result<Vec<Claimable>> {
        let rows = self.query(
            &format!(
                "SELECT {CLAIM_COLUMNS} {CLAIM_JOINS}
                 WHERE o.store_id = $1 AND o.status = 'in_flight' AND o.lease_until <= $2
                 ORDER BY o.lease_until, o.id LIMIT $3"
            ),
            vec![p(now_ms), p(i64::from(limit))],
        )?;
        let mut out = rows
            .iter()
            .map(row_to_claimable)
            .collect::<Result<Vec<_>>>()?;
        let rest = limit.saturating_sub(u32::try_from(out.len()).unwrap_or(limit));
        if rest > 0 {
            let rows = self.query(
                &format!(
                    "SELECT {CLAIM_COLUMNS} {CLAIM_JOINS}
                     WHERE o.store_id = $1 AND o.status = 'pending' AND o.due_at <= $2
                     ORDER BY o.due_at, o.id LIMIT $3"
                ),
                vec![p(now_ms), p(i64::from(rest))],
            )?;
            for r in &rows {
                out.push(row_to_claimable(r)?);
            }
        }
        Ok(out)
    }

    fn mark_claimed_many(
        &mut self,
        rowids: &[i64],
        lease_until_ms: i64,
        now_ms: i64,
    ) -> Result<()> {
        if rowids.is_empty() {
            return Ok(());
        }
        self.execute(
            "UPDATE outbox SET status = 'in_flight', lease_until = $3, attempts = attempts + 1,
               updated_at = $4 WHERE store_id = $1 AND id = ANY($2::bigint[])",
            vec![p(rowids.to_vec()), p(lease_until_ms), p(now_ms)],
        )?;
        Ok(())
    }

    fn insert_token(
        &mut self,
        hash: &TokenKey,
        kind: &str,
        owner: TokenOwner,
        now_ms: i64,
        expires_ms: Option<i64>,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO link_tokens
               (store_id, hash, kind, invitation_id, alert_id, customer_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            vec![
                p(hash[..].to_vec()),
                p(kind.to_owned()),
                p(owner.invitation),
                p(owner.alert),
                p(owner.customer),
                p(now_ms),
                p(expires_ms),
            ],
        )?;
        Ok(())
    }

    fn token_owner(&mut self, hash: &TokenKey) -> Result<Option<(i64, String, Option<i64>)>> {
        let row = self.query_opt(
            "SELECT customer_id, kind, expires_at FROM link_tokens
             WHERE store_id = $1 AND hash = $2",
            vec![p(hash[..].to_vec())],
        )?;
        row.map(|r| Ok((get(&r, 0)?, get(&r, 1)?, get(&r, 2)?)))
            .transpose()
    }

    fn find_message(&mut self, message_id: &str) -> Result<Option<MessageState>> {
        let row = self.query_opt(
            "SELECT id, status, attempts, invitation_id, kind, location_id, created_at
             FROM outbox WHERE store_id = $1 AND message_id = $2",
            vec![p(message_id.to_owned())],
        )?;
        row.as_ref().map(message_state).transpose()
    }

    fn ack_message(&mut self, m: &MessageState, now_ms: i64) -> Result<bool> {
        self.execute(
            "UPDATE outbox SET status = 'acked', lease_until = NULL, updated_at = $3
             WHERE store_id = $1 AND id = $2",
            vec![p(m.rowid), p(now_ms)],
        )?;
        let mut delivered = false;
        if let Some(inv) = m.invitation {
            delivered = self.execute(
                "UPDATE invitations SET status = 'delivered', delivered_at = $3
                 WHERE store_id = $1 AND id = $2 AND status <> 'delivered' AND status <> 'bounced'",
                vec![p(inv), p(now_ms)],
            )? > 0;
        }
        Ok(delivered)
    }

    fn ack_messages(
        &mut self,
        rowids: &[i64],
        invitations: &[i64],
        now_ms: i64,
    ) -> Result<Vec<i64>> {
        if !rowids.is_empty() {
            self.execute(
                "UPDATE outbox SET status = 'acked', lease_until = NULL, updated_at = $3
                 WHERE store_id = $1 AND id = ANY($2::bigint[])",
                vec![p(rowids.to_vec()), p(now_ms)],
            )?;
        }
        if invitations.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.query(
            "UPDATE invitations SET status = 'delivered', delivered_at = $3
             WHERE store_id = $1 AND id = ANY($2::bigint[]) AND status <> 'delivered'
               AND status <> 'bounced'
             RETURNING id",
            vec![p(invitations.to_vec()), p(now_ms)],
        )?;
        rows.iter().map(|r| get(r, 0)).collect()
    }

    fn slim_delivered(&mut self, before_ms: i64, limit: u32) -> Result<u32> {
        // The subquery's predicate is the partial index outbox_unslimmed's.
        let n = self.execute(
            "UPDATE outbox SET params = '{}', last_error = NULL
             WHERE store_id = $1 AND id IN (
               SELECT id FROM outbox
               WHERE store_id = $1 AND status = 'acked'
                 AND (params <> '{}' OR last_error IS NOT NULL) AND updated_at < $2
               ORDER BY updated_at LIMIT $3)",
            vec![p(before_ms), p(i64::from(limit))],
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn retry_message(&mut self, rowid: i64, due_ms: i64, error: &str, now_ms: i64) -> Result<()> {
        self.execute(
            "UPDATE outbox SET status = 'pending', due_at = $3, lease_until = NULL,
               last_error = $4, updated_at = $5
             WHERE store_id = $1 AND id = $2",
            vec![p(rowid), p(due_ms), p(error.to_owned()), p(now_ms)],
        )?;
        Ok(())
    }

    fn end_message(
        &mut self,
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
        self.execute(
            &format!(
                "UPDATE outbox SET status = $3, lease_until = NULL, {column} = $4, updated_at = $5
                 WHERE store_id = $1 AND id = $2"
            ),
            vec![
                p(rowid),
                p(status.as_str().to_owned()),
                p(reason.to_owned()),
                p(now_ms),
            ],
        )?;
        let mut followed = false;
        if let Some(inv) = invitation {
            // Only when no other message of the invitation is still alive or delivered.
            let to = if status == MessageStatus::Failed {
                "failed"
            } else {
                "cancelled"
            };
            followed = self.execute(
                "UPDATE invitations SET status = $3
                 WHERE store_id = $1 AND id = $2 AND status = 'pending'
                   AND NOT EXISTS (SELECT 1 FROM outbox WHERE store_id = $1
                                   AND invitation_id = $2
                                   AND status IN ('pending', 'in_flight', 'acked'))",
                vec![p(inv), p(to.to_owned())],
            )? > 0;
        }
        Ok(followed)
    }

    fn invitation_for_resend(
        &mut self,
        invitation: i64,
    ) -> Result<Option<(i64, i64, Channel, String)>> {
        let row = self.query_opt(
            "SELECT customer_id, location_id, channel, language FROM invitations
             WHERE store_id = $1 AND id = $2",
            vec![p(invitation)],
        )?;
        row.map(|r| {
            Ok((
                get(&r, 0)?,
                get(&r, 1)?,
                Channel::parse(&get::<String>(&r, 2)?).unwrap_or(Channel::Email),
                get(&r, 3)?,
            ))
        })
        .transpose()
    }

    fn get_template(
        &mut self,
        kind: MessageKind,
        channel: Channel,
        language: &str,
    ) -> Result<Option<Template>> {
        let row = self.query_opt(
            "SELECT subject, body, html FROM templates
             WHERE store_id = $1 AND kind = $2 AND channel = $3 AND language = $4",
            vec![
                p(kind.as_str().to_owned()),
                p(channel.as_str().to_owned()),
                p(language.to_owned()),
            ],
        )?;
        row.map(|r| {
            Ok(Template {
                kind,
                channel,
                language: language.to_owned(),
                subject: get(&r, 0)?,
                body: get(&r, 1)?,
                html: get(&r, 2)?,
            })
        })
        .transpose()
    }

    fn set_template(&mut self, t: &Template) -> Result<()> {
        self.execute(
            "INSERT INTO templates (store_id, kind, channel, language, subject, body, html)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (store_id, kind, channel, language)
               DO UPDATE SET subject = excluded.subject, body = excluded.body,
                 html = excluded.html",
            vec![
                p(t.kind.as_str().to_owned()),
                p(t.channel.as_str().to_owned()),
                p(t.language.clone()),
                p(t.subject.clone()),
                p(t.body.clone()),
                p(t.html.clone()),
            ],
        )?;
        Ok(())
    }

    fn outbox_counts(&mut self) -> Result<OutboxCounts> {
        let rows = self.query(
            "SELECT status, count(*) FROM outbox WHERE store_id = $1 GROUP BY status",
            vec![],
        )?;
        let mut counts = OutboxCounts::default();
        for r in &rows {
            let status: String = get(r, 0)?;
            let n = u64::try_from(get::<i64>(r, 1)?).unwrap_or(0);
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
}

#[cfg(test)]
mod tests {
    use super::super::testkit::fixture;
    use crate::model::{Channel, MessageKind, MessageStatus, Template};
    use crate::rules::token::Token;
    use crate::store::OutboxStore;
    use crate::store::outbox::{NewMessage, TokenOwner};

    /// The same call sequence on SQLite and on PostgreSQL, then what each returns.
    fn scenario(t: &mut dyn OutboxStore) -> Vec<String> {
        let mut seen = Vec::new();
        let m = NewMessage::to_customer(
            MessageKind::CustomerReply,
            1,
            1,
            Channel::Email,
            "fr",
            1_000,
        );
        for (id, due) in [("m-1", 1_000), ("m-2", 500), ("m-3", 9_000)] {
            let mm = NewMessage {
                due_at_ms: due,
                params: "{\"text\":\"hi\"}",
                ..m.clone()
            };
            t.queue_message(id, &mm, 100).unwrap();
        }
        let claim = t.claimable(2_000, 10).unwrap();
        seen.push(format!(
            "{:?}",
            claim
                .iter()
                .map(|c| (
                    &c.message_id,
                    c.attempts,
                    c.lease_expired,
                    &c.customer_id,
                    &c.email,
                    c.communications,
                    &c.location_id,
                    c.location_enabled,
                    c.excluded,
                    c.user_active,
                    &c.params
                ))
                .collect::<Vec<_>>()
        ));
        let ids: Vec<i64> = claim.iter().map(|c| c.rowid).collect();
        t.mark_claimed_many(&ids, 3_000, 2_000).unwrap();
        seen.push(format!("{:?}", t.outbox_counts().unwrap()));
        // Leases ran out: claimed again first, then the pending one now due.
        let again = t.claimable(10_000, 10).unwrap();
        seen.push(format!(
            "{:?}",
            again
                .iter()
                .map(|c| (&c.message_id, c.attempts, c.lease_expired))
                .collect::<Vec<_>>()
        ));
        let m1 = t.find_message("m-1").unwrap().unwrap();
        seen.push(format!(
            "{:?} {} {:?} {}",
            m1.status, m1.attempts, m1.invitation, m1.created_at_ms
        ));
        t.ack_message(&m1, 4_000).unwrap();
        let m2 = t.find_message("m-2").unwrap().unwrap();
        t.ack_messages(&[m2.rowid], &[], 4_500).unwrap();
        let m3 = t.find_message("m-3").unwrap().unwrap();
        t.retry_message(m3.rowid, 20_000, "smtp said no", 5_000)
            .unwrap();
        seen.push(format!("{:?}", t.outbox_counts().unwrap()));
        seen.push(format!("{}", t.slim_delivered(4_200, 10).unwrap()));
        seen.push(format!("{}", t.slim_delivered(10_000, 10).unwrap()));
        seen.push(format!("{}", t.slim_delivered(10_000, 10).unwrap()));
        t.end_message(m3.rowid, None, MessageStatus::Cancelled, "stop", 6_000)
            .unwrap();
        seen.push(format!("{:?}", t.outbox_counts().unwrap()));
        seen.push(format!(
            "{:?}",
            t.find_message("nope").unwrap().map(|m| m.rowid)
        ));

        let token = Token::ordered(1_000, [7; 16]).key();
        t.insert_token(
            &token,
            "survey",
            TokenOwner {
                invitation: None,
                alert: None,
                customer: 1,
            },
            1_000,
            Some(99_000),
        )
        .unwrap();
        seen.push(format!("{:?}", t.token_owner(&token).unwrap()));
        let other = Token::ordered(1_000, [8; 16]).key();
        seen.push(format!("{:?}", t.token_owner(&other).unwrap()));

        let mut tpl = Template {
            kind: MessageKind::SurveyInvitation,
            channel: Channel::Email,
            language: "fr".into(),
            subject: "S".into(),
            body: "B {survey_link} {unsubscribe_link}".into(),
            html: None,
        };
        seen.push(format!(
            "{:?}",
            t.get_template(tpl.kind, tpl.channel, "fr").unwrap()
        ));
        t.set_template(&tpl).unwrap();
        tpl.subject = "S2".into();
        tpl.html = Some("<p/>".into());
        t.set_template(&tpl).unwrap();
        seen.push(format!(
            "{:?}",
            t.get_template(tpl.kind, tpl.channel, "fr").unwrap()
        ));
        seen.push(format!("{:?}", t.invitation_for_resend(42).unwrap()));
        seen
    }

    #[test]
    fn outbox_matches_sqlite() {
        let Some(f) = fixture("pg_outbox") else {
            return;
        };
        let pg = f.write(|t| Ok(scenario(t))).unwrap();

        let mut lite = crate::store::sqlite::Store::open_in_memory().unwrap();
        let expected = lite
            .write(|c| {
                super::super::testkit::sqlite_location_and_customer(c)?;
                Ok(scenario(c))
            })
            .unwrap();
        assert_eq!(pg, expected);
    }

    #[test]
    fn invitations_follow_their_messages() {
        let Some(f) = fixture("pg_outbox_inv") else {
            return;
        };
        f.admin_sql(
            "INSERT INTO invitations (store_id, id, customer_id, location_id, trigger, channel,
               language, business_date, status, due_at, created_at)
             VALUES ($1, 1, 1, 1, 'transaction', 'email', 'fr', '2026-01-01', 'pending', 0, 0),
                    ($1, 2, 1, 1, 'transaction', 'sms', 'en', '2026-01-01', 'pending', 0, 0),
                    ($1, 3, 1, 1, 'transaction', 'email', 'de', '2026-01-01', 'pending', 0, 0)",
        );
        f.write(|t| {
            assert_eq!(
                t.invitation_for_resend(2)?,
                Some((1, 1, Channel::Sms, "en".to_owned()))
            );
            for inv in 1..=3 {
                let m = NewMessage {
                    invitation: Some(inv),
                    ..NewMessage::to_customer(
                        MessageKind::SurveyInvitation,
                        1,
                        1,
                        Channel::Email,
                        "fr",
                        0,
                    )
                };
                t.queue_message(&format!("inv-{inv}"), &m, 0)?;
            }
            let m1 = t.find_message("inv-1")?.unwrap();
            assert_eq!(m1.invitation, Some(1));
            t.ack_message(&m1, 10)?;
            let m2 = t.find_message("inv-2")?.unwrap();
            t.ack_messages(&[m2.rowid], &[2], 11)?;
            let m3 = t.find_message("inv-3")?.unwrap();
            t.end_message(m3.rowid, Some(3), MessageStatus::Failed, "bounced", 12)?;
            let rows = t.query(
                "SELECT id, status, delivered_at FROM invitations WHERE store_id = $1 ORDER BY id",
                vec![],
            )?;
            let got: Vec<(i64, String, Option<i64>)> = rows
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect();
            assert_eq!(
                got,
                vec![
                    (1, "delivered".into(), Some(10)),
                    (2, "delivered".into(), Some(11)),
                    (3, "failed".into(), None),
                ]
            );
            // Ids numbered per store from 1 (H1).
            assert_eq!((m1.rowid, m2.rowid, m3.rowid), (1, 2, 3));
            Ok(())
        })
        .unwrap();
    }

    /// Two stores in one database: each numbers its own ids from 1 and neither sees the
    /// other's rows through the traits (the store predicate of every statement, H1, H2).
    #[test]
    fn stores_do_not_see_each_other() {
        let (Some(a), Some(b)) = (fixture("pg_outbox_a"), fixture("pg_outbox_b")) else {
            return;
        };
        let m = NewMessage::to_customer(MessageKind::CustomerReply, 1, 1, Channel::Email, "fr", 0);
        let (ra, rb) = (
            a.write(|t| {
                t.queue_message("same-id", &m, 0)?;
                t.queue_message("only-a", &m, 0)?;
                t.find_message("only-a")
            })
            .unwrap()
            .unwrap(),
            b.write(|t| {
                t.queue_message("same-id", &m, 0)?;
                t.find_message("same-id")
            })
            .unwrap()
            .unwrap(),
        );
        assert_eq!((ra.rowid, rb.rowid), (2, 1));
        b.write(|t| {
            assert!(t.find_message("only-a")?.is_none());
            assert_eq!(t.outbox_counts()?.pending, 1);
            assert_eq!(t.claimable(10, 10)?.len(), 1);
            // Acking store A's row id 2 from store B changes nothing of A's.
            t.ack_messages(&[2], &[], 5)?;
            Ok(())
        })
        .unwrap();
        a.write(|t| {
            assert_eq!(t.outbox_counts()?.pending, 2);
            Ok(())
        })
        .unwrap();
    }
}
