//! A deployed template read back one resource at a time, from any reader. The Terraform file
//! of 100,000 grants is 250 MB; parsed whole (a `serde` tree, then a document per grant) it
//! took several times that, and `diff` read two of them (issue 16). Here each grant's document
//! is kept as the digests of its statements, and whole only for the grants asked for: a
//! review reads a template once to find what changed, then again for the few grants it must
//! decide.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::io;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use sha2::{Digest as _, Sha256};

use super::cloudformation as cfn;
use super::pack::Item;
use super::terraform as tf;
use super::{Attachment, template_format};
use crate::compile::config::{Format, Principal, PrincipalKind};
use crate::compile::policy::{PolicyDocument, Statement, VERSION};
use crate::outdir::{Blob, Spill};

/// SHA-256: collision-resistant, so no hand edit of a template passes for the planned document.
pub type Digest = [u8; 32];

/// What a template deploys, as far as a review compares it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// Per grant, the digest of its parts (each part's number and statements, in part order):
    /// equal digests are equal documents. One split differently counts as changed, and the
    /// verdict then compares it exactly.
    pub digests: BTreeMap<String, Digest>,
    /// Every grant's policy attached to every principal.
    pub attached: BTreeSet<Attachment>,
    /// The documents of the grants asked for, whole.
    pub docs: BTreeMap<String, PolicyDocument>,
    /// With [`read_spilled`], the same as each part's statements as a JSON array, in part
    /// order, kept out of memory ([`Spill`]).
    pub spilled: BTreeMap<String, Vec<Blob>>,
}

/// A grant's document from the parts [`read_spilled`] kept; `None` when they do not read back.
pub fn spilled_document(parts: &[Blob]) -> Option<PolicyDocument> {
    let mut statement = Vec::new();
    for part in parts {
        let bytes = part.bytes().ok()?;
        let mut some: Vec<Statement> = serde_json::from_slice(&bytes).ok()?;
        statement.append(&mut some);
    }
    let version = VERSION.to_owned();
    Some(PolicyDocument { version, statement })
}

/// Reads the template `name` from `input`, keeping the documents of the grants `want` names.
/// `None` when `name` is not a template's name, the bytes are not such a template, its
/// metadata does not match its documents, it names a resource twice, or two copies of a
/// grant part differ.
pub fn read(name: &str, input: impl io::Read, want: &dyn Fn(&str) -> bool) -> Option<Reading> {
    read_with(name, input, want, None)
}

/// The documents of the grants `want` names, kept as bytes in a [`Spill`]
/// ([`Reading::spilled`]), not whole: all 100,000 grants of a template held as documents,
/// before and after, were 1 GB (issue 16). Only those: this reads again a template that
/// [`read`] read whole already, so its digests and attachments are known, and a second copy
/// of them beside the first was 30 MB at 100,000 grants. The checks that a template says one
/// thing (no resource twice, copies of a part agree) are made again.
pub fn read_spilled(
    name: &str,
    input: impl io::Read,
    want: &dyn Fn(&str) -> bool,
) -> Option<Reading> {
    read_with(name, input, want, Some(Spill::default()))
}

fn read_with(
    name: &str,
    input: impl io::Read,
    want: &dyn Fn(&str) -> bool,
    spill: Option<Spill>,
) -> Option<Reading> {
    let format = template_format(name)?;
    let mut c = Collector {
        want: Some(want),
        spill,
        ..Collector::default()
    };
    let reader = io::BufReader::with_capacity(1 << 16, input);
    let mut de = serde_json::Deserializer::from_reader(reader);
    match format {
        Format::CloudFormation => CfnRoot(&mut c).deserialize(&mut de).ok()?,
        Format::Terraform => TfRoot(&mut c).deserialize(&mut de).ok()?,
        Format::Json => return None,
    }
    de.end().ok()?;
    c.finish()
}

/// One grant part: the grant, the part's number, the digest of its statements, and the
/// statements when they are wanted.
type Part = (String, usize, Digest, Option<Kept>);

/// A wanted part's statements: whole, or as a JSON array in the spill.
enum Kept {
    Whole(Vec<Statement>),
    Spilled(Blob),
}

#[derive(Default)]
struct Collector<'w> {
    want: Option<&'w dyn Fn(&str) -> bool>,
    /// Where wanted statements go ([`read_spilled`], which keeps nothing else); `None`: they
    /// are kept whole, with the digests and attachments.
    spill: Option<Spill>,
    /// Flat and sorted at the end: a map per grant was 600 bytes of nodes each.
    parts: Vec<Part>,
    attached: BTreeSet<Attachment>,
    /// Terraform attaches a policy in resources of its own, which may come after it: each
    /// policy's grants by resource name, and the attachments (kind, name, policy ARN).
    policies: HashMap<String, Vec<String>>,
    attachments: Vec<(PrincipalKind, String, String)>,
    /// Terraform inline policies (resource name, grants) and permission sets by resource name.
    inline: Vec<(String, Vec<String>)>,
    sets: HashMap<String, String>,
}

