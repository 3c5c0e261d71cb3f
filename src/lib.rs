//! ssm-compile: `access.toml` to AWS Session Manager IAM policies.
//!
//! The core is pure: [`compile`] turns the configuration's bytes into a [`Plan`] (file name to
//! bytes) or diagnostics. The command shells (`build`, `diff`, `check`, `--watch`) start from it.

// Diagnostics travel only on the error path, where their size costs nothing measurable.
#![allow(clippy::result_large_err)]

pub mod access;
pub mod commands;
pub mod config;
pub mod deploy;
pub mod diagnostic;
pub mod expand;
pub mod outdir;
pub mod parse;
pub mod permissions;
pub mod plan;
pub mod policy;
pub mod review;
pub mod validate;
pub mod watch;

pub use config::{Config, Format, GrantSummary, Settings};
pub use diagnostic::{Diagnostic, Severity, Source};
pub use plan::{Plan, Planner};

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
    let (planned, more) = planner.finish(&settings.formats);
    diagnostics.extend(more);
    diagnostic::sort(&mut diagnostics);
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
