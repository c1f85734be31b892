//! The inbound SMS call (D4): what the host's SMS provider's inbound webhook hands over.

use crate::error::Result;
use crate::model::{InboundSms, SmsOutcome};

use crate::engine::{Engine, inbound};

impl Engine {
    /// Acts on an SMS a customer sent to the store's number (D4), in one transaction: an
    /// opt-out word anywhere suppresses the phone for SMS and queues one confirmation
    /// (`sms_keyword_reply`, due at once); START or UNSTOP lifts a keyword opt-out only;
    /// HELP queues the help text; a bare 0 to 10 answers the latest open SMS invitation to
    /// the phone ([`SmsOutcome::NoOpenSurvey`] when there is none); anything else is kept
    /// as a reply. `from` is read as the sync reads phones; a bad `from`, an over-long
    /// `body` or an out-of-range `received_at` is [`crate::Error::Invalid`] naming the
    /// field, and changes nothing.
    pub fn receive_sms(&self, sms: &InboundSms) -> Result<SmsOutcome> {
        self.lock()?.write(|c| inbound::receive_sms(c, sms))
    }
}
