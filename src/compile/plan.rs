//! Grants to the exact bytes of every output file: what `build` writes and `diff`/`check` compare.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use crate::aws::limits::MAX_POLICY_CHARS;
use crate::compile::config::{Config, Format, Grant, GrantSummary};
use crate::compile::expand::expand;
use crate::compile::policy::{PolicyDocument, char_count, pretty_from_compact};
use crate::deploy;
use crate::diagnostic::{Diagnostic, Kind};

/// Output file name (relative to the output directory) to its content, in name order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub files: BTreeMap<String, Content>,
}

/// What one planned file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A policy document as compact JSON; the file holds it pretty-printed
    /// ([`pretty_from_compact`]). Half the size of the file's bytes: the plan of 100,000
    /// grants holds every policy at once, and this keeps it within the memory target.
    Policy(Arc<[u8]>),
    /// The file's bytes as they are.
    Bytes(Vec<u8>),
}

impl Content {
    /// The file's bytes.
    pub fn bytes(&self) -> Cow<'_, [u8]> {
        match self {
            Content::Policy(compact) => {
                let mut out = Vec::with_capacity(2 * compact.len() + 64);
                pretty_from_compact(compact, &mut out);
                Cow::Owned(out)
            }
            Content::Bytes(bytes) => Cow::Borrowed(bytes),
        }
    }

    /// Whether the file's bytes are exactly `bytes`. `scratch` is reused between calls, so
    /// comparing a directory of policies allocates nothing per file.
    pub fn is(&self, bytes: &[u8], scratch: &mut Vec<u8>) -> bool {
        match self {
            Content::Policy(compact) => {
                scratch.clear();
                pretty_from_compact(compact, scratch);
                scratch.as_slice() == bytes
            }
            Content::Bytes(own) => own.as_slice() == bytes,
        }
    }
}

impl Plan {
    /// The bytes of a planned file.
    pub fn bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.files.get(name).map(Content::bytes)
    }
}

/// Expands every grant and renders each chosen format. A policy over IAM's size limit is an
/// error that names the grant, as are names that would collide in a chosen format and
/// principals over IAM's attachment quota (warnings below the hard limit are returned too).
pub fn plan(config: &Config) -> Result<(Plan, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut planner = Planner::default();
    for grant in &config.grants {
        planner.add(grant.clone());
    }
    let (planned, diagnostics) = planner.finish(&config.settings.formats);
    match planned {
        Some((plan, _)) => Ok((plan, diagnostics)),
        None => Err(diagnostics),
    }
}

/// Builds a plan one grant at a time, as grants are validated: each grant is expanded into its
/// policy file's bytes at once and only its name and principals are kept, so a 100,000-grant
/// configuration never holds all its grants, their documents and the bytes at the same time.
#[derive(Default)]
pub struct Planner {
    files: BTreeMap<String, Content>,
    /// Reused for each grant's compact JSON, which is then stored in an exact-size allocation.
    scratch: Vec<u8>,
    /// Every distinct policy so far: grants that differ only in `who` have one policy, and
    /// 400,000 of them in a 30 MB file would otherwise hold 400,000 copies (issue 16).
    distinct: HashSet<Arc<[u8]>>,
    grants: Vec<GrantSummary>,
    errors: Vec<Diagnostic>,
}

impl Planner {
    /// The scratch bytes as a shared allocation, the one already made when they were seen.
    fn intern(&mut self) -> Arc<[u8]> {
        if let Some(seen) = self.distinct.get(self.scratch.as_slice()) {
            return seen.clone();
        }
        let new: Arc<[u8]> = self.scratch.as_slice().into();
        self.distinct.insert(new.clone());
        new
    }

    pub fn add(&mut self, grant: Grant) {
        let doc = expand(&grant);
        self.scratch.clear();
        serde_json::to_writer(&mut self.scratch, &doc)
            .expect("a policy document always serializes");
        let size = char_count(&self.scratch);
        if size > MAX_POLICY_CHARS {
            self.errors.push(
                Diagnostic::new(Kind::PolicyTooLarge, format!(
                    "the policy of grant `{}` is {size} characters; IAM allows at most {MAX_POLICY_CHARS}",
                    grant.name
                ))
                .at(grant.span.clone())
                .label(format!("{size} characters without white space"))
                .help("split the grant into several grants with fewer instances or documents, or select the instances by tags"),
            );
        } else if self.errors.is_empty() {
            let policy = Content::Policy(self.intern());
            self.files.insert(json_file(&grant.name), policy);
        }
        self.grants.push(grant.into());
    }

