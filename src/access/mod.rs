//! The access model (placeholder doc, written below).

mod decide;
mod dfa;
mod eval;
mod lang;
mod model;
mod partial;
mod pattern;
mod principal;
mod space;
mod witness;

pub use decide::{Comparison, Facts, Knowledge, compare, equivalent, new_access, new_access_with};
pub use eval::{Request, Witness, allowing_statements, allows};
pub use model::{Policy, Undecidable};
pub use partial::{Answer, Condition, Query, Test, Unknown, Verdict, evaluate_partial};
pub use pattern::Var;
pub use principal::{Grant, PrincipalDelta, compare_principals};

#[cfg(test)]
mod tests;
