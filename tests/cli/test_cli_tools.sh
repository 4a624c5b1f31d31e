#!/bin/bash
# End-to-end tests of influxc import / export / shell / config against a
# real influxd, with the terminal parts (progress bar, Ctrl-C, the shell's
# prompt and history, colours) driven through tmux.
# usage: test_cli_tools.sh INFLUXC SRV_DIR
set -u
BIN=$(readlink -f "$1")
SRV=$2
PORT=$(cat "$SRV/plain/port")
DB="tools_$$"
T=$(mktemp -d /tmp/influxc-tools-XXXXXX)
export INFLUXC_CONFIG=/dev/null
. "$(dirname "$0")/lib.sh"
TMUX_SOCK="influxc-test-$$"

cleanup() {
    tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
    $I database drop "$DB" >/dev/null 2>&1
    $I database drop "${DB}_b" >/dev/null 2>&1
    $I database drop "${DB}_c" >/dev/null 2>&1
    rm -rf "$T" "$LIB_ERR"
}
trap cleanup EXIT

I="$BIN --host 127.0.0.1 --port $PORT"

# count DB QUERY -> the first count in the result (csv)
count() {
    $I -d "$1" query --format csv "$2" | awk -F, 'NR==2 {print $4}'
}

$I database create "$DB" >/dev/null || { echo "cannot create $DB"; exit 1; }

# ---- help for every command ----
for c in write import export shell query ping database demo; do
    check "help-$c" 0 $BIN $c --help
    expect_in "help-$c" "usage: influxc $c" "$LAST_OUT"
done

# ---- import: line protocol, plain and gzip, several files ----
python3 - "$T" <<'EOF'
import sys
t = sys.argv[1]
with open(t + "/a.lp", "w") as f:
    f.write("# generated\n")
    for i in range(20000):
        f.write('cpu,host=h%d,region=r%d usage=%d.5,n=%di,s="v %d" %d\n'
                % (i % 7, i % 3, i % 100, i, i, 1600000000000000000 + i * 1000))
        if i % 5000 == 0:
            f.write("\n")
with open(t + "/b.lp", "w") as f:
    for i in range(20000, 25000):
        f.write('cpu,host=h%d,region=r%d usage=%d.5,n=%di,s="v %d" %d\n'
                % (i % 7, i % 3, i % 100, i, i, 1600000000000000000 + i * 1000))
EOF
gzip -k "$T/b.lp"
check import-lp 0 $I -d "$DB" import "$T/a.lp" "$T/b.lp.gz"
expect_in import-summary "imported 25000 points from 2 files" "$LAST_ERR"
expect_in import-summary-rejected "0 lines rejected" "$LAST_ERR"
expect_eq import-count 25000 "$(count "$DB" 'SELECT count(n) FROM cpu')"
check import-quiet 0 $I -d "$DB" import --quiet "$T/b.lp.gz"
expect_eq import-quiet-silent "" "$LAST_ERR"
# stdin
head -n 102 "$T/a.lp" | sed 's/^cpu,/stdin,/' >"$T/s.lp"
check import-stdin 0 sh -c "$I -d $DB import - <'$T/s.lp'"
expect_eq import-stdin-count 100 "$(count "$DB" 'SELECT count(n) FROM stdin')"

# ---- import: rejected lines are named by file and line ----
cat >"$T/bad.lp" <<'EOF'
rej v=1i 1
rej v=2i 2

