#!/usr/bin/env bash
# Checks every artifact of target/dist/ (scripts/package.sh) the way a user meets it: from
# an unpacked copy in a temporary folder outside the tree, with nothing taken from target/
# (no LD_LIBRARY_PATH, rpath or -Djna.library.path pointing there; `ldd` must resolve
# libhearken from the unpacked copy), and every program of a check run with the build
# folder out of reach: target/ is hidden behind an empty read-only tmpfs in a private
# mount namespace (`unshare -m`; without the right to do that the script says so and runs
# them as they are). Prints one line per artifact: "checked: run" or "built, not run" (what
# cannot run on this Linux machine is checked structurally) and what was proved, then
# `artifacts: N passed, M failed` last.
#
#   scripts/package.sh && scripts/test-artifacts.sh [--no-windows-tests]
#
# Windows runs need Debian's wine (Wine 8.0; installed when missing). Rust's std calls
# ProcessPrng from bcryptprimitives.dll, which Wine 8.0 lacks: a test-only stub
# (scripts/wine/bcryptprimitives.c) goes into a throw-away Wine prefix in the temporary
# folder. Real Windows has the function; the stub is never shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
DIST=$ROOT/target/dist
WIN=x86_64-pc-windows-gnu
KOTLIN_HOME=$ROOT/tools/kotlin/node_modules/kotlin-compiler
JNA=/usr/share/java/jna.jar
WINE=wine
export WINEDEBUG=-all
run_windows_tests=1
[ "${1:-}" = "--no-windows-tests" ] && run_windows_tests=0
started=$(date +%s)
passed=0
failed=0
results=()
step() { printf '\n== artifacts: %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }
verdict() { # ARTIFACT STATUS (checked: run | built, not run | skipped: …) OK(0/1) PROVED
  if [ "$3" = 0 ]; then
    passed=$((passed + 1)); results+=("$2: $1${4:+ — $4}")
  else
    failed=$((failed + 1)); results+=("FAILED ($2): $1${4:+ — meant to prove: $4}")
  fi
  echo ">> $2: $1$([ "$3" = 0 ] || echo ' — FAILED')"
}
# `grep -q` that reads its input to the end: with pipefail, a writer that got SIGPIPE
# because grep -q stopped early would fail the check at random.
has() { grep "$@" >/dev/null; }
# Runs FN in a subshell with errexit really on (bash ignores it inside `if` conditions).
check() { # ARTIFACT STATUS FN PROVED
  set +e
  (set -e; "$3")
  local rc=$?
  set -e
  verdict "$1" "$2" "$rc" "${4:-}"
}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hearken-artifacts.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# Nothing from the tree: no library path, and the unpacked copies live in $WORK.
unset LD_LIBRARY_PATH PKG_CONFIG_PATH CMAKE_PREFIX_PATH PYTHONPATH
export WINEPREFIX=$WORK/wine-prefix

# Runs CMD ARGS… with the build folder out of reach: $ROOT/target replaced by an empty
# read-only tmpfs for CMD alone (a private mount namespace; nothing else sees it).
if unshare -m --propagation private true 2>/dev/null; then
  hide=1
  echo "build folder out of reach: each artifact program runs with $ROOT/target hidden (unshare -m)"
else
  hide=0
  echo "!!!!!!!! cannot hide the build folder (no unshare -m here): programs run with target/ visible !!!!!!!!"
fi
out_of_reach() {
  if [ "$hide" = 1 ]; then
    unshare -m --propagation private bash -c \
      'mount -t tmpfs -o size=64k,mode=0555,ro hearken-out-of-reach "$0" && exec "$@"' "$ROOT/target" "$@"
  else
    "$@"
  fi
}

apt_missing=()
command -v cmake >/dev/null || apt_missing+=(cmake)
command -v wine >/dev/null || apt_missing+=(wine wine64)
if [ ${#apt_missing[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${apt_missing[@]}" ||
    echo "apt: could not install ${apt_missing[*]}"
fi

# ---- Linux tarball ---------------------------------------------------------------------
step "linux tarball: pkg-config and CMake builds of examples/nightly_sync.c, SONAME, CLI"
TGZ=$DIST/hearken-$VERSION-linux-x86_64.tar.gz
tarball_ok() {
  mkdir -p "$WORK/tgz" && tar -C "$WORK/tgz" -xzf "$TGZ"
  local P=$WORK/tgz/hearken-$VERSION-linux-x86_64
  cp examples/nightly_sync.c "$WORK/app.c"
  readelf -d "$P/lib/libhearken.so" | has 'SONAME.*\[libhearken\.so\.1\]'
  readelf -d "$P/lib/libhearken.so" | grep SONAME
  [ -L "$P/lib/libhearken.so" ] && [ -L "$P/lib/libhearken.so.1" ]
  if readelf -S "$P/lib/libhearken.so" | has '\.debug_info'; then echo "not stripped"; return 1; fi
  # pkg-config, shared and static
  export PKG_CONFIG_PATH=$P/lib/pkgconfig
  (cd "$WORK" && gcc -std=c11 app.c $(pkg-config --cflags --libs hearken) -o app_pc)
  (cd "$WORK" && gcc -std=c11 app.c $(pkg-config --cflags hearken) "$P/lib/libhearken.a" \
    $(pkg-config --libs-only-l --static hearken | sed 's/-lhearken//') -o app_pc_static)
  unset PKG_CONFIG_PATH
  # CMake find_package(hearken)
  mkdir -p "$WORK/cm"
  cat >"$WORK/cm/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(hearken_user C CXX)
find_package(hearken 0.1 REQUIRED)
add_executable(app_cmake ../app.c)
target_link_libraries(app_cmake PRIVATE hearken::hearken)
add_executable(app_cmake_static ../app.c)
target_link_libraries(app_cmake_static PRIVATE hearken::hearken_static)
CMAKE
  cmake -S "$WORK/cm" -B "$WORK/cm/build" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$WORK/cm/build" >/dev/null
  # The shared builds find libhearken.so.1 in the unpacked copy only.
  ldd "$WORK/app_pc" | grep libhearken
  LD_LIBRARY_PATH=$P/lib ldd "$WORK/app_pc" | has "=> $P/lib/libhearken.so.1"
  if LD_LIBRARY_PATH=$P/lib ldd "$WORK/app_pc" | has "$ROOT"; then echo "resolves into the tree"; return 1; fi
  (cd "$WORK" && LD_LIBRARY_PATH=$P/lib out_of_reach ./app_pc >linux_pc.txt)
  (cd "$WORK" && out_of_reach ./app_pc_static >linux_static.txt)
  (cd "$WORK" && out_of_reach "$WORK/cm/build/app_cmake" >linux_cmake.txt) # CMake sets the rpath
  (cd "$WORK" && out_of_reach "$WORK/cm/build/app_cmake_static" >linux_cmake_static.txt)
  grep "survey #" "$WORK/linux_pc.txt" >"$WORK/linux_invitations.txt"
  [ -s "$WORK/linux_invitations.txt" ]
  for f in linux_static linux_cmake linux_cmake_static; do
    diff <(grep "survey #" "$WORK/$f.txt") "$WORK/linux_invitations.txt"
  done
  echo "$(wc -l <"$WORK/linux_invitations.txt") invitations, the same from all four builds"
  out_of_reach "$P/bin/hearken" --help | head -n 1
  out_of_reach "$P/bin/hearken" --db "$WORK/cli.db" locations add paris Paris "Romance Standard Time" >/dev/null
  out_of_reach "$P/bin/hearken" --db "$WORK/cli.db" locations list | has Europe/Paris
  tar -tzf "$DIST/hearken-$VERSION-linux-x86_64-debug.tar.gz" | has 'libhearken.so.*debug'
}
check "$(basename "$TGZ")" "checked: run" tarball_ok \
  "SONAME libhearken.so.1, stripped, debug info apart; examples/nightly_sync.c built with pkg-config (shared, static) and CMake find_package (hearken::hearken, hearken::hearken_static) prints the same invitations from all four; bin/hearken runs"

# ---- Windows zip -----------------------------------------------------------------------
ZIP=$DIST/hearken-$VERSION-windows-x86_64.zip
# A throw-away Wine prefix in $WORK with the test-only ProcessPrng stub.
wine_ready() {
  command -v "$WINE" >/dev/null || { echo "no wine"; return 1; }
  local sys32=$WINEPREFIX/drive_c/windows/system32
  if [ ! -f "$sys32/bcryptprimitives.dll.stub" ]; then
    "$WINE" wineboot -i >/dev/null 2>&1 || true
    x86_64-w64-mingw32-gcc -shared -O2 -o "$sys32/bcryptprimitives.dll" \
      scripts/wine/bcryptprimitives.c -ladvapi32
    touch "$sys32/bcryptprimitives.dll.stub"
  fi
  export WINEDLLOVERRIDES="bcryptprimitives=n"
}
if [ ! -f "$ZIP" ]; then
  verdict "hearken-$VERSION-windows-x86_64.zip" "skipped: target unavailable" 0
  echo "!!!!!!!! skipped: target unavailable: no Windows zip was built !!!!!!!!"
else
  step "windows zip: the C example under Wine vs Linux; MSVC import library"
  zip_ok() {
    mkdir -p "$WORK/zip" && (cd "$WORK/zip" && unzip -q "$ZIP")
    local P=$WORK/zip/hearken-$VERSION-windows-x86_64
    for f in bin/hearken.dll bin/hearken.exe lib/libhearken.dll.a lib/hearken.lib lib/hearken.def \
      lib/libhearken.a include/hearken.h; do [ -f "$P/$f" ] || { echo "missing $f"; return 1; }; done
    # Only system DLLs besides hearken.dll (no MinGW runtime DLL to ship beside it).
    local deps
    deps=$(x86_64-w64-mingw32-objdump -p "$P/bin/hearken.dll" | sed -n 's/^\tDLL Name: //p' | sort -u | tr '\n' ' ')
    echo "hearken.dll imports: $deps"
    if echo "$deps" | has -iE 'libgcc|libwinpthread|libstdc'; then echo "needs a MinGW runtime DLL"; return 1; fi
    mkdir -p "$WORK/winapp"
    x86_64-w64-mingw32-gcc -std=c11 -I"$P/include" "$WORK/app.c" -L"$P/lib" -lhearken \
      -o "$WORK/winapp/app.exe"
    x86_64-w64-mingw32-gcc -std=c11 -I"$P/include" "$WORK/app.c" "$P/lib/libhearken.a" \
      -lws2_32 -luserenv -lntdll -lbcrypt -ladvapi32 -o "$WORK/winapp/app_static.exe"
    cp "$P/bin/hearken.dll" "$WORK/winapp/"
    wine_ready
    (cd "$WORK/winapp" && out_of_reach "$WINE" app.exe | tr -d '\r' >win.txt)
    (cd "$WORK/winapp" && out_of_reach "$WINE" app_static.exe | tr -d '\r' >win_static.txt)
    diff <(grep "survey #" "$WORK/winapp/win.txt") "$WORK/linux_invitations.txt"
    diff <(grep "survey #" "$WORK/winapp/win_static.txt") "$WORK/linux_invitations.txt"
    echo "Wine: the same $(wc -l <"$WORK/linux_invitations.txt") invitations as on Linux (DLL and static)"
    # The CLI with drive-letter paths and backslashes.
    local exe=$P/bin/hearken.exe db='C:\users\Public\hearken-cli.db'
    (cd "$WORK/winapp" && out_of_reach "$WINE" "$exe" --db "$db" \
      locations add paris Paris "Romance Standard Time" >/dev/null &&
      out_of_reach "$WINE" "$exe" --db "$db" locations list | has Europe/Paris &&
      out_of_reach "$WINE" "$exe" --db "$db" --json settings show | has '"cooldown_months":3')
    local code=0
    out_of_reach "$WINE" "$exe" --db 'C:\users\Public\nowhere\hearken.db' locations list \
      2>"$WORK/winerr.txt" || code=$?
    tr -d '\r' <"$WORK/winerr.txt" | has -F 'no database at C:\users\Public\nowhere\hearken.db;'
    [ "$code" = 4 ]
    rm -f "$WINEPREFIX/drive_c/users/Public/hearken-cli.db"*
    echo "hearken.exe: C:\\ paths with backslashes (store created and read; a missing one named, exit 4)"
  }
  check "$(basename "$ZIP") (hearken.dll, libhearken.dll.a, libhearken.a, hearken.exe)" "checked: run" zip_ok \
    "under Wine 8.0, examples/nightly_sync.c linked with the MinGW import library and with the static library prints the same invitations as the Linux builds; hearken.exe takes C:\\ paths with backslashes"
  msvc_ok() {
    local P=$WORK/zip/hearken-$VERSION-windows-x86_64
    x86_64-w64-mingw32-objdump -t "$P/lib/hearken.lib" | grep -oE '__imp_hk_[A-Za-z0-9_]+' |
      sed 's/^__imp_//' | sort -u >"$WORK/lib_exports.txt"
    grep -oE '^ *hk_[A-Za-z0-9_]+' "$P/lib/hearken.def" | tr -d ' ' | sort -u >"$WORK/def_exports.txt"
    grep -oE '\bhk_[a-z0-9_]+\(' "$P/include/hearken.h" | tr -d '(' | sort -u >"$WORK/h_functions.txt"
    echo "hearken.lib (objdump -t): imports of $(wc -l <"$WORK/lib_exports.txt") hk_* functions from hearken.dll ($(head -n 3 "$WORK/lib_exports.txt" | tr '\n' ' ')…); hearken.def lists $(wc -l <"$WORK/def_exports.txt"), hearken.h declares $(wc -l <"$WORK/h_functions.txt")"
    [ "$(wc -l <"$WORK/lib_exports.txt")" -gt 50 ]
    diff "$WORK/lib_exports.txt" "$WORK/def_exports.txt"
    comm -23 "$WORK/h_functions.txt" "$WORK/lib_exports.txt" >"$WORK/missing.txt"
    [ ! -s "$WORK/missing.txt" ] || { echo "not in hearken.lib:"; cat "$WORK/missing.txt"; return 1; }
    # The DLL name the imports bind to (its .idata$7 entry).
    strings "$P/lib/hearken.lib" | has -x 'hearken.dll'
  }
  check "hearken.lib (MSVC import library)" "built, not run" msvc_ok \
    "objdump lists an import from hearken.dll for every hk_* function of hearken.h and hearken.def; no MSVC linker here to link a program with it"
  if [ "$run_windows_tests" = 1 ]; then
    step "windows: cargo test --release --target $WIN under Wine"
    wintest_ok() {
      wine_ready
      # The Wine server of the runs above lives in their mount namespace (target/ hidden):
      # wait for it to exit, so the test run starts one that sees the tree.
      wineserver -w 2>/dev/null || true
      # One persistent server for the whole run: between two test binaries an idle server
      # exits, and a client starting at that moment dies ("recvmsg: Connection reset").
      wineserver -p
      local rc=0
      CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$WINE nice -n 10 cargo test -q --release --target "$WIN" \
        --no-fail-fast >"$WORK/wintest.log" 2>&1 || rc=$?
      wineserver -k 2>/dev/null || true
      awk '/^test result/ { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) g += $i } n++ }
        END { printf "windows cargo test: %d test binaries, %d passed, %d failed, %d ignored\n", n, p, f, g }' "$WORK/wintest.log"
      [ "$rc" = 0 ] || { grep -E 'FAILED|panicked|^error' "$WORK/wintest.log" | head -n 30; tail -n 30 "$WORK/wintest.log"; return 1; }
      grep -q '^test result: ok' "$WORK/wintest.log"
    }
    check "the cargo test suite on Windows (Wine)" "checked: run" wintest_ok \
      "cargo test --release --target $WIN passes under Wine (the tests about Unix processes are cfg(unix): kill -9, two writers, the gcc C tests)"
  fi
fi

# ---- Python wheels -----------------------------------------------------------------------
step "python: the manylinux wheel in a fresh venv outside the tree; the win_amd64 wheel"
WHL=$(ls "$DIST"/hearken-"$VERSION"-*manylinux*x86_64.whl 2>/dev/null | head -n 1 || true)
wheel_ok() {
  [ -n "$WHL" ]
  python3 -m venv "$WORK/venv"
  "$WORK/venv/bin/pip" install -q --disable-pip-version-check "$WHL" pytest
  mkdir -p "$WORK/py/bindings/python" "$WORK/py/tests" "$WORK/py/examples"
  cp bindings/python/test_*.py "$WORK/py/bindings/python/"
  cp -r tests/golden "$WORK/py/tests/"
  cp examples/nightly_sync.py "$WORK/py/examples/"
  cd "$WORK/py"
  out_of_reach "$WORK/venv/bin/python" -c \
    'import hearken, sys; print("hearken from", hearken.__file__); sys.exit("/target/" in hearken.__file__)'
  out_of_reach "$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python | tail -n 1
  out_of_reach "$WORK/venv/bin/python" examples/nightly_sync.py --now 1795212000000 >example.txt
  echo "examples/nightly_sync.py: $(grep -c "survey" example.txt) lines about surveys"
  grep -q "survey" example.txt
}
check "$(basename "${WHL:-manylinux-wheel-missing}")" "checked: run" wheel_ok \
  "pip-installed into a fresh venv outside the tree; the Python tests of bindings/python and examples/nightly_sync.py pass against it"
WWHL=$(ls "$DIST"/hearken-"$VERSION"-*win_amd64.whl 2>/dev/null | head -n 1 || true)
if [ -z "$WWHL" ]; then
  verdict "win_amd64 wheel" "skipped: target unavailable" 0
else
  winwheel_ok() {
    python3 - "$WWHL" "$WORK/wheel-dll" <<'PY'
import base64, csv, hashlib, io, os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
wheel = next(n for n in names if n.endswith(".dist-info/WHEEL"))
tags = [l.split(": ", 1)[1] for l in z.read(wheel).decode().splitlines() if l.startswith("Tag: ")]
assert tags and all(t.endswith("-win_amd64") for t in tags), tags
dll = [n for n in names if n.endswith(".dll")]
assert len(dll) == 1 and z.read(dll[0])[:2] == b"MZ", dll
py = [n for n in names if n.endswith(".py") and n.startswith("hearken/")]
assert py, names
record = next(n for n in names if n.endswith(".dist-info/RECORD"))
listed = set()
for path, digest, size in csv.reader(io.StringIO(z.read(record).decode())):
    listed.add(path)
    if path == record:
        continue
    algo, want = digest.split("=", 1)
    got = base64.urlsafe_b64encode(hashlib.new(algo, z.read(path)).digest()).rstrip(b"=").decode()
    assert got == want and int(size) == len(z.read(path)), path
assert listed == set(names), set(names) ^ listed
os.makedirs(sys.argv[2], exist_ok=True)
with open(os.path.join(sys.argv[2], "hearken.dll"), "wb") as f:
    f.write(z.read(dll[0]))
print(f"tags {tags}, {dll[0]} (PE), RECORD lists and hashes all {len(names)} files")
PY
    local n
    n=$(x86_64-w64-mingw32-objdump -p "$WORK/wheel-dll/hearken.dll" | grep -c 'uniffi_hearken_fn_' || true)
    echo "the wheel's DLL exports $n uniffi_hearken_fn_* functions"
    [ "$n" -gt 20 ]
  }
  check "$(basename "$WWHL")" "built, not run" winwheel_ok \
    "win_amd64 tags, RECORD lists and hashes every file, one PE DLL inside exporting the uniffi functions; no Windows CPython here to run it"
fi

# ---- JVM jar ------------------------------------------------------------------------------
step "jvm: the Kotlin example from the jar alone (no -Djna.library.path)"
JAR=$DIST/hearken-$VERSION.jar
jar_ok() {
  mkdir -p "$WORK/jvm" && cp "$JAR" "$WORK/jvm/hearken.jar" && cp examples/NightlySync.kt "$WORK/jvm/"
  cp "$KOTLIN_HOME/lib/kotlin-stdlib.jar" "$WORK/jvm/"
  cd "$WORK/jvm"
  unzip -l hearken.jar | has 'linux-x86-64/libhearken.so'
  unzip -l hearken.jar | has 'META-INF/maven/com.hearken/hearken/pom.xml'
  "$KOTLIN_HOME/bin/kotlinc" -nowarn NightlySync.kt -cp hearken.jar:"$JNA" -d example.jar 2>&1
  out_of_reach java -cp example.jar:hearken.jar:"$JNA":kotlin-stdlib.jar \
    com.hearken.examples.NightlySyncKt "" 1795212000000 >example.txt
  grep -q "survey" example.txt
  echo "$(grep -c . example.txt) lines from the Kotlin example; JNA loaded $(unzip -l hearken.jar | grep -o 'linux-x86-64/libhearken.so')"
}
check "$(basename "$JAR") (linux-x86-64 native)" "checked: run" jar_ok \
  "examples/NightlySync.kt compiled against the jar runs with only the jar, jna.jar and kotlin-stdlib.jar on the class path (no -Djna.library.path)"
jarwin_ok() {
  unzip -p "$JAR" win32-x86-64/hearken.dll >"$WORK/jar-hearken.dll"
  [ "$(head -c 2 "$WORK/jar-hearken.dll")" = MZ ]
  local n
  n=$(x86_64-w64-mingw32-objdump -p "$WORK/jar-hearken.dll" | grep -c 'uniffi_hearken_fn_' || true)
  echo "win32-x86-64/hearken.dll: a PE exporting $n uniffi_hearken_fn_* functions"
  [ "$n" -gt 20 ]
  cmp "$WORK/jar-hearken.dll" "$WORK/zip/hearken-$VERSION-windows-x86_64/bin/hearken.dll"
  echo "byte-identical to the zip's bin/hearken.dll (the DLL run under Wine above)"
}
if [ ! -f "$ZIP" ]; then
  verdict "the jar's win32-x86-64 native" "skipped: target unavailable" 0
else
  check "$(basename "$JAR") (win32-x86-64/hearken.dll)" "built, not run" jarwin_ok \
    "a PE DLL in JNA's win32-x86-64/ layout exporting the uniffi functions, byte-identical to the zip's hearken.dll; no Windows JVM here"
fi

echo
echo "What each artifact proved:"
printf '%s\n' "${results[@]}"
echo "artifacts: $passed passed, $failed failed ($(($(date +%s) - started))s)"
[ "$failed" = 0 ]
