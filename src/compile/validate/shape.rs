//! TOML shapes: a string, a boolean, a table, a list of distinct strings, one of a few words.
//! Nothing here knows IAM; each check reports its own problem and returns `None`.

use toml::de::{DeTable, DeValue};

use super::schema::Choice;
use super::{Span, Validator, Value};
use crate::aws::names::is_placeholder;
use crate::diagnostic::suggestion::suggest;
use crate::diagnostic::{Diagnostic, Kind, list};

impl Validator<'_> {
    pub(super) fn type_error(
        &mut self,
        value: &Value<'_>,
        key: &str,
        expected: &str,
        example: &str,
    ) {
        let found = value.get_ref().type_str();
        let mut d = Diagnostic::new(
            Kind::WrongType,
            format!("`{key}` must be {expected}, found {found}"),
        )
        .at(value.span())
        .help(format!("write it as {example}"));
        if key == "account" && value.get_ref().is_integer() {
            d = d.help("quote the account id: account = \"111122223333\" (a number would lose leading zeros)");
        }
        self.push(d);
    }

    pub(super) fn string(&mut self, value: &Value<'_>, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => {
                let s: &str = s.as_ref();
                // Tag values and the output directory are free text: "region" may be real there.
                let free_text = key == "output" || key == "tags" || key.starts_with("tags.");
                if !free_text && is_placeholder(s) {
                    self.push(
                        Diagnostic::new(Kind::Placeholder, format!(
                            "`{s}` is a placeholder from AWS's sample policies, not a real value"
                        ))
                        .at(value.span())
                        .help(format!("replace it with your own value for `{key}`")),
                    );
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
                self.push(
                    Diagnostic::new(
                        Kind::QuotedBoolean,
                        format!("`{key}` must be a boolean, found string"),
                    )
                    .at(value.span())
                    .help(format!("remove the quotes: {key} = {s}")),
                );
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
                self.push(
                    Diagnostic::new(
                        Kind::NotAList,
                        format!("`{key}` must be a list, found string"),
                    )
                    .at(value.span())
                    .help(format!(
                        "put the value in square brackets: {key} = [\"{s}\"]"
                    )),
                );
            } else {
                self.type_error(value, key, "a list of strings", example);
            }
            return None;
        };
        if items.is_empty() {
            self.push(
                Diagnostic::new(Kind::Empty, format!("`{key}` is empty"))
                    .at(value.span())
                    .help(format!("list at least one value: {example}")),
            );
            return None;
        }
        let mut out: Vec<(String, Span)> = Vec::new();
        for item in items.iter() {
            if !matches!(item.get_ref(), DeValue::String(_)) {
                self.push(
                    Diagnostic::new(
                        Kind::NotAStringItem,
                        format!(
                            "`{key}` holds only strings, found {}",
                            item.get_ref().type_str()
                        ),
                    )
                    .at(item.span())
                    .help(format!("quote the value, as in {example}")),
                );
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
                self.push(
                    Diagnostic::new(Kind::Repeated, format!("`{s}` is repeated in `{key}`"))
                        .at(item.span())
                        .related(first_span.clone(), "first listed here")
                        .help("remove the repeated entry"),
                );
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
        let list = list::quoted(&options);
        let help = match suggest(&s, options.iter().copied()) {
            Some(best) => format!("did you mean \"{best}\"? `{key}` is one of {list}"),
            None => format!("`{key}` is one of {list}"),
        };
        self.push(
            Diagnostic::new(Kind::UnknownChoice, format!("unknown {key} \"{s}\""))
                .at(value.span())
                .help(help),
        );
        None
    }

    /// A grant's key above the first `[grant.NAME]`: TOML puts it in the top-level table.
    pub(super) fn grant_key_at_top(&mut self, key: &str, span: Span) {
        self.push(
            Diagnostic::new(
                Kind::GrantKeyAtTop,
                format!("`{key}` is a grant key, written above the first grant"),
            )
            .at(span)
            .label("this line is in the top-level table, not in a grant")
            .help(format!(
                "move `{key}` below the `[grant.NAME]` header of the grant it belongs to"
            )),
        );
    }

    pub(super) fn unknown_key(&mut self, key: &str, span: Span, known: &[&str], place: &str) {
        let help = match suggest(key, known.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("known keys {place}: {}", known.join(", ")),
        };
        self.push(
            Diagnostic::new(Kind::UnknownKey, format!("unknown key `{key}` {place}"))
                .at(span)
                .help(help),
        );
    }
}