    /// Each grant added so far with its policy's compact JSON (none once a grant had an error).
    pub fn policies(&self) -> impl Iterator<Item = (&GrantSummary, &[u8])> {
        self.grants
            .iter()
            .filter_map(|g| match self.files.get(&json_file(&g.name)) {
                Some(Content::Policy(json)) => Some((g, &json[..])),
                _ => None,
            })
    }

    /// The plan for the chosen formats (none when there is an error), the grants in name
    /// order, and the checks across grants.
    #[allow(clippy::type_complexity)]
    pub fn finish(
        mut self,
        formats: &[Format],
    ) -> (Option<(Plan, Vec<GrantSummary>)>, Vec<Diagnostic>) {
        self.grants.sort_by(|a, b| a.name.cmp(&b.name));
        let mut diagnostics = self.errors;
        diagnostics.extend(deploy::check(&self.grants, formats));
        // Quotas count attachments to `who`, which every format means to make.
        diagnostics.extend(deploy::quotas(&self.grants));
        if diagnostics.iter().any(Diagnostic::is_error) {
            return (None, diagnostics);
        }
        let mut files = self.files;
        // The templates embed the policies exactly as the policy files hold them.
        let templates: Vec<Format> = formats
            .iter()
            .copied()
            .filter(|f| *f != Format::Json)
            .collect();
        let expanded: Vec<_> = if templates.is_empty() {
            Vec::new()
        } else {
            self.grants
                .iter()
                .map(|g| {
                    let doc: PolicyDocument =
                        serde_json::from_slice(&files[&json_file(&g.name)].bytes())
                            .expect("the planner's own policy bytes parse");
                    (g, doc)
                })
                .collect()
        };
        if !formats.contains(&Format::Json) {
            for g in &self.grants {
                files.remove(&json_file(&g.name));
            }
        }
        for format in templates {
            if let Some((name, bytes)) = deploy::render(format, &expanded) {
                files.insert(name.to_owned(), Content::Bytes(bytes));
            }
        }
        (Some((Plan { files }, self.grants)), diagnostics)
    }
}

fn json_file(grant: &str) -> String {
    format!("{grant}.json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{compile, parse, validate};

    /// The plan keeps policies compact; the bytes it gives back must be the pretty JSON of the
    /// expanded document, for every shape of grant.
    #[test]
    fn planned_bytes_are_the_pretty_documents() {
        let text = r#"
account = "111122223333"
region = "us-east-2"
[grant.admin-tags]
role = "admin"
who = ["group:ops", "role:Admin"]
consoles = ["session-manager", "cli", "ec2"]
tags = { Team = ["web", "pay$ments", "a*"], Env = "prod" }
kms_key = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
[grant.users]
role = "end-user"
who = ["user:alice"]
consoles = ["cli"]
instances = ["i-0123456789abcdef0", "mi-0123456789abcdef0"]
documents = ["AWS-StartPortForwardingSession", "Team-Shell"]
[grant.all]
role = "end-user"
who = ["role:Dev"]
consoles = ["session-manager", "cli"]
instances = ["*"]
resume_session = true
region = "cn-north-1"
"#;
        let plan = compile(text).unwrap().plan;
        let (config, _) = validate::validate(&parse::parse(text).unwrap());
        let grants = config.unwrap().grants;
        assert_eq!(plan.files.len(), grants.len());
        for grant in &grants {
            let want = expand(grant).to_pretty_json();
            let name = json_file(&grant.name);
            assert!(matches!(plan.files[&name], Content::Policy(_)));
            assert_eq!(
                String::from_utf8(plan.bytes(&name).unwrap().into_owned()).unwrap(),
                String::from_utf8(want.clone()).unwrap()
            );
            assert!(plan.files[&name].is(&want, &mut Vec::new()));
            assert!(!plan.files[&name].is(&want[1..], &mut Vec::new()));
        }
    }
}
