//! TOML text -> [`Playbook`], with every problem located.
//!
//! Steps: parse into a spanned tree (all syntax errors at once); check the
//! top-level tables; read `[vars]`; expand `{{ templates }}` in each step's
//! strings in place (spans still point into the original text); check each
//! step's keys against the lists its structs accept (every unknown key, with
//! "did you mean"); decode the common keys, the kind's keys and the fix,
//! retrying without a bad key so that every bad value is reported, not only
//! the first; then [`super::validate`] checks ids and references. Nothing is
//! returned unless the whole file is valid.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::diagnostic::{Diagnostic, did_you_mean};
use super::model::{Cause, Common, Fix, FixTimeout, Meta, Playbook, StepDef, When};
use super::validate;
use crate::facts::Facts;
use crate::steps::command::CommandStep;
use crate::steps::{KIND_NAMES, KindDecoder, StepKind};
use crate::values::fields::field_names;
use crate::vars;

/// A playbook's text and where it came from.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Shown in diagnostics: the path as given, or `shipped:NAME`.
    pub label: String,
    /// Name used when `[playbook] name` is absent.
    pub default_name: String,
    /// Value of `{{ playbook_dir }}`.
    pub dir: String,
    pub text: Arc<str>,
    /// A file's path and its exact bytes as read (what a signature covers);
    /// `None` for shipped playbooks, which are trusted as part of the binary.
    pub file: Option<(std::path::PathBuf, Arc<[u8]>)>,
}

/// Collects diagnostics for one file.
pub(super) struct Sink {
    pub file: String,
    pub source: Arc<str>,
    pub diags: Vec<Diagnostic>,
}

impl Sink {
    pub fn error(
        &mut self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.diags.push(Diagnostic {
            file: self.file.clone(),
            source: self.source.clone(),
            span,
            message: message.into(),
            hint,
        });
    }

    /// Records a serde error, turning "unknown field/variant" into a hint.
    fn serde_error(&mut self, err: &toml::de::Error, context: &str) {
        let (message, hint) = explain(err.message());
        let message = if context.is_empty() {
            message
        } else {
            format!("{message} {context}")
        };
        let message = message.replace("invalid type: ", "wrong type: found ");
        self.error(err.span(), message, hint);
    }
}

/// Rewords serde's messages: `unknown field `x`, expected one of `a`, `b``
/// becomes "unknown key `x`" with "did you mean `a`?" or the list of keys.
fn explain(message: &str) -> (String, Option<String>) {
    if let Some((message, hint)) = message.split_once(crate::values::HINT) {
        return (message.to_string(), Some(hint.to_string()));
    }
    if let Some((found, expected)) = message.split_once(", expected ")
        && (found.starts_with("invalid type") || found.starts_with("invalid value"))
    {
        let expected = match expected {
            "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number from 0 to 4294967295",
            "i8" | "i16" | "i32" | "i64" => "a whole number (32-bit)",
            "a sequence" => "an array",
            "a map" => "a table",
            "a boolean" => "true or false",
            other => other,
        };
        return (format!("{found}, expected {expected}"), None);
    }
    for (prefix, noun) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        let Some(rest) = message.strip_prefix(prefix) else {
            continue;
        };
        let Some((word, expected)) = rest.split_once('`') else {
            continue;
        };
        let options: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let hint = match did_you_mean(word, options.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None if options.is_empty() => format!("no {noun}s are accepted here"),
            None => format!("expected one of: {}", options.join(", ")),
        };
        return (format!("unknown {noun} `{word}`"), Some(hint));
    }
    (message.to_string(), None)
}

fn key_of<'a>(k: &'a Spanned<std::borrow::Cow<'_, str>>) -> &'a str {
    k.get_ref().as_ref()
}

