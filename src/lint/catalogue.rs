//! The catalogue of Session Manager lints and of the errors `ssm-compile explain` documents.
//!
//! # Codes
//!
//! One scheme for every diagnostic (docs/DIAGNOSTICS.md): a letter and four digits. Lints are
//! `L07xx` (`L0700`): their level is configurable in `[lints]`, by name or code. The errors
//! listed here (`E0418`, `E0419`, `E0422`) are ordinary error kinds whose long explanation
//! lives beside the lints'. Each entry names its `Kind`, which owns the code; a test keeps the
//! two in step. Codes are never reused: a retired lint keeps its code reserved, and a renamed
//! lint keeps its code (the name is for people and `[lints]`, the code for CI and suppressions).
//!
//! # Default levels, and why
//!
//! The defaults are what a security team reviewing access would pick. **Deny** where the
//! policy grants more than the file says, or hands out an unlogged path to hosts nobody listed:
//! remote-host port forwarding (the node becomes a tunnel to anything it can reach, and
//! Session Manager logs none of it) and a user name that is a prefix of another (one user can
//! end and resume the other's sessions). Allowing either takes a line in `[lints]`, which is
//! the reviewable record that someone decided. **Warn** where the access is what the author
//! asked for but has a consequence they may not see: unlogged SSH and port-forwarding sessions,
//! admin grants (they can turn off logging and encryption for everyone), tag-selected grants
//! (whoever can write the tag decides the reach), tag and `["*"]` grants that never reach
//! managed nodes, and AWS's EC2-console sample, whose agent update is denied. Nothing is
//! **Allow** by default: a lint that is off by default is one nobody learns exists.
//! `--deny-warnings` turns every warning into an error for CI.

use crate::diagnostic::Kind;

/// How a lint's finding is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Level {
    /// Not reported.
    Allow,
    /// A warning: exit 0 unless `--deny-warnings`.
    Warn,
    /// An error: exit 2, nothing written.
    Deny,
}

impl Level {
    /// The spelling in `[lints]`: `allow`, `warn`, `deny`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    #[cfg(test)]
    pub(crate) fn from_name(name: &str) -> Option<Level> {
        [Level::Allow, Level::Warn, Level::Deny]
            .into_iter()
            .find(|l| l.as_str() == name)
    }
}

/// Whether an entry's level can be configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Class {
    /// `L…`: configurable in `[lints]`.
    Lint,
    /// `E…`: always an error; listed so that `explain` knows it.
    Error,
}

/// One entry of the catalogue.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Lint {
    /// Stable code: `L0700` (the kind's).
    pub code: &'static str,
    /// The diagnostic kind the entry explains.
    pub kind: Kind,
    /// kebab-case name, as written in `[lints]`: `remote-host-port-forwarding`.
    pub name: &'static str,
    pub class: Class,
    /// `Deny` for every error.
    pub default_level: Level,
    /// One line: what is wrong.
    pub summary: &'static str,
    /// One paragraph: what it flags, why that is bad, an example, and the fix.
    pub explanation: &'static str,
    /// One line, for the diagnostic's `help:`.
    pub fix: &'static str,
}

