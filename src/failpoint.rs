//! Named pause points inside write transactions, for the crash tests.
//!
//! Compiled only with the cargo feature `failpoints` (off by default; tests/crash.rs
//! needs it): without it `hit` is empty and `HEARKEN_FAILPOINT` is never read, so no
//! release build, C or uniffi library can be made to stop by an environment variable.
//! With it, a point is off unless the process was started with `HEARKEN_FAILPOINT=name`
//! (or `name@N` for the N-th time the point is reached). At that point the process writes
//! `hearken-failpoint <name> <N>` on stderr and waits, so a test can SIGKILL it there,
//! inside the open transaction. Costs one atomic load when off.

#[cfg(feature = "failpoints")]
use std::io::Write;
#[cfg(feature = "failpoints")]
use std::sync::OnceLock;
#[cfg(feature = "failpoints")]
use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(feature = "failpoints")]
use std::time::Duration;

/// Every failpoint name, in the order a sync then a drain reaches them. One more point is
/// outside the sync and drain (tests/files.rs kills a backup there): `backup.before_rename`,
/// the complete copy still under its temporary name (T4).
pub const NAMES: &[&str] = &[
    "sync.after_customers",
    "sync.after_transactions",
    "sync.after_decisions",
    "sync.before_commit",
    "claim.after_reminders",
    "claim.after_first_message",
    "claim.before_commit",
    "ack.before_commit",
];

#[cfg(feature = "failpoints")]
fn armed() -> Option<&'static (String, u64)> {
    static ARMED: OnceLock<Option<(String, u64)>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            let spec = std::env::var("HEARKEN_FAILPOINT").ok()?;
            let (name, nth) = match spec.split_once('@') {
                Some((n, k)) => (n.to_owned(), k.parse().ok()?),
                None => (spec, 1),
            };
            Some((name, nth))
        })
        .as_ref()
}

/// Pauses the process here forever if this failpoint is armed and due.
#[cfg(feature = "failpoints")]
pub(crate) fn hit(name: &str) {
    static HITS: AtomicU64 = AtomicU64::new(0);
    let Some((armed, nth)) = armed() else {
        return;
    };
    if armed != name {
        return;
    }
    let n = HITS.fetch_add(1, Ordering::SeqCst) + 1;
    if n != *nth {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "hearken-failpoint {name} {n}");
    let _ = err.flush();
    drop(err);
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// Does nothing: failpoints are compiled only with the `failpoints` feature.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub(crate) fn hit(_name: &str) {}
