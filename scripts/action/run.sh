#!/usr/bin/env bash
# The GitHub Action's logic (action.yml runs it after installing ssm-compile); kept here so it
# can be run and tested offline (scripts/action/test.sh) with a fake GITHUB_STEP_SUMMARY and
# GITHUB_OUTPUT.
#
#  1. `ssm-compile check`: its diagnostics become annotations (ssm-compile's own
#     `--message-format github` when it has one, else annotate.awk over the human output).
#  2. The step summary: check's verdict, then `ssm-compile diff --format markdown` (what `build`
#     would change) and, with a base ref, what the change does to access against the base's
#     policies; cut to GitHub's 1 MiB limit, diffs first, the verdict never (truncate.awk).
#  3. Outputs up-to-date, widens, summary-truncated; exit 1 when the diff widens access and
#     fail-on-widening is true, else check's exit code (1 stale, 2 errors).
#
# Inputs (environment): INPUT_CONFIG (default access.toml), INPUT_WORKING_DIRECTORY (.),
# INPUT_BASE_REF (a branch or commit to compare with; empty: none), INPUT_FAIL_ON_WIDENING
# (false); SSM_COMPILE (the binary, default ssm-compile on PATH); SSM_COMPILE_SUMMARY_MAX_BYTES.
# Needs bash, awk, git and jq (all on GitHub's hosted runners).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tool=${SSM_COMPILE:-ssm-compile}
config=${INPUT_CONFIG:-access.toml}
base_ref=${INPUT_BASE_REF:-}
fail_on_widening=${INPUT_FAIL_ON_WIDENING:-false}
# GitHub's limit is 1 MiB per step; keep 16 KiB for anything else the step writes.
max_bytes=${SSM_COMPILE_SUMMARY_MAX_BYTES:-$((1024 * 1024 - 16384))}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
outputs=${GITHUB_OUTPUT:-/dev/null}
cd "${INPUT_WORKING_DIRECTORY:-.}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exec 3>&1 # the step's stdout, for the job log and annotations from inside redirections

# Annotations name files from the repository root; ssm-compile names them from here.
prefix="" top=""
if top=$(git rev-parse --show-toplevel 2>/dev/null); then
    prefix=$(git rev-parse --show-prefix)
fi

# has_option COMMAND OPTION: whether `ssm-compile COMMAND --help` lists OPTION.
has_option() { "$tool" "$1" --help 2>/dev/null | grep -q -- "$2"; }

# annotate: ssm-compile's stderr -> workflow commands on stdout, file names from the root.
annotate() {
    if [[ $message_format == github ]]; then
        awk -v prefix="$prefix" '
            /^::(error|warning|notice) file=[^\/]/ { sub(/ file=/, " file=" prefix) }
            /^::/ { print }'
    else
        awk -v prefix="$prefix" -f "$here/annotate.awk" |
            grep -v -E '^::error::[0-9]+ (errors?|warnings?)( in [^%]*)?(; nothing was written)?$' ||
            true
    fi
}

message_format=human
if has_option check --message-format && "$tool" check --help | grep -qw github; then
    message_format=github
fi

# run_check: the human text for the job log and the summary, and the annotations (from a
# second run with --message-format github when ssm-compile has it).
run_check() {
    local args=(check -c "$config" --color never)
    check_status=0
    "$tool" "${args[@]}" >"$work/check.out" 2>"$work/check.err" || check_status=$?
    cat "$work/check.out" "$work/check.err" >&2
    if [[ $message_format == github ]]; then
        "$tool" "${args[@]}" --message-format github >"$work/annotations" 2>&1 || true
    else
        cat "$work/check.err" "$work/check.out" >"$work/annotations"
    fi
    annotate <"$work/annotations"
    if ((check_status == 1)); then
        echo "::error file=$prefix$config,title=ssm-compile check::$(stale_line)"
    fi
}

# stale_line: check's closing line when it found stale files.
stale_line() {
    grep -h -E 'is out of date' "$work/check.out" "$work/check.err" | tail -n 1 ||
        echo "the policies are out of date: run \`ssm-compile build\`"
}

