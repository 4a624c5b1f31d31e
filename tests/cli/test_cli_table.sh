#!/bin/bash
# The command table is the one source: every command, subcommand and
# global option it lists is in the usage text and the man page, and the
# bash completion generated from it completes them. No server needed.
# usage: test_cli_table.sh INFLUXC MANPAGE
set -u
BIN=$1
MAN=$2
. "$(dirname "$0")/lib.sh"
export INFLUXC_CONFIG=/dev/null
check list 0 "$BIN" completion list
LIST=$OUT
check help 0 "$BIN" --help
HELP=$OUT
manpage=$(sed 's/\\-/-/g; s/\\f[BIR]//g' "$MAN")
while read -r kind a b _; do
    case $kind in
    command)
        expect_in "help lists $a" "  $a " "$HELP"
        expect_in "man page lists $a" "$a" "$manpage" ;;
    subcommand)
        expect_in "help lists $a $b" "$b" "$HELP"
        expect_in "man page lists $a $b" "$b" "$manpage" ;;
    command-option)
        # A command's option is in its help (write's CSV ones in the CSV
        # help) and in the man page.
        h=$("$BIN" "$a" --help 2>&1)
        [ "$a" = write ] && h+=$("$BIN" write --format csv --help 2>&1)
        expect_in "$a --help lists $b" "$b" "$h"
        expect_in "man page lists $a $b" "$b" "$manpage" ;;
    option)
        expect_in "man page lists $a" "$a" "$manpage"
        case $a in --verify-ssl | --unsafe-ssl | -d) ;; # documented aliases
        *) expect_in "help lists $a" "$a" "$HELP" ;;
        esac ;;
    esac
done <<<"$LIST"
[ "$(grep -c '^command ' <<<"$LIST")" -ge 15 ] && ok || bad "too few commands listed"
check bash 0 "$BIN" completion bash
. <(printf '%s\n' "$OUT")
complete_words() { # words... -> COMPREPLY for the last
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _influxc
    echo "${COMPREPLY[*]}"
}
expect_eq complete-command "query" "$(complete_words influxc qu)"
expect_eq complete-after-value "create" "$(complete_words influxc --host h --port 1 rp cr)"
expect_eq complete-option "--insecure" "$(complete_words influxc --insec)"
expect_eq complete-sub "privileges" "$(complete_words influxc user pri)"
# a command's own options and the global ones (--balance)
expect_eq complete-command-option "--balance --batch-size --buffer-size" "$(complete_words influxc import --b)"
expect_eq complete-command-option-2 "--chunked --chunk-size" "$(complete_words influxc -d x query --chu)"
check bad-shell 2 "$BIN" completion zsh

# One option layer for every command (getopt_long): --opt=value after the
# command too, no abbreviations, "--" ends options, one limit per option.
check opt-equals-after-command 3 "$BIN" --timeout 2 ping --port=1 --host=127.0.0.1
has opt-equals-after-command-port "port 1" "$ERR"
check opt-equals-command-option 2 "$BIN" query --chunk-size=0 "SELECT 1"
has opt-equals-command-option-msg "query: --chunk-size 0 is not a number" "$ERR"
check no-abbreviation 2 "$BIN" --host 127.0.0.1 --port 1 ping --pass x
has no-abbreviation-msg "unknown option --pass" "$ERR"
check no-abbreviation-cmd 2 "$BIN" query --chunk 5 "SELECT 1"
check needs-value 2 "$BIN" query "SELECT 1" --chunk-size
has needs-value-msg "option --chunk-size needs a value" "$ERR"
check double-dash 6 "$BIN" --port 1 import -- --not-an-option.lp
has double-dash-file "cannot open --not-an-option.lp" "$ERR"
check short-quiet 6 "$BIN" --port 1 import -q /nonexistent.lp
for c in write import; do
    check "$c-batch-limit" 2 "$BIN" "$c" --batch-size 1000001 /dev/null
    has "$c-batch-limit-msg" "--batch-size 1000001 is not a number in 1-1000000" "$ERR"
done
for c in query export; do
    check "$c-chunk-limit" 2 "$BIN" "$c" --chunk-size 100000001 --query x
    has "$c-chunk-limit-msg" "--chunk-size 100000001 is not a number in 1-100000000" "$ERR"
done
check choice 2 "$BIN" write --consistency most /dev/null
has choice-msg "--consistency most is not one of any, one, quorum, all" "$ERR"
check csv-only 2 "$BIN" write --measurement m /dev/null
check flag-with-value 2 "$BIN" --gzip=1 ping
finish "cli table tests"
