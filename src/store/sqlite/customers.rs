use crate::hash::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::model::Gender;
use crate::store::customers::{CustomerMatch, CustomerRow, ErasedCounts, StoredCustomer};

pub(super) const CUSTOMER_COLUMNS: &str = "id, host_id, name, email, email_norm, phone, phone_norm, \
    language, gender, reference, include_in_communications, erased_at IS NOT NULL";

pub(super) fn row_to_customer(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredCustomer> {
    Ok(StoredCustomer {
        rowid: r.get(0)?,
        row: CustomerRow {
            host_id: r.get(1)?,
            name: r.get(2)?,
            email: r.get(3)?,
            email_norm: r.get(4)?,
            phone: r.get(5)?,
            phone_norm: r.get(6)?,
            language: r.get(7)?,
            gender: r
                .get::<_, Option<String>>(8)?
                .and_then(|g| Gender::parse(&g)),
            reference: r.get(9)?,
            include_in_communications: r.get(10)?,
        },
        erased: r.get(11)?,
    })
}

/// The stored customers among `host_ids`, by host id.
pub fn find_customers<'a>(
    conn: &Connection,
    host_ids: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, StoredCustomer>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE host_id = ?1"
    ))?;
    let mut out = HashMap::default();
    for id in host_ids {
        if let Some(c) = stmt.query_row([id], row_to_customer).optional()? {
            out.insert(c.row.host_id.clone(), c);
        }
    }
    Ok(out)
}

/// The stored customers among `rowids`, in one query.
pub fn customers_by_rowid(conn: &Connection, rowids: &[i64]) -> Result<Vec<StoredCustomer>> {
    if rowids.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id IN (SELECT value FROM json_each(?1))"
    ))?;
    let rows = stmt.query_map(
        [serde_json::to_string(rowids).unwrap_or_default()],
        row_to_customer,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Inserts a new customer and returns its row id.
pub fn insert_customer(conn: &Connection, c: &CustomerRow, now_ms: i64) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO customers (host_id, name, email, email_norm, phone, phone_norm, language,
           gender, reference, include_in_communications, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
    )?
    .execute(params![
        c.host_id,
        c.name,
        c.email,
        c.email_norm,
        c.phone,
        c.phone_norm,
        c.language,
        c.gender.map(Gender::as_str),
        c.reference,
        c.include_in_communications,
        now_ms
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Inserts new customers, in order, 64 to a statement (`batch::insert_chunks`); their row
/// ids, in order.
pub fn insert_customers(conn: &Connection, rows: &[CustomerRow], now_ms: i64) -> Result<Vec<i64>> {
    super::batch::insert_chunks(
        conn,
        "customers",
        "(host_id, name, email, email_norm, phone, phone_norm,
           language, gender, reference, include_in_communications, created_at, updated_at)",
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
        true,
        |b, c| {
            b.push(&c.host_id)?;
            b.push(&c.name)?;
            b.push(&c.email)?;
            b.push(&c.email_norm)?;
            b.push(&c.phone)?;
            b.push(&c.phone_norm)?;
            b.push(&c.language)?;
            b.push(c.gender.map(Gender::as_str))?;
            b.push(&c.reference)?;
            b.push(c.include_in_communications)?;
            b.push(now_ms)?;
            b.push(now_ms)
        },
    )
}

/// Overwrites a known customer's fields.
pub fn update_customer(conn: &Connection, rowid: i64, c: &CustomerRow, now_ms: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE customers SET name = ?2, email = ?3, email_norm = ?4, phone = ?5,
           phone_norm = ?6, language = ?7, gender = ?8, reference = ?9,
           include_in_communications = ?10, updated_at = ?11
         WHERE id = ?1",
    )?
    .execute(params![
        rowid,
        c.name,
        c.email,
        c.email_norm,
        c.phone,
        c.phone_norm,
        c.language,
        c.gender.map(Gender::as_str),
        c.reference,
        c.include_in_communications,
        now_ms
    ])?;
    Ok(())
}

/// Whether the suppression list is empty (lets a sync skip the look-ups).
pub fn suppressions_empty(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM suppressions)")?
        .query_row([], |r| r.get(0))?)
}

