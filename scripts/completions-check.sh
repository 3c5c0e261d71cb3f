#!/usr/bin/env bash
# The completion scripts of `ssm-compile completions SHELL` load in the shells that are
# installed (bash always; zsh and fish where present), and bash completes the subcommands.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --bin ssm-compile
bin="$PWD/${CARGO_TARGET_DIR:-target}/debug/ssm-compile"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" completions bash >"$work/ssm-compile.bash"
# Source it and ask for the completions of `ssm-compile ch`: `check` must be offered.
bash --norc --noprofile -c '
    set -eu
    source "$1"
    COMP_WORDS=(ssm-compile ch); COMP_CWORD=1; COMP_LINE="ssm-compile ch"; COMP_POINT=${#COMP_LINE}
    _ssm__compile ssm-compile ch ssm-compile
    printf "%s\n" "${COMPREPLY[@]}"
' _ "$work/ssm-compile.bash" >"$work/reply"
grep -qx check "$work/reply" || {
    cat "$work/reply" >&2
    echo "completions-check: bash does not complete \`ssm-compile ch\` to check" >&2
    exit 1
}
if command -v zsh >/dev/null; then
    "$bin" completions zsh >"$work/_ssm-compile"
    zsh -n "$work/_ssm-compile"
fi
if command -v fish >/dev/null; then
    "$bin" completions fish >"$work/ssm-compile.fish"
    fish --no-execute "$work/ssm-compile.fish"
fi
echo "completions-check: the bash completion script sources and completes subcommands"
