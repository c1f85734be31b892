#!/usr/bin/env bash
# Longer checks, kept out of the main test command (scripts/test.sh) so CI stays fast:
#   - benches: sync vs raw SQLite (1M-customer template, 100k transactions), the same sync
#     through the C ABI vs the Rust call, outbox claim+ack vs raw SQL; each prints its ratio
#   - the property tests with many more cases
#   - the C tests under valgrind are already in scripts/test.sh
# Usage: scripts/longer-checks.sh [--quick]   (--quick: small bench sizes, a smoke run)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--quick" ]; then export HEARKEN_BENCH_QUICK=1; fi

echo "== benches (release)"
cargo bench --bench sync
cargo bench --bench ffi
cargo bench --bench outbox

echo "== property tests, 1024 cases each"
PROPTEST_CASES=1024 cargo test --release --test properties