this is not line protocol
rej v=3i 3
rej v= 4
rej v=5i 5
EOF
check import-bad 7 $I -d "$DB" import "$T/bad.lp"
expect_in import-bad-line4 "bad.lp:4: rejected:" "$LAST_ERR"
expect_in import-bad-line6 "bad.lp:6: rejected: missing field value" "$LAST_ERR"
expect_in import-bad-summary "imported 4 points" "$LAST_ERR"
expect_in import-bad-summary "2 lines rejected" "$LAST_ERR"
expect_eq import-bad-stored 4 "$(count "$DB" 'SELECT count(v) FROM rej')"
# Nothing of it stored: 5, as write says (7 is for some stored, some not).
printf 'rej v="text" 9\n' >"$T/conflict.lp"
check import-conflict 5 $I -d "$DB" import "$T/conflict.lp"
expect_in import-conflict "conflict.lp:1 to" "$LAST_ERR"
expect_in import-conflict "field type conflict" "$LAST_ERR"
printf 'ok v=1 1\nbad\xff v=1 2\nok v=3 3\n' >"$T/utf8.lp"
check import-utf8 7 $I -d "$DB" import "$T/utf8.lp"
expect_in import-utf8 "utf8.lp:2: rejected:" "$LAST_ERR"
expect_eq import-utf8-rest 2 "$(count "$DB" 'SELECT count(v) FROM ok')"
# Line numbers are physical lines: a string field may span two.
printf 'nl s="multi\nline" 1\nnl s="bad\xff" 2\nnl s="ok" 3\n' >"$T/nl.lp"
check import-physical-lines 7 $I -d "$DB" import "$T/nl.lp"
expect_in import-physical-lines "nl.lp:3: rejected: is not valid UTF-8" "$LAST_ERR"
check import-skip-physical 0 $I -d "$DB" import --skip 3 "$T/nl.lp"
expect_in import-skip-physical "imported 1 points" "$LAST_ERR"
check import-missing 6 $I -d "$DB" import "$T/nope.lp"
check import-nofile 2 $I -d "$DB" import
check import-nodb 6 $I import "$T/a.lp"

# ---- --skip ----
$I database create "${DB}_b" >/dev/null
check import-skip 0 $I -d "${DB}_b" import --skip 11 "$T/a.lp"
# a.lp: line 1 is a comment, line 3 blank (after point 0): lines 1-11 hold
# points 0-8.
expect_eq import-skip-count 19991 "$(count "${DB}_b" 'SELECT count(n) FROM cpu')"

# ---- CSV ----
cat >"$T/w.csv" <<'EOF'
time,station,kind,temp,note,ok
2020-01-01T00:00:00Z,s1,"a,b",1.5,"said ""hi""",true
2020-01-01T00:00:01Z,s2,x,2,"multi
line",false
2020-01-01T00:00:02Z,s1,x,,only note,
EOF
check import-csv 0 $I -d "$DB" import --measurement weather --tag-columns station,kind "$T/w.csv"
check csv-query 0 $I -d "$DB" query --format csv "SELECT temp, note, ok FROM weather WHERE station = 's1' AND kind = 'a,b'"
expect_in csv-values "1.5,\"said \"\"hi\"\"\",true" "$LAST_OUT"
expect_eq csv-count 2 "$(count "$DB" 'SELECT count(note) FROM weather WHERE station = '"'s1'")"
check csv-multiline 0 $I -d "$DB" query --format json "SELECT note FROM weather WHERE station = 's2'"
expect_in csv-multiline 'multi\nline' "$LAST_OUT"
check csv-needs-measurement 2 $I -d "$DB" import "$T/w.csv"
# Lists with empty entries (a fuzzer find): same as without them.
check csv-list-commas 0 $I -d "$DB" import --measurement weather2 --tag-columns ,station,,kind, "$T/w.csv"
expect_eq csv-list-commas 2 "$(count "$DB" "SELECT count(note) FROM weather2 WHERE station = 's1'")"
printf 't,v\n1,2\n2,3,4\n3,x\n' >"$T/ragged.csv"
check csv-ragged 7 $I -d "$DB" import --measurement rag --time-column t --precision s --field-types v=float "$T/ragged.csv"
expect_in csv-ragged "ragged.csv:3: rejected: has a different number of cells" "$LAST_ERR"
expect_in csv-ragged "ragged.csv:4: rejected: has a non-number" "$LAST_ERR"
check csv-epoch 0 $I -d "$DB" query --epoch s "SELECT v FROM rag"
expect_in csv-epoch "1" "$LAST_OUT"
# write --format csv is the same path
printf 'time,v\n5,7\n' | check write-csv 0 $I -d "$DB" write --format csv --measurement wcsv --precision s -
expect_eq write-csv 1 "$(count "$DB" 'SELECT count(v) FROM wcsv')"
# write --format csv goes through frames: one type per column, inferred
cat >"$T/f.csv" <<'EOF2'
time,site,temp,ok,note,n
2021-01-01T00:00:00.000000001Z,a,1.5,true,"x, ""y""",1
2021-01-01T00:00:00.000000002Z,b,2,false,"two
lines",2
2021-01-01T00:00:00.000000003Z,a,warm,true,z,3
2021-01-01T00:00:00.000000004Z,a,4,maybe,z,4
2021-01-01T00:00:00.000000005Z,b,5,true,z
2021-01-01T00:00:00.000000006Z,,,,,
2021-01-01T00:00:00.000000007Z,c,,,,7
EOF2
check write-csv-frame 7 $I -d "$DB" write --format csv --measurement fcsv --tag-columns site --field-types n=int,temp=float,ok=bool "$T/f.csv"
expect_in write-csv-frame "f.csv:5: rejected: has a non-number in a float column" "$LAST_ERR"
expect_in write-csv-frame "f.csv:6: rejected: has a non-boolean" "$LAST_ERR"
expect_in write-csv-frame "f.csv:7: rejected: has a different number of cells" "$LAST_ERR"
expect_in write-csv-frame "wrote 3 rows" "$LAST_ERR"
expect_in write-csv-frame "3 rejected, 1 without field values skipped" "$LAST_ERR"
check write-csv-types 0 $I -d "$DB" query --format csv "SHOW FIELD KEYS FROM fcsv"
expect_in write-csv-types "temp,float" "$LAST_OUT"
expect_in write-csv-types "ok,boolean" "$LAST_OUT"
expect_in write-csv-types "note,string" "$LAST_OUT"
expect_in write-csv-types "n,integer" "$LAST_OUT"
check write-csv-values 0 $I -d "$DB" query --format csv --epoch ns "SELECT * FROM fcsv"
expect_in write-csv-values "fcsv,,1609459200000000001,1,\"x, \"\"y\"\"\",true,a,1.5" "$LAST_OUT"
expect_in write-csv-values "fcsv,,1609459200000000007,7,,,c," "$LAST_OUT"
check write-csv-nomeas 2 $I -d "$DB" write --format csv "$T/f.csv"
check write-csv-notime 6 $I -d "$DB" write --format csv --measurement x --time-column when "$T/f.csv"
expect_in write-csv-notime 'no column named "when"' "$LAST_ERR"
# Inferred: a column with one non-number in the block is text.
check write-csv-infer 7 $I -d "$DB" write --format csv --measurement fcsv2 --tag-columns site "$T/f.csv"
check write-csv-infer-types 0 $I -d "$DB" query --format csv "SHOW FIELD KEYS FROM fcsv2"
expect_in write-csv-infer-types "temp,string" "$LAST_OUT"
expect_in write-csv-infer-types "n,float" "$LAST_OUT"

