//! The `Engine` object: one method per public method of [`crate::Engine`].

use std::sync::Arc;

use crate::wire;

use super::batch::SyncBatch;
use super::config::{Location, OpenOptions, Settings};
use super::error::HearkenError;
use super::report::{
    BackfillProgress, BackfillReport, Explanation, InvitationSummary, SyncReport, SyncWindow,
};
use super::time;

/// A handle on one store's hearken database; share it between threads.
#[derive(uniffi::Object)]
pub struct Engine {
    inner: crate::Engine,
}

/// Receives the progress of a backfill import, after each batch is committed.
#[uniffi::export(callback_interface)]
pub trait BackfillListener: Send + Sync {
    /// Called after each committed batch. Throwing does not stop the import (its batches
    /// are already committed); a listener that throws is not called again.
    fn on_progress(&self, progress: BackfillProgress) -> Result<(), HearkenError>;
}

type Answer<T> = Result<T, HearkenError>;

#[uniffi::export]
impl Engine {
    /// Opens (creating and migrating as needed) the database at `path` with default options.
    #[uniffi::constructor]
    pub fn new(path: String) -> Answer<Arc<Self>> {
        Ok(Self::wrap(crate::Engine::open(path)?))
    }

    /// Opens the database at `path` with the given options.
    #[uniffi::constructor]
    pub fn open_with(path: String, options: OpenOptions) -> Answer<Arc<Self>> {
        Ok(Self::wrap(crate::Engine::open_with(path, &options.into())?))
    }

    /// Opens a private in-memory database (tests, demos).
    #[uniffi::constructor]
    pub fn open_in_memory() -> Answer<Arc<Self>> {
        Ok(Self::wrap(crate::Engine::open_in_memory()?))
    }

    /// The store-wide settings.
    pub fn settings(&self) -> Answer<Settings> {
        Ok(self.inner.settings()?.into())
    }

    /// Replaces the store-wide settings after validating them.
    pub fn set_settings(&self, settings: Settings) -> Answer<()> {
        Ok(self.inner.set_settings(&settings.into())?)
    }

    /// Creates or updates a location by host id.
    pub fn upsert_location(&self, location: Location) -> Answer<()> {
        Ok(self.inner.upsert_location(&location.into())?)
    }

    /// One location by host id.
    pub fn location(&self, id: String) -> Answer<Location> {
        Ok(self.inner.location(&id)?.into())
    }

    /// Every location, by host id.
    pub fn locations(&self) -> Answer<Vec<Location>> {
        Ok(convert(self.inner.locations()?))
    }

    /// Enables or disables a location's surveys (E7); the last enabled one stays enabled.
    pub fn set_location_enabled(&self, id: String, enabled: bool) -> Answer<()> {
        Ok(self.inner.set_location_enabled(&id, enabled)?)
    }

    /// Runs the nightly sync of one batch: validate, upsert, decide, queue invitations.
    pub fn sync(&self, batch: SyncBatch, now_ms: i64) -> Answer<SyncReport> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let batch = batch.into_model()?;
        Ok(self.inner.sync(&batch, now)?.into())
    }

    /// `sync` on a batch given as JSON (docs/batch-format.md); returns the report as JSON.
    pub fn sync_json(&self, json: String, now_ms: i64) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(wire::to_json(&self.inner.sync_json(&json, now)?))
    }

    /// Imports a backfill file (JSON lines of batches), telling `listener` after each batch.
    pub fn backfill_file(
        &self,
        path: String,
        now_ms: i64,
        listener: Option<Box<dyn BackfillListener>>,
    ) -> Answer<BackfillReport> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        let mut listener = listener;
        let report = self.inner.backfill_file(path, now, |progress| {
            if let Some(l) = &listener {
                if l.on_progress(progress.into()).is_err() {
                    listener = None;
                }
            }
        })?;
        Ok(report.into())
    }

    /// The business dates the host must send tonight for a location (S2).
    pub fn sync_window(&self, location: String, now_ms: i64) -> Answer<SyncWindow> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.sync_window(&location, now)?.into())
    }

    /// `sync_window` as JSON, the form every door returns.
    pub fn sync_window_json(&self, location: String, now_ms: i64) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(wire::to_json(&self.inner.sync_window(&location, now)?))
    }

    /// The next instant (Unix milliseconds) at which a location syncs (S1).
    pub fn next_sync_at(&self, location: String, now_ms: i64) -> Answer<i64> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(time::ms(self.inner.next_sync_at(&location, now)?))
    }

    /// Why a customer did or did not get surveys (E9).
    pub fn explain(&self, customer: String, now_ms: i64) -> Answer<Explanation> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.explain(&customer, now)?.into())
    }

    /// `explain` as JSON, the form every door returns.
    pub fn explain_json(&self, customer: String, now_ms: i64) -> Answer<String> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(wire::to_json(&self.inner.explain(&customer, now)?))
    }

    /// Unsubscribes a known customer from every survey at every location (E3).
    pub fn unsubscribe_customer(&self, customer: String, now_ms: i64) -> Answer<()> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.unsubscribe_customer(&customer, now)?)
    }

    /// Unsubscribes an e-mail address or phone number, known or not yet (E3).
    pub fn unsubscribe_contact(&self, contact: String, now_ms: i64) -> Answer<()> {
        let now = time::arg_instant(now_ms, "now_ms")?;
        Ok(self.inner.unsubscribe_contact(&contact, now)?)
    }

    /// Invitations waiting for delivery, oldest first.
    pub fn pending_invitations(&self) -> Answer<Vec<InvitationSummary>> {
        Ok(convert(self.inner.pending_invitations()?))
    }
}

impl Engine {
    fn wrap(inner: crate::Engine) -> Arc<Self> {
        Arc::new(Engine { inner })
    }
}

fn convert<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}
