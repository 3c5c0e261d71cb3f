//! Tests of the access model: glob corner cases, decisions, and properties against a brute-force
//! evaluator written separately (`tests/it/support/brute.rs`, shared with the integration tests).

// `&[p.clone()]` reads better than `std::slice::from_ref(&p)` in assertions.
#![allow(clippy::cloned_ref_to_slice_refs)]

// One brute-force evaluator for every property test: the integration tests' own.
#[allow(unreachable_pub)]
#[path = "../../../tests/it/support/brute.rs"]
mod brute;
mod decisions;
mod emitted;
mod globs;
mod properties;
mod review;
mod timing;

use super::Policy;
use serde_json::json;

/// A one-statement policy.
pub(super) fn policy(action: &str, resource: &str, condition: serde_json::Value) -> Policy {
    let mut st = json!({"Effect": "Allow", "Action": [action], "Resource": [resource]});
    if !condition.is_null() {
        st["Condition"] = condition;
    }
    Policy::parse(&json!({"Version": "2012-10-17", "Statement": [st]})).expect("in the subset")
}
