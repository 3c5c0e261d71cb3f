//! A grant to its quickstart policy: the rules of SPEC.md section 3.

use crate::config::{Grant, OwnSessions, Role, Target, Variant};
use crate::policy::{Condition, Effect, OneOrMany, PolicyDocument, Statement, VERSION};
use crate::validate::is_aws_owned_document;

/// The document an admin grant manages: Session Manager's preferences.
const PREFERENCES_DOCUMENT: &str = "SSM-SessionManagerRunShell";

pub fn expand(g: &Grant) -> PolicyDocument {
    let p = g.partition.as_str();
    let mut statements = Vec::new();

    // 1. Starting sessions: on the instances, and on the session documents (end users).
    let mut start_actions = vec!["ssm:StartSession"];
    if g.variant.has_ec2() {
        // The EC2 console may send a command to update SSM Agent before the session.
        start_actions.push("ssm:SendCommand");
    }
    let documents: Vec<String> = g
        .documents
        .iter()
        .map(|d| document_arn(p, &g.region, &g.account, d))
        .collect();
    let mut access_check = Condition::new();
    if g.document_access_check {
        access_check
            .entry("BoolIfExists".to_owned())
            .or_default()
            .insert(
                "ssm:SessionDocumentAccessCheck".to_owned(),
                OneOrMany::One("true".to_owned()),
            );
    }
    match &g.target {
        Target::Instances(ids) => {
            let mut resources: Vec<String> = ids
                .iter()
                .map(|id| instance_arn(p, &g.region, &g.account, id))
                .collect();
            resources.extend(documents);
            statements.push(allow(
                &start_actions,
                OneOrMany::Many(resources),
                access_check,
            ));
        }
        Target::AllInstances => {
            let mut resources = vec![format!("arn:{p}:ec2:*:*:instance/*")];
            resources.extend(documents);
            statements.push(allow(
                &start_actions,
                OneOrMany::Many(resources),
                access_check,
            ));
        }
        Target::Tags(tags) => {
            // Documents carry no instance tags: with the tag condition they would be denied,
            // so they get a statement of their own. Both allow StartSession, so both carry
            // the access check.
            let mut condition = access_check.clone();
            let like = condition.entry("StringLike".to_owned()).or_default();
            for (key, values) in tags {
                like.insert(
                    format!("ssm:resourceTag/{key}"),
                    OneOrMany::many(values.iter().map(|v| escape_literal_dollar(v))),
                );
            }
            statements.push(allow(
                &start_actions,
                OneOrMany::many([format!("arn:{p}:ec2:*:*:instance/*")]),
                condition,
            ));
            if !documents.is_empty() {
                statements.push(allow(
                    &["ssm:StartSession"],
                    OneOrMany::Many(documents),
                    access_check,
                ));
            }
        }
    }

    // 2. What the consoles need to list instances and sessions.
    let describe: &[&str] = match g.variant {
        Variant::SessionManagerCli => &[
            "ssm:DescribeSessions",
            "ssm:GetConnectionStatus",
            "ssm:DescribeInstanceProperties",
            "ec2:DescribeInstances",
        ],
        Variant::Ec2 => &["ssm:GetConnectionStatus", "ssm:DescribeInstanceInformation"],
        Variant::AllConsoles => &[
            "ssm:DescribeSessions",
            "ssm:GetConnectionStatus",
            "ssm:DescribeInstanceInformation",
            "ssm:DescribeInstanceProperties",
            "ec2:DescribeInstances",
        ],
    };
    statements.push(allow(
        describe,
        OneOrMany::One("*".to_owned()),
        Condition::new(),
    ));

    // 3. Administrators manage the Session Manager preferences document.
    if g.role == Role::Admin && g.variant.has_session_manager() {
        statements.push(allow(
            &[
                "ssm:CreateDocument",
                "ssm:UpdateDocument",
                "ssm:GetDocument",
            ],
            OneOrMany::One(document_arn(p, &g.region, &g.account, PREFERENCES_DOCUMENT)),
            Condition::new(),
        ));
    }

    // 4. Ending (and resuming) only the caller's own sessions.
    let mut own_actions = vec!["ssm:TerminateSession"];
    if g.resume_session {
        own_actions.push("ssm:ResumeSession");
    }
    statements.push(match g.own_sessions {
        OwnSessions::Username => allow(
            &own_actions,
            OneOrMany::many([format!("arn:{p}:ssm:*:*:session/${{aws:username}}-*")]),
            Condition::new(),
        ),
        OwnSessions::SessionTag => {
            let mut condition = Condition::new();
            condition
                .entry("StringLike".to_owned())
                .or_default()
                .insert(
                    "ssm:resourceTag/aws:ssmmessages:session-id".to_owned(),
                    OneOrMany::many(["${aws:userid}"]),
                );
            allow(
                &own_actions,
                OneOrMany::many([format!("arn:{p}:ssm:*:*:session/*")]),
                condition,
            )
        }
    });

    // 5. Session encryption.
    if let Some(key) = &g.kms_key {
        statements.push(allow(
            &["kms:GenerateDataKey"],
            OneOrMany::One(key.clone()),
            Condition::new(),
        ));
    }

    PolicyDocument {
        version: VERSION.to_owned(),
        statement: statements,
    }
}

fn allow(actions: &[&str], resource: OneOrMany, condition: Condition) -> Statement {
    Statement {
        effect: Effect::Allow,
        action: OneOrMany::many(actions.iter().copied()),
        resource,
        condition,
    }
}

fn instance_arn(p: &str, region: &str, account: &str, id: &str) -> String {
    if id.starts_with("mi-") {
        format!("arn:{p}:ssm:{region}:{account}:managed-instance/{id}")
    } else {
        format!("arn:{p}:ec2:*:*:instance/{id}")
    }
}

fn document_arn(p: &str, region: &str, account: &str, name: &str) -> String {
    let owner = if is_aws_owned_document(name) {
        ""
    } else {
        account
    };
    format!("arn:{p}:ssm:{region}:{owner}:document/{name}")
}

/// In `StringLike`, `*` and `?` stay wildcards; a literal `$` must be written `${$}`.
fn escape_literal_dollar(value: &str) -> String {
    value.replace('$', "${$}")
}
