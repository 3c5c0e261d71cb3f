//! Expansion rules of SPEC.md section 3 checked as properties over every combination of role,
//! console set, target, KMS key, document access check and partition, through the library.

use ssm_compile::compile;
use ssm_compile::policy::{OneOrMany, PolicyDocument, Statement};

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

#[derive(Clone, Copy, Debug)]
struct Case {
    admin: bool,
    consoles: &'static str,
    target: &'static str,
    kms: bool,
    access_check: Option<bool>,
    region: &'static str,
}

fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

impl Case {
    fn ec2_only(&self) -> bool {
        self.consoles == r#"["ec2"]"#
    }

    fn key_arn(&self) -> String {
        format!(
            "arn:{}:kms:{}:111122223333:key/{KEY_ID}",
            partition(self.region),
            self.region
        )
    }

    fn toml(&self) -> String {
        let mut t = format!(
            "account = \"111122223333\"\nregion = \"{}\"\n\n[grant.g]\nrole = \"{}\"\nwho = [\"user:alice\", \"role:Ops\"]\nconsoles = {}\n{}\n",
            self.region,
            if self.admin { "admin" } else { "end-user" },
            self.consoles,
            self.target,
        );
        if self.kms {
            t.push_str(&format!("kms_key = \"{}\"\n", self.key_arn()));
        }
        if let Some(check) = self.access_check {
            t.push_str(&format!(
                "document_access_check = {check}\ndocuments = [\"SSM-SessionManagerRunShell\", \"AWS-StartSSHSession\"]\n"
            ));
        }
        t
    }

    fn policy(&self) -> PolicyDocument {
        let text = self.toml();
        let compiled = compile(&text).unwrap_or_else(|d| panic!("{text}\n{d:#?}"));
        // The lints have tests of their own (tests/it/lints.rs); nothing else may warn.
        let warnings: Vec<_> = compiled
            .warnings
            .iter()
            .filter(|w| !w.kind.is_lint())
            .collect();
        assert!(warnings.is_empty(), "{warnings:#?}");
        serde_json::from_slice(&compiled.plan.bytes("g.json").unwrap()).unwrap()
    }
}

