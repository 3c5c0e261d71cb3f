//! The access matrix as Markdown, CSV, JSON and one self-contained HTML page (inline CSS and a
//! few lines of inline JavaScript to filter; no network, no build chain): a sticky header,
//! principals grouped by kind (users, groups, roles), readable at hundreds of rows.

use std::io::{self, Write};

use super::matrix::{Matrix, Row};

/// Which optional columns to show: the inputs that were given.
#[derive(Clone, Copy, Debug, Default)]
pub struct Columns {
    pub members: bool,
    pub reached: bool,
}

const NONE: &str = "-";

/// (header, cell values) for the chosen columns.
fn cells(row: &Row, cols: Columns) -> Vec<(&'static str, Vec<&str>)> {
    fn all(values: &[String]) -> Vec<&str> {
        values.iter().map(String::as_str).collect()
    }
    let mut out = vec![("principal", vec![row.principal.as_str()])];
    if cols.members {
        out.push(("members", all(&row.members)));
    }
    out.push(("grants", all(&row.grants)));
    out.push(("instances", all(&row.instances)));
    out.push(("tag selectors", all(&row.tags)));
    if cols.reached {
        out.push(("reached instances", all(&row.reached)));
    }
    out.push(("documents", all(&row.documents)));
    out.push(("consoles", all(&row.consoles)));
    let admin = if row.admin {
        vec!["preferences"]
    } else {
        vec![]
    };
    out.push(("admin", admin));
    out.push(("own sessions", all(&row.own_sessions)));
    out.push(("KMS keys", all(&row.kms)));
    out
}

fn headers(cols: Columns) -> Vec<&'static str> {
    cells(&Row::default(), cols)
        .into_iter()
        .map(|(h, _)| h)
        .collect()
}

fn joined(values: &[&str], sep: &str) -> String {
    if values.is_empty() {
        NONE.to_string()
    } else {
        values.join(sep)
    }
}

/// The matrix as a Markdown table, written row by row.
pub fn markdown(matrix: &Matrix, cols: Columns, out: &mut dyn Write) -> io::Result<()> {
    let esc = |s: String| s.replace('|', "\\|");
    let heads = headers(cols);
    writeln!(out, "| {} |", heads.join(" | "))?;
    writeln!(out, "|{}", " --- |".repeat(heads.len()))?;
    for row in matrix.rows() {
        let line: Vec<String> = cells(&row, cols)
            .into_iter()
            .map(|(_, v)| esc(joined(&v, "<br>")))
            .collect();
        writeln!(out, "| {} |", line.join(" | "))?;
    }
    Ok(())
}

/// The matrix as CSV, written row by row.
pub fn csv(matrix: &Matrix, cols: Columns, out: &mut dyn Write) -> io::Result<()> {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n', ';']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let heads: Vec<String> = headers(cols).iter().map(|h| quote(h)).collect();
    writeln!(out, "{}", heads.join(","))?;
    for row in matrix.rows() {
        let line: Vec<String> = cells(&row, cols)
            .into_iter()
            .map(|(_, v)| quote(&v.join("; ")))
            .collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

/// `{"principals": [row, ...]}`: the rows serialized as they are made.
#[derive(serde::Serialize)]
struct Document<'a> {
    principals: Principals<'a>,
}

struct Principals<'a>(&'a Matrix);

impl serde::Serialize for Principals<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.rows())
    }
}

/// The matrix as pretty-printed JSON (`{"principals": [...]}`, keys in name order), written
/// row by row.
pub fn json(matrix: &Matrix, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        principals: Principals(matrix),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}\
header{padding:12px 16px;background:#24292f;color:#fff}header h1{font-size:18px;margin:0 0 4px}\
header p{margin:0;color:#d0d7de}#filter{margin:10px 16px;padding:6px 8px;width:320px;font:inherit}\
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}\
thead th{position:sticky;top:0;background:#eaeef2;z-index:1}\
tbody.kind th{background:#ddf4ff;font-size:13px;text-transform:uppercase;letter-spacing:.04em}\
tr:nth-child(even) td{background:#f6f8fa}td.p{font-weight:600;white-space:nowrap}\
span.v{display:inline-block;white-space:nowrap;margin:1px 4px 1px 0;padding:0 6px;border-radius:10px;background:#eef1f4;font-family:ui-monospace,monospace;font-size:12px}\
td.none{color:#8c959f}";

const SCRIPT: &str = "document.getElementById('filter').addEventListener('input',function(e){\
var q=e.target.value.toLowerCase();document.querySelectorAll('tr.r').forEach(function(r){\
r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';});});";

/// The matrix as one HTML page, written row by row.
pub fn html(matrix: &Matrix, cols: Columns, out: &mut dyn Write) -> io::Result<()> {
    let heads = headers(cols);
    out.write_all(b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")?;
    out.write_all(b"<title>ssm-compile access matrix</title><style>")?;
    out.write_all(STYLE.as_bytes())?;
    out.write_all(b"</style></head><body>\n<header><h1>Who can reach what</h1><p>")?;
    write!(
        out,
        "{} principals. At most: other policies, SCPs, permission boundaries and session policies can still deny.",
        matrix.len()
    )?;
    out.write_all(b"</p></header>\n<input id=\"filter\" placeholder=\"Filter principals, instances, tags...\" aria-label=\"filter\">\n<table><thead><tr>")?;
    for h in &heads {
        write!(out, "<th>{}</th>", html_escape(h))?;
    }
    out.write_all(b"</tr></thead>\n")?;
    for (kind, title) in [("user:", "Users"), ("group:", "Groups"), ("role:", "Roles")] {
        let count = matrix.rows_starting(kind).count();
        if count == 0 {
            continue;
        }
        writeln!(
            out,
            "<tbody class=\"kind\"><tr><th colspan=\"{}\">{title} ({count})</th></tr></tbody><tbody>",
            heads.len(),
        )?;
        for row in matrix.rows_starting(kind) {
            out.write_all(html_row(&row, cols).as_bytes())?;
        }
        out.write_all(b"</tbody>\n")?;
    }
    out.write_all(b"</table>\n<script>")?;
    out.write_all(SCRIPT.as_bytes())?;
    out.write_all(b"</script>\n</body></html>\n")
}

fn html_row(row: &Row, cols: Columns) -> String {
    let mut out = String::from("<tr class=\"r\">");
    for (i, (_, values)) in cells(row, cols).into_iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("<td class=\"p\">{}</td>", html_escape(values[0])));
        } else if values.is_empty() {
            out.push_str("<td class=\"none\">-</td>");
        } else {
            let chips: String = values
                .iter()
                .map(|v| format!("<span class=\"v\">{}</span>", html_escape(v)))
                .collect();
            out.push_str(&format!("<td>{chips}</td>"));
        }
    }
    out.push_str("</tr>\n");
    out
}
