#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS each (default 60; an hour: FUZZ_SECONDS=3600), with
# inputs up to 64 KiB so the slow paths of large files are reached. Seeds: tests/golden and the
# example. Crashes go to fuzz/artifacts/TARGET/; the corpus grows in fuzz/corpus/TARGET/ (both
# ignored by git).
#
# No cargo-fuzz needed: the targets are built with plain cargo and the instrumentation flags
# cargo-fuzz would pass (libfuzzer-sys builds libFuzzer itself), so CI spends nothing on
# installing it. With FUZZ_ASAN=1 and cargo-fuzz installed, `cargo fuzz run` (AddressSanitizer)
# is used instead. RUSTC_BOOTSTRAP=1 lets the stable toolchain accept the nightly-only flags.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"compile sections"}
max_len=${FUZZ_MAX_LEN:-65536}
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}/fuzz

if [[ "${FUZZ_ASAN:-0}" == 1 ]]; then
    for t in $targets; do
        mkdir -p "fuzz/corpus/$t"
        cargo fuzz run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" tests/golden -- \
            -dict=fuzz/compile.dict -max_len="$max_len" -max_total_time="$seconds"
    done
    exit 0
fi

flags="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters"
flags+=" -Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares"
flags+=" -Cdebug-assertions -Coverflow-checks"
# With an explicit --target, RUSTFLAGS reach the targets' code but not build scripts.
host=$(rustc -vV | sed -n 's/^host: //p')
RUSTFLAGS="$flags" cargo build --release --manifest-path fuzz/Cargo.toml --bins --target "$host"

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
cp tests/golden/*.toml access.example.toml "$seeds"/
for t in $targets; do
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    echo "fuzz: $t for ${seconds}s (-max_len=$max_len)" >&2
    log="fuzz/artifacts/$t/last-run.log"
    if ! "$CARGO_TARGET_DIR/$host/release/$t" "fuzz/corpus/$t" "$seeds" \
        -dict=fuzz/compile.dict -max_len="$max_len" -max_total_time="$seconds" \
        -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1 >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "fuzz: $t found a crash (fuzz/artifacts/$t/)" >&2
        exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)|cov:' "$log" | tail -n 4 >&2
done
