//! Deterministic automata over a finite alphabet of character classes.
//!
//! Why hand-written: `regex-automata` builds and runs DFAs, but offers no product, complement or
//! emptiness test, and works on UTF-8 bytes (a `?` is one character, several bytes). Globs only
//! ever distinguish the characters they spell, so each dimension gets an alphabet of those
//! characters plus one class, OTHER, for every other character; over that alphabet the subset
//! construction, products and breadth-first search below are exact and small.

use super::pattern::is_symbol;
use std::collections::{HashMap, VecDeque};

/// The characters a dimension's patterns spell, plus the OTHER class.
#[derive(Clone, Debug, Default)]
pub(crate) struct Alphabet {
    chars: Vec<char>,
    /// ARN fields before the resource never hold a colon.
    pub(crate) no_colon: bool,
}

impl Alphabet {
    pub(crate) fn new(mut chars: Vec<char>, no_colon: bool) -> Alphabet {
        chars.sort();
        chars.dedup();
        Alphabet { chars, no_colon }
    }

    pub(crate) fn classes(&self) -> usize {
        self.chars.len() + 1
    }

    pub(crate) fn class(&self, c: char) -> usize {
        self.chars.binary_search(&c).unwrap_or(self.chars.len())
    }

    fn is_symbol_class(&self, k: usize) -> bool {
        self.chars.get(k).is_some_and(|c| is_symbol(*c))
    }

    /// A character of class `k`: the letter itself, or for OTHER one the patterns never spell.
    pub(crate) fn representative(&self, k: usize) -> char {
        if let Some(c) = self.chars.get(k) {
            return *c;
        }
        "x0123456789abcdefghijklmnopqrstuvwyzXYZ_-.~"
            .chars()
            .find(|c| self.chars.binary_search(c).is_err())
            .unwrap_or('\u{00e9}')
    }
}

/// One position of a glob, characters already fixed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Atom {
    Char(char),
    /// Either character (`Bool` compares case-insensitively).
    Either(char, char),
    /// One character, never a variable's symbol (see `decide.rs`).
    Any,
    Star,
}

/// A complete DFA; state 0 is the start, every state is reachable.
#[derive(Clone, Debug)]
pub(crate) struct Dfa {
    k: usize,
    trans: Vec<u32>,
    accept: Vec<bool>,
}

impl Dfa {
    /// The union of the globs' languages (subset construction over glob positions).
    pub(crate) fn from_globs(alpha: &Alphabet, globs: &[Vec<Atom>]) -> Dfa {
        let k = alpha.classes();
        let start = closure(globs, (0..globs.len() as u32).map(|g| (g, 0)).collect());
        let mut ids: HashMap<Vec<(u32, u32)>, u32> = HashMap::new();
        let mut sets = vec![start.clone()];
        ids.insert(start, 0);
        let mut dfa = Dfa {
            k,
            trans: Vec::new(),
            accept: Vec::new(),
        };
        let mut next_set = 0;
        while next_set < sets.len() {
            let set = sets[next_set].clone();
            next_set += 1;
            dfa.accept.push(
                set.iter()
                    .any(|&(g, p)| p as usize == globs[g as usize].len()),
            );
            let mut id_of = |to: Vec<(u32, u32)>| {
                *ids.entry(to.clone()).or_insert_with(|| {
                    sets.push(to);
                    (sets.len() - 1) as u32
                })
            };
            // Classes no atom here names behave alike: compute their successor once.
            let named = named_classes(alpha, globs, &set);
            let row = dfa.trans.len();
            dfa.trans.resize(row + k, 0);
            if let Some(u) = (0..k).find(|c| named.binary_search(c).is_err()) {
                let id = id_of(step(alpha, globs, &set, u));
                for c in (0..k).filter(|c| named.binary_search(c).is_err()) {
                    dfa.trans[row + c] = id;
                }
            }
            for &c in &named {
                dfa.trans[row + c] = id_of(step(alpha, globs, &set, c));
            }
        }
        dfa
    }

    fn next(&self, state: u32, class: usize) -> u32 {
        self.trans[state as usize * self.k + class]
    }

