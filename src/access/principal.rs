//! Per principal: what a principal can do is the union of every grant naming it; the review
//! compares each principal's union before and after.

use super::decide::{Facts, gained};
use super::eval::Witness;
use super::model::{Policy, Statement, Undecidable};
use std::collections::BTreeMap;

/// One grant as the review sees it: its name, its `who`, its policies (or why one is outside
/// the modelled subset).
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

#[derive(Default)]
struct Side<'a> {
    grants: Vec<&'a str>,
    statements: Vec<&'a Statement>,
    errors: Vec<&'a Undecidable>,
}

fn sides(grants: &[Grant]) -> BTreeMap<&str, Side<'_>> {
    let mut out: BTreeMap<&str, Side<'_>> = BTreeMap::new();
    for g in grants {
        for p in &g.principals {
            let side = out.entry(p.as_str()).or_default();
            side.grants.push(&g.name);
            for policy in &g.policies {
                match policy {
                    Ok(policy) => side.statements.extend(&policy.statements),
                    Err(e) => side.errors.push(e),
                }
            }
        }
    }
    for side in out.values_mut() {
        side.statements.sort();
        side.statements.dedup();
        side.errors.sort();
        side.errors.dedup();
    }
    out
}

/// Every principal named before or after, in name order, with what it gained and lost. A
/// principal whose statements are the same set before and after (a rename, a merge, a split)
/// is settled by that equality alone, so unchanged principals cost a comparison of sorted
/// lists.
pub fn compare_principals(before: &[Grant], after: &[Grant]) -> Vec<PrincipalDelta> {
    let (old, new) = (sides(before), sides(after));
    let mut names: Vec<&str> = old.keys().chain(new.keys()).copied().collect();
    names.sort();
    names.dedup();
    let empty = Side::default();
    names
        .into_iter()
        .map(|name| {
            let (b, a) = (
                old.get(name).unwrap_or(&empty),
                new.get(name).unwrap_or(&empty),
            );
            let mut delta = PrincipalDelta {
                principal: name.to_string(),
                grants_before: b.grants.iter().map(|s| s.to_string()).collect(),
                grants_after: a.grants.iter().map(|s| s.to_string()).collect(),
                gained: Vec::new(),
                lost: Vec::new(),
                undecidable: None,
            };
            if b.statements == a.statements && b.errors == a.errors {
                return delta;
            }
            if let Some(e) = a.errors.first().or(b.errors.first()) {
                delta.undecidable = Some(e.reason.clone());
                return delta;
            }
            let facts = Facts::for_principal(name);
            let both = gained(&b.statements, &a.statements, &facts)
                .and_then(|g| Ok((g, gained(&a.statements, &b.statements, &facts)?)));
            match both {
                Ok((g, l)) => (delta.gained, delta.lost) = (g, l),
                Err(e) => delta.undecidable = Some(e.reason),
            }
            delta
        })
        .collect()
}
