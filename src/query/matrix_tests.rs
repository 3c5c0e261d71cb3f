//! The compact, streamed matrix against a straightforward one kept here: every grant collected
//! and sorted, a row of strings per principal, a parsed policy per principal for the reached
//! instances (the implementation before issue 16's rework).

use std::collections::{BTreeMap, BTreeSet};

use super::inputs::{Instance, Members};
use super::matrix_render::{self, Columns};
use super::{Index, Place, Row, matrix, reach, start_session};
use crate::access::{Policy, allows};
use crate::compile::config::{Format, Grant, OwnSessions, Role, Target, Variant};
use crate::compile::{Compiled, compile_with, parse, validate};

fn compiled(text: &str) -> Compiled {
    compile_with(text, Some(&[Format::Json])).expect("a valid configuration")
}

/// The rows as the first implementation built them.
fn reference(text: &str, members: Option<&Members>, instances: Option<&[Instance]>) -> Vec<Row> {
    let root = parse::parse(text).expect("parses");
    let (config, problems) = validate::validate(&root);
    let messages: Vec<String> = problems.iter().map(|d| d.message.to_string()).collect();
    let mut grants = config
        .unwrap_or_else(|| panic!("{messages:?}\n{text}"))
        .grants;
    grants.sort_by(|a, b| a.name.cmp(&b.name));
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for g in &grants {
        for p in &g.who {
            let row = rows.entry(p.to_string()).or_default();
            row.principal = p.to_string();
            add(row, g);
        }
    }
    for row in rows.values_mut() {
        if let (Some(members), Some(group)) = (members, row.principal.strip_prefix("group:")) {
            row.members = members
                .iter()
                .filter(|(_, groups)| groups.iter().any(|g| g == group))
                .map(|(user, _)| format!("user:{user}"))
                .collect();
        }
    }
    if let Some(instances) = instances {
        reference_reach(text, instances, &mut rows);
    }
    let mut out: Vec<Row> = rows.into_values().collect();
    for row in &mut out {
        for list in [
            &mut row.instances,
            &mut row.tags,
            &mut row.documents,
            &mut row.consoles,
            &mut row.own_sessions,
            &mut row.kms,
        ] {
            let set: BTreeSet<String> = list.drain(..).collect();
            list.extend(set);
        }
    }
    out
}

fn add(row: &mut Row, g: &Grant) {
    row.grants.push(g.name.clone());
    match &g.target {
        Target::Instances(ids) => row.instances.extend(ids.iter().cloned()),
        Target::AllInstances => row.instances.push("*".to_string()),
        Target::Tags(tags) => row.tags.push(
            tags.iter()
                .map(|(k, vs)| format!("{k}={}", vs.join("|")))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
    row.documents.extend(g.documents.iter().cloned());
    let consoles: &[&str] = match g.variant {
        Variant::SessionManagerCli => &["session-manager/cli"],
        Variant::Ec2 => &["ec2"],
        Variant::AllConsoles => &["session-manager/cli", "ec2"],
    };
    row.consoles.extend(consoles.iter().map(|c| c.to_string()));
    row.admin |= g.role == Role::Admin && g.variant.has_session_manager();
    let by = match g.own_sessions {
        OwnSessions::Username => "by user name",
        OwnSessions::SessionTag => "by session tag",
    };
    row.own_sessions.push(format!("terminate ({by})"));
    if g.resume_session {
        row.own_sessions.push(format!("resume ({by})"));
    }
    row.kms.extend(g.kms_key.iter().cloned());
}

fn reference_reach(text: &str, instances: &[Instance], rows: &mut BTreeMap<String, Row>) {
    let compiled = compiled(text);
    let index = Index::new(&compiled);
    let mut policies: BTreeMap<&str, Vec<Policy>> = BTreeMap::new();
    for e in &index.entries {
        let value = serde_json::from_slice::<serde_json::Value>(&e.json.to_vec()).unwrap();
        let Ok(policy) = Policy::parse(&value) else {
            continue;
        };
        for p in &e.who {
            policies.entry(p).or_default().push(policy.clone());
        }
    }
    for i in instances {
        let place =
            Place::resolve(text, i.account.as_deref(), i.region.as_deref()).unwrap_or(Place {
                account: i.account.clone().unwrap_or_else(|| "000000000000".into()),
                region: i.region.clone().unwrap_or_else(|| "us-east-1".into()),
            });
        let request = start_session(&place, &i.id, &i.tags, None)
            .remove(0)
            .request;
        for (principal, ps) in &policies {
            if allows(ps, &request) {
                rows.get_mut(*principal).unwrap().reached.push(i.id.clone());
            }
        }
    }
}

fn reference_markdown(rows: &[Row]) -> String {
    let mut out = "| principal | grants | instances | tag selectors | documents | consoles | admin | own sessions | KMS keys |\n".to_string();
    out.push_str(&format!("|{}\n", " --- |".repeat(9)));
    for r in rows {
        let admin = if r.admin {
            vec!["preferences".to_string()]
        } else {
            vec![]
        };
        let cells: Vec<String> = [
            &vec![r.principal.clone()],
            &r.grants,
            &r.instances,
            &r.tags,
            &r.documents,
            &r.consoles,
            &admin,
            &r.own_sessions,
            &r.kms,
        ]
        .iter()
        .map(|v| {
            if v.is_empty() {
                "-".to_string()
            } else {
                v.join("<br>")
            }
        })
        .map(|s| s.replace('|', "\\|"))
        .collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// A small deterministic generator (xorshift), so the configurations vary without a
/// dependency on proptest's shrinking.
struct Rand(u64);

impl Rand {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % n as u64).unwrap()
    }

    fn some<'a>(&mut self, pool: &[&'a str]) -> Vec<&'a str> {
        let mut out: Vec<&str> = pool
            .iter()
            .copied()
            .filter(|_| self.below(2) == 0)
            .collect();
        if out.is_empty() {
            out.push(pool[self.below(pool.len())]);
        }
        out
    }
}