# ---- export, and back in ----
check export-lp 0 $I -d "$DB" export --measurement cpu --output "$T/out.lp"
expect_in export-lp "exported 25000 points" "$LAST_ERR"
$I database create "${DB}_c" >/dev/null
check reimport 0 $I -d "${DB}_c" import --quiet "$T/out.lp"
check export-again 0 $I -d "${DB}_c" export --measurement cpu --output "$T/out2.lp"
if cmp -s "$T/out.lp" "$T/out2.lp"; then ok; else bad "export/import/export differs"; fi
# the types survived: n is an integer field
check export-types 0 $I -d "${DB}_c" query --format csv "SHOW FIELD KEYS FROM cpu"
expect_in export-types "n,integer" "$LAST_OUT"
expect_in export-types "s,string" "$LAST_OUT"
check export-where 0 $I -d "$DB" export --measurement cpu --where "host = 'h1'" --precision s
expect_eq export-where "$(grep -c 'host=h1,' "$T/a.lp" "$T/b.lp" | awk -F: '{s+=$2} END {print s}')" "$(printf '%s\n' "$LAST_OUT" | grep -c .)"
check export-csv 0 $I -d "$DB" export --measurement weather --format csv
expect_in export-csv "time,kind,note,ok,station,temp" "$LAST_OUT"
printf '%s\n' "$LAST_OUT" >"$T/weather.csv"
check csv-roundtrip 0 $I -d "${DB}_c" import --measurement weather --tag-columns station,kind --field-types ok=bool "$T/weather.csv"
check csv-roundtrip-q 0 $I -d "${DB}_c" query --format csv "SELECT * FROM weather"
check csv-roundtrip-orig 0 $I -d "$DB" query --format csv "SELECT * FROM weather"
expect_eq csv-roundtrip-same "$LAST_OUT" "$($I -d "${DB}_c" query --format csv 'SELECT * FROM weather')"
check export-hostile-name 0 $I -d "$DB" export --measurement 'x" ; DROP DATABASE '"$DB"' --'
expect_in export-hostile-name "exported 0 points" "$LAST_ERR"
check export-db-survived 0 $I database list
expect_in export-db-survived "$DB" "$LAST_OUT"
check export-both 2 $I -d "$DB" export --measurement a --query "SELECT 1"
check export-query 0 $I -d "$DB" export --query "SELECT n FROM cpu WHERE n < 3 GROUP BY *"
expect_eq export-query-lines 3 "$(printf '%s\n' "$LAST_OUT" | grep -c '^cpu,')"

