//! Properties of every policy compiled from generated valid configurations (issue 5, part 2).
//!
//! The policies are inspected as plain `serde_json::Value`s, not through the crate's own typed
//! structs, so a bug in those structs cannot hide itself.

use crate::support;

use proptest::prelude::*;
use serde_json::Value;
use ssm_compile::config::Target;
use ssm_compile::{compile, outdir};

const LIMIT: usize = 6144;

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn list(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    strings(v, &mut out);
    out
}

/// Condition keys of a statement, with their values.
fn condition_keys(st: &Value) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    if let Some(cond) = st.get("Condition").and_then(Value::as_object) {
        for (op, keys) in cond {
            for (key, values) in keys.as_object().expect("condition operator maps keys") {
                out.push((op.clone(), key.clone(), list(values)));
            }
        }
    }
    out
}

/// Checks one policy file against the grant it came from.
fn check_policy(bytes: &[u8], partition: &str, all_instances: bool) -> Result<(), TestCaseError> {
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| TestCaseError::fail(format!("not JSON: {e}")))?;
    prop_assert_eq!(&doc["Version"], "2012-10-17");
    let statements = doc["Statement"].as_array().expect("Statement is a list");
    prop_assert!(!statements.is_empty());

    // Every ARN, in resources and conditions alike, carries the grant's partition.
    for s in list(&doc) {
        if let Some(rest) = s.strip_prefix("arn:") {
            prop_assert_eq!(rest.split(':').next(), Some(partition), "ARN {}", s);
        }
    }
    // IAM's size limit: JSON without white space.
    let compact = serde_json::to_string(&doc).unwrap();
    prop_assert!(compact.chars().count() <= LIMIT);

    for st in statements {
        prop_assert_eq!(&st["Effect"], "Allow");
        let actions = list(&st["Action"]);
        let resources = list(&st["Resource"]);
        let conditions = condition_keys(st);
        let tag_condition = conditions
            .iter()
            .any(|(op, k, _)| op == "StringLike" && k.starts_with("ssm:resourceTag/"));

        if actions
            .iter()
            .any(|a| a == "ssm:StartSession" || a == "ssm:SendCommand")
        {
            // Never the bare wildcard; every instance only when the grant says so.
            prop_assert!(!resources.iter().any(|r| r == "*"), "{st}");
            let every_instance = format!("arn:{partition}:ec2:*:*:instance/*");
            if resources.contains(&every_instance) && !tag_condition {
                prop_assert!(all_instances, "instance/* without a tag condition: {st}");
            }
        }
        if actions.iter().any(|a| a == "ssm:TerminateSession") {
            // Scoped to the caller: by user name in the ARN, or by the session's user-id tag.
            let by_name = resources
                == [format!(
                    "arn:{partition}:ssm:*:*:session/${{aws:username}}-*"
                )];
            let by_tag = resources == [format!("arn:{partition}:ssm:*:*:session/*")]
                && conditions
                    == [(
                        "StringLike".to_owned(),
                        "ssm:resourceTag/aws:ssmmessages:session-id".to_owned(),
                        vec!["${aws:userid}".to_owned()],
                    )];
            prop_assert!(
                by_name || by_tag,
                "TerminateSession not scoped to the caller: {st}"
            );
        }
        if resources.iter().any(|r| r.contains(":document/")) {
            prop_assert!(
                !tag_condition,
                "a document shares a statement with a tag condition: {st}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The policy properties of issue 5, on every grant of every generated configuration; an
    /// oversized grant is rejected by name and size, and nothing else is.
    #[test]
    fn policies_have_the_promised_properties(spec in support::spec(6, true)) {
        let text = spec.render();
        match compile(&text) {
            Ok(compiled) => {
                prop_assert_eq!(compiled.plan.files.len(), spec.grants.len());
                // The validated grants, for the facts the plan's summaries do not keep.
                let tree = ssm_compile::parse::parse(&text).expect("it compiled");
                let config = ssm_compile::validate::validate(&tree).0.expect("it compiled");
                for grant in &config.grants {
                    let g = spec.grant_named(&grant.name);
                    prop_assert_eq!(grant.partition.as_str(), g.partition(&spec));
                    let all = matches!(grant.target, Target::AllInstances);
                    let bytes = compiled.plan.bytes(&format!("{}.json", grant.name)).unwrap();
                    check_policy(&bytes, g.partition(&spec), all)?;
                }
            }
            Err(diagnostics) => {
                // The generator writes only valid configurations, so the only error allowed
                // is IAM's size limit, and it must name the grant and its size (warnings, the
                // lints' among them, come along and are not errors).
                for d in diagnostics.iter().filter(|d| d.is_error()) {
                    prop_assert!(
                        d.message.contains(&format!("IAM allows at most {LIMIT}")),
                        "unexpected error on a valid configuration: {}\n{}", d.message, text
                    );
                    let size: usize = d.message.split(" is ").nth(1).and_then(|s| s.split(' ').next())
                        .and_then(|n| n.parse().ok()).expect("the message gives the size");
                    prop_assert!(size > LIMIT);
                    let names_grant = spec.grants.iter().any(|g| d.message.contains(&format!("`{}`", g.name)));
                    prop_assert!(names_grant, "{}", d.message);
                }
                prop_assert!(!diagnostics.is_empty());
            }
        }
    }

    /// The same grants in any order compile to the same bytes.
    #[test]
    fn output_does_not_depend_on_grant_order(
        (spec, order) in support::spec(8, false).prop_flat_map(|s| {
            let n = s.grants.len();
            (Just(s), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        })
    ) {
        let a = compile(&spec.render()).map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        let b = compile(&spec.render_in(&order)).map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        prop_assert_eq!(a.plan, b.plan);
    }
}

proptest! {
    // Each case writes a directory: fewer cases.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// `build` then `check` (the real binary) exits 0, and reading the directory back finds
    /// nothing to change and a current manifest.
    #[test]
    fn build_then_check_finds_nothing_stale(spec in support::spec(5, false)) {
        let compiled = compile(&spec.render()).map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("access.toml");
        std::fs::write(&config, spec.render()).unwrap();
        let run = |command: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_ssm-compile"))
                .arg(command)
                .arg("-c")
                .arg(&config)
                .output()
                .unwrap()
        };
        let built = run("build");
        prop_assert_eq!(built.status.code(), Some(0), "{}", String::from_utf8_lossy(&built.stderr));
        let checked = run("check");
        prop_assert_eq!(checked.status.code(), Some(0), "{}", String::from_utf8_lossy(&checked.stdout));
        let out = outdir::resolve(&config, None, compiled.settings.output.as_deref());
        let state = outdir::read(&out, &compiled.plan).unwrap();
        prop_assert!(state.changes(&compiled.plan).is_empty());
        prop_assert!(state.manifest_current(&compiled.plan));
        prop_assert!(state.foreign.is_empty() && state.temps.is_empty());
        // A second build writes nothing.
        let again = outdir::build(&out, &compiled.plan).map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        prop_assert!(again.written.is_empty() && again.removed.is_empty());
    }
}
