//! The `hearken` CLI (issue 8 item 4) run as a process on a temporary database: a whole
//! operator session, its exit codes, and its JSON output against the golden files.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Reader, Xlsx, open_workbook};
use common::at;
use hearken::{Answer, Engine, ResponseInput};

const NOW: &str = "--now=2026-11-20T22:00:00Z";

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// What one run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `hearken --db DB ARGS…` (with $HEARKEN_DB unset) and echoes the session.
fn hearken(db: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_hearken"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("HEARKEN_DB")
        .output()
        .unwrap();
    let run = Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    println!(
        "$ hearken {}\n{}{}[exit {}]\n",
        args.join(" "),
        run.stdout,
        run.stderr,
        run.code
    );
    run
}

fn ok(db: &Path, args: &[&str]) -> String {
    let run = hearken(db, args);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run.stdout
}

/// Answers arrive through the host's survey page (the library, not the CLI): c1 a
/// promoter with a French comment, c5 a detractor with a Korean one.
fn answers_arrive(db: &Path) {
    let e = Engine::open(db).unwrap();
    let due = at("2026-11-21T09:00:00Z");
    for m in common::deliver(&e, 10, due) {
        let Some(link) = m.survey_link else {
            continue; // not a survey (a staff notification)
        };
        let token = common::link_token(&link);
        let (score, comment) = match m.customer.as_deref() {
            Some("c1") => (10, "Très bien, merci ! \"Parfait\""),
            _ => (6, "배송이 늦었어요, 그래도 친절했어요"),
        };
        let input = ResponseInput {
            answers: vec![
                Answer {
                    question: "recommend".into(),
                    score: Some(score),
                    ..Answer::default()
                },
                Answer {
                    question: "comment".into(),
                    text: Some(comment.into()),
                    ..Answer::default()
                },
            ],
            consent_to_reply: true,
        };
        e.record_response(&token, &input, at("2026-11-21T12:30:00Z"))
            .unwrap();
    }
}

#[test]
fn x1_x2_cli_session_on_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();

    // No database yet: only `locations add` creates one.
    let run = hearken(&db, &["report", "nps"]);
    assert_eq!(run.code, 4);
    assert!(run.stderr.contains("no database at"), "{}", run.stderr);
    assert!(!db.exists());

    // The golden scenario (tests/golden/README.md) through the CLI.
    ok(
        &db,
        &[
            "locations",
            "add",
            "paris",
            "Boutique Paris",
            "Europe/Paris",
            "--review-link",
            "https://g.page/r/paris/review",
        ],
    );
    ok(
        &db,
        &["locations", "add", "seoul", "서울 매장", "Asia/Seoul"],
    );
    let listed = ok(&db, &["locations", "list"]);
    assert!(
        listed.contains("seoul  서울 매장       Asia/Seoul"),
        "{listed}"
    );
    ok(
        &db,
        &[
            "unsubscribe",
            "  Dana@Example.COM ",
            "--now=2026-11-19T12:00:00Z",
        ],
    );

    // A bad batch: exit 3, every field named, nothing written.
    let before = common::dump(&db);
    let bad = golden("bad.batch.json");
    let run = hearken(&db, &["sync", bad.to_str().unwrap(), NOW]);
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("invalid input; nothing was written"));
    for field in ["customer", "finalized_at", "currency"] {
        assert!(run.stderr.contains(field), "{field} named: {}", run.stderr);
    }
    assert!(run.stderr.contains("transactions      2  t22  currency"));
    let run = hearken(&db, &["--json", "sync", bad.to_str().unwrap(), NOW]);
    assert_eq!(run.code, 3);
    assert_eq!(
        run.stderr,
        std::fs::read_to_string(golden("bad.error.json")).unwrap()
    );
    assert_eq!(before, common::dump(&db), "a rejected batch writes nothing");

    // The night's batch: the JSON report is the golden one, byte for byte.
    let night = golden("night1.batch.json");
    let json = ok(&db, &["sync", night.to_str().unwrap(), NOW, "--json"]);
    assert_eq!(
        json,
        std::fs::read_to_string(golden("night1.report.json")).unwrap()
    );
    let text = ok(&db, &["sync", night.to_str().unwrap(), NOW]);
    assert!(
        text.contains("0 invitations"),
        "a re-run creates nothing: {text}"
    );

    let why = ok(&db, &["explain", "c5", NOW, "--json"]);
    assert_eq!(
        why,
        std::fs::read_to_string(golden("explain_c5.json")).unwrap()
    );
    let why = ok(&db, &["explain", "c5", NOW]);
    assert!(why.contains("in cooldown: eligible again on 2027-02-20"));
    assert!(why.contains("t6: no survey on 2026-11-20 (paris)"));
    assert!(why.contains("[one_per_batch]"));
    assert_eq!(hearken(&db, &["explain", "nobody", NOW]).code, 4);

    let outbox = ok(&db, &["outbox", "list"]);
    assert!(
        outbox.contains("next due: 2026-11-21 09:00 UTC"),
        "{outbox}"
    );
    let outbox: serde_json::Value =
        serde_json::from_str(&ok(&db, &["outbox", "list", "--json"])).unwrap();
    assert_eq!(outbox["counts"]["pending"], 2);
    assert_eq!(outbox["pending_invitations"][1]["customer"], "c5");

    answers_arrive(&db);

    let nps = ok(
        &db,
        &[
            "report",
            "nps",
            "--period",
            "2026-11-01..2026-11-30",
            "--location",
            "paris",
        ],
    );
    assert!(nps.contains("local days of Europe/Paris"), "{nps}");
    let figures: Vec<&str> = nps.lines().last().unwrap().split_whitespace().collect();
    assert_eq!(figures, ["1", "0", "1", "2", "0.0"], "{nps}");
    let nps: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &[
            "report",
            "nps",
            "--json",
            "--period",
            "last-month",
            "--now=2026-12-02T08:00:00Z",
        ],
    ))
    .unwrap();
    assert_eq!(nps["nps"]["promoters"], 1);
    assert_eq!(nps["nps"]["detractors"], 1);
    assert_eq!(nps["nps"]["nps"], 0.0);
    let empty: serde_json::Value = serde_json::from_str(&ok(
        &db,
        &[
            "report",
            "nps",
            "--json",
            "--period",
            "current-month",
            "--now=2026-12-02T08:00:00Z",
        ],
    ))
    .unwrap();
    assert_eq!(
        empty["nps"]["nps"],
        serde_json::Value::Null,
        "no answers: no NPS"
    );
    let ratings = ok(&db, &["report", "ratings"]);
    assert!(
        ratings.contains("100.0%"),
        "2 of 2 delivered answered: {ratings}"
    );
    // X4: every employee of an answered transaction is credited.
    let staff: serde_json::Value =
        serde_json::from_str(&ok(&db, &["--json", "report", "employees"])).unwrap();
    let rows = staff["employees"].as_array().unwrap();
    assert!(!rows.is_empty(), "{staff}");
    let credited: u64 = rows
        .iter()
        .map(|r| r["scores"]["responses"].as_u64().unwrap())
        .sum();
    assert!(credited >= 1, "{staff}");
    assert!(ok(&db, &["report", "employees"]).contains("employee"));
    let funnel: serde_json::Value =
        serde_json::from_str(&ok(&db, &["--json", "report", "funnel"])).unwrap();
    assert_eq!(funnel["funnel"]["responses"], 2, "{funnel}");
    assert_eq!(
        hearken(&db, &["report", "nps", "--location", "lyon"]).code,
        4
    );

    // Exports.
    let csv_file = path("feedback.csv");
    let said = ok(&db, &["export", "csv", "--out", &csv_file]);
    assert!(said.contains("2 comments"), "{said}");
    let bytes = std::fs::read(&csv_file).unwrap();
    assert!(bytes.starts_with("\u{feff}Date,Time,Conversation ID,".as_bytes()));
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(&bytes[3..])
        .records()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(&rows[0][5], "c1");
    assert_eq!(&rows[0][13], "Très bien, merci ! \"Parfait\"");
    assert_eq!(&rows[1][6], "김민준");
    assert_eq!(&rows[1][13], "배송이 늦었어요, 그래도 친절했어요");
    let xlsx_file = path("feedback.xlsx");
    let said = ok(
        &db,
        &[
            "export",
            "xlsx",
            "--out",
            &xlsx_file,
            "--period",
            "2026-11-01..",
        ],
    );
    assert!(said.contains("2 employees, 1 day, 2 comments"), "{said}");
    let mut book: Xlsx<_> = open_workbook(&xlsx_file).unwrap();
    assert_eq!(book.sheet_names(), ["By employee", "By date", "Comments"]);
    let employees = book.worksheet_range("By employee").unwrap();
    assert_eq!(employees.get_value((1, 0)).unwrap().to_string(), "Lucas");

    // Backfill (JSON lines) and the database named by $HEARKEN_DB.
    let lines = path("backfill.jsonl");
    std::fs::write(
        &lines,
        concat!(
            r#"{"format":1,"location":"seoul","business_dates":["2026-11-18"],"#,
            r#""customers":[{"id":"k1","name":"이서연","email":"seoyeon@example.kr","include_in_communications":true}],"#,
            r#""transactions":[{"id":"s1","customer":"k1","kind":"sale","amount_minor":50000,"currency":"KRW","finalized_at":"2026-11-18T15:00:00+09:00"}]}"#,
            "\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hearken"))
        .args(["backfill", &lines, NOW])
        .env("HEARKEN_DB", &db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.contains("backfilled 1 batch: 1 invitation, 0 skipped"),
        "{said}"
    );
    assert_eq!(hearken(&db, &["backfill", &path("missing.jsonl")]).code, 4);
}

