//! The proof `build` runs on every packing: per principal, the deployed policies hold exactly
//! the statements of its grants. Written apart from `pack.rs` and from its data: it starts
//! again from each grant's `who` and documents and from each packed policy's principals and
//! document, so a packing bug (a part dropped, doubled into the wrong set, attached to the
//! wrong principal) cannot hide in a shared helper.
//!
//! Two checks, both always run:
//! - statement-level equality (statements are moved, never changed; `split` proves its cuts
//!   with `split::atoms`), by a 64-bit hash of each statement's JSON, per principal: each
//!   principal's set of statement hashes is folded into one 64-bit digest on each side, and
//!   the digests must match (a false "equal" needs a 64-bit collision);
//! - the exact access model (`crate::access::compare_principals`), per account: each
//!   principal's deployed policies against its grants' policies, both directions. It settles
//!   equal statement sets by equality and decides the rest exactly, so an undecidable or a
//!   non-empty difference is reported with its witness.

use std::borrow::Cow;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::compact::Compact;
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

/// The hash of each statement of compact documents, in order, added to `out`.
fn hashes(docs: &[Compact], out: &mut Vec<u64>) {
    out.extend(
        docs.iter()
            .flat_map(Compact::statements)
            .map(statement_hash),
    );
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
/// packed policies (after): any gain, loss or undecidable is a bug. Each side's documents are
/// parsed when a principal needs them ([`access::compare_principals_with`]): 20,000 grants
/// parsed at once were 160 MB (issue 16).
fn exact(grants: &Expanded<'_>, packed: &[Packed]) -> Vec<Diagnostic> {
    use std::collections::BTreeMap;
    // Per place: the grants' indices with their principals, and the packed policies'.
    type Listed = Vec<(usize, String, Vec<String>)>;
    let mut sides: BTreeMap<Place, (Listed, Listed)> = BTreeMap::new();
    for (i, (g, _)) in grants.iter().enumerate() {
        let place = Place {
            partition: g.partition.as_str(),
            account: g.account.as_str().into(),
        };
        let who = g.who.iter().map(|p| principal_key(p.kind, &p.name));
        (sides.entry(place).or_default().0).push((i, g.name.clone(), who.collect()));
    }
    for (i, p) in packed.iter().enumerate() {
        let who = p.principals.iter().map(|q| principal_key(q.kind, &q.name));
        let name = format!("{}-{}", p.set, p.bucket);
        (sides.entry(p.place.clone()).or_default().1).push((i, name, who.collect()));
    }
    let mut out = Vec::new();
    for (place, (before, after)) in sides {
        let nb: Vec<access::Named> = (before.iter())
            .map(|(_, name, principals)| access::Named { name, principals })
            .collect();
        let na: Vec<access::Named> = (after.iter())
            .map(|(_, name, principals)| access::Named { name, principals })
            .collect();
        let mut bytes = Vec::new();
        let mut load = |side: access::Side, i: usize| match side {
            access::Side::Before => {
                let parts = &grants[before[i].0].1;
                parts.iter().map(|d| parsed(&d.to_vec())).collect()
            }
            access::Side::After => {
                bytes.clear();
                packed[after[i].0].compact_into(&mut bytes);
                vec![parsed(&bytes)]
            }
        };
        let mut deltas = Vec::new();
        let mut emit = |d: access::PrincipalDelta| {
            if d.changed() {
                deltas.push(d);
            }
        };
        // Every grant is "changed": the sides name them differently.
        let changed = |_: access::Side, _: usize| true;
        access::compare_principals_with(&nb, &na, &|_| true, &changed, &mut load, &mut emit);
        deltas.sort_by(|a, b| a.principal.cmp(&b.principal));
        for delta in deltas {
            out.push(packing_changes_access(&delta, &place));
        }
    }
    out
}

fn packing_changes_access(delta: &access::PrincipalDelta, place: &Place) -> Diagnostic {
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
    problem.at(0..0)
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

fn who_hash(who: &Who<'_>) -> u64 {
    let mut h = DefaultHasher::new();
    who.hash(&mut h);
    h.finish()
}

/// One side of the proof (grants, or deployed policies): which documents each principal has,
/// as (principal hash, document number) pairs, and `statements(n, out)` adding document `n`'s
/// statement hashes to `out`. Each principal's statement set becomes one digest (of its sorted,
/// distinct statement hashes), sorted by principal. A pair per principal and document, not per
/// statement, and no table of principals: 400,000 principals held 140 MB of statement pairs and
/// principal tables (issue 16).
fn digests(mut pairs: Vec<(u64, u32)>, statements: impl Fn(u32, &mut Vec<u64>)) -> Vec<(u64, u64)> {
    pairs.sort_unstable();
    pairs.dedup();
    let mut out = Vec::new();
    let mut scratch = Vec::new();
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        scratch.clear();
        for (_, doc) in run {
            statements(*doc, &mut scratch);
        }
        scratch.sort_unstable();
        scratch.dedup();
        let mut h = DefaultHasher::new();
        scratch.hash(&mut h);
        out.push((run[0].0, h.finish()));
    }
    out
}

/// The principals (as hashes) whose digests differ between the sides or that only one side
/// names.
fn differing(want: &[(u64, u64)], got: &[(u64, u64)]) -> Vec<u64> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < want.len() || j < got.len() {
        match (want.get(i), got.get(j)) {
            (Some(w), Some(g)) if w.0 == g.0 => {
                if w.1 != g.1 {
                    out.push(w.0);
                }
                (i, j) = (i + 1, j + 1);
            }
            (Some(w), g) if g.is_none_or(|g| w.0 < g.0) => {
                out.push(w.0);
                i += 1;
            }
            (_, g) => {
                out.push(g.expect("one side has more").0);
                j += 1;
            }
        }
    }
    out
}

