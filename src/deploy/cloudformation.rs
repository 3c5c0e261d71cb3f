//! One CloudFormation template per account: an `AWS::IAM::ManagedPolicy` per packed policy,
//! attached to its principal set, and an `AWS::SSO::PermissionSet` with its inline policy per
//! Identity Center permission set.
//!
//! Deploy order (never a moment without access a principal keeps): a packed policy's logical
//! id never changes, so an edit updates it in place (IAM makes the new version the default in
//! one step). A grant moves between a set's policies only down its trie on a split and back
//! up on a merge (`pack.rs`); each policy `DependsOn` the ones below it, so on a split the
//! policy that gains the grant is created first, and on a merge the policies that disappear
//! are deleted in the stack's cleanup phase, after every create and update.

use std::collections::BTreeMap;

use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::pack::{Item, Packed};
use super::{iam_name, packed_description};
use crate::compile::config::PrincipalKind;
use crate::compile::policy::PolicyDocument;

const TEMPLATE_VERSION: &str = "2010-09-09";
const MANAGED_POLICY: &str = "AWS::IAM::ManagedPolicy";
const PERMISSION_SET: &str = "AWS::SSO::PermissionSet";
/// The template parameter that names the Identity Center instance.
pub const INSTANCE_PARAMETER: &str = "IdentityCenterInstanceArn";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    #[serde(rename = "AWSTemplateFormatVersion")]
    pub version: String,
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(
        rename = "Parameters",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub parameters: BTreeMap<String, Parameter>,
    #[serde(rename = "Resources")]
    pub resources: BTreeMap<String, Resource>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(rename = "AllowedPattern")]
    pub pattern: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(rename = "DependsOn", default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    #[serde(rename = "Metadata")]
    pub metadata: Metadata,
    #[serde(rename = "Properties")]
    pub properties: Properties,
}

/// Which grant parts a policy holds, in statement order: what `diff` reads back per grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(rename = "SsmCompileGrants")]
    pub grants: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Properties {
    Policy(ManagedPolicy),
    PermissionSet(PermissionSet),
}

/// Field order is the serialization order: names first, the long document last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicy {
    #[serde(rename = "ManagedPolicyName")]
    pub name: String,
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(rename = "Users", default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    #[serde(rename = "Groups", default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(rename = "Roles", default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(rename = "PolicyDocument")]
    pub document: PolicyDocument,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionSet {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(rename = "InstanceArn")]
    pub instance: serde_json::Value,
    #[serde(rename = "InlinePolicy")]
    pub document: PolicyDocument,
}

/// The logical id of a packed policy: its set's hash and bucket, so it depends on the
/// principals alone and never changes when grants come or go.
pub fn logical_id(p: &Packed) -> String {
    let kind = if p.is_permission_set() {
        "PermissionSet"
    } else {
        "Policy"
    };
    id_of(kind, &p.set, p.bucket)
}

fn id_of(kind: &str, set: &str, bucket: u64) -> String {
    format!("{kind}{}N{bucket}", set.to_ascii_uppercase())
}

fn names(p: &Packed, kind: PrincipalKind) -> Vec<String> {
    let mut out: Vec<String> = p
        .principals
        .iter()
        .filter(|q| q.kind == kind)
        .map(|q| q.name.clone())
        .collect();
    out.sort();
    out
}

fn resource(p: &Packed) -> Resource {
    // The set's policies below this one in its trie: written before it (module comment).
    let depends_on = p
        .after
        .iter()
        .map(|b| id_of("Policy", &p.set, *b))
        .collect();
    let properties = if p.is_permission_set() {
        Properties::PermissionSet(PermissionSet {
            name: p.principals[0].name.clone(),
            description: "Session Manager access, generated by ssm-compile from access.toml"
                .to_owned(),
            instance: serde_json::json!({ "Ref": INSTANCE_PARAMETER }),
            document: p.document(),
        })
    } else {
        Properties::Policy(ManagedPolicy {
            name: iam_name(p),
            description: packed_description(p),
            users: names(p, PrincipalKind::User),
            groups: names(p, PrincipalKind::Group),
            roles: names(p, PrincipalKind::Role),
            document: p.document(),
        })
    };
    let kind = if p.is_permission_set() {
        PERMISSION_SET
    } else {
        MANAGED_POLICY
    };
    Resource {
        kind: kind.to_owned(),
        depends_on,
        metadata: Metadata {
            grants: p.items.to_vec(),
        },
        properties,
    }
}

const DESCRIPTION: &str = "Session Manager access policies, generated by ssm-compile from access.toml: edit access.toml and run ssm-compile, not this template";

fn parameters() -> BTreeMap<String, Parameter> {
    let parameter = Parameter {
        kind: "String".to_owned(),
        description: "The ARN of the IAM Identity Center instance that holds the permission sets"
            .to_owned(),
        pattern: "arn:(aws|aws-cn|aws-us-gov):sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}"
            .to_owned(),
    };
    BTreeMap::from([(INSTANCE_PARAMETER.to_owned(), parameter)])
}

/// The template of `policies`, serialized as [`Template`] would be with its resources in a
/// map, but one resource at a time: only the sorted ids are held, never the whole tree.
struct Lazy<'a>(&'a [&'a Packed]);

impl Serialize for Lazy<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let permission_sets = self.0.iter().any(|p| p.is_permission_set());
        let mut t = s.serialize_struct("Template", 3 + usize::from(permission_sets))?;
        t.serialize_field("AWSTemplateFormatVersion", TEMPLATE_VERSION)?;
        t.serialize_field("Description", DESCRIPTION)?;
        if permission_sets {
            t.serialize_field("Parameters", &parameters())?;
        }
        let ids = super::template::sorted(self.0.iter().map(|p| logical_id(p)));
        t.serialize_field(
            "Resources",
            &super::template::Map(ids, |i: usize| resource(self.0[i])),
        )?;
        t.end()
    }
}

/// Writes the template of one account's policies to `out`.
pub fn write(policies: &[&Packed], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    super::template::write_pretty(&Lazy(policies), out)
}
