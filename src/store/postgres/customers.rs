//! The customers area on PostgreSQL (mirrors `store/sqlite/customers.rs`).

use crate::hash::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::values::{flag, get_bool};
use super::{PgTx, get};
use crate::error::Result;
use crate::hosted::{Row, p};
use crate::model::Gender;
use crate::store::customers::{CustomerMatch, CustomerRow, ErasedCounts, StoredCustomer};

pub(super) const CUSTOMER_COLUMNS: &str = "id, host_id, name, email, email_norm, phone, phone_norm, \
    language, gender, reference, include_in_communications, erased_at IS NOT NULL";

pub(super) fn row_to_customer(r: &Row) -> Result<StoredCustomer> {
    Ok(StoredCustomer {
        rowid: get(r, 0)?,
        row: CustomerRow {
            host_id: get(r, 1)?,
            name: get(r, 2)?,
            email: get(r, 3)?,
            email_norm: get(r, 4)?,
            phone: get(r, 5)?,
            phone_norm: get(r, 6)?,
            language: get(r, 7)?,
            gender: get::<Option<String>>(r, 8)?.and_then(|g| Gender::parse(&g)),
            reference: get(r, 9)?,
            include_in_communications: get_bool(r, 10)?,
        },
        erased: get(r, 11)?,
    })
}

fn strings(v: &[String]) -> Vec<String> {
    v.to_vec()
}

/// The eleven fields of a customer row after `$1` and the row id / host id.
fn fields(c: &CustomerRow) -> Vec<crate::hosted::Param> {
    vec![
        p(c.name.clone()),
        p(c.email.clone()),
        p(c.email_norm.clone()),
        p(c.phone.clone()),
        p(c.phone_norm.clone()),
        p(c.language.clone()),
        p(c.gender.map(|g| g.as_str().to_owned())),
        p(c.reference.clone()),
        p(flag(c.include_in_communications)),
    ]
}

/// The outbox rows about customer `$2`: her invitations' messages, her other messages,
/// messages about her alerts, or staff notifications about her responses (`params.about`,
/// a response id); each term has its index (`outbox_invitation`, the partial
/// `outbox_customer`, `outbox_alert`, `outbox_about`).
const ABOUT_CUSTOMER: &str = concat!(
    "(",
    her_messages!(),
    "
      OR alert_id IN (SELECT id FROM alerts WHERE store_id = $1 AND customer_id = $2)
      OR (user_id IS NOT NULL AND (params::jsonb ->> 'about')
          IN (SELECT id::text FROM responses WHERE store_id = $1 AND customer_id = $2)))"
);

/// Adds a suppression entry, or records on an existing one who else asked (D4): a
/// keyword's ask as `keyword_at`, another source in place of a keyword alone (with its
/// date), the customer it was made for when it had none (mirrors the SQLite store's).
const UPSERT_SUPPRESSION: &str = "INSERT INTO suppressions
       (store_id, kind, value, created_at, source, customer_id, keyword_at)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $5 = 'keyword' THEN $4::bigint END)
     ON CONFLICT (store_id, kind, value) DO UPDATE SET
       created_at = CASE WHEN suppressions.source = 'keyword' AND excluded.source <> 'keyword'
                         THEN excluded.created_at ELSE suppressions.created_at END,
       source = CASE WHEN suppressions.source = 'keyword'
                     THEN excluded.source ELSE suppressions.source END,
       customer_id = coalesce(suppressions.customer_id, excluded.customer_id),
       keyword_at = coalesce(suppressions.keyword_at, excluded.keyword_at)
     WHERE (suppressions.source = 'keyword' AND excluded.source <> 'keyword')
        OR (suppressions.keyword_at IS NULL AND excluded.keyword_at IS NOT NULL)
        OR (suppressions.customer_id IS NULL AND excluded.customer_id IS NOT NULL)";

