//! The storage seam: what the engine asks of a store, one trait per area, and the rows those
//! traits speak. Each store owns its SQL and its schema: `sqlite/` (the embedded default).
//!
//! The engine holds a [`Backend`] and runs each use case in one of its transactions, a
//! `&mut dyn Tx`; what only a file store can do (backup, integrity check, journal mode) is
//! reached through [`Backend::file_store`], `None` on other stores.

use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

mod alerts;
pub(crate) mod analytics;
mod clicks;
mod consent;
mod customers;
pub(crate) mod dates;
mod dump;
mod events;
mod exports;
mod inbound;
mod locations;
mod outbox;
mod policy;
#[cfg(feature = "hosted")]
pub mod postgres;
mod responses;
mod rollups;
pub(crate) mod settings;
pub mod sqlite;
mod subject;
mod transactions;
mod users;
mod webhooks;

pub use alerts::AlertStore;
pub use analytics::AnalyticsStore;
pub use clicks::ClickStore;
pub use consent::{ConsentRow, ConsentStore};
pub use customers::CustomerStore;
pub use dump::DumpStore;
pub use events::EventStore;
pub use exports::ExportStore;
pub use inbound::{InboundStore, KeywordLift, PhoneSuppression};
pub use locations::LocationStore;
pub use outbox::OutboxStore;
pub use policy::PolicyStore;
pub use responses::ResponseStore;
pub use rollups::RollupStore;
pub use settings::SettingsStore;
pub use subject::SUBJECT_TABLES;
pub use subject::SubjectStore;
pub use transactions::TransactionStore;
pub use users::UserStore;
pub use webhooks::{WebhookRow, WebhookStore};

pub use alerts::{AlertFilter, AlertRow, AlertStamp, NewAlert, NewComment, ResponseContact};
pub use customers::{CustomerMatch, CustomerRow, ListsEmpty, StoredCustomer};
pub use events::{NewEvent, StoredEvent, new_incarnation};
pub use locations::LocationRow;
pub use outbox::{Claimable, MessageState, NewMessage, TokenOwner};
pub use policy::{
    History, KnownSale, KnownSales, LatestPurchase, PersonKey, RelationshipRow, STORE_SCOPE,
};
pub use responses::{LocationInfo, ResponseRow, SurveyLink};
pub use rollups::TOTAL;
pub use sqlite::{SCHEMA_VERSION, Store};
pub use transactions::{
    DecisionChanges, DecisionRow, InvitationRow, NewInvitation, StoredTransaction, TransactionRow,
};
pub use users::UserRow;

/// One transaction on a store: every area's trait. The engine's use cases receive
/// `&mut dyn Tx`; a read gets one snapshot, a write is applied whole or not at all.
pub trait Tx:
    AlertStore
    + AnalyticsStore
    + ClickStore
    + ConsentStore
    + CustomerStore
    + DumpStore
    + EventStore
    + ExportStore
    + InboundStore
    + LocationStore
    + OutboxStore
    + PolicyStore
    + ResponseStore
    + RollupStore
    + SettingsStore
    + SubjectStore
    + TransactionStore
    + UserStore
    + WebhookStore
{
}

impl<
    T: AlertStore
        + AnalyticsStore
        + ClickStore
        + ConsentStore
        + CustomerStore
        + DumpStore
        + EventStore
        + ExportStore
        + InboundStore
        + InboundStore
        + LocationStore
        + OutboxStore
        + PolicyStore
        + ResponseStore
        + RollupStore
        + SettingsStore
        + SubjectStore
        + TransactionStore
        + UserStore
        + WebhookStore
        + ?Sized,
> Tx for T
{
}

/// A store the engine holds: its transactions, and what every kind of store can do.
pub trait Backend: Send {
    /// Runs `f` in a write transaction: committed when it returns `Ok`, rolled back (and
    /// nothing written) otherwise. Write transactions on one store are serialised.
    fn write_dyn(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()>;

    /// [`Backend::write_dyn`] for a sync's or a backfill's batch, whose every reference
    /// (a sale's customer and location, an invitation's sale, a message's invitation) the
    /// engine resolved from this store in the same transaction: a store may skip checking
    /// each written row's foreign keys again. The SQLite store does (see
    /// [`sqlite::Store::write_resolved`]); others write as [`Backend::write_dyn`].
    fn write_resolved_dyn(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        self.write_dyn(f)
    }

    /// Runs `f` in a read transaction, so it sees one snapshot.
    fn read_dyn(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()>;

    /// The version of the store's schema.
    fn schema_version(&self) -> Result<i64>;

    /// After an erasure: makes sure no erased value stays behind in the store's logs (T2);
    /// `false` when another reader held it back (close finishes it, or reports it).
    fn finish_scrub(&mut self) -> Result<bool>;

    /// Appends the text of every statement the store starts to `sink` (`None` stops it).
    /// For the query-plan test, not for hosts.
    fn trace_statements(&mut self, sink: Option<Arc<Mutex<Vec<String>>>>) -> Result<()>;

    /// Tunes the store for a long import (`true`: a backfill's groups of nights) and back
    /// to everyday use (`false`). The SQLite store enlarges its page cache meanwhile.
    fn tune_for_import(&mut self, importing: bool) -> Result<()>;

    /// Closes the store ([`Error::ScrubIncomplete`] when an erasure's scrub is still
    /// pending); it is closed either way.
    fn close(self: Box<Self>) -> Result<()>;

    /// The store as one SQLite file, for the file-only operations; `None` on other stores.
    fn file_store(&mut self) -> Option<&mut sqlite::Store>;
}

impl dyn Backend + '_ {
    /// Runs `f` in a write transaction and returns what it returned.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        once(f, |body| self.write_dyn(body))
    }

    /// Runs `f` in a write transaction of a batch whose references the engine resolved
    /// (see [`Backend::write_resolved_dyn`]) and returns what it returned.
    pub fn write_resolved<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        once(f, |body| self.write_resolved_dyn(body))
    }

    /// Runs `f` in a read transaction and returns what it returned.
    pub fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        once(f, |body| self.read_dyn(body))
    }

    /// The file store, or [`Error::Unsupported`] naming what needs one.
    pub fn file_only(&mut self, what: &'static str) -> Result<&mut sqlite::Store> {
        self.file_store().ok_or(Error::Unsupported(what))
    }
}

/// Runs `f` as the body `run` (one of a backend's `_dyn` transactions) calls, and returns
/// what it returned: `write`, `write_resolved` and `read` over the object-safe
/// `FnMut` the trait takes.
fn once<T>(
    f: impl FnOnce(&mut dyn Tx) -> Result<T>,
    run: impl FnOnce(&mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()>,
) -> Result<T> {
    let mut f = Some(f);
    let mut out = None;
    run(&mut |tx| {
        let f = f.take().ok_or_else(called_twice)?;
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(called_twice)
}

/// A backend ran a transaction body not exactly once: a bug in that backend.
fn called_twice() -> Error {
    Error::Internal("a store ran a transaction body other than once".to_owned())
}
