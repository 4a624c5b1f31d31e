#!/bin/sh
# The first five minutes: install, build, and run `influxc demo --local`,
# which starts a throwaway influxd on loopback, writes sample data, queries
# it and stops the server again.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)" --target influxc_cli >/dev/null
./build/influxc demo --local
