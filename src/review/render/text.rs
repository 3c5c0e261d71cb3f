//! The terminal report: the headline, the per-principal verdict, the grants, the diffs (in git's
//! colours), then notes. Styles are always written; the stream strips them when colour is off.

use std::fmt::Write as _;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{
    PER_GRANT, SCOPE, grant_line, grants_moved, headline, notes, principal_word, witness_lines,
};
use crate::review::model::{GrantChange, PrincipalVerdict, Report};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", headline(report)?)?;
    if !report.principals.is_empty() || !report.grants.is_empty() {
        writeln!(out)?;
        verdict(report, out)?;
    }
    if !report.files.is_empty() {
        writeln!(out)?;
    }
    for f in report.files.iter() {
        let f = f?;
        match (&f.diff, &f.omitted) {
            (Some(diff), _) => paint_diff(diff, out)?,
            (None, Some(why)) => writeln!(out, "Diff of {} not shown: {why}", f.path)?,
            (None, None) => writeln!(out, "Binary files {} differ", f.path)?,
        }
    }
    let warnings = report.warnings();
    if !warnings.is_empty() {
        writeln!(out)?;
        let bold = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
        for w in warnings {
            writeln!(out, "{bold}warning:{bold:#} {w}")?;
        }
    }
    let notes = notes(report)?;
    if !notes.is_empty() {
        writeln!(out)?;
        for note in notes {
            writeln!(out, "note: {note}")?;
        }
    }
    Ok(())
}

/// The per-principal verdict and the grants: what `diff` leads with and `--watch` prints after
/// each save. Nothing when no grant changed.
pub fn verdict(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !report.principals.is_empty() {
        writeln!(out, "Access per principal ({SCOPE}):")?;
        for p in report.principals.iter() {
            out.write_all(principal(&p?).as_bytes())?;
        }
    }
    if !report.grants.is_empty() {
        writeln!(out, "Per grant ({PER_GRANT}):")?;
        for g in report.grants.iter() {
            let g = g?;
            writeln!(out, "  {}", grant_line(&g))?;
            // What its own policy gains and loses; new and removed grants are the verdict's.
            if g.change == GrantChange::Changed {
                for line in witness_lines(&g.gained, &g.lost) {
                    writeln!(out, "      {line}")?;
                }
            }
        }
    }
    Ok(())
}

/// [`verdict`] as a string (`--watch` prints it between builds).
pub fn verdict_string(report: &Report) -> io::Result<String> {
    let mut out = Vec::new();
    verdict(report, &mut out)?;
    String::from_utf8(out).map_err(io::Error::other)
}

fn principal(p: &PrincipalVerdict) -> String {
    let mut out = String::new();
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
    out
}

/// Git's colours: bold headers, cyan hunk lines, red removals, green additions.
fn paint_diff(diff: &str, out: &mut dyn Write) -> io::Result<()> {
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
        write!(out, "{style}{body}{style:#}")?;
        if line.ends_with('\n') {
            writeln!(out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_marks_removed_and_added_lines() {
        let diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";
        let mut painted = Vec::new();
        paint_diff(diff, &mut painted).unwrap();
        let painted = String::from_utf8(painted).unwrap();
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
            principals: Vec::new().into(),
            grants: Vec::new().into(),
            files: vec![
                file(
                    "out/big.tf.json",
                    Some("its changed lines are more than 16 MiB"),
                ),
                file("out/x.json", None),
            ]
            .into(),
            manifest: Manifest {
                path: "out/.ssm-compile-manifest".to_owned(),
                status: ManifestStatus::Current,
            },
            untouched: Vec::new(),
            leftovers: Vec::new(),
            terraform_loads: Vec::new(),
        };
        let mut text = Vec::new();
        render(&report, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.contains(
                "Diff of out/big.tf.json not shown: its changed lines are more than 16 MiB\n"
            ),
            "{text}"
        );
        assert!(text.contains("Binary files out/x.json differ\n"), "{text}");
        let mut md = Vec::new();
        super::super::markdown::render(&report, None, &mut md).unwrap();
        let md = String::from_utf8(md).unwrap();
        assert!(
            md.contains(
                "Diff of `out/big.tf.json` not shown: its changed lines are more than 16 MiB\n"
            ),
            "{md}"
        );
    }
}
