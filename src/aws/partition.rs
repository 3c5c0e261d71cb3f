//! AWS partitions: the first field of every ARN, which follows from the region.

use std::fmt;

/// The one partition type: ARNs, the region table (`regions.rs`) and `partition = ...` use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Partition {
    Aws,
    AwsCn,
    AwsUsGov,
}

impl Partition {
    pub const ALL: [Partition; 3] = [Partition::Aws, Partition::AwsCn, Partition::AwsUsGov];

    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    /// botocore's `partitionName`.
    pub fn name(self) -> &'static str {
        match self {
            Partition::Aws => "AWS Standard",
            Partition::AwsCn => "AWS China",
            Partition::AwsUsGov => "AWS GovCloud (US)",
        }
    }

    /// The partition named `id` as in ARNs (`aws-cn`).
    pub fn from_id(id: &str) -> Option<Partition> {
        Partition::ALL.into_iter().find(|p| p.as_str() == id)
    }

    /// The partition's regions in the pinned table, by name.
    pub fn regions(self) -> impl Iterator<Item = &'static super::regions::Region> {
        super::regions::REGIONS
            .iter()
            .filter(move |r| r.partition == self)
    }

    /// The partition a region's name places it in (`cn-` and `us-gov-` prefixes); it agrees
    /// with the region table for every region in it (a test in `regions.rs` checks).
    pub fn of_region(region: &str) -> Partition {
        if region.starts_with("cn-") {
            Partition::AwsCn
        } else if region.starts_with("us-gov-") {
            Partition::AwsUsGov
        } else {
            Partition::Aws
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
