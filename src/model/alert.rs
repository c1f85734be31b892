//! Users, alerts and their handling, reply threads and external reviews (A1–A5, F2).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Generates a snake_case enum with `as_str`, `parse` and `ALL`.
macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The stable snake_case name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            /// Parses the name given by `as_str`.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

named_enum! {
    /// What a user may do; an admin sees every location.
    UserRole {
        /// Sees and does everything.
        Admin => "admin",
        /// Owns locations; hears about escalated alerts.
        Owner => "owner",
        /// Manages locations.
        Manager => "manager",
        /// Works alerts assigned to them.
        Staff => "staff",
    }
}

named_enum! {
    /// Which feedback a user hears about (A2).
    NotifyLevel {
        /// Every response and every piece of e-receipt feedback.
        All => "all",
        /// Unhappy responses and negative feedback only.
        Negative => "negative",
        /// Nothing; alerts assigned to them stay on the dashboard.
        None => "none",
    }
}

named_enum! {
    /// What an alert is about (A1).
    AlertKind {
        /// An unhappy survey response (N4).
        UnhappyCustomer => "unhappy_customer",
        /// Negative e-receipt feedback (F1).
        NegativeFeedback => "negative_feedback",
        /// External reviews without a reply (A5).
        UnansweredReviews => "unanswered_reviews",
        /// Business dates the POS never synced (S2).
        SyncGap => "sync_gap",
    }
}

named_enum! {
    /// Where an alert is in its handling (A3).
    AlertStatus {
        /// Raised, nobody has acted yet.
        Open => "open",
        /// Someone recorded an interaction or took it on.
        InProgress => "in_progress",
        /// Handled; needs at least one interaction.
        Done => "done",
    }
}

named_enum! {
    /// How someone reached the customer (A3).
    InteractionMethod {
        /// E-mail.
        Email => "email",
        /// Phone call.
        Phone => "phone",
        /// Text message.
        Sms => "sms",
        /// Face to face.
        InPerson => "in_person",
        /// Anything else.
        Other => "other",
    }
}

named_enum! {
    /// Who wrote an interaction or a thread comment.
    Author {
        /// A user of the business.
        Business => "business",
        /// The customer (a reply by e-mail, a follow-up answer).
        Customer => "customer",
        /// hearken itself, closing an alert whose cause went away (A5, S2).
        System => "system",
    }
}

named_enum! {
    /// What a thread comment is (F2).
    CommentKind {
        /// The customer's comment or reply.
        Comment => "comment",
        /// A business reply.
        Reply => "reply",
        /// A reward, e.g. a coupon code.
        Reward => "reward",
        /// A refund record.
        Refund => "refund",
    }
}

/// A person who works alerts or hears about feedback; a shared mailbox is a user too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The host's id for the user.
    pub id: String,
    /// Display name, any Unicode.
    pub name: String,
    /// Where alerts and notifications go.
    pub email: String,
    /// What the user may do.
    pub role: UserRole,
    /// Host ids of the locations they cover; empty = every location.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub locations: Vec<String>,
    /// Language of the notifications they get (BCP 47); the store default if absent.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub language: Option<String>,
    /// Which feedback they hear about (A2).
    #[serde(default = "default_notify")]
    pub notify: NotifyLevel,
    /// Host ids of the locations they hear about; empty = every location.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub notify_locations: Vec<String>,
}

fn default_notify() -> NotifyLevel {
    NotifyLevel::None
}

impl User {
    /// A user covering every location, with notifications off.
    pub fn new(id: &str, name: &str, email: &str, role: UserRole) -> Self {
        User {
            id: id.to_owned(),
            name: name.to_owned(),
            email: email.to_owned(),
            role,
            locations: Vec::new(),
            language: None,
            notify: NotifyLevel::None,
            notify_locations: Vec::new(),
        }
    }
}

/// The one user an alert kind goes to at a location, or store-wide (A1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The alert kind.
    pub kind: AlertKind,
    /// Host id of the location; `None` for the store-wide default.
    pub location: Option<String>,
    /// Host id of the user.
    pub user: String,
}

/// An alert on the dashboard: stays until handled (A3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// The alert's id.
    pub id: i64,
    /// What it is about.
    pub kind: AlertKind,
    /// Where it is in its handling.
    pub status: AlertStatus,
    /// Host id of the location.
    pub location: String,
    /// Host id of the assigned user; `None` when nobody is assigned yet.
    pub assignee: Option<String>,
    /// Host id of the customer; `None` for an anonymous response or a store alert.
    pub customer: Option<String>,
    /// The response that raised it.
    pub response_id: Option<i64>,
    /// The response's main score on base 10.
    pub score_base10: Option<f64>,
    /// The response's comment.
    pub comment: Option<String>,
    /// What a store alert is about ("3 reviews without a reply", missing dates).
    pub detail: String,
    /// Interactions recorded so far.
    pub interactions: u32,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was done.
    pub closed_at: Option<DateTime<Utc>>,
    /// When the location's owners were told it is still open.
    pub escalated_at: Option<DateTime<Utc>>,
    /// When the post-intervention survey was queued (A4).
    pub follow_up_at: Option<DateTime<Utc>>,
}

