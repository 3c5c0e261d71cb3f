//! TOML text to a tree that remembers where every key and value was written.

use std::ops::Range;

use toml::Spanned;
use toml::de::DeTable;

use crate::diagnostic::Diagnostic;
use crate::diagnostic::message::reading::SyntaxHelp;
use crate::diagnostic::message::{Problem, Reading};

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

    let mut diagnostics: Vec<Diagnostic> = unclosed(text, &mut raw).into_iter().collect();
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
                SyntaxHelp::Quote(bare)
            }
            _ if message.starts_with("invalid basic string") => SyntaxHelp::CloseString,
            _ => SyntaxHelp::General,
        };
        let message = &message;
        diagnostics.push(Reading::Syntax { message, help }.at(span));
    }
    Err(diagnostics)
}

/// An unclosed `[` or `{` makes the parser read the following lines as its contents and
/// report each of them; one error at the opening bracket says what is wrong (and the errors
/// after it are dropped from `raw`).
fn unclosed(text: &str, raw: &mut Vec<(String, Range<usize>)>) -> Option<Diagnostic> {
    let open = unclosed_bracket(text)?;
    if !raw
        .iter()
        .any(|(m, s)| s.start >= open && m.starts_with("unclosed"))
    {
        return None;
    }
    raw.retain(|(_, s)| s.start < open);
    let table = text[open..].starts_with('{');
    Some(Reading::Unclosed { table }.at(open..open + 1))
}

/// Typographic quotes, as word processors and chat tools type them.
const CURLY: [char; 4] = ['“', '”', '‘', '’'];

fn curly_quotes(bare: &str, span: Range<usize>) -> Diagnostic {
    let straight: String = bare
        .chars()
        .map(|c| if CURLY.contains(&c) { '"' } else { c })
        .collect();
    Reading::CurlyQuotes { straight }.at(span)
}

/// The file's first character is `{`, which no TOML file starts with: JSON, most often a
/// policy (one ssm-compile wrote, or one copied from the console).
fn json_file(text: &str) -> Option<Diagnostic> {
    let body = text.trim_start_matches('\u{FEFF}');
    let at = text.len() - body.trim_start().len();
    if !body.trim_start().starts_with('{') {
        return None;
    }
    let policy = body.contains("\"Statement\"");
    Some(Reading::NotToml { policy }.at(at..at + 1))
}

/// `[[grant]]` after a `[grant.NAME]`: TOML calls it a duplicate, but the fix is the form.
fn grant_array_after_named(text: &str, span: Range<usize>) -> Diagnostic {
    let mut named = None;
    let mut at = 0;
    for l in text.split_inclusive('\n') {
        let trimmed = l.trim();
        if trimmed.starts_with("[grant.") {
            let start = at + (l.len() - l.trim_start().len());
            named = Some(start..start + trimmed.len());
            break;
        }
        at += l.len();
    }
    Reading::GrantArrayAfterNamed { named }.at(span)
}

fn duplicate_table(text: &str, line: &str, span: Range<usize>) -> Diagnostic {
    let header = line.trim();
    let mut first = None;
    let mut at = 0;
    for l in text[..line_start(text, span.start)].lines() {
        if l.trim() == header {
            let start = at + (l.len() - l.trim_start().len());
            first = Some(start..start + header.len());
            break;
        }
        at += l.len() + 1;
    }
    Reading::DuplicateTable { header, first }.at(span)
}

fn duplicate_key(text: &str, span: Range<usize>) -> Diagnostic {
    let key = text.get(span.clone()).unwrap_or("").trim();
    let mut first = None;
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
            first = Some(start..start + key.len());
            break;
        }
        at = prev;
    }
    Reading::DuplicateKey { key, first }.at(span)
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
        // At the place the lossy copy shows U+FFFD.
        Reading::NotUtf8 { byte: bytes[at] }.at(at..at + '\u{FFFD}'.len_utf8())
    })
}

/// One part of a file split by [`sections`]: its byte offset, its text, and whether it is the
/// continuation of a `[grant]` table's body (it must then be parsed after a `[grant]` line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section<'a> {
    pub offset: usize,
    pub text: &'a str,
    pub in_grant_table: bool,
}

/// A part of a `[grant]` table or of top-level `grant.NAME.KEY` lines is cut once it is this
/// large: 400,000 inline-table grants in one `[grant]` table would otherwise be one tree of
/// 1.5 GB.
/// Small when fuzzing, so inputs of a few KB reach the cuts and the differential target checks
/// them.
const CHUNK: usize = if cfg!(fuzzing) { 512 } else { 64 << 10 };

/// Splits a file before each line that is exactly a `[grant.NAME]` header with a bare NAME, and
/// inside a `[grant]` table's body or a run of top-level `grant.NAME...` keys every [`CHUNK`]
/// bytes, at a line that starts a key of another grant. The first part is the head (all the
/// top-level keys). The split is only a guess at the file's structure: a cut inside a
/// multi-line value leaves a part that does not parse, and `validate::validate_sections`
/// then falls back to the whole file, as it does for a grant whose keys land in two parts.
pub fn sections(text: &str) -> Vec<Section<'_>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Ctx {
        Top,
        GrantTable,
        Other,
    }
    let mut parts = Vec::new();
    let (mut start, mut in_grant_table) = (0, false);
    let (mut ctx, mut offset, mut last_grant): (Ctx, usize, &str) = (Ctx::Top, 0, "");
    for line in text.split_inclusive('\n') {
        let header = line.starts_with('[');
        let key = match ctx {
            Ctx::Top if !header => line.strip_prefix("grant.").map(first_key),
            Ctx::GrantTable if !header => line
                .starts_with(|c: char| c.is_ascii_alphanumeric() || "_-\"'".contains(c))
                .then(|| first_key(line)),
            _ => None,
        };
        let cut = if header {
            offset > 0 && is_grant_header(line)
        } else {
            key.is_some_and(|k| k != last_grant && offset - start >= CHUNK)
        };
        if cut {
            parts.push(Section {
                offset: start,
                text: &text[start..offset],
                in_grant_table,
            });
            start = offset;
            in_grant_table = !header && ctx == Ctx::GrantTable;
        }
        if header {
            ctx = if line.trim_end() == "[grant]" {
                Ctx::GrantTable
            } else {
                Ctx::Other
            };
        }
        if let Some(k) = key {
            last_grant = k;
        }
        offset += line.len();
    }
    parts.push(Section {
        offset: start,
        text: &text[start..],
        in_grant_table,
    });
    parts
}

/// The first component of a key at the start of `line`: the grant's name in `NAME = {...}` or
/// `NAME.role = ...`.
fn first_key(line: &str) -> &str {
    let end = line
        .find(|c: char| c == '.' || c == '=' || c.is_whitespace())
        .unwrap_or(line.len());
    &line[..end]
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
