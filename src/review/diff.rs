//! The unified diffs of the changed files. A template embeds every grant's policy: where the
//! grants' `.json` files are diffed too, a template hunk whose changed lines all repeat lines
//! of those diffs is left out (and counted), so a reviewer reads each policy change once.

use std::collections::HashSet;
use std::io;

use sha2::{Digest, Sha256};
use similar::TextDiff;

use super::{stream, trim, unified};
use crate::deploy;
use crate::outdir::{Blob, Change};

/// The most a diff shows of one file: the changed lines of both sides, with their context.
/// More is not read whole (a rewritten template of 100,000 grants is 500 MB of diff); the
/// report says so and why, and the verdict still covers every grant.
pub(super) const MAX_SHOWN: u64 = 16 << 20;
/// The least: below [`MAX_SHOWN`] a diff shows as much as the configuration's size
/// ([`budget`]).
const MIN_SHOWN: u64 = 1 << 20;

/// What a diff of one file shows at most, for a configuration of `config_bytes`: its size,
/// from 1 to 16 MiB. A diff is held several times over while it is made (both sides' lines,
/// `similar`'s tables, the text): 16 MiB of it took a 20,000-grant review (3.5 MiB) to 25
/// times its configuration, past the bound of 20 (issue 16). A diff larger than the whole
/// configuration is not one anyone reads line by line; the verdict covers every grant.
pub(crate) fn budget(config_bytes: u64) -> u64 {
    config_bytes.clamp(MIN_SHOWN, MAX_SHOWN)
}

/// A budget as the report words it, rounded down (what passes it passes this): `16 MiB`,
/// `3.5 MiB`.
fn mib(bytes: u64) -> String {
    let tenths = bytes * 10 / (1 << 20);
    match tenths % 10 {
        0 => format!("{} MiB", tenths / 10),
        t => format!("{}.{t} MiB", tenths / 10),
    }
}

/// What one file's diff shows.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Shown {
    /// The unified diff; `None` when a side is not UTF-8 text or it is left out.
    pub diff: Option<String>,
    /// How many template hunks were left out as repeats of `.json` diffs.
    pub repeated: usize,
    /// Why the diff is left out, when it is.
    pub omitted: Option<String>,
}

/// Each change's diff, given to `each` with the change's index, one at a time and none kept:
/// the policies first, then the templates (whose repeated hunks need every policy's lines).
pub(super) fn diffs(
    changes: &[Change],
    show: &dyn Fn(&str) -> String,
    budget: u64,
    each: &mut dyn FnMut(usize, Shown),
) {
    let shown_of = |c: &Change| match unified_diff(c, &show(&c.name), budget) {
        Ok(diff) => (diff, None),
        Err(why) => (None, Some(why)),
    };
    // The changed lines of the policy files, hashed (100,000 changed policies' lines held as
    // text were 50 MB).
    let mut shown: HashSet<Line> = HashSet::new();
    for (i, c) in changes.iter().enumerate() {
        if deploy::is_template(&c.name) {
            continue;
        }
        let (diff, omitted) = shown_of(c);
        for line in diff.iter().flat_map(|t| changed_lines(t)) {
            shown.insert(line);
        }
        let repeated = 0;
        each(
            i,
            Shown {
                diff,
                repeated,
                omitted,
            },
        );
    }
    for (i, c) in changes.iter().enumerate() {
        if !deploy::is_template(&c.name) {
            continue;
        }
        let (diff, omitted) = shown_of(c);
        let (diff, repeated) = match diff {
            Some(t) if !shown.is_empty() => {
                let (kept, repeated) = drop_repeated_hunks(&t, &shown);
                (Some(kept), repeated)
            }
            diff => (diff, 0),
        };
        each(
            i,
            Shown {
                diff,
                repeated,
                omitted,
            },
        );
    }
}

/// A changed line as `+body` / `-body`, indentation and a trailing comma removed (a template
/// nests the same JSON deeper), kept as the first 16 bytes of its SHA-256: a template hunk is
/// left out only when every line of it is one of these.
type Line = [u8; 16];

