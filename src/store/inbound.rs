//! The inbound SMS area of the storage seam (D4): the phone's customers, its keyword
//! suppression, its open SMS survey and the replies kept.

use crate::error::Result;
use crate::rules::token::TokenKey;
use crate::store::StoredCustomer;

/// Who asked for a phone's plain suppression (D4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneSuppression {
    /// The source of the suppression: `keyword` when only an SMS keyword asked for it,
    /// else the first other source that did (`customer`, `contact`, …).
    pub source: String,
    /// An SMS keyword asked for it (and START has not withdrawn that ask since).
    pub keyword: bool,
}

/// What START did to a phone's suppression (D4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordLift {
    /// No keyword asked for a suppression of the phone: nothing changed.
    NotAsked,
    /// The keyword's ask was withdrawn; another source's suppression still holds.
    OthersHold,
    /// Only a keyword had asked: the suppression is lifted.
    Lifted,
}

/// The inbound SMS reads and writes a store keeps (mirrors `store/sqlite/inbound.rs`).
pub trait InboundStore {
    /// Every customer whose normalised phone is `phone` (E.164), by row id.
    fn customers_with_phone(&mut self, phone: &str) -> Result<Vec<StoredCustomer>>;

    /// The plain suppression of the phone, if there is one: who asked for it.
    fn phone_suppression(&mut self, phone: &str) -> Result<Option<PhoneSuppression>>;

    /// Withdraws an SMS keyword's ask for the phone's suppression (D4): the suppression is
    /// lifted when no one else asked for it, else only the keyword's ask goes.
    fn lift_keyword_suppression(&mut self, phone: &str) -> Result<KeywordLift>;

    /// The survey link of the latest SMS invitation to a customer with this phone that is
    /// neither answered, used nor expired at `now_ms`.
    fn open_sms_survey(&mut self, phone: &str, now_ms: i64) -> Result<Option<TokenKey>>;

    /// Keeps an inbound reply from `phone` (for customer row `customer`, when one has it);
    /// returns its id.
    fn insert_inbound_reply(
        &mut self,
        phone: &str,
        customer: Option<i64>,
        body: &str,
        received_ms: i64,
    ) -> Result<i64>;

    /// Deletes the inbound replies of customer row `customer` and of the phones `phones`
    /// (erasure, T2); returns how many.
    fn erase_inbound_replies(&mut self, customer: i64, phones: &[String]) -> Result<u64>;

    /// Erasure (T2, D6): cancels hearken's own messages to the phones `phones` not yet
    /// delivered (`sms_keyword_reply`: an opt-out's confirmation, a HELP text; pending or
    /// in flight, reason `erased`), whoever they were queued for, and empties the stored
    /// text and recipient of every one of them; returns how many were cancelled.
    fn erase_phone_replies(&mut self, phones: &[String], now_ms: i64) -> Result<u64>;
}
