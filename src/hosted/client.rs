//! A synchronous PostgreSQL client for the synchronous engine (H3, H6).
//!
//! - One process-wide tokio runtime on threads of its own (`hearken-pg`), built on first
//!   use and never dropped, drives every connection. A synchronous caller sends each piece
//!   of work to it and blocks on a std channel, so a call works from any host thread,
//!   including from inside a task of the host's own tokio runtime (even a `current_thread`
//!   one): the work never runs on, nor waits for, the caller's runtime. (The `postgres`
//!   crate would panic there: "Cannot start a runtime from within a runtime".)
//! - One `deadpool-postgres` pool per distinct connection string, shared by every
//!   [`PgClient`] of the process.
//! - [`PgClient::with_transaction`] runs a body in one transaction for one store: the store
//!   key set with `set_config('hearken.store', …, true)` (what the row-level security
//!   policies read), `lock_timeout` and `statement_timeout` for this transaction only, and
//!   the store's transaction-level advisory lock for a write transaction, all in one
//!   batch with the `BEGIN`, pipelined with the body's first statement (no round trip of
//!   its own). Nothing survives the transaction, so a transaction-pooling proxy sees a
//!   self-contained unit (but see [`PgClient::statement_cache`]). The one statement run
//!   outside any transaction (opening a store) is unnamed and sent in one message.
//! - Failures are [`Error::Storage`]: lock and statement timeouts, serialization failures,
//!   deadlocks and lost connections are [`StorageFailure::Busy`] (retryable), and so is a
//!   server that gives no answer within the statement timeout plus [`Timeouts::network`]
//!   (the connection is then closed, not pooled); messages never carry the password or
//!   the connection string.
//! - A body may open another transaction (another connection of the pool), but not a
//!   write transaction of its own store: that waits for the lock its caller holds, until
//!   `lock_timeout`.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{NoTls, Row};

use super::config::PgConfig;
use super::tls;
use crate::error::{Error, Result, StorageError, StorageFailure};

/// The first key of every advisory lock hearken takes: "HEAR". The second key is the store's.
pub const LOCK_CLASS: i32 = 0x4845_4152;

/// The advisory lock class of schema installs and migrations ("HEAS"), key 0.
pub const SCHEMA_LOCK_CLASS: i32 = 0x4845_4153;

/// A statement parameter, owned so it can travel to the runtime thread: `p(42i64)`.
pub type Param = Box<dyn ToSql + Send + Sync + 'static>;

/// Boxes a value as a [`Param`].
pub fn p<T: ToSql + Send + Sync + 'static>(value: T) -> Param {
    Box::new(value)
}

/// How long a transaction may wait for a lock (the store's advisory lock included) and how
/// long one statement may run; each ends in a retryable [`StorageFailure::Busy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// `lock_timeout` (5 s by default, SQLite's busy wait of an embedded store).
    pub lock: Duration,
    /// `statement_timeout` (30 s by default).
    pub statement: Duration,
    /// How much longer than `statement` the client waits for any answer before it gives
    /// the connection up (10 s by default): a server that stopped answering or a
    /// network that drops packets silently ends in a retryable error, not a hung caller.
    pub network: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            lock: Duration::from_secs(5),
            statement: Duration::from_secs(30),
            network: Duration::from_secs(10),
        }
    }
}

fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> =
        OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("hearken-pg")
                .enable_io()
                .enable_time()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::Internal(format!("cannot start the PostgreSQL runtime: {e}")))
}

/// Runs `work` on the process-wide runtime and blocks the calling thread until it is done.
/// The caller may be any thread, a task of another tokio runtime included.
fn run<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> Result<T> {
    let (send, receive) = std::sync::mpsc::sync_channel(1);
    runtime()?.spawn(async move {
        let _ = send.send(work.await);
    });
    receive
        .recv()
        .map_err(|_| Error::Internal("the PostgreSQL runtime dropped a piece of work".into()))
}

/// The process-wide pools, by connection string, each with its parsed configuration (so
/// opening another store of a known string parses nothing).
type Pools = HashMap<String, (Arc<PgConfig>, Arc<Pool>)>;

fn pools() -> &'static Mutex<Pools> {
    static POOLS: OnceLock<Mutex<Pools>> = OnceLock::new();
    POOLS.get_or_init(Default::default)
}

