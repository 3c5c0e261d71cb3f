//! `[forbid.NAME]` tables: guardrails, requests no grant may allow except to the principals
//! of `except`. Checked here value by value; `compile::guard` decides them against the policies.

use super::schema::forbid_keys;
use super::{Validator, Value};
use crate::compile::config::{Forbid, Target};
use crate::diagnostic::message::keys::Place;
use crate::diagnostic::message::{Keys, Problem, Shape};

impl Validator<'_> {
    /// Checks the `forbid` table; each valid guardrail is kept for the settings.
    pub(super) fn forbid_tables(&mut self, value: &Value<'_>) {
        let Some(table) = self.table(value, "forbid") else {
            return;
        };
        for (name, v) in table.iter() {
            let name_span = name.span();
            let name = name.get_ref().as_ref();
            let Some(keys) = v.get_ref().as_table() else {
                self.type_error(v, name, "a table", &format!("[forbid.{name}]"));
                continue;
            };
            let errors = self.error_count();
            let mut f = Forbid {
                name: name.to_string(),
                span: self.shift(name_span.clone()),
                actions: vec!["ssm:StartSession".to_string()],
                instances: None,
                tags: None,
                documents: Vec::new(),
                except: Vec::new(),
            };
            let mut targets = 0;
            for (key, value) in keys.iter() {
                match key.get_ref().as_ref() {
                    "actions" => {
                        if let Some(a) = self.actions(value) {
                            f.actions = a;
                        }
                    }
                    "instances" => {
                        targets += 1;
                        f.instances = self.instances(value);
                    }
                    "tags" => {
                        targets += 1;
                        if let Some((Target::Tags(t), _)) = self.tags(value) {
                            f.tags = Some(t);
                        }
                    }
                    "documents" => {
                        targets += 1;
                        f.documents = self
                            .documents(value)
                            .map(|ds| ds.into_iter().map(|(d, _)| d).collect())
                            .unwrap_or_default();
                    }
                    "except" => {
                        f.except = self
                            .who(value)
                            .map(|ps| ps.into_iter().map(|(p, _)| p).collect())
                            .unwrap_or_default();
                    }
                    other => {
                        let known: Vec<&str> = forbid_keys().collect();
                        self.unknown_key(other, key.span(), &known, Place::Forbid(name))
                    }
                }
            }
            if targets == 0 {
                self.push(Keys::ForbidWithoutTarget { name }.at(name_span));
            }
            if self.error_count() == errors {
                self.forbids.push(f);
            }
        }
    }

    /// IAM actions: `service:Action`, wildcards allowed.
    fn actions(&mut self, value: &Value<'_>) -> Option<Vec<String>> {
        let items = self.string_list(value, "actions", "actions = [\"ssm:StartSession\"]")?;
        let mut ok = true;
        for (a, span) in &items {
            let valid = a.split_once(':').is_some_and(|(s, n)| {
                !s.is_empty()
                    && !n.is_empty()
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "*?".contains(c))
            });
            if !valid {
                ok = false;
                self.push(Shape::NotAnAction { value: a }.at(span.clone()));
            }
        }
        ok.then(|| items.into_iter().map(|(a, _)| a).collect())
    }
}
