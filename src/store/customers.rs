//! The customers area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;
use crate::hash::{HashMap, HashSet};
use crate::model::Gender;
use chrono::{DateTime, Utc};

/// Which of the lists checked for every customer of a sync or claim are empty (see
/// [`CustomerStore::lists_empty`]): an empty list needs no look-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListsEmpty {
    /// The imported suppression hashes (E3).
    pub suppression_hashes: bool,
    /// The store's own suppressions (E3).
    pub suppressions: bool,
    /// The hard bounces (D3).
    pub bounces: bool,
}

/// A customer as stored: host fields plus normalised contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerRow {
    /// Host id.
    pub host_id: String,
    /// Name.
    pub name: Option<String>,
    /// E-mail as given.
    pub email: Option<String>,
    /// Normalised e-mail; `None` when absent or unusable.
    pub email_norm: Option<String>,
    /// Phone as given.
    pub phone: Option<String>,
    /// E.164 phone; `None` when absent or unusable.
    pub phone_norm: Option<String>,
    /// BCP 47 language.
    pub language: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// POS reference number.
    pub reference: Option<String>,
    /// "Include in communications".
    pub include_in_communications: bool,
}

/// A stored customer with its row id.
#[derive(Debug, Clone)]
pub struct StoredCustomer {
    /// Row id.
    pub rowid: i64,
    /// Stored fields.
    pub row: CustomerRow,
    /// The customer was erased (right to be forgotten): keep personal fields empty.
    pub erased: bool,
}

/// A batch's customer as the store holds it (see
/// [`CustomerStore::find_customers_to_write`]).
#[derive(Debug, Clone)]
pub enum CustomerMatch {
    /// Not stored: a new customer.
    New,
    /// Stored with exactly the fields the batch sends, and not erased: nothing to write.
    Unchanged {
        /// Row id.
        rowid: i64,
    },
    /// Stored with other fields, or erased.
    Stored(Box<StoredCustomer>),
}

impl CustomerMatch {
    /// What the store holds of a customer the batch sends as `row`, given the stored one.
    pub fn of(stored: Option<StoredCustomer>, row: &CustomerRow) -> Self {
        match stored {
            None => CustomerMatch::New,
            Some(s) if !s.erased && s.row == *row => CustomerMatch::Unchanged { rowid: s.rowid },
            Some(s) => CustomerMatch::Stored(Box::new(s)),
        }
    }
}

/// What erasing a customer changed.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErasedCounts {
    /// Responses kept for the scores, their free text removed.
    pub responses: u64,
    /// Thread comments and interaction notes emptied.
    pub texts: u64,
    /// Messages to or about the customer that will no longer be sent.
    pub messages_cancelled: u64,
}

/// The customers a store keeps (mirrors `store/sqlite/customers.rs`).
pub trait CustomerStore {
    /// The stored customers among `host_ids`, by host id.
    fn find_customers(&mut self, host_ids: &[&str]) -> Result<HashMap<String, StoredCustomer>>;

    /// The stored customers among `rowids`, in one query.
    fn customers_by_rowid(&mut self, rowids: &[i64]) -> Result<Vec<StoredCustomer>>;

    /// Inserts a new customer and returns its row id.
    fn insert_customer(&mut self, c: &CustomerRow, now_ms: i64) -> Result<i64>;

    /// What the store holds of each of `rows` (a part of a batch's own customers, as the
    /// batch would write them, before they are written), by host id, in order: the stored
    /// customer is returned only when it differs or was erased. By default one look-up
    /// each (a store file answers each from its page cache); a networked store overrides it
    /// with one query.
    fn find_customers_to_write(&mut self, rows: &[CustomerRow]) -> Result<Vec<CustomerMatch>> {
        rows.iter()
            .map(|row| Ok(CustomerMatch::of(self.find_customer(&row.host_id)?, row)))
            .collect()
    }

    /// Inserts new customers, in order; their row ids, in order. By default one insert
    /// each; a networked store overrides it with one multi-row statement.
    fn insert_customers(&mut self, rows: &[CustomerRow], now_ms: i64) -> Result<Vec<i64>> {
        rows.iter()
            .map(|c| self.insert_customer(c, now_ms))
            .collect()
    }

    /// Overwrites a known customer's fields.
    fn update_customer(&mut self, rowid: i64, c: &CustomerRow, now_ms: i64) -> Result<()>;

