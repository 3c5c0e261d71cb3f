//! Rules across the keys of one grant: what is missing, what contradicts, what has no effect,
//! and the defaults a grant inherits from the top of the file. `grant` reads the keys into a
//! `GrantKeys`, runs each rule, and builds the `Grant` only when none of them found an error.

use std::collections::HashMap;

use toml::de::DeTable;

use super::schema::{OwnSessionsChoice, grant_key, grant_keys};
use super::{Span, Validator};
use crate::aws::names::DEFAULT_DOCUMENT;
use crate::compile::config::{
    Grant, GrantSpans, OwnSessions, Partition, Principal, PrincipalKind, Role, Target, Variant,
};
use crate::diagnostic::message::keys::Place;
use crate::diagnostic::message::{Keys, Problem, Rules};
use crate::diagnostic::suggestion::suggest;

/// A value and where it is written.
type Located = (String, Span);

/// The keys of one grant table as read; `None` where a key is absent or its value is bad
/// (which was reported). Keys whose presence matters even with a bad value keep their span.
#[derive(Default)]
pub(super) struct GrantKeys {
    pub(super) role: Option<Role>,
    role_span: Option<Span>,
    who: Option<Vec<(Principal, Span)>>,
    pub(super) consoles: Option<(bool, bool)>,
    /// The `"ec2"` entry of `consoles`.
    pub(super) ec2_console: Option<Span>,
    instances: Option<(Option<Target>, Span)>,
    tags: Option<(Option<Target>, Span)>,
    /// The value of `instances` or `tags` (for the lints).
    target_value: Span,
    tag_key_spans: Vec<Span>,
    pub(super) kms_key: Option<(String, Span)>,
    pub(super) documents: Option<(Option<Vec<Located>>, Span)>,
    ec2_agent_update: Option<(Option<bool>, Span)>,
    pub(super) access_check: Option<(Option<bool>, Span)>,
    pub(super) own_sessions: Option<(OwnSessionsChoice, Span)>,
    pub(super) resume_session: Option<bool>,
    account: Option<String>,
    region: Option<(String, Span)>,
    /// Where each known key is written in the grant, whatever its value.
    pub(super) spans: HashMap<&'static str, Span>,
    /// The keys taken from `[defaults]` (their spans above are absolute: see `check_default`).
    pub(super) from_defaults: Vec<&'static str>,
    /// The known keys that unknown ones are near misses of (`whom` for `who`): a required key
    /// among them is reported as the misspelling, not also as missing.
    near_misses: Vec<&'static str>,
}

