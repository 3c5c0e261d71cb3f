//! Facts about AWS, in one place: partitions, what a name may be, ARNs (built and parsed), and
//! quotas. Nothing here knows `access.toml`; sources are in /work/shared/reference (see
//! docs/ARCHITECTURE.md).

pub(crate) mod arn;
pub(crate) mod limits;
pub(crate) mod names;
mod partition;

pub use partition::Partition;
