//! Deployable outputs (CloudFormation, Terraform): golden templates, their structure checked
//! against the policy files, and the attachment changes a permission summary reads. The
//! `formats` key, `--emit`, quotas and name collisions are in `formats.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use ssm_compile::compile;
use ssm_compile::config::{Principal, PrincipalKind};
use ssm_compile::deploy::{self, Attachment, CLOUDFORMATION_FILE, TERRAFORM_FILE};

pub(crate) const CFN: &str = CLOUDFORMATION_FILE;
pub(crate) const TF: &str = TERRAFORM_FILE;

pub(crate) const HEAD: &str = "account = \"111122223333\"\nregion = \"us-east-2\"\n";

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/deploy")
}

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stderr: String,
    pub(crate) out: PathBuf,
    pub(crate) config: PathBuf,
    _dir: tempfile::TempDir,
}

/// Writes `text` as access.toml in a fresh directory and runs ssm-compile on it.
pub(crate) fn run(text: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("access.toml");
    fs::write(&config, text).unwrap();
    let out = dir.path().join("out");
    let output = Command::cargo_bin("ssm-compile")
        .unwrap()
        .arg("-c")
        .arg(&config)
        .arg("-o")
        .arg(&out)
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        out,
        config,
        _dir: dir,
    }
}

pub(crate) fn files(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// `count` grants named g01.. that all give `principal` access.
pub(crate) fn grants_for(principal: &str, count: usize) -> String {
    let mut text = HEAD.to_owned();
    for i in 1..=count {
        text.push_str(&format!(
            "[grant.g{i:02}]\nrole = \"admin\"\nwho = [\"{principal}\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n"
        ));
    }
    text
}

// ---- golden templates ----

/// Every template built from tests/deploy/NAME.toml equals its fixture: ssm-compile.REST is
/// compared with tests/deploy/NAME.REST, and no fixture is left without its template.
fn check_golden(name: &str) {
    let dir = deploy_dir();
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("ssm-compile")
        .unwrap()
        .arg("-c")
        .arg(dir.join(format!("{name}.toml")))
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let mut generated = BTreeSet::new();
    for file in files(out.path()) {
        let Some(rest) = file.strip_prefix("ssm-compile.") else {
            continue;
        };
        let fixture = format!("{name}.{rest}");
        let actual = fs::read(out.path().join(&file)).unwrap();
        if crate::support::bless() {
            fs::write(dir.join(&fixture), &actual).unwrap();
        }
        let expected = fs::read(dir.join(&fixture)).unwrap_or_default();
        assert!(
            expected == actual,
            "{file} of {name}.toml differs from tests/deploy/{fixture}:\n{}",
            String::from_utf8_lossy(&actual)
        );
        generated.insert(fixture);
    }
    let fixtures: BTreeSet<String> = files(&dir)
        .into_iter()
        .filter(|f| f.starts_with(&format!("{name}.")) && !f.ends_with(".toml"))
        .collect();
    assert_eq!(fixtures, generated, "fixtures of {name} without a template");
}

#[test]
fn golden_small() {
    check_golden("small");
}

#[test]
fn golden_odd_names() {
    check_golden("odd-names");
}

#[test]
fn golden_packed() {
    check_golden("packed");
}

// ---- structure, checked against the policy files ----

/// Every `who` entry of each grant in the configuration file, as (grant, kind, name).
fn who_of(config_text: &str) -> BTreeSet<(String, String, String)> {
    let compiled = compile(config_text).unwrap();
    compiled
        .grants
        .iter()
        .flat_map(|g| {
            g.who
                .iter()
                .map(|p| (g.name.clone(), p.kind.as_str().to_owned(), p.name.clone()))
        })
        .collect()
}

fn structure_cases() -> Vec<PathBuf> {
    let mut cases = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("access.example.toml")];
    cases.push(deploy_dir().join("small.toml"));
    cases.push(deploy_dir().join("odd-names.toml"));
    cases.push(deploy_dir().join("packed.toml"));
    cases
}

fn build_all_formats(config: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("ssm-compile")
        .unwrap()
        .arg("-c")
        .arg(config)
        .arg("-o")
        .arg(out.path())
        .args(["--emit", "json,cloudformation,terraform"])
        .assert()
        .success();
    out
}

