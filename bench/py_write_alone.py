#!/usr/bin/python3
"""write_points alone, on 1M point dicts built before the timer starts
(bench/py_write.py times the dict building too). usage:
BENCH_MODULE=influxc|influxdb py_write_alone.py PORT N"""
import os, sys, time
if os.environ.get("BENCH_MODULE") == "influxc":
    from influxc import InfluxDBClient
else:
    from influxdb import InfluxDBClient
port, n = int(sys.argv[1]), int(sys.argv[2])
hosts = ["server%02d" % i for i in range(10)]; regions = ["us-west", "us-east", "eu-central", "ap-south"]; status = ["ok", "warn", "crit"]
T0 = 1600000000000000000
pts = [{"measurement": "cpu", "tags": {"host": hosts[i % 10], "region": regions[i % 4]},
        "fields": {"usage": (i % 1000) / 10.0 + 0.25, "count": i, "status": status[i % 3]},
        "time": T0 + i * 1000} for i in range(n)]
c = InfluxDBClient(host="127.0.0.1", port=port, database="wa")
c.drop_database("wa"); c.create_database("wa")
t0 = time.monotonic(); c.write_points(pts, batch_size=10000); dt = time.monotonic() - t0
print("%s write_points alone: %d points %.3f s %.0f points/s" % (os.environ.get("BENCH_MODULE", "influxdb"), n, dt, n / dt))
