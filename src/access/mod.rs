//! The access model (placeholder doc, written below).

mod decide;
mod dfa;
mod eval;
mod model;
mod pattern;
mod space;
mod witness;

pub use decide::{Comparison, Facts, Knowledge, compare, equivalent, new_access, new_access_with};
pub use eval::{Request, Witness, allowing_statements, allows};
pub use model::{Policy, Undecidable};
pub use pattern::Var;

#[cfg(test)]
mod tests;
