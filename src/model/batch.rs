use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Customer, Employee, Transaction};

/// The only batch format version this library reads and writes.
pub const BATCH_FORMAT: u32 = 1;

/// One location's nightly sync: the business dates of its sync window and the rows to upsert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct SyncBatch {
    /// Wire format version; must be [`BATCH_FORMAT`].
    #[cfg_attr(feature = "uniffi", uniffi(default = 1))]
    pub format: u32,
    /// Host id of the location this batch belongs to.
    pub location: String,
    /// Business dates covered by this batch (S2); the latest is the batch's business date.
    #[serde(with = "crate::wire::time::dates")]
    pub business_dates: Vec<NaiveDate>,
    /// Customers to upsert, by host id.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub customers: Vec<Customer>,
    /// Employees to upsert, by host id.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub employees: Vec<Employee>,
    /// Transactions to upsert and evaluate, by host id.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub transactions: Vec<Transaction>,
}

impl SyncBatch {
    /// An empty batch for one location and business date.
    pub fn new(location: &str, business_date: NaiveDate) -> Self {
        SyncBatch {
            format: BATCH_FORMAT,
            location: location.to_owned(),
            business_dates: vec![business_date],
            customers: Vec::new(),
            employees: Vec::new(),
            transactions: Vec::new(),
        }
    }

    /// The batch's business date: the latest of its dates.
    pub fn business_date(&self) -> Option<NaiveDate> {
        self.business_dates.iter().max().copied()
    }
}
