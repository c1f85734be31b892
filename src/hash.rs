//! The hash maps and sets of the sync's hot paths: std's `HashMap` and `HashSet` with
//! foldhash's fast hasher instead of SipHash-1-3.
//!
//! A big sync (100k sales, 50k customers) looks each sale's customer, refund and history
//! up in maps keyed by host ids and row ids several times over; SipHash was ~2.4 % of its
//! instructions. foldhash (hashbrown's own default, already built as a dependency of
//! rusqlite) is seeded per process, so the order of a map still differs between runs and
//! nothing may depend on it; it is not meant to resist an attacker choosing keys to
//! collide, and the keys here are the host's own ids and row ids, not input from the
//! internet.

/// A `HashMap` with foldhash's fast hasher: build it with `default()`, `collect()` or
/// `with_capacity_and_hasher(n, Default::default())`.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A `HashSet` with foldhash's fast hasher.
pub(crate) type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
