//! E04xx: the value of a key (accounts, regions, principals, instances, tags, documents, KMS keys).

use super::{Problem, Span};
use crate::aws::{documents, regions};
use crate::diagnostic::{Kind, list};

/// What is wrong with a value; `problem` fields are the AWS fact's own reason (`aws::names`).
#[derive(Debug)]
pub enum Values<'a> {
    BadAccount {
        value: &'a str,
    },
    BadRegion {
        value: &'a str,
        problem: String,
        suggestion: Option<&'a str>,
    },
    EmptyOutput,
    BadMaxManagedPolicies {
        written: &'a str,
        max: usize,
    },
    UnknownFormat {
        value: &'a str,
        suggestion: Option<&'a str>,
        known: &'a [&'a str],
    },
    BadGrantName {
        name: &'a str,
        problem: GrantName,
    },
    UnknownPrincipalType {
        kind: &'a str,
        value: &'a str,
        suggestion: Option<&'a str>,
    },
    UntypedPrincipal {
        value: &'a str,
    },
    BadPrincipalName {
        value: &'a str,
        kind: &'a str,
        problem: PrincipalName,
    },
    UnknownConsole {
        value: &'a str,
        suggestion: Option<&'a str>,
        known: &'a [&'a str],
    },
    StarNotAlone,
    BadInstanceId {
        value: &'a str,
        problem: String,
    },
    TagKeyCase {
        first: &'a str,
        key: &'a str,
        first_span: Span,
    },
    BadTagKey {
        key: &'a str,
        problem: TagKey,
    },
    BadTagValue {
        key: &'a str,
        problem: TagValue,
    },
    BadDocumentName {
        value: &'a str,
        problem: String,
        suggestion: Option<&'a str>,
    },
    /// Not `arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID` at all (`problem` None), or a field
    /// is wrong.
    BadKmsArn {
        problem: Option<String>,
    },
    KmsAlias,
    KmsPartition {
        key: String,
        grant: String,
        region: &'a str,
    },
    KmsRegion {
        key: &'a str,
        region: &'a str,
    },
    /// `within` names where the region is written (` in `kms_key``), or is empty.
    UnknownRegion {
        value: &'a str,
        within: &'a str,
        suggestion: Option<&'a str>,
        pattern: bool,
    },
    UnknownRegionAllowed {
        value: &'a str,
        within: &'a str,
    },
    UnknownDocument {
        value: &'a str,
        suggestion: Option<&'a str>,
    },
    UnknownDocumentAllowed {
        value: &'a str,
    },
}

/// Why a grant name cannot name a policy file.
#[derive(Debug)]
pub enum GrantName {
    Empty,
    TooLong(usize),
    /// The characters, each once in a row.
    BadChars(Vec<char>),
    Dots,
    WindowsDevice,
}

/// Why a principal's name is not an IAM name.
#[derive(Debug)]
pub enum PrincipalName {
    Empty,
    ArnOrPath,
    TooLong { max: usize },
    BadChar(char),
}

#[derive(Debug)]
pub enum TagKey {
    Placeholder,
    Length,
    Reserved,
    BadChar(char),
}

#[derive(Debug)]
pub enum TagValue {
    Placeholder,
    TooLong(usize),
    BadChar(char),
}

const WRITE_REGION: &str =
    "write a region code such as \"us-east-2\", \"eu-west-1\", \"cn-north-1\" or \"us-gov-west-1\"";

