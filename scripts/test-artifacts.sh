#!/usr/bin/env bash
# Checks every artifact of target/dist/ (scripts/package.sh) the way a user meets it: from
# an unpacked copy in a temporary folder outside the tree, with nothing taken from target/
# (no LD_LIBRARY_PATH, rpath or -Djna.library.path pointing there; `ldd` must resolve
# libhearken from the unpacked copy). Prints one line per artifact, "checked: run" or
# "built, not run" (what cannot run on this Linux machine is checked structurally), and
# `artifacts: N passed, M failed` last.
#
#   scripts/package.sh && scripts/test-artifacts.sh [--no-windows-tests]
#
# Windows runs need Debian's wine64 (Wine 8.0). Rust's std calls ProcessPrng from
# bcryptprimitives.dll, which Wine 8.0 lacks: a test-only stub (scripts/wine/
# bcryptprimitives.c) goes into a throw-away Wine prefix under target/. Real Windows has it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
DIST=$ROOT/target/dist
WIN=x86_64-pc-windows-gnu
KOTLIN_HOME=$ROOT/tools/kotlin/node_modules/kotlin-compiler
JNA=/usr/share/java/jna.jar
WINE=$(command -v wine64 || echo /usr/lib/wine/wine64)
export WINEPREFIX=$ROOT/target/wine-prefix WINEDEBUG=-all
run_windows_tests=1
[ "${1:-}" = "--no-windows-tests" ] && run_windows_tests=0
started=$(date +%s)
passed=0
failed=0
results=()
step() { printf '\n== artifacts: %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }
verdict() { # ARTIFACT STATUS (run | built, not run | skipped: …) OK(0/1)
  if [ "$3" = 0 ]; then
    passed=$((passed + 1)); results+=("$2: $1")
  else
    failed=$((failed + 1)); results+=("FAILED ($2): $1")
  fi
  echo ">> $2: $1$([ "$3" = 0 ] || echo ' — FAILED')"
}
# Runs FN in a subshell with errexit really on (bash ignores it inside `if` conditions).
check() { # ARTIFACT STATUS FN
  set +e
  (set -e; "$3")
  local rc=$?
  set -e
  verdict "$1" "$2" "$rc"
}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hearken-artifacts.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# Nothing from the tree: no library path, and the unpacked copies live in $WORK.
unset LD_LIBRARY_PATH PKG_CONFIG_PATH CMAKE_PREFIX_PATH PYTHONPATH

apt_missing=()
command -v cmake >/dev/null || apt_missing+=(cmake)
[ -x "$WINE" ] || apt_missing+=(wine64)
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
  readelf -d "$P/lib/libhearken.so" | grep -q 'SONAME.*\[libhearken\.so\.1\]'
  readelf -d "$P/lib/libhearken.so" | grep SONAME
  [ -L "$P/lib/libhearken.so" ] && [ -L "$P/lib/libhearken.so.1" ]
  if readelf -S "$P/lib/libhearken.so" | grep -q '\.debug_info'; then echo "not stripped"; return 1; fi
  # pkg-config, shared and static
  export PKG_CONFIG_PATH=$P/lib/pkgconfig
  (cd "$WORK" && gcc -std=c11 app.c $(pkg-config --cflags --libs hearken) -o app_pc)
  (cd "$WORK" && gcc -std=c11 app.c $(pkg-config --cflags hearken) "$P/lib/libhearken.a" \
    $(pkg-config --libs-only-l --static hearken | sed 's/-lhearken//') -o app_pc_static)
  unset PKG_CONFIG_PATH
  # CMake find_package(hearken)
  mkdir -p "$WORK/cm"
  cat >"$WORK/cm/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(hearken_user C CXX)
find_package(hearken 0.1 REQUIRED)
add_executable(app_cmake ../app.c)
target_link_libraries(app_cmake PRIVATE hearken::hearken)
add_executable(app_cmake_static ../app.c)
target_link_libraries(app_cmake_static PRIVATE hearken::hearken_static)
EOF
  cmake -S "$WORK/cm" -B "$WORK/cm/build" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$WORK/cm/build" >/dev/null
  # The shared builds find libhearken.so.1 in the unpacked copy only.
  ldd "$WORK/app_pc" | grep libhearken
  LD_LIBRARY_PATH=$P/lib ldd "$WORK/app_pc" | grep -q "=> $P/lib/libhearken.so.1"
  if LD_LIBRARY_PATH=$P/lib ldd "$WORK/app_pc" | grep -q "$ROOT"; then echo "resolves into the tree"; return 1; fi
  (cd "$WORK" && LD_LIBRARY_PATH=$P/lib ./app_pc >linux_pc.txt)
  (cd "$WORK" && ./app_pc_static >linux_static.txt)
  (cd "$WORK" && "$WORK/cm/build/app_cmake" >linux_cmake.txt)   # CMake sets the rpath
  (cd "$WORK" && "$WORK/cm/build/app_cmake_static" >linux_cmake_static.txt)
  grep "survey #" "$WORK/linux_pc.txt" >"$WORK/linux_invitations.txt"
  [ -s "$WORK/linux_invitations.txt" ]
  for f in linux_static linux_cmake linux_cmake_static; do
    diff <(grep "survey #" "$WORK/$f.txt") "$WORK/linux_invitations.txt"
  done
  echo "$(wc -l <"$WORK/linux_invitations.txt") invitations, the same from all four builds"
  "$P/bin/hearken" --help | head -n 1
  "$P/bin/hearken" --db "$WORK/cli.db" locations add paris Paris "Romance Standard Time" >/dev/null
  "$P/bin/hearken" --db "$WORK/cli.db" locations list | grep -q Europe/Paris
  tar -tzf "$DIST/hearken-$VERSION-linux-x86_64-debug.tar.gz" | grep -q 'libhearken.so.*debug'
}
check "$(basename "$TGZ")" "checked: run" tarball_ok