impl crate::store::CustomerStore for PgTx<'_> {
    fn find_customers(&mut self, host_ids: &[&str]) -> Result<HashMap<String, StoredCustomer>> {
        if host_ids.is_empty() {
            return Ok(HashMap::default());
        }
        let ids: Vec<String> = host_ids.iter().map(|s| (*s).to_owned()).collect();
        self.query(
            &format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers
                 WHERE store_id = $1 AND host_id = ANY($2::text[])"
            ),
            vec![p(ids)],
        )?
        .iter()
        .map(|r| row_to_customer(r).map(|c| (c.row.host_id.clone(), c)))
        .collect()
    }

    fn customers_by_rowid(&mut self, rowids: &[i64]) -> Result<Vec<StoredCustomer>> {
        if rowids.is_empty() {
            return Ok(Vec::new());
        }
        self.query(
            &format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers
                 WHERE store_id = $1 AND id = ANY($2::bigint[]) ORDER BY id"
            ),
            vec![p(rowids.to_vec())],
        )?
        .iter()
        .map(row_to_customer)
        .collect()
    }

    fn insert_customer(&mut self, c: &CustomerRow, now_ms: i64) -> Result<i64> {
        let id = self.next_ids("customers", 1)?;
        let mut params = vec![p(id), p(c.host_id.clone())];
        params.extend(fields(c));
        params.push(p(now_ms));
        self.execute(
            "INSERT INTO customers (store_id, id, host_id, name, email, email_norm, phone,
               phone_norm, language, gender, reference, include_in_communications, created_at,
               updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
            params,
        )?;
        Ok(id)
    }

    fn find_customers_to_write(&mut self, rows: &[CustomerRow]) -> Result<Vec<CustomerMatch>> {
        let host_ids: Vec<&str> = rows.iter().map(|r| r.host_id.as_str()).collect();
        let mut found = self.find_customers(&host_ids)?;
        Ok((rows.iter())
            .map(|row| CustomerMatch::of(found.remove(&row.host_id), row))
            .collect())
    }

    fn insert_customers(&mut self, rows: &[CustomerRow], now_ms: i64) -> Result<Vec<i64>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let n = i64::try_from(rows.len())
            .map_err(|_| crate::Error::Internal("postgres: too many customers at once".into()))?;
        let first = self.next_ids("customers", n)?;
        let ids: Vec<i64> = (first..first + n).collect();
        let texts = |f: fn(&CustomerRow) -> Option<String>| -> Vec<Option<String>> {
            rows.iter().map(f).collect()
        };
        self.execute(
            "INSERT INTO customers (store_id, id, host_id, name, email, email_norm, phone,
               phone_norm, language, gender, reference, include_in_communications, created_at,
               updated_at)
             SELECT $1, id, host_id, name, email, email_norm, phone, phone_norm, language,
               gender, reference, include, $2, $2
             FROM (SELECT unnest($3::bigint[]) AS id, unnest($4::text[]) AS host_id,
                     unnest($5::text[]) AS name, unnest($6::text[]) AS email,
                     unnest($7::text[]) AS email_norm, unnest($8::text[]) AS phone,
                     unnest($9::text[]) AS phone_norm, unnest($10::text[]) AS language,
                     unnest($11::text[]) AS gender, unnest($12::text[]) AS reference,
                     unnest($13::bigint[]) AS include) AS u",
            vec![
                p(now_ms),
                p(ids.clone()),
                p(rows
                    .iter()
                    .map(|c| c.host_id.clone())
                    .collect::<Vec<String>>()),
                p(texts(|c| c.name.clone())),
                p(texts(|c| c.email.clone())),
                p(texts(|c| c.email_norm.clone())),
                p(texts(|c| c.phone.clone())),
                p(texts(|c| c.phone_norm.clone())),
                p(texts(|c| c.language.clone())),
                p(texts(|c| c.gender.map(|g| g.as_str().to_owned()))),
                p(texts(|c| c.reference.clone())),
                p(rows
                    .iter()
                    .map(|c| flag(c.include_in_communications))
                    .collect::<Vec<i64>>()),
            ],
        )?;
        Ok(ids)
    }

    fn update_customer(&mut self, rowid: i64, c: &CustomerRow, now_ms: i64) -> Result<()> {
        let mut params = vec![p(rowid)];
        params.extend(fields(c));
        params.push(p(now_ms));
        self.execute(
            "UPDATE customers SET name = $3, email = $4, email_norm = $5, phone = $6,
               phone_norm = $7, language = $8, gender = $9, reference = $10,
               include_in_communications = $11, updated_at = $12
             WHERE store_id = $1 AND id = $2",
            params,
        )?;
        Ok(())
    }

    fn suppressed_since(
        &mut self,
        host_id: &str,
        email_norm: Option<&str>,
        phone_norm: Option<&str>,
        sms: bool,
    ) -> Result<Option<DateTime<Utc>>> {
        let row = self.query_one(
            "SELECT min(CASE WHEN $5::boolean AND keyword_at < created_at THEN keyword_at
                             ELSE created_at END) FROM suppressions
             WHERE store_id = $1
               AND ((kind = 'customer' AND value = $2)
                 OR (kind = 'email' AND value = $3)
                 OR (kind = 'phone' AND value = $4 AND ($5::boolean OR source <> 'keyword')))",
            vec![
                p(host_id.to_owned()),
                p(email_norm.map(str::to_owned)),
                p(phone_norm.map(str::to_owned)),
                p(sms),
            ],
        )?;
        let ms: Option<i64> = get(&row, 0)?;
        Ok(ms.and_then(DateTime::from_timestamp_millis))
    }

    fn suppressed_among(
        &mut self,
        customers: &[(&str, Option<&str>, Option<&str>)],
        sms: bool,
    ) -> Result<HashSet<String>> {
        if customers.is_empty() {
            return Ok(HashSet::default());
        }
        let hosts: Vec<String> = customers.iter().map(|c| c.0.to_owned()).collect();
        let emails: Vec<Option<String>> =
            customers.iter().map(|c| c.1.map(str::to_owned)).collect();
        let phones: Vec<Option<String>> =
            customers.iter().map(|c| c.2.map(str::to_owned)).collect();
        self.query(
            "WITH k (host, email, phone) AS (
               SELECT * FROM unnest($2::text[], $3::text[], $4::text[]))
             SELECT k.host FROM k JOIN suppressions s
               ON s.store_id = $1 AND s.kind = 'customer' AND s.value = k.host
             UNION SELECT k.host FROM k JOIN suppressions s
               ON s.store_id = $1 AND s.kind = 'email' AND s.value = k.email
             UNION SELECT k.host FROM k JOIN suppressions s
               ON s.store_id = $1 AND s.kind = 'phone' AND s.value = k.phone
                 AND ($5::boolean OR s.source <> 'keyword')",
            vec![p(hosts), p(emails), p(phones), p(sms)],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }

    fn hashes_suppressed_among(&mut self, hashes: &[String]) -> Result<HashSet<String>> {
        if hashes.is_empty() {
            return Ok(HashSet::default());
        }
        self.query(
            "SELECT hash FROM suppression_hashes WHERE store_id = $1 AND hash = ANY($2::text[])",
            vec![p(strings(hashes))],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }

    fn suppress(&mut self, kind: &str, value: &str, now_ms: i64, source: &str) -> Result<()> {
        self.execute(
            UPSERT_SUPPRESSION,
            vec![
                p(kind.to_owned()),
                p(value.to_owned()),
                p(now_ms),
                p(source.to_owned()),
                p(None::<i64>),
            ],
        )?;
        Ok(())
    }

    fn suppress_for_customer(
        &mut self,
        kind: &str,
        value: &str,
        now_ms: i64,
        source: &str,
        customer: i64,
    ) -> Result<()> {
        self.execute(
            UPSERT_SUPPRESSION,
            vec![
                p(kind.to_owned()),
                p(value.to_owned()),
                p(now_ms),
                p(source.to_owned()),
                p(Some(customer)),
            ],
        )?;
        Ok(())
    }

    fn link_suppressed_contacts(
        &mut self,
        customer: i64,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<()> {
        if email.is_none() && phone.is_none() {
            return Ok(());
        }
        self.execute(
            "UPDATE suppressions SET customer_id = $2
             WHERE store_id = $1 AND customer_id IS NULL
               AND ((kind = 'email' AND value = $3) OR (kind = 'phone' AND value = $4))",
            vec![
                p(customer),
                p(email.map(str::to_owned)),
                p(phone.map(str::to_owned)),
            ],
        )?;
        Ok(())
    }

    fn contacts_ever(&mut self, customer: i64) -> Result<Vec<(String, String)>> {
        self.query(
            "SELECT kind, value FROM (
             SELECT 'email'::text AS kind, email_norm AS value FROM customers
               WHERE store_id = $1 AND id = $2 AND email_norm IS NOT NULL
             UNION SELECT 'phone', phone_norm FROM customers
               WHERE store_id = $1 AND id = $2 AND phone_norm IS NOT NULL
             UNION SELECT CASE channel WHEN 'sms' THEN 'phone' ELSE 'email' END, contact
               FROM invitations WHERE store_id = $1 AND customer_id = $2 AND contact IS NOT NULL
             UNION SELECT kind, value FROM suppressions
               WHERE store_id = $1 AND customer_id = $2 AND kind IN ('email', 'phone')) AS u
             ORDER BY kind COLLATE \"C\", value COLLATE \"C\"",
            vec![p(customer)],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }

    fn legacy_empty_pepper(&mut self) -> Result<bool> {
        let row = self.query_opt(
            "SELECT coalesce(int_value = 1, false) FROM setting_values
             WHERE store_id = $1 AND grp = 'suppression' AND key = 'legacy_empty_pepper'",
            vec![],
        )?;
        row.map_or(Ok(false), |r| get(&r, 0))
    }

    fn suppress_holders(
        &mut self,
        kind: &str,
        value: &str,
        now_ms: i64,
        source: &str,
    ) -> Result<()> {
        let sql = match kind {
            "email" => {
                "INSERT INTO suppressions (store_id, kind, value, created_at, source)
                 SELECT $1, 'customer', host_id, $3, $4 FROM customers
                 WHERE store_id = $1 AND email_norm = $2
                 ON CONFLICT (store_id, kind, value) DO NOTHING"
            }
            "phone" => {
                "INSERT INTO suppressions (store_id, kind, value, created_at, source)
                 SELECT $1, 'customer', host_id, $3, $4 FROM customers
                 WHERE store_id = $1 AND phone_norm = $2
                 ON CONFLICT (store_id, kind, value) DO NOTHING"
            }
            _ => return Ok(()),
        };
        self.execute(
            sql,
            vec![p(value.to_owned()), p(now_ms), p(source.to_owned())],
        )?;
        Ok(())
    }

    fn find_customer(&mut self, host_id: &str) -> Result<Option<StoredCustomer>> {
        self.query_opt(
            &format!(
                "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE store_id = $1 AND host_id = $2"
            ),
            vec![p(host_id.to_owned())],
        )?
        .as_ref()
        .map(row_to_customer)
        .transpose()
    }

    fn customer_host_id(&mut self, rowid: i64) -> Result<Option<String>> {
        self.query_opt(
            "SELECT host_id FROM customers WHERE store_id = $1 AND id = $2",
            vec![p(rowid)],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }

    fn hash_suppressed(&mut self, hashes: &[String]) -> Result<bool> {
        if hashes.is_empty() {
            return Ok(false);
        }
        let row = self.query_one(
            "SELECT EXISTS (SELECT 1 FROM suppression_hashes
                            WHERE store_id = $1 AND hash = ANY($2::text[]))",
            vec![p(strings(hashes))],
        )?;
        get(&row, 0)
    }

    fn lists_empty(&mut self) -> Result<crate::store::ListsEmpty> {
        let row = self.query_one(
            "SELECT NOT EXISTS (SELECT 1 FROM suppression_hashes WHERE store_id = $1),
                    NOT EXISTS (SELECT 1 FROM suppressions WHERE store_id = $1),
                    NOT EXISTS (SELECT 1 FROM bounces WHERE store_id = $1)",
            vec![],
        )?;
        Ok(crate::store::ListsEmpty {
            suppression_hashes: get(&row, 0)?,
            suppressions: get(&row, 1)?,
            bounces: get(&row, 2)?,
        })
    }

    fn import_suppression_hashes(
        &mut self,
        hashes: &[String],
        now_ms: i64,
        source: &str,
    ) -> Result<u64> {
        if hashes.is_empty() {
            return Ok(0);
        }
        self.execute(
            "INSERT INTO suppression_hashes (store_id, hash, created_at, source)
             SELECT $1, h, $3, $4 FROM unnest($2::text[]) WITH ORDINALITY AS u (h, n)
             ORDER BY n
             ON CONFLICT (store_id, hash) DO NOTHING",
            vec![p(strings(hashes)), p(now_ms), p(source.to_owned())],
        )
    }

    fn suppressed_contacts(&mut self) -> Result<Vec<(String, String)>> {
        self.query(
            "SELECT kind, value FROM suppressions
             WHERE store_id = $1 AND kind IN ('email', 'phone')
             ORDER BY kind COLLATE \"C\", value COLLATE \"C\"",
            vec![],
        )?
        .iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
        .collect()
    }

    fn imported_hashes(&mut self) -> Result<Vec<String>> {
        self.query(
            "SELECT hash FROM suppression_hashes WHERE store_id = $1 ORDER BY hash COLLATE \"C\"",
            vec![],
        )?
        .iter()
        .map(|r| get(r, 0))
        .collect()
    }

    fn erase_customer(&mut self, rowid: i64, now_ms: i64) -> Result<ErasedCounts> {
        let mut n = ErasedCounts::default();
        self.execute(
            "UPDATE customers SET name = NULL, email = NULL, email_norm = NULL, phone = NULL,
               phone_norm = NULL, gender = NULL, reference = NULL, include_in_communications = 0,
               erased_at = $3, updated_at = $3
             WHERE store_id = $1 AND id = $2",
            vec![p(rowid), p(now_ms)],
        )?;
        // The contact an invitation was addressed to is personal data too (P3).
        self.execute(
            "UPDATE invitations SET contact = NULL WHERE store_id = $1 AND customer_id = $2",
            vec![p(rowid)],
        )?;
        n.responses = self.execute(
            "UPDATE responses SET comment = NULL,
               answers = (SELECT coalesce(json_agg(CASE jsonb_typeof(e)
                                                     WHEN 'object' THEN e - 'text'
                                                     ELSE e END ORDER BY i), '[]')::text
                          FROM jsonb_array_elements(responses.answers::jsonb)
                               WITH ORDINALITY AS a (e, i))
             WHERE store_id = $1 AND customer_id = $2",
            vec![p(rowid)],
        )?;
        n.texts += self.execute(
            "UPDATE thread_comments SET body = '', coupon_code = NULL
             WHERE store_id = $1
               AND response_id IN (SELECT id FROM responses
                                   WHERE store_id = $1 AND customer_id = $2)",
            vec![p(rowid)],
        )?;
        n.texts += self.execute(
            "UPDATE alert_interactions SET note = ''
             WHERE store_id = $1
               AND alert_id IN (SELECT id FROM alerts WHERE store_id = $1 AND customer_id = $2)",
            vec![p(rowid)],
        )?;
        self.execute(
            "UPDATE alert_follow_ups SET comment = NULL
             WHERE store_id = $1
               AND alert_id IN (SELECT id FROM alerts WHERE store_id = $1 AND customer_id = $2)",
            vec![p(rowid)],
        )?;
        n.messages_cancelled = self.execute(
            &format!(
                "UPDATE outbox SET status = 'cancelled', cancel_reason = 'erased', updated_at = $3
                 WHERE store_id = $1 AND status IN ('pending', 'in_flight') AND {ABOUT_CUSTOMER}"
            ),
            vec![p(rowid), p(now_ms)],
        )?;
        self.execute(
            "UPDATE alerts SET detail = '' WHERE store_id = $1 AND customer_id = $2",
            vec![p(rowid)],
        )?;
        // Written texts go too, and so do the host's failure reasons (T2).
        self.execute(
            &format!(
                "UPDATE outbox SET params = '{{}}', last_error = NULL
                 WHERE store_id = $1 AND {ABOUT_CUSTOMER}"
            ),
            vec![p(rowid)],
        )?;
        Ok(n)
    }

    fn drop_plain_suppressions(&mut self, contacts: &[(String, String)]) -> Result<()> {
        if contacts.is_empty() {
            return Ok(());
        }
        let kinds: Vec<String> = contacts.iter().map(|c| c.0.clone()).collect();
        let values: Vec<String> = contacts.iter().map(|c| c.1.clone()).collect();
        self.execute(
            "DELETE FROM suppressions
             WHERE store_id = $1
               AND (kind, value) IN (SELECT * FROM unnest($2::text[], $3::text[]))",
            vec![p(kinds), p(values)],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;
    use crate::store::postgres::values::testkit::{on_pg, on_sqlite};
    use crate::store::{CustomerStore, LocationStore};

    fn customer(host: &str, email: Option<&str>, phone: Option<&str>) -> CustomerRow {
        CustomerRow {
            host_id: host.into(),
            name: Some(format!("Name {host}")),
            email: email.map(str::to_uppercase),
            email_norm: email.map(str::to_owned),
            phone: phone.map(str::to_owned),
            phone_norm: phone.map(str::to_owned),
            language: Some("fr".into()),
            gender: Gender::parse("female"),
            reference: Some("ref".into()),
            include_in_communications: true,
        }
    }

    fn sorted<T: Ord, I: IntoIterator<Item = T>>(i: I) -> Vec<T> {
        let mut v: Vec<T> = i.into_iter().collect();
        v.sort();
        v
    }

    fn scenario<T: CustomerStore + LocationStore + ?Sized>(t: &mut T) -> Result<Vec<String>> {
        let mut out = Vec::new();
        t.upsert_location(&Location::new("l1", "L", "UTC"))?;
        out.push(format!("{}", t.lists_empty()?.suppressions));
        out.push(format!("{}", t.lists_empty()?.suppression_hashes));
        out.push(format!("{}", t.legacy_empty_pepper()?));
        let a = t.insert_customer(&customer("a", Some("a@x.org"), Some("+331")), 100)?;
        let b = t.insert_customer(&customer("b", Some("b@x.org"), None), 100)?;
        let c = t.insert_customer(&customer("c", None, Some("+333")), 100)?;
        out.push(format!("{a} {b} {c}"));
        let mut b2 = customer("b", Some("shared@x.org"), Some("+339"));
        b2.gender = None;
        b2.include_in_communications = false;
        t.update_customer(b, &b2, 200)?;
        let found = t.find_customers(&["a", "b", "zz"])?;
        out.push(format!(
            "{:?}",
            sorted(found.into_iter().map(|(k, v)| format!("{k} {v:?}")))
        ));
        out.push(format!("{:?}", t.customers_by_rowid(&[c, a, 99])?));
        out.push(format!("{:?}", t.customers_by_rowid(&[])?));
        out.push(format!("{:?}", t.find_customer("c")?));
        out.push(format!("{:?}", t.find_customer("nope")?));
        out.push(format!(
            "{:?} {:?}",
            t.customer_host_id(a)?,
            t.customer_host_id(77)?
        ));
        t.suppress("email", "a@x.org", 300, "unsubscribe")?;
        t.suppress("email", "a@x.org", 400, "again")?; // keeps its date
        t.suppress("customer", "c", 500, "host")?;
        t.suppress_for_customer("phone", "+339", 350, "unsubscribe", b)?;
        t.suppress_for_customer("email", "a@x.org", 360, "unsubscribe", a)?; // learns whose
        t.link_suppressed_contacts(b, Some("old@x.org"), Some("+339"))?;
        t.suppress("email", "old@x.org", 370, "host")?;
        t.link_suppressed_contacts(b, Some("old@x.org"), None)?;
        t.link_suppressed_contacts(b, None, None)?;
        out.push(format!("{}", t.lists_empty()?.suppressions));
        out.push(format!(
            "{:?} {:?} {:?} {:?}",
            t.suppressed_since("a", Some("a@x.org"), None, true)?,
            t.suppressed_since("c", None, None, true)?,
            t.suppressed_since("b", Some("shared@x.org"), Some("+339"), true)?,
            t.suppressed_since("zz", None, None, true)?,
        ));
        out.push(format!(
            "{:?}",
            sorted(t.suppressed_among(
                &[
                    ("a", Some("a@x.org"), None),
                    ("b", None, Some("+339")),
                    ("c", None, None),
                    ("d", Some("d@x.org"), Some("+1")),
                ],
                true,
            )?)
        ));
        out.push(format!("{:?}", t.suppressed_among(&[], true)?));
        t.suppress_holders("email", "shared@x.org", 600, "holders")?;
        t.suppress_holders("phone", "+333", 600, "holders")?;
        t.suppress_holders("other", "+333", 600, "holders")?;
        out.push(format!("{:?}", t.contacts_ever(a)?));
        out.push(format!("{:?}", t.contacts_ever(b)?));
        out.push(format!("{:?}", t.suppressed_contacts()?));
        let hashes: Vec<String> = ["h2", "h1", "h2", "h3"].map(String::from).to_vec();
        out.push(format!(
            "{}",
            t.import_suppression_hashes(&hashes, 700, "peer")?
        ));
        out.push(format!(
            "{}",
            t.import_suppression_hashes(&hashes[..2], 800, "peer")?
        ));
        out.push(format!("{}", t.lists_empty()?.suppression_hashes));
        out.push(format!("{:?}", t.imported_hashes()?));
        out.push(format!(
            "{:?}",
            sorted(t.hashes_suppressed_among(&["h1".into(), "zz".into(), "h3".into()])?)
        ));
        out.push(format!(
            "{} {} {}",
            t.hash_suppressed(&["zz".into(), "h3".into()])?,
            t.hash_suppressed(&["zz".into()])?,
            t.hash_suppressed(&[])?
        ));
        let e = t.erase_customer(a, 900)?;
        out.push(format!("{e:?}"));
        out.push(format!("{:?}", t.find_customer("a")?));
        t.drop_plain_suppressions(&[
            ("email".into(), "a@x.org".into()),
            ("phone".into(), "+9".into()),
        ])?;
        out.push(format!("{:?}", t.suppressed_contacts()?));
        out.push(format!(
            "{:?}",
            t.suppressed_since("b", Some("zz"), None, true)?
        ));
        Ok(out)
    }

    #[test]
    fn customers_answer_as_on_sqlite() {
        let Some(pg) = on_pg("pg-customers", |t| scenario(t)) else {
            return;
        };
        let lite = on_sqlite(|t| scenario(t));
        assert_eq!(pg, lite);
    }

    /// Erasure reaches every text about the customer, and only hers (T2, P3).
    #[test]
    fn erasure_empties_every_text_about_the_customer() {
        use crate::store::TransactionStore;
        use crate::store::transactions::{DecisionChanges, InvitationRow, NewInvitation};

        let Some((counts, rows)) = on_pg("pg-erase", |t| {
            t.upsert_location(&Location::new("l1", "L", "UTC"))?;
            let c = t.insert_customer(&customer("c", Some("c@x.org"), Some("+331")), 1)?;
            let other = t.insert_customer(&customer("o", Some("o@x.org"), None), 1)?;
            let invitation = |who: i64, msg: &str| NewInvitation {
                row: InvitationRow {
                    customer: who,
                    transaction: None,
                    kind: crate::model::SurveyKind::Relationship,
                    contact: Some(format!("{who}@x.org")),
                    location: 1,
                    channel: crate::model::Channel::Email,
                    language: "en".into(),
                    business_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                    due_at_ms: 5,
                },
                message_kind: crate::model::MessageKind::SurveyInvitation,
                message_id: msg.into(),
                cancelled: false,
            };
            t.write_decisions(
                &DecisionChanges {
                    decisions: vec![],
                    invitations: vec![invitation(c, "m-c"), invitation(other, "m-o")],
                    replaces_stored: false,
                },
                2,
            )?;
            let mut responses = Vec::new();
            for who in [c, other] {
                let id = t.next_ids("responses", 1)?;
                t.execute(
                    "INSERT INTO responses (store_id, id, source, location_id, customer_id, nps,
                       unhappy, sentiment, facets, comment, answers, consent_to_reply,
                       review_link_shown, created_at)
                     VALUES ($1, $2, 'receipt', 1, $3, 2, 1, 'negative', '[]', 'secret',
                       '[{\"q\":\"a\",\"text\":\"secret\"},{\"q\":\"b\",\"choice\":2},3]',
                       1, 0, 3)",
                    vec![p(id), p(who)],
                )?;
                t.execute(
                    "INSERT INTO thread_comments (store_id, id, response_id, author, kind, body,
                       coupon_code, created_at)
                     VALUES ($1, $2, $2, 'customer', 'comment', 'secret', 'CODE', 3)",
                    vec![p(id)],
                )?;
                t.execute(
                    "INSERT INTO alerts (store_id, id, kind, location_id, customer_id, response_id,
                       status, detail, created_at, updated_at)
                     VALUES ($1, $2, 'unhappy_customer', 1, $3, $2, 'open', 'secret', 3, 3)",
                    vec![p(id), p(who)],
                )?;
                t.execute(
                    "INSERT INTO alert_interactions (store_id, id, alert_id, method, note, author,
                       created_at)
                     VALUES ($1, $2, $2, 'email', 'secret', 'business', 3)",
                    vec![p(id)],
                )?;
                t.execute(
                    "INSERT INTO alert_follow_ups (store_id, alert_id, comment, created_at)
                     VALUES ($1, $2, 'secret', 3)",
                    vec![p(id)],
                )?;
                responses.push(id);
            }
            t.execute(
                "INSERT INTO users (store_id, id, host_id, name, email, role, notify)
                 VALUES ($1, 1, 'u', 'U', 'u@x.org', 'staff', 'all')",
                vec![],
            )?;
            // Staff messages about each response (params.about), and a delivered one to
            // the customer whose failure reason quotes her address.
            for (k, r) in responses.iter().enumerate() {
                t.execute(
                    "INSERT INTO outbox (store_id, id, message_id, kind, user_id, location_id,
                       channel, language, params, status, due_at, created_at, updated_at)
                     VALUES ($1, $2, $3, 'unhappy_alert', 1, 1, 'email', 'en', $4, 'pending',
                       5, 2, 2)",
                    vec![
                        p(100 + k as i64),
                        p(format!("staff-{k}")),
                        p(format!("{{\"about\":{r},\"text\":\"secret\"}}")),
                    ],
                )?;
            }
            t.execute(
                "INSERT INTO outbox (store_id, id, message_id, kind, customer_id, location_id,
                   channel, language, params, status, due_at, created_at, updated_at,
                   last_error)
                 VALUES ($1, 200, 'old', 'survey_invitation', $2, 1, 'email', 'en',
                   '{\"x\":1}', 'acked', 5, 2, 2, 'bounce c@x.org')",
                vec![p(c)],
            )?;
            let counts = t.erase_customer(c, 9)?;
            let rows = t.query(
                "SELECT 'customer', coalesce(name, '-') || coalesce(email, '-')
                   || include_in_communications || coalesce(erased_at, 0)
                   FROM customers WHERE store_id = $1
                 UNION ALL SELECT 'invitation', coalesce(contact, '-')
                   FROM invitations WHERE store_id = $1
                 UNION ALL SELECT 'response', coalesce(comment, '-') || ' ' || answers
                   FROM responses WHERE store_id = $1
                 UNION ALL SELECT 'comment', body || coalesce(coupon_code, '-')
                   FROM thread_comments WHERE store_id = $1
                 UNION ALL SELECT 'alert', detail FROM alerts WHERE store_id = $1
                 UNION ALL SELECT 'note', note FROM alert_interactions WHERE store_id = $1
                 UNION ALL SELECT 'follow-up', coalesce(comment, '-')
                   FROM alert_follow_ups WHERE store_id = $1
                 UNION ALL SELECT 'outbox', message_id || ' ' || status || ' ' || params || ' '
                   || coalesce(cancel_reason, '-') || ' ' || coalesce(last_error, '-')
                   FROM outbox WHERE store_id = $1
                 ORDER BY 1, 2",
                vec![],
            )?;
            let rows: Vec<String> = rows
                .iter()
                .map(|r| {
                    Ok(format!(
                        "{}: {}",
                        get::<String>(r, 0)?,
                        get::<String>(r, 1)?
                    ))
                })
                .collect::<Result<_>>()?;
            Ok((counts, rows))
        }) else {
            return;
        };
        assert_eq!(
            (counts.responses, counts.texts, counts.messages_cancelled),
            (1, 2, 2),
            "{rows:#?}"
        );
        let answers = "[{\"q\":\"a\",\"text\":\"secret\"},{\"q\":\"b\",\"choice\":2},3]";
        assert_eq!(
            rows,
            [
                "alert: ".to_owned(),
                "alert: secret".into(),
                "comment: -".into(),
                "comment: secretCODE".into(),
                "customer: --09".into(),
                "customer: Name oO@X.ORG10".into(),
                "follow-up: -".into(),
                "follow-up: secret".into(),
                "invitation: -".into(),
                "invitation: 2@x.org".into(),
                "note: ".into(),
                "note: secret".into(),
                "outbox: m-c cancelled {} erased -".into(),
                "outbox: m-o pending {} - -".into(),
                "outbox: old acked {} - -".into(),
                "outbox: staff-0 cancelled {} erased -".into(),
                "outbox: staff-1 pending {\"about\":2,\"text\":\"secret\"} - -".into(),
                "response: - [{\"q\": \"a\"}, {\"q\": \"b\", \"choice\": 2}, 3]".into(),
                format!("response: secret {answers}"),
            ]
        );
    }
}
