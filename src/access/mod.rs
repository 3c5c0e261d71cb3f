//! The access model: what a set of IAM policies of the subset we emit allows, decided exactly.
//!
//! A request is a point: an action, a resource ARN and a request context (condition key to
//! value, a missing key simply absent). A statement is a *box* over the dimensions of that
//! space — the action, the six ARN fields (`*` and `?` never cross the first five colons; the
//! resource field may hold colons), and one dimension per condition key, whose values are
//! "absent" or a string — with one language per dimension: the union of the statement's
//! action globs, its resource globs field by field (a list of resources is a union of boxes),
//! and for each key the intersection of its clauses (values of one clause ORed). A policy set
//! is a union of boxes; `allows` is membership.
//!
//! `after` grants nothing new iff every box of `after` minus the union of `before`'s boxes is
//! empty. Box minus box splits into at most one box per dimension
//! (`A - B = ⋃_d (A∩B on dims < d) × (A_d - B_d) × A on dims > d`), explored depth first; a
//! box is empty iff one of its languages is. Languages are "all", finite sets (most of what we
//! emit is literal) or DFAs over an alphabet of the characters the patterns spell plus one
//! class for every other character (`dfa.rs` says why not `regex-automata`). A non-empty
//! piece yields the witness: per dimension a realistic member (values the policies name, AWS
//! examples such as `us-east-1` and `i-0123456789abcdef0`) or else the shortest one, an absent
//! key left out. Every witness is confirmed by the concrete evaluator before it is returned.
//!
//! Policy variables (`${aws:username}`, `${aws:userid}`) tie a resource or condition value to
//! the context; `decide.rs` explains how they are decided exactly (substituted when the
//! principal fixes them, else an absent world and a symbolic one with a soundness argument,
//! `Undecidable` when neither settles it). `${$}`, `${*}`, `${?}` are literal characters.
//!
//! The subset: `Version` 2012-10-17, `Allow` statements with `Action` and `Resource`
//! (strings or lists) and `Condition` with `StringEquals`, `StringLike`, `Bool` and
//! `BoolIfExists`. Anything else — `Deny`, `NotAction`, `NotResource`, `Principal`, another
//! operator or `IfExists` form, `ForAnyValue:`/`ForAllValues:`, another variable, a resource
//! that is neither `*` nor a six-field ARN, a condition on a variable's own key — is
//! [`Undecidable`] with the reason, never guessed. Requests name ARNs of six fields; `*` as a
//! request resource is matched only by `"Resource": "*"`.
//!
//! Layers, each its own file: `pattern` (strings, variables, the concrete glob), `model`
//! (parsing), `eval` (concrete evaluation), `dfa` and `lang` (languages), `space` (boxes),
//! `decide` (containment, worlds), `witness`, `principal` (per-principal unions) and
//! `partial` (three-valued evaluation for `who-can`). Pure: no I/O, no printing.

mod decide;
mod dfa;
mod eval;
mod lang;
mod model;
mod partial;
mod pattern;
mod principal;
mod space;
mod witness;

pub use decide::{
    Comparison, Facts, Knowledge, compare, equivalent, new_access, new_access_with, overlap,
};
pub use eval::{Request, Witness, allowing_statements, allows};
pub use model::{Policy, Undecidable};
pub use partial::{Answer, Condition, Query, Test, Unknown, Verdict, evaluate_partial};
pub use pattern::Var;
pub use principal::{
    Grant, Named, PrincipalDelta, Side, compare_principals, compare_principals_with,
};

#[cfg(test)]
mod tests;
