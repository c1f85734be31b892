#!/usr/bin/env python3
"""A host serving hearken's pages (M1, M2): a small web server on loopback, through the
Python bindings. hearken never opens a socket; this is the host's part.

    cargo build --release --lib
    ln -sf ../../target/release/libhearken.so bindings/python/
    python3 examples/serve_pages.py [--db PATH] [--port 8080] [--port-file FILE]

Routes (the links hearken puts in its messages start with the store's `link_base_url`,
set here to this server's address):

    GET  /s/{token}[?score=N]   survey_link_page: the first click records score N, then the
                                survey form (or the thanks once answered, or 410 expired)
    POST /s/{token}             submit_survey_form: the posted form, then the thanks
    GET  /r/{token}             the same for a receipt link
    GET  /u/{token}             unsubscribe_page: applies the unsubscribe, confirms it
    GET  /mail/{customer}       the HTML part of the e-mail hearken rendered for a customer
                                (a real host sends it by e-mail; shown here for the demo)
    GET  /                      the list of demo customers and their e-mails

The demo store has three locations (Paris "Café Élodie", Seoul "서울점", and one whose
name holds markup, to show it renders as text) and one invited customer per language.
hearken reads no clock: the demo runs on a scenario clock that starts at 10:00 in Paris
on 2026-11-21, when the invitations are due, and moves with real time; a real host passes
the current time.
"""

import argparse
import json
import signal
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

try:
    import hearken
except ImportError:  # run from a checkout: use the generated module in bindings/python
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bindings" / "python"))
    import hearken

NIGHT = 1_795_212_000_000  # 2026-11-20T22:00:00Z: 23:00 in Paris, the nightly sync
DUE = 1_795_251_600_000  # 2026-11-21T09:00:00Z: 10:00 in Paris, the invitations are due
SEOUL_NIGHT = 1_795_179_600_000  # 2026-11-20T14:00:00Z: 23:00 in Seoul
MAX_BODY = 64 * 1024

LOCATIONS = [
    hearken.Location(id="paris", name="Café Élodie", time_zone="Europe/Paris",
                     review_link="https://g.page/r/cafe-elodie/review"),
    hearken.Location(id="seoul", name="서울점", time_zone="Asia/Seoul",
                     review_link="https://g.page/r/seoul/review"),
    hearken.Location(id="lyon", name='<script>window.pwned=1</script> "Chez Bob"',
                     time_zone="Europe/Paris", review_link="https://g.page/r/lyon/review"),
]

# (location, customer id, name, language)
CUSTOMERS = [
    ("paris", "amy", "Amy O'Brien", "en"),
    ("paris", "amelie", "Amélie Dupont", "fr-FR"),
    ("seoul", "minjun", "김민준", "ko"),
    ("lyon", "eve", '<img src=x onerror="window.pwned=2"> Eve', "en"),
]


def batch(location):
    customers, sales = [], []
    for loc, cid, name, lang in CUSTOMERS:
        if loc != location:
            continue
        customers.append({"id": cid, "name": name, "email": f"{cid}@example.com",
                          "language": lang, "include_in_communications": True})
        offset = "+09:00" if location == "seoul" else "+01:00"
        sales.append({"id": f"t-{cid}", "customer": cid, "kind": "sale", "amount_minor": 4200,
                      "currency": "EUR", "finalized_at": f"2026-11-20T11:00:00{offset}"})
    return json.dumps({"format": 1, "location": location, "business_dates": ["2026-11-20"],
                       "customers": customers, "transactions": sales})


class Demo:
    """The store, the rendered e-mails by customer, and the scenario clock."""

    def __init__(self, db, base_url):
        self.engine = hearken.Engine(db) if db else hearken.Engine.open_in_memory()
        self.started = time.monotonic()
        self.mails = {}
        settings = self.engine.delivery_settings()
        settings.link_base_url = base_url
        self.engine.set_delivery_settings(settings)
        if not self.engine.locations():
            for loc in LOCATIONS:
                self.engine.upsert_location(loc)
            for loc in LOCATIONS:
                self.engine.sync_json(batch(loc.id),
                                      SEOUL_NIGHT if loc.id == "seoul" else NIGHT)
        for m in self.engine.claim(100, self.now()):
            self.mails[m.customer] = m
            self.engine.ack(m.message_id, self.now())

    def now(self):
        return DUE + int((time.monotonic() - self.started) * 1000)


def handler(demo):
    class Handler(BaseHTTPRequestHandler):
        def send(self, status, body, content_type="text/html; charset=utf-8"):
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            # The pages hold no script and load nothing: a strict policy costs nothing.
            self.send_header("Content-Security-Policy",
                             "default-src 'none'; style-src 'unsafe-inline'; "
                             "img-src 'self'; form-action 'self'")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def page(self, page):
            self.send(page.http_status, page.html)

        def fail(self, err):
            status = {hearken.HearkenError.NotFound: 404,
                      hearken.HearkenError.InvalidInput: 400,
                      hearken.HearkenError.Conflict: 409}.get(type(err), 500)
            self.send(status, f"<!doctype html><html lang=en><title>{status}</title>"
                              f"<main><h1>{status}</h1></main></html>")

        def route(self):
            url = urllib.parse.urlsplit(self.path)
            parts = url.path.strip("/").split("/")
            return parts[0] if parts else "", parts[1] if len(parts) > 1 else "", url.query

        def do_GET(self):  # noqa: N802 (http.server's name)
            kind, arg, query = self.route()
            try:
                if kind in ("s", "r"):
                    score = urllib.parse.parse_qs(query).get("score", [None])[0]
                    score = int(score) if score is not None and score.isdigit() else None
                    self.page(demo.engine.survey_link_page(arg, score, None, demo.now()))
                elif kind == "u":
                    self.page(demo.engine.unsubscribe_page(arg, demo.now()))
                elif kind == "mail" and arg in demo.mails:
                    self.send(200, demo.mails[arg].html_body)
                elif kind == "":
                    items = "".join(f'<li><a href="/mail/{c}">{c}</a></li>' for c in demo.mails)
                    self.send(200, f"<!doctype html><html lang=en><title>hearken demo</title>"
                                   f"<main><h1>Demo e-mails</h1><ul>{items}</ul></main></html>")
                else:
                    self.send(404, "<!doctype html><html lang=en><title>404</title></html>")
            except hearken.HearkenError as err:
                self.fail(err)

        def do_POST(self):  # noqa: N802
            kind, arg, _ = self.route()
            length = int(self.headers.get("Content-Length") or 0)
            if kind not in ("s", "r") or length > MAX_BODY:
                self.send(404 if length <= MAX_BODY else 413, "<!doctype html><title>no</title>")
                return
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            try:
                self.page(demo.engine.submit_survey_form(arg, body, demo.now()))
            except hearken.HearkenError as err:
                self.fail(err)

        def log_message(self, *args):  # quiet: the test prints what matters
            pass

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="store file (default: in memory)")
    ap.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    ap.add_argument("--port-file", help="write the chosen port here once listening")
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), None)
    port = server.server_address[1]
    demo = Demo(args.db, f"http://127.0.0.1:{port}")
    server.RequestHandlerClass = handler(demo)
    if args.port_file:
        Path(args.port_file).write_text(str(port))
    # SIGTERM (a service manager, the test) stops like Ctrl-C: the store is closed cleanly.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    print(f"serving hearken's pages on http://127.0.0.1:{port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        demo.engine.close_store()


if __name__ == "__main__":
    main()
