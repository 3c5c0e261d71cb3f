//! One instance of each problem across keys and grants, of the outputs, lints, questions
//! and the world outside the file.

use std::io;

use crate::aws::Partition;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::Problem;
use crate::diagnostic::message::grant::Rules;
use crate::diagnostic::message::lints::Lints;
use crate::diagnostic::message::outputs::Outputs;
use crate::diagnostic::message::questions::{InputFile, Questions};
use crate::diagnostic::message::world::{FileType, World};

pub(super) fn rules() -> Vec<Diagnostic> {
    let (grant, names) = ("web", &["role:a".to_owned()][..]);
    vec![
        Rules::InstancesAndTags {
            grant,
            instances: 0..1,
        }
        .at(2..3),
        Rules::NoTarget { grant }.at(0..1),
        Rules::DocumentsForAdmin { key: "documents" }.at(0..1),
        Rules::DocumentsWithEc2 { key: "documents" }.at(0..1),
        Rules::AgentUpdateWithoutEc2.at(0..1),
        Rules::GrantPartition {
            grant,
            region: "cn-north-1",
            derived: Partition::AwsCn,
            explicit: Partition::Aws,
            partition_span: 0..1,
        }
        .at(2..3),
        Rules::UsernameForPermissionSets { sets: names }.at(0..1),
        Rules::UsernameForRoles { roles: names }.at(0..1),
        Rules::PartitionContradictsRegion {
            partition: Partition::Aws,
            region: "cn-north-1",
            derived: Partition::AwsCn,
            region_span: 0..1,
        }
        .at(2..3),
        Rules::CaseCollision {
            grant: "Web",
            first: "web",
            first_span: 0..1,
        }
        .at(2..3),
        Rules::Internal { grant }.at(0..1),
    ]
}

pub(super) fn outputs_lints_questions() -> Vec<Diagnostic> {
    let (grant, files) = ("web", &["web.json".to_owned(), "web-2.json".to_owned()][..]);
    vec![
        Outputs::PolicyTooLarge { grant, size: 7000 }.at(0..1),
        Outputs::SplitChangesAccess { grant }.at(0..1),
        Outputs::PolicySplit {
            grant,
            size: 7000,
            files,
        }
        .at(0..1),
        Lints::RemoteHostPortForwarding {
            grant,
            document: "AWS-StartPortForwardingSessionToRemoteHost",
        }
        .at(0..1),
        Lints::UnloggedSessionDocument {
            document: "AWS-StartSSHSession",
        }
        .at(0..1),
        Lints::AdminCanChangePreferences { grant }.at(0..1),
        Lints::TagSelectedGrant {
            grant,
            keys: vec!["Team", "Env"],
            located: true,
            others: vec![4..5, 6..7],
        }
        .at(0..1),
        Lints::TagSelectedGrant {
            grant,
            keys: vec!["Team"],
            located: false,
            others: vec![],
        }
        .diagnostic(),
        Lints::ManagedNodesUnreachable { grant, tags: true }.at(0..1),
        Lints::ManagedNodesUnreachable { grant, tags: false }.at(0..1),
        Lints::Ec2ConsoleAgentUpdateDenied { grant }.at(0..1),
        Lints::UsernamePrefixCollision {
            grant,
            user: "al",
            others: vec!["al-ops"],
            first_span: 0..1,
        }
        .at(2..3),
    ]
    .into_iter()
    .chain(questions())
    .collect()
}

fn questions() -> Vec<Diagnostic> {
    let grant = "web";
    vec![
        Questions::ForbidViolated {
            grant,
            principals: &["user:a"],
            forbid: "prod",
            forbid_span: 0..1,
            action: "ssm:StartSession".into(),
            resource: "*".into(),
            context: vec!["k=v".into()],
        }
        .at(2..3),
        Questions::ForbidUndecidable {
            forbid: "prod",
            forbid_span: 0..1,
            reason: "too many",
        }
        .at(2..3),
        Questions::BadInputFile {
            input: InputFile::Members,
            error: "eof".into(),
        }
        .at(0..1),
        Questions::BadInputFile {
            input: InputFile::Instances,
            error: "eof".into(),
        }
        .at(0..1),
        Questions::UnknownPrincipal {
            principal: "user:bob",
            suggestion: Some("user:bo"),
        }
        .diagnostic(),
        Questions::UnknownPrincipal {
            principal: "user:bob",
            suggestion: None,
        }
        .diagnostic(),
        Questions::Incomplete { key: "account" }.diagnostic(),
        Questions::Undecidable {
            reason: "too many states",
        }
        .diagnostic(),
    ]
}

pub(super) fn world() -> Vec<Diagnostic> {
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
        out.push(
            World::Failed {
                what: "write",
                path,
                error,
            }
            .diagnostic(),
        );
        out.push(
            World::Failed {
                what: "read",
                path,
                error,
            }
            .diagnostic(),
        );
        out.push(World::ConfigReadFailed { path, error }.diagnostic());
        out.push(World::LockFailed { path, error }.diagnostic());
    }
    out.extend(world_places(path, dir));
    out
}

fn world_places(path: &'static str, dir: &'static str) -> Vec<Diagnostic> {
    vec![
        World::OutputLocked {
            dir,
            waited: "2 s",
            lock: "policies/.lock",
        }
        .diagnostic(),
        World::InTheWay { path, link: true }.diagnostic(),
        World::InTheWay { path, link: false }.diagnostic(),
        World::LinkedOutputDir { dir }.diagnostic(),
        World::ManifestTooLarge { path, max_mib: 64 }.diagnostic(),
        World::FileTooLarge { path, max_mib: 32 }.diagnostic(),
        World::ConfigIsDirectory {
            path,
            inside: Some("x/access.toml"),
        }
        .diagnostic(),
        World::ConfigIsDirectory { path, inside: None }.diagnostic(),
        World::OutputIsFile { dir }.diagnostic(),
        World::NoParent { dir, parent: "a" }.diagnostic(),
        World::ConfigExists { path }.at(0..0),
        World::NotRegular {
            path,
            what: FileType::Fifo,
        }
        .diagnostic(),
        World::WatchLimit { dir }.diagnostic(),
        World::WatchInstances {
            dir,
            error: "too many".into(),
        }
        .diagnostic(),
        World::WatchFailed {
            dir,
            error: "gone".into(),
        }
        .diagnostic(),
        World::CtrlC {
            error: "taken".into(),
        }
        .diagnostic(),
        World::PrintFailed {
            what: "the report",
            error: "broken pipe".into(),
        }
        .diagnostic(),
    ]
}
