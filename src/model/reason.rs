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

impl SkipReason {
    /// A short sentence in `language` (`en`, `fr` or `ko`; others get English).
    pub fn describe_in(self, language: &str) -> &'static str {
        let primary = language.split('-').next().unwrap_or(language);
        let fr = |s: &'static str| {
            if primary.eq_ignore_ascii_case("fr") {
                Some(s)
            } else {
                None
            }
        };
        let ko = |s: &'static str| {
            if primary.eq_ignore_ascii_case("ko") {
                Some(s)
            } else {
                None
            }
        };
        let text =
            match self {
                SkipReason::NotFinalized => fr("la vente n'était pas encore finalisée")
                    .or(ko("아직 완료되지 않은 거래입니다")),
                SkipReason::Excluded => {
                    fr("le logiciel de caisse a exclu cette transaction des enquêtes")
                        .or(ko("POS에서 이 거래를 설문 대상에서 제외했습니다"))
                }
                SkipReason::LocationDisabled => fr("les enquêtes sont désactivées pour ce magasin")
                    .or(ko("이 매장은 설문이 꺼져 있습니다")),
                SkipReason::Anonymous => fr("aucun client n'était associé à la vente")
                    .or(ko("거래에 고객 정보가 없습니다")),
                SkipReason::TooOld => fr("la transaction est trop ancienne pour une enquête")
                    .or(ko("설문을 보내기에는 오래된 거래입니다")),
                SkipReason::CommunicationsOff => fr("le client n'accepte pas les communications")
                    .or(ko("고객이 연락 수신에 동의하지 않았습니다")),
                SkipReason::Unsubscribed => {
                    fr("le client s'est désabonné").or(ko("고객이 수신을 거부했습니다"))
                }
                SkipReason::NoUsableContact => {
                    fr("le client n'a pas de coordonnée utilisable pour ce canal")
                        .or(ko("이 채널로 연락할 수 있는 정보가 없습니다"))
                }
                SkipReason::AlreadyInvited => fr("cette transaction a déjà son enquête")
                    .or(ko("이 거래에는 이미 설문을 보냈습니다")),
                SkipReason::Cooldown => fr("le client a reçu une enquête récemment")
                    .or(ko("최근에 설문을 받은 고객입니다")),
                SkipReason::OnePerBatch => fr("un autre achat du même soir a reçu l'enquête")
                    .or(ko("같은 날 다른 구매에 설문을 보냈습니다")),
                SkipReason::Refunded => fr("la vente a été remboursée ou annulée")
                    .or(ko("환불되거나 취소된 거래입니다")),
                SkipReason::ContactCap => {
                    fr("le client a atteint la limite de contacts du magasin")
                        .or(ko("고객이 매장의 연락 한도에 도달했습니다"))
                }
                SkipReason::QuotaReached => fr("le magasin a assez de réponses ce mois-ci")
                    .or(ko("이 매장은 이번 달 응답 목표를 채웠습니다")),
                SkipReason::NotSampled => {
                    fr("le client ne faisait pas partie de l'échantillon du soir")
                        .or(ko("오늘 밤 표본에 포함되지 않은 고객입니다"))
                }
                SkipReason::DailyCap => {
                    fr("la limite quotidienne d'enquêtes du magasin était atteinte")
                        .or(ko("매장의 하루 설문 한도에 도달했습니다"))
                }
            };
        text.unwrap_or_else(|| self.describe())
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
