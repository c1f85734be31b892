//! S1–S3 through the public API: sync instants, the sync window, backfill and age.

mod common;

use std::io::Cursor;

use common::{at, batch, day, engine, paris_night, sale};
use hearken::{ErrorKind, SkipReason};

#[test]
fn s1_next_sync_is_23h_local_in_each_zone_across_dst() {
    let e = engine();
    let now = at("2026-11-20T12:00:00Z");
    assert_eq!(
        e.next_sync_at("paris", now).unwrap(),
        at("2026-11-20T22:00:00Z")
    );
    assert_eq!(
        e.next_sync_at("seoul", now).unwrap(),
        at("2026-11-20T14:00:00Z")
    );
    // Paris in summer: 23:00 CEST = 21:00 UTC; the local hour does not move.
    assert_eq!(
        e.next_sync_at("paris", at("2026-07-01T12:00:00Z")).unwrap(),
        at("2026-07-01T21:00:00Z")
    );
    assert_eq!(
        e.next_sync_at("nowhere", now).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn s1_invitations_become_due_at_the_send_hour_next_morning() {
    let e = engine();
    let r = e
        .sync(
            &batch(
                "seoul",
                "2026-11-20",
                &["c1"],
                vec![sale("t1", Some("c1"), Some("2026-11-20T15:00:00+09:00"))],
            ),
            at("2026-11-20T14:00:00Z"),
        )
        .unwrap();
    // 10:00 in Seoul on the 21st.
    assert_eq!(r.invitations[0].due_at, at("2026-11-21T01:00:00Z"));
}

#[test]
fn s2_window_catches_up_one_missed_night_and_reports_larger_gaps() {
    let e = engine();
    let w = e.sync_window("paris", paris_night("2026-11-20")).unwrap();
    assert_eq!(w.dates, vec![day("2026-11-20")]);
    e.sync(
        &batch("paris", "2026-11-20", &[], vec![]),
        paris_night("2026-11-20"),
    )
    .unwrap();

    // One missed night: tonight's window asks for it too, and the sync applies it.
    let w = e.sync_window("paris", paris_night("2026-11-22")).unwrap();
    assert_eq!(w.dates, vec![day("2026-11-21"), day("2026-11-22")]);
    assert!(w.missing.is_empty());
    let mut b = batch(
        "paris",
        "2026-11-22",
        &["c1"],
        vec![sale("t1", Some("c1"), Some("2026-11-21T10:00:00+01:00"))],
    );
    b.business_dates = w.dates.clone();
    let r = e.sync(&b, paris_night("2026-11-22")).unwrap();
    assert_eq!(r.caught_up_dates, vec![day("2026-11-21")]);
    assert_eq!(r.business_date, day("2026-11-22"));
    assert_eq!(
        r.invitations.len(),
        1,
        "a transaction of the caught-up date is surveyed"
    );

    // Three missed nights: the oldest is missing, and a nightly sync may not carry it.
    let w = e.sync_window("paris", paris_night("2026-11-25")).unwrap();
    assert_eq!(w.dates, vec![day("2026-11-24"), day("2026-11-25")]);
    assert_eq!(w.missing, vec![day("2026-11-23")]);
    assert_eq!(w.last_synced, Some(day("2026-11-22")));
    let mut b = batch("paris", "2026-11-25", &[], vec![]);
    b.business_dates = vec![day("2026-11-23"), day("2026-11-25")];
    let err = e.sync(&b, paris_night("2026-11-25")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.problems()[0].reason.contains("backfill"));
    b.business_dates = w.dates.clone();
    let r = e.sync(&b, paris_night("2026-11-25")).unwrap();
    assert_eq!(r.missing_dates, vec![day("2026-11-23")]);

    // Only a backfill closes the gap; the last synced date never moves backwards.
    let line = serde_json::to_string(&batch("paris", "2026-11-23", &[], vec![])).unwrap();
    let mut progress = Vec::new();
    let report = e
        .backfill_reader(
            Cursor::new(format!("{line}\n\n")),
            paris_night("2026-11-25"),
            |p| progress.push(p),
        )
        .unwrap();
    assert_eq!(report.batches.len(), 1);
    assert_eq!(progress.last().map(|p| (p.done, p.total)), Some((1, 1)));
    let w = e.sync_window("paris", paris_night("2026-11-26")).unwrap();
    assert!(w.missing.is_empty());
    assert_eq!(w.last_synced, Some(day("2026-11-25")));
    assert_eq!(w.dates, vec![day("2026-11-26")]);
}

#[test]
fn s2_a_date_in_the_future_or_before_the_window_is_rejected() {
    let e = engine();
    let err = e
        .sync(
            &batch("paris", "2026-11-21", &[], vec![]),
            paris_night("2026-11-20"),
        )
        .unwrap_err();
    assert_eq!(err.problems()[0].record, "business_dates");
    let err = e
        .sync(
            &batch("paris", "2026-11-10", &[], vec![]),
            paris_night("2026-11-20"),
        )
        .unwrap_err();
    assert!(err.problems()[0].reason.contains("window"));
}

#[test]
fn s3_backfilled_old_transactions_get_no_late_survey() {
    let e = engine();
    e.sync(
        &batch("paris", "2026-11-01", &[], vec![]),
        paris_night("2026-11-01"),
    )
    .unwrap();
    // The store was offline for three weeks; the backfill brings the old sales in.
    let old = batch(
        "paris",
        "2026-11-02",
        &["c1", "c2"],
        vec![
            sale("t1", Some("c1"), Some("2026-11-02T10:00:00+01:00")),
            sale("t2", Some("c2"), Some("2026-11-02T10:00:00+01:00")),
        ],
    );
    let recent = batch(
        "paris",
        "2026-11-19",
        &["c3"],
        vec![sale("t3", Some("c3"), Some("2026-11-19T10:00:00+01:00"))],
    );
    let file = format!(
        "{}\n{}\n",
        serde_json::to_string(&old).unwrap(),
        serde_json::to_string(&recent).unwrap()
    );
    let report = e
        .backfill_reader(Cursor::new(file), paris_night("2026-11-22"), |_| {})
        .unwrap();
    assert!(report.batches[0].invitations.is_empty());
    assert!(
        report.batches[0]
            .skipped
            .iter()
            .all(|s| s.reason == SkipReason::TooOld)
    );
    assert_eq!(
        report.batches[1].invitations.len(),
        1,
        "3 days old: still surveyed"
    );
    // In a nightly batch the age counts from the batch's business date.
    let r = e
        .sync(
            &batch(
                "paris",
                "2026-11-22",
                &["c4"],
                vec![sale("t4", Some("c4"), Some("2026-11-07T10:00:00+01:00"))],
            ),
            paris_night("2026-11-22"),
        )
        .unwrap();
    assert_eq!(r.skipped[0].reason, SkipReason::TooOld);
}

#[test]
fn s2_backfill_rejects_a_bad_file_whole_naming_the_line() {
    let e = engine();
    let good = serde_json::to_string(&batch("paris", "2026-11-20", &["c1"], vec![])).unwrap();
    let file = format!("{good}\n{{\"format\":1,\"location\":\"paris\"}}\nnot json\n");
    let err = e
        .backfill_reader(Cursor::new(file), paris_night("2026-11-20"), |_| {})
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let records: Vec<&str> = err.problems().iter().map(|p| p.record.as_str()).collect();
    assert_eq!(records, vec!["line 2: batch", "line 3: batch"]);
    assert!(
        e.explain("c1", paris_night("2026-11-20")).is_err(),
        "nothing written"
    );
}

/// E8: lines go several to a transaction; a line the store's checks reject (here a
/// location the store does not have) still leaves the lines before it applied, reports
/// progress for those only, and names its line.
#[test]
fn e8_a_backfill_line_the_store_rejects_keeps_the_lines_before_it() {
    let e = engine();
    let lines = [
        batch(
            "paris",
            "2026-11-18",
            &["c1"],
            vec![sale("t1", Some("c1"), Some("2026-11-18T10:00:00+01:00"))],
        ),
        batch(
            "paris",
            "2026-11-19",
            &["c2"],
            vec![sale("t2", Some("c2"), Some("2026-11-19T10:00:00+01:00"))],
        ),
        batch("nowhere", "2026-11-19", &["c3"], vec![]),
        batch("paris", "2026-11-20", &["c4"], vec![]),
    ];
    let file: String = lines
        .iter()
        .map(|b| serde_json::to_string(b).unwrap() + "\n")
        .collect();
    let mut done = Vec::new();
    let err = e
        .backfill_reader(Cursor::new(file), paris_night("2026-11-20"), |p| {
            done.push((p.done, p.total))
        })
        .unwrap_err();
    assert!(
        err.problems()
            .iter()
            .all(|p| p.record.starts_with("line 3")),
        "{err}"
    );
    assert_eq!(done, [(1, 4), (2, 4)]);
    let now = paris_night("2026-11-20");
    assert!(e.explain("c2", now).is_ok(), "line 2 stays applied");
    assert!(e.explain("c4", now).is_err(), "line 4 is not applied");
}

/// A backfill file gives, line by line, the reports and the store that importing each
/// line alone gives (the lines share transactions; each still sees the ones before it).
#[test]
fn a_backfill_matches_its_lines_imported_one_by_one() {
    let lines: Vec<String> = (1..=12)
        .map(|d| {
            let date = format!("2026-11-{d:02}");
            let c = format!("c{}", d % 5);
            let finalized = format!("{date}T10:00:00+01:00");
            let b = batch(
                "paris",
                &date,
                &[c.as_str()],
                vec![sale(&format!("t{d}"), Some(&c), Some(&finalized))],
            );
            serde_json::to_string(&b).unwrap()
        })
        .collect();
    let now = paris_night("2026-11-13");
    let whole = engine();
    let mut seen = 0;
    let report = whole
        .backfill_reader(Cursor::new(lines.join("\n")), now, |p| {
            assert_eq!((p.done, p.total), (seen + 1, 12));
            seen = p.done;
        })
        .unwrap();
    assert_eq!(seen, 12);
    let apart = engine();
    for (line, expected) in lines.iter().zip(&report.batches) {
        let one = apart
            .backfill_reader(Cursor::new(line.clone()), now, |_| {})
            .unwrap();
        assert_eq!(&one.batches[0], expected);
    }
    for c in ["c0", "c1", "c2", "c3", "c4"] {
        assert_eq!(
            whole.explain(c, now).unwrap(),
            apart.explain(c, now).unwrap()
        );
    }
}
