#!/bin/bash
# The CLI's several-hosts contract against two real influxd (the harness's
# plain and udp servers, both plain HTTP) and a dead port: --host lists,
# ping per host, --write-mode replicate --ack --spool with import and
# write, the per-host summary and the exit status.
# usage: test_cli_hosts.sh INFLUXC SRV_DIR
set -u
BIN=$(readlink -f "$1")
SRV=$2
P1=$(cat "$SRV/plain/port")
P2=$(cat "$SRV/udp/port")
DEAD=127.0.0.1:1
DB="hosts_$$"
T=$(mktemp -d /tmp/influxc-hosts-XXXXXX)
export INFLUXC_CONFIG=/dev/null
. "$(dirname "$0")/lib.sh"
TWO="127.0.0.1:$P1,127.0.0.1:$P2"

cleanup() {
    $BIN --host "$TWO" --write-mode replicate database drop "$DB" >/dev/null 2>&1
    rm -rf "$T" "$LIB_ERR"
}
trap cleanup EXIT

# count PORT QUERY -> the count column of the first row
count() {
    $BIN --host 127.0.0.1 --port "$1" -d "$DB" query --format csv "$2" |
        awk -F, 'NR==2 {print $NF}'
}

# ---- ping: one line per host, tab separated; a dead one exits 3 ----
check ping-two 0 $BIN --host "$TWO" ping
expect_eq ping-lines 2 "$(printf '%s\n' "$OUT" | wc -l)"
expect_in ping-host1 "127.0.0.1:$P1	1." "$OUT"
expect_in ping-up "	up" "$OUT"
check ping-dead 3 $BIN --host "$TWO,$DEAD" ping
expect_in ping-dead-line "$DEAD	-	-	" "$OUT"
check ping-one 0 $BIN --host 127.0.0.1 --port "$P1" ping
hasnt ping-one-plain "	" "$OUT" # one host: the version alone, as before

# ---- admin statements go to every host in replicate mode ----
check create 0 $BIN --host "$TWO" --write-mode replicate database create "$DB"
for p in "$P1" "$P2"; do
    check "list-$p" 0 $BIN --host 127.0.0.1 --port "$p" database list
    expect_in "created-$p" "$DB" "$OUT"
done

# ---- import replicated to both ----
for i in $(seq 1 3000); do echo "m,k=a v=${i}i $i"; done >"$T/a.lp"
check import-two 0 $BIN --host "$TWO" --write-mode replicate --ack all -d "$DB" import "$T/a.lp"
expect_in import-summary-1 "127.0.0.1:$P1: 3000 points stored" "$ERR"
expect_in import-summary-2 "127.0.0.1:$P2: 3000 points stored" "$ERR"
expect_eq count-1 3000 "$(count "$P1" 'SELECT count(v) FROM m')"
expect_eq count-2 3000 "$(count "$P2" 'SELECT count(v) FROM m')"

# ---- a dead host: quorum of 3 not met with 2 alive? it is (2 of 3);
# ack all is not: exit 3, and its batches wait in its spool ----
for i in $(seq 1 500); do echo "n v=${i}i $i"; done >"$T/b.lp"
check write-quorum 0 $BIN --host "$TWO,$DEAD" --write-mode replicate --ack quorum \
    --spool "$T/spool" --timeout 1 -d "$DB" write "$T/b.lp"
expect_in write-waits "127.0.0.1:1: 0 points stored; 1 batches" "$ERR"
expect_in write-waits-spool "wait in its spool" "$ERR"
ls "$T"/spool/127.0.0.1_1/*.batch >/dev/null 2>&1 && ok || bad "spool file"
check write-all 3 $BIN --host "$TWO,$DEAD" --write-mode replicate --ack all \
    --timeout 1 -d "$DB" write "$T/b.lp"
expect_in write-all-why "ack all" "$ERR"
check import-all 3 $BIN --host "$TWO,$DEAD" --write-mode replicate --ack all \
    --timeout 1 --retries 1 -d "$DB" import "$T/b.lp"
expect_eq count-n 500 "$(count "$P1" 'SELECT count(v) FROM n')"

expect_in import-all-summary "127.0.0.1:1: 0 points stored" "$ERR"

# ---- failover reads: the dead host first ----
check read-failover 0 $BIN --host "$DEAD,$TWO" --retries 1 -d "$DB" query --format csv \
    'SELECT count(v) FROM m'
expect_in read-failover-count ",3000" "$OUT"

# ---- bad values are usage errors ----
check bad-mode 2 $BIN --host "$TWO" --write-mode mirror ping
expect_in bad-mode-why "failover, replicate" "$ERR"
check bad-ack 2 $BIN --host "$TWO" --ack most ping
check spool-needs-replicate 6 $BIN --host "$TWO" --spool "$T/x" -d "$DB" write "$T/b.lp"

finish "cli hosts tests"
[ "$fails" = 0 ]
