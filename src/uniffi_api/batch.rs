//! Mirror of the nightly sync batch the host sends: customers, employees, transactions.

use crate::error::{Error, Problem};
use crate::model as m;

use super::time;

/// One location's nightly sync: the business dates of its sync window and the rows to upsert.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncBatch {
    /// Host id of the location this batch belongs to.
    pub location: String,
    /// Business dates covered (`YYYY-MM-DD`, as `sync_window` gave them); the latest is
    /// the batch's business date.
    pub business_dates: Vec<String>,
    /// Customers to upsert, by host id.
    #[uniffi(default)]
    pub customers: Vec<Customer>,
    /// Employees to upsert, by host id.
    #[uniffi(default)]
    pub employees: Vec<Employee>,
    /// Transactions to upsert and evaluate, by host id.
    #[uniffi(default)]
    pub transactions: Vec<Transaction>,
}

/// A customer as the POS knows it; upserted by host id, store-wide.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Customer {
    /// The host's identifier for the customer (store-wide).
    pub id: String,
    /// Full name, any Unicode.
    #[uniffi(default = None)]
    pub name: Option<String>,
    /// E-mail address; a malformed one is stored and flagged unusable (E6).
    #[uniffi(default = None)]
    pub email: Option<String>,
    /// Phone number, E.164 or local to the store's default country (E3, E6).
    #[uniffi(default = None)]
    pub phone: Option<String>,
    /// Preferred language as a BCP 47 tag, e.g. `fr-CA`.
    #[uniffi(default = None)]
    pub language: Option<String>,
    /// Gender, when the POS records it.
    #[uniffi(default = None)]
    pub gender: Option<Gender>,
    /// The POS's customer reference number.
    #[uniffi(default = None)]
    pub reference: Option<String>,
    /// The POS "include in communications" flag; off means no survey (E2).
    pub include_in_communications: bool,
}

/// A customer's gender as recorded by the POS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Gender {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Any other answer.
    Other,
}

/// An employee who can be credited with a transaction's feedback.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Employee {
    /// The host's identifier for the employee (store-wide).
    pub id: String,
    /// Display name.
    #[uniffi(default = None)]
    pub name: Option<String>,
    /// What the employee does on a transaction.
    pub role: Role,
}

/// The part an employee plays in a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Role {
    /// Sold the goods.
    Salesperson,
    /// Did the service or repair.
    Technician,
    /// Delivered the goods.
    Driver,
}

/// A sale, service or delivery at the batch's location.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Transaction {
    /// The host's identifier for the transaction (store-wide).
    pub id: String,
    /// The customer's host id; absent for an anonymous sale (E6).
    #[uniffi(default = None)]
    pub customer: Option<String>,
    /// Host ids of the employees credited with this transaction (N2).
    #[uniffi(default)]
    pub employees: Vec<String>,
    /// What kind of transaction this is.
    pub kind: TransactionKind,
    /// Amount in minor units of the currency (cents).
    pub amount_minor: i64,
    /// ISO 4217 currency code, e.g. `EUR`.
    pub currency: String,
    /// When the transaction was finalized, Unix milliseconds; absent = not finalized (E1).
    #[uniffi(default = None)]
    pub finalized_at_ms: Option<i64>,
    /// The host excludes this one transaction from surveys (E2, e.g. a warranty repair).
    #[uniffi(default = false)]
    pub exclude: bool,
}

/// The kind of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum TransactionKind {
    /// A sale of goods.
    Sale,
    /// A service or repair.
    Service,
    /// A delivery.
    Delivery,
}