# ---- Windows zip -----------------------------------------------------------------------
ZIP=$DIST/hearken-$VERSION-windows-x86_64.zip
wine_ready() {
  [ -x "$WINE" ] || return 1
  if [ ! -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll.stub" ]; then
    "$WINE" wineboot -i >/dev/null 2>&1 || true
    x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
      scripts/wine/bcryptprimitives.c -ladvapi32
    touch "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll.stub"
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
    mkdir -p "$WORK/winapp"
    x86_64-w64-mingw32-gcc -std=c11 -I"$P/include" "$WORK/app.c" -L"$P/lib" -lhearken \
      -o "$WORK/winapp/app.exe"
    x86_64-w64-mingw32-gcc -std=c11 -I"$P/include" "$WORK/app.c" "$P/lib/libhearken.a" \
      -lws2_32 -luserenv -lntdll -lbcrypt -ladvapi32 -o "$WORK/winapp/app_static.exe"
    cp "$P/bin/hearken.dll" "$WORK/winapp/"
    wine_ready
    (cd "$WORK/winapp" && "$WINE" app.exe | tr -d '\r' >win.txt)
    (cd "$WORK/winapp" && "$WINE" app_static.exe | tr -d '\r' >win_static.txt)
    diff <(grep "survey #" "$WORK/winapp/win.txt") "$WORK/linux_invitations.txt"
    diff <(grep "survey #" "$WORK/winapp/win_static.txt") "$WORK/linux_invitations.txt"
    echo "Wine: the same $(wc -l <"$WORK/linux_invitations.txt") invitations as on Linux (DLL and static)"
    # The CLI with a drive-letter path and backslashes.
    (cd "$WORK/winapp" && "$WINE" "$P/bin/hearken.exe" --db 'C:\users\Public\hearken-cli.db' \
      locations add paris Paris "Romance Standard Time" >/dev/null &&
      "$WINE" "$P/bin/hearken.exe" --db 'C:\users\Public\hearken-cli.db' locations list | grep -q Europe/Paris)
    rm -f "$WINEPREFIX/drive_c/users/Public/hearken-cli.db"
    echo "hearken.exe: C:\\ path with backslashes, Windows zone name stored as Europe/Paris"
  }
  check "$(basename "$ZIP") (hearken.dll, libhearken.dll.a, libhearken.a, hearken.exe)" "checked: run" zip_ok
  msvc_ok() {
    local L=$WORK/zip/hearken-$VERSION-windows-x86_64/lib/hearken.lib
    local n; n=$(x86_64-w64-mingw32-nm "$L" | grep -c ' T hk_' || true)
    local d; d=$(grep -c '^ *hk_' "$WORK/zip/hearken-$VERSION-windows-x86_64/lib/hearken.def" || true)
    echo "hearken.lib: $n hk_* exports (hearken.def lists $d)"
    [ "$n" -gt 50 ] && [ "$n" = "$d" ]
    x86_64-w64-mingw32-objdump -a "$L" | grep -q 'hearken.dll'
  }
  check "hearken.lib (MSVC import library)" "built, not run" msvc_ok
  if [ "$run_windows_tests" = 1 ]; then
    step "windows: cargo test --release --target $WIN under Wine"
    wintest_ok() {
      wine_ready
      CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$WINE cargo test -q --release --target "$WIN" \
        2>&1 | tee "$WORK/wintest.log" | grep -E '^test result|FAILED|panicked' || true
      if grep -qE 'FAILED|error:' "$WORK/wintest.log"; then return 1; fi
      grep -q '^test result: ok' "$WORK/wintest.log"
    }
    check "the cargo test suite on Windows (Wine)" "checked: run" wintest_ok
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
  "$WORK/venv/bin/python" -c 'import hearken, sys; print("hearken from", hearken.__file__); sys.exit("/target/" in hearken.__file__)'
  "$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider bindings/python | tail -n 1
  "$WORK/venv/bin/python" examples/nightly_sync.py --now 1795212000000 >example.txt
  grep -c "survey" example.txt >/dev/null
}
check "$(basename "${WHL:-manylinux-wheel-missing}")" "checked: run" wheel_ok
WWHL=$(ls "$DIST"/hearken-"$VERSION"-*win_amd64.whl 2>/dev/null | head -n 1 || true)
if [ -z "$WWHL" ]; then
  verdict "win_amd64 wheel" "skipped: target unavailable" 0
