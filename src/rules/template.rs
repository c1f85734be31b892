//! Message templates: placeholders checked when a template is set, rendered at claim time.
//!
//! Rendering follows the language (M3): a Korean particle written as `을(를)` (or `이(가)`,
//! `은(는)`, `과(와)`, `(으)로`, or with a slash) right after a placeholder becomes the one
//! form that fits the inserted value, and in French an eliding word before a placeholder
//! (`de {location}`) elides before a vowel (`d'Atelier`). An HTML part escapes every
//! inserted value (M4); `{score_scale}`, the eleven score links of M1, exists only there.

use std::borrow::Cow;

use super::{grammar, html};
use crate::model::{Channel, MessageKind};

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 5] = [
    "first_name",
    "location",
    "survey_link",
    "unsubscribe_link",
    "review_link",
];

/// The placeholder of the HTML part only: the 0–10 scale as eleven links (M1).
pub const SCORE_SCALE: &str = "score_scale";

/// Which part of a message a template is: plain text (also the subject) or HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Plain text: values inserted as they are.
    Text,
    /// HTML: values escaped; `{score_scale}` allowed.
    Html,
}

/// Values substituted into a template.
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    /// The customer's first name (or the language's polite fallback).
    pub first_name: &'a str,
    /// The location's display name.
    pub location: &'a str,
    /// The survey link.
    pub survey_link: &'a str,
    /// The unsubscribe link.
    pub unsubscribe_link: &'a str,
    /// The location's public review link (review reminders).
    pub review_link: &'a str,
    /// The eleven score links, as markup hearken wrote (HTML part only).
    pub score_scale: &'a str,
}

impl Values<'_> {
    fn get(&self, name: &str) -> &str {
        match name {
            "first_name" => self.first_name,
            "location" => self.location,
            "survey_link" => self.survey_link,
            "unsubscribe_link" => self.unsubscribe_link,
            "review_link" => self.review_link,
            SCORE_SCALE => self.score_scale,
            _ => "",
        }
    }
}

enum Piece<'a> {
    Text(&'a str),
    Slot(&'a str),
}

/// Splits a template into text and `{placeholder}` slots; `{{` and `}}` are literal braces.
fn parse(template: &str, part: Part) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        // Braces are ASCII, so a byte position is a character boundary; a byte scan is
        // several times quicker than a char-set pattern over a long HTML part (claim
        // renders every message).
        let Some(i) = rest.bytes().position(|b| b == b'{' || b == b'}') else {
            out.push(Piece::Text(rest));
            break;
        };
        if i > 0 {
            out.push(Piece::Text(&rest[..i]));
        }
        let tail = &rest[i..];
        // A literal brace is the template's own byte, so every piece lies inside it
        // ([`Parsed`] keeps pieces as positions).
        if let Some(after) = tail.strip_prefix("{{") {
            out.push(Piece::Text(&tail[..1]));
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push(Piece::Text(&tail[..1]));
            rest = after;
        } else if tail.starts_with('}') {
            return Err("a lone `}`: write `}}` for a literal brace".into());
        } else {
            let Some(end) = tail.find('}') else {
                return Err("a `{` is never closed".into());
            };
            let name = &tail[1..end];
            let known = PLACEHOLDERS.contains(&name) || (part == Part::Html && name == SCORE_SCALE);
            if !known {
                let mut names: Vec<String> = PLACEHOLDERS.map(|p| format!("{{{p}}}")).to_vec();
                if part == Part::Html {
                    names.push(format!("{{{SCORE_SCALE}}}"));
                }
                let what = if name == SCORE_SCALE {
                    "`{score_scale}` belongs in the HTML part only".to_owned()
                } else {
                    // The name is the template author's own text, not customer data.
                    format!("unknown placeholder `{{{name}}}`")
                };
                return Err(format!("{what}; known: {}", names.join(", ")));
            }
            out.push(Piece::Slot(name));
            rest = &tail[end + 1..];
        }
    }
    Ok(out)
}

/// Checks a plain-text template's placeholders; `required` must each appear at least once.
pub fn check(template: &str, required: &[&str]) -> Result<(), String> {
    check_part(template, required, Part::Text)
}

