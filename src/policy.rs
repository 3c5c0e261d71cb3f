//! Typed IAM policy documents, serialized the way the AWS quickstart writes them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const VERSION: &str = "2012-10-17";

/// IAM's limit on a managed policy, white space not counted.
pub const MAX_POLICY_CHARS: usize = 6144;

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
        serde_json::to_string(self)
            .expect("a policy document always serializes")
            .chars()
            .count()
    }
}
