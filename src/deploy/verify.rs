//! The proof `build` runs on every packing: per principal, the deployed policies hold exactly
//! the statements of its grants. Written apart from `pack.rs` and from its data: it starts
//! again from each grant's `who` and documents and from each packed policy's principals and
//! document, so a packing bug (a part dropped, doubled into the wrong set, attached to the
//! wrong principal) cannot hide in a shared helper.
//!
//! Equal statement sets allow and deny exactly the same requests, whatever they are: the
//! statement-level equality packing preserves (statements are moved, never changed; `split`
//! proves its cuts with `split::atoms`). Statements are compared by a 64-bit hash of their
//! JSON to keep 100,000 grants' worth small; the property test in tests/it/pack.rs compares
//! them exactly with the access model.

use std::collections::{BTreeSet, HashMap};

use super::{Expanded, Packed};
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
/// grants'; empty when the packing is exact.
pub fn verify(grants: &Expanded<'_>, packed: &[Packed]) -> Vec<Diagnostic> {
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
