//! Packing grants into the few managed policies IAM lets a principal have.
//!
//! Grants with the same principals (a *principal set*, within one account) share policies: a
//! set's grant parts (a grant is one part unless it alone is over the size limit,
//! `split.rs`) are spread over a *hash trie*: a node holds the parts whose name hashes start
//! with its bit path; a node whose parts fit one policy is a policy, and a node that does not
//! fit splits in two by the next bit. The trie is a function of the set's names and sizes
//! alone (no state, deterministic), and a node's policy is named by its path without trailing
//! zeros, so the left child `p0` keeps its parent's name. Why:
//! - changing or removing a grant changes the one policy that holds it (each part's one);
//! - adding one either fits its leaf (one policy changes) or splits that leaf: the leaf keeps
//!   its name and loses parts to a new policy (two change; more only if the hashes are so
//!   skewed that one side still does not fit); no other leaf is touched;
//! - removing one can merge a node's leaves back into the node: its left-most leaf (same
//!   name) gains, the others disappear;
//! - no policy is ever renamed: its identity is its set's hash and its node name.
//!
//! A grant thus only moves from a policy to one *below* it in the trie (a split) or from below
//! back up (a merge): `cloudformation.rs` and `terraform.rs` make each policy depend on the
//! ones below it, so the policy that gains a grant is written before the one that loses it,
//! and a policy that disappears is deleted last (README, "Deploying").
//!
//! When the trie cannot fit a set within its principals' quota, the set is packed first-fit
//! decreasing instead (`tight`: dense, but an edit may move grants between its policies).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::split::{DOC_OVERHEAD, statement_len};
use super::{Expanded, short_hash};
use crate::aws::limits::{MAX_INLINE_POLICY_CHARS, MAX_POLICY_CHARS, managed_policy_quota};
use crate::compile::config::{GrantSummary, Principal, PrincipalKind};
use crate::compile::policy::{PolicyDocument, Statement, VERSION};
use crate::diagnostic::{Diagnostic, Kind};

/// Where a template deploys: one stack per account and partition.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    pub partition: &'static str,
    pub account: String,
}

/// One grant part held by a packed policy, and how many statements of the policy it gave.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Item {
    #[serde(rename = "Grant")]
    pub grant: String,
    /// 1 for a whole grant; parts of a split grant count from 1.
    #[serde(rename = "Part")]
    pub part: usize,
    #[serde(rename = "Statements")]
    pub statements: usize,
}

/// One deployed policy: a managed policy attached to `principals`, or the inline policy of a
/// permission set (its one principal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packed {
    pub place: Place,
    /// The principal set's hash: 8 hex digits.
    pub set: String,
    /// The policy's name within the set: its trie path without trailing zeros, read as the
    /// binary number `1b₀b₁…` (the root is 1); 1, 2, 3... for a `tight` set.
    pub bucket: u64,
    /// The set's policies this one is written after: those below it in the trie.
    pub after: Vec<u64>,
    pub principals: Vec<Principal>,
    pub items: Vec<Item>,
    pub document: PolicyDocument,
    /// Packed first-fit decreasing rather than hashed (see the module comment).
    pub tight: bool,
}

impl Packed {
    /// Whether this is a permission set's inline policy.
    pub fn is_permission_set(&self) -> bool {
        self.principals
            .iter()
            .any(|p| p.kind == PrincipalKind::PermissionSet)
    }
}

/// A principal as IAM tells principals apart: names ignore case.
type Key = (PrincipalKind, String);

fn key(p: &Principal) -> Key {
    (p.kind, p.name.to_lowercase())
}

struct Set<'a> {
    principals: Vec<Principal>,
    /// (grant, part number, statements).
    parts: Vec<(&'a GrantSummary, usize, &'a [Statement])>,
}

/// A trie node: its path (bit `i` is the `i`-th branch taken) and depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Node {
    path: u64,
    depth: u32,
}

impl Node {
    /// The path without trailing zeros, as the number `1b₀b₁…`: a left child keeps its
    /// parent's name.
    fn name(self) -> u64 {
        let len = u64::BITS - self.path.leading_zeros();
        (0..len).fold(1, |n, i| 2 * n + ((self.path >> i) & 1))
    }

    /// Whether `other`'s trimmed path extends this one's: `other` is below it.
    fn above(self, other: Node) -> bool {
        let (a, b) = (trimmed_len(self.path), trimmed_len(other.path));
        b > a && other.path & ((1u64 << a) - 1) == self.path
    }
}

