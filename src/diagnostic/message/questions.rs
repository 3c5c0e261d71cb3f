//! E08xx: the questions (`who-can`, `can`), their input files, and the `[forbid]` guardrails.

use super::{Problem, Span};
use crate::diagnostic::Kind;

#[derive(Debug)]
pub enum Questions<'a> {
    /// `principals` of `grant` may make a request `forbid` (defined at `forbid_span`) rules
    /// out: `action` on `resource`, with the `context` (`key=value`) it needs.
    ForbidViolated {
        grant: &'a str,
        principals: &'a [&'a str],
        forbid: &'a str,
        forbid_span: Span,
        action: String,
        resource: String,
        context: Vec<String>,
    },
    /// `reason` is the access engine's.
    ForbidUndecidable {
        forbid: &'a str,
        forbid_span: Span,
        reason: &'a str,
    },
    /// `error` is serde_json's.
    BadInputFile { input: InputFile, error: String },
    /// A question names `principal`, which no `who` names.
    UnknownPrincipal {
        principal: &'a str,
        suggestion: Option<&'a str>,
    },
    /// The question needs `key` (`account`, `region`), which neither a flag nor the file gives.
    Incomplete { key: &'a str },
    /// The access engine could not decide a question (a bug): `reason` is its.
    Undecidable { reason: &'a str },
}

/// The AWS output an input file should hold.
#[derive(Clone, Copy, Debug)]
pub enum InputFile {
    /// `--members`: `aws iam get-account-authorization-details`.
    Members,
    /// `--instances`: `aws ec2 describe-instances`.
    Instances,
}

impl Problem for Questions<'_> {
    fn kind(&self) -> Kind {
        match self {
            Questions::ForbidViolated { .. } => Kind::ForbidViolated,
            Questions::ForbidUndecidable { .. } => Kind::ForbidUndecidable,
            Questions::BadInputFile { .. } => Kind::BadInputFile,
            Questions::UnknownPrincipal { .. } => Kind::UnknownQueryPrincipal,
            Questions::Incomplete { .. } => Kind::IncompleteQuestion,
            Questions::Undecidable { .. } => Kind::Internal,
        }
    }

    fn message(&self) -> String {
        match self {
            Questions::ForbidViolated {
                grant,
                principals,
                forbid,
                ..
            } => format!(
                "grant `{grant}` allows {} what forbid `{forbid}` rules out",
                principals.join(", ")
            ),
            Questions::ForbidUndecidable { forbid, reason, .. } => {
                format!("cannot decide forbid `{forbid}`: {reason}")
            }
            Questions::BadInputFile { input, error } => {
                let what = match input {
                    InputFile::Members => {
                        "not the JSON of `aws iam get-account-authorization-details`"
                    }
                    InputFile::Instances => "not the JSON of `aws ec2 describe-instances`",
                };
                format!("{what}: {error}")
            }
            Questions::UnknownPrincipal { principal, .. } => {
                format!("no grant names `{principal}` in `who`")
            }
            Questions::Incomplete { key } => {
                format!("the file has no top-level `{key}`: name the instance's {key} with --{key}")
            }
            Questions::Undecidable { reason } => (*reason).to_owned(),
        }
    }

    fn label(&self) -> Option<String> {
        match self {
            Questions::ForbidViolated {
                action,
                resource,
                context,
                ..
            } => {
                let with = if context.is_empty() {
                    String::new()
                } else {
                    format!(" with {}", context.join(", "))
                };
                Some(format!(
                    "allowed, for example: {action} on {resource}{with}"
                ))
            }
            _ => None,
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Questions::ForbidViolated { grant, forbid, .. } => format!(
                "narrow grant `{grant}` so it cannot reach what the forbid describes, or add the principal to `except` of forbid `{forbid}`"
            ),
            Questions::ForbidUndecidable { .. } => {
                "a guardrail that cannot be decided is refused, never assumed to hold".to_owned()
            }
            Questions::BadInputFile { input: InputFile::Members, .. } => "run `aws iam get-account-authorization-details --filter User > members.json`; a `UserDetailList` of users with `UserName` and `GroupList` is what is read".to_owned(),
            Questions::BadInputFile { input: InputFile::Instances, .. } => "run `aws ec2 describe-instances > instances.json`; `Reservations[].Instances[]` with `InstanceId` and `Tags` is what is read".to_owned(),
            Questions::UnknownPrincipal { suggestion: Some(s), .. } => format!("did you mean `{s}`?"),
            Questions::UnknownPrincipal { suggestion: None, .. } => {
                "write the principal as in `who`: user:NAME, group:NAME or role:NAME".to_owned()
            }
            Questions::Incomplete { .. } | Questions::Undecidable { .. } => return None,
        })
    }

    fn related(&self) -> Vec<(Span, String)> {
        match self {
            Questions::ForbidViolated {
                forbid,
                forbid_span,
                ..
            }
            | Questions::ForbidUndecidable {
                forbid,
                forbid_span,
                ..
            } => vec![(
                forbid_span.clone(),
                format!("forbid `{forbid}` is defined here"),
            )],
            _ => Vec::new(),
        }
    }
}