/// The digest of a part's statements, each as its compact JSON, with its length first.
fn digest(statements: &[Statement]) -> Digest {
    let mut hash = Sha256::new();
    for s in statements {
        let bytes = serde_json::to_vec(s).expect("a statement always serializes");
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    hash.finalize().into()
}

/// The digest a [`Reading`] gives a grant held whole, as one part, with `doc`'s statements:
/// equal to a template's digest of a grant iff the template holds exactly those statements.
pub fn whole_digest(doc: &PolicyDocument) -> Digest {
    let mut hash = Sha256::new();
    hash.update(1u64.to_le_bytes());
    hash.update(digest(&doc.statement));
    hash.finalize().into()
}

impl Collector<'_> {
    /// A second read ([`read_spilled`]): the documents are kept, not the digests and
    /// attachments the first read found.
    fn documents_only(&self) -> bool {
        self.spill.is_some()
    }

    /// One deployed policy attached to `principals`, holding `items` in statement order; the
    /// grants it holds.
    fn policy(
        &mut self,
        principals: &[Principal],
        items: Vec<Item>,
        doc: PolicyDocument,
    ) -> Result<Vec<String>, String> {
        let want = self.want.expect("set by read");
        let mut statements = doc.statement.into_iter();
        let mut grants = Vec::with_capacity(items.len());
        for item in items {
            let taken: Vec<Statement> = statements.by_ref().take(item.statements).collect();
            if taken.len() != item.statements {
                return Err(format!("grant {} has fewer statements", item.grant));
            }
            if !self.documents_only() {
                for p in principals {
                    self.attached.insert(Attachment {
                        principal: p.clone(),
                        grant: item.grant.clone(),
                    });
                }
            }
            let digest = digest(&taken);
            let keep = want(&item.grant).then(|| match &mut self.spill {
                Some(spill) => {
                    let bytes = serde_json::to_vec(&taken).expect("statements always serialize");
                    Kept::Spilled(spill.keep(bytes))
                }
                None => Kept::Whole(taken),
            });
            self.parts
                .push((item.grant.clone(), item.part, digest, keep));
            grants.push(item.grant);
        }
        if statements.next().is_some() {
            return Err("statements that no grant holds".to_owned());
        }
        Ok(grants)
    }

    /// A Terraform attachment, resolved at once when its policy came first (as ssm-compile
    /// writes them), else when the file is read.
    fn attach(&mut self, kind: PrincipalKind, name: String, arn: String) {
        if self.documents_only() {
            return;
        }
        let res = arn
            .strip_prefix("${aws_iam_policy.")
            .and_then(|r| r.strip_suffix(".arn}"));
        match res.and_then(|r| self.policies.get(r)) {
            Some(grants) => {
                for grant in grants {
                    let principal = Principal {
                        kind,
                        name: name.clone(),
                    };
                    let grant = grant.clone();
                    self.attached.insert(Attachment { principal, grant });
                }
            }
            None => self.attachments.push((kind, name, arn)),
        }
    }

    fn finish(mut self) -> Option<Reading> {
        let documents_only = self.documents_only();
        let mut attached = std::mem::take(&mut self.attached);
        // Read again for documents only: the attachments resolved the first time.
        let (attachments, inline) = match documents_only {
            true => (&[][..], &[][..]),
            false => (&self.attachments[..], &self.inline[..]),
        };
        for (kind, name, arn) in attachments {
            let res = arn
                .strip_prefix("${aws_iam_policy.")?
                .strip_suffix(".arn}")?;
            for grant in self.policies.get(res)? {
                let principal = Principal {
                    kind: *kind,
                    name: name.clone(),
                };
                let grant = grant.clone();
                attached.insert(Attachment { principal, grant });
            }
        }
        for (res, grants) in inline {
            let principal = Principal {
                kind: PrincipalKind::PermissionSet,
                name: self.sets.get(res)?.clone(),
            };
            for grant in grants {
                let (principal, grant) = (principal.clone(), grant.clone());
                attached.insert(Attachment { principal, grant });
            }
        }
        // What was only needed to resolve attachments goes before the digests are made.
        let parts = std::mem::take(&mut self.parts);
        drop(self);
        let mut reading = Reading {
            attached,
            ..Reading::default()
        };
        // A part attached to several principal sets is in each of their policies: the copies
        // must agree, or the template does not say one thing.
        let mut parts = parts;
        parts.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        parts.dedup_by(|b, a| a.0 == b.0 && a.1 == b.1 && a.2 == b.2);
        if parts
            .windows(2)
            .any(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1)
        {
            return None;
        }
        let mut parts = parts.into_iter().peekable();
        while let Some((grant, part, first, statements)) = parts.next() {
            // A grant's digest covers its parts in order, each part's number with its digest.
            let mut hash = Sha256::new();
            let mut kept = statements.map(|k| vec![k]);
            let mut add = |part: usize, d: &Digest| {
                hash.update((part as u64).to_le_bytes());
                hash.update(d);
            };
            add(part, &first);
            while let Some((_, part, d, s)) = parts.next_if(|p| p.0 == grant) {
                add(part, &d);
                match (&mut kept, s) {
                    (Some(all), Some(s)) => all.push(s),
                    _ => kept = None,
                }
            }
            keep_document(&mut reading, &grant, kept);
            if !documents_only {
                reading.digests.insert(grant, hash.finalize().into());
            }
        }
        Some(reading)
    }
}

