//! The policy document as the model sees it: `Allow` statements of action patterns, resource
//! patterns and condition clauses. Anything outside the subset is an [`Undecidable`] with the
//! reason, never a guess.

use super::pattern::{self, Seg, Var};
use serde_json::Value;
use std::fmt;

/// A policy (or request) the model cannot decide, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Undecidable {
    pub reason: String,
}

impl Undecidable {
    pub(crate) fn new(reason: impl Into<String>) -> Undecidable {
        Undecidable {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Undecidable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decide: {}", self.reason)
    }
}

impl std::error::Error for Undecidable {}

/// A parsed policy document, normalised (sorted, deduplicated) so that equal access written in
/// the same statements compares equal cheaply.
/// Equality, order and hash look at the statements only (through `fingerprint` first).
#[derive(Clone, Debug)]
pub struct Policy {
    /// A hash of the statements, computed once: the review compares and hashes thousands of
    /// unchanged policies, and this field settles most comparisons alone.
    fingerprint: u64,
    pub(crate) statements: Vec<Statement>,
    /// For each normalised statement, its positions in the document's `Statement` list.
    origins: Vec<Vec<usize>>,
}

impl PartialEq for Policy {
    fn eq(&self, other: &Policy) -> bool {
        self.fingerprint == other.fingerprint && self.statements == other.statements
    }
}

impl Eq for Policy {}

impl PartialOrd for Policy {
    fn partial_cmp(&self, other: &Policy) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Policy {
    fn cmp(&self, other: &Policy) -> std::cmp::Ordering {
        (self.fingerprint, &self.statements).cmp(&(other.fingerprint, &other.statements))
    }
}

impl std::hash::Hash for Policy {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.fingerprint);
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Statement {
    /// Lower-cased: actions match case-insensitively.
    pub(crate) actions: Vec<Vec<Seg>>,
    pub(crate) resources: Vec<Resource>,
    /// ANDed.
    pub(crate) clauses: Vec<Clause>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Resource {
    /// `"*"`: every resource, ARN or not.
    Any,
    /// The six ARN fields; the last may hold colons.
    Arn(Box<[Vec<Seg>; 6]>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Op {
    StringEquals,
    StringLike,
    Bool { if_exists: bool },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Clause {
    /// Lower-cased key name: condition keys are case-insensitive.
    pub(crate) key: String,
    pub(crate) op: Op,
    /// ORed. For `Bool`, the lower-cased `true`/`false`.
    pub(crate) values: Vec<Vec<Seg>>,
    /// The key as the policy spells it (for witnesses and descriptions).
    pub(crate) spelled: String,
}

impl Policy {
    /// Parses a policy document's JSON text.
    pub fn parse_str(text: &str) -> Result<Policy, Undecidable> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| Undecidable::new(format!("not JSON: {e}")))?;
        Policy::parse(&value)
    }

    /// Parses a policy document.
    pub fn parse(doc: &Value) -> Result<Policy, Undecidable> {
        let obj = doc
            .as_object()
            .ok_or_else(|| Undecidable::new("a policy document must be an object"))?;
        for key in obj.keys() {
            if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
                return Err(Undecidable::new(format!("unknown policy key `{key}`")));
            }
        }
        match obj.get("Version").and_then(Value::as_str) {
            Some("2012-10-17") => {}
            other => {
                return Err(Undecidable::new(format!(
                    "policy Version {other:?}: only 2012-10-17 (with policy variables) is modelled"
                )));
            }
        }
        let statements = match obj.get("Statement") {
            Some(Value::Array(items)) => items.iter().map(statement).collect::<Result<_, _>>()?,
            Some(one @ Value::Object(_)) => vec![statement(one)?],
            _ => return Err(Undecidable::new("`Statement` must be an object or a list")),
        };
        Ok(Policy::from_statements(statements))
    }

    pub(crate) fn from_statements(written: Vec<Statement>) -> Policy {
        let mut order: Vec<usize> = (0..written.len()).collect();
        order.sort_by(|&a, &b| written[a].cmp(&written[b]));
        let mut statements: Vec<Statement> = Vec::new();
        let mut origins: Vec<Vec<usize>> = Vec::new();
        for i in order {
            if statements.last() == Some(&written[i]) {
                origins.last_mut().expect("same length").push(i);
            } else {
                statements.push(written[i].clone());
                origins.push(vec![i]);
            }
        }
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&statements, &mut hasher);
        Policy {
            fingerprint: std::hash::Hasher::finish(&hasher),
            statements,
            origins,
        }
    }

    /// Where the statement `index` (as [`allowing_statements`](super::allowing_statements)
    /// and [`Verdict`](super::Verdict) number them) stands in the document's `Statement`
    /// list: the positions of every copy, from 0.
    pub fn origins(&self, index: usize) -> &[usize] {
        &self.origins[index]
    }

    /// The condition keys the statements test, as the policy spells them (repeats possible).
    pub fn condition_keys(&self) -> impl Iterator<Item = &str> {
        self.statements
            .iter()
            .flat_map(|s| s.clauses.iter().map(|c| c.spelled.as_str()))
    }

    /// Whether a statement that can match `action` uses a policy variable: when none does,
    /// the principal's [`Facts`](super::Facts) cannot change any answer about that action.
    pub fn variables_matter(&self, action: &str) -> bool {
        self.statements
            .iter()
            .any(|s| super::eval::action_matches(s, action) && !s.vars().is_empty())
    }

    /// How many statements the policy holds after normalisation.
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }
}

impl Statement {
    pub(crate) fn vars(&self) -> Vec<Var> {
        let mut out: Vec<Var> = Vec::new();
        for r in &self.resources {
            if let Resource::Arn(fields) = r {
                out.extend(pattern::vars(&fields[5]));
            }
        }
        for c in &self.clauses {
            for v in &c.values {
                out.extend(pattern::vars(v));
            }
        }
        out
    }
}

fn strings(value: &Value, what: &str) -> Result<Vec<String>, Undecidable> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(Undecidable::new(format!("{what} must be strings"))),
    };
    match value {
        Value::Array(items) if !items.is_empty() => items.iter().map(one).collect(),
        Value::Array(_) => Err(Undecidable::new(format!("{what} is an empty list"))),
        v => Ok(vec![one(v)?]),
    }
}

