//! Statements as boxes: one language per dimension (the action, the six ARN fields, each
//! condition key), a request being one point. A statement with several resources is a union
//! of boxes; subtraction of one box from another splits it into at most one box per dimension.

use super::dfa::{Alphabet, Atom, Dfa};
use super::lang::{Lang, Strings, finite, inter};
use super::model::{Op, Resource, Statement};
use super::pattern::{Binding, Seg, instantiate, is_universal};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

#[derive(Clone, Debug)]
pub(crate) struct Dim {
    pub(crate) alpha: Alphabet,
    /// Condition keys may be absent; the action and the ARN fields never are.
    pub(crate) optional: bool,
    /// Condition key as first spelled (empty for the action and ARN fields).
    pub(crate) spelled: String,
    /// The empty language over this alphabet (what `x - everything` leaves).
    pub(crate) empty: Rc<Dfa>,
}

pub(crate) const ACTION: usize = 0;
pub(crate) const ARN: usize = 1;
pub(crate) const KEYS: usize = 7;

/// The dimensions shared by every box of one comparison.
#[derive(Clone, Debug)]
pub(crate) struct Space {
    pub(crate) dims: Vec<Dim>,
    pub(crate) keys: BTreeMap<String, usize>,
    /// Automata already built, by dimension and patterns: emitted policies repeat
    /// `instance/*` and the like in statement after statement.
    built: RefCell<HashMap<Built, Strings>>,
}

pub(crate) type Bx = Vec<Lang>;

/// A dimension and the patterns whose automaton was built there.
type Built = (usize, Vec<Vec<Seg>>);

impl Space {
    /// Collects every dimension and the characters its patterns spell, over all statements.
    pub(crate) fn new(statements: &[&Statement], symbols: &[char]) -> Space {
        let mut chars: Vec<Vec<char>> = vec![Vec::new(); KEYS];
        let mut keys: BTreeMap<String, usize> = BTreeMap::new();
        let mut spelled: Vec<String> = vec![String::new(); KEYS];
        let lits = |segs: &[Seg], out: &mut Vec<char>| {
            out.extend(segs.iter().filter_map(|s| match s {
                Seg::Lit(c) => Some(*c),
                _ => None,
            }))
        };
        for s in statements {
            for a in &s.actions {
                lits(a, &mut chars[ACTION]);
            }
            for r in &s.resources {
                if let Resource::Arn(fields) = r {
                    for (i, f) in fields.iter().enumerate() {
                        lits(f, &mut chars[ARN + i]);
                    }
                }
            }
            for c in &s.clauses {
                let dim = *keys.entry(c.key.clone()).or_insert_with(|| {
                    chars.push(Vec::new());
                    spelled.push(c.spelled.clone());
                    chars.len() - 1
                });
                for v in &c.values {
                    lits(v, &mut chars[dim]);
                    if let Op::Bool { .. } = c.op {
                        lits(v, &mut chars[dim]);
                        chars[dim].extend(v.iter().filter_map(|s| match s {
                            Seg::Lit(c) => Some(c.to_ascii_uppercase()),
                            _ => None,
                        }));
                    }
                }
            }
        }
        // Variable values can reach the last ARN field and condition values, and a variable
        // value may hold any character: give the values a name (their own class) everywhere.
        let dims = chars
            .into_iter()
            .zip(spelled)
            .enumerate()
            .map(|(i, (mut cs, spelled))| {
                cs.extend_from_slice(symbols);
                let alpha = Alphabet::new(cs, (ARN..ARN + 5).contains(&i));
                let empty = Rc::new(Dfa::from_globs(&alpha, &[]));
                Dim {
                    alpha,
                    optional: i >= KEYS,
                    spelled,
                    empty,
                }
            })
            .collect();
        // Keys were numbered in first-seen order; the map gives each its dimension.
        Space {
            dims,
            keys,
            built: RefCell::default(),
        }
    }

