#!/usr/bin/env bash
# Tests the uniffi door against an ALREADY BUILT library (it never rebuilds it):
#
#   cargo build --release --lib && scripts/test-bindings.sh
#
# 1. installs what is missing, skipping what is present: pytest (pip), Debian's
#    libjna-java (apt-get), kotlin-compiler@2.4.20 (npm, into tools/, gitignored);
# 2. checks the committed bindings for drift (scripts/gen-bindings.sh --check);
# 3. syntax-checks the generated Swift C header with gcc (no Swift toolchain here);
# 4. runs the Python tests (pytest) and the Kotlin test, both driving the golden scenario,
#    the delivery outbox and the responses and scores on the golden night;
# 5. runs the examples (examples/nightly_sync.py, examples/NightlySync.kt), which sync,
#    drain the outbox with a fake mailer, record answers and print the NPS and reminder.
#
# Prints `bindings: N passed, M failed` last (Python tests + Kotlin tests + the other
# checks) and exits non-zero if anything failed.
#
# Environment: LIB_DIR (default target/release) holds libhearken.so.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

LIB_DIR=${LIB_DIR:-target/release}
if [[ ! -f "$LIB_DIR/libhearken.so" ]]; then
  echo "test-bindings: $LIB_DIR/libhearken.so not found; run: cargo build --release --lib" >&2
  exit 2
fi
LIB_DIR=$(cd "$LIB_DIR" && pwd)

KOTLIN_VERSION=2.4.20
KOTLIN_HOME="$ROOT/tools/kotlin/node_modules/kotlin-compiler"
JNA=/usr/share/java/jna.jar
WORK="$ROOT/target/bindings-test"
mkdir -p "$WORK"

passed=0
failed=0
step() { printf '\n== %s\n' "$*"; }
ok() { passed=$((passed + ${1:-1})); }
bad() { failed=$((failed + ${1:-1})); }

# ---- 1. tools ----------------------------------------------------------------------------
step "tools"
SUDO=
if [[ $(id -u) != 0 ]] && command -v sudo >/dev/null; then SUDO=sudo; fi
apt_missing=()
[[ -f "$JNA" ]] || apt_missing+=(libjna-java)
command -v java >/dev/null || apt_missing+=(default-jre-headless)
command -v gcc >/dev/null || apt_missing+=(gcc)
command -v npm >/dev/null || apt_missing+=(npm)
if ((${#apt_missing[@]})); then
  echo "installing ${apt_missing[*]} (apt-get)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${apt_missing[@]}" >/dev/null
fi
if ! python3 -m pytest --version >/dev/null 2>&1; then
  echo "installing pytest (pip)"
  python3 -m pip install --quiet --disable-pip-version-check pytest
fi
if ! python3 -c "import standardwebhooks" >/dev/null 2>&1; then
  echo "installing standardwebhooks (pip; the webhook verifier of bindings/python/test_webhooks.py)"
  python3 -m pip install --quiet --disable-pip-version-check standardwebhooks
fi
if [[ ! -x "$KOTLIN_HOME/bin/kotlinc" ]] ||
  ! grep -q "\"version\": \"$KOTLIN_VERSION\"" "$KOTLIN_HOME/package.json"; then
  echo "installing kotlin-compiler@$KOTLIN_VERSION (npm, into tools/kotlin)"
  npm install --prefix "$ROOT/tools/kotlin" --no-audit --no-fund --loglevel=error \
    "kotlin-compiler@$KOTLIN_VERSION" >/dev/null
fi
echo "python $(python3 --version 2>&1 | cut -d' ' -f2), $(python3 -m pytest --version 2>&1 | head -1)," \
  "kotlinc $KOTLIN_VERSION, $(java -version 2>&1 | head -1)"

# ---- 2. drift of the committed bindings ----------------------------------------------------
step "drift: committed bindings vs $LIB_DIR/libhearken.so"
if LIB_DIR="$LIB_DIR" scripts/gen-bindings.sh --check; then ok; else bad; fi

# ---- 3. the Swift C header ----------------------------------------------------------------
step "swift: gcc -fsyntax-only bindings/swift/HearkenFFI.h"
# Included twice from a translation unit, so the include guard is checked and `#pragma once`
# is not in the main file; warnings are errors.
if printf '#include "HearkenFFI.h"\n#include "HearkenFFI.h"\n' |
  gcc -fsyntax-only -Wall -Wextra -Werror -std=c11 -x c -D_Nullable= -D_Nonnull= \
    -I bindings/swift -; then
  echo "header ok"
  ok
else
  bad
fi

# ---- 4a. Python ----------------------------------------------------------------------------
step "python: pytest bindings/python"
ln -sf "$LIB_DIR/libhearken.so" bindings/python/libhearken.so
if python3 -m pytest -q -p no:cacheprovider bindings/python 2>&1 | tee "$WORK/pytest.log"; then :; fi
py_passed=0
py_failed=0
# pytest's summary line, e.g. "2 failed, 19 passed, 1 error in 0.52s".
summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|errors?)' "$WORK/pytest.log" | tail -1 || true)
for part in $(echo "$summary" | grep -oE '[0-9]+ (passed|failed|errors?)' | tr ' ' ':'); do
  case "${part#*:}" in
    passed) py_passed=${part%%:*} ;;
    *) py_failed=$((py_failed + ${part%%:*})) ;;
  esac
done
if [[ "$py_passed" == 0 && "$py_failed" == 0 ]]; then py_failed=1; fi # pytest did not run
ok "$py_passed"
bad "$py_failed"

