//! `--message-format github`: GitHub Actions workflow commands, one a line, which the runner
//! turns into annotations on the file's lines:
//! `::error file=access.toml,line=9,col=13,endLine=9,endColumn=20,title=E0410::MESSAGE`.
//!
//! Escaping follows the Actions toolkit (`@actions/core`, command.ts): in the message `%`, CR
//! and LF become `%25`, `%0D`, `%0A`; in a property also `:` and `,` (`%3A`, `%2C`).

use std::fmt::Write as _;

use super::Severity;
use super::location::Located;

/// One workflow command per diagnostic; the help follows the message on its own line.
pub(super) fn render(located: &[Located]) -> String {
    let mut out = String::new();
    for d in located {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if !d.file.is_empty() {
            props.push(format!("file={}", property(&d.file)));
        }
        if let Some(r) = &d.region {
            props.push(format!("line={}", r.line));
            props.push(format!("col={}", r.column));
            props.push(format!("endLine={}", r.end_line));
            props.push(format!("endColumn={}", r.end_column));
        }
        props.push(format!("title={}", property(d.code)));
        let mut message = d.message.to_string();
        if let Some(help) = &d.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        let _ = writeln!(out, "::{command} {}::{}", props.join(","), data(&message));
    }
    out
}

fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Diagnostic, Kind, Source, locate};

    #[test]
    fn workflow_commands_with_escapes() {
        let text = "a = 1\nrole = \"x\"\n";
        let ds = [
            Diagnostic::new(Kind::UnknownChoice, "100% wrong\nreally")
                .at(13..16)
                .help("one of: a, b"),
            Diagnostic::new(Kind::KmsRegion, "no place"),
        ];
        let out = super::render(&locate(&ds, &Source::new("dir,x/a:b.toml", text)));
        assert_eq!(
            out,
            "::error file=dir%2Cx/a%3Ab.toml,line=2,col=8,endLine=2,endColumn=11,title=E0207::\
             100%25 wrong%0Areally%0Ahelp: one of: a, b\n\
             ::warning file=dir%2Cx/a%3Ab.toml,title=W0417::no place\n"
        );
    }
}
