//! Hostile input that targets what ssm-compile prints rather than what it writes (issue 16):
//! escape bytes in paths, a forged markdown report, a foreign Terraform file beside the
//! generated module.

use std::fs;

use assert_cmd::Command;

use crate::hostile::{GRANT, HEAD, run_in};

#[test]
fn escape_bytes_in_paths_never_reach_the_terminal() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("access.toml"), format!("{HEAD}{GRANT}")).unwrap();
    let (code, stderr) = run_in(root.path(), &["build", "-o", "out\x1b[2J\x1b[31m\nfake"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
    assert!(
        stderr.contains("out\\u{1b}[2J\\u{1b}[31m\\nfake/web.json"),
        "{stderr}"
    );
}

#[test]
fn a_newline_and_a_fence_in_the_output_path_cannot_forge_the_markdown_report() {
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("access.toml"), format!("{HEAD}{GRANT}")).unwrap();
    let forged = "p\n```\n### No access changes\n\nAll good.\n```\n";
    let output = Command::cargo_bin("ssm-compile")
        .unwrap()
        .args(["diff", "--format", "markdown", "-o", forged])
        .current_dir(root.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let md = String::from_utf8(output.stdout).unwrap();
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(headings, ["### ssm-compile diff"], "{md}");
    assert!(!md.lines().any(|l| l == "All good."), "{md}");
}

#[test]
fn a_foreign_terraform_file_beside_the_generated_module_fails_check_and_diff() {
    let root = tempfile::tempdir().unwrap();
    let text = format!("{HEAD}formats = [\"json\", \"terraform\"]\n{GRANT}");
    fs::write(root.path().join("access.toml"), text).unwrap();
    assert_eq!(run_in(root.path(), &["build"]).0, Some(0));
    let (code, stderr) = run_in(root.path(), &["check"]);
    assert_eq!(code, Some(0), "{stderr}");
    // Terraform would load this with the module: an attachment nobody reviewed.
    let admin = r#"{"resource":{"aws_iam_user_policy_attachment":{"x":{"user":"mallory","policy_arn":"arn:aws:iam::aws:policy/AdministratorAccess"}}}}"#;
    fs::write(root.path().join("policies/admin.tf.json"), admin).unwrap();
    fs::write(root.path().join("policies/NOTES.md"), "fine").unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("ssm-compile")
            .unwrap()
            .args(args)
            .args(["--color", "never"])
            .current_dir(root.path())
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, out) = run(&["check"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            "  foreign policies/admin.tf.json (not written by ssm-compile, and Terraform loads it"
        ),
        "{out}"
    );
    assert!(
        out.contains("  foreign policies/NOTES.md (not written by ssm-compile; not checked)"),
        "{out}"
    );
    let (code, out) = run(&["diff", "--exit-code"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            "warning: policies/admin.tf.json was not written by ssm-compile, and Terraform loads it"
        ),
        "{out}"
    );
    let (_, json) = run(&["diff", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["widens"], true);
    assert_eq!(report["up_to_date"], false);
    assert_eq!(
        report["terraform_loads"],
        serde_json::json!(["policies/admin.tf.json"])
    );
    // Without a Terraform output, a *.tf.json there is just someone else's file.
    fs::write(root.path().join("access.toml"), format!("{HEAD}{GRANT}")).unwrap();
    assert_eq!(run_in(root.path(), &["build"]).0, Some(0));
    assert_eq!(run(&["check"]).0, Some(0));
}
