#!/usr/bin/env bash
# The performance guard (docs/benchmarks.md "Performance guard"): counts the instructions
# (callgrind), pages written and fsyncs of a few scenarios (a 2,000-sale sync, one night
# in a store with two years of history, a 2,000-message drain, a dashboard screen) and
# compares them with benches/guard/baselines.json. A figure more than 10 % above its
# baseline fails (slower); more than 10 % below fails too (lower the baseline: a ratchet).
#
#   scripts/perf-guard.sh                                   check against the baselines
#   scripts/perf-guard.sh --rebaseline --reason "why"       write new baselines; commit them
#                                                           with the change and its reason
#   scripts/perf-guard.sh --only sync_2k                    one scenario
#   HEARKEN_PERF_FEATURES=perf-guard,hosted scripts/perf-guard.sh
#                                                           the same scenarios (all on SQLite)
#                                                           with more features built in: what
#                                                           "the SQLite path pays nothing"
#                                                           for hosted mode is measured with
#
# Builds `cargo build --release --lib --features perf-guard --bin perf-guard` (the features
# are HEARKEN_PERF_FEATURES when set): the same
# command scripts/test.sh uses for the release library, so in CI only the guard binary
# itself is compiled here. Needs valgrind (scripts/test.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "perf-guard: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
features=${HEARKEN_PERF_FEATURES:-perf-guard}
case ",$features," in *,perf-guard,*) ;; *) echo "perf-guard: HEARKEN_PERF_FEATURES must include perf-guard" >&2; exit 2;; esac
cargo build -q --release --lib --features "$features" --bin perf-guard
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
exec "$target/release/perf-guard" --baselines benches/guard/baselines.json "$@"
