//! The HTML part of the customer e-mails (M1): the 0–10 scale as eleven links, each with
//! the invitation's token and its score, in a table layout mail clients render, readable in
//! dark mode. The shipped HTML templates are built here; stores can override them.

use crate::model::MessageKind;
use crate::rules::html::escape;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// What one shipped e-mail says, in one language. `{…}` are template placeholders.
struct EmailText {
    heading: &'static str,
    greeting: &'static str,
    paragraph: &'static str,
    /// Above the score links (or the review button's text for a review reminder).
    action: &'static str,
    /// The text of the plain survey link under the scale.
    fallback: &'static str,
    footer: &'static str,
    unsubscribe: &'static str,
}

fn text(kind: MessageKind, lang: &str) -> Option<EmailText> {
    let e = |heading, greeting, paragraph, action, fallback, footer, unsubscribe| {
        Some(EmailText {
            heading,
            greeting,
            paragraph,
            action,
            fallback,
            footer,
            unsubscribe,
        })
    };
    let en = (
        "Or open the survey in your browser",
        "To stop receiving surveys:",
        "unsubscribe",
    );
    let fr = (
        "Ou ouvrez l'enquête dans votre navigateur",
        "Pour ne plus recevoir d'enquêtes :",
        "se désinscrire",
    );
    let ko = (
        "또는 브라우저에서 설문 열기",
        "설문 수신을 원하지 않으시면:",
        "수신 거부",
    );
    match (kind, lang) {
        (MessageKind::SurveyInvitation, "en") => e(
            "How was your visit to {location}?",
            "Hello {first_name},",
            "Thank you for choosing {location}. How likely are you to recommend {location} \
             to a friend or colleague?",
            "Click a score: one click answers.",
            en.0,
            en.1,
            en.2,
        ),
        (MessageKind::SurveyInvitation, "fr") => e(
            "Comment s'est passée votre visite chez {location} ?",
            "Bonjour {first_name},",
            "Merci d'avoir choisi {location}. Quelle est la probabilité que vous recommandiez \
             {location} à un ami ou un collègue ?",
            "Cliquez sur une note : un clic suffit.",
            fr.0,
            fr.1,
            fr.2,
        ),
        (MessageKind::SurveyInvitation, "ko") => e(
            "{location} 방문은 어떠셨나요?",
            "{first_name}님, 안녕하세요.",
            "{location}을(를) 이용해 주셔서 감사합니다. {location}을(를) 친구나 동료에게 추천할 \
             가능성은 얼마나 되십니까?",
            "점수를 누르세요. 클릭 한 번이면 됩니다.",
            ko.0,
            ko.1,
            ko.2,
        ),
        (MessageKind::SurveyReminder, "en") => e(
            "A reminder: how was your visit to {location}?",
            "Hello {first_name},",
            "We would still love to hear how likely you are to recommend {location}.",
            "Click a score: one click answers.",
            en.0,
            en.1,
            en.2,
        ),
        (MessageKind::SurveyReminder, "fr") => e(
            "Petit rappel : comment s'est passée votre visite chez {location} ?",
            "Bonjour {first_name},",
            "Votre avis sur {location} nous intéresse toujours.",
            "Cliquez sur une note : un clic suffit.",
            fr.0,
            fr.1,
            fr.2,
        ),
        (MessageKind::SurveyReminder, "ko") => e(
            "다시 안내드립니다: {location} 방문은 어떠셨나요?",
            "{first_name}님, 안녕하세요.",
            "{location}에 대한 의견을 아직 기다리고 있습니다.",
            "점수를 누르세요. 클릭 한 번이면 됩니다.",
            ko.0,
            ko.1,
            ko.2,
        ),
        (MessageKind::RelationshipSurvey, "en") => e(
            "{first_name}, how are we doing?",
            "Hello {first_name},",
            "Thank you for being a customer of {location}. All things considered, how likely \
             are you to recommend {location} to a friend or colleague?",
            "Click a score: one click answers.",
            en.0,
            en.1,
            en.2,
        ),
        (MessageKind::RelationshipSurvey, "fr") => e(
            "{first_name}, comment trouvez-vous nos services ?",
            "Bonjour {first_name},",
            "Merci de votre fidélité. Tout bien considéré, quelle est la probabilité que vous \
             recommandiez {location} à un ami ou un collègue ?",
            "Cliquez sur une note : un clic suffit.",
            fr.0,
            fr.1,
            fr.2,
        ),
        (MessageKind::RelationshipSurvey, "ko") => e(
            "{first_name}님, 그동안의 이용 경험은 어떠셨나요?",
            "{first_name}님, 안녕하세요.",
            "늘 {location}에 보내 주시는 관심에 감사드립니다. 지금까지의 경험을 모두 떠올려 볼 \
             때, 친구나 동료에게 추천할 가능성은 얼마나 되십니까?",
            "점수를 누르세요. 클릭 한 번이면 됩니다.",
            ko.0,
            ko.1,
            ko.2,
        ),
        (MessageKind::FollowUpSurvey, "en") => e(
            "How did we do, {first_name}?",
            "Hello {first_name},",
            "We were in touch about your visit to {location}. How likely are you now to \
             recommend {location}?",
            "Click a score: one click answers.",
            en.0,
            en.1,
            en.2,
        ),
        (MessageKind::FollowUpSurvey, "fr") => e(
            "Avons-nous bien fait, {first_name} ?",
            "Bonjour {first_name},",
            "Nous avons échangé au sujet de votre visite chez {location}. Nous \
             recommanderiez-vous maintenant ?",
            "Cliquez sur une note : un clic suffit.",
            fr.0,
            fr.1,
            fr.2,
        ),
        (MessageKind::FollowUpSurvey, "ko") => e(
            "{first_name}님, 저희 대응은 어떠셨나요?",
            "{first_name}님, 안녕하세요.",
            "{location} 방문과 관련해 연락드렸습니다. 이제 {location}을(를) 추천할 의향은 얼마나 \
             되십니까?",
            "점수를 누르세요. 클릭 한 번이면 됩니다.",
            ko.0,
            ko.1,
            ko.2,
        ),
        (MessageKind::ReviewReminder, "en") => e(
            "Would you share your experience at {location}?",
            "Hello {first_name},",
            "Thank you for your kind answer about {location}. A short public review helps \
             others find us.",
            "Write a review",
            "",
            en.1,
            en.2,
        ),
        (MessageKind::ReviewReminder, "fr") => e(
            "Partageriez-vous votre expérience chez {location} ?",
            "Bonjour {first_name},",
            "Merci pour votre réponse au sujet de {location}. Un court avis public aide \
             d'autres clients à nous trouver.",
            "Laisser un avis",
            "",
            fr.1,
            fr.2,
        ),
        (MessageKind::ReviewReminder, "ko") => e(
            "{location} 이용 후기를 남겨 주시겠어요?",
            "{first_name}님, 안녕하세요.",
            "{location}에 대한 소중한 응답에 감사드립니다. 짧은 후기를 남겨 주시면 다른 고객에게 \
             큰 도움이 됩니다.",
            "후기 남기기",
            "",
            ko.1,
            ko.2,
        ),
        _ => None,
    }
}

