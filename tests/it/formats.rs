//! Choosing the outputs: the `formats` key and `--emit`, their errors, template file names a
//! grant cannot take, and the managed-policy quota per principal.

use std::collections::BTreeSet;
use std::fs;

use assert_cmd::Command;

use crate::deploy::{CFN, HEAD, TF, files, grants_for, run};

const ONE_GRANT: &str = "[grant.ops]\nrole = \"admin\"\nwho = [\"group:ops\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n";

#[test]
fn default_is_json_only() {
    let r = run(&format!("{HEAD}{ONE_GRANT}"), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        files(&r.out),
        BTreeSet::from(["ops.json".to_owned(), ".ssm-compile-manifest".to_owned()])
    );
}

#[test]
fn formats_key_picks_the_outputs() {
    let r = run(
        &format!("{HEAD}formats = [\"cloudformation\", \"terraform\"]\n{ONE_GRANT}"),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        files(&r.out),
        BTreeSet::from([
            CFN.to_owned(),
            TF.to_owned(),
            ".ssm-compile-manifest".to_owned()
        ])
    );
    let manifest = fs::read_to_string(r.out.join(".ssm-compile-manifest")).unwrap();
    assert!(manifest.contains(CFN) && manifest.contains(TF));
}

#[test]
fn emit_overrides_the_file() {
    let text = format!("{HEAD}formats = [\"json\", \"cloudformation\"]\n{ONE_GRANT}");
    let r = run(&text, &["--emit", "terraform"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        files(&r.out),
        BTreeSet::from([TF.to_owned(), ".ssm-compile-manifest".to_owned()])
    );
    let r = run(&text, &["build", "--emit", "json,terraform,json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        files(&r.out),
        BTreeSet::from([
            "ops.json".to_owned(),
            TF.to_owned(),
            ".ssm-compile-manifest".to_owned()
        ])
    );
}

#[test]
fn emit_rejects_unknown_formats() {
    let r = run(&format!("{HEAD}{ONE_GRANT}"), &["--emit", "json,cfn"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cfn"), "{}", r.stderr);
    assert!(r.stderr.contains("cloudformation"), "{}", r.stderr);
    assert!(!r.out.exists());
}

#[test]
fn dropping_a_format_removes_its_file() {
    let r = run(
        &format!("{HEAD}formats = [\"json\", \"cloudformation\", \"terraform\"]\n{ONE_GRANT}"),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.out.join(CFN).exists() && r.out.join(TF).exists());
    fs::write(
        &r.config,
        format!("{HEAD}formats = [\"json\"]\n{ONE_GRANT}"),
    )
    .unwrap();
    let output = Command::cargo_bin("ssm-compile")
        .unwrap()
        .arg("-c")
        .arg(&r.config)
        .arg("-o")
        .arg(&r.out)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        files(&r.out),
        BTreeSet::from(["ops.json".to_owned(), ".ssm-compile-manifest".to_owned()])
    );
}

/// A bad configuration: exit 2, the message, the location, the help, and nothing written.
fn assert_rejected(text: &str, message: &str, location: &str, help: &str) {
    let r = run(text, &[]);
    assert_eq!(r.code, 2, "{text}\n{}", r.stderr);
    assert!(
        r.stderr.contains(message),
        "want {message:?}:\n{}",
        r.stderr
    );
    let loc = format!("{}:{location}", r.config.display());
    assert!(r.stderr.contains(&loc), "want {loc:?}:\n{}", r.stderr);
    assert!(r.stderr.contains(help), "want {help:?}:\n{}", r.stderr);
    assert!(!r.out.exists(), "something was written");
}

#[test]
fn formats_validation() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "formats = \"json\"",
            "`formats` must be a list, found string",
            "3:11",
            "formats = [\"json\"]",
        ),
        (
            "formats = { json = true }",
            "`formats` must be a list of strings, found",
            "3:11",
            "formats = [",
        ),
        (
            "formats = []",
            "`formats` is empty",
            "3:11",
            "list at least one value",
        ),
        (
            "formats = [\"cfn\"]",
            "unknown format \"cfn\"",
            "3:12",
            "did you mean \"cloudformation\"?",
        ),
        (
            "formats = [\"terrafrom\"]",
            "unknown format \"terrafrom\"",
            "3:12",
            "did you mean \"terraform\"?",
        ),
        (
            "formats = [\"json\", \"yaml\"]",
            "unknown format \"yaml\"",
            "3:20",
            "formats are \"json\", \"cloudformation\", \"terraform\"",
        ),
        (
            "formats = [\"json\", \"json\"]",
            "`json` is repeated in `formats`",
            "3:20",
            "remove the repeated entry",
        ),
        (
            "formats = [\"json\", 1]",
            "`formats` holds only strings, found integer",
            "3:20",
            "formats",
        ),
        (
            "format = [\"json\"]",
            "unknown key `format` at the top level",
            "3:1",
            "did you mean `formats`?",
        ),
    ];
    for (line, message, location, help) in cases {
        assert_rejected(
            &format!("{HEAD}{line}\n{ONE_GRANT}"),
            message,
            location,
            help,
        );
    }
    assert_rejected(
        &format!("{HEAD}{ONE_GRANT}formats = [\"json\"]\n"),
        "`formats` is not a grant key",
        "8:1",
        "applies to the whole file",
    );
}

