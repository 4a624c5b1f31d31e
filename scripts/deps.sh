#!/bin/sh
# Installs everything influxc needs to build, test, benchmark and run its
# demo on Debian 12. Idempotent; needs root (or sudo).
set -eu
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    build-essential cmake pkg-config clang clang-format libclang-rt-14-dev \
    libcurl4-openssl-dev libyajl-dev libcmocka-dev zlib1g-dev libedit-dev \
    influxdb influxdb-client curl openssl ca-certificates \
    python3 python3-influxdb python3-pandas python3-numpy python3-cffi \
    python3-dev python3-hypothesis python3-mock python3-requests-mock python3-nose python3-pytest \
    tinyproxy stunnel4 locales hyperfine time tmux \
    libuv1-dev libevent-dev libev-dev >/dev/null
# A comma-decimal locale for the locale-independence tests.
if ! locale -a 2>/dev/null | grep -qi '^de_DE.utf8$'; then
    $SUDO sed -i 's/^# *de_DE.UTF-8/de_DE.UTF-8/' /etc/locale.gen
    $SUDO locale-gen >/dev/null
fi
