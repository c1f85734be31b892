//! The alert calls: users and assignment, the alerts and their handling, conversations with
//! the customer, external reviews.

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::model::{
    Alert, AlertKind, AlertQuery, AlertSettings, AlertStatus, Assignment, AtRiskCustomer,
    CustomerEmail, ExternalReview, InboundReply, Interaction, InteractionInput, ReplyInput,
    ThreadComment, User,
};
use crate::rules::validate;

use crate::engine::{Engine, alerts, check_now, checked, conversations};

impl Engine {
    /// The alert settings (escalation, reply domain).
    pub fn alert_settings(&self) -> Result<AlertSettings> {
        self.reader()?.read(|c| c.get_alert_settings())
    }

    /// Replaces the alert settings after validating them.
    pub fn set_alert_settings(&self, settings: &AlertSettings) -> Result<()> {
        self.lock()?
            .write(|c| alerts::set_alert_settings(c, settings))
    }

    /// Creates or updates a user by host id; a removed user comes back.
    pub fn upsert_user(&self, user: &User) -> Result<()> {
        self.lock()?.write(|c| alerts::upsert_user(c, user))
    }

    /// One active user by host id.
    pub fn user(&self, id: &str) -> Result<User> {
        self.reader()?.read(|c| {
            c.get_user(id)?
                .filter(|u| u.active)
                .map(|u| u.user)
                .ok_or_else(|| Error::NotFound {
                    what: "user",
                    id: id.to_owned(),
                })
        })
    }

    /// Every active user, by host id.
    pub fn users(&self) -> Result<Vec<User>> {
        self.reader()?.read(|c| c.list_users())
    }

    /// Removes a user who holds no assignment and no unfinished alert; history stays.
    pub fn remove_user(&self, id: &str) -> Result<()> {
        self.lock()?.write(|c| alerts::remove_user(c, id))
    }

    /// Makes `user` the one assignee of `kind` at `location`, or store-wide with `None`;
    /// it replaces any earlier assignee (A1).
    pub fn assign_alerts(&self, kind: AlertKind, location: Option<&str>, user: &str) -> Result<()> {
        self.lock()?
            .write(|c| alerts::assign(c, kind, location, user))
    }

    /// Removes a location's (or the store-wide) assignment of `kind`.
    pub fn unassign_alerts(&self, kind: AlertKind, location: Option<&str>) -> Result<()> {
        self.lock()?.write(|c| alerts::unassign(c, kind, location))
    }

    /// The user an alert of `kind` at `location` goes to: the location's, else the
    /// store-wide default, else nobody (A1).
    pub fn assignee(&self, kind: AlertKind, location: &str) -> Result<Option<User>> {
        self.reader()?.read(|c| alerts::assignee(c, kind, location))
    }

    /// Every assignment, store-wide defaults first.
    pub fn assignments(&self) -> Result<Vec<Assignment>> {
        self.reader()?.read(alerts::assignments)
    }

    /// Alerts matching `query`; by default the dashboard's open and in-progress ones.
    pub fn alerts(&self, query: &AlertQuery) -> Result<Vec<Alert>> {
        self.reader()?.read(|c| alerts::alerts(c, query))
    }

    /// One alert by id.
    pub fn alert(&self, id: i64) -> Result<Alert> {
        self.reader()?.read(|c| alerts::alert(c, id))
    }

    /// An alert's interactions, oldest first.
    pub fn interactions(&self, alert: i64) -> Result<Vec<Interaction>> {
        self.reader()?.read(|c| alerts::interactions(c, alert))
    }

    /// Records how a user handled an alert (A3); an open alert moves to in progress.
    pub fn record_interaction(
        &self,
        alert: i64,
        interaction: &InteractionInput,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        check_now(now)?;
        self.lock()?
            .write(|c| alerts::record_interaction(c, alert, interaction, now))
    }

    /// Moves an alert on; done needs at least one interaction and is final (A3).
    pub fn set_alert_status(
        &self,
        alert: i64,
        status: AlertStatus,
        now: DateTime<Utc>,
    ) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| alerts::set_alert_status(c, alert, status, now))
    }

    /// Gives an unfinished alert to another user (A3).
    pub fn reassign_alert(&self, alert: i64, user: &str, now: DateTime<Utc>) -> Result<()> {
        check_now(now)?;
        self.lock()?
            .write(|c| alerts::reassign_alert(c, alert, user, now))
    }

    /// Queues an e-mail to an alert's customer with a tracking Reply-To; it is logged on
    /// the alert and in the thread (A3). Returns the outbox message id.
    pub fn email_customer(
        &self,
        alert: i64,
        email: &CustomerEmail,
        now: DateTime<Utc>,
    ) -> Result<String> {
        check_now(now)?;
        self.lock()?
            .write(|c| conversations::email_customer(c, alert, email, now))
    }

    /// Files a customer's e-mail answer to a tracking reply address in its thread and on
    /// its alert (A3, F2).
    pub fn record_inbound_reply(
        &self,
        address: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<InboundReply> {
        check_now(now)?;
        self.lock()?
            .write(|c| conversations::record_inbound_reply(c, address, text, now))
    }

    /// Replies to feedback, or records a reward or a refund, when the customer agreed to
    /// be replied to (F2). Returns the new thread comment's id.
    pub fn reply(&self, response_id: i64, reply: &ReplyInput, now: DateTime<Utc>) -> Result<i64> {
        check_now(now)?;
        self.lock()?
            .write(|c| conversations::reply(c, response_id, reply, now))
    }

    /// A response's conversation, oldest first (F2).
    pub fn thread(&self, response_id: i64) -> Result<Vec<ThreadComment>> {
        self.reader()?
            .read(|c| conversations::thread(c, response_id))
    }

    /// Queues the post-intervention survey of a done case (A4); refused with the reason
    /// when the original response was anonymous. Returns the outbox message id.
    pub fn send_follow_up(&self, alert: i64, now: DateTime<Utc>) -> Result<String> {
        check_now(now)?;
        self.lock()?
            .write(|c| conversations::send_follow_up(c, alert, now))
    }

    /// Records an external review or its reply (A5). Returns how many reviews of the
    /// location still wait for a reply; the alert clears itself at zero.
    pub fn report_review(&self, review: &ExternalReview, now: DateTime<Utc>) -> Result<u32> {
        check_now(now)?;
        checked(validate::instant_problems(
            "review",
            &[
                ("posted_at", Some(review.posted_at)),
                ("replied_at", review.replied_at),
            ],
        ))?;
        self.lock()?
            .write(|c| alerts::report_review(c, review, now))
    }

    /// Detractors to call back, newest first, with contact details and last comment.
    pub fn at_risk_customers(&self, location: Option<&str>) -> Result<Vec<AtRiskCustomer>> {
        self.reader()?
            .read(|c| alerts::at_risk_customers(c, location))
    }
}
