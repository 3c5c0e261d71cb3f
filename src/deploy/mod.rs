//! Deployable outputs: every grant as a managed policy attached to its `who`, in one
//! CloudFormation template or one Terraform file, plus the IAM quota on attachments.
//!
//! Pure like the rest of the core: configuration in, bytes and diagnostics out.

pub mod cloudformation;
pub mod compact;
pub mod pack;
mod quota;
pub mod read;
pub mod split;
pub mod template;
pub mod terraform;
mod trie;
mod verify;

pub use pack::{Item, Packed, Place, pack};
pub use template::{Template, render};
pub use verify::verify;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use crate::aws::limits::{
    DEFAULT_ATTACHED_POLICIES, MAX_TEMPLATE_RESOURCES, max_attached_policies,
};
use crate::compile::config::{Format, GrantSummary, Principal, PrincipalKind};
use crate::compile::policy::PolicyDocument;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::Problem;
use crate::diagnostic::message::deploy::{Deploy, Givers};

/// The CloudFormation template in the output directory (with one account; with several,
/// `ssm-compile.ACCOUNT.cfn.json` each).
pub const CLOUDFORMATION_FILE: &str = "ssm-compile.cfn.json";
/// The Terraform configuration in the output directory (`.tf.json` is what Terraform loads;
/// with several accounts, `ssm-compile.ACCOUNT.tf.json` each).
pub const TERRAFORM_FILE: &str = "ssm-compile.tf.json";

/// A packed policy's IAM name: its first principal (for people reading the console), the
/// set's hash and the policy's name in the set. Depends on the principals alone: IAM cannot rename a policy.
pub fn iam_name(p: &Packed) -> String {
    let first: String = p.principals[0].name.chars().take(96).collect();
    let more = if p.principals.len() > 1 {
        format!("+{}", p.principals.len() - 1)
    } else {
        String::new()
    };
    format!("ssm-{first}{more}-{}-{}", p.set, p.bucket)
}

/// The text every packed policy carries as its description. IAM cannot change a policy's
/// description in place (a change replaces the policy), so it holds nothing that varies with
/// the grants: which grants a policy holds is in the template's metadata.
pub fn packed_description(p: &Packed) -> String {
    format!(
        "Session Manager access packed by ssm-compile from access.toml (policy {} of principal set {}): edit access.toml, not this policy",
        p.bucket, p.set
    )
}

/// A grant's policy attached to a principal: what a deployed template grants to whom.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Attachment {
    pub principal: Principal,
    pub grant: String,
}

/// Every attachment the configuration asks for.
pub fn attachments(grants: &[GrantSummary]) -> BTreeSet<Attachment> {
    grants
        .iter()
        .flat_map(|g| {
            g.who.iter().map(|p| Attachment {
                principal: p.clone(),
                grant: g.name.clone(),
            })
        })
        .collect()
}

/// What one account's stack is called in a file name: the account, prefixed by its partition
/// outside `aws`.
fn place_tag(place: &Place) -> String {
    if place.partition == "aws" {
        place.account.to_string()
    } else {
        format!("{}-{}", place.partition, place.account)
    }
}

/// The file of `format`'s template for `place`: today's name when every grant is for one
/// account, else one file per account.
pub fn template_file(format: Format, place: &Place, single: bool) -> String {
    let suffix = match format {
        Format::CloudFormation => "cfn.json",
        _ => "tf.json",
    };
    if single {
        format!("ssm-compile.{suffix}")
    } else {
        format!("ssm-compile.{}.{suffix}", place_tag(place))
    }
}

/// The template format a generated file name belongs to, if it is one.
fn template_format(name: &str) -> Option<Format> {
    let rest = name.strip_prefix("ssm-compile.")?;
    if rest.ends_with("cfn.json") && (rest == "cfn.json" || rest.ends_with(".cfn.json")) {
        Some(Format::CloudFormation)
    } else if rest == "tf.json" || rest.ends_with(".tf.json") {
        Some(Format::Terraform)
    } else {
        None
    }
}

/// The attachments a generated file deploys, read back from its bytes; `None` for a file that
/// is not a deployable template (policy files, the manifest) or that does not parse.
pub fn attachments_in(name: &str, bytes: &[u8]) -> Option<BTreeSet<Attachment>> {
    read_template(name, bytes).map(|(_, attached)| attached)
}

