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
    #[serde(default, with = "crate::rules::time::strict::offset_opt")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub finalized_at: Option<DateTime<FixedOffset>>,
    /// The host excludes this one transaction from surveys (E2, e.g. a warranty repair).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub exclude: bool,
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
}

impl TransactionKind {
    /// The stable lower-case name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionKind::Sale => "sale",
            TransactionKind::Service => "service",
            TransactionKind::Delivery => "delivery",
        }
    }

    /// Parses the name given by [`TransactionKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            TransactionKind::Sale,
            TransactionKind::Service,
            TransactionKind::Delivery,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}
