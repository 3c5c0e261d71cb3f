//! Where a diagnostic is, in lines and columns: computed once per run from a table of line
//! starts, and shared by every renderer (human, JSON, GitHub, SARIF), so the formats cannot
//! disagree about a place.
//!
//! Lines and columns are 1-based; columns count characters (Unicode code points), and an end
//! column is the column just after the last character, as in SARIF. A byte-order mark is not a
//! character of the first line: it never moves a column or a caret.

use std::ops::Range;

use super::{Diagnostic, Severity, Source, Text, floor_char_boundary};

const BOM: &str = "\u{FEFF}";

/// The byte offset where each line starts, and the length of a leading byte-order mark.
pub(super) struct LineStarts {
    pub(super) starts: Vec<usize>,
    pub(super) bom: usize,
}

impl LineStarts {
    pub(super) fn new(text: &str) -> Self {
        let newlines = text.match_indices('\n').map(|(i, _)| i + 1);
        LineStarts {
            starts: std::iter::once(0).chain(newlines).collect(),
            bom: if text.starts_with(BOM) { BOM.len() } else { 0 },
        }
    }

    /// The 0-based line holding byte `offset`.
    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// Where line `line` (0-based) starts, past a byte-order mark.
    pub(super) fn start_of(&self, line: usize) -> usize {
        if line == 0 {
            self.bom
        } else {
            self.starts[line]
        }
    }

    /// 1-based line and column of `offset` in `text`.
    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len())).max(self.bom);
        let line = self.line_of(offset);
        let column = text[self.start_of(line)..offset].chars().count() + 1;
        (line + 1, column)
    }
}

/// A range of a file in lines and columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// A diagnostic with its places in lines and columns: what the machine formats print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub code: &'static str,
    pub severity: Severity,
    pub message: Text,
    pub help: Option<Text>,
    pub label: Option<Text>,
    /// The file as the user named it; empty when the problem is in no file.
    pub file: String,
    pub region: Option<Region>,
    /// Other places that explain the problem, with their text.
    pub related: Vec<(Region, String)>,
}

/// Locates each diagnostic of `source` (one table of line starts for them all).
pub fn locate(diagnostics: &[Diagnostic], source: &Source) -> Vec<Located> {
    let lines = LineStarts::new(&source.text);
    let text = source.text.as_str();
    let region = |span: &Range<usize>| {
        let (line, column) = lines.line_col(text, span.start);
        let (end_line, end_column) = lines.line_col(text, span.end.max(span.start));
        Region {
            line,
            column,
            end_line,
            end_column,
        }
    };
    diagnostics
        .iter()
        .map(|d| Located {
            code: d.code(),
            severity: d.severity,
            message: d.message.clone(),
            help: d.help.clone(),
            label: d.label.clone(),
            file: source.path.clone(),
            region: d.span.as_ref().map(region),
            related: d
                .related
                .iter()
                .map(|(span, text)| (region(span), text.clone()))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Kind;

    fn one(text: &str, span: Range<usize>) -> Region {
        let d = Diagnostic::new(Kind::Syntax, "x").at(span);
        locate(&[d], &Source::new("a.toml", text))[0]
            .region
            .unwrap()
    }

    #[test]
    fn lines_and_columns_count_characters_from_one() {
        let text = "a = 1\nrole = “x”\n";
        let at = text.find('“').unwrap();
        let r = one(text, at..at + "“x”".len());
        assert_eq!((r.line, r.column, r.end_line, r.end_column), (2, 8, 2, 11));
        let r = one(text, 0..text.len());
        assert_eq!((r.line, r.column, r.end_line, r.end_column), (1, 1, 3, 1));
    }

    #[test]
    fn a_byte_order_mark_moves_no_column() {
        let r = one("\u{FEFF}account = 12\n", 13..15);
        assert_eq!((r.line, r.column, r.end_column), (1, 11, 13));
        assert_eq!(one("\u{FEFF}x", 0..1).column, 1, "a span inside the mark");
    }

    #[test]
    fn spans_past_the_end_are_clamped() {
        let r = one("ab", 5..9);
        assert_eq!((r.line, r.column, r.end_column), (1, 3, 3));
    }
}