/// The policy files of a built directory, by grant: each grant's parts' statements in order
/// (NAME.json, NAME.part2.json, ...).
fn grant_statements(out: &Path, grants: &BTreeSet<String>) -> BTreeMap<String, Vec<Value>> {
    grants
        .iter()
        .map(|g| {
            let mut statements = Vec::new();
            for k in 1.. {
                let file = if k == 1 {
                    format!("{g}.json")
                } else {
                    format!("{g}.part{k}.json")
                };
                let Ok(bytes) = fs::read(out.join(file)) else {
                    break;
                };
                let doc: Value = serde_json::from_slice(&bytes).unwrap();
                statements.extend(doc["Statement"].as_array().unwrap().iter().cloned());
            }
            (g.clone(), statements)
        })
        .collect()
}

/// Reads a deployed policy's statements back per grant part from its grant list (CloudFormation
/// `Metadata`, Terraform `//`), checking it covers the document exactly.
fn per_part(
    grants: &Value,
    doc: &Value,
    parts: &mut BTreeMap<String, BTreeMap<u64, Vec<Value>>>,
) -> Vec<String> {
    let statements = doc["Statement"].as_array().unwrap();
    let mut at = 0;
    let mut names = Vec::new();
    for item in grants.as_array().unwrap() {
        let n = item["Statements"].as_u64().unwrap() as usize;
        let grant = item["Grant"].as_str().unwrap().to_owned();
        let taken = statements[at..at + n].to_vec();
        at += n;
        parts
            .entry(grant.clone())
            .or_default()
            .insert(item["Part"].as_u64().unwrap(), taken);
        names.push(grant);
    }
    assert_eq!(at, statements.len(), "the grant list covers the document");
    names
}

fn template_files(out: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = files(out)
        .into_iter()
        .filter(|f| f.starts_with("ssm-compile.") && f.ends_with(suffix))
        .map(|f| out.join(f))
        .collect();
    v.sort();
    v
}

/// What the templates attach is exactly each grant's `who`, and each grant's deployed parts
/// hold exactly its policy files' statements.
fn assert_deployed_as_configured(
    config: &Path,
    text: &str,
    out: &Path,
    attached: &Attached,
    parts: Parts,
) {
    let who = who_of(text);
    assert_eq!(attached, &who, "{}", config.display());
    let grants: BTreeSet<String> = who.iter().map(|(g, _, _)| g.clone()).collect();
    let deployed: BTreeMap<String, Vec<Value>> = parts
        .into_iter()
        .map(|(g, p)| (g, p.into_values().flatten().collect()))
        .collect();
    assert_eq!(
        deployed,
        grant_statements(out, &grants),
        "{}",
        config.display()
    );
}

#[test]
fn cloudformation_holds_the_json_policies_attached_to_who() {
    for config in structure_cases() {
        let text = fs::read_to_string(&config).unwrap();
        let out = build_all_formats(&config);
        let mut attached = BTreeSet::new();
        let mut parts = BTreeMap::new();
        let templates = template_files(out.path(), ".cfn.json");
        assert!(!templates.is_empty());
        for file in templates {
            let template = json(&file);
            assert_eq!(template["AWSTemplateFormatVersion"], "2010-09-09");
            assert!(
                template["Description"]
                    .as_str()
                    .unwrap()
                    .contains("access.toml")
            );
            for (id, resource) in template["Resources"].as_object().unwrap() {
                assert!(
                    !id.is_empty()
                        && id.len() <= 255
                        && id.chars().all(|c| c.is_ascii_alphanumeric()),
                    "logical id {id}"
                );
                let props = &resource["Properties"];
                let (doc, who): (&Value, Vec<(String, String)>) =
                    match resource["Type"].as_str().unwrap() {
                        "AWS::IAM::ManagedPolicy" => {
                            let name = props["ManagedPolicyName"].as_str().unwrap();
                            assert!(name.len() <= 128, "{name}");
                            assert!(
                                props["Description"]
                                    .as_str()
                                    .unwrap()
                                    .contains("access.toml")
                            );
                            let mut who = Vec::new();
                            for (key, kind) in
                                [("Users", "user"), ("Groups", "group"), ("Roles", "role")]
                            {
                                for p in props[key].as_array().into_iter().flatten() {
                                    who.push((kind.to_owned(), p.as_str().unwrap().to_owned()));
                                }
                            }
                            (&props["PolicyDocument"], who)
                        }
                        "AWS::SSO::PermissionSet" => {
                            assert_eq!(props["InstanceArn"]["Ref"], "IdentityCenterInstanceArn");
                            let name = props["Name"].as_str().unwrap().to_owned();
                            (
                                &props["InlinePolicy"],
                                vec![("permission-set".to_owned(), name)],
                            )
                        }
                        other => panic!("unexpected resource type {other}"),
                    };
                let size = serde_json::to_string(doc).unwrap().chars().count();
                assert!(size <= 10240, "{id}: {size}");
                for grant in per_part(&resource["Metadata"]["SsmCompileGrants"], doc, &mut parts) {
                    for (kind, name) in &who {
                        attached.insert((grant.clone(), kind.clone(), name.clone()));
                    }
                }
            }
        }
        assert_deployed_as_configured(&config, &text, out.path(), &attached, parts);
    }
}