# ---- list commands in every format ----
check list-tsv 0 $I database list
expect_in list-tsv "$DB" "$LAST_OUT"
check list-csv 0 $I database list --format csv
expect_eq list-csv-header "name" "$(printf '%s\n' "$LAST_OUT" | head -1)"
check list-json 0 $I -d "$DB" measurement list --format json
printf '%s' "$LAST_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert {"name":"cpu"} in d, d' && ok || bad "measurement list --format json"
check list-jsonl 0 $I -d "$DB" rp list --format jsonl
expect_in list-jsonl '"name":"autogen"' "$LAST_OUT"
expect_in list-jsonl '"default":"true"' "$LAST_OUT"
check list-table 0 $I -d "$DB" rp list --format table
expect_in list-table "name    duration" "$LAST_OUT"
check list-bad-format 2 $I database list --format xml

# ---- config file and precedence ----
printf '# influxc\nport = %s\ndatabase = "%s"\n' "$PORT" "$DB" >"$T/config"
chmod 600 "$T/config"
check config 0 env INFLUXC_CONFIG="$T/config" $BIN query --format csv "SELECT count(n) FROM cpu"
expect_in config ",25000" "$LAST_OUT"
check config-flag-wins 3 env INFLUXC_CONFIG="$T/config" $BIN --port 1 --retries 1 ping
check config-dsn-wins 0 env INFLUXC_CONFIG="$T/config" INFLUX_DSN="influxdb://127.0.0.1:$PORT" $BIN ping
printf 'prot = 1\n' >"$T/badconfig"
check config-bad 2 env INFLUXC_CONFIG="$T/badconfig" $BIN ping
expect_in config-bad "badconfig:1" "$LAST_ERR"
printf 'port = %s\npassword = x\n' "$PORT" >"$T/openconfig"
chmod 644 "$T/openconfig"
check config-open 0 env INFLUXC_CONFIG="$T/openconfig" $BIN ping
expect_in config-open "readable by others" "$LAST_ERR"

# ---- shell without a terminal: a script on stdin ----
printf 'use %s\nprecision s\nformat csv\nSELECT count(v) FROM rej\ninsert shellm v=42 7\nSELECT v FROM shellm\n' "$DB" >"$T/script"
check shell-script 0 sh -c "$I shell <'$T/script'"
expect_in shell-script "Using database $DB" "$LAST_OUT"
expect_in shell-script "rej,,0,4" "$LAST_OUT"
expect_in shell-script "shellm,,7,42" "$LAST_OUT"
printf 'use nosuchdb\nSELECT * FROM\n' >"$T/script2"
check shell-errors 5 sh -c "$I shell <'$T/script2'"
expect_in shell-errors "database nosuchdb does not exist" "$LAST_ERR"

