//! The schema of `access.toml` as data: every key, where it may be written, whether a grant
//! needs it, and what it means; and the words a choice key accepts. The validator reads these
//! tables, and so can a JSON Schema generator or the documentation.

use crate::aws::Partition;
use crate::compile::config::Role;

/// Where a key may be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Only at the top of the file (settings of the whole file).
    Top,
    /// Only in a `[grant.NAME]` table.
    Grant,
    /// At the top (the default for every grant) or in a grant.
    Both,
}

/// One key of `access.toml`.
#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    pub name: &'static str,
    pub scope: Scope,
    /// Whether every grant must set it (`account` and `region` may come from the top instead).
    pub required: bool,
    /// An example, as written in the file.
    pub example: &'static str,
    pub doc: &'static str,
}

const fn key(
    name: &'static str,
    scope: Scope,
    required: bool,
    example: &'static str,
    doc: &'static str,
) -> KeySpec {
    KeySpec {
        name,
        scope,
        required,
        example,
        doc,
    }
}

/// Every key. The order is the order messages list them in: keys of both scopes come first at
/// the top level and last in a grant.
pub const KEYS: &[KeySpec] = &[
    key(
        "account",
        Scope::Both,
        true,
        "account = \"111122223333\"",
        "The AWS account of the instances and documents (12 digits).",
    ),
    key(
        "region",
        Scope::Both,
        true,
        "region = \"us-east-2\"",
        "The region of the managed nodes and documents; it decides the partition.",
    ),
    key(
        "partition",
        Scope::Top,
        false,
        "partition = \"aws\"",
        "The partition, when given it must agree with the region.",
    ),
    key(
        "output",
        Scope::Top,
        false,
        "output = \"policies\"",
        "The output directory, relative to the file.",
    ),
    key(
        "formats",
        Scope::Top,
        false,
        "formats = [\"json\", \"terraform\"]",
        "The outputs to generate: json, cloudformation, terraform.",
    ),
    key(
        "allow_unknown",
        Scope::Top,
        false,
        "allow_unknown = [\"regions\", \"documents\"]",
        "Lets regions and AWS-owned documents that are not in ssm-compile's pinned tables through, with a warning (for AWS newer than the table).",
    ),
    key(
        "lints",
        Scope::Top,
        false,
        "[lints]\nremote-host-port-forwarding = \"allow\"",
        "The level of each lint, by name or code: allow, warn or deny (a denied lint is an error).",
    ),
    key(
        "grant",
        Scope::Top,
        false,
        "[grant.NAME]",
        "The grants, one table each.",
    ),
    key(
        "defaults",
        Scope::Top,
        false,
        "[defaults]",
        "Values for grant keys that grants repeat (kms_key, consoles, documents, ...); a grant's own value wins.",
    ),
    key(
        "role",
        Scope::Grant,
        true,
        "role = \"end-user\"",
        "end-user (start sessions) or admin (also manage preferences).",
    ),
    key(
        "who",
        Scope::Grant,
        true,
        "who = [\"group:oncall\"]",
        "The principals the policy is for: user:, group:, role:.",
    ),
    key(
        "consoles",
        Scope::Grant,
        true,
        "consoles = [\"session-manager\", \"cli\"]",
        "Where sessions start: session-manager, cli, ec2.",
    ),
    key(
        "instances",
        Scope::Grant,
        false,
        "instances = [\"i-0123456789abcdef0\"]",
        "The instance ids, or [\"*\"]; exclusive with tags.",
    ),
    key(
        "tags",
        Scope::Grant,
        false,
        "tags = { Team = \"web\" }",
        "Instance tags to match; exclusive with instances.",
    ),
    key(
        "kms_key",
        Scope::Grant,
        false,
        "kms_key = \"arn:aws:kms:...\"",
        "The KMS key ARN that encrypts sessions.",
    ),
    key(
        "documents",
        Scope::Grant,
        false,
        "documents = [\"SSM-SessionManagerRunShell\"]",
        "The session documents an end user may use.",
    ),
    key(
        "document_access_check",
        Scope::Grant,
        false,
        "document_access_check = true",
        "Whether to require the session document access check.",
    ),
    key(
        "own_sessions",
        Scope::Grant,
        false,
        "own_sessions = \"auto\"",
        "How a user's own sessions are recognised: auto, username, session-tag.",
    ),
    key(
        "resume_session",
        Scope::Grant,
        false,
        "resume_session = true",
        "Whether users may resume their own sessions.",
    ),
    key(
        "ec2_agent_update",
        Scope::Grant,
        false,
        "ec2_agent_update = true",
        "With the ec2 console: also allow ssm:SendCommand on AWS-UpdateSSMAgent, so the console can update SSM Agent before a session.",
    ),
];

/// The grant keys `[defaults]` may set. Who a grant is for and what it targets are the grant
/// itself, so `role`, `who`, `instances` and `tags` have no default; `account` and `region`
/// have theirs at the top of the file.
pub const DEFAULTABLE: &[&str] = &[
    "consoles",
    "kms_key",
    "documents",
    "document_access_check",
    "own_sessions",
    "resume_session",
];

/// The words of `consoles`, in message order.
pub(super) const CONSOLES: &[&str] = &["session-manager", "cli", "ec2"];

/// The keys of the top level, in message order.
pub fn top_keys() -> impl Iterator<Item = &'static str> {
    KEYS.iter()
        .filter(|k| k.scope != Scope::Grant)
        .map(|k| k.name)
}

/// The keys of a grant, in message order.
pub fn grant_keys() -> impl Iterator<Item = &'static str> {
    let only = KEYS.iter().filter(|k| k.scope == Scope::Grant);
    let both = KEYS.iter().filter(|k| k.scope == Scope::Both);
    only.chain(both).map(|k| k.name)
}

/// The key of `name` that a grant may hold, as the table's `'static` name.
pub(super) fn grant_key(name: &str) -> Option<&'static str> {
    KEYS.iter()
        .find(|k| k.name == name && k.scope != Scope::Top)
        .map(|k| k.name)
}

/// A key whose value is one of a few words.
pub(super) trait Choice: Copy + 'static {
    /// The words, in message order (the first is the example), and what each means.
    const NAMES: &'static [(&'static str, Self)];
}

impl Choice for Role {
    const NAMES: &'static [(&'static str, Self)] =
        &[("end-user", Role::EndUser), ("admin", Role::Admin)];
}

impl Choice for Partition {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("aws", Partition::Aws),
        ("aws-cn", Partition::AwsCn),
        ("aws-us-gov", Partition::AwsUsGov),
    ];
}

/// `own_sessions` as written; `Auto` is resolved against `who` by the grant rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OwnSessionsChoice {
    Auto,
    Username,
    SessionTag,
}

impl Choice for OwnSessionsChoice {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("auto", OwnSessionsChoice::Auto),
        ("username", OwnSessionsChoice::Username),
        ("session-tag", OwnSessionsChoice::SessionTag),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lists_keep_their_order() {
        let top: Vec<_> = top_keys().collect();
        assert_eq!(
            top,
            [
                "account",
                "region",
                "partition",
                "output",
                "formats",
                "allow_unknown",
                "lints",
                "grant",
                "defaults"
            ]
        );
        let grant: Vec<_> = grant_keys().collect();
        assert_eq!(grant.first(), Some(&"role"));
        assert_eq!(&grant[grant.len() - 2..], ["account", "region"]);
        assert_eq!(grant_key("region"), Some("region"));
        assert_eq!(grant_key("output"), None);
        for key in DEFAULTABLE {
            assert_eq!(grant_key(key), Some(*key), "{key} is a grant key");
        }
    }
}
