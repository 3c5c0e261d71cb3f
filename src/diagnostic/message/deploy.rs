//! E06xx of the deployable templates (`src/deploy`): quotas per principal, file and resource
//! collisions, and the packing proof.

use super::{Problem, Span};
use crate::aws::limits::{DEFAULT_ATTACHED_POLICIES, MAX_TEMPLATE_RESOURCES};
use crate::compile::config::{Format, Principal, PrincipalKind};
use crate::diagnostic::Kind;

/// The `who` entries naming one principal: the first grant's name, then the other grants'
/// entries (where, and the grant's name), in file order.
#[derive(Debug)]
pub struct Givers<'a> {
    pub grants: Vec<&'a str>,
    pub first: &'a str,
    pub others: Vec<(Span, &'a str)>,
}

/// What the packed policies would do to a principal's access instead of keeping it.
#[derive(Debug)]
pub enum AccessChange<'a> {
    Undecidable(&'a str),
    /// The request (as the model prints it) the packed policies would allow and the grants not.
    Gains(String),
    Loses(String),
    Other,
}

#[derive(Debug)]
pub enum Deploy<'a> {
    /// Attached to more managed policies than IAM ever allows (`max`) for its kind.
    TooManyAttachments {
        principal: &'a Principal,
        count: usize,
        max: usize,
        givers: Givers<'a>,
    },
    /// Attached to more than IAM's default quota, at most `max` after an increase.
    ManyAttachments {
        principal: &'a Principal,
        count: usize,
        max: usize,
        givers: Givers<'a>,
    },
    /// Packed, the principal's grants need `needed` policies, more than its `quota`.
    PackedOverQuota {
        principal: &'a Principal,
        quota: usize,
        max_managed: usize,
        needed: usize,
        givers: Givers<'a>,
    },
    /// Two grants would write one policy file (names compared without case).
    SameFile {
        grant: &'a str,
        other: &'a str,
        other_span: Span,
        file: &'a str,
    },
    /// A grant's policy file is the file of a template output.
    TemplateFile {
        grant: &'a str,
        file: &'a str,
        format: Format,
    },
    /// A grant named `*.tf`: Terraform would load its `.tf.json` policy file.
    TerraformLoads { grant: &'a str, file: &'a str },
    /// One account's grants pack into more resources than a template holds.
    TooManyResources { account: &'a str, policies: usize },
    /// The packed policies of a principal would change its access (a bug).
    PackingChangesAccess {
        principal: &'a str,
        account: &'a str,
        change: AccessChange<'a>,
    },
    /// The packed policies would not hold exactly the principal's grants' statements (a bug).
    PackedStatementsDiffer {
        kind: PrincipalKind,
        name: &'a str,
        account: &'a str,
    },
}

/// What a principal's packed policies must fit in.
fn room(kind: PrincipalKind, quota: usize) -> String {
    match kind {
        PrincipalKind::PermissionSet => "its one inline policy of 10,240 characters".to_owned(),
        PrincipalKind::Group => format!("the {quota} managed policies IAM allows a group"),
        _ => format!("the {quota} managed policies allowed (`max_managed_policies`, at most 20)"),
    }
}

impl AccessChange<'_> {
    fn words(&self) -> String {
        match self {
            AccessChange::Undecidable(reason) => format!("cannot be proven equal ({reason})"),
            AccessChange::Gains(w) => format!("would gain {w}"),
            AccessChange::Loses(w) => format!("would lose {w}"),
            AccessChange::Other => "would change".to_owned(),
        }
    }
}

const BUG: &str = "this is a bug in ssm-compile: please report it with the configuration; deploy the per-grant policy files meanwhile";

