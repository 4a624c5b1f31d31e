#!/usr/bin/python3
"""Small requests per second (writes of 10 points; a small query) at
concurrency 1, 10 and 100 against a throwaway influxd: the non-blocking API
from one thread (bench_async ... async), the blocking API from a pool of
that many threads (pool), and curl's multi interface sending the same
requests (curl, the ceiling). Medians of alternating repeats.

usage: bench/async.py BUILD_DIR [--repeat R] [--requests N] [--out FILE]
(build first: cmake --build BUILD_DIR --target benchmarks)
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile, urllib.parse, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--repeat", type=int, default=3)
ap.add_argument("--requests", type=int, default=3000)
ap.add_argument("--out", default="-")
args = ap.parse_args()
HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.join(os.path.abspath(args.build), "bench", "bench_async")
CTL = os.path.join(HERE, "..", "tests", "support", "influxd-ctl")
TMP = tempfile.mkdtemp(prefix="influxc-async-")
SRV = os.path.join(TMP, "srv")
subprocess.run([CTL, "start", SRV, "plain"], check=True)
PORT = open(os.path.join(SRV, "port")).read().strip()
data = urllib.parse.urlencode({"q": 'CREATE DATABASE "ab"'}).encode()
urllib.request.urlopen("http://127.0.0.1:%s/query" % PORT, data=data).read()
subprocess.run([BIN, PORT, "ab", "write", "curl", "1", "10"], check=True, capture_output=True)

res = {}
for r in range(args.repeat):
    for kind in ("write", "query"):
        for conc in (1, 10, 100):
            for mode in ("curl", "async", "pool"):
                out = subprocess.run([BIN, PORT, "ab", kind, mode, str(conc), str(args.requests)],
                                     check=True, capture_output=True).stdout.decode()
                res.setdefault((kind, conc, mode), []).append(float(re.search(r"per_s (\S+)", out).group(1)))
subprocess.run([CTL, "stop", SRV], check=True)
shutil.rmtree(TMP, ignore_errors=True)

lines = ["| requests | concurrency | curl multi (ceiling) /s | async, one thread /s | blocking, thread pool /s | async / curl | async / pool |",
         "|---|---|---|---|---|---|---|"]
for kind in ("write", "query"):
    for conc in (1, 10, 100):
        m = {mode: statistics.median(res[(kind, conc, mode)]) for mode in ("curl", "async", "pool")}
        lines.append("| %s | %d | %.0f | %.0f | %.0f | %.2fx | %.2fx |" % (
            "write, 10 points" if kind == "write" else "small query", conc,
            m["curl"], m["async"], m["pool"], m["async"] / m["curl"], m["async"] / m["pool"]))
report = "\n".join(lines) + "\n"
if args.out != "-":
    open(args.out, "w").write(report)
sys.stdout.write(report)