/// When the customer was first suppressed by host id, e-mail or phone, if ever (E3).
pub fn suppressed_since(
    conn: &Connection,
    host_id: &str,
    email_norm: Option<&str>,
    phone_norm: Option<&str>,
    sms: bool,
) -> Result<Option<DateTime<Utc>>> {
    let ms: Option<i64> = conn
        .prepare_cached(
            "SELECT min(CASE WHEN ?4 AND keyword_at < created_at THEN keyword_at
                             ELSE created_at END) FROM suppressions
             WHERE (kind = 'customer' AND value = ?1)
                OR (kind = 'email' AND value = ?2)
                OR (kind = 'phone' AND value = ?3 AND (?4 OR source != 'keyword'))",
        )?
        .query_row(params![host_id, email_norm, phone_norm, sms], |r| r.get(0))?;
    Ok(ms.and_then(DateTime::from_timestamp_millis))
}

/// Which of the customers `(host id, e-mail, phone)` are suppressed by host id or by a
/// contact (E3), in one query for the whole list.
pub fn suppressed_among(
    conn: &Connection,
    customers: &[(&str, Option<&str>, Option<&str>)],
    sms: bool,
) -> Result<HashSet<String>> {
    if customers.is_empty() {
        return Ok(HashSet::default());
    }
    let keys = serde_json::to_string(customers)
        .map_err(|_| Error::Internal("customer keys did not serialise".into()))?;
    let mut stmt = conn.prepare_cached(
        "WITH k(host, email, phone) AS (
           SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1))
         SELECT k.host FROM k JOIN suppressions s ON s.kind = 'customer' AND s.value = k.host
         UNION SELECT k.host FROM k JOIN suppressions s ON s.kind = 'email' AND s.value = k.email
         UNION SELECT k.host FROM k JOIN suppressions s ON s.kind = 'phone' AND s.value = k.phone
           AND (?2 OR s.source != 'keyword')",
    )?;
    let rows = stmt.query_map(params![keys, sms], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Which of `hashes` are on the imported suppression list, in one query.
pub fn hashes_suppressed_among(conn: &Connection, hashes: &[String]) -> Result<HashSet<String>> {
    if hashes.is_empty() {
        return Ok(HashSet::default());
    }
    let list = serde_json::to_string(hashes)
        .map_err(|_| Error::Internal("hashes did not serialise".into()))?;
    let mut stmt = conn.prepare_cached(
        "SELECT h.hash FROM json_each(?1) j JOIN suppression_hashes h ON h.hash = j.value",
    )?;
    let rows = stmt.query_map([list], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds a suppression entry, or records on an existing one who else asked (D4): a
/// keyword's ask as `keyword_at`, another source in place of a keyword alone (with its
/// date), the customer it was made for when it had none. Otherwise the entry keeps its
/// date, source and customer.
const UPSERT_SUPPRESSION: &str = "INSERT INTO suppressions
       (kind, value, created_at, source, customer_id, keyword_at)
     VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?4 = 'keyword' THEN ?3 END)
     ON CONFLICT (kind, value) DO UPDATE SET
       created_at = CASE WHEN suppressions.source = 'keyword' AND excluded.source != 'keyword'
                         THEN excluded.created_at ELSE suppressions.created_at END,
       source = CASE WHEN suppressions.source = 'keyword'
                     THEN excluded.source ELSE suppressions.source END,
       customer_id = coalesce(suppressions.customer_id, excluded.customer_id),
       keyword_at = coalesce(suppressions.keyword_at, excluded.keyword_at)
     WHERE (suppressions.source = 'keyword' AND excluded.source != 'keyword')
        OR (suppressions.keyword_at IS NULL AND excluded.keyword_at IS NOT NULL)
        OR (suppressions.customer_id IS NULL AND excluded.customer_id IS NOT NULL)";

/// Adds a suppression entry; an existing one keeps its original date (sources kept apart,
/// [`UPSERT_SUPPRESSION`]).
pub fn suppress(
    conn: &Connection,
    kind: &str,
    value: &str,
    now_ms: i64,
    source: &str,
) -> Result<()> {
    conn.prepare_cached(UPSERT_SUPPRESSION)?.execute(params![
        kind,
        value,
        now_ms,
        source,
        None::<i64>
    ])?;
    Ok(())
}

/// Adds a plain contact suppression on behalf of customer row `customer` (T2): erasing
/// her later finds it. An existing entry keeps its date and learns whose contact it is.
pub fn suppress_for_customer(
    conn: &Connection,
    kind: &str,
    value: &str,
    now_ms: i64,
    source: &str,
    customer: i64,
) -> Result<()> {
    conn.prepare_cached(UPSERT_SUPPRESSION)?
        .execute(params![kind, value, now_ms, source, customer])?;
    Ok(())
}

/// Marks the plain suppressions of contacts customer row `customer` had as hers, before a
/// sync replaces them (T2): erasing her later still finds them.
pub fn link_suppressed_contacts(
    conn: &Connection,
    customer: i64,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "UPDATE suppressions SET customer_id = ?1
         WHERE kind = ?2 AND value = ?3 AND customer_id IS NULL",
    )?;
    for (kind, value) in [("email", email), ("phone", phone)] {
        if let Some(v) = value {
            stmt.execute(params![customer, kind, v])?;
        }
    }
    Ok(())
}

/// Every normalised contact hearken knows customer row `customer` had (T2): the record's
/// own, the ones her invitations were addressed to, and the plain suppressions made on
/// her behalf; as (`email` | `phone`, value), without repeats.
pub fn contacts_ever(conn: &Connection, customer: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT 'email', email_norm FROM customers WHERE id = ?1 AND email_norm IS NOT NULL
         UNION SELECT 'phone', phone_norm FROM customers WHERE id = ?1 AND phone_norm IS NOT NULL
         UNION SELECT CASE channel WHEN 'sms' THEN 'phone' ELSE 'email' END, contact
               FROM invitations WHERE customer_id = ?1 AND contact IS NOT NULL
         UNION SELECT kind, value FROM suppressions
               WHERE customer_id = ?1 AND kind IN ('email', 'phone')",
    )?;
    let rows = stmt.query_map([customer], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether the store still matches hashes made with the empty pepper of versions before 9
/// (T2): set by the migration when such hashes existed.
pub fn legacy_empty_pepper(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT value = 1 FROM setting_values
             WHERE grp = 'suppression' AND key = 'legacy_empty_pepper'",
        )?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

/// Suppresses by host id every customer whose normalised e-mail (`kind` `email`) or
/// phone (`phone`) is `value`, so the unsubscribe of a contact holds for its customers
/// when they later change it (E3). Existing entries keep their date.
pub fn suppress_holders(
    conn: &Connection,
    kind: &str,
    value: &str,
    now_ms: i64,
    source: &str,
) -> Result<()> {
    let sql = match kind {
        "email" => {
            "INSERT OR IGNORE INTO suppressions (kind, value, created_at, source)
             SELECT 'customer', host_id, ?2, ?3 FROM customers WHERE email_norm = ?1"
        }
        "phone" => {
            "INSERT OR IGNORE INTO suppressions (kind, value, created_at, source)
             SELECT 'customer', host_id, ?2, ?3 FROM customers WHERE phone_norm = ?1"
        }
        _ => return Ok(()),
    };
    conn.prepare_cached(sql)?
        .execute(params![value, now_ms, source])?;
    Ok(())
}

/// One stored customer by host id.
pub fn find_customer(conn: &Connection, host_id: &str) -> Result<Option<StoredCustomer>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE host_id = ?1"
    ))?;
    Ok(stmt.query_row([host_id], row_to_customer).optional()?)
}

