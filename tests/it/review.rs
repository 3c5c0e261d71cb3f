//! The review's verdict against a brute-force evaluator (issue 10): random pairs of
//! configurations, compiled by the real compiler; the first is built into a directory, the
//! second compared with it by `Report::new`, exactly as `diff` does. For every principal and
//! every sampled request (consistent with what the principal fixes: a user's `aws:username`),
//! no request the brute force finds newly allowed may contradict a verdict of "no new access",
//! and every witness must be confirmed: allowed after and denied before.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use proptest::prelude::*;
use serde_json::Value;
use ssm_compile::review::{Inputs, Report, RequestView};
use ssm_compile::{Compiled, compile, outdir};

use crate::support::brute::{Context, allowed};

const PRINCIPALS: [&str; 4] = ["user:alice", "user:bob", "group:ops", "role:Dev"];
const INSTANCES: [&str; 3] = [
    "i-0123456789abcdef0",
    "i-0123456789abcdef1",
    "i-0123456789abcdef2",
];
const TEAMS: [&str; 5] = ["web", "web*", "web-prod", "w?b", "db"];
const CONSOLES: [&str; 3] = ["session-manager", "cli", "ec2"];

#[derive(Clone, Debug)]
enum Target {
    Instances(BTreeSet<usize>),
    Tags(BTreeSet<usize>),
    All,
}

#[derive(Clone, Debug)]
struct G {
    admin: bool,
    who: BTreeSet<usize>,
    consoles: BTreeSet<usize>,
    target: Target,
    resume: bool,
    session_tag: bool,
}

fn set(n: usize) -> impl Strategy<Value = BTreeSet<usize>> {
    proptest::collection::btree_set(0..n, 1..=n)
}

fn grant() -> impl Strategy<Value = G> {
    let target = prop_oneof![
        set(INSTANCES.len()).prop_map(Target::Instances),
        set(TEAMS.len()).prop_map(Target::Tags),
        Just(Target::All),
    ];
    (
        any::<bool>(),
        set(PRINCIPALS.len()),
        set(CONSOLES.len()),
        target,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(admin, who, consoles, target, resume, session_tag)| G {
            admin,
            who,
            consoles,
            target,
            resume,
            session_tag,
        })
}

/// Up to four grants named from a pool of five, so two configurations share some names.
fn config() -> impl Strategy<Value = BTreeMap<usize, G>> {
    proptest::collection::btree_map(0..5usize, grant(), 1..=4)
}