impl SyncBatch {
    /// The model batch, or an invalid-input error listing every date or instant that
    /// cannot be represented (the engine validates everything else).
    pub(super) fn into_model(self) -> Result<m::SyncBatch, Error> {
        let mut problems = Vec::new();
        let mut business_dates = Vec::with_capacity(self.business_dates.len());
        for (i, text) in self.business_dates.iter().enumerate() {
            match time::parse_date(text) {
                Some(d) => business_dates.push(d),
                // Same shape as the JSON door's problem for `business_dates[i]`.
                None => problems.push(Problem {
                    record: "business_dates".to_owned(),
                    index: Some(i as u64),
                    host_id: None,
                    field: String::new(),
                    reason: time::BAD_DATE.to_owned(),
                }),
            }
        }
        let mut transactions = Vec::with_capacity(self.transactions.len());
        for (i, t) in self.transactions.into_iter().enumerate() {
            let finalized_at = match t.finalized_at_ms {
                None => None,
                Some(ms) => match time::field_instant(ms) {
                    Some(at) => Some(at),
                    None => {
                        problems.push(Problem::at(
                            "transactions",
                            i,
                            &t.id,
                            "finalized_at_ms",
                            time::OUT_OF_RANGE,
                        ));
                        None
                    }
                },
            };
            transactions.push(m::Transaction {
                id: t.id,
                customer: t.customer,
                employees: t.employees,
                kind: t.kind.into(),
                amount_minor: t.amount_minor,
                currency: t.currency,
                finalized_at,
                exclude: t.exclude,
            });
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(m::SyncBatch {
            format: m::BATCH_FORMAT,
            location: self.location,
            business_dates,
            customers: self.customers.into_iter().map(Into::into).collect(),
            employees: self.employees.into_iter().map(Into::into).collect(),
            transactions,
        })
    }
}

impl From<Customer> for m::Customer {
    fn from(c: Customer) -> Self {
        m::Customer {
            id: c.id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            language: c.language,
            gender: c.gender.map(Into::into),
            reference: c.reference,
            include_in_communications: c.include_in_communications,
        }
    }
}

impl From<Gender> for m::Gender {
    fn from(g: Gender) -> Self {
        match g {
            Gender::Female => m::Gender::Female,
            Gender::Male => m::Gender::Male,
            Gender::Other => m::Gender::Other,
        }
    }
}

impl From<Employee> for m::Employee {
    fn from(e: Employee) -> Self {
        m::Employee {
            id: e.id,
            name: e.name,
            role: e.role.into(),
        }
    }
}

impl From<Role> for m::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::Salesperson => m::Role::Salesperson,
            Role::Technician => m::Role::Technician,
            Role::Driver => m::Role::Driver,
        }
    }
}

impl From<TransactionKind> for m::TransactionKind {
    fn from(k: TransactionKind) -> Self {
        match k {
            TransactionKind::Sale => m::TransactionKind::Sale,
            TransactionKind::Service => m::TransactionKind::Service,
            TransactionKind::Delivery => m::TransactionKind::Delivery,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(id: &str, finalized_at_ms: Option<i64>) -> Transaction {
        Transaction {
            id: id.to_owned(),
            customer: Some("c1".to_owned()),
            employees: vec![],
            kind: TransactionKind::Sale,
            amount_minor: 100,
            currency: "EUR".to_owned(),
            finalized_at_ms,
            exclude: false,
        }
    }

    #[test]
    fn batch_converts_dates_and_milliseconds() {
        let batch = SyncBatch {
            location: "paris".to_owned(),
            business_dates: vec!["2026-11-20".to_owned()],
            customers: vec![],
            employees: vec![],
            transactions: vec![sale("t1", Some(1_795_212_000_000)), sale("t2", None)],
        };
        let b = batch.into_model().unwrap();
        assert_eq!(b.format, m::BATCH_FORMAT);
        assert_eq!(b.business_dates[0].to_string(), "2026-11-20");
        let at = b.transactions[0].finalized_at.unwrap();
        assert_eq!(at.timestamp_millis(), 1_795_212_000_000);
        assert_eq!(b.transactions[1].finalized_at, None);
    }

    #[test]
    fn bad_dates_and_instants_are_all_listed_without_values() {
        let batch = SyncBatch {
            location: "paris".to_owned(),
            business_dates: vec!["2026-11-20".to_owned(), "20/11/2026".to_owned()],
            customers: vec![],
            employees: vec![],
            transactions: vec![sale("t1", Some(i64::MAX))],
        };
        let err = batch.into_model().unwrap_err();
        let p = err.problems();
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].record.as_str(), p[0].index),
            ("business_dates", Some(1))
        );
        assert_eq!(p[1].host_id.as_deref(), Some("t1"));
        assert_eq!(p[1].field, "finalized_at_ms");
        assert!(!err.to_string().contains("20/11"));
    }
}