fn is_tf_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

type Parts = BTreeMap<String, BTreeMap<u64, Vec<Value>>>;
type Attached = BTreeSet<(String, String, String)>;

/// Reads one Terraform file's policies and attachments: each policy part's statements go to
/// `parts` by grant, each (grant, principal kind, principal name) attached to `attached`.
fn terraform_resources(
    resource: &serde_json::Map<String, Value>,
    parts: &mut Parts,
    attached: &mut Attached,
) {
    let mut grants_of = BTreeMap::new();
    for (res, policy) in resource
        .get("aws_iam_policy")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        assert!(is_tf_identifier(res), "resource name {res}");
        assert_eq!(policy["lifecycle"]["create_before_destroy"], true, "{res}");
        let raw = policy["policy"].as_str().unwrap();
        // No unescaped template sequence is left for Terraform to interpret.
        assert_eq!(raw.matches("${").count(), raw.matches("$${").count());
        let doc: Value = serde_json::from_str(&deploy::terraform::unescape(raw)).unwrap();
        let list: Value = serde_json::from_str(policy["//"].as_str().unwrap()).unwrap();
        let names = per_part(&list, &doc, parts);
        assert!(
            policy["description"]
                .as_str()
                .unwrap()
                .contains("access.toml")
        );
        grants_of.insert(format!("${{aws_iam_policy.{res}.arn}}"), names);
    }
    for (kind, arg) in [("user", "user"), ("group", "group"), ("role", "role")] {
        let key = format!("aws_iam_{kind}_policy_attachment");
        for (res, a) in resource
            .get(&key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            assert!(is_tf_identifier(res), "resource name {res}");
            assert_eq!(a["lifecycle"]["create_before_destroy"], true, "{res}");
            let arn = a["policy_arn"].as_str().unwrap();
            let grants = grants_of
                .get(arn)
                .unwrap_or_else(|| panic!("{res} refers to no policy: {arn}"));
            for grant in grants {
                attached.insert((
                    grant.clone(),
                    kind.to_owned(),
                    a[arg].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    for (res, p) in resource
        .get("aws_ssoadmin_permission_set_inline_policy")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let set = &resource["aws_ssoadmin_permission_set"][res];
        assert_eq!(set["instance_arn"], "${var.identity_center_instance_arn}");
        assert_eq!(
            p["permission_set_arn"],
            format!("${{aws_ssoadmin_permission_set.{res}.arn}}")
        );
        let doc: Value = serde_json::from_str(&deploy::terraform::unescape(
            p["inline_policy"].as_str().unwrap(),
        ))
        .unwrap();
        let list: Value = serde_json::from_str(p["//"].as_str().unwrap()).unwrap();
        for grant in per_part(&list, &doc, parts) {
            attached.insert((
                grant,
                "permission-set".to_owned(),
                set["name"].as_str().unwrap().to_owned(),
            ));
        }
    }
}

#[test]
fn terraform_holds_the_exact_policy_files_and_one_attachment_per_principal() {
    for config in structure_cases() {
        let text = fs::read_to_string(&config).unwrap();
        let out = build_all_formats(&config);
        let mut attached = BTreeSet::new();
        let mut parts = BTreeMap::new();
        for file in template_files(out.path(), ".tf.json") {
            let tf = json(&file);
            let resource = tf["resource"].as_object().unwrap();
            let kinds: BTreeSet<&str> = resource.keys().map(String::as_str).collect();
            // Never the exclusive, account-wide aws_iam_policy_attachment.
            assert!(
                kinds.is_subset(&BTreeSet::from([
                    "aws_iam_policy",
                    "aws_iam_user_policy_attachment",
                    "aws_iam_group_policy_attachment",
                    "aws_iam_role_policy_attachment",
                    "aws_ssoadmin_permission_set",
                    "aws_ssoadmin_permission_set_inline_policy",
                ])),
                "{kinds:?}"
            );
            terraform_resources(resource, &mut parts, &mut attached);
        }
        assert_deployed_as_configured(&config, &text, out.path(), &attached, parts);
    }
}

#[test]
fn templates_do_not_depend_on_the_order_grants_and_who_are_written_in() {
    let a = format!(
        "{HEAD}formats = [\"terraform\", \"cloudformation\"]\n\
         [grant.one]\nrole = \"admin\"\nwho = [\"user:b\", \"group:g\", \"user:a\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n\
         [grant.two]\nrole = \"admin\"\nwho = [\"role:r\"]\nconsoles = [\"ec2\"]\ninstances = [\"*\"]\n"
    );
    let b = format!(
        "{HEAD}formats = [\"cloudformation\", \"terraform\"]\n\
         [grant.two]\nrole = \"admin\"\nwho = [\"role:r\"]\nconsoles = [\"ec2\"]\ninstances = [\"*\"]\n\
         [grant.one]\nrole = \"admin\"\nwho = [\"user:a\", \"user:b\", \"group:g\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n"
    );
    let pa = compile(&a).unwrap().plan;
    let pb = compile(&b).unwrap().plan;
    assert_eq!(pa.files.keys().collect::<Vec<_>>(), [CFN, TF]);
    assert_eq!(pa, pb);
}

fn principal(kind: PrincipalKind, name: &str) -> Principal {
    Principal {
        kind,
        name: name.to_owned(),
    }
}

#[test]
fn attachments_read_back_from_both_templates_match_the_configuration() {
    let text = fs::read_to_string(deploy_dir().join("odd-names.toml")).unwrap();
    let compiled = compile(&text).unwrap();
    let want = deploy::attachments(&compiled.grants);
    assert_eq!(want.len(), 5);
    for file in [CFN, TF] {
        assert_eq!(
            deploy::attachments_in(file, &compiled.plan.bytes(file).unwrap()).as_ref(),
            Some(&want),
            "{file}"
        );
    }
    assert_eq!(deploy::attachments_in("web.json", b"{}"), None);
    assert_eq!(deploy::attachments_in(CFN, b"not json"), None);
}

#[test]
fn attachment_changes_show_who_gains_and_loses_a_policy() {
    let old = format!(
        "{HEAD}formats = [\"json\", \"terraform\"]\n[grant.ops]\nrole = \"admin\"\nwho = [\"group:ops\", \"user:bob\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n"
    );
    let new = format!(
        "{HEAD}formats = [\"json\", \"terraform\"]\n[grant.ops]\nrole = \"admin\"\nwho = [\"group:ops\", \"role:Carol\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n"
    );
    let bytes = |text: &str| -> BTreeMap<String, Vec<u8>> {
        let plan = compile(text).unwrap().plan;
        plan.files
            .keys()
            .map(|name| (name.clone(), plan.bytes(name).unwrap().into_owned()))
            .collect()
    };
    let (old, new) = (bytes(&old), bytes(&new));
    let changes = deploy::attachment_changes(&old, &new);
    let at = |kind, name: &str| Attachment {
        principal: principal(kind, name),
        grant: "ops".to_owned(),
    };
    assert_eq!(
        changes.gained,
        BTreeSet::from([at(PrincipalKind::Role, "Carol")])
    );
    assert_eq!(
        changes.lost,
        BTreeSet::from([at(PrincipalKind::User, "bob")])
    );
    // From nothing deployed to a template: every attachment is gained.
    let changes = deploy::attachment_changes(&BTreeMap::new(), &new);
    assert_eq!(changes.gained.len(), 2);
    assert!(changes.lost.is_empty());
    assert_eq!(deploy::attachment_changes(&new, &new), Default::default());
}
