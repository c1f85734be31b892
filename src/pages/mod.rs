//! What the customer sees (M1, M2): the HTML part of the e-mails, the survey page, the
//! thank-you, expired-link and unsubscribe pages, and the posted survey form read back
//! into answers. Pure: no I/O, no clock; hearken never opens a socket, the host serves
//! these pages. Every inserted value is escaped (M4).

mod email;
mod form;
mod layout;
mod outcome;
mod survey;
mod texts;

pub use email::{builtin_html, score_scale};
pub use form::{MAX_FORM_BYTES, parse_form};
pub use outcome::{expired_page, thank_you_page, unsubscribed_page};
pub use survey::survey_page;
pub use texts::page_language;
