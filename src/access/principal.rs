//! Per principal: what a principal can do is the union of every grant naming it; the review
//! compares each principal's union before and after.

use super::decide::{Facts, gained};
use super::eval::Witness;
use super::model::{Policy, Statement, Undecidable};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

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

/// A grant as [`compare_principals_with`] sees it before its policies are read: its name and
/// its `who`.
#[derive(Clone, Copy, Debug)]
pub struct Named<'a, S = String> {
    pub name: &'a str,
    /// Owned or borrowed names (`S` is `String` or `&str`).
    pub principals: &'a [S],
}

/// Which side of the change a grant is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Before,
    After,
}

/// A grant's policies as read, shared by the principals that name it.
type Loaded = Rc<Vec<Result<Policy, Undecidable>>>;

/// The grants most recently read, in two generations of at most `cap` each: a grant read
/// again within a generation or two is not parsed again, and at most `2 * cap` are held. Parsed
/// policies of 100,000 grants on both sides were 1 GB (issue 16); principals are decided in the
/// order of their first grant, so a principal's grants are read close together.
struct Cache<'l> {
    cap: usize,
    young: HashMap<(Side, usize), Loaded>,
    old: HashMap<(Side, usize), Loaded>,
    load: &'l mut dyn FnMut(Side, usize) -> Vec<Result<Policy, Undecidable>>,
}

impl Cache<'_> {
    fn get(&mut self, key: (Side, usize)) -> Loaded {
        if let Some(hit) = self.young.get(&key) {
            return hit.clone();
        }
        let found = match self.old.remove(&key) {
            Some(hit) => hit,
            None => Rc::new((self.load)(key.0, key.1)),
        };
        if self.young.len() >= self.cap {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, found.clone());
        found
    }
}

/// Grants held at once per generation by [`compare_principals_with`]. A principal's grants
/// are read close together; 2 x 1024 parsed grants were 8 MB of a 20,000-grant review's peak.
const CACHED_GRANTS: usize = 256;

#[cfg(test)]
thread_local! {
    /// A test's bound in place of [`CACHED_GRANTS`], to make grants be read again.
    static CAP: std::cell::Cell<usize> = const { std::cell::Cell::new(CACHED_GRANTS) };
}

fn cache_cap() -> usize {
    #[cfg(test)]
    return CAP.with(std::cell::Cell::get);
    #[cfg(not(test))]
    CACHED_GRANTS
}

/// Each principal's grants on one side, as (principal, grant index) pairs sorted by both: a
/// hash map of lists was 20 MB for 100,000 principals (issue 16).
struct Index<'a>(Vec<(&'a str, usize)>);