fn trimmed_len(path: u64) -> u32 {
    u64::BITS - path.leading_zeros()
}

/// The deepest a trie goes: 62 bits keep every name within a `u64`.
const MAX_DEPTH: u32 = 62;

/// The trie's leaves that hold parts, each with its parts in name order; `None` when parts
/// of equal hash prefixes cannot be separated.
fn trie(hashes: &[u64], weights: &[usize], limit: usize) -> Option<Vec<(Node, Vec<usize>)>> {
    let mut out = Vec::new();
    let mut stack = vec![(
        Node { path: 0, depth: 0 },
        (0..hashes.len()).collect::<Vec<_>>(),
    )];
    while let Some((node, members)) = stack.pop() {
        let weight: usize = members.iter().map(|i| weights[*i]).sum();
        if fits(weight, limit) {
            if !members.is_empty() {
                out.push((node, members));
            }
            continue;
        }
        if node.depth == MAX_DEPTH {
            return None;
        }
        let (right, left): (Vec<usize>, Vec<usize>) = members
            .into_iter()
            .partition(|i| (hashes[*i] >> node.depth) & 1 == 1);
        let depth = node.depth + 1;
        stack.push((
            Node {
                path: node.path,
                depth,
            },
            left,
        ));
        stack.push((
            Node {
                path: node.path | (1 << node.depth),
                depth,
            },
            right,
        ));
    }
    out.sort_by_key(|(n, _)| n.name());
    Some(out)
}

fn hash64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Every grant's parts packed per principal set; errors name the grants of a principal that
/// cannot fit its quota. `max_managed` is the file's `max_managed_policies` (users, roles).
pub fn pack(grants: &Expanded<'_>, max_managed: usize) -> Result<Vec<Packed>, Vec<Diagnostic>> {
    let sets = principal_sets(grants);
    let mut bins: Vec<(Bins, bool)> = Vec::with_capacity(sets.len());
    for set in sets.values() {
        let (limit, quota) = limits(&set.principals, max_managed);
        let weights = weights(set);
        bins.push(match hashed(set, &weights, limit, quota) {
            Some(b) => (b, false),
            None => (first_fit(&weights, limit), true),
        });
    }
    let mut over = over(&sets, &bins, max_managed);
    if !over.is_empty() {
        // Hashing chose each set's policies alone; a principal in several sets may need them
        // packed densely instead.
        for ((_, set), (b, tight)) in sets.iter().zip(bins.iter_mut()) {
            if !*tight
                && set
                    .principals
                    .iter()
                    .any(|p| over.iter().any(|(k, _)| *k == key(p)))
            {
                let (limit, _) = limits(&set.principals, max_managed);
                *b = first_fit(&weights(set), limit);
                *tight = true;
            }
        }
        over = self::over(&sets, &bins, max_managed);
    }
    if !over.is_empty() {
        return Err(over_quota(grants, over, max_managed));
    }
    let mut out = Vec::new();
    for (((place, _), set), (b, tight)) in sets.iter().zip(bins) {
        let id = set_id(place, &set.principals);
        for (bucket, members, after) in b {
            let mut items = Vec::new();
            let mut statement = Vec::new();
            for i in members {
                let (g, part, st) = set.parts[i];
                items.push(Item {
                    grant: g.name.clone(),
                    part,
                    statements: st.len(),
                });
                statement.extend_from_slice(st);
            }
            out.push(Packed {
                place: place.clone(),
                set: id.clone(),
                bucket,
                after,
                principals: set.principals.clone(),
                items,
                document: PolicyDocument {
                    version: VERSION.to_owned(),
                    statement,
                },
                tight,
            });
        }
    }
    Ok(out)
}

type Sets<'a> = BTreeMap<(Place, Vec<Key>), Set<'a>>;

/// The principals over their quota, with the policies they would need.
fn over(sets: &Sets<'_>, bins: &[(Bins, bool)], max_managed: usize) -> Vec<(Key, usize)> {
    // A principal in several sets holds the policies of each: count them all.
    let mut counts: HashMap<Key, usize> = HashMap::new();
    for ((_, set), (b, _)) in sets.iter().zip(bins) {
        let used = b.len();
        for p in &set.principals {
            *counts.entry(key(p)).or_default() += used;
        }
    }
    counts
        .into_iter()
        .filter(|((kind, _), n)| *n > managed_policy_quota(*kind, max_managed))
        .collect()
}