#[test]
fn usage_errors_exit_2_and_help_documents_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    assert_eq!(hearken(&db, &["report", "bogus"]).code, 2);
    assert_eq!(
        hearken(&db, &["export", "csv"]).code,
        2,
        "--out is required"
    );
    assert_eq!(
        hearken(&db, &["report", "nps", "--period", "2026-13-01.."]).code,
        2
    );
    let help = ok(&db, &["--help"]);
    for line in [
        "Exit codes:",
        "2  usage error",
        "3  invalid input",
        "4  not found",
        "5  conflict",
    ] {
        assert!(help.contains(line), "{line}: {help}");
    }
    assert!(!help.contains("--now"), "the clock override is hidden");
}

/// A store with Paris and Seoul, made through the CLI.
fn two_locations(db: &Path) {
    ok(
        db,
        &[
            "locations",
            "add",
            "paris",
            "Boutique Paris",
            "Europe/Paris",
        ],
    );
    ok(
        db,
        &["locations", "add", "seoul", "서울 매장", "Asia/Seoul"],
    );
}

#[test]
fn cli_a_sync_file_that_is_not_utf8_is_invalid_input_naming_offset_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    two_locations(&db);
    let mut bytes = std::fs::read(golden("night1.batch.json")).unwrap();
    // Latin-1 "é" (0xE9) in place of the first byte of line 3.
    let line3 = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(1)
        .unwrap()
        .0
        + 1;
    bytes[line3] = 0xE9;
    let file = dir.path().join("latin1.json");
    std::fs::write(&file, &bytes).unwrap();
    let before = common::dump(&db);
    let run = hearken(&db, &["sync", file.to_str().unwrap(), NOW]);
    assert_eq!(run.code, 3, "invalid input, not a storage failure");
    assert!(
        run.stderr.contains(&format!(
            "not valid UTF-8 (first bad byte at offset {line3}, line 3)"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("file"),
        "names the field: {}",
        run.stderr
    );
    assert_eq!(common::dump(&db), before, "nothing was written");
    // The same through stdin, as JSON.
    let out = Command::new(env!("CARGO_BIN_EXE_hearken"))
        .args(["--json", "sync", "-", NOW])
        .env("HEARKEN_DB", &db)
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["kind"], "invalid_input");
    assert_eq!(err["problems"][0]["field"], "file");
}

#[test]
fn cli_output_into_a_closed_pipe_exits_quietly_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    two_locations(&db);
    for args in [
        &["locations", "list"][..],
        &["--json", "locations", "list"][..],
    ] {
        // The reading end is closed before the child starts (`hearken … | head -0`): a pipe
        // closed after the spawn raced the child's first write on a loaded machine.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let child = Command::new(env!("CARGO_BIN_EXE_hearken"))
            .args(args)
            .env("HEARKEN_DB", &db)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: quiet: {stderr}");
    }
}

