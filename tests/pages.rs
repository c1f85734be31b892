//! What the customer sees (issue 16): one-click scores in the e-mail (M1), the rendered
//! pages and the posted form (M2), native-quality texts (M3), escaping (M4), through the
//! Rust API.

#![allow(deprecated)]

mod common;

use chrono::TimeDelta;
use common::{at, batch, paris_night, sale};
use hearken::{
    Channel, Customer, Engine, ErrorKind, Location, MessageKind, OutboundMessage, PageKind,
    ReviewMode, Template,
};

const DUE: &str = "2026-11-21T09:00:00Z";

fn engine_with(name: &str) -> Engine {
    let e = common::open_store();
    let mut paris = Location::new("paris", name, "Europe/Paris");
    paris.review_link = Some("https://g.page/r/paris/review".into());
    e.upsert_location(&paris).unwrap();
    e
}

/// Invites one customer per (id, language, name) and returns the claimed messages.
fn invite(e: &Engine, people: &[(&str, &str, &str)]) -> Vec<OutboundMessage> {
    e.sync(&common::people_batch(people), paris_night("2026-11-20"))
        .unwrap();
    let mut out = e.claim(100, at(DUE)).unwrap();
    for m in &out {
        e.ack(&m.message_id, at(DUE)).unwrap();
    }
    out.sort_by(|a, b| a.customer.cmp(&b.customer));
    out
}

