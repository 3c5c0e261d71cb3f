//! Turning a non-empty box into one concrete, realistic request: per dimension the first
//! plausible value that belongs to the box (values the policies spell, then familiar AWS
//! examples), else the shortest member.

use super::eval::Request;
use super::lang::Strings;
use super::model::{Resource, Statement};
use super::pattern::{Binding, Seg, Var, instantiate, is_symbol, is_universal};
use super::space::{ACTION, ARN, Bx, KEYS, Space};
use std::collections::BTreeMap;

/// Actions without resource-level permissions: real requests name the resource `*`.
const NO_RESOURCE: &[&str] = &[
    "ssm:DescribeSessions",
    "ssm:GetConnectionStatus",
    "ssm:DescribeInstanceInformation",
    "ssm:DescribeInstanceProperties",
    "ec2:DescribeInstances",
];

/// Canonical spellings for the actions we emit (the model lower-cases actions).
const ACTIONS: &[&str] = &[
    "ssm:StartSession",
    "ssm:SendCommand",
    "ssm:TerminateSession",
    "ssm:ResumeSession",
    "ssm:DescribeSessions",
    "ssm:GetConnectionStatus",
    "ssm:DescribeInstanceInformation",
    "ssm:DescribeInstanceProperties",
    "ec2:DescribeInstances",
    "ssm:CreateDocument",
    "ssm:UpdateDocument",
    "ssm:GetDocument",
    "kms:GenerateDataKey",
];

fn defaults(dim: usize) -> &'static [&'static str] {
    match dim {
        ACTION => &[],
        1 => &["arn"],
        2 => &["aws"],
        3 => &["ec2", "ssm", "kms"],
        4 => &["us-east-1"],
        5 => &["111122223333"],
        6 => &[
            "instance/i-0123456789abcdef0",
            "managed-instance/mi-0123456789abcdef0",
            "document/SSM-SessionManagerRunShell",
            "key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ],
        // `false` before `web`: a request that fails a `Bool` test reads best with `false`.
        _ => &["true", "false", "web"],
    }
}

/// Example values for the variables when the principal does not fix them, the realistic one
/// first (the others serve when a short value is what tells two patterns apart).
pub(crate) fn examples(var: Var) -> &'static [&'static str] {
    match var {
        Var::Username => &["alice", "a", "ab", "abc", "alice-0123456789abcdef0"],
        Var::Userid => &["AIDACKCEVSQ6C2EXAMPLE", "a", "ab", "abc", "AIDA:alice"],
    }
}

pub(crate) fn example(var: Var) -> &'static str {
    examples(var)[0]
}

/// Plausible values per dimension, gathered once per comparison.
pub(crate) struct Hints {
    per_dim: Vec<Vec<String>>,
}

impl Hints {
    pub(crate) fn new(space: &Space, statements: &[&Statement], env: &[Binding; 2]) -> Hints {
        // Literal values first: a region or account the policy names beats an example.
        let mut lits: Vec<Vec<String>> = vec![Vec::new(); space.dims.len()];
        let mut per_dim: Vec<Vec<String>> = vec![Vec::new(); space.dims.len()];
        // Wildcards filled with nothing: the last resort before the shortest member.
        let mut bare: Vec<Vec<String>> = vec![Vec::new(); space.dims.len()];
        let mut add = |dim: usize, segs: &[Seg]| {
            if is_universal(segs) {
                // `*` says nothing about what a realistic value looks like.
            } else if segs.iter().all(|s| matches!(s, Seg::Lit(_))) {
                lits[dim].extend(fills(segs, dim).into_iter().take(1));
            } else {
                let [realistic, empty] = fills(segs, dim);
                per_dim[dim].push(realistic);
                bare[dim].push(empty);
            }
        };
        for s in statements {
            for a in &s.actions {
                add(ACTION, a);
            }
            for r in &s.resources {
                if let Resource::Arn(fields) = r {
                    for (i, f) in fields.iter().enumerate() {
                        if let Some(f) = instantiate(f, env) {
                            add(ARN + i, &f);
                        }
                    }
                }
            }
            for c in &s.clauses {
                // Statements the comparison does not model have keys the space lacks.
                let Some(&dim) = space.keys.get(&c.key) else {
                    continue;
                };
                for v in c.values.iter().filter_map(|v| instantiate(v, env)) {
                    add(dim, &v);
                }
            }
        }
        for (dim, (list, mut first)) in per_dim.iter_mut().zip(lits).enumerate() {
            // An empty account (AWS-owned documents) is a poor example for anything else.
            first.sort_by_key(String::is_empty);
            first.append(list);
            *list = first;
            if dim == ACTION {
                list.extend(ACTIONS.iter().map(|a| a.to_lowercase()));
            }
            list.extend(defaults(dim).iter().map(|s| s.to_string()));
            list.append(&mut bare[dim]);
        }
        Hints { per_dim }
    }
}

