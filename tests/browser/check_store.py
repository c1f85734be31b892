"""After the browser run: hearken recorded exactly what the customers did (M1, M2)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
import hearken  # noqa: E402

COMMENTS = {
    "amy": "정말 좋았어요! It's the best café — thanks",
    "amelie": "L'accueil était parfait, 정말 감사합니다",
    "minjun": "직원분이 친절했어요. Don't change a thing",
}

engine = hearken.Engine(sys.argv[1])
failed = 0


def check(cond, what):
    global failed
    print(("ok - " if cond else "not ok - ") + what)
    failed += not cond


s = engine.nps(hearken.ScoreQuery())
# amy, amelie and minjun clicked 9, eve 10; the later clicks on 3 changed nothing.
check((s.promoters, s.passives, s.detractors) == (4, 0, 0),
      f"NPS counts the four first clicks only: {s.promoters}/{s.passives}/{s.detractors}")
found = {}
for rid in range(1, 10):
    try:
        thread = engine.thread(rid)
    except hearken.HearkenError:
        continue
    for c in thread:
        found[c.body] = rid
for who, text in COMMENTS.items():
    check(text in found, f"{who}'s comment is recorded exactly as typed")
for who in COMMENTS:
    x = engine.explain(who, 1_795_251_600_000)
    check(x.unsubscribed, f"{who} is unsubscribed (E3)")
engine.close_store()
sys.exit(1 if failed else 0)
