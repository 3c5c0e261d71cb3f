//! The decision procedures: which requests `after` allows and `before` does not.
//!
//! Policy variables relate dimensions (`session/${aws:username}-*` ties the resource to the
//! context), which a box cannot express. A variable the principal fixes (`user:alice` has
//! `aws:username = alice`; a role has none) is substituted, which is exact. A variable it does
//! not fix is decided in two worlds: absent, and present with a value written as one private
//! symbol `U` that only `*` and the variable itself match (never `?` nor a letter).
//!
//! Why the symbolic world is sound for "no new access": take any value `u` and any request `w`
//! allowed by `after[u]`. Write `w'` for `w` with the characters that came from `u` replaced by
//! `U`; `w'` is in `after[U]`, hence (if the check passed) in some `before[U]` statement. In that
//! match each `U` was consumed by a `*` or by `${var}` itself; substituting `u` back, the same
//! `*` consumes `u` and `${var}` becomes `u`, so `before[u]` allows `w`. The converse does not
//! hold (`x${aws:username}` is inside `x` + `x?` + `x??*` for every value, not for `U`), so a
//! symbolic witness is only returned once a concrete value confirms it; failing that, exact
//! runs with a few concrete values are tried, and failing those the answer is `Undecidable`.

use super::eval::{Request, Witness, statement_allows};
use super::lang::{inter, is_empty, is_full, minus};
use super::model::{Policy, Statement, Undecidable};
use super::pattern::{Binding, Seg, Var, glob_match};
use super::space::{Bx, Space};
use super::witness::{self, Hints};

/// What is known about the principal's policy variables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    pub username: Knowledge,
    pub userid: Knowledge,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Knowledge {
    /// Any value, or absent: decided for all of them.
    #[default]
    Unknown,
    Absent,
    Value(String),
}

impl Facts {
    /// The facts a `who` entry fixes: an IAM user has `aws:username` = its name; roles and
    /// Identity Center permission sets have no `aws:username`; a group's members are unknown.
    pub fn for_principal(principal: &str) -> Facts {
        let username = match principal.split_once(':') {
            Some(("user", name)) => Knowledge::Value(name.to_string()),
            Some(("role" | "permission-set", _)) => Knowledge::Absent,
            _ => Knowledge::Unknown,
        };
        Facts {
            username,
            userid: Knowledge::Unknown,
        }
    }

    fn get(&self, var: Var) -> &Knowledge {
        match var {
            Var::Username => &self.username,
            Var::Userid => &self.userid,
        }
    }
}

/// Both directions of a comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Allowed after, denied before.
    pub gained: Vec<Witness>,
    /// Allowed before, denied after.
    pub lost: Vec<Witness>,
}

/// Requests `after` allows and `before` does not (empty: `after` is contained in `before`),
/// every variable unknown.
pub fn new_access(before: &[Policy], after: &[Policy]) -> Result<Vec<Witness>, Undecidable> {
    new_access_with(before, after, &Facts::default())
}

/// [`new_access`] under what is known of the principal.
pub fn new_access_with(
    before: &[Policy],
    after: &[Policy],
    facts: &Facts,
) -> Result<Vec<Witness>, Undecidable> {
    gained(&statements(before), &statements(after), facts)
}

/// Both directions.
pub fn compare(
    before: &[Policy],
    after: &[Policy],
    facts: &Facts,
) -> Result<Comparison, Undecidable> {
    let (b, a) = (statements(before), statements(after));
    Ok(Comparison {
        gained: gained(&b, &a, facts)?,
        lost: gained(&a, &b, facts)?,
    })
}

/// Whether the two sets allow exactly the same requests.
pub fn equivalent(a: &[Policy], b: &[Policy], facts: &Facts) -> Result<bool, Undecidable> {
    let c = compare(a, b, facts)?;
    Ok(c.gained.is_empty() && c.lost.is_empty())
}