/// A pattern's plausible members: wildcards filled with what usually stands there, and empty.
fn fills(segs: &[Seg], dim: usize) -> [String; 2] {
    let mut realistic = String::new();
    let mut empty = String::new();
    for seg in segs {
        match seg {
            Seg::Lit(c) => {
                realistic.push(*c);
                empty.push(*c);
            }
            Seg::Star => realistic.push_str(star_fill(&realistic, dim)),
            Seg::Any => {
                let c = if realistic.ends_with(|c: char| c == '-' || c.is_ascii_digit()) {
                    '1'
                } else {
                    'x'
                };
                realistic.push(c);
                empty.push(c);
            }
            Seg::Var(_) => {}
        }
    }
    [realistic, empty]
}

fn star_fill(before: &str, dim: usize) -> &'static str {
    if dim != ARN + 5 {
        return "";
    }
    let table = [
        ("managed-instance/", "mi-0123456789abcdef0"),
        ("instance/", "i-0123456789abcdef0"),
        ("document/", "SSM-SessionManagerRunShell"),
        ("key/", "1234abcd-12ab-34cd-56ef-1234567890ab"),
        // Not the example user's: a session of someone else is what `session/*` adds.
        ("session/", "bob-0123456789abcdef0"),
        ("-", "0123456789abcdef0"),
    ];
    table
        .iter()
        .find(|(end, _)| before.ends_with(end))
        .map_or("", |(_, fill)| fill)
}

/// One concrete request inside `piece`. Variables' symbols become `values`; a variable the
/// statements use and the world binds is set in the context.
pub(crate) fn build(
    space: &Space,
    piece: &Bx,
    hints: &Hints,
    values: &[Option<String>; 2],
    used: &[Var],
    star: bool,
) -> Request {
    let pick = |dim: usize| -> Option<String> {
        let lang = &piece[dim];
        let d = &space.dims[dim];
        if d.optional && lang.absent {
            return None;
        }
        let hints = &hints.per_dim[dim];
        if let Some(h) = hints.iter().find(|h| lang.contains(d, h)) {
            return Some(h.clone());
        }
        let dfa = match &lang.strings {
            Strings::All => return Some("x".to_string()),
            Strings::Finite(set) => return set.first().cloned(),
            Strings::Dfa(dfa) => dfa,
        };
        let short = dfa.shortest(&d.alpha)?;
        let longer = ["0123456789abcdef0", "i-0123456789abcdef0", "example"]
            .iter()
            .map(|f| format!("{short}{f}"))
            .find(|s| dfa.accepts(&d.alpha, s));
        Some(longer.unwrap_or(short))
    };
    let concrete = |s: String| -> String {
        s.chars()
            .map(|c| match c {
                c if c == Var::Username.symbol() => values[0].clone().unwrap_or_default(),
                c if c == Var::Userid.symbol() => values[1].clone().unwrap_or_default(),
                c => c.to_string(),
            })
            .collect()
    };
    let action = pick(ACTION).unwrap_or_default();
    let action = ACTIONS
        .iter()
        .find(|a| a.eq_ignore_ascii_case(&action))
        .map_or(action, |a| a.to_string());
    let all_resources = (ARN..ARN + 6).all(|d| matches!(piece[d].strings, Strings::All));
    let resource = if star && all_resources && NO_RESOURCE.contains(&action.as_str()) {
        "*".to_string()
    } else {
        let fields: Vec<String> = (ARN..ARN + 6)
            .map(|d| concrete(pick(d).unwrap_or_default()))
            .collect();
        fields.join(":")
    };
    let mut context = BTreeMap::new();
    for dim in KEYS..space.dims.len() {
        if let Some(v) = pick(dim) {
            context.insert(space.dims[dim].spelled.clone(), concrete(v));
        }
    }
    for var in used {
        if let Some(v) = &values[var.index()] {
            context.insert(var.key().to_string(), v.clone());
        }
    }
    debug_assert!(!context.values().any(|v| v.chars().any(is_symbol)));
    Request {
        action,
        resource,
        context,
    }
}