/// Colours of the e-mail: inline for clients that drop `<style>`, overridden in dark mode
/// where the client honours `prefers-color-scheme`. Contrast is AA in both.
const EMAIL_STYLE: &str = "\
:root {{ color-scheme: light dark; supported-color-schemes: light dark; }}
@media (prefers-color-scheme: dark) {{
  .hk-body, .hk-card {{ background: #121417 !important; color: #e8eaed !important; }}
  .hk-score, .hk-button {{ background: #8ab4f8 !important; color: #0b1220 !important; }}
  .hk-link {{ color: #8ab4f8 !important; }}
  .hk-muted {{ color: #bdc1c6 !important; }}
}}
@media (max-width: 420px) {{ .hk-score {{ font-size: 15px !important; }} }}
";

const FONT: &str = "font-family:-apple-system,'Segoe UI',Roboto,'Noto Sans','Noto Sans CJK KR',\
                    'Apple SD Gothic Neo','Malgun Gothic',Arial,sans-serif";

/// The shipped HTML template of an e-mail of `kind` in `lang` (`en`, `fr`, `ko`), with
/// its placeholders; `None` for other kinds and languages.
pub fn builtin_html(kind: MessageKind, lang: &str) -> Option<String> {
    let t = text(kind, lang)?;
    let action = if kind == MessageKind::ReviewReminder {
        format!(
            "<p style=\"margin:24px 0\"><a class=\"hk-button\" href=\"{{review_link}}\" \
             style=\"display:inline-block;padding:12px 24px;background:#0b57d0;color:#ffffff;\
             border-radius:6px;font-weight:bold;text-decoration:none\">{}</a></p>",
            t.action
        )
    } else {
        format!(
            "<p style=\"margin:0 0 8px;font-weight:bold\">{}</p>\n{{score_scale}}\n\
             <p class=\"hk-muted\" style=\"margin:16px 0 0;font-size:14px;color:#4a5058\">\
             <a class=\"hk-link\" href=\"{{survey_link}}\" style=\"color:#0b57d0\">{}</a></p>",
            t.action, t.fallback
        )
    };
    Some(format!(
        "<!doctype html>\n<html lang=\"{lang}\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"supported-color-schemes\" content=\"light dark\">\n\
         <title>{heading}</title>\n<style>\n{EMAIL_STYLE}</style>\n</head>\n\
         <body class=\"hk-body\" style=\"margin:0;padding:0;background:#ffffff;color:#1b1f24\">\n\
         <table role=\"presentation\" width=\"100%\" cellspacing=\"0\" cellpadding=\"0\" border=\"0\" \
         class=\"hk-body\" style=\"background:#ffffff\"><tr><td align=\"center\" style=\"padding:24px 12px\">\n\
         <table role=\"presentation\" width=\"100%\" cellspacing=\"0\" cellpadding=\"0\" border=\"0\" \
         class=\"hk-card\" style=\"max-width:560px;background:#ffffff;color:#1b1f24;{FONT};\
         font-size:16px;line-height:24px;overflow-wrap:anywhere\"><tr><td>\n\
         <h1 style=\"margin:0 0 16px;font-size:22px;line-height:28px\">{heading}</h1>\n\
         <p style=\"margin:0 0 16px\">{greeting}</p>\n<p style=\"margin:0 0 16px\">{paragraph}</p>\n\
         {action}\n\
         <p class=\"hk-muted\" style=\"margin:32px 0 0;font-size:13px;line-height:20px;color:#4a5058\">\
         {footer} <a class=\"hk-link\" href=\"{{unsubscribe_link}}\" style=\"color:#0b57d0\">{unsubscribe}</a></p>\n\
         </td></tr></table>\n</td></tr></table>\n</body>\n</html>\n",
        heading = t.heading,
        greeting = t.greeting,
        paragraph = t.paragraph,
        footer = t.footer,
        unsubscribe = t.unsubscribe,
    ))
}

/// The words around the scale, by page language: (low end, high end, name of score n).
fn scale_words(lang: &str) -> (&'static str, &'static str, &'static str) {
    match lang {
        "fr" => ("Pas du tout probable", "Très probable", "{n} sur 10"),
        "ko" => ("전혀 추천하지 않음", "적극 추천", "10점 만점에 {n}점"),
        _ => ("Not at all likely", "Extremely likely", "{n} out of 10"),
    }
}

/// The eleven score links of the HTML part (M1): `{survey_link}?score=N` for N = 0..10,
/// each with its spoken name (`aria-label`, `title`), in a presentation table.
pub fn score_scale(survey_link: &str, language: &str) -> String {
    // Rendered for every e-mail a claim hands over: the markup around the links is written
    // once per page language; each message escapes its link once (escaping works character
    // by character, so the score can follow it) and copies the pieces.
    static SCALES: OnceLock<[[String; 12]; 3]> = OnceLock::new();
    let scales = SCALES.get_or_init(|| ["en", "fr", "ko"].map(scale_pieces));
    let pieces = match super::page_language(&[language.to_owned()]) {
        "fr" => &scales[1],
        "ko" => &scales[2],
        _ => &scales[0],
    };
    let sep = if survey_link.contains('?') { '&' } else { '?' };
    let href = escape(&format!("{survey_link}{sep}score="));
    let mut out =
        String::with_capacity(pieces.iter().map(String::len).sum::<usize>() + 11 * href.len());
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            out.push_str(&href);
        }
        out.push_str(piece);
    }
    out
}

/// The scale's markup in page language `lang`, cut where each of the eleven links' escaped
/// `{survey_link}?score=` goes (the score itself is in the piece after the cut).
fn scale_pieces(lang: &str) -> [String; 12] {
    let (low, high, name) = scale_words(lang);
    let mut pieces: [String; 12] = Default::default();
    let mut out = String::from(
        "<table role=\"presentation\" width=\"100%\" cellspacing=\"0\" cellpadding=\"0\" \
         border=\"0\" style=\"max-width:560px;border-collapse:separate;border-spacing:3px 0\">\
         \n<tr>\n",
    );
    for (n, piece) in pieces.iter_mut().take(11).enumerate() {
        let label = escape(&name.replace("{n}", &n.to_string()));
        out.push_str(
            "<td align=\"center\" width=\"9%\" style=\"padding:0\"><a class=\"hk-score\" \
             href=\"",
        );
        *piece = std::mem::take(&mut out);
        let _ = writeln!(
            out,
            "{n}\" aria-label=\"{label}\" title=\"{label}\" style=\"display:block;\
             padding:10px 0;background:#0b57d0;color:#ffffff;{FONT};font-size:17px;\
             line-height:22px;font-weight:bold;text-align:center;text-decoration:none;\
             border-radius:4px\">{n}</a></td>"
        );
    }
    let _ = write!(
        out,
        "</tr>\n<tr><td colspan=\"6\" class=\"hk-muted\" align=\"left\" style=\"padding-top:6px;\
         {FONT};font-size:13px;line-height:18px;color:#4a5058\">0 = {}</td><td colspan=\"5\" \
         class=\"hk-muted\" align=\"right\" style=\"padding-top:6px;{FONT};font-size:13px;\
         line-height:18px;color:#4a5058\">10 = {}</td></tr>\n</table>",
        escape(low),
        escape(high)
    );
    pieces[11] = out;
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scale as it was written before its pieces were cached: the reference.
    /// The eleven score links of the HTML part (M1): `{survey_link}?score=N` for N = 0..10,
    /// each with its spoken name (`aria-label`, `title`), in a presentation table.
    fn score_scale_reference(survey_link: &str, language: &str) -> String {
        let lang = crate::pages::page_language(&[language.to_owned()]);
        let (low, high, name) = scale_words(lang);
        let sep = if survey_link.contains('?') { '&' } else { '?' };
        // Rendered for every e-mail a claim hands over: written into one buffer, the link
        // escaped once (escaping works character by character, so the score can follow it).
        let href = escape(&format!("{survey_link}{sep}score="));
        let mut out = String::with_capacity(7_000 + 11 * href.len());
        out.push_str(
            "<table role=\"presentation\" width=\"100%\" cellspacing=\"0\" cellpadding=\"0\" \
             border=\"0\" style=\"max-width:560px;border-collapse:separate;border-spacing:3px 0\">\
             \n<tr>\n",
        );
        for n in 0..=10 {
            let label = escape(&name.replace("{n}", &n.to_string()));
            let _ = writeln!(
                out,
                "<td align=\"center\" width=\"9%\" style=\"padding:0\"><a class=\"hk-score\" \
                 href=\"{href}{n}\" aria-label=\"{label}\" title=\"{label}\" style=\"display:block;\
                 padding:10px 0;background:#0b57d0;color:#ffffff;{FONT};font-size:17px;\
                 line-height:22px;font-weight:bold;text-align:center;text-decoration:none;\
                 border-radius:4px\">{n}</a></td>"
            );
        }
        let _ = write!(
            out,
            "</tr>\n<tr><td colspan=\"6\" class=\"hk-muted\" align=\"left\" style=\"padding-top:6px;\
             {FONT};font-size:13px;line-height:18px;color:#4a5058\">0 = {}</td><td colspan=\"5\" \
             class=\"hk-muted\" align=\"right\" style=\"padding-top:6px;{FONT};font-size:13px;\
             line-height:18px;color:#4a5058\">10 = {}</td></tr>\n</table>",
            escape(low),
            escape(high)
        );
        out
    }

    #[test]
    fn m1_cached_score_scale_is_the_one_written_per_message() {
        for lang in ["en", "fr-FR", "ko", "de", ""] {
            for link in [
                "https://x.example/s/abc",
                "https://x.example/s?t=abc",
                "https://x.example/s/<\"&'>",
            ] {
                assert_eq!(
                    score_scale(link, lang),
                    score_scale_reference(link, lang),
                    "{lang} {link}"
                );
            }
        }
    }
}