/// What the store holds of each of `rows`, by host id, in order, through one prepared
/// statement. A stored customer is compared with its row where SQLite holds it, and copied
/// out only when it differs or was erased: most of a night's known customers are sent
/// unchanged, and copying their ten fields into strings cost more than reading the row.
pub fn find_customers_to_write(
    conn: &Connection,
    rows: &[CustomerRow],
) -> Result<Vec<CustomerMatch>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE host_id = ?1"
    ))?;
    // A POS that numbers its customers in order sends tonight's new ones above every
    // stored host id: those are new without a search (text compares byte by byte in
    // SQLite's BINARY collation, as `str` does). The greatest is one step to the end of
    // the host id index, read once per part.
    let greatest: Option<String> = conn
        .prepare_cached("SELECT max(host_id) FROM customers")?
        .query_row([], |r| r.get(0))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if greatest
            .as_deref()
            .is_none_or(|greatest| row.host_id.as_str() > greatest)
        {
            out.push(CustomerMatch::New);
            continue;
        }
        let found = stmt
            .query_row([&row.host_id], |r| {
                Ok(if stored_as(r, row)? {
                    CustomerMatch::Unchanged { rowid: r.get(0)? }
                } else {
                    CustomerMatch::Stored(Box::new(row_to_customer(r)?))
                })
            })
            .optional()?;
        out.push(found.unwrap_or(CustomerMatch::New));
    }
    Ok(out)
}