/// Every entry, lints first, each class by code.
pub(crate) const CATALOGUE: &[Lint] = &[
    Lint {
        code: "L0700",
        kind: Kind::RemoteHostPortForwarding,
        name: "remote-host-port-forwarding",
        class: Class::Lint,
        default_level: Level::Deny,
        summary: "the grant lets its users tunnel through the node to any host it can reach",
        explanation: "Flags a grant whose `documents` include \
            `AWS-StartPortForwardingSessionToRemoteHost`. Why: that document forwards a local port \
            to any host and port the managed node can reach (databases, other VPCs, networks \
            behind a VPN, even the instance metadata endpoint that serves the instance role's \
            credentials), the remote host need not be managed by Systems Manager, IAM cannot \
            restrict the `host` parameter, and Session Manager logs none of the traffic. Example: \
            `documents = [\"AWS-StartPortForwardingSessionToRemoteHost\"]` on a bastion gives \
            its users the bastion's whole network. Fix: create a Session document of type `Port` \
            in the account whose `host` and `portNumber` are fixed (or limited by \
            `allowedPattern`) and grant that instead; if the open tunnel is intended, allow this \
            lint in `[lints]` so the decision is on record.",
        fix: "grant a custom Port document with a fixed host and port instead",
    },
    Lint {
        code: "L0701",
        kind: Kind::UnloggedSessionDocument,
        name: "unlogged-session-document",
        class: Class::Lint,
        default_level: Level::Warn,
        summary: "sessions with this document are not logged by Session Manager",
        explanation: "Flags a grant whose `documents` include an SSH or port-forwarding document \
            (`AWS-StartSSHSession`, `AWS-StartPortForwardingSession`, \
            `AWS-StartPortForwardingSessionToSocket`, ...). Why: AWS says \"Logging isn't \
            available for Session Manager sessions that connect through port forwarding or SSH\" \
            (session-manager-logging.html): the session preferences' S3 and CloudWatch logging \
            record nothing of these sessions, only CloudTrail's StartSession event that one \
            began. Example: `documents = [\"AWS-StartSSHSession\"]` lets users run anything over \
            ssh with no session transcript. Fix: grant the shell document \
            (`SSM-SessionManagerRunShell`) or an interactive-command document where an audit \
            trail is required, or log on the node itself (sshd and auditd) and allow this lint.",
        fix: "grant a logged shell or command document, or log on the node and allow this lint",
    },
    Lint {
        code: "L0702",
        kind: Kind::UsernamePrefixCollision,
        name: "username-prefix-collision",
        class: Class::Lint,
        default_level: Level::Deny,
        summary: "one user's own-session scope also matches another user's sessions",
        explanation: "Flags `who` users where one name followed by `-` starts another (`alice` \
            and `alice-ops`) while own sessions are scoped by user name (`own_sessions = \
            \"username\"`, or `auto` choosing it). Why: session ids are the user name, a hyphen \
            and a suffix, and the reference scopes `ssm:TerminateSession` to \
            `session/${aws:username}-*`; for alice that pattern is `session/alice-*`, which also \
            matches `alice-ops-0a1b...`, so alice can end (and with `resume_session`, resume) \
            alice-ops's sessions. The same holds for any IAM user or role session named \
            `alice-...` outside this file. Example: `who = [\"user:alice\", \"user:alice-ops\"]`. \
            Fix: set `own_sessions = \"session-tag\"`, which matches the session's \
            `aws:ssmmessages:session-id` tag against the caller's user id and has no prefix \
            problem.",
        fix: "use own_sessions = \"session-tag\"",
    },
    Lint {
        code: "L0703",
        kind: Kind::AdminCanChangePreferences,
        name: "admin-can-change-preferences",
        class: Class::Lint,
        default_level: Level::Warn,
        summary: "admin grants can rewrite the account's session preferences",
        explanation: "Flags a grant with `role = \"admin\"` and the session-manager or cli console \
            (the EC2-console admin policy has no preferences statement). Why: the administrator policy \
            allows `ssm:CreateDocument` and `ssm:UpdateDocument` on `SSM-SessionManagerRunShell`, \
            the document that holds the Region's session preferences: its holders can turn off \
            S3 and CloudWatch session logging, drop KMS encryption of session data, and change \
            the Run As user, for every session of every user, and so remove the audit trail of \
            what they do next. Example: `role = \"admin\"` with `who = [\"group:oncall\"]` gives \
            the whole on-call rotation that power. Fix: keep admin grants to a few named \
            principals, alert on UpdateDocument of `SSM-SessionManagerRunShell` through \
            CloudTrail, and allow this lint for the grants you have reviewed.",
        fix: "keep admin to a few reviewed principals and alert on changes to the preferences",
    },
    Lint {
        code: "L0704",
        kind: Kind::TagSelectedGrant,
        name: "tag-selected-grant",
        class: Class::Lint,
        default_level: Level::Warn,
        summary: "the grant reaches whatever instance carries the tag, so tag writers decide",
        explanation: "Flags a grant that selects instances by `tags`, and names the tag keys. Why: \
            the policy allows sessions on every instance whose tag matches, so anyone who can \
            write that tag (`ec2:CreateTags`, or `ec2:RunInstances` with tags, on any instance) \
            decides which instances the grant reaches, the grant's own users included: tagging a \
            sensitive instance `Finance = WebServers` opens a shell on it. Example: `tags = { \
            Finance = \"WebServers\" }`. Fix: restrict who may write the key (a condition on \
            `aws:TagKeys` in the taggers' policies, or an SCP), or list `instances` by id.",
        fix: "restrict who can write the tag key, or list instances by id",
    },
    Lint {
        code: "L0705",
        kind: Kind::ManagedNodesUnreachable,
        name: "managed-nodes-unreachable",
        class: Class::Lint,
        default_level: Level::Warn,
        summary: "tag and [\"*\"] grants never reach managed (mi-) nodes",
        explanation: "Flags a grant with `tags` or `instances = [\"*\"]`. Why: both emit the EC2 \
            ARN `arn:PARTITION:ec2:*:*:instance/*`, while a hybrid or on-premises managed node is \
            `arn:PARTITION:ssm:REGION:ACCOUNT:managed-instance/mi-...`, so no `mi-` node ever \
            matches and sessions to them are denied, with no error anywhere. Example: `instances \
            = [\"*\"]` in an account with activated on-premises servers. Fix: add a grant that \
            lists the managed nodes by id (`instances = [\"mi-...\"]`); if the account has no \
            managed nodes, allow this lint.",
        fix: "add a grant listing the mi- nodes by id, or allow this lint if there are none",
    },
    Lint {
        code: "L0706",
        kind: Kind::Ec2ConsoleAgentUpdateDenied,
        name: "ec2-console-agent-update-denied",
        class: Class::Lint,
        default_level: Level::Warn,
        summary: "the EC2 console's ssm:SendCommand has no document, so its agent update is denied",
        explanation: "Flags a grant with the `ec2` console. Why: AWS's sample, which the output \
            follows, allows `ssm:SendCommand` on instances only; SendCommand is authorized on \
            both the instance and the Command document it runs, so with no document resource \
            every SendCommand is denied, including the SSM Agent update the EC2 console offers \
            before a session. Sessions still start. Example: `consoles = [\"ec2\"]`. Fix: set \
            `ec2_agent_update = true` in the grant, which adds a statement allowing \
            `ssm:SendCommand` on AWS's agent-update Command document `AWS-UpdateSSMAgent` in \
            the grant's region (the instances are already in the first statement, and \
            SendCommand needs both). AWS's sample does not name the document the console \
            sends; `AWS-UpdateSSMAgent` is the Command document AWS publishes for updating the \
            agent, so check a console update once after turning the option on. Or allow this \
            lint to keep AWS's sample as it is.",
        fix: "set ec2_agent_update = true in the grant, or allow this lint",
    },
    Lint {
        code: "E0422",
        kind: Kind::TagKeyCase,
        name: "tag-key-case-collision",
        class: Class::Error,
        default_level: Level::Deny,
        summary: "two tag keys differ only in letter case, so the grant can never match",
        explanation: "Reported when one grant's `tags` has keys that are equal ignoring case \
            (`Finance` and `finance`). Why: condition key names are case-insensitive, so \
            `ssm:resourceTag/Finance` and `ssm:resourceTag/finance` are one key that the \
            condition requires to match both values, and one tag value cannot be both: \
            the grant reaches nothing. Example: `tags = { Finance = \
            \"Web\", finance = \"Db\" }`. Fix: keep one spelling of the key; for \"this tag or \
            that tag\" write two grants.",
        fix: "keep one spelling of the key; use two grants for either/or",
    },
    Lint {
        code: "E0418",
        kind: Kind::UnknownRegion,
        name: "unknown-region",
        class: Class::Error,
        default_level: Level::Deny,
        summary: "the region is not in the pinned region table",
        explanation: "Reported when `region` names no region of the supported partitions in the \
            table pinned from botocore's endpoints.json. Why: AWS accepts a policy whose ARNs \
            name a region that does not exist, and it grants nothing, so a typo compiles into \
            access that never works. Example: `region = \"eu-centrl-1\"` (did you mean \
            `eu-central-1`?) or `region = \"eu-central-9\"`. Fix: correct the region; if AWS has \
            opened a region newer than the table, write `allow_unknown = [\"regions\"]` at the \
            top level, which turns this error into a warning and takes the partition from the \
            region's name.",
        fix: "correct the region, or allow_unknown = [\"regions\"] for a region newer than the table",
    },
    Lint {
        code: "E0419",
        kind: Kind::UnknownDocument,
        name: "unknown-aws-document",
        class: Class::Error,
        default_level: Level::Deny,
        summary: "no AWS-owned session document has this name",
        explanation: "Reported when a name in `documents` has a prefix AWS reserves (`AWS-`, \
            `Amazon`, `amzn`) but is not in the table of AWS-owned session documents. Why: \
            document names are case-sensitive and customers cannot create names with those \
            prefixes, so the policy names a document that does not exist and the grant starts \
            no session. Example: `documents = [\"AWS-StartSshSession\"]` (did you mean \
            `AWS-StartSSHSession`?). Fix: use the exact name; if AWS has published a document \
            newer than the table, write `allow_unknown = [\"documents\"]` at the top level, which \
            turns this error into a warning.",
        fix: "use the exact name, or allow_unknown = [\"documents\"] for a newer AWS document",
    },
];

