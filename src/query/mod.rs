//! Questions to a compiled configuration, answered on the access model (`crate::access`):
//! who can make a request ([`who_can`]), can one principal make it ([`can`]), and what every
//! principal reaches ([`matrix`]). Pure: the command shells print.
//!
//! The answer is about the policies this configuration generates only: other policies on the
//! same principals, SCPs, permission boundaries, session policies and resource policies can
//! still narrow (or widen) the real answer, so "yes" reads "at most yes" (README, Queries).

mod engine;
mod inputs;
mod matrix;
pub mod matrix_render;
#[cfg(test)]
mod matrix_tests;
mod reach;
pub mod render;
mod request;

use std::collections::BTreeMap;

use crate::access::{Answer, Condition, Request, Undecidable};
use crate::compile::Compiled;
use crate::compile::plan::Content;
use crate::deploy::compact::Compact;
use crate::diagnostic::suggestion::suggest;

use engine::Pool;
pub use inputs::{Instance, Members, instances, members};
pub use matrix::{Matrix, Row, matrix};
pub use reach::{Reach, reach};
pub use request::{Ask, Place, key_value, start_session};

/// One grant as the queries see it: its name, its `who` (written as in `who`) and its policy's
/// compact JSON.
pub struct Entry<'a> {
    pub name: &'a str,
    pub who: Vec<String>,
    pub json: &'a Compact,
}

/// The grants of a compiled configuration (compiled with the `json` format: the policies are
/// read from the plan).
pub struct Index<'a> {
    pub entries: Vec<Entry<'a>>,
}

impl<'a> Index<'a> {
    pub fn new(compiled: &'a Compiled) -> Index<'a> {
        let entries = compiled
            .grants
            .iter()
            .filter_map(|g| {
                let Some(Content::Policy(json)) =
                    compiled.plan.files.get(&format!("{}.json", g.name))
                else {
                    return None;
                };
                Some(Entry {
                    name: &g.name,
                    who: g.who.iter().map(ToString::to_string).collect(),
                    json,
                })
            })
            .collect();
        Index { entries }
    }

    /// Every principal named in any `who`, sorted, without repeats.
    pub fn principals(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .entries
            .iter()
            .flat_map(|e| e.who.iter().map(String::as_str))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A statement that allows (or may allow) one of the requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowing {
    pub grant: String,
    /// The statement's position in the grant's policy file, from 0.
    pub statement: usize,
    /// Which request of the question (`Ask`) it allows.
    pub ask: usize,
}

/// One principal's answer to the question: every request of it allowed (yes), one denied
/// (no), or allowed exactly when the condition holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub principal: String,
    pub answer: Answer,
    pub grants: Vec<Allowing>,
}

/// `can` named a principal that no `who` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CanError {
    NotNamed {
        principal: String,
        suggestion: Option<String>,
    },
    Undecidable(Undecidable),
}

/// Every principal whose grants allow the question, in name order, with the statements that
/// do. Only grants whose policy names one of the asked actions are parsed: ssm-compile's
/// policies spell every action literally (no wildcard), so a policy that does not contain the
/// action's name cannot allow it. `engine.rs` says what else keeps this fast.
pub fn who_can(index: &Index<'_>, asks: &[Ask]) -> Result<Vec<Finding>, Undecidable> {
    let mut pool = Pool::default();
    let mut by_principal: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (i, e) in index.entries.iter().enumerate() {
        if !relevant(e.json, asks) {
            continue;
        }
        if let Some(id) = pool.add(e.json, asks)? {
            for p in &e.who {
                by_principal.entry(p).or_default().push((i, id));
            }
        }
    }
    let mut out = Vec::new();
    for (principal, grants) in by_principal {
        let finding = decide(index, &mut pool, principal, &grants, asks);
        if finding.answer != Answer::No {
            out.push(finding);
        }
    }
    Ok(out)
}

/// The answer for one principal (written as in `who`); only its own grants are read.
pub fn can(index: &Index<'_>, principal: &str, asks: &[Ask]) -> Result<Finding, CanError> {
    let mut pool = Pool::default();
    let mut grants = Vec::new();
    let mut named = false;
    for (i, e) in index.entries.iter().enumerate() {
        if !e.who.iter().any(|w| w == principal) {
            continue;
        }
        named = true;
        if relevant(e.json, asks)
            && let Some(id) = pool.add(e.json, asks).map_err(CanError::Undecidable)?
        {
            grants.push((i, id));
        }
    }
    if !named {
        return Err(CanError::NotNamed {
            principal: principal.to_string(),
            suggestion: suggest(principal, index.principals()).map(str::to_string),
        });
    }
    Ok(decide(index, &mut pool, principal, &grants, asks))
}

/// Whether the policy's JSON names one of the asked actions (quoted, any case).
fn relevant(json: &Compact, asks: &[Ask]) -> bool {
    asks.iter().any(|a| json.names_action(&a.request.action))
}

/// The principal's answer over its grants (entry index, pooled policy id): the conjunction
/// over the requests, with the statements behind it.
fn decide(
    index: &Index<'_>,
    pool: &mut Pool,
    principal: &str,
    grants: &[(usize, usize)],
    asks: &[Ask],
) -> Finding {
    let mut ids: Vec<usize> = grants.iter().map(|&(_, id)| id).collect();
    ids.sort_unstable();
    ids.dedup();
    let verdicts = pool.verdicts(&ids, principal, asks).to_vec();
    let mut answer = Answer::Yes;
    let mut allowing = Vec::new();
    for (n, verdict) in verdicts.into_iter().enumerate() {
        for (p, s) in verdict.statements {
            let statement = pool.get(ids[p]).origins(s)[0];
            for &(i, _) in grants.iter().filter(|&&(_, id)| id == ids[p]) {
                allowing.push(Allowing {
                    grant: index.entries[i].name.to_string(),
                    statement,
                    ask: n,
                });
            }
        }
        answer = and(answer, verdict.answer);
    }
    if answer == Answer::No {
        allowing.clear();
    }
    allowing.sort_by(|a, b| (&a.grant, a.ask, a.statement).cmp(&(&b.grant, b.ask, b.statement)));
    allowing.dedup();
    Finding {
        principal: principal.to_string(),
        answer,
        grants: allowing,
    }
}

/// A condition key that holds a tag of the resource.
pub fn is_tag_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.starts_with("ssm:resourcetag/") || lower.starts_with("aws:resourcetag/")
}

