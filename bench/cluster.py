#!/usr/bin/python3
"""Several servers (issue 16), against three throwaway influxd on this
machine: a replicated write of the data set to all three vs curl writing
the same lines to the three in parallel (one connection each: the ceiling
of three servers sharing the machine's cores); the catch-up rate of a spool
after an outage; the latency a dead first host adds to a query once its
breaker is open. Medians of alternating repeats.

usage: bench/cluster.py BUILD_DIR [--repeat R] [--points N] [--out FILE]
(build first: cmake --build BUILD_DIR --target benchmarks influxc_cli influxc_py)
"""
import argparse, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("build")
ap.add_argument("--repeat", type=int, default=3)
ap.add_argument("--points", type=int, default=1000000)
ap.add_argument("--out", default="-")
args = ap.parse_args()
HERE = os.path.dirname(os.path.abspath(__file__))
B = os.path.abspath(args.build)
N = args.points
CLI = os.path.join(B, "influxc")
CTL = os.path.join(HERE, "..", "tests", "support", "influxd-ctl")
TMP = tempfile.mkdtemp(prefix="influxc-cluster-")
results = {}


def record(name, value):
    results.setdefault(name, []).append(value)


def med(name):
    return statistics.median(results[name])


dump = os.path.join(TMP, "lines.lp")
subprocess.run([os.path.join(B, "bench", "bench_encode"), str(N), "--dump", dump],
               check=True, capture_output=True)
chunks = os.path.join(TMP, "chunks")
os.makedirs(chunks)
subprocess.run(["split", "-l", "10000", "-d", "-a", "4", dump, os.path.join(chunks, "b")], check=True)
files = sorted(os.listdir(chunks))

dirs = [os.path.join(TMP, "s%d" % i) for i in range(3)]
for d in dirs:
    subprocess.run([CTL, "start", d, "plain"], check=True)
ports = [int(open(os.path.join(d, "port")).read()) for d in dirs]
bases = ["http://127.0.0.1:%d" % p for p in ports]
HOSTS = ",".join("127.0.0.1:%d" % p for p in ports)


def influxql(base, q, db=None):
    params = {"q": q}
    if db:
        params["db"] = db
    data = urllib.parse.urlencode(params).encode()
    return json.loads(urllib.request.urlopen(base + "/query", data=data).read())


def fresh(db):
    for b in bases:
        influxql(b, 'DROP DATABASE "%s"' % db)
        influxql(b, 'CREATE DATABASE "%s"' % db)


def count(base, db):
    body = influxql(base, "SELECT count(count) FROM cpu", db)
    s = body["results"][0].get("series")
    return s[0]["values"][0][1] if s else 0


def curl_three(db):
    cfgs = []
    for k, base in enumerate(bases):
        path = os.path.join(TMP, "c%d.cfg" % k)
        with open(path, "w") as f:
            for i, name in enumerate(files):
                if i:
                    f.write("next\n")
                f.write('url = "%s/write?db=%s"\n' % (base, db))
                f.write('data-binary = "@%s"\n' % os.path.join(chunks, name))
                f.write('header = "Expect:"\noutput = "/dev/null"\nsilent\nshow-error\n')
        cfgs.append(path)
    t0 = time.monotonic()
    ps = [subprocess.Popen(["curl", "-K", c]) for c in cfgs]
    for p in ps:
        if p.wait():
            raise SystemExit("curl failed")
    return time.monotonic() - t0


def influxc_replicate(db, extra=(), hosts=HOSTS):
    t0 = time.monotonic()
    subprocess.run([CLI, "--host", hosts, "--write-mode", "replicate", "--ack", "all",
                    "--pool-size", "3", "-d", db] + list(extra) + ["import", "--quiet", dump],
                   check=True)
    return time.monotonic() - t0


for r in range(args.repeat):
    fresh("w")
    record("curl, 3 servers in parallel", curl_three("w"))
    assert all(count(b, "w") == N for b in bases)
    fresh("w")
    record("influxc replicate, ack all", influxc_replicate("w"))
    assert all(count(b, "w") == N for b in bases)

