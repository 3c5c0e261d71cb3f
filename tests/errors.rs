//! Bad configurations: each `tests/errors/NAME.toml` must make the real binary exit 2, print
//! exactly `tests/errors/NAME.stderr` (every problem located at FILE:LINE:COL, its line shown,
//! a help line), and leave an output directory from an earlier build byte for byte and
//! modification time for modification time as it was.
//! `SSM_COMPILE_BLESS=1 cargo test --test errors` rewrites the `.stderr` files; review them.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use assert_cmd::Command;

fn errors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors")
}

/// Every entry of a directory: bytes, modification time and (on Unix) inode.
fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime, u64)> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            #[cfg(unix)]
            let ino = std::os::unix::fs::MetadataExt::ino(&meta);
            #[cfg(not(unix))]
            let ino = 0;
            (
                e.file_name().into_string().unwrap(),
                (fs::read(e.path()).unwrap(), meta.modified().unwrap(), ino),
            )
        })
        .collect()
}

/// Builds a valid configuration into a fresh directory, the state a bad edit must not disturb.
fn prior_build() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("policies");
    let good =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/end-user-all-consoles.toml");
    Command::cargo_bin("ssm-compile")
        .unwrap()
        .arg("-c")
        .arg(good)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    fs::write(out.join("README.txt"), "a file ssm-compile did not write\n").unwrap();
    (tmp, out)
}