/// Both requests allowed: the conjunction of the two answers, in disjunctive form.
fn and(a: Answer, b: Answer) -> Answer {
    match (a, b) {
        (Answer::No, _) | (_, Answer::No) => Answer::No,
        (Answer::Yes, x) | (x, Answer::Yes) => x,
        (Answer::OnlyIf(x), Answer::OnlyIf(y)) => Answer::OnlyIf(
            x.iter()
                .flat_map(|l| y.iter().map(move |r| [l.clone(), r.clone()].concat()))
                .collect(),
        ),
    }
}

/// The condition of an `OnlyIf`, in words: "(A and B) or C".
pub fn condition_text(alternatives: &[Vec<Condition>]) -> String {
    let one = |all: &Vec<Condition>| {
        let parts: Vec<String> = all.iter().map(ToString::to_string).collect();
        if parts.len() > 1 && alternatives.len() > 1 {
            format!("({})", parts.join(" and "))
        } else {
            parts.join(" and ")
        }
    };
    alternatives
        .iter()
        .map(one)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A principal as written in `who` (`user:NAME`, `group:NAME`, `role:NAME`), or why not.
pub fn check_principal(text: &str) -> Result<(), String> {
    match text.split_once(':') {
        Some(("user" | "group" | "role", name)) if !name.is_empty() => Ok(()),
        _ => Err(format!(
            "`{text}` is not a principal as written in `who`: user:NAME, group:NAME or role:NAME"
        )),
    }
}

/// Builds a request: the action and resource of the question, with its context.
pub fn plain(action: &str, resource: &str, context: &[(String, String)]) -> Ask {
    let mut request = Request::new(action, resource);
    for (k, v) in context {
        request = request.with(k, v);
    }
    Ask {
        request,
        // An instance's tags that the question does not give are unknown, not absent.
        tags_unknown: true,
        what: "request".to_string(),
    }
}
