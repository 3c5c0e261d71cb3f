//! The validated configuration: every value here has passed `validate`, so expansion can trust it.

use std::fmt;
use std::ops::Range;

pub use crate::aws::Partition;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub settings: Settings,
    /// Sorted by name, so every later stage is independent of the order grants were written in.
    pub grants: Vec<Grant>,
}

/// The file's top-level choices about its outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The `output` key, relative to the configuration file's directory.
    pub output: Option<String>,
    /// The `formats` key: which files to generate. Sorted, without repeats, never empty.
    pub formats: Vec<Format>,
}

/// What is kept of a grant once its policy is expanded: its name and its principals, which the
/// checks across grants (quotas, resource ids) and the deployable templates need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantSummary {
    pub name: String,
    pub span: Range<usize>,
    pub who: Vec<Principal>,
    pub who_spans: Vec<Range<usize>>,
}

impl From<Grant> for GrantSummary {
    fn from(g: Grant) -> Self {
        GrantSummary {
            name: g.name,
            span: g.span,
            // Exact sizes: 100,000 summaries are held until the end of a run.
            who: shrunk(g.who),
            who_spans: shrunk(g.who_spans),
        }
    }
}

fn shrunk<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

/// An output format: the per-grant policy files, or one deployable template of all grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Json,
    CloudFormation,
    Terraform,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Json, Format::CloudFormation, Format::Terraform];
    pub const DEFAULT: [Format; 1] = [Format::Json];

    /// The name written in `formats` and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::CloudFormation => "cloudformation",
            Format::Terraform => "terraform",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub name: String,
    /// Where the grant's name is written, for diagnostics about the grant as a whole.
    pub span: Range<usize>,
    pub role: Role,
    pub who: Vec<Principal>,
    /// Where each entry of `who` is written (same order), for diagnostics about attachments.
    pub who_spans: Vec<Range<usize>>,
    pub variant: Variant,
    pub target: Target,
    pub kms_key: Option<String>,
    /// Session documents the grant may start sessions with; empty where the variant has none.
    pub documents: Vec<String>,
    pub document_access_check: bool,
    pub own_sessions: OwnSessions,
    pub resume_session: bool,
    pub account: String,
    pub region: String,
    pub partition: Partition,
    /// `ec2_agent_update`: also allow `ssm:SendCommand` on AWS's agent-update document.
    pub ec2_agent_update: bool,
    /// Where the grant's values are written, for the lints.
    pub spans: GrantSpans,
}

/// Where a grant's values are written (absolute byte ranges), so each lint points at the value
/// that triggers it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GrantSpans {
    /// The `role` value.
    pub role: Range<usize>,
    /// The `"ec2"` entry of `consoles`, if there is one.
    pub ec2_console: Option<Range<usize>>,
    /// The `instances` or `tags` value.
    pub target: Range<usize>,
    /// One per entry of `documents`, in order; empty when the grant names none.
    pub documents: Vec<Range<usize>>,
    /// One per tag key, in the order of `Target::Tags`.
    pub tag_keys: Vec<Range<usize>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    EndUser,
    Admin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalKind {
    User,
    Group,
    Role,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
            PrincipalKind::Role => "role",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub name: String,
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.name)
    }
}

/// The quickstart variant, picked by the set of consoles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// `session-manager` and/or `cli`, without `ec2`.
    SessionManagerCli,
    /// Only `ec2`.
    Ec2,
    /// `ec2` with either of the others.
    AllConsoles,
}

impl Variant {
    pub fn has_ec2(self) -> bool {
        matches!(self, Variant::Ec2 | Variant::AllConsoles)
    }

    pub fn has_session_manager(self) -> bool {
        matches!(self, Variant::SessionManagerCli | Variant::AllConsoles)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Named EC2 instances (`i-`) and managed nodes (`mi-`), in the order written.
    Instances(Vec<String>),
    /// `instances = ["*"]`.
    AllInstances,
    /// Tag key to accepted values: keys are ANDed, values ORed.
    Tags(Vec<(String, Vec<String>)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnSessions {
    Username,
    SessionTag,
}
