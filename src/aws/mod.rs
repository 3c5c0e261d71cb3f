//! Facts about AWS, in one place: partitions, what a name may be, ARNs (built and parsed), quotas,
//! regions per partition and AWS-owned Session Manager documents (each table with its source and
//! date). Nothing here knows `access.toml`; sources are in /work/shared/reference (see
//! docs/ARCHITECTURE.md).

pub(crate) mod arn;
// The region and document tables are wired into validation by the AWS-facts issue (13).
#[allow(dead_code, unreachable_pub)]
pub(crate) mod documents;
pub(crate) mod limits;
pub(crate) mod names;
mod partition;
#[allow(dead_code, unreachable_pub, unused_imports)]
pub(crate) mod regions;

pub use partition::Partition;
