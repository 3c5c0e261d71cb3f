//! Grants to the exact bytes of every output file: what `build` writes and `diff`/`check` compare.

use std::collections::BTreeMap;

use crate::config::{Config, Format};
use crate::deploy;
use crate::diagnostic::Diagnostic;
use crate::expand::expand;
use crate::policy::MAX_POLICY_CHARS;

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
/// error that names the grant, as are names that would collide in a chosen format.
pub fn plan(config: &Config) -> Result<Plan, Vec<Diagnostic>> {
    let mut errors = deploy::check(config);
    let mut expanded = Vec::with_capacity(config.grants.len());
    for grant in &config.grants {
        let doc = expand(grant);
        let size = doc.compact_len();
        if size > MAX_POLICY_CHARS {
            errors.push(
                Diagnostic::error(format!(
                    "the policy of grant `{}` is {size} characters; IAM allows at most {MAX_POLICY_CHARS}",
                    grant.name
                ))
                .at(grant.span.clone())
                .label(format!("{size} characters without white space"))
                .help("split the grant into several grants with fewer instances or documents, or select the instances by tags"),
            );
            continue;
        }
        expanded.push((grant, doc));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut files = BTreeMap::new();
    for format in &config.formats {
        match format {
            Format::Json => {
                for (grant, doc) in &expanded {
                    files.insert(format!("{}.json", grant.name), doc.to_pretty_json());
                }
            }
            Format::CloudFormation => {
                files.insert(
                    deploy::CLOUDFORMATION_FILE.to_owned(),
                    deploy::cloudformation::render(&expanded),
                );
            }
            Format::Terraform => {
                files.insert(
                    deploy::TERRAFORM_FILE.to_owned(),
                    deploy::terraform::render(&expanded),
                );
            }
        }
    }
    Ok(Plan { files })
}