impl Problem for Deploy<'_> {
    fn kind(&self) -> Kind {
        match self {
            Deploy::TooManyAttachments { .. } | Deploy::PackedOverQuota { .. } => {
                Kind::TooManyAttachments
            }
            Deploy::ManyAttachments { .. } => Kind::ManyAttachments,
            Deploy::SameFile { .. } | Deploy::TemplateFile { .. } => Kind::OutputFileCollision,
            Deploy::TerraformLoads { .. } => Kind::TerraformFileCollision,
            Deploy::TooManyResources { .. } => Kind::TooManyResources,
            Deploy::PackingChangesAccess { .. } | Deploy::PackedStatementsDiffer { .. } => {
                Kind::PackingChangesAccess
            }
        }
    }

    fn message(&self) -> String {
        match self {
            Deploy::TooManyAttachments {
                principal,
                count,
                max,
                givers,
            } => format!(
                "{principal} is attached to {count} managed policies, more than IAM ever allows for a {} ({max}): grants {}",
                principal.kind.as_str(),
                givers.grants.join(", ")
            ),
            Deploy::ManyAttachments {
                principal,
                count,
                givers,
                ..
            } => format!(
                "{principal} is attached to {count} managed policies, more than IAM allows for a {} by default ({DEFAULT_ATTACHED_POLICIES}): grants {}",
                principal.kind.as_str(),
                givers.grants.join(", ")
            ),
            Deploy::PackedOverQuota {
                principal,
                quota,
                needed,
                givers,
                ..
            } => format!(
                "the grants of {principal} do not fit {}: packed, they need {needed}: grants {}",
                room(principal.kind, *quota),
                givers.grants.join(", ")
            ),
            Deploy::SameFile {
                grant, other, file, ..
            } => {
                format!("grants `{other}` and `{grant}` would both write {file}")
            }
            Deploy::TemplateFile {
                grant,
                file,
                format,
            } => {
                format!("grant `{grant}` would write {file}, the file of the {format} output")
            }
            Deploy::TerraformLoads { grant, file } => format!(
                "grant `{grant}` would write {file}, which Terraform would load as configuration"
            ),
            Deploy::TooManyResources { account, policies } => format!(
                "the grants for account {account} pack into {policies} policies; a CloudFormation template holds at most {MAX_TEMPLATE_RESOURCES} resources"
            ),
            Deploy::PackingChangesAccess {
                principal,
                account,
                change,
            } => format!(
                "the packed policies of {principal} in account {account} {}",
                change.words()
            ),
            Deploy::PackedStatementsDiffer {
                kind,
                name,
                account,
            } => format!(
                "the packed policies of {}:{name} in account {account} would not hold exactly the statements of its grants",
                kind.as_str()
            ),
        }
    }

    fn label(&self) -> Option<String> {
        match self {
            Deploy::TooManyAttachments { givers, .. } | Deploy::ManyAttachments { givers, .. } => {
                Some(format!("attached by grant `{}`", givers.first))
            }
            Deploy::PackedOverQuota { givers, .. } => {
                Some(format!("given by grant `{}`", givers.first))
            }
            _ => None,
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Deploy::TooManyAttachments { principal, .. } => match principal.kind {
                PrincipalKind::Group => format!(
                    "merge grants given to {principal}, or give some of them to another group of the same members; policies attached to it outside ssm-compile count too"
                ),
                PrincipalKind::User => format!(
                    "merge grants given to {principal}, or give some of them to a group the user belongs to; policies attached to it outside ssm-compile count too"
                ),
                PrincipalKind::Role | PrincipalKind::PermissionSet => format!(
                    "merge grants given to {principal} (a role cannot hold more); policies attached to it outside ssm-compile count too"
                ),
            },
            Deploy::ManyAttachments { principal, max, .. } => format!(
                "attaching fails unless the account's quota \"Managed policies per {}\" is raised (Service Quotas, at most {max}); or merge grants; policies attached outside ssm-compile count too",
                principal.kind.as_str()
            ),
            Deploy::PackedOverQuota { principal, max_managed, .. } => match principal.kind {
                PrincipalKind::PermissionSet => "a permission set has one inline policy: give some of these grants to another permission set".to_owned(),
                PrincipalKind::Group => "give some of these grants to another group of the same members, or give them the same `who` so they share policies".to_owned(),
                _ => format!("give some of these grants to a group, give them the same `who` so they share policies, or raise the account's quota and set max_managed_policies (now {max_managed}, at most 20)"),
            },
            Deploy::SameFile { .. } => {
                "rename one of the grants: a policy split into parts writes NAME.partN.json"
                    .to_owned()
            }
            Deploy::TemplateFile { .. } => "rename the grant".to_owned(),
            Deploy::TerraformLoads { .. } => {
                "rename the grant so that it does not end in `.tf`".to_owned()
            }
            Deploy::TooManyResources { .. } => "give grants the same `who` (or a group) so they share policies, or split access.toml into several files, one stack each".to_owned(),
            Deploy::PackingChangesAccess { .. } | Deploy::PackedStatementsDiffer { .. } => {
                BUG.to_owned()
            }
        })
    }

    fn related(&self) -> Vec<(Span, String)> {
        match self {
            Deploy::TooManyAttachments { givers, .. } | Deploy::ManyAttachments { givers, .. } => {
                givers
                    .others
                    .iter()
                    .map(|(span, g)| (span.clone(), format!("attached by grant `{g}`")))
                    .collect()
            }
            Deploy::PackedOverQuota { givers, .. } => givers
                .others
                .iter()
                .map(|(span, g)| (span.clone(), format!("given by grant `{g}`")))
                .collect(),
            Deploy::SameFile { other_span, .. } => {
                vec![(other_span.clone(), "the other grant".to_owned())]
            }
            _ => Vec::new(),
        }
    }
}
