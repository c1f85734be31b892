//! Helpers shared by the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use hearken::{
    Customer, Engine, Location, SkipReason, SyncBatch, SyncReport, Transaction, TransactionKind,
};

/// Parses an RFC 3339 instant.
pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("test timestamp")
}

/// Parses a date.
pub fn day(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

/// The stores the behaviour suite runs on (`HEARKEN_TEST_STORE`); the tests about the
/// SQLite file itself are listed in `tests/sqlite-only.txt` and run on their own files.
pub const STORES: [&str; 2] = ["sqlite-memory", "sqlite-file"];

/// The store under test, from `HEARKEN_TEST_STORE`: `sqlite-memory` (the default) or
/// `sqlite-file`, a fresh file with the default options (WAL) in its own temporary folder,
/// kept until the test process ends.
pub fn store_config() -> hearken::StoreConfig {
    let name = std::env::var("HEARKEN_TEST_STORE").unwrap_or_else(|_| STORES[0].to_owned());
    match name.as_str() {
        "sqlite-memory" => hearken::StoreConfig::Memory,
        "sqlite-file" => {
            let dir = tempfile::Builder::new()
                .prefix("hearken-suite-")
                .tempdir()
                .expect("a temporary folder")
                .keep();
            hearken::StoreConfig::file(dir.join("store.db"))
        }
        #[cfg(feature = "hosted")]
        "postgres" => postgres_store(),
        other => panic!("HEARKEN_TEST_STORE={other:?}: expected one of {STORES:?} or postgres"),
    }
}

/// A fresh store in the test cluster's database (`scripts/pg-cluster.sh env`): the schema
/// installed once by the admin role, a store with a unique text id, opened as the engine
/// role (no ownership, no BYPASSRLS: row-level security applies, H2).
#[cfg(feature = "hosted")]
fn postgres_store() -> hearken::StoreConfig {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let admin_url = std::env::var("HEARKEN_TEST_PG_URL").expect(
        "HEARKEN_TEST_STORE=postgres needs HEARKEN_TEST_PG_URL (scripts/pg-cluster.sh env)",
    );
    let engine_url =
        std::env::var("HEARKEN_TEST_PG_ENGINE_URL").expect("HEARKEN_TEST_PG_ENGINE_URL");
    // Once per test process: installing takes DDL locks that would deadlock with the
    // other tests' transactions.
    static INSTALLED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    INSTALLED.get_or_init(|| {
        hearken::hosted::schema::install(&admin_url).expect("schema install");
    });
    let admin = hearken::hosted::PgClient::connect(&admin_url).expect("admin connection");
    let id = format!(
        "suite-{}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    hearken::hosted::schema::create_store(&admin, &id).expect("create store");
    hearken::StoreConfig::Postgres {
        url: engine_url,
        store: id,
    }
}

/// A fresh, empty engine on the store under test ([`store_config`]).
pub fn open_store() -> Engine {
    Engine::open_store(&store_config()).expect("the store under test opens")
}

/// A fresh engine on the store under test with Paris and Seoul locations.
pub fn engine() -> Engine {
    let e = open_store();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    e.upsert_location(&Location::new("seoul", "서울 매장", "Asia/Seoul"))
        .unwrap();
    e
}

/// A finalized sale of `customer` at `finalized` (RFC 3339 with offset).
pub fn sale(id: &str, customer: Option<&str>, finalized: Option<&str>) -> Transaction {
    Transaction {
        id: id.into(),
        customer: customer.map(Into::into),
        employees: vec![],
        kind: TransactionKind::Sale,
        amount_minor: 1000,
        currency: "EUR".into(),
        finalized_at: finalized.map(|f| f.parse().expect("test finalized_at")),
        exclude: false,
        refers_to: None,
    }
}

/// A Paris batch for `date` holding the given customers (by id, with e-mails) and sales.
pub fn batch(location: &str, date: &str, customers: &[&str], sales: Vec<Transaction>) -> SyncBatch {
    let mut b = SyncBatch::new(location, day(date));
    b.customers = customers
        .iter()
        .map(|c| Customer::with_email(c, &format!("{c}@example.com")))
        .collect();
    b.transactions = sales;
    b
}

/// A Paris batch for `date` with one sale `t-{customer}-{date}` at 10:00 local per customer
/// (by id, with e-mails; callers replace the customer records they need).
pub fn one_sale_each(date: &str, customers: &[&str]) -> SyncBatch {
    let sales = customers
        .iter()
        .map(|c| {
            sale(
                &format!("t-{c}-{date}"),
                Some(c),
                Some(&format!("{date}T10:00:00+01:00")),
            )
        })
        .collect();
    batch("paris", date, customers, sales)
}

/// 23:00 in Paris on `date` (winter time), as UTC.
pub fn paris_night(date: &str) -> DateTime<Utc> {
    at(&format!("{date}T22:00:00Z"))
}

/// An ordered dump of every table, to prove a rejected input changed nothing.
pub fn dump(path: &std::path::Path) -> Vec<String> {
    let c = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = c
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1, 2"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let mut s = format!("{t}:");
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    s.push_str(&format!("{v:?}|"));
                }
                Ok(s)
            })
            .unwrap();
        for r in rows {
            out.push(r.unwrap());
        }
    }
    out
}

/// The skipped transactions of a report with their reasons, in batch order.
pub fn skipped(r: &SyncReport) -> Vec<(String, SkipReason)> {
    r.skipped
        .iter()
        .map(|s| (s.transaction.clone(), s.reason))
        .collect()
}

/// The transactions a report invited, in batch order.
pub fn invited(r: &SyncReport) -> Vec<String> {
    r.invitations
        .iter()
        .map(|i| i.transaction.clone())
        .collect()
}

/// Runs the `hearken` CLI as a process on `db` (with $HEARKEN_DB unset): its exit code and
/// its stderr.
pub fn cli(db: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hearken"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("HEARKEN_DB")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A Paris batch for 2026-11-20: one customer per (id, language, name), each with an
/// e-mail and a sale at 10:00.
pub fn people_batch(people: &[(&str, &str, &str)]) -> SyncBatch {
    let ids: Vec<&str> = people.iter().map(|p| p.0).collect();
    let sales = ids
        .iter()
        .map(|c| {
            sale(
                &format!("t-{c}"),
                Some(c),
                Some("2026-11-20T10:00:00+01:00"),
            )
        })
        .collect();
    let mut b = batch("paris", "2026-11-20", &ids, sales);
    b.customers = people
        .iter()
        .map(|(id, lang, name)| {
            let mut c = Customer::with_email(id, &format!("{id}@example.com"));
            c.language = Some((*lang).into());
            c.name = Some((*name).into());
            c
        })
        .collect();
    b
}

/// The token of a survey, unsubscribe or receipt link: its last path segment.
pub fn link_token(link: &str) -> String {
    link.rsplit('/')
        .next()
        .expect("a link with a path")
        .to_owned()
}

/// Claims up to `limit` messages due at `now` and acks each at `now`, as a host that
/// delivered them all would: the delivered messages, in claim order.
pub fn deliver(e: &Engine, limit: u32, now: DateTime<Utc>) -> Vec<hearken::OutboundMessage> {
    let claimed = e.claim(limit, now).expect("claim");
    for m in &claimed {
        e.ack(&m.message_id, now).expect("ack");
    }
    claimed
}
