//! Redaction: secrets out, personal data pseudonymised, before any byte
//! reaches an archive, a report or a terminal. One engine for bundles,
//! every report format, `show`, errors and log scans.
//!
//! - [`config`]: which rule families run (`[step.redact]`)
//! - [`rules`]: what a rule is
//! - [`secrets`]: the secret family; [`pseudonyms`]: the pseudonym family
//!
//! Text is redacted line by line (lines longer than [`MAX_LINE`] are cut into
//! pieces), so memory stays bounded whatever the input. The secret rules
//! are alternatives of **one** regular expression, and the optional rules
//! (pseudonyms, keywords) of a second, run over what the first left: each
//! line is scanned once per pass, the leftmost match wins, and a replaced
//! value is never matched again. (One expression for both made every
//! frequent pseudonym match pay for the secret rules' many capture groups:
//! 4.3× slower than without redaction, against 1.0× for the secret rules.)
//! Each pass finds its matches with a multi-pattern regex that names the
//! rule without capture groups; only rules with groups of their own are
//! matched again for them (see [`Pass`]): pseudonyms went from 1.4× the
//! secret rules' cost in a bundle to 1.0×.
//!
//! - Secret rules (on by default) replace the secret with
//!   `[REDACTED:<rule>]` and keep what names it (`password=` stays).
//! - Pseudonym rules (opt-in: emails, IP addresses, MAC addresses, host
//!   names, user names) replace a value with a stable placeholder such as
//!   `ip4-3`: the same value gets the same placeholder across the whole
//!   bundle ([`Pseudonyms`]), so a technician can still follow one address
//!   through many logs.
//! - A private key block (`-----BEGIN … PRIVATE KEY-----` to its `END`
//!   line) is removed whole, across lines.
//! - Custom `patterns` (regexes) run after the built-ins.
//!
//! Known limit: a secret split across the cut of an over-long line (more
//! than 1 MiB without a newline) may escape both halves' rules.

pub mod commandline;
pub mod config;
pub mod formats;
pub mod pseudonyms;
pub mod rules;
pub mod secrets;
pub mod structure;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

use regex::bytes::{CaptureLocations, Regex, RegexBuilder};

use crate::cancel::Cancel;
pub use config::RedactConfig;
pub use pseudonyms::Pseudonyms;
use pseudonyms::{Kind, normalise, optional_rules};
use rules::Action;
use secrets::{
    KEY_BEGIN, KEY_END, SECRET_KEYS, builtin_rules, harmless_key, harmless_value,
    looks_like_structure, strong_key,
};

/// Lines longer than this are redacted in pieces of this size.
pub const MAX_LINE: usize = 1 << 20;

/// How many values each rule replaced.
pub type Counts = BTreeMap<&'static str, u64>;

/// Per-stream state: inside a private key block or not.
#[derive(Default)]
pub struct LineState {
    in_private_key: bool,
    /// Secrets on the lines after their key (YAML, INI, XML).
    structure: structure::Structure,
}

/// Capture-group indices of one rule within its pass's regex.
#[derive(Clone, Copy)]
struct Groups {
    rule: usize,
    keep: Option<usize>,
    value: Option<usize>,
    tail: Option<usize>,
}

impl Groups {
    /// Whether the rule has groups of its own (`k`, `v`, `t`) to resolve.
    fn has_own(&self) -> bool {
        self.keep.is_some() || self.value.is_some() || self.tail.is_some()
    }
}

/// One regular expression holding a family of rules as alternatives, so
/// each line is scanned once per pass; the leftmost match wins.
///
/// `finder` holds the same rules as separate patterns of one multi-pattern
/// regex: it finds the leftmost match and which rule made it without
/// resolving capture groups, which (a backtracking search over each match)
/// cost more than finding it when most lines hold an address. Only a rule
/// with groups of its own (`k`, `v`, `t`) is then matched again with `re`
/// for them, from the same start.
struct Pass {
    re: Regex,
    finder: regex_automata::meta::Regex,
    actions: Vec<Action>,
    groups: Vec<Groups>,
    /// Reused for every match (no allocation per match).
    locations: CaptureLocations,
}