fn text(grants: &BTreeMap<usize, G>) -> String {
    let quoted = |v: Vec<&str>| {
        v.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut t = "account = \"111122223333\"\nregion = \"us-east-2\"\n".to_owned();
    for (name, g) in grants {
        t.push_str(&format!("\n[grant.g{name}]\n"));
        t.push_str(&format!(
            "role = \"{}\"\n",
            if g.admin { "admin" } else { "end-user" }
        ));
        t.push_str(&format!(
            "who = [{}]\n",
            quoted(g.who.iter().map(|i| PRINCIPALS[*i]).collect())
        ));
        t.push_str(&format!(
            "consoles = [{}]\n",
            quoted(g.consoles.iter().map(|i| CONSOLES[*i]).collect())
        ));
        match &g.target {
            Target::Instances(ids) => t.push_str(&format!(
                "instances = [{}]\n",
                quoted(ids.iter().map(|i| INSTANCES[*i]).collect())
            )),
            Target::Tags(teams) => t.push_str(&format!(
                "tags = {{ Team = [{}] }}\n",
                quoted(teams.iter().map(|i| TEAMS[*i]).collect())
            )),
            Target::All => t.push_str("instances = [\"*\"]\n"),
        }
        if g.resume {
            t.push_str("resume_session = true\n");
        }
        if g.session_tag {
            t.push_str("own_sessions = \"session-tag\"\n");
        }
    }
    t
}

/// Each principal's policy documents: the grants naming it, read from `docs` (grant name to
/// its policy JSON).
fn of(compiled: &Compiled, docs: &BTreeMap<String, Value>, principal: &str) -> Vec<Value> {
    compiled
        .grants
        .iter()
        .filter(|g| g.who.iter().any(|p| p.to_string() == principal))
        .map(|g| docs[&g.name].clone())
        .collect()
}

/// Requests to try: every action the documents name, resources of every kind the compiler
/// emits, contexts over the tag values, the document check and the user id, with the
/// principal's own `aws:username` (or none, or a few for a group).
fn samples(principal: &str, docs: &[Value]) -> Vec<(String, String, Context)> {
    let mut actions: BTreeSet<String> = BTreeSet::from(["ssm:SendCommand".to_owned()]);
    for d in docs {
        for st in d["Statement"].as_array().unwrap() {
            match &st["Action"] {
                Value::String(a) => drop(actions.insert(a.clone())),
                Value::Array(a) => actions.extend(a.iter().map(|x| x.as_str().unwrap().to_owned())),
                _ => {}
            }
        }
    }
    let mut resources: Vec<String> = INSTANCES
        .iter()
        .chain(&["i-0fffffffffffffff0"])
        .map(|i| format!("arn:aws:ec2:us-east-2:111122223333:instance/{i}"))
        .collect();
    resources
        .push("arn:aws:ssm:us-east-2:111122223333:document/SSM-SessionManagerRunShell".to_owned());
    resources.push("*".to_owned());
    let usernames: Vec<Option<&str>> = match principal.split_once(':') {
        Some(("user", name)) => vec![Some(name)],
        Some(("role", _)) => vec![None],
        _ => vec![None, Some("alice"), Some("carol")],
    };
    for u in ["alice", "bob", "carol"] {
        resources.push(format!(
            "arn:aws:ssm:us-east-2:111122223333:session/{u}-0123456789abcdef0"
        ));
    }
    let teams: Vec<Option<&str>> =
        vec![None, Some("web"), Some("web-prod"), Some("wxb"), Some("db")];
    let mut out = Vec::new();
    for a in &actions {
        for r in &resources {
            for u in &usernames {
                for team in &teams {
                    for check in [None, Some("true"), Some("false")] {
                        for session in [None, Some("AIDA1")] {
                            let mut ctx = Context::new();
                            let mut put = |k: &str, v: Option<&str>| {
                                if let Some(v) = v {
                                    ctx.insert(k.to_owned(), v.to_owned());
                                }
                            };
                            put("aws:username", *u);
                            put("ssm:resourceTag/Team", *team);
                            put("ssm:SessionDocumentAccessCheck", check);
                            put("aws:userid", session);
                            put("ssm:resourceTag/aws:ssmmessages:session-id", session);
                            out.push((a.clone(), r.clone(), ctx));
                        }
                    }
                }
            }
        }
    }
    out
}

fn confirm(w: &RequestView, yes: &[Value], no: &[Value], what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        allowed(yes, &w.action, &w.resource, &w.context),
        "{what} witness {w:?} is not allowed where it should be"
    );
    prop_assert!(
        !allowed(no, &w.action, &w.resource, &w.context),
        "{what} witness {w:?} is allowed on the other side too"
    );
    Ok(())
}

/// The policy JSON of every grant in a compiled plan.
fn planned(compiled: &Compiled) -> BTreeMap<String, Value> {
    compiled
        .grants
        .iter()
        .map(|g| {
            let bytes = compiled.plan.bytes(&format!("{}.json", g.name)).unwrap();
            (g.name.clone(), serde_json::from_slice(&bytes).unwrap())
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_verdict_agrees_with_brute_force(a in config(), b in config()) {
        let (Ok(before), Ok(after)) = (compile(&text(&a)), compile(&text(&b))) else {
            return Err(TestCaseError::reject("a generated configuration is refused"));
        };
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
        let report = Report::new(&inputs, &|n| n.to_owned(), true, false);
        // Before is what the directory holds, read back as plain JSON.
        let old: BTreeMap<String, Value> = before
            .grants
            .iter()
            .map(|g| {
                let bytes = fs::read(dir.path().join(format!("{}.json", g.name))).unwrap();
                (g.name.clone(), serde_json::from_slice(&bytes).unwrap())
            })
            .collect();
        let new = planned(&after);
        let mut widens = false;
        for principal in PRINCIPALS {
            let (b, a) = (of(&before, &old, principal), of(&after, &new, principal));
            let verdict = (report.principals.iter())
                .map(Result::unwrap)
                .find(|p| p.principal == principal);
            if let Some(v) = verdict {
                prop_assert!(v.undecidable.is_none(), "emitted policies are decidable: {v:?}");
                for w in &v.gained {
                    confirm(w, &a, &b, "gained")?;
                }
                for w in &v.lost {
                    confirm(w, &b, &a, "lost")?;
                }
                widens |= v.widens;
                if v.widens {
                    continue;
                }
            }
            for (action, resource, ctx) in samples(principal, &a) {
                prop_assert!(
                    !allowed(&a, &action, &resource, &ctx) || allowed(&b, &action, &resource, &ctx),
                    "{principal} gains {action} on {resource} with {ctx:?}, but the verdict says no new access"
                );
            }
        }
        prop_assert_eq!(report.widens, widens);
    }
}
