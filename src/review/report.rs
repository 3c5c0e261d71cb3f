//! What `diff` and `check` report: how the output directory differs from the plan, as one typed
//! [`Report`] rendered three ways (terminal text, markdown for pull requests, JSON for machines).
//!
//! Pure: the command shells read the directory and say how paths are shown; only files that
//! differ are diffed and parsed, so a large directory with one change costs one diff.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::Serialize;
use similar::TextDiff;

use crate::compile::plan::Plan;
use crate::outdir::MANIFEST;
use crate::outdir::{Change, DiskState};
use crate::review::permissions::{self, Direction, GrantChange, GrantDelta};

/// The version of the JSON schema below; raised only on an incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// `ssm-compile diff --format json`: everything `diff` and `check` know about the output
/// directory. The schema is `docs/diff-report.schema.json`.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Report {
    /// Always 1 for this schema.
    pub schema_version: u32,
    /// The configuration file, as given.
    pub config: String,
    /// The output directory, relative to the current directory where it lies inside it.
    pub output_dir: String,
    /// Whether `build` would write nothing: no policy file differs and the manifest is current.
    pub up_to_date: bool,
    /// Whether any grant's change widens access.
    pub widens: bool,
    /// Every policy file that `build` would add, change or remove, by name.
    pub files: Vec<FileDiff>,
    /// The permission changes of those files, in the same order.
    pub grants: Vec<GrantDelta>,
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

/// One policy file that differs.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct FileDiff {
    /// The file's path, relative to the current directory where it lies inside it.
    pub path: String,
    /// The grant the file belongs to.
    pub grant: String,
    pub change: GrantChange,
    /// A file not written by ssm-compile is where this policy belongs: `build` refuses to
    /// overwrite it until it is moved away.
    pub blocked: bool,
    /// Unified diff with git-style headers and three lines of context; `null` when a side is
    /// not UTF-8 text.
    pub diff: Option<String>,
}

/// The manifest's state: `current`, `stale` (build rewrites it) or `missing`.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Manifest {
    pub path: String,
    pub status: ManifestStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ManifestStatus {
    Current,
    Stale,
    Missing,
}