# ---- terminals (tmux): progress bar, Ctrl-C and resume, shell, colour ----
tm() { tmux -L "$TMUX_SOCK" "$@"; }
tm kill-server 2>/dev/null
tm -f /dev/null new-session -d -s t -x 160 -y 50 "bash --norc --noprofile" || { bad "tmux cannot start"; }
tm set-option -t t history-limit 5000 >/dev/null
wait_for() { # text, seconds -> 0 when the pane shows text
    local i=0
    while [ $i -lt $(($2 * 10)) ]; do
        if tm capture-pane -p -t t -S -200 | grep -qF -- "$1"; then return 0; fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
send() { tm send-keys -t t -l -- "$1"; tm send-keys -t t Enter; }

python3 - "$T" <<'EOF'
import sys
with open(sys.argv[1] + "/big.lp", "w") as f:
    for i in range(600000):
        f.write('big,host=h%d v=%di %d\n' % (i % 10, i, 1600000000000000000 + i))
EOF
$I database create "${DB}_b" >/dev/null
send "export INFLUXC_CONFIG=/dev/null HOME=$T PS1='$ '; clear"
send "$I -d ${DB}_b import --pool-size 1 --batch-size 1000 --buffer-size 1 $T/big.lp; echo EXIT=\$?"
if wait_for "points/s ETA" 20; then ok; else bad "no progress bar on a terminal"; tm capture-pane -p -t t | tail -5; fi
sleep 0.3
tm send-keys -t t C-c
if wait_for "EXIT=130" 60; then ok; else bad "Ctrl-C did not stop the import"; tm capture-pane -p -t t | tail -8; fi
pane=$(tm capture-pane -p -t t -S -200 -J)
expect_in ctrl-c-resume "resume with --skip" "$pane"
SKIP=$(printf '%s\n' "$pane" | sed -n 's/.*resume with --skip \([0-9]*\).*/\1/p' | tail -1)
if [ -n "$SKIP" ] && [ "$SKIP" -gt 0 ] && [ "$SKIP" -lt 600000 ]; then ok; else bad "resume point \"$SKIP\" is not inside the file"; fi
# Everything before the resume point is stored; resuming completes it.
expect_eq ctrl-c-stored "$SKIP" "$(count "${DB}_b" 'SELECT count(v) FROM big')"
check resume 0 $I -d "${DB}_b" import --quiet --skip "$SKIP" "$T/big.lp"
expect_eq resume-complete 600000 "$(count "${DB}_b" 'SELECT count(v) FROM big')"

# Without a terminal: plain progress lines at the interval asked for.
$I database create "${DB}_c" >/dev/null
check progress-plain 0 $I -d "${DB}_c" import --pool-size 1 --batch-size 1000 --buffer-size 1 --progress-interval 0.1 "$T/big.lp"
expect_in progress-plain "influxc: import: " "$LAST_ERR"
expect_in progress-plain "points/s" "$LAST_ERR"
if printf '%s' "$LAST_ERR" | grep -q "$(printf '\r')"; then bad "carriage returns in plain progress"; else ok; fi

# The shell on a terminal: prompt, history, colours.
send "clear"
send "$I -d $DB shell"
if wait_for "Connected to InfluxDB" 10; then ok; else bad "shell did not start"; fi
send "SELECT count(v) FROM rej"
if wait_for "count" 10; then ok; else bad "shell did not answer"; fi
pane=$(tm capture-pane -p -e -t t)
expect_in shell-colour "$(printf '\033[1m')" "$pane"
send "CREATE USER histuser WITH PASSWORD 'hist-secret-9'"
send "format csv"
tm send-keys -t t Up Up Enter   # the SELECT again (the password line is not in the history)
if wait_for "rej,,1970-01-01T00:00:00Z,4" 10; then ok; else bad "history recall did not rerun the query"; tm capture-pane -p -t t | tail -5; fi
send "exit"
send "echo SHELL=\$?"
if wait_for "SHELL=0" 5; then ok; else bad "shell did not exit cleanly"; fi
if sed 's/\\040/ /g' "$T/.influxc_history" 2>/dev/null | grep -qF "SELECT count(v) FROM rej"; then ok; else bad "history not saved"; fi
if grep -q "hist-secret-9" "$T/.influxc_history"; then bad "a password went into the history"; else ok; fi
$I user drop histuser >/dev/null 2>&1
send "clear"
send "NO_COLOR=1 $I -d $DB query 'SELECT count(v) FROM rej'"
wait_for "count" 10
pane=$(tm capture-pane -p -e -t t)
if printf '%s' "$pane" | grep -qF "$(printf '\033[1m')"; then bad "colour despite NO_COLOR"; else ok; fi
# --password "" on a terminal prompts without echo (the stock CLI's way).
APORT=$(cat "$SRV/auth/port")
send "clear"
send "$BIN --host 127.0.0.1 --port $APORT --username admin --password '' database list; echo PW=\$?"
if wait_for "Password:" 10; then ok; else bad "no password prompt for --password ''"; fi
tm send-keys -t t -l -- "admin-secret"
tm send-keys -t t Enter
if wait_for "PW=0" 10; then ok; else bad "prompted password not used"; tm capture-pane -p -t t | tail -5; fi
pane=$(tm capture-pane -p -t t -S -50)
if printf '%s' "$pane" | grep -q "admin-secret"; then bad "the prompted password was echoed"; else ok; fi
tm kill-server 2>/dev/null

finish "cli tools tests"
