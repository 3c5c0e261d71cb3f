//! The hash trie that spreads a principal set's grant parts over its policies, and the dense
//! first-fit packing used when the trie needs more policies than the quota allows (see
//! `pack.rs` for why a trie).

use super::split::DOC_OVERHEAD;

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

pub(super) fn hash64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub(super) fn fits(weight: usize, limit: usize) -> bool {
    DOC_OVERHEAD + weight <= limit + 1
}

/// The trie leaves of a set's parts (their name hashes and weights) as policies: (name, parts,
/// names of the policies below it); `None` when they are more than `quota`.
pub(super) fn hashed(
    hashes: &[u64],
    weights: &[usize],
    limit: usize,
    quota: usize,
) -> Option<Bins> {
    let leaves = trie(hashes, weights, limit)?;
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
pub(super) type Bins = Vec<(u64, Vec<usize>, Vec<u64>)>;

/// First-fit decreasing (ties by position, so deterministic); each bin's parts in name order.
pub(super) fn first_fit(weights: &[usize], limit: usize) -> Bins {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

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
