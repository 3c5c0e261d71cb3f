//! Per-principal comparison and three-valued evaluation.

use super::super::{
    Answer, Condition, Facts, Grant, Policy, Query, Test, Undecidable, Unknown, compare_principals,
    evaluate_partial,
};
use super::policy;
use serde_json::json;
use std::collections::BTreeMap;

fn team(pattern: &str) -> Policy {
    let cond = json!({
        "BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"},
        "StringLike": {"ssm:resourceTag/Team": [pattern]}
    });
    policy("ssm:StartSession", "arn:aws:ec2:*:*:instance/*", cond)
}

fn document() -> Policy {
    policy(
        "ssm:StartSession",
        "arn:aws:ssm:us-east-2:111122223333:document/SSM-SessionManagerRunShell",
        json!(null),
    )
}

fn grant(name: &str, who: &[&str], policies: Vec<Policy>) -> Grant {
    Grant {
        name: name.to_string(),
        principals: who.iter().map(|s| s.to_string()).collect(),
        policies: policies.into_iter().map(Ok).collect(),
    }
}

#[test]
fn rename_merge_and_split_keep_access() {
    let before = [
        grant("web", &["group:web"], vec![team("web*")]),
        grant("docs", &["group:web"], vec![document()]),
    ];
    let renamed = [
        grant("web-team", &["group:web"], vec![team("web*")]),
        grant("docs", &["group:web"], vec![document()]),
    ];
    let merged = [grant("all", &["group:web"], vec![team("web*"), document()])];
    for after in [&renamed[..], &merged[..]] {
        let deltas = compare_principals(&before, after);
        assert_eq!(deltas.len(), 1);
        assert!(!deltas[0].changed(), "{deltas:?}");
    }
    let split = compare_principals(&merged, &before);
    assert!(!split[0].changed());
}

#[test]
fn a_person_added_to_who_widens_for_that_person() {
    let before = [grant("web", &["group:web"], vec![team("web*"), document()])];
    let after = [grant(
        "web",
        &["group:web", "user:mallory"],
        vec![team("web*"), document()],
    )];
    let deltas = compare_principals(&before, &after);
    let names: Vec<&str> = deltas.iter().map(|d| d.principal.as_str()).collect();
    assert_eq!(names, ["group:web", "user:mallory"]);
    assert!(!deltas[0].changed());
    let m = &deltas[1];
    assert!(m.widens() && m.lost.is_empty());
    assert_eq!(m.grants_after, ["web"]);
    let w = &m.gained[0];
    assert_eq!(w.action, "ssm:StartSession");
    let instance = "arn:aws:ec2:us-east-2:111122223333:instance/i-0123456789abcdef0";
    let gained: Vec<&str> = m.gained.iter().map(|w| w.resource.as_str()).collect();
    assert!(gained.contains(&instance), "{gained:?}");
}

#[test]
fn narrowing_is_a_loss_not_a_gain() {
    let before = [grant("web", &["group:web"], vec![team("web*")])];
    let after = [grant("web", &["group:web"], vec![team("web-prod")])];
    let d = &compare_principals(&before, &after)[0];
    assert!(!d.widens() && !d.lost.is_empty());
    assert_eq!(d.lost[0].context["ssm:resourceTag/Team"], "web");
}

#[test]
fn an_undecidable_file_counts_as_widening() {
    let before = [grant("web", &["group:web"], vec![team("web*")])];
    let mut after = before.clone();
    after[0].policies.push(Err(Undecidable {
        reason: "Effect `Deny`: only Allow is modelled".into(),
    }));
    let d = &compare_principals(&before, &after)[0];
    assert!(d.widens());
    assert!(d.undecidable.as_deref().unwrap().contains("Deny"));
}

fn query(context: &[(&str, &str)], unknown: Unknown) -> Query {
    Query {
        action: "ssm:StartSession".into(),
        resource: "arn:aws:ec2:us-east-2:111122223333:instance/i-0123456789abcdef0".into(),
        context: context
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        unknown,
    }
}

fn tags() -> Unknown {
    Unknown::Keys(vec![
        "ssm:resourceTag/Team".into(),
        "ssm:resourceTag/Env".into(),
    ])
}

