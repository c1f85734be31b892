#!/usr/bin/env python3
"""The M4 oracle: a name never changes the markup hearken writes.

Reads the JSON lines of `cargo run --release --example markup_fuzz -- CASES [SEED]` (a
file argument, or standard input) and, for each case, tokenizes the plain-name and the
hostile-name renderings with html5lib, a real HTML5 tokenizer driven by its parser (so
<script>, <style>, <title> and <textarea> switch it the way a browser does). The token
sequence compared is the markup: start tags with their attribute names, end tags,
comments and doctypes; text is not compared. A case whose sequences differ is printed
with its names and the first difference, and the script exits 1.

    python3 scripts/markup-oracle.py cases.jsonl
    python3 scripts/markup-oracle.py --self-test   # the oracle sees the issue's attack

Needs html5lib (pip install html5lib==1.1).
"""

import json
import sys

from html5lib import _tokenizer, constants, html5parser

TYPES = {v: k for k, v in constants.tokenTypes.items()}

_recorded = None


class _RecordingTokenizer(_tokenizer.HTMLTokenizer):
    """The parser's own tokenizer, recording each token as the parser consumes it."""

    def __iter__(self):
        for token in super().__iter__():
            if _recorded is not None:
                _recorded.append(_markup(token))
            yield token


class _Parser(html5parser.HTMLParser):
    def mainLoop(self):
        # The tokenizer the parser made, recording from now on (its state switches stay
        # the parser's).
        self.tokenizer.__class__ = _RecordingTokenizer
        super().mainLoop()


def _markup(token):
    kind = TYPES.get(token["type"])
    if kind == "StartTag":
        data = token.get("data") or []
        names = [a[0] for a in data] if isinstance(data, list) else list(data)
        return ("start", token["name"], tuple(names), bool(token.get("selfClosing")))
    if kind == "EndTag":
        return ("end", token["name"])
    if kind == "Comment":
        return ("comment",)
    if kind == "Doctype":
        return ("doctype", token.get("name"))
    return None


def markup_tokens(html):
    """The start/end tags (with attribute names), comments and doctypes of `html`."""
    global _recorded
    _recorded = []
    try:
        _Parser(namespaceHTMLElements=False).parse(html)
        return [t for t in _recorded if t is not None]
    finally:
        _recorded = None


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i, x, y
    n = min(len(a), len(b))
    return n, a[n] if n < len(a) else None, b[n] if n < len(b) else None


def self_test():
    plain = "<p title='Un mot de Bob'>Bonjour</p>"
    attack = "<p title='Un mot d'Anne/onmouseover=alert(4)'>Bonjour</p>"
    escaped = "<p title='Un mot d&#39;Anne/onmouseover=alert(4)'>Bonjour</p>"
    assert markup_tokens(plain) != markup_tokens(attack), "the oracle missed the attack"
    assert markup_tokens(plain) == markup_tokens(escaped)
    # Raw text follows the parser: a tag inside <title> is text, </title> ends it.
    assert markup_tokens("<title><b>x</title>") == markup_tokens("<title>y</title>")
    assert markup_tokens("<title>x</title><b>") != markup_tokens("<title>y</title>")
    print("markup-oracle: self-test passed")


def main(argv):
    if argv[1:] == ["--self-test"]:
        self_test()
        return 0
    source = open(argv[1], encoding="utf-8") if len(argv) > 1 else sys.stdin
    plain_cache = {}
    cases = failures = 0
    kinds = {}
    for line in source:
        if not line.strip():
            continue
        case = json.loads(line)
        cases += 1
        what = case["what"]
        kind = what.split(":")[0].rstrip("0123456789")
        kinds[kind] = kinds.get(kind, 0) + 1
        plain = case["plain"]
        if plain not in plain_cache:
            plain_cache[plain] = markup_tokens(plain)
        want = plain_cache[plain]
        if not want:
            print(f"case {case['id']} ({what}): the plain rendering has no markup", file=sys.stderr)
            failures += 1
            continue
        got = markup_tokens(case["hostile"])
        if got != want:
            failures += 1
            i, x, y = first_difference(want, got)
            print(
                f"case {case['id']} (seed {case['seed']}, {what}): markup differs at token {i}:"
                f" plain {x!r}, hostile {y!r}\n  first_name={case['first_name']!r}"
                f"\n  location={case['location']!r}",
                file=sys.stderr,
            )
            if failures >= 20:
                print("markup-oracle: stopping after 20 failures", file=sys.stderr)
                break
    summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    print(f"markup-oracle: {cases} cases ({summary}), {failures} with changed markup")
    if cases == 0:
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
