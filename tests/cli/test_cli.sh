#!/bin/bash
# End-to-end tests of the influxc command against real influxd servers.
# usage: test_cli.sh INFLUXC SRV_DIR
set -u
shopt -s lastpipe  # `printf ... | check ...` runs check in this shell
BIN=$1
SRV=$2
PORT=$(cat "$SRV/plain/port")
APORT=$(cat "$SRV/auth/port")
DB="cli_$$"
export INFLUXC_CONFIG=/dev/null
. "$(dirname "$0")/lib.sh"

I="$BIN --host 127.0.0.1 --port $PORT"

check version 0 $BIN --version
expect_in version "influxc " "$LAST_OUT"
check help 0 $BIN --help
expect_in help "Exit status" "$LAST_OUT"
check no-command 2 $BIN
check unknown-command 2 $BIN frobnicate
check bad-port 2 $BIN --port 99999 ping

check ping 0 $I ping
expect_in ping "1.6" "$LAST_OUT"
check ping-dsn 0 env INFLUX_DSN="influxdb://127.0.0.1:$PORT" $BIN ping
check ping-dsn-flag 0 $BIN --dsn "influxdb://127.0.0.1:$PORT/x" ping
check ping-bad-dsn 6 $BIN --dsn "http://nope" ping
expect_in ping-bad-dsn "scheme" "$LAST_ERR"
check ping-down 3 $BIN --host 127.0.0.1 --port 1 --retries 1 ping
[ "$(printf '%s' "$LAST_ERR" | wc -l)" -le 1 ] && pass=$((pass + 1)) || { echo "FAIL error is more than one line"; fails=$((fails + 1)); }

check db-create 0 $I database create "$DB"
check db-list 0 $I database list
expect_in db-list "$DB" "$LAST_OUT"

# write: line protocol from stdin, with a string field holding a newline
printf 'cpu,host=a value=1.5,n=1i,s="two\nlines" 1000000000\ncpu,host=b value=2.5,n=2i,s="x" 2000000000\n# comment\n\n' |
    check write-line 0 $I --database "$DB" write -
check query-table 0 $I --database "$DB" query "SELECT value, n FROM cpu GROUP BY host"
expect_in query-table "tags: host=a" "$LAST_OUT"
expect_in query-table "1970-01-01T00:00:01Z" "$LAST_OUT"
check query-json 0 $I --database "$DB" query --format json "SELECT value FROM cpu WHERE host='b'"
expect_in query-json '{"results":[{"statement_id":0,"series":[{"name":"cpu","columns":["time","value"],"values":[["1970-01-01T00:00:02Z",2.5]]}]}]}' "$LAST_OUT"
check query-jsonl 0 $I --database "$DB" query --format jsonl --epoch s "SELECT s FROM cpu GROUP BY host"
expect_in query-jsonl '{"name":"cpu","tags":{"host":"a"},"time":1,"s":"two\nlines"}' "$LAST_OUT"
check query-csv 0 $I --database "$DB" query --format csv "SELECT value FROM cpu"
expect_in query-csv "name,tags,time,value" "$LAST_OUT"
expect_in query-csv "cpu,,1970-01-01T00:00:02Z,2.5" "$LAST_OUT"
check query-param 0 $I --database "$DB" query --format csv --param "h=b" "SELECT value FROM cpu WHERE host = \$h"
expect_in query-param "2.5" "$LAST_OUT"
check query-param-hostile 0 $I --database "$DB" query --format jsonl --param "h=' OR 1=1 --" "SELECT value FROM cpu WHERE host = \$h"
[ -z "$LAST_OUT" ] && pass=$((pass + 1)) || { echo "FAIL hostile param matched rows"; fails=$((fails + 1)); }
check query-chunked 0 $I --database "$DB" query --chunked --chunk-size 1 --format jsonl "SELECT value FROM cpu"
[ "$(printf '%s\n' "$LAST_OUT" | wc -l)" = 2 ] && pass=$((pass + 1)) || { echo "FAIL chunked rows"; fails=$((fails + 1)); }
check query-bad 5 $I --database "$DB" query "SELEC x"
expect_in query-bad "error parsing query" "$LAST_ERR"
check query-stmt-error 5 $I --database "$DB" query "SELECT * FROM nope_db..cpu"
check query-wire-json 0 $I --database "$DB" query --wire json --format jsonl "SELECT n FROM cpu"
expect_in query-wire-json '"n":2' "$LAST_OUT"

# write --format json
cat >/tmp/cli_points_$$.json <<JSON
[{"measurement": "mem", "tags": {"host": "c d"}, "fields": {"used": 10, "pct": 0.5, "ok": true, "note": "it's"}, "time": 3},
 {"measurement": "mem", "tags": {"host": "e"}, "fields": {"used": 11}, "time": "1970-01-01T00:00:04Z"}]
