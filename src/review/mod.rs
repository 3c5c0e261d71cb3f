//! What a change does to access: the comparison of the policies on disk with the planned ones
//! (`permissions`) and the report `diff` and `check` print (`report`).

pub mod permissions;
pub mod report;
