//! Every problem of the catalogue has words: one instance of each variant renders a message
//! (and its label and help, where it has them) with no `{name}` placeholder left, and every
//! `Kind` is reported from the catalogue except those `deploy` still words itself.

use std::io;

use super::grant::Rules;
use super::keys::{Keys, Place};
use super::lints::Lints;
use super::outputs::Outputs;
use super::questions::{InputFile, Questions};
use super::reading::{Reading, SyntaxHelp};
use super::shape::Shape;
use super::values::{GrantName, PrincipalName, TagKey, TagValue, Values};
use super::world::World;
use super::{Diagnostic, Kind, Problem};
use crate::aws::Partition;

/// Kinds `src/deploy` reports with its own words, until it moves to the catalogue.
const WORDED_IN_DEPLOY: &[Kind] = &[
    Kind::ManyAttachments,
    Kind::TooManyAttachments,
    Kind::OutputFileCollision,
    Kind::TerraformFileCollision,
    Kind::TooManyResources,
    Kind::IdCollision,
];

fn reading() -> Vec<Diagnostic> {
    vec![
        Reading::NotUtf8 { byte: 0xff }.at(0..1),
        Reading::Syntax { message: "expected `=`", help: SyntaxHelp::Quote("x") }.at(0..1),
        Reading::Syntax { message: "invalid basic string", help: SyntaxHelp::CloseString }.at(0..1),
        Reading::Syntax { message: "expected `]`", help: SyntaxHelp::General }.at(0..1),
        Reading::Unclosed { table: true }.at(0..1),
        Reading::Unclosed { table: false }.at(0..1),
        Reading::CurlyQuotes { straight: "\"admin\"".into() }.at(0..1),
        Reading::NotToml { policy: true }.at(0..1),
        Reading::NotToml { policy: false }.at(0..1),
        Reading::GrantArrayAfterNamed { named: Some(0..1) }.at(2..3),
        Reading::DuplicateTable { header: "[grant.web]", first: Some(0..1) }.at(2..3),
        Reading::DuplicateKey { key: "role", first: None }.at(2..3),
    ]
}

fn shape() -> Vec<Diagnostic> {
    let (key, example) = ("who", "who = [\"user:alice\"]");
    vec![
        Shape::WrongType { key, expected: "a string", found: "integer", example, account_number: false }.at(0..1),
        Shape::WrongType { key: "account", expected: "a string", found: "integer", example, account_number: true }.at(0..1),
        Shape::Placeholder { value: "region", key }.at(0..1),
        Shape::QuotedBoolean { key, value: "true" }.at(0..1),
        Shape::NotAList { key, value: "x" }.at(0..1),
        Shape::Empty { key, example }.at(0..1),
        Shape::EmptyTags.at(0..1),
        Shape::NotAStringItem { key, found: "integer", example }.at(0..1),
        Shape::Repeated { value: "x", key, first_span: 0..1 }.at(2..3),
        Shape::NotAnAction { value: "ssm" }.at(0..1),
        Shape::UnknownChoice { key: "role", value: "admn", suggestion: Some("admin"), options: &["admin"] }.at(0..1),
        Shape::UnknownChoice { key: "role", value: "x", suggestion: None, options: &["admin"] }.at(0..1),
    ]
}

