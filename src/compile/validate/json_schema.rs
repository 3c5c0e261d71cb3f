//! The JSON Schema of `access.toml` (docs/access.schema.json), generated from the same tables
//! the validator reads (`schema::KEYS`, the `Choice` words), so editors (Even Better TOML,
//! taplo) complete and check the keys the validator knows. A test compares the committed file
//! with [`json_schema`].
//!
//! Keys with a value the validator checks simply (an enumeration, an id's pattern) get a precise
//! schema here; any other key's schema is read off its `example` in the table, so a new key
//! appears in the schema, with its description, as soon as it has a row.

use serde_json::{Map, Value, json};

use super::schema::{
    CONSOLES, Choice, DEFAULTABLE, KEYS, KeySpec, OwnSessionsChoice, Scope, grant_keys,
};
use super::settings::Unknown;
use crate::aws::Partition;
use crate::compile::config::{Format, Role};
use crate::lint::catalogue::{self, Class, Level};

/// IAM policy-name characters, 1 to 128 of them: a grant's name is its policy name.
const GRANT_NAME: &str = "^[A-Za-z0-9+=,.@_-]{1,128}$";

/// The schema as a pretty-printed JSON document ending in a newline.
pub fn json_schema() -> String {
    let mut top = Map::new();
    for spec in KEYS.iter().filter(|k| k.scope != Scope::Grant) {
        let value = match spec.name {
            "grant" => named_tables(spec, json!({ "$ref": "#/definitions/grant" })),
            "defaults" => described(spec, defaults_table()),
            _ => described(spec, value_schema(spec)),
        };
        top.insert(spec.name.to_owned(), value);
    }
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "access.toml",
        "description": "ssm-compile's configuration: who may open AWS Session Manager sessions, on which instances, from which consoles. Generated from the validator's key table; do not edit (see docs/ARCHITECTURE.md).",
        "type": "object",
        "properties": top,
        "additionalProperties": false,
        "definitions": { "grant": grant_table() },
    });
    let mut text = serde_json::to_string_pretty(&schema).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// One `[grant.NAME]` table: every grant key, the required ones required, nothing else.
fn grant_table() -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for name in grant_keys() {
        let spec = spec_of(name);
        properties.insert(name.to_owned(), described(spec, value_schema(spec)));
        // `account` and `region` may come from the top of the file, others from [defaults].
        if spec.required && spec.scope == Scope::Grant && !DEFAULTABLE.contains(&name) {
            required.push(name);
        }
    }
    json!({
        "description": "One grant: its policy is policies/NAME.json, NAME being the table's name.",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// `[defaults]`: the grant keys it may set, with the grant's schemas.
fn defaults_table() -> Value {
    let properties: Map<String, Value> = DEFAULTABLE
        .iter()
        .map(|name| {
            let spec = spec_of(name);
            let doc = format!("Default for every grant that does not set it: {}", spec.doc);
            let mut value = value_schema(spec);
            value["description"] = Value::String(doc);
            (name.to_string(), value)
        })
        .collect();
    json!({ "type": "object", "properties": properties, "additionalProperties": false })
}

fn spec_of(name: &str) -> &'static KeySpec {
    KEYS.iter()
        .find(|k| k.name == name)
        .expect("every listed key has a row in KEYS")
}

/// A key's schema with its description (the hover text): the doc line and the example.
fn described(spec: &KeySpec, mut value: Value) -> Value {
    let text = format!("{}\n\nExample: {}", spec.doc, spec.example);
    value["description"] = Value::String(text);
    value
}

/// A table of named tables (`[grant.NAME]`), each of the `inner` schema.
fn named_tables(spec: &KeySpec, inner: Value) -> Value {
    described(
        spec,
        json!({
            "type": "object",
            "patternProperties": { GRANT_NAME: inner },
            "additionalProperties": false,
        }),
    )
}

fn words<C: Choice>() -> Value {
    let names: Vec<&str> = C::NAMES.iter().map(|(n, _)| *n).collect();
    json!({ "type": "string", "enum": names })
}

fn list_of(items: Value) -> Value {
    json!({ "type": "array", "items": items, "minItems": 1, "uniqueItems": true })
}

fn pattern(p: &str) -> Value {
    json!({ "type": "string", "pattern": p })
}

/// The schema of a key's value: precise where the validator's rule is simple, else read off
/// the key's example.
fn value_schema(spec: &KeySpec) -> Value {
    let formats: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
    match spec.name {
        "account" => pattern("^[0-9]{12}$"),
        "region" => pattern("^[a-z]{2}(-gov)?-[a-z]+-[0-9]{1,2}$"),
        "partition" => words::<Partition>(),
        "output" => json!({ "type": "string", "minLength": 1 }),
        "formats" => list_of(json!({ "type": "string", "enum": formats })),
        "role" => words::<Role>(),
        "who" => list_of(pattern("^(user|group|role):[A-Za-z0-9+=,.@_-]{1,128}$")),
        "consoles" => list_of(json!({ "type": "string", "enum": CONSOLES })),
        "instances" => list_of(pattern(
            "^(\\*|i-([0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$",
        )),
        "tags" => json!({
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "oneOf": [{ "type": "string" }, list_of(json!({ "type": "string" }))]
            },
        }),
        "kms_key" => pattern("^arn:aws(-cn|-us-gov)?:kms:[^:]+:[0-9]{12}:key/[^/]+$"),
        "documents" => list_of(pattern("^[A-Za-z0-9_.-]{3,128}$")),
        "own_sessions" => words::<OwnSessionsChoice>(),
        "allow_unknown" => list_of(words::<Unknown>()),
        "lints" => lints_table(),
        _ => from_example(spec.example),
    }
}

