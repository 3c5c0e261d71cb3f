//! AWS facts as data: regions per partition and AWS-owned Session Manager documents, each with
//! its source and date.

pub mod documents;
pub mod regions;