/// The sets, in a stable order, each with its parts in grant-name order. A permission set is
/// a set of its own (its one inline policy); the IAM principals of a grant form one set.
fn principal_sets<'a>(grants: &'a Expanded<'a>) -> Sets<'a> {
    let mut sets: Sets<'a> = BTreeMap::new();
    for (g, parts) in grants {
        let place = Place {
            partition: g.partition.as_str(),
            account: g.account.clone(),
        };
        let mut iam: Vec<&Principal> = g
            .who
            .iter()
            .filter(|p| p.kind != PrincipalKind::PermissionSet)
            .collect();
        iam.sort_by_key(|p| key(p));
        iam.dedup_by_key(|p| key(p));
        let mut groups: Vec<Vec<&Principal>> = g
            .who
            .iter()
            .filter(|p| p.kind == PrincipalKind::PermissionSet)
            .map(|p| vec![p])
            .collect();
        if !iam.is_empty() {
            groups.push(iam);
        }
        for ps in groups {
            let keys: Vec<Key> = ps.iter().map(|p| key(p)).collect();
            let set = sets.entry((place.clone(), keys)).or_insert_with(|| Set {
                principals: ps.iter().map(|p| (*p).clone()).collect(),
                parts: Vec::new(),
            });
            for (i, doc) in parts.iter().enumerate() {
                set.parts.push((g, i + 1, &doc.statement));
            }
        }
    }
    sets
}

/// The size limit of one policy of the set and how many policies its principals allow it.
fn limits(principals: &[Principal], max_managed: usize) -> (usize, usize) {
    if principals
        .iter()
        .any(|p| p.kind == PrincipalKind::PermissionSet)
    {
        return (MAX_INLINE_POLICY_CHARS, 1);
    }
    let quota = principals
        .iter()
        .map(|p| managed_policy_quota(p.kind, max_managed))
        .min()
        .unwrap_or(1);
    (MAX_POLICY_CHARS, quota)
}

/// A part's share of a policy's size: its statements and a comma each.
fn weights(set: &Set<'_>) -> Vec<usize> {
    set.parts
        .iter()
        .map(|(_, _, st)| st.iter().map(|s| statement_len(s) + 1).sum())
        .collect()
}

fn fits(weight: usize, limit: usize) -> bool {
    DOC_OVERHEAD + weight <= limit + 1
}

/// The set's trie leaves as policies: (name, parts, names of the policies below it); `None`
/// when they are more than `quota`.
fn hashed(set: &Set<'_>, weights: &[usize], limit: usize, quota: usize) -> Option<Bins> {
    let hashes: Vec<u64> = set
        .parts
        .iter()
        .map(|(g, part, _)| hash64(&format!("{}#{part}", g.name)))
        .collect();
    let leaves = trie(&hashes, weights, limit)?;
    if leaves.len() > quota {
        return None;
    }
    let bins = leaves
        .iter()
        .map(|(node, members)| {
            let below = leaves
                .iter()
                .filter(|(other, _)| node.above(*other))
                .map(|(other, _)| other.name())
                .collect();
            (node.name(), members.clone(), below)
        })
        .collect();
    Some(bins)
}

/// A set's policies: (name, the parts it holds, the names of the policies it is written after).
type Bins = Vec<(u64, Vec<usize>, Vec<u64>)>;

/// First-fit decreasing (ties by position, so deterministic); each bin's parts in name order.
fn first_fit(weights: &[usize], limit: usize) -> Bins {
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| weights[*b].cmp(&weights[*a]).then(a.cmp(b)));
    let mut bins: Vec<(usize, Vec<usize>)> = Vec::new();
    for i in order {
        match bins.iter_mut().find(|(u, _)| fits(u + weights[i], limit)) {
            Some((u, b)) => {
                *u += weights[i];
                b.push(i);
            }
            None => bins.push((weights[i], vec![i])),
        }
    }
    bins.into_iter()
        .zip(1..)
        .map(|((_, mut b), name)| {
            b.sort_unstable();
            (name, b, Vec::new())
        })
        .collect()
}

/// The set's hash: its place and its principals, so it never changes while they do not.
fn set_id(place: &Place, principals: &[Principal]) -> String {
    let mut text = format!("{}:{}", place.partition, place.account);
    for p in principals {
        text.push('\n');
        text.push_str(&format!("{}:{}", p.kind.as_str(), p.name.to_lowercase()));
    }
    short_hash(&text)
}

