//! Grants to the exact bytes of every output file: what `build` writes and `diff`/`check` compare.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::aws::limits::MAX_POLICY_CHARS;
use crate::compile::config::{Config, Format, Grant, GrantSummary};
use crate::compile::expand::expand;
use crate::compile::policy::{PolicyDocument, Statement, char_count, pretty_from_compact};
use crate::deploy::compact::{Compact, Interner};
use crate::deploy::{self, split};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::{Outputs, Problem};

/// Output file name (relative to the output directory) to its content, in name order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub files: BTreeMap<String, Content>,
    /// Each grant's `who` as the manifest records it ([`format_who`]): `build` writes it, so a
    /// changed `who` makes the manifest stale and `diff` knows who had each grant before.
    pub who: String,
}

/// What one planned file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A policy document as compact JSON statements; the file holds it pretty-printed
    /// ([`pretty_from_compact`]). Less than half the size of the file's bytes: the plan of
    /// 100,000 grants holds every policy at once, and this keeps it within the memory target.
    Policy(Compact),
    /// The file's bytes as they are.
    Bytes(Vec<u8>),
    /// A deployable template, rendered where its bytes are used: the Terraform file of
    /// 100,000 grants is 250 MB (issue 16).
    Template(deploy::Template),
}

impl Content {
    /// The file's bytes.
    pub fn bytes(&self) -> Cow<'_, [u8]> {
        match self {
            Content::Policy(compact) => {
                let compact = compact.to_vec();
                let mut out = Vec::with_capacity(2 * compact.len() + 64);
                pretty_from_compact(&compact, &mut out);
                Cow::Owned(out)
            }
            Content::Bytes(bytes) => Cow::Borrowed(bytes),
            Content::Template(t) => Cow::Owned(t.to_bytes()),
        }
    }

    /// Writes the file's bytes to `out` without holding all of them at once (a template is
    /// rendered as it is written).
    pub fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Content::Template(t) => t.write_to(out),
            _ => out.write_all(&self.bytes()),
        }
    }

    /// Whether the file's bytes are exactly `bytes`. `scratch` is reused between calls, so
    /// comparing a directory of policies allocates nothing per file.
    pub fn is(&self, bytes: &[u8], scratch: &mut (Vec<u8>, Vec<u8>)) -> bool {
        match self {
            Content::Policy(compact) => {
                let (joined, pretty) = scratch;
                joined.clear();
                compact.write(joined);
                pretty.clear();
                pretty_from_compact(joined, pretty);
                pretty.as_slice() == bytes
            }
            Content::Bytes(own) => own.as_slice() == bytes,
            Content::Template(t) => t.is(bytes),
        }
    }
}

impl Plan {
    /// The bytes of a planned file.
    pub fn bytes(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.files.get(name).map(Content::bytes)
    }
}

/// The marker of a manifest line recording one grant's principals: `#who GRANT PRINCIPAL...`.
/// It starts with `#` so that an older ssm-compile, which skips comment lines, never mistakes
/// it for a file it owns. Names hold no spaces (IAM's name characters), so spaces separate.
const WHO: &str = "#who ";

/// The manifest's principals section: one line per grant (in the order given, name order),
/// after a comment saying what the lines are for.
pub fn format_who(grants: &[GrantSummary]) -> String {
    if grants.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "# Who each grant is attached to (`#who GRANT PRINCIPAL...`): diff compares access per principal.\n",
    );
    for g in grants {
        out.push_str(WHO);
        out.push_str(&g.name);
        for p in sorted_who(g) {
            out.push(' ');
            out.push_str(&p);
        }
        out.push('\n');
    }
    out
}

/// A grant's principals as the manifest records them: sorted and distinct, since the order of
/// `who` means nothing (the templates sort their attachments too).
pub fn sorted_who(g: &GrantSummary) -> Vec<String> {
    let mut who: Vec<String> = g.who.iter().map(ToString::to_string).collect();
    who.sort();
    who.dedup();
    who
}

/// The principals a manifest (or [`Plan::who`]) records: (grant, its principals separated by
/// spaces), sorted by grant, borrowed from `text` (a 100,000-grant record is read without a
/// string per principal). A grant without a line (a manifest written before principals were
/// recorded, or the interim manifest of an interrupted build) is absent: its principals before
/// are unknown.
pub fn parse_who(text: &str) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = text
        .lines()
        .filter_map(|l| l.trim_end().strip_prefix(WHO))
        .filter_map(|l| {
            let l = l.trim_start();
            let (grant, rest) = l.split_once(' ').unwrap_or((l, ""));
            (!grant.is_empty()).then_some((grant, rest))
        })
        .collect();
    out.sort_unstable();
    out
}

