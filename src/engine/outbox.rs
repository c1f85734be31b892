//! What the outbox needs from every use case that queues a message: message ids, random
//! bytes for tokens, and the stored text of messages written at queue time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Mints message ids: 32 hex digits, the creation time first so that new rows append to
/// the end of the id index, then a random salt per batch and a sequence number.
pub struct MessageIds {
    prefix: String,
    next: u64,
}

impl MessageIds {
    /// A generator for messages created at `now`.
    pub fn new(now: DateTime<Utc>) -> Result<Self> {
        let salt = random_bytes::<4>()?;
        let ms = u64::try_from(now.timestamp_millis()).unwrap_or(0) & 0xffff_ffff_ffff;
        Ok(MessageIds {
            prefix: format!("{ms:012x}{:08x}", u32::from_be_bytes(salt)),
            next: 0,
        })
    }

    /// The next id.
    pub fn next_id(&mut self) -> String {
        self.next += 1;
        format!("{}{:012x}", self.prefix, self.next)
    }
}

/// A fresh time-ordered link token minted at `now` (F6: 128 random bits).
pub fn new_token(now: DateTime<Utc>) -> Result<crate::rules::token::Token> {
    Ok(crate::rules::token::Token::ordered(
        now.timestamp_millis(),
        random_bytes::<16>()?,
    ))
}

/// Fresh bytes from the OS random source (tokens, id salts).
pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|_| Error::Internal("the OS random source failed".into()))?;
    Ok(bytes)
}

/// The text of a message written at queue time (staff notifications, replies), kept in
/// the outbox row's `params`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FixedText {
    /// Subject line.
    pub subject: String,
    /// Body.
    pub body: String,
    /// The conversation a customer reply belongs to (its Reply-To is minted at claim).
    #[serde(default)]
    pub response: Option<i64>,
    /// The response a staff notification is about (so erasing its customer finds it).
    #[serde(default)]
    pub about: Option<i64>,
    /// The phone an SMS written by hearken goes to (D4's `sms_keyword_reply`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}
