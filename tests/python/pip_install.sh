#!/bin/sh
# pip install ./python (Debian's pip, no build isolation) into a scratch
# directory, then the installed package works without the build tree.
set -eu
SRC=$1
T=$(mktemp -d /tmp/influxc-pip-XXXXXX)
trap 'rm -rf "$T"' EXIT
cp -r "$SRC/python" "$SRC/src" "$SRC/include" "$SRC/CMakeLists.txt" "$T/"
rm -rf "$T/python/build"
/usr/bin/python3 -m pip install --quiet --no-build-isolation --no-deps \
    --target "$T/site" "$T/python" 2>&1 | grep -v "WARNING: Running pip as" || true
cd /
SITE="$T/site" PYTHONPATH="$T/site" /usr/bin/python3 - <<'PY'
import os
import influxc, influxc._core
from influxc import InfluxDBClient, DataFrameClient, SeriesHelper, Writer
from influxc.line_protocol import make_lines, quote_ident
assert influxc._core.__file__.startswith(os.environ["SITE"]), influxc.__file__
assert make_lines({"points": [{"measurement": "m", "fields": {"v": 1}}]}) == "m v=1i\n"
assert quote_ident('a"b') == '"a\\"b"'
print("pip-installed influxc", influxc.__version__, "from", influxc.__file__)
PY