/// The policy documents a generated template deploys, by grant name, read back from its bytes;
/// `None` for a file that is not a deployable template or that does not parse.
pub fn documents_in(name: &str, bytes: &[u8]) -> Option<BTreeMap<String, PolicyDocument>> {
    read_template(name, bytes).map(|(docs, _)| docs)
}

/// [`documents_in`] and [`attachments_in`] from one reading of the bytes.
pub fn read_template(
    name: &str,
    bytes: &[u8],
) -> Option<(BTreeMap<String, PolicyDocument>, BTreeSet<Attachment>)> {
    read::read(name, bytes, &|_| true).map(|r| (r.docs, r.attached))
}

/// Whether `name` is one of the deployable templates ssm-compile writes.
pub fn is_template(name: &str) -> bool {
    template_format(name).is_some()
}

/// How the attachments deployed by a directory's templates change from `old` files to `new`
/// files (file name to bytes, as in `DiskState::files` or from `Plan::bytes`). A gained
/// attachment widens a principal's access. Templates present on one side only count as
/// attaching nothing on the other.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttachmentChanges {
    pub gained: BTreeSet<Attachment>,
    pub lost: BTreeSet<Attachment>,
}

pub fn attachment_changes(
    old: &BTreeMap<String, Vec<u8>>,
    new: &BTreeMap<String, Vec<u8>>,
) -> AttachmentChanges {
    let mut changes = AttachmentChanges::default();
    let files: BTreeSet<&String> = old
        .keys()
        .chain(new.keys())
        .filter(|f| is_template(f))
        .collect();
    for file in files {
        let read = |files: &BTreeMap<String, Vec<u8>>| {
            files
                .get(file)
                .and_then(|b| attachments_in(file, b))
                .unwrap_or_default()
        };
        let (before, after) = (read(old), read(new));
        changes.gained.extend(after.difference(&before).cloned());
        changes.lost.extend(before.difference(&after).cloned());
    }
    changes
}

/// One `who` entry: the grant, the principal as written there, and where.
type Entry<'a> = (&'a GrantSummary, &'a Principal, Range<usize>);

