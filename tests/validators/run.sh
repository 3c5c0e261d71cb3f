#!/usr/bin/env bash
# Independent validators (parliament, cfn-lint, moto) over every policy of the corpus.
# Installs the pinned tools into .venv/validators (ignored by git) once; later runs reuse it
# while requirements.txt is unchanged. Needs python3 (3.11+) and PyPI the first time.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=.venv/validators
req=tests/validators/requirements.txt
if ! cmp -s "$req" "$venv/requirements.txt" 2>/dev/null; then
    echo "validators: installing $(grep -v '^#' "$req" | tr '\n' ' ')into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$venv/requirements.txt" # the stamp: written only after a complete install
fi

cargo build --quiet --bin ssm-compile
bin="${CARGO_TARGET_DIR:-target}/debug/ssm-compile"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" tests/validators/validate.py "$bin" "$work"
