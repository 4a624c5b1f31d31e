#!/bin/bash
# What a new user and an attacker hit, end to end against real influxd
# servers (plain, auth, TLS) and the fake server's hostile answers: the
# influx_inspect export format, output a person reads, exit codes, TLS and
# credentials, hostile input.
# usage: test_cli_safety.sh INFLUXC SRV_DIR
set -u
BIN=$1
SRV=$2
PORT=$(cat "$SRV/plain/port")
APORT=$(cat "$SRV/auth/port")
TPORT=$(cat "$SRV/tls/port")
FPORT=$(cat "$SRV/fake2/port")
export INFLUXC_CONFIG=/dev/null
unset INFLUX_DSN INFLUX_USERNAME INFLUX_PASSWORD
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T" "$LIB_ERR"' EXIT

I="$BIN --host 127.0.0.1 --port $PORT"
DB="safe_$$"
check db 0 $I database create "$DB"

# ---- the influx_inspect export format: two databases, two RPs of one ----
A="safe_a_$$"
B="safe_b_$$"
# Times within the last hour, so that short retention policies keep them.
S=$(($(date +%s) - 600))
cat >"$T/export.lp" <<LP
# INFLUXDB EXPORT: 1677-09-21T00:12:43Z - 2262-04-11T23:47:16Z
# DDL
CREATE DATABASE $A WITH NAME autogen
CREATE DATABASE $A WITH NAME oneday
CREATE RETENTION POLICY week ON $A DURATION 7d REPLICATION 1
CREATE DATABASE $B WITH NAME autogen
# DML
# CONTEXT-DATABASE:$A
# CONTEXT-RETENTION-POLICY:autogen
# writing tsm data
cpu,host=h1 value=1 1000000000
cpu,host=h1 value=2 2000000000
# CONTEXT-DATABASE:$A
# CONTEXT-RETENTION-POLICY:oneday
cpu,host=h1 value=10 1000000000
# CONTEXT-RETENTION-POLICY:week
cpu,host=h1 value=100 ${S}000000000
# CONTEXT-DATABASE:$B
# CONTEXT-RETENTION-POLICY:autogen
mem,host=h2 free=5i 1000000000
LP
check export-import 0 $I import "$T/export.lp"
has export-summary "$A.autogen: 2 points written, 0 rejected" "$ERR"
has export-summary-rp "$A.oneday: 1 points written" "$ERR"
has export-summary-rp2 "$A.week: 1 points written" "$ERR"
has export-summary-db "$B.autogen: 1 points written" "$ERR"
has export-ddl "4 DDL statements run, 0 failed" "$ERR"
# The same series and time in two RPs did not overwrite each other.
check export-autogen 0 $I -d "$A" query --format csv --precision s 'SELECT value FROM autogen.cpu'
has export-autogen-1 "cpu,,1,1" "$OUT"
has export-autogen-2 "cpu,,2,2" "$OUT"
check export-oneday 0 $I -d "$A" query --format csv --precision s 'SELECT value FROM oneday.cpu'
has export-oneday-v "cpu,,1,10" "$OUT"
hasnt export-oneday-only "cpu,,2," "$OUT"
check export-week 0 $I -d "$A" query --format csv --precision s 'SELECT value FROM week.cpu'
has export-week-v "cpu,,$S,100" "$OUT"
check export-b 0 $I -d "$B" query --format csv --precision s 'SELECT free FROM mem'
has export-b-v "mem,,1,5" "$OUT"
check export-nothing-in-default 0 $I -d "$DB" query 'SELECT * FROM cpu'
[ -z "$OUT" ] && ok || bad "points leaked into --database's db: $OUT"
# Again: idempotent (DDL and points alike).
check export-again 0 $I import "$T/export.lp"
check export-count 0 $I -d "$A" query --format csv 'SELECT count(value) FROM autogen.cpu'
has export-count-2 ",2" "$OUT"
# An explicit --database or --rp the file contradicts is refused before
# anything is sent.
check export-conflict-db 2 $I -d "$DB" import "$T/export.lp"
has export-conflict-msg "but --database $DB was given" "$ERR"
check export-conflict-rp 2 $I import --rp autogen "$T/export.lp"
has export-conflict-rp-msg "but --rp autogen was given" "$ERR"
# Without context lines, --database and --rp apply.
check rp-create 0 $I -d "$DB" rp create short 1d
printf 'cpu v=7 %s000000000\n' "$S" >"$T/plain.lp"
check plain-rp 0 $I -d "$DB" import --rp short "$T/plain.lp"
check plain-rp-q 0 $I -d "$DB" query --format csv --precision s 'SELECT v FROM short.cpu'
has plain-rp-v "cpu,,$S,7" "$OUT"
# Counts per target: a rejected line is counted where it was, not again
# for a target that follows it without points.
printf '# CONTEXT-DATABASE:%s\nbad line\n# CONTEXT-DATABASE:%s\n# CONTEXT-RETENTION-POLICY:short\n# CONTEXT-DATABASE:%s\ncpu v=8 %s000000000\n' \
    "$DB" "$DB" "$DB" "$S" >"$T/counts.lp"