    /// When the customer was first suppressed by host id, e-mail or phone, if ever (E3).
    /// A phone only an SMS opt-out word suppressed (source `keyword`, D4) counts only when
    /// `sms` is set: it stops text messages to that phone, not e-mail surveys; with `sms`
    /// a keyword's earlier date counts too.
    fn suppressed_since(
        &mut self,
        host_id: &str,
        email_norm: Option<&str>,
        phone_norm: Option<&str>,
        sms: bool,
    ) -> Result<Option<DateTime<Utc>>>;

    /// Which of the customers `(host id, e-mail, phone)` are suppressed by host id or by a
    /// contact (E3), in one query for the whole list; a keyword-suppressed phone counts only
    /// when `sms` is set, as for [`suppressed_since`](Self::suppressed_since).
    fn suppressed_among(
        &mut self,
        customers: &[(&str, Option<&str>, Option<&str>)],
        sms: bool,
    ) -> Result<HashSet<String>>;

    /// Which of `hashes` are on the imported suppression list, in one query.
    fn hashes_suppressed_among(&mut self, hashes: &[String]) -> Result<HashSet<String>>;

    /// Adds a suppression entry; an existing one keeps its original date. Who asked is
    /// kept apart (D4): a keyword (`source` `keyword`) is recorded as the keyword's ask
    /// (its date) beside any other source's, and another source asking after a keyword
    /// alone becomes the entry's source and date, so START lifts only the keyword's ask.
    fn suppress(&mut self, kind: &str, value: &str, now_ms: i64, source: &str) -> Result<()>;

    /// Adds a plain contact suppression on behalf of customer row `customer` (T2): erasing
    /// her later finds it. An existing entry keeps its date and learns whose contact it is;
    /// sources are kept apart as [`suppress`](Self::suppress) says.
    fn suppress_for_customer(
        &mut self,
        kind: &str,
        value: &str,
        now_ms: i64,
        source: &str,
        customer: i64,
    ) -> Result<()>;

    /// Marks the plain suppressions of contacts customer row `customer` had as hers, before a
    /// sync replaces them (T2): erasing her later still finds them.
    fn link_suppressed_contacts(
        &mut self,
        customer: i64,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<()>;

    /// Every normalised contact hearken knows customer row `customer` had (T2): the record's
    /// own, the ones her invitations were addressed to, and the plain suppressions made on
    /// her behalf; as (`email` | `phone`, value), without repeats.
    fn contacts_ever(&mut self, customer: i64) -> Result<Vec<(String, String)>>;

    /// Whether the store still matches hashes made with the empty pepper of versions before 9
    /// (T2): set by the migration when such hashes existed.
    fn legacy_empty_pepper(&mut self) -> Result<bool>;

    /// Suppresses by host id every customer whose normalised e-mail (`kind` `email`) or
    /// phone (`phone`) is `value`, so the unsubscribe of a contact holds for its customers
    /// when they later change it (E3). Existing entries keep their date.
    fn suppress_holders(
        &mut self,
        kind: &str,
        value: &str,
        now_ms: i64,
        source: &str,
    ) -> Result<()>;

    /// One stored customer by host id.
    fn find_customer(&mut self, host_id: &str) -> Result<Option<StoredCustomer>>;

    /// The host id of a customer row.
    fn customer_host_id(&mut self, rowid: i64) -> Result<Option<String>>;

    /// Whether any of `hashes` is on the imported suppression list.
    fn hash_suppressed(&mut self, hashes: &[String]) -> Result<bool>;

    /// Which of the lists a sync or a claim checks are empty (E3, D3): the imported
    /// hashes, the local suppressions and the bounces, together (one statement on a
    /// networked store).
    fn lists_empty(&mut self) -> Result<ListsEmpty>;

    /// Adds imported hashes; returns how many were new.
    fn import_suppression_hashes(
        &mut self,
        hashes: &[String],
        now_ms: i64,
        source: &str,
    ) -> Result<u64>;

    /// Every locally suppressed e-mail and phone, as (kind, normalised value).
    fn suppressed_contacts(&mut self) -> Result<Vec<(String, String)>>;

    /// Every suppression hash imported from other stores.
    fn imported_hashes(&mut self) -> Result<Vec<String>>;

    /// Removes a customer's personal fields and every free text about them, keeping the
    /// scores (right to be forgotten). Suppression hashes are the caller's job.
    fn erase_customer(&mut self, rowid: i64, now_ms: i64) -> Result<ErasedCounts>;

    /// Drops the plain-text local suppressions of these normalised contacts.
    fn drop_plain_suppressions(&mut self, contacts: &[(String, String)]) -> Result<()>;
}