/// Which alerts to list; absent fields match everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, default)]
pub struct AlertQuery {
    /// Only these statuses; empty = open and in progress (the dashboard).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub statuses: Vec<AlertStatus>,
    /// Only this kind.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub kind: Option<AlertKind>,
    /// Only this location (host id).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub location: Option<String>,
    /// Only alerts assigned to this user (host id).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub assignee: Option<String>,
}

/// An interaction to record on an alert (A3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct InteractionInput {
    /// How the customer was reached.
    pub method: InteractionMethod,
    /// What was said or done.
    pub note: String,
    /// Host id of the user who did it.
    pub user: String,
}

/// A recorded interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    /// The interaction's id.
    pub id: i64,
    /// The alert it belongs to.
    pub alert_id: i64,
    /// How.
    pub method: InteractionMethod,
    /// What was said or done.
    pub note: String,
    /// Who wrote it.
    pub author: Author,
    /// Host id of the user, for a business interaction.
    pub user: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// An e-mail to the customer from the dashboard, replies tracked on the alert (A3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct CustomerEmail {
    /// Host id of the user writing.
    pub user: String,
    /// Subject line.
    pub subject: String,
    /// Body text.
    pub body: String,
}

/// A business answer in a feedback thread (F2): a reply, a reward or a refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ReplyInput {
    /// Host id of the user writing.
    pub user: String,
    /// Reply, reward or refund.
    pub kind: CommentKind,
    /// The message to the customer.
    pub body: String,
    /// The coupon code of a reward.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub coupon_code: Option<String>,
    /// The refunded amount in minor units.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub amount_minor: Option<i64>,
    /// ISO 4217 currency of the refund.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub currency: Option<String>,
}

/// One comment of a feedback thread (F2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ThreadComment {
    /// The comment's id.
    pub id: i64,
    /// The conversation: the response it belongs to.
    pub response_id: i64,
    /// Customer or business.
    pub author: Author,
    /// Comment, reply, reward or refund.
    pub kind: CommentKind,
    /// The text.
    pub body: String,
    /// The coupon code of a reward.
    pub coupon_code: Option<String>,
    /// The refunded amount in minor units.
    pub amount_minor: Option<i64>,
    /// The refund's currency.
    pub currency: Option<String>,
    /// Host id of the user, for a business comment.
    pub user: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// What an inbound e-mail reply was filed under (A3, F2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct InboundReply {
    /// The conversation (response) it joined.
    pub response_id: i64,
    /// The new thread comment.
    pub comment_id: i64,
    /// The alert it was logged on as an interaction, if the conversation has one.
    pub alert_id: Option<i64>,
}

/// A detractor to call back: contact details and what they said (A3 dashboard).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct AtRiskCustomer {
    /// Host id of the customer.
    pub customer: String,
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Host id of the location of their last answer.
    pub location: String,
    /// Their last NPS answer (0–6).
    pub nps: u32,
    /// Their last comment, if any.
    pub last_comment: Option<String>,
    /// When they answered.
    pub responded_at: DateTime<Utc>,
    /// The alert working their case, if it is still open.
    pub open_alert: Option<i64>,
}

/// A review the host found on an external site (A5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct ExternalReview {
    /// The host's id for the review.
    pub id: String,
    /// Host id of the location reviewed.
    pub location: String,
    /// Where it was posted ("google", …).
    pub site: String,
    /// Its stars, if any.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub rating: Option<u32>,
    /// When it was posted.
    #[serde(with = "crate::wire::time::utc")]
    pub posted_at: DateTime<Utc>,
    /// When the business replied; `None` while unanswered.
    #[serde(default, with = "crate::wire::time::utc_opt")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub replied_at: Option<DateTime<Utc>>,
}

/// Store-wide alert settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields, default)]
pub struct AlertSettings {
    /// Hours an alert may stay open before the location's owners are told; 0 = never.
    pub escalate_after_hours: u32,
    /// Domain of tracking reply addresses (`reply+{token}@{domain}`), served by the host.
    pub reply_domain: String,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            escalate_after_hours: 0,
            reply_domain: "reply.feedback.example.com".to_owned(),
        }
    }
}
