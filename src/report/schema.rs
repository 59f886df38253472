//! The JSON Schema of the run report (`supportctl schema --report`).
//!
//! Derived from the report's own types, so it cannot drift; committed as
//! `docs/report.schema.json` (a test fails when it is stale), and every
//! JSON report the tests produce is validated against it. Within a
//! `schema_version` fields may be added, so objects allow properties the
//! schema does not name.

use serde_json::Value;

use super::Report;

/// The schema as pretty JSON, ending with a newline.
pub fn json() -> String {
    let schema = schemars::schema_for!(Report);
    let mut value = serde_json::to_value(&schema).expect("schema serialises");
    if let Value::Object(map) = &mut value {
        map.insert(
            "title".into(),
            Value::String("supportctl run report".into()),
        );
        map.insert(
            "description".into(),
            Value::String(format!(
                "The JSON report of `supportctl run` (schema_version {}): `--format json` or `--report json=FILE`.",
                super::SCHEMA_VERSION
            )),
        );
    }
    let mut text = serde_json::to_string_pretty(&value).expect("schema serialises");
    text.push('\n');
    text
}
