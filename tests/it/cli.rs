//! Transcript tests of `diff` and `check`: each `tests/cmd/NAME.md` runs the real binary in
//! `tests/cmd/NAME.in/` (see `tests/cmd/fixtures.sh`) and compares everything it prints and its
//! exit code. Update with `TRYCMD=overwrite cargo test --test it cli`.

#[test]
fn cli() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "")
        .case("tests/cmd/*.md");
}

/// Transcripts of `who-can`, `can`, `access` and the `[forbid.NAME]` guardrails: each
/// `tests/query/NAME.md` runs in `tests/query/NAME.in/`.
#[test]
fn queries() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "")
        .case("tests/query/*.md");
}
