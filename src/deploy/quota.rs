//! Principals whose packed policies exceed their quota: counted across their sets, and
//! reported once each at every `who` entry naming them.

use std::collections::HashMap;
use std::ops::Range;

use super::Expanded;
use super::pack::{Key, Sets, key};
use super::trie::Bins;
use crate::aws::limits::managed_policy_quota;
use crate::compile::config::{GrantSummary, Principal, PrincipalKind};
use crate::diagnostic::{Diagnostic, Kind};

/// The principals over their quota, with the policies they would need.
pub(super) fn over(
    sets: &Sets<'_>,
    bins: &[(Bins, bool)],
    max_managed: usize,
) -> Vec<(Key, usize)> {
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

/// One located error per principal over its quota, at each `who` entry naming it.
pub(super) fn over_quota(
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