fn check_case(name: &str) {
    let (tmp, out) = prior_build();
    let before = snapshot(&out);
    let file = format!("{name}.toml");
    let output = Command::cargo_bin("ssm-compile")
        .unwrap()
        .current_dir(errors_dir())
        .args(["build", "-c", &file, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    assert_eq!(snapshot(&out), before, "the output directory changed");

    // The shape every diagnostic must have, whatever its text.
    let source = String::from_utf8_lossy(&fs::read(errors_dir().join(&file)).unwrap()).into_owned();
    let lines: Vec<&str> = stderr.lines().collect();
    let mut located = 0;
    for (i, line) in lines.iter().enumerate() {
        let Some(loc) = line.trim_start().strip_prefix(&format!("--> {file}:")) else {
            continue;
        };
        located += 1;
        let (l, c) = loc.split_once(':').expect("LINE:COL");
        let (l, c): (usize, usize) = (l.parse().unwrap(), c.parse().unwrap());
        assert!(
            c >= 1 && l >= 1 && l <= source.lines().count().max(1),
            "{line}"
        );
        // The offending line is shown with its number, and a help line follows.
        let shown = format!("{l} | ");
        let rest = &lines[i..];
        let end = rest.iter().position(|x| x.is_empty()).unwrap_or(rest.len());
        assert!(
            rest[..end]
                .iter()
                .any(|x| x.trim_start().starts_with(&shown)),
            "line {l} not shown after {line}:\n{stderr}"
        );
        let block_end = rest
            .iter()
            .skip(1)
            .position(|x| x.starts_with("error"))
            .map_or(rest.len(), |p| p + 1);
        assert!(
            rest[..block_end].iter().any(|x| x.starts_with("help: ")),
            "no help for {line}:\n{stderr}"
        );
    }
    // Each error carries its code, `error[E0101]: ...`; the closing count has none.
    let errors = lines.iter().filter(|l| l.starts_with("error[E")).count();
    assert!(errors >= 1, "{stderr}");
    assert_eq!(located, errors, "every error is located:\n{stderr}");
    let summary = if errors == 1 {
        "1 error".to_owned()
    } else {
        format!("{errors} errors")
    };
    assert!(
        stderr.ends_with(&format!(
            "error: {summary} in {file}; nothing was written\n\n"
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains(tmp.path().to_str().unwrap()),
        "a machine path leaked:\n{stderr}"
    );

    let expected_path = errors_dir().join(format!("{name}.stderr"));
    if std::env::var_os("SSM_COMPILE_BLESS").is_some() {
        fs::write(&expected_path, &stderr).unwrap();
        return;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_default();
    assert!(
        expected == stderr,
        "stderr differs from tests/errors/{name}.stderr:\n{stderr}"
    );
}

macro_rules! errors {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_case($name);
            }
        )*

        /// Every case on disk has a test, and there are at least 40 distinct ones.
        #[test]
        fn every_case_is_listed() {
            let listed = [$($name),*];
            assert!(listed.len() >= 40);
            for entry in fs::read_dir(errors_dir()).unwrap() {
                let file = entry.unwrap().file_name().into_string().unwrap();
                let stem = file.rsplit_once('.').map_or(file.as_str(), |(s, _)| s);
                assert!(listed.contains(&stem), "tests/errors/{file} has no test in tests/errors.rs");
            }
        }
    };
}

/// All problems of one file are reported in one run, each in its place.
#[test]
fn several_problems_are_all_reported_at_once() {
    let output = Command::cargo_bin("ssm-compile")
        .unwrap()
        .current_dir(errors_dir())
        .args(["-c", "many-problems.toml", "-o", "never-written"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    for at in ["1:11", "5:8", "6:22", "7:20", "9:1", "15:10", "16:1"] {
        assert!(
            stderr.contains(&format!("--> many-problems.toml:{at}\n")),
            "{at}:\n{stderr}"
        );
    }
    assert!(stderr.contains("error: 7 errors in many-problems.toml; nothing was written"));
    assert!(!errors_dir().join("never-written").exists());
}

errors! {
    account_eleven_digits => "account-eleven-digits",
    account_in_grant_not_digits => "account-in-grant-not-digits",
    admin_document_access_check => "admin-document-access-check",
    admin_documents => "admin-documents",
    both_instances_and_tags => "both-instances-and-tags",
    document_arn => "document-arn",
    document_reserved_prefix => "document-reserved-prefix",
    ec2_console_documents => "ec2-console-documents",
    empty_consoles => "empty-consoles",
    empty_documents => "empty-documents",
    empty_instances => "empty-instances",
    empty_tag_values => "empty-tag-values",
    empty_tags => "empty-tags",
    empty_who => "empty-who",
    grant_region_outside_partition => "grant-region-outside-partition",
    instance_uppercase => "instance-uppercase",
    instance_wildcard => "instance-wildcard",
    instance_wrong_length => "instance-wrong-length",
    instance_wrong_prefix => "instance-wrong-prefix",
    kms_alias_arn => "kms-alias-arn",
    kms_bad_key_id => "kms-bad-key-id",
    kms_key_id_only => "kms-key-id-only",
    kms_other_partition => "kms-other-partition",
    managed_node_short => "managed-node-short",
    many_problems => "many-problems",
    missing_account => "missing-account",
    missing_grant_keys => "missing-grant-keys",
    missing_region_in_one_grant => "missing-region-in-one-grant",
    name_case_duplicate => "name-case-duplicate",
    name_dotdot => "name-dotdot",
    name_empty => "name-empty",
    name_slash => "name-slash",
    name_space => "name-space",
    name_too_long => "name-too-long",
    neither_instances_nor_tags => "neither-instances-nor-tags",
    no_grants => "no-grants",
    not_utf8 => "not-utf8",
    output_empty => "output-empty",
    own_sessions_username_for_role => "own-sessions-username-for-role",
    partition_contradicts_region => "partition-contradicts-region",
    partition_in_grant => "partition-in-grant",
    placeholder_account => "placeholder-account",
    placeholder_instance => "placeholder-instance",
    placeholder_kms_key => "placeholder-kms-key",
    placeholder_region => "placeholder-region",
    placeholder_tag => "placeholder-tag",
    policy_too_large => "policy-too-large",
    principal_arn => "principal-arn",
    region_iso => "region-iso",
    region_malformed => "region-malformed",
    repeated_console => "repeated-console",
    repeated_document => "repeated-document",
    repeated_instance => "repeated-instance",
    repeated_tag_value => "repeated-tag-value",
    repeated_who_case => "repeated-who-case",
    star_not_alone => "star-not-alone",
    syntax_duplicate_grant => "syntax-duplicate-grant",
    syntax_duplicate_key => "syntax-duplicate-key",
    syntax_unclosed_list => "syntax-unclosed-list",
    syntax_unquoted_string => "syntax-unquoted-string",
    tag_key_reserved => "tag-key-reserved",
    tag_value_not_latin1 => "tag-value-not-latin1",
    tag_value_too_long => "tag-value-too-long",
    type_account_integer => "type-account-integer",
    type_bool_integer => "type-bool-integer",
    type_bool_quoted => "type-bool-quoted",
    type_grant_array => "type-grant-array",
    type_list_item_number => "type-list-item-number",
    type_role_boolean => "type-role-boolean",
    type_tag_value_number => "type-tag-value-number",
    type_tags_list => "type-tags-list",
    type_who_string => "type-who-string",
    unknown_console => "unknown-console",
    unknown_grant_key => "unknown-grant-key",
    unknown_own_sessions => "unknown-own-sessions",
    unknown_partition => "unknown-partition",
    unknown_principal_type => "unknown-principal-type",
    unknown_role => "unknown-role",
    unknown_top_key => "unknown-top-key",
    syntax_unclosed_inline_table => "syntax-unclosed-inline-table",
    syntax_unterminated_string => "syntax-unterminated-string",
    syntax_unclosed_header => "syntax-unclosed-header",
    syntax_two_unquoted_values => "syntax-two-unquoted-values",
    placeholder_kms_sample_arn => "placeholder-kms-sample-arn",
}
