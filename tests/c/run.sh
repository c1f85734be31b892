#!/usr/bin/env bash
# The C door's test command: compiles the C tests and examples/nightly_sync.c against
# include/hearken.h and both libraries, runs them (also under valgrind), checks the
# exported symbols and the pkg-config files, and prints `c: N passed, M failed`.
#
# Build the library first:   cargo build --release --lib
# Then:                       tests/c/run.sh        (LIB_DIR defaults to target/release)
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
LIB_DIR=$(cd "${LIB_DIR:-target/release}" && pwd)
CC=${CC:-gcc}
CXX=${CXX:-g++}

for lib in libhearken.a libhearken.so; do
    if [ ! -f "$LIB_DIR/$lib" ]; then
        echo "missing $LIB_DIR/$lib: run \`cargo build --release --lib\` first" >&2
        exit 2
    fi
done
for tool in "$CC" "$CXX" valgrind pkg-config nm; do
    command -v "$tool" > /dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done

OUT=$(mktemp -d "${TMPDIR:-/tmp}/hearken-c.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

CFLAGS=(-Wall -Wextra -Werror -std=c11 -g -I"$ROOT/include")
STATIC_LIBS=("$LIB_DIR/libhearken.a" -lpthread -ldl -lm)
SHARED_LIBS=(-L"$LIB_DIR" -lhearken -Wl,-rpath,"$LIB_DIR" -lpthread)
VALGRIND=(valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite)
TEST_SOURCES=(tests/c/main.c tests/c/harness.c tests/c/test_contract.c tests/c/test_golden.c
              tests/c/test_engine.c)

passed=0
failed=0

# step NAME COMMAND...: one check; its output is shown only when it fails.
step() {
    local name=$1
    shift
    if "$@" > "$OUT/step.log" 2>&1; then
        passed=$((passed + 1))
        echo "ok - $name"
    else
        failed=$((failed + 1))
        echo "not ok - $name"
        sed 's/^/    /' "$OUT/step.log"
    fi
}

# suite NAME COMMAND...: runs the C test binary and counts each of its test cases.
suite() {
    local name=$1
    shift
    local status=0
    "$@" > "$OUT/suite.log" 2> "$OUT/suite.err" || status=$?
    local summary ok bad
    summary=$(grep -E '^tests: [0-9]+ passed, [0-9]+ failed$' "$OUT/suite.log" || true)
    ok=$(echo "$summary" | sed -nE 's/^tests: ([0-9]+) passed.*/\1/p')
    bad=$(echo "$summary" | sed -nE 's/.* ([0-9]+) failed$/\1/p')
    ok=${ok:-0}
    bad=${bad:-0}
    if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1 # crashed, or valgrind found errors
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -eq 0 ]; then
        echo "ok - $name ($ok cases)"
    else
        echo "not ok - $name ($ok passed, $bad failed, exit $status)"
        grep -v '^ok - ' "$OUT/suite.log" | sed 's/^/    /' || true
        sed 's/^/    /' "$OUT/suite.err"
    fi
}

# Compile: tests and example, against the static and the shared library.
step "header compiles as C99, C11 (pedantic) and C++" bash -c "
    printf '#include \"hearken.h\"\nint main(void) { return hk_abi_version() == HK_ABI_VERSION ? 0 : 1; }\n' > '$OUT/h.c'
    $CC -Wall -Wextra -Werror -pedantic -std=c99 -I'$ROOT/include' -fsyntax-only '$OUT/h.c'
    $CC -Wall -Wextra -Werror -pedantic -std=c11 -I'$ROOT/include' -fsyntax-only '$OUT/h.c'
    $CXX -Wall -Wextra -Werror -std=c++11 -x c++ -I'$ROOT/include' -fsyntax-only '$OUT/h.c'"
step "tests compile against libhearken.a" \
    "$CC" "${CFLAGS[@]}" "${TEST_SOURCES[@]}" "${STATIC_LIBS[@]}" -o "$OUT/tests_static"
step "tests compile against libhearken.so" \
    "$CC" "${CFLAGS[@]}" "${TEST_SOURCES[@]}" "${SHARED_LIBS[@]}" -o "$OUT/tests_shared"
step "the shared test binary loads libhearken.so" \
    bash -c "ldd '$OUT/tests_shared' | grep -q '$LIB_DIR/libhearken.so'"
step "example compiles against libhearken.a" \
    "$CC" "${CFLAGS[@]}" examples/nightly_sync.c "${STATIC_LIBS[@]}" -o "$OUT/example_static"
