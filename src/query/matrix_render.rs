//! The access matrix as Markdown, CSV, JSON and one self-contained HTML page (inline CSS and a
//! few lines of inline JavaScript to filter; no network, no build chain): a sticky header,
//! principals grouped by kind (users, groups, roles), readable at hundreds of rows.

use super::matrix::Row;

/// Which optional columns to show: the inputs that were given.
#[derive(Clone, Copy, Debug, Default)]
pub struct Columns {
    pub members: bool,
    pub reached: bool,
}

const NONE: &str = "-";

/// (header, cell values) for the chosen columns.
fn cells(row: &Row, cols: Columns) -> Vec<(&'static str, Vec<String>)> {
    let mut out = vec![("principal", vec![row.principal.clone()])];
    if cols.members {
        out.push(("members", row.members.clone()));
    }
    out.push(("grants", row.grants.clone()));
    out.push(("instances", row.instances.clone()));
    out.push(("tag selectors", row.tags.clone()));
    if cols.reached {
        out.push(("reached instances", row.reached.clone()));
    }
    out.push(("documents", row.documents.clone()));
    out.push(("consoles", row.consoles.clone()));
    let admin = if row.admin { "preferences" } else { "" };
    out.push((
        "admin",
        [admin]
            .into_iter()
            .filter(|a| !a.is_empty())
            .map(String::from)
            .collect(),
    ));
    out.push(("own sessions", row.own_sessions.clone()));
    out.push(("KMS keys", row.kms.clone()));
    out
}

fn headers(cols: Columns) -> Vec<&'static str> {
    cells(&Row::default(), cols)
        .into_iter()
        .map(|(h, _)| h)
        .collect()
}

fn joined(values: &[String], sep: &str) -> String {
    if values.is_empty() {
        NONE.to_string()
    } else {
        values.join(sep)
    }
}

pub fn markdown(rows: &[Row], cols: Columns) -> String {
    let esc = |s: String| s.replace('|', "\\|");
    let heads = headers(cols);
    let mut out = format!("| {} |\n", heads.join(" | "));
    out.push_str(&format!("|{}\n", " --- |".repeat(heads.len())));
    for row in rows {
        let line: Vec<String> = cells(row, cols)
            .into_iter()
            .map(|(_, v)| esc(joined(&v, "<br>")))
            .collect();
        out.push_str(&format!("| {} |\n", line.join(" | ")));
    }
    out
}

pub fn csv(rows: &[Row], cols: Columns) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n', ';']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = headers(cols)
        .iter()
        .map(|h| quote(h))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for row in rows {
        let line: Vec<String> = cells(row, cols)
            .into_iter()
            .map(|(_, v)| quote(&v.join("; ")))
            .collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

pub fn json(rows: &[Row]) -> String {
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "principals": rows }))
        .expect("rows serialize");
    text.push('\n');
    text
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

pub fn html(rows: &[Row], cols: Columns) -> String {
    let heads = headers(cols);
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.push_str("<title>ssm-compile access matrix</title><style>");
    out.push_str(STYLE);
    out.push_str("</style></head><body>\n<header><h1>Who can reach what</h1><p>");
    out.push_str(&format!(
        "{} principals. At most: other policies, SCPs, permission boundaries and session policies can still deny.",
        rows.len()
    ));
    out.push_str("</p></header>\n<input id=\"filter\" placeholder=\"Filter principals, instances, tags...\" aria-label=\"filter\">\n<table><thead><tr>");
    for h in &heads {
        out.push_str(&format!("<th>{}</th>", html_escape(h)));
    }
    out.push_str("</tr></thead>\n");
    for (kind, title) in [("user:", "Users"), ("group:", "Groups"), ("role:", "Roles")] {
        let group: Vec<&Row> = rows
            .iter()
            .filter(|r| r.principal.starts_with(kind))
            .collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "<tbody class=\"kind\"><tr><th colspan=\"{}\">{title} ({})</th></tr></tbody><tbody>\n",
            heads.len(),
            group.len()
        ));
        for row in group {
            out.push_str(&html_row(row, cols));
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body></html>\n");
    out
}

fn html_row(row: &Row, cols: Columns) -> String {
    let mut out = String::from("<tr class=\"r\">");
    for (i, (_, values)) in cells(row, cols).into_iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("<td class=\"p\">{}</td>", html_escape(&values[0])));
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
