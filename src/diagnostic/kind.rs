//! The catalogue of problems: one `Kind` per problem, each with a stable code, a severity and a
//! one-line description (docs/DIAGNOSTICS.md lists them; a test keeps the two in step).
//!
//! Codes are grouped by the stage that finds the problem: E01xx reading the file, E02xx the
//! shape of a value, E03xx the keys, E04xx the value of a key, E05xx rules across a grant's
//! keys, E06xx the outputs, L07xx the Session Manager lints, E09xx the world outside the file.
//! Warnings take a W in place of the E; lints take an L, because their level is the user's
//! (`[lints]`): a lint kind's severity here is only a placeholder, the lint pass sets each
//! diagnostic's. Numbers are unique across letters. A code is never reused or renumbered: a
//! retired kind keeps its number.

use super::Severity;

macro_rules! kinds {
    ($($(#[$doc:meta])* $kind:ident = $code:literal, $severity:ident, $text:literal;)*) => {
        /// A problem ssm-compile reports.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $($(#[$doc])* $kind,)*
        }

        impl Kind {
            /// Every kind, in code order.
            pub const ALL: &'static [Kind] = &[$(Kind::$kind,)*];

            /// Whether the kind is a lint (an `L` code): its level comes from `[lints]`.
            pub const fn is_lint(self) -> bool {
                self.code().as_bytes()[0] == b'L'
            }

            /// The kind whose code is `code`, in any case (`e0101` finds `E0101`).
            pub fn from_code(code: &str) -> Option<Kind> {
                Kind::ALL.iter().copied().find(|k| k.code().eq_ignore_ascii_case(code))
            }

            /// The stable code, as printed in `error[E0101]`.
            pub const fn code(self) -> &'static str {
                match self {
                    $(Kind::$kind => $code,)*
                }
            }

            pub const fn severity(self) -> Severity {
                match self {
                    $(Kind::$kind => Severity::$severity,)*
                }
            }

            /// What the problem is, in one line (the documentation's entry).
            pub const fn description(self) -> &'static str {
                match self {
                    $(Kind::$kind => $text,)*
                }
            }
        }
    };
}

