//! A brute-force evaluator for the property tests of the access model (`src/access/tests`),
//! the review (`review.rs`) and the queries (`queries.rs`), written apart from the decision procedure (`ssm_compile::access`): it reads the policy JSON directly and matches with its
//! own recursive glob matcher. It knows only what the compiler emits: `Allow` statements,
//! `Action`, `Resource` (`*` or a six-field ARN, `*` and `?` not crossing the first five
//! colons), `StringLike`, `StringEquals`, `Bool`, `BoolIfExists`, `${aws:...}` variables
//! and the `${$}`-style escapes.

use serde_json::Value;
use std::collections::BTreeMap;

pub type Context = BTreeMap<String, String>;

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Ch(char),
    Many,
    One,
}

/// The pattern's tokens with variables replaced from the context; `None` when a variable's key
/// is absent (IAM then matches nothing).
fn tokens(text: &str, ctx: &Context, wild: bool) -> Option<Vec<Tok>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' && chars.get(i + 1) == Some(&'{') {
            let close = i + chars[i..].iter().position(|c| *c == '}')?;
            let name: String = chars[i + 2..close].iter().collect();
            match name.as_str() {
                "$" | "*" | "?" => out.push(Tok::Ch(name.chars().next()?)),
                var => out.extend(value(ctx, var)?.chars().map(Tok::Ch)),
            }
            i = close + 1;
        } else {
            out.push(match chars[i] {
                '*' if wild => Tok::Many,
                '?' if wild => Tok::One,
                c => Tok::Ch(c),
            });
            i += 1;
        }
    }
    Some(out)
}

/// Condition keys are case-insensitive.
fn value<'a>(ctx: &'a Context, key: &str) -> Option<&'a String> {
    ctx.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
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

fn like(pattern: &str, text: &str, ctx: &Context, wild: bool) -> bool {
    let s: Vec<char> = text.chars().collect();
    tokens(pattern, ctx, wild).is_some_and(|p| glob(&p, &s))
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn resource(pattern: &str, arn: &str, ctx: &Context) -> bool {
    if pattern == "*" {
        return true;
    }
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == 6 && a.len() == 6 && p.iter().zip(&a).all(|(p, a)| like(p, a, ctx, true))
}

/// Whether one condition operator's test holds for `key` in the context.
pub fn condition(op: &str, key: &str, values: &[String], ctx: &Context) -> bool {
    match (op, value(ctx, key)) {
        ("BoolIfExists", None) => true,
        (_, None) => false,
        ("Bool" | "BoolIfExists", Some(v)) => values.iter().any(|b| b.eq_ignore_ascii_case(v)),
        ("StringLike", Some(v)) => values.iter().any(|p| like(p, v, ctx, true)),
        ("StringEquals", Some(v)) => values.iter().any(|p| like(p, v, ctx, false)),
        (op, _) => panic!("the compiler does not emit {op}"),
    }
}

/// Whether any `Allow` statement of the documents allows the request.
pub fn allowed(docs: &[Value], action: &str, arn: &str, ctx: &Context) -> bool {
    docs.iter()
        .flat_map(|d| d["Statement"].as_array().cloned().unwrap_or_default())
        .any(|st| {
            assert_eq!(st["Effect"], "Allow", "the compiler emits Allow only");
            let act = strings(&st["Action"])
                .iter()
                .any(|a| like(&a.to_lowercase(), &action.to_lowercase(), ctx, true));
            let res = strings(&st["Resource"])
                .iter()
                .any(|r| resource(r, arn, ctx));
            let cond = st
                .get("Condition")
                .and_then(Value::as_object)
                .is_none_or(|ops| {
                    ops.iter().all(|(op, keys)| {
                        keys.as_object()
                            .unwrap()
                            .iter()
                            .all(|(k, v)| condition(op, k, &strings(v), ctx))
                    })
                });
            act && res && cond
        })
}
