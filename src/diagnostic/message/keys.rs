//! E03xx: the keys of the file, of a grant, of `[defaults]` and `[lints]`.

use std::fmt;

use super::Problem;
use crate::diagnostic::Kind;
use crate::diagnostic::suggestion::escape_non_ascii;

#[derive(Debug)]
pub enum Keys<'a> {
    UnknownKey {
        key: &'a str,
        place: Place<'a>,
        suggestion: Option<&'a str>,
        known: &'a [&'a str],
    },
    NotAGrantKey {
        key: &'a str,
    },
    GrantArray,
    GrantNotTable {
        name: &'a str,
        found: &'a str,
    },
    NoGrantKey,
    NoGrants,
    /// `example` is how to write the key.
    MissingKey {
        grant: &'a str,
        key: &'a str,
        example: &'a str,
    },
    /// A `[forbid.NAME]` with no key that selects a request.
    ForbidWithoutTarget {
        name: &'a str,
    },
    MissingEverywhere {
        key: &'a str,
        example: &'a str,
    },
    MissingInGrant {
        grant: &'a str,
        key: &'a str,
        example: &'a str,
    },
    UnknownLint {
        name: &'a str,
        suggestion: Option<&'a str>,
        lints: &'a [&'a str],
    },
    /// A `[lints]` key naming an error (`code`, of `kind`), whose level cannot be set.
    LintIsError {
        name: &'a str,
        code: &'a str,
        kind: Kind,
    },
    GrantKeyAtTop {
        key: &'a str,
    },
    /// `defaultable` lists the keys that do have a default.
    NotADefault {
        key: &'a str,
        defaultable: &'a [&'a str],
    },
}

/// Where an unknown key is written.
#[derive(Clone, Copy, Debug)]
pub enum Place<'a> {
    Top,
    Grant(&'a str),
    Forbid(&'a str),
    Defaults,
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Top => f.write_str("at the top level"),
            Place::Grant(name) => write!(f, "in grant `{name}`"),
            Place::Forbid(name) => write!(f, "in forbid `{name}`"),
            Place::Defaults => f.write_str("in [defaults]"),
        }
    }
}

/// The label of a problem found in a value a grant took from `[defaults]`.
pub const SET_IN_DEFAULTS: &str = "set in [defaults]";

/// The note, at the grant, of a problem found in a value it took from `[defaults]`.
pub fn takes_from_defaults(grant: &str, key: &str) -> String {
    format!("grant `{grant}` takes `{key}` from [defaults]")
}