/// Every entry.
pub(crate) fn all() -> &'static [Lint] {
    CATALOGUE
}

/// The entry with this code, in any case (`l0700` finds `L0700`).
pub(crate) fn by_code(code: &str) -> Option<&'static Lint> {
    CATALOGUE.iter().find(|l| l.code.eq_ignore_ascii_case(code))
}

/// The entry with this name (exact: names are lower-case kebab).
pub(crate) fn by_name(name: &str) -> Option<&'static Lint> {
    CATALOGUE.iter().find(|l| l.name == name)
}

/// The entry that explains `kind`, if it has one (every lint kind has).
pub(crate) fn of(kind: Kind) -> Option<&'static Lint> {
    CATALOGUE.iter().find(|l| l.kind == kind)
}

/// By code or by name, as `ssm-compile explain` takes either.
pub(crate) fn find(code_or_name: &str) -> Option<&'static Lint> {
    by_code(code_or_name).or_else(|| by_name(code_or_name))
}

/// The closest lint name within a few edits, for a misspelt key in `[lints]`. Errors are not
/// offered: their level cannot be configured.
pub(crate) fn suggest_name(name: &str) -> Option<&'static str> {
    let (distance, best) = CATALOGUE
        .iter()
        .filter(|l| l.class == Class::Lint)
        .map(|l| (strsim::levenshtein(name, l.name), l.name))
        .min_by_key(|(d, _)| *d)?;
    (distance > 0 && distance <= 3 && distance * 4 <= name.len()).then_some(best)
}

