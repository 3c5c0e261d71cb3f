//! The lint pass: one small function per lint, each taking a validated grant and returning its
//! findings located at the value that triggers them; `Levels::apply` then drops, warns or
//! denies. The user-name lint looks across grants (session ARNs are account-wide), so
//! `Linter` keeps the users it has seen and reports it at the end.

use std::ops::Range;

use super::levels::Levels;
use crate::aws::documents;
use crate::compile::config::{Grant, OwnSessions, PrincipalKind, Role, Target};
use crate::diagnostic::message::{Lints, Problem};
use crate::diagnostic::{Diagnostic, Kind, Shared};

type Span = Range<usize>;

/// The per-grant lints, in code order.
const GRANT_LINTS: &[fn(&Grant) -> Vec<Diagnostic>] = &[
    remote_host_port_forwarding,
    unlogged_session_document,
    admin_can_change_preferences,
    tag_selected_grant,
    managed_nodes_unreachable,
    ec2_console_agent_update_denied,
];

/// Runs the lints over the grants of one file, one grant at a time.
#[derive(Debug, Default)]
pub(crate) struct Linter {
    pub(crate) levels: Levels,
    /// Every `user:` of every grant: name and where it is written.
    users: Vec<(Box<str>, Span)>,
    /// Users of grants that scope own sessions by user name: name, where, and the grant.
    scoped: Vec<(Box<str>, Span, Box<str>)>,
    /// A lint fires on every grant of a large file with the same label and help.
    shared: Shared,
}

impl Linter {
    /// The findings on one grant, at their levels.
    pub(crate) fn grant(&mut self, g: &Grant) -> Vec<Diagnostic> {
        self.record_users(g);
        GRANT_LINTS
            .iter()
            .flat_map(|lint| lint(g))
            .filter_map(|d| self.levels.apply(d))
            .map(|d| self.shared.share(d))
            .collect()
    }

    /// The findings across grants, once every grant is seen.
    pub(crate) fn finish(&mut self) -> Vec<Diagnostic> {
        let found = username_prefix_collision(&mut self.users, &self.scoped);
        found
            .into_iter()
            .filter_map(|d| self.levels.apply(d))
            .collect()
    }

    fn record_users(&mut self, g: &Grant) {
        if self.levels.level(Kind::UsernamePrefixCollision).0 == super::Level::Allow {
            return;
        }
        for (p, span) in g.who.iter().zip(&g.who_spans) {
            if p.kind != PrincipalKind::User {
                continue;
            }
            self.users.push((p.name.as_str().into(), span.clone()));
            if g.own_sessions == OwnSessions::Username {
                self.scoped
                    .push((p.name.as_str().into(), span.clone(), g.name.as_str().into()));
            }
        }
    }
}

fn documents_where(g: &Grant, keep: impl Fn(&documents::Document) -> bool) -> Vec<(&str, Span)> {
    // A grant without `documents` has the default shell document, which no lint flags.
    g.documents
        .iter()
        .zip(&g.spans.documents)
        .filter(|(name, _)| documents::find(name).is_some_and(&keep))
        .map(|(name, span)| (name.as_str(), span.clone()))
        .collect()
}

fn remote_host_port_forwarding(g: &Grant) -> Vec<Diagnostic> {
    documents_where(g, |d| d.remote_hosts)
        .into_iter()
        .map(|(document, span)| {
            let grant = &g.name;
            Lints::RemoteHostPortForwarding { grant, document }.at(span)
        })
        .collect()
}

fn unlogged_session_document(g: &Grant) -> Vec<Diagnostic> {
    // The remote-host document is unlogged too; its own lint says so, once.
    documents_where(g, |d| !d.logged && !d.remote_hosts)
        .into_iter()
        .map(|(document, span)| Lints::UnloggedSessionDocument { document }.at(span))
        .collect()
}

fn admin_can_change_preferences(g: &Grant) -> Vec<Diagnostic> {
    // Only the session-manager and cli variants carry the preferences-document statement.
    if g.role != Role::Admin || !g.variant.has_session_manager() {
        return Vec::new();
    }
    let found = Lints::AdminCanChangePreferences { grant: &g.name };
    vec![found.at(g.spans.role.clone())]
}

fn tag_selected_grant(g: &Grant) -> Vec<Diagnostic> {
    let Target::Tags(tags) = &g.target else {
        return Vec::new();
    };
    let first = g.spans.tag_keys.first().cloned();
    let found = Lints::TagSelectedGrant {
        grant: &g.name,
        keys: tags.iter().map(|(k, _)| k.as_str()).collect(),
        located: first.is_some(),
        others: g.spans.tag_keys.iter().skip(1).cloned().collect(),
    };
    vec![match first {
        Some(span) => found.at(span),
        None => found.diagnostic(),
    }]
}

fn managed_nodes_unreachable(g: &Grant) -> Vec<Diagnostic> {
    let tags = match &g.target {
        Target::Tags(_) => true,
        Target::AllInstances => false,
        Target::Instances(_) => return Vec::new(),
    };
    let found = Lints::ManagedNodesUnreachable {
        grant: &g.name,
        tags,
    };
    vec![found.at(g.spans.target.clone())]
}

fn ec2_console_agent_update_denied(g: &Grant) -> Vec<Diagnostic> {
    let Some(span) = &g.spans.ec2_console else {
        return Vec::new();
    };
    if !g.variant.has_ec2() || g.ec2_agent_update {
        return Vec::new();
    }
    let found = Lints::Ec2ConsoleAgentUpdateDenied { grant: &g.name };
    vec![found.at(span.clone())]
}

/// `session/alice-*` (own sessions by user name) also matches `alice-ops`'s sessions.
fn username_prefix_collision(
    users: &mut [(Box<str>, Span)],
    scoped: &[(Box<str>, Span, Box<str>)],
) -> Vec<Diagnostic> {
    users.sort_by(|a, b| (&a.0, a.1.start).cmp(&(&b.0, b.1.start)));
    let mut out = Vec::new();
    for (name, span, grant) in scoped {
        let prefix = format!("{name}-");
        let from = users.partition_point(|(u, _)| **u < *prefix);
        let mut others: Vec<&(Box<str>, Span)> = users[from..]
            .iter()
            .take_while(|(u, _)| u.starts_with(&prefix))
            .collect();
        others.dedup_by(|a, b| a.0 == b.0);
        let Some((_, first_span)) = others.first() else {
            continue;
        };
        let found = Lints::UsernamePrefixCollision {
            grant,
            user: name,
            others: others.iter().map(|(u, _)| &**u).collect(),
            first_span: first_span.clone(),
        };
        out.push(found.at(span.clone()));
    }
    out
}
