//! `[defaults]`: moving a value that grants repeat into `[defaults]` changes no policy, a grant's
//! own value wins over the default, and document defaults do not reach grants they cannot act
//! on. Bad defaults are cases of tests/errors (`defaults-*.toml`); a transcript is
//! tests/cmd/defaults.md.

use proptest::prelude::*;
use ssm_compile::compile;

use crate::support;

/// The implicit value of each key with one: a grant without the key behaves as with this line.
const IMPLICIT: &[(&str, &str)] = &[
    ("documents", "documents = [\"SSM-SessionManagerRunShell\"]"),
    ("document_access_check", "document_access_check = true"),
    ("own_sessions", "own_sessions = \"auto\""),
    ("resume_session", "resume_session = false"),
];

/// `text` with a `[defaults]` table: per key, a line that leaves every grant as it was (one
/// every grant writes, for keys without an implicit value; the implicit value, for the others),
/// and that line removed from the grants that wrote it exactly. Other grants keep their own
/// line, which must win.
fn with_defaults(text: &str) -> String {
    let first = text.find("\n[grant.").expect("a grant") + 1;
    let (head, grants) = text.split_at(first);
    let sections: Vec<&str> = grants.split_inclusive('\n').collect();
    let grant_count = grants.matches("\n[grant.").count() + 1;
    let mut defaults = String::from("[defaults]\n");
    let mut removed: Vec<String> = Vec::new();
    for key in ssm_compile::validate::DEFAULTABLE {
        let is_key = |l: &&&str| l.starts_with(&format!("{key} = "));
        let lines: Vec<&str> = sections.iter().filter(is_key).copied().collect();
        let line = match IMPLICIT.iter().find(|(k, _)| k == key) {
            Some((_, implicit)) => format!("{implicit}\n"),
            // Only when every grant writes the key, so none takes a value it did not have.
            None if lines.len() == grant_count => lines[0].to_owned(),
            None => continue,
        };
        defaults.push_str(&line);
        removed.push(line);
    }
    let kept: String = sections
        .iter()
        .filter(|l| !removed.iter().any(|r| r == *l))
        .copied()
        .collect();
    format!("{head}{defaults}\n{kept}")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn moving_repeated_values_into_defaults_changes_no_policy(spec in support::spec(6, false)) {
        let text = spec.render();
        let moved = with_defaults(&text);
        let before = compile(&text).expect("the generated file is valid");
        let after = compile(&moved).unwrap_or_else(|d| panic!("{moved}\n{d:#?}"));
        prop_assert_eq!(before.plan, after.plan, "{}", moved);
    }
}

const HEAD: &str = "account = \"111122223333\"\nregion = \"us-east-2\"\n";

fn grant(name: &str, body: &str) -> String {
    format!("\n[grant.{name}]\nwho = [\"user:alice\"]\ninstances = [\"*\"]\n{body}")
}

#[test]
fn a_grants_own_value_wins_and_document_defaults_skip_grants_without_documents() {
    let defaults = "[defaults]\nconsoles = [\"cli\"]\ndocuments = [\"AWS-StartSSHSession\"]\n\
                    document_access_check = false\nresume_session = true\n";
    let body = [
        ("end", "role = \"end-user\"\n"),
        (
            "own",
            "role = \"end-user\"\nconsoles = [\"session-manager\"]\nresume_session = false\ndocuments = [\"Team-Shell\"]\n",
        ),
        ("admin", "role = \"admin\"\n"),
        ("ec2", "role = \"end-user\"\nconsoles = [\"ec2\"]\n"),
    ];
    let mut with = format!("{HEAD}{defaults}");
    let mut spelled = HEAD.to_owned();
    for (name, b) in body {
        with.push_str(&grant(name, b));
    }
    // The same grants with every value the defaults give them written out.
    let taken = [
        "consoles = [\"cli\"]\ndocuments = [\"AWS-StartSSHSession\"]\ndocument_access_check = false\nresume_session = true\n",
        "document_access_check = false\n",
        "consoles = [\"cli\"]\nresume_session = true\n",
        "resume_session = true\n",
    ];
    for ((name, b), t) in body.iter().zip(taken) {
        spelled.push_str(&grant(name, &format!("{b}{t}")));
    }
    let with = compile(&with).unwrap_or_else(|d| panic!("{d:#?}"));
    let spelled = compile(&spelled).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(with.plan, spelled.plan);
    // The same lints fire (at other places: the defaulted values are written in [defaults]).
    let kinds = |c: &ssm_compile::Compiled| {
        let mut k: Vec<_> = c.warnings.iter().map(|d| d.kind).collect();
        k.sort();
        k
    };
    assert_eq!(kinds(&with), kinds(&spelled));
}
