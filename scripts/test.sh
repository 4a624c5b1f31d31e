#!/bin/sh
# Runs the whole test suite on Debian 12: installs dependencies, checks
# formatting, builds with -Werror and runs every test (unit, integration
# against real influxd servers started by ctest fixtures, CLI end to end,
# differential tests against python3-influxdb, fuzz corpus replay), then
# builds and runs the suite again under AddressSanitizer +
# UndefinedBehaviorSanitizer, and the threaded tests under ThreadSanitizer.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
JOBS=$(nproc)

echo "== build (gcc, -Werror)"
# BUILD_TESTING=ON even in a build directory configured without tests, and
# ctest fails when it finds none: a run that tests nothing is not a pass.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINFLUXC_WERROR=ON \
    -DBUILD_TESTING=ON >/dev/null
cmake --build build -j"$JOBS"
cmake --build build --target format-check

echo "== tests"
(cd build && ctest -j"$JOBS" --output-on-failure --no-tests=error --timeout 600)

echo "== tests under ASan + UBSan (clang)"
CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DINFLUXC_SANITIZE=ON \
    -DINFLUXC_WERROR=ON -DBUILD_TESTING=ON >/dev/null
cmake --build build-asan -j"$JOBS"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest -j"$JOBS" --output-on-failure --no-tests=error --timeout 900)
echo "== threaded code under ThreadSanitizer (clang)"
CC=clang cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DINFLUXC_TSAN=ON \
    -DINFLUXC_WERROR=ON -DBUILD_TESTING=ON >/dev/null
cmake --build build-tsan -j"$JOBS" --target test_writer test_write test_client \
    test_offline test_cluster test_async_poll test_async_uv
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1 \
    ctest -j"$JOBS" --output-on-failure --no-tests=error --timeout 900 \
    -R '^(server\.|integration\.test_(writer|write|client|cluster|async_poll|async_uv)|unit\.test_offline)$')
echo "== all tests passed"
