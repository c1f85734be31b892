#!/usr/bin/env bash
# Generates the Kotlin, Swift and Python bindings into bindings/ from the built library.
#
#   cargo build --release --lib        # first: the library the bindings describe
#   scripts/gen-bindings.sh            # write bindings/{kotlin,swift,python}
#   scripts/gen-bindings.sh --check    # regenerate into a temp dir; fail with a diff on drift
#
# Environment:
#   LIB_DIR  directory holding libhearken.so (default target/release)
#   BINDGEN  the uniffi-bindgen binary (default target/debug/uniffi-bindgen). If it is
#            missing it is built with `cargo build --features cli --bin uniffi-bindgen`, a
#            cargo command of its own: the library itself is never built with `cli`.
#            REBUILD_BINDGEN=1 forces that build. Reusing an existing binary is sound: its
#            output depends only on the pinned uniffi version and the library it reads.
#
# Everything is generated with --no-format, so the output does not depend on whether
# ktlint, swiftformat or a Python formatter happens to be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

LIB_DIR=${LIB_DIR:-target/release}
LIB="$LIB_DIR/libhearken.so"
BINDGEN=${BINDGEN:-target/debug/uniffi-bindgen}

if [[ ! -f "$LIB" ]]; then
  echo "gen-bindings: $LIB not found; run: cargo build --release --lib" >&2
  exit 2
fi
if [[ ! -x "$BINDGEN" || "${REBUILD_BINDGEN:-0}" == 1 ]]; then
  echo "gen-bindings: building uniffi-bindgen (separate from the library build)" >&2
  cargo build --features cli --bin uniffi-bindgen
  BINDGEN=target/debug/uniffi-bindgen
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for lang in kotlin swift python; do
  "$BINDGEN" generate "$LIB" --language "$lang" --no-format --out-dir "$out/$lang" >/dev/null
done
# Double-free and use-after-free safety for the Python finalisers (T8).
python3 scripts/harden-python-bindings.py "$out/python/hearken.py"

# Each generated file, relative to its language directory (tests live beside them).
mapfile -t generated < <(cd "$out" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)

if [[ "$mode" == check ]]; then
  drift=0
  for f in "${generated[@]}"; do
    if ! diff -u "bindings/$f" "$out/$f"; then
      drift=1
    fi
  done
  if [[ "$drift" != 0 ]]; then
    echo "gen-bindings: committed bindings differ from the library; run scripts/gen-bindings.sh" >&2
    exit 1
  fi
  echo "gen-bindings: ${#generated[@]} generated files up to date"
else
  for f in "${generated[@]}"; do
    mkdir -p "bindings/$(dirname "$f")"
    cp "$out/$f" "bindings/$f"
  done
  printf 'gen-bindings: wrote bindings/%s\n' "${generated[@]}"
fi
