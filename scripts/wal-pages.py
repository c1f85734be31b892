#!/usr/bin/env python3
"""Which b-trees a stretch of a WAL file wrote: `wal-pages.py STORE WAL FROM TO`.

Reads the frames of WAL between byte offsets FROM and TO (as benches/history.rs's
`HEARKEN_BENCH_ONLY=pages-old` prints them), and names each distinct page's table or index
with SQLite's dbstat table (Debian's sqlite3 has it), counting pages per b-tree.
"""
import collections
import sqlite3
import struct
import sys

store, wal, start, end = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = open(wal, "rb").read()
page_size = struct.unpack(">I", data[8:12])[0]
frame = 24 + page_size
first = max(32, start)
# Frames start at 32 + k * frame.
first = 32 + ((first - 32 + frame - 1) // frame) * frame
pages, frames = set(), 0
for off in range(first, min(end, len(data)) - frame + 1, frame):
    pages.add(struct.unpack(">I", data[off:off + 4])[0])
    frames += 1
c = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
owner = dict(c.execute("SELECT pageno, name FROM dbstat"))
count = collections.Counter(owner.get(p, "(free or overflow)") for p in pages)
print(f"{frames} frames, {len(pages)} distinct pages of {page_size} bytes")
for name, n in count.most_common():
    print(f"{n:6d}  {name}")
