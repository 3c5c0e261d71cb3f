#!/usr/bin/env bash
# Installs the pinned Python validators (tests/validators/requirements.txt: parliament, cfn-lint,
# moto) into .venv/validators, ignored by git, and prints the venv's path. Later runs reuse the
# venv while requirements.txt is unchanged. Needs python3 (3.11+) and PyPI the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv/validators
req=tests/validators/requirements.txt
if ! cmp -s "$req" "$venv/requirements.txt" 2>/dev/null; then
    echo "python-tools: installing $(grep -v '^#' "$req" | tr '\n' ' ')into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
    cp "$req" "$venv/requirements.txt" # the stamp: written only after a complete install
fi
echo "$venv"