fn all_cases() -> Vec<Case> {
    let mut out = Vec::new();
    for admin in [false, true] {
        for consoles in [
            r#"["session-manager"]"#,
            r#"["cli"]"#,
            r#"["session-manager", "cli"]"#,
            r#"["ec2"]"#,
            r#"["cli", "ec2"]"#,
            r#"["session-manager", "cli", "ec2"]"#,
        ] {
            for target in [
                r#"instances = ["i-0123456789abcdef0", "mi-0123456789abcdef0"]"#,
                r#"instances = ["*"]"#,
                r#"tags = { Team = "web", Env = ["dev", "prod"] }"#,
            ] {
                for kms in [false, true] {
                    for region in ["us-east-2", "cn-north-1", "us-gov-west-1"] {
                        let ec2_only = consoles == r#"["ec2"]"#;
                        let checks: &[Option<bool>] = if admin || ec2_only {
                            &[None]
                        } else {
                            &[None, Some(true), Some(false)]
                        };
                        for &access_check in checks {
                            out.push(Case {
                                admin,
                                consoles,
                                target,
                                kms,
                                access_check,
                                region,
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

fn actions(s: &Statement) -> &[String] {
    s.action.as_slice()
}

fn is_document(arn: &str) -> bool {
    arn.contains(":document/")
}

fn has_tag_condition(s: &Statement) -> bool {
    s.condition
        .values()
        .flat_map(|m| m.keys())
        .any(|k| k.starts_with("ssm:resourceTag/") && !k.starts_with("ssm:resourceTag/aws:"))
}

fn has_access_check(s: &Statement) -> bool {
    s.condition
        .get("BoolIfExists")
        .and_then(|m| m.get("ssm:SessionDocumentAccessCheck"))
        == Some(&OneOrMany::One("true".to_owned()))
}

#[test]
fn kms_statement_exactly_when_a_key_is_set_on_every_role_and_variant() {
    for case in all_cases() {
        let policy = case.policy();
        let kms: Vec<&Statement> = policy
            .statement
            .iter()
            .filter(|s| actions(s).iter().any(|a| a.starts_with("kms:")))
            .collect();
        if case.kms {
            assert_eq!(kms.len(), 1, "{case:?}");
            assert_eq!(actions(kms[0]), ["kms:GenerateDataKey"], "{case:?}");
            assert_eq!(kms[0].resource, OneOrMany::One(case.key_arn()), "{case:?}");
            assert!(kms[0].condition.is_empty(), "{case:?}");
        } else {
            assert!(kms.is_empty(), "{case:?}");
        }
    }
}

#[test]
fn access_check_on_every_start_session_statement_when_on_and_nowhere_otherwise() {
    for case in all_cases() {
        let policy = case.policy();
        let on = !case.admin && !case.ec2_only() && case.access_check != Some(false);
        let starts: Vec<&Statement> = policy
            .statement
            .iter()
            .filter(|s| actions(s).iter().any(|a| a == "ssm:StartSession"))
            .collect();
        assert!(!starts.is_empty(), "{case:?}");
        for s in &starts {
            assert_eq!(has_access_check(s), on, "{case:?}: {s:?}");
        }
        for s in &policy.statement {
            if !starts.iter().any(|t| std::ptr::eq(*t, s)) {
                assert!(!has_access_check(s), "{case:?}: {s:?}");
            }
        }
    }
}

#[test]
fn a_document_never_shares_a_statement_with_a_resource_tag_condition() {
    for case in all_cases() {
        for s in &case.policy().statement {
            if s.resource.as_slice().iter().any(|r| is_document(r)) {
                assert!(!has_tag_condition(s), "{case:?}: {s:?}");
            }
        }
    }
}

#[test]
fn end_users_get_their_documents_and_only_with_start_session() {
    for case in all_cases() {
        let policy = case.policy();
        let granted: Vec<&String> = policy
            .statement
            .iter()
            .filter(|s| actions(s).contains(&"ssm:StartSession".to_owned()))
            .flat_map(|s| s.resource.as_slice())
            .filter(|r| is_document(r))
            .collect();
        let p = partition(case.region);
        let r = case.region;
        if case.admin || case.ec2_only() {
            assert!(granted.is_empty(), "{case:?}");
        } else if case.access_check.is_some() {
            assert_eq!(
                granted,
                [
                    &format!("arn:{p}:ssm:{r}:111122223333:document/SSM-SessionManagerRunShell"),
                    &format!("arn:{p}:ssm:{r}::document/AWS-StartSSHSession"),
                ],
                "{case:?}"
            );
        } else {
            assert_eq!(
                granted,
                [&format!(
                    "arn:{p}:ssm:{r}:111122223333:document/SSM-SessionManagerRunShell"
                )],
                "{case:?}"
            );
        }
        // SendCommand goes to instances only, never to a statement of documents alone.
        for s in &policy.statement {
            if actions(s).contains(&"ssm:SendCommand".to_owned()) {
                assert!(
                    s.resource.as_slice().iter().any(|r| !is_document(r)),
                    "{case:?}: {s:?}"
                );
            }
        }
    }
}

#[test]
fn every_arn_is_in_the_grants_partition() {
    for case in all_cases() {
        let p = partition(case.region);
        let bytes = serde_json::to_string(&case.policy()).unwrap();
        let arns: Vec<&str> = bytes.split('"').filter(|s| s.starts_with("arn:")).collect();
        assert!(!arns.is_empty(), "{case:?}");
        for arn in arns {
            assert!(arn.starts_with(&format!("arn:{p}:")), "{case:?}: {arn}");
        }
    }
}

#[test]
fn tag_conditions_and_instance_resources() {
    for case in all_cases() {
        let policy = case.policy();
        let p = partition(case.region);
        let first = &policy.statement[0];
        let resources = first.resource.as_slice();
        if case.target.starts_with("tags") {
            assert_eq!(
                resources,
                [format!("arn:{p}:ec2:*:*:instance/*")],
                "{case:?}"
            );
            let like = &first.condition["StringLike"];
            // Keys are ANDed (several keys, sorted), values ORed (a list, as written).
            let keys: Vec<&String> = like.keys().collect();
            assert_eq!(keys, ["ssm:resourceTag/Env", "ssm:resourceTag/Team"]);
            assert_eq!(
                like["ssm:resourceTag/Env"],
                OneOrMany::many(["dev", "prod"])
            );
            assert_eq!(like["ssm:resourceTag/Team"], OneOrMany::many(["web"]));
        } else if case.target.contains("\"*\"") {
            assert_eq!(
                resources[0],
                format!("arn:{p}:ec2:*:*:instance/*"),
                "{case:?}"
            );
            assert!(!first.condition.contains_key("StringLike"), "{case:?}");
        } else {
            assert_eq!(
                &resources[..2],
                [
                    format!("arn:{p}:ec2:*:*:instance/i-0123456789abcdef0"),
                    format!(
                        "arn:{p}:ssm:{}:111122223333:managed-instance/mi-0123456789abcdef0",
                        case.region
                    ),
                ],
                "{case:?}"
            );
            assert!(!first.condition.contains_key("StringLike"), "{case:?}");
        }
    }
}

#[test]
fn own_sessions_auto_follows_who() {
    let base = |who: &str, own: &str| {
        format!(
            "account = \"111122223333\"\nregion = \"us-east-2\"\n[grant.g]\nrole = \"end-user\"\nwho = {who}\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n{own}"
        )
    };
    let last = |text: String| -> Statement {
        let plan = compile(&text).unwrap().plan;
        let doc: PolicyDocument = serde_json::from_slice(&plan.bytes("g.json").unwrap()).unwrap();
        doc.statement.last().unwrap().clone()
    };
    let username = OneOrMany::many(["arn:aws:ssm:*:*:session/${aws:username}-*"]);
    let tagged = OneOrMany::many(["arn:aws:ssm:*:*:session/*"]);
    for (who, own, resource) in [
        (r#"["user:a"]"#, "", &username),
        (r#"["group:g", "user:a"]"#, "", &username),
        (r#"["group:g"]"#, "own_sessions = \"auto\"", &username),
        (r#"["role:R"]"#, "", &tagged),
        (
            r#"["user:a", "role:R"]"#,
            "own_sessions = \"auto\"",
            &tagged,
        ),
        (r#"["user:a"]"#, "own_sessions = \"session-tag\"", &tagged),
        (r#"["group:g"]"#, "own_sessions = \"username\"", &username),
    ] {
        let s = last(base(who, own));
        assert_eq!(actions(&s), ["ssm:TerminateSession"], "{who} {own}");
        assert_eq!(&s.resource, resource, "{who} {own}");
        assert_eq!(
            s.condition.contains_key("StringLike"),
            resource == &tagged,
            "{who} {own}"
        );
    }
}

/// Placeholders are rejected where AWS's samples put them, not in free text that may hold the
/// same words: a tag named `account-id` with value `region` is a real tag.
#[test]
fn words_of_the_placeholders_are_fine_in_tags_and_output() {
    let text = "account = \"111122223333\"\nregion = \"us-east-2\"\noutput = \"region\"\n[grant.g]\nrole = \"end-user\"\nwho = [\"user:a\"]\nconsoles = [\"cli\"]\ntags = { account-id = \"region\", Scope = [\"instance-id\", \"key-name\"] }\n";
    let compiled = compile(text).unwrap_or_else(|d| panic!("{d:#?}"));
    let json = String::from_utf8(compiled.plan.bytes("g.json").unwrap().into_owned()).unwrap();
    assert!(
        json.contains("\"ssm:resourceTag/account-id\": [\n                        \"region\"\n"),
        "{json}"
    );
    assert_eq!(compiled.settings.output.as_deref(), Some("region"));
}
