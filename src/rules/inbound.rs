//! Inbound SMS (D4): what a customer's text message to the store's number means.
//!
//! A reply is read after trimming, case-folding and stripping accents ([`normalise`]).
//! Opt-out follows the US rule in force (47 CFR 64.1200(a)(10)) and CTIA practice: an
//! opt-out word or phrase anywhere in the reply, as a whole word ("stop please", "please
//! stop texting me"), revokes consent; "stopped" is not "stop". START, UNSTOP and HELP
//! count only as the whole message, and so does a bare score from 0 to 10. Anything else
//! is an ordinary reply.
//!
//! Pure: the caller passes the opt-out lists (the US list and each store language's, see
//! [`default_opt_out_words`]).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The opt-out words and phrases of the US rule and CTIA practice, always in force.
pub const US_OPT_OUT_WORDS: &[&str] = &[
    "STOP",
    "QUIT",
    "END",
    "REVOKE",
    "OPT OUT",
    "CANCEL",
    "UNSUBSCRIBE",
    "STOPALL",
];

/// A store language's own opt-out words by default (`fr`, `ko`); empty for others.
pub fn default_opt_out_words(language: &str) -> &'static [&'static str] {
    match language {
        "fr" => &["ARRET", "DESABONNER", "DESINSCRIRE"],
        "ko" => &["수신거부", "그만", "중지"],
        _ => &[],
    }
}

/// What an inbound SMS asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundSms {
    /// An opt-out word or phrase appears in the message: suppress the phone for SMS.
    /// Carries the matched word as listed (normalised), for the record.
    OptOut {
        /// The matched opt-out word or phrase, normalised.
        keyword: String,
    },
    /// The whole message is START or UNSTOP: lift keyword-sourced suppressions only.
    OptIn,
    /// The whole message is HELP: answer with the help text.
    Help,
    /// The whole message is a bare score from 0 to 10.
    Score(u8),
    /// Anything else: kept as an inbound reply.
    Reply,
}

/// Trims, strips accents (NFD, combining marks dropped, NFC again so Hangul syllables are
/// whole) and lower-cases `text`.
pub fn normalise(text: &str) -> String {
    text.trim()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .nfc()
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of normalised text: maximal runs of letters and digits.
fn words(normalised: &str) -> Vec<&str> {
    normalised
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Classifies `body` against the opt-out words and phrases in `opt_out` (any case, with or
/// without accents; a phrase is words separated by spaces).
pub fn classify<S: AsRef<str>>(body: &str, opt_out: &[S]) -> InboundSms {
    let text = normalise(body);
    let said = words(&text);
    for entry in opt_out {
        let phrase = normalise(entry.as_ref());
        let wanted = words(&phrase);
        if !wanted.is_empty() && said.windows(wanted.len()).any(|w| w == wanted.as_slice()) {
            return InboundSms::OptOut {
                keyword: wanted.join(" "),
            };
        }
    }
    match said.as_slice() {
        ["start"] | ["unstop"] if only_word(&text) => InboundSms::OptIn,
        ["help"] if only_word(&text) => InboundSms::Help,
        _ => bare_score(&text).map_or(InboundSms::Reply, InboundSms::Score),
    }
}

/// True when normalised text is one word with nothing around it but end punctuation
/// ("START", "start!", not "start now").
fn only_word(text: &str) -> bool {
    text.trim_end_matches(['.', '!'])
        .chars()
        .all(char::is_alphanumeric)
}

/// A whole message that is an integer from 0 to 10 (surrounding spaces already trimmed).
fn bare_score(text: &str) -> Option<u8> {
    if text.is_empty() || text.len() > 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u8>().ok().filter(|s| *s <= 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> Vec<&'static str> {
        let mut all = US_OPT_OUT_WORDS.to_vec();
        all.extend(default_opt_out_words("fr"));
        all.extend(default_opt_out_words("ko"));
        all
    }

    #[test]
    fn d4_opt_out_words_anywhere_as_whole_words() {
        for body in [
            " Stop ",
            "ARRÊT",
            "stop please",
            "please stop texting me",
            "수신거부",
            "Opt-out",
            "opt out now",
            "UNSUBSCRIBE.",
            "désinscrire",
            "이제 그만",
        ] {
            assert!(
                matches!(classify(body, &lists()), InboundSms::OptOut { .. }),
                "{body:?} must opt out"
            );
        }
    }

    #[test]
    fn d4_stopped_is_not_stop() {
        assert_eq!(
            classify("Stopped by today, great staff! 10", &lists()),
            InboundSms::Reply
        );
        assert_eq!(classify("unstoppable", &lists()), InboundSms::Reply);
    }

    #[test]
    fn d4_start_unstop_help_and_scores_only_as_the_whole_message() {
        assert_eq!(classify("START", &lists()), InboundSms::OptIn);
        assert_eq!(classify(" unstop ", &lists()), InboundSms::OptIn);
        assert_eq!(classify("Help", &lists()), InboundSms::Help);
        assert_eq!(
            classify("help me with my order", &lists()),
            InboundSms::Reply
        );
        assert_eq!(classify("start over", &lists()), InboundSms::Reply);
        assert_eq!(classify(" 9 ", &lists()), InboundSms::Score(9));
        assert_eq!(classify("10", &lists()), InboundSms::Score(10));
        assert_eq!(classify("0", &lists()), InboundSms::Score(0));
        assert_eq!(classify("11", &lists()), InboundSms::Reply);
        assert_eq!(classify("9/10", &lists()), InboundSms::Reply);
        assert_eq!(classify("", &lists()), InboundSms::Reply);
    }

    #[test]
    fn d4_an_opt_out_word_wins_over_a_score() {
        assert_eq!(
            classify("stop 10", &lists()),
            InboundSms::OptOut {
                keyword: "stop".into()
            }
        );
    }

    #[test]
    fn d4_the_matched_keyword_is_reported_normalised() {
        assert_eq!(
            classify("Arrêt!", &lists()),
            InboundSms::OptOut {
                keyword: "arret".into()
            }
        );
        assert_eq!(
            classify("please OPT  OUT", &lists()),
            InboundSms::OptOut {
                keyword: "opt out".into()
            }
        );
    }

    #[test]
    fn d4_hangul_survives_accent_stripping() {
        assert_eq!(normalise(" 수신거부 "), "수신거부");
        assert_eq!(normalise("ÉTÉ"), "ete");
    }
}
