//! `Engine::backfill_reader` on arbitrary bytes (meant as JSON lines of batches) into a
//! fresh in-memory store with Paris and Seoul, at 23:00 Paris on 2026-11-20. It must return
//! Ok or an error typed as the input's fault, never panic; progress must count up to the
//! number of batches reported.
#![no_main]

use hearken_fuzz::{Reuse, engine, input_error, night};
use libfuzzer_sys::fuzz_target;

thread_local!(static STORE: Reuse<hearken::Engine> = const { Reuse::new() });

fuzz_target!(|data: &[u8]| {
    let e = STORE.with(|s| s.take(engine));
    let mut seen = Vec::new();
    match e.backfill_reader(data, night(), |p| seen.push((p.done, p.total))) {
        Ok(report) => {
            let n = report.batches.len() as u64;
            let expected: Vec<(u64, u64)> = (1..=n).map(|i| (i, n)).collect();
            assert_eq!(seen, expected, "progress calls");
            let _ = hearken::wire::to_json(&report);
        }
        Err(err) => {
            input_error(&err, "backfill_reader");
            // Batches before the rejected one stay applied: progress never overshoots.
            assert!(seen.iter().all(|&(done, total)| done <= total));
            if seen.is_empty() {
                // Rejected before any batch was committed: the store is unchanged.
                STORE.with(|s| s.give_back(e));
            }
        }
    }
});
