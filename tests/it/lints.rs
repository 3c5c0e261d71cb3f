//! The Session Manager lints and the AWS-fact checks, case by case: each `tests/lints/NAME.toml`
//! compiles to exactly `tests/lints/NAME.stderr`, the diagnostics as printed (without colour)
//! and a last line saying whether the build goes on (`result: ok`) or stops (`result: error`).
//! Cases come in pairs where they can: the lint firing, and a near miss where it does not.
//! `TRYCMD=overwrite cargo test --test it lints` rewrites the `.stderr` files; review them.

use std::fs;
use std::path::Path;

use ssm_compile::compile::compile;
use ssm_compile::diagnostic::{Source, render};

use crate::support;

fn check_case(name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lints");
    let file = format!("{name}.toml");
    let text = fs::read_to_string(dir.join(&file)).unwrap();
    let (diagnostics, result) = match compile(&text) {
        Ok(compiled) => (compiled.warnings, "ok"),
        Err(diagnostics) => (diagnostics, "error"),
    };
    // An error stops the build; warnings alone never do.
    assert_eq!(
        result == "error",
        diagnostics.iter().any(|d| d.is_error()),
        "{name}"
    );
    let shown = render(&diagnostics, &Source::new(file, text));
    let actual = format!("{}result: {result}\n", anstream::adapter::strip_str(&shown));
    let expected_path = dir.join(format!("{name}.stderr"));
    if support::bless() {
        fs::write(&expected_path, &actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_default();
    assert!(
        expected == actual,
        "tests/lints/{name}.stderr differs:\n{actual}"
    );
}

#[test]
fn every_case() {
    let cases = support::cases_in("tests/lints", "toml");
    assert!(cases.len() >= 15, "{cases:?}");
    for file in support::cases_in("tests/lints", "stderr") {
        assert!(
            cases.contains(&file),
            "tests/lints/{file}.stderr has no .toml"
        );
    }
    support::check_all(&cases, check_case);
}

/// `ec2_agent_update` adds exactly one statement: SendCommand on AWS's agent-update document,
/// whose ARN has no account.
#[test]
fn the_agent_update_option_grants_send_command_on_the_document() {
    let base = "account = \"111122223333\"\nregion = \"us-east-2\"\n[grant.g]\nrole = \"end-user\"\nwho = [\"group:s\"]\nconsoles = [\"ec2\"]\ninstances = [\"i-0123456789abcdef0\"]\n";
    let policy = |text: &str| -> serde_json::Value {
        let compiled = compile(text).unwrap();
        serde_json::from_slice(&compiled.plan.bytes("g.json").unwrap()).unwrap()
    };
    let without = policy(base);
    let with = policy(&format!("{base}ec2_agent_update = true\n"));
    let statements = |p: &serde_json::Value| p["Statement"].as_array().unwrap().clone();
    let added: Vec<_> = statements(&with)
        .into_iter()
        .filter(|s| !statements(&without).contains(s))
        .collect();
    assert_eq!(added.len(), 1, "{with:#}");
    assert_eq!(added[0]["Action"], serde_json::json!(["ssm:SendCommand"]));
    assert_eq!(
        added[0]["Resource"],
        "arn:aws:ssm:us-east-2::document/AWS-UpdateSSMAgent"
    );
    assert_eq!(statements(&with).len(), statements(&without).len() + 1);
}
