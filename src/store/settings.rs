//! The settings area of the storage seam: its trait and the rows it speaks.

use crate::error::Result;
use crate::model::{AlertSettings, ContactPolicy, DeliverySettings, FeedbackSettings, Settings};

/// The settings a store keeps (mirrors `store/sqlite/settings.rs`).
pub trait SettingsStore {
    /// The stored `Settings`; the defaults for what was never set.
    fn get_settings(&mut self) -> Result<Settings>;

    /// Stores every field of a `Settings`.
    fn set_settings(&mut self, s: &Settings) -> Result<()>;

    /// The stored `DeliverySettings`; the defaults for what was never set.
    fn get_delivery_settings(&mut self) -> Result<DeliverySettings>;

    /// Stores every field of a `DeliverySettings`.
    fn set_delivery_settings(&mut self, s: &DeliverySettings) -> Result<()>;

    /// The stored `AlertSettings`; the defaults for what was never set.
    fn get_alert_settings(&mut self) -> Result<AlertSettings>;

    /// Stores every field of a `AlertSettings`.
    fn set_alert_settings(&mut self, s: &AlertSettings) -> Result<()>;

    /// The stored `FeedbackSettings`; the defaults for what was never set.
    fn get_feedback_settings(&mut self) -> Result<FeedbackSettings>;

    /// Stores every field of a `FeedbackSettings`.
    fn set_feedback_settings(&mut self, s: &FeedbackSettings) -> Result<()>;

    /// The stored `ContactPolicy`; the defaults for what was never set.
    fn get_contact_policy(&mut self) -> Result<ContactPolicy>;

    /// Stores every field of a `ContactPolicy`.
    fn set_contact_policy(&mut self, s: &ContactPolicy) -> Result<()>;
}
