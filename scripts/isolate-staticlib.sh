#!/usr/bin/env bash
# Makes a static hearken whose only global symbols are the C door's hk_*: the bundled
# SQLite (and Rust's runtime) become local, so a host can link its own SQLite beside it.
#
#   scripts/isolate-staticlib.sh [LIBHEARKEN_A] [OUT_A]
#   (defaults: target/release/libhearken.a, target/release/libhearken_isolated.a)
#
# It links the archive into one relocatable object (ld -r), localises every symbol but
# hk_* (objcopy), and archives that object. The embedded LLVM bitcode sections are dropped:
# nothing needs them, and binutils' LLVM plugin would choke on them. See docs/c-api.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
in=${1:-$root/target/release/libhearken.a}
out=${2:-$(dirname "$in")/libhearken_isolated.a}
LD=${LD:-ld}
OBJCOPY=${OBJCOPY:-objcopy}
AR=${AR:-ar}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$LD" -r --whole-archive "$in" -o "$work/hearken.o"
"$OBJCOPY" --remove-section=.llvmbc --remove-section=.llvmcmd \
    --wildcard --keep-global-symbol='hk_*' "$work/hearken.o" "$work/hearken_isolated.o"
rm -f "$out"
"$AR" rcs "$out" "$work/hearken_isolated.o"
echo "$out"