/// The principals of one [`parse_who`] entry.
pub fn who_words(rest: &str) -> impl Iterator<Item = &str> {
    rest.split(' ').filter(|w| !w.is_empty())
}

/// Expands every grant and renders each chosen format. A policy over IAM's size limit is an
/// error that names the grant, as are names that would collide in a chosen format and
/// principals over IAM's attachment quota (warnings below the hard limit are returned too).
pub fn plan(config: &Config) -> Result<(Plan, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut planner = Planner::default();
    for grant in &config.grants {
        planner.add(grant.clone());
    }
    let (planned, diagnostics) = planner.finish(
        &config.settings.formats,
        config.settings.max_managed_policies,
    );
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
    /// Every distinct policy and statement so far: grants that differ only in `who` have one
    /// policy, and 400,000 of them in a 30 MB file would otherwise hold 400,000 copies
    /// (issue 16).
    distinct: Interner,
    grants: Vec<GrantSummary>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Planner {
    pub fn add(&mut self, grant: Grant) {
        let doc = expand(&grant);
        self.scratch.clear();
        serde_json::to_writer(&mut self.scratch, &doc)
            .expect("a policy document always serializes");
        let size = char_count(&self.scratch);
        let mut summary: GrantSummary = grant.into();
        if size <= MAX_POLICY_CHARS {
            if self.errors.is_empty() {
                let policy = Content::Policy(self.distinct.intern(&self.scratch));
                self.files
                    .insert(deploy::json_file(&summary.name, 1), policy);
            }
        } else if let Some(parts) = self.split(&summary, &doc, size) {
            summary.parts = parts.len();
            if self.errors.is_empty() {
                for (k, part) in parts.iter().enumerate() {
                    self.files.insert(
                        deploy::json_file(&summary.name, k + 1),
                        Content::Policy(self.distinct.intern(&part.to_compact_json())),
                    );
                }
            }
        }
        self.grants.push(summary);
    }

    /// A policy over IAM's size limit cut into parts, with a warning that says so; an error
    /// when it cannot be cut (one action on one resource over the limit).
    fn split(
        &mut self,
        grant: &GrantSummary,
        doc: &PolicyDocument,
        size: usize,
    ) -> Option<Vec<PolicyDocument>> {
        let Some(parts) = split::split(doc, MAX_POLICY_CHARS) else {
            let found = Outputs::PolicyTooLarge {
                grant: &grant.name,
                size,
            };
            self.errors.push(found.at(grant.span.clone()));
            return None;
        };
        // The cut must allow and deny exactly what the whole did.
        let cut: Vec<&Statement> = parts.iter().flat_map(|p| &p.statement).collect();
        if split::atoms(cut) != split::atoms(&doc.statement) {
            let found = Outputs::SplitChangesAccess { grant: &grant.name };
            self.errors.push(found.at(grant.span.clone()));
            return None;
        }
        let files = deploy::json_files(&grant.name, parts.len());
        let found = Outputs::PolicySplit {
            grant: &grant.name,
            size,
            files: &files,
        };
        self.warnings.push(found.at(grant.span.clone()));
        Some(parts)
    }

    /// Each grant added so far with its policy's compact JSON, once per part of a split grant
    /// (none once a grant had an error).
    pub fn policies(&self) -> impl Iterator<Item = (&GrantSummary, &Compact)> {
        self.grants.iter().flat_map(move |g| {
            deploy::json_files(&g.name, g.parts)
                .into_iter()
                .filter_map(move |f| match self.files.get(&f) {
                    Some(Content::Policy(json)) => Some((g, json)),
                    _ => None,
                })
        })
    }

    /// The plan for the chosen formats (none when there is an error), the grants in name
    /// order, and the checks across grants.
    #[allow(clippy::type_complexity)]
    pub fn finish(
        mut self,
        formats: &[Format],
        max_managed: usize,
    ) -> (Option<(Plan, Vec<GrantSummary>)>, Vec<Diagnostic>) {
        // Kept to the end of the run: the slack of a vector grown by doubling is up to a third
        // of 400,000 summaries.
        self.grants.shrink_to_fit();
        self.grants.sort_by(|a, b| a.name.cmp(&b.name));
        let mut diagnostics = self.errors;
        if diagnostics.is_empty() {
            diagnostics = self.warnings;
        } else {
            diagnostics.extend(self.warnings);
        }
        diagnostics.extend(deploy::check(&self.grants, formats));
        let templates: Vec<Format> = formats
            .iter()
            .copied()
            .filter(|f| *f != Format::Json)
            .collect();
        if templates.is_empty() {
            // Policy files only: every grant is meant to be attached to its `who` by hand.
            diagnostics.extend(deploy::quotas(&self.grants));
        }
        if diagnostics.iter().any(Diagnostic::is_error) {
            return (None, diagnostics);
        }
        let mut files = self.files;
        if !templates.is_empty() {
            match templates_of(&self.grants, &files, &templates, max_managed) {
                Ok(rendered) => files.extend(rendered),
                Err(errors) => {
                    diagnostics.extend(errors);
                    return (None, diagnostics);
                }
            }
        }
        if !formats.contains(&Format::Json) {
            files.retain(|name, _| deploy::is_template(name));
        }
        let who = format_who(&self.grants);
        (Some((Plan { files, who }, self.grants)), diagnostics)
    }
}

/// The deployable templates: the grants' policies (exactly as the policy files hold them)
/// packed per principal set, proven to hold each principal's statements, one file per format
/// and account.
fn templates_of(
    grants: &[GrantSummary],
    files: &BTreeMap<String, Content>,
    formats: &[Format],
    max_managed: usize,
) -> Result<Vec<(String, Content)>, Vec<Diagnostic>> {
    let expanded: Vec<_> = grants
        .iter()
        .map(|g| {
            let parts = deploy::json_files(&g.name, g.parts)
                .iter()
                .map(|f| match &files[f] {
                    Content::Policy(compact) => compact.clone(),
                    _ => unreachable!("a grant's file is a policy"),
                })
                .collect();
            (g, parts)
        })
        .collect();
    // Shared by every template, never copied.
    let packed = Arc::new(deploy::pack(&expanded, max_managed)?);
    let mut errors = deploy::verify(&expanded, &packed);
    if formats.contains(&Format::CloudFormation) {
        errors.extend(deploy::resources(&packed, grants));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(formats
        .iter()
        .flat_map(|f| deploy::render(*f, &packed))
        .map(|(name, template)| (name, Content::Template(template)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{compile, parse, validate};

    /// The manifest's principals: written sorted, read back as written, skipped as comments by
    /// the file list (and so by an older ssm-compile), and absent for a manifest without them.
    #[test]
    fn who_lines_round_trip_and_stay_comments() {
        let text = "account = \"111122223333\"\nregion = \"us-east-2\"\n\
            [grant.b]\nrole = \"admin\"\nwho = [\"user:z\", \"group:ops\", \"user:a\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n\
            [grant.a]\nrole = \"admin\"\nwho = [\"role:R\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n";
        let plan = compile(text).unwrap().plan;
        let manifest = String::from_utf8(crate::outdir::manifest::for_plan(&plan)).unwrap();
        assert!(
            manifest.ends_with("a.json\nb.json\n# Who each grant is attached to (`#who GRANT PRINCIPAL...`): diff compares access per principal.\n#who a role:R\n#who b group:ops user:a user:z\n"),
            "{manifest}"
        );
        assert_eq!(
            crate::outdir::manifest::parse(&manifest),
            ["a.json", "b.json"]
        );
        assert_eq!(
            parse_who(&manifest),
            [("a", "role:R"), ("b", "group:ops user:a user:z")]
        );
        assert_eq!(
            who_words("group:ops  user:a").collect::<Vec<_>>(),
            ["group:ops", "user:a"]
        );
        let old = "# Written by ssm-compile\na.json\nb.json\n";
        assert!(parse_who(old).is_empty());
    }

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
            let name = deploy::json_file(&grant.name, 1);
            assert!(matches!(plan.files[&name], Content::Policy(_)));
            assert_eq!(
                String::from_utf8(plan.bytes(&name).unwrap().into_owned()).unwrap(),
                String::from_utf8(want.clone()).unwrap()
            );
            assert!(plan.files[&name].is(&want, &mut Default::default()));
            assert!(!plan.files[&name].is(&want[1..], &mut Default::default()));
        }
    }
}
