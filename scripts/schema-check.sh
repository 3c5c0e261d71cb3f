#!/usr/bin/env bash
# docs/access.schema.json with the real taplo (the CLI of the PyPI package, pinned in
# scripts/ecosystem-requirements.txt): access.example.toml and the starter file of
# `ssm-compile init` must pass, and broken copies (an unknown key, a word that is not one of a
# choice's, a bad instance id, an unknown key in [defaults]) must fail. That the committed schema
# is the generated one is tests/it/schema.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
venv="$repo/$(scripts/python-tools.sh ecosystem)"
schema="file://$repo/docs/access.schema.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

taplo_check() {
    # No network: taplo must not look for a schema catalogue.
    "$venv/bin/taplo" check --no-auto-config --schema "$schema" "$1" >"$work/log" 2>&1
}

for good in access.example.toml src/commands/starter.toml; do
    if ! taplo_check "$good"; then
        cat "$work/log" >&2
        echo "schema-check: taplo rejects $good" >&2
        exit 1
    fi
done

# Each broken copy: NAME|sed expression applied to access.example.toml|text the log must hold.
broken=(
    'unknown-key|s/^resume_session = true/resume_sesion = true/|resume_sesion'
    'wrong-enum|s/^role = "admin"/role = "superuser"/|superuser'
    'bad-instance|s/"i-0123456789abcdef0", "i-0fedcba9876543210"/"i-XYZ"/|i-XYZ'
    'unknown-top-key|s/^output = "policies"/outptu = "policies"/|outptu'
    'lint-level|s/^tag-selected-grant = "allow"/tag-selected-grant = "alow"/|alow'
    'defaults-unknown-key|s/^\[defaults\]/[defaults]\nwho = ["user:a"]/|who'
)
for case in "${broken[@]}"; do
    IFS='|' read -r name expr needle <<<"$case"
    copy="$work/$name.toml"
    sed "$expr" access.example.toml >"$copy"
    if cmp -s "$copy" access.example.toml; then
        echo "schema-check: case $name did not change the example (fix its sed expression)" >&2
        exit 1
    fi
    if taplo_check "$copy"; then
        echo "schema-check: taplo accepts the broken copy $name" >&2
        exit 1
    fi
    grep -q -- "$needle" "$work/log" || {
        cat "$work/log" >&2
        echo "schema-check: taplo's error for $name does not mention $needle" >&2
        exit 1
    }
done
# README's two ways of associating the schema, in a scratch repository: the `#:schema` directive
# and the `.taplo.toml` rule (the toml block holding [[rule]] of "Editor support").
scratch="$work/repo"
mkdir -p "$scratch/docs"
cp docs/access.schema.json "$scratch/docs/"
awk '/^### Editor support/ { s = 1; next } s && /^### / { exit }
    s && /^```toml/ { b = ""; y = 1; next } y && /^```/ { y = 0; if (b ~ /\[\[rule\]\]/) print b; next }
    y { b = b $0 "\n" }' README.md | sed '/^$/d' >"$scratch/.taplo.toml"
grep -q '^\[\[rule\]\]' "$scratch/.taplo.toml" || { echo "schema-check: no .taplo.toml rule in README" >&2; exit 1; }
sed 's/^role = "admin"/role = "superuser"/' access.example.toml >"$work/bad.toml"
associated() { # MODE FILE: taplo check in the scratch repository, the schema found by MODE
    local flags=()
    if [ "$1" = directive ]; then
        flags=(--no-auto-config)
        { echo '#:schema ./docs/access.schema.json'; cat "$2"; } >"$scratch/access.toml"
        mv "$scratch/.taplo.toml" "$scratch/taplo.off"
    else
        cp "$2" "$scratch/access.toml"
    fi
    local rc=0
    (cd "$scratch" && "$venv/bin/taplo" check "${flags[@]}" access.toml) >"$work/log" 2>&1 || rc=$?
    [ ! -e "$scratch/taplo.off" ] || mv "$scratch/taplo.off" "$scratch/.taplo.toml"
    return $rc
}
for mode in directive taplo-toml; do
    associated "$mode" access.example.toml || { cat "$work/log" >&2; echo "schema-check: $mode: taplo rejects the example" >&2; exit 1; }
    if associated "$mode" "$work/bad.toml" || ! grep -q superuser "$work/log"; then
        cat "$work/log" >&2
        echo "schema-check: $mode: the schema is not applied (a bad role passes)" >&2
        exit 1
    fi
done

echo "schema-check: taplo accepts access.example.toml and the init starter, rejects ${#broken[@]} broken copies; README's #:schema directive and .taplo.toml rule apply it"
