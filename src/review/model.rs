//! The report `diff` prints, as one typed value: the per-principal verdict, one entry per
//! changed grant, one entry per changed file. Entries are matched by name, never by position:
//! each holds its own file, grant and findings. The JSON schema is
//! `docs/diff-report.schema.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::compile::plan::Plan;
use crate::outdir::MANIFEST;
use crate::outdir::{ChangeKind, DiskState};
use crate::review::diff;
use crate::review::spool::{SpoolWriter, Spooled};
use crate::review::verdict;

/// The version of the JSON schema; raised only on an incompatible change (2: the exact
/// per-principal verdict replaced the per-file permission items).
pub(super) const SCHEMA_VERSION: u32 = 2;

/// `ssm-compile diff --format json`: everything `diff` and `check` know about the output
/// directory and what the change does to access.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Report {
    /// Always 2 for this schema.
    pub schema_version: u32,
    /// The configuration file, as given.
    pub config: String,
    /// The output directory, relative to the current directory where it lies inside it.
    pub output_dir: String,
    /// Whether `build` would write nothing: no file differs and the manifest is current.
    pub up_to_date: bool,
    /// Whether some principal gains a request it did not have (or that cannot be ruled out).
    pub widens: bool,
    /// Every principal whose grants change, in name order, with what it gains and loses.
    pub principals: Spooled<PrincipalVerdict>,
    /// Every grant whose policy or `who` changes, in name order.
    pub grants: Spooled<GrantEntry>,
    /// Every file that `build` would add, change or remove, by name.
    pub files: Spooled<FileDiff>,
    pub manifest: Manifest,
    /// Entries of the output directory that ssm-compile did not write: reported, not compared.
    pub untouched: Vec<String>,
    /// Leftover temporary files of an interrupted build: the next build removes them.
    pub leftovers: Vec<String>,
    /// Files not written by ssm-compile that Terraform loads with the generated module (every
    /// `*.tf` and `*.tf.json` in the directory): deployed unreviewed, so they make the directory
    /// stale and count as widening access.
    pub terraform_loads: Vec<String>,
}

/// A concrete request: no wildcard, every context key it relies on set, absent keys left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct RequestView {
    pub action: String,
    pub resource: String,
    /// Condition key to value.
    pub context: BTreeMap<String, String>,
}

/// What one principal can do, before and after: the union of the grants naming it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct PrincipalVerdict {
    /// As in `who`: `user:alice`, `group:ops`, `role:Admin`.
    pub principal: String,
    /// Whether it gains a request, or that cannot be ruled out (`undecidable`).
    pub widens: bool,
    /// Requests allowed after and denied before (witnesses, a few at most).
    pub gained: Vec<RequestView>,
    /// Requests allowed before and denied after.
    pub lost: Vec<RequestView>,
    /// The grants naming it before and after.
    pub grants_before: Vec<String>,
    pub grants_after: Vec<String>,
    /// Why the comparison cannot be decided; it then counts as widening.
    pub undecidable: Option<String>,
}

/// How a grant changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum GrantChange {
    Added,
    Changed,
    Removed,
}

impl From<ChangeKind> for GrantChange {
    fn from(kind: ChangeKind) -> Self {
        match kind {
            ChangeKind::Added => GrantChange::Added,
            ChangeKind::Changed => GrantChange::Changed,
            ChangeKind::Removed => GrantChange::Removed,
        }
    }
}

impl GrantChange {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantChange::Added => "added",
            GrantChange::Changed => "changed",
            GrantChange::Removed => "removed",
        }
    }
}

/// One grant whose policy or `who` changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct GrantEntry {
    pub grant: String,
    pub change: GrantChange,
    /// The changed files that hold it (its `.json`, the templates), by name.
    pub files: Vec<String>,
    /// Its principals before; `null` when the manifest does not record them.
    pub who_before: Option<Vec<String>>,
    pub who_after: Vec<String>,
    pub who_added: Vec<String>,
    pub who_removed: Vec<String>,
    /// Requests its policy allows after and not before, for some principal.
    pub gained: Vec<RequestView>,
    /// Requests its policy allowed before and not after.
    pub lost: Vec<RequestView>,
    /// Why its policies cannot be compared (a file outside the modelled subset).
    pub undecidable: Option<String>,
}

impl GrantEntry {
    /// Whether the grant gives someone a request they may not have had: its policy allows
    /// more, it cannot be compared, or it is attached to someone new (or to people unknown).
    pub fn widens(&self) -> bool {
        !self.gained.is_empty()
            || self.undecidable.is_some()
            || !self.who_added.is_empty()
            || (self.who_before.is_none() && self.change != GrantChange::Added)
    }

    /// Whether it takes something away: its policy allows less, or someone lost it.
    pub fn narrows(&self) -> bool {
        !self.lost.is_empty() || !self.who_removed.is_empty()
    }
}

