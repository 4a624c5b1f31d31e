#!/usr/bin/python3
"""python3-influxdb's make_lines on the benchmark data set (the same points
as bench_common.h), in batches of 10,000. usage: py_make_lines.py [N] [--passes K]
Prints the median pass ("seconds") and the fastest ("best_seconds"), like
bench_encode."""
import statistics, sys, time
import os
if os.environ.get("BENCH_MODULE") == "influxc":
    from influxc.line_protocol import make_lines
else:
    from influxdb.line_protocol import make_lines

args = sys.argv[1:]
passes = 1
if "--passes" in args:
    i = args.index("--passes")
    passes = int(args[i + 1])
    del args[i:i + 2]
n = int(args[0]) if args else 1000000
hosts = ["server%02d" % i for i in range(10)]
regions = ["us-west", "us-east", "eu-central", "ap-south"]
status = ["ok", "warn", "crit"]
T0 = 1600000000000000000
points = [{"measurement": "cpu",
           "tags": {"host": hosts[i % 10], "region": regions[i % 4]},
           "fields": {"usage": (i % 1000) / 10.0 + 0.25, "count": i,
                      "status": status[i % 3]},
           "time": T0 + i * 1000} for i in range(n)]
times = []
for _ in range(passes):
    t0 = time.monotonic()
    total = 0
    for b in range(0, n, 10000):
        total += len(make_lines({"points": points[b:b + 10000]}))
    times.append(time.monotonic() - t0)
dt = statistics.median(times)
print("points %d bytes %d passes %d seconds %.4f best_seconds %.4f points_per_s %.0f"
      % (n, total, passes, dt, min(times), n / dt))
