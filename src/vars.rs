//! Variables and `{{ name }}` templating.
//!
//! Every string in a step is expanded once, while the playbook loads, from
//! (in order of precedence) `--var` overrides, the playbook's `[vars]`, and
//! the built-in variables below. An unknown name is a load-time error. A
//! literal `{{` is written `{{ "{{" }}`.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::facts::Facts;
use crate::text::did_you_mean;

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
    (
        "os_name",
        "the OS's name, e.g. `Ubuntu 24.04 LTS` or `Windows 11 Pro`",
    ),
    ("kernel_version", "the kernel's version"),
    ("cpus", "logical processors"),
    (
        "physical_cores",
        "physical processor cores (the logical count when unknown)",
    ),
    ("cpu_brand", "the processor's name"),
    ("cpu_mhz", "the processor's speed in MHz"),
    ("memory_total_bytes", "installed memory in bytes"),
    (
        "memory_available_bytes",
        "available memory in bytes (when the playbook loads)",
    ),
    ("uptime_secs", "seconds since boot"),
    ("date", "today as YYYY-MM-DD"),
    ("datetime", "now as YYYYMMDD-HHMMSS (safe in file names)"),
    (
        "playbook_dir",
        "the folder holding the playbook file (empty for shipped ones)",
    ),
];

/// `{{ ticket }}`: the ticket the run is for, from `--ticket` or `--var
/// ticket=`. Unlike the built-ins a playbook may declare it (with its own
/// default); when it does not, the value is empty unless given.
pub const TICKET: (&str, &str) = (
    "ticket",
    "the ticket the run is for (`--ticket`, `--var ticket=`); empty unless given, or the playbook's own default",
);

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

/// What a template's value lands in, which decides how it is inserted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Plain text: the value as is.
    Text,
    /// A `shell = true` command line for `sh -c`: the value goes into the
    /// program's environment and the line refers to it (`"${SUPPORTCTL_VAR_x}"`),
    /// quoted for where it lands (bare, inside '…' or inside "…"). Data
    /// never becomes code, whatever the line around it does.
    Sh,
    /// A `shell = true` command line for `cmd /C`: the value is put inside
    /// double quotes; values holding `"`, `%`, `!` or a line break (which
    /// cmd.exe would still interpret there) are refused.
    Cmd,
    /// A path: a value inside a file or folder name cannot add a separator,
    /// and no value can add a `..` component (a ticket number cannot move
    /// a bundle out of its folder).
    Path,
}

impl Context {
    /// The shell context for this platform's `shell = true`.
    pub fn shell() -> Context {
        if cfg!(windows) {
            Context::Cmd
        } else {
            Context::Sh
        }
    }
}

/// Where the text before a template leaves a shell's quoting.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Bare,
    Single,
    Double,
}

/// Follows quoting through literal command text (`\` escapes outside '…').
fn track_quotes(mut state: Quoting, literal: &str, cmd: bool) -> Quoting {
    let mut chars = literal.chars();
    while let Some(c) = chars.next() {
        state = match (state, c) {
            (Quoting::Bare, '\'') if !cmd => Quoting::Single,
            (Quoting::Bare, '"') => Quoting::Double,
            (Quoting::Bare | Quoting::Double, '\\') if !cmd => {
                chars.next();
                state
            }
            (Quoting::Single, '\'') => Quoting::Bare,
            (Quoting::Double, '"') => Quoting::Bare,
            (s, _) => s,
        };
    }
    state
}

/// A value made safe for where it lands, or why it cannot be.
fn insert(
    value: &str,
    context: Context,
    quoting: Quoting,
    within_component: bool,
) -> Result<String, String> {
    match context {
        Context::Text => Ok(value.to_string()),
        // The value itself never enters the command line: it is passed in
        // the environment (see [`env_name`]) and the line refers to it, so
        // no quoting mistake, `$( )`, heredoc or comment can make it code.
        // Handled by `expand_with_env` before this is reached; refuse rather
        // than paste a value into a shell line.
        Context::Sh => Err("cannot be pasted into a shell line".into()),
        Context::Cmd => {
            if let Some(bad) = value
                .chars()
                .find(|c| matches!(c, '"' | '%' | '!' | '\r' | '\n'))
            {
                return Err(format!(
                    "contains `{}`, which cmd.exe would interpret even inside quotes",
                    bad.escape_debug()
                ));
            }
            Ok(match quoting {
                Quoting::Double => value.to_string(),
                _ => format!("\"{value}\""),
            })
        }
        Context::Path => {
            let separators: &[char] = if cfg!(windows) { &['/', '\\'] } else { &['/'] };
            if within_component && value.contains(separators) {
                return Err("contains a path separator, inside a file or folder name".into());
            }
            if value.split(separators).any(|part| part == "..") {
                return Err("contains a `..` component, which would leave the folder".into());
            }
            if within_component && value == "." {
                return Err("is `.`, not a name".into());
            }
            Ok(value.to_string())
        }
    }
}