fn normalize(line: &str) -> Option<Line> {
    let sign = line.chars().next().filter(|c| *c == '+' || *c == '-')?;
    let body = line[1..].trim();
    let body = body.strip_suffix(',').unwrap_or(body);
    let mut hash = Sha256::new();
    hash.update([sign as u8]);
    hash.update(body.as_bytes());
    let digest = hash.finalize();
    let mut out = [0; 16];
    out.copy_from_slice(&digest[..16]);
    Some(out)
}

/// The changed lines of a unified diff (not its `---`/`+++` headers), normalized.
fn changed_lines(diff: &str) -> impl Iterator<Item = Line> + '_ {
    diff.lines().skip(2).filter_map(normalize)
}

/// The diff without the hunks whose every changed line is in `shown`, and how many were left
/// out.
fn drop_repeated_hunks(diff: &str, shown: &HashSet<Line>) -> (String, usize) {
    let mut out = String::new();
    let mut hunk = String::new();
    let mut repeated = true;
    let mut dropped = 0;
    let mut flush = |hunk: &mut String, repeated: bool, out: &mut String| {
        if hunk.is_empty() {
            return;
        }
        if repeated {
            dropped += 1;
        } else {
            out.push_str(hunk);
        }
        hunk.clear();
    };
    for (i, line) in diff.split_inclusive('\n').enumerate() {
        if i < 2 {
            out.push_str(line);
            continue;
        }
        if line.starts_with("@@") {
            flush(&mut hunk, repeated, &mut out);
            repeated = true;
        }
        if let Some(n) = normalize(line.trim_end_matches('\n')) {
            repeated &= shown.contains(&n);
        }
        hunk.push_str(line);
    }
    flush(&mut hunk, repeated, &mut out);
    (out, dropped)
}

/// A git-style unified diff of one change, `None` when a side is not UTF-8 text; `Err` with
/// the reason when its changed lines pass `budget` bytes and it is left out.
fn unified_diff(change: &Change, path: &str, budget: u64) -> Result<Option<String>, String> {
    let empty = Blob::from(Vec::new());
    let old = change.old.as_ref().unwrap_or(&empty);
    let new_blob = change.new_blob();
    let new = new_blob.as_deref().unwrap_or(&empty);
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
    let unreadable = |e: io::Error| format!("it could not be read ({e})");
    // `similar` slides an edit along lines equal to it, which may reach past the context of
    // the middle: widen it until both edges hold the 3 lines of context or the file's end.
    let ends = trim::ends(old, new).map_err(unreadable)?;
    let mut margin = 3;
    loop {
        let m = ends.middle(old, margin).map_err(unreadable)?;
        let size = (m.old.end - m.old.start) + (m.new.end - m.new.start);
        // The lines outside the middle, the same in both files; a wider margin leaves fewer.
        if margin == 3
            && !(trim::is_utf8(old, 0..m.old.start).map_err(unreadable)?
                && trim::is_utf8(old, m.old.end..old.len()).map_err(unreadable)?)
        {
            return Ok(None);
        }
        if size > budget {
            // Changes far apart (a policy near the start, its attachment near the end).
            return match stream::diff(old, new, &m, budget).map_err(unreadable)? {
                stream::Outcome::Ops(ops) => Ok(Some(unified::unified(&ops, 3, (&a, &b)))),
                stream::Outcome::Binary => Ok(None),
                stream::Outcome::TooLarge => Err(format!(
                    "its changed lines are more than the {} a diff shows (the configuration's size, from 1 to 16 MiB); the grants it changes are listed above",
                    mib(budget)
                )),
            };
        }
        let read = |blob: &Blob, range: std::ops::Range<u64>| {
            blob.range(range.start, range.end).map_err(unreadable)
        };
        let (Ok(before), Ok(after)) = (
            String::from_utf8(read(old, m.old.clone())?),
            String::from_utf8(read(new, m.new.clone())?),
        ) else {
            return Ok(None);
        };
        let diff = TextDiff::from_lines(&before, &after);
        let equal = |op: Option<&similar::DiffOp>| match op {
            Some(similar::DiffOp::Equal { len, .. }) => *len,
            _ => 0,
        };
        let lead = m.old.start == 0 || equal(diff.ops().first()) >= 3;
        let trail = m.old.end == old.len() || equal(diff.ops().last()) >= 3;
        if lead && trail {
            let text = diff
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string();
            return Ok(Some(shift_hunks(&text, m.lines_before)));
        }
        margin *= 4;
    }
}

