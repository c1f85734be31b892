//! `wire::parse_batch` on arbitrary text; a batch that parses is synced into a fresh
//! in-memory store (Paris and Seoul, at 23:00 Paris on 2026-11-20). Parse and sync must
//! return Ok or an error typed as the input's fault, never panic; an accepted batch,
//! re-run, must create nothing (E8).
#![no_main]

use hearken_fuzz::{Reuse, engine, input_error, night, resync_creates_nothing};
use libfuzzer_sys::fuzz_target;

thread_local!(static STORE: Reuse<hearken::Engine> = const { Reuse::new() });

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let batch = match hearken::wire::parse_batch(text) {
        Ok(b) => b,
        Err(e) => return input_error(&e, "parse_batch"),
    };
    let e = STORE.with(|s| s.take(engine));
    match e.sync(&batch, night()) {
        Ok(report) => resync_creates_nothing(&e, &batch, night(), &report),
        Err(err) => {
            input_error(&err, "sync");
            STORE.with(|s| s.give_back(e));
        }
    }
});