/// Expands `{{ name }}` references in `text` from `vars`. `{{ "text" }}`
/// (or `{{ 'text' }}`) stands for the text itself: `{{ "{{" }}` is a literal `{{`.
pub fn expand(text: &str, vars: &BTreeMap<String, String>) -> Result<String, TemplateError> {
    expand_in(text, vars, Context::Text)
}

/// [`expand`] for text of a given [`Context`]: values are quoted for a
/// shell line, or checked for a path. `{{ name | raw }}` inserts a value as
/// is, for a playbook author who means it (e.g. a variable holding options).
pub fn expand_in(
    text: &str,
    vars: &BTreeMap<String, String>,
    context: Context,
) -> Result<String, TemplateError> {
    let (text, _) = expand_with_env(text, vars, context)?;
    Ok(text)
}

/// The environment variable that carries `{{ name }}` into a shell line.
pub fn env_name(name: &str) -> String {
    format!("SUPPORTCTL_VAR_{name}")
}

/// [`expand_in`] that also returns the environment a [`Context::Sh`] line
/// needs: (variable, value) for each template it refers to.
pub fn expand_with_env(
    text: &str,
    vars: &BTreeMap<String, String>,
    context: Context,
) -> Result<(String, Vec<(String, String)>), TemplateError> {
    let mut passed: Vec<(String, String)> = Vec::new();
    if !text.contains("{{") {
        return Ok((text.to_string(), passed));
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut offset = 0;
    let mut quoting = Quoting::Bare;
    let cmd = context == Context::Cmd;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        quoting = track_quotes(quoting, &rest[..open], cmd);
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
        let (name, raw, as_regex) = match after[..close].split_once('|') {
            Some((name, filter)) if filter.trim() == "raw" => (name.trim(), true, false),
            Some((name, filter)) if filter.trim() == "regex" => (name.trim(), false, true),
            Some((name, filter)) => {
                return Err(TemplateError {
                    range: start..start + 2 + close + 2,
                    message: format!("unknown filter `{}` on `{}`", filter.trim(), name.trim()),
                    hint: Some("the filters are `raw` (`{{ name | raw }}` inserts a value without quoting) and `regex` (`{{ name | regex }}` matches the value literally inside a pattern)".into()),
                });
            }
            None => (after[..close].trim(), false, false),
        };
        let range = start..start + 2 + close + 2;
        if !is_valid_name(name) {
            return Err(TemplateError {
                range,
                message: format!("invalid variable reference `{{{{{}}}}}`", &after[..close]),
                hint: Some("write `{{ name }}` with a name of letters, digits and `_`, or `{{ \"{{\" }}` for a literal `{{`".into()),
            });
        }
        let escaped;
        let value = match vars.get(name) {
            Some(v) if as_regex => {
                escaped = regex::escape(v);
                Some(&escaped)
            }
            other => other,
        };
        match value {
            Some(value) if raw => out.push_str(value),
            Some(value) if context == Context::Sh => {
                // The escaped form travels in a variable of its own: a line
                // may use both forms of one value.
                let env = if as_regex {
                    format!("{}_REGEX", env_name(name))
                } else {
                    env_name(name)
                };
                out.push_str(&match quoting {
                    Quoting::Bare => format!("\"${{{env}}}\""),
                    Quoting::Double => format!("${{{env}}}"),
                    Quoting::Single => format!("'\"${{{env}}}\"'"),
                });
                if !passed.iter().any(|(n, _)| *n == env) {
                    passed.push((env, value.clone()));
                }
            }
            Some(value) => {
                let before = out.chars().next_back();
                let after_text = &after[close + 2..];
                // Either separator in the playbook's own text (a Windows path
                // in a playbook for several systems); the value's own
                // separators are judged per platform in `insert`.
                let separator = |c: char| c == '/' || c == '\\';
                // Inside a name: text of the name before it, or text after it
                // that a value ending in a separator (`C:\\`) would not start.
                let within_component = before.is_some_and(|c| !separator(c))
                    || (after_text.chars().next().is_some_and(|c| !separator(c))
                        && !value.ends_with(separator));
                match insert(value, context, quoting, within_component) {
                    Ok(v) => out.push_str(&v),
                    Err(why) => {
                        return Err(TemplateError {
                            range,
                            message: format!("the value of `{name}` {why}"),
                            hint: Some(match context {
                                Context::Path => "give a plain name (letters, digits, `-`, `_`, `.`) in this variable".into(),
                                _ => "remove those characters from the value, or pass it in `env` and read %NAME% in the command".into(),
                            }),
                        });
                    }
                }
            }
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
    Ok((out, passed))
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
    fn the_regex_filter_matches_a_value_literally() {
        let v = with("app", "notepad++ (x86)");
        let pattern = expand(r"(?i)\({{ app | regex }}\) crashed", &v).unwrap();
        assert_eq!(pattern, r"(?i)\(notepad\+\+ \(x86\)\) crashed");
        let re = regex::Regex::new(&pattern).unwrap();
        assert!(re.is_match("(NOTEPAD++ (x86)) crashed"));
        assert!(!re.is_match("(notepadd (x86)) crashed"));
        let (line, env) =
            expand_with_env("grep {{ app | regex }} {{ app }}", &v, Context::Sh).unwrap();
        assert_eq!(
            line,
            "grep \"${SUPPORTCTL_VAR_app_REGEX}\" \"${SUPPORTCTL_VAR_app}\""
        );
        assert!(env.contains(&(
            "SUPPORTCTL_VAR_app_REGEX".into(),
            r"notepad\+\+ \(x86\)".into()
        )));
        assert!(env.contains(&("SUPPORTCTL_VAR_app".into(), "notepad++ (x86)".into())));
        let e = expand("{{ app | upper }}", &v).unwrap_err();
        assert!(e.hint.unwrap().contains("`regex`"));
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

    fn with(name: &str, value: &str) -> BTreeMap<String, String> {
        [(name.to_string(), value.to_string())]
            .into_iter()
            .collect()
    }

    #[test]
    fn shell_values_stay_data_wherever_they_land() {
        let want = "x'; touch /tmp/pwned; echo '$(id)\"`id`\nEOF\n$(id)";
        let v = with("t", want);
        let (line, env) = expand_with_env(
            "echo {{ t }} '{{t}}' \"{{ t }}\" \"$(echo {{ t }})\" `echo {{ t }}`\n# it's\necho {{ t }}",
            &v,
            Context::Sh,
        )
        .unwrap();
        assert!(
            !line.contains("pwned"),
            "the value is not in the line: {line}"
        );
        let out = std::process::Command::new("sh")
            .args(["-c", &line])
            .envs(env)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        // Bare, '…' and "…": the value exactly; inside $( ) and ` ` it is
        // split into words, but never run.
        assert!(
            stdout.starts_with(&format!("{want} {want} {want} ")),
            "{line}\n{stdout}"
        );
        assert!(!stdout.contains("uid="), "{stdout}");
        assert_eq!(
            expand_in("ls {{ t | raw }}", &with("t", "-la"), Context::Sh).unwrap(),
            "ls -la"
        );
        assert!(expand_in("x {{ t | shout }}", &v, Context::Sh).is_err());
    }

    #[test]
    fn cmd_values_are_quoted_or_refused() {
        assert_eq!(
            expand_in("dir {{ t }}", &with("t", "C:\\a b"), Context::Cmd).unwrap(),
            "dir \"C:\\a b\""
        );
        let e = expand_in("echo {{ t }}", &with("t", "a\" & calc"), Context::Cmd).unwrap_err();
        assert!(e.message.contains("cmd.exe"), "{}", e.message);
        assert!(expand_in("echo {{ t }}", &with("t", "%PATH%"), Context::Cmd).is_err());
    }

    #[test]
    fn path_values_cannot_leave_their_folder() {
        let out = |t: &str, v: &str| expand_in(t, &with("t", v), Context::Path);
        assert_eq!(
            out("/d/support-{{ t }}.zip", "INC1").unwrap(),
            "/d/support-INC1.zip"
        );
        assert!(out("/d/support-{{ t }}.zip", "INC1/../../x").is_err());
        assert!(out("/d/{{ t }}/x", "..").is_err());
        assert_eq!(out("{{ t }}/x", "/srv/tickets").unwrap(), "/srv/tickets/x");
        assert!(out("{{ t }}/x", "/srv/../etc").is_err());
        assert_eq!(out("{{ t }}Windows", "/").unwrap(), "/Windows");
        assert!(out("/d/a-{{ t }}", "/x/").is_err());
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
