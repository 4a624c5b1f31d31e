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
while read -r kind a b; do
    case $kind in
    command)
        expect_in "help lists $a" "  $a " "$HELP"
        expect_in "man page lists $a" "$a" "$manpage" ;;
    subcommand)
        expect_in "help lists $a $b" "$b" "$HELP"
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
check bad-shell 2 "$BIN" completion zsh
finish "cli table tests"
