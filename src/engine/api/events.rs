//! The event feed (D1): what changed, in order, read with a cursor.

use crate::error::Result;
use crate::model::EventsPage;

use crate::engine::{Engine, events};

impl Engine {
    /// Up to `limit` (1 to 1000) events after `after_cursor` (`None`: from the oldest
    /// kept), oldest first, with the cursor to read on from; or, instead of a silent gap,
    /// [`EventsPage::CursorExpired`] when the events after the cursor were pruned, and
    /// [`EventsPage::ForeignCursor`] when the cursor is from another incarnation of the
    /// store (a restored backup, an import), both carrying the oldest valid cursor.
    ///
    /// A cursor that is not one, or a limit out of range, is invalid input naming
    /// `after_cursor` or `limit`.
    pub fn events(&self, after_cursor: Option<&str>, limit: u32) -> Result<EventsPage> {
        events::check_read(after_cursor, limit)?;
        self.reader()?
            .read(|c| events::read(c, after_cursor, limit))
    }
}
