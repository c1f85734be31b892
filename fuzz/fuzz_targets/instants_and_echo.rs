//! T3 and T6 on arbitrary input. The first 3 bytes pick a clock at or near an end of the
//! one range of instants (1970-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z) or a DST
//! edge, plus or minus a few milliseconds; the rest is a batch document (the dictionary
//! fuzz/instants_and_echo.dict carries duplicate keys, padded dates, extreme timestamps and numbers).
//! Oracles: nothing panics; a clock outside the range is invalid input naming `now`; a
//! clock inside never yields an internal or storage error from sync or any report; and no
//! problem's record, field or reason ever carries text marked SECRET from the input (an
//! unknown key, a value, an over-long id).
#![no_main]

use chrono::{DateTime, TimeDelta, Utc};
use hearken::{Bucket, ErrorKind, Period, ReportQuery};
use hearken_fuzz::{Reuse, engine, input_error};
use libfuzzer_sys::fuzz_target;

thread_local!(static STORE: Reuse<hearken::Engine> = const { Reuse::new() });

const MAX_MS: i64 = 253_402_300_799_999;
const EDGES: [i64; 8] = [
    0,
    MAX_MS,
    1_774_746_000_000, // Paris springs forward, 2026-03-29T01:00Z
    1_792_893_600_000, // Paris falls back, 2026-10-25T01:00Z
    1_793_512_800_000, // Toronto falls back, 2026-11-01T06:00Z
    253_402_214_400_000, // 9999-12-31T00:00Z
    1_795_212_000_000, // 23:00 Paris, 2026-11-20
    -62_135_596_800_000, // year 1 (far outside)
];

fn no_secret(e: &hearken::Error, what: &str) {
    for p in e.problems() {
        for part in [&p.record, &p.field, &p.reason] {
            assert!(!part.contains("SECRET"), "{what} echoed input: {p:?}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let edge = EDGES[usize::from(data[0]) % EDGES.len()];
    let ms = edge.saturating_add(i64::from(data[1] as i8)).saturating_add(i64::from(data[2] as i8) * 86_400_000);
    let Ok(text) = std::str::from_utf8(&data[3..]) else {
        return;
    };
    let Some(now) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return;
    };
    let inside = (0..=MAX_MS).contains(&ms);
    let e = STORE.with(|s| s.take(engine));
    let mut outcomes = Vec::new();
    match hearken::wire::parse_batch(text) {
        Ok(batch) => outcomes.push(("sync", e.sync(&batch, now).map(|_| ()))),
        Err(err) => {
            input_error(&err, "parse_batch");
            no_secret(&err, "parse_batch");
        }
    }
    let q = ReportQuery::default();
    let month = ReportQuery {
        period: Period::CurrentMonth,
        ..ReportQuery::default()
    };
    outcomes.push(("series week", e.score_series(&q, Bucket::IsoWeek, now).map(|_| ())));
    outcomes.push(("series month", e.score_series(&month, Bucket::Month, now).map(|_| ())));
    outcomes.push(("scores", e.scores(&month, now).map(|_| ())));
    outcomes.push(("window", e.sync_window("seoul", now).map(|_| ())));
    outcomes.push(("next sync", e.next_sync_at("paris", now).map(|_| ())));
    outcomes.push(("claim", e.claim(5, now).map(|_| ())));
    outcomes.push((
        "period bounds",
        e.period_bounds(
            "paris",
            &Period::Between {
                from: now,
                to: now + TimeDelta::milliseconds(1),
            },
            now,
        )
        .map(|_| ()),
    ));
    for (what, r) in outcomes {
        match r {
            Err(err) if !inside => {
                assert_eq!(err.kind(), ErrorKind::InvalidInput, "{what}: {err}");
                assert!(err.problems().iter().any(|p| p.field == "now" || p.field.starts_with("period")), "{what}: {err}");
            }
            Err(err) => {
                input_error(&err, what);
                no_secret(&err, what);
            }
            Ok(()) => assert!(inside, "{what} accepted {ms}"),
        }
    }
    STORE.with(|s| s.give_back(e));
});