#[test]
fn all_format_errors_are_reported_together() {
    let r = run(
        &format!("{HEAD}formats = [\"cfn\", \"tf\", \"json\", \"json\"]\n{ONE_GRANT}"),
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown format \"cfn\""));
    assert!(r.stderr.contains("unknown format \"tf\""));
    assert!(r.stderr.contains("did you mean \"terraform\"?"));
    assert!(r.stderr.contains("`json` is repeated"));
    assert!(r.stderr.contains("3 errors"), "{}", r.stderr);
}

// ---- file name collisions ----

fn named(name: &str, formats: &str) -> String {
    format!(
        "{HEAD}formats = {formats}\n[grant.\"{name}\"]\nrole = \"admin\"\nwho = [\"user:a\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n"
    )
}

#[test]
fn a_grant_cannot_take_a_template_file_name() {
    assert_rejected(
        &named("ssm-compile.tf", "[\"json\", \"terraform\"]"),
        "grant `ssm-compile.tf` would write ssm-compile.tf.json, the file of the terraform output",
        "4:8",
        "rename the grant",
    );
    assert_rejected(
        &named("SSM-Compile.CFN", "[\"json\", \"cloudformation\"]"),
        "the file of the cloudformation output",
        "4:8",
        "rename the grant",
    );
    assert_rejected(
        &named("web.tf", "[\"json\", \"terraform\"]"),
        "which Terraform would load as configuration",
        "4:8",
        "does not end in `.tf`",
    );
    // Without the colliding format there is no collision.
    for (name, formats) in [
        ("ssm-compile.tf", "[\"json\", \"cloudformation\"]"),
        ("web.tf", "[\"json\"]"),
        ("ssm-compile.cfn", "[\"cloudformation\", \"terraform\"]"),
    ] {
        let r = run(&named(name, formats), &[]);
        assert_eq!(r.code, 0, "{name} {formats}: {}", r.stderr);
    }
}

// ---- quotas ----

#[test]
fn ten_policies_per_principal_is_fine() {
    let r = run(&grants_for("user:alice", 10), &[]);
    assert_eq!(r.code, 0);
    assert!(!r.stderr.contains("managed policies"), "{}", r.stderr);
}

