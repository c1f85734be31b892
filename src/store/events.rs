//! The events area of the storage seam (D1): the ordered log of changes a host may mirror,
//! its per-store counter and the store's incarnation.

use crate::error::Result;

/// An event to append: its type, when, and its data (a JSON object's text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// `area.verb.vN`.
    pub kind: &'static str,
    /// When the change was made, in Unix ms.
    pub at_ms: i64,
    /// The data, a JSON object's text.
    pub data: String,
}

/// An event as stored: its place in the log (`seq`) and what was appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Its number in the store's counter: gap-free in commit order, never reused.
    pub seq: i64,
    /// `area.verb.vN`.
    pub kind: String,
    /// When the change was made, in Unix ms.
    pub at_ms: i64,
    /// The data, a JSON object's text.
    pub data: String,
}

/// The event log a store keeps (mirrors `store/sqlite/events.rs`).
pub trait EventStore {
    /// Appends `events` in order, numbered after the last number given (in this write
    /// transaction, which holds the store's write lock: numbers are gap-free in commit order
    /// and never given twice). One call per change set: a sync appends its invitations'
    /// events at once. Returns whether any webhook subscription is active (D2), read in
    /// the same statement as the last number given, so an append to a store without
    /// subscriptions costs no second statement (or round trip). With no events, appends
    /// nothing and returns `false`.
    fn insert_events(&mut self, events: &[NewEvent]) -> Result<bool>;

    /// Up to `limit` events numbered above `after`, in order.
    fn events_after(&mut self, after: i64, limit: u32) -> Result<Vec<StoredEvent>>;

    /// The number of the oldest event kept (`None` when none is), and the last number
    /// given (0 before the first event).
    fn event_bounds(&mut self) -> Result<(Option<i64>, i64)>;

    /// The number and time of up to `limit` oldest events, in order (what a prune reads).
    fn oldest_events(&mut self, limit: u32) -> Result<Vec<(i64, i64)>>;

    /// Deletes every event numbered `seq` or below; the last number given is kept (in the
    /// meta row), so it is never given again.
    fn delete_events_through(&mut self, seq: i64) -> Result<u32>;

    /// The store's incarnation: a random text made when the store was created, renewed
    /// when a copy of it starts a life of its own (a backup, an import).
    fn incarnation(&mut self) -> Result<String>;

    /// Gives the store a new random incarnation and returns it (a hosted export's file).
    #[cfg_attr(not(feature = "hosted"), allow(dead_code))]
    fn renew_incarnation(&mut self) -> Result<String>;
}

/// A new random incarnation: 16 hex characters from the OS RNG.
pub fn new_incarnation() -> Result<String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| {
        crate::error::Error::Internal(format!("the OS random number generator failed: {e}"))
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
