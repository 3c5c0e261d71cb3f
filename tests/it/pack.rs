//! Packing for the deployable outputs (issue 12): quotas, splitting, stability across edits,
//! deploy order, one stack per account, permission sets, and per principal the deployed
//! statements equal to its grants' over generated configurations.
//!
//! Templates are read as plain JSON here, not through the crate's types.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use ssm_compile::{Format, compile_with};

pub(crate) const HEAD: &str = "account = \"111122223333\"\nregion = \"us-east-2\"\n";
pub(crate) const DEPLOY: [Format; 3] = [Format::Json, Format::CloudFormation, Format::Terraform];

/// A grant to `who` on `n` named instances, numbered from `first`.
pub(crate) fn grant(name: &str, who: &str, first: usize, n: usize) -> String {
    let instances: Vec<String> = (first..first + n)
        .map(|i| format!("\"i-{i:017x}\""))
        .collect();
    format!(
        "[grant.{name}]\nrole = \"end-user\"\nwho = [{who}]\nconsoles = [\"session-manager\", \"cli\"]\ninstances = [{}]\n",
        instances.join(", ")
    )
}

pub(crate) fn plan(text: &str) -> ssm_compile::Compiled {
    compile_with(text, Some(&DEPLOY)).unwrap_or_else(|d| panic!("{d:#?}\n{text}"))
}

pub(crate) fn file(compiled: &ssm_compile::Compiled, name: &str) -> Value {
    serde_json::from_slice(
        &compiled
            .plan
            .bytes(name)
            .unwrap_or_else(|| panic!("no {name}")),
    )
    .unwrap()
}

/// Logical id to resource of the single-account template.
fn resources(compiled: &ssm_compile::Compiled) -> BTreeMap<String, Value> {
    let t = file(compiled, "ssm-compile.cfn.json");
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn compact_len(v: &Value) -> usize {
    serde_json::to_string(v).unwrap().chars().count()
}

#[test]
fn a_group_with_many_grants_is_packed_within_its_quota() {
    let mut text = HEAD.to_owned();
    for i in 0..30 {
        text.push_str(&grant(&format!("g{i:02}"), "\"group:oncall\"", i * 40, 30));
    }
    let compiled = plan(&text);
    let r = resources(&compiled);
    assert!(r.len() <= 10, "{} policies", r.len());
    for (id, res) in &r {
        assert!(
            compact_len(&res["Properties"]["PolicyDocument"]) <= 6144,
            "{id}"
        );
        assert_eq!(res["Properties"]["Groups"], serde_json::json!(["oncall"]));
    }
    // Every grant's policy file is still written: the review unit.
    for i in 0..30 {
        assert!(compiled.plan.files.contains_key(&format!("g{i:02}.json")));
    }
}

#[test]
fn grants_that_cannot_fit_are_a_located_error_naming_them() {
    let mut text = HEAD.to_owned();
    // Eleven grants of about 5,000 characters each: no two share a policy.
    for i in 0..11 {
        text.push_str(&grant(&format!("big{i:02}"), "\"group:ops\"", i * 1000, 90));
    }
    let errors = compile_with(&text, Some(&DEPLOY)).unwrap_err();
    let e = errors
        .iter()
        .find(|d| d.kind.code() == "E0602")
        .unwrap_or_else(|| panic!("{errors:#?}"));
    assert!(
        e.message.contains("the grants of group:ops do not fit the 10 managed policies IAM allows a group: packed, they need 11: grants big00, big01"),
        "{}",
        e.message
    );
    // At the first `who` entry naming the group, the others related.
    let span = e.span.clone().unwrap();
    assert_eq!(&text[span], "\"group:ops\"");
    assert_eq!(e.related.len(), 10);
}

#[test]
fn max_managed_policies_raises_a_users_quota_up_to_20() {
    let mut base = HEAD.to_owned();
    for i in 0..12 {
        base.push_str(&grant(
            &format!("big{i:02}"),
            "\"role:Deploy\"",
            i * 1000,
            90,
        ));
    }
    assert!(compile_with(&base, Some(&DEPLOY)).is_err());
    let raised = format!("max_managed_policies = 12\n{base}");
    let compiled = plan(&raised);
    assert_eq!(resources(&compiled).len(), 12);
    for bad in ["0", "21", "\"20\"", "1.5"] {
        let text = format!("max_managed_policies = {bad}\n{base}");
        let errors = compile_with(&text, Some(&DEPLOY)).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|d| d.message.contains("max_managed_policies")),
            "{bad}: {errors:#?}"
        );
    }
}