/// Per principal, the statement sets of its grants and of its deployed policies. Sets are
/// compared by 64-bit digests, as statements are by 64-bit hashes; the exact check below
/// decides without hashes for files of up to [`EXACT_PROOF_MAX_GRANTS`] grants.
fn statements(grants: &Expanded<'_>, packed: &[Packed]) -> Vec<Diagnostic> {
    let number = |i: usize| u32::try_from(i).expect("fewer than 2^32 documents");
    let whos_of_grants = || {
        grants.iter().enumerate().flat_map(|(i, (g, _))| {
            g.who.iter().map(move |p| {
                let who = (p.kind, lower(&p.name), g.partition.as_str(), &g.account[..]);
                (who, i)
            })
        })
    };
    let whos_of_policies = || {
        packed.iter().enumerate().flat_map(|(i, policy)| {
            let place = &policy.place;
            policy.principals.iter().map(move |p| {
                let who = (p.kind, lower(&p.name), place.partition, &place.account[..]);
                (who, i)
            })
        })
    };
    let hashed = |(who, i): (Who, usize)| (who_hash(&who), number(i));
    let want = digests(whos_of_grants().map(hashed).collect(), |n, out| {
        hashes(&grants[n as usize].1, out);
    });
    let got = digests(whos_of_policies().map(hashed).collect(), |n, out| {
        hashes(&packed[n as usize].parts, out);
    });
    let wrong = differing(&want, &got);
    if wrong.is_empty() {
        return Vec::new();
    }
    // Rare (a packing bug): find who the differing hashes are.
    let mut named: Vec<Who> = whos_of_grants()
        .chain(whos_of_policies())
        .map(|(who, _)| who)
        .filter(|who| wrong.binary_search(&who_hash(who)).is_ok())
        .collect();
    named.sort();
    named.dedup();
    named
        .into_iter()
        .map(|(kind, name, _, account)| {
            Deploy::PackedStatementsDiffer {
                kind,
                name: &name,
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
        let compact =
            |d: &crate::compile::policy::PolicyDocument| Compact::new(&d.to_compact_json());
        let docs = docs.iter().map(|d| d.iter().map(compact).collect());
        let expanded: Vec<_> = grants.iter().zip(docs).collect();
        let packed = pack(&expanded, 10).unwrap();
        assert!(verify(&expanded, &packed).is_empty());
        assert!(exact(&expanded, &packed).is_empty());
        // A statement dropped: both checks see it, the exact one with a witness.
        let mut dropped = packed.clone();
        let mut doc = dropped[0].document();
        doc.statement.pop();
        dropped[0].parts = vec![compact(&doc)].into();
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
        let named = statements(&expanded, &moved);
        assert!(
            named.iter().any(|d| d.message.contains("mallory")),
            "the proof names who differs: {named:?}"
        );
    }

    #[test]
    fn differing_principals_are_those_with_other_digests_or_on_one_side() {
        let want = [(1, 10), (2, 20), (4, 40)];
        let got = [(2, 20), (3, 30), (4, 41), (5, 50)];
        assert_eq!(differing(&want, &got), vec![1, 3, 4, 5]);
        assert!(differing(&want, &want).is_empty());
    }
}
