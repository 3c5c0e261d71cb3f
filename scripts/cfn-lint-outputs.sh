#!/usr/bin/env bash
# Lints the CloudFormation templates ssm-compile generates, with the pinned cfn-lint of
# tests/validators/requirements.txt (scripts/python-tools.sh). Fails on any cfn-lint error;
# warnings are printed.
#
# Templates linted: access.example.toml, the golden configurations and tests/deploy/*.toml, each
# compiled with --emit cloudformation, plus the expected templates kept in tests/deploy/.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=$(scripts/python-tools.sh)

cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/ssm-compile"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

templates=()
for config in access.example.toml tests/golden/*.toml tests/deploy/*.toml; do
    out="$work/$(basename "$config" .toml)"
    "$bin" build -c "$config" -o "$out" --emit cloudformation --color never 2>"$work/log" || {
        cat "$work/log" >&2
        echo "cfn-lint-outputs: $config does not compile" >&2
        exit 1
    }
    # One template per account: ssm-compile.cfn.json, or ssm-compile.ACCOUNT.cfn.json each.
    templates+=("$out"/ssm-compile*.cfn.json)
done
templates+=(tests/deploy/*.cfn.json)

# cfn-lint's exit status is a bit mask: 2 errors, 4 warnings, 8 informational.
status=0
"$venv/bin/cfn-lint" --format parseable -- "${templates[@]}" || status=$?
if (( status & 2 )); then
    echo "cfn-lint-outputs: cfn-lint reported errors" >&2
    exit 1
fi
if (( status & ~(2|4|8) )); then
    echo "cfn-lint-outputs: cfn-lint failed (exit $status)" >&2
    exit 1
fi
echo "cfn-lint-outputs: ${#templates[@]} templates, no errors ($("$venv/bin/cfn-lint" --version))"
