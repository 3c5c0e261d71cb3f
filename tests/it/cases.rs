//! Configurations of one grant named NAME, each of which the real binary must compile to exactly
//! `NAME.json` (byte for byte) and the manifest:
//! - `tests/golden/`: the six reference policies, never rewritten;
//! - `tests/cases/`: one fixture per expansion rule of SPEC.md section 3.
//!   `TRYCMD=overwrite cargo test --test it cases` rewrites these expected files; review every
//!   change it makes.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

use crate::support;

fn check_case(name: &str) {
    check_in("tests/cases", name);
}

fn check_golden(name: &str) {
    check_in("tests/golden", name);
}

fn check_in(fixtures: &str, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(fixtures);
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("ssm-compile")
        .unwrap()
        .args(["build", "-c"])
        .arg(dir.join(format!("{name}.toml")))
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let mut written: Vec<String> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [".ssm-compile-manifest".to_owned(), format!("{name}.json")]
    );
    let actual = fs::read(out.path().join(format!("{name}.json"))).unwrap();
    let expected_path = dir.join(format!("{name}.json"));
    // The golden files are the contract: only the rule fixtures may be blessed.
    if fixtures == "tests/cases" && support::bless() {
        fs::write(&expected_path, &actual).unwrap();
        return;
    }
    let expected = fs::read(&expected_path).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&expected),
        String::from_utf8_lossy(&actual),
        "{name}.json differs from {fixtures}/{name}.json"
    );
}

/// Every `tests/cases/NAME.toml` compiles to its `NAME.json`.
#[test]
fn rule_fixtures() {
    let cases = support::cases_in("tests/cases", "toml");
    assert!(cases.len() >= 26, "{cases:?}");
    for case in &cases {
        let json = format!("tests/cases/{case}.json");
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(&json).is_file(),
            "{json} is missing"
        );
    }
    support::check_all(&cases, check_case);
}

/// The six reference policies, byte for byte.
#[test]
fn golden_policies() {
    let cases = support::cases_in("tests/golden", "toml");
    let expected = [
        "admin-all-consoles",
        "admin-ec2",
        "admin-session-manager-cli",
        "end-user-all-consoles",
        "end-user-ec2",
        "end-user-session-manager-cli",
    ];
    assert_eq!(cases, expected);
    support::check_all(&cases, check_golden);
}
