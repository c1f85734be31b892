//! A dump of a hearken file by host ids, to compare two runs (issue 9 crash and
//! two-writer tests).
#![allow(dead_code)]

/// Every row of `sql`, each value debug-formatted and `|`-separated.
pub fn query_strings(c: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = c.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        let mut s = String::new();
        for i in 0..n {
            let v: rusqlite::types::Value = r.get(i)?;
            s.push_str(&format!("{v:?}|"));
        }
        Ok(s)
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// Every row a POS server cares about, by host ids: row ids, message ids, tokens and
/// delivery times (which legitimately differ after a crash) left out.
pub fn logical_dump(c: &rusqlite::Connection) -> Vec<String> {
    let queries = [
        "SELECT 'location', host_id, name, time_zone, enabled FROM locations ORDER BY host_id",
        "SELECT 'synced', l.host_id, s.business_date, s.synced_at, s.via
         FROM sync_dates s JOIN locations l ON l.id = s.location_id ORDER BY 2, 3",
        "SELECT 'customer', host_id, name, email, email_norm, phone, phone_norm, language,
                gender, reference, include_in_communications, created_at, updated_at
         FROM customers ORDER BY host_id",
        "SELECT 'transaction', t.host_id, l.host_id, c.host_id, t.kind, t.amount_minor,
                t.currency, t.finalized_at, t.excluded, t.first_seen_on
         FROM transactions t JOIN locations l ON l.id = t.location_id
         LEFT JOIN customers c ON c.id = t.customer_id ORDER BY t.host_id",
        "SELECT 'decision', t.host_id, d.business_date, d.reason, d.eligible_again_on,
                d.decided_at
         FROM decisions d JOIN transactions t ON t.id = d.transaction_id ORDER BY t.host_id",
        "SELECT 'invitation', t.host_id, c.host_id, l.host_id, i.trigger, i.channel,
                i.language, i.business_date, i.status, i.due_at, i.created_at,
                i.reminder_decided, i.delivered_at IS NOT NULL
         FROM invitations i JOIN customers c ON c.id = i.customer_id
         JOIN locations l ON l.id = i.location_id
         LEFT JOIN transactions t ON t.id = i.transaction_id ORDER BY t.host_id",
        "SELECT 'message', t.host_id, o.kind, c.host_id, l.host_id, o.channel, o.language,
                o.params, o.status, o.due_at, o.last_error, o.cancel_reason, o.created_at
         FROM outbox o JOIN customers c ON c.id = o.customer_id
         JOIN locations l ON l.id = o.location_id
         LEFT JOIN invitations i ON i.id = o.invitation_id
         LEFT JOIN transactions t ON t.id = i.transaction_id ORDER BY t.host_id, o.kind",
    ];
    queries.iter().flat_map(|q| query_strings(c, q)).collect()
}