impl Validator<'_> {
    pub(super) fn grant(
        &mut self,
        name: &str,
        name_span: Span,
        table: &DeTable<'_>,
    ) -> Option<Grant> {
        let before = self.error_count();
        let mut keys = self.read_keys(name, table);
        self.apply_defaults(&mut keys);
        self.required_keys(name, &name_span, &keys);
        let target = self.target(name, &name_span, &mut keys);
        let variant = keys
            .consoles
            .map(|(has_sm, has_ec2)| match (has_sm, has_ec2) {
                (true, true) => Variant::AllConsoles,
                (false, true) => Variant::Ec2,
                _ => Variant::SessionManagerCli,
            });
        self.document_keys(&keys, variant);
        self.agent_update_key(&keys, variant);
        let (account, region, partition) = self.place(name, &name_span, &mut keys);
        let own = if keys.from_defaults.contains(&"own_sessions") {
            self.check_default("own_sessions", name, &name_span, |v| v.own_sessions(&keys))
        } else {
            self.own_sessions(&keys)
        };
        if let (Some((key, key_span)), Some(partition), Some(region)) =
            (&keys.kms_key, partition, region.as_deref())
        {
            let check = |v: &mut Self| v.kms_key(key, key_span.clone(), partition, region);
            if keys.from_defaults.contains(&"kms_key") {
                self.check_default("kms_key", name, &name_span, check);
            } else {
                check(self);
            }
        }

        if self.error_count() > before {
            return None;
        }
        let role = keys.role?;
        let variant = variant?;
        let (documents, document_spans) = self.documents_of(&mut keys, role, variant);
        let spans = self.spans_of(&keys, document_spans);
        let (who, who_spans): (Vec<Principal>, Vec<Span>) = keys
            .who?
            .into_iter()
            .map(|(p, span)| (p, self.shift(span)))
            .unzip();
        Some(Grant {
            name: name.to_owned(),
            span: self.shift(name_span),
            role,
            who,
            who_spans,
            variant,
            target: target?,
            kms_key: keys.kms_key.map(|(k, _)| k),
            documents,
            document_access_check: role == Role::EndUser
                && variant != Variant::Ec2
                && keys.access_check.and_then(|(c, _)| c).unwrap_or(true),
            own_sessions: own,
            resume_session: keys.resume_session.unwrap_or(false),
            account: account?,
            region: region?,
            partition: partition?,
            ec2_agent_update: keys.ec2_agent_update.and_then(|(b, _)| b).unwrap_or(false),
            spans,
        })
    }

    /// The grant's session documents (the default shell where it has none) and where each is
    /// written; none for an admin grant or the EC2 console alone.
    fn documents_of(
        &self,
        keys: &mut GrantKeys,
        role: Role,
        variant: Variant,
    ) -> (Vec<String>, Vec<Span>) {
        let named: Vec<Located> = match (role, variant) {
            (Role::Admin, _) | (_, Variant::Ec2) => Vec::new(),
            _ => keys
                .documents
                .take()
                .and_then(|(d, _)| d)
                .unwrap_or_default(),
        };
        // Documents from [defaults] have absolute spans already.
        let absolute = keys.from_defaults.contains(&"documents");
        let (mut documents, document_spans): (Vec<String>, Vec<Span>) = named
            .into_iter()
            .map(|(d, s)| (d, if absolute { s } else { self.shift(s) }))
            .unzip();
        if documents.is_empty() && role == Role::EndUser && variant != Variant::Ec2 {
            documents.push(DEFAULT_DOCUMENT.to_owned());
        }
        (documents, document_spans)
    }

    /// Where the lints point, in the whole file.
    fn spans_of(&self, keys: &GrantKeys, documents: Vec<Span>) -> GrantSpans {
        GrantSpans {
            role: self.shift(keys.role_span.clone().unwrap_or_default()),
            ec2_console: keys.ec2_console.clone().map(|s| {
                // From [defaults], the span is absolute already.
                if keys.from_defaults.contains(&"consoles") {
                    s
                } else {
                    self.shift(s)
                }
            }),
            target: self.shift(keys.target_value.clone()),
            documents,
            tag_keys: keys
                .tag_key_spans
                .iter()
                .map(|s| self.shift(s.clone()))
                .collect(),
        }
    }

    /// Reads every key of the table, checking each value on its own.
    fn read_keys(&mut self, name: &str, table: &DeTable<'_>) -> GrantKeys {
        let mut keys = GrantKeys::default();
        for (key, value) in table.iter() {
            let k = key.get_ref().as_ref();
            if let Some(known) = grant_key(k) {
                keys.spans.insert(known, key.span());
            }
            match k {
                "role" => {
                    keys.role = self.choice::<Role>(value, "role");
                    keys.role_span = Some(value.span());
                }
                "who" => keys.who = self.who(value),
                "consoles" => {
                    let consoles = self.consoles(value);
                    keys.consoles = consoles.as_ref().map(|(sm, ec2)| (*sm, ec2.is_some()));
                    keys.ec2_console = consoles.and_then(|(_, ec2)| ec2);
                }
                "instances" => {
                    keys.instances = Some((self.instances(value), key.span()));
                    keys.target_value = value.span();
                }
                "tags" => {
                    let tags = self.tags(value);
                    keys.tag_key_spans = tags.as_ref().map(|(_, s)| s.clone()).unwrap_or_default();
                    keys.tags = Some((tags.map(|(t, _)| t), key.span()));
                    keys.target_value = value.span();
                }
                "ec2_agent_update" => {
                    keys.ec2_agent_update = Some((self.bool(value, "ec2_agent_update"), key.span()))
                }
                "kms_key" => {
                    keys.kms_key = self.string(value, "kms_key").map(|s| (s, value.span()))
                }
                "documents" => keys.documents = Some((self.documents(value), key.span())),
                "document_access_check" => {
                    keys.access_check =
                        Some((self.bool(value, "document_access_check"), key.span()))
                }
                "own_sessions" => {
                    keys.own_sessions = self
                        .choice::<OwnSessionsChoice>(value, "own_sessions")
                        .map(|c| (c, value.span()))
                }
                "resume_session" => keys.resume_session = self.bool(value, "resume_session"),
                "account" => keys.account = self.account(value),
                "region" => keys.region = self.region(value).map(|r| (r, value.span())),
                "partition" | "output" | "formats" | "allow_unknown" | "lints" => {
                    self.push(Keys::NotAGrantKey { key: k }.at(key.span()))
                }
                other => {
                    let known: Vec<&str> = grant_keys().collect();
                    keys.near_misses.extend(suggest(other, grant_keys()));
                    self.unknown_key(other, key.span(), &known, Place::Grant(name))
                }
            }
        }
        keys
    }

    /// `role` and `who` have no default; `consoles` may have one in `[defaults]`.
    fn required_keys(&mut self, name: &str, name_span: &Span, keys: &GrantKeys) {
        let missing = |v: &mut Self, key: &str, example: &str| {
            if keys.near_misses.contains(&key) {
                return;
            }
            let found = Keys::MissingKey {
                grant: name,
                key,
                example,
            };
            v.push(found.at(name_span.clone()));
        };
        if !keys.spans.contains_key("role") {
            missing(self, "role", "role = \"end-user\"` or `role = \"admin\"");
        }
        if !keys.spans.contains_key("who") {
            missing(
                self,
                "who",
                "who = [\"user:alice\", \"group:oncall\", \"role:OncallRole\"]",
            );
        }
        let defaults = &self.defaults.grant.written;
        if !keys.spans.contains_key("consoles") && !defaults.contains(&"consoles") {
            missing(
                self,
                "consoles",
                "consoles = [\"session-manager\", \"cli\", \"ec2\"]",
            );
        }
    }

    /// Exactly one of `instances` and `tags`.
    fn target(&mut self, name: &str, name_span: &Span, keys: &mut GrantKeys) -> Option<Target> {
        match (keys.instances.take(), keys.tags.take()) {
            (Some(_), Some((_, tags_span))) => {
                let found = Rules::InstancesAndTags {
                    grant: name,
                    instances: keys.spans["instances"].clone(),
                };
                self.push(found.at(tags_span));
                None
            }
            (Some((t, _)), None) | (None, Some((t, _))) => t,
            (None, None) => {
                self.push(Rules::NoTarget { grant: name }.at(name_span.clone()));
                None
            }
        }
    }

    /// Keys that only act on an end-user grant in a variant that has a session document.
    fn document_keys(&mut self, keys: &GrantKeys, variant: Option<Variant>) {
        for (key, present) in [
            // Only the grant's own: a default is applied only where it acts.
            ("documents", keys.spans.contains_key("documents")),
            (
                "document_access_check",
                keys.spans.contains_key("document_access_check"),
            ),
        ] {
            if !present {
                continue;
            }
            let span = keys.spans[key].clone();
            if keys.role == Some(Role::Admin) {
                self.push(Rules::DocumentsForAdmin { key }.at(span));
            } else if variant == Some(Variant::Ec2) {
                self.push(Rules::DocumentsWithEc2 { key }.at(span));
            }
        }
    }

    /// `ec2_agent_update` acts only where the EC2 console is one of the consoles.
    fn agent_update_key(&mut self, keys: &GrantKeys, variant: Option<Variant>) {
        let Some((_, span)) = &keys.ec2_agent_update else {
            return;
        };
        if variant.is_some_and(|v| !v.has_ec2()) {
            self.push(Rules::AgentUpdateWithoutEc2.at(span.clone()));
        }
    }

    /// The grant's account, region and partition: its own or the file's, and consistent.
    fn place(
        &mut self,
        name: &str,
        name_span: &Span,
        keys: &mut GrantKeys,
    ) -> (Option<String>, Option<String>, Option<Partition>) {
        let grant_sets_region = keys.region.is_some() || keys.spans.contains_key("region");
        let account = keys
            .account
            .take()
            .or_else(|| self.defaults.account.clone());
        let region = keys.region.take().map(|(r, s)| (r, self.shift(s)));
        let region = region.or_else(|| self.defaults.region.clone());
        let partition = region.as_ref().map(|(r, _)| Partition::of_region(r));
        if let (Some((explicit, p_span)), Some(derived), Some((r, r_span)), true) = (
            &self.defaults.partition,
            partition,
            &region,
            grant_sets_region,
        ) {
            // A contradiction of the top-level region is reported once, by `top_level`.
            if *explicit != derived {
                let found = Rules::GrantPartition {
                    grant: name,
                    region: r,
                    derived,
                    explicit: *explicit,
                    partition_span: p_span.clone(),
                };
                self.push_absolute(found.at(r_span.clone()));
            }
        }
        // Missing everywhere is reported by `finish`, once or per grant.
        if account.is_none() && !self.defaults.has_account && !keys.spans.contains_key("account") {
            let at = self.shift(name_span.clone());
            self.missing[0].push((name.to_owned(), at));
        }
        if region.is_none() && !self.defaults.has_region && !grant_sets_region {
            let at = self.shift(name_span.clone());
            self.missing[1].push((name.to_owned(), at));
        }
        (account, region.map(|(r, _)| r), partition)
    }

    /// `own_sessions`, with `auto` resolved against `who`.
    fn own_sessions(&mut self, keys: &GrantKeys) -> OwnSessions {
        match keys.own_sessions.clone() {
            Some((OwnSessionsChoice::Username, span)) => {
                if let Some(who) = &keys.who {
                    let roles: Vec<String> = who
                        .iter()
                        .filter(|(p, _): &&(Principal, Span)| p.kind == PrincipalKind::Role)
                        .map(|(p, _)| p.to_string())
                        .collect();
                    let sets: Vec<String> = who
                        .iter()
                        .filter(|(p, _)| p.kind == PrincipalKind::PermissionSet)
                        .map(|(p, _)| p.to_string())
                        .collect();
                    if !sets.is_empty() {
                        let found = Rules::UsernameForPermissionSets { sets: &sets };
                        self.push(found.at(span.clone()));
                    }
                    if !roles.is_empty() {
                        self.push(Rules::UsernameForRoles { roles: &roles }.at(span));
                    }
                }
                OwnSessions::Username
            }
            Some((OwnSessionsChoice::SessionTag, _)) => OwnSessions::SessionTag,
            _ => match &keys.who {
                // Roles and permission sets (federated) have no `aws:username`.
                Some(who)
                    if who.iter().any(|(p, _)| {
                        matches!(p.kind, PrincipalKind::Role | PrincipalKind::PermissionSet)
                    }) =>
                {
                    OwnSessions::SessionTag
                }
                _ => OwnSessions::Username,
            },
        }
    }
}