/// Checks a template of either part; `required` must each appear at least once. In an
/// HTML part every placeholder must sit where escaping keeps it text (M4, `html_place`).
pub fn check_part(template: &str, required: &[&str], part: Part) -> Result<(), String> {
    let pieces = parse(template, part)?;
    for r in required {
        if !pieces.iter().any(|p| matches!(p, Piece::Slot(n) if n == r)) {
            return Err(format!("must contain `{{{r}}}`"));
        }
    }
    if part == Part::Html {
        let mut scanner = html::Scanner::new();
        for p in &pieces {
            match p {
                Piece::Text(t) => scanner.feed(t),
                Piece::Slot(name) => {
                    if let Err(why) = html_place(name, &scanner.context()) {
                        return Err(format!("`{{{name}}}` is {why}"));
                    }
                    scanner.feed_value();
                }
            }
        }
    }
    Ok(())
}

/// The links hearken fills itself: the only placeholders a URL-valued attribute may hold.
const LINKS: [&str; 3] = ["survey_link", "unsubscribe_link", "review_link"];

/// Whether placeholder `name` may sit in `context` of an HTML part (M4); else where it is,
/// said without quoting the template. `{score_scale}` is markup: only between tags.
fn html_place(name: &str, context: &html::Context) -> Result<(), &'static str> {
    use html::{AttributeKind, Context};
    match context {
        Context::Unsafe(why) => Err(why),
        Context::Text => Ok(()),
        _ if name == SCORE_SCALE => {
            Err("markup (the score links): put it between tags, not in an attribute or a title")
        }
        Context::Rcdata => Ok(()),
        Context::Attribute { tag, name: attr } => match html::attribute_kind(tag, attr) {
            None => Ok(()),
            Some(AttributeKind::Script) => {
                Err("in an event-handler attribute (on…), which is script")
            }
            Some(AttributeKind::Css) => Err("in a `style` attribute, which is CSS"),
            Some(AttributeKind::Document) => Err("in a `srcdoc` attribute, which is a document"),
            Some(AttributeKind::Url) if LINKS.contains(&name) => Ok(()),
            Some(AttributeKind::Url) => Err(
                "in a URL-valued attribute (href, src, action, formaction …): only \
                 {survey_link}, {unsubscribe_link} and {review_link} may be there",
            ),
        },
    }
}

/// The placeholders a body of this kind and channel must contain.
pub fn required_in_body(kind: MessageKind, _channel: Channel) -> &'static [&'static str] {
    match kind {
        MessageKind::SurveyInvitation | MessageKind::SurveyReminder => {
            &["survey_link", "unsubscribe_link"]
        }
        MessageKind::ReviewReminder => &["review_link", "unsubscribe_link"],
        MessageKind::FollowUpSurvey | MessageKind::RelationshipSurvey => {
            &["survey_link", "unsubscribe_link"]
        }
        // Written by hearken or a user at queue time, not from a store template.
        MessageKind::FeedbackNotification
        | MessageKind::AlertEscalation
        | MessageKind::CustomerReply
        | MessageKind::Webhook => &[],
        MessageKind::SmsKeywordReply => &[],
    }
}

/// The placeholders the HTML part of an e-mail of this kind must contain: the score links
/// where the plain text has the survey link (M1).
pub fn required_in_html(kind: MessageKind) -> &'static [&'static str] {
    match kind {
        MessageKind::SurveyInvitation
        | MessageKind::SurveyReminder
        | MessageKind::FollowUpSurvey
        | MessageKind::RelationshipSurvey => &[SCORE_SCALE, "unsubscribe_link"],
        MessageKind::ReviewReminder => &["review_link", "unsubscribe_link"],
        MessageKind::FeedbackNotification
        | MessageKind::AlertEscalation
        | MessageKind::CustomerReply
        | MessageKind::Webhook => &[],
        MessageKind::SmsKeywordReply => &[],
    }
}

/// Renders a plain-text template that passed [`check`], in `language` (M3); an unparsable
/// one renders as its raw text.
pub fn render(template: &str, v: &Values<'_>, language: &str) -> String {
    render_part(template, v, language, Part::Text)
}

