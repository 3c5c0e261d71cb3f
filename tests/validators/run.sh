#!/usr/bin/env bash
# Independent validators (parliament, cfn-lint, moto) over every policy of the corpus, with the
# pinned tools of requirements.txt (installed by scripts/python-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=$(scripts/python-tools.sh)

cargo build --quiet --bin ssm-compile
bin="${CARGO_TARGET_DIR:-target}/debug/ssm-compile"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" tests/validators/validate.py "$bin" "$work"
