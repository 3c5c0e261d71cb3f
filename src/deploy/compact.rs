//! Policy documents kept as the plan keeps them, compact JSON bytes, for packing and the
//! templates: a packed policy is its parts' statements joined, so it is built from the bytes
//! of the grants' policies without a parsed tree per grant (issue 16: 100,000 grants held as
//! parsed statements took most of a gigabyte).

use std::collections::HashSet;
use std::sync::Arc;

use crate::compile::policy::char_count;

/// What every compact document starts with: serde's field order, `Version` first.
const PREFIX: &[u8] = b"{\"Version\":\"2012-10-17\",\"Statement\":[";
const SUFFIX: &[u8] = b"]}";

/// One compact policy document, shared with the plan's policy file: its statements' compact
/// JSON in order, each statement shared with every document of the run that has it. 320,000
/// grants that differ in one statement (the instance they reach) hold the others once
/// (issue 16: as whole documents they were most of the peak).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Compact(Arc<[Arc<[u8]>]>);

impl Compact {
    /// The document of compact JSON `doc` (as `serde_json` writes a `PolicyDocument`), not
    /// shared with any other; [`Interner::intern`] shares.
    #[cfg(test)]
    pub fn new(doc: &[u8]) -> Compact {
        Compact(each_statement(statements(doc)).map(Arc::from).collect())
    }

    /// Each statement's compact JSON, in order.
    pub fn statements(&self) -> impl Iterator<Item = &[u8]> {
        self.0.iter().map(|s| &s[..])
    }

    /// Each statement's compact JSON, in order, shared: a holder keeps the statement and
    /// nothing else of the document.
    pub fn shared_statements(&self) -> impl Iterator<Item = &Arc<[u8]>> {
        self.0.iter()
    }

    pub fn statement_count(&self) -> usize {
        self.0.len()
    }

    /// The document's compact JSON, into `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        join([self], out);
    }

    /// The document's compact JSON.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }

    /// Whether a statement names `action` as a quoted string, in any ASCII case (IAM's action
    /// names ignore case). A quoted name never spans two statements.
    pub fn names_action(&self, action: &str) -> bool {
        let needle = format!("\"{action}\"");
        self.statements()
            .any(|s| contains_ignore_case(s, needle.as_bytes()))
    }

    /// A part's share of a packed policy's size: its statements and a comma each (the size
    /// IAM counts: characters, not bytes).
    pub fn weight(&self) -> usize {
        self.statements().map(|s| char_count(s) + 1).sum()
    }
}

/// The documents and statements of a run, each held once.
#[derive(Debug, Default)]
pub struct Interner {
    statements: HashSet<Arc<[u8]>>,
    documents: HashSet<Compact>,
}

impl Interner {
    /// The document of compact JSON `doc`, sharing its statements (and the document itself)
    /// with the ones interned before.
    pub fn intern(&mut self, doc: &[u8]) -> Compact {
        let statements = each_statement(statements(doc))
            .map(|s| match self.statements.get(s) {
                Some(seen) => seen.clone(),
                None => {
                    let new: Arc<[u8]> = s.into();
                    self.statements.insert(new.clone());
                    new
                }
            })
            .collect();
        let doc = Compact(statements);
        match self.documents.get(&doc) {
            Some(seen) => seen.clone(),
            None => {
                self.documents.insert(doc.clone());
                doc
            }
        }
    }
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len()
        && (0..=hay.len() - needle.len())
            .any(|i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The statements of a compact document, as the text between `[` and `]` (empty for none).
fn statements(doc: &[u8]) -> &[u8] {
    assert!(
        doc.starts_with(PREFIX) && doc.ends_with(SUFFIX),
        "the planner's policies are compact documents"
    );
    &doc[PREFIX.len()..doc.len() - SUFFIX.len()]
}

/// Each statement of a compact document's statement list, in order.
fn each_statement(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = list;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = value_end(rest);
        let (one, tail) = rest.split_at(end);
        rest = tail.strip_prefix(b",").unwrap_or(tail);
        Some(one)
    })
}

/// The length of the JSON value (without white space) at the start of `text`.
fn value_end(text: &[u8]) -> usize {
    let (mut depth, mut i) = (0usize, 0);
    while i < text.len() {
        match text[i] {
            b'"' => {
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    text.len()
}

/// The compact document holding the statements of `parts` in order, into `out`.
pub fn join<'a>(parts: impl IntoIterator<Item = &'a Compact>, out: &mut Vec<u8>) {
    out.extend_from_slice(PREFIX);
    let mut first = true;
    for statement in parts.into_iter().flat_map(Compact::statements) {
        if !first {
            out.push(b',');
        }
        out.extend_from_slice(statement);
        first = false;
    }
    out.extend_from_slice(SUFFIX);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::policy::{Effect, OneOrMany, PolicyDocument, Statement, VERSION};
    use crate::deploy::split::statement_len;

    fn doc(n: usize) -> PolicyDocument {
        let statement = (0..n)
            .map(|i| Statement {
                effect: Effect::Allow,
                action: OneOrMany::many([format!("ssm:A{i}"), "ssm:{x},\"]".into()]),
                resource: OneOrMany::One("é,[]{}\\".into()),
                condition: Default::default(),
            })
            .collect();
        PolicyDocument {
            version: VERSION.into(),
            statement,
        }
    }

    #[test]
    fn statements_weights_and_joins_agree_with_the_parsed_document() {
        let mut interner = Interner::default();
        for n in 0..4 {
            let d = doc(n);
            let bytes = d.to_compact_json();
            let compact = Compact::new(&bytes);
            let each: Vec<&[u8]> = compact.statements().collect();
            let want: Vec<Vec<u8>> = d
                .statement
                .iter()
                .map(|s| serde_json::to_vec(s).unwrap())
                .collect();
            assert_eq!(each, want.iter().map(Vec::as_slice).collect::<Vec<_>>());
            assert_eq!(compact.statement_count(), n);
            assert_eq!(compact.to_vec(), bytes, "written back byte for byte");
            let w: usize = d.statement.iter().map(|s| statement_len(s) + 1).sum();
            assert_eq!(compact.weight(), w);
            let empty = Compact::new(&doc(0).to_compact_json());
            let mut joined = Vec::new();
            join([&compact, &empty, &compact], &mut joined);
            let mut both = d.clone();
            both.statement.extend(d.statement.clone());
            assert_eq!(joined, both.to_compact_json());
            assert_eq!(
                interner.intern(&bytes),
                compact,
                "interning keeps the document"
            );
        }
    }

    #[test]
    fn interned_documents_share_their_statements() {
        let mut interner = Interner::default();
        let (two, three) = (doc(2).to_compact_json(), doc(3).to_compact_json());
        let (a, b, c) = (
            interner.intern(&two),
            interner.intern(&three),
            interner.intern(&two),
        );
        assert!(
            Arc::ptr_eq(&a.0, &c.0),
            "an equal document is the same allocation"
        );
        assert!(
            Arc::ptr_eq(&a.0[0], &b.0[0]),
            "an equal statement is held once"
        );
        assert_eq!(b.to_vec(), three);
    }
}
