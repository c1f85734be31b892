use serde::{Deserialize, Serialize};

/// Why a finalized transaction did not produce a survey invitation (E1–E9, P1–P8).
///
/// Codes are stable across releases and shared by every door; [`SkipReason::ALL`] lists
/// the reasons in the precedence order of P8 (E9's list extended): when several rules
/// apply, the first one is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[repr(u32)]
#[non_exhaustive]
pub enum SkipReason {
    /// E1: the transaction is not finalized yet.
    NotFinalized = 1,
    /// E2: the host excluded this transaction.
    Excluded = 2,
    /// E7: the location is disabled.
    LocationDisabled = 3,
    /// E6: the sale has no customer.
    Anonymous = 4,
    /// S3: finalized more than `max_age_days` before the batch's business date.
    TooOld = 5,
    /// E2: the customer's "include in communications" is off.
    CommunicationsOff = 6,
    /// E3: the customer is unsubscribed (globally).
    Unsubscribed = 7,
    /// E6: no usable e-mail (e-mail channel) or phone (SMS channel).
    NoUsableContact = 8,
    /// E8: the transaction already has an invitation.
    AlreadyInvited = 9,
    /// E4: the customer had an invitation within the cooldown.
    Cooldown = 10,
    /// E5: another transaction of the customer in the same batch got the invitation.
    OnePerBatch = 11,
    /// P6: the sale was refunded or voided before it was evaluated.
    Refunded = 12,
    /// P2: the store-wide contact cap (`min_gap_days`, `max_per_year`) holds the person.
    ContactCap = 13,
    /// P4: the location reached its monthly response quota.
    QuotaReached = 14,
    /// P4: the customer is outside tonight's sample (`sample_percent`).
    NotSampled = 15,
    /// P4: the location's daily cap was reached for the business date.
    DailyCap = 16,
}

impl SkipReason {
    /// Every reason, in P8 precedence order (E9's list extended).
    pub const ALL: [SkipReason; 16] = [
        SkipReason::NotFinalized,
        SkipReason::Excluded,
        SkipReason::Refunded,
        SkipReason::LocationDisabled,
        SkipReason::Anonymous,
        SkipReason::TooOld,
        SkipReason::CommunicationsOff,
        SkipReason::Unsubscribed,
        SkipReason::NoUsableContact,
        SkipReason::AlreadyInvited,
        SkipReason::Cooldown,
        SkipReason::ContactCap,
        SkipReason::OnePerBatch,
        SkipReason::QuotaReached,
        SkipReason::NotSampled,
        SkipReason::DailyCap,
    ];

    /// The stable snake_case name, as in JSON and docs/rules.md.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::NotFinalized => "not_finalized",
            SkipReason::Excluded => "excluded",
            SkipReason::LocationDisabled => "location_disabled",
            SkipReason::Anonymous => "anonymous",
            SkipReason::TooOld => "too_old",
            SkipReason::CommunicationsOff => "communications_off",
            SkipReason::Unsubscribed => "unsubscribed",
            SkipReason::NoUsableContact => "no_usable_contact",
            SkipReason::AlreadyInvited => "already_invited",
            SkipReason::Cooldown => "cooldown",
            SkipReason::OnePerBatch => "one_per_batch",
            SkipReason::Refunded => "refunded",
            SkipReason::ContactCap => "contact_cap",
            SkipReason::QuotaReached => "quota_reached",
            SkipReason::NotSampled => "not_sampled",
            SkipReason::DailyCap => "daily_cap",
        }
    }

    /// Parses the name given by [`SkipReason::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The stable numeric code used by the C door.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// A short sentence a store owner understands.
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::NotFinalized => "the sale was not finalized yet",
            SkipReason::Excluded => "the POS excluded this transaction from surveys",
            SkipReason::LocationDisabled => "surveys are turned off for this location",
            SkipReason::Anonymous => "the sale had no customer attached",
            SkipReason::TooOld => "the transaction is too old to survey",
            SkipReason::CommunicationsOff => "the customer is not included in communications",
            SkipReason::Unsubscribed => "the customer unsubscribed",
            SkipReason::NoUsableContact => "the customer has no usable contact for the channel",
            SkipReason::AlreadyInvited => "this transaction already has a survey",
            SkipReason::Cooldown => "the customer had a survey recently",
            SkipReason::OnePerBatch => "another purchase that night got the survey",
            SkipReason::Refunded => "the sale was refunded or voided",
            SkipReason::ContactCap => "the customer reached the store's contact limit",
            SkipReason::QuotaReached => "the location has enough responses this month",
            SkipReason::NotSampled => "the customer was not in tonight's sample",
            SkipReason::DailyCap => "the location's survey limit for the day was reached",
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
