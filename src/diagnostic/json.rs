//! `--message-format json`: one JSON object a line per diagnostic, for scripts and editors.
//!
//! Fields, always present (null when absent): `file`, `line`, `column`, `end_line`,
//! `end_column` (1-based; columns count characters; the end column is the one just after the
//! span), `code`, `severity` (`error` or `warning`), `message`, `help`, `label` and `related`
//! (a list of `{line, column, end_line, end_column, message}`).

use serde::Serialize;

use super::Severity;
use super::location::{Located, Region};

#[derive(Serialize)]
struct Line<'a> {
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    label: Option<&'a str>,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

pub(super) fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// One line per diagnostic, each ending in a newline.
pub(super) fn render(located: &[Located]) -> String {
    let mut out = String::new();
    for d in located {
        let region = d.region.as_ref();
        let line = Line {
            file: (!d.file.is_empty()).then_some(d.file.as_str()),
            line: region.map(|r| r.line),
            column: region.map(|r| r.column),
            end_line: region.map(|r| r.end_line),
            end_column: region.map(|r| r.end_column),
            code: d.code,
            severity: severity_word(d.severity),
            message: &d.message,
            help: d.help.as_deref(),
            label: d.label.as_deref(),
            related: d.related.iter().map(related).collect(),
        };
        out.push_str(&serde_json::to_string(&line).expect("plain data serializes"));
        out.push('\n');
    }
    out
}

fn related((r, message): &(Region, String)) -> Related<'_> {
    Related {
        line: r.line,
        column: r.column,
        end_line: r.end_line,
        end_column: r.end_column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Diagnostic, Kind, Source, locate};

    #[test]
    fn one_object_a_line_with_every_field() {
        let text = "a = 1\nb = 2\n";
        let ds = [
            Diagnostic::new(Kind::DuplicateKey, "twice")
                .at(6..7)
                .help("keep one")
                .related(0..1, "first here"),
            Diagnostic::new(Kind::Io, "no place"),
        ];
        let out = super::render(&locate(&ds, &Source::new("a.toml", text)));
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["file"], "a.toml");
        assert_eq!(lines[0]["line"], 2);
        assert_eq!(lines[0]["column"], 1);
        assert_eq!(lines[0]["end_column"], 2);
        assert_eq!(lines[0]["code"], "E0104");
        assert_eq!(lines[0]["severity"], "error");
        assert_eq!(lines[0]["help"], "keep one");
        assert_eq!(lines[0]["related"][0]["line"], 1);
        assert_eq!(lines[0]["related"][0]["message"], "first here");
        assert!(lines[1]["line"].is_null() && lines[1]["help"].is_null());
    }
}