check ctx-counts 7 $I import "$T/counts.lp"
has ctx-counts-bad "$DB.(default RP): 1 points written, 1 rejected" "$ERR"
hasnt ctx-counts-short "$DB.short:" "$ERR"
# Statements other than CREATE DATABASE / RETENTION POLICY never run.
printf '# DDL\nDROP DATABASE %s\n# DML\n' "$DB" >"$T/evil.lp"
check ddl-refused 5 $I import "$T/evil.lp"
has ddl-refused-msg "evil.lp:2: rejected: not a CREATE DATABASE" "$ERR"
check ddl-db-kept 0 $I database list
has ddl-db-kept "$DB" "$OUT"
check drop-a 0 $I database drop "$A"
check drop-b 0 $I database drop "$B"

# ---- output a person reads ----
printf 'w,city=Z\xc3\xbcrich v=10,x=630 1000000000\nw,city=\xe6\x9d\xb1\xe4\xba\xac v=0.1,x=-0.000001 2000000000\nw,city=a v=1e21,x=1e-7 3000000000\n' |
    check floats-write 0 $I -d "$DB" write
check floats-table 0 $I -d "$DB" query 'SELECT v, x, city FROM w'
# Hand-made: columns padded to their display width (東京 is 4 columns).
want="time                 v     x         city
-------------------- ----- --------- ------
1970-01-01T00:00:01Z    10       630 Zürich
1970-01-01T00:00:02Z   0.1 -0.000001 東京
1970-01-01T00:00:03Z 1e+21      1e-7 a"
has floats-table-exact "$want" "$OUT"
check floats-json 0 $I -d "$DB" query --format json 'SELECT v, x FROM w'
has floats-json-v '[["1970-01-01T00:00:01Z",10,630],["1970-01-01T00:00:02Z",0.1,-0.000001],["1970-01-01T00:00:03Z",1e+21,1e-7]]' "$OUT"
check floats-jsonl 0 $I -d "$DB" query --format jsonl --precision s 'SELECT v, x FROM w'
has floats-jsonl-v '{"name":"w","time":1,"v":10,"x":630}' "$OUT"
check floats-csv 0 $I -d "$DB" query --format csv --precision s 'SELECT v, x FROM w'
has floats-csv-v 'w,,2,0.1,-0.000001' "$OUT"
# JSON lines: unique keys; a column keeps its name, metadata moves aside.
for q in "SHOW MEASUREMENTS" "SHOW RETENTION POLICIES" "SHOW TAG KEYS" "SELECT v FROM w GROUP BY city"; do
    check "jsonl $q" 0 $I -d "$DB" query --format jsonl "$q"
    printf '%s\n' "$OUT" | /usr/bin/python3 -c '
import json, sys
def pairs(kv):
    keys = [k for k, _ in kv]
    if len(keys) != len(set(keys)):
        raise SystemExit("duplicate keys: %r" % keys)
    return dict(kv)
for line in sys.stdin:
    if line.strip():
        json.loads(line, object_pairs_hook=pairs)
