#!/usr/bin/env bash
# CI: renders `ssm-compile access --format html` of 200 principals in headless Chromium (Debian's
# package, installed when missing; CI runs as root) and checks the result for sanity, not pixels:
# the screenshot is a PNG of the window's size with many colours (not blank), and the DOM
# Chromium built holds every principal. Keeps the screenshot in $SHOT_DIR when set.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null; then
    echo "render-check: installing chromium (apt)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null
fi
cargo build --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 200 principals: 100 users, 60 groups, 40 roles over 120 grants of every shape.
python3 - "$work/access.toml" <<'PY'
import sys
lines = ['account = "111122223333"', 'region = "us-east-2"', ""]
for i in range(120):
    who = []
    if i < 100:
        who.append(f'"user:user-{i:03d}"')
    if i < 60:
        who.append(f'"group:team-{i:02d}"')
    if i < 40:
        who.append(f'"role:Role{i:02d}"')
    if not who:
        who.append('"role:Role%02d"' % (i % 40))
    lines += [f"[grant.g{i:03d}]", 'role = "%s"' % ("admin" if i % 7 == 0 else "end-user"),
              "who = [%s]" % ", ".join(who), 'consoles = ["session-manager", "cli"]']
    lines.append('instances = ["i-%017x"]' % i if i % 2 else 'tags = { Team = "web-%d" }' % (i % 5))
    lines.append("")
open(sys.argv[1], "w").write("\n".join(lines))
PY
target/debug/ssm-compile -c "$work/access.toml" access --format html >"$work/matrix.html"

chrome=(chromium --headless --no-sandbox --disable-gpu --disable-background-networking
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$work/profile")
"${chrome[@]}" --screenshot="$work/shot.png" --window-size=1400,1000 "file://$work/matrix.html" 2>/dev/null
"${chrome[@]}" --dump-dom "file://$work/matrix.html" 2>/dev/null >"$work/dom.html"
python3 scripts/html/check-png.py "$work/shot.png" 1400 1000 12
missing=0
for i in $(seq 0 99); do grep -q "user:user-$(printf %03d "$i")<" "$work/dom.html" || missing=$((missing + 1)); done
for i in $(seq 0 59); do grep -q "group:team-$(printf %02d "$i")<" "$work/dom.html" || missing=$((missing + 1)); done
for i in $(seq 0 39); do grep -q "role:Role$(printf %02d "$i")<" "$work/dom.html" || missing=$((missing + 1)); done
if [ "$missing" -ne 0 ]; then
    echo "render-check: $missing of 200 principals are missing from Chromium's DOM" >&2
    exit 1
fi
if [ -n "${SHOT_DIR:-}" ]; then cp "$work/shot.png" "$work/matrix.html" "$SHOT_DIR/"; fi
echo "render-check: 200 principals rendered"