/// Whether the customer row `r` (read with [`CUSTOMER_COLUMNS`]) is not erased and holds
/// exactly `row`, as [`row_to_customer`] would read it (an unknown gender reads as none).
fn stored_as(r: &rusqlite::Row<'_>, row: &CustomerRow) -> rusqlite::Result<bool> {
    let text = |i: usize| -> rusqlite::Result<Option<&str>> { Ok(r.get_ref(i)?.as_str_or_null()?) };
    Ok(!r.get::<_, bool>(11)?
        && r.get::<_, bool>(10)? == row.include_in_communications
        && text(2)? == row.name.as_deref()
        && text(3)? == row.email.as_deref()
        && text(4)? == row.email_norm.as_deref()
        && text(5)? == row.phone.as_deref()
        && text(6)? == row.phone_norm.as_deref()
        && text(7)? == row.language.as_deref()
        && text(9)? == row.reference.as_deref()
        && text(8)?.and_then(Gender::parse) == row.gender
        && text(1)? == Some(row.host_id.as_str()))
}

/// The host id of a customer row.
pub fn customer_host_id(conn: &Connection, rowid: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT host_id FROM customers WHERE id = ?1")?
        .query_row([rowid], |r| r.get(0))
        .optional()?)
}

/// Whether any of `hashes` is on the imported suppression list.
pub fn hash_suppressed(conn: &Connection, hashes: &[String]) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM suppression_hashes WHERE hash = ?1")?;
    for h in hashes {
        if stmt.exists([h])? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the imported suppression list is empty.
pub fn suppression_hashes_empty(conn: &Connection) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM suppression_hashes)")?
        .query_row([], |r| r.get(0))?)
}

/// Adds imported hashes; returns how many were new.
pub fn import_suppression_hashes(
    conn: &Connection,
    hashes: &[String],
    now_ms: i64,
    source: &str,
) -> Result<u64> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO suppression_hashes (hash, created_at, source) VALUES (?1, ?2, ?3)",
    )?;
    let mut added = 0;
    for h in hashes {
        added += stmt.execute(params![h, now_ms, source])? as u64;
    }
    Ok(added)
}

