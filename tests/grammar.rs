//! T6: one grammar for dates, instants and weekdays in every door. What the JSON and
//! uniffi doors refuse, the CLI refuses too, naming the option and never echoing the
//! value; what any door stores is the canonical form, which every door reads back.

mod common;

use hearken::{Engine, Location, Weekday};

/// Dates a loose parser would take and the strict one refuses.
const BAD_DATES: [&str; 8] = [
    "+10000-01-01",
    "0000-01-01",
    "1969-12-31",
    "2026-1-1",
    " 2026-12-25",
    "2026-12-25 ",
    "2026-02-30",
    "20261225",
];

use common::cli as hearken;

#[test]
fn t6_every_door_refuses_the_same_dates_and_the_cli_stores_none_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let e = Engine::open(&db).unwrap();
    e.upsert_location(&Location::new("paris", "Boutique Paris", "Europe/Paris"))
        .unwrap();
    drop(e);
    for bad in BAD_DATES {
        // The JSON door.
        let json = format!(r#"{{"send_weekdays":["monday"],"closed_dates":["{bad}"]}}"#);
        let err = hearken::wire::parse_calendar(&json).unwrap_err();
        let p = &err.problems()[0];
        assert_eq!(
            (p.record.as_str(), p.index),
            ("closed_dates", Some(0)),
            "{bad:?}"
        );
        // The CLI, store-wide and for a location.
        for extra in [&[][..], &["--location", "paris"][..]] {
            let before = common::dump(&db);
            let mut args = vec!["--json", "policy", "calendar", "--closed-dates", bad];
            args.extend_from_slice(extra);
            let (code, err) = hearken(&db, &args);
            assert_eq!(code, 3, "{bad:?}: {err}");
            assert!(err.contains(r#""field":"closed_dates""#), "{bad:?}: {err}");
            assert!(!err.contains(bad.trim()), "{bad:?} echoed: {err}");
            assert_eq!(common::dump(&db), before, "{bad:?} changed the store");
        }
        // A report period.
        let period = format!("{bad}..2026-12-31");
        let (code, err) = hearken(&db, &["--json", "report", "nps", "--period", &period]);
        assert_eq!(code, 2, "{bad:?}: {err}");
        assert!(!err.contains(bad.trim()), "{bad:?} echoed: {err}");
    }
    // What the CLI accepts, every door reads back and stores again unchanged.
    let (code, err) = hearken(
        &db,
        &[
            "policy",
            "calendar",
            "--closed-dates",
            "2026-12-25,9999-12-31",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let e = Engine::open(&db).unwrap();
    let cal = e.calendar().unwrap();
    assert_eq!(cal.closed_dates.len(), 2);
    let json = serde_json::to_string(&cal).unwrap();
    assert_eq!(hearken::wire::parse_calendar(&json).unwrap(), cal);
    e.set_calendar(&cal).unwrap();
}

#[test]
fn t6_weekdays_are_a_name_or_its_three_letters_nothing_else() {
    for (text, day) in [
        ("mon", Weekday::Monday),
        ("sunday", Weekday::Sunday),
        ("thu", Weekday::Thursday),
    ] {
        assert_eq!(Weekday::from_name(text), Some(day), "{text}");
    }
    for bad in [
        "sunshine", "mo", " mon", "mon ", "Mon", "monday,", "", "tues",
    ] {
        assert_eq!(Weekday::from_name(bad), None, "{bad:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    drop(Engine::open(&db).unwrap());
    for bad in ["sunshine", "mon, tue", "mon,,tue", "friday_"] {
        let before = common::dump(&db);
        let (code, err) = hearken(
            &db,
            &["--json", "policy", "calendar", "--send-weekdays", bad],
        );
        assert_eq!(code, 3, "{bad:?}: {err}");
        assert!(err.contains(r#""field":"send_weekdays""#), "{err}");
        assert!(!err.contains("sunshine"), "{err}");
        assert_eq!(common::dump(&db), before);
    }
    let (code, err) = hearken(
        &db,
        &["policy", "calendar", "--send-weekdays", "mon,friday"],
    );
    assert_eq!(code, 0, "{err}");
    let cal = Engine::open(&db).unwrap().calendar().unwrap();
    assert_eq!(cal.send_weekdays, vec![Weekday::Monday, Weekday::Friday]);
}

#[test]
fn t3_t6_the_cli_now_reads_instants_with_the_engine_grammar() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    drop(Engine::open(&db).unwrap());
    // The shape is the CLI's usage check (exit 2), the range the engine's (exit 3): the
    // same instants are refused as through the JSON door.
    for (bad, code_wanted) in [
        ("--now=2026-11-20T22:00:00", 2),
        ("--now=2026-11-20 22:00:00Z", 2),
        ("--now= 2026-11-20T22:00:00Z", 2),
        ("--now=+10000-01-01T00:00:00Z", 2),
        ("--now=1969-12-31T23:59:59Z", 3),
    ] {
        let (code, err) = hearken(&db, &["--json", bad, "explain", "c1"]);
        assert_eq!(code, code_wanted, "{bad}: {err}");
        let value = bad.trim_start_matches("--now=");
        assert!(!err.contains(value), "{bad} echoed: {err}");
    }
}