kinds! {
    NotUtf8 = "E0100", Error, "the file is not UTF-8 text";
    Syntax = "E0101", Error, "the file is not valid TOML";
    Unclosed = "E0102", Error, "a bracket or a quote is never closed";
    DuplicateTable = "E0103", Error, "a table header is written twice";
    DuplicateKey = "E0104", Error, "a key is set twice in one table";

    WrongType = "E0200", Error, "a value has the wrong type";
    QuotedBoolean = "E0201", Error, "a boolean is written as a string";
    NotAList = "E0202", Error, "a single string stands where a list belongs";
    Empty = "E0203", Error, "a list or table that must hold values is empty";
    NotAStringItem = "E0204", Error, "a list of strings holds something else";
    Repeated = "E0205", Error, "a value is repeated in a list";
    Placeholder = "E0206", Error, "a value is a placeholder copied from AWS's sample policies";
    UnknownChoice = "E0207", Error, "a word is not one of the values of its key";

    UnknownKey = "E0300", Error, "a key ssm-compile does not know";
    NotAGrantKey = "E0301", Error, "a key of the whole file is written in a grant";
    GrantArray = "E0302", Error, "grants are written as an array (`[[grant]]`)";
    GrantNotTable = "E0303", Error, "a grant is not a table";
    NoGrantKey = "E0304", Error, "the file defines no grant";
    NoGrants = "E0305", Error, "the `grant` table is empty";
    MissingKey = "E0306", Error, "a grant lacks a key it needs";
    MissingEverywhere = "E0307", Error, "no grant sets `account` or `region`, and the top does not either";
    MissingInGrant = "E0308", Error, "a grant has no `account` or `region`, and the top sets none";
    UnknownLint = "E0309", Error, "a `[lints]` key that names no configurable lint";
    NotADefault = "E0320", Error, "`[defaults]` sets a key that has no default";

    BadAccount = "E0400", Error, "an account id that is not 12 digits";
    BadRegion = "E0401", Error, "a region code ssm-compile does not support";
    EmptyOutput = "E0402", Error, "`output` is empty";
    UnknownFormat = "E0403", Error, "a format that is not json, cloudformation or terraform";
    BadGrantName = "E0404", Error, "a grant name that cannot name an IAM policy";
    UnknownPrincipalType = "E0405", Error, "a principal type other than user, group or role";
    UntypedPrincipal = "E0406", Error, "a principal without its type (`user:`, `group:`, `role:`)";
    BadPrincipalName = "E0407", Error, "a principal name IAM does not allow";
    UnknownConsole = "E0408", Error, "a console other than session-manager, cli or ec2";
    StarNotAlone = "E0409", Error, "`*` listed with other instances";
    BadInstanceId = "E0410", Error, "an instance id of the wrong form";
    BadTagKey = "E0411", Error, "a tag key IAM conditions cannot use";
    BadTagValue = "E0412", Error, "a tag value IAM policies cannot hold";
    BadDocumentName = "E0413", Error, "a session document name of the wrong form";
    BadKmsArn = "E0414", Error, "`kms_key` is not a KMS key ARN";
    KmsAlias = "E0415", Error, "`kms_key` is an alias ARN";
    KmsPartition = "E0416", Error, "`kms_key` is in another partition than the grant";
    KmsRegion = "W0417", Warning, "`kms_key` is in another region than the grant's sessions";
    UnknownRegion = "E0418", Error, "a region that is not in the pinned region table";
    UnknownDocument = "E0419", Error, "an AWS-owned session document that is not in the pinned table";
    UnknownRegionAllowed = "W0420", Warning, "a region not in the pinned table, let through by `allow_unknown`";
    UnknownDocumentAllowed = "W0421", Warning, "an AWS document not in the pinned table, let through by `allow_unknown`";
    TagKeyCase = "E0422", Error, "two tag keys of one grant differ only in letter case";

    InstancesAndTags = "E0500", Error, "a grant sets both `instances` and `tags`";
    NoTarget = "E0501", Error, "a grant sets neither `instances` nor `tags`";
    DocumentsForAdmin = "E0502", Error, "a document key in an admin grant";
    DocumentsWithEc2 = "E0503", Error, "a document key in a grant whose only console is ec2";
    GrantPartition = "E0504", Error, "a grant's region is in another partition than the file's";
    UsernameForRoles = "E0505", Error, "own_sessions = \"username\" for roles";
    PartitionContradictsRegion = "E0506", Error, "`partition` contradicts `region`";
    CaseCollision = "E0507", Error, "two grant names differ only in letter case";
    Internal = "E0508", Error, "a grant was dropped without a reason (a bug)";
    AgentUpdateWithoutEc2 = "E0509", Error, "`ec2_agent_update` in a grant without the ec2 console";

    PolicyTooLarge = "E0600", Error, "a policy is larger than IAM allows";
    ManyAttachments = "W0601", Warning, "a principal has more managed policies than IAM allows by default";
    TooManyAttachments = "E0602", Error, "a principal has more managed policies than IAM ever allows";
    OutputFileCollision = "E0603", Error, "a grant's file is the file of a deployable output";
    TerraformFileCollision = "E0604", Error, "a grant's file would be loaded by Terraform";
    TooManyResources = "E0605", Error, "more resources than a CloudFormation template holds";
    IdCollision = "E0606", Error, "two grants map to one template identifier";

    RemoteHostPortForwarding = "L0700", Warning, "a grant lets its users tunnel through the node to any host it can reach";
    UnloggedSessionDocument = "L0701", Warning, "sessions with this document are not logged by Session Manager";
    UsernamePrefixCollision = "L0702", Warning, "one user's own-session scope also matches another user's sessions";
    AdminCanChangePreferences = "L0703", Warning, "an admin grant can rewrite the account's session preferences";
    TagSelectedGrant = "L0704", Warning, "whoever can write the grant's tag decides which instances it reaches";
    ManagedNodesUnreachable = "L0705", Warning, "a tag or [\"*\"] grant never reaches managed (mi-) nodes";
    Ec2ConsoleAgentUpdateDenied = "L0706", Warning, "the EC2 console's ssm:SendCommand has no document, so its agent update is denied";

    Io = "E0900", Error, "reading or writing a file failed";
    FileTooLarge = "E0901", Error, "the configuration file is too large to read";
    OutputLocked = "E0902", Error, "another build holds the output directory";
    ConfigExists = "E0920", Error, "`init` would overwrite an existing configuration file";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_match_their_severity() {
        let mut codes: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Kind::ALL.len());
        // Numbers are unique across letters too: E0417 cannot exist beside W0417.
        let mut numbers: Vec<&str> = Kind::ALL.iter().map(|k| &k.code()[1..]).collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), Kind::ALL.len());
        for kind in Kind::ALL {
            let letter = match kind.severity() {
                _ if kind.is_lint() => 'L',
                Severity::Error => 'E',
                Severity::Warning => 'W',
            };
            assert!(kind.code().starts_with(letter), "{kind:?}");
            assert_eq!(kind.code().len(), 5, "{kind:?}");
            assert_eq!(Kind::from_code(&kind.code().to_lowercase()), Some(*kind));
        }
    }

    #[test]
    fn docs_list_every_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/DIAGNOSTICS.md");
        let docs = std::fs::read_to_string(path).unwrap();
        let listed: Vec<&str> = docs.lines().filter(|l| l.starts_with("- `")).collect();
        let expected: Vec<String> = Kind::ALL
            .iter()
            .map(|k| format!("- `{}` {:?}: {}", k.code(), k, k.description()))
            .collect();
        assert_eq!(
            listed, expected,
            "docs/DIAGNOSTICS.md is out of step with kind.rs"
        );
    }
}
