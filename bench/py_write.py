#!/usr/bin/python3
"""python3-influxdb's write_points on the benchmark data set, batch 10,000.
usage: py_write.py PORT DB [N]"""
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
t0 = time.monotonic()
for base in range(0, n, 100000):
    pts = [{"measurement": "cpu",
            "tags": {"host": hosts[i % 10], "region": regions[i % 4]},
            "fields": {"usage": (i % 1000) / 10.0 + 0.25, "count": i,
                       "status": status[i % 3]},
            "time": T0 + i * 1000} for i in range(base, min(n, base + 100000))]
    c.write_points(pts, batch_size=10000)
dt = time.monotonic() - t0
print("points %d seconds %.3f points_per_s %.0f" % (n, dt, n / dt))
