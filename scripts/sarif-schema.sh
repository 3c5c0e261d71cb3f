#!/usr/bin/env bash
# Validates SARIF files against the official SARIF 2.1.0 JSON schema.
#
#   scripts/sarif-schema.sh FILE...      validate each FILE; exit 0 if all are valid, 1 if not
#   scripts/sarif-schema.sh --schema     print the schema file's path
#
# The schema is the one @microsoft/jest-sarif ships (sarif-2.1.0-rtm.5.json, the OASIS 2.1.0
# schema); the validator is ajv with format checks. Both are pinned by scripts/sarif/package-lock.json
# and installed with `npm ci` into .venv/npm/sarif (ignored by git); later runs reuse the install
# while the lock file is unchanged. Needs node and npm, and the npm registry the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=.venv/npm/sarif
lock=scripts/sarif/package-lock.json
# .complete is written last: an install that broke halfway is redone, not reused.
if ! cmp -s "$lock" "$dir/package-lock.json" 2>/dev/null || [ ! -e "$dir/.complete" ]; then
    echo "sarif-schema: installing @microsoft/jest-sarif and ajv (pinned) into $dir" >&2
    rm -rf "$dir"
    mkdir -p "$dir"
    cp scripts/sarif/package.json "$lock" "$dir/"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
    touch "$dir/.complete"
fi

# Located, not hard-coded: a new jest-sarif may rename the file, and then this says so.
schema=$(find "$dir/node_modules/@microsoft/jest-sarif" -name 'sarif-2.1.0*.json' -print | sort | tail -n 1)
if [ -z "$schema" ]; then
    echo "sarif-schema: no sarif-2.1.0*.json in @microsoft/jest-sarif" >&2
    exit 2
fi

if [ "${1:-}" = "--schema" ]; then
    echo "$schema"
    exit 0
fi
if [ $# -eq 0 ]; then
    echo "usage: scripts/sarif-schema.sh FILE... | --schema" >&2
    exit 2
fi
NODE_PATH="$dir/node_modules" exec node scripts/sarif/validate.js "$schema" "$@"
