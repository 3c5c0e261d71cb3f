//! The guardrails: a `[forbid.NAME]` table is built as a policy (one statement on the
//! instances it describes, one on the documents) and each grant's policy is intersected with
//! it, principal by principal, with `access::overlap`, which is exact and gives the request
//! both allow as a witness. A union of grants overlaps a forbid iff one of them does, so grant
//! by grant is exact too. Facts (a user's `aws:username`) can matter, so principals are
//! decided one by one, but principals with the same facts (every group, every role) once.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::access::{Facts, Policy, Witness, overlap};
use crate::compile::config::{Forbid, Target};
use crate::compile::plan::Planner;
use crate::deploy::compact::Compact;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::{Problem, Questions};

/// Every violation of every guardrail, one diagnostic per grant and guardrail.
pub(crate) fn check(forbids: &[Forbid], planner: &Planner) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for f in forbids {
        let forbid = match Policy::parse(&document(f)) {
            Ok(p) => p,
            Err(e) => {
                out.push(undecidable(f, None, &e.reason));
                continue;
            }
        };
        for (g, compact) in planner.policies() {
            if !mentions(compact, &f.actions) {
                continue;
            }
            let grant = match serde_json::from_slice::<Value>(&compact.to_vec())
                .map_err(|e| e.to_string())
                .and_then(|v| Policy::parse(&v).map_err(|e| e.reason))
            {
                Ok(p) => p,
                Err(reason) => {
                    out.push(undecidable(f, Some(g.span.clone()), &reason));
                    continue;
                }
            };
            let mut seen: HashMap<String, Result<Option<Witness>, String>> = HashMap::new();
            let mut hits: Vec<(String, std::ops::Range<usize>, Witness)> = Vec::new();
            for (p, span) in g.who.iter().zip(&g.who_spans) {
                if f.except.contains(p) {
                    continue;
                }
                let name = p.to_string();
                let facts = Facts::for_principal(&name);
                let class = match &facts.username {
                    crate::access::Knowledge::Value(v) => format!("user:{v}"),
                    other => format!("{other:?}"),
                };
                let found = seen
                    .entry(class)
                    .or_insert_with(|| {
                        overlap(
                            std::slice::from_ref(&grant),
                            std::slice::from_ref(&forbid),
                            &facts,
                        )
                        .map_err(|e| e.reason)
                    })
                    .clone();
                match found {
                    Ok(Some(w)) => hits.push((name, span.clone(), w)),
                    Ok(None) => {}
                    Err(reason) => out.push(undecidable(f, Some(span.clone()), &reason)),
                }
            }
            if let Some((_, span, witness)) = hits.first() {
                let names: Vec<&str> = hits.iter().map(|(n, _, _)| n.as_str()).collect();
                out.push(violation(f, &g.name, &names, span.clone(), witness));
            }
        }
    }
    out
}

fn violation(
    f: &Forbid,
    grant: &str,
    names: &[&str],
    span: std::ops::Range<usize>,
    w: &Witness,
) -> Diagnostic {
    let found = Questions::ForbidViolated {
        grant,
        principals: names,
        forbid: &f.name,
        forbid_span: f.span.clone(),
        action: w.action.to_string(),
        resource: w.resource.to_string(),
        context: w.context.iter().map(|(k, v)| format!("{k}={v}")).collect(),
    };
    found.at(span)
}

fn undecidable(f: &Forbid, span: Option<std::ops::Range<usize>>, reason: &str) -> Diagnostic {
    let found = Questions::ForbidUndecidable {
        forbid: &f.name,
        forbid_span: f.span.clone(),
        reason,
    };
    found.at(span.unwrap_or(f.span.clone()))
}

/// Whether the policy's JSON may hold one of the actions: literal actions must appear
/// (ssm-compile spells its actions literally); a wildcard action is always checked.
fn mentions(policy: &Compact, actions: &[String]) -> bool {
    actions
        .iter()
        .any(|a| a.contains(['*', '?']) || policy.names_action(a))
}

/// The forbid as a policy document: every partition, region and account.
fn document(f: &Forbid) -> Value {
    let mut statements = Vec::new();
    if f.instances.is_some() || f.tags.is_some() {
        let resources: Vec<String> = match &f.instances {
            Some(Target::Instances(ids)) => ids.iter().map(|id| instance_arn(id)).collect(),
            _ => vec![instance_arn("i-*"), instance_arn("mi-*")],
        };
        let mut s = json!({"Effect": "Allow", "Action": f.actions, "Resource": resources});
        if let Some(tags) = &f.tags {
            let like: serde_json::Map<String, Value> = tags
                .iter()
                .map(|(k, vs)| {
                    let vs: Vec<String> = vs.iter().map(|v| v.replace('$', "${$}")).collect();
                    (format!("ssm:resourceTag/{k}"), json!(vs))
                })
                .collect();
            s["Condition"] = json!({ "StringLike": like });
        }
        statements.push(s);
    }
    if !f.documents.is_empty() {
        let resources: Vec<String> = f
            .documents
            .iter()
            .map(|d| format!("arn:*:ssm:*:*:document/{d}"))
            .collect();
        statements.push(json!({"Effect": "Allow", "Action": f.actions, "Resource": resources}));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn instance_arn(id: &str) -> String {
    if id.starts_with("mi-") {
        format!("arn:*:ssm:*:*:managed-instance/{id}")
    } else {
        format!("arn:*:ec2:*:*:instance/{id}")
    }
}
