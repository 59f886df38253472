//! The JSON Schema of the playbook format, for TOML editors.
//!
//! Derived from the same types the loader decodes, so it cannot drift;
//! committed as `playbooks/schema.json` (a test fails when it is stale) and
//! referenced by a `#:schema` comment atop every shipped playbook, which
//! Taplo / Even Better TOML use for completion and checking.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde_json::Value;

use super::model::{Common, Meta};
use crate::steps::KindSchema;
use crate::steps::command::CommandStep;

/// A supportctl playbook.
#[derive(JsonSchema)]
#[schemars(title = "supportctl playbook", deny_unknown_fields)]
#[allow(dead_code)]
struct PlaybookFile {
    /// What the playbook is for.
    playbook: Option<Meta>,
    /// Variables usable as `{{ name }}` in step strings; override with `--var name=value`.
    vars: Option<BTreeMap<String, VarValue>>,
    /// The steps, run in order.
    step: Vec<StepSchema>,
    /// Known causes, checked in order after the steps: the first that
    /// matches (all, with `conclude = "all"`) is the run's conclusion.
    #[serde(default)]
    cause: Vec<super::model::Cause>,
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum VarValue {
    Text(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    /// `{ value = "...", secret = true }`: a value never shown in reports,
    /// `show` or errors.
    Detailed(DetailedVar),
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct DetailedVar {
    /// The default value (`--var` overrides it).
    value: Option<String>,
    /// Never print the value: it is replaced by `[REDACTED:secret-var]`.
    #[serde(default)]
    secret: bool,
}

/// One step: the common keys plus the keys of its kind.
#[derive(JsonSchema)]
#[schemars(extend("unevaluatedProperties" = false))]
#[allow(dead_code)]
struct StepSchema {
    #[serde(flatten)]
    common: Common,
    #[serde(flatten)]
    kind: KindSchema,
    /// What runs when the check fails; then the check runs again.
    fix: Option<FixSchema>,
}

#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, clippy::large_enum_variant)] // Never built: it only describes the schema.
enum FixSchema {
    /// Run another step of this playbook (usually one with `only_as_fix = true`).
    Step {
        /// The id of the step to run.
        step: String,
    },
    /// Run steps of this playbook in order, every one (a step whose `when` is
    /// unmet is passed over), e.g. stop a service, clear its queue, start it.
    Steps {
        /// The ids of the steps to run.
        steps: Vec<String>,
    },
    /// Run a command (the keys of a `command` step, and its own `timeout`).
    Command(InlineFix),
}

#[derive(JsonSchema)]
#[allow(dead_code)]
struct InlineFix {
    #[serde(flatten)]
    command: CommandStep,
    /// The fix's own timeout (default 60s).
    timeout: Option<crate::values::Dur>,
}

/// The schema as pretty JSON, ending with a newline.
pub fn json() -> String {
    let schema = schemars::schema_for!(PlaybookFile);
    let mut value = serde_json::to_value(&schema).expect("schema serialises");
    drop_null(&mut value);
    let mut text = serde_json::to_string_pretty(&value).expect("schema serialises");
    text.push('\n');
    text
}

/// TOML has no null: optional keys are simply absent. Removes the `null`
/// alternatives schemars adds for `Option` fields.
fn drop_null(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(alternatives)) = map.get_mut("anyOf") {
                alternatives.retain(|a| a.get("type").is_none_or(|t| t != "null"));
                if alternatives.len() == 1 {
                    let only = alternatives.remove(0);
                    map.remove("anyOf");
                    if let Value::Object(inner) = only {
                        for (k, v) in inner {
                            map.entry(k).or_insert(v);
                        }
                    }
                }
            }
            map.values_mut().for_each(drop_null);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_null_in_schema() {
        let text = super::json();
        assert!(!text.contains("\"null\""), "TOML has no null");
        assert!(text.contains("\"command\""));
    }
}
