//! Mirrors of alerts and follow-up (issue 7): users and their notifications, assignments,
//! alerts with their interactions, dashboard e-mails and reply threads, at-risk customers,
//! external reviews and the alert settings.

use crate::error::{Error, Problem};
use crate::model as m;

use super::time;

/// Declares a closed mirror of a model enum, its conversions both ways (exhaustive
/// matches: a new model variant fails to compile here) and `code_name()`.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl From<m::$name> for $name {
            fn from(v: m::$name) -> Self {
                match v {
                    $(m::$name::$variant => $name::$variant),+
                }
            }
        }

        impl From<$name> for m::$name {
            fn from(v: $name) -> Self {
                match v {
                    $($name::$variant => m::$name::$variant),+
                }
            }
        }

        #[uniffi::export]
        impl $name {
            /// The stable snake_case name, as in JSON and the database.
            pub fn code_name(&self) -> String {
                m::$name::from(*self).as_str().to_owned()
            }
        }
    };
}

mirror_enum! {
    /// What a user may do; an admin sees every location.
    UserRole {
        /// Sees and does everything.
        Admin,
        /// Owns locations; hears about escalated alerts.
        Owner,
        /// Manages locations.
        Manager,
        /// Works alerts assigned to them.
        Staff,
    }
}

mirror_enum! {
    /// Which feedback a user hears about (A2).
    NotifyLevel {
        /// Every response and every piece of e-receipt feedback.
        All,
        /// Unhappy responses and negative feedback only.
        Negative,
        /// Nothing; alerts assigned to them stay on the dashboard.
        None,
    }
}

mirror_enum! {
    /// What an alert is about (A1).
    AlertKind {
        /// An unhappy survey response (N4).
        UnhappyCustomer,
        /// Negative e-receipt feedback (F1).
        NegativeFeedback,
        /// External reviews without a reply (A5).
        UnansweredReviews,
        /// Business dates the POS never synced (S2).
        SyncGap,
    }
}

mirror_enum! {
    /// Where an alert is in its handling (A3).
    AlertStatus {
        /// Raised, nobody has acted yet.
        Open,
        /// Someone recorded an interaction or took it on.
        InProgress,
        /// Handled; needs at least one interaction, and is final.
        Done,
    }
}

mirror_enum! {
    /// How someone reached the customer (A3).
    InteractionMethod {
        /// E-mail.
        Email,
        /// Phone call.
        Phone,
        /// Text message.
        Sms,
        /// Face to face.
        InPerson,
        /// Anything else.
        Other,
    }
}

mirror_enum! {
    /// Who wrote an interaction or a thread comment.
    Author {
        /// A user of the business.
        Business,
        /// The customer (a reply by e-mail, a follow-up answer).
        Customer,
        /// hearken itself, closing an alert whose cause went away (A5, S2).
        System,
    }
}

mirror_enum! {
    /// What a thread comment is (F2).
    CommentKind {
        /// The customer's comment or reply.
        Comment,
        /// A business reply.
        Reply,
        /// A reward, e.g. a coupon code.
        Reward,
        /// A refund record.
        Refund,
    }
}

/// A person who works alerts or hears about feedback; a shared mailbox is a user too.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct User {
    /// The host's id for the user.
    pub id: String,
    /// Display name, any Unicode.
    pub name: String,
    /// Where alerts and notifications go.
    pub email: String,
    /// What the user may do.
    pub role: UserRole,
    /// Which feedback they hear about (A2); `None` keeps only the dashboard.
    pub notify: NotifyLevel,
    /// Host ids of the locations they cover; empty = every location.
    #[uniffi(default)]
    pub locations: Vec<String>,
    /// Language of the notifications they get (BCP 47); the store default if absent.
    #[uniffi(default = None)]
    pub language: Option<String>,
    /// Host ids of the locations they hear about; empty = every location.
    #[uniffi(default)]
    pub notify_locations: Vec<String>,
}

impl From<m::User> for User {
    fn from(u: m::User) -> Self {
        User {
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role.into(),
            notify: u.notify.into(),
            locations: u.locations,
            language: u.language,
            notify_locations: u.notify_locations,
        }
    }
}

impl From<User> for m::User {
    fn from(u: User) -> Self {
        m::User {
            id: u.id,
            name: u.name,
            email: u.email,
            role: u.role.into(),
            locations: u.locations,
            language: u.language,
            notify: u.notify.into(),
            notify_locations: u.notify_locations,
        }
    }
}

