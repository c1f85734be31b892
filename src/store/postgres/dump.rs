//! Every stored row of the store as text on PostgreSQL (mirrors `store/sqlite/dump.rs`):
//! the same lines as SQLite's dump for the same rows. The store's tables are those keyed by
//! `store_id` (the column itself is left out of the lines, as the shared tables and the
//! id counters are); columns in declared order, rows by primary key then every column,
//! text ordered by its bytes as SQLite orders it.
//!
//! The two catalog queries read the schema, not a store's rows: they are the statements
//! here without the store predicate (`pg_catalog` only).

use super::{PgTx, get};
use crate::error::{Error, Result};
use crate::hosted::Row;

/// Tables with a store_id that SQLite's file has no counterpart of (the directory of
/// stores, the id counters, the mailers' leases: vendor-level, not the store's data, and
/// closed to the engine role).
const NOT_DUMPED: &[&str] = &["store_counters", "store_leases", "stores"];

/// One stored column: name, type name, position in the primary key (0 = not in it).
struct Column {
    name: String,
    ty: String,
    pk: i32,
}

fn quote_name(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn push_value(line: &mut String, r: &Row, i: usize, ty: &str) -> Result<()> {
    use std::fmt::Write;
    let _ = match ty {
        "int8" => match get::<Option<i64>>(r, i)? {
            Some(v) => write!(line, "{v}"),
            None => write!(line, "NULL"),
        },
        "int4" => match get::<Option<i32>>(r, i)? {
            Some(v) => write!(line, "{v}"),
            None => write!(line, "NULL"),
        },
        "float8" => match get::<Option<f64>>(r, i)? {
            Some(v) => write!(line, "{v:?}"),
            None => write!(line, "NULL"),
        },
        "bytea" => match get::<Option<Vec<u8>>>(r, i)? {
            Some(b) => {
                line.push_str("x'");
                for byte in b {
                    let _ = write!(line, "{byte:02x}");
                }
                write!(line, "'")
            }
            None => write!(line, "NULL"),
        },
        _ => match get::<Option<String>>(r, i)? {
            Some(v) => write!(line, "{v:?}"),
            None => write!(line, "NULL"),
        },
    };
    Ok(())
}

impl crate::store::DumpStore for PgTx<'_> {
    fn dump_rows(&mut self, except: &[(&str, &str)]) -> Result<Vec<String>> {
        // Catalog: the current schema's tables with a store_id column, and their columns.
        let rows = self.tx.query(
            "SELECT c.relname::text, a.attname::text, t.typname::text,
                    coalesce(array_position(k.conkey, a.attnum), 0)::int4
             FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
               AND a.attnum > 0 AND NOT a.attisdropped
             JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
             LEFT JOIN pg_catalog.pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p'
             WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
               AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute s
                           WHERE s.attrelid = c.oid AND s.attname = 'store_id'
                             AND NOT s.attisdropped)
             ORDER BY c.relname COLLATE \"C\", a.attnum",
            vec![],
        )?;
        let mut tables: Vec<(String, Vec<Column>)> = Vec::new();
        for r in &rows {
            let table: String = get(r, 0)?;
            let column = Column {
                name: get(r, 1)?,
                ty: get(r, 2)?,
                // store_id is the key's first column everywhere; SQLite's key starts after.
                pk: get::<i32>(r, 3)? - 1,
            };
            if column.name == "store_id" || NOT_DUMPED.contains(&table.as_str()) {
                continue;
            }
            match tables.last_mut() {
                Some((t, cols)) if *t == table => cols.push(column),
                _ => tables.push((table, vec![column])),
            }
        }
        let mut unused: Vec<&(&str, &str)> = except.iter().collect();
        let mut out = Vec::new();
        for (table, columns) in &tables {
            let kept: Vec<usize> = (0..columns.len())
                .filter(|&i| {
                    let this = |&(t, c): &(&str, &str)| t == table && c == columns[i].name;
                    unused.retain(|e| !this(e));
                    !except.iter().any(this)
                })
                .collect();
            let by = |c: &Column| {
                if c.ty == "text" {
                    format!("{} COLLATE \"C\"", quote_name(&c.name))
                } else {
                    quote_name(&c.name)
                }
            };
            let mut key: Vec<&Column> = columns.iter().filter(|c| c.pk > 0).collect();
            key.sort_by_key(|c| c.pk);
            let order: Vec<String> = key.into_iter().chain(columns.iter()).map(by).collect();
            let names: Vec<String> = columns.iter().map(|c| quote_name(&c.name)).collect();
            let sql = format!(
                "SELECT {} FROM {} WHERE store_id = $1 ORDER BY {}",
                names.join(", "),
                quote_name(table),
                order.join(", ")
            );
            for r in &self.query(&sql, vec![])? {
                let mut line = format!("{table}:");
                for (n, &i) in kept.iter().enumerate() {
                    line.push_str(if n == 0 { " " } else { ", " });
                    line.push_str(&columns[i].name);
                    line.push('=');
                    match get::<Option<String>>(r, i) {
                        Ok(Some(v)) if crate::store::dump::is_secret(table, &columns[i].name) => {
                            line.push_str(&crate::store::dump::masked(v.as_bytes()));
                        }
                        _ => push_value(&mut line, r, i, &columns[i].ty)?,
                    }
                }
                out.push(line);
            }
        }
        if let Some((t, c)) = unused.first() {
            return Err(Error::Internal(format!(
                "the dump's exception {t}.{c} names no stored column"
            )));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use crate::error::Result;
    use crate::model::{Channel, Location, MessageKind, SurveyKind, TransactionKind};
    use crate::store::customers::CustomerRow;
    use crate::store::postgres::values::testkit::{on_pg, on_sqlite};
    use crate::store::transactions::{
        DecisionChanges, DecisionRow, InvitationRow, NewInvitation, TransactionRow,
    };
    use crate::store::{
        CustomerStore, DumpStore, LocationStore, PolicyStore, SettingsStore, TransactionStore,
    };

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn scenario<T>(t: &mut T) -> Result<Vec<String>>
    where
        T: DumpStore
            + LocationStore
            + CustomerStore
            + TransactionStore
            + PolicyStore
            + SettingsStore
            + ?Sized,
    {
        let mut l = Location::new("b", "B \"q\" é", "UTC");
        l.review_link = Some("https://r".into());
        t.upsert_location(&l)?;
        t.upsert_location(&Location::new("A", "A", "UTC"))?;
        t.mark_dates_synced(1, &[d("2026-01-02"), d("2026-01-01")], 5, "sync")?;
        let c = t.insert_customer(
            &CustomerRow {
                host_id: "c".into(),
                email_norm: Some("c@x.org".into()),
                include_in_communications: true,
                ..Default::default()
            },
            7,
        )?;
        t.suppress("email", "c@x.org", 8, "unsubscribe")?;
        t.import_suppression_hashes(&["b".into(), "a".into()], 9, "peer")?;
        let tx = t.insert_transaction(
            &TransactionRow {
                host_id: "t".into(),
                location: 1,
                customer: Some(c),
                kind: TransactionKind::Sale,
                amount_minor: 5,
                currency: "EUR".into(),
                finalized_at_ms: Some(3),
                excluded: false,
                refers_to: None,
            },
            &[],
            d("2026-01-01"),
        )?;
        t.write_decisions(
            &DecisionChanges {
                decisions: vec![(
                    tx,
                    DecisionRow {
                        business_date: d("2026-01-01"),
                        reason: None,
                        eligible_again_on: None,
                        related_customer: None,
                    },
                )],
                invitations: vec![NewInvitation {
                    row: InvitationRow {
                        customer: c,
                        transaction: Some(tx),
                        kind: SurveyKind::Transactional,
                        contact: Some("c@x.org".into()),
                        location: 1,
                        channel: Channel::Email,
                        language: "en".into(),
                        business_date: d("2026-01-01"),
                        due_at_ms: 11,
                    },
                    message_kind: MessageKind::SurveyInvitation,
                    message_id: "m".into(),
                    cancelled: true,
                }],
                replaces_stored: false,
            },
            10,
        )?;
        t.set_location_policy(2, (Some(1), None, None))?;
        // The settings rows differ in form (SQLite's one `value` column is two here); each
        // store's event feed has its own random incarnation (D1).
        let mut out = t.dump_rows(&[("event_meta", "incarnation")])?;
        out.retain(|l| !l.starts_with("setting_values:"));
        out.extend(
            t.dump_rows(&[("sync_dates", "synced_at"), ("outbox", "params")])?
                .into_iter()
                .filter(|l| l.starts_with("sync_dates:") || l.starts_with("outbox:")),
        );
        out.push(format!(
            "{}",
            t.dump_rows(&[("sync_dates", "synced_on")]).is_err()
        ));
        Ok(out)
    }

    #[test]
    fn the_dump_reads_as_on_sqlite() {
        let Some(pg) = on_pg("pg-dump", |t| scenario(t)) else {
            return;
        };
        let lite = on_sqlite(|t| scenario(t));
        assert_eq!(pg, lite);
    }

    /// Blobs and reals are written as SQLite's dump writes them.
    #[test]
    fn blobs_and_reals_read_as_on_sqlite() {
        let Some(lines) = on_pg("pg-dump-types", |t| {
            t.upsert_location(&Location::new("l", "L", "UTC"))?;
            let c = t.insert_customer(&CustomerRow::default(), 1)?;
            t.execute(
                "INSERT INTO link_tokens (store_id, hash, kind, customer_id, created_at)
                 VALUES ($1, '\\x00ff'::bytea, 'survey', $2, 3)",
                vec![crate::hosted::p(c)],
            )?;
            t.execute(
                "INSERT INTO response_deletions (store_id, response_id, responded_at,
                   score_base10, deleted_by, deleted_at)
                 VALUES ($1, 1, 2, 8.5, 'u', 3), ($1, 2, 2, 10, 'u', 3)",
                vec![],
            )?;
            t.dump_rows(&[])
        }) else {
            return;
        };
        let of = |table: &str| -> Vec<&String> {
            lines
                .iter()
                .filter(|l| l.starts_with(&format!("{table}:")))
                .collect()
        };
        assert_eq!(
            of("link_tokens"),
            [
                "link_tokens: hash=x'00ff', kind=\"survey\", invitation_id=NULL, customer_id=1, \
              created_at=3, expires_at=NULL, used_at=NULL, alert_id=NULL"
            ]
        );
        assert_eq!(
            of("response_deletions"),
            [
                "response_deletions: response_id=1, customer=NULL, responded_at=2, \
                 score_base10=8.5, deleted_by=\"u\", deleted_at=3",
                "response_deletions: response_id=2, customer=NULL, responded_at=2, \
                 score_base10=10.0, deleted_by=\"u\", deleted_at=3",
            ]
        );
    }
}