pub(crate) fn statements(policies: &[Policy]) -> Vec<&Statement> {
    policies.iter().flat_map(|p| &p.statements).collect()
}

fn allows(statements: &[&Statement], r: &Request) -> bool {
    statements.iter().any(|s| statement_allows(s, r))
}

/// Most witnesses returned per comparison: enough to review, bounded for huge changes.
const MAX_WITNESSES: usize = 16;
/// Bound on the subtraction steps of one comparison before we give up honestly.
const MAX_STEPS: usize = 1_000_000;

pub(crate) fn gained(
    before: &[&Statement],
    after: &[&Statement],
    facts: &Facts,
) -> Result<Vec<Witness>, Undecidable> {
    // A statement also found before is covered by itself; a statement before whose actions
    // cannot meet any changed one's cannot cover it. Only the rest become automata, and only
    // the variables they use split the question into worlds.
    let changed: Vec<&Statement> = after
        .iter()
        .filter(|s| !before.contains(s))
        .copied()
        .collect();
    if changed.is_empty() {
        return Ok(Vec::new());
    }
    let relevant: Vec<&Statement> = before
        .iter()
        .filter(|b| changed.iter().any(|a| may_meet(a, b)))
        .copied()
        .collect();
    let mut used: Vec<Var> = relevant
        .iter()
        .chain(&changed)
        .flat_map(|s| s.vars())
        .collect();
    used.sort();
    used.dedup();
    let problem = Problem {
        before,
        after,
        changed,
        relevant,
        used,
    };
    let mut out = Vec::new();
    for env in worlds(&problem.used, facts) {
        let found = in_world(&problem, &env)?;
        for w in found {
            if !out.contains(&w) && out.len() < MAX_WITNESSES {
                out.push(w);
            }
        }
    }
    Ok(out)
}

/// Every combination of bindings the facts leave open.
fn worlds(used: &[Var], facts: &Facts) -> Vec<[Binding; 2]> {
    let mut out = vec![[Binding::Absent, Binding::Absent]];
    for &var in used {
        let choices = match facts.get(var) {
            Knowledge::Unknown => vec![Binding::Absent, Binding::Symbol],
            Knowledge::Absent => vec![Binding::Absent],
            Knowledge::Value(v) => vec![Binding::Value(v.clone())],
        };
        out = out
            .into_iter()
            .flat_map(|env| {
                choices.iter().map(move |c| {
                    let mut env = env.clone();
                    env[var.index()] = c.clone();
                    env
                })
            })
            .collect();
    }
    out
}

/// One direction of a comparison, narrowed to the statements that matter.
struct Problem<'a> {
    before: &'a [&'a Statement],
    after: &'a [&'a Statement],
    changed: Vec<&'a Statement>,
    relevant: Vec<&'a Statement>,
    used: Vec<Var>,
}

