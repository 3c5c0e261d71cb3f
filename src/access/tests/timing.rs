//! Micro measurements (run on demand, in release mode):
//! `cargo test --release --lib access::tests::timing -- --ignored --nocapture`

// A measurement run by hand (`--ignored --nocapture`): it reports, it does not assert.
#![allow(clippy::print_stderr)]

use super::super::{Facts, Grant, Policy, compare, compare_principals};
use std::path::Path;
use std::time::Instant;

fn texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .expect("cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| std::fs::read_to_string(p).expect("readable"))
        .collect();
    out.sort();
    out
}

#[test]
#[ignore = "timing, not a check"]
fn timings_one_principal() {
    let texts = texts();
    let policies: Vec<Policy> = texts
        .iter()
        .map(|t| Policy::parse_str(t).unwrap())
        .collect();
    let before: Vec<Policy> = policies[..10].to_vec();
    let mut after = before.clone();
    let edited = texts[3].replacen("instance/", "instance/i-*", 1);
    after[3] = Policy::parse_str(&edited).unwrap();
    after.push(policies[12].clone());
    let facts = Facts::for_principal("group:ops");
    let runs = 200;
    let start = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(compare(&before, &after, &facts).unwrap());
    }
    let per = start.elapsed() / runs;
    eprintln!("one principal, 10 policies vs 11, both directions: {per:?}");
}

#[test]
#[ignore = "timing, not a check"]
fn timings_many_grants() {
    let texts = texts();
    let policies: Vec<Policy> = texts
        .iter()
        .map(|t| Policy::parse_str(t).unwrap())
        .collect();

    let n = 10_000;
    let grants = |changed: usize| -> Vec<Grant> {
        (0..n)
            .map(|i| {
                let mut p = policies[i % policies.len()].clone();
                if i < changed {
                    p = policies[(i + 1) % policies.len()].clone();
                }
                Grant {
                    name: format!("grant-{i}"),
                    principals: vec![format!("group:g{}", i % 2_000), "group:all".into()],
                    policies: vec![Ok(p)],
                }
            })
            .collect()
    };
    let (old, new) = (grants(0), grants(100));
    let start = Instant::now();
    let parsed: Vec<Policy> = (0..n)
        .map(|i| Policy::parse_str(&texts[i % texts.len()]).unwrap())
        .collect();
    let parse = start.elapsed();
    std::hint::black_box(parsed);
    let start = Instant::now();
    let deltas = compare_principals(&old, &new);
    let diff = start.elapsed();
    let changed = deltas.iter().filter(|d| d.changed()).count();
    eprintln!(
        "10,000 grants, 100 changed: compare_principals {diff:?} ({changed} of {} principals \
         changed); parsing the 10,000 policy texts alone: {parse:?}",
        deltas.len()
    );
}
