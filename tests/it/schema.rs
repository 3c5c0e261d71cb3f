//! docs/access.schema.json is what `ssm_compile::validate::json_schema` generates from the
//! validator's key table. After adding a key: `TRYCMD=overwrite cargo test --test it schema`.
//! That taplo accepts the example with it and rejects broken copies is scripts/schema-check.sh.

use std::fs;
use std::path::Path;

use crate::support;

#[test]
fn the_committed_schema_is_the_generated_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/access.schema.json");
    let generated = ssm_compile::validate::json_schema();
    if support::bless() {
        fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/access.schema.json is stale: run TRYCMD=overwrite cargo test --test it schema"
    );
}

#[test]
fn the_schema_is_json_with_every_key() {
    let schema: serde_json::Value =
        serde_json::from_str(&ssm_compile::validate::json_schema()).unwrap();
    for key in ssm_compile::validate::top_keys() {
        assert!(schema["properties"][key].is_object(), "{key}");
    }
    for key in ssm_compile::validate::grant_keys() {
        let at = &schema["definitions"]["grant"]["properties"][key];
        assert!(at["description"].is_string(), "{key}");
    }
    assert_eq!(schema["additionalProperties"], false);
}
