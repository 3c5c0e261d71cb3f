//! TOML text to a tree that remembers where every key and value was written.

use toml::Spanned;
use toml::de::DeTable;

use crate::diagnostic::Diagnostic;

/// Parses the configuration, reporting every syntax error the parser can recover from.
pub fn parse(text: &str) -> Result<Spanned<DeTable<'_>>, Vec<Diagnostic>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        return Ok(table);
    }
    let mut diagnostics: Vec<Diagnostic> = errors
        .iter()
        .map(|e| {
            let message = e.message().trim_end().to_owned();
            let span = e.span().unwrap_or(0..0);
            Diagnostic::error(format!("invalid TOML: {message}"))
                .at(span)
                .help("see https://toml.io for the syntax; strings need double quotes, lists square brackets")
        })
        .collect();
    diagnostics.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    Err(diagnostics)
}

/// Decodes the bytes of a configuration file, or says where the first byte that is not UTF-8 is.
pub fn decode(bytes: &[u8]) -> Result<&str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        Diagnostic::error(format!(
            "the file is not UTF-8 text (bad byte 0x{:02x})",
            bytes[at]
        ))
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