/// Renders an HTML template that passed [`check_part`]: every value escaped (M4) except the
/// score links hearken wrote; an unparsable one renders escaped, as text.
pub fn render_html(template: &str, v: &Values<'_>, language: &str) -> String {
    render_part(template, v, language, Part::Html)
}

/// [`render`] for a text with only a `{location}` in it (survey questions).
pub fn fill_location(text: &str, location: &str, language: &str) -> String {
    let v = Values {
        location,
        ..Values::EMPTY
    };
    render(text, &v, language)
}

impl Values<'static> {
    /// Every value empty.
    pub const EMPTY: Values<'static> = Values {
        first_name: "",
        location: "",
        survey_link: "",
        unsubscribe_link: "",
        review_link: "",
        score_scale: "",
    };
}

fn render_part(template: &str, v: &Values<'_>, language: &str, part: Part) -> String {
    let Ok(pieces) = parse(template, part) else {
        return unparsable(template, part);
    };
    render_pieces(template.len(), &pieces, v, language, part)
}

/// What an unparsable template renders as: its raw text (escaped in an HTML part).
fn unparsable(template: &str, part: Part) -> String {
    match part {
        Part::Text => template.to_owned(),
        Part::Html => html::escape(template),
    }
}

/// A template split once into text and placeholders, to render many messages with
/// (a claim renders every message of a template from one parse). Renders exactly as
/// [`render`] or [`render_html`] would.
#[derive(Debug, Clone)]
pub struct Parsed {
    source: String,
    part: Part,
    /// Each piece as (is a placeholder, start, end) in `source`; `None`: unparsable.
    pieces: Option<Vec<(bool, usize, usize)>>,
}

impl Parsed {
    /// Parses `template` as a `part`.
    pub fn new(template: &str, part: Part) -> Parsed {
        let base = template.as_ptr() as usize;
        let at = |s: &str| {
            let start = s.as_ptr() as usize - base;
            (start, start + s.len())
        };
        let pieces = parse(template, part).ok().map(|pieces| {
            pieces
                .iter()
                .map(|p| match p {
                    Piece::Text(t) => {
                        let (s, e) = at(t);
                        (false, s, e)
                    }
                    // A slot's name sits between its braces, inside the template.
                    Piece::Slot(name) => {
                        let (s, e) = at(name);
                        (true, s, e)
                    }
                })
                .collect()
        });
        Parsed {
            source: template.to_owned(),
            part,
            pieces,
        }
    }

    /// Renders the template with `v` in `language` (M3, M4 as [`render_html`]).
    pub fn render(&self, v: &Values<'_>, language: &str) -> String {
        let Some(ranges) = &self.pieces else {
            return unparsable(&self.source, self.part);
        };
        let pieces: Vec<Piece<'_>> = ranges
            .iter()
            .map(|&(slot, s, e)| {
                let t = &self.source[s..e];
                if slot { Piece::Slot(t) } else { Piece::Text(t) }
            })
            .collect();
        render_pieces(self.source.len(), &pieces, v, language, self.part)
    }
}

