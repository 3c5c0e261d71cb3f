//! A grant to its quickstart policy: the rules of SPEC.md section 3.

use crate::aws::arn;
use crate::aws::names::DEFAULT_DOCUMENT;
use crate::compile::config::{Grant, OwnSessions, Role, Target, Variant};
use crate::compile::policy::{Condition, Effect, OneOrMany, PolicyDocument, Statement, VERSION};

/// The document an admin grant manages: Session Manager's preferences.
const PREFERENCES_DOCUMENT: &str = DEFAULT_DOCUMENT;

/// AWS's Command document that updates SSM Agent (see the L0706 lint's explanation).
const AGENT_UPDATE_DOCUMENT: &str = "AWS-UpdateSSMAgent";

/// The statements in the quickstart's order: start sessions, the console's agent update, what
/// the consoles list, the preferences document (admins), own sessions, the session key.
pub(crate) fn expand(g: &Grant) -> PolicyDocument {
    let p = g.partition.as_str();
    let mut statements = start_sessions(g, p);
    // 1b. `ec2_agent_update`: SendCommand is authorized on the instance and on the document it
    // runs; AWS's sample names no document, so the console's agent update is denied without it.
    if g.ec2_agent_update && g.variant.has_ec2() {
        let document = arn::document(p, &g.region, &g.account, AGENT_UPDATE_DOCUMENT);
        statements.push(allow(
            &["ssm:SendCommand"],
            OneOrMany::One(document),
            Condition::new(),
        ));
    }
    statements.push(describe(g.variant));
    // 3. Administrators manage the Session Manager preferences document.
    if g.role == Role::Admin && g.variant.has_session_manager() {
        let document = arn::document(p, &g.region, &g.account, PREFERENCES_DOCUMENT);
        statements.push(allow(
            &[
                "ssm:CreateDocument",
                "ssm:UpdateDocument",
                "ssm:GetDocument",
            ],
            OneOrMany::One(document),
            Condition::new(),
        ));
    }
    statements.push(own_sessions(g, p));
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

/// 1. Starting sessions: on the instances, and on the session documents (end users).
fn start_sessions(g: &Grant, p: &str) -> Vec<Statement> {
    let mut start_actions = vec!["ssm:StartSession"];
    if g.variant.has_ec2() {
        // The EC2 console may send a command to update SSM Agent before the session.
        start_actions.push("ssm:SendCommand");
    }
    let documents: Vec<String> = g
        .documents
        .iter()
        .map(|d| arn::document(p, &g.region, &g.account, d))
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
    let mut resources = match &g.target {
        Target::Instances(ids) => ids
            .iter()
            .map(|id| arn::instance(p, &g.region, &g.account, id))
            .collect(),
        Target::AllInstances => vec![arn::all_instances(p)],
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
            let mut statements = vec![allow(
                &start_actions,
                OneOrMany::many([arn::all_instances(p)]),
                condition,
            )];
            if !documents.is_empty() {
                statements.push(allow(
                    &["ssm:StartSession"],
                    OneOrMany::Many(documents),
                    access_check,
                ));
            }
            return statements;
        }
    };
    resources.extend(documents);
    vec![allow(
        &start_actions,
        OneOrMany::Many(resources),
        access_check,
    )]
}

/// 2. What the consoles need to list instances and sessions.
fn describe(variant: Variant) -> Statement {
    let actions: &[&str] = match variant {
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
    allow(actions, OneOrMany::One("*".to_owned()), Condition::new())
}

/// 4. Ending (and resuming) only the caller's own sessions.
fn own_sessions(g: &Grant, p: &str) -> Statement {
    let mut own_actions = vec!["ssm:TerminateSession"];
    if g.resume_session {
        own_actions.push("ssm:ResumeSession");
    }
    match g.own_sessions {
        OwnSessions::Username => allow(
            &own_actions,
            OneOrMany::many([arn::own_sessions_by_username(p)]),
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
                OneOrMany::many([arn::all_sessions(p)]),
                condition,
            )
        }
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

/// In `StringLike`, `*` and `?` stay wildcards; a literal `$` must be written `${$}`.
fn escape_literal_dollar(value: &str) -> String {
    value.replace('$', "${$}")
}
