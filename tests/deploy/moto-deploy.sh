#!/usr/bin/env bash
# Deploys the generated CloudFormation templates into moto's CloudFormation (a moto server on
# 127.0.0.1 and a free port, started and stopped here) and compares each principal's attached
# policies with its grants (tests/deploy/moto_deploy.py). Pinned moto: tests/validators/
# requirements.txt, installed by scripts/python-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=$(scripts/python-tools.sh)
cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/ssm-compile"
work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    if "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then break; fi
    sleep 0.2
done

for config in tests/deploy/small.toml tests/deploy/packed.toml access.example.toml; do
    out="$work/$(basename "$config" .toml)"
    "$bin" build -c "$config" -o "$out" --emit json,cloudformation --color never 2>/dev/null
    "$venv/bin/python" tests/deploy/moto_deploy.py "http://127.0.0.1:$port" "$config" "$out"
done
