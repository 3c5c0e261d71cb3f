//! The concrete evaluator: does a policy set allow one request? Every witness is checked here
//! before it is returned.

use super::model::{Clause, Op, Policy, Resource, Statement};
use super::pattern::{self, Binding, glob_match, instantiate, lookup, request_env};
use std::collections::BTreeMap;

/// One request: an action, a resource ARN and the request context (absent keys simply missing).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Request {
    pub action: String,
    pub resource: String,
    pub context: BTreeMap<String, String>,
}

/// A concrete request that one side allows and the other does not.
pub type Witness = Request;

impl Request {
    pub fn new(action: &str, resource: &str) -> Request {
        Request {
            action: action.to_string(),
            resource: resource.to_string(),
            context: BTreeMap::new(),
        }
    }

    /// Adds a context key (builder style).
    pub fn with(mut self, key: &str, value: &str) -> Request {
        self.context.insert(key.to_string(), value.to_string());
        self
    }
}

/// Whether any statement of `policies` allows `request` (the subset has no Deny).
pub fn allows(policies: &[Policy], request: &Request) -> bool {
    policies
        .iter()
        .flat_map(|p| &p.statements)
        .any(|s| statement_allows(s, request))
}

/// The statements that allow `request`, as (policy index, statement index).
pub fn allowing_statements(policies: &[Policy], request: &Request) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, p) in policies.iter().enumerate() {
        for (j, s) in p.statements.iter().enumerate() {
            if statement_allows(s, request) {
                out.push((i, j));
            }
        }
    }
    out
}

pub(crate) fn statement_allows(s: &Statement, request: &Request) -> bool {
    let env = request_env(&request.context);
    action_matches(s, &request.action)
        && s.resources
            .iter()
            .any(|r| resource_matches(r, &request.resource, &env))
        && s.clauses
            .iter()
            .all(|c| clause_holds(c, lookup(&request.context, &c.key), &env))
}

pub(crate) fn action_matches(s: &Statement, action: &str) -> bool {
    let action = action.to_lowercase();
    s.actions.iter().any(|a| glob_match(a, &action))
}

pub(crate) fn resource_matches(r: &Resource, arn: &str, env: &[Binding; 2]) -> bool {
    let Resource::Arn(fields) = r else {
        return true;
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && fields
            .iter()
            .zip(&parts)
            .all(|(f, part)| instantiate(f, env).is_some_and(|segs| glob_match(&segs, part)))
}

/// One clause against the key's value (`None`: the key is absent).
pub(crate) fn clause_holds(c: &Clause, value: Option<&str>, env: &[Binding; 2]) -> bool {
    let Some(value) = value else {
        return matches!(c.op, Op::Bool { if_exists: true });
    };
    c.values.iter().any(|v| match c.op {
        Op::Bool { .. } => value.eq_ignore_ascii_case(&pattern::display(v)),
        Op::StringLike | Op::StringEquals => {
            instantiate(v, env).is_some_and(|segs| glob_match(&segs, value))
        }
    })
}
