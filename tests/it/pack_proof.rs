//! Packing, proven over generated configurations (issue 12): per principal, the statements
//! the templates deploy are exactly its grants' statements, read back from the files as plain
//! JSON and compared by the access model.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::Value;
use ssm_compile::{access, compile_with};

use crate::pack::{DEPLOY, HEAD, file, grant};

/// (kind, name, account) to the statements the policy files give it.
type Access = BTreeMap<(String, String, String), BTreeSet<String>>;

fn from_files(compiled: &ssm_compile::Compiled) -> Access {
    let mut out = Access::new();
    for g in &compiled.grants {
        for k in 1..=g.parts {
            let f = if k == 1 {
                format!("{}.json", g.name)
            } else {
                format!("{}.part{k}.json", g.name)
            };
            for s in file(compiled, &f)["Statement"].as_array().unwrap() {
                for p in &g.who {
                    let who = (
                        p.kind.as_str().to_owned(),
                        p.name.to_lowercase(),
                        g.account.clone(),
                    );
                    out.entry(who).or_default().insert(s.to_string());
                }
            }
        }
    }
    out
}

fn from_templates(compiled: &ssm_compile::Compiled) -> Access {
    let mut out = Access::new();
    let accounts: BTreeSet<&String> = compiled.grants.iter().map(|g| &g.account).collect();
    for (name, _) in compiled
        .plan
        .files
        .iter()
        .filter(|(n, _)| n.ends_with(".cfn.json"))
    {
        let t = file(compiled, name);
        // One account keeps today's name; several name theirs.
        let account = match name.split('.').nth(1) {
            Some("cfn") => accounts.iter().next().unwrap().to_string(),
            Some(a) => a.to_owned(),
            None => unreachable!(),
        };
        for r in t["Resources"].as_object().unwrap().values() {
            let props = &r["Properties"];
            let mut who = Vec::new();
            for (key, kind) in [("Users", "user"), ("Groups", "group"), ("Roles", "role")] {
                for p in props[key].as_array().into_iter().flatten() {
                    who.push((kind, p.as_str().unwrap().to_lowercase()));
                }
            }
            if let Some(n) = props.get("Name") {
                who.push(("permission-set", n.as_str().unwrap().to_lowercase()));
            }
            let doc = props
                .get("PolicyDocument")
                .or(props.get("InlinePolicy"))
                .unwrap();
            for s in doc["Statement"].as_array().unwrap() {
                for (kind, name) in &who {
                    out.entry((kind.to_string(), name.clone(), account.clone()))
                        .or_default()
                        .insert(s.to_string());
                }
            }
        }
    }
    out
}

/// Each (principal, account)'s statements as one access-model grant of one policy, the
/// principal named with its account so accounts stay apart.
fn as_grants(access: &Access) -> Vec<access::Grant> {
    access
        .iter()
        .map(|((kind, name, account), statements)| {
            let statements: Vec<Value> = statements
                .iter()
                .map(|s| serde_json::from_str(s).unwrap())
                .collect();
            let doc = serde_json::json!({ "Version": "2012-10-17", "Statement": statements });
            access::Grant {
                name: format!("{kind}:{name}@{account}"),
                principals: vec![format!("{kind}:{name}@{account}")],
                policies: vec![access::Policy::parse(&doc)],
            }
        })
        .collect()
}

fn configuration() -> impl Strategy<Value = String> {
    let principals = prop::sample::subsequence(
        vec![
            "user:alice",
            "user:Bob",
            "group:ops",
            "role:Deploy",
            "permission-set:Support",
        ],
        1..=3,
    );
    let spec = (principals, 1usize..160, any::<bool>(), any::<bool>());
    proptest::collection::vec(spec, 1..12).prop_map(|grants| {
        let mut text = format!("{HEAD}max_managed_policies = 20\n");
        for (i, (who, n, other_account, tags)) in grants.into_iter().enumerate() {
            let who: Vec<String> = who.iter().map(|p| format!("\"{p}\"")).collect();
            let mut g = grant(&format!("g{i:02}"), &who.join(", "), i * 200, n);
            if tags {
                g = g.replace(
                    "instances = [",
                    "tags = { Team = \"web\" }\n# instances = [",
                );
            }
            if other_account {
                g = g.replace("role = ", "account = \"444455556666\"\nrole = ");
            }
            text.push_str(&g);
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Per principal and account, the templates deploy exactly the statements of its grants'
    /// policy files; an error is only a principal over its quota, named with its grants.
    #[test]
    fn deployed_statements_are_exactly_the_grants(text in configuration()) {
        match compile_with(&text, Some(&DEPLOY)) {
            Ok(compiled) => {
                let want = from_files(&compiled);
                let got = from_templates(&compiled);
                prop_assert_eq!(&want, &got);
                // And the access model finds each principal's access equal both ways.
                for delta in access::compare_principals(&as_grants(&want), &as_grants(&got)) {
                    prop_assert!(!delta.changed(), "{:?}", delta);
                }
            }
            Err(errors) => {
                for e in errors.iter().filter(|e| e.is_error()) {
                    prop_assert_eq!(e.kind.code(), "E0602", "{}", e.message);
                    prop_assert!(e.message.contains("do not fit"), "{}", e.message);
                }
            }
        }
    }
}