impl Problem for Keys<'_> {
    fn kind(&self) -> Kind {
        match self {
            Keys::UnknownKey { .. } => Kind::UnknownKey,
            Keys::NotAGrantKey { .. } => Kind::NotAGrantKey,
            Keys::GrantArray => Kind::GrantArray,
            Keys::GrantNotTable { .. } => Kind::GrantNotTable,
            Keys::NoGrantKey => Kind::NoGrantKey,
            Keys::NoGrants => Kind::NoGrants,
            Keys::MissingKey { .. } | Keys::ForbidWithoutTarget { .. } => Kind::MissingKey,
            Keys::MissingEverywhere { .. } => Kind::MissingEverywhere,
            Keys::MissingInGrant { .. } => Kind::MissingInGrant,
            Keys::UnknownLint { .. } | Keys::LintIsError { .. } => Kind::UnknownLint,
            Keys::GrantKeyAtTop { .. } => Kind::GrantKeyAtTop,
            Keys::NotADefault { .. } => Kind::NotADefault,
        }
    }

    fn message(&self) -> String {
        match self {
            Keys::UnknownKey { key, place, .. } => format!("unknown key `{key}` {place}"),
            Keys::NotAGrantKey { key } => format!("`{key}` is not a grant key"),
            Keys::GrantArray => "`grant` must be a table of named grants, not an array".to_owned(),
            Keys::GrantNotTable { name, found } => {
                format!("grant `{name}` must be a table, found {found}")
            }
            Keys::NoGrantKey => "no grants: the file defines no `[grant.NAME]` table".to_owned(),
            Keys::NoGrants => "`grant` has no grants".to_owned(),
            Keys::MissingKey { grant, key, .. } => format!("grant `{grant}` is missing `{key}`"),
            Keys::ForbidWithoutTarget { name } => format!(
                "forbid `{name}` says no request: it needs `instances`, `tags` or `documents`"
            ),
            Keys::MissingEverywhere { key, .. } => {
                format!("missing `{key}`: no top-level `{key}` and no grant sets one")
            }
            Keys::MissingInGrant { grant, key, .. } => {
                format!("grant `{grant}` has no `{key}`, and the file sets none at the top")
            }
            Keys::UnknownLint { name, .. } => format!("unknown lint `{name}`"),
            Keys::LintIsError { name, code, .. } => {
                format!("`{name}` ({code}) is an error, not a lint: its level cannot be set")
            }
            Keys::GrantKeyAtTop { key } => {
                format!("`{key}` is a grant key, written above the first grant")
            }
            Keys::NotADefault { key, .. } => format!("`{key}` cannot be set in [defaults]"),
        }
    }

    fn label(&self) -> Option<String> {
        match self {
            Keys::MissingEverywhere { key, .. } => {
                Some(format!("`{key}` belongs at the top of the file"))
            }
            Keys::GrantKeyAtTop { .. } => {
                Some("this line is in the top-level table, not in a grant".to_owned())
            }
            _ => None,
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Keys::UnknownKey { key, place, suggestion, known } => match suggestion {
                // A look-alike (Cyrillic `о` for `o`) would print identical to the
                // suggestion: show what differs.
                Some(best) if !key.is_ascii() => format!(
                    "did you mean `{best}`? `{key}` is written `{}`: it holds characters that only look like ASCII",
                    escape_non_ascii(key)
                ),
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("known keys {place}: {}", known.join(", ")),
            },
            Keys::NotAGrantKey { key } => {
                format!("`{key}` applies to the whole file: move it above the first [grant.NAME]")
            }
            Keys::GrantArray => "write each grant as `[grant.NAME]` instead of `[[grant]]`".to_owned(),
            Keys::GrantNotTable { name, .. } => {
                format!("write it as a table: [grant.{name}] followed by its keys")
            }
            Keys::NoGrantKey => "add a grant, e.g.\n[grant.web-oncall]\nrole = \"end-user\"\nwho = [\"group:oncall\"]\nconsoles = [\"session-manager\", \"cli\"]\ninstances = [\"i-0123456789abcdef0\"]".to_owned(),
            Keys::NoGrants => "add at least one `[grant.NAME]` table".to_owned(),
            Keys::MissingKey { grant, example, .. } => format!("add `{example}` to [grant.{grant}]"),
            Keys::ForbidWithoutTarget { .. } => "add e.g. `tags = { Env = \"prod\" }` to describe the instances no grant may open sessions on".to_owned(),
            Keys::MissingEverywhere { example, .. } => {
                format!("add `{example}` at the top of the file, before the first [grant.NAME]")
            }
            Keys::MissingInGrant { grant, example, .. } => format!(
                "add `{example}` to [grant.{grant}], or at the top of the file for every grant"
            ),
            Keys::UnknownLint { suggestion, lints, .. } => match suggestion {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("lints are {}", lints.join(", ")),
            },
            Keys::LintIsError { kind, .. } => match kind {
                Kind::UnknownRegion => "remove it; for a region newer than ssm-compile's table write allow_unknown = [\"regions\"]",
                Kind::UnknownDocument => "remove it; for an AWS document newer than ssm-compile's table write allow_unknown = [\"documents\"]",
                _ => "remove it: errors cannot be allowed",
            }
            .to_owned(),
            Keys::GrantKeyAtTop { key } => {
                format!("move `{key}` below the `[grant.NAME]` header of the grant it belongs to")
            }
            Keys::NotADefault { key, defaultable } => match *key {
                "account" | "region" => format!(
                    "write `{key}` at the top of the file: it is already every grant's default"
                ),
                _ => format!(
                    "each grant sets its own `{key}`; keys with a default: {}",
                    defaultable.join(", ")
                ),
            },
        })
    }
}
