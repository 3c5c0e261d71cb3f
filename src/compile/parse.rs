//! TOML text to a tree that remembers where every key and value was written.

use std::ops::Range;

use toml::Spanned;
use toml::de::DeTable;

use crate::diagnostic::{Diagnostic, Kind};

const SYNTAX_HELP: &str =
    "see https://toml.io for the syntax; strings need double quotes, lists square brackets";

/// Parses the configuration, reporting every syntax error the parser can recover from, minus
/// the echoes of one mistake (an unclosed list, a table written twice).
pub fn parse(text: &str) -> Result<Spanned<DeTable<'_>>, Vec<Diagnostic>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        return Ok(table);
    }
    // JSON fails on every line; one error says what the file is.
    if let Some(d) = json_file(text) {
        return Err(vec![d]);
    }
    let mut raw: Vec<(String, Range<usize>)> = errors
        .iter()
        .map(|e| (e.message().trim_end().to_owned(), e.span().unwrap_or(0..0)))
        .collect();
    raw.sort_by_key(|(_, span)| (span.start, span.end));
    raw.dedup();

    let mut diagnostics = Vec::new();
    // An unclosed `[` or `{` makes the parser read the following lines as its contents and
    // report each of them; one error at the opening bracket says what is wrong.
    if let Some(open) = unclosed_bracket(text)
        && raw
            .iter()
            .any(|(m, s)| s.start >= open && m.starts_with("unclosed"))
    {
        raw.retain(|(_, s)| s.start < open);
        let (what, close) = if text[open..].starts_with('{') {
            ("table", '}')
        } else {
            ("list", ']')
        };
        diagnostics.push(
            Diagnostic::new(Kind::Unclosed, format!("invalid TOML: this {what} is never closed"))
                .at(open..open + 1)
                .label(format!("the {what} opened here has no `{close}`"))
                .help(format!(
                    "close it with `{close}` after its last value; the lines after it were read as part of it"
                )),
        );
    }
    let mut in_duplicate_table = false;
    // One syntax error a line: the parser's recovery reports the rest of a broken line again.
    let mut broken_lines = Vec::new();
    for (message, span) in raw {
        let line = line_of(text, span.start);
        let header = line.trim_start().starts_with('[');
        let line_at = line_start(text, span.start);
        if broken_lines.contains(&line_at) {
            continue;
        }
        if message == "duplicate key" {
            if header && line.trim() == "[[grant]]" {
                in_duplicate_table = true;
                diagnostics.push(grant_array_after_named(text, span));
                continue;
            }
            if header {
                in_duplicate_table = true;
                diagnostics.push(duplicate_table(text, line, span));
                continue;
            }
            // Each key of a table written twice repeats the table's own error.
            if in_duplicate_table {
                continue;
            }
            diagnostics.push(duplicate_key(text, span));
            continue;
        }
        if header {
            in_duplicate_table = false;
        }
        broken_lines.push(line_at);
        let bare = text.get(span.clone()).unwrap_or("");
        if message.starts_with("string values must be quoted") && bare.contains(CURLY) {
            diagnostics.push(curly_quotes(bare, span));
            continue;
        }
        let help = match text.get(span.clone()) {
            Some(bare) if message.starts_with("string values must be quoted") => {
                format!("put the value in double quotes: \"{bare}\"")
            }
            _ if message.starts_with("invalid basic string") => {
                "close the string with `\"` before the end of the line".to_owned()
            }
            _ => SYNTAX_HELP.to_owned(),
        };
        diagnostics.push(
            Diagnostic::new(Kind::Syntax, format!("invalid TOML: {message}"))
                .at(span)
                .help(help),
        );
    }
    Err(diagnostics)
}

/// Typographic quotes, as word processors and chat tools type them.
const CURLY: [char; 4] = ['“', '”', '‘', '’'];

fn curly_quotes(bare: &str, span: Range<usize>) -> Diagnostic {
    let straight: String = bare
        .chars()
        .map(|c| if CURLY.contains(&c) { '"' } else { c })
        .collect();
    Diagnostic::new(
        Kind::CurlyQuotes,
        "invalid TOML: this value is in typographic quotes (“ ”), not straight ones",
    )
    .at(span)
    .label("typographic quotes")
    .help(format!(
        "TOML strings need straight double quotes: {straight}"
    ))
}

/// The file's first character is `{`, which no TOML file starts with: JSON, most often a
/// policy (one ssm-compile wrote, or one copied from the console).
fn json_file(text: &str) -> Option<Diagnostic> {
    let body = text.trim_start_matches('\u{FEFF}');
    let at = text.len() - body.trim_start().len();
    if !body.trim_start().starts_with('{') {
        return None;
    }
    let help = if body.contains("\"Statement\"") {
        "this looks like an IAM policy (ssm-compile writes those): pass the access.toml it was compiled from, -c access.toml"
    } else {
        "ssm-compile reads access.toml (TOML): pass that file with -c FILE"
    };
    Some(
        Diagnostic::new(Kind::NotToml, "this file is JSON, not TOML")
            .at(at..at + 1)
            .label("a JSON object starts here")
            .help(help),
    )
}