impl Problem for Values<'_> {
    fn kind(&self) -> Kind {
        match self {
            Values::BadAccount { .. } => Kind::BadAccount,
            Values::BadRegion { .. } => Kind::BadRegion,
            Values::EmptyOutput => Kind::EmptyOutput,
            Values::BadMaxManagedPolicies { .. } => Kind::BadMaxManagedPolicies,
            Values::UnknownFormat { .. } => Kind::UnknownFormat,
            Values::BadGrantName { .. } => Kind::BadGrantName,
            Values::UnknownPrincipalType { .. } => Kind::UnknownPrincipalType,
            Values::UntypedPrincipal { .. } => Kind::UntypedPrincipal,
            Values::BadPrincipalName { .. } => Kind::BadPrincipalName,
            Values::UnknownConsole { .. } => Kind::UnknownConsole,
            Values::StarNotAlone => Kind::StarNotAlone,
            Values::BadInstanceId { .. } => Kind::BadInstanceId,
            Values::TagKeyCase { .. } => Kind::TagKeyCase,
            Values::BadTagKey { .. } => Kind::BadTagKey,
            Values::BadTagValue { .. } => Kind::BadTagValue,
            Values::BadDocumentName { .. } => Kind::BadDocumentName,
            Values::BadKmsArn { .. } => Kind::BadKmsArn,
            Values::KmsAlias => Kind::KmsAlias,
            Values::KmsPartition { .. } => Kind::KmsPartition,
            Values::KmsRegion { .. } => Kind::KmsRegion,
            Values::UnknownRegion { .. } => Kind::UnknownRegion,
            Values::UnknownRegionAllowed { .. } => Kind::UnknownRegionAllowed,
            Values::UnknownDocument { .. } => Kind::UnknownDocument,
            Values::UnknownDocumentAllowed { .. } => Kind::UnknownDocumentAllowed,
        }
    }

    fn message(&self) -> String {
        match self {
            Values::BadAccount { value } => format!("`{value}` is not an AWS account id"),
            Values::BadRegion { value, .. } => {
                format!("`{value}` is not a region ssm-compile supports")
            }
            Values::EmptyOutput => "`output` is empty".to_owned(),
            Values::BadMaxManagedPolicies { written, max } => {
                format!("`max_managed_policies` is {written}; IAM allows a user or role 1 to {max}")
            }
            Values::UnknownFormat { value, .. } => format!("unknown format \"{value}\""),
            Values::BadGrantName { name, problem } => grant_name(name, problem),
            Values::UnknownPrincipalType {
                kind,
                value,
                suggestion,
            } => {
                let hint = suggestion
                    .map(|b| format!(" (did you mean `{b}`?)"))
                    .unwrap_or_default();
                format!("unknown principal type `{kind}` in `{value}`{hint}")
            }
            Values::UntypedPrincipal { value } => {
                format!("`{value}` does not say whether it is a user, a group or a role")
            }
            Values::BadPrincipalName { value, kind, .. } => {
                format!("`{value}` is not a valid IAM {kind} name")
            }
            Values::UnknownConsole { value, .. } => format!("unknown console \"{value}\""),
            Values::StarNotAlone => "`*` must stand alone in `instances`".to_owned(),
            Values::BadInstanceId { value, .. } => format!("`{value}` is not an instance id"),
            Values::TagKeyCase { first, key, .. } => {
                format!("tag keys `{first}` and `{key}` differ only in letter case")
            }
            Values::BadTagKey { key, .. } => format!("invalid tag key `{key}`"),
            Values::BadTagValue { key, .. } => format!("invalid tag value for `{key}`"),
            Values::BadDocumentName { value, .. } => {
                format!("`{value}` is not a session document name")
            }
            Values::BadKmsArn { problem } => {
                let problem = problem
                    .as_deref()
                    .unwrap_or("expected arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID");
                format!("`kms_key` is not a KMS key ARN: {problem}")
            }
            Values::KmsAlias => {
                "`kms_key` is an alias ARN; IAM cannot grant a key through its alias".to_owned()
            }
            Values::KmsPartition { key, grant, .. } => format!(
                "`kms_key` is in partition `{key}`, but the grant is in partition `{grant}`"
            ),
            Values::KmsRegion { key, region } => format!(
                "`kms_key` is in region `{key}`, but the grant's sessions are in region `{region}`"
            ),
            Values::UnknownRegion { value, within, .. } => {
                format!("`{value}`{within} is not an AWS region")
            }
            Values::UnknownRegionAllowed { value, within } => format!(
                "region `{value}`{within} is not in ssm-compile's region table (botocore {}, {})",
                regions::BOTOCORE_VERSION,
                regions::SOURCE_DATE
            ),
            Values::UnknownDocument { value, .. } => {
                format!("`{value}` is not an AWS session document")
            }
            Values::UnknownDocumentAllowed { value } => format!(
                "`{value}` is not in ssm-compile's table of AWS session documents (checked {})",
                documents::CHECKED
            ),
        }
    }

    fn label(&self) -> Option<String> {
        Some(match self {
            Values::BadAccount { .. } => "expected 12 digits".to_owned(),
            Values::BadRegion { problem, .. }
            | Values::BadInstanceId { problem, .. }
            | Values::BadDocumentName { problem, .. } => problem.clone(),
            Values::BadPrincipalName { kind, problem, .. } => match problem {
                PrincipalName::Empty => "the name is empty".to_owned(),
                PrincipalName::ArnOrPath => "write the plain name, not an ARN or a path".to_owned(),
                PrincipalName::TooLong { max } => {
                    format!("IAM {kind} names have at most {max} characters")
                }
                PrincipalName::BadChar(c) => format!("{c:?} cannot appear in an IAM name"),
            },
            Values::StarNotAlone => "`*` already means every instance".to_owned(),
            Values::TagKeyCase { .. } => {
                "IAM condition keys ignore case: this is the same key".to_owned()
            }
            Values::BadTagKey { key, problem } => match problem {
                TagKey::Placeholder => {
                    format!("`{key}` is a placeholder from AWS's sample policies")
                }
                TagKey::Length => "a tag key has 1 to 128 characters".to_owned(),
                TagKey::Reserved => "tag keys starting with `aws:` are reserved by AWS".to_owned(),
                TagKey::BadChar(c) => {
                    format!("{c:?} cannot appear in a tag key used in an IAM condition")
                }
            },
            Values::BadTagValue { problem, .. } => match problem {
                TagValue::Placeholder => {
                    "`tag-value` is a placeholder from AWS's sample policies".to_owned()
                }
                TagValue::TooLong(n) => format!("{n} characters; a tag value has at most 256"),
                TagValue::BadChar(c) => format!(
                    "{c:?} (U+{:04X}) cannot be written in an IAM policy",
                    *c as u32
                ),
            },
            Values::KmsAlias => "a policy on an alias ARN does not allow using the key".to_owned(),
            Values::KmsPartition { .. } => {
                "an ARN of another partition silently grants nothing".to_owned()
            }
            Values::UnknownRegion { .. } => format!(
                "not a region in {} ({})",
                regions::SOURCE,
                regions::SOURCE_DATE
            ),
            Values::UnknownRegionAllowed { .. } => {
                "let through by allow_unknown = [\"regions\"]".to_owned()
            }
            Values::UnknownDocument { .. } => {
                "AWS publishes no session document of this name; the grant would start no session"
                    .to_owned()
            }
            Values::UnknownDocumentAllowed { .. } => {
                "let through by allow_unknown = [\"documents\"]".to_owned()
            }
            _ => return None,
        })
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Values::BadAccount { .. } => {
                "an account id is 12 digits, as a string: account = \"111122223333\"".to_owned()
            }
            Values::BadRegion { suggestion, .. } => match suggestion {
                Some(best) => format!("did you mean \"{best}\"?"),
                None => WRITE_REGION.to_owned(),
            },
            Values::EmptyOutput => {
                "name a directory relative to access.toml, e.g. output = \"policies\"".to_owned()
            }
            Values::BadMaxManagedPolicies { max, .. } => format!(
                "write a number from 1 to {max}: 10 is IAM's default quota, {max} its maximum after a quota increase"
            ),
            Values::UnknownFormat { suggestion, known, .. } => {
                one_of(*suggestion, "formats", known)
            }
            Values::BadGrantName { .. } => "name grants with 1 to 128 of A-Z a-z 0-9 + = , . @ _ - (e.g. [grant.web-oncall]); the name is the policy name and the file name".to_owned(),
            Values::UnknownPrincipalType { .. } => "write principals as \"user:NAME\", \"group:NAME\", \"role:NAME\" or \"permission-set:NAME\"".to_owned(),
            Values::UntypedPrincipal { value: s } => {
                format!("write \"user:{s}\", \"group:{s}\" or \"role:{s}\"")
            }
            Values::BadPrincipalName { .. } => {
                "IAM names use A-Z a-z 0-9 and + = , . @ _ - only".to_owned()
            }
            Values::UnknownConsole { suggestion, known, .. } => {
                one_of(*suggestion, "consoles", known)
            }
            Values::StarNotAlone => {
                "remove the other ids, or remove \"*\" to grant only the listed instances".to_owned()
            }
            Values::BadInstanceId { .. } => "write EC2 instances as i- and 8 or 17 lowercase hex digits, managed nodes as mi- and 17; use [\"*\"] for every instance or `tags` to select by tag".to_owned(),
            Values::TagKeyCase { .. } => {
                "one tag value cannot match both: keep one spelling, or write two grants for either/or".to_owned()
            }
            Values::BadTagKey { problem: TagKey::Placeholder, .. } => {
                "replace it with the key of a tag your instances carry, e.g. tags = { Team = \"web\" }".to_owned()
            }
            Values::BadTagKey { .. } => {
                "tag keys have 1 to 128 letters, digits, spaces and _ . : / = + - @, and do not start with aws:".to_owned()
            }
            Values::BadTagValue { problem: TagValue::Placeholder, .. } => {
                "replace it with the value your instances carry in this tag".to_owned()
            }
            Values::BadTagValue { .. } => {
                "IAM policies hold only characters U+0020 to U+00FF; `*` and `?` are wildcards".to_owned()
            }
            Values::BadDocumentName { suggestion, .. } => match suggestion {
                Some(best) => format!("did you mean \"{best}\"?"),
                None => "write the document's name (3 to 128 of A-Z a-z 0-9 _ - .), e.g. \"SSM-SessionManagerRunShell\" or \"AWS-StartSSHSession\"".to_owned(),
            },
            Values::BadKmsArn { .. } => "write the key's ARN: arn:aws:kms:REGION:ACCOUNT:key/KEY-ID (aws kms describe-key --key-id ... --query KeyMetadata.Arn)".to_owned(),
            Values::KmsAlias => "use the key ARN the alias points to: aws kms describe-key --key-id alias/NAME --query KeyMetadata.Arn".to_owned(),
            Values::KmsPartition { grant, region, .. } => {
                format!("use a key of region `{region}`, whose ARN starts with arn:{grant}:kms:")
            }
            Values::KmsRegion { .. } => "Session Manager encrypts with a key of the sessions' region; check that this is the key your session preferences name".to_owned(),
            Values::UnknownRegion { suggestion, pattern, .. } => match (suggestion, pattern) {
                (Some(best), _) => format!("did you mean \"{best}\"?"),
                (None, true) => "for a region newer than ssm-compile's table, add allow_unknown = [\"regions\"] at the top of the file".to_owned(),
                (None, false) => WRITE_REGION.to_owned(),
            },
            Values::UnknownRegionAllowed { .. } => "if AWS has no such region, every ARN naming it grants nothing: check it (aws account list-regions)".to_owned(),
            Values::UnknownDocument { suggestion, .. } => match suggestion {
                Some(best) => format!("did you mean \"{best}\"? document names are case-sensitive"),
                None => format!(
                    "AWS's session documents are {}; for one newer than this table, add allow_unknown = [\"documents\"] at the top of the file",
                    documents::aws_owned()
                        .map(|d| d.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            Values::UnknownDocumentAllowed { .. } => "if AWS publishes no such Session document, the grant starts no session with it: check the exact, case-sensitive name (aws ssm describe-document --name NAME)".to_owned(),
        })
    }

    fn related(&self) -> Vec<(Span, String)> {
        match self {
            Values::TagKeyCase {
                first, first_span, ..
            } => {
                vec![(first_span.clone(), format!("`{first}` is here"))]
            }
            _ => Vec::new(),
        }
    }
}

/// `did you mean "b"? NOUN are "x", "y"` or `NOUN are "x", "y"`.
fn one_of(suggestion: Option<&str>, noun: &str, known: &[&str]) -> String {
    let list = list::quoted(known);
    match suggestion {
        Some(b) => format!("did you mean \"{b}\"? {noun} are {list}"),
        None => format!("{noun} are {list}"),
    }
}

fn grant_name(name: &str, problem: &GrantName) -> String {
    match problem {
        GrantName::Empty => "the grant name is empty".to_owned(),
        GrantName::TooLong(n) => {
            format!("the grant name is {n} characters long; IAM policy names have at most 128")
        }
        GrantName::BadChars(bad) => {
            let mut shown: Vec<String> = bad.iter().map(|c| format!("{c:?}")).collect();
            shown.dedup();
            format!(
                "the grant name `{name}` has characters IAM policy names cannot hold: {}",
                shown.join(", ")
            )
        }
        GrantName::Dots => format!(
            "the grant name `{name}` starts with '.' or holds \"..\", which would make a hidden or confusing file name"
        ),
        GrantName::WindowsDevice => format!(
            "the grant name `{name}` is a device name on Windows: `{name}.json` cannot be created or checked out there"
        ),
    }
}