/// Only in a build without `--features failpoints` (`cargo test`); scripts/test.sh builds
/// its tests with the feature once and checks instead that the release libraries hold no
/// failpoint name.
#[test]
#[cfg(not(feature = "failpoints"))]
fn cli_a_default_build_ignores_hearken_failpoint() {
    // Failpoints exist only with `--features failpoints` (the crash tests); a default
    // build armed through the environment must run through every point.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    two_locations(&db);
    let night = golden("night1.batch.json");
    for point in hearken::failpoint::NAMES {
        if !point.starts_with("sync.") {
            continue;
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_hearken"))
            .args(["sync", night.to_str().unwrap(), NOW])
            .env("HEARKEN_DB", &db)
            .env("HEARKEN_FAILPOINT", point)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if started.elapsed() > std::time::Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("the CLI stopped at failpoint {point}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(status.success(), "{point}");
    }
}

#[test]
fn t4_concurrent_cli_exports_to_one_path_each_leave_a_complete_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    two_locations(&db);
    {
        let e = Engine::open(&db).unwrap();
        for i in 0..300 {
            e.record_feedback(
                &hearken::FeedbackInput {
                    location: if i % 2 == 0 { "paris" } else { "seoul" }.into(),
                    transaction: None,
                    customer: None,
                    sentiment: hearken::Sentiment::Positive,
                    facets: vec![],
                    comment: Some(format!("{i}: {}", "très bien, 정말 좋아요 ".repeat(8))),
                    consent_to_reply: false,
                },
                at("2026-11-21T09:00:00Z"),
            )
            .unwrap();
        }
    }
    let target = dir.path().join("feedback.csv");
    let children: Vec<_> = (0..20)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_hearken"))
                .args(["export", "csv", "--out", target.to_str().unwrap(), NOW])
                .env("HEARKEN_DB", &db)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut reads = 0;
    let mut running = children;
    while !running.is_empty() {
        if let Ok(bytes) = std::fs::read(&target) {
            let rows = csv::Reader::from_reader(&bytes[3..]).records().count();
            assert_eq!(rows, 300, "a reader never sees a part of a file");
            reads += 1;
        }
        running.retain_mut(|c| match c.try_wait().unwrap() {
            Some(s) => {
                assert!(s.success());
                false
            }
            None => true,
        });
    }
    println!("{reads} complete reads during 20 concurrent exports");
    let bytes = std::fs::read(&target).unwrap();
    assert_eq!(csv::Reader::from_reader(&bytes[3..]).records().count(), 300);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".hearken-"))
        .collect();
    assert!(names.is_empty(), "no temporary left: {names:?}");
}

/// T6: names and ids holding ESC, a bidi override (U+202E) or a C1 control (U+0085) are
/// printed as visible escapes in tables, plain text and errors; Korean and accents print
/// as they are; `--json` escapes them as JSON does.
#[test]
fn t6_cli_never_prints_control_characters_from_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t6.db");
    {
        let e = Engine::open(&db).unwrap();
        e.upsert_location(&hearken::Location::new(
            "paris",
            "Boutique Paris",
            "Europe/Paris",
        ))
        .unwrap();
        let mut b = hearken::SyncBatch::new("paris", common::day("2026-11-20"));
        let mut c = hearken::Customer::with_email("c\u{202e}1", "c1@example.com");
        c.name = Some("Kim \u{1b}]0;pwned\u{7} 김민준".into());
        b.customers = vec![c];
        let mut t = common::sale("t1", Some("c\u{202e}1"), Some("2026-11-20T10:00:00+01:00"));
        t.employees = vec![];
        b.transactions = vec![t];
        e.sync(&b, at("2026-11-20T22:00:00Z")).unwrap();
    }
    // T11 refuses control characters in a location name now; a store written before holds
    // them, and the CLI must still print them safely.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE locations SET name = ?1",
            ["Boutique \u{1b}[31mParis\u{202e} 서울 Amélie\u{85}"],
        )
        .unwrap();
    let raw = ['\u{1b}', '\u{202e}', '\u{85}', '\u{7}'];
    let clean = |what: &str, s: &str| {
        for c in raw {
            assert!(
                !s.contains(c),
                "{what} printed U+{:04X} raw: {s:?}",
                c as u32
            );
        }
    };
    let listed = ok(&db, &["locations", "list"]);
    clean("locations list", &listed);
    assert!(listed.contains("서울 Amélie"), "{listed}");
    assert!(listed.contains("\\u{1b}[31mParis\\u{202e}"), "{listed}");
    assert!(listed.contains("\\u{85}"), "{listed}");
    let why = ok(&db, &["explain", "c\u{202e}1", NOW]);
    clean("explain", &why);
    let outbox = ok(&db, &["outbox", "list"]);
    clean("outbox list", &outbox);
    let missing = hearken(&db, &["explain", "nobody\u{1b}[2J\u{202e}", NOW]);
    assert_eq!(missing.code, 4);
    clean("not-found error", &missing.stderr);
    let json = ok(&db, &["--json", "locations", "list"]);
    clean("--json locations list", &json);
    assert!(json.contains("\\u001b"), "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v.to_string().contains("서울 Amélie"));
}

/// T3: `--now` outside 1970-01-01..9999-12-31 UTC is invalid input naming `now`; a
/// padded or offset-less `--now` is a usage error.
#[test]
fn t3_cli_now_outside_the_range_is_invalid_input_naming_now() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t3.db");
    Engine::open(&db)
        .unwrap()
        .upsert_location(&hearken::Location::new("paris", "Paris", "Europe/Paris"))
        .unwrap();
    let run = hearken(
        &db,
        &["--json", "explain", "c1", "--now=1969-12-31T23:59:59.999Z"],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains(r#""field":"now""#), "{}", run.stderr);
    assert_eq!(
        hearken(&db, &["explain", "c1", "--now=9999-12-31T23:59:59.999Z"]).code,
        4
    );
    assert_eq!(
        hearken(&db, &["explain", "c1", "--now=2026-11-20T22:00:00"]).code,
        2
    );
    assert_eq!(
        hearken(&db, &["explain", "c1", "--now=2026-11-20T22:00:00Z "]).code,
        2
    );
}

/// Issue 14 item 4: the operator commands (settings, the sync window, draining the
/// outbox), usage errors in JSON, file errors naming the path, help without stale lines.
fn store_after_night1(dir: &Path) -> PathBuf {
    let db = dir.join("store.db");
    ok(
        &db,
        &[
            "locations",
            "add",
            "paris",
            "Boutique Paris",
            "Europe/Paris",
        ],
    );
    ok(
        &db,
        &[NOW, "sync", golden("night1.batch.json").to_str().unwrap()],
    );
    db
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn cli_settings_show_and_set_keep_the_pepper_secret() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_after_night1(dir.path());
    let shown = ok(&db, &["settings", "show"]);
    let row = |cells: &[&str]| {
        shown
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == cells)
    };
    assert!(row(&["cooldown_months", "3"]), "{shown}");
    // A new store has a random pepper (T2), shown only as set.
    assert!(row(&["suppression_pepper", "(set)"]), "{shown}");
    // The contact policy's salt is a secret too (P4).
    assert!(row(&["sample_salt", "(set)"]), "{shown}");
    let out = ok(
        &db,
        &[
            "settings",
            "set",
            "cooldown_months=6",
            "channel=sms",
            "suppression_pepper=pepper-of-the-vendor",
            "link_base_url=https://surveys.example.fr",
        ],
    );
    assert!(out.contains("settings saved"), "{out}");
    assert!(!out.contains("pepper-of-the-vendor"), "{out}");
    let doc = json(&ok(&db, &["--json", "settings", "show"]));
    assert_eq!(doc["settings"]["cooldown_months"], 6);
    assert_eq!(doc["settings"]["channel"], "sms");
    assert_eq!(
        doc["delivery"]["link_base_url"],
        "https://surveys.example.fr"
    );
    assert_eq!(doc["delivery"]["suppression_pepper_set"], true);
    assert!(doc["delivery"].get("suppression_pepper").is_none(), "{doc}");
    let e = Engine::open(&db).unwrap();
    assert_eq!(e.settings().unwrap().cooldown_months, 6);
    assert_eq!(
        e.delivery_settings().unwrap().suppression_pepper,
        "pepper-of-the-vendor"
    );
}

