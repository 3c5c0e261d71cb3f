//! The spanned TOML tree to a `Config`, checking every rule of the schema and collecting every
//! problem of the file, so a user sees them all in one run.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

mod defaults;
mod facts;
mod forbid;
mod grant;
mod json_schema;
mod schema;
mod settings;
mod shape;
mod tags;
mod top;
mod values;

pub use json_schema::json_schema;
pub use schema::{DEFAULTABLE, KEYS, KeySpec, Scope, forbid_keys, grant_keys, top_keys};

use crate::aws::Partition;
use crate::compile::config::{Config, Forbid, Format, Grant, Settings};
use crate::compile::parse;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::{Keys, Problem, Rules};
use crate::lint::Linter;

type Value<'i> = Spanned<DeValue<'i>>;
type Span = Range<usize>;

/// Checks the tree and builds the configuration. The configuration is returned only when there
/// is no error; warnings are returned either way.
pub fn validate(root: &Spanned<DeTable<'_>>) -> (Option<Config>, Vec<Diagnostic>) {
    let mut grants = Vec::new();
    let mut collect = |g: Grant| grants.push(g);
    let mut v = Validator {
        sink: Some(&mut collect),
        ..Validator::default()
    };
    if let Some(table) = v.top_level(root.get_ref()) {
        v.grant_tables(table);
    }
    let (settings, diagnostics) = v.finish();
    grants.sort_by(|a, b| a.name.cmp(&b.name));
    (
        settings.map(|settings| Config { settings, grants }),
        diagnostics,
    )
}

/// Validates a file grant by grant: each `[grant.NAME]` section is parsed, checked and dropped
/// before the next, so memory holds one section's tree instead of the whole file's (a 100,000-
/// grant file has a tree of hundreds of MB). Returns `None` when the file does not split cleanly
/// (a syntax error, a section that defines keys of another, a repeated table): the caller then
/// parses the whole file, which gives the same result, or the parser's own errors.
///
/// Each valid grant is handed to `sink` as soon as it is checked, in file order; the settings
/// are returned when the whole file has no error. After `None`, discard what `sink` received.
pub fn validate_sections(
    text: &str,
    sink: &mut dyn FnMut(Grant),
) -> Option<(Option<Settings>, Vec<Diagnostic>)> {
    let mut sections = parse::sections(text).into_iter();
    let head = sections.next()?.text;
    let root = DeTable::parse(head).ok()?;
    let mut v = Validator {
        sink: Some(sink),
        ..Validator::default()
    };
    let mut names: HashSet<String> = HashSet::new();
    let mut add_names = |table: &DeTable<'_>| {
        table
            .keys()
            .all(|k| names.insert(k.get_ref().as_ref().to_owned()))
    };
    match v.top_level(root.get_ref()) {
        Some(grants) => {
            if let Some(table) = grants.get_ref().as_table()
                && !add_names(table)
            {
                return None;
            }
            v.grant_tables(grants);
        }
        None if root.get_ref().contains_key("grant") => return None,
        None => {}
    }
    // The `[grant]` line a continuation of that table's body is parsed after.
    const GRANT_TABLE: &str = "[grant]\n";
    let mut joined = String::new();
    for section in sections {
        let (tree, base) = if section.in_grant_table {
            joined.clear();
            joined.push_str(GRANT_TABLE);
            joined.push_str(section.text);
            (
                DeTable::parse(&joined).ok()?,
                section.offset - GRANT_TABLE.len(),
            )
        } else if names_the_grant_table(section.text) {
            // `[grant]` here may repeat one in another part, which no part's parse sees.
            return None;
        } else {
            (DeTable::parse(section.text).ok()?, section.offset)
        };
        let table = tree.get_ref();
        // A later section holds only grants, none seen before.
        let grants = table.get("grant").filter(|_| table.len() == 1)?;
        if !add_names(grants.get_ref().as_table()?) {
            return None;
        }
        v.base = base;
        v.has_grant_key = true;
        v.grant_tables(grants);
    }
    v.base = 0;
    Some(v.finish())
}

/// Whether a part has a header of the `grant` table itself (`[grant]`, `[ "grant" ]`): the
/// whole file then judges, since a second one is an error (found by the differential fuzz
/// target: `[grant]`, `[grant.u]`, `[grant]`). A `[grant.NAME]` header, the usual line, is not
/// parsed.
fn names_the_grant_table(text: &str) -> bool {
    text.lines().map(str::trim_start).any(|line| {
        line.starts_with('[')
            && !line.starts_with("[grant.")
            && DeTable::parse(line).is_ok_and(|t| {
                let t = t.get_ref();
                t.len() == 1 && t.get("grant").is_some()
            })
    })
}

