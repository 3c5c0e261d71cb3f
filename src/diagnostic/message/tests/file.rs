//! One instance of each problem found in the file: reading, shapes, keys, values.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::Kind;
use crate::diagnostic::message::Problem;
use crate::diagnostic::message::keys::{Keys, Place};
use crate::diagnostic::message::reading::{Reading, SyntaxHelp};
use crate::diagnostic::message::shape::Shape;
use crate::diagnostic::message::values::{GrantName, PrincipalName, TagKey, TagValue, Values};

pub(super) fn reading() -> Vec<Diagnostic> {
    vec![
        Reading::NotUtf8 { byte: 0xff }.at(0..1),
        Reading::Syntax {
            message: "expected `=`",
            help: SyntaxHelp::Quote("x"),
        }
        .at(0..1),
        Reading::Syntax {
            message: "invalid basic string",
            help: SyntaxHelp::CloseString,
        }
        .at(0..1),
        Reading::Syntax {
            message: "expected `]`",
            help: SyntaxHelp::General,
        }
        .at(0..1),
        Reading::Unclosed { table: true }.at(0..1),
        Reading::Unclosed { table: false }.at(0..1),
        Reading::CurlyQuotes {
            straight: "\"admin\"".into(),
        }
        .at(0..1),
        Reading::NotToml { policy: true }.at(0..1),
        Reading::NotToml { policy: false }.at(0..1),
        Reading::GrantArrayAfterNamed { named: Some(0..1) }.at(2..3),
        Reading::DuplicateTable {
            header: "[grant.web]",
            first: Some(0..1),
        }
        .at(2..3),
        Reading::DuplicateKey {
            key: "role",
            first: None,
        }
        .at(2..3),
    ]
}

pub(super) fn shape() -> Vec<Diagnostic> {
    let (key, example) = ("who", "who = [\"user:alice\"]");
    vec![
        Shape::WrongType {
            key,
            expected: "a string",
            found: "integer",
            example,
            account_number: false,
        }
        .at(0..1),
        Shape::WrongType {
            key: "account",
            expected: "a string",
            found: "integer",
            example,
            account_number: true,
        }
        .at(0..1),
        Shape::Placeholder {
            value: "region",
            key,
        }
        .at(0..1),
        Shape::QuotedBoolean { key, value: "true" }.at(0..1),
        Shape::NotAList { key, value: "x" }.at(0..1),
        Shape::Empty { key, example }.at(0..1),
        Shape::EmptyTags.at(0..1),
        Shape::NotAStringItem {
            key,
            found: "integer",
            example,
        }
        .at(0..1),
        Shape::Repeated {
            value: "x",
            key,
            first_span: 0..1,
        }
        .at(2..3),
        Shape::NotAnAction { value: "ssm" }.at(0..1),
        Shape::UnknownChoice {
            key: "role",
            value: "admn",
            suggestion: Some("admin"),
            options: &["admin"],
        }
        .at(0..1),
        Shape::UnknownChoice {
            key: "role",
            value: "x",
            suggestion: None,
            options: &["admin"],
        }
        .at(0..1),
    ]
}

pub(super) fn keys() -> Vec<Diagnostic> {
    let known = &["role", "who"];
    let place = Place::Grant("web");
    vec![
        Keys::UnknownKey {
            key: "whom",
            place,
            suggestion: Some("who"),
            known,
        }
        .at(0..1),
        Keys::UnknownKey {
            key: "wh\u{043e}",
            place: Place::Top,
            suggestion: Some("who"),
            known,
        }
        .at(0..1),
        Keys::UnknownKey {
            key: "x",
            place: Place::Forbid("f"),
            suggestion: None,
            known,
        }
        .at(0..1),
        Keys::UnknownKey {
            key: "x",
            place: Place::Defaults,
            suggestion: None,
            known,
        }
        .at(0..1),
        Keys::NotAGrantKey { key: "output" }.at(0..1),
        Keys::GrantArray.at(0..1),
        Keys::GrantNotTable {
            name: "web",
            found: "string",
        }
        .at(0..1),
        Keys::NoGrantKey.at(0..0),
        Keys::NoGrants.at(0..0),
        Keys::MissingKey {
            grant: "web",
            key: "who",
            example: "who = []",
        }
        .at(0..1),
        Keys::ForbidWithoutTarget { name: "prod" }.at(0..1),
        Keys::MissingEverywhere {
            key: "account",
            example: "account = \"1\"",
        }
        .at(0..0),
        Keys::MissingInGrant {
            grant: "web",
            key: "account",
            example: "account = \"1\"",
        }
        .at(0..1),
    ]
    .into_iter()
    .chain(keys_lints())
    .collect()
}