#[test]
fn cli_settings_set_bad_input_names_each_setting_echoes_no_value_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_after_night1(dir.path());
    let before = ok(&db, &["--json", "settings", "show"]);
    let bad = [
        "settings",
        "set",
        "cooldown_months=sixty",
        "sync_hour=99",
        "channel=carrier-pigeon",
        "lease_seconds=99999999999999999999",
        "colour=blue",
        "cooldown_months",
        "link_base_url=ftp://nope",
        "send_hour=8",
    ];
    let run = hearken(&db, &bad);
    assert_eq!(run.code, 3, "{}", run.stderr);
    for field in [
        "cooldown_months",
        "sync_hour",
        "channel",
        "lease_seconds",
        "KEY=VALUE",
        "link_base_url",
    ] {
        assert!(run.stderr.contains(field), "{field}: {}", run.stderr);
    }
    // An unknown setting is named `KEY`, never echoed (T6).
    assert!(
        run.stderr.contains("unknown setting") && !run.stderr.contains("colour"),
        "{}",
        run.stderr
    );
    for value in ["sixty", "99", "carrier-pigeon", "blue", "ftp://"] {
        assert!(
            !run.stderr.contains(value),
            "{value} echoed: {}",
            run.stderr
        );
    }
    let mut json_args = vec!["--json"];
    json_args.extend(bad);
    let run = hearken(&db, &json_args);
    assert_eq!(run.code, 3);
    let err = json(&run.stderr);
    assert_eq!(err["kind"], "invalid_input");
    let fields: Vec<&str> = err["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"sync_hour") && fields.contains(&"channel"),
        "{fields:?}"
    );
    // A valid change beside a bad one is not saved either.
    let run = hearken(
        &db,
        &["settings", "set", "max_age_days=30", "max_attempts=0"],
    );
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("max_attempts"), "{}", run.stderr);
    assert_eq!(ok(&db, &["--json", "settings", "show"]), before);
}

/// D4: the settings by language (`sms_opt_out_confirmations`, `sms_help_texts`) are set
/// from the CLI as JSON objects; a value that is not one, or that the engine refuses, is
/// named by its setting, never echoed, and nothing is saved.
#[test]
fn d4_cli_sets_the_sms_texts_by_language_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_after_night1(dir.path());
    ok(
        &db,
        &[
            "settings",
            "set",
            r#"sms_opt_out_confirmations={"fr":"C'est noté."}"#,
            r#"sms_help_texts={"fr":"Aide"}"#,
        ],
    );
    let doc = json(&ok(&db, &["--json", "settings", "show"]));
    assert_eq!(
        doc["settings"]["sms_opt_out_confirmations"],
        serde_json::json!({"fr": "C'est noté."})
    );
    assert_eq!(doc["settings"]["sms_help_texts"]["fr"], "Aide");
    let run = hearken(
        &db,
        &[
            "settings",
            "set",
            "sms_opt_out_confirmations=SECRET",
            r#"sms_help_texts={"FR":"SECRET"}"#,
        ],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    for field in ["sms_opt_out_confirmations", "sms_help_texts"] {
        assert!(run.stderr.contains(field), "{field}: {}", run.stderr);
    }
    assert!(!run.stderr.contains("SECRET"), "{}", run.stderr);
    let s = Engine::open(&db).unwrap().settings().unwrap();
    assert_eq!(s.sms_opt_out_confirmations["fr"], "C'est noté.");
    assert_eq!(s.sms_help_texts["fr"], "Aide");
}

#[test]
fn cli_window_show_and_set() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_after_night1(dir.path());
    // Two nights later: 2026-11-21 is within the catch-up allowance, nothing older.
    let later = "--now=2026-11-22T21:30:00Z";
    let doc = json(&ok(&db, &[later, "--json", "window", "show"]));
    assert_eq!(doc[0]["location"], "paris");
    assert_eq!(doc[0]["last_synced"], "2026-11-20");
    assert_eq!(
        doc[0]["dates"],
        serde_json::json!(["2026-11-21", "2026-11-22"])
    );
    assert_eq!(doc[0]["next_sync_at"], "2026-11-22T22:00:00Z");
    let text = ok(&db, &[later, "window", "show", "--location", "paris"]);
    assert!(text.contains("2026-11-21, 2026-11-22"), "{text}");
    ok(
        &db,
        &["window", "set", "--sync-hour", "21", "--catch-up-days", "0"],
    );
    let doc = json(&ok(&db, &[later, "--json", "window", "show"]));
    assert_eq!(doc[0]["dates"], serde_json::json!(["2026-11-22"]));
    assert_eq!(doc[0]["missing"], serde_json::json!(["2026-11-21"]));
    assert_eq!(doc[0]["next_sync_at"], "2026-11-23T20:00:00Z");
    // Bad input: the setting is named, nothing changes.
    let run = hearken(&db, &["window", "set", "--sync-hour", "24"]);
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("sync_hour"), "{}", run.stderr);
    assert_eq!(Engine::open(&db).unwrap().settings().unwrap().sync_hour, 21);
    assert_eq!(hearken(&db, &["window", "set"]).code, 2, "nothing to set");
    assert_eq!(
        hearken(&db, &[later, "window", "show", "--location", "lyon"]).code,
        4
    );
}

