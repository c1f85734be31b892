#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into fuzz/corpus/<target>/ from real inputs:
the golden files in tests/golden/, the examples of docs/batch-format.md and the JSON the
C tests pass. The committed corpus is these seeds plus what the
fuzzer found, minimised with `cargo fuzz cmin`. Run from anywhere; re-running rewrites them.
"""
import hashlib, json, pathlib, re

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
GOLDEN = ROOT / "tests" / "golden"
OUT = FUZZ / "corpus"


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def compact(text):
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


night1 = (GOLDEN / "night1.batch.json").read_text()
bad = (GOLDEN / "bad.batch.json").read_text()
doc = (ROOT / "docs" / "batch-format.md").read_text()
doc_batch = re.search(r"```json\n(\{\n  \"format\": 1.*?\n\})\n```", doc, re.S).group(1)
invite = ('{"format":1,"location":"paris","business_dates":["2026-11-20"],"customers":[{"id":"c1",'
          '"name":"Amélie Dupont","email":"amelie@example.fr","language":"fr-FR",'
          '"include_in_communications":true}],"transactions":[{"id":"t1","customer":"c1",'
          '"kind":"sale","amount_minor":12900,"currency":"EUR",'
          '"finalized_at":"2026-11-20T10:15:00+01:00"}]}')
seoul = ('{"format":1,"location":"seoul","business_dates":["2026-11-20"],"customers":[{"id":"k1",'
         '"email":"minjun@example.kr","phone":"010-1234-5678","language":"ko","gender":"male",'
         '"reference":"K-0042","include_in_communications":true}],"employees":[{"id":"e9",'
         '"name":"Ji","role":"driver"}],"transactions":[{"id":"d1","customer":"k1",'
         '"employees":["e9"],"kind":"delivery","amount_minor":30000,"currency":"KRW",'
         '"finalized_at":"2026-11-20T19:00:00+09:00"}]}')
batches = [night1, bad, doc_batch, invite, seoul,
           '{"format":1,"location":"paris","business_dates":["2026-11-20"]}',
           '{"format":2,"location":"paris","business_dates":["2026-11-20"]}',
           '{"format":1,"location":"pa\u00e9ris"}']

# batch_parser: whole batches, pretty and compact.
for b in batches:
    write("batch_parser", b)
for b in (night1, doc_batch, seoul):
    write("batch_parser", compact(b))

# backfill_import: JSON lines, one batch per line; earlier dates (S3 too_old), blanks, a bad line.
def on(b, date, loc="paris"):
    v = json.loads(b)
    v["business_dates"] = [date]
    v["location"] = loc
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))

write("backfill_import", compact(night1) + "\n")
write("backfill_import", on(invite, "2026-11-18") + "\n\n" + on(invite, "2026-11-19") + "\n" + compact(invite) + "\n")
write("backfill_import", compact(seoul) + "\n" + compact(bad) + "\n")
write("backfill_import", on(night1, "2026-10-01") + "\n" + compact(doc_batch))
write("backfill_import", '{"format":1,"location":"seoul"}\n{"format":9}\n')

# record_response: answers to fuzz/src/lib.rs SURVEY_JSON, tokens, languages.
answers = [
    '{"answers":[{"question":"recommend","score":10}]}',
    '{"answers":[{"question":"recommend","score":3},{"question":"comment","text":"Trop long"}],"consent_to_reply":true}',
    '{"answers":[{"question":"stars","score":4},{"question":"fast","choice":"no"}],"consent_to_reply":true}',
    '{"answers":[{"question":"facets","facets":["staff","price"]},{"question":"recommend","score":7}]}',
    '{"answers":[{"question":"recommend","score":11},{"question":"colour","text":"red"}]}',
    '{"answers":[]}',
]
for a in answers:
    write("record_response", a)
for t in ["0123456789abcdef0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF",
          "0123456789abcdef0123456789abcde", "fr-CA", "ko", "en"]:
    write("record_response", t)

# c_entry_points: [call, scalars, string args separated by NUL]. Call numbers are the
# `op % 40` arms of fuzz_targets/c_entry_points.rs; scalars byte 0 = the night, 1 = the
# morning after, flag 0.
def c(op, *args, scalars=0):
    write("c_entry_points", bytes([op, scalars]) + b"\0".join(
        a.encode() if isinstance(a, str) else a for a in args))

locations = json.loads((GOLDEN / "locations.json").read_text())
c(0, '{"cooldown_months":6,"channel":"sms"}')
c(0, '{"channel":"pigeon"}')
c(1, json.dumps(locations[0], ensure_ascii=False))
c(1, json.dumps(locations[1], ensure_ascii=False))
c(2, "paris"); c(2, "se\xffoul".encode("latin-1"))
c(3, "seoul", scalars=8); c(3, "paris", scalars=8)
c(4, compact(night1)); c(4, compact(bad)); c(4, b'{"format":1,"location":"pa\xc3(ris"}')
c(5, "paris"); c(5, "seoul", scalars=2)
c(6, "seoul", scalars=5)
c(7, compact(night1) + "\n" + on(invite, "2026-11-19"))
c(7, b'{"format":1,"location":"seoul"}\n\xff\n')
c(8, "c1"); c(9, "c1", scalars=1)
c(10, "c1"); c(11, " Dana@Example.com"); c(11, "+82 10-1234-5678")
c(12, "0123456789abcdef0123456789abcdef", scalars=1)
c(13, "0123456789abcdef0123456789abcdef", "mailbox full", scalars=1)
c(14, "ko", scalars=1); c(14, "fr-CA", scalars=33)
c(15, "0123456789abcdef0123456789abcdef")
c(16, '{"kind":"survey_invitation","channel":"email","language":"fr","subject":"Votre avis sur {location}",'
      '"body":"Bonjour {first_name}, {survey_link} {unsubscribe_link}"}')
c(16, '{"kind":"review_reminder","channel":"sms","language":"ko","subject":"","body":"{review_link} {unsubscribe_link}"}')
c(17, "fr-CA", scalars=1); c(17, "ko", scalars=7)
c(18, '{"link_base_url":"https://avis.example.fr","max_attempts":2,"suppression_pepper":"vendor-secret-42"}')
c(18, '{"lease_seconds":"long"}')
c(19, '{"format":1,"hashes":["' + "ab" * 32 + '"]}', "store-a")
c(19, '{"format":1,"hashes":["not-a-hash"]}', "store-b")
c(20, (FUZZ / "src" / "lib.rs").read_text().split('SURVEY_JSON: &str = r#"')[1].split('"#;')[0])
c(21, '{"review_mode":"everyone","unhappy_stars":3,"non_respondent_reminder_days":5}')
c(22, "0123456789abcdef0123456789abcdef", "ko")
c(23, "fr-CA"); c(23, "ko")
c(24, "0123456789abcdef0123456789abcdef", answers[0])
for a in answers:
    c(25, a, scalars=1)
c(26, "paris", "t1"); c(26, "seoul")
c(27, '{"location":"paris","sentiment":"negative","facets":["staff","wait_time"],"comment":"Long",'
      '"transaction":"t1","customer":"c1","consent_to_reply":true}', scalars=1)
c(28, "paris", scalars=0)
c(29, "admin@store", scalars=1)
c(30, '{"location":"paris"}'); c(30, ""); c(31, '{"from":"2026-11-21T09:00:00Z","to":"2026-12-01T00:00:00Z"}')
c(32, '[{"message_id":"m1","kind":"survey_invitation","channel":"email","recipient":"amelie@example.fr",'
      '"language":"fr","subject":"Votre avis","body":"Bonjour","survey_link":"https://x/s/0123",'
      '"survey_link_expires_at":"2027-01-20T09:00:00Z","unsubscribe_link":"https://x/u/4567",'
      '"customer":"c1","location":"paris","invitation_id":1,"attempt":1,"lease_until":"2026-11-21T09:05:00Z"}]')
c(32, '{"message_id":"m1"}')
c(33, (GOLDEN / "night1.report.json").read_text().strip())
c(34, (GOLDEN / "window_paris.json").read_text().strip())
c(35, "smtp 550 no such mailbox", scalars=9)
c(36, "", scalars=1); c(38, "", scalars=1)
c(37, "dana@example.com")
