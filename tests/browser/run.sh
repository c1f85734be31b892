#!/usr/bin/env bash
# The browser test of what the customer sees (M1-M4), as a customer meets it. Needs the
# release library (cargo build --release --lib) and the hearken CLI (debug build).
#
# Installs what is missing, skipping what is there: Debian's chromium (apt-get update
# first) and the pinned npm packages playwright-core and axe-core into
# target/browser-tools (a re-run reuses them). Serves the demo store with
# examples/serve_pages.py on loopback, drives chromium through tests/browser/customer.cjs,
# then checks the store with tests/browser/check_store.py. Screenshots go to
# target/browser/shots; UPDATE_SCREENSHOTS=1 copies the documented ones to docs/pages/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PLAYWRIGHT_VERSION=1.49.1
AXE_VERSION=4.10.2
TOOLS="$ROOT/target/browser-tools"
OUT="$ROOT/target/browser"
LIB_DIR=${LIB_DIR:-target/release}
started=$(date +%s)

if ! command -v chromium >/dev/null; then
  echo "installing chromium (apt-get)"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk
fi
# Korean text needs a CJK font to render (the screenshots, and the overflow measure).
if ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends fonts-noto-cjk
fi
want="playwright-core@$PLAYWRIGHT_VERSION axe-core@$AXE_VERSION"
if [[ "$(cat "$TOOLS/installed" 2>/dev/null)" != "$want" ]]; then
  echo "installing $want (npm, into $TOOLS)"
  rm -rf "$TOOLS" && mkdir -p "$TOOLS"
  # shellcheck disable=SC2086
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error $want >/dev/null
  echo "$want" > "$TOOLS/installed"
fi

rm -rf "$OUT" && mkdir -p "$OUT/shots"
ln -sf "$(cd "$LIB_DIR" && pwd)/libhearken.so" bindings/python/libhearken.so
# The static pages (every page, every language) as the operator's CLI writes them.
cargo run -q --bin hearken -- --db "$OUT/preview.db" locations add paris "Café Élodie" Europe/Paris >/dev/null
cargo run -q --bin hearken -- --db "$OUT/preview.db" pages render --location paris --out "$OUT/preview"

python3 examples/serve_pages.py --db "$OUT/store.db" --port 0 --port-file "$OUT/port" \
  > "$OUT/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -s "$OUT/port" ]] && break; sleep 0.1; done
[[ -s "$OUT/port" ]] || { cat "$OUT/server.log"; echo "the demo server did not start" >&2; exit 1; }
status=0
HK_BROWSER_TOOLS="$TOOLS" node tests/browser/customer.cjs "http://127.0.0.1:$(cat "$OUT/port")" \
  "$OUT/shots" "$OUT/preview" || status=1
kill -TERM $server
wait $server 2>/dev/null || true
trap - EXIT
python3 tests/browser/check_store.py "$OUT/store.db" || status=1

if [[ "${UPDATE_SCREENSHOTS:-0}" == 1 ]]; then
  mkdir -p docs/pages
  for s in en-email-360 en-email-1280 en-survey-360 en-survey-1280 en-thank-you-360 \
           en-thank-you-1280 en-unsubscribed-360 fr-survey-360 fr-thank-you-360 \
           ko-email-360 ko-survey-360 ko-thank-you-360 ko-unsubscribed-360 \
           en-markup-survey-360; do
    cp "$OUT/shots/$s.png" docs/pages/
  done
  echo "copied the documented screenshots to docs/pages/"
fi
echo "browser step: $(($(date +%s) - started)) s"
exit $status
