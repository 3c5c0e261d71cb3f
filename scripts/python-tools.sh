#!/usr/bin/env bash
# Installs a pinned set of Python tools into .venv/SET, ignored by git, and prints the venv's
# path. Later runs reuse the venv while the set's requirements file is unchanged. Needs python3
# (3.11+) and PyPI the first time.
#
#   scripts/python-tools.sh              # validators: tests/validators/requirements.txt
#                                        # (parliament, cfn-lint, moto)
#   scripts/python-tools.sh ecosystem    # scripts/ecosystem-requirements.txt (pre-commit, taplo,
#                                        # check-jsonschema)
#   scripts/python-tools.sh checkov      # scripts/checkov-requirements.txt (checkov)
set -euo pipefail
cd "$(dirname "$0")/.."

tools=${1:-validators}
case "$tools" in
    validators) req=tests/validators/requirements.txt ;;
    ecosystem) req=scripts/ecosystem-requirements.txt ;;
    checkov) req=scripts/checkov-requirements.txt ;;
    *) echo "python-tools: unknown set \`$tools\` (validators, ecosystem, checkov)" >&2; exit 2 ;;
esac
venv=.venv/$tools
if ! cmp -s "$req" "$venv/requirements.txt" 2>/dev/null; then
    echo "python-tools: installing $(grep -v '^#' "$req" | tr '\n' ' ')into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
    cp "$req" "$venv/requirements.txt" # the stamp: written only after a complete install
fi
echo "$venv"
