//! One instance of each `Deploy` problem.

use crate::compile::config::{Format, Principal, PrincipalKind};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::Problem;
use crate::diagnostic::message::deploy::{AccessChange, Deploy, Givers};

fn givers() -> Givers<'static> {
    Givers {
        grants: vec!["a", "b"],
        first: "a",
        others: vec![(5..9, "b")],
    }
}

pub(super) fn deploy() -> Vec<Diagnostic> {
    let kinds = [
        PrincipalKind::User,
        PrincipalKind::Group,
        PrincipalKind::Role,
        PrincipalKind::PermissionSet,
    ];
    let principals: Vec<Principal> = kinds
        .iter()
        .map(|&kind| Principal {
            kind,
            name: "ops".to_owned(),
        })
        .collect();
    let mut out = Vec::new();
    for principal in &principals {
        out.push(
            Deploy::TooManyAttachments {
                principal,
                count: 21,
                max: 20,
                givers: givers(),
            }
            .at(0..3),
        );
        out.push(
            Deploy::ManyAttachments {
                principal,
                count: 11,
                max: 20,
                givers: givers(),
            }
            .at(0..3),
        );
        out.push(
            Deploy::PackedOverQuota {
                principal,
                quota: 10,
                max_managed: 10,
                needed: 12,
                givers: givers(),
            }
            .at(0..3),
        );
    }
    out.extend(files_and_proof());
    out
}

fn files_and_proof() -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let file = "web.json";
    out.push(
        Deploy::SameFile {
            grant: "web",
            other: "Web",
            other_span: 0..3,
            file,
        }
        .at(4..7),
    );
    out.push(
        Deploy::TemplateFile {
            grant: "ssm-compile.cfn",
            file: "ssm-compile.cfn.json",
            format: Format::CloudFormation,
        }
        .at(0..3),
    );
    out.push(
        Deploy::TerraformLoads {
            grant: "x.tf",
            file: "x.tf.json",
        }
        .at(0..3),
    );
    out.push(
        Deploy::TooManyResources {
            account: "111122223333",
            policies: 501,
        }
        .diagnostic(),
    );
    let changes = [
        AccessChange::Undecidable("a pattern too large"),
        AccessChange::Gains("Request { .. }".to_owned()),
        AccessChange::Loses("Request { .. }".to_owned()),
        AccessChange::Other,
    ];
    for change in changes {
        out.push(
            Deploy::PackingChangesAccess {
                principal: "user:ops",
                account: "111122223333",
                change,
            }
            .at(0..0),
        );
    }
    out.push(
        Deploy::PackedStatementsDiffer {
            kind: PrincipalKind::User,
            name: "ops",
            account: "111122223333",
        }
        .at(0..0),
    );
    out
}
