#!/usr/bin/env bash
# The C door on PostgreSQL (hosted mode, H1): compiles the C tests against a library built
# with the `hosted` feature and runs their golden scenario on the test cluster, each case
# on a new store made with hk_admin_create_store and opened with hk_engine_open_url.
#
#   cargo build --lib --features hosted          # LIB_DIR defaults to target/debug
#   eval "$(scripts/pg-cluster.sh env)"          # a running cluster (scripts/pg-cluster.sh start)
#   tests/c/run-hosted.sh
#
# Prints `c on postgres: N passed, M failed` last.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
LIB_DIR=$(cd "${LIB_DIR:-target/debug}" && pwd)
[ -f "$LIB_DIR/libhearken.so" ] || { echo "missing $LIB_DIR/libhearken.so: cargo build --lib --features hosted" >&2; exit 2; }
: "${HEARKEN_TEST_PG_URL:?run: eval \"\$(scripts/pg-cluster.sh env)\"}"
: "${HEARKEN_TEST_PG_ENGINE_URL:?run: eval \"\$(scripts/pg-cluster.sh env)\"}"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/hearken-c-pg.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
SOURCES=(tests/c/main.c tests/c/harness.c tests/c/test_contract.c tests/c/test_golden.c
         tests/c/test_engine.c tests/c/test_delivery.c tests/c/test_responses.c
         tests/c/test_alerts.c tests/c/test_bad_input.c
         tests/c/test_reports.c tests/c/test_store_file.c tests/c/test_trust.c
         tests/c/test_windows.c tests/c/test_policy.c tests/c/test_pages.c
         tests/c/test_screen.c)
${CC:-gcc} -Wall -Wextra -Werror -std=c11 -g -I"$ROOT/include" "${SOURCES[@]}" \
    -L"$LIB_DIR" -lhearken -Wl,-rpath,"$LIB_DIR" -lpthread -o "$OUT/tests_pg"
mkdir -p "$OUT/scratch"
status=0
HEARKEN_TEST_STORE=postgres "$OUT/tests_pg" tests/golden "$OUT/scratch" | tee "$OUT/log" || status=$?
summary=$(grep -E '^tests: ' "$OUT/log" | tail -1)
passed=$(sed -E 's/^tests: ([0-9]+) passed.*/\1/' <<<"$summary")
failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")
echo "c on postgres: ${passed:-0} passed, ${failed:-?} failed"
[ "$status" = 0 ] && [ "${failed:-1}" = 0 ]
