//! Strings of the policy language: literal characters, the wildcards `*` and `?`, and the two
//! policy variables we model. Both the concrete evaluator and the automata start from [`Seg`].

use std::collections::BTreeMap;

/// A policy variable the model understands. Any other `${...}` is outside the subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Var {
    Username,
    Userid,
}

impl Var {
    pub const ALL: [Var; 2] = [Var::Username, Var::Userid];

    /// The request-context key the variable reads.
    pub fn key(self) -> &'static str {
        match self {
            Var::Username => "aws:username",
            Var::Userid => "aws:userid",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// A private-use character standing for "the variable's value, whatever it is" in the
    /// automata (see `decide.rs` for why that is sound).
    pub(crate) fn symbol(self) -> char {
        char::from_u32(SYMBOL_BASE + self as u32).expect("private-use code point")
    }
}

const SYMBOL_BASE: u32 = 0xE000;

pub(crate) fn is_symbol(c: char) -> bool {
    (SYMBOL_BASE..SYMBOL_BASE + 2).contains(&(c as u32))
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Seg {
    Lit(char),
    Star,
    Any,
    Var(Var),
}

/// Parses one policy string. With `wildcards` false (`StringEquals`), `*` and `?` are literal.
/// `${$}`, `${*}` and `${?}` always write the literal character.
pub(crate) fn parse(text: &str, wildcards: bool) -> Result<Vec<Seg>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${") {
            let end = after
                .find('}')
                .ok_or_else(|| format!("unclosed policy variable in `{text}`"))?;
            let name = &after[..end];
            out.push(match name {
                "$" => Seg::Lit('$'),
                "*" => Seg::Lit('*'),
                "?" => Seg::Lit('?'),
                n if n.eq_ignore_ascii_case("aws:username") => Seg::Var(Var::Username),
                n if n.eq_ignore_ascii_case("aws:userid") => Seg::Var(Var::Userid),
                _ => {
                    return Err(format!(
                        "policy variable `${{{name}}}` in `{text}` is outside the modelled subset"
                    ));
                }
            });
            rest = &after[end + 1..];
            continue;
        }
        if is_symbol(c) {
            return Err(format!("`{text}` holds a private-use character"));
        }
        out.push(match c {
            '*' if wildcards => Seg::Star,
            '?' if wildcards => Seg::Any,
            c => Seg::Lit(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    Ok(out)
}

/// Whether a pattern matches every string (only stars, at least one).
pub(crate) fn is_universal(segs: &[Seg]) -> bool {
    !segs.is_empty() && segs.iter().all(|s| *s == Seg::Star)
}

pub(crate) fn vars(segs: &[Seg]) -> impl Iterator<Item = Var> + '_ {
    segs.iter().filter_map(|s| match s {
        Seg::Var(v) => Some(*v),
        _ => None,
    })
}

/// What a variable is bound to while a pattern is turned into characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Binding {
    /// The key is missing from the request: a pattern using it matches nothing.
    Absent,
    Value(String),
    /// Stands for any value (the decision procedure's symbolic world).
    Symbol,
}

/// Replaces variables by their binding; `None` when a variable is absent.
pub(crate) fn instantiate(segs: &[Seg], env: &[Binding; 2]) -> Option<Vec<Seg>> {
    let mut out = Vec::with_capacity(segs.len());
    for seg in segs {
        match seg {
            Seg::Var(v) => match &env[v.index()] {
                Binding::Absent => return None,
                Binding::Value(s) => out.extend(s.chars().map(Seg::Lit)),
                Binding::Symbol => out.push(Seg::Lit(v.symbol())),
            },
            other => out.push(other.clone()),
        }
    }
    Some(out)
}

/// Concrete glob match (variables already instantiated): `*` any run, `?` one character.
pub(crate) fn glob_match(segs: &[Seg], text: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    // Classic two-pointer matching with one backtrack point: exact for `*`/`?` globs.
    let (mut p, mut t) = (0, 0);
    let mut back: Option<(usize, usize)> = None;
    while t < text.len() {
        match segs.get(p) {
            Some(Seg::Star) => {
                back = Some((p, t));
                p += 1;
            }
            Some(Seg::Any) => (p, t) = (p + 1, t + 1),
            Some(Seg::Lit(c)) if *c == text[t] => (p, t) = (p + 1, t + 1),
            _ => match back {
                Some((bp, bt)) => {
                    back = Some((bp, bt + 1));
                    (p, t) = (bp + 1, bt + 1);
                }
                None => return false,
            },
        }
    }
    segs[p..].iter().all(|s| *s == Seg::Star)
}

/// The bindings a concrete request gives the variables.
pub(crate) fn request_env(context: &BTreeMap<String, String>) -> [Binding; 2] {
    Var::ALL.map(|v| match lookup(context, v.key()) {
        Some(value) => Binding::Value(value.to_string()),
        None => Binding::Absent,
    })
}

/// Context keys are case-insensitive.
pub(crate) fn lookup<'a>(context: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// Writes a pattern back in policy syntax (for descriptions).
pub(crate) fn display(segs: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Lit('$') => out.push_str("${$}"),
            Seg::Lit('*') => out.push_str("${*}"),
            Seg::Lit('?') => out.push_str("${?}"),
            Seg::Lit(c) => out.push(*c),
            Seg::Star => out.push('*'),
            Seg::Any => out.push('?'),
            Seg::Var(v) => {
                out.push_str("${");
                out.push_str(v.key());
                out.push('}');
            }
        }
    }
    out
}