/// One located error per principal over its quota, at each `who` entry naming it.
fn over_quota(
    grants: &Expanded<'_>,
    mut over: Vec<(Key, usize)>,
    max_managed: usize,
) -> Vec<Diagnostic> {
    over.sort();
    let mut out = Vec::new();
    for ((kind, lower), needed) in over {
        let lower = &lower;
        let entries: Vec<(&GrantSummary, &Principal, Range<usize>)> = grants
            .iter()
            .flat_map(|(g, _)| {
                g.who
                    .iter()
                    .enumerate()
                    .filter(move |(_, p)| p.kind == kind && p.name.to_lowercase() == *lower)
                    .map(|(i, p)| (*g, p, g.who_spans.get(i).cloned().unwrap_or(g.span.clone())))
            })
            .collect();
        let Some((first, principal, span)) = entries.first().cloned() else {
            continue;
        };
        let names: Vec<&str> = entries.iter().map(|(g, _, _)| g.name.as_str()).collect();
        let quota = managed_policy_quota(kind, max_managed);
        let (what, help) = match kind {
            PrincipalKind::PermissionSet => (
                "its one inline policy of 10,240 characters".to_owned(),
                "a permission set has one inline policy: give some of these grants to another permission set".to_owned(),
            ),
            PrincipalKind::Group => (
                format!("the {quota} managed policies IAM allows a group"),
                "give some of these grants to another group of the same members, or give them the same `who` so they share policies".to_owned(),
            ),
            _ => (
                format!("the {quota} managed policies allowed (`max_managed_policies`, at most 20)"),
                format!("give some of these grants to a group, give them the same `who` so they share policies, or raise the account's quota and set max_managed_policies (now {max_managed}, at most 20)"),
            ),
        };
        let mut d = Diagnostic::new(
            Kind::TooManyAttachments,
            format!(
                "the grants of {principal} do not fit {what}: packed, they need {needed}: grants {}",
                names.join(", ")
            ),
        )
        .at(span)
        .label(format!("given by grant `{}`", first.name))
        .help(help);
        for (g, _, span) in &entries[1..] {
            d = d.related(span.clone(), format!("given by grant `{}`", g.name));
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_children_keep_their_parents_name() {
        let root = Node { path: 0, depth: 0 };
        let left = Node { path: 0, depth: 1 };
        let right = Node { path: 1, depth: 1 };
        let right_left = Node { path: 1, depth: 2 };
        let right_right = Node {
            path: 0b11,
            depth: 2,
        };
        assert_eq!((root.name(), left.name()), (1, 1));
        assert_eq!(
            (right.name(), right_left.name(), right_right.name()),
            (3, 3, 7)
        );
        assert_eq!(
            Node {
                path: 0b10,
                depth: 2
            }
            .name(),
            5
        );
        assert!(left.above(right) && left.above(right_right) && right.above(right_right));
        assert!(!right.above(left) && !right_right.above(right));
    }

    #[test]
    fn adding_a_part_changes_only_the_leaf_it_lands_in_and_its_split() {
        let hashes: Vec<u64> = (0..60).map(|i| hash64(&format!("grant-{i}#1"))).collect();
        let weights: Vec<usize> = (0..60).map(|i| 300 + 37 * (i % 11)).collect();
        let leaves = |n: usize| -> BTreeMap<u64, Vec<usize>> {
            trie(&hashes[..n], &weights[..n], 6144)
                .unwrap()
                .into_iter()
                .map(|(node, m)| (node.name(), m))
                .collect()
        };
        for n in 1..60 {
            let (before, after) = (leaves(n), leaves(n + 1));
            let changed: Vec<&u64> = after
                .keys()
                .chain(before.keys())
                .filter(|k| before.get(k) != after.get(k))
                .collect();
            let mut changed = changed;
            changed.sort();
            changed.dedup();
            assert!(changed.len() <= 3, "{n}: {changed:?}");
            // Parts other than the new one stay or move below their old policy.
            let old = |i: usize, m: &BTreeMap<u64, Vec<usize>>| {
                *m.iter().find(|(_, v)| v.contains(&i)).unwrap().0
            };
            for i in 0..n {
                let (a, b) = (old(i, &before), old(i, &after));
                assert!(a == b || b > a, "part {i} moved from {a} to {b}");
            }
        }
    }

    #[test]
    fn first_fit_fills_bins_within_the_limit() {
        let bins = first_fit(&[3000, 3000, 3000, 100], 6144);
        assert_eq!(bins.len(), 2);
        for (_, b, _) in &bins {
            assert!(fits(
                b.iter().map(|i| [3000, 3000, 3000, 100][*i]).sum(),
                6144
            ));
        }
    }
}
