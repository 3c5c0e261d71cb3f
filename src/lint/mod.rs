//! Session Manager lints: what a valid policy does that its author may not see. The catalogue
//! (`catalogue.rs`) holds each lint's code, name, default level and explanation; `levels.rs`
//! the levels a file's `[lints]` table sets; `pass.rs` one small function per lint, run on every
//! validated grant, and the one lint across grants (user names that prefix each other).

pub(crate) mod catalogue;
mod levels;
mod pass;

pub(crate) use catalogue::Level;
pub(crate) use pass::Linter;
