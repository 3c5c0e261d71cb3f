//! ssm-compile: `access.toml` to AWS Session Manager IAM policies.
//!
//! The core is pure: [`compile`] turns the configuration's bytes into a [`Plan`] (file name to
//! bytes) or diagnostics. The command shells (`build`, `diff`, `check`, `--watch`) are in the
//! binary (`src/main.rs`), which alone prints.
//! docs/ARCHITECTURE.md maps the modules.

// Diagnostics travel only on the error path, where their size costs nothing measurable.
#![allow(clippy::result_large_err)]
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![warn(unreachable_pub)]
// No function over 80 lines (clippy.toml): a longer one is two concepts.
#![warn(clippy::too_many_lines)]

pub mod access;
mod aws;
pub mod compile;
pub mod deploy;
pub mod diagnostic;
mod lint;
pub mod outdir;
pub mod query;
pub mod review;
pub mod watch;

// The pipeline's stages, under the names the tests and the fuzz target use.
pub use compile::{config, parse, plan, policy, validate};

pub use compile::{Compiled, compile, compile_with};
pub use config::{Config, Format, GrantSummary, Settings};
pub use diagnostic::{Diagnostic, Severity, Source};
pub use plan::{Plan, Planner};