fn keys() -> Vec<Diagnostic> {
    let known = &["role", "who"];
    let place = Place::Grant("web");
    vec![
        Keys::UnknownKey { key: "whom", place, suggestion: Some("who"), known }.at(0..1),
        Keys::UnknownKey { key: "wh\u{043e}", place: Place::Top, suggestion: Some("who"), known }.at(0..1),
        Keys::UnknownKey { key: "x", place: Place::Forbid("f"), suggestion: None, known }.at(0..1),
        Keys::UnknownKey { key: "x", place: Place::Defaults, suggestion: None, known }.at(0..1),
        Keys::NotAGrantKey { key: "output" }.at(0..1),
        Keys::GrantArray.at(0..1),
        Keys::GrantNotTable { name: "web", found: "string" }.at(0..1),
        Keys::NoGrantKey.at(0..0),
        Keys::NoGrants.at(0..0),
        Keys::MissingKey { grant: "web", key: "who", example: "who = []" }.at(0..1),
        Keys::ForbidWithoutTarget { name: "prod" }.at(0..1),
        Keys::MissingEverywhere { key: "account", example: "account = \"1\"" }.at(0..0),
        Keys::MissingInGrant { grant: "web", key: "account", example: "account = \"1\"" }.at(0..1),
        Keys::UnknownLint { name: "x", suggestion: None, lints: &["a", "b"] }.at(0..1),
        Keys::UnknownLint { name: "x", suggestion: Some("a"), lints: &["a"] }.at(0..1),
        Keys::LintIsError { name: "unknown-region", code: "E0418", kind: Kind::UnknownRegion }.at(0..1),
        Keys::LintIsError { name: "x", code: "E0419", kind: Kind::UnknownDocument }.at(0..1),
        Keys::LintIsError { name: "x", code: "E0400", kind: Kind::BadAccount }.at(0..1),
        Keys::GrantKeyAtTop { key: "role" }.at(0..1),
        Keys::NotADefault { key: "account", defaultable: &["consoles"] }.at(0..1),
        Keys::NotADefault { key: "who", defaultable: &["consoles"] }.at(0..1),
    ]
}

fn values() -> Vec<Diagnostic> {
    let (value, known) = ("x", &["json", "terraform"][..]);
    let mut out = vec![
        Values::BadAccount { value }.at(0..1),
        Values::BadRegion { value, problem: "bad".into(), suggestion: Some("us-east-2") }.at(0..1),
        Values::BadRegion { value, problem: "bad".into(), suggestion: None }.at(0..1),
        Values::EmptyOutput.at(0..1),
        Values::BadMaxManagedPolicies { written: "30", max: 20 }.at(0..1),
        Values::UnknownFormat { value, suggestion: Some("json"), known }.at(0..1),
        Values::UnknownFormat { value, suggestion: None, known }.at(0..1),
        Values::UnknownPrincipalType { kind: "usr", value: "usr:a", suggestion: Some("user") }.at(0..1),
        Values::UntypedPrincipal { value }.at(0..1),
        Values::UnknownConsole { value, suggestion: Some("cli"), known }.at(0..1),
        Values::StarNotAlone.at(0..1),
        Values::BadInstanceId { value, problem: "bad".into() }.at(0..1),
        Values::TagKeyCase { first: "Team", key: "team", first_span: 0..1 }.at(2..3),
        Values::BadDocumentName { value, problem: "bad".into(), suggestion: Some("AWS-StartSSHSession") }.at(0..1),
        Values::BadDocumentName { value, problem: "bad".into(), suggestion: None }.at(0..1),
        Values::BadKmsArn { problem: None }.at(0..1),
        Values::BadKmsArn { problem: Some("bad region".into()) }.at(0..1),
        Values::KmsAlias.at(0..1),
        Values::KmsPartition { key: "aws-cn".into(), grant: "aws".into(), region: "us-east-2" }.at(0..1),
        Values::KmsRegion { key: "us-east-1", region: "us-east-2" }.at(0..1),
        Values::UnknownRegion { value, within: "", suggestion: Some("us-east-2"), pattern: true }.at(0..1),
        Values::UnknownRegion { value, within: " in `kms_key`", suggestion: None, pattern: true }.at(0..1),
        Values::UnknownRegion { value, within: "", suggestion: None, pattern: false }.at(0..1),
        Values::UnknownRegionAllowed { value, within: "" }.at(0..1),
        Values::UnknownDocument { value, suggestion: Some("AWS-StartSSHSession") }.at(0..1),
        Values::UnknownDocument { value, suggestion: None }.at(0..1),
        Values::UnknownDocumentAllowed { value }.at(0..1),
    ];
    for problem in [
        GrantName::Empty,
        GrantName::TooLong(200),
        GrantName::BadChars(vec!['/', '/', ' ']),
        GrantName::Dots,
        GrantName::WindowsDevice,
    ] {
        out.push(Values::BadGrantName { name: "con", problem }.at(0..1));
    }
    for problem in [
        PrincipalName::Empty,
        PrincipalName::ArnOrPath,
        PrincipalName::TooLong { max: 64 },
        PrincipalName::BadChar('!'),
    ] {
        out.push(Values::BadPrincipalName { value: "user:a!", kind: "user", problem }.at(0..1));
    }
    for problem in [TagKey::Placeholder, TagKey::Length, TagKey::Reserved, TagKey::BadChar('!')] {
        out.push(Values::BadTagKey { key: "tag-key", problem }.at(0..1));
    }
    for problem in [TagValue::Placeholder, TagValue::TooLong(300), TagValue::BadChar('\u{2603}')] {
        out.push(Values::BadTagValue { key: "Team", problem }.at(0..1));
    }
    out
}

