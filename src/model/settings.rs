use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How invitations reach customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// E-mail: needs a usable e-mail address.
    Email,
    /// SMS: needs a usable phone number.
    Sms,
}

impl Channel {
    /// The stable lower-case name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    /// Parses the name given by [`Channel::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Channel::Email, Channel::Sms]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// Store-wide program settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// At most one invitation per customer per this many calendar months (E4).
    pub cooldown_months: u32,
    /// Transactions finalized more than this many days before the batch date get none (S3).
    pub max_age_days: u32,
    /// Channel used for invitations (E6 decides the contact it needs).
    pub channel: Channel,
    /// Local hour at which each location syncs (S1).
    pub sync_hour: u32,
    /// Local hour, the morning after the business date, at which invitations become due (S1).
    pub send_hour: u32,
    /// Start of quiet hours (local hour, inclusive): nothing becomes due inside them.
    pub quiet_start_hour: u32,
    /// End of quiet hours (local hour, exclusive).
    pub quiet_end_hour: u32,
    /// Missed dates the nightly sync may still catch up (S2); older ones need a backfill.
    pub catch_up_days: u32,
    /// Language used when a customer has none (BCP 47).
    pub default_language: String,
    /// Country calling code used to read local phone numbers as E.164 (E3), e.g. 33.
    pub default_country_code: u32,
    /// D4: a language's own SMS opt-out words and phrases, by lower-case language tag,
    /// replacing that language's defaults (`fr`: ARRET, DESABONNER, DESINSCRIRE; `ko`:
    /// 수신거부, 그만, 중지); the US list is always in force. Empty: the defaults.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sms_opt_out_words: BTreeMap<String, Vec<String>>,
    /// D4: the answer to an SMS HELP, by lower-case language tag, replacing the shipped
    /// text of that language (`en`, `fr`, `ko`). Empty: the shipped texts.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sms_help_texts: BTreeMap<String, String>,
    /// D4: the one confirmation of an SMS opt-out, by lower-case language tag, replacing
    /// the shipped text of that language (`en`, `fr`, `ko`). Empty: the shipped texts.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub sms_opt_out_confirmations: BTreeMap<String, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            cooldown_months: 3,
            max_age_days: 14,
            channel: Channel::Email,
            sync_hour: 23,
            send_hour: 10,
            quiet_start_hour: 21,
            quiet_end_hour: 8,
            catch_up_days: 1,
            default_language: "en".to_owned(),
            default_country_code: 1,
            sms_opt_out_words: BTreeMap::new(),
            sms_help_texts: BTreeMap::new(),
            sms_opt_out_confirmations: BTreeMap::new(),
        }
    }
}

/// Store-wide delivery settings: links, leases and retries of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, default)]
pub struct DeliverySettings {
    /// Base URL of survey and unsubscribe links (`{base}/s/{token}`, `{base}/u/{token}`).
    pub link_base_url: String,
    /// Days a survey link stays valid (F6); unsubscribe links never expire.
    pub survey_link_days: u32,
    /// Seconds a claimed message stays leased before it is offered again.
    pub lease_seconds: u32,
    /// Delivery attempts before a message is failed for good.
    pub max_attempts: u32,
    /// First retry delay in seconds; each later retry doubles it (capped at 6 hours).
    pub retry_base_seconds: u32,
    /// Vendor-wide secret mixed into exported suppression hashes, so the stores of one
    /// vendor match each other's lists and outsiders cannot reverse them.
    pub suppression_pepper: String,
    /// Days after its delivery (ack) a message's stored text is dropped, keeping a slim
    /// row (id, invitation, status, times) so a repeated ack stays idempotent; 0 = never,
    /// else at least 30.
    #[cfg_attr(feature = "uniffi", uniffi(default = 90))]
    pub slim_delivered_after_days: u32,
    /// D6: months without a transaction, response or delivered message after which a
    /// customer is erased (as erasure does, scores kept) by the timers, a bounded number
    /// per run, oldest first; none (the default) keeps customers until erased.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub retention_months: Option<u32>,
    /// Days an event of the feed is kept (D1); older ones are pruned by the timers. At
    /// least 1.
    #[cfg_attr(feature = "uniffi", uniffi(default = 30))]
    pub events_retention_days: u32,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            link_base_url: "https://feedback.example.com".to_owned(),
            survey_link_days: 60,
            lease_seconds: 300,
            max_attempts: 5,
            retry_base_seconds: 300,
            suppression_pepper: String::new(),
            slim_delivered_after_days: 90,
            retention_months: None,
            events_retention_days: 30,
        }
    }
}

/// A store's suppression list as it travels between stores: hashed contacts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct SuppressionBundle {
    /// Bundle format version: 1.
    pub format: u32,
    /// Lower-case hex SHA-256 of pepper, kind (`email`/`phone`) and normalised contact.
    pub hashes: Vec<String>,
}