/// `[[grant]]` after a `[grant.NAME]`: TOML calls it a duplicate, but the fix is the form.
fn grant_array_after_named(text: &str, span: Range<usize>) -> Diagnostic {
    let mut d = Diagnostic::new(
        Kind::GrantArray,
        "`[[grant]]` cannot be mixed with `[grant.NAME]`: grants are named tables",
    )
    .at(span)
    .help("write this grant as `[grant.NAME]`, with a name of its own, like the others");
    let mut at = 0;
    for l in text.split_inclusive('\n') {
        let trimmed = l.trim();
        if trimmed.starts_with("[grant.") {
            let start = at + (l.len() - l.trim_start().len());
            d = d.related(start..start + trimmed.len(), "a named grant");
            break;
        }
        at += l.len();
    }
    d
}

fn duplicate_table(text: &str, line: &str, span: Range<usize>) -> Diagnostic {
    let header = line.trim();
    let mut d = Diagnostic::new(
        Kind::DuplicateTable,
        format!("invalid TOML: `{header}` is written twice"),
    )
    .at(span.clone())
    .help("keep one table per grant: merge the two, or rename one of them");
    let mut at = 0;
    for l in text[..line_start(text, span.start)].lines() {
        if l.trim() == header {
            let start = at + (l.len() - l.trim_start().len());
            d = d.related(start..start + header.len(), "first written here");
            break;
        }
        at += l.len() + 1;
    }
    d
}

fn duplicate_key(text: &str, span: Range<usize>) -> Diagnostic {
    let key = text.get(span.clone()).unwrap_or("").trim();
    let mut d = Diagnostic::new(
        Kind::DuplicateKey,
        format!("invalid TOML: `{key}` is set twice in one table"),
    )
    .at(span.clone())
    .help("remove one of the two lines");
    // The first one is above, after the table's header.
    let mut at = line_start(text, span.start);
    while at > 0 {
        let prev = line_start(text, at - 1);
        let line = &text[prev..at - 1];
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            break;
        }
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let start = prev + (line.len() - trimmed.len());
            d = d.related(start..start + key.len(), "first set here");
            break;
        }
        at = prev;
    }
    d
}

fn line_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn line_of(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    &text[start..end]
}

/// The byte offset of the outermost `[` or `{` of a value that is still open at the end of the
/// text. A small lexer: strings, comments and table headers are skipped, not interpreted.
fn unclosed_bracket(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut stack: Vec<usize> = Vec::new();
    let mut i = 0;
    let mut line_begins = true;
    while i < bytes.len() {
        let b = bytes[i];
        if line_begins && stack.is_empty() && !b.is_ascii_whitespace() {
            line_begins = false;
            if b == b'[' {
                // A table header: its brackets are not values.
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
        }
        match b {
            b'\n' => line_begins = true,
            b'#' => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'"' | b'\'' => {
                let quote = b as char;
                let triple: String = std::iter::repeat_n(quote, 3).collect();
                if text[i..].starts_with(&triple) {
                    i = text[i + 3..]
                        .find(&triple)
                        .map_or(bytes.len(), |n| i + 3 + n + 3);
                    continue;
                }
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b && bytes[j] != b'\n' {
                    if quote == '"' && bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            b'[' | b'{' => stack.push(i),
            b']' | b'}' => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
    stack.first().copied()
}

/// Decodes the bytes of a configuration file, or says where the first byte that is not UTF-8 is.
pub fn decode(bytes: &[u8]) -> Result<&str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        Diagnostic::new(
            Kind::NotUtf8,
            format!("the file is not UTF-8 text (bad byte 0x{:02x})", bytes[at]),
        )
        .at(at..at + '\u{FFFD}'.len_utf8()) // where the lossy copy shows U+FFFD
        .help("save access.toml as UTF-8; TOML files must be UTF-8")
    })
}

/// Splits a file before each line that is exactly a `[grant.NAME]` header with a bare NAME:
/// (byte offset, text) of the part before the first such line, then of each section. The split
/// is only a guess at the file's structure; `validate::validate_sections` checks that every part
/// parses on its own and falls back to the whole file when one does not.
pub fn sections(text: &str) -> Vec<(usize, &str)> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > 0 && is_grant_header(line) {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(text.len());
    starts
        .windows(2)
        .map(|w| (w[0], &text[w[0]..w[1]]))
        .collect()
}

fn is_grant_header(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("[grant.") else {
        return false;
    };
    let rest = rest.trim_end();
    let Some(name) = rest.strip_suffix(']') else {
        return false;
    };
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unclosed_brackets() {
        assert_eq!(unclosed_bracket("a = [1, 2]\n[t]\nb = { c = 1 }\n"), None);
        assert_eq!(
            unclosed_bracket("a = [\"]\", '[', \"\"\"[\"\"\"] # [\n"),
            None
        );
        assert_eq!(unclosed_bracket("[t]\na = [1,\n# ]\nb = [2]\n"), Some(8));
        assert_eq!(unclosed_bracket("a = { b = 1\n[t]\n"), Some(4));
    }
}