JSON
check write-json 0 $I --database "$DB" write --format json --precision s /tmp/cli_points_$$.json
check query-json-written 0 $I --database "$DB" query --format jsonl --epoch s "SELECT * FROM mem"
expect_in json-int '"used":10' "$LAST_OUT"
expect_in json-time '"time":4' "$LAST_OUT"
expect_in json-tag '"host":"c d"' "$LAST_OUT"
echo '[{"measurement": "mem", "fields": {"bad": [1]}}]' >/tmp/cli_points_$$.json
check write-json-bad 6 $I --database "$DB" write --format json /tmp/cli_points_$$.json
expect_in write-json-bad "point 0" "$LAST_ERR"
printf 'cpu value="str" 5\n' | check write-conflict 5 $I --database "$DB" write
expect_in write-conflict "field type conflict" "$LAST_ERR"
check write-missing 6 $I --database "$DB" write /nonexistent/file
check write-bad-format 2 $I --database "$DB" write --format xml -

# admin groups
check measurement-list 0 $I --database "$DB" measurement list
expect_in measurement-list "mem" "$LAST_OUT"
check series-list 0 $I --database "$DB" series list --measurement cpu --tags host=a
expect_in series-list "cpu,host=a" "$LAST_OUT"
check series-delete 0 $I --database "$DB" series delete --measurement cpu --tags host=a
check series-list2 0 $I --database "$DB" series list --measurement cpu
expect_in series-after-delete "cpu,host=b" "$LAST_OUT"
if printf '%s' "$LAST_OUT" | grep -q "host=a"; then echo "FAIL series not deleted"; fails=$((fails + 1)); fi
check measurement-drop 0 $I --database "$DB" measurement drop mem
check rp-create 0 $I --database "$DB" rp create short 2h --shard-duration 1h
check rp-alter 0 $I --database "$DB" rp alter short --duration 3h --default
check rp-list 0 $I --database "$DB" rp list
expect_in rp-list "short	3h0m0s	1h0m0s	1	true" "$LAST_OUT"
check rp-bad 6 $I --database "$DB" rp create x 1y
expect_in rp-bad "duration \"1y\"" "$LAST_ERR"
check rp-drop 0 $I --database "$DB" rp drop short
check rp-default-back 0 $I --database "$DB" rp alter autogen --default
check cq-create 0 $I --database "$DB" cq create cq1 'SELECT mean(value) INTO cpu_1h FROM cpu GROUP BY time(1h)' --resample "EVERY 1h"
check cq-list 0 $I cq list
expect_in cq-list "cq1" "$LAST_OUT"
check cq-drop 0 $I --database "$DB" cq drop cq1
check rp-help 0 $I rp --help
expect_in rp-help "usage: influxc rp create" "$LAST_OUT"
check user-help 0 $I user --help

# users on the auth server; passwords from stdin, never on the command line
A="$BIN --host 127.0.0.1 --port $APORT --username admin --password-stdin"
echo "admin-secret" | check auth-ping 0 $A database list
echo "wrong" | check auth-wrong 4 $A database list
expect_in auth-wrong "authorization failed" "$LAST_ERR"
if printf '%s' "$LAST_ERR" | grep -q wrong; then echo "FAIL password echoed"; fails=$((fails + 1)); fi
echo "admin-secret" | check auth-db 0 $A database create "$DB"
export INFLUX_DSN="influxdb://admin:admin-secret@127.0.0.1:$APORT/$DB"
echo "cli-pw-1" | check user-create 0 $BIN user create cliuser
check user-list 0 $BIN user list
expect_in user-list "cliuser	-" "$LAST_OUT"
check user-grant 0 $BIN user grant cliuser write --on "$DB"
check user-privs 0 $BIN user privileges cliuser
expect_in user-privs "$DB	WRITE" "$LAST_OUT"
printf 'm v=1 1\n' | check user-writes 0 $BIN --dsn "influxdb://cliuser:cli-pw-1@127.0.0.1:$APORT/$DB" write
check user-cannot-read 4 $BIN --dsn "influxdb://cliuser:cli-pw-1@127.0.0.1:$APORT/$DB" query "SELECT * FROM m"
check user-revoke 0 $BIN user revoke cliuser write --on "$DB"
check user-grant-admin 0 $BIN user grant cliuser admin
echo "cli-pw-2" | check user-password 0 $BIN user password cliuser
check user-old-pw 4 $BIN --dsn "influxdb://cliuser:cli-pw-1@127.0.0.1:$APORT" database list
check user-new-pw 0 $BIN --dsn "influxdb://cliuser:cli-pw-2@127.0.0.1:$APORT" database list
check user-drop 0 $BIN user drop cliuser
check auth-db-drop 0 $BIN database drop "$DB"
unset INFLUX_DSN

check db-drop 0 $I database drop "$DB"
rm -f /tmp/cli_points_$$.json
finish "cli tests"