/// The one user an alert kind goes to at a location, or store-wide (A1).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Assignment {
    /// The alert kind.
    pub kind: AlertKind,
    /// Host id of the location; none for the store-wide default.
    pub location: Option<String>,
    /// Host id of the user.
    pub user: String,
}

impl From<m::Assignment> for Assignment {
    fn from(a: m::Assignment) -> Self {
        Assignment {
            kind: a.kind.into(),
            location: a.location,
            user: a.user,
        }
    }
}

/// An alert on the dashboard: it stays until handled (A3).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Alert {
    /// The alert's id.
    pub id: i64,
    /// What it is about.
    pub kind: AlertKind,
    /// Where it is in its handling.
    pub status: AlertStatus,
    /// Host id of the location.
    pub location: String,
    /// Host id of the assigned user; none when nobody is assigned yet.
    pub assignee: Option<String>,
    /// Host id of the customer; none for an anonymous response or a store alert.
    pub customer: Option<String>,
    /// The response that raised it.
    pub response_id: Option<i64>,
    /// The response's main score on base 10.
    pub score_base10: Option<f64>,
    /// The response's comment.
    pub comment: Option<String>,
    /// What a store alert is about ("2 review(s) without a reply", missing dates).
    pub detail: String,
    /// Interactions recorded so far.
    pub interactions: u32,
    /// When it was raised, Unix milliseconds.
    pub created_at_ms: i64,
    /// When it was last changed, Unix milliseconds.
    pub updated_at_ms: i64,
    /// When it was done, Unix milliseconds.
    pub closed_at_ms: Option<i64>,
    /// When the location's owners were told it is still open, Unix milliseconds.
    pub escalated_at_ms: Option<i64>,
    /// When the post-intervention survey was queued (A4), Unix milliseconds.
    pub follow_up_at_ms: Option<i64>,
}

impl From<m::Alert> for Alert {
    fn from(a: m::Alert) -> Self {
        Alert {
            id: a.id,
            kind: a.kind.into(),
            status: a.status.into(),
            location: a.location,
            assignee: a.assignee,
            customer: a.customer,
            response_id: a.response_id,
            score_base10: a.score_base10,
            comment: a.comment,
            detail: a.detail,
            interactions: a.interactions,
            created_at_ms: time::ms(a.created_at),
            updated_at_ms: time::ms(a.updated_at),
            closed_at_ms: a.closed_at.map(time::ms),
            escalated_at_ms: a.escalated_at.map(time::ms),
            follow_up_at_ms: a.follow_up_at.map(time::ms),
        }
    }
}

/// Which alerts to list; absent fields match everything.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct AlertQuery {
    /// Only these statuses; empty = open and in progress (the dashboard).
    #[uniffi(default)]
    pub statuses: Vec<AlertStatus>,
    /// Only this kind.
    #[uniffi(default = None)]
    pub kind: Option<AlertKind>,
    /// Only this location (host id).
    #[uniffi(default = None)]
    pub location: Option<String>,
    /// Only alerts assigned to this user (host id).
    #[uniffi(default = None)]
    pub assignee: Option<String>,
}

impl From<AlertQuery> for m::AlertQuery {
    fn from(q: AlertQuery) -> Self {
        m::AlertQuery {
            statuses: convert(q.statuses),
            kind: q.kind.map(Into::into),
            location: q.location,
            assignee: q.assignee,
        }
    }
}

/// An interaction to record on an alert (A3).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InteractionInput {
    /// How the customer was reached.
    pub method: InteractionMethod,
    /// What was said or done.
    pub note: String,
    /// Host id of the user who did it.
    pub user: String,
}

impl From<InteractionInput> for m::InteractionInput {
    fn from(i: InteractionInput) -> Self {
        m::InteractionInput {
            method: i.method.into(),
            note: i.note,
            user: i.user,
        }
    }
}

/// A recorded interaction.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
    /// When, Unix milliseconds.
    pub at_ms: i64,
}

impl From<m::Interaction> for Interaction {
    fn from(i: m::Interaction) -> Self {
        Interaction {
            id: i.id,
            alert_id: i.alert_id,
            method: i.method.into(),
            note: i.note,
            author: i.author.into(),
            user: i.user,
            at_ms: time::ms(i.at),
        }
    }
}

/// An e-mail to the customer from the dashboard; replies are tracked on the alert (A3).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomerEmail {
    /// Host id of the user writing.
    pub user: String,
    /// Subject line.
    pub subject: String,
    /// Body text.
    pub body: String,
}