    pub(crate) fn full(&self, dim: usize) -> Lang {
        Lang {
            absent: self.dims[dim].optional,
            strings: Strings::All,
        }
    }

    pub(crate) fn full_box(&self) -> Bx {
        (0..self.dims.len()).map(|d| self.full(d)).collect()
    }

    fn globs(&self, dim: usize, globs: Vec<Vec<Atom>>) -> Strings {
        Strings::Dfa(Rc::new(Dfa::from_globs(&self.dims[dim].alpha, &globs)))
    }

    /// A glob dimension from patterns (variables already bound).
    fn pattern_lang(&self, dim: usize, patterns: &[Vec<Seg>]) -> Lang {
        let literal = |p: &Vec<Seg>| p.iter().all(|s| matches!(s, Seg::Lit(_)));
        let strings = if patterns.iter().any(|p| is_universal(p)) {
            Strings::All
        } else if patterns.iter().all(literal) {
            let text = |p: &Vec<Seg>| {
                p.iter()
                    .map(|s| match s {
                        Seg::Lit(c) => *c,
                        _ => unreachable!(),
                    })
                    .collect()
            };
            finite(patterns.iter().map(text).collect())
        } else {
            let key = (dim, patterns.to_vec());
            if let Some(done) = self.built.borrow().get(&key) {
                return Lang {
                    absent: false,
                    strings: done.clone(),
                };
            }
            let made = self.globs(dim, patterns.iter().map(|p| atoms(p)).collect());
            self.built.borrow_mut().insert(key, made.clone());
            made
        };
        Lang {
            absent: false,
            strings,
        }
    }

    /// The boxes of one statement under the given variable bindings (none: it allows nothing).
    pub(crate) fn boxes(&self, s: &Statement, env: &[Binding; 2]) -> Vec<Bx> {
        let mut base = self.full_box();
        base[ACTION] = self.pattern_lang(ACTION, &s.actions);
        for c in &s.clauses {
            let dim = self.keys[&c.key];
            let values: Vec<Vec<Seg>> = c
                .values
                .iter()
                .filter_map(|v| instantiate(v, env))
                .collect();
            let lang = match c.op {
                _ if values.is_empty() => return Vec::new(),
                Op::StringLike | Op::StringEquals => self.pattern_lang(dim, &values),
                Op::Bool { if_exists } => Lang {
                    absent: if_exists,
                    strings: self.globs(dim, values.iter().map(|v| folded(v)).collect()),
                },
            };
            base[dim] = inter(&self.dims[dim], &base[dim], &lang);
        }
        let mut out = Vec::new();
        for r in &s.resources {
            let mut b = base.clone();
            if let Resource::Arn(fields) = r {
                let mut bound = Vec::new();
                for f in fields.iter() {
                    match instantiate(f, env) {
                        Some(segs) => bound.push(segs),
                        None => break,
                    }
                }
                if bound.len() < 6 {
                    continue;
                }
                for (i, f) in bound.iter().enumerate() {
                    b[ARN + i] = self.pattern_lang(ARN + i, std::slice::from_ref(f));
                }
            }
            if !is_empty_box(&b) {
                out.push(b);
            }
        }
        out
    }
}

fn atoms(segs: &[Seg]) -> Vec<Atom> {
    segs.iter()
        .map(|s| match s {
            Seg::Lit(c) => Atom::Char(*c),
            Seg::Star => Atom::Star,
            Seg::Any => Atom::Any,
            Seg::Var(_) => unreachable!("variables are bound before automata are built"),
        })
        .collect()
}

fn folded(segs: &[Seg]) -> Vec<Atom> {
    segs.iter()
        .map(|s| match s {
            Seg::Lit(c) => Atom::Either(c.to_ascii_lowercase(), c.to_ascii_uppercase()),
            _ => unreachable!("Bool values are literal"),
        })
        .collect()
}

pub(crate) fn is_empty_box(b: &Bx) -> bool {
    b.iter().any(super::lang::is_empty)
}
