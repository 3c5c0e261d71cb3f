//! Every code ssm-compile can print, diagnostic kinds and lints alike, with its texts: what
//! `ssm-compile explain CODE` prints and what SARIF's `tool.driver.rules` lists. Lints are
//! looked up through the lint catalogue's functions (`crate::lint::catalogue`), never by a
//! literal code, so a renumbered lint needs no change here.

use super::Kind;
use crate::lint::catalogue::{self, Class};

/// One code and its texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub name: String,
    /// One line.
    pub short: &'static str,
    /// The paragraph (or the line again, when there is none).
    pub full: String,
    /// What to do.
    pub help: String,
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn from_kind(kind: Kind) -> Rule {
    let full = kind
        .explanation()
        .map_or(kind.description().to_owned(), squeeze);
    let help = full.split_once("Fix: ").map_or_else(
        || format!("see `ssm-compile explain {}`", kind.code()),
        |(_, fix)| fix.to_owned(),
    );
    Rule {
        id: kind.code(),
        name: format!("{kind:?}"),
        short: kind.description(),
        full,
        help,
    }
}

fn from_lint(lint: &'static catalogue::Lint) -> Rule {
    Rule {
        id: lint.code,
        name: lint.name.to_owned(),
        short: lint.summary,
        full: squeeze(lint.explanation),
        help: lint.fix.to_owned(),
    }
}

/// Every diagnostic kind (with the lint catalogue's texts where it has the code), then every
/// catalogue entry whose code no kind has.
pub fn rules() -> Vec<Rule> {
    let mut rules: Vec<Rule> = Kind::ALL
        .iter()
        .map(|&k| catalogue::by_code(k.code()).map_or_else(|| from_kind(k), from_lint))
        .collect();
    for lint in catalogue::all() {
        if !rules.iter().any(|r| r.id.eq_ignore_ascii_case(lint.code)) {
            rules.push(from_lint(lint));
        }
    }
    rules
}

/// The kind with this code, in any letter case.
pub fn kind_by_code(code: &str) -> Option<Kind> {
    Kind::ALL
        .iter()
        .copied()
        .find(|k| k.code().eq_ignore_ascii_case(code))
}

/// The text of `ssm-compile explain CODE`; a lint also by its name.
pub fn explain(code: &str) -> Option<String> {
    // A lint's own entry says more (its level, its `[lints]` name) than a kind mirroring it.
    if let Some(text) = catalogue::explain(code) {
        return Some(text);
    }
    let kind = kind_by_code(code)?;
    let rule = from_kind(kind);
    let severity = match kind.severity() {
        super::Severity::Error => "always an error",
        super::Severity::Warning => "a warning (an error with --deny-warnings)",
    };
    Some(format!(
        "{} ({}): {}\n{severity}\n\n{}\n",
        rule.id, rule.name, rule.short, rule.full
    ))
}

/// The known code (or lint name) closest to `code`, for "did you mean".
pub fn suggest(code: &str) -> Option<&'static str> {
    let upper = code.to_ascii_uppercase();
    let codes = Kind::ALL.iter().map(|k| k.code());
    let lints = catalogue::all().iter().map(|l| l.code);
    let best = codes
        .chain(lints)
        .map(|c| (strsim::levenshtein(&upper, c), c))
        .min_by_key(|(d, _)| *d)
        .filter(|(d, _)| *d <= 2)
        .map(|(_, c)| c);
    let names = catalogue::all().iter().filter(|l| l.class == Class::Lint);
    best.or_else(|| catalogue::suggest_name(code)).or_else(|| {
        names
            .map(|l| l.name)
            .find(|n| n.contains(code) && code.len() > 3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_lint_is_a_rule_once() {
        let rules = rules();
        let mut ids: Vec<&str> = rules.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), rules.len());
        assert!(rules.len() >= Kind::ALL.len());
        for lint in catalogue::all() {
            assert!(explain(lint.code).is_some(), "{}", lint.code);
            let rule = rules.iter().find(|r| r.id == lint.code).unwrap();
            assert_eq!(rule.help, lint.fix, "{}: the catalogue's texts", lint.code);
        }
    }

    #[test]
    fn explain_kinds_and_suggest_codes() {
        let text = explain("e0302").unwrap();
        assert!(text.starts_with("E0302 (GrantArray): "), "{text}");
        assert!(text.contains("\nalways an error\n\n") && text.contains("Fix: write each grant"));
        assert!(
            explain("W0417")
                .unwrap()
                .contains("\na warning (an error with --deny-warnings)\n")
        );
        assert_eq!(explain("E9999"), None);
        assert_eq!(suggest("E03022"), Some("E0302"));
        assert_eq!(suggest("e302"), Some("E0302"));
        let lint = &catalogue::all()[0];
        assert_eq!(suggest(&lint.code.replace('-', "")), Some(lint.code));
        assert_eq!(suggest("zzzzzzzz"), None);
    }
}
