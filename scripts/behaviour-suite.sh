#!/usr/bin/env bash
# Runs the behaviour suite on one store: every tests/*.rs except the SQLite-only ones
# listed in tests/sqlite-only.txt, with HEARKEN_TEST_STORE set (tests/common/mod.rs opens
# the store under test from it), then prints how many tests ran on that store.
#
#   scripts/behaviour-suite.sh sqlite-memory|sqlite-file|postgres [-- test args]
set -euo pipefail
store=${1:?usage: $0 sqlite-memory|sqlite-file|postgres [-- test args]}
shift
[ "${1:-}" = "--" ] && shift
cd "$(dirname "$0")/.."
only=$(grep -v '^#' tests/sqlite-only.txt | awk 'NF { print $1 }')
for f in $only; do
  [ -f "tests/$f" ] || { echo "tests/sqlite-only.txt names tests/$f, which does not exist" >&2; exit 1; }
done
targets=()
for f in tests/*.rs; do
  name=$(basename "$f")
  # hosted_*.rs test the PostgreSQL client and schema (feature hosted, their own step).
  case "$name" in hosted_*) continue ;; esac
  grep -qxF "$name" <<<"$only" || targets+=(--test "${name%.rs}")
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The same features as scripts/test.sh's test build (failpoints and hosted for every
# store), so nothing is rebuilt. PostgreSQL needs the cluster's variables
# (scripts/pg-cluster.sh env).
features=failpoints,hosted
if ! HEARKEN_TEST_STORE=$store cargo test -q --no-fail-fast --features "$features" "${targets[@]}" -- "$@" >"$log" 2>&1; then
  cat "$log"
  echo "behaviour suite on $store: FAILED" >&2
  exit 1
fi
passed=$(awk '/^test result:/ { n += $4 } END { print n + 0 }' "$log")
echo "behaviour suite on $store: $passed tests passed in $((${#targets[@]} / 2)) test files"
