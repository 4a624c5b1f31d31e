#!/usr/bin/python3
"""Runs the benchmarks in one go against a throwaway influxd and writes the
results (medians of alternating repeats, as ratios) as Markdown.

usage: bench/run.py BUILD_DIR [--repeat R] [--points N] [--out FILE]
(build the targets first: cmake --build BUILD_DIR --target benchmarks)
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time, urllib.parse, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--repeat", type=int, default=3)
ap.add_argument("--points", type=int, default=1000000)
ap.add_argument("--out", default="-")
ap.add_argument("--skip-python", action="store_true")
args = ap.parse_args()
HERE = os.path.dirname(os.path.abspath(__file__))
B = os.path.abspath(args.build)
N = args.points
TMP = tempfile.mkdtemp(prefix="influxc-bench-")
results = {}
LAT = []  # (writer write+flush us, direct write us) per run
VALUES_MB = []  # decoded values of the full query result


def record(name, dt, rss, extra=None):
    results.setdefault(name, []).append((dt, rss))


def med(name):
    v = results[name]
    return statistics.median(x[0] for x in v), max(x[1] for x in v), min(x[0] for x in v)


# ---- encode only (before the server starts: nothing else runs) ----
# Each run reports its median of several passes over the points (one pass of
# influxc takes ~60 ms, where one scheduler hiccup moves a single timing by
# a third); the table takes the median of the runs, alternating contenders.
dump = os.path.join(TMP, "lines.lp")
subprocess.run([os.path.join(B, "bench", "bench_encode"), str(N), "--dump", dump],
               check=True, capture_output=True)
for r in range(args.repeat):
    out = subprocess.run([os.path.join(B, "bench", "bench_encode"), str(N), "--passes", "5"],
                         capture_output=True, check=True).stdout.decode()
    record("encode influxc", float(re.search(r"\bseconds (\S+)", out).group(1)), 0)
    if not args.skip_python and r < 2:
        out = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "py_make_lines.py"),
                              str(min(N, 200000)), "--passes", "2"],
                             capture_output=True, check=True).stdout.decode()
        sec = float(re.search(r"\bseconds (\S+)", out).group(1)) * N / min(N, 200000)
        record("encode make_lines", sec, 0)

SRV = os.path.join(TMP, "srv")
CTL = os.path.join(HERE, "..", "tests", "support", "influxd-ctl")
subprocess.run([CTL, "start", SRV, "plain"], check=True)
PORT = int(open(os.path.join(SRV, "port")).read())
BASE = "http://127.0.0.1:%d" % PORT


def influxql(q):
    data = urllib.parse.urlencode({"q": q}).encode()
    urllib.request.urlopen(BASE + "/query", data=data).read()


def fresh(db):
    influxql('DROP DATABASE "%s"' % db)
    influxql('CREATE DATABASE "%s"' % db)


# The Python package of this build (influxc), for the same scripts as
# python3-influxdb: bench/py_*.py import influxc instead with BENCH_MODULE.
PYENV = dict(os.environ, BENCH_MODULE="influxc", PYTHONPATH=os.path.join(B, "python"))
HAVE_PY = os.path.exists(os.path.join(B, "python", "influxc", "__init__.py"))


def timed(cmd, **kw):
    """Runs cmd under /usr/bin/time; returns (seconds, peak RSS MB, stdout)."""
    t0 = time.monotonic()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, check=True, **kw)
    dt = time.monotonic() - t0
    rss = int(r.stderr.decode().strip().splitlines()[-1]) / 1024.0
    return dt, rss, r.stdout.decode()


def call_seconds(out):
    """The seconds a contender printed for its own timed call (no
    interpreter start-up or imports)."""
    return float(re.search(r"\bseconds (\S+)", out).group(1))


# ---- write ----
chunks = os.path.join(TMP, "chunks")
os.makedirs(chunks)
subprocess.run(["split", "-l", "10000", "-d", "-a", "4", dump, os.path.join(chunks, "b")], check=True)
files = sorted(os.listdir(chunks))


def curl_config(fs, db, path):
    with open(path, "w") as f:
        for i, name in enumerate(fs):
            if i:
                f.write("next\n")
            f.write('url = "%s/write?db=%s"\n' % (BASE, db))
            f.write('data-binary = "@%s"\n' % os.path.join(chunks, name))
            f.write('header = "Expect:"\noutput = "/dev/null"\nsilent\nshow-error\n')
    return path


def curl_write(db, conns):
    cfgs = [curl_config(files[k::conns], db, os.path.join(TMP, "c%d.cfg" % k)) for k in range(conns)]
    t0 = time.monotonic()
    ps = [subprocess.Popen(["curl", "-K", c]) for c in cfgs]
    for p in ps:
        if p.wait():
            raise SystemExit("curl failed")
    return time.monotonic() - t0


def count(db):
    q = urllib.parse.urlencode({"db": db, "q": "SELECT count(count) FROM cpu"})
    body = json.loads(urllib.request.urlopen(BASE + "/query?" + q).read())
    return body["results"][0]["series"][0]["values"][0][1]


for r in range(args.repeat):
    for conns in (1, 2):
        fresh("w")
        record("write curl %d conn" % conns, curl_write("w", conns), 0)
        assert count("w") == N
        fresh("w")
        dt, rss, _ = timed([os.path.join(B, "bench", "bench_write"), str(PORT), "w", str(conns), str(N)])
        assert count("w") == N
        record("write influxc pool %d" % conns, dt, rss)
        if conns == 1:
            # The batching writer: 4 producer threads, a 16 MB buffer.
            fresh("w")
            dt, rss, out = timed([os.path.join(B, "bench", "bench_writer"), str(PORT), "w", "4", str(N), "16", "1"])
            m = re.search(r"latency_us (\S+) direct_us (\S+)", out)
            LAT.append((float(m.group(1)), float(m.group(2))))
            record("writer influxc 4 producers", call_seconds(out), rss)
    if HAVE_PY:
        fresh("w")
        dt, rss, out = timed(["/usr/bin/python3", os.path.join(HERE, "py_write.py"), str(PORT), "w", str(N)], env=PYENV)
        assert count("w") == N
        record("write influxc python", call_seconds(out), rss)
    if not args.skip_python and r == 0:
        fresh("w")
        dt, rss, out = timed(["/usr/bin/python3", os.path.join(HERE, "py_write.py"), str(PORT), "w", str(N)])
        assert count("w") == N
        record("write python3-influxdb", call_seconds(out), rss)

# ---- CLI import of a 1M-line file ----
stock = os.path.join(TMP, "stock.txt")
with open(stock, "w") as f:
    f.write("# DML\n# CONTEXT-DATABASE: w\n")
    with open(dump) as d:
        shutil.copyfileobj(d, f)
for r in range(args.repeat):
    fresh("w")
    dt, rss, _ = timed([os.path.join(B, "influxc"), "--port", str(PORT), "-d", "w", "import",
                        "--quiet", "--pool-size", "2", "--batch-size", "10000", dump])
    assert count("w") == N
    record("import influxc (2 conns)", dt, rss)
    if shutil.which("influx"):
        fresh("w")
        dt, rss, _ = timed(["influx", "-host", "127.0.0.1", "-port", str(PORT), "-import",
                            "-path", stock, "-precision", "ns"])
        assert count("w") == N, count("w")
        record("import influx -import", dt, rss)

# ---- query ----
fresh("q")
curl_write("q", 2)
influxql("DROP DATABASE w")
Q = "SELECT * FROM cpu"
# The same request influxc sends: chunked (see query.h).
url = BASE + "/query?" + urllib.parse.urlencode({"db": "q", "q": Q, "chunked": "true"})
for r in range(args.repeat):
    for fmt, accept in (("msgpack", "application/x-msgpack"), ("json", "application/json")):
        dt, rss, _ = timed(["curl", "-s", "-o", "/dev/null", "-H", "Accept: " + accept, url])
        record("query curl %s" % fmt, dt, rss)
        dt, rss, out = timed([os.path.join(B, "bench", "bench_query"), str(PORT), "q", "full", fmt, Q])
        assert "rows %d " % N in out, out
        VALUES_MB.append(float(re.search(r"values_mb (\S+)", out).group(1)))
        record("query influxc full %s" % fmt, dt, rss)
    dt, rss, out = timed([os.path.join(B, "bench", "bench_query"), str(PORT), "q", "stream", "msgpack", Q])
    assert "rows %d " % N in out, out
    record("query influxc stream msgpack", dt, rss)
    if HAVE_PY:
        dt, rss, out = timed(["/usr/bin/python3", os.path.join(HERE, "py_query.py"), str(PORT), "q", Q], env=PYENV)
        record("query influxc python", call_seconds(out), rss)
    if not args.skip_python and r == 0:
        dt, rss, out = timed(["/usr/bin/python3", os.path.join(HERE, "py_query.py"), str(PORT), "q", Q])
        record("query python3-influxdb", call_seconds(out), rss)

# ---- frames ----
FRAME_MB = []
furl = BASE + "/query?" + urllib.parse.urlencode({"db": "q", "q": Q, "chunked": "true", "epoch": "ns"})
for r in range(args.repeat):
    dt, rss, _ = timed(["curl", "-s", "-o", "/dev/null", "-H", "Accept: application/x-msgpack", furl])
    record("frame query curl msgpack (epoch ns)", dt, rss)
    dt, rss, out = timed([os.path.join(B, "bench", "bench_frame"), str(PORT), "q", "query"])
    assert "rows %d " % N in out, out
    FRAME_MB.append(float(re.search(r"frame_mb (\S+)", out).group(1)))
    record("frame query influxc", dt, rss)
    # Every query of the round before its writes: a query right after a
    # write of 1M points meets the server still flushing them.
    if HAVE_PY:
        dt, rss, out = timed(["/usr/bin/python3", os.path.join(HERE, "py_df.py"), str(PORT), "q", "query"], env=PYENV)
        record("frame query influxc DataFrameClient", call_seconds(out), rss)
    if not args.skip_python and r == 0:
        dt, rss, out = timed(["/usr/bin/python3", os.path.join(HERE, "py_df.py"), str(PORT), "q", "query"])
        record("frame query DataFrameClient", call_seconds(out), rss)
    fresh("w")
    dt, rss, out = timed([os.path.join(B, "bench", "bench_frame"), str(PORT), "w", "write", str(N)])
    assert count("w") == N
    record("frame write influxc", call_seconds(out), rss)
    if HAVE_PY:
        fresh("w")
        dt, rss, out = timed(["/usr/bin/python3", os.path.join(HERE, "py_df.py"), str(PORT), "w", "write", str(N)],
                             env=PYENV)
        assert count("w") == N, count("w")
        record("frame write influxc DataFrameClient", call_seconds(out), rss)
    if not args.skip_python and r == 0:
        fresh("w")
        dt, rss, out = timed(["/usr/bin/python3", os.path.join(HERE, "py_df.py"), str(PORT), "w", "write", str(N)])
        assert count("w") == N, count("w")
        record("frame write DataFrameClient", call_seconds(out), rss)
    fresh("w")  # the next round's queries do not meet these writes either
    # DataFrame -> line protocol alone (no network; one core).
    if HAVE_PY:
        dt, rss, out = timed(["/usr/bin/python3", os.path.join(HERE, "py_df.py"), "0", "-", "lines", str(N)],
                             env=PYENV)
        record("df to lines influxc", call_seconds(out), rss)
    if not args.skip_python and r == 0:
        dt, rss, out = timed(["/usr/bin/python3", os.path.join(HERE, "py_df.py"), "0", "-", "lines", str(N)])
        record("df to lines DataFrameClient", call_seconds(out), rss)

subprocess.run([CTL, "stop", SRV], check=True)
shutil.rmtree(TMP, ignore_errors=True)

# ---- report ----
lines = []
w = lines.append
w("| contender | median s | best s | points/s (median) | ratio | peak RSS MB |")
w("|---|---|---|---|---|---|")


def row(name, ref=None, higher_is_better=True):
    m, rss, best = med(name)
    ratio = ""
    if ref:
        rm = med(ref)[0]
        ratio = "%.2fx of %s" % (rm / m, ref)
    w("| %s | %.3f | %.3f | %.0f | %s | %s |" % (name, m, best, N / m, ratio, "%.1f" % rss if rss else "-"))



row("encode influxc", "encode make_lines" if "encode make_lines" in results else None)
if "encode make_lines" in results:
    row("encode make_lines")
for conns in (1, 2):
    row("write curl %d conn" % conns)
    row("write influxc pool %d" % conns, "write curl %d conn" % conns)
    if conns == 1:
        row("writer influxc 4 producers", "write curl 1 conn")
if "write python3-influxdb" in results:
    row("write python3-influxdb", "write curl 1 conn")
if "write influxc python" in results:
    row("write influxc python", "write curl 2 conn")
    if "write python3-influxdb" in results:
        row("write influxc python", "write python3-influxdb")
row("import influxc (2 conns)", "write curl 2 conn")
if "import influx -import" in results:
    row("import influx -import", "write curl 2 conn")
    w("")
    w("influxc import is %.1fx as fast as influx -import (medians)."
      % (med("import influx -import")[0] / med("import influxc (2 conns)")[0]))
    w("")
    w("| contender | median s | best s | points/s (median) | ratio | peak RSS MB |")
    w("|---|---|---|---|---|---|")
for fmt in ("msgpack", "json"):
    row("query curl %s" % fmt)
    row("query influxc full %s" % fmt, "query curl %s" % fmt)
row("query influxc stream msgpack", "query curl msgpack")
if "query python3-influxdb" in results:
    row("query python3-influxdb", "query curl json")
if "query influxc python" in results:
    row("query influxc python", "query curl msgpack")
    if "query python3-influxdb" in results:
        row("query influxc python", "query python3-influxdb")
        w("")
        w("Peak RSS, query + get_points: influxc %.0f MB, python3-influxdb %.0f MB (%.2fx)."
          % (med("query influxc python")[1], med("query python3-influxdb")[1],
             med("query influxc python")[1] / med("query python3-influxdb")[1]))
        w("")
        w("| contender | median s | best s | points/s (median) | ratio | peak RSS MB |")
        w("|---|---|---|---|---|---|")
if VALUES_MB:
    w("")
    w("The full result holds %.1f MB of decoded values (cells and string bytes);"
      " peak RSS of the full msgpack query is %.2fx that."
      % (statistics.median(VALUES_MB), med("query influxc full msgpack")[1] / statistics.median(VALUES_MB)))
w("")
w("| contender | median s | best s | rows/s (median) | ratio | peak RSS MB |")
w("|---|---|---|---|---|---|")
row("frame query curl msgpack (epoch ns)")
row("frame query influxc", "frame query curl msgpack (epoch ns)")
if "frame query DataFrameClient" in results:
    row("frame query DataFrameClient", "frame query curl msgpack (epoch ns)")
row("frame write influxc", "write curl 1 conn")
if "frame write DataFrameClient" in results:
    row("frame write DataFrameClient", "write curl 1 conn")
if "frame query influxc DataFrameClient" in results:
    row("frame query influxc DataFrameClient", "frame query curl msgpack (epoch ns)")
    if "frame query DataFrameClient" in results:
        row("frame query influxc DataFrameClient", "frame query DataFrameClient")
    row("frame write influxc DataFrameClient", "write curl 2 conn")
    if "frame write DataFrameClient" in results:
        row("frame write influxc DataFrameClient", "frame write DataFrameClient")
if "df to lines influxc" in results:
    row("df to lines influxc", "df to lines DataFrameClient" if "df to lines DataFrameClient" in results else None)
if "df to lines DataFrameClient" in results:
    row("df to lines DataFrameClient")
if FRAME_MB:
    w("")
    w("Frames of the query hold %.1f MB of data (values, bitmaps, text); peak RSS"
      " of the frame query is %.2fx that." % (statistics.median(FRAME_MB),
                                             med("frame query influxc")[1] / statistics.median(FRAME_MB)))
if LAT:
    w("")
    w("Batching writer, one point (write + flush) vs a direct write, median of 200:"
      " %.0f us vs %.0f us (added latency %.0f us); buffer limit 16 MB."
      % (statistics.median(x[0] for x in LAT), statistics.median(x[1] for x in LAT),
         statistics.median(x[0] - x[1] for x in LAT)))
report = "\n".join(lines) + "\n"
if args.out == "-":
    sys.stdout.write(report)
else:
    open(args.out, "w").write(report)
    sys.stdout.write(report)