/// The text of `ssm-compile explain CODE`: code and name, level, summary, the paragraph, fix.
pub(crate) fn explain(code_or_name: &str) -> Option<String> {
    let l = find(code_or_name)?;
    let level = match l.class {
        Class::Lint => format!("default level: {}", l.default_level.as_str()),
        Class::Error => "always an error".to_owned(),
    };
    let explanation = l
        .explanation
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(format!(
        "{} ({}): {}\n{}\n\n{}\n\nfix: {}\n",
        l.code, l.name, l.summary, level, explanation, l.fix
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let codes: HashSet<_> = CATALOGUE.iter().map(|l| l.code).collect();
        let names: HashSet<_> = CATALOGUE.iter().map(|l| l.name).collect();
        assert_eq!(codes.len(), CATALOGUE.len());
        assert_eq!(names.len(), CATALOGUE.len());
        for l in CATALOGUE {
            assert_eq!(l.code, l.kind.code(), "{}", l.name);
            assert_eq!(l.class == Class::Lint, l.kind.is_lint(), "{}", l.code);
            if l.class == Class::Error {
                assert_eq!(l.kind.severity(), crate::diagnostic::Severity::Error);
            }
            let kebab = l.name.split('-').all(|w| {
                !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
            assert!(kebab, "{}: not kebab-case", l.name);
        }
    }

    #[test]
    fn every_lint_kind_has_an_entry() {
        for kind in Kind::ALL.iter().filter(|k| k.is_lint()) {
            assert!(of(*kind).is_some(), "{kind:?}");
        }
    }

    #[test]
    fn every_field_is_filled_and_one_line_where_it_should_be() {
        for l in CATALOGUE {
            for (field, text) in [("summary", l.summary), ("fix", l.fix)] {
                assert!(!text.trim().is_empty(), "{} {field}", l.code);
                assert!(
                    !text.contains('\n') && text.len() <= 100,
                    "{} {field}",
                    l.code
                );
            }
            assert!(
                l.explanation.len() > 200,
                "{}: explanation too short",
                l.code
            );
            if l.class == Class::Error {
                assert_eq!(l.default_level, Level::Deny, "{}", l.code);
            }
        }
    }

    #[test]
    fn explanations_say_what_why_example_and_fix_in_that_order() {
        for l in CATALOGUE {
            let at = |marker: &str| l.explanation.find(marker);
            let (why, example, fix) = (at("Why: "), at("Example: "), at("Fix: "));
            assert!(
                why.is_some() && example.is_some() && fix.is_some(),
                "{}",
                l.code
            );
            assert!(
                why < example && example < fix,
                "{}: parts out of order",
                l.code
            );
            assert!(why > Some(0), "{}: says nothing before Why", l.code);
        }
    }

    #[test]
    fn lookup_by_code_or_name_and_suggestions() {
        assert_eq!(find("L0700").unwrap().name, "remote-host-port-forwarding");
        assert_eq!(find("l0702").unwrap().name, "username-prefix-collision");
        assert_eq!(find("unknown-region").unwrap().code, "E0418");
        assert!(find("L0799").is_none() && find("").is_none());
        assert_eq!(
            suggest_name("tag-selected-grants"),
            Some("tag-selected-grant")
        );
        assert_eq!(suggest_name("tag-selected-grant"), None);
        assert_eq!(
            suggest_name("unknown-regions"),
            None,
            "errors are not configurable"
        );
        assert_eq!(suggest_name("x"), None);
        assert_eq!(Level::from_name("deny"), Some(Level::Deny));
        assert_eq!(Level::from_name("Deny"), None);
    }

    #[test]
    fn explain_prints_one_entry_with_its_level_and_fix() {
        let text = explain("L0700").unwrap();
        assert!(
            text.starts_with("L0700 (remote-host-port-forwarding): "),
            "{text}"
        );
        assert!(text.contains("\ndefault level: deny\n"), "{text}");
        assert!(
            text.ends_with(
                "\nfix: grant a custom Port document with a fixed host and port instead\n"
            )
        );
        assert!(
            !text.contains("  "),
            "continuation indents leak into the paragraph"
        );
        assert!(explain("E0419").unwrap().contains("\nalways an error\n"));
        assert_eq!(explain("nope"), None);
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let level = |name| by_name(name).unwrap().default_level;
        assert_eq!(level("remote-host-port-forwarding"), Level::Deny);
        assert_eq!(level("username-prefix-collision"), Level::Deny);
        for warn in [
            "unlogged-session-document",
            "admin-can-change-preferences",
            "tag-selected-grant",
            "managed-nodes-unreachable",
            "ec2-console-agent-update-denied",
        ] {
            assert_eq!(level(warn), Level::Warn, "{warn}");
        }
        assert!(CATALOGUE.iter().all(|l| l.default_level != Level::Allow));
    }
}