# ---- 4b. Kotlin ----------------------------------------------------------------------------
step "kotlin: compile (cached by content) and run bindings/kotlin/HearkenTest.kt"
KT_SOURCES=(bindings/kotlin/com/hearken/hearken.kt bindings/kotlin/HearkenTest.kt examples/NightlySync.kt)
key=$( (echo "$KOTLIN_VERSION"; cat "${KT_SOURCES[@]}") | sha256sum | cut -c1-16)
JAR="$WORK/kotlin-$key.jar"
CP="$JAR:$JNA:$KOTLIN_HOME/lib/kotlin-stdlib.jar"
kotlin_built=1
if [[ ! -f "$JAR" ]]; then
  rm -rf "$WORK"/kotlin-*.jar "$WORK"/partial-*.jar
  # kotlinc writes a jar only when -d ends in .jar. Warnings (unused names in the
  # generated code) are silenced; errors still fail.
  if "$KOTLIN_HOME/bin/kotlinc" -nowarn "${KT_SOURCES[@]}" -cp "$JNA" -d "$WORK/partial-$key.jar" \
    && mv "$WORK/partial-$key.jar" "$JAR"; then
    echo "compiled $JAR"
  else
    rm -rf "$WORK/partial-$key.jar"
    kotlin_built=0
  fi
else
  echo "up to date: $JAR"
fi
if [[ "$kotlin_built" == 1 ]]; then
  if java -Djna.library.path="$LIB_DIR" -cp "$CP" HearkenTestKt "$ROOT" 2>&1 | tee "$WORK/kotlin.log"; then :; fi
  kt_line=$(grep -E '^kotlin: [0-9]+ passed, [0-9]+ failed$' "$WORK/kotlin.log" | tail -1 || true)
  if [[ -n "$kt_line" ]]; then
    read -r kt_passed kt_failed < <(echo "$kt_line" | sed -E 's/kotlin: ([0-9]+) passed, ([0-9]+) failed/\1 \2/')
    ok "$kt_passed"
    bad "$kt_failed"
  else
    echo "kotlin test did not finish" >&2
    bad
  fi
else
  echo "kotlin compilation failed" >&2
  bad
fi

# ---- 4c. on PostgreSQL (hosted mode, H1) --------------------------------------------------
# With HEARKEN_HOSTED_LIB_DIR (a libhearken.so built with `--features hosted`) and the test
# cluster's variables (scripts/pg-cluster.sh env), the Python and Kotlin tests run again,
# each fresh store a new store of the cluster (admin_create_store, Engine.open_url).
if [[ -n "${HEARKEN_HOSTED_LIB_DIR:-}" ]]; then
  HOSTED_LIB_DIR=$(cd "$HEARKEN_HOSTED_LIB_DIR" && pwd)
  step "python on postgres: pytest bindings/python/test_hearken.py with $HOSTED_LIB_DIR/libhearken.so"
  ln -sf "$HOSTED_LIB_DIR/libhearken.so" bindings/python/libhearken.so
  if HEARKEN_TEST_STORE=postgres python3 -m pytest -q -p no:cacheprovider bindings/python/test_hearken.py \
    2>&1 | tee "$WORK/pytest-pg.log"; then :; fi
  ln -sf "$LIB_DIR/libhearken.so" bindings/python/libhearken.so
  summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|errors?)' "$WORK/pytest-pg.log" | tail -1 || true)
  pg_passed=0
  pg_failed=0
  for part in $(echo "$summary" | grep -oE '[0-9]+ (passed|failed|errors?)' | tr ' ' ':'); do
    case "${part#*:}" in
      passed) pg_passed=${part%%:*} ;;
      *) pg_failed=$((pg_failed + ${part%%:*})) ;;
    esac
  done
  if [[ "$pg_passed" == 0 && "$pg_failed" == 0 ]]; then pg_failed=1; fi # pytest did not run
  ok "$pg_passed"
  bad "$pg_failed"
  echo "python on postgres: $pg_passed passed, $pg_failed failed"
  step "kotlin on postgres: HearkenTest.kt with $HOSTED_LIB_DIR/libhearken.so"
  if [[ "$kotlin_built" == 1 ]]; then
    if HEARKEN_TEST_STORE=postgres java -Djna.library.path="$HOSTED_LIB_DIR" -cp "$CP" HearkenTestKt "$ROOT" \
      2>&1 | tee "$WORK/kotlin-pg.log"; then :; fi
    kt_line=$(grep -E '^kotlin: [0-9]+ passed, [0-9]+ failed$' "$WORK/kotlin-pg.log" | tail -1 || true)
    if [[ -n "$kt_line" ]]; then
      read -r kt_passed kt_failed < <(echo "$kt_line" | sed -E 's/kotlin: ([0-9]+) passed, ([0-9]+) failed/\1 \2/')
      ok "$kt_passed"
      bad "$kt_failed"
      echo "kotlin on postgres: $kt_passed passed, $kt_failed failed"
    else
      echo "kotlin test on postgres did not finish" >&2
      bad
    fi
  else
    bad
  fi
fi

# ---- 5. examples ---------------------------------------------------------------------------
step "example: examples/nightly_sync.py"
if python3 examples/nightly_sync.py --now 1795212000000; then ok; else bad; fi

step "example: examples/NightlySync.kt"
if [[ "$kotlin_built" == 1 ]] &&
  java -Djna.library.path="$LIB_DIR" -cp "$CP" com.hearken.examples.NightlySyncKt "" 1795212000000; then
  ok
else
  bad
fi

echo
echo "bindings: $passed passed, $failed failed"
[[ "$failed" == 0 ]]