fn render_pieces(
    template_len: usize,
    pieces: &[Piece<'_>],
    v: &Values<'_>,
    language: &str,
    part: Part,
) -> String {
    let french = primary(language) == "fr";
    // What the language rules write (a particle, an elided word and its apostrophe) is
    // text, escaped in an HTML part like the values (M4); the template's own text is not.
    let text = |out: &mut String, s: &str| match part {
        Part::Html => out.push_str(&html::escape(s)),
        Part::Text => out.push_str(s),
    };
    // Room for the values too (the score scale is several kB), so the part is written
    // without growing the buffer.
    let values = [
        v.first_name,
        v.location,
        v.survey_link,
        v.unsubscribe_link,
        v.review_link,
        v.score_scale,
    ];
    let mut out =
        String::with_capacity(template_len + 128 + values.iter().map(|s| s.len()).sum::<usize>());
    let mut previous: Option<&str> = None;
    for (i, p) in pieces.iter().enumerate() {
        match p {
            Piece::Text(t) => {
                let mut t: Cow<'_, str> = Cow::Borrowed(t);
                // The length of the particle the language chose, at the start of `t`.
                let mut particle = 0;
                if let Some(word) = previous.take()
                    && let Some((pair, len)) = grammar::ko_particle_notation(&t)
                {
                    let chosen = grammar::ko_particle(word, pair).unwrap_or(pair);
                    particle = chosen.len();
                    t = Cow::Owned(format!("{chosen}{}", &t[len..]));
                }
                let elision = match pieces.get(i + 1) {
                    Some(Piece::Slot(next)) if french => grammar::fr_elision(&t, v.get(next)),
                    _ => None,
                };
                let end = elision.as_ref().map_or(t.len(), |(start, _)| *start);
                let particle = particle.min(end);
                text(&mut out, &t[..particle]);
                out.push_str(&t[particle..end]);
                if let Some((_, elided)) = &elision {
                    text(&mut out, elided);
                }
            }
            Piece::Slot(name) => {
                let value = v.get(name);
                match part {
                    Part::Html if *name != SCORE_SCALE => out.push_str(&html::escape(value)),
                    _ => out.push_str(value),
                }
                previous = Some(value);
            }
        }
    }
    out
}

/// The primary subtag of a language tag, lower case (`fr-CA` → `fr`).
pub fn primary(language: &str) -> String {
    language
        .split(['-', '_'])
        .next()
        .unwrap_or(language)
        .to_ascii_lowercase()
}

/// Languages to try for a customer, most specific first: `fr-CA` → `fr` → store default → `en`.
pub fn language_chain(customer: Option<&str>, store_default: &str) -> Vec<String> {
    let mut chain: Vec<String> = Vec::new();
    let mut push = |tag: &str| {
        let tag = tag.to_ascii_lowercase();
        if !tag.is_empty() && !chain.contains(&tag) {
            chain.push(tag);
        }
    };
    for tag in customer.into_iter().chain([store_default, "en"]) {
        push(tag);
        push(tag.split('-').next().unwrap_or(tag));
    }
    chain
}

/// A subject and body in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    /// Subject (e-mail) — empty for SMS.
    pub subject: &'static str,
    /// Body.
    pub body: &'static str,
    /// What `{first_name}` becomes when the customer has no name.
    pub no_name: &'static str,
}

