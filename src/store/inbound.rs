//! The inbound SMS area of the storage seam (D4): the phone's customers, its keyword
//! suppression, its open SMS survey and the replies kept.

use crate::error::Result;
use crate::rules::token::TokenKey;
use crate::store::StoredCustomer;

/// The inbound SMS reads and writes a store keeps (mirrors `store/sqlite/inbound.rs`).
pub trait InboundStore {
    /// Every customer whose normalised phone is `phone` (E.164), by row id.
    fn customers_with_phone(&mut self, phone: &str) -> Result<Vec<StoredCustomer>>;

    /// The source of the plain suppression of the phone, if there is one (`keyword`,
    /// `customer`, `contact`, …).
    fn phone_suppression_source(&mut self, phone: &str) -> Result<Option<String>>;

    /// Lifts the phone's suppression if a keyword made it (D4); true when one was lifted.
    fn lift_keyword_suppression(&mut self, phone: &str) -> Result<bool>;

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
}