fn rules() -> Vec<Diagnostic> {
    let (grant, names) = ("web", &["role:a".to_owned()][..]);
    vec![
        Rules::InstancesAndTags { grant, instances: 0..1 }.at(2..3),
        Rules::NoTarget { grant }.at(0..1),
        Rules::DocumentsForAdmin { key: "documents" }.at(0..1),
        Rules::DocumentsWithEc2 { key: "documents" }.at(0..1),
        Rules::AgentUpdateWithoutEc2.at(0..1),
        Rules::GrantPartition { grant, region: "cn-north-1", derived: Partition::AwsCn, explicit: Partition::Aws, partition_span: 0..1 }.at(2..3),
        Rules::UsernameForPermissionSets { sets: names }.at(0..1),
        Rules::UsernameForRoles { roles: names }.at(0..1),
        Rules::PartitionContradictsRegion { partition: Partition::Aws, region: "cn-north-1", derived: Partition::AwsCn, region_span: 0..1 }.at(2..3),
        Rules::CaseCollision { grant: "Web", first: "web", first_span: 0..1 }.at(2..3),
        Rules::Internal { grant }.at(0..1),
    ]
}

fn outputs_lints_questions() -> Vec<Diagnostic> {
    let (grant, files) = ("web", &["web.json".to_owned(), "web-2.json".to_owned()][..]);
    vec![
        Outputs::PolicyTooLarge { grant, size: 7000 }.at(0..1),
        Outputs::SplitChangesAccess { grant }.at(0..1),
        Outputs::PolicySplit { grant, size: 7000, files }.at(0..1),
        Lints::RemoteHostPortForwarding { grant, document: "AWS-StartPortForwardingSessionToRemoteHost" }.at(0..1),
        Lints::UnloggedSessionDocument { document: "AWS-StartSSHSession" }.at(0..1),
        Lints::AdminCanChangePreferences { grant }.at(0..1),
        Lints::TagSelectedGrant { grant, keys: vec!["Team", "Env"], located: true, others: vec![4..5] }.at(0..1),
        Lints::TagSelectedGrant { grant, keys: vec!["Team"], located: false, others: vec![] }.diagnostic(),
        Lints::ManagedNodesUnreachable { grant, tags: true }.at(0..1),
        Lints::ManagedNodesUnreachable { grant, tags: false }.at(0..1),
        Lints::Ec2ConsoleAgentUpdateDenied { grant }.at(0..1),
        Lints::UsernamePrefixCollision { grant, user: "al", others: vec!["al-ops"], first_span: 0..1 }.at(2..3),
        Questions::ForbidViolated { grant, principals: &["user:a"], forbid: "prod", forbid_span: 0..1, action: "ssm:StartSession".into(), resource: "*".into(), context: vec!["k=v".into()] }.at(2..3),
        Questions::ForbidUndecidable { forbid: "prod", forbid_span: 0..1, reason: "too many" }.at(2..3),
        Questions::BadInputFile { input: InputFile::Members, error: "eof".into() }.at(0..1),
        Questions::BadInputFile { input: InputFile::Instances, error: "eof".into() }.at(0..1),
        Questions::UnknownPrincipal { principal: "user:bob", suggestion: Some("user:bo") }.diagnostic(),
        Questions::UnknownPrincipal { principal: "user:bob", suggestion: None }.diagnostic(),
        Questions::Incomplete { reason: "no account" }.diagnostic(),
        Questions::Undecidable { reason: "too many states" }.diagnostic(),
    ]
}

