//! `access.example.toml` compiles cleanly and shows every key of the reference.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use ssm_compile::validate;

fn example() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("access.example.toml")).unwrap()
}

#[test]
fn the_example_compiles_without_errors_or_warnings() {
    let out = tempfile::tempdir().unwrap();
    let assert = Command::cargo_bin("ssm-compile")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["-c", "access.example.toml", "-o"])
        .arg(out.path())
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(stderr.contains("5 grants -> 7 files in "), "{stderr}");
    for name in [
        "web-oncall",
        "web-developers",
        "build-node",
        "platform-admins",
        "support-ec2",
    ] {
        assert!(out.path().join(format!("{name}.json")).is_file(), "{name}");
    }
}

#[test]
fn the_example_shows_every_key() {
    let text = example();
    // Every key the validator knows, so a new key cannot be left out of the example.
    let keys = validate::top_keys().chain(validate::grant_keys());
    for key in keys.filter(|k| *k != "grant") {
        // `key = ...`, or `[key]` for a table such as `[lints]`.
        let shown = text.lines().any(|l| {
            let l = l.trim_start_matches(['#', ' ']);
            l == format!("[{key}]")
                || l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
        });
        assert!(shown, "access.example.toml does not show `{key}`");
    }
    // Per-grant account and region, and the instance forms.
    assert!(text.contains("\"mi-0123456789abcdef0\""));
    assert!(text.contains("instances = [\"*\"]"));
}