fn new_pool(config: &PgConfig) -> Result<Pool> {
    let manager_config = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = match tls::connector(config)? {
        Some(tls) => Manager::from_config(config.pg.clone(), tls, manager_config),
        None => Manager::from_config(config.pg.clone(), NoTls, manager_config),
    };
    Pool::builder(manager)
        .max_size(config.pool_max_size)
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(30)))
        .create_timeout(Some(Duration::from_secs(15)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the PostgreSQL pool: {e}")))
}

/// The failure class of a PostgreSQL error: what a retry may cure is [`StorageFailure::Busy`].
fn classify(e: &tokio_postgres::Error) -> StorageFailure {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        return match code {
            // lock_not_available (lock_timeout), query_canceled (statement_timeout),
            // serialization_failure, deadlock_detected, admin_shutdown
            // (pg_terminate_backend), crash_shutdown, cannot_connect_now,
            // too_many_connections, idle_in_transaction_session_timeout.
            "55P03" | "57014" | "40001" | "40P01" | "57P01" | "57P02" | "57P03" | "53300"
            | "25P03" => StorageFailure::Busy,
            c if c.starts_with("08") => StorageFailure::Busy,
            "XX001" | "XX002" => StorageFailure::Corrupt,
            _ => StorageFailure::Other,
        };
    }
    if e.is_closed() {
        return StorageFailure::Busy;
    }
    // A TLS refusal (bad chain, wrong host name) is a configuration problem, not busy.
    let mut source = std::error::Error::source(e);
    let mut io = false;
    while let Some(s) = source {
        if s.downcast_ref::<rustls::Error>().is_some() {
            return StorageFailure::Other;
        }
        if let Some(ioe) = s.downcast_ref::<std::io::Error>() {
            if ioe
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
            {
                return StorageFailure::Other;
            }
            io = true;
        }
        source = s.source();
    }
    if io || e.to_string().contains("timeout") {
        StorageFailure::Busy
    } else {
        StorageFailure::Other
    }
}

fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        // The primary message only: the detail may quote a stored value.
        Some(db) => format!("postgres {}: {}", db.code().code(), db.message()),
        None => {
            let mut m = format!("postgres: {e}");
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                let text = s.to_string();
                if !m.contains(&text) {
                    m.push_str(": ");
                    m.push_str(&text);
                }
                source = s.source();
            }
            m
        }
    }
}

pub(crate) fn pg_error(config: &PgConfig, e: &tokio_postgres::Error) -> Error {
    Error::Storage(StorageError::new(classify(e), config.redact(&describe(e))))
}

fn pool_error(config: &PgConfig, e: &PoolError) -> Error {
    match e {
        PoolError::Backend(e) => pg_error(config, e),
        PoolError::Timeout(_) => Error::Storage(StorageError::new(
            StorageFailure::Busy,
            "postgres: timed out waiting for a connection of the pool",
        )),
        other => Error::Storage(StorageError::new(
            StorageFailure::Other,
            config.redact(&format!("postgres pool: {other}")),
        )),
    }
}

fn busy(message: &str) -> Error {
    Error::Storage(StorageError::new(StorageFailure::Busy, message))
}

/// One piece of work on a connection.
enum Op {
    /// Statements without parameters, one round trip (simple query protocol).
    Batch(String),
    Execute {
        sql: String,
        params: Vec<Param>,
        cache: bool,
    },
    Query {
        sql: String,
        params: Vec<Param>,
        cache: bool,
    },
    /// A query as one unnamed statement: Parse, Bind, Describe, Execute and Sync in one
    /// message, each parameter with its type, no statement name to outlive it (what a
    /// statement outside any transaction needs behind a transaction-pooling proxy).
    QueryUnnamed {
        sql: String,
        params: Vec<(Param, Type)>,
    },
}

enum Answer {
    Done,
    Count(u64),
    Rows(Vec<Row>),
}

/// Why an [`Op`] failed.
enum Failure {
    Pg(tokio_postgres::Error),
    /// No answer within the deadline: the connection was closed.
    Deadline,
}

