//! The report rendered three ways: terminal text (`text`), markdown for a pull request
//! (`markdown`), JSON for machines (`json`). Text and markdown lead with the per-principal
//! verdict, then the grants, then the diffs. Each writes to an `io::Write` as it reads the
//! report's spooled entries: a report of 100,000 changed files is never one string.

pub mod json;
pub mod markdown;
pub mod text;

use std::fmt::Write as _;
use std::io;

use crate::review::model::{GrantEntry, PrincipalVerdict, Report, RequestView};

/// Witnesses shown per principal or grant in the human formats (JSON has them all).
const SHOWN: usize = 3;

/// What the verdict is about, said once above it: the answer is "at most".
const SCOPE: &str = "what these policies allow; other policies, SCPs and permission boundaries can still limit or add access";

/// What the grant lines are, said once above them.
const PER_GRANT: &str =
    "the verdict above is what counts: a principal's access is the union of its grants";

/// One request, as a person reads it: `ACTION on RESOURCE with KEY = VALUE, ...`.
fn request(r: &RequestView) -> String {
    let mut s = format!("{} on {}", r.action, r.resource);
    for (i, (k, v)) in r.context.iter().enumerate() {
        s.push_str(if i == 0 { " with " } else { ", " });
        let _ = write!(s, "{k} = {v}");
    }
    s
}

/// How a principal's access changes, in a few words, where the mark (widens, narrows) does not
/// say it all.
fn principal_word(p: &PrincipalVerdict) -> Option<&'static str> {
    match (&p.undecidable, p.gained.is_empty(), p.lost.is_empty()) {
        (Some(_), _, _) => Some("cannot decide, counted as widening"),
        (None, false, false) => Some("also narrows"),
        (None, true, true) => Some("no change in access"),
        _ => None,
    }
}

/// The witnesses of a principal, each with its direction (`+` gains, `-` loses), at most
/// [`SHOWN`] of each, and a line counting the rest.
fn witness_lines(gained: &[RequestView], lost: &[RequestView]) -> Vec<String> {
    let mut out = Vec::new();
    for (sign, list, verb) in [("+", gained, "can now"), ("-", lost, "can no longer")] {
        for r in list.iter().take(SHOWN) {
            out.push(format!("{sign} {verb} {}", request(r)));
        }
        if list.len() > SHOWN {
            out.push(format!("{sign} ... and {} more", list.len() - SHOWN));
        }
    }
    out
}

/// A grant's change in one line: what happened to it, its `who`, and its policy.
fn grant_line(g: &GrantEntry) -> String {
    use crate::review::model::GrantChange;
    let list = |v: &[String]| {
        if v.is_empty() {
            "nobody".to_owned()
        } else {
            v.join(", ")
        }
    };
    let mut s = format!("{}: {}", g.grant, g.change.as_str());
    match (g.change, &g.who_before) {
        (GrantChange::Added, _) => {
            let _ = write!(s, " for {}", list(&g.who_after));
        }
        (GrantChange::Removed, Some(before)) => {
            let _ = write!(s, " (was for {})", list(before));
        }
        (_, None) => s.push_str("; who before: unknown (not recorded in the manifest)"),
        (GrantChange::Changed, Some(_)) => {
            let who: Vec<String> = g
                .who_added
                .iter()
                .map(|p| format!("+{p}"))
                .chain(g.who_removed.iter().map(|p| format!("-{p}")))
                .collect();
            if !who.is_empty() {
                let _ = write!(s, "; who {}", who.join(" "));
            }
        }
    }
    let policy = match (&g.undecidable, g.gained.is_empty(), g.lost.is_empty()) {
        (Some(reason), _, _) => format!("cannot decide ({reason})"),
        _ if g.change != GrantChange::Changed => return s,
        (None, false, false) => "allows more and less".to_owned(),
        (None, false, true) => "allows more".to_owned(),
        (None, true, false) => "allows less".to_owned(),
        (None, true, true) => "same access".to_owned(),
    };
    let _ = write!(s, "; policy: {policy}");
    s
}