fn in_world(problem: &Problem<'_>, env: &[Binding; 2]) -> Result<Vec<Witness>, Undecidable> {
    let (before, after) = (problem.before, problem.after);
    let (changed, relevant, used) = (&problem.changed, &problem.relevant, &problem.used[..]);
    let symbols: Vec<char> = Var::ALL
        .iter()
        .filter(|v| env[v.index()] == Binding::Symbol)
        .map(|v| v.symbol())
        .collect();
    let modelled: Vec<&Statement> = relevant.iter().chain(changed).copied().collect();
    let space = Space::new(&modelled, &symbols);
    let all: Vec<&Statement> = before.iter().chain(after).copied().collect();
    // Hints are only needed once a difference is found.
    let hints = std::cell::OnceCell::new();
    let hints = || hints.get_or_init(|| Hints::new(&space, &all, env));
    let values = Var::ALL.map(|v| match &env[v.index()] {
        Binding::Absent => None,
        Binding::Value(s) => Some(s.clone()),
        Binding::Symbol => Some(witness::example(v).to_string()),
    });
    let before_boxes: Vec<Bx> = relevant.iter().flat_map(|s| space.boxes(s, env)).collect();
    let mut out = Vec::new();
    let mut unconfirmed = false;
    let mut budget = MAX_STEPS;
    for s in changed {
        let s: &Statement = s;
        for a in space.boxes(s, env) {
            let (mut confirmed, mut any_piece) = (None, false);
            let mut check = |p: &Bx| {
                any_piece = true;
                // `*` stands for every ARN in the model, not always for the evaluator: a
                // witness naming `*` falls back to one naming an ARN.
                confirmed = [true, false]
                    .map(|star| witness::build(&space, p, hints(), &values, used, star))
                    .into_iter()
                    .find(|w| allows(after, w) && !allows(before, w))
                    .map(|w| minimal(w, before, after));
                confirmed.is_some()
            };
            each_piece(&space, a, &before_boxes, &mut budget, &mut check)?;
            match confirmed {
                Some(w) => out.push(w),
                None if !any_piece => {}
                None if symbols.is_empty() => {
                    debug_assert!(false, "a concrete piece gave no witness");
                    return Err(Undecidable::new(
                        "internal: a non-empty difference produced no confirmed witness",
                    ));
                }
                None => unconfirmed = true,
            }
        }
    }
    if unconfirmed && out.is_empty() {
        out = concrete_values(problem, env)?;
    }
    Ok(out)
}

/// Whether two statements' actions can meet (a cheap filter: two globs always may).
fn may_meet(a: &Statement, b: &Statement) -> bool {
    let literal = |p: &[Seg]| p.iter().all(|s| matches!(s, Seg::Lit(_)));
    let text = |p: &[Seg]| -> String {
        p.iter()
            .filter_map(|s| match s {
                Seg::Lit(c) => Some(*c),
                _ => None,
            })
            .collect()
    };
    a.actions.iter().any(|x| {
        b.actions.iter().any(|y| match (literal(x), literal(y)) {
            (true, true) => x == y,
            (true, false) => glob_match(y, &text(x)),
            (false, true) => glob_match(x, &text(y)),
            (false, false) => true,
        })
    })
}

/// Drops the variable keys the witness does not rely on: it stays a witness without them.
fn minimal(mut w: Witness, before: &[&Statement], after: &[&Statement]) -> Witness {
    for var in Var::ALL {
        if let Some(value) = w.context.remove(var.key())
            && (!allows(after, &w) || allows(before, &w))
        {
            w.context.insert(var.key().to_string(), value);
        }
    }
    w
}

