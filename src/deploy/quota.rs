//! Principals whose packed policies exceed their quota: counted across their sets, and
//! reported once each at every `who` entry naming them.

use std::collections::HashMap;
use std::ops::Range;

use super::Expanded;
use super::pack::{Key, Sets, key};
use super::trie::Bins;
use crate::aws::limits::managed_policy_quota;
use crate::compile::config::{GrantSummary, Principal};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::Problem;
use crate::diagnostic::message::deploy::{Deploy, Givers};

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
        let givers = Givers {
            grants: names,
            first: first.name.as_str(),
            others: entries[1..]
                .iter()
                .map(|(g, _, span)| (span.clone(), g.name.as_str()))
                .collect(),
        };
        let problem = Deploy::PackedOverQuota {
            principal,
            quota: managed_policy_quota(kind, max_managed),
            max_managed,
            needed,
            givers,
        };
        out.push(problem.at(span));
    }
    out
}