#[test]
fn cli_outbox_drain_to_a_folder_ack_and_fail() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_after_night1(dir.path());
    let due = "--now=2026-11-21T09:30:00Z";
    // A folder that is not there: named, exit 4, and nothing was claimed.
    let missing = dir.path().join("no such folder");
    let run = hearken(
        &db,
        &[due, "outbox", "claim", "--out", missing.to_str().unwrap()],
    );
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains("no such folder"), "{}", run.stderr);
    let counts = json(&ok(&db, &["--json", "outbox", "list"]));
    assert_eq!(counts["counts"]["in_flight"], 0);

    let drop = dir.path().join("outgoing");
    std::fs::create_dir(&drop).unwrap();
    let doc = json(&ok(
        &db,
        &[
            due,
            "--json",
            "outbox",
            "claim",
            "--out",
            drop.to_str().unwrap(),
        ],
    ));
    assert_eq!(doc["claimed"], 3, "c1, c4 and c5 of night 1");
    let mut ids = Vec::new();
    for f in doc["files"].as_array().unwrap() {
        let m = json(&std::fs::read_to_string(f.as_str().unwrap()).unwrap());
        assert_eq!(m["kind"], "survey_invitation");
        assert!(m["body"].as_str().unwrap().contains("/s/"), "{m}");
        assert!(
            f.as_str()
                .unwrap()
                .ends_with(&format!("{}.json", m["message_id"].as_str().unwrap()))
        );
        ids.push(m["message_id"].as_str().unwrap().to_owned());
    }
    let names: Vec<_> = std::fs::read_dir(&drop)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 3, "no temporary left: {names:?}");
    // Nothing more is due: claiming again on stdout gives nothing.
    assert_eq!(ok(&db, &[due, "outbox", "claim"]), "nothing due\n");
    assert_eq!(
        json(&ok(&db, &[due, "--json", "outbox", "claim"])),
        serde_json::json!([])
    );

    let out = ok(&db, &[due, "outbox", "ack", &ids[0]]);
    assert!(out.contains("1 message acknowledged"), "{out}");
    let doc = json(&ok(
        &db,
        &[
            due,
            "--json",
            "outbox",
            "fail",
            &ids[1],
            "--reason",
            "mailbox full",
        ],
    ));
    assert_eq!(doc["outcome"], "retry");
    let retry_at = doc["retry_at"].as_str().unwrap().to_owned();
    // Once due again it can be claimed on stdout, then failed for good.
    let again = format!("--now={retry_at}");
    let out = ok(&db, &[&again, "outbox", "claim"]);
    assert!(out.contains(&format!("message {}", ids[1])), "{out}");
    let doc = json(&ok(
        &db,
        &[
            &again,
            "--json",
            "outbox",
            "fail",
            &ids[1],
            "--reason",
            "no such user",
            "--permanent",
        ],
    ));
    assert_eq!(doc["outcome"], "failed");
    let counts = json(&ok(&db, &["--json", "outbox", "list"]))["counts"].clone();
    assert_eq!(
        (counts["acked"].as_u64(), counts["failed"].as_u64()),
        (Some(1), Some(1))
    );

    // Bad input: typed, the field named, the value never echoed, nothing changed.
    let run = hearken(&db, &[due, "outbox", "ack", &ids[0], "x\u{1b}[2J<id>"]);
    assert_eq!(run.code, 3);
    assert!(
        run.stderr.contains("message_id") && !run.stderr.contains("<id>"),
        "{}",
        run.stderr
    );
    let run = hearken(
        &db,
        &[
            due,
            "--json",
            "outbox",
            "fail",
            "01ffffffffffffffffffffffffffffff",
            "--reason",
            "x",
        ],
    );
    assert_eq!(run.code, 4);
    assert_eq!(json(&run.stderr)["kind"], "not_found");
    let run = hearken(&db, &[due, "outbox", "fail", &ids[0], "--reason", "  "]);
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("reason"), "{}", run.stderr);
    let after = json(&ok(&db, &["--json", "outbox", "list"]))["counts"].clone();
    assert_eq!(after, counts);
    // A file where the folder should be.
    let run = hearken(
        &db,
        &[due, "outbox", "claim", "--out", db.to_str().unwrap()],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("store.db"), "{}", run.stderr);

    // T8 per id: several ids are acked in one call (Engine::ack_many); an unknown one is
    // reported (exit 4) and does not stop the others; one acked before is fine.
    let unknown = "01ffffffffffffffffffffffffffffff";
    let run = hearken(
        &db,
        &[due, "--json", "outbox", "ack", &ids[2], &ids[0], unknown],
    );
    assert_eq!(run.code, 4, "{}", run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["acked"], serde_json::json!([ids[2], ids[0]]));
    let statuses: Vec<&str> = doc["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["acked", "already_acked", "not_found"]);
    assert_eq!(json(&run.stderr)["kind"], "not_found");
    let counts = json(&ok(&db, &["--json", "outbox", "list"]))["counts"].clone();
    assert_eq!(
        (counts["acked"].as_u64(), counts["in_flight"].as_u64()),
        (Some(2), Some(0))
    );
    let out = ok(&db, &[due, "outbox", "ack", &ids[2], &ids[0]]);
    assert_eq!(out, "2 messages acknowledged as delivered\n");
}

#[test]
fn cli_usage_errors_are_json_with_json_and_never_repeat_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_after_night1(dir.path());
    for (args, error) in [
        (
            &["--json", "outbox", "claim", "--limit", "lots-of-them"][..],
            "value_validation",
        ),
        (&["--json", "frobnicate"], "invalid_subcommand"),
        (&["--json", "export", "csv"], "missing_required_argument"),
        (
            &["outbox", "list", "--json", "--colour"],
            "unknown_argument",
        ),
        (
            &["--json", "report", "nps", "--period", "someday-maybe"],
            "value_validation",
        ),
    ] {
        let run = hearken(&db, args);
        assert_eq!(run.code, 2, "{args:?}");
        assert_eq!(run.stdout, "");
        let err = json(&run.stderr);
        assert_eq!(err["kind"], "usage", "{args:?}");
        assert_eq!(err["error"], error, "{args:?}");
        assert_eq!(err["problems"], serde_json::json!([]));
        for value in ["lots-of-them", "frobnicate", "someday-maybe"] {
            assert!(!run.stderr.contains(value), "{value}: {}", run.stderr);
        }
    }
    let run = hearken(&db, &["--json", "outbox", "claim", "--limit", "x"]);
    assert_eq!(json(&run.stderr)["argument"], "--limit <N>");
    // Without --json, clap's own words; help still exits 0 with --json.
    let run = hearken(&db, &["frobnicate"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error:"), "{}", run.stderr);
    assert!(ok(&db, &["--json", "--help"]).contains("Usage:"));
}

#[test]
fn cli_file_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_after_night1(dir.path());
    let nowhere = dir.path().join("gone").join("feedback.csv");
    for args in [
        vec!["export", "csv", "--out", nowhere.to_str().unwrap()],
        vec!["backup", "--out", nowhere.to_str().unwrap()],
    ] {
        let run = hearken(&db, &args);
        assert_eq!(run.code, 4, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(nowhere.to_str().unwrap()),
            "{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains(".hearken-"),
            "no temporary name: {}",
            run.stderr
        );
    }
    let folder = dir.path().join("a folder");
    std::fs::create_dir(&folder).unwrap();
    for args in [
        vec!["sync", folder.to_str().unwrap()],
        vec!["backfill", folder.to_str().unwrap()],
    ] {
        let run = hearken(&db, &args);
        assert_ne!(run.code, 0);
        assert!(run.stderr.contains("a folder"), "{args:?}: {}", run.stderr);
    }
    assert!(
        hearken(&folder, &["locations", "list"])
            .stderr
            .contains("a folder")
    );
    let junk = dir.path().join("notes.db");
    std::fs::write(&junk, "not a database, just notes").unwrap();
    let run = hearken(&junk, &["--json", "locations", "list"]);
    assert_eq!(run.code, 1);
    let err = json(&run.stderr);
    assert!(
        err["message"].as_str().unwrap().contains("notes.db"),
        "{err}"
    );
}