fn world() -> Vec<Diagnostic> {
    let (path, dir) = ("access.toml", "policies");
    let errors = [
        io::Error::from(io::ErrorKind::PermissionDenied),
        io::Error::from(io::ErrorKind::NotFound),
        io::Error::from(io::ErrorKind::IsADirectory),
        io::Error::from(io::ErrorKind::StorageFull),
        io::Error::from(io::ErrorKind::ReadOnlyFilesystem),
    ];
    let mut out = Vec::new();
    for error in &errors {
        out.push(World::Failed { what: "write", path, error }.diagnostic());
        out.push(World::Failed { what: "read", path, error }.diagnostic());
        out.push(World::ConfigReadFailed { path, error }.diagnostic());
        out.push(World::LockFailed { path, error }.diagnostic());
    }
    out.extend([
        World::OutputLocked { dir, waited: "2 s", lock: "policies/.lock" }.diagnostic(),
        World::InTheWay { path, link: true }.diagnostic(),
        World::InTheWay { path, link: false }.diagnostic(),
        World::LinkedOutputDir { dir }.diagnostic(),
        World::ManifestTooLarge { path, max_mib: 64 }.diagnostic(),
        World::FileTooLarge { path, max_mib: 32 }.diagnostic(),
        World::ConfigIsDirectory { path, inside: Some("x/access.toml") }.diagnostic(),
        World::ConfigIsDirectory { path, inside: None }.diagnostic(),
        World::OutputIsFile { dir }.diagnostic(),
        World::NoParent { dir, parent: "a" }.diagnostic(),
        World::ConfigExists { path }.at(0..0),
        World::NotRegular { path, what: "a FIFO" }.diagnostic(),
        World::WatchLimit { dir }.diagnostic(),
        World::WatchInstances { dir, error: "too many".into() }.diagnostic(),
        World::WatchFailed { dir, error: "gone".into() }.diagnostic(),
        World::CtrlC { error: "taken".into() }.diagnostic(),
        World::PrintFailed { what: "the report", error: "broken pipe".into() }.diagnostic(),
    ]);
    out
}

fn every_example() -> Vec<Diagnostic> {
    [reading(), shape(), keys(), values(), rules(), outputs_lints_questions(), world()].concat()
}

/// A `{word}` left in the text: a `format!` argument written in a plain string.
fn placeholder(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        // A name starts with a letter: `\u{43e}` is an escape, not a placeholder.
        if let Some(end) = end
            && after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && after[end..].starts_with('}')
        {
            return Some(&rest[open..open + end + 2]);
        }
        rest = after;
    }
    None
}

#[test]
fn every_problem_has_words() {
    for d in every_example() {
        assert!(!d.message.trim().is_empty(), "{:?} has no message", d.kind);
        assert_eq!(d.severity, d.kind.severity());
        let texts = [Some(&d.message), d.label.as_ref(), d.help.as_ref()];
        let related = d.related.iter().map(|(_, t)| Some(t));
        for text in texts.into_iter().chain(related).flatten() {
            assert!(!text.trim().is_empty(), "{:?}: an empty text", d.kind);
            assert_eq!(placeholder(text), None, "{:?}: {text}", d.kind);
        }
    }
}

#[test]
fn every_kind_is_worded_in_the_catalogue() {
    let worded: Vec<Kind> = every_example().iter().map(|d| d.kind).collect();
    for kind in Kind::ALL {
        assert!(
            worded.contains(kind) != WORDED_IN_DEPLOY.contains(kind),
            "{kind:?}: give it a catalogue entry (and an example here), or take it off WORDED_IN_DEPLOY"
        );
    }
}

#[test]
fn placeholders_are_found() {
    assert_eq!(placeholder("`{key}` is empty"), Some("{key}"));
    assert_eq!(placeholder("tags = { Team = \"web\" }"), None);
    assert_eq!(placeholder("`${aws:username}`"), None);
    assert_eq!(placeholder("written `wh\\u{43e}`"), None);
}
