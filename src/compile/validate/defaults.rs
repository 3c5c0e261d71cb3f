//! `[defaults]`: values for grant keys that grants repeat. Each value is checked once, where it
//! is written; a grant that does not set a key takes the default, and a problem the default
//! causes in that grant (a KMS key of another partition, say) is reported at the line in
//! `[defaults]` that set it, naming the grants that took it.

use std::collections::HashMap;

use toml::de::DeValue;

use super::grant::GrantKeys;
use super::schema::{DEFAULTABLE, OwnSessionsChoice, grant_key};
use super::{Span, Validator, Value};
use crate::compile::config::Role;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::keys::{Place, SET_IN_DEFAULTS, takes_from_defaults};
use crate::diagnostic::message::{Keys, Problem};

/// The checked values of `[defaults]`; spans are absolute (the table is at the top of the
/// file, whose offset is 0). `None` where a key is absent or its value is bad (reported).
#[derive(Default)]
pub(super) struct GrantDefaults {
    /// (has session-manager or cli, where `"ec2"` is written), as `Validator::consoles` gives.
    consoles: Option<((bool, Option<Span>), Span)>,
    kms_key: Option<(String, Span)>,
    documents: Option<(Vec<(String, Span)>, Span)>,
    access_check: Option<(bool, Span)>,
    own_sessions: Option<(OwnSessionsChoice, Span)>,
    resume_session: Option<bool>,
    /// The keys written in `[defaults]`, whatever their value: a grant without `consoles` is
    /// not missing it when the default is there but bad.
    pub(super) written: Vec<&'static str>,
    /// A problem a default causes, by (span start, message and help), to its index in
    /// `diagnostics`: the same problem in several grants is reported once, naming each grant.
    seen: HashMap<(usize, String), usize>,
}

impl Validator<'_> {
    /// Checks the `[defaults]` table at the top of the file.
    pub(super) fn defaults_table(&mut self, value: &Value<'_>) {
        let DeValue::Table(table) = value.get_ref() else {
            let example = "[defaults] followed by keys such as kms_key = \"arn:aws:kms:...\"";
            return self.type_error(value, "defaults", "a table", example);
        };
        for (key, v) in table.iter() {
            let k = key.get_ref().as_ref();
            let Some(known) = DEFAULTABLE.iter().copied().find(|d| *d == k) else {
                self.not_a_default(k, key.span());
                continue;
            };
            self.defaults.grant.written.push(known);
            let span = v.span();
            match known {
                "consoles" => {
                    let c = self.consoles(v);
                    self.defaults.grant.consoles = c.map(|c| (c, span));
                }
                "kms_key" => {
                    let s = self.string(v, "kms_key");
                    self.defaults.grant.kms_key = s.map(|s| (s, span));
                }
                "documents" => {
                    let docs = self.documents(v);
                    self.defaults.grant.documents = docs.map(|d| (d, span));
                }
                "document_access_check" => {
                    let b = self.bool(v, "document_access_check");
                    self.defaults.grant.access_check = b.map(|b| (b, span));
                }
                "own_sessions" => {
                    let c = self.choice::<OwnSessionsChoice>(v, "own_sessions");
                    self.defaults.grant.own_sessions = c.map(|c| (c, span));
                }
                "resume_session" => {
                    self.defaults.grant.resume_session = self.bool(v, "resume_session")
                }
                _ => unreachable!("every key of DEFAULTABLE has an arm"),
            }
        }
    }

    /// Gives a grant the defaults of the keys it does not set, and records which it took.
    /// `documents` and `document_access_check` go only to grants they act on (end-user, with a
    /// session-manager or cli console): a default for them must not make admin grants errors.
    pub(super) fn apply_defaults(&self, keys: &mut GrantKeys) {
        let d = &self.defaults.grant;
        let mut took = Vec::new();
        let own = |keys: &GrantKeys, key: &str| keys.spans.contains_key(key);
        if !own(keys, "consoles")
            && let Some(((sm, ec2), _)) = &d.consoles
        {
            keys.consoles = Some((*sm, ec2.is_some()));
            keys.ec2_console = ec2.clone();
            took.push("consoles");
        }
        if !own(keys, "kms_key")
            && let Some((k, span)) = &d.kms_key
        {
            keys.kms_key = Some((k.clone(), span.clone()));
            took.push("kms_key");
        }
        if !own(keys, "own_sessions")
            && let Some(o) = &d.own_sessions
        {
            keys.own_sessions = Some(o.clone());
            took.push("own_sessions");
        }
        if !own(keys, "resume_session")
            && let Some(r) = d.resume_session
        {
            keys.resume_session = Some(r);
            took.push("resume_session");
        }
        let has_documents = keys.role == Some(Role::EndUser)
            && keys
                .consoles
                .is_some_and(|(session_manager_or_cli, _)| session_manager_or_cli);
        if has_documents
            && !own(keys, "documents")
            && let Some((docs, span)) = &d.documents
        {
            keys.documents = Some((Some(docs.clone()), span.clone()));
            took.push("documents");
        }
        if has_documents
            && !own(keys, "document_access_check")
            && let Some((b, span)) = &d.access_check
        {
            keys.access_check = Some((Some(*b), span.clone()));
            took.push("document_access_check");
        }
        keys.from_defaults = took;
    }

    /// Runs a check of a value `name` took from `[defaults]`: its spans are absolute, so the
    /// section offset is set aside; each problem found names the grant, and a problem another
    /// grant already had at the same place gains this grant instead of being repeated.
    pub(super) fn check_default<R>(
        &mut self,
        key: &str,
        name: &str,
        name_span: &Span,
        check: impl FnOnce(&mut Self) -> R,
    ) -> R {
        let base = std::mem::replace(&mut self.base, 0);
        let first = self.diagnostics.len();
        let result = check(self);
        self.base = base;
        let at = self.shift(name_span.clone());
        let note = takes_from_defaults(name, key);
        let found: Vec<Diagnostic> = self.diagnostics.drain(first..).collect();
        for mut d in found {
            let id = (
                d.span.as_ref().map_or(0, |s| s.start),
                format!("{}\n{:?}", d.message, d.help),
            );
            if let Some(&i) = self.defaults.grant.seen.get(&id) {
                // Still counted in `errors`: the grant has an error and must not be built.
                self.diagnostics[i].related.push((at.clone(), note.clone()));
                continue;
            }
            if d.label.is_none() {
                d.label = Some(SET_IN_DEFAULTS.into());
            }
            d.related.push((at.clone(), note.clone()));
            self.defaults.grant.seen.insert(id, self.diagnostics.len());
            self.diagnostics.push(d);
        }
        result
    }

    fn not_a_default(&mut self, k: &str, span: Span) {
        if grant_key(k).is_some() {
            let found = Keys::NotADefault {
                key: k,
                defaultable: DEFAULTABLE,
            };
            self.push(found.at(span));
        } else {
            self.unknown_key(k, span, DEFAULTABLE, Place::Defaults);
        }
    }
}
