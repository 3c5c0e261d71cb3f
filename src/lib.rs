//! ssm-compile: `access.toml` to AWS Session Manager IAM policies.
//!
//! The core is pure: [`compile`] turns the configuration's bytes into a [`Plan`] (file name to
//! bytes) or diagnostics. The command shells (`build`, `diff`, `check`, `--watch`) start from it.

// Diagnostics travel only on the error path, where their size costs nothing measurable.
#![allow(clippy::result_large_err)]

pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod expand;
pub mod outdir;
pub mod parse;
pub mod permissions;
pub mod plan;
pub mod policy;
pub mod validate;
pub mod watch;

pub use config::Config;
pub use diagnostic::{Diagnostic, Severity, Source};
pub use plan::Plan;

/// What a valid configuration compiles to.
#[derive(Debug)]
pub struct Compiled {
    pub config: Config,
    pub plan: Plan,
    /// Warnings only: a `Compiled` never carries an error.
    pub warnings: Vec<Diagnostic>,
}

/// Parses, validates and expands a configuration. On error, every diagnostic of the run
/// (warnings included) is returned, sorted by position.
pub fn compile(text: &str) -> Result<Compiled, Vec<Diagnostic>> {
    let tree = parse::parse(text)?;
    let (config, mut diagnostics) = validate::validate(&tree);
    let result = match config {
        Some(config) => match plan::plan(&config) {
            Ok(plan) => Ok(Compiled {
                config,
                plan,
                warnings: Vec::new(),
            }),
            Err(errors) => {
                diagnostics.extend(errors);
                Err(())
            }
        },
        None => Err(()),
    };
    diagnostic::sort(&mut diagnostics);
    match result {
        Ok(mut compiled) => {
            compiled.warnings = diagnostics;
            Ok(compiled)
        }
        Err(()) => Err(diagnostics),
    }
}
