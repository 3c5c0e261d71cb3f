//! Top-level keys that change how the rest of the file is checked: `allow_unknown` (what the
//! pinned AWS tables may miss) and `[lints]` (the level of each lint).

use super::schema::Choice;
use super::{Validator, Value};
use crate::diagnostic::message::{Keys, Problem};
use crate::lint::catalogue::{self, Class, Level};

/// What `allow_unknown` lets through with a warning instead of an error.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct AllowUnknown {
    pub regions: bool,
    pub documents: bool,
}

/// One word of `allow_unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Unknown {
    Regions,
    Documents,
}

impl Choice for Unknown {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("regions", Unknown::Regions),
        ("documents", Unknown::Documents),
    ];
}

impl Choice for Level {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("allow", Level::Allow),
        ("warn", Level::Warn),
        ("deny", Level::Deny),
    ];
}

impl Validator<'_> {
    /// `allow_unknown = ["regions", "documents"]`.
    pub(super) fn allow_unknown_key(&mut self, value: &Value<'_>) {
        let example = "allow_unknown = [\"regions\", \"documents\"]";
        let Some(items) = self.string_list(value, "allow_unknown", example) else {
            return;
        };
        for (word, span) in items {
            // Re-wrapped so `choice` reports at the word, with its "did you mean".
            let item = toml::Spanned::new(span, toml::de::DeValue::String(word.into()));
            match self.choice::<Unknown>(&item, "allow_unknown") {
                Some(Unknown::Regions) => self.allow_unknown.regions = true,
                Some(Unknown::Documents) => self.allow_unknown.documents = true,
                None => {}
            }
        }
    }

    /// `[lints]`: lint name or code = "allow" | "warn" | "deny".
    pub(super) fn lints_key(&mut self, value: &Value<'_>) {
        let Some(table) = value.get_ref().as_table() else {
            let example = "[lints]\nremote-host-port-forwarding = \"deny\"";
            return self.type_error(value, "lints", "a table", example);
        };
        for (key, level) in table.iter() {
            let name = key.get_ref().as_ref();
            let lint = catalogue::find(name);
            match lint {
                Some(l) if l.class == Class::Lint => {
                    if let Some(level) = self.choice::<Level>(level, &format!("lints.{name}")) {
                        self.linter.levels.set(l.kind, level);
                    }
                }
                Some(l) => {
                    let found = Keys::LintIsError {
                        name,
                        code: l.code,
                        kind: l.kind,
                    };
                    self.push(found.at(key.span()));
                }
                None => {
                    let names: Vec<&str> = catalogue::all()
                        .iter()
                        .filter(|l| l.class == Class::Lint)
                        .map(|l| l.name)
                        .collect();
                    let found = Keys::UnknownLint {
                        name,
                        suggestion: catalogue::suggest_name(name),
                        lints: &names,
                    };
                    self.push(found.at(key.span()));
                }
            }
        }
    }
}