/// A grant's wanted parts, in part order, as its document (whole) or its spilled parts.
fn keep_document(reading: &mut Reading, grant: &str, kept: Option<Vec<Kept>>) {
    let Some(kept) = kept else { return };
    let mut statement = Vec::new();
    let mut spilled = Vec::new();
    for part in kept {
        match part {
            Kept::Whole(mut s) => statement.append(&mut s),
            Kept::Spilled(blob) => spilled.push(blob),
        }
    }
    if spilled.is_empty() {
        let version = VERSION.to_owned();
        let doc = PolicyDocument { version, statement };
        reading.docs.insert(grant.to_owned(), doc);
    } else {
        reading.spilled.insert(grant.to_owned(), spilled);
    }
}

/// A JSON object read an entry at a time, each value handed to the closure as it is read. A
/// key twice is an error: which of the two a deployment tool takes is not ours to guess.
struct Entries<T, F>(F, PhantomData<T>);

fn entries<T, F: FnMut(String, T) -> Result<(), String>>(f: F) -> Entries<T, F> {
    Entries(f, PhantomData)
}

impl<'de, T, F> DeserializeSeed<'de> for Entries<T, F>
where
    T: Deserialize<'de>,
    F: FnMut(String, T) -> Result<(), String>,
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T, F> Visitor<'de> for Entries<T, F>
where
    T: Deserialize<'de>,
    F: FnMut(String, T) -> Result<(), String>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of resources")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        // Keys are told apart by a hash: 100,000 copies of the names were 6 MB.
        let hasher = std::hash::RandomState::new();
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let value: T = map.next_value()?;
            if !seen.insert(std::hash::BuildHasher::hash_one(&hasher, &key)) {
                return Err(de::Error::custom(format!("{key} twice")));
            }
            (self.0)(key, value).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

/// Marks a field seen, failing on the second time.
fn once<E: de::Error>(seen: &mut HashSet<&'static str>, field: &'static str) -> Result<(), E> {
    if seen.insert(field) {
        Ok(())
    } else {
        Err(E::duplicate_field(field))
    }
}