/// The diff with every hunk header moved down `lines` lines.
fn shift_hunks(diff: &str, lines: usize) -> String {
    if lines == 0 {
        return diff.to_owned();
    }
    let shift = |range: &str| -> String {
        let (start, len) = match range.split_once(',') {
            Some((s, l)) => (s, Some(l)),
            None => (range, None),
        };
        let start = start.parse::<usize>().map_or(0, |s| s + lines);
        match len {
            Some(l) => format!("{start},{l}"),
            None => start.to_string(),
        }
    };
    let mut out = String::with_capacity(diff.len() + 64);
    for line in diff.split_inclusive('\n') {
        let header = line
            .strip_prefix("@@ -")
            .and_then(|rest| rest.strip_suffix(" @@\n"))
            .and_then(|rest| rest.split_once(" +"));
        match header {
            Some((old, new)) => {
                out.push_str(&format!("@@ -{} +{} @@\n", shift(old), shift(new)));
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outdir::ChangeKind;

    /// Planned content for a `Change` that lives as long as the test.
    fn content(bytes: &[u8]) -> &'static crate::compile::plan::Content {
        Box::leak(Box::new(crate::compile::plan::Content::Bytes(
            bytes.to_vec(),
        )))
    }

    #[test]
    fn diff_headers_are_git_style_with_dev_null_for_missing_sides() {
        let added = Change::new(
            "x.json".into(),
            ChangeKind::Added,
            None,
            Some(content(b"{\n}\n")),
        );
        assert_eq!(
            unified_diff(&added, "policies/x.json", MAX_SHOWN)
                .unwrap()
                .unwrap(),
            "--- /dev/null\n+++ b/policies/x.json\n@@ -0,0 +1,2 @@\n+{\n+}\n"
        );
        let removed = Change::new(
            "x.json".into(),
            ChangeKind::Removed,
            added.new_blob().map(std::borrow::Cow::into_owned),
            None,
        );
        assert!(
            unified_diff(&removed, "p/x.json", MAX_SHOWN)
                .unwrap()
                .unwrap()
                .starts_with("--- a/p/x.json\n+++ /dev/null\n")
        );
        let binary = Change::new(
            "x.json".into(),
            ChangeKind::Changed,
            Some(vec![0xff, 0xfe].into()),
            added.new,
        );
        assert_eq!(unified_diff(&binary, "x.json", MAX_SHOWN), Ok(None));
    }

    #[test]
    fn diff_keeps_three_lines_of_context() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("10\n", "ten\n");
        let change = Change::new(
            "x.json".into(),
            ChangeKind::Changed,
            Some(old.into_bytes().into()),
            Some(content(new.as_bytes())),
        );
        let diff = unified_diff(&change, "x.json", MAX_SHOWN).unwrap().unwrap();
        assert!(
            diff.contains("@@ -7,7 +7,7 @@\n 7\n 8\n 9\n-10\n+ten\n 11\n 12\n 13\n"),
            "{diff}"
        );
    }

    #[test]
    fn the_budget_is_the_configuration_s_size_from_1_to_16_mib() {
        assert_eq!(budget(0), 1 << 20);
        assert_eq!(budget(3_000_000), 3_000_000);
        assert_eq!(budget(1 << 30), 16 << 20);
        assert_eq!(mib(16 << 20), "16 MiB");
        assert_eq!(mib(3_000_000), "2.8 MiB");
    }

    #[test]
    fn template_hunks_that_repeat_a_policy_diff_are_left_out() {
        let shown: HashSet<Line> = ["-\"Team\": \"web*\"", "+\"Team\": \"web-prod\""]
            .iter()
            .filter_map(|s| normalize(s))
            .collect();
        let diff = "--- a/t\n+++ b/t\n@@ -1,2 +1,2 @@\n-      \"Team\": \"web*\",\n+      \"Team\": \"web-prod\",\n@@ -9 +9 @@\n-x\n+y\n";
        let (kept, dropped) = drop_repeated_hunks(diff, &shown);
        assert_eq!(dropped, 1);
        assert_eq!(kept, "--- a/t\n+++ b/t\n@@ -9 +9 @@\n-x\n+y\n");
    }

    /// A file of `n` distinct lines of about 50 bytes.
    fn big(n: usize) -> String {
        (0..n)
            .map(|i| format!("{i:08} a line of a large template, to be diffed\n"))
            .collect()
    }

    #[test]
    fn changes_far_apart_in_a_large_file_are_diffed_as_a_whole_diff_would() {
        let old = big(400_000);
        let new =
            old.replacen("00000010 a", "00000010 b", 1)
                .replacen("00399990 a", "00399990 b", 1);
        assert!(
            old.len() as u64 > MAX_SHOWN,
            "the windowed path is the one tested"
        );
        let change = Change::new(
            "x".into(),
            ChangeKind::Changed,
            Some(old.clone().into_bytes().into()),
            Some(content(new.as_bytes())),
        );
        let diff = unified_diff(&change, "x", MAX_SHOWN).unwrap().unwrap();
        assert_eq!(diff.matches("\n@@ ").count(), 2, "{diff}");
        assert_eq!(diff, untrimmed(&old, &new));
    }

    #[test]
    fn a_diff_past_the_limit_is_left_out_with_the_reason() {
        let old = big(400_000);
        let new = old.replace(" a line", " the line");
        let change = Change::new(
            "x".into(),
            ChangeKind::Changed,
            Some(old.into_bytes().into()),
            Some(content(new.as_bytes())),
        );
        let why = unified_diff(&change, "x", MAX_SHOWN).unwrap_err();
        assert!(why.contains("more than the 16 MiB a diff shows"), "{why}");
        // A smaller configuration's budget is its size.
        let why = unified_diff(&change, "x", budget(3_670_016)).unwrap_err();
        assert!(why.contains("more than the 3.5 MiB a diff shows"), "{why}");
    }

    /// The full diff, as `similar` makes it from both whole texts.
    fn untrimmed(old: &str, new: &str) -> String {
        let diff = TextDiff::from_lines(old, new);
        diff.unified_diff()
            .context_radius(3)
            .header("a/x", "b/x")
            .to_string()
    }

    fn text_of(lines: &[u8], newline_at_end: bool) -> String {
        let words = ["{", "}", "a", "b", "\"x\": 1,", ""];
        let mut out: String = lines
            .iter()
            .map(|i| format!("{}\n", words[usize::from(*i) % words.len()]))
            .collect();
        if !newline_at_end {
            out.pop();
        }
        out
    }

    proptest::proptest! {
        /// Skipping the common lines at both ends gives the diff of the whole files, whatever
        /// the lines, the edits and a missing newline at the end.
        #[test]
        fn trimming_the_common_ends_changes_no_diff(
            old in proptest::collection::vec(0u8..6, 0..60),
            edits in proptest::collection::vec((0usize..60, 0u8..3, 0u8..6), 0..4),
            old_nl in proptest::bool::ANY,
            new_nl in proptest::bool::ANY,
        ) {
            let mut new = old.clone();
            for (at, kind, line) in edits {
                let at = at.min(new.len());
                match kind {
                    0 => new.insert(at, line),
                    1 if at < new.len() => { new.remove(at); }
                    _ if at < new.len() => new[at] = line,
                    _ => new.push(line),
                }
            }
            let (a, b) = (text_of(&old, old_nl), text_of(&new, new_nl));
            if a == b {
                return Ok(());
            }
            let change = Change::new(
                "x".into(),
                ChangeKind::Changed,
                Some(a.clone().into_bytes().into()),
                Some(content(b.as_bytes())),
            );
            let trimmed = unified_diff(&change, "x", MAX_SHOWN).unwrap().unwrap();
            proptest::prop_assert_eq!(trimmed, untrimmed(&a, &b));
        }
    }
}
