//! The terminal report: the headline, the per-principal verdict, the grants, the diffs (in git's
//! colours), then notes. Styles are always written; the stream strips them when colour is off.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{
    PER_GRANT, SCOPE, grant_line, grants_moved, headline, notes, principal_word, witness_lines,
};
use crate::review::model::{GrantChange, PrincipalVerdict, Report};

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(report));
    let verdict = verdict(report);
    if !verdict.is_empty() {
        out.push('\n');
        out.push_str(&verdict);
    }
    if !report.files.is_empty() {
        out.push('\n');
    }
    for f in &report.files {
        match (&f.diff, &f.omitted) {
            (Some(diff), _) => out.push_str(&paint_diff(diff)),
            (None, Some(why)) => {
                let _ = writeln!(out, "Diff of {} not shown: {why}", f.path);
            }
            (None, None) => {
                let _ = writeln!(out, "Binary files {} differ", f.path);
            }
        }
    }
    let warnings = report.warnings();
    if !warnings.is_empty() {
        out.push('\n');
        let bold = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
        for w in warnings {
            let _ = writeln!(out, "{bold}warning:{bold:#} {w}");
        }
    }
    let notes = notes(report);
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            let _ = writeln!(out, "note: {note}");
        }
    }
    out
}

/// The per-principal verdict and the grants: what `diff` leads with and `--watch` prints after
/// each save. Empty when no grant changed.
pub fn verdict(report: &Report) -> String {
    let mut out = String::new();
    if !report.principals.is_empty() {
        let _ = writeln!(out, "Access per principal ({SCOPE}):");
        for p in &report.principals {
            principal(&mut out, p);
        }
    }
    if !report.grants.is_empty() {
        let _ = writeln!(out, "Per grant ({PER_GRANT}):");
        for g in &report.grants {
            let _ = writeln!(out, "  {}", grant_line(g));
            // What its own policy gains and loses; new and removed grants are the verdict's.
            if g.change == GrantChange::Changed {
                for line in witness_lines(&g.gained, &g.lost) {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
    }
    out
}

fn principal(out: &mut String, p: &PrincipalVerdict) {
    let (mark, style) = match (p.widens, p.lost.is_empty()) {
        (true, _) => (
            "WIDENS ",
            Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
        ),
        (false, false) => (
            "narrows",
            Style::new().fg_color(Some(AnsiColor::Green.into())),
        ),
        (false, true) => ("same   ", Style::new()),
    };
    let _ = write!(out, "  {style}{mark}{style:#} {}", p.principal);
    if let Some(word) = principal_word(p) {
        let _ = write!(out, ": {word}");
    }
    if let Some(moved) = grants_moved(p, "->", str::to_owned) {
        out.push_str(&moved);
    }
    out.push('\n');
    if let Some(reason) = &p.undecidable {
        let _ = writeln!(out, "            {reason}");
    }
    for line in witness_lines(&p.gained, &p.lost) {
        let _ = writeln!(out, "            {line}");
    }
}

/// Git's colours: bold headers, cyan hunk lines, red removals, green additions.
fn paint_diff(diff: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_marks_removed_and_added_lines() {
        let diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";
        let painted = paint_diff(diff);
        assert!(painted.contains("\u{1b}[31m-a\u{1b}[0m\n"), "{painted:?}");
        assert!(painted.contains("\u{1b}[32m+b\u{1b}[0m\n"), "{painted:?}");
    }

    /// A file whose diff is left out says why, in the terminal and in a pull request; one that
    /// is not text says that.
    #[test]
    fn a_left_out_diff_says_why() {
        use crate::review::model::{FileDiff, Manifest, ManifestStatus};
        let file = |path: &str, omitted: Option<&str>| FileDiff {
            path: path.to_owned(),
            grants: Vec::new(),
            change: GrantChange::Changed,
            blocked: false,
            diff: None,
            repeated_hunks: 0,
            omitted: omitted.map(str::to_owned),
        };
        let report = Report {
            schema_version: 2,
            config: "access.toml".to_owned(),
            output_dir: "out".to_owned(),
            up_to_date: false,
            widens: false,
            principals: Vec::new(),
            grants: Vec::new(),
            files: vec![
                file(
                    "out/big.tf.json",
                    Some("its changed lines are more than 16 MiB"),
                ),
                file("out/x.json", None),
            ],
            manifest: Manifest {
                path: "out/.ssm-compile-manifest".to_owned(),
                status: ManifestStatus::Current,
            },
            untouched: Vec::new(),
            leftovers: Vec::new(),
            terraform_loads: Vec::new(),
        };
        let text = render(&report);
        assert!(
            text.contains(
                "Diff of out/big.tf.json not shown: its changed lines are more than 16 MiB\n"
            ),
            "{text}"
        );
        assert!(text.contains("Binary files out/x.json differ\n"), "{text}");
        let md = super::super::markdown::render(&report, None);
        assert!(
            md.contains(
                "Diff of `out/big.tf.json` not shown: its changed lines are more than 16 MiB\n"
            ),
            "{md}"
        );
    }
}
