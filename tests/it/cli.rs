//! Transcript tests of `diff` and `check`: each `tests/cmd/NAME.md` runs the real binary in
//! `tests/cmd/NAME.in/` (see `tests/cmd/fixtures.sh`) and compares everything it prints and its
//! exit code. Update with `TRYCMD=overwrite cargo test --test it cli`.

#[test]
fn cli() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "")
        .case("tests/cmd/*.md");
}