impl Report {
    /// Compares the plan with the directory's state. `show` turns a file name into its path as
    /// the user would type it. Diff texts are made only when `with_diffs` (`check` needs none).
    pub fn new(
        config: &str,
        output_dir: &str,
        plan: &Plan,
        state: &DiskState,
        show: &dyn Fn(&str) -> String,
        with_diffs: bool,
    ) -> Report {
        let changes = state.changes(plan);
        let conflicts = state.conflicts(plan);
        let files: Vec<FileDiff> = changes
            .iter()
            .map(|c| FileDiff {
                path: show(&c.name),
                grant: c.name.strip_suffix(".json").unwrap_or(&c.name).to_owned(),
                change: c.kind.into(),
                blocked: conflicts.contains(&c.name),
                diff: if with_diffs {
                    unified_diff(c, &show(&c.name))
                } else {
                    None
                },
            })
            .collect();
        let grants = if with_diffs {
            permissions::deltas(&changes)
        } else {
            Vec::new()
        };
        let status = match &state.manifest {
            None => ManifestStatus::Missing,
            Some(_) if state.manifest_current(plan) => ManifestStatus::Current,
            Some(_) => ManifestStatus::Stale,
        };
        let loaded = state.loaded_by_terraform(plan);
        Report {
            schema_version: SCHEMA_VERSION,
            config: config.to_owned(),
            output_dir: output_dir.to_owned(),
            up_to_date: files.is_empty() && status == ManifestStatus::Current && loaded.is_empty(),
            // What a foreign module file declares is unknown: assume the worst.
            widens: grants.iter().any(GrantDelta::widens) || !loaded.is_empty(),
            files,
            grants,
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

    /// Lines that explain what the report does not count as a change.
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for f in self.files.iter().filter(|f| f.blocked) {
            notes.push(format!(
                "{} exists but was not written by ssm-compile: build refuses to overwrite it; move it away first",
                f.path
            ));
        }
        // With policy files changing the manifest always changes too; alone it is news.
        match self.manifest.status {
            _ if !self.files.is_empty() => {}
            ManifestStatus::Current => {}
            ManifestStatus::Stale => notes.push(format!(
                "{} (the list of files ssm-compile wrote) is out of date; build rewrites it",
                self.manifest.path
            )),
            ManifestStatus::Missing => notes.push(format!(
                "{} (the list of files ssm-compile wrote) is missing; build writes it",
                self.manifest.path
            )),
        }
        for path in &self.untouched {
            notes.push(format!(
                "{path} was not written by ssm-compile: not compared, and never touched"
            ));
        }
        for path in &self.leftovers {
            notes.push(format!(
                "{path} is left over from an interrupted build; the next build removes it"
            ));
        }
        notes
    }

    /// Whether `diff --exit-code` and `check` exit 1.
    pub fn stale(&self) -> bool {
        !self.up_to_date
    }

    /// The terminal report: each diff, the permission summary, then notes.
    pub fn render_text(&self, color: bool) -> String {
        let mut out = String::new();
        for f in &self.files {
            match &f.diff {
                Some(diff) => out.push_str(&paint_diff(diff, color)),
                None => {
                    let _ = writeln!(out, "Binary files {} differ", f.path);
                }
            }
        }
        if self.files.is_empty() {
            let _ = writeln!(out, "{}", self.headline());
        } else {
            out.push('\n');
            out.push_str(&permissions::render_summary(&self.grants, color));
        }
        let warnings = self.warnings();
        if !warnings.is_empty() {
            out.push('\n');
            let bold = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
            for w in warnings {
                let _ = if color {
                    writeln!(out, "{bold}warning:{bold:#} {w}")
                } else {
                    writeln!(out, "warning: {w}")
                };
            }
        }
        let notes = self.notes();
        if !notes.is_empty() {
            out.push('\n');
            for note in notes {
                let _ = writeln!(out, "note: {note}");
            }
        }
        out
    }

    fn headline(&self) -> String {
        if self.files.is_empty() && !self.terraform_loads.is_empty() {
            format!(
                "No policy changes, but Terraform would also deploy {} not written by ssm-compile in {}.",
                match self.terraform_loads.len() {
                    1 => "1 file".to_owned(),
                    n => format!("{n} files"),
                },
                self.output_dir
            )
        } else if self.files.is_empty() {
            format!(
                "No policy changes: {} matches {}.",
                self.output_dir, self.config
            )
        } else {
            let widening = self.grants.iter().filter(|g| g.widens()).count();
            let files = self.files.len();
            let mut s = format!(
                "{files} policy {} in {} would change",
                if files == 1 { "file" } else { "files" },
                self.output_dir
            );
            match widening {
                0 => s.push_str("; none widens access."),
                1 => s.push_str("; 1 grant WIDENS ACCESS."),
                n => {
                    let _ = write!(s, "; {n} grants WIDEN ACCESS.");
                }
            }
            s
        }
    }

    /// A compact report for a pull-request comment or `$GITHUB_STEP_SUMMARY`.
    pub fn render_markdown(&self) -> String {
        let mut out = String::from("### ssm-compile diff\n\n");
        let _ = writeln!(out, "{}\n", escape_markdown(&self.headline()));
        if !self.files.is_empty() {
            out.push_str("| Grant | Change | Access |\n| --- | --- | --- |\n");
            for (f, g) in self.files.iter().zip(&self.grants) {
                let access = match (g.widens(), g.narrows()) {
                    (true, _) => "⚠️ **widens**",
                    (false, true) => "narrows",
                    (false, false) => "unchanged",
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {access} |",
                    code(&f.grant),
                    f.change.as_str()
                );
            }
            out.push('\n');
        }
        for (f, g) in self.files.iter().zip(&self.grants) {
            let verdict = match (g.widens(), g.narrows()) {
                (true, _) => "widens access",
                (false, true) => "narrows access",
                (false, false) => "no change in access",
            };
            let _ = writeln!(
                out,
                "<details>\n<summary><code>{}</code>: {}, {verdict}</summary>\n",
                html_escape(&f.path),
                f.change.as_str()
            );
            let mut summary = String::new();
            for note in &g.notes {
                let _ = writeln!(summary, "note: {note}");
            }
            for item in g.shown_items() {
                let mark = match item.direction {
                    Direction::Widens => "[WIDENS] ",
                    Direction::Narrows => "[narrows]",
                };
                let (head, details) = permissions::describe(item);
                let _ = writeln!(summary, "{mark} {head}");
                for d in details {
                    let _ = writeln!(summary, "          {d}");
                }
            }
            if !summary.is_empty() {
                out.push_str(&fenced("text", &summary));
                out.push('\n');
            }
            match &f.diff {
                Some(diff) => out.push_str(&fenced("diff", diff)),
                None => {
                    let _ = writeln!(out, "Binary files {} differ", code(&f.path));
                }
            }
            out.push_str("\n</details>\n\n");
        }
        for w in self.warnings() {
            let _ = writeln!(out, "- ⚠️ **{}**", escape_markdown(&w));
        }
        let notes = self.notes();
        if !notes.is_empty() {
            for note in notes {
                // Paths lead each note; they are the only part that comes from outside.
                let _ = writeln!(out, "- {}", escape_markdown(&note));
            }
        }
        // One trailing newline, however the sections ended.
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }

    pub fn render_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).expect("a report always serializes");
        out.push('\n');
        out
    }
}