#[test]
fn unknown_tags_answer_only_if() {
    let v = evaluate_partial(&[team("web*")], &query(&[], tags()), &Facts::default());
    let want = Condition {
        key: "ssm:resourceTag/Team".into(),
        test: Test::Matches,
        values: vec!["web*".into()],
    };
    assert_eq!(want.to_string(), "ssm:resourceTag/Team matches web*");
    assert_eq!(v.answer, Answer::OnlyIf(vec![vec![want]]));
    assert_eq!(v.statements, [(0, 0)]);
    let known = query(&[("ssm:resourceTag/Team", "web-1")], tags());
    assert_eq!(
        evaluate_partial(&[team("web*")], &known, &Facts::default()).answer,
        Answer::Yes
    );
    let other = query(&[("ssm:resourceTag/Team", "api")], tags());
    assert_eq!(
        evaluate_partial(&[team("web*")], &other, &Facts::default()).answer,
        Answer::No
    );
}

#[test]
fn residuals_are_decided_exactly() {
    // Absent or any value: together the two statements cover every instance.
    let open = policy(
        "ssm:StartSession",
        "*",
        json!({"StringLike": {"ssm:resourceTag/Team": "*"}}),
    );
    let q = query(&[], tags());
    let f = Facts::default();
    assert!(matches!(
        evaluate_partial(&[open.clone()], &q, &f).answer,
        Answer::OnlyIf(_)
    ));
    let check = json!({"BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"}});
    let no_tag = policy("ssm:StartSession", "*", check);
    let q2 = query(&[], Unknown::Keys(vec!["ssm:resourceTag/Team".into()]));
    assert_eq!(
        evaluate_partial(&[open, no_tag], &q2, &f).answer,
        Answer::Yes
    );
    // A tag that must match `a*` and equal `b` at once: never.
    let never = policy(
        "ssm:StartSession",
        "*",
        json!({"StringLike": {"ssm:resourceTag/Team": "a*"},
               "StringEquals": {"ssm:resourceTag/Team": "b"}}),
    );
    assert_eq!(evaluate_partial(&[never], &q, &f).answer, Answer::No);
}

#[test]
fn an_unknown_username_is_a_residual() {
    let own = policy(
        "ssm:TerminateSession",
        "arn:aws:ssm:*:*:session/${aws:username}-*",
        json!(null),
    );
    let mut q = query(&[], Unknown::Rest);
    q.action = "ssm:TerminateSession".into();
    q.resource = "arn:aws:ssm:us-east-2:111122223333:session/alice-0123".into();
    let v = evaluate_partial(&[own.clone()], &q, &Facts::default());
    let Answer::OnlyIf(c) = v.answer else {
        panic!("{v:?}")
    };
    assert_eq!(c[0][0].test, Test::MakesResourceMatch);
    let alice = Facts::for_principal("user:alice");
    assert_eq!(
        evaluate_partial(&[own.clone()], &q, &alice).answer,
        Answer::Yes
    );
    let bob = Facts::for_principal("user:bob");
    assert_eq!(evaluate_partial(&[own], &q, &bob).answer, Answer::No);
}

fn forbid(key: &str, value: &str) -> Policy {
    policy(
        "ssm:StartSession",
        "arn:aws:ec2:*:*:instance/*",
        json!({"StringLike": {key: [value]}}),
    )
}

#[test]
fn guardrails_meet_exactly() {
    use super::super::overlap;
    let f = Facts::for_principal("group:web");
    // An instance may carry both tags: a grant on Team=web meets a forbid on Env=prod.
    let w = overlap(&[team("web")], &[forbid("ssm:resourceTag/Env", "prod")], &f)
        .unwrap()
        .expect("they meet");
    assert_eq!(w.context["ssm:resourceTag/Team"], "web");
    assert_eq!(w.context["ssm:resourceTag/Env"], "prod");
    let staging = forbid("ssm:resourceTag/Env", "staging");
    let prod = forbid("ssm:resourceTag/Env", "prod");
    let pro = forbid("ssm:resourceTag/Env", "pro?");
    assert_eq!(overlap(&[staging.clone()], &[prod.clone()], &f), Ok(None));
    assert!(overlap(&[pro], &[prod.clone()], &f).unwrap().is_some());
    // Different actions never meet, whatever their variables.
    let own = policy(
        "ssm:TerminateSession",
        "arn:aws:ssm:*:*:session/${aws:username}-*",
        json!(null),
    );
    assert_eq!(overlap(&[own], &[prod], &f), Ok(None));
}
