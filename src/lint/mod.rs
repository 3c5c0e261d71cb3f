//! Session Manager lints: the catalogue of codes, levels and explanations.

pub mod catalogue;
