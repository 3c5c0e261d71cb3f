//! The unified diffs of the changed files. A template embeds every grant's policy: where the
//! grants' `.json` files are diffed too, a template hunk whose changed lines all repeat lines
//! of those diffs is left out (and counted), so a reviewer reads each policy change once.

use std::collections::HashSet;

use similar::TextDiff;

use crate::deploy;
use crate::outdir::Change;

/// Each change's diff (`None`: a side is not UTF-8 text) and how many template hunks were left
/// out as repeats, in the order of `changes`.
pub(super) fn diffs(
    changes: &[Change],
    show: &dyn Fn(&str) -> String,
) -> Vec<(Option<String>, usize)> {
    let texts: Vec<Option<String>> = changes
        .iter()
        .map(|c| unified_diff(c, &show(&c.name)))
        .collect();
    // The changed lines of the policy files, as `+body` / `-body` with indentation and a
    // trailing comma removed (a template nests the same JSON deeper).
    let mut shown: HashSet<String> = HashSet::new();
    for (c, text) in changes.iter().zip(&texts) {
        if deploy::is_template(&c.name) {
            continue;
        }
        for line in text.iter().flat_map(|t| changed_lines(t)) {
            shown.insert(line);
        }
    }
    changes
        .iter()
        .zip(texts)
        .map(|(c, text)| match text {
            Some(t) if deploy::is_template(&c.name) && !shown.is_empty() => {
                let (kept, dropped) = drop_repeated_hunks(&t, &shown);
                (Some(kept), dropped)
            }
            other => (other, 0),
        })
        .collect()
}

fn normalize(line: &str) -> Option<String> {
    let sign = line.chars().next().filter(|c| *c == '+' || *c == '-')?;
    let body = line[1..].trim();
    let body = body.strip_suffix(',').unwrap_or(body);
    Some(format!("{sign}{body}"))
}

/// The changed lines of a unified diff (not its `---`/`+++` headers), normalized.
fn changed_lines(diff: &str) -> impl Iterator<Item = String> + '_ {
    diff.lines().skip(2).filter_map(normalize)
}

/// The diff without the hunks whose every changed line is in `shown`, and how many were left
/// out.
fn drop_repeated_hunks(diff: &str, shown: &HashSet<String>) -> (String, usize) {
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

/// A git-style unified diff of one change, or `None` when a side is not UTF-8 text.
fn unified_diff(change: &Change, path: &str) -> Option<String> {
    fn text(b: Option<&[u8]>) -> Option<&str> {
        match b {
            Some(bytes) => std::str::from_utf8(bytes).ok(),
            None => Some(""),
        }
    }
    let new_bytes = change.new_bytes();
    let (old, new) = (
        text(change.old.as_deref().map(Vec::as_slice))?,
        text(new_bytes.as_deref())?,
    );
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
            old: added.new_bytes().map(|b| b.into_owned().into()),
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
            old: Some(vec![0xff, 0xfe].into()),
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
            old: Some(old.into_bytes().into()),
            new: Some(content(new.as_bytes())),
        };
        let diff = unified_diff(&change, "x.json").unwrap();
        assert!(
            diff.contains("@@ -7,7 +7,7 @@\n 7\n 8\n 9\n-10\n+ten\n 11\n 12\n 13\n"),
            "{diff}"
        );
    }

    #[test]
    fn template_hunks_that_repeat_a_policy_diff_are_left_out() {
        let shown: HashSet<String> = ["-\"Team\": \"web*\"", "+\"Team\": \"web-prod\""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let diff = "--- a/t\n+++ b/t\n@@ -1,2 +1,2 @@\n-      \"Team\": \"web*\",\n+      \"Team\": \"web-prod\",\n@@ -9 +9 @@\n-x\n+y\n";
        let (kept, dropped) = drop_repeated_hunks(diff, &shown);
        assert_eq!(dropped, 1);
        assert_eq!(kept, "--- a/t\n+++ b/t\n@@ -9 +9 @@\n-x\n+y\n");
    }
}
