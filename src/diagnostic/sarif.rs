//! `--message-format sarif`: one SARIF 2.1.0 log (OASIS) for GitHub code scanning and other
//! SARIF viewers. `tool.driver.rules` lists the codes the results use, in order of first use
//! (from `rules::rules`: id, name, short and full description, help); each result has its `ruleId`, `level`, `message` and the location of
//! its span: the file as a relative URI and the region in lines and code-point columns
//! (`columnKind` says so; SARIF's default would be UTF-16 units). CI validates the output
//! against the official schema (tests/sarif/outputs.sh).

use serde_json::{Value, json};

use super::Severity;
use super::location::{Located, Region};
use super::rules::{Rule, rules};

/// The whole log, pretty-printed, ending in a newline.
pub(super) fn render(located: &[Located]) -> String {
    let all = rules();
    let mut rules: Vec<&Rule> = Vec::new();
    for d in located {
        if !rules.iter().any(|r| r.id == d.code)
            && let Some(rule) = all.iter().find(|r| r.id == d.code)
        {
            rules.push(rule);
        }
    }
    let results: Vec<Value> = located.iter().map(|d| result(d, &rules)).collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ssm-compile",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|r| rule(r)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).expect("plain data serializes");
    out.push('\n');
    out
}

fn rule(r: &Rule) -> Value {
    json!({
        "id": r.id,
        "name": r.name,
        "shortDescription": { "text": r.short },
        "fullDescription": { "text": r.full },
        "help": { "text": r.help },
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn result(d: &Located, rules: &[&Rule]) -> Value {
    let mut text = d.message.to_string();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut result = json!({
        "ruleId": d.code,
        "level": level(d.severity),
        "message": { "text": text },
    });
    if let Some(index) = rules.iter().position(|r| r.id == d.code) {
        result["ruleIndex"] = json!(index);
    }
    if !d.file.is_empty() {
        result["locations"] = json!([{ "physicalLocation": physical(&d.file, d.region.as_ref()) }]);
    }
    if !d.file.is_empty() && !d.related.is_empty() {
        let related: Vec<Value> = d
            .related
            .iter()
            .enumerate()
            .map(|(id, (region, text))| {
                json!({
                    "id": id,
                    "physicalLocation": physical(&d.file, Some(region)),
                    "message": { "text": text },
                })
            })
            .collect();
        result["relatedLocations"] = json!(related);
    }
    result
}

fn physical(file: &str, region: Option<&Region>) -> Value {
    let mut location = json!({ "artifactLocation": { "uri": uri(file) } });
    if let Some(r) = region {
        location["region"] = json!({
            "startLine": r.line,
            "startColumn": r.column,
            "endLine": r.end_line,
            "endColumn": r.end_column,
        });
    }
    location
}

/// The path as a URI reference: relative paths stay relative (code scanning resolves them
/// from the repository root), every byte outside the unreserved set and `/` percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::from(if path.starts_with('/') { "file://" } else { "" });
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Diagnostic, Kind, Source, locate};

    #[test]
    fn a_log_with_rules_results_and_regions() {
        let text = "a = 1\nb = 2\n";
        let ds = [
            Diagnostic::new(Kind::DuplicateKey, "twice")
                .at(6..7)
                .related(0..1, "first"),
            Diagnostic::new(Kind::KmsRegion, "elsewhere").at(0..1),
        ];
        let log = super::render(&locate(&ds, &Source::new("infra/my access.toml", text)));
        let log: serde_json::Value = serde_json::from_str(&log).unwrap();
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["E0104", "W0417"], "the rules the results use");
        let r = &run["results"][0];
        assert_eq!(r["ruleId"], "E0104");
        assert_eq!(
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "E0104"
        );
        assert_eq!(r["level"], "error");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "infra/my%20access.toml");
        assert_eq!(loc["region"]["startLine"], 2);
        assert_eq!(loc["region"]["endColumn"], 2);
        assert_eq!(r["relatedLocations"][0]["message"]["text"], "first");
        assert_eq!(run["results"][1]["level"], "warning");
    }

    #[test]
    fn no_diagnostics_is_still_a_log() {
        let log: serde_json::Value = serde_json::from_str(&super::render(&[])).unwrap();
        assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    }
}