/// The symbolic world found a difference no concrete value confirmed: try a few values exactly.
fn concrete_values(problem: &Problem<'_>, env: &[Binding; 2]) -> Result<Vec<Witness>, Undecidable> {
    for i in 0..witness::examples(Var::Username).len() {
        let concrete = Var::ALL.map(|v| match &env[v.index()] {
            Binding::Symbol => Binding::Value(witness::examples(v)[i].to_string()),
            other => other.clone(),
        });
        let found = in_world(problem, &concrete)?;
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Err(Undecidable::new(
        "whether access widens depends on the value of a policy variable \
         (aws:username or aws:userid) in a way the model cannot settle",
    ))
}

/// Visits the non-empty pieces of `a` minus the union of `bs`, depth first, until `stop`
/// returns true; returns whether it did. Depth first, because a witness needs one piece and
/// containment needs none: the pieces never pile up.
pub(crate) fn each_piece(
    space: &Space,
    a: Bx,
    bs: &[Bx],
    budget: &mut usize,
    stop: &mut dyn FnMut(&Bx) -> bool,
) -> Result<bool, Undecidable> {
    let Some((b, rest)) = bs.split_first() else {
        return Ok(stop(&a));
    };
    *budget = budget.checked_sub(1).ok_or_else(|| {
        Undecidable::new(format!("the comparison takes more than {MAX_STEPS} steps"))
    })?;
    let mut pieces = Vec::new();
    minus_box(space, a, b, &mut pieces);
    for p in pieces {
        if each_piece(space, p, rest, budget, stop)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `p - b` = for each dimension d: (p ∩ b on the dimensions before d) × (p_d - b_d) × p after d.
fn minus_box(space: &Space, p: Bx, b: &Bx, out: &mut Vec<Bx>) {
    let mut meet = Vec::with_capacity(p.len());
    for (d, (pl, bl)) in p.iter().zip(b).enumerate() {
        let m = if is_full(bl, space.dims[d].optional) {
            pl.clone()
        } else {
            inter(&space.dims[d], pl, bl)
        };
        if is_empty(&m) {
            out.push(p);
            return;
        }
        meet.push(m);
    }
    let mut prefix = p.clone();
    for d in 0..p.len() {
        if is_full(&b[d], space.dims[d].optional) {
            continue;
        }
        let diff = minus(&space.dims[d], &p[d], &b[d]);
        if !is_empty(&diff) {
            let mut piece = prefix.clone();
            piece[d] = diff;
            out.push(piece);
        }
        prefix[d] = meet[d].clone();
    }
}

/// A request both sets allow, if there is one: the guardrail question ("is any request a
/// forbid describes allowed?"). Exact when no policy variable the facts leave open takes part;
/// otherwise a request is still returned when one is confirmed, and `Undecidable` when none
/// is (an open variable can make two patterns meet, `x${aws:username}` and `xy`).
pub fn overlap(a: &[Policy], b: &[Policy], facts: &Facts) -> Result<Option<Witness>, Undecidable> {
    let (all_a, all_b) = (statements(a), statements(b));
    let meets = |x: &Statement, ys: &[&Statement]| ys.iter().any(|y| may_meet(x, y));
    let sa: Vec<&Statement> = all_a.iter().filter(|x| meets(x, &all_b)).copied().collect();
    let sb: Vec<&Statement> = all_b.iter().filter(|y| meets(y, &sa)).copied().collect();
    let modelled: Vec<&Statement> = sa.iter().chain(&sb).copied().collect();
    let mut used: Vec<Var> = modelled.iter().flat_map(|s| s.vars()).collect();
    used.sort();
    used.dedup();
    for env in worlds(&used, facts) {
        let symbols: Vec<char> = Var::ALL
            .iter()
            .filter(|v| env[v.index()] == Binding::Symbol)
            .map(|v| v.symbol())
            .collect();
        let space = Space::new(&modelled, &symbols);
        let hints = Hints::new(&space, &modelled, &env);
        let values = Var::ALL.map(|v| match &env[v.index()] {
            Binding::Absent => None,
            Binding::Value(s) => Some(s.clone()),
            Binding::Symbol => Some(witness::example(v).to_string()),
        });
        let boxes_b: Vec<Bx> = sb.iter().flat_map(|s| space.boxes(s, &env)).collect();
        for x in sa.iter().flat_map(|s| space.boxes(s, &env)) {
            for y in &boxes_b {
                let meet: Bx = (0..x.len())
                    .map(|d| inter(&space.dims[d], &x[d], &y[d]))
                    .collect();
                if meet.iter().any(is_empty) {
                    continue;
                }
                let found = [true, false]
                    .map(|star| witness::build(&space, &meet, &hints, &values, &used, star))
                    .into_iter()
                    .find(|w| allows(&all_a, w) && allows(&all_b, w));
                if found.is_some() {
                    return Ok(found);
                }
                if symbols.is_empty() {
                    debug_assert!(false, "a concrete meet gave no witness");
                    return Err(Undecidable::new(
                        "internal: a non-empty meet gave no witness",
                    ));
                }
            }
        }
        if !symbols.is_empty() {
            return Err(Undecidable::new(
                "whether the two meet depends on the value of a policy variable \
                 (aws:username or aws:userid) the principal does not fix",
            ));
        }
    }
    Ok(None)
}
