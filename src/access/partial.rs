//! Three-valued evaluation for `who-can`: a request whose context leaves some deciding keys
//! unknown is allowed ("yes"), denied ("no"), or allowed only if a condition on those keys
//! holds. The residual condition is exact; "yes" and "no" are found by deciding it with the
//! box engine (valid: yes; unsatisfiable: no).

use super::decide::{Facts, Knowledge, gained};
use super::eval::{action_matches, clause_holds, resource_matches};
use super::model::{Clause, Op, Policy, Resource, Statement};
use super::pattern::{self, Binding, Var, lookup};
use std::collections::BTreeMap;
use std::fmt;

/// A request with some context keys unknown.
#[derive(Clone, Debug)]
pub struct Query {
    pub action: String,
    pub resource: String,
    /// Keys known to hold these values.
    pub context: BTreeMap<String, String>,
    pub unknown: Unknown,
}

/// Which keys missing from `context` are unknown (the rest are absent).
#[derive(Clone, Debug)]
pub enum Unknown {
    /// Only these keys (case-insensitive).
    Keys(Vec<String>),
    /// Every key not in the context.
    Rest,
}

/// One residual test, printable as "ssm:resourceTag/Team matches web*".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub key: String,
    pub test: Test,
    /// Alternatives (any one suffices), in policy syntax.
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Test {
    /// `StringEquals`.
    Equals,
    /// `StringLike`.
    Matches,
    /// `Bool`.
    Is,
    /// `BoolIfExists`.
    IsOrAbsent,
    /// A policy variable the query leaves unknown makes the resource match this pattern.
    MakesResourceMatch,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.test {
            Test::Equals => "equals",
            Test::Matches => "matches",
            Test::Is => "is",
            Test::IsOrAbsent => "is absent or",
            Test::MakesResourceMatch => "makes the resource match",
        };
        write!(f, "{} {verb} {}", self.key, self.values.join(" or "))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    /// Allowed exactly when one of these conjunctions holds (outer: or, inner: and).
    OnlyIf(Vec<Vec<Condition>>),
}

/// The answer, with the statements (policy index, statement index) that allow the request
/// outright (for `Yes`) or under a condition (for `OnlyIf`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub answer: Answer,
    pub statements: Vec<(usize, usize)>,
}

enum Outcome {
    True,
    False,
    Residual(Vec<Clause>, Vec<Condition>),
}

/// Decides `query` against `policies` three-valued.
pub fn evaluate_partial(policies: &[Policy], query: &Query, facts: &Facts) -> Verdict {
    let unknown = |key: &str| {
        lookup(&query.context, key).is_none()
            && match &query.unknown {
                Unknown::Rest => true,
                Unknown::Keys(keys) => keys.iter().any(|k| k.eq_ignore_ascii_case(key)),
            }
    };
    let env = Var::ALL.map(
        |v| match (lookup(&query.context, v.key()), facts_value(facts, v)) {
            (Some(value), _) => Some(Binding::Value(value.to_string())),
            (None, Knowledge::Value(value)) => Some(Binding::Value(value.clone())),
            (None, Knowledge::Unknown) if unknown(v.key()) => None,
            _ => Some(Binding::Absent),
        },
    );
    let mut residuals: Vec<(Vec<Clause>, Vec<Condition>)> = Vec::new();
    let mut allowing = Vec::new();
    let mut yes = false;
    for (i, p) in policies.iter().enumerate() {
        for (j, s) in p.statements.iter().enumerate() {
            match statement(s, query, &env, &unknown) {
                Outcome::False => {}
                Outcome::True => {
                    yes = true;
                    allowing.push((i, j));
                }
                Outcome::Residual(clauses, conditions) => {
                    allowing.push((i, j));
                    residuals.push((clauses, conditions));
                }
            }
        }
    }
    if yes {
        allowing.retain(|&(i, j)| {
            matches!(
                statement(&policies[i].statements[j], query, &env, &unknown),
                Outcome::True
            )
        });
        return Verdict {
            answer: Answer::Yes,
            statements: allowing,
        };
    }
    Verdict {
        answer: settle(residuals),
        statements: allowing,
    }
}

