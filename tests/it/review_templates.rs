//! The verdict where templates are the only output, one per account: each grant's policies
//! before are the ones its own account's template holds. A template left identical in one
//! account once stood for every grant's "before", so a widening in another account read as
//! "no change in access".

use ssm_compile::review::{Inputs, Report};
use ssm_compile::{compile, outdir};

fn config(format: &str, db_instances: &str) -> String {
    format!(
        r#"account = "111122223333"
region = "us-east-2"
formats = ["{format}"]

[grant.web]
role = "end-user"
who = ["user:alice"]
consoles = ["cli"]
instances = ["i-0123456789abcdef0"]

[grant.db]
role = "end-user"
account = "444455556666"
who = ["user:bob"]
consoles = ["cli"]
instances = [{db_instances}]
"#
    )
}

fn review(before: &str, after: &str) -> Report {
    let (before, after) = (compile(before).unwrap(), compile(after).unwrap());
    let dir = tempfile::tempdir().unwrap();
    outdir::build(dir.path(), &before.plan).unwrap();
    let state = outdir::read(dir.path(), &after.plan).unwrap();
    let inputs = Inputs {
        config: "access.toml",
        config_bytes: 0,
        output_dir: "policies",
        plan: &after.plan,
        state: &state,
    };
    Report::new(&inputs, &|n| n.to_owned(), true, true)
}

#[test]
fn a_widening_in_one_accounts_template_is_seen_beside_an_identical_one() {
    for format in ["terraform", "cloudformation"] {
        let one = "\"i-0123456789abcdef1\"";
        let report = review(&config(format, one), &config(format, "\"*\""));
        assert!(report.widens, "{format}");
        let principals = report.principals.to_vec().unwrap();
        let bob: Vec<_> = principals
            .iter()
            .filter(|p| p.principal == "user:bob")
            .collect();
        assert!(
            bob.len() == 1 && bob[0].widens && !bob[0].gained.is_empty(),
            "{format}: {bob:?}"
        );
        assert_eq!(bob[0].grants_before, ["db"], "{format}");
        assert!(principals.iter().all(|p| p.principal == "user:bob"));
        // And back: the same files the other way narrow, and widen nobody.
        let report = review(&config(format, "\"*\""), &config(format, one));
        assert!(!report.widens, "{format}: {:?}", report.principals);
        assert!(
            (report.principals.to_vec().unwrap())
                .iter()
                .any(|p| !p.lost.is_empty()),
            "{format}"
        );
    }
}

#[test]
fn an_unchanged_directory_of_templates_changes_nobody() {
    for format in ["terraform", "cloudformation"] {
        let text = config(format, "\"i-0123456789abcdef1\"");
        let report = review(&text, &text);
        assert!(report.up_to_date && !report.widens, "{format}");
        assert!(
            report.principals.is_empty() && report.grants.is_empty(),
            "{format}"
        );
    }
}
