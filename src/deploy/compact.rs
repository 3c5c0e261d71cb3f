//! Policy documents kept as the plan keeps them, compact JSON bytes, for packing and the
//! templates: a packed policy is its parts' statements joined, so it is built from the bytes
//! of the grants' policies without a parsed tree per grant (issue 16: 100,000 grants held as
//! parsed statements took most of a gigabyte).

use std::sync::Arc;

use crate::compile::policy::char_count;

/// What every compact document starts with: serde's field order, `Version` first.
const PREFIX: &[u8] = b"{\"Version\":\"2012-10-17\",\"Statement\":[";
const SUFFIX: &[u8] = b"]}";

/// One compact policy document, shared with the plan's policy file.
pub type Compact = Arc<[u8]>;

/// The statements of a compact document, as the text between `[` and `]` (empty for none).
pub fn statements(doc: &[u8]) -> &[u8] {
    assert!(
        doc.starts_with(PREFIX) && doc.ends_with(SUFFIX),
        "the planner's policies are compact documents"
    );
    &doc[PREFIX.len()..doc.len() - SUFFIX.len()]
}

/// Each statement of a compact document's statement list, in order.
pub fn each_statement(list: &[u8]) -> impl Iterator<Item = &[u8]> {
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

/// How many statements a compact document has.
pub fn statement_count(doc: &[u8]) -> usize {
    each_statement(statements(doc)).count()
}

/// A part's share of a packed policy's size: its statements and a comma each (the size IAM
/// counts: characters, not bytes).
pub fn weight(doc: &[u8]) -> usize {
    let list = statements(doc);
    if list.is_empty() {
        0
    } else {
        // n statements and n - 1 commas: one comma short of a comma each.
        char_count(list) + 1
    }
}

/// The compact document holding the statements of `parts` in order, into `out`.
pub fn join<'a>(parts: impl IntoIterator<Item = &'a [u8]>, out: &mut Vec<u8>) {
    out.extend_from_slice(PREFIX);
    let mut first = true;
    for part in parts {
        let list = statements(part);
        if list.is_empty() {
            continue;
        }
        if !first {
            out.push(b',');
        }
        out.extend_from_slice(list);
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
        for n in 0..4 {
            let d = doc(n);
            let bytes = d.to_compact_json();
            let each: Vec<&[u8]> = each_statement(statements(&bytes)).collect();
            let want: Vec<Vec<u8>> = d
                .statement
                .iter()
                .map(|s| serde_json::to_vec(s).unwrap())
                .collect();
            assert_eq!(each, want.iter().map(Vec::as_slice).collect::<Vec<_>>());
            assert_eq!(statement_count(&bytes), n);
            let w: usize = d.statement.iter().map(|s| statement_len(s) + 1).sum();
            assert_eq!(weight(&bytes), w);
            let mut joined = Vec::new();
            join([&bytes[..], &doc(0).to_compact_json(), &bytes], &mut joined);
            let mut both = d.clone();
            both.statement.extend(d.statement.clone());
            assert_eq!(joined, both.to_compact_json());
        }
    }
}
