//! Property tests: random small policy pairs, decided by the model and checked against the
//! brute-force evaluator over sampled requests.

use super::super::{
    Answer, Facts, Policy, Query, Test, Unknown, equivalent, evaluate_partial, new_access_with,
    overlap,
};
use super::brute::allowed;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const ACTIONS: &[&str] = &[
    "ssm:StartSession",
    "ssm:Start*",
    "SSM:STARTSESSION",
    "ssm:SendCommand",
    "ssm:?endCommand",
    "ssm:TerminateSession",
    "ssm:*Session",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:ec2:*:*:instance/*",
    "arn:aws:ec2:us-east-?:*:instance/i-1*",
    "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
    "arn:aws:ec2:*:*:instance/web*",
    "arn:aws:*:*:111122223333:*",
    "arn:aws:ssm:*:*:session/*",
    "arn:aws:ssm:*:*:session/${aws:username}-*",
    "arn:aws:ssm:*:*:session/alice-*",
];
const GLOBS: &[&str] = &[
    "web*", "web-*", "web", "w?b", "*", "", "web-prod", "${$}x", "a${*}", "?*",
];

fn pick(from: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(prop::sample::select(from), 1..3)
}

fn condition() -> impl Strategy<Value = Value> {
    let check = prop::option::of((any::<bool>(), any::<bool>()));
    let team = prop::option::of(pick(GLOBS));
    let env = prop::option::of(pick(&["prod", "pro?", "staging", "web*"]));
    let own = any::<bool>();
    (check, team, env, own).prop_map(|(check, team, env, own)| {
        let mut c = serde_json::Map::new();
        if let Some((if_exists, value)) = check {
            let op = if if_exists { "BoolIfExists" } else { "Bool" };
            c.insert(
                op.into(),
                json!({"ssm:SessionDocumentAccessCheck": value.to_string()}),
            );
        }
        let mut like = serde_json::Map::new();
        if let Some(team) = team {
            like.insert("ssm:resourceTag/Team".into(), json!(team));
        }
        if own {
            like.insert(
                "ssm:resourceTag/aws:ssmmessages:session-id".into(),
                json!(["${aws:userid}"]),
            );
        }
        if !like.is_empty() {
            c.insert("StringLike".into(), Value::Object(like));
        }
        if let Some(env) = env {
            c.insert("StringEquals".into(), json!({"ssm:ResourceTag/Env": env}));
        }
        Value::Object(c)
    })
}

fn statement() -> impl Strategy<Value = Value> {
    (
        pick(ACTIONS),
        pick(RESOURCES),
        prop::option::of(condition()),
    )
        .prop_map(|(a, r, c)| {
            let mut st = json!({"Effect": "Allow", "Action": a, "Resource": r});
            if let Some(c) = c.filter(|c| c.as_object().is_some_and(|o| !o.is_empty())) {
                st["Condition"] = c;
            }
            st
        })
}

fn documents() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(statement(), 1..4)
        .prop_map(|sts| vec![json!({"Version": "2012-10-17", "Statement": sts})])
}

/// `after` is `before` with one or two edits: near misses are where a wrong verdict hides.
fn pair() -> impl Strategy<Value = (Vec<Value>, Vec<Value>)> {
    let edit = (0..6usize, any::<prop::sample::Index>(), statement());
    (documents(), prop::collection::vec(edit, 1..3)).prop_map(|(before, edits)| {
        let mut sts = before[0]["Statement"].as_array().unwrap().clone();
        for (kind, at, new) in edits {
            let i = at.index(sts.len());
            match kind {
                0 => match new.get("Condition") {
                    Some(c) => sts[i]["Condition"] = c.clone(),
                    None => drop(sts[i].as_object_mut().unwrap().remove("Condition")),
                },
                1 => sts[i]["Resource"] = new["Resource"].clone(),
                2 => sts[i]["Action"] = new["Action"].clone(),
                3 => sts.push(new),
                4 if sts.len() > 1 => drop(sts.remove(i)),
                _ => sts[i] = new,
            }
        }
        let after = vec![json!({"Version": "2012-10-17", "Statement": sts})];
        (before, after)
    })
}

fn parse(docs: &[Value]) -> Vec<Policy> {
    docs.iter()
        .map(|d| Policy::parse(d).expect("generated in the subset"))
        .collect()
}

type Sample = (String, String, BTreeMap<String, String>);

fn request() -> impl Strategy<Value = Sample> {
    let action = prop::sample::select(
        &[
            "ssm:StartSession",
            "ssm:startsession",
            "ssm:SendCommand",
            "ssm:TerminateSession",
            "ssm:StartX",
            "ssm:ResumeSession",
        ][..],
    );
    let arn = prop::sample::select(
        &[
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
            "arn:aws:ec2:us-east-2:444455556666:instance/i-12",
            "arn:aws:ec2:eu-west-1:111122223333:instance/web-1",
            "arn:aws:ssm:us-east-1:111122223333:session/alice-1",
            "arn:aws:ssm:us-east-1:111122223333:session/bob-1",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1:x",
        ][..],
    );
    let opt = |values: &'static [&'static str]| prop::option::of(prop::sample::select(values));
    let keys = (
        opt(&["", "web", "web-prod", "wxb", "$x", "a*", "api"]),
        opt(&["prod", "pro1", "staging", "web-1"]),
        opt(&["true", "FALSE", "True"]),
        opt(&["alice", "bob"]),
        opt(&["AIDA1", "AIDA2"]),
        opt(&["AIDA1", "AIDA2"]),
    );
    (action, arn, keys).prop_map(|(action, arn, (team, env, check, user, id, sid))| {
        let mut ctx = BTreeMap::new();
        let mut set = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                ctx.insert(k.to_string(), v.to_string());
            }
        };
        set("ssm:resourceTag/Team", team);
        set("ssm:resourcetag/env", env);
        set("ssm:SessionDocumentAccessCheck", check);
        set("aws:username", user);
        set("aws:userid", id);
        set("ssm:resourceTag/aws:ssmmessages:session-id", sid);
        (action.to_string(), arn.to_string(), ctx)
    })
}

fn check_pair(before: &[Value], after: &[Value], facts: &Facts, samples: &[Sample]) {
    let verdict = new_access_with(&parse(before), &parse(after), facts);
    let witnesses = verdict.unwrap_or_else(|e| panic!("{e}\n{after:#?}"));
    for w in &witnesses {
        assert!(
            allowed(after, &w.action, &w.resource, &w.context)
                && !allowed(before, &w.action, &w.resource, &w.context),
            "witness not confirmed: {w:?}"
        );
        assert!(
            !w.resource.contains('*') && !w.action.contains('*'),
            "{w:?}"
        );
    }
    if witnesses.is_empty() {
        for (action, arn, ctx) in samples {
            let ctx = match &facts.username {
                super::super::Knowledge::Value(v) => {
                    let mut ctx = ctx.clone();
                    ctx.insert("aws:username".into(), v.clone());
                    ctx
                }
                _ => ctx.clone(),
            };
            assert!(
                !allowed(after, action, arn, &ctx) || allowed(before, action, arn, &ctx),
                "said contained, but {action} {arn} {ctx:?} is new"
            );
        }
    }
}

/// `overlap`'s request is allowed by both; with none, no sampled request is. (`aws:userid`
/// stays open for a user: "cannot decide" for that reason is an honest answer.)
fn check_overlap(a: &[Value], b: &[Value], samples: &[Sample]) {
    let facts = Facts::for_principal("user:alice");
    let found = match overlap(&parse(a), &parse(b), &facts) {
        Ok(found) => found,
        Err(e) if e.reason.contains("policy variable") => return,
        Err(e) => panic!("{e}"),
    };
    match found {
        Some(w) => assert!(
            allowed(a, &w.action, &w.resource, &w.context)
                && allowed(b, &w.action, &w.resource, &w.context),
            "overlap not confirmed: {w:?}"
        ),
        None => {
            for (action, arn, ctx) in samples {
                let mut ctx = ctx.clone();
                ctx.insert("aws:username".into(), "alice".into());
                assert!(
                    !(allowed(a, action, arn, &ctx) && allowed(b, action, arn, &ctx)),
                    "said disjoint, but {action} {arn} {ctx:?} is in both"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn verdicts_agree_with_brute_force(
        (before, after) in pair(),
        samples in prop::collection::vec(request(), 300),
    ) {
        check_pair(&before, &after, &Facts::default(), &samples);
        check_pair(&after, &before, &Facts::default(), &samples);
        check_pair(&before, &after, &Facts::for_principal("user:alice"), &samples);
        check_overlap(&before, &after, &samples);
    }

    #[test]
    fn a_set_equals_itself_shuffled_and_split(
        docs in documents(),
        seed in any::<u64>(),
    ) {
        let sts = docs[0]["Statement"].as_array().unwrap().clone();
        let mut shuffled = sts.clone();
        let n = shuffled.len();
        for i in 0..n {
            shuffled.swap(i, (seed as usize).wrapping_add(i * 7) % n);
        }
        let split: Vec<Value> = shuffled
            .iter()
            .map(|s| json!({"Version": "2012-10-17", "Statement": [s]}))
            .collect();
        let (a, b) = (parse(&docs), parse(&split));
        prop_assert_eq!(equivalent(&a, &b, &Facts::default()), Ok(true));
        let doubled: Vec<Policy> = a.iter().chain(&b).cloned().collect();
        prop_assert_eq!(equivalent(&a, &doubled, &Facts::for_principal("group:ops")), Ok(true));
    }
}

const TEAMS: &[Option<&str>] = &[
    None,
    Some(""),
    Some("web"),
    Some("web-prod"),
    Some("$x"),
    Some("api"),
];
const ENVS: &[Option<&str>] = &[None, Some("prod"), Some("pro1"), Some("staging")];

/// The residual condition of a three-valued answer, evaluated by the brute-force matcher.
fn residual_holds(answer: &Answer, ctx: &BTreeMap<String, String>) -> bool {
    match answer {
        Answer::Yes => true,
        Answer::No => false,
        Answer::OnlyIf(any) => any.iter().any(|all| {
            all.iter().all(|c| {
                let op = match c.test {
                    Test::Equals => "StringEquals",
                    Test::Matches => "StringLike",
                    Test::Is => "Bool",
                    Test::IsOrAbsent => "BoolIfExists",
                    Test::MakesResourceMatch => panic!("the user name is known here"),
                };
                super::brute::condition(op, &c.key, &c.values, ctx)
            })
        }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// With the tags unknown, the answer (and its residual condition) agrees with brute force
    /// for every tag combination tried.
    #[test]
    fn three_valued_answers_agree_with_brute_force(
        docs in documents(),
        samples in prop::collection::vec(request(), 8),
    ) {
        let policies = parse(&docs);
        for (action, arn, ctx) in samples {
            let mut known = ctx.clone();
            known.retain(|k, _| !k.to_lowercase().starts_with("ssm:resourcetag/team")
                && !k.to_lowercase().starts_with("ssm:resourcetag/env"));
            let query = Query {
                action: action.clone(),
                resource: arn.clone(),
                context: known.clone(),
                unknown: Unknown::Keys(vec!["ssm:resourceTag/Team".into(), "ssm:ResourceTag/Env".into()]),
            };
            let verdict = evaluate_partial(&policies, &query, &Facts::default());
            for team in TEAMS {
                for env in ENVS {
                    let mut full = known.clone();
                    if let Some(t) = team { full.insert("ssm:resourceTag/Team".into(), t.to_string()); }
                    if let Some(e) = env { full.insert("ssm:resourceTag/Env".into(), e.to_string()); }
                    let brute = allowed(&docs, &action, &arn, &full);
                    prop_assert_eq!(brute, residual_holds(&verdict.answer, &full),
                        "{:?} at {:?}", verdict.answer, full);
                }
            }
        }
    }
}
