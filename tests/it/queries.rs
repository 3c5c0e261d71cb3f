//! `who-can` and `can` against a brute-force evaluation of the compiled policies, written here
//! from the IAM rules over plain JSON (not through `ssm_compile::access`): on generated valid
//! configurations, for requests made from what the policies name, the principals answered
//! "yes" are exactly those whose policies allow the request; with the tags left unknown, "yes"
//! and "no" must agree with the request's own tags.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::Value;
use ssm_compile::access::{Answer, Request};
use ssm_compile::query::{self, Ask, Index};
use ssm_compile::{Format, compile_with};

use crate::support::{self, brute};

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => vec![],
    }
}

/// Concrete strings from a pattern: wildcards filled in, `${$}` unescaped.
fn concrete(p: &str, user: &str) -> String {
    p.replace("${aws:username}", user)
        .replace("${aws:userid}", "AIDAEXAMPLE")
        .replace("${$}", "$")
        .replace('*', "z")
        .replace('?', "q")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn who_can_and_can_agree_with_brute_force(spec in support::spec(5, false)) {
        let text = spec.render();
        let compiled = compile_with(&text, Some(&[Format::Json])).expect("generated files are valid");
        let index = Index::new(&compiled);
        let policies: Vec<(Vec<String>, Value)> = index
            .entries
            .iter()
            .map(|e| (e.who.clone(), serde_json::from_slice(&e.json.to_vec()).unwrap()))
            .collect();
        let principals: Vec<&str> = index.principals();
        let user = principals.iter().find_map(|p| p.strip_prefix("user:")).unwrap_or("nobody");
        // Requests from every action and resource the policies name, with tag contexts.
        let mut requests: BTreeSet<Request> = BTreeSet::new();
        for (_, doc) in &policies {
            for st in doc["Statement"].as_array().unwrap() {
                let mut contexts = vec![BTreeMap::new()];
                if let Some(like) = st["Condition"]["StringLike"].as_object() {
                    let mut all = BTreeMap::new();
                    for (k, v) in like {
                        all.insert(k.clone(), concrete(&strings(v)[0], user));
                    }
                    let mut wrong = all.clone();
                    if let Some(first) = wrong.values_mut().next() {
                        *first = "other".to_string();
                    }
                    contexts.push(all);
                    contexts.push(wrong);
                }
                for a in strings(&st["Action"]).iter().take(2) {
                    for res in strings(&st["Resource"]).iter().take(3) {
                        for c in &contexts {
                            let mut r = Request::new(a, &concrete(res, user));
                            r.context = c.clone();
                            requests.insert(r.clone());
                            r.context.insert("ssm:SessionDocumentAccessCheck".into(), "false".into());
                            requests.insert(r);
                        }
                    }
                }
            }
        }
        for r in requests.iter().take(60) {
            let brute: BTreeSet<&str> = principals
                .iter()
                .copied()
                .filter(|p| {
                    let mut ctx = r.context.clone();
                    if let Some(name) = p.strip_prefix("user:") {
                        ctx.insert("aws:username".into(), name.to_string());
                    }
                    let docs: Vec<Value> = policies
                        .iter()
                        .filter(|(who, _)| who.iter().any(|w| w == p))
                        .map(|(_, doc)| doc.clone())
                        .collect();
                    brute::allowed(&docs, &r.action, &r.resource, &ctx)
                })
                .collect();
            let ask = Ask { request: r.clone(), tags_unknown: false, what: "request".into() };
            let found = query::who_can(&index, std::slice::from_ref(&ask)).unwrap();
            let yes: BTreeSet<&str> = found
                .iter()
                .inspect(|f| assert_eq!(f.answer, Answer::Yes, "{r:?}: every key is known"))
                .map(|f| f.principal.as_str())
                .collect();
            prop_assert_eq!(&yes, &brute, "who-can {:?}", r);
            for p in &principals {
                let f = query::can(&index, p, std::slice::from_ref(&ask)).unwrap();
                prop_assert_eq!(f.answer == Answer::Yes, brute.contains(p), "can {} {:?}", p, r);
                prop_assert_eq!(f.grants.is_empty(), !brute.contains(p));
            }
            // Tags unknown: the request's own tags are one of the possibilities.
            let mut open = r.clone();
            open.context.retain(|k, _| !query::is_tag_key(k));
            let unknown = Ask { request: open, tags_unknown: true, what: "request".into() };
            for f in query::who_can(&index, std::slice::from_ref(&unknown)).unwrap() {
                if f.answer == Answer::Yes {
                    prop_assert!(brute.contains(f.principal.as_str()), "yes without tags {:?}", r);
                }
            }
            for p in &brute {
                let f = query::can(&index, p, std::slice::from_ref(&unknown)).unwrap();
                prop_assert!(f.answer != Answer::No, "no without tags, yet {} is allowed {:?}", p, r);
            }
        }
    }
}