impl<'a> Index<'a> {
    fn new<S: AsRef<str>>(grants: &[Named<'a, S>]) -> Index<'a> {
        // At its exact size: grown by doubling it was up to twice that, at the review's peak.
        let mut pairs = Vec::with_capacity(grants.iter().map(|g| g.principals.len()).sum());
        for (i, g) in grants.iter().enumerate() {
            pairs.extend(g.principals.iter().map(|p| (p.as_ref(), i)));
        }
        pairs.sort_unstable();
        Index(pairs)
    }

    /// The principal's grant indices, in input order.
    fn get(&self, principal: &str) -> impl Iterator<Item = usize> + Clone + '_ {
        let start = self.0.partition_point(|(p, _)| *p < principal);
        let len = self.0[start..].partition_point(|(p, _)| *p == principal);
        self.0[start..start + len].iter().map(|(_, i)| *i)
    }
}

/// Every principal of `before` and `after` that `wanted` accepts, each decided once and handed
/// to `emit` (in no particular order). A grant's policies are read by `load(side, index)` only
/// when a principal naming it must be decided, and at most a few thousand are held at once.
/// `changed(side, index)` says whether a grant may differ from its namesake on the other side:
/// a principal none of whose grants may differ is settled without reading any.
pub fn compare_principals_with<S: AsRef<str>>(
    before: &[Named<S>],
    after: &[Named<S>],
    wanted: &dyn Fn(&str) -> bool,
    changed: &dyn Fn(Side, usize) -> bool,
    load: &mut dyn FnMut(Side, usize) -> Vec<Result<Policy, Undecidable>>,
    emit: &mut dyn FnMut(PrincipalDelta),
) {
    let (old, new) = (Index::new(before), Index::new(after));
    // In the order of each principal's first grant (before, else after): its grants, and
    // those of the principals next to it, were most likely just read.
    let first = |p: &str| old.get(p).chain(new.get(p)).next().unwrap_or(0);
    // Each principal once: a pair per grant and side was twice the index again.
    let mut names: Vec<(usize, &str)> = Vec::new();
    for side in [&old, &new] {
        let mut last = None;
        for (p, _) in &side.0 {
            if last != Some(*p) && wanted(p) {
                names.push((first(p), *p));
            }
            last = Some(*p);
        }
    }
    names.sort_unstable();
    names.dedup();
    names.shrink_to_fit();
    let mut cache = Cache {
        cap: cache_cap(),
        young: HashMap::new(),
        old: HashMap::new(),
        load,
    };
    for (_, name) in names {
        let (b, a) = (old.get(name), new.get(name));
        let mut delta = PrincipalDelta {
            principal: name.to_string(),
            grants_before: b.clone().map(|i| before[i].name.to_owned()).collect(),
            grants_after: a.clone().map(|i| after[i].name.to_owned()).collect(),
            gained: Vec::new(),
            lost: Vec::new(),
            undecidable: None,
        };
        let touched = b.clone().any(|i| changed(Side::Before, i))
            || a.clone().any(|i| changed(Side::After, i));
        if touched {
            let bs: Vec<Loaded> = b.map(|i| cache.get((Side::Before, i))).collect();
            let as_: Vec<Loaded> = a.map(|i| cache.get((Side::After, i))).collect();
            decide(&mut delta, &bs, &as_);
        }
        emit(delta);
    }
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
fn union(grants: &[Loaded]) -> (Vec<&Statement>, Vec<&Undecidable>) {
    let mut policies: HashSet<&Policy> = HashSet::new();
    let mut errors = Vec::new();
    for g in grants {
        for p in g.iter() {
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
    let differ = changed_grants(before, after);
    let (nb, na) = (named(before), named(after));
    let changed = |side: Side, i: usize| {
        let g = match side {
            Side::Before => &before[i],
            Side::After => &after[i],
        };
        differ.contains(g.name.as_str())
    };
    let mut load = |side: Side, i: usize| match side {
        Side::Before => before[i].policies.clone(),
        Side::After => after[i].policies.clone(),
    };
    let mut out = Vec::new();
    let mut emit = |d: PrincipalDelta| out.push(d);
    compare_principals_with(&nb, &na, &|_| true, &changed, &mut load, &mut emit);
    out.sort_by(|a, b| a.principal.cmp(&b.principal));
    out
}

fn named(grants: &[Grant]) -> Vec<Named<'_>> {
    grants
        .iter()
        .map(|g| Named {
            name: &g.name,
            principals: &g.principals,
        })
        .collect()
}

fn decide(delta: &mut PrincipalDelta, b: &[Loaded], a: &[Loaded]) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(resource: &str) -> Policy {
        let doc = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "ssm:StartSession", "Resource": resource}]
        });
        Policy::parse(&doc).unwrap()
    }

    /// Grants of a small deterministic mix: principals shared between grants, policies
    /// repeated, one outside the subset.
    fn grants(seed: u64, n: usize) -> Vec<Grant> {
        let mut x = seed;
        let mut next = move |m: u64| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % m
        };
        (0..n)
            .map(|i| {
                let principals = (0..1 + next(3))
                    .map(|_| format!("user:u{}", next(12)))
                    .collect();
                let policies = (0..1 + next(2))
                    .map(|_| match next(9) {
                        0 => Err(Undecidable::new("outside")),
                        k => Ok(policy(&format!(
                            "arn:aws:ec2:us-east-2:111122223333:instance/i-{k}*"
                        ))),
                    })
                    .collect();
                Grant {
                    name: format!("g{i}"),
                    principals,
                    policies,
                }
            })
            .collect()
    }

    /// However few grants the cache holds, every principal gets the same verdict: grants
    /// evicted are read again, never mixed up.
    #[test]
    fn the_verdict_does_not_depend_on_how_many_grants_are_held() {
        for seed in 0..20 {
            let (before, after) = (grants(seed, 30), grants(seed + 100, 25));
            CAP.set(1 << 20);
            let all = compare_principals(&before, &after);
            assert!(
                all.iter().any(PrincipalDelta::changed),
                "seed {seed}: a real test"
            );
            for cap in [1, 2, 5] {
                CAP.set(cap);
                assert_eq!(
                    compare_principals(&before, &after),
                    all,
                    "seed {seed}, cap {cap}"
                );
            }
        }
    }
}
