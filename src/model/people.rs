use serde::{Deserialize, Serialize};

/// A customer as the POS knows it; upserted by host id, store-wide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// The host's identifier for the customer (store-wide).
    pub id: String,
    /// Full name, any Unicode.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: Option<String>,
    /// E-mail address; a malformed one is stored and flagged unusable (E6).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub email: Option<String>,
    /// Phone number, E.164 or local to the store's default country (E3, E6).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub phone: Option<String>,
    /// Preferred language as a BCP 47 tag, e.g. `fr-CA`.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub language: Option<String>,
    /// Gender, when the POS records it.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub gender: Option<Gender>,
    /// The POS's customer reference number.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub reference: Option<String>,
    /// The POS "include in communications" flag; off means no survey (E2).
    pub include_in_communications: bool,
}

impl Customer {
    /// A customer with only an id and an e-mail, included in communications.
    pub fn with_email(id: &str, email: &str) -> Self {
        Customer {
            id: id.to_owned(),
            name: None,
            email: Some(email.to_owned()),
            phone: None,
            language: None,
            gender: None,
            reference: None,
            include_in_communications: true,
        }
    }
}

/// A customer's gender as recorded by the POS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Gender {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Any other answer.
    Other,
}

/// An employee who can be credited with a transaction's feedback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Employee {
    /// The host's identifier for the employee (store-wide).
    pub id: String,
    /// Display name.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub name: Option<String>,
    /// What the employee does on a transaction.
    pub role: Role,
}

/// The part an employee plays in a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// Sold the goods.
    Salesperson,
    /// Did the service or repair.
    Technician,
    /// Delivered the goods.
    Driver,
}

impl Gender {
    /// The stable lower-case name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
        }
    }

    /// Parses the name given by [`Gender::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Gender::Female, Gender::Male, Gender::Other]
            .into_iter()
            .find(|g| g.as_str() == s)
    }
}

impl Role {
    /// The stable lower-case name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Salesperson => "salesperson",
            Role::Technician => "technician",
            Role::Driver => "driver",
        }
    }

    /// Parses the name given by [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Role::Salesperson, Role::Technician, Role::Driver]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// What erasing a customer did (right to be forgotten).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Erasure {
    /// Host id of the erased customer (kept, so they are never surveyed again).
    pub customer: String,
    /// Responses kept for the scores, their free text removed.
    pub responses_kept: u64,
    /// Comments and notes emptied.
    pub texts_removed: u64,
    /// Messages to or about the customer that will no longer be sent.
    pub messages_cancelled: u64,
    /// Whether no byte of the erased values is left in the database or its -wal file
    /// (T2); `false` while another connection's open snapshot holds old pages: the scrub
    /// then completes at the next erasure, or at the latest when the engine closes.
    pub scrubbed: bool,
}
