#!/usr/bin/env bash
# Proves scripts/sarif-schema.sh tells a valid SARIF 2.1.0 log from broken ones: valid.sarif
# must pass, and each invalid-*.sarif must fail with the schema error written beside it below.
# Prints one line per case and a closing "N passed, N failed"; exits 1 if any case failed.
set -uo pipefail
cd "$(dirname "$0")/../.."

passed=0
failed=0
check() { # check FILE WANT_EXIT WANT_TEXT
    local out code
    out=$(scripts/sarif-schema.sh "$1" 2>&1)
    code=$?
    if [ "$code" -eq "$2" ] && grep -qF -- "$3" <<<"$out"; then
        echo "ok   $1"
        passed=$((passed + 1))
    else
        echo "FAIL $1: exit $code (want $2), output:"
        sed 's/^/    /' <<<"$out"
        failed=$((failed + 1))
    fi
}

check tests/sarif/valid.sarif 0 "tests/sarif/valid.sarif: valid"
check tests/sarif/invalid-version.sarif 1 ".version: should be equal to one of the allowed values"
check tests/sarif/invalid-no-driver-name.sarif 1 ".runs[0].tool.driver: should have required property 'name'"
check tests/sarif/invalid-line-zero.sarif 1 "region.startLine: should be >= 1"
check tests/sarif/invalid-level.sarif 1 ".runs[0].results[0].level: should be equal to one of the allowed values"
check tests/sarif/invalid-extra-property.sarif 1 "should NOT have additional properties (severity)"
check tests/sarif/invalid-not-json.sarif 1 "not JSON"

# Every fixture is checked above: a new one must get its expected error here.
for f in tests/sarif/*.sarif; do
    grep -qF "check $f " "$0" || { echo "FAIL $f: no case in $0"; failed=$((failed + 1)); }
done

echo "sarif-schema: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