/// The report's first line.
fn headline(r: &Report) -> io::Result<String> {
    if r.files.is_empty() && r.principals.is_empty() && !r.terraform_loads.is_empty() {
        return Ok(format!(
            "No policy changes, but Terraform would also deploy {} not written by ssm-compile in {}.",
            match r.terraform_loads.len() {
                1 => "1 file".to_owned(),
                n => format!("{n} files"),
            },
            r.output_dir
        ));
    }
    if r.files.is_empty() && r.principals.is_empty() {
        return Ok(format!(
            "No policy changes: {} matches {}.",
            r.output_dir, r.config
        ));
    }
    let (mut widening, mut changed) = (0, 0);
    for p in r.principals.iter() {
        let p = p?;
        widening += usize::from(p.widens);
        changed += usize::from(p.widens || !p.lost.is_empty());
    }
    let files = r.files.len();
    let mut s = if files == 0 {
        format!("No file in {} changes", r.output_dir)
    } else {
        format!(
            "{files} {} in {} would change",
            if files == 1 { "file" } else { "files" },
            r.output_dir
        )
    };
    match (widening, changed) {
        (0, 0) => s.push_str("; no change in access."),
        (0, n) => {
            let _ = write!(s, "; access narrows for {n} {}.", principals(n));
        }
        (n, _) => {
            let _ = write!(s, "; access WIDENS for {n} {}.", principals(n));
        }
    }
    Ok(s)
}

fn principals(n: usize) -> &'static str {
    if n == 1 { "principal" } else { "principals" }
}

/// Lines that explain what the report does not count as a change.
fn notes(r: &Report) -> io::Result<Vec<String>> {
    use crate::review::model::ManifestStatus;
    let mut notes = Vec::new();
    let mut repeated = Vec::new();
    for f in r.files.iter() {
        let f = f?;
        if f.blocked {
            notes.push(format!(
                "{} exists but was not written by ssm-compile: build refuses to overwrite it; move it away first",
                f.path
            ));
        }
        if f.repeated_hunks > 0 {
            repeated.push(format!(
                "{}: {} {} of embedded policy text left out; the .json diffs show {}",
                f.path,
                f.repeated_hunks,
                if f.repeated_hunks == 1 {
                    "hunk"
                } else {
                    "hunks"
                },
                if f.repeated_hunks == 1 { "it" } else { "them" },
            ));
        }
    }
    notes.append(&mut repeated);
    // With files changing the manifest always changes too; alone it is news.
    match r.manifest.status {
        _ if !r.files.is_empty() => {}
        ManifestStatus::Current => {}
        ManifestStatus::Stale => notes.push(format!(
            "{} (the files ssm-compile wrote and each grant's principals) is out of date; build rewrites it",
            r.manifest.path
        )),
        ManifestStatus::Missing => notes.push(format!(
            "{} (the files ssm-compile wrote and each grant's principals) is missing; build writes it",
            r.manifest.path
        )),
    }
    for path in &r.untouched {
        notes.push(format!(
            "{path} was not written by ssm-compile: not compared, and never touched"
        ));
    }
    for path in &r.leftovers {
        notes.push(format!(
            "{path} is left over from an interrupted build; the next build removes it"
        ));
    }
    Ok(notes)
}

/// ` (grants A, B -> C)` when the principal's grants changed, each name shown by `name`; the
/// text and markdown reports differ only in the arrow and how a name is written.
fn grants_moved(p: &PrincipalVerdict, arrow: &str, name: fn(&str) -> String) -> Option<String> {
    if p.grants_before == p.grants_after {
        return None;
    }
    let list = |g: &[String]| {
        if g.is_empty() {
            "none".to_owned()
        } else {
            g.iter().map(|n| name(n)).collect::<Vec<_>>().join(", ")
        }
    };
    Some(format!(
        " (grants {} {arrow} {})",
        list(&p.grants_before),
        list(&p.grants_after)
    ))
}
