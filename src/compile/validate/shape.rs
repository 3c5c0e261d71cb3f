//! TOML shapes: a string, a boolean, a table, a list of distinct strings, one of a few words.
//! Nothing here knows IAM; each check reports its own problem and returns `None`.

use toml::de::{DeTable, DeValue};

use super::schema::Choice;
use super::{Span, Validator, Value};
use crate::aws::names::is_placeholder;
use crate::diagnostic::list;
use crate::diagnostic::message::keys::Place;
use crate::diagnostic::message::{Keys, Problem, Shape};
use crate::diagnostic::suggestion::suggest;

impl Validator<'_> {
    pub(super) fn type_error(
        &mut self,
        value: &Value<'_>,
        key: &str,
        expected: &str,
        example: &str,
    ) {
        let found = Shape::WrongType {
            key,
            expected,
            found: value.get_ref().type_str(),
            example,
            account_number: key == "account" && value.get_ref().is_integer(),
        };
        self.push(found.at(value.span()));
    }

    pub(super) fn string(&mut self, value: &Value<'_>, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => {
                let s: &str = s.as_ref();
                // Tag values and the output directory are free text: "region" may be real there.
                let free_text = key == "output" || key == "tags" || key.starts_with("tags.");
                if !free_text && is_placeholder(s) {
                    self.push(Shape::Placeholder { value: s, key }.at(value.span()));
                    return None;
                }
                Some(s.to_owned())
            }
            _ => {
                self.type_error(value, key, "a string", &format!("{key} = \"...\""));
                None
            }
        }
    }

    pub(super) fn bool(&mut self, value: &Value<'_>, key: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            DeValue::String(s) if s == "true" || s == "false" => {
                let value_text: &str = s.as_ref();
                let found = Shape::QuotedBoolean {
                    key,
                    value: value_text,
                };
                self.push(found.at(value.span()));
                None
            }
            _ => {
                self.type_error(value, key, "a boolean", &format!("{key} = true"));
                None
            }
        }
    }

    pub(super) fn table<'a, 'i>(
        &mut self,
        value: &'a Value<'i>,
        key: &str,
    ) -> Option<&'a DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                if !value.get_ref().is_array() || key != "grant" {
                    self.type_error(value, key, "a table", &format!("[{key}.NAME]"));
                }
                None
            }
        }
    }

    /// A non-empty list of distinct strings, each with its span. Reports every bad item.
    pub(super) fn string_list(
        &mut self,
        value: &Value<'_>,
        key: &str,
        example: &str,
    ) -> Option<Vec<(String, Span)>> {
        let DeValue::Array(items) = value.get_ref() else {
            if let DeValue::String(s) = value.get_ref() {
                let found = Shape::NotAList {
                    key,
                    value: s.as_ref(),
                };
                self.push(found.at(value.span()));
            } else {
                self.type_error(value, key, "a list of strings", example);
            }
            return None;
        };
        if items.is_empty() {
            self.push(Shape::Empty { key, example }.at(value.span()));
            return None;
        }
        let mut out: Vec<(String, Span)> = Vec::new();
        for item in items.iter() {
            if !matches!(item.get_ref(), DeValue::String(_)) {
                let found = item.get_ref().type_str();
                let found = Shape::NotAStringItem {
                    key,
                    found,
                    example,
                };
                self.push(found.at(item.span()));
                continue;
            }
            let Some(s) = self.string(item, key) else {
                continue;
            };
            // IAM names ignore case, so `user:Alice` repeats `user:alice`; ids do not.
            let repeat = out
                .iter()
                .find(|(o, _)| *o == s || (key == "who" && o.eq_ignore_ascii_case(&s)));
            if let Some((_, first_span)) = repeat {
                let first_span = first_span.clone();
                let found = Shape::Repeated {
                    value: &s,
                    key,
                    first_span,
                };
                self.push(found.at(item.span()));
                continue;
            }
            out.push((s, item.span()));
        }
        // Good items are returned even when others were bad, so each is still checked for
        // its own rules; callers that derive meaning from the whole list compare lengths.
        Some(out)
    }

    /// One of the words of `C` (see `schema::Choice`).
    pub(super) fn choice<C: Choice>(&mut self, value: &Value<'_>, key: &str) -> Option<C> {
        let options: Vec<&str> = C::NAMES.iter().map(|(n, _)| *n).collect();
        if !matches!(value.get_ref(), DeValue::String(_)) {
            let example = format!(
                "{key} = \"{}\" (one of {})",
                options[0],
                list::quoted(&options)
            );
            self.type_error(value, key, "a string", &example);
            return None;
        }
        let s = self.string(value, key)?;
        if let Some((_, c)) = C::NAMES.iter().find(|(n, _)| *n == s) {
            return Some(*c);
        }
        let found = Shape::UnknownChoice {
            key,
            value: &s,
            suggestion: suggest(&s, options.iter().copied()),
            options: &options,
        };
        self.push(found.at(value.span()));
        None
    }

    /// A grant's key above the first `[grant.NAME]`: TOML puts it in the top-level table.
    pub(super) fn grant_key_at_top(&mut self, key: &str, span: Span) {
        self.push(Keys::GrantKeyAtTop { key }.at(span));
    }

    pub(super) fn unknown_key(&mut self, key: &str, span: Span, known: &[&str], place: Place) {
        let found = Keys::UnknownKey {
            key,
            place,
            suggestion: suggest(key, known.iter().copied()),
            known,
        };
        self.push(found.at(span));
    }
}
