#!/usr/bin/env bash
# Runs every test of hearken: Rust (unit, integration, property, golden, header drift),
# C (gcc -Werror, both libraries, valgrind), the Python and Kotlin bindings (with the
# drift check of the generated sources and the Swift header check), the browser test of
# the pages (chromium, axe-core) and the examples.
#
# It installs what a fresh Debian machine lacks (apt-get update first, Debian packages,
# pip, npm), skipping whatever is already there. `.ci/run` calls exactly this script.
# Longer checks (benches, fuzzing, soak) live in scripts/longer-checks.sh.
#
#   scripts/test.sh               the Rust, C and bindings tests and the performance guard
#                                 (~13 min cold on 2 cores, plus ~1.5 min for the guard;
#                                 one debug test build, with the hosted feature, serves
#                                 every store)
#   scripts/test.sh --artifacts   the same, then scripts/package.sh (release artifacts into
#                                 target/dist/) and scripts/test-artifacts.sh, which checks
#                                 each artifact from an unpacked copy (see README "Get
#                                 hearken"); the first cold run also builds the pinned
#                                 packaging tools into target/tools
set -euo pipefail
artifacts=0
case "${1:-}" in
  "") ;;
  --artifacts) artifacts=1 ;;
  *) echo "usage: $0 [--artifacts]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
# A cold CI machine builds everything once: incremental state would only cost time.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }

