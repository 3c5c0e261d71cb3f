//! Every policy the compiler emits (the committed cases) is inside the modelled subset, and
//! the witnesses the model gives for it read like real requests.

use super::super::{Facts, Policy, Request, allows, equivalent, new_access, new_access_with};
use std::path::Path;

fn cases() -> Vec<(String, Policy)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("tests/cases") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("readable");
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let policy = Policy::parse_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            out.push((name, policy));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() > 10);
    out
}

#[test]
fn every_emitted_policy_is_in_the_subset_and_equals_itself() {
    for (name, p) in cases() {
        let one = std::slice::from_ref(&p);
        assert_eq!(equivalent(one, one, &Facts::default()), Ok(true), "{name}");
        let gained = new_access(&[], one).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!gained.is_empty(), "{name}");
        for w in &gained {
            assert!(allows(one, w), "{name}: {w:?}");
            let describe = w.action.contains("Describe") || w.action.contains("GetConnection");
            if !(describe && w.resource == "*") {
                assert!(!w.resource.contains(['*', '?']), "{name}: {w:?}");
            }
            assert!(!w.resource.contains("::instance"), "{name}: {w:?}");
        }
    }
}

#[test]
fn the_mallory_example() {
    let p = cases()
        .into_iter()
        .find(|(n, _)| n == "documents-with-tags.json")
        .expect("case")
        .1;
    let gained = new_access_with(&[], &[p], &Facts::for_principal("user:mallory")).unwrap();
    let want = Request::new(
        "ssm:StartSession",
        "arn:aws:ec2:us-east-2:111122223333:instance/i-0123456789abcdef0",
    )
    .with("ssm:resourceTag/Team", "web");
    assert!(gained.contains(&want), "{gained:#?}");
}
