//! The timers: work that falls due with time rather than with a call. Reminders (R1, R2)
//! and alert escalations (A3) are queued by [`run_due`], which every claim runs first and
//! a host may run on its own (to see escalations without claiming).

use crate::store::Tx;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{Channel, DueWork, MessageKind};
use crate::rules::reminder::{self, ReminderDecision, ReminderFacts};
use crate::rules::score::nps_category;
use crate::rules::time::{from_stored, ms};
use crate::store;

use super::outbox::MessageIds;

/// Queues everything whose moment has come at `now`: reminders first, then escalations.
pub fn run_due(c: &mut dyn Tx, now: DateTime<Utc>) -> Result<DueWork> {
    let reminders = queue_reminders(c, now)?;
    let alert_settings = c.get_alert_settings()?;
    let escalations = super::alerts::escalate_due(c, &alert_settings, now)?;
    let delivery = c.get_delivery_settings()?;
    slim_delivered(c, delivery.slim_delivered_after_days, now)?;
    super::events::prune(c, delivery.events_retention_days, now)?;
    let erased = super::access::retain(c, delivery.retention_months, now)?;
    Ok(DueWork {
        reminders,
        escalations,
        erased,
    })
}

/// Delivered messages slimmed per run at most, so the first run after a long pause (or
/// after the setting was lowered) does not stall a claim; the rest follow in later runs.
pub const SLIM_PER_RUN: u32 = 500;

/// Drops the stored text of messages delivered more than `slim_delivered_after_days` ago
/// (0 = never), at most [`SLIM_PER_RUN`] of them; returns how many.
fn slim_delivered(c: &mut dyn Tx, days: u32, now: DateTime<Utc>) -> Result<u32> {
    if days == 0 {
        return Ok(0);
    }
    let cutoff = crate::rules::time::sub(now, crate::rules::time::days(i64::from(days)));
    c.slim_delivered(ms(cutoff), SLIM_PER_RUN)
}

/// Queues the reminders whose moment has come (R1, R2): at most one per invitation.
fn queue_reminders(c: &mut dyn Tx, now: DateTime<Utc>) -> Result<u32> {
    let settings = c.get_feedback_settings()?;
    let first_day = match settings.non_respondent_reminder_days {
        0 => reminder::REVIEW_REMINDER_DAYS,
        d => reminder::REVIEW_REMINDER_DAYS.min(i64::from(d)),
    };
    let cutoff = crate::rules::time::sub(now, crate::rules::time::days(first_day));
    let mut queued = 0;
    let mut ids = None;
    let mut slots = super::policy::Slots::new(c)?;
    for cand in c.reminder_candidates(ms(cutoff))? {
        let facts = ReminderFacts {
            delivered_at: from_stored(cand.delivered_at),
            answered: cand
                .answered
                .map(|(at, nps)| (from_stored(at), nps.and_then(nps_category))),
            review_confirmed: cand.review_confirmed,
            has_review_link: cand.has_review_link,
        };
        let kind = match reminder::decide(
            &facts,
            now,
            settings.review_mode,
            settings.non_respondent_reminder_days,
        ) {
            ReminderDecision::NotYet => continue,
            ReminderDecision::NoReminder => None,
            ReminderDecision::Review => Some(MessageKind::ReviewReminder),
            ReminderDecision::Survey => Some(MessageKind::SurveyReminder),
        };
        if let Some(kind) = kind {
            let ids = match &mut ids {
                Some(i) => i,
                None => ids.insert(MessageIds::new(now)?),
            };
            // P5: a reminder waits for the location's next send slot.
            let slot = slots.slot(c, Some(cand.location), now, now)?;
            let message_id = ids.next_id();
            c.queue_message(
                &message_id,
                &store::NewMessage {
                    invitation: Some(cand.invitation),
                    ..store::NewMessage::to_customer(
                        kind,
                        cand.customer,
                        cand.location,
                        Channel::parse(&cand.channel).unwrap_or(Channel::Email),
                        &cand.language,
                        ms(slot.unwrap_or(now)),
                    )
                },
                ms(now),
            )?;
            if slot.is_none() {
                c.cancel_message(&message_id, None, "no_send_slot", ms(now))?;
            }
            queued += 1;
        }
        c.mark_reminder_decided(cand.invitation)?;
    }
    Ok(queued)
}
