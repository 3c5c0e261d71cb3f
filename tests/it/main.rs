//! The integration tests: one binary, one module per concern, one support module.
//!
//! Cases are discovered from their folders (`tests/cases`, `tests/errors`, `tests/golden`,
//! `tests/cmd`). One switch updates every expected file that may be updated:
//! `TRYCMD=overwrite cargo test --test it` (trycmd's own switch, shared by the transcripts of
//! `tests/cmd` and `support::bless`). The golden policies of `tests/golden` are never rewritten.

#![warn(clippy::too_many_lines)]

mod support;

mod bad_input;
mod cases;
mod cli;
mod completions;
mod concurrent;
mod crash;
mod defaults;
mod deploy;
mod determinism;
mod diff_check;
mod errors;
mod example;
mod expansion;
mod formats;
mod hostile;
mod hostile_reports;
mod lints;
mod outdir;
mod pack;
mod pack_proof;
mod properties;
mod queries;
mod read_back;
mod review;
mod review_templates;
mod schema;
mod watch;
mod watch_edge;