#[test]
fn over_the_default_quota_is_a_warning_naming_principal_and_grants() {
    for principal in ["user:alice", "role:Ops"] {
        let r = run(&grants_for(principal, 11), &["--emit", "json"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let want = format!(
            "warning[W0601]: {principal} is attached to 11 managed policies, more than IAM allows for a {} by default (10): grants g01, g02, g03, g04, g05, g06, g07, g08, g09, g10, g11",
            principal.split(':').next().unwrap()
        );
        assert!(r.stderr.contains(&want), "{}", r.stderr);
        // Located at the first `who` entry, with the others shown.
        assert!(
            r.stderr.contains(&format!("{}:5:8", r.config.display())),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("attached by grant `g11`"), "{}", r.stderr);
        assert!(r.stderr.contains("Service Quotas"), "{}", r.stderr);
        // One quota warning (the lints on these admin grants have codes of their own).
        assert_eq!(r.stderr.matches("warning[W").count(), 1, "{}", r.stderr);
        assert!(r.out.join("g11.json").exists());
    }
}

#[test]
fn over_the_hard_maximum_is_an_error() {
    for (principal, count) in [("user:alice", 21), ("role:Ops", 21), ("group:ops", 11)] {
        let r = run(&grants_for(principal, count), &[]);
        assert_eq!(r.code, 2, "{principal}: {}", r.stderr);
        let max = if principal.starts_with("group") {
            10
        } else {
            20
        };
        let want = format!(
            "error[E0602]: {principal} is attached to {count} managed policies, more than IAM ever allows for a {} ({max})",
            principal.split(':').next().unwrap()
        );
        assert!(r.stderr.contains(&want), "{}", r.stderr);
        assert!(r.stderr.contains(&format!("{}:5:8", r.config.display())));
        assert!(!r.out.exists());
    }
    let r = run(&grants_for("user:alice", 20), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn quota_counts_names_without_case() {
    let mut text = grants_for("user:alice", 10);
    text.push_str(
        "[grant.g11]\nrole = \"admin\"\nwho = [\"user:Alice\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n",
    );
    let r = run(&text, &[]);
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains("is attached to 11 managed policies"),
        "{}",
        r.stderr
    );
    // Principals of different kinds are different principals.
    let mut text = grants_for("user:ops", 10);
    text.push_str(
        "[grant.g11]\nrole = \"admin\"\nwho = [\"group:ops\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n",
    );
    let r = run(&text, &[]);
    assert!(!r.stderr.contains("managed policies"), "{}", r.stderr);
}

// ---- attachments, for permission summaries ----

/// `check` and a build only need to know which files differ; `diff` reviews them and needs
/// their old bytes. A changed template (250 MB at 100,000 grants) is kept only when asked.
#[test]
fn old_bytes_of_a_changed_template_are_kept_only_for_diff() {
    use ssm_compile::{compile, outdir};
    let config = |who: &str| {
        format!(
            "{HEAD}formats = [\"json\", \"terraform\"]\n[grant.ops]\nrole = \"admin\"\nwho = [{who}]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let before = compile(&config("\"group:ops\"")).unwrap();
    outdir::build(dir.path(), &before.plan).unwrap();
    let after = compile(&config("\"group:ops\", \"user:mallory\"")).unwrap();
    let on_disk = fs::read(dir.path().join(TF)).unwrap();
    let read = |old| {
        let mut quiet = |_: &std::path::Path| {};
        let mut wait = outdir::default_wait(&mut quiet);
        outdir::read_with(dir.path(), &after.plan, &mut wait, old).unwrap()
    };
    let kept = read(outdir::OldBytes::Keep);
    let skipped = read(outdir::OldBytes::Skip);
    assert!(kept.kept_old && !skipped.kept_old);
    let mut held = Vec::new();
    std::io::Read::read_to_end(&mut kept.files[TF].reader(), &mut held).unwrap();
    assert_eq!(held, on_disk);
    // A build renames a new file over it: what was read still reads the old bytes.
    outdir::build(dir.path(), &after.plan).unwrap();
    let mut again = Vec::new();
    std::io::Read::read_to_end(&mut kept.files[TF].reader(), &mut again).unwrap();
    assert_eq!(again, on_disk);
    assert!(
        skipped.files[TF].is_empty(),
        "not read: only its difference matters"
    );
    let names = |s: &outdir::DiskState| -> Vec<(String, outdir::ChangeKind)> {
        s.changes(&after.plan)
            .into_iter()
            .map(|c| (c.name, c.kind))
            .collect()
    };
    assert_eq!(
        names(&kept),
        names(&skipped),
        "the same files differ either way"
    );
    assert!(names(&kept).iter().any(|(n, _)| n == TF));
}

/// A changed template past 1 MiB is rendered once, into a temporary file shared by the
/// review and the diff; a smaller one is rendered again on each use, never held per change
/// (a change to every account's template held 750 renderings: issue 16). Both read back as
/// the plan's bytes.
#[test]
fn a_small_template_is_rendered_where_used_and_a_large_one_once_into_a_file() {
    use ssm_compile::{compile, outdir};
    use std::borrow::Cow;
    let config = |n: usize, region: &str| {
        let mut text = format!("{HEAD}formats = [\"terraform\"]\n").replace("us-east-2", region);
        for i in 0..n {
            text.push_str(&format!(
                "[grant.g{i}]\nrole = \"end-user\"\nwho = [\"user:u{i}\"]\nconsoles = [\"cli\"]\ninstances = [\"i-{i:017x}\"]\n"
            ));
        }
        text
    };
    for (n, large) in [(3, false), (600, true)] {
        let dir = tempfile::tempdir().unwrap();
        outdir::build(dir.path(), &compile(&config(n, "us-east-2")).unwrap().plan).unwrap();
        let after = compile(&config(n, "us-west-2")).unwrap();
        let mut quiet = |_: &std::path::Path| {};
        let mut wait = outdir::default_wait(&mut quiet);
        let state =
            outdir::read_with(dir.path(), &after.plan, &mut wait, outdir::OldBytes::Keep).unwrap();
        let changes = state.changes(&after.plan);
        let change = changes.iter().find(|c| c.name == TF).unwrap();
        let (first, second) = (change.new_blob().unwrap(), change.new_blob().unwrap());
        assert_eq!(
            first.bytes().unwrap()[..],
            after.plan.bytes(TF).unwrap()[..]
        );
        assert_eq!(first.len() > 1 << 20, large, "{n} grants");
        match (&first, &second) {
            (Cow::Borrowed(a), Cow::Borrowed(b)) if large => {
                assert!(std::ptr::eq(*a, *b), "rendered once");
                assert!(a.in_memory().is_none(), "in its temporary file");
            }
            (Cow::Owned(a), Cow::Owned(b)) if !large => {
                assert!(a.in_memory().is_some() && a == b, "rendered again");
            }
            _ => panic!("{n} grants: a rendering held otherwise than planned"),
        }
    }
}
