//! The `tags` target: each key a condition key IAM can use (letter case ignored), each value
//! one an IAM policy can hold.

use toml::de::DeValue;

use super::{Span, Validator, Value};
use crate::aws::names::{is_policy_char, is_tag_char};
use crate::compile::config::Target;
use crate::diagnostic::message::values::{TagKey, TagValue};
use crate::diagnostic::message::{Problem, Shape, Values};

impl Validator<'_> {
    /// The tag target and where each key is written.
    pub(super) fn tags(&mut self, value: &Value<'_>) -> Option<(Target, Vec<Span>)> {
        let Some(table) = value.get_ref().as_table() else {
            self.type_error(
                value,
                "tags",
                "a table",
                "tags = { Team = \"web\", Env = [\"prod\", \"staging\"] }",
            );
            return None;
        };
        if table.is_empty() {
            self.push(Shape::EmptyTags.at(value.span()));
            return None;
        }
        let mut out = Vec::new();
        let mut spans = Vec::new();
        let mut ok = true;
        let mut lower: Vec<(String, &str, Span)> = Vec::new();
        for (key, v) in table.iter() {
            let k: &str = key.get_ref().as_ref();
            ok &= self.tag_key(k, key.span());
            ok &= self.tag_key_case(k, key.span(), &mut lower);
            spans.push(key.span());
            let values = match v.get_ref() {
                DeValue::String(_) => self.string(v, "tags").map(|s| vec![(s, v.span())]),
                DeValue::Array(_) => {
                    self.string_list(v, &format!("tags.{k}"), &format!("{k} = [\"v1\", \"v2\"]"))
                }
                _ => {
                    self.type_error(
                        v,
                        &format!("tags.{k}"),
                        "a string or a list of strings",
                        &format!("{k} = \"value\" or {k} = [\"v1\", \"v2\"]"),
                    );
                    None
                }
            };
            let Some(values) = values else {
                ok = false;
                continue;
            };
            ok &= self.tag_values(k, &values);
            out.push((k.to_owned(), values.into_iter().map(|(s, _)| s).collect()));
        }
        ok.then_some((Target::Tags(out), spans))
    }

    /// Condition key names ignore case: `Finance` and `finance` are one key that would have to
    /// match two values at once. False (reported) for the second spelling.
    fn tag_key_case<'k>(
        &mut self,
        k: &'k str,
        span: Span,
        seen: &mut Vec<(String, &'k str, Span)>,
    ) -> bool {
        let lower = k.to_lowercase();
        let Some((_, first, first_span)) = seen.iter().find(|(l, _, _)| *l == lower) else {
            seen.push((lower, k, span));
            return true;
        };
        let found = Values::TagKeyCase {
            first,
            key: k,
            first_span: first_span.clone(),
        };
        self.push(found.at(span));
        false
    }

    /// A tag key usable in an IAM condition; false (reported) if not.
    fn tag_key(&mut self, k: &str, span: Span) -> bool {
        let key_problem = if k == "tag-key" {
            Some(TagKey::Placeholder)
        } else if k.is_empty() || k.chars().count() > 128 {
            Some(TagKey::Length)
        } else if k.to_lowercase().starts_with("aws:") {
            Some(TagKey::Reserved)
        } else {
            k.chars().find(|c| !is_tag_char(*c)).map(TagKey::BadChar)
        };
        if let Some(problem) = key_problem {
            self.push(Values::BadTagKey { key: k, problem }.at(span));
            return false;
        }
        true
    }

    /// Tag values an IAM policy can hold; false (each bad one reported) if not.
    fn tag_values(&mut self, k: &str, values: &[(String, Span)]) -> bool {
        let mut ok = true;
        for (s, span) in values {
            let problem = if s == "tag-value" {
                Some(TagValue::Placeholder)
            } else if s.chars().count() > 256 {
                Some(TagValue::TooLong(s.chars().count()))
            } else {
                s.chars()
                    .find(|c| !is_policy_char(*c))
                    .map(TagValue::BadChar)
            };
            if let Some(problem) = problem {
                ok = false;
                self.push(Values::BadTagValue { key: k, problem }.at(span.clone()));
            }
        }
        ok
    }
}