fn token(m: &OutboundMessage) -> String {
    m.survey_link
        .as_ref()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

fn nps_counts(e: &Engine) -> (u64, u64, u64) {
    let s = e.nps(&Default::default()).unwrap();
    (s.promoters, s.passives, s.detractors)
}

#[test]
fn m1_invitation_email_is_multipart_with_eleven_score_links() {
    let e = engine_with("Boutique Paris");
    let m = &invite(&e, &[("a", "en", "Amélie Dupont")])[0];
    let html = m.html_body.as_deref().expect("an HTML part");
    let link = m.survey_link.as_deref().unwrap();
    for n in 0..=10 {
        assert!(
            html.contains(&format!("href=\"{link}?score={n}\"")),
            "score {n}"
        );
        assert!(html.contains(&format!("aria-label=\"{n} out of 10\"")));
    }
    assert_eq!(html.matches("?score=").count(), 11);
    assert!(html.contains("role=\"presentation\""));
    assert!(html.contains("prefers-color-scheme: dark"));
    assert!(html.contains("<html lang=\"en\""));
    // The plain text keeps the single link.
    assert_eq!(m.body.matches(link).count(), 1);
    assert!(!m.body.contains("score="));
}

#[test]
fn m1_first_click_records_a_partial_response_counted_at_once_and_the_page_completes_it() {
    let e = engine_with("Boutique Paris");
    let m = &invite(&e, &[("a", "en", "Amélie")])[0];
    let t = token(m);
    let first = e.record_score_click(&t, 9, at(DUE)).unwrap();
    assert!(first.recorded && !first.completed);
    assert_eq!(first.score, Some(9));
    assert_eq!(nps_counts(&e), (1, 0, 0), "counted in NPS at once");
    // A later click on another score records nothing and lands on the same page.
    let again = e.record_score_click(&t, 2, at(DUE)).unwrap();
    assert!(!again.recorded);
    assert_eq!(
        (again.score, again.response_id),
        (Some(9), first.response_id)
    );
    let page = e.survey_link_page(&t, Some(3), None, at(DUE)).unwrap();
    assert_eq!(page.kind, PageKind::Survey);
    assert!(page.html.contains("You gave us 9 out of 10"));
    assert!(
        !page.html.contains("name=\"q.recommend\""),
        "the score is not asked again"
    );
    assert_eq!(nps_counts(&e), (1, 0, 0));
    // The page completes the same response, once.
    let thanks = e
        .submit_survey_form(
            &t,
            "q.comment=Tr%c3%a8s+bien%2c+l%27accueil+%eb%a7%a4%ec%9e%a5",
            at(DUE),
        )
        .unwrap();
    assert_eq!(thanks.kind, PageKind::ThankYou);
    assert_eq!(thanks.response_id, Some(first.response_id));
    assert_eq!(
        thanks.review_link.as_deref(),
        Some("https://g.page/r/paris/review")
    );
    assert!(
        thanks
            .html
            .contains("href=\"https://g.page/r/paris/review\"")
    );
    let thread = e.thread(first.response_id).unwrap();
    assert_eq!(thread[0].body, "Très bien, l'accueil 매장");
    assert_eq!(nps_counts(&e), (1, 0, 0), "still one response");
    // Complete: immutable (F3). A click or a post again changes nothing.
    let late = e.record_score_click(&t, 0, at(DUE)).unwrap();
    assert!(!late.recorded && late.completed);
    assert_eq!(late.score, Some(9));
    let page = e.survey_link_page(&t, Some(0), None, at(DUE)).unwrap();
    assert_eq!(page.kind, PageKind::ThankYou);
    assert_eq!(
        page.review_link.as_deref(),
        Some("https://g.page/r/paris/review")
    );
    let again = e
        .submit_survey_form(&t, "q.comment=changed", at(DUE))
        .unwrap();
    assert_eq!(again.kind, PageKind::ThankYou);
    assert_eq!(e.thread(first.response_id).unwrap().len(), 1);
    assert_eq!(nps_counts(&e), (1, 0, 0));
}

#[test]
fn m1_the_score_never_changes_and_an_expired_partial_response_is_immutable() {
    let e = engine_with("Boutique Paris");
    let people = [("a", "en", "A"), ("b", "en", "B")];
    let ms = invite(&e, &people);
    let (ta, tb) = (token(&ms[0]), token(&ms[1]));
    e.record_score_click(&ta, 3, at(DUE)).unwrap();
    assert_eq!(nps_counts(&e), (0, 0, 1));
    let err = e
        .submit_survey_form(&ta, "q.recommend=10", at(DUE))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    // The same score posted again is fine: the click's detractor alert is kept, once.
    let thanks = e
        .submit_survey_form(&ta, "q.recommend=3&q.comment=slow", at(DUE))
        .unwrap();
    assert_eq!(thanks.kind, PageKind::ThankYou);
    assert_eq!(thanks.review_link, None, "N3: promoters only");
    assert_eq!(e.alerts(&Default::default()).unwrap().len(), 1);
    // b clicks, then the link expires before the page is completed.
    e.record_score_click(&tb, 7, at(DUE)).unwrap();
    let later = at(DUE) + TimeDelta::days(61);
    let click = e.record_score_click(&tb, 10, later).unwrap();
    assert!(!click.recorded && click.completed);
    let page = e.survey_link_page(&tb, Some(10), None, later).unwrap();
    assert_eq!((page.kind, page.http_status), (PageKind::Expired, 410));
    assert_eq!(
        e.submit_survey_form(&tb, "q.comment=late", later)
            .unwrap()
            .kind,
        PageKind::Expired
    );
    assert_eq!(nps_counts(&e), (0, 1, 1));
    assert_eq!(
        e.record_score_click(&tb, 11, at(DUE)).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn m1_reminders_and_follow_ups_carry_the_scale_and_sms_stays_plain_text() {
    let e = engine_with("Boutique Paris");
    let mut s = e.feedback_settings().unwrap();
    s.non_respondent_reminder_days = 3;
    e.set_feedback_settings(&s).unwrap();
    invite(&e, &[("a", "fr", "Amélie")]);
    let reminders = e.claim(100, at(DUE) + TimeDelta::days(4)).unwrap();
    let r = reminders
        .iter()
        .find(|m| m.kind == MessageKind::SurveyReminder)
        .expect("a reminder");
    let html = r.html_body.as_deref().unwrap();
    assert_eq!(html.matches("?score=").count(), 11);
    assert!(html.contains("aria-label=\"9 sur 10\""));
    // Follow-up: a click records the follow-up score on the alert, not in the NPS.
    e.ack(&r.message_id, at(DUE) + TimeDelta::days(4)).unwrap();
    let click = e
        .record_score_click(&token(r), 2, at(DUE) + TimeDelta::days(4))
        .unwrap();
    assert!(click.recorded);
    let alert = e.alerts(&Default::default()).unwrap()[0].id;
    e.upsert_user(&hearken::User::new(
        "u",
        "Claire",
        "claire@store.example",
        hearken::UserRole::Manager,
    ))
    .unwrap();
    let call = hearken::InteractionInput {
        method: hearken::InteractionMethod::Phone,
        note: "called".into(),
        user: "u".into(),
    };
    e.record_interaction(alert, &call, at(DUE) + TimeDelta::days(5))
        .unwrap();
    e.set_alert_status(
        alert,
        hearken::AlertStatus::Done,
        at(DUE) + TimeDelta::days(5),
    )
    .unwrap();
    e.send_follow_up(alert, at(DUE) + TimeDelta::days(5))
        .unwrap();
    let f = e
        .claim(100, at(DUE) + TimeDelta::days(6))
        .unwrap()
        .into_iter()
        .find(|m| m.kind == MessageKind::FollowUpSurvey)
        .unwrap();
    assert_eq!(
        f.html_body.as_deref().unwrap().matches("?score=").count(),
        11
    );
    let before = nps_counts(&e);
    let now = at(DUE) + TimeDelta::days(6);
    let c = e.record_score_click(&token(&f), 9, now).unwrap();
    assert!(c.recorded);
    assert_eq!(nps_counts(&e), before, "a follow-up is kept on its alert");
    let thanks = e
        .submit_survey_form(&token(&f), "q.comment=merci", now)
        .unwrap();
    assert_eq!(thanks.kind, PageKind::ThankYou);
    assert_eq!(thanks.language, "fr");
    let note = e.interactions(alert).unwrap().last().unwrap().note.clone();
    assert!(note.contains("9.0/10") && note.contains("merci"), "{note}");

    // SMS: plain text only.
    let e = engine_with("Boutique Paris");
    let mut st = e.settings().unwrap();
    st.channel = Channel::Sms;
    e.set_settings(&st).unwrap();
    let mut b = batch(
        "paris",
        "2026-11-20",
        &[],
        vec![sale("t", Some("s"), Some("2026-11-20T10:00:00+01:00"))],
    );
    b.customers = vec![Customer {
        phone: Some("+33612345678".into()),
        ..Customer::with_email("s", "s@example.com")
    }];
    e.sync(&b, paris_night("2026-11-20")).unwrap();
    let m = &e.claim(10, at(DUE)).unwrap()[0];
    assert_eq!(m.channel, Channel::Sms);
    assert_eq!(m.html_body, None);
}

#[test]
fn m2_pages_in_en_fr_ko_without_script_with_lang_labels_and_the_unsubscribe() {
    let e = engine_with("Atelier");
    let ms = invite(&e, &[("a", "en", "A"), ("b", "fr", "B"), ("c", "ko", "C")]);
    for (m, lang, submit) in [
        (&ms[0], "en", "Send"),
        (&ms[1], "fr", "Envoyer"),
        (&ms[2], "ko", "보내기"),
    ] {
        let t = token(m);
        let page = e.survey_link_page(&t, None, None, at(DUE)).unwrap();
        assert_eq!(
            (page.kind, page.language.as_str()),
            (PageKind::Survey, lang)
        );
        let h = &page.html;
        assert!(h.starts_with("<!doctype html>"));
        assert!(h.contains(&format!("<html lang=\"{lang}\"")));
        assert!(h.contains("name=\"viewport\""));
        assert!(!h.to_lowercase().contains("<script"), "no JavaScript");
        assert!(h.contains(&format!(">{submit}</button>")));
        assert!(h.contains(&format!("action=\"https://feedback.example.com/s/{t}\"")));
        // Every control has a label.
        for id in 0..=10 {
            assert!(h.contains(&format!("<label for=\"q0-{id}\"")));
        }
        assert!(h.contains("<label class=\"label\" for=\"q1\""));
        let unsub = m
            .unsubscribe_link
            .as_ref()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        let p = e.unsubscribe_page(&unsub, at(DUE)).unwrap();
        assert_eq!(
            (p.kind, p.language.as_str()),
            (PageKind::Unsubscribed, lang)
        );
        assert!(p.html.contains(&format!("<html lang=\"{lang}\"")));
    }
    assert!(e.explain("a", at(DUE)).unwrap().unsubscribed);
}

#[test]
fn m2_the_posted_form_becomes_the_answers_and_errors_name_the_field() {
    let e = engine_with("Boutique Paris");
    let input = e
        .survey_form_answers(
            "q.recommend=10&q.comment=%ed%9b%8c%eb%a5%ad%ed%95%b4%ec%9a%94&consent=1",
        )
        .unwrap();
    assert_eq!(input.answers.len(), 2);
    assert_eq!(input.answers[1].text.as_deref(), Some("훌륭해요"));
    assert!(input.consent_to_reply);
    let err = e
        .survey_form_answers("q.recommend=eleven-secret")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.problems()[0].field, "q.recommend");
    assert!(!err.to_string().contains("eleven-secret"));
    // A promoter answering on the page without a click sees the review link (N3); in the
    // "everyone" mode a detractor does too.
    let ms = invite(&e, &[("a", "en", "A"), ("b", "en", "B")]);
    let p = e
        .submit_survey_form(&token(&ms[0]), "q.recommend=9", at(DUE))
        .unwrap();
    assert!(p.html.contains("Write a public review"));
    let mut s = e.feedback_settings().unwrap();
    s.review_mode = ReviewMode::Everyone;
    e.set_feedback_settings(&s).unwrap();
    let p = e
        .submit_survey_form(&token(&ms[1]), "q.recommend=1", at(DUE))
        .unwrap();
    assert!(p.review_link.is_some());
}

#[test]
fn m3_names_through_every_template_read_as_a_native_speaker_writes() {
    // (location, Korean 을/를 after it, French "au sujet de" form)
    let table = [
        ("매장", "매장을", "au sujet de 매장"),
        ("카페", "카페를", "au sujet de 카페"),
        ("서울점", "서울점을", "au sujet de 서울점"),
        ("Café Élodie", "Café Élodie를", "au sujet de Café Élodie"),
        ("Atelier", "Atelier를", "au sujet d'Atelier"),
    ];
    for (name, ko, fr) in table {
        let e = engine_with(name);
        let ms = invite(&e, &[("a", "ko", "김민준"), ("b", "fr", "Élodie Martin")]);
        let (k, f) = (&ms[0], &ms[1]);
        for text in [&k.body, k.html_body.as_ref().unwrap(), &k.subject] {
            assert!(
                !text.contains("을(를)") && !text.contains("(으)로"),
                "{name}: {text}"
            );
        }
        assert!(
            k.body.contains(&format!("{ko} 이용해")),
            "{name}: {}",
            k.body
        );
        assert!(
            k.html_body
                .as_ref()
                .unwrap()
                .contains(&format!("{ko} 이용해"))
        );
        let page = e.survey_page(&token(k), None, at(DUE)).unwrap();
        assert!(
            page.questions[0].text.starts_with(&format!("{ko} 추천")),
            "{:?}",
            page.questions[0]
        );
        // Review reminder (French "au sujet de {location}") and thanks page.
        let mut fr_text = hearken::Template {
            kind: MessageKind::ReviewReminder,
            channel: Channel::Email,
            language: "fr".into(),
            subject: "Merci".into(),
            body: "Votre réponse au sujet de {location} : {review_link} {unsubscribe_link}".into(),
            html: None,
        };
        e.set_template(&fr_text).unwrap();
        fr_text = e
            .template(MessageKind::ReviewReminder, Channel::Email, "fr")
            .unwrap();
        assert!(fr_text.body.contains("au sujet de {location}"));
        let thanks = e
            .submit_survey_form(&token(f), "q.recommend=10", at(DUE))
            .unwrap();
        assert!(
            thanks.html.contains(&fr.replace('\'', "&#39;")),
            "{name}: {}",
            thanks.html
        );
        let reminder = e
            .claim(100, at(DUE) + TimeDelta::days(8))
            .unwrap()
            .into_iter()
            .find(|m| m.kind == MessageKind::ReviewReminder)
            .unwrap();
        assert!(reminder.body.contains(fr), "{name}: {}", reminder.body);
    }
}

#[test]
fn m4_names_with_markup_render_as_text_in_emails_and_pages() {
    let evil = "<script>alert(1)</script> \"Chez Bob\"";
    let e = engine_with(evil);
    let m = &invite(&e, &[("a", "en", "<b>Eve</b> \"x\"")])[0];
    let html = m.html_body.as_deref().unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("<b>Eve"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;Chez Bob&quot;"));
    assert!(html.contains("&lt;b&gt;Eve&lt;/b&gt;"));
    let t = token(m);
    let page = e.survey_link_page(&t, Some(10), None, at(DUE)).unwrap();
    assert!(!page.html.contains("<script>"));
    assert!(page.html.contains("&lt;script&gt;"));
    let thanks = e.submit_survey_form(&t, "", at(DUE)).unwrap();
    assert!(!thanks.html.contains("<script>"));
}

#[test]
fn m4_set_template_checks_the_html_part_and_an_override_renders_it() {
    let e = engine_with("Boutique Paris");
    let base = Template {
        kind: MessageKind::SurveyInvitation,
        channel: Channel::Email,
        language: "en".into(),
        subject: "Hi {first_name}".into(),
        body: "{survey_link} {unsubscribe_link}".into(),
        html: Some("<p>{survey_link}</p>".into()),
    };
    let err = e.set_template(&base).unwrap_err();
    assert_eq!(err.problems()[0].field, "html");
    assert!(err.problems()[0].reason.contains("{score_scale}"));
    let bad = Template {
        html: Some("<p>{score_scale} {unsubscribe_link} {nope}</p>".into()),
        ..base.clone()
    };
    assert!(
        e.set_template(&bad).unwrap_err().problems()[0]
            .reason
            .contains("unknown placeholder")
    );
    let text_scale = Template {
        body: "{score_scale} {survey_link} {unsubscribe_link}".into(),
        html: None,
        ..base.clone()
    };
    assert_eq!(
        e.set_template(&text_scale).unwrap_err().problems()[0].field,
        "body"
    );
    let sms = Template {
        channel: Channel::Sms,
        html: Some("<p>{score_scale} {unsubscribe_link}</p>".into()),
        ..base.clone()
    };
    assert_eq!(
        e.set_template(&sms).unwrap_err().problems()[0].field,
        "html"
    );
    let good = Template {
        html: Some(
            "<h1>{location}</h1>{score_scale}<a href=\"{unsubscribe_link}\">x</a> {{}}".into(),
        ),
        ..base
    };
    e.set_template(&good).unwrap();
    let m = &invite(&e, &[("a", "en", "A")])[0];
    let html = m.html_body.as_deref().unwrap();
    assert!(html.starts_with("<h1>Boutique Paris</h1><table role=\"presentation\""));
    assert!(html.ends_with("</a> {}"));
}

/// A host's override of the invitation's HTML part in `lang`, with `title` holding the
/// placeholders (in single or double quotes).
fn html_override(lang: &str, html: &str) -> Template {
    Template {
        kind: MessageKind::SurveyInvitation,
        channel: Channel::Email,
        language: lang.into(),
        subject: "{location}".into(),
        body: "{survey_link} {unsubscribe_link}".into(),
        html: Some(format!(
            "{html}{{score_scale}}<a href=\"{{unsubscribe_link}}\">x</a>"
        )),
    }
}

#[test]
fn m4_elided_apostrophe_in_a_single_quoted_attribute_stays_text() {
    // The attack: French elision adds an apostrophe before a vowel-initial name;
    // in a single-quoted attribute it used to close the attribute.
    let evil = "Anne/onmouseover=alert(4)";
    // (language, the host's title, what it must render as) in both quotes, every language.
    let cases = [
        (
            "fr",
            "<p title='Un mot de {first_name}'>Bonjour</p>",
            "<p title='Un mot d&#39;Anne/onmouseover=alert(4)'>Bonjour</p>",
        ),
        (
            "fr",
            "<p title=\"Un mot de {first_name}\">Bonjour</p>",
            "<p title=\"Un mot d&#39;Anne/onmouseover=alert(4)\">Bonjour</p>",
        ),
        (
            "fr",
            "<p>Merci de {first_name} et que {location}</p>",
            "<p>Merci d&#39;Anne/onmouseover=alert(4) et qu&#39;Atelier&#39;x</p>",
        ),
        (
            "en",
            "<p title='A word for {first_name} from {location}'>Hi</p>",
            "<p title='A word for Anne/onmouseover=alert(4) from Atelier&#39;x'>Hi</p>",
        ),
        (
            "en",
            "<p title=\"A word for {first_name}\">Hi</p>",
            "<p title=\"A word for Anne/onmouseover=alert(4)\">Hi</p>",
        ),
        (
            "ko",
            "<p title='{location}을(를) 이용해 주신 {first_name}님'>안녕하세요</p>",
            "<p title='Atelier&#39;x를 이용해 주신 Anne/onmouseover=alert(4)님'>안녕하세요</p>",
        ),
        (
            "ko",
            "<p title=\"{location}이(가) {first_name}님께\">안녕하세요</p>",
            "<p title=\"Atelier&#39;x가 Anne/onmouseover=alert(4)님께\">안녕하세요</p>",
        ),
    ];
    for (lang, title, want) in cases {
        let e = engine_with("Atelier'x");
        e.set_template(&html_override(lang, title)).unwrap();
        let m = &invite(&e, &[("a", lang, evil)])[0];
        let html = m.html_body.as_deref().unwrap();
        assert!(html.starts_with(want), "{lang} {title}:\n{html}");
        assert!(!html.contains("d'Anne") && !html.contains("qu'A"), "{html}");
    }
    // The built-in templates too: "au sujet de {location}" in French.
    let e = engine_with("Atelier'/onmouseover=alert(4)");
    let m = &invite(&e, &[("a", "fr", evil)])[0];
    let html = m.html_body.as_deref().unwrap();
    assert!(
        !html.contains("d'Atelier") && !html.contains("'/onmouseover"),
        "{html}"
    );
    assert!(html.contains("Atelier&#39;/onmouseover=alert(4)"), "{html}");
}

#[test]
fn m4_set_template_refuses_placeholders_where_no_escaping_is_safe() {
    let e = engine_with("Boutique Paris");
    // Each placement; the marker shows the reason never quotes the template.
    let refused = [
        ("<p title={first_name}>MARK</p>", "first_name", "unquoted"),
        ("<p title=x{location}>MARK</p>", "location", "unquoted"),
        ("<p {first_name}>MARK</p>", "first_name", "inside a tag"),
        ("<{location}>MARK", "location", "inside a tag"),
        (
            "<p title=\"a\"{first_name}>MARK</p>",
            "first_name",
            "inside a tag",
        ),
        (
            "<script>var n = '{first_name}'; // MARK</script>",
            "first_name",
            "<script>",
        ),
        (
            "<style>/* MARK */ p {{ content: '{location}' }}</style>",
            "location",
            "<style>",
        ),
        ("<!-- MARK {first_name} -->", "first_name", "comment"),
        (
            "<!--[if mso]>MARK {location}<![endif]-->",
            "location",
            "comment",
        ),
        (
            "<a href=\"https://MARK/{first_name}\">x</a>",
            "first_name",
            "URL-valued",
        ),
        (
            "<img src='{location}.png' alt=MARK>",
            "location",
            "URL-valued",
        ),
        (
            "<form action=\"{first_name}\">MARK</form>",
            "first_name",
            "URL-valued",
        ),
        (
            "<button formaction=\"{location}\">MARK</button>",
            "location",
            "URL-valued",
        ),
        (
            "<p onmouseover=\"x('{first_name}')\">MARK</p>",
            "first_name",
            "event-handler",
        ),
        ("<p style=\"font:{location}\">MARK</p>", "location", "style"),
        ("<title>{score_scale}</title>MARK", "score_scale", "markup"),
        (
            "<p title=\"{score_scale}\">MARK</p>",
            "score_scale",
            "markup",
        ),
        (
            "<svg><text>{first_name}</text></svg>MARK",
            "first_name",
            "<svg>",
        ),
    ];
    for (html, placeholder, why) in refused {
        let err = e.set_template(&html_override("en", html)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{html}");
        let p = &err.problems()[0];
        assert_eq!(
            (p.record.as_str(), p.field.as_str()),
            ("template", "html"),
            "{html}"
        );
        assert!(
            p.reason.contains(&format!("`{{{placeholder}}}` is")) && p.reason.contains(why),
            "{html}: {}",
            p.reason
        );
        assert!(
            !err.to_string().contains("MARK") && !p.reason.contains("MARK"),
            "{html}"
        );
    }
    // Nothing was stored: the shipped HTML part is still the one sent.
    assert!(
        e.template(MessageKind::SurveyInvitation, Channel::Email, "en")
            .unwrap()
            .html
            .unwrap()
            .starts_with("<!doctype html>")
    );
    // Safe placements are accepted: text, both quotes, title, the links in URLs.
    for html in [
        "<p>{first_name}</p><p title='{location}' data-x=\"{first_name}\">x</p>",
        "<title>{location}</title><textarea>{first_name}</textarea>",
        "<a href=\"{survey_link}\" title=\"{first_name}\">{location}</a>",
        "<!-- {{first_name}} is a literal here --><p>{first_name}</p>",
        "<script>var a = 1;</script><style>p {{ }}</style><p>{location}</p>",
        "<img alt='{location}' src=\"https://cdn.example/logo.png\">",
    ] {
        e.set_template(&html_override("en", html))
            .unwrap_or_else(|err| panic!("{html}: {err}"));
    }
}

/// An HTML part stored by an older version, with a placeholder where no escaping is safe
/// (here an unquoted attribute), is not sent: the message goes as plain text only.
#[test]
fn m4_an_unsafe_html_part_stored_before_the_check_is_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    {
        let e = Engine::open(&path).unwrap();
        let mut paris = Location::new("paris", "Boutique Paris", "Europe/Paris");
        paris.review_link = Some("https://g.page/r/paris/review".into());
        e.upsert_location(&paris).unwrap();
        e.set_template(&html_override("en", "<p title='{first_name}'>Hi</p>"))
            .unwrap();
        e.close().unwrap();
    }
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE templates SET html = replace(html, '''{first_name}''', '{first_name}')",
            [],
        )
        .unwrap();
    let e = Engine::open(&path).unwrap();
    let stored = e
        .template(MessageKind::SurveyInvitation, Channel::Email, "en")
        .unwrap();
    assert!(stored.html.is_none(), "{:?}", stored.html);
    let m = &invite(&e, &[("a", "en", "x onmouseover=alert(1)")])[0];
    assert_eq!(m.html_body, None);
    assert!(m.body.contains(m.survey_link.as_deref().unwrap()));
}
