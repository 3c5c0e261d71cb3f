//! Per principal: what a principal can do is the union of every grant naming it; the review
//! compares each principal's union before and after.

use super::decide::{Facts, gained};
use super::eval::Witness;
use super::model::{Policy, Statement, Undecidable};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One grant as the review sees it: its name, its `who`, its policies (or why one is outside
/// the modelled subset). Names are unique on each side: a grant is matched with its namesake.
#[derive(Clone, Debug)]
pub struct Grant {
    pub name: String,
    pub principals: Vec<String>,
    pub policies: Vec<Result<Policy, Undecidable>>,
}

/// How one principal's access changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalDelta {
    pub principal: String,
    /// Grants naming the principal, before and after, in input order.
    pub grants_before: Vec<String>,
    pub grants_after: Vec<String>,
    /// Requests allowed after and denied before.
    pub gained: Vec<Witness>,
    /// Requests allowed before and denied after.
    pub lost: Vec<Witness>,
    /// Why the comparison could not be decided; counts as widening.
    pub undecidable: Option<String>,
}

impl PrincipalDelta {
    /// True when the principal gains a request, or when that cannot be ruled out.
    pub fn widens(&self) -> bool {
        !self.gained.is_empty() || self.undecidable.is_some()
    }

    /// True when anything about the principal's access changed (or may have).
    pub fn changed(&self) -> bool {
        self.widens() || !self.lost.is_empty()
    }
}

/// The grants naming each principal, in input order.
fn by_principal(grants: &[Grant]) -> BTreeMap<&str, Vec<&Grant>> {
    let mut out: BTreeMap<&str, Vec<&Grant>> = BTreeMap::new();
    for g in grants {
        for p in &g.principals {
            out.entry(p.as_str()).or_default().push(g);
        }
    }
    out
}

/// Names of grants that differ between the two sides (added, removed or edited): one
/// equality check per grant, so the common review touches only what changed.
fn changed_grants<'a>(before: &'a [Grant], after: &'a [Grant]) -> HashSet<&'a str> {
    let old: HashMap<&str, &Grant> = before.iter().map(|g| (g.name.as_str(), g)).collect();
    let new: HashMap<&str, &Grant> = after.iter().map(|g| (g.name.as_str(), g)).collect();
    let mut out = HashSet::new();
    for (name, g) in &new {
        let same = old
            .get(name)
            .is_some_and(|o| o.principals == g.principals && o.policies == g.policies);
        if !same {
            out.insert(*name);
        }
    }
    out.extend(old.keys().filter(|n| !new.contains_key(*n)));
    out
}

/// A principal's union: its distinct statements, sorted, and the reasons of policies outside
/// the subset.
fn union<'a>(grants: &[&'a Grant]) -> (Vec<&'a Statement>, Vec<&'a Undecidable>) {
    let mut policies: HashSet<&Policy> = HashSet::new();
    let mut errors = Vec::new();
    for g in grants {
        for p in &g.policies {
            match p {
                Ok(p) => drop(policies.insert(p)),
                Err(e) => errors.push(e),
            }
        }
    }
    let mut statements: Vec<&Statement> = policies.iter().flat_map(|p| &p.statements).collect();
    statements.sort();
    statements.dedup();
    errors.sort();
    errors.dedup();
    (statements, errors)
}

/// Every principal named before or after, in name order, with what it gained and lost. A
/// principal none of whose grants changed is settled without looking at its policies; one
/// whose statements are the same set before and after (a rename, a merge, a split) by that
/// equality; only the rest are decided.
pub fn compare_principals(before: &[Grant], after: &[Grant]) -> Vec<PrincipalDelta> {
    let changed = changed_grants(before, after);
    let (old, new) = (by_principal(before), by_principal(after));
    let mut names: Vec<&str> = old.keys().chain(new.keys()).copied().collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let (b, a) = (
                old.get(name).map_or(&[][..], Vec::as_slice),
                new.get(name).map_or(&[][..], Vec::as_slice),
            );
            let mut delta = PrincipalDelta {
                principal: name.to_string(),
                grants_before: b.iter().map(|g| g.name.clone()).collect(),
                grants_after: a.iter().map(|g| g.name.clone()).collect(),
                gained: Vec::new(),
                lost: Vec::new(),
                undecidable: None,
            };
            let touched = b.iter().chain(a).any(|g| changed.contains(g.name.as_str()));
            if touched {
                decide(&mut delta, b, a);
            }
            delta
        })
        .collect()
}

fn decide(delta: &mut PrincipalDelta, b: &[&Grant], a: &[&Grant]) {
    let ((bs, be), (as_, ae)) = (union(b), union(a));
    if bs == as_ && be == ae {
        return;
    }
    if let Some(e) = ae.first().or(be.first()) {
        delta.undecidable = Some(e.reason.clone());
        return;
    }
    let facts = Facts::for_principal(&delta.principal);
    let both = gained(&bs, &as_, &facts).and_then(|g| Ok((g, gained(&as_, &bs, &facts)?)));
    match both {
        Ok((g, l)) => (delta.gained, delta.lost) = (g, l),
        Err(e) => delta.undecidable = Some(e.reason),
    }
}
