//! Splitting one grant's policy into parts that each fit IAM's size limit, and the statement
//! "atoms" that prove a split (or a packing) grants exactly what the original did.
//!
//! A statement is the union of its (action, resource) pairs under its effect and condition:
//! a statement whose `Resource` (or `Action`) list is cut into pieces, each piece with the same
//! effect, actions (resources) and condition, allows and denies exactly what it did. Statements
//! are never merged and actions never turned into wildcards (a wildcard grants actions AWS adds
//! later).

use std::collections::BTreeSet;

use crate::compile::policy::{Effect, OneOrMany, PolicyDocument, Statement, VERSION, char_count};

/// `{"Version":"2012-10-17","Statement":[]}`: a document's size without its statements.
pub const DOC_OVERHEAD: usize = 39;

/// A statement's size as IAM counts it inside a document (no white space).
pub fn statement_len(s: &Statement) -> usize {
    char_count(&serde_json::to_vec(s).expect("a statement always serializes"))
}

fn json_len(s: &str) -> usize {
    char_count(&serde_json::to_vec(s).expect("a string always serializes"))
}

/// The document cut into documents of at most `limit` characters each, statements in their
/// order; `None` when one (action, resource) pair alone is over the limit.
pub fn split(doc: &PolicyDocument, limit: usize) -> Option<Vec<PolicyDocument>> {
    let room = limit.checked_sub(DOC_OVERHEAD)?;
    let mut pieces = Vec::new();
    for s in &doc.statement {
        pieces.extend(fit_statement(s, room)?);
    }
    let mut parts: Vec<Vec<Statement>> = Vec::new();
    let mut used = 0;
    for piece in pieces {
        let len = statement_len(&piece);
        match parts.last_mut() {
            // A comma separates it from the part's last statement.
            Some(part) if used + 1 + len <= room => {
                part.push(piece);
                used += 1 + len;
            }
            _ => {
                parts.push(vec![piece]);
                used = len;
            }
        }
    }
    Some(
        parts
            .into_iter()
            .map(|statement| PolicyDocument {
                version: VERSION.to_owned(),
                statement,
            })
            .collect(),
    )
}

/// The statement as pieces of at most `room` characters: cut by resources first, then by
/// actions.
fn fit_statement(s: &Statement, room: usize) -> Option<Vec<Statement>> {
    if statement_len(s) <= room {
        return Some(vec![s.clone()]);
    }
    let (resources, actions) = (s.resource.as_slice(), s.action.as_slice());
    let with = |resource: Vec<String>, action: Vec<String>| Statement {
        effect: s.effect,
        action: OneOrMany::Many(action),
        resource: OneOrMany::Many(resource),
        condition: s.condition.clone(),
    };
    type Rebuild<'a> = Box<dyn Fn(Vec<String>) -> Statement + 'a>;
    let (list, rebuild): (&[String], Rebuild<'_>) = if resources.len() > 1 {
        (resources, Box::new(|r| with(r, actions.to_vec())))
    } else if actions.len() > 1 {
        (actions, Box::new(|a| with(resources.to_vec(), a)))
    } else {
        return None;
    };
    let base = statement_len(&rebuild(Vec::new()));
    let mut out = Vec::new();
    let mut chunk: Vec<String> = Vec::new();
    let mut used = base;
    for item in list {
        let len = json_len(item) + usize::from(!chunk.is_empty());
        if !chunk.is_empty() && used + len > room {
            out.extend(fit_statement(&rebuild(std::mem::take(&mut chunk)), room)?);
            used = base;
        }
        used += json_len(item) + usize::from(!chunk.is_empty());
        chunk.push(item.clone());
    }
    if !chunk.is_empty() {
        out.extend(fit_statement(&rebuild(chunk), room)?);
    }
    Some(out)
}

/// One (effect, condition, action, resource) quadruple a statement stands for.
pub type Atom = (Effect, String, String, String);

/// Every atom of `statements`: two lists of statements with the same atoms allow and deny
/// exactly the same requests, whatever the requests are.
pub fn atoms<'a>(statements: impl IntoIterator<Item = &'a Statement>) -> BTreeSet<Atom> {
    let mut out = BTreeSet::new();
    for s in statements {
        let condition = serde_json::to_string(&s.condition).expect("conditions serialize");
        for a in s.action.as_slice() {
            for r in s.resource.as_slice() {
                out.insert((s.effect, condition.clone(), a.clone(), r.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::policy::Condition;

    fn statement(actions: usize, resources: usize) -> Statement {
        let mut condition = Condition::new();
        condition
            .entry("StringLike".into())
            .or_default()
            .insert("ssm:resourceTag/Team".into(), OneOrMany::One("web".into()));
        Statement {
            effect: Effect::Allow,
            action: OneOrMany::many((0..actions).map(|i| format!("ssm:Action{i}"))),
            resource: OneOrMany::many(
                (0..resources)
                    .map(|i| format!("arn:aws:ec2:us-east-2:111122223333:instance/i-{i:017x}")),
            ),
            condition,
        }
    }

    fn doc(statements: Vec<Statement>) -> PolicyDocument {
        PolicyDocument {
            version: VERSION.into(),
            statement: statements,
        }
    }

    #[test]
    fn the_overhead_is_an_empty_documents_size() {
        assert_eq!(doc(Vec::new()).compact_len(), DOC_OVERHEAD);
    }

    #[test]
    fn a_small_document_is_one_part() {
        let d = doc(vec![statement(3, 2)]);
        assert_eq!(split(&d, 6144).unwrap(), vec![d]);
    }

    #[test]
    fn a_large_document_is_cut_into_parts_within_the_limit_with_the_same_atoms() {
        for (actions, resources, limit) in [(3, 400, 6144), (600, 1, 6144), (40, 40, 1000)] {
            let d = doc(vec![statement(2, 1), statement(actions, resources)]);
            let parts = split(&d, limit).unwrap();
            assert!(parts.len() > 1, "{actions} x {resources}");
            for p in &parts {
                assert!(p.compact_len() <= limit, "{} > {limit}", p.compact_len());
            }
            let all: Vec<&Statement> = parts.iter().flat_map(|p| &p.statement).collect();
            assert_eq!(atoms(all), atoms(&d.statement));
        }
    }

    #[test]
    fn one_pair_over_the_limit_cannot_be_split() {
        assert!(split(&doc(vec![statement(1, 1)]), 200).is_none());
    }
}
