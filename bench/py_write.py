#!/usr/bin/python3
"""write_points on the benchmark data set, batch 10,000: the point dicts
are built first (the user's Python, the same for every client), then one
write_points call is timed. usage: py_write.py PORT DB [N]"""
import sys, time
import os
if os.environ.get("BENCH_MODULE") == "influxc":
    from influxc import InfluxDBClient
else:
    from influxdb import InfluxDBClient

port, db = int(sys.argv[1]), sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
hosts = ["server%02d" % i for i in range(10)]
regions = ["us-west", "us-east", "eu-central", "ap-south"]
status = ["ok", "warn", "crit"]
T0 = 1600000000000000000
c = InfluxDBClient(host="127.0.0.1", port=port, database=db)
pts = [{"measurement": "cpu",
        "tags": {"host": hosts[i % 10], "region": regions[i % 4]},
        "fields": {"usage": (i % 1000) / 10.0 + 0.25, "count": i,
                   "status": status[i % 3]},
        "time": T0 + i * 1000} for i in range(n)]
t0 = time.monotonic()
c.write_points(pts, batch_size=10000)
dt = time.monotonic() - t0
print("points %d seconds %.3f points_per_s %.0f" % (n, dt, n / dt))