/// Decodes `T` from a table, collecting every error: after an error inside
/// a key's value, that key is removed and decoding is tried again.
fn decode_all<T: DeserializeOwned>(
    table: &DeTable<'_>,
    span: Range<usize>,
    sink: &mut Sink,
    context: &str,
) -> Option<T> {
    let mut table = table.clone();
    let mut removed: Vec<String> = Vec::new();
    loop {
        let value = Spanned::new(span.clone(), DeValue::Table(table.clone()));
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(v) => return if removed.is_empty() { Some(v) } else { None },
            Err(err) => {
                let missing_removed = err
                    .message()
                    .strip_prefix("missing field `")
                    .and_then(|r| r.split('`').next())
                    .is_some_and(|f| removed.iter().any(|r| r == f));
                if !missing_removed {
                    sink.serde_error(&err, context);
                }
                let culprit = err.span().and_then(|es| {
                    table
                        .iter()
                        .find(|(k, v)| {
                            let (ks, vs) = (k.span(), v.span());
                            (ks.start <= es.start && es.start < ks.end.max(ks.start + 1))
                                || (vs.start <= es.start && es.start < vs.end.max(vs.start + 1))
                        })
                        .map(|(k, _)| key_of(k).to_string())
                });
                match culprit {
                    Some(key) if es_inside_table(&err, &span) => {
                        table.remove(key.as_str());
                        removed.push(key);
                    }
                    _ => return None,
                }
            }
        }
    }
}

fn es_inside_table(err: &toml::de::Error, span: &Range<usize>) -> bool {
    err.span().is_some_and(|s| s.start >= span.start)
}

/// Keys whose strings are paths: templates there cannot add `..`, nor a
/// separator inside a name (see [`vars::Context::Path`]).
const PATH_KEYS: &[&str] = &["path", "paths", "output", "cwd", "ca_file"];

/// Expands templates in every string of a value, in place. In a table with
/// `shell = true`, the `command` line is expanded with shell quoting.
fn expand_templates(
    value: &mut Spanned<DeValue<'_>>,
    vars: &BTreeMap<String, String>,
    sink: &mut Sink,
    context: vars::Context,
) {
    let span = value.span();
    match value.get_mut() {
        DeValue::String(s) => match vars::expand_in(s, vars, context) {
            Ok(expanded) => *s = expanded.into(),
            Err(e) => {
                // Point inside the string when the source text is the string itself
                // (no escapes): skip the opening quote(s).
                let raw = &sink.source[span.clone()];
                let quote = raw.len() - raw.trim_start_matches(['"', '\'']).len();
                let located = if raw[quote..].starts_with(s.as_ref()) {
                    span.start + quote + e.range.start..span.start + quote + e.range.end
                } else {
                    span
                };
                sink.error(Some(located), e.message, e.hint);
            }
        },
        DeValue::Array(items) => {
            for item in items.iter_mut() {
                let inner = if context == vars::Context::Path {
                    context
                } else {
                    vars::Context::Text
                };
                expand_templates(item, vars, sink, inner);
            }
        }
        DeValue::Table(table) => expand_table(table, vars, sink),
        _ => {}
    }
}

/// Expands every value of a table, choosing each key's [`vars::Context`].
fn expand_table(table: &mut DeTable<'_>, vars: &BTreeMap<String, String>, sink: &mut Sink) {
    let shell = table
        .get("shell")
        .is_some_and(|v| matches!(v.get_ref(), DeValue::Boolean(true)));
    let mut passed: Vec<(String, String)> = Vec::new();
    for (k, v) in table.iter_mut() {
        let key: &str = k.get_ref();
        if shell && key == "command" && vars::Context::shell() == vars::Context::Sh {
            expand_shell_line(v, vars, sink, &mut passed);
            continue;
        }
        let context = if shell && key == "command" {
            vars::Context::shell()
        } else if PATH_KEYS.contains(&key) {
            vars::Context::Path
        } else {
            vars::Context::Text
        };
        expand_templates(v, vars, sink, context);
    }
    if !passed.is_empty() {
        pass_in_env(table, passed);
    }
}

/// Expands a `shell = true` command line for `sh`: each template becomes a
/// reference to an environment variable, whose value is collected in
/// `passed` (see [`vars::Context::Sh`]).
fn expand_shell_line(
    value: &mut Spanned<DeValue<'_>>,
    vars: &BTreeMap<String, String>,
    sink: &mut Sink,
    passed: &mut Vec<(String, String)>,
) {
    let span = value.span();
    if let DeValue::String(s) = value.get_mut() {
        match vars::expand_with_env(s, vars, vars::Context::Sh) {
            Ok((line, env)) => {
                *s = line.into();
                passed.extend(env);
            }
            Err(e) => sink.error(Some(span), e.message, e.hint),
        }
    } else {
        // An argv array with `shell = true` is reported by the kind; its
        // strings are expanded as text.
        expand_templates(value, vars, sink, vars::Context::Text);
    }
}

