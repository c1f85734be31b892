#!/usr/bin/env bash
# Builds the release artifacts into target/dist/:
#
#   hearken-VERSION-linux-x86_64.tar.gz        include/, lib/ (libhearken.so.1 SONAME'd with
#                                              its symlinks, libhearken.a, pkgconfig/hearken.pc,
#                                              cmake/hearken/), bin/hearken; stripped
#   hearken-VERSION-linux-x86_64-debug.tar.gz  the separate debug info (.debug files)
#   hearken-VERSION-windows-x86_64.zip         bin/hearken.dll, bin/hearken.exe, lib/libhearken.dll.a
#                                              (MinGW), lib/hearken.lib + lib/hearken.def (MSVC),
#                                              lib/libhearken.a, include/hearken.h
#   hearken-VERSION-*-manylinux_2_17_x86_64.whl and hearken-VERSION-*-win_amd64.whl
#   hearken-VERSION.jar + hearken-VERSION.pom  Kotlin bindings with linux-x86-64/ and
#                                              win32-x86-64/ natives (JNA's resource layout)
#
# scripts/test-artifacts.sh then checks each one from an unpacked copy.
# Tools are pinned and cached under target/tools: cargo-c 0.10.24, maturin 1.16.0 with
# ziglang 0.14.1 and wheel 0.45.1, kotlin-compiler 2.4.20 (tools/kotlin, shared with test-bindings.sh).
# The Windows parts need `rustup target add x86_64-pc-windows-gnu` (rustup's own server,
# not a package registry) and Debian's gcc-mingw-w64-x86-64; without them they print
# "skipped: target unavailable" and the rest is built.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
DIST=$ROOT/target/dist
TOOLS=$ROOT/target/tools
WIN=x86_64-pc-windows-gnu
CARGO_C_VERSION=0.10.24
MATURIN_VERSION=1.16.0
ZIGLANG_VERSION=0.14.1
WHEEL_VERSION=0.45.1
KOTLIN_VERSION=2.4.20
KOTLIN_HOME=$ROOT/tools/kotlin/node_modules/kotlin-compiler
JNA=/usr/share/java/jna.jar
started=$(date +%s)
step() { printf '\n== package: %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }
# The first of the given paths that exists (cargo-c's output names vary by version).
first_of() {
  for f in "$@"; do
    if [ -e "$f" ]; then echo "$f"; return 0; fi
  done
  echo "package: none of $* exists" >&2
  return 1
}
rm -rf "$DIST"
mkdir -p "$DIST" "$TOOLS"
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/hearken-package.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

step "tools"
apt_missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || apt_missing+=(gcc-mingw-w64-x86-64)
command -v zip >/dev/null || apt_missing+=(zip)
command -v unzip >/dev/null || apt_missing+=(unzip)
command -v jar >/dev/null || apt_missing+=(default-jdk-headless)
[ -f "$JNA" ] || apt_missing+=(libjna-java)
if [ ${#apt_missing[@]} -gt 0 ]; then
  echo "apt: ${apt_missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${apt_missing[@]}" ||
    echo "apt: could not install ${apt_missing[*]}"
fi
if ! "$TOOLS/bin/cargo-cinstall" --version 2>/dev/null | grep -q "$CARGO_C_VERSION"; then
  echo "building cargo-c $CARGO_C_VERSION into target/tools (once; ~11-25 min)"
  nice -n 10 cargo install -q cargo-c --version "$CARGO_C_VERSION" --locked --root "$TOOLS"
fi
export PATH="$TOOLS/bin:$PATH"
PY=$TOOLS/py/bin/python
if ! "$PY" -m maturin --version 2>/dev/null | grep -q "$MATURIN_VERSION" ||
  ! "$PY" -m ziglang version 2>/dev/null | grep -q "$ZIGLANG_VERSION" ||
  ! "$PY" -m wheel version 2>/dev/null | grep -q "$WHEEL_VERSION"; then
  python3 -m venv "$TOOLS/py"
  "$PY" -m pip install -q --disable-pip-version-check "maturin==$MATURIN_VERSION" \
    "ziglang==$ZIGLANG_VERSION" "wheel==$WHEEL_VERSION"
fi
if [[ ! -x "$KOTLIN_HOME/bin/kotlinc" ]] ||
  ! grep -q "\"version\": \"$KOTLIN_VERSION\"" "$KOTLIN_HOME/package.json"; then
  npm install --prefix "$ROOT/tools/kotlin" --no-audit --no-fund --loglevel=error \
    "kotlin-compiler@$KOTLIN_VERSION" >/dev/null
fi
windows=1
if ! rustup target list --installed 2>/dev/null | grep -qx "$WIN"; then
  rustup target add "$WIN" || true
fi
if ! rustup target list --installed 2>/dev/null | grep -qx "$WIN" ||
  ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
  windows=0
  echo "!!!!!!!! skipped: target unavailable ($WIN or mingw-w64): no Windows zip, wheel or DLL in the jar !!!!!!!!"
fi
echo "cargo-c $CARGO_C_VERSION, maturin $MATURIN_VERSION, ziglang $ZIGLANG_VERSION, kotlinc $KOTLIN_VERSION, windows=$windows"

# Splits the debug info of FILE into DEBUGDIR/NAME.debug, strips FILE and links the two.
split_debug() { # OBJCOPY STRIP FILE DEBUGDIR
  local objcopy=$1 strip=$2 file=$3 dbg=$4/$(basename "$3").debug
  "$objcopy" --only-keep-debug "$file" "$dbg"
  "$strip" --strip-debug --strip-unneeded "$file"
  "$objcopy" --add-gnu-debuglink="$dbg" "$file"
}

step "linux: cargo cinstall (libhearken.so.1, .a, .pc, header) and the CLI"
cargo cinstall --release --prefix=/usr --libdir=lib --destdir "$STAGE/linux"
cargo build -q --release --bin hearken
PKG=$STAGE/hearken-$VERSION-linux-x86_64
DBG=$STAGE/hearken-$VERSION-linux-x86_64-debug
mkdir -p "$PKG/bin" "$PKG/lib/cmake/hearken" "$DBG"
cp -a "$STAGE/linux/usr/include" "$STAGE/linux/usr/lib" "$PKG/"
cp target/release/hearken "$PKG/bin/"
so=$(cd "$PKG/lib" && ls libhearken.so.*.*.* | head -n 1)
for f in "$PKG/lib/$so" "$PKG/bin/hearken"; do split_debug objcopy strip "$f" "$DBG"; done
strip --strip-debug "$PKG/lib/libhearken.a"
# Relocatable: the .pc finds the tree it was unpacked into.
sed -i -e 's|^prefix=.*|prefix=${pcfiledir}/../..|' -e 's|^exec_prefix=.*|exec_prefix=${prefix}|' \
  -e 's|^libdir=.*|libdir=${prefix}/lib|' -e 's|^includedir=.*|includedir=${prefix}/include|' \
  "$PKG/lib/pkgconfig/hearken.pc"
libs_private=$(sed -n 's/^Libs.private: *//p' "$PKG/lib/pkgconfig/hearken.pc" | tr " " ";")
sed -e "s|@VERSION@|$VERSION|g" -e "s|@LIBS_PRIVATE@|$libs_private|g" \
  scripts/cmake/hearkenConfig.cmake.in >"$PKG/lib/cmake/hearken/hearkenConfig.cmake"
sed -e "s|@VERSION@|$VERSION|g" scripts/cmake/hearkenConfigVersion.cmake.in \
  >"$PKG/lib/cmake/hearken/hearkenConfigVersion.cmake"
cp README.md "$PKG/"
tar -C "$STAGE" -czf "$DIST/hearken-$VERSION-linux-x86_64.tar.gz" "$(basename "$PKG")"
tar -C "$STAGE" -czf "$DIST/hearken-$VERSION-linux-x86_64-debug.tar.gz" "$(basename "$DBG")"
readelf -d "$PKG/lib/$so" | grep SONAME

if [ "$windows" = 1 ]; then
  step "windows: cargo cinstall --target $WIN (hearken.dll, .def, .dll.a), MSVC import lib, the CLI"
  cargo cinstall --release --target "$WIN" --prefix=/ --destdir "$STAGE/win"
  cargo build -q --release --target "$WIN" --bin hearken
  WPKG=$STAGE/hearken-$VERSION-windows-x86_64
  mkdir -p "$WPKG/bin" "$WPKG/lib" "$WPKG/include"
  cp "$STAGE/win/bin/hearken.dll" "$WPKG/bin/"
  cp "target/$WIN/release/hearken.exe" "$WPKG/bin/"
  # cargo-c names the import library hearken.dll.a; MinGW's -lhearken finds either name,
  # the zip carries the conventional libhearken.dll.a.
  implib=$(first_of "$STAGE/win/lib/libhearken.dll.a" "$STAGE/win/lib/hearken.dll.a")
  cp "$implib" "$WPKG/lib/libhearken.dll.a"
  staticlib=$(first_of "$STAGE/win/lib/libhearken.a" "$STAGE/win/lib/hearken.a" "target/$WIN/release/libhearken.a")
  cp "$staticlib" "$WPKG/lib/libhearken.a"
  def=$(first_of "$STAGE/win/lib/hearken.def" "target/$WIN/release/hearken.def" \
    "target/$WIN/release/deps/hearken.def")
  cp "$def" "$WPKG/lib/hearken.def"
  cp include/hearken.h "$WPKG/include/"
  mkdir -p "$STAGE/windbg"
  for f in "$WPKG/bin/hearken.dll" "$WPKG/bin/hearken.exe"; do
    split_debug x86_64-w64-mingw32-objcopy x86_64-w64-mingw32-strip "$f" "$STAGE/windbg"
  done
  # rustc leaves empty split-DWARF members (*.dwo, no sections) in the Windows archive;
  # they hold no code and make strip fail, so they go first.
  dwo=$(x86_64-w64-mingw32-ar t "$WPKG/lib/libhearken.a" 2>/dev/null | grep '\.dwo$' || true)
  if [ -n "$dwo" ]; then
    # shellcheck disable=SC2086 # one member name per word
    x86_64-w64-mingw32-ar d "$WPKG/lib/libhearken.a" $dwo 2>/dev/null
  fi
  x86_64-w64-mingw32-strip --strip-debug "$WPKG/lib/libhearken.a" 2>/dev/null
  # The MSVC import library, from the .def (on Windows `lib /def:hearken.def /machine:x64`
  # gives the same).
  # Run in lib/: dlltool names the library's members after the output path.
  (cd "$WPKG/lib" && x86_64-w64-mingw32-dlltool -m i386:x86-64 -d hearken.def -D hearken.dll \
    -l hearken.lib)
  cp README.md "$WPKG/"
  (cd "$STAGE" && zip -qr "$DIST/hearken-$VERSION-windows-x86_64.zip" "$(basename "$WPKG")")
fi

# maturin generates the Python module itself; the wheel gets the committed one instead,
# the same uniffi output plus scripts/harden-python-bindings.py (T8), drift-checked by
# scripts/gen-bindings.sh --check and the one every Python test runs. `wheel pack`
# rewrites RECORD with the new hashes.
harden_wheel() {
  local whl dir
  # shellcheck disable=SC2086 # $1 is a glob
  for whl in "$DIST"/hearken-"$VERSION"-*$1.whl; do
    [ -f "$whl" ] || continue
    dir=$(mktemp -d "$STAGE/wheel.XXXXXX")
    "$PY" -m wheel unpack -d "$dir" "$whl" >/dev/null
    cp bindings/python/hearken.py "$dir/hearken-$VERSION/hearken/hearken.py"
    rm "$whl"
    "$PY" -m wheel pack -d "$DIST" "$dir/hearken-$VERSION" >/dev/null
  done
}

step "python: manylinux2014 wheel (maturin --zig)"
# The venv's bin/ first: maturin --zig runs zig as `python3 -m ziglang` found on PATH.
# No debug info, but the symbol table kept (STRIP=none): uniffi-bindgen reads the
# bindings' metadata from it, and zig turns Cargo's default strip=debuginfo into a full strip.
PATH="$TOOLS/py/bin:$PATH" CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=none nice -n 10 "$PY" -m maturin build -q --release --zig --compatibility manylinux2014 -o "$DIST" ||
  echo "!!!!!!!! package: the manylinux wheel failed to build !!!!!!!!"
harden_wheel "manylinux*x86_64"
if [ "$windows" = 1 ]; then
  step "python: win_amd64 wheel (maturin --target $WIN)"
  CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=none nice -n 10 "$PY" -m maturin build -q --release --target "$WIN" -o "$DIST" ||
    echo "!!!!!!!! package: the win_amd64 wheel failed to build !!!!!!!!"
  harden_wheel win_amd64
fi

step "jvm: jar with the Kotlin bindings and the natives in JNA's layout, and its POM"
JAR=$DIST/hearken-$VERSION.jar
mkdir -p "$STAGE/jar/linux-x86-64" "$STAGE/jar/META-INF/maven/com.hearken/hearken"
"$KOTLIN_HOME/bin/kotlinc" -nowarn bindings/kotlin/com/hearken/hearken.kt -cp "$JNA" -d "$STAGE/classes.jar"
cp "$PKG/lib/$so" "$STAGE/jar/linux-x86-64/libhearken.so"
if [ "$windows" = 1 ]; then
  mkdir -p "$STAGE/jar/win32-x86-64"
  cp "$WPKG/bin/hearken.dll" "$STAGE/jar/win32-x86-64/hearken.dll"
fi
sed -e "s|@VERSION@|$VERSION|g" scripts/jvm/pom.xml.in >"$DIST/hearken-$VERSION.pom"
cp "$DIST/hearken-$VERSION.pom" "$STAGE/jar/META-INF/maven/com.hearken/hearken/pom.xml"
cp "$STAGE/classes.jar" "$JAR"
(cd "$STAGE/jar" && jar uf "$JAR" .)

step "done"
ls -l "$DIST"
