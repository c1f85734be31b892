//! T11: messages are safe to hand to a mail or SMS gateway as they are. No header-like
//! field (subject, recipient, reply-to, language, links) holds a line break or another
//! control character, whatever names and templates hold; names with control characters
//! are refused by the location, user and employee setters.

mod common;

use common::{at, batch, paris_night, sale};
use hearken::{
    AlertSettings, Answer, Channel, CustomerEmail, Employee, Engine, ErrorKind, Location,
    MessageKind, NotifyLevel, OutboundMessage, ResponseInput, Role, Template, User, UserRole,
};

/// The characters T11 names: CR, LF, another C0, DEL, C1 (NEL, CSI), U+2028, U+2029.
const BREAKS: [&str; 8] = [
    "\r", "\n", "\u{1b}", "\u{7f}", "\u{85}", "\u{9b}", "\u{2028}", "\u{2029}",
];

fn assert_header_safe(m: &OutboundMessage) {
    let fields = [
        Some(&m.subject),
        Some(&m.recipient),
        Some(&m.language),
        m.reply_to.as_ref(),
        m.survey_link.as_ref(),
        m.unsubscribe_link.as_ref(),
    ];
    for f in fields.into_iter().flatten() {
        assert!(
            !f.chars()
                .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}'),
            "{f:?}"
        );
        assert_eq!(f.trim(), f, "{f:?}");
    }
}

#[test]
fn t11_names_with_control_characters_are_refused_by_the_location_user_and_employee_setters() {
    let e = common::engine();
    for b in BREAKS {
        let name = format!("Paris{b}Bcc: SECRET");
        let err = e
            .upsert_location(&Location::new("lyon", &name, "Europe/Paris"))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{b:?}");
        assert_eq!(err.problems()[0].field, "name");
        assert!(!err.to_json().contains("SECRET"), "{}", err.to_json());

        let user = User::new("u1", &name, "boss@example.com", UserRole::Manager);
        let err = e.upsert_user(&user).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{b:?}");
        assert_eq!(
            (
                err.problems()[0].record.as_str(),
                err.problems()[0].field.as_str()
            ),
            ("user", "name")
        );
        assert!(!err.to_json().contains("SECRET"));

        let mut batch = batch("paris", "2026-11-20", &[], vec![]);
        batch.employees = vec![Employee {
            id: "emp-1".into(),
            name: Some(name.clone()),
            role: Role::Salesperson,
        }];
        let err = e.sync(&batch, paris_night("2026-11-20")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{b:?}");
        let p = &err.problems()[0];
        assert_eq!((p.record.as_str(), p.field.as_str()), ("employees", "name"));
        assert!(!err.to_json().contains("SECRET"));
    }
    assert!(e.location("lyon").is_err());
    // Tabs inside a name are control characters too; plain Unicode is not.
    assert!(
        e.upsert_location(&Location::new("lyon", "Lyon\tPart-Dieu", "Europe/Paris"))
            .is_err()
    );
    e.upsert_location(&Location::new(
        "lyon",
        "Café Élodie · 서울점",
        "Europe/Paris",
    ))
    .unwrap();
}

#[test]
fn t11_set_template_refuses_a_subject_with_a_line_break() {
    let e = common::engine();
    for b in BREAKS {
        let t = Template {
            kind: MessageKind::SurveyInvitation,
            channel: Channel::Email,
            language: "en".into(),
            subject: format!("Hello{b}Bcc: {{location}}"),
            body: "{survey_link} {unsubscribe_link}".into(),
            html: None,
        };
        let err = e.set_template(&t).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{b:?}");
        assert_eq!(err.problems()[0].field, "subject");
    }
}

/// A store whose location name and customer names hold control characters, as an older
/// version let them in: the subject and every header-like field come out clean.
#[test]
fn t11_subjects_and_header_fields_never_hold_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let location = "Atelier\r\nBcc: evil@example.com\u{2028}\u{85}\u{85}Nord";
    {
        let e = Engine::open(&path).unwrap();
        e.upsert_location(&Location::new("paris", "Atelier", "Europe/Paris"))
            .unwrap();
        // Subjects naming the customer and the location, in each language.
        for lang in ["en", "fr", "ko"] {
            e.set_template(&Template {
                kind: MessageKind::SurveyInvitation,
                channel: Channel::Email,
                language: lang.into(),
                subject: "  {first_name} · {location}  ".into(),
                body: "{survey_link} {unsubscribe_link}".into(),
                html: None,
            })
            .unwrap();
        }
        e.close().unwrap();
    }
    {
        // What a store written before T11 may hold.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute("UPDATE locations SET name = ?1", [location])
            .unwrap();
    }
    let e = Engine::open(&path).unwrap();
    let people = [
        ("a", "en", "Eve\u{1b}[2J\u{7f}"),
        ("b", "fr", "Élodie\u{9b}31m"),
        ("c", "ko", "김민준\u{2029}"),
    ];
    e.sync(&common::people_batch(&people), paris_night("2026-11-20"))
        .unwrap();
    let mut ms = e.claim(100, at("2026-11-21T09:00:00Z")).unwrap();
    ms.sort_by(|a, b| a.customer.cmp(&b.customer));
    assert_eq!(ms.len(), 3);
    for m in &ms {
        assert_header_safe(m);
    }
    let clean = "Atelier Bcc: evil@example.com Nord";
    // The run at the end of the name becomes a space of its own.
    assert_eq!(ms[0].subject, format!("Eve [2J  · {clean}"));
    assert_eq!(ms[1].subject, format!("Élodie 31m · {clean}"));
    assert_eq!(ms[2].subject, format!("김민준 · {clean}"));
    // The body keeps its lines: only header-like fields are cleaned.
    assert!(ms[0].body.contains(' '));
}