fn facts_value(facts: &Facts, v: Var) -> &Knowledge {
    match v {
        Var::Username => &facts.username,
        Var::Userid => &facts.userid,
    }
}

fn statement(
    s: &Statement,
    q: &Query,
    env: &[Option<Binding>; 2],
    unknown: &dyn Fn(&str) -> bool,
) -> Outcome {
    if !action_matches(s, &q.action) {
        return Outcome::False;
    }
    let known = env.clone().map(|b| b.unwrap_or(Binding::Absent));
    let mut conditions = Vec::new();
    if !s
        .resources
        .iter()
        .any(|r| resource_matches(r, &q.resource, &known))
    {
        // Only a variable left unknown could still make a resource match.
        let open: Vec<String> = s
            .resources
            .iter()
            .filter_map(|r| match r {
                Resource::Arn(f) if pattern::vars(&f[5]).any(|v| env[v.index()].is_none()) => Some(
                    f.iter()
                        .map(|f| pattern::display(f))
                        .collect::<Vec<_>>()
                        .join(":"),
                ),
                _ => None,
            })
            .collect();
        let Some(var) = Var::ALL.into_iter().find(|v| env[v.index()].is_none()) else {
            return Outcome::False;
        };
        if open.is_empty() {
            return Outcome::False;
        }
        conditions.push(Condition {
            key: var.key().to_string(),
            test: Test::MakesResourceMatch,
            values: open,
        });
    }
    let mut residual = Vec::new();
    for c in &s.clauses {
        let uses_unknown_var = c
            .values
            .iter()
            .any(|v| pattern::vars(v).any(|var| env[var.index()].is_none()));
        if unknown(&c.spelled) || uses_unknown_var {
            conditions.push(describe(c));
            residual.push(c.clone());
        } else if !clause_holds(c, lookup(&q.context, &c.key), &known) {
            return Outcome::False;
        }
    }
    if conditions.is_empty() {
        Outcome::True
    } else {
        Outcome::Residual(residual, conditions)
    }
}

fn describe(c: &Clause) -> Condition {
    Condition {
        key: c.spelled.clone(),
        test: match c.op {
            Op::StringEquals => Test::Equals,
            Op::StringLike => Test::Matches,
            Op::Bool { if_exists: false } => Test::Is,
            Op::Bool { if_exists: true } => Test::IsOrAbsent,
        },
        values: c.values.iter().map(|v| pattern::display(v)).collect(),
    }
}

/// Decides the residual disjunction when it only involves unknown keys: drops unsatisfiable
/// conjunctions, and answers yes when their union covers every value of the unknown keys.
fn settle(residuals: Vec<(Vec<Clause>, Vec<Condition>)>) -> Answer {
    if residuals.is_empty() {
        return Answer::No;
    }
    let only_keys = residuals.iter().all(|(clauses, conds)| {
        clauses.len() == conds.len()
            && clauses
                .iter()
                .all(|c| c.values.iter().all(|v| pattern::vars(v).next().is_none()))
    });
    if !only_keys {
        return Answer::OnlyIf(residuals.into_iter().map(|(_, c)| c).collect());
    }
    let as_statement = |clauses: &[Clause]| Statement {
        actions: vec![vec![pattern::Seg::Star]],
        resources: vec![Resource::Any],
        clauses: clauses.to_vec(),
    };
    let facts = Facts::default();
    let mut kept = Vec::new();
    let mut statements_kept = Vec::new();
    for (clauses, conds) in residuals {
        let s = as_statement(&clauses);
        let satisfiable = gained(&[], &[&s], &facts).map_or(true, |w| !w.is_empty());
        if satisfiable {
            statements_kept.push(s);
            kept.push(conds);
        }
    }
    if kept.is_empty() {
        return Answer::No;
    }
    let all = as_statement(&[]);
    let union: Vec<&Statement> = statements_kept.iter().collect();
    match gained(&union, &[&all], &facts) {
        Ok(w) if w.is_empty() => Answer::Yes,
        _ => Answer::OnlyIf(kept),
    }
}