impl Pass {
    fn new(rules: &[rules::Rule]) -> Result<Option<Pass>, String> {
        if rules.is_empty() {
            return Ok(None);
        }
        let alternatives: Vec<String> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let p = r
                    .pattern
                    .replace("?P<k>", &format!("?P<k{i}>"))
                    .replace("?P<v>", &format!("?P<v{i}>"))
                    .replace("?P<t>", &format!("?P<t{i}>"));
                format!("(?P<r{i}>{p})")
            })
            .collect();
        let re = compile(&alternatives.join("|"))?;
        let finder = compile_many(&alternatives)?;
        let index = |name: String| re.capture_names().position(|n| n == Some(name.as_str()));
        let groups = (0..rules.len())
            .map(|i| Groups {
                rule: index(format!("r{i}")).unwrap_or(0),
                keep: index(format!("k{i}")),
                value: index(format!("v{i}")),
                tail: index(format!("t{i}")),
            })
            .collect();
        Ok(Some(Pass {
            locations: re.capture_locations(),
            re,
            finder,
            groups,
            actions: rules.iter().map(|r| r.action).collect(),
        }))
    }

    /// Writes `line` to `out` with this pass's matches replaced.
    fn apply(
        &mut self,
        line: &[u8],
        out: &mut Vec<u8>,
        pseudonyms: &mut Pseudonyms,
        counts: &mut Counts,
    ) {
        let Pass {
            re,
            finder,
            actions,
            groups,
            locations,
        } = self;
        let (mut last, mut at) = (0, 0);
        while at <= line.len() {
            let input = regex_automata::Input::new(line).range(at..);
            let Some(found) = finder.search(&input) else {
                break;
            };
            let rule = found.pattern().as_usize();
            let (i, whole) = if !groups[rule].has_own() {
                // No groups to resolve: `locations` is not read for this rule.
                (rule, found.range())
            } else {
                let Some(again) = re.captures_read_at(locations, line, found.start()) else {
                    break;
                };
                let whole = again.range();
                let Some(i) = groups.iter().position(|g| locations.get(g.rule).is_some()) else {
                    at = whole.end.max(whole.start + 1);
                    continue;
                };
                (i, whole)
            };
            let m = Match {
                locations,
                groups: groups[i],
                line,
                whole: whole.clone(),
            };
            let replacement = match decide(actions[i], &m) {
                Decision::Replace(r) => r,
                // A harmless key or value (`PasswordExpired : False`), or
                // not a value of its kind (`12:30:45` is no IPv6 address):
                // left as it is. Pseudonym candidates hold only digits, hex
                // letters and separators, so skipping one cannot hide a
                // secret (and an IPv6 candidate never starts inside a word).
                // Another rule may still find a secret inside the kept value
                // (an `AKIA…` key under `access_key_id`): look again from it.
                Decision::Keep => {
                    at = m.value_start().unwrap_or(whole.end).max(whole.start + 1);
                    continue;
                }
            };
            out.extend_from_slice(&line[last..whole.start]);
            out.extend_from_slice(m.group(m.groups.keep));
            match replacement {
                Replacement::Redacted(label) => {
                    out.extend_from_slice(format!("[REDACTED:{label}]").as_bytes());
                    *counts.entry(label).or_default() += 1;
                }
                Replacement::Pseudonym(kind, key) => {
                    pseudonyms.write(kind, &key, out);
                    *counts.entry(kind.name()).or_default() += 1;
                }
            }
            out.extend_from_slice(m.group(m.groups.tail));
            last = whole.end;
            at = whole.end.max(whole.start + 1);
        }
        out.extend_from_slice(&line[last..]);
    }
}

/// The compiled rules and the bundle's pseudonyms.
pub struct Redactor {
    /// The secret rules, then the optional (pseudonym, keyword) rules:
    /// each pass is one regular expression over what the pass before left.
    passes: Vec<Pass>,
    /// What the first pass wrote, read by the second (reused per line).
    scratch: Vec<u8>,
    custom: Vec<Regex>,
    key_begin: Option<Regex>,
    key_end: Regex,
    /// A JSON key naming a secret (built-in rules only).
    secret_key: Option<Regex>,
    /// The structure family's patterns (built-in rules only).
    structure: Option<std::sync::Arc<structure::Patterns>>,
    pub pseudonyms: Pseudonyms,
}

fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .map_err(|e| e.to_string())
}

/// The patterns as one multi-pattern regex with [`compile`]'s settings (what
/// `regex::bytes::RegexBuilder` sets: no Unicode, any bytes, the same size
/// limits); a match reports which pattern made it.
fn compile_many(patterns: &[String]) -> Result<regex_automata::meta::Regex, String> {
    use regex_automata::{meta, util::syntax};
    meta::Builder::new()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(
            meta::Config::new()
                .utf8_empty(false)
                .nfa_size_limit(Some(64 << 20))
                .onepass_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(64 << 20)
                .dfa_size_limit(Some(64 << 20)),
        )
        .build_many(patterns)
        .map_err(|e| e.to_string())
}