' && ok || bad "jsonl $q has duplicate keys: $OUT"
done
check jsonl-measurements 0 $I -d "$DB" query --format jsonl "SHOW MEASUREMENTS"
has jsonl-meta '{"_name":"measurements","name":"w"}' "$OUT"
check jsonl-rp 0 $I -d "$DB" query --format jsonl "SHOW RETENTION POLICIES"
has jsonl-rp-meta '{"_name":"","name":"autogen",' "$OUT"
# Precision: --precision everywhere, --epoch kept, rfc3339, usage errors.
check prec-query 0 $I -d "$DB" query --format csv --precision ms 'SELECT v FROM w'
has prec-query-ms 'w,,1000,10' "$OUT"
check prec-epoch 0 $I -d "$DB" query --format csv --epoch ms 'SELECT v FROM w'
has prec-epoch-ms 'w,,1000,10' "$OUT"
check prec-rfc 0 $I -d "$DB" query --format csv --precision rfc3339 'SELECT v FROM w'
has prec-rfc-t 'w,,1970-01-01T00:00:01Z,10' "$OUT"
check prec-bad 2 $I -d "$DB" query --precision fortnight 'SELECT v FROM w'
check prec-export-bad 2 $I -d "$DB" export --measurement w --precision fortnight
check prec-export-rfc-line 2 $I -d "$DB" export --measurement w --precision rfc3339
check prec-export-rfc-csv 0 $I -d "$DB" export --measurement w --format csv --precision rfc3339
has prec-export-rfc-csv-t '1970-01-01T00:00:01Z' "$OUT"
printf 'sub v=1 1500000000\nsub v=2 2000000000\nsub v=3 2250000000\n' | check sub-write 0 $I -d "$DB" write
check export-trunc 0 $I -d "$DB" export --measurement sub --precision s
has export-trunc-warn "2 times had digits finer than --precision s" "$ERR"
has export-trunc-floor "sub v=1 1" "$OUT"
check export-exact 0 $I -d "$DB" export --measurement sub --precision ms
hasnt export-exact-warn "finer than" "$ERR"
check write-prec-bad 2 $I -d "$DB" write --precision fortnight /dev/null
# One CSV writer: export and query write the same cells (floats as the
# shortest plain text, quoting, floored integer times before 1970).
printf 'fl v=0.0000001,w=150000000000000000000,s="a,\\"b" -1500000\n' | check fl-write 0 $I -d "$DB" write
check fl-export 0 $I -d "$DB" export --measurement fl --format csv --precision ms
has fl-export-cells '-2,"a,""b",1e-7,150000000000000000000' "$OUT"
check fl-query 0 $I -d "$DB" query --format csv --precision ms 'SELECT s, v, w FROM fl'
has fl-query-cells 'fl,,-2,"a,""b",1e-7,150000000000000000000' "$OUT"

# ---- exit codes: one mapping ----
printf 'pw v=1 1\npw v= 2\n' >"$T/partial.lp"
check partial-write 7 $I -d "$DB" write "$T/partial.lp"
check partial-import 7 $I -d "$DB" import -q "$T/partial.lp"
printf 'pw v= 3\n' >"$T/none.lp"
check none-write 5 $I -d "$DB" write "$T/none.lp"
check none-import 5 $I -d "$DB" import -q "$T/none.lp"
printf 'pw v="s" 4\n' >"$T/conflict.lp"
check conflict-write 5 $I -d "$DB" write "$T/conflict.lp"
printf 'pw v="s" 4\npw v=5 5\n' >"$T/conflict2.lp"
check conflict-partial 7 $I -d "$DB" write "$T/conflict2.lp"
# CSV: one type per column in both commands; misfits by FILE:LINE.
{
    echo "time,host,v"
    for i in $(seq 1 1200); do
        if [ "$i" = 1100 ]; then echo "$i,a,oops"; else echo "$i,a,$i.5"; fi
    done
} >"$T/odd.csv"
check csv-import 7 $I -d "$DB" import -q --measurement csvi --tag-columns host --precision s "$T/odd.csv"
has csv-import-line "odd.csv:1101: rejected: has a non-number in a float column" "$ERR"
check csv-write 7 $I -d "$DB" write --format csv --measurement csvw --tag-columns host --precision s "$T/odd.csv"
has csv-write-line "odd.csv:1101: rejected: has a non-number in a float column" "$ERR"
check csv-count 0 $I -d "$DB" query --format csv 'SELECT count(v) FROM csvi; SELECT count(v) FROM csvw'
has csv-count-i "csvi,,1970-01-01T00:00:00Z,1199" "$OUT"
has csv-count-w "csvw,,1970-01-01T00:00:00Z,1199" "$OUT"
# --opt=value, globally and per command
check opt-equals 0 $BIN --host=127.0.0.1 --port=$PORT ping
check opt-equals-cmd 0 $BIN --host 127.0.0.1 --port $PORT query --database="$DB" --format=csv --precision=s 'SELECT v FROM w'
has opt-equals-out 'w,,1,10' "$OUT"
check opt-equals-bad 2 $BIN --port=nope ping

