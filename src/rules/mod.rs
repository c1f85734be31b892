//! Pure decisions: no I/O, no clock reads; `now` is always passed in.

pub mod alert;
pub mod contact;
pub mod cooldown;
pub mod decide;
pub mod eligibility;
pub mod grammar;
pub mod header;
pub mod html;
pub mod inbound;
pub mod period;
pub mod policy;
pub mod relationship;
pub mod reminder;
pub mod score;
pub mod survey;
pub mod template;
pub mod time;
pub mod token;
pub mod validate;
pub mod webhook;
pub mod window;
pub mod windows_zones;