step "example compiles against libhearken.so" \
    "$CC" "${CFLAGS[@]}" examples/nightly_sync.c "${SHARED_LIBS[@]}" -o "$OUT/example_shared"

# Run: the suites, plain and under valgrind.
mkdir -p "$OUT/scratch"
for kind in static shared; do
    if [ -x "$OUT/tests_$kind" ]; then
        suite "C tests, lib$kind" "$OUT/tests_$kind" tests/golden "$OUT/scratch"
        suite "C tests, lib$kind, valgrind" \
            "${VALGRIND[@]}" "$OUT/tests_$kind" tests/golden "$OUT/scratch"
    fi
done

# The example tells the whole story and cannot rot.
example_story() {
    local out
    out=$("$@")
    echo "$out"
    for want in "survey #1 for c5 (transaction t7)" \
                "skipped t6 (c5): another purchase that night got the survey [one_per_batch]" \
                "skipped t2 (c2): the customer has no usable contact for the channel" \
                "skipped t4 (c4): the customer unsubscribed [unsubscribed]" \
                "skipped t5 (anonymous): the sale had no customer attached [anonymous]" \
                "a bad batch: invalid_input" \
                "why c5:"; do
        grep -qF -- "$want" <<< "$out" || { echo "missing from the example's output: $want"; return 1; }
    done
}
for kind in static shared; do
    if [ -x "$OUT/example_$kind" ]; then
        step "example runs (lib$kind)" example_story "$OUT/example_$kind"
    fi
done
if [ -x "$OUT/example_static" ]; then
    step "example runs under valgrind, on a file" \
        example_story "${VALGRIND[@]}" "$OUT/example_static" "$OUT/scratch/example.db"
fi

# The shared library exports the C door only (plus the uniffi door's own prefixed symbols).
exports_only_hk() {
    local all others
    all=$(nm -D --defined-only "$LIB_DIR/libhearken.so" | awk '{print $3}')
    others=$(grep -vE '^(hk_|uniffi_hearken_|ffi_hearken_|UNIFFI_META_)' <<< "$all" || true)
    if [ -n "$others" ]; then
        echo "unexpected exports:"
        echo "$others"
        return 1
    fi
    grep -q '^hk_engine_sync$' <<< "$all" || { echo "hk_engine_sync is not exported"; return 1; }
    if grep -q '^sqlite3_' <<< "$all"; then echo "SQLite is exported"; return 1; fi
    # Every function of the header is exported.
    local declared
    declared=$(grep -oE '\bhk_[a-z0-9_]+\(' include/hearken.h | tr -d '(' | sort -u)
    for fn in $declared; do
        grep -qx "$fn" <<< "$all" || { echo "declared but not exported: $fn"; return 1; }
    done
}
step "libhearken.so exports only hk_* (and uniffi's prefixed) symbols" exports_only_hk

# pkg-config: the generated files give working compile and link lines.
pkg_config_builds() {
    scripts/write-pkgconfig.sh "$OUT/pkgconfig" "$ROOT" "$LIB_DIR" "$ROOT/include"
    export PKG_CONFIG_PATH="$OUT/pkgconfig"
    pkg-config --exists hearken hearken-static
    [ "$(pkg-config --modversion hearken)" = "$(sed -n 's/^#define HK_VERSION "\(.*\)"/\1/p' include/hearken.h)" ]
    # shellcheck disable=SC2046
    "$CC" "${CFLAGS[@]}" examples/nightly_sync.c $(pkg-config --cflags --libs hearken) \
        -Wl,-rpath,"$LIB_DIR" -o "$OUT/example_pc_shared"
    # shellcheck disable=SC2046
    "$CC" "${CFLAGS[@]}" examples/nightly_sync.c $(pkg-config --cflags --libs --static hearken-static) \
        -o "$OUT/example_pc_static"
    "$OUT/example_pc_shared" > /dev/null
    "$OUT/example_pc_static" > /dev/null
}
step "pkg-config compile and link lines work (shared and static)" pkg_config_builds

# A host that links its own (older) SQLite: the shared library keeps its copy private.
sqlite_host() {
    "$CC" "${CFLAGS[@]}" tests/c/sqlite_host.c "${SHARED_LIBS[@]}" -lsqlite3 -o "$OUT/sqlite_host"
    "$OUT/sqlite_host" "$OUT/scratch/host.db"
}
step "a host with its own SQLite keeps it beside libhearken.so" sqlite_host

echo "c: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
