//! Every problem of the catalogue has words: one instance of each variant renders a message
//! (and its label and help, where it has them) with no `{name}` placeholder left, and every
//! `Kind` is reported from the catalogue except retired ones.

mod deploy;
mod file;
mod world;

use super::{Diagnostic, Kind};

/// Kinds nothing reports any more; their codes stay reserved (kind.rs).
const RETIRED: &[Kind] = &[Kind::IdCollision];

fn every_example() -> Vec<Diagnostic> {
    [
        file::reading(),
        file::shape(),
        file::keys(),
        file::values(),
        world::rules(),
        world::outputs_lints_questions(),
        world::world(),
        deploy::deploy(),
    ]
    .concat()
}

/// A `{word}` left in the text: a `format!` argument written in a plain string.
fn placeholder(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        // A name starts with a letter: `\u{43e}` is an escape, not a placeholder.
        if let Some(end) = end
            && after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && after[end..].starts_with('}')
        {
            return Some(&rest[open..open + end + 2]);
        }
        rest = after;
    }
    None
}

#[test]
fn every_problem_has_words() {
    for d in every_example() {
        assert!(!d.message.trim().is_empty(), "{:?} has no message", d.kind);
        assert_eq!(d.severity, d.kind.severity());
        let texts = [Some(&*d.message), d.label.as_deref(), d.help.as_deref()];
        let related = d.related.iter().map(|(_, t)| Some(t.as_str()));
        for text in texts.into_iter().chain(related).flatten() {
            assert!(!text.trim().is_empty(), "{:?}: an empty text", d.kind);
            assert_eq!(placeholder(text), None, "{:?}: {text}", d.kind);
        }
    }
}

#[test]
fn every_kind_is_worded_in_the_catalogue() {
    let worded: Vec<Kind> = every_example().iter().map(|d| d.kind).collect();
    for kind in Kind::ALL {
        assert!(
            worded.contains(kind) != RETIRED.contains(kind),
            "{kind:?}: give it a catalogue entry (and an example here), or list it as RETIRED"
        );
    }
}

#[test]
fn placeholders_are_found() {
    assert_eq!(placeholder("`{key}` is empty"), Some("{key}"));
    assert_eq!(placeholder("tags = { Team = \"web\" }"), None);
    assert_eq!(placeholder("`${aws:username}`"), None);
    assert_eq!(placeholder("written `wh\\u{43e}`"), None);
}