verdict() {
    echo "### ssm-compile check"
    echo
    case $check_status in
        0) echo "✅ The committed policies match \`$config\`." ;;
        1) echo "❌ $(stale_line)" ;;
        *)
            echo "❌ \`$config\` has errors (annotated on the file); nothing was compared."
            echo
            echo '```text'
            grep -v '^::' "$work/check.err" || true
            echo '```'
            ;;
    esac
    echo
}

# diff_section OUT_DIR TITLE: diff markdown against OUT_DIR (empty: the configured one) under
# the heading TITLE (empty: ssm-compile's), into the summary draft; sets `widens` from the JSON
# report. The temporary copy of the base's policies is shown under its name in the repository.
diff_section() {
    local out=$1 title=$2 args=(diff -c "$config" --color never)
    [[ -n $out ]] && args+=(-o "$out")
    "$tool" "${args[@]}" --format json >"$work/diff.json" 2>/dev/null || return 0
    widens=$(jq -r .widens "$work/diff.json")
    # The job log (the step's stdout, fd 3) has the whole text diff, folded.
    echo "::group::ssm-compile diff${title:+ (${title#\#\#\# })}" >&3
    "$tool" "${args[@]}" 2>&1 | sed "s|$work/base/||g" >&3 || true
    echo "::endgroup::" >&3
    if has_option diff --max-bytes; then args+=(--max-bytes "$max_bytes"); fi
    "$tool" "${args[@]}" --format markdown | sed "s|$work/base/||g" |
        awk -v title="$title" 'NR == 1 && title != "" { if (/^#/) $0 = title; else print title "\n" }
            { print }'
    echo
}

# base_policies: the base ref's output directory into $work/base, printing its path there;
# its annotations go to fd 3.
base_policies() {
    local out_dir rel rev
    out_dir=$("$tool" diff -c "$config" --color never --format json | jq -r .output_dir)
    # Its path in the repository: from its parent, which exists when the directory does not.
    rel=$(cd "$(dirname "$out_dir")" 2>/dev/null && git rev-parse --show-prefix) || rel=../
    rel=$rel$(basename "$out_dir")
    if [[ $rel == ../* ]]; then
        echo "::warning title=ssm-compile::cannot find $out_dir in the repository; not comparing with $base_ref" >&3
        return 1
    fi
    if git fetch --quiet --depth=1 origin "$base_ref" 2>/dev/null; then
        rev=FETCH_HEAD
    elif git rev-parse --verify --quiet "$base_ref^{commit}" >/dev/null; then
        rev=$base_ref
    else
        echo "::warning title=ssm-compile::cannot find base ref $base_ref; not comparing with it" >&3
        return 1
    fi
    mkdir -p "$work/base"
    # A base without the directory (the first policies): the diff shows every grant as added.
    git -C "$top" archive "$rev" -- "$rel" 2>/dev/null | tar -x -C "$work/base" 2>/dev/null || true
    echo "$work/base/$rel"
}

write_summary() {
    local draft=$work/summary.md truncated=false base_dir
    widens=false
    {
        verdict
        if [[ $check_status -ne 2 ]]; then
            ((check_status == 0)) || diff_section "" ""
            if [[ -n $base_ref && -n $top ]] && base_dir=$(base_policies); then
                diff_section "$base_dir" "### Access changed against \`$base_ref\`"
            fi
        fi
    } >"$draft"
    # ssm-compile's own cut (--max-bytes) leaves out diffs and keeps the verdict.
    if grep -q "left out to stay within" "$draft"; then truncated=true; fi
    if (($(wc -c <"$draft") > max_bytes)); then
        truncated=true
        LC_ALL=C awk -v pass=diffs -f "$here/truncate.awk" "$draft" >"$draft.1"
        LC_ALL=C awk -v pass=cut -v max="$max_bytes" -f "$here/truncate.awk" "$draft.1" >"$draft"
    fi
    cat "$draft" >>"$summary"
    {
        echo "up-to-date=$([[ $check_status -eq 0 ]] && echo true || echo false)"
        echo "widens=$widens"
        echo "summary-truncated=$truncated"
    } >>"$outputs"
}

run_check
write_summary
if [[ $widens == true ]]; then
    level=warning
    [[ $fail_on_widening == true ]] && level=error
    echo "::$level title=ssm-compile::this change widens Session Manager access (see the step summary)"
    if [[ $level == error && $check_status -eq 0 ]]; then exit 1; fi
fi
exit "$check_status"