step "install what is missing"
apt_missing=()
command -v gcc >/dev/null || apt_missing+=(gcc libc6-dev)
command -v g++ >/dev/null || apt_missing+=(g++)
command -v valgrind >/dev/null || apt_missing+=(valgrind)
command -v pkg-config >/dev/null || apt_missing+=(pkg-config)
command -v javac >/dev/null || apt_missing+=(default-jdk-headless)
[ -f /usr/share/java/jna.jar ] || apt_missing+=(libjna-java)
command -v npm >/dev/null || apt_missing+=(npm)
# The browser test (tests/browser/run.sh) drives Debian's chromium; Korean needs a CJK font.
command -v chromium >/dev/null || apt_missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || apt_missing+=(fonts-noto-cjk)
# LibreOffice reads the exported .xlsx back (tests/export.rs); the test skips without it.
command -v soffice >/dev/null || apt_missing+=(libreoffice-calc-nogui)
if [ ${#apt_missing[@]} -gt 0 ]; then
  echo "apt: ${apt_missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${apt_missing[@]}"
fi
python3 -m pytest --version >/dev/null 2>&1 || python3 -m pip install -q pytest
python3 -c "import standardwebhooks" >/dev/null 2>&1 || python3 -m pip install -q standardwebhooks
for c in clippy rustfmt; do
  rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
done

step "rust: format, lints, docs"
cargo fmt --all -- --check
# perf-guard: lints the guard binary too (benches/guard/; the feature enables nothing else);
# hosted: lints the PostgreSQL client (src/hosted/, issue 27).
cargo clippy --all-targets --features perf-guard,hosted -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -q

# A throw-away PostgreSQL 15 cluster for the whole run (installs Debian's postgresql when
# missing; the trap stops it whatever happens): the hosted tests run in the one test build
# below, the behaviour suite runs on it, and so do the C, Python and Kotlin doors.
step "hosted mode (issue 27): start a throw-away PostgreSQL 15 cluster (TLS, non-owner engine role)"
scripts/pg-cluster.sh start
trap 'scripts/pg-cluster.sh stop' EXIT
eval "$(scripts/pg-cluster.sh env)"

# One test build for everything: failpoints compiled in (they stay off unless
# HEARKEN_FAILPOINT is set: the crash tests kill a child at each of them) and the hosted
# mode (the PostgreSQL client, schema, TLS, tokio, isolation, concurrency, plan and admin
# tests run here, on the cluster). The build without the hosted feature is the release
# library below; tests/hosted_doors.rs checks it says `unsupported`.
step "rust: unit, integration, property, golden, header-drift, crash and hosted tests (store: sqlite-memory; hosted tests on the cluster)"
HEARKEN_TEST_STORE=sqlite-memory HEARKEN_TEST_REQUIRE_PG=1 cargo test --features failpoints,hosted

step "rust: the behaviour suite again on a store file (tests/sqlite-only.txt lists what runs once)"
bash scripts/behaviour-suite.sh sqlite-file

step "hosted mode: PgBouncer in transaction mode (H3), the behaviour suite on PostgreSQL (H1), the C door on PostgreSQL"
# PgBouncer in transaction mode in front of the cluster (installs Debian's if missing).
scripts/pgbouncer.sh start
trap 'scripts/pgbouncer.sh stop; scripts/pg-cluster.sh stop' EXIT
eval "$(scripts/pgbouncer.sh env)"
HEARKEN_TEST_REQUIRE_PG=1 HEARKEN_TEST_REQUIRE_PGBOUNCER=1 cargo test --features failpoints,hosted --test hosted_pgbouncer
scripts/pgbouncer.sh stop
trap 'scripts/pg-cluster.sh stop' EXIT
# The behaviour suite on PostgreSQL: the same files as on the SQLite stores (H1).
bash scripts/behaviour-suite.sh postgres
# The C door on PostgreSQL: a debug library with the hosted feature (the test build's
# features), the golden scenario on new stores of the cluster. The Python and Kotlin tests
# run on it too, in the bindings step (HEARKEN_HOSTED_LIB_DIR); the cluster runs until then.
cargo build --lib --features failpoints,hosted
bash tests/c/run-hosted.sh
export HEARKEN_HOSTED_LIB_DIR=target/debug

step "build the library once (release) for the C, Python and Kotlin tests, and the perf guard"
# The perf-guard feature enables nothing in the library: one build gives both, so the
# guard below only compiles its own binary.
cargo build --release --lib --features perf-guard --bin perf-guard

step "release library: no failpoint name in it (they exist only with --features failpoints)"
for lib in target/release/libhearken.so target/release/libhearken.a; do
  if strings "$lib" | grep -E 'HEARKEN_FAILPOINT|(sync|claim|ack|backup)\.(after|before)_' >/dev/null; then
    echo "failpoint names found in $lib" >&2
    exit 1
  fi
done
echo "no failpoint name in libhearken.so or libhearken.a"

step "without the hosted feature: opening a URL, leasing and hearken admin say unsupported"
# The embedded library, wheels, jar and zip carry no PostgreSQL client. The C and Python
# doors check the release library above; the Rust and CLI checks of that build are the
# cfg(not(feature = "hosted")) tests of tests/hosted_doors.rs (one small debug build).
cargo test --features failpoints --test hosted_doors

step "performance guard: instructions (callgrind), pages written and fsyncs against benches/guard/baselines.json"
# A scenario more than 10 % above or below its baseline fails (docs/benchmarks.md).
bash scripts/perf-guard.sh

step "C: tests, example, exports, valgrind"
bash tests/c/run.sh

step "bindings: Python, Kotlin, Swift header, drift (Python and Kotlin again on PostgreSQL)"
bash scripts/test-bindings.sh
scripts/pg-cluster.sh stop
trap - EXIT
unset HEARKEN_HOSTED_LIB_DIR

step "browser: what the customer sees in chromium (M1-M4: e-mail, click, survey, thanks, unsubscribe; axe, overflow)"
# Needs the release library (the Python door serves the pages) and the CLI's debug build
# (cargo test built it). Installs chromium and the pinned npm packages when missing.
bash tests/browser/run.sh

step "examples: the nightly-sync demo, twice on one file (the re-run creates nothing)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# --features failpoints,hosted: reuses the test build above (same features, same profile).
cargo run -q --features failpoints,hosted --example nightly_sync -- "$tmp/demo.db" >"$tmp/first.txt"
cargo run -q --features failpoints,hosted --example nightly_sync -- "$tmp/demo.db" >"$tmp/second.txt"
first=$(grep -c "survey to" "$tmp/first.txt" || true)
second=$(grep -c "survey to" "$tmp/second.txt" || true)
echo "demo: $first invitations on the first run, $second on the re-run"
[ "$first" -gt 0 ] && [ "$second" -eq 0 ]

step "windows zones: src/rules/windows_zones.rs matches CLDR (scripts/gen-windows-zones.sh --check)"
scripts/gen-windows-zones.sh --check

if [ "$artifacts" = 1 ]; then
  step "artifacts: scripts/package.sh"
  scripts/package.sh
  step "artifacts: scripts/test-artifacts.sh"
  scripts/test-artifacts.sh
fi

step "all tests passed"
