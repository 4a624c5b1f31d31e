#!/usr/bin/python3
"""Differential test: the same queries through python3-influxdb (JSON) and
through `influxc query --format jsonl` (msgpack and JSON on the wire) must
give the same points, series by series.

usage: query_diff.py INFLUXC SERVER_DIR
"""
import json, os, subprocess, sys

from influxdb import InfluxDBClient

BIN, SRV = sys.argv[1], sys.argv[2]
PORT = int(open(os.path.join(SRV, "port")).read())
DB = "qdiff_%d" % os.getpid()

# JSON, as the brief says: python3-influxdb's msgpack path rounds times to
# microseconds (seen here: .000000615 came back as .000001).
py = InfluxDBClient(host="127.0.0.1", port=PORT, database=DB,
                    headers={"Accept": "application/json"})
py.create_database(DB)
lines = []
for i in range(300):
    lines.append('cpu,host=h%d,region=%s value=%r,count=%di,ok=%s,msg="m %d \\"q\\"" %d'
                 % (i % 5, "eu" if i % 2 else "us", i * 0.25 + 0.1, i,
                    "true" if i % 3 else "false", i, 1600000000000000000 + i * 1000000123))
lines.append('mem,host=h1 used=5i 1600000000000000000')
py.write_points(lines, protocol="line")

QUERIES = [
    ("SELECT * FROM cpu", None),
    ("SELECT value, msg FROM cpu GROUP BY host", None),
    ("SELECT value FROM cpu GROUP BY *", "ms"),
    ("SELECT mean(value), max(count) FROM cpu WHERE time >= '2020-09-13T12:20:00Z' "
     "AND time < '2020-09-13T12:40:00Z' GROUP BY time(1m), region", None),
    ("SELECT count(ok) FROM cpu WHERE ok = true GROUP BY host", "s"),
    ("SELECT * FROM cpu WHERE host = 'h3' LIMIT 7", "ns"),
    ("SHOW SERIES", None),
    ("SHOW TAG VALUES WITH KEY = host", None),
    ("SHOW FIELD KEYS", None),
    ("SELECT * FROM mem; SELECT last(value) FROM cpu", None),
]


def python_side(q, epoch):
    rs = py.query(q, epoch=epoch)
    sets = rs if isinstance(rs, list) else [rs]
    out = {}
    for k, r in enumerate(sets):
        for (name, tags), points in r.items():
            # python3-influxdb names an unnamed series (SHOW SERIES) "results"
            name = "" if name == "results" else name
            key = (k, name or "", json.dumps(tags or {}, sort_keys=True))
            out.setdefault(key, []).extend(points)
    return out


def influxc_side(q, epoch, wire):
    cmd = [BIN, "--host", "127.0.0.1", "--port", str(PORT), "--database", DB,
           "query", "--format", "jsonl", "--wire", wire]
    if epoch:
        cmd += ["--epoch", epoch]
    # jsonl has no statement number: run statements one at a time
    out = {}
    for k, stmt in enumerate(s.strip() for s in q.split(";")):
        res = subprocess.run(cmd + [stmt], capture_output=True, check=True)
        for line in res.stdout.decode().splitlines():
            row = json.loads(line)
            name = row.pop("name")
            tags = row.pop("tags", {})
            key = (k, name, json.dumps(tags, sort_keys=True))
            out.setdefault(key, []).append(row)
    return out


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return float(a) == float(b)
    return a == b


failures = 0
for q, epoch in QUERIES:
    want = python_side(q, epoch)
    for wire in ("msgpack", "json"):
        got = influxc_side(q, epoch, wire)
        if set(want) != set(got):
            print("FAIL %s (%s): series %s vs %s" % (q, wire, sorted(got), sorted(want)))
            failures += 1
            continue
        for key in want:
            w, g = want[key], got[key]
            ok = len(w) == len(g) and all(
                set(pw) == set(pg) and all(same(pw[c], pg[c]) for c in pw)
                for pw, pg in zip(w, g))
            if not ok:
                bad = next((i for i, (pw, pg) in enumerate(zip(w, g))
                            if set(pw) != set(pg) or
                            not all(same(pw[c], pg[c]) for c in pw)), min(len(w), len(g)))
                print("FAIL %s (%s) %s: %d vs %d rows, first difference at %d:\n python %s\n influxc %s"
                      % (q, wire, key, len(w), len(g), bad, w[bad:bad + 2], g[bad:bad + 2]))
                failures += 1
    print("ok %s" % q if not failures else "after %s: %d failures" % (q, failures))

py.drop_database(DB)
print("%d queries, %d failures" % (len(QUERIES), failures))
sys.exit(1 if failures else 0)
