//! Plain data shared by every front door: no I/O, serde derives only, plus the uniffi
//! derives (`uniffi::Record` / `uniffi::Enum`) behind the `uniffi` feature: these types
//! are the Kotlin, Swift and Python door's records as they are (src/uniffi_api/).

mod admin_check;
mod alert;
mod analytics;
mod batch;
mod consent;
mod due;
pub mod events;
mod explain;
mod lease;
mod location;
mod outbox;
mod page;
mod people;
mod policy;
mod reason;
mod report;
mod response;
mod screen;
mod settings;
mod sms;
mod survey;
mod transaction;
mod webhooks;

pub use admin_check::{AdminCheck, OrphanCount, RoleCheck, TableSecurity};
pub use alert::{
    Alert, AlertKind, AlertQuery, AlertSettings, AlertStatus, Assignment, AtRiskCustomer, Author,
    CommentKind, CustomerEmail, ExternalReview, InboundReply, Interaction, InteractionInput,
    InteractionMethod, NotifyLevel, ReplyInput, ThreadComment, User, UserRole,
};
pub use analytics::{
    AGGREGATE_FORMAT, AggregateBundle, AggregateRow, Bucket, Comparison, CustomerHistory,
    CustomerPage, CustomerQuery, CustomerSummary, EmployeePerformance, FeedbackItem, FeedbackPage,
    FeedbackQuery, FeedbackSort, HistoryInvitation, Period, PeriodBounds, ReportQuery,
    ResponseRate, ResponseSource, ReviewFunnel, Scores, SeriesPoint, Subscription, Unsubscribe,
};
pub use batch::{BATCH_FORMAT, SyncBatch};
pub use consent::{ConsentChange, DeliveryFeedback, DeliveryFeedbackOutcome};
pub use due::DueWork;
pub use events::{Event, EventsPage};
pub use explain::{DecisionRecord, Explanation, RelationshipDecision};
pub use lease::LeasedStore;
pub use location::Location;
pub use outbox::{
    AckOutcome, AckStatus, FailOutcome, MessageKind, MessageStatus, OutboundMessage, OutboxCounts,
    Template,
};
pub use page::{Page, PageKind, ScoreClick};
pub use people::{Customer, Employee, Erasure, Gender, Role};
pub use policy::{Calendar, ContactPolicy, LocationPolicy, OpeningHours, SurveyKind, Weekday};
pub use reason::SkipReason;
pub use report::{
    BackfillProgress, BackfillReport, InvitationSummary, ReportDetail, SkippedTransaction,
    SyncCounts, SyncOptions, SyncReport, SyncWindow,
};
pub use response::{
    Answer, FeedbackInput, FeedbackSettings, NpsCategory, NpsSummary, RatingSummary, ReceiptLink,
    ResponseDeletion, ResponseInput, ResponseOutcome, ReviewMode, ScoreQuery, Sentiment,
};
pub use screen::{
    CancelReport, ConsentState, ContactErasure, ContactState, LastAnswered, LastInvited,
    NextEligible, PendingMessage, SubscriptionState,
};
pub use settings::{Channel, DeliverySettings, Settings, SuppressionBundle};
pub use sms::{InboundSms, MAX_INBOUND_SMS_CHARS, SmsOutcome};
pub use survey::{ChoiceOption, Question, QuestionKind, QuestionView, Survey, SurveyPage};
pub use transaction::{Transaction, TransactionKind};
pub use webhooks::{NewWebhook, Webhook, WebhookDelivery, WebhookStatus};