async fn perform(object: &Object, op: &Op) -> std::result::Result<Answer, tokio_postgres::Error> {
    let (sql, params, cache, query) = match op {
        Op::Batch(sql) => return object.batch_execute(sql).await.map(|()| Answer::Done),
        Op::QueryUnnamed { sql, params } => {
            let typed: Vec<(&(dyn ToSql + Sync), Type)> = params
                .iter()
                .map(|(p, t)| (p.as_ref() as &(dyn ToSql + Sync), t.clone()))
                .collect();
            return object.query_typed(sql, &typed).await.map(Answer::Rows);
        }
        Op::Execute { sql, params, cache } => (sql, params, *cache, false),
        Op::Query { sql, params, cache } => (sql, params, *cache, true),
    };
    let refs: Vec<&(dyn ToSql + Sync)> = params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let statement = if cache {
        object.prepare_cached(sql).await?
    } else {
        object.prepare(sql).await?
    };
    if query {
        object.query(&statement, &refs).await.map(Answer::Rows)
    } else {
        object.execute(&statement, &refs).await.map(Answer::Count)
    }
}

/// A transaction's opening batch (`BEGIN`, the store, the timeouts, the lock) and its
/// first piece of work, pipelined: both go out before either answer is read, so opening a
/// transaction costs no round trip of its own. The server runs them in order; a failed
/// opening (a lock timeout, say) fails the piece of work after it too ("current
/// transaction is aborted"), and the opening's error is the one answered.
async fn perform_opening(
    object: &Object,
    begin: &str,
    op: &Op,
) -> std::result::Result<Answer, tokio_postgres::Error> {
    use std::task::Poll;
    // Polled in this order, so the opening is queued on the connection first (each request
    // is queued when its future is first polled).
    let mut opening = std::pin::pin!(object.batch_execute(begin));
    let mut work = std::pin::pin!(perform(object, op));
    let (mut opened, mut answered) = (None, None);
    let (opened, answered) = std::future::poll_fn(|cx| {
        if opened.is_none()
            && let Poll::Ready(r) = opening.as_mut().poll(cx)
        {
            opened = Some(r);
        }
        if answered.is_none()
            && let Poll::Ready(r) = work.as_mut().poll(cx)
        {
            answered = Some(r);
        }
        match (opened.take(), answered.take()) {
            (Some(o), Some(a)) => Poll::Ready((o, a)),
            (o, a) => {
                (opened, answered) = (o, a);
                Poll::Pending
            }
        }
    })
    .await;
    opened?;
    answered
}

/// What goes to a connection in one trip through the runtime.
enum Work {
    /// One piece of work.
    One(Op),
    /// A transaction's opening batch and its first piece of work, pipelined.
    Opening { begin: String, op: Op },
}

impl Work {
    /// Pieces of work sent (what [`PgClient::statements_sent`] counts).
    fn pieces(&self) -> u64 {
        match self {
            Work::One(_) => 1,
            Work::Opening { .. } => 2,
        }
    }
}

/// What came back of a [`Work`]: the connection (unless it is closed or gave no answer in
/// time: then it is dropped, never pooled), the answer, and the work itself, for a retry
/// on another connection.
type Outcome = (Option<Object>, std::result::Result<Answer, Failure>, Work);

/// Runs `work` on `object` on the runtime, waiting at most `deadline`.
fn on_connection(
    object: Object,
    work: Work,
    deadline: Duration,
    sent: &AtomicU64,
) -> Result<Outcome> {
    sent.fetch_add(work.pieces(), Ordering::Relaxed);
    run(async move {
        let answer = match &work {
            Work::One(op) => tokio::time::timeout(deadline, perform(&object, op)).await,
            Work::Opening { begin, op } => {
                tokio::time::timeout(deadline, perform_opening(&object, begin, op)).await
            }
        };
        match answer {
            Ok(r) => {
                let object = if object.is_closed() {
                    drop(Object::take(object));
                    None
                } else {
                    Some(object)
                };
                (object, r.map_err(Failure::Pg), work)
            }
            Err(_) => {
                drop(Object::take(object));
                (None, Err(Failure::Deadline), work)
            }
        }
    })
}

/// Whether `failure` is a pooled connection the server had ended while it sat idle (a
/// restart, `pg_terminate_backend`): nothing of the work was committed, so it may be sent
/// again on another connection.
fn stale(failure: &Failure) -> bool {
    match failure {
        Failure::Pg(e) => e.is_closed() || e.code().is_some_and(|c| c.code() == "57P01"),
        Failure::Deadline => false,
    }
}