# Catch-up: server 2 is down for a whole import (its batches go to its
# spool), comes back, and a run with the same spool delivers them.
for r in range(args.repeat):
    fresh("c")
    spool = os.path.join(TMP, "spool%d" % r)
    subprocess.run([CTL, "kill9", dirs[2]], check=True)
    subprocess.run([CLI, "--host", HOSTS, "--write-mode", "replicate", "--ack", "quorum",
                    "--spool", spool, "--timeout", "1", "-d", "c", "import", "--quiet", dump],
                   check=True, capture_output=True)
    subprocess.run([CTL, "restart", dirs[2]], check=True)
    t0 = time.monotonic()
    subprocess.run([CLI, "--host", HOSTS, "--write-mode", "replicate", "--spool", spool,
                    "--timeout", "600", "-d", "c", "write", "-"], input=b"", check=True,
                   capture_output=True)
    dt = time.monotonic() - t0
    assert count(bases[2], "c") == N, count(bases[2], "c")
    record("catch-up from the spool", dt)

# Failover latency: queries through a client whose first host is dead
# (connection refused, or SIGSTOPped: a timeout), once its breaker is open,
# vs a client of the live host alone; median per query of 300.
PYENV = dict(os.environ, PYTHONPATH=os.path.join(B, "python"))
LAT = r'''
import statistics, sys, time
from influxc import InfluxDBClient
hosts, alive = sys.argv[1], sys.argv[2]
q = "SELECT count(count) FROM cpu WHERE time < 1600000000001000000"
def per_query(c):
    c.query(q, database="w")           # the first: may meet the dead host
    ts = []
    for _ in range(300):
        t0 = time.perf_counter(); c.query(q, database="w"); ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1000
f = per_query(InfluxDBClient(hosts.split(","), timeout=0.5, retries=1))
d = per_query(InfluxDBClient("127.0.0.1", int(alive)))
print("failover_ms %.3f direct_ms %.3f" % (f, d))
'''
fresh("w")
influxc_replicate("w")
for r in range(args.repeat):
    for kind in ("refused", "stopped"):
        if kind == "refused":
            first = "127.0.0.1:1"
        else:
            first = "127.0.0.1:%d" % ports[0]
            os.kill(int(open(os.path.join(dirs[0], "pid")).read()), signal.SIGSTOP)
        try:
            out = subprocess.run(["/usr/bin/python3", "-c", LAT, first + ",127.0.0.1:%d" % ports[1],
                                  str(ports[1])], env=PYENV, check=True,
                                 capture_output=True).stdout.decode()
        finally:
            if kind == "stopped":
                os.kill(int(open(os.path.join(dirs[0], "pid")).read()), signal.SIGCONT)
        f, d = map(float, re.findall(r"[\d.]+", out))
        record("query, first host %s (ms)" % kind, f)
        record("query, live host alone (ms)", d)

for d in dirs:
    subprocess.run([CTL, "stop", d], check=True)
shutil.rmtree(TMP, ignore_errors=True)

lines = []
w = lines.append
w("| contender | median s | best s | points/s (median) | ratio |")
w("|---|---|---|---|---|")
ceil = med("curl, 3 servers in parallel")
for name in ("curl, 3 servers in parallel", "influxc replicate, ack all", "catch-up from the spool"):
    m = med(name)
    ratio = "%.2fx of the curl ceiling" % (ceil / m) if name == "influxc replicate, ack all" else ""
    w("| %s | %.3f | %.3f | %.0f | %s |" % (name, m, min(results[name]), N / m, ratio))
w("")
w("| query latency, median of 300 per run | median ms | added ms |")
w("|---|---|---|")
base = med("query, live host alone (ms)")
for name in ("query, live host alone (ms)", "query, first host refused (ms)", "query, first host stopped (ms)"):
    w("| %s | %.3f | %s |" % (name[:-5], med(name), "" if "alone" in name else "%+.3f" % (med(name) - base)))
report = "\n".join(lines) + "\n"
if args.out != "-":
    open(args.out, "w").write(report)
sys.stdout.write(report)