fn statement(value: &Value) -> Result<Statement, Undecidable> {
    let obj = value
        .as_object()
        .ok_or_else(|| Undecidable::new("a statement must be an object"))?;
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "Sid" | "Effect" | "Action" | "Resource" | "Condition"
        ) {
            return Err(Undecidable::new(format!(
                "statement key `{key}` is outside the modelled subset"
            )));
        }
    }
    match obj.get("Effect").and_then(Value::as_str) {
        Some("Allow") => {}
        Some(other) => {
            return Err(Undecidable::new(format!(
                "Effect `{other}`: only Allow is modelled"
            )));
        }
        None => return Err(Undecidable::new("statement without Effect")),
    }
    let field = |name: &str| {
        obj.get(name)
            .ok_or_else(|| Undecidable::new(format!("statement without {name}")))
    };
    let mut actions = Vec::new();
    for a in strings(field("Action")?, "Action")? {
        if a.contains("${") {
            return Err(Undecidable::new(format!("policy variable in action `{a}`")));
        }
        actions.push(pattern::parse(&a.to_lowercase(), true).map_err(Undecidable::new)?);
    }
    let mut resources = Vec::new();
    for r in strings(field("Resource")?, "Resource")? {
        resources.push(resource(&r)?);
    }
    let mut clauses = Vec::new();
    if let Some(cond) = obj.get("Condition") {
        clauses = conditions(cond)?;
    }
    actions.sort();
    actions.dedup();
    resources.sort();
    resources.dedup();
    clauses.sort();
    Ok(Statement {
        actions,
        resources,
        clauses,
    })
}

fn resource(text: &str) -> Result<Resource, Undecidable> {
    if text == "*" {
        return Ok(Resource::Any);
    }
    let segs = pattern::parse(text, true).map_err(Undecidable::new)?;
    // Split at the first five literal colons: wildcards never cross them.
    let mut fields: Vec<Vec<Seg>> = vec![Vec::new()];
    for seg in segs {
        if seg == Seg::Lit(':') && fields.len() < 6 {
            fields.push(Vec::new());
        } else {
            fields.last_mut().expect("one field").push(seg);
        }
    }
    if fields.len() < 6 {
        return Err(Undecidable::new(format!(
            "resource `{text}` is neither `*` nor an ARN of six fields"
        )));
    }
    if fields[..5]
        .iter()
        .any(|f| pattern::vars(f).next().is_some())
    {
        return Err(Undecidable::new(format!(
            "policy variable in an ARN field before the resource in `{text}`"
        )));
    }
    let fields: [Vec<Seg>; 6] = fields.try_into().expect("six fields");
    Ok(Resource::Arn(Box::new(fields)))
}

fn conditions(value: &Value) -> Result<Vec<Clause>, Undecidable> {
    let ops = value
        .as_object()
        .ok_or_else(|| Undecidable::new("`Condition` must be an object"))?;
    let mut out = Vec::new();
    for (op_name, keys) in ops {
        let op = match op_name.as_str() {
            "StringEquals" => Op::StringEquals,
            "StringLike" => Op::StringLike,
            "Bool" => Op::Bool { if_exists: false },
            "BoolIfExists" => Op::Bool { if_exists: true },
            other => {
                return Err(Undecidable::new(format!(
                    "condition operator `{other}` is outside the modelled subset"
                )));
            }
        };
        let keys = keys
            .as_object()
            .ok_or_else(|| Undecidable::new(format!("`{op_name}` must map keys to values")))?;
        for (key, values) in keys {
            out.push(clause(op, key, values)?);
        }
    }
    Ok(out)
}

fn clause(op: Op, key: &str, values: &Value) -> Result<Clause, Undecidable> {
    let lower = key.to_ascii_lowercase();
    if Var::ALL.iter().any(|v| v.key() == lower) {
        return Err(Undecidable::new(format!(
            "a condition on `{key}`, which is also a policy variable, is outside the subset"
        )));
    }
    let mut parsed = Vec::new();
    for v in strings(values, "condition values")? {
        parsed.push(match op {
            Op::Bool { .. } => {
                let v = v.to_lowercase();
                if v != "true" && v != "false" {
                    return Err(Undecidable::new(format!("Bool value `{v}` for `{key}`")));
                }
                v.chars().map(Seg::Lit).collect()
            }
            Op::StringLike => pattern::parse(&v, true).map_err(Undecidable::new)?,
            Op::StringEquals => pattern::parse(&v, false).map_err(Undecidable::new)?,
        });
    }
    parsed.sort();
    parsed.dedup();
    Ok(Clause {
        key: lower,
        op,
        values: parsed,
        spelled: key.to_string(),
    })
}