fn failure_error(config: &PgConfig, failure: &Failure) -> Error {
    match failure {
        Failure::Pg(e) => pg_error(config, e),
        Failure::Deadline => busy(
            "postgres: no answer from the server in time; the connection was closed (nothing of an unfinished transaction is committed)",
        ),
    }
}

/// A handle on a PostgreSQL database: cheap to clone, one shared pool per connection
/// string in the process.
#[derive(Clone)]
pub struct PgClient {
    config: Arc<PgConfig>,
    pool: Arc<Pool>,
    timeouts: Timeouts,
    statement_cache: bool,
    /// Pieces of work sent to the server by this handle and its clones.
    sent: Arc<AtomicU64>,
    /// Where the text of every statement its transactions run is recorded, when set.
    trace: Option<Trace>,
}

/// A sink of statement texts (see [`PgClient::trace_statements`]).
type Trace = Arc<Mutex<Vec<String>>>;

impl fmt::Debug for PgClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgClient")
            .field("config", &self.config)
            .field("timeouts", &self.timeouts)
            .field("statement_cache", &self.statement_cache)
            .finish()
    }
}

/// What a transaction is for.
#[derive(Debug, Clone, Copy)]
enum Scope {
    /// One store's work; `write` takes its advisory lock.
    Store { key: i64, write: bool },
    /// Administration and lookups outside any store: no store set (row-level security
    /// then refuses the store tables to a role without BYPASSRLS), no lock.
    Admin,
}

impl PgClient {
    /// The client of `url` (see [`PgConfig::parse`]), sharing the process-wide pool of that
    /// string, after checking that a connection can be made (TLS and login included).
    pub fn connect(url: &str) -> Result<PgClient> {
        let client = PgClient::shared(url)?;
        drop(client.checkout()?);
        Ok(client)
    }

    /// The client of `url` on the process-wide pool of that string, made (and the string
    /// parsed) on first use, without a trip to the server: its first statement is what
    /// finds out whether a connection can be made.
    pub(crate) fn shared(url: &str) -> Result<PgClient> {
        let (config, pool) = {
            let mut pools = pools().lock().unwrap_or_else(|e| e.into_inner());
            match pools.get(url) {
                Some((config, pool)) => (config.clone(), pool.clone()),
                None => {
                    let config = Arc::new(PgConfig::parse(url)?);
                    let pool = Arc::new(new_pool(&config)?);
                    pools.insert(url.to_owned(), (config.clone(), pool.clone()));
                    (config, pool)
                }
            }
        };
        let statement_cache = config.statement_cache;
        Ok(PgClient {
            config,
            pool,
            timeouts: Timeouts::default(),
            statement_cache,
            sent: Arc::new(AtomicU64::new(0)),
            trace: None,
        })
    }

