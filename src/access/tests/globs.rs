//! The concrete evaluator on glob corner cases.

use super::super::{Request, allows};
use super::policy;
use serde_json::json;

const INSTANCE: &str = "arn:aws:ec2:us-east-2:111122223333:instance/i-0123456789abcdef0";

fn tagged(tag: &str, value: &str) -> Request {
    Request::new("ssm:StartSession", INSTANCE).with(&format!("ssm:resourceTag/{tag}"), value)
}

fn like(pattern: &str) -> super::super::Policy {
    let cond = json!({"StringLike": {"ssm:resourceTag/Team": [pattern]}});
    policy("ssm:StartSession", "arn:aws:ec2:*:*:instance/*", cond)
}

#[test]
fn star_and_hyphen() {
    assert!(allows(&[like("web*")], &tagged("Team", "web")));
    assert!(allows(&[like("web*")], &tagged("Team", "web-prod")));
    assert!(!allows(&[like("web-*")], &tagged("Team", "web")));
    assert!(allows(&[like("web-*")], &tagged("Team", "web-")));
    assert!(
        !allows(&[like("web*")], &tagged("Team", "Web")),
        "values are case-sensitive"
    );
}

#[test]
fn question_mark_is_exactly_one_character() {
    assert!(allows(&[like("w?b")], &tagged("Team", "wxb")));
    assert!(!allows(&[like("w?b")], &tagged("Team", "wb")));
    assert!(!allows(&[like("w?b")], &tagged("Team", "wxxb")));
}

#[test]
fn empty_values() {
    assert!(allows(&[like("")], &tagged("Team", "")));
    assert!(!allows(&[like("")], &tagged("Team", "a")));
    assert!(allows(&[like("*")], &tagged("Team", "")));
    let absent = Request::new("ssm:StartSession", INSTANCE);
    assert!(
        !allows(&[like("*")], &absent),
        "StringLike on an absent key is false"
    );
}

#[test]
fn dollar_escape_is_literal() {
    assert!(allows(&[like("${$}${$}")], &tagged("Team", "$$")));
    assert!(allows(&[like("a${*}b")], &tagged("Team", "a*b")));
    assert!(!allows(&[like("a${*}b")], &tagged("Team", "axb")));
    assert!(allows(&[like("a${?}")], &tagged("Team", "a?")));
    assert!(!allows(&[like("a${?}")], &tagged("Team", "ab")));
}

#[test]
fn condition_keys_ignore_case_values_do_not() {
    let r = Request::new("ssm:StartSession", INSTANCE).with("SSM:RESOURCETAG/team", "web");
    assert!(allows(&[like("web")], &r));
}

#[test]
fn actions_ignore_case_and_glob() {
    let p = policy("ssm:Start*", "*", json!(null));
    assert!(allows(
        &[p.clone()],
        &Request::new("SSM:startsession", INSTANCE)
    ));
    assert!(!allows(&[p], &Request::new("ssm:SendCommand", INSTANCE)));
    let p = policy("ssm:?endCommand", "*", json!(null));
    assert!(allows(&[p], &Request::new("ssm:sendcommand", INSTANCE)));
}

#[test]
fn wildcards_never_cross_arn_colons() {
    // A plain glob would let the account field's `*` eat `111122223333:extra`.
    let p = policy("ssm:StartSession", "arn:aws:*:*:*:instance/*", json!(null));
    let r = Request::new(
        "ssm:StartSession",
        "arn:aws:ec2:us-east-2:1:extra:instance/i-1",
    );
    assert!(!allows(&[p.clone()], &r));
    assert!(allows(&[p], &Request::new("ssm:StartSession", INSTANCE)));
    // A pattern of fewer than six fields is outside the subset, not guessed.
    let five = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "ssm:StartSession", "Resource": "arn:aws:ec2:*:instance/*"}]});
    assert!(super::super::Policy::parse(&five).is_err());
    // The resource field itself may hold colons, and `*` there crosses them.
    let p = policy(
        "ssm:StartSession",
        "arn:aws:ssm:*:*:document/*",
        json!(null),
    );
    let r = Request::new("ssm:StartSession", "arn:aws:ssm:us-east-2:1:document/a:b");
    assert!(allows(&[p], &r));
    let p = policy("ssm:StartSession", "arn:aws:ec2:us-east-?:*:*", json!(null));
    assert!(allows(
        &[p.clone()],
        &Request::new("ssm:StartSession", INSTANCE)
    ));
    let r = Request::new("ssm:StartSession", "arn:aws:ec2:us-east-22:1:instance/x");
    assert!(!allows(&[p], &r));
}

#[test]
fn bool_and_if_exists() {
    let check = json!({"BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"}});
    let p = policy("ssm:StartSession", "*", check);
    let r = Request::new("ssm:StartSession", INSTANCE);
    assert!(allows(&[p.clone()], &r), "IfExists: absent is true");
    let t = r.clone().with("ssm:SessionDocumentAccessCheck", "TRUE");
    assert!(allows(&[p.clone()], &t), "Bool ignores case");
    let f = r.clone().with("ssm:SessionDocumentAccessCheck", "false");
    assert!(!allows(&[p], &f));
    let strict = policy(
        "ssm:StartSession",
        "*",
        json!({"Bool": {"ssm:SessionDocumentAccessCheck": "true"}}),
    );
    assert!(!allows(&[strict], &r), "Bool on an absent key is false");
}

#[test]
fn string_equals_has_no_wildcards() {
    let p = policy(
        "ssm:StartSession",
        "*",
        json!({"StringEquals": {"ssm:resourceTag/Team": ["web*"]}}),
    );
    assert!(allows(&[p.clone()], &tagged("Team", "web*")));
    assert!(!allows(&[p], &tagged("Team", "web")));
}

#[test]
fn variables_read_the_context() {
    let own = policy(
        "ssm:TerminateSession",
        "arn:aws:ssm:*:*:session/${aws:username}-*",
        json!(null),
    );
    let arn = "arn:aws:ssm:us-east-2:111122223333:session/alice-0123";
    let r = Request::new("ssm:TerminateSession", arn);
    assert!(!allows(&[own.clone()], &r), "absent variable: no match");
    assert!(allows(
        &[own.clone()],
        &r.clone().with("aws:username", "alice")
    ));
    assert!(!allows(&[own], &r.with("aws:username", "bob")));
    let tag = policy(
        "ssm:TerminateSession",
        "arn:aws:ssm:*:*:session/*",
        json!({"StringLike": {"ssm:resourceTag/aws:ssmmessages:session-id": ["${aws:userid}"]}}),
    );
    let r = Request::new("ssm:TerminateSession", arn)
        .with("ssm:resourceTag/aws:ssmmessages:session-id", "AIDA1")
        .with("aws:userid", "AIDA1");
    assert!(allows(&[tag.clone()], &r));
    let r = r.with("aws:userid", "AIDA2");
    assert!(!allows(&[tag], &r));
}

#[test]
fn statements_keep_their_place_in_the_document() {
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": "*"},
        {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"},
        {"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": "*"},
    ]});
    let p = super::super::Policy::parse(&doc).unwrap();
    assert_eq!(p.len(), 2);
    let r = Request::new("ssm:SendCommand", INSTANCE);
    let found = super::super::allowing_statements(std::slice::from_ref(&p), &r);
    assert_eq!(found.len(), 1);
    assert_eq!(p.origins(found[0].1), [0, 2]);
}
