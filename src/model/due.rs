use serde::{Deserialize, Serialize};

/// What one run of the timers queued (reminders R1, R2; escalations A3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct DueWork {
    /// Survey and review reminders queued.
    pub reminders: u32,
    /// Escalation notices queued to location owners.
    pub escalations: u32,
    /// Inactive customers erased by retention (D6; `retention_months`).
    #[serde(default, skip_serializing_if = "is_zero")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub erased: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