/// The shipped template for a kind, channel and (lower-case primary) language.
pub fn builtin(kind: MessageKind, channel: Channel, language: &str) -> Option<Builtin> {
    let b = |subject, body, no_name| {
        Some(Builtin {
            subject,
            body,
            no_name,
        })
    };
    match (kind, channel, language) {
        (MessageKind::SurveyInvitation, Channel::Email, "en") => b(
            "How was your visit to {location}?",
            "Hello {first_name},\n\nThank you for choosing {location}. How likely are you to \
             recommend {location} to a friend or colleague? It takes one click:\n\
             {survey_link}\n\nTo stop receiving surveys: {unsubscribe_link}\n",
            "there",
        ),
        (MessageKind::SurveyInvitation, Channel::Sms, "en") => b(
            "",
            "{location}: how likely are you to recommend us? {survey_link} \
             Stop: {unsubscribe_link}",
            "there",
        ),
        (MessageKind::SurveyInvitation, Channel::Email, "fr") => b(
            "Comment s'est passée votre visite chez {location} ?",
            "Bonjour {first_name},\n\nMerci d'avoir choisi {location}. Quelle est la \
             probabilité que vous recommandiez {location} à un ami ou un collègue ? Un clic \
             suffit :\n{survey_link}\n\nPour ne plus recevoir d'enquêtes : {unsubscribe_link}\n",
            "cher client",
        ),
        (MessageKind::SurveyInvitation, Channel::Sms, "fr") => b(
            "",
            "{location} : nous recommanderiez-vous ? {survey_link} Stop : {unsubscribe_link}",
            "cher client",
        ),
        (MessageKind::SurveyInvitation, Channel::Email, "ko") => b(
            "{location} 방문은 어떠셨나요?",
            "{first_name}님, 안녕하세요.\n\n{location}을(를) 이용해 주셔서 감사합니다. \
             {location}을(를) 친구나 동료에게 추천할 가능성은 얼마나 되십니까? 클릭 한 번이면 \
             됩니다:\n{survey_link}\n\n설문 수신 거부: {unsubscribe_link}\n",
            "고객",
        ),
        (MessageKind::SurveyInvitation, Channel::Sms, "ko") => b(
            "",
            "{location}: 추천 의향을 알려주세요 {survey_link} 수신거부: {unsubscribe_link}",
            "고객",
        ),
        (MessageKind::ReviewReminder, Channel::Email, "en") => b(
            "Would you share your experience at {location}?",
            "Hello {first_name},\n\nThank you for your kind answer about {location}. A short \
             public review helps others find us:\n{review_link}\n\nTo stop receiving \
             surveys: {unsubscribe_link}\n",
            "there",
        ),
        (MessageKind::ReviewReminder, Channel::Sms, "en") => b(
            "",
            "{location}: thank you! Would you leave us a review? {review_link} \
             Stop: {unsubscribe_link}",
            "there",
        ),
        (MessageKind::ReviewReminder, Channel::Email, "fr") => b(
            "Partageriez-vous votre expérience chez {location} ?",
            "Bonjour {first_name},\n\nMerci pour votre réponse au sujet de {location}. Un court \
             avis public aide d'autres clients à nous trouver :\n{review_link}\n\nPour ne plus \
             recevoir d'enquêtes : {unsubscribe_link}\n",
            "cher client",
        ),
        (MessageKind::ReviewReminder, Channel::Sms, "fr") => b(
            "",
            "{location} : merci ! Laisseriez-vous un avis ? {review_link} Stop : {unsubscribe_link}",
            "cher client",
        ),
        (MessageKind::ReviewReminder, Channel::Email, "ko") => b(
            "{location} 이용 후기를 남겨 주시겠어요?",
            "{first_name}님, 안녕하세요.\n\n{location}에 대한 소중한 응답에 감사드립니다. 짧은 \
             후기를 남겨 주시면 다른 고객에게 큰 도움이 됩니다:\n{review_link}\n\n설문 수신 \
             거부: {unsubscribe_link}\n",
            "고객",
        ),
        (MessageKind::ReviewReminder, Channel::Sms, "ko") => b(
            "",
            "{location}: 감사합니다! 후기를 남겨 주세요 {review_link} 수신거부: {unsubscribe_link}",
            "고객",
        ),
        (MessageKind::SurveyReminder, Channel::Email, "en") => b(
            "A reminder: how was your visit to {location}?",
            "Hello {first_name},\n\nWe would still love to hear how likely you are to \
             recommend {location}. One click:\n{survey_link}\n\nTo stop receiving surveys: \
             {unsubscribe_link}\n",
            "there",
        ),
        (MessageKind::SurveyReminder, Channel::Sms, "en") => b(
            "",
            "{location}: still time to tell us how we did {survey_link} Stop: {unsubscribe_link}",
            "there",
        ),
        (MessageKind::SurveyReminder, Channel::Email, "fr") => b(
            "Petit rappel : comment s'est passée votre visite chez {location} ?",
            "Bonjour {first_name},\n\nVotre avis sur {location} nous intéresse toujours. Un clic \
             suffit :\n{survey_link}\n\nPour ne plus recevoir d'enquêtes : {unsubscribe_link}\n",
            "cher client",
        ),
        (MessageKind::SurveyReminder, Channel::Sms, "fr") => b(
            "",
            "{location} : il est encore temps de donner votre avis {survey_link} \
             Stop : {unsubscribe_link}",
            "cher client",
        ),
        (MessageKind::SurveyReminder, Channel::Email, "ko") => b(
            "다시 안내드립니다: {location} 방문은 어떠셨나요?",
            "{first_name}님, 안녕하세요.\n\n{location}에 대한 의견을 아직 기다리고 있습니다. \
             클릭 한 번이면 됩니다:\n{survey_link}\n\n설문 수신 거부: {unsubscribe_link}\n",
            "고객",
        ),
        (MessageKind::SurveyReminder, Channel::Sms, "ko") => b(
            "",
            "{location}: 의견을 들려주세요 {survey_link} 수신거부: {unsubscribe_link}",
            "고객",
        ),
        (MessageKind::RelationshipSurvey, Channel::Email, "en") => b(
            "{first_name}, how are we doing?",
            "Hello {first_name},\n\nThank you for being a customer of {location}. All things \
             considered, how likely are you to recommend {location} to a friend or colleague? \
             One click:\n{survey_link}\n\nTo stop receiving surveys: {unsubscribe_link}\n",
            "there",
        ),
        (MessageKind::RelationshipSurvey, Channel::Sms, "en") => b(
            "",
            "{location}: all things considered, would you recommend us? {survey_link} \
             Stop: {unsubscribe_link}",
            "there",
        ),
        (MessageKind::RelationshipSurvey, Channel::Email, "fr") => b(
            "{first_name}, comment trouvez-vous nos services ?",
            "Bonjour {first_name},\n\nMerci de votre fidélité. Tout bien considéré, quelle est \
             la probabilité que vous recommandiez {location} à un ami ou un collègue ? Un clic \
             suffit :\n{survey_link}\n\nPour ne plus recevoir d'enquêtes : {unsubscribe_link}\n",
            "cher client",
        ),
        (MessageKind::RelationshipSurvey, Channel::Sms, "fr") => b(
            "",
            "{location} : tout bien considéré, nous recommanderiez-vous ? {survey_link} \
             Stop : {unsubscribe_link}",
            "cher client",
        ),
        (MessageKind::RelationshipSurvey, Channel::Email, "ko") => b(
            "{first_name}님, 그동안의 이용 경험은 어떠셨나요?",
            "{first_name}님, 안녕하세요.\n\n늘 {location}에 보내 주시는 관심에 감사드립니다. \
             지금까지의 경험을 모두 떠올려 볼 때, 친구나 동료에게 추천할 가능성은 얼마나 \
             되십니까? 클릭 한 번이면 됩니다:\n{survey_link}\n\n설문 수신 거부: \
             {unsubscribe_link}\n",
            "고객",
        ),
        (MessageKind::RelationshipSurvey, Channel::Sms, "ko") => b(
            "",
            "{location}: 그동안의 경험으로 추천 의향을 알려주세요 {survey_link} 수신거부: \
             {unsubscribe_link}",
            "고객",
        ),
        (MessageKind::FollowUpSurvey, Channel::Email, "en") => b(
            "How did we do, {first_name}?",
            "Hello {first_name},\n\nWe were in touch about your visit to {location}. How \
             likely are you now to recommend {location}? One click:\n{survey_link}\n\nTo \
             stop receiving surveys: {unsubscribe_link}\n",
            "there",
        ),
        (MessageKind::FollowUpSurvey, Channel::Sms, "en") => b(
            "",
            "{location}: after our call, would you recommend us now? {survey_link} \
             Stop: {unsubscribe_link}",
            "there",
        ),
        (MessageKind::FollowUpSurvey, Channel::Email, "fr") => b(
            "Avons-nous bien fait, {first_name} ?",
            "Bonjour {first_name},\n\nNous avons échangé au sujet de votre visite chez \
             {location}. Nous recommanderiez-vous maintenant ? Un clic suffit :\n{survey_link}\n\n\
             Pour ne plus recevoir d'enquêtes : {unsubscribe_link}\n",
            "cher client",
        ),
        (MessageKind::FollowUpSurvey, Channel::Sms, "fr") => b(
            "",
            "{location} : après notre échange, nous recommanderiez-vous ? {survey_link} \
             Stop : {unsubscribe_link}",
            "cher client",
        ),
        (MessageKind::FollowUpSurvey, Channel::Email, "ko") => b(
            "{first_name}님, 저희 대응은 어떠셨나요?",
            "{first_name}님, 안녕하세요.\n\n{location} 방문과 관련해 연락드렸습니다. 이제 \
             {location}을(를) 추천할 의향은 얼마나 되십니까? 클릭 한 번이면 됩니다:\n\
             {survey_link}\n\n설문 수신 거부: {unsubscribe_link}\n",
            "고객",
        ),
        (MessageKind::FollowUpSurvey, Channel::Sms, "ko") => b(
            "",
            "{location}: 상담 후 추천 의향을 알려주세요 {survey_link} 수신거부: {unsubscribe_link}",
            "고객",
        ),
        _ => None,
    }
}

