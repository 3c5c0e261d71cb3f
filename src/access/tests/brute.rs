//! A brute-force evaluator written separately from the model: it reads the policy JSON
//! directly and matches with its own recursive glob matcher, sharing no code with `eval.rs`
//! or the automata. The properties compare the decision procedure against it.

use serde_json::Value;
use std::collections::BTreeMap;

/// One token of a policy string after variables are replaced by the context.
#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Ch(char),
    Many,
    One,
}

/// Expands `${...}` using the context; `None` when a variable's key is absent.
fn tokens(text: &str, ctx: &BTreeMap<String, String>, wild: bool) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' && chars.get(i + 1) == Some(&'{') {
            let close = chars[i..].iter().position(|c| *c == '}').expect("closed") + i;
            let name: String = chars[i + 2..close].iter().collect();
            match name.as_str() {
                "$" | "*" | "?" => out.push(Tok::Ch(name.chars().next().unwrap())),
                var => {
                    let value = get(ctx, var)?;
                    out.extend(value.chars().map(Tok::Ch));
                }
            }
            i = close + 1;
            continue;
        }
        out.push(match chars[i] {
            '*' if wild => Tok::Many,
            '?' if wild => Tok::One,
            c => Tok::Ch(c),
        });
        i += 1;
    }
    Some(out)
}

fn get<'a>(ctx: &'a BTreeMap<String, String>, key: &str) -> Option<&'a String> {
    ctx.iter()
        .find(|(k, _)| k.to_lowercase() == key.to_lowercase())
        .map(|(_, v)| v)
}

fn glob(p: &[Tok], s: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(Tok::Many) => (0..=s.len()).any(|i| glob(&p[1..], &s[i..])),
        Some(Tok::One) => !s.is_empty() && glob(&p[1..], &s[1..]),
        Some(Tok::Ch(c)) => s.first() == Some(c) && glob(&p[1..], &s[1..]),
    }
}

fn like(pattern: &str, text: &str, ctx: &BTreeMap<String, String>, wild: bool) -> bool {
    let s: Vec<char> = text.chars().collect();
    tokens(pattern, ctx, wild).is_some_and(|p| glob(&p, &s))
}

fn list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
        Value::String(s) => vec![s.clone()],
        _ => panic!("generator writes strings"),
    }
}

fn resource(pattern: &str, arn: &str, ctx: &BTreeMap<String, String>) -> bool {
    if pattern == "*" {
        return true;
    }
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == 6 && a.len() == 6 && p.iter().zip(&a).all(|(p, a)| like(p, a, ctx, true))
}

pub(super) fn condition(
    op: &str,
    key: &str,
    values: &[String],
    ctx: &BTreeMap<String, String>,
) -> bool {
    let got = get(ctx, key);
    match (op, got) {
        ("BoolIfExists", None) => true,
        (_, None) => false,
        ("Bool" | "BoolIfExists", Some(v)) => {
            values.iter().any(|b| b.to_lowercase() == v.to_lowercase())
        }
        ("StringLike", Some(v)) => values.iter().any(|p| like(p, v, ctx, true)),
        ("StringEquals", Some(v)) => values.iter().any(|p| like(p, v, ctx, false)),
        _ => panic!("generator writes known operators"),
    }
}

/// Whether any statement of the policy documents allows (action, resource, context).
pub(super) fn allowed(
    docs: &[Value],
    action: &str,
    arn: &str,
    ctx: &BTreeMap<String, String>,
) -> bool {
    docs.iter()
        .flat_map(|d| d["Statement"].as_array().unwrap())
        .any(|st| {
            let act = list(&st["Action"])
                .iter()
                .any(|a| like(&a.to_lowercase(), &action.to_lowercase(), ctx, true));
            let res = list(&st["Resource"]).iter().any(|r| resource(r, arn, ctx));
            let cond = st
                .get("Condition")
                .and_then(Value::as_object)
                .is_none_or(|ops| {
                    ops.iter().all(|(op, keys)| {
                        keys.as_object()
                            .unwrap()
                            .iter()
                            .all(|(k, v)| condition(op, k, &list(v), ctx))
                    })
                });
            act && res && cond
        })
}