impl From<CustomerEmail> for m::CustomerEmail {
    fn from(e: CustomerEmail) -> Self {
        m::CustomerEmail {
            user: e.user,
            subject: e.subject,
            body: e.body,
        }
    }
}

/// A business answer in a feedback thread (F2): a reply, a reward or a refund.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReplyInput {
    /// Host id of the user writing.
    pub user: String,
    /// Reply, reward or refund (`Comment` is the customer's and is refused).
    pub kind: CommentKind,
    /// The message to the customer.
    pub body: String,
    /// The coupon code of a reward (required for a reward).
    #[uniffi(default = None)]
    pub coupon_code: Option<String>,
    /// The refunded amount in minor units.
    #[uniffi(default = None)]
    pub amount_minor: Option<i64>,
    /// ISO 4217 currency of the refund.
    #[uniffi(default = None)]
    pub currency: Option<String>,
}

impl From<ReplyInput> for m::ReplyInput {
    fn from(r: ReplyInput) -> Self {
        m::ReplyInput {
            user: r.user,
            kind: r.kind.into(),
            body: r.body,
            coupon_code: r.coupon_code,
            amount_minor: r.amount_minor,
            currency: r.currency,
        }
    }
}

/// One comment of a feedback thread (F2).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
    /// When, Unix milliseconds.
    pub at_ms: i64,
}

impl From<m::ThreadComment> for ThreadComment {
    fn from(c: m::ThreadComment) -> Self {
        ThreadComment {
            id: c.id,
            response_id: c.response_id,
            author: c.author.into(),
            kind: c.kind.into(),
            body: c.body,
            coupon_code: c.coupon_code,
            amount_minor: c.amount_minor,
            currency: c.currency,
            user: c.user,
            at_ms: time::ms(c.at),
        }
    }
}

/// What an inbound e-mail reply was filed under (A3, F2).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InboundReply {
    /// The conversation (response) it joined.
    pub response_id: i64,
    /// The new thread comment.
    pub comment_id: i64,
    /// The alert it was logged on as an interaction, if the conversation has one.
    pub alert_id: Option<i64>,
}

impl From<m::InboundReply> for InboundReply {
    fn from(r: m::InboundReply) -> Self {
        InboundReply {
            response_id: r.response_id,
            comment_id: r.comment_id,
            alert_id: r.alert_id,
        }
    }
}

/// A detractor to call back: contact details and what they said (A3 dashboard).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
    /// When they answered, Unix milliseconds.
    pub responded_at_ms: i64,
    /// The id of the alert working their case, if it is still open.
    pub open_alert: Option<i64>,
}

impl From<m::AtRiskCustomer> for AtRiskCustomer {
    fn from(a: m::AtRiskCustomer) -> Self {
        AtRiskCustomer {
            customer: a.customer,
            name: a.name,
            email: a.email,
            phone: a.phone,
            location: a.location,
            nps: a.nps,
            last_comment: a.last_comment,
            responded_at_ms: time::ms(a.responded_at),
            open_alert: a.open_alert,
        }
    }
}

/// A review the host found on an external site, or its reply (A5).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExternalReview {
    /// The host's id for the review.
    pub id: String,
    /// Host id of the location reviewed.
    pub location: String,
    /// Where it was posted ("google", …).
    pub site: String,
    /// When it was posted, Unix milliseconds.
    pub posted_at_ms: i64,
    /// Its stars (1–10), if any.
    #[uniffi(default = None)]
    pub rating: Option<u32>,
    /// When the business replied, Unix milliseconds; none while unanswered.
    #[uniffi(default = None)]
    pub replied_at_ms: Option<i64>,
}

impl ExternalReview {
    /// The model review; an instant chrono cannot represent is invalid input naming it.
    pub(super) fn into_model(self) -> Result<m::ExternalReview, Error> {
        let mut problems = Vec::new();
        let mut instant = |ms: i64, field: &str| {
            let at = time::record_instant(ms);
            if at.is_none() {
                problems.push(Problem::top("review", field, time::OUT_OF_RANGE));
            }
            at
        };
        let posted_at = instant(self.posted_at_ms, "posted_at_ms");
        let replied_at = self.replied_at_ms.map(|ms| instant(ms, "replied_at_ms"));
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(m::ExternalReview {
            id: self.id,
            location: self.location,
            site: self.site,
            rating: self.rating,
            posted_at: posted_at.expect("checked above"),
            replied_at: replied_at.flatten(),
        })
    }
}

