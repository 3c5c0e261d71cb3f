//! Grants to the exact bytes of every output file: what `build` writes and `diff`/`check` compare.

use std::collections::BTreeMap;

use crate::config::{Config, Format, Grant, GrantSummary};
use crate::deploy;
use crate::diagnostic::Diagnostic;
use crate::expand::expand;
use crate::policy::MAX_POLICY_CHARS;
use crate::policy::PolicyDocument;

/// The file in the output directory that lists the files ssm-compile owns there.
pub const MANIFEST: &str = ".ssm-compile-manifest";

/// Output file name (relative to the output directory) to its bytes, in name order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Plan {
    /// The manifest that lists exactly `names`, one per line, after a short header.
    pub fn manifest_for<'a>(names: impl IntoIterator<Item = &'a String>) -> Vec<u8> {
        let mut out = String::from(
            "# Written by ssm-compile: the files it generated in this directory.\n\
             # Commit it with them; ssm-compile never touches a file not listed here.\n",
        );
        for name in names {
            out.push_str(name);
            out.push('\n');
        }
        out.into_bytes()
    }

    pub fn manifest(&self) -> Vec<u8> {
        Plan::manifest_for(self.files.keys())
    }
}

/// Reads a manifest back; comment and blank lines are skipped.
pub fn parse_manifest(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
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
    files: BTreeMap<String, Vec<u8>>,
    grants: Vec<GrantSummary>,
    errors: Vec<Diagnostic>,
}

impl Planner {
    pub fn add(&mut self, grant: Grant) {
        let doc = expand(&grant);
        let size = doc.compact_len();
        if size > MAX_POLICY_CHARS {
            self.errors.push(
                Diagnostic::error(format!(
                    "the policy of grant `{}` is {size} characters; IAM allows at most {MAX_POLICY_CHARS}",
                    grant.name
                ))
                .at(grant.span.clone())
                .label(format!("{size} characters without white space"))
                .help("split the grant into several grants with fewer instances or documents, or select the instances by tags"),
            );
        } else if self.errors.is_empty() {
            self.files
                .insert(json_file(&grant.name), doc.to_pretty_json());
        }
        self.grants.push(grant.into());
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
                    let doc: PolicyDocument = serde_json::from_slice(&files[&json_file(&g.name)])
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
            let (name, bytes) = match format {
                Format::Json => continue,
                Format::CloudFormation => (
                    deploy::CLOUDFORMATION_FILE,
                    deploy::cloudformation::render(&expanded),
                ),
                Format::Terraform => (deploy::TERRAFORM_FILE, deploy::terraform::render(&expanded)),
            };
            files.insert(name.to_owned(), bytes);
        }
        (Some((Plan { files }, self.grants)), diagnostics)
    }
}

fn json_file(grant: &str) -> String {
    format!("{grant}.json")
}
