//! IAM and CloudFormation quotas the outputs must fit.
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html

use crate::compile::config::PrincipalKind;

/// IAM's limit on a managed policy, white space not counted.
pub(crate) const MAX_POLICY_CHARS: usize = 6144;

/// Resources one CloudFormation template may declare.
pub(crate) const MAX_TEMPLATE_RESOURCES: usize = 500;

/// Managed policies IAM lets one principal have by default.
pub(crate) const DEFAULT_ATTACHED_POLICIES: usize = 10;

/// Managed policies IAM lets one principal have at most, after a quota increase.
pub(crate) fn max_attached_policies(kind: PrincipalKind) -> usize {
    match kind {
        PrincipalKind::User | PrincipalKind::Role => 20,
        PrincipalKind::Group => 10,
    }
}
