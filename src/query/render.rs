//! The answers of `who-can` and `can` as text (read at a glance) and JSON (a stable shape).
//! Statements are numbered from 1 in text ("statement 1" is `Statement[0]` of the grant's
//! file) and from 0 in JSON (`"statement": 0`, the index in that list).

use serde_json::{Value, json};

use super::{Allowing, Ask, Finding, condition_text};
use crate::access::Answer;

/// "yes", "no" or "only-if", as JSON spells them.
pub fn answer_word(a: &Answer) -> &'static str {
    match a {
        Answer::Yes => "yes",
        Answer::No => "no",
        Answer::OnlyIf(_) => "only-if",
    }
}

fn condition(a: &Answer) -> Option<String> {
    match a {
        Answer::OnlyIf(c) => Some(condition_text(c)),
        _ => None,
    }
}

/// The question in words: "ssm:StartSession on ARN" (and "with the document ARN").
fn question(asks: &[Ask]) -> String {
    let mut lines = Vec::new();
    for (i, a) in asks.iter().enumerate() {
        let lead = if i == 0 { "" } else { "  and " };
        let mut line = format!("{lead}{} on {}", a.request.action, a.request.resource);
        let context: Vec<String> = a
            .request
            .context
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !context.is_empty() {
            line.push_str(&format!(" with {}", context.join(", ")));
        }
        lines.push(line);
    }
    lines.join("\n")
}

/// "web-oncall statement 1 (instance)", one per allowing statement.
fn grants_text(grants: &[Allowing], asks: &[Ask]) -> String {
    grants
        .iter()
        .map(|g| {
            let what = if asks.len() > 1 {
                format!(" ({})", asks[g.ask].what)
            } else {
                String::new()
            };
            format!("{} statement {}{what}", g.grant, g.statement + 1)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn grants_json(grants: &[Allowing], asks: &[Ask]) -> Value {
    grants
        .iter()
        .map(|g| json!({"grant": g.grant, "statement": g.statement, "request": asks[g.ask].what}))
        .collect()
}

fn requests_json(asks: &[Ask]) -> Value {
    asks.iter()
        .map(|a| {
            json!({
                "request": a.what,
                "action": a.request.action,
                "resource": a.request.resource,
                "context": a.request.context,
            })
        })
        .collect()
}

const AT_MOST: &str = "At most: other policies of these principals, SCPs, permission boundaries, \
session policies and resource policies can still deny (README, Queries).";

pub fn who_can_text(asks: &[Ask], findings: &[Finding]) -> String {
    let mut out = format!("who can {}\n\n", question(asks));
    if findings.is_empty() {
        out.push_str("no principal: no grant allows this\n");
    }
    let width = findings
        .iter()
        .map(|f| f.principal.len())
        .max()
        .unwrap_or(0);
    for f in findings {
        let word = match f.answer {
            Answer::OnlyIf(_) => "only if",
            _ => "yes",
        };
        out.push_str(&format!(
            "{word:<7}  {:<width$}  {}\n",
            f.principal,
            grants_text(&f.grants, asks)
        ));
        if let Some(c) = condition(&f.answer) {
            out.push_str(&format!("{:<7}  {:<width$}  when {c}\n", "", ""));
        }
    }
    let yes = findings.iter().filter(|f| f.answer == Answer::Yes).count();
    out.push_str(&format!(
        "\n{} yes, {} only if. {AT_MOST}\n",
        count(yes, "principal"),
        findings.len() - yes
    ));
    out
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

pub fn who_can_json(asks: &[Ask], findings: &[Finding]) -> String {
    let principals: Vec<Value> = findings
        .iter()
        .map(|f| {
            json!({
                "principal": f.principal,
                "answer": answer_word(&f.answer),
                "grants": grants_json(&f.grants, asks),
                "condition": condition(&f.answer),
            })
        })
        .collect();
    let doc = json!({"requests": requests_json(asks), "principals": principals});
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
    text.push('\n');
    text
}

pub fn can_text(principal: &str, asks: &[Ask], f: &Finding) -> String {
    let mut out = match &f.answer {
        Answer::Yes => format!("allow  {principal} may make {}\n", question(asks)),
        _ => format!("deny   {principal} may not make {}\n", question(asks)),
    };
    match &f.answer {
        Answer::Yes => out.push_str(&format!(
            "       granted by {}\n",
            grants_text(&f.grants, asks)
        )),
        Answer::OnlyIf(c) => out.push_str(&format!(
            "       allowed only if {}\n       by {} (tags not given are unknown: give them with --tag or --context)\n",
            condition_text(c),
            grants_text(&f.grants, asks)
        )),
        Answer::No => out.push_str(&format!("       no grant naming {principal} allows it\n")),
    }
    out
}

pub fn can_json(principal: &str, asks: &[Ask], f: &Finding) -> String {
    let decision = if f.answer == Answer::Yes {
        "allow"
    } else {
        "deny"
    };
    let doc = json!({
        "principal": principal,
        "decision": decision,
        "answer": answer_word(&f.answer),
        "grants": grants_json(&f.grants, asks),
        "condition": condition(&f.answer),
        "requests": requests_json(asks),
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
    text.push('\n');
    text
}