/// Store-wide alert settings. Start from `default_alert_settings()` and change what
/// differs.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AlertSettings {
    /// Hours an alert may stay open before the location's owners are told; 0 = never.
    pub escalate_after_hours: u32,
    /// Domain of tracking reply addresses (`reply+{token}@{domain}`), served by the host.
    pub reply_domain: String,
}

impl From<m::AlertSettings> for AlertSettings {
    fn from(s: m::AlertSettings) -> Self {
        AlertSettings {
            escalate_after_hours: s.escalate_after_hours,
            reply_domain: s.reply_domain,
        }
    }
}

impl From<AlertSettings> for m::AlertSettings {
    fn from(s: AlertSettings) -> Self {
        m::AlertSettings {
            escalate_after_hours: s.escalate_after_hours,
            reply_domain: s.reply_domain,
        }
    }
}

/// The alert settings a new store starts with.
#[uniffi::export]
pub fn default_alert_settings() -> AlertSettings {
    m::AlertSettings::default().into()
}

fn convert<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_and_keep_their_names() {
        fn check<M, U>(all: &[M], name: fn(M) -> &'static str, code: fn(&U) -> String)
        where
            M: Copy + PartialEq + std::fmt::Debug + From<U>,
            U: From<M>,
        {
            for &v in all {
                let mirrored = U::from(v);
                assert_eq!(code(&mirrored), name(v));
                assert_eq!(M::from(mirrored), v);
            }
        }
        check(m::UserRole::ALL, m::UserRole::as_str, UserRole::code_name);
        check(
            m::NotifyLevel::ALL,
            m::NotifyLevel::as_str,
            NotifyLevel::code_name,
        );
        check(
            m::AlertKind::ALL,
            m::AlertKind::as_str,
            AlertKind::code_name,
        );
        check(
            m::AlertStatus::ALL,
            m::AlertStatus::as_str,
            AlertStatus::code_name,
        );
        check(
            m::InteractionMethod::ALL,
            m::InteractionMethod::as_str,
            InteractionMethod::code_name,
        );
        check(m::Author::ALL, m::Author::as_str, Author::code_name);
        check(
            m::CommentKind::ALL,
            m::CommentKind::as_str,
            CommentKind::code_name,
        );
    }

    #[test]
    fn users_and_settings_round_trip() {
        let mut u = m::User::new(
            "care",
            "Service client",
            "care@x.example",
            m::UserRole::Staff,
        );
        u.locations = vec!["paris".into()];
        u.language = Some("ko".into());
        u.notify = m::NotifyLevel::Negative;
        u.notify_locations = vec!["lyon".into()];
        assert_eq!(m::User::from(User::from(u.clone())), u);
        let s = m::AlertSettings {
            escalate_after_hours: 24,
            ..m::AlertSettings::default()
        };
        assert_eq!(m::AlertSettings::from(AlertSettings::from(s.clone())), s);
    }

    #[test]
    fn review_instants_are_milliseconds_and_out_of_range_is_named() {
        let review = ExternalReview {
            id: "g1".into(),
            location: "paris".into(),
            site: "google".into(),
            posted_at_ms: 1_795_251_600_000,
            rating: Some(2),
            replied_at_ms: None,
        };
        let r = review.clone().into_model().unwrap();
        assert_eq!(r.posted_at.timestamp_millis(), 1_795_251_600_000);
        assert_eq!(r.replied_at, None);
        let err = ExternalReview {
            posted_at_ms: i64::MAX,
            replied_at_ms: Some(i64::MIN),
            ..review
        }
        .into_model()
        .unwrap_err();
        let fields: Vec<_> = err.problems().iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["posted_at_ms", "replied_at_ms"]);
    }

    #[test]
    fn alert_instants_cross_as_milliseconds() {
        let at = chrono::DateTime::from_timestamp_millis(1_795_251_600_000).unwrap();
        let a = Alert::from(m::Alert {
            id: 7,
            kind: m::AlertKind::UnhappyCustomer,
            status: m::AlertStatus::Done,
            location: "paris".into(),
            assignee: Some("amelie".into()),
            customer: Some("c1".into()),
            response_id: Some(3),
            score_base10: Some(2.0),
            comment: None,
            detail: String::new(),
            interactions: 1,
            created_at: at,
            updated_at: at,
            closed_at: Some(at),
            escalated_at: None,
            follow_up_at: None,
        });
        assert_eq!(a.kind, AlertKind::UnhappyCustomer);
        assert_eq!(a.created_at_ms, 1_795_251_600_000);
        assert_eq!(a.closed_at_ms, Some(1_795_251_600_000));
        assert_eq!(a.escalated_at_ms, None);
    }
}