/// Every locally suppressed e-mail and phone, as (kind, normalised value).
pub fn suppressed_contacts(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, value FROM suppressions WHERE kind IN ('email', 'phone') ORDER BY kind, value",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every suppression hash imported from other stores.
pub fn imported_hashes(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT hash FROM suppression_hashes ORDER BY hash")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes a customer's personal fields and every free text about them, keeping the
/// scores (right to be forgotten). Suppression hashes are the caller's job.
pub fn erase_customer(conn: &Connection, rowid: i64, now_ms: i64) -> Result<ErasedCounts> {
    let mut n = ErasedCounts::default();
    conn.prepare_cached(
        "UPDATE customers SET name = NULL, email = NULL, email_norm = NULL, phone = NULL,
           phone_norm = NULL, gender = NULL, reference = NULL, include_in_communications = 0,
           erased_at = ?2, updated_at = ?2
         WHERE id = ?1",
    )?
    .execute(params![rowid, now_ms])?;
    // The contact an invitation was addressed to is personal data too (P3).
    conn.prepare_cached("UPDATE invitations SET contact = NULL WHERE customer_id = ?1")?
        .execute([rowid])?;
    n.responses = conn
        .prepare_cached(
            "UPDATE responses SET comment = NULL,
               answers = (SELECT json_group_array(json_remove(value, '$.text'))
                          FROM json_each(responses.answers))
             WHERE customer_id = ?1",
        )?
        .execute([rowid])? as u64;
    n.texts += conn
        .prepare_cached(
            "UPDATE thread_comments SET body = '', coupon_code = NULL
             WHERE response_id IN (SELECT id FROM responses WHERE customer_id = ?1)",
        )?
        .execute([rowid])? as u64;
    n.texts += conn
        .prepare_cached(
            "UPDATE alert_interactions SET note = ''
             WHERE alert_id IN (SELECT id FROM alerts WHERE customer_id = ?1)",
        )?
        .execute([rowid])? as u64;
    conn.prepare_cached(
        "UPDATE alert_follow_ups SET comment = NULL
         WHERE alert_id IN (SELECT id FROM alerts WHERE customer_id = ?1)",
    )?
    .execute([rowid])?;
    // The customer's messages, then those about their alerts and their responses (staff
    // notifications), each through its own index (schema 14).
    for about in OUTBOX_ABOUT_CUSTOMER {
        n.messages_cancelled += conn
            .prepare_cached(&format!(
                "UPDATE outbox SET status = 'cancelled', cancel_reason = 'erased', updated_at = ?2
                 WHERE {about} AND (status = 'pending' OR status = 'in_flight')"
            ))?
            .execute(params![rowid, now_ms])? as u64;
    }
    conn.prepare_cached("UPDATE alerts SET detail = '' WHERE customer_id = ?1")?
        .execute([rowid])?;
    // Written texts (replies, staff notifications about the customer) go too, and so do the
    // host's failure reasons, which may quote an address or a name (T2).
    for about in OUTBOX_ABOUT_CUSTOMER {
        conn.prepare_cached(&format!(
            "UPDATE outbox SET params = '{{}}', last_error = NULL WHERE {about}"
        ))?
        .execute([rowid])?;
    }
    Ok(n)
}

/// The outbox rows about customer row `?1`, each filter read through an index: messages of
/// the customer's invitations, other messages to the customer, messages about their alerts, staff notifications about their responses.
const OUTBOX_ABOUT_CUSTOMER: [&str; 4] = [
    "invitation_id IN (SELECT id FROM invitations WHERE customer_id = ?1)",
    "customer_id = ?1 AND invitation_id IS NULL",
    "alert_id IN (SELECT id FROM alerts WHERE customer_id = ?1)",
    // `r.id + 0`: compared with the bare row id, the planner prefers walking the whole
    // partial index and probing responses; the expression makes it seek `outbox_about` per
    // response of the customer instead (tests/query_plans.rs).
    "id IN (SELECT o.id FROM responses r JOIN outbox o
             ON o.user_id IS NOT NULL AND json_extract(o.params, '$.about') = r.id + 0
             WHERE r.customer_id = ?1)",
];

/// Drops the plain-text local suppressions of these normalised contacts.
pub fn drop_plain_suppressions(conn: &Connection, contacts: &[(String, String)]) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("DELETE FROM suppressions WHERE kind = ?1 AND value = ?2")?;
    for (kind, value) in contacts {
        stmt.execute([kind, value])?;
    }
    Ok(())
}

