#!/usr/bin/env bash
# Longer checks, kept out of the main test command (scripts/test.sh) so CI stays fast:
#   - benches: sync vs raw SQLite (1M-customer template, 100k transactions), the same sync
#     through the C ABI vs the Rust call, outbox claim+ack vs raw SQL; each prints its ratio
#   - the hosted-mode bench (issue 27 item 9): 1,000 stores (100 with --quick) synced by 4
#     worker processes on PostgreSQL (a throw-away cluster, fsync turned on for the run)
#     beside 1,000 SQLite files, then the big sync on both (docs/benchmarks.md, "Hosted
#     mode: 1,000 stores")
#   - the property tests with many more cases
#   - the C tests under valgrind are already in scripts/test.sh
#   - fuzzing (docs/fuzzing.md): every cargo-fuzz target in fuzz/ (instants_and_echo: the
#     extremes of every instant parameter, duplicate keys and echoed values, T3/T6) for
#     ${HEARKEN_FUZZ_SECONDS:-60} seconds each (10 with --quick), one at a time; a finding
#     fails the script and leaves its input in fuzz/artifacts/<target>/
#   - the renderer fuzz (M4): ${HEARKEN_MARKUP_CASES:-5000} random hostile names (500 with
#     --quick) through every built-in e-mail in en/fr/ko, host overrides set_template
#     accepts, the pages, and the engine's claim; html5lib (pip) tokenizes the plain and
#     the hostile rendering, which must have the same tags and attribute names
#     (examples/markup_fuzz.rs, scripts/markup-oracle.py)
#   - the crash soak: SIGKILL at every failpoint of an 8-night run plus 330 random-time
#     kills, each followed by integrity, no-loss and no-duplicate checks (tests/crash.rs)
#   - AddressSanitizer (nightly): the library's unit tests and the alert, response,
#     delivery and bad-input suites
# Usage: scripts/longer-checks.sh [--quick]   (--quick: small bench sizes, a smoke run)
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds="${HEARKEN_FUZZ_SECONDS:-60}"
markup_cases="${HEARKEN_MARKUP_CASES:-5000}"
if [ "${1:-}" = "--quick" ]; then
    export HEARKEN_BENCH_QUICK=1
    fuzz_seconds="${HEARKEN_FUZZ_SECONDS:-10}"
    markup_cases="${HEARKEN_MARKUP_CASES:-500}"
fi

echo "== benches (release)"
cargo bench --bench sync
cargo bench --bench ffi
cargo bench --bench outbox
cargo bench --bench analytics

echo "== hosted bench (release): PostgreSQL beside SQLite files"
(
    if [ -n "${HEARKEN_BENCH_QUICK:-}" ]; then
        export HEARKEN_BENCH_STORES="${HEARKEN_BENCH_STORES:-100}"
        export HEARKEN_BENCH_BIG_CUSTOMERS="${HEARKEN_BENCH_BIG_CUSTOMERS:-10000}"
        export HEARKEN_BENCH_BIG_SALES="${HEARKEN_BENCH_BIG_SALES:-1000}"
    fi
    scripts/pg-cluster.sh start
    trap 'scripts/pg-cluster.sh stop' EXIT
    eval "$(scripts/pg-cluster.sh env)"
    # The test cluster runs with fsync=off; durability settings mean nothing without it.
    runuser -u postgres -- psql -h "$HEARKEN_TEST_PG_DIR" -p "$HEARKEN_TEST_PG_PORT" \
        -d postgres -Atq -c "ALTER SYSTEM SET fsync = on" -c "SELECT pg_reload_conf()"
    cargo bench --features hosted --bench hosted
    HEARKEN_BENCH_BIG=1 cargo bench --features hosted --bench hosted
)

echo "== property tests: 1024 cases each (properties), 256 (rollups vs recount, repeats)"
PROPTEST_CASES=1024 cargo test --release --test properties
PROPTEST_CASES=256 cargo test --release --test analytics rollup_answers
PROPTEST_CASES=256 cargo test --release --test repeat

echo "== renderer fuzz (M4): ${markup_cases} hostile cases, html5lib oracle"
if ! python3 -c "import html5lib" >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check html5lib==1.1
fi
python3 scripts/markup-oracle.py --self-test
cargo build --release --example markup_fuzz
markup_seed="${HEARKEN_MARKUP_SEED:-$(date +%s)}"
echo "seed ${markup_seed} (HEARKEN_MARKUP_SEED=${markup_seed} repeats this run)"
markup_cases_file="$(mktemp)"
"${CARGO_TARGET_DIR:-target}/release/examples/markup_fuzz" "$markup_cases" "$markup_seed" \
    >"$markup_cases_file"
if ! python3 scripts/markup-oracle.py "$markup_cases_file"; then
    echo "renderer fuzz: the cases are kept in $markup_cases_file" >&2
    exit 1
fi
rm -f "$markup_cases_file"

echo "== crash soak (release)"
HEARKEN_CRASH_SOAK=1 cargo test --release --features failpoints --test crash -- --nocapture crash_soak

echo "== AddressSanitizer (nightly)"
RUSTFLAGS="-Zsanitizer=address" RUSTDOCFLAGS="-Zsanitizer=address" \
    cargo +nightly test --target x86_64-unknown-linux-gnu --target-dir target/asan \
    --lib --test alerts --test responses --test delivery --test bad_input

echo "== fuzz, ${fuzz_seconds} s per target"
# cargo-fuzz needs the nightly toolchain (installed with rustup on these machines).
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
# New inputs go to a scratch copy of the committed corpus, so a run leaves the repo as it
# was; minimise and commit interesting ones by hand (docs/fuzzing.md).
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(
    cd fuzz
    cargo +nightly fuzz build
    for target in $(cargo +nightly fuzz list); do
        echo "-- $target"
        mkdir -p "$scratch/$target"
        cp -R "corpus/$target/." "$scratch/$target/" 2>/dev/null || true
        # A crash, leak, timeout or out-of-memory exits non-zero: print it and fail.
        log="$scratch/$target.log"
        # A target with a dictionary (fuzz/<target>.dict) gets it: instants_and_echo's
        # holds the T3 range ends and the T6 duplicate-key, padded-date and echo tokens.
        dict=()
        if [ -f "$target.dict" ]; then dict=("-dict=$target.dict"); fi
        if ! cargo +nightly fuzz run "$target" "$scratch/$target" -- "${dict[@]}" \
            -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 >"$log" 2>&1; then
            tail -n 60 "$log"
            echo "fuzz: finding in $target (input saved under fuzz/artifacts/$target/)" >&2
            exit 1
        fi
        grep -E '^Done|stat::(number_of_executed_units|average_exec_per_sec)' "$log"
    done
)
