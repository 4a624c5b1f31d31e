#!/usr/bin/python3
"""python3-influxdb's query of the benchmark data (JSON, as its msgpack path
loses nanoseconds). usage: py_query.py PORT DB [QUERY]"""
import sys, time
import os
if os.environ.get("BENCH_MODULE") == "influxc":
    from influxc import InfluxDBClient
else:
    from influxdb import InfluxDBClient

port, db = int(sys.argv[1]), sys.argv[2]
q = sys.argv[3] if len(sys.argv) > 3 else "SELECT * FROM cpu"
# influxc is exact with msgpack (its default); the seed needs JSON for it.
hdrs = None if os.environ.get("BENCH_MODULE") == "influxc" else {"Accept": "application/json"}
c = InfluxDBClient(host="127.0.0.1", port=port, database=db, headers=hdrs)
t0 = time.monotonic()
rs = c.query(q)
rows = sum(1 for _ in rs.get_points())
dt = time.monotonic() - t0
print("rows %d seconds %.3f rows_per_s %.0f" % (rows, dt, rows / dt))
