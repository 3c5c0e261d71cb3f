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