else
  winwheel_ok() {
    "$ROOT/target/tools/py/bin/python" - "$WWHL" <<'EOF'
import base64, csv, hashlib, io, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
wheel = next(n for n in names if n.endswith(".dist-info/WHEEL"))
tags = [l.split(": ", 1)[1] for l in z.read(wheel).decode().splitlines() if l.startswith("Tag: ")]
assert tags and all(t.endswith("-win_amd64") for t in tags), tags
dll = [n for n in names if n.endswith(".dll")]
assert dll and any(z.read(n)[:2] == b"MZ" for n in dll), dll
assert any(n.endswith(".py") and n.startswith("hearken/") for n in names), names
record = next(n for n in names if n.endswith(".dist-info/RECORD"))
for path, digest, size in csv.reader(io.StringIO(z.read(record).decode())):
    if path == record:
        continue
    algo, want = digest.split("=", 1)
    got = base64.urlsafe_b64encode(hashlib.new(algo, z.read(path)).digest()).rstrip(b"=").decode()
    assert got == want and int(size) == len(z.read(path)), path
print(f"tags {tags}, {dll}, RECORD verified ({len(names)} files)")
EOF
  }
  check "$(basename "$WWHL")" "built, not run" winwheel_ok
fi

# ---- JVM jar ------------------------------------------------------------------------------
step "jvm: the Kotlin example from the jar alone (no -Djna.library.path)"
JAR=$DIST/hearken-$VERSION.jar
jar_ok() {
  mkdir -p "$WORK/jvm" && cp "$JAR" "$WORK/jvm/hearken.jar" && cp examples/NightlySync.kt "$WORK/jvm/"
  cd "$WORK/jvm"
  unzip -l hearken.jar | grep -q 'linux-x86-64/libhearken.so'
  unzip -l hearken.jar | grep -q 'META-INF/maven/com.hearken/hearken/pom.xml'
  "$KOTLIN_HOME/bin/kotlinc" -nowarn NightlySync.kt -cp hearken.jar:"$JNA" -d example.jar 2>&1
  java -cp example.jar:hearken.jar:"$JNA":"$KOTLIN_HOME/lib/kotlin-stdlib.jar" \
    com.hearken.examples.NightlySyncKt "" 1795212000000 >example.txt
  grep -c "survey" example.txt >/dev/null
  echo "$(grep -c . example.txt) lines from the Kotlin example; JNA loaded $(unzip -l hearken.jar | grep -o 'linux-x86-64/libhearken.so')"
}
check "$(basename "$JAR") (linux-x86-64 native)" "checked: run" jar_ok
jarwin_ok() {
  unzip -p "$JAR" win32-x86-64/hearken.dll | head -c 2 | grep -q MZ
}
if [ ! -f "$ZIP" ]; then verdict "the jar's win32-x86-64 native" "skipped: target unavailable" 0
else check "$(basename "$JAR") (win32-x86-64/hearken.dll)" "built, not run" jarwin_ok; fi

echo
printf '%s\n' "${results[@]}"
echo "artifacts: $passed passed, $failed failed ($(($(date +%s) - started))s)"
[ "$failed" = 0 ]