/// Warnings and errors for principals attached to more managed policies than IAM allows.
/// They apply whatever the formats: every grant is meant to be attached to its `who`.
pub fn quotas(grants: &[GrantSummary]) -> Vec<Diagnostic> {
    // IAM names ignore case: `user:Alice` and `user:alice` are one user. Counting comes first,
    // with names borrowed where they are lower case already: 100,000 grants have as many
    // principals, and only the few over the quota need their entries collected.
    let mut counts: HashMap<(PrincipalKind, Cow<'_, str>), usize> = HashMap::new();
    // A permission set's policy is inline, not attached: it has no such quota.
    let attached = |p: &&Principal| p.kind != PrincipalKind::PermissionSet;
    for p in grants.iter().flat_map(|g| &g.who).filter(attached) {
        *counts.entry(key(p)).or_default() += 1;
    }
    counts.retain(|_, count| *count > DEFAULT_ATTACHED_POLICIES);
    let mut by_principal: BTreeMap<(PrincipalKind, Cow<'_, str>), Vec<Entry<'_>>> = BTreeMap::new();
    for g in grants {
        for (i, p) in g.who.iter().enumerate().filter(|(_, p)| attached(p)) {
            let k = key(p);
            if !counts.contains_key(&k) {
                continue;
            }
            let span = g.who_spans.get(i).cloned().unwrap_or(g.span.clone());
            by_principal.entry(k).or_default().push((g, p, span));
        }
    }
    let mut out = Vec::new();
    for ((kind, _), mut entries) in by_principal {
        let count = entries.len();
        let max = max_attached_policies(kind);
        if count <= DEFAULT_ATTACHED_POLICIES {
            continue;
        }
        entries.sort_by_key(|(_, _, span)| span.start);
        let principal = entries[0].1;
        let mut names: Vec<&str> = entries.iter().map(|(g, _, _)| g.name.as_str()).collect();
        names.sort_unstable();
        let givers = Givers {
            grants: names,
            first: entries[0].0.name.as_str(),
            others: entries[1..]
                .iter()
                .map(|(g, _, span)| (span.clone(), g.name.as_str()))
                .collect(),
        };
        let span = entries[0].2.clone();
        out.push(if count > max {
            Deploy::TooManyAttachments {
                principal,
                count,
                max,
                givers,
            }
            .at(span)
        } else {
            Deploy::ManyAttachments {
                principal,
                count,
                max,
                givers,
            }
            .at(span)
        });
    }
    out
}

/// A principal as IAM tells principals apart: its kind and its name in lower case, borrowed
/// when the name is lower case already.
fn key(p: &Principal) -> (PrincipalKind, Cow<'_, str>) {
    let name = &p.name;
    let lower = if name.is_ascii() && !name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Borrowed(name.as_str())
    } else {
        Cow::Owned(name.to_lowercase())
    };
    (p.kind, lower)
}

/// Problems that only exist for the chosen formats: a grant's policy file that would take the
/// name of a template or of another grant's part file, or that Terraform would load.
pub fn check(grants: &[GrantSummary], formats: &[Format]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let json = formats.contains(&Format::Json);
    let tf = formats.contains(&Format::Terraform);
    if !json {
        return out;
    }
    let templates: Vec<Format> = formats
        .iter()
        .copied()
        .filter(|f| *f != Format::Json)
        .collect();
    // Lower-cased part file names: case-insensitive file systems would merge two.
    let mut files: HashMap<String, &GrantSummary> = HashMap::new();
    for g in grants {
        for file in json_files(&g.name, g.parts) {
            if let Some(other) = files.insert(file.to_ascii_lowercase(), g) {
                let problem = Deploy::SameFile {
                    grant: &g.name,
                    other: &other.name,
                    other_span: other.span.clone(),
                    file: &file,
                };
                out.push(problem.at(g.span.clone()));
            }
        }
    }
    for g in grants {
        let file = format!("{}.json", g.name);
        let before = out.len();
        if let Some(format) = template_format(&file.to_ascii_lowercase())
            && templates.contains(&format)
        {
            // Case-insensitive file systems would merge the two files.
            let problem = Deploy::TemplateFile {
                grant: &g.name,
                file: &file,
                format,
            };
            out.push(problem.at(g.span.clone()));
        }
        if tf && g.name.to_ascii_lowercase().ends_with(".tf") && out.len() == before {
            let problem = Deploy::TerraformLoads {
                grant: &g.name,
                file: &file,
            };
            out.push(problem.at(g.span.clone()));
        }
    }
    out
}

/// The policy files of a grant split into `parts`: NAME.json, NAME.part2.json, ...
pub fn json_files(grant: &str, parts: usize) -> Vec<String> {
    (1..=parts.max(1)).map(|k| json_file(grant, k)).collect()
}

/// Part `k` (from 1) of a grant's policy files.
pub fn json_file(grant: &str, k: usize) -> String {
    if k <= 1 {
        format!("{grant}.json")
    } else {
        format!("{grant}.part{k}.json")
    }
}

/// A CloudFormation template over its resource limit, at the grant that brings it over.
pub fn resources(packed: &[Packed], grants: &[GrantSummary]) -> Vec<Diagnostic> {
    let mut count: BTreeMap<&Place, usize> = BTreeMap::new();
    for p in packed {
        *count.entry(&p.place).or_default() += 1;
    }
    let mut out = Vec::new();
    for (place, n) in count {
        if n <= MAX_TEMPLATE_RESOURCES {
            continue;
        }
        let first = grants
            .iter()
            .find(|g| *g.account == *place.account && g.partition.as_str() == place.partition);
        let problem = Deploy::TooManyResources {
            account: &place.account,
            policies: n,
        };
        out.push(match first {
            Some(g) => problem.at(g.span.clone()),
            None => problem.diagnostic(),
        });
    }
    out
}

/// 32 bits of FNV-1a 64 of `s`, as 8 hex digits: a short suffix that depends on the name alone,
/// so an id never changes when other grants come or go.
pub fn short_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:08x}", (h >> 32) ^ (h & 0xffff_ffff))
}

/// The grants with their policies (one compact document per part, shared with the plan's
/// policy files), in grant order: the input of packing.
pub type Expanded<'a> = [(&'a GrantSummary, Vec<compact::Compact>)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_hash_is_stable_and_spreads() {
        assert_eq!(short_hash("web-oncall"), short_hash("web-oncall"));
        assert_ne!(short_hash("web.oncall"), short_hash("web_oncall"));
        assert_eq!(short_hash("x").len(), 8);
    }
}
