//! The markdown report for a pull-request comment or `$GITHUB_STEP_SUMMARY`: the headline, the
//! per-principal verdict with its witnesses, a table of the grants, then each file's diff
//! folded. Within a byte budget (`--max-bytes`; GitHub takes 65,536 characters in a comment,
//! 1 MiB in a step summary) diffs are left out first, last file first; the verdict never is.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{PER_GRANT, SCOPE, grant_line, grants_moved, headline, notes, principal_word, request};
use crate::review::model::{FileDiff, GrantChange, PrincipalVerdict, Report, RequestView};

/// Witnesses listed per principal.
const SHOWN: usize = 3;

pub fn render(report: &Report, max_bytes: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let mut tail = String::new();
    for w in report.warnings() {
        let _ = writeln!(tail, "- ⚠️ **{}**", escape_markdown(&w));
    }
    for note in notes(report)? {
        // Paths lead each note; they are the only part that comes from outside.
        let _ = writeln!(tail, "- {}", escape_markdown(&note));
    }
    let budget = max_bytes.unwrap_or(usize::MAX);
    // The head is written as it is read; within a budget it is measured first.
    let head_len = match max_bytes {
        Some(_) => {
            let mut counted = Counted(0);
            head(report, &mut counted)?;
            counted.0
        }
        None => 0,
    };
    // One trailing newline, however the sections ended.
    let mut out = TrimEnd::new(out);
    head(report, &mut out)?;
    let access = file_access(report)?;
    let mut body = 0;
    let mut left_out = 0;
    for (i, f) in report.files.iter().enumerate() {
        let f = f?;
        let block = file_block(&f, &access);
        // Room is kept for the line that says how many diffs were left out.
        let reserve = if i + 1 < report.files.len() { 120 } else { 0 };
        if left_out == 0 && head_len + body + block.len() + tail.len() + reserve <= budget {
            body += block.len();
            out.write_all(block.as_bytes())?;
        } else {
            left_out += 1;
        }
    }
    if left_out > 0 {
        writeln!(
            out,
            "_({left_out} {} left out to stay within {budget} bytes; `ssm-compile diff` shows {})_\n",
            if left_out == 1 { "diff" } else { "diffs" },
            if left_out == 1 { "it" } else { "them" },
        )?;
    }
    out.write_all(tail.as_bytes())?;
    out.finish()
}

