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

use std::borrow::Cow;
use std::collections::HashMap;

use super::compact::{self, Compact};
use super::{Expanded, Packed, Place};
use crate::access::{self, Policy};
use crate::compile::config::PrincipalKind;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::Problem;
use crate::diagnostic::message::deploy::{AccessChange, Deploy};

/// FNV-1a 64 of a statement's compact JSON.
fn statement_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The hash of each statement of compact documents, in order.
fn hashes<'a>(docs: impl IntoIterator<Item = &'a Compact>) -> Vec<u64> {
    docs.into_iter()
        .flat_map(|d| compact::each_statement(compact::statements(d)))
        .map(statement_hash)
        .collect()
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

fn parsed(compact: &[u8]) -> Result<Policy, access::Undecidable> {
    let value = serde_json::from_slice(compact).expect("compact documents parse");
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
            policies: parts.iter().map(|d| parsed(d)).collect(),
        });
    }
    let mut bytes = Vec::new();
    for p in packed {
        bytes.clear();
        p.compact_into(&mut bytes);
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
                policies: vec![parsed(&bytes)],
            });
    }
    let mut out = Vec::new();
    for (place, (before, after)) in sides {
        for delta in access::compare_principals(&before, &after) {
            if !delta.changed() {
                continue;
            }
            let change = match (&delta.undecidable, delta.gained.first(), delta.lost.first()) {
                (Some(reason), _, _) => AccessChange::Undecidable(reason),
                (None, Some(w), _) => AccessChange::Gains(format!("{w:?}")),
                (None, None, Some(w)) => AccessChange::Loses(format!("{w:?}")),
                (None, None, None) => AccessChange::Other,
            };
            let problem = Deploy::PackingChangesAccess {
                principal: &delta.principal,
                account: &place.account,
                change,
            };
            out.push(problem.at(0..0));
        }
    }
    out
}

/// A principal within its place, as IAM tells principals apart (names ignore case).
type Who<'a> = (PrincipalKind, Cow<'a, str>, &'static str, &'a str);

fn lower(name: &str) -> Cow<'_, str> {
    if name
        .bytes()
        .any(|b| !b.is_ascii() || b.is_ascii_uppercase())
    {
        Cow::Owned(name.to_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// Each principal's statement hashes on one side (grants, or deployed policies): pairs of
/// (principal number, hash), sorted and distinct, and which principals the side names. Flat
/// pairs rather than a set per principal: 400,000 principals held 280 MB of sets (issue 16).
#[derive(Default)]
struct Side {
    pairs: Vec<(u32, u64)>,
    named: Vec<u32>,
}

struct Principals<'a> {
    ids: HashMap<Who<'a>, u32>,
    whos: Vec<Who<'a>>,
}

impl<'a> Principals<'a> {
    fn id(&mut self, who: Who<'a>) -> u32 {
        if let Some(id) = self.ids.get(&who) {
            return *id;
        }
        let id = u32::try_from(self.whos.len()).expect("fewer than 2^32 principals");
        self.whos.push(who.clone());
        self.ids.insert(who, id);
        id
    }
}

impl Side {
    fn add(&mut self, id: u32, hashes: &[u64]) {
        self.named.push(id);
        self.pairs.extend(hashes.iter().map(|h| (id, *h)));
    }

    fn finish(&mut self) {
        self.pairs.sort_unstable();
        self.pairs.dedup();
        self.named.sort_unstable();
        self.named.dedup();
    }

    /// The hashes of principal `id`, given that earlier principals were taken already.
    fn take(&self, at: &mut usize, id: u32) -> &[(u32, u64)] {
        let start = *at;
        while *at < self.pairs.len() && self.pairs[*at].0 == id {
            *at += 1;
        }
        &self.pairs[start..*at]
    }
}

/// Per principal, the statement sets of its grants and of its deployed policies.
fn statements(grants: &Expanded<'_>, packed: &[Packed]) -> Vec<Diagnostic> {
    let mut principals = Principals {
        ids: HashMap::new(),
        whos: Vec::new(),
    };
    let (mut want, mut got) = (Side::default(), Side::default());
    for (g, parts) in grants {
        let hashes = hashes(parts);
        for p in &g.who {
            let who = (p.kind, lower(&p.name), g.partition.as_str(), &g.account[..]);
            want.add(principals.id(who), &hashes);
        }
    }
    for policy in packed {
        let hashes = hashes(&policy.parts);
        let place = &policy.place;
        for p in &policy.principals {
            let who = (p.kind, lower(&p.name), place.partition, &place.account[..]);
            got.add(principals.id(who), &hashes);
        }
    }
    want.finish();
    got.finish();
    let (mut a, mut b) = (0, 0);
    let mut wrong: Vec<&Who> = Vec::new();
    for (id, who) in (0u32..).zip(&principals.whos) {
        let named = |side: &Side| side.named.binary_search(&id).is_ok();
        let (w, g) = (want.take(&mut a, id), got.take(&mut b, id));
        // Both runs carry the same principal number: equal runs are equal hash sets.
        if named(&want) != named(&got) || w != g {
            wrong.push(who);
        }
    }
    wrong.sort();
    wrong
        .into_iter()
        .map(|(kind, name, _, account)| {
            Deploy::PackedStatementsDiffer {
                kind: *kind,
                name,
                account,
            }
            .at(0..0)
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
        let compact = |d: &crate::compile::policy::PolicyDocument| d.to_compact_json().into();
        let docs = docs.iter().map(|d| d.iter().map(compact).collect());
        let expanded: Vec<_> = grants.iter().zip(docs).collect();
        let packed = pack(&expanded, 10).unwrap();
        assert!(verify(&expanded, &packed).is_empty());
        assert!(exact(&expanded, &packed).is_empty());
        // A statement dropped: both checks see it, the exact one with a witness.
        let mut dropped = packed.clone();
        let mut doc = dropped[0].document();
        doc.statement.pop();
        dropped[0].parts = vec![compact(&doc)];
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
