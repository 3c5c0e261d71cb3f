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
        PrincipalKind::PermissionSet => 1,
    }
}

/// IAM Identity Center's limit on a permission set's inline policy (white space not counted).
pub(crate) const MAX_INLINE_POLICY_CHARS: usize = 10240;

/// The `max_managed_policies` a file may set: IAM's maximum for a user or role.
pub(crate) const MAX_MANAGED_POLICIES_SETTING: usize = 20;

/// The policies a packed principal may hold: 10 managed policies for a group; for a user or
/// role the file's `max_managed_policies` (10 unless raised); one inline policy for a
/// permission set.
pub(crate) fn managed_policy_quota(kind: PrincipalKind, max_managed: usize) -> usize {
    match kind {
        PrincipalKind::Group => DEFAULT_ATTACHED_POLICIES,
        PrincipalKind::User | PrincipalKind::Role => max_managed,
        PrincipalKind::PermissionSet => 1,
    }
}
