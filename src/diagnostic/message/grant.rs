//! E05xx: rules across the keys of one grant, and across grants.

use super::{Problem, Span};
use crate::aws::Partition;
use crate::aws::names::DEFAULT_DOCUMENT;
use crate::diagnostic::Kind;

#[derive(Debug)]
pub enum Rules<'a> {
    InstancesAndTags {
        grant: &'a str,
        instances: Span,
    },
    NoTarget {
        grant: &'a str,
    },
    /// `key` is `documents` or `document_access_check`.
    DocumentsForAdmin {
        key: &'a str,
    },
    DocumentsWithEc2 {
        key: &'a str,
    },
    AgentUpdateWithoutEc2,
    /// The grant's `region` is in `derived`; the file's `partition` (set at `partition_span`)
    /// says `explicit`.
    GrantPartition {
        grant: &'a str,
        region: &'a str,
        derived: Partition,
        explicit: Partition,
        partition_span: Span,
    },
    UsernameForPermissionSets {
        sets: &'a [String],
    },
    UsernameForRoles {
        roles: &'a [String],
    },
    PartitionContradictsRegion {
        partition: Partition,
        region: &'a str,
        derived: Partition,
        region_span: Span,
    },
    CaseCollision {
        grant: &'a str,
        first: &'a str,
        first_span: Span,
    },
    /// A grant was dropped with no error saying why.
    Internal {
        grant: &'a str,
    },
}

impl Problem for Rules<'_> {
    fn kind(&self) -> Kind {
        match self {
            Rules::InstancesAndTags { .. } => Kind::InstancesAndTags,
            Rules::NoTarget { .. } => Kind::NoTarget,
            Rules::DocumentsForAdmin { .. } => Kind::DocumentsForAdmin,
            Rules::DocumentsWithEc2 { .. } => Kind::DocumentsWithEc2,
            Rules::AgentUpdateWithoutEc2 => Kind::AgentUpdateWithoutEc2,
            Rules::GrantPartition { .. } => Kind::GrantPartition,
            Rules::UsernameForPermissionSets { .. } => Kind::UsernameForPermissionSets,
            Rules::UsernameForRoles { .. } => Kind::UsernameForRoles,
            Rules::PartitionContradictsRegion { .. } => Kind::PartitionContradictsRegion,
            Rules::CaseCollision { .. } => Kind::CaseCollision,
            Rules::Internal { .. } => Kind::Internal,
        }
    }

    fn message(&self) -> String {
        match self {
            Rules::InstancesAndTags { grant, .. } => {
                format!("grant `{grant}` sets both `instances` and `tags`")
            }
            Rules::NoTarget { grant } => {
                format!("grant `{grant}` has neither `instances` nor `tags`")
            }
            Rules::DocumentsForAdmin { key } => format!("`{key}` applies only to end-user grants"),
            Rules::DocumentsWithEc2 { key } => {
                format!("`{key}` has no effect with consoles = [\"ec2\"]")
            }
            Rules::AgentUpdateWithoutEc2 => {
                "`ec2_agent_update` has no effect without the ec2 console".to_owned()
            }
            Rules::GrantPartition {
                grant,
                region,
                derived,
                explicit,
                ..
            } => format!(
                "grant `{grant}` is in region `{region}` of partition `{derived}`, but the file sets partition `{explicit}`"
            ),
            Rules::UsernameForPermissionSets { sets: names }
            | Rules::UsernameForRoles { roles: names } => format!(
                "own_sessions = \"username\" does not work for {}",
                names.join(", ")
            ),
            Rules::PartitionContradictsRegion {
                partition,
                region,
                derived,
                ..
            } => format!(
                "partition `{partition}` contradicts region `{region}`, which is in partition `{derived}`"
            ),
            Rules::CaseCollision { grant, first, .. } => {
                format!("grant `{grant}` differs from grant `{first}` only in letter case")
            }
            Rules::Internal { grant } => {
                format!("internal error: grant `{grant}` could not be compiled")
            }
        }
    }

    fn label(&self) -> Option<String> {
        Some(match self {
            Rules::DocumentsForAdmin { .. } => "this grant is an admin grant".to_owned(),
            Rules::DocumentsWithEc2 { .. } => {
                "the EC2-console policy grants no session document".to_owned()
            }
            Rules::AgentUpdateWithoutEc2 => {
                "only the EC2 console sends the agent-update command".to_owned()
            }
            Rules::UsernameForPermissionSets { .. } => {
                "Identity Center users are federated: they have no `${aws:username}`".to_owned()
            }
            Rules::UsernameForRoles { .. } => {
                "`${aws:username}` exists only for IAM users".to_owned()
            }
            Rules::PartitionContradictsRegion {
                region, derived, ..
            } => {
                format!("region `{region}` is in `{derived}`")
            }
            _ => return None,
        })
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Rules::InstancesAndTags { .. } => "a grant targets either named instances or tagged instances: split it into two grants".to_owned(),
            Rules::NoTarget { .. } => "add `instances = [\"i-0123456789abcdef0\"]` or `tags = { Team = \"web\" }`".to_owned(),
            Rules::DocumentsForAdmin { key } => format!(
                "remove `{key}`: an admin grant manages the `{DEFAULT_DOCUMENT}` preferences document and starts sessions without a document restriction"
            ),
            Rules::DocumentsWithEc2 { key } => {
                format!("remove `{key}`, or add \"session-manager\" or \"cli\" to `consoles`")
            }
            Rules::AgentUpdateWithoutEc2 => {
                "remove `ec2_agent_update`, or add \"ec2\" to `consoles`".to_owned()
            }
            Rules::GrantPartition { .. } => "every grant of one file must be in the file's partition: move this grant to a file of its own".to_owned(),
            Rules::UsernameForPermissionSets { .. } => "use own_sessions = \"session-tag\" (or \"auto\"), which works for permission sets".to_owned(),
            Rules::UsernameForRoles { .. } => "use own_sessions = \"session-tag\" (or \"auto\"), which works for users and roles alike".to_owned(),
            Rules::PartitionContradictsRegion { derived, .. } => format!(
                "remove `partition` (it follows the region) or set partition = \"{derived}\""
            ),
            Rules::CaseCollision { .. } => {
                "IAM policy names and some file systems ignore case: rename one of the grants"
                    .to_owned()
            }
            Rules::Internal { .. } => "please report this with the grant's text".to_owned(),
        })
    }

    fn related(&self) -> Vec<(Span, String)> {
        let (span, text) = match self {
            Rules::InstancesAndTags { instances, .. } => {
                (instances, "`instances` is set here".to_owned())
            }
            Rules::GrantPartition { partition_span, .. } => {
                (partition_span, "partition set here".to_owned())
            }
            Rules::PartitionContradictsRegion { region_span, .. } => {
                (region_span, "region set here".to_owned())
            }
            Rules::CaseCollision {
                first, first_span, ..
            } => (first_span, format!("`{first}` is defined here")),
            _ => return Vec::new(),
        };
        vec![(span.clone(), text)]
    }
}