/// `[lints]`: each configurable lint, by name or by code, to a level.
fn lints_table() -> Value {
    let mut properties = Map::new();
    for lint in catalogue::all().iter().filter(|l| l.class == Class::Lint) {
        let level = |doc: String| {
            let mut v = words::<Level>();
            v["description"] = Value::String(doc);
            v
        };
        let doc = format!(
            "{} (default {}).",
            lint.summary,
            lint.default_level.as_str()
        );
        properties.insert(lint.name.to_owned(), level(doc.clone()));
        properties.insert(lint.code.to_owned(), level(format!("{}: {doc}", lint.name)));
    }
    json!({ "type": "object", "properties": properties, "additionalProperties": false })
}

/// The schema a key's example implies: `[NAME]` a table, `[NAME.KEY]` a table of tables,
/// `key = VALUE` the type of VALUE.
fn from_example(example: &str) -> Value {
    if let Some(header) = example.strip_prefix('[') {
        return if header.contains('.') {
            json!({ "type": "object", "additionalProperties": { "type": "object" } })
        } else {
            json!({ "type": "object" })
        };
    }
    let value = example
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| t.into_iter().next().map(|(_, v)| v));
    value.as_ref().map_or_else(|| json!({}), of_toml)
}

fn of_toml(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(_) => json!({ "type": "string" }),
        toml::Value::Integer(_) => json!({ "type": "integer" }),
        toml::Value::Float(_) => json!({ "type": "number" }),
        toml::Value::Boolean(_) => json!({ "type": "boolean" }),
        toml::Value::Datetime(_) => json!({ "type": "string" }),
        toml::Value::Array(items) => match items.first() {
            Some(first) => json!({ "type": "array", "items": of_toml(first) }),
            None => json!({ "type": "array" }),
        },
        toml::Value::Table(_) => json!({ "type": "object" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        serde_json::from_str(&json_schema()).unwrap()
    }

    #[test]
    fn every_key_is_described_where_it_may_be_written() {
        let s = schema();
        for spec in KEYS {
            let at_top = &s["properties"][spec.name];
            let in_grant = &s["definitions"]["grant"]["properties"][spec.name];
            assert_eq!(
                at_top.is_object(),
                spec.scope != Scope::Grant,
                "{}",
                spec.name
            );
            assert_eq!(
                in_grant.is_object(),
                spec.scope != Scope::Top,
                "{}",
                spec.name
            );
            for place in [at_top, in_grant].into_iter().filter(|v| v.is_object()) {
                let text = place["description"].as_str().unwrap();
                assert!(text.starts_with(spec.doc), "{}", spec.name);
            }
        }
        for key in DEFAULTABLE {
            let d = &s["properties"]["defaults"]["properties"][key];
            assert!(d["description"].is_string(), "{key}");
        }
    }

    #[test]
    fn choices_are_enumerated_from_the_validators_words() {
        let s = schema();
        let grant = &s["definitions"]["grant"]["properties"];
        assert_eq!(grant["role"]["enum"], json!(["end-user", "admin"]));
        assert_eq!(
            grant["own_sessions"]["enum"],
            json!(["auto", "username", "session-tag"])
        );
        assert_eq!(grant["consoles"]["items"]["enum"], json!(CONSOLES));
        assert_eq!(grant["required"], Value::Null);
        assert_eq!(
            s["definitions"]["grant"]["required"],
            json!(["role", "who"])
        );
    }

    #[test]
    fn an_unknown_key_gets_its_type_from_its_example() {
        assert_eq!(from_example("max = 10"), json!({ "type": "integer" }));
        assert_eq!(from_example("on = true"), json!({ "type": "boolean" }));
        assert_eq!(
            from_example("x = [\"a\"]"),
            json!({ "type": "array", "items": { "type": "string" } })
        );
        assert_eq!(from_example("[lints]"), json!({ "type": "object" }));
        assert_eq!(
            from_example("[forbid.NAME]")["additionalProperties"],
            json!({ "type": "object" })
        );
    }
}