/// Logical ids whose policy differs between two plans (added, removed or changed): their
/// `Properties` (`DependsOn` and `Metadata` changes update nothing in IAM).
fn changed(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) -> BTreeSet<String> {
    let props = |m: &BTreeMap<String, Value>, k: &String| m.get(k).map(|v| v["Properties"].clone());
    a.keys()
        .chain(b.keys())
        .filter(|k| props(a, k) != props(b, k))
        .cloned()
        .collect()
}

/// A policy keeps its IAM name for as long as its logical id lives: nothing is renamed.
fn no_renames(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) {
    for (id, ra) in a {
        if let Some(rb) = b.get(id) {
            assert_eq!(
                ra["Properties"]["ManagedPolicyName"],
                rb["Properties"]["ManagedPolicyName"]
            );
            assert_eq!(
                ra["Properties"]["Description"],
                rb["Properties"]["Description"]
            );
        }
    }
}

#[test]
fn an_edit_changes_at_most_the_policies_that_held_the_grant() {
    let grants: Vec<String> = (0..24)
        .map(|i| {
            grant(
                &format!("g{i:02}"),
                "\"group:oncall\"",
                i * 40,
                1 + (i * 7) % 13,
            )
        })
        .collect();
    let config = |gs: &[String]| format!("{HEAD}{}", gs.concat());
    let base = resources(&plan(&config(&grants)));
    assert!(base.len() > 2, "the base packs into several policies");
    for i in 0..24 {
        // Removing one grant.
        let mut fewer = grants.clone();
        fewer.remove(i);
        let r = resources(&plan(&config(&fewer)));
        no_renames(&base, &r);
        let c = changed(&base, &r);
        assert!(c.len() <= 2, "removing g{i:02} changed {c:?}");
        // Changing one grant's instances (same size).
        let mut edited = grants.clone();
        edited[i] = grant(
            &format!("g{i:02}"),
            "\"group:oncall\"",
            90_000 + i * 40,
            1 + (i * 7) % 13,
        );
        let r = resources(&plan(&config(&edited)));
        let c = changed(&base, &r);
        assert_eq!(c.len(), 1, "editing g{i:02} changed {c:?}");
        // Adding one grant.
        let mut more = grants.clone();
        more.push(grant(
            &format!("new{i:02}"),
            "\"group:oncall\"",
            50_000 + i * 40,
            1 + i % 13,
        ));
        let r = resources(&plan(&config(&more)));
        no_renames(&base, &r);
        let c = changed(&base, &r);
        assert!(c.len() <= 2, "adding new{i:02} changed {c:?}");
    }
}

#[test]
fn templates_carry_the_deploy_order() {
    let mut text = HEAD.to_owned();
    for i in 0..12 {
        text.push_str(&grant(
            &format!("g{i:02}"),
            "\"group:oncall\", \"user:alice\"",
            i * 40,
            20,
        ));
    }
    let compiled = plan(&text);
    let r = resources(&compiled);
    // The trie's upper policies are written after the ones below them.
    let with_order: Vec<&Value> = r
        .values()
        .filter(|v| v.get("DependsOn").is_some())
        .collect();
    assert!(!with_order.is_empty());
    for v in with_order {
        for dep in v["DependsOn"].as_array().unwrap() {
            assert!(r.contains_key(dep.as_str().unwrap()), "{dep}");
        }
    }
    let tf = file(&compiled, "ssm-compile.tf.json");
    let res = tf["resource"].as_object().unwrap();
    assert!(!res.contains_key("aws_iam_policy_attachment"));
    for kind in [
        "aws_iam_policy",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
    ] {
        for (name, v) in res[kind].as_object().unwrap() {
            assert_eq!(
                v["lifecycle"]["create_before_destroy"], true,
                "{kind}.{name}"
            );
        }
    }
    let depends: usize = res["aws_iam_policy"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v.get("depends_on"))
        .count();
    assert!(depends > 0);
}