# ---- TLS: verified by default ----
check tls-default 3 $BIN --ssl --host 127.0.0.1 --port $TPORT --retries 1 ping
has tls-default-msg "certificate" "$ERR"
check tls-ca 0 $BIN --ssl --host 127.0.0.1 --port $TPORT --ca-cert "$SRV/tls/ca.pem" ping
check tls-verify-flag 0 $BIN --ssl --verify-ssl --host 127.0.0.1 --port $TPORT --ca-cert "$SRV/tls/ca.pem" ping
check tls-insecure 0 $BIN --ssl --insecure --host 127.0.0.1 --port $TPORT ping
has tls-insecure-loud "not verified" "$ERR"
check tls-contradiction 2 $BIN --ssl --insecure --verify-ssl --host 127.0.0.1 --port $TPORT ping

# ---- credentials ----
AI="$BIN --host 127.0.0.1 --port $APORT"
check env-creds 0 env INFLUX_USERNAME=admin INFLUX_PASSWORD=admin-secret $AI database list
check env-creds-wrong 4 env INFLUX_USERNAME=admin INFLUX_PASSWORD=nope $AI database list
hasnt env-creds-no-echo "nope" "$ERR"
check flag-beats-env 0 env INFLUX_USERNAME=admin INFLUX_PASSWORD=nope $AI --password admin-secret database list
# --password is wiped from the process's command line.
$BIN --host 127.0.0.1 --port $FPORT --path slow3000 --username u --password s3cr3t-pw ping >/dev/null 2>&1 &
pid=$!
sleep 1
if tr '\0' ' ' </proc/$pid/cmdline | grep -q s3cr3t-pw; then bad "password visible in /proc/$pid/cmdline"; else ok; fi
wait $pid

# ---- hostile input and hostile servers ----
/usr/bin/python3 -c 'print("[" * 500000 + "]" * 500000)' >"$T/deep.json"
check deep-json 6 $I -d "$DB" write --format json "$T/deep.json"
has deep-json-msg "nested deeper" "$ERR"
F="$BIN --host 127.0.0.1 --port $FPORT --retries 1"
check deep-error-body 5 $F --path nested query 'SELECT 1'
check deep-error-write 5 $F --path nested -d x write /dev/stdin <<<'m v=1'
check json-answer 0 $F --path jsonq query --format csv 'SELECT * FROM cpu'
has json-answer-v "cpu,,2020-01-01T00:00:01Z,630" "$OUT"
check html-answer 1 $F --path garbage query 'SELECT * FROM cpu'
has html-answer-msg 'Content-Type "text/html"' "$ERR"
# Escapes from the server never reach the terminal raw.
check ansi-error 5 $F --path ansi -d x write /dev/stdin <<<'m v=1'
has ansi-error-shown 'bad\x1b[2J\x1b]0;pwned\x07 \u009b31m thing' "$ERR"
check ansi-table 0 $F --path ansi query 'SELECT * FROM cpu'
has ansi-table-name 'name: evil\x1b[2J' "$OUT"
has ansi-table-cell 'red\x1b[31m\u009b1m' "$OUT"
for what in "$OUT$ERR"; do
    if printf '%s' "$what" | grep -q $'\x1b\|\x07\|\xc2\x9b'; then bad "raw escape reached the output"; else ok; fi
done
printf 'esc,t=a s="x\x1b[2Jy" 1\n' | check esc-write 0 $I -d "$DB" write
check esc-table 0 $I -d "$DB" query 'SELECT s FROM esc'
has esc-table-cell 'x\x1b[2Jy' "$OUT"
check esc-jsonl 0 $I -d "$DB" query --format jsonl 'SELECT s FROM esc'
has esc-jsonl-cell '"s":"x\u001b[2Jy"' "$OUT"

# A server that accepts and never answers: without --timeout a write ends
# after --stall-timeout of silence, retried as a timeout (issue 24: write
# and import waited forever).
check hang-write 3 $F --path hang --stall-timeout 1 -d x write /dev/stdin <<<'m v=1'
has hang-write-msg "Operation too slow" "$ERR"
printf 'm v=1 1\nm v=2 2\n' >"$T/hang.lp"
check hang-import 3 $F --path hang --stall-timeout 1 -d x import "$T/hang.lp"
has hang-import-msg "2 of 2 points not stored" "$ERR"
check stall-usage 2 $F --stall-timeout -1 ping
has stall-usage-msg "--stall-timeout -1 is not a number of seconds" "$ERR"

check db-drop 0 $I database drop "$DB"
finish "cli safety tests"
