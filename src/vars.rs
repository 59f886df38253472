//! Variables and `{{ name }}` templating.
//!
//! Every string in a step is expanded once, while the playbook loads, from
//! (in order of precedence) `--var` overrides, the playbook's `[vars]`, and
//! the built-in variables below. An unknown name is a load-time error. A
//! literal `{{` is written `{{ "{{" }}`.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::facts::Facts;
use crate::playbook::diagnostic::did_you_mean;

/// Names of the built-in variables, with what they hold (for docs and `show`).
pub const BUILTINS: &[(&str, &str)] = &[
    ("home", "the user's home directory"),
    (
        "temp",
        "the user's temporary directory (%TEMP%, $TMPDIR, /tmp)",
    ),
    (
        "desktop",
        "the user's desktop folder (home when there is none)",
    ),
    (
        "cache_dir",
        "the user's cache directory (~/.cache, ~/Library/Caches, %LOCALAPPDATA%)",
    ),
    ("config_dir", "the user's configuration directory"),
    ("hostname", "the machine's host name"),
    ("user", "the user running supportctl"),
    ("os", "windows, macos or linux"),
    ("os_version", "the OS version, e.g. 10.0.22631 or 12"),
    ("arch", "x86_64, aarch64, ..."),
    (
        "system_drive",
        "C:\\ on Windows (%SystemDrive%), / elsewhere",
    ),
    (
        "gateway",
        "the default gateway's address (`no-default-gateway` when there is none: steps using it then fail saying so)",
    ),
    ("date", "today as YYYY-MM-DD"),
    ("datetime", "now as YYYYMMDD-HHMMSS (safe in file names)"),
    (
        "playbook_dir",
        "the folder holding the playbook file (empty for shipped ones)",
    ),
];

/// The built-in variables' values for this machine and playbook.
pub fn builtins(facts: &Facts, playbook_dir: &str) -> BTreeMap<String, String> {
    let mut vars: BTreeMap<String, String> = facts
        .variables()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let now = jiff::Zoned::now();
    vars.insert("date".into(), now.strftime("%Y-%m-%d").to_string());
    vars.insert("datetime".into(), now.strftime("%Y%m%d-%H%M%S").to_string());
    vars.insert("playbook_dir".into(), playbook_dir.to_string());
    vars
}

/// A problem in a template, located within the string being expanded.
#[derive(Debug, PartialEq)]
pub struct TemplateError {
    pub range: Range<usize>,
    pub message: String,
    pub hint: Option<String>,
}

/// Whether a text is a valid variable name.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A quoted literal right after `{{`: `{{ "{{" }}` -> (`{{`, bytes used through `}}`).
fn quoted_literal(after: &str) -> Option<(&str, usize)> {
    let trimmed = after.trim_start();
    let lead = after.len() - trimmed.len();
    let quote = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let close = trimmed[1..].find(quote)? + 1;
    let rest = &trimmed[close + 1..];
    let tail = rest.len() - rest.trim_start().len();
    rest.trim_start()
        .starts_with("}}")
        .then(|| (&trimmed[1..close], lead + close + 1 + tail + 2))
}

/// Expands `{{ name }}` references in `text` from `vars`. `{{ "text" }}`
/// (or `{{ 'text' }}`) stands for the text itself: `{{ "{{" }}` is a literal `{{`.
pub fn expand(text: &str, vars: &BTreeMap<String, String>) -> Result<String, TemplateError> {
    if !text.contains("{{") {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let start = offset + open;
        let after = &rest[open + 2..];
        if let Some((literal, used)) = quoted_literal(after) {
            out.push_str(literal);
            rest = &after[used..];
            offset = start + 2 + used;
            continue;
        }
        let Some(close) = after.find("}}") else {
            return Err(TemplateError {
                range: start..start + 2,
                message: "unclosed `{{` in template".into(),
                hint: Some("close it with `}}`, or write `{{ \"{{\" }}` for a literal `{{`".into()),
            });
        };
        let name = after[..close].trim();
        let range = start..start + 2 + close + 2;
        if !is_valid_name(name) {
            return Err(TemplateError {
                range,
                message: format!("invalid variable reference `{{{{{}}}}}`", &after[..close]),
                hint: Some("write `{{ name }}` with a name of letters, digits and `_`, or `{{ \"{{\" }}` for a literal `{{`".into()),
            });
        }
        match vars.get(name) {
            Some(value) => out.push_str(value),
            None => {
                let hint = match did_you_mean(name, vars.keys().map(String::as_str)) {
                    Some(near) => {
                        format!("did you mean `{near}`? Declare new variables under [vars]")
                    }
                    None => {
                        "declare it under [vars], or use a built-in (see `supportctl show`)".into()
                    }
                };
                return Err(TemplateError {
                    range,
                    message: format!("unknown variable `{name}`"),
                    hint: Some(hint),
                });
            }
        }
        rest = &after[close + 2..];
        offset = start + 2 + close + 2;
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [("temp", "/tmp"), ("ticket", "INC42")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn expands_names() {
        assert_eq!(
            expand("{{ temp }}/x-{{ticket}}", &vars()).unwrap(),
            "/tmp/x-INC42"
        );
        assert_eq!(expand("no templates", &vars()).unwrap(), "no templates");
        assert_eq!(
            expand(r#"go {{ "{{" }}.State}}"#, &vars()).unwrap(),
            "go {{.State}}"
        );
        assert_eq!(expand("{{'{{'}}x{{ '}}' }}", &vars()).unwrap(), "{{x}}");
        // Backslashes before a template stay (Windows paths).
        assert_eq!(
            expand(r"C:\Users\{{ ticket }}", &vars()).unwrap(),
            r"C:\Users\INC42"
        );
    }

    #[test]
    fn reports_unknown_and_malformed() {
        let e = expand("a {{ tmep }} b", &vars()).unwrap_err();
        assert_eq!(e.message, "unknown variable `tmep`");
        assert_eq!(e.range, 2..12);
        assert!(e.hint.unwrap().contains("`temp`"));
        let e = expand("x {{ temp", &vars()).unwrap_err();
        assert_eq!(e.range, 2..4);
        assert!(expand("{{ a b }}", &vars()).is_err());
    }
}
