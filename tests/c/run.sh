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
              tests/c/test_engine.c tests/c/test_delivery.c tests/c/test_responses.c
              tests/c/test_alerts.c tests/c/test_bad_input.c
              tests/c/test_reports.c tests/c/test_store_file.c tests/c/test_trust.c
              tests/c/test_windows.c tests/c/test_policy.c tests/c/test_pages.c
              tests/c/test_screen.c)

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

# start KEY COMMAND...: starts a run of the C test binary in the background, its output in
# $OUT/KEY.log and .err and its exit status in $OUT/KEY.status (each run makes its own
# mkdtemp directory under the scratch directory, so runs do not share files).
start() {
    local key=$1
    shift
    ( status=0
      "$@" > "$OUT/$key.log" 2> "$OUT/$key.err" || status=$?
      echo "$status" > "$OUT/$key.status" ) &
}

# suite NAME KEY: counts each test case of the finished run KEY.
suite() {
    local name=$1 key=$2
    local status
    status=$(cat "$OUT/$key.status")
    cp "$OUT/$key.log" "$OUT/suite.log"
    cp "$OUT/$key.err" "$OUT/suite.err"
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
step "header compiles as C99, C11 (pedantic) and C++" bash -euc "
    printf '#include \"hearken.h\"\nint main(void) { return hk_abi_version() == HK_ABI_VERSION ? 0 : 1; }\n' > '$OUT/h.c'
    $CC -Wall -Wextra -Werror -pedantic -std=c99 -I'$ROOT/include' -fsyntax-only '$OUT/h.c'
    $CC -Wall -Wextra -Werror -pedantic -std=c11 -I'$ROOT/include' -fsyntax-only '$OUT/h.c'
    $CXX -Wall -Wextra -Werror -std=c++11 -x c++ -I'$ROOT/include' -fsyntax-only '$OUT/h.c'"
step "deprecated calls warn (-Werror fails), and HK_NO_DEPRECATION_WARNINGS silences them" bash -euc "
    printf '#include \"hearken.h\"\nint main(void) { char *j = 0; return (int)hk_engine_nps(0, 0, &j); }\n' > '$OUT/d.c'
    ! $CC -Wall -Werror -I'$ROOT/include' -fsyntax-only '$OUT/d.c' 2>/dev/null
    $CC -Wall -Werror -DHK_NO_DEPRECATION_WARNINGS -I'$ROOT/include' -fsyntax-only '$OUT/d.c'"
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

# Run: the suites, plain and under valgrind, all four at once (valgrind runs one core
# each: the two memchecks take about a minute each on this suite).
mkdir -p "$OUT/scratch"
for kind in static shared; do
    if [ -x "$OUT/tests_$kind" ]; then
        start "$kind" "$OUT/tests_$kind" tests/golden "$OUT/scratch"
        start "$kind-valgrind" "${VALGRIND[@]}" "$OUT/tests_$kind" tests/golden "$OUT/scratch"
    fi
done
wait
for kind in static shared; do
    if [ -x "$OUT/tests_$kind" ]; then
        suite "C tests, lib$kind" "$kind"
        suite "C tests, lib$kind, valgrind" "$kind-valgrind"
    fi
done

# The example tells the whole story and cannot rot. It runs in the scratch directory
# (an in-memory run writes its backfill file in the current directory).
run_example() {
    (cd "$OUT/scratch" && "$@")
}
example_story() {
    local out
    out=$(run_example "$@") || { echo "$out"; echo "the example failed"; return 1; }
    echo "$out"
    for want in "survey #1 to Amélie Dupont for paris-1120-0" \
                "no survey to 김민준 (seoul-1120-0): another purchase that night got the survey [one_per_batch]" \
                "no survey to Bob O'Neil (paris-1120-1): the customer has no usable contact for the channel [no_usable_contact]" \
                "no survey to Dana Smith (paris-1120-3): the customer unsubscribed [unsubscribed]" \
                "no survey to (anonymous sale) (paris-1120-walkin): the sale had no customer attached [anonymous]" \
                "window: 2026-11-21 to 2026-11-22 (catching up a missed night)" \
                "missed beyond catch-up: 2026-11-22, needs a backfill" \
                "backfill of Boutique Paris: batch 1 of 1 committed" \
                "missing dates after the backfill: 0" \
                "A batch with a mistake: invalid_input" \
                "seoul-1120-1: survey invitation #2 created on 2026-11-20 (seoul)" \
                "── to amelie@example.fr [fr] ──" \
                "Subject: Comment s'est passée votre visite chez Boutique Paris ?" \
                "| Bonjour Amélie," \
                "── to minjun@example.kr [ko] ──" \
                "| 김민준님, 안녕하세요." \
                "outbox: 4 delivered, 0 pending, 0 cancelled, 0 failed" \
                "Amélie Dupont answered 10/10: promoter, shown the review link https://g.page/r/boutique-paris/review" \
                "김민준 answered 8/10: passive" \
                "이서연 answered 4/10: detractor, unhappy customer" \
                "the walk-in (anonymous) answered 9/10: promoter, shown the review link" \
                ": negative, facet wait_time" \
                "NPS: 25 (promoters 2, passives 1, detractors 1)" \
                "review reminder to amelie@example.fr [fr]: Partageriez-vous votre expérience chez Boutique Paris ?"; do
        grep -qF -- "$want" <<< "$out" || { echo "missing from the example's output: $want"; return 1; }
    done
}
# A second run on the same file re-sends every night, creates no invitation and sends nothing.
example_rerun() {
    local out
    out=$(run_example "$@") || { echo "$out"; echo "the example failed"; return 1; }
    if grep -q "survey #" <<< "$out"; then
        echo "the re-run created invitations:"
        echo "$out"
        return 1
    fi
    grep -qF "no survey to 김민준 (seoul-1120-0)" <<< "$out" || return 1
    # Every message was acked by the first run: nothing is offered again, no answer is
    # recorded twice, and the one reminder (delivered too) is not sent again.
    grep -qF "nothing due (every message was already delivered)" <<< "$out" || return 1
    grep -qF "outbox: 5 delivered, 0 pending" <<< "$out" || return 1
    grep -qF "NPS: 25 (promoters 2, passives 1, detractors 1)" <<< "$out" || return 1
    grep -qF "none due (already sent, or nobody qualifies)" <<< "$out"
}
for kind in static shared; do
    if [ -x "$OUT/example_$kind" ]; then
        step "example runs (lib$kind)" example_story "$OUT/example_$kind"
    fi
done
if [ -x "$OUT/example_static" ]; then
    step "example runs under valgrind, on a file" \
        example_story "${VALGRIND[@]}" "$OUT/example_static" "$OUT/scratch/example.db"
    step "example re-run on the same file creates nothing" \
        example_rerun "${VALGRIND[@]}" "$OUT/example_static" "$OUT/scratch/example.db"
fi

# The quick start of docs/c-api.md compiles and runs as printed.
quick_start() {
    awk '/^```c$/ {f = 1; next} /^```$/ {if (f) exit} f' docs/c-api.md > "$OUT/quick_start.c"
    "$CC" "${CFLAGS[@]}" "$OUT/quick_start.c" "${STATIC_LIBS[@]}" -o "$OUT/quick_start" \
        || return 1
    local out
    out=$(cd "$OUT/scratch" && "$OUT/quick_start") || return 1
    echo "$out"
    grep -qF "t2 (anonymous): the sale had no customer attached" <<< "$out"
}
step "the quick start of docs/c-api.md compiles and runs" quick_start

# The delivery loop of docs/c-api.md (its second C block) compiles as printed; the host's
# gateways it calls are only declared, so it is compiled, not linked.
delivery_loop() {
    awk '/^```c$/ {n++; if (n == 2) {f = 1; next}} /^```$/ {if (f) exit} f' docs/c-api.md \
        > "$OUT/delivery_loop.c"
    grep -q hk_engine_claim "$OUT/delivery_loop.c" || { echo "no delivery loop found"; return 1; }
    "$CC" "${CFLAGS[@]}" -c "$OUT/delivery_loop.c" -o "$OUT/delivery_loop.o"
}
step "the delivery loop of docs/c-api.md compiles" delivery_loop

# The answer handler of docs/c-api.md (its third C block) compiles as printed.
answer_handler() {
    awk '/^```c$/ {n++; if (n == 3) {f = 1; next}} /^```$/ {if (f) exit} f' docs/c-api.md \
        > "$OUT/answer_handler.c"
    grep -q hk_engine_record_response "$OUT/answer_handler.c" \
        || { echo "no answer handler found"; return 1; }
    "$CC" "${CFLAGS[@]}" -c "$OUT/answer_handler.c" -o "$OUT/answer_handler.o"
}
step "the answer handler of docs/c-api.md compiles" answer_handler

# The alert handler of docs/c-api.md (its fourth C block) compiles as printed.
alert_handler() {
    awk '/^```c$/ {n++; if (n == 4) {f = 1; next}} /^```$/ {if (f) exit} f' docs/c-api.md \
        > "$OUT/alert_handler.c"
    grep -q hk_engine_set_alert_status "$OUT/alert_handler.c" \
        || { echo "no alert handler found"; return 1; }
    "$CC" "${CFLAGS[@]}" -c "$OUT/alert_handler.c" -o "$OUT/alert_handler.o"
}
step "the alert handler of docs/c-api.md compiles" alert_handler

# The shared library exports the C door only (plus the uniffi door's own prefixed symbols).
exports_only_hk() {
    local all others
    all=$(nm -D --defined-only "$LIB_DIR/libhearken.so" | awk '{print $3}') || return 1
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
    # Called from `step`, where `set -e` is off: every line returns on failure.
    scripts/write-pkgconfig.sh "$OUT/pkgconfig" "$ROOT" "$LIB_DIR" "$ROOT/include" || return 1
    export PKG_CONFIG_PATH="$OUT/pkgconfig"
    pkg-config --exists hearken hearken-static || return 1
    [ "$(pkg-config --modversion hearken)" = \
      "$(sed -n 's/^#define HK_VERSION "\(.*\)"/\1/p' include/hearken.h)" ] || return 1
    # shellcheck disable=SC2046
    "$CC" "${CFLAGS[@]}" examples/nightly_sync.c $(pkg-config --cflags --libs hearken) \
        -Wl,-rpath,"$LIB_DIR" -o "$OUT/example_pc_shared" || return 1
    # shellcheck disable=SC2046
    "$CC" "${CFLAGS[@]}" examples/nightly_sync.c \
        $(pkg-config --cflags --libs --static hearken-static) -o "$OUT/example_pc_static" \
        || return 1
    run_example "$OUT/example_pc_shared" > /dev/null || return 1
    run_example "$OUT/example_pc_static" > /dev/null
}
step "pkg-config compile and link lines work (shared and static)" pkg_config_builds

# A host that links its own (older) SQLite. The shared library keeps its copy private;
# the plain static library's bundled copy serves the host's sqlite3_* calls too (or clashes
# with a static libsqlite3.a); the isolated static library keeps it private (docs/c-api.md).
sqlite_host() { # LIBS... EXPECTED
    local expected=${*: -1}
    "$CC" "${CFLAGS[@]}" tests/c/sqlite_host.c "${@:1:$#-1}" -o "$OUT/sqlite_host" || return 1
    rm -f "$OUT/scratch/host.db"*
    "$OUT/sqlite_host" "$OUT/scratch/host.db" "$expected"
}
SYSTEM_SQLITE_A=$("$CC" -print-file-name=libsqlite3.a)
step "a host with its own SQLite keeps it beside libhearken.so" \
    sqlite_host "${SHARED_LIBS[@]}" -lsqlite3 own
step "a host's SQLite calls reach the bundled copy of plain libhearken.a" \
    sqlite_host "${STATIC_LIBS[@]}" -lsqlite3 bundled
isolated_exports_only_hk() {
    scripts/isolate-staticlib.sh "$LIB_DIR/libhearken.a" "$OUT/libhearken_isolated.a" || return 1
    local globals
    globals=$(nm -g --defined-only "$OUT/libhearken_isolated.a" | awk 'NF == 3 {print $3}') \
        || return 1
    grep -qx hk_engine_sync <<< "$globals" || { echo "hk_engine_sync is not global"; return 1; }
    if grep -v '^hk_' <<< "$globals" | head -n 5 | grep .; then
        echo "(global symbols other than hk_*)"
        return 1
    fi
}
step "scripts/isolate-staticlib.sh makes a libhearken.a that exports only hk_*" \
    isolated_exports_only_hk
if [ -f "$OUT/libhearken_isolated.a" ]; then
    step "a host with its own SQLite keeps it beside the isolated libhearken.a" \
        sqlite_host "$OUT/libhearken_isolated.a" -lsqlite3 -lpthread -ldl -lm own
    if [ -f "$SYSTEM_SQLITE_A" ]; then
        step "a host with a static libsqlite3.a links the isolated libhearken.a without clashes" \
            sqlite_host "$SYSTEM_SQLITE_A" "$OUT/libhearken_isolated.a" -lpthread -ldl -lm own
    fi
fi

echo "c: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
