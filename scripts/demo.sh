#!/bin/sh
# The first five minutes: install, build, and run `influxc demo --local`,
# which starts a throwaway influxd on loopback, writes sample data, queries
# it and stops the server again.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
# A build directory of its own: the test script's build/ keeps its tests.
cmake -S . -B build-demo -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build-demo -j"$(nproc)" --target influxc_cli >/dev/null
./build-demo/influxc demo --local
