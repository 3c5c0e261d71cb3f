//! E06xx: the outputs (policy sizes; the deployable templates' rules are `deploy`'s own).

use super::Problem;
use crate::aws::limits::MAX_POLICY_CHARS;
use crate::diagnostic::Kind;

#[derive(Debug)]
pub enum Outputs<'a> {
    /// One statement of the grant's policy (`size` characters) is over IAM's limit alone.
    PolicyTooLarge { grant: &'a str, size: usize },
    /// The cut policy would not allow and deny what the whole did (a bug).
    SplitChangesAccess { grant: &'a str },
    /// The grant's policy is cut into `files`.
    PolicySplit {
        grant: &'a str,
        size: usize,
        files: &'a [String],
    },
}

impl Problem for Outputs<'_> {
    fn kind(&self) -> Kind {
        match self {
            Outputs::PolicyTooLarge { .. } => Kind::PolicyTooLarge,
            Outputs::SplitChangesAccess { .. } => Kind::PackingChangesAccess,
            Outputs::PolicySplit { .. } => Kind::PolicySplit,
        }
    }

    fn message(&self) -> String {
        match self {
            Outputs::PolicyTooLarge { grant, size } => format!(
                "the policy of grant `{grant}` is {size} characters; IAM allows at most {MAX_POLICY_CHARS}, and one of its statements cannot be cut smaller"
            ),
            Outputs::SplitChangesAccess { grant } => {
                format!("splitting the policy of grant `{grant}` would change what it grants")
            }
            Outputs::PolicySplit { grant, size, files } => format!(
                "the policy of grant `{grant}` is {size} characters, over IAM's {MAX_POLICY_CHARS}: it is split into {} policies ({}) that together grant exactly the same",
                files.len(),
                files.join(", ")
            ),
        }
    }

    fn label(&self) -> Option<String> {
        match self {
            Outputs::PolicyTooLarge { size, .. } | Outputs::PolicySplit { size, .. } => {
                Some(format!("{size} characters without white space"))
            }
            Outputs::SplitChangesAccess { .. } => None,
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Outputs::PolicyTooLarge { .. } => "split the grant into several grants with fewer tag values, documents or instances".to_owned(),
            Outputs::SplitChangesAccess { .. } => {
                "this is a bug in ssm-compile: please report it with the grant".to_owned()
            }
            Outputs::PolicySplit { .. } => "attach every part (the deployable templates do); or select the instances by tags to keep one policy".to_owned(),
        })
    }
}