/// Messages whose text is written when they are queued (a staff notification, a reply a
/// user writes to a customer) are cleaned at claim too: a subject typed with a line break
/// reaches the gateway as one line, and the reply-to stays one address.
#[test]
fn t11_staff_notifications_and_customer_replies_have_one_line_subjects() {
    let e = common::engine();
    e.set_alert_settings(&AlertSettings {
        reply_domain: "reply.example.com".into(),
        ..AlertSettings::default()
    })
    .unwrap();
    let mut boss = User::new("boss", "Claire", "boss@example.com", UserRole::Manager);
    boss.notify = NotifyLevel::All;
    e.upsert_user(&boss).unwrap();
    let mut b = batch(
        "paris",
        "2026-11-20",
        &["a"],
        vec![sale("t-a", Some("a"), Some("2026-11-20T10:00:00+01:00"))],
    );
    b.customers[0].name = Some("Eve\u{1b}]0;pwned\u{7} Martin".into());
    e.sync(&b, paris_night("2026-11-20")).unwrap();
    let due = at("2026-11-21T09:00:00Z");
    let invitation = e.claim(10, due).unwrap().pop().unwrap();
    e.ack(&invitation.message_id, due).unwrap();
    let token = common::link_token(&invitation.survey_link.unwrap());
    let answer = ResponseInput {
        answers: vec![
            Answer {
                question: "recommend".into(),
                score: Some(2),
                ..Answer::default()
            },
            Answer {
                question: "comment".into(),
                text: Some("Broken\r\nzip".into()),
                ..Answer::default()
            },
        ],
        consent_to_reply: true,
    };
    let out = e.record_response(&token, &answer, due).unwrap();
    e.email_customer(
        out.alert_id.unwrap(),
        &CustomerEmail {
            user: "boss".into(),
            subject: "Votre commande\r\nBcc: x@evil.example\u{2028}".into(),
            body: "Ligne 1\r\nLigne 2".into(),
        },
        due,
    )
    .unwrap();
    let ms = e.claim(10, due).unwrap();
    let kinds: Vec<MessageKind> = ms.iter().map(|m| m.kind).collect();
    assert!(
        kinds.contains(&MessageKind::FeedbackNotification),
        "{kinds:?}"
    );
    for m in &ms {
        assert_header_safe(m);
    }
    let reply = ms
        .iter()
        .find(|m| m.kind == MessageKind::CustomerReply)
        .unwrap();
    assert_eq!(reply.subject, "Votre commande Bcc: x@evil.example");
    assert_eq!(reply.body, "Ligne 1\r\nLigne 2", "bodies keep their lines");
}