impl Redactor {
    pub fn new(cfg: &RedactConfig, hostname: &str, user: &str) -> Result<Redactor, String> {
        let secret_rules = if cfg.builtin {
            let mut r = formats::rules();
            r.extend(commandline::rules());
            r.extend(builtin_rules());
            r
        } else {
            Vec::new()
        };
        let rules = optional_rules(cfg, hostname, user);
        let custom = cfg
            .patterns
            .iter()
            .map(|p| {
                RegexBuilder::new(p.0.as_str())
                    .size_limit(64 << 20)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Two passes: secrets first, then pseudonyms. One regular expression
        // holding both would run its many capture groups on every frequent
        // pseudonym match (every IP address); apart, each stays small.
        let mut passes = Vec::new();
        for group in [secret_rules, rules] {
            if let Some(pass) = Pass::new(&group)? {
                passes.push(pass);
            }
        }
        Ok(Redactor {
            passes,
            scratch: Vec::new(),
            custom,
            key_begin: if cfg.builtin {
                Some(compile(KEY_BEGIN)?)
            } else {
                None
            },
            key_end: compile(KEY_END)?,
            secret_key: if cfg.builtin {
                Some(compile(&format!("(?i:{SECRET_KEYS})"))?)
            } else {
                None
            },
            structure: if cfg.builtin {
                Some(std::sync::Arc::new(structure::Patterns::new()?))
            } else {
                None
            },
            pseudonyms: Pseudonyms::default(),
        })
    }

    /// Whether a key's name says its value is a secret.
    fn names_secret(&self, key: &[u8]) -> bool {
        self.secret_key.as_ref().is_some_and(|re| re.is_match(key)) && !harmless_key(key)
    }

    /// Whether a key alone on its line opens a secret block: a key naming a
    /// secret, or the WireGuard/IPsec words whose children are keys.
    fn opens_secret_block(&self, key: &[u8]) -> bool {
        self.names_secret(key)
            || [
                "private",
                "shared",
                "preshared",
                "privatekey",
                "presharedkey",
            ]
            .iter()
            .any(|w| key.eq_ignore_ascii_case(w.as_bytes()))
    }

    /// A redactor that changes nothing (binary files allowed as they are).
    pub fn is_noop(&self) -> bool {
        self.passes.is_empty() && self.custom.is_empty() && !crate::secrets::any()
    }

    /// Redacts one line (with or without its line ending) into `out`.
    pub fn line(
        &mut self,
        line: &[u8],
        state: &mut LineState,
        out: &mut Vec<u8>,
        counts: &mut Counts,
    ) {
        let mut line = line;
        if state.in_private_key {
            let Some(end) = self.key_end.find(line) else {
                return;
            };
            state.in_private_key = false;
            line = &line[end.end()..];
            if line.iter().all(u8::is_ascii_whitespace) {
                return;
            }
        }
        // A value on the lines after its key (YAML nesting, INI
        // continuations, XML child elements): removed whole.
        if let Some(patterns) = self.structure.clone() {
            if let Some((from, to)) = state.structure.continuation(&patterns, line) {
                self.rules(&line[..from], out, counts);
                out.extend_from_slice(b"[REDACTED:password]");
                *counts.entry("password").or_default() += 1;
                self.rules(&line[to..], out, counts);
            } else {
                self.line_rules(line, state, out, counts);
            }
            let names_secret = |key: &[u8]| self.opens_secret_block(key);
            state.structure.observe(&patterns, line, &names_secret);
            return;
        }
        self.line_rules(line, state, out, counts);
    }

    /// Redacts a line on its own: private key blocks, then the rules.
    fn line_rules(
        &mut self,
        line: &[u8],
        state: &mut LineState,
        out: &mut Vec<u8>,
        counts: &mut Counts,
    ) {
        // A private key starting here: the text before it goes through the
        // rules, the key is removed (to its END line, or to the end of the stream).
        if let Some(begin) = self.key_begin.as_ref().and_then(|re| re.find(line)) {
            let (before, rest) = (&line[..begin.start()], &line[begin.end()..]);
            self.rules(before, out, counts);
            out.extend_from_slice(b"[REDACTED:private-key]");
            *counts.entry("private-key").or_default() += 1;
            match self.key_end.find(rest) {
                Some(end) => return self.line_rules(&rest[end.end()..], state, out, counts),
                None => {
                    state.in_private_key = true;
                    if line.ends_with(b"\n") {
                        out.push(b'\n');
                    }
                    return;
                }
            }
        }
        self.rules(line, out, counts);
    }

    /// Applies the rule passes, then the custom patterns, to a piece of a line.
    fn rules(&mut self, line: &[u8], out: &mut Vec<u8>, counts: &mut Counts) {
        let start_len = out.len();
        let Redactor {
            passes,
            scratch,
            pseudonyms,
            ..
        } = self;
        match passes.as_mut_slice() {
            [] => out.extend_from_slice(line),
            [one] => one.apply(line, out, pseudonyms, counts),
            [first, second, ..] => {
                scratch.clear();
                first.apply(line, scratch, pseudonyms, counts);
                second.apply(scratch, out, pseudonyms, counts);
            }
        }
        self.custom_pass(out, start_len, counts);
    }

    fn custom_pass(&self, out: &mut Vec<u8>, from: usize, counts: &mut Counts) {
        // Variables marked secret are removed by every redactor, whatever its rules.
        if crate::secrets::any() {
            let n = crate::secrets::scrub_bytes(out, from);
            if n > 0 {
                *counts.entry("secret-var").or_default() += n;
            }
        }
        for re in &self.custom {
            let n = re.find_iter(&out[from..]).count();
            if n > 0 {
                let replaced = re
                    .replace_all(&out[from..], &b"[REDACTED:pattern]"[..])
                    .into_owned();
                out.truncate(from);
                out.extend_from_slice(&replaced);
                *counts.entry("pattern").or_default() += n as u64;
            }
        }
    }

    /// Redacts every string in a JSON value in place (multi-line strings
    /// line by line); a string under a key that names a secret is replaced
    /// whole. Serialising first and redacting the text would not do: JSON
    /// escapes quotes and backslashes, which hides secrets from the rules.
    pub fn json(&mut self, value: &mut serde_json::Value, counts: &mut Counts) {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                let mut out = Vec::with_capacity(s.len());
                let found = self
                    .stream(&mut s.as_bytes(), &mut out, &Cancel::new(), false)
                    .unwrap_or_default();
                for (rule, n) in found {
                    *counts.entry(rule).or_default() += n;
                }
                *s = String::from_utf8_lossy(&out).into_owned();
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.json(v, counts)),
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    let names_secret = self
                        .secret_key
                        .as_ref()
                        .is_some_and(|re| re.is_match(key.as_bytes()))
                        && !harmless_key(key.as_bytes());
                    match v {
                        Value::String(s) if names_secret && !harmless_value(s.as_bytes()) => {
                            *s = "[REDACTED:password]".into();
                            *counts.entry("password").or_default() += 1;
                        }
                        _ => self.json(v, counts),
                    }
                }
            }
            _ => {}
        }
    }

    /// Redacts a short text (a path, a command line) on its own.
    pub fn text(&mut self, text: &str) -> String {
        let mut out = Vec::with_capacity(text.len());
        self.line(
            text.as_bytes(),
            &mut LineState::default(),
            &mut out,
            &mut Counts::new(),
        );
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Redacts a whole stream, line by line, into `out`; checks `cancel`
    /// between lines. Returns the counts per rule.
    ///
    /// `cut`: the stream starts in the middle of a file (a kept tail), so it
    /// may start inside a private key. Then the first lines (up to 64 KiB)
    /// are held back: when a key's END line comes before any BEGIN line,
    /// everything before it is dropped as part of that key.
    pub fn stream(
        &mut self,
        input: &mut (impl BufRead + ?Sized),
        out: &mut (impl Write + ?Sized),
        cancel: &Cancel,
        cut: bool,
    ) -> io::Result<Counts> {
        let mut counts = Counts::new();
        let mut state = LineState::default();
        let mut line = Vec::with_capacity(8 * 1024);
        let mut redacted = Vec::with_capacity(8 * 1024);
        let mut held: Vec<Vec<u8>> = Vec::new();
        let mut holding = cut && self.key_begin.is_some();
        let mut held_bytes = 0;
        let mut n = 0u32;
        loop {
            line.clear();
            let eof = read_line_capped(input, &mut line, MAX_LINE)? == 0;
            if holding {
                let begins = !eof && self.key_begin.as_ref().is_some_and(|re| re.is_match(&line));
                let ends = !eof && self.key_end.is_match(&line);
                held_bytes += line.len();
                if ends && !begins {
                    // The tail began inside a key: drop it up to here.
                    held.clear();
                    state.in_private_key = true;
                    redacted.clear();
                    redacted.extend_from_slice(b"[REDACTED:private-key]\n");
                    *counts.entry("private-key").or_default() += 1;
                    out.write_all(&redacted)?;
                    holding = false;
                } else if begins || eof || held_bytes > 64 * 1024 {
                    holding = false;
                    for h in held.drain(..) {
                        redacted.clear();
                        self.line(&h, &mut state, &mut redacted, &mut counts);
                        out.write_all(&redacted)?;
                    }
                } else {
                    held.push(line.clone());
                    continue;
                }
            }
            if eof {
                break;
            }
            redacted.clear();
            self.line(&line, &mut state, &mut redacted, &mut counts);
            out.write_all(&redacted)?;
            n = n.wrapping_add(1);
            if n.is_multiple_of(256) && cancel.is_set() {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
            }
        }
        Ok(counts)
    }
}

