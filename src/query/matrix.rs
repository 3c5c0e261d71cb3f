//! The access matrix: every principal against what its grants reach. Read from the validated
//! grants (what was written) and, for `--instances`, decided on the access model: an instance
//! is reached when the principal's policies allow `ssm:StartSession` on its ARN with its tags.

use std::collections::{BTreeMap, BTreeSet};

use super::inputs::{Instance, Members};
use super::{Index, Place, start_session};
use crate::access::{Policy, allows};
use crate::compile::config::{Grant, OwnSessions, Role, Target, Variant};
use crate::compile::{parse, validate};

/// One principal's row.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    pub principal: String,
    /// For a group, with `--members`: the IAM users in it.
    pub members: Vec<String>,
    pub grants: Vec<String>,
    /// Instance ids named, or `*` for every instance.
    pub instances: Vec<String>,
    /// Tag selectors, one per grant: `Team=web, Env=dev|staging`.
    pub tags: Vec<String>,
    /// With `--instances`: the instances the principal may start a session on.
    pub reached: Vec<String>,
    pub documents: Vec<String>,
    pub consoles: Vec<String>,
    /// Manages Session Manager's preferences document.
    pub admin: bool,
    pub own_sessions: Vec<String>,
    pub kms: Vec<String>,
}

/// The matrix of a valid configuration, one row per principal in name order.
pub fn matrix(
    text: &str,
    index: &Index<'_>,
    members: Option<&Members>,
    instances: Option<&[Instance]>,
) -> Vec<Row> {
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for g in grants(text) {
        for p in &g.who {
            let row = rows.entry(p.to_string()).or_default();
            row.principal = p.to_string();
            add(row, &g);
        }
    }
    if let Some(members) = members {
        for row in rows.values_mut() {
            if let Some(group) = row.principal.strip_prefix("group:") {
                row.members = members
                    .iter()
                    .filter(|(_, groups)| groups.iter().any(|g| g == group))
                    .map(|(user, _)| format!("user:{user}"))
                    .collect();
            }
        }
    }
    if let Some(instances) = instances {
        reach(text, index, instances, &mut rows);
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

/// The grants of a configuration already known to be valid, in name order.
fn grants(text: &str) -> Vec<Grant> {
    let mut out = Vec::new();
    let split = validate::validate_sections(text, &mut |g| out.push(g));
    if split.is_none() {
        out.clear();
        if let Ok(root) = parse::parse(text)
            && let (Some(config), _) = validate::validate(&root)
        {
            out = config.grants;
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
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

/// Which of `instances` each principal may start a session on (any document).
fn reach(text: &str, index: &Index<'_>, instances: &[Instance], rows: &mut BTreeMap<String, Row>) {
    let mut policies: BTreeMap<&str, Vec<Policy>> = BTreeMap::new();
    for e in &index.entries {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&e.json.to_vec()) else {
            continue;
        };
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
            if allows(ps, &request)
                && let Some(row) = rows.get_mut(*principal)
            {
                row.reached.push(i.id.clone());
            }
        }
    }
}
