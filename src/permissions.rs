//! STAND-IN for the permission summary of `diff` (written on another branch; the lead replaces
//! this file at merge). Only the two functions watch mode calls, with their real signatures.

use crate::outdir::Change;

/// How one grant's permissions changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantDelta {
    pub grant: String,
}

/// The permission changes of a set of file changes, one per grant.
pub fn deltas(changes: &[Change]) -> Vec<GrantDelta> {
    changes
        .iter()
        .filter_map(|c| c.name.strip_suffix(".json"))
        .map(|grant| GrantDelta {
            grant: grant.to_string(),
        })
        .collect()
}

/// The summary as text, one block per grant.
pub fn render_summary(deltas: &[GrantDelta], _color: bool) -> String {
    deltas
        .iter()
        .map(|d| format!("  grant {}: permissions changed\n", d.grant))
        .collect()
}
