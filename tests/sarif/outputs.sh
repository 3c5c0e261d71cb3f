#!/usr/bin/env bash
# ssm-compile's own SARIF against the official SARIF 2.1.0 schema (scripts/sarif-schema.sh):
# the log of a bad configuration (errors and a warning), of a configuration with only a
# warning (with lints), and of a clean one (tests/sarif/clean.toml) (a log with no results is still a log). Each log must also hold
# the results expected of it (rule ids and levels), so a log that is valid but empty fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --quiet
bin=target/debug/ssm-compile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# sarif NAME DIR ARGS...: the SARIF that `check` prints in DIR (its exit code is not ours).
sarif() {
    local name=$1 dir=$2
    shift 2
    (cd "$dir" && "$OLDPWD/$bin" check --message-format sarif "$@" >"$work/$name.sarif" 2>/dev/null) || true
}
sarif bad tests/cmd/message-formats.in
sarif warning tests/cmd/message-formats.in -c warning.toml
sarif clean tests/sarif -c clean.toml -o "$work/none"

scripts/sarif-schema.sh "$work/bad.sarif" "$work/warning.sarif" "$work/clean.sarif"

# The results each log must hold: ruleId:level, in order.
expect() { # expect NAME RESULTS...
    local name=$1 got
    got=$(python3 -c '
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
for r in run["results"]:
    assert rules[r["ruleIndex"]] == r["ruleId"], r
    print(r["ruleId"] + ":" + r["level"])
' "$work/$1.sarif" | tr '\n' ' ')
    shift
    if [ "$got" != "${*:+$* }" ]; then
        echo "sarif-outputs: $name holds [$got], expected [$*]" >&2
        exit 1
    fi
}
expect bad E0410:error W0417:warning E0207:error
expect warning W0417:warning
expect clean
echo "sarif-outputs: 3 logs valid, with the expected results"
