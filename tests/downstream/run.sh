#!/bin/bash
# Installs the built influxc into a temporary prefix and builds programs
# against it the ways users do: CMake's find_package with the shared and
# the static library, from C and C++, pkg-config, and the source tree as a
# subproject (library only). Each program runs. usage: run.sh BUILD_DIR
set -eu
BUILD=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cmake --install "$BUILD" --prefix "$T/prefix" >/dev/null
# The archive exports only influx_ names (internals are influx__).
bad=$(nm -g --defined-only "$T"/prefix/lib*/libinfluxc.a | awk '$2 ~ /[TDRBC]/ {print $3}' | grep -v '^influx_' || true)
if [ -n "$bad" ]; then echo "FAIL: libinfluxc.a exports $bad"; exit 1; fi
# Every function the installed headers declare INFLUX_EXPORT is exported
# by the shared library (a definition that does not see its declaration is
# hidden by the default visibility).
declared=$(grep -hv '^#' "$T"/prefix/include/influxc/*.h | tr '\n' ' ' |
    grep -oE 'INFLUX_EXPORT [^;{]*\(' | grep -oE '[a-z_0-9]+\($' | tr -d '(' | sort -u)
exported=$(nm -D --defined-only "$T"/prefix/lib*/libinfluxc.so | awk '{print $3}' | sed 's/@.*//' | sort -u)
missing=$(comm -23 <(printf '%s\n' "$declared") <(printf '%s\n' "$exported"))
if [ -n "$missing" ]; then echo "FAIL: declared but not exported: $missing"; exit 1; fi
[ "$(printf '%s\n' "$declared" | wc -l)" -gt 150 ] || { echo "FAIL: too few declarations found"; exit 1; }
n=0
for link in shared static; do
    cmake -S "$HERE" -B "$T/b-$link" -DCMAKE_PREFIX_PATH="$T/prefix" \
        -DINFLUXC_LINK=$link >/dev/null
    cmake --build "$T/b-$link" >/dev/null
    LD_LIBRARY_PATH="$T/prefix/lib:$T/prefix/lib64" "$T/b-$link/use_c" >/dev/null
    LD_LIBRARY_PATH="$T/prefix/lib:$T/prefix/lib64" "$T/b-$link/use_cxx" >/dev/null
    n=$((n + 2))
done
# The shared build really used the shared library, the static one not.
ldd "$T/b-shared/use_c" | grep -q "libinfluxc.so" || { echo "FAIL: use_c (shared) does not load libinfluxc.so"; exit 1; }
if ldd "$T/b-static/use_c" | grep -q "libinfluxc.so"; then echo "FAIL: use_c (static) loads libinfluxc.so"; exit 1; fi
export PKG_CONFIG_PATH="$T/prefix/lib/pkgconfig:$T/prefix/lib64/pkgconfig"
sed -i "s|^prefix=.*|prefix=$T/prefix|" "$T"/prefix/lib*/pkgconfig/influxc.pc
cc "$HERE/use.c" -o "$T/pc-shared" $(pkg-config --cflags --libs influxc)
LD_LIBRARY_PATH="$T/prefix/lib:$T/prefix/lib64" "$T/pc-shared" >/dev/null
# The archive with its dependencies' shared libraries (Debian ships no
# static libcurl, so `pkg-config --static` cannot be used whole).
cc "$HERE/use.c" -o "$T/pc-static" $(pkg-config --cflags influxc) \
    "$T"/prefix/lib*/libinfluxc.a $(pkg-config --libs libcurl yajl zlib) -lpthread -lm
"$T/pc-static" >/dev/null
n=$((n + 2))
# influxc as a subproject: the library alone, with the parent's flags.
SRC=$(cd "$HERE/../.." && pwd)
cmake -S "$HERE" -B "$T/b-sub" -DINFLUXC_SOURCE="$SRC" -DINFLUXC_LINK=static >/dev/null
cmake --build "$T/b-sub" -j"$(nproc)" >/dev/null
"$T/b-sub/use_c" >/dev/null
"$T/b-sub/use_cxx" >/dev/null
if [ -e "$T/b-sub/influxc/influxc" ] || [ -d "$T/b-sub/influxc/tests" ]; then
    echo "FAIL: a subproject build built the command or the tests"; exit 1
fi
n=$((n + 2))
echo "downstream: $n passed, 0 failed"
