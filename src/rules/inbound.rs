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

/// At most this many languages in each of the per-language SMS settings.
pub const MAX_LANGUAGES: usize = 32;
/// At most this many opt-out words per language.
pub const MAX_WORDS: usize = 32;
/// Longest SMS hearken writes itself (HELP text): two segments.
pub const MAX_REPLY_CHARS: usize = 320;

/// An opt-out word or phrase a setting may list: 1 to 64 characters with at least one
/// word in it.
pub fn is_settable_word(word: &str) -> bool {
    word.chars().count() <= 64 && !words(&normalise(word)).is_empty()
}

/// Every opt-out word and phrase in force: the US list, then each language's own (its
/// setting in `by_language` when there is one, else its default).
pub fn opt_out_words<'a>(
    by_language: impl IntoIterator<Item = (&'a String, &'a Vec<String>)>,
) -> Vec<String> {
    let set: Vec<(&String, &Vec<String>)> = by_language.into_iter().collect();
    let mut out: Vec<String> = US_OPT_OUT_WORDS.iter().map(|w| (*w).to_owned()).collect();
    for lang in ["fr", "ko"] {
        if !set.iter().any(|(l, _)| l.as_str() == lang) {
            out.extend(default_opt_out_words(lang).iter().map(|w| (*w).to_owned()));
        }
    }
    for (_, words) in set {
        out.extend(words.iter().cloned());
    }
    out
}

/// The primary subtag of a language tag, lower-cased (`fr-CA` → `fr`).
fn primary(language: &str) -> String {
    language
        .split('-')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The shipped answer to HELP in `language` (English for a language without one).
pub fn default_help_text(language: &str) -> &'static str {
    match primary(language).as_str() {
        "fr" => {
            "Questionnaires de satisfaction. Répondez par une note de 0 à 10 pour répondre \
             au dernier questionnaire, ARRET pour ne plus recevoir de SMS."
        }
        "ko" => "만족도 설문 안내: 0~10 점수로 답장하시면 최근 설문에 응답됩니다. 수신거부는 그만.",
        _ => {
            "Customer feedback surveys. Reply with a score from 0 to 10 to answer the latest \
             survey, STOP to receive no more texts."
        }
    }
}

/// The one confirmation of an opt-out, in `language` (English for a language without one).
pub fn opt_out_confirmation(language: &str) -> &'static str {
    match primary(language).as_str() {
        "fr" => "Vous ne recevrez plus de SMS de notre part. Répondez START pour vous réabonner.",
        "ko" => "더 이상 문자를 보내지 않습니다. 다시 받으시려면 START라고 답장해 주세요.",
        _ => "You will receive no more texts from us. Reply START to opt back in.",
    }
}

/// The HELP text in `language`: its setting in `by_language` (the language tag, then its
/// primary subtag), else the shipped text.
pub fn help_text<'a>(
    by_language: &'a std::collections::BTreeMap<String, String>,
    language: &str,
) -> &'a str {
    set_or(by_language, language, default_help_text)
}

/// The confirmation of an opt-out in `language`: its setting in `by_language` (the
/// language tag, then its primary subtag), else the shipped text
/// ([`opt_out_confirmation`]).
pub fn opt_out_confirmation_text<'a>(
    by_language: &'a std::collections::BTreeMap<String, String>,
    language: &str,
) -> &'a str {
    set_or(by_language, language, opt_out_confirmation)
}

/// A text's setting in `by_language` for `language` (the tag, then its primary subtag),
/// else `shipped(language)`.
fn set_or<'a>(
    by_language: &'a std::collections::BTreeMap<String, String>,
    language: &str,
    shipped: fn(&str) -> &'static str,
) -> &'a str {
    let tag = language.to_ascii_lowercase();
    by_language
        .get(&tag)
        .or_else(|| by_language.get(&primary(language)))
        .map_or_else(|| shipped(language), String::as_str)
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
    fn d4_a_language_setting_replaces_its_defaults_only() {
        let mut set = std::collections::BTreeMap::new();
        set.insert("fr".to_owned(), vec!["assez".to_owned()]);
        let words = opt_out_words(&set);
        assert!(matches!(
            classify("Assez !", &words),
            InboundSms::OptOut { .. }
        ));
        assert_eq!(classify("arrêt", &words), InboundSms::Reply);
        assert!(matches!(
            classify("중지", &words),
            InboundSms::OptOut { .. }
        ));
        assert!(matches!(
            classify("stop", &words),
            InboundSms::OptOut { .. }
        ));
    }

    #[test]
    fn d4_help_text_by_language_with_fallbacks() {
        let mut set = std::collections::BTreeMap::new();
        set.insert("fr".to_owned(), "Aide".to_owned());
        assert_eq!(help_text(&set, "fr-CA"), "Aide");
        assert_eq!(help_text(&set, "ko"), default_help_text("ko"));
        assert_eq!(help_text(&set, "de"), default_help_text("en"));
    }

    #[test]
    fn d4_opt_out_confirmation_by_language_with_fallbacks() {
        let mut set = std::collections::BTreeMap::new();
        set.insert("fr".to_owned(), "C'est noté".to_owned());
        assert_eq!(opt_out_confirmation_text(&set, "fr-CA"), "C'est noté");
        assert_eq!(
            opt_out_confirmation_text(&set, "ko"),
            opt_out_confirmation("ko")
        );
        assert_eq!(
            opt_out_confirmation_text(&set, "de"),
            opt_out_confirmation("en")
        );
    }

    #[test]
    fn d4_hangul_survives_accent_stripping() {
        assert_eq!(normalise(" 수신거부 "), "수신거부");
        assert_eq!(normalise("ÉTÉ"), "ete");
    }
}
