//! Renders hostile names through every HTML hearken writes, for the M4 oracle of
//! `scripts/markup-oracle.py` (run by `scripts/longer-checks.sh`).
//!
//! `cargo run --release --example markup_fuzz -- CASES [SEED] > cases.jsonl`
//!
//! Each line is one case: the same template (a built-in e-mail in en/fr/ko, a host's
//! override that `set_template` accepts, or a page) rendered once with plain names and
//! once with hostile ones (quotes, apostrophes, `<`, `>`, `&`, `/`, `=`, backticks,
//! control characters, vowel-initial French names that trigger elision, Korean names
//! that choose particles). The oracle tokenizes both with a real HTML5 tokenizer and
//! requires the same tags and attribute names. One case in eight goes through the
//! engine instead (location and customer stored, synced, claimed), so the delivery path
//! renders it. The seed makes a run repeatable.

use hearken::rules::survey::page_view;
use hearken::rules::template::{self, Part, Values};
use hearken::{
    Channel, Customer, Engine, Location, MessageKind, SyncBatch, Transaction, TransactionKind,
    pages,
};

/// xorshift64*: a small, repeatable generator (no dependency needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// What a hostile name is made of.
const FRAGMENTS: [&str; 52] = [
    "\"",
    "'",
    "<",
    ">",
    "&",
    "/",
    "=",
    "`",
    " ",
    "\t",
    "\r\n",
    "\u{0}",
    "\u{1b}",
    "\u{7f}",
    "\u{85}",
    "\u{9b}",
    "\u{2028}",
    "\u{2029}",
    "\u{202e}",
    "\u{feff}",
    "Anne",
    "Élodie",
    "Yves",
    "Orsay",
    "Île",
    "Hélène",
    "김민준",
    "서울점",
    "카페",
    "을(를)",
    "(으)로",
    "onmouseover=alert(4)",
    "javascript:alert(1)",
    "</title>",
    "</textarea>",
    "<script>",
    "</script>",
    "<style>",
    "<!--",
    "-->",
    "--!>",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&#39;",
    "&lt;",
    "&",
    "amp;",
    "{first_name}",
    "{{",
    "'\"><img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
];

/// Names that start with a vowel, so French elides before them (d', qu').
const VOWEL_STARTS: [&str; 6] = ["Anne", "Élodie", "Yves", "Orsay", "Île", "Atelier"];

fn hostile_name(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.below(2) == 0 {
        s.push_str(rng.pick(&VOWEL_STARTS));
    }
    for _ in 0..1 + rng.below(6) {
        s.push_str(rng.pick(&FRAGMENTS));
    }
    s
}

/// Host overrides of the invitation's HTML part that `set_template` accepts: placeholders
/// in text, in attribute values in double and single quotes, in `<title>`/`<textarea>`,
/// next to French eliding words and Korean particle notations.
const OVERRIDES: [&str; 9] = [
    "<p title='Un mot de {first_name}'>Bonjour de {location}</p>{score_scale}\
     <a href='{unsubscribe_link}'>x</a>",
    "<div data-x=\"que {location}\" title=\"le {first_name}\"><b>{first_name}</b>\
     &amp;{location}</div>{score_scale}<a href=\"{unsubscribe_link}\">stop</a>",
    "<!doctype html><html lang='fr'><head><title>de {location}</title></head><body>\
     <h1 class=\"x\" title=\"{location}을(를)\">{first_name}님</h1>{score_scale}\
     <p>{location}(으)로 <a href=\"{unsubscribe_link}\" title='{first_name}'>x</a></p>\
     </body></html>",
    "<textarea>{first_name} {location}</textarea>{score_scale}<a href=\"{unsubscribe_link}\">x</a>",
    "<img alt='{location}' src=\"https://cdn.example/logo.png\"><a href=\"{survey_link}\" \
     title='lorsque {first_name}'>{location}이(가)</a>{score_scale}\
     <a href='{unsubscribe_link}'>x</a>",
    "<p>a < {first_name} > b &{location}</p>{score_scale}<a href='{unsubscribe_link}'>x</a>",
    "<!-- de {{first_name}} --><p>{first_name}{location}</p><p title=''>{first_name}</p>\
     {score_scale}<a href=\"{unsubscribe_link}\">x</a>",
    "<table><tr><td title=\"jusque {location}\" lang='fr'>je {first_name}</td></tr></table>\
     {score_scale}<a href=\"{unsubscribe_link}\">x</a>",
    "<p title=\"{first_name}\" title='{location}' aria-label='ne {location}'>{location}과(와)\
     </p><style>p {{ color: red }}</style>{score_scale}<a href='{unsubscribe_link}'>x</a>",
];

const KINDS: [MessageKind; 5] = [
    MessageKind::SurveyInvitation,
    MessageKind::SurveyReminder,
    MessageKind::ReviewReminder,
    MessageKind::FollowUpSurvey,
    MessageKind::RelationshipSurvey,
];

const LANGUAGES: [&str; 3] = ["en", "fr", "ko"];

const SURVEY_LINK: &str = "https://feedback.example/s/00000000000000000000000000000000";
const UNSUBSCRIBE_LINK: &str = "https://feedback.example/u/00000000000000000000000000000000";
const REVIEW_LINK: &str = "https://g.page/r/example/review";