impl crate::store::CustomerStore for super::SqliteTx<'_> {
    fn find_customers(&mut self, host_ids: &[&str]) -> Result<HashMap<String, StoredCustomer>> {
        find_customers(self.conn, host_ids.iter().copied())
    }

    fn customers_by_rowid(&mut self, rowids: &[i64]) -> Result<Vec<StoredCustomer>> {
        customers_by_rowid(self.conn, rowids)
    }

    fn insert_customer(&mut self, c: &CustomerRow, now_ms: i64) -> Result<i64> {
        insert_customer(self.conn, c, now_ms)
    }

    fn update_customer(&mut self, rowid: i64, c: &CustomerRow, now_ms: i64) -> Result<()> {
        update_customer(self.conn, rowid, c, now_ms)
    }

    fn insert_customers(&mut self, rows: &[CustomerRow], now_ms: i64) -> Result<Vec<i64>> {
        insert_customers(self.conn, rows, now_ms)
    }

    fn suppressed_since(
        &mut self,
        host_id: &str,
        email_norm: Option<&str>,
        phone_norm: Option<&str>,
        sms: bool,
    ) -> Result<Option<DateTime<Utc>>> {
        suppressed_since(self.conn, host_id, email_norm, phone_norm, sms)
    }

    fn suppressed_among(
        &mut self,
        customers: &[(&str, Option<&str>, Option<&str>)],
        sms: bool,
    ) -> Result<HashSet<String>> {
        suppressed_among(self.conn, customers, sms)
    }

    fn hashes_suppressed_among(&mut self, hashes: &[String]) -> Result<HashSet<String>> {
        hashes_suppressed_among(self.conn, hashes)
    }

    fn suppress(&mut self, kind: &str, value: &str, now_ms: i64, source: &str) -> Result<()> {
        suppress(self.conn, kind, value, now_ms, source)
    }

    fn suppress_for_customer(
        &mut self,
        kind: &str,
        value: &str,
        now_ms: i64,
        source: &str,
        customer: i64,
    ) -> Result<()> {
        suppress_for_customer(self.conn, kind, value, now_ms, source, customer)
    }

    fn link_suppressed_contacts(
        &mut self,
        customer: i64,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<()> {
        link_suppressed_contacts(self.conn, customer, email, phone)
    }

    fn contacts_ever(&mut self, customer: i64) -> Result<Vec<(String, String)>> {
        contacts_ever(self.conn, customer)
    }

    fn legacy_empty_pepper(&mut self) -> Result<bool> {
        legacy_empty_pepper(self.conn)
    }

    fn suppress_holders(
        &mut self,
        kind: &str,
        value: &str,
        now_ms: i64,
        source: &str,
    ) -> Result<()> {
        suppress_holders(self.conn, kind, value, now_ms, source)
    }

    fn find_customer(&mut self, host_id: &str) -> Result<Option<StoredCustomer>> {
        find_customer(self.conn, host_id)
    }

    fn find_customers_to_write(&mut self, rows: &[CustomerRow]) -> Result<Vec<CustomerMatch>> {
        find_customers_to_write(self.conn, rows)
    }

    fn customer_host_id(&mut self, rowid: i64) -> Result<Option<String>> {
        customer_host_id(self.conn, rowid)
    }

    fn hash_suppressed(&mut self, hashes: &[String]) -> Result<bool> {
        hash_suppressed(self.conn, hashes)
    }

    fn lists_empty(&mut self) -> Result<crate::store::ListsEmpty> {
        // A file answers each from its page cache: three statements, as before.
        Ok(crate::store::ListsEmpty {
            suppression_hashes: suppression_hashes_empty(self.conn)?,
            suppressions: suppressions_empty(self.conn)?,
            bounces: crate::store::ConsentStore::bounces_empty(self)?,
        })
    }

    fn import_suppression_hashes(
        &mut self,
        hashes: &[String],
        now_ms: i64,
        source: &str,
    ) -> Result<u64> {
        import_suppression_hashes(self.conn, hashes, now_ms, source)
    }

    fn suppressed_contacts(&mut self) -> Result<Vec<(String, String)>> {
        suppressed_contacts(self.conn)
    }

    fn imported_hashes(&mut self) -> Result<Vec<String>> {
        imported_hashes(self.conn)
    }

    fn erase_customer(&mut self, rowid: i64, now_ms: i64) -> Result<ErasedCounts> {
        erase_customer(self.conn, rowid, now_ms)
    }

    fn drop_plain_suppressions(&mut self, contacts: &[(String, String)]) -> Result<()> {
        drop_plain_suppressions(self.conn, contacts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// `find_customers_to_write` compares a stored customer where SQLite holds it; each of
    /// its answers must be the one reading the customer and comparing gives
    /// (`CustomerMatch::of`, what every other store does): field by field, for an erased
    /// customer, a gender stored as an unknown text, and a host id not stored.
    #[test]
    fn customers_to_write_match_a_read_and_compare_field_by_field() {
        let store = Store::with_paris("");
        let base = CustomerRow {
            host_id: "c1".into(),
            name: Some("Ana".into()),
            email: Some("Ana@Example.com".into()),
            email_norm: Some("ana@example.com".into()),
            phone: Some("06 12 34 56 78".into()),
            phone_norm: Some("+33612345678".into()),
            language: Some("fr".into()),
            gender: Some(Gender::Female),
            reference: Some("R-1".into()),
            include_in_communications: true,
        };
        let other = |host_id: &str| CustomerRow {
            host_id: host_id.into(),
            ..base.clone()
        };
        insert_customer(&store.conn, &base, 1).unwrap();
        insert_customer(&store.conn, &other("erased"), 1).unwrap();
        insert_customer(&store.conn, &other("odd-gender"), 1).unwrap();
        store
            .conn
            .execute_batch(
                "UPDATE customers SET erased_at = 2 WHERE host_id = 'erased';
                 UPDATE customers SET gender = 'zz' WHERE host_id = 'odd-gender';",
            )
            .unwrap();
        let mut rows = vec![
            base.clone(),
            other("erased"),
            other("odd-gender"),
            CustomerRow {
                gender: None,
                ..other("odd-gender")
            },
            other("not-stored"),
            // Above the greatest stored host id ("odd-gender"): new without a search.
            other("zz-new"),
            other("a-new"),
        ];
        type Change = fn(&mut CustomerRow);
        let changes: [Change; 13] = [
            |r| r.name = None,
            |r| r.name = Some("Anna".into()),
            |r| r.email = None,
            |r| r.email = Some("ana@example.com".into()),
            |r| r.email_norm = Some("anna@example.com".into()),
            |r| r.phone = Some("0612345678".into()),
            |r| r.phone_norm = None,
            |r| r.language = Some("en".into()),
            |r| r.language = None,
            |r| r.gender = Some(Gender::Other),
            |r| r.gender = None,
            |r| r.reference = Some("R-2".into()),
            |r| r.include_in_communications = false,
        ];
        for change in changes {
            let mut row = base.clone();
            change(&mut row);
            rows.push(row);
        }
        let got = find_customers_to_write(&store.conn, &rows).unwrap();
        let kinds: Vec<&str> = (got.iter())
            .map(|m| match m {
                CustomerMatch::New => "new",
                CustomerMatch::Unchanged { .. } => "unchanged",
                CustomerMatch::Stored(_) => "stored",
            })
            .collect();
        let mut want = vec![
            "unchanged",
            "stored",
            "stored",
            "unchanged",
            "new",
            "new",
            "new",
        ];
        want.extend(["stored"; 13]);
        assert_eq!(kinds, want);
        for (row, got) in rows.iter().zip(&got) {
            let read = CustomerMatch::of(find_customer(&store.conn, &row.host_id).unwrap(), row);
            assert_eq!(format!("{got:?}"), format!("{read:?}"), "{}", row.host_id);
        }
        // An empty store: everything is new.
        let empty = Store::with_paris("");
        let got = find_customers_to_write(&empty.conn, &rows[..3]).unwrap();
        assert!(got.iter().all(|m| matches!(m, CustomerMatch::New)));
    }
}
