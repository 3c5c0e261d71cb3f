//! E02xx: the TOML shape of a value (a string, a boolean, a list of distinct strings, a word).

use super::{Problem, Span};
use crate::diagnostic::{Kind, list};

#[derive(Debug)]
pub enum Shape<'a> {
    /// `expected` says the type (`a string`), `example` how to write the key.
    WrongType {
        key: &'a str,
        expected: &'a str,
        found: &'a str,
        example: &'a str,
        account_number: bool,
    },
    Placeholder {
        value: &'a str,
        key: &'a str,
    },
    QuotedBoolean {
        key: &'a str,
        value: &'a str,
    },
    NotAList {
        key: &'a str,
        value: &'a str,
    },
    Empty {
        key: &'a str,
        example: &'a str,
    },
    EmptyTags,
    NotAStringItem {
        key: &'a str,
        found: &'a str,
        example: &'a str,
    },
    Repeated {
        value: &'a str,
        key: &'a str,
        first_span: Span,
    },
    /// An entry of `actions` that is not `service:Action`.
    NotAnAction {
        value: &'a str,
    },
    UnknownChoice {
        key: &'a str,
        value: &'a str,
        suggestion: Option<&'a str>,
        options: &'a [&'a str],
    },
}

impl Problem for Shape<'_> {
    fn kind(&self) -> Kind {
        match self {
            Shape::WrongType { .. } | Shape::NotAnAction { .. } => Kind::WrongType,
            Shape::Placeholder { .. } => Kind::Placeholder,
            Shape::QuotedBoolean { .. } => Kind::QuotedBoolean,
            Shape::NotAList { .. } => Kind::NotAList,
            Shape::Empty { .. } | Shape::EmptyTags => Kind::Empty,
            Shape::NotAStringItem { .. } => Kind::NotAStringItem,
            Shape::Repeated { .. } => Kind::Repeated,
            Shape::UnknownChoice { .. } => Kind::UnknownChoice,
        }
    }

    fn message(&self) -> String {
        match self {
            Shape::WrongType {
                key,
                expected,
                found,
                ..
            } => {
                format!("`{key}` must be {expected}, found {found}")
            }
            Shape::Placeholder { value, .. } => {
                format!("`{value}` is a placeholder from AWS's sample policies, not a real value")
            }
            Shape::QuotedBoolean { key, .. } => format!("`{key}` must be a boolean, found string"),
            Shape::NotAList { key, .. } => format!("`{key}` must be a list, found string"),
            Shape::Empty { key, .. } => format!("`{key}` is empty"),
            Shape::EmptyTags => "`tags` is empty".to_owned(),
            Shape::NotAStringItem { key, found, .. } => {
                format!("`{key}` holds only strings, found {found}")
            }
            Shape::Repeated { value, key, .. } => format!("`{value}` is repeated in `{key}`"),
            Shape::UnknownChoice { key, value, .. } => format!("unknown {key} \"{value}\""),
            Shape::NotAnAction { value } => format!("`{value}` is not an IAM action"),
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Shape::WrongType { account_number: true, .. } => "quote the account id: account = \"111122223333\" (a number would lose leading zeros)".to_owned(),
            Shape::WrongType { example, .. } => format!("write it as {example}"),
            Shape::Placeholder { key, .. } => format!("replace it with your own value for `{key}`"),
            Shape::QuotedBoolean { key, value } => format!("remove the quotes: {key} = {value}"),
            Shape::NotAList { key, value } => {
                format!("put the value in square brackets: {key} = [\"{value}\"]")
            }
            Shape::Empty { example, .. } => format!("list at least one value: {example}"),
            Shape::EmptyTags => "name at least one tag: tags = { Team = \"web\" }".to_owned(),
            Shape::NotAStringItem { example, .. } => format!("quote the value, as in {example}"),
            Shape::Repeated { .. } => "remove the repeated entry".to_owned(),
            Shape::NotAnAction { .. } => "write actions as service:Action, e.g. \"ssm:StartSession\" (* and ? are wildcards)".to_owned(),
            Shape::UnknownChoice { key, suggestion, options, .. } => {
                let list = list::quoted(options);
                match suggestion {
                    Some(best) => format!("did you mean \"{best}\"? `{key}` is one of {list}"),
                    None => format!("`{key}` is one of {list}"),
                }
            }
        })
    }

    fn related(&self) -> Vec<(Span, String)> {
        match self {
            Shape::Repeated { first_span, .. } => {
                vec![(first_span.clone(), "first listed here".to_owned())]
            }
            _ => Vec::new(),
        }
    }
}
