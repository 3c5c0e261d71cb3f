//! L07xx: the Session Manager lints (their level is the user's: `lint::pass` sets it).

use super::{Problem, Span};
use crate::diagnostic::Kind;

#[derive(Debug)]
pub enum Lints<'a> {
    RemoteHostPortForwarding {
        grant: &'a str,
        document: &'a str,
    },
    UnloggedSessionDocument {
        document: &'a str,
    },
    AdminCanChangePreferences {
        grant: &'a str,
    },
    /// `keys` are the tag keys; `located` says whether the first is where the diagnostic
    /// points, `others` are where the rest are written.
    TagSelectedGrant {
        grant: &'a str,
        keys: Vec<&'a str>,
        located: bool,
        others: Vec<Span>,
    },
    /// `how` is the target: a tag grant, or every instance.
    ManagedNodesUnreachable {
        grant: &'a str,
        tags: bool,
    },
    Ec2ConsoleAgentUpdateDenied {
        grant: &'a str,
    },
    /// `user` of `grant` (own sessions by user name) matches the sessions of `others`, the
    /// first of them written at `first_span`.
    UsernamePrefixCollision {
        grant: &'a str,
        user: &'a str,
        others: Vec<&'a str>,
        first_span: Span,
    },
}

impl Problem for Lints<'_> {
    fn kind(&self) -> Kind {
        match self {
            Lints::RemoteHostPortForwarding { .. } => Kind::RemoteHostPortForwarding,
            Lints::UnloggedSessionDocument { .. } => Kind::UnloggedSessionDocument,
            Lints::AdminCanChangePreferences { .. } => Kind::AdminCanChangePreferences,
            Lints::TagSelectedGrant { .. } => Kind::TagSelectedGrant,
            Lints::ManagedNodesUnreachable { .. } => Kind::ManagedNodesUnreachable,
            Lints::Ec2ConsoleAgentUpdateDenied { .. } => Kind::Ec2ConsoleAgentUpdateDenied,
            Lints::UsernamePrefixCollision { .. } => Kind::UsernamePrefixCollision,
        }
    }

    fn message(&self) -> String {
        match self {
            Lints::RemoteHostPortForwarding { grant, .. } => format!(
                "grant `{grant}` lets its users forward ports through the node to any host it can reach"
            ),
            Lints::UnloggedSessionDocument { document } => {
                format!("sessions with `{document}` are not logged by Session Manager")
            }
            Lints::AdminCanChangePreferences { grant } => {
                format!("admin grant `{grant}` can rewrite the account's session preferences")
            }
            Lints::TagSelectedGrant { grant, keys, .. } => {
                let shown: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
                let which = if keys.len() == 1 {
                    "that tag"
                } else {
                    "those tags"
                };
                format!(
                    "grant `{grant}` reaches whatever instance carries {}: whoever can write {which} decides",
                    shown.join(", ")
                )
            }
            Lints::ManagedNodesUnreachable { grant, .. } => {
                format!("grant `{grant}` never reaches managed (mi-) nodes")
            }
            Lints::Ec2ConsoleAgentUpdateDenied { grant } => {
                format!("grant `{grant}`: the EC2 console cannot update SSM Agent before a session")
            }
            Lints::UsernamePrefixCollision {
                grant,
                user,
                others,
                ..
            } => {
                let names: Vec<String> = others.iter().map(|u| format!("`user:{u}`")).collect();
                format!(
                    "in grant `{grant}`, `user:{user}` can end the sessions of {}",
                    names.join(", ")
                )
            }
        }
    }

    fn label(&self) -> Option<String> {
        Some(match self {
            Lints::RemoteHostPortForwarding { document, .. } => {
                format!("`{document}` reaches any host:port the node can, and is not logged")
            }
            Lints::UnloggedSessionDocument { .. } => {
                "SSH and port-forwarding sessions leave no session log in S3 or CloudWatch"
                    .to_owned()
            }
            Lints::AdminCanChangePreferences { .. } => "UpdateDocument on SSM-SessionManagerRunShell can turn off session logging and encryption for everyone".to_owned(),
            Lints::TagSelectedGrant { located: false, .. } => return None,
            Lints::TagSelectedGrant { .. } => {
                "ec2:CreateTags on any instance with this key opens a session on it".to_owned()
            }
            Lints::ManagedNodesUnreachable { tags, .. } => {
                let how = if *tags { "a tag grant" } else { "instances = [\"*\"]" };
                format!(
                    "{how} covers EC2 `instance/*` only; managed nodes are `managed-instance/mi-...`"
                )
            }
            Lints::Ec2ConsoleAgentUpdateDenied { .. } => {
                "ssm:SendCommand is allowed on instances only, with no document, as in AWS's sample"
                    .to_owned()
            }
            Lints::UsernamePrefixCollision { user, others, .. } => format!(
                "own sessions are `session/{user}-*`, which also matches `{}-...`",
                others.first().copied().unwrap_or_default()
            ),
        })
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Lints::UnloggedSessionDocument { .. } => "grant a shell document (SSM-SessionManagerRunShell) where an audit trail is required".to_owned(),
            Lints::TagSelectedGrant { .. } => "restrict who may write the tag key (an aws:TagKeys condition on ec2:CreateTags, or an SCP), or list instances by id".to_owned(),
            Lints::UsernamePrefixCollision { grant, .. } => format!(
                "set own_sessions = \"session-tag\" in [grant.{grant}]: it matches the session's owner exactly"
            ),
            _ => return None,
        })
    }

    fn related(&self) -> Vec<(Span, String)> {
        match self {
            Lints::TagSelectedGrant { others, .. } => others
                .iter()
                .map(|s| (s.clone(), "and this key".to_owned()))
                .collect(),
            Lints::UsernamePrefixCollision {
                others, first_span, ..
            } => vec![(
                first_span.clone(),
                format!("`{}` is here", others.first().copied().unwrap_or_default()),
            )],
            _ => Vec::new(),
        }
    }
}