/// One rule's match within a line.
struct Match<'a> {
    locations: &'a CaptureLocations,
    groups: Groups,
    line: &'a [u8],
    whole: std::ops::Range<usize>,
}

impl<'a> Match<'a> {
    fn group(&self, index: Option<usize>) -> &'a [u8] {
        index
            .and_then(|i| self.locations.get(i))
            .map_or(&[], |(start, end)| &self.line[start..end])
    }

    /// Where the value group starts in the line, when the rule has one.
    fn value_start(&self) -> Option<usize> {
        self.groups
            .value
            .and_then(|i| self.locations.get(i))
            .map(|(start, _)| start)
    }

    /// Where the value group ends in the line, when the rule has one.
    fn value_end(&self) -> Option<usize> {
        self.groups
            .value
            .and_then(|i| self.locations.get(i))
            .map(|(_, end)| end)
    }
}

/// What a match becomes.
enum Replacement<'a> {
    Redacted(&'static str),
    Pseudonym(Kind, Cow<'a, str>),
}

/// What to do with a match.
enum Decision<'a> {
    Replace(Replacement<'a>),
    Keep,
}

/// The replacement for one match, or why there is none.
fn decide<'a>(action: Action, m: &Match<'a>) -> Decision<'a> {
    let matched = &m.line[m.whole.clone()];
    let value = match m.group(m.groups.value) {
        [] => matched,
        v => v,
    };
    let keep_unless = |secret: bool, label| {
        if secret {
            Decision::Replace(Replacement::Redacted(label))
        } else {
            Decision::Keep
        }
    };
    match action {
        // `Using bearer authentication` is prose, not a token.
        Action::Secret("bearer-token") => keep_unless(
            value.len() >= 16 && value.iter().any(u8::is_ascii_digit),
            "bearer-token",
        ),
        Action::Secret(label @ ("password" | "authorization" | "connection-string")) => {
            let key = m.group(m.groups.keep);
            let value_end = m.value_end().unwrap_or(m.whole.end);
            keep_unless(
                !harmless_key(key)
                    && !harmless_value(value)
                    // An Authorization header holds a credential whatever it looks like.
                    && (label == "authorization"
                        || !looks_like_structure(value, &m.line[value_end..], strong_key(key))),
                label,
            )
        }
        Action::Secret(label) => Decision::Replace(Replacement::Redacted(label)),
        Action::Pseudonym(kind) => match normalise(kind, value, m.line, m.whole.clone()) {
            Some(key) => Decision::Replace(Replacement::Pseudonym(kind, key)),
            None => Decision::Keep,
        },
    }
}