/// Adds the variables a shell line refers to into the table's `env`
/// (created when missing), so the program gets them.
fn pass_in_env(table: &mut DeTable<'_>, passed: Vec<(String, String)>) {
    let key = Spanned::new(0..0, std::borrow::Cow::Borrowed("env"));
    if !table.contains_key("env") {
        table.insert(
            key.clone(),
            Spanned::new(0..0, DeValue::Table(DeTable::new())),
        );
    }
    if let Some(env) = table.get_mut("env")
        && let DeValue::Table(env) = env.get_mut()
    {
        for (name, value) in passed {
            env.insert(
                Spanned::new(0..0, std::borrow::Cow::Owned(name)),
                Spanned::new(0..0, DeValue::String(std::borrow::Cow::Owned(value))),
            );
        }
    }
}

/// The keys every step accepts besides its kind's own.
pub fn common_keys() -> Vec<&'static str> {
    let mut keys = field_names::<Common>().to_vec();
    keys.push("fix");
    keys
}

struct TableDecoder<'a, 'i> {
    table: &'a DeTable<'i>,
    span: Range<usize>,
    sink: &'a mut Sink,
    context: String,
}

impl KindDecoder for TableDecoder<'_, '_> {
    fn decode<T: DeserializeOwned>(&mut self) -> Option<T> {
        decode_all(self.table, self.span.clone(), self.sink, &self.context)
    }
}

/// Where things are in the source, for checks made after decoding.
pub(super) struct StepSpans {
    /// The whole step table (its `[[step]]` header onward).
    pub table: Range<usize>,
    /// Each key's span and its value's span.
    pub keys: BTreeMap<String, (Range<usize>, Range<usize>)>,
    /// Spans of each string inside `when.<cond>` values, by condition
    /// (for `reason`, every string of its tables).
    pub when_refs: BTreeMap<String, Vec<(String, Range<usize>)>>,
    /// The keys of an `advice` table, with their spans.
    pub advice_keys: Vec<(String, Range<usize>)>,
}

impl StepSpans {
    pub fn key(&self, key: &str) -> Range<usize> {
        self.keys
            .get(key)
            .map_or(self.table.clone(), |(k, _)| k.clone())
    }
    pub fn value(&self, key: &str) -> Range<usize> {
        self.keys
            .get(key)
            .map_or(self.table.clone(), |(_, v)| v.clone())
    }
}

fn step_spans(table: &DeTable<'_>, span: Range<usize>) -> StepSpans {
    let keys = table
        .iter()
        .map(|(k, v)| (key_of(k).to_string(), (k.span(), v.span())))
        .collect();
    let advice_keys = match table.get("advice").map(|v| v.get_ref()) {
        Some(DeValue::Table(t)) => t
            .iter()
            .map(|(k, _)| (key_of(k).to_string(), k.span()))
            .collect(),
        _ => Vec::new(),
    };
    StepSpans {
        table: span,
        keys,
        when_refs: when_spans(table),
        advice_keys,
    }
}

/// Spans of the strings inside a table's `when` values, by condition key.
pub(super) fn when_spans(table: &DeTable<'_>) -> BTreeMap<String, Vec<(String, Range<usize>)>> {
    let mut when_refs = BTreeMap::new();
    if let Some(DeValue::Table(when)) = table.get("when").map(|v| v.get_ref()) {
        for (k, v) in when.iter() {
            let mut strings = Vec::new();
            strings_in(v, &mut strings);
            when_refs.insert(key_of(k).to_string(), strings);
        }
    }
    when_refs
}

/// Every string in a value, nested tables and arrays included, with its span.
fn strings_in(v: &Spanned<DeValue<'_>>, out: &mut Vec<(String, Range<usize>)>) {
    match v.get_ref() {
        DeValue::String(s) => out.push((s.to_string(), v.span())),
        DeValue::Array(a) => a.iter().for_each(|i| strings_in(i, out)),
        DeValue::Table(t) => t.iter().for_each(|(_, i)| strings_in(i, out)),
        _ => {}
    }
}

/// A decoded `[[cause]]` with the spans its checks point at.
pub(super) struct RawCause {
    pub cause: Cause,
    pub table: Range<usize>,
    pub id: Range<usize>,
    pub fix: Range<usize>,
    pub when_refs: BTreeMap<String, Vec<(String, Range<usize>)>>,
}

