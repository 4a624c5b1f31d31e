#!/usr/bin/python3
"""python3-influxdb's DataFrameClient on the benchmark data set.
usage: py_df.py PORT DB query|write|lines [N]  (lines: DataFrame -> line
protocol alone, no network; PORT and DB unused)"""
import sys, time
import numpy as np
import pandas as pd
import os
if os.environ.get("BENCH_MODULE") == "influxc":
    from influxc import DataFrameClient
else:
    from influxdb import DataFrameClient

port, db, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 1000000
c = DataFrameClient(host="127.0.0.1", port=port, database=db)
if mode == "query":
    t0 = time.monotonic()
    r = c.query("SELECT * FROM cpu")
    rows = sum(len(df) for df in r.values())
    dt = time.monotonic() - t0
else:
    i = np.arange(n)
    hosts = np.array(["server%02d" % k for k in range(10)])
    regions = np.array(["us-west", "us-east", "eu-central", "ap-south"])
    status = np.array(["ok", "warn", "crit"])
    df = pd.DataFrame({"host": hosts[i % 10], "region": regions[i % 4],
                       "usage": (i % 1000) / 10.0 + 0.25, "count": i,
                       "status": status[i % 3]},
                      index=pd.to_datetime(1600000000000000000 + i * 1000, unit="ns", utc=True))
    t0 = time.monotonic()
    if mode == "lines" and hasattr(c, "dataframe_to_lines"):
        text = c.dataframe_to_lines(df, "cpu", tag_columns=["host", "region"])
    elif mode == "lines":
        text = "\n".join(c._convert_dataframe_to_lines(
            df, "cpu", tag_columns=["host", "region"]))
    else:
        c.write_points(df, "cpu", tag_columns=["host", "region"], batch_size=10000)
    dt = time.monotonic() - t0
    if mode == "lines":
        assert text.count("\n") >= n - 1
    rows = n
print("rows %d seconds %.3f rows_per_s %.0f" % (rows, dt, rows / dt))
