//! The level of each lint for one file: the catalogue's default unless `[lints]` sets it.

use super::catalogue::{self, Level};
use crate::diagnostic::{Diagnostic, Kind, Severity};

/// Levels set by `[lints]`; every other lint has its default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Levels {
    set: Vec<(Kind, Level)>,
}

impl Levels {
    /// Sets `kind`'s level (a later setting of the same lint wins; TOML forbids repeats anyway).
    pub(crate) fn set(&mut self, kind: Kind, level: Level) {
        self.set.retain(|(k, _)| *k != kind);
        self.set.push((kind, level));
    }

    /// The level of a lint kind, and whether `[lints]` set it.
    pub(crate) fn level(&self, kind: Kind) -> (Level, bool) {
        match self.set.iter().find(|(k, _)| *k == kind) {
            Some((_, level)) => (*level, true),
            None => (
                catalogue::of(kind).map_or(Level::Warn, |l| l.default_level),
                false,
            ),
        }
    }

    /// A lint's finding at its level: `None` when allowed, else the diagnostic as a warning or
    /// an error, its help saying what to do and how to change the level.
    pub(crate) fn apply(&self, mut d: Diagnostic) -> Option<Diagnostic> {
        let (level, configured) = self.level(d.kind);
        d.severity = match level {
            Level::Allow => return None,
            Level::Warn => Severity::Warning,
            Level::Deny => Severity::Error,
        };
        if let Some(lint) = catalogue::of(d.kind) {
            let why = if configured {
                format!("is set to `{}` in [lints]", level.as_str())
            } else {
                format!(
                    "is `{}` by default; set its level in [lints]",
                    level.as_str()
                )
            };
            let fix = d.help.take().unwrap_or_else(|| lint.fix.into());
            d.help = Some(
                format!(
                    "{fix}\nlint `{}` {why} (`ssm-compile explain {}`)",
                    lint.name, lint.code
                )
                .into(),
            );
        }
        Some(d)
    }
}
