//! Facts about AWS, in one place: partitions, what a name may be, ARNs (built and parsed), quotas,
//! regions per partition and AWS-owned Session Manager documents (each table with its source and
//! date). Nothing here knows `access.toml`; sources are in /work/shared/reference (see
//! docs/ARCHITECTURE.md). The region and document tables are public, for tools that show them.

pub(crate) mod arn;
pub(crate) mod documents;
pub(crate) mod limits;
pub(crate) mod names;
mod partition;
pub(crate) mod regions;

pub use partition::Partition;
