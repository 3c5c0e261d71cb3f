#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with the real pre-commit (pinned: scripts/python-tools.sh ecosystem)
# on a scratch git repository in the system temp dir: `pre-commit try-repo THIS-REPO HOOK
# --all-files` must pass while the committed policies match access.toml, and fail after a policy
# is edited by hand or access.toml changes without a build.
#
# ssm-compile-check (language: rust) makes pre-commit `cargo install` this repository in release
# mode. Each try-repo gets a fresh pre-commit store, so the two runs share a target directory
# (target/pre-commit-hook) to build the dependencies once, and build at opt-level 0 (the hook's
# behaviour does not depend on it; opt-level 3 took 82 s of CPU cold against 29 s).
# ssm-compile-check-system runs the debug binary on PATH and takes about a second.
#
# try-repo sees this repository's committed files plus tracked and staged changes: `git add` a
# new file before running this locally.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

venv="$repo/$(scripts/python-tools.sh ecosystem)"
cargo build --quiet --bin ssm-compile
bin_dir="$(cd "${CARGO_TARGET_DIR:-target}/debug" && pwd)"
hook_target="$(mkdir -p "${CARGO_TARGET_DIR:-target}/pre-commit-hook" && cd "$_" && pwd)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/pre-commit" validate-manifest .pre-commit-hooks.yaml
# README's .pre-commit-config.yaml (the yaml block of "With pre-commit") is valid.
awk '/^### With pre-commit/ { s = 1 } s && /^```yaml/ { y = 1; next } y && /^```/ { exit }
    y { print }' README.md >"$work/config.yaml"
grep -q "id: ssm-compile-check" "$work/config.yaml" || {
    echo "test-pre-commit: README's pre-commit configuration does not use the hook" >&2
    exit 1
}
"$venv/bin/pre-commit" validate-config "$work/config.yaml"
export PRE_COMMIT_HOME="$work/pre-commit-home" PRE_COMMIT_COLOR=never
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.com
scratch="$work/scratch"
mkdir "$scratch"
cat >"$scratch/access.toml" <<'EOF'
account = "111122223333"
region = "us-east-2"

[grant.web-oncall]
role = "end-user"
who = ["group:oncall"]
consoles = ["session-manager", "cli"]
instances = ["i-0123456789abcdef0"]

[grant.platform-admins]
role = "admin"
who = ["role:PlatformAdmin"]
consoles = ["session-manager"]
tags = { Team = "platform" }
EOF
git -C "$scratch" init --quiet
"$bin_dir/ssm-compile" build -c "$scratch/access.toml" --color never 2>/dev/null
git -C "$scratch" add -A
git -C "$scratch" commit --quiet -m "access.toml and its policies"

# try HOOK EXPECT: runs the hook in the scratch repository; EXPECT is pass or fail.
try() {
    local hook=$1 expect=$2 status=0 start=$SECONDS
    (cd "$scratch" && "$venv/bin/pre-commit" try-repo "$repo" "$hook" --all-files) \
        >"$work/out" 2>&1 || status=$?
    if [[ $expect == pass && $status -ne 0 ]] || [[ $expect == fail && $status -eq 0 ]]; then
        cat "$work/out" >&2
        echo "test-pre-commit: $hook: expected $expect, got exit $status ($case)" >&2
        exit 1
    fi
    # pre-commit marks the hook Passed or Failed; a hook that did not run says Skipped.
    local mark=Passed
    [[ $expect == pass ]] || mark=Failed
    if ! grep -q "^ssm-compile check\.*$mark$" "$work/out"; then
        cat "$work/out" >&2
        echo "test-pre-commit: $hook: no \"$mark\" line from pre-commit ($case)" >&2
        exit 1
    fi
    echo "test-pre-commit: $hook: ${mark,,} ($case, $((SECONDS - start)) s)"
}

# language: rust. CARGO_NET_OFFLINE makes cargo resolve from the crates already downloaded
# (`cargo fetch`: the locked versions, for every platform) instead of the newest ones on
# crates.io, since pre-commit's `cargo install` does not pass --locked.
cargo fetch --locked --quiet
export CARGO_TARGET_DIR="$hook_target" CARGO_NET_OFFLINE=true CARGO_PROFILE_RELEASE_OPT_LEVEL=0
case="policies up to date"
try ssm-compile-check pass
case="a policy edited by hand"
sed -i 's/"ssm:StartSession"/"ssm:*"/' "$scratch/policies/web-oncall.json"
git -C "$scratch" add -A
try ssm-compile-check fail
grep -q "changed policies/web-oncall.json" "$work/out" || {
    cat "$work/out" >&2
    echo "test-pre-commit: the failure does not name the edited policy" >&2
    exit 1
}
unset CARGO_TARGET_DIR CARGO_NET_OFFLINE CARGO_PROFILE_RELEASE_OPT_LEVEL

# language: system, with the debug binary first on PATH.
export PATH="$bin_dir:$PATH"
git -C "$scratch" checkout --quiet HEAD -- policies
case="policies up to date"
try ssm-compile-check-system pass
case="access.toml changed without a build"
sed -i 's/i-0123456789abcdef0/i-0123456789abcdef1/' "$scratch/access.toml"
git -C "$scratch" add -A
try ssm-compile-check-system fail
case="a file outside access.toml and policies/ changed"
git -C "$scratch" checkout --quiet HEAD -- access.toml
echo notes >"$scratch/README.md"
git -C "$scratch" add -A
git -C "$scratch" commit --quiet -m notes
(cd "$scratch" && "$venv/bin/pre-commit" try-repo "$repo" ssm-compile-check-system \
    --files README.md) >"$work/out" 2>&1
grep -q "^ssm-compile check\.*(no files to check)Skipped$" "$work/out" || {
    cat "$work/out" >&2
    echo "test-pre-commit: the hook ran for a file it does not watch" >&2
    exit 1
}
echo "test-pre-commit: ssm-compile-check-system: skipped ($case)"