/// Reads one line (up to and including `\n`), or `cap` bytes of a longer one.
pub fn read_line_capped(
    input: &mut (impl BufRead + ?Sized),
    line: &mut Vec<u8>,
    cap: usize,
) -> io::Result<usize> {
    let mut read = 0;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(read);
        }
        let room = cap - read;
        let (take, done) = match available.iter().take(room).position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len().min(room), available.len() >= room),
        };
        line.extend_from_slice(&available[..take]);
        input.consume(take);
        read += take;
        if done || read >= cap {
            return Ok(read);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pseudonyms::NUMBERED;
    use super::*;

    fn all_on() -> RedactConfig {
        RedactConfig {
            emails: true,
            ip: true,
            mac: true,
            hostnames: true,
            usernames: true,
            ..RedactConfig::default()
        }
    }

    fn redact(cfg: &RedactConfig, text: &str) -> (String, Counts) {
        let mut r = Redactor::new(cfg, "ws-0042.corp.example", "alice").unwrap();
        let mut out = Vec::new();
        let counts = r
            .stream(&mut text.as_bytes(), &mut out, &Cancel::new(), false)
            .unwrap();
        (String::from_utf8(out).unwrap(), counts)
    }

    /// (input, the secret that must be gone, the rule that removes it)
    const SECRETS: &[(&str, &str, &str)] = &[
        ("password=hunter2\n", "hunter2", "password"),
        ("db.password = \"s3cr3t pass\"\n", "s3cr3t pass", "password"),
        (
            "  \"client_secret\": \"abc\\\"def\",\n",
            "abc\\\"def",
            "password",
        ),
        ("smtp_passwd: 'quoted yaml'\n", "quoted yaml", "password"),
        ("MYSQL_ROOT_PASSWORD=rootpw123\n", "rootpw123", "password"),
        ("api_key: sk-test-123456\n", "sk-test-123456", "password"),
        ("$token => 'perl-token-9'\n", "perl-token-9", "password"),
        (
            "git clone https://bob:pa55w0rd@localhost/r.git\n",
            "pa55w0rd",
            "url-credentials",
        ),
        (
            "mongodb://admin:Mongo!Pass@db:27017\n",
            "Mongo!Pass",
            "url-credentials",
        ),
        (
            "Authorization: Basic dXNlcjpwYXNzd29yZA==\n",
            "dXNlcjpwYXNzd29yZA",
            "authorization",
        ),
        (
            "curl -H 'Authorization: Bearer abcdefghijklmnop'\n",
            "abcdefghijklmnop",
            "authorization",
        ),
        (
            "sent bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_nature_xyz\n",
            "eyJhbGciOiJIUzI1NiJ9",
            "bearer-token",
        ),
        (
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl\n",
            "eyJzdWIiOiIxMjM0In0",
            "api-token",
        ),
        (
            "GITHUB ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij used\n",
            "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij",
            "api-token",
        ),
        (
            "slack xoxb-123456789012-abcdefghij\n",
            "xoxb-123456789012-abcdefghij",
            "api-token",
        ),
        (
            "stripe sk_live_abcdefghijklmnop1234\n",
            "sk_live_abcdefghijklmnop1234",
            "api-token",
        ),
        (
            "key AIzaSyA-1234567890abcdefghijklmnopqrstu\n",
            "AIzaSyA-1234567890abcdefghijklmnopqrstu",
            "api-token",
        ),
        (
            "aws AKIAIOSFODNN7EXAMPLE ok\n",
            "AKIAIOSFODNN7EXAMPLE",
            "cloud-key",
        ),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            "wJalrXUtnFEMI",
            "password",
        ),
        (
            "https://127.0.0.1:10000/acct/c?sv=2020&sig=abcDEF123%2Bxyz456789\n",
            "abcDEF123%2Bxyz456789",
            "cloud-key",
        ),
        (
            "Server=db;Database=x;User Id=sa;Password=Pass word 1;Encrypt=true\n",
            "Pass word 1",
            "connection-string",
        ),
        (
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFyYmF6cXV4==;EndpointSuffix=core\n",
            "Zm9vYmFyYmF6cXV4",
            "connection-string",
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nQUJDREVGR0hJ\n-----END RSA PRIVATE KEY-----\nafter\n",
            "MIIEowIBAAKCAQEA",
            "private-key",
        ),
        (
            "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END PRIVATE KEY-----\\n\"}\n",
            "MIIEvQIBADAN",
            "private-key",
        ),
        // Found by an adversarial pass:
        (
            "PRIVATE_KEY=-----BEGIN RSA PRIVATE KEY-----\nMIIBodyLine\n-----END RSA PRIVATE KEY-----\n",
            "MIIBodyLine",
            "private-key",
        ),
        (
            "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nSsh2Body\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n",
            "Ssh2Body",
            "private-key",
        ),
        (
            "client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=\n",
            "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo",
            "password",
        ),
        (
            "applied LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo= ok\n",
            "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo",
            "private-key",
        ),
        (
            "redis://:S3cretRedisPw@cache:6379/0\n",
            "S3cretRedisPw",
            "url-credentials",
        ),
        (
            "postgres://app:p@ssw0rd@db/app\n",
            "ssw0rd",
            "url-credentials",
        ),
        (
            "x Server=x;Password=Pass word 1\n",
            "word 1",
            "connection-string",
        ),
        (
            "UID=sa;PWD={p;ss}word};Server=x\n",
            "ss}word",
            "connection-string",
        ),
        (
            "AccountName=a;AccountKey=Zm9vYmFyYmF6\n",
            "Zm9vYmFyYmF6",
            "connection-string",
        ),
        ("DB_PASS=dbpass123\n", "dbpass123", "password"),
        ("  SMTP_PASS: smtp pass 1\n", "smtp pass 1", "password"),
        (
            "{\"auths\":{\"r\":{\"auth\":\"dXNlcjpwYXNz\"}}}\n",
            "dXNlcjpwYXNz",
            "password",
        ),
        (
            "password = correct horse battery staple\n",
            "battery staple",
            "password",
        ),
        ("password=x7{Kp]2&Lq(9)\n", "Kp]2&Lq", "password"),
        (
            "log {\\\"client_secret\\\":\\\"ClientSec2024\\\"}\n",
            "ClientSec2024",
            "password",
        ),
        (
            "<add key=\"SmtpPassword\" value=\"MailPw2024!\" />\n",
            "MailPw2024",
            "password",
        ),
        (
            "  <password>MavenPw2024</password>\n",
            "MavenPw2024",
            "password",
        ),
        (
            "Authorization: Splunk abcdef123456\n",
            "abcdef123456",
            "authorization",
        ),
        (
            "{\"url\":\"https://a/b?sv=1\\u0026sig=SigValue1234567890ab\"}\n",
            "SigValue1234567890ab",
            "cloud-key",
        ),
        (
            "+ curl -u admin:Adm1nPass https://x\n",
            "Adm1nPass",
            "password",
        ),
        (
            "docker login --password Dock3rPass\n",
            "Dock3rPass",
            "password",
        ),
        (
            "$p = ConvertTo-SecureString \"P@ssw0rd!Adm\" -AsPlainText\n",
            "P@ssw0rd!Adm",
            "password",
        ),
        (
            "GET / Cookie: session=abc123secret; theme=dark\n",
            "abc123secret",
            "cookie",
        ),
        (
            "CREATE USER x IDENTIFIED BY 'SqlSecret1';\n",
            "SqlSecret1",
            "password",
        ),
        (
            "machine localhost login bob password N3trcPass\n",
            "N3trcPass",
            "password",
        ),
        (
            "AMQP_URL=amqp://guest:Gx/9kQ+zz@mq.internal:5672/\n",
            "Gx/9kQ+zz",
            "url-credentials",
        ),
        (
            "PS> Set-ADAccountPassword bob -NewPassword (ConvertTo-SecureString -AsPlainText 'Winter2024!' -Force)\n",
            "Winter2024",
            "password",
        ),
        (
            "C:\\> net user svc_backup Backup#2024 /add\n",
            "Backup#2024",
            "password",
        ),
        (
            "C:\\> net use Z: \\\\fs01\\share Sh@re2024 /user:CORP\\bob\n",
            "Sh@re2024",
            "password",
        ),
        (
            "mysql -u root -pR00tPass123 -h db\n",
            "R00tPass123",
            "password",
        ),
        (
            "sqlcmd -S db01 -U sa -P SqlPass123 -Q \"select 1\"\n",
            "SqlPass123",
            "password",
        ),
        ("requirepass R3disPass2024\n", "R3disPass2024", "password"),
        (
            "Private-Lines: 1\nAAAAPuttyKeyBody\nPrivate-MAC: 0123\n",
            "AAAAPuttyKeyBody",
            "private-key",
        ),
        (
            "GET /login.aspx user=bob&pwd=IisPw2024 443\n",
            "IisPw2024",
            "connection-string",
        ),
        ("x password: \"multi\n", "multi", "password"),
    ];

    #[test]
    fn every_builtin_rule_removes_its_secret() {
        for (input, secret, rule) in SECRETS {
            let (out, counts) = redact(&RedactConfig::default(), input);
            assert!(!out.contains(secret), "{rule}: `{secret}` left in {out:?}");
            assert!(
                counts.get(rule).copied().unwrap_or(0) >= 1,
                "{rule} not counted for {input:?}: {counts:?} -> {out:?}"
            );
        }
    }

    #[test]
    fn keys_and_structure_stay() {
        // At the start of a line the value runs to its end (it may hold spaces)...
        let (out, _) = redact(&RedactConfig::default(), "password=hunter2 user=bob\n");
        assert_eq!(out, "password=[REDACTED:password]\n");
        // ...elsewhere it ends at a space or separator.
        let (out, _) = redact(
            &RedactConfig::default(),
            "login password=hunter2 user=bob\n",
        );
        assert_eq!(out, "login password=[REDACTED:password] user=bob\n");
        let (out, _) = redact(
            &RedactConfig::default(),
            "Server=db;Password=a b;Encrypt=true\n",
        );
        assert_eq!(
            out,
            "Server=db;Password=[REDACTED:connection-string];Encrypt=true\n"
        );
        let (out, _) = redact(
            &RedactConfig::default(),
            "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\nnext line\n",
        );
        assert_eq!(out, "[REDACTED:private-key]\nnext line\n");
        // Ordinary log text is untouched, including what only names secrets.
        for plain in [
            "2026-11-24 10:00:01 service started, 3 tasks passed\n",
            "PasswordExpired : False\n",
            "badPwdCount : 0\n",
            "PasswordLastSet : 11/24/2026 09:12:44\n",
            "<dependentAssembly PublicKeyToken=31bf3856ad364e35 />\n",
            "sudo: alice : TTY=pts/0 ; PWD=/var/www/app ; USER=root ; COMMAND=/bin/ls\n",
            "Using bearer authentication for the API\n",
            "{\"isSecret\": false, \"max_tokens\": 4096}\n",
            "compass=north bypass=yes\n",
            "2026-11-20 status installed google-cloud-cli-gke-gcloud-auth-plugin:amd64 474.0.0\n",
        ] {
            assert_eq!(redact(&RedactConfig::default(), plain).0, plain);
        }
    }

    #[test]
    fn unterminated_private_key_drops_the_rest() {
        let (out, _) = redact(
            &RedactConfig::default(),
            "a\n-----BEGIN PRIVATE KEY-----\nMIIE\nmore\n",
        );
        assert_eq!(out, "a\n[REDACTED:private-key]\n");
    }

    #[test]
    fn pseudonyms_are_consistent() {
        let text = "from 10.1.2.3 to 10.1.2.4\nagain 10.1.2.3 and fe80::1ff:fe23:4567:890a%eth0\n\
                    mac AA-BB-CC-DD-EE-FF = aa:bb:cc:dd:ee:ff\nmail Alice.Smith@corp.example\n\
                    host WS-0042 / ws-0042.corp.example, user alice in /home/alice/x and C:\\Users\\bob\\y\n\
                    keep 127.0.0.1 ::1 0.0.0.0 version 10.0.19045.3693 time 12:30:45 std::vector /home/Public\n";
        let (out, counts) = redact(&all_on(), text);
        assert!(
            out.contains("from ip4-1 to ip4-2\nagain ip4-1 and ip6-1\n"),
            "{out}"
        );
        assert!(out.contains("mac mac-1 = mac-1\n"), "{out}");
        assert!(out.contains("mail email-1\n"), "{out}");
        assert!(
            out.contains(
                "host host-1 / host-2, user user-1 in /home/user-1/x and C:\\Users\\user-2\\y"
            ),
            "{out}"
        );
        assert!(
            out.contains("keep 127.0.0.1 ::1 0.0.0.0 version 10.0.19045.3693 time 12:30:45 std::vector /home/Public"),
            "{out}"
        );
        assert_eq!(counts["ip4"], 3);
        assert_eq!(counts["user"], 3);
        // A declined candidate does not hide a secret inside it.
        let (out, _) = redact(&all_on(), "app::auth::credentials=SecretVal123\n");
        assert!(!out.contains("SecretVal123"), "{out}");
    }

    #[test]
    fn a_tail_that_starts_inside_a_private_key_drops_the_key() {
        let mut r = Redactor::new(&RedactConfig::default(), "h", "u").unwrap();
        let mut out = Vec::new();
        let tail = "QkFTRTY0Qk9EWQ==\nMORE==\n-----END PRIVATE KEY-----\nafter\n";
        r.stream(&mut tail.as_bytes(), &mut out, &Cancel::new(), true)
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[REDACTED:private-key]\nafter\n"
        );
        // Without an END line, the held lines come out as they are.
        let mut out = Vec::new();
        r.stream(
            &mut "plain\nafter\n".as_bytes(),
            &mut out,
            &Cancel::new(),
            true,
        )
        .unwrap();
        assert_eq!(out, b"plain\nafter\n");
    }

    #[test]
    fn json_strings_are_redacted_before_escaping() {
        let mut r = Redactor::new(&RedactConfig::default(), "h", "u").unwrap();
        let mut v = serde_json::json!({
            "stdout": "config:\n  password: \"hunter2\"\n",
            "password": "direct",
            "passwordExpired": "false",
            "list": ["Authorization: Bearer abcdef0123456789"]
        });
        let mut counts = Counts::new();
        r.json(&mut v, &mut counts);
        let text = v.to_string();
        for secret in ["hunter2", "direct", "abcdef0123456789"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert_eq!(v["passwordExpired"], "false");
        assert_eq!(counts.values().sum::<u64>(), 3);
    }

    #[test]
    fn pseudonyms_past_the_numbered_limit_are_hashed_but_consistent() {
        let mut r = Redactor::new(&all_on(), "h", "u").unwrap();
        let mut text = String::new();
        for i in 0..NUMBERED + 5 {
            text.push_str(&format!(
                "10.{}.{}.{}\n",
                i / 62500,
                (i / 250) % 250,
                i % 250 + 1
            ));
        }
        text.push_str("10.0.0.1 again\n");
        let mut out = Vec::new();
        r.stream(&mut text.as_bytes(), &mut out, &Cancel::new(), false)
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "ip4-1");
        assert!(
            lines[NUMBERED + 1].starts_with("ip4-h"),
            "{}",
            lines[NUMBERED + 1]
        );
        assert_eq!(lines.last().unwrap(), &"ip4-1 again");
        assert_eq!(
            r.pseudonyms.to_json()["ip4"].as_object().unwrap().len(),
            NUMBERED
        );
        assert_eq!(r.pseudonyms.hashed, 5);
    }

    #[test]
    fn custom_keywords_and_patterns() {
        let cfg = RedactConfig {
            keywords: vec!["Project Falcon".into()],
            patterns: vec!["EMP-[0-9]{5}".parse().unwrap()],
            ..RedactConfig::default()
        };
        let (out, counts) = redact(&cfg, "project falcon staff EMP-12345 and EMP-99999\n");
        assert_eq!(
            out,
            "[REDACTED:keyword] staff [REDACTED:pattern] and [REDACTED:pattern]\n"
        );
        assert_eq!(counts["pattern"], 2);
    }

    #[test]
    fn long_lines_are_cut_and_bytes_kept() {
        let mut input: &[u8] = b"abc\xffdef\nxyz";
        let mut line = Vec::new();
        assert_eq!(read_line_capped(&mut input, &mut line, 4).unwrap(), 4);
        assert_eq!(line, b"abc\xff");
        line.clear();
        assert_eq!(read_line_capped(&mut input, &mut line, 4).unwrap(), 4);
        assert_eq!(line, b"def\n");
        line.clear();
        assert_eq!(read_line_capped(&mut input, &mut line, 4).unwrap(), 3);
        line.clear();
        assert_eq!(read_line_capped(&mut input, &mut line, 4).unwrap(), 0);
        // Non-UTF-8 bytes pass through unchanged.
        let mut r = Redactor::new(&RedactConfig::default(), "h", "u").unwrap();
        let mut out = Vec::new();
        r.stream(
            &mut &b"caf\xe9 password=x\n"[..],
            &mut out,
            &Cancel::new(),
            false,
        )
        .unwrap();
        assert_eq!(out, b"caf\xe9 password=[REDACTED:password]\n");
    }

    #[test]
    fn mapping_lists_what_each_placeholder_stands_for() {
        let mut r = Redactor::new(&all_on(), "h", "u").unwrap();
        r.text("10.9.8.7 then 10.9.8.6");
        assert_eq!(
            r.pseudonyms.to_json(),
            serde_json::json!({"ip4": {"10.9.8.7": "ip4-1", "10.9.8.6": "ip4-2"}})
        );
    }
}
