//! The decision procedures on the cases the issues name.

use super::super::{Facts, Policy, allows, compare, equivalent, new_access, new_access_with};
use super::policy;
use serde_json::json;

fn team(pattern: &str) -> Policy {
    let cond = json!({
        "BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"},
        "StringLike": {"ssm:resourceTag/Team": [pattern]}
    });
    policy("ssm:StartSession", "arn:aws:ec2:*:*:instance/*", cond)
}

fn own_sessions() -> Policy {
    policy(
        "ssm:TerminateSession",
        "arn:aws:ssm:*:*:session/${aws:username}-*",
        json!(null),
    )
}

#[test]
fn narrowing_a_tag_is_not_widening() {
    assert_eq!(new_access(&[team("web*")], &[team("web-prod")]), Ok(vec![]));
    let lost = new_access(&[team("web-prod")], &[team("web*")]).unwrap();
    assert!(!lost.is_empty());
}

#[test]
fn web_star_against_web_hyphen_star() {
    let gained = new_access(&[team("web-*")], &[team("web*")]).unwrap();
    let w = &gained[0];
    assert_eq!(w.action, "ssm:StartSession");
    assert_eq!(
        w.resource,
        "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0"
    );
    assert_eq!(
        w.context.get("ssm:resourceTag/Team").map(String::as_str),
        Some("web")
    );
    assert!(
        !w.context.contains_key("ssm:SessionDocumentAccessCheck"),
        "absent key left out"
    );
    assert_eq!(new_access(&[team("web*")], &[team("web-*")]), Ok(vec![]));
}

#[test]
fn question_mark_and_empty() {
    assert_eq!(new_access(&[team("*")], &[team("")]), Ok(vec![]));
    let g = new_access(&[team("?*")], &[team("*")]).unwrap();
    assert_eq!(g[0].context["ssm:resourceTag/Team"], "");
    let g = new_access(&[team("w?b")], &[team("w*b")]).unwrap();
    let v = &g[0].context["ssm:resourceTag/Team"];
    assert!(
        v.len() != 3 && v.starts_with('w') && v.ends_with('b'),
        "{v}"
    );
}