#[derive(Default)]
struct Validator<'s> {
    /// Where valid grants go (always set; `Option` only for `Default`).
    sink: Option<&'s mut dyn FnMut(Grant)>,
    diagnostics: Vec<Diagnostic>,
    /// The errors among `diagnostics`, counted as they are pushed: a grant compares the count
    /// before and after its checks, and counting each time would make many errors quadratic.
    /// (An error of a default merged into an earlier one stays counted: see `check_default`.)
    errors: usize,
    /// Byte offset of the section being checked within the file; added to every span.
    base: usize,
    defaults: Defaults,
    /// Whether the top level has a `grant` key at all.
    has_grant_key: bool,
    /// Whether that key's value is of the wrong shape (already reported).
    bad_grant_key: bool,
    output: Option<String>,
    formats: Option<Vec<Format>>,
    max_managed: Option<usize>,
    /// Grants seen, valid or not.
    grant_count: usize,
    /// Lower-cased grant name to where it is written and, if it differs, the name as written:
    /// for names that differ only in case. Kept small: it has an entry per grant.
    seen: HashMap<Box<str>, (Option<Box<str>>, Span)>,
    /// Grants that set neither their own nor inherit a top-level account / region.
    missing: [Vec<(String, Span)>; 2],
    /// The valid `[forbid.NAME]` guardrails.
    forbids: Vec<Forbid>,
    /// What `allow_unknown` lets through.
    allow_unknown: settings::AllowUnknown,
    /// The lint pass, with the levels of `[lints]`.
    linter: Linter,
}

/// Top-level values that grants inherit.
#[derive(Default)]
struct Defaults {
    account: Option<String>,
    region: Option<(String, Span)>,
    partition: Option<(Partition, Span)>,
    /// Whether the keys are written at the top at all (even with a bad value).
    has_account: bool,
    has_region: bool,
    /// `[defaults]`: the grant keys' defaults.
    grant: defaults::GrantDefaults,
}

impl Validator<'_> {
    fn push(&mut self, mut d: Diagnostic) {
        if self.base > 0 {
            let base = self.base;
            d.span = d.span.map(|s| s.start + base..s.end + base);
            for (span, _) in &mut d.related {
                *span = span.start + base..span.end + base;
            }
        }
        self.push_absolute(d);
    }

    /// Pushes a diagnostic whose spans are already absolute (not shifted by `base`).
    fn push_absolute(&mut self, d: Diagnostic) {
        self.errors += usize::from(d.is_error());
        self.diagnostics.push(d);
    }

    fn shift(&self, span: Span) -> Span {
        span.start + self.base..span.end + self.base
    }

    /// Checks every grant of one `grant` table (the whole file's, or one section's).
    fn grant_tables(&mut self, grants_value: &Value<'_>) {
        let Some(grant_tables) = grants_value.get_ref().as_table() else {
            return;
        };
        for (name, value) in grant_tables.iter() {
            self.grant_count += 1;
            let name_span = name.span();
            let name = name.get_ref().as_ref();
            self.grant_name(name, name_span.clone());
            let lower = name.to_lowercase();
            if let Some((first, first_span)) = self.seen.get(lower.as_str()) {
                let first = first.as_deref().unwrap_or(&lower);
                // Both spans are absolute here: push without shifting.
                let found = Rules::CaseCollision {
                    grant: name,
                    first,
                    first_span: first_span.clone(),
                };
                self.push_absolute(found.at(self.shift(name_span.clone())));
            } else {
                let absolute = self.shift(name_span.clone());
                let written = (lower != name).then(|| name.into());
                self.seen.insert(lower.into(), (written, absolute));
            }
            let Some(grant_table) = value.get_ref().as_table() else {
                let found = value.get_ref().type_str();
                self.push(Keys::GrantNotTable { name, found }.at(value.span()));
                continue;
            };
            let missing = self.missing[0].len() + self.missing[1].len();
            match self.grant(name, name_span.clone(), grant_table) {
                Some(grant) => {
                    // Lint spans are absolute already.
                    for d in self.linter.grant(&grant) {
                        self.push_absolute(d);
                    }
                    if let Some(sink) = self.sink.as_mut() {
                        sink(grant);
                    }
                }
                // A grant is dropped only with an error that says why; this guards the rule.
                None if self.error_count() == 0
                    && missing == self.missing[0].len() + self.missing[1].len() =>
                {
                    self.push(Rules::Internal { grant: name }.at(name_span));
                }
                None => {}
            }
        }
    }

    fn error_count(&self) -> usize {
        self.errors
    }
}

#[cfg(test)]
mod tests;
