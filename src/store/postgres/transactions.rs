//! The transactions area on PostgreSQL (mirrors `store/sqlite/transactions.rs`). A night's
//! decide phase (`write_decisions`) is written in a fixed number of statements whatever
//! its size: the ids of its invitations and messages in two counter bumps, then one
//! multi-row insert (over `unnest` arrays) each for invitations, messages and decisions.

use crate::hash::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::values::{date_text, flag, get_bool, get_date, get_opt_date};
use super::{PgTx, get, rollups};
use crate::error::Result;
use crate::hosted::p;
use crate::model::{
    Channel, DecisionRecord, Employee, InvitationSummary, SkipReason, TransactionKind,
};
use crate::store::transactions::{DecisionChanges, StoredTransaction, TransactionRow};

fn link_employees(t: &mut PgTx<'_>, rowid: i64, employees: &[String]) -> Result<()> {
    if employees.is_empty() {
        return Ok(());
    }
    t.execute(
        "INSERT INTO transaction_employees (store_id, transaction_id, employee_id)
         SELECT $1, $2, id FROM employees WHERE store_id = $1 AND host_id = ANY($3::text[])",
        vec![p(rowid), p(employees.to_vec())],
    )?;
    Ok(())
}

impl crate::store::TransactionStore for PgTx<'_> {
    fn find_transactions(
        &mut self,
        host_ids: &[&str],
    ) -> Result<HashMap<String, StoredTransaction>> {
        if host_ids.is_empty() {
            return Ok(HashMap::default());
        }
        let ids: Vec<String> = host_ids.iter().map(|s| (*s).to_owned()).collect();
        let rows = self.query(
            "SELECT t.id, t.host_id, t.location_id, t.customer_id, t.kind, t.amount_minor,
                    t.currency, t.finalized_at, t.excluded, t.refers_to,
                    d.transaction_id IS NOT NULL, d.reason, d.eligible_again_on,
                    (SELECT array_agg(e.host_id ORDER BY e.host_id COLLATE \"C\")
                     FROM transaction_employees te
                     JOIN employees e ON e.store_id = te.store_id AND e.id = te.employee_id
                     WHERE te.store_id = $1 AND te.transaction_id = t.id)
             FROM transactions t
             LEFT JOIN decisions d ON d.store_id = t.store_id AND d.transaction_id = t.id
             WHERE t.store_id = $1 AND t.host_id = ANY($2::text[])",
            vec![p(ids)],
        )?;
        let mut out = HashMap::default();
        for r in &rows {
            let decided: bool = get(r, 10)?;
            let reason: Option<String> = get(r, 11)?;
            let employees: Option<Vec<String>> = get(r, 13)?;
            let t = StoredTransaction {
                rowid: get(r, 0)?,
                row: TransactionRow {
                    host_id: get(r, 1)?,
                    location: get(r, 2)?,
                    customer: get(r, 3)?,
                    kind: TransactionKind::parse(&get::<String>(r, 4)?)
                        .unwrap_or(TransactionKind::Sale),
                    amount_minor: get(r, 5)?,
                    currency: get(r, 6)?,
                    finalized_at_ms: get(r, 7)?,
                    excluded: get_bool(r, 8)?,
                    refers_to: get(r, 9)?,
                },
                employees: employees.unwrap_or_default(),
                decision: decided.then(|| reason.as_deref().and_then(SkipReason::parse)),
                eligible_again_on: get_opt_date(r, 12, "eligible-again date")?,
            };
            out.insert(t.row.host_id.clone(), t);
        }
        Ok(out)
    }

    fn insert_transaction(
        &mut self,
        t: &TransactionRow,
        employees: &[String],
        business_date: NaiveDate,
    ) -> Result<i64> {
        let rowid = self.next_ids("transactions", 1)?;
        self.execute(
            "INSERT INTO transactions (store_id, id, host_id, location_id, customer_id, kind,
               amount_minor, currency, finalized_at, excluded, first_seen_on, refers_to)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            vec![
                p(rowid),
                p(t.host_id.clone()),
                p(t.location),
                p(t.customer),
                p(t.kind.as_str().to_owned()),
                p(t.amount_minor),
                p(t.currency.clone()),
                p(t.finalized_at_ms),
                p(flag(t.excluded)),
                p(date_text(business_date)),
                p(t.refers_to.clone()),
            ],
        )?;
        link_employees(self, rowid, employees)?;
        Ok(rowid)
    }

    fn insert_transactions(
        &mut self,
        rows: &[(&TransactionRow, &[String])],
        business_date: NaiveDate,
    ) -> Result<Vec<i64>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let n = i64::try_from(rows.len()).map_err(|_| {
            crate::Error::Internal("postgres: too many transactions at once".into())
        })?;
        let first = self.next_ids("transactions", n)?;
        let ids: Vec<i64> = (first..first + n).collect();
        self.execute(
            "INSERT INTO transactions (store_id, id, host_id, location_id, customer_id, kind,
               amount_minor, currency, finalized_at, excluded, first_seen_on, refers_to)
             SELECT $1, id, host_id, location, customer, kind, amount, currency, finalized,
               excluded, $2, refers_to
             FROM (SELECT unnest($3::bigint[]) AS id, unnest($4::text[]) AS host_id,
                     unnest($5::bigint[]) AS location, unnest($6::bigint[]) AS customer,
                     unnest($7::text[]) AS kind, unnest($8::bigint[]) AS amount,
                     unnest($9::text[]) AS currency, unnest($10::bigint[]) AS finalized,
                     unnest($11::bigint[]) AS excluded, unnest($12::text[]) AS refers_to) AS u",
            vec![
                p(date_text(business_date)),
                p(ids.clone()),
                p(rows
                    .iter()
                    .map(|(t, _)| t.host_id.clone())
                    .collect::<Vec<String>>()),
                p(rows.iter().map(|(t, _)| t.location).collect::<Vec<i64>>()),
                p(rows
                    .iter()
                    .map(|(t, _)| t.customer)
                    .collect::<Vec<Option<i64>>>()),
                p(rows
                    .iter()
                    .map(|(t, _)| t.kind.as_str().to_owned())
                    .collect::<Vec<String>>()),
                p(rows
                    .iter()
                    .map(|(t, _)| t.amount_minor)
                    .collect::<Vec<i64>>()),
                p(rows
                    .iter()
                    .map(|(t, _)| t.currency.clone())
                    .collect::<Vec<String>>()),
                p(rows
                    .iter()
                    .map(|(t, _)| t.finalized_at_ms)
                    .collect::<Vec<Option<i64>>>()),
                p(rows
                    .iter()
                    .map(|(t, _)| flag(t.excluded))
                    .collect::<Vec<i64>>()),
                p(rows
                    .iter()
                    .map(|(t, _)| t.refers_to.clone())
                    .collect::<Vec<Option<String>>>()),
            ],
        )?;
        let (link_tx, link_emp): (Vec<i64>, Vec<String>) = ids
            .iter()
            .zip(rows)
            .flat_map(|(id, (_, employees))| employees.iter().map(move |e| (*id, e.clone())))
            .unzip();
        if !link_tx.is_empty() {
            self.execute(
                "INSERT INTO transaction_employees (store_id, transaction_id, employee_id)
                 SELECT DISTINCT $1, u.tx, e.id
                 FROM (SELECT unnest($2::bigint[]) AS tx, unnest($3::text[]) AS emp) AS u
                 JOIN employees e ON e.store_id = $1 AND e.host_id = u.emp",
                vec![p(link_tx), p(link_emp)],
            )?;
        }
        Ok(ids)
    }

    fn update_transaction(
        &mut self,
        rowid: i64,
        t: &TransactionRow,
        employees: Option<&[String]>,
    ) -> Result<()> {
        self.execute(
            "UPDATE transactions SET customer_id = $3, kind = $4, amount_minor = $5,
               currency = $6, finalized_at = $7, excluded = $8, refers_to = $9
             WHERE store_id = $1 AND id = $2",
            vec![
                p(rowid),
                p(t.customer),
                p(t.kind.as_str().to_owned()),
                p(t.amount_minor),
                p(t.currency.clone()),
                p(t.finalized_at_ms),
                p(flag(t.excluded)),
                p(t.refers_to.clone()),
            ],
        )?;
        let Some(employees) = employees else {
            return Ok(());
        };
        // Answers already given move with the credit to the new employees (rollups, N2).
        rollups::count_transaction_employees(self, rowid, -1)?;
        self.execute(
            "DELETE FROM transaction_employees WHERE store_id = $1 AND transaction_id = $2",
            vec![p(rowid)],
        )?;
        link_employees(self, rowid, employees)?;
        rollups::count_transaction_employees(self, rowid, 1)
    }

    fn find_employees(&mut self, host_ids: &[&str]) -> Result<Vec<String>> {
        if host_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = host_ids.iter().map(|s| (*s).to_owned()).collect();
        let known: HashSet<String> = self
            .query(
                "SELECT host_id FROM employees WHERE store_id = $1 AND host_id = ANY($2::text[])",
                vec![p(ids)],
            )?
            .iter()
            .map(|r| get(r, 0))
            .collect::<Result<_>>()?;
        Ok(host_ids
            .iter()
            .filter(|h| known.contains(**h))
            .map(|h| (*h).to_owned())
            .collect())
    }

    fn upsert_employee(&mut self, e: &Employee) -> Result<bool> {
        let existing = self.query_opt(
            "SELECT name IS NOT DISTINCT FROM $3 AND role = $4 FROM employees
             WHERE store_id = $1 AND host_id = $2",
            vec![
                p(e.id.clone()),
                p(e.name.clone()),
                p(e.role.as_str().to_owned()),
            ],
        )?;
        match existing {
            Some(r) if get::<bool>(&r, 0)? => Ok(false),
            Some(_) => {
                self.execute(
                    "UPDATE employees SET name = $3, role = $4 WHERE store_id = $1 AND host_id = $2",
                    vec![
                        p(e.id.clone()),
                        p(e.name.clone()),
                        p(e.role.as_str().to_owned()),
                    ],
                )?;
                Ok(true)
            }
            None => {
                let id = self.next_ids("employees", 1)?;
                self.execute(
                    "INSERT INTO employees (store_id, id, host_id, name, role)
                     VALUES ($1, $2, $3, $4, $5)",
                    vec![
                        p(id),
                        p(e.id.clone()),
                        p(e.name.clone()),
                        p(e.role.as_str().to_owned()),
                    ],
                )?;
                Ok(true)
            }
        }
    }

    fn upsert_employees(&mut self, employees: &[Employee]) -> Result<u32> {
        if employees.is_empty() {
            return Ok(0);
        }
        // A batch names each employee once (validation refuses repeats): what is stored
        // of them, then one insert of the new ones and one update of the changed ones.
        let ids: Vec<String> = employees.iter().map(|e| e.id.clone()).collect();
        let stored: HashMap<String, (Option<String>, String)> = self
            .query(
                "SELECT host_id, name, role FROM employees
                 WHERE store_id = $1 AND host_id = ANY($2::text[])",
                vec![p(ids)],
            )?
            .iter()
            .map(|r| Ok((get(r, 0)?, (get(r, 1)?, get(r, 2)?))))
            .collect::<Result<_>>()?;
        let (mut new, mut changed) = (Vec::new(), Vec::new());
        for e in employees {
            match stored.get(&e.id) {
                Some((name, role)) if *name == e.name && role == e.role.as_str() => {}
                Some(_) => changed.push(e),
                None => new.push(e),
            }
        }
        let columns = |list: &[&Employee]| {
            (
                list.iter().map(|e| e.id.clone()).collect::<Vec<String>>(),
                list.iter()
                    .map(|e| e.name.clone())
                    .collect::<Vec<Option<String>>>(),
                list.iter()
                    .map(|e| e.role.as_str().to_owned())
                    .collect::<Vec<String>>(),
            )
        };
        if !new.is_empty() {
            // Ids in the batch's order, as one insert each would number them (H1).
            let first = self.next_ids("employees", i64::try_from(new.len()).unwrap_or(i64::MAX))?;
            let (hosts, names, roles) = columns(&new);
            self.execute(
                "INSERT INTO employees (store_id, id, host_id, name, role)
                 SELECT $1, $2 + u.n - 1, u.host, u.name, u.role
                 FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY
                      AS u(host, name, role, n)",
                vec![p(first), p(hosts), p(names), p(roles)],
            )?;
        }
        if !changed.is_empty() {
            let (hosts, names, roles) = columns(&changed);
            self.execute(
                "UPDATE employees e SET name = u.name, role = u.role
                 FROM unnest($2::text[], $3::text[], $4::text[]) AS u(host, name, role)
                 WHERE e.store_id = $1 AND e.host_id = u.host",
                vec![p(hosts), p(names), p(roles)],
            )?;
        }
        Ok(u32::try_from(new.len() + changed.len()).unwrap_or(u32::MAX))
    }

    fn write_decisions(&mut self, changes: &DecisionChanges, now_ms: i64) -> Result<Vec<i64>> {
        let n = changes.invitations.len();
        let mut ids = Vec::with_capacity(n);
        if n > 0 {
            let count = i64::try_from(n).unwrap_or(i64::MAX);
            let first = self.next_ids("invitations", count)?;
            let first_message = self.next_ids("outbox", count)?;
            ids.extend(first..first + count);
            let message_ids: Vec<i64> = (first_message..first_message + count).collect();
            let inv = &changes.invitations;
            let customers: Vec<i64> = inv.iter().map(|i| i.row.customer).collect();
            let transactions: Vec<Option<i64>> = inv.iter().map(|i| i.row.transaction).collect();
            let locations: Vec<i64> = inv.iter().map(|i| i.row.location).collect();
            let channels: Vec<String> = inv
                .iter()
                .map(|i| i.row.channel.as_str().to_owned())
                .collect();
            let languages: Vec<String> = inv.iter().map(|i| i.row.language.clone()).collect();
            let dates: Vec<String> = inv.iter().map(|i| date_text(i.row.business_date)).collect();
            let due: Vec<i64> = inv.iter().map(|i| i.row.due_at_ms).collect();
            let kinds: Vec<String> = inv.iter().map(|i| i.row.kind.as_str().to_owned()).collect();
            let contacts: Vec<Option<String>> = inv.iter().map(|i| i.row.contact.clone()).collect();
            // A message with no send slot is written cancelled, and so is its invitation.
            let statuses: Vec<String> = inv
                .iter()
                .map(|i| if i.cancelled { "cancelled" } else { "pending" }.to_owned())
                .collect();
            let cancel_reasons: Vec<Option<String>> = inv
                .iter()
                .map(|i| i.cancelled.then(|| "no_send_slot".to_owned()))
                .collect();
            let message_keys: Vec<String> = inv.iter().map(|i| i.message_id.clone()).collect();
            let message_kinds: Vec<String> = inv
                .iter()
                .map(|i| i.message_kind.as_str().to_owned())
                .collect();
            self.execute(
                "INSERT INTO invitations (store_id, id, customer_id, transaction_id, location_id,
                   trigger, channel, language, business_date, status, due_at, created_at,
                   survey_kind, contact)
                 SELECT $1, id, customer, tx, location, 'transaction', channel, language, day,
                   status, due, $2, kind, contact
                 FROM (SELECT unnest($3::bigint[]) AS id, unnest($4::bigint[]) AS customer,
                         unnest($5::bigint[]) AS tx, unnest($6::bigint[]) AS location,
                         unnest($7::text[]) AS channel, unnest($8::text[]) AS language,
                         unnest($9::text[]) AS day, unnest($10::text[]) AS status,
                         unnest($11::bigint[]) AS due, unnest($12::text[]) AS kind,
                         unnest($13::text[]) AS contact) AS u",
                vec![
                    p(now_ms),
                    p(ids.clone()),
                    p(customers.clone()),
                    p(transactions),
                    p(locations.clone()),
                    p(channels.clone()),
                    p(languages.clone()),
                    p(dates),
                    p(statuses.clone()),
                    p(due.clone()),
                    p(kinds),
                    p(contacts),
                ],
            )?;
            self.execute(
                "INSERT INTO outbox (store_id, id, message_id, kind, invitation_id, customer_id,
                   location_id, channel, language, params, status, due_at, cancel_reason,
                   created_at, updated_at)
                 SELECT $1, id, message_id, kind, invitation, customer, location, channel,
                   language, '{}', status, due, reason, $2, $2
                 FROM (SELECT unnest($3::bigint[]) AS id, unnest($4::text[]) AS message_id,
                         unnest($5::text[]) AS kind, unnest($6::bigint[]) AS invitation,
                         unnest($7::bigint[]) AS customer,
                         unnest($8::bigint[]) AS location, unnest($9::text[]) AS channel,
                         unnest($10::text[]) AS language, unnest($11::text[]) AS status,
                         unnest($12::bigint[]) AS due, unnest($13::text[]) AS reason) AS u",
                vec![
                    p(now_ms),
                    p(message_ids),
                    p(message_keys),
                    p(message_kinds),
                    p(ids.clone()),
                    p(customers),
                    p(locations),
                    p(channels),
                    p(languages),
                    p(statuses),
                    p(due),
                    p(cancel_reasons),
                ],
            )?;
        }
        // One decision per transaction, the last given winning (SQLite's INSERT OR
        // REPLACE, which also clears a cancellation recorded on the replaced row).
        let mut last: HashMap<i64, usize> = HashMap::default();
        for (k, (tx, _)) in changes.decisions.iter().enumerate() {
            last.insert(*tx, k);
        }
        let kept: Vec<_> = changes
            .decisions
            .iter()
            .enumerate()
            .filter(|(k, (tx, _))| last.get(tx) == Some(k))
            .map(|(_, d)| d)
            .collect();
        if !kept.is_empty() {
            let txs: Vec<i64> = kept.iter().map(|(t, _)| *t).collect();
            let dates: Vec<String> = kept
                .iter()
                .map(|(_, d)| date_text(d.business_date))
                .collect();
            let reasons: Vec<Option<String>> = kept
                .iter()
                .map(|(_, d)| d.reason.map(|r| r.as_str().to_owned()))
                .collect();
            let again: Vec<Option<String>> = kept
                .iter()
                .map(|(_, d)| d.eligible_again_on.map(date_text))
                .collect();
            let related: Vec<Option<String>> = kept
                .iter()
                .map(|(_, d)| d.related_customer.clone())
                .collect();
            // A plain insert when no decision here replaces a stored one (every first
            // night): an upsert checks the key before each row (~2 us a row more).
            macro_rules! insert_decisions {
                () => {
                    "INSERT INTO decisions (store_id, transaction_id, business_date, reason,
                       eligible_again_on, decided_at, related_customer)
                     SELECT $1, tx, day, reason, again, $2, related
                     FROM (SELECT unnest($3::bigint[]) AS tx, unnest($4::text[]) AS day,
                             unnest($5::text[]) AS reason, unnest($6::text[]) AS again,
                             unnest($7::text[]) AS related) AS u"
                };
            }
            let sql = if changes.replaces_stored {
                concat!(
                    insert_decisions!(),
                    "
                     ON CONFLICT (store_id, transaction_id) DO UPDATE SET
                       business_date = excluded.business_date, reason = excluded.reason,
                       eligible_again_on = excluded.eligible_again_on,
                       decided_at = excluded.decided_at,
                       related_customer = excluded.related_customer,
                       cancelled_on = NULL, cancel_reason = NULL"
                )
            } else {
                insert_decisions!()
            };
            self.execute(
                sql,
                vec![
                    p(now_ms),
                    p(txs),
                    p(dates),
                    p(reasons),
                    p(again),
                    p(related),
                ],
            )?;
        }
        Ok(ids)
    }

    fn decisions_for_customer(&mut self, customer: i64, limit: u32) -> Result<Vec<DecisionRecord>> {
        self.query(
            "SELECT t.host_id, l.host_id, d.business_date, t.finalized_at, i.id, d.reason,
                    d.eligible_again_on, d.related_customer, d.cancelled_on, d.cancel_reason
             FROM transactions t
             JOIN decisions d ON d.store_id = t.store_id AND d.transaction_id = t.id
             JOIN locations l ON l.store_id = t.store_id AND l.id = t.location_id
             LEFT JOIN invitations i ON i.store_id = t.store_id AND i.transaction_id = t.id
               AND i.trigger = 'transaction'
             WHERE t.store_id = $1 AND t.customer_id = $2
             ORDER BY d.business_date COLLATE \"C\" DESC, t.finalized_at DESC NULLS LAST,
                      t.host_id COLLATE \"C\" DESC
             LIMIT $3",
            vec![p(customer), p(i64::from(limit))],
        )?
        .iter()
        .map(|r| {
            Ok(DecisionRecord {
                transaction: get(r, 0)?,
                location: get(r, 1)?,
                business_date: get_date(r, 2, "business date")?,
                finalized_at: get::<Option<i64>>(r, 3)?
                    .and_then(DateTime::<Utc>::from_timestamp_millis),
                invitation_id: get(r, 4)?,
                reason: get::<Option<String>>(r, 5)?.and_then(|s| SkipReason::parse(&s)),
                eligible_again_on: get_opt_date(r, 6, "eligible-again date")?,
                related_customer: get(r, 7)?,
                cancelled_on: get_opt_date(r, 8, "cancellation date")?,
                cancel_reason: get(r, 9)?,
            })
        })
        .collect()
    }

    fn pending_invitations(&mut self) -> Result<Vec<InvitationSummary>> {
        self.query(
            "SELECT i.id, c.host_id, t.host_id, i.channel, i.language, i.due_at
             FROM invitations i
             JOIN customers c ON c.store_id = i.store_id AND c.id = i.customer_id
             LEFT JOIN transactions t ON t.store_id = i.store_id AND t.id = i.transaction_id
             WHERE i.store_id = $1 AND i.status = 'pending' ORDER BY i.due_at, i.id",
            vec![],
        )?
        .iter()
        .map(|r| {
            Ok(InvitationSummary {
                invitation_id: get(r, 0)?,
                customer: get(r, 1)?,
                transaction: get::<Option<String>>(r, 2)?.unwrap_or_default(),
                channel: Channel::parse(&get::<String>(r, 3)?).unwrap_or(Channel::Email),
                language: get(r, 4)?,
                due_at: DateTime::from_timestamp_millis(get(r, 5)?).unwrap_or_default(),
            })
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Location, MessageKind, Role, SurveyKind};
    use crate::store::customers::CustomerRow;
    use crate::store::postgres::values::testkit::{on_pg, on_pg_counted, on_sqlite};
    use crate::store::transactions::{DecisionRow, InvitationRow, NewInvitation};
    use crate::store::{CustomerStore, LocationStore, TransactionStore};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn sale(host: &str, customer: Option<i64>, at: Option<i64>) -> TransactionRow {
        TransactionRow {
            host_id: host.into(),
            location: 1,
            customer,
            kind: TransactionKind::Sale,
            amount_minor: 1234,
            currency: "EUR".into(),
            finalized_at_ms: at,
            excluded: false,
            refers_to: None,
        }
    }

    fn invitation(customer: i64, tx: Option<i64>, msg: &str, cancelled: bool) -> NewInvitation {
        NewInvitation {
            row: InvitationRow {
                customer,
                transaction: tx,
                kind: if tx.is_some() {
                    SurveyKind::Transactional
                } else {
                    SurveyKind::Relationship
                },
                contact: Some(format!("{customer}@x.org")),
                location: 1,
                channel: Channel::Email,
                language: "fr".into(),
                business_date: d("2026-03-01"),
                due_at_ms: 5_000 - customer,
            },
            message_kind: MessageKind::SurveyInvitation,
            message_id: msg.into(),
            cancelled,
        }
    }

    fn decision(day: &str, reason: Option<SkipReason>) -> DecisionRow {
        DecisionRow {
            business_date: d(day),
            reason,
            eligible_again_on: reason.map(|_| d("2026-09-01")),
            related_customer: reason.map(|_| "other".to_owned()),
        }
    }

    fn sorted(m: HashMap<String, StoredTransaction>) -> Vec<String> {
        let mut v: Vec<String> = m.into_iter().map(|(k, t)| format!("{k} {t:?}")).collect();
        v.sort();
        v
    }

    fn scenario<T: TransactionStore + CustomerStore + LocationStore + ?Sized>(
        t: &mut T,
    ) -> Result<Vec<String>> {
        let mut out = Vec::new();
        t.upsert_location(&Location::new("l1", "L", "UTC"))?;
        let c1 = t.insert_customer(
            &CustomerRow {
                host_id: "c1".into(),
                ..Default::default()
            },
            1,
        )?;
        let c2 = t.insert_customer(
            &CustomerRow {
                host_id: "c2".into(),
                ..Default::default()
            },
            1,
        )?;
        for (id, name, role) in [
            ("e-b", Some("Bee"), Role::Salesperson),
            ("e-a", None, Role::Driver),
            ("E-c", Some("Cee"), Role::Technician),
        ] {
            let e = Employee {
                id: id.into(),
                name: name.map(Into::into),
                role,
            };
            out.push(format!("{}", t.upsert_employee(&e)?));
            out.push(format!("{}", t.upsert_employee(&e)?)); // unchanged
        }
        let changed = Employee {
            id: "e-a".into(),
            name: Some("Ay".into()),
            role: Role::Driver,
        };
        out.push(format!("{}", t.upsert_employee(&changed)?));
        out.push(format!(
            "{:?}",
            t.find_employees(&["e-a", "zz", "E-c", "e-a"])?
        ));
        out.push(format!("{:?}", t.find_employees(&[])?));
        let t1 = t.insert_transaction(
            &sale("t1", Some(c1), Some(1_000)),
            &["e-b".into(), "e-a".into(), "E-c".into(), "nobody".into()],
            d("2026-03-01"),
        )?;
        let t2 = t.insert_transaction(&sale("t2", Some(c1), None), &[], d("2026-03-01"))?;
        let t3 = t.insert_transaction(
            &sale("t3", Some(c2), Some(2_000)),
            &["e-a".into()],
            d("2026-03-02"),
        )?;
        let mut refund = sale("r1", Some(c1), Some(3_000));
        refund.kind = TransactionKind::Refund;
        refund.refers_to = Some("t1".into());
        refund.excluded = true;
        let r1 = t.insert_transaction(&refund, &[], d("2026-03-02"))?;
        out.push(format!("{t1} {t2} {t3} {r1}"));
        out.push(format!(
            "{:?}",
            sorted(t.find_transactions(&["t1", "t2", "r1", "zz"])?)
        ));
        let mut t3row = sale("t3", Some(c2), Some(2_500));
        t3row.amount_minor = 99;
        t.update_transaction(t3, &t3row, None)?;
        t.update_transaction(
            t1,
            &sale("t1", Some(c1), Some(1_000)),
            Some(&["e-b".into()]),
        )?;
        out.push(format!("{:?}", sorted(t.find_transactions(&["t1", "t3"])?)));
        // A night: invitations (one cancelled, one relationship survey) and decisions, one
        // transaction decided twice (the last wins).
        let ids = t.write_decisions(
            &DecisionChanges {
                decisions: vec![
                    (t2, decision("2026-03-01", Some(SkipReason::NotFinalized))),
                    (t1, decision("2026-03-01", None)),
                    (t3, decision("2026-03-02", None)),
                    (r1, decision("2026-03-02", Some(SkipReason::Excluded))),
                    (t2, decision("2026-03-02", Some(SkipReason::TooOld))),
                ],
                invitations: vec![
                    invitation(c1, Some(t1), "m-1", false),
                    invitation(c2, Some(t3), "m-2", true),
                    invitation(c2, None, "m-3", false),
                ],
                replaces_stored: false,
            },
            10_000,
        )?;
        out.push(format!("{ids:?}"));
        out.push(format!(
            "{:?}",
            t.write_decisions(&DecisionChanges::default(), 1)?
        ));
        out.push(format!(
            "{:?}",
            sorted(t.find_transactions(&["t1", "t2", "t3", "r1"])?)
        ));
        // A not_finalized decision replaced by a final one.
        t.write_decisions(
            &DecisionChanges {
                decisions: vec![(t2, decision("2026-03-03", Some(SkipReason::Anonymous)))],
                invitations: vec![],
                replaces_stored: true,
            },
            11_000,
        )?;
        out.push(format!("{:?}", t.decisions_for_customer(c1, 10)?));
        out.push(format!("{:?}", t.decisions_for_customer(c1, 1)?));
        out.push(format!("{:?}", t.decisions_for_customer(c2, 10)?));
        out.push(format!("{:?}", t.pending_invitations()?));
        Ok(out)
    }

    #[test]
    fn transactions_answer_as_on_sqlite() {
        let Some(pg) = on_pg("pg-transactions", |t| scenario(t)) else {
            return;
        };
        let lite = on_sqlite(|t| scenario(t));
        assert_eq!(pg, lite);
    }

    /// A night is a fixed number of statements, whatever its size.
    #[test]
    fn a_night_takes_a_fixed_number_of_statements() {
        let Some(()) = on_pg_counted("pg-night", |t, sent| {
            t.upsert_location(&Location::new("l1", "L", "UTC"))?;
            let mut changes = DecisionChanges::default();
            let mut txs = Vec::new();
            for k in 0..300 {
                let c = t.insert_customer(
                    &CustomerRow {
                        host_id: format!("c{k}"),
                        ..Default::default()
                    },
                    1,
                )?;
                let tx = t.insert_transaction(
                    &sale(&format!("t{k}"), Some(c), Some(1)),
                    &[],
                    d("2026-03-01"),
                )?;
                txs.push((c, tx));
            }
            for (k, (c, tx)) in txs.iter().enumerate() {
                changes.decisions.push((*tx, decision("2026-03-01", None)));
                changes
                    .invitations
                    .push(invitation(*c, Some(*tx), &format!("m{k}"), k % 7 == 0));
            }
            let before = sent();
            let ids = t.write_decisions(&changes, 5)?;
            // The store's counters were read with the transaction's first ids and are
            // advanced in memory (written back before COMMIT): invitations, messages,
            // decisions, one insert each.
            assert_eq!(sent() - before, 3);
            assert_eq!(ids.len(), 300);
            assert_eq!(ids.windows(2).filter(|w| w[1] != w[0] + 1).count(), 0);
            let counts = t.query_one(
                "SELECT (SELECT count(*) FROM invitations WHERE store_id = $1),
                        (SELECT count(*) FROM outbox WHERE store_id = $1 AND status = 'cancelled'),
                        (SELECT count(*) FROM invitations WHERE store_id = $1
                           AND status = 'cancelled'),
                        (SELECT count(*) FROM decisions WHERE store_id = $1)",
                vec![],
            )?;
            let counts: Vec<i64> = (0..4).map(|i| get(&counts, i)).collect::<Result<_>>()?;
            assert_eq!(counts, [300, 43, 43, 300]);
            Ok(())
        }) else {
            return;
        };
    }
}
