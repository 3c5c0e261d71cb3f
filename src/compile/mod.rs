//! The pipeline: the configuration's bytes to a [`Plan`] or diagnostics. Parse (`parse`), check
//! (`validate`), expand each grant to its policy (`expand`), and collect the files (`plan`). See
//! docs/ARCHITECTURE.md for the memory design (section-by-section validation).

pub mod config;
pub(crate) mod expand;
mod guard;
pub mod parse;
pub mod plan;
pub mod policy;
pub mod validate;

use crate::diagnostic::{self, Diagnostic};
use config::{Format, GrantSummary, Settings};
use plan::{Plan, Planner};

/// What a valid configuration compiles to.
#[derive(Debug)]
pub struct Compiled {
    pub settings: Settings,
    /// Every grant's name and principals, in name order.
    pub grants: Vec<GrantSummary>,
    pub plan: Plan,
    /// Warnings only: a `Compiled` never carries an error.
    pub warnings: Vec<Diagnostic>,
}

/// Parses, validates and expands a configuration. On error, every diagnostic of the run
/// (warnings included) is returned, sorted by position.
pub fn compile(text: &str) -> Result<Compiled, Vec<Diagnostic>> {
    compile_with(text, None)
}

/// [`compile`], with the file's `formats` replaced by `formats` when given (the command line's
/// `--emit`).
pub fn compile_with(text: &str, formats: Option<&[Format]>) -> Result<Compiled, Vec<Diagnostic>> {
    // Grants go into the plan as they are checked; see `plan::Planner` for why.
    let mut planner = Planner::default();
    let checked = validate::validate_sections(text, &mut |g| planner.add(g));
    let (settings, mut diagnostics) = match checked {
        Some(checked) => checked,
        None => {
            let (config, diagnostics) = validate::validate(&parse::parse(text)?);
            planner = Planner::default();
            let settings = config.map(|config| {
                for grant in config.grants {
                    planner.add(grant);
                }
                config.settings
            });
            (settings, diagnostics)
        }
    };
    let Some(mut settings) = settings else {
        diagnostic::sort(&mut diagnostics);
        return Err(diagnostics);
    };
    if let Some(formats) = formats {
        let mut formats = formats.to_vec();
        formats.sort();
        formats.dedup();
        settings.formats = formats;
    }
    // Guardrails read the policies before `finish` drops the ones no format writes.
    let guarded = guard::check(&settings.forbids, &planner);
    let (planned, more) = planner.finish(&settings.formats, settings.max_managed_policies);
    diagnostics.extend(more);
    diagnostics.extend(guarded);
    diagnostic::sort(&mut diagnostics);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    match planned {
        Some((plan, grants)) => Ok(Compiled {
            settings,
            grants,
            plan,
            warnings: diagnostics,
        }),
        None => Err(diagnostics),
    }
}
