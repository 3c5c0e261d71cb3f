//! `diff --format json`: the report as its schema (`docs/diff-report.schema.json`) says.

use crate::review::model::Report;

pub fn render(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(report).expect("a report always serializes");
    out.push('\n');
    out
}