/// The first name to greet: the first word of a Western name, the whole of a Korean one.
pub fn first_name(full: Option<&str>) -> Option<String> {
    let full = full?.trim();
    if full.is_empty() {
        return None;
    }
    if full.chars().any(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c)) {
        return Some(full.to_owned());
    }
    full.split_whitespace().next().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v() -> Values<'static> {
        Values {
            first_name: "Amélie",
            location: "Boutique Paris",
            survey_link: "https://s/1",
            unsubscribe_link: "https://u/1",
            review_link: "https://r/1",
            score_scale: "",
        }
    }

    #[test]
    fn renders_placeholders_and_literal_braces() {
        assert_eq!(
            render("Hi {first_name} {{x}} {survey_link}", &v(), "en"),
            "Hi Amélie {x} https://s/1"
        );
    }

    #[test]
    fn bad_templates_are_rejected_with_the_reason() {
        assert!(
            check("Hi {frist_name}", &[])
                .unwrap_err()
                .contains("unknown placeholder")
        );
        assert!(
            check("Hi {first_name", &[])
                .unwrap_err()
                .contains("never closed")
        );
        assert!(check("Hi }", &[]).unwrap_err().contains("lone"));
        assert!(
            check("Hi", &["survey_link"])
                .unwrap_err()
                .contains("{survey_link}")
        );
        assert!(check("{survey_link}", &["survey_link"]).is_ok());
    }

    #[test]
    fn m3_m4_a_parsed_template_renders_as_the_text_does() {
        let mut texts: Vec<String> = [
            "Bonjour {first_name}, {{ de {location} }} {survey_link}",
            "{location}을(를) {first_name}이(가) {unsubscribe_link}",
            "lone } brace",
            "never {closed",
            "{unknown}",
            "",
            "<p>{first_name} & {location}</p>{score_scale}",
        ]
        .map(str::to_owned)
        .to_vec();
        for lang in ["en", "fr", "ko"] {
            for &k in MessageKind::ALL.iter().filter(|k| k.templated()) {
                let b = builtin(k, Channel::Email, lang).unwrap();
                texts.extend([b.subject.to_owned(), b.body.to_owned()]);
                texts.extend(crate::pages::builtin_html(k, lang));
            }
        }
        let values = Values {
            location: "Atelier <Nord>",
            score_scale: "<table></table>",
            ..v()
        };
        for t in &texts {
            for lang in ["fr", "ko", "en"] {
                assert_eq!(
                    Parsed::new(t, Part::Text).render(&values, lang),
                    render(t, &values, lang)
                );
                assert_eq!(
                    Parsed::new(t, Part::Html).render(&values, lang),
                    render_html(t, &values, lang)
                );
            }
        }
    }

    #[test]
    fn every_builtin_template_passes_its_own_check() {
        for lang in ["en", "fr", "ko"] {
            for ch in [Channel::Email, Channel::Sms] {
                for &k in MessageKind::ALL.iter().filter(|k| k.templated()) {
                    let b = builtin(k, ch, lang).unwrap();
                    check(b.subject, &[]).unwrap();
                    check(b.body, required_in_body(k, ch)).unwrap();
                }
            }
        }
    }

    #[test]
    fn language_falls_back_from_region_to_language_to_store_default() {
        assert_eq!(language_chain(Some("fr-CA"), "en"), ["fr-ca", "fr", "en"]);
        assert_eq!(language_chain(Some("ko"), "fr"), ["ko", "fr", "en"]);
        assert_eq!(language_chain(None, "fr-FR"), ["fr-fr", "fr", "en"]);
    }

    #[test]
    fn first_names() {
        assert_eq!(first_name(Some("Amélie Dupont")).as_deref(), Some("Amélie"));
        assert_eq!(first_name(Some("김민준")).as_deref(), Some("김민준"));
        assert_eq!(first_name(Some("  ")), None);
    }
}
