//! Configurations of one grant named NAME, each of which the real binary must compile to exactly
//! `NAME.json` (byte for byte) and the manifest:
//! - `tests/golden/`: the six reference policies, never rewritten;
//! - `tests/cases/`: one fixture per expansion rule of SPEC.md section 3.
//!   `SSM_COMPILE_BLESS=1 cargo test --test cases` rewrites these expected files; review every
//!   change it makes.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

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
    if fixtures == "tests/cases" && std::env::var_os("SSM_COMPILE_BLESS").is_some() {
        fs::write(&expected_path, &actual).unwrap();
        return;
    }
    let expected = fs::read(&expected_path).unwrap();
    assert!(
        expected == actual,
        "{name}.json differs from {fixtures}/{name}.json:\n{}",
        String::from_utf8_lossy(&actual)
    );
}

macro_rules! cases {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_case($name);
            }
        )*

        /// Every fixture on disk has a test above, so none is silently skipped.
        #[test]
        fn every_fixture_is_listed() {
            let listed = [$($name),*];
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
            for entry in fs::read_dir(dir).unwrap() {
                let file = entry.unwrap().file_name().into_string().unwrap();
                let stem = file.rsplit_once('.').map_or(file.as_str(), |(s, _)| s);
                assert!(listed.contains(&stem), "tests/cases/{file} has no test in tests/cases.rs");
            }
        }
    };
}

cases! {
    kms_end_user_session_manager_cli => "kms-end-user-session-manager-cli",
    kms_end_user_ec2 => "kms-end-user-ec2",
    kms_end_user_all_consoles => "kms-end-user-all-consoles",
    kms_admin_session_manager_cli => "kms-admin-session-manager-cli",
    kms_admin_ec2 => "kms-admin-ec2",
    kms_admin_all_consoles => "kms-admin-all-consoles",
    managed_nodes => "managed-nodes",
    all_instances => "all-instances",
    all_instances_admin => "all-instances-admin",
    tags_several_keys_and_values => "tags-several",
    tags_without_access_check => "tags-no-access-check",
    tags_ec2_console => "tags-ec2-console",
    documents_several_aws_owned_and_own => "documents-several",
    documents_with_tags => "documents-with-tags",
    own_sessions_username => "own-sessions-username",
    own_sessions_session_tag => "own-sessions-session-tag",
    own_sessions_auto_users_and_groups => "own-sessions-auto-users",
    own_sessions_auto_with_role => "own-sessions-auto-role",
    resume_session_session_tag => "resume-session",
    resume_session_username => "resume-session-username",
    partition_aws_cn => "partition-aws-cn",
    partition_aws_us_gov => "partition-aws-us-gov",
    partition_aws_us_gov_tags => "partition-aws-us-gov-tags",
    per_grant_account_and_region => "per-grant-account-region",
    per_grant_without_top_level => "per-grant-no-top-level",
    dollar_in_tag_value => "dollar-in-tag-value",
}

macro_rules! golden {
    ($($test:ident => $name:literal,)*) => {$(
        #[test]
        fn $test() {
            check_golden($name);
        }
    )*};
}

golden! {
    golden_end_user_session_manager_cli => "end-user-session-manager-cli",
    golden_end_user_ec2 => "end-user-ec2",
    golden_end_user_all_consoles => "end-user-all-consoles",
    golden_admin_session_manager_cli => "admin-session-manager-cli",
    golden_admin_ec2 => "admin-ec2",
    golden_admin_all_consoles => "admin-all-consoles",
}
