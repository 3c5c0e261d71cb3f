//! The top of the file (its keys, read before the grants) and the rules of the whole file,
//! checked after the grants.

use toml::de::DeTable;

use super::{Validator, Value, schema, top_keys};
use crate::aws::Partition;
use crate::compile::config::{Format, Settings};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::keys::Place;
use crate::diagnostic::message::{Keys, Problem, Rules};

impl Validator<'_> {
    /// Checks the top-level keys; returns the `grant` value, if it is there.
    pub(super) fn top_level<'a, 'i>(&mut self, table: &'a DeTable<'i>) -> Option<&'a Value<'i>> {
        // Read first: they change how the other keys (and the grants) are checked.
        if let Some(value) = table.get("allow_unknown") {
            self.allow_unknown_key(value);
        }
        if let Some(value) = table.get("lints") {
            self.lints_key(value);
        }
        let mut grants_value = None;
        for (key, value) in table.iter() {
            let span = key.span();
            match key.get_ref().as_ref() {
                "allow_unknown" | "lints" => {}
                "account" => {
                    self.defaults.has_account = true;
                    self.defaults.account = self.account(value);
                }
                "region" => {
                    self.defaults.has_region = true;
                    self.defaults.region = self.region(value).map(|r| (r, value.span()));
                }
                "partition" => {
                    self.defaults.partition = self
                        .choice::<Partition>(value, "partition")
                        .map(|p| (p, value.span()))
                }
                "output" => self.output = self.output(value),
                "formats" => self.formats = self.formats(value),
                "max_managed_policies" => self.max_managed = self.max_managed_policies(value),
                "defaults" => self.defaults_table(value),
                "grant" => grants_value = Some((key, value)),
                "forbid" => self.forbid_tables(value),
                other if schema::grant_key(other).is_some() => self.grant_key_at_top(other, span),
                other => {
                    let known: Vec<&str> = top_keys().collect();
                    self.unknown_key(other, span, &known, Place::Top)
                }
            }
        }
        if let (Some((partition, p_span)), Some((region, r_span))) =
            (&self.defaults.partition, &self.defaults.region)
        {
            let derived = Partition::of_region(region);
            if derived != *partition {
                let found = Rules::PartitionContradictsRegion {
                    partition: *partition,
                    region,
                    derived,
                    region_span: r_span.clone(),
                };
                self.push(found.at(p_span.clone()));
            }
        }
        let (grant_key, grants_value) = grants_value?;
        self.has_grant_key = true;
        self.bad_grant_key = !grants_value.get_ref().is_table();
        if grants_value.get_ref().is_array() {
            self.push(Keys::GrantArray.at(grant_key.span()));
            return None;
        }
        self.table(grants_value, "grant")?;
        Some(grants_value)
    }

    /// The rules of the whole file, once every grant is checked: no grants, a key missing
    /// everywhere. Returns the settings when the file has no error.
    pub(super) fn finish(mut self) -> (Option<Settings>, Vec<Diagnostic>) {
        for d in self.linter.finish() {
            self.push_absolute(d);
        }
        if !self.has_grant_key {
            self.push(Keys::NoGrantKey.at(0..0));
        } else if self.grant_count == 0 && !self.bad_grant_key {
            self.push(Keys::NoGrants.at(0..0));
        }
        // A key missing everywhere is said once, not once per grant.
        for (i, key, example) in [
            (0, "account", "account = \"111122223333\""),
            (1, "region", "region = \"us-east-2\""),
        ] {
            let missing = std::mem::take(&mut self.missing[i]);
            if missing.is_empty() {
                continue;
            }
            if missing.len() == self.grant_count {
                self.push(Keys::MissingEverywhere { key, example }.at(0..0));
                continue;
            }
            for (name, span) in missing {
                let found = Keys::MissingInGrant {
                    grant: &name,
                    key,
                    example,
                };
                self.push_absolute(found.at(span));
            }
        }
        let has_error = self.diagnostics.iter().any(Diagnostic::is_error);
        let settings = Settings {
            output: self.output.take(),
            formats: self
                .formats
                .take()
                .unwrap_or_else(|| Format::DEFAULT.to_vec()),
            max_managed_policies: self
                .max_managed
                .unwrap_or(crate::aws::limits::DEFAULT_ATTACHED_POLICIES),
            forbids: std::mem::take(&mut self.forbids),
        };
        ((!has_error).then_some(settings), self.diagnostics)
    }
}