#[test]
fn cli_help_has_no_stale_lines_and_no_pointers_into_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let mut pages = vec![ok(&db, &["--help"])];
    for cmd in [
        "sync",
        "backfill",
        "explain",
        "unsubscribe",
        "report",
        "export",
        "outbox",
        "locations",
        "settings",
        "window",
        "check",
        "backup",
        "convert-journal",
    ] {
        pages.push(ok(&db, &[cmd, "--help"]));
    }
    for sub in [
        ["outbox", "list"],
        ["outbox", "claim"],
        ["outbox", "ack"],
        ["outbox", "fail"],
        ["settings", "show"],
        ["settings", "set"],
        ["window", "show"],
        ["window", "set"],
        ["locations", "add"],
        ["locations", "list"],
    ] {
        pages.push(ok(&db, &[sub[0], sub[1], "--help"]));
    }
    for page in &pages {
        for stale in [
            "not available yet",
            "docs/",
            "src/",
            "tests/",
            ".md",
            "TODO",
        ] {
            assert!(!page.contains(stale), "{stale}: {page}");
        }
    }
    let top = &pages[0];
    for cmd in ["settings", "window", "outbox"] {
        assert!(top.contains(cmd), "{cmd}: {top}");
    }
}

/// On Windows (the Wine run of `cargo test`): a store at a path with a drive letter and
/// backslashes, as a POS configuration names it. Elsewhere the path handling is the unit
/// test `a_windows_path_is_named_as_given_in_text_and_json` of the binary.
#[cfg(windows)]
#[test]
fn cli_windows_drive_letter_and_backslash_paths() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_str().unwrap().replace('/', "\\");
    assert!(base.as_bytes()[1] == b':', "a drive letter: {base}");
    std::fs::create_dir(format!(r"{base}\POS")).unwrap();
    let db = PathBuf::from(format!(r"{base}\POS\hearken.db"));
    ok(
        &db,
        &[
            "locations",
            "add",
            "paris",
            "Paris",
            "Romance Standard Time",
        ],
    );
    assert!(ok(&db, &["locations", "list"]).contains("Europe/Paris"));
    let csv = format!(r"{base}\POS\feedback.csv");
    ok(&db, &["export", "csv", "--out", &csv]);
    assert!(Path::new(&csv).is_file());
    let missing = PathBuf::from(format!(r"{base}\NOPE\hearken.db"));
    let run = hearken(&missing, &["--json", "locations", "list"]);
    assert_eq!(run.code, 4);
    assert!(
        json(&run.stderr)["message"]
            .as_str()
            .unwrap()
            .contains(&format!(r"{base}\NOPE\hearken.db"))
    );
}