    /// The same client with other timeouts.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> PgClient {
        self.timeouts = timeouts;
        self
    }

    /// Whether statements are prepared once per connection and kept (the default) or
    /// prepared and closed within each call. Turn it off behind a transaction-pooling
    /// proxy that does not track prepared statements (PgBouncer before 1.21). The URL's
    /// `statement_cache=off` turns it off from the start. Off, each transaction's opening
    /// batch also drops whatever named statements its server connection holds
    /// (`DEALLOCATE ALL`), so a name left there by another client cannot collide.
    pub fn statement_cache(mut self, on: bool) -> PgClient {
        self.statement_cache = on;
        self
    }

    /// The parsed connection string (its `Debug` redacts the password).
    pub fn config(&self) -> &PgConfig {
        &self.config
    }

    /// How many pieces of work this handle (and its clones) sent to the server: each
    /// transaction's opening batch, each statement, each COMMIT or ROLLBACK. What a test
    /// counts to show that a night's writes take the same number of statements whatever
    /// their size.
    pub fn statements_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Records the SQL text of every statement (not the parameters) the transactions of
    /// this handle run from now on into `sink`; `None` stops recording. What the
    /// query-plan test reads (tests/hosted_plans.rs); one branch per statement when off.
    pub(crate) fn trace_statements(&mut self, sink: Option<Arc<Mutex<Vec<String>>>>) {
        self.trace = sink;
    }

    /// Whether two clients share one pool (they do when opened with the same string).
    pub fn shares_pool_with(&self, other: &PgClient) -> bool {
        Arc::ptr_eq(&self.pool, &other.pool)
    }

    fn checkout(&self) -> Result<Object> {
        checkout(&self.pool, &self.config)
    }

    /// Runs one query alone, outside any transaction of this client's (PostgreSQL's
    /// autocommit: one round trip, no `BEGIN` nor `COMMIT`), with no store set: for a
    /// read that needs none, such as what opening a store checks. A pooled connection the
    /// server ended while idle is replaced, as [`with_transaction`](Self::with_transaction)
    /// does.
    ///
    /// Each parameter comes with its PostgreSQL type, and the query goes out as one
    /// unnamed statement in one message (Parse, Bind, Describe, Execute, Sync), whatever
    /// [`statement_cache`](Self::statement_cache) says: outside a transaction, a proxy in
    /// transaction mode may give each Sync-ended message another server connection, so a
    /// named statement prepared by one message and bound by the next could reach a
    /// server connection that never saw it (26000), and its Close another one, leaving
    /// the name behind for a later Parse to collide with (42P05).
    pub(crate) fn query_alone(&self, sql: &str, params: Vec<(Param, Type)>) -> Result<Vec<Row>> {
        let deadline = self.timeouts.statement + self.timeouts.network;
        let mut work = Work::One(Op::QueryUnnamed {
            sql: sql.to_owned(),
            params,
        });
        let mut attempt = 0;
        loop {
            attempt += 1;
            let object = self.checkout()?;
            let (object, r, back) = on_connection(object, work, deadline, &self.sent)?;
            // A statement alone leaves no transaction open: the connection is pooled again.
            drop(object);
            match r {
                Ok(Answer::Rows(rows)) => return Ok(rows),
                Ok(_) => return Err(Error::Internal("a query answered no rows".into())),
                Err(failure) if stale(&failure) && attempt <= self.config.pool_max_size => {
                    work = back;
                }
                Err(failure) => return Err(failure_error(&self.config, &failure)),
            }
        }
    }

    /// Runs `body` in one write transaction of the store `store_key`: the store set for
    /// row-level security, the timeouts, and the store's advisory lock
    /// (`pg_advisory_xact_lock(LOCK_CLASS, key)`, the key's low 32 bits) taken before the
    /// body runs. Commits when the body returns `Ok` and every statement succeeded, rolls
    /// back otherwise. A pooled connection found dead before the body ran (the server
    /// restarted, or ended it) is replaced, as many times as the pool has connections.
    ///
    /// A connection lost during the body leaves nothing committed (the server rolls the
    /// transaction back) and the call fails with a retryable error. One lost during the
    /// `COMMIT` itself is retryable too, but whether that commit took effect is unknown,
    /// as with any client/server database: the store layer's writes must stay idempotent
    /// for a retry (they are, by host ids), or check before writing again.
    pub fn with_transaction<T>(
        &self,
        store_key: i64,
        body: impl FnOnce(&mut Tx) -> Result<T>,
    ) -> Result<T> {
        self.transaction(
            Scope::Store {
                key: store_key,
                write: true,
            },
            body,
        )
    }

    /// [`with_transaction`](Self::with_transaction) without the advisory lock: for reads.
    pub fn with_read_transaction<T>(
        &self,
        store_key: i64,
        body: impl FnOnce(&mut Tx) -> Result<T>,
    ) -> Result<T> {
        self.transaction(
            Scope::Store {
                key: store_key,
                write: false,
            },
            body,
        )
    }

    /// A transaction with no store set and no lock: for administration (installing the
    /// schema, creating stores) and for finding a store's key.
    pub fn with_admin_transaction<T>(&self, body: impl FnOnce(&mut Tx) -> Result<T>) -> Result<T> {
        self.transaction(Scope::Admin, body)
    }

    fn begin_sql(&self, scope: Scope) -> String {
        let lock_ms = self.timeouts.lock.as_millis();
        let statement_ms = self.timeouts.statement.as_millis();
        // Integers only are formatted in: one simple-protocol round trip, no injection.
        let (store, lock) = match scope {
            Scope::Store { key, write } => (
                key.to_string(),
                if write {
                    // The two-int form: hearken's class and the store key's low 32 bits.
                    format!(
                        " SELECT pg_advisory_xact_lock({LOCK_CLASS}, {});",
                        key as i32
                    )
                } else {
                    String::new()
                },
            ),
            Scope::Admin => (String::new(), String::new()),
        };
        // Without the statement cache (behind a transaction-pooling proxy), the server
        // connection this transaction got may hold named statements another client left
        // there (one whose Close reached another server connection); they are dropped
        // before this transaction prepares its own, so no name can collide (42P05).
        let clear = if self.statement_cache {
            ""
        } else {
            " DEALLOCATE ALL;"
        };
        format!(
            "BEGIN ISOLATION LEVEL READ COMMITTED;{clear} SELECT set_config('hearken.store', '{store}', true), \
             set_config('lock_timeout', '{lock_ms}ms', true), \
             set_config('statement_timeout', '{statement_ms}ms', true);{lock}"
        )
    }

    fn transaction<T>(&self, scope: Scope, body: impl FnOnce(&mut Tx) -> Result<T>) -> Result<T> {
        let mut tx = Tx {
            object: None,
            opening: Some(self.begin_sql(scope)),
            pool: self.pool.clone(),
            config: self.config.clone(),
            failed: false,
            statement_cache: self.statement_cache,
            opening_deadline: self.timeouts.lock + self.timeouts.statement + self.timeouts.network,
            deadline: self.timeouts.statement + self.timeouts.network,
            sent: self.sent.clone(),
            trace: self.trace.clone(),
            counters: None,
            before_commit: None,
        };
        // The connection is taken now, so a pool that cannot give one fails the call
        // before the body runs; the opening batch waits for the body's first statement.
        tx.object = Some(self.checkout()?);
        // What the store layer deferred to the end (its id counters) is written last,
        // inside the transaction: a failure there rolls everything back.
        let outcome = body(&mut tx).and_then(|value| match tx.before_commit.take() {
            Some(flush) if !tx.failed => flush(&mut tx).map(|()| value),
            _ => Ok(value),
        });
        match outcome {
            Ok(value) if !tx.failed => {
                tx.finish("COMMIT")?;
                Ok(value)
            }
            Ok(_) => {
                let _ = tx.finish("ROLLBACK");
                Err(Error::Internal(
                    "a statement failed inside the transaction but its error was not returned; rolled back"
                        .into(),
                ))
            }
            Err(e) => {
                let _ = tx.finish("ROLLBACK");
                Err(e)
            }
        }
    }
}

