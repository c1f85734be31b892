use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// A sale, service or delivery at the batch's location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Transaction {
    /// The host's identifier for the transaction (store-wide).
    pub id: String,
    /// The customer's host id; absent for an anonymous sale (E6).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub customer: Option<String>,
    /// Host ids of the employees credited with this transaction (N2).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub employees: Vec<String>,
    /// What kind of transaction this is.
    pub kind: TransactionKind,
    /// Amount in minor units of the currency (cents).
    pub amount_minor: i64,
    /// ISO 4217 currency code, e.g. `EUR`.
    pub currency: String,
    /// When the transaction was finalized, RFC 3339 with an offset; absent = not finalized (E1).
    #[serde(default, with = "crate::wire::time::offset_opt")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub finalized_at: Option<DateTime<FixedOffset>>,
    /// The host excludes this one transaction from surveys (E2, e.g. a warranty repair).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub exclude: bool,
    /// For a `refund` or `void`: the host id of the original sale (P6); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub refers_to: Option<String>,
}

/// The kind of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransactionKind {
    /// A sale of goods.
    Sale,
    /// A service or repair.
    Service,
    /// A delivery.
    Delivery,
    /// A refund, partial or whole, of the sale named by `refers_to` (P6); never surveyed.
    Refund,
    /// A void of the sale named by `refers_to` (P6); never surveyed.
    Void,
}

impl TransactionKind {
    /// The stable lower-case name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionKind::Sale => "sale",
            TransactionKind::Service => "service",
            TransactionKind::Delivery => "delivery",
            TransactionKind::Refund => "refund",
            TransactionKind::Void => "void",
        }
    }

    /// A refund or void, which cancels its sale's survey and is never surveyed (P6).
    pub fn cancels_sale(self) -> bool {
        matches!(self, TransactionKind::Refund | TransactionKind::Void)
    }

    /// Parses the name given by [`TransactionKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            TransactionKind::Sale,
            TransactionKind::Service,
            TransactionKind::Delivery,
            TransactionKind::Refund,
            TransactionKind::Void,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}
