//! Pure decisions: no I/O, no clock reads; `now` is always passed in.

pub mod contact;
pub mod cooldown;
pub mod eligibility;
pub mod time;
pub mod validate;
pub mod window;