fn checkout(pool: &Arc<Pool>, config: &PgConfig) -> Result<Object> {
    let pool = Pool::clone(pool);
    run(async move { pool.get().await })?.map_err(|e| pool_error(config, &e))
}

/// One open transaction. Its methods block until PostgreSQL answers; a failed statement
/// fails the whole transaction (PostgreSQL's rule), which then rolls back.
///
/// The transaction's opening batch goes out with its first statement, pipelined (one
/// round trip for both): the store, the timeouts and, for a write, the store's lock are
/// in force before that statement runs, exactly as if the opening had its own trip.
pub struct Tx {
    object: Option<Object>,
    /// The opening batch, until it is sent with the first piece of work.
    opening: Option<String>,
    pool: Arc<Pool>,
    config: Arc<PgConfig>,
    failed: bool,
    statement_cache: bool,
    /// How long the opening and first statement may go without an answer (the opening
    /// may wait `lock_timeout` for the store's lock).
    opening_deadline: Duration,
    /// How long one statement may go without an answer before the connection is dropped.
    deadline: Duration,
    sent: Arc<AtomicU64>,
    trace: Option<Trace>,
    /// Id counters the store layer read once and advances in memory during this
    /// transaction (it holds the store's lock), by name: the next value, and whether this
    /// transaction advanced it. Written back by [`before_commit`](Self::before_commit).
    pub(crate) counters: Option<Counters>,
    /// Run after the body returned `Ok` and before `COMMIT`, when set: the store layer's
    /// write-back of what it deferred (one statement for every counter advanced).
    pub(crate) before_commit: Option<fn(&mut Tx) -> Result<()>>,
}

/// The id counters of one store in one transaction (see [`Tx`]).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// The store's key.
    pub store: i64,
    /// By counter name: the next value, and whether this transaction advanced it.
    pub next: HashMap<String, (i64, bool)>,
}

impl fmt::Debug for Tx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tx")
            .field("open", &self.object.is_some())
            .field("failed", &self.failed)
            .finish()
    }
}

