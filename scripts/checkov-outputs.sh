#!/usr/bin/env bash
# Runs the pinned checkov (scripts/checkov-requirements.txt) on the CloudFormation templates and
# Terraform files ssm-compile generates for access.example.toml and tests/deploy/*.toml. Fails on
# any failed check not in the list below, each of which README.md ("checkov") explains.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=$(scripts/python-tools.sh checkov)
# The network is closed: no download of check guidelines.
export BC_SKIP_MAPPING=TRUE
cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/ssm-compile"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Explained in README.md, "checkov".
explained=(CKV_AWS_40)

for config in access.example.toml tests/deploy/*.toml; do
    out="$work/$(basename "$config" .toml)"
    "$bin" build -c "$config" -o "$out" --emit cloudformation,terraform --color never 2>/dev/null
done
skip=$(IFS=,; echo "${explained[*]}")
args=(-d "$work" --framework cloudformation terraform_json --quiet --compact --output cli)
if [ -n "$skip" ]; then args+=(--skip-check "$skip"); fi
if ! "$venv/bin/checkov" "${args[@]}"; then
    echo "checkov-outputs: a failed check README.md does not explain" >&2
    exit 1
fi
echo "checkov-outputs: no unexplained failed check ($("$venv/bin/checkov" --version))"