/// The fields of a root object, as `serde` reads a struct: unknown ones skipped, duplicates
/// refused, the required ones checked at the end.
macro_rules! root_visitor {
    ($name:ident, $what:literal, $required:expr, |$c:ident, $key:ident, $map:ident| $body:block) => {
        impl<'de> DeserializeSeed<'de> for $name<'_, '_> {
            type Value = ();

            fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                d.deserialize_map(self)
            }
        }

        impl<'de> Visitor<'de> for $name<'_, '_> {
            type Value = ();

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str($what)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut $map: A) -> Result<(), A::Error> {
                let $c = self.0;
                let mut seen = HashSet::new();
                while let Some($key) = $map.next_key::<String>()? {
                    let known: Option<&'static str> = $body;
                    match known {
                        Some(field) => once(&mut seen, field)?,
                        None => {
                            $map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                for field in $required {
                    if !seen.contains(field) {
                        return Err(de::Error::missing_field(field));
                    }
                }
                Ok(())
            }
        }
    };
}

struct CfnRoot<'c, 'w>(&'c mut Collector<'w>);

root_visitor!(
    CfnRoot,
    "a CloudFormation template",
    ["AWSTemplateFormatVersion", "Description", "Resources"],
    |c, key, map| {
        match key.as_str() {
            "AWSTemplateFormatVersion" => {
                map.next_value::<String>()?;
                Some("AWSTemplateFormatVersion")
            }
            "Description" => {
                map.next_value::<String>()?;
                Some("Description")
            }
            "Parameters" => {
                map.next_value::<BTreeMap<String, cfn::Parameter>>()?;
                Some("Parameters")
            }
            "Resources" => {
                map.next_value_seed(entries(|_, r: cfn::Resource| cfn_resource(c, r)))?;
                Some("Resources")
            }
            _ => None,
        }
    }
);

fn cfn_resource(c: &mut Collector, r: cfn::Resource) -> Result<(), String> {
    let (principals, document) = match r.properties {
        cfn::Properties::Policy(p) => {
            let mut principals = Vec::new();
            for (kind, names) in [
                (PrincipalKind::User, p.users),
                (PrincipalKind::Group, p.groups),
                (PrincipalKind::Role, p.roles),
            ] {
                principals.extend(names.into_iter().map(|name| Principal { kind, name }));
            }
            (principals, p.document)
        }
        cfn::Properties::PermissionSet(s) => {
            let kind = PrincipalKind::PermissionSet;
            (vec![Principal { kind, name: s.name }], s.document)
        }
    };
    c.policy(&principals, r.metadata.grants, document).map(drop)
}

struct TfRoot<'c, 'w>(&'c mut Collector<'w>);

root_visitor!(
    TfRoot,
    "a Terraform configuration",
    ["//", "resource"],
    |c, key, map| {
        match key.as_str() {
            "//" => {
                map.next_value::<String>()?;
                Some("//")
            }
            "variable" => {
                map.next_value::<BTreeMap<String, tf::Variable>>()?;
                Some("variable")
            }
            "resource" => {
                map.next_value_seed(TfResources(&mut *c))?;
                Some("resource")
            }
            _ => None,
        }
    }
);

struct TfResources<'c, 'w>(&'c mut Collector<'w>);

/// A Terraform policy's grant parts and document, from their JSON strings.
fn tf_policy(c: &mut Collector, grants: &str, policy: &str) -> Result<Vec<String>, String> {
    let items = serde_json::from_str(grants).map_err(|e| e.to_string())?;
    let doc = serde_json::from_str(&tf::unescape(policy)).map_err(|e| e.to_string())?;
    c.policy(&[], items, doc)
}

root_visitor!(
    TfResources,
    "Terraform resources",
    [] as [&str; 0],
    |c, key, map| {
        let attach = |c: &mut Collector, kind, name: String, arn: String| {
            c.attach(kind, name, arn);
            Ok(())
        };
        match key.as_str() {
            "aws_iam_policy" => {
                map.next_value_seed(entries(|res, p: tf::Policy| {
                    let grants = tf_policy(c, &p.grants, &p.policy)?;
                    if c.documents_only() {
                        return Ok(());
                    }
                    match c.policies.insert(res, grants) {
                        Some(_) => Err("a policy named twice".to_owned()),
                        None => Ok(()),
                    }
                }))?;
                Some("aws_iam_policy")
            }
            "aws_iam_user_policy_attachment" => {
                map.next_value_seed(entries(|_, a: tf::UserAttachment| {
                    attach(c, PrincipalKind::User, a.user, a.policy_arn)
                }))?;
                Some("aws_iam_user_policy_attachment")
            }
            "aws_iam_group_policy_attachment" => {
                map.next_value_seed(entries(|_, a: tf::GroupAttachment| {
                    attach(c, PrincipalKind::Group, a.group, a.policy_arn)
                }))?;
                Some("aws_iam_group_policy_attachment")
            }
            "aws_iam_role_policy_attachment" => {
                map.next_value_seed(entries(|_, a: tf::RoleAttachment| {
                    attach(c, PrincipalKind::Role, a.role, a.policy_arn)
                }))?;
                Some("aws_iam_role_policy_attachment")
            }
            "aws_ssoadmin_permission_set" => {
                map.next_value_seed(entries(|res, s: tf::PermissionSet| {
                    c.sets.insert(res, s.name);
                    Ok(())
                }))?;
                Some("aws_ssoadmin_permission_set")
            }
            "aws_ssoadmin_permission_set_inline_policy" => {
                map.next_value_seed(entries(|res, p: tf::InlinePolicy| {
                    let grants = tf_policy(c, &p.grants, &p.inline_policy)?;
                    if !c.documents_only() {
                        c.inline.push((res, grants));
                    }
                    Ok(())
                }))?;
                Some("aws_ssoadmin_permission_set_inline_policy")
            }
            _ => None,
        }
    }
);