/// One file that differs.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct FileDiff {
    /// The file's path, relative to the current directory where it lies inside it.
    pub path: String,
    /// The grants the file holds whose policy or attachments change.
    pub grants: Vec<String>,
    pub change: GrantChange,
    /// A file not written by ssm-compile is where this file belongs: `build` refuses to
    /// overwrite it until it is moved away.
    pub blocked: bool,
    /// Unified diff with git-style headers and three lines of context; `null` when a side is
    /// not UTF-8 text. A template's hunks that only repeat a `.json` diff are left out.
    pub diff: Option<String>,
    /// How many hunks were left out because a `.json` diff already shows them.
    pub repeated_hunks: usize,
    /// Why `diff` is `null` although both sides are text: the changed lines are more than a
    /// diff shows (the configuration's size, 1 to 16 MiB), or the file could not be read.
    pub omitted: Option<String>,
}

/// The manifest's state: `current`, `stale` (build rewrites it) or `missing`.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Manifest {
    pub path: String,
    pub status: ManifestStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ManifestStatus {
    Current,
    Stale,
    Missing,
}

/// What the report compares.
pub struct Inputs<'a> {
    pub config: &'a str,
    /// The configuration's size in bytes: a diff shows at most that much of a file (from 1 to
    /// 16 MiB), to stay within the memory bound.
    pub config_bytes: u64,
    pub output_dir: &'a str,
    pub plan: &'a Plan,
    pub state: &'a DiskState,
}

impl Report {
    /// Compares the plan with the directory's state. `show` turns a file name into its path as
    /// the user would type it. The verdict is decided only when `review`, the diffs made only
    /// when `diffs` (`check` compares bytes and needs neither; `--watch` needs no diffs).
    pub fn new(
        inputs: &Inputs,
        show: &dyn Fn(&str) -> String,
        review: bool,
        diffs: bool,
    ) -> Report {
        let Inputs { plan, state, .. } = *inputs;
        assert!(
            state.kept_old || !(review || diffs),
            "reviewing or showing changes needs the old bytes (OldBytes::Keep)"
        );
        let changes = state.changes(plan);
        let conflicts = state.conflicts(plan);
        let verdict = if review {
            verdict::verdict(plan, state, &changes)
        } else {
            verdict::Verdict::empty()
        };
        // One file's diff at a time, into the spool: 100,000 of them held were 80 MB.
        let mut files = SpoolWriter::default();
        let mut add = |i: usize, shown: diff::Shown| {
            let c: &crate::outdir::Change = &changes[i];
            let file = FileDiff {
                path: show(&c.name),
                grants: verdict.by_file.get(&c.name).cloned().unwrap_or_default(),
                change: c.kind.into(),
                blocked: conflicts.contains(&c.name),
                diff: shown.diff,
                repeated_hunks: shown.repeated,
                omitted: shown.omitted,
            };
            files.push(&format!("{i:020}"), &file);
        };
        if diffs {
            diff::diffs(&changes, show, diff::budget(inputs.config_bytes), &mut add);
        } else {
            for i in 0..changes.len() {
                add(i, diff::Shown::default());
            }
        }
        let files = files.finish();
        let status = match &state.manifest {
            None => ManifestStatus::Missing,
            Some(_) if state.manifest_current(plan) => ManifestStatus::Current,
            Some(_) => ManifestStatus::Stale,
        };
        let loaded = state.loaded_by_terraform(plan);
        Report {
            schema_version: SCHEMA_VERSION,
            config: inputs.config.to_owned(),
            output_dir: inputs.output_dir.to_owned(),
            up_to_date: files.is_empty() && status == ManifestStatus::Current && loaded.is_empty(),
            // What a foreign module file declares is unknown: assume the worst.
            widens: verdict.widening > 0 || !loaded.is_empty(),
            principals: verdict.principals,
            grants: verdict.grants,
            files,
            manifest: Manifest {
                path: show(MANIFEST),
                status,
            },
            untouched: (state.untouched(plan).iter())
                .filter(|n| !loaded.contains(n))
                .map(|n| show(n))
                .collect(),
            leftovers: state.temps.iter().map(|n| show(n)).collect(),
            terraform_loads: loaded.iter().map(|n| show(n)).collect(),
        }
    }

    /// What must not go unnoticed: files Terraform would deploy that nobody reviewed.
    pub fn warnings(&self) -> Vec<String> {
        self.terraform_loads
            .iter()
            .map(|path| {
                format!(
                    "{path} was not written by ssm-compile, and Terraform loads it with the generated module: whatever it declares is deployed unreviewed; move it out of {}",
                    self.output_dir
                )
            })
            .collect()
    }

    /// Whether `diff --exit-code` and `check` exit 1.
    pub fn stale(&self) -> bool {
        !self.up_to_date
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON schema in `docs/` is the one the types describe. Regenerate it with
    /// `UPDATE_SCHEMA=1 cargo test --lib json_schema`.
    #[test]
    fn json_schema_file_is_current() {
        let schema = schemars::schema_for!(Report);
        let mut text = serde_json::to_string_pretty(&schema).unwrap();
        text.push('\n');
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diff-report.schema.json");
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(path, &text).unwrap();
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == text,
            "docs/diff-report.schema.json is out of date: run UPDATE_SCHEMA=1 cargo test --lib json_schema"
        );
    }
}
