//! The users area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;
use crate::model::{AlertKind, Assignment, User};

/// A stored user with its row id.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Row id.
    pub rowid: i64,
    /// The user.
    pub user: User,
    /// Still active (not removed).
    pub active: bool,
}

/// A user to write to.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// Row id.
    pub rowid: i64,
    /// Language, if set.
    pub language: Option<String>,
}

/// The users a store keeps (mirrors `store/sqlite/users.rs`).
pub trait UserStore {
    /// Creates or updates a user by host id, with the row ids of its locations.
    fn upsert_user(&mut self, u: &User, locations: &[i64], notify_locations: &[i64])
    -> Result<i64>;

    /// A user by host id (active or removed).
    fn get_user(&mut self, host_id: &str) -> Result<Option<UserRow>>;

    /// A user by row id.
    fn user_by_rowid(&mut self, rowid: i64) -> Result<Option<UserRow>>;

    /// A customer's name by row id.
    fn customer_name(&mut self, rowid: i64) -> Result<Option<String>>;

    /// Every active user, by host id.
    fn list_users(&mut self) -> Result<Vec<User>>;

    /// Marks a user removed; their history stays.
    fn deactivate_user(&mut self, rowid: i64) -> Result<()>;

    /// How many assignments and unfinished alerts a user holds.
    fn user_open_work(&mut self, rowid: i64) -> Result<(u32, u32)>;

    /// Active users who hear about feedback at `location` (A2); `negative` feedback reaches
    /// the "negative only" users too.
    fn notify_recipients(&mut self, location: i64, negative: bool) -> Result<Vec<Recipient>>;

    /// Active owners covering `location`.
    fn location_owners(&mut self, location: i64) -> Result<Vec<Recipient>>;

    /// Sets the one user of an alert kind at a location (0 = store-wide), replacing any (A1).
    fn set_assignment(&mut self, kind: AlertKind, location: i64, user: i64) -> Result<()>;

    /// Removes the assignment of a kind at a location (0 = store-wide); true if there was one.
    fn clear_assignment(&mut self, kind: AlertKind, location: i64) -> Result<bool>;

    /// Every assignment, store-wide defaults first.
    fn list_assignments(&mut self) -> Result<Vec<Assignment>>;

    /// The user row id an alert of `kind` at `location` goes to: the location's, else the
    /// store-wide default (A1).
    fn resolve_assignee(&mut self, kind: AlertKind, location: i64) -> Result<Option<i64>>;
}