/// `outbox run-due` queues the week-old promoter's review reminder (R1) without claiming
/// it; a second run queues nothing more, and the next claim hands it over.
#[test]
fn r1_cli_outbox_run_due_queues_the_reminder_without_claiming() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_after_night1(dir.path());
    {
        // R1 reminds a promoter to leave a review: the location needs a review link.
        let e = Engine::open(&db).unwrap();
        let mut paris = e.location("paris").unwrap();
        paris.review_link = Some("https://g.page/r/paris/review".into());
        e.upsert_location(&paris).unwrap();
    }
    answers_arrive(&db);
    let week = "--now=2026-11-28T09:00:00Z";
    let due = json(&ok(&db, &[week, "--json", "outbox", "run-due"]));
    assert_eq!(due["reminders"], 1, "{due}");
    assert_eq!(due["escalations"], 0, "{due}");
    let again = ok(&db, &[week, "outbox", "run-due"]);
    assert_eq!(again.trim(), "queued 0 reminders and 0 escalations");
    let counts = json(&ok(&db, &["--json", "outbox", "list"]));
    assert_eq!(counts["counts"]["in_flight"], 0, "run-due claims nothing");
    let claimed = json(&ok(&db, &[week, "--json", "outbox", "claim"]));
    let kinds: Vec<&str> = claimed
        .as_array()
        .or_else(|| claimed["messages"].as_array())
        .unwrap_or_else(|| panic!("{claimed}"))
        .iter()
        .filter_map(|m| m["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"review_reminder"), "{kinds:?}");
}

#[test]
fn m2_m3_m4_cli_pages_render_writes_every_page_in_every_language() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    ok(
        &db,
        &[
            "locations",
            "add",
            "seoul",
            "서울점 <b>\"1\"</b>",
            "Asia/Seoul",
        ],
    );
    let out = dir.path().join("pages");
    let text = ok(
        &db,
        &[
            "pages",
            "render",
            "--location",
            "seoul",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(text.starts_with("wrote 31 pages for seoul into "), "{text}");
    for lang in ["en", "fr", "ko"] {
        for page in [
            "email-invitation",
            "email-reminder",
            "email-review-reminder",
            "email-follow-up",
            "survey",
            "survey-after-click",
            "thank-you",
            "thank-you-review",
            "expired",
            "unsubscribed",
        ] {
            let html = std::fs::read_to_string(out.join(lang).join(format!("{page}.html")))
                .unwrap_or_else(|e| panic!("{lang}/{page}: {e}"));
            assert!(
                html.contains(&format!("<html lang=\"{lang}\"")),
                "{lang}/{page}"
            );
            assert!(!html.contains("<b>\"1\""), "M4: {lang}/{page}");
            assert!(!html.contains("을(를)"), "M3: {lang}/{page}");
        }
    }
    let ko = std::fs::read_to_string(out.join("ko/email-invitation.html")).unwrap();
    assert!(
        ko.contains("서울점 &lt;b&gt;&quot;1&quot;&lt;/b&gt;를 이용해"),
        "{ko}"
    );
    assert_eq!(ko.matches("?score=").count(), 11);
    let doc = json(&ok(
        &db,
        &[
            "--json",
            "pages",
            "render",
            "--location",
            "seoul",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    assert_eq!(doc["files"].as_array().unwrap().len(), 31);
    let missing = hearken(
        &db,
        &["pages", "render", "--location", "nope", "--out", "x"],
    );
    assert_eq!(missing.code, 4);
}

#[test]
fn p4_p5_cli_policy_sets_a_location_cap_and_a_calendar_and_explain_names_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    ok(
        &db,
        &[
            "locations",
            "add",
            "paris",
            "Boutique Paris",
            "Europe/Paris",
        ],
    );
    let shown = ok(&db, &["policy", "location", "paris", "--daily-cap", "1"]);
    assert!(shown.contains("1 (location)"), "{shown}");
    ok(
        &db,
        &[
            "policy",
            "calendar",
            "--send-weekdays",
            "mon,tue,wed,thu,fri",
            "--closed-dates",
            "2026-11-23",
        ],
    );
    let bad = hearken(
        &db,
        &["--json", "policy", "calendar", "--send-weekdays", ""],
    );
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    assert!(
        bad.stderr.contains(r#""field":"send_weekdays""#),
        "{}",
        bad.stderr
    );
    let report = json(&ok(
        &db,
        &[
            NOW,
            "--json",
            "sync",
            golden("night1.batch.json").to_str().unwrap(),
        ],
    ));
    // The later of c1's and c5's sales keeps the one slot of the date (P4) …
    let invited = report["invitations"].as_array().unwrap();
    assert_eq!(invited.len(), 1, "{report}");
    assert_eq!(invited[0]["customer"], "c5");
    // … due on Tuesday: Saturday and Sunday are not send days, Monday is closed (P5).
    assert_eq!(invited[0]["due_at"], "2026-11-24T09:00:00Z");
    let x = ok(&db, &[NOW, "explain", "c1"]);
    assert!(x.contains("[daily_cap]"), "{x}");
    // The store-wide values are settings.
    ok(&db, &["settings", "set", "min_gap_days=14", "delay_days=2"]);
    let p = json(&ok(&db, &["--json", "settings", "show"]));
    assert_eq!(p["contact_policy"]["min_gap_days"], 14, "{p}");
    assert_eq!(p["contact_policy"]["sample_salt_set"], true, "{p}");
}

/// E8, T12: a backfill file (the golden night, with employees, then a refund) imported
/// twice through the CLI: the second import reports nothing created or updated, and the
/// store's rows are as the first import left them.
#[test]
fn t12_cli_a_backfill_file_imported_twice_reports_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    two_locations(&db);
    let night = json(&std::fs::read_to_string(golden("night1.batch.json")).unwrap());
    let refund = serde_json::json!({
        "format": 1, "location": "paris", "business_dates": ["2026-11-20"],
        "transactions": [{"id": "r1", "kind": "refund", "refers_to": "t2", "amount_minor": -4500,
                          "currency": "EUR", "finalized_at": "2026-11-20T18:00:00+01:00"}]
    });
    let file = dir.path().join("backfill.jsonl");
    std::fs::write(&file, format!("{night}\n{refund}\n")).unwrap();
    let file = file.to_str().unwrap();
    let first = json(&ok(&db, &[NOW, "backfill", file, "--json"]));
    assert!(
        first["batches"][0]["transactions_created"]
            .as_u64()
            .unwrap()
            > 0
    );
    let before = Engine::open(&db).unwrap().dump_rows(&[]).unwrap();
    let later = "--now=2026-11-20T23:00:00Z";
    let again = json(&ok(&db, &[later, "backfill", file, "--json"]));
    let counts = [
        "customers_created",
        "customers_updated",
        "employees_upserted",
        "transactions_created",
        "transactions_updated",
    ];
    for (line, b) in again["batches"].as_array().unwrap().iter().enumerate() {
        for count in counts {
            assert_eq!(b[count], 0, "line {}: {count}", line + 1);
        }
        assert_eq!(b["invitations"], serde_json::json!([]), "line {}", line + 1);
        assert!(b.get("cancelled_by_refund").is_none(), "line {}", line + 1);
    }
    assert_eq!(Engine::open(&db).unwrap().dump_rows(&[]).unwrap(), before);
}

/// `sync --counts-only`: the full report's counts, with the lists empty, in JSON and text.
#[test]
fn cli_sync_counts_only_reports_the_full_reports_counts_with_empty_lists() {
    let dir = tempfile::tempdir().unwrap();
    let night = golden("night1.batch.json");
    let mut reports = Vec::new();
    for (name, extra) in [("full.db", None), ("counts.db", Some("--counts-only"))] {
        let db = dir.path().join(name);
        ok(
            &db,
            &[
                "locations",
                "add",
                "paris",
                "Boutique Paris",
                "Europe/Paris",
            ],
        );
        let mut args = vec![NOW, "--json", "sync", night.to_str().unwrap()];
        args.extend(extra);
        let report = json(&ok(&db, &args));
        reports.push((db, report));
    }
    let (full, counted) = (&reports[0].1, &reports[1].1);
    let len = |v: &serde_json::Value, key: &str| v[key].as_array().map_or(0, Vec::len);
    assert!(len(full, "invitations") > 0 && len(full, "skipped") > 0);
    assert!(full.get("counts").is_none(), "a full report has no counts");
    assert_eq!(counted["counts"]["invitations"], len(full, "invitations"));
    assert_eq!(counted["counts"]["skipped"], len(full, "skipped"));
    assert_eq!(counted["counts"]["relationship_invitations"], 0);
    assert_eq!(counted["counts"]["cancelled_by_refund"], 0);
    assert_eq!(len(counted, "invitations"), 0);
    assert_eq!(len(counted, "skipped"), 0);
    for key in ["customers_created", "transactions_created", "business_date"] {
        assert_eq!(counted[key], full[key], "{key}");
    }
    // The text form prints the counts without the tables (a re-run: counts of the E8
    // repeats, the same as the full text's).
    let db = &reports[1].0;
    let args = [NOW, "sync", night.to_str().unwrap()];
    let text_full = ok(db, &args);
    let text = ok(db, &[NOW, "sync", "--counts-only", night.to_str().unwrap()]);
    let skipped = format!(
        "{} skipped",
        len(full, "invitations") + len(full, "skipped")
    );
    assert!(
        text.contains("0 invitations") && text.contains(&skipped),
        "{text}"
    );
    assert!(text_full.contains(&skipped), "{text_full}");
    assert!(
        !text.contains("reason"),
        "no table in counts-only text: {text}"
    );
}

/// D6, D7 through the CLI: `customer show|cancel|export|erase`.
#[test]
fn d7_d6_cli_customer_show_cancel_export_and_erase_by_contact() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_after_night1(dir.path());
    let at = "--now=2026-11-21T08:00:00Z";
    let shown = ok(&db, &[at, "customer", "show", "c1"]);
    assert!(
        shown.contains("last invited: 2026-11-20 (transactional, pending"),
        "{shown}"
    );
    assert!(shown.contains("eligible from 2027-02-20"), "{shown}");
    let state = json(&ok(&db, &[at, "--json", "customer", "show", "c1"]));
    assert_eq!(state["pending"].as_array().unwrap().len(), 1);
    let cancelled = json(&ok(&db, &[at, "--json", "customer", "cancel", "c1"]));
    assert_eq!(cancelled["cancelled"], 1);
    let shown = ok(&db, &[at, "customer", "show", "c1"]);
    assert!(shown.contains("pending messages: none"), "{shown}");
    let export = json(&ok(&db, &[at, "customer", "export", "c1"]));
    assert_eq!(export["customer"], "c1");
    assert_eq!(export["tables"]["transactions"][0]["host_id"], "t1");
    let contact = json(&ok(
        &db,
        &[at, "customer", "export", "--contact", "amelie@example.fr"],
    ));
    assert_eq!(contact["customers"], serde_json::json!(["c1"]));
    let erased = json(&ok(
        &db,
        &[
            at,
            "--json",
            "customer",
            "erase",
            "--contact",
            "amelie@example.fr",
        ],
    ));
    assert_eq!(erased["customers"][0]["customer"], "c1");
    assert_eq!(hearken(&db, &[at, "customer", "show", "nobody"]).code, 4);
    assert_eq!(
        hearken(&db, &[at, "customer", "export", "--contact", "x"]).code,
        3
    );
    assert_eq!(hearken(&db, &[at, "customer", "erase"]).code, 2);
}

/// D1: `hearken events` prints the feed after a cursor, `--json` the page every door
/// gives; a bad cursor is exit 3 naming `after_cursor`, never echoed.
#[test]
fn d1_cli_events_reads_the_feed_with_a_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    ok(
        &db,
        &[
            "locations",
            "add",
            "paris",
            "Boutique Paris",
            "Europe/Paris",
        ],
    );
    ok(
        &db,
        &[
            "unsubscribe",
            "dana@example.com",
            "--now=2026-11-19T12:00:00Z",
        ],
    );
    let batch = golden("night1.batch.json").to_string_lossy().into_owned();
    ok(&db, &["sync", &batch, "--now=2026-11-20T22:00:00Z"]);
    let text = ok(&db, &["events"]);
    assert!(text.contains("contact.unsubscribed.v1"), "{text}");
    assert!(text.contains("invitation.created.v1"), "{text}");
    assert!(text.contains("next cursor: "), "{text}");
    let page: serde_json::Value =
        serde_json::from_str(&ok(&db, &["events", "--limit", "1", "--json"])).unwrap();
    assert_eq!(page["outcome"], "events");
    assert_eq!(page["events"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let rest: serde_json::Value =
        serde_json::from_str(&ok(&db, &["events", "--after", &cursor, "--json"])).unwrap();
    // The unsubscribe's consent change (D5) comes next, then the night's invitations.
    assert_eq!(rest["events"][0]["type"], "consent.changed.v1");
    assert_eq!(rest["events"][1]["type"], "invitation.created.v1");
    let run = hearken(&db, &["events", "--after", "secret@example.com"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("after_cursor"), "{}", run.stderr);
    assert!(!run.stderr.contains("secret"), "{}", run.stderr);
    let run = hearken(&db, &["events", "--limit", "0"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("limit"), "{}", run.stderr);
}

/// `outbox bounce ID --hard|--soft|--complaint` (D3): a hard bounce after the ack bounces
/// the invitation, a repeat changes nothing, a complaint unsubscribes, and a call without
/// exactly one kind is refused naming `feedback`.
#[test]
fn d3_cli_outbox_bounce_records_delivery_feedback() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_after_night1(dir.path());
    let due = "--now=2026-11-21T09:00:00Z";
    let claimed = json(&ok(&db, &[due, "--json", "outbox", "claim"]));
    let ids: Vec<String> = claimed
        .as_array()
        .unwrap_or_else(|| panic!("{claimed}"))
        .iter()
        .map(|m| m["message_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.len() >= 2, "{claimed}");
    ok(&db, &[due, "outbox", "ack", &ids[0]]);
    let out = json(&ok(
        &db,
        &[due, "--json", "outbox", "bounce", &ids[0], "--hard"],
    ));
    assert_eq!(out["invitation_status"], "bounced", "{out}");
    assert_eq!(out["changed"], true, "{out}");
    let again = ok(&db, &[due, "outbox", "bounce", &ids[0], "--hard"]);
    assert!(again.contains("nothing more changed"), "{again}");
    let out = ok(&db, &[due, "outbox", "bounce", &ids[1], "--complaint"]);
    assert!(out.contains("unsubscribed"), "{out}");
    let run = hearken(&db, &[due, "outbox", "bounce", &ids[1]]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("feedback"), "{}", run.stderr);
    let run = hearken(&db, &[due, "outbox", "bounce", &ids[1], "--hard", "--soft"]);
    assert_ne!(run.code, 0);
}

/// D2 through the CLI: a subscription's secret is printed once (add, rotate), never by
/// list; a ping is queued; removing twice is not found (exit 4); plain http to a public
/// host is invalid input (exit 3) naming `url`.
#[test]
fn d2_webhooks_add_list_rotate_ping_remove() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.db");
    ok(
        &db,
        &[
            NOW,
            "locations",
            "add",
            "paris",
            "Boutique Paris",
            "Europe/Paris",
        ],
    );
    let added = ok(
        &db,
        &[
            NOW,
            "webhooks",
            "add",
            "https://crm.example/h",
            "--event",
            "response.created.v1",
        ],
    );
    assert!(
        added.contains("secret (shown once; keep it): whsec_"),
        "{added}"
    );
    let list = ok(&db, &[NOW, "--json", "webhooks", "list"]);
    assert!(
        list.contains("\"url\"") && !list.contains("whsec_"),
        "{list}"
    );
    let rotated = ok(&db, &[NOW, "webhooks", "rotate", "1", "--grace-hours", "2"]);
    assert!(
        rotated.contains("previous secret signs too until"),
        "{rotated}"
    );
    assert!(ok(&db, &[NOW, "webhooks", "ping", "1"]).contains("queued test delivery"));
    ok(&db, &[NOW, "webhooks", "remove", "1"]);
    assert_eq!(hearken(&db, &[NOW, "webhooks", "remove", "1"]).code, 4);
    let bad = hearken(
        &db,
        &[
            NOW,
            "webhooks",
            "add",
            "http://crm.example/h",
            "--event",
            "response.created.v1",
        ],
    );
    assert_eq!(bad.code, 3);
    assert!(
        bad.stderr.contains("url") && !bad.stderr.contains("crm.example"),
        "{}",
        bad.stderr
    );
}
