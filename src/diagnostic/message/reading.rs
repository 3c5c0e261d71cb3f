//! E01xx: reading the file (UTF-8, TOML syntax, duplicates). `message` fields are the TOML
//! parser's own words.

use super::{Problem, Span};
use crate::diagnostic::Kind;

#[derive(Debug)]
pub enum Reading<'a> {
    NotUtf8 {
        byte: u8,
    },
    Syntax {
        message: &'a str,
        help: SyntaxHelp<'a>,
    },
    /// A `{` (`table`) or `[` never closed.
    Unclosed {
        table: bool,
    },
    /// `straight` is the value retyped with straight quotes.
    CurlyQuotes {
        straight: String,
    },
    /// `policy`: it looks like an IAM policy.
    NotToml {
        policy: bool,
    },
    /// `[[grant]]` after a `[grant.NAME]` (at `named`, if found).
    GrantArrayAfterNamed {
        named: Option<Span>,
    },
    DuplicateTable {
        header: &'a str,
        first: Option<Span>,
    },
    DuplicateKey {
        key: &'a str,
        first: Option<Span>,
    },
}

/// The help for a syntax error, chosen by what the parser said.
#[derive(Debug)]
pub enum SyntaxHelp<'a> {
    /// A bare word where a string belongs.
    Quote(&'a str),
    CloseString,
    General,
}

impl Problem for Reading<'_> {
    fn kind(&self) -> Kind {
        match self {
            Reading::NotUtf8 { .. } => Kind::NotUtf8,
            Reading::Syntax { .. } => Kind::Syntax,
            Reading::Unclosed { .. } => Kind::Unclosed,
            Reading::CurlyQuotes { .. } => Kind::CurlyQuotes,
            Reading::NotToml { .. } => Kind::NotToml,
            Reading::GrantArrayAfterNamed { .. } => Kind::GrantArray,
            Reading::DuplicateTable { .. } => Kind::DuplicateTable,
            Reading::DuplicateKey { .. } => Kind::DuplicateKey,
        }
    }

    fn message(&self) -> String {
        match self {
            Reading::NotUtf8 { byte } => {
                format!("the file is not UTF-8 text (bad byte 0x{byte:02x})")
            }
            Reading::Syntax { message, .. } => format!("invalid TOML: {message}"),
            Reading::Unclosed { table } => {
                format!("invalid TOML: this {} is never closed", what(*table))
            }
            Reading::CurlyQuotes { .. } => {
                "invalid TOML: this value is in typographic quotes (“ ”), not straight ones"
                    .to_owned()
            }
            Reading::NotToml { .. } => "this file is JSON, not TOML".to_owned(),
            Reading::GrantArrayAfterNamed { .. } => {
                "`[[grant]]` cannot be mixed with `[grant.NAME]`: grants are named tables"
                    .to_owned()
            }
            Reading::DuplicateTable { header, .. } => {
                format!("invalid TOML: `{header}` is written twice")
            }
            Reading::DuplicateKey { key, .. } => {
                format!("invalid TOML: `{key}` is set twice in one table")
            }
        }
    }

    fn label(&self) -> Option<String> {
        Some(match self {
            Reading::Unclosed { table } => format!(
                "the {} opened here has no `{}`",
                what(*table),
                close(*table)
            ),
            Reading::CurlyQuotes { .. } => "typographic quotes".to_owned(),
            Reading::NotToml { .. } => "a JSON object starts here".to_owned(),
            _ => return None,
        })
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Reading::NotUtf8 { .. } => {
                "save access.toml as UTF-8; TOML files must be UTF-8".to_owned()
            }
            Reading::Syntax { help, .. } => match help {
                SyntaxHelp::Quote(bare) => format!("put the value in double quotes: \"{bare}\""),
                SyntaxHelp::CloseString => {
                    "close the string with `\"` before the end of the line".to_owned()
                }
                SyntaxHelp::General => "see https://toml.io for the syntax; strings need double quotes, lists square brackets".to_owned(),
            },
            Reading::Unclosed { table } => format!(
                "close it with `{}` after its last value; the lines after it were read as part of it",
                close(*table)
            ),
            Reading::CurlyQuotes { straight } => {
                format!("TOML strings need straight double quotes: {straight}")
            }
            Reading::NotToml { policy: true } => "this looks like an IAM policy (ssm-compile writes those): pass the access.toml it was compiled from, -c access.toml".to_owned(),
            Reading::NotToml { policy: false } => {
                "ssm-compile reads access.toml (TOML): pass that file with -c FILE".to_owned()
            }
            Reading::GrantArrayAfterNamed { .. } => {
                "write this grant as `[grant.NAME]`, with a name of its own, like the others"
                    .to_owned()
            }
            Reading::DuplicateTable { .. } => {
                "keep one table per grant: merge the two, or rename one of them".to_owned()
            }
            Reading::DuplicateKey { .. } => "remove one of the two lines".to_owned(),
        })
    }

    fn related(&self) -> Vec<(Span, String)> {
        let (span, text) = match self {
            Reading::GrantArrayAfterNamed { named: Some(s) } => (s, "a named grant"),
            Reading::DuplicateTable { first: Some(s), .. } => (s, "first written here"),
            Reading::DuplicateKey { first: Some(s), .. } => (s, "first set here"),
            _ => return Vec::new(),
        };
        vec![(span.clone(), text.to_owned())]
    }
}

fn what(table: bool) -> &'static str {
    if table { "table" } else { "list" }
}

fn close(table: bool) -> char {
    if table { '}' } else { ']' }
}
