#!/usr/bin/env bash
# Runs the C unit tests and the end-to-end tests, then prints one summary
# line: "N passed, N failed, N skipped". Exits non-zero if anything failed.
# A test that needs hardware this machine lacks skips and says why.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export VITRINE=${VITRINE:-$PWD/$BUILD/vitrine}
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs a command with a time limit. One that runs past it has every
# thread of it and of its children (vitrine started by a test) printed by
# gdb before it is killed, so that a hang in CI explains itself. Returns
# the command's status, 124 after a time-out.
run_bounded() {
    local limit=$1
    shift
    "$@" &
    local pid=$! waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$limit" ]; do
        sleep 1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "!! $* ran past ${limit} s; its threads:"
        local p
        for p in "$pid" $(pgrep -P "$pid"); do
            echo "--- process $p: $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)"
            if command -v gdb >/dev/null 2>&1; then
                timeout 60 gdb -p "$p" -batch -nx -ex "set pagination off" \
                    -ex "thread apply all bt" 2>&1 | grep -v "^\[New LWP"
            else
                echo "(no gdb to show them)"
            fi
        done
        pkill -KILL -P "$pid" 2>/dev/null
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        return 124
    fi
    wait "$pid"
}

count() { # pattern file -> number or 0
    local n
    n=$(grep -oE "$1" "$2" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
    echo "${n:-0}"
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    echo "== $(basename "$t")"
    run_bounded 300 "$t" >"$log" 2>&1
    rc=$?
    cat "$log"
    p=$(count '\[  PASSED  \] [0-9]+' "$log")
    f=$(count '\[  FAILED  \] [0-9]+' "$log")
    s=$(count '\[  SKIPPED \] [0-9]+' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "!! $(basename "$t") exited with status $rc"
        f=1
    fi
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

# Debian's interpreter, which has pytest (the first python3 on PATH may not).
PY=/usr/bin/python3
echo "== end-to-end (pytest)"
run_bounded 1200 "$PY" -m pytest -rs -q --durations=15 -p no:cacheprovider tests/e2e \
    >"$log" 2>&1
rc=$?
cat "$log"
last=$(grep -E '(passed|failed|skipped|error|no tests ran)' "$log" | tail -n 1)
p=$(echo "$last" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+'); p=${p:-0}
f=$(echo "$last" | grep -oE '[0-9]+ (failed|error|errors)' | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
s=$(echo "$last" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+'); s=${s:-0}
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "!! pytest exited with status $rc"
    f=1
fi
passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