/// The headline, the per-principal verdict and the grants: never left out.
fn head(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"### ssm-compile diff\n\n")?;
    writeln!(out, "{}\n", escape_markdown(&headline(report)?))?;
    if !report.principals.is_empty() {
        writeln!(out, "**Access per principal** ({SCOPE}):\n")?;
        for p in report.principals.iter() {
            let mut line = String::new();
            principal(&mut line, &p?);
            out.write_all(line.as_bytes())?;
        }
        writeln!(out)?;
    }
    if !report.grants.is_empty() {
        writeln!(out, "**Per grant** ({PER_GRANT}):\n")?;
        out.write_all(b"| Grant | Change | Access through it |\n| --- | --- | --- |\n")?;
        for g in report.grants.iter() {
            let g = g?;
            writeln!(
                out,
                "| {} | {} | {} |",
                code(&g.grant),
                g.change.as_str(),
                access(g.widens(), g.narrows())
            )?;
        }
        writeln!(out)?;
        for g in report.grants.iter() {
            let g = g?;
            let mut lines = format!("- {}\n", escape_markdown(&grant_line(&g)));
            if g.change == GrantChange::Changed {
                witnesses(&mut lines, &g.gained, &g.lost);
            }
            out.write_all(lines.as_bytes())?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Whether each changed grant widens and narrows access, for the files that hold it (looked
/// up by name: 100,000 files scanning 100,000 grants each took minutes).
fn file_access(report: &Report) -> io::Result<HashMap<String, (bool, bool)>> {
    let mut access = HashMap::new();
    if report.files.is_empty() {
        return Ok(access);
    }
    for g in report.grants.iter() {
        let g = g?;
        let (widens, narrows) = (g.widens(), g.narrows());
        access.insert(g.grant, (widens, narrows));
    }
    Ok(access)
}

/// Counts what is written, for the budget.
struct Counted(usize);

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes through, holding back trailing ASCII whitespace until more text follows; `finish`
/// ends the output with one newline.
struct TrimEnd<'w> {
    out: &'w mut dyn Write,
    held: Vec<u8>,
}

impl<'w> TrimEnd<'w> {
    fn new(out: &'w mut dyn Write) -> Self {
        TrimEnd {
            out,
            held: Vec::new(),
        }
    }

    fn finish(self) -> io::Result<()> {
        self.out.write_all(b"\n")
    }
}

impl Write for TrimEnd<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = buf.len()
            - buf
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        if text > 0 {
            self.out.write_all(&self.held)?;
            self.held.clear();
            self.out.write_all(&buf[..text])?;
        }
        self.held.extend_from_slice(&buf[text..]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn principal(out: &mut String, p: &PrincipalVerdict) {
    let mark = match (p.widens, p.lost.is_empty()) {
        (true, _) => "⚠️ **widens**",
        (false, false) => "narrows",
        (false, true) => "",
    };
    let _ = write!(
        out,
        "- {mark}{}{}",
        if mark.is_empty() { "" } else { " " },
        code(&p.principal)
    );
    if let Some(word) = principal_word(p) {
        let _ = write!(out, ": {word}");
    }
    if let Some(moved) = grants_moved(p, "→", code) {
        out.push_str(&moved);
    }
    out.push('\n');
    if let Some(reason) = &p.undecidable {
        let _ = writeln!(out, "  - {}", escape_markdown(reason));
    }
    witnesses(out, &p.gained, &p.lost);
}

/// The witnesses, a few of each direction, as a nested list.
fn witnesses(out: &mut String, gained: &[RequestView], lost: &[RequestView]) {
    for (list, verb) in [(gained, "can now"), (lost, "can no longer")] {
        for r in list.iter().take(SHOWN) {
            let _ = writeln!(out, "  - {verb} {}", code(&request(r)));
        }
        if list.len() > SHOWN {
            let _ = writeln!(out, "  - {verb} ... and {} more", list.len() - SHOWN);
        }
    }
}

/// The access column: the table's and each file's.
fn access(widens: bool, narrows: bool) -> &'static str {
    match (widens, narrows) {
        (true, _) => "⚠️ **widens**",
        (false, true) => "narrows",
        (false, false) => "unchanged",
    }
}

fn file_block(f: &FileDiff, access: &HashMap<String, (bool, bool)>) -> String {
    let mut out = String::new();
    let (widens, narrows) = (f.grants.iter())
        .filter_map(|g| access.get(g))
        .fold((false, false), |(w, n), (gw, gn)| (w || *gw, n || *gn));
    let verdict = match (widens, narrows) {
        (true, _) => "widens access",
        (false, true) => "narrows access",
        (false, false) => "no change in access",
    };
    let names = if f.grants.len() > 1 {
        format!(" (grants {})", html_escape(&f.grants.join(", ")))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "<details>\n<summary><code>{}</code>: {}, {verdict}{names}</summary>\n",
        html_escape(&f.path),
        f.change.as_str()
    );
    match (&f.diff, &f.omitted) {
        (Some(diff), _) => out.push_str(&fenced("diff", diff)),
        (None, Some(why)) => {
            let _ = writeln!(
                out,
                "Diff of {} not shown: {}",
                code(&f.path),
                escape_markdown(why)
            );
        }
        (None, None) => {
            let _ = writeln!(out, "Binary files {} differ", code(&f.path));
        }
    }
    out.push_str("\n</details>\n\n");
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

    #[test]
    fn markdown_cannot_be_broken_out_of() {
        assert_eq!(fenced("diff", "a\n"), "```diff\na\n```\n");
        assert_eq!(fenced("diff", "```\n"), "````diff\n```\n````\n");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`"), "`` ` ``");
        assert_eq!(escape_markdown("p/*_x.txt"), "p/\\*\\_x.txt");
        assert_eq!(html_escape("<b>&"), "&lt;b&gt;&amp;");
    }
}