#[test]
fn a_grant_over_the_limit_is_split_in_every_format_with_a_warning() {
    let text = format!("{HEAD}{}", grant("fleet", "\"role:Deploy\"", 0, 300));
    let compiled = plan(&text);
    let parts: Vec<&String> = compiled
        .plan
        .files
        .keys()
        .filter(|f| f.starts_with("fleet"))
        .collect();
    assert_eq!(
        parts,
        ["fleet.json", "fleet.part2.json", "fleet.part3.json"]
    );
    for p in &parts {
        assert!(compact_len(&file(&compiled, p)) <= 6144, "{p}");
    }
    let w = &compiled.warnings[0];
    assert_eq!(w.kind.code(), "W0607");
    assert!(
        w.message
            .contains("split into 3 policies (fleet.json, fleet.part2.json, fleet.part3.json)"),
        "{}",
        w.message
    );
    let r = resources(&compiled);
    let held: usize = r
        .values()
        .flat_map(|v| {
            v["Metadata"]["SsmCompileGrants"]
                .as_array()
                .unwrap()
                .clone()
        })
        .filter(|i| i["Grant"] == "fleet")
        .count();
    assert_eq!(held, 3);
}

#[test]
fn each_account_gets_its_own_stack() {
    let text = format!(
        "{HEAD}{}{}",
        grant("here", "\"user:alice\"", 0, 1),
        grant("there", "\"user:alice\"", 0, 1)
            .replace("role = ", "account = \"444455556666\"\nrole = ")
    );
    let compiled = plan(&text);
    let templates: Vec<&String> = compiled
        .plan
        .files
        .keys()
        .filter(|f| f.starts_with("ssm-compile."))
        .collect();
    assert_eq!(
        templates,
        [
            "ssm-compile.111122223333.cfn.json",
            "ssm-compile.111122223333.tf.json",
            "ssm-compile.444455556666.cfn.json",
            "ssm-compile.444455556666.tf.json"
        ]
    );
    let there = file(&compiled, "ssm-compile.444455556666.cfn.json");
    let text = serde_json::to_string(&there).unwrap();
    assert!(text.contains("444455556666") && !text.contains("111122223333"));
}

#[test]
fn permission_sets_get_one_inline_policy() {
    let text = format!(
        "{HEAD}{}{}",
        grant("a", "\"permission-set:Support\"", 0, 5),
        grant("b", "\"permission-set:Support\", \"group:ops\"", 100, 5)
    );
    let compiled = plan(&text);
    let r = resources(&compiled);
    let sets: Vec<&Value> = r
        .values()
        .filter(|v| v["Type"] == "AWS::SSO::PermissionSet")
        .collect();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["Properties"]["Name"], "Support");
    assert_eq!(
        sets[0]["Properties"]["InstanceArn"]["Ref"],
        "IdentityCenterInstanceArn"
    );
    let t = file(&compiled, "ssm-compile.cfn.json");
    assert_eq!(
        t["Parameters"]["IdentityCenterInstanceArn"]["Type"],
        "String"
    );
    // Federated users have no aws:username: auto picks the session tag.
    let a = serde_json::to_string(&file(&compiled, "a.json")).unwrap();
    assert!(
        a.contains("${aws:userid}") && !a.contains("${aws:username}"),
        "{a}"
    );
    let tf = file(&compiled, "ssm-compile.tf.json");
    assert!(tf["variable"]["identity_center_instance_arn"].is_object());
    assert_eq!(
        tf["resource"]["aws_ssoadmin_permission_set_inline_policy"]
            .as_object()
            .unwrap()
            .len(),
        1
    );
    // One inline policy of 10,240 characters: grants that do not fit are an error.
    let mut big = HEAD.to_owned();
    for i in 0..3 {
        big.push_str(&grant(
            &format!("g{i}"),
            "\"permission-set:Support\"",
            i * 1000,
            90,
        ));
    }
    let errors = compile_with(&big, Some(&DEPLOY)).unwrap_err();
    assert!(
        errors.iter().any(|d| d
            .message
            .contains("permission-set:Support do not fit its one inline policy")),
        "{errors:#?}"
    );
    // `username` cannot work for them.
    let username = text.replacen("instances", "own_sessions = \"username\"\ninstances", 1);
    let errors = compile_with(&username, Some(&DEPLOY)).unwrap_err();
    assert!(
        errors.iter().any(|d| d.kind.code() == "E0510"),
        "{errors:#?}"
    );
}
