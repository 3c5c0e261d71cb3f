//! The review: what a change does to who can do what. `verdict` decides it exactly with the
//! access model, per principal; `model` is the report (one entry per principal, grant and
//! file, matched by name); `diff` makes the files' unified diffs; `render` prints the report
//! as text, markdown and JSON.

mod diff;
mod model;
pub mod render;
mod sides;
pub mod spool;
mod stream;
mod trim;
mod unified;
mod verdict;

pub use model::{
    FileDiff, GrantChange, GrantEntry, Inputs, Manifest, ManifestStatus, PrincipalVerdict, Report,
    RequestView,
};
pub use verdict::Verdict;
