//! The proof `build` runs on every packing: per principal, the deployed policies hold exactly
//! the statements of its grants. Written apart from `pack.rs` and from its data: it starts
//! again from each grant's `who` and documents and from each packed policy's principals and
//! document, so a packing bug (a part dropped, doubled into the wrong set, attached to the
//! wrong principal) cannot hide in a shared helper.
//!
//! Two checks, both always run:
//! - statement-level equality (statements are moved, never changed; `split` proves its cuts
//!   with `split::atoms`), by a 64-bit hash of each statement's JSON, per principal;
//! - the exact access model (`crate::access::compare_principals`), per account: each
//!   principal's deployed policies against its grants' policies, both directions. It settles
//!   equal statement sets by equality and decides the rest exactly, so an undecidable or a
//!   non-empty difference is reported with its witness.

use std::collections::{BTreeSet, HashMap};

use super::{Expanded, Packed, Place};
use crate::access::{self, Policy};
use crate::compile::config::PrincipalKind;
use crate::compile::policy::Statement;
use crate::diagnostic::{Diagnostic, Kind};

type Who = (PrincipalKind, String, &'static str, String);

fn statement_hash(s: &Statement) -> u64 {
    let bytes = serde_json::to_vec(s).expect("a statement always serializes");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// An internal-error diagnostic per principal whose deployed statements differ from its
/// grants', or whose deployed access the access model does not find equal both ways; empty
/// when the packing is exact.
pub fn verify(grants: &Expanded<'_>, packed: &[Packed]) -> Vec<Diagnostic> {
    let mut out = statements(grants, packed);
    if out.is_empty() && grants.len() <= EXACT_PROOF_MAX_GRANTS {
        out.extend(exact(grants, packed));
    }
    out
}

/// Above this many grants `build` relies on the statement-level proof alone: the access
/// model's comparison of 100,000 grants took several times the whole build (measured:
/// README, "Performance"), and equal statement sets already allow exactly the same.
pub(crate) const EXACT_PROOF_MAX_GRANTS: usize = 20_000;

fn principal_key(kind: PrincipalKind, name: &str) -> String {
    format!("{}:{}", kind.as_str(), name.to_lowercase())
}

fn parsed(doc: &crate::compile::policy::PolicyDocument) -> Result<Policy, access::Undecidable> {
    let value = serde_json::to_value(doc).expect("a policy document always serializes");
    Policy::parse(&value)
}

/// Per account, the access model's per-principal comparison of the grants (before) with the
/// packed policies (after): any gain, loss or undecidable is a bug.
fn exact(grants: &Expanded<'_>, packed: &[Packed]) -> Vec<Diagnostic> {
    use std::collections::BTreeMap;
    let mut sides: BTreeMap<Place, (Vec<access::Grant>, Vec<access::Grant>)> = BTreeMap::new();
    for (g, parts) in grants {
        let place = Place {
            partition: g.partition.as_str(),
            account: g.account.clone(),
        };
        sides.entry(place).or_default().0.push(access::Grant {
            name: g.name.clone(),
            principals: g
                .who
                .iter()
                .map(|p| principal_key(p.kind, &p.name))
                .collect(),
            policies: parts.iter().map(parsed).collect(),
        });
    }
    for p in packed {
        sides
            .entry(p.place.clone())
            .or_default()
            .1
            .push(access::Grant {
                name: format!("{}-{}", p.set, p.bucket),
                principals: p
                    .principals
                    .iter()
                    .map(|q| principal_key(q.kind, &q.name))
                    .collect(),
                policies: vec![parsed(&p.document)],
            });
    }
    let mut out = Vec::new();
    for (place, (before, after)) in sides {
        for delta in access::compare_principals(&before, &after) {
            if !delta.changed() {
                continue;
            }
            let what = match (&delta.undecidable, delta.gained.first(), delta.lost.first()) {
                (Some(reason), _, _) => format!("cannot be proven equal ({reason})"),
                (None, Some(w), _) => format!("would gain {w:?}"),
                (None, None, Some(w)) => format!("would lose {w:?}"),
                (None, None, None) => "would change".to_owned(),
            };
            out.push(
                Diagnostic::new(
                    Kind::PackingChangesAccess,
                    format!(
                        "the packed policies of {} in account {} {what}",
                        delta.principal, place.account
                    ),
                )
                .at(0..0)
                .help("this is a bug in ssm-compile: please report it with the configuration; deploy the per-grant policy files meanwhile"),
            );
        }
    }
    out
}

/// Per principal, the statement sets of its grants and of its deployed policies.
fn statements(grants: &Expanded<'_>, packed: &[Packed]) -> Vec<Diagnostic> {
    let mut want: HashMap<Who, BTreeSet<u64>> = HashMap::new();
    for (g, parts) in grants {
        let hashes: Vec<u64> = parts
            .iter()
            .flat_map(|d| &d.statement)
            .map(statement_hash)
            .collect();
        for p in &g.who {
            let who = (
                p.kind,
                p.name.to_lowercase(),
                g.partition.as_str(),
                g.account.clone(),
            );
            want.entry(who).or_default().extend(&hashes);
        }
    }
    let mut got: HashMap<Who, BTreeSet<u64>> = HashMap::new();
    for policy in packed {
        let hashes: Vec<u64> = policy
            .document
            .statement
            .iter()
            .map(statement_hash)
            .collect();
        for p in &policy.principals {
            let place = &policy.place;
            let who = (
                p.kind,
                p.name.to_lowercase(),
                place.partition,
                place.account.clone(),
            );
            got.entry(who).or_default().extend(&hashes);
        }
    }
    let mut wrong: Vec<&Who> = want
        .keys()
        .chain(got.keys())
        .filter(|w| want.get(*w) != got.get(*w))
        .collect();
    wrong.sort();
    wrong.dedup();
    wrong
        .into_iter()
        .map(|(kind, name, _, account)| {
            Diagnostic::new(
                Kind::PackingChangesAccess,
                format!(
                    "the packed policies of {}:{name} in account {account} would not hold exactly the statements of its grants",
                    kind.as_str()
                ),
            )
            .at(0..0)
            .help("this is a bug in ssm-compile: please report it with the configuration; deploy the per-grant policy files meanwhile")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::config::GrantSummary;
    use crate::compile::expand::expand;
    use crate::compile::{parse, validate};
    use crate::deploy::pack;

    fn packed_example() -> (
        Vec<GrantSummary>,
        Vec<Vec<crate::compile::policy::PolicyDocument>>,
    ) {
        let text = r#"
account = "111122223333"
region = "us-east-2"
[grant.a]
role = "end-user"
who = ["user:alice", "group:ops"]
consoles = ["session-manager", "cli"]
instances = ["i-0123456789abcdef0"]
[grant.b]
role = "admin"
who = ["group:ops"]
consoles = ["cli"]
tags = { Team = "web" }
"#;
        let config = validate::validate(&parse::parse(text).unwrap()).0.unwrap();
        let docs = config.grants.iter().map(|g| vec![expand(g)]).collect();
        (config.grants.into_iter().map(Into::into).collect(), docs)
    }

    #[test]
    fn an_exact_packing_passes_and_every_kind_of_mistake_is_caught() {
        let (grants, docs) = packed_example();
        let expanded: Vec<_> = grants.iter().zip(docs).collect();
        let packed = pack(&expanded, 10).unwrap();
        assert!(verify(&expanded, &packed).is_empty());
        assert!(exact(&expanded, &packed).is_empty());
        // A statement dropped: both checks see it, the exact one with a witness.
        let mut dropped = packed.clone();
        dropped[0].document.statement.pop();
        assert!(!statements(&expanded, &dropped).is_empty());
        let lost = exact(&expanded, &dropped);
        assert!(
            !lost.is_empty() && lost[0].message.contains("would lose"),
            "{lost:?}"
        );
        // Attached to someone else: a gain for them, a loss for the one it was meant for.
        let mut moved = packed.clone();
        moved[0].principals[0].name = "mallory".into();
        let found = exact(&expanded, &moved);
        assert!(
            found
                .iter()
                .any(|d| d.message.contains("mallory") && d.message.contains("would gain")),
            "{found:?}"
        );
        assert!(!statements(&expanded, &moved).is_empty());
    }
}
