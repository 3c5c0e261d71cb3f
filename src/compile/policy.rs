//! Typed IAM policy documents, serialized the way the AWS quickstart writes them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const VERSION: &str = "2012-10-17";

// Unknown fields are refused when reading a policy back (`diff` reads files on disk): a
// `NotAction` or `Principal` silently dropped would hide what the file really grants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Statement")]
    pub statement: Vec<Statement>,
}

/// Field order is the serialization order: `Effect`, `Action`, `Resource`, `Condition`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(rename = "Effect")]
    pub effect: Effect,
    #[serde(rename = "Action")]
    pub action: OneOrMany,
    #[serde(rename = "Resource")]
    pub resource: OneOrMany,
    #[serde(
        rename = "Condition",
        default,
        skip_serializing_if = "Condition::is_empty"
    )]
    pub condition: Condition,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// A string or a list of strings: the quickstart uses each in fixed places, so we keep the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn many<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Self {
        OneOrMany::Many(items.into_iter().map(Into::into).collect())
    }

    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

/// Operator (`StringLike`) to condition key to values. Sorted maps give one canonical order.
pub type Condition = BTreeMap<String, BTreeMap<String, OneOrMany>>;

impl PolicyDocument {
    /// The file's bytes: 4-space indentation, LF line endings, one trailing newline.
    pub fn to_pretty_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2048);
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
        self.serialize(&mut ser)
            .expect("a policy document always serializes");
        out.push(b'\n');
        out.shrink_to_fit();
        out
    }

    /// The size IAM counts against its limit: the JSON without white space.
    pub fn compact_len(&self) -> usize {
        char_count(&self.to_compact_json())
    }

    /// The JSON without white space: half the size of the file's bytes, which
    /// [`pretty_from_compact`] gives back exactly.
    pub fn to_compact_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a policy document always serializes")
    }
}

/// Characters (not bytes) of UTF-8 text, as IAM counts a policy's size.
pub fn char_count(utf8: &[u8]) -> usize {
    // Every byte that does not continue a multi-byte character starts one.
    utf8.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// Appends to `out` the bytes [`PolicyDocument::to_pretty_json`] gives for the document whose
/// [`PolicyDocument::to_compact_json`] is `compact`: serde_json's pretty printer with a 4-space
/// indent, which puts each array element and object member on its own line and `": "` after
/// keys, and writes empty arrays and objects as `[]` and `{}`. Bytes inside strings are copied
/// as they are. Compact JSON has no white space outside strings, so nothing else changes.
pub fn pretty_from_compact(compact: &[u8], out: &mut Vec<u8>) {
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.resize(out.len() + 4 * depth, b' ');
    };
    let mut depth = 0usize;
    let mut i = 0;
    while i < compact.len() {
        let b = compact[i];
        match b {
            b'"' => {
                // Copy the whole string at once: up to the first quote not escaped.
                let mut end = i + 1;
                while end < compact.len() {
                    match compact[end] {
                        b'\\' => end += 2,
                        b'"' => break,
                        _ => end += 1,
                    }
                }
                let end = (end + 1).min(compact.len());
                out.extend_from_slice(&compact[i..end]);
                i = end;
                continue;
            }
            b'{' | b'[' => {
                out.push(b);
                depth += 1;
                if !matches!(compact.get(i + 1), Some(b'}' | b']')) {
                    newline(out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if !matches!(i.checked_sub(1).map(|j| compact[j]), Some(b'{' | b'[')) {
                    newline(out, depth);
                }
                out.push(b);
            }
            b',' => {
                out.push(b);
                newline(out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            _ => out.push(b),
        }
        i += 1;
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pretty(value: &impl Serialize) -> Vec<u8> {
        let mut out = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
        value.serialize(&mut ser).unwrap();
        out.push(b'\n');
        out
    }

    fn via_compact(value: &impl Serialize) -> Vec<u8> {
        let mut out = Vec::new();
        pretty_from_compact(&serde_json::to_vec(value).unwrap(), &mut out);
        out
    }

    #[test]
    fn pretty_from_compact_is_serde_json_pretty() {
        let values = [
            json!({}),
            json!([]),
            json!({"a": [], "b": {}, "c": [[], [{}], {"d": []}]}),
            json!([
                "{",
                "}",
                "[",
                "]",
                ",",
                ":",
                "\"",
                "\\",
                "\\\"",
                "a\\\\",
                "\n\t\u{1}",
                "é€😀"
            ]),
            json!({"k\"{[,:": "v]}\\", "n": [1, -2.5, true, false, null]}),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}),
        ];
        for v in &values {
            assert_eq!(
                String::from_utf8(via_compact(v)).unwrap(),
                String::from_utf8(pretty(v)).unwrap(),
                "{v}"
            );
        }
    }

    #[test]
    fn char_count_counts_characters() {
        assert_eq!(char_count("aé€😀".as_bytes()), 4);
        assert_eq!(char_count(b""), 0);
    }
}