const WHO: &[&str] = &[
    "user:alice",
    "user:bob",
    "group:ops",
    "group:dev",
    "role:Oncall",
];
const IDS: &[&str] = &[
    "i-0123456789abcdef0",
    "i-0fedcba9876543210",
    "mi-0123456789abcdef0",
];

/// One grant of a random configuration, as a `[grant.NAME]` section.
fn grant(r: &mut Rand, name: &str) -> String {
    let who = r.some(WHO);
    // `username` does not work for a role.
    let own = if who.iter().any(|w| w.starts_with("role:")) {
        ["auto", "session-tag"][r.below(2)]
    } else {
        ["auto", "username", "session-tag"][r.below(3)]
    };
    let who: Vec<String> = who.iter().map(|w| format!("{w:?}")).collect();
    let admin = r.below(3) == 0;
    let consoles = r.some(&["session-manager", "cli", "ec2"]);
    let mut out = format!(
        "[grant.{name}]\nrole = {:?}\nwho = [{}]\nconsoles = {consoles:?}\n",
        if admin { "admin" } else { "end-user" },
        who.join(", ")
    );
    match r.below(3) {
        0 => out.push_str(&format!("instances = {:?}\n", r.some(IDS))),
        1 => out.push_str("instances = [\"*\"]\n"),
        _ => {
            let team = ["web", "db"][r.below(2)];
            out.push_str(&format!(
                "tags = {{ Team = {team:?}, Env = [\"dev\", \"prod\"] }}\n"
            ));
        }
    }
    if !admin && consoles.iter().any(|c| *c != "ec2") && r.below(2) == 0 {
        let docs = r.some(&["SSM-SessionManagerRunShell", "AWS-StartSSHSession"]);
        out.push_str(&format!("documents = {docs:?}\n"));
    }
    if r.below(3) == 0 {
        out.push_str("kms_key = \"arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\"\n");
    }
    out.push_str(&format!(
        "own_sessions = {own:?}\nresume_session = {}\n\n",
        r.below(2) == 0
    ));
    out
}

/// A random valid configuration: grants written out of name order.
fn config(seed: u64) -> String {
    let mut r = Rand(seed * 2 + 1);
    let mut out = "account = \"111122223333\"\nregion = \"us-east-2\"\n\n".to_string();
    let count = 1 + r.below(8);
    for n in (0..count).rev() {
        let name = format!("{}-{n}", ["zeta", "alpha", "mid"][r.below(3)]);
        out.push_str(&grant(&mut r, &name));
    }
    out
}

fn inputs() -> (Members, Vec<Instance>) {
    let members = vec![
        ("carol".to_string(), vec!["ops".to_string()]),
        (
            "dave".to_string(),
            vec!["dev".to_string(), "ops".to_string()],
        ),
    ];
    let instance = |id: &str, tags: &[(&str, &str)], account: Option<&str>| Instance {
        id: id.to_string(),
        account: account.map(str::to_string),
        region: None,
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    let instances = vec![
        instance(IDS[1], &[], None),
        instance(IDS[0], &[("Team", "web"), ("Env", "dev")], None),
        instance(
            "i-0aaaaaaaaaaaaaaaa",
            &[("Team", "db"), ("Env", "prod")],
            None,
        ),
        instance(IDS[0], &[], Some("444455556666")),
        instance(IDS[2], &[], Some("111122223333")),
    ];
    (members, instances)
}

#[test]
fn compact_rows_and_output_are_the_reference_ones() {
    let (members, instances) = inputs();
    for seed in 0..60 {
        let text = config(seed);
        let want = reference(&text, Some(&members), Some(&instances));
        let reached = reach(&text, compiled(&text), &instances);
        let m = matrix(&text, Some(members.clone()), Some(reached));
        let got: Vec<Row> = m.rows().collect();
        assert_eq!(got, want, "{text}");
        let mut json = Vec::new();
        matrix_render::json(&m, &mut json).unwrap();
        let mut doc = serde_json::to_string_pretty(&serde_json::json!({ "principals": want }));
        doc.as_mut().unwrap().push('\n');
        assert_eq!(String::from_utf8(json).unwrap(), doc.unwrap());

        let want = reference(&text, None, None);
        let m = matrix(&text, None, None);
        let mut md = Vec::new();
        matrix_render::markdown(&m, Columns::default(), &mut md).unwrap();
        assert_eq!(String::from_utf8(md).unwrap(), reference_markdown(&want));
    }
}

#[test]
fn a_rows_grants_are_in_name_order_whatever_the_file_order() {
    let one = |name: &str| {
        format!(
            "{name} = {{ role = \"end-user\", who = [\"user:a\"], consoles = [\"cli\"], instances = [\"*\"] }}\n"
        )
    };
    let names = ["zz", "b", "a-1", "m", "a"];
    let inline: String = names.iter().map(|n| one(n)).collect();
    let sections: String = names
        .iter()
        .map(|n| {
            format!("[grant.{n}]\nrole = \"end-user\"\nwho = [\"user:a\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n")
        })
        .collect();
    let head = "account = \"111122223333\"\nregion = \"us-east-2\"\n";
    for text in [
        format!("{head}[grant]\n{inline}"),
        format!("{head}{sections}"),
    ] {
        let rows: Vec<Row> = matrix(&text, None, None).rows().collect();
        assert_eq!(rows.len(), 1, "{text}");
        assert_eq!(rows[0].grants, ["a", "a-1", "b", "m", "zz"], "{text}");
        assert_eq!(rows, reference(&text, None, None));
    }
}