impl Tx {
    fn submit(&mut self, op: Op) -> Result<Answer> {
        if let Some(begin) = self.opening.take() {
            return self.open_with(begin, op);
        }
        let Some(object) = self.object.take() else {
            return Err(busy(
                "postgres: the connection of this transaction was lost; nothing of it was committed",
            ));
        };
        let (object, r, _) = on_connection(object, Work::One(op), self.deadline, &self.sent)?;
        self.object = object;
        r.map_err(|failure| {
            self.failed = true;
            failure_error(&self.config, &failure)
        })
    }

    /// Sends the opening batch and `op` together. A pooled connection found ended by the
    /// server (a restart, `pg_terminate_backend` while it was idle) is replaced and both
    /// are sent again, as many times as the pool has connections: nothing of the
    /// transaction can have been committed, and the body has seen no answer yet.
    fn open_with(&mut self, begin: String, op: Op) -> Result<Answer> {
        let mut work = Work::Opening { begin, op };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let object = match self.object.take() {
                Some(object) => object,
                None => checkout(&self.pool, &self.config)?,
            };
            let (object, r, back) = on_connection(object, work, self.opening_deadline, &self.sent)?;
            match r {
                Ok(answer) => {
                    self.object = object;
                    return Ok(answer);
                }
                Err(failure) if stale(&failure) && attempt <= self.config.pool_max_size => {
                    if let Some(object) = object {
                        drop(Object::take(object));
                    }
                    work = back;
                }
                Err(failure) => {
                    self.object = object;
                    self.failed = true;
                    return Err(failure_error(&self.config, &failure));
                }
            }
        }
    }

    fn statement(&self, sql: &str, params: Vec<Param>, query: bool) -> Op {
        if let Some(trace) = &self.trace {
            trace
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(sql.to_owned());
        }
        let (sql, cache) = (sql.to_owned(), self.statement_cache);
        if query {
            Op::Query { sql, params, cache }
        } else {
            Op::Execute { sql, params, cache }
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&mut self, sql: &str, params: Vec<Param>) -> Result<u64> {
        match self.submit(self.statement(sql, params, false))? {
            Answer::Count(n) => Ok(n),
            _ => unreachable!("execute answers a count"),
        }
    }

    /// Runs one query; its rows.
    pub fn query(&mut self, sql: &str, params: Vec<Param>) -> Result<Vec<Row>> {
        match self.submit(self.statement(sql, params, true))? {
            Answer::Rows(rows) => Ok(rows),
            _ => unreachable!("query answers rows"),
        }
    }

    /// Runs one query that returns at most one row.
    pub fn query_opt(&mut self, sql: &str, params: Vec<Param>) -> Result<Option<Row>> {
        let mut rows = self.query(sql, params)?;
        if rows.len() > 1 {
            return Err(Error::Internal(format!(
                "a query for at most one row returned {}",
                rows.len()
            )));
        }
        Ok(rows.pop())
    }

    /// Runs one query that returns exactly one row.
    pub fn query_one(&mut self, sql: &str, params: Vec<Param>) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| Error::Internal("a query for one row returned none".into()))
    }

    /// Runs statements without parameters in one round trip (simple query protocol).
    pub fn batch_execute(&mut self, sql: &str) -> Result<()> {
        self.submit(Op::Batch(sql.to_owned())).map(|_| ())
    }

    /// COMMIT or ROLLBACK; the connection goes back to the pool only when that worked. A
    /// transaction whose body sent nothing commits its opening alone (a write transaction
    /// still waits for its store's lock, and a lock timeout still fails the call); one that
    /// rolls back before sending anything sends nothing.
    fn finish(&mut self, sql: &'static str) -> Result<()> {
        if self.opening.is_some() && sql == "ROLLBACK" {
            self.opening = None;
            // Nothing reached the server: the connection is as the pool gave it.
            drop(self.object.take());
            return Ok(());
        }
        let r = self.submit(Op::Batch(sql.to_owned()));
        match (r, self.object.take()) {
            (Ok(_), Some(object)) => {
                drop(object);
                Ok(())
            }
            (Ok(_), None) => Ok(()),
            (Err(e), object) => {
                if let Some(object) = object {
                    drop(Object::take(object));
                }
                Err(e)
            }
        }
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        // Still open here means the body panicked: close the connection rather than pool
        // it mid-transaction; the server rolls the transaction back.
        if let Some(object) = self.object.take() {
            drop(Object::take(object));
        }
    }
}
