#!/usr/bin/env bash
# Tests the GitHub Action offline: action.yml and README's workflow against the vendored schemas
# of GitHub (check-jsonschema), and scripts/action/run.sh, as action.yml runs it, in scratch git
# repositories in the system temp dir with a fake GITHUB_STEP_SUMMARY and GITHUB_OUTPUT and the
# debug binary. Asserts the annotations, the summary, the outputs, the exit codes and the size
# cap. The install step (cargo install from GitHub) is not run here.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

venv="$repo/$(scripts/python-tools.sh ecosystem)"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# README's workflow (the first yaml block of "In CI (GitHub Actions)") is a valid workflow.
awk '/^### In CI \(GitHub Actions\)/ { s = 1 } s && /^```yaml/ { y = 1; next }
    y && /^```/ { exit } y { print }' README.md >"$work/workflow.yml"
grep -q "uses: OWNER/ssm-compile@v0" "$work/workflow.yml" || {
    echo "action-test: README's workflow does not use the action" >&2
    exit 1
}
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$work/workflow.yml" >/dev/null
cargo build --quiet --bin ssm-compile
bin="$(cd "${CARGO_TARGET_DIR:-target}/debug" && pwd)/ssm-compile"

export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.com
checks=0

fail() {
    echo "action-test: $case: $*" >&2
    for f in out err summary outputs; do
        [[ -f $work/$f ]] && { echo "--- $f" >&2; head -c 4000 "$work/$f" >&2; }
    done
    exit 1
}
expect_line() { grep -qxF -- "$2" "$work/$1" || fail "no line \`$2\` in $1"; checks=$((checks + 1)); }
expect_text() { grep -qF -- "$2" "$work/$1" || fail "no \`$2\` in $1"; checks=$((checks + 1)); }
expect_none() { ! grep -qF -- "$2" "$work/$1" || fail "\`$2\` in $1"; checks=$((checks + 1)); }

# action EXPECTED-STATUS [VAR=VALUE...]: run.sh in $scratch with fresh summary and outputs.
action() {
    local want=$1 status=0
    shift
    : >"$work/summary"
    : >"$work/outputs"
    (cd "$scratch" && env GITHUB_STEP_SUMMARY="$work/summary" GITHUB_OUTPUT="$work/outputs" \
        SSM_COMPILE="${tool:-$bin}" "$@" "$repo/scripts/action/run.sh") \
        >"$work/out" 2>"$work/err" || status=$?
    [[ $status == "$want" ]] || fail "exit $status, expected $want"
    checks=$((checks + 1))
}

grant() { # grant NAME INSTANCE-HEX-DIGIT: one end-user grant for group NAME
    printf '\n[grant.%s]\nrole = "end-user"\nwho = ["group:%s"]\n' "$1" "$1"
    printf 'consoles = ["cli"]\ninstances = ["i-0123456789abcdef%s"]\n' "$2"
}

build() {
    "$bin" build -c "$scratch/infra/access.toml" --color never 2>"$work/build.err" ||
        fail "build: $(cat "$work/build.err")"
}

# A repository whose main branch has one grant in infra/, pushed to a bare origin.
scratch=$work/repo
git init --quiet --bare "$work/origin.git"
git init --quiet -b main "$scratch"
git -C "$scratch" remote add origin "$work/origin.git"
mkdir "$scratch/infra"
{ printf 'account = "111122223333"\nregion = "us-east-2"\n'; grant web 0; } >"$scratch/infra/access.toml"
build
git -C "$scratch" add -A
git -C "$scratch" commit --quiet -m main
git -C "$scratch" push --quiet origin main
# The pull request's branch adds a grant and builds it.
git -C "$scratch" checkout --quiet -b feature
grant db 1 >>"$scratch/infra/access.toml"
build
git -C "$scratch" add -A
git -C "$scratch" commit --quiet -m "grant db"

pr=(INPUT_WORKING_DIRECTORY=infra INPUT_BASE_REF=main)
case="up to date, a pull request that adds a grant"
action 0 "${pr[@]}"
expect_line summary "✅ The committed policies match \`access.toml\`."
expect_line summary "### Access changed against \`main\`"
expect_line summary '| `db` | added | ⚠️ **widens** |'
expect_text summary "<summary><code>infra/policies/db.json</code>: added, widens access</summary>"
expect_none summary "$work"
expect_line outputs "up-to-date=true"
expect_line outputs "widens=true"
expect_line outputs "summary-truncated=false"
expect_line out "::warning title=ssm-compile::this change widens Session Manager access (see the step summary)"

case="fail-on-widening"
action 1 "${pr[@]}" INPUT_FAIL_ON_WIDENING=true
expect_line out "::error title=ssm-compile::this change widens Session Manager access (see the step summary)"

case="a policy edited by hand"
sed -i 's/"ssm:StartSession"/"ssm:*"/' "$scratch/infra/policies/web.json"
action 1 INPUT_WORKING_DIRECTORY=infra
expect_line out "::error file=infra/access.toml,title=ssm-compile check::policies is out of date (1 stale file): run \`ssm-compile build\` to update it"
expect_line summary "❌ policies is out of date (1 stale file): run \`ssm-compile build\` to update it"
expect_line summary '-                "ssm:*"'
expect_line outputs "up-to-date=false"
git -C "$scratch" checkout --quiet -- infra/policies

case="an invalid configuration"
sed -i 's/^role = "end-user"$/rol = "end-user"/; s/abcdef1/abcdefX/' "$scratch/infra/access.toml"
action 2 INPUT_WORKING_DIRECTORY=infra
# `rol` is a near miss of the missing `role`: one error says so, no second "missing" one.
expect_line out '::error file=infra/access.toml,line=5,col=1,endLine=5,endColumn=4,title=E0300::unknown key `rol` in grant `web`%0Ahelp: did you mean `role`?'
expect_none out 'is missing `role`'
expect_text out '::error file=infra/access.toml,line=14,col=14,endLine=14,endColumn=35,title=E0410::`i-0123456789abcdefX` is not an instance id%0A'
expect_none out "::error::" # the closing count is not an annotation of its own
expect_line summary "❌ \`access.toml\` has errors (annotated on the file); nothing was compared."
expect_line summary "help: did you mean \`role\`?"
git -C "$scratch" checkout --quiet -- infra/access.toml

case="a warning"
printf 'kms_key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"\n' \
    >>"$scratch/infra/access.toml" # in grant db, the last one
build
action 0 INPUT_WORKING_DIRECTORY=infra
expect_text out '::warning file=infra/access.toml,line=15,col=11,endLine=15,endColumn=88,title=W0417::`kms_key` is in region `eu-west-1`, but'
expect_line outputs "up-to-date=true"
git -C "$scratch" checkout --quiet -- infra

case="ssm-compile with --message-format github"
# A stand-in for a later ssm-compile: its help lists the option, and it prints workflow
# commands itself. run.sh must pass the option and name files from the repository root.
tool=$work/future-ssm-compile
cat >"$tool" <<EOF
#!/usr/bin/env bash
if [[ \$1 == check && \$2 == --help ]]; then
    "$bin" check --help; echo "      --message-format <FMT>  [possible values: human, json, github, sarif]"; exit 0
fi
if [[ \$1 == check && " \$* " == *" --message-format github "* ]]; then
    echo "::error file=access.toml,line=3,col=1,title=E0042::from the tool" >&2; exit 2
elif [[ \$1 == check ]]; then
    printf 'error[E0042]: from the tool\n  --> access.toml:3:1\n' >&2; exit 2
fi
exec "$bin" "\$@"
EOF
chmod +x "$tool"
action 2 INPUT_WORKING_DIRECTORY=infra
expect_line out "::error file=infra/access.toml,line=3,col=1,title=E0042::from the tool"
(($(wc -l <"$work/out") == 1)) || fail "more annotations than the tool's"
expect_line summary "error[E0042]: from the tool" # the summary has the human text
unset tool

case="a summary over GitHub's 1 MiB"
# 700 new grants against a base without policies: about 1.4 MB of markdown.
{ printf 'account = "111122223333"\nregion = "us-east-2"\n'; for i in $(seq 700); do grant "g$i" 0; done; } \
    >"$scratch/infra/access.toml"
build
action 0 "${pr[@]}"
size=$(wc -c <"$work/summary")
((size <= 1024 * 1024 - 16384)) || fail "summary of $size bytes"
expect_line outputs "summary-truncated=true"
expect_line summary "✅ The committed policies match \`access.toml\`."
expect_line summary '| `g700` | added | ⚠️ **widens** |'
# ssm-compile keeps diffs while they fit (--max-bytes) and never cuts the verdict.
expect_text summary "diffs left out to stay within"
expect_text summary "⚠️ **widens** \`group:g700\`"
expect_text out "+++ infra/policies/g700.json" # the job log has the diffs

case="a summary cut at a line"
action 0 "${pr[@]}" SSM_COMPILE_SUMMARY_MAX_BYTES=3000
size=$(wc -c <"$work/summary")
((size <= 3000)) || fail "summary of $size bytes"
expect_line summary "✅ The committed policies match \`access.toml\`."
expect_text summary "_Cut to fit GitHub's step summary limit: "
fences=$(grep -c '^```' "$work/summary" || true)
((fences % 2 == 0)) || fail "$fences code fences: one is left open"
opened=$(grep -c '^<details>' "$work/summary" || true)
closed=$(grep -c '^</details>' "$work/summary" || true)
((opened == closed)) || fail "$opened <details> but $closed </details>"
checks=$((checks + 3))

echo "action-test: all $checks checks hold"
