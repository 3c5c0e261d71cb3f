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

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::compact::{self, Compact};
use super::trie::{Bins, first_fit, hash64, hashed};
use super::{Expanded, quota, short_hash};
use crate::aws::limits::{MAX_INLINE_POLICY_CHARS, MAX_POLICY_CHARS, managed_policy_quota};
use crate::compile::config::{GrantSummary, Principal, PrincipalKind};
use crate::compile::policy::PolicyDocument;
use crate::diagnostic::Diagnostic;

/// Where a template deploys: one stack per account and partition.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    pub partition: &'static str,
    /// Shared by the policies of the account.
    pub account: Arc<str>,
}

/// A principal set's hash: 8 hex digits, held inline (400,000 sets of a policy each).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SetId([u8; 8]);

impl SetId {
    fn new(hex: &str) -> Self {
        SetId(
            hex.as_bytes()
                .try_into()
                .expect("a set hash is 8 hex digits"),
        )
    }
}

impl Deref for SetId {
    type Target = str;
    fn deref(&self) -> &str {
        std::str::from_utf8(&self.0).expect("hex digits")
    }
}

impl fmt::Display for SetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for SetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &**self)
    }
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
    /// The principal set's hash.
    pub set: SetId,
    /// The policy's name within the set: its trie path without trailing zeros, read as the
    /// binary number `1b₀b₁…` (the root is 1); 1, 2, 3... for a `tight` set.
    pub bucket: u64,
    /// The set's policies this one is written after: those below it in the trie.
    pub after: Box<[u64]>,
    pub principals: Box<[Principal]>,
    pub items: Box<[Item]>,
    /// The compact documents of its grant parts, one per item: the policy holds their
    /// statements in this order. Shared with the plan's policy files, never copied.
    pub parts: Box<[Compact]>,
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

    /// The policy's document as compact JSON, into `out`.
    pub fn compact_into(&self, out: &mut Vec<u8>) {
        compact::join(self.parts.iter(), out);
    }

    /// The policy's document.
    pub fn document(&self) -> PolicyDocument {
        let mut bytes = Vec::new();
        self.compact_into(&mut bytes);
        serde_json::from_slice(&bytes).expect("joined compact documents parse")
    }
}

/// A principal as IAM tells principals apart: names ignore case.
pub(super) type Key = (PrincipalKind, String);

pub(super) fn key(p: &Principal) -> Key {
    (p.kind, p.name.to_lowercase())
}

pub(super) struct Set<'a> {
    pub(super) principals: Vec<&'a Principal>,
    /// (grant, part number, compact document).
    parts: Vec<(&'a GrantSummary, usize, &'a Compact)>,
}

/// Every grant's parts packed per principal set; errors name the grants of a principal that
/// cannot fit its quota. `max_managed` is the file's `max_managed_policies` (users, roles).
pub fn pack(grants: &Expanded<'_>, max_managed: usize) -> Result<Vec<Packed>, Vec<Diagnostic>> {
    let sets = principal_sets(grants);
    let mut bins: Vec<(Bins, bool)> = Vec::with_capacity(sets.len());
    for set in sets.values() {
        let (limit, quota) = limits(&set.principals, max_managed);
        let weights = weights(set);
        let hashes: Vec<u64> = set
            .parts
            .iter()
            .map(|(g, part, _)| hash64(&format!("{}#{part}", g.name)))
            .collect();
        bins.push(match hashed(&hashes, &weights, limit, quota) {
            Some(b) => (b, false),
            None => (first_fit(&weights, limit), true),
        });
    }
    let mut over = quota::over(&sets, &bins, max_managed);
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
        over = quota::over(&sets, &bins, max_managed);
    }
    if !over.is_empty() {
        return Err(quota::over_quota(grants, over, max_managed));
    }
    Ok(policies(sets, bins))
}

/// The packed policies of every set, in set order.
fn policies(sets: Sets<'_>, bins: Vec<(Bins, bool)>) -> Vec<Packed> {
    // Exact size: a vector grown by doubling held up to twice the policies of 400,000 sets.
    let mut out = Vec::with_capacity(bins.iter().map(|(b, _)| b.len()).sum());
    let mut shared: Option<Arc<str>> = None;
    for (((partition, account, _), set), (b, tight)) in sets.into_iter().zip(bins) {
        let id = SetId::new(&set_id(partition, account, &set.principals));
        // Sets are in account order: one copy of each account's number.
        let account = match shared.take() {
            Some(a) if *a == *account => a,
            _ => Arc::from(account),
        };
        shared = Some(account.clone());
        let place = Place { partition, account };
        for (bucket, members, after) in b {
            // Exact sizes: `unzip` reserves four of each, and most policies hold one grant.
            let mut items = Vec::with_capacity(members.len());
            let mut parts = Vec::with_capacity(members.len());
            for i in members {
                let (g, part, doc) = set.parts[i];
                items.push(Item {
                    grant: g.name.clone(),
                    part,
                    statements: doc.statement_count(),
                });
                parts.push(doc.clone());
            }
            out.push(Packed {
                place: place.clone(),
                set: id,
                bucket,
                after: after.into(),
                principals: set.principals.iter().map(|p| (*p).clone()).collect(),
                items: items.into(),
                parts: parts.into(),
                tight,
            });
        }
    }
    out
}

/// A set's place (partition, account) and its principals as IAM tells them apart, borrowed
/// from the grants: 400,000 sets of owned keys were a large part of the peak (issue 16).
type SetKey<'a> = (&'static str, &'a str, Vec<(PrincipalKind, Cow<'a, str>)>);

pub(super) type Sets<'a> = BTreeMap<SetKey<'a>, Set<'a>>;

/// [`key`] borrowed where the name is lower case already.
fn borrowed_key(p: &Principal) -> (PrincipalKind, Cow<'_, str>) {
    let name = &p.name;
    if name
        .bytes()
        .any(|b| !b.is_ascii() || b.is_ascii_uppercase())
    {
        (p.kind, Cow::Owned(name.to_lowercase()))
    } else {
        (p.kind, Cow::Borrowed(name.as_str()))
    }
}

/// The sets, in a stable order, each with its parts in grant-name order. A permission set is
/// a set of its own (its one inline policy); the IAM principals of a grant form one set.
fn principal_sets<'a>(grants: &'a Expanded<'a>) -> Sets<'a> {
    let mut sets: Sets<'a> = BTreeMap::new();
    for (g, parts) in grants {
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
            let keys = ps.iter().map(|p| borrowed_key(p)).collect();
            let place = (g.partition.as_str(), g.account.as_str());
            let set = sets.entry((place.0, place.1, keys)).or_insert_with(|| Set {
                principals: ps,
                // Most sets hold one grant: a first push would reserve four.
                parts: Vec::with_capacity(1),
            });
            for (i, doc) in parts.iter().enumerate() {
                set.parts.push((g, i + 1, doc));
            }
        }
    }
    sets
}

/// The size limit of one policy of the set and how many policies its principals allow it.
fn limits(principals: &[&Principal], max_managed: usize) -> (usize, usize) {
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
    set.parts.iter().map(|(_, _, doc)| doc.weight()).collect()
}

/// The set's hash: its place and its principals, so it never changes while they do not.
fn set_id(partition: &str, account: &str, principals: &[&Principal]) -> String {
    let mut text = format!("{partition}:{account}");
    for p in principals {
        text.push('\n');
        text.push_str(&format!("{}:{}", p.kind.as_str(), p.name.to_lowercase()));
    }
    short_hash(&text)
}
