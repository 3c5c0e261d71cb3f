//! The language of one dimension and its boolean operations. Most of what we emit is literal
//! (action names, regions, accounts, document names) or `*`, so a language is kept as "all",
//! a finite set, or an automaton, and automata are built only when a wildcard needs one: a
//! finite set meets an automaton by running it on each member.

use super::dfa::{Atom, Dfa};
use super::space::Dim;
use std::rc::Rc;

#[derive(Clone, Debug)]
pub(crate) enum Strings {
    All,
    /// Sorted, without duplicates.
    Finite(Rc<Vec<String>>),
    Dfa(Rc<Dfa>),
}

/// Whether "absent" belongs to the language, and which strings do.
#[derive(Clone, Debug)]
pub(crate) struct Lang {
    pub(crate) absent: bool,
    pub(crate) strings: Strings,
}

impl Lang {
    pub(crate) fn contains(&self, dim: &Dim, s: &str) -> bool {
        match &self.strings {
            Strings::All => !(dim.alpha.no_colon && s.contains(':')),
            Strings::Finite(set) => set.binary_search_by(|x| x.as_str().cmp(s)).is_ok(),
            Strings::Dfa(d) => d.accepts(&dim.alpha, s),
        }
    }
}

pub(crate) fn finite(mut items: Vec<String>) -> Strings {
    items.sort();
    items.dedup();
    Strings::Finite(Rc::new(items))
}

fn dfa(dim: &Dim, s: &Strings) -> Rc<Dfa> {
    match s {
        Strings::All => Rc::new(dim.empty.complement()),
        Strings::Finite(set) => {
            let globs: Vec<Vec<Atom>> = set
                .iter()
                .map(|s| s.chars().map(Atom::Char).collect())
                .collect();
            Rc::new(Dfa::from_globs(&dim.alpha, &globs))
        }
        Strings::Dfa(d) => d.clone(),
    }
}

fn filter(set: &[String], keep: impl Fn(&str) -> bool) -> Strings {
    Strings::Finite(Rc::new(set.iter().filter(|s| keep(s)).cloned().collect()))
}

pub(crate) fn inter(dim: &Dim, a: &Lang, b: &Lang) -> Lang {
    let strings = match (&a.strings, &b.strings) {
        (Strings::All, x) | (x, Strings::All) => x.clone(),
        (Strings::Finite(x), other) | (other, Strings::Finite(x)) => {
            let other = Lang {
                absent: false,
                strings: other.clone(),
            };
            filter(x, |s| other.contains(dim, s))
        }
        (Strings::Dfa(x), Strings::Dfa(y)) => Strings::Dfa(Rc::new(x.product(y, |p, q| p && q))),
    };
    Lang {
        absent: a.absent && b.absent,
        strings,
    }
}

pub(crate) fn minus(dim: &Dim, a: &Lang, b: &Lang) -> Lang {
    let strings = match (&a.strings, &b.strings) {
        (_, Strings::All) => Strings::Finite(Rc::new(Vec::new())),
        (Strings::Finite(x), _) => filter(x, |s| !b.contains(dim, s)),
        (x, y) => Strings::Dfa(Rc::new(dfa(dim, x).product(&dfa(dim, y), |p, q| p && !q))),
    };
    Lang {
        absent: a.absent && !b.absent,
        strings,
    }
}

pub(crate) fn is_empty(l: &Lang) -> bool {
    !l.absent
        && match &l.strings {
            Strings::All => false,
            Strings::Finite(set) => set.is_empty(),
            Strings::Dfa(d) => d.is_empty(),
        }
}

/// Whether `l` is everything its dimension can hold (then nothing is subtracted there).
pub(crate) fn is_full(l: &Lang, optional: bool) -> bool {
    matches!(l.strings, Strings::All) && l.absent == optional
}