fn render(template: &str, lang: &str, first: &str, location: &str) -> String {
    let scale = pages::score_scale(SURVEY_LINK, lang);
    let values = Values {
        first_name: first,
        location,
        survey_link: SURVEY_LINK,
        unsubscribe_link: UNSUBSCRIBE_LINK,
        review_link: REVIEW_LINK,
        score_scale: &scale,
    };
    template::render_html(template, &values, lang)
}

/// The invitation's HTML part as the engine sends it: location and customer stored,
/// one sale synced, the message claimed.
fn through_engine(override_html: Option<&str>, lang: &str, first: &str, location: &str) -> String {
    let e = Engine::open_in_memory().expect("engine");
    let mut loc = Location::new("paris", location, "Europe/Paris");
    loc.review_link = Some(REVIEW_LINK.into());
    e.upsert_location(&loc).expect("location");
    if let Some(html) = override_html {
        e.set_template(&hearken::Template {
            kind: MessageKind::SurveyInvitation,
            channel: Channel::Email,
            language: lang.into(),
            subject: "{location}".into(),
            body: "{survey_link} {unsubscribe_link}".into(),
            html: Some(html.into()),
        })
        .expect("an accepted override");
    }
    let mut c = Customer::with_email("c1", "c1@example.com");
    c.language = Some(lang.into());
    c.name = Some(first.into());
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
    let mut batch = SyncBatch::new("paris", date);
    batch.customers = vec![c];
    batch.transactions = vec![Transaction {
        id: "t1".into(),
        customer: Some("c1".into()),
        employees: vec![],
        kind: TransactionKind::Sale,
        amount_minor: 1000,
        currency: "EUR".into(),
        finalized_at: chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00+01:00").ok(),
        exclude: false,
        refers_to: None,
    }];
    let night = chrono::DateTime::parse_from_rfc3339("2026-11-20T23:00:00+01:00")
        .expect("night")
        .to_utc();
    e.sync(&batch, night).expect("sync");
    let due = chrono::DateTime::parse_from_rfc3339("2026-11-21T09:00:00Z")
        .expect("due")
        .to_utc();
    let m = e.claim(1, due).expect("claim");
    m.into_iter()
        .next()
        .and_then(|m| m.html_body)
        .expect("an invitation with an HTML part")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let cases: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    for html in OVERRIDES {
        let required = template::required_in_html(MessageKind::SurveyInvitation);
        if let Err(e) = template::check_part(html, required, Part::Html) {
            panic!("an override the fuzz relies on is refused: {e}\n{html}");
        }
    }
    let survey = Engine::open_in_memory()
        .and_then(|e| e.survey())
        .expect("the default survey");
    let plain = |lang: &str| match lang {
        "ko" => ("김민준", "서울 매장"),
        "fr" => ("Bernard", "Boutique Paris"),
        _ => ("Bob", "Corner Shop"),
    };
    for id in 0..cases {
        let lang = rng.pick(&LANGUAGES);
        let first = hostile_name(&mut rng);
        let location = hostile_name(&mut rng);
        // A location name is refused with control characters (T11) and must not be blank.
        let stored_location: String = match location
            .chars()
            .filter(|c| !hearken::rules::header::is_breaking(*c))
            .collect::<String>()
        {
            s if s.trim().is_empty() => "Atelier".to_owned(),
            s => s,
        };
        let (pf, pl) = plain(lang);
        let chain = vec![lang.to_owned()];
        let (what, plain_html, hostile_html) = match rng.below(16) {
            0 | 1 => {
                let o = rng.below(OVERRIDES.len() + 1);
                let html = OVERRIDES.get(o).copied();
                (
                    format!(
                        "engine:{}:{lang}",
                        html.map_or("builtin".into(), |_| format!("override{o}"))
                    ),
                    through_engine(html, lang, pf, pl),
                    through_engine(html, lang, &first, &stored_location),
                )
            }
            2 => {
                let view = |name: &str| page_view(&survey, "paris", name, None, &chain, None);
                (
                    format!("page:survey:{lang}"),
                    pages::survey_page(&view(pl), SURVEY_LINK),
                    pages::survey_page(&view(&location), SURVEY_LINK),
                )
            }
            3 => (
                format!("page:thank_you:{lang}"),
                pages::thank_you_page(lang, pl, Some(REVIEW_LINK)),
                pages::thank_you_page(lang, &location, Some(REVIEW_LINK)),
            ),
            4..=9 => {
                let o = rng.below(OVERRIDES.len());
                (
                    format!("override{o}:{lang}"),
                    render(OVERRIDES[o], lang, pf, pl),
                    render(OVERRIDES[o], lang, &first, &location),
                )
            }
            _ => {
                let kind = rng.pick(&KINDS);
                let html = pages::builtin_html(kind, lang).expect("a shipped HTML part");
                (
                    format!("builtin:{}:{lang}", kind.as_str()),
                    render(&html, lang, pf, pl),
                    render(&html, lang, &first, &location),
                )
            }
        };
        let line = serde_json::json!({
            "id": id,
            "seed": seed,
            "what": what,
            "first_name": first,
            "location": location,
            "plain": plain_html,
            "hostile": hostile_html,
        });
        println!("{line}");
    }
}