    /// The product automaton accepting where `keep(self accepts, other accepts)`.
    pub(crate) fn product(&self, other: &Dfa, keep: fn(bool, bool) -> bool) -> Dfa {
        debug_assert_eq!(self.k, other.k);
        let mut ids: HashMap<(u32, u32), u32> = HashMap::new();
        let mut pairs = vec![(0u32, 0u32)];
        ids.insert((0, 0), 0);
        let mut dfa = Dfa {
            k: self.k,
            trans: Vec::new(),
            accept: Vec::new(),
        };
        let mut i = 0;
        while i < pairs.len() {
            let (a, b) = pairs[i];
            i += 1;
            dfa.accept
                .push(keep(self.accept[a as usize], other.accept[b as usize]));
            for class in 0..self.k {
                let to = (self.next(a, class), other.next(b, class));
                let id = *ids.entry(to).or_insert_with(|| {
                    pairs.push(to);
                    (pairs.len() - 1) as u32
                });
                dfa.trans.push(id);
            }
        }
        dfa
    }

    pub(crate) fn complement(&self) -> Dfa {
        let mut out = self.clone();
        out.accept.iter_mut().for_each(|a| *a = !*a);
        out
    }

    /// Every state is reachable, so the language is empty exactly when no state accepts.
    pub(crate) fn is_empty(&self) -> bool {
        !self.accept.iter().any(|a| *a)
    }

    pub(crate) fn accepts(&self, alpha: &Alphabet, text: &str) -> bool {
        let mut state = 0;
        for c in text.chars() {
            if alpha.no_colon && c == ':' {
                return false;
            }
            state = self.next(state, alpha.class(c));
        }
        self.accept[state as usize]
    }

    /// A shortest member (breadth-first search), OTHER written as an unused character.
    pub(crate) fn shortest(&self, alpha: &Alphabet) -> Option<String> {
        let mut from: Vec<Option<(u32, usize)>> = vec![None; self.accept.len()];
        let mut seen = vec![false; self.accept.len()];
        let mut queue = VecDeque::from([0u32]);
        seen[0] = true;
        while let Some(s) = queue.pop_front() {
            if self.accept[s as usize] {
                let mut path = Vec::new();
                let mut at = s;
                while let Some((prev, class)) = from[at as usize] {
                    path.push(alpha.representative(class));
                    at = prev;
                }
                return Some(path.into_iter().rev().collect());
            }
            for class in 0..self.k {
                let t = self.next(s, class);
                if !seen[t as usize] {
                    seen[t as usize] = true;
                    from[t as usize] = Some((s, class));
                    queue.push_back(t);
                }
            }
        }
        None
    }
}

/// Adds the positions after each star (a star may match nothing); sorted, deduplicated.
fn closure(globs: &[Vec<Atom>], mut set: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let mut i = 0;
    while i < set.len() {
        let (g, p) = set[i];
        if globs[g as usize].get(p as usize) == Some(&Atom::Star) {
            set.push((g, p + 1));
        }
        i += 1;
    }
    set.sort_unstable();
    set.dedup();
    set
}

/// The positions reached from `set` on one character of `class`.
fn step(
    alpha: &Alphabet,
    globs: &[Vec<Atom>],
    set: &[(u32, u32)],
    class: usize,
) -> Vec<(u32, u32)> {
    let mut to = Vec::new();
    for &(g, p) in set {
        let advance = match globs[g as usize].get(p as usize) {
            Some(Atom::Char(c)) => alpha.class(*c) == class,
            Some(Atom::Either(a, b)) => alpha.class(*a) == class || alpha.class(*b) == class,
            Some(Atom::Any) => !alpha.is_symbol_class(class),
            Some(Atom::Star) => {
                to.push((g, p));
                false
            }
            None => false,
        };
        if advance {
            to.push((g, p + 1));
        }
    }
    closure(globs, to)
}

/// The classes the atoms at `set` name (plus the variables' symbols), sorted.
fn named_classes(alpha: &Alphabet, globs: &[Vec<Atom>], set: &[(u32, u32)]) -> Vec<usize> {
    let mut named: Vec<usize> = (0..alpha.classes())
        .filter(|&c| alpha.is_symbol_class(c))
        .collect();
    for &(g, p) in set {
        match globs[g as usize].get(p as usize) {
            Some(Atom::Char(c)) => named.push(alpha.class(*c)),
            Some(Atom::Either(a, b)) => named.extend([alpha.class(*a), alpha.class(*b)]),
            _ => {}
        }
    }
    named.sort_unstable();
    named.dedup();
    named
}