#[test]
fn literal_dollar() {
    assert_eq!(new_access(&[team("*$")], &[team("a${$}")]), Ok(vec![]));
    let g = new_access(&[team("a")], &[team("${$}")]).unwrap();
    assert_eq!(g[0].context["ssm:resourceTag/Team"], "$");
    // `${*}` is a literal star, narrower than the wildcard.
    assert_eq!(new_access(&[team("a*")], &[team("a${*}")]), Ok(vec![]));
    assert!(
        !new_access(&[team("a${*}")], &[team("a*")])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn variables_identical_before_and_after() {
    let a = [own_sessions()];
    assert_eq!(new_access(&a, &a), Ok(vec![]));
    assert_eq!(
        new_access_with(&a, &a, &Facts::for_principal("group:ops")),
        Ok(vec![])
    );
}

#[test]
fn variable_against_wildcard() {
    let any = policy(
        "ssm:TerminateSession",
        "arn:aws:ssm:*:*:session/*",
        json!(null),
    );
    // Own sessions are inside all sessions, for every user name.
    assert_eq!(new_access(&[any.clone()], &[own_sessions()]), Ok(vec![]));
    let g = new_access(&[own_sessions()], &[any.clone()]).unwrap();
    assert!(!g.is_empty());
    // For user:alice the variable is fixed, and the witness names another user's session: the
    // user name is not needed to show it, so it is left out.
    let facts = Facts::for_principal("user:alice");
    let g = new_access_with(&[own_sessions()], &[any], &facts).unwrap();
    assert!(!g[0].resource.contains("session/alice-"), "{:?}", g[0]);
    assert!(!g[0].context.contains_key("aws:username"));
    // A witness that relies on the user name carries it.
    let mine = policy(
        "ssm:ResumeSession",
        "arn:aws:ssm:*:*:session/${aws:username}-*",
        json!(null),
    );
    let g2 = new_access_with(&[], &[mine], &facts).unwrap();
    assert_eq!(
        g2[0].context.get("aws:username").map(String::as_str),
        Some("alice")
    );
    assert!(
        g2[0].resource.ends_with(":session/alice-0123456789abcdef0"),
        "{:?}",
        g2[0]
    );
    assert!(allows(&[policy("*", "*", json!(null))], &g[0]));
}

#[test]
fn a_literal_user_session_against_the_variable() {
    let alice = policy(
        "ssm:TerminateSession",
        "arn:aws:ssm:*:*:session/alice-*",
        json!(null),
    );
    // For user:alice the two say the same; for an unknown user they do not.
    let facts = Facts::for_principal("user:alice");
    assert_eq!(
        equivalent(&[alice.clone()], &[own_sessions()], &facts),
        Ok(true)
    );
    let c = compare(&[alice], &[own_sessions()], &Facts::default()).unwrap();
    assert!(!c.gained.is_empty() && !c.lost.is_empty());
}

#[test]
fn userid_in_a_condition_value() {
    let tagged = |v: &str| {
        policy(
            "ssm:TerminateSession",
            "arn:aws:ssm:*:*:session/*",
            json!({"StringLike": {"ssm:resourceTag/aws:ssmmessages:session-id": [v]}}),
        )
    };
    let own = tagged("${aws:userid}");
    assert_eq!(new_access(&[own.clone()], &[own.clone()]), Ok(vec![]));
    assert_eq!(new_access(&[tagged("*")], &[own.clone()]), Ok(vec![]));
    let g = new_access(&[own], &[tagged("*")]).unwrap();
    let w = &g[0];
    assert!(
        w.context
            .contains_key("ssm:resourceTag/aws:ssmmessages:session-id")
    );
}

#[test]
fn actions_ignore_case_in_decisions() {
    let a = policy("SSM:STARTSESSION", "*", json!(null));
    let b = policy("ssm:StartSession", "*", json!(null));
    assert_eq!(equivalent(&[a], &[b.clone()], &Facts::default()), Ok(true));
    let star = policy("ssm:Start*", "*", json!(null));
    assert_eq!(new_access(&[star.clone()], &[b.clone()]), Ok(vec![]));
    let g = new_access(&[b], &[star]).unwrap();
    assert!(g[0].action.to_lowercase().starts_with("ssm:start"));
    assert_ne!(g[0].action.to_lowercase(), "ssm:startsession");
}

#[test]
fn document_check_absent_versus_false() {
    let strict = policy(
        "ssm:StartSession",
        "*",
        json!({"Bool": {"ssm:SessionDocumentAccessCheck": "true"}}),
    );
    let lax = policy(
        "ssm:StartSession",
        "*",
        json!({"BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"}}),
    );
    assert_eq!(new_access(&[lax.clone()], &[strict.clone()]), Ok(vec![]));
    let g = new_access(&[strict], &[lax]).unwrap();
    assert!(!g[0].context.contains_key("ssm:SessionDocumentAccessCheck"));
}

#[test]
fn outside_the_subset_is_undecidable() {
    let base =
        |st: serde_json::Value| Policy::parse(&json!({"Version": "2012-10-17", "Statement": [st]}));
    let cases = [
        json!({"Effect": "Deny", "Action": "*", "Resource": "*"}),
        json!({"Effect": "Allow", "NotAction": "ssm:*", "Resource": "*"}),
        json!({"Effect": "Allow", "Action": "*", "NotResource": "*"}),
        json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}),
        json!({"Effect": "Allow", "Action": "*", "Resource": "*",
               "Condition": {"StringNotLike": {"k": "v"}}}),
        json!({"Effect": "Allow", "Action": "*", "Resource": "*",
               "Condition": {"StringLikeIfExists": {"k": "v"}}}),
        json!({"Effect": "Allow", "Action": "*", "Resource": "*",
               "Condition": {"ForAnyValue:StringLike": {"k": "v"}}}),
        json!({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::${aws:PrincipalTag/x}"}),
        json!({"Effect": "Allow", "Action": "*", "Resource": "*",
               "Condition": {"Bool": {"k": "maybe"}}}),
        json!({"Effect": "Allow", "Action": "*"}),
    ];
    for case in cases {
        assert!(base(case.clone()).is_err(), "{case}");
    }
}

#[test]
fn a_variable_the_model_cannot_settle_is_undecidable_not_guessed() {
    // `x${aws:username}` is inside `x` + `x?` + `x??*` for every user name, which the
    // symbolic world cannot show and no example value contradicts: say so.
    let r = |p: &str| {
        policy(
            "ssm:TerminateSession",
            &format!("arn:aws:ssm:*:*:session/{p}"),
            json!(null),
        )
    };
    let before = [r("x"), r("x?"), r("x??*")];
    let after = [r("x${aws:username}")];
    let verdict = new_access(&before, &after);
    assert!(
        verdict
            .as_ref()
            .is_err_and(|e| e.reason.contains("policy variable")),
        "{verdict:?}"
    );
    // For a user the variable is fixed and the answer exact.
    let alice = Facts::for_principal("user:alice");
    assert_eq!(new_access_with(&before, &after, &alice), Ok(vec![]));
}

#[test]
fn roles_have_no_user_name() {
    let role = Facts::for_principal("role:ops");
    assert_eq!(new_access_with(&[], &[own_sessions()], &role), Ok(vec![]));
    let group = Facts::for_principal("group:ops");
    assert!(
        !new_access_with(&[], &[own_sessions()], &group)
            .unwrap()
            .is_empty()
    );
}