/// A git-style unified diff of one change, or `None` when a side is not UTF-8 text.
fn unified_diff(change: &Change, path: &str) -> Option<String> {
    fn text(b: Option<&[u8]>) -> Option<&str> {
        match b {
            Some(bytes) => std::str::from_utf8(bytes).ok(),
            None => Some(""),
        }
    }
    let new_bytes = change.new_bytes();
    let (old, new) = (text(change.old.as_deref())?, text(new_bytes.as_deref())?);
    // An absolute path outside the current directory keeps its own form, without a/ and b/.
    let (a, b) = if path.starts_with('/') {
        (path.to_owned(), path.to_owned())
    } else {
        (format!("a/{path}"), format!("b/{path}"))
    };
    let a = if change.old.is_some() {
        a
    } else {
        "/dev/null".to_owned()
    };
    let b = if change.new.is_some() {
        b
    } else {
        "/dev/null".to_owned()
    };
    let diff = TextDiff::from_lines(old, new);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header(&a, &b)
            .to_string(),
    )
}

/// Git's colours: bold headers, cyan hunk lines, red removals, green additions.
fn paint_diff(diff: &str, color: bool) -> String {
    if !color {
        return diff.to_owned();
    }
    let mut out = String::with_capacity(diff.len() * 2);
    for (i, line) in diff.split_inclusive('\n').enumerate() {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let style = if i < 2 {
            Style::new().bold()
        } else if body.starts_with("@@") {
            Style::new().fg_color(Some(AnsiColor::Cyan.into()))
        } else if body.starts_with('-') {
            Style::new().fg_color(Some(AnsiColor::Red.into()))
        } else if body.starts_with('+') {
            Style::new().fg_color(Some(AnsiColor::Green.into()))
        } else {
            Style::new()
        };
        let _ = write!(out, "{style}{body}{style:#}");
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// A fenced block whose fence is longer than any backtick run inside, so a hand-edited file
/// cannot end it early and inject markdown into a pull-request comment.
fn fenced(lang: &str, text: &str) -> String {
    let fence = "`".repeat(3.max(longest_backtick_run(text) + 1));
    let nl = if text.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{lang}\n{text}{nl}{fence}\n")
}

/// An inline code span that survives backticks inside.
fn code(text: &str) -> String {
    let ticks = "`".repeat(longest_backtick_run(text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Backslash-escapes what markdown would read as markup (file names may hold `*` or `_`).
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_[]<>#|!~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Planned content for a `Change` that lives as long as the test.
    fn content(bytes: &[u8]) -> &'static crate::compile::plan::Content {
        Box::leak(Box::new(crate::compile::plan::Content::Bytes(
            bytes.to_vec(),
        )))
    }
    use crate::outdir::ChangeKind;

    #[test]
    fn diff_headers_are_git_style_with_dev_null_for_missing_sides() {
        let added = Change {
            name: "x.json".into(),
            kind: ChangeKind::Added,
            old: None,
            new: Some(content(b"{\n}\n")),
        };
        assert_eq!(
            unified_diff(&added, "policies/x.json").unwrap(),
            "--- /dev/null\n+++ b/policies/x.json\n@@ -0,0 +1,2 @@\n+{\n+}\n"
        );
        let removed = Change {
            kind: ChangeKind::Removed,
            old: added.new_bytes().map(|b| b.into_owned()),
            new: None,
            ..added.clone()
        };
        assert!(
            unified_diff(&removed, "p/x.json")
                .unwrap()
                .starts_with("--- a/p/x.json\n+++ /dev/null\n")
        );
        let binary = Change {
            kind: ChangeKind::Changed,
            old: Some(vec![0xff, 0xfe]),
            ..added
        };
        assert_eq!(unified_diff(&binary, "x.json"), None);
    }

    #[test]
    fn diff_keeps_three_lines_of_context() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("10\n", "ten\n");
        let change = Change {
            name: "x.json".into(),
            kind: ChangeKind::Changed,
            old: Some(old.into_bytes()),
            new: Some(content(new.as_bytes())),
        };
        let diff = unified_diff(&change, "x.json").unwrap();
        assert!(
            diff.contains("@@ -7,7 +7,7 @@\n 7\n 8\n 9\n-10\n+ten\n 11\n 12\n 13\n"),
            "{diff}"
        );
    }

    #[test]
    fn colour_marks_diff_lines_only_when_asked() {
        let diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";
        assert_eq!(paint_diff(diff, false), diff);
        let painted = paint_diff(diff, true);
        assert!(painted.contains("\u{1b}[31m-a\u{1b}[0m\n"), "{painted:?}");
        assert!(painted.contains("\u{1b}[32m+b\u{1b}[0m\n"), "{painted:?}");
    }

    #[test]
    fn markdown_cannot_be_broken_out_of() {
        assert_eq!(fenced("diff", "a\n"), "```diff\na\n```\n");
        assert_eq!(fenced("diff", "```\n"), "````diff\n```\n````\n");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`"), "`` ` ``");
        assert_eq!(escape_markdown("p/*_x.txt"), "p/\\*\\_x.txt");
        assert_eq!(html_escape("<b>&"), "&lt;b&gt;&amp;");
    }

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
