# Helpers shared by the CLI test scripts (sourced). Counts in pass/fails;
# check leaves the command's output in LAST_OUT/LAST_ERR (also OUT/ERR).
pass=0
fails=0
LIB_ERR=$(mktemp /tmp/influxc-cli-err-XXXXXX)
trap 'rm -f "$LIB_ERR"' EXIT

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

check() { # name, expected-exit, command...
    local name=$1 want=$2
    shift 2
    LAST_OUT=$("$@" 2>"$LIB_ERR")
    local rc=$?
    LAST_ERR=$(cat "$LIB_ERR")
    OUT=$LAST_OUT
    ERR=$LAST_ERR
    if [ "$rc" != "$want" ]; then
        bad "$name: exit $rc, want $want"
        echo "  stdout: ${LAST_OUT:0:600}"
        echo "  stderr: ${LAST_ERR:0:600}"
    else
        ok
    fi
}

expect_in() { # name, needle, haystack
    if printf '%s' "$3" | grep -qF -- "$2"; then ok; else
        bad "$1: output lacks \"$2\""
        echo "  got: ${3:0:800}"
    fi
}
has() { expect_in "$@"; }

hasnt() { # name, needle, haystack
    if printf '%s' "$3" | grep -qF -- "$2"; then
        bad "$1: output has \"$2\""
        echo "  got: ${3:0:800}"
    else ok; fi
}

expect_eq() { # name, want, got
    if [ "$2" = "$3" ]; then ok; else bad "$1: want \"$2\", got \"$3\""; fi
}

# Ends a script: the plain closing line, and the exit status.
finish() { # label
    echo "$1: $pass passed, $fails failed"
    [ "$fails" = 0 ]
}