fn keys_lints() -> Vec<Diagnostic> {
    vec![
        Keys::UnknownLint {
            name: "x",
            suggestion: None,
            lints: &["a", "b"],
        }
        .at(0..1),
        Keys::UnknownLint {
            name: "x",
            suggestion: Some("a"),
            lints: &["a"],
        }
        .at(0..1),
        Keys::LintIsError {
            name: "unknown-region",
            code: "E0418",
            kind: Kind::UnknownRegion,
        }
        .at(0..1),
        Keys::LintIsError {
            name: "x",
            code: "E0419",
            kind: Kind::UnknownDocument,
        }
        .at(0..1),
        Keys::LintIsError {
            name: "x",
            code: "E0400",
            kind: Kind::BadAccount,
        }
        .at(0..1),
        Keys::GrantKeyAtTop { key: "role" }.at(0..1),
        Keys::NotADefault {
            key: "account",
            defaultable: &["consoles"],
        }
        .at(0..1),
        Keys::NotADefault {
            key: "who",
            defaultable: &["consoles"],
        }
        .at(0..1),
    ]
}

pub(super) fn values() -> Vec<Diagnostic> {
    let (value, known) = ("x", &["json", "terraform"][..]);
    let mut out = vec![
        Values::BadAccount { value }.at(0..1),
        Values::BadRegion {
            value,
            problem: "bad".into(),
            suggestion: Some("us-east-2"),
        }
        .at(0..1),
        Values::BadRegion {
            value,
            problem: "bad".into(),
            suggestion: None,
        }
        .at(0..1),
        Values::EmptyOutput.at(0..1),
        Values::BadMaxManagedPolicies {
            written: "30",
            max: 20,
        }
        .at(0..1),
        Values::UnknownFormat {
            value,
            suggestion: Some("json"),
            known,
        }
        .at(0..1),
        Values::UnknownFormat {
            value,
            suggestion: None,
            known,
        }
        .at(0..1),
        Values::UnknownPrincipalType {
            kind: "usr",
            value: "usr:a",
            suggestion: Some("user"),
        }
        .at(0..1),
        Values::UntypedPrincipal { value }.at(0..1),
        Values::UnknownConsole {
            value,
            suggestion: Some("cli"),
            known,
        }
        .at(0..1),
        Values::StarNotAlone.at(0..1),
        Values::BadInstanceId {
            value,
            problem: "bad".into(),
        }
        .at(0..1),
    ];
    out.extend(values_more(value));
    out.extend(value_reasons());
    out
}

fn values_more(value: &str) -> Vec<Diagnostic> {
    vec![
        Values::TagKeyCase {
            first: "Team",
            key: "team",
            first_span: 0..1,
        }
        .at(2..3),
        Values::BadDocumentName {
            value,
            problem: "bad".into(),
            suggestion: Some("AWS-StartSSHSession"),
        }
        .at(0..1),
        Values::BadDocumentName {
            value,
            problem: "bad".into(),
            suggestion: None,
        }
        .at(0..1),
        Values::BadKmsArn { problem: None }.at(0..1),
        Values::BadKmsArn {
            problem: Some("bad region".into()),
        }
        .at(0..1),
        Values::KmsAlias.at(0..1),
        Values::KmsPartition {
            key: "aws-cn".into(),
            grant: "aws".into(),
            region: "us-east-2",
        }
        .at(0..1),
        Values::KmsRegion {
            key: "us-east-1",
            region: "us-east-2",
        }
        .at(0..1),
        Values::UnknownRegion {
            value,
            within: "",
            suggestion: Some("us-east-2"),
            pattern: true,
        }
        .at(0..1),
        Values::UnknownRegion {
            value,
            within: " in `kms_key`",
            suggestion: None,
            pattern: true,
        }
        .at(0..1),
        Values::UnknownRegion {
            value,
            within: "",
            suggestion: None,
            pattern: false,
        }
        .at(0..1),
        Values::UnknownRegionAllowed { value, within: "" }.at(0..1),
        Values::UnknownDocument {
            value,
            suggestion: Some("AWS-StartSSHSession"),
        }
        .at(0..1),
        Values::UnknownDocument {
            value,
            suggestion: None,
        }
        .at(0..1),
        Values::UnknownDocumentAllowed { value }.at(0..1),
    ]
}

fn value_reasons() -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for problem in [
        GrantName::Empty,
        GrantName::TooLong(200),
        GrantName::BadChars(vec!['/', '/', ' ']),
        GrantName::Dots,
        GrantName::WindowsDevice,
    ] {
        out.push(
            Values::BadGrantName {
                name: "con",
                problem,
            }
            .at(0..1),
        );
    }
    for problem in [
        PrincipalName::Empty,
        PrincipalName::ArnOrPath,
        PrincipalName::TooLong { max: 64 },
        PrincipalName::BadChar('!'),
    ] {
        out.push(
            Values::BadPrincipalName {
                value: "user:a!",
                kind: "user",
                problem,
            }
            .at(0..1),
        );
    }
    for problem in [
        TagKey::Placeholder,
        TagKey::Length,
        TagKey::Reserved,
        TagKey::BadChar('!'),
    ] {
        out.push(
            Values::BadTagKey {
                key: "tag-key",
                problem,
            }
            .at(0..1),
        );
    }
    for problem in [
        TagValue::Placeholder,
        TagValue::TooLong(300),
        TagValue::BadChar('\u{2603}'),
    ] {
        out.push(
            Values::BadTagValue {
                key: "Team",
                problem,
            }
            .at(0..1),
        );
    }
    out
}