/// `when.var`: each named variable must exist; those that are empty are
/// noted, so the runner skips the step (or cause) and says why.
fn resolve_var_conditions(
    when: &mut When,
    vars: &BTreeMap<String, String>,
    sink: &mut Sink,
    span: Range<usize>,
    context: &str,
) {
    when.empty_vars.clear();
    for name in when.var.iter() {
        match vars.get(name.as_str()) {
            Some(value) if !value.trim().is_empty() => {}
            Some(_) => when.empty_vars.push(name.clone()),
            None => {
                let hint = match did_you_mean(name, vars.keys().map(String::as_str)) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "declare it in [vars], e.g. printer = \"\"".to_string(),
                };
                sink.error(
                    Some(span.clone()),
                    format!("`when.var` names `{name}`, which is not a variable {context}"),
                    Some(hint),
                );
            }
        }
    }
}

/// Decodes the `[[cause]]` tables, templates expanded in their text.
fn load_causes(
    value: Option<&Spanned<DeValue<'_>>>,
    vars: &BTreeMap<String, String>,
    sink: &mut Sink,
) -> Vec<RawCause> {
    let Some(value) = value else {
        return Vec::new();
    };
    let DeValue::Array(items) = value.get_ref() else {
        sink.error(
            Some(value.span()),
            "`cause` must be an array of tables",
            Some("write each cause under its own [[cause]] header (double brackets)".into()),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let DeValue::Table(table) = item.get_ref() else {
            sink.error(
                Some(item.span()),
                "each `cause` must be a table",
                Some("write [[cause]] with id, when and summary".into()),
            );
            continue;
        };
        let mut table = table.clone();
        expand_table(&mut table, vars, sink);
        let spans = step_spans(&table, item.span());
        let context = format!("in [[cause]] {}", i + 1);
        if let Some(mut cause) = decode_all::<Cause>(&table, item.span(), sink, &context) {
            resolve_var_conditions(&mut cause.when, vars, sink, spans.value("when"), &context);
            out.push(RawCause {
                cause,
                table: item.span(),
                id: spans.value("id"),
                fix: spans.value("fix"),
                when_refs: spans.when_refs,
            });
        }
    }
    out
}

/// A decoded step with its spans, before validation.
pub(super) struct RawStep {
    /// Position in the playbook (0-based).
    pub index: usize,
    pub def: StepDef,
    pub id_given: bool,
    pub spans: StepSpans,
}

/// Scalar TOML values usable as variable values.
fn scalar_text(v: &DeValue) -> Option<String> {
    match v {
        DeValue::String(s) => Some(s.to_string()),
        DeValue::Integer(i) => Some(i.to_string()),
        DeValue::Float(f) => Some(f.to_string()),
        DeValue::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A `[vars]` entry: a scalar, or `{ value = "...", secret = true }`.
/// Returns the value and whether it is marked secret.
fn var_entry(name: &str, v: &Spanned<DeValue<'_>>, sink: &mut Sink) -> Option<(String, bool)> {
    if let DeValue::Table(t) = v.get_ref() {
        let mut value = String::new();
        let mut secret = false;
        for (k, item) in t.iter() {
            match (key_of(k), item.get_ref()) {
                ("value", x) if scalar_text(x).is_some() => value = scalar_text(x)?,
                ("secret", DeValue::Boolean(b)) => secret = *b,
                (key, _) => {
                    sink.error(
                        Some(k.span()),
                        format!("unexpected `{key}` in variable `{name}`"),
                        Some("write `name = { value = \"...\", secret = true }`: `value` a string, `secret` true or false".into()),
                    );
                    return None;
                }
            }
        }
        return Some((value, secret));
    }
    match scalar_text(v.get_ref()) {
        Some(text) => Some((text, false)),
        None => {
            sink.error(
                Some(v.span()),
                format!(
                    "variable `{name}` must be a string, number or boolean, not {}",
                    v.get_ref().type_str()
                ),
                Some("or a table `{ value = \"...\", secret = true }`".into()),
            );
            None
        }
    }
}

/// Reads `[vars]`: the declared values, and the names marked secret.
fn load_vars(
    value: Option<&Spanned<DeValue<'_>>>,
    builtins: &BTreeMap<String, String>,
    sink: &mut Sink,
    secret: &mut BTreeSet<String>,
    overrides: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut declared = BTreeMap::new();
    let Some(value) = value else { return declared };
    let DeValue::Table(table) = value.get_ref() else {
        sink.error(
            Some(value.span()),
            "`vars` must be a table",
            Some("write [vars] followed by name = \"value\" lines".into()),
        );
        return declared;
    };
    for (k, v) in table.iter() {
        let name = key_of(k);
        if !vars::is_valid_name(name) {
            sink.error(
                Some(k.span()),
                format!("invalid variable name `{name}`"),
                Some("use letters, digits and `_`, starting with a letter".into()),
            );
            continue;
        }
        if builtins.contains_key(name) {
            sink.error(
                Some(k.span()),
                format!("`{name}` is a built-in variable and cannot be declared"),
                Some(format!(
                    "choose another name, or override it at run time with --var {name}=..."
                )),
            );
            continue;
        }
        let Some((text, marked)) = var_entry(name, v, sink) else {
            continue;
        };
        if marked {
            secret.insert(name.to_string());
        }
        // A variable may use the built-ins and the variables declared above it.
        let mut known = builtins.clone();
        known.extend(declared.clone());
        match vars::expand(&text, &known) {
            // A `--var` wins here already, so variables declared below it
            // (`derived = "T-{{ ticket }}"`) see the value given.
            Ok(expanded) => {
                let value = overrides.get(name).cloned().unwrap_or(expanded);
                declared.insert(name.to_string(), value);
            }
            Err(e) => {
                let hint = if declared.contains_key(
                    e.message
                        .trim_start_matches("unknown variable `")
                        .trim_end_matches('`'),
                ) {
                    e.hint
                } else {
                    Some(format!(
                        "{} (a variable can use the built-ins and the variables declared above it)",
                        e.hint.unwrap_or_default()
                    ))
                };
                sink.error(
                    Some(v.span()),
                    format!("{} in variable `{name}`", e.message),
                    hint,
                );
                // Keep the name defined, so its uses do not repeat the error.
                declared.insert(name.to_string(), text);
            }
        }
    }
    declared
}

fn decode_fix(
    value: &Spanned<DeValue<'_>>,
    sink: &mut Sink,
    context: &str,
    facts: &Facts,
) -> Option<Fix> {
    let DeValue::Table(table) = value.get_ref() else {
        sink.error(
            Some(value.span()),
            format!("`fix` must be a table {context}"),
            Some("write fix = { step = \"other-step\" } or fix = { command = [\"...\"] }".into()),
        );
        return None;
    };
    if let Some(steps) = table.get("steps") {
        if let Some((extra, _)) = table.iter().find(|(k, _)| key_of(k) != "steps") {
            sink.error(
                Some(extra.span()),
                format!(
                    "unexpected key `{}` in a fix that names steps {context}",
                    key_of(extra)
                ),
                Some(
                    "a fix is `steps = [\"a\", \"b\"]`, `step = \"id\"` or an inline command"
                        .into(),
                ),
            );
            return None;
        }
        let ids: Option<Vec<String>> = match steps.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .map(|i| i.get_ref().as_str().map(str::to_string))
                .collect(),
            _ => None,
        };
        return match ids {
            Some(ids) if !ids.is_empty() => Some(Fix::Steps(ids)),
            _ => {
                sink.error(
                    Some(steps.span()),
                    format!("`fix.steps` must be a non-empty array of step ids {context}"),
                    Some("e.g. fix = { steps = [\"stop-spooler\", \"clear-queue\", \"start-spooler\"] }".into()),
                );
                None
            }
        };
    }
    if let Some(step) = table.get("step") {
        if let Some((extra, _)) = table.iter().find(|(k, _)| key_of(k) != "step") {
            sink.error(
                Some(extra.span()),
                format!(
                    "unexpected key `{}` in a fix that names a step {context}",
                    key_of(extra)
                ),
                Some("a fix is either `step = \"id\"` or an inline command, not both".into()),
            );
            return None;
        }
        return match step.get_ref().as_str() {
            Some(id) => Some(Fix::Step(id.to_string())),
            None => {
                sink.error(
                    Some(step.span()),
                    format!("`fix.step` must be a step id string {context}"),
                    None,
                );
                None
            }
        };
    }
    let known: Vec<&str> = field_names::<CommandStep>()
        .iter()
        .copied()
        .chain(["timeout"])
        .collect();
    let mut ok = true;
    for (k, _) in table.iter() {
        if !known.contains(&key_of(k)) {
            ok = false;
            let hint = did_you_mean(key_of(k), known.iter().copied().chain(["step", "steps"]))
                .map_or_else(|| "a fix has `step = \"id\"`, or the keys of a command step (command, shell, cwd, env, ...)".to_string(), |n| format!("did you mean `{n}`?"));
            sink.error(
                Some(k.span()),
                format!("unknown key `{}` in fix {context}", key_of(k)),
                Some(hint),
            );
        }
    }
    let timeout: Option<FixTimeout> =
        decode_all(table, value.span(), sink, &format!("in fix {context}"));
    let cmd: CommandStep = decode_all(table, value.span(), sink, &format!("in fix {context}"))?;
    for p in crate::steps::Check::validate(&cmd, facts) {
        ok = false;
        sink.error(
            Some(value.span()),
            format!("{} (fix {context})", p.message),
            p.hint,
        );
    }
    let timeout = timeout?.timeout;
    ok.then(|| Fix::Command {
        command: Box::new(cmd),
        timeout,
    })
}

fn load_step(
    index: usize,
    value: &Spanned<DeValue<'_>>,
    vars: &BTreeMap<String, String>,
    sink: &mut Sink,
    facts: &Facts,
) -> Option<RawStep> {
    let span = value.span();
    let DeValue::Table(table) = value.get_ref() else {
        sink.error(
            Some(span),
            "each step must be a table",
            Some("write steps as [[step]] tables".into()),
        );
        return None;
    };
    let mut table = table.clone();
    expand_table(&mut table, vars, sink);
    let spans = step_spans(&table, span.clone());
    let given_id = table
        .get("id")
        .and_then(|v| v.get_ref().as_str())
        .map(str::to_string);
    let label = given_id
        .clone()
        .unwrap_or_else(|| format!("#{}", index + 1));
    let Some(kind_value) = table.get("kind") else {
        sink.error(
            Some(header_span(&sink.source, &span)),
            format!("step {label} has no `kind`"),
            Some(format!(
                "add kind = \"...\", one of: {}",
                KIND_NAMES.join(", ")
            )),
        );
        return None;
    };
    let Some(kind) = kind_value.get_ref().as_str().map(str::to_string) else {
        sink.error(
            Some(kind_value.span()),
            format!("`kind` of step {label} must be a string"),
            None,
        );
        return None;
    };
    let Some(kind_fields) = StepKind::fields(&kind) else {
        let hint = match did_you_mean(&kind, KIND_NAMES.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("known kinds: {}", KIND_NAMES.join(", ")),
        };
        sink.error(
            Some(kind_value.span()),
            format!("unknown step kind `{kind}`"),
            Some(hint),
        );
        return None;
    };
    let context = format!("in step `{label}` (kind `{kind}`)");
    let common_keys = common_keys();
    let before = sink.diags.len();
    for (k, _) in table.iter() {
        let key = key_of(k);
        if common_keys.contains(&key) || kind_fields.contains(&key) {
            continue;
        }
        let hint = match did_you_mean(key, common_keys.iter().chain(kind_fields).copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "`{kind}` steps accept: {}; every step accepts: {}",
                kind_fields.join(", "),
                common_keys.join(", ")
            ),
        };
        sink.error(
            Some(k.span()),
            format!("unknown key `{key}` {context}"),
            Some(hint),
        );
    }
    let mut common: Option<Common> = decode_all(&table, span.clone(), sink, &context);
    if let Some(when) = common.as_mut().and_then(|c| c.when.as_mut()) {
        resolve_var_conditions(when, vars, sink, spans.value("when"), &context);
    }
    let mut decoder = TableDecoder {
        table: &table,
        span: span.clone(),
        sink,
        context: context.clone(),
    };
    let kind_config = StepKind::decode(&kind, &mut decoder);
    let fix = table
        .get("fix")
        .map(|f| decode_fix(f, sink, &context, facts));
    // A step that waits for a variable (`when.var`) has keys templated from
    // it: while it is empty they say nothing worth checking.
    let waits_for_var = common
        .as_ref()
        .and_then(|c| c.when.as_ref())
        .is_some_and(|w| !w.empty_vars.is_empty());
    if let Some(kc) = &kind_config
        && !waits_for_var
    {
        for p in kc.check().validate(facts) {
            sink.error(
                Some(spans.value(p.key)),
                format!("{} {context}", p.message),
                p.hint,
            );
        }
    }
    if sink.diags.len() > before {
        return None;
    }
    let (common, kind_config, fix) = (common?, kind_config?, fix.unwrap_or(None));
    if table.contains_key("fix") && fix.is_none() {
        return None;
    }
    Some(RawStep {
        index,
        id_given: given_id.is_some(),
        def: StepDef {
            id: given_id.unwrap_or_else(|| format!("{kind}-{}", index + 1)),
            common,
            kind: kind_config,
            fix,
        },
        spans,
    })
}

/// The span of a `[[step]]` header before a table's first key (for "missing key" errors).
fn header_span(source: &str, table: &Range<usize>) -> Range<usize> {
    // The table's span may start at its header or at its first key.
    let mut upto = (table.start + 2).min(source.len());
    while !source.is_char_boundary(upto) {
        upto -= 1;
    }
    match source[..upto].rfind("[[") {
        Some(start) => {
            let end = source[start..]
                .find('\n')
                .map_or(source.len(), |e| start + e);
            start..end
        }
        None => table.clone(),
    }
}

/// Errors shown per file; past this, one line says how many more there are.
pub const MAX_ERRORS_PER_FILE: usize = 50;

fn capped(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diags.len() > MAX_ERRORS_PER_FILE {
        let more = diags.len() - MAX_ERRORS_PER_FILE;
        diags.truncate(MAX_ERRORS_PER_FILE);
        let last = diags[0].clone();
        diags.push(Diagnostic {
            span: None,
            message: format!("{more} more errors in this file not shown"),
            hint: Some("fix these and run `supportctl check` again to see the rest".into()),
            ..last
        });
    }
    diags
}

/// Loads and validates one playbook. `overrides` are `--var` values; names
/// that are neither declared nor built in are ignored here (the caller
/// reports them once across all playbooks).
pub fn load(
    file: &SourceFile,
    facts: &Facts,
    overrides: &BTreeMap<String, String>,
) -> Result<Playbook, Vec<Diagnostic>> {
    let mut sink = Sink {
        file: file.label.clone(),
        source: file.text.clone(),
        diags: Vec::new(),
    };
    let (root, errors) = DeTable::parse_recoverable(&file.text);
    if !errors.is_empty() {
        for e in errors {
            sink.error(
                e.span(),
                format!("invalid TOML: {}", e.message().trim_end()),
                None,
            );
        }
        return Err(capped(sink.diags));
    }
    let root = root.into_inner();
    const TOP: [&str; 4] = ["playbook", "vars", "step", "cause"];
    for (k, v) in root.iter() {
        let key = key_of(k);
        if TOP.contains(&key) {
            continue;
        }
        let hint = match (key, did_you_mean(key, TOP)) {
            ("steps", _) => "steps are written as [[step]] tables".to_string(),
            (_, Some(near)) => format!("did you mean `{near}`?"),
            _ => "a playbook has [playbook], [vars], [[step]] and [[cause]] tables; step keys go after a [[step]] header".to_string(),
        };
        let is_tables = v
            .get_ref()
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|i| i.get_ref().is_table()));
        let what = if v.get_ref().is_table() || is_tables {
            "table"
        } else {
            "key"
        };
        sink.error(
            Some(k.span()),
            format!("unknown top-level {what} `{key}`"),
            Some(hint),
        );
    }
    let meta: Meta = match root.get("playbook") {
        Some(v) => match v.get_ref() {
            DeValue::Table(t) => {
                decode_all(t, v.span(), &mut sink, "in [playbook]").unwrap_or_default()
            }
            _ => {
                sink.error(
                    Some(v.span()),
                    "`playbook` must be a table",
                    Some("write [playbook] with name and description".into()),
                );
                Meta::default()
            }
        },
        None => Meta::default(),
    };
    // `--var` may override a built-in; [vars] values are expanded after that.
    let mut builtins = vars::builtins(facts, &file.dir);
    // Network facts can cost a program run (macOS): read them only when a
    // template may use them.
    if crate::netfacts::VARIABLES
        .iter()
        .any(|name| file.text.contains(name))
    {
        let net = crate::netfacts::variables(crate::netfacts::cached());
        builtins.extend(net.into_iter().map(|(k, v)| (k.to_string(), v)));
    }
    for (k, v) in overrides {
        if let Some(b) = builtins.get_mut(k) {
            *b = v.clone();
        }
    }
    let mut secret = BTreeSet::new();
    let declared = load_vars(
        root.get("vars"),
        &builtins,
        &mut sink,
        &mut secret,
        overrides,
    );
    let mut values = builtins.clone();
    values.extend(declared.clone());
    if !values.contains_key(vars::TICKET.0) {
        let given = overrides.get(vars::TICKET.0).cloned().unwrap_or_default();
        values.insert(vars::TICKET.0.to_string(), given);
    }
    let mut final_vars = declared;
    for (k, v) in overrides {
        if values.contains_key(k) {
            values.insert(k.clone(), v.clone());
            final_vars.insert(k.clone(), v.clone());
        }
    }
    // Secret values are never printed: every redaction pass scrubs them.
    for (name, value) in &final_vars {
        if secret.contains(name) || crate::secrets::name_is_secret(name) {
            secret.insert(name.clone());
            crate::secrets::register(value);
        }
    }
    let mut raw_steps = Vec::new();
    // The id of every step, decoded or not, so references are checked even
    // when the step they name has errors of its own.
    let mut all_ids: Vec<String> = Vec::new();
    let mut id_spans: Vec<(String, Range<usize>, Range<usize>)> = Vec::new();
    match root.get("step") {
        None => sink.error(
            Some(0..0),
            "the playbook has no steps",
            Some("add at least one [[step]] table with a `kind`".into()),
        ),
        Some(v) => match v.get_ref() {
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let id_value = item.get_ref().as_table().and_then(|t| t.get("id"));
                    // Ids may be templated: compare and reference them expanded.
                    let given = id_value
                        .and_then(|v| v.get_ref().as_str())
                        .map(|id| vars::expand(id, &values).unwrap_or_else(|_| id.to_string()));
                    let given = given.as_deref();
                    let kind = item
                        .get_ref()
                        .as_table()
                        .and_then(|t| t.get("kind"))
                        .and_then(|v| v.get_ref().as_str());
                    let id = given.map_or_else(
                        || format!("{}-{}", kind.unwrap_or("step"), i + 1),
                        str::to_string,
                    );
                    // A generated id is located at its step's header.
                    let id_span = id_value
                        .map_or_else(|| header_span(&sink.source, &item.span()), |v| v.span());
                    id_spans.push((id.clone(), id_span, item.span()));
                    all_ids.push(id);
                    if let Some(step) = load_step(i, item, &values, &mut sink, facts) {
                        raw_steps.push(step);
                    }
                }
            }
            _ => sink.error(
                Some(v.span()),
                "`step` must be an array of tables",
                Some("write each step under its own [[step]] header (double brackets)".into()),
            ),
        },
    }
    let causes = load_causes(root.get("cause"), &values, &mut sink);
    validate::duplicate_ids(&id_spans, &mut sink);
    validate::validate(&raw_steps, &all_ids, &causes, &mut sink);
    if !sink.diags.is_empty() {
        return Err(capped(sink.diags));
    }
    Ok(Playbook {
        name: meta
            .name
            .clone()
            .unwrap_or_else(|| file.default_name.clone()),
        meta,
        source: file.label.clone(),
        vars: final_vars,
        secret_vars: secret,
        signature: None,
        steps: raw_steps.into_iter().map(|s| s.def).collect(),
        causes: causes.into_iter().map(|c| c.cause).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn explains_unknown_field() {
        let (m, h) = explain("unknown field `tiemout`, expected one of `timeout`, `tags`");
        assert_eq!(m, "unknown key `tiemout`");
        assert_eq!(h.unwrap(), "did you mean `timeout`?");
        let (m, h) = explain("unknown variant `windoze`, expected one of `windows`, `macos`");
        assert_eq!(m, "unknown value `windoze`");
        assert_eq!(h.unwrap(), "did you mean `windows`?");
        let (_, h) = explain("unknown variant `plan9`, expected `windows` or `macos`");
        assert_eq!(h.unwrap(), "expected one of: windows, macos");
    }
}
