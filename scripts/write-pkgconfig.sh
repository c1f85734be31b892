#!/usr/bin/env bash
# Writes hearken.pc (shared library) and hearken-static.pc (static library) from
# hearken.pc.in into OUTDIR, for hearken installed (or built) under PREFIX.
#
#   scripts/write-pkgconfig.sh OUTDIR PREFIX [LIBDIR] [INCLUDEDIR]
#
# LIBDIR defaults to PREFIX/lib, INCLUDEDIR to PREFIX/include. With OUTDIR on
# PKG_CONFIG_PATH (e.g. LIBDIR/pkgconfig):
#   cc app.c $(pkg-config --cflags --libs hearken)                 links libhearken.so
#   cc app.c $(pkg-config --cflags --libs --static hearken-static)  links libhearken.a
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 4 ]; then
    echo "usage: $0 OUTDIR PREFIX [LIBDIR] [INCLUDEDIR]" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
outdir=$1
prefix=$2
libdir=${3:-$prefix/lib}
includedir=${4:-$prefix/include}
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)
mkdir -p "$outdir"
fill() { # NAME LIBS
    sed -e "s|@PREFIX@|$prefix|g" -e "s|@LIBDIR@|$libdir|g" -e "s|@INCLUDEDIR@|$includedir|g" \
        -e "s|@VERSION@|$version|g" -e "s|@NAME@|$1|g" -e "s|@LIBS@|$2|g" "$root/hearken.pc.in"
}
fill hearken '-L${libdir} -lhearken' > "$outdir/hearken.pc"
fill hearken-static '${libdir}/libhearken.a' > "$outdir/hearken-static.pc"
