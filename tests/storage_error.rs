//! The backend-neutral storage error (issue 26): what a host sees when the store fails
//! names no backend type, keeps today's kinds and codes, and says whether a retry may
//! succeed.
// A second process holds the file's write lock (POSIX locks are per process).
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{at, day, sale};
use hearken::{Engine, EngineOptions, Error, ErrorKind, Location, StorageFailure, SyncBatch};

#[test]
fn t8_a_store_busy_past_the_wait_is_a_retryable_storage_error_and_the_retry_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    let options = EngineOptions {
        busy_timeout: Duration::from_millis(200),
        ..EngineOptions::default()
    };
    let e = Engine::open_with(&path, &options).unwrap();
    e.upsert_location(&Location::new("paris", "Paris", "Europe/Paris"))
        .unwrap();
    let mut holder = Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys, time\n\
             c = sqlite3.connect(sys.argv[1], isolation_level=None)\n\
             c.execute('BEGIN IMMEDIATE')\n\
             print('held', flush=True)\n\
             sys.stdin.read()\n",
        ])
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    BufReader::new(holder.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "held");

    let mut batch = SyncBatch::new("paris", day("2026-03-02"));
    batch
        .transactions
        .push(sale("t1", None, Some("2026-03-02T12:00:00+01:00")));
    let now = at("2026-03-02T22:00:00Z");
    let err = e.sync(&batch, now).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    match &err {
        Error::Storage(s) => {
            assert_eq!(s.failure(), StorageFailure::Busy, "{err}");
            assert!(s.is_retryable(), "{err}");
        }
        other => panic!("not a storage error: {other:?}"),
    }
    assert!(err.to_string().starts_with("storage: "), "{err}");
    assert!(err.to_json().contains(r#""kind":"storage""#));

    drop(holder.stdin.take());
    holder.wait().unwrap();
    let report = e
        .sync(&batch, now)
        .expect("the retry succeeds once the lock is gone");
    assert_eq!(report.transactions_created, 1);
}

#[test]
fn the_unsupported_kind_keeps_its_name_and_code() {
    let err = Error::Unsupported("this store has no file to back up");
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert_eq!(err.kind() as u32, 11);
    assert_eq!(err.kind().as_str(), "unsupported");
    assert!(
        err.to_json().starts_with(r#"{"kind":"unsupported""#),
        "{}",
        err.to_json()
    );
}
